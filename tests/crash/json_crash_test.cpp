// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Crash test for JSON documents: tests/crash/json_child.cpp applies
// path-level patches (logged as operations, not whole documents) in Strict
// mode and is killed with SIGKILL at random moments. After each kill the
// database must reopen with the document exactly as the acknowledged prefix
// of patches left it: /n, every item of /items, every counter, and the KV
// keys written in the same transactions.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "crash/child_process.hpp"
#include "gtest/gtest.h"
#include "strata/database.hpp"
#include "strata/status.hpp"
#include "test_util.hpp"

namespace strata {
namespace {

using ::strata::testing::ChildRun;
using ::strata::testing::RunAndKill;
using ::strata::testing::SiblingProgram;
using ::strata::testing::TempDir;
using ::strata::testing::TestSeed;

constexpr char kRun[] = "jdoc";
constexpr char kDoc[] = "log";

// Checks the document against the k iterations it says it holds and
// returns k (0 if the child died before creating it).
void CheckDatabase(const std::string& db_dir, int64_t* k_out) {
  Options options;
  options.durability = DurabilityMode::kStrict;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, Database::Open(db_dir, options));
  *k_out = 0;
  ASSERT_OK_AND_ASSIGN(bool run_exists, db->RunExists(kRun));
  if (!run_exists) return;
  ASSERT_OK_AND_ASSIGN(bool doc_exists, db->JsonExists(kRun, kDoc));
  if (!doc_exists) return;
  ASSERT_OK_AND_ASSIGN(Versioned<Value> doc, db->JsonGet(kRun, kDoc));
  const Value::Object& o = doc.value.AsObject();
  ASSERT_EQ(o.size(), 3u) << doc.value.ToJson();
  const int64_t k = o.at("n").AsInt();
  const Value::Array& items = o.at("items").AsArray();
  ASSERT_EQ(static_cast<int64_t>(items.size()), k) << "items and n disagree";
  for (int64_t j = 0; j < k; ++j) {
    ASSERT_EQ(items[j].AsObject().at("i").AsInt(), j + 1) << "item " << j;
  }
  const Value::Object& counters = o.at("counters").AsObject();
  for (int64_t m = 0; m < 7; ++m) {
    // The counter of residue m holds the newest i <= k with i % 7 == m.
    int64_t newest = k;
    while (newest > 0 && newest % 7 != m) --newest;
    auto it = counters.find(absl::StrCat("c", m));
    if (newest == 0) {
      EXPECT_TRUE(it == counters.end()) << "counter c" << m << " from the future";
    } else {
      ASSERT_TRUE(it != counters.end()) << "counter c" << m << " missing";
      EXPECT_EQ(it->second.AsInt(), newest) << "counter c" << m;
    }
  }
  // The KV keys of the transactional iterations, and none beyond k.
  ASSERT_OK_AND_ASSIGN(uint64_t kv_count, db->Count(kRun, Primitive::kKv));
  EXPECT_EQ(static_cast<int64_t>(kv_count), k / 3);
  for (int64_t i = 3; i <= k; i += 3) {
    SCOPED_TRACE(absl::StrCat("k", i));
    ASSERT_OK(db->KvGet(kRun, absl::StrCat("k", i)));
  }
  *k_out = k;
  ASSERT_OK(db->Close());
}

TEST(JsonCrashTest, PathLevelPatchesSurviveSigkill) {
  constexpr int kRounds = 16;
  const uint64_t seed = TestSeed();
  std::mt19937_64 rng(seed);
  const std::string child = SiblingProgram("json_child");
  ASSERT_TRUE(::access(child.c_str(), X_OK) == 0) << "cannot run " << child;
  TempDir dir;
  const std::string db_dir = dir.Sub("db");

  int64_t previous_k = 0;
  uint64_t total_acknowledged = 0;
  for (int round = 0; round < kRounds; ++round) {
    const int run_ms = 10 + static_cast<int>(rng() % 241);
    SCOPED_TRACE(absl::StrCat("seed ", seed, " round ", round, " ran ", run_ms, " ms"));
    const ChildRun run = RunAndKill({child, db_dir, std::to_string(rng())}, run_ms);
    ASSERT_EQ(run.error, "");
    ASSERT_TRUE(run.killed);

    int64_t k = 0;
    CheckDatabase(db_dir, &k);
    if (::testing::Test::HasFatalFailure()) return;
    EXPECT_GE(k, previous_k) << "patches that survived a crash were lost";
    if (!run.acknowledged.empty()) {
      EXPECT_EQ(static_cast<int64_t>(run.acknowledged.front()), previous_k + 1);
      EXPECT_GE(k, static_cast<int64_t>(run.acknowledged.back()))
          << "an acknowledged patch was lost";
      total_acknowledged += run.acknowledged.size();
    }
    previous_k = k;
  }
  std::printf("[ crash    ] seed %llu: %d rounds, %llu patches acknowledged, %lld survived\n",
              static_cast<unsigned long long>(seed), kRounds,
              static_cast<unsigned long long>(total_acknowledged),
              static_cast<long long>(previous_k));
  EXPECT_GT(previous_k, 0);
}

}  // namespace
}  // namespace strata
