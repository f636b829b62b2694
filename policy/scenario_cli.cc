#include "policy/scenario_cli.h"

#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <iostream>

#include "policy/compiler.h"
#include "policy/scenario_run.h"

namespace stsh::policy {
namespace {

constexpr int kExitOk = 0, kExitFail = 1, kExitUsage = 2;

constexpr const char* kTestUsage =
    "usage: stsh-policy test [--user NAME] [--policy-dir DIR] [--live [--stsh-run PATH]]\n"
    "                        POLICY SCENARIOS...\n"
    "Decides every step of the scenario files (man 5 stsh-scenario) under POLICY and compares\n"
    "it with the step's expect:. --live also runs the exec steps marked live: under\n"
    "stsh-run --policy POLICY. Exit 0 all pass, 1 some fail, 2 bad input.\n";

// stsh-run next to stsh-policy when installed, in the build tree's enforcer/ when built.
std::string default_stsh_run() {
  char self[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n > 0) {
    self[n] = '\0';
    std::string dir(self);
    dir.resize(dir.rfind('/'));
    for (const std::string& c : {dir + "/stsh-run", dir + "/../enforcer/stsh-run"}) {
      if (access(c.c_str(), X_OK) == 0) return c;
    }
  }
  return "/usr/bin/stsh-run";
}

}  // namespace

Result<std::shared_ptr<const Plan>> load_policy_file(const std::string& file,
                                                     const std::string& policy_dir,
                                                     const UserInfo& user) {
  PlanRequest req;
  req.file = file;
  req.policy_dir = policy_dir;
  req.trust = Trust::explicit_file;
  return load_plan(req, user);
}

ScenarioEnv scenario_env(const UserInfo& user, const Plan& plan) {
  ScenarioEnv env;
  env.vars = Variables::for_user(user);
  for (const auto& [name, value] : plan.session().env.set) {
    if (name == "PATH") env.search_path = value;
  }
  return env;
}

bool load_scenario_files(const std::vector<std::string>& paths, const ScenarioEnv& env,
                         std::vector<ScenarioFile>& out) {
  for (const auto& p : paths) {
    auto f = load_scenarios(p, env);
    if (!f) {
      std::cerr << f.error().to_string() << "\n";
      return false;
    }
    out.push_back(std::move(*f));
  }
  return true;
}

int test_main(const std::vector<std::string>& args) {
  std::string user_name, policy_dir, stsh_run;
  LiveOptions live;
  std::vector<std::string> positional;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= args.size()) return false;
      out = args[++i];
      return true;
    };
    if (a == "--help" || a == "-h") {
      std::cout << kTestUsage;
      return kExitOk;
    } else if (a == "--user") {
      if (!value(user_name)) return std::cerr << "stsh-policy: --user needs a NAME\n", kExitUsage;
    } else if (a == "--policy-dir") {
      if (!value(policy_dir))
        return std::cerr << "stsh-policy: --policy-dir needs a DIR\n", kExitUsage;
    } else if (a == "--stsh-run") {
      if (!value(stsh_run))
        return std::cerr << "stsh-policy: --stsh-run needs a PATH\n", kExitUsage;
    } else if (a == "--live") {
      live.enabled = true;
    } else if (a.size() > 1 && a[0] == '-') {
      std::cerr << "stsh-policy: unknown option '" << a << "'\n" << kTestUsage;
      return kExitUsage;
    } else {
      positional.push_back(a);
    }
  }
  if (live.enabled && !user_name.empty()) {
    // stsh-run runs the commands as the invoking user, under $HOME of that user.
    std::cerr
        << "stsh-policy: --live runs the commands as you: it cannot be combined with --user\n";
    return kExitUsage;
  }
  if (positional.size() < 2) {
    std::cerr << "stsh-policy: test needs a POLICY and at least one SCENARIOS file\n" << kTestUsage;
    return kExitUsage;
  }
  auto user = user_name.empty() ? lookup_user(getuid()) : lookup_user(user_name);
  if (!user) return std::cerr << "stsh-policy: " << user.error().to_string() << "\n", kExitUsage;
  auto plan = load_policy_file(positional[0], policy_dir, *user);
  if (!plan) return std::cerr << plan.error().to_string() << "\n", kExitUsage;
  std::vector<ScenarioFile> files;
  if (!load_scenario_files({positional.begin() + 1, positional.end()}, scenario_env(*user, **plan),
                           files)) {
    return kExitUsage;
  }
  if (live.enabled) {
    live.stsh_run = stsh_run.empty() ? default_stsh_run() : stsh_run;
    // Steps run in their scenario's directory: a relative --stsh-run must not move with them.
    char abs[PATH_MAX];
    if (realpath(live.stsh_run.c_str(), abs) != nullptr) live.stsh_run = abs;
    live.policy_file = positional[0];
    live.policy_dir = policy_dir;
  }
  const auto start = std::chrono::steady_clock::now();
  const TestTotals t = run_scenarios(**plan, files, live, std::cout);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::cout << "scenarios: " << t.scenarios - t.scenarios_failed << " passed, "
            << t.scenarios_failed << " failed (" << t.steps << " operations, " << t.steps_failed
            << " failing";
  if (live.enabled) std::cout << ", " << t.live_runs << " run live";
  std::cout << "; " << static_cast<long>(ms) << " ms)\n";
  return t.scenarios_failed == 0 ? kExitOk : kExitFail;
}

}  // namespace stsh::policy
