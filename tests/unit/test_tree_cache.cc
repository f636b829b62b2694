// The tree cache (policy/tree_cache.h): an entry is used only for its exact text, only when
// only its owner could have written it and its directories, and only when it reads back whole.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "policy/loader.h"
#include "policy/tree_cache.h"
#include "scratch_dir.h"

using namespace stsh::policy;

namespace {

using TempDir = stsh::testing::ScratchDir;

const std::string kText = "# a comment\ndefaults:\n  read: [/usr/**, '/etc/hosts']\n";

// The nodes reachable from `n`; fails the test past the parser's depth (a cycle).
size_t walk_size(const YamlNode& n, int depth) {
  REQUIRE(depth <= kMaxYamlDepth + 1);
  size_t total = 1;
  for (const auto& item : n) {
    total += n.IsMap() ? walk_size(item.first, depth + 1) + walk_size(item.second, depth + 1)
                       : walk_size(item, depth + 1);
  }
  return total;
}

std::string entry_path(const TempDir& dir, std::string_view text) {
  return dir.path + "/c/" + TreeCache::entry_name(text);
}

// A cache in a scratch directory holding the entry of kText.
struct StoredEntry {
  TempDir dir;
  TreeCache cache{dir.path + "/c", geteuid()};
  stsh::Result<YamlTree> tree = parse_yaml_tree(kText, "t.yaml");
  StoredEntry() {
    REQUIRE(tree);
    REQUIRE_FALSE(cache.store(kText, *tree));
  }
};

}  // namespace

TEST_CASE("a stored tree reads back as the parse of its text, marks included") {
  StoredEntry stored;
  auto back = stored.cache.find(kText);
  REQUIRE(back);
  const YamlNode read = back->root()["defaults"]["read"];
  REQUIRE(read.size() == 2);
  const YamlNode second = *(++read.begin());
  CHECK(second.Scalar() == "/etc/hosts");
  CHECK(second.Mark().line == 2);
  CHECK(second.Mark().column == 18);
  CHECK_FALSE(stored.cache.find(kText + " "));  // another text: no entry
}

TEST_CASE("an entry is used only for exactly its text") {
  StoredEntry stored;
  // The entry of kText, renamed to be the entry another text would look for.
  const std::string other = "defaults:\n  read: [/]\n";
  std::filesystem::rename(entry_path(stored.dir, kText), entry_path(stored.dir, other));
  CHECK_FALSE(stored.cache.find(other));
}

TEST_CASE("an entry others could have written, or a cut or damaged one, is not used") {
  StoredEntry stored;
  const TreeCache& cache = stored.cache;
  const TempDir& dir = stored.dir;
  auto& tree = stored.tree;
  const std::string entry = entry_path(dir, kText);
  REQUIRE(cache.find(kText));

  chmod(entry.c_str(), 0664);
  CHECK_FALSE(cache.find(kText));
  chmod(entry.c_str(), 0644);
  chmod((dir.path + "/c").c_str(), 0775);
  CHECK_FALSE(cache.find(kText));
  chmod((dir.path + "/c").c_str(), 0755);
  REQUIRE(cache.find(kText));

  std::ifstream in(entry, std::ios::binary);
  std::ostringstream whole;
  whole << in.rdbuf();
  const std::string bytes = whole.str();
  auto rewrite = [&](const std::string& b) {
    std::ofstream out(entry, std::ios::binary | std::ios::trunc);
    out << b;
  };
  for (size_t cut : {size_t{1}, size_t{4}, bytes.size() / 2}) {
    rewrite(bytes.substr(0, bytes.size() - cut));
    CHECK_FALSE(cache.find(kText));
  }
  // Every 4-byte word of the node table zeroed in turn (a child index then points at the root,
  // a cycle, or at a node another already holds): what is taken is still a tree, no deeper
  // than the parser allows and no larger than the one stored.
  const size_t stored_size = walk_size(tree->root(), 0);
  const size_t table = bytes.find(kText) + kText.size();
  for (size_t at = table; at + 4 <= bytes.size(); at += 4) {
    std::string damaged = bytes;
    damaged.replace(at, 4, std::string(4, '\0'));
    rewrite(damaged);
    if (auto t = cache.find(kText)) {
      INFO("word at " << at);
      CHECK(walk_size(t->root(), 0) <= stored_size);
    }
  }
  rewrite(bytes);
  CHECK(cache.find(kText));
}

TEST_CASE("load_document takes its tree from the cache and stores what it parsed") {
  TempDir dir;
  const TreeCache cache(dir.path + "/c", geteuid());
  CacheReport report;
  const Variables vars;
  auto first = load_document(kText, "t.yaml", vars, CacheUse{&cache, true, &report});
  REQUIRE(first);
  CHECK(report.stored == 1);
  CHECK(report.from_cache == 0);
  // The entry now holds another text's tree under kText's name and text: a load that comes
  // from the cache shows it by what it loaded.
  auto other = parse_yaml_tree("defaults:\n  write: [/tmp/**]\n", "o.yaml");
  REQUIRE(other);
  REQUIRE_FALSE(cache.store(kText, *other));
  auto second = load_document(kText, "t.yaml", vars, CacheUse{&cache, true, &report});
  REQUIRE(second);
  CHECK(report.from_cache == 1);
  REQUIRE(second->defaults);
  REQUIRE(second->defaults->write);
  CHECK(second->defaults->write->size() == 1);
  CHECK_FALSE(second->defaults->read);
}

TEST_CASE("nothing is stored in a directory others can write to") {
  TempDir dir;
  REQUIRE(mkdir((dir.path + "/c").c_str(), 0777) == 0);
  chmod((dir.path + "/c").c_str(), 0777);
  const TreeCache cache(dir.path + "/c", geteuid());
  auto tree = parse_yaml_tree(kText, "t.yaml");
  REQUIRE(tree);
  auto problem = cache.store(kText, *tree);
  REQUIRE(problem);
  CHECK(problem->find("is not root's alone") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(entry_path(dir, kText)));
}
