// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// VectorIndex: the in-memory search structure of one collection. It is
// derived data: the vectors and their metadata are stored and logged by the
// engine, and the index is fed every committed write of the collection
// (Apply) and rebuilt from the store when a database opens.
//
// Storage. The index shares each record's bytes with the store (see
// Value::SharedBytes) and searches the components there in place: the graph
// stores a 16-byte reference per vector, not the vector, so a vector is held
// once. Format-1 records (unaligned components) are re-encoded as format 2.
//
// Entries. Every committed put becomes an entry (a label) that is visible
// to snapshots S with created <= S < superseded, where `superseded` is the
// version of the key's next write. Superseded entries stay searchable until
// no snapshot can see them (Collect with the snapshot horizon); then they
// leave the graph (hnswlib markDelete) and the graph is rebuilt once deleted
// entries outnumber live ones.
//
// Search. Below `exact_threshold` live vectors the collection is scanned
// exactly. Above it an HNSW graph (hnswlib) is built once and kept. A
// search asks the graph for max(ef, wanted) candidates and drops those its
// snapshot cannot see, asking again for twice as many when too few remain.
// A filter is first answered from the metadata index (an exact set); when
// that set is small relative to the collection it is scanned exactly,
// otherwise graph results are checked against it (adaptive over-fetch), and
// if the graph cannot produce k matches the set is scanned exactly.
//
// Thread safety: thread-safe. Searches share a lock; Apply and Collect take
// it exclusively.
#ifndef STRATA_VECTOR_INDEX_HPP_
#define STRATA_VECTOR_INDEX_HPP_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/node_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "strata/types.hpp"
#include "strata/value.hpp"
#include "strata/vector.hpp"
#include "util/key_writes.hpp"
#include "vector/filter.hpp"
#include "vector/record.hpp"

namespace strata::vector {

class Graph;  // The hnswlib graph and its space (index.cpp).

struct IndexHit {
  std::string key;
  double score = 0;
  Value metadata;
  Version version = 0;
};

class VectorIndex {
 public:
  // `incarnation` is the commit version of the collection's definition; an
  // index answers only for that definition.
  VectorIndex(CollectionSpec spec, Version incarnation);
  ~VectorIndex();
  VectorIndex(const VectorIndex&) = delete;
  VectorIndex& operator=(const VectorIndex&) = delete;

  const CollectionSpec& spec() const { return spec_; }
  Version incarnation() const { return incarnation_; }

  // Records the committed write of `key` at `version`: a put of `record`
  // (already validated by the writer) or, with record null, a delete.
  // Writes of one key may arrive out of version order. A record that does
  // not parse marks the index broken (searches must then scan the store).
  void Apply(std::string_view key, Version version, const Value* record);
  bool broken() const;

  // Drops entries no snapshot at or above `horizon` can see.
  void Collect(Version horizon);

  struct SearchParams {
    std::span<const float> query;  // REQUIRES: validated, spec().dimension long.
    uint32_t k = 10;
    uint32_t ef = 0;               // 0: spec().index.ef_search.
    const VectorFilter* filter = nullptr;  // REQUIRES: validated.
    Version snapshot = 0;
    // Keys the caller answers itself (a transaction's own writes): skipped.
    std::function<bool(std::string_view key)> skip;
  };
  // The k best entries visible at params.snapshot. Internal for an hnswlib
  // failure (hnswlib's exceptions never escape).
  absl::Status Search(const SearchParams& params, VectorSearchResult* stats,
                      std::vector<IndexHit>* hits) const;

  // Live vectors at `snapshot`.
  uint64_t CountAt(Version snapshot) const;

 private:
  static constexpr Version kLive = ~Version{0};
  static constexpr uint32_t kDeleteMark = util::kDeletedSlot;

  // 48 bytes: an entry per stored version is the index's main cost beyond
  // the graph.
  struct Entry {
    const std::string* key = nullptr;  // The key in keys_ (node-stable); null once removed.
    Version created = 0;
    Version superseded = kLive;
    // The stored record's bytes (format 2), shared with the store, searched
    // in place.
    std::shared_ptr<const std::string> record;
    float scale = 1;  // 1 / |v| under cosine, otherwise 1.
    bool removed = false;

    const float* data() const {
      // Format 2 puts the components at an aligned offset of a buffer
      // std::string allocates (aligned for any scalar).
      return reinterpret_cast<const float*>(record->data() + kRecordHeaderBytes);
    }
  };
  // The writes of one key, oldest first: (version, label or kDeleteMark).
  using KeyWrites = util::KeyWrites;

  bool VisibleLocked(const Entry& e, Version snapshot) const {
    return !e.removed && e.created <= snapshot && snapshot < e.superseded;
  }
  double ScoreOfDistance(float distance) const;
  // Adds an entry to the graph (if it exists).
  absl::Status AddLocked(uint32_t label) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Sets e->record (re-encoded if it is not format 2) and e->scale, and
  // decodes the metadata. False for a record that does not parse.
  bool Bind(const Value& record, Entry* e, Value* metadata) const;
  Value MetadataOf(const Entry& e) const;
  absl::Status BuildGraphLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void CompactLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Exact top-k over `labels` (all entries when null).
  void ExactLocked(const float* q, const std::vector<uint32_t>* labels,
                   const SearchParams& p, std::vector<std::pair<float, uint32_t>>* best,
                   uint64_t* scored) const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  const CollectionSpec spec_;
  const Version incarnation_;

  mutable absl::Mutex mu_;
  // A deque: no doubling slack, and entries never move once added.
  std::deque<Entry> entries_ ABSL_GUARDED_BY(mu_);
  // Node-stable, so entries point at their key rather than copy it.
  absl::node_hash_map<std::string, KeyWrites> keys_ ABSL_GUARDED_BY(mu_);
  MetadataIndex metadata_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<Graph> graph_ ABSL_GUARDED_BY(mu_);
  size_t live_ ABSL_GUARDED_BY(mu_) = 0;      // Entries with superseded == kLive.
  size_t removed_ ABSL_GUARDED_BY(mu_) = 0;   // Entries collected.
  // Superseded entries not yet collected, by superseded version.
  std::vector<std::pair<Version, uint32_t>> superseded_ ABSL_GUARDED_BY(mu_);
  bool broken_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace strata::vector

#endif  // STRATA_VECTOR_INDEX_HPP_
