#include "shell/worker.h"

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <optional>
#include <type_traits>

namespace stsh::shell {
namespace {

enum class Request : uint32_t { launch = 1, connect = 2, child = 3, record = 4 };

// What goes over the events socket, both ways: a process's waitpid-style status. From a
// worker, its own end (pid is its own).
struct EventMessage {
  int32_t pid;
  int32_t status;
};

constexpr size_t kMaxFds = 64;
constexpr uint32_t kMaxFrame = 64u << 20;

class Out {
 public:
  void u32(uint32_t v) { bytes_.append(reinterpret_cast<const char*>(&v), sizeof v); }
  void i64(int64_t v) { bytes_.append(reinterpret_cast<const char*>(&v), sizeof v); }
  void str(const std::string& s) {
    u32(static_cast<uint32_t>(s.size()));
    bytes_ += s;
  }
  void strs(const std::vector<std::string>& v) {
    u32(static_cast<uint32_t>(v.size()));
    for (const std::string& s : v) str(s);
  }
  template <typename T>
  void opt(const std::optional<T>& v) {
    u32(v.has_value() ? 1 : 0);
    if (!v) return;
    if constexpr (std::is_same_v<T, std::string>) {
      str(*v);
    } else {
      i64(static_cast<int64_t>(*v));
    }
  }
  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
};

class In {
 public:
  explicit In(const std::string& bytes) : bytes_(bytes) {}
  uint32_t u32() { return take<uint32_t>(); }
  int64_t i64() { return take<int64_t>(); }
  std::string str() {
    const uint32_t n = u32();
    if (!ok_ || bytes_.size() - pos_ < n) {
      ok_ = false;
      return {};
    }
    std::string s = bytes_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  std::vector<std::string> strs() {
    const uint32_t n = u32();
    std::vector<std::string> v;
    for (uint32_t i = 0; i < n && ok_; ++i) v.push_back(str());
    return v;
  }
  template <typename T>
  std::optional<T> opt() {
    if (u32() == 0 || !ok_) return std::nullopt;
    if constexpr (std::is_same_v<T, std::string>) {
      return str();
    } else {
      return static_cast<T>(i64());
    }
  }
  [[nodiscard]] bool ok() const { return ok_; }

 private:
  template <typename T>
  T take() {
    T v{};
    if (bytes_.size() - pos_ < sizeof v) {
      ok_ = false;
      return v;
    }
    std::memcpy(&v, bytes_.data() + pos_, sizeof v);
    pos_ += sizeof v;
    return v;
  }
  const std::string& bytes_;
  size_t pos_ = 0;
  bool ok_ = true;
};

bool write_all(int fd, const char* data, size_t n) {
  while (n > 0) {
    const ssize_t w = send(fd, data, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    data += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

bool read_all(int fd, char* data, size_t n) {
  while (n > 0) {
    const ssize_t r = recv(fd, data, n, MSG_WAITALL);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    data += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

// A frame: type, length, payload; descriptors ride on its first byte.
bool send_frame(int fd, uint32_t type, const std::string& payload, const std::vector<int>& fds) {
  uint32_t header[2] = {type, static_cast<uint32_t>(payload.size())};
  iovec iov{header, sizeof header};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFds)] = {};
  if (!fds.empty()) {
    if (fds.size() > kMaxFds) return false;
    msg.msg_control = control;
    msg.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
    std::memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
  }
  ssize_t sent;
  do {
    sent = sendmsg(fd, &msg, MSG_NOSIGNAL);
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) return false;
  if (static_cast<size_t>(sent) < sizeof header &&
      !write_all(fd, reinterpret_cast<const char*>(header) + sent, sizeof header - sent)) {
    return false;
  }
  return write_all(fd, payload.data(), payload.size());
}

bool recv_frame(int fd, uint32_t& type, std::string& payload, std::vector<UniqueFd>& fds) {
  uint32_t header[2] = {};
  iovec iov{header, sizeof header};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFds)] = {};
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t got;
  do {
    got = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC | MSG_WAITALL);
  } while (got < 0 && errno == EINTR);
  if (got <= 0) return false;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    const size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < n; ++i) {
      int received;
      std::memcpy(&received, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
      fds.emplace_back(received);
    }
  }
  if (static_cast<size_t>(got) < sizeof header &&
      !read_all(fd, reinterpret_cast<char*>(header) + got, sizeof header - got)) {
    return false;
  }
  type = header[0];
  if (header[1] > kMaxFrame) return false;
  payload.resize(header[1]);
  return read_all(fd, payload.data(), payload.size());
}

int g_report_fd = -1;

// A signal that ends the worker: the shell hears how first (send is async-signal-safe),
// then the signal does what it would have done.
void on_fatal_signal(int sig) {
  const EventMessage m{static_cast<int32_t>(getpid()), sig};
  send(g_report_fd, &m, sizeof m, MSG_DONTWAIT | MSG_NOSIGNAL);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigaction(sig, &dfl, nullptr);
  raise(sig);
}

}  // namespace

// --- the shell's side ---

std::optional<std::pair<int, WorkerEnds>> WorkerHub::open(int owner) {
  int requests[2], events[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, requests) != 0) return std::nullopt;
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, events) != 0) {
    close(requests[0]);
    close(requests[1]);
    return std::nullopt;
  }
  const int id = next_id_++;
  Channel& c = channels_[id];
  c.requests.reset(requests[0]);
  c.events.reset(events[0]);
  c.owner = owner;
  return std::pair{id, WorkerEnds{UniqueFd(requests[1]), UniqueFd(events[1])}};
}

