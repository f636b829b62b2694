// stsh-run: run one command confined by a policy, as if the user had started it from stsh.
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "enforcer/environment.h"
#include "enforcer/program_lookup.h"
#include "enforcer/record_file_sink.h"
#include "enforcer/supervisor.h"
#include "policy/compiler.h"
#include "policy/explain.h"
#include "stsh_config.h"

extern char** environ;

namespace {

using namespace stsh;
using namespace stsh::policy;

constexpr int kExitDenied = 126, kExitNotFound = 127, kExitUsage = 2;

constexpr const char* kUsage =
    "usage: stsh-run (--policy FILE | --user NAME) [--policy-dir DIR] [--mode enforce|audit]\n"
    "                [--route auto|supervisor] [--records FILE] -- COMMAND [ARG...]\n"
    "       stsh-run --help | --version\n"
    "\n"
    "Runs COMMAND confined by the policy, as if the user had started it from stsh: COMMAND must\n"
    "be one of the policy's commands; every program it starts meets the policy; violations go\n"
    "to syslog. Exits with COMMAND's status (128+N when killed by signal N), 126 when the exec\n"
    "is denied or the command cannot be confined, 127 when COMMAND is not found.\n"
    "\n"
    "--policy FILE    use FILE; its owner may be root or you (a login requires root)\n"
    "--user NAME      use NAME's policy set as a login would (default: the invoking user)\n"
    "--policy-dir DIR policy directory (default " STSH_POLICY_DIR
    ")\n"
    "--mode MODE      enforce (default: the policy's mode) or audit: permit, but log what\n"
    "                 would have been denied\n"
    "--route ROUTE    auto (default): the kernel decides what it can say exactly when its\n"
    "                 denials are recorded (stsh-audit) or the policy says kernel_denials:\n"
    "                 unrecorded; supervisor: the supervisor decides every open and stat\n"
    "--records FILE   append the records to FILE (created 0600) instead of sending them to\n"
    "                 syslog, one line each in rsyslog's file format\n";

struct Options {
  std::string policy_file, user, policy_dir, mode, records, route;
  std::vector<std::string> command;
};

std::string parse(int argc, char** argv, Options& o) {
  int i = 1;
  for (; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= argc) return false;
      out = argv[++i];
      return true;
    };
    if (a == "--") {
      ++i;
      break;
    } else if (a == "--policy") {
      if (!value(o.policy_file)) return "--policy needs a FILE";
    } else if (a == "--user") {
      if (!value(o.user)) return "--user needs a NAME";
    } else if (a == "--policy-dir") {
      if (!value(o.policy_dir)) return "--policy-dir needs a DIR";
    } else if (a == "--records") {
      if (!value(o.records)) return "--records needs a FILE";
    } else if (a == "--mode") {
      if (!value(o.mode)) return "--mode needs enforce or audit";
      // learn would confine less than the policy says: learning is stsh-policy learn (8.7, 13).
      if (o.mode == "learn")
        return "--mode learn is refused; stsh-policy learn writes a draft policy from a run, or use --mode audit to try a policy";
      if (o.mode != "enforce" && o.mode != "audit") return "--mode must be enforce or audit";
    } else if (a == "--route") {
      if (!value(o.route)) return "--route needs auto or supervisor";
      if (o.route != "auto" && o.route != "supervisor") return "--route must be auto or supervisor";
    } else if (!a.empty() && a[0] == '-') {
      return "unknown option '" + a + "'";
    } else {
      break;
    }
  }
  for (; i < argc; ++i) o.command.push_back(argv[i]);
  if (o.command.empty()) return "missing COMMAND";
  return "";
}

