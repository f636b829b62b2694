#include <regex.h>

#include <array>
#include <cerrno>
#include <string>

#include <catch2/catch.hpp>

#include "policy/rule_parser.h"
#include "policy/suggest.h"

using namespace stsh::policy;
using stsh::SourceLocation;

namespace {

const SourceLocation kOrigin{"p.yaml", 3, 14};

ParsedRule parse_ok(std::string_view text) {
  INFO(text);
  auto r = parse_rule(text, kOrigin);
  if (!r.ok()) FAIL(r.error().to_string());
  return std::move(r).value();
}

std::string parse_error(std::string_view text) {
  INFO(text);
  auto r = parse_rule(text, kOrigin);
  if (r.ok()) FAIL("parsed: " << format_rule(*r));
  return r.error().to_string();
}

const Predicate& pred(const Expr& e) {
  REQUIRE(e.kind == Expr::Kind::Pred);
  return e.pred;
}

constexpr std::string_view kExpectedOperand =
    "expected an operand (filename, argv, sockaddr, oflags, mode, uid, gid)";

}  // namespace

TEST_CASE("parser: every operator", "[parser]") {
  const std::array<std::pair<std::string_view, Op>, 7> ops = {{{"eq", Op::eq},
                                                               {"neq", Op::neq},
                                                               {"match", Op::match},
                                                               {"sub", Op::sub},
                                                               {"nsub", Op::nsub},
                                                               {"re", Op::re},
                                                               {"inpath", Op::inpath}}};
  for (const auto& [word, op] : ops) {
    const std::string text = "filename " + std::string(word) + " \"/x\" then permit";
    const ParsedRule r = parse_ok(text);
    const Predicate& p = pred(r.expr);
    CHECK(p.op == op);
    CHECK(p.operand == Operand::filename);
    CHECK(p.value == "/x");
    CHECK(format_rule(r) == text);
  }
}

TEST_CASE("parser: every operand and index", "[parser]") {
  struct Case {
    std::string_view text;
    Operand operand;
    int index;
  };
  const Case cases[] = {
      {"filename", Operand::filename, 0},
      {"filename[0]", Operand::filename, 0},
      {"filename[1]", Operand::filename, 1},
      {"argv", Operand::argv, -1},
      {"argv[0]", Operand::argv, 0},
      {"argv[ 7 ]", Operand::argv, 7},
      {"argv[4095]", Operand::argv, 4095},
      {"sockaddr", Operand::sockaddr, -1},
      {"oflags", Operand::oflags, -1},
      {"mode", Operand::mode, -1},
      {"uid", Operand::uid, -1},
      {"gid", Operand::gid, -1},
  };
  for (const Case& c : cases) {
    const ParsedRule r = parse_ok(std::string(c.text) + " eq \"v\" then permit");
    const Predicate& p = pred(r.expr);
    CHECK(p.operand == c.operand);
    CHECK(p.index == c.index);
    CHECK(p.operand_offset == 0);
  }
  CHECK(format_expr(parse_ok("filename[0] eq \"v\" then permit").expr) == "filename eq \"v\"");
  CHECK(format_expr(parse_ok("argv[3] eq \"v\" then permit").expr) == "argv[3] eq \"v\"");
}

TEST_CASE("parser: string values are unescaped, variables kept, offsets recorded", "[parser]") {
  const ParsedRule r = parse_ok(R"(  argv[1] sub "a\"b\\c $HOME" then permit)");
  const Predicate& p = pred(r.expr);
  CHECK(p.value == "a\"b\\c $HOME");
  CHECK(p.operand_offset == 2);
  CHECK(p.value_offset == 14);
  CHECK(format_rule(r) == R"(argv[1] sub "a\"b\\c $HOME" then permit)");
}

