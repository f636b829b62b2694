#include "policy/glob.h"

#include <variant>

namespace stsh::policy {
namespace {

using Kind = GlobToken::Kind;

// A star token before `**` folding remembers how many stars it stood for.
struct RawToken {
  GlobToken token;
  size_t stars = 0;
};

GlobToken literal(unsigned char c) {
  return GlobToken{Kind::literal, c, {}};
}

bool is_slash(const GlobToken& t) {
  return t.kind == Kind::literal && t.ch == '/';
}

// Reads one class member at p[j] (a byte or an escaped byte) and advances j.
std::variant<unsigned char, GlobError> class_member(std::string_view p, size_t& j) {
  if (p[j] != '\\') return static_cast<unsigned char>(p[j++]);
  if (j + 1 == p.size()) return GlobError{j, "trailing backslash"};
  j += 2;
  return static_cast<unsigned char>(p[j - 1]);
}

// Parses the class opening at p[i] == '['; on success i is just past its ']'.
std::variant<GlobToken, GlobError> parse_class(std::string_view p, size_t& i) {
  const size_t open = i;
  size_t j = i + 1;
  const bool negate = j < p.size() && (p[j] == '!' || p[j] == '^');
  if (negate) ++j;
  // A ']' right after the opening is not a member (that shell rule surprises readers); "\]" is.
  if (j < p.size() && p[j] == ']') return GlobError{open, "empty character class '[]'"};
  GlobToken token{Kind::char_class, 0, {}};
  while (true) {
    if (j >= p.size()) return GlobError{open, "unterminated character class '['"};
    if (p[j] == ']') break;
    // "[[:alpha:]]" would otherwise be read as the members '[', ':', 'a', ... and silently
    // match something else than the writer meant.
    if (p[j] == '[' && j + 1 < p.size() &&
        (p[j + 1] == ':' || p[j + 1] == '=' || p[j + 1] == '.')) {
      return GlobError{
          j, "character class names like [:alpha:] are not supported; list the characters"};
    }
    const size_t lo_offset = j;
    auto lo = class_member(p, j);
    if (auto* e = std::get_if<GlobError>(&lo)) return *e;
    unsigned char first = std::get<unsigned char>(lo);
    unsigned char last = first;
    // '-' is a range only between two members: "[-a]" and "[a-]" hold a literal '-'.
    if (j + 1 < p.size() && p[j] == '-' && p[j + 1] != ']') {
      ++j;
      auto hi = class_member(p, j);
      if (auto* e = std::get_if<GlobError>(&hi)) return *e;
      last = std::get<unsigned char>(hi);
      if (last < first) {
        return GlobError{lo_offset, std::string("invalid range '") + static_cast<char>(first) +
                                        "-" + static_cast<char>(last) + "'"};
      }
    }
    for (unsigned c = first; c <= last; ++c) token.set.set(c);
  }
  i = j + 1;
  if (negate) token.set.flip();
  token.set.reset('/');  // FNM_PATHNAME: only a literal '/' matches '/'
  return token;
}

// The single parser behind validate_glob, parse_glob and glob_match, so they cannot disagree.
std::variant<std::vector<GlobToken>, GlobError> parse(std::string_view p, bool require_absolute) {
  if (require_absolute && (p.empty() || p[0] != '/')) {
    return GlobError{0, "pattern must be an absolute path"};
  }
  if (size_t nul = p.find('\0'); nul != std::string_view::npos) {
    return GlobError{nul, "NUL byte in pattern"};
  }
  std::vector<RawToken> raw;
  size_t i = 0;
  while (i < p.size()) {
    const char c = p[i];
    if (c == '\\') {
      if (i + 1 == p.size()) return GlobError{i, "trailing backslash"};
      raw.push_back({literal(static_cast<unsigned char>(p[i + 1]))});
      i += 2;
    } else if (c == '*') {
      const size_t end = p.find_first_not_of('*', i);
      const size_t stop = end == std::string_view::npos ? p.size() : end;
      raw.push_back({GlobToken{Kind::star, 0, {}}, stop - i});
      i = stop;
    } else if (c == '?') {
      GlobToken any{Kind::char_class, 0, {}};
      any.set.set();
      any.set.reset('/');
      raw.push_back({any});
      ++i;
    } else if (c == '[') {
      auto cls = parse_class(p, i);
      if (auto* e = std::get_if<GlobError>(&cls)) return *e;
      raw.push_back({std::get<GlobToken>(cls)});
    } else {
      raw.push_back({literal(static_cast<unsigned char>(c))});
      ++i;
    }
  }

  // Canonical subjects never end in '/', so a trailing one would only make the pattern dead.
  while (raw.size() > 1 && is_slash(raw.back().token)) raw.pop_back();

  std::vector<GlobToken> out;
  out.reserve(raw.size());
  for (size_t k = 0; k < raw.size(); ++k) {
    const RawToken& t = raw[k];
    const bool whole_component = t.stars == 2 && !out.empty() && is_slash(out.back()) &&
                                 (k + 1 == raw.size() || is_slash(raw[k + 1].token));
    if (whole_component) {
      out.back() = GlobToken{Kind::globstar, 0, {}};
    } else {
      out.push_back(t.token);
    }
  }
  return out;
}

// Thompson simulation over token positions. State k (0..m) means "tokens [0, k) matched";
// state m + 1 + k means "inside the '/'-and-anything loop of the globstar token k".
class Simulation {
 public:
  explicit Simulation(const std::vector<GlobToken>& tokens)
      : t_(tokens), m_(tokens.size()), cur_(2 * m_ + 1), next_(2 * m_ + 1) {
    cur_[0] = true;
    close(cur_);
  }

