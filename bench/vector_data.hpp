// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Vector data for the vector benchmark and tests: loaders for the public
// SIFT files in ../shared/data/sift (see ../shared/data/README.md), a
// deterministic synthetic clustered data set, exact (brute-force) k-nearest
// neighbours as ground truth, and recall@k.
//
// Header-only, standard library only (no hnswlib, GoogleTest or Google
// Benchmark), so tests can include it too. Loaders throw std::runtime_error
// with the file, line or vector number on missing or malformed input; the
// other functions do not throw except for std::bad_alloc and the documented
// std::invalid_argument. Thread safety: free functions over caller-owned
// data; safe to call concurrently.
#ifndef STRATA_BENCH_VECTOR_DATA_HPP_
#define STRATA_BENCH_VECTOR_DATA_HPP_

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_set>
#include <utility>
#include <vector>

namespace strata::bench {

// Components of a SIFT descriptor.
inline constexpr size_t kSiftDimension = 128;
// Largest dimension LoadFvecs accepts (a guard against reading garbage as a
// length; Strata's own limit is 4096 too).
inline constexpr size_t kMaxFvecsDimension = 4096;

// The public data directory: $STRATA_DATA_DIR when set and not empty, else
// the compile-time default STRATA_DATA_DIR_DEFAULT (the build passes
// "<source dir>/../shared/data"), else "" (the caller's paths then fail as
// missing files).
inline std::string DataDir() {
  const char* env = std::getenv("STRATA_DATA_DIR");
  if (env != nullptr && *env != '\0') return env;
#ifdef STRATA_DATA_DIR_DEFAULT
  return STRATA_DATA_DIR_DEFAULT;
#else
  return "";
#endif
}

// Reads a tab-separated file of vectors, one a line: the first
// kSiftDimension columns are the components, anything after them (the id
// column of sift-base-5k.tsv) is ignored. Blank lines are skipped. Throws
// std::runtime_error when the file cannot be opened, a line has fewer than
// kSiftDimension columns, or a component is not a finite number.
inline std::vector<std::vector<float>> LoadSiftTsv(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    throw std::runtime_error("LoadSiftTsv: cannot open '" + path +
                             "' (set STRATA_DATA_DIR to the directory holding sift/)");
  }
  std::vector<std::vector<float>> out;
  std::string line;
  size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    const auto fail = [&](const std::string& what) {
      return std::runtime_error("LoadSiftTsv: " + path + ":" + std::to_string(line_no) +
                                ": " + what);
    };
    std::vector<float> v;
    v.reserve(kSiftDimension);
    std::string_view rest(line);
    while (v.size() < kSiftDimension) {
      if (rest.empty()) {
        throw fail("expected " + std::to_string(kSiftDimension) + " columns, found " +
                   std::to_string(v.size()));
      }
      const size_t tab = rest.find('\t');
      std::string_view field = rest.substr(0, tab);
      rest = tab == std::string_view::npos ? std::string_view() : rest.substr(tab + 1);
      while (!field.empty() && field.front() == ' ') field.remove_prefix(1);
      while (!field.empty() && field.back() == ' ') field.remove_suffix(1);
      float x = 0;
      const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), x);
      if (field.empty() || ec != std::errc() || end != field.data() + field.size() ||
          !std::isfinite(x)) {
        throw fail("column " + std::to_string(v.size() + 1) + " is not a number: '" +
                   std::string(field) + "'");
      }
      v.push_back(x);
    }
    out.push_back(std::move(v));
  }
  if (in.bad()) throw std::runtime_error("LoadSiftTsv: read error on '" + path + "'");
  if (out.empty()) throw std::runtime_error("LoadSiftTsv: no vectors in '" + path + "'");
  return out;
}

