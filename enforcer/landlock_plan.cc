#include "enforcer/landlock_plan.h"

#include <elf.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/vfs.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <map>
#include <unordered_map>
#include <optional>
#include <set>
#include <utility>

#include "enforcer/unique_fd.h"
#include "policy/address.h"
#include "policy/entry_checks.h"
#include "policy/rule_ast.h"
#include "policy/syscalls.h"

namespace stsh::enforcer {
namespace {

using policy::Access;
using policy::AliasMember;
using policy::CommandPolicy;
using policy::CompactList;
using policy::Expr;
using policy::Op;
using policy::Operand;
using policy::Predicate;
using policy::RuleSet;

// Creating, removing and renaming entries of a directory: what a write to a file needs from the
// directory that holds it.
constexpr LandlockFsRights kFsTree = kFsWrite & ~kFsFileRights;
// What execve() needs on an interpreter it opens for the program (ELF PT_INTERP, or #!).
constexpr LandlockFsRights kFsInterpreter = kFsExecute | kFsReadFile;
// The x86_64 psABI's PT_INTERP, which every glibc program names. stsh is x86_64-only.
constexpr const char* kDefaultInterpreter = "/lib64/ld-linux-x86-64.so.2";
// A port range up to this size becomes one rule per port; wider ones leave the direction open.
constexpr unsigned kMaxPortRange = 1024;
// binfmt_script nests at most this deep (the kernel's limit is 4 interpreters).
constexpr int kMaxInterpreterDepth = 4;

std::string errno_text(int error) {
  const char* name = strerrorname_np(error);
  return name != nullptr ? std::string(name) : "errno " + std::to_string(error);
}

bool has_glob(std::string_view s) {
  return s.find_first_of("*?[\\") != std::string_view::npos;
}

// "/a/b" -> "/a", "/a" -> "/".
std::string parent_of(std::string_view path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string_view::npos || slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

struct Resolved {
  std::string path;  // realpath
  bool is_dir = false;
  bool is_reg = false;
};

// realpath() and the type of what it names; error is set when the path cannot be resolved.
std::optional<Resolved> resolve(const std::string& path, int& error) {
  char* real = realpath(path.c_str(), nullptr);
  if (real == nullptr) {
    error = errno;
    return std::nullopt;
  }
  Resolved r{real};
  std::free(real);
  struct stat st {};
  if (stat(r.path.c_str(), &st) != 0) {
    error = errno;
    return std::nullopt;
  }
  r.is_dir = S_ISDIR(st.st_mode);
  r.is_reg = S_ISREG(st.st_mode);
  return r;
}

// The interpreter execve() would open for the regular file `path`: the #! interpreter of a
// script or the PT_INTERP of a 64-bit little-endian ELF program. nullopt for static programs,
// unreadable files and anything else.
std::optional<std::string> interpreter_of(const std::string& path) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (!fd) return std::nullopt;
  char head[256];
  const ssize_t n = pread(fd.get(), head, sizeof head, 0);
  if (n < 4) return std::nullopt;
  const auto size = static_cast<size_t>(n);

  if (head[0] == '#' && head[1] == '!') {
    size_t begin = 2;
    while (begin < size && (head[begin] == ' ' || head[begin] == '\t')) ++begin;
    size_t end = begin;
    while (end < size && head[end] != ' ' && head[end] != '\t' && head[end] != '\n' &&
           head[end] != '\0') {
      ++end;
    }
    if (end == begin || end == size || head[begin] != '/') return std::nullopt;
    return std::string(head + begin, end - begin);
  }

  if (size < sizeof(Elf64_Ehdr) || std::memcmp(head, ELFMAG, SELFMAG) != 0 ||
      head[EI_CLASS] != ELFCLASS64 || head[EI_DATA] != ELFDATA2LSB) {
    return std::nullopt;
  }
  Elf64_Ehdr eh;
  std::memcpy(&eh, head, sizeof eh);
  if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum > 512) return std::nullopt;
  for (unsigned i = 0; i < eh.e_phnum; ++i) {
    Elf64_Phdr ph;
    const auto offset = static_cast<off_t>(eh.e_phoff + i * sizeof ph);
    if (pread(fd.get(), &ph, sizeof ph, offset) != static_cast<ssize_t>(sizeof ph)) break;
    if (ph.p_type != PT_INTERP) continue;
    if (ph.p_filesz == 0 || ph.p_filesz > PATH_MAX) return std::nullopt;
    std::string interp(ph.p_filesz, '\0');
    if (pread(fd.get(), interp.data(), interp.size(), static_cast<off_t>(ph.p_offset)) !=
        static_cast<ssize_t>(interp.size())) {
      return std::nullopt;
    }
    interp.resize(std::strlen(interp.c_str()));
    if (interp.empty() || interp[0] != '/') return std::nullopt;
    return interp;
  }
  return std::nullopt;
}

// What a rule member does in Landlock's terms. Syscalls Landlock does not mediate (stat, access,
// readlink, xattrs, chdir, statfs, chmod, chown, utime, ...) are `none`: a permit rule on them
// needs no grant.
enum class Kind : uint8_t {
  none,
  read,     // open family, read-only: READ_FILE / READ_DIR
  write,    // open family writing, creat, mkdir, mknod, symlink (the link), unlink, rmdir, truncate
  write2,   // rename, link: filename[1] is created as well
  exec,     // execve, execveat: EXECUTE
  connect,  // connect, sendto, sendmsg: CONNECT_TCP, abstract unix scoping
  bind,     // bind: BIND_TCP, MAKE_SOCK for unix path sockets
};

Kind kind_of(const AliasMember& m) {
  switch (m.nr) {
    case __NR_open:
    case __NR_openat:
    case __NR_openat2:
      return m.access == Access::read ? Kind::read : Kind::write;
    case __NR_creat:
    case __NR_mkdir:
    case __NR_mkdirat:
    case __NR_mknod:
    case __NR_mknodat:
    case __NR_symlink:
    case __NR_symlinkat:
    case __NR_unlink:
    case __NR_unlinkat:
    case __NR_rmdir:
    case __NR_truncate:
      return Kind::write;
    case __NR_rename:
    case __NR_renameat:
    case __NR_renameat2:
    case __NR_link:
    case __NR_linkat:
      return Kind::write2;
    case __NR_execve:
    case __NR_execveat:
      return Kind::exec;
    case __NR_connect:
    case __NR_sendto:
    case __NR_sendmsg:
      return Kind::connect;
    case __NR_bind:
      return Kind::bind;
    default:
      return Kind::none;
  }
}

using Bound = std::optional<std::vector<const Predicate*>>;

// The predicates that bound the values of one operand for which `e` can be true, or nullopt when
// the operand is unbounded. eq/match/inpath bound it; `or` bounds it if every branch does; `and`
// if any conjunct does (each conjunct is a superset of the conjunction); `true`, `not`, the other
// operators and predicates on other operands do not.
Bound bound(const Expr& e, Operand operand, int index) {
  switch (e.kind) {
    case Expr::Kind::True:
    case Expr::Kind::Not:
      return std::nullopt;
    case Expr::Kind::Pred: {
      const Predicate& p = e.pred;
      const bool same = p.operand == operand && (operand != Operand::filename || p.index == index);
      if (!same || !(p.op == Op::eq || p.op == Op::match || p.op == Op::inpath))
        return std::nullopt;
      return std::vector<const Predicate*>{&p};
    }
    case Expr::Kind::And:
      for (const Expr& child : e.children) {
        if (Bound b = bound(child, operand, index)) return b;
      }
      return std::nullopt;
    case Expr::Kind::Or: {
      std::vector<const Predicate*> all;
      for (const Expr& child : e.children) {
        Bound b = bound(child, operand, index);
        if (!b) return std::nullopt;
        all.insert(all.end(), b->begin(), b->end());
      }
      return all;
    }
  }
  return std::nullopt;
}

// The exact TCP port a sockaddr value admits, if it admits only one: "inet:H:443" with eq, or a
// `match` glob ending in ":DIGITS" (canonical sockaddr text ends in ":PORT", so such a glob only
// matches that port).
std::optional<std::uint16_t> exact_port(const Predicate& p) {
  if (p.op == Op::eq) {
    auto parsed = policy::parse_sockaddr_text(p.value);
    if (!parsed || (parsed->family != policy::AddressFamily::inet &&
                    parsed->family != policy::AddressFamily::inet6)) {
      return std::nullopt;
    }
    return parsed->port;
  }
  if (p.op != Op::match) return std::nullopt;
  const size_t colon = p.value.rfind(':');
  if (colon == std::string::npos || colon == 0 || p.value[colon - 1] == '\\') return std::nullopt;
  const std::string digits = p.value.substr(colon + 1);
  if (digits.empty() || digits.size() > 5 ||
      digits.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  const unsigned long port = std::stoul(digits);
  if (port > 65535 || std::to_string(port) != digits) return std::nullopt;
  return static_cast<std::uint16_t>(port);
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// What a list entry or predicate names beneath a path: only the object itself (an entry without
// a glob, `eq`), or the object and everything beneath it (`inpath`, `match`, a glob's directory).
enum class Reach : uint8_t { itself, beneath };

// Whether `glob` is `prefix` followed by "/**", which also matches `prefix` itself.
bool is_globstar_of(std::string_view glob, const std::string& prefix) {
  return glob == (prefix == "/" ? std::string("/**") : prefix + "/**");
}

// Paths that name something different in every process: resolved in the deriving process, they
// would bind its own /proc/PID.
bool per_process(std::string_view path) {
  for (std::string_view p :
       {"/proc/self", "/proc/thread-self", "/dev/fd", "/dev/stdin", "/dev/stdout", "/dev/stderr"}) {
    if (path == p || (starts_with(path, p) && path[p.size()] == '/')) return true;
  }
  return false;
}

// "/proc/123" and what lies beneath it.
bool in_proc_pid(std::string_view canonical) {
  if (!starts_with(canonical, "/proc/")) return false;
  const size_t end = canonical.find('/', 6);
  const std::string_view pid = canonical.substr(6, end == std::string_view::npos ? end : end - 6);
  return !pid.empty() && pid.find_first_not_of("0123456789") == std::string_view::npos;
}

// A directory in which no one can make a subdirectory (devpts, proc and sysfs trees): `D/*`
// names exactly what a rule on D reaches.
bool on_flat_filesystem(const std::string& canonical) {
  struct statfs fs {};
  if (statfs(canonical.c_str(), &fs) != 0) return false;
  return fs.f_type == DEVPTS_SUPER_MAGIC || fs.f_type == PROC_SUPER_MAGIC ||
         fs.f_type == SYSFS_MAGIC;
}

bool beneath_or_at(std::string_view path, std::string_view top) {
  if (top == "/") return true;
  return path == top || (starts_with(path, top) && path.size() > top.size() && path[top.size()] == '/');
}

bool covered_by(const std::vector<ExactRead>& reads, const std::string& path) {
  return std::any_of(reads.begin(), reads.end(), [&](const ExactRead& r) {
    return r.beneath ? beneath_or_at(path, r.path) : path == r.path;
  });
}

enum class Family : uint8_t { read, write, exec };

std::string_view family_name(Family f) {
  switch (f) {
    case Family::read:
      return "read";
    case Family::write:
      return "write";
    case Family::exec:
      return "exec";
  }
  return "?";
}

LandlockFsRights rights_of(Family f) {
  switch (f) {
    case Family::read:
      return kFsRead;
    case Family::write:
      return kFsRead | kFsWrite;  // what may be written may be read
    case Family::exec:
      return kFsExec;
  }
  return 0;
}

class Deriver {
 public:
  explicit Deriver(LandlockPlan& out) : out_(out) {}

  void policy(const CommandPolicy& p) {
    list(Family::read, p.read(), "read list");
    list(Family::write, p.write(), "write list");
    list(Family::exec, p.exec(), "exec list");
    addresses(Kind::connect, p.connect(), "connect list");
    addresses(Kind::bind, p.bind(), "bind list");
    rules(p.own_rules());
    rules(p.default_rules());
  }

  void command_key_text(const std::string& glob, const std::string& why) {
    pattern(Family::exec, glob, why);
  }

  void command_key(const CommandPolicy& c) {
    // The login starts every command (and `@commands` exec lists name the same keys).
    pattern(Family::exec, c.key(), "command " + c.key() + " (" + std::string(c.origin()) + ")");
  }

  void unrestricted_everything(const std::string& why) {
    for (Family f : {Family::read, Family::write, Family::exec}) widen(f, why);
    widen_net(Kind::connect, why);
    widen_net(Kind::bind, why);
  }

  void finish() {
    if (default_interpreter_needed_) {
      interpreter(kDefaultInterpreter, "programs beneath " + *default_interpreter_needed_,
                  /* depth= */ 0);
    }
    for (const auto& [path, users] : interpreters_) {
      std::string why = "interpreter execve() opens for " + users[0];
      if (users.size() > 1) why += " and " + std::to_string(users.size() - 1) + " more";
      add(path, kFsInterpreter, why);
    }
    check_read_exactness();
    for (auto& [path, pending] : grants_) {
      std::string why;
      for (const std::string& w : pending.whys) why += (why.empty() ? "" : "; ") + w;
      out_.grants.push_back(LandlockGrant{path, pending.rights, std::move(why)});
    }
    out_.tcp_connect.assign(tcp_connect_.begin(), tcp_connect_.end());
    out_.tcp_bind.assign(tcp_bind_.begin(), tcp_bind_.end());
  }

 private:
  struct Pending {
    LandlockFsRights rights = 0;
    std::vector<std::string> whys;
  };

  // Lists and rule sets are shared between policies (inherited from defaults): visit each once.
  bool first_visit(const void* p) { return seen_.insert(p).second; }

  void list(Family f, const CompactList& l, const char* what) {
    if (!first_visit(&l)) return;
    for (uint32_t id = 0; id < l.entries().size(); ++id) {
      const std::string& text = l.entries()[id].text;
      if (text == policy::kCommandsToken) continue;  // the command keys, added once each
      pattern(f, text, std::string(what) + " " + text + " (" + std::string(l.origin(id)) + ")");
    }
  }

  void addresses(Kind k, const CompactList& l, const char* what) {
    if (!first_visit(&l)) return;
    for (uint32_t id = 0; id < l.entries().size(); ++id) {
      const std::string& text = l.entries()[id].text;
      const std::string why =
          std::string(what) + " " + text + " (" + std::string(l.origin(id)) + ")";
      auto parsed = policy::parse_address_pattern(text);
      if (!parsed) {  // validated by the loader; fail open rather than break the session
        widen_net(k, why);
        continue;
      }
      const policy::AddressPattern& a = parsed.value();
      switch (a.family) {
        case policy::AddressFamily::inet:
        case policy::AddressFamily::inet6:
          if (static_cast<unsigned>(a.port_hi - a.port_lo) + 1 > kMaxPortRange) {
            widen_tcp(k, why);
          } else {
            for (unsigned port = a.port_lo; port <= a.port_hi; ++port) {
              add_port(k, static_cast<std::uint16_t>(port));
            }
          }
          break;
        case policy::AddressFamily::unix_path:
          if (k == Kind::bind) socket_path(a.glob, why);
          break;  // connecting to a path socket is not a Landlock matter
        case policy::AddressFamily::unix_abstract:
          if (k == Kind::connect) open_abstract(why);
          break;
        default:
          break;
      }
    }
  }

  void rules(const RuleSet& rs) {
    if (!first_visit(&rs)) return;
    for (const policy::CompiledRule& r : rs.rules()) {
      const std::string why = "rule " + r.origin + " (" + r.source + ")";
      if (r.action.verdict != policy::Verdict::permit) {  // deny and kill never widen ...
        for (const AliasMember& m : r.members) {
          if (kind_of(m) == Kind::read) read_denial(bound(r.expr.expr(), Operand::filename, 0), why);
        }
        continue;
      }
      for (const AliasMember& m : r.members) member(m, r.expr.expr(), why);
    }
  }

  void member(const AliasMember& m, const Expr& e, const std::string& why) {
    switch (kind_of(m)) {
      case Kind::none:
        return;
      case Kind::read:
        predicates(Family::read, bound(e, Operand::filename, 0), why);
        return;
      case Kind::write:
      case Kind::write2:
        // Plan::decide decides rename's and link's second path as a write of its own, through
        // the same rules as `filename`, so bounding filename bounds both.
        predicates(Family::write, bound(e, Operand::filename, 0), why);
        return;
      case Kind::exec:
        predicates(Family::exec, bound(e, Operand::filename, 0), why);
        return;
      case Kind::connect:
      case Kind::bind:
        sockaddr_predicates(kind_of(m), bound(e, Operand::sockaddr, -1), why);
        return;
    }
  }

  void predicates(Family f, const Bound& b, const std::string& why) {
    if (!b) {
      widen(f, why);
      return;
    }
    for (const Predicate* p : *b) {
      switch (p->op) {
        case Op::eq:
          target(f, p->value, Reach::itself, /* names_top= */ true, why);
          break;
        case Op::inpath:
          target(f, p->value, Reach::beneath, /* names_top= */ true, why);
          break;
        default: {  // match: a glob that also matches everything below what it matches
          const std::string prefix = literal_directory_prefix(p->value);
          const bool whole = !has_glob(p->value) || is_globstar_of(p->value, prefix);
          target(f, prefix, Reach::beneath, whole, why, whole);
        }
      }
    }
  }

  void sockaddr_predicates(Kind k, const Bound& b, const std::string& why) {
    if (!b) {
      widen_net(k, why);
      return;
    }
    for (const Predicate* p : *b) {
      const std::string& v = p->value;
      if (p->op != Op::inpath && (starts_with(v, "inet:") || starts_with(v, "inet6:"))) {
        if (auto port = exact_port(*p)) {
          add_port(k, *port);
        } else {
          widen_tcp(k, why);
        }
      } else if (p->op != Op::inpath && starts_with(v, "unix:@")) {
        if (k == Kind::connect) open_abstract(why);
      } else if (starts_with(v, "unix:/")) {
        if (k == Kind::bind) socket_path(v.substr(5), why);
      } else if (v != "unix:") {
        widen_net(k, why);
      }
    }
  }

  // A compact-list entry or command key: a glob matched against the whole path.
  void pattern(Family f, std::string_view glob, const std::string& why) {
    if (!has_glob(glob)) {
      target(f, std::string(glob), Reach::itself, /* names_top= */ true, why);
      return;
    }
    const std::string prefix = literal_directory_prefix(glob);
    const bool whole = is_globstar_of(glob, prefix);
    int ignored = 0;
    const auto dir = whole ? std::nullopt : resolve_cached(prefix, ignored);
    // "D/*" on a tree without subdirectories names what a rule on D reaches.
    const bool flat = dir && dir->is_dir && glob == (prefix == "/" ? "/*" : prefix + "/*") &&
                      on_flat_filesystem(dir->path);
    target(f, prefix, Reach::beneath, whole, why, whole || flat);
  }

  // Grants `f` for `path`. `reach`: what the policy names there (Landlock rules always reach a
  // directory's whole tree). `names_top`: the policy names `path` itself too, so a write may
  // create, remove or rename it.
  // `exact`: the grant reaches no further than the policy's words (no name glob cut back to
  // its directory); see check_read_exactness.
  void target(Family f, const std::string& path, Reach reach, bool names_top,
              const std::string& why, bool exact = true) {
    std::string where = path;
    std::string note;
    int error = 0;
    std::optional<Resolved> r = per_process(path) ? std::nullopt : resolve_cached(path, error);
    if (per_process(path) || (r && in_proc_pid(r->path))) {
      // Resolved here, /proc/self would name the deriving process; every process of the session
      // needs its own.
      note = " [" + path + " differs in every process: granted on /proc]";
      where = "/proc";
      reach = Reach::beneath;
      names_top = false;
      r = resolve_cached(where, error);
    }
    if (r) {
      LandlockFsRights rights = rights_of(f);
      // A directory named alone may only be opened (listed), yet a rule on it would reach its
      // whole tree: grant only listing.
      if (reach == Reach::itself && r->is_dir) rights = kFsReadDir;
      add(r->path, rights, why + note);
      if (f != Family::exec && (rights & kFsReadFile)) {
        if (exact) {
          exact_reads_.push_back({r->path, reach == Reach::beneath});
        } else {
          inexact(why + ": a name glob, granted on all of " + r->path);
        }
      }
      // Creating, removing or renaming a file (or a directory named alone) is a right of the
      // directory that holds it.
      if (f == Family::write && names_top && where != "/" &&
          (r->is_reg || (reach == Reach::itself && r->is_dir))) {
        int ignored = 0;
        if (auto dir = resolve_cached(parent_of(where), ignored)) {
          add(dir->path, kFsTree, why + " [to create, remove or rename it]");
        }
      }
      if (f == Family::exec) {
        if (r->is_reg) {
          if (auto interp = interpreter_of(r->path)) interpreter(*interp, r->path, /* depth= */ 0);
        } else if (r->is_dir && reach == Reach::beneath && !default_interpreter_needed_) {
          default_interpreter_needed_ = r->path;
        }
      }
      return;
    }
    // A path to be written may not exist yet: the policy lets it be created, and a new file only
    // has the rights of the directory it is created in.
    if (f == Family::write && names_top && where != "/") {
      int ignored = 0;
      if (auto dir = resolve_cached(parent_of(where), ignored); dir && dir->is_dir) {
        add(dir->path, rights_of(f),
            why + " [" + where + " does not exist: granted on " + dir->path +
                " so that it can be created]");
        inexact(why + ": " + where + " does not exist, so all of " + dir->path + " is readable");
        return;
      }
    }
    skip(where, errno_text(error), why);
  }

  // bind() creates the socket file: MAKE_SOCK on the directory it is created in. `path` is a
  // list entry's glob or a rule's value (eq, inpath, match), all of which may name a directory
  // beneath which sockets are allowed.
  void socket_path(const std::string& path, const std::string& why) {
    std::string dir = literal_directory_prefix(path);
    int error = 0;
    auto r = resolve_cached(dir, error);
    if (!has_glob(path) && !(r && r->is_dir)) {  // names the socket file itself
      dir = parent_of(path);
      r = resolve_cached(dir, error);
    }
    if (r && r->is_dir) {
      add(r->path, kFsMakeSock, why);
    } else {
      skip(dir, r ? "ENOTDIR" : errno_text(error), why);
    }
  }

  // execve() of `interp`'s user opens `interp` too, with EXECUTE (and so on down a #! chain).
  void interpreter(const std::string& interp, const std::string& user, int depth) {
    int error = 0;
    auto r = resolve_cached(interp, error);
    if (!r || !r->is_reg) {
      skip(interp, r ? "not a regular file" : errno_text(error), "interpreter of " + user);
      return;
    }
    auto& users = interpreters_[r->path];
    if (std::find(users.begin(), users.end(), user) == users.end()) users.push_back(user);
    if (depth + 1 >= kMaxInterpreterDepth || !interpreters_seen_.insert(r->path).second) return;
    if (auto next = interpreter_of(r->path)) interpreter(*next, r->path, depth + 1);
  }

  void inexact(const std::string& why) {
    if (out_.inexact_read.size() < 8 &&
        std::find(out_.inexact_read.begin(), out_.inexact_read.end(), why) ==
            out_.inexact_read.end()) {
      out_.inexact_read.push_back(why);
    }
    out_.reads_exact = false;
  }

  // A deny or kill rule on reading: the kernel can say it only where no grant reaches.
  void read_denial(const Bound& b, const std::string& why) {
    if (!b) return inexact(why + ": denies reads by something other than the path");
    for (const Predicate* p : *b) {
      const std::string prefix = p->op == Op::match ? literal_directory_prefix(p->value) : p->value;
      int ignored = 0;
      const auto r = resolve_cached(prefix, ignored);
      denied_reads_.push_back({r ? r->path : prefix, why});
    }
  }

  // Every READ_FILE grant must be one a read list, write list or permit rule words exactly,
  // and no deny rule on reading may fall inside one (a deny inside an allowed tree).
  void check_read_exactness() {
    for (auto& [path, pending] : grants_) {
      if ((pending.rights & kFsReadFile) == 0) continue;
      if (!covered_by(exact_reads_, path)) {
        inexact(path + " is readable for " + pending.whys.front() + ", which no read list names");
      }
      for (const auto& [denied, why] : denied_reads_) {
        if (beneath_or_at(denied, path) || beneath_or_at(path, denied)) {
          inexact(why + ": inside the granted tree " + path);
        }
      }
    }
    out_.exact_reads = exact_reads_;
  }

  std::optional<Resolved> resolve_cached(const std::string& path, int& error) {
    auto [it, fresh] = resolved_.try_emplace(path);
    if (fresh) it->second.first = resolve(path, it->second.second);
    error = it->second.second;
    return it->second.first;
  }

  void add(const std::string& path, LandlockFsRights rights, const std::string& why) {
    Pending& p = grants_[path];
    p.rights |= rights;
    for (const std::string& w : p.whys) {
      if (w == why) return;
    }
    p.whys.push_back(why);
  }

  void skip(const std::string& path, std::string reason, const std::string& why) {
    for (const SkippedGrant& s : out_.skipped) {
      if (s.path == path && s.why == why) return;
    }
    out_.skipped.push_back(SkippedGrant{path, std::move(reason), why});
  }

  void note(const std::string& text) {
    for (const std::string& n : out_.widened_by) {
      if (n == text) return;
    }
    out_.widened_by.push_back(text);
  }

  void widen(Family f, const std::string& why) {
    if (f != Family::exec) inexact(std::string(family_name(f)) + " anywhere: " + why);
    switch (f) {
      case Family::read:
        out_.unrestricted_read = true;
        break;
      case Family::write:
        out_.unrestricted_write = true;
        break;
      case Family::exec:
        out_.unrestricted_exec = true;
        break;
    }
    note(std::string(family_name(f)) + ": " + why);
  }

  void widen_tcp(Kind k, const std::string& why) {
    (k == Kind::connect ? out_.unrestricted_connect : out_.unrestricted_bind) = true;
    note(std::string(k == Kind::connect ? "tcp connect: " : "tcp bind: ") + why);
  }

  void open_abstract(const std::string& why) {
    out_.abstract_unix_connect = true;
    note("abstract unix connect: " + why);
  }

  // A sockaddr the rule does not bound: any TCP port, any abstract socket, any socket path.
  void widen_net(Kind k, const std::string& why) {
    widen_tcp(k, why);
    if (k == Kind::connect) {
      open_abstract(why);
    } else {
      add("/", kFsMakeSock, why + " [unix sockets anywhere]");
    }
  }

  void add_port(Kind k, std::uint16_t port) {
    (k == Kind::connect ? tcp_connect_ : tcp_bind_).insert(port);
  }

  LandlockPlan& out_;
  std::vector<ExactRead> exact_reads_;
  std::vector<std::pair<std::string, std::string>> denied_reads_;  // canonical prefix, why
  std::set<const void*> seen_;
  std::map<std::string, Pending> grants_;
  std::set<std::uint16_t> tcp_connect_, tcp_bind_;
  std::optional<std::string> default_interpreter_needed_;  // the first exec-granted directory
  std::set<std::string> interpreters_seen_;
  std::map<std::string, std::vector<std::string>> interpreters_;  // canonical -> its users
  // realpath() walks every component: once per path and derivation (most commands share the
  // loader, /usr/lib and /usr/bin), not once per mention.
  std::unordered_map<std::string, std::pair<std::optional<Resolved>, int>> resolved_;
};

}  // namespace

std::string literal_directory_prefix(std::string_view glob) {
  const size_t meta = glob.find_first_of("*?[\\");
  if (meta == std::string_view::npos) return glob.empty() ? "/" : std::string(glob);
  const size_t slash = glob.rfind('/', meta);
  if (slash == std::string_view::npos || slash == 0) return "/";
  return std::string(glob.substr(0, slash));
}

std::string fs_rights_text(LandlockFsRights rights) {
  static constexpr const char* kNames[] = {"execute",    "write_file",  "read_file", "read_dir",
                                           "remove_dir", "remove_file", "make_char", "make_dir",
                                           "make_reg",   "make_sock",   "make_fifo", "make_block",
                                           "make_sym",   "refer",       "truncate",  "ioctl_dev"};
  std::string out;
  const auto append = [&out](std::string_view name) {
    if (!out.empty()) out += '|';
    out += name;
  };
  if ((rights & kFsRead) == kFsRead) {
    append("read");
    rights &= ~kFsRead;
  }
  if ((rights & kFsWrite) == kFsWrite) {
    append("write");
    rights &= ~kFsWrite;
  }
  for (unsigned bit = 0; bit < std::size(kNames); ++bit) {
    if (rights & (LandlockFsRights{1} << bit)) append(kNames[bit]);
  }
  rights &= ~((LandlockFsRights{1} << std::size(kNames)) - 1);
  if (rights != 0)
    append("0x" + [&] {
      char buf[20];
      std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(rights));
      return std::string(buf);
    }());
  return out.empty() ? "none" : out;
}

LandlockPlan derive_landlock_plan(const policy::Plan& plan) {
  LandlockPlan out;
  Deriver d(out);
  const policy::Mode mode = plan.session().mode;
  if (mode != policy::Mode::enforce) {
    // The policy only logs: a Landlock denial would enforce what the administrator asked not to.
    d.unrestricted_everything("session mode " + std::string(policy::mode_name(mode)) +
                              " does not enforce the policy");
  }
  d.policy(plan.login());
  for (const auto& c : plan.commands()) {
    d.command_key(*c);
    d.policy(*c);
  }
  d.finish();
  return out;
}

LandlockPlan derive_landlock_plan(const policy::Plan& plan,
                                  const std::vector<const policy::CommandPolicy*>& closure,
                                  const std::string& program) {
  LandlockPlan out;
  Deriver d(out);
  const policy::Mode mode = plan.session().mode;
  if (mode != policy::Mode::enforce) {
    d.unrestricted_everything("session mode " + std::string(policy::mode_name(mode)) +
                              " does not enforce the policy");
  }
  // The launched child execs `program` itself, under whatever policy started it.
  d.command_key_text(program, "launched program " + program);
  for (const policy::CommandPolicy* c : closure) {
    if (!c->is_login()) d.command_key(*c);
    d.policy(*c);
  }
  d.finish();
  return out;
}

bool reads_within(const LandlockPlan& domain, const LandlockPlan& member) {
  if (domain.unrestricted_read != member.unrestricted_read) return false;
  for (const LandlockGrant& g : domain.grants) {
    if ((g.rights & kFsReadFile) && !covered_by(member.exact_reads, g.path)) return false;
  }
  return true;
}

Result<LandlockRuleset> build_landlock(const LandlockPlan& lp, int abi) {
  // The Plan does not restrict ioctl by path (seccomp denies the dangerous requests), so device
  // ioctls are not Landlock's business here.
  LandlockFsRights handled = kFsAllKnown & ~kFsIoctlDev;
  // Listing a directory is a metadata read, visible unless a tree is hidden (Plan::hide(),
  // which the supervisor enforces): not Landlock's business either.
  handled &= ~kFsReadDir;
  if (lp.unrestricted_read) handled &= ~kFsRead;
  if (lp.unrestricted_write) handled &= ~(kFsWrite | kFsMakeChar | kFsMakeBlock);
  if (lp.unrestricted_exec) handled &= ~(kFsExecute | kFsReadFile);  // execve needs both

  LandlockOptions options;
  options.handled_fs = handled;
  // LandlockOptions handles TCP bind and connect together: one unrestricted direction leaves both
  // to the supervisor.
  options.restrict_tcp = !lp.unrestricted_connect && !lp.unrestricted_bind;
  options.scope_abstract_unix = !lp.abstract_unix_connect;

  // landlock_create_ruleset() refuses a ruleset that handles nothing (ENOMSG).
  const LandlockFsRights effective_fs = handled & landlock_fs_rights_for_abi(abi);
  const bool any_net = options.restrict_tcp && abi >= 4;
  const bool any_scope = abi >= 6;  // signals are always scoped
  if (effective_fs == 0 && !any_net && !any_scope) abi = 0;

  LandlockBuilder builder(options, abi);
  for (const LandlockGrant& g : lp.grants) {
    if ((g.rights & handled) != 0) builder.allow_path(g.path, g.rights & handled);
  }
  if (!options.restrict_tcp) return std::move(builder).build();  // no port rules to report
  const auto in = [](const std::vector<std::uint16_t>& sorted, std::uint16_t port) {
    return std::binary_search(sorted.begin(), sorted.end(), port);
  };
  for (std::uint16_t port : lp.tcp_connect) {
    builder.allow_tcp_port(
        port, in(lp.tcp_bind, port) ? TcpAccess::kBindAndConnect : TcpAccess::kConnect);
  }
  for (std::uint16_t port : lp.tcp_bind) {
    if (!in(lp.tcp_connect, port)) builder.allow_tcp_port(port, TcpAccess::kBind);
  }
  return std::move(builder).build();
}

std::string describe(const LandlockPlan& lp) {
  std::string out = "Landlock domain: " + std::to_string(lp.grants.size()) + " path grants\n";
  for (const LandlockGrant& g : lp.grants) {
    out += "  " + g.path + "  " + fs_rights_text(g.rights) + "  <- " + g.why + "\n";
  }
  const auto fs_line = [&out](const char* what, bool unrestricted) {
    out +=
        std::string("  ") + what + ": " + (unrestricted ? "NOT restricted" : "restricted") + "\n";
  };
  out += "filesystem:\n";
  fs_line("read", lp.unrestricted_read);
  fs_line("write", lp.unrestricted_write);
  fs_line("exec", lp.unrestricted_exec);
  if (lp.unrestricted_exec && !lp.unrestricted_read) {
    out += "  (exec anywhere needs read_file anywhere: files are readable anywhere)\n";
  }
  const auto ports = [](const std::vector<std::uint16_t>& list, bool unrestricted) {
    if (unrestricted) return std::string("NOT restricted");
    if (list.empty()) return std::string("none");
    std::string s;
    for (std::uint16_t p : list) s += (s.empty() ? "" : ", ") + std::to_string(p);
    return s;
  };
  out += "tcp connect: " + ports(lp.tcp_connect, lp.unrestricted_connect) + "\n";
  out += "tcp bind: " + ports(lp.tcp_bind, lp.unrestricted_bind) + "\n";
  if (lp.unrestricted_connect != lp.unrestricted_bind) {
    out += "  (Landlock handles both TCP directions or neither: neither is restricted)\n";
  }
  out += std::string("abstract unix sockets: ") +
         (lp.abstract_unix_connect ? "reachable outside the domain" : "scoped to the domain") +
         "\n";
  if (!lp.widened_by.empty()) {
    out += "widened by:\n";
    for (const std::string& w : lp.widened_by) out += "  " + w + "\n";
  }
  if (!lp.skipped.empty()) {
    out += "skipped:\n";
    for (const SkippedGrant& s : lp.skipped) {
      out += "  " + s.path + " (" + s.reason + ")  <- " + s.why + "\n";
    }
  }
  return out;
}

}  // namespace stsh::enforcer
