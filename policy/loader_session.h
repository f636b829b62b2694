// The session: section of a policy file.
#pragma once

#include <yaml-cpp/yaml.h>

#include "policy/model.h"
#include "policy/yaml_context.h"

namespace stsh::policy {

Result<SessionSpec> load_session(const YamlContext& ctx, const YAML::Node& node);

}  // namespace stsh::policy
