// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Shared helpers for tests: temporary directories, seeded randomness and
// status matchers.
#ifndef STRATA_TESTS_TEST_UTIL_HPP_
#define STRATA_TESTS_TEST_UTIL_HPP_

#include <cstdint>
#include <random>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "strata/options.hpp"
#include "strata/search.hpp"
#include "strata/status.hpp"
#include "strata/value.hpp"

namespace strata::testing {

// A fresh directory under $TMPDIR (or /tmp), removed with its contents on
// destruction unless STRATA_KEEP_TEST_DIRS is set.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  // path() + "/" + name
  std::string Sub(const std::string& name) const;

 private:
  std::string path_;
};

// A seed for randomized tests: $STRATA_TEST_SEED if set, otherwise from the
// clock. Printed to stdout together with the test name so a failure can be
// replayed with STRATA_TEST_SEED=<seed>.
uint64_t TestSeed();

// Directory with the public test data (../shared/data).
std::string TestDataDir();

// "InMemory", "Buffered" or "Strict": for parameterized test names.
std::string DurabilityModeName(DurabilityMode mode);

// For INSTANTIATE_TEST_SUITE_P over every durability mode:
//   INSTANTIATE_TEST_SUITE_P(Modes, MyTest, AllDurabilityModes(),
//                            DurabilityModeParamName());
inline auto AllDurabilityModes() {
  return ::testing::Values(DurabilityMode::kInMemory, DurabilityMode::kBuffered,
                           DurabilityMode::kStrict);
}
struct DurabilityModeParamName {
  std::string operator()(const ::testing::TestParamInfo<DurabilityMode>& info) const {
    return DurabilityModeName(info.param);
  }
};

// A random Value of every type, nested at most three levels. Strings are
// lowercase ASCII, usually under 40 bytes and one in ten 2-4 KB (so a stream
// of them fills WAL segments); bytes are arbitrary.
Value RandomValue(std::mt19937_64& rng, int depth = 0);

// Search hits as comparable text, one line each: ref, fused score and each
// list's name, rank and score (scores exact, as hex floats), and version.
std::string DumpSearchHits(const SearchResponse& response);

}  // namespace strata::testing

#define ASSERT_OK(expr)                                   \
  do {                                                    \
    const ::absl::Status strata_s_ = ::strata::testing::ToStatus(expr); \
    ASSERT_TRUE(strata_s_.ok()) << strata_s_;             \
  } while (0)
#define EXPECT_OK(expr)                                   \
  do {                                                    \
    const ::absl::Status strata_s_ = ::strata::testing::ToStatus(expr); \
    EXPECT_TRUE(strata_s_.ok()) << strata_s_;             \
  } while (0)
// Asserts that `expr` (Status or StatusOr) failed with Strata error `code`.
#define EXPECT_ERROR(expr, code)                                     \
  do {                                                               \
    const ::absl::Status strata_s_ = ::strata::testing::ToStatus(expr); \
    EXPECT_EQ(::strata::ErrorName(::strata::GetErrorCode(strata_s_)), \
              ::strata::ErrorName(code))                             \
        << strata_s_;                                                \
  } while (0)
#define ASSERT_OK_AND_ASSIGN(lhs, expr)                                     \
  ASSERT_OK_AND_ASSIGN_IMPL_(STRATA_TEST_CONCAT_(sor_, __LINE__), lhs, expr)
#define STRATA_TEST_CONCAT_INNER_(a, b) a##b
#define STRATA_TEST_CONCAT_(a, b) STRATA_TEST_CONCAT_INNER_(a, b)
#define ASSERT_OK_AND_ASSIGN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  ASSERT_TRUE(tmp.ok()) << tmp.status();           \
  lhs = std::move(tmp).value()

namespace strata::testing {
inline absl::Status ToStatus(const absl::Status& s) { return s; }
template <typename T>
absl::Status ToStatus(const absl::StatusOr<T>& s) {
  return s.status();
}
}  // namespace strata::testing

#endif  // STRATA_TESTS_TEST_UTIL_HPP_
