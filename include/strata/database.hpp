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
//   InvalidArgument    malformed run id, key, cursor, option or name
//   FailedPrecondition a write into a run that is not active; an invalid
//                      run status transition (naming both states)
//   ResourceExhausted  a size limit (key, value, transaction) was exceeded
//   NotFound           the key or run does not exist
//   Conflict           (absl Aborted) OCC validation or CAS failed
//   VersionNotFound    a read at a version that was never committed
//   HistoryTrimmed     a read at a version that retention removed
//   Closed             the database was closed
//   IoError, DataLoss  the disk failed or holds damaged data
//
// Runs: every entity lives in a run; the run "default" always exists and is
// always active. Writes need an active run (FailedPrecondition otherwise, and
// NotFound for a run that does not exist); reads work in every state. A
// transaction that writes into a run conflicts with a concurrent commit that
// changes the run's record (status, metadata) or deletes it.
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
#include "strata/primitives.hpp"
#include "strata/search.hpp"
#include "strata/types.hpp"
#include "strata/value.hpp"
#include "strata/vector.hpp"

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

// A page of document ids (JsonList).
struct IdPage {
  std::vector<std::string> ids;  // In ascending order.
  // Pass as ListRequest::cursor to continue; empty when the listing is done.
  std::string next_cursor;
};

// What a checkpoint or an export wrote.
struct CheckpointInfo {
  Version watermark = 0;         // Every commit <= watermark is in the snapshot.
  std::string snapshot_id;       // File name of the snapshot (or the export path).
  TimestampMicros timestamp_us = 0;
  uint64_t bytes = 0;            // Size of the file written.
  uint64_t keys = 0;             // Keys (entities and index entries) written.
  uint64_t versions = 0;         // Versions written, tombstones included.
};

enum class CompactMode {
  kWalOnly,  // Remove WAL segments that the kept snapshots cover.
  kFull,     // Also apply the retention policy to every key now.
};

struct CompactInfo {
  uint64_t reclaimed_bytes = 0;       // Bytes of files removed.
  uint64_t wal_segments_removed = 0;
  uint64_t versions_removed = 0;      // History versions dropped by retention.
};

// What a database is (Database::Info).
struct DatabaseInfo {
  std::string path;              // Directory; empty for an in-memory database.
  std::string uuid;              // Database UUID; empty for in-memory.
  uint32_t format_version = 0;   // MANIFEST format version; 0 for in-memory.
  DurabilityMode durability = DurabilityMode::kInMemory;
  std::string library_version;   // STRATA_VERSION_STRING of this library.
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
  Version recovered_from_snapshot = 0;  // Watermark of the snapshot loaded at open.
  Version snapshot_watermark = 0;  // Newest checkpoint's watermark (0: none).
  uint64_t checkpoints = 0;        // Checkpoints since open.
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
  // Creates a run from a spec; returns its id (generated if spec.id is
  // empty). NotFound for a parent that does not exist; InvalidArgument for
  // metadata that is not an object or a bad tag.
  virtual absl::StatusOr<RunId> CreateRun(const RunSpec& spec) = 0;
  // NotFound if the run does not exist.
  virtual absl::StatusOr<Versioned<RunInfo>> GetRun(std::string_view run) = 0;
  // Replaces the run's metadata (an object). Allowed in every status.
  virtual absl::Status UpdateRunMetadata(std::string_view run, Value metadata) = 0;
  // Ends an active run with completed, failed or cancelled.
  // FailedPrecondition naming both states for any other transition.
  virtual absl::Status EndRun(std::string_view run, RunStatus status) = 0;
  // completed | failed | cancelled -> archived.
  virtual absl::Status ArchiveRun(std::string_view run) = 0;
  // Deletes the run and every entity in it, in every primitive. The run
  // "default" cannot be deleted. The deleted run's keys count towards
  // Options::max_transaction_bytes but not max_transaction_ops. A commit
  // that adds to the run meanwhile makes this transaction conflict.
  // Database::DeleteRun first marks the run as being deleted, refusing
  // further writes into it with NotFound, so busy writers cannot starve it.
  virtual absl::Status DeleteRun(std::string_view run) = 0;

