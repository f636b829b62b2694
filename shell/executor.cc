// Programs, and-or lists and pipelines. Stages are prepared (expanded, redirected) and started
// left to right; builtins run in the shell with their output buffered and fed to the pipe they
// write to, external commands are launched through the supervisor.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "shell/builtins.h"
#include "shell/parser.h"
#include "shell/shell.h"
#include "shell/stage.h"

namespace stsh::shell {

// What a subshell would keep to itself: a command substitution or a pipeline of several
// stages runs in the shell (stsh never forks), so its `cd` and variables are undone after.
class Shell::SubshellScope {
 public:
  explicit SubshellScope(Shell& shell)
      : shell_(shell),
        cwd_(shell.cwd_),
        dir_(::open(".", O_PATH | O_DIRECTORY | O_CLOEXEC)),
        variables_(shell.variables_) {}
  ~SubshellScope() {
    if (shell_.cwd_ != cwd_ && dir_ && fchdir(dir_.get()) == 0) shell_.set_cwd(cwd_);
    shell_.variables_ = std::move(variables_);
  }
  SubshellScope(const SubshellScope&) = delete;
  SubshellScope& operator=(const SubshellScope&) = delete;

 private:
  Shell& shell_;
  std::string cwd_;
  UniqueFd dir_;
  std::map<std::string, Variable> variables_;
};

int Shell::run_text(const std::string& source) {
  const ParseResult parsed = parse(source);
  if (!parsed.ok()) {
    warn("stsh: " + parsed.message());
    last_status_ = 2;
    return 2;
  }
  return run(*parsed.program);
}

int Shell::run(const Program& program) {
  for (const AndOr& item : program.items) {
    if (exit_requested_ || over_warning_limit()) break;
    last_status_ = run_and_or(item, program, nullptr);
  }
  over_warning_limit();
  return exit_requested_ ? exit_status_ : last_status_;
}

int Shell::run_and_or(const AndOr& item, const Program& program, std::string* capture) {
  if (item.background && !item.rest.empty()) {
    warn("stsh: a list with && or || cannot run in the background; run its parts one by one");
    return 2;
  }
  int status = run_pipeline(item.first, item.background && !capture,
                            std::string(program.text(item.range)), capture);
  for (const AndOrTail& tail : item.rest) {
    if (exit_requested_ || over_warning_limit()) break;
    last_status_ = status;
    const bool run = tail.op == AndOrOp::and_if ? status == 0 : status != 0;
    if (run)
      status = run_pipeline(tail.pipeline, false, std::string(program.text(item.range)), capture);
  }
  return status;
}

int Shell::run_pipeline(const Pipeline& pipeline, bool background, const std::string& text,
                        std::string* capture) {
  const size_t n = pipeline.commands.size();
  std::optional<SubshellScope> scope;
  if (n > 1) scope.emplace(*this);
  // The pipes between stages, and the one a command substitution reads.
  std::vector<UniqueFd> readers(n), writers(n);
  for (size_t i = 0; i + 1 < n || (capture && i + 1 == n); ++i) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) {
      warn(std::string("stsh: pipe: ") + std::strerror(errno));
      return 1;
    }
    readers[i].reset(p[0]);
    writers[i].reset(p[1]);
  }
  UniqueFd capture_reader;
  if (capture) capture_reader = std::move(readers[n - 1]);

  std::vector<pid_t> pids;
  pid_t pgid = 0;
  int last_stage_status = 0;
  bool last_is_external = false;
  // Every stage is expanded and redirected before any starts: a command substitution in a
  // later stage runs the supervisor's loop, which would reap an early stage that has already
  // ended — and with it the process group the later stages join.
  std::vector<Stage> stages(n);
  for (size_t i = 0; i < n && !exit_requested_; ++i) {
    Stage& stage = stages[i];
    stage.input = i == 0 ? 0 : readers[i - 1].get();
    stage.output = (i + 1 < n || capture) ? writers[i].get() : 1;
    stage.output_is_our_pipe = i + 1 < n || capture;
    prepare_stage(pipeline.commands[i], stage);
  }
  for (size_t i = 0; i < n && !exit_requested_; ++i) {
    Stage& stage = stages[i];
    if (!stage.failed) start_stage(stage, pgid, pids, !background);
    last_stage_status = stage.status;
    last_is_external = stage.pid > 0;
  }
  // Our copies of the pipe ends and of what redirections opened: the reader of a pipe sees
  // its end only when every writer is closed.
  stages.clear();
  for (size_t i = 0; i < n; ++i) {
    readers[i].reset();
    writers[i].reset();
  }
  if (capture) pump_.collect(std::move(capture_reader), capture);

  int status = last_stage_status;
  if (!pids.empty()) {
    Job& job = jobs_.add(pgid, text, pids, background);
    const int id = job.id;
    if (background) {
      last_background_ = pids.back();
      if (terminal_) {
        warn("[" + std::to_string(id) + "] " + std::to_string(pids.back()));
      }
      return 0;
    }
    const int job_status = wait_foreground(*jobs_.find(id));
    if (last_is_external) status = job_status;
  }
  if (capture) wait_until([&] { return !pump_.collecting(capture); });
  if (pipeline.negated) status = status == 0 ? 1 : 0;
  return status;
}

