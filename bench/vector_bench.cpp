// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Vector collections, one thread, against raw hnswlib (the library Strata's
// index wraps) and an exact scan, measured in this process on the same data
// with the same HNSW parameters (M = 16, ef_construction = 200, the same
// ef_search on both sides, k = 10). Two data sets; <Set> in the names below:
//
//   Sift       the 5,000 SIFT descriptors of ../shared/data/sift (128-d,
//              Euclidean: hnswlib::L2Space, Strata kEuclidean) and the 100
//              siftsmall queries.
//   Synthetic  100,000 x 384 points from 100 Gaussian clusters (seed
//              kSyntheticSeed), normalized, cosine (hnswlib::InnerProductSpace
//              on the normalized vectors, Strata kCosine); the queries are 100
//              more points of the same distribution. $STRATA_VECTOR_BENCH_N
//              sets the number of points for quick runs.
//
// Ground truth is the exact top 10 by brute force (strata::bench::ExactTopK).
// Indexes are built once per process, lazily, by whichever benchmark needs
// them first; the build is timed then, and the insert benchmarks report that
// timing (manual time, one iteration), so repetitions repeat the figure of
// the one build instead of rebuilding.
//
//   BM_HnswlibInsert_<Set>        hnswlib addPoint of every vector. Counters:
//                                 heap_bytes (index), heap_bytes_per_vector.
//   BM_StrataInsert_<Set>         VectorUpsert of every vector, one commit each
//                                 (keys "v000000", ...), into an InMemory
//                                 database. heap_bytes is the whole database
//                                 (stored vectors, keys, index). Ratios:
//                                 strata_insert_over_hnswlib,
//                                 strata_mem_over_hnswlib.
//   BM_StrataInsertBatch_<Set>    VectorUpsertBatch of 1,000 vectors a commit.
//                                 strata_batch_insert_over_hnswlib,
//                                 strata_batch_mem_over_hnswlib.
//   BM_HnswlibSearch_<Set>/E      searchKnn(k = 10) with ef = E, cycling over
//                                 the queries. recall_at_10.
//   BM_StrataSearch_<Set>/E       VectorSearch(k = 10, ef_search = E).
//                                 recall_at_10, hnswlib_recall_at_10,
//                                 strata_qps, hnswlib_qps (the same number of
//                                 queries, timed right after) and
//                                 strata_qps_over_hnswlib, exact_fraction.
//   BM_ExactScanFiltered_<Set>/P  the filtered anchor: for each query, the
//                                 distance (hnswlib's fstdistfunc) to every
//                                 vector, keeping the best 10 whose bucket
//                                 passes the filter. P is the selectivity in
//                                 percent: 1 (bucket == 7), 10 (bucket < 10),
//                                 50 (bucket < 50).
//   BM_StrataFilteredSearch_<Set>/P
//                                 VectorSearch with VectorFilter::Eq("bucket",
//                                 7) or Range(bucket < P) on a collection whose
//                                 vector i has metadata {"bucket": i % 100}
//                                 (a separate database, loaded by batches),
//                                 ef_search 64. recall_at_10 against the exact
//                                 top 10 of the matching vectors;
//                                 strata_qps_over_scan (the anchor above) and
//                                 strata_qps_over_prefilter_scan (a stronger
//                                 anchor that tests the bucket before
//                                 computing a distance), exact_fraction,
//                                 candidates_per_query.
//
// Memory is the change in glibc's heap in use (mallinfo2: uordblks + hblkhd)
// across a build, so it counts what the build allocated and still holds.
//
// A full run builds three Strata databases and one hnswlib index of the
// synthetic set (minutes on one core); STRATA_VECTOR_BENCH_N=20000 makes it
// quick. $STRATA_DATA_DIR overrides the data directory.

