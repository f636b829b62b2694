// Scenario files (policy/scenario.h), their runner, diff, the lint, and the records reader.
#include <catch2/catch.hpp>
#include <cerrno>
#include <sstream>

#include "policy/decision_suggest.h"
#include "policy/lint.h"
#include "policy/policy_diff.h"
#include "policy/record_calls.h"
#include "policy/scenario.h"
#include "policy/scenario_run.h"
#include "policy_test_util.h"

using namespace stsh;
using namespace stsh::policy;
using namespace stsh::policy::testing;

namespace {

const char* kPolicy = R"(
defaults:
  read: [/usr/**, $HOME/**]
  write: [$HOME/**, /tmp/**]
  rules:
    - fsread: filename eq "/etc/shadow" then deny[eacces] log
commands:
  /usr/bin/cat: {}
  /usr/bin/tar: { exec: [/usr/bin/dash, /usr/bin/gzip] }
  /usr/bin/gzip: {}
  /usr/bin/python3.11:
    exec: []
    rules:
      - fswrite: filename inpath "$HOME/.ssh" or filename[1] inpath "$HOME/.ssh" then deny[eacces] log
)";

ScenarioEnv env() {
  ScenarioEnv e;
  e.vars = alice_vars();
  return e;
}

ScenarioFile scenarios(const std::string& text) {
  auto f = parse_scenarios(text, "s.yaml", env());
  INFO((f ? "" : f.error().to_string()));
  REQUIRE(f);
  return *f;
}

std::string scenario_error(const std::string& text) {
  auto f = parse_scenarios(text, "s.yaml", env());
  REQUIRE_FALSE(f);
  return f.error().to_string();
}

TestTotals run(const Plan& plan, const ScenarioFile& f, std::string* output = nullptr) {
  std::ostringstream out;
  const TestTotals t = run_scenarios(plan, {f}, LiveOptions{}, out);
  if (output) *output = out.str();
  return t;
}

}  // namespace

TEST_CASE("expectations: decision, errno, log", "[scenario]") {
  auto e = parse_expectation("deny[eacces] log");
  REQUIRE(e);
  CHECK(e->verdict == Verdict::deny);
  CHECK(e->error == EACCES);
  CHECK(e->log == true);
  e = parse_expectation("permit nolog");
  REQUIRE(e);
  CHECK(e->verdict == Verdict::permit);
  CHECK(e->log == false);
  e = parse_expectation("deny");
  REQUIRE(e);
  CHECK_FALSE(e->error);
  CHECK_FALSE(e->log);
  CHECK(parse_expectation("kill")->verdict == Verdict::kill);
  CHECK(parse_expectation("deny[eaccess]").error().message.find("did you mean EACCES?") !=
        std::string::npos);
  CHECK_FALSE(parse_expectation("allow"));
  CHECK_FALSE(parse_expectation("permit[EPERM]"));
  CHECK_FALSE(parse_expectation("deny loud"));
}

TEST_CASE("command lines split like a shell's words", "[scenario]") {
  auto w = split_words(R"(perl -e 'print "a b"' x\ y "")");
  REQUIRE(w);
  CHECK(*w == std::vector<std::string>{"perl", "-e", "print \"a b\"", "x y", ""});
  CHECK_FALSE(split_words("echo 'open"));
}

TEST_CASE("operations become canonical calls", "[scenario]") {
  const auto f = scenarios(R"(
scenarios:
  - name: n
    cwd: ~/work
    steps:
      - open: notes/../a.txt write create trunc
        expect: permit
      - rename: ~/a /tmp/b
        expect: permit
      - chmod: x 0755
        expect: permit
      - connect: 127.0.0.1:22
        expect: deny
      - exec: /usr/bin/tar czf x.tgz .
        expect: permit
      - fsread: /etc/shadow
        as: [/usr/bin/tar, /usr/bin/dash]
        expect: deny
)");
  const auto& st = f.scenarios.at(0).steps;
  REQUIRE(st.size() == 6);
  CHECK(*st[0].call.filename == "/home/alice/work/a.txt");
  CHECK(*st[0].call.oflags == (O_WRONLY | O_CREAT | O_TRUNC));
  CHECK(*st[1].call.filename == "/home/alice/a");
  CHECK(*st[1].call.filename1 == "/tmp/b");
  CHECK(*st[2].call.mode == 0755);
  CHECK(*st[3].call.sockaddr == "inet:127.0.0.1:22");
  CHECK(st[4].is_exec);
  CHECK(st[4].call.argv.size() == 4);
  CHECK(st[5].as == std::vector<std::string>{"/usr/bin/tar", "/usr/bin/dash"});
  CHECK(st[0].where.line == 6);
  CHECK(st[0].where.column == 9);
}

TEST_CASE("bad scenario files are file:line:col errors", "[scenario]") {
  CHECK(scenario_error("scenarios:\n  - name: a\n    step: []\n") ==
        "s.yaml:3:5: unknown key 'step' in a scenario (did you mean 'steps'?)");
  CHECK(scenario_error("scenarios:\n  - name: a\n    steps:\n      - open: /x\n") ==
        "s.yaml:4:9: a step needs 'expect' (permit, deny[ERRNO], kill)");
  CHECK(scenario_error(
            "scenarios:\n  - name: a\n    steps:\n      - opne: /x\n        expect: permit\n")
            .find("s.yaml:4:9: unknown operation 'opne'") == 0);
  CHECK(scenario_error("scenarios:\n  - name: a\n    steps:\n      - open: /x\n        unlink: /y\n"
                       "        expect: permit\n")
            .find("s.yaml:5:9: a step has one operation") == 0);
  CHECK(scenario_error(
            "scenarios:\n  - name: a\n    steps:\n      - open: /x\n        expect: maybe\n")
            .find("s.yaml:5:17: expect: unknown decision 'maybe'") == 0);
  CHECK(scenario_error(
            "scenarios:\n  - name: a\n    steps:\n      - open: /x\n        expect: permit\n"
            "        live: true\n")
            .find("live: applies to exec steps only") != std::string::npos);
  CHECK(scenario_error("scenarios: [").find("s.yaml:1:") == 0);
}

TEST_CASE("steps are decided by Plan::decide in their command's policy", "[scenario]") {
  auto plan = compile_text(kPolicy);
  REQUIRE(plan);
  const auto f = scenarios(R"(
scenarios:
  - name: passes
    steps:
      - exec: /usr/bin/cat ~/x
        expect: permit
      - exec: /usr/bin/dash
        expect: deny[EACCES] log
      - exec: /usr/bin/gzip
        as: [/usr/bin/tar, /usr/bin/dash]
        expect: permit
      - open: /etc/shadow
        as: /usr/bin/cat
        expect: deny[EACCES] log
      - rename: ~/k ~/.ssh/authorized_keys
        as: /usr/bin/python3.11
        expect: deny[EACCES] log
  - name: fails
    as: /usr/bin/cat
    steps:
      - open: /etc/hostname
        expect: permit
      - open: ~/x
        expect: deny
)");
  std::string out;
  const TestTotals t = run(**plan, f, &out);
  INFO(out);
  CHECK(t.scenarios == 2);
  CHECK(t.scenarios_failed == 1);
  CHECK(t.steps == 7);
  CHECK(t.steps_failed == 2);
  CHECK(out.find("ok    s.yaml:3:5: passes") != std::string::npos);
  CHECK(out.find("FAIL  s.yaml:18:5: fails") != std::string::npos);
  // What was expected, what happened, the rule, and the nearest change.
  CHECK(out.find("s.yaml:21:9: open: /etc/hostname") != std::string::npos);
  CHECK(out.find("expected:  permit") != std::string::npos);
  CHECK(out.find("got:       deny[EACCES] log") != std::string::npos);
  CHECK(out.find("to change: add a rule to /usr/bin/cat") != std::string::npos);
  CHECK(out.find("- fsread: filename eq \"/home/alice/x\" then deny[eacces] log") !=
        std::string::npos);
}

TEST_CASE("diff lists the decisions that changed, with both rules", "[diff]") {
  auto old_plan = compile_text(kPolicy);
  auto new_plan = compile_text(std::string(kPolicy) + "  /usr/bin/jq: {}\n");
  REQUIRE(old_plan);
  REQUIRE(new_plan);
  const auto f = scenarios(R"(
scenarios:
  - name: n
    steps:
      - exec: /usr/bin/jq
        expect: permit
      - exec: /usr/bin/cat
        expect: permit
)");
  std::ostringstream out;
  const DiffTotals t = diff_plans(**old_plan, **new_plan, {f}, {}, out);
  CHECK(t.operations == 2);
  CHECK(t.changed == 1);
  CHECK(out.str().find("old:  deny[EACCES] log  rule default") != std::string::npos);
  CHECK(out.str().find("new:  permit  rule") != std::string::npos);
}

TEST_CASE("violation records become calls", "[diff]") {
  auto lc = logged_call_from_line(
      "Dec  2 08:00:00 h stsh[1]: violation user=alice session=1 pid=2 ppid=1 exe=/usr/bin/cat "
      "policy=/p entry=/p:3:3 syscall=renameat2 path=/home/alice/a path1=\"/etc/x y\" "
      "rule=default action=deny[EACCES] mode=enforce");
  REQUIRE(lc);
  CHECK(lc->exe == "/usr/bin/cat");
  CHECK(*lc->call.filename == "/home/alice/a");
  CHECK(*lc->call.filename1 == "/etc/x y");
  CHECK_FALSE(lc->oflags_unknown);
  lc = logged_call_from_line(
      "Dec  2 08:00:00 h stsh[1]: violation user=a syscall=openat path=/etc/shadow mode=enforce");
  REQUIRE(lc);
  CHECK(lc->oflags_unknown);
  CHECK_FALSE(logged_call_from_line("Dec  2 08:00:00 h stsh[1]: session user=a event=start"));
  CHECK_FALSE(logged_call_from_line("Dec  2 08:00:00 h other[1]: violation user=a syscall=openat"));
}

TEST_CASE("lint: rename without mv's EXDEV fallback is a warning", "[lint]") {
  auto sound = compile_text(kPolicy);
  REQUIRE(sound);
  CHECK(lint_plan(**sound).empty());
  auto fragile = compile_text(R"(
defaults:
  read: [/usr/**]
  write: [$HOME/**]
commands:
  /usr/bin/mv:
    rules:
      - renameat2: filename inpath "/srv/data" then permit
  /usr/bin/cp:
    rules:
      - fchown: true then deny[eacces]
  /usr/bin/sed:
    write: [/home/alice/notes.txt]
)");
  REQUIRE(fragile);
  const auto w = lint_plan(**fragile);
  REQUIRE(w.size() == 3);
  CHECK(w[0].find("t.yaml:6:3: warning: /usr/bin/mv: may rename /home/alice/stsh-lint/f to "
                  "/srv/data/stsh-lint (t.yaml:8:9)") == 0);
  CHECK(w[0].find("create the target (openat /srv/data/stsh-lint: deny[EACCES] log by default)") !=
        std::string::npos);
  CHECK(w[1].find("warning: /usr/bin/cp: may create") != std::string::npos);
  CHECK(w[1].find("set its owner and group (fchown") != std::string::npos);
  CHECK(w[2].find("warning: /usr/bin/sed: may write /home/alice/notes.txt") != std::string::npos);
  CHECK(w[2].find("/home/alice/4913") != std::string::npos);
}

TEST_CASE("the nearest change: the next matching rule, or the entry to add", "[scenario]") {
  auto plan = compile_text(R"(
defaults:
  read: [/usr/**, /home/alice/docs/**]
commands:
  /usr/bin/cat:
    rules:
      - fsread: filename match "/srv/*/secret" then deny[eperm] log
      - fsread: filename inpath "/srv" then permit
)");
  REQUIRE(plan);
  const CommandPolicy& cat = *(*plan)->command_for("/usr/bin/cat");
  Call c = open_call("/srv/a/secret");
  Decision d = (*plan)->decide(cat, c);
  REQUIRE(d.verdict == Verdict::deny);
  auto lines = suggest_change(**plan, cat, c, d, Verdict::permit);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] ==
        "nearest rule: t.yaml:8:9: fsread: filename inpath \"/srv\" then permit "
        "(would decide permit without t.yaml:7:9)");
  CHECK(lines[1].find("to change: edit or remove the rule at t.yaml:7:9") == 0);
  c = open_call("/home/alice/doc/x");
  d = (*plan)->decide(cat, c);
  lines = suggest_change(**plan, cat, c, d, Verdict::permit);
  REQUIRE_FALSE(lines.empty());
  CHECK(lines[0] ==
        "nearest entry: t.yaml:3:19: read entry /home/alice/docs/** (does not match "
        "/home/alice/doc/x)");
}
