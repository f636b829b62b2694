// Compound commands, functions, and text run in this shell (eval, ., scripts): XCU 2.9.4 and
// 2.9.5. They run in the shell process like builtins; what they start goes through the
// supervisor as every command does.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "shell/glob.h"
#include "shell/parser.h"
#include "shell/shell.h"
#include "shell/stage.h"
#include "shell/subshell_scope.h"

namespace stsh::shell {

namespace {

// Counts a nesting level for as long as it lives.
class Depth {
 public:
  explicit Depth(int& depth) : depth_(depth) { ++depth_; }
  ~Depth() { --depth_; }
  Depth(const Depth&) = delete;
  Depth& operator=(const Depth&) = delete;

 private:
  int& depth_;
};

// How deeply functions, eval and . may nest: the shell's own stack is the limit, and a
// runaway recursion must end with a message, not a crash of the supervisor.
constexpr int kMaxCallDepth = 200;

}  // namespace

int Shell::run_compound(const CompoundCommand& c) {
  using Kind = CompoundCommand::Kind;
  switch (c.kind) {
    case Kind::group:
      return run_list(*c.lists[0]);
    case Kind::subshell: {
      SubshellScope scope(*this);
      const int status = run_list(*c.lists[0]);
      return scope.finish(status);
    }
    case Kind::if_clause: {
      for (size_t i = 0; i + 1 < c.lists.size(); i += 2) {
        int condition;
        {
          Depth suppressed(errexit_suppressed_);
          condition = run_list(*c.lists[i]);
        }
        if (exit_requested_ || flow_ != Flow::none) return condition;
        if (condition == 0) return run_list(*c.lists[i + 1]);
      }
      if (c.has_else) return run_list(*c.lists.back());
      return 0;
    }
    case Kind::while_loop:
    case Kind::until_loop:
    case Kind::for_loop:
      return run_loop(c);
    case Kind::case_clause: {
      auto subject = expand_word_single(c.subject, *this);
      if (!subject) {
        warn("stsh: " + subject.error().message);
        if (fatal_expansion_) fatal_error(2);
        return 1;
      }
      for (const CaseItem& item : c.items) {
        for (const Word& w : item.patterns) {
          auto pattern = expand_pattern(w, *this);
          if (!pattern) {
            warn("stsh: " + pattern.error().message);
            return 1;
          }
          if (match_string(*pattern, *subject)) return run_list(*item.body);
        }
      }
      return 0;
    }
    case Kind::function_definition:
      functions_[c.name] = c.function_body;
      return 0;
  }
  return 0;
}

int Shell::run_loop(const CompoundCommand& c) {
  using Kind = CompoundCommand::Kind;
  Depth loop(loop_depth_);
  int status = 0;
  // What break and continue asked of this loop: true when the loop ends here.
  // Ctrl-C ends the loop at the prompt, whether it hit the shell or a command of the body.
  unsigned rounds = 0;
  auto stop = [&]() {
    // A loop of builtins never waits for the supervisor, where a client gone away is
    // noticed: look now and then (the hang-up of our standard output ends the session).
    if (!terminal_ && (++rounds & 1023) == 0) {
      pollfd out{STDOUT_FILENO, 0, 0};
      if (poll(&out, 1, 0) > 0 && (out.revents & (POLLHUP | POLLERR))) on_hangup();
      if (exit_requested_) return true;
    }
    if (terminal_ && (interrupted() || status == 128 + SIGINT)) {
      interrupted_ = true;
      status = 128 + SIGINT;
      return true;
    }
    return false;
  };
  auto handle_flow = [&]() {
    if (flow_ == Flow::break_loop) {
      if (--flow_count_ <= 0) flow_ = Flow::none;
      return true;
    }
    if (flow_ == Flow::continue_loop) {
      if (--flow_count_ <= 0) {
        flow_ = Flow::none;
        return false;
      }
      return true;
    }
    return flow_ != Flow::none;
  };
  if (c.kind == Kind::for_loop) {
    std::vector<std::string> values = positional_;
    if (c.has_in) {
      auto expanded = expand_words(c.words, *this);
      if (!expanded) {
        warn("stsh: " + expanded.error().message);
        if (fatal_expansion_) fatal_error(2);
        return 1;
      }
      values = std::move(*expanded);
    }
    for (const std::string& v : values) {
      if (auto e = try_set_variable(c.name, v)) {
        warn("stsh: " + *e);
        fatal_error(2);
        return 2;
      }
      status = run_list(*c.lists[0]);
      if (exit_requested_ || over_warning_limit() || stop()) break;
      if (handle_flow()) break;
    }
    return status;
  }
  const bool until = c.kind == Kind::until_loop;
  while (true) {
    int condition;
    {
      Depth suppressed(errexit_suppressed_);
      condition = run_list(*c.lists[0]);
    }
    if (condition == 128 + SIGINT) status = condition;
    if (exit_requested_ || over_warning_limit() || stop()) break;
    if (flow_ != Flow::none) {
      if (handle_flow()) break;
      continue;
    }
    if ((condition == 0) == until) break;
    status = run_list(*c.lists[1]);
    if (exit_requested_ || stop()) break;
    if (handle_flow()) break;
  }
  return status;
}

int Shell::run_function(const SimpleCommand& body, const std::vector<std::string>& argv) {
  if (call_depth_ >= kMaxCallDepth) {
    warn("stsh: " + argv[0] + ": functions nest too deeply (" + std::to_string(kMaxCallDepth) +
         ")");
    return 2;
  }
  std::vector<std::string> saved(argv.begin() + 1, argv.end());
  std::swap(saved, positional_);
  std::string saved_getopts = std::exchange(getopts_position_, kFunctionStart);
  locals_.emplace_back();
  local_options_.emplace_back();
  const int saved_loops = loop_depth_;
  loop_depth_ = 0;
  int status;
  {
    Depth depth(function_depth_);
    Depth calls(call_depth_);
    // The body's own redirections ( f() { ...; } >log ) apply to every call.
    Stage stage;
    stage.fds = io_;
    stage.feedable = feedable_;
    prepare_stage(body, stage);
    if (stage.failed) {
      status = stage.status;
    } else {
      run_in_shell(stage);
      status = stage.status;
    }
  }
  loop_depth_ = saved_loops;
  if (flow_ == Flow::return_function) {
    flow_ = Flow::none;
    status = return_status_;
  }
  // `local` values go back to what they were before the call.
  for (auto& [name, old] : locals_.back()) {
    if (old) variables_[name] = std::move(*old);
    else variables_.erase(name);
  }
  locals_.pop_back();
  if (local_options_.back()) options_ = *local_options_.back();
  local_options_.pop_back();
  std::swap(saved, positional_);
  getopts_position_ = std::move(saved_getopts);
  return status;
}

int Shell::run_source(const std::string& text) {
  const ParseResult parsed = parse(text);
  if (!parsed.ok()) {
    warn("stsh: " + parsed.message());
    fatal_error(2);
    return 2;
  }
  // The text is parsed now: every alias defined so far applies to it; those it defines are
  // new to the command that ran it.
  std::set<std::string> fresh = std::exchange(fresh_aliases_, {});
  const int status = run_list(*parsed.program);
  fresh_aliases_.merge(fresh);
  return status;
}

int Shell::eval_text(const std::string& text) {
  if (call_depth_ >= kMaxCallDepth) {
    warn("stsh: eval: nesting too deep");
    return 2;
  }
  // eval is not a function: `return` inside reaches the enclosing function.
  Depth calls(call_depth_);
  return run_source(text);
}

int Shell::source_file(const std::string& path, const std::vector<std::string>& args,
                       std::string& err) {
  if (call_depth_ >= kMaxCallDepth) {
    err = "stsh: .: nesting too deep";
    return 2;
  }
  // A name without '/' is looked up in PATH, as XCU says; the file is opened through ShellFs,
  // so `.` reads only what the policy lets the user read.
  std::vector<std::string> candidates;
  if (path.find('/') != std::string::npos) {
    candidates.push_back(path);
  } else {
    const std::string dirs = variable("PATH").value_or("");
    size_t start = 0;
    while (start <= dirs.size()) {
      const size_t colon = std::min(dirs.find(':', start), dirs.size());
      const std::string dir = dirs.substr(start, colon - start);
      candidates.push_back((dir.empty() ? "." : dir) + "/" + path);
      start = colon + 1;
    }
  }
  FsError fs_err;
  std::optional<UniqueFd> fd;
  for (const std::string& c : candidates) {
    fs_err = {};
    fd = fs_.open(c, O_RDONLY, 0, fs_err);
    if (fd || fs_err.error != ENOENT) break;
  }
  if (!fd) {
    err = "stsh: .: " + path + ": " + describe(fs_err);
    return 1;
  }
  auto contents = read_script(fd->get());
  if (!contents) {
    err = "stsh: .: " + path + ": file too large";
    return 1;
  }
  const std::string& text = *contents;
  Depth depth(dot_depth_);
  Depth calls(call_depth_);
  std::vector<std::string> saved;
  const bool with_args = !args.empty();
  if (with_args) {
    saved = positional_;
    positional_ = args;
  }
  int status = run_source(text);
  if (flow_ == Flow::return_function) {
    flow_ = Flow::none;
    status = return_status_;
  }
  if (with_args) positional_ = std::move(saved);
  return status;
}

int Shell::run_script(const std::function<bool(std::string&)>& next_line) {
  std::string pending, line;
  int first_line = 1, line_no = 0;
  while (!exit_requested_ && next_line(line)) {
    ++line_no;
    if (pending.empty()) first_line = line_no;
    const std::string text = pending.empty() ? line : pending + "\n" + line;
    const ParseResult parsed = parse(text);
    if (parsed.status == ParseStatus::incomplete) {
      pending = text;
      continue;
    }
    pending.clear();
    if (!parsed.ok()) {
      // XCU 2.8.1: a syntax error ends a non-interactive shell.
      const SourcePosition p{parsed.error.where.line + first_line - 1, parsed.error.where.column};
      warn("stsh: syntax error at " + std::to_string(p.line) + ":" + std::to_string(p.column) +
           ": " + parsed.error.message);
      last_status_ = 2;
      return 2;
    }
    line_base_ = first_line - 1;
    line_bases_[parsed.program->source.get()] = {parsed.program->source, line_base_};
    run(*parsed.program);
    // Kept only while something (a function's body) still holds the text.
    std::erase_if(line_bases_, [&](const auto& entry) {
      return entry.second.first.use_count() == 1 ||
             (entry.first == parsed.program->source.get() &&
              entry.second.first.use_count() == 2);
    });
    line_base_ = 0;
  }
  if (!pending.empty()) {
    const ParseResult parsed = parse(pending);
    warn("stsh: syntax error at " + std::to_string(parsed.error.where.line + first_line - 1) +
         ":" + std::to_string(parsed.error.where.column) + ": " + parsed.error.message);
    return 2;
  }
  return exit_requested_ ? exit_status_ : last_status_;
}

int Shell::read_byte(int fd, char& c) {
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    // A quick look first; then the full loop, which serves the supervisor (the writer may be a
    // confined command waiting for it) and the pump (a here-document) while we wait.
    if (poll(&p, 1, 0) == 0) {
      bool ready = false;
      wait_until([&] {
        pollfd q{fd, POLLIN, 0};
        ready = poll(&q, 1, 0) > 0;
        return ready || exit_requested_;
      }, fd);
      if (!ready) return 0;
    }
    const ssize_t n = read(fd, &c, 1);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    return n < 0 ? -1 : static_cast<int>(n);
  }
}

int Shell::wait_for(Job* target) {
  if (target) {
    const int id = target->id;
    // A trapped signal ends the wait at once, with 128 + its number (XCU 2.11).
    wait_until([&] {
      Job* j = jobs_.find(id);
      return j == nullptr || j->state() == Job::State::done || pending_signal() != 0;
    });
    if (pending_signal() != 0) return 128 + pending_signal();
    Job* j = jobs_.find(id);
    if (!j) return 127;
    j->reported = true;
    return j->exit_status();
  }
  wait_until([&] {
    if (pending_signal() != 0) return true;
    for (Job& j : jobs_.all()) {
      if (j.state() == Job::State::running) return false;
    }
    return true;
  });
  return pending_signal() != 0 ? 128 + pending_signal() : 0;
}

int Shell::finish(int status) {
  if (exit_trap_done_) return status;
  exit_trap_done_ = true;
  const auto it = traps_.find("EXIT");
  if (it == traps_.end() || it->second.empty()) return status;
  const std::string action = it->second;
  exit_requested_ = false;
  flow_ = Flow::none;
  last_status_ = status;
  run_source(action);
  // exit inside the trap sets the status; otherwise the shell's status stays.
  return exit_requested_ ? exit_status_ : status;
}

}  // namespace stsh::shell
