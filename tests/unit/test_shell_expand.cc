#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "shell/ast_dump.h"
#include "shell/expand.h"
#include "shell/parser.h"

using namespace stsh::shell;

namespace {

using Strings = std::vector<std::string>;

// The executor's side, in memory: variables, a status, a home, canned command outputs keyed by
// the substituted program's dump(), and a directory tree.
class FakeContext : public ExpansionContext {
 public:
  std::map<std::string, std::string, std::less<>> vars;
  int status = 0;
  std::string home_dir = "/home/alice";
  std::map<std::string, std::string> outputs;
  std::map<std::string, std::vector<std::string>> dirs;
  Strings substituted;  // programs run, in order

  std::optional<std::string> variable(std::string_view name) override {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  }
  int last_status() override { return status; }
  std::string home() override { return home_dir; }
  stsh::Result<std::string> command_substitution(const Program& program) override {
    const std::string key = dump(program);
    substituted.push_back(key);
    auto it = outputs.find(key);
    if (it == outputs.end()) return stsh::make_error("not permitted: " + key);
    return it->second;
  }
  std::optional<std::vector<std::string>> list_directory(const std::string& dir) override {
    auto it = dirs.find(dir);
    if (it == dirs.end()) return std::nullopt;
    return it->second;
  }
};

FakeContext sample() {
  FakeContext c;
  c.vars = {{"A", "one"},      {"SPACED", "  a  b\tc\n"},
            {"EMPTY", ""},     {"BLANKS", " \t "},
            {"GLOB", "*.c"},   {"$", "4242"},
            {"0", "stsh"},     {"#", "0"},
            {"QUOTE", "'x y'"}};
  c.status = 3;
  c.outputs = {{"(date)", "Mon Jan  1\n\n"}, {"(ls)", "a b\nc\n"}, {"(echo)", "\n"}};
  c.dirs["."] = {"a.c", "b.c", "notes.txt", ".hidden.c", "src"};
  c.dirs["src"] = {"x.c"};
  c.dirs["/home/alice"] = {"x.c", "y.txt"};
  return c;
}

std::shared_ptr<const Program> parse_ok(std::string_view text) {
  ParseResult r = parse(std::string(text));
  INFO(text << ": " << r.message());
  REQUIRE(r.ok());
  return r.program;
}

const SimpleCommand& command_of(const Program& p) {
  return p.items.at(0).first.commands.at(0);
}

// The argv `text` expands to.
Strings argv(FakeContext& c, std::string_view text) {
  const auto p = parse_ok(text);
  auto r = expand_words(command_of(*p).words, c);
  INFO(text);
  REQUIRE(r.ok());
  return *r;
}

Strings argv(std::string_view text) {
  FakeContext c = sample();
  return argv(c, text);
}

// The single-string expansion of the first assignment's value in `text`.
std::string assigned(std::string_view text) {
  FakeContext c = sample();
  const auto p = parse_ok(text);
  auto r = expand_word_single(command_of(*p).assignments.at(0).value, c);
  REQUIRE(r.ok());
  return *r;
}

}  // namespace

TEST_CASE("expand: literals and quote removal", "[shell][expand]") {
  CHECK(argv("echo a 'b c' \"d e\" f\\ g") == Strings{"echo", "a", "b c", "d e", "f g"});
  CHECK(argv("echo '' \"\" a''b") == Strings{"echo", "", "", "ab"});
  CHECK(argv("echo 'a\nb'") == Strings{"echo", "a\nb"});
}

TEST_CASE("expand: parameters and special parameters", "[shell][expand]") {
  CHECK(argv("echo $A ${A}x \"$A\"") == Strings{"echo", "one", "onex", "one"});
  CHECK(argv("echo $? $$ $0 $#") == Strings{"echo", "3", "4242", "stsh", "0"});
  CHECK(argv("echo \"$?\"x") == Strings{"echo", "3x"});
  CHECK(argv("echo $QUOTE") == Strings{"echo", "'x", "y'"});  // no re-parsing of quotes
}

TEST_CASE("expand: empty expansions disappear unless quoted", "[shell][expand]") {
  CHECK(argv("echo $EMPTY $UNSET x") == Strings{"echo", "x"});
  CHECK(argv("echo \"$EMPTY\" \"$UNSET\" x") == Strings{"echo", "", "", "x"});
  CHECK(argv("echo a$EMPTY ''$EMPTY") == Strings{"echo", "a", ""});
  CHECK(argv("echo $BLANKS") == Strings{"echo"});
  CHECK(argv("$EMPTY") == Strings{});
  CHECK(argv("$EMPTY echo") == Strings{"echo"});
}

