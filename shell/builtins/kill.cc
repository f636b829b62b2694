#include <signal.h>

#include <cctype>
#include <cstring>

#include "shell/builtins.h"
#include "shell/shell.h"

namespace stsh::shell {
namespace {

// "TERM", "SIGTERM", "15" -> 15; 0 when unknown.
int signal_number(std::string name) {
  if (!name.empty() && std::isdigit(static_cast<unsigned char>(name[0]))) {
    try {
      const int n = std::stoi(name);
      return n > 0 && n < NSIG ? n : 0;
    } catch (const std::exception&) {
      return 0;
    }
  }
  if (name.rfind("SIG", 0) == 0) name = name.substr(3);
  for (int sig = 1; sig < NSIG; ++sig) {
    const char* abbrev = sigabbrev_np(sig);
    if (abbrev && name == abbrev) return sig;
  }
  return 0;
}

}  // namespace

// kill [-SIGNAL] %job | pid ...: signals this session's own jobs, or the shell itself ($$,
// for its traps). Confined commands cannot signal each other or the shell (each runs in its
// own Landlock scope), so the shell does it — and only for processes it started.
STSH_BUILTIN(kill) {
  int sig = SIGTERM;
  size_t i = 1;
  if (i < argv.size() && argv[i].size() > 1 && argv[i][0] == '-') {
    sig = signal_number(argv[i] == "-s" && i + 1 < argv.size() ? argv[++i] : argv[i].substr(1));
    if (sig == 0) {
      io.err += "stsh: kill: " + argv[i] + ": invalid signal specification\n";
      return 1;
    }
    ++i;
  }
  if (i == argv.size()) {
    io.err += "stsh: kill: usage: kill [-SIGNAL] %job | pid ...\n";
    return 2;
  }
  shell.service_background();
  int status = 0;
  for (; i < argv.size(); ++i) {
    const std::string& target = argv[i];
    std::vector<pid_t> pids;
    if (target[0] == '%') {
      if (Job* job = shell.jobs().parse_spec(target)) {
        for (const Job::Process& p : job->processes) {
          if (p.state != Job::State::done) pids.push_back(p.pid);
        }
      }
    } else if (target == std::to_string(shell.shell_pid())) {
      kill(shell.shell_pid(), sig);
      // A trapped signal's action runs when this command is done, as dash does.
      continue;
    } else {
      for (Job& job : shell.jobs().all()) {
        for (const Job::Process& p : job.processes) {
          if (p.state != Job::State::done && std::to_string(p.pid) == target) pids.push_back(p.pid);
        }
      }
    }
    if (pids.empty()) {
      io.err += "stsh: kill: " + target + ": no such job or process of this session\n";
      status = 1;
      continue;
    }
    for (pid_t pid : pids) {
      kill(pid, sig);
      // A stopped process acts on a signal only once continued, as bash's kill does.
      if (sig != SIGCONT) kill(pid, SIGCONT);
    }
  }
  return status;
}

}  // namespace stsh::shell
