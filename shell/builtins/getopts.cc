#include "shell/builtins.h"
#include "shell/shell.h"
#include "shell/variable_name.h"

namespace stsh::shell {

// getopts OPTSTRING NAME [arg ...]: XCU getopts. The position inside a group of options
// (-abc) is kept by the shell next to OPTIND, as dash keeps its own state; it counts only
// while OPTIND is what getopts left, so resetting OPTIND=1 starts over. Each function call
// has its own, starting at its first argument (kFunctionStart), as dash's does.
STSH_BUILTIN(getopts) {
  if (argv.size() < 3) {
    io.err += "stsh: getopts: usage: getopts optstring name [arg ...]\n";
    return 2;
  }
  const std::string& spec = argv[1];
  const std::string& name = argv[2];
  if (!is_variable_name(name)) {
    io.err += "stsh: getopts: `" + name + "': not a valid identifier\n";
    return 2;
  }
  if (shell.is_readonly(name)) {
    io.err += "stsh: getopts: " + name + ": is read only\n";
    return 2;
  }
  const bool silent = !spec.empty() && spec[0] == ':';
  std::vector<std::string> args = argv.size() > 3
                                      ? std::vector<std::string>(argv.begin() + 3, argv.end())
                                      : shell.positional();
  long optind = 1;
  const std::string state = shell.getopts_position();
  // A function call starts its own parse at the first argument, as in dash.
  if (state != kFunctionStart &&
      (!parse_number(shell.variable("OPTIND").value_or("1"), optind) || optind < 1)) {
    optind = 1;
  }
  long offset = 0;
  const size_t colon = state.find(':');
  long state_ind = 0;
  if (colon != std::string::npos && parse_number(state.substr(0, colon), state_ind) &&
      state_ind == optind) {
    (void)parse_number(state.substr(colon + 1), offset);
  }
  auto finish = [&](long ind, long off) {
    shell.set_variable("OPTIND", std::to_string(ind));
    shell.getopts_position() = std::to_string(ind) + ":" + std::to_string(off);
  };
  if (static_cast<size_t>(optind) > args.size()) {
    shell.set_variable(name, "?");
    finish(optind, 0);
    return 1;
  }
  const std::string& arg = args[static_cast<size_t>(optind - 1)];
  if (offset == 0) {
    if (arg == "--") {
      shell.set_variable(name, "?");
      finish(optind + 1, 0);
      return 1;
    }
    if (arg.size() < 2 || arg[0] != '-') {
      shell.set_variable(name, "?");
      finish(optind, 0);
      return 1;
    }
    offset = 1;
  }
  const char c = arg[static_cast<size_t>(offset)];
  const bool last_in_group = static_cast<size_t>(offset) + 1 >= arg.size();
  const size_t at = c == ':' ? std::string::npos : spec.find(c);
  if (at == std::string::npos) {
    if (silent) {
      shell.set_variable("OPTARG", std::string(1, c));
    } else {
      io.err += "stsh: getopts: illegal option -- " + std::string(1, c) + "\n";
      shell.unset_variable("OPTARG");
    }
    shell.set_variable(name, "?");
    if (last_in_group) finish(optind + 1, 0);
    else finish(optind, offset + 1);
    return 0;
  }
  if (at + 1 < spec.size() && spec[at + 1] == ':') {
    if (!last_in_group) {
      shell.set_variable("OPTARG", arg.substr(static_cast<size_t>(offset) + 1));
      finish(optind + 1, 0);
    } else if (static_cast<size_t>(optind) < args.size()) {
      shell.set_variable("OPTARG", args[static_cast<size_t>(optind)]);
      finish(optind + 2, 0);
    } else {
      if (silent) {
        shell.set_variable(name, ":");
        shell.set_variable("OPTARG", std::string(1, c));
      } else {
        io.err += "stsh: getopts: option requires an argument -- " + std::string(1, c) + "\n";
        shell.set_variable(name, "?");
        shell.unset_variable("OPTARG");
      }
      finish(optind + 1, 0);
      return 0;
    }
  } else {
    shell.unset_variable("OPTARG");
    if (last_in_group) finish(optind + 1, 0);
    else finish(optind, offset + 1);
  }
  shell.set_variable(name, std::string(1, c));
  return 0;
}

}  // namespace stsh::shell
