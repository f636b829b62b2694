// The kernel's audit netlink interface (NETLINK_AUDIT), as stsh-audit uses it:
//
//  - AuditLogReader joins the multicast group AUDIT_NLGRP_READLOG, the "best effort" read-only
//    copy of every record that the kernel sends besides (not instead of) auditd's unicast
//    stream. So stsh-audit coexists with auditd and never takes its place. Joining needs
//    CAP_AUDIT_READ. A reader that does not keep up loses datagrams: the kernel then reports
//    ENOBUFS once on the next receive, without a count.
//  - AuditControl sends requests to the kernel and waits for the answer: AUDIT_GET (the status:
//    enabled, backlog_limit, lost), AUDIT_SET (enabled, backlog_limit; CAP_AUDIT_CONTROL), and
//    AUDIT_USER messages (CAP_AUDIT_WRITE), which come back on the multicast group in the order
//    the kernel queued them: stsh-audit's barriers.
//
// The kernel answers a request during the sendmsg() itself (audit_receive() runs in the
// sender's context), so the waits here are short; they are bounded by a receive timeout anyway.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "enforcer/unique_fd.h"
#include "policy/result.h"

namespace stsh::enforcer {

struct AuditStatus {
  std::uint32_t enabled = 0;  // 0 off, 1 on, 2 on and locked
  std::uint32_t failure = 0;
  std::uint32_t pid = 0;  // auditd's, 0 when none
  std::uint32_t rate_limit = 0;
  std::uint32_t backlog_limit = 0;
  std::uint32_t lost = 0;  // records the kernel could not queue, since boot (wraps)
  std::uint32_t backlog = 0;
};

class AuditControl {
 public:
  static Result<AuditControl> open();

  Result<AuditStatus> get_status();
  Status set_enabled(std::uint32_t enabled);
  Status set_backlog_limit(std::uint32_t limit);
  // An AUDIT_USER record with `text` as its msg='...'. The text must not hold a quote.
  Status send_user(std::string_view text);

 private:
  explicit AuditControl(UniqueFd fd) : fd_(std::move(fd)) {}
  // Sends one request; with `want_reply`, waits for the reply of that type (AUDIT_GET), else
  // for the kernel's acknowledgement.
  Status request(std::uint16_t type, const void* payload, std::size_t size, std::string* reply,
                 std::uint16_t reply_type);

  UniqueFd fd_;
  std::uint32_t seq_ = 0;
};

class AuditLogReader {
 public:
  // Joins AUDIT_NLGRP_READLOG, non-blocking, with a receive buffer of `rcvbuf` bytes (forced:
  // SO_RCVBUFFORCE, so the system's rmem_max does not cut it).
  static Result<AuditLogReader> open(int rcvbuf);

  [[nodiscard]] int fd() const { return fd_.get(); }

  enum class Got { record, would_block, overrun, error };
  struct Received {
    Got got = Got::would_block;
    int type = 0;
    std::string_view text;  // valid until the next receive()
    int error = 0;
  };
  // One datagram. `overrun`: ENOBUFS, records were dropped before this point.
  Received receive();

 private:
  explicit AuditLogReader(UniqueFd fd) : fd_(std::move(fd)), buffer_(kBufferSize, '\0') {}
  static constexpr std::size_t kBufferSize = 65536;
  UniqueFd fd_;
  std::string buffer_;
};

}  // namespace stsh::enforcer
