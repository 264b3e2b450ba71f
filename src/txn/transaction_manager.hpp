// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// TransactionManager: the commit pipeline shared by transactions and
// single-operation fast paths.
//
// Commit(request):
//  1. Encode the WAL record (outside any lock).
//  2. Under the commit lock: if the request read anything, wait until every
//     earlier commit is installed, then validate reads, scanned ranges and
//     CAS expectations against the newest installed versions (first
//     committer wins). Assign the next version and a timestamp that never
//     goes backwards, patch them into the record and append it to the WAL
//     buffer. Blind writes skip validation entirely.
//     Run records (Primitive::kRun) and JSON documents are installed here,
//     under the lock, so that run checks and JSON region checks never wait
//     for installs, and so a JSON patch applies to the newest document.
//  3. Outside the lock: install the rest of the write set into the store,
//     then mark the version installed in commit order.
//  4. Strict: wait for the group-commit sync of the record.
//  5. Publish visibility: the visible version is the newest version v such
//     that every version <= v is installed (and, in Strict mode, durable).
//     New snapshots read at the visible version, so no reader ever sees a
//     partial transaction or a commit that a crash could take back.
//
// Thread safety: thread-safe.
#ifndef STRATA_TXN_TRANSACTION_MANAGER_HPP_
#define STRATA_TXN_TRANSACTION_MANAGER_HPP_

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "storage/mvcc_store.hpp"
#include "storage/snapshot_registry.hpp"
#include "storage/wal_writer.hpp"
#include "storage/write_set.hpp"
#include "json/patch.hpp"
#include "json/path.hpp"
#include "strata/options.hpp"

namespace strata::txn {

// A key range [start, end) read by a scan; `end` empty means unbounded.
struct ScanRange {
  std::string start;
  std::string end;
};

struct CasCheck {
  std::string store_key;
  Version expected = 0;  // 0: the key must not exist (or be deleted).
};

// A region of a JSON document this transaction read or wrote: Commit fails
// if a commit after the snapshot changed an overlapping region of it.
struct RegionCheck {
  std::string store_key;
  json::Path path;
};

struct CommitRequest {
  Version snapshot = 0;
  std::vector<std::string> reads;  // Store keys read.
  std::vector<ScanRange> scans;
  std::vector<CasCheck> cas;
  // Expectations on run records (Primitive::kRun): checked like `cas`, but
  // without waiting for earlier commits to finish installing, because run
  // records are installed before the commit lock is released. This keeps
  // blind writes into a run free of the validation wait.
  std::vector<CasCheck> run_checks;
  // JSON regions (checked without waiting for installs, for the same reason:
  // JSON documents are installed under the commit lock).
  std::vector<RegionCheck> regions;
  // Mutations. Those of JSON documents (Primitive::kJson) are installed
  // under the commit lock; a kJsonPatch is applied to the document's newest
  // version there, and an operation that does not apply fails the commit
  // with its error (nothing is logged or installed).
  std::vector<storage::Mutation> mutations;
  std::vector<std::string> store_keys;  // Parallel to `mutations`.
};

// The record that applying the encoded operation list `ops` to the newest
// installed version of the JSON document at `store_key` produces (see
// json::ApplyToRecord; NotFound when there is no live version). Both the
// commit path and log replay use it, each while nothing else installs
// JSON documents.
absl::Status ApplyJsonPatchAtHead(const storage::MvccStore& store, std::string_view store_key,
                                  std::string_view ops, std::string* record);

// Told about committed mutations after the commit is logged and before it
// becomes visible, so derived indexes hold every commit a new snapshot can
// see. Calls come from committing threads, concurrently and not
// necessarily in version order; the mutations of one commit come in store
// key order. A kJsonPatch arrives as the kPut of the document it produced.
class CommitObserver {
 public:
  virtual ~CommitObserver() = default;
  virtual void OnCommit(Version version, TimestampMicros timestamp_us,
                        std::string_view store_key, const storage::Mutation& mutation) = 0;
};

class TransactionManager {
 public:
  // `wal` is null for in-memory databases.
  TransactionManager(storage::MvccStore* store, storage::WalWriter* wal,
                     DurabilityMode mode, bool trims_history);
  TransactionManager(const TransactionManager&) = delete;
  TransactionManager& operator=(const TransactionManager&) = delete;

  // Sets the state found by recovery. REQUIRES: no commit has run.
  void SetRecovered(Version last_version, TimestampMicros last_timestamp_us);

  // Commits `request` (its mutations are consumed). Returns the commit
  // version; for a request without mutations, the snapshot version.
  // Errors: Conflict (carrying the current version for a failed CAS);
  // IoError from the log, after which no commit can succeed.
  absl::StatusOr<Version> Commit(CommitRequest& request);

  // REQUIRES: set before any commit; `observer` outlives the manager's use.
  // The vector observer sees mutations of the vector primitive; the search
  // observer sees every mutation.
  void set_vector_observer(CommitObserver* observer) { vector_observer_ = observer; }
  void set_search_observer(CommitObserver* observer) { search_observer_ = observer; }

  const std::atomic<Version>& visible() const { return visible_; }
  Version visible_version() const { return visible_.load(std::memory_order_acquire); }
  storage::SnapshotRegistry& snapshots() { return snapshots_; }
  storage::MvccStore* store() const { return store_; }

  uint64_t commit_count() const { return commits_.load(std::memory_order_relaxed); }
  uint64_t conflict_count() const { return conflicts_.load(std::memory_order_relaxed); }

 private:
  absl::Status Validate(const CommitRequest& request)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(commit_mu_);
  absl::Status ValidateRunChecks(const CommitRequest& request)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(commit_mu_);
  absl::Status ValidateRegions(const CommitRequest& request)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(commit_mu_);
  // Turns each kJsonPatch mutation into a kPut of the resulting record.
  absl::Status ApplyJsonPatches(CommitRequest& request)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(commit_mu_);
  void WaitInstalled(Version v) const;
  void PublishVisible();
  Version TrimHorizon(Version version);

  storage::MvccStore* const store_;
  storage::WalWriter* const wal_;
  const DurabilityMode mode_;
  const bool trims_history_;
  storage::SnapshotRegistry snapshots_;
  CommitObserver* vector_observer_ = nullptr;
  CommitObserver* search_observer_ = nullptr;

  absl::Mutex commit_mu_;
  Version last_assigned_ ABSL_GUARDED_BY(commit_mu_) = 0;
  TimestampMicros last_timestamp_us_ ABSL_GUARDED_BY(commit_mu_) = 0;

  // Every version <= installed_ is in the store.
  std::atomic<Version> installed_{0};
  std::atomic<Version> visible_{0};
  std::atomic<Version> horizon_{0};

  std::atomic<uint64_t> commits_{0};
  std::atomic<uint64_t> conflicts_{0};
};

}  // namespace strata::txn

#endif  // STRATA_TXN_TRANSACTION_MANAGER_HPP_
