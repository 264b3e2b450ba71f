// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
#include "db/database_impl.hpp"

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "primitives/kv.hpp"
#include "storage/store_key.hpp"
#include "storage/wal_format.hpp"
#include "storage/wal_reader.hpp"
#include "strata/status.hpp"
#include "util/clock.hpp"
#include "util/status_macros.hpp"
#include "util/strings.hpp"

namespace strata {

namespace {

using util::Sv;

absl::Status InvalidOption(std::string_view what) {
  return MakeError(ErrorCode::kInvalidArgument, absl::StrCat("invalid option: ", Sv(what)));
}

absl::Status ValidateOptions(const Options& o) {
  if (o.flush_interval_ms < 1 || o.flush_interval_ms > 60000) {
    return InvalidOption("flush_interval_ms must be in 1..60000");
  }
  if (o.max_pending_bytes < 4096) return InvalidOption("max_pending_bytes must be >= 4096");
  if (o.wal_segment_bytes < (64u << 10) || o.wal_segment_bytes > (4ull << 30)) {
    return InvalidOption("wal_segment_bytes must be in 64 KiB..4 GiB");
  }
  if (o.shard_count < 1 || o.shard_count > 4096) {
    return InvalidOption("shard_count must be in 1..4096");
  }
  if (o.retention.kind == RetentionPolicy::Kind::kKeepLast && o.retention.keep_last < 1) {
    return InvalidOption("RetentionPolicy::KeepLast needs n >= 1");
  }
  if (o.max_value_bytes < 1 || o.max_value_bytes > (256ull << 20)) {
    return InvalidOption("max_value_bytes must be in 1..256 MiB");
  }
  if (o.max_transaction_bytes < o.max_value_bytes ||
      o.max_transaction_bytes > (256ull << 20)) {
    return InvalidOption("max_transaction_bytes must be in max_value_bytes..256 MiB");
  }
  if (o.max_transaction_ops < 1) return InvalidOption("max_transaction_ops must be >= 1");
  return absl::OkStatus();
}

std::string RunStoreKey(std::string_view run) {
  return storage::MakeStoreKey(Primitive::kRun, run, "");
}

absl::Status RunNotFound(std::string_view run) {
  return MakeError(ErrorCode::kNotFound,
                   absl::StrCat("run '", Sv(run), "' does not exist (create it with CreateRun)"));
}

// The public Transaction: argument checks and run checks in front of the
// primitive operations on a TxnContext.
class TransactionHandle final : public Transaction {
 public:
  TransactionHandle(DatabaseImpl* db, const txn::TxnLimits& limits)
      : db_(db), ctx_(db->transactions(), limits) {}

  Version snapshot_version() const override { return ctx_.snapshot(); }

  absl::StatusOr<Versioned<Value>> KvGet(std::string_view run,
                                         std::string_view key) override {
    STRATA_RETURN_IF_ERROR(CheckActive());
    return primitives::KvGet(ctx_, run, key);
  }
  absl::StatusOr<bool> KvExists(std::string_view run, std::string_view key) override {
    return primitives::ExistsFromGet(KvGet(run, key));
  }
  absl::StatusOr<KvPage> KvList(std::string_view run, const ListRequest& request) override {
    STRATA_RETURN_IF_ERROR(CheckActive());
    return primitives::KvList(ctx_, run, request);
  }
  absl::Status KvPut(std::string_view run, std::string_view key, Value value) override {
    STRATA_RETURN_IF_ERROR(CheckWrite(run, key));
    STRATA_RETURN_IF_ERROR(primitives::CheckValue(value, db_->options().max_value_bytes));
    return ctx_.Write(storage::MutationType::kPut, Primitive::kKv, run, key, std::move(value));
  }
  absl::Status KvDelete(std::string_view run, std::string_view key) override {
    STRATA_RETURN_IF_ERROR(CheckWrite(run, key));
    return ctx_.Write(storage::MutationType::kDelete, Primitive::kKv, run, key, Value());
  }
  absl::Status KvCompareAndSwap(std::string_view run, std::string_view key,
                                Version expected_version, Value value) override {
    STRATA_RETURN_IF_ERROR(KvPut(run, key, std::move(value)));
    ctx_.ExpectVersion(primitives::KvStoreKey(run, key), expected_version);
    return absl::OkStatus();
  }
  absl::Status CreateRun(std::string_view run) override {
    STRATA_RETURN_IF_ERROR(CheckActive());
    STRATA_RETURN_IF_ERROR(ValidateRunId(run));
    absl::StatusOr<bool> exists = RunExistsInView(run);
    if (!exists.ok()) return exists.status();
    if (*exists) {
      return MakeError(ErrorCode::kAlreadyExists,
                       absl::StrCat("run '", Sv(run), "' already exists"));
    }
    // Creating a run is a CAS on its absence, so two transactions creating
    // the same run cannot both succeed.
    ctx_.ExpectVersion(RunStoreKey(run), 0);
    created_runs_.emplace_back(run);
    return ctx_.Write(storage::MutationType::kPut, Primitive::kRun, run, "",
                      Value(Value::Object{{"status", Value("active")}}));
  }
  absl::StatusOr<Version> Commit() override {
    STRATA_RETURN_IF_ERROR(CheckActive());
    absl::StatusOr<Version> v = ctx_.Commit();
    if (v.ok() && !created_runs_.empty()) db_->NoteRunsCreated(created_runs_);
    return v;
  }
  void Rollback() override { ctx_.Rollback(); }