#include <malloc.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
// Debian's hnswlib.h defines non-inline functions (cpuid, xgetbv,
// AVXCapable, AVX512Capable): include it in this translation unit only.
#include "hnswlib/hnswlib.h"
#include "strata/strata.hpp"
#include "lazy_build.hpp"
#include "vector_data.hpp"

namespace {

using strata::bench::ExactTopK;
using strata::bench::Metric;
using strata::bench::RecallAtK;

constexpr char kRun[] = "bench-run";
constexpr char kCollection[] = "vectors";

// HNSW parameters, the same on both sides.
constexpr uint32_t kM = 16;
constexpr uint32_t kEfConstruction = 200;
constexpr size_t kK = 10;
constexpr int kEfSweep[] = {10, 20, 40, 80, 160, 320};
// ef_search of the filtered searches (Strata's default).
constexpr uint32_t kFilterEfSearch = 64;

constexpr size_t kBatchSize = 1000;
constexpr uint32_t kBuckets = 100;
constexpr int kSelectivityPercent[] = {1, 10, 50};
// The bucket the 1% filter asks for.
constexpr uint32_t kEqBucket = 7;

constexpr size_t kSyntheticDefaultN = 100000;
constexpr size_t kSyntheticDimension = 384;
constexpr size_t kSyntheticClusters = 100;
constexpr size_t kSyntheticQueries = 100;
constexpr uint64_t kSyntheticSeed = 0x5354524154413031ull;  // "STRATA01"

// Searches measured inside a Strata benchmark for its anchor stop after this
// long even when fewer than the Strata side's count ran.
constexpr double kAnchorMaxSeconds = 0.5;

enum DataSetId : int { kSift = 0, kSynthetic = 1, kDataSetCount = 2 };

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Heap bytes in use. uordblks alone misses chunks glibc serves with mmap
// (128 KiB and up at first, such as hnswlib's level-0 array), which hblkhd
// counts; the sum is everything malloc has handed out and not taken back.
int64_t HeapInUse() {
  const struct mallinfo2 m = mallinfo2();
  return static_cast<int64_t>(m.uordblks + m.hblkhd);
}

std::string Key(size_t i) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "v%06zu", i);
  return buf;
}

// The index of key "v%06d", or UINT32_MAX for a key of another shape.
uint32_t KeyIndex(std::string_view key) {
  uint32_t i = 0;
  if (key.size() < 2 || key[0] != 'v') return UINT32_MAX;
  const auto [end, ec] = std::from_chars(key.data() + 1, key.data() + key.size(), i);
  return ec == std::errc() && end == key.data() + key.size() ? i : UINT32_MAX;
}

strata::Value Metadata(size_t i) {
  return strata::Value(strata::Value::Object{{"bucket", strata::Value(i % kBuckets)}});
}

// --- Data sets (loaded once).

struct DataSet {
  std::string name;
  Metric metric = Metric::kL2;
  strata::VectorMetric strata_metric = strata::VectorMetric::kEuclidean;
  size_t dim = 0;
  std::vector<std::vector<float>> base;
  std::vector<std::vector<float>> queries;
  std::vector<std::vector<uint32_t>> truth;  // Exact top kK per query.
  // The distance hnswlib uses (and the exact-scan anchor too).
  std::unique_ptr<hnswlib::SpaceInterface<float>> space;
  std::string error;  // Not empty: the data set could not be made.
};

size_t SyntheticN(std::string* error) {
  const char* env = std::getenv("STRATA_VECTOR_BENCH_N");
  if (env == nullptr || *env == '\0') return kSyntheticDefaultN;
  size_t n = 0;
  const std::string_view text(env);
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n < kK || n > 1000000) {
    *error = absl::StrCat("STRATA_VECTOR_BENCH_N='", env, "': want an integer in [",
                          kK, ", 1000000]");
    return 0;
  }
  return n;
}

