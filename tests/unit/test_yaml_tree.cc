// The one-pass tree (policy/yaml_tree) against YAML::Load, the parse it replaced: on every YAML
// file the project ships or tests with and on the loader's fuzz corpus, both give the same
// kinds, marks, scalars and order wherever yaml-cpp accepts the text and the shape is allowed.
#include <yaml-cpp/yaml.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "policy/yaml_tree.h"

using stsh::policy::parse_yaml_tree;
using stsh::policy::YamlNode;

namespace {

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// "" when equal, else where they first differ.
std::string compare(const YamlNode& ours, const YAML::Node& theirs, const std::string& at) {
  if (ours.Type() != theirs.Type()) return at + ": kind differs";
  const YAML::Mark a = ours.Mark(), b = theirs.Mark();
  if (a.pos != b.pos || a.line != b.line || a.column != b.column) return at + ": mark differs";
  if (ours.Scalar() != theirs.Scalar()) return at + ": scalar differs";
  if (ours.size() != theirs.size()) return at + ": size differs";
  auto mine = ours.begin();
  size_t i = 0;
  for (auto it = theirs.begin(); it != theirs.end(); ++it, ++mine, ++i) {
    const auto item = *mine;
    const std::string here = at + "/" + std::to_string(i);
    std::string d = ours.IsMap() ? compare(item.first, it->first, here + "k") +
                                       compare(item.second, it->second, here + "v")
                                 : compare(item, *it, here);
    if (!d.empty()) return d;
  }
  return "";
}

// Whether both parses agree on `text`; counts the texts both accepted.
void check_same(const std::string& text, const std::string& name, int& compared) {
  auto ours = parse_yaml_tree(text, name);
  YAML::Node theirs;
  try {
    theirs = YAML::Load(text);
  } catch (const YAML::Exception&) {
    INFO(name);
    CHECK_FALSE(ours);  // what yaml-cpp refuses, the tree refuses too
    return;
  }
  if (!ours) return;  // refused for its shape (an alias, depth, a second document)
  INFO(name);
  CHECK(compare(ours->root(), theirs, "") == "");
  ++compared;
}

}  // namespace

TEST_CASE("the one-pass tree is YAML::Load's tree on the shipped and test files") {
  int compared = 0;
  for (const char* dir : {STSH_ETC_DIR, STSH_TEST_POLICIES, STSH_TEST_PROFILES}) {
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
      if (e.path().extension() == ".yaml") check_same(read_file(e.path()), e.path(), compared);
    }
  }
  CHECK(compared > 80);
}

TEST_CASE("the one-pass tree is YAML::Load's tree on the loader's fuzz corpus") {
  int compared = 0;
  for (const auto& e : std::filesystem::directory_iterator(STSH_FUZZ_CORPUS))
    check_same(read_file(e.path()), e.path(), compared);
  CHECK(compared > 100);
}

TEST_CASE("the one-pass tree keeps duplicate keys in order and looks up the first") {
  auto tree = parse_yaml_tree("a: 1\nb: [x, y]\na: 2\n", "t.yaml");
  REQUIRE(tree);
  const YamlNode root = tree->root();
  REQUIRE(root.size() == 3);
  CHECK(root["a"].Scalar() == "1");
  CHECK(root["b"].size() == 2);
  CHECK_FALSE(root["c"]);
  CHECK_FALSE(root["b"]["x"]);
  std::vector<std::string> keys;
  for (const auto& kv : root) keys.push_back(kv.first.Scalar());
  CHECK(keys == std::vector<std::string>{"a", "b", "a"});
}

TEST_CASE("a text without a document is a null root; a second document is refused") {
  auto empty = parse_yaml_tree("# only a comment\n", "t.yaml");
  REQUIRE(empty);
  CHECK(empty->root().IsNull());
  auto two = parse_yaml_tree("a: 1\n---\nb: 2\n---\nc: 3\n", "t.yaml");
  REQUIRE_FALSE(two);
  CHECK(two.error().message == "a policy file holds one YAML document, found 2");
}

// Full-line comments are cut before yaml-cpp sees them (policy/yaml_tree.cc); a line that looks
// like a comment but is inside a scalar keeps its text.
TEST_CASE("comment-like lines inside scalars keep their text") {
  int compared = 0;
  const std::pair<const char*, const char*> cases[] = {
      {"a: 'x\n # c\n y'\n", "x # c y"},          {"a: \"x\n  # c \\\" d\n  y\"\n", "x # c \" d y"},
      {"a: |\n  x\n  # c\n  y\n", "x\n# c\ny\n"}, {"a: >\n  x\n  # c\n", "x # c\n"},
      {"# head\na: !!str 'x\n  # c'\n", "x # c"}, {"# head\na: 'it''s\n  # c'\n", "it's # c"},
  };
  for (const auto& [text, value] : cases) {
    check_same(text, text, compared);
    auto tree = parse_yaml_tree(text, "t.yaml");
    REQUIRE(tree);
    CHECK(tree->root()["a"].Scalar() == value);
  }
  CHECK(compared == 6);
}

TEST_CASE("marks after cut comments are those of the text as it is") {
  const std::string text = "# a long comment line\nb:\n  # another one, indented\n  - 'q'\n# end";
  auto tree = parse_yaml_tree(text, "t.yaml");
  REQUIRE(tree);
  const YamlNode item = *tree->root()["b"].begin();
  CHECK(item.Mark().line == 3);
  CHECK(item.Mark().column == 4);
  CHECK(text[static_cast<size_t>(item.Mark().pos)] == '\'');
  int compared = 0;
  check_same(text, "marks", compared);
  CHECK(compared == 1);
}
