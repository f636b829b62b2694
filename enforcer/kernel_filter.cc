#include "enforcer/kernel_filter.h"

#include <fcntl.h>
#include <linux/audit.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <utility>

#include "enforcer/unique_fd.h"

namespace stsh::enforcer {
namespace {

std::string errno_text(int error) {
  const char* name = strerrorname_np(error);
  return name != nullptr ? std::string(name) : "errno " + std::to_string(error);
}

// "ptrace (101)", or "syscall 466" for numbers neither our table nor libseccomp can name.
std::string syscall_label(int nr) {
  if (const DangerousSyscall* entry = find_dangerous_syscall(nr)) {
    return std::string(entry->name) + " (" + std::to_string(nr) + ")";
  }
  std::unique_ptr<char, decltype(&std::free)> name(
      seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, nr), &std::free);
  if (name) return std::string(name.get()) + " (" + std::to_string(nr) + ")";
  return "syscall " + std::to_string(nr);
}

struct ContextDeleter {
  void operator()(void* ctx) const { seccomp_release(static_cast<scmp_filter_ctx>(ctx)); }
};
using Context = std::unique_ptr<void, ContextDeleter>;

// A context whose unmatched syscalls are allowed and whose non-x86_64 syscalls kill the process.
// libseccomp, given only the native x86_64 architecture, also sends x32 numbers (nr >=
// __X32_SYSCALL_BIT, except -1) to the bad-architecture action.
Result<Context> make_context(std::string_view which) {
  Context ctx(seccomp_init(SCMP_ACT_ALLOW));
  if (!ctx)
    return make_error("seccomp_init(SCMP_ACT_ALLOW) failed for the " + std::string(which) +
                      " program");
  if (int rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
      rc < 0) {
    return make_error("seccomp_attr_set(SCMP_FLTATR_ACT_BADARCH, KILL_PROCESS) failed: " +
                      errno_text(-rc));
  }
  // Level 2 sorts the syscall checks into a binary tree: the cost of a non-cached syscall then
  // grows with log(rules), not with the number of rules.
  if (int rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_OPTIMIZE, 2); rc < 0) {
    return make_error("seccomp_attr_set(SCMP_FLTATR_CTL_OPTIMIZE, 2) failed: " + errno_text(-rc));
  }
  return ctx;
}

constexpr scmp_arg_cmp masked_eq(unsigned arg, std::uint64_t mask, std::uint64_t value) {
  return scmp_arg_cmp{arg, SCMP_CMP_MASKED_EQ, mask, value};
}

// The kernel reads `unsigned int` arguments (ioctl's cmd, seccomp's op) from the low 32 bits of
// the register. A filter comparing all 64 bits can be walked around by setting high bits
// (CVE-2019-10063, flatpak's TIOCSTI filter), so such arguments are compared under this mask.
constexpr std::uint64_t kLow32 = 0xffffffffULL;

Status add_rule(scmp_filter_ctx ctx, std::uint32_t action, int nr, std::string_view action_name,
                std::initializer_list<scmp_arg_cmp> args = {}) {
  const int rc = seccomp_rule_add_exact_array(ctx, action, nr, static_cast<unsigned>(args.size()),
                                              args.begin());
  if (rc < 0) {
    return make_error("seccomp_rule_add(" + syscall_label(nr) + ", " + std::string(action_name) +
                      ") failed: " + errno_text(-rc));
  }
  return Ok{};
}

// The argument rules for the kArguments entries of kDangerousSyscalls.
// ENOSYS is the answer of a kernel that lacks the call: a program asking for it (glibc's
// clone3 on every thread and posix_spawn) is probing, not trying to get out, and falls back
// to an older call. Such a denial is answered in the kernel, without a stop or a record.
bool traced(const DangerousSyscall& entry, bool trace) { return trace && entry.error != ENOSYS; }

std::uint32_t denial_action(const DangerousSyscall& entry, bool trace) {
  const auto data = static_cast<std::uint16_t>(entry.error);
  return traced(entry, trace) ? SCMP_ACT_TRACE(data) : SCMP_ACT_ERRNO(data);
}

