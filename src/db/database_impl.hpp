// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// DatabaseImpl: the embedded Database. It wires the parts together -- the
// directory lock, MANIFEST, WAL recovery and writer, the MVCC store, the
// transaction manager and the primitives -- and owns no format-specific
// logic of its own.
//
// Thread safety: thread-safe (see Database).
#ifndef STRATA_DB_DATABASE_IMPL_HPP_
#define STRATA_DB_DATABASE_IMPL_HPP_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "env/env.hpp"
#include "json/patch.hpp"
#include "primitives/context.hpp"
#include "primitives/run.hpp"
#include "primitives/vector.hpp"
#include "storage/manifest.hpp"
#include "storage/mvcc_store.hpp"
#include "storage/wal_writer.hpp"
#include "strata/database.hpp"
#include "txn/transaction_impl.hpp"
#include "txn/transaction_manager.hpp"

namespace strata {

class DatabaseImpl final : public Database {
 public:
  // `env` may be null for the default POSIX Env; it must outlive the
  // database.
  static absl::StatusOr<std::unique_ptr<DatabaseImpl>> OpenAt(
      const std::string& path, const Options& options, Env* env);
  static absl::StatusOr<std::unique_ptr<DatabaseImpl>> OpenMemory(
      const Options& options);

  ~DatabaseImpl() override;

  absl::Status Close() override;
  absl::StatusOr<std::unique_ptr<Transaction>> BeginTransaction() override;
  absl::StatusOr<Version> Transact(
      const std::function<absl::Status(Transaction&)>& fn,
      const RetryPolicy& policy) override;

  absl::StatusOr<Version> CreateRun(std::string_view run) override;
  absl::StatusOr<bool> RunExists(std::string_view run) override;
  absl::StatusOr<std::vector<RunId>> ListRuns() override;
  absl::StatusOr<Versioned<RunInfo>> CreateRun(const RunSpec& spec) override;
  absl::StatusOr<Versioned<RunInfo>> GetRun(std::string_view run) override;
  absl::StatusOr<std::vector<RunInfo>> QueryRuns(const RunQuery& query) override;
  absl::StatusOr<Version> UpdateRunMetadata(std::string_view run, Value metadata) override;
  absl::StatusOr<Version> EndRun(std::string_view run, RunStatus status) override;
  absl::StatusOr<Version> ArchiveRun(std::string_view run) override;
  absl::StatusOr<Version> DeleteRun(std::string_view run) override;

  absl::StatusOr<EventAppended> EventAppend(std::string_view run, std::string_view type,
                                            Value payload) override;
  absl::StatusOr<Versioned<Event>> EventRead(std::string_view run, uint64_t seq) override;
  absl::StatusOr<EventPage> EventList(std::string_view run, const EventQuery& query) override;
  absl::StatusOr<uint64_t> EventLength(std::string_view run) override;
  absl::StatusOr<Versioned<Event>> EventLatest(std::string_view run) override;
  absl::StatusOr<ChainReport> EventVerifyChain(std::string_view run) override;

  absl::StatusOr<Version> StateInit(std::string_view run, std::string_view name,
                                    Value value) override;
  absl::StatusOr<Versioned<Value>> StateRead(std::string_view run,
                                             std::string_view name) override;
  absl::StatusOr<Version> StateSet(std::string_view run, std::string_view name,
                                   Value value) override;
  absl::StatusOr<Version> StateCas(std::string_view run, std::string_view name,
                                   Version expected_version, Value value) override;
  absl::StatusOr<Versioned<Value>> StateTransition(std::string_view run,
                                                   std::string_view name,
                                                   const StateTransitionFn& fn,
                                                   uint32_t max_attempts) override;
  absl::StatusOr<Version> StateDelete(std::string_view run, std::string_view name) override;
  absl::StatusOr<KvPage> StateList(std::string_view run, const ListRequest& request) override;

  absl::StatusOr<uint64_t> TraceRecord(std::string_view run, const SpanSpec& spec) override;
  absl::StatusOr<uint64_t> TraceBegin(std::string_view run, const SpanSpec& spec) override;
  absl::StatusOr<Version> TraceEnd(std::string_view run, uint64_t span_id, SpanStatus status,
                                   Value output, TimestampMicros end_us) override;
  absl::StatusOr<Versioned<Span>> TraceGet(std::string_view run, uint64_t span_id) override;
  absl::StatusOr<SpanPage> TraceQuery(std::string_view run, const SpanQuery& query) override;
  absl::StatusOr<std::vector<SpanTreeNode>> TraceTree(std::string_view run) override;
  absl::StatusOr<uint64_t> TraceCount(std::string_view run) override;

