// Parser for one `rules:` entry's value: `<expression> then <action>`, e.g.
//   not (filename inpath "/home" or argv[1] re "^-") then deny[eacces] log
// A recursive descent over the tokens of rule_lexer.h. Variables are not expanded and globs are
// not checked here (later stages do both, using the offsets kept in each Predicate); `re`
// patterns are compiled once to reject invalid ones early.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "policy/result.h"
#include "policy/rule_ast.h"

namespace stsh::policy {

// `origin` is where the first byte of `text` sits in the policy file. Errors point at
// origin.line and origin.column + offset (lines and columns advance past newlines in `text`).
// The first error wins.
Result<ParsedRule> parse_rule(std::string_view text, const SourceLocation& origin);

// The location of byte `offset` of `text`, given where `text` starts. Columns count bytes.
// An origin without a line (line == 0) is returned unchanged.
SourceLocation locate(const SourceLocation& origin, std::string_view text, size_t offset);

// Canonical text for a parsed rule; parsing it again gives the same tree. For messages, the
// explain tool and tests: `not (filename inpath "/home" or argv[1] re "^-") then kill log`.
std::string format_expr(const Expr& e);
std::string format_action(const Action& a);  // "permit", "deny[EACCES] log", "kill"
std::string format_rule(const ParsedRule& r);

}  // namespace stsh::policy
