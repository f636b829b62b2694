#include "policy/lint.h"

#include <fcntl.h>

#include <algorithm>
#include <set>
#include <span>

#include "policy/explain.h"
#include "policy/syscalls.h"

namespace stsh::policy {
namespace {

// How many sample paths are taken from one entry's lists and rules; pairs are tried among them.
constexpr size_t kMaxSamples = 48;

// The calls the fallbacks make, as seen with strace -f on Debian 12 (coreutils 9.1, vim 9.0):
//   mv A B across file systems: renameat2(A, B) -> EXDEV; openat(A, O_RDONLY|O_NOFOLLOW);
//     openat(B, O_WRONLY|O_CREAT|O_EXCL); utimensat(fd of B); fsetxattr(B,
//     system.posix_acl_access) for the mode; fchown(B) when the group differs; unlinkat(A).
//     A directory: mkdirat(B), utimensat(B), fchownat(B), setxattr(B), unlinkat(A,
//     AT_REMOVEDIR) after each member.
//   cp -p A B, install -m M A B: the same create, then utimensat / fchown / fsetxattr /
//     fchmodat on B.
//   sed -i F: openat(dir/sedXXXXXX, O_RDWR|O_CREAT|O_EXCL), fchown, fsetxattr,
//     rename(dir/sedXXXXXX, F). vim :w F: openat(dir/4913, O_CREAT|O_EXCL) then unlink (a
//     probe that it may create files there), rename(F, F~), openat(F, O_CREAT), fchmod,
//     setxattr; swap files dir/.F.swp.
struct Probe {
  const char* what;
  const char* syscall;
  int oflags;  // -1: none
  bool on_source;
};
constexpr Probe kMoveFallback[] = {
    {"read the source", "openat", O_RDONLY | O_NOFOLLOW, true},
    {"create the target", "openat", O_WRONLY | O_CREAT | O_EXCL, false},
    {"set the target's times", "utimensat", -1, false},
    {"copy the mode and ACL to the target", "fsetxattr", -1, false},
    {"set the target's group", "fchown", -1, false},
    {"unlink the source", "unlinkat", -1, true},
    {"make the target directory (moving a directory)", "mkdirat", -1, false},
};
constexpr Probe kPreserve[] = {
    {"set its times", "utimensat", -1, false},
    {"set its owner and group", "fchown", -1, false},
    {"set its mode (fchmod / the ACL)", "fsetxattr", -1, false},
};

bool skip_sample(std::string_view p) {
  return p.rfind("/dev/", 0) == 0 || p.rfind("/proc/", 0) == 0 || p.rfind("/sys/", 0) == 0 ||
         p == "/";
}

// A path a glob admits: "**" -> "stsh-lint/f", "*" and "?" -> "f". Character classes are not
// sampled.
std::optional<std::string> sample_of(std::string_view pattern) {
  if (pattern.find_first_of("[\\") != std::string_view::npos || pattern.empty() ||
      pattern[0] != '/')
    return std::nullopt;
  std::string out;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern.compare(i, 2, "**") == 0) {
      out += "stsh-lint/f";
      ++i;
    } else if (pattern[i] == '*' || pattern[i] == '?') {
      out += 'f';
    } else {
      out += pattern[i];
    }
  }
  return out;
}

bool is_glob(std::string_view p) {
  return p.find_first_of("*?[") != std::string_view::npos;
}

void samples_of_expr(const Expr& e, std::vector<std::string>& out) {
  if (e.kind == Expr::Kind::Pred) {
    const Predicate& p = e.pred;
    if (p.operand != Operand::filename) return;
    if (p.op == Op::eq) out.push_back(p.value);
    if (p.op == Op::inpath) out.push_back(p.value + "/stsh-lint");
    if (p.op == Op::match) {
      if (auto s = sample_of(p.value)) out.push_back(*s);
    }
    return;
  }
  if (e.kind == Expr::Kind::Not) return;  // what a negation admits is not sampled
  for (const auto& c : e.children) samples_of_expr(c, out);
}

bool permits_rename(const CompiledRule& r) {
  if (r.action.verdict != Verdict::permit) return false;
  return std::any_of(r.members.begin(), r.members.end(), [](const AliasMember& m) {
    return m.nr == *syscall_number("rename") || m.nr == *syscall_number("renameat") ||
           m.nr == *syscall_number("renameat2");
  });
}

struct Samples {
  std::vector<std::string> paths;  // where the command may write or rename
  std::vector<std::string> exact;  // single files it may write (not globs)
};

Samples samples_for(const CommandPolicy& c) {
  Samples s;
  std::set<std::string> seen;
  auto add = [&](const std::string& p, bool exact) {
    if (skip_sample(p) || s.paths.size() >= kMaxSamples || !seen.insert(p).second) return;
    s.paths.push_back(p);
    if (exact) s.exact.push_back(p);
  };
  for (const auto& e : c.write().entries()) {
    if (auto p = sample_of(e.text)) add(*p, !is_glob(e.text));
  }
  for (const RuleSet* rs : {&c.own_rules(), &c.default_rules()}) {
    for (const auto& r : rs->rules()) {
      if (r.action.verdict != Verdict::permit) continue;
      const bool writes = std::any_of(r.members.begin(), r.members.end(), [](const AliasMember& m) {
        return m.access == Access::write;
      });
      if (!writes) continue;
      std::vector<std::string> found;
      samples_of_expr(r.expr.expr(), found);
      for (const auto& p : found) add(p, permits_rename(r) ? false : !is_glob(p));
    }
  }
  return s;
}

