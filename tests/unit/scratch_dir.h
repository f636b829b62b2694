// A scratch directory /tmp/stsh-unit-XXXXXX (mode 0755), removed with all it holds.
#pragma once

#include <stdlib.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

namespace stsh::testing {

struct ScratchDir {
  std::string path;
  ScratchDir() {
    char name[] = "/tmp/stsh-unit-XXXXXX";
    REQUIRE(mkdtemp(name) != nullptr);
    path = name;
    REQUIRE(chmod(path.c_str(), 0755) == 0);
  }
  ~ScratchDir() { std::filesystem::remove_all(path); }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
};

}  // namespace stsh::testing
