#include "shell/builtins.h"
#include "shell/shell.h"

namespace stsh::shell {

// cd [dir | -]: decided like chdir(2) for a confined process (read access to the directory),
// and entered without following a symlink swapped in after the decision (ShellFs). A failure
// is status 2, as in dash.
STSH_BUILTIN(cd) {
  std::string target;
  bool print = false;
  if (argv.size() > 2) {
    io.err += "stsh: cd: too many arguments\n";
    return 2;
  }
  if (argv.size() == 1) {
    target = shell.user().home;
  } else if (argv[1] == "-") {
    auto old = shell.variable("OLDPWD");
    if (!old || old->empty()) {
      io.err += "stsh: cd: OLDPWD not set\n";
      return 2;
    }
    target = *old;
    print = true;
  } else {
    target = argv[1];
  }
  FsError err;
  auto entered = shell.fs().change_directory(target, err);
  if (!entered) {
    io.err += "stsh: cd: " + target + ": " + describe(err) + "\n";
    return 2;
  }
  shell.set_variable("OLDPWD", shell.cwd(), true);
  shell.set_cwd(*entered);
  if (print) io.out += *entered + "\n";
  return 0;
}

}  // namespace stsh::shell
