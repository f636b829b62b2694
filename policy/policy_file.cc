#include "policy/policy_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

namespace stsh::policy {
namespace {

std::string errno_text(int e) {
  return std::strerror(e);
}

std::string describe_owner_rule(Trust trust) {
  return trust == Trust::login ? "owned by root" : "owned by root or by you";
}

// Refuses what a user other than root (or, for an explicit file, the invoker) could have
// changed: the owner, and group/world write bits.
std::optional<std::string> insecure(const struct stat& st, Trust trust, bool is_dir) {
  const bool owner_ok = st.st_uid == 0 || (trust == Trust::explicit_file && st.st_uid == getuid());
  if (!owner_ok) {
    return std::string("is owned by uid ") + std::to_string(st.st_uid) + ", must be " +
           describe_owner_rule(trust);
  }
  // A sticky, world-writable directory such as /tmp still lets others replace our files.
  if (st.st_mode & (S_IWGRP | S_IWOTH)) {
    return std::string("is writable by ") + ((st.st_mode & S_IWOTH) ? "others" : "its group") +
           " (mode " + std::to_string((st.st_mode >> 6) & 7) +
           std::to_string((st.st_mode >> 3) & 7) + std::to_string(st.st_mode & 7) +
           "), must not be";
  }
  if (!is_dir && !S_ISREG(st.st_mode)) return "is not a regular file";
  return std::nullopt;
}

// The directories from policy_dir down to the file's parent, when the file lies inside it.
std::vector<std::string> directories_to_check(const std::string& path, const std::string& dir) {
  std::vector<std::string> out;
  std::string base = dir;
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  if (base.empty() || path.compare(0, base.size() + 1, base + "/") != 0) return out;
  out.push_back(base);
  for (size_t pos = base.size() + 1; (pos = path.find('/', pos)) != std::string::npos; ++pos) {
    out.push_back(path.substr(0, pos));
  }
  return out;
}

}  // namespace

size_t find_invalid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t len = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4, cp = c & 0x07;
    } else {
      return i;
    }
    if (i + len > s.size()) return i;
    for (size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      return i;
    }
    i += len;
  }
  return std::string_view::npos;
}

Result<std::string> read_policy_file(const std::string& path, const std::string& policy_dir,
                                     Trust trust) {
  SourceLocation whole{path, 0, 0};
  // Check the descriptor we read from, not the name, so a swap between check and read is moot.
  // O_NONBLOCK: a FIFO planted as a policy must not hang the login; it fails the regular-file
  // check below instead.
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return make_error(whole, "cannot open policy: " + errno_text(errno));
  for (const auto& dir : directories_to_check(path, policy_dir)) {
    struct stat st {};
    if (stat(dir.c_str(), &st) != 0) {
      const int e = errno;
      close(fd);
      return make_error(whole, "cannot check directory " + dir + ": " + errno_text(e));
    }
    if (auto why = insecure(st, trust, /*is_dir=*/true)) {
      close(fd);
      return make_error(whole, "insecure policy directory " + dir + ": it " + *why);
    }
  }
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    const int e = errno;
    close(fd);
    return make_error(whole, "cannot stat policy: " + errno_text(e));
  }
  if (auto why = insecure(st, trust, /*is_dir=*/false)) {
    close(fd);
    return make_error(whole, "insecure policy file: it " + *why);
  }
  if (static_cast<size_t>(st.st_size) > kMaxPolicyBytes) {
    close(fd);
    return make_error(whole,
                      "policy file is larger than " + std::to_string(kMaxPolicyBytes) + " bytes");
  }

  std::string text;
  char buf[65536];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int e = errno;
      close(fd);
      return make_error(whole, "cannot read policy: " + errno_text(e));
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > kMaxPolicyBytes) {
      close(fd);
      return make_error(whole,
                        "policy file is larger than " + std::to_string(kMaxPolicyBytes) + " bytes");
    }
  }
  close(fd);
  return text;
}

}  // namespace stsh::policy
