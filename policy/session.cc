#include "policy/session.h"

namespace stsh::policy {

std::string_view mode_name(Mode m) {
  switch (m) {
    case Mode::enforce:
      return "enforce";
    case Mode::audit:
      return "audit";
    case Mode::learn:
      return "learn";
  }
  return "enforce";
}

}  // namespace stsh::policy