void WorkerHub::set_pid(int id, pid_t pid) {
  const auto it = channels_.find(id);
  if (it == channels_.end()) return;
  it->second.pid = pid;
  // It ended before its starter said who it was: now its starter can be told.
  if (!it->second.events) {
    std::vector<enforcer::ProcessEvent> for_shell;
    deliver(it->second.owner, {pid, it->second.status.value_or(SIGKILL)}, for_shell);
    channels_.erase(it);
  }
}

void WorkerHub::add_to(std::vector<pollfd>& fds) const {
  for (const auto& [id, c] : channels_) {
    if (!c.events) continue;
    fds.push_back({c.requests.get(), POLLIN, 0});
    fds.push_back({c.events.get(), POLLIN, 0});
  }
}

void WorkerHub::on_ready(const std::vector<pollfd>& fds, size_t first, Launcher& launcher,
                         const policy::CommandPolicy& login,
                         const std::function<void(const enforcer::Violation&)>& record,
                         std::vector<enforcer::ProcessEvent>& for_shell) {
  auto revents_of = [&](int fd) -> short {
    for (size_t i = first; i < fds.size(); ++i) {
      if (fds[i].fd == fd) return fds[i].revents;
    }
    return 0;
  };
  // Requests first: a worker says who the workers it started are before they can end.
  std::vector<int> ended;
  for (auto& [id, c] : channels_) {
    if (!c.events) continue;
    if (revents_of(c.requests.get()) & (POLLIN | POLLHUP | POLLERR)) {
      if (!serve(id, launcher, login, record, for_shell)) c.requests.reset(-1);
    }
  }
  for (auto& [id, c] : channels_) {
    if (!c.events) continue;
    const short ev = revents_of(c.events.get());
    if (!(ev & (POLLIN | POLLHUP | POLLERR))) continue;
    for (;;) {
      EventMessage m{};
      const ssize_t n = recv(c.events.get(), &m, sizeof m, MSG_DONTWAIT);
      if (n == static_cast<ssize_t>(sizeof m)) {
        if (!c.status) c.status = m.status;
        if (c.pid == 0) c.pid = m.pid;
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) break;
      ended.push_back(id);  // the worker is gone
      break;
    }
  }
  for (int id : ended) close_channel(id, for_shell);
}

