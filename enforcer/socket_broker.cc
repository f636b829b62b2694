#include "enforcer/socket_broker.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <linux/openat2.h>
#include <netinet/in.h>
#include <sys/stat.h>

#include "enforcer/blocking_pool.h"
#include "enforcer/tracee.h"
#include "policy/address.h"

namespace stsh::enforcer {

bool is_brokered_socket_call(int nr) {
  return nr == SYS_connect || nr == SYS_bind || nr == SYS_listen;
}

std::optional<SocketRequest> read_address(pid_t pid, pid_t tgid, unsigned long addr, socklen_t len,
                                          bool creates, int& error) {
  SocketRequest req;
  error = 0;
  if (len > sizeof req.addr) {
    error = EINVAL;
    return std::nullopt;
  }
  iovec local{&req.addr, len};
  iovec remote{reinterpret_cast<void*>(addr), len};
  if (len > 0 && process_vm_readv(pid, &local, 1, &remote, 1, 0) != static_cast<ssize_t>(len)) {
    error = EFAULT;
    return std::nullopt;
  }
  req.len = len;
  // A unix path names a file: canonical like any other path, and absolute, because we make
  // the call from our own working directory.
  if (req.addr.ss_family == AF_UNIX && len > offsetof(sockaddr_un, sun_path)) {
    auto* un = reinterpret_cast<sockaddr_un*>(&req.addr);
    const size_t max = len - offsetof(sockaddr_un, sun_path);
    const std::string path(un->sun_path, strnlen(un->sun_path, max));
    if (!path.empty()) {  // not abstract, not unnamed
      std::optional<std::string> canonical;
      if (!creates) {
        canonical = resolve_for(pid, AT_FDCWD, path, tgid);
      } else {
        const size_t slash = path.rfind('/');
        const std::string dir =
            slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
        if (auto parent = resolve_for(pid, AT_FDCWD, dir, tgid)) {
          canonical = (*parent == "/" ? "" : *parent) + "/" + path.substr(slash + 1);
        }
      }
      if (!canonical) {
        error = ENOENT;
        return std::nullopt;
      }
      if (canonical->size() >= sizeof un->sun_path) {
        error = ENAMETOOLONG;
        return std::nullopt;
      }
      req.unix_path = *canonical;
      std::memset(un->sun_path, 0, sizeof un->sun_path);
      std::memcpy(un->sun_path, canonical->data(), canonical->size());
      req.len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + canonical->size() + 1);
    }
  }
  auto text = policy::format_sockaddr(reinterpret_cast<const sockaddr*>(&req.addr), req.len);
  if (!text) {
    error = EINVAL;
    return std::nullopt;
  }
  req.text = *text;
  return req;
}

std::optional<SocketRequest> read_socket_request(const seccomp_notif& n, pid_t tgid, int& error) {
  auto req = read_address(static_cast<pid_t>(n.pid), tgid, n.data.args[1],
                          static_cast<socklen_t>(n.data.args[2]),
                          /* creates= */ n.data.nr == SYS_bind, error);
  if (req) req->sockfd = static_cast<int>(n.data.args[0]);
  return req;
}

policy::Call socket_call(int nr, const SocketRequest& req) {
  policy::Call c;
  c.syscall = nr;
  c.sockaddr = req.text;
  return c;
}

namespace {

UniqueFd open_no_symlinks(const std::string& path, unsigned long long flags) {
  open_how how{};
  how.flags = flags | O_PATH | O_CLOEXEC;
  how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  return UniqueFd(static_cast<int>(syscall(SYS_openat2, AT_FDCWD, path.c_str(), &how, sizeof how)));
}

// bind of a unix path: the name made in the decided directory, whatever its path names now.
// Needs a worker's own working directory (blocking_pool.h); the process's umask shapes the
// socket file's mode, as it would have.
int bind_unix_on_behalf(pid_t tgid, int sock, const SocketRequest& req) {
  if (!BlockingPool::on_private_worker()) return -EACCES;
  const size_t slash = req.unix_path.rfind('/');
  const std::string dir = slash == 0 ? "/" : req.unix_path.substr(0, slash);
  const std::string name = req.unix_path.substr(slash + 1);
  const UniqueFd parent = open_no_symlinks(dir, O_DIRECTORY);
  if (!parent) return -errno;
  const auto mask = process_umask(tgid);
  if (!mask) return -ESRCH;
  sockaddr_un un{};
  un.sun_family = AF_UNIX;
  if (name.empty() || name.size() >= sizeof un.sun_path) return -ENAMETOOLONG;
  std::memcpy(un.sun_path, name.data(), name.size());
  if (fchdir(parent.get()) != 0) return -errno;
  umask(static_cast<mode_t>(*mask));
  const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size() + 1);
  return bind(sock, reinterpret_cast<const sockaddr*>(&un), len) == 0 ? 0 : -errno;
}

}  // namespace

int pin_unix_destination(SocketRequest& req, UniqueFd& held) {
  if (req.unix_path.empty()) return 0;
  held = open_no_symlinks(req.unix_path, 0);
  if (!held) return -errno;
  auto* un = reinterpret_cast<sockaddr_un*>(&req.addr);
  const std::string name = "/proc/self/fd/" + std::to_string(held.get());
  std::memset(un->sun_path, 0, sizeof un->sun_path);
  std::memcpy(un->sun_path, name.data(), name.size());
  req.len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size() + 1);
  return 0;
}

int socket_call_on_behalf(pid_t tgid, int nr, const SocketRequest& req) {
  const int fd = duplicate_descriptor(tgid, req.sockfd);
  if (fd < 0) return fd;
  const UniqueFd sock(fd);
  if (nr == SYS_bind && !req.unix_path.empty()) return bind_unix_on_behalf(tgid, fd, req);
  SocketRequest pinned = req;
  UniqueFd held;
  if (const int rc = pin_unix_destination(pinned, held); rc < 0) return rc;
  const auto* sa = reinterpret_cast<const sockaddr*>(&pinned.addr);
  const int rc = nr == SYS_connect ? connect(fd, sa, pinned.len) : bind(fd, sa, pinned.len);
  return rc == 0 ? 0 : -errno;
}

std::optional<std::string> listen_address(pid_t tgid, int sockfd, UniqueFd& socket, int& error) {
  const int fd = duplicate_descriptor(tgid, sockfd);
  if (fd < 0) {
    error = -fd;
    return std::nullopt;
  }
  socket.reset(fd);
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) {
    error = errno;  // not a socket: listen() would say the same
    return std::nullopt;
  }
  switch (ss.ss_family) {
    case AF_INET:
      if (reinterpret_cast<const sockaddr_in*>(&ss)->sin_port != 0) return "";
      return "inet:0.0.0.0:0";
    case AF_INET6:
      if (reinterpret_cast<const sockaddr_in6*>(&ss)->sin6_port != 0) return "";
      return "inet6:[::]:0";
    case AF_UNIX:
      // Unbound: only the family comes back. listen() would autobind an abstract name.
      return len > offsetof(sockaddr_un, sun_path) ? "" : "unix:";
    default:
      return "";  // families without autobind (the kernel tier bounds which exist)
  }
}

}  // namespace stsh::enforcer
