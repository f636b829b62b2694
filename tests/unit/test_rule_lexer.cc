#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "policy/rule_lexer.h"

using namespace stsh::policy;

namespace {

struct Expected {
  TokenKind kind;
  size_t offset;
  size_t length;
  std::string value;
};

void check_tokens(std::string_view text, const std::vector<Expected>& expected) {
  INFO(text);
  const LexResult r = tokenize(text);
  REQUIRE(r.ok());
  REQUIRE(r.tokens.size() == expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    INFO("token " << i);
    CHECK(r.tokens[i].kind == expected[i].kind);
    CHECK(r.tokens[i].offset == expected[i].offset);
    CHECK(r.tokens[i].length == expected[i].length);
    CHECK(r.tokens[i].value == expected[i].value);
  }
}

}  // namespace

TEST_CASE("lexer: every token kind with its source range", "[lexer]") {
  check_tokens(R"(argv[12] eq "x" then deny[EPERM] log)",
               {
                   {TokenKind::identifier, 0, 4, "argv"},
                   {TokenKind::lbracket, 4, 1, "["},
                   {TokenKind::integer, 5, 2, "12"},
                   {TokenKind::rbracket, 7, 1, "]"},
                   {TokenKind::identifier, 9, 2, "eq"},
                   {TokenKind::string, 12, 3, "x"},
                   {TokenKind::identifier, 16, 4, "then"},
                   {TokenKind::identifier, 21, 4, "deny"},
                   {TokenKind::lbracket, 25, 1, "["},
                   {TokenKind::identifier, 26, 5, "EPERM"},
                   {TokenKind::rbracket, 31, 1, "]"},
                   {TokenKind::identifier, 33, 3, "log"},
                   {TokenKind::end, 36, 0, ""},
               });
  check_tokens("(not_x)", {
                              {TokenKind::lparen, 0, 1, "("},
                              {TokenKind::identifier, 1, 5, "not_x"},
                              {TokenKind::rparen, 6, 1, ")"},
                              {TokenKind::end, 7, 0, ""},
                          });
}

TEST_CASE("lexer: whitespace, newlines and empty input", "[lexer]") {
  check_tokens("", {{TokenKind::end, 0, 0, ""}});
  check_tokens(" \t\r\n ", {{TokenKind::end, 5, 0, ""}});
  check_tokens("a\n\tb  ", {
                               {TokenKind::identifier, 0, 1, "a"},
                               {TokenKind::identifier, 3, 1, "b"},
                               {TokenKind::end, 6, 0, ""},
                           });
}

TEST_CASE("lexer: digits and letters split into integer then identifier", "[lexer]") {
  check_tokens("007x_1", {
                             {TokenKind::integer, 0, 3, "007"},
                             {TokenKind::identifier, 3, 3, "x_1"},
                             {TokenKind::end, 6, 0, ""},
                         });
}

TEST_CASE("lexer: string escapes", "[lexer]") {
  // Source: "a\"b\\c" — 9 bytes, value a"b\c.
  check_tokens(R"("a\"b\\c")", {
                                   {TokenKind::string, 0, 9, "a\"b\\c"},
                                   {TokenKind::end, 9, 0, ""},
                               });
  check_tokens(R"("")", {{TokenKind::string, 0, 2, ""}, {TokenKind::end, 2, 0, ""}});
  // Everything but \ and " is literal inside a string, including ( ] $ and spaces.
  check_tokens(R"("$HOME/(x] y")",
               {{TokenKind::string, 0, 13, "$HOME/(x] y"}, {TokenKind::end, 13, 0, ""}});
  check_tokens("\"caf\xc3\xa9\"",
               {{TokenKind::string, 0, 7, "caf\xc3\xa9"}, {TokenKind::end, 7, 0, ""}});
}

TEST_CASE("lexer: unknown escape", "[lexer]") {
  const LexResult r = tokenize(R"(eq "ab\q" x)");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error->code == LexErrorCode::unknown_escape);
  CHECK(r.error->offset == 6);
  CHECK(r.error->message == "unknown escape '\\q' in string");
  // Tokens before the error survive; the error token is last.
  REQUIRE(r.tokens.size() == 2);
  CHECK(r.tokens[0].kind == TokenKind::identifier);
  CHECK(r.tokens[1].kind == TokenKind::error);
  CHECK(r.tokens[1].offset == 3);

  const LexResult n = tokenize("\"\\n\"");
  REQUIRE_FALSE(n.ok());
  CHECK(n.error->message == "unknown escape '\\n' in string");
  const LexResult bin = tokenize("\"\\\x01\"");
  REQUIRE_FALSE(bin.ok());
  CHECK(bin.error->message == "unknown escape '\\\\x01' in string");
}

TEST_CASE("lexer: unterminated string", "[lexer]") {
  for (std::string_view text : {R"(x "abc)", R"(x "abc\")", R"(x "abc\)", R"(x ")"}) {
    INFO(text);
    const LexResult r = tokenize(text);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error->code == LexErrorCode::unterminated_string);
    CHECK(r.error->offset == 2);
    CHECK(r.error->message == "unterminated string");
    REQUIRE(r.tokens.size() == 2);
    CHECK(r.tokens.back().kind == TokenKind::error);
    CHECK(r.tokens.back().offset == 2);
    CHECK(r.tokens.back().length == text.size() - 2);
  }
}

TEST_CASE("lexer: unexpected characters", "[lexer]") {
  const LexResult r = tokenize("a & b");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error->code == LexErrorCode::unexpected_character);
  CHECK(r.error->offset == 2);
  CHECK(r.error->message == "unexpected character '&'");
  REQUIRE(r.tokens.size() == 2);
  CHECK(r.tokens[1].kind == TokenKind::error);
  CHECK(r.tokens[1].value == "&");

  CHECK(tokenize("/etc").error->message == "unexpected character '/'");
  CHECK(tokenize("'x'").error->message == "unexpected character '''");
  CHECK(tokenize("\xc3\xa9").error->message == "unexpected character '\\xc3'");
  CHECK(tokenize(std::string_view("a\0", 2)).error->message == "unexpected character '\\x00'");

  const LexResult nul = tokenize(std::string_view("\"a\0b\"", 5));
  REQUIRE_FALSE(nul.ok());
  CHECK(nul.error->offset == 2);
  CHECK(nul.error->message == "unexpected character '\\x00' in string");
}

TEST_CASE("lexer: display_char", "[lexer]") {
  CHECK(display_char('a') == "a");
  CHECK(display_char(' ') == " ");
  CHECK(display_char('\n') == "\\x0a");
  CHECK(display_char('\x7f') == "\\x7f");
  CHECK(display_char('\xff') == "\\xff");
}

TEST_CASE("lexer: string_value_offset maps value bytes back to the source", "[lexer]") {
  // x "a\"$B" : the literal starts at 2; value is a"$B.
  const std::string_view text = R"(x "a\"$B")";
  CHECK(string_value_offset(text, 2, 0) == 3);  // a
  CHECK(string_value_offset(text, 2, 1) == 4);  // the backslash of \"
  CHECK(string_value_offset(text, 2, 2) == 6);  // $
  CHECK(string_value_offset(text, 2, 3) == 7);  // B
  CHECK(string_value_offset(text, 2, 4) == 8);  // closing quote
  CHECK(string_value_offset(text, 2, 99) == 8);
}
