#include "policy/yaml_shape.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <sstream>

namespace stsh::policy {
namespace {

class ShapeCheck : public YAML::EventHandler {
 public:
  explicit ShapeCheck(const std::string& path) : path_(path) {}
  std::optional<Error> error;

  int last_document_pos = -1;
  bool stuck = false;  // a document started where the previous one did: no progress

  void OnDocumentStart(const YAML::Mark& mark) override {
    stuck = mark.pos == last_document_pos;
    last_document_pos = mark.pos;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override {
    fail(mark, "YAML aliases (*name) are not allowed in policies; share settings with include:");
  }
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    enter(mark);
  }
  void OnSequenceEnd() override { --depth_; }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    enter(mark);
  }
  void OnMapEnd() override { --depth_; }

 private:
  void enter(const YAML::Mark& mark) {
    if (++depth_ > kMaxYamlDepth)
      fail(mark, "nested deeper than " + std::to_string(kMaxYamlDepth) + " levels");
  }
  void fail(const YAML::Mark& mark, std::string message) {
    if (!error) error = make_error({path_, mark.line + 1, mark.column + 1}, std::move(message));
  }
  const std::string& path_;
  int depth_ = 0;
};

}  // namespace

std::optional<Error> check_yaml_shape(std::string_view text, const std::string& path) {
  std::istringstream in{std::string(text)};
  ShapeCheck check(path);
  try {
    YAML::Parser parser(in);
    int documents = 0;
    // yaml-cpp 0.7 reports the same null document forever on some malformed input (a leading
    // ','): a document that starts where the previous one did ends the loop.
    while (!check.error && documents < 2) {
      if (!parser.HandleNextDocument(check) || check.stuck) break;
      ++documents;
    }
    if (!check.error && documents > 1) {
      return make_error({path, 1, 1}, "a policy file holds one YAML document, found " +
                                          std::to_string(documents));
    }
  } catch (const YAML::Exception&) {
    // Syntax errors are reported by the full parse, with the same position.
  }
  return check.error;
}

}  // namespace stsh::policy
