// stsh-policy report: what was denied, or would have been (audit mode), grouped by user,
// command entry and rule, with counts, first and last time, and a suggested change.
#pragma once

#include <string>

#include "policy/records_in.h"

namespace stsh::policy {

// The report's text. Every value from a record is printed escaped (record_format's rules), so
// a forged record cannot write control sequences to the terminal or fake a line.
std::string format_report(const RecordInput& in);

}  // namespace stsh::policy