  bool accepting() const { return cur_[m_]; }

  // Returns false once no state is left (no continuation can match).
  bool step(unsigned char c) {
    std::fill(next_.begin(), next_.end(), false);
    bool any = false;
    for (size_t k = 0; k < m_; ++k) {
      if (cur_[m_ + 1 + k]) next_[m_ + 1 + k] = any = true;
      if (!cur_[k]) continue;
      const GlobToken& t = t_[k];
      switch (t.kind) {
        case Kind::literal:
          if (c == t.ch) next_[k + 1] = any = true;
          break;
        case Kind::char_class:
          if (t.set.test(c)) next_[k + 1] = any = true;
          break;
        case Kind::star:
          if (c != '/') next_[k] = any = true;
          break;
        case Kind::globstar:
          if (c == '/') next_[m_ + 1 + k] = any = true;
          break;
      }
    }
    cur_.swap(next_);
    close(cur_);
    return any;
  }

 private:
  // Epsilon moves only go from k to k + 1, so one forward sweep reaches the closure.
  void close(std::vector<bool>& s) const {
    for (size_t k = 0; k < m_; ++k) {
      const bool skip = s[k] && (t_[k].kind == Kind::star || t_[k].kind == Kind::globstar);
      if (skip || s[m_ + 1 + k]) s[k + 1] = true;
    }
  }

  const std::vector<GlobToken>& t_;
  size_t m_;
  std::vector<bool> cur_, next_;
};

}  // namespace

std::optional<GlobError> validate_glob(std::string_view pattern, bool require_absolute) {
  auto parsed = parse(pattern, require_absolute);
  if (auto* e = std::get_if<GlobError>(&parsed)) return *e;
  return std::nullopt;
}

std::optional<std::vector<GlobToken>> parse_glob(std::string_view pattern) {
  auto parsed = parse(pattern, /*require_absolute=*/false);
  if (std::holds_alternative<GlobError>(parsed)) return std::nullopt;
  return std::get<std::vector<GlobToken>>(std::move(parsed));
}

bool glob_match(std::string_view pattern, std::string_view subject, bool subtree) {
  const auto tokens = parse_glob(pattern);
  if (!tokens) return false;
  // Leading-dir on "/" would need a '/' after the match; "everything absolute" is what is meant.
  if (subtree && tokens->size() == 1 && is_slash(tokens->front())) {
    return !subject.empty() && subject.front() == '/';
  }
  Simulation sim(*tokens);
  for (size_t i = 0;; ++i) {
    const bool at_end = i == subject.size();
    if (sim.accepting() && (at_end || (subtree && subject[i] == '/'))) return true;
    if (at_end || !sim.step(static_cast<unsigned char>(subject[i]))) return false;
  }
}

}  // namespace stsh::policy
