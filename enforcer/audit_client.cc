#include "enforcer/audit_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>

#include "stsh_config.h"

namespace stsh::enforcer {
namespace {

using Clock = std::chrono::steady_clock;
using audit_wire::Message;

std::chrono::milliseconds left(Clock::time_point deadline) {
  const auto d = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return d.count() < 0 ? std::chrono::milliseconds(0) : d;
}

}  // namespace

const std::string* KernelDenial::get(std::string_view key) const {
  for (const auto& [k, v] : object)
    if (k == key) return &v;
  return nullptr;
}

std::uint64_t AuditBatch::lost() const {
  std::uint64_t n = 0;
  for (const auto& l : losses) n += l.count;
  return n;
}

std::optional<KernelDenial> denial_from_message(const Message& m) {
  if (m.verb != "DENIAL") return std::nullopt;
  KernelDenial d;
  const auto creator = m.number("creator");
  const std::string* domain = m.get("domain");
  const std::string* blockers = m.get("blockers");
  if (!creator || domain == nullptr || blockers == nullptr) return std::nullopt;
  d.creator = static_cast<pid_t>(*creator);
  d.domain = *domain;
  d.blockers = *blockers;
  if (const auto pid = m.number("pid")) d.pid = static_cast<pid_t>(*pid);
  if (const auto nr = m.number("syscall")) d.syscall = static_cast<long>(*nr);
  for (const auto& [k, v] : m.fields) {
    if (k == "domain" || k == "creator" || k == "pid" || k == "syscall" || k == "blockers")
      continue;
    if (k == "exe") {
      d.exe = v;
    } else if (k == "exit") {
      d.exit = v;
    } else {
      d.object.emplace_back(k, v);
    }
  }
  return d;
}

Result<AuditClient> AuditClient::connect(Milliseconds timeout) {
  return connect_to(STSH_AUDIT_SOCKET, timeout);
}

Result<AuditClient> AuditClient::connect_to(const std::string& path, Milliseconds timeout) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd)
    return make_error(std::string("socket(AF_UNIX, SOCK_SEQPACKET): ") + std::strerror(errno));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) return make_error("socket path too long: " + path);
  std::memcpy(addr.sun_path, path.data(), path.size());
  const auto deadline = Clock::now() + timeout;
  // A unix socket connects at once or not at all: EAGAIN means the daemon's backlog is full,
  // and the call must be made again (polling would not complete it).
  while (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (errno == EINTR) continue;
    if (errno == ENOENT || errno == ECONNREFUSED)
      return make_error("stsh-audit is not running (nothing listens on " + path + ")");
    if (errno != EAGAIN) return make_error("connect " + path + ": " + std::strerror(errno));
    if (left(deadline).count() == 0)
      return make_error("stsh-audit did not accept the connection in time");
    ::poll(nullptr, 0, 10);
  }
  // Only root may be the reader: anything else could feed us invented denials, or none.
  ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(fd.get(), SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
    return make_error(std::string("SO_PEERCRED: ") + std::strerror(errno));
  if (cred.uid != 0)
    return make_error("the process on " + path + " is not root (uid " + std::to_string(cred.uid) +
                      "): not stsh-audit");
  AuditClient c(std::move(fd));
  auto st = c.send_message(Message{"HELLO", {{"version", std::to_string(audit_wire::kVersion)}}},
                           left(deadline));
  if (!st) {
    // A daemon that refuses a connection (too many of this uid) answers and closes at once,
    // possibly before HELLO is sent: its answer is the reason.
    char buf[256];
    ssize_t n = ::recv(c.fd_.get(), buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0 && errno == ECONNRESET) n = ::recv(c.fd_.get(), buf, sizeof buf, MSG_DONTWAIT);
    auto m = n > 0 ? audit_wire::parse_message(std::string_view(buf, static_cast<std::size_t>(n)))
                   : Result<Message>(make_error("no answer"));
    if (m && m->verb == "UNAVAILABLE" && m->get("reason") != nullptr)
      return make_error(*m->get("reason"));
    return st.take_error();
  }
  for (;;) {
    auto reply = c.receive(left(deadline));
    if (!reply) {
      if (c.broken_) return make_error("stsh-audit closed the connection");
      return make_error("stsh-audit did not answer HELLO in time");
    }
    if (reply->verb == "READY") {
      if (reply->number("version") != audit_wire::kVersion)
        return make_error("stsh-audit speaks another protocol version");
      return c;
    }
    if (reply->verb == "UNAVAILABLE") {
      const std::string* reason = reply->get("reason");
      return make_error(reason != nullptr ? *reason : std::string("unavailable"));
    }
    if (reply->verb == "ERR") return make_error("stsh-audit refused HELLO");
  }
}

