#include "policy/user.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace stsh::policy {
namespace {

std::string group_name(gid_t gid) {
  std::vector<char> buf(16384);
  struct group gr {};
  struct group* out = nullptr;
  if (getgrgid_r(gid, &gr, buf.data(), buf.size(), &out) != 0 || out == nullptr) return {};
  return out->gr_name;
}

Result<UserInfo> from_passwd(const struct passwd& pw) {
  UserInfo u;
  u.name = pw.pw_name;
  u.uid = pw.pw_uid;
  u.gid = pw.pw_gid;
  u.home = pw.pw_dir ? pw.pw_dir : "";
  u.shell = pw.pw_shell ? pw.pw_shell : "";

  // getgrouplist puts the primary group first; unresolvable gids are skipped because a
  // policy can only name groups by name.
  int n = 64;
  std::vector<gid_t> gids(n);
  while (getgrouplist(u.name.c_str(), u.gid, gids.data(), &n) < 0) gids.resize(n);
  gids.resize(n);
  for (gid_t g : gids) {
    std::string name = group_name(g);
    if (name.empty()) continue;
    bool seen = false;
    for (const auto& have : u.groups) seen = seen || have == name;
    if (!seen) u.groups.push_back(std::move(name));
  }
  return u;
}

}  // namespace

Result<UserInfo> lookup_user(const std::string& name) {
  std::vector<char> buf(16384);
  struct passwd pw {};
  struct passwd* out = nullptr;
  int rc = getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &out);
  if (out == nullptr) {
    return make_error("unknown user '" + name + "'" +
                      (rc != 0 ? std::string(": ") + std::strerror(rc) : std::string()));
  }
  return from_passwd(pw);
}

Result<UserInfo> lookup_user(uid_t uid) {
  std::vector<char> buf(16384);
  struct passwd pw {};
  struct passwd* out = nullptr;
  int rc = getpwuid_r(uid, &pw, buf.data(), buf.size(), &out);
  if (out == nullptr) {
    return make_error("no passwd entry for uid " + std::to_string(uid) +
                      (rc != 0 ? std::string(": ") + std::strerror(rc) : std::string()));
  }
  return from_passwd(pw);
}

}  // namespace stsh::policy
