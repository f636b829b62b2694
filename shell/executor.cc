// Programs, and-or lists and pipelines. Stages are prepared (expanded, redirected) and started
// left to right; external commands are launched through the supervisor, a stage run by the
// shell beside others runs in a subshell process (shell/worker.h).
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
#include "shell/subshell_scope.h"

namespace stsh::shell {

int Shell::run_text(const std::string& source) {
  size_t pos = 0;
  return run_script([&](std::string& line) {
    if (pos >= source.size()) return false;
    const size_t nl = std::min(source.find('\n', pos), source.size());
    line = source.substr(pos, nl - pos);
    pos = nl + 1;
    return true;
  });
}

int Shell::run(const Program& program) {
  interrupted_ = false;
  fresh_aliases_.clear();
  last_status_ = run_list(program);
  flow_ = Flow::none;
  interrupted_ = false;
  over_warning_limit();
  return exit_requested_ ? exit_status_ : last_status_;
}

int Shell::run_list(const Program& program) {
  int status = 0;
  const std::string* saved_source = current_source_;
  current_source_ = program.source.get();
  for (const AndOr& item : program.items) {
    if (exit_requested_ || flow_ != Flow::none || interrupted_ || over_warning_limit()) break;
    status = run_and_or(item, program);
    last_status_ = status;
    run_pending_traps();
  }
  current_source_ = saved_source;
  return status;
}

namespace {

// A pipeline that is one compound command other than a subshell: set -e looks inside it.
bool is_plain_compound(const Pipeline& p) {
  return p.commands.size() == 1 && p.commands[0].compound &&
         p.commands[0].compound->kind != CompoundCommand::Kind::subshell;
}

}  // namespace

int Shell::run_and_or(const AndOr& item, const Program& program) {
  if (!item.background || item.rest.empty()) {
    return run_and_or_parts(item, program, item.background);
  }
  // cmd1 && cmd2 &: the whole list in a subshell process, as dash forks one.
  const std::string text(program.text(item.range));
  const pid_t pid = start_worker(terminal_ ? 0 : enforcer::kSameGroup, /* background= */ true,
                                 {}, [&] { return run_and_or_parts(item, program, false); });
  if (pid == 0) return 1;
  const int id = jobs_.add(terminal_ ? pid : getpgrp(), text, {pid}, true).id;
  last_background_ = pid;
  if (terminal_) warn("[" + std::to_string(id) + "] " + std::to_string(pid));
  return 0;
}

int Shell::run_and_or_parts(const AndOr& item, const Program& program, bool background) {
  const std::string text(program.text(item.range));
  // set -e does not apply to the parts of a && or || list before the last (XCU 2.14 set -e).
  const bool has_rest = !item.rest.empty();
  if (has_rest) ++errexit_suppressed_;
  int status = run_pipeline(item.first, background, text);
  const Pipeline* last = &item.first;
  for (size_t i = 0; i < item.rest.size(); ++i) {
    const AndOrTail& tail = item.rest[i];
    if (exit_requested_ || flow_ != Flow::none || over_warning_limit()) break;
    last_status_ = status;
    const bool run = tail.op == AndOrOp::and_if ? status == 0 : status != 0;
    if (!run) {
      last = nullptr;
      continue;
    }
    if (i + 1 == item.rest.size()) --errexit_suppressed_;
    status = run_pipeline(tail.pipeline, false, text);
    if (i + 1 == item.rest.size()) ++errexit_suppressed_;
    last = &tail.pipeline;
  }
  if (has_rest) --errexit_suppressed_;
  if (options_.errexit && errexit_suppressed_ == 0 && status != 0 && last != nullptr &&
      !last->negated && !is_plain_compound(*last) && flow_ == Flow::none && !exit_requested_) {
    request_exit(status);
  }
  return status;
}

int Shell::run_pipeline(const Pipeline& pipeline, bool background, const std::string& text) {
  const size_t n = pipeline.commands.size();
  std::optional<SubshellScope> scope;
  if (n > 1 || background) scope.emplace(*this);
  if (pipeline.negated) ++errexit_suppressed_;
  struct Unsuppress {
    Shell& s;
    bool on;
    ~Unsuppress() {
      if (on) --s.errexit_suppressed_;
    }
  } unsuppress{*this, pipeline.negated};
  // The pipes between stages.
  std::vector<UniqueFd> readers(n), writers(n);
  for (size_t i = 0; i + 1 < n; ++i) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) {
      warn(std::string("stsh: pipe: ") + std::strerror(errno));
      return 1;
    }
    readers[i].reset(p[0]);
    writers[i].reset(p[1]);
  }

  std::vector<pid_t> pids;
  pid_t pgid = 0;
  // Every stage is expanded and redirected before any starts: a command substitution in a
  // later stage runs the supervisor's loop, which would reap an early stage that has already
  // ended — and with it the process group the later stages join.
  std::vector<Stage> stages(n);
  for (size_t i = 0; i < n && !exit_requested_; ++i) {
    Stage& stage = stages[i];
    stage.fds = io_;
    stage.feedable = feedable_;
    if (i > 0) stage.fds[0] = readers[i - 1].get();
    if (i + 1 < n) {
      stage.fds[1] = writers[i].get();
      stage.feedable.insert(writers[i].get());
    }
    prepare_stage(pipeline.commands[i], stage);
    if (fatal_expansion_) fatal_error(2);
  }
  // External commands start first, so that what a stage run in the shell writes into a pipe
  // has a reader.
  for (size_t i = 0; i < n && !exit_requested_; ++i) {
    Stage& stage = stages[i];
    if (!stage.failed && !stage.in_shell()) start_stage(stage, pgid, pids, !background);
  }
  // A pipe's reader sees its end only when every writer is closed: ours go as soon as the
  // stage that uses them has started or run.
  auto done_with = [&](size_t i) {
    if (i + 1 < n) writers[i].reset();
    if (i > 0) readers[i - 1].reset();
    stages[i].owned.clear();
  };
  for (size_t i = 0; i < n; ++i) {
    if (!stages[i].in_shell() || stages[i].failed) done_with(i);
  }
  // Builtins, functions and compound commands beside other stages, or in the background, run
  // in subshell processes (shell/worker.h), so that they stream: a stage that writes without
  // end (`while true; do echo y; done | head -1`) blocks on its pipe, not the shell. Alone in
  // the foreground, they run in the shell (cd, assignments, functions' effects stay).
  for (size_t i = 0; i < n && !exit_requested_; ++i) {
    Stage& stage = stages[i];
    if (stage.failed || !stage.in_shell()) continue;
    if (n == 1 && !background) {
      run_in_shell(stage);
      done_with(i);
      continue;
    }
    std::vector<int> keep;
    for (const auto& [number, ours] : stage.fds) keep.push_back(ours);
    for (const UniqueFd& fd : stage.owned) keep.push_back(fd.get());
    const pid_t group = terminal_ ? pgid : enforcer::kSameGroup;
    const pid_t pid = start_worker(group, background, keep, [&stage, this] {
      stage.feedable.clear();
      run_in_shell(stage);
      return stage.status;
    });
    if (pid > 0) {
      stage.pid = pid;
      if (pgid == 0) {
        pgid = terminal_ ? pid : getpgrp();
        if (terminal_ && !background) terminal_->give_to(pgid);
      }
    } else {
      stage.status = 1;
    }
    done_with(i);
  }
  // The job's processes in the order of their stages: its status is the last one's.
  pids.clear();
  for (const Stage& stage : stages) {
    if (stage.pid > 0) pids.push_back(stage.pid);
  }
  const Stage& last_stage = stages[n - 1];
  int status = last_stage.status;
  const bool last_is_external = last_stage.pid > 0;
  const bool exec_last = last_stage.exec && !last_stage.failed;
  // Our copies of the pipe ends and of what redirections opened: the reader of a pipe sees
  // its end only when every writer is closed.
  stages.clear();
  for (size_t i = 0; i < n; ++i) {
    readers[i].reset();
    writers[i].reset();
  }

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
  if (scope) status = scope->finish(status);
  if (pipeline.negated) status = status == 0 ? 1 : 0;
  // exec in a pipeline of several stages ends only its stage (a subshell).
  if (exec_last && n == 1 && !exit_requested_) request_exit(status);
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

