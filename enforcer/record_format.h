// The text of a log record, and its parser: "TYPE key=value key="quoted value" ...".
//
// Every record is one line that parses back to exactly the values written, whatever bytes a
// value holds (a file name may hold any byte but NUL and '/'). A value is written plain when
// it is non-empty printable ASCII without '"', '\\' or '='; otherwise it is quoted, and inside
// the quotes '"' and '\\' are backslashed, \n \r \t stand for themselves, and every other
// control byte, DEL, byte that is not part of valid UTF-8, and code point that can fake or
// reorder a line on a terminal (C1 controls, bidi and zero-width controls, line and paragraph
// separators, BOM) is written \xHH, one per byte. So a record never holds a raw control byte
// or a byte sequence a reader could take for a line break, and a value that looks like
// ` user=root` stays inside its quotes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "policy/result.h"

namespace stsh::enforcer {

// A value longer than this many bytes is cut; the record names it in `truncated=`.
constexpr std::size_t kMaxValueBytes = 1024;

// `value` as it appears after "key=".
std::string escape_value(std::string_view value);

class RecordBuilder {
 public:
  // `max_value` bytes of each value are kept (see kMaxValueBytes).
  explicit RecordBuilder(std::string_view type, std::size_t max_value = kMaxValueBytes);
  // Keys come from our code, but a caller's key with other bytes than [A-Za-z0-9_.-] has
  // them replaced by '_' rather than breaking the record.
  RecordBuilder& add(std::string_view key, std::string_view value);
  RecordBuilder& add(std::string_view key, std::uint64_t value);
  // The record; ends with " truncated=k1,k2" when values were cut.
  [[nodiscard]] std::string text() const;

 private:
  std::string out_;
  std::string truncated_;
  std::size_t max_value_;
};

struct Record {
  std::string type;
  std::vector<std::pair<std::string, std::string>> fields;  // in order, as written

  // The first value of `key`, or nullptr.
  [[nodiscard]] const std::string* get(std::string_view key) const;
};

// The inverse of RecordBuilder::text(): strict, so a line we did not write (or one cut short
// by a daemon's size limit) is an error, not a half-read record.
Result<Record> parse_record(std::string_view line);

}  // namespace stsh::enforcer