std::string denial_name(const DangerousSyscall& entry, bool trace) {
  return (traced(entry, trace) ? "TRACE(" : "ERRNO(") + errno_text(entry.error) + ")";
}

Status add_argument_rules(scmp_filter_ctx ctx, const DangerousSyscall& entry, bool trace) {
  const std::uint32_t deny = denial_action(entry, trace);
  const std::string deny_name = denial_name(entry, trace);
  switch (entry.nr) {
    case __NR_clone:
      // clone(flags, ...): deny when any namespace bit is set, one rule per bit.
      for (std::uint64_t bit = 1; bit != 0; bit <<= 1) {
        if ((kDeniedCloneFlags & bit) == 0) continue;
        if (auto st = add_rule(ctx, deny, entry.nr, deny_name, {masked_eq(0, bit, bit)}); !st) {
          return st;
        }
      }
      return Ok{};
    case __NR_ioctl:
      for (std::uint64_t cmd : {std::uint64_t{TIOCSTI}, std::uint64_t{TIOCLINUX}}) {
        if (auto st = add_rule(ctx, deny, entry.nr, deny_name, {masked_eq(1, kLow32, cmd)}); !st) {
          return st;
        }
      }
      return Ok{};
    case __NR_seccomp:
      // seccomp(op, flags, args): op == SET_MODE_FILTER and flags has NEW_LISTENER.
      return add_rule(
          ctx, deny, entry.nr, deny_name,
          {masked_eq(0, kLow32, SECCOMP_SET_MODE_FILTER),
           masked_eq(1, SECCOMP_FILTER_FLAG_NEW_LISTENER, SECCOMP_FILTER_FLAG_NEW_LISTENER)});
    case __NR_personality: {
      // personality(unsigned int persona): allowed only for 0 (PER_LINUX) and 0xffffffff (query).
      // Those are exactly the 32-bit values whose bits are all equal. libseccomp allows one test
      // per argument in a rule and no negation, so "some bit differs" is spelled as 32 rules:
      // bit i set and bit i+1 (cyclically) clear. Any value with both a set and a clear bit has
      // such a pair somewhere around the cycle; 0 and 0xffffffff have none.
      for (unsigned i = 0; i < 32; ++i) {
        const std::uint64_t bit = std::uint64_t{1} << i;
        const std::uint64_t next = std::uint64_t{1} << ((i + 1) % 32);
        if (auto st = add_rule(ctx, deny, entry.nr, deny_name, {masked_eq(0, bit | next, bit)});
            !st) {
          return st;
        }
      }
      return Ok{};
    }
    default:
      return make_error("kernel filter: no argument rules for " + syscall_label(entry.nr) +
                        " although kDangerousSyscalls says DenyScope::kArguments");
  }
}

