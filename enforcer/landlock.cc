#include "enforcer/landlock.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

namespace stsh::enforcer {
namespace {

std::string errno_text(int error) {
  const char* name = strerrorname_np(error);
  return name != nullptr ? std::string(name) : "errno " + std::to_string(error);
}

std::string hex(std::uint64_t value) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(value));
  return buf;
}

// glibc 2.36 has no wrappers for the Landlock syscalls.
int create_ruleset(const kcompat::LandlockRulesetAttr* attr, std::size_t size, unsigned flags) {
  return static_cast<int>(syscall(__NR_landlock_create_ruleset, attr, size, flags));
}
int add_rule(int ruleset_fd, int type, const void* attr) {
  return static_cast<int>(syscall(__NR_landlock_add_rule, ruleset_fd, type, attr, 0U));
}

// Open failures that mean "this path is not there for us", which a best-effort rule skips.
bool is_missing_path_error(int error) {
  return error == ENOENT || error == ENOTDIR || error == EACCES || error == ELOOP ||
         error == ENAMETOOLONG;
}

}  // namespace

int landlock_abi() noexcept {
  const int abi = create_ruleset(nullptr, 0, LANDLOCK_CREATE_RULESET_VERSION);
  return abi < 0 ? 0 : abi;
}

int LandlockRuleset::restrict_self() const noexcept {
  if (!fd_) return 0;
  if (syscall(__NR_landlock_restrict_self, fd_.get(), restrict_flags_) != 0) return -errno;
  return 0;
}

LandlockBuilder::LandlockBuilder(LandlockOptions options, int abi)
    : options_(options), abi_(abi < 0 ? 0 : abi) {}

LandlockBuilder& LandlockBuilder::allow_path(std::string path, LandlockFsRights rights) {
  paths_.push_back(PathRule{std::move(path), rights});
  return *this;
}

LandlockBuilder& LandlockBuilder::allow_tcp_port(std::uint16_t port, TcpAccess access) {
  ports_.push_back(PortRule{port, static_cast<std::uint64_t>(access)});
  return *this;
}

Result<LandlockRuleset> LandlockBuilder::build() && {
  // Unknown bits are a programming error, whatever the ABI: refuse them rather than drop them.
  if ((options_.handled_fs & ~kFsAllKnown) != 0) {
    return make_error("landlock: unknown filesystem access bits " +
                      hex(options_.handled_fs & ~kFsAllKnown) + " in handled_fs");
  }
  for (const PathRule& rule : paths_) {
    if ((rule.rights & ~kFsAllKnown) != 0) {
      return make_error("landlock: unknown filesystem access bits " +
                        hex(rule.rights & ~kFsAllKnown) + " for path " + rule.path);
    }
  }

  LandlockRuleset ruleset;
  ruleset.abi_ = abi_;
  if (abi_ == 0) {
    for (const PathRule& rule : paths_) {
      ruleset.skipped_.push_back({"path " + rule.path, "Landlock is not available"});
    }
    for (const PortRule& rule : ports_) {
      ruleset.skipped_.push_back(
          {"tcp port " + std::to_string(rule.port), "Landlock is not available"});
    }
    return ruleset;
  }

  ruleset.handled_fs_ = options_.handled_fs & landlock_fs_rights_for_abi(abi_);
  if (abi_ >= 4 && options_.restrict_tcp) {
    ruleset.handled_net_ = LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP;
  }
  if (abi_ >= 6) {
    if (options_.scope_signals) ruleset.scoped_ |= LANDLOCK_SCOPE_SIGNAL;
    if (options_.scope_abstract_unix) ruleset.scoped_ |= LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET;
  }
  if (abi_ >= 7) {
    ruleset.restrict_flags_ = options_.audit_denials ? LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF |
                                                           LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON
                                                     : LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF;
  }

  const kcompat::LandlockRulesetAttr attr{
      .handled_access_fs = ruleset.handled_fs_,
      .handled_access_net = ruleset.handled_net_,
      .scoped = ruleset.scoped_,
  };
  ruleset.fd_.reset(create_ruleset(&attr, kcompat::ruleset_attr_size(abi_), 0));
  if (!ruleset.fd_) {
    return make_error("landlock_create_ruleset(fs=" + hex(attr.handled_access_fs) +
                      ", net=" + hex(attr.handled_access_net) + ", scoped=" + hex(attr.scoped) +
                      ", ABI " + std::to_string(abi_) + ") failed: " + errno_text(errno));
  }

  for (const PathRule& rule : paths_) {
    // The plan's paths are canonical: a symlink on one now was put there since, by whoever
    // can write its directory, to move the grant elsewhere. Such a rule is left out (Landlock
    // only grants, so a missing rule grants less), never applied to the link's target.
    open_how how{};
    how.flags = O_PATH | O_CLOEXEC;
    how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    UniqueFd fd(static_cast<int>(syscall(SYS_openat2, AT_FDCWD, rule.path.c_str(), &how, sizeof how)));
    if (!fd) {
      const int error = errno;
      if (error == ELOOP) {
        ruleset.skipped_.push_back({"path " + rule.path, "a symbolic link on the path"});
        continue;
      }
      if (!is_missing_path_error(error)) {
        return make_error("open(" + rule.path + ", O_PATH) failed: " + errno_text(error));
      }
      ruleset.skipped_.push_back({"path " + rule.path, errno_text(error)});
      continue;
    }
    struct stat st {};
    if (fstat(fd.get(), &st) != 0) {
      return make_error("fstat(" + rule.path + ") failed: " + errno_text(errno));
    }
    LandlockFsRights rights = rule.rights & ruleset.handled_fs_;
    if (!S_ISDIR(st.st_mode)) rights &= kFsFileRights;
    if (rights == 0) {
      ruleset.skipped_.push_back(
          {"path " + rule.path, "none of the rights " + hex(rule.rights) +
                                    " applies to this file type under Landlock ABI " +
                                    std::to_string(abi_)});
      continue;
    }
    const landlock_path_beneath_attr beneath{.allowed_access = rights, .parent_fd = fd.get()};
    if (add_rule(ruleset.fd_.get(), kcompat::kLandlockRulePathBeneath, &beneath) != 0) {
      return make_error("landlock_add_rule(PATH_BENEATH, " + rule.path + ", " + hex(rights) +
                        ") failed: " + errno_text(errno));
    }
  }

  for (const PortRule& rule : ports_) {
    const std::string name = "tcp port " + std::to_string(rule.port);
    if (ruleset.handled_net_ == 0) {
      ruleset.skipped_.push_back({name, options_.restrict_tcp
                                            ? "network rules need Landlock ABI 4 (running: " +
                                                  std::to_string(abi_) + "); TCP is not restricted"
                                            : "TCP is not restricted (restrict_tcp is off)"});
      continue;
    }
    const kcompat::LandlockNetPortAttr port{.allowed_access = rule.access, .port = rule.port};
    if (add_rule(ruleset.fd_.get(), kcompat::kLandlockRuleNetPort, &port) != 0) {
      return make_error("landlock_add_rule(NET_PORT, " + std::to_string(rule.port) + ", " +
                        hex(rule.access) + ") failed: " + errno_text(errno));
    }
  }
  return ruleset;
}

}  // namespace stsh::enforcer
