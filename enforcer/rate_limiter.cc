#include "enforcer/rate_limiter.h"

#include <algorithm>

namespace stsh::enforcer {
namespace {

// Fields joined with NUL, which none of them can hold (paths and exe names cannot; a
// sockaddr is rendered as text).
std::string key_id(const RateKey& k) {
  std::string id = k.exe;
  for (const std::string* part : {&k.syscall, &k.target_field, &k.target, &k.target1, &k.action}) {
    id += '\0';
    id += *part;
  }
  return id;
}

}  // namespace

RateLimiter::RateLimiter(unsigned burst, std::chrono::seconds interval, std::size_t max_keys)
    : burst_(burst), interval_(interval), max_keys_(std::max<std::size_t>(max_keys, 1)) {}

std::vector<Suppressed> RateLimiter::roll(Clock::time_point now) {
  if (started_ && now - window_start_ < interval_) return {};
  std::vector<Suppressed> out = started_ ? take() : std::vector<Suppressed>{};
  started_ = true;
  window_start_ = now;
  in_window_ = 0;
  return out;
}

bool RateLimiter::admit(const RateKey& key) {
  std::string id = key_id(key);
  if (auto it = index_.find(id); it != index_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second);
    if (in_window_ < burst_) {
      ++in_window_;
      return true;
    }
    ++it->second->suppressed;
    ++suppressed_total_;
    return false;
  }
  // A first: always written, and it uses the window's budget like any record.
  ++in_window_;
  key_bytes_ += id.size();
  lru_.push_front(Entry{key, id, 0});
  index_.emplace(std::move(id), lru_.begin());
  while (lru_.size() > max_keys_ || (key_bytes_ > kMaxKeyBytes && lru_.size() > 1)) forget_oldest();
  return true;
}

void RateLimiter::forget_oldest() {
  Entry& e = lru_.back();
  if (e.suppressed > 0) {
    forgotten_count_ += e.suppressed;
    ++forgotten_keys_;
  }
  key_bytes_ -= e.id.size();
  index_.erase(e.id);
  lru_.pop_back();
}

std::vector<Suppressed> RateLimiter::take() {
  std::vector<Suppressed> out;
  for (Entry& e : lru_) {
    if (e.suppressed == 0) continue;
    out.push_back(Suppressed{e.key, e.suppressed, 1});
    e.suppressed = 0;
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Suppressed& a, const Suppressed& b) { return a.count > b.count; });
  Suppressed rest{{}, forgotten_count_, forgotten_keys_};
  for (std::size_t i = kMaxSummaries; i < out.size(); ++i) {
    rest.count += out[i].count;
    rest.keys += 1;
  }
  if (out.size() > kMaxSummaries) out.resize(kMaxSummaries);
  if (rest.count > 0) out.push_back(std::move(rest));
  forgotten_count_ = forgotten_keys_ = 0;
  return out;
}

}  // namespace stsh::enforcer
