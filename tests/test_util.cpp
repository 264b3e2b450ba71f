// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
#include "test_util.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

namespace strata::testing {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string templ = std::string(base != nullptr && *base != '\0' ? base : "/tmp") +
                      "/strata-test-XXXXXX";
  char* made = mkdtemp(templ.data());
  if (made == nullptr) {
    std::perror("mkdtemp");
    std::abort();
  }
  path_ = made;
}

TempDir::~TempDir() {
  if (std::getenv("STRATA_KEEP_TEST_DIRS") != nullptr) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::Sub(const std::string& name) const { return path_ + "/" + name; }

uint64_t TestSeed() {
  uint64_t seed = 0;
  if (const char* env = std::getenv("STRATA_TEST_SEED"); env != nullptr) {
    seed = std::strtoull(env, nullptr, 10);
  } else {
    seed = static_cast<uint64_t>(
        std::chrono::steady_clock::now().time_since_epoch().count());
  }
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::printf("[ seed     ] %s.%s STRATA_TEST_SEED=%llu\n",
              info != nullptr ? info->test_suite_name() : "?",
              info != nullptr ? info->name() : "?",
              static_cast<unsigned long long>(seed));
  std::fflush(stdout);
  return seed;
}

std::string TestDataDir() { return STRATA_TEST_DATA_DIR; }

}  // namespace strata::testing
