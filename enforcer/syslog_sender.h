// A syslog client that never blocks its caller: records go into a bounded queue, and one
// background thread hands them to the daemon without ever waiting on it for long.
//
// Why not syslog(3): it blocks in send() when the daemon's socket is full (a stopped rsyslogd,
// or any local user filling /dev/log), and the supervisor blocking there holds every confined
// process and every new login; and it drops silently what it cannot send.
//
// Here: submit() only takes a lock and appends. The thread sends with MSG_DONTWAIT; while the
// daemon takes nothing it waits for room (poll) and retries; when the daemon is gone
// (ECONNREFUSED, ENOENT: stopped or restarting) it reconnects with a backoff, so records wait
// out a restart. A full queue (kMaxRecords, kMaxBytes) refuses new records, and refused ones
// are counted: the first record sent afterwards is preceded by one that says how many could
// not be delivered. Nothing is dropped without being counted. The session's end record is
// never refused and carries, when it is sent, how many records were sent and undelivered.
//
// fork(): a child gets a copy of this object but not the thread, and a lock the thread held
// would stay locked there. A child must not log (the supervisor's children exec or _exit);
// submit() in a child does nothing, and destroying the object there touches no lock.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "enforcer/unique_fd.h"

namespace stsh::enforcer {

enum class SendStatus { sent, would_block, disconnected, failed };

// Where datagrams go; the real one is /dev/log, tests inject a fake.
class DatagramSink {
 public:
  virtual ~DatagramSink() = default;
  // Never blocks. `failed`: this datagram can never be sent (too large).
  virtual SendStatus send(std::string_view datagram) = 0;
  // (Re)connects; false while nothing listens.
  virtual bool connect() = 0;
  // Waits at most `timeout` for room to send; may return early.
  virtual void wait_writable(std::chrono::milliseconds timeout) = 0;
  // No daemon's socket exists at all (no syslog on this machine, or a plain file in its
  // place): the end of a session does not wait for one.
  [[nodiscard]] virtual bool absent() const { return false; }
};

// AF_UNIX SOCK_DGRAM to the daemon's socket, as syslog(3) uses it.
class UnixDatagramSink : public DatagramSink {
 public:
  explicit UnixDatagramSink(std::string path = "/dev/log") : path_(std::move(path)) {}
  SendStatus send(std::string_view datagram) override;
  bool connect() override;
  void wait_writable(std::chrono::milliseconds timeout) override;
  [[nodiscard]] bool absent() const override;

 private:
  std::string path_;
  UniqueFd fd_;
};

// "<PRI>Mmm dd hh:mm:ss IDENT[PID]: ", as glibc's syslog(3) writes to /dev/log, so the daemon
// finds the program name and pid the same way.
std::string syslog_header(int facility, int severity, std::string_view ident, pid_t pid,
                          std::chrono::system_clock::time_point when);

enum class RecordKind : std::uint8_t {
  violation,  // counted apart in the loss record
  other,
  end,  // the session's end record: never refused; " sent=N undelivered=N" appended when sent
};

struct SenderStats {
  std::uint64_t sent = 0;                    // handed to the daemon
  std::uint64_t undelivered = 0;             // refused (queue full), failed, or left at close
  std::uint64_t undelivered_violations = 0;  // of which violation records
  std::uint64_t queued = 0;                  // waiting now
  std::uint64_t unreported = 0;              // undelivered, and no record said so yet
};

class SyslogSender {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::size_t kMaxRecords = 1024;
  static constexpr std::size_t kMaxBytes = 1 << 20;

  // `background`: one sender thread. `caller`: what it falls back to when no thread can be
  // made (RLIMIT_NPROC): submit() sends what the daemon takes at once, never waiting, and
  // leaves the rest queued for the next submit(), flush() or close().
  enum class Threading { background, caller };

  // `loss_record(count, violations)`: the message of the record that reports undelivered ones.
  SyslogSender(std::unique_ptr<DatagramSink> sink, std::string ident, int facility,
               std::function<std::string(std::uint64_t, std::uint64_t)> loss_record,
               std::size_t max_records = kMaxRecords, std::size_t max_bytes = kMaxBytes,
               Threading threading = Threading::background);
  // close() with no wait, if it was not called.
  ~SyslogSender();
  SyslogSender(const SyslogSender&) = delete;
  SyslogSender& operator=(const SyslogSender&) = delete;

  // Queues the record; never waits for the daemon. false: refused (counted as undelivered).
  bool submit(int severity, std::string message, RecordKind kind = RecordKind::other);
  // Waits until nothing is queued or `deadline`; true when everything was handed over.
  bool flush(Clock::time_point deadline);
  // Sends what it can until `deadline`, then stops the thread; what is left is undelivered.
  SenderStats close(Clock::time_point deadline);
  [[nodiscard]] SenderStats stats() const;

 private:
  struct State;
  void run();
  // Without a thread: sends from the caller until the daemon would make it wait.
  void pump(std::unique_lock<std::mutex>& lock);
  [[nodiscard]] SenderStats stats_locked() const;

  std::unique_ptr<State> state_;
  std::unique_ptr<std::thread> thread_;
  pid_t owner_;
};

// One record, sent without the queue: for a process about to exit that has no session yet
// (a refused login). Retries for at most `wait`; false if it could not be delivered.
bool send_record_now(std::string_view ident, int facility, int severity, std::string_view message,
                     std::chrono::milliseconds wait, const std::string& socket_path = "/dev/log");

}  // namespace stsh::enforcer
