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
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "env/env.hpp"
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

  Version CurrentVersion() const override;
  DatabaseStats Stats() override;
  absl::Status Flush() override;

  // Used by TransactionHandle.
  absl::Status CheckOpen() const;
  // OK if `run` exists, is created by `txn` (may be null), or fails with
  // InvalidArgument/NotFound.
  absl::Status CheckRunWritable(std::string_view run, txn::TxnContext* txn);
  const Options& options() const { return options_; }
  txn::TransactionManager* transactions() { return txns_.get(); }
  // Called after a commit that may have created runs.
  void NoteRunsCreated(const std::vector<std::string>& runs);


 private:
  DatabaseImpl(std::string path, const Options& options, Env* env);
  absl::Status OpenFiles();
  absl::Status Recover();
  // Commits a single-mutation request built by a fast path.
  absl::StatusOr<Version> CommitOne(storage::MutationType type, Primitive primitive,
                                    std::string_view run, std::string_view key,
                                    Value value, txn::CommitRequest* request);

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
  uint64_t discarded_bytes_ = 0;

  // Runs known to exist. Runs are never removed by this engine version, so a
  // run found here stays valid.
  mutable absl::Mutex runs_mu_;
  absl::flat_hash_set<std::string> runs_ ABSL_GUARDED_BY(runs_mu_);
};

}  // namespace strata

#endif  // STRATA_DB_DATABASE_IMPL_HPP_
