// The shell's abstract syntax tree. The parser builds it once and hands it out as
// std::shared_ptr<const Program>; nothing changes it afterwards, so the executor, the expansion
// module and any number of command substitutions may share it freely.
//
// Shape (see shell/parser.h for the grammar):
//   Program       = AndOr items, each run in the foreground or the background ('&')
//   AndOr         = Pipeline, then (&& | ||) Pipeline ...
//   Pipeline      = optional '!', SimpleCommand | SimpleCommand ...
//   SimpleCommand = assignments (NAME=word), words (argv before expansion), redirections
//   Word          = parts: literal text, $parameter, $(command substitution), ~
// Every node keeps its SourceRange (byte offsets into Program::source) for messages.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace stsh::shell {

// Bytes [offset, offset + length) of the source text.
struct SourceRange {
  size_t offset = 0;
  size_t length = 0;

  [[nodiscard]] size_t end() const { return offset + length; }
  bool operator==(const SourceRange&) const = default;
};

struct Program;

// Text taken literally. `quoted` text came from '…', "…", $'…' or a backslash escape: it is
// neither split into fields nor used as a glob pattern. Unquoted text may hold glob characters.
struct LiteralPart {
  std::string text;
  bool quoted = false;
};

// $NAME, ${NAME}, or a special parameter: "?" (last status), "$" (shell pid), "#" (argument
// count), "!" (last background pid), "0".."9" and longer digit strings from ${10}.
struct Word;

// What a ${...} form does with its parameter (POSIX XCU 2.6.2).
enum class ParameterOp : uint8_t {
  plain,          // $NAME, ${NAME}
  length,         // ${#NAME}
  use_default,    // ${NAME-word}, ${NAME:-word}
  assign_default, // ${NAME=word}, ${NAME:=word}
  error_if_unset, // ${NAME?word}, ${NAME:?word}
  use_alternate,  // ${NAME+word}, ${NAME:+word}
  remove_small_suffix,  // ${NAME%pattern}
  remove_large_suffix,  // ${NAME%%pattern}
  remove_small_prefix,  // ${NAME#pattern}
  remove_large_prefix,  // ${NAME##pattern}
};

// $NAME, ${NAME}, ${NAME op word}, or a special parameter: "?" (last status), "$" (shell pid),
// "#" (argument count), "!" (last background pid), "@", "*", "-", "0".."9" and longer digit
// strings from ${10}.
struct ParameterPart {
  std::string name;
  bool quoted = false;  // inside "…": the value is one field and is not globbed
  ParameterOp op = ParameterOp::plain;
  bool colon = false;  // ${NAME:-word} and friends: an empty value counts as unset
  std::shared_ptr<const Word> operand;  // the word after the operator; null without one
};

// $((expression)): the expression's text is expanded like a here-document body (parameters,
// command substitutions), then evaluated as C integer arithmetic (shell/arithmetic.h).
struct ArithmeticPart {
  std::shared_ptr<const Word> expression;
  bool quoted = false;
};

// $(…) or `…`: the executor runs `program` and its output, trailing newlines removed,
// replaces the part.
struct CommandSubstitutionPart {
  std::shared_ptr<const Program> program;
  bool quoted = false;
};

// An unquoted '~' at the start of a word (or after '=' or ':' in an assignment value), followed
// by '/' or the end of the word: the current user's home directory. "~user" stays literal.
struct TildePart {};

using WordPart =
    std::variant<LiteralPart, ParameterPart, CommandSubstitutionPart, TildePart, ArithmeticPart>;

struct Word {
  std::vector<WordPart> parts;  // adjacent literal parts with the same `quoted` are merged
  SourceRange range;
};

// NAME=value before the command name (or alone: then it sets a shell variable).
struct Assignment {
  std::string name;
  Word value;
  SourceRange range;
};

