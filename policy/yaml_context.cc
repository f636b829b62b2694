#include "policy/yaml_context.h"

#include <charconv>
#include <set>

#include "policy/suggest.h"

namespace stsh::policy {

std::string_view node_kind(const YamlNode& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "a scalar";
    case YAML::NodeType::Null:
      return "nothing";
    default:
      return "an undefined value";
  }
}

SourceLocation YamlContext::where(const YamlNode& node) const {
  return where(node, 0);
}

SourceLocation YamlContext::where(const YamlNode& node, size_t offset) const {
  const YAML::Mark m = node.Mark();
  if (m.line < 0) return {path_, 1, 1};
  size_t col = static_cast<size_t>(m.column) + 1;
  // A quoted scalar's mark is its opening quote; the text starts one column later. Offsets
  // into a double-quoted scalar with escapes are approximate: the escapes are not re-counted.
  const auto pos = static_cast<size_t>(m.pos);
  if (pos < text_.size() && (text_[pos] == '"' || text_[pos] == '\'')) ++col;
  return {path_, m.line + 1, static_cast<int>(col + offset)};
}

std::optional<Error> YamlContext::check_keys(const YamlNode& map, std::string_view what,
                                             std::initializer_list<std::string_view> known) const {
  std::set<std::string> seen;
  const std::vector<std::string_view> candidates(known);
  for (const auto& kv : map) {
    if (!kv.first.IsScalar())
      return error(kv.first, "keys of " + std::string(what) + " must be names");
    const std::string& key = kv.first.Scalar();
    bool is_known = false;
    for (auto k : known) is_known = is_known || k == key;
    if (!is_known) {
      std::string msg = "unknown key '" + key + "' in " + std::string(what);
      if (auto near = nearest(key, candidates))
        msg += " (did you mean '" + std::string(*near) + "'?)";
      return error(kv.first, msg);
    }
    if (!seen.insert(key).second)
      return error(kv.first, "duplicate key '" + key + "' in " + std::string(what));
  }
  return std::nullopt;
}

Result<std::string> YamlContext::string(const YamlNode& node, std::string_view what) const {
  if (!node.IsScalar()) {
    return error(
        node, "'" + std::string(what) + "' must be a string, not " + std::string(node_kind(node)));
  }
  return node.Scalar();
}

Result<bool> YamlContext::boolean(const YamlNode& node, std::string_view what) const {
  if (node.IsScalar()) {
    if (node.Scalar() == "true") return true;
    if (node.Scalar() == "false") return false;
  }
  return error(node, "'" + std::string(what) + "' must be true or false");
}

Result<uint64_t> YamlContext::integer(const YamlNode& node, std::string_view what,
                                      uint64_t max) const {
  const std::string msg =
      "'" + std::string(what) + "' must be a whole number from 0 to " + std::to_string(max);
  if (!node.IsScalar()) return error(node, msg);
  const std::string& s = node.Scalar();
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || v > max)
    return error(node, msg);
  return v;
}

Result<std::string> YamlContext::expanded(const YamlNode& node, std::string_view what) const {
  auto raw = string(node, what);
  if (!raw) return raw.take_error();
  std::string out;
  if (auto err = expand_variables(*raw, vars_, out)) return error(node, err->offset, err->message);
  return out;
}

}  // namespace stsh::policy
