// The violation log: records that cannot be forged or hidden, parsed back to their values.
#include <catch2/catch.hpp>
#include <string>

#include "enforcer/violation_log.h"

namespace {

using namespace stsh::enforcer;

Violation open_of(std::string path) {
  Violation v;
  v.pid = 42;
  v.ppid = 1;
  v.exe = "/usr/bin/perl";
  v.command_entry = "(login)";
  v.call.syscall = 257;  // openat
  v.call.filename = std::move(path);
  v.decision = stsh::policy::Decision{stsh::policy::Verdict::deny, 13, true, "default"};
  return v;
}

}  // namespace

TEST_CASE("a file name cannot put a control byte into a record (attack)", "[log]") {
  for (std::string name : {"/tmp/x\nviolation\tuser:root", "/tmp/a\rb", "/tmp/\x1b[2Jx",
                           "/tmp/\x7f", "/tmp/\xff\xfe"}) {
    const std::string text =
        ViolationLog::format(open_of(name), "alice", "s1", "t.yaml", stsh::policy::Mode::enforce);
    INFO(text);
    for (unsigned char c : text) CHECK((c >= 0x20 && c < 0x7f));
  }
}
