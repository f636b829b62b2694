#include "policy/glob.h"

#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

using stsh::policy::glob_match;
using stsh::policy::validate_glob;

namespace {

bool whole(std::string_view pattern, std::string_view subject) {
  return glob_match(pattern, subject, /*subtree=*/false);
}
bool subtree(std::string_view pattern, std::string_view subject) {
  return glob_match(pattern, subject, /*subtree=*/true);
}

// The error validate_glob reports, as "offset: message", or "ok".
std::string check(std::string_view pattern, bool require_absolute = true) {
  auto err = validate_glob(pattern, require_absolute);
  return err ? std::to_string(err->offset) + ": " + err->message : "ok";
}

}  // namespace

TEST_CASE("glob: literals match whole subjects only") {
  CHECK(whole("/etc/passwd", "/etc/passwd"));
  CHECK_FALSE(whole("/etc/passwd", "/etc/passwd2"));
  CHECK_FALSE(whole("/etc/passwd", "/etc/passw"));
  CHECK_FALSE(whole("/etc/passwd", "/etc/passwd/x"));
  CHECK(whole("/", "/"));
  CHECK_FALSE(whole("/", "/x"));
}

TEST_CASE("glob: star does not cross '/' (FNM_PATHNAME)") {
  CHECK(whole("/a/*", "/a/b"));
  CHECK(whole("/a/*", "/a/"));
  CHECK_FALSE(whole("/a/*", "/a/b/c"));
  CHECK(whole("/a/*.txt", "/a/x.txt"));
  CHECK(whole("/a/*.txt", "/a/.txt"));  // no special meaning for leading dots
  CHECK_FALSE(whole("/a/*.txt", "/a/b/x.txt"));
  CHECK(whole("/*/*/c", "/a/b/c"));
  CHECK_FALSE(whole("/*/c", "/a/b/c"));
  CHECK(whole("/a*b*c", "/abbbc"));
  CHECK(whole("/a***", "/abc"));  // a run of stars is one star
  CHECK_FALSE(whole("/a***", "/a/b"));
}

TEST_CASE("glob: question mark is one byte but '/'") {
  CHECK(whole("/a/?", "/a/b"));
  CHECK_FALSE(whole("/a/?", "/a/"));
  CHECK_FALSE(whole("/a/?", "/a/bc"));
  CHECK_FALSE(whole("/a?b", "/a/b"));
  CHECK(whole("/??", "/ab"));
}

TEST_CASE("glob: character classes, ranges and negation") {
  CHECK(whole("/[abc]", "/b"));
  CHECK_FALSE(whole("/[abc]", "/d"));
  CHECK(whole("/x[a-c]y", "/xby"));
  CHECK_FALSE(whole("/x[a-c]y", "/xdy"));
  CHECK(whole("/[!a]", "/b"));
  CHECK_FALSE(whole("/[!a]", "/a"));
  CHECK(whole("/[^a]", "/b"));
  CHECK_FALSE(whole("/[^a]", "/a"));
  CHECK_FALSE(whole("/x[!a]y", "/x/y"));  // classes never match '/'
  CHECK_FALSE(whole("/x[/]y", "/x/y"));
  CHECK(whole("/[-a]", "/-"));  // '-' first or last is literal
  CHECK(whole("/[a-]", "/-"));
  CHECK(whole("/[\\]]", "/]"));  // ']' as a member must be escaped
  CHECK(whole("/[a\\-c]", "/-"));
  CHECK_FALSE(whole("/[a\\-c]", "/b"));
  CHECK(whole("/[0-9a-f][0-9a-f]", "/7e"));
  CHECK(whole("/[[]", "/["));
}

TEST_CASE("glob: escapes make bytes literal") {
  CHECK(whole("/a\\*", "/a*"));
  CHECK_FALSE(whole("/a\\*", "/ab"));
  CHECK(whole("/\\[x]", "/[x]"));
  CHECK(whole("/a\\?", "/a?"));
  CHECK_FALSE(whole("/a\\?", "/ab"));
  CHECK(whole("/\\a\\\\", "/a\\"));
  CHECK(whole("/a/\\*\\*", "/a/**"));  // escaped stars are never a `**` component
  CHECK_FALSE(whole("/a/\\*\\*", "/a/b"));
}

TEST_CASE("glob: ** in the middle matches zero or more components") {
  CHECK(whole("/a/**/b", "/a/b"));
  CHECK(whole("/a/**/b", "/a/x/b"));
  CHECK(whole("/a/**/b", "/a/x/y/b"));
  CHECK_FALSE(whole("/a/**/b", "/a/xb"));
  CHECK_FALSE(whole("/a/**/b", "/ab"));
  CHECK_FALSE(whole("/a/**/b", "/a/x/bc"));
  CHECK_FALSE(whole("/a/**/b", "/a/x/b/c"));
  CHECK(whole("/**/b", "/b"));
  CHECK(whole("/**/b", "/x/y/b"));
  CHECK(whole("/a/**/**/b", "/a/b"));
  CHECK(whole("/a/**/**/b", "/a/x/y/z/b"));
  CHECK(whole("/a/**/*.c", "/a/x/y/m.c"));
  CHECK(whole("/a/**/*.c", "/a/m.c"));
}

