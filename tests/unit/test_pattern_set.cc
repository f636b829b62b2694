#include "policy/pattern_set.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "policy/glob.h"

using stsh::policy::glob_match;
using stsh::policy::MatchKind;
using stsh::policy::PatternSet;

namespace {

constexpr std::optional<uint32_t> kNoMatch = std::nullopt;

struct Entry {
  MatchKind kind;
  std::string pattern;
  uint32_t id;
};

// The definition PatternSet must agree with, one pattern at a time.
bool matches(const Entry& e, std::string_view s) {
  switch (e.kind) {
    case MatchKind::exact:
      return s == e.pattern;
    case MatchKind::prefix: {
      std::string_view p = e.pattern;
      while (p.size() > 1 && p.back() == '/') p.remove_suffix(1);
      if (p == "/") return !s.empty() && s[0] == '/';
      return s == p || (s.size() > p.size() && s.substr(0, p.size()) == p && s[p.size()] == '/');
    }
    case MatchKind::glob:
      return glob_match(e.pattern, s, /*subtree=*/false);
    case MatchKind::glob_subtree:
      return glob_match(e.pattern, s, /*subtree=*/true);
  }
  return false;
}

std::optional<uint32_t> brute_force(const std::vector<Entry>& entries, std::string_view s) {
  std::optional<uint32_t> best;
  for (const Entry& e : entries) {
    if (matches(e, s) && (!best || e.id < *best)) best = e.id;
  }
  return best;
}

PatternSet build(const std::vector<Entry>& entries) {
  PatternSet set;
  for (const Entry& e : entries) set.add(e.kind, e.pattern, e.id);
  return set;
}

}  // namespace

TEST_CASE("PatternSet: empty set matches nothing") {
  PatternSet set;
  CHECK(set.empty());
  CHECK(set.size() == 0);
  CHECK(set.first_match("/") == kNoMatch);
  CHECK(set.first_match("") == kNoMatch);
}

TEST_CASE("PatternSet: exact patterns are literal and whole") {
  PatternSet set;
  set.add(MatchKind::exact, "/usr/bin/ls", 4);
  set.add(MatchKind::exact, "/a*", 2);
  set.add(MatchKind::exact, "ls -l /tmp/", 3);  // argv: no trailing-slash magic
  CHECK(set.size() == 3);
  CHECK(set.first_match("/usr/bin/ls") == 4u);
  CHECK(set.first_match("/usr/bin/ls/x") == kNoMatch);
  CHECK(set.first_match("/usr/bin/l") == kNoMatch);
  CHECK(set.first_match("/a*") == 2u);
  CHECK(set.first_match("/ab") == kNoMatch);
  CHECK(set.first_match("ls -l /tmp/") == 3u);
  CHECK(set.first_match("ls -l /tmp") == kNoMatch);
}

TEST_CASE("PatternSet: prefix patterns stop at component boundaries") {
  PatternSet set;
  set.add(MatchKind::prefix, "/home/a", 1);
  set.add(MatchKind::prefix, "/tmp/", 2);
  set.add(MatchKind::prefix, "/x[y]", 3);
  CHECK(set.first_match("/home/a") == 1u);
  CHECK(set.first_match("/home/a/b/c") == 1u);
  CHECK(set.first_match("/home/ab") == kNoMatch);
  CHECK(set.first_match("/home") == kNoMatch);
  CHECK(set.first_match("/tmp") == 2u);
  CHECK(set.first_match("/tmp/x") == 2u);
  CHECK(set.first_match("/x[y]/z") == 3u);
  CHECK(set.first_match("/xy") == kNoMatch);

  PatternSet root;
  root.add(MatchKind::prefix, "/", 9);
  CHECK(root.first_match("/") == 9u);
  CHECK(root.first_match("/etc/passwd") == 9u);
  CHECK(root.first_match("relative") == kNoMatch);
  CHECK(root.first_match("") == kNoMatch);
}

TEST_CASE("PatternSet: glob and glob_subtree") {
  PatternSet set;
  set.add(MatchKind::glob, "/a/*", 1);
  set.add(MatchKind::glob_subtree, "/home/*", 2);
  set.add(MatchKind::glob, "/src/**/*.c", 3);
  set.add(MatchKind::glob, "/var/**", 4);
  set.add(MatchKind::glob_subtree, "/", 5);
  CHECK(set.first_match("/a/b") == 1u);
  CHECK(set.first_match("/a/b/c") == 5u);  // only the root subtree pattern
  CHECK(set.first_match("/home/u") == 2u);
  CHECK(set.first_match("/home/u/x/y") == 2u);
  CHECK(set.first_match("/src/m.c") == 3u);
  CHECK(set.first_match("/src/x/y/m.c") == 3u);
  CHECK(set.first_match("/src/x/m.h") == 5u);
  CHECK(set.first_match("/var") == 4u);
  CHECK(set.first_match("/var/log/syslog") == 4u);
  CHECK(set.first_match("/variable") == 5u);
  CHECK(set.first_match("relative") == kNoMatch);
}

