#include "enforcer/audit_daemon.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/pidfd.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "enforcer/audit_netlink.h"
#include "enforcer/audit_protocol.h"
#include "enforcer/audit_records.h"
#include "enforcer/landlock.h"
#include "enforcer/record_format.h"
#include "enforcer/syslog_sender.h"
#include "enforcer/unique_fd.h"

// Linux 6.5: SO_PEERPIDFD, a pidfd of the process that connected (Debian 12's headers lack it).
// With it a peer's pid number cannot have been reused by another process when we look at it.
#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif

namespace stsh::enforcer {
namespace {

using Clock = std::chrono::steady_clock;
using audit_wire::Message;
using std::chrono::milliseconds;

constexpr std::uint64_t kListenKey = 1;
constexpr std::uint64_t kReaderKey = 2;
constexpr std::uint64_t kSignalKey = 3;
constexpr std::uint64_t kTimerKey = 4;
constexpr std::uint64_t kFirstClientKey = 16;
constexpr int kTickMs = 100;
constexpr int kReaderBuffer = 32 << 20;
// Requests served per client per wake-up, and records read per wake-up: no one starves the loop.
constexpr int kRequestsPerWake = 16;
constexpr int kRecordsPerWake = 1024;
constexpr const char* kBarrierPrefix = "stsh-audit-barrier=";
// Fields of a DENIAL the daemon sets itself; an object field of the same name is not copied.
const std::set<std::string> kOwnFields = {"domain",   "creator", "pid",  "syscall",
                                          "blockers", "exe",     "exit", "uid"};
constexpr std::size_t kMaxObjectFields = 16;

bool pidfd_alive(int pidfd) {
  return ::syscall(SYS_pidfd_send_signal, pidfd, 0, nullptr, 0) == 0;
}

std::string read_small_file(const std::string& path) {
  std::ifstream in(path);
  std::string text;
  std::getline(in, text, '\0');
  if (text.size() > 8192) text.resize(8192);
  return text;
}

// "PPid:" and the real uid of "Uid:" from /proc/PID/status.
bool read_status(pid_t pid, pid_t* ppid, uid_t* uid) {
  std::istringstream in(read_small_file("/proc/" + std::to_string(pid) + "/status"));
  std::string line;
  bool have_ppid = false, have_uid = false;
  while (std::getline(in, line)) {
    if (line.rfind("PPid:", 0) == 0) {
      *ppid = static_cast<pid_t>(std::strtol(line.c_str() + 5, nullptr, 10));
      have_ppid = true;
    } else if (line.rfind("Uid:", 0) == 0) {
      *uid = static_cast<uid_t>(std::strtoul(line.c_str() + 4, nullptr, 10));
      have_uid = true;
    }
  }
  return have_ppid && have_uid;
}

std::string read_exe(pid_t pid) {
  char buf[4096];
  const std::string link = "/proc/" + std::to_string(pid) + "/exe";
  const ssize_t n = ::readlink(link.c_str(), buf, sizeof buf);
  if (n <= 0 || static_cast<std::size_t>(n) >= sizeof buf) return {};
  return std::string(buf, static_cast<std::size_t>(n));
}

std::string random_hex() {
  unsigned char bytes[16];
  if (::getrandom(bytes, sizeof bytes, 0) != sizeof bytes) {
    const auto t = Clock::now().time_since_epoch().count();
    std::memcpy(bytes, &t, sizeof t);
    std::memcpy(bytes + 8, &t, sizeof t);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xf]);
  }
  return out;
}

struct Client {
  std::uint64_t id = 0;
  UniqueFd fd;
  UniqueFd pidfd;  // of the process that connected, when the kernel gives one
  pid_t pid = 0;
  uid_t uid = 0;
  bool hello = false;
  bool dead = false;  // closed; removed after the current batch of events
  std::deque<std::string> out;
  std::size_t out_bytes = 0;
  std::uint64_t overflow = 0;  // DENIALs dropped and not reported yet
  bool writable_wanted = false;
  std::size_t barriers = 0;
  std::set<pid_t> registrations;
};

struct Registration {
  pid_t pid = 0;
  std::uint64_t client = 0;  // 0: the client has gone
  uid_t uid = 0;
  std::string exe;
  std::vector<std::string> domains;
  std::optional<Clock::time_point> retire_at;  // after UNREGISTER, or when orphaned
};

struct DomainOwner {
  std::uint64_t client = 0;  // 0: the client has gone; the daemon writes its records itself
  pid_t creator = 0;
  uid_t uid = 0;
};

struct Barrier {
  std::uint64_t client = 0;
  std::string id;
  Clock::time_point deadline;
};