TEST_CASE("parser: true, not and parentheses", "[parser]") {
  CHECK(parse_ok("true then permit").expr.kind == Expr::Kind::True);

  const ParsedRule n = parse_ok("not not true then permit");
  REQUIRE(n.expr.kind == Expr::Kind::Not);
  REQUIRE(n.expr.children.size() == 1);
  REQUIRE(n.expr.children[0].kind == Expr::Kind::Not);
  CHECK(n.expr.children[0].children[0].kind == Expr::Kind::True);

  const ParsedRule p = parse_ok(R"(((uid eq "0")) then permit)");
  CHECK(pred(p.expr).operand == Operand::uid);
  CHECK(pred(p.expr).value_offset == 9);

  const ParsedRule example =
      parse_ok(R"(not (filename inpath "/home" or argv[1] re "^-") then kill log)");
  REQUIRE(example.expr.kind == Expr::Kind::Not);
  const Expr& inner = example.expr.children[0];
  REQUIRE(inner.kind == Expr::Kind::Or);
  REQUIRE(inner.children.size() == 2);
  CHECK(pred(inner.children[0]).op == Op::inpath);
  CHECK(pred(inner.children[1]).op == Op::re);
  CHECK(pred(inner.children[1]).index == 1);
  CHECK(format_rule(example) ==
        R"(not (filename inpath "/home" or argv[1] re "^-") then kill log)");
}

TEST_CASE("parser: and binds tighter than or, not tighter than and", "[parser]") {
  // a or b and c == a or (b and c)
  const ParsedRule r = parse_ok(R"(uid eq "1" or gid eq "2" and mode eq "3" then permit)");
  REQUIRE(r.expr.kind == Expr::Kind::Or);
  REQUIRE(r.expr.children.size() == 2);
  CHECK(pred(r.expr.children[0]).operand == Operand::uid);
  const Expr& conj = r.expr.children[1];
  REQUIRE(conj.kind == Expr::Kind::And);
  REQUIRE(conj.children.size() == 2);
  CHECK(pred(conj.children[0]).operand == Operand::gid);
  CHECK(pred(conj.children[1]).operand == Operand::mode);

  // a and b or c == (a and b) or c
  const ParsedRule l = parse_ok(R"(uid eq "1" and gid eq "2" or mode eq "3" then permit)");
  REQUIRE(l.expr.kind == Expr::Kind::Or);
  CHECK(l.expr.children[0].kind == Expr::Kind::And);
  CHECK(pred(l.expr.children[1]).operand == Operand::mode);

  // not a and b == (not a) and b
  const ParsedRule n = parse_ok(R"(not uid eq "1" and gid eq "2" then permit)");
  REQUIRE(n.expr.kind == Expr::Kind::And);
  CHECK(n.expr.children[0].kind == Expr::Kind::Not);
  CHECK(pred(n.expr.children[1]).operand == Operand::gid);

  // Parentheses override.
  const ParsedRule p = parse_ok(R"((uid eq "1" or gid eq "2") and mode eq "3" then permit)");
  REQUIRE(p.expr.kind == Expr::Kind::And);
  CHECK(p.expr.children[0].kind == Expr::Kind::Or);
  CHECK(format_expr(p.expr) == R"((uid eq "1" or gid eq "2") and mode eq "3")");
}

TEST_CASE("parser: chains are flattened", "[parser]") {
  const ParsedRule r = parse_ok(R"(uid eq "1" or (gid eq "2" or mode eq "3") or true then permit)");
  REQUIRE(r.expr.kind == Expr::Kind::Or);
  CHECK(r.expr.children.size() == 4);
  const ParsedRule a = parse_ok(R"(true and true and (true and true) then permit)");
  REQUIRE(a.expr.kind == Expr::Kind::And);
  CHECK(a.expr.children.size() == 4);
  // A disjunction under a conjunction stays a separate node.
  const ParsedRule m = parse_ok(R"(true and (true or true) then permit)");
  REQUIRE(m.expr.kind == Expr::Kind::And);
  CHECK(m.expr.children.size() == 2);
}

TEST_CASE("parser: format_rule output parses back to itself", "[parser]") {
  for (std::string_view text : {
           R"(not (filename inpath "/home" or argv[1] re "^-") then kill log)",
           R"(not (uid eq "0" and gid eq "0") or not not true then deny[EACCES])",
           R"((true or true) and (true or not true) then permit log)",
           R"(sockaddr match "inet:*:443" and oflags sub "O_CREAT" then deny[EPERM] log)",
       }) {
    const std::string once = format_rule(parse_ok(text));
    CHECK(once == text);
    CHECK(format_rule(parse_ok(once)) == once);
  }
}

