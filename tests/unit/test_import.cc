// stsh-policy import: systrace policies -> stsh YAML that loads, with the same decisions, and
// a report line for every construct left out.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "policy/import_systrace.h"
#include "policy_test_util.h"

using namespace stsh::policy;
using namespace stsh::policy::testing;

namespace {

ImportResult imported(const std::string& text) {
  auto r = import_systrace({{"t.policy", text}});
  INFO((r ? std::string() : r.error().to_string()));
  REQUIRE(r.ok());
  return *r;
}

std::shared_ptr<const Plan> plan_of(const ImportResult& r) {
  auto plan = compile_text(r.yaml);
  INFO(r.yaml << (plan ? std::string() : "\n-> " + plan.error().to_string()));
  REQUIRE(plan.ok());
  return *plan;
}

bool has_line(const ImportResult& r, const std::string& needle) {
  for (const auto& l : r.report)
    if (l.find(needle) != std::string::npos) return true;
  return false;
}

const std::string kHead = "Policy: /opt/t/prog, Emulation: native\n";

bool permits(const Plan& p, const Call& c) {
  const CommandPolicy* cmd = p.command_for("/opt/t/prog");
  REQUIRE(cmd != nullptr);
  return p.decide(*cmd, c).permitted();
}

}  // namespace

TEST_CASE("import: every systrace fixture becomes a policy that loads") {
  const std::filesystem::path dir = std::filesystem::path(STSH_TEST_POLICIES) / "systrace";
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(e.path());
    std::stringstream s;
    s << in.rdbuf();
    INFO(e.path());
    auto r = imported(s.str());
    plan_of(r);
    CHECK(r.translated > 0);
    ++n;
  }
  CHECK(n >= 4);
}

TEST_CASE("import: inpath is systrace's (the path or a directory above it)") {
  auto r = imported(kHead + "\tnative-fsread: filename inpath \"/usr/share/zoneinfo\" then permit\n");
  auto p = plan_of(r);
  CHECK(permits(*p, open_call("/")));
  CHECK(permits(*p, open_call("/usr")));
  CHECK(permits(*p, open_call("/usr/share/zoneinfo")));
  CHECK_FALSE(permits(*p, open_call("/usr/share/zoneinfo/UTC")));
  CHECK_FALSE(permits(*p, open_call("/usr/lib")));
}

TEST_CASE("import: every operator, on filename") {
  auto r = imported(kHead +
                    "native-fsread: filename eq \"/e/q\" then permit\n"
                    "native-fsread: filename match \"/m/*\" then permit\n"
                    "native-fsread: filename sub \"needle\" then permit\n"
                    "native-fsread: filename re \"^/re/[0-9]+$\" then permit\n"
                    "native-fswrite: filename neq \"/keep\" and filename nsub \"x\" then permit\n");
  auto p = plan_of(r);
  CHECK(r.untranslated == 0);
  CHECK(permits(*p, open_call("/e/q")));
  CHECK_FALSE(permits(*p, open_call("/e/q2")));
  CHECK(permits(*p, open_call("/m/a/b")));  // match covers what is below, as systrace's did
  CHECK(permits(*p, open_call("/a/needle/b")));
  CHECK(permits(*p, open_call("/re/42")));
  CHECK_FALSE(permits(*p, open_call("/re/4a")));
  CHECK(permits(*p, open_call("/w", O_WRONLY)));
  CHECK_FALSE(permits(*p, open_call("/keep", O_WRONLY)));
  CHECK_FALSE(permits(*p, open_call("/wx", O_WRONLY)));
}

TEST_CASE("import: open flags in systrace's letters become exact flag tests") {
  auto r = imported(kHead + "native-open: filename eq \"/t/a\" and oflags sub \"c\" then permit\n"
                            "native-open: filename eq \"/t/b\" and oflags eq \"rw\" then permit\n");
  auto p = plan_of(r);
  CHECK(permits(*p, open_call("/t/a", O_WRONLY | O_CREAT)));
  CHECK(permits(*p, open_call("/t/a", O_RDWR | O_CREAT | O_TRUNC)));
  CHECK_FALSE(permits(*p, open_call("/t/a", O_WRONLY)));
  CHECK(permits(*p, open_call("/t/b", O_RDWR)));
  CHECK_FALSE(permits(*p, open_call("/t/b", O_RDWR | O_APPEND)));
  CHECK_FALSE(permits(*p, open_call("/t/b", O_RDONLY)));
}

TEST_CASE("import: and/or group to the right, not takes the rest, as systrace's parser does") {
  auto r = imported(kHead +
                    "native-fsread: filename eq \"/a\" and filename eq \"/b\" or filename eq \"/c\" "
                    "then permit\n"
                    "native-fswrite: not filename eq \"/c\" and filename eq \"/d\" then permit\n");
  auto p = plan_of(r);
  CHECK_FALSE(permits(*p, open_call("/c")));  // /a and (/b or /c): never true
  CHECK(permits(*p, open_call("/c", O_WRONLY)));  // not (/c and /d): always true
  CHECK(r.yaml.find("not (filename eq \"/c\" and filename eq \"/d\")") != std::string::npos);
}

