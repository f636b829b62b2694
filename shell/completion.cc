#include "shell/completion.h"

#include <readline/readline.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <set>

#include "shell/builtins.h"
#include "shell/shell.h"

namespace stsh::shell {
namespace {

Shell* g_shell = nullptr;  // readline's hooks are plain functions

std::vector<std::string> complete_path(Shell& shell, const std::string& word) {
  const size_t slash = word.rfind('/');
  const std::string dir_part = slash == std::string::npos ? "" : word.substr(0, slash + 1);
  const std::string prefix = slash == std::string::npos ? word : word.substr(slash + 1);
  std::string dir = dir_part.empty() ? "." : dir_part;
  if (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  if (!dir_part.empty() && dir_part[0] == '~') dir = shell.user().home + dir.substr(1);
  auto names = shell.fs().list(dir, ShellFs::Report::quiet);
  std::vector<std::string> out;
  if (!names) return out;
  for (const std::string& name : *names) {
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    if (name[0] == '.' && (prefix.empty() || prefix[0] != '.')) continue;
    struct stat st {};
    const std::string full = dir + "/" + name;
    const bool is_dir = stat(full.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
    out.push_back(dir_part + name + (is_dir ? "/" : ""));
  }
  return out;
}

char* generator(const char* text, int state) {
  static std::vector<std::string> matches;
  static size_t next = 0;
  if (state == 0) {
    next = 0;
    // Command position: nothing but blanks or an operator before the word.
    const std::string before(rl_line_buffer, static_cast<size_t>(rl_point) - std::strlen(text));
    const size_t last = before.find_last_not_of(" \t");
    const bool command = last == std::string::npos || std::strchr("|;&(", before[last]);
    matches = complete(*g_shell, text, command);
  }
  if (next >= matches.size()) return nullptr;
  return strdup(matches[next++].c_str());
}

char** attempt(const char* text, int, int) {
  rl_attempted_completion_over = 1;  // never fall back to readline's unconfined listing
  // A directory completes without a trailing space, so the path can go on.
  rl_completion_append_character = ' ';
  char** result = rl_completion_matches(text, generator);
  if (result && result[0] && result[1] == nullptr) {
    const size_t len = std::strlen(result[0]);
    if (len > 0 && result[0][len - 1] == '/') rl_completion_append_character = '\0';
  }
  return result;
}

char* no_entries(const char*, int) {
  return nullptr;
}

}  // namespace

std::vector<std::string> permitted_commands(Shell& shell) {
  static std::string cached_path;
  static std::vector<std::string> cached;
  const std::string path = shell.variable("PATH").value_or("");
  if (path == cached_path && !cached.empty()) return cached;
  std::set<std::string> names;
  size_t start = 0;
  while (start <= path.size()) {
    const size_t end = std::min(path.find(':', start), path.size());
    const std::string dir = path.substr(start, end - start);
    start = end + 1;
    if (dir.empty() || dir[0] != '/') continue;
    auto entries = shell.fs().list(dir, ShellFs::Report::quiet);
    if (!entries) continue;
    for (const std::string& name : *entries) {
      char real[PATH_MAX];
      if (realpath((dir + "/" + name).c_str(), real) == nullptr) continue;
      policy::Call call;
      call.syscall = SYS_execve;
      call.filename = real;
      call.argv = {name};
      if (shell.plan().decide(shell.plan().login(), call).permitted()) names.insert(name);
    }
  }
  cached_path = path;
  cached.assign(names.begin(), names.end());
  return cached;
}

std::vector<std::string> complete(Shell& shell, const std::string& word, bool command_position) {
  if (!command_position || word.find('/') != std::string::npos) return complete_path(shell, word);
  std::set<std::string> out;
  for (const Builtin& b : all_builtins()) {
    if (b.name.compare(0, word.size(), word) == 0) out.emplace(b.name);
  }
  for (const std::string& c : permitted_commands(shell)) {
    if (c.compare(0, word.size(), word) == 0) out.insert(c);
  }
  return {out.begin(), out.end()};
}

void install_completion(Shell& shell) {
  g_shell = &shell;
  rl_attempted_completion_function = attempt;
  rl_completion_entry_function = no_entries;
}

}  // namespace stsh::shell
