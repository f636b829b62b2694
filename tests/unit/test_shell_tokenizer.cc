#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "shell/tokenizer.h"

using namespace stsh::shell;

namespace {

struct Expected {
  TokenKind kind;
  size_t offset;
  size_t length;
};

std::vector<Token> tokens_of(std::string_view text) {
  return tokenize(text, 0, text.size()).tokens;
}

void check_tokens(std::string_view text, const std::vector<Expected>& expected) {
  INFO(text);
  const std::vector<Token> tokens = tokens_of(text);
  REQUIRE(tokens.size() == expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    INFO("token " << i);
    CHECK(tokens[i].kind == expected[i].kind);
    CHECK(tokens[i].range.offset == expected[i].offset);
    CHECK(tokens[i].range.length == expected[i].length);
  }
}

// The error token that ends the token stream of `text`.
Token error_of(std::string_view text) {
  const std::vector<Token> tokens = tokens_of(text);
  REQUIRE(!tokens.empty());
  return tokens.back();
}

}  // namespace

TEST_CASE("tokenizer: words and operators with their source ranges", "[shell][tokenizer]") {
  using K = TokenKind;
  check_tokens("echo a|b||c&&d;e&f\ng", {{K::word, 0, 4},
                                         {K::word, 5, 1},
                                         {K::pipe, 6, 1},
                                         {K::word, 7, 1},
                                         {K::or_if, 8, 2},
                                         {K::word, 10, 1},
                                         {K::and_if, 11, 2},
                                         {K::word, 13, 1},
                                         {K::semicolon, 14, 1},
                                         {K::word, 15, 1},
                                         {K::ampersand, 16, 1},
                                         {K::word, 17, 1},
                                         {K::newline, 18, 1},
                                         {K::word, 19, 1},
                                         {K::end, 20, 0}});
  check_tokens("( ) |&",
               {{K::lparen, 0, 1}, {K::rparen, 2, 1}, {K::pipe_ampersand, 4, 2}, {K::end, 6, 0}});
  check_tokens("", {{K::end, 0, 0}});
  check_tokens("  \t ", {{K::end, 4, 0}});
}

TEST_CASE("tokenizer: quotes, escapes and substitutions stay inside one word",
          "[shell][tokenizer]") {
  using K = TokenKind;
  check_tokens(R"(a'b c'"d e"\ f g)", {{K::word, 0, 14}, {K::word, 15, 1}, {K::end, 16, 0}});
  check_tokens("x$(echo a | b; c)y z", {{K::word, 0, 18}, {K::word, 19, 1}, {K::end, 20, 0}});
  check_tokens(R"x("$(echo ")")" x)x", {{K::word, 0, 13}, {K::word, 14, 1}, {K::end, 15, 0}});
  check_tokens("$(a $(b (c)) d) e", {{K::word, 0, 15}, {K::word, 16, 1}, {K::end, 17, 0}});
  check_tokens("${A B} c", {{K::word, 0, 6}, {K::word, 7, 1}, {K::end, 8, 0}});
  check_tokens("`a | b` c", {{K::word, 0, 7}, {K::word, 8, 1}, {K::end, 9, 0}});
  check_tokens(R"($'a\'b c' d)", {{K::word, 0, 9}, {K::word, 10, 1}, {K::end, 11, 0}});
  // A newline inside quotes is part of the word, not a separator.
  check_tokens("echo 'a\nb'", {{K::word, 0, 4}, {K::word, 5, 5}, {K::end, 10, 0}});
}

TEST_CASE("tokenizer: comments and line continuations", "[shell][tokenizer]") {
  using K = TokenKind;
  check_tokens("a # b | c\nd",
               {{K::word, 0, 1}, {K::newline, 9, 1}, {K::word, 10, 1}, {K::end, 11, 0}});
  check_tokens("a#b", {{K::word, 0, 3}, {K::end, 3, 0}});
  check_tokens("a;#b", {{K::word, 0, 1}, {K::semicolon, 1, 1}, {K::end, 4, 0}});
  check_tokens("a \\\n b", {{K::word, 0, 1}, {K::word, 5, 1}, {K::end, 6, 0}});
  check_tokens("a\\\nb", {{K::word, 0, 4}, {K::end, 4, 0}});
  // The comment inside $( ) swallows the ')' up to the end of the line.
  check_tokens("$(a # )\n) b", {{K::word, 0, 9}, {K::word, 10, 1}, {K::end, 11, 0}});
}

