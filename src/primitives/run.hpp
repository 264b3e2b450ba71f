// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// The run index and lifecycle. A run's record is stored under
// (Primitive::kRun, run, "") as an object Value (docs/storage-format.md):
//   {"status", "parent", "tags", "metadata", "created_us", "ended_us",
//    "base_version"}
// The run "default" exists without a record until something writes one.
//
// RunRegistry guards writes: every write into a run first checks, in the
// writing transaction, that the run is active, and adds a compare-and-swap
// expectation on the run record's newest version, so a transaction that
// writes into a run conflicts with a concurrent commit that ends, changes or
// deletes it. A small cache maps (run, record version) to status so the check
// costs a hash lookup in the common case.
//
// Thread safety: RunRegistry is thread-safe; the operations use their
// OpContext from one thread.
#ifndef STRATA_PRIMITIVES_RUN_HPP_
#define STRATA_PRIMITIVES_RUN_HPP_

#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "primitives/context.hpp"
#include "storage/mvcc_store.hpp"
#include "strata/primitives.hpp"

namespace strata::primitives {

std::string RunStoreKey(std::string_view run);
absl::Status RunNotFound(std::string_view run);

// The record of a run (without its id, which is the key) and back.
Value EncodeRunRecord(const RunInfo& info);
absl::StatusOr<RunInfo> DecodeRunRecord(std::string_view run, const Value& record);
// The object rendering of a run for Get(EntityRef): the record plus "id".
Value RunInfoToValue(const RunInfo& info);

class RunRegistry {
 public:
  explicit RunRegistry(storage::MvccStore* store) : store_(store) {}
  RunRegistry(const RunRegistry&) = delete;
  RunRegistry& operator=(const RunRegistry&) = delete;

  // OK if `run` accepts writes in `txn`: it is active in txn's own writes, or
  // its newest committed record is active (then txn expects that record
  // version at commit). NotFound / FailedPrecondition otherwise.
  absl::Status CheckWritable(txn::TxnContext& txn, std::string_view run);

  // For writes outside a transaction: the version of the run's record that
  // the write must expect at commit (CommitRequest::run_checks; 0 for
  // "default" without a record), or the error that refuses the write.
  // REQUIRES: `run` is a valid run id and `key` is RunStoreKey(run).
  absl::StatusOr<Version> WritableVersion(std::string_view run, const std::string& key);

  // True if the run exists now (newest installed state).
  bool Exists(std::string_view run) const;

 private:
  struct Entry {
    Version version = 0;
    RunStatus status = RunStatus::kActive;
    bool deleting = false;  // Marked by Database::DeleteRun (see MarkRunDeleting).
  };
  // The state of the run's record at `version`, from the cache or the store.
  absl::StatusOr<Entry> StateAt(std::string_view run, const std::string& key,
                                Version version);

  storage::MvccStore* const store_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> cache_ ABSL_GUARDED_BY(mu_);
};

// OK if `run` exists now or is created by c's transaction; NotFound (or
// InvalidArgument for a malformed id) otherwise. Reads use it to tell a
// missing entity from a missing run.
absl::Status CheckRunInView(OpContext& c, std::string_view run);

// Transactional operations (contracts in strata/database.hpp).
absl::Status CreateRunNamed(OpContext& c, std::string_view run);
absl::StatusOr<RunId> CreateRun(OpContext& c, const RunSpec& spec);
absl::StatusOr<Versioned<RunInfo>> GetRun(OpContext& c, std::string_view run);
absl::Status UpdateRunMetadata(OpContext& c, std::string_view run, Value metadata);
absl::Status EndRun(OpContext& c, std::string_view run, RunStatus status);
absl::Status ArchiveRun(OpContext& c, std::string_view run);
absl::Status DeleteRun(OpContext& c, std::string_view run);
// The first step of deleting a run outside a transaction: marks its record
// so that writes into the run are refused (NotFound, "being deleted"), which
// keeps busy writers from making the delete itself conflict forever.
// ClearRunDeleting undoes the mark if the delete fails.
absl::Status MarkRunDeleting(OpContext& c, std::string_view run);
absl::Status ClearRunDeleting(OpContext& c, std::string_view run);
absl::StatusOr<std::vector<RunInfo>> QueryRuns(OpContext& c, const RunQuery& query);
// Every run id, sorted.
std::vector<RunId> ListRunIds(OpContext& c);

}  // namespace strata::primitives

#endif  // STRATA_PRIMITIVES_RUN_HPP_
