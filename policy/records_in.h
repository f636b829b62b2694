// Reading stsh's records back: from a syslog file (rsyslog's traditional or RFC 3339 lines,
// the record after "TAG[PID]: "), bare record lines (stsh-run --records), or a journal dump
// (`journalctl -o export` or `-o json`). Every record goes through enforcer/record_format.h's
// strict parser; what is not a record is counted, never trusted.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "enforcer/record_format.h"

namespace stsh::policy {

struct InputRecord {
  enforcer::Record record;
  std::string time;  // as the source gives it ("Dec  2 07:43:43"), or UTC from a journal
  size_t line = 0;   // line of the file, or entry of a journal export
};

struct RecordInput {
  std::string format;  // "syslog", "journal export", "journal json"
  std::vector<InputRecord> records;
  size_t lines = 0;    // lines or journal entries read
  size_t other = 0;    // from other programs
  size_t garbage = 0;  // said to be stsh's, but not a record we write
  std::vector<std::string> garbage_samples;  // "line N: why", the first few
};

// `idents`: the syslog identifiers taken as stsh's; empty means "stsh" and "stsh-*".
RecordInput read_records(std::string_view data, const std::vector<std::string>& idents);

}  // namespace stsh::policy
