// Helpers for policy tests: compile YAML text without files, build Calls tersely.
#pragma once

#include <fcntl.h>

#include <memory>
#include <string>

#include "policy/compiler.h"
#include "policy/loader.h"
#include "policy/syscalls.h"

namespace stsh::policy::testing {

inline const Variables& alice_vars() {
  static const Variables v{"/home/alice", "alice", "1000"};
  return v;
}

inline Result<std::shared_ptr<const Plan>> compile_text(const std::string& yaml) {
  auto doc = load_document(yaml, "t.yaml", alice_vars());
  if (!doc) return doc.take_error();
  std::vector<Document> docs;
  docs.push_back(std::move(*doc));
  return compile_plan(std::move(docs));
}

// The error message a bad policy text gets ("t.yaml:L:C: ...").
inline std::string error_of(const std::string& yaml) {
  auto plan = compile_text(yaml);
  return plan ? std::string("(no error)") : plan.error().to_string();
}

inline int nr(const char* name) {
  return *syscall_number(name);
}

inline Call open_call(const std::string& path, int flags = O_RDONLY) {
  Call c;
  c.syscall = nr("openat");
  c.filename = path;
  c.oflags = flags;
  return c;
}

inline Call path_call(const char* syscall, const std::string& path) {
  Call c;
  c.syscall = nr(syscall);
  c.filename = path;
  return c;
}

inline Call exec_call(const std::string& path, std::vector<std::string> argv = {}) {
  Call c;
  c.syscall = nr("execve");
  c.filename = path;
  c.argv = argv.empty() ? std::vector<std::string>{path} : std::move(argv);
  return c;
}

inline Call net_call(const char* syscall, const std::string& addr) {
  Call c;
  c.syscall = nr(syscall);
  c.sockaddr = addr;
  return c;
}

}  // namespace stsh::policy::testing
