// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// The vector primitive through the public API: collections, upserts and
// reads, bad input, exact and HNSW search against brute force (recall@10 on
// the public SIFT sample and on synthetic clustered data, every metric),
// filtered search at several selectivities, transactions, snapshot
// consistency under concurrent writers, and recovery.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "strata/strata.hpp"
#include "test_util.hpp"

namespace strata {
namespace {

using ::strata::testing::TempDir;
using ::strata::testing::TestDataDir;
using ::strata::testing::TestSeed;
using Vec = std::vector<float>;

std::string Key(size_t i) { return absl::StrFormat("v%06d", i); }

CollectionSpec Spec(std::string name, uint32_t dim, VectorMetric metric,
                    uint32_t exact_threshold = 1000) {
  CollectionSpec spec;
  spec.name = std::move(name);
  spec.dimension = dim;
  spec.metric = metric;
  spec.index.exact_threshold = exact_threshold;
  return spec;
}

// Gaussian clusters around random centres.
std::vector<Vec> Clustered(size_t n, size_t dim, size_t clusters, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> centre(0.0f, 1.0f), spread(0.0f, 0.25f);
  std::vector<Vec> centres(clusters, Vec(dim));
  for (Vec& c : centres) {
    for (float& x : c) x = centre(rng);
  }
  std::vector<Vec> out(n, Vec(dim));
  for (size_t i = 0; i < n; ++i) {
    const Vec& c = centres[rng() % clusters];
    for (size_t d = 0; d < dim; ++d) out[i][d] = c[d] + spread(rng);
  }
  return out;
}

double Similarity(VectorMetric metric, const Vec& a, const Vec& b) {
  double dot = 0, aa = 0, bb = 0, l2 = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    dot += double{a[i]} * b[i];
    aa += double{a[i]} * a[i];
    bb += double{b[i]} * b[i];
    l2 += (double{a[i]} - b[i]) * (double{a[i]} - b[i]);
  }
  switch (metric) {
    case VectorMetric::kCosine: return dot / std::sqrt(aa * bb);
    case VectorMetric::kEuclidean: return 1.0 / (1.0 + std::sqrt(l2));
    case VectorMetric::kDotProduct: return dot;
  }
  return 0;
}

// The exact top k (by similarity, then key) among `subset` (all if empty).
std::vector<std::string> BruteForce(const std::vector<Vec>& base, const Vec& q, size_t k,
                                    VectorMetric metric,
                                    const std::vector<size_t>* subset = nullptr) {
  std::vector<std::pair<double, size_t>> all;
  auto add = [&](size_t i) { all.emplace_back(-Similarity(metric, q, base[i]), i); };
  if (subset != nullptr) {
    for (size_t i : *subset) add(i);
  } else {
    for (size_t i = 0; i < base.size(); ++i) add(i);
  }
  const size_t n = std::min(k, all.size());
  std::partial_sort(all.begin(), all.begin() + static_cast<ptrdiff_t>(n), all.end());
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) out.push_back(Key(all[i].second));
  return out;
}

double Recall(const std::vector<VectorHit>& hits, const std::vector<std::string>& truth) {
  if (truth.empty()) return 1.0;
  size_t found = 0;
  for (const VectorHit& h : hits) {
    if (std::find(truth.begin(), truth.end(), h.key) != truth.end()) ++found;
  }
  return static_cast<double>(found) / static_cast<double>(truth.size());
}

void Load(Database& db, const std::string& collection, const std::vector<Vec>& base,
          const std::function<Value(size_t)>& metadata = nullptr) {
  std::vector<VectorItem> batch;
  for (size_t i = 0; i < base.size(); ++i) {
    batch.push_back(VectorItem{Key(i), base[i], metadata ? metadata(i) : Value()});
    if (batch.size() == 500 || i + 1 == base.size()) {
      ASSERT_OK(db.VectorUpsertBatch("default", collection, std::move(batch)));
      batch.clear();
    }
  }
}

std::vector<Vec> LoadSiftBase() {
  std::ifstream in(TestDataDir() + "/sift/sift-base-5k.tsv");
  std::vector<Vec> out;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    Vec v(128);
    for (float& x : v) fields >> x;
    if (fields) out.push_back(std::move(v));
  }
  return out;
}

std::vector<Vec> LoadSiftQueries() {
  std::ifstream in(TestDataDir() + "/sift/siftsmall-query.fvecs", std::ios::binary);
  std::vector<Vec> out;
  int32_t dim = 0;
  while (in.read(reinterpret_cast<char*>(&dim), sizeof dim)) {
    if (dim != 128) break;
    Vec v(128);
    if (!in.read(reinterpret_cast<char*>(v.data()), 128 * sizeof(float))) break;
    out.push_back(std::move(v));
  }
  return out;
}

class VectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Database::OpenInMemory(Options());
    ASSERT_OK(db.status());
    db_ = *std::move(db);
  }
  std::unique_ptr<Database> db_;
};

// --- Collections.

TEST_F(VectorTest, CollectionsAreCreatedDescribedListedAndDropped) {
  ASSERT_OK_AND_ASSIGN(Version created,
                       db_->CreateCollection("default", Spec("b", 3, VectorMetric::kDotProduct)));
  ASSERT_OK(db_->CreateCollection("default", Spec("a", 2, VectorMetric::kEuclidean)));
  EXPECT_ERROR(db_->CreateCollection("default", Spec("a", 5, VectorMetric::kCosine)),
               ErrorCode::kAlreadyExists);
  ASSERT_OK(db_->VectorUpsert("default", "b", "x", {1, 2, 3}));
  ASSERT_OK_AND_ASSIGN(CollectionInfo info, db_->DescribeCollection("default", "b"));
  EXPECT_EQ(info.name, "b");
  EXPECT_EQ(info.dimension, 3u);
  EXPECT_EQ(info.metric, VectorMetric::kDotProduct);
  EXPECT_EQ(info.index, VectorIndexOptions());
  EXPECT_EQ(info.count, 1u);
  EXPECT_EQ(info.version, created);
  ASSERT_OK_AND_ASSIGN(std::vector<CollectionInfo> all, db_->ListCollections("default"));
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].name, "a");
  EXPECT_EQ(all[1].name, "b");

  ASSERT_OK(db_->DropCollection("default", "b"));
  EXPECT_ERROR(db_->DescribeCollection("default", "b"), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->VectorGet("default", "b", "x"), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->DropCollection("default", "b"), ErrorCode::kNotFound);
  // Re-created with another dimension: nothing of the old one shows.
  ASSERT_OK(db_->CreateCollection("default", Spec("b", 2, VectorMetric::kCosine)));
  ASSERT_OK_AND_ASSIGN(uint64_t n, db_->VectorCount("default", "b"));
  EXPECT_EQ(n, 0u);
  ASSERT_OK(db_->VectorUpsert("default", "b", "y", {1, 0}));
  ASSERT_OK_AND_ASSIGN(VectorSearchResult r,
                       db_->VectorSearch("default", "b", VectorSearchRequest{{1, 1}, 5, {}, 0}));
  ASSERT_EQ(r.hits.size(), 1u);
  EXPECT_EQ(r.hits[0].key, "y");
}

TEST_F(VectorTest, BadCollectionSpecsAreRefusedWithTheFieldNamed) {
  struct Case {
    CollectionSpec spec;
    ErrorCode code;
    std::string needle;
  };
  std::vector<Case> cases;
  cases.push_back({Spec("", 3, VectorMetric::kCosine), ErrorCode::kInvalidArgument, "empty"});
  cases.push_back({Spec("a/b", 3, VectorMetric::kCosine), ErrorCode::kInvalidArgument, "'/'"});
  cases.push_back({Spec(std::string("a\0b", 3), 3, VectorMetric::kCosine),
                   ErrorCode::kInvalidArgument, "NUL"});
  cases.push_back({Spec(std::string(300, 'n'), 3, VectorMetric::kCosine),
                   ErrorCode::kResourceExhausted, "limit"});
  cases.push_back({Spec("c", 0, VectorMetric::kCosine), ErrorCode::kInvalidArgument,
                   "dimension"});
  cases.push_back({Spec("c", kMaxVectorDimension + 1, VectorMetric::kCosine),
                   ErrorCode::kInvalidArgument, "dimension"});
  cases.push_back({Spec("c", 3, static_cast<VectorMetric>(9)), ErrorCode::kInvalidArgument,
                   "metric"});
  CollectionSpec bad_m = Spec("c", 3, VectorMetric::kCosine);
  bad_m.index.m = 1;
  cases.push_back({bad_m, ErrorCode::kInvalidArgument, "index m"});
  CollectionSpec bad_ef = Spec("c", 3, VectorMetric::kCosine);
  bad_ef.index.ef_search = 0;
  cases.push_back({bad_ef, ErrorCode::kInvalidArgument, "ef_search"});
  for (const Case& c : cases) {
    absl::StatusOr<Version> r = db_->CreateCollection("default", c.spec);
    EXPECT_EQ(GetErrorCode(r.status()), c.code) << r.status();
    EXPECT_NE(r.status().message().find(c.needle), absl::string_view::npos) << r.status();
  }
  EXPECT_ERROR(db_->CreateCollection("no-such-run", Spec("c", 3, VectorMetric::kCosine)),
               ErrorCode::kNotFound);
  EXPECT_ERROR(db_->ListCollections("no-such-run"), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->DescribeCollection("default", "missing"), ErrorCode::kNotFound);
}

