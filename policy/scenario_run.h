// `stsh-policy test`: every step of every scenario decided by Plan::decide (the engine
// `explain` uses), compared with what the step expects; `--live` also runs exec steps that
// carry `live:` under stsh-run and checks their exit status and output.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "policy/plan.h"
#include "policy/scenario.h"

namespace stsh::policy {

// The policy a step runs under: from the login, policy_after_exec along `step.as`.
const CommandPolicy& step_policy(const Plan& plan, const Step& step);

// Whether `d` is what `e` asks for (unset errno and log are not compared).
bool meets(const Expectation& e, const Decision& d);

struct LiveOptions {
  bool enabled = false;
  std::string stsh_run;     // the stsh-run binary
  std::string policy_file;  // passed as --policy
  std::string policy_dir;   // passed as --policy-dir when not empty
  int timeout_s = 60;
};

struct TestTotals {
  size_t scenarios = 0, scenarios_failed = 0, steps = 0, steps_failed = 0, live_runs = 0;
};

// Writes one line per scenario ("ok" or "FAIL") and, for each failing step, what was expected,
// what happened, the deciding rule and the nearest change.
TestTotals run_scenarios(const Plan& plan, const std::vector<ScenarioFile>& files,
                         const LiveOptions& live, std::ostream& out);

// One command line run for real: stsh-run's exit status and output.
struct LiveResult {
  int status = -1;  // exit status; 128+N for a signal; -1 if it could not be run
  std::string out, err;
  std::string failure;  // why it could not be run or timed out
};
LiveResult run_live(const LiveOptions& live, const Step& step);

}  // namespace stsh::policy
