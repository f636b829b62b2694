#include "policy/learn.h"

#include <fnmatch.h>

#include <algorithm>
#include <cctype>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "policy/glob.h"
#include "policy/syscalls.h"
#include "policy/tool_text.h"

namespace stsh::policy {
namespace {

using enforcer::escape_value;

// A tree of paths this many distinct paths strong is generalised to DIR/**.
constexpr size_t kGeneralise = 5;
// Never generalise to a directory with fewer components than this ("/", "/usr", "/etc").
constexpr size_t kMinDepth = 2;

bool under(std::string_view path, std::string_view dir) {
  if (dir == "/") return true;
  return path == dir || (path.starts_with(dir) && path.size() > dir.size() && path[dir.size()] == '/');
}

size_t depth(std::string_view p) { return static_cast<size_t>(std::count(p.begin(), p.end(), '/')); }

std::string parent(std::string_view p) {
  const size_t s = p.rfind('/');
  return s == 0 ? "/" : std::string(p.substr(0, s));
}

// Paths this policy is never widened over: exact files and trees.
struct Protected {
  std::string path, why;
};

std::vector<Protected> protected_list(std::string_view home) {
  std::vector<Protected> p = {
      {"/etc/shadow", "/etc/shadow holds password hashes"},
      {"/etc/shadow-", "/etc/shadow- holds password hashes"},
      {"/etc/gshadow", "/etc/gshadow holds group password hashes"},
      {"/etc/gshadow-", "/etc/gshadow- holds group password hashes"},
      {"/etc/ssh", "/etc/ssh holds the host's private keys"},
      {"/etc/sudoers", "/etc/sudoers says who may become root"},
      {"/etc/sudoers.d", "/etc/sudoers.d says who may become root"},
      {"/root", "/root is root's home"},
  };
  if (!home.empty() && home != "/") {
    p.push_back({std::string(home) + "/.ssh", "~/.ssh holds the user's keys and authorized_keys"});
    p.push_back({std::string(home) + "/.gnupg", "~/.gnupg holds the user's private keys"});
  }
  return p;
}

bool digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), ::isdigit);
}

}  // namespace

std::string protected_reason(std::string_view path, std::string_view home) {
  for (const auto& p : protected_list(home))
    if (under(path, p.path)) return p.why;
  // Other users' homes: anything under /home/NAME that is not this user's home.
  if (path.starts_with("/home/")) {
    const size_t end = path.find('/', 6);
    const std::string_view top = path.substr(0, end);
    if (top != "/home/" && (home.empty() || !under(home, top) || !under(path, home)) &&
        !under(home, path))
      return std::string(top) + " is another user's home";
  }
  // /proc/PID of another process (a process's own is /proc/self).
  if (path.starts_with("/proc/")) {
    const size_t end = path.find('/', 6);
    if (digits(path.substr(6, end == std::string_view::npos ? std::string_view::npos : end - 6)))
      return "/proc/PID of another process";
  }
  return "";
}

std::string holds_protected(std::string_view dir, std::string_view home) {
  if (std::string why = protected_reason(dir, home); !why.empty()) return why;
  std::string out;
  for (const auto& p : protected_list(home)) {
    if (under(p.path, dir) && p.path != dir) out += (out.empty() ? "" : ", ") + p.path;
  }
  if (under("/home/x", dir) && (dir == "/" || dir == "/home")) out += (out.empty() ? "" : ", ") + std::string("other users' homes");
  if (dir == "/" || dir == "/proc") out += (out.empty() ? "" : ", ") + std::string("/proc/PID of other processes");
  return out.empty() ? "" : "it holds " + out;
}