 private:
  absl::Status CheckActive() const {
    STRATA_RETURN_IF_ERROR(db_->CheckOpen());
    if (ctx_.finished()) {
      return MakeError(ErrorCode::kFailedPrecondition,
                       "transaction already committed or rolled back");
    }
    return absl::OkStatus();
  }
  absl::Status CheckWrite(std::string_view run, std::string_view key) {
    STRATA_RETURN_IF_ERROR(CheckActive());
    STRATA_RETURN_IF_ERROR(primitives::CheckRunAndKey(run, key));
    return db_->CheckRunWritable(run, &ctx_);
  }
  absl::StatusOr<bool> RunExistsInView(std::string_view run) {
    if (db_->CheckRunWritable(run, &ctx_).ok()) return true;
    return false;
  }

  DatabaseImpl* const db_;
  txn::TxnContext ctx_;
  std::vector<std::string> created_runs_;
};

}  // namespace

DatabaseImpl::DatabaseImpl(std::string path, const Options& options, Env* env)
    : path_(std::move(path)), options_(options), env_(env) {
  runs_.insert(kDefaultRun);
}

DatabaseImpl::~DatabaseImpl() { Close().IgnoreError(); }

absl::StatusOr<std::unique_ptr<DatabaseImpl>> DatabaseImpl::OpenMemory(
    const Options& options) {
  Options o = options;
  o.durability = DurabilityMode::kInMemory;
  STRATA_RETURN_IF_ERROR(ValidateOptions(o));
  std::unique_ptr<DatabaseImpl> db(new DatabaseImpl("", o, nullptr));
  db->store_ = std::make_unique<storage::MvccStore>(o.shard_count, o.retention);
  db->txns_ = std::make_unique<txn::TransactionManager>(
      db->store_.get(), nullptr, DurabilityMode::kInMemory,
      o.retention.kind != RetentionPolicy::Kind::kKeepAll);
  return db;
}

absl::StatusOr<std::unique_ptr<DatabaseImpl>> DatabaseImpl::OpenAt(
    const std::string& path, const Options& options, Env* env) {
  STRATA_RETURN_IF_ERROR(ValidateOptions(options));
  if (options.durability == DurabilityMode::kInMemory) {
    return InvalidOption(
        "durability kInMemory keeps no files: use Database::OpenInMemory, or pick "
        "kBuffered or kStrict for a directory");
  }
  if (path.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "database path is empty");
  }
  std::unique_ptr<DatabaseImpl> db(
      new DatabaseImpl(path, options, env != nullptr ? env : Env::Default()));
  STRATA_RETURN_IF_ERROR(db->OpenFiles());
  return db;
}

