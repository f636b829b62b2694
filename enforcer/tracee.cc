#include "enforcer/tracee.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string_view>

#include "policy/paths.h"

namespace stsh::enforcer {

std::optional<std::string> read_string(pid_t pid, unsigned long addr, size_t max) {
  std::string out;
  char buf[256];
  while (out.size() < max) {
    // Read up to the end of the page so a string ending just before an unmapped page reads.
    const size_t to_page_end = 4096 - ((addr + out.size()) % 4096);
    const size_t want = std::min(sizeof buf, to_page_end);
    iovec local{buf, want};
    iovec remote{reinterpret_cast<void*>(addr + out.size()), want};
    const ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
    if (n <= 0) return std::nullopt;
    for (ssize_t i = 0; i < n; ++i) {
      if (buf[i] == '\0') return out;
      out += buf[i];
    }
  }
  return std::nullopt;
}

std::optional<std::vector<std::string>> read_string_array(pid_t pid, unsigned long addr,
                                                          size_t max_items) {
  std::vector<std::string> out;
  if (addr == 0) return out;
  for (size_t i = 0; i < max_items; ++i) {
    unsigned long ptr = 0;
    iovec local{&ptr, sizeof ptr};
    iovec remote{reinterpret_cast<void*>(addr + i * sizeof ptr), sizeof ptr};
    if (process_vm_readv(pid, &local, 1, &remote, 1, 0) != static_cast<ssize_t>(sizeof ptr))
      return std::nullopt;
    if (ptr == 0) return out;
    auto s = read_string(pid, ptr);
    if (!s) return std::nullopt;
    out.push_back(std::move(*s));
  }
  return std::nullopt;
}

std::optional<std::string> proc_link(pid_t pid, const std::string& what) {
  const std::string link = "/proc/" + std::to_string(pid) + "/" + what;
  char buf[PATH_MAX];
  const ssize_t n = readlink(link.c_str(), buf, sizeof buf);
  if (n <= 0 || static_cast<size_t>(n) >= sizeof buf) return std::nullopt;
  return std::string(buf, static_cast<size_t>(n));
}

std::vector<std::string> proc_cmdline(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  const std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i] == '\0') {
      out.push_back(all.substr(start, i - start));
      start = i + 1;
    }
  }
  if (start < all.size()) out.push_back(all.substr(start));
  return out;
}

std::optional<unsigned> process_umask(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Umask:", 0) == 0)
      return static_cast<unsigned>(std::strtoul(line.c_str() + 6, nullptr, 8));
  }
  return std::nullopt;
}

pid_t proc_ppid(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("PPid:", 0) == 0) return static_cast<pid_t>(std::atoi(line.c_str() + 5));
  }
  return 0;
}

std::string policy_view(pid_t pid, const std::string& canonical, pid_t tgid) {
  if (tgid == 0) tgid = thread_group_of(pid);
  const std::string own = "/proc/" + std::to_string(tgid);
  if (canonical == own) return "/proc/self";
  if (canonical.rfind(own + "/", 0) == 0) return "/proc/self" + canonical.substr(own.size());
  return canonical;
}

namespace {

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= path.size()) {
    const size_t end = std::min(path.find('/', i), path.size());
    if (end > i) out.push_back(path.substr(i, end - i));
    i = end + 1;
  }
  return out;
}

std::string join_path(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += "/" + p;
  return out.empty() ? "/" : out;
}

}  // namespace

int duplicate_descriptor(pid_t tgid, int fd) {
  const long pidfd = syscall(SYS_pidfd_open, tgid, 0);
  if (pidfd < 0) return -errno;
  const long dup = syscall(SYS_pidfd_getfd, static_cast<int>(pidfd), fd, 0);
  const int getfd_errno = errno;
  close(static_cast<int>(pidfd));
  return dup < 0 ? -getfd_errno : static_cast<int>(dup);
}

