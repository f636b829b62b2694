// The violation log's rate limit: repeats are counted and summarised, firsts are never held.
//
// A record is keyed by what it is about: (exe, syscall, target, action), the target being the
// path (and second path) or the socket address. The first record of a key is always written, so
// twenty junk denials cannot hide the one that matters. Repeats are written while the
// window's budget (`burst` records per `interval`, firsts included) lasts; after that each is
// counted against its key and the next window's first record, or the end of the session,
// writes one summary per key naming it and its count.
//
// Memory is bounded: at most kMaxKeys keys and kMaxKeyBytes of their text are remembered,
// the least recently seen forgotten first. A forgotten key's next record is written as a
// first again (a process making millions of distinct denials gets each written, and each is
// a violation toward warning_limit), and the repeats it had pending go to the summary's
// aggregate line. Forgetting never drops a record; it can only write one more.
#pragma once

#include <chrono>
#include <cstdint>
#include <list>
#include <string>
#include <unordered_map>
#include <vector>

namespace stsh::enforcer {

struct RateKey {
  std::string exe;
  std::string syscall;
  std::string target_field;  // "path", "sockaddr", or empty: no target
  std::string target;
  std::string target1;  // the second path of rename, link, ...
  // The action too: a permitted, logged read of a file must not make the denied write of it
  // that follows a repeat.
  std::string action;
};

struct Suppressed {
  RateKey key;          // empty exe for the aggregate of keys not listed one by one
  std::uint64_t count;  // repeats not written in the window
  std::uint64_t keys;   // 1, or how many keys the aggregate stands for
};

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::size_t kMaxKeys = 1024;
  static constexpr std::size_t kMaxKeyBytes = 1 << 20;
  // Summaries beyond this many per window are folded into one aggregate.
  static constexpr std::size_t kMaxSummaries = 20;

  RateLimiter(unsigned burst, std::chrono::seconds interval, std::size_t max_keys = kMaxKeys);

  // When the window has ended, what it suppressed (empty otherwise); a new window starts.
  std::vector<Suppressed> roll(Clock::time_point now);
  // Whether the record of `key` is written; false: counted as suppressed.
  bool admit(const RateKey& key);
  // What the current window suppressed so far, for the end of the session.
  std::vector<Suppressed> take();

  [[nodiscard]] std::uint64_t suppressed_total() const { return suppressed_total_; }
  [[nodiscard]] std::size_t remembered() const { return lru_.size(); }

 private:
  struct Entry {
    RateKey key;
    std::string id;
    std::uint64_t suppressed = 0;
  };
  void forget_oldest();

  unsigned burst_;
  std::chrono::seconds interval_;
  std::size_t max_keys_;
  Clock::time_point window_start_{};
  bool started_ = false;
  unsigned in_window_ = 0;
  std::list<Entry> lru_;  // most recent first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
  std::size_t key_bytes_ = 0;
  std::uint64_t forgotten_count_ = 0, forgotten_keys_ = 0;  // pending, of forgotten keys
  std::uint64_t suppressed_total_ = 0;
};

}  // namespace stsh::enforcer
