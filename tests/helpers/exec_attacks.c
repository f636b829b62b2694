// Attacks on exec control, run under stsh-run by tests/run/stsh_run_test.sh. Each mode prints
// what happened; the test asserts that a denied program never ran.
//   race-thread ALLOWED DENIED N  a second thread flips the path buffer while execve reads it
//   thread-exec DENIED            execve from a thread that is not the group leader
//   vfork DENIED                  vfork, then execve in the child
//   memfd DENIED                  copy DENIED into a memfd and execveat(fd, "", AT_EMPTY_PATH)
//   ptrace-parent                 PTRACE_ATTACH to the parent (the supervisor)
//   fork-bomb N                   fork up to N children that sleep; report how many forks worked
//   umask                         print the umask the command started with
//   open-at DIR REL               openat(open(DIR, O_PATH), REL): print errno or the first line
//   open PATH                     open(PATH): print errno or the first line
//   listen PORT SECONDS | listen-unix PATH SECONDS   a server for the connect checks
//   connect HOST PORT | connect-unix PATH | bind-tcp PORT   print "ok" or the errno
//   reopen FILE                   open FILE read-only, then reopen it for writing via /proc/self/fd
//   open-race-buffer OK DENIED N  a thread flips the path buffer while the main thread opens it
//   open-race-link DIR OK DENIED N  a thread swaps DIR/link between OK and DENIED while we open it
//   sys NAME PATH [ARG]           one metadata syscall by its name (stat, lstat, newfstatat,
//                                 statx, statfs, access, faccessat, faccessat2, readlink,
//                                 readlinkat, chmod, fchmodat, fchmodat2, chown, lchown, fchownat,
//                                 truncate, utime, utimes, futimesat, utimensat, setxattr,
//                                 lsetxattr, getxattr, lgetxattr, listxattr, llistxattr,
//                                 removexattr, lremovexattr, mknod, mknodat, chdir, and the
//                                 descriptor forms fstat-empty, readlink-empty, chown-empty);
//                                 ARG: access "r"/"w"/"x"/"f", chmod octal, chown "UID:GID",
//                                 truncate length, setxattr "NAME=VALUE", getxattr and
//                                 removexattr NAME. Prints "NAME: ok ..." or "NAME: errno=E".
//   race-shm OK DENIED N INO      a second process rewrites the path through a MAP_SHARED page
//                                 while we open and stat it; a stat escapes when it returns
//                                 inode INO (DENIED's)
//   stat-race OK DENIED N INO     a thread flips the path buffer while we stat it
//   stat-race-empty OK DENIED N INO  a thread flips the buffer between "" and DENIED while we
//                                 fstatat(fd of OK, buffer, AT_EMPTY_PATH)
//   open-loop PATH N              open PATH N times (something else swaps what it names)
//   swap-loop A B                 exchange A and B (renameat2 RENAME_EXCHANGE) until killed
//   thread-chdir A B NAME         from A, open NAME; a thread chdirs to B; open NAME again
//   cwd-race A B NAME N           a thread flips the cwd between A and B (fchdir) while we
//                                 open NAME; B/NAME is the denied one
//   fd-paths N NAME               reach NAME inside the directory open as descriptor N by every
//                                 route: /proc/self/fd/N/NAME, /dev/fd/N/NAME, openat, fstatat,
//                                 faccessat, fchdir then open and stat
//   reopen-opath FILE             open FILE O_PATH, then reopen it for writing via /dev/fd/N
//   link FROM TO                  link(FROM, TO): print "ok" or the errno
// The open races print how many reads returned the denied file's first byte differently from
// OK's ("escaped=N"); OK's content must differ from DENIED's.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

int meta_mode(int argc, char** argv);  // meta_attacks.c: -1 when the mode is not one of its
int core_mode(int argc, char** argv);  // core_attacks.c: likewise

static char path_buf[4096];
static const char* allowed;
static const char* denied;
static volatile int stop;
static volatile int vfork_errno;  // written by the vfork child, which shares our memory

static void* flipper(void* arg) {
  (void)arg;
  while (!stop) {
    strcpy(path_buf, denied);
    strcpy(path_buf, allowed);
  }
  return NULL;
}

