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

std::string DurabilityModeName(DurabilityMode mode) {
  switch (mode) {
    case DurabilityMode::kInMemory:
      return "InMemory";
    case DurabilityMode::kBuffered:
      return "Buffered";
    case DurabilityMode::kStrict:
      return "Strict";
  }
  return "?";
}

Value RandomValue(std::mt19937_64& rng, int depth) {
  switch (rng() % (depth > 2 ? 6 : 8)) {
    case 0:
      return Value();
    case 1:
      return Value(rng() % 2 == 0);
    case 2:
      return Value(static_cast<int64_t>(rng()));
    case 3:
      return Value(static_cast<double>(static_cast<int64_t>(rng() % 2000001) - 1000000) /
                   8.0);
    case 4: {
      const size_t len = rng() % 10 == 0 ? 2000 + rng() % 2000 : rng() % 40;
      std::string s;
      for (size_t i = 0; i < len; ++i) s.push_back(static_cast<char>('a' + rng() % 26));
      return Value(std::move(s));
    }
    case 5: {
      std::string b;
      for (size_t i = 0, n = rng() % 40; i < n; ++i) b.push_back(static_cast<char>(rng()));
      return Value::MakeBytes(std::move(b));
    }
    case 6: {
      Value::Array a;
      for (size_t i = 0, n = rng() % 4; i < n; ++i) a.push_back(RandomValue(rng, depth + 1));
      return Value(std::move(a));
    }
    default: {
      Value::Object o;
      for (size_t i = 0, n = rng() % 4; i < n; ++i) {
        o["f" + std::to_string(rng() % 6)] = RandomValue(rng, depth + 1);
      }
      return Value(std::move(o));
    }
  }
}

std::string DumpSearchHits(const SearchResponse& response) {
  std::string out;
  char buf[64];
  for (const SearchHit& h : response.hits) {
    std::snprintf(buf, sizeof(buf), "%a", h.score);
    out += h.ref.ToString() + " " + buf;
    for (const SearchListRank& l : h.ranks) {
      std::snprintf(buf, sizeof(buf), "%a", l.score);
      out += " [" + l.list + " #" + std::to_string(l.rank) + " " + buf + "]";
    }
    out += " v" + std::to_string(h.version) + "\n";
  }
  return out;
}

}  // namespace strata::testing
