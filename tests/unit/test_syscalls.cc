#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <algorithm>
#include <set>
#include <string>

#include <catch2/catch.hpp>

#include "policy/call.h"
#include "policy/syscalls.h"

using namespace stsh::policy;

namespace {

std::set<std::string> member_names(std::string_view alias, Access access) {
  std::set<std::string> names;
  const auto members = alias_members(alias);
  REQUIRE(members);
  for (const AliasMember& m : *members) {
    CHECK(m.access == access);
    names.insert(syscall_name(m.nr));
  }
  return names;
}

}  // namespace

TEST_CASE("syscall_number resolves common x86_64 names", "[syscalls]") {
  CHECK(syscall_number("read") == 0);
  CHECK(syscall_number("open") == __NR_open);
  CHECK(syscall_number("openat") == 257);
  CHECK(syscall_number("execve") == 59);
  CHECK(syscall_number("connect") == 42);
  CHECK(syscall_number("openat2") == 437);
  CHECK(syscall_number("faccessat2") == 439);
}

TEST_CASE("syscall_number knows syscalls newer than libseccomp", "[syscalls]") {
  CHECK(syscall_number("fchmodat2") == 452);
  CHECK(syscall_number("map_shadow_stack") == 453);
  CHECK(syscall_number("futex_requeue") == 456);
  CHECK(syscall_number("statmount") == 457);
  CHECK(syscall_number("listmount") == 458);
  CHECK(syscall_number("lsm_list_modules") == 461);
  CHECK(syscall_number("mseal") == 462);
  CHECK(syscall_number("setxattrat") == 463);
  CHECK(syscall_number("removexattrat") == 466);
  CHECK(syscall_number("open_tree_attr") == 467);
  CHECK(syscall_number("file_getattr") == 468);
  CHECK(syscall_number("file_setattr") == 469);
}

TEST_CASE("syscall_number rejects what is not an x86_64 syscall", "[syscalls]") {
  CHECK_FALSE(syscall_number(""));
  CHECK_FALSE(syscall_number("opne"));
  CHECK_FALSE(syscall_number("OPEN"));
  CHECK_FALSE(syscall_number("fsread"));
  CHECK_FALSE(syscall_number("socketcall"));  // exists on i386 only
  CHECK_FALSE(syscall_number(std::string_view("open\0x", 6)));
}

TEST_CASE("syscall_name inverts syscall_number", "[syscalls]") {
  CHECK(syscall_name(0) == "read");
  CHECK(syscall_name(59) == "execve");
  CHECK(syscall_name(462) == "mseal");
  CHECK(syscall_name(469) == "file_setattr");
  CHECK(syscall_name(999) == "syscall_999");
  CHECK(syscall_name(-1) == "syscall_-1");
}

TEST_CASE("all_syscall_names is sorted, unique and complete", "[syscalls]") {
  const auto names = all_syscall_names();
  CHECK(std::is_sorted(names.begin(), names.end()));
  CHECK(std::adjacent_find(names.begin(), names.end()) == names.end());
  for (const char* n : {"read", "openat2", "fchmodat2", "mseal", "file_setattr"}) {
    CHECK(std::binary_search(names.begin(), names.end(), std::string(n)));
  }
  CHECK(names.size() > 350);
  for (const auto& n : names) CHECK(syscall_number(n).has_value());
}

TEST_CASE("alias names", "[syscalls]") {
  const auto names = alias_names();
  CHECK(std::vector<std::string_view>(names.begin(), names.end()) ==
        std::vector<std::string_view>{"exec", "fsread", "fswrite", "net"});
  CHECK_FALSE(alias_members("fs"));
  CHECK_FALSE(alias_members("open"));
}

TEST_CASE("fsread has exactly the spec's members", "[syscalls]") {
  CHECK(member_names("fsread", Access::read) ==
        std::set<std::string>{"open", "openat", "openat2", "stat", "lstat", "newfstatat", "statx",
                              "access", "faccessat", "faccessat2", "readlink", "readlinkat",
                              "getxattr", "lgetxattr", "listxattr", "llistxattr", "chdir", "statfs",
                              "inotify_add_watch", "fanotify_mark"});
  CHECK(alias_members("fsread")->size() == 20);
}