namespace {

using tools::printable;

struct Seen {
  std::map<std::string, unsigned> by;  // "EXE: SYSCALL" -> count
  unsigned total = 0;
  bool open_unknown = false;           // an open whose flags the record does not give
};

struct DraftSection {
  std::string key;   // "" for defaults
  bool extend = false;
  std::map<std::string, std::map<std::string, Seen>> lists;  // list -> path/address -> seen
  std::vector<std::string> notes;                             // comment lines
  std::string home;
};

// A section's notes once each, sorted: they come from records in the order concurrent
// processes wrote them, which changes from run to run.
std::set<std::string> sorted_notes(const DraftSection& s) { return {s.notes.begin(), s.notes.end()}; }

std::string seen_text(const Seen& s) {
  std::string out;
  size_t k = 0;
  for (const auto& [what, n] : s.by) {
    if (k++ == 3) {
      out += ", ...";
      break;
    }
    out += (out.empty() ? "" : ", ") + printable(what) + " " + std::to_string(n);
  }
  return out;
}

// The path as written in the draft: literal, with the home directory as $HOME.
std::string draft_path(std::string_view path, std::string_view home, std::string_view glob_tail) {
  std::string out;
  if (!home.empty() && home != "/" && under(path, home)) {
    out = "$HOME" + tools::literal_pattern(path.substr(home.size()));
  } else {
    out = tools::literal_pattern(path);
  }
  return out + std::string(glob_tail);
}

std::string display(std::string_view path, std::string_view home) {
  if (!home.empty() && home != "/" && under(path, home))
    return "$HOME" + printable(path.substr(home.size()));
  return printable(path);
}

// The run-to-run form of a name that mkstemp(3), mkdtemp(3), mktemp(1) or the like made:
// each run of six or more letters and digits (where they put their random characters)
// becomes '*', the rest is literal. "ccEZ0pVL.s" -> "*.s", "tmp.CsWSCKvTyG" -> "tmp.*".
// nullopt for a name without such a run. Only the run's length decides, never its
// characters: the next run's random name must get the same form.
std::optional<std::string> temporary_name_form(std::string_view name) {
  std::string out;
  bool any = false;
  for (size_t i = 0; i < name.size();) {
    size_t j = i;
    while (j < name.size() && std::isalnum(static_cast<unsigned char>(name[j]))) ++j;
    if (j - i >= 6) {
      out += '*';
      any = true;
    } else {
      out += tools::literal_pattern(name.substr(i, j - i));
    }
    if (j < name.size()) out += tools::literal_pattern(name.substr(j, 1));
    i = j + 1;
  }
  if (!any) return std::nullopt;
  return out;
}

// A path the run made and removed again, or one below such a directory, as a pattern that
// the same run's next temporary names match: (the pattern as written, with $HOME; the same
// pattern on the real path, for the checks). nullopt if no component is temporary, or if the
// pattern could match a protected path (then the name stays exact).
std::optional<std::pair<std::string, std::string>> temporary_form(
    const std::string& path, const std::set<std::string>& temporary, const std::string& home) {
  std::string real, written;
  const bool in_home = !home.empty() && home != "/" && under(path, home);
  size_t start = 1;
  if (in_home) {
    real = tools::literal_pattern(home);
    written = "$HOME";
    start = home.size() + 1;
  }
  bool any = false;
  for (size_t i = start; i <= path.size() && start <= path.size();) {
    size_t end = path.find('/', i);
    if (end == std::string::npos) end = path.size();
    const std::string prefix = path.substr(0, end);
    const std::string_view name = std::string_view(path).substr(i, end - i);
    std::optional<std::string> form;
    if (temporary.count(prefix)) form = temporary_name_form(name);
    const std::string part = form ? *form : tools::literal_pattern(name);
    any = any || form.has_value();
    real += "/" + part;
    written += "/" + part;
    i = end + 1;
    if (end == path.size()) break;
  }
  if (!any) return std::nullopt;
  // Never a pattern over a protected path, another home or another process's /proc/PID.
  for (const auto& p : protected_list(home))
    if (fnmatch(real.c_str(), p.path.c_str(), FNM_PATHNAME) == 0) return std::nullopt;
  for (std::string_view top : {"/home/", "/proc/"}) {
    if (real.starts_with(top)) {
      const std::string_view second = std::string_view(real).substr(top.size());
      if (second.substr(0, second.find('/')).find_first_of("*?[") != std::string_view::npos)
        return std::nullopt;
    }
  }
  return std::make_pair(written, real);
}

std::string list_of(const enforcer::Record& r, bool& unknown_open) {
  const std::string* sc = r.get("syscall");
  if (!sc) return "";
  auto nr = syscall_number(*sc);
  if (!nr) return "";
  std::optional<int> flags;
  const bool open_family = *sc == "open" || *sc == "openat" || *sc == "openat2";
  if (open_family) {
    const std::string* f = r.get("oflags");
    if (!f) {
      unknown_open = true;
      return "read";
    }
    const bool writes = f->find("O_WRONLY") != std::string::npos ||
                        f->find("O_RDWR") != std::string::npos ||
                        f->find("O_CREAT") != std::string::npos ||
                        f->find("O_TRUNC") != std::string::npos;
    return writes ? "write" : "read";
  }
  const Access a = access_of(*nr, flags);
  if (a == Access::none) return "";
  return std::string(access_name(a));
}

const CommandPolicy* entry_policy(const Plan& plan, std::string_view entry) {
  if (entry == "(login)") return &plan.login();
  for (const auto& c : plan.commands())
    if (c->origin() == entry) return c.get();
  return nullptr;
}

Call call_of(const enforcer::Record& r) {
  Call c;
  if (const std::string* s = r.get("syscall")) c.syscall = syscall_number(*s).value_or(-1);
  if (const std::string* p = r.get("path")) c.filename = *p;
  if (const std::string* p = r.get("path1")) c.filename1 = *p;
  if (const std::string* a = r.get("sockaddr")) c.sockaddr = *a;
  if (const std::string* a = r.get("argv")) {
    std::istringstream in(*a);
    for (std::string w; in >> w;) c.argv.push_back(w);
  }
  return c;
}

// "inet:1.2.3.4:80" or "inet6:[2001:db8::1]:443": one host, one port, nothing else.
bool exact_inet(std::string_view a) {
  std::string_view host, port;
  if (a.starts_with("inet:")) {
    const size_t colon = a.rfind(':');
    host = a.substr(5, colon - 5);
    port = a.substr(colon + 1);
    if (host.empty() || host.find_first_not_of("0123456789.") != std::string_view::npos ||
        std::count(host.begin(), host.end(), '.') != 3)
      return false;
  } else if (a.starts_with("inet6:[")) {
    const size_t close = a.find("]:");
    if (close == std::string_view::npos) return false;
    host = a.substr(7, close - 7);
    port = a.substr(close + 2);
    if (host.empty() || host.find_first_not_of("0123456789abcdefABCDEF:.") != std::string_view::npos)
      return false;
  } else {
    return false;
  }
  return !port.empty() && port.size() <= 5 && port.find_first_not_of("0123456789") == std::string_view::npos;
}

// One list's entries, generalised: (pattern as written, comment).
// `temporary`: the paths the run made and removed again (their names differ from run to run);
// `trees`: whether paths may become DIR/** (not for exec: each program stays one entry).
std::vector<std::pair<std::string, std::string>> generalise(
    const std::map<std::string, Seen>& paths, const std::string& home, bool addresses,
    const std::set<std::string>& temporary, bool trees, std::vector<std::string>& notes) {
  std::vector<std::pair<std::string, std::string>> out;
  if (addresses) {
    for (const auto& [a, s] : paths) {
      // Only the exact forms stsh writes: a forged record's "inet:*:*" must not become a grant.
      std::string pattern;
      if (a.starts_with("unix:/") && tools::canonical_absolute(a.substr(5))) {
        pattern = "unix:" + tools::literal_pattern(a.substr(5));
      } else if (a.starts_with("unix:@") && a.size() > 6) {
        pattern = "unix:@" + tools::literal_pattern(a.substr(6));
      } else if (exact_inet(a)) {
        pattern = a;
      } else {
        notes.push_back("not added: " + escape_value(a) + " is not an exact address");
        continue;
      }
      out.push_back({pattern, "seen for " + seen_text(s)});
    }
    return out;
  }
  std::map<std::string, Seen> left;
  for (const auto& [p, s] : paths) {
    if (!tools::canonical_absolute(p)) {
      notes.push_back("not added: " + escape_value(p) + " is not a canonical absolute path");
      continue;
    }
    if (std::string why = protected_reason(p, home); !why.empty()) {
      notes.push_back("not added: " + escape_value(display(p, home)) + " (" + why + "; seen for " +
                      seen_text(s) + "): add it yourself if this is intended");
      continue;
    }
    left.emplace(p, s);
  }
  // Temporary names become one pattern each (a compiler's /tmp/ccXXXXXX.s, mktemp's
  // tmp.XXXXXXXXXX): the next run's names are other ones, and an exact entry would deny them.
  struct Temporary {
    std::string real;  // the pattern on real paths, for the tree coverage below
    std::set<std::string> names;
    Seen seen;
  };
  std::map<std::string, Temporary> temps;  // by the pattern as written
  for (auto it = left.begin(); it != left.end();) {
    auto form = temporary_form(it->first, temporary, home);
    if (!form) {
      ++it;
      continue;
    }
    Temporary& t = temps[form->first];
    t.real = form->second;
    t.names.insert(it->first);
    for (const auto& [w, n] : it->second.by) t.seen.by[w] += n;
    t.seen.total += it->second.total;
    t.seen.open_unknown = t.seen.open_unknown || it->second.open_unknown;
    it = left.erase(it);
  }
  // Directories, deepest first, that hold kGeneralise distinct paths or more.
  std::map<std::string, std::set<std::string>> below;
  for (const auto& [p, s] : left) {
    for (std::string d = parent(p); depth(d) >= kMinDepth && d != "/"; d = parent(d)) below[d].insert(p);
  }
  // A directory qualifies if its paths spread over two or more of its entries: seven files in
  // $HOME/.cache/app make $HOME/.cache/app/**, not $HOME/.cache/**.
  auto spread = [](const std::string& d, const std::set<std::string>& ps) {
    std::set<std::string> children;
    for (const auto& p : ps) {
      const size_t start = d == "/" ? 1 : d.size() + 1;
      children.insert(p.substr(start, p.find('/', start) - start));
    }
    return children.size() >= 2;
  };
  std::vector<std::string> dirs;
  for (const auto& [d, ps] : below)
    if (trees && ps.size() >= kGeneralise && spread(d, ps)) dirs.push_back(d);
  // Shallowest qualifying directory that is safe wins: it covers its deeper ones.
  std::sort(dirs.begin(), dirs.end(), [](const auto& a, const auto& b) {
    return depth(a) != depth(b) ? depth(a) < depth(b) : a < b;
  });
  std::set<std::string> covered;
  for (const std::string& d : dirs) {
    bool inside = false;
    for (const auto& c : covered) inside = inside || under(d, c);
    if (inside) continue;
    if (std::string why = holds_protected(d, home); !why.empty()) {
      notes.push_back(std::to_string(below[d].size()) + " paths under " + escape_value(display(d, home)) +
                      ": not widened to " + escape_value(display(d, home) + "/**") + " (" + why + ")");
      continue;
    }
    covered.insert(d);
    Seen all;
    for (const auto& p : below[d]) {
      for (const auto& [w, n] : left[p].by) all.by[w] += n;
    }
    out.push_back({draft_path(d, home, "/**"),
                   std::to_string(below[d].size()) + " paths under " + display(d, home) + " -> " +
                       display(d, home) + "/** (seen for " + seen_text(all) + ")"});
  }
  for (const auto& [p, s] : left) {
    bool inside = false;
    for (const auto& c : covered) inside = inside || under(p, c);
    if (!inside) out.push_back({draft_path(p, home, ""), "seen for " + seen_text(s)});
  }
  for (const auto& [written, t] : temps) {
    bool inside = false;
    for (const auto& c : covered) inside = inside || under(t.real, tools::literal_pattern(c));
    if (inside) continue;
    out.push_back({written, std::to_string(t.names.size()) + " temporary " +
                                (t.names.size() == 1 ? "name" : "names") +
                                " (made and removed by the run; other names next time) -> " +
                                printable(written) + " (seen for " + seen_text(t.seen) + ")"});
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

LearnResult learn_draft(const LearnInput& in) {
  LearnResult res;
  std::map<std::string, DraftSection> sections;  // by key ("" = defaults)
  unsigned used = 0, enforce_denials = 0, already = 0, by_rules = 0;
  std::vector<std::string> header_notes;
  auto home_of = [&](const std::string& user) {
    for (const auto& [u, h] : in.homes)
      if (u == user) return h;
    return std::string();
  };
  // Repeats the rate limit held back, by (exe, syscall, path, action).
  std::map<std::tuple<std::string, std::string, std::string>, unsigned> repeats;
  for (const InputRecord& ir : in.records->records) {
    const auto& r = ir.record;
    if (r.type != "suppressed") continue;
    const std::string* c = r.get("count");
    unsigned long n = 0;
    try {
      n = c ? std::stoul(*c) : 0;
    } catch (...) {
    }
    auto key = std::make_tuple(r.get("exe") ? *r.get("exe") : "", r.get("syscall") ? *r.get("syscall") : "",
                               r.get("path") ? *r.get("path") : (r.get("sockaddr") ? *r.get("sockaddr") : ""));
    repeats[key] += static_cast<unsigned>(std::min<unsigned long>(n, 1u << 30));
  }
  // What the run made (an open with O_CREAT, mkdir, the new name of a rename or link) and
  // removed again (unlink, rmdir, the old name of a rename): temporary names.
  std::set<std::string> made, removed, temporary;
  for (const InputRecord& ir : in.records->records) {
    const auto& r = ir.record;
    const std::string* sc = r.get("syscall");
    const std::string* p = r.get("path");
    const std::string* p1 = r.get("path1");
    if (r.type != "violation" || !sc || !p) continue;
    const std::string* f = r.get("oflags");
    if ((sc->starts_with("open") && f && f->find("O_CREAT") != std::string::npos) ||
        sc->starts_with("mkdir"))
      made.insert(*p);
    if (sc->starts_with("unlink") || *sc == "rmdir" || sc->starts_with("rename")) removed.insert(*p);
    if (p1 && (sc->starts_with("rename") || sc->starts_with("link"))) made.insert(*p1);
  }
  std::set_intersection(made.begin(), made.end(), removed.begin(), removed.end(),
                        std::inserter(temporary, temporary.end()));
  for (const InputRecord& ir : in.records->records) {
    const auto& r = ir.record;
    if (r.type != "violation") continue;
    const std::string action = r.get("action") ? *r.get("action") : "";
    if (!action.starts_with("audit-")) {
      ++enforce_denials;
      continue;
    }
    const std::string entry = r.get("entry") ? *r.get("entry") : "";
    const std::string exe = r.get("exe") ? *r.get("exe") : "";
    const std::string rule = r.get("rule") ? *r.get("rule") : "";
    const std::string syscall = r.get("syscall") ? *r.get("syscall") : "";
    const std::string user = r.get("user") ? *r.get("user") : "";
    // Where the record's process ran: the base's entry, else the program itself.
    std::string key;
    bool extend = false;
    const CommandPolicy* policy = nullptr;
    if (in.base) policy = entry_policy(*in.base, entry);
    if (entry == "(login)") {
      key = "";
    } else if (policy) {
      key = policy->key();
      extend = in.extend_base;
    } else {
      key = exe;
    }
    DraftSection& sec = sections[key];
    sec.key = key;
    sec.extend = sec.extend || extend;
    sec.home = home_of(user);
    if (rule == "kernel tier (never permitted)") {
      sec.notes.push_back("not added: " + escape_value(syscall) + " by " + escape_value(exe) +
                          ": stsh never permits it");
      continue;
    }
    if (rule != "default") {
      ++by_rules;
      sec.notes.push_back("not added: " + escape_value(syscall) + " " +
                          escape_value(r.get("path") ? *r.get("path") : (r.get("sockaddr") ? *r.get("sockaddr") : "")) +
                          " by " + escape_value(exe) + " was denied by the rule at " +
                          escape_value(rule) + ": change that rule if it is wanted");
      continue;
    }
    if (in.base && policy && in.base->decide(*policy, call_of(r)).permitted()) {
      ++already;
      continue;
    }
    bool unknown_open = false;
    std::string list = list_of(r, unknown_open);
    if (entry == "(login)" && list == "exec") {
      // The login starting a program: the program becomes a command.
      if (const std::string* p = r.get("path")) {
        sections[*p].key = *p;
        sections[*p].home = home_of(user);
      }
      ++used;
      continue;
    }
    if (list.empty()) continue;
    const unsigned extra = repeats[std::make_tuple(exe, syscall, r.get("path") ? *r.get("path") : (r.get("sockaddr") ? *r.get("sockaddr") : ""))];
    auto add = [&](const std::string& l, const std::string& target) {
      Seen& s = sec.lists[l][target];
      s.by[exe + ": " + syscall] += 1 + extra;
      s.total += 1 + extra;
      s.open_unknown = s.open_unknown || unknown_open;
    };
    ++used;
    if (list == "connect" || list == "bind") {
      if (const std::string* a = r.get("sockaddr")) add(list, *a);
      continue;
    }
    if (const std::string* p = r.get("path")) add(list, *p);
    if (const std::string* p1 = r.get("path1"); p1 && syscall_number(syscall) &&
                                              second_path_is_written(*syscall_number(syscall)))
      add("write", *p1);
  }

  std::ostringstream y;
  y << "# DRAFT policy written by stsh-policy learn from " << printable(in.source) << ".\n"
    << "# It is not installed anywhere: review every entry, then install it yourself.\n"
    << "# " << used << " audit records used";
  if (already) y << ", " << already << " already permitted by the base";
  if (by_rules) y << ", " << by_rules << " denied by rules (listed, not added)";
  if (enforce_denials) y << "; " << enforce_denials << " enforce-mode denials ignored (learn uses audit records)";
  y << ".\n";
  if (!in.base || !in.extend_base)
    y << "# Without --policy, entries are keyed by the program that made each call.\n";
  y << "# Paths seen " << kGeneralise << " times or more under one directory are generalised to DIR/**;\n"
    << "# protected trees (/etc/shadow, /etc/ssh, /root, other homes, ~/.ssh, /proc/PID) never are.\n";
  y << "# Check it: stsh-policy check --policy DRAFT";
  if (!in.policy_dir.empty()) y << " --policy-dir " << printable(in.policy_dir);
  y << "\n";
  bool any_unknown_open = false;
  for (const auto& [k, s] : sections)
    for (const auto& [l, m] : s.lists)
      for (const auto& [p, seen] : m) any_unknown_open = any_unknown_open || seen.open_unknown;
  if (any_unknown_open)
    y << "# Records without oflags= do not say whether a file was opened for reading or writing:\n"
      << "# such opens are listed under read, marked 'opened (flags unknown)'; move them to write\n"
      << "# if the command writes them.\n";
  if (in.base && in.extend_base && !in.base_include.empty()) {
    auto q = tools::yaml_quoted(in.base_include);
    y << "include: [" << (q ? *q : "\"\"") << "]\n";
  }
  auto emit_section = [&](const DraftSection& s, const std::string& indent) {
    static const char* kLists[] = {"read", "write", "exec", "connect", "bind"};
    for (const char* l : kLists) {
      auto it = s.lists.find(l);
      if (it == s.lists.end()) continue;
      std::vector<std::string> notes;
      const bool addresses = std::string(l) == "connect" || std::string(l) == "bind";
      auto entries = generalise(it->second, s.home, addresses, temporary,
                                /* trees= */ std::string(l) != "exec", notes);
      for (const auto& n : notes) y << indent << "# " << printable(n) << "\n";
      if (entries.empty()) continue;
      y << indent << l << ":\n";
      for (const auto& [pattern, why] : entries) {
        auto q = tools::yaml_quoted(pattern);
        bool valid = q.has_value();
        if (valid && std::string(l) != "connect" && std::string(l) != "bind") {
          std::string probe = pattern;
          if (probe.starts_with("$HOME")) probe = "/home/u" + probe.substr(5);
          valid = !validate_glob(probe).has_value();
        }
        if (!valid) {
          y << indent << "  # not added: " << printable(escape_value(pattern))
            << " cannot be written in a policy (not UTF-8, or not a valid pattern)\n";
          continue;
        }
        bool unknown = false;
        for (const auto& [p, seen] : it->second) unknown = unknown || (seen.open_unknown && draft_path(p, s.home, "") == pattern);
        y << indent << "  # " << printable(why) << (unknown ? "; opened (flags unknown)" : "") << "\n"
          << indent << "  - " << *q << "\n";
        ++res.entries;
      }
    }
    for (const auto& n : sorted_notes(s)) y << indent << "# " << printable(n) << "\n";
  };
  if (sections.count("")) {
    y << "defaults:\n";
    emit_section(sections[""], "  ");
  }
  bool commands = false;
  // By key, not by the order records came in: concurrent processes' records interleave
  // differently from run to run, and the same run must give the same draft.
  for (const auto& [k, s] : sections) {
    if (k.empty()) continue;
    auto q = tools::yaml_quoted(tools::literal_pattern(k));
    if (!q || !tools::canonical_absolute(k)) {
      y << "# not added: the program " << printable(escape_value(k)) << " cannot be a command key\n";
      continue;
    }
    if (!commands) y << "commands:\n";
    commands = true;
    y << "  " << *q << ":";
    if (s.lists.empty() && !s.extend) {
      y << " {}\n";
      for (const auto& n : sorted_notes(s)) y << "    # " << printable(n) << "\n";
      continue;
    }
    y << "\n";
    if (s.extend) y << "    extend: true   # adds to the base's entry\n";
    emit_section(s, "    ");
  }
  if (!sections.count("") && !commands) y << "session:\n  mode: enforce   # nothing to add\n";
  res.yaml = y.str();
  return res;
}

}  // namespace stsh::policy

// ---------------------------------------------------------------------------------------------
// stsh-policy learn

#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "policy/compiler.h"
#include "policy/tool_commands.h"
#include "policy/user.h"
#include "stsh_config.h"

namespace stsh::policy {
namespace {

constexpr const char* kLearnUsage =
    "usage: stsh-policy learn --from-log FILE [--policy BASE] [--policy-dir DIR] [-o OUT]\n"
    "       stsh-policy learn [--policy BASE] [--policy-dir DIR] [-o OUT] -- CMD [ARG...]\n";

std::string read_file(const std::string& path, bool& ok) {
  std::ifstream in(path, std::ios::binary);
  ok = static_cast<bool>(in);
  std::ostringstream s;
  if (ok) s << in.rdbuf();
  return s.str();
}

std::string real(const std::string& p) {
  char buf[PATH_MAX];
  return realpath(p.c_str(), buf) ? std::string(buf) : p;
}

// stsh-run next to this program (installed side by side, or in the build tree), else PATH.
std::string find_stsh_run(const std::string& self) {
  const std::string me = real("/proc/self/exe");
  const std::string dir = me.substr(0, me.rfind('/'));
  for (const std::string& c : {dir + "/stsh-run", dir + "/../enforcer/stsh-run"}) {
    if (access(c.c_str(), X_OK) == 0) return c;
  }
  (void)self;
  return "stsh-run";
}

std::optional<std::string> in_path(const std::string& cmd) {
  if (cmd.find('/') != std::string::npos) return real(cmd);
  const char* path = getenv("PATH");
  std::string p = path ? path : "/usr/bin:/bin";
  for (size_t i = 0; i <= p.size();) {
    size_t end = p.find(':', i);
    if (end == std::string::npos) end = p.size();
    const std::string c = (end > i ? p.substr(i, end - i) : ".") + "/" + cmd;
    if (access(c.c_str(), X_OK) == 0) return real(c);
    i = end + 1;
  }
  return std::nullopt;
}

}  // namespace

int learn_command(const std::vector<std::string>& args, const std::string& self) {
  std::string from_log, base_file, policy_dir, out_path;
  std::vector<std::string> command;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= args.size()) return false;
      out = args[++i];
      return true;
    };
    if (a == "--") {
      command.assign(args.begin() + static_cast<long>(i) + 1, args.end());
      break;
    } else if (a == "--from-log") {
      if (!value(from_log)) return std::cerr << "stsh-policy: --from-log needs a FILE\n" << kLearnUsage, 2;
    } else if (a == "--policy") {
      if (!value(base_file)) return std::cerr << "stsh-policy: --policy needs a FILE\n" << kLearnUsage, 2;
    } else if (a == "--policy-dir") {
      if (!value(policy_dir)) return std::cerr << "stsh-policy: --policy-dir needs a DIR\n" << kLearnUsage, 2;
    } else if (a == "-o" || a == "--output") {
      if (!value(out_path)) return std::cerr << "stsh-policy: -o needs a FILE\n" << kLearnUsage, 2;
    } else if (a == "-h" || a == "--help") {
      std::cout << kLearnUsage;
      return 0;
    } else {
      std::cerr << "stsh-policy: unexpected '" << a << "' (the command goes after --)\n" << kLearnUsage;
      return 2;
    }
  }
  if (from_log.empty() == command.empty()) {
    std::cerr << "stsh-policy: learn needs --from-log FILE or -- CMD (one of them)\n" << kLearnUsage;
    return 2;
  }
  auto me = lookup_user(getuid());
  if (!me) {
    std::cerr << "stsh-policy: " << me.error().to_string() << "\n";
    return 2;
  }
  LearnInput in;
  if (!base_file.empty()) {
    std::cerr << "note: --policy: the file's owner may be root or you; a login requires root\n";
    PlanRequest req{policy_dir, base_file, Trust::explicit_file};
    auto plan = load_plan(req, *me);
    if (!plan) {
      std::cerr << plan.error().to_string() << "\n";
      return 2;
    }
    in.base = *plan;
    in.extend_base = true;
    const std::string b = real(base_file);
    std::string dir = policy_dir.empty() ? "" : real(policy_dir);
    if (dir.empty()) {
      const std::string conf = real(STSH_POLICY_DIR);
      dir = b.starts_with(conf + "/") ? conf : b.substr(0, b.rfind('/'));
    }
    in.policy_dir = dir;
    in.base_include = b.starts_with(dir + "/") ? b.substr(dir.size() + 1) : b;
  }
  std::string data, tmpdir;
  if (!from_log.empty()) {
    bool ok = false;
    data = from_log == "-" ? std::string(std::istreambuf_iterator<char>(std::cin), {}) : read_file(from_log, ok);
    if (from_log != "-" && !ok) {
      std::cerr << from_log << ": cannot open: " << std::strerror(errno) << "\n";
      return 2;
    }
    in.source = "the records in " + from_log;
  } else {
    auto program = in_path(command[0]);
    if (!program) {
      std::cerr << "stsh-policy: " << command[0] << ": command not found\n";
      return 2;
    }
    char tmpl[] = "/tmp/stsh-learn.XXXXXX";
    if (mkdtemp(tmpl) == nullptr) {
      std::cerr << "stsh-policy: mkdtemp: " << std::strerror(errno) << "\n";
      return 2;
    }
    tmpdir = tmpl;
    std::string policy = base_file;
    if (policy.empty()) {
      // Permits starting CMD and nothing else: audit mode records everything it does.
      policy = tmpdir + "/learn.yaml";
      auto key = tools::yaml_quoted(tools::literal_pattern(*program));
      std::ofstream p(policy);
      p << "# stsh-policy learn: " << printable(*program) << " and nothing else\ncommands:\n  "
        << (key ? *key : "\"/\"") << ": {}\n";
      p.close();
      chmod(policy.c_str(), 0600);
      PlanRequest req{"", policy, Trust::explicit_file};
      auto plan = load_plan(req, *me);
      if (!plan) {
        std::cerr << "stsh-policy: " << plan.error().to_string() << "\n";
        std::filesystem::remove_all(tmpdir);
        return 2;
      }
      in.base = *plan;
    }
    const std::string records = tmpdir + "/records";
    std::vector<std::string> argv = {find_stsh_run(self), "--policy", policy};
    if (!policy_dir.empty()) argv.insert(argv.end(), {"--policy-dir", policy_dir});
    argv.insert(argv.end(), {"--mode", "audit", "--records", records, "--"});
    argv.insert(argv.end(), command.begin(), command.end());
    std::string shown;
    for (const auto& w : command) shown += (shown.empty() ? "" : " ") + w;
    in.source = "a run of " + shown;
    std::cerr << "stsh-policy: running " << printable(shown)
              << " under stsh-run --mode audit (its standard output goes to standard error)\n";
    const pid_t pid = fork();
    if (pid == 0) {
      dup2(STDERR_FILENO, STDOUT_FILENO);
      std::vector<char*> cargv;
      for (auto& w : argv) cargv.push_back(w.data());
      cargv.push_back(nullptr);
      execvp(cargv[0], cargv.data());
      std::fprintf(stderr, "stsh-policy: cannot run %s: %s\n", cargv[0], std::strerror(errno));
      _exit(127);
    }
    int status = 0;
    while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    std::cerr << "stsh-policy: " << printable(shown) << " exited with status "
              << (WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)) << "\n";
    bool ok = false;
    data = read_file(records, ok);
    std::filesystem::remove_all(tmpdir);
  }
  const RecordInput records = read_records(data, {});
  in.records = &records;
  std::set<std::string> users;
  for (const auto& r : records.records)
    if (const std::string* u = r.record.get("user")) users.insert(*u);
  for (const auto& u : users)
    if (const passwd* pw = getpwnam(u.c_str())) in.homes.push_back({u, pw->pw_dir});
  if (records.garbage > 0)
    std::cerr << "stsh-policy: " << records.garbage << " unreadable stsh lines skipped\n";
  const LearnResult r = learn_draft(in);
  if (out_path.empty()) {
    std::cout << r.yaml;
  } else {
    std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
    out << r.yaml;
    if (!out.flush()) {
      std::cerr << out_path << ": cannot write: " << std::strerror(errno) << "\n";
      return 2;
    }
  }
  std::cerr << "stsh-policy: draft with " << r.entries << " list entries from "
            << records.records.size() << " records\n";
  return 0;
}

}  // namespace stsh::policy
