// stsh-audit: the privileged reader of the kernel's Landlock audit records.
//
// Landlock denies in the kernel, without a round trip to the supervisor; the kernel's audit
// subsystem records each denial (AUDIT_LANDLOCK_ACCESS) and, on a domain's first one, who made
// the domain (AUDIT_LANDLOCK_DOMAIN: the creator's pid, uid and exe). Reading those records
// needs CAP_AUDIT_READ, which a supervisor running as the user does not have. This daemon reads
// them from the audit multicast group and hands each denial to the supervisor whose child made
// the domain, over a unix socket (the protocol is in docs/AUDIT.md and audit_client.h).
//
// Everything a client sends is untrusted: any local user can connect. The daemon never blocks
// on a client (non-blocking sends, a bounded queue per client whose overflow is counted and
// reported as LOST), bounds clients and registrations per uid and in all, does a bounded amount
// of work per message, checks every REGISTER against /proc (the pid must be the caller's own
// child, of the caller's uid), and writes nothing attacker-controlled unescaped. A denial whose
// client has gone is written to syslog by the daemon itself (ident stsh-audit, authpriv).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace stsh::enforcer {

struct AuditDaemonOptions {
  std::string socket_path;  // the compiled-in STSH_AUDIT_SOCKET; not settable from the command line
  bool enable_audit = false;             // --enable-audit: turn audit on if it is off
  std::optional<std::uint32_t> backlog;  // --backlog N: raise backlog_limit to at least N
  bool verbose = false;                  // --verbose: one stderr line per client event

  // Bounds. Each is a defence against a local user, not a tuning knob.
  std::size_t max_clients = 1024;
  std::size_t max_clients_per_uid = 64;
  std::size_t max_registrations_per_uid = 1024;
  std::size_t max_registrations_per_client = 256;
  std::size_t max_domains = 65536;
  std::size_t max_queue_messages = 4096;  // DENIALs waiting for one client
  std::size_t max_queue_bytes = 4 << 20;
  std::size_t max_barriers_per_client = 16;
  int barrier_timeout_ms = 500;
  int unregister_grace_ms = 1000;  // records in flight when UNREGISTER came are still delivered
  int orphan_keep_ms = 60000;      // a gone client's registrations wait this long for a domain
};

// Runs until SIGTERM, SIGINT or SIGHUP; restores the audit settings it changed. The exit status:
// 0 after a signal, 1 when it cannot run (the reason printed as one line on stderr).
int run_audit_daemon(const AuditDaemonOptions& options);

}  // namespace stsh::enforcer
