// Landlock, the race-free part of the kernel tier: filesystem allow-lists, TCP ports, and scoping
// of signals and abstract unix sockets, best effort by the running kernel's ABI.
//
// Like the seccomp filter, the ruleset is built in the parent (LandlockBuilder::build opens the
// paths and makes the syscalls that allocate) and the confined child only calls
// LandlockRuleset::restrict_self() (async-signal-safe) before exec. Landlock can only narrow, so a
// command's domain must cover everything its permitted descendants may need; the supervisor
// enforces each binary's precise policy inside it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "enforcer/kernel_compat.h"
#include "enforcer/unique_fd.h"
#include "policy/result.h"

namespace stsh::enforcer {

// The Landlock ABI version of the running kernel; 0 when Landlock is not built in, not enabled at
// boot (lsm=), or the call fails for another reason.
[[nodiscard]] int landlock_abi() noexcept;

// LANDLOCK_ACCESS_FS_* bits.
using LandlockFsRights = std::uint64_t;

inline constexpr LandlockFsRights kFsExecute = LANDLOCK_ACCESS_FS_EXECUTE;
inline constexpr LandlockFsRights kFsWriteFile = LANDLOCK_ACCESS_FS_WRITE_FILE;
inline constexpr LandlockFsRights kFsReadFile = LANDLOCK_ACCESS_FS_READ_FILE;
inline constexpr LandlockFsRights kFsReadDir = LANDLOCK_ACCESS_FS_READ_DIR;
inline constexpr LandlockFsRights kFsRemoveDir = LANDLOCK_ACCESS_FS_REMOVE_DIR;
inline constexpr LandlockFsRights kFsRemoveFile = LANDLOCK_ACCESS_FS_REMOVE_FILE;
inline constexpr LandlockFsRights kFsMakeChar = LANDLOCK_ACCESS_FS_MAKE_CHAR;
inline constexpr LandlockFsRights kFsMakeDir = LANDLOCK_ACCESS_FS_MAKE_DIR;
inline constexpr LandlockFsRights kFsMakeReg = LANDLOCK_ACCESS_FS_MAKE_REG;
inline constexpr LandlockFsRights kFsMakeSock = LANDLOCK_ACCESS_FS_MAKE_SOCK;
inline constexpr LandlockFsRights kFsMakeFifo = LANDLOCK_ACCESS_FS_MAKE_FIFO;
inline constexpr LandlockFsRights kFsMakeBlock = LANDLOCK_ACCESS_FS_MAKE_BLOCK;
inline constexpr LandlockFsRights kFsMakeSym = LANDLOCK_ACCESS_FS_MAKE_SYM;
inline constexpr LandlockFsRights kFsRefer = LANDLOCK_ACCESS_FS_REFER;         // ABI 2
inline constexpr LandlockFsRights kFsTruncate = LANDLOCK_ACCESS_FS_TRUNCATE;   // ABI 3
inline constexpr LandlockFsRights kFsIoctlDev = LANDLOCK_ACCESS_FS_IOCTL_DEV;  // ABI 5

// Every filesystem right the given ABI knows (0 for ABI 0).
constexpr LandlockFsRights landlock_fs_rights_for_abi(int abi) {
  if (abi <= 0) return 0;
  LandlockFsRights rights = (kFsMakeSym << 1) - 1;  // ABI 1: EXECUTE .. MAKE_SYM
  if (abi >= 2) rights |= kFsRefer;
  if (abi >= 3) rights |= kFsTruncate;
  if (abi >= 5) rights |= kFsIoctlDev;
  return rights;
}
inline constexpr LandlockFsRights kFsAllKnown = landlock_fs_rights_for_abi(7);

// The only rights a rule on a non-directory may carry; the kernel answers EINVAL to others.
inline constexpr LandlockFsRights kFsFileRights =
    kFsExecute | kFsWriteFile | kFsReadFile | kFsTruncate | kFsIoctlDev;

// Convenience sets for policies ("read", "write", "exec", devices).
// Reading files and listing directories.
inline constexpr LandlockFsRights kFsRead = kFsReadFile | kFsReadDir;
// Running programs: execve() needs EXECUTE *and* READ_FILE on the file (the kernel opens it for
// reading), and the dynamic loader reads libraries; READ_DIR for the lookups programs do.
inline constexpr LandlockFsRights kFsExec = kFsExecute | kFsReadFile | kFsReadDir;
// Changing content and the tree. Device nodes (MAKE_CHAR, MAKE_BLOCK) are left out on purpose.
inline constexpr LandlockFsRights kFsWrite = kFsWriteFile | kFsTruncate | kFsMakeReg | kFsMakeDir |
                                             kFsMakeSym | kFsMakeSock | kFsMakeFifo |
                                             kFsRemoveFile | kFsRemoveDir | kFsRefer;
// Terminals and similar devices opened inside the domain: /dev/tty needs ioctl for tcgetattr().
inline constexpr LandlockFsRights kFsDevice = kFsReadFile | kFsWriteFile | kFsIoctlDev;

enum class TcpAccess : std::uint64_t {
  kBind = LANDLOCK_ACCESS_NET_BIND_TCP,
  kConnect = LANDLOCK_ACCESS_NET_CONNECT_TCP,
  kBindAndConnect = LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP,
};

struct LandlockOptions {
  // Filesystem rights the domain handles (denies unless a rule allows them); clipped to the ABI.
  LandlockFsRights handled_fs = kFsAllKnown;
  // Handle TCP bind and connect (ABI >= 4): only ports with an allow_tcp_port() rule work. UDP and
  // other protocols are not restricted by Landlock.
  bool restrict_tcp = true;
  // ABI >= 6: no signals to processes outside the domain (the supervisor among them) ...
  bool scope_signals = true;
  // ... and no connections to abstract unix sockets created outside it.
  bool scope_abstract_unix = true;
  // ABI >= 7: audit-log denials of the executed command (LOG_NEW_EXEC_ON) rather than of the
  // launcher code between restrict_self() and exec (LOG_SAME_EXEC_OFF). false: log nothing.
  bool audit_denials = true;
};

// A rule build() could not apply; not an error (best effort), but worth reporting.
struct SkippedRule {
  std::string rule;    // "path /opt/tool" or "tcp port 443"
  std::string reason;  // "ENOENT", "network rules need Landlock ABI 4 (running: 3)", ...
};

// A built ruleset; immutable.
class LandlockRuleset {
 public:
  [[nodiscard]] int abi() const { return abi_; }
  // False when the running kernel has no Landlock: restrict_self() then restricts nothing.
  [[nodiscard]] bool enforced() const { return static_cast<bool>(fd_); }
  [[nodiscard]] LandlockFsRights handled_fs() const { return handled_fs_; }
  [[nodiscard]] std::uint64_t handled_net() const { return handled_net_; }
  [[nodiscard]] std::uint64_t scoped() const { return scoped_; }
  [[nodiscard]] unsigned restrict_flags() const { return restrict_flags_; }
  [[nodiscard]] const std::vector<SkippedRule>& skipped() const { return skipped_; }

