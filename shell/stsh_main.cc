// stsh: the restricted login shell. The session is set up as a column of steps, each of which
// either succeeds or refuses the session with one message (and a syslog record): nothing runs
// unless the user's policy loaded and the enforcer is ready.
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <csignal>
#include <set>
#include <cstring>
#include <iostream>
#include <string>

#include "enforcer/environment.h"
#include "enforcer/supervisor.h"
#include "policy/compiler.h"
#include "shell/history.h"
#include "shell/interactive.h"
#include "shell/launcher.h"
#include "shell/invocation.h"
#include "shell/parser.h"
#include "shell/shell.h"
#include "shell/terminal.h"
#include "stsh_config.h"

extern char** environ;

namespace {

using namespace stsh;
using namespace stsh::shell;

constexpr int kRefused = 1;

// Before a policy is loaded there are no logging settings: the record goes to authpriv, as
// sshd's own do, without ever blocking the login on a stalled daemon.
[[noreturn]] void refuse(const std::string& user, const std::string& reason) {
  std::cerr << "stsh: refusing the session: " << reason << "\n";
  enforcer::log_refused_session(user, reason);
  std::exit(kRefused);
}

// One line of standard input, read a byte at a time (a command started by an earlier line may
// read the rest of our input, so we must not read ahead, as bash does not), while background
// jobs are served. false at the end of the input.
bool read_line(Shell& shell, std::string& line) {
  line.clear();
  for (;;) {
    std::vector<pollfd> fds{{STDIN_FILENO, POLLIN, 0}};
    shell.add_background_fds(fds);
    if (poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR) return false;
    shell.on_background_ready(fds, 1);
    if (shell.exit_requested()) return false;
    if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    char c = 0;
    const ssize_t n = read(STDIN_FILENO, &c, 1);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) return !line.empty();
    if (c == '\n') return true;
    line += c;
  }
}

// Where a nested stsh's records go: nowhere (see main).
class DiscardedRecords : public enforcer::DatagramSink {
 public:
  enforcer::SendStatus send(std::string_view) override { return enforcer::SendStatus::sent; }
  bool connect() override { return true; }
  void wait_writable(std::chrono::milliseconds) override {}
};

// Commands from standard input when it is not a terminal (`ssh host < script`, stsh -s):
// command by command, as dash reads a script, each run once it has parsed.
int run_stream(Shell& shell) {
  return shell.run_script([&](std::string& line) { return read_line(shell, line); });
}

// stsh FILE: the file is read through the policy, like a redirection, then run command by
// command. A #! line is a comment.
int run_script_file(Shell& shell, const std::string& path) {
  FsError err;
  auto fd = shell.fs().open(path, O_RDONLY, 0, err);
  if (!fd) {
    std::cerr << "stsh: " << path << ": " << describe(err) << "\n";
    return err.error == ENOENT ? 127 : 126;
  }
  auto contents = read_script(fd->get());
  if (!contents) {
    std::cerr << "stsh: " << path << ": file too large\n";
    return 126;
  }
  return shell.run_text(*contents);
}

// The shell's own process environment — what readline and ncurses read while the shell (the
// unconfined supervisor) draws the prompt: the system's readline configuration and terminal
// descriptions only, never the user's ~/.inputrc ($include can name any file) or ~/.terminfo.
// Commands get the environment the policy gives them (Shell::environment()), not this one.
void own_environment() {
  auto safe_value = [](const char* v) {
    return v && *v && std::strlen(v) < 64 && std::all_of(v, v + std::strlen(v), [](char c) {
             return std::isalnum(static_cast<unsigned char>(c)) || std::strchr("._@+-", c);
           });
  };
  std::vector<std::pair<std::string, std::string>> kept;
  for (const char* name : {"TERM", "LANG", "LC_ALL", "LC_CTYPE", "COLUMNS", "LINES"}) {
    const char* value = std::getenv(name);
    if (safe_value(value)) kept.emplace_back(name, value);
  }
  clearenv();
  for (const auto& [name, value] : kept) setenv(name.c_str(), value.c_str(), 1);
  setenv("INPUTRC", "/etc/inputrc", 1);
  setenv("TERMINFO_DIRS", "/etc/terminfo:/lib/terminfo:/usr/share/terminfo", 1);
}

}  // namespace

