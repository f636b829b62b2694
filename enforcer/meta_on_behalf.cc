// Performing the meta calls for a confined process (meta_broker.h): through an O_PATH
// descriptor of the canonical object, or a duplicate of the process's own descriptor.
#include <fcntl.h>
#include <linux/openat2.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <vector>

#include "enforcer/kernel_compat.h"
#include "enforcer/meta_broker.h"
#include "enforcer/tracee.h"
#include "enforcer/unique_fd.h"

namespace stsh::enforcer {
namespace {

// What the kernel copies out is what we copy back: glibc's x86_64 structs are the kernel's.
static_assert(sizeof(struct stat) == 144 && sizeof(struct statx) == 256 &&
              sizeof(struct statfs) == 120);

constexpr size_t kXattrSizeMax = 65536;  // XATTR_SIZE_MAX, and XATTR_LIST_MAX

// Copies a result into the process. Its pid cannot have been reused since the notification
// was validated: we are the tracer of every confined thread, so a thread that dies stays a
// zombie until our own loop waits for it, which it does not while we are here.
int write_back(pid_t pid, unsigned long addr, const void* data, size_t size) {
  if (size == 0) return 0;
  iovec local{const_cast<void*>(data), size};
  iovec remote{reinterpret_cast<void*>(addr), size};
  return process_vm_writev(pid, &local, 1, &remote, 1, 0) == static_cast<ssize_t>(size) ? 0
                                                                                        : -EFAULT;
}

// Our own magic link to a descriptor we hold: how the calls without an AT_EMPTY_PATH form (the
// xattr calls, reopening for truncate) reach exactly that object.
std::string fd_path(int fd) {
  return "/proc/self/fd/" + std::to_string(fd);
}

bool object_stat(int fd, struct stat& st) {
  return fstatat(fd, "", &st, AT_EMPTY_PATH) == 0;
}

// The canonical object as an O_PATH descriptor, or -errno. The path has no symlinks (but its
// last component, when the call does not follow it): refusing them makes a path changed since
// the decision fail with ELOOP instead of reaching something else.
int open_object(const MetaRequest& req) {
  open_how how{};
  how.flags = O_PATH | O_CLOEXEC;
  if (!req.follow) how.flags |= O_NOFOLLOW;
  if (req.directory) how.flags |= O_DIRECTORY;
  how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  // /proc/PID/fd/N of a pipe or socket is reached only through the magic link (as in the open
  // broker); the descriptor may have been replaced since, so it must still be no file.
  const bool magic = req.follow && is_fd_magic_link(req.path);
  if (magic) how.resolve = 0;
  const long fd = syscall(SYS_openat2, AT_FDCWD, req.path.c_str(), &how, sizeof how);
  if (fd < 0) return -errno;
  struct stat st {};
  if (magic &&
      (!object_stat(static_cast<int>(fd), st) || S_ISREG(st.st_mode) || S_ISDIR(st.st_mode) ||
       S_ISLNK(st.st_mode) || S_ISBLK(st.st_mode) || S_ISCHR(st.st_mode))) {
    close(static_cast<int>(fd));
    return -EACCES;
  }
  return static_cast<int>(fd);
}

int result(long rc) {
  return rc < 0 ? -errno : static_cast<int>(rc);
}

int readlink_on_behalf(pid_t pid, const MetaRequest& req, int fd) {
  char buf[PATH_MAX];
  ssize_t n = 0;
  // The process's own /proc/self and /proc/thread-self: read through our descriptor they
  // would name the supervisor.
  std::string text;
  if (req.path == "/proc/self") {
    text = std::to_string(req.tgid);
  } else if (req.path == "/proc/thread-self") {
    text = std::to_string(req.tgid) + "/task/" + std::to_string(pid);
  }
  if (!text.empty()) {
    n = static_cast<ssize_t>(std::min(text.size(), sizeof buf));
    std::copy_n(text.data(), n, buf);
  } else {
    struct stat st {};
    // readlinkat(fd, "") of something else says ENOENT; readlink of a path says EINVAL.
    if (!req.by_descriptor() && (!object_stat(fd, st) || !S_ISLNK(st.st_mode))) return -EINVAL;
    n = readlinkat(fd, "", buf, sizeof buf);
    if (n < 0) return -errno;
  }
  const size_t len = std::min(static_cast<size_t>(n), static_cast<size_t>(req.size));
  const int rc = write_back(pid, req.buffer, buf, len);
  return rc < 0 ? rc : static_cast<int>(len);
}

int chmod_on_behalf(const MetaRequest& req, int fd) {
  if (syscall(__NR_fchmodat2, fd, "", req.mode, AT_EMPTY_PATH) == 0) return 0;
  if (errno != ENOSYS) return -errno;
  // Before Linux 6.6: chmod through the magic link, which never follows a symlink further;
  // the kernel has no mode for a symlink.
  struct stat st {};
  if (object_stat(fd, st) && S_ISLNK(st.st_mode)) return -EOPNOTSUPP;
  return result(chmod(fd_path(fd).c_str(), req.mode));
}

int truncate_on_behalf(pid_t pid, const MetaRequest& req, int fd) {
  struct stat st {};
  if (!object_stat(fd, st)) return -errno;
  if (S_ISDIR(st.st_mode)) return -EISDIR;
  if (!S_ISREG(st.st_mode)) return -EINVAL;
  // The process's file size limit, not ours: the kernel would stop it with SIGXFSZ and EFBIG.
  rlimit fsize{};
  if (prlimit(pid, RLIMIT_FSIZE, nullptr, &fsize) != 0) return -errno;
  if (fsize.rlim_cur != RLIM_INFINITY && static_cast<rlim_t>(req.length) > fsize.rlim_cur) {
    syscall(SYS_tgkill, req.tgid, pid, SIGXFSZ);
    return -EFBIG;
  }
  // Reopened through our descriptor, so it is the object decided on; O_NONBLOCK because
  // opening a regular file never needs to wait, whatever it has become meanwhile.
  UniqueFd w(open(fd_path(fd).c_str(), O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (!w) return -errno;
  return result(ftruncate(w.get(), static_cast<off_t>(req.length)));
}

int xattr_on_behalf(pid_t pid, const MetaRequest& req, int fd) {
  const std::string p = fd_path(fd);
  const char* name = req.xattr_name.c_str();
  switch (req.op) {
    case MetaOp::setxattr:
      return result(
          setxattr(p.c_str(), name, req.xattr_value.data(), req.xattr_value.size(), req.flags));
    case MetaOp::removexattr:
      return result(removexattr(p.c_str(), name));
    case MetaOp::getxattr:
    case MetaOp::listxattr: {
      const bool get = req.op == MetaOp::getxattr;
      // Size 0 asks for the length only; the kernel clamps larger buffers to its maximum.
      std::vector<char> buf(std::min<size_t>(req.size, kXattrSizeMax));
      const ssize_t n = get ? getxattr(p.c_str(), name, buf.data(), buf.size())
                            : listxattr(p.c_str(), buf.data(), buf.size());
      if (n < 0) return -errno;
      if (buf.empty()) return static_cast<int>(n);
      const int rc = write_back(pid, req.buffer, buf.data(), static_cast<size_t>(n));
      return rc < 0 ? rc : static_cast<int>(n);
    }
    default:
      return -ENOSYS;
  }
}

// Like mkdir in the path broker: relative to the canonical directory, with the process's umask.
int mknod_on_behalf(pid_t pid, const MetaRequest& req) {
  const unsigned type = req.mode & S_IFMT;
  // The Landlock domain never grants device nodes (landlock.h, kFsWrite); neither do we.
  if (type == S_IFCHR || type == S_IFBLK) return -EPERM;
  const auto mask = process_umask(pid);
  if (!mask) return -ESRCH;
  open_how how{};
  how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
  how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  UniqueFd dir(
      static_cast<int>(syscall(SYS_openat2, AT_FDCWD, req.parent.c_str(), &how, sizeof how)));
  if (!dir) return -errno;
  return result(mknodat(dir.get(), req.name.c_str(), type | ((req.mode & 07777) & ~*mask),
                        static_cast<dev_t>(req.dev)));
}

}  // namespace

int meta_call_on_behalf(pid_t pid, const MetaRequest& req, int object_fd) {
  if (req.op == MetaOp::mknod) return mknod_on_behalf(pid, req);
  if (req.op == MetaOp::kernel || req.op == MetaOp::chdir) return -ENOSYS;
  const int fd = object_fd >= 0          ? fcntl(object_fd, F_DUPFD_CLOEXEC, 0)
                 : req.by_descriptor() ? duplicate_descriptor(req.tgid, req.fd)
                                       : open_object(req);
  if (fd < 0) return fd;
  const UniqueFd object(fd);
  switch (req.op) {
    case MetaOp::stat: {
      struct stat st {};
      if (fstatat(fd, "", &st, AT_EMPTY_PATH | (req.flags & AT_NO_AUTOMOUNT)) != 0) return -errno;
      return write_back(pid, req.buffer, &st, sizeof st);
    }
    case MetaOp::statx: {
      struct statx stx {};
      if (statx(fd, "", AT_EMPTY_PATH | req.flags, req.mask, &stx) != 0) return -errno;
      return write_back(pid, req.buffer, &stx, sizeof stx);
    }
    case MetaOp::statfs: {
      struct statfs sf {};
      if (fstatfs(fd, &sf) != 0) return -errno;
      return write_back(pid, req.buffer, &sf, sizeof sf);
    }
    case MetaOp::access:
      return result(
          syscall(SYS_faccessat2, fd, "", req.mode, AT_EMPTY_PATH | (req.flags & AT_EACCESS)));
    case MetaOp::readlink:
      return readlink_on_behalf(pid, req, fd);
    case MetaOp::chmod:
      return chmod_on_behalf(req, fd);
    case MetaOp::chown:
      return result(fchownat(fd, "", static_cast<uid_t>(req.uid), static_cast<gid_t>(req.gid),
                             AT_EMPTY_PATH));
    case MetaOp::truncate:
      return truncate_on_behalf(pid, req, fd);
    case MetaOp::utimes:
      return result(utimensat(fd, "", req.times ? req.times->data() : nullptr, AT_EMPTY_PATH));
    case MetaOp::setxattr:
    case MetaOp::getxattr:
    case MetaOp::listxattr:
    case MetaOp::removexattr:
      return xattr_on_behalf(pid, req, fd);
    case MetaOp::mknod:
    case MetaOp::chdir:
    case MetaOp::kernel:
      break;
  }
  return -ENOSYS;
}

}  // namespace stsh::enforcer
