#include "shell/interactive.h"

#include <poll.h>
#include <readline/readline.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>
#include <vector>

#include "shell/completion.h"
#include "shell/history.h"
#include "shell/parser.h"
#include "shell/shell.h"
#include "shell/terminal.h"

namespace stsh::shell {
namespace {

constexpr const char* kDefaultPrompt = "\\u@\\h:\\w\\$ ";

// readline hands a finished line to a plain function.
struct LineState {
  bool done = false;
  bool eof = false;
  std::string line;
};
LineState g_line;

void on_line(char* line) {
  g_line.done = true;
  g_line.eof = line == nullptr;
  if (line) g_line.line = line;
  free(line);
  // Removing the handler here keeps readline from printing the prompt again before we run
  // the line.
  rl_callback_handler_remove();
}

void say(const std::string& text) {
  if (write(STDERR_FILENO, text.data(), text.size()) < 0) {
  }
}

}  // namespace

std::string expand_prompt(const std::string& format, Shell& shell) {
  char host[256] = "localhost";
  gethostname(host, sizeof host - 1);
  std::string out;
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '\\' || i + 1 == format.size()) {
      out += format[i];
      continue;
    }
    const char c = format[++i];
    const std::string& cwd = shell.cwd();
    const std::string& home = shell.user().home;
    switch (c) {
      case 'u':
        out += shell.user().name;
        break;
      case 'h':
        out += std::string(host).substr(0, std::string(host).find('.'));
        break;
      case 'H':
        out += host;
        break;
      case 'w':
        if (!home.empty() && (cwd == home || cwd.rfind(home + "/", 0) == 0))
          out += "~" + cwd.substr(home.size());
        else
          out += cwd;
        break;
      case 'W':
        out += cwd == "/" ? "/" : cwd.substr(cwd.rfind('/') + 1);
        break;
      case '$':
        out += getuid() == 0 ? '#' : '$';
        break;
      case 'n':
        out += '\n';
        break;
      case '\\':
        out += '\\';
        break;
      default:
        out += '\\';
        out += c;
    }
  }
  return out;
}

int run_interactive(Shell& shell, Terminal& terminal, History& history) {
  const policy::Session& session = shell.plan().session();
  // Ctrl-C at the prompt and window changes arrive through a signalfd: readline's own
  // handlers would run in signal context and could not clear the line cleanly.
  rl_catch_signals = 0;
  rl_catch_sigwinch = 0;
  rl_readline_name = "stsh";
  install_completion(shell);
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGWINCH);
  sigaddset(&mask, SIGHUP);
  sigaddset(&mask, SIGTERM);
  sigprocmask(SIG_BLOCK, &mask, nullptr);
  const int sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  shell.set_signal_fd(sigfd, mask);

  const std::string format = session.prompt.empty() ? kDefaultPrompt : session.prompt;
  std::string pending;  // the lines of an incomplete command so far
  auto last_input = std::chrono::steady_clock::now();
  for (;;) {
    shell.service_background();
    shell.run_pending_traps();
    say(shell.finished_jobs_report());
    if (shell.over_warning_limit()) return shell.exit_status();
    if (shell.exit_requested()) return shell.exit_status();

    const std::string prompt =
        pending.empty() ? expand_prompt(format, shell) : shell.variable("PS2").value_or("> ");
    g_line = LineState{};
    rl_callback_handler_install(prompt.c_str(), on_line);
    while (!g_line.done) {
      std::vector<pollfd> fds{{STDIN_FILENO, POLLIN, 0}, {sigfd, POLLIN, 0}};
      shell.add_background_fds(fds);
      int timeout = -1;
      if (session.timeout_s > 0) {
        const auto idle = std::chrono::steady_clock::now() - last_input;
        const auto left = std::chrono::seconds(session.timeout_s) - idle;
        timeout = static_cast<int>(std::max<long long>(
            0, std::chrono::duration_cast<std::chrono::milliseconds>(left).count()));
      }
      const int n = poll(fds.data(), fds.size(), timeout);
      if (n == 0) {
        rl_callback_handler_remove();
        say("\nstsh: idle for " + std::to_string(session.timeout_s) + "s; the session ends\n");
        shell.log().event("idle-timeout");
        return 0;
      }
      if (fds[1].revents & POLLIN) {
        signalfd_siginfo info;
        while (read(sigfd, &info, sizeof info) == sizeof info) {
          if (info.ssi_signo == SIGWINCH) rl_resize_terminal();
          // A trapped signal's action runs before the next prompt; an ignored one is gone.
          if (shell.take_signal(static_cast<int>(info.ssi_signo)) ||
              info.ssi_signo == SIGWINCH) {
            continue;
          }
          if (info.ssi_signo == SIGHUP || info.ssi_signo == SIGTERM) {
            // The terminal is gone or we are told to end: an orderly end (history saved,
            // the session's end recorded), everything confined killed with it.
            rl_callback_handler_remove();
            shell.log().event(info.ssi_signo == SIGHUP ? "hangup" : "terminated");
            shell.kill_jobs();
            return 128 + static_cast<int>(info.ssi_signo);
          }
          // Ctrl-C: forget the line (and any continuation) and start over.
          pending.clear();
          rl_replace_line("", 0);
          rl_crlf();
          rl_callback_handler_remove();
          g_line.done = true;
          g_line.line.clear();
          shell.set_last_status(130);
        }
        if (g_line.done) break;
      }
      shell.on_background_ready(fds, 2);
      if (fds[0].revents & (POLLIN | POLLHUP)) {
        last_input = std::chrono::steady_clock::now();
        rl_callback_read_char();
      }
    }
    if (g_line.eof) {
      say(pending.empty() ? "exit\n" : "\nstsh: unexpected end of input\n");
      return shell.last_status();
    }
    if (g_line.line.empty() && pending.empty()) continue;
    const std::string text = pending.empty() ? g_line.line : pending + "\n" + g_line.line;
    const ParseResult parsed = parse(text);
    if (parsed.status == ParseStatus::incomplete) {
      pending = text;
      continue;
    }
    pending.clear();
    history.add(text);
    if (!parsed.ok()) {
      say("stsh: " + parsed.message() + "\n");
      shell.set_last_status(2);
      continue;
    }
    terminal.save_modes();
    shell.run(*parsed.program);
  }
}

}  // namespace stsh::shell
