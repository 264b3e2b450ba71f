// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Real crashes: runs strict_writer_child (built next to this test) against a
// database directory, kills it with SIGKILL after a random time, reopens the
// directory and checks what survived. Rounds reuse the directory, so the
// database grows (over several WAL segments) across many crashes.
//
// After every crash:
//  - the committed iterations are exactly 1..k (no holes) and each one is
//    whole: "a/<i>" and "b/<i>" both exist with value i, written by the same
//    commit, whose version is i + 1; "n" is k;
//  - the 10 accounts still hold 10000 in total;
//  - k and the database version never go backwards across rounds;
//  - in Strict mode every iteration the child acknowledged is there.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "strata/database.hpp"
#include "strata/status.hpp"
#include "crash/child_process.hpp"
#include "test_util.hpp"


namespace strata {
namespace {

using ::strata::testing::ChildRun;
using ::strata::testing::RunAndKill;
using ::strata::testing::SiblingProgram;
using ::strata::testing::TempDir;
using ::strata::testing::TestSeed;

constexpr char kRun[] = "default";
constexpr int kAccounts = 10;
constexpr int64_t kTotal = 10 * 1000;

absl::StatusOr<std::vector<KvEntry>> ListAll(Database* db, const std::string& prefix) {
  std::vector<KvEntry> out;
  ListRequest request;
  request.prefix = prefix;
  request.limit = kMaxListLimit;
  for (;;) {
    absl::StatusOr<KvPage> page = db->KvList(kRun, request);
    if (!page.ok()) return page.status();
    for (KvEntry& e : page->entries) out.push_back(std::move(e));
    if (page->next_cursor.empty()) return out;
    request.cursor = page->next_cursor;
  }
}

struct Recovered {
  uint64_t k = 0;  // Iterations 1..k are present.
  Version version = 0;
};

// Opens the database left by the child, checks every invariant and returns
// what it found.
void CheckDatabase(const std::string& db_dir, DurabilityMode mode, Recovered* out) {
  Options options;
  options.durability = mode;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, Database::Open(db_dir, options));
  ASSERT_OK_AND_ASSIGN(std::vector<KvEntry> a, ListAll(db.get(), "a/"));
  ASSERT_OK_AND_ASSIGN(std::vector<KvEntry> b, ListAll(db.get(), "b/"));
  ASSERT_EQ(a.size(), b.size()) << "a partial transaction survived";
  for (size_t idx = 0; idx < a.size(); ++idx) {
    const uint64_t i = idx + 1;  // Keys are zero-padded: listing order is i order.
    char expected[32];
    std::snprintf(expected, sizeof(expected), "%010llu", static_cast<unsigned long long>(i));
    ASSERT_EQ(a[idx].key, std::string("a/") + expected) << "iteration " << i << " is missing";
    ASSERT_EQ(b[idx].key, std::string("b/") + expected) << "iteration " << i << " is partial";
    ASSERT_TRUE(a[idx].value.value.is_int() && a[idx].value.value.AsInt() == static_cast<int64_t>(i))
        << a[idx].key << " = " << a[idx].value.value.ToJson();
    ASSERT_TRUE(b[idx].value.value.is_int() && b[idx].value.value.AsInt() == static_cast<int64_t>(i))
        << b[idx].key << " = " << b[idx].value.value.ToJson();
    ASSERT_EQ(a[idx].value.version, i + 1) << a[idx].key;
    ASSERT_EQ(b[idx].value.version, i + 1) << b[idx].key;
  }
  const uint64_t k = a.size();

  absl::StatusOr<Versioned<Value>> n = db->KvGet(kRun, "n");
  if (k == 0) {
    EXPECT_ERROR(n, ErrorCode::kNotFound);
  } else {
    ASSERT_OK(n);
    EXPECT_EQ(n->value.AsInt(), static_cast<int64_t>(k));
    EXPECT_EQ(n->version, k + 1);
  }