TEST_CASE("glob: ** at the end matches the directory and everything below") {
  CHECK(whole("/a/**", "/a"));
  CHECK(whole("/a/**", "/a/"));
  CHECK(whole("/a/**", "/a/x"));
  CHECK(whole("/a/**", "/a/x/y"));
  CHECK_FALSE(whole("/a/**", "/ab"));
  CHECK(whole("/**", "/"));
  CHECK(whole("/**", "/anything/at/all"));
}

TEST_CASE("glob: ** that is not a whole component is a star") {
  CHECK(whole("/a/**b", "/a/xb"));
  CHECK_FALSE(whole("/a/**b", "/a/x/b"));
  CHECK(whole("/a**/b", "/ax/b"));
  CHECK_FALSE(whole("/a**/b", "/a/x/b"));
  CHECK(whole("/a/***/b", "/a/x/b"));  // three stars: not `**`
  CHECK_FALSE(whole("/a/***/b", "/a/x/y/b"));
}

TEST_CASE("glob: a trailing slash in the pattern is ignored") {
  CHECK(whole("/tmp/", "/tmp"));
  CHECK(whole("/tmp//", "/tmp"));
  CHECK(whole("/a/**/", "/a/x/y"));
  CHECK(whole("/a/*/", "/a/b"));
}

TEST_CASE("glob: subtree (FNM_LEADING_DIR) matching") {
  CHECK(subtree("/home/*", "/home/a"));
  CHECK(subtree("/home/*", "/home/a/b"));
  CHECK(subtree("/home/*", "/home/a/b/c"));
  CHECK_FALSE(subtree("/home/*", "/homex/a"));
  CHECK(subtree("/home/a", "/home/a"));
  CHECK(subtree("/home/a", "/home/a/x"));
  CHECK_FALSE(subtree("/home/a", "/home/ab"));
  CHECK_FALSE(subtree("/home/a", "/home"));
  CHECK_FALSE(whole("/home/a", "/home/a/x"));
  CHECK(subtree("/", "/"));
  CHECK(subtree("/", "/etc/passwd"));
  CHECK_FALSE(subtree("/", "relative"));
  CHECK_FALSE(subtree("/", ""));
  CHECK(subtree("/a/**/b", "/a/x/b/c"));
  CHECK_FALSE(subtree("/a/**/b", "/a/x/bc"));
}

TEST_CASE("glob: non-path subjects and patterns") {
  CHECK(whole("inet:*:443", "inet:1.2.3.4:443"));
  CHECK_FALSE(whole("inet:*:443", "inet:1.2.3.4:4430"));
  CHECK(whole("/run/*.sock", "/run/x.sock"));
  CHECK(whole("@dbus-*", "@dbus-1234"));
  CHECK(whole("", ""));
  CHECK_FALSE(whole("", "x"));
  CHECK(whole("**", "abc"));  // not a component: a star
  CHECK_FALSE(whole("**", "a/b"));
  CHECK_FALSE(whole("/a[", "/a["));  // invalid patterns match nothing
  CHECK_FALSE(subtree("/a\\", "/a"));
  CHECK(whole("/a", std::string("/a")));
  CHECK_FALSE(whole("/a", std::string("/a\0", 3)));
}

TEST_CASE("glob: matching is not exponential") {
  const std::string subject = "/" + std::string(20000, 'a');
  CHECK_FALSE(whole("/*a*a*a*a*a*a*a*a*a*a*a*a*b", subject));
  CHECK(whole("/*a*a*a*a*a*a*a*a*a*a*a*a*", subject));
  std::string deep;
  for (int i = 0; i < 2000; ++i) deep += "/a";
  CHECK_FALSE(whole("/**/a/**/a/**/a/**/a/**/a/**/b", deep));
  CHECK(subtree("/**/a/**/a/**/a/**/a/**/a/**/a", deep));
}

TEST_CASE("validate_glob: accepts good patterns") {
  CHECK(check("/") == "ok");
  CHECK(check("/a/**/b/*.[ch]") == "ok");
  CHECK(check("/[!a-z]x") == "ok");
  CHECK(check("/\\[") == "ok");
  CHECK(check("/a]") == "ok");  // a lone ']' is literal
  CHECK(check("/[a-a]") == "ok");
  CHECK(check("inet:*:443", /*require_absolute=*/false) == "ok");
  CHECK(check("", /*require_absolute=*/false) == "ok");
}