class Daemon {
 public:
  explicit Daemon(const AuditDaemonOptions& o) : opt_(o) {}
  ~Daemon() {
    // Clients connecting after this see "not running" rather than a refused connection.
    if (listen_fd_) ::unlink(opt_.socket_path.c_str());
    restore_audit();
    // Denials of gone clients still queued for syslog get a second to go out.
    if (syslog_) (void)syslog_->close(SyslogSender::Clock::now() + std::chrono::seconds(1));
  }
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  Status start();
  Status run();

 private:
  Status check_kernel();
  Status setup_audit();
  Status setup_socket();
  Status setup_loop();
  void restore_audit();
  void log(const std::string& line) const {
    if (opt_.verbose) std::fprintf(stderr, "stsh-audit: %s\n", line.c_str());
  }

  void on_accept();
  void on_client(std::uint64_t key, std::uint32_t events);
  void on_request(Client& c, std::string_view text);
  void on_register(Client& c, const Message& m);
  void on_unregister(Client& c, const Message& m);
  void on_barrier(Client& c, const Message& m);
  void send_marker();
  void finish_barrier(const Barrier& b, bool timed_out);
  void on_records();
  void on_user_record(std::string_view text);
  void on_tick();
  void poll_status();
  void deliver(std::vector<audit::LandlockEvent>& events);
  void deliver_access(const audit::LandlockAccess& a, const audit::LandlockEvent& e,
                      const DomainOwner& owner);
  void adopt_domain(const audit::LandlockDomain& d);
  void drop_domain(const std::string& id);
  // Ends a registration; the domains of a gone client's stay (until deallocated) so that their
  // denials still reach syslog.
  void retire(pid_t pid);
  void loss_to_all(std::uint64_t count, const std::string& reason);

  // Queues a message; DENIALs beyond the queue's bound are counted instead.
  void send(Client& c, const Message& m, bool is_denial);
  void flush(Client& c);
  void close_client(std::uint64_t id);
  void reap_closed();
  // A live client, or nullptr.
  Client* client(std::uint64_t id) {
    auto it = clients_.find(id);
    return it == clients_.end() || it->second.dead ? nullptr : &it->second;
  }

  AuditDaemonOptions opt_;
  std::optional<AuditControl> control_;
  std::optional<AuditLogReader> reader_;
  UniqueFd listen_fd_, epoll_fd_, signal_fd_, timer_fd_;
  std::optional<std::uint32_t> restore_enabled_, restore_backlog_;
  bool audit_on_ = false;
  std::uint32_t last_lost_ = 0;
  Clock::time_point last_poll_{};
  audit::EventAssembler assembler_;
  std::unordered_map<std::uint64_t, Client> clients_;
  std::uint64_t next_client_ = kFirstClientKey;
  std::map<uid_t, std::size_t> clients_per_uid_, registrations_per_uid_;
  std::map<pid_t, Registration> registrations_;
  std::unordered_map<std::string, DomainOwner> domains_;
  std::vector<Barrier> waiting_;          // asked for, not covered by a marker sent yet
  std::optional<std::string> in_flight_;  // the marker sent and not back yet
  Clock::time_point in_flight_sent_{};
  std::vector<Barrier> in_flight_barriers_;  // the barriers it covers
  std::vector<std::uint64_t> closed_;
  std::string marker_base_ = random_hex();
  std::uint64_t marker_count_ = 0;
  std::unique_ptr<SyslogSender> syslog_;
  pid_t self_ = ::getpid();
};

Status Daemon::check_kernel() {
  if (::geteuid() != 0) return make_error("must run as root (it reads the kernel's audit log)");
  const int abi = landlock_abi();
  if (abi < 7)
    return make_error("this kernel has no Landlock audit (Landlock ABI " + std::to_string(abi) +
                      ", 7 needed: Linux 6.15 or later)");
  return Ok{};
}

Status Daemon::setup_audit() {
  auto reader = AuditLogReader::open(kReaderBuffer);
  if (!reader) return reader.take_error();
  reader_.emplace(std::move(*reader));
  auto control = AuditControl::open();
  if (!control) return control.take_error();
  control_.emplace(std::move(*control));
  auto st = control_->get_status();
  if (!st) return make_error("AUDIT_GET: " + st.error().message);
  last_lost_ = st->lost;
  if (st->enabled == 0 && opt_.enable_audit) {
    auto set = control_->set_enabled(1);
    if (!set) return make_error("enabling audit (AUDIT_SET enabled=1): " + set.error().message);
    restore_enabled_ = 0;
    st->enabled = 1;
  }
  audit_on_ = st->enabled != 0;
  if (opt_.backlog && st->backlog_limit < *opt_.backlog) {
    auto set = control_->set_backlog_limit(*opt_.backlog);
    if (!set) return make_error("AUDIT_SET backlog_limit: " + set.error().message);
    restore_backlog_ = st->backlog_limit;
  }
  if (!audit_on_)
    std::fprintf(stderr,
                 "stsh-audit: kernel audit is disabled; clients are told UNAVAILABLE "
                 "(start with --enable-audit, or enable it with auditctl -e 1)\n");
  return Ok{};
}

