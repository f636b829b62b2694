// The shell's side of pipes to and from confined commands: a builtin's output or a
// here-document fed into a pipe, a command substitution's output read from one. Everything is
// non-blocking and driven from the shell's one poll loop, because the commands at the other
// end need the supervisor — this same thread — to make progress.
#pragma once

#include <poll.h>
#include <sys/types.h>

#include <string>
#include <vector>

#include "enforcer/unique_fd.h"

namespace stsh::shell {

class IoPump {
 public:
  // Writes `data` into `fd` as the reader takes it, then closes `fd`. A reader that goes away
  // early (`head`) ends the feed quietly.
  void feed(UniqueFd fd, std::string data);
  // Reads `fd` to its end, appending to `*into` (which must outlive the collection).
  void collect(UniqueFd fd, std::string* into);

  [[nodiscard]] bool collecting(const std::string* into) const;
  // Whether data is still on its way into the pipe `fd` names.
  [[nodiscard]] bool feeding(int fd) const;
  [[nodiscard]] bool empty() const { return feeds_.empty() && collects_.empty(); }
  // In a new subshell process: the shell's feeds and collections are not ours (their
  // descriptors are closed already).
  void abandon();
  // The descriptors it holds.
  void add_fds(std::vector<int>& fds) const;

  // Appends the descriptors to poll; on_ready then takes the results from `first` on.
  void add_to(std::vector<pollfd>& fds) const;
  void on_ready(const std::vector<pollfd>& fds, size_t first);

 private:
  struct Feed {
    UniqueFd fd;
    std::string data;
    size_t done = 0;
    dev_t dev = 0;
    ino_t ino = 0;
  };
  struct Collect {
    UniqueFd fd;
    std::string* into;
  };
  std::vector<Feed> feeds_;
  std::vector<Collect> collects_;
};

}  // namespace stsh::shell