TEST_CASE("PatternSet: address patterns (not absolute)") {
  PatternSet set;
  set.add(MatchKind::glob, "inet:10.0.0.*:443", 7);
  set.add(MatchKind::glob, "@dbus-*", 8);
  CHECK(set.first_match("inet:10.0.0.5:443") == 7u);
  CHECK(set.first_match("inet:10.0.0.5:80") == kNoMatch);
  CHECK(set.first_match("@dbus-x") == 8u);
}

TEST_CASE("PatternSet: the smallest id wins whatever the insertion order") {
  std::vector<Entry> entries = {
      {MatchKind::glob, "/etc/*", 30},         {MatchKind::exact, "/etc/passwd", 20},
      {MatchKind::prefix, "/etc", 40},         {MatchKind::glob_subtree, "/e?c", 10},
      {MatchKind::glob, "/etc/pass[wx]d", 15},
  };
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.id < b.id; });
  int permutations = 0;
  do {
    const PatternSet set = build(entries);
    CHECK(set.first_match("/etc/passwd") == 10u);
    CHECK(set.first_match("/etc") == 10u);
    CHECK(set.first_match("/etc/x/y") == 10u);
    CHECK(set.first_match("/eXc/passwd") == 10u);
    CHECK(set.first_match("/ettc") == kNoMatch);
    ++permutations;
  } while (std::next_permutation(entries.begin(), entries.end(),
                                 [](const Entry& a, const Entry& b) { return a.id < b.id; }));
  CHECK(permutations == 120);

  // Without the catch-all, the others decide by id.
  PatternSet set;
  set.add(MatchKind::prefix, "/etc", 40);
  set.add(MatchKind::glob, "/etc/*", 30);
  set.add(MatchKind::exact, "/etc/passwd", 20);
  set.add(MatchKind::glob, "/etc/pass[wx]d", 15);
  CHECK(set.first_match("/etc/passwd") == 15u);
  CHECK(set.first_match("/etc/passxd") == 15u);
  CHECK(set.first_match("/etc/group") == 30u);
  CHECK(set.first_match("/etc/a/b") == 40u);
}

TEST_CASE("PatternSet: shared prefixes and duplicates") {
  PatternSet set;
  set.add(MatchKind::exact, "/usr/bin/ls", 5);
  set.add(MatchKind::glob, "/usr/bin/l*", 3);
  set.add(MatchKind::glob, "/usr/bin/l*", 1);  // same pattern again, smaller id
  set.add(MatchKind::glob, "/usr/bin/[a-l]s", 6);
  set.add(MatchKind::glob, "/usr/bin/[a-l]s", 4);  // same class content: same node
  set.add(MatchKind::glob, "/usr/bin/[!m-z]s", 2);
  set.add(MatchKind::prefix, "/usr", 7);
  CHECK(set.size() == 7);
  CHECK(set.first_match("/usr/bin/ls") == 1u);
  CHECK(set.first_match("/usr/bin/ks") == 2u);
  CHECK(set.first_match("/usr/bin/ms") == 7u);
  CHECK(set.first_match("/usr/bin/lsblk") == 1u);
  CHECK(set.first_match("/usr/lib") == 7u);
  CHECK(set.first_match("/us") == kNoMatch);
}

TEST_CASE("PatternSet: many literal patterns") {
  constexpr uint32_t kCount = 100000;
  std::vector<uint32_t> order(kCount);
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), std::mt19937(7));
  auto path = [](uint32_t n) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "/data/user%05u/file", n);
    return std::string(buf);
  };
  PatternSet set;
  // The id of user n is 2n + 10, so a catch-all glob with id 5 or 1'000'000 can be placed
  // before or after all of them.
  for (uint32_t n : order) set.add(MatchKind::exact, path(n), 2 * n + 10);
  set.add(MatchKind::glob, "/data/*/other", 1000000);
  CHECK(set.size() == kCount + 1);
  for (uint32_t n : {0u, 1u, 9999u, 12345u, 54321u, 99999u}) {
    CHECK(set.first_match(path(n)) == 2 * n + 10);
    CHECK(set.first_match(path(n) + "x") == kNoMatch);
    CHECK(set.first_match(path(n) + "/x") == kNoMatch);
  }
  CHECK(set.first_match("/data/user100000/file") == kNoMatch);
  CHECK(set.first_match("/data/user12345/other") == 1000000u);
  CHECK(set.first_match("/data/user1234/file") == kNoMatch);

  set.add(MatchKind::glob_subtree, "/data/user1*", 5);
  CHECK(set.first_match(path(12345)) == 5u);
  CHECK(set.first_match(path(23456)) == 2 * 23456 + 10);
  uint32_t hits = 0;
  for (uint32_t n = 0; n < kCount; n += 7) hits += set.first_match(path(n)).has_value();
  CHECK(hits == (kCount + 6) / 7);
}

