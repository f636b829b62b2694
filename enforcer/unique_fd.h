// UniqueFd: the one owner of a file descriptor.
#pragma once

#include <unistd.h>

#include <cerrno>
#include <utility>

namespace stsh {

// Move-only; closes on destruction. Every member is async-signal-safe, so a UniqueFd may live in
// a child between fork() and exec().
class UniqueFd {
 public:
  UniqueFd() noexcept = default;
  explicit UniqueFd(int fd) noexcept : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  [[nodiscard]] int get() const noexcept { return fd_; }
  explicit operator bool() const noexcept { return fd_ >= 0; }

  // Gives up ownership without closing.
  [[nodiscard]] int release() noexcept { return std::exchange(fd_, -1); }

  // Closes the current descriptor (if any) and owns `fd` instead.
  void reset(int fd = -1) noexcept {
    const int old = std::exchange(fd_, fd);
    if (old >= 0) close_keeping_errno(old);
  }

 private:
  // Linux releases the descriptor even when close() reports EINTR, so close() is never retried: a
  // retry could close a descriptor another thread has just been given under the same number.
  // errno is preserved so that a destructor running on an error path does not hide the error.
  static void close_keeping_errno(int fd) noexcept {
    const int saved = errno;
    ::close(fd);
    errno = saved;
  }

  int fd_ = -1;
};

}  // namespace stsh
