// The loader: session settings, list entries, rules, and the errors of each, from strings.
#include <sys/resource.h>
#include <syslog.h>

#include <catch2/catch.hpp>

#include "policy_test_util.h"

using namespace stsh::policy;
using namespace stsh::policy::testing;

TEST_CASE("session settings are read with their units") {
  auto plan = compile_text(R"(
session:
  umask: "027"
  warning_limit: 5
  timeout: 30m
  banner: "hello $USER"
  history_size: 50
  prompt: "> "
  env: { keep: [LANG, TERM], set: { PATH: "/usr/bin:/bin", HOMEDIR: $HOME }, unset: [LD_PRELOAD] }
  limits: { nproc: 64, nofile: 256, fsize: 1G, cpu: 2m, as: unlimited, core: 0, stack: 8M }
  ssh: { command: true, scp: false, sftp: true, rsync: true }
  mode: audit
  logging: { facility: local3, ident: stsh-test, rate_limit: { burst: 5, interval: 1m } }
)");
  REQUIRE(plan.ok());
  const Session& s = (*plan)->session();
  CHECK(s.umask == 027);
  CHECK(s.warning_limit == 5);
  CHECK(s.timeout_s == 1800);
  CHECK(s.banner == "hello $USER");  // banners are text, not paths: no expansion
  CHECK(s.history_size == 50);
  CHECK(s.prompt == "> ");
  CHECK(s.env.keep == std::vector<std::string>{"LANG", "TERM"});
  REQUIRE(s.env.set.size() == 2);
  CHECK(s.env.set[1] == std::pair<std::string, std::string>{"HOMEDIR", "/home/alice"});
  CHECK(s.env.unset == std::vector<std::string>{"LD_PRELOAD"});
  REQUIRE(s.limits.size() == 7);
  CHECK(s.limits[0].resource == RLIMIT_NPROC);
  CHECK(s.limits[0].value == 64);
  CHECK(s.limits[2].value == 1ull << 30);
  CHECK(s.limits[3].value == 120);
  CHECK(s.limits[4].value == kUnlimited);
  CHECK(s.limits[6].value == 8ull << 20);
  CHECK_FALSE(s.ssh.scp);
  CHECK(s.ssh.rsync);
  CHECK(s.mode == Mode::audit);
  CHECK(s.logging.facility == LOG_LOCAL3);
  CHECK(s.logging.ident == "stsh-test");
  CHECK(s.logging.burst == 5);
  CHECK(s.logging.interval_s == 60);
}

TEST_CASE("session defaults when nothing is set") {
  auto plan = compile_text("commands: {}\n");
  REQUIRE(plan.ok());
  const Session& s = (*plan)->session();
  CHECK(s.umask == 077);
  CHECK(s.mode == Mode::enforce);
  CHECK(s.ssh.command);
  CHECK(s.ssh.scp);
  CHECK(s.ssh.sftp);
  CHECK_FALSE(s.ssh.rsync);
  CHECK(s.logging.facility == LOG_AUTHPRIV);
  CHECK(s.logging.ident == "stsh");
}

TEST_CASE("an SFTP-only session: no prompt, a start directory with $HOME expanded") {
  auto plan = compile_text(R"(
session:
  directory: $HOME/upload
  ssh: { interactive: false, command: false, sftp: true }
)");
  REQUIRE(plan.ok());
  const Session& s = (*plan)->session();
  CHECK(s.directory == "/home/alice/upload");
  CHECK_FALSE(s.ssh.interactive);
  CHECK_FALSE(s.ssh.command);
  CHECK(s.ssh.sftp);
  auto defaults = compile_text("commands: {}\n");
  REQUIRE(defaults.ok());
  CHECK((*defaults)->session().ssh.interactive);
  CHECK((*defaults)->session().directory.empty());
}

