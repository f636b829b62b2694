// Session-wide settings of a policy set: what the shell applies once at login.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "policy/units.h"

namespace stsh::policy {

enum class Mode : uint8_t { enforce, audit, learn };
std::string_view mode_name(Mode m);

// A resource limit; kUnlimited (policy/units.h) maps to RLIM_INFINITY.

struct Limit {
  const char* name;  // "nproc", "nofile", ...
  int resource;      // RLIMIT_*
  uint64_t value;
};

struct EnvSettings {
  std::vector<std::string> keep;
  std::vector<std::pair<std::string, std::string>> set;
  std::vector<std::string> unset;
};

struct SshToggles {
  bool interactive = true;  // a login with a prompt (ssh host, ssh -t host)
  bool command = true;
  bool scp = true;
  bool sftp = true;
  bool rsync = false;
};

// Who records what the kernel denies on its own (docs/ARCHITECTURE.md, "Per-command
// confinement"): `audit`, the stsh-audit daemon, from the kernel's audit records, and where it
// is not running the supervisor decides those calls itself; `supervisor`, always the
// supervisor (slower, no daemon needed); `unrecorded`, the kernel decides and its denials are
// not recorded.
enum class KernelDenials : uint8_t { audit, supervisor, unrecorded };

struct LoggingSettings {
  int facility;  // LOG_AUTHPRIV by default
  std::string ident = "stsh";
  unsigned burst = 20;  // records per interval before suppression
  uint64_t interval_s = 10;
  KernelDenials kernel_denials = KernelDenials::audit;
};

struct Session {
  unsigned umask = 077;
  unsigned warning_limit = 0;  // 0: unlimited
  uint64_t timeout_s = 0;      // idle timeout; 0: none
  std::string banner;
  unsigned history_size = 1000;
  std::string prompt;  // empty: the shell's default
  // Where every session starts (commands, transfers, the prompt), absolute, $VARIABLES
  // expanded; empty: the home directory.
  std::string directory;
  EnvSettings env;
  std::vector<Limit> limits;  // only those the policy set
  SshToggles ssh;
  Mode mode = Mode::enforce;
  LoggingSettings logging;
};

}  // namespace stsh::policy
