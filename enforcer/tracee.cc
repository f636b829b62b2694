#include "enforcer/tracee.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

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

std::optional<std::vector<std::string>> read_string_array(pid_t pid, unsigned long addr, size_t max_items) {
  std::vector<std::string> out;
  if (addr == 0) return out;
  for (size_t i = 0; i < max_items; ++i) {
    unsigned long ptr = 0;
    iovec local{&ptr, sizeof ptr};
    iovec remote{reinterpret_cast<void*>(addr + i * sizeof ptr), sizeof ptr};
    if (process_vm_readv(pid, &local, 1, &remote, 1, 0) != static_cast<ssize_t>(sizeof ptr)) return std::nullopt;
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

pid_t proc_ppid(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("PPid:", 0) == 0) return static_cast<pid_t>(std::atoi(line.c_str() + 5));
  }
  return 0;
}

std::optional<std::string> resolve_for(pid_t pid, int dirfd, const std::string& path) {
  std::string absolute = path;
  if (path.empty() || path.front() != '/') {
    auto base = proc_link(pid, dirfd == AT_FDCWD ? "cwd" : "fd/" + std::to_string(dirfd));
    if (!base) return std::nullopt;
    absolute = path.empty() ? *base : *base + "/" + path;
  }
  // The supervisor shares the tracee's mount namespace and root, so resolving here resolves
  // what the tracee would; /proc/self must mean the tracee, not us.
  if (absolute == "/proc/self" || absolute.rfind("/proc/self/", 0) == 0) {
    absolute = "/proc/" + std::to_string(pid) + absolute.substr(10);
  } else if (absolute == "/proc/thread-self" || absolute.rfind("/proc/thread-self/", 0) == 0) {
    absolute = "/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + absolute.substr(17);
  }
  char buf[PATH_MAX];
  if (realpath(absolute.c_str(), buf) == nullptr) return std::nullopt;
  return std::string(buf);
}

}  // namespace stsh::enforcer