TEST_CASE("loader errors name the line and column") {
  CHECK(error_of("session:\n  umask: \"099\"\n").rfind("t.yaml:2:11: umask: ", 0) == 0);
  CHECK(error_of("session:\n  mode: strict\n") ==
        "t.yaml:2:9: unknown mode 'strict' (expected enforce or audit)");
  CHECK(error_of("defaults:\n  raed: []\n") ==
        "t.yaml:2:3: unknown key 'raed' in defaults (did you mean 'read'?)");
  CHECK(error_of("defaults:\n  read: [/usr/**]\n  read: [/lib/**]\n") ==
        "t.yaml:3:3: duplicate key 'read' in defaults");
  CHECK(error_of("defaults:\n  read: [\"usr/**\"]\n") ==
        "t.yaml:2:11: pattern must be an absolute path");
  CHECK(error_of("defaults:\n  read: [/usr/../etc/**]\n") ==
        "t.yaml:2:15: '..' is not allowed in a path pattern (paths are matched in canonical form)");
  CHECK(error_of("defaults:\n  exec: [\"@all\"]\n") ==
        "t.yaml:2:11: unknown exec entry '@all' (the only @ entry is @commands)");
  CHECK(error_of("defaults:\n  read: [$HOME/**, $HOEM/x]\n") ==
        "t.yaml:2:20: unknown variable '$HOEM' (known: $HOME, $USER, $UID)");
  CHECK(error_of("commands:\n  /usr/bin/ls: {}\n  /usr/bin/ls: {}\n") ==
        "t.yaml:3:3: duplicate command '/usr/bin/ls' (first defined at t.yaml:2:3)");
  CHECK(error_of("commands:\n  /usr/bin/ls: []\n") ==
        "t.yaml:2:16: command '/usr/bin/ls' must be a mapping, not a list");
  CHECK(error_of("- a\n- b\n").rfind("t.yaml:1:1: a policy must be a mapping", 0) == 0);
}

TEST_CASE("rule errors point into the rule text") {
  CHECK(error_of("defaults:\n  rules:\n    - fsread: filename eq \"/x\" then dney\n") ==
        "t.yaml:3:37: expected an action (permit, deny, deny[ERRNO], kill) after 'then', found "
        "'dney' "
        "(did you mean 'deny'?)");
  CHECK(error_of("defaults:\n  rules:\n    - opne: true then deny\n") ==
        "t.yaml:3:7: unknown syscall or alias 'opne' (did you mean 'open'?)");
  CHECK(error_of("defaults:\n  rules:\n    - connect: filename eq \"/x\" then deny\n") ==
        "t.yaml:3:16: 'connect' has no operand filename (it has: sockaddr)");
  CHECK(error_of("defaults:\n  rules:\n    - ptrace: true then permit\n") ==
        "t.yaml:3:7: 'ptrace' is always denied by stsh; a policy cannot permit it");
  CHECK(error_of("defaults:\n  rules:\n    - fsread: filename eq \"$NOPE\" then deny\n") ==
        "t.yaml:3:28: unknown variable '$NOPE' (known: $HOME, $USER, $UID)");
  CHECK(error_of("defaults:\n  rules:\n    - fsread: filename eq \"etc\" then deny\n") ==
        "t.yaml:3:28: a filename is compared in canonical absolute form; write an absolute path");
  CHECK(error_of("defaults:\n  rules:\n    - fsread\n") ==
        "t.yaml:3:7: a rule must be written '- SYSCALL: EXPRESSION then ACTION'");
}

TEST_CASE("rule values expand variables and normalize paths") {
  auto plan = compile_text(R"(
defaults:
  read: ["/**"]
  rules:
    - fsread: filename inpath "$HOME//private/" then deny[eacces]
commands:
  /usr/bin/cat: {}
)");
  REQUIRE(plan.ok());
  const CommandPolicy& cat = *(*plan)->command_for("/usr/bin/cat");
  CHECK((*plan)->decide(cat, open_call("/home/alice/private/x")).error == EACCES);
  CHECK((*plan)->decide(cat, open_call("/home/alice/privateer")).permitted());
}

TEST_CASE("empty, non-UTF-8 and multi-document texts are refused") {
  CHECK(error_of("") == "t.yaml:1:1: empty policy (no settings at all)");
  CHECK(error_of("# nothing\n\n") == "t.yaml:1:1: empty policy (no settings at all)");
  CHECK(error_of("defaults:\n  read: [/caf\xe9]\n") == "t.yaml:2:14: not valid UTF-8");
  CHECK(error_of("a: 1\n---\nb: 2\n") ==
        "t.yaml:1:1: a policy file holds one YAML document, found 2");
  CHECK(error_of("defaults: [\n").rfind("t.yaml:", 0) == 0);
}

TEST_CASE("YAML aliases and deep nesting are refused") {
  CHECK(error_of("defaults:\n  read: &r [/usr/**]\n  write: *r\n") ==
        "t.yaml:3:10: YAML aliases (*name) are not allowed in policies; share settings with "
        "include:");
  std::string deep = "a: ";
  for (int i = 0; i < 40; ++i) deep += "[";
  // yaml-cpp's marks inside flow collections are approximate; the line and message are exact.
  const std::string err = error_of(deep + "\n");
  CHECK(err.rfind("t.yaml:1:", 0) == 0);
  CHECK(err.find(": nested deeper than 32 levels") != std::string::npos);
}
