#include "shell/builtins.h"
#include "shell/shell.h"

namespace stsh::shell {

// jobs: every job of the session, with its state; finished ones are then forgotten.
STSH_BUILTIN(jobs) {
  (void)argv;
  shell.service_background();
  const Job* current = shell.jobs().current();
  for (Job& job : shell.jobs().all()) {
    std::string state = describe_state(job);
    state.resize(std::max<size_t>(state.size(), 24), ' ');
    io.out += "[" + std::to_string(job.id) + "]" + (&job == current ? "+  " : "   ") + state +
              job.text + (job.state() == Job::State::running && job.background ? " &" : "") + "\n";
    if (job.state() == Job::State::done) job.reported = true;
  }
  shell.jobs().prune();
  return 0;
}

}  // namespace stsh::shell
