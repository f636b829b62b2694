// Reading a policy file safely: the ownership and mode checks a login requires (like sshd's
// StrictModes), a size bound, and the encoding check. Nothing is parsed here.
#pragma once

#include <cstdint>
#include <string>

#include "policy/result.h"

namespace stsh::policy {

enum class Trust : uint8_t {
  // A login: the file and every directory from the policy directory down to it must be owned
  // by root and not writable by group or others.
  login,
  // An explicit --policy FILE (tests, an admin trying a draft): the owner may also be the
  // invoking user; group/world-writable files are still refused.
  explicit_file,
};

constexpr size_t kMaxPolicyBytes = 4 * 1024 * 1024;

// Reads `path` (which lies under `policy_dir`) after checking it as `trust` requires.
// Errors are "path: message" (no line) except encoding errors, which carry line and column.
Result<std::string> read_policy_file(const std::string& path, const std::string& policy_dir,
                                     Trust trust);

// The first byte offset that is not valid UTF-8, or npos.
size_t find_invalid_utf8(std::string_view text);

}  // namespace stsh::policy
