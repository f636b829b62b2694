#include "policy/call.h"

#include "policy/rule_parser.h"

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
  return format_action(Action{d.verdict, d.error, d.log});
}

}  // namespace stsh::policy
