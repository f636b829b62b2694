#include "shell/history.h"

#include <fcntl.h>
#include <readline/history.h>
#include <unistd.h>

#include <cerrno>

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

void History::save() {
  if (size_ == 0) return;
  FsError err;
  auto fd = fs_->open(path_, O_WRONLY | O_CREAT | O_TRUNC, 0600, err);
  if (!fd) return;
  std::string text;
  for (const std::string& line : lines()) text += line + "\n";
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = write(fd->get(), text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
}

}  // namespace stsh::shell
