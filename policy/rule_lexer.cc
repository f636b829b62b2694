#include "policy/rule_lexer.h"

#include <cstdio>

namespace stsh::policy {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_ident_char(char c) {
  return is_ident_start(c) || is_digit(c);
}

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  LexResult run() {
    LexResult result;
    while (true) {
      while (pos_ < text_.size() && is_space(text_[pos_])) ++pos_;
      if (pos_ == text_.size()) {
        result.tokens.push_back(Token{TokenKind::end, pos_, 0, {}});
        return result;
      }
      Token token;
      if (std::optional<LexError> error = next(token)) {
        result.tokens.push_back(Token{TokenKind::error, token.offset, token.length,
                                      std::string(text_.substr(token.offset, token.length))});
        result.error = std::move(error);
        return result;
      }
      result.tokens.push_back(std::move(token));
    }
  }

 private:
  // Reads one token at pos_ (not whitespace, not the end) into `token`. On error `token` holds
  // the offending range.
  std::optional<LexError> next(Token& token) {
    const size_t start = pos_;
    token.offset = start;
    const char c = text_[pos_];
    if (c == '"') return string(token);
    if (is_ident_start(c) || is_digit(c)) {
      bool (*const accept)(char) = is_digit(c) ? is_digit : is_ident_char;
      while (pos_ < text_.size() && accept(text_[pos_])) ++pos_;
      token.kind = is_digit(c) ? TokenKind::integer : TokenKind::identifier;
      token.length = pos_ - start;
      token.value = std::string(text_.substr(start, token.length));
      return std::nullopt;
    }
    switch (c) {
      case '(':
        token.kind = TokenKind::lparen;
        break;
      case ')':
        token.kind = TokenKind::rparen;
        break;
      case '[':
        token.kind = TokenKind::lbracket;
        break;
      case ']':
        token.kind = TokenKind::rbracket;
        break;
      default:
        token.length = 1;
        return LexError{LexErrorCode::unexpected_character, start,
                        "unexpected character '" + display_char(c) + "'"};
    }
    ++pos_;
    token.length = 1;
    token.value = std::string(1, c);
    return std::nullopt;
  }

  std::optional<LexError> string(Token& token) {
    const size_t start = pos_++;  // the opening quote
    token.kind = TokenKind::string;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '"') {
        ++pos_;
        token.length = pos_ - start;
        return std::nullopt;
      }
      if (c == '\0') {
        // regcomp() and the C library would silently cut the value here.
        token.length = pos_ + 1 - start;
        return LexError{LexErrorCode::unexpected_character, pos_,
                        "unexpected character '\\x00' in string"};
      }
      if (c == '\\') {
        if (pos_ + 1 == text_.size()) break;  // a lone backslash at the end: unterminated
        const char escaped = text_[pos_ + 1];
        if (escaped != '"' && escaped != '\\') {
          token.length = pos_ + 2 - start;
          return LexError{LexErrorCode::unknown_escape, pos_,
                          "unknown escape '\\" + display_char(escaped) + "' in string"};
        }
        token.value += escaped;
        pos_ += 2;
        continue;
      }
      token.value += c;
      ++pos_;
    }
    pos_ = text_.size();
    token.length = pos_ - start;
    return LexError{LexErrorCode::unterminated_string, start, "unterminated string"};
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

LexResult tokenize(std::string_view text) {
  return Lexer(text).run();
}

std::string display_char(char c) {
  if (c >= 0x20 && c < 0x7f) return std::string(1, c);
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "\\x%02x", static_cast<unsigned char>(c));
  return buffer;
}

size_t string_value_offset(std::string_view text, size_t literal_offset, size_t value_index) {
  size_t pos = literal_offset + 1;  // past the opening quote
  for (size_t i = 0; i < value_index && pos < text.size() && text[pos] != '"'; ++i)
    pos += text[pos] == '\\' ? 2 : 1;
  return pos < text.size() ? pos : text.size();
}

}  // namespace stsh::policy
