#include "policy/scenario.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include <array>
#include <fstream>
#include <sstream>

#include "policy/errno_names.h"
#include "policy/explain.h"
#include "policy/paths.h"
#include "policy/suggest.h"
#include "policy/syscalls.h"
#include "policy/yaml_context.h"

namespace stsh::policy {
namespace {

using Node = YamlNode;

struct FlagWord {
  std::string_view word;
  int set;       // bits added
  bool is_mode;  // replaces the access mode (O_RDONLY / O_WRONLY / O_RDWR / O_PATH)
};
// Friendly spellings of open flags: "open: ~/x write create trunc".
constexpr std::array kFlagWords{
    FlagWord{"read", O_RDONLY, true},
    FlagWord{"write", O_WRONLY, true},
    FlagWord{"rdwr", O_RDWR, true},
    FlagWord{"path", O_PATH, true},
    FlagWord{"create", O_CREAT, false},
    FlagWord{"trunc", O_TRUNC, false},
    FlagWord{"append", O_APPEND, false},
    FlagWord{"excl", O_EXCL, false},
    FlagWord{"directory", O_DIRECTORY, false},
    FlagWord{"nofollow", O_NOFOLLOW, false},
    FlagWord{"cloexec", O_CLOEXEC, false},
    FlagWord{"tmpfile", O_TMPFILE, false},
};

bool is_number(std::string_view w) {
  if (w.empty()) return false;
  for (char c : w) {
    if ((c < '0' || c > '9') && c != '-') return false;
  }
  return true;
}

std::string join_path(const std::string& dir, std::string_view word) {
  std::string p = word.size() && word[0] == '/' ? std::string(word) : dir + "/" + std::string(word);
  auto n = lexically_normal(p);
  return n ? *n : p;
}

// ~ and $VARIABLES; the offset of a bad variable is reported by the caller.
std::optional<std::string> expand_word(const std::string& word, const Variables& vars,
                                       std::string& error) {
  std::string w = word;
  if (w == "~" || w.rfind("~/", 0) == 0) w = vars.home + w.substr(1);
  std::string out;
  if (auto err = expand_variables(w, vars, out)) {
    error = err->message;
    return std::nullopt;
  }
  return out;
}

class ScenarioLoader {
 public:
  ScenarioLoader(std::string_view text, const std::string& path, const ScenarioEnv& env)
      : ctx_(text, path, env.vars), env_(env) {}

  Result<ScenarioFile> load(const Node& root) {
    ScenarioFile file{ctx_.path(), {}};
    if (!root.IsMap()) return ctx_.error(root, "a scenario file is a mapping with key 'scenarios'");
    if (auto err = ctx_.check_keys(root, "a scenario file", {"scenarios"})) return *err;
    const Node list = root["scenarios"];
    if (!list || !list.IsSequence())
      return ctx_.error(list ? list : root, "'scenarios' must be a list of scenarios");
    for (const Node& s : list) {
      auto sc = scenario(s);
      if (!sc) return sc.take_error();
      file.scenarios.push_back(std::move(*sc));
    }
    return file;
  }

 private:
  Result<Scenario> scenario(const Node& n) {
    if (!n.IsMap()) return ctx_.error(n, "a scenario must be a mapping (name, as, cwd, steps)");
    if (auto err = ctx_.check_keys(n, "a scenario", {"name", "as", "cwd", "steps"})) return *err;
    Scenario sc;
    sc.where = ctx_.where(n);
    if (!n["name"]) return ctx_.error(n, "a scenario needs a 'name'");
    auto name = ctx_.string(n["name"], "name");
    if (!name) return name.take_error();
    sc.name = *name;
    std::vector<std::string> as;
    if (n["as"]) {
      auto a = programs(n["as"]);
      if (!a) return a.take_error();
      as = *a;
    }
    std::string cwd = env_.vars.home;
    if (n["cwd"]) {
      auto c = word_path(n["cwd"], "cwd");
      if (!c) return c.take_error();
      cwd = *c;
    }
    const Node steps = n["steps"];
    if (!steps || !steps.IsSequence() || steps.size() == 0)
      return ctx_.error(steps ? steps : n, "a scenario needs 'steps', a list of operations");
    for (const Node& st : steps) {
      auto s = step(st, as, cwd);
      if (!s) return s.take_error();
      sc.steps.push_back(std::move(*s));
    }
    return sc;
  }