  // --- Event log. Events are immutable: there is no update or delete.
  // Appends an event; returns its seq (dense from 1 per run). Concurrent
  // appends to one run conflict at commit (one of them retries).
  // InvalidArgument for an empty type or one with a NUL byte;
  // ResourceExhausted for an oversize type or payload.
  virtual absl::StatusOr<EventAppended> EventAppend(std::string_view run,
                                                    std::string_view type,
                                                    Value payload) = 0;
  // NotFound if the run has no event `seq`.
  virtual absl::StatusOr<Versioned<Event>> EventRead(std::string_view run,
                                                     uint64_t seq) = 0;
  virtual absl::StatusOr<EventPage> EventList(std::string_view run,
                                              const EventQuery& query) = 0;
  // The number of events in the run (the seq of the newest).
  virtual absl::StatusOr<uint64_t> EventLength(std::string_view run) = 0;

  // --- State cells. Versions are commit versions.
  // AlreadyExists if the cell exists.
  virtual absl::Status StateInit(std::string_view run, std::string_view name,
                                 Value value) = 0;
  // NotFound if the cell does not exist.
  virtual absl::StatusOr<Versioned<Value>> StateRead(std::string_view run,
                                                     std::string_view name) = 0;
  // Writes the cell, creating it if needed (a blind write).
  virtual absl::Status StateSet(std::string_view run, std::string_view name,
                                Value value) = 0;
  // Writes `value` if the cell's committed version is `expected_version`:
  // NotFound for a missing cell; Conflict carrying the current version (now
  // or at commit) when it moved.
  virtual absl::Status StateCas(std::string_view run, std::string_view name,
                                Version expected_version, Value value) = 0;
  // NotFound if the cell does not exist.
  virtual absl::Status StateDelete(std::string_view run, std::string_view name) = 0;
  // Cells in name order, like KvList (KvEntry::key is the cell name).
  virtual absl::StatusOr<KvPage> StateList(std::string_view run,
                                           const ListRequest& request) = 0;

  // --- Trace spans.
  // Records a completed span; returns its id. NotFound for a parent that
  // does not exist; InvalidArgument for an empty name, a status of running,
  // or end before start.
  virtual absl::StatusOr<uint64_t> TraceRecord(std::string_view run,
                                               const SpanSpec& spec) = 0;
  // Begins a span (status running); end it with TraceEnd.
  virtual absl::StatusOr<uint64_t> TraceBegin(std::string_view run,
                                              const SpanSpec& spec) = 0;
  // Ends a running span. NotFound for an unknown span; FailedPrecondition if
  // it already ended; InvalidArgument for status running or end_us before
  // the start. end_us 0 means now.
  virtual absl::Status TraceEnd(std::string_view run, uint64_t span_id,
                                SpanStatus status, Value output,
                                TimestampMicros end_us = 0) = 0;
  // NotFound if the run has no span `span_id`.
  virtual absl::StatusOr<Versioned<Span>> TraceGet(std::string_view run,
                                                   uint64_t span_id) = 0;
  virtual absl::StatusOr<SpanPage> TraceQuery(std::string_view run,
                                              const SpanQuery& query) = 0;

