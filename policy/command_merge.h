// Merging command entries across the files of a set: an `extend: true` entry into the entry it
// extends (stsh.policy(5), "Extending an included entry"), and what the compiler builds from
// the result: the merged lists, the duplicate message, the note `check` prints.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "policy/compact_list.h"
#include "policy/model.h"
#include "policy/plan.h"
#include "policy/result.h"

namespace stsh::policy {

// The five lists of a section, in this order, by index.
inline constexpr std::array<std::string_view, 5> kListNames{"read", "write", "exec", "connect",
                                                            "bind"};
inline constexpr size_t kExecList = 2;

// What `extend: true` entries add to and take from an entry.
struct Extensions {
  std::array<std::vector<Entry>, 5> added;    // extensions' entries for lists inherited
  std::array<std::vector<Entry>, 5> removed;  // `remove:` entries, applied last
  std::vector<SourceLocation> at;             // the extending entries
};

// A command entry after the set is merged.
struct MergedCommand {
  // The first definition, in its Document (which outlives the compile): key text canonical,
  // lists the entry itself has with the extensions appended. A pointer, not a copy, so a set
  // of 100k keys is not held twice while it is compiled.
  CommandSpec* spec;
  std::string written;              // the key as the first definition wrote it, if not canonical
  std::unique_ptr<Extensions> ext;  // null unless extended: most entries are not

  const std::string& written_key() const { return written.empty() ? spec->key.text : written; }
  bool touched(size_t k) const {
    return ext && (!ext->added[k].empty() || !ext->removed[k].empty());
  }
};

// `c` defines the program `first` already defines (both keys canonical); `written` is c's key
// as written.
Error duplicate_error(const CommandSpec& c, const std::string& written, const MergedCommand& first);

// Merges `c` (an `extend: true` entry) into `m`: lists the entry has are appended to, lists it
// inherits gain the additions on top of the defaults' list (see merged_list), rules go first so
// the extending file's rules win, removals are kept for merged_list.
void extend_entry(MergedCommand& m, CommandSpec c);

// The entry's list k: `inherited` (the defaults', shared) when the entry has none and no
// extension touched it; else its own, or the defaults' entries plus the additions; then the
// removals, each of which must take something out.
Result<std::shared_ptr<const CompactList>> merged_list(
    const MergedCommand& m, size_t k, const Section& defaults,
    const std::shared_ptr<const CompactList>& inherited);

// What `check` shows for an extended entry: the merged result, each part with its origin.
std::string merged_entry_note(const MergedCommand& m, const CommandPolicy& c);

}  // namespace stsh::policy
