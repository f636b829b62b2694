// The modes of exec_attacks for the metadata broker and the path races (usage in
// exec_attacks.c). Each syscall is made with syscall(2) so the one named is the one made
// (glibc's stat() is newfstatat, its chmod() may be fchmodat).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utime.h>

int meta_mode(int argc, char** argv);

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

static long access_mode(const char* m) {
  return !strcmp(m, "r") ? R_OK : !strcmp(m, "w") ? W_OK : !strcmp(m, "x") ? X_OK : F_OK;
}

// One syscall by name; prints its outcome. Returns 0, or 2 for an unknown name.
static int sys(const char* name, const char* path, const char* arg) {
  struct stat st;
  struct statx stx;
  struct statfs sf;
  char buf[4096] = {0};
  long rc;
  const time_t when = 1000000000;  // 2001-09-09: a time no file here has by accident
  const struct timeval tv[2] = {{when, 0}, {when, 0}};
  const struct timespec ts[2] = {{when, 0}, {when, 0}};
  const struct utimbuf ub = {when, when};
  const unsigned uid = arg ? (unsigned)strtoul(arg, NULL, 10) : 0;
  const char* colon = arg ? strchr(arg, ':') : NULL;
  const unsigned gid = colon ? (unsigned)strtoul(colon + 1, NULL, 10) : 0;
  const mode_t mode = arg ? (mode_t)strtoul(arg, NULL, 8) : 0;
  const char* eq = arg ? strchr(arg, '=') : NULL;
  char xname[256] = {0};
  if (eq) snprintf(xname, sizeof xname, "%.*s", (int)(eq - arg), arg);
  enum { none, stat_out, statx_out, text_out, list_out, cwd_out } out = none;
  if (!strcmp(name, "stat")) {
    rc = syscall(SYS_stat, path, &st), out = stat_out;
  } else if (!strcmp(name, "lstat")) {
    rc = syscall(SYS_lstat, path, &st), out = stat_out;
  } else if (!strcmp(name, "newfstatat")) {
    rc = syscall(SYS_newfstatat, AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW), out = stat_out;
  } else if (!strcmp(name, "statx")) {
    rc = syscall(SYS_statx, AT_FDCWD, path, 0, STATX_BASIC_STATS, &stx), out = statx_out;
  } else if (!strcmp(name, "statfs")) {
    rc = syscall(SYS_statfs, path, &sf);
  } else if (!strcmp(name, "fstat-empty") || !strcmp(name, "readlink-empty") ||
             !strcmp(name, "chown-empty")) {
    const int fd = open(path, O_PATH | (name[0] == 'r' ? O_NOFOLLOW : 0));
    if (fd < 0) {
      printf("%s: open errno=%s\n", name, strerrorname_np(errno));
      return 0;
    }
    if (name[0] == 'f') {
      rc = syscall(SYS_newfstatat, fd, "", &st, AT_EMPTY_PATH), out = stat_out;
    } else if (name[0] == 'r') {
      rc = syscall(SYS_readlinkat, fd, "", buf, sizeof buf - 1), out = text_out;
    } else {
      rc = syscall(SYS_fchownat, fd, "", -1, -1, AT_EMPTY_PATH);
    }
  } else if (!strcmp(name, "access")) {
    rc = syscall(SYS_access, path, access_mode(arg));
  } else if (!strcmp(name, "faccessat")) {
    rc = syscall(SYS_faccessat, AT_FDCWD, path, access_mode(arg));
  } else if (!strcmp(name, "faccessat2")) {
    rc = syscall(SYS_faccessat2, AT_FDCWD, path, access_mode(arg), AT_EACCESS);
  } else if (!strcmp(name, "readlink")) {
    rc = syscall(SYS_readlink, path, buf, sizeof buf - 1), out = text_out;
  } else if (!strcmp(name, "readlinkat")) {
    rc = syscall(SYS_readlinkat, AT_FDCWD, path, buf, sizeof buf - 1), out = text_out;
  } else if (!strcmp(name, "chmod")) {
    rc = syscall(SYS_chmod, path, mode);
  } else if (!strcmp(name, "fchmodat")) {
    rc = syscall(SYS_fchmodat, AT_FDCWD, path, mode);
  } else if (!strcmp(name, "fchmodat2")) {
    rc = syscall(SYS_fchmodat2, AT_FDCWD, path, mode, 0);
  } else if (!strcmp(name, "chown")) {
    rc = syscall(SYS_chown, path, uid, gid);
  } else if (!strcmp(name, "lchown")) {
    rc = syscall(SYS_lchown, path, uid, gid);
  } else if (!strcmp(name, "fchownat")) {
    rc = syscall(SYS_fchownat, AT_FDCWD, path, uid, gid, AT_SYMLINK_NOFOLLOW);
  } else if (!strcmp(name, "truncate")) {
    rc = syscall(SYS_truncate, path, arg ? atol(arg) : 0L);
  } else if (!strcmp(name, "utime")) {
    rc = syscall(SYS_utime, path, &ub);
  } else if (!strcmp(name, "utimes")) {
    rc = syscall(SYS_utimes, path, tv);
  } else if (!strcmp(name, "futimesat")) {
    rc = syscall(SYS_futimesat, AT_FDCWD, path, tv);
  } else if (!strcmp(name, "utimensat")) {
    rc = syscall(SYS_utimensat, AT_FDCWD, path, ts, 0);
  } else if (!strcmp(name, "setxattr") || !strcmp(name, "lsetxattr")) {
    if (!eq) return 2;
    rc = syscall(name[0] == 'l' ? SYS_lsetxattr : SYS_setxattr, path, xname, eq + 1, strlen(eq + 1),
                 0);
  } else if (!strcmp(name, "getxattr") || !strcmp(name, "lgetxattr")) {
    const long nr = name[0] == 'l' ? SYS_lgetxattr : SYS_getxattr;
    // The length first (size 0), then the value, as getfattr does.
    rc = syscall(nr, path, arg, NULL, 0);
    if (rc >= 0) {
      const long len = rc;
      rc = syscall(nr, path, arg, buf, sizeof buf - 1);
      if (rc >= 0 && rc != len) rc = -1, errno = EIO;
    }
    out = text_out;
  } else if (!strcmp(name, "listxattr") || !strcmp(name, "llistxattr")) {
    rc = syscall(name[0] == 'l' ? SYS_llistxattr : SYS_listxattr, path, buf, sizeof buf - 1);
    out = list_out;
  } else if (!strcmp(name, "removexattr") || !strcmp(name, "lremovexattr")) {
    rc = syscall(name[0] == 'l' ? SYS_lremovexattr : SYS_removexattr, path, arg);
  } else if (!strcmp(name, "mknod")) {
    rc = syscall(SYS_mknod, path, S_IFIFO | 0644, 0);
  } else if (!strcmp(name, "mknodat")) {
    rc = syscall(SYS_mknodat, AT_FDCWD, path, S_IFIFO | 0644, 0);
  } else if (!strcmp(name, "chdir")) {
    rc = syscall(SYS_chdir, path), out = cwd_out;
  } else {
    return 2;
  }
  if (rc < 0) {
    printf("%s: errno=%s\n", name, strerrorname_np(errno));
    return 0;
  }
  printf("%s: ok", name);
  switch (out) {
    case stat_out:
      printf(" ino=%lu size=%ld%s", (unsigned long)st.st_ino, (long)st.st_size,
             S_ISLNK(st.st_mode) ? " link" : "");
      break;
    case statx_out:
      printf(" ino=%llu size=%llu", (unsigned long long)stx.stx_ino,
             (unsigned long long)stx.stx_size);
      break;
    case text_out:
      printf(" %.*s", (int)rc, buf);
      break;
    case list_out:
      for (long i = 0; i < rc; i += (long)strlen(buf + i) + 1) printf(" %s", buf + i);
      break;
    case cwd_out:
      printf(" cwd=%s", getcwd(buf, sizeof buf) ? buf : "?");
      break;
    case none:
      break;
  }
  printf("\n");
  return 0;
}