TEST_CASE("tokenizer: redirection operators, longest match, descriptor prefixes",
          "[shell][tokenizer]") {
  struct Case {
    std::string_view text;
    RedirectionOp op;
    int fd;
    size_t length;
  };
  const std::vector<Case> cases = {
      {"<", RedirectionOp::less, -1, 1},         {">", RedirectionOp::great, -1, 1},
      {">>", RedirectionOp::dgreat, -1, 2},      {">|", RedirectionOp::clobber, -1, 2},
      {"<>", RedirectionOp::lessgreat, -1, 2},   {"<&", RedirectionOp::lessand, -1, 2},
      {">&", RedirectionOp::greatand, -1, 2},    {"&>", RedirectionOp::and_great, -1, 2},
      {"&>>", RedirectionOp::and_dgreat, -1, 3}, {"<<", RedirectionOp::dless, -1, 2},
      {"<<-", RedirectionOp::dless_dash, -1, 3}, {"<<<", RedirectionOp::tless, -1, 3},
      {"2>", RedirectionOp::great, 2, 2},        {"2>>", RedirectionOp::dgreat, 2, 3},
      {"10<&", RedirectionOp::lessand, 10, 4},   {"255>", RedirectionOp::great, 255, 4},
  };
  for (const Case& c : cases) {
    const std::string text = std::string(c.text) + "x";
    INFO(text);
    const std::vector<Token> tokens = tokens_of(text);
    REQUIRE(tokens.size() == 3);
    CHECK(tokens[0].kind == TokenKind::redirection);
    CHECK(tokens[0].op == c.op);
    CHECK(tokens[0].fd == c.fd);
    CHECK(tokens[0].range.length == c.length);
    CHECK(tokens[1].kind == TokenKind::word);
  }
  // Digits not directly before < or > are a word.
  check_tokens("2 >x", {{TokenKind::word, 0, 1},
                        {TokenKind::redirection, 2, 1},
                        {TokenKind::word, 3, 1},
                        {TokenKind::end, 4, 0}});
  check_tokens("a2>x", {{TokenKind::word, 0, 2},
                        {TokenKind::redirection, 2, 1},
                        {TokenKind::word, 3, 1},
                        {TokenKind::end, 4, 0}});
  const Token big = error_of("echo 256>x");
  CHECK(big.kind == TokenKind::error);
  CHECK(big.error == TokenizerError::fd_out_of_range);
  CHECK(big.range.offset == 5);
}

TEST_CASE("tokenizer: here-document bodies attach to their operators in order",
          "[shell][tokenizer]") {
  const std::string text = "cat <<A <<-'B' | x\nbody a\nA\n\tbody b\n\tB\nnext";
  const std::vector<Token> tokens = tokens_of(text);
  // cat << A <<- 'B' | x newline next end
  REQUIRE(tokens.size() == 10);
  const Token& a = tokens[1];
  const Token& b = tokens[3];
  CHECK(a.op == RedirectionOp::dless);
  CHECK(a.heredoc_delimiter == "A");
  CHECK_FALSE(a.heredoc_quoted);
  CHECK_FALSE(a.heredoc_strip_tabs);
  CHECK(text.substr(a.heredoc_body.offset, a.heredoc_body.length) == "body a\n");
  CHECK(b.op == RedirectionOp::dless_dash);
  CHECK(b.heredoc_delimiter == "B");
  CHECK(b.heredoc_quoted);
  CHECK(b.heredoc_strip_tabs);
  CHECK(text.substr(b.heredoc_body.offset, b.heredoc_body.length) == "\tbody b\n");
  CHECK(tokens[7].kind == TokenKind::newline);
  CHECK(tokens[8].kind == TokenKind::word);
  CHECK(text.substr(tokens[8].range.offset, tokens[8].range.length) == "next");

  SECTION("the streaming tokenizer emits the bodies after the newline") {
    Tokenizer t(text, 0, text.size());
    std::vector<TokenKind> kinds;
    for (Token tok = t.next(); tok.kind != TokenKind::end; tok = t.next())
      kinds.push_back(tok.kind);
    using K = TokenKind;
    CHECK(kinds == std::vector<K>{K::word, K::redirection, K::word, K::redirection, K::word,
                                  K::pipe, K::word, K::newline, K::heredoc_body, K::heredoc_body,
                                  K::word});
  }
  SECTION("a terminator at the very end needs no newline; an empty body is empty") {
    const std::vector<Token> t2 = tokens_of("cat <<E\nE");
    REQUIRE(t2.size() == 5);
    CHECK(t2[1].heredoc_body.length == 0);
    CHECK(t2[4].kind == TokenKind::end);
  }
  SECTION("a backslash-newline in an expanding body hides the next line from the terminator") {
    const std::string t3 = "cat <<E\na\\\nE\nE\n";
    const std::vector<Token> toks = tokens_of(t3);
    CHECK(t3.substr(toks[1].heredoc_body.offset, toks[1].heredoc_body.length) == "a\\\nE\n");
  }
}

