// Passing one descriptor over a unix socket (SCM_RIGHTS): how a confined child hands its
// seccomp listener to the supervisor.
#pragma once

namespace stsh::enforcer {

// Returns 0 or -1 (errno set). Async-signal-safe: called between fork and exec.
int send_fd(int socket, int fd) noexcept;
// The received descriptor (close-on-exec), or -1.
int receive_fd(int socket) noexcept;

}  // namespace stsh::enforcer
