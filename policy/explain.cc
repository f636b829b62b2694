#include "policy/explain.h"

#include <fcntl.h>

#include <algorithm>
#include <array>
#include <charconv>

#include "policy/paths.h"
#include "policy/syscalls.h"

namespace stsh::policy {
namespace {

struct FlagName {
  std::string_view name;
  int value;
};
constexpr std::array kOpenFlags{
    FlagName{"O_RDONLY", O_RDONLY},     FlagName{"O_WRONLY", O_WRONLY},
    FlagName{"O_RDWR", O_RDWR},         FlagName{"O_CREAT", O_CREAT},
    FlagName{"O_EXCL", O_EXCL},         FlagName{"O_NOCTTY", O_NOCTTY},
    FlagName{"O_TRUNC", O_TRUNC},       FlagName{"O_APPEND", O_APPEND},
    FlagName{"O_NONBLOCK", O_NONBLOCK}, FlagName{"O_DIRECTORY", O_DIRECTORY},
    FlagName{"O_NOFOLLOW", O_NOFOLLOW}, FlagName{"O_CLOEXEC", O_CLOEXEC},
    FlagName{"O_PATH", O_PATH},         FlagName{"O_TMPFILE", O_TMPFILE},
    FlagName{"O_SYNC", O_SYNC},
};

Result<int> parse_oflags(std::string_view text) {
  int flags = 0;
  size_t i = 0;
  while (i <= text.size()) {
    const size_t end = std::min(text.find('|', i), text.size());
    const std::string_view word = text.substr(i, end - i);
    bool found = false;
    for (const auto& f : kOpenFlags) {
      if (f.name == word) flags |= f.value, found = true;
    }
    if (!found) return make_error("unknown open flag '" + std::string(word) + "' in oflags");
    i = end + 1;
  }
  return flags;
}

Result<long> parse_number(std::string_view text, int base, std::string_view what) {
  long v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v, base);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return make_error("invalid " + std::string(what) + " '" + std::string(text) + "'");
  }
  return v;
}

Result<std::string> normal_path(std::string_view text, std::string_view what) {
  auto n = lexically_normal(text);
  if (!n)
    return make_error(std::string(what) + " must be an absolute path: '" + std::string(text) + "'");
  return *n;
}

// The syscall an alias stands for in an explanation, with the flags its access implies.
struct AliasExample {
  std::string_view alias, syscall;
  int oflags;
};
constexpr std::array kAliasExamples{
    AliasExample{"fsread", "openat", O_RDONLY},
    AliasExample{"fswrite", "openat", O_WRONLY | O_CREAT | O_TRUNC},
    AliasExample{"exec", "execve", -1},
    AliasExample{"net", "connect", -1},
};

// The enforcer renders sockaddrs as "inet:A:P", "inet6:[A]:P" or "unix:PATH"; on the command
// line a bare "127.0.0.1:3306" or "[::1]:22" means the obvious family.
std::string address_text(std::string_view text) {
  for (std::string_view family : {"inet:", "inet6:", "unix:"}) {
    if (text.substr(0, family.size()) == family) return std::string(text);
  }
  if (!text.empty() && text.front() == '[') return "inet6:" + std::string(text);
  if (!text.empty() && text.front() == '/') return "unix:" + std::string(text);
  if (std::count(text.begin(), text.end(), ':') == 1) return "inet:" + std::string(text);
  return std::string(text);
}

std::optional<Error> set_named(Call& call, std::string_view name, std::string_view value) {
  if (name == "filename" || name == "filename[0]" || name == "filename[1]") {
    auto p = normal_path(value, name);
    if (!p) return p.take_error();
    (name == "filename[1]" ? call.filename1 : call.filename) = *p;
  } else if (name == "argv") {
    call.argv.clear();
    size_t i = 0;
    while (i <= value.size()) {
      const size_t end = std::min(value.find(' ', i), value.size());
      if (end > i) call.argv.emplace_back(value.substr(i, end - i));
      i = end + 1;
    }
  } else if (name == "sockaddr") {
    call.sockaddr = address_text(value);
  } else if (name == "oflags") {
    auto f = parse_oflags(value);
    if (!f) return f.take_error();
    call.oflags = *f;
  } else if (name == "mode") {
    auto m = parse_number(value, 8, "mode");
    if (!m) return m.take_error();
    call.mode = static_cast<unsigned>(*m);
  } else if (name == "uid" || name == "gid") {
    auto n = parse_number(value, 10, name);
    if (!n) return n.take_error();
    (name == "uid" ? call.uid : call.gid) = *n;
  } else {
    return make_error(
        "unknown argument '" + std::string(name) +
        "' (expected filename, filename[1], argv, sockaddr, oflags, mode, uid or gid)");
  }
  return std::nullopt;
}

}  // namespace

