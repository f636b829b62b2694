#include "shell/expand.h"

#include <type_traits>
#include <utility>
#include <variant>

#include "shell/arithmetic.h"
#include "shell/glob.h"

namespace stsh::shell {

namespace {

constexpr std::string_view kDefaultIfs = " \t\n";

bool is_ifs_white(char c) {
  return c == ' ' || c == '\t' || c == '\n';
}

// Expands one word into fields. Each field keeps, per byte, whether the byte may act as a glob
// character: unquoted literal text and the results of unquoted expansions may, quoted text and
// tilde results may not.
class WordExpander {
 public:
  WordExpander(ExpansionContext& context, bool split, bool pattern = false)
      : context_(context), split_(split), pattern_(pattern) {
    if (split_) {
      const std::optional<std::string> ifs = context_.variable("IFS");
      ifs_ = ifs ? *ifs : std::string(kDefaultIfs);
    }
  }

  Status expand(const Word& word, bool force_quoted = false) {
    for (const WordPart& part : word.parts) {
      Status status = std::visit([&](const auto& p) { return expand_part(p, force_quoted); }, part);
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
  GlobPattern pattern() && { return std::move(current_); }

 private:
  Status expand_part(const LiteralPart& p, bool force_quoted) {
    append(p.text, /* active= */ !p.quoted && !force_quoted);
    started_ = started_ || p.quoted || force_quoted || !p.text.empty();
    return Ok{};
  }

  Status expand_part(const TildePart&, bool) {
    append(context_.home(), /* active= */ false);
    started_ = true;
    return Ok{};
  }

  Status expand_part(const ArithmeticPart& p, bool force_quoted) {
    auto text = expand_word_single(*p.expression, context_);
    if (!text) return text.take_error();
    ArithmeticVariables vars{
        [this](const std::string& name) -> std::optional<std::string> {
          return context_.variable(name);
        },
        [this](const std::string& name, const std::string& value) {
          return context_.assign(name, value);
        }};
    Result<long> value = evaluate_arithmetic(*text, vars);
    // XCU 2.8.1: an expansion error, which ends a non-interactive shell, as in dash.
    if (!value) {
      context_.on_fatal_expansion_error();
      return value.take_error();
    }
    add_expansion(std::to_string(*value), p.quoted || force_quoted);
    return Ok{};
  }

  // The value of a parameter, nullopt when unset. "@" and "*" join the positional parameters
  // with spaces here; field-producing uses of them are handled by expand_part.
  std::optional<std::string> value_of(const std::string& name) {
    if (name == "?") return std::to_string(context_.last_status());
    if (name == "@" || name == "*") {
      const std::vector<std::string> params = context_.positional_parameters();
      if (params.empty()) return std::nullopt;
      const std::optional<std::string> ifs = context_.variable("IFS");
      const std::string sep = name == "@" ? " " : !ifs ? " " : ifs->substr(0, 1);
      std::string joined;
      for (size_t i = 0; i < params.size(); ++i) joined += (i ? sep : "") + params[i];
      return joined;
    }
    return context_.variable(name);
  }

  Status unset_error(const ParameterPart& p) {
    context_.on_fatal_expansion_error();
    return make_error(p.name + ": parameter not set");
  }

  Status expand_part(const ParameterPart& p, bool force_quoted) {
    const bool quoted = p.quoted || force_quoted;
    const bool at_like = p.name == "@" || p.name == "*";
    std::optional<std::string> value = value_of(p.name);
    const bool is_set = value.has_value();
    const bool counts_as_set = is_set && !(p.colon && value->empty());
    switch (p.op) {
      case ParameterOp::plain:
        if (!is_set && context_.nounset() && !at_like) return unset_error(p);
        if (at_like && (p.name == "@" || split_)) return expand_positional(p, quoted);
        add_expansion(value.value_or(""), quoted);
        return Ok{};
      case ParameterOp::length:
        if (!is_set && context_.nounset() && !at_like) return unset_error(p);
        add_expansion(std::to_string(value.value_or("").size()), quoted);
        return Ok{};
      case ParameterOp::use_default:
        if (counts_as_set) break;
        return expand_operand(p, quoted);
      case ParameterOp::use_alternate:
        if (!counts_as_set) return Ok{};
        return expand_operand(p, quoted);
      case ParameterOp::assign_default: {
        if (counts_as_set) break;
        auto text = operand_text(p);
        if (!text) return text.take_error();
        if (Status s = context_.assign(p.name, *text); !s) return s;
        add_expansion(*text, quoted);
        return Ok{};
      }
      case ParameterOp::error_if_unset: {
        if (counts_as_set) break;
        auto text = operand_text(p);
        if (!text) return text.take_error();
        context_.on_fatal_expansion_error();
        return make_error(p.name + ": " + (text->empty() ? "parameter null or not set" : *text));
      }
      case ParameterOp::remove_small_suffix:
      case ParameterOp::remove_large_suffix:
      case ParameterOp::remove_small_prefix:
      case ParameterOp::remove_large_prefix: {
        if (!is_set && context_.nounset()) return unset_error(p);
        GlobPattern pattern;
        if (p.operand) {
          auto expanded = expand_pattern(*p.operand, context_);
          if (!expanded) return expanded.take_error();
          pattern = std::move(*expanded);
        }
        add_expansion(remove_affix(value.value_or(""), pattern, p.op), quoted);
        return Ok{};
      }
    }
    if (at_like && (p.name == "@" || split_)) return expand_positional(p, quoted);
    add_expansion(value.value_or(""), quoted);
    return Ok{};
  }

  static std::string remove_affix(const std::string& value, const GlobPattern& pattern,
                                  ParameterOp op) {
    const size_t n = value.size();
    auto matches = [&](size_t from, size_t len) {
      return match_string(pattern, std::string_view(value).substr(from, len));
    };
    switch (op) {
      case ParameterOp::remove_small_suffix:
        for (size_t k = 0; k <= n; ++k) {
          if (matches(n - k, k)) return value.substr(0, n - k);
        }
        break;
      case ParameterOp::remove_large_suffix:
        for (size_t k = n + 1; k-- > 0;) {
          if (matches(n - k, k)) return value.substr(0, n - k);
        }
        break;
      case ParameterOp::remove_small_prefix:
        for (size_t k = 0; k <= n; ++k) {
          if (matches(0, k)) return value.substr(k);
        }
        break;
      case ParameterOp::remove_large_prefix:
        for (size_t k = n + 1; k-- > 0;) {
          if (matches(0, k)) return value.substr(k);
        }
        break;
      default:
        break;
    }
    return value;
  }

  // The operand of ${NAME-word}: in place, so an unquoted operand is split and globbed like
  // any unquoted text; inside "..." all of it is quoted.
  Status expand_operand(const ParameterPart& p, bool quoted) {
    if (!p.operand) {
      if (quoted) started_ = true;
      return Ok{};
    }
    if (quoted) started_ = true;
    return expand(*p.operand, quoted);
  }

  Result<std::string> operand_text(const ParameterPart& p) {
    if (!p.operand) return std::string();
    return expand_word_single(*p.operand, context_);
  }

  // $@ and $*: one field per parameter where fields are made ("$@", and unquoted in split
  // mode), else the parameters joined.
  Status expand_positional(const ParameterPart& p, bool quoted) {
    const std::vector<std::string> params = context_.positional_parameters();
    if (!split_ || (quoted && p.name == "*")) {
      add_expansion(value_of(p.name).value_or(""), quoted);
      return Ok{};
    }
    for (size_t i = 0; i < params.size(); ++i) {
      if (i > 0) {
        end_field_if(quoted || started_);
      }
      add_expansion(params[i], quoted);
      if (quoted) started_ = true;
    }
    return Ok{};
  }

  void end_field_if(bool condition) {
    if (condition) end_field();
  }

  Status expand_part(const CommandSubstitutionPart& p, bool force_quoted) {
    Result<std::string> output = context_.command_substitution(*p.program);
    if (!output) return output.take_error();
    std::string& text = *output;
    // A NUL cannot be part of a C string: a word holding one would be decided as one path and
    // opened as another (cut at the NUL). Dropped, as bash does.
    std::erase(text, '\0');
    while (!text.empty() && text.back() == '\n') text.pop_back();
    add_expansion(text, p.quoted || force_quoted);
    return Ok{};
  }

  void add_expansion(const std::string& value, bool quoted) {
    if (quoted || !split_) {
      // In a pattern (case, ${x%...}) an unquoted expansion's characters are pattern
      // characters too (XCU 2.13.1).
      append(value, /* active= */ pattern_ && !quoted);
      started_ = started_ || quoted;
      return;
    }
    // XCU 2.6.5. `delimited_`: 1 after white space ended a field, 2 after another IFS
    // character did (a second one then makes an empty field).
    for (char c : value) {
      if (ifs_.find(c) == std::string::npos) {
        current_.text += c;
        current_.active.push_back(true);
        started_ = true;
        delimited_ = 0;
        continue;
      }
      if (is_ifs_white(c)) {
        if (started_) {
          end_field();
          delimited_ = 1;
        }
        continue;
      }
      if (started_) {
        end_field();
      } else if (delimited_ != 1) {
        fields_.emplace_back();
      }
      delimited_ = 2;
    }
  }

  void append(const std::string& text, bool active) {
    current_.text += text;
    current_.active.insert(current_.active.end(), text.size(), active);
    if (!text.empty()) delimited_ = 0;
  }

  void end_field() {
    fields_.push_back(std::move(current_));
    current_ = GlobPattern{};
    started_ = false;
  }

  ExpansionContext& context_;
  bool split_;
  bool pattern_;
  std::string ifs_;
  GlobPattern current_;
  bool started_ = false;  // the current field exists even if empty (it had quoted text)
  int delimited_ = 0;
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
      if (context.variable("-").value_or("").find('f') == std::string::npos && has_glob(field)) {
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

Result<GlobPattern> expand_pattern(const Word& word, ExpansionContext& context) {
  WordExpander expander(context, /* split= */ false, /* pattern= */ true);
  if (Status status = expander.expand(word); !status) return status.take_error();
  return std::move(expander).pattern();
}

}  // namespace stsh::shell
