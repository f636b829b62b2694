#include "policy/loader.h"

#include <yaml-cpp/yaml.h>

#include "policy/entry_checks.h"
#include "policy/loader_session.h"
#include "policy/policy_file.h"
#include "policy/rule_lexer.h"
#include "policy/rule_parser.h"
#include "policy/syscalls.h"
#include "policy/yaml_context.h"
#include "policy/yaml_shape.h"

namespace stsh::policy {
namespace {

using Node = YAML::Node;

Result<std::vector<Entry>> load_list(const YamlContext& ctx, const Node& node, std::string_view key,
                                     ListKind kind) {
  std::vector<Entry> out;
  if (node.IsNull()) return out;  // "read:" with nothing after it is an empty list
  if (!node.IsSequence()) {
    return ctx.error(
        node, "'" + std::string(key) + "' must be a list, not " + std::string(node_kind(node)));
  }
  for (const auto& item : node) {
    auto text = ctx.expanded(item, std::string(key) + " entry");
    if (!text) return text.take_error();
    if (auto err = check_list_entry(kind, *text)) return ctx.error(item, err->offset, err->message);
    out.push_back(Entry{std::move(*text), ctx.where(item)});
  }
  return out;
}

// Checks and expands the string operands of a parsed rule, in place.
std::optional<Error> finish_predicates(const YamlContext& ctx, const Node& value,
                                       std::string_view text, Expr& expr,
                                       const RuleTarget& target) {
  if (expr.kind == Expr::Kind::Pred) {
    Predicate& p = expr.pred;
    if (!target_has_operand(target, p.operand, p.index)) {
      return ctx.error(value, p.operand_offset,
                       operand_missing_message(target, p.operand, p.index));
    }
    std::string out;
    const size_t raw_size = p.value.size();
    if (auto err = expand_variables(p.value, ctx.vars(), out)) {
      return ctx.error(value, string_value_offset(text, p.value_offset, err->offset), err->message);
    }
    p.value = std::move(out);
    // After expansion the value may be longer than the literal; errors in it point at the
    // literal's start rather than at a column that does not exist.
    const bool expanded = p.value.size() != raw_size;
    if (auto err = check_predicate_value(p)) {
      return ctx.error(
          value,
          expanded ? p.value_offset + 1 : string_value_offset(text, p.value_offset, err->offset),
          err->message);
    }
    return std::nullopt;
  }
  for (auto& child : expr.children) {
    if (auto err = finish_predicates(ctx, value, text, child, target)) return err;
  }
  return std::nullopt;
}

Result<RuleSpec> load_rule(const YamlContext& ctx, const Node& item) {
  if (!item.IsMap() || item.size() != 1) {
    return ctx.error(item, "a rule must be written '- SYSCALL: EXPRESSION then ACTION'");
  }
  const auto kv = *item.begin();
  auto target_name = ctx.string(kv.first, "rule syscall");
  if (!target_name) return target_name.take_error();
  auto target = resolve_rule_target(*target_name);
  if (!target) return ctx.error(kv.first, target.error().message);
  if (!kv.second.IsScalar()) {
    return ctx.error(kv.second,
                     "the rule for '" + *target_name + "' must be 'EXPRESSION then ACTION'");
  }
  const std::string& text = kv.second.Scalar();
  auto parsed = parse_rule(text, ctx.where(kv.second));
  if (!parsed) return parsed.take_error();
  if (auto err = finish_predicates(ctx, kv.second, text, parsed->expr, *target)) return *err;
  if (parsed->action.verdict == Verdict::permit && is_never_permitted(*target_name)) {
    return ctx.error(kv.first,
                     "'" + *target_name + "' is always denied by stsh; a policy cannot permit it");
  }
  return RuleSpec{*target_name, std::move(target->members), *target_name + ": " + text,
                  std::move(*parsed), ctx.where(kv.first)};
}

Result<Section> load_section(const YamlContext& ctx, const Node& node, std::string_view what) {
  Section s;
  s.where = ctx.where(node);
  if (node.IsNull()) return s;  // "/usr/bin/ls:" or "/usr/bin/ls: {}" inherit everything
  if (!node.IsMap())
    return ctx.error(node,
                     std::string(what) + " must be a mapping, not " + std::string(node_kind(node)));
  if (auto err = ctx.check_keys(node, what, {"read", "write", "exec", "connect", "bind", "rules"}))
    return *err;
  for (const auto& kv : node) {
    const std::string& key = kv.first.Scalar();
    if (key == "rules") {
      if (kv.second.IsNull()) continue;
      if (!kv.second.IsSequence()) return ctx.error(kv.second, "'rules' must be a list");
      for (const auto& item : kv.second) {
        auto rule = load_rule(ctx, item);
        if (!rule) return rule.take_error();
        s.rules.push_back(std::move(*rule));
      }
      continue;
    }
    const ListKind kind = key == "exec"                         ? ListKind::exec
                          : (key == "connect" || key == "bind") ? ListKind::address
                                                                : ListKind::path;
    auto list = load_list(ctx, kv.second, key, kind);
    if (!list) return list.take_error();
    auto& slot = key == "read"      ? s.read
                 : key == "write"   ? s.write
                 : key == "exec"    ? s.exec
                 : key == "connect" ? s.connect
                                    : s.bind;
    slot = std::move(*list);
  }
  return s;
}

Result<std::vector<Entry>> load_includes(const YamlContext& ctx, const Node& node) {
  std::vector<Entry> out;
  auto add = [&](const Node& item) -> std::optional<Error> {
    auto text = ctx.string(item, "include");
    if (!text) return text.take_error();
    if (auto err = check_include_path(*text)) return ctx.error(item, err->offset, err->message);
    out.push_back(Entry{*text, ctx.where(item)});
    return std::nullopt;
  };
  if (node.IsScalar()) {
    if (auto err = add(node)) return *err;
  } else if (node.IsSequence()) {
    for (const auto& item : node) {
      if (auto err = add(item)) return *err;
    }
  } else if (!node.IsNull()) {
    return ctx.error(node, "'include' must be a file name or a list of file names");
  }
  return out;
}

Result<std::vector<CommandSpec>> load_commands(const YamlContext& ctx, const Node& node) {
  std::vector<CommandSpec> out;
  if (node.IsNull()) return out;
  if (!node.IsMap()) return ctx.error(node, "'commands' must be a mapping of program paths");
  for (const auto& kv : node) {
    auto key = ctx.expanded(kv.first, "command");
    if (!key) return key.take_error();
    if (auto err = check_list_entry(ListKind::path, *key)) {
      return ctx.error(kv.first, err->offset, "command " + err->message);
    }
    const std::string* checked = &*key;
    for (const auto& seen : out) {
      if (seen.key.text == *checked) {
        const auto& w = seen.key.where;
        return ctx.error(kv.first, "duplicate command '" + *checked + "' (first defined at " +
                                       w.file + ":" + std::to_string(w.line) + ":" +
                                       std::to_string(w.column) + ")");
      }
    }
    auto section = load_section(ctx, kv.second, "command '" + *checked + "'");
    if (!section) return section.take_error();
    out.push_back(CommandSpec{Entry{std::move(*key), ctx.where(kv.first)}, std::move(*section)});
  }
  return out;
}

Result<Document> load_root(const YamlContext& ctx, const Node& root) {
  Document doc;
  doc.path = ctx.path();
  if (!root.IsMap()) {
    return ctx.error(
        root, "a policy must be a mapping with keys include, session, defaults, commands; found " +
                  std::string(node_kind(root)));
  }
  if (auto err = ctx.check_keys(root, "the policy", {"include", "session", "defaults", "commands"}))
    return *err;
  for (const auto& kv : root) {
    const std::string& key = kv.first.Scalar();
    if (key == "include") {
      auto inc = load_includes(ctx, kv.second);
      if (!inc) return inc.take_error();
      doc.includes = std::move(*inc);
    } else if (key == "session") {
      auto session = load_session(ctx, kv.second);
      if (!session) return session.take_error();
      doc.session = std::move(*session);
    } else if (key == "defaults") {
      auto section = load_section(ctx, kv.second, "defaults");
      if (!section) return section.take_error();
      doc.defaults = std::move(*section);
    } else {
      auto commands = load_commands(ctx, kv.second);
      if (!commands) return commands.take_error();
      doc.commands = std::move(*commands);
    }
  }
  return doc;
}

// 1-based line and column of byte `offset`.
SourceLocation locate_offset(std::string_view text, size_t offset, const std::string& path) {
  int line = 1, col = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return {path, line, col};
}

bool only_comments_and_space(std::string_view text) {
  bool in_comment = false;
  for (char c : text) {
    if (c == '\n')
      in_comment = false;
    else if (c == '#')
      in_comment = true;
    else if (!in_comment && c != ' ' && c != '\t' && c != '\r')
      return false;
  }
  return true;
}

}  // namespace

Result<Document> load_document(std::string_view text, const std::string& path,
                               const Variables& vars) {
  if (only_comments_and_space(text))
    return make_error({path, 1, 1}, "empty policy (no settings at all)");
  if (size_t bad = find_invalid_utf8(text); bad != std::string_view::npos) {
    return make_error(locate_offset(text, bad, path), "not valid UTF-8");
  }
  if (size_t nul = text.find('\0'); nul != std::string_view::npos) {
    return make_error(locate_offset(text, nul, path), "NUL byte in policy");
  }
  if (auto err = check_yaml_shape(text, path)) return *err;
  const YamlContext ctx(text, path, vars);
  try {
    const Node root = YAML::Load(std::string(text));
    if (root.IsNull()) {
      return make_error({path, 1, 1},
                        "no policy found: the file must be a YAML mapping with keys include, "
                        "session, defaults, commands");
    }
    return load_root(ctx, root);
  } catch (const YAML::ParserException& e) {
    return make_error({path, e.mark.line + 1, e.mark.column + 1}, "YAML syntax error: " + e.msg);
  } catch (const YAML::Exception& e) {
    return make_error({path, e.mark.line + 1, e.mark.column + 1}, "YAML error: " + e.msg);
  }
}

}  // namespace stsh::policy