  // landlock_restrict_self() on the calling thread; the domain is inherited by children and kept
  // across execve(). Returns 0 or -errno (EPERM: no_new_privs not set and no CAP_SYS_ADMIN, so set
  // prctl(PR_SET_NO_NEW_PRIVS, 1) first). Returns 0 without doing anything when !enforced().
  // Async-signal-safe: callable between fork() and exec().
  [[nodiscard]] int restrict_self() const noexcept;

 private:
  friend class LandlockBuilder;
  LandlockRuleset() = default;

  int abi_ = 0;
  UniqueFd fd_;
  LandlockFsRights handled_fs_ = 0;
  std::uint64_t handled_net_ = 0;
  std::uint64_t scoped_ = 0;
  unsigned restrict_flags_ = 0;
  std::vector<SkippedRule> skipped_;
};

class LandlockBuilder {
 public:
  // `abi` is the ABI to target: the running kernel's by default; a lower value builds what an
  // older kernel would enforce (for tests and for pinning).
  explicit LandlockBuilder(LandlockOptions options = {}, int abi = landlock_abi());

  // Allows `rights` beneath `path` (the path itself and, for a directory, everything under it).
  // The path is opened with O_PATH at build(), refusing symlinks (RESOLVE_NO_SYMLINKS), so the
  // rule binds the object the canonical path names then; a path that holds a symlink by then
  // (derive_landlock_plan makes them canonical) is left out, never applied to the link's target.
  // Rights a non-directory cannot carry are dropped for it, as are rights the ABI or
  // `handled_fs` lacks. A path that cannot be opened is skipped and reported.
  LandlockBuilder& allow_path(std::string path, LandlockFsRights rights);

  // Allows TCP bind and/or connect on `port`. Skipped and reported below ABI 4, where TCP is not
  // restricted at all.
  LandlockBuilder& allow_tcp_port(std::uint16_t port, TcpAccess access);

  // Creates the ruleset and adds the rules. Errors: unknown right bits, a failing
  // landlock_create_ruleset/landlock_add_rule, or an open() failure other than the path not being
  // there or not being reachable.
  [[nodiscard]] Result<LandlockRuleset> build() &&;

 private:
  struct PathRule {
    std::string path;
    LandlockFsRights rights;
  };
  struct PortRule {
    std::uint16_t port;
    std::uint64_t access;
  };

  LandlockOptions options_;
  int abi_;
  std::vector<PathRule> paths_;
  std::vector<PortRule> ports_;
};

}  // namespace stsh::enforcer
