// The seccomp kernel tier: the compiled programs evaluated in-process by a small BPF interpreter
// (exhaustive argument checks), then installed for real in forked children that try the
// operation; the parent asserts the exact errno, or that the child was killed by SIGSYS.
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <span>
#include <string>

#include "enforcer/fd_passing.h"
#include "enforcer/kernel_compat.h"
#include "enforcer/kernel_filter.h"
#include "enforcer/unique_fd.h"

#ifndef __NR_cachestat
#define __NR_cachestat 451  // Linux 6.5; missing from the 6.1 headers
#endif

namespace {

using stsh::UniqueFd;
using namespace stsh::enforcer;

// ---- an in-process classic BPF interpreter, for the opcodes libseccomp and our prologue emit --

std::uint32_t run_bpf(std::span<const sock_filter> program, const seccomp_data& data) {
  std::uint32_t a = 0;
  std::uint32_t x = 0;
  std::uint32_t mem[BPF_MEMWORDS] = {};
  for (std::size_t pc = 0; pc < program.size(); ++pc) {
    const sock_filter& insn = program[pc];
    switch (insn.code) {
      case BPF_LD | BPF_W | BPF_ABS:
        REQUIRE(insn.k + 4 <= sizeof data);
        std::memcpy(&a, reinterpret_cast<const char*>(&data) + insn.k, 4);
        break;
      case BPF_LD | BPF_IMM:
        a = insn.k;
        break;
      case BPF_LDX | BPF_IMM:
        x = insn.k;
        break;
      case BPF_LD | BPF_MEM:
        a = mem[insn.k % BPF_MEMWORDS];
        break;
      case BPF_LDX | BPF_MEM:
        x = mem[insn.k % BPF_MEMWORDS];
        break;
      case BPF_ST:
        mem[insn.k % BPF_MEMWORDS] = a;
        break;
      case BPF_STX:
        mem[insn.k % BPF_MEMWORDS] = x;
        break;
      case BPF_MISC | BPF_TAX:
        x = a;
        break;
      case BPF_MISC | BPF_TXA:
        a = x;
        break;
      case BPF_ALU | BPF_AND | BPF_K:
        a &= insn.k;
        break;
      case BPF_ALU | BPF_OR | BPF_K:
        a |= insn.k;
        break;
      case BPF_JMP | BPF_JA:
        pc += insn.k;
        break;
      case BPF_JMP | BPF_JEQ | BPF_K:
        pc += a == insn.k ? insn.jt : insn.jf;
        break;
      case BPF_JMP | BPF_JGT | BPF_K:
        pc += a > insn.k ? insn.jt : insn.jf;
        break;
      case BPF_JMP | BPF_JGE | BPF_K:
        pc += a >= insn.k ? insn.jt : insn.jf;
        break;
      case BPF_JMP | BPF_JSET | BPF_K:
        pc += (a & insn.k) != 0 ? insn.jt : insn.jf;
        break;
      case BPF_RET | BPF_K:
        return insn.k;
      case BPF_RET | BPF_A:
        return a;
      default:
        FAIL("BPF opcode " << insn.code << " at " << pc << " not supported by the test");
    }
  }
  FAIL("BPF program ran off its end");
  return 0;
}

// The kernel runs every filter and keeps the action with the lowest value as a signed 32-bit
// number (KILL_PROCESS is 0x80000000, the most severe).
std::uint32_t verdict(const CompiledFilter& filter, const seccomp_data& data) {
  const std::uint32_t hardening = run_bpf(filter.hardening(), data);
  const std::uint32_t routing = run_bpf(filter.routing(), data);
  const auto severity = [](std::uint32_t ret) {
    return static_cast<std::int32_t>(ret & SECCOMP_RET_ACTION_FULL);
  };
  return severity(routing) < severity(hardening) ? routing : hardening;
}

seccomp_data call(int nr, std::initializer_list<std::uint64_t> args = {},
                  std::uint32_t arch = AUDIT_ARCH_X86_64) {
  seccomp_data data{};
  data.nr = nr;
  data.arch = arch;
  std::size_t i = 0;
  for (std::uint64_t arg : args) data.args[i++] = arg;
  return data;
}

constexpr std::uint32_t kAllow = SECCOMP_RET_ALLOW;
constexpr std::uint32_t kKill = SECCOMP_RET_KILL_PROCESS;
constexpr std::uint32_t kNotify = SECCOMP_RET_USER_NOTIF;
constexpr std::uint32_t kTrace = SECCOMP_RET_TRACE;
constexpr std::uint32_t errno_ret(int e) {
  return SECCOMP_RET_ERRNO | static_cast<std::uint32_t>(e);
}

const CompiledFilter& default_filter() {
  static const CompiledFilter filter = [] {
    auto compiled = compile_kernel_filter(KernelFilterSpec{});
    if (!compiled) FAIL(compiled.error().to_string());
    return std::move(compiled).value();
  }();
  return filter;
}

// ---- forked children -------------------------------------------------------------------------

struct ChildOutcome {
  bool exited = false;
  int code = -1;
  bool signaled = false;
  int signal = 0;
};

std::ostream& operator<<(std::ostream& out, const ChildOutcome& o) {
  if (o.exited) {
    const char* name = strerrorname_np(o.code);
    return out << "exited " << o.code << " (" << (name ? name : "?") << ")";
  }
  if (o.signaled)
    return out << "killed by signal " << o.signal << " (" << sigabbrev_np(o.signal) << ")";
  return out << "no outcome";
}

ChildOutcome wait_child(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) FAIL("waitpid failed: " << std::strerror(errno));
  }
  ChildOutcome outcome;
  if (WIFEXITED(status)) {
    outcome.exited = true;
    outcome.code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    outcome.signaled = true;
    outcome.signal = WTERMSIG(status);
  }
  return outcome;
}

