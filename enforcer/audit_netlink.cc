#include "enforcer/audit_netlink.h"

#include <linux/audit.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace stsh::enforcer {
namespace {

std::string errno_text(const char* what) {
  return std::string(what) + " failed: " + std::strerror(errno);
}

Result<UniqueFd> audit_socket(int extra_flags) {
  UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | extra_flags, NETLINK_AUDIT));
  if (!fd) return make_error(errno_text("socket(AF_NETLINK, NETLINK_AUDIT)"));
  return fd;
}

}  // namespace

Result<AuditControl> AuditControl::open() {
  auto fd = audit_socket(0);
  if (!fd) return fd.take_error();
  sockaddr_nl addr{};
  addr.nl_family = AF_NETLINK;
  if (::bind(fd->get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    return make_error(errno_text("bind(NETLINK_AUDIT)"));
  // The kernel answers during sendmsg(); a second is far more than it ever takes.
  timeval tv{};
  tv.tv_sec = 1;
  if (::setsockopt(fd->get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0)
    return make_error(errno_text("setsockopt(SO_RCVTIMEO)"));
  return AuditControl(std::move(*fd));
}

Status AuditControl::request(std::uint16_t type, const void* payload, std::size_t size,
                             std::string* reply, std::uint16_t reply_type) {
  std::vector<char> out(NLMSG_SPACE(size), '\0');
  auto* nlh = reinterpret_cast<nlmsghdr*>(out.data());
  nlh->nlmsg_len = NLMSG_LENGTH(size);
  nlh->nlmsg_type = type;
  nlh->nlmsg_flags = NLM_F_REQUEST | (reply == nullptr ? NLM_F_ACK : 0);
  nlh->nlmsg_seq = ++seq_;
  nlh->nlmsg_pid = 0;
  if (size > 0) std::memcpy(NLMSG_DATA(nlh), payload, size);
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  ssize_t n;
  do {
    n = ::sendto(fd_.get(), out.data(), nlh->nlmsg_len, 0, reinterpret_cast<sockaddr*>(&kernel),
                 sizeof kernel);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return make_error(errno_text("sendto(NETLINK_AUDIT)"));

  alignas(nlmsghdr) char in[8192];
  // Replies to earlier requests that timed out may still be queued: skip other sequence numbers.
  for (int tries = 0; tries < 16; ++tries) {
    do {
      n = ::recv(fd_.get(), in, sizeof in, 0);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
      if (errno == EAGAIN)
        return make_error("no answer from the kernel's audit netlink within 1 s");
      return make_error(errno_text("recv(NETLINK_AUDIT)"));
    }
    int len = static_cast<int>(n);
    for (auto* h = reinterpret_cast<nlmsghdr*>(in); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
      if (h->nlmsg_seq != seq_) continue;
      if (h->nlmsg_type == NLMSG_ERROR) {
        if (h->nlmsg_len < NLMSG_LENGTH(sizeof(nlmsgerr))) return make_error("short netlink error");
        const auto* e = static_cast<const nlmsgerr*>(NLMSG_DATA(h));
        if (e->error == 0) {
          if (reply == nullptr) return Ok{};
          continue;  // an acknowledgement before the reply
        }
        errno = -e->error;
        return make_error(errno_text("audit netlink request"));
      }
      if (reply != nullptr && h->nlmsg_type == reply_type) {
        reply->assign(static_cast<const char*>(NLMSG_DATA(h)), h->nlmsg_len - NLMSG_HDRLEN);
        return Ok{};
      }
    }
  }
  return make_error("no matching answer from the kernel's audit netlink");
}

Result<AuditStatus> AuditControl::get_status() {
  std::string reply;
  auto st = request(AUDIT_GET, nullptr, 0, &reply, AUDIT_GET);
  if (!st) return st.take_error();
  audit_status raw{};
  // Older kernels send a shorter struct; the fields we use are in every version.
  if (reply.size() < offsetof(audit_status, backlog) + sizeof raw.backlog)
    return make_error("short AUDIT_GET reply");
  std::memcpy(&raw, reply.data(), std::min(reply.size(), sizeof raw));
  AuditStatus s;
  s.enabled = raw.enabled;
  s.failure = raw.failure;
  s.pid = raw.pid;
  s.rate_limit = raw.rate_limit;
  s.backlog_limit = raw.backlog_limit;
  s.lost = raw.lost;
  s.backlog = raw.backlog;
  return s;
}

Status AuditControl::set_enabled(std::uint32_t enabled) {
  audit_status s{};
  s.mask = AUDIT_STATUS_ENABLED;
  s.enabled = enabled;
  return request(AUDIT_SET, &s, sizeof s, nullptr, 0);
}

Status AuditControl::set_backlog_limit(std::uint32_t limit) {
  audit_status s{};
  s.mask = AUDIT_STATUS_BACKLOG_LIMIT;
  s.backlog_limit = limit;
  return request(AUDIT_SET, &s, sizeof s, nullptr, 0);
}

Status AuditControl::send_user(std::string_view text) {
  if (text.find('\'') != std::string_view::npos) return make_error("quote in an AUDIT_USER text");
  std::string payload(text);
  payload.push_back('\0');
  return request(AUDIT_USER, payload.data(), payload.size(), nullptr, 0);
}

Result<AuditLogReader> AuditLogReader::open(int rcvbuf) {
  auto fd = audit_socket(SOCK_NONBLOCK);
  if (!fd) return fd.take_error();
  if (::setsockopt(fd->get(), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) != 0)
    return make_error(errno_text("setsockopt(SO_RCVBUFFORCE)"));
  sockaddr_nl addr{};
  addr.nl_family = AF_NETLINK;
  addr.nl_groups = 1U << (AUDIT_NLGRP_READLOG - 1);
  if (::bind(fd->get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (errno == EPERM)
      return make_error("joining the audit log multicast group needs CAP_AUDIT_READ");
    return make_error(errno_text("bind(NETLINK_AUDIT, AUDIT_NLGRP_READLOG)"));
  }
  return AuditLogReader(std::move(*fd));
}

AuditLogReader::Received AuditLogReader::receive() {
  Received r;
  ssize_t n;
  do {
    n = ::recv(fd_.get(), buffer_.data(), buffer_.size(), MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno == EAGAIN) return r;
    r.got = errno == ENOBUFS ? Got::overrun : Got::error;
    r.error = errno;
    return r;
  }
  if (static_cast<std::size_t>(n) < NLMSG_HDRLEN) {
    r.got = Got::error;
    r.error = EBADMSG;
    return r;
  }
  const auto* h = reinterpret_cast<const nlmsghdr*>(buffer_.data());
  // The multicast copy carries the right length; unicast audit messages historically did not
  // count the header, so trust neither beyond what was received.
  std::size_t len = h->nlmsg_len;
  if (len < NLMSG_HDRLEN || len > static_cast<std::size_t>(n)) len = static_cast<std::size_t>(n);
  r.got = Got::record;
  r.type = h->nlmsg_type;
  r.text = std::string_view(buffer_.data() + NLMSG_HDRLEN, len - NLMSG_HDRLEN);
  return r;
}

}  // namespace stsh::enforcer