int Shell::wait_foreground(Job& job) {
  const int id = job.id;
  job.background = false;
  if (terminal_ && job.pgid > 0) terminal_->give_to(job.pgid);
  wait_until([&] {
    Job* j = jobs_.find(id);
    return j == nullptr || j->state() != Job::State::running;
  });
  if (terminal_) terminal_->take_back();
  Job* j = jobs_.find(id);
  if (j == nullptr) return 0;
  if (j->state() == Job::State::stopped) {
    j->background = true;
    warn("\n[" + std::to_string(id) + "]+  Stopped                 " + j->text);
    return j->exit_status();
  }
  j->reported = true;
  const int status = j->exit_status();
  // A job killed by SIGINT ends the line like bash; other signals are named.
  const int last = j->processes.empty() ? 0 : j->processes.back().status;
  if (exit_requested_) {
    // Hung up: nobody to tell.
  } else if (WIFSIGNALED(last) && WTERMSIG(last) != SIGINT && WTERMSIG(last) != SIGPIPE) {
    const char* name = sigdescr_np(WTERMSIG(last));  // NULL for real-time signals
    warn((name ? std::string(name) : "Signal " + std::to_string(WTERMSIG(last))) +
         (WCOREDUMP(last) ? " (core dumped)" : ""));
  } else if (WIFSIGNALED(last) && WTERMSIG(last) == SIGINT && terminal_) {
    warn("");
  }
  jobs_.prune();
  return status;
}

template <typename Done>
void Shell::wait_until(Done done) {
  while (!done()) {
    // Without a terminal (ssh host cmd, scp, sftp, rsync) sshd sends no SIGHUP when the
    // client goes away; the hang-up of our standard output is how we learn it.
    std::vector<pollfd> fds{
        {supervisor_->event_fd(), POLLIN, 0}, {STDOUT_FILENO, 0, 0}, {signal_fd_, POLLIN, 0}};
    if (terminal_) fds[1].fd = -1;
    pump_.add_to(fds);
    if (poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR) break;
    if (fds[0].revents & POLLIN) {
      for (const enforcer::ProcessEvent& e : supervisor_->poll(0)) jobs_.update(e);
    }
    if (fds[1].revents & (POLLHUP | POLLERR)) on_hangup();
    if (fds[2].revents & POLLIN) {
      signalfd_siginfo info;
      while (read(signal_fd_, &info, sizeof info) == sizeof info) {
        // Ctrl-C and window changes belong to the foreground job; a hang-up or a TERM ends
        // the session.
        if (info.ssi_signo == SIGHUP || info.ssi_signo == SIGTERM) on_hangup();
      }
    }
    pump_.on_ready(fds, 3);
    // The limit holds inside a long command too: it ends with the session.
    if (over_warning_limit()) kill_jobs();
  }
}

void Shell::kill_jobs() {
  for (Job& job : jobs_.all()) {
    for (const Job::Process& p : job.processes) {
      if (p.state != Job::State::done) kill(p.pid, SIGKILL);
    }
  }
}

void Shell::on_hangup() {
  if (!exit_requested_) log_->event("hangup");
  hung_up_ = true;
  request_exit(129);
  kill_jobs();
}

void Shell::service_background() {
  std::vector<pollfd> fds;
  add_background_fds(fds);
  if (poll(fds.data(), fds.size(), 0) <= 0) return;
  on_background_ready(fds, 0);
}

void Shell::add_background_fds(std::vector<pollfd>& fds) const {
  fds.push_back({supervisor_->event_fd(), POLLIN, 0});
  pump_.add_to(fds);
}

void Shell::on_background_ready(const std::vector<pollfd>& fds, size_t first) {
  if (fds[first].revents & POLLIN) {
    for (const enforcer::ProcessEvent& e : supervisor_->poll(0)) jobs_.update(e);
  }
  pump_.on_ready(fds, first + 1);
  if (over_warning_limit()) kill_jobs();
}

// Output beyond this is dropped: the shell holds it in memory, under no rlimit of the session.
constexpr size_t kMaxSubstitution = 16 << 20;

Result<std::string> Shell::command_substitution(const Program& program) {
  SubshellScope scope(*this);
  std::string out;
  // Like a subshell: `exit` ends the substitution, not the session (a hang-up or the warning
  // limit still ends both).
  const bool exiting_before = exit_requested_;
  for (const AndOr& item : program.items) {
    if (exit_requested_ || over_warning_limit()) break;
    last_status_ = run_and_or(item, program, &out);
  }
  if (exit_requested_ && !exiting_before && !hung_up_ && !limit_reported_) {
    exit_requested_ = false;
    last_status_ = exit_status_;
  }
  substitution_status_ = last_status_;
  if (out.size() > kMaxSubstitution) {
    out.resize(kMaxSubstitution);
    warn("stsh: command substitution output cut at 16 MiB");
  }
  return out;
}

}  // namespace stsh::shell
