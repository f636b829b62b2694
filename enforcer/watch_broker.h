// inotify_add_watch(2) and fanotify_mark(2) under seccomp user notification. A watch on a
// directory reports the names of what is made, opened and removed in it: it is decided as a
// read of that directory (or file), like listing it. The supervisor resolves the path as the
// kernel would (the last symlink followed unless IN_DONT_FOLLOW / FAN_MARK_DONT_FOLLOW), decides
// on the canonical path, opens that path O_PATH with RESOLVE_NO_SYMLINKS and adds the watch
// itself, on a duplicate of the process's inotify or fanotify descriptor, through
// /proc/self/fd/N of its own descriptor: the watch is on the very object decided (the TOCTOU
// rule, case b). fanotify_mark with a NULL path names the object by its directory descriptor:
// decided on the file our duplicate of it names. Removing marks and flushing them continue in
// the kernel (they grant nothing); mount and filesystem marks, which would watch far more
// than the path, are refused (EPERM, as for any unprivileged caller).
#pragma once

#include <linux/seccomp.h>
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "enforcer/unique_fd.h"
#include "policy/call.h"

namespace stsh::enforcer {

bool is_brokered_watch_call(int nr);

struct WatchRequest {
  int nr = 0;
  int notify_fd = -1;     // the process's inotify or fanotify descriptor
  unsigned flags = 0;     // fanotify_mark's flags
  std::uint64_t mask = 0;
  bool in_kernel = false;  // nothing to decide: continue the call
  std::string path;        // canonical; the object decided on
  bool follow = true;      // false: a symlink at the end of `path` is the object
  UniqueFd object;         // fanotify_mark(..., dirfd, NULL): our duplicate of dirfd
};

// Reads and resolves the call. nullopt with `error` when it fails as the kernel would have
// it fail (EFAULT, ENOENT, EINVAL, EPERM for mount marks).
std::optional<WatchRequest> read_watch_request(const seccomp_notif& n, pid_t tgid, int& error);

policy::Call watch_call(const WatchRequest& req);

// Adds the watch or mark on our copy of the notification descriptor; the call's return value
// (a watch descriptor for inotify) or -errno.
int watch_on_behalf(pid_t tgid, const WatchRequest& req);

}  // namespace stsh::enforcer