std::unique_ptr<DataSet> MakeDataSet(int id) {
  auto ds = std::make_unique<DataSet>();
  try {
    if (id == kSift) {
      ds->name = "Sift";
      ds->metric = Metric::kL2;
      ds->strata_metric = strata::VectorMetric::kEuclidean;
      const std::string dir = strata::bench::DataDir() + "/sift/";
      ds->base = strata::bench::LoadSiftTsv(dir + "sift-base-5k.tsv");
      ds->queries = strata::bench::LoadFvecs(dir + "siftsmall-query.fvecs");
      ds->dim = strata::bench::kSiftDimension;
      if (ds->queries.front().size() != ds->dim) {
        ds->error = absl::StrCat("siftsmall-query.fvecs has dimension ",
                                 ds->queries.front().size(), ", want ", ds->dim);
        return ds;
      }
      ds->space = std::make_unique<hnswlib::L2Space>(ds->dim);
    } else {
      ds->name = "Synthetic";
      ds->metric = Metric::kCosine;
      ds->strata_metric = strata::VectorMetric::kCosine;
      ds->dim = kSyntheticDimension;
      const size_t n = SyntheticN(&ds->error);
      if (!ds->error.empty()) return ds;
      // The queries are the last kSyntheticQueries points of one draw.
      ds->base = strata::bench::SyntheticClustered(n + kSyntheticQueries, ds->dim,
                                                   kSyntheticClusters, kSyntheticSeed);
      for (auto& v : ds->base) strata::bench::Normalize(v);
      ds->queries.assign(ds->base.end() - kSyntheticQueries, ds->base.end());
      ds->base.resize(n);
      // Cosine of normalized vectors = inner product.
      ds->space = std::make_unique<hnswlib::InnerProductSpace>(ds->dim);
    }
    for (const auto& q : ds->queries) ds->truth.push_back(ExactTopK(ds->base, q, kK, ds->metric));
  } catch (const std::exception& e) {
    ds->error = e.what();
  }
  return ds;
}

const DataSet* GetDataSet(benchmark::State& state, int id) {
  static std::unique_ptr<DataSet> sets[kDataSetCount];
  return strata::bench::LazyBuild(state, sets[id], [id] { return MakeDataSet(id); });
}

// --- The raw hnswlib anchor (built once per data set).

struct HnswAnchor {
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> index;
  double insert_seconds = 0;
  int64_t heap_bytes = 0;
  std::string error;
};

std::unique_ptr<HnswAnchor> BuildHnsw(const DataSet& ds) {
  auto a = std::make_unique<HnswAnchor>();
  try {
    const int64_t heap_before = HeapInUse();
    const double start = Now();
    a->index = std::make_unique<hnswlib::HierarchicalNSW<float>>(ds.space.get(), ds.base.size(),
                                                                 kM, kEfConstruction);
    for (size_t i = 0; i < ds.base.size(); ++i) a->index->addPoint(ds.base[i].data(), i);
    a->insert_seconds = Now() - start;
    a->heap_bytes = HeapInUse() - heap_before;
  } catch (const std::exception& e) {
    a->error = absl::StrCat("hnswlib: ", e.what());
  }
  return a;
}

HnswAnchor* GetHnsw(benchmark::State& state, int id, const DataSet& ds) {
  static std::unique_ptr<HnswAnchor> anchors[kDataSetCount];
  return strata::bench::LazyBuild(state, anchors[id], [&] { return BuildHnsw(ds); });
}

// The ids of the k nearest by hnswlib, nearest first.
std::vector<uint32_t> HnswSearch(const HnswAnchor& a, const float* q) {
  auto result = a.index->searchKnn(q, kK);
  std::vector<uint32_t> out(result.size());
  for (size_t i = out.size(); i > 0; --i) {
    out[i - 1] = static_cast<uint32_t>(result.top().second);
    result.pop();
  }
  return out;
}

double HnswRecall(const HnswAnchor& a, const DataSet& ds) {
  double sum = 0;
  for (size_t i = 0; i < ds.queries.size(); ++i) {
    sum += RecallAtK(HnswSearch(a, ds.queries[i].data()), ds.truth[i]);
  }
  return sum / static_cast<double>(ds.queries.size());
}