  // --- JSON documents (docs/json.md). A document is a Value addressed by
  // (run, id); `path` is a JSON Pointer (RFC 6901) or the "$.a.b[0]" form,
  // "" or "$" being the whole document. A malformed path is InvalidArgument
  // naming the position. Reads record the region they read, writes the
  // region they change: two transactions conflict only when those regions
  // overlap (same path, ancestor or descendant) in the same document.
  // Versions are commit versions of the whole document.
  // AlreadyExists if the document exists; ResourceExhausted beyond the
  // document size (json::kMaxDocumentBytes, 16 MiB encoded) or depth limit.
  virtual absl::Status JsonCreate(std::string_view run, std::string_view id,
                                  Value document) = 0;
  // The value at `path`, with the document's version. NotFound for a missing
  // document or path.
  virtual absl::StatusOr<Versioned<Value>> JsonGet(std::string_view run,
                                                   std::string_view id,
                                                   std::string_view path = "") = 0;
  virtual absl::StatusOr<bool> JsonExists(std::string_view run,
                                          std::string_view id) = 0;
  // Replaces or adds the value at `path`, creating missing intermediate
  // objects; at an array an in-range index replaces and "-" (or the length)
  // appends. NotFound for a missing document; InvalidArgument when the path
  // crosses a scalar or an array with a bad index.
  virtual absl::Status JsonSet(std::string_view run, std::string_view id,
                               std::string_view path, Value value) = 0;
  // Removes the value at `path`. NotFound if it does not exist;
  // InvalidArgument for the root (use JsonDestroy).
  virtual absl::Status JsonDelete(std::string_view run, std::string_view id,
                                  std::string_view path) = 0;
  // Applies an RFC 6902 patch (an array of operations) all or nothing.
  // InvalidArgument for a malformed patch or an operation that does not
  // apply; FailedPrecondition for a failed `test`; NotFound for a missing
  // document or path.
  virtual absl::Status JsonPatch(std::string_view run, std::string_view id,
                                 const Value& patch) = 0;
  // Applies an RFC 7386 merge patch to the whole document.
  virtual absl::Status JsonMergePatch(std::string_view run, std::string_view id,
                                      const Value& patch) = 0;
  // JsonPatch if the document's committed version is `expected_version`;
  // Conflict carrying the current version otherwise (now or at commit).
  virtual absl::Status JsonCas(std::string_view run, std::string_view id,
                               Version expected_version, const Value& patch) = 0;
  // Deletes the whole document. NotFound if it does not exist.
  virtual absl::Status JsonDestroy(std::string_view run, std::string_view id) = 0;
  // Document ids with `request.prefix`, in order, after `request.cursor`.
  virtual absl::StatusOr<IdPage> JsonList(std::string_view run,
                                          const ListRequest& request) = 0;

  // --- Vectors (docs/vector.md). A collection lives in a run and holds
  // vectors of one dimension, keyed by a byte string, each with optional
  // metadata (a JSON object). Vector writes commit atomically with the rest
  // of the transaction; searches and reads see the transaction's snapshot
  // plus its own writes. Writes read the collection's definition, so a
  // concurrent drop makes them conflict.
  // AlreadyExists if the collection exists; InvalidArgument for a bad name,
  // dimension, metric or index option.
  virtual absl::Status CreateCollection(std::string_view run, const CollectionSpec& spec) = 0;
  // NotFound if the collection does not exist.
  virtual absl::StatusOr<CollectionInfo> DescribeCollection(std::string_view run,
                                                            std::string_view name) = 0;
  // In name order.
  virtual absl::StatusOr<std::vector<CollectionInfo>> ListCollections(std::string_view run) = 0;
  // Deletes the collection and every vector in it. NotFound if it does not
  // exist.
  virtual absl::Status DropCollection(std::string_view run, std::string_view name) = 0;
  // Inserts or replaces the vector at `key`. NotFound for a missing
  // collection; InvalidArgument for a wrong dimension, a NaN or infinite
  // component, a zero vector in a cosine collection, or metadata that is
  // not an object (or null); ResourceExhausted for oversize metadata.
  virtual absl::Status VectorUpsert(std::string_view run, std::string_view collection,
                                    std::string_view key, std::vector<float> vector,
                                    Value metadata = Value()) = 0;
  // VectorUpsert of each item; the first bad item fails the whole batch.
  virtual absl::Status VectorUpsertBatch(std::string_view run, std::string_view collection,
                                         std::vector<VectorItem> items) = 0;
  // NotFound for a missing collection or key.
  virtual absl::StatusOr<Versioned<VectorEntry>> VectorGet(std::string_view run,
                                                           std::string_view collection,
                                                           std::string_view key) = 0;
  // NotFound for a missing collection or key.
  virtual absl::Status VectorDelete(std::string_view run, std::string_view collection,
                                    std::string_view key) = 0;
  virtual absl::StatusOr<uint64_t> VectorCount(std::string_view run,
                                               std::string_view collection) = 0;
  // The k most similar vectors that pass the filter. InvalidArgument for a
  // query of the wrong dimension or with non-finite components, k outside
  // 1..kMaxSearchK, or a malformed filter. A search records the collection
  // as scanned: a concurrent write to it makes this transaction conflict
  // at commit if the transaction also wrote.
  virtual absl::StatusOr<VectorSearchResult> VectorSearch(std::string_view run,
                                                          std::string_view collection,
                                                          const VectorSearchRequest& request) = 0;