static char* flip_buf;  // the buffer the flippers rewrite
static const char* flip_a;
static const char* flip_b;
static volatile int flip_stop;

// The attacker's best arrangement: the rewriter on a CPU of its own, so it runs while the
// supervisor reads the path and while the kernel reads it again.
static void pin_to_cpu(int last) {
  const long n = sysconf(_SC_NPROCESSORS_ONLN);
  if (n < 2) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(last ? (int)n - 1 : 0, &set);
  sched_setaffinity(0, sizeof set, &set);
}

static void* flip_thread(void* arg) {
  (void)arg;
  pin_to_cpu(1);
  while (!flip_stop) {
    strcpy(flip_buf, flip_b);
    strcpy(flip_buf, flip_a);
  }
  return NULL;
}

static char first_byte(const char* path) {
  char b = 0;
  const int fd = open(path, O_RDONLY);
  if (fd < 0 || read(fd, &b, 1) != 1) b = 0;
  if (fd >= 0) close(fd);
  return b;
}

// A thread flips the cwd between two directories (fchdir, which never reaches the
// supervisor, so as fast as the kernel allows).
static int cwd_a = -1, cwd_b = -1;
static void* cwd_flipper(void* arg) {
  (void)arg;
  pin_to_cpu(1);
  while (!flip_stop) {
    fchdir(cwd_b);
    fchdir(cwd_a);
  }
  return NULL;
}

