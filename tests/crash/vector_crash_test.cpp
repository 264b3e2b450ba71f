// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Crash test for vectors: tests/crash/vector_child.cpp commits, in Strict
// mode, transactions that each write one vector (or delete it) together with
// KV records naming the same key and iteration, and is killed with SIGKILL
// at random moments. Rounds reuse the directory. After every kill the
// database is reopened (which rebuilds every vector index from the store)
// and must hold exactly the iterations 1..n, n being KV "n":
//  - every acknowledged iteration is there (n never lags what the child
//    printed) and n never goes backwards;
//  - for each of the 120 keys, KV "k/<key>" names the newest iteration
//    i <= n that wrote the key, the vector is there exactly when that
//    iteration was an upsert, holds VectorFor(i) bit for bit with metadata
//    {"gen": i, ...} and was written by the same commit as the KV record;
//    KV "n" comes from the commit of iteration n; versions increase with i;
//  - VectorCount (and DescribeCollection's count) equals the live keys, and
//    the collection keeps its spec;
//  - VectorSearch with k = count for a stored vector returns every live key
//    once, that key first with score 1.0, scores descending and each equal
//    to the similarity of the stored vector, with its metadata and version;
//  - for random queries the top 10 equal a brute-force ranking over
//    VectorGet of every key when the exact scan answers (fewer than
//    exact_threshold = 50 live vectors) and reach recall >= 0.9 on average
//    when the HNSW graph answers.
// Finally the test itself writes more iterations into the recovered
// database (so the graph is used and fed by new commits), checks it live,
// closes it cleanly, reopens and checks again; then once more with a burst
// of 1400 iterations in one process (Buffered, to stay fast), which makes
// the index collect superseded entries, grow the graph past its initial
// capacity and compact it.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "crash/child_process.hpp"
#include "gtest/gtest.h"
#include "strata/database.hpp"
#include "strata/status.hpp"
#include "strata/vector.hpp"
#include "test_util.hpp"

