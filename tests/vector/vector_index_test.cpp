// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// VectorIndex on its own: searching stored records in place (the graph holds
// references into the records' shared bytes, not copies), records in the old
// unpadded format (searched from a copy), and entries that outlive the Value
// they were applied from.
#include "vector/index.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "strata/value.hpp"
#include "strata/vector.hpp"
#include "vector/record.hpp"

namespace strata::vector {
namespace {

CollectionSpec Spec(VectorMetric metric, uint32_t dimension, uint32_t exact_threshold) {
  CollectionSpec spec;
  spec.name = "c";
  spec.dimension = dimension;
  spec.metric = metric;
  spec.index.exact_threshold = exact_threshold;
  return spec;
}

// `record` re-written in format 1: no padding, so the components sit at
// offset 5 and cannot be read in place as floats.
Value FormatOne(const Value& record) {
  std::string bytes = record.AsBytes();
  bytes[0] = static_cast<char>(kRecordFormatV1);
  bytes.erase(1, kRecordHeaderBytes - 5);
  return Value::MakeBytes(std::move(bytes));
}

std::vector<float> RandomVector(std::mt19937_64* rng, uint32_t dimension) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> v(dimension);
  for (float& x : v) x = normal(*rng);
  return v;
}

std::vector<IndexHit> SearchAll(const VectorIndex& index, const std::vector<float>& q,
                                uint32_t k, Version snapshot, VectorSearchResult* stats) {
  VectorIndex::SearchParams p;
  p.query = q;
  p.k = k;
  p.snapshot = snapshot;
  std::vector<IndexHit> hits;
  const absl::Status s = index.Search(p, stats, &hits);
  EXPECT_TRUE(s.ok()) << s;
  return hits;
}

class VectorIndexMetricTest : public testing::TestWithParam<VectorMetric> {};

// Exact scans and the graph score every entry as Similarity does, for both
// record formats, after the Values handed to Apply are gone.
TEST_P(VectorIndexMetricTest, ScoresMatchSimilarityForBothRecordFormats) {
  const uint64_t seed = std::random_device{}();
  std::printf("seed=%llu\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  constexpr uint32_t kDim = 13;  // Not a multiple of 4 or 16: SIMD tails.
  constexpr int kCount = 300;
  for (uint32_t threshold : {1000u, 10u}) {  // Exact scan only; graph.
    VectorIndex index(Spec(GetParam(), kDim, threshold), 1);
    std::vector<std::vector<float>> vectors;
    for (int i = 0; i < kCount; ++i) {
      vectors.push_back(RandomVector(&rng, kDim));
      Value record = EncodeRecord(vectors.back(), Value(Value::Object{{"i", Value(i)}}));
      if (i % 2 == 1) record = FormatOne(record);
      index.Apply("k" + std::to_string(i), static_cast<Version>(i + 1), &record);
    }  // Each `record` is destroyed here; the index keeps its own reference.
    ASSERT_FALSE(index.broken());
    const std::vector<float> q = RandomVector(&rng, kDim);
    VectorSearchResult stats;
    const std::vector<IndexHit> hits = SearchAll(index, q, kCount, kCount, &stats);
    EXPECT_EQ(stats.exact, threshold > kCount);
    ASSERT_GT(hits.size(), 0u);
    for (const IndexHit& hit : hits) {
      const int i = std::stoi(hit.key.substr(1));
      EXPECT_NEAR(hit.score, Similarity(GetParam(), q, vectors[i]), 1e-4) << hit.key;
      EXPECT_EQ(hit.metadata, Value(Value::Object{{"i", Value(i)}})) << hit.key;
      EXPECT_EQ(hit.version, static_cast<Version>(i + 1));
    }
    if (stats.exact) {
      ASSERT_EQ(hits.size(), static_cast<size_t>(kCount));
      for (size_t j = 1; j < hits.size(); ++j) EXPECT_GE(hits[j - 1].score, hits[j].score);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Metrics, VectorIndexMetricTest,
                         testing::Values(VectorMetric::kCosine, VectorMetric::kEuclidean,
                                         VectorMetric::kDotProduct));

// Overwritten vectors stay searchable at old snapshots until collected, and
// the graph keeps working through a rebuild that drops collected entries
// (whose records are released only then).
TEST(VectorIndexTest, SupersededEntriesServeOldSnapshotsUntilCollected) {
  constexpr uint32_t kDim = 4;
  constexpr int kKeys = 1500;
  VectorIndex index(Spec(VectorMetric::kEuclidean, kDim, 10), 1);
  auto put = [&](int key, float x, Version version) {
    const std::vector<float> v{x, 0, 0, 0};
    const Value record = EncodeRecord(v, Value());
    index.Apply("k" + std::to_string(key), version, &record);
  };
  for (int i = 0; i < kKeys; ++i) put(i, static_cast<float>(i), static_cast<Version>(i + 1));
  const Version before = kKeys;
  // Every key moves far away.
  for (int i = 0; i < kKeys; ++i) {
    put(i, 1e6f + static_cast<float>(i), static_cast<Version>(kKeys + i + 1));
  }
  // The upper half is then deleted.
  for (int i = kKeys / 2; i < kKeys; ++i) {
    index.Apply("k" + std::to_string(i), static_cast<Version>(2 * kKeys + 1), nullptr);
  }
  const Version after = 2 * kKeys + 1;
  const std::vector<float> origin{0, 0, 0, 0};
  VectorSearchResult stats;
  std::vector<IndexHit> old_hits = SearchAll(index, origin, 3, before, &stats);
  ASSERT_EQ(old_hits.size(), 3u);
  EXPECT_EQ(old_hits[0].key, "k0");
  EXPECT_EQ(old_hits[0].version, 1u);
  std::vector<IndexHit> new_hits = SearchAll(index, origin, 1, after, &stats);
  ASSERT_EQ(new_hits.size(), 1u);
  EXPECT_EQ(new_hits[0].key, "k0");
  EXPECT_EQ(new_hits[0].version, static_cast<Version>(kKeys + 1));

  // No snapshot below `after` remains: the first versions and the deleted
  // ones are collected (most entries, so the graph is rebuilt without them).
  EXPECT_EQ(index.CountAt(before), static_cast<uint64_t>(kKeys));
  index.Collect(after);
  EXPECT_EQ(index.CountAt(after), static_cast<uint64_t>(kKeys / 2));
  EXPECT_EQ(index.CountAt(before), 0u);
  new_hits = SearchAll(index, origin, 2, after, &stats);
  ASSERT_EQ(new_hits.size(), 2u);
  EXPECT_EQ(new_hits[0].key, "k0");
  EXPECT_EQ(new_hits[1].key, "k1");
  EXPECT_NEAR(new_hits[0].score, 1.0 / (1.0 + 1e6), 1e-12);
}

}  // namespace
}  // namespace strata::vector