Result<Call> call_from_words(const std::string& syscall, const std::vector<std::string>& args) {
  Call call;
  std::string name = syscall;
  for (const auto& ex : kAliasExamples) {
    if (ex.alias == syscall) {
      name = std::string(ex.syscall);
      if (ex.oflags >= 0) call.oflags = ex.oflags;
    }
  }
  auto nr = syscall_number(name);
  if (!nr) return make_error("unknown syscall or alias '" + syscall + "'");
  call.syscall = *nr;
  if (operands_of(*nr).oflags && !call.oflags) call.oflags = O_RDONLY;

  const Access access = access_of(*nr, call.oflags);
  int positional = 0;
  for (const auto& arg : args) {
    const size_t eq = arg.find('=');
    const bool exec_argument = access == Access::exec && positional > 0;  // "env FOO=bar" is argv
    if (!exec_argument && eq != std::string::npos && eq > 0 && arg[0] != '/') {
      if (auto err = set_named(call, std::string_view(arg).substr(0, eq),
                               std::string_view(arg).substr(eq + 1))) {
        return *err;
      }
      continue;
    }
    if (access == Access::exec) {
      // exec PROGRAM ARGS...: the program is filename and argv[0], the rest argv[1..].
      if (positional++ == 0) {
        auto p = normal_path(arg, "the program");
        if (!p) return p.take_error();
        call.filename = *p;
        call.argv.push_back(*p);
      } else {
        call.argv.push_back(arg);
      }
      continue;
    }
    if (access == Access::connect || access == Access::bind) {
      call.sockaddr = address_text(arg);
      continue;
    }
    if (positional > 1) return make_error("too many arguments: '" + arg + "'");
    auto p = normal_path(arg, positional == 0 ? "filename" : "filename[1]");
    if (!p) return p.take_error();
    (positional++ == 0 ? call.filename : call.filename1) = *p;
  }
  return call;
}

std::string describe_call(const Call& call) {
  std::string out = syscall_name(call.syscall);
  if (call.filename) out += " filename=\"" + *call.filename + "\"";
  if (call.filename1) out += " filename[1]=\"" + *call.filename1 + "\"";
  if (!call.argv.empty()) {
    out += " argv=\"";
    for (size_t i = 0; i < call.argv.size(); ++i) out += (i ? " " : "") + call.argv[i];
    out += "\"";
  }
  if (call.sockaddr) out += " sockaddr=\"" + *call.sockaddr + "\"";
  if (call.oflags) out += " oflags=" + format_oflags(*call.oflags);
  if (call.mode) out += " mode=" + format_mode(*call.mode);
  if (call.uid) out += " uid=" + std::to_string(*call.uid);
  if (call.gid) out += " gid=" + std::to_string(*call.gid);
  return out;
}

std::string decision_source(const Plan& plan, const CommandPolicy& policy, const Decision& d) {
  if (d.rule == "default") return "";
  for (const RuleSet* rs : {&policy.own_rules(), &policy.default_rules()}) {
    for (const auto& r : rs->rules()) {
      if (r.origin == d.rule) return r.source;
    }
  }
  for (const CompactList* list :
       {&policy.read(), &policy.write(), &policy.exec(), &policy.connect(), &policy.bind()}) {
    for (uint32_t i = 0; i < list->entries().size(); ++i) {
      if (list->origin(i) == d.rule) return "list entry " + list->entries()[i].text;
    }
  }
  for (const auto& c : plan.commands()) {
    if (c->origin() == d.rule) return "command " + c->key();
  }
  return "";
}

std::string summarize(const Plan& plan) {
  std::string out;
  const auto& s = plan.session();
  out += "files:    ";
  for (size_t i = 0; i < plan.files().size(); ++i) out += (i ? ", " : "") + plan.files()[i];
  out += "\nmode:     " + std::string(mode_name(s.mode));
  const CommandPolicy& login = plan.login();
  auto counts = [](const CommandPolicy& p) {
    return "read " + std::to_string(p.read().entries().size()) + ", write " +
           std::to_string(p.write().entries().size()) + ", exec " +
           std::to_string(p.exec().entries().size()) + ", connect " +
           std::to_string(p.connect().entries().size()) + ", bind " +
           std::to_string(p.bind().entries().size());
  };
  out += "\ndefaults: " + counts(login) + "; " + std::to_string(login.default_rules().size()) +
         " rules";
  size_t own_rules = 0, with_rules = 0;
  for (const auto& c : plan.commands()) {
    own_rules += c->own_rules().size();
    with_rules += c->own_rules().size() ? 1 : 0;
  }
  out += "\ncommands: " + std::to_string(plan.commands().size()) + " (" +
         std::to_string(with_rules) + " with rules of their own, " + std::to_string(own_rules) +
         " rules)\n";
  return out;
}

}  // namespace stsh::policy
