#include "enforcer/supervisor.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <thread>

#include "enforcer/blocking_pool.h"
#include "enforcer/child_signals.h"
#include "enforcer/landlock_plan.h"
#include "enforcer/meta_broker.h"
#include "enforcer/open_broker.h"
#include "enforcer/path_broker.h"
#include "enforcer/send_broker.h"
#include "enforcer/socket_broker.h"
#include "enforcer/tracee.h"
#include "enforcer/watch_broker.h"
#include "policy/syscalls.h"

namespace stsh::enforcer {
namespace {

constexpr long kTraceOptions = PTRACE_O_EXITKILL | PTRACE_O_TRACESECCOMP | PTRACE_O_TRACEEXEC |
                               PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE;

// The exit status a child reports when it could not be confined or could not exec.
constexpr int kCannotConfine = 126;

// What the records of the kernel tier name as the rule.
constexpr std::string_view kKernelTierRule = "kernel tier (never permitted)";
constexpr std::string_view kKilledBySigsysRule =
    "kernel tier: killed (SIGSYS: another architecture, an x32 number, or a seccomp kill)";

void resume(pid_t tid, int sig = 0) {
  ptrace(PTRACE_CONT, tid, nullptr, reinterpret_cast<void*>(static_cast<long>(sig)));
}

// "#!/bin/sh -e" -> "/bin/sh"; nullopt when the file is not a script. The path is the
// process's to change: opened without waiting (a FIFO would wait for a writer) and read only
// when it is a regular file. This is the friendly pre-check; on_exec decides on the image.
std::optional<std::string> script_interpreter(const std::string& path) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  struct stat st {};
  if (!fd || fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  char head[256];
  const ssize_t n = read(fd.get(), head, sizeof head);
  if (n < 2 || head[0] != '#' || head[1] != '!') return std::nullopt;
  const std::string line(head + 2, static_cast<size_t>(n) - 2);
  const size_t start = line.find_first_not_of(" \t");
  if (start == std::string::npos) return std::nullopt;
  const size_t end = line.find_first_of(" \t\r\n", start);
  return line.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// The answer to one notification: a value (>= 0) or -errno, or "let the kernel run it".
struct Reply {
  int listener;
  __u64 id;
  void operator()(long rc) const {
    seccomp_notif_resp resp{};
    resp.id = id;
    if (rc < 0) {
      resp.error = static_cast<int>(rc);
    } else {
      resp.val = rc;
    }
    ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
  }
  void continue_in_kernel() const {
    seccomp_notif_resp resp{};
    resp.id = id;
    resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
  }
};

// Installs `fd` (ours, closed here) in the process and answers the notification with its
// number, or answers -fd when the open failed. Two steps rather than ADDFD_FLAG_SEND: its
// wake-up of the process is not a synchronous one (SYNC_WAKE_UP), which costs a cross-CPU
// wake-up per open (about 70 us against 50 on the 2-core VMs). A process killed between the
// steps loses a descriptor it never saw.
void answer_with_descriptor(int listener, __u64 id, int fd, int flags) {
  seccomp_notif_resp resp{};
  resp.id = id;
  if (fd < 0) {
    resp.error = fd;
    ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
    return;
  }
  seccomp_notif_addfd add{};
  add.id = id;
  add.srcfd = static_cast<__u32>(fd);
  add.newfd_flags = (flags & O_CLOEXEC) ? O_CLOEXEC : 0;
  const int installed = ioctl(listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add);
  close(fd);
  if (installed < 0) {
    if (errno == ENOENT) return;  // the call is gone
    resp.error = -errno;
  } else {
    resp.val = installed;
  }
  ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

}  // namespace

Result<Supervisor> Supervisor::create(const policy::Plan& plan, ViolationLog& log,
                                      policy::Mode mode, Route route) {
  // Which route: the kernel decides what it can say exactly only when its denials are
  // recorded (stsh-audit), or the policy chose not to record them.
  std::optional<AuditClient> audit;
  std::string route_text;
  const policy::KernelDenials kd = plan.session().logging.kernel_denials;
  bool kernel_first = false;
  if (mode != policy::Mode::enforce) {
    route_text = "supervisor (mode " + std::string(policy::mode_name(mode)) + ")";
  } else if (route == Route::supervisor || kd == policy::KernelDenials::supervisor) {
    route_text = "supervisor (chosen)";
  } else if (landlock_abi() < 7) {
    route_text = "supervisor (Landlock ABI " + std::to_string(landlock_abi()) +
                 " cannot report its denials; needs 7, Linux 6.15)";
  } else if (kd == policy::KernelDenials::unrecorded) {
    kernel_first = true;
    route_text = "kernel (its denials unrecorded: logging.kernel_denials: unrecorded)";
  } else if (auto client = AuditClient::connect(); client) {
    kernel_first = true;
    audit = std::move(*client);
    route_text = "kernel (denials recorded by stsh-audit)";
  } else {
    route_text = "supervisor (" + client.error().message + ")";
  }
  auto confinements = std::make_unique<ConfinementCache>(plan, mode, kernel_first);
  // Confined processes run as our uid: keep them out of our memory (/proc/PID/mem).
  if (prctl(PR_SET_DUMPABLE, 0) != 0) {
    return make_error(std::string("prctl(PR_SET_DUMPABLE, 0) failed: ") + std::strerror(errno));
  }
  // Orphans of confined processes become our children, so that we reap them (as their tracer
  // we see them die, but only a parent can make the zombie go).
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
    return make_error(std::string("prctl(PR_SET_CHILD_SUBREAPER) failed: ") + std::strerror(errno));
  }
  // Children's deaths and stops arrive through a signalfd, polled with everything else.
  auto child_signals = child_signal_fd();
  if (!child_signals) return child_signals.take_error();
  UniqueFd sigfd = std::move(*child_signals);
  UniqueFd epoll(epoll_create1(EPOLL_CLOEXEC));
  if (!epoll) return make_error(std::string("epoll_create1 failed: ") + std::strerror(errno));
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = sigfd.get();
  if (epoll_ctl(epoll.get(), EPOLL_CTL_ADD, sigfd.get(), &ev) != 0) {
    return make_error(std::string("epoll_ctl failed: ") + std::strerror(errno));
  }
  if (audit) {
    ev.data.fd = audit->fd();
    if (epoll_ctl(epoll.get(), EPOLL_CTL_ADD, audit->fd(), &ev) != 0) {
      return make_error(std::string("epoll_ctl failed: ") + std::strerror(errno));
    }
  }
  return Supervisor(plan, log, mode, std::move(confinements), std::move(audit),
                    std::move(route_text), std::move(epoll), std::move(sigfd));
}

Supervisor::Supervisor(const policy::Plan& plan, ViolationLog& log, policy::Mode mode,
                       std::unique_ptr<ConfinementCache> confinements,
                       std::optional<AuditClient> audit, std::string route, UniqueFd epoll,
                       UniqueFd sigfd)
    : plan_(&plan),
      log_(&log),
      mode_(mode),
      confinements_(std::move(confinements)),
      audit_(std::move(audit)),
      route_(std::move(route)),
      epoll_(std::move(epoll)),
      sigfd_(std::move(sigfd)),
      pool_(std::make_unique<BlockingPool>()) {}

// Nothing confined outlives its supervisor (PTRACE_O_EXITKILL would see to it at our exit;
// a shell that drops its supervisor sees to it here).
Supervisor::~Supervisor() {
  if (!epoll_) return;  // moved from
  for (const auto& [tid, task] : tasks_) kill(tid, SIGKILL);
  for (pid_t tid : unclaimed_) kill(tid, SIGKILL);
}

Result<pid_t> Supervisor::launch(const LaunchSpec& spec, const policy::CommandPolicy& starter) {
  // Chosen before the fork: the child only applies it.
  auto choice = confinements_->for_launch(starter, spec.path);
  if (!choice) return choice.take_error();
  // The child creates the seccomp listener and hands it to us over this socket.
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
    return make_error(std::string("socketpair failed: ") + std::strerror(errno));
  }
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    const int e = errno;
    close(pair[0]);
    close(pair[1]);
    return make_error(std::string("fork failed: ") + std::strerror(e));
  }
  if (pid == 0) {
    close(pair[0]);
    confine_and_exec(spec, pair[1], parent, *choice);
  }
  close(pair[1]);
  UniqueFd handover(pair[0]);
  // Both sides set the group, so it exists whichever runs first (the shell may hand the
  // terminal to it right away).
  if (spec.pgid != kSameGroup) setpgid(pid, spec.pgid == 0 ? pid : spec.pgid);
  // The child says when it may be traced (dumpable again) and waits for a byte from us
  // before it does anything that matters: by then it is traced, so nothing it does is unseen.
  char ready = 0;
  if (read(handover.get(), &ready, 1) != 1 || ready != 'r') {
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, __WALL);
    return make_error("the confined child ended before it could be traced");
  }
  // Its domain's denials reach us through stsh-audit only if the reader knows the child
  // before it makes the domain; if it refuses, the child takes the supervisor route.
  bool registered = false;
  if (audit_ && choice->planned->landlock && choice->planned->landlock->enforced()) {
    registered = static_cast<bool>(audit_->register_creator(pid));
  }
  const bool planned = registered || !audit_ || choice->planned->read_opens_in_kernel == false;
  const char go = planned ? 'g' : 's';
  if (ptrace(PTRACE_SEIZE, pid, nullptr, reinterpret_cast<void*>(kTraceOptions)) != 0 ||
      write(handover.get(), &go, 1) != 1) {
    const int e = errno;
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, __WALL);
    return make_error(std::string("cannot trace the confined child: ptrace(PTRACE_SEIZE): ") +
                      std::strerror(e));
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = handover.get();
  epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, handover.get(), &ev);
  handovers_[handover.get()] = pid;
  launches_[pid] =
      Launch{std::move(handover), {}, &plan_->policy_after_exec(starter, spec.path), registered};
  tasks_[pid] = Task{&starter, {}, 0, pid, false, {}};
  return pid;
}

