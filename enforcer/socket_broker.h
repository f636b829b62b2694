// connect(2), bind(2) and listen(2) under seccomp user notification: the supervisor reads the
// address once, decides on its canonical text, and performs the call itself on a duplicate of
// the process's socket (pidfd_getfd, Linux 5.6) with its own copy of the address, so the
// address the process can still change is never the one used (the TOCTOU rule, case b).
//
// A unix socket path is a file name, and a name is resolved again by whoever uses it: handing
// the canonical path to connect() would let a directory or symlink swapped in after the
// decision (a rename the supervisor itself serves meanwhile) take the call elsewhere. So the
// decided object is pinned first: connect and sendto reach the socket file through
// /proc/self/fd/N of an O_PATH descriptor opened with RESOLVE_NO_SYMLINKS (the kernel's walk of
// that name ends at that very inode), and bind creates its name from a descriptor of the
// canonical parent directory (fchdir in a worker with a working directory of its own). A swap
// makes the call fail (ELOOP, ENOENT), never reach another file.
//
// listen() on a socket never bound binds it to an address of the kernel's choosing (every
// interface, an ephemeral port; an abstract name for a unix socket): that is decided as a bind
// of "inet:0.0.0.0:0", "inet6:[::]:0" or "unix:" (unnamed, which no list can permit), and
// performed on the duplicate, so a descriptor swapped under the same number cannot be what
// listens.
#pragma once

#include <linux/seccomp.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <optional>
#include <string>

#include "enforcer/unique_fd.h"
#include "policy/call.h"

namespace stsh::enforcer {

bool is_brokered_socket_call(int nr);

struct SocketRequest {
  int sockfd = -1;
  sockaddr_storage addr{};
  socklen_t len = 0;
  std::string text;  // canonical: "inet:1.2.3.4:80", "unix:/abs/path", "unix:@name"
  std::string unix_path;  // the canonical path of a unix socket file, "" for other addresses
};

// Reads and canonicalizes the address (a relative unix path is made absolute against the
// process's cwd, its directory resolved). nullopt when unreadable; `error` then says why.
std::optional<SocketRequest> read_socket_request(const seccomp_notif& n, pid_t tgid, int& error);

// The address at `addr` (`len` bytes) in process `pid`, read once and canonicalized: a unix
// path resolved as connect (`creates` false) or bind (true) would resolve it.
std::optional<SocketRequest> read_address(pid_t pid, pid_t tgid, unsigned long addr, socklen_t len,
                                          bool creates, int& error);

policy::Call socket_call(int nr, const SocketRequest& req);

// Points `req`'s address at the socket file it names through /proc/self/fd/N of `held`, an
// O_PATH descriptor of the decided path opened without following symlinks. 0 or -errno. A
// request that is no unix path is left as it is.
int pin_unix_destination(SocketRequest& req, UniqueFd& held);

// listen(2) on the process's socket `sockfd`: the address an unbound socket would be given
// (see above), or "" when it is bound already (its bind was decided). nullopt with `error`
// when the descriptor cannot be had. `socket` is set to our duplicate, to listen on.
std::optional<std::string> listen_address(pid_t tgid, int sockfd, UniqueFd& socket, int& error);

// Performs connect or bind on the process's socket; returns 0 or -errno. May block (a
// blocking connect): run it off the supervisor's loop.
int socket_call_on_behalf(pid_t tgid, int nr, const SocketRequest& req);

}  // namespace stsh::enforcer
