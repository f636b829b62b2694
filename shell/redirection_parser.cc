// Builds a Redirection from its operator token and target word.
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "shell/parse_internal.h"

namespace stsh::shell::detail {

namespace {

std::string strip_leading_tabs(std::string_view body) {
  std::string out;
  bool line_start = true;
  for (char c : body) {
    if (line_start && c == '\t') continue;
    line_start = c == '\n';
    out += c;
  }
  return out;
}

std::optional<SyntaxError> set_target(const ParseContext& ctx, const Token& target,
                                      Redirection& r) {
  auto word = parse_word(ctx, target.range, WordMode::command);
  if (!word.ok()) return std::move(word.error());
  r.target = std::move(word.value());
  return std::nullopt;
}

// [n]>&m, [n]<&m, [n]>&-, and bash's >&file (the same as &>file).
std::optional<SyntaxError> fill_duplication(const ParseContext& ctx, const Token& op,
                                            const Token& target, Redirection& r) {
  const std::string_view t = token_text(ctx, target);
  if (t == "-") {
    r.kind = RedirectionKind::close;
    return std::nullopt;
  }
  const bool digits = t.find_first_not_of("0123456789") == std::string_view::npos;
  if (digits && t.size() <= 3 && std::stoi(std::string(t)) <= kMaxRedirectionFd) {
    r.kind = RedirectionKind::duplicate;
    r.source_fd = std::stoi(std::string(t));
    return std::nullopt;
  }
  if (!digits && op.op == RedirectionOp::greatand && op.fd < 0) {
    r.kind = RedirectionKind::output_and_error;
    return set_target(ctx, target, r);
  }
  const std::string op_text = op.op == RedirectionOp::lessand ? "<&" : ">&";
  return SyntaxError{target.range.offset,
                     "'" + op_text + "' needs a file descriptor number (0-255) or '-', found " +
                         describe(ctx, target)};
}

std::optional<SyntaxError> fill_heredoc(const ParseContext& ctx, const Token& op, Redirection& r) {
  r.kind = RedirectionKind::heredoc;
  r.heredoc_delimiter = op.heredoc_delimiter;
  r.heredoc_expands = !op.heredoc_quoted;
  r.target.range = op.heredoc_body;
  if (op.heredoc_quoted) {
    const std::string_view body = token_text(ctx, op.heredoc_body);
    std::string text = op.heredoc_strip_tabs ? strip_leading_tabs(body) : std::string(body);
    if (!text.empty()) r.target.parts.emplace_back(LiteralPart{std::move(text), true});
    return std::nullopt;
  }
  const ParseContext body_ctx{ctx.source, ctx.depth, /* top_level= */ false,
                              "end of the here-document"};
  auto word = parse_word(
      body_ctx, op.heredoc_body,
      op.heredoc_strip_tabs ? WordMode::heredoc_body_strip_tabs : WordMode::heredoc_body);
  if (!word.ok()) return std::move(word.error());
  r.target = std::move(word.value());
  return std::nullopt;
}

}  // namespace

std::optional<SyntaxError> build_redirection(const ParseContext& ctx, const Token& op,
                                             const Token& target, Redirection& r) {
  using K = RedirectionKind;
  using Op = RedirectionOp;
  const bool reads = op.op == Op::less || op.op == Op::lessgreat || op.op == Op::lessand ||
                     op.op == Op::dless || op.op == Op::dless_dash || op.op == Op::tless;
  r.fd = op.fd >= 0 ? op.fd : (reads ? 0 : 1);
  r.range = {op.range.offset, target.range.end() - op.range.offset};
  switch (op.op) {
    case Op::less:
      r.kind = K::input;
      break;
    case Op::great:
      r.kind = K::output;
      break;
    case Op::dgreat:
      r.kind = K::append;
      break;
    case Op::clobber:
      r.kind = K::clobber;
      break;
    case Op::lessgreat:
      r.kind = K::read_write;
      break;
    case Op::and_great:
      r.kind = K::output_and_error;
      break;
    case Op::and_dgreat:
      r.kind = K::append_output_and_error;
      break;
    case Op::tless:
      r.kind = K::here_string;
      break;
    case Op::lessand:
    case Op::greatand:
      return fill_duplication(ctx, op, target, r);
    case Op::dless:
    case Op::dless_dash:
      return fill_heredoc(ctx, op, r);
  }
  return set_target(ctx, target, r);
}

std::string_view token_text(const ParseContext& ctx, SourceRange range) {
  return std::string_view(*ctx.source).substr(range.offset, range.length);
}

std::string_view token_text(const ParseContext& ctx, const Token& token) {
  return token_text(ctx, token.range);
}

std::string describe(const ParseContext& ctx, const Token& token) {
  switch (token.kind) {
    case TokenKind::newline:
      return "newline";
    case TokenKind::end:
      return ctx.end_name;
    default: {
      constexpr size_t kShown = 20;
      const std::string_view text = token_text(ctx, token);
      if (text.size() <= kShown) return "'" + std::string(text) + "'";
      return "'" + std::string(text.substr(0, kShown)) + "...'";
    }
  }
}

}  // namespace stsh::shell::detail
