// What the shell itself does to the file system — redirections, cd, glob expansion,
// completion, the history file — decided by the same Plan as everything it starts, under the
// login's policy, and done the way the supervisor does it for a confined process: the path is
// resolved as the kernel would, the canonical path is decided, and it is opened with
// RESOLVE_NO_SYMLINKS, so a symlink swapped in after the decision (by a background job) makes
// the open fail instead of reaching something else.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "enforcer/unique_fd.h"
#include "enforcer/violation_log.h"
#include "policy/plan.h"

namespace stsh::shell {

// A refused or failed action: the errno, and for a policy denial the rule that decided.
struct FsError {
  int error = 0;
  std::string rule;  // empty unless the policy denied it
};

class ShellFs {
 public:
  ShellFs(const policy::Plan& plan, enforcer::ViolationLog& log, policy::Mode mode)
      : plan_(&plan), log_(&log), mode_(mode) {}

  // Whether denials are logged (and counted). Completion probes quietly.
  enum class Report { log, quiet };

  // Opens `path` (relative to our cwd) with open(2) `flags` and `mode`, as a confined
  // process's open would be decided and done. The descriptor is close-on-exec.
  std::optional<UniqueFd> open(const std::string& path, int flags, unsigned mode, FsError& err,
                               Report report = Report::log);

  // The names in directory `dir` ("." and ".." left out), or nullopt when it may not be read
  // or cannot be: what glob expansion and completion see.
  std::optional<std::vector<std::string>> list(const std::string& dir, Report report = Report::log);

  // Enters `dir` (cd): it must be a directory the policy lets us read. Returns the
  // canonical path of the new working directory.
  std::optional<std::string> change_directory(const std::string& dir, FsError& err);

  // stat(2) of `path` (lstat unless `follow`), decided as a confined stat is: test's file
  // operators.
  bool stat(const std::string& path, bool follow, struct stat& st, FsError& err);

  // Whether an open for reading of `path` would be permitted (no record): completion.
  bool may_read(const std::string& path);
  // Whether creating or writing `path` would be permitted (no record): the history file.
  bool may_write(const std::string& path);

  // Where records go instead of the log: a subshell process sends them to the shell.
  void set_recorder(std::function<void(const enforcer::Violation&)> recorder) {
    recorder_ = std::move(recorder);
  }
  void record(const enforcer::Violation& v) {
    if (recorder_) recorder_(v);
    else log_->record(v);
  }

 private:
  // The decision about `call` (a canonical path, under the login's policy), recorded; false
  // with `err` set when it is denied.
  bool decided(const policy::Call& call, FsError& err);
  // The decision about opening canonical `path` with `flags`; records a violation.
  bool permitted(const std::string& canonical, int flags, unsigned mode, FsError& err,
                 Report report);

  const policy::Plan* plan_;
  enforcer::ViolationLog* log_;
  policy::Mode mode_;
  std::function<void(const enforcer::Violation&)> recorder_;
};

// The record of a decision about something the shell itself does (entry "(login)").
enforcer::Violation shell_violation(const policy::Call& call, const policy::Decision& d,
                                    bool audit);

// The whole of a script the shell reads itself (`.`, `stsh FILE`) from `fd`, or nullopt when
// it is larger than kMaxScript: the shell holds it in memory, under no rlimit of the session.
inline constexpr size_t kMaxScript = 64u << 20;
std::optional<std::string> read_script(int fd);

// The text for an FsError: "Permission denied (policy rule demo.yaml:12:5)".
std::string describe(const FsError& err);

}  // namespace stsh::shell
