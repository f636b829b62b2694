#include "shell/jobs.h"

#include <sys/wait.h>

#include <algorithm>
#include <cstring>

namespace stsh::shell {

int status_to_exit_code(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  if (WIFSTOPPED(status)) return 128 + WSTOPSIG(status);
  return 0;
}

Job::State Job::state() const {
  bool any_running = false, any_stopped = false;
  for (const Process& p : processes) {
    any_running |= p.state == State::running;
    any_stopped |= p.state == State::stopped;
  }
  if (any_running) return State::running;
  return any_stopped ? State::stopped : State::done;
}

void Job::mark_running() {
  for (Process& p : processes) {
    if (p.state == State::stopped) p.state = State::running;
  }
}

int Job::exit_status() const {
  if (processes.empty()) return 0;
  return status_to_exit_code(processes.back().status);
}

int JobTable::next_id() const {
  int id = 1;
  for (const Job& j : jobs_) id = std::max(id, j.id + 1);
  return id;
}

Job& JobTable::add(pid_t pgid, std::string text, std::vector<pid_t> pids, bool background) {
  Job job;
  job.id = next_id();
  job.pgid = pgid;
  job.text = std::move(text);
  job.background = background;
  for (pid_t pid : pids) job.processes.push_back({pid, Job::State::running, 0});
  jobs_.push_back(std::move(job));
  std::erase_if(early_, [this](const enforcer::ProcessEvent& e) { return apply(e); });
  return jobs_.back();
}

void JobTable::update(const enforcer::ProcessEvent& e) {
  if (!apply(e)) early_.push_back(e);
}

bool JobTable::apply(const enforcer::ProcessEvent& e) {
  for (Job& job : jobs_) {
    for (Job::Process& p : job.processes) {
      if (p.pid != e.pid) continue;
      if (WIFSTOPPED(e.status)) {
        p.state = Job::State::stopped;
        p.status = e.status;
      } else if (WIFCONTINUED(e.status)) {
        p.state = Job::State::running;
      } else {
        p.state = Job::State::done;
        p.status = e.status;
      }
      return true;
    }
  }
  return false;
}

Job* JobTable::find(int id) {
  for (Job& j : jobs_) {
    if (j.id == id) return &j;
  }
  return nullptr;
}

Job* JobTable::current() {
  // The newest stopped job, else the newest running one.
  for (auto it = jobs_.rbegin(); it != jobs_.rend(); ++it) {
    if (it->state() == Job::State::stopped) return &*it;
  }
  for (auto it = jobs_.rbegin(); it != jobs_.rend(); ++it) {
    if (it->state() == Job::State::running) return &*it;
  }
  return nullptr;
}

Job* JobTable::parse_spec(const std::string& spec) {
  if (spec.empty() || spec == "%" || spec == "%%" || spec == "%+") return current();
  if (spec == "%-") {
    Job* cur = current();
    for (auto it = jobs_.rbegin(); it != jobs_.rend(); ++it) {
      if (&*it != cur && it->state() != Job::State::done) return &*it;
    }
    return nullptr;
  }
  const std::string digits = spec[0] == '%' ? spec.substr(1) : spec;
  if (digits.empty() || digits.size() > 6 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return nullptr;
  }
  return find(std::stoi(digits));
}

void JobTable::prune() {
  std::erase_if(jobs_, [](const Job& j) { return j.state() == Job::State::done && j.reported; });
}

std::string describe_state(const Job& job) {
  switch (job.state()) {
    case Job::State::running:
      return "Running";
    case Job::State::stopped:
      return "Stopped";
    case Job::State::done:
      break;
  }
  const int status = job.processes.empty() ? 0 : job.processes.back().status;
  if (WIFSIGNALED(status)) {
    const char* name = sigdescr_np(WTERMSIG(status));
    return name ? name : "Killed";
  }
  const int code = WEXITSTATUS(status);
  return code == 0 ? "Done" : "Exit " + std::to_string(code);
}

}  // namespace stsh::shell
