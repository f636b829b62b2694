// The metadata syscalls under seccomp user notification: stat, statx, statfs, access,
// readlink, chmod, chown, truncate, the utime family, the xattr calls, mknod and chdir, each
// with its *at and l* forms. The supervisor reads the path once, resolves it as the kernel
// would for this call (following the last symlink or not, as the call and its flags say),
// decides on the canonical path, and performs the call itself: it opens the canonical path
// O_PATH with RESOLVE_NO_SYMLINKS and acts through that descriptor, so a path swapped after
// the decision cannot be what is touched (the TOCTOU rule, case b). Results (a struct stat,
// a link's text, an xattr value) are written into the process's buffer.
//
// Calls that name a descriptor instead of a path are performed on a duplicate of the
// process's descriptor (pidfd_getfd), never continued: the empty path lives in memory another
// thread could fill in after we read it, and the number could name another file by the time
// the kernel looked. Those that read (fstatat(fd, "", AT_EMPTY_PATH), readlinkat(fd, ""),
// fgetxattr) are not decided: the process holds the object already. Those that change it —
// fchmod, fchown, fsetxattr, fremovexattr, futimens (utimensat(fd, NULL)), and the
// AT_EMPTY_PATH forms of fchmodat2, fchownat and utimensat, on any descriptor, O_PATH ones too
// — are decided as writes of the file our duplicate names (descriptor_path) and done through
// that duplicate: what was decided is what changes.
//
// chdir is decided but not performed: the supervisor cannot change another process's working
// directory (see Supervisor::on_meta_notification for why continuing it is not a hole).
#pragma once

#include <linux/seccomp.h>
#include <sys/types.h>

#include <array>
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>

#include "policy/call.h"

namespace stsh::enforcer {

bool is_brokered_meta_call(int nr);

enum class MetaOp : std::uint8_t {
  kernel,  // nothing to decide or do: the kernel runs the call (a NULL path in a register)
  stat,    // stat, lstat, newfstatat: a struct stat
  statx,
  statfs,
  access,
  readlink,
  chmod,
  chown,
  truncate,
  utimes,  // utime, utimes, futimesat, utimensat
  setxattr,
  getxattr,
  listxattr,
  removexattr,
  mknod,
  chdir,
};

struct MetaRequest {
  int nr = -1;
  MetaOp op = MetaOp::kernel;
  pid_t tgid = 0;
  // The canonical path the call acts on. With `follow` false, a symlink at its end is the
  // object itself (lstat, lchown, AT_SYMLINK_NOFOLLOW); otherwise the path has no symlinks.
  std::string path;
  bool follow = true;
  bool directory = false;  // the path ended in '/': the object must be a directory
  // Descriptor forms (path empty): the process's descriptor the call acts on.
  int fd = -1;
  // mknod: the canonical directory and the new name.
  std::string parent, name;

  int flags = 0;               // AT_EACCESS, AT_STATX_*, AT_NO_AUTOMOUNT, XATTR_CREATE/REPLACE
  unsigned mode = 0;           // access: R_OK...; chmod: the new mode; mknod: type and mode
  unsigned mask = 0;           // statx
  long uid = -1, gid = -1;     // chown; -1: unchanged
  unsigned long long dev = 0;  // mknod
  long long length = 0;        // truncate
  unsigned long buffer = 0;    // where a result goes in the process
  unsigned long size = 0;      // that buffer's size (readlink, getxattr, listxattr)
  std::string xattr_name;      // the xattr calls
  std::string xattr_value;     // setxattr
  std::optional<std::array<timespec, 2>> times;  // utimes; nullopt: now

  bool by_descriptor() const { return path.empty() && parent.empty(); }
};

// Reads and resolves one notification of a brokered meta call. nullopt with `error` set when
// the arguments cannot be read, are invalid, or the path does not resolve: the call then fails
// with that errno, undecided, never continued.
std::optional<MetaRequest> read_meta_request(const seccomp_notif& n, pid_t tgid, int& error);

// The Call the Plan decides (paths canonical, not yet in the policy's /proc/self view).
policy::Call meta_call(const MetaRequest& req);

// Whether the call changes the object (and so is decided also when named by a descriptor).
bool changes_object(MetaOp op);

// Performs the call for thread `pid`: the call's return value (a length for readlink and the
// xattr reads, else 0) or -errno. Not for MetaOp::kernel and MetaOp::chdir. `object_fd`, when
// given, is our descriptor of the object (the one the decision was about), used instead of
// opening the path or duplicating the process's descriptor again.
int meta_call_on_behalf(pid_t pid, const MetaRequest& req, int object_fd = -1);

}  // namespace stsh::enforcer
