// The signal state a launched command starts with (XCU 2.11, "Signals and Error Handling"):
// the defaults, except what its shell ignores for it — a `trap '' SIG`, the signals that were
// ignored when a non-interactive shell started (nohup), SIGINT and SIGQUIT for an
// asynchronous command without job control. (The caller unblocks every signal just before
// the exec, once nothing of its own set-up can be cut short.)
#pragma once

#include <vector>

namespace stsh::enforcer {

// Called in the child between fork and exec: allocation-free. SIGKILL, SIGSTOP and SIGCHLD in
// `ignored` are left at their defaults (an ignored SIGCHLD would change what the command's
// own wait calls see).
void start_signals(const std::vector<int>& ignored);

}  // namespace stsh::enforcer
