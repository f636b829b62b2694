#include "enforcer/watch_broker.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "enforcer/tracee.h"

namespace stsh::enforcer {
namespace {

// The canonical object `raw` names: through every symlink, or with the last one itself.
std::optional<std::string> resolve_watched(pid_t pid, pid_t tgid, int dirfd,
                                           const std::string& raw, bool follow) {
  std::string p = raw;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  const size_t cut = p.rfind('/');
  const std::string last = cut == std::string::npos ? p : p.substr(cut + 1);
  if (follow || p.size() != raw.size() || last == "." || last == "..") {
    return resolve_for(pid, dirfd, p, tgid);
  }
  const std::string dir = cut == std::string::npos ? "." : (cut == 0 ? "/" : p.substr(0, cut));
  auto parent = resolve_for(pid, dirfd, dir, tgid);
  if (!parent) return std::nullopt;
  return (*parent == "/" ? "" : *parent) + "/" + last;
}

}  // namespace

bool is_brokered_watch_call(int nr) {
  return nr == SYS_inotify_add_watch || nr == SYS_fanotify_mark;
}

std::optional<WatchRequest> read_watch_request(const seccomp_notif& n, pid_t tgid, int& error) {
  const auto pid = static_cast<pid_t>(n.pid);
  const auto& a = n.data.args;
  WatchRequest req;
  req.nr = static_cast<int>(n.data.nr);
  req.notify_fd = static_cast<int>(a[0]);
  int dirfd = AT_FDCWD;
  unsigned long path_addr = 0;
  if (req.nr == SYS_inotify_add_watch) {
    path_addr = a[1];
    req.mask = static_cast<std::uint32_t>(a[2]);
    req.follow = !(req.mask & IN_DONT_FOLLOW);
  } else {
    req.flags = static_cast<unsigned>(a[1]);
    req.mask = a[2];
    dirfd = static_cast<int>(a[3]);
    path_addr = a[4];
    if (!(req.flags & FAN_MARK_ADD)) {
      req.in_kernel = true;  // remove, flush: nothing is granted
      return req;
    }
    if (req.flags & (FAN_MARK_MOUNT | FAN_MARK_FILESYSTEM)) {
      error = EPERM;
      return std::nullopt;
    }
    req.follow = !(req.flags & FAN_MARK_DONT_FOLLOW);
    if (path_addr == 0) {
      const int dup = duplicate_descriptor(tgid, dirfd);
      if (dup < 0) {
        error = -dup;
        return std::nullopt;
      }
      req.object.reset(dup);
      auto named = descriptor_path(dup);
      if (!named) {
        error = ENOTDIR;  // a pipe or socket: no file to watch
        return std::nullopt;
      }
      req.path = *named;
      return req;
    }
  }
  auto raw = read_string(pid, path_addr);
  if (!raw) {
    error = EFAULT;
    return std::nullopt;
  }
  if (raw->empty()) {
    error = ENOENT;
    return std::nullopt;
  }
  auto canonical = resolve_watched(pid, tgid, dirfd, *raw, req.follow);
  struct stat st {};
  if (!canonical || lstat(canonical->c_str(), &st) != 0) {
    error = canonical ? errno : ENOENT;
    return std::nullopt;
  }
  req.path = std::move(*canonical);
  return req;
}

policy::Call watch_call(const WatchRequest& req) {
  policy::Call c;
  c.syscall = req.nr;
  c.filename = req.path;
  return c;
}

int watch_on_behalf(pid_t tgid, const WatchRequest& req) {
  const int notify = duplicate_descriptor(tgid, req.notify_fd);
  if (notify < 0) return notify;
  const UniqueFd notify_copy(notify);
  UniqueFd object;
  if (req.object) {
    object.reset(fcntl(req.object.get(), F_DUPFD_CLOEXEC, 0));
  } else {
    open_how how{};
    how.flags = O_PATH | O_CLOEXEC | (req.follow ? 0 : O_NOFOLLOW);
    how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    object.reset(static_cast<int>(syscall(SYS_openat2, AT_FDCWD, req.path.c_str(), &how, sizeof how)));
  }
  if (!object) return -errno;
  // The walk of /proc/self/fd/N ends at the object we hold, whatever the path names now.
  const std::string held = "/proc/self/fd/" + std::to_string(object.get());
  long rc;
  if (req.nr == SYS_inotify_add_watch) {
    rc = inotify_add_watch(notify, held.c_str(), static_cast<std::uint32_t>(req.mask) & ~IN_DONT_FOLLOW);
  } else {
    rc = fanotify_mark(notify, req.flags & ~FAN_MARK_DONT_FOLLOW, req.mask, AT_FDCWD, held.c_str());
  }
  return rc < 0 ? -errno : static_cast<int>(rc);
}

}  // namespace stsh::enforcer
