// Preparing and starting one pipeline stage: expansion, redirections (decided by the policy
// like any open, through ShellFs), then a builtin run in the shell or a command launched
// through the supervisor.
#include "shell/stage.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "enforcer/environment.h"
#include "enforcer/tracee.h"
#include "shell/builtins.h"

namespace stsh::shell {
namespace {

int open_flags(RedirectionKind kind) {
  switch (kind) {
    case RedirectionKind::input:
      return O_RDONLY;
    case RedirectionKind::output:
    case RedirectionKind::clobber:
    case RedirectionKind::output_and_error:
      return O_WRONLY | O_CREAT | O_TRUNC;
    case RedirectionKind::append:
    case RedirectionKind::append_output_and_error:
      return O_WRONLY | O_CREAT | O_APPEND;
    case RedirectionKind::read_write:
      return O_RDWR | O_CREAT;
    default:
      return -1;
  }
}

// 0, or the errno of the write that failed (ENOSPC on a full file system, EBADF, ...).
int write_all(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      pollfd p{fd, POLLOUT, 0};
      poll(&p, 1, 1000);
      continue;
    }
    if (n <= 0) return n < 0 ? errno : EIO;
    done += static_cast<size_t>(n);
  }
  return 0;
}

// A name as it may be shown on a terminal: control bytes, DEL and NUL as \xHH (a name is
// whatever the user or a script made it; it must not drive the terminal).
std::string printable(const std::string& name) {
  std::string out;
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// Special builtins (XCU 2.14) are found before functions.
bool is_special_builtin(std::string_view name) {
  static constexpr std::string_view kSpecial[] = {
      ".", ":", "break", "continue", "eval", "exec", "exit", "export",
      "readonly", "return", "set", "shift", "times", "trap", "unset"};
  for (std::string_view s : kSpecial) {
    if (s == name) return true;
  }
  return false;
}

}  // namespace