// Exit codes for a child whose setup failed, above every errno value.
constexpr int kNoNewPrivsFailed = 250;
constexpr int kInstallFailed = 251;
constexpr int kUnfilteredClone = 252;  // a clone that should have been denied created a child

// Runs `op` in a forked child after installing `filter`; the child exits with op's result (an
// errno, or 0 for success). Only async-signal-safe work happens in the child.
template <typename Op>
ChildOutcome in_confined_child(const CompiledFilter& filter, Op op) {
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // SIGSYS from KILL_PROCESS would dump core into the test's cwd.
    const rlimit no_core{0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) _exit(kNoNewPrivsFailed);
    if (install_filter(filter, 0) < 0) _exit(kInstallFailed);
    _exit(op());
  }
  return wait_child(pid);
}

int errno_of(long rc) {
  return rc < 0 ? errno : 0;
}

void check_errno(const ChildOutcome& outcome, int expected) {
  INFO("child " << outcome << ", expected " << strerrorname_np(expected));
  CHECK(outcome.exited);
  CHECK(outcome.code == expected);
}

void check_killed_by_sigsys(const ChildOutcome& outcome) {
  INFO("child " << outcome << ", expected SIGSYS");
  CHECK(outcome.signaled);
  CHECK(outcome.signal == SIGSYS);
}

long int80_getpid() {
  long ret;
  // i386 getpid is 20. In 64-bit mode `int $0x80` enters the kernel's ia32 entry point, whose
  // seccomp_data.arch is AUDIT_ARCH_I386.
  asm volatile("int $0x80" : "=a"(ret) : "a"(20L) : "memory", "r8", "r9", "r10", "r11");
  return ret;
}

}  // namespace

// ---- the table and the compiler --------------------------------------------------------------

TEST_CASE("kernel filter: the dangerous-syscall table", "[kernel_filter]") {
  static_assert(find_dangerous_syscall("ptrace")->nr == __NR_ptrace);
  static_assert(find_dangerous_syscall(__NR_clone3)->error == ENOSYS);
  static_assert(find_dangerous_syscall(__NR_getpid) == nullptr);
  for (const auto& entry : kDangerousSyscalls) {
    INFO(entry.name);
    CHECK(!entry.why.empty());
    CHECK(find_dangerous_syscall(entry.name) == &entry);
    // ENOSYS only where the program probes for a newer kernel and falls back (clone3) or goes
    // on without a sandbox of its own inside ours (Landlock).
    CHECK((entry.error == EPERM ||
           (entry.error == ENOSYS && (entry.name == "clone3" || entry.name.starts_with("landlock_")))));
  }
  for (const char* name : {"io_uring_setup",
                           "io_uring_enter",
                           "io_uring_register",
                           "bpf",
                           "userfaultfd",
                           "perf_event_open",
                           "kexec_load",
                           "kexec_file_load",
                           "init_module",
                           "finit_module",
                           "delete_module",
                           "mount",
                           "umount2",
                           "move_mount",
                           "open_tree",
                           "fsopen",
                           "fsconfig",
                           "fsmount",
                           "fspick",
                           "mount_setattr",
                           "pivot_root",
                           "chroot",
                           "unshare",
                           "setns",
                           "keyctl",
                           "add_key",
                           "request_key",
                           "open_by_handle_at",
                           "name_to_handle_at",
                           "swapon",
                           "swapoff",
                           "reboot",
                           "acct",
                           "quotactl",
                           "lookup_dcookie",
                           "syslog",
                           "iopl",
                           "ioperm",
                           "uselib",
                           "nfsservctl",
                           "settimeofday",
                           "clock_settime",
                           "adjtimex",
                           "clock_adjtime",
                           "pidfd_getfd",
                           "kcmp",
                           "process_vm_readv",
                           "process_vm_writev",
                           "ptrace",
                           "clone3"}) {
    INFO(name);
    const DangerousSyscall* entry = find_dangerous_syscall(name);
    REQUIRE(entry != nullptr);
    CHECK(entry->scope == DenyScope::kWhole);
  }
  for (const char* name : {"clone", "ioctl", "personality", "seccomp"}) {
    INFO(name);
    REQUIRE(find_dangerous_syscall(name) != nullptr);
    CHECK(find_dangerous_syscall(name)->scope == DenyScope::kArguments);
  }
}

