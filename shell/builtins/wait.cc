#include "shell/builtins.h"
#include "shell/jobs.h"
#include "shell/shell.h"
#include "shell/variable_name.h"

namespace stsh::shell {

// wait [%job | pid ...]: until those background jobs (or all) end; the status of the last.
STSH_BUILTIN(wait) {
  if (argv.size() == 1) return shell.wait_for(nullptr);
  int status = 0;
  for (size_t i = 1; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    Job* job = nullptr;
    long n = 0;
    if (a.size() > 1 && a[0] == '%' && parse_number(a.substr(1), n)) {
      job = shell.jobs().find(static_cast<int>(n));
      // An unknown job is an error (2, as dash); an unknown pid is 127 (XCU wait).
      if (!job) {
        io.err += "stsh: wait: " + a + ": no such job\n";
        status = 2;
        continue;
      }
    } else if (parse_number(a, n)) {
      for (Job& j : shell.jobs().all()) {
        for (const Job::Process& p : j.processes) {
          if (p.pid == n) job = &j;
        }
      }
    } else {
      io.err += "stsh: wait: `" + a + "': not a pid or valid job spec\n";
      status = 2;
      continue;
    }
    status = job ? shell.wait_for(job) : 127;
  }
  return status;
}

}  // namespace stsh::shell
