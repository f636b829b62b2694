// Reading a stopped tracee: its memory (strings, argv arrays), its /proc links. Used only at
// ptrace stops, where the tracee cannot run; values read from memory that other threads could
// change are advisory unless verified afterwards (see ptrace_supervisor.cc).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace stsh::enforcer {

// A NUL-terminated string at `addr` in `pid`, at most `max` bytes; nullopt if unreadable.
std::optional<std::string> read_string(pid_t pid, unsigned long addr, size_t max = 4096);
// A NULL-terminated array of string pointers (argv), at most `max_items`.
std::optional<std::vector<std::string>> read_string_array(pid_t pid, unsigned long addr,
                                                          size_t max_items = 4096);

// readlink of /proc/PID/<what> ("exe", "cwd", "fd/3"); nullopt if it cannot be read.
std::optional<std::string> proc_link(pid_t pid, const std::string& what);
// The argument vector of the current image, from /proc/PID/cmdline.
std::vector<std::string> proc_cmdline(pid_t pid);
pid_t proc_ppid(pid_t pid);
// The umask of a process (what a file it creates gets), from /proc/PID/status.
std::optional<unsigned> process_umask(pid_t pid);

// Our duplicate of the process's descriptor `fd` (any kind; pidfd_getfd, Linux 5.6), or -errno.
int duplicate_descriptor(pid_t tgid, int fd);

// The path of the file our descriptor `fd` names (/proc/self/fd/N), as decisions see it: a
// file that no longer has a name is decided on the name it had. nullopt for what is no path
// (a pipe, a socket, an anonymous inode).
std::optional<std::string> descriptor_path(int fd);

// A canonical path as the policy sees it for process `pid`: its own /proc/TGID is /proc/self
// (policies write /proc/self/**; the kernel resolves it to the caller's pid).
// `tgid` is the process of thread `pid` (0: look it up).
std::string policy_view(pid_t pid, const std::string& canonical, pid_t tgid = 0);
// The thread group (process) a thread belongs to, from /proc.
pid_t thread_group_of(pid_t tid);

// "/proc/12/fd/3" or "/proc/12/task/13/fd/3": what resolve_for leaves unresolved for a
// descriptor that is no path (a pipe, a socket, an anonymous inode).
bool is_fd_magic_link(const std::string& path);

// The path a process means by `path` relative to `dirfd` (AT_FDCWD = its cwd), made absolute
// and resolved through symlinks the way the kernel would resolve it now. nullopt when the
// path does not resolve (then the caller decides on the lexical form).
std::optional<std::string> resolve_for(pid_t pid, int dirfd, const std::string& path,
                                       pid_t tgid = 0);

}  // namespace stsh::enforcer