Result<std::vector<sock_filter>> export_program(scmp_filter_ctx ctx, std::string_view which) {
  // libseccomp 2.5 exports only to a descriptor; a memfd keeps the program off the filesystem.
  UniqueFd memfd(memfd_create("stsh-seccomp-bpf", MFD_CLOEXEC));
  if (!memfd) return make_error("memfd_create(stsh-seccomp-bpf) failed: " + errno_text(errno));
  if (int rc = seccomp_export_bpf(ctx, memfd.get()); rc < 0) {
    return make_error("seccomp_export_bpf(" + std::string(which) + ") failed: " + errno_text(-rc));
  }
  struct stat st {};
  if (fstat(memfd.get(), &st) != 0) {
    return make_error("fstat(stsh-seccomp-bpf memfd) failed: " + errno_text(errno));
  }
  const auto bytes = static_cast<std::size_t>(st.st_size);
  if (bytes == 0 || bytes % sizeof(sock_filter) != 0) {
    return make_error("seccomp_export_bpf(" + std::string(which) + ") wrote " +
                      std::to_string(bytes) + " bytes, not a whole BPF program");
  }
  std::vector<sock_filter> program(bytes / sizeof(sock_filter));
  std::size_t done = 0;
  while (done < bytes) {
    const ssize_t n = pread(memfd.get(), reinterpret_cast<char*>(program.data()) + done,
                            bytes - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return make_error("pread(stsh-seccomp-bpf memfd) failed: " + errno_text(errno));
    done += static_cast<std::size_t>(n);
  }
  return program;
}

// Runs before the libseccomp part of the hardening program. It restates the architecture and x32
// checks (libseccomp emits them too; here they do not depend on libseccomp's internals) and adds
// what libseccomp cannot say: "every number above N", because rules name single syscalls.
//
//   0: A = arch
//   1: if A != AUDIT_ARCH_X86_64 goto 6 (kill)
//   2: A = nr
//   3: if A <= newest goto 8 (the libseccomp program)
//   4: if A < __X32_SYSCALL_BIT goto 7 (ENOSYS)
//   5: if A == 0xffffffff goto 7 (nr -1: the kernel itself answers ENOSYS) else goto 6
//   6: return KILL_PROCESS
//   7: return ERRNO(ENOSYS)
std::vector<sock_filter> hardening_prologue(int newest) {
  return {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 4),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, static_cast<std::uint32_t>(newest), 0, 4),
      BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, __X32_SYSCALL_BIT, 0, 2),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xffffffffU, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA)),
  };
}

Result<std::vector<sock_filter>> compile_hardening(int newest, bool trace) {
  auto ctx = make_context("hardening");
  if (!ctx) return ctx.take_error();
  for (const DangerousSyscall& entry : kDangerousSyscalls) {
    Status st = entry.scope == DenyScope::kWhole ? add_rule(ctx->get(), denial_action(entry, trace),
                                                            entry.nr, denial_name(entry, trace))
                                                 : add_argument_rules(ctx->get(), entry, trace);
    if (!st) return st.take_error();
  }
  // prctl(PR_SET_DUMPABLE, 0) succeeds without effect. A non-dumpable process is out of
  // reach of process_vm_readv and /proc/PID/mem for a supervisor without CAP_SYS_PTRACE, so
  // every brokered call it made would fail; OpenSSH's sftp-server makes itself non-dumpable at
  // start-up and exits if it cannot. What non-dumpable protects against (other processes of
  // the same user attaching) is denied to confined processes anyway.
  if (auto st = add_rule(ctx->get(), SCMP_ACT_ERRNO(0), __NR_prctl, "ERRNO(0)",
                         {masked_eq(0, kLow32, PR_SET_DUMPABLE), masked_eq(1, kLow32, 0)});
      !st) {
    return st.take_error();
  }
  auto body = export_program(ctx->get(), "hardening");
  if (!body) return body.take_error();
  std::vector<sock_filter> program = hardening_prologue(newest);
  program.insert(program.end(), body->begin(), body->end());
  return program;
}

// The open flags that make an open more than a read: O_ACCMODE 3 has the O_WRONLY bit.
constexpr std::uint64_t kWritingOpenFlags[] = {O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, __O_TMPFILE};

Result<std::vector<sock_filter>> compile_routing(
    const std::vector<int>& notify, const std::vector<std::pair<int, unsigned>>& notify_if_set,
    const std::vector<std::pair<int, unsigned>>& notify_if_writing,
    const std::vector<int>& trace) {
  auto ctx = make_context("routing");
  if (!ctx) return ctx.take_error();
  for (const auto& [nr, arg] : notify_if_writing) {
    for (std::uint64_t bit : kWritingOpenFlags) {
      if (auto st = add_rule(ctx->get(), SCMP_ACT_NOTIFY, nr, "NOTIFY", {masked_eq(arg, bit, bit)});
          !st) {
        return st.take_error();
      }
    }
  }
  for (int nr : notify) {
    if (auto st = add_rule(ctx->get(), SCMP_ACT_NOTIFY, nr, "NOTIFY"); !st) return st.take_error();
  }
  for (const auto& [nr, arg] : notify_if_set) {
    if (auto st = add_rule(ctx->get(), SCMP_ACT_NOTIFY, nr, "NOTIFY",
                           {scmp_arg_cmp{arg, SCMP_CMP_NE, 0, 0}});
        !st) {
      return st.take_error();
    }
  }
  // RET_DATA stays 0: a nested filter of the confined process can return TRACE with data of its
  // choosing, so the supervisor must decide by syscall number, never by this value.
  for (int nr : trace) {
    if (auto st = add_rule(ctx->get(), SCMP_ACT_TRACE(0), nr, "TRACE"); !st) {
      return st.take_error();
    }
  }
  return export_program(ctx->get(), "routing");
}

