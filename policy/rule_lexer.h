// Tokenizer for rule expressions: `filename eq "/etc/shadow" then deny[eperm] log`.
// Tokens are source ranges (byte offset and length into the rule text) plus their value.
// Errors are values with an offset; the lexer never throws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stsh::policy {

enum class TokenKind : uint8_t {
  identifier,  // [A-Za-z_][A-Za-z0-9_]*: keywords, operands, operators, errno names
  string,      // "..." with \" and \\ escapes
  integer,     // [0-9]+
  lparen,
  rparen,
  lbracket,
  rbracket,
  end,    // after the last token; offset == text size
  error,  // the text the lexer could not read; always last, LexResult::error says why
};

struct Token {
  TokenKind kind = TokenKind::end;
  size_t offset = 0;  // first byte in the rule text
  size_t length = 0;  // bytes in the rule text (a string's quotes and escapes included)
  std::string value;  // a string's unescaped contents; otherwise the token's text
};

enum class LexErrorCode : uint8_t { unterminated_string, unknown_escape, unexpected_character };

struct LexError {
  LexErrorCode code = LexErrorCode::unexpected_character;
  size_t offset = 0;    // where the message should point
  std::string message;  // "unterminated string", "unknown escape '\q' in string", ...
};

struct LexResult {
  // Ends with an `end` token, or, when the text has an error, with an `error` token at it (so a
  // parser meets the error in reading order and an earlier syntax error is reported first).
  std::vector<Token> tokens;
  std::optional<LexError> error;

  bool ok() const { return !error.has_value(); }
};

LexResult tokenize(std::string_view text);

// The offset in `text` of byte `value_index` of the unescaped value of the string literal whose
// opening quote is at `literal_offset` (value_index == value size: the closing quote). Lets a
// later stage point at, say, the `$` of an unknown variable despite escapes before it.
size_t string_value_offset(std::string_view text, size_t literal_offset, size_t value_index);

// How a byte is shown in a message: itself if printable ASCII, else "\xNN".
std::string display_char(char c);

}  // namespace stsh::policy
