// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
#include "vector/index.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <exception>
#include <limits>
#include <queue>

#include "absl/strings/str_cat.h"
#include "strata/status.hpp"
#include "util/status_macros.hpp"

// Debian's hnswlib 0.6.2 defines CPU-feature helpers and distance-function
// pointers in its header without `inline`. Renaming its namespace and those
// helpers keeps libstrata's copies from clashing with an application that
// also includes hnswlib.
// Under AddressSanitizer hnswlib's SSE search code is left out: 0.6.2's
// prefetch reads one link past a full link list (hnswlib issues #107 and
// #578, fixed upstream after 0.6.2), which ASan reports. The portable
// distance functions are used instead.
#if defined(__SANITIZE_ADDRESS__)
#define NO_MANUAL_VECTORIZATION
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NO_MANUAL_VECTORIZATION
#endif
#endif
#define hnswlib strata_hnswlib
#define cpuid strata_hnswlib_cpuid
#define xgetbv strata_hnswlib_xgetbv
#define AVXCapable strata_hnswlib_AVXCapable
#define AVX512Capable strata_hnswlib_AVX512Capable
#include <hnswlib/hnswlib.h>
#undef cpuid
#undef xgetbv
#undef AVXCapable
#undef AVX512Capable
#undef hnswlib
namespace hnswlib = strata_hnswlib;

namespace strata::vector {

namespace {

// What the graph stores per vector: where its components are, not the
// components themselves, so a vector is held once (in the stored record)
// rather than again inside hnswlib. 16 bytes per element instead of
// 4 x dimension.
struct Ref {
  const float* data;
  float scale;  // 1 / |v| under cosine, otherwise 1.
};

struct RefParam {
  hnswlib::DISTFUNC<float> inner;  // hnswlib's (SIMD) distance on components.
  void* inner_param;
};

// hnswlib keeps element data at offsets that are not 8-byte aligned, so Refs
// are copied out rather than read in place.
inline Ref LoadRef(const void* p) {
  Ref r;
  std::memcpy(&r, p, sizeof r);
  return r;
}

float PlainRefDistance(const void* a, const void* b, const void* param) {
  const auto* p = static_cast<const RefParam*>(param);
  return p->inner(LoadRef(a).data, LoadRef(b).data, p->inner_param);
}

// hnswlib's inner-product distance is 1 - a.b; cosine rescales a.b by the
// stored inverse norms (the query's scale is 1: it is normalized).
float CosineRefDistance(const void* a, const void* b, const void* param) {
  const auto* p = static_cast<const RefParam*>(param);
  const Ref ra = LoadRef(a);
  const Ref rb = LoadRef(b);
  return 1.0f - (1.0f - p->inner(ra.data, rb.data, p->inner_param)) * ra.scale * rb.scale;
}

class RefSpace final : public hnswlib::SpaceInterface<float> {
 public:
  RefSpace(hnswlib::SpaceInterface<float>* inner, bool cosine)
      : param_{inner->get_dist_func(), inner->get_dist_func_param()},
        dist_(cosine ? &CosineRefDistance : &PlainRefDistance) {}
  size_t get_data_size() override { return sizeof(Ref); }
  hnswlib::DISTFUNC<float> get_dist_func() override { return dist_; }
  void* get_dist_func_param() override { return &param_; }

 private:
  RefParam param_;
  hnswlib::DISTFUNC<float> dist_;
};

}  // namespace

class Graph {
 public:
  Graph(uint32_t dimension, VectorMetric metric)
      : cosine(metric == VectorMetric::kCosine), vector_bytes(size_t{dimension} * sizeof(float)) {
    if (metric == VectorMetric::kEuclidean) {
      inner = std::make_unique<hnswlib::L2Space>(dimension);
    } else {
      inner = std::make_unique<hnswlib::InnerProductSpace>(dimension);
    }
    dist = inner->get_dist_func();
    param = inner->get_dist_func_param();
    refs = std::make_unique<RefSpace>(inner.get(), cosine);
  }

  // Distance from `q` (normalized under cosine) to components `v` whose
  // inverse norm is `scale`: the graph's metric, computed directly.
  float Distance(const float* q, const float* v, float scale) const {
    const float d = dist(q, v, param);
    return cosine ? 1.0f - (1.0f - d) * scale : d;
  }

