#include "policy/rule_parser.h"

#include <regex.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <optional>

#include "policy/errno_names.h"
#include "policy/rule_lexer.h"
#include "policy/suggest.h"

namespace stsh::policy {
namespace {

constexpr std::string_view kOperandList = "filename, argv, sockaddr, oflags, mode, uid, gid";
constexpr std::string_view kOpList = "eq, neq, match, sub, nsub, re, inpath";
constexpr std::array<std::string_view, 3> kActions = {"permit", "deny", "kill"};
constexpr std::array<std::string_view, 3> kContinuations = {"and", "or", "then"};
constexpr int kMaxArgvIndex = 4095;
// `not` and parentheses recurse; a bound keeps hostile or fuzzed input off the stack's end.
constexpr int kMaxDepth = 100;

std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates) {
  if (std::optional<std::string_view> s = nearest(word, candidates))
    return " (did you mean '" + std::string(*s) + "'?)";
  return {};
}

template <typename Enum, size_t N>
std::optional<Enum> lookup(std::string_view word, const std::array<std::string_view, N>& names) {
  for (size_t i = 0; i < N; ++i)
    if (names[i] == word) return static_cast<Enum>(i);
  return std::nullopt;
}

// Appends `child` to an And/Or node, splicing in a child of the same kind: (a or b) or c is
// one disjunction of three.
void append_flat(Expr& parent, Expr child) {
  if (child.kind != parent.kind) {
    parent.children.push_back(std::move(child));
    return;
  }
  for (Expr& grandchild : child.children) parent.children.push_back(std::move(grandchild));
}

class Parser {
 public:
  Parser(std::string_view text, const LexResult& lexed) : text_(text), lexed_(lexed) {}

  std::optional<ParsedRule> run() {
    if (peek().kind == TokenKind::end) return fail(0, "empty rule");
    std::optional<Expr> expr = parse_or();
    if (!expr) return std::nullopt;
    if (!at_keyword("then")) return fail_missing_then();
    advance();
    std::optional<Action> action = parse_action();
    if (!action) return std::nullopt;
    return ParsedRule{std::move(*expr), *action};
  }

  size_t error_offset() const { return error_offset_; }
  const std::string& error_message() const { return error_message_; }

 private:
  const Token& peek() const { return lexed_.tokens[pos_]; }
  // Never moves past the last token (end or error), so peek() stays valid.
  const Token& advance() {
    const Token& t = lexed_.tokens[pos_];
    if (pos_ + 1 < lexed_.tokens.size()) ++pos_;
    return t;
  }
  bool at(TokenKind kind) const { return peek().kind == kind; }
  bool at_keyword(std::string_view word) const {
    return at(TokenKind::identifier) && peek().value == word;
  }
  std::string_view source(size_t from, size_t to) const { return text_.substr(from, to - from); }

  std::nullopt_t fail(size_t offset, std::string message) {
    error_offset_ = offset;
    error_message_ = std::move(message);
    return std::nullopt;
  }

  // Fails at the current token, which is not what the grammar wants here. A token the lexer
  // could not read is reported with the lexer's message, unless it is a stray character where a
  // string belongs: "expected a quoted string after 'eq'" explains `filename eq /etc/passwd`.
  std::nullopt_t fail_here(std::string message, bool context_beats_stray_char = false) {
    if (at(TokenKind::error)) {
      const LexError& e = *lexed_.error;
      if (!(context_beats_stray_char && e.code == LexErrorCode::unexpected_character))
        return fail(e.offset, e.message);
    }
    return fail(peek().offset, std::move(message));
  }

  std::string found() const {
    if (at(TokenKind::end)) return "the end of the rule";
    std::string raw(text_.substr(peek().offset, peek().length));
    constexpr size_t kShown = 40;
    if (raw.size() > kShown) raw = raw.substr(0, kShown - 3) + "...";
    return "'" + raw + "'";
  }

  std::optional<Expr> parse_or() { return parse_chain(Expr::Kind::Or, "or"); }
  std::optional<Expr> parse_and() { return parse_chain(Expr::Kind::And, "and"); }

  // or := and ('or' and)* ; and := unary ('and' unary)*
  std::optional<Expr> parse_chain(Expr::Kind kind, std::string_view keyword) {
    auto operand = [&] { return kind == Expr::Kind::Or ? parse_and() : parse_unary(); };
    std::optional<Expr> first = operand();
    if (!first || !at_keyword(keyword)) return first;
    Expr chain;
    chain.kind = kind;
    append_flat(chain, std::move(*first));
    while (at_keyword(keyword)) {
      advance();
      std::optional<Expr> next = operand();
      if (!next) return std::nullopt;
      append_flat(chain, std::move(*next));
    }
    return chain;
  }

  // unary := 'not' unary | '(' expr ')' | 'true' | predicate
  std::optional<Expr> parse_unary() {
    if (depth_ >= kMaxDepth) return fail_here("expression nested too deeply");
    ++depth_;
    std::optional<Expr> e = parse_unary_inner();
    --depth_;
    return e;
  }

