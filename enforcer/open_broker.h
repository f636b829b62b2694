// The open family under seccomp user notification: the supervisor reads the path, resolves it
// as the process would, decides, and if permitted opens the file itself and installs the
// descriptor in the process (SECCOMP_IOCTL_NOTIF_ADDFD with SECCOMP_ADDFD_FLAG_SEND, Linux
// 5.14). The path is read once and opened with RESOLVE_NO_SYMLINKS on its canonical form, so
// what was checked is what is opened: no later change of the process's memory or of the file
// system can swap it (the TOCTOU rule, case b).
#pragma once

#include <linux/seccomp.h>
#include <sys/types.h>

#include <optional>
#include <string>

#include "policy/call.h"

namespace stsh::enforcer {

// The syscalls the broker handles: open, openat, openat2, creat.
bool is_brokered_open(int nr);

struct OpenRequest {
  int dirfd;
  std::string path;  // as the process wrote it
  int flags;
  unsigned mode;
  unsigned long long resolve = 0;  // openat2's RESOLVE_* flags
};

// Reads the arguments of an open-family notification; nullopt if its memory cannot be read.
std::optional<OpenRequest> read_open_request(const seccomp_notif& n);

// The canonical path `req` names for process `pid`, resolved as the kernel would: through
// symlinks, except a final one under O_NOFOLLOW or O_CREAT|O_EXCL; for a file O_CREAT will
// create, the canonical parent plus the name. nullopt with `error` set when it cannot resolve
// (ENOENT and friends, which the kernel would have returned too).
std::optional<std::string> canonical_open_path(pid_t pid, pid_t tgid, const OpenRequest& req,
                                               int& error);

// The Call the Plan decides for this open.
policy::Call open_call(int nr, const OpenRequest& req, const std::string& canonical);

// What open_on_behalf returns, without waiting, for an open that would wait: a FIFO opened
// without O_NONBLOCK (for the other end), or a file whose lease must be broken first.
inline constexpr int kOpenWouldWait = -1000000;

// Opens `canonical` as the process asked (its flags and mode, its umask), refusing symlinks
// anywhere on the path. Returns a descriptor or -errno. With `may_wait` false it never waits:
// an open that would is kOpenWouldWait, to be done again with `may_wait` true off the
// supervisor's loop (blocking_pool.h).
int open_on_behalf(pid_t pid, const OpenRequest& req, const std::string& canonical,
                   bool may_wait);

}  // namespace stsh::enforcer
