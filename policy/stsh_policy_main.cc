// stsh-policy: check and explain policies. A thin front end over the policy library.
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "policy/compiler.h"
#include "policy/explain.h"
#include "policy/lint.h"
#include "policy/scenario_cli.h"
#include "policy/syscalls.h"
#include "policy/tool_commands.h"
#include "stsh_config.h"

namespace {

using namespace stsh;
using namespace stsh::policy;

constexpr int kExitOk = 0, kExitFail = 1, kExitUsage = 2;

constexpr const char* kUsage =
    "usage: stsh-policy check   [--policy FILE | --user NAME] [--policy-dir DIR]\n"
    "       stsh-policy explain (--policy FILE | --user NAME) [--policy-dir DIR]\n"
    "                           [--command PATH] SYSCALL [ARG...]\n"
    "       stsh-policy import [-o OUT] FILE...\n"
    "       stsh-policy report [--ident NAME] FILE|-\n"
    "       stsh-policy learn --from-log FILE [--policy BASE] [--policy-dir DIR] [-o OUT]\n"
    "       stsh-policy learn [--policy BASE] [--policy-dir DIR] [-o OUT] -- CMD [ARG...]\n"
    "       stsh-policy test    [--user NAME] [--live] POLICY SCENARIOS...\n"
    "       stsh-policy diff    [--user NAME] OLD NEW [--scenarios FILE...] [--log FILE...]\n"
    "       stsh-policy --help | --version\n"
    "\n"
    "check    validate a policy set and print a summary (exit 0 valid, 1 invalid)\n"
    "explain  print the decision for one system call and the rule that made it\n"
    "         (exit 0 permitted, 1 denied or killed). SYSCALL is a syscall name or an\n"
    "         alias (fsread, fswrite, exec, net); ARGs are name=value (filename=,\n"
    "         filename[1]=, argv=, sockaddr=, oflags=, mode=, uid=, gid=) or positional\n"
    "         (paths; for exec the program and its arguments; for net the address).\n"
    "import   translate systrace policies into an stsh policy (stdout); a report per\n"
    "         source line on stderr (exit 0 all translated, 1 some not, 2 bad input)\n"
    "report   summarise violation records from a syslog file or a journal dump\n"
    "learn    write a draft policy from audit-mode records, or by running CMD in audit mode\n"
    "test     decide the operations of scenario files (man 5 stsh-scenario) and compare\n"
    "         them with what they expect (exit 0 all pass, 1 some fail, 2 bad input)\n"
    "diff     list every decision that differs between two policies over scenarios and logs\n"
    "\n"
    "--policy FILE    use FILE; its owner may be root or you (a login requires root)\n"
    "--user NAME      the user whose policy set to use (the login's selection and checks)\n"
    "--policy-dir DIR policy directory (default " STSH_POLICY_DIR
    ")\n"
    "--command PATH   explain in the context of this command (default: the shell itself)\n"
    "--tree-cache DIR where parsed policy files are kept (default " STSH_TREE_CACHE_DIR
    ");\n"
    "                 check, run as root, stores the files it checked there\n";

struct Options {
  std::string verb, policy_file, user, policy_dir, command, tree_cache;
  bool help = false, version = false;
  std::vector<std::string> rest;
};

// Returns an error message, or "" when parsing succeeded.
std::string parse(int argc, char** argv, Options& o) {
  std::vector<std::string> args(argv + 1, argv + argc);
  size_t i = 0;
  auto value = [&](std::string& out) -> bool {
    if (i + 1 >= args.size()) return false;
    out = args[++i];
    return true;
  };
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    // Options are read only before explain's SYSCALL: "exec /usr/bin/ls -h" is a call.
    if ((a == "--help" || a == "-h") && o.rest.empty()) {
      o.help = true;
      return "";
    } else if (a == "--version" && o.rest.empty()) {
      o.version = true;
      return "";
    } else if (o.verb.empty() && !a.empty() && a[0] != '-') {
      o.verb = a;
    } else if (a == "--policy") {
      if (!value(o.policy_file)) return "--policy needs a FILE";
    } else if (a == "--user") {
      if (!value(o.user)) return "--user needs a NAME";
    } else if (a == "--policy-dir") {
      if (!value(o.policy_dir)) return "--policy-dir needs a DIR";
    } else if (a == "--command") {
      if (!value(o.command)) return "--command needs a PATH";
    } else if (a == "--tree-cache") {
      if (!value(o.tree_cache)) return "--tree-cache needs a DIR";
    } else if (a == "--") {
      o.rest.insert(o.rest.end(), args.begin() + static_cast<long>(i) + 1, args.end());
      break;
    } else if (!a.empty() && a[0] == '-' && a.size() > 1 && o.rest.empty()) {
      return "unknown option '" + a + "'";
    } else {
      o.rest.push_back(a);
    }
  }
  if (o.verb != "check" && o.verb != "explain") {
    return o.verb.empty() ? "missing command (check, explain, test or diff)"
                          : "unknown command '" + o.verb + "'";
  }
  if (o.verb == "check" && !o.rest.empty())
    return "check takes no arguments, found '" + o.rest[0] + "'";
  if (o.verb == "explain" && o.rest.empty()) return "explain needs a SYSCALL";
  if (o.verb == "explain" && o.policy_file.empty() && o.user.empty())
    return "explain needs --policy FILE or --user NAME";
  return "";
}

Result<UserInfo> the_user(const Options& o) {
  return o.user.empty() ? lookup_user(getuid()) : lookup_user(o.user);
}

