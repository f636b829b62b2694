// YAML text of one policy file -> Document. Every problem is one located Error; the first wins.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "policy/model.h"
#include "policy/result.h"
#include "policy/tree_cache.h"
#include "policy/variables.h"

namespace stsh::policy {

// `path` is only used in messages. The text must already have passed the file checks.
Result<Document> load_document(std::string_view text, const std::string& path,
                               const Variables& vars);

// The same, taking the tree from `cache` when it holds one for this text, and, when `store`,
// storing a freshly parsed tree there once the document has loaded (a failure to store is
// counted in `report`; the document loads all the same).
struct CacheReport {
  int from_cache = 0, stored = 0;
  std::vector<std::string> problems;
};
struct CacheUse {
  const TreeCache* cache = nullptr;
  bool store = false;
  CacheReport* report = nullptr;
};
Result<Document> load_document(std::string_view text, const std::string& path,
                               const Variables& vars, const CacheUse& cache);

}  // namespace stsh::policy
