// A compact, shell-like rendering of the AST, for tests and debugging (`stsh --dump-ast`).
//
//   Program      items joined by "; ", a background item ends in " &"
//   AndOr        pipelines joined by " && " / " || "
//   Pipeline     "! " if negated, then commands joined by " | "
//   Command      "(" assignments, words, redirections ")" separated by spaces
//   Redirection  fd, operator, target: 0<in 1>out 1>>log 1>|f 0<>f &>f &>>f 2>&1 2>&- 0<<<word
//                here-documents: 0<<EOF{body} (expanding) or 0<<'EOF'{body} (literal)
//   Word parts   unquoted text as is but for \ before ~ $ ' " \ ( ); quoted text in '…'
//                (\' \\ \n \t \xHH escaped); ${NAME} or "${NAME}"; $( program ) or
//                "$( program )"; ~ for a TildePart
#pragma once

#include <string>

#include "shell/ast.h"

namespace stsh::shell {

[[nodiscard]] std::string dump(const Program& program);
[[nodiscard]] std::string dump(const SimpleCommand& command);
[[nodiscard]] std::string dump(const CompoundCommand& command);
[[nodiscard]] std::string dump(const Redirection& redirection);
[[nodiscard]] std::string dump(const Word& word);

}  // namespace stsh::shell
