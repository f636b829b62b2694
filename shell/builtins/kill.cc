#include <signal.h>

#include <cctype>
#include <cstring>

#include "shell/builtins.h"
#include "shell/shell.h"
#include "shell/variable_name.h"

namespace stsh::shell {
namespace {

// "TERM", "SIGTERM", "15" -> 15; "0" -> 0 (no signal: whether the process is there); -1
// when unknown.
int signal_number(std::string name) {
  if (!name.empty() && std::isdigit(static_cast<unsigned char>(name[0]))) {
    long n = 0;
    return parse_number(name, n) && n >= 0 && n < NSIG ? static_cast<int>(n) : -1;
  }
  if (name.rfind("SIG", 0) == 0) name = name.substr(3);
  for (int sig = 1; sig < NSIG; ++sig) {
    const char* abbrev = sigabbrev_np(sig);
    if (abbrev && name == abbrev) return sig;
  }
  return -1;
}

std::string signal_name(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return abbrev ? abbrev : std::to_string(sig);
}

// kill -l [status | signal ...]: the names of the signals (of those that ended a command with
// status 128+N, too), one a line.
int list_signals(const std::vector<std::string>& operands, BuiltinIo& io) {
  if (operands.empty()) {
    for (int sig = 1; sig < NSIG; ++sig) io.out += signal_name(sig) + "\n";
    return 0;
  }
  for (const std::string& a : operands) {
    long n = 0;
    if (parse_number(a, n)) {
      if (n > 128) n -= 128;
      if (n <= 0 || n >= NSIG) return utility_error(io, "stsh: kill: " + a + ": no such signal");
      io.out += signal_name(static_cast<int>(n)) + "\n";
    } else if (const int sig = signal_number(a); sig > 0) {
      io.out += std::to_string(sig) + "\n";
    } else {
      return utility_error(io, "stsh: kill: " + a + ": no such signal");
    }
  }
  return 0;
}

}  // namespace

// kill [-SIGNAL] %job | pid ...: signals this session's own jobs, or the shell itself ($$,
// for its traps). Confined commands cannot signal each other or the shell (each runs in its
// own Landlock scope), so the shell does it — and only for processes it started.
// A bad signal is status 2, as in dash.
STSH_BUILTIN(kill) {
  int sig = SIGTERM;
  size_t i = 1;
  if (i < argv.size() && argv[i] == "-l") {
    return list_signals(std::vector<std::string>(argv.begin() + 2, argv.end()), io);
  }
  if (i < argv.size() && argv[i] == "--") {
    ++i;
  } else if (i < argv.size() && argv[i].size() > 1 && argv[i][0] == '-') {
    sig = signal_number(argv[i] == "-s" && i + 1 < argv.size() ? argv[++i] : argv[i].substr(1));
    if (sig < 0) return utility_error(io, "stsh: kill: " + argv[i] + ": no such signal");
    ++i;
  }
  if (i == argv.size()) {
    io.err += "stsh: kill: usage: kill [-SIGNAL | -s SIGNAL] %job | pid ..., or kill -l [status]\n";
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
      if (sig == 0) continue;
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
      if (sig != SIGCONT && sig != 0) kill(pid, SIGCONT);
    }
  }
  return status;
}

}  // namespace stsh::shell
