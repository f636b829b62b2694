#include "shell/history.h"

#include <fcntl.h>
#include <readline/history.h>
#include <unistd.h>

#include <linux/openat2.h>
#include <signal.h>
#include <sys/syscall.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "enforcer/tracee.h"

namespace stsh::shell {

History::History(ShellFs& fs, std::string path, unsigned size)
    : fs_(&fs), path_(std::move(path)), size_(size) {
  stifle_history(static_cast<int>(size_));
}

void History::load() {
  FsError err;
  auto fd = fs_->open(path_, O_RDONLY, 0, err, ShellFs::Report::quiet);
  if (!fd) return;
  std::string text;
  char buf[8192];
  ssize_t n;
  while ((n = read(fd->get(), buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) add_history(text.substr(start, end - start).c_str());
    start = end + 1;
  }
}

void History::add(const std::string& line) {
  if (line.find_first_not_of(" \t") == std::string::npos) return;
  // A line that starts with a space is not kept, as in bash with ignorespace.
  if (line[0] == ' ') return;
  add_history(line.c_str());
}

std::vector<std::string> History::lines() const {
  std::vector<std::string> out;
  HIST_ENTRY** list = history_list();
  for (int i = 0; list && list[i]; ++i) out.emplace_back(list[i]->line);
  return out;
}

// Written whole or not at all: the lines go to PATH.new, opened as any file the shell writes is
// (decided by the policy, RESOLVE_NO_SYMLINKS), and only a complete file replaces PATH, by a
// rename inside the directory we hold. A policy that does not let the login keep a history
// file is answered quietly: no file, and no violation at every logout. A failure (a full disk)
// is said once and leaves the old file as it was.
bool History::save() {
  if (size_ == 0) return true;
  const size_t slash = path_.rfind('/');
  if (slash == std::string::npos) return false;
  const std::string dir = slash == 0 ? "/" : path_.substr(0, slash);
  const std::string name = path_.substr(slash + 1), temporary = name + ".new";
  FsError err;
  // Both names are written (the rename replaces the file): both must be the policy's to write.
  for (const std::string& p : {path_, dir + "/" + temporary}) {
    if (!fs_->may_write(p)) return true;
  }
  auto canonical_dir = enforcer::resolve_for(getpid(), AT_FDCWD, dir);
  open_how how{};
  how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
  how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  UniqueFd parent(canonical_dir ? static_cast<int>(syscall(SYS_openat2, AT_FDCWD,
                                                           canonical_dir->c_str(), &how, sizeof how))
                                : -1);
  auto fd = fs_->open(dir + "/" + temporary, O_WRONLY | O_CREAT | O_TRUNC, 0600, err,
                      ShellFs::Report::quiet);
  auto fail = [&](int error) {
    if (parent) unlinkat(parent.get(), temporary.c_str(), 0);
    std::fprintf(stderr, "stsh: the history was not saved to %s: %s\n", path_.c_str(),
                 std::strerror(error));
    return false;
  };
  if (!parent) return fail(errno ? errno : ENOENT);
  if (!fd) return fail(err.error);
  std::string text;
  for (const std::string& line : lines()) text += line + "\n";
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = write(fd->get(), text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail(n < 0 ? errno : EIO);
    done += static_cast<size_t>(n);
  }
  if (fsync(fd->get()) != 0 || close(fd->release()) != 0) return fail(errno);
  if (renameat(parent.get(), temporary.c_str(), parent.get(), name.c_str()) != 0)
    return fail(errno);
  return true;
}

}  // namespace stsh::shell
