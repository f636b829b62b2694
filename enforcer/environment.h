// The environment a confined command starts with, as the Plan's session says: kept names,
// set values, unset names; the loader's and shells' injection variables are always dropped
// unless the policy keeps or sets them by name.
#pragma once

#include <string>
#include <vector>

#include "policy/session.h"
#include "policy/user.h"

namespace stsh::enforcer {

std::vector<std::string> confined_environment(const policy::Session& session,
                                              const policy::UserInfo& user,
                                              const char* const* from);

// The value of NAME in an environment vector, or "" when unset.
std::string env_value(const std::vector<std::string>& env, const std::string& name);

}  // namespace stsh::enforcer