// Sorted, without duplicates; errors for numbers the filter cannot route.
Result<std::vector<int>> checked_set(const std::vector<int>& set, std::string_view set_name,
                                     int newest) {
  std::vector<int> sorted = set;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  for (int nr : sorted) {
    if (nr < 0 || nr > newest) {
      return make_error("kernel filter: " + std::string(set_name) + " set: syscall number " +
                        std::to_string(nr) + " is outside 0.." + std::to_string(newest));
    }
    const DangerousSyscall* entry = find_dangerous_syscall(nr);
    if (entry != nullptr && entry->scope == DenyScope::kWhole) {
      return make_error("kernel filter: " + std::string(set_name) + " set: " + syscall_label(nr) +
                        " is denied by the kernel tier in every session and cannot be routed to "
                        "the supervisor (" +
                        std::string(entry->why) + ")");
    }
  }
  return sorted;
}

void append_flag(std::string& out, std::string_view name) {
  if (!out.empty()) out += '|';
  out += name;
}

}  // namespace

Result<CompiledFilter> compile_kernel_filter(const KernelFilterSpec& spec) {
  if (spec.newest_syscall < 0 || spec.newest_syscall > kNewestVettedSyscall) {
    return make_error("kernel filter: newest_syscall " + std::to_string(spec.newest_syscall) +
                      " is outside 0.." + std::to_string(kNewestVettedSyscall) +
                      " (raise kNewestVettedSyscall only after reviewing the new syscalls)");
  }
  auto notify = checked_set(spec.notify, "notify", spec.newest_syscall);
  if (!notify) return notify.take_error();
  auto trace = checked_set(spec.trace, "trace", spec.newest_syscall);
  if (!trace) return trace.take_error();
  std::vector<int> both;
  std::set_intersection(notify->begin(), notify->end(), trace->begin(), trace->end(),
                        std::back_inserter(both));
  if (!both.empty()) {
    return make_error("kernel filter: " + syscall_label(both.front()) +
                      " is in both the notify and the trace set");
  }

  auto hardening = compile_hardening(spec.newest_syscall, spec.trace_denials);
  if (!hardening) return hardening.take_error();
  std::vector<int> conditional;
  for (const auto* set : {&spec.notify_if_set, &spec.notify_if_writing}) {
    for (const auto& [nr, arg] : *set) {
      if (arg > 5)
        return make_error("kernel filter: argument index " + std::to_string(arg) + " > 5");
      conditional.push_back(nr);
    }
  }
  auto checked_conditional = checked_set(conditional, "notify_if_set", spec.newest_syscall);
  if (!checked_conditional) return checked_conditional.take_error();
  for (int nr : *checked_conditional) {
    if (std::binary_search(notify->begin(), notify->end(), nr) ||
        std::binary_search(trace->begin(), trace->end(), nr)) {
      return make_error("kernel filter: " + syscall_label(nr) +
                        " is routed both always and on an argument");
    }
  }
  auto routing = compile_routing(*notify, spec.notify_if_set, spec.notify_if_writing, *trace);
  if (!routing) return routing.take_error();
  for (const auto* program : {&*hardening, &*routing}) {
    if (program->size() > BPF_MAXINSNS) {
      return make_error("kernel filter: a BPF program has " + std::to_string(program->size()) +
                        " instructions, more than the kernel's " + std::to_string(BPF_MAXINSNS));
    }
  }

  CompiledFilter filter;
  filter.hardening_ = std::move(*hardening);
  filter.routing_ = std::move(*routing);
  filter.log_denials_ = spec.log_denials;
  return filter;
}