  // The `ef` nearest elements to `q` (normalized under cosine) that are
  // not marked deleted, as (distance, label), in no order: hnswlib's
  // searchKnn(q, ef) with ef_ 1, step for step (same graph walk, same
  // results), except that each expanded node's unvisited neighbours have
  // their references loaded and their components prefetched before any of
  // their distances is computed. The graph stores references, so without
  // this every distance would wait on a cache miss that hnswlib's own loop
  // (which prefetches the next element's 16-byte reference only) cannot
  // hide. REQUIRES: hnsw is built. Throws what hnswlib throws.
  std::vector<std::pair<float, hnswlib::labeltype>> SearchKnn(const float* q, size_t ef) const;

  const bool cosine;
  const size_t vector_bytes;
  std::unique_ptr<hnswlib::SpaceInterface<float>> inner;
  hnswlib::DISTFUNC<float> dist;
  void* param;
  std::unique_ptr<RefSpace> refs;
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> hnsw;  // Null until built.
  size_t marked_deleted = 0;
};

namespace {

constexpr size_t kCacheLineBytes = 64;
constexpr size_t kPrefetchBytes = 4 * kCacheLineBytes;

// hnswlib's getListCount (which takes a mutable pointer): a link list starts
// with its length as an unsigned short.
inline int ListCount(const unsigned int* list) {
  unsigned short n;
  std::memcpy(&n, list, sizeof n);
  return n;
}

// Starts fetching the first lines of a vector's components (the hardware
// prefetcher follows the rest).
inline void PrefetchComponents(const float* data, size_t vector_bytes) {
  const char* p = reinterpret_cast<const char*>(data);
  for (size_t off = 0; off < std::min(vector_bytes, kPrefetchBytes); off += kCacheLineBytes) {
    __builtin_prefetch(p + off, 0, 3);
  }
}

// Loads the reference of element `id` and starts fetching its components.
inline Ref PrefetchElement(const hnswlib::HierarchicalNSW<float>& h, hnswlib::tableint id,
                           size_t vector_bytes) {
  const Ref r = LoadRef(h.getDataByInternalId(id));
  PrefetchComponents(r.data, vector_bytes);
  return r;
}

}  // namespace

std::vector<std::pair<float, hnswlib::labeltype>> Graph::SearchKnn(const float* q,
                                                                    size_t ef) const {
  const hnswlib::HierarchicalNSW<float>& h = *hnsw;
  std::vector<std::pair<float, hnswlib::labeltype>> out;
  if (h.cur_element_count == 0 || ef == 0) return out;
  auto distance_to = [&](const Ref& r) { return Distance(q, r.data, r.scale); };

  // Greedy descent through the upper layers.
  hnswlib::tableint cur = h.enterpoint_node_;
  float cur_dist = distance_to(PrefetchElement(h, cur, vector_bytes));
  for (int level = h.maxlevel_; level > 0; --level) {
    bool changed = true;
    while (changed) {
      changed = false;
      const unsigned int* list = h.get_linklist(cur, level);
      const int size = ListCount(list);
      const hnswlib::tableint* ids = reinterpret_cast<const hnswlib::tableint*>(list + 1);
      for (int i = 0; i < size; ++i) {
        const float d = distance_to(PrefetchElement(h, ids[i], vector_bytes));
        if (d < cur_dist) {
          cur_dist = d;
          cur = ids[i];
          changed = true;
        }
      }
    }
  }

  // Beam search of the base layer (hnswlib's searchBaseLayerST).
  const bool has_deletions = h.num_deleted_ != 0;
  using Pair = std::pair<float, hnswlib::tableint>;
  struct ByFirst {
    bool operator()(const Pair& a, const Pair& b) const { return a.first < b.first; }
  };
  std::priority_queue<Pair, std::vector<Pair>, ByFirst> top;
  std::priority_queue<Pair, std::vector<Pair>, ByFirst> candidates;
  hnswlib::VisitedList* vl = h.visited_list_pool_->getFreeVisitedList();
  hnswlib::vl_type* visited = vl->mass;
  const hnswlib::vl_type tag = vl->curV;
  float lower_bound;
  if (!has_deletions || !h.isMarkedDeleted(cur)) {
    lower_bound = cur_dist;
    top.emplace(cur_dist, cur);
    candidates.emplace(-cur_dist, cur);
  } else {
    lower_bound = std::numeric_limits<float>::max();
    candidates.emplace(-lower_bound, cur);
  }
  visited[cur] = tag;
  std::vector<hnswlib::tableint> batch_ids;
  std::vector<Ref> batch_refs;
  while (!candidates.empty()) {
    const Pair current = candidates.top();
    if (-current.first > lower_bound && (top.size() == ef || !has_deletions)) break;
    candidates.pop();
    const unsigned int* list = h.get_linklist0(current.second);
    const size_t size = ListCount(list);
    const hnswlib::tableint* ids = reinterpret_cast<const hnswlib::tableint*>(list + 1);
    batch_ids.clear();
    batch_refs.clear();
    for (size_t j = 0; j < size; ++j) {
      const hnswlib::tableint id = ids[j];
      if (visited[id] == tag) continue;
      visited[id] = tag;
      batch_ids.push_back(id);
      batch_refs.push_back(PrefetchElement(h, id, vector_bytes));
    }
    for (size_t j = 0; j < batch_ids.size(); ++j) {
      const float d = distance_to(batch_refs[j]);
      if (top.size() < ef || lower_bound > d) {
        candidates.emplace(-d, batch_ids[j]);
        if (!has_deletions || !h.isMarkedDeleted(batch_ids[j])) top.emplace(d, batch_ids[j]);
        if (top.size() > ef) top.pop();
        if (!top.empty()) lower_bound = top.top().first;
      }
    }
  }
  h.visited_list_pool_->releaseVisitedList(vl);
  out.reserve(top.size());
  while (!top.empty()) {
    out.emplace_back(top.top().first, h.getExternalLabel(top.top().second));
    top.pop();
  }
  return out;
}

namespace {

absl::Status HnswError(const char* what, const std::exception& e) {
  return MakeError(ErrorCode::kInternal, absl::StrCat("vector index: ", what, ": ", e.what()));
}

// The graph's capacity starts at and grows by at least this many elements,
// and otherwise by an eighth: hnswlib allocates per-element memory for the
// whole capacity up front, and a resize costs one copy of its base layer.
constexpr size_t kMinCapacity = 256;
constexpr size_t kGrowthDivisor = 8;
// Below this many collected entries the graph is not rebuilt.
constexpr size_t kMinRebuild = 1024;

size_t CapacityFor(size_t n) { return n + std::max(kMinCapacity, n / kGrowthDivisor); }

}  // namespace

VectorIndex::VectorIndex(CollectionSpec spec, Version incarnation)
    : spec_(std::move(spec)), incarnation_(incarnation) {
  absl::MutexLock lock(&mu_);
  graph_ = std::make_unique<Graph>(spec_.dimension, spec_.metric);
}

VectorIndex::~VectorIndex() = default;

bool VectorIndex::broken() const {
  absl::ReaderMutexLock lock(&mu_);
  return broken_;
}

double VectorIndex::ScoreOfDistance(float distance) const {
  if (spec_.metric == VectorMetric::kEuclidean) {
    return 1.0 / (1.0 + std::sqrt(std::max(0.0, static_cast<double>(distance))));
  }
  return 1.0 - static_cast<double>(distance);  // Inner product distance is 1 - a.b.
}

namespace {

void Normalize(std::vector<float>* v) {
  double norm = 0;
  for (float x : *v) norm += static_cast<double>(x) * x;
  norm = std::sqrt(norm);
  if (norm == 0) return;
  for (float& x : *v) x = static_cast<float>(x / norm);
}

}  // namespace

// Vectors are searched in place as the stored little-endian float32.
static_assert(std::endian::native == std::endian::little);

bool VectorIndex::Bind(const Value& record, Entry* e, Value* metadata) const {
  RecordView view;
  if (!ParseRecord(record, spec_.dimension, &view).ok() ||
      !DecodeMetadata(view, metadata).ok()) {
    return false;
  }
  if (static_cast<uint8_t>(record.AsBytes()[0]) == kRecordFormat) {
    e->record = record.SharedBytes();  // No copy: the store's bytes.
  } else {
    std::vector<float> v;
    view.CopyVector(&v);
    e->record = EncodeRecord(v, *metadata).SharedBytes();
  }
  if (reinterpret_cast<uintptr_t>(e->data()) % alignof(float) != 0) return false;
  e->scale = 1;
  if (spec_.metric == VectorMetric::kCosine) {
    const float* data = e->data();
    double norm = 0;
    for (uint32_t i = 0; i < spec_.dimension; ++i) norm += static_cast<double>(data[i]) * data[i];
    // Validated records are never zero under cosine; a zero vector scores 0.
    e->scale = norm > 0 ? static_cast<float>(1.0 / std::sqrt(norm)) : 0.0f;
  }
  return true;
}

Value VectorIndex::MetadataOf(const Entry& e) const {
  RecordView view;
  Value metadata;
  if (ParseRecordBytes(*e.record, spec_.dimension, &view).ok()) {
    (void)DecodeMetadata(view, &metadata);  // Parsed once already at Apply.
  }
  return metadata;
}

absl::Status VectorIndex::AddLocked(uint32_t label) {
  if (graph_->hnsw == nullptr) return absl::OkStatus();
  const Entry& e = entries_[label];
  const Ref ref{e.data(), e.scale};
  hnswlib::HierarchicalNSW<float>& h = *graph_->hnsw;
  try {
    if (h.cur_element_count >= h.max_elements_) h.resizeIndex(CapacityFor(h.max_elements_));
    h.addPoint(&ref, label);
  } catch (const std::exception& ex) {
    return HnswError("adding a vector", ex);
  }
  return absl::OkStatus();
}

absl::Status VectorIndex::BuildGraphLocked() {
  const size_t n = entries_.size() - removed_;
  try {
    graph_->hnsw = std::make_unique<hnswlib::HierarchicalNSW<float>>(
        graph_->refs.get(), CapacityFor(n), spec_.index.m, spec_.index.ef_construction);
    // Searches pass the candidate count they want as k, which hnswlib
    // uses as ef when it is larger, so ef_ stays at its minimum and
    // concurrent searches never write to the graph.
    graph_->hnsw->setEf(1);
  } catch (const std::exception& ex) {
    graph_->hnsw.reset();
    return HnswError("creating the graph", ex);
  }
  graph_->marked_deleted = 0;
  for (uint32_t label = 0; label < entries_.size(); ++label) {
    if (entries_[label].removed) continue;
    if (absl::Status s = AddLocked(label); !s.ok()) return s;
  }
  return absl::OkStatus();
}

void VectorIndex::Apply(std::string_view key, Version version, const Value* record) {
  absl::MutexLock lock(&mu_);
  if (broken_) return;
  const auto key_it = keys_.try_emplace(absl::string_view(key.data(), key.size())).first;
  KeyWrites& writes = key_it->second;
  const util::WritePlace place = util::PlaceWrite(writes, version, kLive);
  if (place.seen) return;
  auto pos = place.pos;
  const Version next = place.next;
  uint32_t label = kDeleteMark;
  if (record != nullptr) {
    Entry e;
    Value metadata;
    if (!Bind(*record, &e, &metadata)) {
      broken_ = true;
      return;
    }
    label = static_cast<uint32_t>(entries_.size());
    e.key = &key_it->first;
    e.created = version;
    e.superseded = next;
    entries_.push_back(std::move(e));
    if (absl::Status s = AddLocked(label); !s.ok()) {
      broken_ = true;
      return;
    }
    metadata_.Add(label, metadata);
    if (next == kLive) {
      ++live_;
    } else {
      superseded_.emplace_back(next, label);
    }
  }
  pos = writes.insert(pos, {version, label});
  if (pos != writes.begin()) {
    const uint32_t prev = std::prev(pos)->second;
    if (prev != kDeleteMark) {
      Entry& p = entries_[prev];
      if (p.superseded == kLive) {
        --live_;
        superseded_.emplace_back(version, prev);
      } else {
        // It was superseded by `next`, a later write: now by this one.
        for (auto& s : superseded_) {
          if (s.second == prev) s.first = version;
        }
      }
      p.superseded = version;
    }
  }
  if (graph_->hnsw == nullptr && record != nullptr && live_ >= spec_.index.exact_threshold &&
      live_ > 0) {
    if (!BuildGraphLocked().ok()) broken_ = true;
  }
}

void VectorIndex::Collect(Version horizon) {
  absl::MutexLock lock(&mu_);
  if (broken_ || superseded_.empty()) return;
  std::vector<std::string> touched;
  auto keep = std::partition(superseded_.begin(), superseded_.end(),
                             [&](const auto& s) { return s.first > horizon; });
  for (auto it = keep; it != superseded_.end(); ++it) {
    Entry& e = entries_[it->second];
    if (e.removed) continue;
    e.removed = true;
    ++removed_;
    metadata_.Remove(it->second, MetadataOf(e));
    if (graph_->hnsw != nullptr) {
      // hnswlib keeps walking through deleted elements, so their
      // components stay until the graph is rebuilt.
      try {
        graph_->hnsw->markDelete(it->second);
        ++graph_->marked_deleted;
      } catch (const std::exception&) {
        broken_ = true;
      }
    } else {
      e.record.reset();
    }
    touched.push_back(*e.key);
    e.key = nullptr;  // TrimKeyWrites may erase the key.
  }
  superseded_.erase(keep, superseded_.end());
  util::TrimKeyWrites(keys_, touched, horizon);
  if (removed_ >= kMinRebuild && removed_ > entries_.size() - removed_) CompactLocked();
}

void VectorIndex::CompactLocked() {
  std::deque<Entry> old = std::move(entries_);
  entries_.clear();
  std::vector<uint32_t> relabel(old.size(), kDeleteMark);
  for (uint32_t label = 0; label < old.size(); ++label) {
    Entry& e = old[label];
    if (e.removed) continue;
    relabel[label] = static_cast<uint32_t>(entries_.size());
    entries_.push_back(std::move(e));
  }
  for (auto& [key, writes] : keys_) {
    for (auto& w : writes) {
      if (w.second != kDeleteMark) w.second = relabel[w.second];
    }
  }
  for (auto& s : superseded_) s.second = relabel[s.second];
  metadata_ = MetadataIndex();
  for (uint32_t label = 0; label < entries_.size(); ++label) {
    metadata_.Add(label, MetadataOf(entries_[label]));
  }
  removed_ = 0;
  const bool had_graph = graph_->hnsw != nullptr;
  graph_->hnsw.reset();  // Before `old` goes: the graph points into it.
  old.clear();
  if (had_graph && !BuildGraphLocked().ok()) broken_ = true;
}

void VectorIndex::ExactLocked(const float* q, const std::vector<uint32_t>* labels,
                              const SearchParams& p,
                              std::vector<std::pair<float, uint32_t>>* best,
                              uint64_t* scored) const {
  // Taken through a pointer: the lambda is analysed without the lock held
  // here, and a plain reference would count as a read of entries_ there.
  const std::deque<Entry>& entries = *&entries_;
  const size_t entry_count = entries_.size();
  const Graph* const graph = graph_.get();
  // In batches: find the visible entries and start fetching their
  // components, then score them, so the cache misses overlap.
  constexpr size_t kBatch = 16;
  std::pair<const Entry*, uint32_t> batch[kBatch];
  size_t n = 0;
  auto flush = [&] {
    for (size_t i = 0; i < n; ++i) {
      const Entry& e = *batch[i].first;
      best->emplace_back(graph->Distance(q, e.data(), e.scale), batch[i].second);
    }
    *scored += n;
    n = 0;
  };
  auto consider = [&](uint32_t label) {
    const Entry& e = entries[label];
    if (!VisibleLocked(e, p.snapshot)) return;
    if (p.skip && p.skip(*e.key)) return;
    PrefetchComponents(e.data(), graph->vector_bytes);
    batch[n++] = {&e, label};
    if (n == kBatch) flush();
  };
  if (labels != nullptr) {
    for (uint32_t label : *labels) consider(label);
  } else {
    for (uint32_t label = 0; label < entry_count; ++label) consider(label);
  }
  flush();
}

absl::Status VectorIndex::Search(const SearchParams& p, VectorSearchResult* stats,
                                 std::vector<IndexHit>* hits) const {
  absl::ReaderMutexLock lock(&mu_);
  if (broken_) {
    return MakeError(ErrorCode::kFailedPrecondition, "vector index is unusable; scan instead");
  }
  std::vector<float> qbuf(p.query.begin(), p.query.end());
  if (spec_.metric == VectorMetric::kCosine) Normalize(&qbuf);
  const float* q = qbuf.data();
  const size_t k = p.k;
  const size_t ef = std::max<size_t>(p.ef != 0 ? p.ef : spec_.index.ef_search, k);

  std::vector<std::pair<float, uint32_t>> best;
  uint64_t scored = 0;
  bool exact = true;
  const hnswlib::HierarchicalNSW<float>* h = graph_->hnsw.get();
  const Graph* const graph = graph_.get();
  // Taken through a pointer: lambdas are analysed without the lock held
  // here, and a plain reference would count as a read of entries_ there.
  const std::deque<Entry>& entries = *&entries_;
  const size_t entry_count = entries_.size();

  // Asks the graph for `fetch` candidates, keeping those `accept` takes,
  // doubling until k are found or the graph has nothing more to give.
  // Returns false if it ran out before k.
  auto from_graph = [&](size_t fetch, const auto& accept) -> absl::StatusOr<bool> {
    exact = false;
    const size_t total = h->cur_element_count;
    for (;;) {
      best.clear();
      std::vector<std::pair<float, hnswlib::labeltype>> found;
      try {
        found = graph->SearchKnn(q, std::min(fetch, total));
      } catch (const std::exception& ex) {
        return HnswError("searching", ex);
      }
      scored += found.size();
      for (const auto& [distance, label] : found) {
        const Entry& e = entries[label];
        if (!VisibleLocked(e, p.snapshot) || (p.skip && p.skip(*e.key))) continue;
        if (!accept(static_cast<uint32_t>(label))) continue;
        best.emplace_back(distance, static_cast<uint32_t>(label));
      }
      if (best.size() >= k) return true;
      if (fetch >= total) return false;
      fetch *= 2;
    }
  };

  if (p.filter != nullptr) {
    std::vector<uint32_t> matching = metadata_.Candidates(*p.filter);
    // Keep what this snapshot sees.
    std::erase_if(matching, [&](uint32_t label) {
      const Entry& e = entries[label];
      return !VisibleLocked(e, p.snapshot) || (p.skip && p.skip(*e.key));
    });
    const size_t n = std::max<size_t>(live_, 1);
    const size_t m = matching.size();
    // The graph must return about ef * n / m candidates for ef of them to
    // match, and computes some 20 distances per candidate it returns;
    // scanning the matching set computes m. Scan when that is cheaper.
    const size_t fetch = std::max(ef, (ef * n + std::max<size_t>(m, 1) - 1) / std::max<size_t>(m, 1));
    const bool scan = h == nullptr || m <= 20 * fetch;
    bool done = false;
    if (!scan) {
      std::vector<uint8_t> member(entry_count, 0);
      for (uint32_t label : matching) member[label] = 1;
      STRATA_ASSIGN_OR_RETURN(done, from_graph(fetch, [&](uint32_t label) {
                                return member[label] != 0;
                              }));
    }
    if (!done) {
      best.clear();
      exact = true;
      ExactLocked(q, &matching, p, &best, &scored);
    }
  } else if (h == nullptr) {
    ExactLocked(q, nullptr, p, &best, &scored);
  } else {
    STRATA_ASSIGN_OR_RETURN(bool done, from_graph(ef, [](uint32_t) { return true; }));
    (void)done;  // Fewer than k visible vectors exist.
  }

  auto by_rank = [&](const std::pair<float, uint32_t>& a, const std::pair<float, uint32_t>& b) {
    if (a.first != b.first) return a.first < b.first;
    return *entries[a.second].key < *entries[b.second].key;
  };
  if (best.size() > k) {
    std::partial_sort(best.begin(), best.begin() + static_cast<ptrdiff_t>(k), best.end(),
                      by_rank);
    best.resize(k);
  } else {
    std::sort(best.begin(), best.end(), by_rank);
  }
  hits->clear();
  hits->reserve(best.size());
  for (const auto& [distance, label] : best) {
    const Entry& e = entries[label];
    hits->push_back(IndexHit{*e.key, ScoreOfDistance(distance), MetadataOf(e), e.created});
  }
  stats->exact = exact;
  stats->candidates += scored;
  return absl::OkStatus();
}

uint64_t VectorIndex::CountAt(Version snapshot) const {
  absl::ReaderMutexLock lock(&mu_);
  uint64_t n = 0;
  for (const Entry& e : entries_) n += VisibleLocked(e, snapshot) ? 1 : 0;
  return n;
}

}  // namespace strata::vector
