#include "enforcer/send_broker.h"

#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include "enforcer/tracee.h"
#include "enforcer/unique_fd.h"

namespace stsh::enforcer {
namespace {

constexpr size_t kMaxData = 1 << 20;      // per call; see read_send_request
constexpr size_t kMaxControl = 64 << 10;  // control messages of one message
constexpr size_t kMaxMessages = 1024;     // sendmmsg's UIO_MAXIOV

bool read_exact(pid_t pid, unsigned long addr, void* out, size_t len) {
  if (len == 0) return true;
  iovec local{out, len};
  iovec remote{reinterpret_cast<void*>(addr), len};
  return process_vm_readv(pid, &local, 1, &remote, 1, 0) == static_cast<ssize_t>(len);
}

// One msghdr's worth: the address, the gathered iovecs (within `budget` bytes), the control.
bool read_message(pid_t pid, pid_t tgid, const msghdr& h, size_t& budget, SendMessage& m,
                  int& error) {
  if (h.msg_name != nullptr && h.msg_namelen > 0) {
    m.destination = read_address(pid, tgid, reinterpret_cast<unsigned long>(h.msg_name),
                                 h.msg_namelen, /* creates= */ false, error);
    if (!m.destination) return false;
  }
  if (h.msg_iovlen > IOV_MAX) {
    error = EMSGSIZE;
    return false;
  }
  std::vector<iovec> iov(h.msg_iovlen);
  if (!read_exact(pid, reinterpret_cast<unsigned long>(h.msg_iov), iov.data(),
                  iov.size() * sizeof(iovec))) {
    error = EFAULT;
    return false;
  }
  for (const iovec& v : iov) {
    const size_t take = std::min(v.iov_len, budget);
    const size_t at = m.data.size();
    m.data.resize(at + take);
    if (!read_exact(pid, reinterpret_cast<unsigned long>(v.iov_base), m.data.data() + at, take)) {
      error = EFAULT;
      return false;
    }
    budget -= take;
  }
  if (h.msg_control != nullptr && h.msg_controllen > 0) {
    if (h.msg_controllen > kMaxControl) {
      error = ENOBUFS;
      return false;
    }
    m.control.resize(h.msg_controllen);
    if (!read_exact(pid, reinterpret_cast<unsigned long>(h.msg_control), m.control.data(),
                    m.control.size())) {
      error = EFAULT;
      return false;
    }
  }
  return true;
}

// Our copy of the control messages with every SCM_RIGHTS descriptor replaced by our duplicate
// of the process's (kept open in `owned` until the send is done).
bool translate_rights(pid_t tgid, std::vector<char>& control, std::vector<UniqueFd>& owned,
                      int& error) {
  msghdr h{};
  h.msg_control = control.data();
  h.msg_controllen = control.size();
  for (cmsghdr* c = CMSG_FIRSTHDR(&h); c != nullptr; c = CMSG_NXTHDR(&h, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    const size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    auto* fds = reinterpret_cast<int*>(CMSG_DATA(c));
    for (size_t i = 0; i < count; ++i) {
      int theirs = 0;
      std::memcpy(&theirs, fds + i, sizeof theirs);
      const int ours = duplicate_descriptor(tgid, theirs);
      if (ours < 0) {
        error = -ours;
        return false;
      }
      owned.emplace_back(ours);
      std::memcpy(fds + i, &ours, sizeof ours);
    }
  }
  return true;
}

}  // namespace

bool is_brokered_send_call(int nr) {
  return nr == SYS_sendto || nr == SYS_sendmsg || nr == SYS_sendmmsg;
}

std::optional<SendRequest> read_send_request(const seccomp_notif& n, pid_t tgid, int& error) {
  const auto pid = static_cast<pid_t>(n.pid);
  const auto& a = n.data.args;
  SendRequest req;
  req.nr = static_cast<int>(n.data.nr);
  req.sockfd = static_cast<int>(a[0]);
  size_t budget = kMaxData;
  error = 0;
  if (req.nr == SYS_sendto) {
    req.flags = static_cast<int>(a[3]);
    SendMessage m;
    if (a[4] != 0) {
      m.destination =
          read_address(pid, tgid, a[4], static_cast<socklen_t>(a[5]), /* creates= */ false, error);
      if (!m.destination) return std::nullopt;
    }
    m.data.resize(std::min<size_t>(a[2], budget));
    if (!read_exact(pid, a[1], m.data.data(), m.data.size())) {
      error = EFAULT;
      return std::nullopt;
    }
    req.messages.push_back(std::move(m));
    return req;
  }
  if (req.nr == SYS_sendmsg) {
    req.flags = static_cast<int>(a[2]);
    msghdr h{};
    SendMessage m;
    if (!read_exact(pid, a[1], &h, sizeof h)) {
      error = EFAULT;
      return std::nullopt;
    }
    if (!read_message(pid, tgid, h, budget, m, error)) return std::nullopt;
    req.messages.push_back(std::move(m));
    return req;
  }
  // sendmmsg(fd, msgvec, vlen, flags)
  req.flags = static_cast<int>(a[3]);
  const size_t count = std::min<size_t>(a[2], kMaxMessages);
  std::vector<mmsghdr> vec(count);
  if (!read_exact(pid, a[1], vec.data(), count * sizeof(mmsghdr))) {
    error = EFAULT;
    return std::nullopt;
  }
  for (size_t i = 0; i < count; ++i) {
    SendMessage m;
    if (!read_message(pid, tgid, vec[i].msg_hdr, budget, m, error)) return std::nullopt;
    m.len_address = a[1] + i * sizeof(mmsghdr) + offsetof(mmsghdr, msg_len);
    req.messages.push_back(std::move(m));
  }
  return req;
}

std::vector<policy::Call> send_calls(const SendRequest& req) {
  std::vector<policy::Call> calls;
  for (const SendMessage& m : req.messages) {
    if (!m.destination) continue;
    policy::Call c;
    // sendmmsg is decided as the sendmsg of each of its messages.
    c.syscall = req.nr == SYS_sendmmsg ? SYS_sendmsg : req.nr;
    c.sockaddr = m.destination->text;
    calls.push_back(std::move(c));
  }
  return calls;
}

long send_on_behalf(pid_t tgid, const SendRequest& req) {
  const int raw = duplicate_descriptor(tgid, req.sockfd);
  if (raw < 0) return raw;
  UniqueFd fd(raw);
  std::vector<UniqueFd> owned;
  std::vector<msghdr> headers;
  std::vector<iovec> iovs(req.messages.size());
  std::vector<std::vector<char>> controls;
  controls.reserve(req.messages.size());
  // Unix path destinations reach the decided socket file through a descriptor of it
  // (socket_broker.h): our copies of the addresses say /proc/self/fd/N.
  std::vector<SocketRequest> destinations(req.messages.size());
  std::vector<UniqueFd> pinned(req.messages.size());
  for (size_t i = 0; i < req.messages.size(); ++i) {
    const SendMessage& m = req.messages[i];
    msghdr h{};
    if (m.destination) {
      destinations[i] = *m.destination;
      if (const int rc = pin_unix_destination(destinations[i], pinned[i]); rc < 0) return rc;
      h.msg_name = &destinations[i].addr;
      h.msg_namelen = destinations[i].len;
    }
    iovs[i] = iovec{const_cast<char*>(m.data.data()), m.data.size()};
    h.msg_iov = &iovs[i];
    h.msg_iovlen = 1;
    controls.push_back(m.control);
    if (!controls.back().empty()) {
      int error = 0;
      if (!translate_rights(tgid, controls.back(), owned, error)) return -error;
      h.msg_control = controls.back().data();
      h.msg_controllen = controls.back().size();
    }
    headers.push_back(h);
  }
  // MSG_NOSIGNAL: a broken pipe is the process's EPIPE, not a SIGPIPE to us.
  const int flags = req.flags | MSG_NOSIGNAL;
  if (req.nr != SYS_sendmmsg) {
    const ssize_t n = sendmsg(fd.get(), &headers[0], flags);
    return n < 0 ? -errno : n;
  }
  std::vector<mmsghdr> vec(headers.size());
  for (size_t i = 0; i < headers.size(); ++i) vec[i].msg_hdr = headers[i];
  const int sent = sendmmsg(fd.get(), vec.data(), static_cast<unsigned>(vec.size()), flags);
  if (sent < 0) return -errno;
  for (int i = 0; i < sent; ++i) {
    iovec local{&vec[static_cast<size_t>(i)].msg_len, sizeof(unsigned)};
    iovec remote{reinterpret_cast<void*>(req.messages[static_cast<size_t>(i)].len_address),
                 sizeof(unsigned)};
    process_vm_writev(tgid, &local, 1, &remote, 1, 0);
  }
  return sent;
}

}  // namespace stsh::enforcer
