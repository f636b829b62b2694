// Syntax errors and incomplete input: one message, the exact position, and the classification
// the interactive loop relies on (incomplete: read another line; error: run nothing).
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "shell/parser.h"

using namespace stsh::shell;

namespace {

struct Case {
  std::string_view text;
  int line;
  int column;
  std::string_view message;
};

void check(ParseStatus status, const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    INFO(c.text);
    const ParseResult r = parse(std::string(c.text));
    CHECK(r.status == status);
    CHECK(r.program == nullptr);
    CHECK(r.error.where.line == c.line);
    CHECK(r.error.where.column == c.column);
    CHECK(r.error.message == c.message);
    CHECK(r.message() == "syntax error at " + std::to_string(c.line) + ":" +
                             std::to_string(c.column) + ": " + std::string(c.message));
  }
}

}  // namespace

TEST_CASE("errors: the message format", "[shell][errors]") {
  const ParseResult r = parse("echo a | | b");
  CHECK(r.message() == "syntax error at 1:10: unexpected '|'");
  CHECK(parse("echo ok").message().empty());
}

TEST_CASE("errors: unexpected tokens", "[shell][errors]") {
  check(ParseStatus::error,
        {
            {"|", 1, 1, "unexpected '|'"},
            {"echo a | | b", 1, 10, "unexpected '|'"},
            {"a && && b", 1, 6, "unexpected '&&'"},
            {"|| b", 1, 1, "unexpected '||'"},
            {";", 1, 1, "unexpected ';'"},
            {"a ;; b", 1, 4, "unexpected ';'"},
            {"a & ; b", 1, 5, "unexpected ';'"},
            {"&", 1, 1, "unexpected '&'"},
            {"a |\n\n;", 3, 1, "unexpected ';'"},
            {"echo a)", 1, 7, "unexpected ')'"},
            {"echo (", 1, 6, "unexpected '('"},
            {"echo a (b)", 1, 8, "unexpected '('"},
            {"echo a\n  b | | c", 2, 7, "unexpected '|'"},
            {"echo é | |", 1, 10, "unexpected '|'"},
            {"echo $(a |)", 1, 11, "unexpected ')'"},
            {"echo $(;)", 1, 8, "unexpected ';'"},
            {"echo `a |`", 1, 6, "in `...` at column 4: unexpected end of `...`"},
        });
}

TEST_CASE("errors: redirections", "[shell][errors]") {
  check(
      ParseStatus::error,
      {
          {"echo >", 1, 7, "expected a word after '>', found end of input"},
          {"echo 2> | x", 1, 9, "expected a word after '>', found '|'"},
          {"echo >\nfile", 1, 7, "expected a word after '>', found newline"},
          {"cat <<", 1, 7, "expected a word after '<<', found end of input"},
          {"cat <<<", 1, 8, "expected a word after '<<<', found end of input"},
          {"echo 2>&x", 1, 9, "'>&' needs a file descriptor number (0-255) or '-', found 'x'"},
          {"echo 2>&$fd", 1, 9, "'>&' needs a file descriptor number (0-255) or '-', found '$fd'"},
          {"cat <&file", 1, 7, "'<&' needs a file descriptor number (0-255) or '-', found 'file'"},
          {"echo 1>&256", 1, 9, "'>&' needs a file descriptor number (0-255) or '-', found '256'"},
          {"echo 256>x", 1, 6, "file descriptor number out of range (0-255)"},
          {"cat <(ls)", 1, 5, "process substitution <(...) is not supported in stsh"},
          {"ls >(cat)", 1, 4, "process substitution >(...) is not supported in stsh"},
          {"x $(cat <<E)", 1, 12, "here-document inside $(...) has no body before ')'"},
      });
}

TEST_CASE("errors: constructs stsh does not support name themselves", "[shell][errors]") {
  check(
      ParseStatus::error,
      {
          {"((a))", 1, 1,
           "arithmetic commands ((...)) are not supported in stsh: write '( (' for nested "
           "subshells, or use $((...))"},
          {"[[ -f x ]]", 1, 1, "'[[': conditional expressions [[ ... ]] are not supported in stsh"},
          {"coproc x", 1, 1, "'coproc': coprocesses are not supported in stsh"},
          {"select x in a; do :; done", 1, 1, "'select': select loops are not supported in stsh"},
          {"a |& b", 1, 3, "'|&' is not supported in stsh: write '2>&1 |'"},
          {"!", 1, 1, "'!' needs a command"},
          {"a | ! b", 1, 5, "'!' is allowed only before a pipeline"},
      });
}

