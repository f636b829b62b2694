// x86_64 system call knowledge the policy needs: names <-> numbers, the systrace-style aliases
// (fsread, fswrite, exec, net), which compact list governs a call, and which operands a call has.
// Pure lookups; nothing here touches the kernel.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "policy/call.h"

namespace stsh::policy {

// The number of `name` on x86_64, or nullopt if it is not an x86_64 syscall. libseccomp knows
// most names; syscalls newer than the installed libseccomp come from our own table.
std::optional<int> syscall_number(std::string_view name);

// The name of `nr`, or "syscall_NR" (e.g. "syscall_999") when no name is known, so log lines
// always say something.
std::string syscall_name(int nr);

// Every known x86_64 syscall name, sorted and unique; for "did you mean" suggestions.
std::vector<std::string> all_syscall_names();

// One member of an alias. For the open family the access says which calls of it the alias
// covers: fsread's open covers only read-only opens, fswrite's open only writing ones.
struct AliasMember {
  int nr;
  Access access;
};

// The members of `alias` ("fsread", "fswrite", "exec", "net"), or nullopt for other names.
// The span points into static tables and lives forever, but the optional is a temporary: copy
// the span out before a range-for (`for (m : *alias_members(a))` reads a dead optional).
std::optional<std::span<const AliasMember>> alias_members(std::string_view alias);

// "exec", "fsread", "fswrite", "net" (sorted).
std::span<const std::string_view> alias_names();

// Which compact list governs a call: the open family by its access mode (O_WRONLY, O_RDWR,
// O_CREAT or O_TRUNC -> write, else read; openat2 passes how.flags; without flags -> write,
// the stricter list), creat -> write, the other fsread/fswrite members -> read/write,
// execve/execveat -> exec, connect/sendto/sendmsg -> connect, bind -> bind, else none.
Access access_of(int nr, std::optional<int> oflags);

// Which operands a syscall has (spec, "Operands by syscall"). A predicate on an operand the
// syscall does not have is false.
struct Operands {
  bool filename = false;
  bool filename1 = false;
  bool argv = false;
  bool sockaddr = false;
  bool oflags = false;
  bool mode = false;
  bool uid = false;
  bool gid = false;
};
Operands operands_of(int nr);

// rename and link families: filename[1] is a path the call creates, so it must pass the write
// list as well as filename. The decision code checks both paths for these.
bool second_path_is_written(int nr);

// symlink, symlinkat: filename[1] is the link's target text, stored verbatim and never resolved,
// so it is matched only by rules and never checked against a compact list.
bool second_path_is_raw(int nr);

// A lookup: a call that learns about a path without reading or changing what is in it — the
// stat family, access, readlink, statfs, chdir, and open with O_PATH. Directories on the way to
// a path a command may use are open to lookups (Plan::decide), as path resolution needs them.
bool is_lookup(int nr, std::optional<int> oflags);
// Reads of names and metadata, not of contents: the lookups above, the xattr reads, and opening
// a directory for listing (O_DIRECTORY, read only). Permitted unless the path is hidden
// (Plan::hide()), so the kernel can answer them without the supervisor.
bool is_metadata_read(int nr, std::optional<int> oflags);

// "O_WRONLY|O_CREAT|O_TRUNC": the access mode first, then the flags in a fixed order (see .cc);
// unknown bits are appended as one hex number ("|0x40000000").
std::string format_oflags(int flags);

// "0644": the permission bits (including setuid, setgid, sticky) as 4 octal digits. File type
// bits (mknod's S_IFCHR, ...) are dropped so rules compare permissions only.
std::string format_mode(unsigned mode);

}  // namespace stsh::policy
