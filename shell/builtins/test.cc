#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "shell/builtins.h"
#include "shell/shell.h"
#include "shell/variable_name.h"

namespace stsh::shell {
namespace {

// test's expression grammar (XCU test, with the XSI -a -o and parentheses):
//   or := and { -o and };  and := not { -a not };  not := ! not | primary
//   primary := ( or ) | unary-op word | word binary-op word | word
// with POSIX's rules by argument count first (1 to 4 arguments), so `test -n`, `test ! =` and
// the like mean what POSIX says. File operators stat through ShellFs: a path the policy hides
// is as good as missing.
class TestEvaluator {
 public:
  TestEvaluator(Shell& shell, std::vector<std::string> args, std::string& err)
      : shell_(shell), a_(std::move(args)), err_(err) {}

  // 0 true, 1 false, 2 error.
  int run() {
    const size_t n = a_.size();
    bool v = false;
    if (n == 0) return 1;
    if (n == 1) return a_[0].empty() ? 1 : 0;
    if (n == 2) {
      if (a_[0] == "!") return a_[1].empty() ? 0 : 1;
      if (is_unary(a_[0])) return result(unary(a_[0], a_[1]));
      return syntax(a_[0] + ": unary operator expected");
    }
    if (n == 3) {
      if (is_binary(a_[1])) return result(binary(a_[0], a_[1], a_[2]));
      if (a_[0] == "!") {
        a_.erase(a_.begin());
        const int r = run();
        return r == 2 ? 2 : 1 - r;
      }
      if (a_[0] == "(" && a_[2] == ")") return a_[1].empty() ? 1 : 0;
    }
    if (n == 4 && a_[0] == "!") {
      a_.erase(a_.begin());
      const int r = run();
      return r == 2 ? 2 : 1 - r;
    }
    v = parse_or();
    if (!error_.empty()) return syntax(error_);
    if (pos_ != a_.size()) return syntax(a_[pos_] + ": unexpected operator");
    return result(v);
  }

 private:
  int result(bool v) { return error_.empty() ? (v ? 0 : 1) : syntax(error_); }
  int syntax(const std::string& m) {
    err_ += "stsh: test: " + m + "\n";
    return 2;
  }

  bool at_end() const { return pos_ >= a_.size(); }
  const std::string& peek() const {
    static const std::string kEmpty;
    return at_end() ? kEmpty : a_[pos_];
  }

  bool parse_or() {
    bool v = parse_and();
    while (!at_end() && peek() == "-o") {
      ++pos_;
      const bool r = parse_and();
      v = v || r;
    }
    return v;
  }
  bool parse_and() {
    bool v = parse_not();
    while (!at_end() && peek() == "-a") {
      ++pos_;
      const bool r = parse_not();
      v = v && r;
    }
    return v;
  }
  bool parse_not() {
    bool negate = false;
    while (!at_end() && peek() == "!") {
      ++pos_;
      negate = !negate;
    }
    return parse_primary() != negate;
  }
  bool parse_primary() {
    if (at_end()) {
      if (error_.empty()) error_ = "argument expected";
      return false;
    }
    if (peek() == "(") {
      if (++nest_ > 200) {
        if (error_.empty()) error_ = "parentheses nest too deeply";
        return false;
      }
      ++pos_;
      const bool v = parse_or();
      if (peek() != ")") {
        if (error_.empty()) error_ = "')' expected";
        return false;
      }
      ++pos_;
      return v;
    }
    if (pos_ + 2 < a_.size() + 0 && is_binary(a_[pos_ + 1])) {
      const bool v = binary(a_[pos_], a_[pos_ + 1], a_[pos_ + 2]);
      pos_ += 3;
      return v;
    }
    if (is_unary(peek()) && pos_ + 1 < a_.size()) {
      const std::string op = a_[pos_];
      const std::string operand = a_[pos_ + 1];
      pos_ += 2;
      return unary(op, operand);
    }
    return !a_[pos_++].empty();
  }

