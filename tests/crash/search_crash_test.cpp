// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Crash test for search: tests/crash/search_child.cpp commits, in Strict
// mode with the keyword index on, transactions that each put (or delete) a
// document, append an event and advance KV "n", and is killed with SIGKILL
// at random moments. After every kill the database is reopened twice, with
// the index (rebuilt from the recovered data) and without it (scans), and:
//  - every acknowledged iteration is there and n never goes backwards;
//  - each document key is found by the term of the newest iteration i <= n
//    that wrote it (and by no other "gen" term) exactly when that iteration
//    was a put, and a deleted key is found by no term;
//  - the event search for "common" finds exactly n events, one per
//    iteration;
//  - every query gives the same hits, scores and ranks with the index as
//    with the scan.
// Finally the test writes more iterations in one process, checks the index
// live against a scan, and reopens once more.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

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
using ::strata::testing::DumpSearchHits;
using ::strata::testing::TempDir;
using ::strata::testing::TestSeed;

// As in search_child.cpp.
constexpr char kRun[] = "docs";
constexpr uint64_t kKeys = 50;
constexpr uint64_t kDeleteEvery = 11;
std::string Key(uint64_t i) { return absl::StrCat("doc", (i - 1) % kKeys); }
std::string Text(uint64_t i) {
  return absl::StrCat("gen", i, " shade", i % 7, " common words about shade", i % 3);
}

SearchRequest Query(std::string text, Primitive p, uint32_t k = kMaxSearchHits) {
  SearchRequest r;
  r.query = std::move(text);
  r.k = k;
  r.filter.primitives = {p};
  r.filter.runs = {kRun};
  return r;
}

Options WithIndex(bool indexed) {
  Options o;
  o.durability = DurabilityMode::kStrict;
  o.search.index_all_runs = indexed;
  return o;
}

// Checks the recovered database at `dir` with and without the index;
// returns n.
uint64_t Check(const std::string& dir, std::mt19937_64& rng) {
  auto indexed = Database::Open(dir, WithIndex(true));
  EXPECT_TRUE(indexed.ok()) << indexed.status();
  if (!indexed.ok()) return 0;
  Database& db = **indexed;
  uint64_t n = 0;
  auto nv = db.KvGet(kRun, "n");
  if (nv.ok()) n = static_cast<uint64_t>(nv->value.AsInt());
  // The newest iteration <= n per key.
  for (uint64_t k = 0; k < kKeys && k < n; ++k) {
    uint64_t last = n - ((n - 1 - k) % kKeys);  // Newest i <= n with (i-1) % kKeys == k.
    const std::string key = Key(last);
    auto r = db.Search(Query(absl::StrCat("gen", last), Primitive::kKv));
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return 0;
    const bool live = last % kDeleteEvery != 0;
    if (live) {
      EXPECT_EQ(r->hits.size(), 1u) << key << " gen" << last << "\n" << DumpSearchHits(*r);
      if (!r->hits.empty()) {
        EXPECT_EQ(r->hits[0].ref.ToString(), absl::StrCat("kv://", kRun, "/", key));
      }
    } else {
      EXPECT_TRUE(r->hits.empty()) << key << " was deleted\n" << DumpSearchHits(*r);
    }
    // An older generation of the key is never found.
    if (last > kKeys) {
      auto old = db.Search(Query(absl::StrCat("gen", last - kKeys), Primitive::kKv));
      EXPECT_TRUE(old.ok() && old->hits.empty()) << key << " old generation visible";
    }
  }
  auto events = db.Search(Query("common", Primitive::kEvent));
  EXPECT_TRUE(events.ok()) << events.status();
  if (events.ok()) {
    EXPECT_EQ(events->hits.size(), std::min<uint64_t>(n, kMaxSearchHits));
  }

  std::vector<SearchRequest> queries = {Query("common shade", Primitive::kKv, 20),
                                        Query(absl::StrCat("shade", rng() % 7), Primitive::kKv),
                                        Query("words gen1", Primitive::kKv, 5)};
  SearchRequest all;
  all.query = absl::StrCat("common gen", n);
  all.k = 30;
  queries.push_back(all);
  std::vector<std::string> with_index;
  for (const SearchRequest& q : queries) {
    auto r = db.Search(q);
    EXPECT_TRUE(r.ok()) << r.status();
    with_index.push_back(r.ok() ? DumpSearchHits(*r) : "");
  }
  EXPECT_TRUE(db.Close().ok());
  indexed->reset();
  auto scanned = Database::Open(dir, WithIndex(false));
  EXPECT_TRUE(scanned.ok()) << scanned.status();
  if (!scanned.ok()) return n;
  for (size_t i = 0; i < queries.size(); ++i) {
    auto r = (*scanned)->Search(queries[i]);
    EXPECT_TRUE(r.ok()) << r.status();
    if (r.ok()) {
      EXPECT_EQ(DumpSearchHits(*r), with_index[i]) << "query '" << queries[i].query << "'";
    }
  }
  return n;
}

