#include "shell/parser.h"

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "shell/parse_internal.h"
#include "shell/tokenizer.h"

namespace stsh::shell {

namespace detail {

namespace {

struct Keyword {
  std::string_view word;
  std::string_view construct;
};

// Reserved words stsh does not implement, with the construct each belongs to.
constexpr std::array<Keyword, 18> kKeywords{{
    {"[[", "conditional expressions [[ ... ]]"},
    {"]]", "conditional expressions [[ ... ]]"},
    {"case", "case statements"},
    {"coproc", "coprocesses"},
    {"do", "loops"},
    {"done", "loops"},
    {"elif", "if statements"},
    {"else", "if statements"},
    {"esac", "case statements"},
    {"fi", "if statements"},
    {"for", "loops"},
    {"function", "function definitions"},
    {"if", "if statements"},
    {"select", "loops"},
    {"then", "if statements"},
    {"until", "loops"},
    {"while", "loops"},
    {"{", "command groups { ... }"},
}};

const Keyword* find_keyword(std::string_view word) {
  if (word == "}") return &kKeywords.back();
  for (const Keyword& k : kKeywords) {
    if (k.word == word) return &k;
  }
  return nullptr;
}

bool is_assignment_word(std::string_view text) {
  const size_t eq = text.find('=');
  if (eq == 0 || eq == std::string_view::npos) return false;
  for (size_t i = 0; i < eq; ++i) {
    const char c = text[i];
    const bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

class Parser {
 public:
  Parser(const ParseContext& ctx, size_t begin, size_t end)
      : ctx_(ctx),
        src_(*ctx.source),
        begin_(begin),
        end_(end),
        tokens_(tokenize(src_, begin, end, ctx.depth).tokens) {}

  Parsed<std::shared_ptr<const Program>> run() {
    auto program = std::make_shared<Program>();
    program->source = ctx_.source;
    program->range = {begin_, end_ - begin_};
    if (!parse_program(program->items)) return std::move(*error_);
    return std::shared_ptr<const Program>(std::move(program));
  }

 private:
  const Token& peek(size_t ahead = 0) const {
    const size_t i = pos_ + ahead;
    return i < tokens_.size() ? tokens_[i] : tokens_.back();
  }
  const Token& take() {
    const Token& t = peek();
    if (pos_ < tokens_.size() - 1) ++pos_;
    return t;
  }
  std::string_view text(const Token& t) const {
    return src_.substr(t.range.offset, t.range.length);
  }

  bool fail(size_t offset, std::string message) {
    error_ = SyntaxError{offset, std::move(message), /* incomplete= */ false};
    return false;
  }

  // The error for a token that cannot come here. Running out of input right after an operator
  // that needs more (|, &&, ||) means the input is incomplete.
  bool unexpected(const Token& t) {
    if (t.kind == TokenKind::error) {
      error_ = tokenizer_failure(ctx_, t);
      return false;
    }
    fail(t.range.offset, "unexpected " + describe(ctx_, t));
    error_->incomplete = t.kind == TokenKind::end && ctx_.top_level;
    return false;
  }

  void skip_newlines() {
    while (peek().kind == TokenKind::newline) take();
  }

  bool parse_program(std::vector<AndOr>& items) {
    skip_newlines();
    while (peek().kind != TokenKind::end) {
      AndOr item;
      if (!parse_and_or(item)) return false;
      const Token& sep = peek();
      if (sep.kind == TokenKind::semicolon || sep.kind == TokenKind::ampersand) {
        item.background = sep.kind == TokenKind::ampersand;
        take();
      } else if (sep.kind == TokenKind::newline) {
        take();
      } else if (sep.kind != TokenKind::end) {
        return unexpected(sep);
      }
      items.push_back(std::move(item));
      skip_newlines();
    }
    return true;
  }

  bool parse_and_or(AndOr& item) {
    if (!parse_pipeline(item.first)) return false;
    while (peek().kind == TokenKind::and_if || peek().kind == TokenKind::or_if) {
      AndOrTail tail;
      tail.op = take().kind == TokenKind::and_if ? AndOrOp::and_if : AndOrOp::or_if;
      skip_newlines();
      if (!parse_pipeline(tail.pipeline)) return false;
      item.rest.push_back(std::move(tail));
    }
    const Pipeline& last = item.rest.empty() ? item.first : item.rest.back().pipeline;
    item.range = {item.first.range.offset, last.range.end() - item.first.range.offset};
    return true;
  }

  bool parse_pipeline(Pipeline& pipeline) {
    const size_t start = peek().range.offset;
    while (peek().kind == TokenKind::word && text(peek()) == "!") {
      pipeline.negated = !pipeline.negated;
      const Token& bang = take();
      if (peek().kind == TokenKind::end) return fail(bang.range.offset, "'!' needs a command");
    }
    while (true) {
      SimpleCommand command;
      if (!parse_command(command)) return false;
      pipeline.commands.push_back(std::move(command));
      if (peek().kind == TokenKind::pipe_ampersand) {
        return fail(peek().range.offset, "'|&' is not supported in stsh: write '2>&1 |'");
      }
      if (peek().kind != TokenKind::pipe) break;
      take();
      skip_newlines();
    }
    pipeline.range = {start, pipeline.commands.back().range.end() - start};
    return true;
  }

  // Constructs stsh rejects, recognized where a command starts.
  bool reject_unsupported_start() {
    const Token& t = peek();
    if (t.kind == TokenKind::lparen) {
      const Token& next = peek(1);
      if (next.kind == TokenKind::lparen && next.range.offset == t.range.end()) {
        return fail(t.range.offset, "arithmetic commands ((...)) are not supported in stsh");
      }
      return fail(t.range.offset, "subshells ( ... ) are not supported in stsh");
    }
    if (t.kind != TokenKind::word) return true;
    if (text(t) == "!") return fail(t.range.offset, "'!' is allowed only before a pipeline");
    const Keyword* k = find_keyword(text(t));
    if (k != nullptr) {
      return fail(t.range.offset, "'" + std::string(text(t)) + "': " + std::string(k->construct) +
                                      " are not supported in stsh");
    }
    if (peek(1).kind == TokenKind::lparen && peek(2).kind == TokenKind::rparen) {
      return fail(t.range.offset, "function definitions are not supported in stsh");
    }
    return true;
  }

  bool parse_command(SimpleCommand& command) {
    if (!reject_unsupported_start()) return false;
    const size_t start = peek().range.offset;
    size_t last_end = start;
    while (true) {
      const Token& t = peek();
      if (t.kind == TokenKind::redirection) {
        Redirection r;
        if (!parse_redirection(r)) return false;
        last_end = r.range.end();
        command.redirections.push_back(std::move(r));
      } else if (t.kind == TokenKind::word) {
        take();
        if (command.words.empty() && is_assignment_word(text(t))) {
          if (!add_assignment(t, command)) return false;
        } else {
          auto word = parse_word(ctx_, t.range, WordMode::command);
          if (!word.ok()) return set_error(word.error());
          command.words.push_back(std::move(word.value()));
        }
        last_end = t.range.end();
      } else {
        break;
      }
    }
    if (last_end == start) return unexpected(peek());
    if (peek().kind == TokenKind::lparen) return unexpected(peek());
    command.range = {start, last_end - start};
    return true;
  }

  bool set_error(SyntaxError& e) {
    error_ = std::move(e);
    return false;
  }

  bool add_assignment(const Token& t, SimpleCommand& command) {
    const std::string_view raw = text(t);
    const size_t eq = raw.find('=');
    const SourceRange value_range{t.range.offset + eq + 1, t.range.length - eq - 1};
    auto value = parse_word(ctx_, value_range, WordMode::assignment_value);
    if (!value.ok()) return set_error(value.error());
    command.assignments.push_back(
        Assignment{std::string(raw.substr(0, eq)), std::move(value.value()), t.range});
    return true;
  }

  bool parse_redirection(Redirection& r) {
    const Token op = take();
    const Token& target = peek();
    const std::string op_text(text(op).substr(op.fd >= 0 ? text(op).find_first_of("<>&") : 0));
    if (target.kind == TokenKind::lparen && target.range.offset == op.range.end() &&
        (op.op == RedirectionOp::less || op.op == RedirectionOp::great)) {
      return fail(op.range.offset,
                  "process substitution " + op_text + "(...) is not supported in stsh");
    }
    if (target.kind == TokenKind::error) return unexpected(target);
    if (target.kind != TokenKind::word) {
      return fail(target.range.offset,
                  "expected a word after '" + op_text + "', found " + describe(ctx_, target));
    }
    take();
    if (auto e = build_redirection(ctx_, op, target, r)) return set_error(*e);
    return true;
  }

  const ParseContext& ctx_;
  std::string_view src_;
  size_t begin_;
  size_t end_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  std::optional<SyntaxError> error_;
};

}  // namespace

SyntaxError tokenizer_failure(const ParseContext& ctx, const Token& token) {
  return SyntaxError{token.range.offset, std::string(describe(token.error)),
                     ctx.top_level && is_incomplete(token.error)};
}

Parsed<std::shared_ptr<const Program>> parse_program_range(const ParseContext& ctx, size_t begin,
                                                           size_t end) {
  return Parser(ctx, begin, end).run();
}

}  // namespace detail

std::string ParseResult::message() const {
  if (ok()) return {};
  return "syntax error at " + std::to_string(error.where.line) + ":" +
         std::to_string(error.where.column) + ": " + error.message;
}

ParseResult parse(std::string source) {
  auto text = std::make_shared<const std::string>(std::move(source));
  const detail::ParseContext ctx{text, 0, /* top_level= */ true, "end of input"};
  auto parsed = detail::parse_program_range(ctx, 0, text->size());
  ParseResult result;
  if (parsed.ok()) {
    result.program = std::move(parsed.value());
    return result;
  }
  const detail::SyntaxError& e = parsed.error();
  result.status = e.incomplete ? ParseStatus::incomplete : ParseStatus::error;
  const SourcePosition p = locate(*text, e.offset);
  result.error = make_error(SourceLocation{"", p.line, p.column}, e.message);
  return result;
}

}  // namespace stsh::shell
