// Preparing and starting one pipeline stage: expansion, redirections (decided by the policy
// like any open, through ShellFs), then a builtin run in the shell or a command launched
// through the supervisor.
#include "shell/stage.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

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

void write_all(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

}  // namespace

bool Shell::prepare_stage(const SimpleCommand& command, Stage& stage) {
  substitution_status_ = -1;
  stage.fds = {{0, stage.input}, {1, stage.output}, {2, 2}};
  if (stage.output_is_our_pipe) stage.feedable.insert(stage.output);
  auto fail = [&](const std::string& message) {
    warn(message);
    stage.failed = true;
    stage.status = 1;
    return false;
  };
  for (const Assignment& a : command.assignments) {
    auto value = expand_word_single(a.value, *this);
    if (!value) return fail("stsh: " + value.error().message);
    stage.assignments.push_back(a.name + "=" + *value);
  }
  auto argv = expand_words(command.words, *this);
  if (!argv) return fail("stsh: " + argv.error().message);
  stage.argv = std::move(*argv);

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
    auto fd = fs_.open(*target, open_flags(r.kind), 0666, err);
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

void Shell::start_stage(Stage& stage, pid_t& pgid, std::vector<pid_t>& pids,
                        bool foreground_group) {
  if (stage.argv.empty()) {
    // NAME=value alone sets shell variables (in a pipeline too, like a subshell would not;
    // stsh has no subshells).
    for (const std::string& a : stage.assignments) {
      const size_t eq = a.find('=');
      set_variable(a.substr(0, eq), a.substr(eq + 1));
    }
    // As in bash: the status of the last command substitution, else 0.
    stage.status = substitution_status_ >= 0 ? substitution_status_ : 0;
    return;
  }
  if (const Builtin* builtin = find_builtin(stage.argv[0])) {
    BuiltinIo io;
    io.in = stage.fds.count(0) ? stage.fds[0] : -1;
    stage.status = builtin->run(*this, stage.argv, io);
    for (const auto& [fd, text] : {std::pair{1, &io.out}, std::pair{2, &io.err}}) {
      const auto target = stage.fds.find(fd);
      if (text->empty() || target == stage.fds.end()) continue;
      if (stage.feedable.count(target->second)) {
        pump_.feed(UniqueFd(fcntl(target->second, F_DUPFD_CLOEXEC, 3)), std::move(*text));
      } else {
        write_all(target->second, *text);
      }
    }
    return;
  }

  const std::string& name = stage.argv[0];
  const enforcer::ProgramLookup found = lookup(name);
  if (found.error != 0) {
    const bool not_found = found.error == ENOENT;
    warn("stsh: " + name + ": " +
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
    log_->record(v);
    if (!d.permitted() && !v.audit) {
      const policy::Decision shown{d.verdict, d.error, /* log= */ false, d.rule};
      warn("stsh: " + name + ": not permitted by the policy (" + policy::describe(shown) +
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
  if (terminal_) {
    spec.pgid = pgid;  // 0 for the first stage: a new group for the job
    if (pgid == 0 && foreground_group) spec.terminal = terminal_->fd();
  }
  auto pid = supervisor_->launch(spec, plan_->login());
  if (!pid) {
    warn("stsh: cannot confine " + name + ": " + pid.error().to_string());
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