  // --- Search (docs/search.md): keyword (BM25), vector or hybrid search
  // over every primitive, fused by Reciprocal Rank Fusion. It sees this
  // transaction's snapshot and its own writes. InvalidArgument for a bad
  // request (empty query, k outside 1..kMaxSearchHits, an unknown
  // primitive, a run id that is not valid, a query vector that is empty or
  // not finite, a metadata filter value that is not a scalar, bm25 k1/b out
  // of range); NotFound for a run in the filter that does not exist or a
  // named vector collection that no searched run has. A search records what it covered as scanned: a concurrent
  // write there makes this transaction conflict at commit if it also wrote.
  virtual absl::StatusOr<SearchResponse> Search(const SearchRequest& request) = 0;

  // --- Any entity by address (see EntityRef): the value for kv and state,
  // an object rendering for events ({seq, type, payload, timestamp_us,
  // prev_hash, hash}), spans, runs and vectors ({vector, metadata}).
  // NotFound if it does not exist.
  virtual absl::StatusOr<Versioned<Value>> Get(const EntityRef& ref) = 0;

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

  // Creates a database in directory `path` from a file written by Export:
  // the new database holds exactly what the exported one held, history
  // included, under the exported UUID. AlreadyExists if `path` holds a
  // database; DataLoss or FailedPrecondition for a damaged or newer file.
  static absl::StatusOr<std::unique_ptr<Database>> Import(
      const std::string& file, const std::string& path, const Options& options = {});

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
  // The ids of every run, sorted.
  virtual absl::StatusOr<std::vector<RunId>> ListRuns() = 0;
  // See Transaction for the contracts of the run operations.
  virtual absl::StatusOr<Versioned<RunInfo>> CreateRun(const RunSpec& spec) = 0;
  virtual absl::StatusOr<Versioned<RunInfo>> GetRun(std::string_view run) = 0;
  virtual absl::StatusOr<std::vector<RunInfo>> QueryRuns(const RunQuery& query) = 0;
  virtual absl::StatusOr<Version> UpdateRunMetadata(std::string_view run,
                                                    Value metadata) = 0;
  virtual absl::StatusOr<Version> EndRun(std::string_view run, RunStatus status) = 0;
  virtual absl::StatusOr<Version> ArchiveRun(std::string_view run) = 0;
  virtual absl::StatusOr<Version> DeleteRun(std::string_view run) = 0;

  // --- Event log (see Transaction). Appends retry internally on conflicts
  // with concurrent appenders, so each gets a distinct, dense seq.
  virtual absl::StatusOr<EventAppended> EventAppend(std::string_view run,
                                                    std::string_view type,
                                                    Value payload) = 0;
  virtual absl::StatusOr<Versioned<Event>> EventRead(std::string_view run,
                                                     uint64_t seq) = 0;
  virtual absl::StatusOr<EventPage> EventList(std::string_view run,
                                              const EventQuery& query) = 0;
  virtual absl::StatusOr<uint64_t> EventLength(std::string_view run) = 0;
  // The newest event; NotFound if the run has none.
  virtual absl::StatusOr<Versioned<Event>> EventLatest(std::string_view run) = 0;
  // Recomputes every hash of the run's chain and checks the links. Damage is
  // reported in the ChainReport, not as an error; errors are for a bad or
  // unknown run.
  virtual absl::StatusOr<ChainReport> EventVerifyChain(std::string_view run) = 0;

  // --- State cells (see Transaction).
  virtual absl::StatusOr<Version> StateInit(std::string_view run, std::string_view name,
                                            Value value) = 0;
  virtual absl::StatusOr<Versioned<Value>> StateRead(std::string_view run,
                                                     std::string_view name) = 0;
  virtual absl::StatusOr<Version> StateSet(std::string_view run, std::string_view name,
                                           Value value) = 0;
  virtual absl::StatusOr<Version> StateCas(std::string_view run, std::string_view name,
                                           Version expected_version, Value value) = 0;
  // Read-modify-write: calls `fn` with the current value and writes what it
  // returns, retrying from a fresh read when a concurrent commit changed the
  // cell, up to `max_attempts` times (then Conflict). An error from `fn` is
  // returned as is and nothing is written. Returns the new value and its
  // version. NotFound for a missing cell. `fn` may run more than once.
  using StateTransitionFn =
      std::function<absl::StatusOr<Value>(const Versioned<Value>& current)>;
  virtual absl::StatusOr<Versioned<Value>> StateTransition(
      std::string_view run, std::string_view name, const StateTransitionFn& fn,
      uint32_t max_attempts = 16) = 0;
  virtual absl::StatusOr<Version> StateDelete(std::string_view run,
                                              std::string_view name) = 0;
  virtual absl::StatusOr<KvPage> StateList(std::string_view run,
                                           const ListRequest& request) = 0;