void Shell::wait_until(const std::function<bool()>& done, int readable) {
  while (!done()) {
    // Without a terminal (ssh host cmd, scp, sftp, rsync) sshd sends no SIGHUP when the
    // client goes away; the hang-up of our standard output is how we learn it.
    std::vector<pollfd> fds{
        {supervisor_->event_fd(), POLLIN, 0}, {STDOUT_FILENO, 0, 0}, {signal_fd_, POLLIN, 0}};
    if (terminal_) fds[1].fd = -1;
    workers_.add_to(fds);
    pump_.add_to(fds);
    // What `read` waits for: done() looks at it again.
    if (readable >= 0) fds.push_back({readable, POLLIN, 0});
    if (poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR) break;
    if (fds[0].revents & POLLIN) poll_launcher();
    if (fds[1].revents & (POLLHUP | POLLERR)) on_hangup();
    if (fds[2].revents & POLLIN) {
      signalfd_siginfo info;
      while (read(signal_fd_, &info, sizeof info) == sizeof info) {
        // Ctrl-C and window changes belong to the foreground job; a hang-up or a TERM ends
        // the session; a trapped signal's action waits for the foreground command.
        const int sig = static_cast<int>(info.ssi_signo);
        if (!take_signal(sig) && (sig == SIGHUP || sig == SIGTERM)) on_hangup();
      }
    }
    on_workers_ready(fds, 3);
    pump_.on_ready(fds, 3);
    // The limit holds inside a long command too: it ends with the session.
    if (over_warning_limit()) kill_jobs();
  }
}

