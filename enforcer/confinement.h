// Per-command confinement (docs/ARCHITECTURE.md, "Per-command confinement"): what one launch
// is confined by, chosen before it runs, from the Plan.
//
// A launch runs under the policy of the program it starts and, after each exec, under the
// entry of what it runs: its closure (exec_closure). Its Landlock domain is derived from that
// closure alone, and its seccomp filter sends to the supervisor only what the kernel cannot
// decide for it:
//   - read-only opens stay with the kernel when the domain says every closure policy's reads
//     exactly (LandlockPlan::reads_exact, reads_within) and no tree is hidden;
//   - metadata reads (stat, access, readlink, xattr reads, statfs, chdir) stay with the kernel
//     unless a tree is hidden (Plan::hide());
//   - exec, writing opens, the path calls, metadata changes, addresses and unix paths always go
//     to the supervisor.
// On the supervisor route (no audit reader, logging.kernel_denials: supervisor, audit mode)
// every open and metadata read goes to the supervisor, as the kernel's denials would not be
// recorded.
//
// Filters and domains are built on first use and kept: a session that runs only builtins
// builds none, and the hundredth `ls` costs nothing here.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "enforcer/kernel_filter.h"
#include "enforcer/landlock.h"
#include "enforcer/landlock_plan.h"
#include "policy/plan.h"
#include "policy/result.h"

namespace stsh::enforcer {

struct Confinement {
  const LandlockRuleset* landlock = nullptr;  // null: no domain (audit mode)
  const CompiledFilter* filter = nullptr;
  bool read_opens_in_kernel = false;
  bool metadata_in_kernel = false;
  std::string why_supervised;  // why read opens go to the supervisor; "" when they do not
};

// The policies a launch of `program` under `starter` may run under: the entry `program` runs
// under and, transitively, every command entry one of them may exec. Commands behind glob keys
// are taken in whenever the list that could start them is not a literal one.
[[nodiscard]] std::vector<const policy::CommandPolicy*> exec_closure(
    const policy::Plan& plan, const policy::CommandPolicy& starter, const std::string& program);

class ConfinementCache {
 public:
  // `kernel_first`: the kernel may decide what it can say exactly (its denials are recorded,
  // or the policy chose not to record them). False: the supervisor route.
  ConfinementCache(const policy::Plan& plan, policy::Mode mode, bool kernel_first);

  // The confinement for launching `program` under `starter`, and the supervisor-route one for
  // the same domain (taken when the audit reader refuses the launch).
  struct Choice {
    const Confinement* planned;
    const Confinement* supervised;
  };
  Result<Choice> for_launch(const policy::CommandPolicy& starter, const std::string& program);

 private:
  Result<const CompiledFilter*> filter(bool supervise_read_opens, bool supervise_metadata);
  const LandlockPlan& member_plan(const policy::CommandPolicy* p);

  const policy::Plan* plan_;
  policy::Mode mode_;
  bool kernel_first_;
  std::map<int, std::unique_ptr<CompiledFilter>> filters_;  // by the two supervise bits
  std::map<const policy::CommandPolicy*, LandlockPlan> member_plans_;
  std::map<std::pair<std::vector<const policy::CommandPolicy*>, std::string>,
           std::unique_ptr<LandlockRuleset>>
      domains_;
  std::map<std::pair<std::vector<const policy::CommandPolicy*>, std::string>,
           std::pair<std::unique_ptr<Confinement>, std::unique_ptr<Confinement>>>
      choices_;
};

// The routing the supervisor needs for these two choices (exec and the brokers' calls).
[[nodiscard]] KernelFilterSpec routing_spec(bool supervise_read_opens, bool supervise_metadata);

}  // namespace stsh::enforcer
