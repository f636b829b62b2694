// Pathname expansion for the shell: our own matcher and a directory walk that lists directories
// only through a callback, so the executor decides (against the user's policy) what may be
// listed. No filesystem access here.
//
// Pattern syntax, per path component (a '/' always separates components):
//   *         any run of characters
//   ?         any one character
//   [abc] [a-z] [!a] [^a] [[:alpha:]]   one character of (or not of) a set; a ']' right after
//             '[' or '[!' is a member; a '[' without a closing ']' is literal; classes
//             alnum alpha blank cntrl digit graph lower print punct space upper xdigit are
//             ASCII-only; ranges compare bytes
// There is no backslash escaping: the parser already removed quotes and escapes, and says per
// byte whether it was quoted. Only active (unquoted) characters are special; the others match
// themselves, a backslash included. `**` is the same as `*`. A name starting with '.' matches only
// a pattern component whose first character is a literal '.'; "." and ".." are never matched by a
// pattern (bash's globskipdots). Results are sorted bytewise (C locale). A pattern that matches
// nothing yields no result and the caller keeps the word as written.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stsh::shell {

// A glob pattern: the text after quote removal and, for each byte, whether it is active
// (may act as a glob character).
struct GlobPattern {
  std::string text;
  std::vector<bool> active;  // same size as text
};

// Names in a directory ("." for the current one), without "." and ".."; nullopt when the
// directory does not exist, is not a directory or may not be listed (all count as no match).
using ListDirectory =
    std::function<std::optional<std::vector<std::string>>(const std::string& dir)>;

// True if some component of the pattern holds an active *, ? or a complete [...].
[[nodiscard]] bool has_glob(const GlobPattern& pattern);

// Whether `name` matches one component pattern (no '/'); the leading-dot rule applies.
[[nodiscard]] bool match_component(const GlobPattern& pattern, std::string_view name);

// Whether all of `text` matches the pattern, '/' and a leading '.' included: case patterns and
// the ${NAME%pattern} forms (XCU 2.13.1 without the pathname rules).
[[nodiscard]] bool match_string(const GlobPattern& pattern, std::string_view text);

// The sorted paths matching the pattern; relative patterns give relative paths ("src/a.c"),
// directories are listed as "." or as the path prefix spelled in the pattern. A trailing '/'
// keeps only directories (and keeps the '/'). Components without glob characters before the
// first one that has some are not checked; those after it must exist in the listing.
[[nodiscard]] std::vector<std::string> glob(const GlobPattern& pattern, const ListDirectory& list);

}  // namespace stsh::shell
