// The modes of exec_attacks for the attacks on the enforcement core that tests/run/
// core_attack_test.sh runs (issue: "Close the holes an attacker finds in the enforcement core").
// Each prints one line the test matches; the races print how often they won.
//   unix-connect-race DIR N   DIR/ok is a directory holding the permitted socket s.sock;
//                             DIR/swap a symlink to DIR/denied, holding the denied one. A
//                             child exchanges ok and swap (RENAME_EXCHANGE) while we connect
//                             N times to DIR/ok/s.sock; the denied server counts who got in.
//   unix-bind-race DIR N      the same swap while we bind DIR/ok/new.sock N times (and remove
//                             it again): a socket must never appear in DIR/denied.
//   unix-sendto-race DIR N    the same swap while we send N datagrams to DIR/ok/d.sock.
//   listen-unbound FAMILY     listen() on a socket never bound (inet, inet6, unix): the
//                             kernel would bind it to a port (a name) of its choosing. On
//                             success, serves for 3 s.
//   fifo-freeze DIR           reopen a deleted FIFO through /proc/self/fd/N for reading (no
//                             writer will come) while a child, a second later, opens a file
//                             (DIR/probe), says so and kills us.
//   exec-fifo DIR             execve of a FIFO the exec list permits (DIR/x.fifo), with the
//                             same child: the supervisor must not wait reading a #! line.
//   fifo-threads DIR N        N threads each open a FIFO of their own that no one writes.
//   fd-change FILE            every call that changes a file through a descriptor, on FILE
//                             opened read-only and O_PATH: "NAME: ok" or "NAME: errno=E".
//   watch inotify|fanotify PATH  a watch on PATH: "watch-inotify: ok" or the errno.
//   open-twice PATH           open PATH twice in a row, as `id` asks sysconf twice: two errnos.
//   inotify-race DIR N INO    the swap of DIR/ok while we add N inotify watches on DIR/ok:
//                             counts the watches whose inode (fdinfo) is INO (DIR/denied's).
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
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

int core_mode(int argc, char** argv);

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

static const char* errname(int e) { return strerrorname_np(e) ? strerrorname_np(e) : "?"; }

// A child that exchanges DIR/ok and DIR/swap until it is killed.
static pid_t start_swapper(const char* dir) {
  char ok[4096], swap[4096];
  snprintf(ok, sizeof ok, "%s/ok", dir);
  snprintf(swap, sizeof swap, "%s/swap", dir);
  pid_t pid = fork();
  if (pid == 0) {
    for (;;) syscall(SYS_renameat2, AT_FDCWD, ok, AT_FDCWD, swap, 2 /* RENAME_EXCHANGE */);
  }
  return pid;
}

static void stop_swapper(pid_t pid) {
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
}

static socklen_t unix_address(struct sockaddr_un* un, const char* dir, const char* name) {
  memset(un, 0, sizeof *un);
  un->sun_family = AF_UNIX;
  snprintf(un->sun_path, sizeof un->sun_path, "%s/ok/%s", dir, name);
  return (socklen_t)sizeof *un;
}

static int unix_race(const char* which, const char* dir, int n) {
  struct sockaddr_un un;
  const int dgram = !strcmp(which, "unix-sendto-race");
  const int binds = !strcmp(which, "unix-bind-race");
  socklen_t len = unix_address(&un, dir, dgram ? "d.sock" : binds ? "new.sock" : "s.sock");
  pid_t swapper = start_swapper(dir);
  int ok = 0, failed = 0;
  for (int i = 0; i < n; ++i) {
    int s = socket(AF_UNIX, dgram ? SOCK_DGRAM : SOCK_STREAM, 0);
    int rc;
    if (dgram) {
      rc = sendto(s, "x", 1, 0, (struct sockaddr*)&un, len) == 1 ? 0 : -1;
    } else if (binds) {
      rc = bind(s, (struct sockaddr*)&un, len);
      if (rc == 0) unlink(un.sun_path);
    } else {
      rc = connect(s, (struct sockaddr*)&un, len);
    }
    if (rc == 0) ++ok; else ++failed;
    close(s);
  }
  stop_swapper(swapper);
  printf("%s: ok=%d failed=%d\n", which, ok, failed);
  return 0;
}