TEST_CASE("import: variables, and text that must stay literal") {
  auto r = imported(kHead +
                    "native-fsread: filename eq \"$HOME/.profile\" then permit\n"
                    "native-fsread: filename eq \"/cost$5\" then permit\n"
                    "native-fsread: filename eq \"/a$b\" then permit\n"
                    "native-fsread: filename eq \"/it's\" then permit\n"
                    "native-fsread: filename eq \"/q\\\"uote\" then permit\n");
  auto p = plan_of(r);
  CHECK(permits(*p, open_call("/home/alice/.profile")));
  CHECK(permits(*p, open_call("/cost$5")));
  // systrace would take "$b" literally, but such a name is most likely a make variable the
  // ports tree substituted: reported, not guessed.
  CHECK(has_line(r, "t.policy:4: not translated: '$b' is a variable"));
  CHECK_FALSE(permits(*p, open_call("/a$b")));
  CHECK(permits(*p, open_call("/it's")));
  CHECK(permits(*p, open_call("/q\"uote")));
  CHECK_FALSE(permits(*p, open_call("/etc/passwd")));
}

TEST_CASE("import: constructs with no Linux meaning are reported, never dropped silently") {
  auto r = imported(kHead +
                    "native-fsread: filename eq \"/etc\" then deny[eperm], if group != wheel\n"
                    "native-bind: sockaddr eq \"inet-[0.0.0.0]:22\" then permit as root\n"
                    "native-fswrite: filename eq \"/x\" then ask\n"
                    "native-kqueue: permit\n"
                    "native-ptrace: permit\n"
                    "native-unlink: filename eq \"$CWD/pid\" then permit\n"
                    "native-chmod: filename match \"${WRKDIR}\" then permit\n"
                    "native-connect: sockaddr eq \"family(0)\" then permit\n"
                    "native-fsread: filename eq \"/e\" then deny[eftype]\n"
                    "Policy: /opt/t/other, Emulation: svr4\n"
                    "svr4-open: filename eq \"/etc/passwd\" then permit\n");
  CHECK(has_line(r, "t.policy:2: not translated: ', if group != wheel'"));
  CHECK(has_line(r, "t.policy:2: not translated:") );
  CHECK(has_line(r, "it denied, so what it denied may now be permitted"));
  CHECK(has_line(r, "t.policy:3: not translated: 'as root'"));
  CHECK(has_line(r, "t.policy:3: translated: bind: sockaddr eq \"inet:0.0.0.0:22\" then permit"));
  CHECK(has_line(r, "t.policy:4: not translated: 'ask': stsh never asks; translated as deny log"));
  CHECK(has_line(r, "t.policy:5: not translated: Linux (x86_64) has no system call 'kqueue'"));
  CHECK(has_line(r, "t.policy:6: not translated: 'ptrace' is always denied by stsh"));
  CHECK(has_line(r, "t.policy:7: not translated: $CWD"));
  CHECK(has_line(r, "t.policy:8: not translated: '${WRKDIR}' is a variable"));
  CHECK(has_line(r, "t.policy:9: not translated: stsh has no address text for 'family(0)'"));
  CHECK(has_line(r, "t.policy:10: not translated: errno 'eftype'"));
  CHECK(has_line(r, "t.policy:11: not translated: emulation 'svr4'"));
  CHECK(has_line(r, "t.policy:12: not translated: emulation 'svr4'"));
  auto p = plan_of(r);
  CHECK(p->command_for("/opt/t/other") == nullptr);  // an untranslated policy adds no command
  CHECK(r.yaml.find("- ptrace") == std::string::npos);
}

TEST_CASE("import: a header-less fragment becomes defaults rules; missing-file rules are notes") {
  auto r = imported("\tnative-fsread: true then permit\n"
                    "\tnative-fswrite: filename match \"/tmp\" then permit\n"
                    "\tnative-fswrite: filename match \"/<non-existent filename>: *\" then deny[enoent]\n"
                    "\tnative-fswrite: filename eq \"\" then deny[enoent]\n"
                    "\tnative-symlink: string eq \"/t\" and filename eq \"/tmp/l\" then permit\n");
  auto p = plan_of(r);
  CHECK(r.untranslated == 0);
  CHECK(r.notes == 2);
  CHECK(has_line(r, "t.policy:3: note: left out, it never matches on Linux"));
  CHECK(p->decide(p->login(), open_call("/tmp/x/y", O_WRONLY | O_CREAT)).permitted());
  CHECK_FALSE(p->decide(p->login(), open_call("/etc/x", O_WRONLY)).permitted());
  Call sl = path_call("symlinkat", "/tmp/l");
  sl.filename1 = "/t";
  CHECK(p->decide(p->login(), sl).permitted());
}

TEST_CASE("import: bad input is one file:line:col error") {
  auto bad = [](const std::string& text) {
    auto r = import_systrace({{"b.policy", text}});
    REQUIRE_FALSE(r.ok());
    return r.error().to_string();
  };
  CHECK(bad("native-fsread: filename eq \"/x\" permit\n") ==
        "b.policy:1:33: expected 'then' after the expression");
  CHECK(bad("\n  native-fsread: filename eq \"/x then permit\n") == "b.policy:2:30: unterminated string");
  CHECK(bad("native-fsread: filename like \"/x\" then permit\n") ==
        "b.policy:1:25: expected an operator (match, eq, neq, sub, nsub, inpath, re)");
  CHECK(bad("just words\n") ==
        "b.policy:1:1: expected 'SYSCALL: FILTER' or 'Policy: PATH, Emulation: NAME'");
  CHECK(bad("Policy: bin/ls, Emulation: native\n") ==
        "b.policy:1:9: the policy's binary must be an absolute path");
  CHECK(bad("native-execve: true then permit[sometimes]\n").find("unknown flag 'sometimes'") !=
        std::string::npos);
}
