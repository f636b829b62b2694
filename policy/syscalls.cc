#include "policy/syscalls.h"

#include <fcntl.h>
#include <seccomp.h>
#include <sys/syscall.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <memory>

namespace stsh::policy {
namespace {

// Syscalls a libseccomp build may not know: its table is frozen at its release (plus distro
// patches; Debian's 2.5.4 stops at futex_requeue). Numbers from the kernel's syscall_64.tbl as
// of 6.18 (469 is the last); consulted only when libseccomp does not know the name or number.
struct NamedSyscall {
  std::string_view name;
  int nr;
};
constexpr NamedSyscall kNewSyscalls[] = {
    {"futex_waitv", 449},       {"set_mempolicy_home_node", 450},
    {"cachestat", 451},         {"fchmodat2", 452},
    {"map_shadow_stack", 453},  {"futex_wake", 454},
    {"futex_wait", 455},        {"futex_requeue", 456},
    {"statmount", 457},         {"listmount", 458},
    {"lsm_get_self_attr", 459}, {"lsm_set_self_attr", 460},
    {"lsm_list_modules", 461},  {"mseal", 462},
    {"setxattrat", 463},        {"getxattrat", 464},
    {"listxattrat", 465},       {"removexattrat", 466},
    {"open_tree_attr", 467},    {"file_getattr", 468},
    {"file_setattr", 469},
};
// Beyond every number we know; all_syscall_names() scans below it.
constexpr int kScanLimit = 512;

// The system's <asm/unistd_64.h> may predate fchmodat2.
constexpr int kNrFchmodat2 = 452;

constexpr AliasMember kFsread[] = {
    {__NR_open, Access::read},
    {__NR_openat, Access::read},
    {__NR_openat2, Access::read},
    {__NR_stat, Access::read},
    {__NR_lstat, Access::read},
    {__NR_newfstatat, Access::read},
    {__NR_statx, Access::read},
    {__NR_access, Access::read},
    {__NR_faccessat, Access::read},
    {__NR_faccessat2, Access::read},
    {__NR_readlink, Access::read},
    {__NR_readlinkat, Access::read},
    {__NR_getxattr, Access::read},
    {__NR_lgetxattr, Access::read},
    {__NR_listxattr, Access::read},
    {__NR_llistxattr, Access::read},
    {__NR_chdir, Access::read},
    {__NR_statfs, Access::read},
    {__NR_inotify_add_watch, Access::read},
    {__NR_fanotify_mark, Access::read},
};

constexpr AliasMember kFswrite[] = {
    {__NR_open, Access::write},         {__NR_openat, Access::write},
    {__NR_openat2, Access::write},      {__NR_creat, Access::write},
    {__NR_unlink, Access::write},       {__NR_unlinkat, Access::write},
    {__NR_rename, Access::write},       {__NR_renameat, Access::write},
    {__NR_renameat2, Access::write},    {__NR_link, Access::write},
    {__NR_linkat, Access::write},       {__NR_symlink, Access::write},
    {__NR_symlinkat, Access::write},    {__NR_mkdir, Access::write},
    {__NR_mkdirat, Access::write},      {__NR_rmdir, Access::write},
    {__NR_mknod, Access::write},        {__NR_mknodat, Access::write},
    {__NR_truncate, Access::write},     {__NR_chmod, Access::write},
    {__NR_fchmodat, Access::write},     {kNrFchmodat2, Access::write},
    {__NR_chown, Access::write},        {__NR_lchown, Access::write},
    {__NR_fchownat, Access::write},     {__NR_utime, Access::write},
    {__NR_utimes, Access::write},       {__NR_futimesat, Access::write},
    {__NR_utimensat, Access::write},    {__NR_setxattr, Access::write},
    {__NR_lsetxattr, Access::write},    {__NR_removexattr, Access::write},
    {__NR_lremovexattr, Access::write},
    // Through a descriptor: decided on the file it names.
    {__NR_fchmod, Access::write},       {__NR_fchown, Access::write},
    {__NR_fsetxattr, Access::write},    {__NR_fremovexattr, Access::write},
};

constexpr AliasMember kExec[] = {
    {__NR_execve, Access::exec},
    {__NR_execveat, Access::exec},
};

constexpr AliasMember kNet[] = {
    {__NR_connect, Access::connect},
    {__NR_bind, Access::bind},
    {__NR_listen, Access::bind},  // of a socket never bound: the kernel would bind it
    {__NR_sendto, Access::connect},
    {__NR_sendmsg, Access::connect},
};

constexpr std::array<std::string_view, 4> kAliasNames = {"exec", "fsread", "fswrite", "net"};

bool contains(std::span<const AliasMember> members, int nr) {
  return std::any_of(members.begin(), members.end(),
                     [nr](const AliasMember& m) { return m.nr == nr; });
}

bool is_open_family(int nr) {
  return nr == __NR_open || nr == __NR_openat || nr == __NR_openat2;
}

// Kernel values on x86_64. glibc defines O_LARGEFILE as 0 there, but a caller may still pass
// the kernel's bit, so we name the bits ourselves.
struct FlagName {
  unsigned bits;
  std::string_view name;
};
constexpr unsigned kODsync = 010000;
constexpr unsigned kODirectory = 0200000;
constexpr FlagName kOpenFlags[] = {
    {0100, "O_CREAT"},
    {0200, "O_EXCL"},
    {0400, "O_NOCTTY"},
    {01000, "O_TRUNC"},
    {02000, "O_APPEND"},
    {04000, "O_NONBLOCK"},
    {kODsync, "O_DSYNC"},
    {040000, "O_DIRECT"},
    {0100000, "O_LARGEFILE"},
    {kODirectory, "O_DIRECTORY"},
    {0400000, "O_NOFOLLOW"},
    {01000000, "O_NOATIME"},
    {02000000, "O_CLOEXEC"},
    {04000000 | kODsync, "O_SYNC"},  // O_SYNC includes O_DSYNC's bit
    {010000000, "O_PATH"},
    {020000000 | kODirectory, "O_TMPFILE"},  // O_TMPFILE includes O_DIRECTORY's bit
};
static_assert(O_CREAT == 0100 && O_TRUNC == 01000 && O_DIRECTORY == kODirectory &&
              O_SYNC == (04000000 | kODsync) && O_TMPFILE == (020000000 | kODirectory) &&
              O_PATH == 010000000 && O_CLOEXEC == 02000000);

}  // namespace

std::optional<int> syscall_number(std::string_view name) {
  // libseccomp reads a C string: "open\0junk" must not resolve to open.
  if (name.find('\0') != std::string_view::npos) return std::nullopt;
  const std::string nul_terminated(name);
  // Negative results are "unknown" or a pseudo-number for a syscall x86_64 lacks (socketcall).
  const int nr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, nul_terminated.c_str());
  if (nr >= 0) return nr;
  for (const auto& s : kNewSyscalls) {
    if (s.name == name) return s.nr;
  }
  return std::nullopt;
}