  Result<std::string> word_path(const Node& n, std::string_view what) {
    auto s = ctx_.string(n, what);
    if (!s) return s.take_error();
    std::string err;
    auto w = expand_word(*s, env_.vars, err);
    if (!w) return ctx_.error(n, err);
    auto p = lexically_normal(*w);
    if (!p) return ctx_.error(n, std::string(what) + " must be an absolute path (or start with ~)");
    return *p;
  }

  // `as: /usr/bin/git` or `as: [/usr/bin/tar, /usr/bin/dash]`: the chain of programs exec'd.
  Result<std::vector<std::string>> programs(const Node& n) {
    std::vector<std::string> out;
    auto one = [&](const Node& p) -> std::optional<Error> {
      auto s = ctx_.string(p, "as");
      if (!s) return s.take_error();
      std::string err;
      auto w = expand_word(*s, env_.vars, err);
      if (!w) return ctx_.error(p, err);
      out.push_back(resolve_program(*w, env_.vars.home, env_.search_path));
      return std::nullopt;
    };
    if (n.IsSequence()) {
      for (const Node& p : n) {
        if (auto err = one(p)) return *err;
      }
    } else if (auto err = one(n)) {
      return *err;
    }
    return out;
  }

  Result<Step> step(const Node& n, const std::vector<std::string>& scenario_as,
                    const std::string& cwd) {
    if (!n.IsMap())
      return ctx_.error(n,
                        "a step must be a mapping: an operation (exec: or a syscall) and expect:");
    Step st;
    st.where = ctx_.where(n);
    st.as = scenario_as;
    st.cwd = cwd;
    Node op_key, op_value;
    bool have_op = false;
    for (const auto& kv : n) {
      if (!kv.first.IsScalar()) return ctx_.error(kv.first, "the keys of a step must be names");
      const std::string& k = kv.first.Scalar();
      if (k == "expect" || k == "as" || k == "live") continue;
      if (have_op)
        return ctx_.error(
            kv.first, "a step has one operation; found '" + op_key.Scalar() + "' and '" + k + "'");
      op_key = kv.first;
      op_value = kv.second;
      have_op = true;
    }
    if (!have_op)
      return ctx_.error(
          n, "a step needs an operation: exec: COMMAND LINE, or a syscall such as open:");
    st.where = ctx_.where(op_key);
    if (n["as"]) {
      auto a = programs(n["as"]);
      if (!a) return a.take_error();
      st.as = *a;
    }
    if (!n["expect"])
      return ctx_.error(op_key, "a step needs 'expect' (permit, deny[ERRNO], kill)");
    auto etext = ctx_.string(n["expect"], "expect");
    if (!etext) return etext.take_error();
    auto e = parse_expectation(*etext);
    if (!e) return ctx_.error(n["expect"], e.error().message);
    st.expect = *e;
    auto value = ctx_.string(op_value, op_key.Scalar());
    if (!value) return value.take_error();
    const std::string op = op_key.Scalar();
    st.text = op + ": " + *value;
    auto words = split_words(*value);
    if (!words) return ctx_.error(op_value, words.error().message);
    for (auto& w : *words) {
      std::string err;
      auto x = expand_word(w, env_.vars, err);
      if (!x) return ctx_.error(op_value, err);
      w = *x;
    }
    if (op == "exec") {
      if (words->empty()) return ctx_.error(op_value, "exec needs a command line");
      st.is_exec = true;
      st.words = *words;
      st.call.syscall = *syscall_number("execve");
      st.call.filename = resolve_program((*words)[0], cwd, env_.search_path);
      st.call.argv = *words;
    } else {
      auto call = syscall_call(op, *words, cwd);
      if (!call) return ctx_.error(op_key, call.error().message);
      st.call = *call;
    }
    if (n["live"]) {
      if (!st.is_exec) return ctx_.error(n["live"], "live: applies to exec steps only");
      if (n["as"] || !scenario_as.empty())
        return ctx_.error(
            n["live"],
            "live: runs the command line from the login; a step with as: cannot be live");
      auto l = live(n["live"], st.expect);
      if (!l) return l.take_error();
      st.live = *l;
    }
    return st;
  }