TEST_CASE("parser: actions", "[parser]") {
  struct Case {
    std::string_view action;
    Verdict verdict;
    int error;
    bool log;
  };
  const Case cases[] = {
      {"permit", Verdict::permit, 0, false},
      {"permit log", Verdict::permit, 0, true},
      {"deny", Verdict::deny, EPERM, false},
      {"deny log", Verdict::deny, EPERM, true},
      {"deny[eperm]", Verdict::deny, EPERM, false},
      {"deny[EACCES]", Verdict::deny, EACCES, false},
      {"deny[enoent] log", Verdict::deny, ENOENT, true},
      {"deny [ EAcces ] log", Verdict::deny, EACCES, true},
      {"deny[ewouldblock]", Verdict::deny, EAGAIN, false},
      {"kill", Verdict::kill, 0, false},
      {"kill log", Verdict::kill, 0, true},
  };
  for (const Case& c : cases) {
    INFO(c.action);
    const ParsedRule r = parse_ok("true then " + std::string(c.action));
    CHECK(r.action.verdict == c.verdict);
    CHECK(r.action.error == c.error);
    CHECK(r.action.log == c.log);
  }
  CHECK(format_action(parse_ok("true then deny").action) == "deny[EPERM]");
  CHECK(format_action(parse_ok("true then deny[ewouldblock] log").action) == "deny[EAGAIN] log");
  CHECK(format_action(parse_ok("true then permit").action) == "permit");
  CHECK(format_action(parse_ok("true then kill log").action) == "kill log");
}

