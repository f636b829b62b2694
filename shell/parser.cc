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

// Words stsh does not implement, with the construct each belongs to.
constexpr std::array<Keyword, 4> kUnsupported{{
    {"[[", "conditional expressions [[ ... ]]"},
    {"]]", "conditional expressions [[ ... ]]"},
    {"coproc", "coprocesses"},
    {"select", "select loops"},
}};

const Keyword* find_unsupported(std::string_view word) {
  for (const Keyword& k : kUnsupported) {
    if (k.word == word) return &k;
  }
  return nullptr;
}

// Reserved words that cannot start a command: they end the list before them.
bool is_closing_word(std::string_view w) {
  return w == "then" || w == "else" || w == "elif" || w == "fi" || w == "do" || w == "done" ||
         w == "esac" || w == "}" || w == "in";
}

bool is_name(std::string_view text) {
  if (text.empty()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
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

constexpr int kMaxCompoundNesting = 200;
// Counted across the parsers of nested $(...) too, which each start afresh: the bound is on
// the whole recursion of one parse.
thread_local int compound_depth = 0;

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
    if (!parse_list(items, {}, /* rparen= */ false, /* dsemi= */ false)) return false;
    if (peek().kind != TokenKind::end) return unexpected(peek());
    return true;
  }

  bool is_word(const Token& t, std::string_view w) const {
    return t.kind == TokenKind::word && text(t) == w;
  }
  bool at_dsemi() const {
    return peek().kind == TokenKind::semicolon && peek(1).kind == TokenKind::semicolon &&
           peek(1).range.offset == peek().range.end();
  }

  // A list of and-or items up to (not including) one of `stops` in command position, a ')'
  // (subshells) or ';;' (case items), or the end.
  bool parse_list(std::vector<AndOr>& items, std::initializer_list<std::string_view> stops,
                  bool rparen, bool dsemi) {
    skip_newlines();
    while (true) {
      const Token& t = peek();
      if (t.kind == TokenKind::end) return true;
      if (rparen && t.kind == TokenKind::rparen) return true;
      if (dsemi && at_dsemi()) return true;
      if (t.kind == TokenKind::word) {
        for (std::string_view w : stops) {
          if (text(t) == w) return true;
        }
      }
      AndOr item;
      if (!parse_and_or(item)) return false;
      const Token& sep = peek();
      if (dsemi && at_dsemi()) {
        items.push_back(std::move(item));
        return true;
      }
      if (sep.kind == TokenKind::semicolon || sep.kind == TokenKind::ampersand) {
        item.background = sep.kind == TokenKind::ampersand;
        take();
      } else if (sep.kind == TokenKind::newline) {
        take();
      } else if (sep.kind != TokenKind::end && !(rparen && sep.kind == TokenKind::rparen) &&
                 !(sep.kind == TokenKind::word && is_closing_word(text(sep)))) {
        return unexpected(sep);
      }
      items.push_back(std::move(item));
      skip_newlines();
    }
  }

  // A list that becomes a Program of its own (the body of a compound command).
  Parsed<std::shared_ptr<const Program>> sub_list(std::initializer_list<std::string_view> stops,
                                                  bool rparen, bool dsemi, bool may_be_empty,
                                                  const Token& opener) {
    auto program = std::make_shared<Program>();
    program->source = ctx_.source;
    const size_t start = peek().range.offset;
    if (!parse_list(program->items, stops, rparen, dsemi)) return std::move(*error_);
    program->range = {start, peek().range.offset - start};
    if (program->items.empty() && !may_be_empty) {
      if (peek().kind == TokenKind::end || peek().kind == TokenKind::error) {
        unexpected(peek());
      } else {
        fail(peek().range.offset, "unexpected " + describe(ctx_, peek()) + " (empty list after '" +
                                      std::string(text(opener)) + "')");
      }
      return std::move(*error_);
    }
    return std::shared_ptr<const Program>(std::move(program));
  }

  // Takes the reserved word `w`, or fails naming the construct that needs it.
  bool expect(std::string_view w, const Token& opener) {
    if (is_word(peek(), w)) {
      take();
      return true;
    }
    if (peek().kind == TokenKind::end || peek().kind == TokenKind::error) return unexpected(peek());
    const SourcePosition p = locate(src_, opener.range.offset);
    return fail(peek().range.offset, "expected '" + std::string(w) + "' for the '" +
                                         std::string(text(opener)) + "' at " +
                                         std::to_string(p.line) + ":" + std::to_string(p.column) +
                                         ", found " + describe(ctx_, peek()));
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
        return fail(t.range.offset,
                    "arithmetic commands ((...)) are not supported in stsh: write '( (' for "
                    "nested subshells, or use $((...))");
      }
      return true;
    }
    if (t.kind != TokenKind::word) return true;
    if (text(t) == "!") return fail(t.range.offset, "'!' is allowed only before a pipeline");
    if (const Keyword* k = find_unsupported(text(t))) {
      return fail(t.range.offset, "'" + std::string(text(t)) + "': " + std::string(k->construct) +
                                      " are not supported in stsh");
    }
    if (is_closing_word(text(t))) return unexpected(t);
    return true;
  }

  bool starts_compound(const Token& t) const {
    if (t.kind == TokenKind::lparen) return true;
    if (t.kind != TokenKind::word) return false;
    const std::string_view w = text(t);
    return w == "{" || w == "if" || w == "while" || w == "until" || w == "for" || w == "case";
  }

  bool parse_command(SimpleCommand& command) {
    if (!reject_unsupported_start()) return false;
    const Token& first = peek();
    if (starts_compound(first)) return parse_compound(command);
    if (is_word(first, "function") && peek(1).kind == TokenKind::word) {
      take();
      const Token name = take();
      if (peek().kind == TokenKind::lparen && peek(1).kind == TokenKind::rparen) {
        take();
        take();
      }
      return parse_function(command, first, name);
    }
    if (first.kind == TokenKind::word && peek(1).kind == TokenKind::lparen &&
        peek(2).kind == TokenKind::rparen && !is_assignment_word(text(first))) {
      const Token name = take();
      take();
      take();
      return parse_function(command, first, name);
    }
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

  // NAME ( ) compound-command [redirections]: the body is kept as a command of its own, shared
  // by every call.
  bool parse_function(SimpleCommand& command, const Token& first, const Token& name) {
    if (!is_name(text(name))) {
      return fail(name.range.offset, "'" + std::string(text(name)) + "' is not a valid function name");
    }
    skip_newlines();
    if (!starts_compound(peek())) {
      if (peek().kind == TokenKind::end) return unexpected(peek());
      return fail(peek().range.offset, "a function body must be a compound command ({ ...; })");
    }
    auto body = std::make_shared<SimpleCommand>();
    if (!parse_compound(*body)) return false;
    auto cc = std::make_shared<CompoundCommand>();
    cc->kind = CompoundCommand::Kind::function_definition;
    cc->name = std::string(text(name));
    cc->range = {first.range.offset, body->range.end() - first.range.offset};
    command.range = cc->range;
    cc->function_body = std::move(body);
    command.compound = std::move(cc);
    return true;
  }

  bool parse_compound(SimpleCommand& command) {
    // The parser recurses once per compound command: bounded, like $(...).
    if (compound_depth >= kMaxCompoundNesting) {
      return fail(peek().range.offset, "compound commands nest too deeply (" +
                                           std::to_string(kMaxCompoundNesting) + ")");
    }
    ++compound_depth;
    struct Unnest {
      ~Unnest() { --compound_depth; }
    } unnest;
    const Token opener = take();
    auto cc = std::make_shared<CompoundCommand>();
    using Kind = CompoundCommand::Kind;
    auto add = [&](Parsed<std::shared_ptr<const Program>> list) {
      if (!list.ok()) return set_error(list.error());
      cc->lists.push_back(std::move(list.value()));
      return true;
    };
    const std::string_view w = opener.kind == TokenKind::lparen ? "(" : text(opener);
    if (w == "(") {
      cc->kind = Kind::subshell;
      if (!add(sub_list({}, true, false, false, opener))) return false;
      if (peek().kind != TokenKind::rparen) return unexpected(peek());
      take();
    } else if (w == "{") {
      cc->kind = Kind::group;
      if (!add(sub_list({"}"}, false, false, false, opener))) return false;
      if (!expect("}", opener)) return false;
    } else if (w == "if") {
      cc->kind = Kind::if_clause;
      Token keyword = opener;
      while (true) {
        if (!add(sub_list({"then"}, false, false, false, keyword))) return false;
        keyword = peek();
        if (!expect("then", opener)) return false;
        if (!add(sub_list({"elif", "else", "fi"}, false, false, false, keyword))) return false;
        if (is_word(peek(), "elif")) {
          keyword = take();
          continue;
        }
        if (is_word(peek(), "else")) {
          keyword = take();
          cc->has_else = true;
          if (!add(sub_list({"fi"}, false, false, false, keyword))) return false;
        }
        if (!expect("fi", opener)) return false;
        break;
      }
    } else if (w == "while" || w == "until") {
      cc->kind = w == "while" ? Kind::while_loop : Kind::until_loop;
      if (!add(sub_list({"do"}, false, false, false, opener))) return false;
      const Token keyword = peek();
      if (!expect("do", opener)) return false;
      if (!add(sub_list({"done"}, false, false, false, keyword))) return false;
      if (!expect("done", opener)) return false;
    } else if (w == "for") {
      cc->kind = Kind::for_loop;
      const Token& name = peek();
      if (name.kind != TokenKind::word) return unexpected(name);
      if (!is_name(text(name))) {
        return fail(name.range.offset, "'" + std::string(text(name)) + "' is not a valid variable name");
      }
      cc->name = std::string(text(name));
      take();
      skip_newlines();
      if (is_word(peek(), "in")) {
        take();
        cc->has_in = true;
        while (peek().kind == TokenKind::word) {
          const Token& t = take();
          auto word = parse_word(ctx_, t.range, WordMode::command);
          if (!word.ok()) return set_error(word.error());
          cc->words.push_back(std::move(word.value()));
        }
        if (peek().kind != TokenKind::semicolon && peek().kind != TokenKind::newline) {
          return unexpected(peek());
        }
        take();
      } else if (peek().kind == TokenKind::semicolon) {
        take();
      }
      skip_newlines();
      const Token keyword = peek();
      if (!expect("do", opener)) return false;
      if (!add(sub_list({"done"}, false, false, false, keyword))) return false;
      if (!expect("done", opener)) return false;
    } else if (w == "case") {
      cc->kind = Kind::case_clause;
      const Token& subject = peek();
      if (subject.kind != TokenKind::word) return unexpected(subject);
      take();
      auto word = parse_word(ctx_, subject.range, WordMode::command);
      if (!word.ok()) return set_error(word.error());
      cc->subject = std::move(word.value());
      skip_newlines();
      if (!expect("in", opener)) return false;
      skip_newlines();
      while (!is_word(peek(), "esac")) {
        CaseItem item;
        if (peek().kind == TokenKind::lparen) take();
        while (true) {
          const Token& t = peek();
          if (t.kind != TokenKind::word) return unexpected(t);
          take();
          auto pattern = parse_word(ctx_, t.range, WordMode::command);
          if (!pattern.ok()) return set_error(pattern.error());
          item.patterns.push_back(std::move(pattern.value()));
          if (peek().kind != TokenKind::pipe) break;
          take();
        }
        if (peek().kind != TokenKind::rparen) return unexpected(peek());
        const Token paren = take();
        auto body = sub_list({"esac"}, false, true, true, paren);
        if (!body.ok()) return set_error(body.error());
        item.body = std::move(body.value());
        cc->items.push_back(std::move(item));
        if (at_dsemi()) {
          take();
          take();
          skip_newlines();
        } else if (!is_word(peek(), "esac")) {
          return unexpected(peek());
        }
      }
      take();
    }
    size_t last_end = tokens_[pos_ > 0 ? pos_ - 1 : 0].range.end();
    while (peek().kind == TokenKind::redirection) {
      Redirection r;
      if (!parse_redirection(r)) return false;
      last_end = r.range.end();
      command.redirections.push_back(std::move(r));
    }
    cc->range = {opener.range.offset, last_end - opener.range.offset};
    command.range = cc->range;
    command.compound = std::move(cc);
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
