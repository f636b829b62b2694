// One policy file as read from YAML: validated piece by piece, located, not yet compiled.
// Variables are already expanded; rule expressions are parsed.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "policy/result.h"
#include "policy/rule_ast.h"
#include "policy/session.h"
#include "policy/syscalls.h"

namespace stsh::policy {

struct Entry {  // one compact-list entry or command key
  std::string text;
  SourceLocation where;
};

struct RuleSpec {
  std::string target;                // syscall or alias as written
  std::vector<AliasMember> members;  // what the target covers, resolved by the loader
  std::string source;                // "target: expression" as written, for explanations
  ParsedRule parsed;                 // variables in values expanded
  SourceLocation where;
};

// The keys a defaults: section or a command entry may have. Absent lists are nullopt so a
// command entry can inherit them from defaults.
struct Section {
  std::optional<std::vector<Entry>> read, write, exec, connect, bind;
  // defaults: only. Trees whose names and metadata are not shown (stsh.policy(5), HIDE).
  std::optional<std::vector<Entry>> hide;
  std::vector<RuleSpec> rules;
  SourceLocation where;
};

// `extend: true` on a command entry: it adds to the entry an earlier file of the set defines
// for the same program (stsh.policy(5), "Extending an included entry"). Allocated only for
// such entries: a set may have 100k plain keys.
struct Extension {
  SourceLocation where;  // of the extend key
  Section remove;        // `remove:` lists: entries taken out of the merged lists; no rules
};

struct CommandSpec {
  Entry key;
  Section section;
  std::unique_ptr<Extension> extend;  // null unless `extend: true`
};

// Every session key is optional in a file, so that merging can tell "set here" from "not set".
struct SessionSpec {
  std::optional<unsigned> umask, warning_limit, history_size;
  std::optional<uint64_t> timeout_s;
  std::optional<std::string> banner, prompt, directory;
  std::vector<std::string> env_keep, env_unset;
  std::vector<std::pair<std::string, std::string>> env_set;
  std::vector<Limit> limits;
  std::optional<bool> ssh_interactive, ssh_command, ssh_scp, ssh_sftp, ssh_rsync;
  std::optional<Mode> mode;
  std::optional<int> log_facility;
  std::optional<std::string> log_ident;
  std::optional<KernelDenials> kernel_denials;
  std::optional<unsigned> log_burst;
  std::optional<uint64_t> log_interval_s;
};

struct Document {
  std::string path;
  std::vector<Entry> includes;  // as written, relative to the policy directory
  SessionSpec session;
  std::optional<Section> defaults;
  std::vector<CommandSpec> commands;
};

}  // namespace stsh::policy