bool Shell::interrupted() {
  if (!terminal_ || signal_fd_ < 0) return false;
  if (!interrupted_) drain_signals();
  return interrupted_;
}

void Shell::kill_jobs() {
  workers_.kill_all();
  for (Job& job : jobs_.all()) {
    for (const Job::Process& p : job.processes) {
      if (p.state != Job::State::done) kill(p.pid, SIGKILL);
    }
  }
}

void Shell::on_hangup() {
  // A worker's copy of the log is not the session's: the shell records the hang-up.
  if (!exit_requested_ && !worker_) log_->event("hangup");
  hung_up_ = true;
  request_exit(129);
  kill_jobs();
}

void Shell::poll_launcher() {
  for (const enforcer::ProcessEvent& e : workers_.route(supervisor_->poll())) jobs_.update(e);
}

void Shell::on_workers_ready(const std::vector<pollfd>& fds, size_t first) {
  std::vector<enforcer::ProcessEvent> ended;
  workers_.on_ready(fds, first, *supervisor_, plan_->login(),
                    [this](const enforcer::Violation& v) { fs_.record(v); }, ended);
  for (const enforcer::ProcessEvent& e : ended) jobs_.update(e);
}

void Shell::service_background() {
  std::vector<pollfd> fds;
  add_background_fds(fds);
  if (poll(fds.data(), fds.size(), 0) <= 0) return;
  on_background_ready(fds, 0);
}

void Shell::add_background_fds(std::vector<pollfd>& fds) const {
  fds.push_back({supervisor_->event_fd(), POLLIN, 0});
  workers_.add_to(fds);
  pump_.add_to(fds);
}

void Shell::on_background_ready(const std::vector<pollfd>& fds, size_t first) {
  if (fds[first].revents & POLLIN) poll_launcher();
  on_workers_ready(fds, first + 1);
  pump_.on_ready(fds, first + 1);
  if (over_warning_limit()) kill_jobs();
}

// Output beyond this is dropped: the shell holds it in memory, under no rlimit of the session.
constexpr size_t kMaxSubstitution = 16 << 20;

Result<std::string> Shell::command_substitution(const Program& program) {
  if (call_depth_ >= 200) return make_error("command substitutions nest too deeply");
  ++call_depth_;
  struct Unnest {
    int& depth;
    ~Unnest() { --depth; }
  } unnest{call_depth_};
  std::string out;
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) return make_error(std::string("pipe: ") + std::strerror(errno));
  pump_.collect(UniqueFd(p[0]), &out);
  {
    SubshellScope scope(*this);
    // Its standard output is the pipe we read.
    UniqueFd writer(p[1]);
    io_[1] = writer.get();
    feedable_.insert(writer.get());
    const int status = run_list(program);
    last_status_ = scope.finish(status);
    substitution_status_ = last_status_;
  }
  wait_until([&] { return !pump_.collecting(&out); });
  if (out.size() > kMaxSubstitution) {
    out.resize(kMaxSubstitution);
    warn("stsh: command substitution output cut at 16 MiB");
  }
  return out;
}

}  // namespace stsh::shell
