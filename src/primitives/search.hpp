// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Search over every primitive (docs/search.md).
//
// Each primitive contributes text extracted from its entities
// (ExtractEntity) and a metadata object that filters test. Keyword search
// ranks the entities of each primitive by BM25 with corpus statistics
// pooled over the runs searched; vector search asks each matching
// collection; the ranked lists are fused by Reciprocal Rank Fusion.
//
// A (primitive, run) namespace is answered from its InvertedIndex when the
// run is indexed (SearchOptions) and the transaction has no own writes
// there; otherwise by scanning it. Both compute the same scores from the
// same statistics, so they return the same hits.
//
// The SearchRegistry keeps the indexes: it is the transaction manager's
// observer for every committed mutation, so an index holds each commit
// before that commit becomes visible, and is built from the store at open.
//
// Thread safety: SearchRegistry is thread-safe; Search is a function of an
// OpContext.
#ifndef STRATA_PRIMITIVES_SEARCH_HPP_
#define STRATA_PRIMITIVES_SEARCH_HPP_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "primitives/context.hpp"
#include "search/index.hpp"
#include "search/tokenizer.hpp"
#include "storage/mvcc_store.hpp"
#include "strata/search.hpp"
#include "txn/transaction_manager.hpp"

namespace strata::primitives {

// The searchable form of one entity.
struct ExtractedEntity {
  EntityRef ref;
  std::string text;  // What keyword search tokenizes.
  Value metadata;    // The object metadata filters test (null if none).
};

// Whether `key` of the (primitive, run) namespace holds an entity (not a
// head record, a secondary index entry or a collection definition).
bool IsEntityKey(Primitive primitive, std::string_view key);
// The searchable form of the entity stored as `stored` under `key`.
// REQUIRES: IsEntityKey(primitive, key). DataLoss for a damaged record.
// `with_metadata` false leaves `metadata` null (cheaper, for indexing).
absl::Status ExtractEntity(Primitive primitive, std::string_view run, std::string_view key,
                           const Value& stored, bool with_metadata, ExtractedEntity* out);

class SearchRegistry final : public txn::CommitObserver {
 public:
  // InvalidArgument for an unknown stemmer or a bad run id in
  // options.index_runs. `horizon` returns the oldest version a snapshot may
  // still read.
  static absl::StatusOr<std::unique_ptr<SearchRegistry>> Create(
      const SearchOptions& options, std::function<Version()> horizon);

  void OnCommit(Version version, TimestampMicros timestamp_us, std::string_view store_key,
                const storage::Mutation& mutation) override;

  // Whether commits into `run` are indexed.
  bool Indexes(std::string_view run) const {
    return index_all_ || runs_.contains(absl::string_view(run.data(), run.size()));
  }
  // Whether any run is indexed (the commit path skips the observer if not).
  bool any() const { return index_all_ || !runs_.empty(); }
  // The index of a namespace (NamespacePrefix), or null when it has none
  // (not indexed, or nothing was ever committed there).
  std::shared_ptr<search::InvertedIndex> Find(std::string_view ns) const;
  // Builds every index from the store at `snapshot`. REQUIRES: no commit
  // runs concurrently (used at open).
  void Rebuild(const storage::MvccStore& store, Version snapshot);

  const search::Tokenizer& tokenizer() const { return *tokenizer_; }
  // Totals over every index (documents that are live, and slots held).
  uint64_t live_docs() const;

 private:
  SearchRegistry(std::unique_ptr<search::Tokenizer> tokenizer, bool index_all,
                 absl::flat_hash_set<std::string> runs, std::function<Version()> horizon);
  void Apply(Version version, TimestampMicros timestamp_us, std::string_view store_key,
             const Value* value);

  std::unique_ptr<search::Tokenizer> tokenizer_;
  const bool index_all_;
  const absl::flat_hash_set<std::string> runs_;
  std::function<Version()> horizon_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<search::InvertedIndex>> indexes_
      ABSL_GUARDED_BY(mu_);
  std::atomic<uint64_t> applied_{0};
};

// The search (contract in strata/database.hpp) in c's view.
absl::StatusOr<SearchResponse> Search(OpContext& c, const SearchRequest& request);

}  // namespace strata::primitives

#endif  // STRATA_PRIMITIVES_SEARCH_HPP_
