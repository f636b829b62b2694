#include "shell/invocation.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <variant>

#include "shell/parser.h"

namespace stsh::shell {

const char* const kUsage =
    "usage: stsh [-l] [-euxfCv] [-c COMMAND [NAME [ARG...]] | -s [ARG...] | FILE [ARG...]]\n"
    "            [--policy FILE | --policy-dir DIR]\n"
    "       stsh --version | --help\n"
    "A restricted login shell: every command runs confined by your policy.\n";

std::optional<Invocation> parse_invocation(int argc, char** argv, std::string& error) {
  Invocation inv;
  inv.login = argc > 0 && argv[0] && argv[0][0] == '-';
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](const char* what) -> std::optional<std::string> {
      if (i + 1 >= argc) {
        error = a + " needs " + what;
        return std::nullopt;
      }
      return std::string(argv[++i]);
    };
    if (a == "-c") {
      auto v = value("a command");
      if (!v) return std::nullopt;
      inv.command = *v;
      // What follows are $0, $1, ...
      if (i + 1 < argc) inv.arg0 = argv[++i];
      for (++i; i < argc; ++i) inv.args.emplace_back(argv[i]);
      break;
    } else if (a == "-s") {
      inv.read_stdin = true;
      for (++i; i < argc; ++i) inv.args.emplace_back(argv[i]);
      break;
    } else if (a.size() > 1 && (a[0] == '-' || a[0] == '+') &&
               a.find_first_not_of("euxfCv", 1) == std::string::npos) {
      // Shell options, as `set` takes them (a leading + turns them off: the default).
      if (a[0] == '-') inv.set_options += a.substr(1);
    } else if (a == "--") {
      if (i + 1 < argc) inv.script = argv[++i];
      for (++i; i < argc; ++i) inv.args.emplace_back(argv[i]);
      break;
    } else if (!a.empty() && a[0] != '-') {
      inv.script = a;
      for (++i; i < argc; ++i) inv.args.emplace_back(argv[i]);
      break;
    } else if (a == "-l" || a == "--login") {
      inv.login = true;
    } else if (a == "-i") {
      // interactive is what a terminal on standard input means anyway
    } else if (a == "--policy") {
      auto v = value("a file");
      if (!v) return std::nullopt;
      inv.policy_file = *v;
    } else if (a == "--policy-dir") {
      auto v = value("a directory");
      if (!v) return std::nullopt;
      inv.policy_dir = *v;
    } else if (a == "--help" || a == "-h") {
      inv.help = true;
    } else if (a == "--version") {
      inv.version = true;
    } else {
      error = "unknown option '" + a + "'";
      return std::nullopt;
    }
  }
  if (!inv.policy_file.empty() && !inv.policy_dir.empty()) {
    error = "--policy and --policy-dir exclude each other";
    return std::nullopt;
  }
  // Under sshd's ForceCommand the client's command line is here; the forced command itself
  // is this shell.
  if (!inv.command) {
    if (const char* original = std::getenv("SSH_ORIGINAL_COMMAND")) inv.command = original;
  }
  return inv;
}

namespace {

// The words of `command` when it is one plain simple command: no list, pipeline, redirection,
// assignment, expansion or substitution. Only such a line can be a file transfer; anything
// else ("scp -t x; cat y", "A=/scp ls -t") is a command.
std::optional<std::vector<std::string>> plain_words(const std::string& command) {
  const ParseResult parsed = parse(command);
  if (!parsed.ok() || parsed.program->items.size() != 1) return std::nullopt;
  const AndOr& item = parsed.program->items[0];
  if (item.background || !item.rest.empty() || item.first.negated ||
      item.first.commands.size() != 1) {
    return std::nullopt;
  }
  const SimpleCommand& c = item.first.commands[0];
  if (!c.assignments.empty() || !c.redirections.empty() || c.words.empty()) return std::nullopt;
  std::vector<std::string> words;
  for (const Word& w : c.words) {
    std::string text;
    for (const WordPart& part : w.parts) {
      const auto* lit = std::get_if<LiteralPart>(&part);
      if (lit == nullptr) return std::nullopt;
      text += lit->text;
    }
    words.push_back(std::move(text));
  }
  return words;
}

// The program word as sshd's clients send it: a bare name, or the usual absolute path.
bool names(const std::string& word, const std::string& name,
           std::initializer_list<const char*> paths) {
  if (word == name) return true;
  for (const char* p : paths) {
    if (word == p) return true;
  }
  return false;
}

}  // namespace

std::string ssh_kind(const std::string& command) {
  const auto words = plain_words(command);
  if (!words) return "command";
  const std::string& program = words->front();
  auto has = [&](auto pred) { return std::any_of(words->begin() + 1, words->end(), pred); };
  if (names(program, "sftp-server",
            {"/usr/lib/openssh/sftp-server", "/usr/libexec/sftp-server", "/usr/lib/sftp-server"})) {
    return "sftp";
  }
  if (names(program, "scp", {"/usr/bin/scp"}) && has([](const std::string& w) {
        return w.size() > 1 && w[0] == '-' && w[1] != '-' &&
               w.find_first_of("tf") != std::string::npos;
      })) {
    return "scp";
  }
  if (names(program, "rsync", {"/usr/bin/rsync"}) &&
      has([](const std::string& w) { return w == "--server"; })) {
    return "rsync";
  }
  return "command";
}

bool ssh_permits(const policy::SshToggles& ssh, const std::string& kind) {
  if (kind == "scp") return ssh.scp;
  if (kind == "sftp") return ssh.sftp;
  if (kind == "rsync") return ssh.rsync;
  return ssh.command;
}

}  // namespace stsh::shell
