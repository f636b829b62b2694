// Command keys and exec entries that are symlinks (issue 11.2), and entries extended by a later
// file of the set (issue 11.3).
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>

#include "policy_test_util.h"
#include "scratch_dir.h"

using namespace stsh::policy;
using namespace stsh::policy::testing;

namespace {

// A temporary directory with a program and Debian-alternatives-style links to it:
// DIR/bin/vi -> DIR/alt/vi -> DIR/bin/vim.basic, and DIR/bin/py3 -> py3.11 (relative).
struct LinkFarm {
  stsh::testing::ScratchDir scratch;
  const std::string& dir = scratch.path;
  LinkFarm() {
    std::filesystem::create_directories(dir + "/bin");
    std::filesystem::create_directories(dir + "/alt");
    for (const char* f : {"/bin/vim.basic", "/bin/py3.11", "/bin/vim.tiny"}) {
      FILE* fp = fopen((dir + f).c_str(), "w");
      REQUIRE(fp != nullptr);
      fclose(fp);
    }
    std::filesystem::create_symlink(dir + "/bin/vim.basic", dir + "/alt/vi");
    std::filesystem::create_symlink(dir + "/alt/vi", dir + "/bin/vi");
    std::filesystem::create_symlink("py3.11", dir + "/bin/py3");
    std::filesystem::create_symlink("bin", dir + "/usrbin");  // a directory link
  }
};

std::shared_ptr<const Plan> plan_of(const std::string& yaml) {
  auto plan = compile_text(yaml);
  INFO((plan ? std::string() : plan.error().to_string()));
  REQUIRE(plan.ok());
  return *plan;
}

// Several files in merge order, each given as (name, text).
stsh::Result<std::shared_ptr<const Plan>> compile_files(
    std::vector<std::pair<std::string, std::string>> files) {
  std::vector<Document> docs;
  for (const auto& [name, text] : files) {
    auto doc = load_document(text, name, alice_vars());
    if (!doc) return doc.take_error();
    docs.push_back(std::move(*doc));
  }
  return compile_plan(std::move(docs));
}

std::shared_ptr<const Plan> plan_of_files(std::vector<std::pair<std::string, std::string>> f) {
  auto plan = compile_files(std::move(f));
  INFO((plan ? std::string() : plan.error().to_string()));
  REQUIRE(plan.ok());
  return *plan;
}

std::string error_of_files(std::vector<std::pair<std::string, std::string>> f) {
  auto plan = compile_files(std::move(f));
  return plan ? std::string("(no error)") : plan.error().to_string();
}

bool permits(const Plan& plan, const CommandPolicy& p, const Call& c) {
  return plan.decide(p, c).permitted();
}

}  // namespace

TEST_CASE("a symlinked command key applies to its canonical target, with a note") {
  LinkFarm farm;
  const std::string& d = farm.dir;
  auto plan = plan_of("commands:\n  " + d + "/bin/vi: {exec: []}\n  " + d + "/bin/py3: {}\n  " + d +
                      "/usrbin/vim.tiny: {}\n");
  // What the enforcer sees after exec is the canonical image.
  CHECK(permits(*plan, plan->login(), exec_call(d + "/bin/vim.basic")));
  CHECK(permits(*plan, plan->login(), exec_call(d + "/bin/py3.11")));
  CHECK(permits(*plan, plan->login(), exec_call(d + "/bin/vim.tiny")));
  REQUIRE(plan->command_for(d + "/bin/vim.basic") != nullptr);
  CHECK(plan->command_for(d + "/bin/vim.basic")->key() == d + "/bin/vim.basic");
  CHECK(plan->command_for(d + "/bin/vi") == nullptr);
  REQUIRE(plan->notes().size() == 3);
  CHECK(plan->notes()[0] == "t.yaml:2:3: note: command " + d + "/bin/vi is a symlink to " + d +
                                "/bin/vim.basic: the entry applies to that");
  CHECK(plan->notes()[1] == "t.yaml:3:3: note: command " + d + "/bin/py3 is a symlink to " + d +
                                "/bin/py3.11: the entry applies to that");
}

TEST_CASE("keys that are no symlink, missing files and glob keys are kept as written") {
  LinkFarm farm;
  const std::string& d = farm.dir;
  auto plan = plan_of("commands:\n  " + d + "/bin/vim.basic: {}\n  " + d + "/bin/nothere: {}\n  " +
                      d + "/alt/*: {}\n");
  CHECK(plan->notes().empty());
  CHECK(plan->command_for(d + "/bin/nothere") != nullptr);
  CHECK(plan->command_for(d + "/alt/vi") != nullptr);  // a glob matches the text it is given
}

