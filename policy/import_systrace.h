// stsh-policy import: systrace(1) policy files -> one stsh policy (YAML), with a report of
// what each source line became. Pure: text in, text out; the front end reads the files.
//
// The systrace grammar, as its manual documents it and its parser reads it:
//   Policy: PATH, Emulation: NAME              one per binary; a file without one is a fragment
//   [EMULATION-]SYSCALL: FILTER                native-fsread: ..., linux-open: ...
//   FILTER  := "permit" | "deny" | "deny[" errno "]" | "permit-now" | "deny-now"   (simple)
//            | expression "then" action [ "[" word "]" ] [ "log" ] [ elevate ] [ predicate ]
//   expression := symbol | "not" expression | "(" expression ")"
//               | expression "and" expression | expression "or" expression
//   symbol  := NAME [ "[" N "]" ] (match|eq|neq|sub|nsub|inpath|re) "STRING" | "true"
//   action  := "permit" | "deny" | "ask"
//   elevate := "as" user | "as" user ":" group | "as" ":" group
//   predicate := ", if" ("user"|"group") ("="|"!="|"<"|">") (number|name)
// and/or have one precedence and group to the right, and `not` takes everything after it
// (systrace's yacc grammar declares no precedence, so yacc shifts); the translation writes the
// grouping out with parentheses. `#` starts a comment outside strings.
#pragma once

#include <string>
#include <vector>

#include "policy/result.h"

namespace stsh::policy {

struct SourceText {
  std::string name;  // as given on the command line, used in messages
  std::string text;
};

struct ImportResult {
  std::string yaml;                 // the stsh policy
  std::vector<std::string> report;  // one line per source line, then a summary per file
  unsigned translated = 0;          // rules and headers written
  unsigned untranslated = 0;        // constructs reported as not translated
  unsigned notes = 0;               // lines left out with no loss (stsh does the same itself)
};

// Bad input (a line that is not systrace's grammar) is an error "file:line:col: what".
Result<ImportResult> import_systrace(const std::vector<SourceText>& files);

}  // namespace stsh::policy
