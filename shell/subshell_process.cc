// Shell::start_worker: a subshell process (shell/worker.h says why it is safe). The child's
// setup is a column of steps; past forbid_exec() nothing it does can run a program but
// through the shell's supervisor.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "shell/shell.h"

namespace stsh::shell {
namespace {

// Closes every descriptor but `keep` (sorted, unique).
void close_all_but(const std::vector<int>& keep) {
  unsigned next = 0;
  for (int fd : keep) {
    if (fd < 0) continue;
    const auto u = static_cast<unsigned>(fd);
    if (u > next) syscall(SYS_close_range, next, u - 1, 0U);
    next = u + 1;
  }
  syscall(SYS_close_range, next, ~0U, 0U);
}

}  // namespace

pid_t Shell::start_worker(pid_t pgid, bool background, const std::vector<int>& keep,
                          const std::function<int()>& body) {
  auto channel = worker_ ? worker_->connect() : workers_.open(WorkerHub::kShell);
  if (!channel) {
    warn(std::string("stsh: cannot start a subshell: ") + std::strerror(errno));
    return 0;
  }
  const pid_t parent = getpid();
  // Every signal waits until the worker has its handlers: a `kill $!` at once must still be
  // reported as the signal it was.
  sigset_t all, before;
  sigfillset(&all);
  sigprocmask(SIG_SETMASK, &all, &before);
  const pid_t pid = fork();
  if (pid != 0) sigprocmask(SIG_SETMASK, &before, nullptr);
  if (pid < 0) {
    warn(std::string("stsh: cannot start a subshell: fork: ") + std::strerror(errno));
    return 0;
  }
  if (pid > 0) {
    if (terminal_ && pgid != enforcer::kSameGroup) setpgid(pid, pgid == 0 ? pid : pgid);
    if (worker_) worker_->child(channel->first, pid);
    else workers_.set_pid(channel->first, pid);
    return pid;  // our copies of the worker's ends close here
  }

  // --- the worker ---
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(126);
  if (!forbid_exec()) _exit(126);
  if (terminal_ && pgid != enforcer::kSameGroup) setpgid(0, pgid);
  WorkerEnds ends = std::move(channel->second);
  // Descriptors: ours (what commands see), what the body uses and the channel; the rest —
  // the supervisor's listeners, other stages' pipe ends, the shell's channels — go.
  std::vector<int> kept = keep;
  for (const auto& [number, ours] : io_) kept.push_back(ours);
  for (const auto& fd : kept_fds_) kept.push_back(fd->get());
  kept.insert(kept.end(), {0, 1, 2, ends.requests.get(), ends.events.get()});
  std::sort(kept.begin(), kept.end());
  kept.erase(std::unique(kept.begin(), kept.end()), kept.end());
  pump_.abandon();
  workers_.abandon();
  (void)own_signal_fd_.release();
  close_all_but(kept);
  const int events_fd = ends.events.get();
  const bool job_control = terminal_ != nullptr;
  worker_ = std::make_unique<WorkerLauncher>(std::move(ends));
  supervisor_ = worker_.get();
  fs_.set_recorder([this](const enforcer::Violation& v) { worker_->record(v); });
  jobs_ = JobTable();
  terminal_ = nullptr;
  history_ = nullptr;
  signal_fd_ = -1;
  feedable_.clear();  // blocking writes are fine here: the supervisor is another process
  // Traps: actions reset, ignores kept (XCU 2.12); an asynchronous list of a shell without
  // job control ignores SIGINT and SIGQUIT (XCU 2.11).
  std::erase_if(traps_, [](const auto& t) { return !t.second.empty(); });
  trapped_.clear();
  pending_signals_.clear();
  traps_applied_ = false;
  in_trap_ = false;
  subshell_depth_ = 0;
  std::set<int> ignored;
  for (const auto& [sig, old] : ignored_) ignored.insert(sig);
  if (background && !job_control) {
    ignored.insert({SIGINT, SIGQUIT});
    keep_ignored({SIGINT, SIGQUIT});
  }
  report_fatal_signals(events_fd, ignored);
  struct sigaction ign {};
  ign.sa_handler = SIG_IGN;
  sigaction(SIGCHLD, &ign, nullptr);  // its workers are reaped by the kernel; their ends come
                                       // over the channel
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  exit_trap_done_ = false;
  exit_requested_ = false;
  interrupted_ = false;
  flow_ = Flow::none;

  int status = body();
  if (exit_requested_) status = exit_status_;
  exit_requested_ = false;
  status = finish(status) & 0xff;
  worker_->say_exit(W_EXITCODE(status, 0));
  _exit(status);
}

}  // namespace stsh::shell