TEST_CASE("exec entries that are symlinks are resolved too") {
  LinkFarm farm;
  const std::string& d = farm.dir;
  auto plan =
      plan_of("defaults:\n  exec: [" + d + "/bin/py3]\ncommands:\n  /usr/bin/make:\n    exec: [" +
              d + "/bin/vi, \"" + d + "/alt/*\"]\n");
  const CommandPolicy* make = plan->command_for("/usr/bin/make");
  REQUIRE(make != nullptr);
  CHECK(permits(*plan, *make, exec_call(d + "/bin/vim.basic")));
  CHECK_FALSE(permits(*plan, *make, exec_call(d + "/bin/py3.11")));  // make's own list replaces
  CHECK(permits(*plan, plan->login(), exec_call("/usr/bin/make")));
  REQUIRE(plan->notes().size() == 2);
  CHECK(plan->notes()[0] == "t.yaml:2:10: note: exec entry " + d + "/bin/py3 is a symlink to " + d +
                                "/bin/py3.11: the entry applies to that");
}

TEST_CASE("two keys naming one file are a duplicate, naming both") {
  LinkFarm farm;
  const std::string& d = farm.dir;
  CHECK(error_of("commands:\n  " + d + "/bin/vim.basic: {}\n  " + d + "/bin/vi: {}\n") ==
        "t.yaml:3:3: duplicate command '" + d + "/bin/vi': it names " + d +
            "/bin/vim.basic, as does '" + d + "/bin/vim.basic' (first defined at t.yaml:2:3)");
  CHECK(error_of_files({{"p.yaml", "commands:\n  " + d + "/alt/vi: {}\n"},
                        {"u.yaml", "commands:\n  " + d + "/bin/vi: {}\n"}}) ==
        "u.yaml:2:3: duplicate command '" + d + "/bin/vi': it names " + d +
            "/bin/vim.basic, as does '" + d +
            "/alt/vi' (first defined at p.yaml:2:3); to add to that entry, give this one "
            "'extend: true'");
}

TEST_CASE("a symlink a user could replace is not followed") {
  LinkFarm farm;
  const std::string& d = farm.dir;
  std::filesystem::create_directories(d + "/home");
  REQUIRE(chmod((d + "/home").c_str(), 0777) == 0);
  std::filesystem::create_symlink("/usr/bin/bash", d + "/home/tool");
  std::filesystem::create_symlink("/usr/bin/bash", d + "/bin/usertool");
  REQUIRE(lchown((d + "/bin/usertool").c_str(), 1000, 1000) == 0);
  // A root-owned directory inside one the user may change can itself be swapped out.
  std::filesystem::create_directories(d + "/home/rootdir");
  REQUIRE(chmod((d + "/home/rootdir").c_str(), 0755) == 0);
  std::filesystem::create_symlink("/usr/bin/bash", d + "/home/rootdir/tool");
  auto plan = plan_of("commands:\n  " + d + "/home/tool: {}\n  " + d + "/bin/usertool: {}\n  " + d +
                      "/home/rootdir/tool: {}\n");
  CHECK(plan->command_for("/usr/bin/bash") == nullptr);
  REQUIRE(plan->notes().size() == 3);
  CHECK(plan->notes()[2] == "t.yaml:4:3: note: command " + d + "/home/rootdir/tool: symlink " + d +
                                "/home/rootdir/tool not followed (directory " + d +
                                "/home could be changed by a user other than root); the entry "
                                "matches only a program whose real path is " +
                                d + "/home/rootdir/tool");
  CHECK(plan->notes()[0] == "t.yaml:2:3: note: command " + d + "/home/tool: symlink " + d +
                                "/home/tool not followed (directory " + d +
                                "/home could be changed by a user other than root); the entry "
                                "matches only a program whose real path is " +
                                d + "/home/tool");
  CHECK(plan->notes()[1] == "t.yaml:3:3: note: command " + d + "/bin/usertool: symlink " + d +
                                "/bin/usertool not followed (the link is owned by uid 1000); the "
                                "entry matches only a program whose real path is " +
                                d + "/bin/usertool");
}

