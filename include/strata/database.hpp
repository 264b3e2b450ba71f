// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Database and Transaction: the embedded API.
//
// Database is an abstract interface. Database::Open returns the embedded
// implementation; the remote client implements the same interface, so an
// application and a test suite can run against either.
//
// Concurrency control is optimistic with snapshot reads:
//  * A transaction reads the state as of its snapshot version (the newest
//    committed version when it began) and sees its own writes.
//  * At commit it fails with a Conflict (absl Aborted) when anything it read
//    -- a key, a scanned prefix, a CAS expectation -- was changed by a
//    transaction that committed after its snapshot. First committer wins.
//  * Blind writes do not conflict; read-only transactions never conflict;
//    write skew between disjoint reads is allowed.
//  * An aborted transaction leaves no trace, in memory or on disk.
// A single operation called on Database (outside a transaction) behaves
// exactly like a transaction holding only that operation, and is faster.
//
// Errors (see strata/status.hpp for the stable names):
//   InvalidArgument    malformed run id, key, cursor or option
//   ResourceExhausted  a size limit (key, value, transaction) was exceeded
//   NotFound           the key or run does not exist
//   Conflict           (absl Aborted) OCC validation or CAS failed
//   VersionNotFound    a read at a version that was never committed
//   HistoryTrimmed     a read at a version that retention removed
//   Closed             the database was closed
//   IoError, DataLoss  the disk failed or holds damaged data
//
// Thread safety: Database is thread-safe. A Transaction must be used by one
// thread at a time; different transactions may run concurrently.
#ifndef STRATA_DATABASE_HPP_
#define STRATA_DATABASE_HPP_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "strata/export.hpp"
#include "strata/options.hpp"
#include "strata/types.hpp"
#include "strata/value.hpp"

namespace strata {

// Most entries returned by one list call.
inline constexpr uint32_t kMaxListLimit = 10000;

// A page of an ordered KV listing.
struct KvEntry {
  Key key;
  Versioned<Value> value;
};
struct KvPage {
  std::vector<KvEntry> entries;  // In ascending key order.
  // Pass as ListRequest::cursor to continue; empty when the listing is done.
  std::string next_cursor;
};

// What to list: the live keys of one run that start with `prefix`, in key
// order, strictly after `cursor` (an opaque value from KvPage::next_cursor,
// or empty to start), at most `limit` (1..kMaxListLimit) entries.
struct ListRequest {
  std::string prefix;
  std::string cursor;
  uint32_t limit = 100;
};

// One entry of a key's history, newest first.
struct KvVersion {
  Version version = 0;
  TimestampMicros timestamp_us = 0;
  bool deleted = false;  // A tombstone: the key was deleted at `version`.
  Value value;           // null for a tombstone.
};

struct DatabaseStats {
  DurabilityMode durability = DurabilityMode::kInMemory;
  Version current_version = 0;     // Newest visible commit.
  uint64_t live_keys = 0;          // Keys whose newest version is not deleted.
  uint64_t stored_versions = 0;    // Version-chain nodes held in memory.
  uint64_t memory_bytes = 0;       // Approximate memory held by the store.
  uint64_t commits = 0;            // Commits since open.
  uint64_t conflicts = 0;          // Transactions aborted by a Conflict.
  uint64_t wal_bytes = 0;          // Bytes in WAL segments on disk.
  uint64_t wal_segments = 0;
  uint64_t wal_syncs = 0;          // fdatasync calls since open.
  uint64_t recovered_records = 0;  // WAL records replayed at open.
  uint64_t discarded_bytes = 0;    // Bytes cut off by recovery at open.
};

// A transaction: buffered writes plus a snapshot to read from. Obtain one from
// Database::BeginTransaction. Not thread-safe. Destroying an uncommitted
// transaction rolls it back. After Commit or Rollback every call returns
// FailedPrecondition. An open transaction pins its snapshot: history it may
// read is not trimmed until it ends, so do not keep transactions open longer
// than needed.
// REQUIRES: every Transaction is destroyed before the Database it came from.
class STRATA_EXPORT Transaction {
 public:
  virtual ~Transaction() = default;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // The commit version this transaction reads at.
  virtual Version snapshot_version() const = 0;

  // Reads (record the key in the read set). NotFound when the key is absent
  // or deleted in this transaction's view.
  virtual absl::StatusOr<Versioned<Value>> KvGet(std::string_view run,
                                                 std::string_view key) = 0;
  virtual absl::StatusOr<bool> KvExists(std::string_view run,
                                        std::string_view key) = 0;
  // Lists in key order, merging this transaction's own writes. The scanned
  // key range is recorded, so a concurrent commit that adds, changes or
  // removes a key in that range makes this transaction conflict.
  virtual absl::StatusOr<KvPage> KvList(std::string_view run,
                                        const ListRequest& request) = 0;

