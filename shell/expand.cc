#include "shell/expand.h"

#include <type_traits>
#include <utility>
#include <variant>

#include "shell/glob.h"

namespace stsh::shell {

namespace {

bool is_field_separator(char c) {
  return c == ' ' || c == '\t' || c == '\n';
}

// Expands one word into fields. Each field keeps, per byte, whether the byte may act as a glob
// character: unquoted literal text and the results of unquoted expansions may, quoted text and
// tilde results may not.
class WordExpander {
 public:
  WordExpander(ExpansionContext& context, bool split) : context_(context), split_(split) {}

  Status expand(const Word& word) {
    for (const WordPart& part : word.parts) {
      Status status = std::visit([&](const auto& p) { return expand_part(p); }, part);
      if (!status) return status;
    }
    return Ok{};
  }

  // The fields of the word (split mode).
  std::vector<GlobPattern> finish() {
    if (started_) end_field();
    return std::move(fields_);
  }

  // The whole word as one string (single mode, where nothing is split off).
  std::string text() && { return std::move(current_.text); }

 private:
  Status expand_part(const LiteralPart& p) {
    append(p.text, /* active= */ !p.quoted);
    started_ = started_ || p.quoted || !p.text.empty();
    return Ok{};
  }

  Status expand_part(const TildePart&) {
    append(context_.home(), /* active= */ false);
    started_ = true;
    return Ok{};
  }

  Status expand_part(const ParameterPart& p) {
    std::string value;
    if (p.name == "?") {
      value = std::to_string(context_.last_status());
    } else {
      value = context_.variable(p.name).value_or("");
    }
    add_expansion(value, p.quoted);
    return Ok{};
  }

  Status expand_part(const CommandSubstitutionPart& p) {
    Result<std::string> output = context_.command_substitution(*p.program);
    if (!output) return output.take_error();
    std::string& text = *output;
    // A NUL cannot be part of a C string: a word holding one would be decided as one path and
    // opened as another (cut at the NUL). Dropped, as bash does.
    std::erase(text, '\0');
    while (!text.empty() && text.back() == '\n') text.pop_back();
    add_expansion(text, p.quoted);
    return Ok{};
  }

  void add_expansion(const std::string& value, bool quoted) {
    if (quoted || !split_) {
      append(value, /* active= */ false);
      started_ = started_ || quoted;
      return;
    }
    for (char c : value) {
      if (is_field_separator(c)) {
        if (started_) end_field();
        continue;
      }
      current_.text += c;
      current_.active.push_back(true);
      started_ = true;
    }
  }

  void append(const std::string& text, bool active) {
    current_.text += text;
    current_.active.insert(current_.active.end(), text.size(), active);
  }

  void end_field() {
    fields_.push_back(std::move(current_));
    current_ = GlobPattern{};
    started_ = false;
  }

  ExpansionContext& context_;
  bool split_;
  GlobPattern current_;
  bool started_ = false;  // the current field exists even if empty (it had quoted text)
  std::vector<GlobPattern> fields_;
};

}  // namespace

Result<std::vector<std::string>> expand_words(const std::vector<Word>& words,
                                              ExpansionContext& context) {
  std::vector<std::string> argv;
  const ListDirectory list = [&context](const std::string& dir) {
    return context.list_directory(dir);
  };
  for (const Word& word : words) {
    WordExpander expander(context, /* split= */ true);
    if (Status status = expander.expand(word); !status) return status.take_error();
    for (GlobPattern& field : expander.finish()) {
      if (has_glob(field)) {
        std::vector<std::string> matches = glob(field, list);
        if (!matches.empty()) {
          for (std::string& m : matches) argv.push_back(std::move(m));
          continue;
        }
      }
      argv.push_back(std::move(field.text));
    }
  }
  return argv;
}

Result<std::string> expand_word_single(const Word& word, ExpansionContext& context) {
  WordExpander expander(context, /* split= */ false);
  if (Status status = expander.expand(word); !status) return status.take_error();
  return std::move(expander).text();
}

}  // namespace stsh::shell
