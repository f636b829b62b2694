// "Did you mean ...?" for misspelled keywords, keys and names.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

namespace stsh::policy {

// Levenshtein distance, comparing ASCII letters case-insensitively.
size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word`, as spelled in `candidates`, if it is a plausible typo: edit
// distance at most 2 and not a complete rewrite (so "x" does not suggest "re"). Ties go to the
// earlier candidate. Case-insensitive, so "eprem" finds "EPERM" and "Then" finds "then".
std::optional<std::string_view> nearest(std::string_view word,
                                        std::span<const std::string_view> candidates);

}  // namespace stsh::policy
