#include "shell/shell_fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "enforcer/open_broker.h"
#include "enforcer/tracee.h"

namespace stsh::shell {
namespace {

// The shell's own /proc/PID (what /proc/self resolves to in the shell): its memory, its
// environment and its descriptors are the supervisor's, which no policy entry for a confined
// process's /proc/self may reach.
bool is_own_proc(const std::string& canonical) {
  const std::string own = "/proc/" + std::to_string(getpid());
  return canonical == own || canonical.rfind(own + "/", 0) == 0;
}

}  // namespace

enforcer::Violation shell_violation(const policy::Call& call, const policy::Decision& d,
                                    bool audit) {
  enforcer::Violation v;
  v.pid = getpid();
  v.ppid = getppid();
  v.exe = enforcer::proc_link(getpid(), "exe").value_or("stsh");
  v.command_entry = "(login)";
  v.call = call;
  v.decision = d;
  v.audit = audit;
  return v;
}

std::string describe(const FsError& err) {
  std::string text = std::strerror(err.error);
  if (!err.rule.empty()) text += " (policy rule " + err.rule + ")";
  return text;
}

bool ShellFs::permitted(const std::string& canonical, int flags, unsigned mode, FsError& err,
                        Report report) {
  const enforcer::OpenRequest req{AT_FDCWD, canonical, flags, mode, 0};
  // Decided on the literal path: the shell's /proc/PID is not the /proc/self of a policy.
  const policy::Call call = enforcer::open_call(SYS_openat, req, canonical);
  policy::Decision d = plan_->decide(plan_->login(), call);
  if (is_own_proc(canonical)) d = policy::Decision{policy::Verdict::deny, EACCES, true, "default"};
  const bool audit = mode_ == policy::Mode::audit && !d.permitted();
  if (report == Report::log && (d.log || !d.permitted())) {
    record(shell_violation(call, d, audit));
  }
  if (d.permitted() || audit) return true;
  err = FsError{d.error ? d.error : EACCES, std::string(d.rule)};
  return false;
}

std::optional<UniqueFd> ShellFs::open(const std::string& path, int flags, unsigned mode,
                                      FsError& err, Report report) {
  const pid_t self = getpid();
  if (path.find('\0') != std::string::npos) {
    err = FsError{EINVAL, {}};
    return std::nullopt;
  }
  const enforcer::OpenRequest req{AT_FDCWD, path, flags, mode, 0};
  int error = 0;
  auto canonical = enforcer::canonical_open_path(self, self, req, error);
  if (!canonical) {
    err = FsError{error ? error : ENOENT, {}};
    return std::nullopt;
  }
  if (!permitted(*canonical, flags, mode, err, report)) return std::nullopt;
  // The shell is the supervisor: it must never wait in open() for the other end of a FIFO
  // (which may be a confined process that needs it), nor for a lease to be broken. An open
  // that would wait is done without waiting: for writing a FIFO that fails (ENXIO) unless a
  // reader is there; for reading it succeeds at once.
  int fd = enforcer::open_on_behalf(self, req, *canonical, /* may_wait= */ false);
  if (fd == enforcer::kOpenWouldWait) {
    enforcer::OpenRequest at_once = req;
    at_once.flags |= O_NONBLOCK;
    fd = enforcer::open_on_behalf(self, at_once, *canonical, /* may_wait= */ false);
    if (fd >= 0 && !(flags & O_NONBLOCK)) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  }
  if (fd < 0) {
    err = FsError{-fd, {}};
    return std::nullopt;
  }
  return UniqueFd(fd);
}

std::optional<std::vector<std::string>> ShellFs::list(const std::string& dir, Report report) {
  FsError err;
  auto fd = open(dir, O_RDONLY | O_DIRECTORY, 0, err, report);
  if (!fd) return std::nullopt;
  DIR* d = fdopendir(fd->release());
  if (d == nullptr) return std::nullopt;
  std::vector<std::string> names;
  while (const dirent* e = readdir(d)) {
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) {
      names.emplace_back(e->d_name);
    }
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

bool ShellFs::decided(const policy::Call& call, FsError& err) {
  policy::Decision d = plan_->decide(plan_->login(), call);
  // The shell's own /proc/PID is not the policy's /proc/self (that is a confined process's).
  if (is_own_proc(*call.filename)) {
    d = policy::Decision{policy::Verdict::deny, EACCES, true, "default"};
  }
  const bool audit = mode_ == policy::Mode::audit && !d.permitted();
  if (d.log || !d.permitted()) record(shell_violation(call, d, audit));
  if (!d.permitted() && !audit) {
    err = FsError{d.error ? d.error : EACCES, std::string(d.rule)};
    return false;
  }
  return true;
}

std::optional<std::string> ShellFs::change_directory(const std::string& dir, FsError& err) {
  const pid_t self = getpid();
  auto canonical = enforcer::resolve_for(self, AT_FDCWD, dir);
  if (!canonical) {
    err = FsError{ENOENT, {}};
    return std::nullopt;
  }
  // Entering a directory is decided as chdir(2) is for a confined process (read access).
  policy::Call call;
  call.syscall = SYS_chdir;
  call.filename = *canonical;
  if (!decided(call, err)) return std::nullopt;
  // O_PATH: entering needs search permission only; no symlinks, so it is the decided one.
  const enforcer::OpenRequest req{AT_FDCWD, *canonical, O_PATH | O_DIRECTORY, 0, 0};
  const int fd = enforcer::open_on_behalf(self, req, *canonical, /* may_wait= */ false);
  if (fd < 0 || fchdir(fd) != 0) {
    err = FsError{fd < 0 ? -fd : errno, {}};
    if (fd >= 0) close(fd);
    return std::nullopt;
  }
  close(fd);
  return *canonical;
}

bool ShellFs::may_read(const std::string& path) {
  const pid_t self = getpid();
  auto canonical = enforcer::resolve_for(self, AT_FDCWD, path);
  if (!canonical) return false;
  FsError err;
  return permitted(*canonical, O_RDONLY, 0, err, Report::quiet);
}

bool ShellFs::may_write(const std::string& path) {
  const pid_t self = getpid();
  const enforcer::OpenRequest req{AT_FDCWD, path, O_WRONLY | O_CREAT, 0600, 0};
  int error = 0;
  auto canonical = enforcer::canonical_open_path(self, self, req, error);
  if (!canonical) return false;
  FsError err;
  return permitted(*canonical, req.flags, req.mode, err, Report::quiet);
}

bool ShellFs::stat(const std::string& path, bool follow, struct stat& st, FsError& err) {
  const pid_t self = getpid();
  if (path.empty() || path.find('\0') != std::string::npos) {
    err = FsError{ENOENT, {}};
    return false;
  }
  auto canonical = enforcer::resolve_for(self, AT_FDCWD, path);
  if (!canonical) {
    err = FsError{ENOENT, {}};
    return false;
  }
  // Decided as a confined process's stat(2) of the same path is (test -f, -d, ...).
  policy::Call call;
  call.syscall = SYS_newfstatat;
  call.filename = *canonical;
  if (!decided(call, err)) return false;
  if (!follow) {
    if (::lstat(path.c_str(), &st) == 0) return true;
    err = FsError{errno, {}};
    return false;
  }
  const enforcer::OpenRequest req{AT_FDCWD, *canonical, O_PATH, 0, 0};
  const int fd = enforcer::open_on_behalf(self, req, *canonical, /* may_wait= */ false);
  if (fd < 0) {
    err = FsError{-fd, {}};
    return false;
  }
  const int r = ::fstat(fd, &st);
  close(fd);
  if (r == 0) return true;
  err = FsError{errno, {}};
  return false;
}

std::optional<std::string> read_script(int fd) {
  std::string text;
  char buf[65536];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > kMaxScript) return std::nullopt;
  }
  return text;
}

}  // namespace stsh::shell