absl::Status DatabaseImpl::OpenFiles() {
  const bool exists = env_->FileExists(path_);
  if (!exists && !options_.create_if_missing) {
    return MakeError(ErrorCode::kNotFound,
                     absl::StrCat("database ", path_,
                                  " does not exist (and create_if_missing is false)"));
  }
  STRATA_RETURN_IF_ERROR(env_->CreateDirs(path_));
  STRATA_ASSIGN_OR_RETURN(lock_, env_->LockFile(path_ + "/" + storage::kLockFileName));

  const std::string wal_dir = path_ + "/" + storage::kWalDirName;
  absl::StatusOr<storage::Manifest> manifest = storage::ReadManifest(env_, path_);
  if (manifest.ok()) {
    if (options_.error_if_exists) {
      return MakeError(ErrorCode::kAlreadyExists,
                       absl::StrCat("database ", path_, " already exists"));
    }
    manifest_ = *manifest;
  } else if (GetErrorCode(manifest.status()) == ErrorCode::kNotFound) {
    // A new database, unless WAL segments say one was here.
    if (env_->FileExists(wal_dir)) {
      STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names, env_->ListDir(wal_dir));
      for (const std::string& name : names) {
        if (storage::ParseSegmentFileName(name)) {
          return MakeError(ErrorCode::kDataLoss,
                           absl::StrCat("database ", path_,
                                        " has WAL segments but no MANIFEST"));
        }
      }
    }
    manifest_.uuid = storage::NewUuid();
    manifest_.created_us = util::NowMicros();
    STRATA_RETURN_IF_ERROR(env_->CreateDirs(wal_dir));
    STRATA_RETURN_IF_ERROR(storage::WriteManifest(env_, path_, manifest_));
  } else {
    return manifest.status();
  }
  STRATA_RETURN_IF_ERROR(env_->CreateDirs(wal_dir));

  store_ = std::make_unique<storage::MvccStore>(options_.shard_count, options_.retention);
  STRATA_RETURN_IF_ERROR(Recover());
  return absl::OkStatus();
}

absl::Status DatabaseImpl::Recover() {
  const std::string wal_dir = path_ + "/" + storage::kWalDirName;
  TimestampMicros last_ts = 0;
  auto apply = [&](storage::CommitRecord&& record) -> absl::Status {
    for (storage::Mutation& m : record.mutations) {
      if (m.primitive == Primitive::kRun && m.type == storage::MutationType::kPut) {
        absl::MutexLock lock(&runs_mu_);
        runs_.insert(m.run);
      }
      store_->Install(storage::MakeStoreKey(m.primitive, m.run, m.key), record.version,
                      record.timestamp_us, m.type == storage::MutationType::kDelete,
                      std::move(m.value), record.version);
    }
    last_ts = std::max(last_ts, record.timestamp_us);
    return absl::OkStatus();
  };
  STRATA_ASSIGN_OR_RETURN(
      storage::WalRecoveryResult result,
      storage::RecoverWal(env_, wal_dir, options_.recovery_mode, 0, apply));
  recovered_records_ = result.records;
  discarded_bytes_ = result.discarded_bytes;

  storage::WalWriterOptions wal_options;
  wal_options.mode = options_.durability;
  wal_options.segment_bytes = options_.wal_segment_bytes;
  wal_options.flush_interval_ms = options_.flush_interval_ms;
  wal_options.max_pending_bytes = options_.max_pending_bytes;
  // The MANIFEST names the active segment for tools and humans; recovery
  // does not depend on it (it lists WAL/), so a failed update is harmless
  // and is corrected at the next open.
  auto on_new_segment = [this](uint64_t number) {
    storage::Manifest m = manifest_;
    m.active_wal_segment = number;
    if (storage::WriteManifest(env_, path_, m).ok()) manifest_ = m;
  };
  STRATA_ASSIGN_OR_RETURN(
      wal_, storage::WalWriter::Open(env_, wal_dir, result.last_segment + 1, wal_options,
                                     on_new_segment));
  txns_ = std::make_unique<txn::TransactionManager>(
      store_.get(), wal_.get(), options_.durability,
      options_.retention.kind != RetentionPolicy::Kind::kKeepAll);
  txns_->SetRecovered(result.last_version, last_ts);
  return absl::OkStatus();
}

