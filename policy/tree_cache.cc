#include "policy/tree_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <unordered_map>
#include <vector>

#include "stsh_config.h"

namespace stsh::policy {
namespace {

// An entry: the magic, stsh's version (another version's entries are not read), the text, then
// the nodes in the order they were made, each parent before its children.
constexpr std::string_view kMagic = "STSHYT1\n";
constexpr size_t kMaxEntryBytes = 64 * 1024 * 1024;

class Writer {
 public:
  void u32(uint32_t v) { out_.append(reinterpret_cast<const char*>(&v), sizeof v); }
  void i32(int32_t v) { out_.append(reinterpret_cast<const char*>(&v), sizeof v); }
  void bytes(std::string_view s) {
    u32(static_cast<uint32_t>(s.size()));
    out_.append(s);
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  bool at_end() const { return at_ == in_.size(); }
  uint32_t u32() {
    uint32_t v = 0;
    take(&v, sizeof v);
    return v;
  }
  int32_t i32() {
    int32_t v = 0;
    take(&v, sizeof v);
    return v;
  }
  std::string_view bytes() {
    const uint32_t n = u32();
    if (!ok_ || n > in_.size() - at_) return fail();
    std::string_view s = in_.substr(at_, n);
    at_ += n;
    return s;
  }

 private:
  void take(void* out, size_t n) {
    if (!ok_ || n > in_.size() - at_) {
      fail();
      return;
    }
    std::memcpy(out, in_.data() + at_, n);
    at_ += n;
  }
  std::string_view fail() {
    ok_ = false;
    return {};
  }
  std::string_view in_;
  size_t at_ = 0;
  bool ok_ = true;
};

// FNV-1a: only to name entries; what an entry is for is decided by comparing the whole text.
uint64_t text_hash(std::string_view text) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  return h;
}

// Whether only `owner` (or root) could have changed what `st` describes.
bool owned_and_closed(const struct stat& st, uid_t owner) {
  return (st.st_uid == owner || st.st_uid == 0) && (st.st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

}  // namespace

std::string TreeCache::entry_name(std::string_view text) {
  char name[32];
  std::snprintf(name, sizeof name, "%016llx.tree",
                static_cast<unsigned long long>(text_hash(text)));
  return name;
}

// The directory and each one above it: owned by root (or the owner) and closed to others, or,
// above, sticky (as /tmp is: others cannot rename what they do not own).
bool TreeCache::trusted_directory() const {
  if (dir_.empty() || dir_[0] != '/') return false;
  struct stat st {};
  if (lstat(dir_.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || !owned_and_closed(st, owner_))
    return false;
  std::string above = dir_;
  while (above.size() > 1) {
    above.erase(above.find_last_of('/'));
    if (above.empty()) above = "/";
    if (lstat(above.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return false;
    const bool sticky = (st.st_mode & S_ISVTX) != 0;
    if (!(st.st_uid == 0 || st.st_uid == owner_) || (!sticky && !owned_and_closed(st, owner_)))
      return false;
  }
  return true;
}

std::optional<YamlTree> TreeCache::find(std::string_view text) const {
  if (!trusted_directory()) return std::nullopt;
  const std::string path = dir_ + "/" + entry_name(text);
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return std::nullopt;
  struct stat st {};
  std::string entry;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && owned_and_closed(st, owner_) &&
      static_cast<size_t>(st.st_size) <= kMaxEntryBytes) {
    entry.resize(static_cast<size_t>(st.st_size));
    size_t got = 0;
    while (got < entry.size()) {
      const ssize_t n = read(fd, entry.data() + got, entry.size() - got);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      got += static_cast<size_t>(n);
    }
    entry.resize(got);
  }
  close(fd);

  if (entry.compare(0, kMagic.size(), kMagic) != 0) return std::nullopt;
  Reader in(std::string_view(entry).substr(kMagic.size()));
  if (in.bytes() != STSH_VERSION || in.bytes() != text || !in.ok()) return std::nullopt;
  const uint32_t count = in.u32();
  const uint32_t root = in.u32();
  // Each node takes at least 20 bytes: a count past what is left is not worth allocating for.
  if (!in.ok() || count == 0 || count > entry.size() / 20 || root >= count) return std::nullopt;

  YamlTree tree;
  std::vector<YamlNodeData*> nodes;
  nodes.reserve(count);
  for (uint32_t i = 0; i < count; ++i) nodes.push_back(&tree.nodes_.emplace_back());
  // A tree: every child comes after its parent and has one parent, so there is no cycle and
  // nothing is shared (an alias); the depth stays what the parser allows.
  std::vector<int> depth(count, 0);
  std::vector<bool> has_parent(count, false);
  auto child = [&](uint32_t parent, uint32_t index) -> const YamlNodeData* {
    if (index <= parent || index >= count || has_parent[index]) return nullptr;
    has_parent[index] = true;
    depth[index] = depth[parent] + 1;
    return depth[index] > kMaxYamlDepth + 1 ? nullptr : nodes[index];
  };
  for (uint32_t i = 0; i < count && in.ok(); ++i) {
    YamlNodeData& node = *nodes[i];
    const uint32_t type = in.u32();
    node.mark.pos = in.i32();
    node.mark.line = in.i32();
    node.mark.column = in.i32();
    node.scalar = std::string(in.bytes());
    const uint32_t items = in.u32();
    const uint32_t pairs = in.u32();
    if (!in.ok() || items > count || pairs > count) return std::nullopt;
    switch (type) {
      case YAML::NodeType::Null:
      case YAML::NodeType::Scalar:
        if (items != 0 || pairs != 0) return std::nullopt;
        break;
      case YAML::NodeType::Sequence:
        if (pairs != 0) return std::nullopt;
        break;
      case YAML::NodeType::Map:
        if (items != 0) return std::nullopt;
        break;
      default:
        return std::nullopt;
    }
    node.type = static_cast<YAML::NodeType::value>(type);
    for (uint32_t k = 0; k < items; ++k) {
      const YamlNodeData* item = child(i, in.u32());
      if (!item || !in.ok()) return std::nullopt;
      node.items.push_back(item);
    }
    for (uint32_t k = 0; k < pairs; ++k) {
      const YamlNodeData* key = child(i, in.u32());
      const YamlNodeData* value = child(i, in.u32());
      if (!key || !value || !in.ok()) return std::nullopt;
      node.pairs.emplace_back(key, value);
    }
  }
  if (!in.ok() || !in.at_end() || has_parent[root]) return std::nullopt;
  tree.root_ = nodes[root];
  return tree;
}

std::optional<std::string> TreeCache::store(std::string_view text, const YamlTree& tree) const {
  std::unordered_map<const YamlNodeData*, uint32_t> index;
  uint32_t next = 0;
  for (const YamlNodeData& node : tree.nodes_) index.emplace(&node, next++);
  Writer out;
  out.bytes(STSH_VERSION);
  out.bytes(text);
  out.u32(static_cast<uint32_t>(tree.nodes_.size()));
  out.u32(index.at(tree.root_));
  for (const YamlNodeData& node : tree.nodes_) {
    out.u32(static_cast<uint32_t>(node.type));
    out.i32(node.mark.pos);
    out.i32(node.mark.line);
    out.i32(node.mark.column);
    out.bytes(node.scalar);
    out.u32(static_cast<uint32_t>(node.items.size()));
    out.u32(static_cast<uint32_t>(node.pairs.size()));
    for (const YamlNodeData* item : node.items) out.u32(index.at(item));
    for (const auto& [key, value] : node.pairs) {
      out.u32(index.at(key));
      out.u32(index.at(value));
    }
  }
  const std::string entry = std::string(kMagic) + out.take();

  // 0755 whatever the umask (sudo keeps the admin's, 077 say): sessions run as their users
  // and must be able to read the entries.
  if (mkdir(dir_.c_str(), 0755) == 0) {
    if (chmod(dir_.c_str(), 0755) != 0)
      return "cannot set the mode of " + dir_ + ": " + std::strerror(errno);
  } else if (errno != EEXIST) {
    return "cannot create " + dir_ + ": " + std::strerror(errno);
  }
  if (!trusted_directory())
    return dir_ + " (or a directory above it) is not root's alone: not writing the cache there";
  std::string temp = dir_ + "/." + entry_name(text) + ".XXXXXX";
  const int fd = mkstemp(temp.data());
  if (fd < 0) return "cannot write in " + dir_ + ": " + std::strerror(errno);
  bool written = fchmod(fd, 0644) == 0;
  for (size_t done = 0; written && done < entry.size();) {
    const ssize_t n = write(fd, entry.data() + done, entry.size() - done);
    if (n < 0 && errno == EINTR) continue;
    written = n > 0;
    if (written) done += static_cast<size_t>(n);
  }
  const int write_errno = errno;
  if (close(fd) != 0) written = false;
  const std::string path = dir_ + "/" + entry_name(text);
  if (!written || rename(temp.c_str(), path.c_str()) != 0) {
    const int e = written ? errno : write_errno;
    unlink(temp.c_str());
    return "cannot write " + path + ": " + std::strerror(e);
  }
  return std::nullopt;
}

}  // namespace stsh::policy
