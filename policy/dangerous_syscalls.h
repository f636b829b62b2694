// The syscalls stsh denies in every session, whatever the policy says: the kernel tier
// (enforcer/kernel_filter.h) denies them, and the policy loader refuses a rule that tries to
// permit one. One table for both, so they cannot disagree.
#pragma once

#include <sys/syscall.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <string_view>

// Syscalls newer than Debian 12's headers.
#ifndef __NR_open_tree_attr
#define __NR_open_tree_attr 467  // Linux 6.15: open_tree() plus mount_setattr() in one call
#endif

namespace stsh::policy {

// The highest x86_64 syscall number the hardening filter lets through: file_setattr, Linux 6.17
// (the newest on Linux 6.18). Numbers above it (syscalls of kernels newer than this table) fail
// with ENOSYS, the answer glibc expects from an older kernel, until someone has read what they do
// and raised this number. New path-taking syscalls (fchmodat2, *xattrat, file_getattr) are why:
// a Plan that traps fchmodat must also trap fchmodat2, and only a reviewed table can say so.
inline constexpr int kNewestVettedSyscall = 469;

// How much of a dangerous syscall the hardening filter denies.
enum class DenyScope : std::uint8_t {
  kWhole,      // every call
  kArguments,  // only the argument values described in `why`; other calls follow the Plan
};

struct DangerousSyscall {
  std::string_view name;
  int nr;     // x86_64 number
  int error;  // the errno the call fails with
  DenyScope scope;
  std::string_view why;  // one line, for `stsh-policy explain` and the man page
};

// Denied by the kernel tier in every session; a Plan cannot re-allow them. kWhole entries cannot
// be routed to the supervisor either (compile_kernel_filter rejects that); for kArguments entries
// the dangerous argument values stay denied and the remaining calls follow the Plan.
// Sorted by number.
inline constexpr auto kDangerousSyscalls = std::to_array<DangerousSyscall>({
    {"ioctl", __NR_ioctl, EPERM, DenyScope::kArguments,
     "TIOCSTI and TIOCLINUX push characters into a terminal's input: a confined process could "
     "type commands into the user's unconfined shell"},
    {"clone", __NR_clone, EPERM, DenyScope::kArguments,
     "CLONE_NEW* flags create namespaces: a user namespace grants capabilities over new mount, "
     "network and pid namespaces and a large kernel attack surface"},
    {"ptrace", __NR_ptrace, EPERM, DenyScope::kWhole,
     "reads and writes other processes' memory and registers: defeats every check of the "
     "supervisor, which is itself a tracer"},
    {"syslog", __NR_syslog, EPERM, DenyScope::kWhole,
     "reads or clears the kernel log (kernel addresses, other users' activity)"},
    {"uselib", __NR_uselib, EPERM, DenyScope::kWhole,
     "maps an a.out library: legacy, and an executable mapping that exec control never sees"},
    {"personality", __NR_personality, EPERM, DenyScope::kArguments,
     "anything but the query (0xffffffff) and PER_LINUX (0): flags such as ADDR_NO_RANDOMIZE and "
     "READ_IMPLIES_EXEC weaken exploit mitigations for the programs the process starts"},
    {"pivot_root", __NR_pivot_root, EPERM, DenyScope::kWhole,
     "changes the root the path policy was written against"},
    {"adjtimex", __NR_adjtimex, EPERM, DenyScope::kWhole,
     "adjusts the system clock (log timestamps, certificate validity)"},
    {"chroot", __NR_chroot, EPERM, DenyScope::kWhole,
     "changes the root the path policy was written against"},
    {"acct", __NR_acct, EPERM, DenyScope::kWhole, "system-wide process accounting"},
    {"settimeofday", __NR_settimeofday, EPERM, DenyScope::kWhole, "sets the system clock"},
    {"mount", __NR_mount, EPERM, DenyScope::kWhole,
     "changes the filesystem view that path rules and Landlock rules were written against"},
    {"umount2", __NR_umount2, EPERM, DenyScope::kWhole,
     "changes the filesystem view that path rules and Landlock rules were written against"},
    {"swapon", __NR_swapon, EPERM, DenyScope::kWhole, "system administration"},
    {"swapoff", __NR_swapoff, EPERM, DenyScope::kWhole, "system administration"},
    {"reboot", __NR_reboot, EPERM, DenyScope::kWhole, "system administration"},
    {"iopl", __NR_iopl, EPERM, DenyScope::kWhole, "direct access to I/O ports"},
    {"ioperm", __NR_ioperm, EPERM, DenyScope::kWhole, "direct access to I/O ports"},
    {"init_module", __NR_init_module, EPERM, DenyScope::kWhole, "loads kernel code"},
    {"delete_module", __NR_delete_module, EPERM, DenyScope::kWhole, "unloads kernel code"},
    {"quotactl", __NR_quotactl, EPERM, DenyScope::kWhole, "filesystem quota administration"},
    {"nfsservctl", __NR_nfsservctl, EPERM, DenyScope::kWhole,
     "removed in Linux 3.1; nothing legitimate calls it"},
    {"lookup_dcookie", __NR_lookup_dcookie, EPERM, DenyScope::kWhole,
     "oprofile interface, removed in Linux 6.10; leaks paths by cookie"},
    {"clock_settime", __NR_clock_settime, EPERM, DenyScope::kWhole, "sets the system clock"},
    {"kexec_load", __NR_kexec_load, EPERM, DenyScope::kWhole, "replaces the running kernel"},
    {"add_key", __NR_add_key, EPERM, DenyScope::kWhole,
     "kernel keyrings: shared beyond the session and a history of kernel bugs"},
    {"request_key", __NR_request_key, EPERM, DenyScope::kWhole,
     "kernel keyrings; can also make the kernel run /sbin/request-key"},
    {"keyctl", __NR_keyctl, EPERM, DenyScope::kWhole,
     "kernel keyrings: shared beyond the session and a history of kernel bugs"},
    {"unshare", __NR_unshare, EPERM, DenyScope::kWhole,
     "creates namespaces (a user namespace first, then anything)"},
    {"perf_event_open", __NR_perf_event_open, EPERM, DenyScope::kWhole,
     "performance counters: kernel attack surface and side channels"},
    {"name_to_handle_at", __NR_name_to_handle_at, EPERM, DenyScope::kWhole,
     "produces handles for open_by_handle_at and leaks inode identity"},
    {"open_by_handle_at", __NR_open_by_handle_at, EPERM, DenyScope::kWhole,
     "opens files without path resolution, so around every path rule (the 'shocker' escape)"},
    {"clock_adjtime", __NR_clock_adjtime, EPERM, DenyScope::kWhole, "adjusts the system clock"},
    {"setns", __NR_setns, EPERM, DenyScope::kWhole, "enters other namespaces"},
    {"process_vm_readv", __NR_process_vm_readv, EPERM, DenyScope::kWhole,
     "reads another process's memory"},
    {"process_vm_writev", __NR_process_vm_writev, EPERM, DenyScope::kWhole,
     "writes another process's memory: rewrites arguments after the supervisor checked them"},
    {"kcmp", __NR_kcmp, EPERM, DenyScope::kWhole,
     "compares kernel objects of other processes: an oracle for descriptors and kernel pointers"},
    {"finit_module", __NR_finit_module, EPERM, DenyScope::kWhole, "loads kernel code"},
    {"seccomp", __NR_seccomp, EPERM, DenyScope::kArguments,
     "SECCOMP_SET_MODE_FILTER with SECCOMP_FILTER_FLAG_NEW_LISTENER: a listener the process holds "
     "overrides the supervisor's notify and trace actions and could answer CONTINUE; nested "
     "filters without a listener can only restrict and stay allowed"},
    {"kexec_file_load", __NR_kexec_file_load, EPERM, DenyScope::kWhole,
     "replaces the running kernel"},
    {"bpf", __NR_bpf, EPERM, DenyScope::kWhole,
     "eBPF programs and maps: a large kernel attack surface"},
    {"userfaultfd", __NR_userfaultfd, EPERM, DenyScope::kWhole,
     "stalls kernel accesses to user memory at will: widens kernel races and the window between "
     "a supervisor's read of an argument and the kernel's"},
    {"io_uring_setup", __NR_io_uring_setup, EPERM, DenyScope::kWhole,
     "io_uring performs opens, connects and I/O that no seccomp filter or supervisor sees"},
    {"io_uring_enter", __NR_io_uring_enter, EPERM, DenyScope::kWhole,
     "io_uring performs opens, connects and I/O that no seccomp filter or supervisor sees"},
    {"io_uring_register", __NR_io_uring_register, EPERM, DenyScope::kWhole,
     "io_uring performs opens, connects and I/O that no seccomp filter or supervisor sees"},
    {"open_tree", __NR_open_tree, EPERM, DenyScope::kWhole,
     "new mount API: changes the filesystem view like mount(2)"},
    {"move_mount", __NR_move_mount, EPERM, DenyScope::kWhole,
     "new mount API: changes the filesystem view like mount(2)"},
    {"fsopen", __NR_fsopen, EPERM, DenyScope::kWhole,
     "new mount API: changes the filesystem view like mount(2)"},
    {"fsconfig", __NR_fsconfig, EPERM, DenyScope::kWhole,
     "new mount API: changes the filesystem view like mount(2)"},
    {"fsmount", __NR_fsmount, EPERM, DenyScope::kWhole,
     "new mount API: changes the filesystem view like mount(2)"},
    {"fspick", __NR_fspick, EPERM, DenyScope::kWhole,
     "new mount API: changes the filesystem view like mount(2)"},
    {"clone3", __NR_clone3, ENOSYS, DenyScope::kWhole,
     "its flags live in memory a BPF filter cannot read; ENOSYS makes glibc fall back to clone(), "
     "whose flags the filter checks"},
    {"pidfd_getfd", __NR_pidfd_getfd, EPERM, DenyScope::kWhole,
     "copies a descriptor out of another process"},
    {"mount_setattr", __NR_mount_setattr, EPERM, DenyScope::kWhole,
     "new mount API: changes mount flags such as nosuid and noexec"},
    {"quotactl_fd", __NR_quotactl_fd, EPERM, DenyScope::kWhole, "filesystem quota administration"},
    // A nested Landlock domain made with LOG_SAME_EXEC_OFF or LOG_SUBDOMAINS_OFF would keep its
    // denials out of the audit records the session's own denials are reported from. ENOSYS: a
    // program that sandboxes itself where it can sees a kernel without Landlock and goes on
    // inside the session's domain.
    {"landlock_create_ruleset", __NR_landlock_create_ruleset, ENOSYS, DenyScope::kWhole,
     "a nested Landlock domain could turn off the audit records of its denials"},
    {"landlock_restrict_self", __NR_landlock_restrict_self, ENOSYS, DenyScope::kWhole,
     "a nested Landlock domain could turn off the audit records of its denials"},
    {"open_tree_attr", __NR_open_tree_attr, EPERM, DenyScope::kWhole,
     "new mount API (Linux 6.15): changes the filesystem view like mount(2)"},
});

namespace detail {
constexpr bool dangerous_table_sorted_and_unique() {
  for (std::size_t i = 1; i < kDangerousSyscalls.size(); ++i) {
    if (kDangerousSyscalls[i - 1].nr >= kDangerousSyscalls[i].nr) return false;
  }
  return true;
}
}  // namespace detail
static_assert(detail::dangerous_table_sorted_and_unique(), "kDangerousSyscalls: sort by number");
static_assert(kDangerousSyscalls.back().nr <= kNewestVettedSyscall);

// The table entry for a syscall number or name; nullptr if the syscall is not in the table.
constexpr const DangerousSyscall* find_dangerous_syscall(int nr) {
  for (const auto& entry : kDangerousSyscalls) {
    if (entry.nr == nr) return &entry;
  }
  return nullptr;
}
constexpr const DangerousSyscall* find_dangerous_syscall(std::string_view name) {
  for (const auto& entry : kDangerousSyscalls) {
    if (entry.name == name) return &entry;
  }
  return nullptr;
}

}  // namespace stsh::policy
