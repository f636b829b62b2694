// The YAML of a policy or scenario file, parsed once: yaml-cpp's parser feeds our own tree,
// and the same pass checks the file's shape — one document, no aliases (an alias of an alias of
// a list is the "billion laughs" blow-up, and include: is the policy language's way to share),
// bounded nesting. Parsing twice (a shape pass, then YAML::Load) was a fifth of a session's
// start-up (docs/ARCHITECTURE.md, "Start-up").
//
// Node is a cheap handle into a Tree, with the part of YAML::Node's interface the loaders use:
// the same kinds, marks, scalars, iteration (a map's items have .first and .second, in file order
// and with duplicates kept, so that the loaders can report them) and lookup by key.
#pragma once

#include <yaml-cpp/mark.h>
#include <yaml-cpp/node/type.h>

#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "policy/result.h"

namespace stsh::policy {

constexpr int kMaxYamlDepth = 32;

struct YamlNodeData {
  YAML::NodeType::value type = YAML::NodeType::Undefined;
  YAML::Mark mark = YAML::Mark::null_mark();
  std::string scalar;
  std::vector<const YamlNodeData*> items;                                  // a list
  std::vector<std::pair<const YamlNodeData*, const YamlNodeData*>> pairs;  // a mapping
};

class YamlNode {
 public:
  YamlNode() = default;
  explicit YamlNode(const YamlNodeData* data) : data_(data) {}

  YAML::NodeType::value Type() const { return data_ ? data_->type : YAML::NodeType::Undefined; }
  bool IsDefined() const { return Type() != YAML::NodeType::Undefined; }
  bool IsNull() const { return Type() == YAML::NodeType::Null; }
  bool IsScalar() const { return Type() == YAML::NodeType::Scalar; }
  bool IsSequence() const { return Type() == YAML::NodeType::Sequence; }
  bool IsMap() const { return Type() == YAML::NodeType::Map; }
  explicit operator bool() const { return IsDefined(); }

  // Empty for anything but a scalar, as yaml-cpp's.
  const std::string& Scalar() const;
  YAML::Mark Mark() const { return data_ ? data_->mark : YAML::Mark::null_mark(); }
  // Items of a list or pairs of a mapping; 0 for anything else.
  size_t size() const;
  // The value of the first pair whose key is the scalar `key`; undefined when there is none.
  YamlNode operator[](std::string_view key) const;

  // What iterating yields: for a list, the item itself; for a mapping, a node whose .first and
  // .second are the key and the value.
  struct Item;
  class Iterator;
  Iterator begin() const;
  Iterator end() const;

 private:
  const YamlNodeData* data_ = nullptr;
};

struct YamlNode::Item : YamlNode {
  YamlNode first, second;
};

class YamlNode::Iterator {
 public:
  Iterator(const YamlNodeData* data, size_t index) : data_(data), index_(index) {}
  Item operator*() const;
  Iterator& operator++() {
    ++index_;
    return *this;
  }
  bool operator==(const Iterator& other) const { return index_ == other.index_; }

 private:
  const YamlNodeData* data_;
  size_t index_;
};

// Owns the nodes; a YamlNode is valid while its Tree lives (a deque: nodes never move).
class YamlTree {
 public:
  YamlTree() = default;
  YamlTree(YamlTree&&) = default;
  YamlTree& operator=(YamlTree&&) = default;
  YamlTree(const YamlTree&) = delete;
  YamlTree& operator=(const YamlTree&) = delete;

  YamlNode root() const { return YamlNode(root_); }

 private:
  friend class YamlTreeBuilder;
  friend class TreeCache;  // writes and reads trees back (policy/tree_cache.cc)
  std::deque<YamlNodeData> nodes_;
  const YamlNodeData* root_ = nullptr;
};

// The tree of `text`'s one document (a null root for a file without one), or the first error
// as file:line:col: a shape error found before a syntax error is the one reported, and a
// syntax error says "YAML syntax error: " and yaml-cpp's message.
Result<YamlTree> parse_yaml_tree(std::string_view text, const std::string& path);

}  // namespace stsh::policy