TEST_CASE("validate_glob: errors point at the offending byte") {
  CHECK(check("a/b") == "0: pattern must be an absolute path");
  CHECK(check("") == "0: pattern must be an absolute path");
  CHECK(check("\\/a") == "0: pattern must be an absolute path");
  CHECK(check("/a/[bc") == "3: unterminated character class '['");
  CHECK(check("/a/[!") == "3: unterminated character class '['");
  CHECK(check("/x[]") == "2: empty character class '[]'");
  CHECK(check("/x[!]") == "2: empty character class '[]'");
  CHECK(check("/x[]a]") == "2: empty character class '[]'");
  CHECK(check("/ab\\") == "3: trailing backslash");
  CHECK(check("/[a\\") == "3: trailing backslash");
  CHECK(check(std::string_view("/a\0b", 4)) == "2: NUL byte in pattern");
  CHECK(check("/x[z-a]") == "3: invalid range 'z-a'");
  CHECK(check("/x[ab9-0]") == "5: invalid range '9-0'");
  CHECK(check("/x[\\z-a]") == "3: invalid range 'z-a'");
  CHECK(check("x[", /*require_absolute=*/false) == "1: unterminated character class '['");
}

// Differential test against a naive backtracking matcher written straight from the documented
// semantics (exponential in general, fine for these tiny inputs).
namespace {

struct Oracle {
  std::vector<std::string> p;  // pieces, trailing '/' pieces removed
  std::string_view s;

  bool component(size_t k) const {
    return p[k] == "**" && k > 0 && p[k - 1] == "/" && (k + 1 == p.size() || p[k + 1] == "/");
  }

  // Pieces [k, ...) against s[i, end).
  bool match(size_t k, size_t i, size_t end) const {
    if (k == p.size()) return i == end;
    const std::string& piece = p[k];
    if (piece == "/" && k + 1 < p.size() && component(k + 1)) {
      // "/**": nothing, or '/' and then anything at all.
      if (match(k + 2, i, end)) return true;
      if (i == end || s[i] != '/') return false;
      for (size_t j = i + 1; j <= end; ++j) {
        if (match(k + 2, j, end)) return true;
      }
      return false;
    }
    if (piece == "*" || piece == "**") {
      for (size_t j = i;; ++j) {
        if (match(k + 1, j, end)) return true;
        if (j == end || s[j] == '/') return false;
      }
    }
    if (i == end || (piece != "/" && s[i] == '/')) return false;
    const char c = s[i];
    const bool one = piece == "?" || (piece == "[ab]" && (c == 'a' || c == 'b')) ||
                     (piece == "[!a]" && c != 'a') || (piece.size() == 1 && piece[0] == c);
    return one && match(k + 1, i + 1, end);
  }
};

bool naive_match(std::vector<std::string> pieces, std::string_view s, bool subtree) {
  while (pieces.size() > 1 && pieces.back() == "/") pieces.pop_back();
  if (subtree && pieces.size() == 1 && pieces[0] == "/") return !s.empty() && s[0] == '/';
  const Oracle o{pieces, s};
  for (size_t end = 0; end <= s.size(); ++end) {
    const bool boundary = end == s.size() || (subtree && s[end] == '/');
    if (boundary && o.match(0, 0, end)) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("glob: random patterns agree with a naive matcher") {
  const std::vector<std::string> alphabet = {"a", "b", "/", "*", "?", "**", "[ab]", "[!a]"};
  std::mt19937 rng(12345);
  auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
  int checked = 0, matched = 0;
  for (int round = 0; round < 5000; ++round) {
    std::vector<std::string> pieces = {"/"};
    const size_t len = pick(7);
    for (size_t k = 0; k < len; ++k) {
      std::string piece = alphabet[pick(alphabet.size())];
      // Keep star runs apart so the oracle sees the runs the parser sees.
      const bool star = piece == "*" || piece == "**";
      const bool prev_star = pieces.back() == "*" || pieces.back() == "**";
      if (star && prev_star) continue;
      pieces.push_back(piece);
    }
    std::string pattern;
    for (const auto& s : pieces) pattern += s;
    const bool sub = pick(2) == 1;
    for (int s = 0; s < 10; ++s) {
      std::string subject = pick(8) == 0 ? "" : "/";
      const size_t slen = pick(8);
      for (size_t k = 0; k < slen; ++k) subject += "ab/"[pick(3)];
      const bool expected = naive_match(pieces, subject, sub);
      INFO("pattern " << pattern << " subject " << subject << " subtree " << sub);
      CHECK(glob_match(pattern, subject, sub) == expected);
      ++checked;
      matched += expected;
    }
  }
  CHECK(checked == 50000);
  CHECK(matched > 5000);
}

TEST_CASE("named character classes are refused rather than misread") {
  auto err = validate_glob("/home/[[:alpha:]]*");
  REQUIRE(err);
  CHECK(err->offset == 7);
  CHECK(err->message ==
        "character class names like [:alpha:] are not supported; list the characters");
  CHECK_FALSE(validate_glob("/x/[[]"));  // a literal '[' member is still fine
}