TEST_CASE("parser: match patterns are not validated here, re patterns are", "[parser]") {
  CHECK(pred(parse_ok(R"(filename match "[" then permit)").expr).value == "[");
  CHECK(pred(parse_ok(R"(filename match "/a/**/b" then permit)").expr).op == Op::match);
  CHECK(pred(parse_ok(R"(argv re "^-(r|f)+$" then permit)").expr).op == Op::re);

  regex_t compiled;
  const int rc = regcomp(&compiled, "(", REG_EXTENDED | REG_NOSUB);
  REQUIRE(rc != 0);
  char reason[256];
  regerror(rc, &compiled, reason, sizeof reason);
  // The error points at the string's opening quote: offset 8.
  CHECK(parse_error(R"(argv re "(" then permit)") ==
        std::string("p.yaml:3:22: invalid regular expression: ") + reason);
}

TEST_CASE("parser: operand errors", "[parser]") {
  CHECK(parse_error(R"(filname eq "x" then permit)") ==
        "p.yaml:3:14: " + std::string(kExpectedOperand) +
            ", found 'filname' (did you mean 'filename'?)");
  CHECK(parse_error(R"(Filename eq "x" then permit)") ==
        "p.yaml:3:14: " + std::string(kExpectedOperand) +
            ", found 'Filename' (did you mean 'filename'?)");
  CHECK(parse_error(R"(path eq "x" then permit)") ==
        "p.yaml:3:14: " + std::string(kExpectedOperand) + ", found 'path'");
  CHECK(parse_error(R"(true and "x" then permit)") ==
        "p.yaml:3:23: " + std::string(kExpectedOperand) + ", found '\"x\"'");
  CHECK(parse_error(R"(uid eq "0" or)") ==
        "p.yaml:3:27: " + std::string(kExpectedOperand) + ", found the end of the rule");
  CHECK(parse_error(R"(not then permit)") ==
        "p.yaml:3:18: " + std::string(kExpectedOperand) + ", found 'then'");
}

TEST_CASE("parser: index errors", "[parser]") {
  CHECK(parse_error(R"(filename[2] eq "x" then permit)") ==
        "p.yaml:3:23: filename index must be 0 or 1");
  CHECK(parse_error(R"(filename[99999999999999999999999] eq "x" then permit)") ==
        "p.yaml:3:23: filename index must be 0 or 1");
  CHECK(parse_error(R"(argv[4096] eq "x" then permit)") ==
        "p.yaml:3:19: argv index must be between 0 and 4095");
  CHECK(parse_error(R"(mode[1] eq "x" then permit)") ==
        "p.yaml:3:18: operand 'mode' takes no index");
  CHECK(parse_error(R"(argv[x] eq "x" then permit)") ==
        "p.yaml:3:19: expected an index after '[', found 'x'");
  CHECK(parse_error(R"(argv[1 eq "x" then permit)") ==
        "p.yaml:3:21: expected ']' after the index, found 'eq'");
}

TEST_CASE("parser: operator errors", "[parser]") {
  CHECK(parse_error(R"(filename equals "x" then permit)") ==
        "p.yaml:3:23: unknown operator 'equals' (expected eq, neq, match, sub, nsub, re, inpath)");
  CHECK(parse_error(R"(filename inpth "x" then permit)") ==
        "p.yaml:3:23: unknown operator 'inpth' (expected eq, neq, match, sub, nsub, re, inpath)"
        " (did you mean 'inpath'?)");
  CHECK(parse_error(R"(argv[1] "x" then permit)") ==
        "p.yaml:3:22: expected an operator (eq, neq, match, sub, nsub, re, inpath) after "
        "'argv[1]', found '\"x\"'");
}

TEST_CASE("parser: string errors", "[parser]") {
  CHECK(parse_error(R"(filename eq x then permit)") ==
        "p.yaml:3:26: expected a quoted string after 'eq'");
  CHECK(parse_error(R"(filename inpath /etc/shadow then permit)") ==
        "p.yaml:3:30: expected a quoted string after 'inpath'");
  CHECK(parse_error(R"(mode eq 0644 then permit)") ==
        "p.yaml:3:22: expected a quoted string after 'eq'");
  CHECK(parse_error(R"(filename eq)") == "p.yaml:3:25: expected a quoted string after 'eq'");
  CHECK(parse_error(R"(filename eq "abc then permit)") == "p.yaml:3:26: unterminated string");
  CHECK(parse_error(R"(filename eq "a\qb" then permit)") ==
        "p.yaml:3:28: unknown escape '\\q' in string");
}

TEST_CASE("parser: then and action errors", "[parser]") {
  CHECK(parse_error(R"(filename eq "x" deny)") == "p.yaml:3:30: missing 'then' before the action");
  CHECK(parse_error(R"(filename eq "x")") == "p.yaml:3:29: missing 'then' before the action");
  CHECK(parse_error(R"(filename eq "x" xyz then permit)") ==
        "p.yaml:3:30: expected 'and', 'or' or 'then', found 'xyz'");
  CHECK(parse_error(R"(true adn true then permit)") ==
        "p.yaml:3:19: expected 'and', 'or' or 'then', found 'adn' (did you mean 'and'?)");
  CHECK(parse_error(R"(true THEN permit)") ==
        "p.yaml:3:19: expected 'and', 'or' or 'then', found 'THEN' (did you mean 'then'?)");
  CHECK(parse_error(R"(true & true then permit)") == "p.yaml:3:19: unexpected character '&'");

  CHECK(parse_error(R"(filename eq "x" then)") ==
        "p.yaml:3:34: expected an action (permit, deny, deny[ERRNO], kill) after 'then'");
  CHECK(parse_error(R"(true then permt)") ==
        "p.yaml:3:24: expected an action (permit, deny, deny[ERRNO], kill) after 'then', found "
        "'permt' (did you mean 'permit'?)");
  CHECK(parse_error(R"(true then allow)") ==
        "p.yaml:3:24: expected an action (permit, deny, deny[ERRNO], kill) after 'then', found "
        "'allow'");
  CHECK(parse_error(R"(true then PERMIT)") ==
        "p.yaml:3:24: expected an action (permit, deny, deny[ERRNO], kill) after 'then', found "
        "'PERMIT' (did you mean 'permit'?)");

  CHECK(parse_error(R"(true then deny[eprem])") ==
        "p.yaml:3:29: unknown errno 'eprem' in deny[...] (did you mean 'EPERM'?)");
  CHECK(parse_error(R"(true then deny[nope])") == "p.yaml:3:29: unknown errno 'nope' in deny[...]");
  CHECK(parse_error(R"(true then deny[13])") ==
        "p.yaml:3:29: expected an errno name such as EACCES in deny[...], found '13'");
  CHECK(parse_error(R"(true then deny[eperm)") ==
        "p.yaml:3:34: expected ']' after the errno name, found the end of the rule");

  CHECK(parse_error(R"(true then permit xyz)") == "p.yaml:3:31: unexpected 'xyz' after the action");
  CHECK(parse_error(R"(true then permit log log)") ==
        "p.yaml:3:35: unexpected 'log' after the action");
  CHECK(parse_error(R"(true then kill[eperm])") == "p.yaml:3:28: unexpected '[' after the action");
  CHECK(parse_error(R"(true then permit "x)") == "p.yaml:3:31: unterminated string");
}

TEST_CASE("parser: parenthesis and structural errors", "[parser]") {
  CHECK(parse_error(R"((true then permit)") == "p.yaml:3:14: unbalanced parenthesis");
  CHECK(parse_error(R"(not (true or (true) then permit)") == "p.yaml:3:18: unbalanced parenthesis");
  CHECK(parse_error(R"(true) then permit)") == "p.yaml:3:18: unbalanced parenthesis");
  CHECK(parse_error(R"((true xyz) then permit)") ==
        "p.yaml:3:20: expected 'and', 'or' or ')', found 'xyz'");
  CHECK(parse_error(R"(() then permit)") ==
        "p.yaml:3:15: " + std::string(kExpectedOperand) + ", found ')'");
  CHECK(parse_error("") == "p.yaml:3:14: empty rule");
  CHECK(parse_error("   ") == "p.yaml:3:14: empty rule");

  std::string deep;
  for (int i = 0; i < 1000; ++i) deep += "not (";
  deep += "true";
  CHECK(parse_error(deep).find("expression nested too deeply") != std::string::npos);
}

TEST_CASE("parser: the first error in reading order wins", "[parser]") {
  // The syntax error at 'filname' comes before the lexical one at the end.
  CHECK(parse_error(R"(filname eq "x" then deny "oops)")
            .rfind("p.yaml:3:14: expected an operand", 0) == 0);
}

TEST_CASE("parser: errors in multi-line text advance the line", "[parser]") {
  // "filename eq \"x\"\n" is 16 bytes; the bad token sits at column 15 of the next line.
  CHECK(parse_error("filename eq \"x\"\n  and argv eq y then permit") ==
        "p.yaml:4:15: expected a quoted string after 'eq'");
  CHECK(parse_error("true\n\nthen nope") ==
        "p.yaml:5:6: expected an action (permit, deny, deny[ERRNO], kill) after 'then', found "
        "'nope'");
}

TEST_CASE("locate", "[parser]") {
  const SourceLocation a = locate(kOrigin, "abc", 2);
  CHECK(a.file == "p.yaml");
  CHECK(a.line == 3);
  CHECK(a.column == 16);
  const SourceLocation b = locate(kOrigin, "a\nbc\nd", 6);
  CHECK(b.line == 5);
  CHECK(b.column == 2);
  const SourceLocation c = locate(SourceLocation{"f", 0, 0}, "a\nb", 2);
  CHECK(c.line == 0);
  CHECK(c.column == 0);
  CHECK(locate(kOrigin, "ab", 99).column == 16);  // clamped to the end of the text
}

TEST_CASE("nearest suggests plausible typos only", "[suggest]") {
  const std::array<std::string_view, 4> keys = {"read", "write", "exec", "connect"};
  CHECK(nearest("wirte", keys) == std::optional<std::string_view>("write"));
  CHECK(nearest("Read", keys) == std::optional<std::string_view>("read"));
  CHECK(nearest("conect", keys) == std::optional<std::string_view>("connect"));
  CHECK(nearest("exe", keys) == std::optional<std::string_view>("exec"));
  CHECK_FALSE(nearest("bind", keys));
  CHECK_FALSE(nearest("", keys));
  CHECK_FALSE(nearest("x", std::array<std::string_view, 1>{"re"}));
  CHECK(nearest("q", std::array<std::string_view, 1>{"eq"}) ==
        std::optional<std::string_view>("eq"));
  // Ties go to the first candidate.
  CHECK(nearest("ab", std::array<std::string_view, 2>{"ax", "xb"}) ==
        std::optional<std::string_view>("ax"));
  CHECK(edit_distance("kitten", "sitting") == 3);
  CHECK(edit_distance("", "abc") == 3);
  CHECK(edit_distance("EPERM", "eperm") == 0);
}