  Result<LiveExpectation> live(const Node& n, const Expectation& e) {
    LiveExpectation l;
    // stsh-run exits 126 when the exec is denied (stsh-run(1)).
    l.status = e.verdict == Verdict::permit ? 0 : 126;
    if (n.IsScalar()) {
      auto b = ctx_.boolean(n, "live");
      if (!b) return b.take_error();
      if (!*b) return ctx_.error(n, "live: false is the same as leaving it out");
      return l;
    }
    if (!n.IsMap()) return ctx_.error(n, "live must be true or a mapping (status, stderr, stdout)");
    if (auto err = ctx_.check_keys(n, "live", {"status", "stderr", "stdout"})) return *err;
    if (n["status"]) {
      auto s = ctx_.integer(n["status"], "status", 255);
      if (!s) return s.take_error();
      l.status = static_cast<int>(*s);
    }
    if (n["stderr"]) {
      auto s = ctx_.string(n["stderr"], "stderr");
      if (!s) return s.take_error();
      l.stderr_has = *s;
    }
    if (n["stdout"]) {
      auto s = ctx_.string(n["stdout"], "stdout");
      if (!s) return s.take_error();
      l.stdout_has = *s;
    }
    return l;
  }

  // "open: ~/x write create" -> the words explain takes (call_from_words), with paths made
  // absolute from cwd and flag words turned into oflags=.
  Result<Call> syscall_call(const std::string& op, const std::vector<std::string>& words,
                            const std::string& cwd) {
    std::string name = op;
    std::optional<int> nr = syscall_number(op);
    const bool alias = alias_members(op).has_value();
    if (!nr && !alias) {
      std::vector<std::string> names = all_syscall_names();
      names.insert(names.begin(), "exec");
      std::vector<std::string_view> candidates(names.begin(), names.end());
      std::string msg =
          "unknown operation '" + op + "' (exec, a syscall name or fsread, fswrite, net)";
      if (auto near = nearest(op, candidates))
        msg += "; did you mean '" + std::string(*near) + "'?";
      return make_error(msg);
    }
    if (op == "exec") return make_error("exec takes a command line");
    const Operands ops = nr ? operands_of(*nr) : Operands{true, false, false, false, true};
    const bool network = op == "net" || (nr && operands_of(*nr).sockaddr);
    std::vector<std::string> args;
    std::optional<int> mode_bits;
    int extra = 0;
    bool have_flags = false;
    int numbers = 0;
    bool have_path = false;
    for (const auto& w : words) {
      const size_t eq = w.find('=');
      if (eq != std::string::npos && eq > 0 && w[0] != '/' && !network) {
        args.push_back(w);
        continue;
      }
      if (ops.oflags || op == "fsread" || op == "fswrite") {
        bool matched = false;
        for (const auto& f : kFlagWords) {
          if (f.word != w) continue;
          matched = have_flags = true;
          if (f.is_mode)
            mode_bits = f.set;
          else
            extra |= f.set;
        }
        if (matched) continue;
        if (w.rfind("O_", 0) == 0) {
          args.push_back("oflags=" + w);
          have_flags = true;
          continue;
        }
      }
      // Numbers after the path: a mode (chmod, mkdir, open) or uid and gid (chown). Before
      // it, "4913" is vim's probe file.
      if (is_number(w) && (ops.mode || ops.uid) && have_path) {
        if (ops.uid)
          args.push_back((numbers++ == 0 ? "uid=" : "gid=") + w);
        else
          args.push_back("mode=" + w);
        continue;
      }
      if (network) {
        args.push_back(w);
        continue;
      }
      args.push_back(join_path(cwd, w));
      have_path = true;
    }
    if (have_flags) {
      const int flags = mode_bits.value_or(O_RDONLY) | extra;
      args.push_back("oflags=" + format_oflags(flags));
      if (alias) name = "openat";  // "fsread: ~/x write" is an open with those flags
    }
    return call_from_words(name, args);
  }

