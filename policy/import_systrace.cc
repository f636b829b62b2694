#include "policy/import_systrace.h"

#include <fnmatch.h>
#include <regex.h>
#include <strings.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <array>
#include <cctype>
#include <map>
#include <optional>
#include <string_view>

#include "policy/entry_checks.h"
#include "policy/errno_names.h"
#include "policy/glob.h"
#include "policy/rule_parser.h"
#include "policy/syscalls.h"
#include "policy/tool_text.h"

namespace stsh::policy {
namespace {

using tools::printable;

// ---------------------------------------------------------------------------------------------
// Lexing one filter (the text after "NAME:").

struct Token {
  enum class Kind { word, string, punct, end } kind = Kind::end;
  std::string text;
  size_t col = 0;  // 1-based column in the source line
};

struct SyntaxError {
  size_t col;
  std::string message;
};

std::optional<SyntaxError> lex(std::string_view line, size_t start, std::vector<Token>& out) {
  size_t i = start;
  while (i < line.size()) {
    const char c = line[i];
    if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
      continue;
    }
    Token t;
    t.col = i + 1;
    if (c == '"') {
      t.kind = Token::Kind::string;
      ++i;
      for (;;) {
        if (i >= line.size()) return SyntaxError{t.col, "unterminated string"};
        if (line[i] == '"') break;
        if (line[i] == '\\' && i + 1 < line.size() && (line[i + 1] == '"' || line[i + 1] == '\\')) {
          t.text += line[i + 1];
          i += 2;
          continue;
        }
        t.text += line[i++];
      }
      ++i;
    } else if (c == '!' && i + 1 < line.size() && line[i + 1] == '=') {
      t.kind = Token::Kind::punct;
      t.text = "!=";
      i += 2;
    } else if (std::string_view("()[],:=<>").find(c) != std::string_view::npos) {
      t.kind = Token::Kind::punct;
      t.text = std::string(1, c);
      ++i;
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.') {
      t.kind = Token::Kind::word;
      while (i < line.size() && (std::isalnum(static_cast<unsigned char>(line[i])) ||
                                 line[i] == '_' || line[i] == '-' || line[i] == '.'))
        t.text += line[i++];
    } else {
      return SyntaxError{i + 1, "unexpected character '" + printable(std::string(1, c)) + "'"};
    }
    out.push_back(std::move(t));
  }
  Token end;
  end.col = line.size() + 1;
  out.push_back(end);
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// The systrace filter, parsed.

struct SNode {
  enum class Kind { True, Sym, Not, And, Or } kind = Kind::True;
  std::string name;  // operand, lower case
  int typeoff = -1;
  std::string op;
  std::string value;
  std::vector<SNode> children;
};

struct SRule {
  SNode expr;
  std::string action;     // permit, deny, ask
  std::string bracket;    // errorcode or inherit/detach
  bool log = false;
  std::string elevate;    // "as ..." as written
  std::string predicate;  // ", if ..." as written
};

class FilterParser {
 public:
  explicit FilterParser(std::vector<Token> t) : t_(std::move(t)) {}

  std::optional<SyntaxError> parse(SRule& r) {
    if (auto e = expression(r.expr)) return e;
    if (!word("then")) return fail("expected 'then' after the expression");
    const Token& a = peek();
    if (a.kind != Token::Kind::word || (a.text != "permit" && a.text != "deny" && a.text != "ask"))
      return fail("expected permit, deny or ask after 'then'");
    r.action = next().text;
    if (punct("[")) {
      if (peek().kind != Token::Kind::word) return fail("expected a word inside '[...]'");
      r.bracket = next().text;
      if (!punct("]")) return fail("expected ']'");
    }
    if (word("log")) r.log = true;
    if (peek().kind == Token::Kind::word && peek().text == "as") {
      next();
      r.elevate = "as ";
      if (peek().kind == Token::Kind::word) r.elevate += next().text;
      if (punct(":")) {
        r.elevate += ":";
        if (peek().kind != Token::Kind::word) return fail("expected a group after ':'");
        r.elevate += next().text;
      }
      if (r.elevate == "as ") return fail("expected a user or ':group' after 'as'");
    }
    if (punct(",")) {
      if (!word("if")) return fail("expected 'if' after ','");
      const Token& who = peek();
      if (who.kind != Token::Kind::word || (who.text != "user" && who.text != "group"))
        return fail("expected 'user' or 'group' after 'if'");
      r.predicate = ", if " + next().text;
      const Token& op = peek();
      if (op.kind != Token::Kind::punct ||
          (op.text != "=" && op.text != "!=" && op.text != "<" && op.text != ">"))
        return fail("expected =, !=, < or > in the predicate");
      r.predicate += " " + next().text;
      if (peek().kind != Token::Kind::word && peek().kind != Token::Kind::string)
        return fail("expected a user or group name or number");
      r.predicate += " " + next().text;
    }
    if (peek().kind != Token::Kind::end) return fail("unexpected '" + printable(peek().text) + "'");
    return std::nullopt;
  }

 private:
  const Token& peek() const { return t_[i_]; }
  const Token& next() { return t_[i_ < t_.size() - 1 ? i_++ : i_]; }
  bool word(std::string_view w) {
    if (peek().kind == Token::Kind::word && peek().text == w) return next(), true;
    return false;
  }
  bool punct(std::string_view p) {
    if (peek().kind == Token::Kind::punct && peek().text == p) return next(), true;
    return false;
  }
  SyntaxError fail(std::string m) const { return SyntaxError{peek().col, std::move(m)}; }

