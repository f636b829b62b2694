#include "shell/glob.h"

#include <algorithm>
#include <bitset>
#include <cctype>
#include <cstdint>
#include <map>
#include <utility>

namespace stsh::shell {

namespace {

struct Token {
  enum class Kind : uint8_t { literal, any, star, set };
  Kind kind = Kind::literal;
  unsigned char ch = 0;
  std::bitset<256> set;
};

bool in_class(std::string_view name, unsigned char c) {
  static const std::pair<std::string_view, int (*)(int)> kClasses[] = {
      {"alnum", isalnum}, {"alpha", isalpha}, {"blank", isblank}, {"cntrl", iscntrl},
      {"digit", isdigit}, {"graph", isgraph}, {"lower", islower}, {"print", isprint},
      {"punct", ispunct}, {"space", isspace}, {"upper", isupper}, {"xdigit", isxdigit},
  };
  for (const auto& [class_name, test] : kClasses) {
    if (class_name == name) return c < 0x80 && test(c) != 0;
  }
  return false;
}

// Parses the bracket expression opening at text[open]; returns the offset after its ']', or
// open when it is not a complete bracket expression (then '[' is literal).
size_t parse_set(const GlobPattern& p, size_t open, std::bitset<256>* set) {
  const std::string& t = p.text;
  size_t i = open + 1;
  bool negate = false;
  if (i < t.size() && (t[i] == '!' || t[i] == '^') && p.active[i]) {
    negate = true;
    ++i;
  }
  const size_t first = i;
  while (i < t.size()) {
    if (t[i] == ']' && p.active[i] && i != first) {
      if (negate) set->flip();
      return i + 1;
    }
    if (t[i] == '[' && p.active[i] && i + 1 < t.size() && t[i + 1] == ':') {
      const size_t close = t.find(":]", i + 2);
      if (close != std::string::npos) {
        const std::string_view name = std::string_view(t).substr(i + 2, close - i - 2);
        for (int c = 0; c < 256; ++c) {
          if (in_class(name, static_cast<unsigned char>(c))) set->set(c);
        }
        i = close + 2;
        continue;
      }
    }
    auto lo = static_cast<unsigned char>(t[i]);
    if (i + 2 < t.size() && t[i + 1] == '-' && p.active[i + 1] &&
        !(t[i + 2] == ']' && p.active[i + 2])) {
      const auto hi = static_cast<unsigned char>(t[i + 2]);
      for (unsigned c = lo; c <= hi; ++c) set->set(c);
      i += 3;
    } else {
      set->set(lo);
      ++i;
    }
  }
  return open;
}

std::vector<Token> compile(const GlobPattern& p) {
  std::vector<Token> tokens;
  for (size_t i = 0; i < p.text.size();) {
    Token tok;
    const char c = p.text[i];
    const size_t set_end = p.active[i] && c == '[' ? parse_set(p, i, &tok.set) : i;
    if (p.active[i] && c == '*') {
      tok.kind = Token::Kind::star;
      ++i;
    } else if (p.active[i] && c == '?') {
      tok.kind = Token::Kind::any;
      ++i;
    } else if (set_end != i) {
      tok.kind = Token::Kind::set;
      i = set_end;
    } else {
      tok.ch = static_cast<unsigned char>(c);
      ++i;
    }
    tokens.push_back(tok);
  }
  return tokens;
}

bool matches(const std::vector<Token>& tokens, std::string_view name, bool dot_rule = true) {
  if (dot_rule && !name.empty() && name[0] == '.') {
    if (tokens.empty() || tokens[0].kind != Token::Kind::literal || tokens[0].ch != '.') {
      return false;
    }
  }
  // Two-pointer match with backtracking to the last star: O(pattern * name).
  size_t t = 0;
  size_t n = 0;
  size_t star = std::string::npos;
  size_t star_n = 0;
  while (n < name.size()) {
    const auto c = static_cast<unsigned char>(name[n]);
    if (t < tokens.size()) {
      const Token& tok = tokens[t];
      if (tok.kind == Token::Kind::star) {
        star = t++;
        star_n = n;
        continue;
      }
      const bool one = (tok.kind == Token::Kind::any) ||
                       (tok.kind == Token::Kind::literal && tok.ch == c) ||
                       (tok.kind == Token::Kind::set && tok.set.test(c));
      if (one) {
        ++t;
        ++n;
        continue;
      }
    }
    if (star == std::string::npos) return false;
    t = star + 1;
    n = ++star_n;
  }
  while (t < tokens.size() && tokens[t].kind == Token::Kind::star) ++t;
  return t == tokens.size();
}

bool is_magic(const std::vector<Token>& tokens) {
  return std::any_of(tokens.begin(), tokens.end(),
                     [](const Token& t) { return t.kind != Token::Kind::literal; });
}

std::vector<GlobPattern> split_components(const GlobPattern& p) {
  std::vector<GlobPattern> parts(1);
  for (size_t i = 0; i < p.text.size(); ++i) {
    if (p.text[i] == '/') {
      parts.emplace_back();
      continue;
    }
    parts.back().text += p.text[i];
    parts.back().active.push_back(p.active[i]);
  }
  return parts;
}

class Walker {
 public:
  explicit Walker(const ListDirectory& list) : list_(list) {}

