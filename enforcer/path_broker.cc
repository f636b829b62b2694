#include "enforcer/path_broker.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>

#include "enforcer/tracee.h"

namespace stsh::enforcer {

bool is_brokered_path_call(int nr) {
  switch (nr) {
    case SYS_unlink:
    case SYS_unlinkat:
    case SYS_rmdir:
    case SYS_mkdir:
    case SYS_mkdirat:
    case SYS_rename:
    case SYS_renameat:
    case SYS_renameat2:
    case SYS_link:
    case SYS_linkat:
    case SYS_symlink:
    case SYS_symlinkat:
      return true;
    default:
      return false;
  }
}

// Splits `raw` (relative to `dirfd`) into its canonical directory and last component; with
// `follow`, a final symlink is resolved first (linkat's AT_SYMLINK_FOLLOW).
bool split_resolve(pid_t pid, pid_t tgid, int dirfd, const std::string& raw, bool follow,
                   std::string& parent, std::string& name, int& error) {
  if (follow) {
    auto full = resolve_for(pid, dirfd, raw, tgid);
    if (!full || *full == "/") {
      error = ENOENT;
      return false;
    }
    const size_t slash = full->rfind('/');
    parent = slash == 0 ? "/" : full->substr(0, slash);
    name = full->substr(slash + 1);
    return true;
  }
  std::string p = raw;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  const size_t slash = p.rfind('/');
  const std::string dir =
      slash == std::string::npos ? "." : (slash == 0 ? "/" : p.substr(0, slash));
  name = slash == std::string::npos ? p : p.substr(slash + 1);
  if (name.empty() || name == "." || name == "..") {
    error = name.empty() ? ENOENT : EINVAL;
    return false;
  }
  auto resolved = resolve_for(pid, dirfd, dir, tgid);
  if (!resolved) {
    error = ENOENT;
    return false;
  }
  parent = *resolved;
  return true;
}

std::optional<PathRequest> read_path_request(const seccomp_notif& n, pid_t tgid, int& error) {
  const auto& a = n.data.args;
  const auto pid = static_cast<pid_t>(n.pid);
  PathRequest req;
  req.nr = static_cast<int>(n.data.nr);
  int dirfd = AT_FDCWD, dirfd2 = AT_FDCWD;
  unsigned long addr = 0, addr2 = 0, target = 0;
  bool follow = false;
  switch (req.nr) {
    case SYS_unlink:
    case SYS_rmdir:
      addr = a[0];
      req.flags = req.nr == SYS_rmdir ? AT_REMOVEDIR : 0;
      break;
    case SYS_mkdir:
      addr = a[0], req.mode = static_cast<unsigned>(a[1]);
      break;
    case SYS_unlinkat:
      dirfd = static_cast<int>(a[0]), addr = a[1], req.flags = static_cast<int>(a[2]);
      break;
    case SYS_mkdirat:
      dirfd = static_cast<int>(a[0]), addr = a[1], req.mode = static_cast<unsigned>(a[2]);
      break;
    case SYS_rename:
    case SYS_link:
      addr = a[0], addr2 = a[1];
      break;
    case SYS_renameat:
    case SYS_renameat2:
      dirfd = static_cast<int>(a[0]), addr = a[1], dirfd2 = static_cast<int>(a[2]), addr2 = a[3];
      req.flags = req.nr == SYS_renameat2 ? static_cast<int>(a[4]) : 0;
      break;
    case SYS_linkat:
      dirfd = static_cast<int>(a[0]), addr = a[1], dirfd2 = static_cast<int>(a[2]), addr2 = a[3];
      // Linking a descriptor (AT_EMPTY_PATH) names no path we could check: refused.
      if (static_cast<int>(a[4]) & AT_EMPTY_PATH) {
        error = EPERM;
        return std::nullopt;
      }
      follow = (static_cast<int>(a[4]) & AT_SYMLINK_FOLLOW) != 0;
      break;
    case SYS_symlink:
      target = a[0], addr2 = a[1];
      break;
    case SYS_symlinkat:
      target = a[0], dirfd2 = static_cast<int>(a[1]), addr2 = a[2];
      break;
    default:
      error = ENOSYS;
      return std::nullopt;
  }
  if (target != 0) {
    auto text = read_string(pid, target);
    if (!text) {
      error = EFAULT;
      return std::nullopt;
    }
    req.target = std::move(*text);
  } else {
    auto path = read_string(pid, addr);
    if (!path) {
      error = EFAULT;
      return std::nullopt;
    }
    if (!split_resolve(pid, tgid, dirfd, *path, follow, req.parent, req.name, error))
      return std::nullopt;
  }
  if (addr2 != 0) {
    auto path2 = read_string(pid, addr2);
    if (!path2) {
      error = EFAULT;
      return std::nullopt;
    }
    if (!split_resolve(pid, tgid, dirfd2, *path2, false, req.parent2, req.name2, error))
      return std::nullopt;
  }
  // What fails anyway is answered as the kernel would answer it, without a decision or a
  // record: mkdir -p meets /home (EEXIST), a cleanup removes what is gone (ENOENT). Like the
  // open broker's ENOENT, it tells only whether a name exists.
  auto exists = [](const std::string& canonical) {
    struct stat st {};
    return lstat(canonical.c_str(), &st) == 0;
  };
  const bool creates_first = req.nr == SYS_mkdir || req.nr == SYS_mkdirat;
  const bool removes_or_moves = req.nr == SYS_unlink || req.nr == SYS_unlinkat ||
                                req.nr == SYS_rmdir || req.nr == SYS_rename ||
                                req.nr == SYS_renameat || req.nr == SYS_renameat2 ||
                                req.nr == SYS_link || req.nr == SYS_linkat;
  const bool links = req.nr == SYS_link || req.nr == SYS_linkat || req.nr == SYS_symlink ||
                     req.nr == SYS_symlinkat;
  if (creates_first && exists(req.canonical())) {
    error = EEXIST;
    return std::nullopt;
  }
  if (removes_or_moves && !exists(req.canonical())) {
    error = ENOENT;
    return std::nullopt;
  }
  if (links && exists(req.canonical2())) {
    error = EEXIST;
    return std::nullopt;
  }
  return req;
}

policy::Call path_call(const PathRequest& req) {
  policy::Call c;
  c.syscall = req.nr;
  if (req.nr == SYS_symlink || req.nr == SYS_symlinkat) {
    // The link is the path the call creates; its target is text (syscalls.h, second_path_is_raw).
    c.filename = req.canonical2();
    c.filename1 = req.target;
    return c;
  }
  c.filename = req.canonical();
  if (!req.name2.empty()) c.filename1 = req.canonical2();
  if (req.nr == SYS_mkdir || req.nr == SYS_mkdirat) c.mode = req.mode & 07777;
  return c;
}

namespace {

long open_directory(const std::string& dir) {
  open_how how{};
  how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
  how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  return syscall(SYS_openat2, AT_FDCWD, dir.c_str(), &how, sizeof how);
}

}  // namespace

int path_call_on_behalf(pid_t pid, const PathRequest& req) {
  const bool symlink_call = req.nr == SYS_symlink || req.nr == SYS_symlinkat;
  const long dirfd = symlink_call ? -1 : open_directory(req.parent);
  if (!symlink_call && dirfd < 0) return -errno;
  const long dirfd2 = req.parent2.empty() ? -1 : open_directory(req.parent2);
  int rc = -1;
  if (!req.parent2.empty() && dirfd2 < 0) {
    // errno from open_directory
  } else if (req.nr == SYS_mkdir || req.nr == SYS_mkdirat) {
    const auto mask = process_umask(pid);
    if (mask)
      rc = mkdirat(static_cast<int>(dirfd), req.name.c_str(), (req.mode & 07777) & ~*mask);
    else
      errno = ESRCH;
  } else if (req.nr == SYS_rename || req.nr == SYS_renameat || req.nr == SYS_renameat2) {
    rc = static_cast<int>(syscall(SYS_renameat2, dirfd, req.name.c_str(), dirfd2, req.name2.c_str(),
                                  static_cast<unsigned>(req.flags)));
  } else if (req.nr == SYS_link || req.nr == SYS_linkat) {
    rc = linkat(static_cast<int>(dirfd), req.name.c_str(), static_cast<int>(dirfd2),
                req.name2.c_str(), 0);
  } else if (symlink_call) {
    rc = symlinkat(req.target.c_str(), static_cast<int>(dirfd2), req.name2.c_str());
  } else {
    rc = unlinkat(static_cast<int>(dirfd), req.name.c_str(), req.flags & AT_REMOVEDIR);
  }
  const int err = errno;
  if (dirfd >= 0) close(static_cast<int>(dirfd));
  if (dirfd2 >= 0) close(static_cast<int>(dirfd2));
  return rc == 0 ? 0 : -err;
}

}  // namespace stsh::enforcer