void Supervisor::adopt(pid_t tid, const policy::CommandPolicy* policy, pid_t root) {
  tasks_[tid] = Task{policy, {}, 0, root, false, {}};
  resume(tid);
}

void Supervisor::on_new_task(pid_t parent, pid_t child) {
  const auto it = tasks_.find(parent);
  const policy::CommandPolicy* policy = it != tasks_.end() ? it->second.policy : &plan_->login();
  const pid_t root = it != tasks_.end() ? it->second.root : parent;
  if (unclaimed_.erase(child)) {
    adopt(child, policy, root);
  } else {
    expected_[child] = {policy, root};
  }
}

policy::Decision Supervisor::decide_and_log(pid_t tid, const policy::CommandPolicy& policy,
                                            const policy::Call& call) {
  policy::Decision d = plan_->decide(policy, call);
  const bool audit = mode_ == policy::Mode::audit && !d.permitted();
  // One denial, one record: a thread that makes again the very call it was just denied (id
  // asks sysconf twice; perl's execvp tries /usr/bin/x, then /bin/x, the same file) is
  // answered the same, without a second record or a second violation.
  bool repeat = false;
  if (!d.permitted()) {
    std::string signature = std::to_string(call.syscall) + '\0' + call.filename.value_or("") +
                            '\0' + call.filename1.value_or("") + '\0' +
                            call.sockaddr.value_or("");
    for (const std::string& a : call.argv) signature += '\0' + a;
    std::string& last = tasks_[tid].last_denial;
    repeat = signature == last;
    last = std::move(signature);
  }
  if (!repeat && (d.log || !d.permitted())) {
    Violation v;
    v.pid = tid;
    v.ppid = proc_ppid(tid);
    v.exe = proc_link(tid, "exe").value_or("?");
    v.command_entry = policy.is_login() ? "(login)" : std::string(policy.origin());
    v.call = call;
    v.decision = d;
    v.audit = audit;
    log_->record(v);
  }
  // Audit mode: what would have been denied is logged above and permitted here.
  if (audit) d = policy::Decision{policy::Verdict::permit, 0, true, d.rule};
  return d;
}

