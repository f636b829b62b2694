// Text helpers for the tools that write policies and reports from untrusted text (import,
// report, learn): YAML scalars, literal path patterns, comments and terminal output that no
// byte of the input can break out of.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace stsh::policy::tools {

// Whether `s` is valid UTF-8 (no overlong forms, surrogates or code points past U+10FFFF).
bool valid_utf8(std::string_view s);

// `text` as a YAML double-quoted scalar, quotes included: '"' and '\' backslashed, control
// bytes, DEL, C1 controls and the code points that break or reorder lines (U+2028, bidi
// controls, BOM, ...) written as \xHH or \uXXXX. nullopt when `text` is not valid UTF-8: a
// policy file must be UTF-8, so such a value cannot be written into one at all.
std::optional<std::string> yaml_quoted(std::string_view text);

// A path taken literally as a compact-list pattern: the glob characters * ? [ ] \ are
// backslashed and '$' is doubled, so no byte of the path is read as a glob or a variable.
std::string literal_pattern(std::string_view path);

// A path or text taken literally inside a rule string: '$' doubled (the rule printer adds
// the backslashes for '"' and '\').
std::string literal_rule_value(std::string_view text);

// One line of printable text: control bytes, DEL, bytes that are not UTF-8 and deceptive
// code points are written \xHH, so the result is safe after '# ' in YAML and on a terminal.
std::string printable(std::string_view text);

// Canonical absolute path: starts with '/', no empty, '.' or '..' component, no trailing '/'
// (except "/" itself).
bool canonical_absolute(std::string_view path);

}  // namespace stsh::policy::tools
