#include <algorithm>
#include <array>

#include "shell/builtins.h"

namespace stsh::shell {
namespace {

constexpr std::array kBuiltins = {
    Builtin{"bg", builtin_bg, "bg [%job]          resume a stopped job in the background"},
    Builtin{"cd", builtin_cd, "cd [dir | -]       change the working directory"},
    Builtin{"echo", builtin_echo, "echo [-neE] [word ...]  write the words"},
    Builtin{"exit", builtin_exit, "exit [n]           end the session"},
    Builtin{"export", builtin_export, "export [NAME[=value] ...]  pass variables to commands"},
    Builtin{"fg", builtin_fg, "fg [%job]          bring a job to the foreground"},
    Builtin{"help", builtin_help, "help               this list, and the commands you may run"},
    Builtin{"history", builtin_history, "history [n]        the commands you typed"},
    Builtin{"jobs", builtin_jobs, "jobs               the jobs of this session"},
    Builtin{"kill", builtin_kill, "kill [-SIG] %job|pid  signal a job of this session"},
    Builtin{"logout", builtin_exit, "logout             end the session"},
    Builtin{"policy", builtin_policy, "policy             your policy, in words"},
    Builtin{"pwd", builtin_pwd, "pwd                the working directory"},
    Builtin{"type", builtin_type, "type name ...      what a name runs"},
    Builtin{"unset", builtin_unset, "unset NAME ...     remove variables"},
};

static_assert(std::is_sorted(kBuiltins.begin(), kBuiltins.end(),
                             [](const Builtin& a, const Builtin& b) { return a.name < b.name; }),
              "kBuiltins must stay sorted by name");

}  // namespace

const Builtin* find_builtin(std::string_view name) {
  const auto it = std::lower_bound(kBuiltins.begin(), kBuiltins.end(), name,
                                   [](const Builtin& b, std::string_view n) { return b.name < n; });
  return it != kBuiltins.end() && it->name == name ? &*it : nullptr;
}

std::span<const Builtin> all_builtins() {
  return kBuiltins;
}

}  // namespace stsh::shell
