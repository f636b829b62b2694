// The shell's variables, environment and the small services builtins and expansion use.
#include "shell/shell.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstring>

#include "enforcer/environment.h"
#include "policy/units.h"

namespace stsh::shell {

Shell::Shell(const policy::Plan& plan, policy::UserInfo user, enforcer::ViolationLog& log,
             Launcher& supervisor, policy::Mode mode,
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
  (void)try_set_variable(name, std::move(value), exported);
}

std::optional<std::string> Shell::try_set_variable(const std::string& name, std::string value,
                                                   bool exported) {
  Variable& v = variables_[name];
  if (v.readonly) return name + ": is read only";
  v.value = std::move(value);
  v.set = true;
  v.exported = v.exported || exported;
  return std::nullopt;
}

bool Shell::unset_variable(const std::string& name) {
  const auto it = variables_.find(name);
  if (it == variables_.end()) return true;
  if (it->second.readonly) return false;
  variables_.erase(it);
  return true;
}

void Shell::export_variable(const std::string& name) {
  auto [it, inserted] = variables_.try_emplace(name);
  if (inserted) it->second.set = false;
  it->second.exported = true;
}

void Shell::make_readonly(const std::string& name) {
  auto [it, inserted] = variables_.try_emplace(name);
  if (inserted) it->second.set = false;
  it->second.readonly = true;
}

bool Shell::is_readonly(const std::string& name) const {
  const auto it = variables_.find(name);
  return it != variables_.end() && it->second.readonly;
}

std::vector<Shell::VariableView> Shell::variables() const {
  std::vector<VariableView> out;
  for (const auto& [name, v] : variables_) {
    out.push_back({name, v.value, v.exported, v.readonly, v.set});
  }
  return out;
}

bool Shell::make_local(const std::string& name) {
  if (locals_.empty()) return false;
  auto& frame = locals_.back();
  if (frame.count(name)) return true;
  const auto it = variables_.find(name);
  frame[name] = it == variables_.end() ? std::nullopt : std::optional<Variable>(it->second);
  return true;
}

bool Shell::make_options_local() {
  if (local_options_.empty()) return false;
  if (!local_options_.back()) local_options_.back() = options_;
  return true;
}

// In dash's order (its option table backwards), so that scripts printing $- see the same.
std::string Shell::option_letters() const {
  std::string s;
  if (options_.nounset) s += 'u';
  if (options_.noclobber) s += 'C';
  if (options_.verbose) s += 'v';
  if (options_.xtrace) s += 'x';
  if (terminal_) s += 'i';
  if (options_.noglob) s += 'f';
  if (options_.errexit) s += 'e';
  return s;
}

std::shared_ptr<const SimpleCommand> Shell::function(const std::string& name) const {
  const auto it = functions_.find(name);
  return it == functions_.end() ? nullptr : it->second;
}

bool Shell::unset_function(const std::string& name) {
  return functions_.erase(name) > 0;
}

std::vector<std::string> Shell::function_names() const {
  std::vector<std::string> names;
  for (const auto& [name, body] : functions_) names.push_back(name);
  return names;
}

int Shell::current_line() const {
  if (!current_source_ || current_offset_ > current_source_->size()) return 0;
  return locate(*current_source_, current_offset_).line;
}

Status Shell::assign(const std::string& name, const std::string& value) {
  if (auto e = try_set_variable(name, value)) {
    fatal_expansion_ = true;
    return make_error(*e);
  }
  return Ok{};
}

void Shell::on_fatal_expansion_error() {
  fatal_expansion_ = true;
}

std::vector<std::string> Shell::environment() const {
  std::vector<std::string> env;
  for (const auto& [name, v] : variables_) {
    if (v.exported && v.set) env.push_back(name + "=" + v.value);
  }
  return enforcer::scrub_environment(plan_->session(), std::move(env));
}

void Shell::set_cwd(std::string cwd) {
  cwd_ = std::move(cwd);
  set_variable("PWD", cwd_, true);
}

std::optional<std::string> Shell::variable(std::string_view name) {
  if (name == "?") return std::to_string(last_status_);
  if (name == "$") return std::to_string(shell_pid_);
  if (name == "!") {
    if (last_background_ == 0) return std::nullopt;
    return std::to_string(last_background_);
  }
  if (name == "#") return std::to_string(positional_.size());
  if (name == "0") return arg0_;
  if (name == "-") return option_letters();
  if (name == "@" || name == "*") {
    std::string joined;
    for (size_t i = 0; i < positional_.size(); ++i) joined += (i ? " " : "") + positional_[i];
    return joined;
  }
  if (!name.empty() && name[0] >= '1' && name[0] <= '9') {
    size_t n = 0;
    for (char c : name) {
      if (c < '0' || c > '9' || n > 1000000) return std::nullopt;
      n = n * 10 + static_cast<size_t>(c - '0');
    }
    if (n == 0 || n > positional_.size()) return std::nullopt;
    return positional_[n - 1];
  }
  if (name == "LINENO" && !variables_.count("LINENO")) {
    // The line of the command being run, in the text it came from.
    const auto base = line_bases_.find(current_source_);
    return std::to_string((base != line_bases_.end() ? base->second.second : line_base_) +
                          current_line());
  }
  const auto it = variables_.find(std::string(name));
  if (it == variables_.end() || !it->second.set) return std::nullopt;
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
  if (!limit_reported_ && !worker_) {
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
  // Standard error as commands see it: `{ nosuch; } 2>/dev/null` silences the message too.
  const auto err = io_.find(2);
  if (err == io_.end()) return;
  if (feedable_.count(err->second)) {
    pump_.feed(UniqueFd(fcntl(err->second, F_DUPFD_CLOEXEC, 3)), line);
    return;
  }
  if (write(err->second, line.data(), line.size()) < 0) {
    // Nowhere left to say it.
  }
}

enforcer::LaunchLimit Shell::command_limit(int resource) const {
  if (const auto it = limits_.find(resource); it != limits_.end()) return it->second;
  // What confine_child gives a command: the policy's limit, soft and hard; else ours.
  for (const policy::Limit& limit : plan_->session().limits) {
    if (limit.resource != resource) continue;
    const uint64_t value = limit.value == policy::kUnlimited ? RLIM_INFINITY : limit.value;
    return {resource, value, value};
  }
  rlimit rl{};
  if (getrlimit(static_cast<__rlimit_resource>(resource), &rl) != 0) {
    return {resource, RLIM_INFINITY, RLIM_INFINITY};
  }
  return {resource, rl.rlim_cur, rl.rlim_max};
}

}  // namespace stsh::shell