TEST_CASE("tokenizer: here-document delimiters after quote removal", "[shell][tokenizer]") {
  CHECK(heredoc_delimiter("EOF").text == "EOF");
  CHECK_FALSE(heredoc_delimiter("EOF").quoted);
  CHECK(heredoc_delimiter("'EOF'").text == "EOF");
  CHECK(heredoc_delimiter("'EOF'").quoted);
  CHECK(heredoc_delimiter("\"E\"OF").text == "EOF");
  CHECK(heredoc_delimiter("\\EOF").text == "EOF");
  CHECK(heredoc_delimiter("\\EOF").quoted);
  CHECK(heredoc_delimiter("$X").text == "$X");
}

TEST_CASE("tokenizer: errors, where they point and which ones mean incomplete",
          "[shell][tokenizer]") {
  struct Case {
    std::string_view text;
    TokenizerError error;
    size_t offset;
    bool incomplete;
  };
  using E = TokenizerError;
  const std::vector<Case> cases = {
      {"echo 'abc", E::unterminated_single_quote, 5, true},
      {"echo \"abc", E::unterminated_double_quote, 5, true},
      {"echo \"$(a\"", E::unterminated_double_quote, 9, true},
      {"echo $'abc", E::unterminated_ansi_quote, 5, true},
      {"echo `abc", E::unterminated_backquote, 5, true},
      {"echo $(abc", E::unterminated_command_substitution, 5, true},
      {"echo a$(b $(c)", E::unterminated_command_substitution, 6, true},
      {"echo ${abc", E::unterminated_parameter, 5, true},
      {"echo \\", E::trailing_backslash, 5, true},
      {"cat <<EOF", E::unterminated_heredoc, 4, true},
      {"cat <<EOF\nabc\n", E::unterminated_heredoc, 4, true},
      {"x $(cat <<E)", E::heredoc_without_body, 11, false},
      {"echo $((1)", E::unterminated_arithmetic, 5, true},
      {"echo 999<x", E::fd_out_of_range, 5, false},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    const Token t = error_of(c.text);
    REQUIRE(t.kind == TokenKind::error);
    CHECK(t.error == c.error);
    CHECK(t.range.offset == c.offset);
    CHECK(is_incomplete(t.error) == c.incomplete);
    CHECK_FALSE(describe(t.error).empty());
  }
}

TEST_CASE("tokenizer: command substitutions nest only so deep", "[shell][tokenizer]") {
  std::string deep;
  for (int i = 0; i < kMaxNesting + 1; ++i) deep += "$(";
  deep += "x";
  for (int i = 0; i < kMaxNesting + 1; ++i) deep += ")";
  const Token t = error_of(deep);
  CHECK(t.error == TokenizerError::nesting_too_deep);

  std::string ok;
  for (int i = 0; i < kMaxNesting; ++i) ok += "$(";
  ok += "x";
  for (int i = 0; i < kMaxNesting; ++i) ok += ")";
  CHECK(error_of(ok).kind == TokenKind::end);
}