// Queries per second of `one_query(i)` for i = 0, 1, ... (the caller cycles
// over its queries) run `count` times, or fewer once kAnchorMaxSeconds have
// passed (at least once).
double MeasureQps(const std::function<void(size_t)>& one_query, int64_t count) {
  const double start = Now();
  double elapsed = 0;
  int64_t done = 0;
  while (done < std::max<int64_t>(count, 1)) {
    one_query(static_cast<size_t>(done++));
    elapsed = Now() - start;
    if (elapsed >= kAnchorMaxSeconds) break;
  }
  return elapsed > 0 ? static_cast<double>(done) / elapsed : 0;
}

// --- Strata (an InMemory database with one collection).

struct StrataSide {
  std::unique_ptr<strata::Database> db;
  double insert_seconds = 0;
  int64_t heap_bytes = 0;
  std::string error;
};

enum class Load { kOneByOne, kBatches, kBatchesWithMetadata };

template <typename T>
std::string StatusText(const absl::StatusOr<T>& r, const std::string& what) {
  return absl::StrCat("Strata ", what, ": ", r.status().ToString());
}

std::unique_ptr<StrataSide> BuildStrata(const DataSet& ds, Load load) {
  auto s = std::make_unique<StrataSide>();
  const int64_t heap_before = HeapInUse();
  auto db = strata::Database::OpenInMemory(strata::Options{});
  if (!db.ok()) {
    s->error = StatusText(db, "OpenInMemory");
    return s;
  }
  s->db = *std::move(db);
  if (auto r = s->db->CreateRun(kRun); !r.ok()) {
    s->error = StatusText(r, "CreateRun");
    return s;
  }
  strata::CollectionSpec spec;
  spec.name = kCollection;
  spec.dimension = static_cast<uint32_t>(ds.dim);
  spec.metric = ds.strata_metric;
  spec.index.m = kM;
  spec.index.ef_construction = kEfConstruction;
  if (load == Load::kBatchesWithMetadata) spec.index.ef_search = kFilterEfSearch;
  if (auto r = s->db->CreateCollection(kRun, spec); !r.ok()) {
    s->error = StatusText(r, "CreateCollection");
    return s;
  }
  const size_t n = ds.base.size();
  const double start = Now();  // Times the inserts only.
  if (load == Load::kOneByOne) {
    for (size_t i = 0; i < n; ++i) {
      if (auto r = s->db->VectorUpsert(kRun, kCollection, Key(i), ds.base[i]); !r.ok()) {
        s->error = StatusText(r, absl::StrCat("VectorUpsert #", i));
        return s;
      }
    }
  } else {
    for (size_t begin = 0; begin < n; begin += kBatchSize) {
      const size_t end = std::min(n, begin + kBatchSize);
      std::vector<strata::VectorItem> items;
      items.reserve(end - begin);
      for (size_t i = begin; i < end; ++i) {
        items.push_back(strata::VectorItem{
            Key(i), ds.base[i],
            load == Load::kBatchesWithMetadata ? Metadata(i) : strata::Value()});
      }
      if (auto r = s->db->VectorUpsertBatch(kRun, kCollection, std::move(items)); !r.ok()) {
        s->error = StatusText(r, absl::StrCat("VectorUpsertBatch at #", begin));
        return s;
      }
    }
  }
  s->insert_seconds = Now() - start;
  s->heap_bytes = HeapInUse() - heap_before;
  return s;
}

// Built once per (data set, load). The kBatches database is only measured:
// BM_StrataInsertBatch drops it afterwards (ReleaseStrata) to save memory.
std::unique_ptr<StrataSide>& StrataSlot(int id, Load load) {
  static std::unique_ptr<StrataSide> sides[kDataSetCount][3];
  return sides[id][static_cast<int>(load)];
}