  absl::StatusOr<Version> JsonCreate(std::string_view run, std::string_view id,
                                     Value document) override;
  absl::StatusOr<Versioned<Value>> JsonGet(std::string_view run, std::string_view id,
                                           std::string_view path) override;
  absl::StatusOr<bool> JsonExists(std::string_view run, std::string_view id) override;
  absl::StatusOr<Version> JsonSet(std::string_view run, std::string_view id,
                                  std::string_view path, Value value) override;
  absl::StatusOr<Version> JsonDelete(std::string_view run, std::string_view id,
                                     std::string_view path) override;
  absl::StatusOr<Version> JsonPatch(std::string_view run, std::string_view id,
                                    const Value& patch) override;
  absl::StatusOr<Version> JsonMergePatch(std::string_view run, std::string_view id,
                                         const Value& patch) override;
  absl::StatusOr<Version> JsonCas(std::string_view run, std::string_view id,
                                  Version expected_version, const Value& patch) override;
  absl::StatusOr<Version> JsonDestroy(std::string_view run, std::string_view id) override;
  absl::StatusOr<IdPage> JsonList(std::string_view run, const ListRequest& request) override;
  absl::StatusOr<Versioned<Value>> JsonGetAt(std::string_view run, std::string_view id,
                                             std::string_view path, Version version) override;
  absl::StatusOr<std::vector<KvVersion>> JsonHistory(std::string_view run,
                                                     std::string_view id,
                                                     uint32_t limit) override;

  absl::StatusOr<Version> CreateCollection(std::string_view run,
                                           const CollectionSpec& spec) override;
  absl::StatusOr<CollectionInfo> DescribeCollection(std::string_view run,
                                                    std::string_view name) override;
  absl::StatusOr<std::vector<CollectionInfo>> ListCollections(std::string_view run) override;
  absl::StatusOr<Version> DropCollection(std::string_view run, std::string_view name) override;
  absl::StatusOr<Version> VectorUpsert(std::string_view run, std::string_view collection,
                                       std::string_view key, std::vector<float> vector,
                                       Value metadata) override;
  absl::StatusOr<Version> VectorUpsertBatch(std::string_view run, std::string_view collection,
                                            std::vector<VectorItem> items) override;
  absl::StatusOr<Versioned<VectorEntry>> VectorGet(std::string_view run,
                                                   std::string_view collection,
                                                   std::string_view key) override;
  absl::StatusOr<Versioned<VectorEntry>> VectorGetAt(std::string_view run,
                                                     std::string_view collection,
                                                     std::string_view key,
                                                     Version version) override;
  absl::StatusOr<Version> VectorDelete(std::string_view run, std::string_view collection,
                                       std::string_view key) override;
  absl::StatusOr<uint64_t> VectorCount(std::string_view run,
                                       std::string_view collection) override;
  absl::StatusOr<VectorSearchResult> VectorSearch(std::string_view run,
                                                  std::string_view collection,
                                                  const VectorSearchRequest& request) override;

  absl::StatusOr<SearchResponse> Search(const SearchRequest& request) override;

  absl::StatusOr<Versioned<Value>> Get(const EntityRef& ref) override;
  absl::StatusOr<bool> Exists(const EntityRef& ref) override;
  absl::StatusOr<Versioned<Value>> GetAt(const EntityRef& ref, Version version) override;
  absl::StatusOr<Versioned<Value>> GetAsOf(const EntityRef& ref,
                                           TimestampMicros timestamp_us) override;
  absl::StatusOr<std::vector<KvVersion>> History(const EntityRef& ref,
                                                 uint32_t limit) override;
  absl::StatusOr<uint64_t> Count(std::string_view run, Primitive primitive) override;

  absl::StatusOr<Version> KvPut(std::string_view run, std::string_view key,
                                Value value) override;
  absl::StatusOr<Versioned<Value>> KvGet(std::string_view run,
                                         std::string_view key) override;
  absl::StatusOr<Version> KvDelete(std::string_view run,
                                   std::string_view key) override;
  absl::StatusOr<bool> KvExists(std::string_view run,
                                std::string_view key) override;
  absl::StatusOr<KvPage> KvList(std::string_view run,
                                const ListRequest& request) override;
  absl::StatusOr<Version> KvCompareAndSwap(std::string_view run,
                                           std::string_view key,
                                           Version expected_version,
                                           Value value) override;
  absl::StatusOr<Versioned<Value>> KvGetAt(std::string_view run,
                                           std::string_view key,
                                           Version version) override;
  absl::StatusOr<std::vector<KvVersion>> KvHistory(std::string_view run,
                                                   std::string_view key,
                                                   uint32_t limit) override;

  absl::StatusOr<CheckpointInfo> Checkpoint() override;
  absl::StatusOr<CompactInfo> Compact(CompactMode mode) override;
  absl::StatusOr<CheckpointInfo> Export(const std::string& file) override;

  Version CurrentVersion() const override;
  DatabaseStats Stats() override;
  DatabaseInfo Info() const override;
  absl::Status Flush() override;