static int listen_unbound(const char* family) {
  const int f = !strcmp(family, "inet6") ? AF_INET6 : !strcmp(family, "unix") ? AF_UNIX : AF_INET;
  int s = socket(f, SOCK_STREAM, 0);
  if (listen(s, 4) != 0) {
    printf("listen-unbound: errno=%s\n", errname(errno));
    return 0;
  }
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  getsockname(s, (struct sockaddr*)&ss, &len);
  int port = 0;
  if (f == AF_INET) port = ntohs(((struct sockaddr_in*)&ss)->sin_port);
  if (f == AF_INET6) port = ntohs(((struct sockaddr_in6*)&ss)->sin6_port);
  printf("listen-unbound: ok port=%d\n", port);
  fflush(stdout);
  alarm(3);
  for (;;) {
    int c = accept(s, NULL, NULL);
    if (c >= 0) {
      printf("listen-unbound: accepted a client\n");
      fflush(stdout);
      close(c);
    }
  }
}

static int fifo_freeze(const char* dir, int by_exec) {
  char fifo[4096], probe[4096], reopen[64];
  snprintf(fifo, sizeof fifo, "%s/%s", dir, by_exec ? "x.fifo" : "freeze.fifo");
  snprintf(probe, sizeof probe, "%s/probe", dir);
  unlink(fifo);
  if (mkfifo(fifo, 0700) != 0) return 3;
  const pid_t parent = getpid();
  if (by_exec) {
    if (fork() == 0) {
      sleep(1);
      int p = open(probe, O_RDONLY);
      printf("exec-fifo: child open %s\n", p >= 0 ? "ok" : errname(errno));
      fflush(stdout);
      _exit(0);
    }
    char* av[] = {fifo, NULL};
    execve(fifo, av, NULL);
    const int e = errno;
    wait(NULL);
    printf("exec-fifo: errno=%s\n", errname(e));
    return 0;
  }
  // A reader that does not wait, then no name: the FIFO is reachable only through the fd.
  int fd = open(fifo, O_RDONLY | O_NONBLOCK);
  if (fd < 0) return 4;
  unlink(fifo);
  if (fork() == 0) {
    sleep(1);
    int p = open(probe, O_RDONLY);
    printf("fifo-freeze: child open %s\n", p >= 0 ? "ok" : errname(errno));
    fflush(stdout);
    kill(parent, SIGKILL);
    _exit(0);
  }
  snprintf(reopen, sizeof reopen, "/proc/self/fd/%d", fd);
  int r = open(reopen, O_RDONLY);  // waits for a writer that never comes
  printf("fifo-freeze: reopen returned %d\n", r);
  return 0;
}

static const char* fifo_dir;

static void* open_own_fifo(void* arg) {
  char path[4096];
  snprintf(path, sizeof path, "%s/t%ld.fifo", fifo_dir, (long)arg);
  unlink(path);
  mkfifo(path, 0600);
  open(path, O_RDONLY);  // no writer: waits
  return NULL;
}

static int fifo_threads(const char* dir, int n) {
  fifo_dir = dir;
  for (long i = 0; i < n; ++i) {
    pthread_t t;
    if (pthread_create(&t, NULL, open_own_fifo, (void*)i) != 0) break;
  }
  printf("fifo-threads: started %d\n", n);
  fflush(stdout);
  pause();
  return 0;
}

static void report(const char* name, long rc) {
  if (rc == 0)
    printf("%s: ok\n", name);
  else
    printf("%s: errno=%s\n", name, errname(errno));
}

static int fd_change(const char* file) {
  int fd = open(file, O_RDONLY);
  int opath = open(file, O_PATH);
  if (fd < 0 || opath < 0) {
    printf("fd-change: cannot open %s: %s\n", file, errname(errno));
    return 0;
  }
  const struct timespec ts[2] = {{1000000000, 0}, {1000000000, 0}};
  report("fchmod", syscall(SYS_fchmod, fd, 0777));
  report("fchown", syscall(SYS_fchown, fd, -1, getgid()));
  report("fsetxattr", syscall(SYS_fsetxattr, fd, "user.stsh", "x", 1, 0));
  report("fremovexattr", syscall(SYS_fremovexattr, fd, "user.stsh"));
  report("futimens", syscall(SYS_utimensat, fd, NULL, ts, 0));
  report("fchmodat2-empty", syscall(SYS_fchmodat2, fd, "", 0777, AT_EMPTY_PATH));
  report("fchownat-empty", syscall(SYS_fchownat, fd, "", -1, getgid(), AT_EMPTY_PATH));
  report("utimensat-empty", syscall(SYS_utimensat, fd, "", ts, AT_EMPTY_PATH));
  report("opath-fchmodat2", syscall(SYS_fchmodat2, opath, "", 0777, AT_EMPTY_PATH));
  report("opath-fchownat", syscall(SYS_fchownat, opath, "", -1, getgid(), AT_EMPTY_PATH));
  report("opath-utimensat", syscall(SYS_utimensat, opath, "", ts, AT_EMPTY_PATH));
  return 0;
}