StrataSide* GetStrata(benchmark::State& state, int id, const DataSet& ds, Load load) {
  return strata::bench::LazyBuild(state, StrataSlot(id, load),
                                  [&] { return BuildStrata(ds, load); });
}

void ReleaseStrata(int id, Load load) {
  auto& slot = StrataSlot(id, load);
  if (slot != nullptr) slot->db.reset();
}

// One request per query.
std::vector<strata::VectorSearchRequest> Requests(const DataSet& ds, uint32_t ef_search,
                                                  const std::optional<strata::VectorFilter>& f) {
  std::vector<strata::VectorSearchRequest> out(ds.queries.size());
  for (size_t i = 0; i < out.size(); ++i) {
    out[i].query = ds.queries[i];
    out[i].k = kK;
    out[i].ef_search = ef_search;
    out[i].filter = f;
  }
  return out;
}

struct StrataQuality {
  double recall = 0;
  double exact_fraction = 0;
  double candidates_per_query = 0;
  std::string error;
};

// Runs every request once and compares with `truth`.
StrataQuality MeasureStrata(strata::Database& db,
                            const std::vector<strata::VectorSearchRequest>& requests,
                            const std::vector<std::vector<uint32_t>>& truth) {
  StrataQuality q;
  for (size_t i = 0; i < requests.size(); ++i) {
    auto r = db.VectorSearch(kRun, kCollection, requests[i]);
    if (!r.ok()) {
      q.error = StatusText(r, "VectorSearch");
      return q;
    }
    std::vector<uint32_t> found;
    for (const auto& hit : r->hits) found.push_back(KeyIndex(hit.key));
    q.recall += RecallAtK(found, truth[i]);
    q.exact_fraction += r->exact ? 1 : 0;
    q.candidates_per_query += static_cast<double>(r->candidates);
  }
  const auto count = static_cast<double>(requests.size());
  q.recall /= count;
  q.exact_fraction /= count;
  q.candidates_per_query /= count;
  return q;
}

// --- Filters: selectivity P percent of the vectors, by bucket = i % 100.

bool BucketMatches(int percent, uint32_t bucket) {
  return percent == 1 ? bucket == kEqBucket : bucket < static_cast<uint32_t>(percent);
}

strata::VectorFilter StrataFilter(int percent) {
  if (percent == 1) return strata::VectorFilter::Eq("bucket", strata::Value(kEqBucket));
  return strata::VectorFilter::Range("bucket", std::nullopt, static_cast<double>(percent),
                                     /*lo_inclusive=*/true, /*hi_inclusive=*/false);
}

// The exact top kK among the vectors matching the filter, per query.
const std::vector<std::vector<uint32_t>>& FilteredTruth(int id, const DataSet& ds,
                                                        int percent) {
  static std::vector<std::vector<uint32_t>> truth[kDataSetCount][101];
  auto& t = truth[id][percent];
  if (t.empty()) {
    std::vector<uint32_t> subset;
    for (size_t i = 0; i < ds.base.size(); ++i) {
      if (BucketMatches(percent, static_cast<uint32_t>(i % kBuckets))) {
        subset.push_back(static_cast<uint32_t>(i));
      }
    }
    for (const auto& q : ds.queries) t.push_back(ExactTopK(ds.base, q, kK, ds.metric, &subset));
  }
  return t;
}

