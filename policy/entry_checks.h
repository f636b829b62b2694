// Validation of the small pieces of policy text: list entries, include paths, rule targets and
// rule operands. Pure functions; problems come back as TextError with an offset in the text.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/result.h"
#include "policy/rule_ast.h"
#include "policy/syscalls.h"
#include "policy/variables.h"

namespace stsh::policy {

enum class ListKind : uint8_t {
  path,     // read / write entries and command keys: absolute globs
  exec,     // a path glob or "@commands"
  address,  // connect / bind: inet:, inet6:, unix:
};

inline constexpr std::string_view kCommandsToken = "@commands";

// Validates `text` and rewrites it in its normal form (duplicate and trailing slashes removed).
std::optional<TextError> check_list_entry(ListKind kind, std::string& text);

// Include paths are relative to the policy directory and may not leave it.
std::optional<TextError> check_include_path(std::string_view text);

// What a rule applies to: a syscall name or an alias, as (syscall, access) members.
struct RuleTarget {
  std::string name;
  bool is_alias = false;
  std::vector<AliasMember> members;
};
Result<RuleTarget> resolve_rule_target(std::string_view name);

// Syscalls the kernel tier always denies; a rule may not permit them.
bool is_never_permitted(std::string_view syscall_name);

// Whether any member of the target has the operand (filename[1] is index 1).
bool target_has_operand(const RuleTarget& target, Operand op, int index);
std::string operand_missing_message(const RuleTarget& target, Operand op, int index);

// Checks a predicate's (already expanded) value: globs for `match`, absolute normal paths for
// eq/neq/inpath on filenames (normalized in place).
std::optional<TextError> check_predicate_value(Predicate& p);

}  // namespace stsh::policy