  // Used by TransactionHandle.
  absl::Status CheckOpen() const;
  const Options& options() const { return options_; }
  txn::TransactionManager* transactions() { return txns_.get(); }
  primitives::RunRegistry* runs() { return runs_.get(); }
  primitives::VectorRegistry* vectors() { return vectors_.get(); }
  primitives::SearchRegistry* search() { return search_.get(); }
  txn::TxnLimits limits() const;

 private:
  DatabaseImpl(std::string path, const Options& options, Env* env);
  absl::Status OpenFiles();
  absl::Status Recover();
  // Creates the vector indexes from the recovered store and has the
  // transaction manager feed them. REQUIRES: txns_ set, no commit yet.
  absl::Status AttachIndexes();
  // Loads the newest snapshot in SNAPSHOTS/ that reads back whole into a
  // fresh store (falling back to older ones) and returns its watermark, or 0
  // if there is none (snapshot_problems_ then says why any was refused).
  absl::StatusOr<Version> LoadNewestSnapshot(TimestampMicros* last_ts);
  // Writes every retained version at the newest visible commit W to
  // `file_for(W)` (through a temp file renamed into place), after making
  // the log durable through W. snapshot_id is the file's path.
  absl::StatusOr<CheckpointInfo> WriteSnapshotOfNewest(
      Env* env, const std::function<std::string(Version)>& file_for);
  absl::StatusOr<CheckpointInfo> CheckpointLocked()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(checkpoint_mu_);
  absl::StatusOr<CompactInfo> CompactWalLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(checkpoint_mu_);
  // The background thread that checkpoints every
  // Options::checkpoint_wal_bytes of log.
  void StartCheckpointer();
  void StopCheckpointer();
  // DataLoss unless a logged JSON document record is well formed.
  static absl::Status CheckJsonRecord(const Value& value, Version version);
  // Turns a logged kJsonPatch into the document record it produced.
  absl::Status ReplayJsonPatch(const std::string& store_key, Version version,
                               Value* mutation_value);
  // Commits a single-mutation request built by a fast path, adding the
  // check that `run` accepts writes. A conflict caused by a concurrent
  // change to the run's record is retried; any other conflict is returned.
  // REQUIRES: `run` is a valid run id.
  absl::StatusOr<Version> CommitToRun(std::string_view run, txn::CommitRequest& request);
  static void AddMutation(storage::MutationType type, Primitive primitive,
                          std::string_view run, std::string_view key, Value value,
                          txn::CommitRequest* request);
  // Runs `fn(OpContext&)` as a one-operation transaction and commits it,
  // retrying from a new snapshot when the commit conflicts (fn re-checks its
  // preconditions each time). Returns fn's result and the commit version.
  template <typename Fn>
  auto WriteOp(Fn&& fn, uint32_t attempts = kWriteAttempts);
  // Runs `fn(OpContext&)` on a read-only context at the newest snapshot.
  template <typename Fn>
  auto ReadOp(Fn&& fn);
  // Commits a path-level JSON mutation without a snapshot (see JsonSet).
  absl::StatusOr<Version> JsonPathOps(std::string_view run, std::string_view id,
                                      absl::StatusOr<std::vector<json::Op>> ops);
  // The entity's store key and the newest version it may be read at.
  absl::StatusOr<std::string> EntityKeyChecked(const EntityRef& ref);

  static constexpr uint32_t kWriteAttempts = 1000;

  const std::string path_;  // Empty for in-memory databases.
  const Options options_;
  Env* const env_;

  std::unique_ptr<FileLock> lock_;
  storage::Manifest manifest_;
  std::unique_ptr<storage::MvccStore> store_;
  std::unique_ptr<storage::WalWriter> wal_;
  std::unique_ptr<txn::TransactionManager> txns_;
  std::atomic<bool> closed_{false};
  uint64_t recovered_records_ = 0;
  std::string uuid_;             // From the MANIFEST, fixed after open.
  uint32_t format_version_ = 0;
  uint64_t discarded_bytes_ = 0;
  std::unique_ptr<primitives::RunRegistry> runs_;
  std::unique_ptr<primitives::VectorRegistry> vectors_;
  std::unique_ptr<primitives::SearchRegistry> search_;

  absl::Mutex manifest_mu_;  // Serializes MANIFEST rewrites.
  absl::Mutex checkpoint_mu_;  // One checkpoint or compaction at a time.
  Version loaded_snapshot_ = 0;   // Watermark recovery started from.
  std::string snapshot_problems_;  // Why recovery refused snapshots.
  std::atomic<uint64_t> logged_at_checkpoint_{0};  // WAL bytes at the last one.
  std::atomic<Version> watermark_at_checkpoint_{0};  // Its watermark.
  std::atomic<uint64_t> checkpoints_{0};
  absl::Mutex checkpointer_mu_;
  bool stop_checkpointer_ ABSL_GUARDED_BY(checkpointer_mu_) = false;
  std::thread checkpointer_;
};

}  // namespace strata

#endif  // STRATA_DB_DATABASE_IMPL_HPP_