// --- Vectors.

TEST_F(VectorTest, UpsertGetDeleteAndHistory) {
  ASSERT_OK(db_->CreateCollection("default", Spec("c", 3, VectorMetric::kEuclidean)));
  ASSERT_OK_AND_ASSIGN(Version v1,
                       db_->VectorUpsert("default", "c", "k", {1, 2, 3},
                                         Value(Value::Object{{"tag", Value("a")}})));
  ASSERT_OK_AND_ASSIGN(Version v2, db_->VectorUpsert("default", "c", "k", {4, 5, 6}));
  ASSERT_OK_AND_ASSIGN(Versioned<VectorEntry> got, db_->VectorGet("default", "c", "k"));
  EXPECT_EQ(got.value.vector, (Vec{4, 5, 6}));
  EXPECT_TRUE(got.value.metadata.is_null());
  EXPECT_EQ(got.version, v2);
  ASSERT_OK_AND_ASSIGN(got, db_->VectorGetAt("default", "c", "k", v1));
  EXPECT_EQ(got.value.vector, (Vec{1, 2, 3}));
  EXPECT_EQ(got.value.metadata.AsObject().at("tag"), Value("a"));
  EXPECT_ERROR(db_->VectorGetAt("default", "c", "k", v1 - 1), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->VectorGetAt("default", "c", "k", v2 + 100), ErrorCode::kVersionNotFound);
  ASSERT_OK_AND_ASSIGN(uint64_t n, db_->VectorCount("default", "c"));
  EXPECT_EQ(n, 1u);
  ASSERT_OK(db_->VectorDelete("default", "c", "k"));
  EXPECT_ERROR(db_->VectorGet("default", "c", "k"), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->VectorDelete("default", "c", "k"), ErrorCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(n, db_->VectorCount("default", "c"));
  EXPECT_EQ(n, 0u);
  ASSERT_OK_AND_ASSIGN(got, db_->VectorGetAt("default", "c", "k", v2));
  EXPECT_EQ(got.value.vector, (Vec{4, 5, 6}));
}

TEST_F(VectorTest, BadVectorsAndQueriesGetClearErrors) {
  ASSERT_OK(db_->CreateCollection("default", Spec("cos", 3, VectorMetric::kCosine)));
  ASSERT_OK(db_->CreateCollection("default", Spec("l2", 3, VectorMetric::kEuclidean)));
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  auto expect = [](const absl::Status& s, ErrorCode code, const std::string& needle) {
    EXPECT_EQ(GetErrorCode(s), code) << s;
    EXPECT_NE(s.message().find(needle), absl::string_view::npos) << s;
  };
  expect(db_->VectorUpsert("default", "cos", "k", {1, 2}).status(), ErrorCode::kInvalidArgument,
         "dimension 2");
  expect(db_->VectorUpsert("default", "cos", "k", {1, nan, 2}).status(),
         ErrorCode::kInvalidArgument, "component 1 is NaN");
  expect(db_->VectorUpsert("default", "cos", "k", {1, 2, -inf}).status(),
         ErrorCode::kInvalidArgument, "component 2 is infinite");
  expect(db_->VectorUpsert("default", "cos", "k", {0, 0, 0}).status(),
         ErrorCode::kInvalidArgument, "all zeros");
  EXPECT_OK(db_->VectorUpsert("default", "l2", "zero", {0, 0, 0}));  // Fine under L2.
  expect(db_->VectorUpsert("default", "cos", "k", {1, 2, 3}, Value(7)).status(),
         ErrorCode::kInvalidArgument, "object");
  Value::Object big;
  big["blob"] = Value(std::string(kMaxVectorMetadataBytes, 'x'));
  expect(db_->VectorUpsert("default", "cos", "k", {1, 2, 3}, Value(big)).status(),
         ErrorCode::kResourceExhausted, "metadata");
  expect(db_->VectorUpsert("default", "missing", "k", {1, 2, 3}).status(), ErrorCode::kNotFound,
         "collection not found");
  expect(db_->VectorUpsert("default", "cos", "", {1, 2, 3}).status(),
         ErrorCode::kInvalidArgument, "");
  // A bad item fails the whole batch and says which.
  std::vector<VectorItem> batch{{"a", {1, 2, 3}, Value()}, {"b", {1, 2}, Value()}};
  expect(db_->VectorUpsertBatch("default", "cos", batch).status(), ErrorCode::kInvalidArgument,
         "item 1");
  EXPECT_ERROR(db_->VectorGet("default", "cos", "a"), ErrorCode::kNotFound);

  VectorSearchRequest q{{1, 2, 3}, 10, {}, 0};
  q.query = {1, 2};
  expect(db_->VectorSearch("default", "cos", q).status(), ErrorCode::kInvalidArgument,
         "query has dimension 2");
  q.query = {nan, 1, 1};
  expect(db_->VectorSearch("default", "cos", q).status(), ErrorCode::kInvalidArgument,
         "query component 0 is NaN");
  q.query = {1, 1, 1};
  q.k = 0;
  expect(db_->VectorSearch("default", "cos", q).status(), ErrorCode::kInvalidArgument, "k is 0");
  q.k = kMaxSearchK + 1;
  EXPECT_ERROR(db_->VectorSearch("default", "cos", q), ErrorCode::kInvalidArgument);
  q.k = 5;
  q.filter = VectorFilter::In("f", {});
  EXPECT_ERROR(db_->VectorSearch("default", "cos", q), ErrorCode::kInvalidArgument);
  q.filter.reset();
  EXPECT_ERROR(db_->VectorSearch("default", "missing", q), ErrorCode::kNotFound);
}

// --- Search.

TEST_F(VectorTest, ExactSearchScoresEachMetricAndBreaksTiesByKey) {
  const std::vector<Vec> base{{1, 0}, {0, 1}, {1, 1}, {2, 2}, {-1, 0}};
  for (VectorMetric metric :
       {VectorMetric::kCosine, VectorMetric::kEuclidean, VectorMetric::kDotProduct}) {
    const std::string name(VectorMetricName(metric));
    ASSERT_OK(db_->CreateCollection("default", Spec(name, 2, metric)));
    Load(*db_, name, base);
    const Vec q{1, 1};
    ASSERT_OK_AND_ASSIGN(VectorSearchResult r,
                         db_->VectorSearch("default", name, VectorSearchRequest{q, 5, {}, 0}));
    EXPECT_TRUE(r.exact);
    ASSERT_EQ(r.hits.size(), 5u) << name;
    for (size_t i = 0; i < r.hits.size(); ++i) {
      const size_t index = static_cast<size_t>(std::stoi(r.hits[i].key.substr(1)));
      EXPECT_NEAR(r.hits[i].score, Similarity(metric, q, base[index]), 1e-5) << name;
      if (i > 0) {
        EXPECT_TRUE(r.hits[i - 1].score > r.hits[i].score ||
                    (r.hits[i - 1].score == r.hits[i].score &&
                     r.hits[i - 1].key < r.hits[i].key))
            << name << " " << i;
      }
    }
  }
  // Cosine: (1,1) and (2,2) tie at 1.0; the smaller key comes first.
  ASSERT_OK_AND_ASSIGN(VectorSearchResult r,
                       db_->VectorSearch("default", "cosine", VectorSearchRequest{{1, 1}, 2, {}, 0}));
  ASSERT_EQ(r.hits.size(), 2u);
  EXPECT_EQ(r.hits[0].key, Key(2));
  EXPECT_EQ(r.hits[1].key, Key(3));
  EXPECT_NEAR(r.hits[0].score, 1.0, 1e-6);
}

TEST_F(VectorTest, SiftRecallAtTenAgainstBruteForce) {
  const std::vector<Vec> base = LoadSiftBase();
  const std::vector<Vec> queries = LoadSiftQueries();
  ASSERT_EQ(base.size(), 5000u) << "missing " << TestDataDir() << "/sift";
  ASSERT_EQ(queries.size(), 100u);
  CollectionSpec spec = Spec("sift", 128, VectorMetric::kEuclidean);
  spec.index.ef_search = 128;
  ASSERT_OK(db_->CreateCollection("default", spec));
  Load(*db_, "sift", base);
  double recall = 0;
  for (const Vec& q : queries) {
    ASSERT_OK_AND_ASSIGN(VectorSearchResult r,
                         db_->VectorSearch("default", "sift", VectorSearchRequest{q, 10, {}, 0}));
    EXPECT_FALSE(r.exact);
    recall += Recall(r.hits, BruteForce(base, q, 10, VectorMetric::kEuclidean));
  }
  recall /= static_cast<double>(queries.size());
  std::printf("SIFT 5k recall@10 (ef_search 128): %.4f\n", recall);
  EXPECT_GE(recall, 0.95);
}

// Synthetic clustered data, every metric. STRATA_VECTOR_TEST_N scales it up
// (the benchmark runs 100,000 x 384).
TEST_F(VectorTest, ClusteredRecallAtTenForEveryMetric) {
  const char* env = std::getenv("STRATA_VECTOR_TEST_N");
  const size_t n = env != nullptr ? std::strtoull(env, nullptr, 10) : 3000;
  const uint64_t seed = TestSeed();
  const std::vector<Vec> base = Clustered(n, 384, 50, seed);
  const std::vector<Vec> queries = Clustered(30, 384, 50, seed);  // Same centres.
  for (VectorMetric metric :
       {VectorMetric::kCosine, VectorMetric::kEuclidean, VectorMetric::kDotProduct}) {
    const std::string name(VectorMetricName(metric));
    CollectionSpec spec = Spec(name, 384, metric, 500);
    spec.index.ef_search = 100;
    ASSERT_OK(db_->CreateCollection("default", spec));
    Load(*db_, name, base);
    double recall = 0;
    for (const Vec& q : queries) {
      ASSERT_OK_AND_ASSIGN(VectorSearchResult r,
                           db_->VectorSearch("default", name, VectorSearchRequest{q, 10, {}, 0}));
      EXPECT_FALSE(r.exact);
      recall += Recall(r.hits, BruteForce(base, q, 10, metric));
    }
    recall /= static_cast<double>(queries.size());
    std::printf("clustered %zu x 384 %s recall@10: %.4f\n", n, name.c_str(), recall);
    EXPECT_GE(recall, 0.95) << name;
  }
}

TEST_F(VectorTest, FilteredSearchKeepsRecallAtEverySelectivity) {
  const uint64_t seed = TestSeed();
  const std::vector<Vec> base = Clustered(4000, 32, 20, seed);
  const std::vector<Vec> queries = Clustered(20, 32, 20, seed + 1);
  ASSERT_OK(db_->CreateCollection("default", Spec("f", 32, VectorMetric::kEuclidean, 200)));
  Load(*db_, "f", base, [](size_t i) {
    return Value(Value::Object{{"bucket", Value(static_cast<int64_t>(i % 100))},
                               {"parity", Value(i % 2 == 0 ? "even" : "odd")}});
  });
  struct Case {
    std::string name;
    VectorFilter filter;
    std::function<bool(size_t)> matches;
  };
  const std::vector<Case> cases{
      {"50%", VectorFilter::Range("bucket", std::nullopt, 50, true, false),
       [](size_t i) { return i % 100 < 50; }},
      {"10%", VectorFilter::In("bucket", {Value(1), Value(2.0), Value(3), Value(4), Value(5),
                                          Value(6), Value(7), Value(8), Value(9), Value(10)}),
       [](size_t i) { return i % 100 >= 1 && i % 100 <= 10; }},
      {"1%", VectorFilter::Eq("bucket", Value(7)), [](size_t i) { return i % 100 == 7; }},
      {"and/or", VectorFilter::And({VectorFilter::Eq("parity", Value("odd")),
                                    VectorFilter::Or({VectorFilter::Range("bucket", 90, 99),
                                                      VectorFilter::Eq("bucket", Value(3))})}),
       [](size_t i) { return i % 2 == 1 && (i % 100 >= 90 || i % 100 == 3); }},
  };
  for (const Case& c : cases) {
    std::vector<size_t> subset;
    for (size_t i = 0; i < base.size(); ++i) {
      if (c.matches(i)) subset.push_back(i);
    }
    double recall = 0;
    for (const Vec& q : queries) {
      VectorSearchRequest req{q, 10, c.filter, 0};
      ASSERT_OK_AND_ASSIGN(VectorSearchResult r, db_->VectorSearch("default", "f", req));
      for (const VectorHit& h : r.hits) {
        EXPECT_TRUE(c.matches(static_cast<size_t>(std::stoi(h.key.substr(1))))) << h.key;
      }
      ASSERT_EQ(r.hits.size(), std::min<size_t>(10, subset.size())) << c.name;
      recall += Recall(r.hits, BruteForce(base, q, 10, VectorMetric::kEuclidean, &subset));
    }
    recall /= static_cast<double>(queries.size());
    std::printf("filtered %s recall@10: %.4f\n", c.name.c_str(), recall);
    EXPECT_GE(recall, 0.95) << c.name;
  }
  // With ef 20 the half of the collection that matches is cheaper to
  // reach through the graph: results are over-fetched and checked against
  // the matching set instead of scanned. At ef 20 recall is well below the
  // exact paths' (0.83..0.95 over 40 seeds with 20 queries), so this uses
  // more queries for a steadier mean and a floor with room below it.
  const std::vector<Vec> graph_queries = Clustered(100, 32, 20, seed + 2);
  std::vector<size_t> even;
  for (size_t i = 0; i < base.size(); i += 2) even.push_back(i);
  double recall = 0;
  for (const Vec& q : graph_queries) {
    VectorSearchRequest req{q, 10, VectorFilter::Eq("parity", Value("even")), 20};
    ASSERT_OK_AND_ASSIGN(VectorSearchResult r, db_->VectorSearch("default", "f", req));
    EXPECT_FALSE(r.exact);
    ASSERT_EQ(r.hits.size(), 10u);
    for (const VectorHit& h : r.hits) EXPECT_EQ(std::stoi(h.key.substr(1)) % 2, 0) << h.key;
    recall += Recall(r.hits, BruteForce(base, q, 10, VectorMetric::kEuclidean, &even));
  }
  recall /= static_cast<double>(graph_queries.size());
  std::printf("filtered 50%% through the graph (ef 20) recall@10: %.4f\n", recall);
  EXPECT_GE(recall, 0.75);
}

TEST_F(VectorTest, UpdatesAndDeletesAreSearchedCorrectlyAcrossIndexRebuilds) {
  // Enough rewrites that superseded entries are collected and the graph is
  // rebuilt several times.
  const uint64_t seed = TestSeed();
  std::mt19937_64 rng(seed);
  const size_t n = 600;
  std::vector<Vec> current = Clustered(n, 16, 10, seed);
  std::vector<bool> live(n, true);
  ASSERT_OK(db_->CreateCollection("default", Spec("u", 16, VectorMetric::kEuclidean, 100)));
  Load(*db_, "u", current);
  const std::vector<Vec> fresh = Clustered(8000, 16, 10, seed + 1);
  for (size_t round = 0; round < fresh.size(); ++round) {
    const size_t i = rng() % n;
    if (rng() % 10 == 0 && live[i]) {
      ASSERT_OK(db_->VectorDelete("default", "u", Key(i)));
      live[i] = false;
    } else {
      ASSERT_OK(db_->VectorUpsert("default", "u", Key(i), fresh[round]));
      current[i] = fresh[round];
      live[i] = true;
    }
  }
  std::vector<size_t> alive;
  for (size_t i = 0; i < n; ++i) {
    if (live[i]) alive.push_back(i);
  }
  ASSERT_OK_AND_ASSIGN(uint64_t count, db_->VectorCount("default", "u"));
  EXPECT_EQ(count, alive.size());
  double recall = 0;
  for (size_t qi = 0; qi < 20; ++qi) {
    const Vec& q = fresh[qi];
    ASSERT_OK_AND_ASSIGN(VectorSearchResult r,
                         db_->VectorSearch("default", "u", VectorSearchRequest{q, 10, {}, 0}));
    for (const VectorHit& h : r.hits) {
      const size_t i = static_cast<size_t>(std::stoi(h.key.substr(1)));
      ASSERT_TRUE(live[i]) << "deleted vector returned: " << h.key;
      EXPECT_NEAR(h.score, Similarity(VectorMetric::kEuclidean, q, current[i]), 1e-4);
    }
    recall += Recall(r.hits, BruteForce(current, q, 10, VectorMetric::kEuclidean, &alive));
  }
  EXPECT_GE(recall / 20, 0.95);
}

// --- Transactions.

TEST_F(VectorTest, VectorWritesCommitWithTheRestOfTheTransaction) {
  ASSERT_OK(db_->CreateCollection("default", Spec("c", 2, VectorMetric::kEuclidean)));
  ASSERT_OK(db_->VectorUpsert("default", "c", "old", {0, 0}));
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> txn, db_->BeginTransaction());
    ASSERT_OK(txn->KvPut("default", "note", Value("saw it")));
    ASSERT_OK(txn->VectorUpsert("default", "c", "new", {1, 1}));
    ASSERT_OK(txn->VectorDelete("default", "c", "old"));
    // The transaction sees its own writes in search, get and count.
    ASSERT_OK_AND_ASSIGN(VectorSearchResult r,
                         txn->VectorSearch("default", "c", VectorSearchRequest{{0, 0}, 5, {}, 0}));
    ASSERT_EQ(r.hits.size(), 1u);
    EXPECT_EQ(r.hits[0].key, "new");
    EXPECT_EQ(r.hits[0].version, 0u);
    ASSERT_OK_AND_ASSIGN(uint64_t n, txn->VectorCount("default", "c"));
    EXPECT_EQ(n, 1u);
    EXPECT_ERROR(txn->VectorGet("default", "c", "old"), ErrorCode::kNotFound);
    // Nobody else does yet.
    ASSERT_OK_AND_ASSIGN(r, db_->VectorSearch("default", "c", VectorSearchRequest{{0, 0}, 5, {}, 0}));
    ASSERT_EQ(r.hits.size(), 1u);
    EXPECT_EQ(r.hits[0].key, "old");
    txn->Rollback();
  }
  ASSERT_OK_AND_ASSIGN(uint64_t n, db_->VectorCount("default", "c"));
  EXPECT_EQ(n, 1u);
  EXPECT_ERROR(db_->KvGet("default", "note"), ErrorCode::kNotFound);

  ASSERT_OK_AND_ASSIGN(Version v, db_->Transact([](Transaction& t) -> absl::Status {
    if (absl::Status s = t.KvPut("default", "note", Value("saw it")); !s.ok()) return s;
    return t.VectorUpsert("default", "c", "new", {1, 1});
  }));
  ASSERT_OK_AND_ASSIGN(Versioned<Value> note, db_->KvGet("default", "note"));
  ASSERT_OK_AND_ASSIGN(Versioned<VectorEntry> got, db_->VectorGet("default", "c", "new"));
  EXPECT_EQ(note.version, v);
  EXPECT_EQ(got.version, v);
}