// Reads an .fvecs file: per vector a little-endian int32 dimension, then
// that many little-endian float32 components. Throws std::runtime_error
// when the file cannot be opened or is empty, a dimension is outside
// 1..kMaxFvecsDimension or differs from the first vector's, the file ends
// inside a vector, or a component is not finite.
inline std::vector<std::vector<float>> LoadFvecs(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::runtime_error("LoadFvecs: cannot open '" + path +
                             "' (set STRATA_DATA_DIR to the directory holding sift/)");
  }
  const std::string bytes((std::istreambuf_iterator<char>(in)),
                          std::istreambuf_iterator<char>());
  if (in.bad()) throw std::runtime_error("LoadFvecs: read error on '" + path + "'");
  const auto le32 = [&](size_t at) {
    uint32_t x = 0;
    for (int b = 3; b >= 0; --b) {
      x = (x << 8) | static_cast<unsigned char>(bytes[at + static_cast<size_t>(b)]);
    }
    return x;
  };
  std::vector<std::vector<float>> out;
  size_t dim = 0;
  size_t at = 0;
  while (at < bytes.size()) {
    const auto fail = [&](const std::string& what) {
      return std::runtime_error("LoadFvecs: " + path + ": vector " +
                                std::to_string(out.size()) + " (byte " + std::to_string(at) +
                                "): " + what);
    };
    if (bytes.size() - at < 4) throw fail("truncated dimension field");
    const auto d = static_cast<int32_t>(le32(at));
    if (d <= 0 || static_cast<size_t>(d) > kMaxFvecsDimension) {
      throw fail("bad dimension " + std::to_string(d));
    }
    if (dim == 0) dim = static_cast<size_t>(d);
    if (static_cast<size_t>(d) != dim) {
      throw fail("dimension " + std::to_string(d) + " differs from the first vector's " +
                 std::to_string(dim));
    }
    at += 4;
    if (bytes.size() - at < dim * 4) throw fail("file ends inside the vector");
    std::vector<float> v(dim);
    for (size_t i = 0; i < dim; ++i, at += 4) {
      v[i] = std::bit_cast<float>(le32(at));
      if (!std::isfinite(v[i])) throw fail("component " + std::to_string(i) + " is not finite");
    }
    out.push_back(std::move(v));
  }
  if (out.empty()) throw std::runtime_error("LoadFvecs: no vectors in '" + path + "'");
  return out;
}

// --- Deterministic random numbers (the same stream on every platform, which
// std::normal_distribution does not promise).

// SplitMix64 (Steele, Lea, Flood 2014).
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in (0, 1): never 0, so log() below is finite.
  double Uniform() { return (static_cast<double>(Next() >> 11) + 0.5) * 0x1.0p-53; }
  // Standard normal (Box-Muller; the second value is discarded to keep the
  // stream simple).
  double Gaussian() {
    const double u1 = Uniform();
    const double u2 = Uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  }

 private:
  uint64_t state_;
};

// `n` vectors of `dim` components drawn from `clusters` isotropic Gaussian
// clusters: the centers have N(0, 1) components; a point picks a cluster
// uniformly at random and adds N(0, spread^2) noise to each component of its
// center, where each cluster has its own spread, uniform in [0.25, 0.5) of
// the centers' scale. The data therefore has real neighbourhood structure
// (points of a cluster are much closer to each other than to other
// clusters), which is what makes an HNSW graph meaningful; uniform random
// vectors in high dimension have nearly equal distances to everything.
// Deterministic for a given (n, dim, clusters, seed) on every platform; the
// first m points of a call with n >= m do not depend on n.
// Throws std::invalid_argument when dim or clusters is 0.
inline std::vector<std::vector<float>> SyntheticClustered(size_t n, size_t dim, size_t clusters,
                                                          uint64_t seed) {
  if (dim == 0 || clusters == 0) {
    throw std::invalid_argument("SyntheticClustered: dim and clusters must be positive");
  }
  SplitMix64 centers_rng(seed);
  std::vector<std::vector<float>> centers(clusters, std::vector<float>(dim));
  std::vector<double> spread(clusters);
  for (size_t c = 0; c < clusters; ++c) {
    for (float& x : centers[c]) x = static_cast<float>(centers_rng.Gaussian());
    spread[c] = 0.25 + 0.25 * centers_rng.Uniform();
  }
  // A second stream for the points, so the centers do not depend on n.
  SplitMix64 rng(seed ^ 0xD1B54A32D192ED03ull);
  std::vector<std::vector<float>> out(n, std::vector<float>(dim));
  for (size_t i = 0; i < n; ++i) {
    const size_t c = static_cast<size_t>(rng.Next() % clusters);
    for (size_t j = 0; j < dim; ++j) {
      out[i][j] = centers[c][j] + static_cast<float>(spread[c] * rng.Gaussian());
    }
  }
  return out;
}

// How exact search measures closeness; every Distance is "smaller is
// closer".
//   kL2:           squared Euclidean distance (hnswlib::L2Space).
//   kInnerProduct: 1 - a.b (hnswlib::InnerProductSpace).
//   kCosine:       1 - cos(a, b); a zero vector is at distance 1 from all.
enum class Metric { kL2, kInnerProduct, kCosine };