static void* chdir_thread(void* arg) {
  if (chdir((const char*)arg) != 0)
    printf("thread-chdir: chdir errno=%s\n", strerrorname_np(errno));
  return NULL;
}

static const char* open_outcome(int fd, char* text, size_t size) {
  if (fd < 0) return strerrorname_np(errno);
  ssize_t n = read(fd, text, size - 1);
  close(fd);
  text[n > 0 ? n : 0] = 0;
  text[strcspn(text, "\n")] = 0;
  return text;
}

int meta_mode(int argc, char** argv) {
  const char* mode = argv[1];
  if (!strcmp(mode, "sys") && (argc == 4 || argc == 5)) {
    return sys(argv[2], argv[3], argc == 5 ? argv[4] : NULL);
  }
  if ((!strcmp(mode, "race-shm") || !strcmp(mode, "stat-race") ||
       !strcmp(mode, "stat-race-empty")) &&
      argc == 6) {
    const int shm = !strcmp(mode, "race-shm"), empty = !strcmp(mode, "stat-race-empty");
    const unsigned long denied_ino = strtoul(argv[5], NULL, 10);
    const char ok_byte = first_byte(argv[2]);
    const int ok_fd = open(argv[2], O_PATH);
    if (ok_byte == 0 || ok_fd < 0) return 3;
    flip_a = empty ? "" : argv[2];
    flip_b = argv[3];
    flip_buf = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (flip_buf == MAP_FAILED) return 3;
    strcpy(flip_buf, flip_a);
    pid_t child = -1;
    pthread_t t;
    if (shm) {
      child = fork();  // the rewriter: another process, sharing only the page
      if (child == 0) {
        flip_thread(NULL);
        _exit(0);
      }
    } else {
      pthread_create(&t, NULL, flip_thread, NULL);
    }
    pin_to_cpu(0);
    // A stat of the denied file is no escape (metadata is visible unless hidden); an open
    // that reads its content is.
    int opened = 0, statted = 0, escaped = 0, seen = 0;
    for (int i = 0; i < atoi(argv[4]); ++i) {
      struct stat st;
      const long rc = empty ? syscall(SYS_newfstatat, ok_fd, flip_buf, &st, AT_EMPTY_PATH)
                            : syscall(SYS_stat, flip_buf, &st);
      if (rc == 0) {
        ++statted;
        if (st.st_ino == denied_ino) ++seen;
      }
      if (!shm) continue;
      const int fd = open(flip_buf, O_RDONLY);
      if (fd < 0) continue;
      ++opened;
      char b = 0;
      if (read(fd, &b, 1) == 1 && b != ok_byte) ++escaped;
      close(fd);
    }
    flip_stop = 1;
    if (shm) {
      kill(child, SIGKILL);
      waitpid(child, NULL, 0);
      printf("%s: opened=%d statted=%d escaped=%d\n", mode, opened, statted, escaped);
    } else {
      pthread_join(t, NULL);
      printf("%s: statted=%d denied_seen=%d\n", mode, statted, seen);
    }
    return 0;
  }
  if (!strcmp(mode, "open-loop") && argc == 5) {
    // argv[3]: the first byte of the permitted file; anything else read is an escape.
    pin_to_cpu(0);
    int opened = 0, escaped = 0;
    for (int i = 0; i < atoi(argv[4]); ++i) {
      const char b = first_byte(argv[2]);
      if (b == 0) continue;
      ++opened;
      if (b != argv[3][0]) ++escaped;
    }
    printf("open-loop: opened=%d escaped=%d\n", opened, escaped);
    return 0;
  }
  if (!strcmp(mode, "swap-loop") && argc == 4) {
    pin_to_cpu(1);
    for (;;) syscall(SYS_renameat2, AT_FDCWD, argv[2], AT_FDCWD, argv[3], 2 /* EXCHANGE */);
  }
  if (!strcmp(mode, "thread-chdir") && argc == 5) {
    char before[256], after[256];
    if (chdir(argv[2]) != 0) return 3;
    const char* b = open_outcome(open(argv[4], O_RDONLY), before, sizeof before);
    pthread_t t;
    pthread_create(&t, NULL, chdir_thread, argv[3]);
    pthread_join(t, NULL);
    const char* a = open_outcome(open(argv[4], O_RDONLY), after, sizeof after);
    printf("thread-chdir: before=%s after=%s\n", b, a);
    return 0;
  }
  if (!strcmp(mode, "cwd-race") && argc == 6) {
    cwd_a = open(argv[2], O_RDONLY | O_DIRECTORY);
    cwd_b = open(argv[3], O_RDONLY | O_DIRECTORY);
    if (cwd_a < 0 || cwd_b < 0 || fchdir(cwd_a) != 0) return 3;
    const char ok_byte = first_byte(argv[4]);
    if (ok_byte == 0) return 3;
    pthread_t t;
    pthread_create(&t, NULL, cwd_flipper, NULL);
    int opened = 0, denied = 0, escaped = 0;
    for (int i = 0; i < atoi(argv[5]); ++i) {
      const int fd = open(argv[4], O_RDONLY);
      if (fd < 0) {
        denied += errno == EPERM;
        continue;
      }
      ++opened;
      char b = 0;
      if (read(fd, &b, 1) == 1 && b != ok_byte) ++escaped;
      close(fd);
    }
    flip_stop = 1;
    pthread_join(t, NULL);
    printf("cwd-race: opened=%d denied=%d escaped=%d\n", opened, denied, escaped);
    return 0;
  }
  if (!strcmp(mode, "fd-paths") && argc == 4) {
    const int dir = atoi(argv[2]);
    const char* name = argv[3];
    char path[4096], text[256];
    struct stat st;
    snprintf(path, sizeof path, "/proc/self/fd/%d/%s", dir, name);
    printf("fd-paths: proc=%s", open_outcome(open(path, O_RDONLY), text, sizeof text));
    snprintf(path, sizeof path, "/dev/fd/%d/%s", dir, name);
    printf(" devfd=%s", open_outcome(open(path, O_RDONLY), text, sizeof text));
    printf(" openat=%s", open_outcome(openat(dir, name, O_RDONLY), text, sizeof text));
    long rc = syscall(SYS_newfstatat, dir, name, &st, 0);
    printf(" fstatat=%s", rc == 0 ? "ok" : strerrorname_np(errno));
    rc = syscall(SYS_faccessat, dir, name, R_OK);
    printf(" faccessat=%s", rc == 0 ? "ok" : strerrorname_np(errno));
    if (fchdir(dir) != 0) {
      printf(" fchdir=%s\n", strerrorname_np(errno));
      return 0;
    }
    printf(" fchdir-open=%s", open_outcome(open(name, O_RDONLY), text, sizeof text));
    rc = syscall(SYS_stat, name, &st);
    printf(" fchdir-stat=%s\n", rc == 0 ? "ok" : strerrorname_np(errno));
    return 0;
  }
  if (!strcmp(mode, "reopen-opath") && argc == 3) {
    const int fd = open(argv[2], O_PATH);
    char path[64];
    snprintf(path, sizeof path, "/dev/fd/%d", fd);
    const int w = open(path, O_WRONLY);
    printf("reopen-opath: fd=%d write=%s\n", fd, w >= 0 ? "ok" : strerrorname_np(errno));
    return 0;
  }
  if (!strcmp(mode, "link") && argc == 4) {
    const long rc = syscall(SYS_link, argv[2], argv[3]);
    printf("link: %s\n", rc == 0 ? "ok" : strerrorname_np(errno));
    return 0;
  }
  return -1;
}
