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
          {"f() { x; }", 1, 1, "function definitions are not supported in stsh"},
          {"f () { bash; }; f", 1, 1, "function definitions are not supported in stsh"},
          {"function f { x; }", 1, 1, "'function': function definitions are not supported in stsh"},
          {"( a )", 1, 1, "subshells ( ... ) are not supported in stsh"},
          {"a; (b)", 1, 4, "subshells ( ... ) are not supported in stsh"},
          {"((a))", 1, 1, "arithmetic commands ((...)) are not supported in stsh"},
          {"{ a; }", 1, 1, "'{': command groups { ... } are not supported in stsh"},
          {"}", 1, 1, "'}': command groups { ... } are not supported in stsh"},
          {"if true; then x; fi", 1, 1, "'if': if statements are not supported in stsh"},
          {"a; then b", 1, 4, "'then': if statements are not supported in stsh"},
          {"fi", 1, 1, "'fi': if statements are not supported in stsh"},
          {"while true; do x; done", 1, 1, "'while': loops are not supported in stsh"},
          {"until x; do y; done", 1, 1, "'until': loops are not supported in stsh"},
          {"for i in a; do x; done", 1, 1, "'for': loops are not supported in stsh"},
          {"a && done", 1, 6, "'done': loops are not supported in stsh"},
          {"case x in a) y;; esac", 1, 1, "'case': case statements are not supported in stsh"},
          {"[[ -f x ]]", 1, 1, "'[[': conditional expressions [[ ... ]] are not supported in stsh"},
          {"coproc x", 1, 1, "'coproc': coprocesses are not supported in stsh"},
          {"! if x", 1, 3, "'if': if statements are not supported in stsh"},
          {"a | if x", 1, 5, "'if': if statements are not supported in stsh"},
          {"echo $(if x)", 1, 8, "'if': if statements are not supported in stsh"},
          {"echo $((1+2))", 1, 6, "arithmetic expansion $((...)) is not supported in stsh"},
          {"echo \"$((1))\"", 1, 7, "arithmetic expansion $((...)) is not supported in stsh"},
          {"a |& b", 1, 3, "'|&' is not supported in stsh: write '2>&1 |'"},
          {"echo $@", 1, 6, "'$@' is not supported in stsh"},
          {"echo \"$*\"", 1, 7, "'$*' is not supported in stsh"},
          {"echo $-", 1, 6, "'$-' is not supported in stsh"},
          {"echo ${A:-x}", 1, 6,
           "bad substitution '${A:-x}': stsh supports only ${NAME} and special parameters"},
          {"echo ${#A}", 1, 6,
           "bad substitution '${#A}': stsh supports only ${NAME} and special parameters"},
          {"echo ${}", 1, 6,
           "bad substitution '${}': stsh supports only ${NAME} and special parameters"},
          {"!", 1, 1, "'!' needs a command"},
          {"a | ! b", 1, 5, "'!' is allowed only before a pipeline"},
      });
}

TEST_CASE("errors: inside here-document bodies they are errors, not incomplete",
          "[shell][errors]") {
  check(ParseStatus::error,
        {
            {"cat <<E\n$(echo\nE", 2, 1, "unterminated command substitution $(...)"},
            {"cat <<E\n${A:-x}\nE", 2, 1,
             "bad substitution '${A:-x}': stsh supports only ${NAME} and special parameters"},
            {"cat <<E\n$((1))\nE", 2, 1, "arithmetic expansion $((...)) is not supported in stsh"},
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
