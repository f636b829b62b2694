// SIGCHLD as a descriptor: blocked in the calling thread (and those it starts) and read from a
// signalfd polled with everything else, by whatever starts and waits for children (the
// supervisor, a nested stsh's plain launcher).
#pragma once

#include "enforcer/unique_fd.h"
#include "policy/result.h"

namespace stsh::enforcer {

Result<UniqueFd> child_signal_fd();

}  // namespace stsh::enforcer
