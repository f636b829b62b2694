#include "shell/invocation.h"

#include <cstdlib>
#include <cstring>
#include <sstream>

namespace stsh::shell {

const char* const kUsage =
    "usage: stsh [-l] [-c COMMAND] [--policy FILE | --policy-dir DIR]\n"
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
      break;  // what follows are $0, $1, ... (not used)
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

std::string ssh_kind(const std::string& command) {
  // Only a plain command line is a file transfer: "scp -t x; cat y" is a command, so that an
  // account with scp on and commands off cannot run anything after the scp.
  if (command.find_first_of(";&|<>$`(){}\n") != std::string::npos) return "command";
  std::istringstream words(command);
  std::string first, word;
  words >> first;
  const std::string base = first.substr(first.rfind('/') + 1);
  if (base == "sftp-server") return "sftp";
  if (base == "scp") {
    while (words >> word) {
      if (word.size() > 1 && word[0] == '-' && word.find_first_of("tf") != std::string::npos &&
          word.find_first_not_of("-tfrpdv") == std::string::npos) {
        return "scp";
      }
    }
  }
  if (base == "rsync") {
    while (words >> word) {
      if (word == "--server") return "rsync";
    }
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
