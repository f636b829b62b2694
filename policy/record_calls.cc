#include "policy/record_calls.h"

#include <fstream>
#include <map>
#include <sstream>
#include <tuple>

#include "policy/explain.h"
#include "policy/records_in.h"

namespace stsh::policy {
namespace {

Result<LoggedCall> logged_call_from_record(const enforcer::Record& rec) {
  if (rec.type != "violation") return make_error("not a violation record");
  const std::string* syscall = rec.get("syscall");
  if (syscall == nullptr) return make_error("record without syscall=");
  std::vector<std::string> args;
  auto named = [&](const char* key, const char* as) {
    if (const std::string* v = rec.get(key)) args.push_back(std::string(as) + "=" + *v);
  };
  named("path", "filename");
  named("path1", "filename[1]");
  named("sockaddr", "sockaddr");
  named("argv", "argv");
  named("oflags", "oflags");
  auto call = call_from_words(*syscall, args);
  if (!call) return call.take_error();
  LoggedCall lc;
  lc.oflags_unknown = call->oflags.has_value() && rec.get("oflags") == nullptr;
  lc.call = std::move(*call);
  if (const std::string* v = rec.get("exe")) lc.exe = *v;
  if (const std::string* v = rec.get("entry")) lc.entry = *v;
  return lc;
}

}  // namespace

Result<LoggedCall> logged_call_from_line(std::string_view line) {
  const RecordInput in = read_records(line, {});
  if (in.records.size() != 1) return make_error("not a stsh record");
  return logged_call_from_record(in.records.front().record);
}

Result<LoggedCalls> read_logged_calls(const std::string& path) {
  std::ifstream file(path);
  if (!file) return make_error({path, 0, 0}, "cannot read the log");
  std::ostringstream data;
  data << file.rdbuf();
  const RecordInput in = read_records(data.str(), {});
  LoggedCalls out;
  out.skipped = in.garbage;
  std::map<std::tuple<std::string, std::string, std::string>, size_t> seen;
  for (const InputRecord& r : in.records) {
    if (r.record.type != "violation") continue;
    auto lc = logged_call_from_record(r.record);
    if (!lc) {
      ++out.skipped;
      continue;
    }
    ++out.records;
    const auto key = std::make_tuple(lc->exe, lc->entry, describe_call(lc->call));
    if (auto it = seen.find(key); it != seen.end()) {
      ++out.calls[it->second].count;
      continue;
    }
    lc->where = {path, static_cast<int>(r.line), 1};
    seen.emplace(key, out.calls.size());
    out.calls.push_back(std::move(*lc));
  }
  return out;
}

}  // namespace stsh::policy
