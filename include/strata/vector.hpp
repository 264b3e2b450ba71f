// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// The value types of the vector primitive: collections of fixed-dimension
// float vectors with JSON metadata, searched by similarity. The operations
// are methods of Database and Transaction (strata/database.hpp); the
// behaviour, limits and index are described in docs/vector.md.
//
// Thread safety: plain value types.
#ifndef STRATA_VECTOR_HPP_
#define STRATA_VECTOR_HPP_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/export.hpp"
#include "strata/types.hpp"
#include "strata/value.hpp"

namespace strata {

// --- Limits (see docs/vector.md).
inline constexpr uint32_t kMaxVectorDimension = 4096;
inline constexpr size_t kMaxCollectionNameBytes = 256;
inline constexpr size_t kMaxVectorMetadataBytes = 64 << 10;  // Encoded size.
inline constexpr uint32_t kMaxSearchK = 10000;
inline constexpr uint32_t kMaxFilterNodes = 256;
inline constexpr uint32_t kMaxFilterDepth = 16;
inline constexpr uint32_t kMaxFilterValues = 1024;  // Values in one In.

// How similar two vectors are. Every search score is a similarity: higher
// is more similar.
//   kCosine:     cos(a, b) in [-1, 1]. Zero vectors are refused.
//   kEuclidean:  1 / (1 + |a - b|) in (0, 1].
//   kDotProduct: a . b.
// The numeric values are stored on disk: never renumber.
enum class VectorMetric : uint8_t {
  kCosine = 1,
  kEuclidean = 2,
  kDotProduct = 3,
};

// "cosine", "euclidean", "dot".
STRATA_EXPORT std::string_view VectorMetricName(VectorMetric metric);
STRATA_EXPORT std::optional<VectorMetric> VectorMetricFromName(std::string_view name);

// How a collection is searched. A collection with fewer than
// `exact_threshold` live vectors is searched by an exact scan; above it an
// HNSW graph (hnswlib) is built and used. `m`, `ef_construction` and
// `ef_search` are HNSW's parameters (ef_search is the default for searches
// that do not set one).
struct VectorIndexOptions {
  uint32_t m = 16;                 // 2..100
  uint32_t ef_construction = 200;  // 1..10000
  uint32_t ef_search = 64;         // 1..10000
  uint32_t exact_threshold = 1000;  // 0..10,000,000

  friend bool operator==(const VectorIndexOptions&, const VectorIndexOptions&) = default;
};

struct CollectionSpec {
  std::string name;  // 1..kMaxCollectionNameBytes bytes, no NUL or '/'.
  uint32_t dimension = 0;  // 1..kMaxVectorDimension
  VectorMetric metric = VectorMetric::kCosine;
  VectorIndexOptions index;
};

struct CollectionInfo {
  std::string name;
  uint32_t dimension = 0;
  VectorMetric metric = VectorMetric::kCosine;
  VectorIndexOptions index;
  uint64_t count = 0;      // Live vectors in the reader's view.
  Version version = 0;     // The commit that created the collection.
};

// A stored vector: its components and its metadata (null when none, else
// a JSON object).
struct VectorEntry {
  std::vector<float> vector;
  Value metadata;
};

// One item of a batch upsert.
struct VectorItem {
  std::string key;
  std::vector<float> vector;
  Value metadata;
};

// A condition on a vector's metadata. `field` names a top-level member of
// the metadata object. Numbers compare by value (1 == 1.0); a vector whose
// metadata lacks the field never matches Eq, In or Range.
//   Eq:    the field equals values[0] (a null, bool, number or string).
//   In:    the field equals one of `values` (1..kMaxFilterValues of them).
//   Range: the field is a number within [lo, hi] (each bound optional,
//          exclusive when its *_inclusive flag is false).
//   And / Or: of `children` (at least one).
struct STRATA_EXPORT VectorFilter {
  enum class Op : uint8_t { kEq, kIn, kRange, kAnd, kOr };
  Op op = Op::kAnd;
  std::string field;
  std::vector<Value> values;
  std::optional<double> lo;
  std::optional<double> hi;
  bool lo_inclusive = true;
  bool hi_inclusive = true;
  std::vector<VectorFilter> children;

  static VectorFilter Eq(std::string field, Value value);
  static VectorFilter In(std::string field, std::vector<Value> values);
  static VectorFilter Range(std::string field, std::optional<double> lo,
                            std::optional<double> hi, bool lo_inclusive = true,
                            bool hi_inclusive = true);
  static VectorFilter And(std::vector<VectorFilter> children);
  static VectorFilter Or(std::vector<VectorFilter> children);
};

struct VectorSearchRequest {
  std::vector<float> query;  // The collection's dimension; finite components.
  uint32_t k = 10;           // 1..kMaxSearchK
  std::optional<VectorFilter> filter;
  uint32_t ef_search = 0;    // 0: the collection's default.
};

// A hit: the vector's key, its similarity to the query (see VectorMetric),
// its metadata and the version that wrote it.
struct VectorHit {
  std::string key;
  double score = 0;
  Value metadata;
  Version version = 0;
};

// Hits by descending score; equal scores by ascending key.
struct VectorSearchResult {
  std::vector<VectorHit> hits;
  bool exact = false;           // Answered by an exact scan, not by HNSW.
  uint64_t candidates = 0;      // Vectors scored.
};

}  // namespace strata

#endif  // STRATA_VECTOR_HPP_