TEST(SearchCrashTest, IndexRebuiltAfterSigkillMatchesTheData) {
  constexpr int kRounds = 8;
  const uint64_t seed = TestSeed();
  std::mt19937_64 rng(seed);
  const std::string child = SiblingProgram("search_child");
  ASSERT_TRUE(::access(child.c_str(), X_OK) == 0) << "cannot run " << child;
  TempDir dir;
  const std::string db_dir = dir.Sub("db");
  uint64_t previous_n = 0;
  uint64_t acknowledged = 0;
  for (int round = 0; round < kRounds; ++round) {
    const int run_ms = 20 + static_cast<int>(rng() % 300);
    SCOPED_TRACE(absl::StrCat("seed ", seed, " round ", round, " ran ", run_ms, " ms"));
    const ChildRun run = RunAndKill({child, db_dir}, run_ms);
    ASSERT_EQ(run.error, "");
    ASSERT_TRUE(run.killed);
    const uint64_t n = Check(db_dir, rng);
    if (::testing::Test::HasFatalFailure()) return;
    EXPECT_GE(n, previous_n) << "iterations that survived a crash were lost";
    if (!run.acknowledged.empty()) {
      EXPECT_EQ(run.acknowledged.front(), previous_n + 1);
      EXPECT_GE(n, run.acknowledged.back()) << "an acknowledged commit was lost";
      acknowledged += run.acknowledged.size();
    }
    previous_n = n;
  }
  // More writes in one process (Buffered, to stay fast): the live index
  // agrees with a scan of the same database at the same snapshot.
  {
    Options o = WithIndex(true);
    o.durability = DurabilityMode::kBuffered;
    auto db = Database::Open(db_dir, o);
    ASSERT_TRUE(db.ok()) << db.status();
    auto unindexed = Database::OpenInMemory();
    ASSERT_TRUE(unindexed.ok());
    for (uint64_t i = previous_n + 1; i <= previous_n + 300; ++i) {
      if (i % kDeleteEvery == 0) {
        auto d = (*db)->KvDelete(kRun, Key(i));
        ASSERT_TRUE(d.ok() || strata::IsNotFound(d.status())) << d.status();
      } else {
        ASSERT_TRUE((*db)->KvPut(kRun, Key(i), Value(Text(i))).ok());
      }
      ASSERT_TRUE((*db)->EventAppend(kRun, "note", Value(absl::StrCat("gen", i, " common"))).ok());
      ASSERT_TRUE((*db)->KvPut(kRun, "n", Value(static_cast<int64_t>(i))).ok());
    }
    ASSERT_TRUE((*db)->Close().ok());
  }
  EXPECT_EQ(Check(db_dir, rng), previous_n + 300);
  std::printf("[ crash    ] seed %llu: %d rounds, %llu commits acknowledged, %llu survived\n",
              static_cast<unsigned long long>(seed), kRounds,
              static_cast<unsigned long long>(acknowledged),
              static_cast<unsigned long long>(previous_n));
  EXPECT_GT(previous_n, 0u) << "the child got no work done";
}

}  // namespace
}  // namespace strata