absl::Status DatabaseImpl::Close() {
  if (closed_.exchange(true)) return absl::OkStatus();
  absl::Status s;
  if (wal_ != nullptr) s = wal_->Close();
  lock_.reset();
  return s;
}

absl::Status DatabaseImpl::CheckOpen() const {
  if (closed_.load(std::memory_order_acquire)) {
    return MakeError(ErrorCode::kClosed, "the database is closed");
  }
  return absl::OkStatus();
}

absl::Status DatabaseImpl::CheckRunWritable(std::string_view run, txn::TxnContext* txn) {
  {
    absl::ReaderMutexLock lock(&runs_mu_);
    if (runs_.contains(Sv(run))) return absl::OkStatus();
  }
  if (txn != nullptr) {
    bool deleted = false;
    if (txn->HasPendingWrite(RunStoreKey(run), &deleted) && !deleted) {
      return absl::OkStatus();
    }
  }
  return RunNotFound(run);
}

void DatabaseImpl::NoteRunsCreated(const std::vector<std::string>& runs) {
  absl::MutexLock lock(&runs_mu_);
  for (const std::string& run : runs) runs_.insert(run);
}

absl::StatusOr<std::unique_ptr<Transaction>> DatabaseImpl::BeginTransaction() {
  STRATA_RETURN_IF_ERROR(CheckOpen());
  txn::TxnLimits limits;
  limits.max_transaction_bytes = options_.max_transaction_bytes;
  limits.max_transaction_ops = options_.max_transaction_ops;
  return std::unique_ptr<Transaction>(new TransactionHandle(this, limits));
}

absl::StatusOr<Version> DatabaseImpl::Transact(
    const std::function<absl::Status(Transaction&)>& fn, const RetryPolicy& policy) {
  thread_local std::mt19937_64 rng(std::random_device{}());
  const uint32_t attempts = std::max<uint32_t>(policy.max_attempts, 1);
  uint64_t backoff_us = policy.initial_backoff_us;
  absl::Status last;
  for (uint32_t attempt = 0; attempt < attempts; ++attempt) {
    if (attempt > 0) {
      const uint64_t jitter = backoff_us == 0 ? 0 : rng() % (backoff_us / 2 + 1);
      std::this_thread::sleep_for(std::chrono::microseconds(backoff_us + jitter));
      backoff_us = std::min<uint64_t>(std::max<uint64_t>(backoff_us * 2, 1),
                                      policy.max_backoff_us);
    }
    STRATA_ASSIGN_OR_RETURN(std::unique_ptr<Transaction> txn, BeginTransaction());
    last = fn(*txn);
    if (last.ok()) {
      absl::StatusOr<Version> v = txn->Commit();
      if (v.ok()) return v;
      last = v.status();
    } else {
      txn->Rollback();
    }
    if (!IsConflict(last)) return last;
  }
  return MakeError(ErrorCode::kConflict,
                   absl::StrCat("transaction still conflicting after ", attempts,
                                " attempts; last error: ", last.message()));
}

absl::StatusOr<Version> DatabaseImpl::CreateRun(std::string_view run) {
  return Transact([&](Transaction& txn) { return txn.CreateRun(run); },
                  RetryPolicy{1, 0, 0});
}

absl::StatusOr<bool> DatabaseImpl::RunExists(std::string_view run) {
  STRATA_RETURN_IF_ERROR(CheckOpen());
  STRATA_RETURN_IF_ERROR(ValidateRunId(run));
  absl::ReaderMutexLock lock(&runs_mu_);
  return runs_.contains(Sv(run));
}

absl::StatusOr<std::vector<RunId>> DatabaseImpl::ListRuns() {
  STRATA_RETURN_IF_ERROR(CheckOpen());
  std::vector<RunId> out;
  {
    absl::ReaderMutexLock lock(&runs_mu_);
    out.assign(runs_.begin(), runs_.end());
  }
  std::sort(out.begin(), out.end());
  return out;
}