  // --- Trace spans (see Transaction).
  virtual absl::StatusOr<uint64_t> TraceRecord(std::string_view run,
                                               const SpanSpec& spec) = 0;
  virtual absl::StatusOr<uint64_t> TraceBegin(std::string_view run,
                                              const SpanSpec& spec) = 0;
  virtual absl::StatusOr<Version> TraceEnd(std::string_view run, uint64_t span_id,
                                           SpanStatus status, Value output,
                                           TimestampMicros end_us = 0) = 0;
  virtual absl::StatusOr<Versioned<Span>> TraceGet(std::string_view run,
                                                   uint64_t span_id) = 0;
  virtual absl::StatusOr<SpanPage> TraceQuery(std::string_view run,
                                              const SpanQuery& query) = 0;
  // The run's whole span tree. ResourceExhausted above 1,000,000 spans.
  virtual absl::StatusOr<std::vector<SpanTreeNode>> TraceTree(std::string_view run) = 0;
  // The number of spans in the run.
  virtual absl::StatusOr<uint64_t> TraceCount(std::string_view run) = 0;

  // --- JSON documents (see Transaction). Writes retry internally when a
  // concurrent commit touched an overlapping region.
  virtual absl::StatusOr<Version> JsonCreate(std::string_view run, std::string_view id,
                                             Value document) = 0;
  virtual absl::StatusOr<Versioned<Value>> JsonGet(std::string_view run,
                                                   std::string_view id,
                                                   std::string_view path = "") = 0;
  virtual absl::StatusOr<bool> JsonExists(std::string_view run, std::string_view id) = 0;
  virtual absl::StatusOr<Version> JsonSet(std::string_view run, std::string_view id,
                                          std::string_view path, Value value) = 0;
  virtual absl::StatusOr<Version> JsonDelete(std::string_view run, std::string_view id,
                                             std::string_view path) = 0;
  virtual absl::StatusOr<Version> JsonPatch(std::string_view run, std::string_view id,
                                            const Value& patch) = 0;
  virtual absl::StatusOr<Version> JsonMergePatch(std::string_view run,
                                                 std::string_view id,
                                                 const Value& patch) = 0;
  // Never retried: a Conflict carries the current version.
  virtual absl::StatusOr<Version> JsonCas(std::string_view run, std::string_view id,
                                          Version expected_version,
                                          const Value& patch) = 0;
  virtual absl::StatusOr<Version> JsonDestroy(std::string_view run,
                                              std::string_view id) = 0;
  virtual absl::StatusOr<IdPage> JsonList(std::string_view run,
                                          const ListRequest& request) = 0;
  // The value at `path` of the document as of commit version `version`, with
  // the errors of KvGetAt.
  virtual absl::StatusOr<Versioned<Value>> JsonGetAt(std::string_view run,
                                                     std::string_view id,
                                                     std::string_view path,
                                                     Version version) = 0;
  // The retained versions of the whole document, newest first (tombstones
  // for destroys), like KvHistory.
  virtual absl::StatusOr<std::vector<KvVersion>> JsonHistory(std::string_view run,
                                                             std::string_view id,
                                                             uint32_t limit = 100) = 0;