// The exact-scan anchor: the distance (hnswlib's kernel) from q to every
// vector, keeping the best kK whose bucket passes the filter. With
// `filter_first` the bucket is tested before the distance is computed.
std::vector<uint32_t> ScanFiltered(const DataSet& ds, const float* q, int percent,
                                   bool filter_first) {
  const hnswlib::DISTFUNC<float> dist = ds.space->get_dist_func();
  void* param = ds.space->get_dist_func_param();
  using Item = std::pair<float, uint32_t>;
  Item best[kK + 1];
  size_t size = 0;
  for (size_t i = 0; i < ds.base.size(); ++i) {
    const auto bucket = static_cast<uint32_t>(i % kBuckets);
    if (filter_first && !BucketMatches(percent, bucket)) continue;
    const float d = dist(q, ds.base[i].data(), param);
    if (!filter_first && !BucketMatches(percent, bucket)) continue;
    const Item item(d, static_cast<uint32_t>(i));
    if (size == kK && !(item < best[0])) continue;
    best[size++] = item;
    std::push_heap(best, best + size);
    if (size > kK) std::pop_heap(best, best + size--);
  }
  std::sort_heap(best, best + size);
  std::vector<uint32_t> out(size);
  for (size_t i = 0; i < size; ++i) out[i] = best[i].second;
  return out;
}

// --- Benchmarks.

void BM_HnswlibInsert(benchmark::State& state, int id) {
  const DataSet* ds = GetDataSet(state, id);
  if (ds == nullptr) return;
  const HnswAnchor* a = GetHnsw(state, id, *ds);
  if (a == nullptr) return;
  for (auto _ : state) state.SetIterationTime(a->insert_seconds);
  const auto n = static_cast<double>(ds->base.size());
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(ds->base.size()));
  state.counters["vectors"] = n;
  state.counters["heap_bytes"] = static_cast<double>(a->heap_bytes);
  state.counters["heap_bytes_per_vector"] = static_cast<double>(a->heap_bytes) / n;
  state.counters["vector_bytes"] = n * static_cast<double>(ds->dim * sizeof(float));
}

void StrataInsert(benchmark::State& state, int id, Load load) {
  const DataSet* ds = GetDataSet(state, id);
  if (ds == nullptr) return;
  const HnswAnchor* a = GetHnsw(state, id, *ds);
  if (a == nullptr) return;
  const StrataSide* s = GetStrata(state, id, *ds, load);
  if (s == nullptr) return;
  for (auto _ : state) state.SetIterationTime(s->insert_seconds);
  const auto n = static_cast<double>(ds->base.size());
  const char* prefix = load == Load::kOneByOne ? "strata" : "strata_batch";
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(ds->base.size()));
  state.counters["vectors"] = n;
  state.counters["heap_bytes"] = static_cast<double>(s->heap_bytes);
  state.counters["heap_bytes_per_vector"] = static_cast<double>(s->heap_bytes) / n;
  state.counters["hnswlib_heap_bytes"] = static_cast<double>(a->heap_bytes);
  state.counters["hnswlib_insert_per_s"] = n / a->insert_seconds;
  state.counters[absl::StrCat(prefix, "_insert_over_hnswlib")] =
      a->insert_seconds / s->insert_seconds;
  state.counters[absl::StrCat(prefix, "_mem_over_hnswlib")] =
      static_cast<double>(s->heap_bytes) / static_cast<double>(a->heap_bytes);
}

void BM_StrataInsert(benchmark::State& state, int id) { StrataInsert(state, id, Load::kOneByOne); }

void BM_StrataInsertBatch(benchmark::State& state, int id) {
  StrataInsert(state, id, Load::kBatches);
  ReleaseStrata(id, Load::kBatches);
}

