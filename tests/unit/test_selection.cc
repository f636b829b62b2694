// Finding a user's policy set, includes and their merging, and the login's file checks.
// Builds its own policy directories under a temporary directory.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "policy/compiler.h"
#include "policy/policy_set.h"

using namespace stsh::policy;
using stsh::Result;
namespace fs = std::filesystem;

namespace {

class TempPolicyDir {
 public:
  TempPolicyDir() {
    char tmpl[] = "/tmp/stsh-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
    chmod(dir_.c_str(), 0755);
  }
  ~TempPolicyDir() { fs::remove_all(dir_); }
  std::string write(const std::string& rel, const std::string& text, mode_t mode = 0644) {
    const fs::path p = fs::path(dir_) / rel;
    fs::create_directories(p.parent_path());
    for (fs::path d = p.parent_path(); d.string().size() > dir_.size(); d = d.parent_path())
      chmod(d.c_str(), 0755);
    std::ofstream(p) << text;
    chmod(p.c_str(), mode);
    return p.string();
  }
  const std::string& path() const { return dir_; }

 private:
  std::string dir_;
};

UserInfo alice() {
  UserInfo u;
  u.name = "alice";
  u.uid = 1000;
  u.gid = 1000;
  u.home = "/home/alice";
  u.groups = {"alice", "students", "staff"};
  return u;
}

// Tests run as root in CI and may run as a user on a workstation: the explicit-file trust
// accepts files owned by either, which is what these tests need.
Result<std::shared_ptr<const Plan>> load(const TempPolicyDir& d, Trust trust = Trust::explicit_file,
                                         const std::string& file = "") {
  return load_plan(PlanRequest{d.path(), file, trust}, alice());
}

}  // namespace

TEST_CASE("users/NAME.yaml comes first, then groups in order, then default.yaml") {
  TempPolicyDir d;
  d.write("default.yaml", "session: { banner: default }\n");
  auto plan = load(d);
  REQUIRE(plan.ok());
  CHECK((*plan)->session().banner == "default");

  d.write("groups/staff.yaml", "session: { banner: staff }\n");
  CHECK((*load(d))->session().banner == "staff");
  d.write("groups/students.yaml", "session: { banner: students }\n");
  CHECK((*load(d))->session().banner == "students");  // earlier group wins
  d.write("groups/alice.yaml", "session: { banner: primary }\n");
  CHECK((*load(d))->session().banner == "primary");  // primary group first
  d.write("users/alice.yaml", "session: { banner: user }\n");
  CHECK((*load(d))->session().banner == "user");
}

TEST_CASE("no policy at all refuses the session") {
  TempPolicyDir d;
  auto plan = load(d);
  REQUIRE_FALSE(plan.ok());
  CHECK(plan.error().to_string() == d.path() +
                                        ": no policy for user 'alice': none of users/alice.yaml, "
                                        "groups/<group>.yaml or default.yaml exists");
}

TEST_CASE("a user file that exists but is broken never falls back to default.yaml") {
  TempPolicyDir d;
  d.write("default.yaml", "session: { banner: default }\n");
  d.write("users/alice.yaml", "session: { banner: [oops] }\n");
  auto plan = load(d);
  REQUIRE_FALSE(plan.ok());
  CHECK(plan.error().to_string() ==
        d.path() + "/users/alice.yaml:1:20: 'banner' must be a string, not a list");

  d.write("users/alice.yaml", "session: { banner: user }\n", 0666);
  plan = load(d);
  REQUIRE_FALSE(plan.ok());
  CHECK(plan.error().to_string() == d.path() +
                                        "/users/alice.yaml: insecure policy file: it is writable "
                                        "by others (mode 666), must not be");
}

TEST_CASE("group-writable files and directories are refused") {
  TempPolicyDir d;
  d.write("users/alice.yaml", "commands: {}\n", 0664);
  auto plan = load(d);
  REQUIRE_FALSE(plan.ok());
  CHECK(plan.error().to_string() == d.path() +
                                        "/users/alice.yaml: insecure policy file: it is writable "
                                        "by its group (mode 664), must not be");

  chmod(d.write("users/alice.yaml", "commands: {}\n").c_str(), 0644);
  chmod((d.path() + "/users").c_str(), 0775);
  plan = load(d);
  REQUIRE_FALSE(plan.ok());
  CHECK(plan.error().to_string() ==
        d.path() + "/users/alice.yaml: insecure policy directory " + d.path() +
            "/users: it is writable by its group (mode 775), must not be");
}

TEST_CASE("a FIFO in place of a policy is refused, not waited on") {
  TempPolicyDir d;
  fs::create_directories(d.path() + "/users");
  chmod((d.path() + "/users").c_str(), 0755);
  const std::string fifo = d.path() + "/users/alice.yaml";
  REQUIRE(mkfifo(fifo.c_str(), 0644) == 0);
  auto plan = load(d);
  REQUIRE_FALSE(plan.ok());
  CHECK(plan.error().to_string() == fifo + ": insecure policy file: it is not a regular file");
}