// One attempt: fork; the child starts the flipper and execs whatever path_buf holds.
static void race_once(void) {
  pid_t pid = fork();
  if (pid == 0) {
    strcpy(path_buf, allowed);
    pthread_t t;
    pthread_create(&t, NULL, flipper, NULL);
    char* argv[] = {path_buf, NULL};
    for (int i = 0; i < 50; ++i) syscall(SYS_execve, path_buf, argv, environ);
    _exit(100);
  }
  int status;
  waitpid(pid, &status, 0);
}

static void* exec_from_thread(void* arg) {
  char* argv[] = {(char*)arg, NULL};
  execve((char*)arg, argv, environ);
  printf("thread-exec: errno=%s\n", strerrorname_np(errno));
  fflush(stdout);
  _exit(0);
}

static struct in_addr race_ok_addr, race_denied_addr;
static struct in_addr* volatile race_target;

static void* flip_address(void* arg) {
  (void)arg;
  for (;;) {
    *race_target = race_denied_addr;
    *race_target = race_ok_addr;
  }
  return NULL;
}

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  const char* mode = argv[1];
  const int meta = meta_mode(argc, argv);
  if (meta >= 0) return meta;
  const int core = core_mode(argc, argv);
  if (core >= 0) return core;
  if (!strcmp(mode, "race-thread") && argc == 5) {
    allowed = argv[2];
    denied = argv[3];
    for (int i = 0; i < atoi(argv[4]); ++i) race_once();
    printf("race-thread: done\n");
  } else if (!strcmp(mode, "thread-exec") && argc == 3) {
    pthread_t t;
    pthread_create(&t, NULL, exec_from_thread, argv[2]);
    pthread_join(t, NULL);
  } else if (!strcmp(mode, "vfork") && argc == 3) {
    pid_t pid = vfork();
    if (pid == 0) {
      char* av[] = {argv[2], NULL};
      execve(argv[2], av, environ);
      vfork_errno = errno;
      _exit(127);
    }
    int status;
    waitpid(pid, &status, 0);
    printf("vfork: errno=%s\n", strerrorname_np(vfork_errno));
  } else if (!strcmp(mode, "memfd") && argc == 3) {
    int src = open(argv[2], O_RDONLY);
    int fd = memfd_create("payload", MFD_CLOEXEC);
    struct stat st;
    if (src < 0 || fd < 0 || fstat(src, &st) != 0) return 3;
    if (sendfile(fd, src, NULL, (size_t)st.st_size) != st.st_size) return 3;
    char* av[] = {"payload", NULL};
    syscall(SYS_execveat, fd, "", av, environ, AT_EMPTY_PATH);
    printf("memfd: errno=%s\n", strerrorname_np(errno));
  } else if (!strcmp(mode, "udp-send") && argc == 5) {
    // One datagram to ADDR:PORT by sendto, sendmsg or sendmmsg (argv[2]).
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[4]))};
    inet_pton(AF_INET, argv[3], &to.sin_addr);
    char data[] = "datagram";
    struct iovec iov = {data, sizeof data};
    struct msghdr h = {.msg_name = &to, .msg_namelen = sizeof to, .msg_iov = &iov, .msg_iovlen = 1};
    struct mmsghdr mm = {.msg_hdr = h};
    long rc;
    if (!strcmp(argv[2], "sendto")) {
      rc = sendto(s, data, sizeof data, 0, (struct sockaddr*)&to, sizeof to);
    } else if (!strcmp(argv[2], "sendmsg")) {
      rc = sendmsg(s, &h, 0);
    } else {
      rc = sendmmsg(s, &mm, 1, 0);
      if (rc == 1) rc = mm.msg_len;  // bytes, as the others report
    }
    printf("udp-%s: rc=%ld errno=%s\n", argv[2], rc, rc < 0 ? strerrorname_np(errno) : "0");
  } else if (!strcmp(mode, "udp-race") && argc == 6) {
    // A thread flips the address in the msghdr between a permitted and a denied one while
    // sendmsg runs: only what was decided may be sent (the receiver at DENIED counts).
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    static struct sockaddr_in to;
    to.sin_family = AF_INET;
    to.sin_port = htons((uint16_t)atoi(argv[4]));
    inet_pton(AF_INET, argv[2], &race_ok_addr);
    inet_pton(AF_INET, argv[3], &race_denied_addr);
    to.sin_addr = race_ok_addr;
    race_target = &to.sin_addr;
    pthread_t flipper;
    pthread_create(&flipper, NULL, flip_address, NULL);
    char data[] = "race";
    struct iovec iov = {data, sizeof data};
    struct msghdr h = {.msg_name = &to, .msg_namelen = sizeof to, .msg_iov = &iov, .msg_iovlen = 1};
    int sent = 0, denied = 0;
    for (int i = 0, n = atoi(argv[5]); i < n; ++i) {
      to.sin_addr = race_ok_addr;
      if (sendmsg(s, &h, 0) >= 0) ++sent; else ++denied;
    }
    printf("udp-race: sent=%d denied=%d\n", sent, denied);
  } else if (!strcmp(mode, "kernel-tier")) {
    // The calls the kernel tier denies whatever the policy says, one line each.
    char params[120] = {0};  // struct io_uring_params
    long rc = syscall(SYS_io_uring_setup, 1, params);
    printf("io_uring_setup: rc=%ld errno=%s\n", rc, rc < 0 ? strerrorname_np(errno) : "0");
    char byte = 0;
    struct iovec local = {&byte, 1}, remote = {&byte, 1};
    rc = syscall(SYS_process_vm_writev, getppid(), &local, 1, &remote, 1, 0);
    printf("process_vm_writev: rc=%ld errno=%s\n", rc, rc < 0 ? strerrorname_np(errno) : "0");
    rc = unshare(CLONE_NEWUSER);
    printf("unshare: rc=%ld errno=%s\n", rc, rc < 0 ? strerrorname_np(errno) : "0");
    struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    struct sock_fprog prog = {1, &allow};
    rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
    printf("seccomp-listener: rc=%ld errno=%s\n", rc, rc < 0 ? strerrorname_np(errno) : "0");
    // A child the supervisor would not follow.
    rc = syscall(SYS_clone, CLONE_UNTRACED | SIGCHLD, 0, 0, 0, 0);
    if (rc == 0) _exit(0);
    printf("clone-untraced: rc=%ld errno=%s\n", rc, rc < 0 ? strerrorname_np(errno) : "0");
  } else if (!strcmp(mode, "int80") && argc == 3) {
    // A 32-bit open through int 0x80: the kernel tier kills the process (SIGSYS).
    long ret;
    __asm__ volatile("int $0x80" : "=a"(ret) : "a"(5), "b"(argv[2]), "c"(0) : "memory");
    printf("int80: survived, returned %ld\n", ret);
  } else if (!strcmp(mode, "x32")) {
    long rc = syscall(0x40000000 | SYS_getpid);
    printf("x32: survived, returned %ld\n", rc);
  } else if (!strcmp(mode, "ptrace-parent")) {
    long rc = ptrace(PTRACE_ATTACH, getppid(), NULL, NULL);
    printf("ptrace-parent: rc=%ld errno=%s\n", rc, rc ? strerrorname_np(errno) : "0");
  } else if (!strcmp(mode, "fork-bomb") && argc == 3) {
    static pid_t children[4096];
    int made = 0, err = 0;
    const int want = atoi(argv[2]) < 4096 ? atoi(argv[2]) : 4096;
    for (int i = 0; i < want; ++i) {
      pid_t pid = fork();
      if (pid < 0) {
        err = errno;
        break;
      }
      if (pid == 0) {
        sleep(5);
        _exit(0);
      }
      children[made++] = pid;
    }
    printf("fork-bomb: made=%d errno=%s\n", made, err ? strerrorname_np(err) : "0");
    fflush(stdout);
    for (int i = 0; i < made; ++i) kill(children[i], SIGKILL);
    while (wait(NULL) > 0) {
    }
  } else if (!strcmp(mode, "reopen") && argc == 3) {
    int fd = open(argv[2], O_RDONLY);
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    int w = open(proc, O_WRONLY);
    printf("reopen: fd=%d write=%d errno=%s\n", fd, w, w < 0 ? strerrorname_np(errno) : "0");
  } else if ((!strcmp(mode, "open-race-buffer") && argc == 5) ||
             (!strcmp(mode, "open-race-link") && argc == 6)) {
    const int by_link = !strcmp(mode, "open-race-link");
    allowed = argv[by_link ? 3 : 2];
    denied = argv[by_link ? 4 : 3];
    char ok_byte = 0;
    int ok_fd = open(allowed, O_RDONLY);
    if (ok_fd < 0 || read(ok_fd, &ok_byte, 1) != 1) return 3;
    close(ok_fd);
    char link[4096], tmp[4096];
    snprintf(link, sizeof link, "%s/link", by_link ? argv[2] : "");
    snprintf(tmp, sizeof tmp, "%s/link.tmp", by_link ? argv[2] : "");
    pthread_t t;
    if (by_link) {
      if (fork() == 0) {  // the swapper: a separate process, as an attacker would use
        for (int i = 0; i < 200000; ++i) {
          unlink(tmp);
          symlink(i % 2 ? denied : allowed, tmp);
          rename(tmp, link);
        }
        _exit(0);
      }
    } else {
      strcpy(path_buf, allowed);
      pthread_create(&t, NULL, flipper, NULL);
    }
    int escaped = 0, opened = 0;
    for (int i = 0; i < atoi(argv[by_link ? 5 : 4]); ++i) {
      int fd = open(by_link ? link : path_buf, O_RDONLY);
      if (fd < 0) continue;
      ++opened;
      char b = 0;
      if (read(fd, &b, 1) == 1 && b != ok_byte) ++escaped;
      close(fd);
    }
    stop = 1;
    printf("%s: opened=%d escaped=%d\n", mode, opened, escaped);
  } else if ((!strcmp(mode, "open-at") && argc == 4) || (!strcmp(mode, "open") && argc == 3)) {
    int fd;
    if (argc == 4) {
      int dir = open(argv[2], O_PATH | O_DIRECTORY);
      if (dir < 0) {
        printf("%s: directory errno=%s\n", mode, strerrorname_np(errno));
        return 0;
      }
      fd = openat(dir, argv[3], O_RDONLY);
    } else {
      fd = open(argv[2], O_RDONLY);
    }
    if (fd < 0) {
      printf("%s: errno=%s\n", mode, strerrorname_np(errno));
    } else {
      char line[256] = {0};
      ssize_t n = read(fd, line, sizeof line - 1);
      if (n > 0) line[strcspn(line, "\n")] = 0;
      printf("%s: read %s\n", mode, line);
    }
  } else if ((!strcmp(mode, "listen") || !strcmp(mode, "listen-unix")) && argc == 4) {
    const int unix_socket = !strcmp(mode, "listen-unix");
    int s = socket(unix_socket ? AF_UNIX : AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    int rc;
    if (unix_socket) {
      struct sockaddr_un un = {.sun_family = AF_UNIX};
      snprintf(un.sun_path, sizeof un.sun_path, "%s", argv[2]);
      unlink(argv[2]);
      rc = bind(s, (struct sockaddr*)&un, sizeof un);
    } else {
      struct sockaddr_in in = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2]))};
      rc = bind(s, (struct sockaddr*)&in, sizeof in);
    }
    if (rc != 0 || listen(s, 16) != 0) return 4;
    alarm((unsigned)atoi(argv[3]));
    printf("listening\n");
    fflush(stdout);
    for (;;) {
      int c = accept(s, NULL, NULL);
      if (c >= 0) close(c);
    }
  } else if ((!strcmp(mode, "connect") && argc == 4) ||
             (!strcmp(mode, "connect-unix") && argc == 3) ||
             (!strcmp(mode, "bind-tcp") && argc == 3)) {
    int rc;
    if (!strcmp(mode, "connect-unix")) {
      int s = socket(AF_UNIX, SOCK_STREAM, 0);
      struct sockaddr_un un = {.sun_family = AF_UNIX};
      snprintf(un.sun_path, sizeof un.sun_path, "%s", argv[2]);
      rc = connect(s, (struct sockaddr*)&un, sizeof un);
    } else {
      int s = socket(AF_INET, SOCK_STREAM, 0);
      struct sockaddr_in in = {.sin_family = AF_INET};
      const int is_bind = !strcmp(mode, "bind-tcp");
      inet_pton(AF_INET, is_bind ? "127.0.0.1" : argv[2], &in.sin_addr);
      in.sin_port = htons((uint16_t)atoi(argv[is_bind ? 2 : 3]));
      rc = is_bind ? bind(s, (struct sockaddr*)&in, sizeof in)
                   : connect(s, (struct sockaddr*)&in, sizeof in);
    }
    if (rc == 0)
      printf("%s: ok\n", mode);
    else
      printf("%s: errno=%s\n", mode, strerrorname_np(errno));
  } else if (!strcmp(mode, "umask")) {
    mode_t m = umask(0);
    printf("umask: %03o\n", (unsigned)m);
  } else {
    return 2;
  }
  return 0;
}