  // Right-recursive, one precedence for and/or: what yacc builds from systrace's grammar.
  std::optional<SyntaxError> expression(SNode& out) {
    SNode left;
    if (word("not")) {
      left.kind = SNode::Kind::Not;
      left.children.emplace_back();
      if (auto e = expression(left.children[0])) return e;
      out = std::move(left);
      return std::nullopt;
    }
    if (punct("(")) {
      if (auto e = expression(left)) return e;
      if (!punct(")")) return fail("expected ')'");
    } else if (auto e = symbol(left)) {
      return e;
    }
    if (peek().kind == Token::Kind::word && (peek().text == "and" || peek().text == "or")) {
      SNode node;
      node.kind = next().text == "and" ? SNode::Kind::And : SNode::Kind::Or;
      node.children.push_back(std::move(left));
      node.children.emplace_back();
      if (auto e = expression(node.children[1])) return e;
      out = std::move(node);
      return std::nullopt;
    }
    out = std::move(left);
    return std::nullopt;
  }

  std::optional<SyntaxError> symbol(SNode& out) {
    if (word("true")) {
      out.kind = SNode::Kind::True;
      return std::nullopt;
    }
    if (peek().kind != Token::Kind::word) return fail("expected an argument name, 'true', 'not' or '('");
    out.kind = SNode::Kind::Sym;
    out.name = next().text;
    for (char& c : out.name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (punct("[")) {
      const Token& n = peek();
      if (n.kind != Token::Kind::word || n.text.empty() || n.text.size() > 2 ||
          !std::all_of(n.text.begin(), n.text.end(), ::isdigit))
        return fail("expected a number from 0 to 7 in '[...]'");
      out.typeoff = std::stoi(next().text);
      if (!punct("]")) return fail("expected ']'");
    }
    static constexpr std::array<std::string_view, 7> kOps = {"match", "eq",     "neq", "sub",
                                                             "nsub",  "inpath", "re"};
    const Token& op = peek();
    if (op.kind != Token::Kind::word ||
        std::find(kOps.begin(), kOps.end(), op.text) == kOps.end())
      return fail("expected an operator (match, eq, neq, sub, nsub, inpath, re)");
    out.op = next().text;
    if (peek().kind != Token::Kind::string)
      return fail("expected a quoted string after '" + out.op + "'");
    out.value = next().text;
    return std::nullopt;
  }

  std::vector<Token> t_;
  size_t i_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Translation of one symbol, for one Linux system call (or stsh alias).

struct Tr {
  enum class K { expr, never, fail } k = K::expr;
  Expr e;
  std::string why;      // never / fail: the reason
  std::string caveat;   // expr: something left out, reported as not translated
};

Tr fail(std::string why) { return Tr{Tr::K::fail, {}, std::move(why), {}}; }
Tr never(std::string why) { return Tr{Tr::K::never, {}, std::move(why), {}}; }
Tr yes(Expr e) { return Tr{Tr::K::expr, std::move(e), {}, {}}; }
Tr always() { return yes(Expr::truth()); }

Expr pred(Operand o, int index, Op op, std::string value) {
  Predicate p;
  p.operand = o;
  p.index = index;
  p.op = op;
  p.value = std::move(value);
  return Expr::predicate(std::move(p));
}

Expr chain(Expr::Kind kind, std::vector<Expr> parts) {
  if (parts.size() == 1) return std::move(parts[0]);
  Expr e;
  e.kind = kind;
  e.children = std::move(parts);
  return e;
}

Op op_of(const std::string& op) {
  if (op == "eq") return Op::eq;
  if (op == "neq") return Op::neq;
  if (op == "match") return Op::match;
  if (op == "sub") return Op::sub;
  if (op == "nsub") return Op::nsub;
  if (op == "re") return Op::re;
  return Op::inpath;
}

constexpr std::string_view kMissing = "<non-existent filename>";

// systrace replaces the substrings $HOME, $USER and $CWD (and nothing else); stsh knows
// ${HOME} and ${USER}, and reads every other '$' that starts a name as a variable.
std::optional<std::string> translate_variables(std::string_view in, std::string& why) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '$') {
      out += in[i];
      continue;
    }
    const std::string_view rest = in.substr(i);
    if (rest.starts_with("$HOME")) {
      out += "${HOME}";
      i += 4;
    } else if (rest.starts_with("$USER")) {
      out += "${USER}";
      i += 4;
    } else if (rest.starts_with("$CWD")) {
      why = "$CWD (systrace's working directory when it started) has no stsh equivalent";
      return std::nullopt;
    } else if (i + 1 < in.size() &&
               (in[i + 1] == '{' || std::isalpha(static_cast<unsigned char>(in[i + 1])) ||
                in[i + 1] == '_')) {
      size_t end = i + 1;
      if (in[end] == '{') {
        end = in.find('}', i);
        end = end == std::string_view::npos ? in.size() : end + 1;
      } else {
        while (end < in.size() &&
               (std::isalnum(static_cast<unsigned char>(in[end])) || in[end] == '_'))
          ++end;
      }
      why = "'" + printable(in.substr(i, end - i)) +
            "' is a variable neither systrace nor stsh knows (the ports tree substituted such "
            "variables with make before systrace read the file): substitute it and import again";
      return std::nullopt;
    } else {
      out += "$$";
    }
  }
  return out;
}

// What a translated path looks like once stsh expands it, for the checks on its shape.
std::string sample_expansion(std::string_view v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v.substr(i).starts_with("${HOME}")) {
      out += "/home/u";
      i += 6;
    } else if (v.substr(i).starts_with("${USER}")) {
      out += "u";
      i += 6;
    } else if (v.substr(i).starts_with("$$")) {
      out += "$";
      ++i;
    } else {
      out += v[i];
    }
  }
  return out;
}

