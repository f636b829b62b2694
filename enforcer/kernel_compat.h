// Kernel ABI constants newer than the build machine's headers (Debian 12 ships the 6.1 UAPI
// headers). Values are the kernel's UAPI; each is guarded so a newer header wins. Whether the
// *running* kernel supports a feature is a run-time question (landlock_abi(), EINVAL from the
// syscall), never answered by these definitions.
#pragma once

#include <linux/landlock.h>
#include <linux/seccomp.h>
#include <linux/types.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include <cstddef>

// ---- seccomp --------------------------------------------------------------------------------

// Linux 5.7: with NEW_LISTENER, TSYNC failures report ESRCH instead of a thread id (a listener fd
// and a tid cannot share the return value).
#ifndef SECCOMP_FILTER_FLAG_TSYNC_ESRCH
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH (1UL << 4)
#endif

// Linux 5.19: once the supervisor has received a notification, only fatal signals interrupt the
// trapped syscall; without it a signal makes the kernel retry and notify again after the
// supervisor may already have acted (opened or created a file) for the first attempt.
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

// Linux 5.9 added SECCOMP_IOCTL_NOTIF_ADDFD; Linux 5.14 added the SEND flag: install the
// supervisor's descriptor in the target *and* complete the trapped syscall with its number in one
// step, so no window exists in which the target holds the fd but its syscall is still pending.
#ifndef SECCOMP_ADDFD_FLAG_SETFD
#define SECCOMP_ADDFD_FLAG_SETFD (1UL << 0)
#endif
#ifndef SECCOMP_ADDFD_FLAG_SEND
#define SECCOMP_ADDFD_FLAG_SEND (1UL << 1)
#endif

// Linux 6.6: a listener flag for the fully synchronous case (the trapped task waits while the
// supervisor works, then the reverse): each side wakes the other on its own CPU (WF_CURRENT_CPU)
// instead of a migration and an IPI, which shortens the round trip. Set on the listener with
// SECCOMP_IOCTL_NOTIF_SET_FLAGS.
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif

// x86_64: syscall numbers with this bit set are x32 ABI calls (asm/unistd.h defines it for
// userspace; the fallback is for libcs that do not).
#ifndef __X32_SYSCALL_BIT
#define __X32_SYSCALL_BIT 0x40000000
#endif

// ---- syscall numbers newer than the 6.1 headers (x86_64) ------------------------------------
// Only the ones the kernel tier names. The full list of numbers above 450 lives in
// kernel_filter.h next to the filter's vetted range.
#ifndef __NR_open_tree_attr
#define __NR_open_tree_attr 467  // Linux 6.15: open_tree() plus mount_setattr() in one call
#endif
// Path-taking twins of older syscalls: a Plan that routes the older one must route these too.
#ifndef __NR_fchmodat2
#define __NR_fchmodat2 452  // Linux 6.6: fchmodat() with flags (AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH)
#endif
#ifndef __NR_setxattrat
#define __NR_setxattrat 463  // Linux 6.13: the xattr calls relative to a dirfd, with AT_* flags
#endif
#ifndef __NR_getxattrat
#define __NR_getxattrat 464
#endif
#ifndef __NR_listxattrat
#define __NR_listxattrat 465
#endif
#ifndef __NR_removexattrat
#define __NR_removexattrat 466
#endif
#ifndef __NR_file_getattr
#define __NR_file_getattr 468  // Linux 6.17: FS_IOC_FSGETXATTR by path
#endif
#ifndef __NR_file_setattr
#define __NR_file_setattr 469
#endif

// ---- Landlock -------------------------------------------------------------------------------
// ABI history: 1 = Linux 5.13, 2 = 5.19, 3 = 6.2, 4 = 6.7, 5 = 6.10, 6 = 6.12, 7 = 6.15.

#ifndef LANDLOCK_CREATE_RULESET_VERSION
#define LANDLOCK_CREATE_RULESET_VERSION (1U << 0)  // ABI 1
#endif
// Linux 6.15: landlock_create_ruleset(NULL, 0, ERRATA) returns a bitmask of fixed Landlock bugs.
#ifndef LANDLOCK_CREATE_RULESET_ERRATA
#define LANDLOCK_CREATE_RULESET_ERRATA (1U << 1)
#endif