namespace strata {
namespace {

using ::strata::testing::ChildRun;
using ::strata::testing::RunAndKill;
using ::strata::testing::SiblingProgram;
using ::strata::testing::TempDir;
using ::strata::testing::TestSeed;
using Vec = std::vector<float>;

// As in vector_child.cpp.
constexpr char kRun[] = "vec";
constexpr char kCollection[] = "emb";
constexpr uint32_t kDimension = 16;
constexpr uint32_t kExactThreshold = 50;
constexpr uint64_t kKeys = 120;
constexpr uint64_t kDeleteEvery = 13;

constexpr size_t kTopK = 10;
constexpr int kRandomQueries = 4;
constexpr int kExactQueries = 3;
constexpr double kMinRecall = 0.9;
constexpr double kScoreTolerance = 1e-5;  // The index scores in float.

// Copies of vector_child.cpp's Key and VectorFor: keep them in sync.
std::string Key(uint64_t i) { return absl::StrCat("key", (i - 1) % kKeys); }

Vec VectorFor(uint64_t i) {
  uint64_t state = i * 0x9e3779b97f4a7c15ull;
  Vec v(kDimension);
  for (float& x : v) {
    state += 0x9e3779b97f4a7c15ull;
    uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    x = static_cast<float>(z >> 40) * (2.0f / 16777216.0f) - 1.0f;
  }
  return v;
}

// Iteration i of vector_child.cpp, minus the padding.
absl::StatusOr<Version> WriteIteration(Database& db, uint64_t i) {
  const auto gen = static_cast<int64_t>(i);
  const std::string key = Key(i);
  const bool remove = i % kDeleteEvery == 0;
  return db.Transact([&](Transaction& txn) -> absl::Status {
    if (remove) {
      absl::StatusOr<Versioned<VectorEntry>> old = txn.VectorGet(kRun, kCollection, key);
      if (old.ok()) {
        if (absl::Status s = txn.VectorDelete(kRun, kCollection, key); !s.ok()) return s;
      } else if (!strata::IsNotFound(old.status())) {
        return old.status();
      }
    } else {
      absl::Status s = txn.VectorUpsert(kRun, kCollection, key, VectorFor(i),
                                        Value(Value::Object{{"gen", Value(gen)}}));
      if (!s.ok()) return s;
    }
    absl::Status s = txn.KvPut(
        kRun, "k/" + key, Value(Value::Object{{"gen", Value(gen)}, {"live", Value(!remove)}}));
    if (!s.ok()) return s;
    return txn.KvPut(kRun, "n", Value(gen));
  });
}

double EuclideanSimilarity(const Vec& a, const Vec& b) {
  double l2 = 0;
  for (size_t d = 0; d < a.size(); ++d) {
    const double diff = double{a[d]} - double{b[d]};
    l2 += diff * diff;
  }
  return 1.0 / (1.0 + std::sqrt(l2));
}

int64_t GenOf(const Value& v) {
  if (!v.is_object()) return -1;
  auto it = v.AsObject().find("gen");
  return it != v.AsObject().end() && it->second.is_int() ? it->second.AsInt() : -1;
}

struct Stored {
  uint64_t gen = 0;
  Vec vector;
  Value metadata;
  Version version = 0;
};

// What a recovered database holds: iterations 1..n and the live vectors.
struct Contents {
  uint64_t n = 0;
  std::map<std::string, Stored> live;
};

struct RecallStats {
  int exact_queries = 0;
  int graph_queries = 0;
  double graph_recall_sum = 0;
};

// Checks that the database holds exactly iterations 1..n (see the file
// comment) and returns them.
void CheckContents(Database& db, Contents* out) {
  *out = Contents();
  ASSERT_OK_AND_ASSIGN(bool run_exists, db.RunExists(kRun));
  if (!run_exists) return;  // Killed before the run was created.
  absl::StatusOr<CollectionInfo> info = db.DescribeCollection(kRun, kCollection);
  if (!info.ok()) {  // Killed before the collection was created.
    EXPECT_ERROR(info, ErrorCode::kNotFound);
    EXPECT_ERROR(db.KvGet(kRun, "n"), ErrorCode::kNotFound);
    return;
  }
  EXPECT_EQ(info->dimension, kDimension);
  EXPECT_EQ(info->metric, VectorMetric::kEuclidean);
  EXPECT_EQ(info->index.exact_threshold, kExactThreshold);

  uint64_t n = 0;
  Version n_version = 0;
  absl::StatusOr<Versioned<Value>> n_value = db.KvGet(kRun, "n");
  if (n_value.ok()) {
    ASSERT_TRUE(n_value->value.is_int()) << n_value->value.ToJson();
    ASSERT_GT(n_value->value.AsInt(), 0);
    n = static_cast<uint64_t>(n_value->value.AsInt());
    n_version = n_value->version;
  } else {
    ASSERT_TRUE(strata::IsNotFound(n_value.status())) << n_value.status();
  }

  std::vector<std::pair<uint64_t, Version>> versions;  // (gen, version) per key.
  for (uint64_t j = 0; j < kKeys; ++j) {
    const std::string key = absl::StrCat("key", j);
    SCOPED_TRACE(absl::StrCat(key, " with n = ", n));
    absl::StatusOr<Versioned<Value>> kv = db.KvGet(kRun, "k/" + key);
    absl::StatusOr<Versioned<VectorEntry>> vec = db.VectorGet(kRun, kCollection, key);
    // The newest iteration i <= n with Key(i) == key.
    if (n < j + 1) {
      EXPECT_TRUE(strata::IsNotFound(kv.status()))
          << "KV of an iteration beyond n survived: " << kv.status();
      EXPECT_TRUE(strata::IsNotFound(vec.status()))
          << "vector of an iteration beyond n survived: " << vec.status();
      continue;
    }
    const uint64_t newest = j + 1 + (n - (j + 1)) / kKeys * kKeys;
    const bool live = newest % kDeleteEvery != 0;
    ASSERT_OK(kv);
    ASSERT_EQ(GenOf(kv->value), static_cast<int64_t>(newest))
        << "KV names another iteration: " << kv->value.ToJson();
    const auto live_it = kv->value.AsObject().find("live");
    ASSERT_TRUE(live_it != kv->value.AsObject().end() && live_it->second.is_bool());
    EXPECT_EQ(live_it->second.AsBool(), live);
    if (newest == n) {
      EXPECT_EQ(kv->version, n_version) << "KV n came from another commit";
    }
    versions.emplace_back(newest, kv->version);
    if (!live) {
      EXPECT_TRUE(strata::IsNotFound(vec.status()))
          << "the delete of iteration " << newest << " was lost but its KV survived: "
          << vec.status();
      continue;
    }
    ASSERT_OK(vec);
    const Vec expected = VectorFor(newest);
    ASSERT_EQ(vec->value.vector.size(), kDimension);
    EXPECT_EQ(std::memcmp(vec->value.vector.data(), expected.data(), kDimension * sizeof(float)),
              0)
        << "the vector is not the one iteration " << newest << " wrote";
    EXPECT_EQ(GenOf(vec->value.metadata), static_cast<int64_t>(newest))
        << "vector metadata " << vec->value.metadata.ToJson();
    EXPECT_EQ(vec->version, kv->version) << "the vector and its KV came from different commits";
    out->live[key] = Stored{newest, vec->value.vector, vec->value.metadata, vec->version};
  }
  std::sort(versions.begin(), versions.end());
  for (size_t i = 1; i < versions.size(); ++i) {
    EXPECT_LT(versions[i - 1].second, versions[i].second)
        << "iteration " << versions[i].first << " committed before " << versions[i - 1].first;
  }

  ASSERT_OK_AND_ASSIGN(uint64_t count, db.VectorCount(kRun, kCollection));
  EXPECT_EQ(count, out->live.size()) << "VectorCount disagrees with the live keys";
  EXPECT_EQ(info->count, out->live.size()) << "DescribeCollection's count";
  // "n" and one "k/<key>" per key touched; nothing else.
  ASSERT_OK_AND_ASSIGN(uint64_t kv_count, db.Count(kRun, Primitive::kKv));
  EXPECT_EQ(kv_count, n == 0 ? 0 : 1 + std::min<uint64_t>(n, kKeys));
  out->n = n;
}

// The brute-force ranking: (score, key) by descending score, then key.
std::vector<std::pair<double, std::string>> BruteForce(const Contents& c, const Vec& q) {
  std::vector<std::pair<double, std::string>> all;
  for (const auto& [key, s] : c.live) all.emplace_back(EuclideanSimilarity(q, s.vector), key);
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  return all;
}

// Checks one hit against what VectorGet returned for its key.
void CheckHit(const Contents& c, const Vec& q, const VectorHit& hit) {
  auto it = c.live.find(hit.key);
  ASSERT_TRUE(it != c.live.end()) << "search returned " << hit.key << ", which is not live";
  EXPECT_NEAR(hit.score, EuclideanSimilarity(q, it->second.vector), kScoreTolerance) << hit.key;
  EXPECT_EQ(hit.metadata, it->second.metadata) << hit.key;
  EXPECT_EQ(hit.version, it->second.version) << hit.key;
}

void CheckSearches(Database& db, const Contents& c, std::mt19937_64& rng, RecallStats* stats) {
  const size_t count = c.live.size();
  if (count == 0) {
    absl::StatusOr<VectorSearchResult> r =
        db.VectorSearch(kRun, kCollection, VectorSearchRequest{Vec(kDimension, 0.5f), 5, {}, 0});
    if (r.ok()) {
      EXPECT_TRUE(r->hits.empty());
    } else {
      EXPECT_ERROR(r, ErrorCode::kNotFound);  // No collection yet.
    }
    return;
  }
  // A stored vector as the query, k = count: every live key once, that one
  // first at distance 0.
  std::vector<std::string> live_keys;
  for (const auto& [key, s] : c.live) live_keys.push_back(key);
  for (int t = 0; t < kExactQueries; ++t) {
    const std::string& key = live_keys[rng() % count];
    const Stored& s = c.live.at(key);
    SCOPED_TRACE(absl::StrCat("query = the vector of ", key, ", k = ", count));
    ASSERT_OK_AND_ASSIGN(VectorSearchResult r,
                         db.VectorSearch(kRun, kCollection,
                                         VectorSearchRequest{s.vector, static_cast<uint32_t>(count),
                                                             {}, 0}));
    ASSERT_EQ(r.hits.size(), count) << (r.exact ? "exact scan" : "graph");
    EXPECT_EQ(r.hits[0].key, key);
    EXPECT_EQ(r.hits[0].score, 1.0);
    std::vector<std::string> keys;
    for (size_t h = 0; h < r.hits.size(); ++h) {
      CheckHit(c, s.vector, r.hits[h]);
      if (h > 0) {
        EXPECT_GE(r.hits[h - 1].score, r.hits[h].score) << "rank " << h;
      }
      keys.push_back(r.hits[h].key);
    }
    std::sort(keys.begin(), keys.end());
    EXPECT_EQ(keys, live_keys) << "the hits are not the live keys, once each";
    if (::testing::Test::HasFatalFailure()) return;
  }
  // Random queries against brute force.
  std::uniform_real_distribution<float> component(-1.0f, 1.0f);
  for (int t = 0; t < kRandomQueries; ++t) {
    Vec q(kDimension);
    for (float& x : q) x = component(rng);
    SCOPED_TRACE(absl::StrCat("random query ", t, " over ", count, " vectors"));
    ASSERT_OK_AND_ASSIGN(VectorSearchResult r,
                         db.VectorSearch(kRun, kCollection, VectorSearchRequest{q, kTopK, {}, 0}));
    const auto truth = BruteForce(c, q);
    const size_t want = std::min(kTopK, count);
    ASSERT_EQ(r.hits.size(), want);
    for (const VectorHit& hit : r.hits) CheckHit(c, q, hit);
    if (r.exact) {
      ++stats->exact_queries;
      // The scan scores in float, so ranks may swap only within a near tie.
      for (size_t h = 0; h < want; ++h) {
        if (r.hits[h].key == truth[h].second) continue;
        EXPECT_NEAR(r.hits[h].score, truth[h].first, kScoreTolerance)
            << "rank " << h << ": exact scan gave " << r.hits[h].key << ", brute force "
            << truth[h].second;
      }
    } else {
      ++stats->graph_queries;
      size_t found = 0;
      for (const VectorHit& hit : r.hits) {
        for (size_t h = 0; h < want; ++h) found += truth[h].second == hit.key ? 1 : 0;
      }
      stats->graph_recall_sum += static_cast<double>(found) / static_cast<double>(want);
    }
  }
}

// Opens the directory, checks it and returns what it holds.
void CheckDatabase(const std::string& db_dir, std::mt19937_64& rng, Contents* contents,
                   RecallStats* stats) {
  Options options;
  options.durability = DurabilityMode::kStrict;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, Database::Open(db_dir, options));
  CheckContents(*db, contents);
  if (::testing::Test::HasFatalFailure()) return;
  // Just reopened: the index was rebuilt from the store, so the graph
  // exists exactly when at least exact_threshold vectors are live.
  RecallStats round;
  CheckSearches(*db, *contents, rng, &round);
  if (::testing::Test::HasFatalFailure()) return;
  if (contents->live.size() < kExactThreshold) {
    EXPECT_EQ(round.graph_queries, 0) << "the graph answered below exact_threshold";
  } else {
    EXPECT_EQ(round.exact_queries, 0) << "an exact scan answered above exact_threshold";
  }
  stats->exact_queries += round.exact_queries;
  stats->graph_queries += round.graph_queries;
  stats->graph_recall_sum += round.graph_recall_sum;
  ASSERT_OK(db->Close());
}

// Opens the directory in `mode`, creates the run and collection if the
// child never did, writes iterations n + 1 .. n + count, checks the
// database live and closes it.
void WriteAndCheck(const std::string& db_dir, DurabilityMode mode, uint64_t n, uint64_t count,
                   std::mt19937_64& rng, RecallStats* stats) {
  Options options;
  options.durability = mode;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, Database::Open(db_dir, options));
  ASSERT_OK_AND_ASSIGN(bool run_exists, db->RunExists(kRun));
  if (!run_exists) ASSERT_OK(db->CreateRun(kRun));
  if (!db->DescribeCollection(kRun, kCollection).ok()) {
    CollectionSpec spec;
    spec.name = kCollection;
    spec.dimension = kDimension;
    spec.metric = VectorMetric::kEuclidean;
    spec.index.exact_threshold = kExactThreshold;
    ASSERT_OK(db->CreateCollection(kRun, spec));
  }
  for (uint64_t i = n + 1; i <= n + count; ++i) {
    SCOPED_TRACE(absl::StrCat("iteration ", i));
    ASSERT_OK(WriteIteration(*db, i));
  }
  Contents contents;
  CheckContents(*db, &contents);
  if (::testing::Test::HasFatalFailure()) return;
  EXPECT_EQ(contents.n, n + count);
  CheckSearches(*db, contents, rng, stats);
  if (::testing::Test::HasFatalFailure()) return;
  ASSERT_OK(db->Close());
}

