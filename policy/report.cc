#include "policy/report.h"

#include <pwd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "policy/learn.h"
#include "policy/syscalls.h"
#include "policy/tool_commands.h"
#include "policy/tool_text.h"

namespace stsh::policy {
namespace {

using enforcer::escape_value;

std::string field(const enforcer::Record& r, std::string_view key) {
  const std::string* v = r.get(key);
  return v ? *v : std::string();
}

// The call's target as the record names it.
std::string target_of(const enforcer::Record& r) {
  std::string t = field(r, "path");
  if (t.empty()) t = field(r, "sockaddr");
  if (const std::string* p1 = r.get("path1")) t += " -> " + *p1;
  return t;
}

struct Group {
  unsigned denied = 0, audit = 0, killed = 0;
  std::string first, last, policy;
  std::set<std::string> exes;
  std::map<std::pair<std::string, std::string>, unsigned> targets;  // (syscall, target) -> n
  std::map<std::string, unsigned> actions;
  std::map<std::pair<std::string, std::string>, std::string> lists;  // target -> list to add to
  unsigned repeats = 0;  // from suppressed records
};

using Key = std::tuple<std::string, std::string, std::string>;  // user, entry, rule

bool is_location(std::string_view rule) {
  const size_t colon = rule.rfind(':');
  return colon != std::string_view::npos && colon + 1 < rule.size() &&
         std::all_of(rule.begin() + static_cast<long>(colon) + 1, rule.end(), ::isdigit) &&
         rule.front() == '/';
}

std::string list_for(const std::string& syscall, const enforcer::Record& r) {
  auto nr = syscall_number(syscall);
  if (!nr) return "";
  std::optional<int> flags;
  (void)r;
  const Access a = access_of(*nr, flags);
  const bool open_family =
      syscall == "open" || syscall == "openat" || syscall == "openat2";
  if (open_family && !r.get("oflags")) return "read list (the write list, if it was opened for writing)";
  if (open_family) {
    const std::string& f = *r.get("oflags");
    const bool writes = f.find("O_WRONLY") != std::string::npos ||
                        f.find("O_RDWR") != std::string::npos ||
                        f.find("O_CREAT") != std::string::npos ||
                        f.find("O_TRUNC") != std::string::npos;
    return writes ? "write list" : "read list";
  }
  return std::string(access_name(a)) + " list";
}

std::string home_of(const std::string& user) {
  if (const passwd* pw = getpwnam(user.c_str())) return pw->pw_dir;
  return "";
}

std::string suggestion(const std::string& user, const std::string& entry, const std::string& rule,
                       const Group& g) {
  if (rule == "kernel tier (never permitted)")
    return "no change: stsh never permits these system calls, whatever the policy says";
  if (rule != "default") {
    if (is_location(rule))
      return "decided by the rule or list entry at " + escape_value(rule) +
             ": if this should be permitted, change or narrow that rule (stsh-policy explain "
             "shows it)";
    return "decided by " + escape_value(rule);
  }
  std::string where = entry == "(login)"
                          ? "the defaults section of " + escape_value(g.policy)
                          : "the entry at " + escape_value(entry);
  std::map<std::string, std::vector<std::string>> by_list;
  for (const auto& [k, n] : g.targets) {
    const std::string& syscall = k.first;
    std::string list = syscall == "execve" || syscall == "execveat"
                           ? (entry == "(login)" ? "commands (a key of its own)" : "exec list")
                           : "";
    if (list.empty()) {
      auto it = g.lists.find(k);
      if (it != g.lists.end()) list = it->second;
    }
    if (list.empty() || list == "none list") continue;
    by_list[list].push_back(k.second);
  }
  if (by_list.empty()) return "nothing in the policy permits these; a rule can (see stsh.policy(5))";
  std::string out = "nothing in the policy permits these; to permit them, add to " + where + ":";
  const std::string home = home_of(user);
  for (const auto& [list, targets] : by_list) {
    out += "\n        " + list + ":";
    size_t shown = 0;
    for (const auto& t : targets) {
      if (shown++ == 8) {
        out += " ... (" + std::to_string(targets.size() - 8) + " more)";
        break;
      }
      out += " " + escape_value(t);
      const std::string why = protected_reason(t, home);
      if (!why.empty()) out += " (careful: " + why + ")";
    }
  }
  return out;
}

}  // namespace

std::string format_report(const RecordInput& in) {
  std::map<Key, Group> groups;
  unsigned violations = 0, permits = 0, sessions = 0, summaries = 0, repeats = 0, undelivered = 0;
  std::vector<const enforcer::Record*> held;
  for (const InputRecord& ir : in.records) {
    const enforcer::Record& r = ir.record;
    if (r.type == "suppressed") {
      ++summaries;
      held.push_back(&r);
      continue;
    }
    if (r.type == "session") {
      ++sessions;
      continue;
    }
    if (r.type == "undelivered") {
      unsigned long n = 0;
      try {
        n = std::stoul(field(r, "count"));
      } catch (...) {
      }
      undelivered += static_cast<unsigned>(std::min<unsigned long>(n, 1u << 30));
      continue;
    }
    const std::string action = field(r, "action");
    if (action.starts_with("permit")) {
      ++permits;
      continue;
    }
    ++violations;
    Group& g = groups[{field(r, "user"), field(r, "entry"), field(r, "rule")}];
    if (action.starts_with("audit-")) ++g.audit;
    else if (action == "kill") ++g.killed;
    else ++g.denied;
    ++g.actions[action];
    if (g.first.empty()) g.first = ir.time;
    g.last = ir.time;
    g.policy = field(r, "policy");
    g.exes.insert(field(r, "exe"));
    ++g.targets[{field(r, "syscall"), target_of(r)}];
    g.lists[{field(r, "syscall"), target_of(r)}] = list_for(field(r, "syscall"), r);
  }
  // Repeats the rate limit held back: counted with the group that saw the same call.
  unsigned unattributed = 0;
  for (const enforcer::Record* s : held) {
    unsigned long n = 0;
    try {
      n = std::stoul(field(*s, "count"));
    } catch (...) {
    }
    const unsigned count = static_cast<unsigned>(std::min<unsigned long>(n, 1u << 30));
    repeats += count;
    bool found = false;
    for (auto& [key, g] : groups) {
      if (std::get<0>(key) != field(*s, "user") || !g.exes.count(field(*s, "exe"))) continue;
      auto it = g.targets.find({field(*s, "syscall"), target_of(*s)});
      if (it == g.targets.end() || !g.actions.count(field(*s, "action"))) continue;
      it->second += count;
      g.repeats += count;
      found = true;
      break;
    }
    if (!found) unattributed += count;
  }

  std::ostringstream o;
  o << "stsh-policy report: " << in.format << ", " << in.lines << " lines: " << violations
    << " denials (" << summaries << " rate-limit summaries, " << repeats << " repeats), "
    << sessions << " session records, " << permits << " permitted-and-logged calls, " << in.other
    << " lines from other programs, " << in.garbage << " unreadable stsh lines\n";
  for (const auto& s : in.garbage_samples) o << "  unreadable: " << s << "\n";
  if (undelivered > 0)
    o << "  warning: sessions reported " << undelivered
      << " records they could not deliver: this log is incomplete\n";
  if (unattributed > 0)
    o << "  " << unattributed << " repeats held back by the rate limit match no denial listed\n";
  std::string user;
  bool first_group = true;
  for (const auto& [key, g] : groups) {
    const auto& [u, entry, rule] = key;
    if (u != user || first_group) {
      first_group = false;
      user = u;
      o << "\nuser " << escape_value(u.empty() ? "(none)" : u) << "\n";
    }
    o << "  entry " << escape_value(entry) << "  (";
    size_t k = 0;
    for (const auto& e : g.exes) o << (k++ ? ", " : "") << escape_value(e);
    o << ")\n";
    o << "    rule " << escape_value(rule) << ": ";
    std::vector<std::string> parts;
    if (g.denied) parts.push_back(std::to_string(g.denied) + " denied");
    if (g.killed) parts.push_back(std::to_string(g.killed) + " killed");
    if (g.audit) parts.push_back(std::to_string(g.audit) + " would have been denied (audit)");
    for (size_t i = 0; i < parts.size(); ++i) o << (i ? ", " : "") << parts[i];
    if (g.repeats) o << ", and " << g.repeats << " repeats held back by the rate limit";
    o << "\n      first " << (g.first.empty() ? "(no time)" : escape_value(g.first)) << ", last "
      << (g.last.empty() ? "(no time)" : escape_value(g.last)) << "\n";
    std::vector<std::pair<unsigned, std::pair<std::string, std::string>>> sorted;
    for (const auto& [t, n] : g.targets) sorted.push_back({n, t});
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    for (const auto& [n, t] : sorted)
      o << "      " << escape_value(t.first) << " " << escape_value(t.second) << "  x" << n << "\n";
    o << "      suggest: " << suggestion(u, entry, rule, g) << "\n";
  }
  if (groups.empty()) o << "\nno denials\n";
  return o.str();
}

int report_command(const std::vector<std::string>& args) {
  constexpr const char* kUsage = "usage: stsh-policy report [--ident NAME]... FILE|-\n";
  std::vector<std::string> idents;
  std::string file;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--ident") {
      if (i + 1 >= args.size()) {
        std::cerr << "stsh-policy: --ident needs a NAME\n" << kUsage;
        return 2;
      }
      idents.push_back(args[++i]);
    } else if (a == "-h" || a == "--help") {
      std::cout << kUsage;
      return 0;
    } else if (a != "-" && a.size() > 1 && a[0] == '-') {
      std::cerr << "stsh-policy: unknown option '" << a << "'\n" << kUsage;
      return 2;
    } else if (!file.empty()) {
      std::cerr << "stsh-policy: report takes one FILE\n" << kUsage;
      return 2;
    } else {
      file = a;
    }
  }
  if (file.empty()) {
    std::cerr << "stsh-policy: report needs a FILE (or - for standard input)\n" << kUsage;
    return 2;
  }
  std::ostringstream data;
  if (file == "-") {
    data << std::cin.rdbuf();
  } else {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      std::cerr << file << ": cannot open: " << std::strerror(errno) << "\n";
      return 2;
    }
    data << in.rdbuf();
  }
  std::cout << format_report(read_records(data.str(), idents));
  return 0;
}

}  // namespace stsh::policy