TEST_CASE("kernel filter: the compiler rejects what it cannot route", "[kernel_filter]") {
  SECTION("a syscall denied whole, in the notify set") {
    auto r = compile_kernel_filter({.notify = {__NR_getppid, __NR_ptrace}});
    REQUIRE(!r);
    CHECK_THAT(r.error().message,
               Catch::Contains("notify set: ptrace (101) is denied by the kernel tier"));
  }
  SECTION("a syscall denied whole, in the trace set") {
    auto r = compile_kernel_filter({.trace = {__NR_io_uring_setup}});
    REQUIRE(!r);
    CHECK_THAT(r.error().message, Catch::Contains("trace set: io_uring_setup (425)"));
  }
  SECTION("a syscall in both sets") {
    auto r = compile_kernel_filter({.notify = {__NR_openat}, .trace = {__NR_openat}});
    REQUIRE(!r);
    CHECK(r.error().message ==
          "kernel filter: openat (257) is in both the notify and the trace set");
  }
  SECTION("numbers out of range") {
    CHECK(!compile_kernel_filter({.notify = {-1}}));
    CHECK(!compile_kernel_filter({.trace = {kNewestVettedSyscall + 1}}));
    CHECK(!compile_kernel_filter({.notify = {__NR_cachestat}, .newest_syscall = 450}));
    auto r = compile_kernel_filter({.newest_syscall = kNewestVettedSyscall + 1});
    REQUIRE(!r);
    CHECK_THAT(r.error().message, Catch::Contains("newest_syscall 470 is outside 0..469"));
  }
  SECTION("syscalls whose arguments are checked may be routed") {
    auto r = compile_kernel_filter(
        {.notify = {__NR_clone, __NR_ioctl, __NR_openat, __NR_openat}, .trace = {__NR_execve}});
    REQUIRE(r);
    CHECK(!r->hardening().empty());
    CHECK(r->hardening().size() <= BPF_MAXINSNS);
    CHECK(!r->routing().empty());
  }
}

// ---- the programs, evaluated in-process ------------------------------------------------------

TEST_CASE("kernel filter: architecture, x32 and the vetted range", "[kernel_filter][bpf]") {
  const CompiledFilter& f = default_filter();
  CHECK(verdict(f, call(__NR_getpid)) == kAllow);
  CHECK(verdict(f, call(__NR_getpid, {}, AUDIT_ARCH_I386)) == kKill);
  CHECK(verdict(f, call(20, {}, AUDIT_ARCH_I386)) == kKill);
  CHECK(verdict(f, call(__X32_SYSCALL_BIT | __NR_getpid)) == kKill);
  CHECK(verdict(f, call(__X32_SYSCALL_BIT | 512)) == kKill);  // x32 rt_sigaction
  CHECK(verdict(f, call(kNewestVettedSyscall)) == kAllow);
  CHECK(verdict(f, call(kNewestVettedSyscall + 1)) == errno_ret(ENOSYS));
  CHECK(verdict(f, call(__X32_SYSCALL_BIT - 1)) == errno_ret(ENOSYS));
  CHECK(verdict(f, call(-1)) == errno_ret(ENOSYS));
  // Each program on its own also kills foreign architectures.
  CHECK(run_bpf(f.routing(), call(__NR_getpid, {}, AUDIT_ARCH_I386)) == kKill);
  CHECK(run_bpf(f.routing(), call(__X32_SYSCALL_BIT | __NR_getpid)) == kKill);

  auto pinned = compile_kernel_filter({.newest_syscall = 450});
  REQUIRE(pinned);
  CHECK(verdict(*pinned, call(450)) == kAllow);
  CHECK(verdict(*pinned, call(__NR_cachestat)) == errno_ret(ENOSYS));
}

