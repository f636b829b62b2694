#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include <catch2/catch.hpp>

#include "shell/ast_dump.h"
#include "shell/parser.h"

using namespace stsh::shell;

namespace {

std::shared_ptr<const Program> parse_ok(std::string_view text) {
  ParseResult r = parse(std::string(text));
  INFO(text << "\n" << r.message());
  REQUIRE(r.status == ParseStatus::ok);
  REQUIRE(r.program != nullptr);
  return r.program;
}

// The AST of `text` rendered by dump() (see shell/ast_dump.h for the notation).
std::string shape(std::string_view text) {
  return dump(*parse_ok(text));
}

const SimpleCommand& only_command(const Program& p) {
  REQUIRE(p.items.size() == 1);
  REQUIRE(p.items[0].rest.empty());
  REQUIRE(p.items[0].first.commands.size() == 1);
  return p.items[0].first.commands[0];
}

}  // namespace

TEST_CASE("parser: simple commands, lists, pipelines, and/or", "[shell][parser]") {
  CHECK(shape("echo hello world") == "(echo hello world)");
  CHECK(shape("  echo   a  ") == "(echo a)");
  CHECK(shape("a | b | c") == "(a) | (b) | (c)");
  CHECK(shape("! a | b") == "! (a) | (b)");
  CHECK(shape("! ! a") == "(a)");
  CHECK(shape("a && b || c; d & e") == "(a) && (b) || (c); (d) &; (e)");
  CHECK(shape("a &") == "(a) &");
  CHECK(shape("a & b &") == "(a) &; (b) &");
  CHECK(shape("a;b;") == "(a); (b)");
  CHECK(shape("a\nb\n\nc\n") == "(a); (b); (c)");
  CHECK(shape("a |\n\n b") == "(a) | (b)");
  CHECK(shape("a &&\n b ||\n c") == "(a) && (b) || (c)");
  CHECK(shape("time ls") == "(time ls)");
  CHECK(shape("echo } ]] then") == "(echo } ]] then)");
  CHECK(shape("'if' x") == "('if' x)");
}

TEST_CASE("parser: empty input and comments", "[shell][parser]") {
  CHECK(parse_ok("")->items.empty());
  CHECK(parse_ok("\n\n  \t\n")->items.empty());
  CHECK(parse_ok("# just a comment")->items.empty());
  CHECK(shape("echo a # b | c && d") == "(echo a)");
  CHECK(shape("echo a # b\nls") == "(echo a); (ls)");
  CHECK(shape("echo a#b") == "(echo a#b)");
  CHECK(shape("echo a;#b") == "(echo a)");
  CHECK(shape("echo '#' \\#") == "(echo '#' '#')");
}

