#include "policy/policy_diff.h"

#include <fcntl.h>
#include <unistd.h>

#include <iostream>

#include "policy/explain.h"
#include "policy/scenario_cli.h"
#include "policy/scenario_run.h"

namespace stsh::policy {
namespace {

constexpr int kExitOk = 0, kExitFail = 1, kExitUsage = 2;

constexpr const char* kDiffUsage =
    "usage: stsh-policy diff [--user NAME] [--policy-dir DIR] OLD NEW\n"
    "                        [--scenarios FILE...] [--log FILE...]\n"
    "Decides the scenario files' operations and the logged violations' calls under OLD and\n"
    "NEW and lists each decision that differs. Exit 0 none differ, 1 some do, 2 bad input.\n";

bool same(const Decision& a, const Decision& b) {
  return a.verdict == b.verdict && a.error == b.error && a.log == b.log;
}

std::string side(const Plan& plan, const CommandPolicy& p, const Decision& d) {
  std::string s = describe(d) + "  rule " + std::string(d.rule);
  const std::string source = decision_source(plan, p, d);
  if (!source.empty()) s += "  " + source;
  if (!p.is_login()) s += "  [entry " + p.key() + " " + std::string(p.origin()) + "]";
  return s;
}

std::string where_text(const SourceLocation& w) {
  return w.file + ":" + std::to_string(w.line) + ":" + std::to_string(w.column);
}

}  // namespace

const CommandPolicy& logged_policy(const Plan& plan, const LoggedCall& c) {
  if (const CommandPolicy* own = plan.command_for(c.exe)) return *own;
  for (const auto& cmd : plan.commands()) {
    if (cmd->origin() == c.entry) return *cmd;
  }
  return plan.login();
}

DiffTotals diff_plans(const Plan& old_plan, const Plan& new_plan,
                      const std::vector<ScenarioFile>& scenarios,
                      const std::vector<LoggedCall>& logged, std::ostream& out) {
  DiffTotals t;
  auto compare = [&](const std::string& where, const std::string& what, const CommandPolicy& po,
                     const CommandPolicy& pn, const Call& call) {
    ++t.operations;
    const Decision a = old_plan.decide(po, call), b = new_plan.decide(pn, call);
    if (same(a, b)) return;
    ++t.changed;
    out << where << ": " << what << "\n"
        << "  call: " << describe_call(call) << "\n"
        << "  old:  " << side(old_plan, po, a) << "\n"
        << "  new:  " << side(new_plan, pn, b) << "\n";
  };
  for (const auto& f : scenarios) {
    for (const auto& sc : f.scenarios) {
      for (const auto& st : sc.steps) {
        compare(where_text(st.where), st.text + "  (" + sc.name + ")", step_policy(old_plan, st),
                step_policy(new_plan, st), st.call);
      }
    }
  }
  for (const auto& c : logged) {
    const std::string what = "logged call of " + (c.exe.empty() ? "?" : c.exe) +
                             (c.count > 1 ? " (" + std::to_string(c.count) + " records)" : "");
    const CommandPolicy &po = logged_policy(old_plan, c), &pn = logged_policy(new_plan, c);
    if (!c.oflags_unknown) {
      compare(where_text(c.where), what, po, pn, c.call);
      continue;
    }
    for (int flags : {O_RDONLY, O_WRONLY}) {
      Call as = c.call;
      as.oflags = flags;
      compare(where_text(c.where),
              what + " (the record has no open flags: taken as " +
                  (flags == O_RDONLY ? "a read)" : "a write)"),
              po, pn, as);
    }
  }
  return t;
}

int diff_main(const std::vector<std::string>& args) {
  std::string user_name, policy_dir;
  std::vector<std::string> positional, scenario_paths, log_paths;
  std::vector<std::string>* into = &positional;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      std::cout << kDiffUsage;
      return kExitOk;
    } else if (a == "--user" || a == "--policy-dir") {
      if (i + 1 >= args.size()) {
        std::cerr << "stsh-policy: " << a << " needs a value\n";
        return kExitUsage;
      }
      (a == "--user" ? user_name : policy_dir) = args[++i];
    } else if (a == "--scenarios") {
      into = &scenario_paths;
    } else if (a == "--log") {
      into = &log_paths;
    } else if (a.size() > 1 && a[0] == '-') {
      std::cerr << "stsh-policy: unknown option '" << a << "'\n" << kDiffUsage;
      return kExitUsage;
    } else {
      // OLD and NEW come first; after --scenarios or --log, files go to that list.
      (positional.size() < 2 && into == &positional ? positional : *into).push_back(a);
    }
  }
  if (positional.size() != 2) {
    std::cerr << "stsh-policy: diff needs OLD and NEW policy files\n" << kDiffUsage;
    return kExitUsage;
  }
  if (scenario_paths.empty() && log_paths.empty()) {
    std::cerr << "stsh-policy: diff needs --scenarios FILE... or --log FILE... to compare on\n";
    return kExitUsage;
  }
  auto user = user_name.empty() ? lookup_user(getuid()) : lookup_user(user_name);
  if (!user) return std::cerr << "stsh-policy: " << user.error().to_string() << "\n", kExitUsage;
  auto old_plan = load_policy_file(positional[0], policy_dir, *user);
  if (!old_plan) return std::cerr << old_plan.error().to_string() << "\n", kExitUsage;
  auto new_plan = load_policy_file(positional[1], policy_dir, *user);
  if (!new_plan) return std::cerr << new_plan.error().to_string() << "\n", kExitUsage;
  std::vector<ScenarioFile> scenarios;
  if (!load_scenario_files(scenario_paths, scenario_env(*user, **old_plan), scenarios))
    return kExitUsage;
  std::vector<LoggedCall> logged;
  size_t skipped = 0;
  for (const auto& p : log_paths) {
    auto calls = read_logged_calls(p);
    if (!calls) return std::cerr << calls.error().to_string() << "\n", kExitUsage;
    skipped += calls->skipped;
    logged.insert(logged.end(), calls->calls.begin(), calls->calls.end());
  }
  const DiffTotals t = diff_plans(**old_plan, **new_plan, scenarios, logged, std::cout);
  std::cout << "diff: " << t.changed << " of " << t.operations << " decisions changed";
  if (skipped) std::cout << " (" << skipped << " log lines not read as violation records)";
  std::cout << "\n";
  return t.changed == 0 ? kExitOk : kExitFail;
}

}  // namespace stsh::policy