// Whether the files checked are those logins read: the configured policy directory's (a check
// of a draft elsewhere leaves the cache alone unless --tree-cache says where).
bool read_by_logins(const Options& o) {
  const std::string configured = std::string(STSH_POLICY_DIR) + "/";
  if (!o.policy_dir.empty()) return o.policy_dir + "/" == configured || o.policy_dir == configured;
  if (o.policy_file.empty()) return true;
  char real[PATH_MAX];
  return realpath(o.policy_file.c_str(), real) != nullptr &&
         std::string(real).compare(0, configured.size(), configured) == 0;
}

Result<std::shared_ptr<const Plan>> load(const Options& o, const UserInfo& user) {
  PlanRequest req;
  req.policy_dir = o.policy_dir;
  req.file = o.policy_file;
  req.trust = o.policy_file.empty() ? Trust::login : Trust::explicit_file;
  if (req.trust == Trust::explicit_file) {
    std::cerr << "note: --policy: the file's owner may be root or you; a login requires root\n";
  }
  req.tree_cache_dir = o.tree_cache;
  // A check by root is what an admin runs after changing a policy: it keeps the parsed files
  // for the logins that follow (policy/tree_cache.h).
  CacheReport report;
  if (o.verb == "check" && geteuid() == 0 && (!o.tree_cache.empty() || read_by_logins(o))) {
    req.store_trees = true;
    req.cache_report = &report;
  }
  auto plan = load_plan(req, user);
  if (plan && req.store_trees) {
    const std::string dir = o.tree_cache.empty() ? STSH_TREE_CACHE_DIR : o.tree_cache;
    for (const auto& p : report.problems) std::cerr << "warning: tree cache: " << p << "\n";
    std::cout << "tree cache " << dir << ": " << report.stored << " stored, " << report.from_cache
              << " already there\n";
  }
  return plan;
}

// The kernel runs, and the enforcer matches, the canonical image: `explain exec /usr/bin/vi`
// must answer for /usr/bin/vim.basic, as the session would.
std::string real_program(const std::string& path) {
  char buf[PATH_MAX];
  if (realpath(path.c_str(), buf) == nullptr || path == buf) return path;
  std::cerr << "note: " << path << " is a symlink to " << buf << ": the kernel runs that\n";
  return buf;
}

int explain(const Options& o, const Plan& plan) {
  const CommandPolicy* policy = &plan.login();
  if (!o.command.empty()) {
    policy = plan.command_for(real_program(o.command));
    if (policy == nullptr) {
      std::cerr << "stsh-policy: " << o.command << " is not a command of this policy\n";
      return kExitUsage;
    }
  }
  auto call =
      call_from_words(o.rest[0], std::vector<std::string>(o.rest.begin() + 1, o.rest.end()));
  if (!call) {
    std::cerr << "stsh-policy: " << call.error().to_string() << "\n";
    return kExitUsage;
  }
  if (call->filename && access_of(call->syscall, call->oflags) == Access::exec) {
    call->filename = real_program(*call->filename);
  }
  const Decision d = plan.decide(*policy, *call);
  std::cout << "context:  " << (policy->is_login() ? "the shell itself (login)" : policy->key())
            << (policy->is_login() ? "" : " (" + std::string(policy->origin()) + ")") << "\n"
            << "call:     " << describe_call(*call) << "\n"
            << "decision: " << describe(d) << "\n"
            << "rule:     " << d.rule;
  const std::string source = decision_source(plan, *policy, d);
  if (!source.empty()) std::cout << "  " << source;
  if (d.rule == "default" && !d.permitted()) std::cout << "  (nothing in the policy permits this)";
  if (d.rule == "default" && d.permitted()) std::cout << "  (no list governs this call)";
  std::cout << "\n";
  return d.permitted() ? kExitOk : kExitFail;
}

}  // namespace

int main(int argc, char** argv) {
  // import, report and learn parse their own arguments (policy/tool_commands.h).
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (word.empty() || word[0] == '-') continue;
    std::vector<std::string> rest(argv + i + 1, argv + argc);
    if (word == "import") return import_command(rest);
    if (word == "report") return report_command(rest);
    if (word == "learn") return learn_command(rest, argv[0]);
    break;
  }
  // Subcommands with options of their own (policy/scenario_cli.h, policy/policy_diff.cc).
  if (argc > 1) {
    const std::string verb = argv[1];
    const std::vector<std::string> rest(argv + 2, argv + argc);
    if (verb == "test") return test_main(rest);
    if (verb == "diff") return diff_main(rest);
  }
  Options o;
  if (std::string err = parse(argc, argv, o); !err.empty()) {
    std::cerr << "stsh-policy: " << err << "\n" << kUsage;
    return kExitUsage;
  }
  if (o.help) {
    std::cout << kUsage;
    return kExitOk;
  }
  if (o.version) {
    std::cout << "stsh-policy " STSH_VERSION "\n";
    return kExitOk;
  }
  auto user = the_user(o);
  if (!user) {
    std::cerr << "stsh-policy: " << user.error().to_string() << "\n";
    return kExitUsage;
  }
  auto plan = load(o, *user);
  if (!plan) {
    std::cerr << plan.error().to_string() << "\n";
    return o.verb == "check" ? kExitFail : kExitUsage;
  }
  if (o.verb == "check") {
    for (const auto& note : (*plan)->notes()) std::cout << note << "\n";
    for (const auto& warning : lint_plan(**plan)) std::cout << warning << "\n";
    std::cout << "policy OK\n" << summarize(**plan);
    return kExitOk;
  }
  return explain(o, **plan);
}