TEST_CASE("errors: the POSIX grammar's own errors", "[shell][errors]") {
  check(ParseStatus::error,
        {
            {"}", 1, 1, "unexpected '}'"},
            {"a; then b", 1, 4, "unexpected 'then'"},
            {"fi", 1, 1, "unexpected 'fi'"},
            {"a && done", 1, 6, "unexpected 'done'"},
            {"echo $(if x)", 1, 12, "unexpected ')'"},
            {"while :; do :; done; fi", 1, 22, "unexpected 'fi'"},
            {"if then fi", 1, 4, "unexpected 'then' (empty list after 'if')"},
            {"for 1 in a; do :; done", 1, 5, "'1' is not a valid variable name"},
            {"x=1 f() { :; }", 1, 6, "unexpected '('"},
            {"echo ${}", 1, 6, "bad substitution '${}'"},
            {"echo ${A:x}", 1, 6, "bad substitution '${A:x}'"},
            {"echo ${A:%x}", 1, 6, "bad substitution '${A:%x}'"},
        });
}

TEST_CASE("errors: open compound commands ask for another line", "[shell][errors]") {
  check(ParseStatus::incomplete,
        {
            {"if true; then", 1, 14, "unexpected end of input"},
            {"for i in a b; do", 1, 17, "unexpected end of input"},
            {"case x in a)", 1, 13, "unexpected end of input"},
            {"f() {", 1, 6, "unexpected end of input"},
            {"( a", 1, 4, "unexpected end of input"},
            {"! if x", 1, 7, "unexpected end of input"},
            {"a | if x", 1, 9, "unexpected end of input"},
            {"echo $((1+2)", 1, 6, "unterminated $((...))"},
        });
}

TEST_CASE("errors: inside here-document bodies they are errors, not incomplete",
          "[shell][errors]") {
  check(ParseStatus::error,
        {
            {"cat <<E\n$(echo\nE", 2, 1, "unterminated command substitution $(...)"},
            {"cat <<E\n${A:x}\nE", 2, 1, "bad substitution '${A:x}'"},
        });
}

TEST_CASE("errors: incomplete input asks for another line", "[shell][errors]") {
  check(ParseStatus::incomplete,
        {
            {"echo 'abc", 1, 6, "unterminated single quote"},
            {"echo \"abc", 1, 6, "unterminated double quote"},
            {"echo \"a\nb", 1, 6, "unterminated double quote"},
            {"echo $'abc", 1, 6, "unterminated $'...' quote"},
            {"echo `abc", 1, 6, "unterminated backquote"},
            {"echo $(abc", 1, 6, "unterminated command substitution $(...)"},
            {"echo \"$(abc", 1, 7, "unterminated command substitution $(...)"},
            {"echo $(a 'b", 1, 10, "unterminated single quote"},
            {"echo ${A", 1, 6, "unterminated ${...}"},
            {"echo a \\", 1, 8, "backslash at the end of the input"},
            {"echo a\\", 1, 7, "backslash at the end of the input"},
            {"echo |", 1, 7, "unexpected end of input"},
            {"echo a &&", 1, 10, "unexpected end of input"},
            {"echo a ||\n", 2, 1, "unexpected end of input"},
            {"echo a |\n\n", 3, 1, "unexpected end of input"},
            {"cat <<EOF", 1, 5, "here-document not terminated"},
            {"cat <<EOF\nline 1\n", 1, 5, "here-document not terminated"},
            {"cat <<A <<B\na\nA\nb", 1, 9, "here-document not terminated"},
            {"echo $(cat <<E\nbody", 1, 12, "here-document not terminated"},
        });
}

TEST_CASE("errors: an earlier error wins over later incomplete input", "[shell][errors]") {
  check(ParseStatus::error, {{"a | | \"b", 1, 5, "unexpected '|'"}});
}

TEST_CASE("errors: incomplete input completed by more lines parses", "[shell][errors]") {
  // What the interactive loop does: append "\n" and the next line, parse the whole again.
  std::string text = "echo 'a";
  CHECK(parse(text).status == ParseStatus::incomplete);
  text += "\nb'";
  CHECK(parse(text).ok());

  text = "ls |";
  CHECK(parse(text).status == ParseStatus::incomplete);
  text += "\nwc -l";
  CHECK(parse(text).ok());

  text = "echo a \\";
  CHECK(parse(text).status == ParseStatus::incomplete);
  text += "\nb";
  CHECK(parse(text).ok());

  text = "cat <<EOF";
  CHECK(parse(text).status == ParseStatus::incomplete);
  text += "\nhello";
  CHECK(parse(text).status == ParseStatus::incomplete);
  text += "\nEOF";
  CHECK(parse(text).ok());
}