std::optional<int> Supervisor::gate(pid_t pid, const Task& task, const policy::Call& call) {
  const policy::CommandPolicy& policy = task.policy ? *task.policy : plan_->login();
  const policy::Decision d = decide_and_log(pid, policy, call);
  if (d.verdict == policy::Verdict::kill) {
    kill(pid, SIGKILL);
    return -EPERM;
  }
  if (!d.permitted()) return -d.error;
  return std::nullopt;
}

policy::Decision Supervisor::check_exec(pid_t tid, const policy::CommandPolicy& policy,
                                        const std::string& path,
                                        const std::vector<std::string>& argv) {
  policy::Call call;
  call.syscall = SYS_execve;
  call.filename = path;
  call.argv = argv;
  return decide_and_log(tid, policy, call);
}

// execve/execveat, before the kernel runs them: read the arguments, resolve the path as the
// process would, and refuse with the rule's errno. This is the friendly answer; the binding
// check is on_exec, because the process could change the path after we read it.
void Supervisor::on_seccomp(pid_t tid) {
  user_regs_struct regs{};
  if (ptrace(PTRACE_GETREGS, tid, nullptr, &regs) != 0) return resume(tid);
  Task& task = tasks_[tid];
  if (task.policy == nullptr) task.policy = &plan_->login();
  const long nr = static_cast<long>(regs.orig_rax);
  if (nr != SYS_execve && nr != SYS_execveat) return on_traced_denial(tid, regs);
  const bool at = nr == SYS_execveat;
  const int dirfd = at ? static_cast<int>(regs.rdi) : AT_FDCWD;
  const unsigned long path_addr = at ? regs.rsi : regs.rdi;
  const unsigned long argv_addr = at ? regs.rdx : regs.rsi;
  const int flags = at ? static_cast<int>(regs.r8) : 0;

  auto raw = read_string(tid, path_addr);
  auto argv = read_string_array(tid, argv_addr);
  std::optional<std::string> path;
  if (raw && raw->empty() && (flags & AT_EMPTY_PATH)) {
    path = proc_link(tid, "fd/" + std::to_string(dirfd));
  } else if (raw) {
    path = resolve_for(tid, dirfd, *raw);
  }
  // Unreadable or unresolvable: let the kernel fail it or run it; on_exec decides on the
  // image actually loaded.
  if (!path || !argv) return resume(tid);

  policy::Decision d = check_exec(tid, *task.policy, *path, *argv);
  if (d.permitted()) {
    if (auto interp = script_interpreter(*path)) {
      if (auto resolved = resolve_for(tid, AT_FDCWD, *interp))
        d = check_exec(tid, *task.policy, *resolved, *argv);
    }
  }
  if (d.verdict == policy::Verdict::kill) {
    kill(tid, SIGKILL);
    return;
  }
  if (!d.permitted()) {
    // Skip the syscall (-1) and make it return -errno.
    regs.orig_rax = static_cast<unsigned long long>(-1);
    regs.rax = static_cast<unsigned long long>(-static_cast<long long>(d.error));
    ptrace(PTRACE_SETREGS, tid, nullptr, &regs);
    return resume(tid);
  }
  task.checked_path = *path;
  resume(tid);
}