// systrace's inpath is true when the argument is the string or a directory above it (its
// filter_inpath); stsh's inpath is the other direction, so it becomes an eq per ancestor.
Tr inpath_ancestors(Operand o, int index, const std::string& v) {
  std::vector<Expr> parts;
  std::string caveat;
  size_t start = 0;
  if (v.starts_with("${HOME}")) {
    caveat = "the directories above $HOME that systrace's inpath also matched are left out";
    start = 7;
  } else if (v.starts_with("/")) {
    parts.push_back(pred(o, index, Op::eq, "/"));
    start = 1;
  } else {
    return never("systrace's inpath compares with absolute paths; '" + printable(v) +
                 "' never matched");
  }
  for (size_t i = start; i <= v.size(); ++i) {
    if (i == v.size() || v[i] == '/') {
      const std::string prefix = v.substr(0, i);
      if (!prefix.empty() && prefix != "/") parts.push_back(pred(o, index, Op::eq, prefix));
    }
  }
  Tr t = yes(chain(Expr::Kind::Or, std::move(parts)));
  t.caveat = caveat;
  return t;
}

Tr path_symbol(Operand o, int index, const SNode& s, std::string& why) {
  const bool marker = s.value.find(kMissing) != std::string::npos;
  const std::string missing_why =
      "'<non-existent filename>' is how systrace wrote a path that does not exist; stsh answers "
      "ENOENT for those itself, before any rule";
  const std::string empty_why = "an empty path fails with ENOENT in the kernel, before any policy";
  if (marker || s.value.empty()) {
    const std::string& w = marker ? missing_why : empty_why;
    if (s.op == "neq" || s.op == "nsub") return always();
    if (s.op == "sub" && s.value.empty()) return always();
    if (s.op == "re") return fail("a regular expression on systrace's text for missing paths");
    return never(w);
  }
  auto v = translate_variables(s.value, why);
  if (!v) return fail(why);
  const Op op = op_of(s.op);
  const std::string shape = sample_expansion(*v);
  if (op == Op::eq || op == Op::neq) {
    if (!tools::canonical_absolute(shape)) {
      if (op == Op::neq) return always();
      return never("systrace compared the canonical absolute path; '" + printable(s.value) +
                   "' never matched");
    }
  } else if (op == Op::match) {
    if (shape.empty() || shape[0] != '/')
      return never("systrace matched the pattern against absolute paths; '" + printable(s.value) +
                   "' never matched");
    if (auto err = validate_glob(shape)) return fail("the pattern: " + err->message);
  } else if (op == Op::inpath) {
    return inpath_ancestors(o, index, *v);
  }
  return yes(pred(o, index, op, *v));
}

// "inet-[1.2.3.4]:80" -> "inet:1.2.3.4:80", "inet6-[::1]:22" -> "inet6:[::1]:22",
// "/tmp/sock" -> "unix:/tmp/sock".
std::optional<std::string> stsh_address(std::string_view v) {
  auto bracketed = [&](std::string_view prefix, bool keep_brackets) -> std::optional<std::string> {
    if (!v.starts_with(prefix)) return std::nullopt;
    const size_t close = v.find("]:", prefix.size());
    if (close == std::string_view::npos) return std::nullopt;
    const std::string_view host = v.substr(prefix.size(), close - prefix.size());
    const std::string_view port = v.substr(close + 2);
    if (host.empty() || port.empty()) return std::nullopt;
    std::string out = keep_brackets ? "inet6:[" : "inet:";
    out += host;
    out += keep_brackets ? "]:" : ":";
    out += port;
    return out;
  };
  if (auto a = bracketed("inet-[", false)) return a;
  if (auto a = bracketed("inet6-[", true)) return a;
  if (v.starts_with("/")) return "unix:" + std::string(v);
  return std::nullopt;
}

Tr sockaddr_symbol(const SNode& s, std::string& why) {
  if (s.value.find(kMissing) != std::string::npos) {
    if (s.op == "neq" || s.op == "nsub") return always();
    return never("'<non-existent filename>' is how systrace wrote a socket path that does not "
                 "exist; stsh answers ENOENT for those itself");
  }
  if (s.value.starts_with("family("))
    return fail("stsh has no address text for '" + printable(s.value) +
                "' (a socket family other than inet, inet6 and unix)");
  auto v = translate_variables(s.value, why);
  if (!v) return fail(why);
  const Op op = op_of(s.op);
  if (op == Op::eq || op == Op::neq) {
    auto a = stsh_address(*v);
    if (!a) return fail("'" + printable(s.value) + "' is not an address systrace writes");
    return yes(pred(Operand::sockaddr, -1, op, *a));
  }
  if (op == Op::match) {
    if (!v->starts_with("/"))
      return fail("a match on an inet address: systrace's fnmatch read '[...]' as a character "
                  "class, so this pattern did not do what it says");
    return yes(pred(Operand::sockaddr, -1, op, "unix:" + *v));
  }
  if ((op == Op::sub || op == Op::nsub) &&
      (v->starts_with("/") ||
       std::all_of(v->begin(), v->end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) || c == '.'; })))
    return yes(pred(Operand::sockaddr, -1, op, *v));
  return fail("'" + s.op + "' on systrace's address text, which differs from stsh's");
}

