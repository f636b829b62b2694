#include "enforcer/socket_broker.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "enforcer/tracee.h"
#include "policy/address.h"

namespace stsh::enforcer {

bool is_brokered_socket_call(int nr) {
  return nr == SYS_connect || nr == SYS_bind;
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

int duplicate_descriptor(pid_t tgid, int sockfd) {
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, tgid, 0));
  if (pidfd < 0) return -errno;
  const int fd = static_cast<int>(syscall(SYS_pidfd_getfd, pidfd, sockfd, 0));
  const int getfd_errno = errno;
  close(pidfd);
  return fd < 0 ? -getfd_errno : fd;
}

policy::Call socket_call(int nr, const SocketRequest& req) {
  policy::Call c;
  c.syscall = nr;
  c.sockaddr = req.text;
  return c;
}

int socket_call_on_behalf(pid_t tgid, int nr, const SocketRequest& req) {
  const int fd = duplicate_descriptor(tgid, req.sockfd);
  if (fd < 0) return fd;
  const auto* sa = reinterpret_cast<const sockaddr*>(&req.addr);
  const int rc = nr == SYS_connect ? connect(fd, sa, req.len) : bind(fd, sa, req.len);
  const int err = errno;
  close(fd);
  return rc == 0 ? 0 : -err;
}

}  // namespace stsh::enforcer
