// connect(2) and bind(2) under seccomp user notification: the supervisor reads the address
// once, decides on its canonical text, and performs the call itself on a duplicate of the
// process's socket (pidfd_getfd, Linux 5.6) with its own copy of the address, so the address
// the process can still change is never the one used (the TOCTOU rule, case b).
#pragma once

#include <linux/seccomp.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <optional>
#include <string>

#include "policy/call.h"

namespace stsh::enforcer {

bool is_brokered_socket_call(int nr);

struct SocketRequest {
  int sockfd = -1;
  sockaddr_storage addr{};
  socklen_t len = 0;
  std::string text;  // canonical: "inet:1.2.3.4:80", "unix:/abs/path", "unix:@name"
};

// Reads and canonicalizes the address (a relative unix path is made absolute against the
// process's cwd, its directory resolved). nullopt when unreadable; `error` then says why.
std::optional<SocketRequest> read_socket_request(const seccomp_notif& n, pid_t tgid, int& error);

// The address at `addr` (`len` bytes) in process `pid`, read once and canonicalized: a unix
// path resolved as connect (`creates` false) or bind (true) would resolve it.
std::optional<SocketRequest> read_address(pid_t pid, pid_t tgid, unsigned long addr, socklen_t len,
                                          bool creates, int& error);

// Our duplicate of the process's descriptor `fd` (any kind; pidfd_getfd, Linux 5.6), or -errno.
int duplicate_descriptor(pid_t tgid, int sockfd);

policy::Call socket_call(int nr, const SocketRequest& req);

// Performs connect or bind on the process's socket; returns 0 or -errno. May block (a
// blocking connect): run it off the supervisor's loop.
int socket_call_on_behalf(pid_t tgid, int nr, const SocketRequest& req);

}  // namespace stsh::enforcer
