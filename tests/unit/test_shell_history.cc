// The history file: written whole or not at all, and kept quietly when the policy does not let
// the login write it.
#include <readline/history.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "enforcer/violation_log.h"
#include "policy_test_util.h"
#include "shell/history.h"
#include "shell/shell_fs.h"

using namespace stsh;

namespace {

// Counts what would have gone to syslog.
class CountingSink : public enforcer::DatagramSink {
 public:
  explicit CountingSink(int* sent) : sent_(sent) {}
  enforcer::SendStatus send(std::string_view) override {
    ++*sent_;
    return enforcer::SendStatus::sent;
  }
  bool connect() override { return true; }
  void wait_writable(std::chrono::milliseconds) override {}

 private:
  int* sent_;
};

struct Fixture {
  std::string dir;
  std::shared_ptr<const policy::Plan> plan;
  int sent = 0;
  std::unique_ptr<enforcer::ViolationLog> log;
  std::unique_ptr<shell::ShellFs> fs;

  explicit Fixture(bool may_write) {
    char tmpl[] = "/tmp/stsh-history-unit.XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    dir = std::filesystem::canonical(tmpl).string();
    auto compiled = policy::testing::compile_text("defaults:\n  read: [" + dir + "/**]\n" +
                                                  (may_write ? "  write: [" + dir + "/**]\n" : ""));
    REQUIRE(compiled.ok());
    plan = *compiled;
    log = std::make_unique<enforcer::ViolationLog>(plan->session(), "alice", "test", "t.yaml",
                                                   std::make_unique<CountingSink>(&sent));
    fs = std::make_unique<shell::ShellFs>(*plan, *log, policy::Mode::enforce);
  }
  ~Fixture() { std::filesystem::remove_all(dir); }
  std::string path() const { return dir + "/.stsh_history"; }
};

int count_lines(const std::string& path) {
  std::ifstream in(path);
  int n = 0;
  for (std::string line; std::getline(in, line);) ++n;
  return n;
}

}  // namespace

TEST_CASE("history: saved whole, and a failed save leaves the old file as it was",
          "[shell][history]") {
  Fixture f(/* may_write= */ true);
  clear_history();
  shell::History history(*f.fs, f.path(), 1000);
  for (int i = 0; i < 300; ++i) history.add("echo line " + std::to_string(i));
  REQUIRE(history.save());
  CHECK(count_lines(f.path()) == 300);
  // A file size limit makes the next write fail part-way, as a full disk would.
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    signal(SIGXFSZ, SIG_IGN);
    const rlimit small{1000, 1000};
    setrlimit(RLIMIT_FSIZE, &small);
    for (int i = 0; i < 300; ++i) history.add("echo more " + std::to_string(i));
    _exit(history.save() ? 0 : 1);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 1);  // said so
  CHECK(count_lines(f.path()) == 300);  // the old file, whole
  CHECK_FALSE(std::filesystem::exists(f.path() + ".new"));
}

TEST_CASE("history: a policy that does not let the login write it keeps none, quietly",
          "[shell][history]") {
  Fixture f(/* may_write= */ false);
  clear_history();
  shell::History history(*f.fs, f.path(), 1000);
  history.add("ls");
  CHECK(history.save());
  CHECK_FALSE(std::filesystem::exists(f.path()));
  CHECK(f.log->violations() == 0);
}