bool WorkerHub::serve(int id, Launcher& launcher, const policy::CommandPolicy& login,
                      const std::function<void(const enforcer::Violation&)>& record,
                      std::vector<enforcer::ProcessEvent>& for_shell) {
  Channel& c = channels_[id];
  const int fd = c.requests.get();
  uint32_t type = 0;
  std::string payload;
  std::vector<UniqueFd> fds;
  if (!recv_frame(fd, type, payload, fds)) return false;
  In in(payload);
  switch (static_cast<Request>(type)) {
    case Request::launch: {
      enforcer::LaunchSpec spec;
      spec.path = in.str();
      spec.argv = in.strs();
      spec.env = in.strs();
      spec.cwd = in.str();
      spec.pgid = static_cast<pid_t>(in.i64());
      spec.umask = static_cast<mode_t>(in.u32() & 0777);
      spec.ignored_signals.resize(std::min<uint32_t>(in.u32(), NSIG));
      for (int& sig : spec.ignored_signals) sig = static_cast<int>(in.u32());
      spec.limits.resize(std::min<uint32_t>(in.u32(), RLIM_NLIMITS));
      for (enforcer::LaunchLimit& limit : spec.limits) {
        limit.resource = static_cast<int>(in.u32());
        limit.soft = static_cast<uint64_t>(in.i64());
        limit.hard = static_cast<uint64_t>(in.i64());
      }
      const uint32_t n = in.u32();
      for (uint32_t i = 0; i < n && in.ok() && i < fds.size(); ++i) {
        spec.fds.emplace_back(static_cast<int>(in.u32()), fds[i].get());
      }
      Out reply;
      if (!in.ok() || spec.fds.size() != fds.size()) {
        reply.i64(-1);
        reply.str("malformed launch request");
      } else if (auto pid = launcher.launch(spec, login)) {
        launched_[*pid] = id;
        reply.i64(*pid);
      } else {
        reply.i64(-1);
        reply.str(pid.error().to_string());
      }
      return send_frame(fd, type, reply.bytes(), {});
    }
    case Request::connect: {
      auto opened = open(id);
      Out reply;
      if (!opened) {
        reply.i64(-1);
        return send_frame(fd, type, reply.bytes(), {});
      }
      reply.i64(opened->first);
      return send_frame(fd, type, reply.bytes(),
                        {opened->second.requests.get(), opened->second.events.get()});
    }
    case Request::child: {
      const int child = static_cast<int>(in.i64());
      const auto pid = static_cast<pid_t>(in.i64());
      const auto it = channels_.find(child);
      if (in.ok() && it != channels_.end() && it->second.owner == id) set_pid(child, pid);
      return true;
    }
    case Request::record: {
      enforcer::Violation v;
      v.pid = static_cast<pid_t>(in.i64());
      v.ppid = static_cast<pid_t>(in.i64());
      v.exe = in.str();
      v.command_entry = in.str();
      v.call.syscall = static_cast<int>(in.i64());
      v.call.filename = in.opt<std::string>();
      v.call.filename1 = in.opt<std::string>();
      v.call.argv = in.strs();
      v.call.sockaddr = in.opt<std::string>();
      v.call.oflags = in.opt<int>();
      v.call.mode = in.opt<unsigned>();
      v.call.uid = in.opt<long>();
      v.call.gid = in.opt<long>();
      v.decision.verdict = static_cast<policy::Verdict>(in.u32());
      v.decision.error = static_cast<int>(in.i64());
      v.decision.log = in.u32() != 0;
      v.decision.rule = *rules_.insert(in.str()).first;
      v.audit = in.u32() != 0;
      if (in.ok()) record(v);
      return true;
    }
  }
  (void)for_shell;
  return false;  // not a request a worker makes: end the channel
}

