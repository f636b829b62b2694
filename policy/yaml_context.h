// Shared helpers of the loaders: locations of YAML nodes, typed scalars, key checking.
#pragma once

#include "policy/yaml_tree.h"

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "policy/result.h"
#include "policy/variables.h"

namespace stsh::policy {

class YamlContext {
 public:
  YamlContext(std::string_view text, const std::string& path, const Variables& vars)
      : text_(text), path_(path), vars_(vars) {}

  const std::string& path() const { return path_; }
  const Variables& vars() const { return vars_; }

  // Where the node's value starts (inside the quotes for a quoted scalar), 1-based.
  SourceLocation where(const YamlNode& node) const;
  // `where` moved on by `offset` bytes of the scalar's text (single-line scalars).
  SourceLocation where(const YamlNode& node, size_t offset) const;
  Error error(const YamlNode& node, std::string message) const {
    return make_error(where(node), std::move(message));
  }
  Error error(const YamlNode& node, size_t offset, std::string message) const {
    return make_error(where(node, offset), std::move(message));
  }

  // Checks every key of `map` is one of `known` and appears once.
  std::optional<Error> check_keys(const YamlNode& map, std::string_view what,
                                  std::initializer_list<std::string_view> known) const;

  // Typed scalars; `what` names the key in messages.
  Result<std::string> string(const YamlNode& node, std::string_view what) const;
  Result<bool> boolean(const YamlNode& node, std::string_view what) const;
  Result<uint64_t> integer(const YamlNode& node, std::string_view what, uint64_t max) const;
  // A string with $VARIABLES expanded.
  Result<std::string> expanded(const YamlNode& node, std::string_view what) const;

 private:
  std::string_view text_;
  const std::string& path_;
  const Variables& vars_;
};

std::string_view node_kind(const YamlNode& node);  // "a mapping", "a list", ...

}  // namespace stsh::policy
