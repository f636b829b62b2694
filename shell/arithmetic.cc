#include "shell/arithmetic.h"

#include <cctype>
#include <climits>
#include <cstdint>

namespace stsh::shell {
namespace {

bool name_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool name_char(char c) {
  return name_start(c) || std::isdigit(static_cast<unsigned char>(c));
}

// Precedence climbing over the text. `skip_` > 0 while evaluating the side of && || ?: that
// does not count: it is parsed (so errors are found) but assigns nothing and divides by nothing.
class Evaluator {
 public:
  Evaluator(std::string_view text, const ArithmeticVariables& vars, int depth)
      : s_(text), vars_(vars), depth_(depth) {}

  Result<long> run() {
    if (depth_ > 32) return make_error("arithmetic: variables nest too deeply");
    blank();
    long v = 0;
    if (pos_ < s_.size()) v = comma();
    blank();
    if (!error_.empty()) return make_error("arithmetic syntax error: " + error_);
    if (pos_ < s_.size()) {
      return make_error("arithmetic syntax error: unexpected '" + std::string(s_.substr(pos_)) +
                        "' in '" + std::string(s_) + "'");
    }
    return v;
  }

 private:
  void blank() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool eat(std::string_view op) {
    blank();
    if (s_.substr(pos_, op.size()) != op) return false;
    pos_ += op.size();
    return true;
  }
  // An operator that is not the start of a longer one (`<` but not `<<` or `<=`).
  bool eat_exact(std::string_view op, std::initializer_list<std::string_view> longer) {
    blank();
    for (std::string_view l : longer) {
      if (s_.substr(pos_, l.size()) == l) return false;
    }
    return eat(op);
  }
  long fail(const std::string& message) {
    if (error_.empty()) error_ = message;
    pos_ = s_.size();
    return 0;
  }

  long comma() {
    long v = assignment();
    while (error_.empty() && eat(",")) v = assignment();
    return v;
  }

  long assignment() {
    blank();
    const size_t save = pos_;
    if (pos_ < s_.size() && name_start(s_[pos_])) {
      size_t e = pos_;
      while (e < s_.size() && name_char(s_[e])) ++e;
      const std::string name(s_.substr(pos_, e - pos_));
      pos_ = e;
      blank();
      static constexpr std::string_view kOps[] = {"<<=", ">>=", "*=", "/=", "%=", "+=",
                                                  "-=",  "&=",  "^=", "|=", "="};
      for (std::string_view op : kOps) {
        if (s_.substr(pos_, op.size()) != op) continue;
        if (op == "=" && pos_ + 1 < s_.size() && s_[pos_ + 1] == '=') break;
        pos_ += op.size();
        const long rhs = assignment();
        if (!error_.empty()) return 0;
        long v = rhs;
        if (op != "=") v = binary(variable(name), rhs, op.substr(0, op.size() - 1));
        store(name, v);
        return v;
      }
      pos_ = save;
    }
    return conditional();
  }

  long conditional() {
    const long c = logical_or();
    if (!eat("?")) return c;
    if (!c) ++skip_;
    const long a = comma();
    if (!c) --skip_;
    if (!eat(":")) return fail("expected ':' in '" + std::string(s_) + "'");
    if (c) ++skip_;
    const long b = assignment();
    if (c) --skip_;
    return c ? a : b;
  }

  long logical_or() {
    long v = logical_and();
    while (eat("||")) {
      if (v) ++skip_;
      const long r = logical_and();
      if (v) --skip_;
      v = v || r;
    }
    return v;
  }
  long logical_and() {
    long v = bit_or();
    while (eat("&&")) {
      if (!v) ++skip_;
      const long r = bit_or();
      if (!v) --skip_;
      v = v && r;
    }
    return v;
  }
  long bit_or() {
    long v = bit_xor();
    while (eat_exact("|", {"||", "|="})) v |= bit_xor();
    return v;
  }
  long bit_xor() {
    long v = bit_and();
    while (eat_exact("^", {"^="})) v ^= bit_and();
    return v;
  }
  long bit_and() {
    long v = equality();
    while (eat_exact("&", {"&&", "&="})) v &= equality();
    return v;
  }
  long equality() {
    long v = relational();
    while (true) {
      if (eat("==")) v = v == relational();
      else if (eat("!=")) v = v != relational();
      else return v;
    }
  }
  long relational() {
    long v = shift();
    while (true) {
      if (eat_exact("<=", {})) v = v <= shift();
      else if (eat_exact(">=", {})) v = v >= shift();
      else if (eat_exact("<", {"<<"})) v = v < shift();
      else if (eat_exact(">", {">>"})) v = v > shift();
      else return v;
    }
  }
  long shift() {
    long v = additive();
    while (true) {
      if (eat_exact("<<", {"<<="})) v = binary(v, additive(), "<<");
      else if (eat_exact(">>", {">>="})) v = binary(v, additive(), ">>");
      else return v;
    }
  }
  long additive() {
    long v = multiplicative();
    while (true) {
      if (eat_exact("+", {"+=", "++"})) v = binary(v, multiplicative(), "+");
      else if (eat_exact("-", {"-=", "--"})) v = binary(v, multiplicative(), "-");
      else return v;
    }
  }
  long multiplicative() {
    long v = unary();
    while (true) {
      if (eat_exact("*", {"*="})) v = binary(v, unary(), "*");
      else if (eat_exact("/", {"/="})) v = binary(v, unary(), "/");
      else if (eat_exact("%", {"%="})) v = binary(v, unary(), "%");
      else return v;
    }
  }

