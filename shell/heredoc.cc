// Here-documents in the tokenizer: reading the bodies after a line, and the delimiter's text.
#include <string>
#include <string_view>
#include <utility>

#include "shell/tokenizer.h"

namespace stsh::shell {

void Tokenizer::read_heredoc_bodies() {
  while (!pending_.empty()) {
    const PendingHeredoc doc = std::move(pending_.front());
    pending_.pop_front();
    const size_t body_start = pos_;
    bool continued = false;  // the previous line ended in an unescaped backslash
    while (true) {
      if (pos_ >= end_) {
        queued_.push_back(error_at(doc.op_offset, TokenizerError::unterminated_heredoc));
        pending_.clear();
        return;
      }
      size_t line_end = src_.find('\n', pos_);
      if (line_end == std::string_view::npos || line_end > end_) line_end = end_;
      std::string_view line = src_.substr(pos_, line_end - pos_);
      std::string_view check = line;
      if (doc.strip_tabs) {
        while (!check.empty() && check.front() == '\t') check.remove_prefix(1);
      }
      if (!continued && check == doc.delimiter) {
        Token body;
        body.kind = TokenKind::heredoc_body;
        body.range = {body_start, pos_ - body_start};
        body.heredoc_body = body.range;
        body.heredoc_delimiter = doc.delimiter;
        body.heredoc_quoted = doc.quoted;
        body.heredoc_strip_tabs = doc.strip_tabs;
        queued_.push_back(std::move(body));
        pos_ = line_end < end_ ? line_end + 1 : end_;
        break;
      }
      // In an expanding body, backslash-newline joins lines: the next line cannot terminate it.
      size_t backslashes = 0;
      while (backslashes < line.size() && line[line.size() - 1 - backslashes] == '\\') {
        ++backslashes;
      }
      continued = !doc.quoted && backslashes % 2 == 1;
      pos_ = line_end < end_ ? line_end + 1 : end_;
    }
  }
}

HeredocDelimiter heredoc_delimiter(std::string_view word) {
  HeredocDelimiter d;
  for (size_t i = 0; i < word.size(); ++i) {
    const char c = word[i];
    if (c == '\\' && i + 1 < word.size()) {
      d.quoted = true;
      d.text += word[++i];
    } else if (c == '\'') {
      d.quoted = true;
      while (++i < word.size() && word[i] != '\'') d.text += word[i];
    } else if (c == '"') {
      d.quoted = true;
      while (++i < word.size() && word[i] != '"') {
        if (word[i] == '\\' && i + 1 < word.size() &&
            std::string_view("$`\"\\").find(word[i + 1]) != std::string_view::npos) {
          ++i;
        }
        d.text += word[i];
      }
    } else {
      d.text += c;
    }
  }
  return d;
}

}  // namespace stsh::shell
