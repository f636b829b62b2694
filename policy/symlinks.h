// Resolving the symlinks of a command key or exec entry when the Plan is compiled. The enforcer
// matches the canonical path of the image it verified (/proc/PID/exe), so a key written as
// /usr/bin/vi (a Debian alternatives link) would never match unless the Plan names its target.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

namespace stsh::policy {

struct Resolution {
  enum class Kind : uint8_t {
    unchanged,  // no symlink on the way, or the file does not exist (kept as written)
    resolved,   // `path` is the canonical target
    untrusted,  // a symlink on the way could be changed by a user other than root: not followed
  };
  Kind kind = Kind::unchanged;
  std::string path;  // resolved: the target; untrusted: the link that was not followed
  std::string why;   // untrusted: what is wrong with it
};

// One per compile: directories are resolved once, so a set of 100k keys in one directory costs
// one lstat per key, not one per component.
class SymlinkResolver {
 public:
  // `path` is absolute and lexically normal (a checked list entry).
  Resolution resolve(const std::string& path);

 private:
  struct Dir {
    bool exists = false;
    bool untrusted = false;
    std::string canonical;  // exists: the canonical path; untrusted: the link not followed
    std::string why;
    // Only root can change what this path names: it and every directory above it are owned
    // by root and not writable by group or others (or sticky, like /tmp).
    bool root_only = false;
    std::string writable;  // when not root_only: the first directory that breaks it
  };
  const Dir& dir(const std::string& path, int depth);
  Dir walk(const std::string& path, int depth);

  std::unordered_map<std::string, Dir> dirs_;
};

}  // namespace stsh::policy