// COMMAND as execvp would find it, then canonical (commands are matched canonically).
int exit_code(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return kExitDenied;
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc && std::strcmp(argv[i], "--") != 0; ++i) {
    if (std::strcmp(argv[i], "--help") == 0) {
      std::cout << kUsage;
      return 0;
    }
    if (std::strcmp(argv[i], "--version") == 0) {
      std::cout << "stsh-run " STSH_VERSION "\n";
      return 0;
    }
  }
  Options o;
  if (std::string err = parse(argc, argv, o); !err.empty()) {
    std::cerr << "stsh-run: " << err << "\n" << kUsage;
    return kExitUsage;
  }
  auto user = o.user.empty() ? lookup_user(getuid()) : lookup_user(o.user);
  if (!user) {
    std::cerr << "stsh-run: " << user.error().to_string() << "\n";
    return kExitUsage;
  }
  PlanRequest req{o.policy_dir, o.policy_file,
                  o.policy_file.empty() ? Trust::login : Trust::explicit_file};
  if (req.trust == Trust::explicit_file) {
    std::cerr << "note: --policy: the file's owner may be root or you; a login requires root\n";
  }
  auto plan = load_plan(req, *user);
  if (!plan) {
    std::cerr << "stsh-run: refusing to run anything: " << plan.error().to_string() << "\n";
    return kExitDenied;
  }
  const Plan& p = **plan;
  const Mode mode =
      o.mode.empty() ? p.session().mode : (o.mode == "audit" ? Mode::audit : Mode::enforce);

  // --records: the records go to a file, not to syslog (stsh-policy learn reads them).
  std::unique_ptr<enforcer::DatagramSink> sink = std::make_unique<enforcer::UnixDatagramSink>();
  if (!o.records.empty()) {
    auto file = enforcer::FileRecordSink::open(o.records);
    if (!file) {
      std::cerr << "stsh-run: " << file.error().to_string() << "\n";
      return kExitUsage;
    }
    sink = std::move(*file);
  }
  enforcer::ViolationLog log(p.session(), user->name, enforcer::new_session_id(), p.files().back(),
                             std::move(sink));
  std::vector<std::string> env = enforcer::confined_environment(p.session(), *user, environ);
  const enforcer::ProgramLookup found =
      enforcer::find_program(o.command[0], enforcer::env_value(env, "PATH"));
  if (found.error != 0) {
    std::cerr << "stsh-run: " << o.command[0] << ": "
              << (found.error == ENOENT ? "command not found" : std::strerror(found.error)) << "\n";
    return found.error == ENOENT ? kExitNotFound : kExitDenied;
  }
  const std::optional<std::string> program = found.path;

  // The friendly answer for the command itself; the supervisor checks the exec again.
  Call call;
  call.syscall = SYS_execve;
  call.filename = *program;
  call.argv = o.command;
  const Decision d = p.decide(p.login(), call);
  if (!d.permitted()) {
    enforcer::Violation v;
    v.pid = getpid();
    v.ppid = getppid();
    v.exe = "stsh-run";
    v.command_entry = "(login)";
    v.call = call;
    v.decision = d;
    v.audit = mode == Mode::audit;
    log.record(v);
    if (!v.audit) {
      std::cerr << "stsh-run: " << *program << ": not permitted by the policy (" << describe(d)
                << ", rule " << d.rule << ")\n";
      return kExitDenied;
    }
  }

  auto supervisor = enforcer::Supervisor::create(
      p, log, mode,
      o.route == "supervisor" ? enforcer::Supervisor::Route::supervisor
                              : enforcer::Supervisor::Route::automatic);
  if (!supervisor) {
    std::cerr << "stsh-run: cannot confine: " << supervisor.error().to_string() << "\n";
    return kExitDenied;
  }
  log.event("start", {{"mode", std::string(policy::mode_name(mode))},
                      {"route", supervisor->route()}});
  enforcer::LaunchSpec spec{*program, o.command, env, {}};
  auto pid = supervisor->launch(spec, p.login());
  if (!pid) {
    std::cerr << "stsh-run: cannot confine: " << pid.error().to_string() << "\n";
    return kExitDenied;
  }
  return exit_code(supervisor->run_until_exit(*pid));
}
