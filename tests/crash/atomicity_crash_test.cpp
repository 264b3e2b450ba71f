// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Cross-primitive atomicity under real crashes: runs atomicity_child (built
// next to this test) against a Strict database, kills it with SIGKILL after
// a random time, reopens the directory and checks what survived. Rounds
// reuse the directory, so the database grows across many crashes.
//
// Every iteration i of the child is one transaction writing KV "k<i>", event
// seq i, state cell "s<i>" and span i in the run "atom". After every crash:
//  - the events are exactly 1..k (dense) and the hash chain verifies;
//  - for every i in 1..k all four entities exist, carry i and were written
//    by the same commit; the counts of KV keys, state cells and spans are
//    exactly k, and nothing of iteration k + 1 exists: so for every i either
//    all four entities exist or none does;
//  - commit versions increase with i;
//  - every iteration the child acknowledged (printed) is there, and k never
//    goes backwards across rounds.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
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

constexpr char kRun[] = "atom";

bool CarriesI(const Value& v, uint64_t i) {
  if (!v.is_object()) return false;
  auto it = v.AsObject().find("i");
  return it != v.AsObject().end() && it->second.is_int() &&
         it->second.AsInt() == static_cast<int64_t>(i);
}

// Opens the database the child left, checks every invariant and returns k,
// the number of whole iterations found.
void CheckDatabase(const std::string& db_dir, uint64_t* k_out) {
  Options options;
  options.durability = DurabilityMode::kStrict;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, Database::Open(db_dir, options));
  ASSERT_OK_AND_ASSIGN(bool run_exists, db->RunExists(kRun));
  if (!run_exists) {  // Killed before the run was created.
    *k_out = 0;
    ASSERT_OK(db->Close());
    return;
  }
  ASSERT_OK_AND_ASSIGN(const uint64_t k, db->EventLength(kRun));

  ASSERT_OK_AND_ASSIGN(ChainReport chain, db->EventVerifyChain(kRun));
  EXPECT_TRUE(chain.valid) << "broken at seq " << chain.first_broken_seq << ": "
                           << chain.problem;
  EXPECT_EQ(chain.events_checked, k);

  // Exactly k of each: with 1..k all present below, no iteration beyond k
  // left any of its entities behind.
  ASSERT_OK_AND_ASSIGN(uint64_t kv_count, db->Count(kRun, Primitive::kKv));
  ASSERT_OK_AND_ASSIGN(uint64_t state_count, db->Count(kRun, Primitive::kState));
  ASSERT_OK_AND_ASSIGN(uint64_t span_count, db->TraceCount(kRun));
  ASSERT_OK_AND_ASSIGN(uint64_t event_count, db->Count(kRun, Primitive::kEvent));
  EXPECT_EQ(kv_count, k) << "KV keys of a partial transaction survived (or went missing)";
  EXPECT_EQ(state_count, k) << "state cells of a partial transaction survived";
  EXPECT_EQ(span_count, k) << "spans of a partial transaction survived";
  EXPECT_EQ(event_count, k);

  // Every iteration 1..k is whole and written by one commit.
  EventQuery query;
  query.limit = kMaxListLimit;
  uint64_t next_seq = 1;
  Version previous_version = 0;
  for (;;) {
    ASSERT_OK_AND_ASSIGN(EventPage page, db->EventList(kRun, query));
    for (const Versioned<Event>& e : page.events) {
      const uint64_t i = e.value.seq;
      SCOPED_TRACE(absl::StrCat("iteration ", i));
      ASSERT_EQ(i, next_seq) << "event seqs are not dense";
      ++next_seq;
      ASSERT_TRUE(CarriesI(e.value.payload, i)) << e.value.payload.ToJson();
      ASSERT_EQ(e.value.type, "it");
      ASSERT_GT(e.version, previous_version) << "versions do not increase with i";
      previous_version = e.version;

      absl::StatusOr<Versioned<Value>> kv = db->KvGet(kRun, absl::StrCat("k", i));
      ASSERT_TRUE(kv.ok()) << "KV k" << i << " is missing: " << kv.status();
      ASSERT_TRUE(CarriesI(kv->value, i)) << kv->value.ToJson();
      ASSERT_EQ(kv->version, e.version) << "KV k" << i << " came from another commit";

      absl::StatusOr<Versioned<Value>> cell = db->StateRead(kRun, absl::StrCat("s", i));
      ASSERT_TRUE(cell.ok()) << "state s" << i << " is missing: " << cell.status();
      ASSERT_TRUE(CarriesI(cell->value, i)) << cell->value.ToJson();
      ASSERT_EQ(cell->version, e.version) << "state s" << i << " came from another commit";

      absl::StatusOr<Versioned<Span>> span = db->TraceGet(kRun, i);
      ASSERT_TRUE(span.ok()) << "span " << i << " is missing: " << span.status();
      ASSERT_EQ(span->value.name, absl::StrCat("span", i));
      ASSERT_TRUE(CarriesI(span->value.input, i)) << span->value.input.ToJson();
      ASSERT_EQ(span->value.status, SpanStatus::kOk);
      ASSERT_EQ(span->version, e.version) << "span " << i << " came from another commit";
    }
    if (page.next_seq == 0) break;
    query.from_seq = page.next_seq;
  }
  EXPECT_EQ(next_seq, k + 1);

  // Nothing of the next iteration.
  EXPECT_ERROR(db->KvGet(kRun, absl::StrCat("k", k + 1)), ErrorCode::kNotFound);
  EXPECT_ERROR(db->StateRead(kRun, absl::StrCat("s", k + 1)), ErrorCode::kNotFound);
  EXPECT_ERROR(db->TraceGet(kRun, k + 1), ErrorCode::kNotFound);
  EXPECT_ERROR(db->EventRead(kRun, k + 1), ErrorCode::kNotFound);

  *k_out = k;
  ASSERT_OK(db->Close());
}