  long binary(long a, long b, std::string_view op) {
    const auto ua = static_cast<unsigned long>(a), ub = static_cast<unsigned long>(b);
    if (op == "+") return static_cast<long>(ua + ub);
    if (op == "-") return static_cast<long>(ua - ub);
    if (op == "*") return static_cast<long>(ua * ub);
    if (op == "<<") return static_cast<long>(ua << (ub & 63));
    if (op == ">>") return a >> (ub & 63);
    if (op == "&") return a & b;
    if (op == "^") return a ^ b;
    if (op == "|") return a | b;
    if (op == "/" || op == "%") {
      if (b == 0) {
        if (skip_) return 0;
        return fail("division by zero");
      }
      if (a == LONG_MIN && b == -1) return op == "/" ? LONG_MIN : 0;
      return op == "/" ? a / b : a % b;
    }
    return 0;
  }

  long unary() {
    blank();
    // Prefix operators recurse: bounded like parentheses.
    if (++nest_ > 400) return fail("expression nests too deeply");
    struct Unnest {
      int& n;
      ~Unnest() { --n; }
    } unnest{nest_};
    if (eat("++") || eat("--")) {
      const bool inc = s_[pos_ - 1] == '+';
      blank();
      const std::string name = read_name();
      if (name.empty()) return fail("'" + std::string(inc ? "++" : "--") + "' needs a variable");
      const long v = variable(name) + (inc ? 1 : -1);
      store(name, v);
      return v;
    }
    if (eat_exact("+", {"+="})) return unary();
    if (eat_exact("-", {"-="})) return static_cast<long>(0UL - static_cast<unsigned long>(unary()));
    if (eat_exact("!", {"!="})) return !unary();
    if (eat("~")) return ~unary();
    return postfix();
  }

  long postfix() {
    blank();
    if (pos_ < s_.size() && name_start(s_[pos_])) {
      const std::string name = read_name();
      long v = variable(name);
      blank();
      if (s_.substr(pos_, 2) == "++" || s_.substr(pos_, 2) == "--") {
        store(name, v + (s_[pos_] == '+' ? 1 : -1));
        pos_ += 2;
      }
      return v;
    }
    return primary();
  }

  long primary() {
    blank();
    if (eat("(")) {
      if (++nest_ > 200) return fail("parentheses nest too deeply");
      const long v = comma();
      --nest_;
      if (!eat(")")) return fail("expected ')' in '" + std::string(s_) + "'");
      return v;
    }
    if (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) return number();
    if (pos_ >= s_.size()) return fail("expression expected in '" + std::string(s_) + "'");
    return fail("unexpected '" + std::string(s_.substr(pos_)) + "' in '" + std::string(s_) + "'");
  }

  long number() {
    size_t e = pos_;
    while (e < s_.size() && name_char(s_[e])) ++e;
    const std::string text(s_.substr(pos_, e - pos_));
    pos_ = e;
    auto v = parse_constant(text);
    if (!v) return fail("invalid number '" + text + "'");
    return *v;
  }

  std::string read_name() {
    size_t e = pos_;
    while (e < s_.size() && name_char(s_[e])) ++e;
    std::string name(s_.substr(pos_, e - pos_));
    pos_ = e;
    return name;
  }

  long variable(const std::string& name) {
    const std::optional<std::string> value = vars_.get(name);
    if (!value || value->empty()) return 0;
    if (auto v = parse_constant(*value)) return *v;
    // A value that is an expression ("x+1") is evaluated, as bash and dash do.
    Result<long> r = Evaluator(*value, vars_, depth_ + 1).run();
    if (!r) return fail(r.error().message);
    return *r;
  }

  void store(const std::string& name, long v) {
    if (skip_) return;
    Status s = vars_.set(name, std::to_string(v));
    if (!s) fail(s.error().message);
  }

 public:
  static std::optional<long> parse_constant(std::string_view t) {
    size_t i = 0;
    while (i < t.size() && std::isspace(static_cast<unsigned char>(t[i]))) ++i;
    bool negative = false;
    if (i < t.size() && (t[i] == '-' || t[i] == '+')) negative = t[i++] == '-';
    size_t end = t.size();
    while (end > i && std::isspace(static_cast<unsigned char>(t[end - 1]))) --end;
    t = t.substr(i, end - i);
    if (t.empty()) return std::nullopt;
    int base = 10;
    if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
      base = 16;
      t.remove_prefix(2);
    } else if (t.size() > 1 && t[0] == '0') {
      base = 8;
      t.remove_prefix(1);
    }
    uint64_t v = 0;
    for (char c : t) {
      int d = -1;
      if (c >= '0' && c <= '9') d = c - '0';
      else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
      if (d < 0 || d >= base) return std::nullopt;
      v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
    }
    const long r = static_cast<long>(v);
    return negative ? static_cast<long>(0UL - static_cast<unsigned long>(r)) : r;
  }

 private:
  std::string_view s_;
  const ArithmeticVariables& vars_;
  int depth_;
  size_t pos_ = 0;
  int skip_ = 0;
  int nest_ = 0;
  std::string error_;
};

}  // namespace

Result<long> evaluate_arithmetic(std::string_view expression, const ArithmeticVariables& variables) {
  return Evaluator(expression, variables, 0).run();
}

}  // namespace stsh::shell
