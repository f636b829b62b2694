#include "policy/call.h"

#include <cstring>

namespace stsh::policy {

std::string_view access_name(Access a) {
  switch (a) {
    case Access::none:
      return "none";
    case Access::read:
      return "read";
    case Access::write:
      return "write";
    case Access::exec:
      return "exec";
    case Access::connect:
      return "connect";
    case Access::bind:
      return "bind";
  }
  return "none";
}

std::string describe(const Decision& d) {
  std::string out;
  switch (d.verdict) {
    case Verdict::permit:
      out = "permit";
      break;
    case Verdict::kill:
      out = "kill";
      break;
    case Verdict::deny: {
      // strerrorname_np (glibc 2.32+) gives "EACCES"; it returns null for numbers it does not
      // know, which we print as the number so nothing is lost.
      const char* name = ::strerrorname_np(d.error);
      out = "deny[" + (name != nullptr ? std::string(name) : std::to_string(d.error)) + "]";
      break;
    }
  }
  if (d.log) out += " log";
  return out;
}

}  // namespace stsh::policy