  int accounts = 0;
  int64_t total = 0;
  for (int j = 0; j < kAccounts; ++j) {
    absl::StatusOr<Versioned<Value>> acct = db->KvGet(kRun, "acct/" + std::to_string(j));
    if (!acct.ok()) {
      EXPECT_ERROR(acct, ErrorCode::kNotFound);
      continue;
    }
    ++accounts;
    ASSERT_TRUE(acct->value.is_int());
    EXPECT_GE(acct->value.AsInt(), 0);
    total += acct->value.AsInt();
  }
  if (k > 0) {
    EXPECT_EQ(accounts, kAccounts);
  }
  EXPECT_TRUE(accounts == 0 || accounts == kAccounts) << accounts << " accounts exist";
  if (accounts == kAccounts) {
    EXPECT_EQ(total, kTotal) << "money was created or destroyed";
  }

  // One version per transaction: the accounts, then one per iteration.
  EXPECT_EQ(db->CurrentVersion(), k + (accounts > 0 ? 1 : 0));
  out->k = k;
  out->version = db->CurrentVersion();
  ASSERT_OK(db->Close());
}

void RunCrashRounds(DurabilityMode mode, int rounds) {
  const uint64_t seed = TestSeed();
  std::mt19937_64 rng(seed);
  const std::string child = SiblingProgram("strict_writer_child");
  ASSERT_TRUE(::access(child.c_str(), X_OK) == 0) << "cannot run " << child;
  const std::string mode_name = mode == DurabilityMode::kStrict ? "strict" : "buffered";
  TempDir dir;
  const std::string db_dir = dir.Sub("db");

  Recovered previous;
  uint64_t total_acknowledged = 0;
  int rounds_with_loss = 0;
  for (int round = 0; round < rounds; ++round) {
    const int run_ms = 5 + static_cast<int>(rng() % 76);
    SCOPED_TRACE(absl::StrCat(mode_name, " round ", round, " ran ", run_ms, " ms"));
    const ChildRun run = RunAndKill({child, db_dir, mode_name, std::to_string(rng())}, run_ms);
    ASSERT_EQ(run.error, "");
    ASSERT_TRUE(run.killed);

    Recovered now;
    CheckDatabase(db_dir, mode, &now);
    if (::testing::Test::HasFatalFailure()) return;
    EXPECT_GE(now.k, previous.k) << "iterations that survived a crash were lost";
    EXPECT_GE(now.version, previous.version) << "the version went backwards";
    for (size_t i = 1; i < run.acknowledged.size(); ++i) {
      ASSERT_EQ(run.acknowledged[i], run.acknowledged[i - 1] + 1);
    }
    if (!run.acknowledged.empty()) {
      // The child resumes right after what the previous recovery found.
      EXPECT_EQ(run.acknowledged.front(), previous.k + 1);
      total_acknowledged += run.acknowledged.size();
      if (mode == DurabilityMode::kStrict) {
        EXPECT_GE(now.k, run.acknowledged.back()) << "an acknowledged commit was lost";
        EXPECT_GT(now.version, previous.version);
      }
      if (now.k < run.acknowledged.back()) ++rounds_with_loss;
    }
    previous = now;
  }
  std::printf("[ crash    ] %s: %d rounds, %llu commits acknowledged, %llu survived, "
              "%d rounds lost acknowledged commits\n",
              mode_name.c_str(), rounds, static_cast<unsigned long long>(total_acknowledged),
              static_cast<unsigned long long>(previous.k), rounds_with_loss);
  // The child must get work done, or the test proves nothing.
  EXPECT_GT(previous.k, 0u);
  if (mode == DurabilityMode::kStrict) {
    EXPECT_EQ(rounds_with_loss, 0);
  }
}

TEST(CrashTest, StrictSurvivesSigkill) { RunCrashRounds(DurabilityMode::kStrict, 30); }

TEST(CrashTest, BufferedSurvivesSigkill) { RunCrashRounds(DurabilityMode::kBuffered, 30); }

}  // namespace
}  // namespace strata