void BM_HnswlibSearch(benchmark::State& state, int id) {
  const DataSet* ds = GetDataSet(state, id);
  if (ds == nullptr) return;
  HnswAnchor* a = GetHnsw(state, id, *ds);
  if (a == nullptr) return;
  a->index->setEf(static_cast<size_t>(state.range(0)));
  const double recall = HnswRecall(*a, *ds);
  const size_t nq = ds->queries.size();
  size_t i = 0;
  for (auto _ : state) {
    auto result = a->index->searchKnn(ds->queries[i++ % nq].data(), kK);
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["recall_at_10"] = recall;
}

// Runs the benchmark loop over `requests` (cycling) and returns its wall
// time in seconds, or -1 after SkipWithError when a search fails.
double TimeSearches(benchmark::State& state, strata::Database& db,
                    const std::vector<strata::VectorSearchRequest>& requests) {
  size_t i = 0;
  const double start = Now();
  for (auto _ : state) {
    auto r = db.VectorSearch(kRun, kCollection, requests[i++ % requests.size()]);
    if (!r.ok()) {
      state.SkipWithError(StatusText(r, "VectorSearch").c_str());
      return -1;
    }
    benchmark::DoNotOptimize(r->hits.data());
  }
  const double seconds = Now() - start;
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  return seconds;
}

void BM_StrataSearch(benchmark::State& state, int id) {
  const DataSet* ds = GetDataSet(state, id);
  if (ds == nullptr) return;
  HnswAnchor* a = GetHnsw(state, id, *ds);
  if (a == nullptr) return;
  StrataSide* s = GetStrata(state, id, *ds, Load::kOneByOne);
  if (s == nullptr) return;
  const auto ef = static_cast<uint32_t>(state.range(0));
  const auto requests = Requests(*ds, ef, std::nullopt);
  const StrataQuality quality = MeasureStrata(*s->db, requests, ds->truth);
  if (!quality.error.empty()) {
    state.SkipWithError(quality.error.c_str());
    return;
  }
  const size_t nq = requests.size();
  const double strata_seconds = TimeSearches(state, *s->db, requests);
  if (strata_seconds < 0) return;

  // The anchor, same queries, same ef, right after.
  a->index->setEf(ef);
  const double hnswlib_recall = HnswRecall(*a, *ds);
  const double hnswlib_qps = MeasureQps(
      [&](size_t j) {
        auto result = a->index->searchKnn(ds->queries[j % nq].data(), kK);
        benchmark::DoNotOptimize(result);
      },
      static_cast<int64_t>(state.iterations()));
  const double strata_qps =
      strata_seconds > 0 ? static_cast<double>(state.iterations()) / strata_seconds : 0;
  state.counters["recall_at_10"] = quality.recall;
  state.counters["hnswlib_recall_at_10"] = hnswlib_recall;
  state.counters["strata_qps"] = strata_qps;
  state.counters["hnswlib_qps"] = hnswlib_qps;
  state.counters["strata_qps_over_hnswlib"] = hnswlib_qps > 0 ? strata_qps / hnswlib_qps : 0;
  state.counters["exact_fraction"] = quality.exact_fraction;
}

void BM_ExactScanFiltered(benchmark::State& state, int id) {
  const DataSet* ds = GetDataSet(state, id);
  if (ds == nullptr) return;
  const int percent = static_cast<int>(state.range(0));
  const auto& truth = FilteredTruth(id, *ds, percent);
  double recall = 0;
  for (size_t q = 0; q < ds->queries.size(); ++q) {
    recall += RecallAtK(ScanFiltered(*ds, ds->queries[q].data(), percent, false), truth[q]);
  }
  const size_t nq = ds->queries.size();
  size_t i = 0;
  for (auto _ : state) {
    auto hits = ScanFiltered(*ds, ds->queries[i++ % nq].data(), percent, false);
    benchmark::DoNotOptimize(hits.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["recall_at_10"] = recall / static_cast<double>(nq);
}

void BM_StrataFilteredSearch(benchmark::State& state, int id) {
  const DataSet* ds = GetDataSet(state, id);
  if (ds == nullptr) return;
  StrataSide* s = GetStrata(state, id, *ds, Load::kBatchesWithMetadata);
  if (s == nullptr) return;
  const int percent = static_cast<int>(state.range(0));
  const auto& truth = FilteredTruth(id, *ds, percent);
  const auto requests = Requests(*ds, kFilterEfSearch, StrataFilter(percent));
  const StrataQuality quality = MeasureStrata(*s->db, requests, truth);
  if (!quality.error.empty()) {
    state.SkipWithError(quality.error.c_str());
    return;
  }
  const size_t nq = requests.size();
  const double strata_seconds = TimeSearches(state, *s->db, requests);
  if (strata_seconds < 0) return;

  const auto scan_qps = [&](bool filter_first) {
    return MeasureQps(
        [&](size_t j) {
          auto hits = ScanFiltered(*ds, ds->queries[j % nq].data(), percent, filter_first);
          benchmark::DoNotOptimize(hits.data());
        },
        static_cast<int64_t>(state.iterations()));
  };
  const double scan = scan_qps(false);
  const double prefilter_scan = scan_qps(true);
  const double strata_qps =
      strata_seconds > 0 ? static_cast<double>(state.iterations()) / strata_seconds : 0;
  state.counters["recall_at_10"] = quality.recall;
  state.counters["strata_qps"] = strata_qps;
  state.counters["scan_qps"] = scan;
  state.counters["prefilter_scan_qps"] = prefilter_scan;
  state.counters["strata_qps_over_scan"] = scan > 0 ? strata_qps / scan : 0;
  state.counters["strata_qps_over_prefilter_scan"] =
      prefilter_scan > 0 ? strata_qps / prefilter_scan : 0;
  state.counters["exact_fraction"] = quality.exact_fraction;
  state.counters["candidates_per_query"] = quality.candidates_per_query;
}

void RegisterAll() {
  for (int id : {kSift, kSynthetic}) {
    const std::string set = id == kSift ? "Sift" : "Synthetic";
    const auto name = [&](const char* bm) { return absl::StrCat(bm, "_", set); };
    // Registration order is the run order: the insert benchmarks build (and
    // time) the indexes the search benchmarks use.
    benchmark::RegisterBenchmark(name("BM_HnswlibInsert").c_str(), BM_HnswlibInsert, id)
        ->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(name("BM_StrataInsert").c_str(), BM_StrataInsert, id)
        ->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(name("BM_StrataInsertBatch").c_str(), BM_StrataInsertBatch, id)
        ->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
    auto* hnsw = benchmark::RegisterBenchmark(name("BM_HnswlibSearch").c_str(),
                                              BM_HnswlibSearch, id);
    auto* strata = benchmark::RegisterBenchmark(name("BM_StrataSearch").c_str(),
                                                BM_StrataSearch, id);
    for (int ef : kEfSweep) {
      hnsw->Arg(ef);
      strata->Arg(ef);
    }
    hnsw->MinTime(0.5)->UseRealTime()->Unit(benchmark::kMicrosecond);
    strata->MinTime(0.5)->UseRealTime()->Unit(benchmark::kMicrosecond);
    auto* scan = benchmark::RegisterBenchmark(name("BM_ExactScanFiltered").c_str(),
                                              BM_ExactScanFiltered, id);
    auto* filtered = benchmark::RegisterBenchmark(name("BM_StrataFilteredSearch").c_str(),
                                                  BM_StrataFilteredSearch, id);
    for (int percent : kSelectivityPercent) {
      scan->Arg(percent);
      filtered->Arg(percent);
    }
    scan->MinTime(0.5)->UseRealTime()->Unit(benchmark::kMicrosecond);
    filtered->MinTime(0.5)->UseRealTime()->Unit(benchmark::kMicrosecond);
  }
}

}  // namespace

int main(int argc, char** argv) {
  RegisterAll();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  std::string error;
  const size_t n = SyntheticN(&error);
  benchmark::AddCustomContext("strata_data_dir", strata::bench::DataDir());
  benchmark::AddCustomContext(
      "synthetic_set",
      error.empty() ? absl::StrCat(n, " x ", kSyntheticDimension, ", ", kSyntheticClusters,
                                   " clusters, seed ", kSyntheticSeed, ", ", kSyntheticQueries,
                                   " queries")
                    : error);
  benchmark::AddCustomContext(
      "hnsw", absl::StrCat("M=", kM, " ef_construction=", kEfConstruction, " k=", kK,
                           " filtered ef_search=", kFilterEfSearch));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
