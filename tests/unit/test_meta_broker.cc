// The metadata broker without a supervisor: a forked child waits while the test hands
// read_meta_request a notification for it by hand (fork copied our memory, so our buffers'
// addresses are the child's: what the child must see is made before it), then performs the
// call and reads the child's buffer back.
#include <fcntl.h>
#include <linux/seccomp.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <initializer_list>
#include <string>

#include "enforcer/kernel_compat.h"
#include "enforcer/meta_broker.h"
#include "enforcer/open_broker.h"
#include "enforcer/path_broker.h"
#include "enforcer/socket_broker.h"
#include "enforcer/watch_broker.h"
#include "policy/syscalls.h"
#include "scratch_dir.h"

namespace {

using namespace stsh::enforcer;

// A child that exists only to be the "process" of the notifications, until destroyed.
class WaitingChild {
 public:
  WaitingChild() {
    REQUIRE(pipe(pipe_) == 0);
    pid_ = fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      close(pipe_[1]);  // so that the parent's close is our end of file
      char c;
      (void)!read(pipe_[0], &c, 1);
      _exit(0);
    }
  }
  ~WaitingChild() {
    close(pipe_[1]);
    close(pipe_[0]);
    waitpid(pid_, nullptr, 0);
  }
  pid_t pid() const { return pid_; }

  template <typename T>
  T read_back(const T& ours) const {
    T out{};
    iovec local{&out, sizeof out};
    iovec remote{const_cast<T*>(&ours), sizeof out};
    REQUIRE(process_vm_readv(pid_, &local, 1, &remote, 1, 0) == sizeof out);
    return out;
  }

 private:
  int pipe_[2] = {-1, -1};
  pid_t pid_ = -1;
};

seccomp_notif notification(pid_t pid, int nr, std::initializer_list<unsigned long> args) {
  seccomp_notif n{};
  n.pid = static_cast<__u32>(pid);
  n.data.nr = nr;
  int i = 0;
  for (unsigned long a : args) n.data.args[i++] = a;
  return n;
}

template <typename T>
unsigned long addr(const T* p) {
  return reinterpret_cast<unsigned long>(p);
}

using TempDir = stsh::testing::ScratchDir;

}  // namespace

TEST_CASE("meta broker: every fsread and fswrite syscall reaches a broker", "[meta_broker]") {
  for (const char* alias : {"fsread", "fswrite"}) {
    const auto members = *stsh::policy::alias_members(alias);
    for (const auto& m : members) {
      const bool routed = is_brokered_open(m.nr) || is_brokered_path_call(m.nr) ||
                          is_brokered_meta_call(m.nr) || is_brokered_socket_call(m.nr) ||
                          is_brokered_watch_call(m.nr);
      INFO(alias << ": " << stsh::policy::syscall_name(m.nr));
      CHECK(routed);
    }
  }
  // The newer twins of routed calls must be routed too (refused, until brokered).
  for (int nr : {__NR_fchmodat2, __NR_setxattrat, __NR_getxattrat, __NR_listxattrat,
                 __NR_removexattrat, __NR_file_getattr, __NR_file_setattr}) {
    INFO(nr);
    CHECK(is_brokered_meta_call(nr));
  }
  // Changes through a descriptor are brokered (decided on the file it names); reads through
  // one, and ftruncate (decided when the file was opened for writing), are not.
  for (int nr : {SYS_fchmod, SYS_fchown, SYS_fsetxattr, SYS_fremovexattr}) {
    CHECK(is_brokered_meta_call(nr));
  }
  for (int nr : {SYS_fstat, SYS_fgetxattr, SYS_fchdir, SYS_ftruncate}) {
    CHECK_FALSE(is_brokered_meta_call(nr));
  }
}

TEST_CASE("meta broker: resolution follows the last symlink as the call does", "[meta_broker]") {
  TempDir dir;
  const std::string file = dir.path + "/file", link = dir.path + "/link";
  REQUIRE(close(open(file.c_str(), O_CREAT | O_WRONLY, 0644)) == 0);
  REQUIRE(symlink("file", link.c_str()) == 0);
  const std::string link_slash = link + "/";
  const char proc_self[] = "/proc/self";
  std::array<char, 32> text{};
  struct stat st {};
  WaitingChild child;  // after everything it must have a copy of
  int err = 0;

  auto req = read_meta_request(
      notification(child.pid(), SYS_lstat, {addr(link.c_str()), addr(&st)}), child.pid(), err);
  REQUIRE(req);
  CHECK(req->path == link);
  CHECK_FALSE(req->follow);
  CHECK(meta_call(*req).filename == link);
  REQUIRE(meta_call_on_behalf(child.pid(), *req) == 0);
  CHECK(S_ISLNK(child.read_back(st).st_mode));

  req = read_meta_request(notification(child.pid(), SYS_stat, {addr(link.c_str()), addr(&st)}),
                          child.pid(), err);
  REQUIRE(req);
  CHECK(req->path == file);
  REQUIRE(meta_call_on_behalf(child.pid(), *req) == 0);
  CHECK(S_ISREG(child.read_back(st).st_mode));

  // "link/" follows the link whatever the call, and must name a directory.
  req =
      read_meta_request(notification(child.pid(), SYS_lstat, {addr(link_slash.c_str()), addr(&st)}),
                        child.pid(), err);
  REQUIRE(req);
  CHECK(req->path == file);
  CHECK(meta_call_on_behalf(child.pid(), *req) == -ENOTDIR);

  // readlink of /proc/self is the process's pid, not the supervisor's.
  req = read_meta_request(
      notification(child.pid(), SYS_readlink, {addr(proc_self), addr(text.data()), text.size()}),
      child.pid(), err);
  REQUIRE(req);
  const std::string pid = std::to_string(child.pid());
  REQUIRE(meta_call_on_behalf(child.pid(), *req) == static_cast<int>(pid.size()));
  const auto back = child.read_back(text);
  CHECK(std::string(back.data(), pid.size()) == pid);
}

