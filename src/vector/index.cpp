// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
#include "vector/index.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>
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

class Graph {
 public:
  Graph(uint32_t dimension, VectorMetric metric) {
    if (metric == VectorMetric::kEuclidean) {
      space = std::make_unique<hnswlib::L2Space>(dimension);
    } else {
      space = std::make_unique<hnswlib::InnerProductSpace>(dimension);
    }
    dist = space->get_dist_func();
    param = space->get_dist_func_param();
  }

  std::unique_ptr<hnswlib::SpaceInterface<float>> space;
  hnswlib::DISTFUNC<float> dist;
  void* param;
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> hnsw;  // Null until built.
  size_t marked_deleted = 0;
};

namespace {

absl::Status HnswError(const char* what, const std::exception& e) {
  return MakeError(ErrorCode::kInternal, absl::StrCat("vector index: ", what, ": ", e.what()));
}

// Graph sizes grow by doubling, from at least this many.
constexpr size_t kMinCapacity = 1024;
// Below this many collected entries the graph is not rebuilt.
constexpr size_t kMinRebuild = 1024;

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

const float* VectorIndex::DataOf(const Graph& graph, const float* flat, uint32_t dimension,
                                 const Entry& e) {
  if (graph.hnsw != nullptr) {
    return reinterpret_cast<const float*>(graph.hnsw->getDataByInternalId(e.slot));
  }
  return flat + size_t{e.slot} * dimension;
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

absl::Status VectorIndex::AddLocked(uint32_t label, const float* data) {
  Entry& e = entries_[label];
  if (graph_->hnsw == nullptr) {
    e.slot = static_cast<uint32_t>(flat_.size() / spec_.dimension);
    flat_.insert(flat_.end(), data, data + spec_.dimension);
    return absl::OkStatus();
  }
  hnswlib::HierarchicalNSW<float>& h = *graph_->hnsw;
  try {
    if (h.cur_element_count >= h.max_elements_) h.resizeIndex(h.max_elements_ * 2);
    h.addPoint(data, label);
  } catch (const std::exception& ex) {
    return HnswError("adding a vector", ex);
  }
  e.slot = static_cast<uint32_t>(h.cur_element_count - 1);
  return absl::OkStatus();
}

absl::Status VectorIndex::BuildGraphLocked() {
  const size_t n = entries_.size() - removed_;
  try {
    graph_->hnsw = std::make_unique<hnswlib::HierarchicalNSW<float>>(
        graph_->space.get(), std::max(kMinCapacity, 2 * n), spec_.index.m,
        spec_.index.ef_construction);
    // Searches pass the candidate count they want as k, which hnswlib
    // uses as ef when it is larger, so ef_ stays at its minimum and
    // concurrent searches never write to the graph.
    graph_->hnsw->setEf(1);
  } catch (const std::exception& ex) {
    graph_->hnsw.reset();
    return HnswError("creating the graph", ex);
  }
  graph_->marked_deleted = 0;
  std::vector<float> flat = std::move(flat_);
  flat_.clear();
  for (uint32_t label = 0; label < entries_.size(); ++label) {
    Entry& e = entries_[label];
    if (e.removed) continue;
    const float* data = flat.data() + size_t{e.slot} * spec_.dimension;
    if (absl::Status s = AddLocked(label, data); !s.ok()) return s;
  }
  return absl::OkStatus();
}

void VectorIndex::Apply(std::string_view key, Version version, const Value* record) {
  absl::MutexLock lock(&mu_);
  if (broken_) return;
  std::vector<float> data;
  Value metadata;
  if (record != nullptr) {
    RecordView view;
    if (!ParseRecord(*record, spec_.dimension, &view).ok() ||
        !DecodeMetadata(view, &metadata).ok()) {
      broken_ = true;
      return;
    }
    view.CopyVector(&data);
    if (spec_.metric == VectorMetric::kCosine) Normalize(&data);
  }
  KeyWrites& writes = keys_[absl::string_view(key.data(), key.size())];
  const util::WritePlace place = util::PlaceWrite(writes, version, kLive);
  if (place.seen) return;
  auto pos = place.pos;
  const Version next = place.next;
  uint32_t label = kDeleteMark;
  if (record != nullptr) {
    label = static_cast<uint32_t>(entries_.size());
    Entry e;
    e.key = std::string(key);
    e.created = version;
    e.superseded = next;
    e.metadata = std::move(metadata);
    entries_.push_back(std::move(e));
    if (absl::Status s = AddLocked(label, data.data()); !s.ok()) {
      broken_ = true;
      return;
    }
    metadata_.Add(label, entries_[label].metadata);
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
    metadata_.Remove(it->second, e.metadata);
    if (graph_->hnsw != nullptr) {
      try {
        graph_->hnsw->markDelete(it->second);
        ++graph_->marked_deleted;
      } catch (const std::exception&) {
        broken_ = true;
      }
    }
    e.metadata = Value();
    touched.push_back(e.key);
  }
  superseded_.erase(keep, superseded_.end());
  util::TrimKeyWrites(keys_, touched, horizon);
  if (removed_ >= kMinRebuild && removed_ > entries_.size() - removed_) CompactLocked();
}

void VectorIndex::CompactLocked() {
  std::vector<Entry> old = std::move(entries_);
  entries_.clear();
  std::vector<uint32_t> relabel(old.size(), kDeleteMark);
  std::vector<float> flat;
  for (uint32_t label = 0; label < old.size(); ++label) {
    Entry& e = old[label];
    if (e.removed) continue;
    const float* data = DataLocked(e);
    relabel[label] = static_cast<uint32_t>(entries_.size());
    e.slot = static_cast<uint32_t>(flat.size() / spec_.dimension);
    flat.insert(flat.end(), data, data + spec_.dimension);
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
    metadata_.Add(label, entries_[label].metadata);
  }
  removed_ = 0;
  flat_ = std::move(flat);
  const bool had_graph = graph_->hnsw != nullptr;
  graph_->hnsw.reset();
  if (had_graph && !BuildGraphLocked().ok()) broken_ = true;
}

void VectorIndex::ExactLocked(const float* q, const std::vector<uint32_t>* labels,
                              const SearchParams& p,
                              std::vector<std::pair<float, uint32_t>>* best,
                              uint64_t* scored) const {
  // Plain pointers: the lambda is analysed without the lock held here.
  const Entry* const entries = entries_.data();
  const size_t entry_count = entries_.size();
  const Graph* const graph = graph_.get();
  const float* const flat = flat_.data();
  const uint32_t dim = spec_.dimension;
  auto consider = [&](uint32_t label) {
    const Entry& e = entries[label];
    if (!VisibleLocked(e, p.snapshot)) return;
    if (p.skip && p.skip(e.key)) return;
    best->emplace_back(graph->dist(q, DataOf(*graph, flat, dim, e), graph->param), label);
    ++*scored;
  };
  if (labels != nullptr) {
    for (uint32_t label : *labels) consider(label);
  } else {
    for (uint32_t label = 0; label < entry_count; ++label) consider(label);
  }
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
  // Plain pointers: lambdas are analysed without the lock held here.
  const Entry* const entries = entries_.data();
  const size_t entry_count = entries_.size();

  // Asks the graph for `fetch` candidates, keeping those `accept` takes,
  // doubling until k are found or the graph has nothing more to give.
  // Returns false if it ran out before k.
  auto from_graph = [&](size_t fetch, const auto& accept) -> absl::StatusOr<bool> {
    exact = false;
    const size_t total = h->cur_element_count;
    for (;;) {
      best.clear();
      std::priority_queue<std::pair<float, hnswlib::labeltype>> found;
      try {
        found = h->searchKnn(q, std::min(fetch, total));
      } catch (const std::exception& ex) {
        return HnswError("searching", ex);
      }
      scored += found.size();
      while (!found.empty()) {
        const auto [distance, label] = found.top();
        found.pop();
        const Entry& e = entries[label];
        if (!VisibleLocked(e, p.snapshot) || (p.skip && p.skip(e.key))) continue;
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
      return !VisibleLocked(e, p.snapshot) || (p.skip && p.skip(e.key));
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
    return entries[a.second].key < entries[b.second].key;
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
    hits->push_back(IndexHit{e.key, ScoreOfDistance(distance), e.metadata, e.created});
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