  // Blind writes: buffered until commit, never cause a conflict by
  // themselves. `run` must exist (or be created in this transaction).
  virtual absl::Status KvPut(std::string_view run, std::string_view key,
                             Value value) = 0;
  virtual absl::Status KvDelete(std::string_view run,
                                std::string_view key) = 0;
  // Writes `value` if, at commit, the key's newest version is
  // `expected_version` (0: the key must not exist). Otherwise Commit fails
  // with Conflict.
  virtual absl::Status KvCompareAndSwap(std::string_view run,
                                        std::string_view key,
                                        Version expected_version,
                                        Value value) = 0;

  // Creates a run (a namespace for entities). AlreadyExists if it exists in
  // this transaction's view.
  virtual absl::Status CreateRun(std::string_view run) = 0;

  // Validates and applies atomically. Returns the commit version, or the
  // snapshot version for a transaction that wrote nothing. Conflict when
  // validation fails; nothing is applied then.
  virtual absl::StatusOr<Version> Commit() = 0;
  // Discards all writes. Idempotent.
  virtual void Rollback() = 0;

 protected:
  Transaction() = default;
};

class STRATA_EXPORT Database {
 public:
  // Opens (creating if allowed) the database in directory `path`.
  // Errors: InvalidArgument for bad options; NotFound when it does not exist
  // and create_if_missing is false; AlreadyExists with error_if_exists; Busy
  // when another process (or another handle in this process) holds it, naming
  // the holder's pid; DataLoss when the log is damaged (see RecoveryMode);
  // FailedPrecondition for a format version newer than this library.
  static absl::StatusOr<std::unique_ptr<Database>> Open(
      const std::string& path, const Options& options = {});

  // A database with no files. options.durability is ignored.
  static absl::StatusOr<std::unique_ptr<Database>> OpenInMemory(
      const Options& options = {});

  // The directory used when an application names none.
  static constexpr char kDefaultPath[] = "./strata.db";

  virtual ~Database() = default;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Makes every acknowledged commit durable, stops background work and
  // releases the directory lock. Later calls return Closed. Idempotent: a
  // second Close returns OK. The destructor closes too but drops the status.
  // REQUIRES: no other thread is using the database or its transactions.
  virtual absl::Status Close() = 0;

  // Starts a transaction reading at the newest committed version.
  virtual absl::StatusOr<std::unique_ptr<Transaction>> BeginTransaction() = 0;

  // Runs `fn` in a new transaction and commits it; on Conflict (from fn or
  // from commit) retries per `policy` with backoff. Any other error from fn
  // rolls back and is returned. Returns the commit version.
  virtual absl::StatusOr<Version> Transact(
      const std::function<absl::Status(Transaction&)>& fn,
      const RetryPolicy& policy = {}) = 0;

  // --- Runs. The run "default" always exists.
  virtual absl::StatusOr<Version> CreateRun(std::string_view run) = 0;
  virtual absl::StatusOr<bool> RunExists(std::string_view run) = 0;
  virtual absl::StatusOr<std::vector<RunId>> ListRuns() = 0;

  // --- KV, single-operation fast path. Writes return the commit version.
  virtual absl::StatusOr<Version> KvPut(std::string_view run,
                                        std::string_view key, Value value) = 0;
  virtual absl::StatusOr<Versioned<Value>> KvGet(std::string_view run,
                                                 std::string_view key) = 0;
  // NotFound (and nothing written) when the key does not exist.
  virtual absl::StatusOr<Version> KvDelete(std::string_view run,
                                           std::string_view key) = 0;
  virtual absl::StatusOr<bool> KvExists(std::string_view run,
                                        std::string_view key) = 0;
  virtual absl::StatusOr<KvPage> KvList(std::string_view run,
                                        const ListRequest& request) = 0;
  // Conflict carrying the current version (ErrorVersion) when the key's
  // newest version is not `expected_version` (0: must not exist).
  virtual absl::StatusOr<Version> KvCompareAndSwap(std::string_view run,
                                                   std::string_view key,
                                                   Version expected_version,
                                                   Value value) = 0;
  // The value as of commit version `version`: NotFound if the key did not
  // exist then, VersionNotFound if `version` is newer than every commit,
  // HistoryTrimmed (with the earliest retained version) if retention removed
  // it.
  virtual absl::StatusOr<Versioned<Value>> KvGetAt(std::string_view run,
                                                   std::string_view key,
                                                   Version version) = 0;
  // The retained versions of a key, newest first, at most `limit`
  // (1..kMaxListLimit), tombstones included. NotFound if it has none.
  virtual absl::StatusOr<std::vector<KvVersion>> KvHistory(
      std::string_view run, std::string_view key, uint32_t limit = 100) = 0;

  // --- Introspection and maintenance.
  // The newest committed (visible) version; 0 for an empty database.
  virtual Version CurrentVersion() const = 0;
  virtual DatabaseStats Stats() = 0;
  // Makes every commit acknowledged so far durable (writes and syncs the
  // log). A no-op for in-memory databases.
  virtual absl::Status Flush() = 0;

 protected:
  Database() = default;
};

}  // namespace strata

#endif  // STRATA_DATABASE_HPP_