void WorkerHub::close_channel(int id, std::vector<enforcer::ProcessEvent>& for_shell) {
  const auto it = channels_.find(id);
  if (it == channels_.end()) return;
  Channel& c = it->second;
  // A worker that ended without a word was killed by SIGKILL (every other fatal signal is
  // reported by its handler).
  if (c.pid == 0) {
    // Its starter has not said who it is yet (set_pid delivers).
    c.requests.reset();
    c.events.reset();
    if (!c.status) c.status = SIGKILL;
    return;
  }
  deliver(c.owner, {c.pid, c.status.value_or(SIGKILL)}, for_shell);
  channels_.erase(it);
}

void WorkerHub::deliver(int owner, const enforcer::ProcessEvent& e,
                        std::vector<enforcer::ProcessEvent>& for_shell) {
  if (owner == kShell) {
    for_shell.push_back(e);
    return;
  }
  const auto it = channels_.find(owner);
  if (it == channels_.end() || !it->second.events) return;  // its worker is gone
  const EventMessage m{e.pid, e.status};
  // A worker that does not read its events for a long while loses the oldest news of its
  // commands rather than stopping the supervisor.
  send(it->second.events.get(), &m, sizeof m, MSG_DONTWAIT | MSG_NOSIGNAL);
}

std::vector<enforcer::ProcessEvent> WorkerHub::route(std::vector<enforcer::ProcessEvent> events) {
  if (launched_.empty()) return events;
  std::vector<enforcer::ProcessEvent> for_shell;
  for (const enforcer::ProcessEvent& e : events) {
    const auto it = launched_.find(e.pid);
    if (it == launched_.end()) {
      for_shell.push_back(e);
      continue;
    }
    const int owner = it->second;
    if (WIFEXITED(e.status) || WIFSIGNALED(e.status)) launched_.erase(it);
    std::vector<enforcer::ProcessEvent> unused;
    deliver(owner, e, unused);
  }
  return for_shell;
}

void WorkerHub::kill_all() {
  for (const auto& [id, c] : channels_) {
    if (c.pid > 0 && c.events) kill(c.pid, SIGKILL);
  }
  for (const auto& [pid, id] : launched_) kill(pid, SIGKILL);
}

void WorkerHub::abandon() {
  for (auto& [id, c] : channels_) {
    (void)c.requests.release();
    (void)c.events.release();
  }
  channels_.clear();
  launched_.clear();
}

// --- the worker's side ---

WorkerLauncher::WorkerLauncher(WorkerEnds ends) : ends_(std::move(ends)) {}

Result<pid_t> WorkerLauncher::launch(const enforcer::LaunchSpec& spec,
                                     const policy::CommandPolicy& starter) {
  (void)starter;  // the shell launches under the login's policy, as for its own commands
  Out out;
  out.str(spec.path);
  out.strs(spec.argv);
  out.strs(spec.env);
  out.str(spec.cwd);
  // Our group, not the shell's: what this worker starts belongs to its job.
  out.i64(spec.pgid == enforcer::kSameGroup ? getpgrp() : spec.pgid);
  // This process's umask, ignored signals and ulimits, which the shell cannot see.
  out.u32(spec.umask.value_or(0));
  out.u32(static_cast<uint32_t>(spec.ignored_signals.size()));
  for (int sig : spec.ignored_signals) out.u32(static_cast<uint32_t>(sig));
  out.u32(static_cast<uint32_t>(spec.limits.size()));
  for (const enforcer::LaunchLimit& limit : spec.limits) {
    out.u32(static_cast<uint32_t>(limit.resource));
    out.i64(static_cast<int64_t>(limit.soft));
    out.i64(static_cast<int64_t>(limit.hard));
  }
  std::vector<int> fds;
  out.u32(static_cast<uint32_t>(spec.fds.size()));
  for (const auto& [number, ours] : spec.fds) {
    out.u32(static_cast<uint32_t>(number));
    fds.push_back(ours);
  }
  const int fd = ends_.requests.get();
  if (!send_frame(fd, static_cast<uint32_t>(Request::launch), out.bytes(), fds)) {
    return make_error("the shell is gone");
  }
  uint32_t type = 0;
  std::string payload;
  std::vector<UniqueFd> unused;
  if (!recv_frame(fd, type, payload, unused)) return make_error("the shell is gone");
  In in(payload);
  const int64_t pid = in.i64();
  if (pid <= 0) return make_error(in.str());
  return static_cast<pid_t>(pid);
}