absl::StatusOr<Version> DatabaseImpl::CommitOne(storage::MutationType type,
                                                Primitive primitive,
                                                std::string_view run,
                                                std::string_view key, Value value,
                                                txn::CommitRequest* request) {
  request->mutations.push_back(
      storage::Mutation{type, primitive, std::string(run), std::string(key), std::move(value)});
  request->store_keys.push_back(storage::MakeStoreKey(primitive, run, key));
  return txns_->Commit(*request);
}

absl::StatusOr<Version> DatabaseImpl::KvPut(std::string_view run, std::string_view key,
                                            Value value) {
  STRATA_RETURN_IF_ERROR(CheckOpen());
  STRATA_RETURN_IF_ERROR(primitives::CheckRunAndKey(run, key));
  STRATA_RETURN_IF_ERROR(primitives::CheckValue(value, options_.max_value_bytes));
  STRATA_RETURN_IF_ERROR(CheckRunWritable(run, nullptr));
  txn::CommitRequest request;
  return CommitOne(storage::MutationType::kPut, Primitive::kKv, run, key, std::move(value),
                   &request);
}

absl::StatusOr<Versioned<Value>> DatabaseImpl::KvGet(std::string_view run,
                                                     std::string_view key) {
  STRATA_RETURN_IF_ERROR(CheckOpen());
  STRATA_RETURN_IF_ERROR(primitives::CheckRunAndKey(run, key));
  // A per-thread buffer keeps the read path free of allocations for the key.
  thread_local std::string store_key;
  storage::AssignStoreKey(Primitive::kKv, run, key, &store_key);
  Versioned<Value> out;
  if (store_->GetLatest(store_key, txns_->visible(), &out) ==
      storage::ReadStatus::kFound) {
    return out;
  }
  return primitives::KvNotFound(run, key);
}

absl::StatusOr<Version> DatabaseImpl::KvDelete(std::string_view run, std::string_view key) {
  STRATA_ASSIGN_OR_RETURN(Versioned<Value> found, KvGet(run, key));  // NotFound if absent.
  STRATA_RETURN_IF_ERROR(CheckRunWritable(run, nullptr));
  // The tombstone is conditional on the key still being live at commit (a CAS
  // on the version found), so that of concurrent deletes of one key exactly
  // one succeeds and the others get NotFound and write nothing.
  Version expected = found.version;
  for (;;) {
    txn::CommitRequest request;
    request.cas.push_back(txn::CasCheck{primitives::KvStoreKey(run, key), expected});
    absl::StatusOr<Version> v = CommitOne(storage::MutationType::kDelete, Primitive::kKv,
                                          run, key, Value(), &request);
    if (v.ok() || !IsConflict(v.status())) return v;
    const std::optional<uint64_t> current = ErrorVersion(v.status());
    if (!current.has_value() || *current == 0) return primitives::KvNotFound(run, key);
    expected = *current;  // Overwritten meanwhile but still live: delete that.
  }
}

absl::StatusOr<bool> DatabaseImpl::KvExists(std::string_view run, std::string_view key) {
  return primitives::ExistsFromGet(KvGet(run, key));
}

absl::StatusOr<KvPage> DatabaseImpl::KvList(std::string_view run,
                                            const ListRequest& request) {
  STRATA_RETURN_IF_ERROR(CheckOpen());
  STRATA_RETURN_IF_ERROR(ValidateRunId(run));
  STRATA_RETURN_IF_ERROR(primitives::CheckLimit(request.limit));
  const primitives::ListBounds bounds = primitives::KvListBounds(run, request);
  if (bounds.start >= bounds.end) return KvPage{};
  return primitives::CollectPage(run, request, [&](const auto& fn) {
    store_->Scan(bounds.start, bounds.end, 0, &txns_->visible(), fn);
  });
}

absl::StatusOr<Version> DatabaseImpl::KvCompareAndSwap(std::string_view run,
                                                       std::string_view key,
                                                       Version expected_version,
                                                       Value value) {
  STRATA_RETURN_IF_ERROR(CheckOpen());
  STRATA_RETURN_IF_ERROR(primitives::CheckRunAndKey(run, key));
  STRATA_RETURN_IF_ERROR(primitives::CheckValue(value, options_.max_value_bytes));
  STRATA_RETURN_IF_ERROR(CheckRunWritable(run, nullptr));
  txn::CommitRequest request;
  request.cas.push_back(txn::CasCheck{primitives::KvStoreKey(run, key), expected_version});
  return CommitOne(storage::MutationType::kPut, Primitive::kKv, run, key, std::move(value),
                   &request);
}

