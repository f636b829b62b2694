#include "enforcer/syslog_sender.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <deque>
#include <mutex>
#include <system_error>

namespace stsh::enforcer {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kFirstBackoff{50};
constexpr milliseconds kMaxBackoff{1000};
// The longest the thread sleeps before looking at the deadline again.
constexpr milliseconds kSlice{100};

milliseconds until(SyslogSender::Clock::time_point deadline, milliseconds cap) {
  const auto left = std::chrono::duration_cast<milliseconds>(deadline - SyslogSender::Clock::now());
  return std::clamp(left, milliseconds(0), cap);
}

}  // namespace

SendStatus UnixDatagramSink::send(std::string_view datagram) {
  if (!fd_) return SendStatus::disconnected;
  if (::send(fd_.get(), datagram.data(), datagram.size(), MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
    return SendStatus::sent;
  switch (errno) {
    case EAGAIN:
    case ENOBUFS:
    case EINTR:
      return SendStatus::would_block;
    case EMSGSIZE:
      return SendStatus::failed;
    default:
      // ECONNREFUSED, ENOTCONN, ECONNRESET, EPIPE: the daemon went away (a restarted one
      // listens on a new socket under the same name).
      fd_.reset();
      return SendStatus::disconnected;
  }
}

bool UnixDatagramSink::connect() {
  fd_.reset(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd_) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path_.size() >= sizeof addr.sun_path) return false;
  std::memcpy(addr.sun_path, path_.data(), path_.size());
  if (::connect(fd_.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    fd_.reset();
    return false;
  }
  return true;
}

bool UnixDatagramSink::absent() const {
  // Missing, or not a socket (an empty file some test put there to mount over): no daemon
  // can be listening, now or after a restart.
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) return errno == ENOENT;
  return !S_ISSOCK(st.st_mode);
}

void UnixDatagramSink::wait_writable(milliseconds timeout) {
  if (!fd_) {
    std::this_thread::sleep_for(timeout);
    return;
  }
  // POLLOUT on a connected datagram socket waits for room in the peer's queue.
  pollfd p{fd_.get(), POLLOUT, 0};
  poll(&p, 1, static_cast<int>(timeout.count()));
}

std::string syslog_header(int facility, int severity, std::string_view ident, pid_t pid,
                          std::chrono::system_clock::time_point when) {
  const std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm tm{};
  localtime_r(&t, &tm);
  char stamp[32];
  const std::size_t n = std::strftime(stamp, sizeof stamp, "%h %e %T", &tm);
  std::string out = "<" + std::to_string(facility | severity) + ">";
  out.append(stamp, n);
  out += ' ';
  out += ident;
  out += "[" + std::to_string(pid) + "]: ";
  return out;
}

struct SyslogSender::State {
  struct Entry {
    std::string datagram;
    RecordKind kind;
  };
  std::unique_ptr<DatagramSink> sink;
  std::string ident;
  int facility;
  std::function<std::string(std::uint64_t, std::uint64_t)> loss_record;
  std::size_t max_records, max_bytes;

  mutable std::mutex mu;
  std::condition_variable wake;     // the thread: something to do
  std::condition_variable drained;  // flush(): something was sent, or the thread ended
  std::deque<Entry> queue;
  std::size_t bytes = 0;
  SenderStats stats;
  std::uint64_t unreported = 0, unreported_violations = 0;  // undelivered, not yet reported
  bool closing = false, finished = false;
  bool down = false;  // the last send found no daemon
  Clock::time_point deadline{};

  bool connected = false;
  milliseconds backoff = kFirstBackoff;

  [[nodiscard]] bool has_work() const { return !queue.empty() || unreported > 0; }
  // One try at the next datagram, `lock` released while sending; the result applied.
  SendStatus attempt(std::unique_lock<std::mutex>& lock, pid_t pid);
  // What is still queued is undelivered; nothing is sent after this.
  void finish() {
    while (!queue.empty()) {
      lose(queue.front().kind);
      queue.pop_front();
    }
    bytes = 0;
    finished = true;
    drained.notify_all();
  }

  void lose(RecordKind kind) {
    ++stats.undelivered;
    ++unreported;
    if (kind == RecordKind::violation) {
      ++stats.undelivered_violations;
      ++unreported_violations;
    }
  }
};

SyslogSender::SyslogSender(std::unique_ptr<DatagramSink> sink, std::string ident, int facility,
                           std::function<std::string(std::uint64_t, std::uint64_t)> loss_record,
                           std::size_t max_records, std::size_t max_bytes, Threading threading)
    : state_(std::make_unique<State>()), owner_(getpid()) {
  state_->sink = std::move(sink);
  state_->ident = std::move(ident);
  state_->facility = facility;
  state_->loss_record = std::move(loss_record);
  state_->max_records = max_records;
  state_->max_bytes = max_bytes;
  // The thread must take no signal: the supervisor and the shell read theirs from a
  // signalfd, and a signal delivered to this thread instead would never reach it.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);
  try {
    if (threading == Threading::background)
      thread_ = std::make_unique<std::thread>([this] { run(); });
  } catch (const std::system_error&) {
    // No thread (the user is at RLIMIT_NPROC, ...): the caller sends, never waiting, and
    // what does not go at once is retried at the next record and at the end.
    thread_.reset();
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

SyslogSender::~SyslogSender() {
  if (getpid() != owner_) {
    // A forked child: the thread is not here and its lock may be held forever. Leave both.
    (void)state_.release();
    (void)thread_.release();
    return;
  }
  close(Clock::now());
}

bool SyslogSender::submit(int severity, std::string message, RecordKind kind) {
  if (getpid() != owner_) return false;
  std::string datagram = syslog_header(state_->facility, severity, state_->ident, owner_,
                                       std::chrono::system_clock::now()) +
                         message;
  std::unique_lock lock(state_->mu);
  State& s = *state_;
  if (!thread_) pump(lock);  // room first, if the daemon takes again
  if (s.finished || (kind != RecordKind::end && (s.queue.size() >= s.max_records ||
                                                 s.bytes + datagram.size() > s.max_bytes))) {
    s.lose(kind);
    return false;
  }
  s.bytes += datagram.size();
  s.queue.push_back({std::move(datagram), kind});
  s.wake.notify_one();
  if (!thread_) pump(lock);
  return true;
}

void SyslogSender::pump(std::unique_lock<std::mutex>& lock) {
  State& s = *state_;
  while (s.has_work()) {
    const SendStatus st = s.attempt(lock, owner_);
    if (st != SendStatus::sent && st != SendStatus::failed) return;
  }
}

bool SyslogSender::flush(Clock::time_point deadline) {
  if (getpid() != owner_) return false;
  std::unique_lock lock(state_->mu);
  State& s = *state_;
  while (!thread_ && !s.finished) {
    pump(lock);
    if (!s.has_work() || Clock::now() >= deadline || (s.down && s.sink->absent())) break;
    lock.unlock();
    s.sink->wait_writable(until(deadline, kFirstBackoff));
    lock.lock();
  }
  while (thread_ && !s.drained.wait_until(lock, std::min(deadline, Clock::now() + kSlice), [&] {
    // A machine with no syslog socket at all: known as soon as the thread has tried once.
    return (s.queue.empty() && s.unreported == 0) || s.finished || s.sink->absent();
  })) {
    // Not worth waiting for a daemon this machine does not have (see run()).
    if (Clock::now() >= deadline || (s.down && s.sink->absent())) break;
  }
  // After the thread ended, what it left is counted in `unreported`: not delivered.
  return s.queue.empty() && s.unreported == 0;
}

SenderStats SyslogSender::close(Clock::time_point deadline) {
  if (getpid() != owner_) return {};
  if (!thread_) {
    flush(deadline);
    std::lock_guard lock(state_->mu);
    if (!state_->finished) state_->finish();
    return stats_locked();
  }
  {
    std::lock_guard lock(state_->mu);
    state_->closing = true;
    state_->deadline = deadline;
    state_->wake.notify_one();
  }
  thread_->join();
  thread_.reset();
  return stats();
}

SenderStats SyslogSender::stats() const {
  if (getpid() != owner_) return {};
  std::lock_guard lock(state_->mu);
  return stats_locked();
}

SenderStats SyslogSender::stats_locked() const {
  SenderStats out = state_->stats;
  out.queued = state_->queue.size();
  out.unreported = state_->unreported;
  return out;
}

SendStatus SyslogSender::State::attempt(std::unique_lock<std::mutex>& lock, pid_t pid) {
  // A loss goes out before the next record, so a reader sees the gap where it was.
  const bool loss = unreported > 0 && loss_record;
  std::string datagram;
  if (loss) {
    datagram = syslog_header(facility, LOG_WARNING, ident, pid, std::chrono::system_clock::now()) +
               loss_record(unreported, unreported_violations);
  } else if (queue.empty()) {
    unreported = unreported_violations = 0;  // nothing to say it with
    return SendStatus::sent;
  } else {
    datagram = queue.front().datagram;
    if (queue.front().kind == RecordKind::end) {
      datagram += " sent=" + std::to_string(stats.sent) +
                  " undelivered=" + std::to_string(stats.undelivered);
    }
  }
  lock.unlock();
  SendStatus st = SendStatus::disconnected;
  if (connected) st = sink->send(datagram);
  if (st == SendStatus::disconnected && (connected = sink->connect())) st = sink->send(datagram);
  if (st == SendStatus::disconnected) connected = false;
  lock.lock();
  down = st == SendStatus::disconnected;
  if (st != SendStatus::sent && st != SendStatus::failed) return st;
  backoff = kFirstBackoff;
  if (loss) {
    unreported = unreported_violations = 0;
    if (st == SendStatus::sent) ++stats.sent;
  } else {
    const RecordKind kind = queue.front().kind;
    bytes -= queue.front().datagram.size();
    queue.pop_front();
    if (st == SendStatus::sent) {
      ++stats.sent;
    } else {
      lose(kind);
    }
  }
  drained.notify_all();
  return st;
}

void SyslogSender::run() {
  State& s = *state_;
  std::unique_lock lock(s.mu);
  for (;;) {
    s.wake.wait(lock, [&] { return s.closing || s.has_work(); });
    if (s.closing && (Clock::now() >= s.deadline || !s.has_work())) break;
    if (!s.has_work()) continue;
    const SendStatus st = s.attempt(lock, owner_);
    const Clock::time_point limit = s.closing ? s.deadline : Clock::time_point::max();
    if (st == SendStatus::would_block) {
      lock.unlock();
      s.sink->wait_writable(until(limit, kSlice));
      lock.lock();
    } else if (st == SendStatus::disconnected) {
      // At the end, a machine with no syslog socket at all is not worth waiting for (a
      // restarting daemon leaves its socket in place, or replaces it within moments).
      s.wake.wait_for(lock, until(limit, s.backoff), [&] {
        if (s.closing && s.sink->absent()) s.deadline = Clock::now();
        return s.closing && Clock::now() >= s.deadline;
      });
      s.backoff = std::min(s.backoff * 2, kMaxBackoff);
    }
  }
  s.finish();
}

bool send_record_now(std::string_view ident, int facility, int severity, std::string_view message,
                     milliseconds wait, const std::string& socket_path) {
  const auto deadline = SyslogSender::Clock::now() + wait;
  const std::string datagram =
      syslog_header(facility, severity, ident, getpid(), std::chrono::system_clock::now()) +
      std::string(message);
  UnixDatagramSink sink(socket_path);
  bool connected = sink.connect();
  for (;;) {
    const SendStatus st = connected ? sink.send(datagram) : SendStatus::disconnected;
    if (st == SendStatus::sent) return true;
    if (st == SendStatus::failed || SyslogSender::Clock::now() >= deadline) return false;
    if (st == SendStatus::would_block) {
      sink.wait_writable(until(deadline, kSlice));
    } else {
      std::this_thread::sleep_for(until(deadline, kFirstBackoff));
      connected = sink.connect();
    }
  }
}

}  // namespace stsh::enforcer
