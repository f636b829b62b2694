// Every bad-policy fixture in tests/policies/bad/NAME.yaml gets exactly the message in
// NAME.expected ("{dir}" stands for the fixture directory). Files under bad/inc/ are only
// included by fixtures. Every good fixture in tests/policies/good/ compiles.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "policy/compiler.h"

using namespace stsh::policy;
namespace fs = std::filesystem;

namespace {

UserInfo alice() {
  UserInfo u;
  u.name = "alice";
  u.uid = 1000;
  u.gid = 1000;
  u.home = "/home/alice";
  return u;
}

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::vector<fs::path> yaml_files(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".yaml") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("every bad fixture gets its one expected message") {
  const fs::path dir = fs::path(STSH_TEST_POLICIES) / "bad";
  const auto files = yaml_files(dir);
  REQUIRE(files.size() >= 25);
  for (const auto& file : files) {
    fs::path expected_file = file;
    expected_file.replace_extension(".expected");
    INFO(file.filename().string());
    REQUIRE(fs::exists(expected_file));
    std::string expected = read_all(expected_file);
    while (!expected.empty() && expected.back() == '\n') expected.pop_back();
    for (size_t at; (at = expected.find("{dir}")) != std::string::npos;)
      expected.replace(at, 5, dir.string());
    auto plan = load_plan(PlanRequest{dir.string(), file.string(), Trust::explicit_file}, alice());
    REQUIRE_FALSE(plan.ok());
    CHECK(plan.error().to_string() == expected);
  }
}

TEST_CASE("every good fixture compiles") {
  const fs::path dir = fs::path(STSH_TEST_POLICIES) / "good";
  const auto files = yaml_files(dir);
  REQUIRE_FALSE(files.empty());
  for (const auto& file : files) {
    INFO(file.filename().string());
    auto plan = load_plan(PlanRequest{dir.string(), file.string(), Trust::explicit_file}, alice());
    CHECK((plan ? std::string("ok") : plan.error().to_string()) == "ok");
  }
}

TEST_CASE("the shipped policies compile, with their profiles") {
  const fs::path dir = STSH_ETC_DIR;
  for (const char* name : {"default.yaml", "demo.yaml"}) {
    INFO(name);
    auto plan =
        load_plan(PlanRequest{dir.string(), (dir / name).string(), Trust::explicit_file}, alice());
    CHECK((plan ? std::string("ok") : plan.error().to_string()) == "ok");
  }
}
