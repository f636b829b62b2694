// Path globs of the policy language: validation, parsing and a reference matcher.
//
// Syntax (FNM_PATHNAME style, no special treatment of leading dots):
//   *      any run of bytes except '/'
//   ?      one byte except '/'
//   [abc] [a-z] [!a] [^a]   a byte class; classes never match '/'; write ']' inside as "\]"
//   \x     the byte x literally
//   /**    when `**` is a whole component ("/**/" inside or "/**" at the end): zero or more
//          whole components, i.e. ("" | "/" followed by anything, '/' included).
//          Any other run of stars behaves like a single `*`.
// A trailing '/' of a pattern other than "/" is ignored ("/tmp/" means "/tmp"), because the
// subjects are canonical paths, which never end in '/'.
#pragma once

#include <bitset>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stsh::policy {

struct GlobError {
  size_t offset;  // 0-based byte offset in the pattern
  std::string message;
};

// nullopt if `pattern` is a valid glob. Path patterns must be absolute; address patterns
// (the host part of "unix:@name" and the like) pass require_absolute = false.
std::optional<GlobError> validate_glob(std::string_view pattern, bool require_absolute = true);

// One element of a parsed glob.
struct GlobToken {
  enum class Kind : uint8_t {
    literal,     // `ch`
    char_class,  // one byte of `set` ('?' is the class of every byte but '/')
    star,        // `*`
    globstar,    // a whole-component "/**", the '/' before the stars included
  };
  Kind kind = Kind::literal;
  unsigned char ch = 0;
  std::bitset<256> set;  // for char_class only

  bool operator==(const GlobToken&) const = default;
};

// Tokens of a valid pattern, with the trailing '/' already removed and `**` components folded
// into globstar tokens; nullopt if the pattern is invalid (absolute or not).
std::optional<std::vector<GlobToken>> parse_glob(std::string_view pattern);

// Whole-subject match. subtree = FNM_LEADING_DIR: the pattern also matches everything below a
// matched path ("/home/*" matches "/home/a/b"; "/home/a" matches "/home/a/x" but not
// "/home/ab"); the pattern "/" then matches every absolute path. An invalid pattern matches
// nothing. Cost O(pattern length * subject length), never exponential.
bool glob_match(std::string_view pattern, std::string_view subject, bool subtree);

}  // namespace stsh::policy
