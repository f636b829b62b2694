#include "shell/io_pump.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace stsh::shell {
namespace {

void set_nonblocking(int fd) {
  const int flags = fcntl(fd, F_GETFL);
  if (flags >= 0) fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

}  // namespace

void IoPump::feed(UniqueFd fd, std::string data) {
  if (data.empty()) return;  // closing fd is the whole job
  set_nonblocking(fd.get());
  feeds_.push_back({std::move(fd), std::move(data), 0});
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
