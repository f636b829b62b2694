#include "policy/yaml_tree.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <limits>
#include <sstream>

#include "policy/policy_file.h"

namespace stsh::policy {

const std::string& YamlNode::Scalar() const {
  static const std::string kEmpty;
  return IsScalar() ? data_->scalar : kEmpty;
}

size_t YamlNode::size() const {
  if (IsSequence()) return data_->items.size();
  if (IsMap()) return data_->pairs.size();
  return 0;
}

YamlNode YamlNode::operator[](std::string_view key) const {
  if (!IsMap()) return YamlNode();
  for (const auto& [k, v] : data_->pairs) {
    if (k->type == YAML::NodeType::Scalar && k->scalar == key) return YamlNode(v);
  }
  return YamlNode();
}

YamlNode::Iterator YamlNode::begin() const {
  return Iterator(data_, 0);
}
YamlNode::Iterator YamlNode::end() const {
  return Iterator(data_, size());
}

YamlNode::Item YamlNode::Iterator::operator*() const {
  Item item;
  if (data_->type == YAML::NodeType::Sequence) {
    static_cast<YamlNode&>(item) = YamlNode(data_->items[index_]);
  } else {
    item.first = YamlNode(data_->pairs[index_].first);
    item.second = YamlNode(data_->pairs[index_].second);
  }
  return item;
}

namespace {

// yaml-cpp costs as much per byte of a comment as of content, and full-line comments are most
// of a shipped policy's bytes. So the text is parsed first with each line that starts with '#'
// (after blanks) cut just after the '#': a comment still, unless the line was inside a quoted or
// block scalar. The tree of the cut text is kept only when no scalar can have held a cut line;
// its marks are then moved back to the positions of the text as it is.
struct CommentCut {
  std::string text;
  std::vector<int> lines;           // the cut lines, 0-based, ascending
  std::vector<int> removed_before;  // per line: bytes cut from the lines before it
};

CommentCut cut_comment_lines(std::string_view text) {
  CommentCut cut;
  // yaml-cpp reads other encodings (and a NUL) its own way: such texts are parsed as they are.
  if (text.find('\0') != std::string_view::npos ||
      find_invalid_utf8(text) != std::string_view::npos)
    return cut;
  cut.text.reserve(text.size());
  int removed = 0, line = 0;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    cut.removed_before.push_back(removed);
    const size_t first = text.find_first_not_of(" \t", at);
    if (first < end && text[first] == '#' && first + 1 < end) {
      cut.text.append(text, at, first + 1 - at);
      cut.lines.push_back(line);
      removed += static_cast<int>(end - first - 1);
    } else {
      cut.text.append(text, at, end - at);
    }
    if (end < text.size()) cut.text += '\n';
    at = end + 1;
    ++line;
  }
  cut.removed_before.push_back(removed);  // the line after a final newline
  return cut;
}

// The line on which a quoted scalar starting at `pos` of `text` ends; the last line when it
// does not end.
int quoted_scalar_end_line(std::string_view text, size_t pos, int line) {
  const char quote = text[pos];
  for (size_t i = pos + 1; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      ++line;
    } else if (quote == '"' && c == '\\') {
      if (i + 1 < text.size() && text[i + 1] == '\n') ++line;
      ++i;
    } else if (c == quote) {
      if (quote == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
        ++i;  // '' is a quote inside a single-quoted scalar
      } else {
        return line;
      }
    }
  }
  return std::numeric_limits<int>::max();
}

}  // namespace

// Builds the tree from yaml-cpp's events as YAML::Load's builder would (a mapping's events are
// key, value, key, value…), checking the shape on the way.
class YamlTreeBuilder : public YAML::EventHandler {
 public:
  YamlTreeBuilder(YamlTree& tree, const std::string& path) : tree_(tree), path_(path) {}
  std::optional<Error> error;
  int documents = 0;
  bool stuck = false;  // a document started where the previous one did: no progress

