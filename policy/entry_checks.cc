#include "policy/entry_checks.h"

#include <regex.h>

#include <array>

#include "policy/address.h"
#include "policy/dangerous_syscalls.h"
#include "policy/glob.h"
#include "policy/paths.h"
#include "policy/suggest.h"

namespace stsh::policy {
namespace {

// `..` and `.` components would never match a canonical path; say so instead of never matching.
std::optional<TextError> check_components(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const size_t end = std::min(text.find('/', i), text.size());
    const std::string_view part = text.substr(i, end - i);
    if (part == "." || part == "..") {
      return TextError{
          i, "'" + std::string(part) +
                 "' is not allowed in a path pattern (paths are matched in canonical form)"};
    }
    i = end + 1;
  }
  return std::nullopt;
}

// Duplicate slashes and a trailing slash would never match a canonical path: drop them.
void squeeze_slashes(std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '/' && !out.empty() && out.back() == '/') continue;
    out += c;
  }
  if (out.size() > 1 && out.back() == '/') out.pop_back();
  text = std::move(out);
}

// "~" means nothing to the kernel or to stsh; the admin meant the user's home.
std::optional<TextError> tilde_error(std::string_view text) {
  if (text.empty() || text.front() != '~') return std::nullopt;
  const size_t slash = text.find('/');
  if (slash != 1 && slash != std::string_view::npos) {
    return TextError{0, "'~' is not expanded in a policy; write an absolute path ($HOME is the "
                        "user's home)"};
  }
  const std::string rest(slash == std::string_view::npos ? "" : text.substr(slash));
  return TextError{0, "'~' is not expanded in a policy; write '$HOME" + rest + "'"};
}

std::optional<TextError> check_path_glob(std::string& text, bool require_absolute) {
  if (require_absolute) {
    if (auto err = tilde_error(text)) return err;
  }
  if (auto err = validate_glob(text, require_absolute)) return TextError{err->offset, err->message};
  if (require_absolute) {
    if (auto err = check_components(text)) return err;
    squeeze_slashes(text);
  }
  return std::nullopt;
}

std::vector<std::string_view> target_candidates() {
  std::vector<std::string_view> out(alias_names().begin(), alias_names().end());
  static const std::vector<std::string> names = all_syscall_names();
  for (const auto& n : names) out.push_back(n);
  return out;
}

bool member_has(const AliasMember& m, Operand op, int index) {
  const Operands ops = operands_of(m.nr);
  switch (op) {
    case Operand::filename:
      return index == 1 ? ops.filename1 : ops.filename;
    case Operand::argv:
      return ops.argv;
    case Operand::sockaddr:
      return ops.sockaddr;
    case Operand::oflags:
      return ops.oflags;
    case Operand::mode:
      return ops.mode;
    case Operand::uid:
      return ops.uid;
    case Operand::gid:
      return ops.gid;
  }
  return false;
}

}  // namespace

std::optional<TextError> check_list_entry(ListKind kind, std::string& text) {
  if (text.empty()) return TextError{0, "empty entry"};
  switch (kind) {
    case ListKind::path:
      return check_path_glob(text, /*require_absolute=*/true);
    case ListKind::exec:
      if (text == kCommandsToken) return std::nullopt;
      if (text.front() == '@')
        return TextError{0, "unknown exec entry '" + text + "' (the only @ entry is @commands)"};
      return check_path_glob(text, /*require_absolute=*/true);
    case ListKind::address: {
      auto parsed = parse_address_pattern(text);
      if (!parsed) return TextError{parsed.error().offset, parsed.error().message};
      if (text.rfind("unix:@", 0) == 0) {
        std::string name = text.substr(5);
        if (auto err = validate_glob(name, /*require_absolute=*/false))
          return TextError{5 + err->offset, err->message};
      } else if (text.rfind("unix:", 0) == 0) {
        std::string path = text.substr(5);
        if (auto err = check_path_glob(path, /*require_absolute=*/true))
          return TextError{5 + err->offset, err->message};
        text = "unix:" + path;
      }
      return std::nullopt;
    }
  }
  return std::nullopt;
}

