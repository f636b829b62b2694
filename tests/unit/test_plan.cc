// Decisions: compact lists, rules and their order, aliases, exec and the policy switch at exec.
#include <catch2/catch.hpp>
#include <cerrno>

#include "policy_test_util.h"

using namespace stsh::policy;
using namespace stsh::policy::testing;

namespace {

std::shared_ptr<const Plan> plan_of(const std::string& yaml) {
  auto plan = compile_text(yaml);
  INFO((plan ? std::string() : plan.error().to_string()));
  REQUIRE(plan.ok());
  return *plan;
}

const char* kBase = R"(
defaults:
  read: [/usr/**, /etc/ld.so.cache, $HOME/**]
  write: [$HOME/**, /tmp/**]
  exec: []
  connect: ["inet:127.0.0.1:80", "inet:*:443", "unix:/run/app.sock"]
  bind: ["inet:127.0.0.1:8000-8099"]
commands:
  /usr/bin/ls: {}
  /usr/bin/vim.basic: { exec: [] }
  /usr/bin/find: { exec: ["@commands"] }
  /usr/bin/git:
    exec: [/usr/lib/git-core/*]
    connect: []
  /usr/lib/git-core/git-remote-http: { connect: ["inet:*:443"] }
  /opt/tools/*: { write: [] }
)";

}  // namespace

TEST_CASE("compact lists permit reads and writes beneath their entries and deny the rest") {
  auto plan = plan_of(kBase);
  const CommandPolicy& ls = *plan->command_for("/usr/bin/ls");

  auto d = plan->decide(ls, open_call("/usr/lib/x86_64-linux-gnu/libc.so.6"));
  CHECK(d.verdict == Verdict::permit);
  CHECK(d.rule == "t.yaml:3:10");  // list entries are named down to the column

  d = plan->decide(ls, open_call("/etc/shadow"));
  CHECK(d.verdict == Verdict::deny);
  CHECK(d.error == EACCES);
  CHECK(d.log);
  CHECK(d.rule == "default");

  // Written paths are readable; the write list is checked for writing opens.
  CHECK(plan->decide(ls, open_call("/tmp/x")).permitted());
  CHECK(plan->decide(ls, open_call("/tmp/x", O_WRONLY | O_CREAT)).permitted());
  CHECK_FALSE(plan->decide(ls, open_call("/usr/bin/ls", O_WRONLY)).permitted());
  CHECK_FALSE(plan->decide(ls, open_call("/usr/bin/ls", O_RDONLY | O_TRUNC)).permitted());
  CHECK(plan->decide(ls, open_call("/home/alice/notes.txt", O_RDWR)).permitted());
  CHECK_FALSE(plan->decide(ls, open_call("/home/bob/notes.txt")).permitted());

  // `**` covers the directory itself, and an exact entry covers only itself.
  CHECK(plan->decide(ls, open_call("/usr")).permitted());
  CHECK_FALSE(plan->decide(ls, open_call("/etc/ld.so.cache.d")).permitted());
  CHECK(plan->decide(ls, open_call("/etc/ld.so.cache")).permitted());
}

TEST_CASE("every fswrite family member meets the write list") {
  auto plan = plan_of(kBase);
  const CommandPolicy& ls = *plan->command_for("/usr/bin/ls");
  for (const char* sys :
       {"unlink", "unlinkat", "mkdir", "mkdirat", "rmdir", "truncate", "chmod", "fchmodat", "chown",
        "lchown", "fchownat", "utimensat", "creat", "mknod", "setxattr"}) {
    INFO(sys);
    CHECK(plan->decide(ls, path_call(sys, "/tmp/f")).permitted());
    auto d = plan->decide(ls, path_call(sys, "/etc/passwd"));
    CHECK(d.verdict == Verdict::deny);
    CHECK(d.error == EACCES);
  }
}

TEST_CASE("rename and link need the write list for both paths") {
  auto plan = plan_of(kBase);
  const CommandPolicy& ls = *plan->command_for("/usr/bin/ls");
  for (const char* sys : {"rename", "renameat", "renameat2", "link", "linkat"}) {
    INFO(sys);
    Call c = path_call(sys, "/tmp/a");
    c.filename1 = "/home/alice/b";
    CHECK(plan->decide(ls, c).permitted());
    c.filename1 = "/etc/cron.d/b";
    CHECK_FALSE(plan->decide(ls, c).permitted());
    // A hard link of a file the command may not write, into a writable directory.
    c.filename = "/etc/shadow";
    c.filename1 = "/tmp/shadow";
    CHECK_FALSE(plan->decide(ls, c).permitted());
  }
  // symlink: the new link needs write; its target text is not a path the call touches.
  Call s = path_call("symlink", "/tmp/link");
  s.filename1 = "/etc/shadow";
  CHECK(plan->decide(ls, s).permitted());
  s.filename = "/etc/link";
  CHECK_FALSE(plan->decide(ls, s).permitted());
}

TEST_CASE("the login may start exactly the commands; commands start only their exec list") {
  auto plan = plan_of(kBase);
  CHECK(plan->decide(plan->login(), exec_call("/usr/bin/ls")).permitted());
  CHECK(plan->decide(plan->login(), exec_call("/opt/tools/build")).permitted());
  auto d = plan->decide(plan->login(), exec_call("/usr/bin/bash"));
  CHECK(d.verdict == Verdict::deny);
  CHECK(d.error == EACCES);
  CHECK(d.rule == "default");

  const CommandPolicy& vim = *plan->command_for("/usr/bin/vim.basic");
  CHECK_FALSE(plan->decide(vim, exec_call("/usr/bin/bash")).permitted());
  CHECK_FALSE(plan->decide(vim, exec_call("/usr/bin/ls")).permitted());

  const CommandPolicy& find = *plan->command_for("/usr/bin/find");
  CHECK(plan->decide(find, exec_call("/usr/bin/ls")).permitted());
  CHECK_FALSE(plan->decide(find, exec_call("/usr/bin/sh")).permitted());

  const CommandPolicy& git = *plan->command_for("/usr/bin/git");
  CHECK(plan->decide(git, exec_call("/usr/lib/git-core/git-remote-http")).permitted());
  CHECK_FALSE(plan->decide(git, exec_call("/usr/bin/less")).permitted());
}

TEST_CASE("a started binary runs under its own entry, else its starter's") {
  auto plan = plan_of(kBase);
  const CommandPolicy& git = *plan->command_for("/usr/bin/git");
  const CommandPolicy& https = plan->policy_after_exec(git, "/usr/lib/git-core/git-remote-http");
  CHECK(https.key() == "/usr/lib/git-core/git-remote-http");
  CHECK(plan->decide(https, net_call("connect", "inet:140.82.121.3:443")).permitted());
  CHECK_FALSE(plan->decide(git, net_call("connect", "inet:140.82.121.3:443")).permitted());

  const CommandPolicy& helper = plan->policy_after_exec(git, "/usr/lib/git-core/git-upload-pack");
  CHECK(&helper == &git);

  // Exact keys win over glob keys; globs match by FNM_PATHNAME.
  CHECK(plan->command_for("/opt/tools/x")->key() == "/opt/tools/*");
  CHECK(plan->command_for("/opt/tools/sub/x") == nullptr);
  CHECK(plan->command_for("/usr/bin/bash") == nullptr);
}

TEST_CASE("connect and bind lists match addresses, ports and unix paths") {
  auto plan = plan_of(kBase);
  const CommandPolicy& ls = *plan->command_for("/usr/bin/ls");
  CHECK(plan->decide(ls, net_call("connect", "inet:127.0.0.1:80")).permitted());
  CHECK_FALSE(plan->decide(ls, net_call("connect", "inet:127.0.0.1:81")).permitted());
  CHECK(plan->decide(ls, net_call("sendto", "inet:10.1.2.3:443")).permitted());
  CHECK(plan->decide(ls, net_call("connect", "unix:/run/app.sock")).permitted());
  CHECK_FALSE(plan->decide(ls, net_call("connect", "unix:/run/docker.sock")).permitted());
  // inet: entries are IPv4 only.
  CHECK_FALSE(plan->decide(ls, net_call("connect", "inet6:[::1]:443")).permitted());
  CHECK(plan->decide(ls, net_call("bind", "inet:127.0.0.1:8080")).permitted());
  auto d = plan->decide(ls, net_call("bind", "inet:0.0.0.0:8080"));
  CHECK(d.verdict == Verdict::deny);
  CHECK(d.error == EACCES);
}

TEST_CASE("rules come before lists, the command's before defaults', first match wins") {
  auto plan = plan_of(R"(
defaults:
  read: [/etc/**]
  rules:
    - fsread: filename eq "/etc/shadow" then deny[eperm] log
    - fsread: filename match "/etc/ssh/*_key" then kill
commands:
  /usr/bin/cat:
    rules:
      - openat: filename eq "/etc/shadow" then permit
      - fsread: filename inpath "/etc/secret" then deny[enoent]
      - fsread: filename inpath "/etc/secret/public" then permit
  /usr/bin/head: {}
)");
  const CommandPolicy& cat = *plan->command_for("/usr/bin/cat");
  const CommandPolicy& head = *plan->command_for("/usr/bin/head");

  auto d = plan->decide(head, open_call("/etc/shadow"));
  CHECK(d.verdict == Verdict::deny);
  CHECK(d.error == EPERM);
  CHECK(d.log);
  CHECK(d.rule == "t.yaml:5:7");

  d = plan->decide(cat, open_call("/etc/shadow"));
  CHECK(d.verdict == Verdict::permit);
  CHECK(d.rule == "t.yaml:10:9");
  // stat is fsread, but a metadata read: visible, whatever the rules say.
  CHECK(plan->decide(cat, path_call("stat", "/etc/shadow")).permitted());

  d = plan->decide(cat, open_call("/etc/secret/public/x"));
  CHECK(d.error == ENOENT);  // the earlier, wider rule wins
  CHECK(plan->decide(head, open_call("/etc/ssh/ssh_host_rsa_key")).verdict == Verdict::kill);
  CHECK(plan->decide(head, open_call("/etc/ssh/ssh_config")).permitted());
}

TEST_CASE("a rule that permits a rename by its first path does not carry the second") {
  auto plan = plan_of(R"(
defaults:
  write: [/home/alice/**]
  rules:
    - fswrite: filename inpath "/tmp" then permit
commands:
  /usr/bin/mv: {}
)");
  const CommandPolicy& mv = *plan->command_for("/usr/bin/mv");
  Call c = path_call("rename", "/tmp/a");
  c.filename1 = "/etc/cron.d/x";
  auto d = plan->decide(mv, c);
  CHECK(d.verdict == Verdict::deny);
  CHECK(d.rule == "default");
  c.filename1 = "/tmp/b";
  CHECK(plan->decide(mv, c).permitted());
  c.filename1 = "/home/alice/b";
  CHECK(plan->decide(mv, c).permitted());
  c.filename = "/etc/passwd";
  CHECK_FALSE(plan->decide(mv, c).permitted());
}

TEST_CASE("alias rules on the open family apply only to their access mode") {
  auto plan = plan_of(R"(
defaults:
  read: [/data/**]
  write: [/data/**]
  rules:
    - fswrite: filename inpath "/data/ro" then deny[erofs]
    - fsread: filename inpath "/data/wo" then deny[eacces]
commands:
  /usr/bin/cp: {}
)");
  const CommandPolicy& cp = *plan->command_for("/usr/bin/cp");
  CHECK(plan->decide(cp, open_call("/data/ro/a")).permitted());
  CHECK(plan->decide(cp, open_call("/data/ro/a", O_WRONLY)).error == EROFS);
  CHECK(plan->decide(cp, open_call("/data/ro/a", O_CREAT)).error == EROFS);
  CHECK(plan->decide(cp, open_call("/data/wo/a", O_WRONLY)).permitted());
  CHECK(plan->decide(cp, open_call("/data/wo/a")).error == EACCES);
  CHECK(plan->decide(cp, path_call("unlink", "/data/ro/a")).error == EROFS);
}

TEST_CASE("general expressions: not, and, neq, sub, nsub, re, argv, oflags, mode, uid") {
  auto plan = plan_of(R"(
defaults:
  read: ["/**"]
  write: ["/**"]
  exec: ["/**"]
  rules:
    - exec: argv sub "--checkpoint-action" then deny[eperm] log
    - exec: filename eq "/usr/bin/tar" and not argv[1] re "^-?[ctx]" then deny[einval]
    - exec: argv[0] neq "/usr/bin/env" and filename eq "/usr/bin/env" then deny[e2big]
    - openat: oflags sub "O_APPEND" then deny[ebusy]
    - fchmodat: mode match "???7" then deny[eperm]
    - fchownat: uid eq "0" or gid eq "0" then deny[eperm]
    - fsread: filename nsub "/" then kill
commands:
  /usr/bin/tar: {}
)");
  const CommandPolicy& tar = *plan->command_for("/usr/bin/tar");
  CHECK(
      plan->decide(tar, exec_call("/usr/bin/tar", {"tar", "--checkpoint-action=exec=sh"})).error ==
      EPERM);
  CHECK(plan->decide(tar, exec_call("/usr/bin/tar", {"tar", "cf", "x.tar"})).permitted());
  CHECK(plan->decide(tar, exec_call("/usr/bin/tar", {"tar", "-xf", "x.tar"})).permitted());
  CHECK(plan->decide(tar, exec_call("/usr/bin/tar", {"tar", "--delete"})).error == EINVAL);
  CHECK(plan->decide(tar, exec_call("/usr/bin/env", {"ls"})).error == E2BIG);
  CHECK(plan->decide(tar, exec_call("/usr/bin/env", {"/usr/bin/env"})).permitted());
  CHECK(plan->decide(tar, open_call("/tmp/log", O_WRONLY | O_APPEND)).error == EBUSY);

  Call chmod = path_call("fchmodat", "/tmp/x");
  chmod.mode = 04755;
  CHECK(plan->decide(tar, chmod).permitted());
  chmod.mode = 0777;
  CHECK(plan->decide(tar, chmod).error == EPERM);

  Call chown = path_call("fchownat", "/tmp/x");
  chown.uid = 1000;
  chown.gid = 1000;
  CHECK(plan->decide(tar, chown).permitted());
  chown.gid = 0;
  CHECK(plan->decide(tar, chown).error == EPERM);
}

TEST_CASE("a predicate on an operand the call lacks is false, and its negation true") {
  auto plan = plan_of(R"(
defaults:
  read: ["/**"]
  rules:
    - fsread: not mode eq "0644" then deny[enoent]
commands:
  /usr/bin/cat: {}
)");
  const CommandPolicy& cat = *plan->command_for("/usr/bin/cat");
  CHECK(plan->decide(cat, open_call("/etc/hosts")).error == ENOENT);
}

TEST_CASE("a command entry's key replaces the defaults' value; absent keys inherit") {
  auto plan = plan_of(R"(
defaults:
  read: [/usr/**]
  write: [/tmp/**]
commands:
  /usr/bin/a: { read: [/srv/**] }
  /usr/bin/b: {}
)");
  const CommandPolicy& a = *plan->command_for("/usr/bin/a");
  const CommandPolicy& b = *plan->command_for("/usr/bin/b");
  CHECK(plan->decide(a, open_call("/srv/x")).permitted());
  CHECK_FALSE(plan->decide(a, open_call("/usr/x")).permitted());
  CHECK(plan->decide(a, open_call("/tmp/x", O_WRONLY)).permitted());
  CHECK(plan->decide(b, open_call("/usr/x")).permitted());
  CHECK_FALSE(plan->decide(b, open_call("/srv/x")).permitted());
}

TEST_CASE("syscalls outside the families are not restricted by lists") {
  auto plan = plan_of("defaults: {}\ncommands:\n  /usr/bin/x: {}\n");
  Call c;
  c.syscall = nr("getpid");
  CHECK(plan->decide(*plan->command_for("/usr/bin/x"), c).permitted());
  // A path call without a path is refused (an enforcer bug must not permit).
  Call open;
  open.syscall = nr("openat");
  open.oflags = O_RDONLY;
  CHECK_FALSE(plan->decide(*plan->command_for("/usr/bin/x"), open).permitted());
}

TEST_CASE("names and metadata are visible unless hidden; contents follow the lists") {
  auto plan = plan_of(R"(
defaults:
  read: [$HOME/**]
  write: [/srv/*/upload/**]
  hide: [/home/bob/**, /srv/*/private/**]
  rules:
    - fsread: filename eq "/srv" then deny[eperm] log
    - stat: true then permit
)");
  const CommandPolicy& login = plan->login();
  for (const char* syscall :
       {"stat", "lstat", "newfstatat", "statx", "access", "readlink", "chdir", "statfs"}) {
    INFO(syscall);
    const Decision d = plan->decide(login, path_call(syscall, "/etc"));
    CHECK(d.permitted());
    CHECK_FALSE(d.log);
    // Hidden: not there, whatever a rule (stat: true then permit) says.
    const Decision hidden = plan->decide(login, path_call(syscall, "/home/bob/.ssh"));
    CHECK_FALSE(hidden.permitted());
    CHECK(hidden.error == ENOENT);
    CHECK(hidden.log);
    CHECK(plan->decide(login, path_call(syscall, "/home/bob")).error == ENOENT);
    CHECK(plan->decide(login, path_call(syscall, "/home")).permitted());
  }
  CHECK(plan->decide(login, open_call("/etc", O_PATH | O_DIRECTORY)).permitted());
  // Listing a directory shows names, like stat: visible unless hidden.
  CHECK(plan->decide(login, open_call("/etc", O_RDONLY | O_DIRECTORY)).permitted());
  CHECK(plan->decide(login, open_call("/home/bob", O_RDONLY | O_DIRECTORY)).error == ENOENT);
  CHECK(plan->decide(login, path_call("getxattr", "/etc")).permitted());
  // Contents are not metadata: the read list decides.
  CHECK_FALSE(plan->decide(login, open_call("/etc/hostname", O_RDONLY)).permitted());
  CHECK(plan->decide(login, open_call("/home/bob/x", O_RDONLY)).error == ENOENT);
  CHECK(plan->decide(login, open_call("/srv/a/private/f", O_WRONLY)).error == ENOENT);
  CHECK(plan->decide(login, open_call("/srv/a/upload/f", O_WRONLY)).permitted());
  // A rule on reading governs content, not names: stat stays visible.
  CHECK(plan->decide(login, path_call("stat", "/srv")).permitted());
}
