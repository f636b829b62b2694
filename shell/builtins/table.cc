#include <algorithm>
#include <array>

#include "shell/builtins.h"

namespace stsh::shell {
namespace {

constexpr std::array kBuiltins = {
    Builtin{".", builtin_dot, ". file [arg ...]   run a file's commands in this shell"},
    Builtin{":", builtin_colon, ":                  do nothing, successfully"},
    Builtin{"[", builtin_test, "[ expression ]     test a condition"},
    Builtin{"alias", builtin_alias, "alias [name=value]  define or list aliases"},
    Builtin{"bg", builtin_bg, "bg [%job]          resume a stopped job in the background"},
    Builtin{"break", builtin_break, "break [n]          leave a loop"},
    Builtin{"cd", builtin_cd, "cd [dir | -]       change the working directory"},
    Builtin{"command", builtin_command, "command [-v|-V] name [arg ...]  run or describe name, not a function"},
    Builtin{"continue", builtin_break, "continue [n]       next round of a loop"},
    Builtin{"echo", builtin_echo, "echo [-neE] [word ...]  write the words"},
    Builtin{"eval", builtin_eval, "eval [arg ...]     run the arguments as commands"},
    Builtin{"exec", builtin_exec, "exec [cmd [arg ...]]  run cmd and end the shell; or keep redirections"},
    Builtin{"exit", builtin_exit, "exit [n]           end the session"},
    Builtin{"export", builtin_export, "export [NAME[=value] ...]  pass variables to commands"},
    Builtin{"false", builtin_false, "false              fail"},
    Builtin{"fg", builtin_fg, "fg [%job]          bring a job to the foreground"},
    Builtin{"getopts", builtin_getopts, "getopts spec name [arg ...]  parse options"},
    Builtin{"help", builtin_help, "help               this list, and the commands you may run"},
    Builtin{"history", builtin_history, "history [n]        the commands you typed"},
    Builtin{"jobs", builtin_jobs, "jobs               the jobs of this session"},
    Builtin{"kill", builtin_kill, "kill [-SIG] %job|pid | -l  signal a job of this session"},
    Builtin{"local", builtin_local,
            "local [-] NAME[=value] ...  variables (- options) of the current function"},
    Builtin{"logout", builtin_exit, "logout             end the session"},
    Builtin{"policy", builtin_policy, "policy             your policy, in words"},
    Builtin{"printf", builtin_printf, "printf format [arg ...]  formatted output"},
    Builtin{"pwd", builtin_pwd, "pwd                the working directory"},
    Builtin{"read", builtin_read, "read [-r] name ... read a line of standard input"},
    Builtin{"readonly", builtin_readonly, "readonly [NAME[=value] ...]  make variables read-only"},
    Builtin{"return", builtin_return, "return [n]         leave a function"},
    Builtin{"set", builtin_set, "set [-euxfC] [--] [arg ...]  options and positional parameters"},
    Builtin{"shift", builtin_shift, "shift [n]          drop positional parameters"},
    Builtin{"test", builtin_test, "test expression    test a condition"},
    Builtin{"times", builtin_times, "times              the shell's and its commands' user and system time"},
    Builtin{"trap", builtin_trap, "trap [action condition ...]  commands to run at EXIT or a signal"},
    Builtin{"true", builtin_colon, "true               do nothing, successfully"},
    Builtin{"type", builtin_type, "type name ...      what a name runs"},
    Builtin{"ulimit", builtin_ulimit, "ulimit [-HS] [-a|-tfdscnuv [limit]]  the limits of the commands you start"},
    Builtin{"umask", builtin_umask, "umask [-S] [mode]  the file creation mask"},
    Builtin{"unalias", builtin_unalias, "unalias [-a] name ...  remove aliases"},
    Builtin{"unset", builtin_unset, "unset [-fv] NAME ...  remove variables or functions"},
    Builtin{"wait", builtin_wait, "wait [%job | pid ...]  wait for background jobs"},
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