// A dangerous syscall the hardening program stopped for us (kDangerousSyscalls): it fails with
// the table's errno, and the record says so. Decided again on the registers: a filter the
// process installed itself can make any syscall stop here.
void Supervisor::on_traced_denial(pid_t tid, user_regs_struct& regs) {
  const int nr = static_cast<int>(regs.orig_rax);
  const std::uint64_t args[6] = {regs.rdi, regs.rsi, regs.rdx, regs.r10, regs.r8, regs.r9};
  const int error = hardening_denial(nr, args);
  if (error == 0) return resume(tid);
  Task& task = tasks_[tid];
  const policy::CommandPolicy& policy = task.policy ? *task.policy : plan_->login();
  Violation v;
  v.pid = tid;
  v.ppid = proc_ppid(tid);
  v.exe = proc_link(tid, "exe").value_or("?");
  v.command_entry = policy.is_login() ? "(login)" : std::string(policy.origin());
  v.call.syscall = nr;
  v.decision = policy::Decision{policy::Verdict::deny, error, true, kKernelTierRule};
  log_->record(v);
  regs.orig_rax = static_cast<unsigned long long>(-1);  // skip it
  regs.rax = static_cast<unsigned long long>(-static_cast<long long>(error));
  ptrace(PTRACE_SETREGS, tid, nullptr, &regs);
  resume(tid);
}

// After exec: the new image is loaded and has not run. /proc/PID/exe names the file the
// kernel actually loaded (for a script, the interpreter), so this check cannot be raced.
void Supervisor::on_exec(pid_t tid) {
  unsigned long former = 0;
  ptrace(PTRACE_GETEVENTMSG, tid, nullptr, &former);
  // A non-leader thread that execs takes over the thread group id: carry its state over.
  if (static_cast<pid_t>(former) != tid) {
    if (auto it = tasks_.find(static_cast<pid_t>(former)); it != tasks_.end()) {
      tasks_[tid] = it->second;
      tasks_.erase(it);
    }
  }
  Task& task = tasks_[tid];
  const policy::CommandPolicy& current = task.policy ? *task.policy : plan_->login();
  const auto exe = proc_link(tid, "exe");
  const auto argv = proc_cmdline(tid);
  if (!exe) {
    kill(tid, SIGKILL);
    return;
  }
  policy::Decision d = check_exec(tid, current, *exe, argv);
  // A script: the interpreter is the image; the script itself must be permitted as well, and
  // its own command entry (if any) decides the policy it runs under.
  std::string program = *exe;
  if (d.permitted() && !task.checked_path.empty() && task.checked_path != *exe) {
    d = check_exec(tid, current, task.checked_path, argv);
    program = task.checked_path;
  }
  if (!d.permitted()) {
    // The old image is gone: the only safe answer now is to end the process. (The record
    // check_exec wrote says deny; a path changed after the pre-check is what gets here.)
    kill(tid, SIGKILL);
    return;
  }
  task.policy = &plan_->policy_after_exec(current, program);
  task.checked_path.clear();
  resume(tid);
}

void Supervisor::on_stop(pid_t tid, int status) {
  const int sig = WSTOPSIG(status);
  const int event = status >> 16;

  if (!tasks_.count(tid)) {
    // A new task's first stop; its parent's fork event may not have arrived yet.
    if (auto it = expected_.find(tid); it != expected_.end()) {
      const auto [policy, root] = it->second;
      expected_.erase(it);
      adopt(tid, policy, root);
    } else {
      unclaimed_.insert(tid);
    }
    return;
  }
  switch (event) {
    case PTRACE_EVENT_SECCOMP:
      return on_seccomp(tid);
    case PTRACE_EVENT_EXEC:
      return on_exec(tid);
    case PTRACE_EVENT_FORK:
    case PTRACE_EVENT_VFORK:
    case PTRACE_EVENT_CLONE: {
      unsigned long child = 0;
      ptrace(PTRACE_GETEVENTMSG, tid, nullptr, &child);
      on_new_task(tid, static_cast<pid_t>(child));
      return resume(tid);
    }
    case PTRACE_EVENT_STOP:
      // Group stop (SIGSTOP, SIGTSTP, ...): stay stopped until SIGCONT, as job control expects,
      // and tell the shell when it is a command it launched.
      if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU) {
        Task& task = tasks_[tid];
        if (tid == task.root && !task.stopped) events_.push_back({tid, W_STOPCODE(sig)});
        task.stopped = true;
        ptrace(PTRACE_LISTEN, tid, nullptr, nullptr);
        return;
      }
      return resume(tid);
    default: {
      // Signal-delivery stop: deliver the signal. SIGCONT ends a group stop.
      Task& task = tasks_[tid];
      if (event == 0 && sig == SIGCONT && task.stopped) {
        task.stopped = false;
        if (tid == task.root) events_.push_back({tid, 0xffff});  // WIFCONTINUED
      }
      return resume(tid, event == 0 ? sig : 0);
    }
  }
}

// A launched command exited: what it started goes with it, and its listener is no longer
// needed once nothing of it can trap.
void Supervisor::on_root_exit(pid_t root) {
  for (const auto& [tid, task] : tasks_) {
    if (task.root == root) kill(tid, SIGKILL);
  }
  for (const auto& [tid, expected] : expected_) {
    if (expected.second == root) kill(tid, SIGKILL);
  }
}

