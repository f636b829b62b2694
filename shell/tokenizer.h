// The shell tokenizer: splits source text into words and operators. Tokens are source ranges;
// the parser turns a word's range into a Word (shell/word_parser.h). The tokenizer knows enough
// of the word syntax to find where a word ends: quotes, backslashes, $'…', ${…}, $(…) (by
// tokenizing the inside recursively) and `…`.
//
// Here-documents: after the newline that ends a line holding `<<WORD`, the tokenizer reads the
// bodies (in order) up to their terminator lines and emits one heredoc_body token per body right
// after that newline token. tokenize() attaches each body to its `<<` token instead.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "shell/ast.h"

namespace stsh::shell {

enum class TokenKind : uint8_t {
  word,
  redirection,     // an operator with its optional fd prefix: 2>, <<, &>>, …
  pipe,            // |
  pipe_ampersand,  // |& (reported as unsupported by the parser)
  and_if,          // &&
  or_if,           // ||
  semicolon,       // ;
  ampersand,       // &
  newline,         // an unquoted newline
  lparen,          // (
  rparen,          // )
  heredoc_body,    // only from Tokenizer::next(), never in tokenize()'s result
  end,             // end of the range
  error,           // see Token::error
};

enum class RedirectionOp : uint8_t {
  less,        // <
  great,       // >
  dgreat,      // >>
  clobber,     // >|
  lessgreat,   // <>
  lessand,     // <&
  greatand,    // >&
  and_great,   // &>
  and_dgreat,  // &>>
  dless,       // <<
  dless_dash,  // <<-
  tless,       // <<<
};

enum class TokenizerError : uint8_t {
  none,
  // Incomplete input: more lines could complete it.
  unterminated_single_quote,
  unterminated_double_quote,
  unterminated_ansi_quote,
  unterminated_backquote,
  unterminated_command_substitution,
  unterminated_parameter,
  unterminated_arithmetic,
  trailing_backslash,
  unterminated_heredoc,
  // Errors.
  heredoc_without_body,  // `$(cat <<EOF)`: the substitution ends before the body starts
  fd_out_of_range,
  nesting_too_deep,
};

// True for the errors that more input could resolve.
[[nodiscard]] bool is_incomplete(TokenizerError error);
// "unterminated double quote", …
[[nodiscard]] std::string_view describe(TokenizerError error);

// The largest descriptor number accepted before a redirection operator.
inline constexpr int kMaxRedirectionFd = 255;
// How deeply $(…) and `…` may nest.
inline constexpr int kMaxNesting = 64;

struct Token {
  TokenKind kind = TokenKind::end;
  SourceRange range;  // for errors: where the offending construct starts (length 1)
  TokenizerError error = TokenizerError::none;
  // Redirections.
  RedirectionOp op = RedirectionOp::less;
  int fd = -1;  // the digits before the operator, -1 without
  // Here-documents (heredoc_body tokens, and `<<` tokens after tokenize()).
  SourceRange heredoc_body;  // from the line after the command to the terminator line
  std::string heredoc_delimiter;
  bool heredoc_quoted = false;
  bool heredoc_strip_tabs = false;
};

class Tokenizer {
 public:
  // Tokenizes source[begin, end). `depth` counts the enclosing command substitutions.
  Tokenizer(std::string_view source, size_t begin, size_t end, int depth = 0);

  // The next token; after `end` or `error`, the same again.
  Token next();

  // The offset past the ${...}, $((...)) or $(...) at `dollar`; npos if unterminated.
  size_t skip_dollar_from(size_t dollar, bool in_double_quotes) {
    return skip_dollar(dollar, in_double_quotes);
  }

  // Here-documents announced but whose bodies have not started (no newline since).
  [[nodiscard]] bool heredocs_pending() const { return !pending_.empty(); }

 private:
  struct PendingHeredoc {
    std::string delimiter;
    bool quoted = false;
    bool strip_tabs = false;
    size_t op_offset = 0;  // where the << is, for messages
  };

  Token scan_operator();
  Token scan_word();
  void skip_blanks_and_comments();
  void read_heredoc_bodies();
  Token error_at(size_t offset, TokenizerError error);

  // Each returns the offset just past the construct starting at `pos`, or sets failure_.
  size_t skip_single_quoted(size_t pos);
  size_t skip_double_quoted(size_t pos);
  size_t skip_ansi_quoted(size_t pos);
  size_t skip_backquoted(size_t pos);
  size_t skip_dollar(size_t pos, bool in_double_quotes);
  size_t skip_braced(size_t pos, bool in_double_quotes);
  size_t skip_arithmetic(size_t pos);
  size_t skip_command_substitution(size_t pos);
  size_t fail(size_t offset, TokenizerError error);

  std::string_view src_;
  size_t pos_;
  size_t end_;
  int depth_;
  bool expect_delimiter_ = false;  // the previous token was << or <<-
  bool strip_tabs_ = false;
  size_t delimiter_op_offset_ = 0;
  std::deque<PendingHeredoc> pending_;
  std::deque<Token> queued_;  // heredoc_body tokens waiting to be returned
  Token failure_;             // set when a skip_* function fails
  bool done_ = false;
  Token last_;
};

struct TokenizeResult {
  std::vector<Token> tokens;  // ends with an `end` or an `error` token
};

// All tokens of source[begin, end), here-document bodies attached to their `<<` tokens.
[[nodiscard]] TokenizeResult tokenize(std::string_view source, size_t begin, size_t end,
                                      int depth = 0);

// The end of the $(…) whose "$(" starts at `dollar`: the offset of its ')' , or the error token.
// Used by the word parser to find the substitution's inside again.
struct SubstitutionEnd {
  size_t close = 0;  // offset of the matching ')'
  Token error;       // kind == error on failure
};
[[nodiscard]] SubstitutionEnd find_substitution_end(std::string_view source, size_t dollar,
                                                    size_t end, int depth);

// The here-document delimiter spelled by a word: its text after quote removal, and whether any
// of it was quoted ('EOF', "EOF", \EOF, E"O"F).
struct HeredocDelimiter {
  std::string text;
  bool quoted = false;
};
[[nodiscard]] HeredocDelimiter heredoc_delimiter(std::string_view word);

}  // namespace stsh::shell