TEST_CASE("PatternSet: random sets agree with glob_match") {
  const std::vector<std::string> pieces = {"a", "b", "/", "*", "?", "**", "[ab]", "[!a]", "\\*"};
  const std::vector<MatchKind> kinds = {MatchKind::exact, MatchKind::prefix, MatchKind::glob,
                                        MatchKind::glob_subtree};
  std::mt19937 rng(2024);
  auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
  auto random_subject = [&] {
    std::string s = pick(10) == 0 ? "" : "/";
    const size_t len = pick(9);
    for (size_t k = 0; k < len; ++k) s += "ab/ab/*"[pick(7)];
    return s;
  };
  size_t compared = 0, matched = 0;
  for (int round = 0; round < 4000; ++round) {
    std::vector<Entry> entries;
    const size_t count = 1 + pick(round % 10 == 0 ? 40 : 6);
    for (size_t k = 0; k < count; ++k) {
      const MatchKind kind = kinds[pick(kinds.size())];
      std::string pattern = pick(12) == 0 ? "" : "/";
      const size_t len = pick(7);
      for (size_t i = 0; i < len; ++i) {
        // Literal kinds take the pieces as plain text, so they see '*' and '?' as bytes.
        pattern += pieces[pick(pieces.size())];
      }
      if (kind != MatchKind::exact && kind != MatchKind::prefix && pick(3) == 0) {
        pattern = random_subject();  // literal globs, likely to match some subjects exactly
      }
      entries.push_back({kind, pattern, static_cast<uint32_t>(pick(20))});
    }
    const PatternSet set = build(entries);
    for (int s = 0; s < 25; ++s) {
      // Half the subjects are patterns' own text, to hit exact and prefix entries too.
      std::string subject = random_subject();
      if (pick(2) == 0) {
        subject = entries[pick(entries.size())].pattern;
        if (pick(2) == 0) subject += random_subject();
      }
      const auto expected = brute_force(entries, subject);
      const auto actual = set.first_match(subject);
      if (actual != expected) {
        std::string dump;
        for (const Entry& e : entries) {
          dump += std::to_string(static_cast<int>(e.kind)) + " '" + e.pattern + "' " +
                  std::to_string(e.id) + "\n";
        }
        INFO("subject '" << subject << "'\n" << dump);
        CHECK(actual == expected);
      }
      ++compared;
      matched += expected.has_value();
    }
  }
  CHECK(compared == 100000);
  CHECK(matched > 10000);  // the test must actually exercise matches
}

TEST_CASE("PatternSet: matches_below tells the directories on the way to a pattern") {
  PatternSet set;
  set.add(MatchKind::glob, "/home/alice/**", 0);
  set.add(MatchKind::glob, "/srv/*/www/**", 1);
  set.add(MatchKind::glob, "/h*", 2);
  set.add(MatchKind::prefix, "/opt/tool", 3);
  set.add(MatchKind::exact, "/etc/hosts", 4);
  CHECK(set.matches_below("/"));
  CHECK(set.matches_below("/home"));
  CHECK(set.matches_below("/home/alice"));       // ** below it
  CHECK(set.matches_below("/home/alice/deep"));  // ** spans any depth
  CHECK_FALSE(set.matches_below("/home/bob"));
  CHECK(set.matches_below("/srv"));
  CHECK(set.matches_below("/srv/site"));  // * then /www/**
  CHECK_FALSE(set.matches_below("/srv/site/tmp"));
  CHECK(set.matches_below("/opt"));
  CHECK(set.matches_below("/opt/tool"));  // inpath: everything below
  CHECK(set.matches_below("/etc"));
  CHECK_FALSE(set.matches_below("/etc/hosts"));  // an exact file has nothing below
  CHECK_FALSE(set.matches_below("/hx"));         // "/h*" stays in one component
  CHECK_FALSE(set.matches_below("/var"));
  PatternSet empty;
  CHECK_FALSE(empty.matches_below("/"));
}