TEST_CASE("kernel filter: argument checks", "[kernel_filter][bpf]") {
  const CompiledFilter& f = default_filter();
  const std::uint64_t high = std::uint64_t{1} << 32;

  SECTION("ioctl: TIOCSTI and TIOCLINUX, also with high bits set") {
    CHECK(verdict(f, call(__NR_ioctl, {0, TIOCSTI})) == errno_ret(EPERM));
    CHECK(verdict(f, call(__NR_ioctl, {0, TIOCLINUX})) == errno_ret(EPERM));
    CHECK(verdict(f, call(__NR_ioctl, {0, high | TIOCSTI})) == errno_ret(EPERM));
    CHECK(verdict(f, call(__NR_ioctl, {0, ~std::uint64_t{0xffffffff} | TIOCLINUX})) ==
          errno_ret(EPERM));
    CHECK(verdict(f, call(__NR_ioctl, {0, TCGETS})) == kAllow);
    CHECK(verdict(f, call(__NR_ioctl, {0, TIOCGWINSZ})) == kAllow);
  }
  SECTION("clone: every namespace flag alone and combined") {
    for (std::uint64_t bit = 1; bit != 0; bit <<= 1) {
      INFO("flag " << std::hex << bit);
      const std::uint32_t expected = (kDeniedCloneFlags & bit) != 0 ? errno_ret(EPERM) : kAllow;
      CHECK(verdict(f, call(__NR_clone, {bit | SIGCHLD})) == expected);
    }
    CHECK(verdict(f, call(__NR_clone, {CLONE_NEWUSER | CLONE_NEWNS | SIGCHLD})) ==
          errno_ret(EPERM));
    const std::uint64_t thread_flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
                                       CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS |
                                       CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;
    CHECK(verdict(f, call(__NR_clone, {thread_flags})) == kAllow);
    CHECK(verdict(f, call(__NR_clone, {CLONE_VM | CLONE_VFORK | SIGCHLD})) == kAllow);
    CHECK(verdict(f, call(__NR_clone3, {0, 88})) == errno_ret(ENOSYS));
  }
  SECTION("seccomp: only SET_MODE_FILTER with NEW_LISTENER") {
    CHECK(verdict(f, call(__NR_seccomp, {SECCOMP_SET_MODE_FILTER,
                                         SECCOMP_FILTER_FLAG_NEW_LISTENER})) == errno_ret(EPERM));
    CHECK(verdict(f, call(__NR_seccomp, {SECCOMP_SET_MODE_FILTER,
                                         SECCOMP_FILTER_FLAG_NEW_LISTENER |
                                             SECCOMP_FILTER_FLAG_TSYNC})) == errno_ret(EPERM));
    CHECK(verdict(f, call(__NR_seccomp, {high | SECCOMP_SET_MODE_FILTER,
                                         SECCOMP_FILTER_FLAG_NEW_LISTENER})) == errno_ret(EPERM));
    CHECK(verdict(f, call(__NR_seccomp, {SECCOMP_SET_MODE_FILTER, 0})) == kAllow);
    CHECK(verdict(f, call(__NR_seccomp, {SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC})) ==
          kAllow);
    CHECK(verdict(f, call(__NR_seccomp, {SECCOMP_GET_NOTIF_SIZES, 0})) == kAllow);
  }
  SECTION("personality: only the query and PER_LINUX, judged on the low 32 bits") {
    CHECK(verdict(f, call(__NR_personality, {0xffffffff})) == kAllow);
    CHECK(verdict(f, call(__NR_personality, {PER_LINUX})) == kAllow);
    CHECK(verdict(f, call(__NR_personality, {high})) == kAllow);  // the kernel sees 0
    CHECK(verdict(f, call(__NR_personality, {PER_LINUX32})) == errno_ret(EPERM));
    CHECK(verdict(f, call(__NR_personality, {ADDR_NO_RANDOMIZE})) == errno_ret(EPERM));
    CHECK(verdict(f, call(__NR_personality, {READ_IMPLIES_EXEC})) == errno_ret(EPERM));
    CHECK(verdict(f, call(__NR_personality, {high | ADDR_NO_RANDOMIZE})) == errno_ret(EPERM));
    for (unsigned i = 0; i < 32; ++i) {
      const std::uint32_t one = 1U << i;
      INFO("bit " << i);
      CHECK(verdict(f, call(__NR_personality, {one})) == errno_ret(EPERM));
      CHECK(verdict(f, call(__NR_personality, {~one})) == errno_ret(EPERM));
    }
    std::uint32_t x = 0x12345678;  // xorshift32: a spread of values, reproducibly
    for (int i = 0; i < 20000; ++i) {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      const std::uint32_t expected = (x == 0 || x == 0xffffffff) ? kAllow : errno_ret(EPERM);
      if (verdict(f, call(__NR_personality, {x})) != expected) FAIL("personality(" << x << ")");
    }
  }
  SECTION("every syscall denied whole, and only those") {
    for (const auto& entry : kDangerousSyscalls) {
      if (entry.scope != DenyScope::kWhole) continue;
      INFO(entry.name);
      CHECK(verdict(f, call(entry.nr)) == errno_ret(entry.error));
    }
    for (int nr = 0; nr <= kNewestVettedSyscall; ++nr) {
      if (find_dangerous_syscall(nr) != nullptr) continue;
      if (verdict(f, call(nr)) != kAllow) FAIL("syscall " << nr << " is not allowed");
    }
  }
}