Status AuditClient::send_message(const Message& m, Milliseconds timeout) {
  if (broken_) return make_error("the connection to stsh-audit is closed");
  const std::string text = m.text();
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    if (::send(fd_.get(), text.data(), text.size(), MSG_DONTWAIT | MSG_NOSIGNAL) >= 0) return Ok{};
    if (errno == EINTR) continue;
    if (errno != EAGAIN) {
      broken_ = true;
      return make_error(std::string("send to stsh-audit: ") + std::strerror(errno));
    }
    pollfd p{fd_.get(), POLLOUT, 0};
    if (::poll(&p, 1, static_cast<int>(left(deadline).count())) <= 0)
      return make_error("stsh-audit does not take requests");
  }
}

std::optional<Message> AuditClient::receive(Milliseconds timeout) {
  if (broken_) return std::nullopt;
  const auto deadline = Clock::now() + timeout;
  std::string buf(audit_wire::kMaxMessage + 1, '\0');
  // A flood of DENIALs must not keep the caller here: past the deadline (or 1024 messages
  // without waiting) it returns, and the descriptor stays readable for the next call.
  for (int taken = 0;; ++taken) {
    if (timeout.count() == 0 ? taken >= 1024 : taken > 0 && Clock::now() >= deadline)
      return std::nullopt;
    const ssize_t n = ::recv(fd_.get(), buf.data(), buf.size(), MSG_DONTWAIT);
    // ECONNRESET: the daemon closed with our request unread (it refused us). The error is
    // reported once, before what it sent; read on for that (then end of file).
    if (n < 0 && (errno == EINTR || errno == ECONNRESET)) continue;
    if (n < 0 && errno == EAGAIN) {
      const auto wait = left(deadline);
      if (wait.count() == 0) return std::nullopt;
      pollfd p{fd_.get(), POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(wait.count())) < 0 && errno != EINTR) return std::nullopt;
      continue;
    }
    if (n <= 0) {
      broken_ = true;
      if (!buffered_.unavailable) buffered_.unavailable = "connection to stsh-audit closed";
      return std::nullopt;
    }
    auto m = audit_wire::parse_message(std::string_view(buf.data(), static_cast<std::size_t>(n)));
    if (!m) continue;  // the reader is root; a message we cannot read is skipped, not trusted
    if (m->verb == "DENIAL") {
      if (auto d = denial_from_message(*m)) buffered_.denials.push_back(std::move(*d));
      continue;
    }
    if (m->verb == "LOST") {
      const auto count = m->number("count");
      const std::string* reason = m->get("reason");
      buffered_.losses.push_back(
          KernelLoss{count && *count > 0 ? static_cast<std::uint64_t>(*count) : 1,
                     reason != nullptr ? *reason : std::string()});
      continue;
    }
    if (m->verb == "UNAVAILABLE") {
      const std::string* reason = m->get("reason");
      buffered_.unavailable = reason != nullptr ? *reason : std::string("unavailable");
    }
    return std::move(*m);
  }
}

std::optional<Message> AuditClient::await(std::string_view verb, std::string_view key,
                                          std::string_view value, Milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    auto m = receive(left(deadline));
    if (!m) return std::nullopt;
    const std::string* v = m->get(key);
    if ((m->verb == verb || m->verb == "ERR") && v != nullptr && *v == value) return m;
  }
}

Status AuditClient::register_creator(pid_t child, Milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  const std::string pid = std::to_string(child);
  auto st = send_message(Message{"REGISTER", {{"pid", pid}}}, timeout);
  if (!st) return st;
  auto reply = await("OK", "pid", pid, left(deadline));
  if (!reply) return make_error("stsh-audit did not answer REGISTER in time");
  if (reply->verb == "OK") return Ok{};
  const std::string* reason = reply->get("reason");
  return make_error("stsh-audit refused REGISTER pid=" + pid + ": " +
                    (reason != nullptr ? *reason : std::string("?")));
}

Status AuditClient::unregister_creator(pid_t child) {
  return send_message(Message{"UNREGISTER", {{"pid", std::to_string(child)}}}, Milliseconds(100));
}

bool AuditClient::barrier(Milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  const std::string id = std::to_string(next_barrier_++);
  if (!send_message(Message{"BARRIER", {{"id", id}}}, timeout)) return false;
  // The daemon answers within its own timeout; allow a little beyond ours for the reply itself.
  auto reply = await("BARRIER", "id", id, left(deadline) + Milliseconds(100));
  return reply && reply->verb == "BARRIER" && reply->get("timeout") == nullptr;
}

AuditBatch AuditClient::drain() {
  while (receive(Milliseconds(0))) {
    // Replies nobody waits for any more (a late OK or BARRIER) are dropped here.
  }
  AuditBatch out = std::move(buffered_);
  buffered_ = AuditBatch{};
  return out;
}

}  // namespace stsh::enforcer
