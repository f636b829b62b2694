// The seccomp-bpf kernel tier: what the kernel decides without a round trip to the supervisor.
//
// The filter is compiled once in the parent (compile_kernel_filter, which allocates and talks to
// libseccomp) and installed by the confined child just before exec (install_filter, which is
// async-signal-safe). It is two BPF programs:
//
//  - hardening: x86_64 only (other architectures and x32 numbers kill the process), syscall
//    numbers above the vetted range fail with ENOSYS, and the kDangerousSyscalls table is denied.
//    It does not depend on the Plan.
//  - routing: the Plan's choice per syscall: SECCOMP_RET_USER_NOTIF for the `notify` set,
//    SECCOMP_RET_TRACE for the `trace` set, allow for the rest.
//
// Two programs rather than one because the kernel runs every installed filter and keeps the
// most severe action (KILL > TRAP > ERRNO > USER_NOTIF > TRACE > LOG > ALLOW), so a denial in the
// hardening program wins over the routing program whatever the Plan routes. In a single libseccomp
// program, "deny clone with namespace flags, notify the rest of clone" needs the complement of
// every argument test spelled out as rules, which libseccomp cannot express in general.
#pragma once

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "enforcer/kernel_compat.h"
#include "policy/dangerous_syscalls.h"
#include "policy/result.h"

namespace stsh::enforcer {

// The table of always-denied syscalls lives with the policy, which refuses rules that would
// permit them.
using policy::DangerousSyscall;
using policy::DenyScope;
using policy::find_dangerous_syscall;
using policy::kDangerousSyscalls;
using policy::kNewestVettedSyscall;

// The flags clone() may not carry: the namespace flags, and CLONE_UNTRACED, with which a
// confined process could start a child the supervisor does not follow (it would keep the
// seccomp filter, but escape exec verification and die with no supervisor). CLONE_NEWTIME is
// absent on purpose: its value (0x80)
// lies in clone()'s exit-signal byte, which the kernel masks off, so clone() cannot create a time
// namespace (only unshare and clone3 can, and both are denied whole).
inline constexpr std::uint64_t kDeniedCloneFlags = 0x00020000ULL     // CLONE_NEWNS
                                                   | 0x02000000ULL   // CLONE_NEWCGROUP
                                                   | 0x04000000ULL   // CLONE_NEWUTS
                                                   | 0x08000000ULL   // CLONE_NEWIPC
                                                   | 0x10000000ULL   // CLONE_NEWUSER
                                                   | 0x20000000ULL   // CLONE_NEWPID
                                                   | 0x40000000ULL   // CLONE_NEWNET
                                                   | 0x00800000ULL;  // CLONE_UNTRACED

struct KernelFilterSpec {
  // Syscall numbers answered by the supervisor through the seccomp listener
  // (SECCOMP_RET_USER_NOTIF). Without a listener the kernel fails them with ENOSYS.
  std::vector<int> notify{};
  // Like `notify`, but only when the argument with the given index (0-5) is not 0: sendto with
  // an address (index 4) goes to the supervisor, a send on a connected socket does not.
  std::vector<std::pair<int, unsigned>> notify_if_set{};
  // Like `notify`, but only when the open flags in the argument with the given index ask to
  // write, create, truncate or make a temporary file: a read-only open stays with the kernel
  // (Landlock decides it).
  std::vector<std::pair<int, unsigned>> notify_if_writing{};
  // Syscall numbers stopped for a ptrace tracer (SECCOMP_RET_TRACE, PTRACE_EVENT_SECCOMP). Without
  // a tracer the kernel fails them with ENOSYS.
  std::vector<int> trace{};
  // SECCOMP_FILTER_FLAG_LOG at install: the kernel audit-logs every action but ALLOW (subject to
  // /proc/sys/kernel/seccomp/actions_logged). Kernel-tier denials never reach the supervisor, so
  // this is the only record of them.
  bool log_denials = false;
  // Numbers above this fail with ENOSYS. At most kNewestVettedSyscall; lower it to pin a session
  // to an older kernel's syscall surface.
  int newest_syscall = kNewestVettedSyscall;
  // The dangerous syscalls stop for the tracer (SECCOMP_RET_TRACE, which the tracer answers with
  // the errno and a syslog record) instead of failing in the kernel unseen. Without a tracer
  // the kernel fails them with ENOSYS, so they stay denied either way.
  bool trace_denials = false;
};

// The errno with which the hardening program denies syscall `nr` with these arguments, or 0
// when it does not: the same test the BPF program makes, for the tracer that answers a
// traced denial (it decides on the registers, never on the filter's RET_DATA, which a filter
// the process installed itself could forge).
int hardening_denial(int nr, const std::uint64_t (&args)[6]);

// The compiled BPF programs, immutable. Built only by compile_kernel_filter.
class CompiledFilter {
 public:
  [[nodiscard]] std::span<const sock_filter> hardening() const { return hardening_; }
  [[nodiscard]] std::span<const sock_filter> routing() const { return routing_; }
  [[nodiscard]] bool log_denials() const { return log_denials_; }

 private:
  friend Result<CompiledFilter> compile_kernel_filter(const KernelFilterSpec& spec);
  CompiledFilter() = default;

  std::vector<sock_filter> hardening_;
  std::vector<sock_filter> routing_;
  bool log_denials_ = false;
};

// Validates the spec and compiles both programs with libseccomp. Errors: a syscall number out of
// range, one in both sets, a kWhole dangerous syscall in either set, a libseccomp failure.
[[nodiscard]] Result<CompiledFilter> compile_kernel_filter(const KernelFilterSpec& spec);

// Installs the routing program, then the hardening program, on the calling thread with
// seccomp(SECCOMP_SET_MODE_FILTER, flags, ...). `flags` are SECCOMP_FILTER_FLAG_*; NEW_LISTENER
// (and WAIT_KILLABLE_RECV) apply to the routing program only, since that is where USER_NOTIF
// lives; SECCOMP_FILTER_FLAG_LOG is added when the filter asks for it.
//
// Returns the listener descriptor (O_CLOEXEC, owned by the caller; it may be 0 if stdin was
// closed) when `flags` has SECCOMP_FILTER_FLAG_NEW_LISTENER, 0 otherwise, and -errno on failure
// (-ESRCH when TSYNC could not synchronize a thread). A failure of the second program leaves the
// first installed: treat any failure as fatal (_exit), never exec.
//
// Precondition: no_new_privs is set (prctl(PR_SET_NO_NEW_PRIVS, 1)) or the thread has
// CAP_SYS_ADMIN; otherwise the kernel answers EACCES.
// Async-signal-safe: no allocation, callable between fork() and exec().
[[nodiscard]] int install_filter(const CompiledFilter& filter, unsigned flags) noexcept;

// The message for a failed install_filter, naming the exact call:
// "seccomp(SECCOMP_SET_MODE_FILTER, NEW_LISTENER) failed: EINVAL (Invalid argument)".
// `error` is the positive errno. For the parent, after the child reported the errno.
[[nodiscard]] std::string describe_install_failure(const CompiledFilter& filter, unsigned flags,
                                                   int error);

}  // namespace stsh::enforcer
