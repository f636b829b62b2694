// Shared between parser.cc and word_parser.cc; not part of the public API.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "shell/ast.h"
#include "shell/tokenizer.h"

namespace stsh::shell::detail {

struct SyntaxError {
  size_t offset = 0;  // into ParseContext::source
  std::string message;
  bool incomplete = false;  // more input could make it parse
};

template <typename T>
class [[nodiscard]] Parsed {
 public:
  Parsed(T value) : value_(std::move(value)) {}            // NOLINT: implicit by design
  Parsed(SyntaxError error) : error_(std::move(error)) {}  // NOLINT
  [[nodiscard]] bool ok() const { return value_.has_value(); }
  T& value() { return *value_; }
  SyntaxError& error() { return error_; }

 private:
  std::optional<T> value_;
  SyntaxError error_;
};

struct ParseContext {
  std::shared_ptr<const std::string> source;
  int depth = 0;  // enclosing command substitutions
  // The whole input, whose end may be followed by more lines. False inside $(...), `...` and
  // here-document bodies, where running out of text is an error.
  bool top_level = true;
  // How the end of the range is named in messages: "end of input", "')'", ...
  const char* end_name = "end of input";
};

enum class WordMode : uint8_t {
  command,                  // an ordinary word: quotes, escapes, $..., ~ at the start
  assignment_value,         // after NAME=: also ~ after each unquoted ':'
  heredoc_body,             // a here-document body with expansions: only $, ` and \ are special
  heredoc_body_strip_tabs,  // the same for <<-: leading tabs of each line removed
  // The word of ${NAME-word} inside "...": as inside double quotes, but the text is left
  // unquoted (a pattern after % or # stays a pattern; the expander quotes the rest).
  parameter_operand_in_quotes,
  // The same after % or #: a backslash quotes any character, as in an unquoted pattern.
  parameter_pattern_in_quotes,
};

// The offset just past the ${...} or $((...)) starting at `dollar`, or npos when it does not
// end before `end`.
size_t find_dollar_end(std::string_view source, size_t dollar, size_t end, bool in_double_quotes);

// Parses source[range] (the text of one word token, or a here-document body) into a Word.
Parsed<Word> parse_word(const ParseContext& ctx, SourceRange range, WordMode mode);

// Parses source[begin, end) as a command list.
Parsed<std::shared_ptr<const Program>> parse_program_range(const ParseContext& ctx, size_t begin,
                                                           size_t end);

// Builds `r` for the redirection operator `op` and its target word (for here-documents, the
// delimiter word; the body comes with `op`).
std::optional<SyntaxError> build_redirection(const ParseContext& ctx, const Token& op,
                                             const Token& target, Redirection& r);

// The source text of a range or token.
std::string_view token_text(const ParseContext& ctx, SourceRange range);
std::string_view token_text(const ParseContext& ctx, const Token& token);

// How a token is named in messages: 'text' (cut after 20 characters), newline, end of input.
std::string describe(const ParseContext& ctx, const Token& token);

// The message for a tokenizer error token, incomplete only at the top level.
SyntaxError tokenizer_failure(const ParseContext& ctx, const Token& token);

}  // namespace stsh::shell::detail
