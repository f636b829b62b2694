#include <sys/resource.h>

#include "shell/builtins.h"
#include "shell/shell.h"

namespace stsh::shell {
namespace {

std::string joined(const policy::CompactList& list, const char* none) {
  if (list.empty() && !list.includes_commands()) return none;
  std::string out;
  for (const auto& e : list.entries()) out += (out.empty() ? "" : ", ") + e.text;
  if (list.includes_commands()) out += std::string(out.empty() ? "" : ", ") + "@commands";
  return out;
}

std::string duration(uint64_t s) {
  if (s % 3600 == 0) return std::to_string(s / 3600) + "h";
  if (s % 60 == 0) return std::to_string(s / 60) + "m";
  return std::to_string(s) + "s";
}

}  // namespace

// policy: what this session may do, in words — the lists, the commands, the session's rules.
// `stsh-policy explain` answers about single calls.
STSH_BUILTIN(policy) {
  (void)argv;
  const policy::Plan& plan = shell.plan();
  const policy::CommandPolicy& login = plan.login();
  const policy::Session& s = plan.session();
  std::string& out = io.out;
  out += "Your policy: " + plan.files().back() + " (mode " +
         std::string(policy::mode_name(s.mode)) + ")\n";
  out += "  read:     " + joined(login.read(), "nothing") + "\n";
  out += "  write:    " + joined(login.write(), "nothing") + "\n";
  out += "  connect:  " + joined(login.connect(), "nothing") + "\n";
  out += "  bind:     " + joined(login.bind(), "nothing") + "\n";
  out += "Commands you may start, and what they may start in turn:\n";
  for (const auto& c : plan.commands()) {
    out += "  " + c->key() + "  starts: " + joined(c->exec(), "nothing");
    if (c->own_rules().size() > 0) {
      out += "; " + std::to_string(c->own_rules().size()) + " rule" +
             (c->own_rules().size() == 1 ? "" : "s") + " of its own";
    }
    out += "\n";
  }
  if (login.default_rules().size() > 0) {
    out += std::to_string(login.default_rules().size()) +
           " rules apply to every command (see `stsh-policy explain`).\n";
  }
  char umask_text[8];
  snprintf(umask_text, sizeof umask_text, "%03o", s.umask);
  out += "Session: umask " + std::string(umask_text);
  if (s.warning_limit) out += ", ends after " + std::to_string(s.warning_limit) + " violations";
  if (s.timeout_s) out += ", ends after " + duration(s.timeout_s) + " idle";
  for (const policy::Limit& l : s.limits) {
    out += ", " + std::string(l.name) + " " +
           (l.value == policy::kUnlimited ? "unlimited" : std::to_string(l.value));
  }
  out += "\nOver ssh: commands " + std::string(s.ssh.command ? "yes" : "no") + ", scp " +
         (s.ssh.scp ? "yes" : "no") + ", sftp " + (s.ssh.sftp ? "yes" : "no") + ", rsync " +
         (s.ssh.rsync ? "yes" : "no") + "\n";
  return 0;
}

}  // namespace stsh::shell