std::optional<TextError> check_include_path(std::string_view text) {
  if (text.empty()) return TextError{0, "empty include path"};
  if (text.front() == '/')
    return TextError{0, "include paths are relative to the policy directory, not absolute"};
  size_t i = 0;
  while (i <= text.size()) {
    const size_t end = std::min(text.find('/', i), text.size());
    if (text.substr(i, end - i) == "..")
      return TextError{i, "include paths may not leave the policy directory ('..')"};
    i = end + 1;
  }
  return std::nullopt;
}

Result<RuleTarget> resolve_rule_target(std::string_view name) {
  RuleTarget t;
  t.name = std::string(name);
  if (auto members = alias_members(name)) {
    t.is_alias = true;
    t.members.assign(members->begin(), members->end());
    return t;
  }
  auto nr = syscall_number(name);
  if (!nr) {
    std::string msg = "unknown syscall or alias '" + t.name + "'";
    static const std::vector<std::string_view> candidates = target_candidates();
    if (auto near = nearest(name, candidates))
      msg += " (did you mean '" + std::string(*near) + "'?)";
    return make_error(msg);
  }
  // The open family appears in fsread and fswrite alike: a rule on the bare name covers both.
  bool both = false;
  const auto fsread = *alias_members("fsread");
  for (const auto& m : fsread) both = both || m.nr == *nr;
  if (both) {
    t.members.push_back({*nr, Access::read});
    t.members.push_back({*nr, Access::write});
  } else {
    t.members.push_back({*nr, access_of(*nr, std::nullopt)});
  }
  return t;
}

bool is_never_permitted(std::string_view name) {
  const DangerousSyscall* d = find_dangerous_syscall(name);
  // Only whole denials: for the others (clone, ioctl, ...) the dangerous arguments stay
  // denied in the kernel and a permit rule governs the rest.
  return d != nullptr && d->scope == DenyScope::kWhole;
}

bool target_has_operand(const RuleTarget& target, Operand op, int index) {
  for (const auto& m : target.members) {
    if (member_has(m, op, index)) return true;
  }
  return false;
}

std::string operand_missing_message(const RuleTarget& target, Operand op, int index) {
  std::string name(operand_name(op));
  if ((op == Operand::filename && index == 1) || (op == Operand::argv && index >= 0)) {
    name += "[" + std::to_string(index) + "]";
  }
  std::string have;
  for (Operand o : {Operand::filename, Operand::argv, Operand::sockaddr, Operand::oflags,
                    Operand::mode, Operand::uid, Operand::gid}) {
    if (target_has_operand(target, o, 0))
      have += (have.empty() ? "" : ", ") + std::string(operand_name(o));
  }
  if (target_has_operand(target, Operand::filename, 1)) have += ", filename[1]";
  return "'" + target.name + "' has no operand " + name +
         " (it has: " + (have.empty() ? "none" : have) + ")";
}

std::optional<TextError> check_predicate_value(Predicate& p) {
  const bool is_path = p.operand == Operand::filename;
  if (p.op == Op::re) {
    // Checked again after variables are expanded: a '(' in a home directory must not leave an
    // invalid expression for the enforcer to evaluate.
    regex_t re;
    const int rc = regcomp(&re, p.value.c_str(), REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
      char msg[256];
      regerror(rc, &re, msg, sizeof msg);
      return TextError{0,
                       "invalid regular expression after expanding variables: " + std::string(msg)};
    }
    regfree(&re);
  } else if (p.op == Op::match) {
    std::string pattern = p.value;
    if (auto err = check_path_glob(pattern, /*require_absolute=*/is_path)) return err;
    p.value = std::move(pattern);
  } else if (is_path && (p.op == Op::eq || p.op == Op::neq || p.op == Op::inpath)) {
    if (auto err = tilde_error(p.value)) return err;
    if (p.value.empty() || p.value.front() != '/')
      return TextError{0,
                       "a filename is compared in canonical absolute form; write an absolute path"};
    if (auto err = check_components(p.value)) return err;
    squeeze_slashes(p.value);
  }
  return std::nullopt;
}

}  // namespace stsh::policy
