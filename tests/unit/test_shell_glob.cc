#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "shell/glob.h"

using namespace stsh::shell;

namespace {

// Every byte active: the pattern as if typed unquoted.
GlobPattern unquoted(std::string_view text) {
  return GlobPattern{std::string(text), std::vector<bool>(text.size(), true)};
}

// An in-memory directory tree, keyed by the exact directory string glob() asks for.
struct FakeTree {
  std::map<std::string, std::vector<std::string>> dirs;
  std::vector<std::string> denied;
  std::vector<std::string> listed;  // every call, in order

  ListDirectory lister() {
    return [this](const std::string& dir) -> std::optional<std::vector<std::string>> {
      listed.push_back(dir);
      for (const std::string& d : denied) {
        if (d == dir) return std::nullopt;
      }
      auto it = dirs.find(dir);
      if (it == dirs.end()) return std::nullopt;
      return it->second;
    };
  }
};

FakeTree sample_tree() {
  FakeTree t;
  t.dirs["."] = {"b.c", "a.c", "x.h", ".hidden.c", ".", "..", "src", "docs", "B.c", "1.c", "]"};
  t.dirs["src"] = {"main.c", "util.c", "util.h", "Makefile", "sub"};
  t.dirs["src/sub"] = {"deep.c"};
  t.dirs["docs"] = {"index.md", "Makefile"};
  t.dirs["/"] = {"etc", "usr"};
  t.dirs["/etc"] = {"passwd", "passwd-", "shadow", "hosts"};
  return t;
}

std::vector<std::string> glob_of(FakeTree& t, std::string_view pattern) {
  return glob(unquoted(pattern), t.lister());
}

using Strings = std::vector<std::string>;

}  // namespace

TEST_CASE("glob: one component matching", "[shell][glob]") {
  auto m = [](std::string_view p, std::string_view name) {
    return match_component(unquoted(p), name);
  };
  CHECK(m("*", "abc"));
  CHECK(m("*", ""));
  CHECK(m("a*", "a"));
  CHECK(m("*a*b*c", "xxaYYbZZc"));
  CHECK_FALSE(m("*a*b*c", "xxaYYbZZcd"));
  CHECK(m("?.c", "a.c"));
  CHECK_FALSE(m("?.c", "ab.c"));
  CHECK(m("[ab].c", "b.c"));
  CHECK_FALSE(m("[ab].c", "c.c"));
  CHECK(m("[!ab].c", "c.c"));
  CHECK(m("[^ab].c", "c.c"));
  CHECK_FALSE(m("[!ab].c", "a.c"));
  CHECK(m("[a-c]x", "bx"));
  CHECK_FALSE(m("[a-c]x", "dx"));
  CHECK(m("[]]", "]"));
  CHECK(m("[!]]", "a"));
  CHECK_FALSE(m("[!]]", "]"));
  CHECK(m("[a-]", "-"));
  CHECK(m("[[:digit:]]*", "1abc"));
  CHECK_FALSE(m("[[:digit:]]*", "abc"));
  CHECK(m("[[:upper:][:digit:]]", "Q"));
  CHECK(m("[a", "[a"));  // no closing ']': a literal '['
  CHECK_FALSE(m("[a", "a"));
  CHECK(m("é*", "été"));

  SECTION("a leading dot must be matched by a literal dot") {
    CHECK_FALSE(m("*", ".profile"));
    CHECK_FALSE(m("?profile", ".profile"));
    CHECK_FALSE(m("[.]profile", ".profile"));
    CHECK(m(".*", ".profile"));
    CHECK(m(".p*", ".profile"));
    CHECK(m("a*", "a.b"));
  }
  SECTION("inactive (quoted) characters match only themselves") {
    GlobPattern p{"a*[b]?", {true, false, false, false, false, false}};
    CHECK(match_component(p, "a*[b]?"));
    CHECK_FALSE(match_component(p, "ax[b]?"));
    CHECK_FALSE(has_glob(p));
    GlobPattern q{"*.c", {false, true, true}};
    CHECK_FALSE(has_glob(q));
    GlobPattern r{"x*", {false, true}};
    CHECK(has_glob(r));
    CHECK(match_component(r, "xyz"));
    CHECK_FALSE(match_component(r, "yz"));
  }
  SECTION("matching stays linear-ish on pathological patterns") {
    const std::string name(5000, 'a');
    CHECK_FALSE(m("*a*a*a*a*a*a*a*a*a*a*b", name));
  }
}

TEST_CASE("glob: has_glob", "[shell][glob]") {
  CHECK(has_glob(unquoted("*.c")));
  CHECK(has_glob(unquoted("a?")));
  CHECK(has_glob(unquoted("[ab]")));
  CHECK(has_glob(unquoted("src/*/x")));
  CHECK_FALSE(has_glob(unquoted("abc")));
  CHECK_FALSE(has_glob(unquoted("[abc")));
  CHECK_FALSE(has_glob(unquoted("a]")));
  CHECK_FALSE(has_glob(unquoted("")));
}

TEST_CASE("glob: walking the tree through the lister", "[shell][glob]") {
  FakeTree t = sample_tree();
  CHECK(glob_of(t, "*.c") == Strings{"1.c", "B.c", "a.c", "b.c"});  // sorted bytewise
  CHECK(glob_of(t, "[ab].c") == Strings{"a.c", "b.c"});
  CHECK(glob_of(t, ".*") == Strings{".hidden.c"});  // never "." or ".."
  CHECK(glob_of(t, "*.zzz").empty());
  CHECK(glob_of(t, "]").empty());  // no glob character: nothing to expand
  CHECK(glob_of(t, "*/Makefile") == Strings{"docs/Makefile", "src/Makefile"});
  CHECK(glob_of(t, "*/") == Strings{"docs/", "src/"});
  CHECK(glob_of(t, "src/*.c") == Strings{"src/main.c", "src/util.c"});
  CHECK(glob_of(t, "src/*/*.c") == Strings{"src/sub/deep.c"});
  CHECK(glob_of(t, "/etc/pass*") == Strings{"/etc/passwd", "/etc/passwd-"});
  CHECK(glob_of(t, "/*/hosts") == Strings{"/etc/hosts"});
  CHECK(glob_of(t, "/e?c") == Strings{"/etc"});
  CHECK(glob_of(t, "nowhere/*").empty());
}

TEST_CASE("glob: the lister decides what is listed", "[shell][glob]") {
  FakeTree t = sample_tree();
  SECTION("a literal prefix is not listed, only the directory holding the pattern") {
    CHECK(glob_of(t, "src/*.h") == Strings{"src/util.h"});
    CHECK(t.listed == Strings{"src"});
  }
  SECTION("absolute patterns list from the root they name") {
    CHECK(glob_of(t, "/etc/h*") == Strings{"/etc/hosts"});
    CHECK(t.listed == Strings{"/etc"});
  }
  SECTION("a denied directory is no match, and nothing beneath it is asked for") {
    t.denied = {"src"};
    CHECK(glob_of(t, "src/*.c").empty());
    CHECK(glob_of(t, "*/Makefile") == Strings{"docs/Makefile"});
    CHECK(std::count(t.listed.begin(), t.listed.end(), "src/sub") == 0);
  }
  SECTION("each directory is listed once per pattern") {
    CHECK(glob_of(t, "*/*").size() == 7);
    CHECK(std::count(t.listed.begin(), t.listed.end(), ".") == 1);
    CHECK(std::count(t.listed.begin(), t.listed.end(), "src") == 1);
  }
}
