// What a launched command starts with besides its confinement: its limits (below) and the
// signal state (XCU 2.11, "Signals and Error Handling"):
// the defaults, except what its shell ignores for it — a `trap '' SIG`, the signals that were
// ignored when a non-interactive shell started (nohup), SIGINT and SIGQUIT for an
// asynchronous command without job control. (The caller unblocks every signal just before
// the exec, once nothing of its own set-up can be cut short.)
#pragma once

#include <cstdint>
#include <vector>

namespace stsh::enforcer {

// Called in the child between fork and exec: allocation-free. SIGKILL, SIGSTOP and SIGCHLD in
// `ignored` are left at their defaults (an ignored SIGCHLD would change what the command's
// own wait calls see).
void start_signals(const std::vector<int>& ignored);

// A limit the command's shell set with `ulimit` (LaunchSpec::limits).
struct LaunchLimit {
  int resource;         // RLIMIT_*
  uint64_t soft, hard;  // RLIM_INFINITY for none
};

// Lowers each limit to `limits`' values, never above the hard limit the process has (the
// session's): a value above it is cut to it. Between fork and exec: allocation-free. False,
// with errno, when the kernel refuses.
bool lower_limits(const std::vector<LaunchLimit>& limits);

}  // namespace stsh::enforcer
