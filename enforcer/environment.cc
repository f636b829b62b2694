#include "enforcer/environment.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace stsh::enforcer {
namespace {

// Variables that make a program load or run code of the caller's choosing: inside a command
// whose own entry grants more than the user has (git's network, an interpreter's argv rules),
// such code would get those grants. Whole names, and prefixes (ending in '_' or naming a
// family) for the loaders and interpreters that read many.
constexpr std::array<std::string_view, 10> kDangerousNames = {
    "BASH_ENV",       "ENV", "SHELLOPTS",  "BASHOPTS",       "PS4",
    "PROMPT_COMMAND", "IFS", "GCONV_PATH", "GLIBC_TUNABLES", "MALLOC_CHECK_"};
constexpr std::array<std::string_view, 14> kDangerousPrefixes = {
    "LD_",           "PYTHON",           "PERL",     "RUBY",     "NODE_",
    "LUA_",          "BASH_FUNC_",       "GIT_",     "OPENSSL_", "JAVA_TOOL_OPTIONS",
    "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS", "LESSOPEN", "LESSCLOSE"};

bool dangerous(std::string_view name) {
  if (std::find(kDangerousNames.begin(), kDangerousNames.end(), name) != kDangerousNames.end()) {
    return true;
  }
  return std::any_of(kDangerousPrefixes.begin(), kDangerousPrefixes.end(),
                     [&](std::string_view p) { return name.substr(0, p.size()) == p; });
}

std::string_view name_of(std::string_view entry) {
  return entry.substr(0, entry.find('='));
}

void put(std::vector<std::string>& env, const std::string& name, const std::string& value) {
  auto it = std::find_if(env.begin(), env.end(),
                         [&](const std::string& e) { return name_of(e) == name; });
  if (it != env.end())
    *it = name + "=" + value;
  else
    env.push_back(name + "=" + value);
}

}  // namespace

std::vector<std::string> confined_environment(const policy::Session& session,
                                              const policy::UserInfo& user,
                                              const char* const* from) {
  std::vector<std::string> env;
  // Who the user is comes from passwd, never from the caller's environment.
  put(env, "HOME", user.home);
  put(env, "USER", user.name);
  put(env, "LOGNAME", user.name);
  for (const char* const* e = from; e && *e; ++e) {
    const std::string_view entry(*e);
    const std::string_view name = name_of(entry);
    if (name.size() == entry.size()) continue;
    if (std::find(session.env.keep.begin(), session.env.keep.end(), name) == session.env.keep.end())
      continue;
    put(env, std::string(name), std::string(entry.substr(name.size() + 1)));
  }
  for (const auto& [name, value] : session.env.set) put(env, name, value);
  env = scrub_environment(session, std::move(env));
  if (env_value(env, "PATH").empty()) put(env, "PATH", "/usr/bin:/bin");
  return env;
}

std::vector<std::string> scrub_environment(const policy::Session& session,
                                           std::vector<std::string> env) {
  auto explicitly_wanted = [&](std::string_view name) {
    const auto& keep = session.env.keep;
    const bool kept = std::find(keep.begin(), keep.end(), name) != keep.end();
    const bool set = std::any_of(session.env.set.begin(), session.env.set.end(),
                                 [&](const auto& kv) { return kv.first == name; });
    return kept || set;
  };
  std::erase_if(env, [&](const std::string& e) {
    const std::string_view name = name_of(e);
    if (std::find(session.env.unset.begin(), session.env.unset.end(), name) !=
        session.env.unset.end())
      return true;
    return dangerous(name) && !explicitly_wanted(name);
  });
  return env;
}

std::string env_value(const std::vector<std::string>& env, const std::string& name) {
  for (const auto& e : env) {
    if (name_of(e) == name) return e.substr(name.size() + 1);
  }
  return "";
}

}  // namespace stsh::enforcer
