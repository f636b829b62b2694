// unlink, unlinkat, rmdir, mkdir and mkdirat under seccomp user notification: decided exactly
// on the canonical path, and performed by the supervisor relative to the canonical parent
// directory, opened with RESOLVE_NO_SYMLINKS, so what was checked is what is changed.
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
  std::string parent;  // canonical directory
  std::string name;    // the last component, not followed
  int flags = 0;       // unlinkat's AT_REMOVEDIR
  unsigned mode = 0;   // mkdir
  std::string canonical() const { return (parent == "/" ? "" : parent) + "/" + name; }
};

// nullopt with `error` set when the arguments cannot be read or the path does not resolve.
std::optional<PathRequest> read_path_request(const seccomp_notif& n, pid_t tgid, int& error);
policy::Call path_call(const PathRequest& req);
// 0 or -errno.
int path_call_on_behalf(pid_t pid, const PathRequest& req);

}  // namespace stsh::enforcer
