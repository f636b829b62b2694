// Traps on signals (XCU 2.11, trap): the shell is single-threaded and the supervisor of its
// commands, so an action never runs in signal context. A trapped signal is blocked and read
// from a signalfd — the interactive loop's, or one of the shell's own — polled with the
// supervisor; its action runs between commands, from run_list, like any text the shell runs.
// Only the shell's own processes can signal it: Landlock scoping keeps confined commands'
// signals inside their domain.
#include <sys/signalfd.h>
#include <unistd.h>

#include <cstring>

#include "shell/shell.h"

namespace stsh::shell {
void Shell::set_signal_fd(int fd, const sigset_t& mask) {
  signal_fd_ = fd;
  signal_fd_mask_ = mask;
  if (traps_applied_) apply_traps();
}

void Shell::apply_traps() {
  if (!traps_applied_) {
    // What others blocked (the supervisor's SIGCHLD, the interactive loop's signals) stays
    // blocked whatever the traps say.
    sigprocmask(SIG_BLOCK, nullptr, &base_blocked_);
    traps_applied_ = true;
  }
  std::set<int> trapped;
  for (int s = 1; s < NSIG; ++s) {
    const char* abbrev = sigabbrev_np(s);
    if (!abbrev || s == SIGKILL || s == SIGSTOP) continue;
    const auto it = traps_.find(abbrev);
    // The interactive loop's own signals keep their handling there; an ignore is taken
    // when they are read (take_signal).
    const bool loop_reads = signal_fd_ >= 0 && signal_fd_ != own_signal_fd_.get() &&
                            sigismember(&signal_fd_mask_, s);
    const bool ignore = it != traps_.end() && it->second.empty() && !loop_reads && s != SIGCHLD;
    if (ignore && !ignored_.count(s)) {
      struct sigaction old {};
      struct sigaction ign {};
      ign.sa_handler = SIG_IGN;
      sigaction(s, &ign, &old);
      ignored_.emplace(s, old);
    } else if (!ignore && ignored_.count(s)) {
      // Back to what the shell had before: SIGPIPE stays ignored (a reader gone away is not
      // a reason for the supervisor to die), job control's signals as the terminal set them.
      sigaction(s, &ignored_[s], nullptr);
      ignored_.erase(s);
    }
    if (it != traps_.end() && !it->second.empty()) trapped.insert(s);
  }
  sigset_t block, unblock;
  sigemptyset(&block);
  sigemptyset(&unblock);
  for (int s : trapped) sigaddset(&block, s);
  for (int s : trapped_) {
    if (!trapped.count(s) && !sigismember(&base_blocked_, s)) sigaddset(&unblock, s);
  }
  trapped_ = std::move(trapped);
  sigprocmask(SIG_BLOCK, &block, nullptr);
  // What the descriptor reads: the loop's signals and the trapped ones.
  sigset_t reads = block;
  if (signal_fd_ >= 0 && signal_fd_ != own_signal_fd_.get()) {
    for (int s = 1; s < NSIG; ++s) {
      if (sigismember(&signal_fd_mask_, s)) sigaddset(&reads, s);
    }
    signalfd(signal_fd_, &reads, 0);
  } else if (!trapped_.empty()) {
    if (!own_signal_fd_) {
      own_signal_fd_.reset(signalfd(-1, &reads, SFD_CLOEXEC | SFD_NONBLOCK));
      signal_fd_ = own_signal_fd_.get();
    } else {
      signalfd(own_signal_fd_.get(), &reads, 0);
    }
  } else if (own_signal_fd_) {
    signalfd(own_signal_fd_.get(), &reads, 0);
  }
  // A signal that came while it was blocked and is no longer trapped is handled now, as the
  // shell would have handled it then.
  sigprocmask(SIG_UNBLOCK, &unblock, nullptr);
}

std::vector<int> Shell::ignored_for_commands(bool asynchronous) const {
  std::set<int> ignored = kept_ignored_;
  for (const auto& [name, action] : traps_) {
    if (!action.empty()) continue;
    for (int s = 1; s < NSIG; ++s) {
      const char* abbrev = sigabbrev_np(s);
      if (abbrev && name == abbrev) ignored.insert(s);
    }
  }
  if (asynchronous && !terminal_) ignored.insert({SIGINT, SIGQUIT});
  return {ignored.begin(), ignored.end()};
}

std::set<int> signals_ignored_now() {
  std::set<int> ignored;
  for (int s = 1; s < SIGRTMIN; ++s) {
    struct sigaction now {};
    if (s != SIGKILL && s != SIGSTOP && sigaction(s, nullptr, &now) == 0 &&
        now.sa_handler == SIG_IGN) {
      ignored.insert(s);
    }
  }
  return ignored;
}

bool Shell::take_signal(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  if (!abbrev) return false;
  const auto it = traps_.find(abbrev);
  // Blocked for the action of a shell this subshell runs in: it waits for that action.
  if (it == traps_.end() && trapped_.count(sig)) {
    pending_signals_.insert(sig);
    return true;
  }
  if (it == traps_.end()) return false;
  if (!it->second.empty()) pending_signals_.insert(sig);
  return true;
}

void Shell::default_signal(int sig) {
  // Ctrl-C and window changes belong to the foreground job or the prompt; a hang-up or a TERM
  // ends the session.
  if (sig == SIGHUP || sig == SIGTERM) on_hangup();
  if (sig == SIGINT && terminal_) interrupted_ = true;
}

void Shell::drain_signals() {
  if (signal_fd_ < 0) return;
  signalfd_siginfo info;
  while (read(signal_fd_, &info, sizeof info) == sizeof info) {
    const int sig = static_cast<int>(info.ssi_signo);
    if (!take_signal(sig)) default_signal(sig);
  }
}

void Shell::run_pending_traps() {
  if (in_trap_ || (trapped_.empty() && pending_signals_.empty())) return;
  drain_signals();
  in_trap_ = true;
  std::set<int> later;  // for the shell a subshell runs in
  while (!pending_signals_.empty() && !exit_requested_) {
    const int sig = *pending_signals_.begin();
    pending_signals_.erase(pending_signals_.begin());
    const auto it = traps_.find(sigabbrev_np(sig));
    if (it == traps_.end() && subshell_depth_ > 0) later.insert(sig);
    if (it == traps_.end() || it->second.empty()) continue;
    // XCU 2.11: $? after the action is what it was before it ran (unless it exits).
    const int saved_status = last_status_;
    const Flow saved_flow = flow_;
    const int saved_count = flow_count_;
    flow_ = Flow::none;
    const std::string action = it->second;  // the action may change its own trap
    run_source(action);
    last_status_ = saved_status;
    if (flow_ == Flow::none) {
      flow_ = saved_flow;
      flow_count_ = saved_count;
    }
  }
  pending_signals_.merge(later);
  in_trap_ = false;
}

}  // namespace stsh::shell
