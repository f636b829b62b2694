#include "policy/suggest.h"

#include <algorithm>
#include <numeric>
#include <vector>

namespace stsh::policy {
namespace {

constexpr size_t kMaxSuggestDistance = 2;

char fold(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

}  // namespace

size_t edit_distance(std::string_view a, std::string_view b) {
  // One row of the classic dynamic programme; row[j] = distance(a[0..i), b[0..j)).
  std::vector<size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), size_t{0});
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t substitute = diagonal + (fold(a[i - 1]) == fold(b[j - 1]) ? 0 : 1);
      diagonal = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, substitute});
    }
  }
  return row[b.size()];
}

std::optional<std::string_view> nearest(std::string_view word,
                                        std::span<const std::string_view> candidates) {
  std::optional<std::string_view> best;
  size_t best_distance = kMaxSuggestDistance + 1;
  for (std::string_view candidate : candidates) {
    // Cheap reject: lengths differing by more than the limit cannot be close.
    const size_t length_gap = word.size() > candidate.size() ? word.size() - candidate.size()
                                                             : candidate.size() - word.size();
    if (length_gap > kMaxSuggestDistance) continue;
    const size_t d = edit_distance(word, candidate);
    if (d >= std::max(word.size(), candidate.size())) continue;  // nothing in common
    if (d < best_distance) {
      best = candidate;
      best_distance = d;
    }
  }
  return best;
}

}  // namespace stsh::policy
