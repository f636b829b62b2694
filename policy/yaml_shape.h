// A first pass over the YAML events of a policy, before any node tree is built: one document,
// no aliases (an alias of an alias of a list is the "billion laughs" blow-up, and include:
// is the policy language's way to share), and bounded nesting.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "policy/result.h"

namespace stsh::policy {

constexpr int kMaxYamlDepth = 32;

// nullopt when the shape is acceptable; YAML syntax errors are left to the real parse.
std::optional<Error> check_yaml_shape(std::string_view text, const std::string& path);

}  // namespace stsh::policy
