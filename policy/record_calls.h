// The calls named by stsh violation records in a log (syslog file or journal export), as
// canonical Calls for `stsh-policy diff --log`: the `violation` records that policy/records_in
// reads (the reader `report` and `learn` use too), and what each says about the call.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "policy/call.h"
#include "policy/result.h"

namespace stsh::policy {

struct LoggedCall {
  SourceLocation where;  // file:line of the first record of this call
  std::string exe;       // the process's program
  std::string entry;     // the command entry it ran under ("file:line:col" or "(login)")
  Call call;
  size_t count = 1;  // identical records (same exe, entry and call) folded into this one
  // Records carry no open flags (yet): an open without `oflags=` may have been a read or a
  // write, and `diff` compares it both ways.
  bool oflags_unknown = false;
};

struct LoggedCalls {
  std::vector<LoggedCall> calls;
  size_t records = 0;  // violation records read
  size_t skipped = 0;  // stsh lines that are not records we write, or name an unknown syscall
};

Result<LoggedCalls> read_logged_calls(const std::string& path);
// One line of a log, as read_records reads it; an error when it is not a violation record.
Result<LoggedCall> logged_call_from_line(std::string_view line);

}  // namespace stsh::policy
