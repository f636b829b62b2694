// Shared helpers of the loader: locations of YAML nodes, typed scalars, key checking.
// yaml-cpp throws; everything here is called inside the loader's one try block.
#pragma once

#include <yaml-cpp/yaml.h>

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
  SourceLocation where(const YAML::Node& node) const;
  // `where` moved on by `offset` bytes of the scalar's text (single-line scalars).
  SourceLocation where(const YAML::Node& node, size_t offset) const;
  Error error(const YAML::Node& node, std::string message) const {
    return make_error(where(node), std::move(message));
  }
  Error error(const YAML::Node& node, size_t offset, std::string message) const {
    return make_error(where(node, offset), std::move(message));
  }

  // Checks every key of `map` is one of `known` and appears once.
  std::optional<Error> check_keys(const YAML::Node& map, std::string_view what,
                                  std::initializer_list<std::string_view> known) const;

  // Typed scalars; `what` names the key in messages.
  Result<std::string> string(const YAML::Node& node, std::string_view what) const;
  Result<bool> boolean(const YAML::Node& node, std::string_view what) const;
  Result<uint64_t> integer(const YAML::Node& node, std::string_view what, uint64_t max) const;
  // A string with $VARIABLES expanded.
  Result<std::string> expanded(const YAML::Node& node, std::string_view what) const;

 private:
  std::string_view text_;
  const std::string& path_;
  const Variables& vars_;
};

std::string_view node_kind(const YAML::Node& node);  // "a mapping", "a list", ...

}  // namespace stsh::policy