static int watch(const char* kind, const char* path) {
  long rc;
  if (!strcmp(kind, "inotify")) {
    int ifd = inotify_init1(IN_CLOEXEC);
    rc = inotify_add_watch(ifd, path, IN_CREATE | IN_DELETE);
  } else {
    int ffd = fanotify_init(FAN_CLASS_NOTIF | FAN_REPORT_FID, O_RDONLY);
    if (ffd < 0) {
      printf("watch-fanotify: init errno=%s\n", errname(errno));
      return 0;
    }
    rc = fanotify_mark(ffd, FAN_MARK_ADD, FAN_CREATE | FAN_ONDIR, AT_FDCWD, path);
  }
  printf("watch-%s: %s%s\n", kind, rc >= 0 ? "ok" : "errno=", rc >= 0 ? "" : errname(errno));
  return 0;
}

// The inode numbers of an inotify instance's watches, from /proc/self/fdinfo.
static int watched_inode_is(int ifd, unsigned long ino) {
  char path[64], line[512];
  snprintf(path, sizeof path, "/proc/self/fdinfo/%d", ifd);
  FILE* f = fopen(path, "r");
  if (!f) return 0;
  int found = 0;
  while (fgets(line, sizeof line, f)) {
    const char* at = strstr(line, " ino:");
    if (at && strtoul(at + 5, NULL, 16) == ino) found = 1;
  }
  fclose(f);
  return found;
}

static int inotify_race(const char* dir, int n, unsigned long denied_ino) {
  char ok[4096];
  snprintf(ok, sizeof ok, "%s/ok", dir);
  pid_t swapper = start_swapper(dir);
  int added = 0, escaped = 0;
  for (int i = 0; i < n; ++i) {
    int ifd = inotify_init1(IN_CLOEXEC);
    if (inotify_add_watch(ifd, ok, IN_CREATE) >= 0) {
      ++added;
      escaped += watched_inode_is(ifd, denied_ino);
    }
    close(ifd);
  }
  stop_swapper(swapper);
  printf("inotify-race: added=%d escaped=%d\n", added, escaped);
  return 0;
}

int core_mode(int argc, char** argv) {
  const char* mode = argv[1];
  if ((!strcmp(mode, "unix-connect-race") || !strcmp(mode, "unix-bind-race") ||
       !strcmp(mode, "unix-sendto-race")) && argc == 4)
    return unix_race(mode, argv[2], atoi(argv[3]));
  if (!strcmp(mode, "listen-unbound") && argc == 3) return listen_unbound(argv[2]);
  if (!strcmp(mode, "fifo-freeze") && argc == 3) return fifo_freeze(argv[2], 0);
  if (!strcmp(mode, "exec-fifo") && argc == 3) return fifo_freeze(argv[2], 1);
  if (!strcmp(mode, "fifo-threads") && argc == 4) return fifo_threads(argv[2], atoi(argv[3]));
  if (!strcmp(mode, "fd-change") && argc == 3) return fd_change(argv[2]);
  if (!strcmp(mode, "open-twice") && argc == 3) {
    for (int i = 0; i < 2; ++i) {
      int fd = open(argv[2], O_RDONLY);
      printf("open-twice: %s\n", fd >= 0 ? "ok" : errname(errno));
    }
    return 0;
  }
  if (!strcmp(mode, "watch") && argc == 4) return watch(argv[2], argv[3]);
  if (!strcmp(mode, "inotify-race") && argc == 5)
    return inotify_race(argv[2], atoi(argv[3]), strtoul(argv[4], NULL, 10));
  return -1;
}