// systrace wrote open flags as "ro"/"wo"/"rw" followed by n (O_NONBLOCK, native only),
// a (O_APPEND), c (O_CREAT), t (O_TRUNC). The filter is evaluated on every such text, and the
// texts it accepts are written as stsh predicates on the flags.
bool systrace_inpath(std::string_view line, std::string_view data) {
  if (line.empty() || line.size() > data.size()) return false;
  if (line.size() == 1) return line[0] == '/';
  if (data.substr(0, line.size()) != line) return false;
  return data.size() == line.size() || data[line.size()] == '/';
}

Tr oflags_symbol(const SNode& s, bool linux_emul) {
  static constexpr std::array<std::string_view, 3> kAccess = {"ro", "wo", "rw"};
  static constexpr std::array<std::string_view, 3> kAccessFlag = {"O_RDONLY", "O_WRONLY", "O_RDWR"};
  static constexpr std::array<char, 4> kLetters = {'n', 'a', 'c', 't'};
  static constexpr std::array<std::string_view, 4> kFlag = {"O_NONBLOCK", "O_APPEND", "O_CREAT",
                                                            "O_TRUNC"};
  regex_t re{};
  if (s.op == "re" && regcomp(&re, s.value.c_str(), REG_EXTENDED | REG_NOSUB) != 0)
    return fail("invalid regular expression");
  auto accepts = [&](const std::string& text) {
    if (s.op == "eq") return strcasecmp(text.c_str(), s.value.c_str()) == 0;
    if (s.op == "neq") return strcasecmp(text.c_str(), s.value.c_str()) != 0;
    if (s.op == "sub") return text.find(s.value) != std::string::npos;
    if (s.op == "nsub") return text.find(s.value) == std::string::npos;
    if (s.op == "match")
      return fnmatch(s.value.c_str(), text.c_str(), FNM_PATHNAME | FNM_LEADING_DIR) == 0;
    if (s.op == "inpath") return systrace_inpath(text, s.value);
    return regexec(&re, text.c_str(), 0, nullptr, 0) == 0;
  };
  // sets[a] = bit mask over the 16 flag combinations (bit i: flags i accepted).
  std::array<unsigned, 3> sets{};
  const unsigned universe = 0xffffu;
  for (size_t a = 0; a < 3; ++a) {
    for (unsigned f = 0; f < 16; ++f) {
      // Linux texts have no 'n': the flag is invisible there, so both values decide alike.
      const unsigned shown = linux_emul ? (f & ~1u) : f;
      std::string text(kAccess[a]);
      for (size_t k = 0; k < 4; ++k)
        if (shown & (1u << k)) text += kLetters[k];
      if (accepts(text)) sets[a] |= 1u << f;
    }
  }
  if (s.op == "re") regfree(&re);
  if (sets[0] == 0 && sets[1] == 0 && sets[2] == 0)
    return never("no open flags systrace could write match '" + printable(s.value) + "'");
  // A cube fixes some flags (value 0, 1) and leaves others free (2): 81 of them.
  auto cube_mask = [](const std::array<int, 4>& c) {
    unsigned m = 0;
    for (unsigned f = 0; f < 16; ++f) {
      bool in = true;
      for (size_t k = 0; k < 4; ++k)
        if (c[k] != 2 && static_cast<int>((f >> k) & 1u) != c[k]) in = false;
      if (in) m |= 1u << f;
    }
    return m;
  };
  auto cover = [&](unsigned set) {
    std::vector<Expr> terms;
    std::vector<std::array<int, 4>> cubes;
    for (int n = 0; n < 81; ++n) {
      std::array<int, 4> c{};
      int x = n;
      for (auto& d : c) d = x % 3, x /= 3;
      cubes.push_back(c);
    }
    std::sort(cubes.begin(), cubes.end(), [](const auto& l, const auto& r) {
      return std::count(l.begin(), l.end(), 2) > std::count(r.begin(), r.end(), 2);
    });
    unsigned covered = 0;
    for (const auto& c : cubes) {
      const unsigned m = cube_mask(c);
      if ((m & ~set) != 0 || (m & ~covered) == 0) continue;
      covered |= m;
      std::vector<Expr> lits;
      for (size_t k = 0; k < 4; ++k) {
        if (c[k] == 2) continue;
        lits.push_back(pred(Operand::oflags, -1, c[k] ? Op::sub : Op::nsub, std::string(kFlag[k])));
      }
      terms.push_back(lits.empty() ? Expr::truth() : chain(Expr::Kind::And, std::move(lits)));
      if (covered == set) break;
    }
    return terms;
  };
  std::vector<Expr> alternatives;
  if (sets[0] == sets[1] && sets[1] == sets[2]) {
    if (sets[0] == universe) return always();
    alternatives = cover(sets[0]);
  } else {
    for (size_t a = 0; a < 3; ++a) {
      if (sets[a] == 0) continue;
      Expr access = pred(Operand::oflags, -1, Op::sub, std::string(kAccessFlag[a]));
      for (Expr& term : cover(sets[a])) {
        if (term.kind == Expr::Kind::True) {
          alternatives.push_back(access);
        } else if (term.kind == Expr::Kind::And) {
          term.children.insert(term.children.begin(), access);
          alternatives.push_back(std::move(term));
        } else {
          alternatives.push_back(chain(Expr::Kind::And, {access, std::move(term)}));
        }
      }
    }
  }
  return yes(chain(Expr::Kind::Or, std::move(alternatives)));
}

