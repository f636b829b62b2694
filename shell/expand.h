// Word expansion: turns the Words of the AST into strings, in bash's order:
//   1. tilde expansion (~ is ExpansionContext::home()),
//   2. parameter expansion and command substitution (trailing newlines of the output removed),
//   3. field splitting of the results of unquoted expansions by IFS (XCU 2.6.5: unset IFS is
//      space, tab, newline; runs of IFS white space are one separator and vanish at the ends;
//      each other IFS character delimits a field; empty IFS splits nothing),
//   4. pathname expansion of fields holding unquoted *, ? or [...] (shell/glob.h); the
//      results of unquoted expansions are globbed too, like bash; no match keeps the field,
//   5. quote removal (already done by the parser: parts hold unquoted text).
// An unquoted expansion that yields nothing removes the word ("$EMPTY" or '' keep an empty
// argument). Unset variables expand to nothing, or are an error under `set -u`.
// Parameters: the ${NAME...} forms of XCU 2.6.2, $@ and $* (with "$@" one field per
// positional parameter), $((...)) through shell/arithmetic.h.
//
// Single-string expansion (assignments, redirection targets, here-documents and here-strings)
// does steps 1, 2 and 5 only: no field splitting and no globbing, so `>*.txt` creates a file
// named "*.txt" and A=$B keeps B's spaces. The executor needs nothing else to rule on.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/result.h"
#include "shell/ast.h"
#include "shell/glob.h"

namespace stsh::shell {

// What expansion needs from the shell; the executor implements it, tests fake it.
class ExpansionContext {
 public:
  virtual ~ExpansionContext() = default;

  // A variable's value, or nullopt if unset. Also asked for the special parameters "$", "#",
  // "!" and the positional "0", "1", …
  virtual std::optional<std::string> variable(std::string_view name) = 0;
  // The status of the last command, for $?.
  virtual int last_status() = 0;
  // The current user's home directory, for ~.
  virtual std::string home() = 0;
  // Runs `program` (confined, like any command) and returns its standard output; the trailing
  // newlines are removed by the caller. An Error stops the expansion and is returned from it.
  virtual Result<std::string> command_substitution(const Program& program) = 0;
  // The names in a directory ("." is the current one), "." and ".." excluded; nullopt when it
  // does not exist, is no directory, or the user's policy does not allow listing it.
  virtual std::optional<std::vector<std::string>> list_directory(const std::string& dir) = 0;
  // $1, $2, ... for $@ and $*.
  virtual std::vector<std::string> positional_parameters() { return {}; }
  // ${NAME=word} and arithmetic assignments; an error for a read-only variable.
  virtual Status assign(const std::string& name, const std::string& value) {
    (void)value;
    return make_error(name + ": cannot assign here");
  }
  // set -u: expanding an unset parameter is an error.
  virtual bool nounset() { return false; }
  // Told before the error of ${x?word} or set -u is returned: XCU 2.8.1 ends a
  // non-interactive shell there.
  virtual void on_fatal_expansion_error() {}
};

// The argv of a command (or any word list): every word expanded, split and globbed in order.
[[nodiscard]] Result<std::vector<std::string>> expand_words(const std::vector<Word>& words,
                                                            ExpansionContext& context);

// One string: tilde, parameters, command substitution; no splitting, no globbing.
[[nodiscard]] Result<std::string> expand_word_single(const Word& word, ExpansionContext& context);

// A pattern (case items): expanded as one string, its unquoted characters active.
[[nodiscard]] Result<GlobPattern> expand_pattern(const Word& word, ExpansionContext& context);

}  // namespace stsh::shell