TEST_CASE("fswrite has exactly the spec's members", "[syscalls]") {
  CHECK(member_names("fswrite", Access::write) ==
        std::set<std::string>{"open",      "openat",      "openat2",     "creat",     "unlink",
                              "unlinkat",  "rename",      "renameat",    "renameat2", "link",
                              "linkat",    "symlink",     "symlinkat",   "mkdir",     "mkdirat",
                              "rmdir",     "mknod",       "mknodat",     "truncate",  "chmod",
                              "fchmodat",  "fchmodat2",   "chown",       "lchown",    "fchownat",
                              "utime",     "utimes",      "futimesat",   "utimensat", "setxattr",
                              "lsetxattr", "removexattr", "lremovexattr", "fchmod", "fchown",
                              "fsetxattr", "fremovexattr"});
  CHECK(alias_members("fswrite")->size() == 37);
}

TEST_CASE("exec and net members", "[syscalls]") {
  CHECK(member_names("exec", Access::exec) == std::set<std::string>{"execve", "execveat"});
  std::set<std::string> connect;
  std::set<std::string> bind;
  const std::span<const AliasMember> net = alias_members("net").value();
  for (const AliasMember& m : net) {
    (m.access == Access::bind ? bind : connect).insert(syscall_name(m.nr));
  }
  CHECK(connect == std::set<std::string>{"connect", "sendto", "sendmsg"});
  CHECK(bind == std::set<std::string>{"bind", "listen"});
}

TEST_CASE("access_of the open family follows the access mode", "[syscalls]") {
  for (const int nr : {__NR_open, __NR_openat, __NR_openat2}) {
    CHECK(access_of(nr, O_RDONLY) == Access::read);
    CHECK(access_of(nr, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_DIRECTORY) == Access::read);
    CHECK(access_of(nr, O_RDONLY | O_NONBLOCK | O_PATH) == Access::read);
    CHECK(access_of(nr, O_WRONLY) == Access::write);
    CHECK(access_of(nr, O_RDWR) == Access::write);
    CHECK(access_of(nr, O_RDONLY | O_CREAT) == Access::write);
    CHECK(access_of(nr, O_RDONLY | O_TRUNC) == Access::write);
    CHECK(access_of(nr, O_WRONLY | O_APPEND) == Access::write);
    CHECK(access_of(nr, O_ACCMODE) == Access::write);
    CHECK(access_of(nr, O_RDWR | O_TMPFILE) == Access::write);
    CHECK(access_of(nr, std::nullopt) == Access::write);  // unknown flags: the stricter list
  }
}

TEST_CASE("access_of the other families", "[syscalls]") {
  CHECK(access_of(__NR_creat, std::nullopt) == Access::write);
  CHECK(access_of(__NR_stat, std::nullopt) == Access::read);
  CHECK(access_of(__NR_readlinkat, std::nullopt) == Access::read);
  CHECK(access_of(__NR_chdir, std::nullopt) == Access::read);
  CHECK(access_of(__NR_unlink, std::nullopt) == Access::write);
  CHECK(access_of(__NR_renameat2, std::nullopt) == Access::write);
  CHECK(access_of(452, std::nullopt) == Access::write);  // fchmodat2
  CHECK(access_of(__NR_execve, std::nullopt) == Access::exec);
  CHECK(access_of(__NR_execveat, std::nullopt) == Access::exec);
  CHECK(access_of(__NR_connect, std::nullopt) == Access::connect);
  CHECK(access_of(__NR_sendto, std::nullopt) == Access::connect);
  CHECK(access_of(__NR_sendmsg, std::nullopt) == Access::connect);
  CHECK(access_of(__NR_bind, std::nullopt) == Access::bind);
  CHECK(access_of(__NR_read, std::nullopt) == Access::none);
  CHECK(access_of(__NR_fchmod, std::nullopt) == Access::write);  // decided on the fd's file
  CHECK(access_of(__NR_listen, std::nullopt) == Access::bind);   // of an unbound socket
  CHECK(access_of(__NR_fstat, std::nullopt) == Access::none);
  CHECK(access_of(9999, std::nullopt) == Access::none);
}

