// Reading and resolving the meta calls (meta_broker.h); meta_on_behalf.cc performs them.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <utime.h>

#include <cerrno>

#include "enforcer/kernel_compat.h"
#include "enforcer/meta_broker.h"
#include "enforcer/tracee.h"

namespace stsh::enforcer {
namespace {

constexpr int kNoArg = -1;
constexpr size_t kXattrNameMax = 255;        // XATTR_NAME_MAX
constexpr size_t kXattrSizeMax = 65536;      // XATTR_SIZE_MAX
constexpr unsigned kStatxSyncType = 0x6000;  // AT_STATX_SYNC_TYPE

constexpr unsigned kNoFollow = AT_SYMLINK_NOFOLLOW, kEmpty = AT_EMPTY_PATH;
constexpr unsigned kStatFlags = kNoFollow | kEmpty | AT_NO_AUTOMOUNT;

// Where a syscall keeps its path and flags, and what it does with a final symlink.
struct Shape {
  int nr;
  MetaOp op;
  int dirfd;         // argument index of the directory descriptor, or kNoArg (AT_FDCWD)
  int path;          // argument index of the path
  int flags;         // argument index of the AT_* flags, or kNoArg
  bool nofollow;     // acts on a final symlink itself (lstat, lchown, readlink, mknod, ...)
  unsigned allowed;  // the AT_* flags the call accepts; others are EINVAL
  bool descriptor = false;  // names only a descriptor, in argument 0 (fchmod, fchown, ...)
};

// clang-format off
constexpr Shape kShapes[] = {
    {SYS_stat,         MetaOp::stat,        kNoArg, 0, kNoArg, false, 0},
    {SYS_lstat,        MetaOp::stat,        kNoArg, 0, kNoArg, true,  0},
    {SYS_newfstatat,   MetaOp::stat,        0,      1, 3,      false, kStatFlags},
    {SYS_statx,        MetaOp::statx,       0,      1, 2,      false, kStatFlags | kStatxSyncType},
    {SYS_statfs,       MetaOp::statfs,      kNoArg, 0, kNoArg, false, 0},
    {SYS_access,       MetaOp::access,      kNoArg, 0, kNoArg, false, 0},
    {SYS_faccessat,    MetaOp::access,      0,      1, kNoArg, false, 0},
    {SYS_faccessat2,   MetaOp::access,      0,      1, 3,      false, kNoFollow|kEmpty|AT_EACCESS},
    {SYS_readlink,     MetaOp::readlink,    kNoArg, 0, kNoArg, true,  0},
    {SYS_readlinkat,   MetaOp::readlink,    0,      1, kNoArg, true,  0},
    {SYS_chmod,        MetaOp::chmod,       kNoArg, 0, kNoArg, false, 0},
    {SYS_fchmodat,     MetaOp::chmod,       0,      1, kNoArg, false, 0},
    {__NR_fchmodat2,   MetaOp::chmod,       0,      1, 3,      false, kNoFollow | kEmpty},
    {SYS_chown,        MetaOp::chown,       kNoArg, 0, kNoArg, false, 0},
    {SYS_lchown,       MetaOp::chown,       kNoArg, 0, kNoArg, true,  0},
    {SYS_fchownat,     MetaOp::chown,       0,      1, 4,      false, kNoFollow | kEmpty},
    {SYS_truncate,     MetaOp::truncate,    kNoArg, 0, kNoArg, false, 0},
    {SYS_utime,        MetaOp::utimes,      kNoArg, 0, kNoArg, false, 0},
    {SYS_utimes,       MetaOp::utimes,      kNoArg, 0, kNoArg, false, 0},
    {SYS_futimesat,    MetaOp::utimes,      0,      1, kNoArg, false, 0},
    {SYS_utimensat,    MetaOp::utimes,      0,      1, 3,      false, kNoFollow | kEmpty},
    {SYS_setxattr,     MetaOp::setxattr,    kNoArg, 0, kNoArg, false, 0},
    {SYS_lsetxattr,    MetaOp::setxattr,    kNoArg, 0, kNoArg, true,  0},
    {SYS_getxattr,     MetaOp::getxattr,    kNoArg, 0, kNoArg, false, 0},
    {SYS_lgetxattr,    MetaOp::getxattr,    kNoArg, 0, kNoArg, true,  0},
    {SYS_listxattr,    MetaOp::listxattr,   kNoArg, 0, kNoArg, false, 0},
    {SYS_llistxattr,   MetaOp::listxattr,   kNoArg, 0, kNoArg, true,  0},
    {SYS_removexattr,  MetaOp::removexattr, kNoArg, 0, kNoArg, false, 0},
    {SYS_lremovexattr, MetaOp::removexattr, kNoArg, 0, kNoArg, true,  0},
    {SYS_mknod,        MetaOp::mknod,       kNoArg, 0, kNoArg, true,  0},
    {SYS_mknodat,      MetaOp::mknod,       0,      1, kNoArg, true,  0},
    {SYS_chdir,        MetaOp::chdir,       kNoArg, 0, kNoArg, false, 0},
    // Changes through a descriptor: decided on the file it names (Supervisor::on_meta_...).
    {SYS_fchmod,       MetaOp::chmod,       kNoArg, 0, kNoArg, false, 0, true},
    {SYS_fchown,       MetaOp::chown,       kNoArg, 0, kNoArg, false, 0, true},
    {SYS_fsetxattr,    MetaOp::setxattr,    kNoArg, 0, kNoArg, false, 0, true},
    {SYS_fremovexattr, MetaOp::removexattr, kNoArg, 0, kNoArg, false, 0, true},
};
// clang-format on

const Shape* shape_of(int nr) {
  for (const Shape& s : kShapes) {
    if (s.nr == nr) return &s;
  }
  return nullptr;
}

bool is_refused(int nr) {
  // Newer path-taking twins of the xattr calls and FS_IOC_FSGETXATTR by path: not brokered
  // yet, so refused as an old kernel would refuse them (C libraries fall back on ENOSYS).
  return nr == __NR_setxattrat || nr == __NR_getxattrat || nr == __NR_listxattrat ||
         nr == __NR_removexattrat || nr == __NR_file_getattr || nr == __NR_file_setattr;
}

bool read_memory(pid_t pid, unsigned long addr, void* out, size_t size) {
  iovec local{out, size};
  iovec remote{reinterpret_cast<void*>(addr), size};
  return process_vm_readv(pid, &local, 1, &remote, 1, 0) == static_cast<ssize_t>(size);
}

// The canonical object `raw` names for this call. A final symlink is followed unless the call
// does not follow it; "." and "..", and a trailing '/', always resolve whole (as the kernel
// does: "link/" is the directory the link points to).
bool resolve_object(pid_t pid, pid_t tgid, int dirfd, const std::string& raw, bool nofollow,
                    MetaRequest& req, int& error) {
  std::string p = raw;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  req.directory = p.size() != raw.size();
  const size_t cut = p.rfind('/');
  const std::string last = cut == std::string::npos ? p : p.substr(cut + 1);
  error = ENOENT;
  if (!nofollow || req.directory || last.empty() || last == "." || last == "..") {
    auto full = resolve_for(pid, dirfd, p, tgid);
    if (!full) return false;
    req.path = std::move(*full);
    return true;
  }
  const std::string dir = cut == std::string::npos ? "." : (cut == 0 ? "/" : p.substr(0, cut));
  auto parent = resolve_for(pid, dirfd, dir, tgid);
  if (!parent) return false;
  req.follow = false;
  req.parent = std::move(*parent);
  req.name = last;
  req.path = req.parent;
  if (req.path != "/") req.path += '/';
  req.path += last;
  // A name that is not there is answered as the kernel would, without a decision or a
  // record — as the open broker does: lstat("/home/HEAD") on git's way up is not a violation.
  // (mknod, which creates the name, checks nothing here.)
  struct stat st {};
  if (req.op != MetaOp::mknod && lstat(req.path.c_str(), &st) != 0) {
    error = errno;
    return false;
  }
  return true;
}

// The arguments that are not the path: modes, ids, buffers, times, xattr names and values.
bool read_operands(pid_t pid, const seccomp_notif& n, const Shape& s, MetaRequest& req,
                   int& error) {
  const auto& a = n.data.args;
  const int base = s.path;  // the operands follow the path
  error = EINVAL;
  switch (req.op) {
    case MetaOp::stat:
      req.buffer = a[base + 1];
      return true;
    case MetaOp::statx:
      req.mask = static_cast<unsigned>(a[3]);
      req.buffer = a[4];
      return (req.flags & kStatxSyncType) != kStatxSyncType && !(req.mask & 0x80000000U);
    case MetaOp::statfs:
      req.buffer = a[1];
      return true;
    case MetaOp::access:
      req.mode = static_cast<unsigned>(a[base + 1]);
      return (req.mode & ~07U) == 0;
    case MetaOp::readlink:
      req.buffer = a[base + 1];
      req.size = a[base + 2];
      return static_cast<int>(req.size) > 0;
    case MetaOp::chmod:
      req.mode = static_cast<unsigned>(a[base + 1]);
      return true;
    case MetaOp::chown: {
      const auto uid = static_cast<uid_t>(a[base + 1]), gid = static_cast<gid_t>(a[base + 2]);
      req.uid = uid == static_cast<uid_t>(-1) ? -1 : static_cast<long>(uid);
      req.gid = gid == static_cast<gid_t>(-1) ? -1 : static_cast<long>(gid);
      return true;
    }
    case MetaOp::truncate:
      req.length = static_cast<long long>(a[1]);
      return req.length >= 0;
    case MetaOp::utimes: {
      const unsigned long addr = a[base + 1];
      if (addr == 0) return true;  // now
      std::array<timespec, 2> ts{};
      error = EFAULT;
      if (req.nr == SYS_utimensat) {
        if (!read_memory(pid, addr, ts.data(), sizeof ts)) return false;
      } else if (req.nr == SYS_utime) {
        utimbuf ub{};
        if (!read_memory(pid, addr, &ub, sizeof ub)) return false;
        ts = {timespec{ub.actime, 0}, timespec{ub.modtime, 0}};
      } else {
        timeval tv[2]{};
        if (!read_memory(pid, addr, tv, sizeof tv)) return false;
        error = EINVAL;
        for (int i = 0; i < 2; ++i) {
          if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000) return false;
          ts[i] = timespec{tv[i].tv_sec, tv[i].tv_usec * 1000};
        }
      }
      req.times = ts;
      return true;
    }
    case MetaOp::listxattr:
      req.buffer = a[1];
      req.size = a[2];
      return true;
    case MetaOp::setxattr:
    case MetaOp::getxattr:
    case MetaOp::removexattr: {
      auto name = read_string(pid, a[1]);
      error = EFAULT;
      if (!name) return false;
      error = ERANGE;
      if (name->empty() || name->size() > kXattrNameMax) return false;
      req.xattr_name = std::move(*name);
      if (req.op == MetaOp::removexattr) return true;
      req.buffer = a[2];
      req.size = a[3];
      if (req.op == MetaOp::getxattr) return true;
      req.flags = static_cast<int>(a[4]);
      error = E2BIG;
      if (req.size > kXattrSizeMax) return false;
      req.xattr_value.resize(req.size);
      error = EFAULT;
      return req.size == 0 || read_memory(pid, req.buffer, req.xattr_value.data(), req.size);
    }
    case MetaOp::mknod:
      req.mode = static_cast<unsigned>(a[base + 1]);
      req.dev = a[base + 2];
      return true;
    case MetaOp::chdir:
    case MetaOp::kernel:
      return true;
  }
  return false;
}

}  // namespace