  const std::optional<std::vector<std::string>>& listing(const std::string& dir) {
    auto it = cache_.find(dir);
    if (it == cache_.end()) it = cache_.emplace(dir, list_(dir)).first;
    return it->second;
  }

  // Extends each path by one component.
  std::vector<std::string> step(const std::vector<std::string>& paths, const GlobPattern& comp,
                                bool first, bool verify) {
    const std::vector<Token> tokens = compile(comp);
    std::vector<std::string> next;
    for (const std::string& path : paths) {
      const std::string dir = first ? "." : (path.empty() ? "/" : path);
      const std::string base = first ? "" : path + "/";
      if (!is_magic(tokens)) {
        if (!verify || exists(dir, comp.text)) next.push_back(base + comp.text);
        continue;
      }
      const auto& names = listing(dir);
      if (!names) continue;
      for (const std::string& name : *names) {
        if (name == "." || name == ".." || name.empty()) continue;
        if (matches(tokens, name)) next.push_back(base + name);
      }
    }
    return next;
  }

 private:
  bool exists(const std::string& dir, const std::string& name) {
    const auto& names = listing(dir);
    if (!names) return false;
    if (name.empty() || name == "." || name == "..") return true;  // dir is a directory
    return std::find(names->begin(), names->end(), name) != names->end();
  }

  const ListDirectory& list_;
  std::map<std::string, std::optional<std::vector<std::string>>> cache_;
};

}  // namespace

bool has_glob(const GlobPattern& pattern) {
  for (const GlobPattern& comp : split_components(pattern)) {
    if (is_magic(compile(comp))) return true;
  }
  return false;
}

bool match_component(const GlobPattern& pattern, std::string_view name) {
  return matches(compile(pattern), name);
}

std::vector<std::string> glob(const GlobPattern& pattern, const ListDirectory& list) {
  const std::vector<GlobPattern> comps = split_components(pattern);
  Walker walker(list);
  std::vector<std::string> paths{""};
  bool magic_seen = false;
  for (size_t i = 0; i < comps.size() && !paths.empty(); ++i) {
    // An absolute pattern's first component is the empty text before its leading '/'.
    const bool first = i == 0 && !comps[0].text.empty();
    if (i == 0 && comps[0].text.empty()) continue;
    paths = walker.step(paths, comps[i], first, /* verify= */ magic_seen);
    magic_seen = magic_seen || is_magic(compile(comps[i]));
  }
  if (!magic_seen) return {};
  std::sort(paths.begin(), paths.end());
  return paths;
}

bool match_string(const GlobPattern& pattern, std::string_view text) {
  return matches(compile(pattern), text, /* dot_rule= */ false);
}

}  // namespace stsh::shell
