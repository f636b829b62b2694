// The canonical form of one system call as the policy sees it, and the Decision about it.
// The enforcer fills a Call from the trapped syscall (paths canonical and absolute, sockaddr
// rendered as text); the Plan answers with a Decision. Nothing here touches the kernel.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stsh::policy {

// What a path syscall does to the file system or network, which selects the compact list
// (read / write / exec / connect / bind) that governs it.
enum class Access : uint8_t { none, read, write, exec, connect, bind };

std::string_view access_name(Access a);

// One system call, canonical. Only the fields the syscall has are set.
struct Call {
  int syscall = -1;                      // x86_64 number
  std::optional<std::string> filename;   // first path, canonical ("filename", "filename[0]")
  std::optional<std::string> filename1;  // second path ("filename[1]"): rename/link target, ...
  std::vector<std::string> argv;         // exec only
  std::optional<std::string>
      sockaddr;                  // "inet:1.2.3.4:80", "inet6:[::1]:22", "unix:/p", "unix:@abstract"
  std::optional<int> oflags;     // open family: O_* flags
  std::optional<unsigned> mode;  // creat/open with O_CREAT, mkdir, mknod, chmod family
  std::optional<long> uid;       // chown family (-1 = unchanged)
  std::optional<long> gid;
};

enum class Verdict : uint8_t { permit, deny, kill };

// The one answer the Plan gives. `rule` names what decided: "file:line" of a rule or a list
// entry, or "default" when nothing matched and the default denial applied.
struct Decision {
  Verdict verdict = Verdict::deny;
  int error = 0;          // errno for deny
  bool log = false;       // write a violation/audit record
  std::string_view rule;  // points into the Plan; valid while the Plan lives

  bool permitted() const { return verdict == Verdict::permit; }
};

// "permit", "deny[EACCES]", "kill", with " log" appended when logged.
std::string describe(const Decision& d);

}  // namespace stsh::policy