bool is_symlink_call(std::string_view target) {
  return target == "symlink" || target == "symlinkat";
}

Tr symbol(const SNode& s, std::string_view target, bool linux_emul) {
  std::string why;
  if (s.name == "filename") {
    if (s.typeoff > 1) return fail("stsh has no filename[" + std::to_string(s.typeoff) + "]");
    return path_symbol(Operand::filename, s.typeoff <= 0 ? 0 : 1, s, why);
  }
  if (s.name == "string") {
    if (!is_symlink_call(target))
      return fail("the argument 'string' has an stsh operand only for symlink (filename[1])");
    return path_symbol(Operand::filename, 1, s, why);
  }
  if (s.name == "sockaddr") return sockaddr_symbol(s, why);
  if (s.name == "oflags") return oflags_symbol(s, linux_emul);
  if (s.name == "mode") {
    if ((s.op != "eq" && s.op != "neq") || s.value.empty() || s.value.size() > 5 ||
        s.value.find_first_not_of("01234567") != std::string::npos)
      return fail("only 'eq' and 'neq' with an octal mode translate (stsh writes modes as 4 digits)");
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(std::stoul(s.value, nullptr, 8)) & 07777u);
    return yes(pred(Operand::mode, -1, op_of(s.op), buf));
  }
  if (s.name == "uid" || s.name == "gid" || s.name == "argv") {
    if (s.op == "inpath") return fail("inpath on '" + s.name + "'");
    auto v = translate_variables(s.value, why);
    if (!v) return fail(why);
    const Operand o = s.name == "uid" ? Operand::uid : s.name == "gid" ? Operand::gid : Operand::argv;
    return yes(pred(o, -1, op_of(s.op), *v));
  }
  return fail("stsh rules have no operand for systrace's argument '" + printable(s.name) + "'");
}

Tr translate(const SNode& n, std::string_view target, bool linux_emul) {
  switch (n.kind) {
    case SNode::Kind::True:
      return always();
    case SNode::Kind::Sym:
      return symbol(n, target, linux_emul);
    case SNode::Kind::Not: {
      Tr t = translate(n.children[0], target, linux_emul);
      if (t.k == Tr::K::fail) return t;
      if (t.k == Tr::K::never) return always();
      if (t.e.kind == Expr::Kind::True) return never("'not true' never matches");
      Tr out = yes(Expr::negate(std::move(t.e)));
      out.caveat = t.caveat;
      return out;
    }
    case SNode::Kind::And:
    case SNode::Kind::Or: {
      const bool is_and = n.kind == SNode::Kind::And;
      std::vector<Expr> parts;
      std::string caveat, never_why;
      for (const SNode& c : n.children) {
        Tr t = translate(c, target, linux_emul);
        if (t.k == Tr::K::fail) return t;
        if (!t.caveat.empty()) caveat = t.caveat;
        if (t.k == Tr::K::never) {
          if (is_and) return t;
          never_why = t.why;
          continue;
        }
        if (t.e.kind == Expr::Kind::True) {
          if (!is_and) return always();
          continue;
        }
        // Keep the tree flat where the kinds agree: "a and (b and c)" is "a and b and c".
        if (t.e.kind == (is_and ? Expr::Kind::And : Expr::Kind::Or)) {
          for (Expr& g : t.e.children) parts.push_back(std::move(g));
        } else {
          parts.push_back(std::move(t.e));
        }
      }
      if (parts.empty()) return is_and ? always() : never(never_why);
      Tr out = yes(chain(is_and ? Expr::Kind::And : Expr::Kind::Or, std::move(parts)));
      out.caveat = caveat;
      return out;
    }
  }
  return always();
}

// ---------------------------------------------------------------------------------------------
// System call names.

// OpenBSD names with a Linux counterpart of another name: the call glibc makes for the same
// function (pread(2) is pread64 on x86_64, sigprocmask(2) rt_sigprocmask, getentropy(2)
// getrandom).
std::optional<std::string_view> renamed(std::string_view name) {
  static const std::map<std::string_view, std::string_view> kNames = {
      {"__getcwd", "getcwd"},       {"break", "brk"},
      {"getdirentries", "getdents64"}, {"pread", "pread64"},
      {"pwrite", "pwrite64"},       {"sigprocmask", "rt_sigprocmask"},
      {"sigaction", "rt_sigaction"}, {"sigpending", "rt_sigpending"},
      {"sigsuspend", "rt_sigsuspend"}, {"getentropy", "getrandom"}};
  auto it = kNames.find(name);
  if (it == kNames.end()) return std::nullopt;
  return it->second;
}

