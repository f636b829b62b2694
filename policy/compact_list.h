// A compiled allow-list (read, write, exec, connect or bind): which entry, if any, admits a
// path or socket address. Lookups cost the same however many entries there are.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/address.h"
#include "policy/model.h"
#include "policy/pattern_set.h"

namespace stsh::policy {

class CompactList {
 public:
  enum class Kind : uint8_t { paths, addresses };

  CompactList() = default;
  // Entries have been validated by the loader. `origins` of entries are kept for Decisions.
  CompactList(Kind kind, std::vector<Entry> entries);

  // Index of the first entry admitting the canonical path / sockaddr text, or nullopt.
  std::optional<uint32_t> match_path(std::string_view path) const;
  std::optional<uint32_t> match_sockaddr(std::string_view sockaddr) const;
  // Whether some entry admits a path strictly below directory `dir`.
  bool admits_below(std::string_view dir) const { return paths_.matches_below(dir); }

  // The exec list holds "@commands": any program the user may start may be started.
  bool includes_commands() const { return includes_commands_; }

  const std::vector<Entry>& entries() const { return entries_; }
  std::string_view origin(uint32_t id) const { return origins_[id]; }
  bool empty() const { return entries_.empty(); }

 private:
  Kind kind_ = Kind::paths;
  std::vector<Entry> entries_;
  std::vector<std::string> origins_;  // "file:line", parallel to entries_
  bool includes_commands_ = false;
  PatternSet paths_;     // path globs; unix socket paths for address lists
  PatternSet abstract_;  // abstract unix socket names, as "@name"
  AddressSet inet_;
};

// "file:line:col": flow-style YAML puts several entries, rules or keys on one line.
std::string origin_text(const SourceLocation& where);

}  // namespace stsh::policy