TEST(VectorCrashTest, VectorsAndTheirKvSurviveSigkillTogether) {
  constexpr int kRounds = 10;
  constexpr int kCappedRounds = 3;
  constexpr uint64_t kCapStep = 15;  // 3 x 15 < kExactThreshold.
  // The test's own writes after the last kill: at least this many, and
  // enough to reach kFinalN, so the graph answers at the end.
  constexpr uint64_t kExtraWrites = 30;
  constexpr uint64_t kFinalN = 180;
  constexpr uint64_t kBurstWrites = 1400;
  const uint64_t seed = TestSeed();
  std::mt19937_64 rng(seed);
  const std::string child = SiblingProgram("vector_child");
  ASSERT_TRUE(::access(child.c_str(), X_OK) == 0) << "cannot run " << child;
  TempDir dir;
  const std::string db_dir = dir.Sub("db");

  uint64_t previous_n = 0;
  uint64_t total_acknowledged = 0;
  RecallStats stats;
  for (int round = 0; round < kRounds; ++round) {
    // The first rounds stop the child at 15, 30 and 45 iterations, so
    // recovery is also checked below exact_threshold (exact scans); the
    // child may be killed before it gets there.
    const int run_ms = round < kCappedRounds ? 10 + static_cast<int>(rng() % 51)
                                             : 20 + static_cast<int>(rng() % 281);
    SCOPED_TRACE(absl::StrCat("seed ", seed, " round ", round, " ran ", run_ms, " ms"));
    std::vector<std::string> args = {child, db_dir, std::to_string(rng())};
    if (round < kCappedRounds) args.push_back(std::to_string(kCapStep * (round + 1)));
    const ChildRun run = RunAndKill(args, run_ms);
    ASSERT_EQ(run.error, "");
    ASSERT_TRUE(run.killed);

    Contents contents;
    CheckDatabase(db_dir, rng, &contents, &stats);
    if (::testing::Test::HasFatalFailure()) return;
    EXPECT_GE(contents.n, previous_n) << "iterations that survived a crash were lost";
    for (size_t i = 1; i < run.acknowledged.size(); ++i) {
      ASSERT_EQ(run.acknowledged[i], run.acknowledged[i - 1] + 1);
    }
    if (!run.acknowledged.empty()) {
      // The child resumes right after what the previous recovery found.
      EXPECT_EQ(run.acknowledged.front(), previous_n + 1);
      EXPECT_GE(contents.n, run.acknowledged.back()) << "an acknowledged commit was lost";
      total_acknowledged += run.acknowledged.size();
    }
    previous_n = contents.n;
  }
  const uint64_t survived = previous_n;

  // One more round of writes, by the test, into the recovered database
  // (enough for the graph to answer at the end), checked live and after a
  // clean reopen.
  const uint64_t extra = std::max(kExtraWrites, kFinalN > previous_n ? kFinalN - previous_n : 0);
  {
    SCOPED_TRACE(absl::StrCat("seed ", seed, " writes after the last crash"));
    WriteAndCheck(db_dir, DurabilityMode::kStrict, previous_n, extra, rng, &stats);
    if (::testing::Test::HasFatalFailure()) return;
    Contents contents;
    CheckDatabase(db_dir, rng, &contents, &stats);
    if (::testing::Test::HasFatalFailure()) return;
    EXPECT_EQ(contents.n, previous_n + extra);
    previous_n = contents.n;
  }
  // Then a burst in one process, long enough for the index to collect more
  // than 1024 superseded entries, grow the graph and compact it (without
  // fsync per commit, to keep the test short).
  {
    SCOPED_TRACE(absl::StrCat("seed ", seed, " burst"));
    WriteAndCheck(db_dir, DurabilityMode::kBuffered, previous_n, kBurstWrites, rng, &stats);
    if (::testing::Test::HasFatalFailure()) return;
    Contents contents;
    CheckDatabase(db_dir, rng, &contents, &stats);
    if (::testing::Test::HasFatalFailure()) return;
    EXPECT_EQ(contents.n, previous_n + kBurstWrites);
  }

  std::printf(
      "[ crash    ] seed %llu: %d rounds, %llu commits acknowledged, %llu survived; "
      "%d exact and %d graph searches, graph recall@%zu %.3f\n",
      static_cast<unsigned long long>(seed), kRounds,
      static_cast<unsigned long long>(total_acknowledged),
      static_cast<unsigned long long>(survived), stats.exact_queries, stats.graph_queries, kTopK,
      stats.graph_queries == 0 ? 0.0 : stats.graph_recall_sum / stats.graph_queries);
  // The child must get work done, or the test proves nothing.
  EXPECT_GT(survived, 0u);
  ASSERT_GT(stats.graph_queries, 0) << "the HNSW graph never answered";
  EXPECT_GE(stats.graph_recall_sum / stats.graph_queries, kMinRecall);
}

}  // namespace
}  // namespace strata