// A Linux program makes the *at (and newer) forms of these calls: glibc's open() is openat.
std::vector<std::string> family(std::string_view name) {
  static const std::map<std::string_view, std::vector<std::string>> kFamily = {
      {"open", {"open", "openat", "openat2"}},
      {"stat", {"stat", "newfstatat", "statx"}},
      {"lstat", {"lstat", "newfstatat", "statx"}},
      {"access", {"access", "faccessat", "faccessat2"}},
      {"readlink", {"readlink", "readlinkat"}},
      {"unlink", {"unlink", "unlinkat"}},
      {"rmdir", {"rmdir", "unlinkat"}},
      {"mkdir", {"mkdir", "mkdirat"}},
      {"rename", {"rename", "renameat", "renameat2"}},
      {"link", {"link", "linkat"}},
      {"symlink", {"symlink", "symlinkat"}},
      {"chmod", {"chmod", "fchmodat", "fchmodat2"}},
      {"chown", {"chown", "fchownat"}},
      {"lchown", {"lchown", "fchownat"}},
      {"utimes", {"utimes", "utimensat"}},
      {"mknod", {"mknod", "mknodat"}},
      {"getdents64", {"getdents64", "getdents"}},
  };
  auto it = kFamily.find(name);
  if (it == kFamily.end()) return {std::string(name)};
  return it->second;
}

// The stsh rule keys for a systrace syscall name, or why there are none.
std::vector<std::string> linux_targets(std::string name, bool linux_emul, std::string& why) {
  if (name == "fsread" || name == "fswrite") return {name};
  if (!linux_emul) {
    if (auto r = renamed(name)) name = std::string(*r);
  } else if (!syscall_number(name)) {
    // i386 Linux's stat64, chown32, ...: the x86_64 call has the plain name.
    for (std::string_view suffix : {"64", "32"}) {
      if (name.size() > 2 && name.ends_with(suffix) &&
          syscall_number(name.substr(0, name.size() - 2))) {
        name.resize(name.size() - 2);
        break;
      }
    }
  }
  if (!syscall_number(name)) {
    why = "Linux (x86_64) has no system call '" + printable(name) + "'";
    return {};
  }
  return family(name);
}

// ---------------------------------------------------------------------------------------------
// Files.

struct Output {
  std::vector<std::string> defaults;                   // YAML lines under defaults.rules
  std::vector<std::pair<std::string, std::vector<std::string>>> commands;  // key -> rule lines
  std::vector<std::string> dropped;  // comments for policies left out whole
};

std::string yaml_single(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

std::string strip_comment(std::string_view line) {
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '"' && (i == 0 || line[i - 1] != '\\')) quoted = !quoted;
    if (line[i] == '#' && !quoted) return std::string(line.substr(0, i));
  }
  return std::string(line);
}

std::string trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

class Importer {
 public:
  std::optional<Error> file(const SourceText& f, ImportResult& r) {
    unsigned before_t = r.translated, before_u = r.untranslated, before_n = r.notes;
    rules_ = &out_.defaults;
    emulation_ = "native";
    size_t line_no = 0;
    for (size_t pos = 0; pos <= f.text.size();) {
      size_t end = f.text.find('\n', pos);
      if (end == std::string::npos) end = f.text.size();
      const std::string raw = f.text.substr(pos, end - pos);
      pos = end + 1;
      ++line_no;
      const std::string line = strip_comment(raw);
      if (trim(line).empty()) continue;
      const std::string where = f.name + ":" + std::to_string(line_no);
      if (auto err = one_line(f.name, line_no, line, where, r)) return err;
      if (end == f.text.size()) break;
    }
    r.report.push_back(f.name + ": " + std::to_string(r.translated - before_t) + " translated, " +
                       std::to_string(r.untranslated - before_u) + " not translated, " +
                       std::to_string(r.notes - before_n) + " notes");
    return std::nullopt;
  }

  std::string yaml(const std::vector<SourceText>& files) const {
    std::string y = "# stsh policy translated from systrace(1) policies by stsh-policy import:\n";
    for (const auto& f : files) y += "#   " + printable(f.name) + "\n";
    y += "# First match wins, as in systrace. A call no rule decides is denied (default).\n"
         "# Review it, and the report on standard error, before installing it.\n";
    if (!out_.defaults.empty()) {
      y += "defaults:\n  rules:\n";
      for (const auto& l : out_.defaults) y += l;
    }
    if (!out_.commands.empty()) {
      y += "commands:\n";
      for (const auto& [key, lines] : out_.commands) {
        bool any = false;
        for (const auto& l : lines) any = any || l.rfind("    - ", 0) == 0;
        y += "  " + *tools::yaml_quoted(key) + ":" + (any ? "\n    rules:\n" : " {}\n");
        for (const auto& l : lines) y += l;
      }
    }
    if (!out_.dropped.empty()) {
      y += "# Left out (see the report):\n";
      for (const auto& l : out_.dropped) y += l.substr(4);
    }
    if (out_.defaults.empty() && out_.commands.empty())
      y += "session:\n  mode: enforce   # nothing was translated\n";
    return y;
  }

