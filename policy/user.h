// The user a policy is loaded for, from the passwd and group databases (never the environment).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "policy/result.h"

namespace stsh::policy {

struct UserInfo {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string home;
  std::string shell;
  std::vector<std::string> groups;  // primary group first, then supplementary in getgrouplist order
};

Result<UserInfo> lookup_user(const std::string& name);
Result<UserInfo> lookup_user(uid_t uid);

}  // namespace stsh::policy