TEST_CASE("operands_of follows the spec", "[syscalls]") {
  auto is = [](Operands o, Operands want) {
    return o.filename == want.filename && o.filename1 == want.filename1 && o.argv == want.argv &&
           o.sockaddr == want.sockaddr && o.oflags == want.oflags && o.mode == want.mode &&
           o.uid == want.uid && o.gid == want.gid;
  };
  const Operands path{.filename = true};
  const Operands two_paths{.filename = true, .filename1 = true};
  const Operands path_mode{.filename = true, .mode = true};
  CHECK(is(operands_of(__NR_openat), {.filename = true, .oflags = true, .mode = true}));
  CHECK(is(operands_of(__NR_openat2), {.filename = true, .oflags = true, .mode = true}));
  CHECK(is(operands_of(__NR_creat), path_mode));
  CHECK(is(operands_of(__NR_mkdirat), path_mode));
  CHECK(is(operands_of(__NR_mknod), path_mode));
  CHECK(is(operands_of(__NR_chmod), path_mode));
  CHECK(is(operands_of(452), path_mode));
  CHECK(is(operands_of(__NR_fchownat), {.filename = true, .uid = true, .gid = true}));
  CHECK(is(operands_of(__NR_rename), two_paths));
  CHECK(is(operands_of(__NR_linkat), two_paths));
  CHECK(is(operands_of(__NR_symlinkat), two_paths));
  CHECK(is(operands_of(__NR_execve), {.filename = true, .argv = true}));
  CHECK(is(operands_of(__NR_connect), {.sockaddr = true}));
  CHECK(is(operands_of(__NR_sendmsg), {.sockaddr = true}));
  CHECK(is(operands_of(__NR_bind), {.sockaddr = true}));
  CHECK(is(operands_of(__NR_stat), path));
  CHECK(is(operands_of(__NR_unlink), path));
  CHECK(is(operands_of(__NR_lremovexattr), path));
  CHECK(is(operands_of(__NR_inotify_add_watch), path));
  CHECK(is(operands_of(__NR_read), {}));
  CHECK(is(operands_of(__NR_fchmod), path_mode));
  CHECK(is(operands_of(__NR_fchown), {.filename = true, .uid = true, .gid = true}));
  CHECK(is(operands_of(__NR_listen), {.sockaddr = true}));
  CHECK(is(operands_of(__NR_fanotify_mark), path));
  CHECK(is(operands_of(__NR_fstat), {}));
}

TEST_CASE("which second paths are written or raw", "[syscalls]") {
  for (const int nr : {__NR_rename, __NR_renameat, __NR_renameat2, __NR_link, __NR_linkat}) {
    CHECK(second_path_is_written(nr));
    CHECK_FALSE(second_path_is_raw(nr));
  }
  for (const int nr : {__NR_symlink, __NR_symlinkat}) {
    CHECK_FALSE(second_path_is_written(nr));
    CHECK(second_path_is_raw(nr));
  }
  CHECK_FALSE(second_path_is_written(__NR_openat));
  CHECK_FALSE(second_path_is_raw(__NR_openat));
}