TEST_CASE("kernel filter: routing to the supervisor", "[kernel_filter][bpf]") {
  auto f = compile_kernel_filter(
      {.notify = {__NR_openat, __NR_clone, __NR_ioctl}, .trace = {__NR_execve, __NR_personality}});
  REQUIRE(f);
  CHECK(verdict(*f, call(__NR_openat)) == kNotify);
  CHECK(verdict(*f, call(__NR_execve)) == kTrace);
  CHECK(verdict(*f, call(__NR_getpid)) == kAllow);
  // Denials in the hardening program win over the Plan's routing.
  CHECK(verdict(*f, call(__NR_clone, {SIGCHLD})) == kNotify);
  CHECK(verdict(*f, call(__NR_clone, {CLONE_NEWUSER | SIGCHLD})) == errno_ret(EPERM));
  CHECK(verdict(*f, call(__NR_ioctl, {1, TCGETS})) == kNotify);
  CHECK(verdict(*f, call(__NR_ioctl, {1, TIOCSTI})) == errno_ret(EPERM));
  CHECK(verdict(*f, call(__NR_personality, {0xffffffff})) == kTrace);
  CHECK(verdict(*f, call(__NR_personality, {ADDR_NO_RANDOMIZE})) == errno_ret(EPERM));
}

// ---- the programs, installed -----------------------------------------------------------------

TEST_CASE("kernel filter: ordinary syscalls work", "[kernel_filter][kernel]") {
  const CompiledFilter& f = default_filter();
  check_errno(in_confined_child(f, [] { return syscall(__NR_getpid) == getpid() ? 0 : 1; }), 0);
  check_errno(in_confined_child(f,
                                [] {
                                  // fork() is clone(SIGCHLD|CLONE_CHILD_*) in glibc.
                                  const pid_t child = fork();
                                  if (child < 0) return errno;
                                  if (child == 0) _exit(0);
                                  int status = 0;
                                  return waitpid(child, &status, 0) == child && status == 0 ? 0 : 1;
                                }),
              0);
  check_errno(in_confined_child(f, [] { return errno_of(personality(0xffffffff)); }), 0);
  check_errno(in_confined_child(f, [] { return errno_of(personality(PER_LINUX)); }), 0);
  // glibc 2.34+ tries clone3 first for threads and posix_spawn; ENOSYS sends it back to clone.
  check_errno(in_confined_child(f,
                                [] {
                                  pthread_t thread;
                                  const auto body = [](void*) -> void* { return nullptr; };
                                  if (int rc = pthread_create(&thread, nullptr, body, nullptr)) {
                                    return rc;
                                  }
                                  return pthread_join(thread, nullptr);
                                }),
              0);
  check_errno(in_confined_child(f,
                                [] {
                                  pid_t child = 0;
                                  char* const argv[] = {const_cast<char*>("true"), nullptr};
                                  if (int rc = posix_spawn(&child, "/bin/true", nullptr, nullptr,
                                                           argv, nullptr)) {
                                    return rc;
                                  }
                                  int status = 0;
                                  return waitpid(child, &status, 0) == child && status == 0 ? 0 : 1;
                                }),
              0);
}

