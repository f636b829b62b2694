#include <signal.h>
#include <unistd.h>

#include "shell/builtins.h"
#include "shell/shell.h"

namespace stsh::shell {
namespace {

Job* job_named(Shell& shell, const std::vector<std::string>& argv, BuiltinIo& io) {
  shell.service_background();
  Job* job = shell.jobs().parse_spec(argv.size() > 1 ? argv[1] : "");
  if (job == nullptr || job->state() == Job::State::done) {
    io.err +=
        "stsh: " + argv[0] + ": " + (argv.size() > 1 ? argv[1] : "current") + ": no such job\n";
    return nullptr;
  }
  return job;
}

}  // namespace

// fg [%job]: the job gets the terminal and is continued; the shell waits for it as for any
// foreground command.
STSH_BUILTIN(fg) {
  if (shell.terminal() == nullptr) {
    io.err += "stsh: fg: no job control\n";
    return 1;
  }
  Job* job = job_named(shell, argv, io);
  if (job == nullptr) return 1;
  // Said now, not when fg returns: the job may run for a long time.
  const std::string line = job->text + "\n";
  if (write(STDOUT_FILENO, line.data(), line.size()) < 0) {
  }
  shell.terminal()->give_to(job->pgid);
  job->mark_running();
  kill(-job->pgid, SIGCONT);
  return shell.wait_foreground(*job);
}

// bg [%job]: a stopped job continues in the background.
STSH_BUILTIN(bg) {
  Job* job = job_named(shell, argv, io);
  if (job == nullptr) return 1;
  job->background = true;
  job->mark_running();
  kill(-job->pgid, SIGCONT);
  io.out += "[" + std::to_string(job->id) + "]+ " + job->text + " &\n";
  return 0;
}

}  // namespace stsh::shell