TEST(AtomicityCrashTest, CrossPrimitiveTransactionsSurviveSigkill) {
  constexpr int kRounds = 24;
  const uint64_t seed = TestSeed();
  std::mt19937_64 rng(seed);
  const std::string child = SiblingProgram("atomicity_child");
  ASSERT_TRUE(::access(child.c_str(), X_OK) == 0) << "cannot run " << child;
  TempDir dir;
  const std::string db_dir = dir.Sub("db");

  uint64_t previous_k = 0;
  uint64_t total_acknowledged = 0;
  for (int round = 0; round < kRounds; ++round) {
    const int run_ms = 10 + static_cast<int>(rng() % 241);
    SCOPED_TRACE(absl::StrCat("seed ", seed, " round ", round, " ran ", run_ms, " ms"));
    const ChildRun run = RunAndKill({child, db_dir, std::to_string(rng())}, run_ms);
    ASSERT_EQ(run.error, "");
    ASSERT_TRUE(run.killed);

    uint64_t k = 0;
    CheckDatabase(db_dir, &k);
    if (::testing::Test::HasFatalFailure()) return;
    EXPECT_GE(k, previous_k) << "iterations that survived a crash were lost";
    for (size_t i = 1; i < run.acknowledged.size(); ++i) {
      ASSERT_EQ(run.acknowledged[i], run.acknowledged[i - 1] + 1);
    }
    if (!run.acknowledged.empty()) {
      // The child resumes right after what the previous recovery found.
      EXPECT_EQ(run.acknowledged.front(), previous_k + 1);
      EXPECT_GE(k, run.acknowledged.back()) << "an acknowledged commit was lost";
      total_acknowledged += run.acknowledged.size();
    }
    previous_k = k;
  }
  std::printf("[ crash    ] seed %llu: %d rounds, %llu commits acknowledged, %llu survived\n",
              static_cast<unsigned long long>(seed), kRounds,
              static_cast<unsigned long long>(total_acknowledged),
              static_cast<unsigned long long>(previous_k));
  // The child must get work done, or the test proves nothing.
  EXPECT_GT(previous_k, 0u);
}

}  // namespace
}  // namespace strata
