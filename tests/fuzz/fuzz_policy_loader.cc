// libFuzzer target: any bytes given to the loader and compiler yield a Plan or one Error,
// never a crash, a hang or a sanitizer report.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "policy/compiler.h"
#include "policy/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace stsh::policy;
  static const Variables vars{"/home/fuzz", "fuzz", "1000"};
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto doc = load_document(text, "fuzz.yaml", vars);
  if (!doc) {
    // Every error must say where it is.
    if (doc.error().where.file != "fuzz.yaml") __builtin_trap();
    return 0;
  }
  std::vector<Document> docs;
  docs.push_back(std::move(*doc));
  auto plan = compile_plan(std::move(docs));
  if (plan) {
    Call call;
    call.syscall = 257;  // openat
    call.filename = "/home/fuzz/x";
    call.oflags = 0;
    (void)(*plan)->decide((*plan)->login(), call);
  }
  return 0;
}