std::vector<enforcer::ProcessEvent> WorkerLauncher::poll() {
  std::vector<enforcer::ProcessEvent> events;
  EventMessage m{};
  while (recv(ends_.events.get(), &m, sizeof m, MSG_DONTWAIT) == static_cast<ssize_t>(sizeof m)) {
    events.push_back({m.pid, m.status});
  }
  return events;
}

std::optional<std::pair<int, WorkerEnds>> WorkerLauncher::connect() {
  const int fd = ends_.requests.get();
  if (!send_frame(fd, static_cast<uint32_t>(Request::connect), {}, {})) return std::nullopt;
  uint32_t type = 0;
  std::string payload;
  std::vector<UniqueFd> fds;
  if (!recv_frame(fd, type, payload, fds)) return std::nullopt;
  In in(payload);
  const int64_t id = in.i64();
  if (id < 0 || fds.size() != 2) return std::nullopt;
  return std::pair{static_cast<int>(id), WorkerEnds{std::move(fds[0]), std::move(fds[1])}};
}

void WorkerLauncher::child(int id, pid_t pid) {
  Out out;
  out.i64(id);
  out.i64(pid);
  (void)send_frame(ends_.requests.get(), static_cast<uint32_t>(Request::child), out.bytes(), {});
}

void WorkerLauncher::record(const enforcer::Violation& v) {
  Out out;
  out.i64(v.pid);
  out.i64(v.ppid);
  out.str(v.exe);
  out.str(v.command_entry);
  out.i64(v.call.syscall);
  out.opt(v.call.filename);
  out.opt(v.call.filename1);
  out.strs(v.call.argv);
  out.opt(v.call.sockaddr);
  out.opt(v.call.oflags);
  out.opt(v.call.mode);
  out.opt(v.call.uid);
  out.opt(v.call.gid);
  out.u32(static_cast<uint32_t>(v.decision.verdict));
  out.i64(v.decision.error);
  out.u32(v.decision.log ? 1 : 0);
  out.str(std::string(v.decision.rule));
  out.u32(v.audit ? 1 : 0);
  (void)send_frame(ends_.requests.get(), static_cast<uint32_t>(Request::record), out.bytes(), {});
}

void WorkerLauncher::say_exit(int status) {
  const EventMessage m{static_cast<int32_t>(getpid()), status};
  send(ends_.events.get(), &m, sizeof m, MSG_NOSIGNAL);
}

bool forbid_exec() {
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return false;
  sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000 /* __X32_SYSCALL_BIT */, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_execve, 2, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_execveat, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
  };
  sock_fprog prog{static_cast<unsigned short>(std::size(filter)), filter};
  return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) == 0;
}

void report_fatal_signals(int events_fd, const std::set<int>& ignored) {
  g_report_fd = events_fd;
  for (int sig : {SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGUSR1,
                  SIGSEGV, SIGUSR2, SIGPIPE, SIGALRM, SIGTERM, SIGSTKFLT, SIGXCPU, SIGXFSZ,
                  SIGVTALRM, SIGPROF, SIGIO, SIGPWR, SIGSYS}) {
    struct sigaction sa {};
    sa.sa_handler = ignored.count(sig) ? SIG_IGN : on_fatal_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, nullptr);
  }
}

}  // namespace stsh::shell
