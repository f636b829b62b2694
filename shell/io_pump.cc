#include "shell/io_pump.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>

namespace stsh::shell {
namespace {

void set_nonblocking(int fd) {
  const int flags = fcntl(fd, F_GETFL);
  if (flags >= 0) fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

}  // namespace

// The pipe `fd` names, opened again: a description of our own, so making it non-blocking does
// not make the same pipe non-blocking for a command that writes to it too ({ echo a; cat f; }
// | sort: cat must not see EAGAIN).
UniqueFd own_description(UniqueFd fd) {
  const std::string path = "/proc/self/fd/" + std::to_string(fd.get());
  const int again = ::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (again < 0) {
    set_nonblocking(fd.get());
    return fd;
  }
  return UniqueFd(again);
}

void IoPump::feed(UniqueFd fd, std::string data) {
  if (data.empty()) return;  // closing fd is the whole job
  struct stat st {};
  const bool is_pipe = fstat(fd.get(), &st) == 0 && S_ISFIFO(st.st_mode);
  fd = is_pipe ? own_description(std::move(fd)) : (set_nonblocking(fd.get()), std::move(fd));
  // As much as fits now: output keeps its order with what a command started next writes.
  size_t done = 0;
  if (feeds_.empty()) {
    while (done < data.size()) {
      const ssize_t n = write(fd.get(), data.data() + done, data.size() - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    if (done == data.size()) return;
  }
  feeds_.push_back({std::move(fd), std::move(data), done, st.st_dev, st.st_ino});
}

bool IoPump::feeding(int fd) const {
  struct stat st {};
  if (fstat(fd, &st) != 0) return false;
  return std::any_of(feeds_.begin(), feeds_.end(), [&](const Feed& f) {
    return f.dev == st.st_dev && f.ino == st.st_ino;
  });
}

void IoPump::add_fds(std::vector<int>& fds) const {
  for (const Feed& f : feeds_) fds.push_back(f.fd.get());
  for (const Collect& c : collects_) fds.push_back(c.fd.get());
}

void IoPump::abandon() {
  for (Feed& f : feeds_) (void)f.fd.release();
  for (Collect& c : collects_) (void)c.fd.release();
  feeds_.clear();
  collects_.clear();
}

void IoPump::collect(UniqueFd fd, std::string* into) {
  set_nonblocking(fd.get());
  collects_.push_back({std::move(fd), into});
}

bool IoPump::collecting(const std::string* into) const {
  return std::any_of(collects_.begin(), collects_.end(),
                     [into](const Collect& c) { return c.into == into; });
}

void IoPump::add_to(std::vector<pollfd>& fds) const {
  for (const Feed& f : feeds_) fds.push_back({f.fd.get(), POLLOUT, 0});
  for (const Collect& c : collects_) fds.push_back({c.fd.get(), POLLIN, 0});
}

void IoPump::on_ready(const std::vector<pollfd>& fds, size_t first) {
  // Results are matched by descriptor, so entries added meanwhile are left for the next round.
  auto revents_of = [&](int fd) -> short {
    for (size_t i = first; i < fds.size(); ++i) {
      if (fds[i].fd == fd) return fds[i].revents;
    }
    return 0;
  };
  std::erase_if(feeds_, [&](Feed& f) {
    const short ev = revents_of(f.fd.get());
    if (ev & (POLLERR | POLLHUP | POLLNVAL)) return true;
    if (!(ev & POLLOUT)) return false;
    const ssize_t n = write(f.fd.get(), f.data.data() + f.done, f.data.size() - f.done);
    if (n < 0) return errno != EAGAIN && errno != EINTR;
    f.done += static_cast<size_t>(n);
    return f.done == f.data.size();
  });
  std::erase_if(collects_, [&](Collect& c) {
    const short ev = revents_of(c.fd.get());
    if (!(ev & (POLLIN | POLLHUP | POLLERR | POLLNVAL))) return false;
    char buf[4096];
    for (;;) {
      const ssize_t n = read(c.fd.get(), buf, sizeof buf);
      if (n > 0) {
        c.into->append(buf, static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) return false;
      return true;  // end of data, or an error: the collection is over
    }
  });
}

}  // namespace stsh::shell
