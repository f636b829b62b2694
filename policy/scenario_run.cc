#include "policy/scenario_run.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include "policy/decision_suggest.h"
#include "policy/errno_names.h"
#include "policy/explain.h"

namespace stsh::policy {
namespace {

std::string context_name(const CommandPolicy& p) {
  return p.is_login() ? "the login" : p.key() + " (" + std::string(p.origin()) + ")";
}

std::string where_text(const SourceLocation& w) {
  return w.file + ":" + std::to_string(w.line) + ":" + std::to_string(w.column);
}

void report_failure(const Plan& plan, const Step& st, const CommandPolicy& policy,
                    const Decision& d, const std::string& live_problem, std::ostream& out) {
  out << "  " << where_text(st.where) << ": " << st.text << "\n";
  if (!st.as.empty()) {
    out << "    as:        ";
    for (size_t i = 0; i < st.as.size(); ++i) out << (i ? " -> " : "") << st.as[i];
    out << "\n";
  }
  out << "    context:   " << context_name(policy) << "\n"
      << "    call:      " << describe_call(st.call) << "\n"
      << "    expected:  " << st.expect.text << "\n"
      << "    got:       " << describe(d) << "\n"
      << "    rule:      " << d.rule;
  const std::string source = decision_source(plan, policy, d);
  if (!source.empty()) out << "  " << source;
  out << "\n";
  if (!live_problem.empty()) {
    out << "    live:      " << live_problem << "\n";
  }
  if (!meets(st.expect, d) && d.verdict != st.expect.verdict) {
    for (const auto& line : suggest_change(plan, policy, st.call, d, st.expect.verdict))
      out << "    " << line << "\n";
  } else if (!meets(st.expect, d)) {
    out << "    (the verdict is right; the errno or the log flag differs: see the rule above)\n";
  }
}

// Reads both pipes until the child ends or the deadline passes.
void drain(int out_fd, int err_fd, pid_t pid, int timeout_s, LiveResult& r) {
  struct timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  int open_fds = 2;
  while (open_fds > 0) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    const long left_ms = timeout_s * 1000L - ((now.tv_sec - start.tv_sec) * 1000L +
                                              (now.tv_nsec - start.tv_nsec) / 1000000L);
    if (left_ms <= 0) {
      kill(pid, SIGKILL);
      r.failure = "timed out after " + std::to_string(timeout_s) + "s";
      break;
    }
    const int n = poll(fds, 2, static_cast<int>(left_ms));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[4096];
      const ssize_t got = read(fds[i].fd, buf, sizeof buf);
      if (got > 0) {
        std::string& to = i == 0 ? r.out : r.err;
        if (to.size() < (1u << 20)) to.append(buf, static_cast<size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
}

}  // namespace

const CommandPolicy& step_policy(const Plan& plan, const Step& step) {
  const CommandPolicy* p = &plan.login();
  for (const auto& exe : step.as) p = &plan.policy_after_exec(*p, exe);
  return *p;
}

bool meets(const Expectation& e, const Decision& d) {
  if (e.verdict != d.verdict) return false;
  if (e.error && d.verdict == Verdict::deny && *e.error != d.error) return false;
  if (e.log && *e.log != d.log) return false;
  return true;
}

LiveResult run_live(const LiveOptions& live, const Step& step) {
  LiveResult r;
  std::vector<std::string> args{live.stsh_run, "--policy", live.policy_file};
  if (!live.policy_dir.empty()) args.insert(args.end(), {"--policy-dir", live.policy_dir});
  args.push_back("--");
  args.insert(args.end(), step.words.begin(), step.words.end());
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) {
    r.failure = std::string("pipe2: ") + strerror(errno);
    return r;
  }
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    r.failure = std::string("pipe2: ") + strerror(errno);
    close(out_pipe[0]), close(out_pipe[1]);
    return r;
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) {
    r.failure = std::string("fork: ") + strerror(errno);
    return r;
  }
  if (pid == 0) {
    // The child: the scenario's directory, no terminal input, the two pipes, then stsh-run.
    const int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd < 0 || dup2(null_fd, 0) < 0 || dup2(out_pipe[1], 1) < 0 ||
        dup2(err_pipe[1], 2) < 0) {
      _exit(125);
    }
    if (chdir(step.cwd.c_str()) != 0 && chdir("/") != 0) _exit(125);
    execv(argv[0], argv.data());
    dprintf(2, "stsh-policy: cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(125);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  drain(out_pipe[0], err_pipe[0], pid, live.timeout_s, r);
  close(out_pipe[0]);
  close(err_pipe[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

TestTotals run_scenarios(const Plan& plan, const std::vector<ScenarioFile>& files,
                         const LiveOptions& live, std::ostream& out) {
  TestTotals t;
  for (const auto& file : files) {
    for (const auto& sc : file.scenarios) {
      ++t.scenarios;
      std::ostringstream failures;
      size_t failed = 0;
      for (const auto& st : sc.steps) {
        ++t.steps;
        const CommandPolicy& policy = step_policy(plan, st);
        const Decision d = plan.decide(policy, st.call);
        bool ok = meets(st.expect, d);
        std::string live_problem;
        if (live.enabled && st.live) {
          ++t.live_runs;
          const LiveResult r = run_live(live, st);
          if (!r.failure.empty()) {
            live_problem = r.failure;
          } else if (r.status != st.live->status) {
            live_problem = "exit status " + std::to_string(r.status) + ", expected " +
                           std::to_string(st.live->status);
          } else if (r.err.find(st.live->stderr_has) == std::string::npos) {
            live_problem = "stderr does not contain \"" + st.live->stderr_has + "\"";
          } else if (r.out.find(st.live->stdout_has) == std::string::npos) {
            live_problem = "stdout does not contain \"" + st.live->stdout_has + "\"";
          }
          if (!live_problem.empty()) {
            std::string err = r.err.substr(0, 600);
            if (!err.empty()) live_problem += "; stderr: " + err;
            while (!live_problem.empty() && live_problem.back() == '\n') live_problem.pop_back();
          }
        }
        if (ok && live_problem.empty()) continue;
        ++failed;
        report_failure(plan, st, policy, d, live_problem, failures);
      }
      t.steps_failed += failed;
      if (failed == 0) {
        out << "ok    " << where_text(sc.where) << ": " << sc.name << "\n";
      } else {
        ++t.scenarios_failed;
        out << "FAIL  " << where_text(sc.where) << ": " << sc.name << "\n" << failures.str();
      }
    }
  }
  return t;
}

}  // namespace stsh::policy
