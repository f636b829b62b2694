#include "enforcer/environment.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace stsh::enforcer {
namespace {

// Variables that make a program load or run code of the caller's choosing.
constexpr std::array<std::string_view, 12> kDangerous = {
    "LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT", "LD_DEBUG_OUTPUT", "BASH_ENV",  "ENV", "SHELLOPTS",
    "PS4",        "PYTHONPATH",      "PERL5LIB", "PERL5OPT",        "GCONV_PATH"};

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
    return std::find(kDangerous.begin(), kDangerous.end(), name) != kDangerous.end() &&
           !explicitly_wanted(name);
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