std::string syscall_name(int nr) {
  if (nr >= 0) {
    std::unique_ptr<char, decltype(&std::free)> name(
        seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, nr), &std::free);
    if (name) return name.get();
    for (const auto& s : kNewSyscalls) {
      if (s.nr == nr) return std::string(s.name);
    }
  }
  return "syscall_" + std::to_string(nr);
}

std::vector<std::string> all_syscall_names() {
  std::vector<std::string> names;
  for (int nr = 0; nr < kScanLimit; ++nr) {
    std::unique_ptr<char, decltype(&std::free)> name(
        seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, nr), &std::free);
    if (name) names.emplace_back(name.get());
  }
  for (const auto& s : kNewSyscalls) names.emplace_back(s.name);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

std::optional<std::span<const AliasMember>> alias_members(std::string_view alias) {
  if (alias == "fsread") return std::span<const AliasMember>(kFsread);
  if (alias == "fswrite") return std::span<const AliasMember>(kFswrite);
  if (alias == "exec") return std::span<const AliasMember>(kExec);
  if (alias == "net") return std::span<const AliasMember>(kNet);
  return std::nullopt;
}

std::span<const std::string_view> alias_names() {
  return kAliasNames;
}

Access access_of(int nr, std::optional<int> oflags) {
  if (is_open_family(nr)) {
    if (!oflags) return Access::write;
    const bool writes = (*oflags & O_ACCMODE) != O_RDONLY || (*oflags & (O_CREAT | O_TRUNC));
    return writes ? Access::write : Access::read;
  }
  if (contains(kFswrite, nr)) return Access::write;
  if (contains(kFsread, nr)) return Access::read;
  if (contains(kExec, nr)) return Access::exec;
  for (const auto& m : kNet) {
    if (m.nr == nr) return m.access;
  }
  return Access::none;
}

