// Turns the text of one word token (or a here-document body) into Word parts.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "shell/parse_internal.h"

namespace stsh::shell::detail {

namespace {

bool is_name_start(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}
bool is_name_char(char c) {
  return is_name_start(c) || (c >= '0' && c <= '9');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

class WordParser {
 public:
  WordParser(const ParseContext& ctx, SourceRange range, WordMode mode)
      : ctx_(ctx), src_(*ctx.source), begin_(range.offset), end_(range.end()), mode_(mode) {
    word_.range = range;
  }

  Parsed<Word> run() {
    const bool ok = (mode_ == WordMode::parameter_operand_in_quotes ||
                     mode_ == WordMode::parameter_pattern_in_quotes)
                        ? parse_operand_in_quotes()
                        : (mode_ == WordMode::command || mode_ == WordMode::assignment_value)
                        ? parse_unquoted()
                        : parse_heredoc_body();
    if (!ok) return std::move(error_);
    return std::move(word_);
  }

 private:
  bool fail(size_t offset, std::string message) {
    error_ = SyntaxError{offset, std::move(message), /* incomplete= */ false};
    return false;
  }

  template <typename Part>
  void add_part(Part&& part) {
    ++additions_;
    word_.parts.emplace_back(std::forward<Part>(part));
  }

  void add_literal(std::string_view text, bool quoted) {
    if (!text.empty()) ++additions_;
    if (!word_.parts.empty()) {
      if (auto* last = std::get_if<LiteralPart>(&word_.parts.back())) {
        if (last->quoted == quoted) {
          last->text += text;
          return;
        }
        // An empty "" only matters when nothing else gives the word text.
        if (text.empty() && quoted) return;
        if (last->text.empty() && last->quoted) {
          *last = LiteralPart{std::string(text), quoted};
          return;
        }
      }
    }
    word_.parts.push_back(LiteralPart{std::string(text), quoted});
  }

  // A '~' at `i` followed by '/' or the end (or ':' in an assignment value) is a TildePart.
  size_t tilde(size_t i) {
    if (i >= end_ || src_[i] != '~') return i;
    const size_t next = i + 1;
    if (next == end_ || src_[next] == '/' ||
        (mode_ == WordMode::assignment_value && src_[next] == ':')) {
      add_part(TildePart{});
      return next;
    }
    return i;
  }

  bool parse_unquoted() {
    size_t i = tilde(begin_);
    while (i < end_) {
      const char c = src_[i];
      if (c == '\\') {
        if (i + 1 >= end_)
          return fail(i, std::string(describe(TokenizerError::trailing_backslash)));
        if (src_[i + 1] != '\n') add_literal(src_.substr(i + 1, 1), /* quoted= */ true);
        i += 2;
      } else if (c == '\'') {
        const size_t close = src_.find('\'', i + 1);
        if (close == std::string_view::npos || close >= end_) {
          return fail(i, std::string(describe(TokenizerError::unterminated_single_quote)));
        }
        add_literal(src_.substr(i + 1, close - i - 1), /* quoted= */ true);
        i = close + 1;
      } else if (c == '"') {
        if (!parse_double_quoted(i, &i)) return false;
      } else if (c == '$' && i + 1 < end_ && src_[i + 1] == '\'') {
        if (!parse_ansi_quoted(i, &i)) return false;
      } else if (c == '$' && i + 1 < end_ && src_[i + 1] == '"') {
        ++i;  // $"..." (locale translation) is an ordinary double-quoted string here
      } else if (c == '$') {
        if (!parse_dollar(i, /* quoted= */ false, &i)) return false;
      } else if (c == '`') {
        if (!parse_backquoted(i, /* in_double_quotes= */ false, &i)) return false;
      } else {
        add_literal(src_.substr(i, 1), /* quoted= */ false);
        ++i;
        if (c == ':' && mode_ == WordMode::assignment_value) i = tilde(i);
      }
    }
    return true;
  }

  bool parse_double_quoted(size_t open, size_t* next) {
    size_t i = open + 1;
    const uint64_t additions_before = additions_;
    while (i < end_ && src_[i] != '"') {
      const char c = src_[i];
      if (c == '\\') {
        const char e = i + 1 < end_ ? src_[i + 1] : '\0';
        if (e == '\n') {
          // line continuation: both characters vanish
        } else if (e == '$' || e == '`' || e == '"' || e == '\\') {
          add_literal(src_.substr(i + 1, 1), true);
        } else {
          add_literal(src_.substr(i, 2), true);
        }
        i += 2;
      } else if (c == '$') {
        if (!parse_dollar(i, /* quoted= */ true, &i)) return false;
      } else if (c == '`') {
        if (!parse_backquoted(i, /* in_double_quotes= */ true, &i)) return false;
      } else {
        add_literal(src_.substr(i, 1), true);
        ++i;
      }
    }
    if (i >= end_)
      return fail(open, std::string(describe(TokenizerError::unterminated_double_quote)));
    if (additions_ == additions_before) add_literal("", true);  // "" is an empty argument
    *next = i + 1;
    return true;
  }

  bool parse_heredoc_body() {
    const bool strip = mode_ == WordMode::heredoc_body_strip_tabs;
    size_t i = begin_;
    bool line_start = true;
    while (i < end_) {
      if (line_start && strip) {
        while (i < end_ && src_[i] == '\t') ++i;
        if (i >= end_) break;
      }
      const char c = src_[i];
      line_start = false;
      if (c == '\\' && i + 1 < end_) {
        const char e = src_[i + 1];
        if (e == '\n') {
          line_start = true;
        } else if (e == '$' || e == '`' || e == '\\') {
          add_literal(src_.substr(i + 1, 1), true);
        } else {
          add_literal(src_.substr(i, 2), true);
        }
        i += 2;
      } else if (c == '$') {
        if (!parse_dollar(i, /* quoted= */ true, &i)) return false;
      } else if (c == '`') {
        if (!parse_backquoted(i, /* in_double_quotes= */ false, &i)) return false;
      } else {
        add_literal(src_.substr(i, 1), true);
        line_start = c == '\n';
        ++i;
      }
    }
    return true;
  }

  // The word of "${NAME-word}": \ escapes $ ` " \ and newline, quotes are removed, $ and `
  // expand; literal text stays unquoted (see WordMode::parameter_operand_in_quotes).
  bool parse_operand_in_quotes() {
    size_t i = begin_;
    while (i < end_) {
      const char c = src_[i];
      if (c == '\\' && i + 1 < end_) {
        const char e = src_[i + 1];
        if (e == '$' || e == '`' || e == '"' || e == '\\' ||
            (mode_ == WordMode::parameter_pattern_in_quotes && e != '\n')) {
          add_literal(src_.substr(i + 1, 1), true);
        } else if (e != '\n') {
          add_literal(src_.substr(i, 2), true);
        }
        i += 2;
      } else if (c == '"') {
        ++i;
      } else if (c == '$') {
        if (!parse_dollar(i, /* quoted= */ true, &i)) return false;
      } else if (c == '`') {
        if (!parse_backquoted(i, /* in_double_quotes= */ true, &i)) return false;
      } else {
        add_literal(src_.substr(i, 1), false);
        ++i;
      }
    }
    return true;
  }

  bool parse_dollar(size_t dollar, bool quoted, size_t* next) {
    const size_t i = dollar + 1;
    const char c = i < end_ ? src_[i] : '\0';
    if (c == '(' && i + 1 < end_ && src_[i + 1] == '(') return parse_arithmetic(dollar, quoted, next);
    if (c == '(') return parse_command_substitution(dollar, quoted, next);
    if (c == '{') return parse_braced_parameter(dollar, quoted, next);
    size_t name_end = i;
    if (is_name_start(c)) {
      while (name_end < end_ && is_name_char(src_[name_end])) ++name_end;
    } else if (is_digit(c) || is_special(c)) {
      name_end = i + 1;
    } else {
      add_literal("$", quoted);  // a '$' before anything else is itself
      *next = i;
      return true;
    }
    add_part(ParameterPart{std::string(src_.substr(i, name_end - i)), quoted, ParameterOp::plain, false, nullptr});
    *next = name_end;
    return true;
  }

  static bool is_special(char c) {
    return c == '?' || c == '$' || c == '#' || c == '!' || c == '@' || c == '*' || c == '-';
  }

  // The parameter name at the start of `s`: a name, digits, or one special character.
  static size_t parameter_name_length(std::string_view s) {
    if (s.empty()) return 0;
    size_t n = 0;
    if (is_name_start(s[0])) {
      while (n < s.size() && is_name_char(s[n])) ++n;
    } else if (is_digit(s[0])) {
      while (n < s.size() && is_digit(s[n])) ++n;
    } else if (is_special(s[0])) {
      n = 1;
    }
    return n;
  }

  bool parse_braced_parameter(size_t dollar, bool quoted, size_t* next) {
    const size_t after = find_dollar_end(src_, dollar, end_, quoted);
    if (after == std::string_view::npos || after > end_) {
      return fail(dollar, "unterminated ${...}");
    }
    const size_t close = after - 1;
    const size_t start = dollar + 2;
    const std::string_view inside = src_.substr(start, close - start);
    auto bad = [&] { return fail(dollar, "bad substitution '${" + std::string(inside) + "}'"); };
    ParameterPart part;
    part.quoted = quoted;
    // ${#NAME} is the length; ${#} alone, ${#-...} and the like are the parameter '#'.
    if (inside.size() > 1 && inside[0] == '#' &&
        parameter_name_length(inside.substr(1)) == inside.size() - 1) {
      part.op = ParameterOp::length;
      part.name = std::string(inside.substr(1));
      add_part(std::move(part));
      *next = after;
      return true;
    }
    const size_t name_len = parameter_name_length(inside);
    if (name_len == 0) return bad();
    part.name = std::string(inside.substr(0, name_len));
    size_t i = start + name_len;
    if (i < close) {
      if (src_[i] == ':') {
        part.colon = true;
        ++i;
      }
      const char op = i < close ? src_[i] : '\0';
      const bool twice = i + 1 < close && src_[i + 1] == op;
      switch (op) {
        case '-': part.op = ParameterOp::use_default; break;
        case '=': part.op = ParameterOp::assign_default; break;
        case '?': part.op = ParameterOp::error_if_unset; break;
        case '+': part.op = ParameterOp::use_alternate; break;
        case '%':
          part.op = twice ? ParameterOp::remove_large_suffix : ParameterOp::remove_small_suffix;
          break;
        case '#':
          part.op = twice ? ParameterOp::remove_large_prefix : ParameterOp::remove_small_prefix;
          break;
        default:
          return bad();
      }
      if (part.colon && (op == '%' || op == '#')) return bad();
      const bool pattern = op == '%' || op == '#';
      i += (pattern && twice) ? 2 : 1;
      const WordMode mode = !quoted   ? WordMode::command
                            : pattern ? WordMode::parameter_pattern_in_quotes
                                      : WordMode::parameter_operand_in_quotes;
      auto operand = WordParser(ctx_, SourceRange{i, close - i}, mode).run();
      if (!operand.ok()) {
        error_ = std::move(operand.error());
        return false;
      }
      part.operand = std::make_shared<const Word>(std::move(operand.value()));
    }
    add_part(std::move(part));
    *next = after;
    return true;
  }

  bool parse_arithmetic(size_t dollar, bool quoted, size_t* next) {
    const size_t after = find_dollar_end(src_, dollar, end_, true);
    if (after == std::string_view::npos || after > end_) {
      return fail(dollar, std::string(describe(TokenizerError::unterminated_arithmetic)));
    }
    auto expression =
        WordParser(ctx_, SourceRange{dollar + 3, after - 2 - (dollar + 3)}, WordMode::heredoc_body)
            .run();
    if (!expression.ok()) {
      error_ = std::move(expression.error());
      return false;
    }
    add_part(ArithmeticPart{std::make_shared<const Word>(std::move(expression.value())), quoted});
    *next = after;
    return true;
  }

  bool parse_command_substitution(size_t dollar, bool quoted, size_t* next) {
    if (ctx_.depth + 1 > kMaxNesting) {
      return fail(dollar, std::string(describe(TokenizerError::nesting_too_deep)));
    }
    SubstitutionEnd found = find_substitution_end(src_, dollar, end_, ctx_.depth);
    if (found.error.kind == TokenKind::error) {
      error_ = tokenizer_failure(ParseContext{ctx_.source, ctx_.depth, false, "')'"}, found.error);
      return false;
    }
    const ParseContext inner{ctx_.source, ctx_.depth + 1, /* top_level= */ false, "')'"};
    auto program = parse_program_range(inner, dollar + 2, found.close);
    if (!program.ok()) {
      error_ = std::move(program.error());
      return false;
    }
    add_part(CommandSubstitutionPart{std::move(program.value()), quoted});
    *next = found.close + 1;
    return true;
  }

  // `...`: the text between the backquotes, with \$ \` \\ (and \" inside "...") unescaped, is a
  // command list of its own, with its own source text.
  bool parse_backquoted(size_t open, bool in_double_quotes, size_t* next) {
    if (ctx_.depth + 1 > kMaxNesting) {
      return fail(open, std::string(describe(TokenizerError::nesting_too_deep)));
    }
    std::string inside;
    size_t i = open + 1;
    for (; i < end_ && src_[i] != '`'; ++i) {
      const char c = src_[i];
      if (c == '\\' && i + 1 < end_) {
        const char e = src_[i + 1];
        if (e == '$' || e == '`' || e == '\\' || (in_double_quotes && e == '"')) {
          inside += e;
          ++i;
          continue;
        }
      }
      inside += c;
    }
    if (i >= end_) return fail(open, std::string(describe(TokenizerError::unterminated_backquote)));
    auto source = std::make_shared<const std::string>(std::move(inside));
    const ParseContext inner{source, ctx_.depth + 1, /* top_level= */ false, "end of `...`"};
    auto program = parse_program_range(inner, 0, source->size());
    if (!program.ok()) {
      const SourcePosition p = locate(*source, program.error().offset);
      return fail(open, "in `...` at column " + std::to_string(p.column) +
                            (p.line > 1 ? " of line " + std::to_string(p.line) : "") + ": " +
                            program.error().message);
    }
    add_part(CommandSubstitutionPart{std::move(program.value()), in_double_quotes});
    *next = i + 1;
    return true;
  }

  bool parse_ansi_quoted(size_t dollar, size_t* next) {
    std::string text;
    size_t i = dollar + 2;
    while (i < end_ && src_[i] != '\'') {
      if (src_[i] != '\\') {
        text += src_[i++];
      } else if (i + 1 < end_) {
        i = decode_escape(i, &text);
      } else {
        break;
      }
    }
    if (i >= end_ || src_[i] != '\'') {
      return fail(dollar, std::string(describe(TokenizerError::unterminated_ansi_quote)));
    }
    add_literal(text, /* quoted= */ true);
    *next = i + 1;
    return true;
  }

  // One backslash escape of $'...' starting at `i`; returns the offset after it.
  size_t decode_escape(size_t i, std::string* out) {
    const char e = src_[i + 1];
    static constexpr std::string_view kFrom = "abefnrtv\\'\"?";
    static constexpr std::string_view kTo = "\a\b\x1b\f\n\r\t\v\\'\"?";
    if (const size_t k = kFrom.find(e); k != std::string_view::npos) {
      *out += kTo[k];
      return i + 2;
    }
    auto digit_value = [](char d, int base) {
      if (d >= '0' && d <= '9' && d - '0' < base) return d - '0';
      if (base == 16 && d >= 'a' && d <= 'f') return d - 'a' + 10;
      if (base == 16 && d >= 'A' && d <= 'F') return d - 'A' + 10;
      return -1;
    };
    const int base = e == 'x' ? 16 : 8;
    const size_t max_digits = e == 'x' ? 2 : 3;
    size_t j = e == 'x' ? i + 2 : i + 1;
    int value = 0;
    size_t digits = 0;
    while (digits < max_digits && j < end_ && digit_value(src_[j], base) >= 0) {
      value = value * base + digit_value(src_[j], base);
      ++j;
      ++digits;
    }
    if (digits > 0) {
      *out += static_cast<char>(value & 0xFF);
      return j;
    }
    *out += src_.substr(i, 2);  // an unknown escape stays as written
    return i + 2;
  }

  const ParseContext& ctx_;
  std::string_view src_;
  size_t begin_;
  size_t end_;
  WordMode mode_;
  Word word_;
  SyntaxError error_;
  uint64_t additions_ = 0;  // parts or non-empty text added so far
};

}  // namespace

Parsed<Word> parse_word(const ParseContext& ctx, SourceRange range, WordMode mode) {
  return WordParser(ctx, range, mode).run();
}

}  // namespace stsh::shell::detail
