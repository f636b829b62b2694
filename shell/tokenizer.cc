#include "shell/tokenizer.h"

#include "shell/parse_internal.h"

#include <string>

namespace stsh::shell {

namespace {

constexpr size_t kFailed = std::string::npos;

bool is_metachar(char c) {
  switch (c) {
    case ' ':
    case '\t':
    case '\n':
    case ';':
    case '&':
    case '|':
    case '<':
    case '>':
    case '(':
    case ')':
      return true;
    default:
      return false;
  }
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

Token make_token(TokenKind kind, size_t offset, size_t length) {
  Token t;
  t.kind = kind;
  t.range = {offset, length};
  return t;
}

}  // namespace

bool is_incomplete(TokenizerError error) {
  switch (error) {
    case TokenizerError::unterminated_single_quote:
    case TokenizerError::unterminated_double_quote:
    case TokenizerError::unterminated_ansi_quote:
    case TokenizerError::unterminated_backquote:
    case TokenizerError::unterminated_command_substitution:
    case TokenizerError::unterminated_parameter:
    case TokenizerError::unterminated_arithmetic:
    case TokenizerError::trailing_backslash:
    case TokenizerError::unterminated_heredoc:
      return true;
    default:
      return false;
  }
}

std::string_view describe(TokenizerError error) {
  switch (error) {
    case TokenizerError::none:
      return "no error";
    case TokenizerError::unterminated_single_quote:
      return "unterminated single quote";
    case TokenizerError::unterminated_double_quote:
      return "unterminated double quote";
    case TokenizerError::unterminated_ansi_quote:
      return "unterminated $'...' quote";
    case TokenizerError::unterminated_backquote:
      return "unterminated backquote";
    case TokenizerError::unterminated_command_substitution:
      return "unterminated command substitution $(...)";
    case TokenizerError::unterminated_parameter:
      return "unterminated ${...}";
    case TokenizerError::trailing_backslash:
      return "backslash at the end of the input";
    case TokenizerError::unterminated_heredoc:
      return "here-document not terminated";
    case TokenizerError::heredoc_without_body:
      return "here-document inside $(...) has no body before ')'";
    case TokenizerError::unterminated_arithmetic:
      return "unterminated $((...))";
    case TokenizerError::fd_out_of_range:
      return "file descriptor number out of range (0-255)";
    case TokenizerError::nesting_too_deep:
      return "command substitutions nested too deeply";
  }
  return "unknown error";
}

Tokenizer::Tokenizer(std::string_view source, size_t begin, size_t end, int depth)
    : src_(source), pos_(begin), end_(end < source.size() ? end : source.size()), depth_(depth) {}

Token Tokenizer::error_at(size_t offset, TokenizerError error) {
  Token t = make_token(TokenKind::error, offset, 1);
  t.error = error;
  return t;
}

size_t Tokenizer::fail(size_t offset, TokenizerError error) {
  failure_ = error_at(offset, error);
  return kFailed;
}

void Tokenizer::skip_blanks_and_comments() {
  while (pos_ < end_) {
    const char c = src_[pos_];
    if (c == ' ' || c == '\t') {
      ++pos_;
    } else if (c == '\\' && pos_ + 1 < end_ && src_[pos_ + 1] == '\n') {
      pos_ += 2;  // line continuation between words
    } else if (c == '#') {
      while (pos_ < end_ && src_[pos_] != '\n') ++pos_;
    } else {
      return;
    }
  }
}

Token Tokenizer::next() {
  if (!queued_.empty()) {
    Token t = std::move(queued_.front());
    queued_.pop_front();
    if (t.kind == TokenKind::error) {
      done_ = true;
      last_ = t;
    }
    return t;
  }
  if (done_) return last_;

  skip_blanks_and_comments();
  Token t;
  if (pos_ >= end_) {
    if (!pending_.empty()) {
      t = error_at(pending_.front().op_offset, TokenizerError::unterminated_heredoc);
    } else {
      t = make_token(TokenKind::end, end_, 0);
    }
  } else if (src_[pos_] == '\n') {
    t = make_token(TokenKind::newline, pos_, 1);
    ++pos_;
    if (!pending_.empty()) read_heredoc_bodies();
  } else if (is_metachar(src_[pos_]) || is_digit(src_[pos_])) {
    t = scan_operator();
  } else {
    t = scan_word();
  }

  if (t.kind == TokenKind::word && expect_delimiter_) {
    HeredocDelimiter d = heredoc_delimiter(src_.substr(t.range.offset, t.range.length));
    pending_.push_back({std::move(d.text), d.quoted, strip_tabs_, delimiter_op_offset_});
  }
  expect_delimiter_ = t.kind == TokenKind::redirection &&
                      (t.op == RedirectionOp::dless || t.op == RedirectionOp::dless_dash);
  if (expect_delimiter_) {
    strip_tabs_ = t.op == RedirectionOp::dless_dash;
    delimiter_op_offset_ = t.range.offset;
  }
  if (t.kind == TokenKind::end || t.kind == TokenKind::error) {
    done_ = true;
    last_ = t;
  }
  return t;
}

Token Tokenizer::scan_operator() {
  const size_t start = pos_;
  int fd = -1;
  if (is_digit(src_[pos_])) {
    size_t j = pos_;
    while (j < end_ && is_digit(src_[j])) ++j;
    if (j >= end_ || (src_[j] != '<' && src_[j] != '>')) return scan_word();
    long value = 0;
    for (size_t k = pos_; k < j; ++k) {
      value = value * 10 + (src_[k] - '0');
      if (value > kMaxRedirectionFd) return error_at(start, TokenizerError::fd_out_of_range);
    }
    fd = static_cast<int>(value);
    pos_ = j;
  }
  auto at = [&](size_t k, char c) { return pos_ + k < end_ && src_[pos_ + k] == c; };
  auto simple = [&](TokenKind kind, size_t length) {
    pos_ += length;
    return make_token(kind, start, pos_ - start);
  };
  auto redirection = [&](RedirectionOp op, size_t length) {
    Token t = simple(TokenKind::redirection, length);
    t.op = op;
    t.fd = fd;
    return t;
  };
  switch (src_[pos_]) {
    case '|':
      if (at(1, '|')) return simple(TokenKind::or_if, 2);
      if (at(1, '&')) return simple(TokenKind::pipe_ampersand, 2);
      return simple(TokenKind::pipe, 1);
    case '&':
      if (at(1, '&')) return simple(TokenKind::and_if, 2);
      if (at(1, '>') && at(2, '>')) return redirection(RedirectionOp::and_dgreat, 3);
      if (at(1, '>')) return redirection(RedirectionOp::and_great, 2);
      return simple(TokenKind::ampersand, 1);
    case ';':
      return simple(TokenKind::semicolon, 1);
    case '(':
      return simple(TokenKind::lparen, 1);
    case ')':
      return simple(TokenKind::rparen, 1);
    case '<':
      if (at(1, '<') && at(2, '<')) return redirection(RedirectionOp::tless, 3);
      if (at(1, '<') && at(2, '-')) return redirection(RedirectionOp::dless_dash, 3);
      if (at(1, '<')) return redirection(RedirectionOp::dless, 2);
      if (at(1, '>')) return redirection(RedirectionOp::lessgreat, 2);
      if (at(1, '&')) return redirection(RedirectionOp::lessand, 2);
      return redirection(RedirectionOp::less, 1);
    case '>':
      if (at(1, '>')) return redirection(RedirectionOp::dgreat, 2);
      if (at(1, '|')) return redirection(RedirectionOp::clobber, 2);
      if (at(1, '&')) return redirection(RedirectionOp::greatand, 2);
      return redirection(RedirectionOp::great, 1);
    default:
      return scan_word();  // not reached: callers check for a metacharacter
  }
}

Token Tokenizer::scan_word() {
  const size_t start = pos_;
  size_t i = pos_;
  while (i < end_ && !is_metachar(src_[i])) {
    switch (src_[i]) {
      case '\\':
        if (i + 1 >= end_) return error_at(i, TokenizerError::trailing_backslash);
        i += 2;
        break;
      case '\'':
        i = skip_single_quoted(i);
        break;
      case '"':
        i = skip_double_quoted(i);
        break;
      case '`':
        i = skip_backquoted(i);
        break;
      case '$':
        i = (i + 1 < end_ && src_[i + 1] == '\'') ? skip_ansi_quoted(i) : skip_dollar(i, false);
        break;
      default:
        ++i;
    }
    if (i == kFailed) return failure_;
  }
  pos_ = i;
  return make_token(TokenKind::word, start, i - start);
}

size_t Tokenizer::skip_single_quoted(size_t pos) {
  const size_t close = src_.find('\'', pos + 1);
  if (close == std::string_view::npos || close >= end_) {
    return fail(pos, TokenizerError::unterminated_single_quote);
  }
  return close + 1;
}

size_t Tokenizer::skip_ansi_quoted(size_t pos) {
  for (size_t i = pos + 2; i < end_; ++i) {
    if (src_[i] == '\\') {
      ++i;
    } else if (src_[i] == '\'') {
      return i + 1;
    }
  }
  return fail(pos, TokenizerError::unterminated_ansi_quote);
}

size_t Tokenizer::skip_double_quoted(size_t pos) {
  size_t i = pos + 1;
  while (i < end_) {
    switch (src_[i]) {
      case '"':
        return i + 1;
      case '\\':
        i += 2;
        break;
      case '`':
        i = skip_backquoted(i);
        break;
      case '$':
        i = skip_dollar(i, /* in_double_quotes= */ true);
        break;
      default:
        ++i;
    }
    if (i == kFailed) return kFailed;
  }
  return fail(pos, TokenizerError::unterminated_double_quote);
}

size_t Tokenizer::skip_backquoted(size_t pos) {
  for (size_t i = pos + 1; i < end_; ++i) {
    if (src_[i] == '\\') {
      ++i;
    } else if (src_[i] == '`') {
      return i + 1;
    }
  }
  return fail(pos, TokenizerError::unterminated_backquote);
}

size_t Tokenizer::skip_dollar(size_t pos, bool in_double_quotes) {
  if (pos + 1 >= end_) return pos + 1;
  if (src_[pos + 1] == '(') {
    if (pos + 2 < end_ && src_[pos + 2] == '(') return skip_arithmetic(pos);
    return skip_command_substitution(pos);
  }
  if (src_[pos + 1] == '{') return skip_braced(pos, in_double_quotes);
  return pos + 1;
}

// ${...}: up to the '}' that closes it, past quotes, nested ${...}, $(...) and `...`. Inside
// double quotes a single quote is an ordinary character ("${x:-don't}").
size_t Tokenizer::skip_braced(size_t pos, bool in_double_quotes) {
  size_t i = pos + 2;
  int braces = 0;
  while (i < end_) {
    const char c = src_[i];
    if (c == '}' && braces == 0) return i + 1;
    switch (c) {
      case '\\':
        i += 2;
        break;
      case '\'':
        i = in_double_quotes ? i + 1 : skip_single_quoted(i);
        break;
      case '"':
        i = skip_double_quoted(i);
        break;
      case '`':
        i = skip_backquoted(i);
        break;
      case '$':
        i = skip_dollar(i, in_double_quotes);
        break;
      case '{':
        ++braces;
        ++i;
        break;
      case '}':
        --braces;
        ++i;
        break;
      default:
        ++i;
    }
    if (i == kFailed) return kFailed;
  }
  return fail(pos, TokenizerError::unterminated_parameter);
}

// $((...)): up to the "))" that closes it; parentheses inside must balance.
size_t Tokenizer::skip_arithmetic(size_t pos) {
  size_t i = pos + 3;
  int parens = 0;
  while (i < end_) {
    const char c = src_[i];
    if (c == ')' && parens == 0) {
      if (i + 1 < end_ && src_[i + 1] == ')') return i + 2;
      return fail(pos, TokenizerError::unterminated_arithmetic);
    }
    switch (c) {
      case '\\':
        i += 2;
        break;
      case '(':
        ++parens;
        ++i;
        break;
      case ')':
        --parens;
        ++i;
        break;
      case '`':
        i = skip_backquoted(i);
        break;
      case '$':
        i = skip_dollar(i, /* in_double_quotes= */ true);
        break;
      default:
        ++i;
    }
    if (i == kFailed) return kFailed;
  }
  return fail(pos, TokenizerError::unterminated_arithmetic);
}

size_t Tokenizer::skip_command_substitution(size_t pos) {
  if (depth_ + 1 > kMaxNesting) return fail(pos, TokenizerError::nesting_too_deep);
  SubstitutionEnd found = find_substitution_end(src_, pos, end_, depth_);
  if (found.error.kind == TokenKind::error) {
    failure_ = std::move(found.error);
    return kFailed;
  }
  return found.close + 1;
}

SubstitutionEnd find_substitution_end(std::string_view source, size_t dollar, size_t end,
                                      int depth) {
  SubstitutionEnd result;
  Tokenizer inner(source, dollar + 2, end, depth + 1);
  int parens = 0;
  while (true) {
    Token t = inner.next();
    switch (t.kind) {
      case TokenKind::error:
        result.error = std::move(t);
        return result;
      case TokenKind::end:
        result.error = make_token(TokenKind::error, dollar, 2);
        result.error.error = TokenizerError::unterminated_command_substitution;
        return result;
      case TokenKind::lparen:
        ++parens;
        break;
      case TokenKind::rparen:
        if (parens > 0) {
          --parens;
          break;
        }
        if (inner.heredocs_pending()) {
          result.error = make_token(TokenKind::error, t.range.offset, 1);
          result.error.error = TokenizerError::heredoc_without_body;
          return result;
        }
        result.close = t.range.offset;
        return result;
      default:
        break;
    }
  }
}

}  // namespace stsh::shell

namespace stsh::shell::detail {

size_t find_dollar_end(std::string_view source, size_t dollar, size_t end, bool in_double_quotes) {
  Tokenizer t(source, dollar, end, 0);
  return t.skip_dollar_from(dollar, in_double_quotes);
}

}  // namespace stsh::shell::detail

namespace stsh::shell {

TokenizeResult tokenize(std::string_view source, size_t begin, size_t end, int depth) {
  TokenizeResult result;
  Tokenizer tokenizer(source, begin, end, depth);
  std::deque<size_t> waiting;  // indices of << tokens whose body has not come yet
  while (true) {
    Token t = tokenizer.next();
    if (t.kind == TokenKind::heredoc_body) {
      if (!waiting.empty()) {
        Token& op = result.tokens[waiting.front()];
        waiting.pop_front();
        op.heredoc_body = t.heredoc_body;
        op.heredoc_delimiter = std::move(t.heredoc_delimiter);
        op.heredoc_quoted = t.heredoc_quoted;
        op.heredoc_strip_tabs = t.heredoc_strip_tabs;
      }
      continue;
    }
    if (t.kind == TokenKind::word && !result.tokens.empty()) {
      const Token& prev = result.tokens.back();
      if (prev.kind == TokenKind::redirection &&
          (prev.op == RedirectionOp::dless || prev.op == RedirectionOp::dless_dash)) {
        waiting.push_back(result.tokens.size() - 1);
      }
    }
    const bool last = t.kind == TokenKind::end || t.kind == TokenKind::error;
    result.tokens.push_back(std::move(t));
    if (last) return result;
  }
}

}  // namespace stsh::shell
