#include "shell/ast_dump.h"

#include <cstdio>
#include <string_view>
#include <type_traits>
#include <variant>

namespace stsh::shell {

namespace {

std::string quote(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\'' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", u);
      out += hex;
    } else {
      out += c;
    }
  }
  return out + "'";
}

// Unquoted text can hold characters that would read as other parts; a backslash marks them.
std::string escape_unquoted(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '~' || c == '$' || c == '\'' || c == '"' || c == '\\' || c == '(' || c == ')') {
      out += '\\';
    }
    out += c;
  }
  return out;
}

std::string dump_pipeline(const Pipeline& p) {
  std::string out = p.negated ? "! " : "";
  for (size_t i = 0; i < p.commands.size(); ++i) {
    if (i > 0) out += " | ";
    out += dump(p.commands[i]);
  }
  return out;
}

std::string_view operator_of(RedirectionKind kind) {
  switch (kind) {
    case RedirectionKind::input:
      return "<";
    case RedirectionKind::output:
      return ">";
    case RedirectionKind::clobber:
      return ">|";
    case RedirectionKind::append:
      return ">>";
    case RedirectionKind::read_write:
      return "<>";
    case RedirectionKind::output_and_error:
      return "&>";
    case RedirectionKind::append_output_and_error:
      return "&>>";
    case RedirectionKind::duplicate:
      return ">&";
    case RedirectionKind::close:
      return ">&-";
    case RedirectionKind::heredoc:
      return "<<";
    case RedirectionKind::here_string:
      return "<<<";
  }
  return "?";
}

}  // namespace

std::string dump(const Word& word) {
  std::string out;
  for (const WordPart& part : word.parts) {
    std::visit(
        [&](const auto& p) {
          using T = std::decay_t<decltype(p)>;
          if constexpr (std::is_same_v<T, LiteralPart>) {
            out += p.quoted ? quote(p.text) : escape_unquoted(p.text);
          } else if constexpr (std::is_same_v<T, ParameterPart>) {
            static constexpr const char* kOps[] = {"", "#", "-", "=", "?", "+", "%", "%%", "#", "##"};
            std::string inner = p.op == ParameterOp::length ? "${#" + p.name + "}" : "";
            if (inner.empty()) {
              inner = "${" + p.name + (p.colon ? ":" : "") + kOps[static_cast<int>(p.op)] +
                      (p.operand ? dump(*p.operand) : "") + "}";
            }
            out += p.quoted ? "\"" + inner + "\"" : inner;
          } else if constexpr (std::is_same_v<T, ArithmeticPart>) {
            const std::string inner = "$((" + dump(*p.expression) + "))";
            out += p.quoted ? "\"" + inner + "\"" : inner;
          } else if constexpr (std::is_same_v<T, CommandSubstitutionPart>) {
            const std::string inner = "$( " + dump(*p.program) + " )";
            out += p.quoted ? "\"" + inner + "\"" : inner;
          } else {
            out += "~";
          }
        },
        part);
  }
  return out;
}

std::string dump(const Redirection& r) {
  const bool both = r.kind == RedirectionKind::output_and_error ||
                    r.kind == RedirectionKind::append_output_and_error;
  std::string out = both ? "" : std::to_string(r.fd);
  out += operator_of(r.kind);
  switch (r.kind) {
    case RedirectionKind::duplicate:
      return out + std::to_string(r.source_fd);
    case RedirectionKind::close:
      return out;
    case RedirectionKind::heredoc:
      out += r.heredoc_expands ? r.heredoc_delimiter : quote(r.heredoc_delimiter);
      return out + "{" + dump(r.target) + "}";
    default:
      return out + dump(r.target);
  }
}

std::string dump(const SimpleCommand& command) {
  std::string out;
  if (command.compound) out = dump(*command.compound);
  auto add = [&](const std::string& item) {
    out += out.empty() ? "" : " ";
    out += item;
  };
  for (const Assignment& a : command.assignments) add(a.name + "=" + dump(a.value));
  for (const Word& w : command.words) add(dump(w));
  for (const Redirection& r : command.redirections) add(dump(r));
  return "(" + out + ")";
}

std::string dump(const CompoundCommand& c) {
  auto list = [](const std::shared_ptr<const Program>& p) { return "{" + dump(*p) + "}"; };
  std::string out;
  switch (c.kind) {
    case CompoundCommand::Kind::group:
      return "group " + list(c.lists[0]);
    case CompoundCommand::Kind::subshell:
      return "subshell " + list(c.lists[0]);
    case CompoundCommand::Kind::if_clause:
      for (size_t i = 0; i + 1 < c.lists.size() || (i < c.lists.size() && !c.has_else); i += 2) {
        out += (i == 0 ? "if " : " elif ") + list(c.lists[i]) + " then " + list(c.lists[i + 1]);
      }
      if (c.has_else) out += " else " + list(c.lists.back());
      return out;
    case CompoundCommand::Kind::while_loop:
    case CompoundCommand::Kind::until_loop:
      return std::string(c.kind == CompoundCommand::Kind::while_loop ? "while " : "until ") +
             list(c.lists[0]) + " do " + list(c.lists[1]);
    case CompoundCommand::Kind::for_loop:
      out = "for " + c.name;
      if (c.has_in) {
        out += " in";
        for (const Word& w : c.words) out += " " + dump(w);
      }
      return out + " do " + list(c.lists[0]);
    case CompoundCommand::Kind::case_clause:
      out = "case " + dump(c.subject);
      for (const CaseItem& item : c.items) {
        out += " (";
        for (size_t i = 0; i < item.patterns.size(); ++i) {
          out += (i ? "|" : "") + dump(item.patterns[i]);
        }
        out += ") " + list(item.body);
      }
      return out;
    case CompoundCommand::Kind::function_definition:
      return "function " + c.name + " " + dump(*c.function_body);
  }
  return out;
}

std::string dump(const Program& program) {
  std::string out;
  for (size_t i = 0; i < program.items.size(); ++i) {
    const AndOr& item = program.items[i];
    if (i > 0) out += "; ";
    out += dump_pipeline(item.first);
    for (const AndOrTail& tail : item.rest) {
      out += tail.op == AndOrOp::and_if ? " && " : " || ";
      out += dump_pipeline(tail.pipeline);
    }
    if (item.background) out += " &";
  }
  return out;
}

}  // namespace stsh::shell
