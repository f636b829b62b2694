// The compiled, immutable form of a user's policy set. Only the compiler builds one; the
// enforcer and the shell only read it. One decision API: Plan::decide().
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "policy/call.h"
#include "policy/compact_list.h"
#include "policy/rule_set.h"
#include "policy/session.h"

namespace stsh::policy {

// The effective policy of one command entry (its own keys, the rest inherited from defaults),
// or of the login itself (the shell, whose exec list is the set of commands).
class CommandPolicy {
 public:
  const std::string& key() const { return key_; }      // "/usr/bin/ls", or "(login)"
  std::string_view origin() const { return origin_; }  // "file:line" of the entry
  bool is_login() const { return is_login_; }

  const CompactList& read() const { return *read_; }
  const CompactList& write() const { return *write_; }
  const CompactList& exec() const { return *exec_; }
  const CompactList& connect() const { return *connect_; }
  const CompactList& bind() const { return *bind_; }
  const RuleSet& own_rules() const { return *own_rules_; }
  const RuleSet& default_rules() const { return *default_rules_; }

 private:
  friend class PlanCompiler;
  std::string key_;
  std::string_view origin_;
  bool is_login_ = false;
  // Shared with defaults when the entry does not override the key, so a large defaults
  // section is compiled once, not once per command.
  std::shared_ptr<const CompactList> read_, write_, exec_, connect_, bind_;
  std::shared_ptr<const RuleSet> own_rules_, default_rules_;
};

class Plan {
 public:
  Plan(const Plan&) = delete;
  Plan& operator=(const Plan&) = delete;

  const Session& session() const { return session_; }
  const std::vector<std::string>& files() const { return files_; }  // loaded, in merge order
  // "file:line:col: note: ..." lines for `check`: symlinked keys resolved, extended entries.
  const std::vector<std::string>& notes() const { return notes_; }

  // The policy of the shell itself: what redirections, cd and globbing may touch, and (as its
  // exec list) which programs the user may start.
  const CommandPolicy& login() const { return *login_; }
  const std::vector<std::unique_ptr<CommandPolicy>>& commands() const { return commands_; }
  // defaults: hide: trees whose names, metadata and contents no command sees (stsh.policy(5),
  // HIDE). Empty for most policies: then metadata reads need no supervisor.
  const CompactList& hide() const { return *hide_; }

  // The entry a binary runs under when started: its own (an exact key first, else the first
  // matching glob key in file order), else nullptr.
  const CommandPolicy* command_for(std::string_view exe) const;
  // The policy a process runs under after `current` execs `exe` (systrace's -i inheritance).
  const CommandPolicy& policy_after_exec(const CommandPolicy& current, std::string_view exe) const {
    const CommandPolicy* own = command_for(exe);
    return own ? *own : current;
  }

  // The decision about one canonical call made by a process running under `policy`.
  // Mode (audit, learn) is not applied here: the enforcer applies it to the Decision.
  Decision decide(const CommandPolicy& policy, const Call& call) const;

 private:
  friend class PlanCompiler;
  Plan() = default;
  Decision decide_one(const CommandPolicy& policy, const Call& call) const;

  Session session_;
  std::vector<std::string> files_;
  std::vector<std::string> notes_;
  std::unique_ptr<CommandPolicy> login_;
  std::shared_ptr<const CompactList> hide_;
  std::vector<std::unique_ptr<CommandPolicy>> commands_;
  // Exact keys carry ids 0..n-1 and glob keys n..2n-1, so an exact key wins over any glob.
  PatternSet command_keys_;
  std::deque<std::string> origins_;  // stable storage for the "file:line" of command entries
};

}  // namespace stsh::policy
