// unlink, rmdir, mkdir, rename, link, symlink and their *at forms under seccomp user
// notification: decided exactly on the canonical paths, and performed by the supervisor
// relative to the canonical parent directories, opened with RESOLVE_NO_SYMLINKS, so what was
// checked is what is changed.
#pragma once

#include <linux/seccomp.h>
#include <sys/types.h>

#include <optional>
#include <string>

#include "policy/call.h"

namespace stsh::enforcer {

bool is_brokered_path_call(int nr);

struct PathRequest {
  int nr = -1;
  std::string parent;   // canonical directory
  std::string name;     // the last component, not followed
  std::string parent2;  // rename, link: the new name's directory; symlink: the link's
  std::string name2;
  std::string target;  // symlink: the target text, as written (never resolved)
  int flags = 0;       // unlinkat's AT_REMOVEDIR, renameat2's RENAME_*
  unsigned mode = 0;   // mkdir
  std::string canonical() const { return join(parent, name); }
  std::string canonical2() const { return join(parent2, name2); }
  static std::string join(const std::string& dir, const std::string& n) {
    return (dir == "/" ? "" : dir) + "/" + n;
  }
};

// nullopt with `error` set when the arguments cannot be read or the path does not resolve.
std::optional<PathRequest> read_path_request(const seccomp_notif& n, pid_t tgid, int& error);
policy::Call path_call(const PathRequest& req);
// 0 or -errno.
int path_call_on_behalf(pid_t pid, const PathRequest& req);

}  // namespace stsh::enforcer