Call make_call(const char* syscall, const std::string& path, int oflags) {
  Call c;
  c.syscall = *syscall_number(syscall);
  c.filename = path;
  if (oflags >= 0) c.oflags = oflags;
  return c;
}

std::string dir_of(const std::string& p) {
  const size_t slash = p.rfind('/');
  return slash == 0 ? "/" : p.substr(0, slash);
}

std::string entry_name(const CommandPolicy& c) {
  return c.key();
}

// Which programs make which fallback: only these are warned about, so a policy that denies
// fchown to, say, cat is not noise. Matched on the key's last component; a glob key
// ("/usr/bin/*") matches every prefix.
bool is_program(const CommandPolicy& c, std::span<const std::string_view> names) {
  const std::string& key = c.key();
  const std::string_view base = std::string_view(key).substr(key.rfind('/') + 1);
  if (base.find_first_of("*?[") != std::string_view::npos) return true;
  for (auto n : names) {
    if (base.substr(0, n.size()) == n) return true;
  }
  return false;
}
// mv, and the interpreters whose move functions copy on EXDEV (shutil.move, File::Copy::move,
// PHP's rename(), Node's fs.rename callers such as npm's move-file).
constexpr std::string_view kMovers[] = {"mv", "python", "perl", "php", "node"};
constexpr std::string_view kPreservers[] = {"cp",   "install", "tar", "rsync",      "mv",
                                            "cpio", "unzip",   "scp", "sftp-server"};
constexpr std::string_view kReplacers[] = {"vim", "vi",   "nano",   "sed", "emacs",
                                           "ed",  "perl", "mcedit", "joe"};

// Each probe that `plan` denies, as "what (syscall PATH, denied by RULE)".
std::vector<std::string> denied_probes(const Plan& plan, const CommandPolicy& c,
                                       std::span<const Probe> probes, const std::string& source,
                                       const std::string& target) {
  std::vector<std::string> out;
  for (const auto& p : probes) {
    const std::string& path = p.on_source ? source : target;
    const Decision d = plan.decide(c, make_call(p.syscall, path, p.oflags));
    if (d.permitted()) continue;
    out.push_back(std::string(p.what) + " (" + p.syscall + " " + path + ": " + describe(d) +
                  " by " + std::string(d.rule) + ")");
  }
  return out;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? "; " : "") + v[i];
  return s;
}

void lint_command(const Plan& plan, const CommandPolicy& c, std::vector<std::string>& out) {
  // Most entries are none of these programs: a set of 100,000 commands is not sampled 100,000
  // times.
  if (!is_program(c, kMovers) && !is_program(c, kPreservers) && !is_program(c, kReplacers)) return;
  const Samples s = samples_for(c);
  const std::string at = std::string(c.origin()) + ": warning: " + entry_name(c) + ": ";
  // 1. mv between file systems.
  bool moved = !is_program(c, kMovers);
  for (size_t i = 0; i < s.paths.size() && !moved; ++i) {
    for (size_t j = 0; j < s.paths.size() && !moved; ++j) {
      const std::string& from = s.paths[i];
      const std::string to = i == j ? s.paths[j] + ".new" : s.paths[j];
      Call rename;
      rename.syscall = *syscall_number("renameat2");
      rename.filename = from;
      rename.filename1 = to;
      const Decision r = plan.decide(c, rename);
      if (!r.permitted()) continue;
      const auto missing = denied_probes(plan, c, kMoveFallback, from, to);
      if (missing.empty()) continue;
      moved = true;
      out.push_back(at + "may rename " + from + " to " + to + " (" + std::string(r.rule) +
                    "), but between two file systems rename fails with EXDEV and mv copies "
                    "and unlinks instead, which needs what is denied here: " +
                    joined(missing) + ". mv works on one file system and fails across two");
    }
  }
  // 2. cp -p, install, tar x, rsync -a: create a file, then set its times, owner and mode.
  for (const auto& p : s.paths) {
    if (!is_program(c, kPreservers)) break;
    const Decision create = plan.decide(c, make_call("openat", p, O_WRONLY | O_CREAT | O_EXCL));
    if (!create.permitted()) continue;
    const auto missing = denied_probes(plan, c, kPreserve, p, p);
    if (missing.empty()) continue;
    out.push_back(at + "may create " + p + " (" + std::string(create.rule) +
                  "), but cp -p, install, tar x and rsync -a then set the new file's metadata, "
                  "which is denied: " +
                  joined(missing) +
                  ". Under a denial other than EPERM cp reports an error for every file");
    break;
  }
  // 3. Editors and sed -i replace a file through a new one in the same directory.
  for (const auto& f : s.exact) {
    if (!is_program(c, kReplacers)) break;
    const Decision w = plan.decide(c, make_call("openat", f, O_WRONLY | O_TRUNC));
    if (!w.permitted()) continue;
    const std::string probe = dir_of(f) + "/4913";
    const Decision d = plan.decide(c, make_call("openat", probe, O_WRONLY | O_CREAT | O_EXCL));
    if (d.permitted()) continue;
    out.push_back(at + "may write " + f + " (" + std::string(w.rule) +
                  ") but not create files next to it (openat " + probe + ": " + describe(d) +
                  " by " + std::string(d.rule) +
                  "): vim's :w (its 4913 probe, F~ and .F.swp), "
                  "sed -i and most editors write a temporary file in the same directory and "
                  "rename it over F, and fail here");
    break;
  }
}

}  // namespace

std::vector<std::string> lint_plan(const Plan& plan) {
  std::vector<std::string> out;
  for (const auto& c : plan.commands()) lint_command(plan, *c, out);
  return out;
}

}  // namespace stsh::policy