  void OnDocumentStart(const YAML::Mark& mark) override {
    stuck = mark.pos == last_document_pos_;
    last_document_pos_ = mark.pos;
    ++documents;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { add(YAML::NodeType::Null, mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override {
    fail(mark, "YAML aliases (*name) are not allowed in policies; share settings with include:");
    add(YAML::NodeType::Null, mark);
  }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                const std::string& value) override {
    add(YAML::NodeType::Scalar, mark)->scalar = value;
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    open(YAML::NodeType::Sequence, mark);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    open(YAML::NodeType::Map, mark);
  }
  void OnMapEnd() override { close(); }

  // Whether the tree of a cut text is the text's own: no node starts on a cut line, no block
  // scalar or property (whose extent is not checked here) is present, and no quoted scalar spans
  // a cut line. Moves the marks back when so.
  static bool cut_changed_nothing(YamlTree& tree, const CommentCut& cut) {
    auto is_cut = [&](int line) {
      return std::binary_search(cut.lines.begin(), cut.lines.end(), line);
    };
    for (const YamlNodeData& node : tree.nodes_) {
      const YAML::Mark m = node.mark;
      if (m.line < 0) continue;
      if (is_cut(m.line)) return false;  // an end-of-text mark after a cut comment, say
      if (m.pos < 0 || static_cast<size_t>(m.pos) >= cut.text.size()) continue;
      const char c = cut.text[static_cast<size_t>(m.pos)];
      if (c == '|' || c == '>' || c == '!' || c == '&') return false;
      if (node.type == YAML::NodeType::Scalar && (c == '\'' || c == '"')) {
        const int last = quoted_scalar_end_line(cut.text, static_cast<size_t>(m.pos), m.line);
        auto next_cut = std::upper_bound(cut.lines.begin(), cut.lines.end(), m.line);
        if (next_cut != cut.lines.end() && *next_cut <= last) return false;
      }
    }
    for (YamlNodeData& node : tree.nodes_) {
      if (node.mark.line >= 0 && static_cast<size_t>(node.mark.line) < cut.removed_before.size())
        node.mark.pos += cut.removed_before[static_cast<size_t>(node.mark.line)];
    }
    return true;
  }

  // A file without a document (only comments) is a null root, as YAML::Load's.
  void finish() {
    if (tree_.root_) return;
    YamlNodeData& null_root = tree_.nodes_.emplace_back();
    null_root.type = YAML::NodeType::Null;
    tree_.root_ = &null_root;
  }

 private:
  // Only the first document becomes the tree; a later one is counted (and refused) only.
  bool building() const { return documents == 1; }

  YamlNodeData* add(YAML::NodeType::value type, const YAML::Mark& mark) {
    if (!building()) return &scratch_;
    YamlNodeData& node = tree_.nodes_.emplace_back();
    node.type = type;
    node.mark = mark;
    if (open_.empty()) {
      tree_.root_ = &node;
    } else if (YamlNodeData* parent = open_.back(); parent->type == YAML::NodeType::Sequence) {
      parent->items.push_back(&node);
    } else if (pending_key_.back() == nullptr) {
      pending_key_.back() = &node;
    } else {
      parent->pairs.emplace_back(pending_key_.back(), &node);
      pending_key_.back() = nullptr;
    }
    return &node;
  }
  void open(YAML::NodeType::value type, const YAML::Mark& mark) {
    if (static_cast<int>(open_.size()) + 1 > kMaxYamlDepth)
      fail(mark, "nested deeper than " + std::to_string(kMaxYamlDepth) + " levels");
    YamlNodeData* node = add(type, mark);
    open_.push_back(node);
    pending_key_.push_back(nullptr);
  }
  void close() {
    if (open_.empty()) return;
    open_.pop_back();
    pending_key_.pop_back();
  }
  void fail(const YAML::Mark& mark, std::string message) {
    if (!error) error = make_error({path_, mark.line + 1, mark.column + 1}, std::move(message));
  }

  YamlTree& tree_;
  const std::string& path_;
  int last_document_pos_ = -1;
  std::vector<YamlNodeData*> open_;         // the collections being filled, innermost last
  std::vector<YamlNodeData*> pending_key_;  // per open mapping: a key waiting for its value
  YamlNodeData scratch_;                    // where a second document's events go
};

namespace {

// '@' and '`' are reserved in YAML: `exec: [@commands]` fails with "unknown token", which
// says nothing about the fix.
std::string quoting_hint(std::string_view text, int pos) {
  if (pos < 0 || static_cast<size_t>(pos) >= text.size()) return "";
  const char c = text[static_cast<size_t>(pos)];
  if (c == '@') return " (a value starting with '@' must be quoted: \"@commands\")";
  if (c == '`') return " (a value starting with '`' must be quoted)";
  return "";
}

// One yaml-cpp pass over `text`.
Result<YamlTree> parse_once(std::string_view text, const std::string& path) {
  YamlTree tree;
  YamlTreeBuilder builder(tree, path);
  std::istringstream in{std::string(text)};
  try {
    YAML::Parser parser(in);
    // yaml-cpp 0.7 reports the same null document forever on some malformed input (a leading
    // ','): a document that starts where the previous one did ends the loop.
    while (!builder.error && builder.documents < 2) {
      if (!parser.HandleNextDocument(builder) || builder.stuck) break;
    }
  } catch (const YAML::ParserException& e) {
    if (builder.error) return *builder.error;
    return make_error({path, e.mark.line + 1, e.mark.column + 1},
                      "YAML syntax error: " + e.msg + quoting_hint(text, e.mark.pos));
  } catch (const YAML::Exception& e) {
    if (builder.error) return *builder.error;
    return make_error({path, e.mark.line + 1, e.mark.column + 1}, "YAML error: " + e.msg);
  }
  if (builder.error) return *builder.error;
  builder.finish();
  if (builder.documents > 1 && !builder.stuck) {
    return make_error({path, 1, 1}, "a policy file holds one YAML document, found " +
                                        std::to_string(builder.documents));
  }
  return tree;
}

}  // namespace

Result<YamlTree> parse_yaml_tree(std::string_view text, const std::string& path) {
  const CommentCut cut = cut_comment_lines(text);
  if (cut.lines.empty()) return parse_once(text, path);
  auto tree = parse_once(cut.text, path);
  // Any doubt, and errors (reported with the text's own positions), go to the text as it is.
  if (!tree || !YamlTreeBuilder::cut_changed_nothing(*tree, cut)) return parse_once(text, path);
  return tree;
}

}  // namespace stsh::policy