bool Shell::prepare_stage(const SimpleCommand& command, Stage& stage) {
  substitution_status_ = -1;
  fatal_expansion_ = false;
  stage.command = &command;
  current_offset_ = command.range.offset;
  // Status 2, as dash has it for a redirection or expansion that failed. XCU 2.8.1: a
  // redirection error of a special builtin ends a non-interactive shell (as does an expansion
  // error, which the caller sees through fatal_expansion_).
  auto fail = [&](const std::string& message) {
    warn(message);
    stage.failed = true;
    stage.status = 2;
    if (stage.special) fatal_error(2);
    return false;
  };
  if (command.compound) {
    stage.kind = Stage::Kind::compound;
  } else {
    for (const Assignment& a : command.assignments) {
      auto value = expand_word_single(a.value, *this);
      if (!value) return fail("stsh: " + value.error().message);
      // Alone, assignments happen in order: a=1 b=$a sees the new a (XCU 2.9.1). A read-only
      // name is reported when the stage runs.
      if (command.words.empty()) (void)try_set_variable(a.name, *value);
      stage.assignments.push_back(a.name + "=" + *value);
    }
    auto argv = expand_words(command.words, *this);
    if (!argv) return fail("stsh: " + argv.error().message);
    stage.argv = std::move(*argv);
    classify(stage);
    // XCU 2.8.1: an assignment to a read-only variable ends a non-interactive shell, whatever
    // the command (a program would otherwise get the name in its environment).
    for (const Assignment& a : command.assignments) {
      if (!command.words.empty() && is_readonly(a.name)) {
        fatal_error(2);
        return fail("stsh: " + a.name + ": is read only");
      }
    }
  }
  for (const Redirection& r : command.redirections) {
    switch (r.kind) {
      case RedirectionKind::duplicate: {
        const auto source = stage.fds.find(r.source_fd);
        if (source == stage.fds.end()) {
          return fail("stsh: " + std::to_string(r.source_fd) + ": Bad file descriptor");
        }
        stage.fds[r.fd] = source->second;
        continue;
      }
      case RedirectionKind::close:
        stage.fds.erase(r.fd);
        continue;
      case RedirectionKind::heredoc:
      case RedirectionKind::here_string: {
        std::string body;
        if (r.kind == RedirectionKind::heredoc && !r.heredoc_expands) {
          for (const WordPart& part : r.target.parts) {
            if (const auto* lit = std::get_if<LiteralPart>(&part)) body += lit->text;
          }
        } else {
          auto expanded = expand_word_single(r.target, *this);
          if (!expanded) return fail("stsh: " + expanded.error().message);
          body = std::move(*expanded);
          if (r.kind == RedirectionKind::here_string) body += '\n';
        }
        int p[2];
        if (pipe2(p, O_CLOEXEC) != 0) return fail(std::string("stsh: pipe: ") + strerror(errno));
        stage.fds[r.fd] = p[0];
        stage.owned.emplace_back(p[0]);
        pump_.feed(UniqueFd(p[1]), std::move(body));
        continue;
      }
      default:
        break;
    }
    auto target = expand_word_single(r.target, *this);
    if (!target) return fail("stsh: " + target.error().message);
    if (target->empty()) return fail("stsh: ambiguous redirect");
    FsError err;
    int flags = open_flags(r.kind);
    // set -C: > does not overwrite an existing regular file (>| does).
    if (options_.noclobber &&
        (r.kind == RedirectionKind::output || r.kind == RedirectionKind::output_and_error)) {
      struct stat st {};
      if (stat(target->c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
        return fail("stsh: " + *target + ": cannot overwrite existing file");
      }
    }
    auto fd = fs_.open(*target, flags, 0666, err);
    if (!fd) return fail("stsh: " + *target + ": " + describe(err));
    const int raw = fd->get();
    stage.owned.push_back(std::move(*fd));
    if (r.kind == RedirectionKind::output_and_error ||
        r.kind == RedirectionKind::append_output_and_error) {
      stage.fds[1] = raw;
      stage.fds[2] = raw;
    } else {
      stage.fds[r.fd] = raw;
    }
  }
  return true;
}

void Shell::classify(Stage& stage) {
  if (stage.argv.empty()) {
    stage.kind = Stage::Kind::assignments;
    return;
  }
  // exec CMD: CMD runs (confined, like any command) and the shell ends with its status; the
  // shell process itself is never replaced, so nothing can leave supervision this way.
  if (stage.argv[0] == "exec" && stage.argv.size() > 1) {
    size_t skip = 1;
    if (stage.argv[1] == "--") skip = 2;
    stage.argv.erase(stage.argv.begin(), stage.argv.begin() + static_cast<long>(skip));
    if (stage.argv.empty()) stage.argv = {"exec"};
    else stage.exec = true;
  }
  // command [-p] NAME: no function lookup. -p only changes the PATH searched; what runs is
  // decided by the policy all the same.
  bool functions = true;  // false: run by `command`, which also takes specialness away
  while (stage.argv.size() > 1 && stage.argv[0] == "command" &&
         (stage.argv[1] == "-p" || stage.argv[1] == "--" || stage.argv[1][0] != '-')) {
    stage.argv.erase(stage.argv.begin());
    if (stage.argv[0] == "-p" || stage.argv[0] == "--") stage.argv.erase(stage.argv.begin());
    functions = false;
    if (stage.argv.empty()) {
      stage.kind = Stage::Kind::assignments;
      return;
    }
  }
  // An alias applies to a command name written as plain text.
  if (const auto alias = aliases_.find(stage.argv[0]);
      alias != aliases_.end() && !fresh_aliases_.count(alias->first) && stage.command &&
      !stage.command->words.empty() && stage.command->words[0].parts.size() == 1) {
    const auto* lit = std::get_if<LiteralPart>(&stage.command->words[0].parts[0]);
    if (lit && !lit->quoted) {
      std::vector<std::string> words;
      std::string w;
      for (char c : alias->second + " ") {
        if (c == ' ' || c == '\t' || c == '\n') {
          if (!w.empty()) words.push_back(std::move(w));
          w.clear();
        } else {
          w += c;
        }
      }
      stage.argv.erase(stage.argv.begin());
      stage.argv.insert(stage.argv.begin(), words.begin(), words.end());
      if (stage.argv.empty()) {
        stage.kind = Stage::Kind::assignments;
        return;
      }
    }
  }
  const std::string& name = stage.argv[0];
  const Builtin* builtin = find_builtin(name);
  stage.special = builtin && functions && (is_special_builtin(name) || name == "local");
  if (builtin && is_special_builtin(name)) {
    stage.kind = Stage::Kind::builtin;
    stage.builtin = builtin;
    return;
  }
  if (functions) {
    if (auto body = function(name)) {
      stage.kind = Stage::Kind::function;
      stage.function = body;
      return;
    }
  }
  if (builtin) {
    stage.kind = Stage::Kind::builtin;
    stage.builtin = builtin;
    return;
  }
  stage.kind = Stage::Kind::external;
}

// set -x: the expanded command on standard error, after PS4.
void Shell::trace(const Stage& stage) {
  if (!options_.xtrace) return;
  std::string line = variable("PS4").value_or("+ ");
  bool first = true;
  for (const std::string& a : stage.assignments) {
    line += (first ? "" : " ") + a;
    first = false;
  }
  for (const std::string& a : stage.argv) {
    line += (first ? "" : " ") + a;
    first = false;
  }
  const auto err = stage.fds.find(2);
  if (err == stage.fds.end()) return;
  (void)write_all(err->second, line + "\n");
}

void Shell::run_in_shell(Stage& stage) {
  // While it runs, the stage's descriptors are the shell's: the commands a compound command,
  // function, eval or `.` runs inherit them.
  std::map<int, int> saved_io = io_;
  std::set<int> saved_feedable = feedable_;
  io_ = stage.fds;
  feedable_ = stage.feedable;
  auto restore = [&] {
    io_ = std::move(saved_io);
    feedable_ = std::move(saved_feedable);
  };
  if (stage.kind == Stage::Kind::assignments) {
    trace(stage);
    std::string error;
    for (const std::string& a : stage.assignments) {
      const size_t eq = a.find('=');
      if (auto e = try_set_variable(a.substr(0, eq), a.substr(eq + 1))) error = *e;
    }
    restore();
    if (!error.empty()) {
      warn("stsh: " + error);
      stage.status = 2;
      fatal_error(2);
      return;
    }
    // As in bash: the status of the last command substitution, else 0.
    stage.status = substitution_status_ >= 0 ? substitution_status_ : 0;
    return;
  }
  if (stage.kind == Stage::Kind::compound) {
    stage.status = run_compound(*stage.command->compound);
    restore();
    return;
  }
  trace(stage);
  // NAME=value before a function or a special builtin stays set (POSIX); before a regular
  // builtin it holds while the builtin runs.
  std::vector<std::pair<std::string, std::optional<Variable>>> temporary;
  const bool keep =
      stage.kind == Stage::Kind::function || (stage.special && is_special_builtin(stage.argv[0]));
  for (const std::string& a : stage.assignments) {
    const size_t eq = a.find('=');
    const std::string name = a.substr(0, eq);
    if (!keep) {
      const auto it = variables_.find(name);
      temporary.emplace_back(name, it == variables_.end() ? std::nullopt
                                                          : std::optional<Variable>(it->second));
    }
    if (auto e = try_set_variable(name, a.substr(eq + 1), !keep)) warn("stsh: " + *e);
  }
  if (stage.kind == Stage::Kind::function) {
    stage.status = run_function(*stage.function, stage.argv);
  } else {
    BuiltinIo io;
    io.in = stage.fds.count(0) ? stage.fds[0] : -1;
    stage.status = stage.builtin->run(*this, stage.argv, io);
    // An error that would end the shell in what a builtin that is not special ran (`command
    // eval`, `command .`) ends only that builtin, with the error's status, as in dash.
    if (error_exit_ && !stage.special) {
      error_exit_ = false;
      exit_requested_ = false;
      stage.status = exit_status_;
    }
    for (const auto& [fd, text] : {std::pair{1, &io.out}, std::pair{2, &io.err}}) {
      if (text->empty()) continue;
      const auto target = stage.fds.find(fd);
      int error = target == stage.fds.end() ? EBADF : 0;
      if (error == 0 && stage.feedable.count(target->second)) {
        pump_.feed(UniqueFd(fcntl(target->second, F_DUPFD_CLOEXEC, 3)), std::move(*text));
      } else if (error == 0) {
        error = write_all(target->second, *text);
      }
      // Like bash and /usr/bin/echo: a builtin whose output was lost says so and fails.
      if (error != 0 && fd == 1) {
        const auto err = stage.fds.find(2);
        const std::string message =
            "stsh: " + stage.argv[0] + ": write error: " + std::strerror(error) + "\n";
        if (err != stage.fds.end()) (void)write_all(err->second, message);
        stage.status = 1;
      }
    }
    // XCU 2.8.1: a special builtin's utility error ends a non-interactive shell.
    if (io.utility_error && stage.special) fatal_error(stage.status);
  }
  for (auto& [name, old] : temporary) {
    if (old) variables_[name] = *old;
    else variables_.erase(name);
  }
  restore();
  // exec with redirections only: they become the shell's own (exec 3>log, exec >out 2>&1).
  if (stage.builtin && stage.argv[0] == "exec" && stage.status == 0) {
    io_ = stage.fds;
    feedable_ = stage.feedable;
    for (UniqueFd& fd : stage.owned) kept_fds_.push_back(std::make_shared<UniqueFd>(std::move(fd)));
    stage.owned.clear();
    // What no descriptor names any more (exec 3>&-) is closed, so a reader sees its end.
    std::erase_if(kept_fds_, [&](const std::shared_ptr<UniqueFd>& fd) {
      return std::none_of(io_.begin(), io_.end(),
                          [&](const auto& entry) { return entry.second == fd->get(); });
    });
  }
}

void Shell::start_stage(Stage& stage, pid_t& pgid, std::vector<pid_t>& pids,
                        bool foreground_group) {
  trace(stage);
  // What is said about the command goes to its own standard error: `nosuch 2>/dev/null` is
  // quiet.
  struct StageErrors {
    Shell& shell;
    std::map<int, int> io;
    std::set<int> feedable;
    ~StageErrors() {
      shell.io_ = std::move(io);
      shell.feedable_ = std::move(feedable);
    }
  } restore{*this, io_, feedable_};
  io_ = stage.fds;
  feedable_ = stage.feedable;
  const std::string& name = stage.argv[0];
  const enforcer::ProgramLookup found = lookup(name);
  if (found.error != 0) {
    const bool not_found = found.error == ENOENT;
    warn("stsh: " + printable(name) + ": " +
         (not_found && name.find('/') == std::string::npos ? "command not found"
                                                           : std::strerror(found.error)));
    stage.status = not_found ? 127 : 126;
    return;
  }
  // The friendly answer before anything starts; the supervisor checks the exec again, on
  // what the kernel actually loads.
  policy::Call call;
  call.syscall = SYS_execve;
  call.filename = found.path;
  call.argv = stage.argv;
  const policy::Decision d = plan_->decide(plan_->login(), call);
  if (!d.permitted() || d.log) {
    const enforcer::Violation v =
        shell_violation(call, d, mode_ == policy::Mode::audit && !d.permitted());
    fs_.record(v);
    if (!d.permitted() && !v.audit) {
      const policy::Decision shown{d.verdict, d.error, /* log= */ false, d.rule};
      warn("stsh: " + printable(name) + ": not permitted by the policy (" + policy::describe(shown) +
           ", rule " + std::string(d.rule) + ")");
      stage.status = 126;
      return;
    }
  }

  enforcer::LaunchSpec spec;
  spec.path = found.path;
  spec.argv = stage.argv;
  std::vector<std::string> env = environment();
  for (const std::string& a : stage.assignments) {
    const std::string key = a.substr(0, a.find('=') + 1);
    std::erase_if(env, [&](const std::string& e) { return e.rfind(key, 0) == 0; });
    env.push_back(a);
  }
  spec.env = enforcer::scrub_environment(plan_->session(), std::move(env));
  spec.fds.assign(stage.fds.begin(), stage.fds.end());
  spec.ignored_signals = ignored_for_commands(!foreground_group);
  spec.umask = current_umask();
  for (const auto& [resource, limit] : limits_) spec.limits.push_back(limit);
  // What builtins before it wrote into the same pipe goes first.
  if (const auto out = stage.fds.find(1); out != stage.fds.end() && pump_.feeding(out->second)) {
    wait_until([&] { return !pump_.feeding(out->second); });
  }
  if (terminal_) {
    spec.pgid = pgid;  // 0 for the first stage: a new group for the job
    if (pgid == 0 && foreground_group) spec.terminal = terminal_->fd();
  }
  auto pid = supervisor_->launch(spec, plan_->login());
  if (!pid) {
    warn("stsh: cannot confine " + printable(name) + ": " + pid.error().to_string());
    stage.status = 126;
    return;
  }
  stage.pid = *pid;
  if (pgid == 0) {
    pgid = terminal_ ? *pid : getpgrp();
    if (terminal_ && foreground_group) terminal_->give_to(pgid);
  }
  pids.push_back(*pid);
}

}  // namespace stsh::shell
