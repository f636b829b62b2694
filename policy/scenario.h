// Scenario files for `stsh-policy test` and `diff` (man 5 stsh-scenario): operations — a
// command line to exec, a system call with arguments — each with the decision it must get.
// Loading only: paths are made canonical here, so evaluating is one Plan::decide per step.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/call.h"
#include "policy/result.h"
#include "policy/variables.h"

namespace stsh::policy {

// What a step must get. Unset fields are not checked.
struct Expectation {
  Verdict verdict = Verdict::permit;
  std::optional<int> error;  // deny[ERRNO]
  std::optional<bool> log;   // "log" or "nolog"
  std::string text;          // as written, for messages
};

// `live:` of an exec step: what the command run for real under stsh-run must do.
struct LiveExpectation {
  int status = 0;          // exit status of stsh-run
  std::string stderr_has;  // a substring of its standard error ("" = not checked)
  std::string stdout_has;
};

struct Step {
  SourceLocation where;
  std::string text;  // "open: /etc/shadow read", for messages
  bool is_exec = false;
  std::vector<std::string> words;  // exec: the command line's words, as the user typed them
  Call call;                       // canonical
  // The programs exec'd, from the login, to reach the policy the step runs under
  // (Plan::policy_after_exec along the chain); empty: the login itself.
  std::vector<std::string> as;
  std::string cwd;  // absolute; relative paths were taken from it
  Expectation expect;
  std::optional<LiveExpectation> live;
};

struct Scenario {
  std::string name;
  SourceLocation where;
  std::vector<Step> steps;
};

struct ScenarioFile {
  std::string path;
  std::vector<Scenario> scenarios;
};

// How words become paths: $HOME, $USER, $UID and a leading ~ from the user the policy is
// loaded for; programs named without a '/' are looked up in `search_path` (':'-separated).
struct ScenarioEnv {
  Variables vars;
  std::string search_path = "/usr/bin:/bin";
};

Result<ScenarioFile> parse_scenarios(std::string_view text, const std::string& path,
                                     const ScenarioEnv& env);
Result<ScenarioFile> load_scenarios(const std::string& path, const ScenarioEnv& env);

// "permit", "deny[EACCES] log", "deny nolog" -> an Expectation; nullopt-like error text.
Result<Expectation> parse_expectation(std::string_view text);

// Splits a command line into words: blanks separate, '...' and "..." quote, \ escapes.
Result<std::vector<std::string>> split_words(std::string_view line);

// The program an exec word names: looked up in `search_path` when it has no '/', then
// resolved through symlinks as the kernel would when it exists (vi -> /usr/bin/vim.basic).
std::string resolve_program(std::string_view word, const std::string& cwd,
                            const std::string& search_path);

}  // namespace stsh::policy
