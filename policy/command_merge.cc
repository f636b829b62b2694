#include "policy/command_merge.h"

#include <algorithm>

namespace stsh::policy {
namespace {

// The five lists of a section by index (kListNames order), const or not.
template <typename S>
auto& list_of(S& s, size_t k) {
  decltype(&s.read) slots[] = {&s.read, &s.write, &s.exec, &s.connect, &s.bind};
  return *slots[k];
}

}  // namespace

Error duplicate_error(const CommandSpec& c, const std::string& written,
                      const MergedCommand& first) {
  std::string msg = "duplicate command '" + written + "'";
  if (written != c.key.text || !first.written.empty()) {
    msg += ": it names " + c.key.text + ", as does '" + first.written_key() + "'";
  }
  msg += " (first defined at " + origin_text(first.spec->key.where) + ")";
  if (first.spec->key.where.file != c.key.where.file) {
    msg += "; to add to that entry, give this one 'extend: true'";
  }
  return make_error(c.key.where, msg);
}

void extend_entry(MergedCommand& m, CommandSpec c) {
  if (!m.ext) m.ext = std::make_unique<Extensions>();
  for (size_t k = 0; k < kListNames.size(); ++k) {
    auto& ext = list_of(c.section, k);
    auto& own = list_of(m.spec->section, k);
    if (ext) {
      auto& to = own ? *own : m.ext->added[k];
      to.insert(to.end(), std::make_move_iterator(ext->begin()),
                std::make_move_iterator(ext->end()));
    }
    if (auto& rm = list_of(c.extend->remove, k)) {
      m.ext->removed[k].insert(m.ext->removed[k].end(), rm->begin(), rm->end());
    }
  }
  auto& rules = m.spec->section.rules;
  rules.insert(rules.begin(), std::make_move_iterator(c.section.rules.begin()),
               std::make_move_iterator(c.section.rules.end()));
  m.ext->at.push_back(c.key.where);
}

Result<std::shared_ptr<const CompactList>> merged_list(
    const MergedCommand& m, size_t k, const Section& defaults,
    const std::shared_ptr<const CompactList>& inherited) {
  using K = CompactList::Kind;
  const K kind = k >= 3 ? K::addresses : K::paths;
  const auto& own = list_of(m.spec->section, k);
  if (!own && !m.touched(k)) return inherited;
  std::vector<Entry> entries;
  if (own) {
    entries = *own;
  } else {
    if (const auto& d = list_of(defaults, k)) entries = *d;
    entries.insert(entries.end(), m.ext->added[k].begin(), m.ext->added[k].end());
  }
  if (!m.ext) return std::make_shared<const CompactList>(kind, std::move(entries));
  for (const Entry& r : m.ext->removed[k]) {
    const auto before = entries.size();
    std::erase_if(entries, [&](const Entry& e) { return e.text == r.text; });
    if (entries.size() == before) {
      return make_error(r.where, "cannot remove '" + r.text + "': it is not in the " +
                                     std::string(kListNames[k]) + " list of command '" +
                                     m.spec->key.text + "'");
    }
  }
  return std::make_shared<const CompactList>(kind, std::move(entries));
}

std::string merged_entry_note(const MergedCommand& m, const CommandPolicy& c) {
  std::string out =
      origin_text(m.spec->key.where) + ": note: command '" + m.spec->key.text + "' is extended by";
  for (const auto& w : m.ext->at) out += " " + origin_text(w);
  out += "; the merged entry:";
  const CompactList* lists[] = {&c.read(), &c.write(), &c.exec(), &c.connect(), &c.bind()};
  const Section& own_section = m.spec->section;
  for (size_t k = 0; k < kListNames.size(); ++k) {
    const std::string name(kListNames[k]);
    if (!list_of(own_section, k) && !m.touched(k)) {
      out += "\n    " + name + ": inherited from defaults";
      continue;
    }
    if (!list_of(own_section, k))
      out += "\n    " + name + ": the defaults' entries, then the additions:";
    if (lists[k]->entries().empty()) out += "\n    " + name + ": (empty)";
    for (const auto& e : lists[k]->entries()) {
      out += "\n    " + name + ": " + e.text + "  (" + origin_text(e.where) + ")";
    }
    for (const auto& r : m.ext->removed[k]) {
      out += "\n    " + name + ": removed " + r.text + "  (" + origin_text(r.where) + ")";
    }
  }
  for (const auto& r : c.own_rules().rules()) {
    out += "\n    rule: " + r.source + "  (" + std::string(r.origin) + ")";
  }
  return out;
}

}  // namespace stsh::policy
