// Errno names as a policy writes them: `deny[eperm]`, `deny[EACCES]`.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace stsh::policy {

// The errno value for a Linux errno name, case-insensitive ("eacces", "EACCES"). Aliases such as
// EWOULDBLOCK, EDEADLOCK and ENOTSUP are accepted. nullopt for anything else.
std::optional<int> errno_from_name(std::string_view name);

// The canonical upper-case name of an errno value ("EACCES"); for values with aliases the
// kernel's primary name (EAGAIN, not EWOULDBLOCK). Empty for values Linux does not define.
std::string_view errno_name(int e);

// Every accepted name, upper case, sorted, aliases included: candidates for "did you mean".
std::span<const std::string_view> all_errno_names();

}  // namespace stsh::policy