void Daemon::restore_audit() {
  if (!control_) return;
  if (restore_backlog_) (void)control_->set_backlog_limit(*restore_backlog_);
  if (restore_enabled_) (void)control_->set_enabled(*restore_enabled_);
  restore_backlog_.reset();
  restore_enabled_.reset();
}

Status Daemon::setup_socket() {
  const std::string& path = opt_.socket_path;
  const auto slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) return make_error("bad socket path " + path);
  const std::string dir = path.substr(0, slash);
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
    return make_error("mkdir " + dir + ": " + std::strerror(errno));
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != 0 ||
      (st.st_mode & 022) != 0)
    return make_error(dir + " must be a directory owned by root and writable only by it");
  if (::chmod(dir.c_str(), 0755) != 0)
    return make_error("chmod " + dir + ": " + std::strerror(errno));

  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) return make_error("socket path too long: " + path);
  std::memcpy(addr.sun_path, path.data(), path.size());
  // A socket left by a daemon that died is removed; one that answers belongs to a running one.
  {
    UniqueFd probe(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
    if (probe && ::connect(probe.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0)
      return make_error("another stsh-audit is listening on " + path);
  }
  if (::unlink(path.c_str()) != 0 && errno != ENOENT)
    return make_error("unlink " + path + ": " + std::strerror(errno));
  listen_fd_.reset(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!listen_fd_) return make_error(std::string("socket(AF_UNIX): ") + std::strerror(errno));
  if (::bind(listen_fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    return make_error("bind " + path + ": " + std::strerror(errno));
  // Any user may connect: every supervisor runs as its user.
  if (::chmod(path.c_str(), 0666) != 0)
    return make_error("chmod " + path + ": " + std::strerror(errno));
  if (::listen(listen_fd_.get(), 128) != 0)
    return make_error(std::string("listen: ") + std::strerror(errno));
  return Ok{};
}

Status Daemon::setup_loop() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  if (::sigprocmask(SIG_BLOCK, &set, nullptr) != 0) return make_error("sigprocmask failed");
  ::signal(SIGPIPE, SIG_IGN);
  signal_fd_.reset(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
  timer_fd_.reset(::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
  epoll_fd_.reset(::epoll_create1(EPOLL_CLOEXEC));
  if (!signal_fd_ || !timer_fd_ || !epoll_fd_)
    return make_error(std::string("loop set-up: ") + std::strerror(errno));
  itimerspec tick{};
  tick.it_interval.tv_nsec = kTickMs * 1000000L;
  tick.it_value.tv_nsec = kTickMs * 1000000L;
  if (::timerfd_settime(timer_fd_.get(), 0, &tick, nullptr) != 0)
    return make_error("timerfd_settime failed");
  const std::pair<int, std::uint64_t> fds[] = {{listen_fd_.get(), kListenKey},
                                               {reader_->fd(), kReaderKey},
                                               {signal_fd_.get(), kSignalKey},
                                               {timer_fd_.get(), kTimerKey}};
  for (const auto& [fd, key] : fds) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = key;
    if (::epoll_ctl(epoll_fd_.get(), EPOLL_CTL_ADD, fd, &ev) != 0)
      return make_error("epoll_ctl failed");
  }
  syslog_ = std::make_unique<SyslogSender>(
      std::make_unique<UnixDatagramSink>(), "stsh-audit", LOG_AUTHPRIV,
      [](std::uint64_t count, std::uint64_t) {
        return RecordBuilder("undelivered").add("records", count).text();
      });
  return Ok{};
}

Status Daemon::start() {
  for (auto step :
       {&Daemon::check_kernel, &Daemon::setup_audit, &Daemon::setup_socket, &Daemon::setup_loop}) {
    auto st = (this->*step)();
    if (!st) return st;
  }
  return Ok{};
}

Status Daemon::run() {
  epoll_event events[64];
  for (;;) {
    const int n = ::epoll_wait(epoll_fd_.get(), events, 64, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      return make_error(std::string("epoll_wait: ") + std::strerror(errno));
    }
    for (int i = 0; i < n; ++i) {
      const std::uint64_t key = events[i].data.u64;
      if (key == kSignalKey) {
        signalfd_siginfo si{};
        if (::read(signal_fd_.get(), &si, sizeof si) == sizeof si) return Ok{};
      } else if (key == kListenKey) {
        on_accept();
      } else if (key == kReaderKey) {
        on_records();
      } else if (key == kTimerKey) {
        std::uint64_t ticks = 0;
        (void)::read(timer_fd_.get(), &ticks, sizeof ticks);
        on_tick();
      } else {
        on_client(key, events[i].events);
      }
    }
    reap_closed();
  }
}

void Daemon::on_accept() {
  for (int i = 0; i < 16; ++i) {
    UniqueFd fd(::accept4(listen_fd_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
    if (!fd) return;
    ucred cred{};
    socklen_t len = sizeof cred;
    if (::getsockopt(fd.get(), SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || cred.pid <= 0)
      continue;
    auto refuse = [&](const char* reason) {
      const std::string text = Message{"UNAVAILABLE", {{"reason", reason}}}.text();
      (void)::send(fd.get(), text.data(), text.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
      log(std::string("refused a client of uid ") + std::to_string(cred.uid) + ": " + reason);
    };
    if (clients_.size() >= opt_.max_clients) {
      refuse("too_many_clients");
      continue;
    }
    if (clients_per_uid_[cred.uid] >= opt_.max_clients_per_uid) {
      refuse("too_many_clients_of_uid");
      continue;
    }
    Client c;
    c.id = next_client_++;
    c.pid = cred.pid;
    c.uid = cred.uid;
    int pidfd = -1;
    len = sizeof pidfd;
    if (::getsockopt(fd.get(), SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len) == 0 && pidfd >= 0)
      c.pidfd.reset(pidfd);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = c.id;
    if (::epoll_ctl(epoll_fd_.get(), EPOLL_CTL_ADD, fd.get(), &ev) != 0) continue;
    c.fd = std::move(fd);
    ++clients_per_uid_[c.uid];
    log("client " + std::to_string(c.id) + " pid " + std::to_string(c.pid) + " uid " +
        std::to_string(c.uid));
    clients_.emplace(c.id, std::move(c));
  }
}

void Daemon::on_client(std::uint64_t key, std::uint32_t events) {
  Client* c = client(key);
  if (c == nullptr) return;
  if (events & EPOLLOUT) flush(*c);
  if ((c = client(key)) == nullptr) return;
  if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
    char buf[audit_wire::kMaxRequest + 1];
    for (int i = 0; i < kRequestsPerWake; ++i) {
      const ssize_t n = ::recv(c->fd.get(), buf, sizeof buf, MSG_DONTWAIT | MSG_TRUNC);
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
      if (n <= 0) {
        close_client(key);
        return;
      }
      if (static_cast<std::size_t>(n) > audit_wire::kMaxRequest) {
        close_client(key);  // no request is that long: not a client of ours
        return;
      }
      on_request(*c, std::string_view(buf, static_cast<std::size_t>(n)));
      if ((c = client(key)) == nullptr) return;
    }
  }
}

void Daemon::on_request(Client& c, std::string_view text) {
  auto m = audit_wire::parse_message(text);
  if (!m) {
    send(c, Message{"ERR", {{"reason", "malformed"}}}, false);
    return;
  }
  if (!c.hello) {
    if (m->verb != "HELLO") {
      send(c, Message{"ERR", {{"reason", "hello_first"}}}, false);
      return;
    }
    if (m->number("version") != audit_wire::kVersion) {
      send(c, Message{"UNAVAILABLE", {{"reason", "version"}}}, false);
      return;
    }
    if (!audit_on_) {
      send(c, Message{"UNAVAILABLE", {{"reason", "audit_disabled"}}}, false);
      return;
    }
    c.hello = true;
    send(c, Message{"READY", {{"version", std::to_string(audit_wire::kVersion)}}}, false);
    return;
  }
  if (m->verb == "REGISTER") {
    on_register(c, *m);
  } else if (m->verb == "UNREGISTER") {
    on_unregister(c, *m);
  } else if (m->verb == "BARRIER") {
    on_barrier(c, *m);
  } else {
    send(c, Message{"ERR", {{"reason", "unknown_verb"}}}, false);
  }
}

void Daemon::on_register(Client& c, const Message& m) {
  const auto n = m.number("pid");
  if (!n || *n <= 0 || *n > 0x3fffffff) {
    send(c, Message{"ERR", {{"reason", "bad_pid"}}}, false);
    return;
  }
  const auto pid = static_cast<pid_t>(*n);
  const std::string pid_text = std::to_string(pid);
  auto refuse = [&](const char* reason) {
    send(c, Message{"ERR", {{"pid", pid_text}, {"reason", reason}}}, false);
    log("client " + std::to_string(c.id) + ": REGISTER " + pid_text + " refused: " + reason);
  };
  if (registrations_.count(pid) != 0) return refuse("already_registered");
  if (c.registrations.size() >= opt_.max_registrations_per_client ||
      registrations_per_uid_[c.uid] >= opt_.max_registrations_per_uid)
    return refuse("too_many_registrations");
  // A pidfd pins the identity of `pid` across the /proc reads: if it is still alive after
  // them, what they read was that process and not a later one with the same number.
  UniqueFd child(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (!child) return refuse("no_such_process");
  pid_t ppid = 0;
  uid_t uid = 0;
  if (!read_status(pid, &ppid, &uid)) return refuse("no_such_process");
  const std::string exe = read_exe(pid);
  if (!pidfd_alive(child.get())) return refuse("no_such_process");
  // The caller, alive after the reads, had its pid when they were made: the PPid read is its
  // own and not that of a later process with the same number (a passed socket outlives the
  // process that connected). Without SO_PEERPIDFD (before Linux 6.5) this is not checked.
  if (c.pidfd && !pidfd_alive(c.pidfd.get())) return refuse("caller_gone");
  if (ppid != c.pid) return refuse("not_your_child");
  if (uid != c.uid) return refuse("uid_mismatch");
  Registration r;
  r.pid = pid;
  r.client = c.id;
  r.uid = uid;
  r.exe = exe;
  registrations_.emplace(pid, std::move(r));
  c.registrations.insert(pid);
  ++registrations_per_uid_[c.uid];
  send(c, Message{"OK", {{"pid", pid_text}}}, false);
  log("client " + std::to_string(c.id) + ": registered " + pid_text + " exe=" + escape_value(exe));
}

void Daemon::on_unregister(Client& c, const Message& m) {
  const auto n = m.number("pid");
  if (!n) return;
  auto it = registrations_.find(static_cast<pid_t>(*n));
  if (it == registrations_.end() || it->second.client != c.id) return;
  if (!it->second.retire_at)
    it->second.retire_at = Clock::now() + milliseconds(opt_.unregister_grace_ms);
}

void Daemon::on_barrier(Client& c, const Message& m) {
  const std::string* id = m.get("id");
  if (id == nullptr || id->empty() || id->size() > 64) {
    send(c, Message{"ERR", {{"reason", "bad_barrier"}}}, false);
    return;
  }
  if (c.barriers >= opt_.max_barriers_per_client) {
    send(c, Message{"BARRIER", {{"id", *id}, {"timeout", "1"}}}, false);
    return;
  }
  ++c.barriers;
  waiting_.push_back(Barrier{c.id, *id, Clock::now() + milliseconds(opt_.barrier_timeout_ms)});
  if (!in_flight_) send_marker();
}

void Daemon::send_marker() {
  if (waiting_.empty()) return;
  // One marker covers every barrier asked for before it was sent, so however many clients ask,
  // at most one AUDIT_USER record is in the kernel's queue at a time.
  const std::string marker = marker_base_ + "-" + std::to_string(++marker_count_);
  auto st = control_->send_user(std::string(kBarrierPrefix) + marker);
  if (!st) {
    log("AUDIT_USER for a barrier: " + st.error().message);
    for (const Barrier& b : waiting_) finish_barrier(b, /* timed_out= */ true);
    waiting_.clear();
    return;
  }
  in_flight_ = marker;
  in_flight_sent_ = Clock::now();
  in_flight_barriers_ = std::move(waiting_);
  waiting_.clear();
}

void Daemon::finish_barrier(const Barrier& b, bool timed_out) {
  Client* c = client(b.client);
  if (c == nullptr) return;
  if (c->barriers > 0) --c->barriers;
  Message m{"BARRIER", {{"id", b.id}}};
  if (timed_out) m.add("timeout", "1");
  send(*c, m, false);
}

void Daemon::on_records() {
  std::vector<audit::LandlockEvent> done;
  const auto now = Clock::now();
  for (int i = 0; i < kRecordsPerWake; ++i) {
    const auto r = reader_->receive();
    if (r.got == AuditLogReader::Got::would_block) break;
    if (r.got == AuditLogReader::Got::overrun) {
      // The kernel dropped records for us and cannot say how many: at least one.
      deliver(done);
      done.clear();
      loss_to_all(1, "receive_overrun");
      continue;
    }
    if (r.got == AuditLogReader::Got::error) break;
    switch (r.type) {
      case audit::kTypeUser:
        deliver(done);
        done.clear();
        on_user_record(r.text);
        break;
      case audit::kTypeLandlockAccess:
      case audit::kTypeLandlockDomain:
      case audit::kTypeSyscall:
      case audit::kTypeEoe: {
        auto rec = audit::parse_record(r.type, r.text);
        if (rec) {
          assembler_.feed(*rec, now, &done);
        } else if (r.type == audit::kTypeLandlockAccess || r.type == audit::kTypeLandlockDomain) {
          assembler_.note_unparsed();
          log("unparsed Landlock record: " + rec.error().message);
          loss_to_all(1, "unparsed_record");
        }
        break;
      }
      default:
        break;
    }
  }
  deliver(done);
}

void Daemon::on_user_record(std::string_view text) {
  // Ours end with msg='stsh-audit-barrier=MARKER' and carry our pid; the marker is random, so
  // only a process that may write audit records (root) could even try to fake one.
  const std::string head = std::string("msg='") + kBarrierPrefix;
  const auto at = text.rfind(head);
  if (at == std::string_view::npos) return;
  std::string_view marker = text.substr(at + head.size());
  while (!marker.empty() && (marker.back() == '\0' || marker.back() == '\n'))
    marker.remove_suffix(1);
  if (marker.empty() || marker.back() != '\'') return;
  marker.remove_suffix(1);
  if (text.find(" pid=" + std::to_string(self_) + " ") == std::string_view::npos &&
      text.find("): pid=" + std::to_string(self_) + " ") == std::string_view::npos)
    return;
  if (!in_flight_ || marker != *in_flight_) return;  // an abandoned one, or not ours
  // Everything the kernel queued before the marker has been read, and the lost counter says
  // what never made it. The open events of the waiting clients' domains are ended now (a call
  // still in progress then gives a DENIAL without its SYSCALL fields); other clients' events
  // wait for their EOE, so nobody's barriers cut anyone else's records short.
  std::set<std::uint64_t> waiting_clients;
  for (const Barrier& b : in_flight_barriers_) waiting_clients.insert(b.client);
  auto concerns_waiting = [&](const audit::LandlockEvent& e) {
    for (const auto& a : e.accesses) {
      auto d = domains_.find(a.domain);
      if (d != domains_.end() && waiting_clients.count(d->second.client) != 0) return true;
    }
    for (const auto& d : e.domains) {
      if (!d.pid) continue;
      auto r = registrations_.find(*d.pid);
      if (r != registrations_.end() && waiting_clients.count(r->second.client) != 0) return true;
    }
    return false;
  };
  std::vector<audit::LandlockEvent> done;
  assembler_.flush_if(concerns_waiting, &done);
  deliver(done);
  poll_status();
  for (const Barrier& b : in_flight_barriers_) finish_barrier(b, /* timed_out= */ false);
  in_flight_barriers_.clear();
  in_flight_.reset();
  send_marker();
}

void Daemon::on_tick() {
  const auto now = Clock::now();
  std::vector<audit::LandlockEvent> done;
  assembler_.expire(now, &done);
  deliver(done);
  auto expire_barriers = [&](std::vector<Barrier>& list) {
    std::erase_if(list, [&](const Barrier& b) {
      if (now < b.deadline) return false;
      finish_barrier(b, /* timed_out= */ true);
      return true;
    });
  };
  expire_barriers(waiting_);
  expire_barriers(in_flight_barriers_);
  // A marker that never came back (an audit rule filtered it out) is given up, and the next
  // one sent.
  if (in_flight_ && now - in_flight_sent_ >= milliseconds(opt_.barrier_timeout_ms)) {
    for (const Barrier& b : in_flight_barriers_) finish_barrier(b, /* timed_out= */ true);
    in_flight_barriers_.clear();
    in_flight_.reset();
  }
  if (!in_flight_) send_marker();
  std::vector<pid_t> retiring;
  for (const auto& [pid, r] : registrations_)
    if (r.retire_at && now >= *r.retire_at) retiring.push_back(pid);
  for (pid_t pid : retiring) retire(pid);
  if (now - last_poll_ >= milliseconds(1000)) poll_status();
}

void Daemon::poll_status() {
  last_poll_ = Clock::now();
  auto st = control_->get_status();
  if (!st) return;
  const std::uint32_t grew = st->lost - last_lost_;  // the counter wraps
  last_lost_ = st->lost;
  if (grew > 0) loss_to_all(grew, "kernel_lost");
  const bool on = st->enabled != 0;
  if (on != audit_on_) {
    audit_on_ = on;
    if (!on) {
      // Denials made from now on are not recorded at all.
      for (auto& [id, c] : clients_)
        if (c.hello && !c.dead)
          send(c, Message{"UNAVAILABLE", {{"reason", "audit_disabled"}}}, false);
    }
  }
}

void Daemon::adopt_domain(const audit::LandlockDomain& d) {
  if (!d.pid || domains_.count(d.domain) != 0) return;
  auto it = registrations_.find(*d.pid);
  if (it == registrations_.end()) return;  // not a domain of ours: other programs use Landlock too
  Registration& r = it->second;
  if (!d.uid || *d.uid != r.uid || (!r.exe.empty() && d.exe != r.exe)) return;
  if (r.domains.size() >= 16) return;
  if (domains_.size() >= opt_.max_domains) {
    if (Client* c = client(r.client))
      send(*c, Message{"LOST", {{"count", "1"}, {"reason", "domain_table_full"}}}, false);
    return;
  }
  domains_.emplace(d.domain, DomainOwner{r.client, r.pid, r.uid});
  r.domains.push_back(d.domain);
  log("domain " + d.domain + " of registered creator " + std::to_string(r.pid) + " (client " +
      std::to_string(r.client) + ")");
}

void Daemon::drop_domain(const std::string& id) {
  auto it = domains_.find(id);
  if (it == domains_.end()) return;
  auto r = registrations_.find(it->second.creator);
  if (r != registrations_.end()) std::erase(r->second.domains, id);
  domains_.erase(it);
}

void Daemon::deliver(std::vector<audit::LandlockEvent>& events) {
  for (const auto& e : events) {
    for (const auto& d : e.domains)
      if (d.status == "allocated") adopt_domain(d);
    for (const auto& a : e.accesses) {
      auto it = domains_.find(a.domain);
      if (it != domains_.end()) {
        deliver_access(a, e, it->second);
      } else if (opt_.verbose) {
        log("denial of domain " + a.domain + ", not ours");
      }
    }
    for (const auto& d : e.domains)
      if (d.status == "deallocated") drop_domain(d.domain);
  }
}

void Daemon::deliver_access(const audit::LandlockAccess& a, const audit::LandlockEvent& e,
                            const DomainOwner& owner) {
  Message m{"DENIAL", {}};
  m.add("domain", a.domain).add("creator", std::to_string(owner.creator));
  if (e.syscall && e.syscall->pid) m.add("pid", std::to_string(*e.syscall->pid));
  if (e.syscall && e.syscall->syscall) m.add("syscall", std::to_string(*e.syscall->syscall));
  m.add("blockers", a.blockers);
  std::size_t copied = 0;
  for (const auto& [k, v] : a.object) {
    if (copied == kMaxObjectFields || kOwnFields.count(k) != 0) continue;
    bool plain_key = !k.empty();
    for (char ch : k) plain_key = plain_key && ((ch >= 'a' && ch <= 'z') || ch == '_');
    if (!plain_key) continue;
    m.add(k, v);
    ++copied;
  }
  if (e.syscall && !e.syscall->exe.empty()) m.add("exe", e.syscall->exe);
  if (e.syscall && !e.syscall->exit.empty()) m.add("exit", e.syscall->exit);
  if (Client* c = owner.client != 0 ? client(owner.client) : nullptr) {
    send(*c, m, /* is_denial= */ true);
    return;
  }
  // The client has gone: the record must not vanish with it.
  RecordBuilder b("kernel_denial");
  b.add("uid", static_cast<std::uint64_t>(owner.uid));
  for (const auto& [k, v] : m.fields) b.add(k, v);
  b.add("reason", "client_gone");
  log("denial of a gone client's domain " + a.domain + " to syslog");
  (void)syslog_->submit(LOG_WARNING, b.text(), RecordKind::violation);
}

void Daemon::loss_to_all(std::uint64_t count, const std::string& reason) {
  for (auto& [id, c] : clients_)
    if (!c.dead && !c.registrations.empty())
      send(c, Message{"LOST", {{"count", std::to_string(count)}, {"reason", reason}}}, false);
}

void Daemon::retire(pid_t pid) {
  auto it = registrations_.find(pid);
  if (it == registrations_.end()) return;
  if (it->second.client != 0)
    for (const auto& d : it->second.domains) domains_.erase(d);
  if (Client* c = client(it->second.client)) c->registrations.erase(pid);
  auto per_uid = registrations_per_uid_.find(it->second.uid);
  if (per_uid != registrations_per_uid_.end() && per_uid->second > 0 && --per_uid->second == 0)
    registrations_per_uid_.erase(per_uid);
  registrations_.erase(it);
}

void Daemon::send(Client& c, const Message& m, bool is_denial) {
  if (c.dead) return;
  if (is_denial &&
      (c.out.size() >= opt_.max_queue_messages || c.out_bytes >= opt_.max_queue_bytes)) {
    ++c.overflow;
    return;
  }
  // Replies are not counted against the bound (each answers a request, and requests are
  // bounded), but a client that sends and never reads is cut off.
  if (c.out.size() >= 2 * opt_.max_queue_messages) {
    close_client(c.id);
    return;
  }
  if (c.overflow > 0) {
    // What did not fit is reported before any reply, so a BARRIER answer comes after the LOST
    // that covers the records before it.
    c.out.push_back(
        Message{"LOST", {{"count", std::to_string(c.overflow)}, {"reason", "client_queue"}}}
            .text());
    c.out_bytes += c.out.back().size();
    c.overflow = 0;
  }
  std::string text = m.text();
  if (text.size() > audit_wire::kMaxMessage) {
    // Cut, it would not parse: say it was lost instead.
    text = Message{"LOST", {{"count", "1"}, {"reason", "too_long"}}}.text();
  }
  c.out_bytes += text.size();
  c.out.push_back(std::move(text));
  flush(c);
}

void Daemon::flush(Client& c) {
  if (c.dead) return;
  const std::uint64_t id = c.id;
  for (;;) {
    if (c.out.empty() && c.overflow > 0) {
      // The queue has drained: say how many did not fit.
      std::string text =
          Message{"LOST", {{"count", std::to_string(c.overflow)}, {"reason", "client_queue"}}}
              .text();
      c.overflow = 0;
      c.out.push_back(std::move(text));
      c.out_bytes += c.out.back().size();
    }
    if (c.out.empty()) break;
    const std::string& front = c.out.front();
    if (::send(c.fd.get(), front.data(), front.size(), MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
      if (errno == EAGAIN || errno == ENOBUFS) break;
      if (errno == EINTR) continue;
      close_client(id);
      return;
    }
    c.out_bytes -= front.size();
    c.out.pop_front();
  }
  const bool want = !c.out.empty();
  if (want != c.writable_wanted) {
    epoll_event ev{};
    ev.events = want ? (EPOLLIN | EPOLLOUT) : EPOLLIN;
    ev.data.u64 = id;
    (void)::epoll_ctl(epoll_fd_.get(), EPOLL_CTL_MOD, c.fd.get(), &ev);
    c.writable_wanted = want;
  }
}

void Daemon::close_client(std::uint64_t id) {
  auto it = clients_.find(id);
  if (it == clients_.end() || it->second.dead) return;
  Client& c = it->second;
  c.dead = true;
  closed_.push_back(id);
  (void)::epoll_ctl(epoll_fd_.get(), EPOLL_CTL_DEL, c.fd.get(), nullptr);
  // Its registrations and domains stay, orphaned: a denial of theirs goes to syslog.
  const auto orphan_until = Clock::now() + milliseconds(opt_.orphan_keep_ms);
  for (pid_t pid : c.registrations) {
    auto r = registrations_.find(pid);
    if (r == registrations_.end()) continue;
    r->second.client = 0;
    if (!r->second.retire_at || *r->second.retire_at > orphan_until)
      r->second.retire_at = orphan_until;
    for (const auto& d : r->second.domains) {
      auto dom = domains_.find(d);
      if (dom != domains_.end()) dom->second.client = 0;
    }
  }
  std::erase_if(waiting_, [id](const Barrier& b) { return b.client == id; });
  std::erase_if(in_flight_barriers_, [id](const Barrier& b) { return b.client == id; });
  auto per_uid = clients_per_uid_.find(c.uid);
  if (per_uid != clients_per_uid_.end() && per_uid->second > 0 && --per_uid->second == 0)
    clients_per_uid_.erase(per_uid);
  log("client " + std::to_string(id) + " gone");
}

void Daemon::reap_closed() {
  for (std::uint64_t id : closed_) clients_.erase(id);
  closed_.clear();
}

}  // namespace

int run_audit_daemon(const AuditDaemonOptions& options) {
  Daemon d(options);
  auto st = d.start();
  if (!st) {
    std::fprintf(stderr, "stsh-audit: %s\n", st.error().message.c_str());
    return 1;
  }
  std::fprintf(stderr, "stsh-audit: listening on %s\n", options.socket_path.c_str());
  st = d.run();
  if (!st) {
    std::fprintf(stderr, "stsh-audit: %s\n", st.error().message.c_str());
    return 1;
  }
  return 0;
}

}  // namespace stsh::enforcer