void Supervisor::reap() {
  for (;;) {
    int status = 0;
    const pid_t tid = waitpid(-1, &status, __WALL | WNOHANG);
    if (tid <= 0) return;
    if (WIFEXITED(status) || WIFSIGNALED(status)) {
      const auto it = tasks_.find(tid);
      const pid_t root = it != tasks_.end() ? it->second.root : 0;
      const policy::CommandPolicy* policy = it != tasks_.end() ? it->second.policy : nullptr;
      const bool known = it != tasks_.end();
      if (known) tasks_.erase(it);
      unclaimed_.erase(tid);
      // SECCOMP_RET_KILL_PROCESS (a foreign architecture or an x32 number) kills without a
      // stop we could see: its record is written here.
      if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS && known) {
        Violation v;
        v.pid = tid;
        v.exe = "?";  // gone with the process
        v.command_entry =
            policy == nullptr || policy->is_login() ? "(login)" : std::string(policy->origin());
        v.call.syscall = -1;
        v.decision = policy::Decision{policy::Verdict::kill, 0, true, kKilledBySigsysRule};
        log_->record(v);
      }
      if (tid == root) {
        events_.push_back({tid, status});
        on_root_exit(root);
      }
      // The last of a launched command's processes: its listener and handover go.
      if (root != 0 && std::none_of(tasks_.begin(), tasks_.end(),
                                    [root](const auto& t) { return t.second.root == root; })) {
        end_launch(root);
      }
      continue;
    }
    if (WIFSTOPPED(status)) {
      const auto it = tasks_.find(tid);
      // A straggler of a command that has exited: it goes too.
      if (it != tasks_.end() && !tasks_.count(it->second.root)) {
        kill(tid, SIGKILL);
        continue;
      }
      on_stop(tid, status);
    }
  }
}

// One open-family call, decided exactly and performed by us (see open_broker.h).
void Supervisor::on_notification(int listener) {
  seccomp_notif n{};  // the kernel insists on a zeroed buffer
  if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &n) != 0) return;  // gone meanwhile, or EINTR
  if (is_brokered_socket_call(static_cast<int>(n.data.nr)))
    return on_socket_notification(listener, n);
  if (is_brokered_send_call(static_cast<int>(n.data.nr))) return on_send_notification(listener, n);
  if (is_brokered_path_call(static_cast<int>(n.data.nr))) return on_path_notification(listener, n);
  if (is_brokered_meta_call(static_cast<int>(n.data.nr))) return on_meta_notification(listener, n);
  if (is_brokered_watch_call(static_cast<int>(n.data.nr))) return on_watch_notification(listener, n);
  seccomp_notif_resp resp{};
  resp.id = n.id;
  auto answer_error = [&](int err) {
    resp.error = -err;
    ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
  };
  const auto pid = static_cast<pid_t>(n.pid);
  auto req = read_open_request(n);
  // What we read is only meaningful if the call is still the one we were told about.
  if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &n.id) != 0) return;
  if (!req) return answer_error(EFAULT);
  Task& task = tasks_[pid];
  if (task.tgid == 0) task.tgid = thread_group_of(pid);
  int err = 0;
  auto canonical = canonical_open_path(pid, task.tgid, *req, err);
  if (!canonical) return answer_error(err ? err : ENOENT);
  // A directory opened for reading without O_DIRECTORY is a listing all the same (a metadata
  // read, as the kernel route answers it); O_DIRECTORY makes our open fail rather than read a
  // file put in its place meanwhile.
  if (policy::access_of(static_cast<int>(n.data.nr), req->flags) == policy::Access::read &&
      !(req->flags & (O_DIRECTORY | O_PATH))) {
    struct stat st {};
    if (lstat(canonical->c_str(), &st) == 0 && S_ISDIR(st.st_mode)) req->flags |= O_DIRECTORY;
  }

  const policy::Call call =
      open_call(static_cast<int>(n.data.nr), *req, policy_view(pid, *canonical, task.tgid));
  if (auto refused = gate(pid, task, call)) return answer_error(-*refused);

  // An O_PATH descriptor grants no access to the file's data, and everything done through it
  // later (openat relative to it, reopening it through /proc, execveat) comes back here. The
  // kernel cannot hand one over (ADDFD takes no O_PATH file), so the process opens it itself.
  if (req->flags & O_PATH) {
    resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
    return;
  }
  const int fd = open_on_behalf(pid, *req, *canonical, /* may_wait= */ false);
  if (fd != kOpenWouldWait) return answer_with_descriptor(listener, n.id, fd, req->flags);
  // A FIFO waits for the other end (which may be another confined process that needs us), a
  // lease for its holder: that wait happens off the loop.
  auto shared = std::make_shared<UniqueFd>(fcntl(listener, F_DUPFD_CLOEXEC, 0));
  pool_->submit(listener, n.id, [shared, id = n.id, pid, req = *req, path = *canonical] {
    const int waited = open_on_behalf(pid, req, path, /* may_wait= */ true);
    answer_with_descriptor(shared->get(), id, waited, req.flags);
  });
}

