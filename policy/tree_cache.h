// Parsed YAML trees of policy files, kept where only root writes (docs/ARCHITECTURE.md,
// "Start-up"). Parsing the policy set was most of a session's start-up; a login whose files an
// admin has checked (`stsh-policy check` as root writes the entries) takes each file's tree from
// here instead of parsing it.
//
// An entry holds its file's whole text and is used only for exactly that text: a changed file
// is parsed again. An entry, or a directory above it, that someone other than the owner (root)
// could have written, or an entry that does not read back whole and well-formed, is ignored;
// parsing is always the fallback, so the cache can make a session faster and never different.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

#include "policy/yaml_tree.h"

namespace stsh::policy {

class TreeCache {
 public:
  // `owner` is whose entries to trust: root, except in tests that do not run as root.
  explicit TreeCache(std::string dir, uid_t owner = 0) : dir_(std::move(dir)), owner_(owner) {}

  const std::string& dir() const { return dir_; }

  // The tree stored for exactly `text`, when there is one to trust.
  std::optional<YamlTree> find(std::string_view text) const;

  // Stores `tree` as the parse of `text`, creating the directory (mode 755) if it is missing;
  // replaces an entry atomically. A message saying what failed, or nullopt.
  std::optional<std::string> store(std::string_view text, const YamlTree& tree) const;

  // The entry's file name for `text` (a hash of it), for tests and clean-up.
  static std::string entry_name(std::string_view text);

 private:
  bool trusted_directory() const;

  std::string dir_;
  uid_t owner_;
};

}  // namespace stsh::policy
