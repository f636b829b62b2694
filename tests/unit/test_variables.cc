#include <catch2/catch.hpp>

#include "policy/paths.h"
#include "policy/variables.h"

using namespace stsh::policy;

TEST_CASE("variables expand from the passwd entry") {
  const Variables v{"/home/alice", "alice", "1000"};
  std::string out;
  REQUIRE_FALSE(expand_variables("$HOME/**", v, out));
  CHECK(out == "/home/alice/**");
  REQUIRE_FALSE(expand_variables("/srv/${USER}_data/$UID", v, out));
  CHECK(out == "/srv/alice_data/1000");
  REQUIRE_FALSE(expand_variables("/price/$$5", v, out));
  CHECK(out == "/price/$5");
  REQUIRE_FALSE(expand_variables("/plain", v, out));
  CHECK(out == "/plain");
}

TEST_CASE("variable errors point at the dollar sign") {
  const Variables v{"/home/alice", "alice", "1000"};
  std::string out;
  auto err = expand_variables("/x/$HOEM/y", v, out);
  REQUIRE(err);
  CHECK(err->offset == 3);
  CHECK(err->message == "unknown variable '$HOEM' (known: $HOME, $USER, $UID)");
  err = expand_variables("/x/${HOME", v, out);
  REQUIRE(err);
  CHECK(err->message == "unterminated '${'");
  err = expand_variables("/x/${}", v, out);
  REQUIRE(err);
  CHECK(err->offset == 3);
  // A '$' that starts no name is literal: regular expressions keep their anchors.
  REQUIRE_FALSE(expand_variables("^-[a-z]+$", v, out));
  CHECK(out == "^-[a-z]+$");
  REQUIRE_FALSE(expand_variables("a$1b$-", v, out));
  CHECK(out == "a$1b$-");
  // The environment is never consulted.
  setenv("EVIL", "/", 1);
  CHECK(expand_variables("$EVIL", v, out));
}

TEST_CASE("lexical normalization") {
  CHECK(*lexically_normal("/a//b/./c/") == "/a/b/c");
  CHECK(*lexically_normal("/a/b/../c") == "/a/c");
  CHECK(*lexically_normal("/..") == "/");
  CHECK(*lexically_normal("/") == "/");
  CHECK_FALSE(lexically_normal("a/b"));
  CHECK_FALSE(lexically_normal(""));
  CHECK(is_lexically_normal("/etc/passwd"));
  CHECK_FALSE(is_lexically_normal("/etc//passwd"));
}