Operands operands_of(int nr) {
  Operands o;
  switch (nr) {
    case __NR_open:
    case __NR_openat:
    case __NR_openat2:
      o.filename = o.oflags = o.mode = true;
      return o;
    case __NR_creat:
    case __NR_mkdir:
    case __NR_mkdirat:
    case __NR_mknod:
    case __NR_mknodat:
    case __NR_chmod:
    case __NR_fchmodat:
    case kNrFchmodat2:
    case __NR_fchmod:
      o.filename = o.mode = true;
      return o;
    case __NR_chown:
    case __NR_lchown:
    case __NR_fchownat:
    case __NR_fchown:
      o.filename = o.uid = o.gid = true;
      return o;
    case __NR_rename:
    case __NR_renameat:
    case __NR_renameat2:
    case __NR_link:
    case __NR_linkat:
    case __NR_symlink:
    case __NR_symlinkat:
      o.filename = o.filename1 = true;
      return o;
    case __NR_execve:
    case __NR_execveat:
      o.filename = o.argv = true;
      return o;
    default:
      break;
  }
  if (contains(kNet, nr)) {
    o.sockaddr = true;
  } else if (contains(kFsread, nr) || contains(kFswrite, nr)) {
    o.filename = true;  // every remaining fs member takes exactly one path
  }
  return o;
}

bool second_path_is_written(int nr) {
  return nr == __NR_rename || nr == __NR_renameat || nr == __NR_renameat2 || nr == __NR_link ||
         nr == __NR_linkat;
}

bool second_path_is_raw(int nr) {
  return nr == __NR_symlink || nr == __NR_symlinkat;
}

bool is_lookup(int nr, std::optional<int> oflags) {
  switch (nr) {
    case __NR_stat:
    case __NR_lstat:
    case __NR_newfstatat:
    case __NR_statx:
    case __NR_access:
    case __NR_faccessat:
    case __NR_faccessat2:
    case __NR_readlink:
    case __NR_readlinkat:
    case __NR_statfs:
    case __NR_chdir:
      return true;
    case __NR_open:
    case __NR_openat:
    case __NR_openat2:
      return oflags && (*oflags & O_PATH);
    default:
      return false;
  }
}

bool is_metadata_read(int nr, std::optional<int> oflags) {
  if (is_lookup(nr, oflags)) return true;
  switch (nr) {
    case __NR_getxattr:
    case __NR_lgetxattr:
    case __NR_listxattr:
    case __NR_llistxattr:
      return true;
    case __NR_open:
    case __NR_openat:
    case __NR_openat2:
      // Listing a directory: its names are what stat would answer about, one by one.
      return oflags && (*oflags & O_DIRECTORY) && access_of(nr, oflags) == Access::read;
    default:
      return false;
  }
}

std::string format_oflags(int flags) {
  auto bits = static_cast<unsigned>(flags);
  std::string out;
  switch (bits & O_ACCMODE) {
    case O_RDONLY:
      out = "O_RDONLY";
      break;
    case O_WRONLY:
      out = "O_WRONLY";
      break;
    case O_RDWR:
      out = "O_RDWR";
      break;
    default:
      out = "O_ACCMODE";
      break;  // 3: not a valid mode, but the kernel accepts it
  }
  bits &= ~static_cast<unsigned>(O_ACCMODE);
  // O_SYNC and O_TMPFILE contain a smaller flag's bit; when the whole compound is present, the
  // smaller flag is not printed on its own.
  const bool sync = (bits & O_SYNC) == O_SYNC;
  const bool tmpfile = (bits & O_TMPFILE) == O_TMPFILE;
  unsigned printed = 0;
  for (const auto& f : kOpenFlags) {
    if ((bits & f.bits) != f.bits) continue;
    if ((f.bits == kODsync && sync) || (f.bits == kODirectory && tmpfile)) continue;
    out += '|';
    out += f.name;
    printed |= f.bits;
  }
  // Whatever no name covered, including a lone half of a compound flag.
  if (const unsigned rest = bits & ~printed; rest != 0) {
    char hex[16];
    std::snprintf(hex, sizeof hex, "|0x%x", rest);
    out += hex;
  }
  return out;
}

std::string format_mode(unsigned mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", mode & 07777u);
  return buf;
}

}  // namespace stsh::policy
