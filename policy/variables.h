// $HOME, $USER and $UID in policy strings, taken from the user's passwd entry.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "policy/user.h"

namespace stsh::policy {

struct Variables {
  std::string home, user, uid;
  static Variables for_user(const UserInfo& u) { return {u.home, u.name, std::to_string(u.uid)}; }
};

// A problem inside a piece of text: the 0-based byte offset and what is wrong. The caller
// turns it into a file:line:col error.
struct TextError {
  size_t offset = 0;
  std::string message;
};

// Expands $NAME and ${NAME}; "$$" is a literal '$', and so is a '$' that starts no name
// ("^-x$" in a regular expression). Unknown names are errors.
std::optional<TextError> expand_variables(std::string_view in, const Variables& vars,
                                          std::string& out);

}  // namespace stsh::policy
