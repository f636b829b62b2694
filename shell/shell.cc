// The shell's variables, environment and the small services builtins and expansion use.
#include "shell/shell.h"

#include <unistd.h>

#include <cstring>

#include "enforcer/environment.h"

namespace stsh::shell {

Shell::Shell(const policy::Plan& plan, policy::UserInfo user, enforcer::ViolationLog& log,
             enforcer::Supervisor& supervisor, policy::Mode mode,
             std::vector<std::string> environment)
    : plan_(&plan),
      user_(std::move(user)),
      log_(&log),
      supervisor_(&supervisor),
      mode_(mode),
      fs_(plan, log, mode) {
  for (const std::string& entry : environment) {
    const size_t eq = entry.find('=');
    if (eq != std::string::npos) set_variable(entry.substr(0, eq), entry.substr(eq + 1), true);
  }
  char buf[4096];
  set_cwd(getcwd(buf, sizeof buf) ? std::string(buf) : user_.home);
}

void Shell::set_variable(const std::string& name, std::string value, bool exported) {
  Variable& v = variables_[name];
  v.value = std::move(value);
  v.exported = v.exported || exported;
}

void Shell::unset_variable(const std::string& name) {
  variables_.erase(name);
}

void Shell::export_variable(const std::string& name) {
  variables_[name].exported = true;
}

std::vector<std::string> Shell::environment() const {
  std::vector<std::string> env;
  for (const auto& [name, v] : variables_) {
    if (v.exported) env.push_back(name + "=" + v.value);
  }
  return enforcer::scrub_environment(plan_->session(), std::move(env));
}

void Shell::set_cwd(std::string cwd) {
  cwd_ = std::move(cwd);
  set_variable("PWD", cwd_, true);
}

std::optional<std::string> Shell::variable(std::string_view name) {
  if (name == "?") return std::to_string(last_status_);
  if (name == "$") return std::to_string(getpid());
  if (name == "!") {
    if (last_background_ == 0) return std::nullopt;
    return std::to_string(last_background_);
  }
  if (name == "#") return "0";
  if (name == "0") return "stsh";
  const auto it = variables_.find(std::string(name));
  if (it == variables_.end()) return std::nullopt;
  return it->second.value;
}

std::optional<std::vector<std::string>> Shell::list_directory(const std::string& dir) {
  return fs_.list(dir);
}

enforcer::ProgramLookup Shell::lookup(const std::string& name) const {
  const auto path = variables_.find("PATH");
  return enforcer::find_program(name, path == variables_.end() ? "" : path->second.value);
}

bool Shell::over_warning_limit() {
  const unsigned limit = plan_->session().warning_limit;
  if (limit == 0 || log_->violations() < limit) return false;
  if (!limit_reported_) {
    limit_reported_ = true;
    warn("stsh: " + std::to_string(log_->violations()) +
         " policy violations in this session (the limit is " + std::to_string(limit) +
         "); the session ends");
    log_->event("warning-limit", {{"violations", std::to_string(log_->violations())},
                                  {"limit", std::to_string(limit)}});
    request_exit(1);
  }
  return true;
}

std::string Shell::finished_jobs_report() {
  std::string out;
  for (Job& job : jobs_.all()) {
    if (job.state() != Job::State::done || job.reported) continue;
    job.reported = true;
    std::string state = describe_state(job);
    state.resize(std::max<size_t>(state.size(), 24), ' ');
    out += "[" + std::to_string(job.id) + "]   " + state + job.text + "\n";
  }
  jobs_.prune();
  return out;
}

void Shell::warn(const std::string& message) {
  const std::string line = message + "\n";
  if (write(STDERR_FILENO, line.data(), line.size()) < 0) {
    // Nowhere left to say it.
  }
}

}  // namespace stsh::shell