TEST_CASE("a login requires root ownership; an explicit file may be the invoker's") {
  TempPolicyDir d;
  const std::string file = d.write("users/alice.yaml", "commands: {}\n");
  // Give the file to someone who is neither root nor us.
  const uid_t other = getuid() == 0 ? 65534 : getuid();
  if (getuid() == 0) REQUIRE(chown(file.c_str(), other, 65534) == 0);
  auto plan = load(d, Trust::login);
  REQUIRE_FALSE(plan.ok());
  CHECK(plan.error().to_string() == file + ": insecure policy file: it is owned by uid " +
                                        std::to_string(other) + ", must be owned by root");
  if (getuid() == 0) {
    plan = load(d, Trust::explicit_file);
    REQUIRE_FALSE(plan.ok());
    CHECK(plan.error().to_string() ==
          file +
              ": insecure policy file: it is owned by uid 65534, must be owned by root or by you");
    REQUIRE(chown(file.c_str(), 0, 0) == 0);
    CHECK(load(d, Trust::login).ok());
  } else {
    CHECK(load(d, Trust::explicit_file).ok());
  }
}

TEST_CASE("includes merge: included files first, lists united, later scalars win") {
  TempPolicyDir d;
  d.write("profiles/base.yaml", R"(
session: { umask: "022", banner: base, env: { keep: [LANG], set: { A: "1", B: "1" } } }
defaults:
  read: [/usr/**]
  rules:
    - fsread: filename eq "/usr/secret" then deny[eperm]
commands:
  /usr/bin/ls: {}
)");
  d.write("profiles/extra.yaml", "include: profiles/base.yaml\ndefaults: { read: [/opt/**] }\n");
  d.write("users/alice.yaml", R"(
include: [profiles/extra.yaml, profiles/base.yaml]
session: { banner: alice, env: { keep: [TERM], set: { B: "2" } } }
defaults:
  read: [/srv/**]
commands:
  /usr/bin/cat: {}
)");
  auto plan = load(d);
  REQUIRE(plan.ok());
  const Plan& p = **plan;
  CHECK(p.files() == std::vector<std::string>{d.path() + "/profiles/base.yaml",
                                              d.path() + "/profiles/extra.yaml",
                                              d.path() + "/users/alice.yaml"});
  CHECK(p.session().umask == 022);
  CHECK(p.session().banner == "alice");
  CHECK(p.session().env.keep == std::vector<std::string>{"LANG", "TERM"});
  CHECK(p.session().env.set ==
        std::vector<std::pair<std::string, std::string>>{{"A", "1"}, {"B", "2"}});
  const CommandPolicy& cat = *p.command_for("/usr/bin/cat");
  Call c;
  c.syscall = 257;
  c.oflags = 0;
  for (const char* path : {"/usr/x", "/opt/x", "/srv/x"}) {
    c.filename = path;
    CHECK(p.decide(cat, c).permitted());
  }
  c.filename = "/usr/secret";
  CHECK(p.decide(cat, c).error == EPERM);
  CHECK(p.command_for("/usr/bin/ls") != nullptr);
}

TEST_CASE("include cycles, missing includes and escapes are errors at the include") {
  TempPolicyDir d;
  d.write("a.yaml", "include: [b.yaml]\n");
  d.write("b.yaml", "commands: {}\ninclude:\n  - a.yaml\n");
  auto plan = load(d, Trust::explicit_file, d.path() + "/a.yaml");
  REQUIRE_FALSE(plan.ok());
  CHECK(plan.error().to_string() ==
        d.path() + "/b.yaml:3:5: include cycle: a.yaml -> b.yaml -> a.yaml");

  d.write("self.yaml", "include: self.yaml\n");
  plan = load(d, Trust::explicit_file, d.path() + "/self.yaml");
  REQUIRE_FALSE(plan.ok());
  CHECK(plan.error().to_string() ==
        d.path() + "/self.yaml:1:10: include cycle: self.yaml -> self.yaml");

  d.write("missing.yaml", "include: [profiles/nope.yaml]\n");
  plan = load(d, Trust::explicit_file, d.path() + "/missing.yaml");
  REQUIRE_FALSE(plan.ok());
  CHECK(plan.error().to_string() == d.path() + "/missing.yaml:1:11: included file " + d.path() +
                                        "/profiles/nope.yaml does not exist");

  d.write("escape.yaml", "include: [../etc/passwd]\n");
  plan = load(d, Trust::explicit_file, d.path() + "/escape.yaml");
  REQUIRE_FALSE(plan.ok());
  CHECK(plan.error().to_string() ==
        d.path() + "/escape.yaml:1:11: include paths may not leave the policy directory ('..')");

  d.write("dup.yaml", "include: [inc.yaml]\ncommands:\n  /usr/bin/ls: {}\n");
  d.write("inc.yaml", "commands:\n  /usr/bin/ls: {}\n");
  plan = load(d, Trust::explicit_file, d.path() + "/dup.yaml");
  REQUIRE_FALSE(plan.ok());
  CHECK(plan.error().to_string() ==
        d.path() + "/dup.yaml:3:3: duplicate command '/usr/bin/ls' (first defined at " + d.path() +
            "/inc.yaml:2:3); to add to that entry, give this one 'extend: true'");
}

TEST_CASE(
    "an explicit file's policy directory is the configured one when inside it, else its own") {
  CHECK(policy_dir_for_file("/etc/stsh/users/bob.yaml", "/etc/stsh") == "/etc/stsh");
  CHECK(policy_dir_for_file("/srv/drafts/bob.yaml", "/etc/stsh") == "/srv/drafts");
  CHECK(policy_dir_for_file("/bob.yaml", "/etc/stsh") == "/");
}