TEST_CASE("parser: quoting", "[shell][parser]") {
  CHECK(shape(R"(echo 'a b' "c d" e\ f)") == "(echo 'a b' 'c d' e' 'f)");
  CHECK(shape(R"(echo "a\"b\$c\\d\e\`")") == R"((echo 'a"b$c\\d\\e`'))");
  CHECK(shape(R"(echo 'a\b' '$x')") == R"((echo 'a\\b' '$x'))");
  CHECK(shape(R"(echo "" '' a""b)") == "(echo '' '' ab)");
  CHECK(shape(R"(echo $'a\tb\'c\x41\101\n\q')") == R"((echo 'a\tb\'cAA\n\\q'))");
  CHECK(shape(R"(echo $"a $b")") == R"((echo 'a '"${b}"))");
  CHECK(shape(R"(echo *.c "*.c" \*.c '*'.c)") == "(echo *.c '*.c' '*'.c '*'.c)");
  CHECK(shape("echo $ \"$\" $/ \"$ x\"") == "(echo \\$ '$' \\$/ '$ x')");
}

TEST_CASE("parser: a newline inside quotes is a character of the word", "[shell][parser]") {
  // lshell's filter was bypassed with Ctrl-V Ctrl-J; here it is just part of one argument.
  CHECK(shape("echo 'a\nbash'") == R"((echo 'a\nbash'))");
  CHECK(shape("echo \"a\nb\" c") == R"((echo 'a\nb' c))");
  CHECK(shape("echo a\\\nb") == "(echo ab)");             // continuation inside a word
  CHECK(shape("echo \"a\\\nb\"") == "(echo 'ab')");       // and inside double quotes
  CHECK(shape("echo 'a\\\nb'") == R"((echo 'a\\\nb'))");  // but not inside single quotes
  CHECK(shape("echo a \\\n b") == "(echo a b)");
  CHECK(shape("echo a\nbash") == "(echo a); (bash)");  // outside quotes: two commands
}

TEST_CASE("parser: parameters, tilde and command substitution", "[shell][parser]") {
  CHECK(shape("echo $A ${B} $? $$ $# $0 $9 $! ${10} $A_1x") ==
        "(echo ${A} ${B} ${?} ${$} ${#} ${0} ${9} ${!} ${10} ${A_1x})");
  CHECK(shape("echo $12") == "(echo ${1}2)");
  CHECK(shape(R"(echo "$A" "x${B}y")") == R"((echo "${A}" 'x'"${B}"'y'))");
  CHECK(shape("echo ~ ~/x ~bob a~ \"~\" \\~ ~+") == "(echo ~ ~/x \\~bob a\\~ '~' '~' \\~+)");
  CHECK(shape("echo $(ls -l)") == "(echo $( (ls -l) ))");
  CHECK(shape("echo `date`") == "(echo $( (date) ))");
  CHECK(shape("echo `echo \\`echo hi\\``") == "(echo $( (echo $( (echo hi) )) ))");
  CHECK(shape("echo $(echo a | b; c && d)") == "(echo $( (echo a) | (b); (c) && (d) ))");
  CHECK(shape("echo $(a $(b $(c)))") == "(echo $( (a $( (b $( (c) )) )) ))");
  CHECK(shape("echo $( )") == "(echo $(  ))");
}

TEST_CASE("parser: command substitution inside double quotes, nested", "[shell][parser]") {
  CHECK(shape(R"x(echo "$(ls "$(pwd)")")x") == R"x((echo "$( (ls "$( (pwd) )") )"))x");
  CHECK(shape(R"x(echo "x$(y "$(z)")w")x") == R"x((echo 'x'"$( (y "$( (z) )") )"'w'))x");
  CHECK(shape(R"x(echo "$(echo ")")")x") == R"x((echo "$( (echo ')') )"))x");
  CHECK(shape(R"x(echo $(echo ')'))x") == R"x((echo $( (echo ')') )))x");
  CHECK(shape(R"x(echo "`date`")x") == R"x((echo "$( (date) )"))x");
  CHECK(shape("echo $(echo # )\n)") == "(echo $( (echo) ))");
}

TEST_CASE("parser: what the executor will confine parses into exactly these commands",
          "[shell][parser]") {
  CHECK(shape("echo && bash") == "(echo) && (bash)");
  CHECK(shape("echo \"$(bash)\"") == "(echo \"$( (bash) )\")");
  CHECK(shape("echo $(bash -i)") == "(echo $( (bash -i) ))");
  CHECK(shape("vi;sh") == "(vi); (sh)");
  CHECK(shape("ls\nsh") == "(ls); (sh)");
  CHECK(shape("ls&sh") == "(ls) &; (sh)");

  const auto p = parse_ok("echo \"$(bash)\"");
  const SimpleCommand& echo = only_command(*p);
  REQUIRE(echo.words.size() == 2);
  REQUIRE(echo.words[1].parts.size() == 1);
  const auto* sub = std::get_if<CommandSubstitutionPart>(&echo.words[1].parts[0]);
  REQUIRE(sub != nullptr);
  CHECK(sub->quoted);
  const SimpleCommand& bash = only_command(*sub->program);
  CHECK(dump(bash) == "(bash)");
  CHECK(sub->program->source == p->source);  // same text, ranges into it
  CHECK(sub->program->text(bash.range) == "bash");
}

TEST_CASE("parser: assignments", "[shell][parser]") {
  CHECK(shape("A=1") == "(A=1)");
  CHECK(shape("A=1 B=\"x y\" cmd a") == "(A=1 B='x y' cmd a)");
  CHECK(shape("A=1 echo B=2") == "(A=1 echo B=2)");
  CHECK(shape("A= B=$C") == "(A= B=${C})");
  CHECK(shape("_x9=1 9x=1") == "(_x9=1 9x=1)");  // 9x=1 is no assignment: a command
  CHECK(shape("'A'=1 A\\=1") == "('A'=1 A'='1)");
  CHECK(shape(">out A=1 cmd") == "(A=1 cmd 1>out)");
  CHECK(shape("PATH=~/bin:~/x:a~ cmd") == "(PATH=~/bin:~/x:a\\~ cmd)");
  CHECK(shape("echo x=~/a") == "(echo x=\\~/a)");

  const auto p = parse_ok("A=1 B=2");
  const SimpleCommand& c = only_command(*p);
  CHECK(c.words.empty());
  REQUIRE(c.assignments.size() == 2);
  CHECK(c.assignments[1].name == "B");
  CHECK(c.assignments[1].range == SourceRange{4, 3});
}

TEST_CASE("parser: redirections", "[shell][parser]") {
  CHECK(shape("cat < in > out") == "(cat 0<in 1>out)");
  CHECK(shape("cmd 2> err 2>> log 3< f 4<> rw >| clob") == "(cmd 2>err 2>>log 3<f 4<>rw 1>|clob)");
  CHECK(shape("cmd 2>&1 >&2 4<&0 5>&- <&-") == "(cmd 2>&1 1>&2 4>&0 5>&- 0>&-)");
  CHECK(shape("cmd &> both &>> both2 >&file") == "(cmd &>both &>>both2 &>file)");
  CHECK(shape("cmd <<< \"a $b\"") == "(cmd 0<<<'a '\"${b}\")");
  CHECK(shape("cmd>x<y") == "(cmd 1>x 0<y)");
  CHECK(shape("cmd 2>& 1") == "(cmd 2>&1)");
  CHECK(shape("2>x") == "(2>x)");
  CHECK(shape("cmd > \"$f\"") == "(cmd 1>\"${f}\")");
  CHECK(shape("cmd > *.txt") == "(cmd 1>*.txt)");

  const auto p = parse_ok("cmd 12>x 2>&1");
  const SimpleCommand& c = only_command(*p);
  REQUIRE(c.redirections.size() == 2);
  CHECK(c.redirections[0].kind == RedirectionKind::output);
  CHECK(c.redirections[0].fd == 12);
  CHECK(c.redirections[0].range == SourceRange{4, 4});
  CHECK(c.redirections[1].kind == RedirectionKind::duplicate);
  CHECK(c.redirections[1].fd == 2);
  CHECK(c.redirections[1].source_fd == 1);
  CHECK(c.redirections[1].target.parts.empty());
  CHECK(c.range == SourceRange{0, 13});
}

TEST_CASE("parser: here-documents", "[shell][parser]") {
  CHECK(shape("cat <<EOF\nhello $USER\nEOF") == "(cat 0<<EOF{'hello '\"${USER}\"'\\n'})");
  CHECK(shape("cat <<'EOF'\nhello $USER `x`\nEOF\n") == "(cat 0<<'EOF'{'hello $USER `x`\\n'})");
  CHECK(shape("cat <<\\E\n$a\nE") == "(cat 0<<'E'{'$a\\n'})");
  CHECK(shape("cat << \"E\"x\n$a\nEx") == "(cat 0<<'Ex'{'$a\\n'})");
  CHECK(shape("cat <<-EOF\n\ta\n\t\tb $c\n\tEOF\n") == "(cat 0<<EOF{'a\\nb '\"${c}\"'\\n'})");
  CHECK(shape("cat <<-'E'\n\ta\n\tE") == "(cat 0<<'E'{'a\\n'})");
  CHECK(shape("cat <<E\n\\$a \\\\ \\x \"q\"\nE") == "(cat 0<<E{'$a \\\\ \\\\x \"q\"\\n'})");
  CHECK(shape("cat <<E\n$(echo a)\nE") == "(cat 0<<E{\"$( (echo a) )\"'\\n'})");
  CHECK(shape("cat <<E\nE") == "(cat 0<<E{})");
  CHECK(shape("cat 3<<E\nx\nE") == "(cat 3<<E{'x\\n'})");

  SECTION("several on one line, bodies in order, then the next command") {
    CHECK(shape("cat <<A; cat <<B\na $x\nA\nb\nB\necho done") ==
          "(cat 0<<A{'a '\"${x}\"'\\n'}); (cat 0<<B{'b\\n'}); (echo done)");
    CHECK(shape("cat <<A | cat <<B\n1\nA\n2\nB") == "(cat 0<<A{'1\\n'}) | (cat 0<<B{'2\\n'})");
    CHECK(shape("cat <<A <<B\n1\nA\n2\nB") == "(cat 0<<A{'1\\n'} 0<<B{'2\\n'})");
  }
  SECTION("inside a command substitution") {
    CHECK(shape("x=$(cat <<E\n)\nE\n)") == "(x=$( (cat 0<<E{')\\n'}) ))");
  }
  SECTION("the fields the executor reads") {
    const auto p = parse_ok("cat <<'E' <<F\nx\nE\ny\nF");
    const SimpleCommand& c = only_command(*p);
    REQUIRE(c.redirections.size() == 2);
    CHECK(c.redirections[0].heredoc_delimiter == "E");
    CHECK_FALSE(c.redirections[0].heredoc_expands);
    CHECK(c.redirections[1].heredoc_delimiter == "F");
    CHECK(c.redirections[1].heredoc_expands);
    CHECK(p->text(c.redirections[1].target.range) == "y\n");
  }
}

TEST_CASE("parser: source ranges and positions", "[shell][parser]") {
  const auto p = parse_ok("a b | c && d ; e");
  REQUIRE(p->items.size() == 2);
  const AndOr& first = p->items[0];
  CHECK(p->text(first.range) == "a b | c && d");
  CHECK(p->text(first.first.range) == "a b | c");
  CHECK(p->text(first.first.commands[1].range) == "c");
  CHECK(p->text(first.first.commands[0].words[1].range) == "b");
  CHECK(p->text(first.rest[0].pipeline.range) == "d");
  CHECK(p->text(p->items[1].range) == "e");
  const auto negated = parse_ok("! a");
  CHECK(negated->text(negated->items[0].first.range) == "! a");

  CHECK(locate("ab\ncd", 0).line == 1);
  CHECK(locate("ab\ncd", 4).line == 2);
  CHECK(locate("ab\ncd", 4).column == 2);
  CHECK(locate("é|", 2).column == 2);  // columns count characters, not bytes
}

TEST_CASE("parser: word parts carry their quoting", "[shell][parser]") {
  const auto p = parse_ok("echo a\"*\"$B\"$C\"'x'~");
  const Word& w = only_command(*p).words[1];
  // a, "*", $B, "$C", 'x', ~ (literal: not at the start of the word)
  REQUIRE(w.parts.size() == 6);
  const auto& lit = std::get<LiteralPart>(w.parts[0]);
  CHECK(lit.text == "a");
  CHECK_FALSE(lit.quoted);
  CHECK(std::get<LiteralPart>(w.parts[1]).text == "*");
  CHECK(std::get<LiteralPart>(w.parts[1]).quoted);
  CHECK(std::get<ParameterPart>(w.parts[2]).name == "B");
  CHECK_FALSE(std::get<ParameterPart>(w.parts[2]).quoted);
  CHECK(std::get<ParameterPart>(w.parts[3]).quoted);
  CHECK(std::get<LiteralPart>(w.parts[4]).text == "x");
  CHECK(std::get<LiteralPart>(w.parts[4]).quoted);
  CHECK(std::get<LiteralPart>(w.parts[5]).text == "~");
  CHECK_FALSE(std::get<LiteralPart>(w.parts[5]).quoted);
  CHECK(p->text(w.range) == "a\"*\"$B\"$C\"'x'~");
  // Adjacent literals with the same quoting merge: 'a'"b"\c is one quoted part.
  const auto merged = parse_ok("echo 'a'\"b\"\\c");
  REQUIRE(only_command(*merged).words[1].parts.size() == 1);
  CHECK(std::get<LiteralPart>(only_command(*merged).words[1].parts[0]).text == "abc");
  // A tilde at the start is a TildePart.
  const auto tilde = parse_ok("echo ~/x");
  REQUIRE(only_command(*tilde).words[1].parts.size() == 2);
  CHECK(std::holds_alternative<TildePart>(only_command(*tilde).words[1].parts[0]));
  CHECK(dump(w) == "a'*'${B}\"${C}\"'x'\\~");
}

TEST_CASE("parser: compound commands and functions", "[shell][parser]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"if a; then b; elif c; then d; else e; fi",
       "(if {(a)} then {(b)} elif {(c)} then {(d)} else {(e)})"},
      {"while a; do b; done >log", "(while {(a)} do {(b)} 1>log)"},
      {"until a\ndo b\ndone", "(until {(a)} do {(b)})"},
      {"for i in x \"y z\"; do echo $i; done", "(for i in x 'y z' do {(echo ${i})})"},
      {"for i do :; done", "(for i do {(:)})"},
      {"case $x in (a|b) echo y;; *) ;; esac", "(case ${x} (a|b) {(echo y)} (*) {})"},
      {"{ a; b; } | c", "(group {(a); (b)}) | (c)"},
      {"( cd /; ls )", "(subshell {(cd /); (ls)})"},
      {"f() { echo; } > out", "(function f (group {(echo)} 1>out))"},
      {"function g { :; }", "(function g (group {(:)}))"},
      {"echo ${x:-\"a b\"} ${#x} ${x%%*.c}", "(echo ${x:-'a b'} ${#x} ${x%%*.c})"},
      {"echo $(( (1+2)*3 ))", "(echo $((' (1+2)*3 ')))"},
  };
  for (const auto& [text, shape] : cases) {
    INFO(text);
    const ParseResult r = parse(text);
    REQUIRE(r.ok());
    CHECK(dump(*r.program) == shape);
  }
}