TEST_F(VectorTest, SearchInATransactionSeesItsSnapshotAndConflictsWithLaterWrites) {
  ASSERT_OK(db_->CreateCollection("default", Spec("c", 2, VectorMetric::kEuclidean, 0)));
  ASSERT_OK(db_->VectorUpsert("default", "c", "a", {0, 0}));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> txn, db_->BeginTransaction());
  ASSERT_OK(db_->VectorUpsert("default", "c", "b", {0.1f, 0}));  // After the snapshot.
  ASSERT_OK_AND_ASSIGN(VectorSearchResult r,
                       txn->VectorSearch("default", "c", VectorSearchRequest{{0, 0}, 5, {}, 0}));
  EXPECT_FALSE(r.exact);  // exact_threshold 0: the graph answers.
  ASSERT_EQ(r.hits.size(), 1u);
  EXPECT_EQ(r.hits[0].key, "a");
  // It searched the collection and writes: a later commit to it conflicts.
  ASSERT_OK(txn->KvPut("default", "decision", Value("a")));
  EXPECT_ERROR(txn->Commit(), ErrorCode::kConflict);
  // A drop concurrent with an upsert makes the upsert conflict.
  ASSERT_OK_AND_ASSIGN(txn, db_->BeginTransaction());
  ASSERT_OK(txn->VectorUpsert("default", "c", "z", {3, 3}));
  ASSERT_OK(db_->DropCollection("default", "c"));
  EXPECT_ERROR(txn->Commit(), ErrorCode::kConflict);
}

