// The session: section of a policy file.
#pragma once

#include "policy/yaml_tree.h"

#include "policy/model.h"
#include "policy/yaml_context.h"

namespace stsh::policy {

Result<SessionSpec> load_session(const YamlContext& ctx, const YamlNode& node);

}  // namespace stsh::policy