  static bool is_unary(const std::string& op) {
    return op.size() == 2 && op[0] == '-' && std::strchr("bcdefghLnprsStuwxzGOk", op[1]) != nullptr;
  }
  static bool is_binary(const std::string& op) {
    static constexpr const char* kOps[] = {"=",   "!=",  "==",  "<",   ">",   "-eq", "-ne",
                                           "-lt", "-le", "-gt", "-ge", "-nt", "-ot", "-ef"};
    for (const char* o : kOps) {
      if (op == o) return true;
    }
    return false;
  }

  bool file_stat(const std::string& path, struct stat& st, bool follow = true) {
    FsError e;
    return shell_.fs().stat(path, follow, st, e);
  }

  bool unary(const std::string& op, const std::string& x) {
    struct stat st {};
    switch (op[1]) {
      case 'n': return !x.empty();
      case 'z': return x.empty();
      case 't': {
        long fd = 0;
        if (!parse_number(x, fd)) return false;
        const auto it = shell_.io().find(static_cast<int>(fd));
        return it != shell_.io().end() && isatty(it->second);
      }
      case 'L':
      case 'h': return file_stat(x, st, false) && S_ISLNK(st.st_mode);
      default: break;
    }
    if (!file_stat(x, st)) return false;
    switch (op[1]) {
      case 'e': return true;
      case 'f': return S_ISREG(st.st_mode);
      case 'd': return S_ISDIR(st.st_mode);
      case 'b': return S_ISBLK(st.st_mode);
      case 'c': return S_ISCHR(st.st_mode);
      case 'p': return S_ISFIFO(st.st_mode);
      case 'S': return S_ISSOCK(st.st_mode);
      case 's': return st.st_size > 0;
      case 'g': return st.st_mode & S_ISGID;
      case 'u': return st.st_mode & S_ISUID;
      case 'k': return st.st_mode & S_ISVTX;
      case 'G': return st.st_gid == getegid();
      case 'O': return st.st_uid == geteuid();
      // Access as the user has it: the shell runs as the user; the policy's own say on
      // reading is ShellFs's (writing and executing are decided when they happen).
      case 'r': return access(x.c_str(), R_OK) == 0 && shell_.fs().may_read(x);
      case 'w': return access(x.c_str(), W_OK) == 0;
      case 'x': return access(x.c_str(), X_OK) == 0;
      default: return false;
    }
  }

  bool integer(const std::string& s, long& v) {
    if (parse_number(s, v)) return true;
    if (error_.empty()) error_ = s + ": integer expression expected";
    return false;
  }

  bool binary(const std::string& l, const std::string& op, const std::string& r) {
    if (op == "=" || op == "==") return l == r;
    if (op == "!=") return l != r;
    if (op == "<") return l < r;
    if (op == ">") return l > r;
    if (op == "-nt" || op == "-ot" || op == "-ef") {
      struct stat a {}, b {};
      const bool ha = file_stat(l, a), hb = file_stat(r, b);
      if (op == "-ef") return ha && hb && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
      auto newer = [](const struct stat& x, const struct stat& y) {
        return x.st_mtim.tv_sec != y.st_mtim.tv_sec ? x.st_mtim.tv_sec > y.st_mtim.tv_sec
                                                    : x.st_mtim.tv_nsec > y.st_mtim.tv_nsec;
      };
      if (op == "-nt") return ha && (!hb || newer(a, b));
      return hb && (!ha || newer(b, a));
    }
    long x = 0, y = 0;
    if (!integer(l, x) || !integer(r, y)) return false;
    if (op == "-eq") return x == y;
    if (op == "-ne") return x != y;
    if (op == "-lt") return x < y;
    if (op == "-le") return x <= y;
    if (op == "-gt") return x > y;
    return x >= y;
  }

  Shell& shell_;
  std::vector<std::string> a_;
  std::string& err_;
  size_t pos_ = 0;
  int nest_ = 0;
  std::string error_;
};

}  // namespace

// test EXPRESSION and [ EXPRESSION ]: 0 true, 1 false, 2 an error.
STSH_BUILTIN(test) {
  std::vector<std::string> args(argv.begin() + 1, argv.end());
  if (argv[0] == "[") {
    if (args.empty() || args.back() != "]") {
      io.err += "stsh: [: missing ']'\n";
      return 2;
    }
    args.pop_back();
  }
  return TestEvaluator(shell, std::move(args), io.err).run();
}

}  // namespace stsh::shell