// unlink, rmdir, mkdir and their *at forms, decided on the canonical path and done by us.
void Supervisor::on_path_notification(int listener, const seccomp_notif& n) {
  const auto pid = static_cast<pid_t>(n.pid);
  const Reply answer{listener, n.id};
  Task& task = tasks_[pid];
  if (task.tgid == 0) task.tgid = thread_group_of(pid);
  int err = 0;
  auto req = read_path_request(n, task.tgid, err);
  if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &n.id) != 0) return;
  if (!req) return answer(-err);
  policy::Call call = path_call(*req);
  call.filename = policy_view(pid, *call.filename, task.tgid);
  if (call.filename1 && !policy::second_path_is_raw(call.syscall)) {
    call.filename1 = policy_view(pid, *call.filename1, task.tgid);
  }
  if (auto refused = gate(pid, task, call)) return answer(*refused);
  answer(path_call_on_behalf(pid, *req));
}

// stat, access, readlink, chmod, chown, truncate, utimes, xattrs, mknod, chdir and their
// forms, decided on the canonical object and done by us through a descriptor of it
// (meta_broker.h).
void Supervisor::on_meta_notification(int listener, const seccomp_notif& n) {
  const auto pid = static_cast<pid_t>(n.pid);
  const Reply answer{listener, n.id};
  auto continue_in_kernel = [&] { answer.continue_in_kernel(); };
  Task& task = tasks_[pid];
  if (task.tgid == 0) task.tgid = thread_group_of(pid);
  int err = 0;
  auto req = read_meta_request(n, task.tgid, err);
  if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &n.id) != 0) return;
  if (!req) return answer(-(err != 0 ? err : EPERM));  // never a success for an undecided call
  // A NULL path in a register: only a descriptor is named, and nothing can change it now.
  if (req->op == MetaOp::kernel) return continue_in_kernel();
  // A descriptor the process holds: done by us on our duplicate, because the empty path we
  // read could be filled in, or the number name another file, before the kernel looks. Reads
  // (fstat and friends) are no policy question; changes are decided on the file the
  // duplicate names (meta_broker.h).
  UniqueFd object;
  if (req->by_descriptor()) {
    if (!changes_object(req->op)) return answer(meta_call_on_behalf(pid, *req));
    const int dup = duplicate_descriptor(task.tgid, req->fd);
    if (dup < 0) return answer(dup);
    object.reset(dup);
    auto named = descriptor_path(object.get());
    if (!named) return answer(meta_call_on_behalf(pid, *req, object.get()));  // a pipe, ...
    req->path = *named;
  }
  policy::Call call = meta_call(*req);
  call.filename = policy_view(pid, *call.filename, task.tgid);
  if (auto refused = gate(pid, task, call)) return answer(*refused);
  // chdir cannot be done for another process, so a permitted one runs in the kernel, which
  // reads the path again: the process may end up in a directory we did not decide on. That
  // grants nothing. Being in a directory is no access to it: every later path is resolved by
  // the brokers from the real working directory (/proc/PID/cwd) to a canonical path and
  // decided on that, and the kernel-run calls are bounded by the Landlock domain, which knows
  // no working directory either. The decision here only gives `cd` its friendly errno.
  if (req->op == MetaOp::chdir) return continue_in_kernel();
  answer(meta_call_on_behalf(pid, *req, object.get()));
}

// inotify_add_watch and fanotify_mark: decided as reads of what they watch, added by us on
// the object decided (watch_broker.h).
void Supervisor::on_watch_notification(int listener, const seccomp_notif& n) {
  const auto pid = static_cast<pid_t>(n.pid);
  const Reply answer{listener, n.id};
  Task& task = tasks_[pid];
  if (task.tgid == 0) task.tgid = thread_group_of(pid);
  int err = 0;
  auto req = read_watch_request(n, task.tgid, err);
  if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &n.id) != 0) return;
  if (!req) return answer(-(err != 0 ? err : EPERM));
  if (req->in_kernel) return answer.continue_in_kernel();
  policy::Call call = watch_call(*req);
  call.filename = policy_view(pid, *call.filename, task.tgid);
  if (auto refused = gate(pid, task, call)) return answer(*refused);
  answer(watch_on_behalf(task.tgid, *req));
}

// connect and bind, decided on the address we read and performed by us with our copy of it.
void Supervisor::on_socket_notification(int listener, const seccomp_notif& n) {
  const auto pid = static_cast<pid_t>(n.pid);
  const int nr = static_cast<int>(n.data.nr);
  // The answer may come from another thread after the command is gone: it owns a copy of
  // the listener, so the number cannot name something else by then.
  auto shared = std::make_shared<UniqueFd>(fcntl(listener, F_DUPFD_CLOEXEC, 0));
  auto answer = [shared, id = n.id](int rc) {
    seccomp_notif_resp resp{};
    resp.id = id;
    if (rc < 0) resp.error = rc;
    ioctl(shared->get(), SECCOMP_IOCTL_NOTIF_SEND, &resp);
  };
  Task& task = tasks_[pid];
  if (task.tgid == 0) task.tgid = thread_group_of(pid);
  int err = 0;
  if (nr == SYS_listen) return on_listen(listener, n, task);
  auto req = read_socket_request(n, task.tgid, err);
  if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &n.id) != 0) return;
  if (!req) return answer(-err);
  if (auto refused = gate(pid, task, socket_call(nr, *req))) return answer(*refused);
  // A blocking connect can take as long as the network does: off the supervisor's loop. The
  // thread owns its copies; the kernel keeps the notification until it is answered.
  const pid_t tgid = task.tgid;
  pool_->submit(listener, n.id, [answer, tgid, nr, req = std::move(*req)] {
    answer(socket_call_on_behalf(tgid, nr, req));
  });
}