TEST_CASE("kernel filter: dangerous syscalls fail with their errno", "[kernel_filter][kernel]") {
  const CompiledFilter& f = default_filter();
  check_errno(in_confined_child(f, [] { return errno_of(ptrace(PTRACE_TRACEME, 0, 0, 0)); }),
              EPERM);
  check_errno(in_confined_child(f, [] { return errno_of(unshare(CLONE_NEWUSER)); }), EPERM);
  // A child the supervisor would not follow.
  check_errno(in_confined_child(f,
                                [] {
                                  const long rc =
                                      syscall(__NR_clone, CLONE_UNTRACED | SIGCHLD, 0, 0, 0, 0);
                                  if (rc == 0) _exit(kUnfilteredClone);
                                  return errno_of(rc);
                                }),
              EPERM);
  check_errno(in_confined_child(f,
                                [] {
                                  const long rc =
                                      syscall(__NR_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
                                  if (rc == 0) _exit(kUnfilteredClone);
                                  return errno_of(rc);
                                }),
              EPERM);
  check_errno(in_confined_child(f,
                                [] {
                                  clone_args args{};
                                  args.exit_signal = SIGCHLD;
                                  const long rc = syscall(__NR_clone3, &args, sizeof args);
                                  if (rc == 0) _exit(kUnfilteredClone);
                                  return errno_of(rc);
                                }),
              ENOSYS);
  check_errno(in_confined_child(f,
                                [] {
                                  char params[120] = {};  // struct io_uring_params
                                  return errno_of(syscall(__NR_io_uring_setup, 1, params));
                                }),
              EPERM);
  check_errno(in_confined_child(f, [] { return errno_of(personality(ADDR_NO_RANDOMIZE)); }), EPERM);
  check_errno(in_confined_child(f, [] { return errno_of(personality(PER_LINUX32)); }), EPERM);
}

TEST_CASE("kernel filter: prctl(PR_SET_DUMPABLE, 0) succeeds without effect",
          "[kernel_filter][kernel]") {
  const CompiledFilter& f = default_filter();
  // The process stays dumpable, so the supervisor can still read its memory (sftp-server).
  constexpr int kStillDumpable = 0, kBecameNonDumpable = 1, kCallFailed = 2;
  check_errno(in_confined_child(f,
                                [] {
                                  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) return kCallFailed;
                                  return prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 1
                                             ? kStillDumpable
                                             : kBecameNonDumpable;
                                }),
              kStillDumpable);
  CHECK(verdict(f, call(__NR_prctl, {PR_SET_DUMPABLE, 0})) == errno_ret(0));
  CHECK(verdict(f, call(__NR_prctl, {PR_SET_DUMPABLE, 1})) == kAllow);
}

TEST_CASE("kernel filter: every syscall denied whole is denied by the kernel",
          "[kernel_filter][kernel]") {
  const CompiledFilter& f = default_filter();
  // One child tries them all with zero arguments and reports the first surprise. ptrace goes first
  // as a sentinel: if the filter were not in force, nothing after it runs (these tests run as
  // root).
  const ChildOutcome outcome = in_confined_child(f, [] {
    if (ptrace(PTRACE_TRACEME, 0, 0, 0) == 0 || errno != EPERM) return 200;
    int index = 0;
    for (const auto& entry : kDangerousSyscalls) {
      ++index;
      if (entry.scope != DenyScope::kWhole) continue;
      const long rc = syscall(entry.nr, 0, 0, 0, 0, 0, 0);
      if (rc == 0 && entry.nr == __NR_clone3) _exit(kUnfilteredClone);
      if (rc != -1 || errno != entry.error) return index;
    }
    return 0;
  });
  INFO("child " << outcome << "; a code below 200 is the 1-based index of the failing entry");
  CHECK(outcome.exited);
  CHECK(outcome.code == 0);
}

TEST_CASE("kernel filter: foreign architectures are killed", "[kernel_filter][kernel]") {
  // Precondition: this kernel runs ia32 syscalls at all (CONFIG_IA32_EMULATION, not disabled by
  // ia32_emulation=0); otherwise `int $0x80` would die for another reason and prove nothing.
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) _exit(int80_getpid() == getpid() ? 0 : 1);
  REQUIRE(wait_child(pid).code == 0);

  const CompiledFilter& f = default_filter();
  check_killed_by_sigsys(in_confined_child(f, [] { return int80_getpid() > 0 ? 0 : 1; }));
  check_killed_by_sigsys(
      in_confined_child(f, [] { return errno_of(syscall(__X32_SYSCALL_BIT | __NR_getpid)); }));
}

TEST_CASE("kernel filter: seccomp listeners and terminal injection", "[kernel_filter][kernel]") {
  const CompiledFilter& f = default_filter();
  static sock_filter allow_all[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
  check_errno(in_confined_child(f,
                                [] {
                                  sock_fprog prog{1, allow_all};
                                  return errno_of(syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER,
                                                          SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog));
                                }),
              EPERM);
  check_errno(
      in_confined_child(f,
                        [] {
                          sock_fprog prog{1, allow_all};
                          return errno_of(syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog));
                        }),
      0);
  // /dev/null is not a terminal: unfiltered, these would fail with ENOTTY.
  for (unsigned long request : {static_cast<unsigned long>(TIOCSTI),
                                static_cast<unsigned long>(TIOCLINUX), (1UL << 32) | TIOCSTI}) {
    INFO("ioctl request " << std::hex << request);
    check_errno(in_confined_child(f,
                                  [request] {
                                    const int fd = open("/dev/null", O_RDONLY);
                                    char c = 'x';
                                    return errno_of(syscall(__NR_ioctl, fd, request, &c));
                                  }),
                EPERM);
  }
}

