// Jobs: the pipelines the shell started, by process group, with the state of each process as
// the supervisor reports it (waitpid-style events). Job control proper — whose turn the
// terminal is — lives in terminal.h; this is the bookkeeping.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "enforcer/supervisor.h"

namespace stsh::shell {

struct Job {
  enum class State { running, stopped, done };
  struct Process {
    pid_t pid = 0;
    State state = State::running;
    int status = 0;  // the last waitpid-style status
  };

  int id = 0;  // %1, %2, ...
  pid_t pgid = 0;
  std::string text;  // the command line, for `jobs`
  std::vector<Process> processes;
  bool background = false;
  bool reported = false;  // its end was announced (or it was a foreground job)

  // Stopped when nothing runs and something is stopped; done when everything is.
  [[nodiscard]] State state() const;
  // Continued by the shell (fg, bg): running until the supervisor reports otherwise.
  void mark_running();
  // The job's exit status as $? sees it: the last process's (128+N for a signal or stop).
  [[nodiscard]] int exit_status() const;
};

class JobTable {
 public:
  Job& add(pid_t pgid, std::string text, std::vector<pid_t> pids, bool background);
  // Applies one supervisor event. An event for a process no job has yet (a stage that
  // ended while the shell was still starting the rest of its pipeline) is kept for add().
  void update(const enforcer::ProcessEvent& e);

  Job* find(int id);
  // The job `%N`, `%+`/`%%`/empty (current: the newest), `%-` (previous) names; nullptr if none.
  Job* parse_spec(const std::string& spec);
  Job* current();
  std::vector<Job>& all() { return jobs_; }
  // Removes finished jobs whose end was announced.
  void prune();

 private:
  bool apply(const enforcer::ProcessEvent& e);
  int next_id() const;

  std::vector<Job> jobs_;
  std::vector<enforcer::ProcessEvent> early_;
};

// "Done", "Stopped", "Running", "Exit 2", "Killed", ... as `jobs` prints it.
std::string describe_state(const Job& job);

// The $? of a waitpid status: exit code, 128+signal, 128+stop signal.
int status_to_exit_code(int status);

}  // namespace stsh::shell