  // --- Vectors (see Transaction). Writes return the commit version and
  // retry internally when a concurrent commit changes the collection's
  // definition under them; searches read the newest snapshot.
  virtual absl::StatusOr<Version> CreateCollection(std::string_view run,
                                                   const CollectionSpec& spec) = 0;
  virtual absl::StatusOr<CollectionInfo> DescribeCollection(std::string_view run,
                                                            std::string_view name) = 0;
  virtual absl::StatusOr<std::vector<CollectionInfo>> ListCollections(std::string_view run) = 0;
  virtual absl::StatusOr<Version> DropCollection(std::string_view run,
                                                 std::string_view name) = 0;
  virtual absl::StatusOr<Version> VectorUpsert(std::string_view run, std::string_view collection,
                                               std::string_view key, std::vector<float> vector,
                                               Value metadata = Value()) = 0;
  virtual absl::StatusOr<Version> VectorUpsertBatch(std::string_view run,
                                                    std::string_view collection,
                                                    std::vector<VectorItem> items) = 0;
  virtual absl::StatusOr<Versioned<VectorEntry>> VectorGet(std::string_view run,
                                                           std::string_view collection,
                                                           std::string_view key) = 0;
  // The vector as of commit version `version`, with the errors of KvGetAt.
  virtual absl::StatusOr<Versioned<VectorEntry>> VectorGetAt(std::string_view run,
                                                             std::string_view collection,
                                                             std::string_view key,
                                                             Version version) = 0;
  virtual absl::StatusOr<Version> VectorDelete(std::string_view run, std::string_view collection,
                                               std::string_view key) = 0;
  virtual absl::StatusOr<uint64_t> VectorCount(std::string_view run,
                                               std::string_view collection) = 0;
  virtual absl::StatusOr<VectorSearchResult> VectorSearch(std::string_view run,
                                                          std::string_view collection,
                                                          const VectorSearchRequest& request) = 0;

  // --- Search (see Transaction::Search), at the newest committed version.
  virtual absl::StatusOr<SearchResponse> Search(const SearchRequest& request) = 0;

  // --- Any entity by address (see Transaction::Get).
  virtual absl::StatusOr<Versioned<Value>> Get(const EntityRef& ref) = 0;
  virtual absl::StatusOr<bool> Exists(const EntityRef& ref) = 0;
  // The entity as of commit version `version`, with the errors of KvGetAt.
  virtual absl::StatusOr<Versioned<Value>> GetAt(const EntityRef& ref,
                                                 Version version) = 0;
  // The entity as of a time: the newest retained version whose commit
  // timestamp is <= `timestamp_us`. NotFound if it did not exist then;
  // HistoryTrimmed if retention removed that version.
  virtual absl::StatusOr<Versioned<Value>> GetAsOf(const EntityRef& ref,
                                                   TimestampMicros timestamp_us) = 0;
  // Retained versions, newest first, like KvHistory.
  virtual absl::StatusOr<std::vector<KvVersion>> History(const EntityRef& ref,
                                                         uint32_t limit = 100) = 0;
  // The number of live entities of `primitive` in the run (1 for kRun).
  virtual absl::StatusOr<uint64_t> Count(std::string_view run, Primitive primitive) = 0;

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
  // Path, UUID, format version and durability mode. Thread-safe; works after
  // Close.
  virtual DatabaseInfo Info() const = 0;
  // Writes a snapshot of every retained version at the newest commit to
  // SNAPSHOTS/ crash-safely (temp file, sync, rename, sync directory, then
  // MANIFEST), so that recovery replays only the WAL written after it.
  // Writers continue meanwhile. Keeps Options::keep_snapshots snapshots.
  // FailedPrecondition for an in-memory database; IoError from the file
  // system. One checkpoint runs at a time; a concurrent call waits.
  virtual absl::StatusOr<CheckpointInfo> Checkpoint() = 0;
  // Removes what is no longer needed (see CompactMode). Never changes what a
  // read of a retained version returns.
  virtual absl::StatusOr<CompactInfo> Compact(CompactMode mode = CompactMode::kWalOnly) = 0;
  // Writes the whole database (every retained version) to one
  // self-describing, checksummed file at `file` (which must not exist), for
  // Import. Works for in-memory databases too.
  virtual absl::StatusOr<CheckpointInfo> Export(const std::string& file) = 0;

  // Makes every commit acknowledged so far durable (writes and syncs the
  // log). A no-op for in-memory databases.
  virtual absl::Status Flush() = 0;

 protected:
  Database() = default;
};

}  // namespace strata

#endif  // STRATA_DATABASE_HPP_