TEST_F(VectorTest, ConcurrentSearchesNeverSeeOutsideTheirSnapshot) {
  // Writers move vectors and record each key's generation in its metadata;
  // readers search in transactions and check every hit against a read of
  // the same key in the same snapshot.
  ASSERT_OK(db_->CreateCollection("default", Spec("c", 8, VectorMetric::kEuclidean, 64)));
  const uint64_t seed = TestSeed();
  const size_t keys = 200;
  Load(*db_, "c", Clustered(keys, 8, 4, seed),
       [](size_t) { return Value(Value::Object{{"gen", Value(0)}}); });
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> searches{0}, checked{0}, failures{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < 2; ++w) {
    threads.emplace_back([&, w] {
      std::mt19937_64 rng(seed + 10 + static_cast<uint64_t>(w));
      std::normal_distribution<float> d(0, 1);
      for (int64_t gen = 1; !stop.load(); ++gen) {
        Vec v(8);
        for (float& x : v) x = d(rng);
        const size_t i = rng() % keys;
        absl::StatusOr<Version> r;
        if (rng() % 8 == 0) {
          r = db_->VectorDelete("default", "c", Key(i));
          if (GetErrorCode(r.status()) == ErrorCode::kNotFound) continue;
        } else {
          r = db_->VectorUpsert("default", "c", Key(i), v,
                                Value(Value::Object{{"gen", Value(gen)}}));
        }
        if (!r.ok()) failures.fetch_add(1);
      }
    });
  }
  for (int s = 0; s < 2; ++s) {
    threads.emplace_back([&, s] {
      std::mt19937_64 rng(seed + 100 + static_cast<uint64_t>(s));
      std::normal_distribution<float> d(0, 1);
      while (!stop.load()) {
        auto txn = db_->BeginTransaction();
        if (!txn.ok()) {
          failures.fetch_add(1);
          continue;
        }
        Vec q(8);
        for (float& x : q) x = d(rng);
        absl::StatusOr<VectorSearchResult> r =
            (*txn)->VectorSearch("default", "c", VectorSearchRequest{q, 10, {}, 0});
        if (!r.ok()) {
          failures.fetch_add(1);
          continue;
        }
        searches.fetch_add(1);
        for (const VectorHit& h : r->hits) {
          absl::StatusOr<Versioned<VectorEntry>> got = (*txn)->VectorGet("default", "c", h.key);
          checked.fetch_add(1);
          if (!got.ok() || got->version != h.version || got->value.metadata != h.metadata ||
              h.version > (*txn)->snapshot_version() ||
              std::abs(h.score - Similarity(VectorMetric::kEuclidean, q, got->value.vector)) >
                  1e-4) {
            failures.fetch_add(1);
          }
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  stop = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0u);
  EXPECT_GT(searches.load(), 10u);
  EXPECT_GT(checked.load(), 100u);
}

// --- Durability.

TEST(VectorRecoveryTest, ReopenRebuildsTheIndex) {
  TempDir dir;
  Options o;
  o.durability = DurabilityMode::kStrict;
  const uint64_t seed = TestSeed();
  const std::vector<Vec> base = Clustered(1500, 24, 10, seed);
  const std::vector<Vec> queries = Clustered(10, 24, 10, seed + 1);
  std::vector<size_t> live;
  for (size_t i = 0; i < base.size(); ++i) {
    if (i % 3 != 0 || i >= 300) live.push_back(i);
  }
  // Each search: recall@10 against brute force over the live vectors, and
  // every hit's score and metadata right.
  auto check = [&](Database& db, std::vector<std::vector<VectorHit>>* results) {
    double recall = 0;
    for (const Vec& q : queries) {
      ASSERT_OK_AND_ASSIGN(VectorSearchResult r,
                           db.VectorSearch("default", "c", VectorSearchRequest{q, 10, {}, 200}));
      ASSERT_EQ(r.hits.size(), 10u);
      for (const VectorHit& h : r.hits) {
        const size_t i = static_cast<size_t>(std::stoi(h.key.substr(1)));
        EXPECT_TRUE(i % 3 != 0 || i >= 300) << "deleted vector returned: " << h.key;
        EXPECT_NEAR(h.score, Similarity(VectorMetric::kCosine, q, base[i]), 1e-5);
        EXPECT_EQ(h.metadata, Value(Value::Object{{"i", Value(static_cast<int64_t>(i))}}));
      }
      recall += Recall(r.hits, BruteForce(base, q, 10, VectorMetric::kCosine, &live));
      results->push_back(r.hits);
    }
    EXPECT_GE(recall / static_cast<double>(queries.size()), 0.95);
  };
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, Database::Open(dir.Sub("db"), o));
    ASSERT_OK(db->CreateCollection("default", Spec("c", 24, VectorMetric::kCosine, 300)));
    Load(*db, "c", base, [](size_t i) {
      return Value(Value::Object{{"i", Value(static_cast<int64_t>(i))}});
    });
    for (size_t i = 0; i < 100; ++i) ASSERT_OK(db->VectorDelete("default", "c", Key(i * 3)));
    std::vector<std::vector<VectorHit>> before;
    check(*db, &before);
    ASSERT_OK(db->Close());
  }
  // The graph is rebuilt from the store (in key order, without the deleted
  // vectors), so it differs from the one built while writing; two rebuilds
  // of the same data, one after a checkpoint, give the same answers.
  std::vector<std::vector<VectorHit>> rebuilt[2];
  for (int reopen = 0; reopen < 2; ++reopen) {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, Database::Open(dir.Sub("db"), o));
    ASSERT_OK_AND_ASSIGN(uint64_t n, db->VectorCount("default", "c"));
    EXPECT_EQ(n, live.size());
    check(*db, &rebuilt[reopen]);
    if (reopen == 0) ASSERT_OK(db->Checkpoint());
    ASSERT_OK(db->Close());
  }
  ASSERT_EQ(rebuilt[0].size(), rebuilt[1].size());
  for (size_t qi = 0; qi < rebuilt[0].size(); ++qi) {
    ASSERT_EQ(rebuilt[0][qi].size(), rebuilt[1][qi].size());
    for (size_t h = 0; h < rebuilt[0][qi].size(); ++h) {
      EXPECT_EQ(rebuilt[0][qi][h].key, rebuilt[1][qi][h].key) << "query " << qi << " rank " << h;
      EXPECT_EQ(rebuilt[0][qi][h].version, rebuilt[1][qi][h].version);
    }
  }
}

}  // namespace
}  // namespace strata