TEST_CASE("expand: field splitting of unquoted results only", "[shell][expand]") {
  CHECK(argv("echo $SPACED") == Strings{"echo", "a", "b", "c"});
  CHECK(argv("echo \"$SPACED\"") == Strings{"echo", "  a  b\tc\n"});
  CHECK(argv("echo x${SPACED}y") == Strings{"echo", "x", "a", "b", "c", "y"});
  CHECK(argv("echo \"x\"$SPACED\"y\"") == Strings{"echo", "x", "a", "b", "c", "y"});
  CHECK(argv("echo $A$SPACED") == Strings{"echo", "one", "a", "b", "c"});
  CHECK(argv("echo 'a  b'") == Strings{"echo", "a  b"});  // literal text never splits
}

TEST_CASE("expand: tilde", "[shell][expand]") {
  CHECK(argv("echo ~ ~/x \"~\" \\~ ~bob a~") ==
        Strings{"echo", "/home/alice", "/home/alice/x", "~", "~", "~bob", "a~"});
  FakeContext c = sample();
  c.home_dir = "/home/a b*";
  CHECK(argv(c, "echo ~/x") == Strings{"echo", "/home/a b*/x"});  // not split, not globbed
  CHECK(assigned("P=~/bin:~/x:a~ cmd") == "/home/alice/bin:/home/alice/x:a~");
}

TEST_CASE("expand: command substitution", "[shell][expand]") {
  CHECK(argv("echo $(date)") == Strings{"echo", "Mon", "Jan", "1"});
  CHECK(argv("echo \"$(date)\"") == Strings{"echo", "Mon Jan  1"});  // trailing newlines gone
  CHECK(argv("echo \"$(ls)\"") == Strings{"echo", "a b\nc"});
  CHECK(argv("echo $(ls)") == Strings{"echo", "a", "b", "c"});
  CHECK(argv("echo x$(echo)y") == Strings{"echo", "xy"});
  CHECK(argv("echo `date`") == Strings{"echo", "Mon", "Jan", "1"});

  SECTION("the executor sees the sub-program, and its error stops the expansion") {
    FakeContext c = sample();
    const auto p = parse_ok("echo $(bash -i) after");
    auto r = expand_words(command_of(*p).words, c);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message == "not permitted: (bash -i)");
    CHECK(c.substituted == Strings{"(bash -i)"});
  }
}

TEST_CASE("expand: pathname expansion", "[shell][expand]") {
  CHECK(argv("echo *.c") == Strings{"echo", "a.c", "b.c"});
  CHECK(argv("echo \"*.c\" '*.c' \\*.c") == Strings{"echo", "*.c", "*.c", "*.c"});
  CHECK(argv("echo *.zzz") == Strings{"echo", "*.zzz"});  // no match: kept as written
  CHECK(argv("echo .*") == Strings{"echo", ".hidden.c"});
  CHECK(argv("echo *") == Strings{"echo", "a.c", "b.c", "notes.txt", "src"});
  CHECK(argv("echo src/*.c ~/*.c") == Strings{"echo", "src/x.c", "/home/alice/x.c"});
  CHECK(argv("echo \"s\"rc/*") == Strings{"echo", "src/x.c"});  // quoted text still matches
  CHECK(argv("echo \"*\"*") == Strings{"echo", "**"});          // a quoted star matches only '*'
  CHECK(argv("echo [ab].c [!a].c") == Strings{"echo", "a.c", "b.c", "b.c"});

  SECTION("results of unquoted expansions are globbed, quoted ones are not") {
    CHECK(argv("echo $GLOB") == Strings{"echo", "a.c", "b.c"});
    CHECK(argv("echo \"$GLOB\"") == Strings{"echo", "*.c"});
  }
  SECTION("a directory the executor will not list is no match") {
    FakeContext c = sample();
    c.dirs.erase("src");
    CHECK(argv(c, "echo src/*") == Strings{"echo", "src/*"});
  }
}

TEST_CASE("expand: single-string expansion splits and globs nothing", "[shell][expand]") {
  CHECK(assigned("X=$SPACED") == "  a  b\tc\n");
  CHECK(assigned("X=*.c") == "*.c");
  CHECK(assigned("X=$(ls)") == "a b\nc");
  CHECK(assigned("X=\"$A\"'$A'$EMPTY") == "one$A");
  CHECK(assigned("X=") == "");

  FakeContext c = sample();
  const auto p = parse_ok("cmd > *.c 2> $SPACED <<E\n$A is ${A} in $(ls) \\$A\nE");
  const SimpleCommand& cmd = command_of(*p);
  REQUIRE(cmd.redirections.size() == 3);
  CHECK(*expand_word_single(cmd.redirections[0].target, c) == "*.c");
  CHECK(*expand_word_single(cmd.redirections[1].target, c) == "  a  b\tc\n");
  CHECK(*expand_word_single(cmd.redirections[2].target, c) == "one is one in a b\nc $A\n");

  const auto literal = parse_ok("cat <<'E'\n$A $(ls)\nE");
  CHECK(*expand_word_single(command_of(*literal).redirections[0].target, c) == "$A $(ls)\n");
}
