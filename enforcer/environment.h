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

// What a shell passes on to a command after the user's own exports: the policy's `unset`
// names and the injection variables (unless the policy keeps or sets them) removed.
std::vector<std::string> scrub_environment(const policy::Session& session,
                                           std::vector<std::string> env);

// The value of NAME in an environment vector, or "" when unset.
std::string env_value(const std::vector<std::string>& env, const std::string& name);

}  // namespace stsh::enforcer