int install_filter(const CompiledFilter& filter, unsigned flags) noexcept {
  const unsigned log = filter.log_denials() ? SECCOMP_FILTER_FLAG_LOG : 0U;
  // The kernel only reads the program; sock_fprog's pointer is non-const for historical reasons.
  const auto to_fprog = [](std::span<const sock_filter> program) {
    return sock_fprog{static_cast<unsigned short>(program.size()),
                      const_cast<sock_filter*>(program.data())};
  };

  const bool wants_listener = (flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) != 0;

  // Routing first: the hardening program denies NEW_LISTENER, including to us.
  sock_fprog routing = to_fprog(filter.routing());
  const long listener = syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, flags | log, &routing);
  if (listener < 0) return -errno;
  // With TSYNC (and without TSYNC_ESRCH) the kernel names a thread it could not synchronize by
  // returning that thread's id.
  if (!wants_listener && listener != 0) return -ESRCH;

  const unsigned routing_only =
      SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
  sock_fprog hardening = to_fprog(filter.hardening());
  const long rc =
      syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, (flags & ~routing_only) | log, &hardening);
  if (rc != 0) {
    const int error = rc < 0 ? errno : ESRCH;
    if (wants_listener) close(static_cast<int>(listener));
    return -error;
  }
  return wants_listener ? static_cast<int>(listener) : 0;
}

std::string describe_install_failure(const CompiledFilter& filter, unsigned flags, int error) {
  if (filter.log_denials()) flags |= SECCOMP_FILTER_FLAG_LOG;
  std::string names;
  const std::pair<unsigned, std::string_view> known[] = {
      {SECCOMP_FILTER_FLAG_TSYNC, "TSYNC"},
      {SECCOMP_FILTER_FLAG_LOG, "LOG"},
      {SECCOMP_FILTER_FLAG_SPEC_ALLOW, "SPEC_ALLOW"},
      {SECCOMP_FILTER_FLAG_NEW_LISTENER, "NEW_LISTENER"},
      {SECCOMP_FILTER_FLAG_TSYNC_ESRCH, "TSYNC_ESRCH"},
      {SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, "WAIT_KILLABLE_RECV"},
  };
  for (const auto& [bit, name] : known) {
    if ((flags & bit) != 0) {
      append_flag(names, name);
      flags &= ~bit;
    }
  }
  if (flags != 0) {
    char unknown[16];
    std::snprintf(unknown, sizeof unknown, "0x%x", flags);
    append_flag(names, unknown);
  }
  if (names.empty()) names = "0";
  std::string message =
      "seccomp(SECCOMP_SET_MODE_FILTER, " + names + ") failed: " + errno_text(error);
  if (error == EACCES) message += " (no_new_privs is not set and the caller lacks CAP_SYS_ADMIN)";
  return message;
}

int hardening_denial(int nr, const std::uint64_t (&args)[6]) {
  const DangerousSyscall* entry = find_dangerous_syscall(nr);
  if (entry == nullptr) return 0;
  if (entry->scope == DenyScope::kWhole) return entry->error;
  const std::uint64_t low = args[0] & kLow32;
  switch (nr) {
    case __NR_clone:
      return (args[0] & kDeniedCloneFlags) ? entry->error : 0;
    case __NR_ioctl: {
      const std::uint64_t cmd = args[1] & kLow32;
      return cmd == TIOCSTI || cmd == TIOCLINUX ? entry->error : 0;
    }
    case __NR_seccomp:
      return low == SECCOMP_SET_MODE_FILTER && (args[1] & SECCOMP_FILTER_FLAG_NEW_LISTENER)
                 ? entry->error
                 : 0;
    case __NR_personality:
      return low == 0 || low == kLow32 ? 0 : entry->error;
    default:
      return entry->error;  // an argument rule we do not know: deny, as the filter would
  }
}

}  // namespace stsh::enforcer