TEST_CASE("kernel filter: syscalls above the vetted range fail with ENOSYS",
          "[kernel_filter][kernel]") {
  // cachestat (451, Linux 6.5) exists on this kernel: a bad descriptor gives EBADF unfiltered.
  check_errno(
      in_confined_child(default_filter(),
                        [] { return errno_of(syscall(__NR_cachestat, -1, nullptr, nullptr, 0)); }),
      EBADF);
  auto pinned = compile_kernel_filter({.newest_syscall = 450});
  REQUIRE(pinned);
  check_errno(
      in_confined_child(*pinned,
                        [] { return errno_of(syscall(__NR_cachestat, -1, nullptr, nullptr, 0)); }),
      ENOSYS);
}

TEST_CASE("kernel filter: the trace set without a tracer fails with ENOSYS",
          "[kernel_filter][kernel]") {
  auto f = compile_kernel_filter({.trace = {__NR_getppid, __NR_ioctl}});
  REQUIRE(f);
  check_errno(in_confined_child(*f, [] { return errno_of(syscall(__NR_getppid)); }), ENOSYS);
  // The kernel keeps the most severe action of all filters: the hardening program's EPERM for
  // TIOCSTI wins over the routing program's TRACE, whatever the Plan routes.
  const auto ioctl_errno = [](unsigned long request) {
    return [request] {
      const int fd = open("/dev/null", O_RDONLY);
      char c = 'x';
      return errno_of(syscall(__NR_ioctl, fd, request, &c));
    };
  };
  check_errno(in_confined_child(*f, ioctl_errno(TCGETS)), ENOSYS);
  check_errno(in_confined_child(*f, ioctl_errno(TIOCSTI)), EPERM);
}

TEST_CASE("kernel filter: install failures name the call", "[kernel_filter][kernel]") {
  const CompiledFilter& f = default_filter();
  // TSYNC with NEW_LISTENER needs TSYNC_ESRCH.
  const unsigned flags = SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_TSYNC;
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) _exit(kNoNewPrivsFailed);
    _exit(-install_filter(f, flags));
  }
  const ChildOutcome outcome = wait_child(pid);
  REQUIRE(outcome.exited);
  CHECK(describe_install_failure(f, flags, outcome.code) ==
        "seccomp(SECCOMP_SET_MODE_FILTER, TSYNC|NEW_LISTENER) failed: EINVAL");

  // Without no_new_privs and without CAP_SYS_ADMIN (drop root first): EACCES.
  const pid_t pid2 = fork();
  REQUIRE(pid2 >= 0);
  if (pid2 == 0) {
    if (setresgid(65534, 65534, 65534) != 0 || setresuid(65534, 65534, 65534) != 0) _exit(240);
    _exit(-install_filter(f, 0));
  }
  const ChildOutcome unprivileged = wait_child(pid2);
  REQUIRE(unprivileged.exited);
  REQUIRE(unprivileged.code == EACCES);
  CHECK(describe_install_failure(f, 0, EACCES) ==
        "seccomp(SECCOMP_SET_MODE_FILTER, 0) failed: EACCES (no_new_privs is not set and the "
        "caller lacks CAP_SYS_ADMIN)");
}