  YamlContext ctx_;
  const ScenarioEnv& env_;
};

}  // namespace

Result<Expectation> parse_expectation(std::string_view text) {
  Expectation e;
  e.text = std::string(text);
  std::istringstream in{std::string(text)};
  std::string word;
  if (!(in >> word)) return make_error("expect is empty (permit, deny, deny[ERRNO] or kill)");
  std::string head = word, arg;
  if (auto open = word.find('['); open != std::string::npos) {
    if (word.back() != ']') return make_error("expect: missing ']' in '" + word + "'");
    head = word.substr(0, open);
    arg = word.substr(open + 1, word.size() - open - 2);
  }
  if (head == "permit")
    e.verdict = Verdict::permit;
  else if (head == "deny")
    e.verdict = Verdict::deny;
  else if (head == "kill")
    e.verdict = Verdict::kill;
  else
    return make_error("expect: unknown decision '" + head + "' (permit, deny, deny[ERRNO], kill)");
  if (!arg.empty()) {
    if (head != "deny") return make_error("expect: only deny takes an errno");
    auto err = errno_from_name(arg);
    if (!err) {
      std::string msg = "expect: unknown errno '" + arg + "'";
      if (auto near = nearest(arg, all_errno_names()))
        msg += " (did you mean " + std::string(*near) + "?)";
      return make_error(msg);
    }
    e.error = *err;
  }
  while (in >> word) {
    if (word == "log")
      e.log = true;
    else if (word == "nolog")
      e.log = false;
    else
      return make_error("expect: unknown word '" + word +
                        "' (log or nolog may follow the decision)");
  }
  return e;
}

Result<std::vector<std::string>> split_words(std::string_view line) {
  std::vector<std::string> words;
  std::string cur;
  bool in_word = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == ' ' || c == '\t') {
      if (in_word) words.push_back(std::move(cur)), cur.clear(), in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\\') {
      if (++i == line.size()) return make_error("a '\\' at the end of the command line");
      cur += line[i];
    } else if (c == '\'' || c == '"') {
      const size_t end = line.find(c, i + 1);
      if (end == std::string_view::npos)
        return make_error(std::string("unterminated ") + c + " in '" + std::string(line) + "'");
      cur.append(line.substr(i + 1, end - i - 1));
      i = end;
    } else {
      cur += c;
    }
  }
  if (in_word) words.push_back(std::move(cur));
  return words;
}

std::string resolve_program(std::string_view word, const std::string& cwd,
                            const std::string& search_path) {
  std::string path;
  if (word.find('/') != std::string_view::npos) {
    path = join_path(cwd, word);
  } else {
    std::string first;
    size_t i = 0;
    while (i <= search_path.size()) {
      const size_t end = std::min(search_path.find(':', i), search_path.size());
      const std::string dir = search_path.substr(i, end - i);
      i = end + 1;
      if (dir.empty() || dir[0] != '/') continue;
      const std::string candidate = dir + "/" + std::string(word);
      if (first.empty()) first = candidate;
      if (access(candidate.c_str(), X_OK) == 0) {
        path = candidate;
        break;
      }
    }
    // A program that is not installed is named as it would be: the first directory's.
    if (path.empty()) path = first.empty() ? "/usr/bin/" + std::string(word) : first;
  }
  char buf[PATH_MAX];
  if (realpath(path.c_str(), buf) != nullptr) return buf;
  return path;
}

Result<ScenarioFile> parse_scenarios(std::string_view text, const std::string& path,
                                     const ScenarioEnv& env) {
  auto tree = parse_yaml_tree(text, path);
  if (!tree) return tree.take_error();
  const Node root = tree->root();
  if (root.IsNull()) return make_error({path, 1, 1}, "no scenarios: the file is empty");
  return ScenarioLoader(text, path, env).load(root);
}

Result<ScenarioFile> load_scenarios(const std::string& path, const ScenarioEnv& env) {
  std::ifstream in(path);
  if (!in) return make_error({path, 0, 0}, "cannot read the scenario file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_scenarios(text.str(), path, env);
}

}  // namespace stsh::policy
