#include "policy/symlinks.h"

#include <sys/stat.h>
#include <unistd.h>

#include <climits>

namespace stsh::policy {
namespace {

// The kernel's limit on symlinks followed in one lookup (MAXSYMLINKS).
constexpr int kMaxLinks = 40;

// Symlink targets are text: "a//b/" must split like the kernel reads it.
std::string squeeze(std::string p) {
  std::string out;
  out.reserve(p.size());
  for (char c : p) {
    if (c == '/' && !out.empty() && out.back() == '/') continue;
    out += c;
  }
  if (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

std::string child(const std::string& dir, const std::string& leaf) {
  return dir == "/" ? "/" + leaf : dir + "/" + leaf;
}

std::string parent_of(const std::string& canonical) {
  const size_t slash = canonical.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : canonical.substr(0, slash);
}

}  // namespace

Resolution SymlinkResolver::resolve(const std::string& path) {
  // The kernel runs no longer path (ENAMETOOLONG); and walk recurses once per component, so a
  // 4 MiB key of "/a/a/a..." must not reach it.
  if (path.size() >= PATH_MAX) return {};
  const Dir w = walk(path, 0);
  if (w.untrusted) return {Resolution::Kind::untrusted, w.canonical, w.why};
  if (!w.exists || w.canonical == path) return {};
  return {Resolution::Kind::resolved, w.canonical, ""};
}

const SymlinkResolver::Dir& SymlinkResolver::dir(const std::string& path, int depth) {
  // unordered_map keeps references to its elements valid when the recursion below inserts.
  if (auto it = dirs_.find(path); it != dirs_.end()) return it->second;
  Dir d = walk(path, depth);
  return dirs_.emplace(path, std::move(d)).first->second;
}

namespace {

// Whether only root can replace the entries of directory `st`.
bool root_only_dir(const struct stat& st) {
  return st.st_uid == 0 && (!(st.st_mode & (S_IWGRP | S_IWOTH)) || (st.st_mode & S_ISVTX));
}

}  // namespace

SymlinkResolver::Dir SymlinkResolver::walk(const std::string& path, int depth) {
  if (path == "/" || path.empty()) {
    struct stat st {};
    if (lstat("/", &st) != 0) return {};
    const bool safe = root_only_dir(st);
    return {true, false, "/", "", safe, safe ? "" : "/"};
  }
  const size_t slash = path.rfind('/');
  const std::string parent = slash == 0 ? "/" : path.substr(0, slash);
  const std::string leaf = path.substr(slash + 1);
  if (leaf == ".") return walk(parent, depth);
  const Dir& d = dir(parent, depth);
  if (!d.exists || d.untrusted) return d;
  if (leaf == "..") return walk(parent_of(d.canonical), depth);

  const std::string candidate = child(d.canonical, leaf);
  struct stat st {};
  if (lstat(candidate.c_str(), &st) != 0) return {};
  if (!S_ISLNK(st.st_mode)) {
    const bool safe = d.root_only && (!S_ISDIR(st.st_mode) || root_only_dir(st));
    return {true, false, candidate, "", safe, d.root_only ? (safe ? "" : candidate) : d.writable};
  }

  // Follow only links that only root could have made or replaced: a user's symlink to
  // /usr/bin/bash must not hand bash the entry the administrator wrote for the link's name.
  if (st.st_uid != 0 || !d.root_only) {
    const std::string why =
        st.st_uid != 0 ? "the link is owned by uid " + std::to_string(st.st_uid)
                       : "directory " + d.writable + " could be changed by a user other than root";
    return {false, true, candidate, why, false, ""};
  }
  if (depth >= kMaxLinks) return {};  // ELOOP: the kernel would not run it either
  std::string target(static_cast<size_t>(st.st_size > 0 ? st.st_size : 256) + 1, '\0');
  const ssize_t n = readlink(candidate.c_str(), target.data(), target.size());
  if (n <= 0 || static_cast<size_t>(n) >= target.size()) return {};
  target.resize(static_cast<size_t>(n));
  const std::string next = squeeze(target.front() == '/' ? target : child(d.canonical, target));
  if (next.size() >= PATH_MAX) return {};
  return walk(next, depth + 1);
}

}  // namespace stsh::policy