 private:
  std::optional<Error> one_line(const std::string& file, size_t line_no, const std::string& line,
                                const std::string& where, ImportResult& r) {
    auto error = [&](size_t col, std::string m) {
      return make_error(SourceLocation{file, static_cast<int>(line_no), static_cast<int>(col)},
                        std::move(m));
    };
    const size_t first = line.find_first_not_of(" \t");
    const std::string_view text = std::string_view(line).substr(first);
    if (text.starts_with("Policy:")) return header(line, first, where, r, error);
    // NAME: FILTER, NAME is [EMULATION-]SYSCALL.
    size_t colon = text.find(':');
    if (colon == std::string_view::npos)
      return error(first + 1, "expected 'SYSCALL: FILTER' or 'Policy: PATH, Emulation: NAME'");
    const std::string name(text.substr(0, colon));
    for (size_t k = 0; k < name.size(); ++k) {
      const char c = name[k];
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'))
        return error(first + k + 1, "bad character in the system call name");
    }
    if (name.empty()) return error(first + 1, "missing system call name before ':'");
    std::string emul = emulation_, call = name;
    if (const size_t dash = name.find('-'); dash != std::string::npos) {
      emul = name.substr(0, dash);
      call = name.substr(dash + 1);
    }
    const size_t filter_start = first + colon + 1;
    const std::string filter = trim(std::string_view(line).substr(filter_start));
    SRule rule;
    bool simple = false;
    if (filter == "permit" || filter == "permit-now") {
      rule.action = "permit", simple = true;
    } else if (filter.starts_with("deny")) {
      std::string rest = filter.substr(4);
      if (rest.starts_with("-now")) rest = rest.substr(4);
      if (rest.empty()) {
        rule.action = "deny", simple = true;
      } else if (rest.size() > 2 && rest.front() == '[' && rest.back() == ']' &&
                 rest.find_first_of("[] \t", 1) == rest.size() - 1) {
        rule.action = "deny", rule.bracket = rest.substr(1, rest.size() - 2), simple = true;
      }
    }
    if (!simple) {
      std::vector<Token> tokens;
      if (auto e = lex(line, filter_start, tokens)) return error(e->col, e->message);
      FilterParser p(std::move(tokens));
      if (auto e = p.parse(rule)) return error(e->col, e->message);
    }
    const std::string original = printable(trim(line));
    rules_->push_back("    # " + where + ": " + original + "\n");
    auto untranslated = [&](const std::string& why) {
      std::string m = why;
      if (rule.action == "deny")
        m += "; it denied, so what it denied may now be permitted by a later rule or list";
      r.report.push_back(where + ": not translated: " + m);
      rules_->push_back("    #   not translated: " + printable(m) + "\n");
      ++r.untranslated;
    };
    if (emul != "native" && emul != "linux") {
      untranslated("emulation '" + printable(emul) + "' has no meaning on Linux");
      return std::nullopt;
    }
    if (!rule.predicate.empty()) {
      untranslated("'" + printable(rule.predicate) +
                   "': stsh rules have no user or group conditions (a policy belongs to a user "
                   "or group: put the rule in users/NAME.yaml or groups/GROUP.yaml)");
      return std::nullopt;
    }
    std::string why;
    const std::vector<std::string> targets = linux_targets(call, emul == "linux", why);
    if (targets.empty()) {
      untranslated(why);
      return std::nullopt;
    }
    // The action.
    Action action;
    std::vector<std::string> caveats;
    if (rule.action == "permit") {
      action.verdict = Verdict::permit;
      if (rule.bracket == "inherit")
        caveats.push_back("'permit[inherit]': a program stsh starts runs under its own commands "
                          "entry if it has one, else under its starter's; translated as permit");
      else if (rule.bracket == "detach")
        caveats.push_back("'permit[detach]': stsh never stops confining a program; translated as "
                          "permit (the program stays confined)");
      else if (!rule.bracket.empty())
        return error(filter_start + 1, "unknown flag '" + printable(rule.bracket) +
                                           "' after permit (expected inherit or detach)");
    } else if (rule.action == "ask") {
      action.verdict = Verdict::deny;
      action.error = EPERM;
      action.log = true;
      caveats.push_back("'ask': stsh never asks; translated as deny log");
    } else {
      action.verdict = Verdict::deny;
      action.error = EPERM;
      if (!rule.bracket.empty()) {
        if (auto e = errno_from_name(rule.bracket)) {
          action.error = *e;
        } else {
          caveats.push_back("errno '" + printable(rule.bracket) +
                            "' does not exist on Linux; translated as deny (EPERM)");
        }
      }
    }
    action.log = action.log || rule.log;
    if (!rule.elevate.empty())
      caveats.push_back("'" + printable(rule.elevate) +
                        "': stsh never raises privileges; the call runs with the user's own "
                        "credentials");
    std::vector<std::string> written;
    std::string text_of_rule;
    for (const std::string& target : targets) {
      if (action.verdict == Verdict::permit && is_never_permitted(target)) {
        caveats.push_back("'" + target + "' is always denied by stsh; a policy cannot permit it");
        continue;
      }
      Tr t = translate(rule.expr, target, emul == "linux");
      if (t.k == Tr::K::fail) {
        untranslated(t.why);
        return std::nullopt;
      }
      if (t.k == Tr::K::never) {
        r.report.push_back(where + ": note: left out, it never matches on Linux: " + t.why);
        rules_->push_back("    #   left out, it never matches on Linux: " + printable(t.why) + "\n");
        ++r.notes;
        return std::nullopt;
      }
      if (!t.caveat.empty() &&
          std::find(caveats.begin(), caveats.end(), t.caveat) == caveats.end())
        caveats.push_back(t.caveat);
      auto rt = resolve_rule_target(target);
      if (!rt) {
        untranslated(rt.error().message);
        return std::nullopt;
      }
      std::string missing;
      check_operands(t.e, *rt, missing);
      if (!missing.empty()) {
        untranslated(missing);
        return std::nullopt;
      }
      ParsedRule pr{std::move(t.e), action};
      const std::string rule_text = format_rule(pr);
      if (!tools::valid_utf8(rule_text) || printable(rule_text) != rule_text) {
        untranslated("a string holds control bytes or is not UTF-8");
        return std::nullopt;
      }
      if (auto again = parse_rule(rule_text, SourceLocation{}); !again) {
        untranslated("internal: the translation does not parse: " + again.error().message);
        return std::nullopt;
      }
      written.push_back("    - " + target + ": " + yaml_single(rule_text) + "\n");
      text_of_rule = rule_text;
    }
    std::string names;
    for (const auto& t : targets) names += (names.empty() ? "" : ", ") + t;
    for (const auto& c : caveats) untranslated(c);
    if (written.empty()) return std::nullopt;
    for (auto& w : written) rules_->push_back(std::move(w));
    r.report.push_back(where + ": translated: " + names + ": " + printable(text_of_rule));
    ++r.translated;
    return std::nullopt;
  }