const char* kProfile = R"(defaults:
  read: [/usr/**]
  connect: []
commands:
  /usr/bin/git:
    exec: [/usr/lib/git-core/*, /usr/bin/less]
    rules:
      - fsread: filename eq "/etc/gitconfig" then permit
  /usr/bin/python3.11: {}
)";

TEST_CASE("extend: true adds to an included entry: lists appended, rules first") {
  auto plan = plan_of_files({{"profile.yaml", kProfile}, {"user.yaml", R"(commands:
  /usr/bin/git:
    extend: true
    exec: [/usr/bin/ssh]
    connect: ["inet:*:22"]
    rules:
      - fsread: filename eq "/etc/gitconfig" then deny[eperm]
  /usr/bin/python3.11:
    extend: true
    connect: ["inet:*:443"]
    read: [/srv/data/**]
)"}});
  const CommandPolicy* git = plan->command_for("/usr/bin/git");
  REQUIRE(git != nullptr);
  CHECK(permits(*plan, *git, exec_call("/usr/lib/git-core/git-fetch")));
  CHECK(permits(*plan, *git, exec_call("/usr/bin/ssh")));
  CHECK(permits(*plan, *git, net_call("connect", "inet:192.0.2.1:22")));
  // The extending file's rule is tried first.
  const Decision d = plan->decide(*git, open_call("/etc/gitconfig"));
  CHECK(d.verdict == Verdict::deny);
  CHECK(d.error == EPERM);
  CHECK(d.rule == "user.yaml:7:9");
  // An inherited list gains the additions on top of the defaults' entries.
  const CommandPolicy* py = plan->command_for("/usr/bin/python3.11");
  REQUIRE(py != nullptr);
  CHECK(permits(*plan, *py, net_call("connect", "inet:192.0.2.1:443")));
  CHECK(permits(*plan, *py, open_call("/srv/data/x")));
  CHECK(permits(*plan, *py, open_call("/usr/lib/x")));
  CHECK_FALSE(permits(*plan, plan->login(), open_call("/srv/data/x")));
  // check shows the merged entry, each part with its origin.
  REQUIRE(plan->notes().size() == 2);
  CHECK(plan->notes()[0] ==
        "profile.yaml:5:3: note: command '/usr/bin/git' is extended by user.yaml:2:3; the merged "
        "entry:\n"
        "    read: inherited from defaults\n"
        "    write: inherited from defaults\n"
        "    exec: /usr/lib/git-core/*  (profile.yaml:6:12)\n"
        "    exec: /usr/bin/less  (profile.yaml:6:33)\n"
        "    exec: /usr/bin/ssh  (user.yaml:4:12)\n"
        "    connect: the defaults' entries, then the additions:\n"
        "    connect: inet:*:22  (user.yaml:5:16)\n"
        "    bind: inherited from defaults\n"
        "    rule: fsread: filename eq \"/etc/gitconfig\" then deny[eperm]  (user.yaml:7:9)\n"
        "    rule: fsread: filename eq \"/etc/gitconfig\" then permit  (profile.yaml:8:9)");
}

TEST_CASE("remove: narrows an extended entry; what is not there is an error") {
  auto plan = plan_of_files({{"profile.yaml", kProfile}, {"user.yaml", R"(commands:
  /usr/bin/git:
    extend: true
    remove: { exec: [/usr/bin/less] }
  /usr/bin/python3.11:
    extend: true
    remove: { read: [/usr/**] }
)"}});
  const CommandPolicy* git = plan->command_for("/usr/bin/git");
  REQUIRE(git != nullptr);
  CHECK_FALSE(permits(*plan, *git, exec_call("/usr/bin/less")));
  CHECK(permits(*plan, *git, exec_call("/usr/lib/git-core/git-fetch")));
  const CommandPolicy* py = plan->command_for("/usr/bin/python3.11");
  CHECK_FALSE(permits(*plan, *py, open_call("/usr/lib/x")));
  CHECK(permits(*plan, plan->login(), open_call("/usr/lib/x")));

  CHECK(error_of_files({{"profile.yaml", kProfile}, {"user.yaml", R"(commands:
  /usr/bin/git:
    extend: true
    remove: { exec: [/usr/bin/nothere] }
)"}}) == "user.yaml:4:22: cannot remove '/usr/bin/nothere': it is not in the exec list of command "
         "'/usr/bin/git'");
}

TEST_CASE("extend errors: nothing to extend, duplicates without extend, remove without extend") {
  CHECK(error_of_files({{"profile.yaml", kProfile},
                        {"user.yaml", "commands:\n  /usr/bin/vim.basic: {extend: true}\n"}}) ==
        "user.yaml:2:24: 'extend: true', but nothing earlier in the set defines command "
        "'/usr/bin/vim.basic'");
  CHECK(error_of_files({{"profile.yaml", kProfile},
                        {"user.yaml", "commands:\n  /usr/bin/git: {exec: []}\n"}}) ==
        "user.yaml:2:3: duplicate command '/usr/bin/git' (first defined at profile.yaml:5:3); to "
        "add to that entry, give this one 'extend: true'");
  CHECK(error_of("commands:\n  /usr/bin/git: {remove: {exec: [/usr/bin/ls]}}\n") ==
        "t.yaml:2:18: 'remove' takes entries out of an included entry; it needs 'extend: true'");
  CHECK(error_of("commands:\n  /usr/bin/git: {remove: {rules: []}, extend: true}\n") ==
        "t.yaml:2:27: unknown key 'rules' in 'remove' of command '/usr/bin/git'");
  CHECK(error_of("defaults: {extend: true}\n") == "t.yaml:1:12: unknown key 'extend' in defaults");
}

TEST_CASE("a key longer than PATH_MAX is kept as written, without walking it") {
  std::string key;
  for (int i = 0; i < 200000; ++i) key += "/a";
  // An explicit key: YAML limits implicit ones to 1024 characters.
  auto plan = plan_of("commands:\n  ? " + key + "\n  : {}\n");
  CHECK(plan->notes().empty());
  CHECK(plan->command_for(key) != nullptr);
}