TEST_CASE("format_oflags: access mode first, flags in fixed order", "[syscalls]") {
  CHECK(format_oflags(O_RDONLY) == "O_RDONLY");
  CHECK(format_oflags(O_WRONLY | O_CREAT | O_TRUNC) == "O_WRONLY|O_CREAT|O_TRUNC");
  CHECK(format_oflags(O_TRUNC | O_CREAT | O_WRONLY) == "O_WRONLY|O_CREAT|O_TRUNC");
  CHECK(format_oflags(O_RDWR | O_CLOEXEC | O_APPEND) == "O_RDWR|O_APPEND|O_CLOEXEC");
  CHECK(format_oflags(O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) ==
        "O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC");
  CHECK(format_oflags(O_ACCMODE) == "O_ACCMODE");
  CHECK(format_oflags(O_WRONLY | O_CREAT | O_EXCL | O_NOCTTY | O_NONBLOCK) ==
        "O_WRONLY|O_CREAT|O_EXCL|O_NOCTTY|O_NONBLOCK");
  CHECK(format_oflags(O_RDONLY | O_PATH | O_NOATIME) == "O_RDONLY|O_NOATIME|O_PATH");
  CHECK(format_oflags(O_RDONLY | 0100000) == "O_RDONLY|O_LARGEFILE");  // kernel's bit
  CHECK(format_oflags(O_RDONLY | O_DIRECT) == "O_RDONLY|O_DIRECT");
}

TEST_CASE("format_oflags: compound flags absorb their parts", "[syscalls]") {
  CHECK(format_oflags(O_WRONLY | O_DSYNC) == "O_WRONLY|O_DSYNC");
  CHECK(format_oflags(O_WRONLY | O_SYNC) == "O_WRONLY|O_SYNC");
  CHECK(format_oflags(O_RDONLY | O_DIRECTORY) == "O_RDONLY|O_DIRECTORY");
  CHECK(format_oflags(O_RDWR | O_TMPFILE) == "O_RDWR|O_TMPFILE");
  CHECK(format_oflags(O_RDWR | O_TMPFILE | O_EXCL) == "O_RDWR|O_EXCL|O_TMPFILE");
  // __O_TMPFILE without O_DIRECTORY is not O_TMPFILE: the lone bit is unknown.
  CHECK(format_oflags(O_RDWR | 020000000) == "O_RDWR|0x400000");
}

TEST_CASE("format_oflags: unknown bits in hex", "[syscalls]") {
  CHECK(format_oflags(O_RDONLY | 020000) == "O_RDONLY|0x2000");  // FASYNC
  CHECK(format_oflags(O_WRONLY | 0x40000000) == "O_WRONLY|0x40000000");
  CHECK(format_oflags(-1).starts_with("O_ACCMODE|O_CREAT|"));
}

TEST_CASE("format_mode: four octal digits", "[syscalls]") {
  CHECK(format_mode(0644) == "0644");
  CHECK(format_mode(0) == "0000");
  CHECK(format_mode(0755) == "0755");
  CHECK(format_mode(04755) == "4755");
  CHECK(format_mode(07777) == "7777");
  CHECK(format_mode(01777) == "1777");
  CHECK(format_mode(S_IFCHR | 0600) == "0600");
  CHECK(format_mode(S_IFREG | 02644) == "2644");
}

TEST_CASE("access_name and describe", "[call]") {
  CHECK(access_name(Access::none) == "none");
  CHECK(access_name(Access::read) == "read");
  CHECK(access_name(Access::write) == "write");
  CHECK(access_name(Access::exec) == "exec");
  CHECK(access_name(Access::connect) == "connect");
  CHECK(access_name(Access::bind) == "bind");

  CHECK(describe(Decision{Verdict::permit, 0, false, "default"}) == "permit");
  CHECK(describe(Decision{Verdict::permit, 0, true, "x:1"}) == "permit log");
  CHECK(describe(Decision{Verdict::deny, EACCES, false, "default"}) == "deny[EACCES]");
  CHECK(describe(Decision{Verdict::deny, EPERM, true, "default"}) == "deny[EPERM] log");
  CHECK(describe(Decision{Verdict::deny, 4000, false, "default"}) == "deny[4000]");
  CHECK(describe(Decision{Verdict::kill, 0, false, "default"}) == "kill");
  CHECK(describe(Decision{Verdict::kill, 0, true, "default"}) == "kill log");
}