// listen: a socket never bound would be bound by the kernel; that bind is decided. Done by us
// on our duplicate (never on whatever the descriptor number names by the time the kernel
// would look again); listen() does not wait.
void Supervisor::on_listen(int listener, const seccomp_notif& n, Task& task) {
  const auto pid = static_cast<pid_t>(n.pid);
  const Reply answer{listener, n.id};
  UniqueFd socket;
  int err = 0;
  const auto address = listen_address(task.tgid, static_cast<int>(n.data.args[0]), socket, err);
  if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &n.id) != 0) return;
  if (!address) return answer(-err);
  if (!address->empty()) {
    policy::Call call;
    call.syscall = SYS_listen;
    call.sockaddr = *address;
    if (auto refused = gate(pid, task, call)) return answer(*refused);
  }
  answer(::listen(socket.get(), static_cast<int>(n.data.args[1])) == 0 ? 0 : -errno);
}

void Supervisor::on_kernel_denials() {
  if (!audit_) return;
  AuditBatch batch = audit_->drain();
  for (const KernelDenial& k : batch.denials) record_kernel_denial(k);
  for (const KernelLoss& loss : batch.losses) {
    Violation v;
    v.exe = "?";
    v.command_entry = "(kernel tier)";
    v.call.syscall = -1;
    lost_rule_storage_.push_back("kernel tier: " + std::to_string(loss.count) +
                                 " denial records may have been lost (" + loss.reason + ")");
    v.decision = policy::Decision{policy::Verdict::deny, 0, true, lost_rule_storage_.back()};
    log_->record(v);
  }
  if (batch.unavailable) {
    // Later denials would go unrecorded: new launches take the supervisor route.
    epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, audit_->fd(), nullptr);
    audit_.reset();
    confinements_ = std::make_unique<ConfinementCache>(*plan_, mode_, false);
    route_ = "supervisor (stsh-audit: " + *batch.unavailable + ")";
  }
}

// A call Landlock denied: decided again by the Plan under the policy the process ran under,
// so that the record names the rule (and a quiet rule stays quiet); one the Plan would have
// permitted is recorded as the kernel's.
void Supervisor::record_kernel_denial(const KernelDenial& k) {
  const pid_t pid = k.pid.value_or(k.creator);
  const policy::CommandPolicy* policy = nullptr;
  if (auto t = tasks_.find(pid); t != tasks_.end() && t->second.policy) policy = t->second.policy;
  if (!policy) {
    auto l = launches_.find(k.creator);
    policy = l != launches_.end() && l->second.policy ? l->second.policy : &plan_->login();
  }
  policy::Call call;
  const std::string* path = k.get("path");
  const std::string& b = k.blockers;
  const auto has = [&](std::string_view what) { return b.find(what) != std::string::npos; };
  if (has("fs.execute")) {
    call.syscall = SYS_execve;
  } else if (has("fs.read_file") || has("fs.read_dir")) {
    call.syscall = SYS_openat;
    call.oflags = O_RDONLY;
  } else if (has("fs.")) {
    call.syscall = static_cast<int>(k.syscall.value_or(SYS_openat));
    if (call.syscall == SYS_openat || call.syscall == SYS_open) call.oflags = O_WRONLY;
  } else if (has("net.connect_tcp") || has("net.bind_tcp")) {
    call.syscall = has("net.connect_tcp") ? SYS_connect : SYS_bind;
    const std::string* addr = k.get(has("net.connect_tcp") ? "daddr" : "saddr");
    const std::string* port = k.get(has("net.connect_tcp") ? "dest" : "src");
    const bool v6 = addr && addr->find(':') != std::string::npos;
    call.sockaddr = std::string(v6 ? "inet6:[" : "inet:") + (addr ? *addr : "?") +
                    (v6 ? "]:" : ":") + (port ? *port : "?");
  } else {
    call.syscall = static_cast<int>(k.syscall.value_or(-1));
  }
  if (path) call.filename = k.pid ? policy_view(pid, *path) : *path;
  policy::Decision d = plan_->decide(*policy, call);
  if (d.permitted()) {
    d = policy::Decision{policy::Verdict::deny, EACCES, true,
                         "kernel tier: Landlock denied " + b + " (the policy would permit it)"};
    lost_rule_storage_.push_back(std::string(d.rule));
    d.rule = lost_rule_storage_.back();
  }
  // Every denial is recorded, as decide_and_log records them.
  Violation v;
  v.pid = pid;
  v.ppid = k.pid ? proc_ppid(pid) : 0;
  v.exe = k.exe.empty() ? "?" : k.exe;
  v.command_entry = policy->is_login() ? "(login)" : std::string(policy->origin());
  v.call = call;
  v.decision = d;
  log_->record(v);
}