inline const char* MetricName(Metric m) {
  switch (m) {
    case Metric::kL2:
      return "l2";
    case Metric::kInnerProduct:
      return "inner_product";
    case Metric::kCosine:
      return "cosine";
  }
  return "?";
}

// The distance between a and b (`dim` components each) under `m`,
// accumulated in double so ground truth does not depend on summation order
// rounding the way float kernels do.
inline double Distance(Metric m, const float* a, const float* b, size_t dim) {
  switch (m) {
    case Metric::kL2: {
      double sum = 0;
      for (size_t i = 0; i < dim; ++i) {
        const double d = static_cast<double>(a[i]) - static_cast<double>(b[i]);
        sum += d * d;
      }
      return sum;
    }
    case Metric::kInnerProduct: {
      double dot = 0;
      for (size_t i = 0; i < dim; ++i) dot += static_cast<double>(a[i]) * b[i];
      return 1.0 - dot;
    }
    case Metric::kCosine: {
      double dot = 0;
      double aa = 0;
      double bb = 0;
      for (size_t i = 0; i < dim; ++i) {
        dot += static_cast<double>(a[i]) * b[i];
        aa += static_cast<double>(a[i]) * a[i];
        bb += static_cast<double>(b[i]) * b[i];
      }
      if (aa == 0 || bb == 0) return 1.0;
      return 1.0 - dot / (std::sqrt(aa) * std::sqrt(bb));
    }
  }
  return std::numeric_limits<double>::infinity();
}

// Scales v to unit length (left alone when it is the zero vector). Cosine
// similarity equals the inner product of normalized vectors.
inline void Normalize(std::vector<float>& v) {
  double sum = 0;
  for (float x : v) sum += static_cast<double>(x) * x;
  if (sum == 0) return;
  const double inv = 1.0 / std::sqrt(sum);
  for (float& x : v) x = static_cast<float>(x * inv);
}

// The indexes of the k vectors of `base` closest to `q` under `m`, closest
// first; equal distances are ordered by ascending index. When `subset` is
// given only those indexes of `base` are candidates (out of range ones are
// ignored). Returns fewer than k when there are fewer candidates. Vectors of
// another dimension than q are skipped.
// REQUIRES: `subset` holds no index twice.
inline std::vector<uint32_t> ExactTopK(const std::vector<std::vector<float>>& base,
                                       const std::vector<float>& q, size_t k, Metric m,
                                       const std::vector<uint32_t>* subset = nullptr) {
  using Item = std::pair<double, uint32_t>;  // (distance, index): lexicographic.
  std::vector<Item> heap;  // Max-heap of the best k so far.
  if (k == 0) return {};
  heap.reserve(k + 1);
  const auto consider = [&](uint32_t i) {
    if (i >= base.size() || base[i].size() != q.size()) return;
    const Item item(Distance(m, q.data(), base[i].data(), q.size()), i);
    if (heap.size() < k) {
      heap.push_back(item);
      std::push_heap(heap.begin(), heap.end());
    } else if (item < heap.front()) {
      std::pop_heap(heap.begin(), heap.end());
      heap.back() = item;
      std::push_heap(heap.begin(), heap.end());
    }
  };
  if (subset != nullptr) {
    for (uint32_t i : *subset) consider(i);
  } else {
    for (size_t i = 0; i < base.size(); ++i) consider(static_cast<uint32_t>(i));
  }
  std::sort_heap(heap.begin(), heap.end());
  std::vector<uint32_t> out;
  out.reserve(heap.size());
  for (const Item& item : heap) out.push_back(item.second);
  return out;
}

// The fraction of `truth` found among the first truth.size() entries of
// `found` (duplicates in found count once). 1.0 when truth is empty.
inline double RecallAtK(const std::vector<uint32_t>& found, const std::vector<uint32_t>& truth) {
  if (truth.empty()) return 1.0;
  const std::unordered_set<uint32_t> want(truth.begin(), truth.end());
  std::unordered_set<uint32_t> hit;
  const size_t limit = std::min(found.size(), truth.size());
  for (size_t i = 0; i < limit; ++i) {
    if (want.count(found[i]) != 0) hit.insert(found[i]);
  }
  return static_cast<double>(hit.size()) / static_cast<double>(want.size());
}

}  // namespace strata::bench

#endif  // STRATA_BENCH_VECTOR_DATA_HPP_
