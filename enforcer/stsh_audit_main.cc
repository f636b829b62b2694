// stsh-audit: reads the kernel's Landlock audit records and hands each denial to the stsh
// supervisor whose command caused it (enforcer/audit_daemon.h, man 8 stsh-audit).
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "enforcer/audit_daemon.h"
#include "stsh_config.h"

namespace {

constexpr const char* kUsage =
    "usage: stsh-audit [--enable-audit] [--backlog N] [--verbose]\n"
    "  --enable-audit  turn kernel auditing on if it is off (restored at exit)\n"
    "  --backlog N     raise the kernel's audit backlog_limit to at least N (restored at exit;\n"
    "                  8192 is enough for a burst of 10,000 denials)\n"
    "  --verbose       one line on stderr per client event\n"
    "Listens on " STSH_AUDIT_SOCKET ". Runs as root.\n";

}  // namespace

int main(int argc, char** argv) {
  stsh::enforcer::AuditDaemonOptions options;
  options.socket_path = STSH_AUDIT_SOCKET;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--enable-audit") {
      options.enable_audit = true;
    } else if (arg == "--verbose") {
      options.verbose = true;
    } else if (arg == "--backlog" && i + 1 < argc) {
      char* end = nullptr;
      errno = 0;
      const unsigned long n = std::strtoul(argv[++i], &end, 10);
      if (errno != 0 || end == argv[i] || *end != '\0' || n == 0 || n > 0x7fffffffUL) {
        std::fprintf(stderr, "stsh-audit: --backlog needs a positive number\n%s", kUsage);
        return 2;
      }
      options.backlog = static_cast<std::uint32_t>(n);
    } else if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (arg == "--version") {
      std::puts("stsh-audit " STSH_VERSION);
      return 0;
    } else {
      std::fprintf(stderr, "stsh-audit: unknown argument '%s'\n%s", arg.c_str(), kUsage);
      return 2;
    }
  }
  return stsh::enforcer::run_audit_daemon(options);
}
