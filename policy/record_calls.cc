#include "policy/record_calls.h"

#include <fstream>
#include <map>
#include <tuple>

#include "enforcer/record_format.h"
#include "policy/explain.h"

namespace stsh::policy {

Result<LoggedCall> logged_call_from_line(std::string_view line) {
  // A syslog line: "Dec  2 08:00:00 host stsh[123]: violation user=... ". The record starts at
  // its type word.
  size_t at = line.find(": violation ");
  if (at != std::string_view::npos)
    at += 2;
  else if (line.rfind("violation ", 0) == 0)
    at = 0;
  else
    return make_error("not a violation record");
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  auto rec = enforcer::parse_record(line.substr(at));
  if (!rec) return rec.take_error();
  const std::string* syscall = rec->get("syscall");
  if (syscall == nullptr) return make_error("record without syscall=");
  std::vector<std::string> args;
  auto named = [&](const char* key, const char* as) {
    if (const std::string* v = rec->get(key)) args.push_back(std::string(as) + "=" + *v);
  };
  named("path", "filename");
  named("path1", "filename[1]");
  named("sockaddr", "sockaddr");
  named("argv", "argv");
  named("oflags", "oflags");
  auto call = call_from_words(*syscall, args);
  if (!call) return call.take_error();
  LoggedCall lc;
  lc.oflags_unknown = call->oflags.has_value() && rec->get("oflags") == nullptr;
  lc.call = std::move(*call);
  if (const std::string* v = rec->get("exe")) lc.exe = *v;
  if (const std::string* v = rec->get("entry")) lc.entry = *v;
  return lc;
}

Result<LoggedCalls> read_logged_calls(const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error({path, 0, 0}, "cannot read the log");
  LoggedCalls out;
  std::map<std::tuple<std::string, std::string, std::string>, size_t> seen;
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.find("violation ") == std::string::npos) continue;
    auto lc = logged_call_from_line(line);
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
    lc->where = {path, lineno, 1};
    seen.emplace(key, out.calls.size());
    out.calls.push_back(std::move(*lc));
  }
  return out;
}

}  // namespace stsh::policy
