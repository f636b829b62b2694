// The stsh command language: source text in, an immutable AST (shell/ast.h) out. No I/O.
//
// Supported grammar (bash habits; POSIX sh where they agree):
//
//   program     := { and_or ( ';' | '&' | newline ) } [ and_or ]
//   and_or      := pipeline { ( '&&' | '||' ) newline* pipeline }
//   pipeline    := [ '!' ] command { '|' newline* command }
//   command     := { assignment | redirection } { word | redirection }     (at least one item)
//   assignment  := NAME=word before the command name; NAME is [A-Za-z_][A-Za-z0-9_]*
//   redirection := [n]<word  [n]>word  [n]>>word  [n]>|word  [n]<>word
//                  [n]>&m  [n]<&m  [n]>&-  [n]<&-  &>word  &>>word  >&word (= &>word)
//                  [n]<<WORD  [n]<<-WORD  [n]<<<word
//                  n and m are decimal descriptors 0-255 written without spaces before the
//                  operator; after >& and <& the word must be digits or '-' (no expansions).
//
// Words: unquoted text; '…' (everything literal); "…" ($, `…` and \ before $ ` " \ newline
// stay special); $'…' with C escapes (\n \t \xHH \0NNN …); $"…" is the same as "…"; a
// backslash quotes the next character; backslash-newline disappears (line continuation).
// A newline inside quotes is part of the word; outside, it ends a command like ';'.
// A '#' at the start of a word starts a comment that runs to the end of the line.
//
// Expansions recorded in the AST and performed by shell/expand.h: $NAME ${NAME} $? $$ $# $!
// $0…$9 ${10}…; $(…) (nested, also inside "…"; its inside is a full program) and `…`; a
// leading ~ or ~/… (the user's own home; ~user stays literal); unquoted * ? [...] are globs.
//
// Here-documents: the bodies of the here-documents announced on a line follow that line, in
// order, each up to a line equal to its delimiter. A quoted delimiter ('EOF', "EOF", \EOF)
// keeps the body literal; otherwise $…, $(…) and `…` expand in it and \ escapes $ ` \ and
// newline. <<- strips leading tabs from the body's lines and the delimiter line.
//
// Rejected with a message naming the construct ("… is not supported in stsh"): function
// definitions (f() {…}, function f), subshells ( … ), groups { … }, if/while/until/for/select/
// case and their keywords, [[ … ]], ((…)), $((…)), coproc, process substitution <(…) >(…),
// |&, $@ $* $-, and ${…} forms other than ${NAME}. Keywords are recognized only unquoted and as
// the first word of a command; `time` is an ordinary command name.
//
// Limits: descriptors 0-255; $(…) and `…` nest at most 64 deep; no brace expansion ({a,b}
// stays literal), no arrays, no ${NAME:-word} forms, no aliases, no history expansion (!).
// An unquoted '!' is the negation only as a separate word at the start of a pipeline.
//
// Incomplete input (status incomplete) is input that more lines could complete: an unclosed
// quote, $( or ${ or `, a trailing |, && or || (or one followed only by newlines), a trailing
// backslash, and a here-document whose terminator line has not come. An interactive loop then
// reads another line and parses the whole text again, joined with "\n". A non-interactive
// caller (stsh -c, scripts) reports incomplete input as an error: message() names what is open.
// Syntax errors are reported once, at the first problem in reading order, with line:column;
// nothing of the input may run then.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "policy/result.h"
#include "shell/ast.h"

namespace stsh::shell {

enum class ParseStatus : uint8_t { ok, incomplete, error };

struct ParseResult {
  ParseStatus status = ParseStatus::ok;
  std::shared_ptr<const Program> program;  // set iff status == ok
  // Unless ok: where (1-based where.line and where.column; where.file empty) and what, e.g.
  // {1, 7} "unexpected '|'", or for incomplete input {1, 6} "unterminated double quote".
  Error error;

  [[nodiscard]] bool ok() const { return status == ParseStatus::ok; }
  // "syntax error at 1:7: unexpected '|'"; empty when ok.
  [[nodiscard]] std::string message() const;
};

// Parses a whole input (one line, or several joined with "\n"). Never throws, never does I/O.
[[nodiscard]] ParseResult parse(std::string source);

}  // namespace stsh::shell