TEST_CASE("meta broker: a path changed after the decision is not what is touched",
          "[meta_broker]") {
  TempDir dir;
  const std::string sub = dir.path + "/sub", file = sub + "/file";
  const std::string elsewhere = dir.path + "/elsewhere", target = elsewhere + "/file";
  REQUIRE(mkdir(sub.c_str(), 0755) == 0);
  REQUIRE(mkdir(elsewhere.c_str(), 0755) == 0);
  REQUIRE(close(open(file.c_str(), O_CREAT | O_WRONLY, 0644)) == 0);
  REQUIRE(close(open(target.c_str(), O_CREAT | O_WRONLY, 0644)) == 0);
  WaitingChild child;
  int err = 0;
  auto req = read_meta_request(notification(child.pid(), SYS_chmod, {addr(file.c_str()), 0600}),
                               child.pid(), err);
  REQUIRE(req);
  CHECK(req->path == file);

  SECTION("the file swapped for a symlink") {
    REQUIRE(unlink(file.c_str()) == 0);
    REQUIRE(symlink(target.c_str(), file.c_str()) == 0);
  }
  SECTION("a directory on the path swapped for a symlink") {
    REQUIRE(rename(sub.c_str(), (dir.path + "/old").c_str()) == 0);
    REQUIRE(symlink(elsewhere.c_str(), sub.c_str()) == 0);
  }
  CHECK(meta_call_on_behalf(child.pid(), *req) == -ELOOP);
  struct stat st {};
  REQUIRE(stat(target.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0644);
}

TEST_CASE("meta broker: descriptor forms, refusals and errors", "[meta_broker]") {
  TempDir dir;
  const std::string file = dir.path + "/file";
  const int fd = open(file.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
  REQUIRE(fd >= 0);
  REQUIRE(write(fd, "12345", 5) == 5);
  struct stat st {};
  const char empty[] = "";
  const std::string dev = dir.path + "/dev";
  WaitingChild child;  // holds `fd` too
  int err = 0;

  // fstat as glibc makes it: done on the child's own descriptor, whatever the buffer says later.
  auto req = read_meta_request(
      notification(child.pid(), SYS_newfstatat,
                   {static_cast<unsigned long>(fd), addr(empty), addr(&st), AT_EMPTY_PATH}),
      child.pid(), err);
  REQUIRE(req);
  CHECK(req->by_descriptor());
  CHECK(req->fd == fd);
  REQUIRE(meta_call_on_behalf(child.pid(), *req) == 0);
  CHECK(child.read_back(st).st_size == 5);

  // utimensat(fd, NULL, ...) is futimens: a change through the descriptor, decided on its file.
  req = read_meta_request(
      notification(child.pid(), SYS_utimensat, {static_cast<unsigned long>(fd), 0, 0, 0}),
      child.pid(), err);
  REQUIRE(req);
  CHECK(req->op == MetaOp::utimes);
  CHECK(req->by_descriptor());
  CHECK(req->fd == fd);
  CHECK(changes_object(req->op));
  // With AT_FDCWD and no path there is nothing to change: the kernel's to fail (EFAULT).
  req = read_meta_request(
      notification(child.pid(), SYS_utimensat, {static_cast<unsigned long>(AT_FDCWD), 0, 0, 0}),
      child.pid(), err);
  REQUIRE(req);
  CHECK(req->op == MetaOp::kernel);

  // Undecidable or invalid: an errno, never a request.
  CHECK_FALSE(read_meta_request(
      notification(child.pid(), SYS_readlinkat,
                   {static_cast<unsigned long>(AT_FDCWD), addr(empty), addr(&st), 8}),
      child.pid(), err));
  CHECK(err == ENOENT);
  CHECK_FALSE(read_meta_request(
      notification(child.pid(), SYS_newfstatat,
                   {static_cast<unsigned long>(AT_FDCWD), addr(file.c_str()), addr(&st), 0x4}),
      child.pid(), err));
  CHECK(err == EINVAL);
  CHECK_FALSE(
      read_meta_request(notification(child.pid(), SYS_stat, {8, addr(&st)}), child.pid(), err));
  CHECK(err == EFAULT);
  CHECK_FALSE(read_meta_request(notification(child.pid(), __NR_getxattrat, {}), child.pid(), err));
  CHECK(err == ENOSYS);

  // Device nodes are never made.
  req = read_meta_request(
      notification(child.pid(), SYS_mknod, {addr(dev.c_str()), S_IFCHR | 0600, 0}), child.pid(),
      err);
  REQUIRE(req);
  CHECK(req->parent == dir.path);
  CHECK(req->name == "dev");
  CHECK(meta_call_on_behalf(child.pid(), *req) == -EPERM);
  CHECK(access(dev.c_str(), F_OK) != 0);
  close(fd);
}