TEST_CASE("kernel filter: a notify-set syscall reaches the listener", "[kernel_filter][kernel]") {
  auto f = compile_kernel_filter({.notify = {__NR_getppid, __NR_openat}});
  REQUIRE(f);
  static const char kPath[] = "/stsh-test/does-not-exist";

  int sv[2];
  REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
  UniqueFd parent_end(sv[0]);
  UniqueFd child_end(sv[1]);

  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    parent_end.reset();
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) _exit(kNoNewPrivsFailed);
    const int listener = install_filter(
        *f, SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV);
    if (listener < 0) _exit(kInstallFailed);
    // The confined process must never keep its own listener: it could answer its own traps.
    const bool cloexec = (fcntl(listener, F_GETFD) & FD_CLOEXEC) != 0;
    if (send_fd(child_end.get(), listener) != 0) _exit(80);
    close(listener);
    if (!cloexec) _exit(81);
    errno = 0;
    if (syscall(__NR_getppid) != -1 || errno != ESTALE) _exit(82);
    const int fd = static_cast<int>(syscall(__NR_openat, AT_FDCWD, kPath, O_RDONLY));
    if (fd < 0) _exit(83);
    char buf[16] = {};
    if (read(fd, buf, sizeof buf) != 5 || std::memcmp(buf, "hello", 5) != 0) _exit(84);
    _exit(0);
  }
  child_end.reset();
  UniqueFd listener(receive_fd(parent_end.get()));
  REQUIRE(listener);

  // Linux 6.6: synchronous wake-ups on this listener.
  CHECK(ioctl(listener.get(), SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) ==
        0);

  seccomp_notif_sizes sizes{};
  REQUIRE(syscall(__NR_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) == 0);
  CHECK(sizes.seccomp_notif == sizeof(seccomp_notif));
  CHECK(sizes.seccomp_notif_resp == sizeof(seccomp_notif_resp));

  for (int round = 0; round < 2; ++round) {
    pollfd pfd{listener.get(), POLLIN, 0};
    REQUIRE(poll(&pfd, 1, 5000) == 1);
    REQUIRE((pfd.revents & POLLIN) != 0);
    seccomp_notif req{};  // RECV insists on a zeroed buffer
    REQUIRE(ioctl(listener.get(), SECCOMP_IOCTL_NOTIF_RECV, &req) == 0);
    CHECK(req.pid == static_cast<__u32>(pid));
    CHECK(req.data.arch == AUDIT_ARCH_X86_64);
    if (round == 0) {
      REQUIRE(req.data.nr == __NR_getppid);
      seccomp_notif_resp resp{};
      resp.id = req.id;
      resp.error = -ESTALE;
      CHECK(ioctl(listener.get(), SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0);
      continue;
    }
    REQUIRE(req.data.nr == __NR_openat);
    // Read the path from the target's memory, then check the notification is still live: the pid
    // could otherwise have been reused between RECV and the read.
    char path[64] = {};
    const std::string mem = "/proc/" + std::to_string(pid) + "/mem";
    UniqueFd memfd(open(mem.c_str(), O_RDONLY | O_CLOEXEC));
    REQUIRE(memfd);
    REQUIRE(pread(memfd.get(), path, sizeof path - 1, static_cast<off_t>(req.data.args[1])) > 0);
    REQUIRE(ioctl(listener.get(), SECCOMP_IOCTL_NOTIF_ID_VALID, &req.id) == 0);
    CHECK(std::string(path) == kPath);
    // Act for the target: the supervisor's descriptor becomes openat's result, atomically.
    UniqueFd content(memfd_create("stsh-test", MFD_CLOEXEC));
    REQUIRE(write(content.get(), "hello", 5) == 5);
    REQUIRE(lseek(content.get(), 0, SEEK_SET) == 0);
    seccomp_notif_addfd addfd{};
    addfd.id = req.id;
    addfd.flags = SECCOMP_ADDFD_FLAG_SEND;
    addfd.srcfd = static_cast<__u32>(content.get());
    addfd.newfd_flags = O_CLOEXEC;
    CHECK(ioctl(listener.get(), SECCOMP_IOCTL_NOTIF_ADDFD, &addfd) >= 0);
  }
  const ChildOutcome outcome = wait_child(pid);
  INFO("child " << outcome);
  CHECK(outcome.exited);
  CHECK(outcome.code == 0);
}

TEST_CASE("kernel filter: the tracer's test of a traced denial agrees with the BPF program",
          "[kernel_filter][bpf]") {
  // hardening_denial is what the supervisor applies when the hardening program stops a call
  // for it (trace_denials): it must deny exactly what the program denies, with the same errno.
  auto traced = compile_kernel_filter({.trace_denials = true});
  REQUIRE(traced);
  const std::uint64_t high = std::uint64_t{1} << 32;
  const std::vector<std::uint64_t> samples = {0,
                                              1,
                                              0xffffffffULL,
                                              TIOCSTI,
                                              TIOCLINUX,
                                              high | TIOCSTI,
                                              SECCOMP_SET_MODE_FILTER,
                                              SECCOMP_FILTER_FLAG_NEW_LISTENER,
                                              0x10000000ULL /* CLONE_NEWUSER */,
                                              0x00800000ULL /* CLONE_UNTRACED */,
                                              0x00000100ULL /* CLONE_VM */,
                                              PER_LINUX32};
  for (const DangerousSyscall& entry : kDangerousSyscalls) {
    for (std::uint64_t a0 : samples) {
      for (std::uint64_t a1 : samples) {
        const std::uint64_t args[6] = {a0, a1, 0, 0, 0, 0};
        const int error = hardening_denial(entry.nr, args);
        INFO(entry.name << "(" << a0 << ", " << a1 << ") -> " << error);
        // An ENOSYS denial is a probe (clone3): answered in the kernel, no stop, no record.
        const std::uint32_t action = error == ENOSYS ? SECCOMP_RET_ERRNO : SECCOMP_RET_TRACE;
        const std::uint32_t want =
            error ? (action | static_cast<std::uint32_t>(error)) : SECCOMP_RET_ALLOW;
        CHECK(run_bpf(traced->hardening(), call(entry.nr, {a0, a1})) == want);
      }
    }
  }
  const std::uint64_t none[6] = {};
  CHECK(hardening_denial(__NR_getpid, none) == 0);
}
