#include "enforcer/open_broker.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <fstream>

#include "enforcer/tracee.h"

namespace stsh::enforcer {
namespace {

bool creates(int flags) {
  return (flags & O_CREAT) != 0 || (flags & O_TMPFILE) == O_TMPFILE;
}

}  // namespace

bool is_brokered_open(int nr) {
  return nr == SYS_open || nr == SYS_openat || nr == SYS_openat2 || nr == SYS_creat;
}

std::optional<OpenRequest> read_open_request(const seccomp_notif& n) {
  const auto& a = n.data.args;
  const auto pid = static_cast<pid_t>(n.pid);
  OpenRequest req{AT_FDCWD, {}, 0, 0, 0};
  unsigned long path_addr = 0;
  switch (n.data.nr) {
    case SYS_open:
      path_addr = a[0], req.flags = static_cast<int>(a[1]), req.mode = static_cast<unsigned>(a[2]);
      break;
    case SYS_creat:
      path_addr = a[0], req.flags = O_CREAT | O_WRONLY | O_TRUNC,
      req.mode = static_cast<unsigned>(a[1]);
      break;
    case SYS_openat:
      req.dirfd = static_cast<int>(a[0]), path_addr = a[1], req.flags = static_cast<int>(a[2]),
      req.mode = static_cast<unsigned>(a[3]);
      break;
    case SYS_openat2: {
      req.dirfd = static_cast<int>(a[0]), path_addr = a[1];
      open_how how{};
      const size_t size = std::min<size_t>(a[3], sizeof how);
      iovec local{&how, size};
      iovec remote{reinterpret_cast<void*>(a[2]), size};
      if (a[3] < 24 /* OPEN_HOW_SIZE_VER0 */ ||
          process_vm_readv(pid, &local, 1, &remote, 1, 0) != static_cast<ssize_t>(size)) {
        return std::nullopt;
      }
      req.flags = static_cast<int>(how.flags), req.mode = static_cast<unsigned>(how.mode),
      req.resolve = how.resolve;
      break;
    }
    default:
      return std::nullopt;
  }
  auto path = read_string(pid, path_addr);
  if (!path) return std::nullopt;
  req.path = std::move(*path);
  return req;
}

std::optional<std::string> canonical_open_path(pid_t pid, pid_t tgid, const OpenRequest& req,
                                               int& error) {
  error = 0;
  if (req.path.empty()) {
    error = ENOENT;
    return std::nullopt;
  }
  // A last component of "." or ".." (find opens "." with O_NOFOLLOW) is no symlink: there is
  // nothing not to follow.
  std::string_view last(req.path);
  while (last.size() > 1 && last.back() == '/') last.remove_suffix(1);
  last = last.substr(last.rfind('/') == std::string_view::npos ? 0 : last.rfind('/') + 1);
  const bool dot = last == "." || last == "..";
  const bool no_follow =
      !dot && ((req.flags & O_NOFOLLOW) || ((req.flags & O_CREAT) && (req.flags & O_EXCL)));
  if (!no_follow) {
    if (auto full = resolve_for(pid, req.dirfd, req.path, tgid)) return full;
  }
  // The final component is taken as it is (it does not exist yet, or is not to be followed):
  // resolve the directory and append the name.
  std::string path = req.path;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  const size_t slash = path.rfind('/');
  const std::string dir =
      slash == std::string::npos ? "" : (slash == 0 ? "/" : path.substr(0, slash));
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  auto parent = resolve_for(pid, req.dirfd, dir.empty() ? "." : dir, tgid);
  if (!parent || name.empty() || name == "." || name == "..") {
    error = ENOENT;
    return std::nullopt;
  }
  struct stat st {};
  const std::string candidate = (*parent == "/" ? "" : *parent) + "/" + name;
  if (!no_follow && !creates(req.flags) && lstat(candidate.c_str(), &st) != 0) {
    error = errno;
    return std::nullopt;
  }
  return candidate;
}

policy::Call open_call(int nr, const OpenRequest& req, const std::string& canonical) {
  policy::Call c;
  c.syscall = nr;
  c.filename = canonical;
  if (nr != SYS_creat) c.oflags = req.flags;
  if (creates(req.flags)) c.mode = req.mode & 07777;
  return c;
}

namespace {

bool is_fifo_descriptor(int fd) {
  struct stat st {};
  return fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode);
}

// Whether what `how` opens is a FIFO, looked at without opening it for I/O.
bool names_fifo(const std::string& canonical, const open_how& how) {
  open_how path_only{};
  path_only.flags = O_PATH | O_CLOEXEC;
  path_only.resolve = how.resolve;
  const long fd = syscall(SYS_openat2, AT_FDCWD, canonical.c_str(), &path_only, sizeof path_only);
  if (fd < 0) return false;
  const bool fifo = is_fifo_descriptor(static_cast<int>(fd));
  close(static_cast<int>(fd));
  return fifo;
}

}  // namespace

