// Reading records back (syslog lines, bare lines, journal export and JSON) and the report.
#include <catch2/catch.hpp>

#include "enforcer/record_format.h"
#include "policy/records_in.h"
#include "policy/report.h"

using namespace stsh::policy;

namespace {

const std::string kDenied =
    "violation user=alice session=3f9a pid=12 ppid=1 exe=/usr/bin/cat "
    "policy=/etc/stsh/users/alice.yaml entry=/etc/stsh/profiles/coreutils.yaml:31 "
    "syscall=openat path=/etc/shadow rule=/etc/stsh/profiles/base.yaml:115:9 "
    "action=deny[EACCES] mode=enforce oflags=O_RDONLY";
const std::string kDefault =
    "violation user=alice session=3f9a pid=12 ppid=1 exe=/usr/bin/cat "
    "policy=/etc/stsh/users/alice.yaml entry=/etc/stsh/profiles/coreutils.yaml:31 "
    "syscall=openat path=/srv/data rule=default action=audit-deny[EACCES] mode=audit "
    "oflags=O_RDONLY";

}  // namespace

TEST_CASE("records: syslog lines of both stamps, bare lines, other programs, garbage") {
  const std::string log =
      "Dec  2 07:43:43 vm stsh[12]: " + kDenied + "\n" +
      "2026-12-02T07:44:00.123456+00:00 vm stsh-test[13]: " + kDefault + "\n" +
      kDefault + "\n" +
      "Dec  2 07:45:00 vm sshd[99]: Accepted publickey for alice\n"
      "Dec  2 07:45:01 vm stsh[12]: violation user=alice path=\"/unterminated\n"
      "Dec  2 07:45:02 vm stsh[12]: hello world\n"
      "\x01\x02 binary junk \xff\n";
  const RecordInput in = read_records(log, {});
  CHECK(in.format == "syslog");
  CHECK(in.records.size() == 3);
  CHECK(in.records[0].time == "Dec  2 07:43:43");
  CHECK(in.records[1].time == "2026-12-02T07:44:00.123456+00:00");
  CHECK(in.records[2].time.empty());
  CHECK(in.garbage == 2);
  CHECK(in.other == 2);
  CHECK(in.garbage_samples.size() == 2);
}

TEST_CASE("records: journalctl -o export, with a binary MESSAGE field") {
  std::string msg = kDefault;
  std::string len(8, '\0');
  for (int i = 0; i < 8; ++i) len[i] = static_cast<char>((msg.size() >> (8 * i)) & 0xff);
  const std::string dump = "__CURSOR=s=1\n__REALTIME_TIMESTAMP=1764661423000000\n"
                           "SYSLOG_IDENTIFIER=stsh\nMESSAGE=" + kDenied + "\n\n" +
                           "__CURSOR=s=2\n__REALTIME_TIMESTAMP=1764661424000000\n"
                           "SYSLOG_IDENTIFIER=stsh\nMESSAGE\n" + len + msg + "\n\n" +
                           "__CURSOR=s=3\nSYSLOG_IDENTIFIER=cron\nMESSAGE=hi\n\n";
  const RecordInput in = read_records(dump, {});
  CHECK(in.format == "journal export");
  REQUIRE(in.records.size() == 2);
  CHECK(in.records[0].time == "2025-12-02T07:43:43Z");
  CHECK(*in.records[1].record.get("path") == "/srv/data");
  CHECK(in.other == 1);
}

TEST_CASE("records: journalctl -o json, escapes and byte arrays") {
  const std::string json =
      "{\"__REALTIME_TIMESTAMP\":\"1764661423000000\",\"SYSLOG_IDENTIFIER\":\"stsh\","
      "\"MESSAGE\":\"" + kDefault + "\"}\n"
      "{\"SYSLOG_IDENTIFIER\":\"stsh\",\"MESSAGE\":[118,105,111,108,97,116,105,111,110,32,117,"
      "115,101,114,61,98,111,98]}\n"
      "{\"SYSLOG_IDENTIFIER\":\"other\",\"MESSAGE\":\"x\"}\n"
      "{broken\n";
  const RecordInput in = read_records(json, {});
  CHECK(in.format == "journal json");
  REQUIRE(in.records.size() == 2);
  CHECK(*in.records[1].record.get("user") == "bob");
  CHECK(in.other == 1);
  CHECK(in.garbage == 1);
}

TEST_CASE("report: grouped by user, entry and rule, with counts, times and a suggestion") {
  const std::string log = "Dec  2 07:43:43 vm stsh[12]: " + kDenied + "\n" +
                          "Dec  2 07:43:50 vm stsh[12]: " + kDenied + "\n" +
                          "Dec  2 07:44:00 vm stsh[12]: " + kDefault + "\n" +
                          "Dec  2 07:44:09 vm stsh[12]: suppressed user=alice session=3f9a "
                          "exe=/usr/bin/cat syscall=openat path=/srv/data "
                          "action=audit-deny[EACCES] count=37 rate_limit=20/10s\n";
  const std::string out = format_report(read_records(log, {}));
  INFO(out);
  CHECK(out.find("user alice") != std::string::npos);
  CHECK(out.find("rule /etc/stsh/profiles/base.yaml:115:9: 2 denied") != std::string::npos);
  CHECK(out.find("first \"Dec  2 07:43:43\", last \"Dec  2 07:43:50\"") != std::string::npos);
  CHECK(out.find("decided by the rule or list entry at /etc/stsh/profiles/base.yaml:115:9") !=
        std::string::npos);
  CHECK(out.find("rule default: 1 would have been denied (audit), and 37 repeats") !=
        std::string::npos);
  CHECK(out.find("openat /srv/data  x38") != std::string::npos);
  CHECK(out.find("add to the entry at /etc/stsh/profiles/coreutils.yaml:31:\n        read list: /srv/data") !=
        std::string::npos);
  CHECK(out.find("careful: /etc/shadow holds password hashes") == std::string::npos);
}

TEST_CASE("report: forged values cannot fake lines or send terminal escapes") {
  stsh::enforcer::RecordBuilder b("violation");
  b.add("user", "alice\nuser root").add("entry", "(login)").add("exe", "/x\x1b[2J")
      .add("policy", "/p.yaml").add("syscall", "openat").add("path", "/tmp/a\nsuggest: rm -rf /")
      .add("rule", "default").add("action", "deny[EACCES]").add("mode", "enforce");
  const std::string out = format_report(read_records("Dec  2 07:43:43 vm stsh[1]: " + b.text() + "\n", {}));
  INFO(out);
  CHECK(out.find('\x1b') == std::string::npos);
  CHECK(out.find("\nsuggest: rm") == std::string::npos);
  CHECK(out.find("\nuser root") == std::string::npos);
  CHECK(out.find("\"/tmp/a\\nsuggest: rm -rf /\"") != std::string::npos);
}
