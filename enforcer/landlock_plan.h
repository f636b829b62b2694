// The session-wide Landlock domain a Plan needs: an over-approximation of the policy's file and
// TCP access that the kernel enforces race-free, inside which the supervisor enforces each
// binary's precise policy (docs/ARCHITECTURE.md, "The enforcement tiers, as implemented",
// "The TOCTOU rule").
//
// All commands of a session share the domain and Landlock can only narrow, so it covers
// everything any policy of the Plan (the login's and every command entry's) may permit: the
// compact lists, the command keys (the login execs them) and the permit rules, on the literal
// directory of each pattern, canonicalized (rules bind inodes: /bin is /usr/bin). Where Landlock
// cannot say what the policy says, the grant is the smallest one that covers it:
//   - a directory named alone ("/", not "/**") may only be listed: READ_DIR, as a rule on a
//     directory reaches its whole tree;
//   - writing a file the policy names also needs create/remove/rename rights on its directory,
//     and a file (or `P/**` root) that does not exist yet needs the rights on its directory;
//   - /proc/self, /proc/thread-self and /dev/{fd,stdin,stdout,stderr} differ in every process,
//     so they become /proc;
//   - execve() opens the ELF interpreter (and a script's #! interpreter) with EXECUTE: each gets
//     EXECUTE|READ_FILE, the only grant the policy does not name itself.
// Nothing else is added: files every process needs come from the policy's lists.
//
// derive_landlock_plan() only reads the file system (realpath, ELF headers); build_landlock()
// makes the Landlock syscalls. Both run in the parent; the child only calls restrict_self().
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "enforcer/landlock.h"
#include "policy/plan.h"
#include "policy/result.h"

namespace stsh::enforcer {

struct LandlockGrant {
  std::string path;         // canonical (realpath), so the rule binds the object the Plan means
  LandlockFsRights rights;  // the builder drops directory rights on non-directories
  std::string why;          // "read list /usr/** (t.yaml:3:10)"; several joined by "; "
};

// A list entry or rule predicate that yields no grant, because its path does not exist (or, for
// a write, neither does its directory). Not an error: Landlock can only bind existing objects.
struct SkippedGrant {
  std::string path;    // the literal prefix as written (not canonical: it could not be resolved)
  std::string reason;  // "ENOENT", ...
  std::string why;
};

// A read grant as a policy words it: the canonical object, and whether the words reach beneath it.
struct ExactRead {
  std::string path;
  bool beneath = false;
};

struct LandlockPlan {
  std::vector<LandlockGrant> grants;  // one per path, rights OR-ed; sorted by path
  std::vector<SkippedGrant> skipped;

  // Some permit rule (or a non-enforcing session mode) may allow the family anywhere, so the
  // domain cannot restrict it at all; build_landlock() leaves its rights unhandled. Exec anywhere
  // implies READ_FILE anywhere (execve needs both), which build_landlock() also unhandles.
  bool unrestricted_read = false;
  bool unrestricted_write = false;
  bool unrestricted_exec = false;

  // TCP ports from connect/bind entries and rules (inet/inet6, host ignored: Landlock only knows
  // ports), sorted and unique. '*', ranges over 1024 ports and unbounded rules make a direction
  // unrestricted.
  std::vector<std::uint16_t> tcp_connect, tcp_bind;
  bool unrestricted_connect = false;
  bool unrestricted_bind = false;

  // Some connect entry or rule admits an abstract unix socket ("unix:@name"): Landlock's scoping
  // would refuse connections to those created outside the domain, so it must stay off.
  bool abstract_unix_connect = false;

  // Whether reading files is decided exactly by the domain: every READ_FILE grant is one that
  // a read list, write list or permit rule names as it stands (no name glob cut back to its
  // directory, no deny rule inside it, nothing readable only because it may be run). Then the
  // kernel can answer read-only opens alone (docs/ARCHITECTURE.md, "Per-command confinement").
  bool reads_exact = true;
  std::vector<std::string> inexact_read;  // why not, the first few
  std::vector<ExactRead> exact_reads;

  // Why each unrestricted_* / abstract_unix_connect flag is set, e.g.
  // "read: rule t.yaml:9:7 (fsread: true then permit)".
  std::vector<std::string> widened_by;
};

[[nodiscard]] LandlockPlan derive_landlock_plan(const policy::Plan& plan);

// The domain of one launch: what `program`, run under the policies in `closure` (its own
// entry and every entry it may exec, see exec_closure), may need.
[[nodiscard]] LandlockPlan derive_landlock_plan(
    const policy::Plan& plan, const std::vector<const policy::CommandPolicy*>& closure,
    const std::string& program);

// Whether every file `domain` lets be read is one `member` (the plan of one policy of the
// closure) lets be read: the domain then says that policy's reads exactly.
[[nodiscard]] bool reads_within(const LandlockPlan& domain, const LandlockPlan& member);

// Builds the ruleset for `abi` (missing paths are skipped and reported by the builder). Rights of
// unrestricted families are left unhandled, and so is IOCTL_DEV (the Plan does not restrict ioctl
// by path; seccomp denies the dangerous requests). LandlockOptions handles TCP bind and connect
// together, so one unrestricted direction leaves both unhandled. Signals stay scoped: the
// supervisor must be out of reach, whatever the Plan says about kill().
[[nodiscard]] Result<LandlockRuleset> build_landlock(const LandlockPlan& lp,
                                                     int abi = landlock_abi());

// A multi-line account of the domain for debugging and `explain` output.
[[nodiscard]] std::string describe(const LandlockPlan& lp);

// ---- Pure helpers, exposed for tests ---------------------------------------------------------

// The longest leading part of a path glob without a metacharacter (*?[\), cut back to its last
// '/'; the whole pattern when it has none. "" becomes "/". "/usr/**" -> "/usr",
// "/srv/*/www/**" -> "/srv", "/etc/ld.so.cache" -> "/etc/ld.so.cache".
[[nodiscard]] std::string literal_directory_prefix(std::string_view glob);

// "read|execute": "read" for kFsRead, "write" for kFsWrite, then the other bits by name in bit
// order; "none" for 0.
[[nodiscard]] std::string fs_rights_text(LandlockFsRights rights);

}  // namespace stsh::enforcer
