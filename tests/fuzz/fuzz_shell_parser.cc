// libFuzzer target: any bytes given to the shell parser yield a Program or one positioned
// error, never a crash, a hang or a sanitizer report; a Program expands without either
// (compound commands, ${...} forms and $((...)) included).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shell/ast_dump.h"
#include "shell/expand.h"
#include "shell/parser.h"

namespace {

using namespace stsh::shell;

class FuzzContext : public ExpansionContext {
 public:
  std::optional<std::string> variable(std::string_view name) override {
    if (name == "E") return std::nullopt;
    return " a  *b\t" + std::string(name);
  }
  int last_status() override { return 1; }
  std::string home() override { return "/home/f uzz"; }
  stsh::Result<std::string> command_substitution(const Program& program) override {
    if (program.items.size() > 2) return stsh::make_error("refused");
    return dump(program) + "\n\n";
  }
  std::optional<std::vector<std::string>> list_directory(const std::string& dir) override {
    if (dir == "." || dir == "/") return std::vector<std::string>{"a", ".b", "c*", "[d]", "e f"};
    if (dir == "a" || dir == "/a") return std::vector<std::string>{"x", "y"};
    return std::nullopt;
  }
  std::vector<std::string> positional_parameters() override { return {"p 1", "", "*"}; }
  stsh::Status assign(const std::string&, const std::string&) override { return stsh::Ok{}; }
};

void expand_all(const Program& program, ExpansionContext& context);

// Compound commands: their words, and the lists inside, recursively.
void expand_compound(const CompoundCommand& c, ExpansionContext& context) {
  for (const auto& list : c.lists) expand_all(*list, context);
  (void)expand_words(c.words, context);
  (void)expand_word_single(c.subject, context);
  for (const CaseItem& item : c.items) {
    for (const Word& w : item.patterns) (void)expand_pattern(w, context);
    expand_all(*item.body, context);
  }
  if (c.function_body && c.function_body->compound) {
    expand_compound(*c.function_body->compound, context);
  }
}

void expand_all(const Program& program, ExpansionContext& context) {
  for (const AndOr& item : program.items) {
    std::vector<const Pipeline*> pipelines{&item.first};
    for (const AndOrTail& tail : item.rest) pipelines.push_back(&tail.pipeline);
    for (const Pipeline* p : pipelines) {
      for (const SimpleCommand& c : p->commands) {
        if (c.compound) expand_compound(*c.compound, context);
        (void)expand_words(c.words, context);
        for (const Assignment& a : c.assignments) (void)expand_word_single(a.value, context);
        for (const Redirection& r : c.redirections) (void)expand_word_single(r.target, context);
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const ParseResult r = parse(text);
  if ((r.program != nullptr) != r.ok()) __builtin_trap();
  if (!r.ok()) {
    // One message, positioned inside the input (or just after its end).
    if (r.error.message.empty() || r.error.where.line < 1 || r.error.where.column < 1) {
      __builtin_trap();
    }
    return 0;
  }
  // Every range lies inside the source.
  if (r.program->range.end() > r.program->source->size()) __builtin_trap();
  const std::string shape = dump(*r.program);
  // Parsing is deterministic.
  if (dump(*parse(text).program) != shape) __builtin_trap();
  FuzzContext context;
  expand_all(*r.program, context);
  return 0;
}
