#include "policy/loader.h"
#include <algorithm>

#include <unordered_map>

#include "policy/entry_checks.h"
#include "policy/loader_session.h"
#include "policy/policy_file.h"
#include "policy/rule_lexer.h"
#include "policy/rule_parser.h"
#include "policy/syscalls.h"
#include "policy/yaml_context.h"

namespace stsh::policy {
namespace {

using Node = YamlNode;

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
  // Names and metadata are visible unless hidden, and the kernel answers such calls without
  // the supervisor: a rule that would deny them could not be kept (stsh.policy(5), HIDE).
  const bool only_metadata =
      !target->members.empty() &&
      std::all_of(target->members.begin(), target->members.end(),
                  [](const AliasMember& m) { return is_metadata_read(m.nr, std::nullopt); });
  if (only_metadata && parsed->action.verdict != Verdict::permit) {
    return ctx.error(kv.first, "'" + *target_name +
                                   "' reads names and metadata, which are visible unless a tree "
                                   "is hidden: use 'hide:' in defaults to hide it");
  }
  if (parsed->action.verdict == Verdict::permit && is_never_permitted(*target_name)) {
    return ctx.error(kv.first,
                     "'" + *target_name + "' is always denied by stsh; a policy cannot permit it");
  }
  return RuleSpec{*target_name, std::move(target->members), *target_name + ": " + text,
                  std::move(*parsed), ctx.where(kv.first)};
}

std::optional<Error> load_list_key(const YamlContext& ctx, const std::string& key,
                                   const Node& value, Section& s) {
  const ListKind kind = key == "exec"                         ? ListKind::exec
                        : (key == "connect" || key == "bind") ? ListKind::address
                                                              : ListKind::path;
  auto list = load_list(ctx, value, key, kind);
  if (!list) return list.take_error();
  auto& slot = key == "read"      ? s.read
               : key == "hide"    ? s.hide
               : key == "write"   ? s.write
               : key == "exec"    ? s.exec
               : key == "connect" ? s.connect
                                  : s.bind;
  slot = std::move(*list);
  return std::nullopt;
}

// `remove:` of an extending entry: lists only.
Result<Section> load_removals(const YamlContext& ctx, const Node& node, std::string_view what) {
  Section s;
  s.where = ctx.where(node);
  if (node.IsNull()) return s;
  if (!node.IsMap())
    return ctx.error(node, "'remove' of " + std::string(what) + " must be a mapping of lists");
  if (auto err = ctx.check_keys(node, "'remove' of " + std::string(what),
                                {"read", "write", "exec", "connect", "bind"}))
    return *err;
  for (const auto& kv : node) {
    if (auto err = load_list_key(ctx, kv.first.Scalar(), kv.second, s)) return *err;
  }
  return s;
}

struct CommandExtras {
  bool extend = false;
  SourceLocation extend_where;
  std::optional<Section> remove;
  SourceLocation remove_where;
};

// `extras` is null for defaults:, which has no extend or remove.
Result<Section> load_section(const YamlContext& ctx, const Node& node, std::string_view what,
                             CommandExtras* extras = nullptr) {
  Section s;
  s.where = ctx.where(node);
  if (node.IsNull()) return s;  // "/usr/bin/ls:" or "/usr/bin/ls: {}" inherit everything
  if (!node.IsMap())
    return ctx.error(node,
                     std::string(what) + " must be a mapping, not " + std::string(node_kind(node)));
  auto err = extras ? ctx.check_keys(
                          node, what,
                          {"read", "write", "exec", "connect", "bind", "rules", "extend", "remove"})
                    : ctx.check_keys(node, what,
                                     {"read", "write", "exec", "connect", "bind", "rules", "hide"});
  if (err) return *err;
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
    if (key == "extend") {
      auto b = ctx.boolean(kv.second, "extend");
      if (!b) return b.take_error();
      extras->extend = *b;
      extras->extend_where = ctx.where(kv.first);
      continue;
    }
    if (key == "remove") {
      auto r = load_removals(ctx, kv.second, what);
      if (!r) return r.take_error();
      extras->remove = std::move(*r);
      extras->remove_where = ctx.where(kv.first);
      continue;
    }
    if (auto e = load_list_key(ctx, key, kv.second, s)) return *e;
  }
  if (extras && extras->remove && !extras->extend) {
    return make_error(extras->remove_where,
                      "'remove' takes entries out of an included entry; it needs 'extend: true'");
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
  // Key -> index in out: a linear scan here made 150k keys take a minute (issue 12.5).
  // Views into out's keys: reserved, so the strings never move.
  out.reserve(node.size());
  std::unordered_map<std::string_view, size_t> seen;
  seen.reserve(node.size());
  for (const auto& kv : node) {
    auto key = ctx.expanded(kv.first, "command");
    if (!key) return key.take_error();
    if (auto err = check_list_entry(ListKind::path, *key)) {
      return ctx.error(kv.first, err->offset, "command " + err->message);
    }
    if (auto it = seen.find(*key); it != seen.end()) {
      const auto& w = out[it->second].key.where;
      return ctx.error(kv.first, "duplicate command '" + *key + "' (first defined at " + w.file +
                                     ":" + std::to_string(w.line) + ":" + std::to_string(w.column) +
                                     ")");
    }
    CommandExtras extras;
    auto section = load_section(ctx, kv.second, "command '" + *key + "'", &extras);
    if (!section) return section.take_error();
    CommandSpec spec;
    spec.key = Entry{std::move(*key), ctx.where(kv.first)};
    spec.section = std::move(*section);
    if (extras.extend) {
      spec.extend = std::make_unique<Extension>();
      spec.extend->where = extras.extend_where;
      if (extras.remove) spec.extend->remove = std::move(*extras.remove);
    }
    out.push_back(std::move(spec));
    seen.emplace(out.back().key.text, out.size() - 1);
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
  return load_document(text, path, vars, CacheUse{});
}

Result<Document> load_document(std::string_view text, const std::string& path,
                               const Variables& vars, const CacheUse& use) {
  if (only_comments_and_space(text))
    return make_error({path, 1, 1}, "empty policy (no settings at all)");
  if (size_t bad = find_invalid_utf8(text); bad != std::string_view::npos) {
    return make_error(locate_offset(text, bad, path), "not valid UTF-8");
  }
  if (size_t nul = text.find('\0'); nul != std::string_view::npos) {
    return make_error(locate_offset(text, nul, path), "NUL byte in policy");
  }
  std::optional<YamlTree> cached = use.cache ? use.cache->find(text) : std::nullopt;
  Result<YamlTree> tree =
      cached ? Result<YamlTree>(std::move(*cached)) : parse_yaml_tree(text, path);
  if (!tree) return tree.take_error();
  const Node root = tree->root();
  if (root.IsNull()) {
    return make_error({path, 1, 1},
                      "no policy found: the file must be a YAML mapping with keys include, "
                      "session, defaults, commands");
  }
  auto doc = load_root(YamlContext(text, path, vars), root);
  if (doc && use.report && cached) ++use.report->from_cache;
  if (doc && use.cache && use.store && !cached) {
    auto problem = use.cache->store(text, *tree);
    if (use.report && problem) use.report->problems.push_back(*problem);
    if (use.report && !problem) ++use.report->stored;
  }
  return doc;
}

}  // namespace stsh::policy