  void check_operands(const Expr& e, const RuleTarget& t, std::string& missing) {
    if (e.kind == Expr::Kind::Pred) {
      if (!target_has_operand(t, e.pred.operand, e.pred.index) && missing.empty())
        missing = operand_missing_message(t, e.pred.operand, e.pred.index);
      return;
    }
    for (const Expr& c : e.children) check_operands(c, t, missing);
  }

  template <typename ErrorFn>
  std::optional<Error> header(const std::string& line, size_t first, const std::string& where,
                              ImportResult& r, ErrorFn error) {
    std::string rest = trim(std::string_view(line).substr(first + 7));
    std::string emul = "native";
    if (const size_t e = rest.rfind(", Emulation:"); e != std::string::npos) {
      emul = trim(rest.substr(e + 12));
      rest = trim(rest.substr(0, e));
    }
    const size_t path_col = line.find_first_not_of(" \t", first + 7) + 1;
    if (rest.empty() || rest[0] != '/')
      return error(path_col, "the policy's binary must be an absolute path");
    std::string key;
    for (char c : rest) {
      if (c == '$') key += '$';
      key += c;
    }
    if (auto err = validate_glob(rest); err || !tools::yaml_quoted(key) || printable(key) != key)
      return error(path_col, "the policy's binary is not a path stsh can key a command by");
    emulation_ = emul;
    if (emul != "native" && emul != "linux") {
      // No entry at all: an empty one would let the user start the program.
      rules_ = &out_.dropped;
      rules_->push_back("    # " + where + ": " + printable(trim(line)) + "\n");
      r.report.push_back(where + ": not translated: emulation '" + printable(emul) +
                         "' has no meaning on Linux; the policy and its rules are left out");
      ++r.untranslated;
      return std::nullopt;
    }
    auto it = std::find_if(out_.commands.begin(), out_.commands.end(),
                           [&](const auto& c) { return c.first == key; });
    if (it == out_.commands.end()) {
      out_.commands.emplace_back(key, std::vector<std::string>{});
      it = out_.commands.end() - 1;
    }
    rules_ = &it->second;
    rules_->push_back("    # " + where + ": " + printable(trim(line)) + "\n");
    r.report.push_back(where + ": translated: command " + printable(key));
    ++r.translated;
    return std::nullopt;
  }

  Output out_;
  std::vector<std::string>* rules_ = nullptr;
  std::string emulation_ = "native";
};

}  // namespace

Result<ImportResult> import_systrace(const std::vector<SourceText>& files) {
  ImportResult r;
  Importer imp;
  for (const auto& f : files) {
    if (auto err = imp.file(f, r)) return *err;
  }
  r.yaml = imp.yaml(files);
  return r;
}

}  // namespace stsh::policy

// ---------------------------------------------------------------------------------------------
// stsh-policy import FILE... [-o OUT]

#include <fstream>
#include <iostream>
#include <sstream>

#include "policy/tool_commands.h"

namespace stsh::policy {

int import_command(const std::vector<std::string>& args) {
  constexpr const char* kUsage = "usage: stsh-policy import [-o OUT] FILE...\n";
  std::vector<SourceText> files;
  std::string out_path;
  bool options = true;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (options && a == "--") {
      options = false;
    } else if (options && (a == "-o" || a == "--output")) {
      if (i + 1 >= args.size()) {
        std::cerr << "stsh-policy: -o needs a FILE\n" << kUsage;
        return 2;
      }
      out_path = args[++i];
    } else if (options && (a == "-h" || a == "--help")) {
      std::cout << kUsage;
      return 0;
    } else if (options && a.size() > 1 && a[0] == '-') {
      std::cerr << "stsh-policy: unknown option '" << a << "'\n" << kUsage;
      return 2;
    } else {
      files.push_back({a, ""});
    }
  }
  if (files.empty()) {
    std::cerr << "stsh-policy: import needs at least one FILE\n" << kUsage;
    return 2;
  }
  for (auto& f : files) {
    std::ifstream in(f.name, std::ios::binary);
    if (!in) {
      std::cerr << f.name << ": cannot open: " << std::strerror(errno) << "\n";
      return 2;
    }
    std::ostringstream s;
    s << in.rdbuf();
    f.text = s.str();
    if (f.text.size() > 16u << 20) {
      std::cerr << f.name << ": larger than 16 MiB\n";
      return 2;
    }
  }
  auto r = import_systrace(files);
  if (!r) {
    std::cerr << tools::printable(r.error().to_string()) << "\n";
    return 2;
  }
  for (const auto& line : r->report) std::cerr << line << "\n";
  if (out_path.empty()) {
    std::cout << r->yaml;
  } else {
    std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
    out << r->yaml;
    if (!out.flush()) {
      std::cerr << out_path << ": cannot write: " << std::strerror(errno) << "\n";
      return 2;
    }
  }
  return r->untranslated == 0 ? 0 : 1;
}

}  // namespace stsh::policy
