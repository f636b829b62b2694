#include "enforcer/confinement.h"

#include <sys/syscall.h>

#include <algorithm>
#include <set>

#include "enforcer/meta_broker.h"
#include "policy/syscalls.h"

namespace stsh::enforcer {
namespace {

bool has_glob(std::string_view s) { return s.find_first_of("*?[\\") != std::string_view::npos; }

// Whether a process under `p` may exec the binary of command entry `c` (glob keys: whenever
// some exec is possible at all, since any name they match might be run).
bool may_exec(const policy::Plan& plan, const policy::CommandPolicy& p,
              const policy::CommandPolicy& c) {
  if (has_glob(c.key())) return p.is_login() || !p.exec().empty() || p.exec().includes_commands();
  policy::Call call;
  call.syscall = SYS_execve;
  call.filename = c.key();
  return plan.decide(p, call).permitted();
}

}  // namespace

std::vector<const policy::CommandPolicy*> exec_closure(const policy::Plan& plan,
                                                       const policy::CommandPolicy& starter,
                                                       const std::string& program) {
  const policy::CommandPolicy& first = plan.policy_after_exec(starter, program);
  std::vector<const policy::CommandPolicy*> closure{&first};
  std::set<const policy::CommandPolicy*> seen{&first};
  for (size_t i = 0; i < closure.size(); ++i) {
    const policy::CommandPolicy& p = *closure[i];
    // `@commands` (or the login): every command, without deciding each.
    const bool all = p.is_login() || p.exec().includes_commands();
    for (const auto& c : plan.commands()) {
      if (seen.count(c.get()) || !(all || may_exec(plan, p, *c))) continue;
      seen.insert(c.get());
      closure.push_back(c.get());
    }
  }
  std::sort(closure.begin(), closure.end());
  return closure;
}

KernelFilterSpec routing_spec(bool supervise_read_opens, bool supervise_metadata) {
  KernelFilterSpec spec;
  spec.trace = {SYS_execve, SYS_execveat};
  spec.trace_denials = true;  // so that each denial of the kernel tier gets its record
  spec.notify = {SYS_listen,   SYS_inotify_add_watch, SYS_fanotify_mark, SYS_creat,
                 SYS_connect,  SYS_bind,              SYS_unlink,        SYS_unlinkat,
                 SYS_rmdir,    SYS_mkdir,             SYS_mkdirat,       SYS_rename,
                 SYS_renameat, SYS_renameat2,         SYS_link,          SYS_linkat,
                 SYS_symlink,  SYS_symlinkat,
                 // openat2's flags are in memory the filter cannot read.
                 SYS_openat2};
  if (supervise_read_opens) {
    spec.notify.push_back(SYS_open);
    spec.notify.push_back(SYS_openat);
  } else {
    spec.notify_if_writing = {{SYS_open, 1}, {SYS_openat, 2}};
  }
  // The metadata calls (meta_broker.h): the changes always, the reads when asked.
  for (int nr = 0; nr <= kNewestVettedSyscall; ++nr) {
    if (!is_brokered_meta_call(nr)) continue;
    if (supervise_metadata || !policy::is_metadata_read(nr, std::nullopt)) spec.notify.push_back(nr);
  }
  // Datagram destinations (send_broker.h): sendto only with an address.
  spec.notify.push_back(SYS_sendmsg);
  spec.notify.push_back(SYS_sendmmsg);
  spec.notify_if_set = {{SYS_sendto, 4}};
  return spec;
}

ConfinementCache::ConfinementCache(const policy::Plan& plan, policy::Mode mode, bool kernel_first)
    : plan_(&plan), mode_(mode), kernel_first_(kernel_first && mode == policy::Mode::enforce) {}

Result<const CompiledFilter*> ConfinementCache::filter(bool supervise_read_opens,
                                                       bool supervise_metadata) {
  const int key = (supervise_read_opens ? 1 : 0) | (supervise_metadata ? 2 : 0);
  if (auto it = filters_.find(key); it != filters_.end()) return it->second.get();
  auto compiled = compile_kernel_filter(routing_spec(supervise_read_opens, supervise_metadata));
  if (!compiled) return compiled.take_error();
  auto& slot = filters_[key];
  slot = std::make_unique<CompiledFilter>(std::move(*compiled));
  return slot.get();
}

const LandlockPlan& ConfinementCache::member_plan(const policy::CommandPolicy* p) {
  auto it = member_plans_.find(p);
  if (it == member_plans_.end()) {
    it = member_plans_.emplace(p, derive_landlock_plan(*plan_, {p}, p->key())).first;
  }
  return it->second;
}

Result<ConfinementCache::Choice> ConfinementCache::for_launch(
    const policy::CommandPolicy& starter, const std::string& program) {
  auto closure = exec_closure(*plan_, starter, program);
  auto key = std::make_pair(closure, program);
  if (auto it = choices_.find(key); it != choices_.end()) {
    return Choice{it->second.first.get(), it->second.second.get()};
  }

  const LandlockRuleset* domain = nullptr;
  std::string why;
  if (mode_ == policy::Mode::enforce) {
    const LandlockPlan lp = derive_landlock_plan(*plan_, closure, program);
    auto built = build_landlock(lp);
    if (!built) return built.take_error();
    const bool restricts = !lp.unrestricted_read || !lp.unrestricted_write || !lp.unrestricted_exec;
    // The brokers decide the calls they see inside the domain; Landlock bounds everything
    // else: without it, a policy that restricts files cannot be enforced, so nothing runs.
    if (!built->enforced() && restricts) {
      return make_error(
          "this kernel has no Landlock (needs Linux 5.13 or later with Landlock enabled), "
          "so the policy's file access rules cannot be enforced");
    }
    auto& slot = domains_[key];
    slot = std::make_unique<LandlockRuleset>(std::move(*built));
    domain = slot.get();
    if (!lp.reads_exact) {
      why = lp.inexact_read.empty() ? "reads the domain cannot say" : lp.inexact_read.front();
    }
    for (const policy::CommandPolicy* member : closure) {
      if (!why.empty()) break;
      if (!reads_within(lp, member_plan(member))) {
        why = "the domain lets " + std::string(member->is_login() ? "(login)" : member->key()) +
              " read what its own lists do not (its commands differ)";
      }
    }
    if (!domain->enforced() || (domain->handled_fs() & kFsReadFile) == 0) {
      if (!lp.unrestricted_read) why = "Landlock does not restrict reading on this kernel";
    }
  } else {
    why = "session mode " + std::string(policy::mode_name(mode_));
  }
  const bool hidden = !plan_->hide().empty();
  if (hidden && why.empty()) why = "the policy hides trees (hide:)";
  if (!kernel_first_ && why.empty()) why = "supervisor route";

  auto planned = std::make_unique<Confinement>();
  planned->landlock = domain;
  planned->read_opens_in_kernel = why.empty();
  planned->metadata_in_kernel = kernel_first_ && !hidden;
  planned->why_supervised = why;
  auto f = filter(!planned->read_opens_in_kernel, !planned->metadata_in_kernel);
  if (!f) return f.take_error();
  planned->filter = *f;

  auto supervised = std::make_unique<Confinement>();
  supervised->landlock = domain;
  supervised->why_supervised = "supervisor route";
  auto g = filter(true, true);
  if (!g) return g.take_error();
  supervised->filter = *g;

  auto& entry = choices_[key];
  entry = {std::move(planned), std::move(supervised)};
  return Choice{entry.first.get(), entry.second.get()};
}

}  // namespace stsh::enforcer
