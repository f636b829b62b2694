#include "policy/plan.h"

#include <cerrno>

#include "policy/syscalls.h"

namespace stsh::policy {
namespace {

constexpr std::string_view kDefaultRule = "default";
// Names and metadata are visible as on any Unix system unless a tree is hidden (is_metadata_read).
constexpr std::string_view kVisibleRule = "metadata is visible (not hidden)";

Decision permit(std::string_view origin) {
  return Decision{Verdict::permit, 0, false, origin};
}
Decision default_deny() {
  return Decision{Verdict::deny, EACCES, true, kDefaultRule};
}

Decision from_rule(const CompiledRule& rule) {
  return Decision{rule.action.verdict, rule.action.verdict == Verdict::deny ? rule.action.error : 0,
                  rule.action.log, rule.origin};
}

// A call that should carry a path but does not is an enforcer bug; refuse it rather than guess.
Decision check_path(const CompactList& list, const std::optional<std::string>& path) {
  if (!path) return default_deny();
  if (auto id = list.match_path(*path)) return permit(list.origin(*id));
  return default_deny();
}

}  // namespace

const CommandPolicy* Plan::command_for(std::string_view exe) const {
  auto id = command_keys_.first_match(exe);
  if (!id) return nullptr;
  const size_t n = commands_.size();
  return commands_[*id < n ? *id : *id - n].get();
}

// rename and link write two paths; each must be permitted on its own, so a rule that permits
// by the first path cannot carry the second one past the write list.
Decision Plan::decide(const CommandPolicy& policy, const Call& call) const {
  const Decision first = decide_one(policy, call);
  if (!first.permitted() || !second_path_is_written(call.syscall)) return first;
  if (!call.filename1) return default_deny();  // an enforcer bug must not permit
  Call second = call;
  second.filename = call.filename1;
  second.filename1.reset();
  return decide_one(policy, second);
}

Decision Plan::decide_one(const CommandPolicy& policy, const Call& call) const {
  const Access access = access_of(call.syscall, call.oflags);

  // A hidden tree is not there for any call that names it, whatever else would permit it.
  if (call.filename && access != Access::connect && access != Access::bind && access != Access::none) {
    if (auto id = hide_->match_path(*call.filename)) {
      return Decision{Verdict::deny, ENOENT, true, hide_->origin(*id)};
    }
  }

  // Names and metadata: visible, whatever a rule says (the loader refuses rules that would
  // deny them; the kernel answers them without the supervisor on the kernel route).
  if (call.filename && access == Access::read && is_metadata_read(call.syscall, call.oflags)) {
    return permit(kVisibleRule);
  }

  // Rules first: the command's own, then those of defaults, first match wins.
  if (const CompiledRule* r = policy.own_rules().first_match(call, access)) return from_rule(*r);
  if (const CompiledRule* r = policy.default_rules().first_match(call, access))
    return from_rule(*r);

  switch (access) {
    case Access::none:
      return permit(kDefaultRule);
    case Access::read: {
      if (!call.filename) return default_deny();
      // What may be written may be read.
      if (auto id = policy.read().match_path(*call.filename))
        return permit(policy.read().origin(*id));
      if (auto id = policy.write().match_path(*call.filename))
        return permit(policy.write().origin(*id));
      return default_deny();
    }
    case Access::write: {
      return check_path(policy.write(), call.filename);
    }
    case Access::exec: {
      if (!call.filename) return default_deny();
      if (policy.is_login() || policy.exec().includes_commands()) {
        if (const CommandPolicy* c = command_for(*call.filename)) return permit(c->origin());
      }
      return check_path(policy.exec(), call.filename);
    }
    case Access::connect:
    case Access::bind: {
      const CompactList& list = access == Access::connect ? policy.connect() : policy.bind();
      // sendto/sendmsg on a connected socket name no address: nothing to decide here.
      if (!call.sockaddr) return permit(kDefaultRule);
      if (auto id = list.match_sockaddr(*call.sockaddr)) return permit(list.origin(*id));
      return default_deny();
    }
  }
  return default_deny();
}

}  // namespace stsh::policy