  std::optional<Expr> parse_unary_inner() {
    if (at_keyword("not")) {
      advance();
      std::optional<Expr> operand = parse_unary();
      if (!operand) return std::nullopt;
      return Expr::negate(std::move(*operand));
    }
    if (at_keyword("true")) {
      advance();
      return Expr::truth();
    }
    if (at(TokenKind::lparen)) {
      const size_t open = advance().offset;
      std::optional<Expr> inner = parse_or();
      if (!inner) return std::nullopt;
      if (at(TokenKind::rparen)) {
        advance();
        return inner;
      }
      if (at(TokenKind::end) || at_keyword("then")) return fail(open, "unbalanced parenthesis");
      return fail_here("expected 'and', 'or' or ')', found " + found());
    }
    return parse_predicate();
  }

  // predicate := operand OP string
  std::optional<Expr> parse_predicate() {
    const std::string expected = "expected an operand (" + std::string(kOperandList) + ")";
    if (!at(TokenKind::identifier)) return fail_here(expected + ", found " + found());
    const Token& word = peek();
    std::optional<Operand> operand = lookup<Operand>(word.value, kOperandNames);
    if (!operand)
      return fail_here(expected + ", found " + found() + did_you_mean(word.value, kOperandNames));

    Predicate p;
    p.operand = *operand;
    p.operand_offset = advance().offset;
    p.index = p.operand == Operand::filename ? 0 : -1;
    if (at(TokenKind::lbracket) && !parse_index(p)) return std::nullopt;
    const Token& last = lexed_.tokens[pos_ - 1];
    const std::string_view operand_text = source(p.operand_offset, last.offset + last.length);

    if (!at(TokenKind::identifier))
      return fail_here("expected an operator (" + std::string(kOpList) + ") after '" +
                       std::string(operand_text) + "', found " + found());
    const Token& op_token = peek();
    std::optional<Op> op = lookup<Op>(op_token.value, kOpNames);
    if (!op)
      return fail_here("unknown operator '" + op_token.value + "' (expected " +
                       std::string(kOpList) + ")" + did_you_mean(op_token.value, kOpNames));
    p.op = *op;
    advance();

    if (!at(TokenKind::string))
      return fail_here("expected a quoted string after '" + std::string(op_name(p.op)) + "'",
                       /* context_beats_stray_char= */ true);
    p.value_offset = peek().offset;
    p.value = advance().value;
    if (p.op == Op::re && !check_regex(p)) return std::nullopt;
    return Expr::predicate(std::move(p));
  }

  // `[N]` after filename or argv; the current token is the '['.
  bool parse_index(Predicate& p) {
    if (p.operand != Operand::filename && p.operand != Operand::argv) {
      fail_here("operand '" + std::string(operand_name(p.operand)) + "' takes no index");
      return false;
    }
    advance();
    if (!at(TokenKind::integer)) {
      fail_here("expected an index after '[', found " + found());
      return false;
    }
    const Token& number = advance();
    unsigned long n = 0;
    const auto [end, ec] =
        std::from_chars(number.value.data(), number.value.data() + number.value.size(), n);
    const bool in_range =
        ec == std::errc{} && n <= (p.operand == Operand::filename ? 1UL : unsigned{kMaxArgvIndex});
    if (!in_range) {
      fail(number.offset, p.operand == Operand::filename ? "filename index must be 0 or 1"
                                                         : "argv index must be between 0 and " +
                                                               std::to_string(kMaxArgvIndex));
      return false;
    }
    p.index = static_cast<int>(n);
    if (!at(TokenKind::rbracket)) {
      fail_here("expected ']' after the index, found " + found());
      return false;
    }
    advance();
    return true;
  }

  // The enforcer compiles the pattern with these flags later; an invalid one is a load error
  // here rather than a rule that can never match.
  bool check_regex(const Predicate& p) {
    regex_t compiled;
    const int rc = regcomp(&compiled, p.value.c_str(), REG_EXTENDED | REG_NOSUB);
    if (rc == 0) {
      regfree(&compiled);
      return true;
    }
    char reason[256];
    regerror(rc, &compiled, reason, sizeof reason);
    fail(p.value_offset, std::string("invalid regular expression: ") + reason);
    return false;
  }

  std::nullopt_t fail_missing_then() {
    if (at(TokenKind::rparen)) return fail(peek().offset, "unbalanced parenthesis");
    const bool action_word =
        at_keyword("permit") || at_keyword("deny") || at_keyword("kill") || at_keyword("log");
    if (at(TokenKind::end) || action_word)
      return fail(peek().offset, "missing 'then' before the action");
    std::string suggestion;
    if (at(TokenKind::identifier)) suggestion = did_you_mean(peek().value, kContinuations);
    return fail_here("expected 'and', 'or' or 'then', found " + found() + suggestion);
  }