// ABI 2 (5.19): linking/renaming across directories ("reparenting"). Always handled implicitly:
// without it in handled_access_fs such operations fail with EXDEV.
#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13)
#endif
// ABI 3 (6.2): truncate(2), ftruncate(2) and open(O_TRUNC).
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
// ABI 5 (6.10): ioctl(2) on character and block devices opened inside the domain (a few generic
// commands such as FIOCLEX and FIONBIO stay allowed).
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif

// ABI 4 (6.7): TCP bind(2) and connect(2) by port; rule type LANDLOCK_RULE_NET_PORT (= 2) with a
// struct landlock_net_port_attr, and landlock_ruleset_attr.handled_access_net.
#ifndef LANDLOCK_ACCESS_NET_BIND_TCP
#define LANDLOCK_ACCESS_NET_BIND_TCP (1ULL << 0)
#endif
#ifndef LANDLOCK_ACCESS_NET_CONNECT_TCP
#define LANDLOCK_ACCESS_NET_CONNECT_TCP (1ULL << 1)
#endif

// ABI 6 (6.12): landlock_ruleset_attr.scoped. A scoped domain cannot connect to abstract unix
// sockets, nor send signals to processes, outside itself (its own nested domains excepted).
#ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#endif
#ifndef LANDLOCK_SCOPE_SIGNAL
#define LANDLOCK_SCOPE_SIGNAL (1ULL << 1)
#endif

// ABI 7 (6.15): audit logging of denials, chosen per domain with landlock_restrict_self() flags.
// By default denials are logged (when audit is enabled) only until the domain's creator calls
// execve(); SAME_EXEC_OFF silences the creator itself, NEW_EXEC_ON keeps logging across execve()
// (what a launcher of untrusted commands wants), SUBDOMAINS_OFF silences nested domains created
// later (and may be used with ruleset_fd == -1).
#ifndef LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF
#define LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF (1U << 0)
#endif
#ifndef LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON
#define LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON (1U << 1)
#endif
#ifndef LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF
#define LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF (1U << 2)
#endif

namespace stsh::kcompat {

// enum landlock_rule_type values. Newer headers declare them as enumerators (not macros), so they
// cannot be #ifndef-guarded; ours carry distinct names instead.
inline constexpr int kLandlockRulePathBeneath = 1;  // ABI 1
inline constexpr int kLandlockRuleNetPort = 2;      // ABI 4

// The kernel's struct landlock_ruleset_attr as of ABI 6. The installed header's struct has only
// handled_access_fs and a newer header's has the same name, so we mirror the layout under our own
// name. The kernel takes the size as an argument: pass the size the running ABI knows
// (ruleset_attr_size()) so an older kernel never sees fields it would reject.
struct LandlockRulesetAttr {
  __u64 handled_access_fs;
  __u64 handled_access_net;  // ABI 4
  __u64 scoped;              // ABI 6
};
static_assert(sizeof(LandlockRulesetAttr) == 24);
static_assert(offsetof(LandlockRulesetAttr, handled_access_net) == 8);
static_assert(offsetof(LandlockRulesetAttr, scoped) == 16);

constexpr std::size_t ruleset_attr_size(int abi) {
  if (abi >= 6) return offsetof(LandlockRulesetAttr, scoped) + sizeof(__u64);
  if (abi >= 4) return offsetof(LandlockRulesetAttr, handled_access_net) + sizeof(__u64);
  return sizeof(__u64);
}

// struct landlock_net_port_attr (ABI 4); naturally 16 bytes, not packed. `port` is in host byte
// order.
struct LandlockNetPortAttr {
  __u64 allowed_access;
  __u64 port;
};
static_assert(sizeof(LandlockNetPortAttr) == 16);

// struct landlock_path_beneath_attr exists since ABI 1 and is packed (12 bytes).
static_assert(sizeof(landlock_path_beneath_attr) == 12);

}  // namespace stsh::kcompat