absl::StatusOr<Versioned<Value>> DatabaseImpl::KvGetAt(std::string_view run,
                                                       std::string_view key,
                                                       Version version) {
  STRATA_RETURN_IF_ERROR(CheckOpen());
  STRATA_RETURN_IF_ERROR(primitives::CheckRunAndKey(run, key));
  const Version current = txns_->visible_version();
  if (version > current) {
    return MakeError(ErrorCode::kVersionNotFound,
                     absl::StrCat("version ", version, " does not exist (newest is ",
                                  current, ")"));
  }
  Versioned<Value> out;
  Version earliest = 0;
  switch (store_->Get(primitives::KvStoreKey(run, key), version, &out, &earliest)) {
    case storage::ReadStatus::kFound:
      return out;
    case storage::ReadStatus::kTrimmed:
      return MakeErrorWithVersion(
          ErrorCode::kHistoryTrimmed,
          absl::StrCat("version ", version, " of ", primitives::KvRefText(run, key),
                       " was removed by retention; the earliest retained version is ",
                       earliest),
          earliest);
    case storage::ReadStatus::kAbsent:
      break;
  }
  return MakeError(ErrorCode::kNotFound,
                   absl::StrCat(primitives::KvRefText(run, key), " did not exist at version ",
                                version));
}

absl::StatusOr<std::vector<KvVersion>> DatabaseImpl::KvHistory(std::string_view run,
                                                               std::string_view key,
                                                               uint32_t limit) {
  STRATA_RETURN_IF_ERROR(CheckOpen());
  STRATA_RETURN_IF_ERROR(primitives::CheckRunAndKey(run, key));
  STRATA_RETURN_IF_ERROR(primitives::CheckLimit(limit));
  std::vector<KvVersion> history =
      store_->History(primitives::KvStoreKey(run, key), txns_->visible_version(), limit);
  if (history.empty()) return primitives::KvNotFound(run, key);
  return history;
}

Version DatabaseImpl::CurrentVersion() const { return txns_->visible_version(); }

DatabaseStats DatabaseImpl::Stats() {
  DatabaseStats s;
  s.durability = options_.durability;
  s.current_version = txns_->visible_version();
  const storage::MvccStore::Counters counters = store_->SumCounters();
  s.live_keys = static_cast<uint64_t>(counters.live_keys);
  s.stored_versions = counters.node_count;
  s.memory_bytes = counters.memory_bytes;
  s.commits = txns_->commit_count();
  s.conflicts = txns_->conflict_count();
  s.recovered_records = recovered_records_;
  s.discarded_bytes = discarded_bytes_;
  if (wal_ != nullptr) {
    s.wal_syncs = wal_->sync_count();
    const std::string wal_dir = path_ + "/" + storage::kWalDirName;
    absl::StatusOr<std::vector<std::string>> names = env_->ListDir(wal_dir);
    if (names.ok()) {
      for (const std::string& name : *names) {
        if (!storage::ParseSegmentFileName(name)) continue;
        ++s.wal_segments;
        absl::StatusOr<uint64_t> size = env_->GetFileSize(wal_dir + "/" + name);
        if (size.ok()) s.wal_bytes += *size;
      }
    }
  }
  return s;
}

absl::Status DatabaseImpl::Flush() {
  STRATA_RETURN_IF_ERROR(CheckOpen());
  if (wal_ == nullptr) return absl::OkStatus();
  return wal_->Flush();
}

// --- Database factory functions.

absl::StatusOr<std::unique_ptr<Database>> Database::Open(const std::string& path,
                                                         const Options& options) {
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<DatabaseImpl> db,
                          DatabaseImpl::OpenAt(path, options, nullptr));
  return std::unique_ptr<Database>(std::move(db));
}

absl::StatusOr<std::unique_ptr<Database>> Database::OpenInMemory(const Options& options) {
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<DatabaseImpl> db, DatabaseImpl::OpenMemory(options));
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace strata
