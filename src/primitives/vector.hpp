// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// The vector primitive: collections of vectors with metadata, stored in the
// (Primitive::kVector, run) namespace (layout in vector/record.hpp) and
// searched through a per-collection VectorIndex kept by the
// VectorRegistry.
//
// The registry is fed by the commit path (it is the transaction manager's
// commit observer for kVector mutations), so an index holds every commit
// before that commit becomes visible; searches then read it at their
// snapshot. When an index is missing or unusable, searches scan the store
// instead, which is always correct, only slower.
//
// Thread safety: VectorRegistry is thread-safe; the operations are
// stateless functions over an OpContext.
#ifndef STRATA_PRIMITIVES_VECTOR_HPP_
#define STRATA_PRIMITIVES_VECTOR_HPP_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "primitives/context.hpp"
#include "storage/mvcc_store.hpp"
#include "strata/vector.hpp"
#include "txn/transaction_manager.hpp"
#include "vector/index.hpp"

namespace strata::primitives {

class VectorRegistry final : public txn::CommitObserver {
 public:
  // `horizon` returns the oldest version a snapshot may still read.
  explicit VectorRegistry(std::function<Version()> horizon);

  void OnCommit(Version version, TimestampMicros timestamp_us, std::string_view store_key,
                const storage::Mutation& mutation) override;

  // The index of the collection whose definition is at store key
  // `definition_key`, if it answers for the definition written at
  // `incarnation`; null otherwise.
  std::shared_ptr<vector::VectorIndex> FindByKey(std::string_view definition_key,
                                                 Version incarnation) const;
  // Builds every index from the store at `snapshot`. REQUIRES: no commit
  // runs concurrently (used at open).
  void Rebuild(const storage::MvccStore& store, Version snapshot);

 private:
  mutable absl::Mutex mu_;
  // By the store key of the collection's definition.
  absl::flat_hash_map<std::string, std::shared_ptr<vector::VectorIndex>> indexes_
      ABSL_GUARDED_BY(mu_);
  std::function<Version()> horizon_;
  std::atomic<uint64_t> applied_{0};
};

absl::Status CreateCollection(OpContext& c, std::string_view run, const CollectionSpec& spec);
absl::StatusOr<CollectionInfo> DescribeCollection(OpContext& c, std::string_view run,
                                                  std::string_view name);
absl::StatusOr<std::vector<CollectionInfo>> ListCollections(OpContext& c, std::string_view run);
absl::Status DropCollection(OpContext& c, std::string_view run, std::string_view name);
absl::Status VectorUpsert(OpContext& c, std::string_view run, std::string_view collection,
                          std::string_view key, std::vector<float> vector, Value metadata);
absl::Status VectorUpsertBatch(OpContext& c, std::string_view run, std::string_view collection,
                               std::vector<VectorItem> items);
absl::StatusOr<Versioned<VectorEntry>> VectorGet(OpContext& c, std::string_view run,
                                                 std::string_view collection,
                                                 std::string_view key);
absl::Status VectorDelete(OpContext& c, std::string_view run, std::string_view collection,
                          std::string_view key);
absl::StatusOr<uint64_t> VectorCount(OpContext& c, std::string_view run,
                                     std::string_view collection);
absl::StatusOr<VectorSearchResult> VectorSearch(OpContext& c, std::string_view run,
                                                std::string_view collection,
                                                const VectorSearchRequest& request);

// A stored vector record as a VectorEntry (DataLoss if damaged).
absl::StatusOr<VectorEntry> DecodeVectorEntry(const Value& stored, uint32_t dimension);

}  // namespace strata::primitives

#endif  // STRATA_PRIMITIVES_VECTOR_HPP_