bool is_brokered_meta_call(int nr) {
  return shape_of(nr) != nullptr || is_refused(nr);
}

std::optional<MetaRequest> read_meta_request(const seccomp_notif& n, pid_t tgid, int& error) {
  const auto pid = static_cast<pid_t>(n.pid);
  const auto& a = n.data.args;
  MetaRequest req;
  req.nr = static_cast<int>(n.data.nr);
  req.tgid = tgid;
  const Shape* shape = shape_of(req.nr);
  if (!shape) {
    error = ENOSYS;
    return std::nullopt;
  }
  req.op = shape->op;
  const int dirfd = shape->dirfd == kNoArg ? AT_FDCWD : static_cast<int>(a[shape->dirfd]);
  const int flags = shape->flags == kNoArg ? 0 : static_cast<int>(a[shape->flags]);
  if (static_cast<unsigned>(flags) & ~shape->allowed) {
    error = EINVAL;
    return std::nullopt;
  }
  req.flags = flags & ~(kNoFollow | kEmpty);
  // A NULL path in a register names the descriptor (utimensat, and statx/fstatat with
  // AT_EMPTY_PATH since Linux 6.11) or fails with EFAULT: no path, and nothing the process
  // can change any more, so the kernel may run it.
  if (shape->descriptor) {
    req.fd = static_cast<int>(a[0]);
    if (!read_operands(pid, n, *shape, req, error)) return std::nullopt;
    return req;
  }
  const unsigned long addr = a[shape->path];
  // utimensat(fd, NULL, ...) is futimens: a change through the descriptor.
  if (addr == 0 && req.nr == SYS_utimensat && dirfd != AT_FDCWD) {
    req.fd = dirfd;
    if (!read_operands(pid, n, *shape, req, error)) return std::nullopt;
    return req;
  }
  if (addr == 0 && (req.nr == SYS_utimensat || req.nr == SYS_statx || req.nr == SYS_newfstatat)) {
    req.op = MetaOp::kernel;
    return req;
  }
  auto raw = read_string(pid, addr);
  if (!raw) {
    error = EFAULT;
    return std::nullopt;
  }
  if (!read_operands(pid, n, *shape, req, error)) return std::nullopt;
  if (raw->empty()) {
    // readlinkat(fd, "") always means the descriptor, the others only with AT_EMPTY_PATH.
    const bool descriptor = (flags & kEmpty) || req.nr == SYS_readlinkat;
    if (!descriptor || (dirfd == AT_FDCWD && req.nr == SYS_readlinkat)) {
      error = ENOENT;
      return std::nullopt;
    }
    if (dirfd != AT_FDCWD) {
      req.fd = dirfd;
      return req;
    }
  }
  // AT_FDCWD with "" and AT_EMPTY_PATH: the working directory itself.
  const std::string path = raw->empty() ? std::string(".") : std::move(*raw);
  const bool nofollow = shape->nofollow || (flags & kNoFollow);
  if (req.op == MetaOp::mknod) {
    // Like mkdir in the path broker: the canonical directory and the name it gets there.
    std::string p = path;
    const bool trailing = p.size() > 1 && p.back() == '/';
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    const size_t cut = p.rfind('/');
    const std::string last = cut == std::string::npos ? p : p.substr(cut + 1);
    if (trailing || last.empty() || last == "." || last == "..") {
      error = trailing ? ENOENT : EEXIST;
      return std::nullopt;
    }
  }
  if (!resolve_object(pid, tgid, dirfd, path, nofollow, req, error)) return std::nullopt;
  return req;
}

bool changes_object(MetaOp op) {
  return op == MetaOp::chmod || op == MetaOp::chown || op == MetaOp::truncate ||
         op == MetaOp::utimes || op == MetaOp::setxattr || op == MetaOp::removexattr;
}

policy::Call meta_call(const MetaRequest& req) {
  policy::Call c;
  c.syscall = req.nr;
  c.filename = req.path;
  if (req.op == MetaOp::chmod || req.op == MetaOp::mknod) c.mode = req.mode & 07777;
  if (req.op == MetaOp::chown) {
    c.uid = req.uid;
    c.gid = req.gid;
  }
  return c;
}

}  // namespace stsh::enforcer