std::optional<std::string> descriptor_path(int fd) {
  auto path = proc_link(getpid(), "fd/" + std::to_string(fd));
  if (!path || path->empty() || path->front() != '/') return std::nullopt;
  // " (deleted)" is what the kernel appends to an unlinked file's name, and also a name a file
  // may really have: only a file with no links left loses it.
  constexpr std::string_view kDeleted = " (deleted)";
  struct stat st {};
  if (path->ends_with(kDeleted) && fstat(fd, &st) == 0 && st.st_nlink == 0) {
    path->resize(path->size() - kDeleted.size());
  }
  return path;
}

pid_t thread_group_of(pid_t tid) {
  std::ifstream in("/proc/" + std::to_string(tid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Tgid:", 0) == 0) return static_cast<pid_t>(std::atoi(line.c_str() + 5));
  }
  return tid;
}

bool is_fd_magic_link(const std::string& p) {
  auto digits = [&](size_t& i) {
    const size_t start = i;
    while (i < p.size() && std::isdigit(static_cast<unsigned char>(p[i]))) ++i;
    return i > start;
  };
  size_t i = 0;
  auto literal = [&](std::string_view s) {
    if (p.compare(i, s.size(), s) != 0) return false;
    i += s.size();
    return true;
  };
  if (!literal("/proc/") || !digits(i)) return false;
  const size_t mark = i;
  if (!(literal("/task/") && digits(i))) i = mark;
  return literal("/fd/") && digits(i) && i == p.size();
}

// A realpath() for another process: symlinks are followed here, component by component, so
// that /proc/self and /proc/thread-self (also when reached through /dev/stdin or /dev/fd/N)
// mean the process, not the supervisor. A magic link to something that is not a path
// (pipe:[..], socket:[..], anon_inode:..) ends the walk: the result is the /proc path itself.
std::optional<std::string> resolve_for(pid_t pid, int dirfd, const std::string& path,
                                       pid_t tgid_hint) {
  // What the kernel would see ends at the first NUL; a caller holding more must not decide on it.
  if (path.find('\0') != std::string::npos) return std::nullopt;
  std::vector<std::string> done;
  if (path.empty() || path.front() != '/') {
    auto base = proc_link(pid, dirfd == AT_FDCWD ? "cwd" : "fd/" + std::to_string(dirfd));
    if (!base || base->empty() || base->front() != '/') return std::nullopt;
    done = split_path(*base);
  }
  std::vector<std::string> todo = split_path(path);
  std::reverse(todo.begin(), todo.end());  // a stack: back() is the next component
  // Looked up only when the walk reaches /proc: most paths never do.
  std::string tgid;
  int links = 0;
  while (!todo.empty()) {
    std::string part = std::move(todo.back());
    todo.pop_back();
    if (part == ".") continue;
    if (part == "..") {
      if (!done.empty()) done.pop_back();
      continue;
    }
    if (done.size() == 1 && done[0] == "proc" && (part == "self" || part == "thread-self")) {
      if (tgid.empty()) tgid = std::to_string(tgid_hint ? tgid_hint : thread_group_of(pid));
      if (part == "self") part = tgid;
      if (part == "thread-self") {
        todo.push_back(std::to_string(pid));
        todo.push_back("task");
        part = tgid;
      }
    }
    done.push_back(part);
    const std::string current = join_path(done);
    struct stat st {};
    if (lstat(current.c_str(), &st) != 0) return std::nullopt;
    if (!S_ISLNK(st.st_mode)) continue;
    if (++links > 40) return std::nullopt;  // ELOOP, as the kernel
    char buf[PATH_MAX];
    const ssize_t n = readlink(current.c_str(), buf, sizeof buf);
    if (n <= 0 || static_cast<size_t>(n) >= sizeof buf) return std::nullopt;
    const std::string target(buf, static_cast<size_t>(n));
    if (target.front() != '/') {
      const bool magic = done.size() >= 2 && done[0] == "proc" && !done[1].empty() &&
                         std::isdigit(static_cast<unsigned char>(done[1][0]));
      if (magic) {
        if (!todo.empty()) return std::nullopt;  // ENOTDIR: nothing lies below a pipe
        return current;
      }
      done.pop_back();
    } else {
      done.clear();
    }
    std::vector<std::string> more = split_path(target);
    for (auto it = more.rbegin(); it != more.rend(); ++it) todo.push_back(*it);
  }
  return join_path(done);
}

}  // namespace stsh::enforcer
