// The supervisor's side of stsh-audit: the denials the kernel (Landlock) made for our commands.
//
// Use, for each launch whose domain the kernel enforces:
//   1. once per session: AuditClient::connect() (an error value says why the kernel tier's
//      denials cannot be recorded; the session then falls back to the supervisor for them);
//   2. fork the child; before it calls landlock_restrict_self(), register_creator(child);
//   3. watch fd() in the event loop; on readable, drain() and record each KernelDenial;
//   4. when the launch's processes are all gone: barrier() (everything the kernel logged before
//      has arrived or been counted as lost), drain(), unregister_creator(child).
//
// The socket path is compiled in (STSH_AUDIT_SOCKET) and the peer must be root: a user cannot
// point a supervisor at a reader of their own. Not thread-safe; one owner.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "enforcer/audit_protocol.h"
#include "enforcer/unique_fd.h"
#include "policy/result.h"

namespace stsh::enforcer {

// One Landlock denial, as the kernel recorded it.
struct KernelDenial {
  std::string domain;           // the domain's id (hex)
  pid_t creator = 0;            // the registered child that made the domain
  std::optional<pid_t> pid;     // the process denied (absent without a SYSCALL record)
  std::optional<long> syscall;  // its syscall number (x86_64)
  std::string blockers;         // "fs.read_file", "fs.make_reg,fs.refer", "net.connect_tcp"
  std::string exe;              // the denied process's executable, when known
  std::string exit;             // the syscall's result as the kernel wrote it ("-13")
  // The object, raw names as the kernel gave them: path, dev, ino; saddr, src, daddr, dest;
  // opid, ocomm.
  std::vector<std::pair<std::string, std::string>> object;

  [[nodiscard]] const std::string* get(std::string_view key) const;
};

// Records that may have been lost: `count` is a lower bound ("receive_overrun" cannot count).
struct KernelLoss {
  std::uint64_t count = 0;
  std::string reason;  // kernel_lost, receive_overrun, client_queue, unparsed_record, ...
};

struct AuditBatch {
  std::vector<KernelDenial> denials;
  std::vector<KernelLoss> losses;
  // The daemon said audit has been disabled (later denials will not be recorded), or the
  // connection ended.
  std::optional<std::string> unavailable;
  [[nodiscard]] std::uint64_t lost() const;
};

class AuditClient {
 public:
  using Milliseconds = std::chrono::milliseconds;

  // Connects and says HELLO. The error's message is the reason ("stsh-audit is not running",
  // "audit_disabled", ...), for the session's log.
  static Result<AuditClient> connect(Milliseconds timeout = Milliseconds(500));
  // The same, to another path: for tests of the client against a fake reader.
  static Result<AuditClient> connect_to(const std::string& path, Milliseconds timeout);

  // Readable when something arrived; then call drain().
  [[nodiscard]] int fd() const { return fd_.get(); }

  // `child`: our own child, still waiting to call landlock_restrict_self(). Waits at most
  // `timeout` for the reader's answer.
  Status register_creator(pid_t child, Milliseconds timeout = Milliseconds(1000));
  // After the launch's whole process tree is gone (and a barrier).
  Status unregister_creator(pid_t child);
  // True when every record the kernel queued before this call has been delivered (or counted
  // in a loss); false on timeout or a broken connection.
  bool barrier(Milliseconds timeout = Milliseconds(500));
  // What has arrived, never waiting; includes what came while register_creator() or barrier()
  // waited.
  AuditBatch drain();

 private:
  explicit AuditClient(UniqueFd fd) : fd_(std::move(fd)) {}
  Status send_message(const audit_wire::Message& m, Milliseconds timeout);
  // Reads one datagram, waiting at most `timeout` (0: not at all). DENIAL and LOST go to the
  // buffer; anything else is returned.
  std::optional<audit_wire::Message> receive(Milliseconds timeout);
  // Waits for a reply with `verb` (or ERR) whose `key` is `value`.
  std::optional<audit_wire::Message> await(std::string_view verb, std::string_view key,
                                           std::string_view value, Milliseconds timeout);

  UniqueFd fd_;
  AuditBatch buffered_;
  std::uint64_t next_barrier_ = 1;
  bool broken_ = false;
};

// The DENIAL / LOST message as a value (used by the client; exposed for tests).
std::optional<KernelDenial> denial_from_message(const audit_wire::Message& m);

}  // namespace stsh::enforcer
