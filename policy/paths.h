// Lexical path handling for policy text (no file system access).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace stsh::policy {

// "/a//b/./c/" -> "/a/b/c"; ".." is resolved lexically ("/a/b/../c" -> "/a/c", "/.." -> "/").
// nullopt for a relative or empty path.
std::optional<std::string> lexically_normal(std::string_view path);

// True if `path` is absolute and already in lexically normal form.
bool is_lexically_normal(std::string_view path);

}  // namespace stsh::policy