void Supervisor::end_launch(pid_t root) {
  auto l = launches_.find(root);
  if (l == launches_.end()) return;
  for (int fd : {l->second.listener.get(), l->second.handover.get()}) {
    if (fd < 0) continue;
    epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
    listeners_.erase(fd);
    handovers_.erase(fd);
  }
  if (l->second.registered && audit_) {
    // Everything the kernel logged for it before now has arrived (or is counted as lost).
    if (!audit_->barrier()) {
      Violation v;
      v.pid = root;
      v.exe = "?";
      v.command_entry = "(kernel tier)";
      v.call.syscall = -1;
      v.decision = policy::Decision{policy::Verdict::deny, 0, true,
                                    "kernel tier: stsh-audit did not confirm that every denial "
                                    "of this command arrived"};
      log_->record(v);
    }
    on_kernel_denials();
    // A failed unregister means the reader is gone; the next launch sees that
    // and takes the supervisor route, so there is nothing more to do here.
    (void)audit_->unregister_creator(root);
  }
  launches_.erase(l);
}

void Supervisor::on_fd_ready(int fd, unsigned events) {
  if (audit_ && fd == audit_->fd()) return on_kernel_denials();
  if (fd == sigfd_.get()) {
    signalfd_siginfo info;
    while (read(fd, &info, sizeof info) == sizeof info) {
    }
    return;
  }
  if (auto h = handovers_.find(fd); h != handovers_.end()) {
    // The child sent its listener, or died before it could (then the socket hangs up).
    const pid_t root = h->second;
    handovers_.erase(h);
    epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
    Launch& launch = launches_[root];
    // The child says the number of its listener and waits; we take a duplicate.
    int number = -1;
    if (read(fd, &number, sizeof number) == static_cast<ssize_t>(sizeof number) && number >= 0) {
      const int dup = duplicate_descriptor(root, number);
      if (dup >= 0) {
        launch.listener.reset(dup);
        if (write(fd, "t", 1) != 1) launch.listener.reset();
      }
    }
    launch.handover.reset();
    if (launch.listener) {
      // Linux 6.6+: the process and the supervisor wake each other on the waker's CPU (the
      // other side is about to sleep), no IPI to another CPU. Older kernels: EINVAL, ignored.
      ioctl(launch.listener.get(), SECCOMP_IOCTL_NOTIF_SET_FLAGS,
            static_cast<unsigned long>(SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP));
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.fd = launch.listener.get();
      epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, launch.listener.get(), &ev);
      listeners_[launch.listener.get()] = root;
    }
    return;
  }
  if (listeners_.count(fd)) {
    if (events & EPOLLIN) return on_notification(fd);
    // No process uses the filter any more (Linux 5.8+ reports it): stop watching.
    if (events & EPOLLHUP) epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
  }
}

std::vector<ProcessEvent> Supervisor::poll(int timeout_ms) {
  reap();  // what happened before we were called
  while (events_.empty()) {
    epoll_event ready[16];
    const int n = epoll_wait(epoll_.get(), ready, 16, timeout_ms);
    if (n < 0 && errno != EINTR) break;
    for (int i = 0; i < n; ++i) on_fd_ready(ready[i].data.fd, ready[i].events);
    reap();
    if (n == 0 || timeout_ms == 0) break;
  }
  return std::exchange(events_, {});
}

// sendto, sendmsg and sendmmsg: every destination decided on our copy, our copy sent.
void Supervisor::on_send_notification(int listener, const seccomp_notif& n) {
  const auto pid = static_cast<pid_t>(n.pid);
  auto shared = std::make_shared<UniqueFd>(fcntl(listener, F_DUPFD_CLOEXEC, 0));
  auto answer = [shared, id = n.id](long rc) {
    seccomp_notif_resp resp{};
    resp.id = id;
    if (rc < 0) {
      resp.error = static_cast<int>(rc);
    } else {
      resp.val = rc;
    }
    ioctl(shared->get(), SECCOMP_IOCTL_NOTIF_SEND, &resp);
  };
  Task& task = tasks_[pid];
  if (task.tgid == 0) task.tgid = thread_group_of(pid);
  int err = 0;
  auto req = read_send_request(n, task.tgid, err);
  if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &n.id) != 0) return;
  if (!req) return answer(-(err != 0 ? err : EPERM));
  for (const policy::Call& call : send_calls(*req)) {
    if (auto refused = gate(pid, task, call)) return answer(*refused);
  }
  // A send can wait for buffer space as long as the peer likes: off the loop, like connect.
  const pid_t tgid = task.tgid;
  pool_->submit(listener, n.id, [answer, tgid, req = std::move(*req)] {
    answer(send_on_behalf(tgid, req));
  });
}

int Supervisor::run_until_exit(pid_t main) {
  int main_status = W_EXITCODE(kCannotConfine, 0);
  bool main_done = false;
  while (!main_done) {
    for (const ProcessEvent& e : poll(-1)) {
      if (e.pid == main && (WIFEXITED(e.status) || WIFSIGNALED(e.status))) {
        main_status = e.status;
        main_done = true;
      }
    }
    if (!main_done && tasks_.empty() && unclaimed_.empty()) break;  // lost track: give up
  }
  // What main started was killed when it exited; give the kernel a moment to report them.
  for (int i = 0; i < 20 && confined_count() > 0; ++i) poll(100);
  return main_status;
}

}  // namespace stsh::enforcer
