#include "shell/ast.h"

namespace stsh::shell {

SourcePosition locate(std::string_view source, size_t offset) {
  SourcePosition p;
  if (offset > source.size()) offset = source.size();
  for (size_t i = 0; i < offset; ++i) {
    const auto c = static_cast<unsigned char>(source[i]);
    if (c == '\n') {
      ++p.line;
      p.column = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++p.column;
    }
  }
  return p;
}

}  // namespace stsh::shell
