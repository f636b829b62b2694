#include "policy/compact_list.h"

#include "policy/entry_checks.h"

namespace stsh::policy {

std::string origin_text(const SourceLocation& where) {
  return where.file + ":" + std::to_string(where.line) + ":" + std::to_string(where.column);
}

CompactList::CompactList(Kind kind, std::vector<Entry> entries)
    : kind_(kind), entries_(std::move(entries)) {
  origins_.reserve(entries_.size());
  for (uint32_t id = 0; id < entries_.size(); ++id) {
    const std::string& text = entries_[id].text;
    origins_.push_back(origin_text(entries_[id].where));
    if (kind_ == Kind::paths) {
      if (text == kCommandsToken) {
        includes_commands_ = true;
      } else {
        paths_.add(MatchKind::glob, text, id);
      }
      continue;
    }
    // Validated by the loader, so parsing succeeds.
    auto pattern = parse_address_pattern(text);
    if (text.rfind("unix:@", 0) == 0) {
      abstract_.add(MatchKind::glob, text.substr(5), id);
    } else if (text.rfind("unix:", 0) == 0) {
      paths_.add(MatchKind::glob, text.substr(5), id);
    } else {
      inet_.add(pattern.value(), id);
    }
  }
}

std::optional<uint32_t> CompactList::match_path(std::string_view path) const {
  if (kind_ != Kind::paths) return std::nullopt;
  return paths_.first_match(path);
}

std::optional<uint32_t> CompactList::match_sockaddr(std::string_view sockaddr) const {
  if (kind_ != Kind::addresses) return std::nullopt;
  if (sockaddr.rfind("unix:@", 0) == 0) return abstract_.first_match(sockaddr.substr(5));
  if (sockaddr.rfind("unix:", 0) == 0) return paths_.first_match(sockaddr.substr(5));
  return inet_.first_match(sockaddr);
}

}  // namespace stsh::policy