  // action := ('permit' | 'deny' | 'deny' '[' ERRNO ']' | 'kill') ['log']
  std::optional<Action> parse_action() {
    const std::string expected =
        "expected an action (permit, deny, deny[ERRNO], kill) after 'then'";
    if (!at(TokenKind::identifier)) {
      if (at(TokenKind::end)) return fail_here(expected);
      return fail_here(expected + ", found " + found());
    }
    const Token& word = peek();
    Action action;
    if (word.value == "permit") {
      action.verdict = Verdict::permit;
    } else if (word.value == "kill") {
      action.verdict = Verdict::kill;
    } else if (word.value == "deny") {
      action.verdict = Verdict::deny;
      action.error = EPERM;  // systrace's default for a bare deny
    } else {
      return fail_here(expected + ", found " + found() + did_you_mean(word.value, kActions));
    }
    advance();
    if (action.verdict == Verdict::deny && at(TokenKind::lbracket)) {
      advance();
      if (!at(TokenKind::identifier))
        return fail_here("expected an errno name such as EACCES in deny[...], found " + found());
      const Token& name = peek();
      std::optional<int> error = errno_from_name(name.value);
      if (!error)
        return fail_here("unknown errno '" + name.value + "' in deny[...]" +
                         did_you_mean(name.value, all_errno_names()));
      action.error = *error;
      advance();
      if (!at(TokenKind::rbracket))
        return fail_here("expected ']' after the errno name, found " + found());
      advance();
    }
    if (at_keyword("log")) {
      advance();
      action.log = true;
    }
    if (!at(TokenKind::end)) return fail_here("unexpected " + found() + " after the action");
    return action;
  }

  std::string_view text_;
  const LexResult& lexed_;
  size_t pos_ = 0;
  int depth_ = 0;
  size_t error_offset_ = 0;
  std::string error_message_;
};

void format_into(const Expr& e, std::string& out);

// Parenthesizes a child whose operators bind more loosely than its parent's (and keeps the
// nesting the tree has, so formatting then parsing gives the same tree).
void format_child(const Expr& child, Expr::Kind parent, std::string& out) {
  const bool is_chain = child.kind == Expr::Kind::And || child.kind == Expr::Kind::Or;
  const bool wrap = is_chain && !(child.kind == Expr::Kind::And && parent == Expr::Kind::Or);
  if (wrap) out += '(';
  format_into(child, out);
  if (wrap) out += ')';
}

void format_into(const Expr& e, std::string& out) {
  switch (e.kind) {
    case Expr::Kind::True:
      out += "true";
      return;
    case Expr::Kind::Pred: {
      const Predicate& p = e.pred;
      out += operand_name(p.operand);
      if (p.index >= 0 && !(p.operand == Operand::filename && p.index == 0))
        out += "[" + std::to_string(p.index) + "]";
      out += ' ';
      out += op_name(p.op);
      out += " \"";
      for (char c : p.value) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
      }
      out += '"';
      return;
    }
    case Expr::Kind::Not:
      out += "not ";
      format_child(e.children.at(0), e.kind, out);
      return;
    case Expr::Kind::And:
    case Expr::Kind::Or:
      for (size_t i = 0; i < e.children.size(); ++i) {
        if (i > 0) out += e.kind == Expr::Kind::And ? " and " : " or ";
        format_child(e.children[i], e.kind, out);
      }
      return;
  }
}

}  // namespace

Result<ParsedRule> parse_rule(std::string_view text, const SourceLocation& origin) {
  const LexResult lexed = tokenize(text);
  Parser parser(text, lexed);
  std::optional<ParsedRule> rule = parser.run();
  if (!rule) return make_error(locate(origin, text, parser.error_offset()), parser.error_message());
  return std::move(*rule);
}

SourceLocation locate(const SourceLocation& origin, std::string_view text, size_t offset) {
  SourceLocation where = origin;
  if (origin.line == 0) return where;
  offset = std::min(offset, text.size());
  size_t line_start = 0;
  int newlines = 0;
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++newlines;
      line_start = i + 1;
    }
  }
  if (newlines == 0) {
    where.column = origin.column + static_cast<int>(offset);
  } else {
    where.line = origin.line + newlines;
    where.column = static_cast<int>(offset - line_start) + 1;
  }
  return where;
}

std::string format_expr(const Expr& e) {
  std::string out;
  format_into(e, out);
  return out;
}

std::string format_action(const Action& a) {
  std::string out;
  switch (a.verdict) {
    case Verdict::permit:
      out = "permit";
      break;
    case Verdict::kill:
      out = "kill";
      break;
    case Verdict::deny: {
      // A number no name is known for is printed as the number, so nothing is lost.
      const std::string_view name = errno_name(a.error);
      out = "deny[" + (name.empty() ? std::to_string(a.error) : std::string(name)) + "]";
    } break;
  }
  if (a.log) out += " log";
  return out;
}

std::string format_rule(const ParsedRule& r) {
  return format_expr(r.expr) + " then " + format_action(r.action);
}

}  // namespace stsh::policy
