// YAML text of one policy file -> Document. Every problem is one located Error; the first wins.
#pragma once

#include <string>
#include <string_view>

#include "policy/model.h"
#include "policy/result.h"
#include "policy/variables.h"

namespace stsh::policy {

// `path` is only used in messages. The text must already have passed the file checks.
Result<Document> load_document(std::string_view text, const std::string& path,
                               const Variables& vars);

}  // namespace stsh::policy