enum class RedirectionKind : uint8_t {
  input,                    // [n]<file          (n defaults to 0)
  output,                   // [n]>file          (n defaults to 1)
  clobber,                  // [n]>|file         (output, even under set -C)
  append,                   // [n]>>file
  read_write,               // [n]<>file         (n defaults to 0)
  output_and_error,         // &>file, >&file    (stdout and stderr; fd is 1)
  append_output_and_error,  // &>>file
  duplicate,                // [n]>&m, [n]<&m    (fd becomes a copy of source_fd)
  close,                    // [n]>&-, [n]<&-
  heredoc,                  // [n]<<WORD, [n]<<-WORD: target is the body
  here_string,              // [n]<<<word: target is the word, a newline is appended
};

struct Redirection {
  RedirectionKind kind = RedirectionKind::input;
  int fd = 0;          // the descriptor being redirected
  Word target;         // file name, here-document body or here-string; empty for duplicate/close
  int source_fd = -1;  // duplicate only
  // Here-documents: the delimiter after quote removal, and whether the body undergoes $…
  // expansion (it does unless some part of the delimiter was quoted). With <<- the leading tabs
  // of the body's lines are already gone from `target`.
  std::string heredoc_delimiter;
  bool heredoc_expands = false;
  SourceRange range;  // the operator through the target word
};

struct CompoundCommand;

// A simple command, or, when `compound` is set, a compound command (or a function definition)
// with the redirections that follow it; then `assignments` and `words` are empty.
struct SimpleCommand {
  std::shared_ptr<const CompoundCommand> compound;
  std::vector<Assignment> assignments;  // in source order
  std::vector<Word> words;              // words[0] is the command name; empty for bare assignments
  std::vector<Redirection> redirections;  // in source order, performed left to right
  SourceRange range;
};

struct Pipeline {
  bool negated = false;                 // leading '!': the status is inverted
  std::vector<SimpleCommand> commands;  // at least one
  SourceRange range;
};

enum class AndOrOp : uint8_t { and_if, or_if };  // &&, ||

struct AndOrTail {
  AndOrOp op = AndOrOp::and_if;
  Pipeline pipeline;
};

struct AndOr {
  Pipeline first;
  std::vector<AndOrTail> rest;
  bool background = false;  // terminated by '&'
  SourceRange range;
};

struct CaseItem {
  std::vector<Word> patterns;  // pat1 | pat2 ...
  std::shared_ptr<const Program> body;
};

// The compound commands of XCU 2.9.4 and function definitions (2.9.5). Lists are Programs that
// share the enclosing source.
struct CompoundCommand {
  enum class Kind : uint8_t {
    group,     // { list; }
    subshell,  // ( list )
    if_clause,  // lists: condition, body, [condition, body (elif)]..., [else body]
    while_loop,  // lists: condition, body
    until_loop,  // lists: condition, body
    for_loop,    // name, words (when has_in), lists: body
    case_clause,  // subject, items
    function_definition,  // name, function_body
  };
  Kind kind = Kind::group;
  std::vector<std::shared_ptr<const Program>> lists;
  bool has_else = false;
  std::string name;
  std::vector<Word> words;
  bool has_in = false;
  Word subject;
  std::vector<CaseItem> items;
  std::shared_ptr<const SimpleCommand> function_body;
  SourceRange range;
};

struct Program {
  std::vector<AndOr> items;  // empty for blank input or comments only
  SourceRange range;
  // The text every range in this tree refers to. Command substitutions share their parent's
  // source; a backquoted `…` has its own (its text after unescaping).
  std::shared_ptr<const std::string> source;

  [[nodiscard]] std::string_view text(SourceRange r) const {
    return std::string_view(*source).substr(r.offset, r.length);
  }
};

// 1-based line and column of a byte offset. Columns count characters (UTF-8 code points),
// a tab counts as one.
struct SourcePosition {
  int line = 1;
  int column = 1;
};
[[nodiscard]] SourcePosition locate(std::string_view source, size_t offset);

}  // namespace stsh::shell