int open_on_behalf(pid_t pid, const OpenRequest& req, const std::string& canonical,
                   bool may_wait) {
  open_how how{};
  how.flags = static_cast<unsigned long long>(req.flags) | O_CLOEXEC;
  how.mode = creates(req.flags) ? (req.mode & 07777) : 0;
  // The process's umask, not ours, shapes the mode of a file it creates.
  if (creates(req.flags)) {
    const auto mask = process_umask(pid);
    if (!mask) return -ESRCH;
    how.mode &= ~static_cast<unsigned long long>(*mask);
  }
  // The canonical path has no symlinks; refusing them makes a swap after the check fail
  // (ELOOP) instead of opening something else.
  how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | (req.resolve & RESOLVE_NO_XDEV);
  const bool magic = is_fd_magic_link(canonical);
  // /proc/PID/fd/N of a pipe or socket (what resolve_for leaves unresolved) can only be
  // reopened through the magic link. The descriptor may have been replaced since we looked,
  // so the result must still be such an object, never a file the policy did not check.
  if (magic) how.resolve = 0;
  // Whatever the name turns out to be — a FIFO (also one reached only through /proc/PID/fd
  // after it was deleted), a file under a lease — this open does not wait unless it may: it
  // adds O_NONBLOCK, and takes it off again when the process did not ask for it.
  const bool wants_nonblock = (req.flags & O_NONBLOCK) != 0;
  // (O_PATH opens nothing that could wait, and openat2 takes no other flag with it.)
  const bool probe = !may_wait && !wants_nonblock && !(req.flags & O_PATH);
  if (probe) how.flags |= O_NONBLOCK;
  const long fd = syscall(SYS_openat2, AT_FDCWD, canonical.c_str(), &how, sizeof how);
  if (fd < 0) {
    const int e = errno;
    // EWOULDBLOCK: a lease is being broken. ENXIO: a FIFO with no reader yet.
    if (probe && (e == EWOULDBLOCK || (e == ENXIO && names_fifo(canonical, how))))
      return kOpenWouldWait;
    return -e;
  }
  if (magic) {
    struct stat st {};
    if (fstat(static_cast<int>(fd), &st) != 0 || S_ISREG(st.st_mode) || S_ISDIR(st.st_mode) ||
        S_ISLNK(st.st_mode) || S_ISBLK(st.st_mode) || S_ISCHR(st.st_mode)) {
      close(static_cast<int>(fd));
      return -EACCES;
    }
  }
  if (probe) {
    // A FIFO opened for reading without O_NONBLOCK waits for a writer: that wait is the
    // process's to have, elsewhere.
    if (is_fifo_descriptor(static_cast<int>(fd))) {
      close(static_cast<int>(fd));
      return kOpenWouldWait;
    }
    const int fl = fcntl(static_cast<int>(fd), F_GETFL);
    if (fl < 0 || fcntl(static_cast<int>(fd), F_SETFL, fl & ~O_NONBLOCK) != 0) {
      const int e = errno;
      close(static_cast<int>(fd));
      return -e;
    }
  }
  return static_cast<int>(fd);
}

}  // namespace stsh::enforcer
