// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// TxnContext: the state of one optimistic transaction, independent of any
// primitive: a pinned snapshot, buffered writes keyed by store key, and the
// read set (keys, scanned ranges, CAS expectations) validated at commit.
// Primitives (src/primitives/) implement their semantics on top of it.
//
// Thread safety: not thread-safe; one thread at a time.
#ifndef STRATA_TXN_TRANSACTION_IMPL_HPP_
#define STRATA_TXN_TRANSACTION_IMPL_HPP_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "absl/container/btree_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/status/statusor.h"
#include "json/path.hpp"
#include "storage/mvcc_store.hpp"
#include "txn/transaction_manager.hpp"

namespace strata::txn {

struct TxnLimits {
  uint64_t max_transaction_bytes = 64ull << 20;
  uint32_t max_transaction_ops = 100000;
};

class TxnContext {
 public:
  // State a primitive keeps for the life of a transaction, turned into
  // writes when the transaction commits. The JSON primitive keeps its
  // working copy of each document it touched here, and logs path-level
  // operations at commit.
  class Extension {
   public:
    virtual ~Extension() = default;
    // Called once by Commit, before the write set is validated. An error
    // fails the commit.
    virtual absl::Status Flush(TxnContext& txn) = 0;
  };

  // `record_reads` false makes a read-only context that keeps no read set
  // (for single reads outside a transaction, which never validate).
  TxnContext(TransactionManager* manager, const TxnLimits& limits,
             bool record_reads = true);
  ~TxnContext();
  TxnContext(const TxnContext&) = delete;
  TxnContext& operator=(const TxnContext&) = delete;

  Version snapshot() const { return pin_.version; }
  bool finished() const { return finished_; }
  // False for read-only contexts that keep no read set.
  bool record_reads() const { return record_reads_; }
  TransactionManager* manager() const { return manager_; }

  Extension* extension() const { return extension_.get(); }
  void set_extension(std::unique_ptr<Extension> extension) {
    extension_ = std::move(extension);
  }
  // Adds a JSON region to the read set (see CommitRequest::regions).
  void AddRegionCheck(std::string_view store_key, json::Path path) {
    if (record_reads_) {
      request_.regions.push_back(RegionCheck{std::string(store_key), std::move(path)});
    }
  }

  // Reads a key: this transaction's own write if any, else the snapshot.
  // Snapshot reads are added to the read set.
  storage::ReadStatus Read(std::string_view store_key, Versioned<Value>* out,
                           Version* earliest = nullptr);
  // Like Read, without copying the value: sets `*version` (0 for this
  // transaction's own write).
  storage::ReadStatus ReadVersion(std::string_view store_key, Version* version);
  // Like Read, in place: calls `fn(value, version, timestamp)` with the
  // value Read would copy out, under the store's lock (see
  // MvccStore::Visit). Returns what Read would.
  storage::ReadStatus Visit(std::string_view store_key, storage::MvccStore::VisitFn fn);
  // Reads many keys in place: calls `fn(i, value, version, timestamp)` once
  // for each store_keys[i] this transaction sees a value for (its own write,
  // reported with version 0 and timestamp 0, else the snapshot), in no
  // particular order; keys it sees no value for are skipped. Snapshot reads
  // are added to the read set. `fn` runs under store locks (see
  // MvccStore::VisitMany): it must be short and must not use this context.
  using ReadManyFn = storage::MvccStore::ManyFn;
  void ReadMany(absl::Span<const std::string_view> store_keys, ReadManyFn fn);
  // The newest committed version of the key (0 if absent or deleted),
  // regardless of the snapshot and of this transaction's own writes. Not
  // added to the read set: callers pair it with ExpectVersion.
  Version NewestCommittedVersion(std::string_view store_key) const {
    return manager_->store()->LiveHeadVersion(store_key);
  }

  // Visits live entries in [start, end) in key order, merging own writes
  // (reported with version 0), until `fn` returns false. The range actually
  // covered is added to the read set.
  using ScanFn = std::function<bool(std::string_view store_key,
                                    const Versioned<Value>& value)>;
  void Scan(std::string_view start, std::string_view end, const ScanFn& fn);

  // Adds [start, end) to the read set as a scanned range without reading
  // it (for reads answered from a derived index over the range).
  void AddScanRange(std::string_view start, std::string_view end) {
    if (record_reads_) request_.scans.push_back(ScanRange{std::string(start), std::string(end)});
  }
  // Calls `fn(store_key, deleted, value)` for each of this transaction's
  // own writes in [start, end) (end non-empty), in key order.
  using PendingFn =
      std::function<void(std::string_view store_key, bool deleted, const Value& value)>;
  void VisitPending(std::string_view start, std::string_view end, const PendingFn& fn) const {
    for (auto it = writes_.lower_bound(start); it != writes_.end() && it->first < end; ++it) {
      fn(it->first, it->second.type == storage::MutationType::kDelete, it->second.value);
    }
  }

  // Buffers a write. ResourceExhausted beyond the transaction limits
  // (`counts_as_op` false exempts it from max_transaction_ops, not from
  // max_transaction_bytes).
  absl::Status Write(storage::MutationType type, Primitive primitive,
                     std::string_view run, std::string_view key, Value value,
                     bool counts_as_op = true);
  // Adds a CAS expectation on a store key.
  void ExpectVersion(std::string store_key, Version expected);
  // Adds an expectation on a run record (see CommitRequest::run_checks).
  void ExpectRunVersion(std::string store_key, Version expected) {
    request_.run_checks.push_back(CasCheck{std::move(store_key), expected});
  }

  // Does this transaction hold a pending write for the key? Sets `*deleted`.
  bool HasPendingWrite(std::string_view store_key, bool* deleted) const;
  // The value of this transaction's pending put of the key, or null (no
  // pending write, or a pending delete).
  const Value* PendingValue(std::string_view store_key) const;

  // Whether `run` was checked writable in this transaction (see
  // primitives::RunRegistry), and recording that it was.
  bool RunChecked(std::string_view run) const {
    for (const std::string& r : checked_runs_) {
      if (r == run) return true;
    }
    return false;
  }
  void MarkRunChecked(std::string_view run) { checked_runs_.emplace_back(run); }

  absl::StatusOr<Version> Commit();
  void Rollback();

 private:
  struct Pending {
    storage::MutationType type;
    Primitive primitive;
    std::string run;
    std::string key;
    Value value;
  };
  void Finish();

  TransactionManager* const manager_;
  const TxnLimits limits_;
  const bool record_reads_;
  // Transactions touch few runs: a linear search beats hashing here.
  absl::InlinedVector<std::string, 2> checked_runs_;
  storage::SnapshotRegistry::Pin pin_;
  bool finished_ = false;
  absl::btree_map<std::string, Pending, std::less<>> writes_;
  uint64_t write_bytes_ = 0;
  uint32_t write_ops_ = 0;
  CommitRequest request_;  // Read set accumulates here.
  std::unique_ptr<Extension> extension_;
};

}  // namespace strata::txn

#endif  // STRATA_TXN_TRANSACTION_IMPL_HPP_
