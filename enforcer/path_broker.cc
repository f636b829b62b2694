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
namespace {

std::optional<unsigned> process_umask(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Umask:", 0) == 0)
      return static_cast<unsigned>(std::strtoul(line.c_str() + 6, nullptr, 8));
  }
  return std::nullopt;
}

}  // namespace

bool is_brokered_path_call(int nr) {
  return nr == SYS_unlink || nr == SYS_unlinkat || nr == SYS_rmdir || nr == SYS_mkdir ||
         nr == SYS_mkdirat;
}

std::optional<PathRequest> read_path_request(const seccomp_notif& n, pid_t tgid, int& error) {
  const auto& a = n.data.args;
  const auto pid = static_cast<pid_t>(n.pid);
  PathRequest req;
  req.nr = static_cast<int>(n.data.nr);
  int dirfd = AT_FDCWD;
  unsigned long addr = 0;
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
    default:
      error = ENOSYS;
      return std::nullopt;
  }
  auto path = read_string(pid, addr);
  if (!path) {
    error = EFAULT;
    return std::nullopt;
  }
  // The last component is what the call acts on, never followed (unlink removes a symlink,
  // mkdir refuses one): resolve the directory, keep the name.
  std::string p = *path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  const size_t slash = p.rfind('/');
  const std::string dir =
      slash == std::string::npos ? "." : (slash == 0 ? "/" : p.substr(0, slash));
  req.name = slash == std::string::npos ? p : p.substr(slash + 1);
  if (req.name.empty() || req.name == "." || req.name == "..") {
    error = req.name.empty() ? ENOENT : EINVAL;
    return std::nullopt;
  }
  auto parent = resolve_for(pid, dirfd, dir, tgid);
  if (!parent) {
    error = ENOENT;
    return std::nullopt;
  }
  req.parent = *parent;
  return req;
}

policy::Call path_call(const PathRequest& req) {
  policy::Call c;
  c.syscall = req.nr;
  c.filename = req.canonical();
  if (req.nr == SYS_mkdir || req.nr == SYS_mkdirat) c.mode = req.mode & 07777;
  return c;
}

int path_call_on_behalf(pid_t pid, const PathRequest& req) {
  open_how how{};
  how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
  how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  const long dirfd = syscall(SYS_openat2, AT_FDCWD, req.parent.c_str(), &how, sizeof how);
  if (dirfd < 0) return -errno;
  int rc;
  if (req.nr == SYS_mkdir || req.nr == SYS_mkdirat) {
    const auto mask = process_umask(pid);
    rc =
        mask ? mkdirat(static_cast<int>(dirfd), req.name.c_str(), (req.mode & 07777) & ~*mask) : -1;
    if (!mask) errno = ESRCH;
  } else {
    rc = unlinkat(static_cast<int>(dirfd), req.name.c_str(), req.flags & AT_REMOVEDIR);
  }
  const int err = errno;
  close(static_cast<int>(dirfd));
  return rc == 0 ? 0 : -err;
}

}  // namespace stsh::enforcer