int main(int argc, char** argv) {
  std::string usage_error;
  auto inv = parse_invocation(argc, argv, usage_error);
  if (!inv) {
    std::cerr << "stsh: " << usage_error << "\n" << kUsage;
    return 2;
  }
  if (inv->help) {
    std::cout << kUsage;
    return 0;
  }
  if (inv->version) {
    std::cout << "stsh " STSH_VERSION "\n";
    return 0;
  }
  // What we were started ignoring, before we ignore anything ourselves: a non-interactive
  // shell keeps it ignored for its commands (XCU 2.11; `nohup stsh -c ...`).
  const std::set<int> ignored_on_entry = signals_ignored_now();
  // A reader gone away (`stsh -c 'help' | head -1`) is not a reason to die.
  std::signal(SIGPIPE, SIG_IGN);

  auto user = policy::lookup_user(getuid());
  if (!user) refuse(std::to_string(getuid()), user.error().to_string());
  // An empty directory means the build-time one, or for --policy the file's own set.
  policy::PlanRequest request{
      inv->policy_dir, inv->policy_file,
      inv->policy_file.empty() ? policy::Trust::login : policy::Trust::explicit_file};
  auto plan = policy::load_plan(request, *user);
  if (!plan) refuse(user->name, plan.error().to_string());
  // Kept to the end of the process and never freed: the session ends with it, and taking the
  // Plan's automata apart again is work of no use (about a millisecond of every `stsh -c`).
  const policy::Plan& p = **new std::shared_ptr<const policy::Plan>(*plan);
  const policy::Session& session = p.session();

  // A stsh inside a confined session keeps no log of its own: everything it does (its
  // redirections, its cd, what it starts) is a call of a confined process, decided and
  // recorded by the supervisor of the session it runs in, which would also refuse it the
  // syslog socket.
  const bool nested = already_confined();
  std::optional<enforcer::ViolationLog> log_storage;
  if (nested) {
    log_storage.emplace(session, user->name, enforcer::new_session_id(), p.files().back(),
                        std::make_unique<DiscardedRecords>());
  } else {
    log_storage.emplace(session, user->name, enforcer::new_session_id(), p.files().back());
  }
  enforcer::ViolationLog& log = *log_storage;
  const bool from_ssh = std::getenv("SSH_CONNECTION") != nullptr;
  // Commands from ssh meet the toggles: a command line (ssh host cmd, scp, sftp, rsync), and
  // commands piped in without a terminal (they are remote commands too). An interactive login
  // is what having stsh as the login shell grants.
  if (from_ssh && (inv->command || inv->script || !isatty(STDIN_FILENO))) {
    const std::string kind = inv->command ? ssh_kind(*inv->command) : "command";
    if (!ssh_permits(session.ssh, kind)) {
      std::cerr << "stsh: " << (kind == "command" ? "remote commands are" : kind + " is")
                << " not permitted for this account\n";
      log.event("refused", {{"ssh", kind}, {"command", inv->command.value_or("(standard input)")}});
      return kRefused;
    }
  }
  // A prompt is what ssh.interactive grants; an account for transfers only refuses it, from
  // ssh (ssh host, ssh -t host) or anywhere else.
  if (!inv->command && !inv->script && !inv->read_stdin && isatty(STDIN_FILENO) &&
      !session.ssh.interactive) {
    std::cerr << "stsh: interactive logins are not permitted for this account\n";
    log.event("refused", {{"ssh", "interactive"}});
    return kRefused;
  }
  // Inside a confined session (already_confined() says why that test is sound) the stsh that
  // confines us supervises what we start; otherwise we are the supervisor.
  std::optional<enforcer::Supervisor> supervisor;
  std::unique_ptr<Launcher> launcher;
  if (nested) {
    auto nested_launcher = NestedLauncher::create();
    if (!nested_launcher)
      refuse(user->name, "cannot start commands: " + nested_launcher.error().to_string());
    launcher = std::move(*nested_launcher);
  } else {
    auto created = enforcer::Supervisor::create(p, log, session.mode);
    if (!created) {
      log.event("refused", {{"reason", created.error().to_string()}});
      refuse(user->name, "cannot confine commands: " + created.error().to_string());
    }
    supervisor.emplace(std::move(*created));
    launcher = std::make_unique<SupervisorLauncher>(*supervisor);
  }
  umask(session.umask);

  Shell shell(p, *user, log, *launcher, session.mode,
              enforcer::confined_environment(session, *user, environ));
  // SHELL is this shell (what editors start for :!cmd), unless the policy sets it.
  char self[4096] = {};
  const bool policy_sets_shell = std::any_of(session.env.set.begin(), session.env.set.end(),
                                             [](const auto& kv) { return kv.first == "SHELL"; });
  if (!policy_sets_shell && readlink("/proc/self/exe", self, sizeof self - 1) > 0) {
    shell.set_variable("SHELL", self, true);
  }
  own_environment();
  // The policy's start directory, for commands and transfers as for a login (sftp-server
  // starts where its shell is): entered as `cd` would be, and a session that cannot enter it
  // does not start.
  if (!session.directory.empty()) {
    FsError err;
    auto dir = shell.fs().change_directory(session.directory, err);
    if (!dir) {
      log.event("refused", {{"reason", "cannot enter the session directory"},
                            {"directory", session.directory}});
      refuse(user->name, "cannot enter the session directory " + session.directory + ": " +
                             std::strerror(err.error));
    }
    shell.set_cwd(*dir);
  }
  log.event("start", {{"mode", std::string(policy::mode_name(session.mode))},
                      {"command", inv->command.value_or("")},
                      {"route", supervisor ? supervisor->route() : "nested (the outer session's)"}});
  shell.positional() = inv->args;
  if (inv->arg0) shell.set_arg0(*inv->arg0);
  else if (inv->script) shell.set_arg0(*inv->script);
  for (char c : inv->set_options) {
    ShellOptions& o = shell.options();
    if (c == 'e') o.errexit = true;
    if (c == 'u') o.nounset = true;
    if (c == 'x') o.xtrace = true;
    if (c == 'f') o.noglob = true;
    if (c == 'C') o.noclobber = true;
    if (c == 'v') o.verbose = true;
  }
  const bool interactive =
      !inv->command && !inv->script && !inv->read_stdin && isatty(STDIN_FILENO);
  if (!interactive) shell.keep_ignored(ignored_on_entry);
  int status = 0;
  if (inv->command) {
    status = shell.run_text(*inv->command);
    if (shell.exit_requested()) status = shell.exit_status();
  } else if (inv->script) {
    status = run_script_file(shell, *inv->script);
  } else if (inv->read_stdin || !isatty(STDIN_FILENO)) {
    status = run_stream(shell);
  } else if (auto terminal = Terminal::take(STDIN_FILENO)) {
    if (inv->login && session.directory.empty()) {
      FsError err;
      if (auto home = shell.fs().change_directory(user->home, err)) shell.set_cwd(*home);
    }
    if (!session.banner.empty()) std::cout << session.banner << "\n" << std::flush;
    shell.set_terminal(&*terminal);
    History history(shell.fs(), user->home + "/.stsh_history", session.history_size);
    history.load();
    shell.set_history(&history);
    status = run_interactive(shell, *terminal, history);
    history.save();
  } else {
    status = run_stream(shell);
  }
  status = shell.finish(status);
  log.event("end",
            {{"status", std::to_string(status)}, {"violations", std::to_string(log.violations())}});
  return status;
}
