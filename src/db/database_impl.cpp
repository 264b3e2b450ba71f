// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
#include "db/database_impl.hpp"

#include <algorithm>
#include <limits>
#include <chrono>
#include <random>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "primitives/entity.hpp"
#include "primitives/event.hpp"
#include "primitives/json.hpp"
#include "json/document.hpp"
#include "json/record.hpp"
#include "primitives/kv.hpp"
#include "primitives/run.hpp"
#include "primitives/search.hpp"
#include "primitives/vector.hpp"
#include "vector/record.hpp"
#include "primitives/state.hpp"
#include "primitives/trace.hpp"
#include "storage/store_key.hpp"
#include "storage/wal_format.hpp"
#include "storage/wal_reader.hpp"
#include "strata/status.hpp"
#include "strata/version.hpp"
#include "util/clock.hpp"
#include "util/status_macros.hpp"
#include "util/strings.hpp"

namespace strata {

namespace {

using util::Sv;

absl::Status InvalidOption(std::string_view what) {
  return MakeError(ErrorCode::kInvalidArgument, absl::StrCat("invalid option: ", Sv(what)));
}

absl::Status ValidateRetention(const RetentionPolicy& p, const std::string& what) {
  switch (p.kind) {
    case RetentionPolicy::Kind::kKeepAll:
      return absl::OkStatus();
    case RetentionPolicy::Kind::kKeepLast:
      if (p.keep_last < 1) return InvalidOption(what + ": KeepLast needs n >= 1");
      return absl::OkStatus();
    case RetentionPolicy::Kind::kKeepFor:
      if (p.keep_for_us < 1) return InvalidOption(what + ": KeepFor needs a positive duration");
      return absl::OkStatus();
  }
  return InvalidOption(what + ": unknown retention kind");
}

absl::Status ValidateOptions(const Options& o) {
  // Bad tokenizer options or index run ids, before any file is touched.
  STRATA_RETURN_IF_ERROR(primitives::SearchRegistry::Create(o.search, nullptr).status());
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
  STRATA_RETURN_IF_ERROR(ValidateRetention(o.retention, "retention"));
  if (o.retention_overrides.size() > 1024) {
    return InvalidOption("retention_overrides holds more than 1024 overrides");
  }
  for (size_t i = 0; i < o.retention_overrides.size(); ++i) {
    const RetentionOverride& r = o.retention_overrides[i];
    const std::string what = absl::StrCat("retention_overrides[", i, "]");
    if (r.run.empty() && !r.primitive.has_value()) {
      return InvalidOption(absl::StrCat(what, " names neither a run nor a primitive"));
    }
    if (!r.run.empty()) {
      if (absl::Status s = ValidateRunId(r.run); !s.ok()) {
        return InvalidOption(absl::StrCat(what, ": ", s.message()));
      }
    }
    if (r.primitive.has_value() && (static_cast<int>(*r.primitive) < 1 ||
                                    static_cast<int>(*r.primitive) > 7)) {
      return InvalidOption(absl::StrCat(what, " names an unknown primitive"));
    }
    STRATA_RETURN_IF_ERROR(ValidateRetention(r.policy, what));
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

using primitives::RunStoreKey;

// The public Transaction: argument checks in front of the primitive
// operations on a TxnContext.
class TransactionHandle final : public Transaction {
 public:
  TransactionHandle(DatabaseImpl* db, const txn::TxnLimits& limits)
      : db_(db),
        ctx_(db->transactions(), limits),
        op_{ctx_, *db->runs(), db->options().max_value_bytes, db->vectors(), db->search()} {}

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
    STRATA_ASSIGN_OR_RETURN(KvPage page, primitives::KvList(ctx_, run, request));
    if (page.entries.empty()) STRATA_RETURN_IF_ERROR(primitives::CheckRunInView(op_, run));
    return page;
  }
  absl::Status KvPut(std::string_view run, std::string_view key, Value value) override {
    STRATA_RETURN_IF_ERROR(CheckKvWrite(run, key));
    STRATA_RETURN_IF_ERROR(primitives::CheckValue(value, db_->options().max_value_bytes));
    return ctx_.Write(storage::MutationType::kPut, Primitive::kKv, run, key, std::move(value));
  }
  // Like the fast path: NotFound (and nothing written) when the key does
  // not exist in this transaction's view. The read is validated at commit.
  absl::Status KvDelete(std::string_view run, std::string_view key) override {
    STRATA_RETURN_IF_ERROR(CheckKvWrite(run, key));
    STRATA_RETURN_IF_ERROR(primitives::KvGet(ctx_, run, key).status());
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
    return primitives::CreateRunNamed(op_, run);
  }
  absl::StatusOr<RunId> CreateRun(const RunSpec& spec) override {
    STRATA_RETURN_IF_ERROR(CheckActive());
    return primitives::CreateRun(op_, spec);
  }
  absl::StatusOr<Versioned<RunInfo>> GetRun(std::string_view run) override {
    STRATA_RETURN_IF_ERROR(CheckActive());
    return primitives::GetRun(op_, run);
  }
  absl::Status UpdateRunMetadata(std::string_view run, Value metadata) override {
    STRATA_RETURN_IF_ERROR(CheckActive());
    return primitives::UpdateRunMetadata(op_, run, std::move(metadata));
  }
  absl::Status EndRun(std::string_view run, RunStatus status) override {
    STRATA_RETURN_IF_ERROR(CheckActive());
    return primitives::EndRun(op_, run, status);
  }
  absl::Status ArchiveRun(std::string_view run) override {
    STRATA_RETURN_IF_ERROR(CheckActive());
    return primitives::ArchiveRun(op_, run);
  }
  absl::Status DeleteRun(std::string_view run) override {
    STRATA_RETURN_IF_ERROR(CheckActive());
    return primitives::DeleteRun(op_, run);
  }

  absl::StatusOr<EventAppended> EventAppend(std::string_view run, std::string_view type,
                                            Value payload) override {
    STRATA_RETURN_IF_ERROR(CheckActive());
    return primitives::EventAppend(op_, run, type, std::move(payload));
  }
  absl::StatusOr<Versioned<Event>> EventRead(std::string_view run, uint64_t seq) override {
    STRATA_RETURN_IF_ERROR(CheckActive());
    return primitives::EventRead(op_, run, seq);
  }
  absl::StatusOr<EventPage> EventList(std::string_view run, const EventQuery& query) override {
    STRATA_RETURN_IF_ERROR(CheckActive());
    return primitives::EventList(op_, run, query);
  }
  absl::StatusOr<uint64_t> EventLength(std::string_view run) override {
    STRATA_RETURN_IF_ERROR(CheckActive());
    return primitives::EventLength(op_, run);
  }

  absl::Status StateInit(std::string_view run, std::string_view name, Value value) override {
    STRATA_RETURN_IF_ERROR(CheckActive());
    return primitives::StateInit(op_, run, name, std::move(value));
  }
  absl::StatusOr<Versioned<Value>> StateRead(std::string_view run,
                                             std::string_view name) override {
    STRATA_RETURN_IF_ERROR(CheckActive());
    return primitives::StateRead(op_, run, name);
  }
  absl::Status StateSet(std::string_view run, std::string_view name, Value value) override {
    STRATA_RETURN_IF_ERROR(CheckActive());
    return primitives::StateSet(op_, run, name, std::move(value));
  }
  absl::Status StateCas(std::string_view run, std::string_view name,
                        Version expected_version, Value value) override {
    STRATA_RETURN_IF_ERROR(CheckActive());
    return primitives::StateCas(op_, run, name, expected_version, std::move(value));
  }
  absl::Status StateDelete(std::string_view run, std::string_view name) override {
    STRATA_RETURN_IF_ERROR(CheckActive());
    return primitives::StateDelete(op_, run, name);
  }
  absl::StatusOr<KvPage> StateList(std::string_view run, const ListRequest& request) override {
    STRATA_RETURN_IF_ERROR(CheckActive());
    return primitives::StateList(op_, run, request);
  }

  absl::StatusOr<uint64_t> TraceRecord(std::string_view run, const SpanSpec& spec) override {
    STRATA_RETURN_IF_ERROR(CheckActive());
    return primitives::TraceRecord(op_, run, spec);
  }
  absl::StatusOr<uint64_t> TraceBegin(std::string_view run, const SpanSpec& spec) override {
    STRATA_RETURN_IF_ERROR(CheckActive());
    return primitives::TraceBegin(op_, run, spec);
  }
  absl::Status TraceEnd(std::string_view run, uint64_t span_id, SpanStatus status,
                        Value output, TimestampMicros end_us) override {
    STRATA_RETURN_IF_ERROR(CheckActive());
    return primitives::TraceEnd(op_, run, span_id, status, std::move(output), end_us);
  }
  absl::StatusOr<Versioned<Span>> TraceGet(std::string_view run, uint64_t span_id) override {
    STRATA_RETURN_IF_ERROR(CheckActive());
    return primitives::TraceGet(op_, run, span_id);
  }
  absl::StatusOr<SpanPage> TraceQuery(std::string_view run, const SpanQuery& query) override {
    STRATA_RETURN_IF_ERROR(CheckActive());
    return primitives::TraceQuery(op_, run, query);
  }

  absl::Status JsonCreate(std::string_view run, std::string_view id, Value document) override {
    STRATA_RETURN_IF_ERROR(CheckActive());
    return primitives::JsonCreate(op_, run, id, document);
  }
  absl::StatusOr<Versioned<Value>> JsonGet(std::string_view run, std::string_view id,
                                           std::string_view path) override {
    STRATA_RETURN_IF_ERROR(CheckActive());
    return primitives::JsonGet(op_, run, id, path);
  }
  absl::StatusOr<bool> JsonExists(std::string_view run, std::string_view id) override {
    STRATA_RETURN_IF_ERROR(CheckActive());
    return primitives::JsonExists(op_, run, id);
  }
  absl::Status JsonSet(std::string_view run, std::string_view id, std::string_view path,
                       Value value) override {
    STRATA_RETURN_IF_ERROR(CheckActive());
    STRATA_ASSIGN_OR_RETURN(
        auto ops, primitives::JsonSetOps(path, std::move(value), db_->options().max_value_bytes));
    return primitives::JsonApply(op_, run, id, std::move(ops));
  }
  absl::Status JsonDelete(std::string_view run, std::string_view id,
                          std::string_view path) override {
    STRATA_RETURN_IF_ERROR(CheckActive());
    STRATA_ASSIGN_OR_RETURN(auto ops, primitives::JsonDeleteOps(path));
    return primitives::JsonApply(op_, run, id, std::move(ops));
  }
  absl::Status JsonPatch(std::string_view run, std::string_view id,
                         const Value& patch) override {
    STRATA_RETURN_IF_ERROR(CheckActive());
    STRATA_ASSIGN_OR_RETURN(auto ops, primitives::JsonPatchOps(patch));
    return primitives::JsonApply(op_, run, id, std::move(ops));
  }
  absl::Status JsonMergePatch(std::string_view run, std::string_view id,
                              const Value& patch) override {
    STRATA_RETURN_IF_ERROR(CheckActive());
    STRATA_ASSIGN_OR_RETURN(auto ops,
                            primitives::JsonMergeOps(patch, db_->options().max_value_bytes));
    return primitives::JsonApply(op_, run, id, std::move(ops));
  }
  absl::Status JsonCas(std::string_view run, std::string_view id, Version expected_version,
                       const Value& patch) override {
    STRATA_RETURN_IF_ERROR(CheckActive());
    STRATA_ASSIGN_OR_RETURN(auto ops, primitives::JsonPatchOps(patch));
    return primitives::JsonCas(op_, run, id, expected_version, std::move(ops));
  }
  absl::Status JsonDestroy(std::string_view run, std::string_view id) override {
    STRATA_RETURN_IF_ERROR(CheckActive());
    return primitives::JsonDestroy(op_, run, id);
  }
  absl::StatusOr<IdPage> JsonList(std::string_view run, const ListRequest& request) override {
    STRATA_RETURN_IF_ERROR(CheckActive());
    STRATA_ASSIGN_OR_RETURN(IdPage page, primitives::JsonList(op_, run, request));
    if (page.ids.empty()) STRATA_RETURN_IF_ERROR(primitives::CheckRunInView(op_, run));
    return page;
  }

  absl::StatusOr<Versioned<Value>> Get(const EntityRef& ref) override {
    STRATA_RETURN_IF_ERROR(CheckActive());
    return primitives::GetEntity(op_, ref);
  }

  absl::Status CreateCollection(std::string_view run, const CollectionSpec& spec) override {
    STRATA_RETURN_IF_ERROR(CheckActive());
    return primitives::CreateCollection(op_, run, spec);
  }
  absl::StatusOr<CollectionInfo> DescribeCollection(std::string_view run,
                                                    std::string_view name) override {
    STRATA_RETURN_IF_ERROR(CheckActive());
    return primitives::DescribeCollection(op_, run, name);
  }
  absl::StatusOr<std::vector<CollectionInfo>> ListCollections(std::string_view run) override {
    STRATA_RETURN_IF_ERROR(CheckActive());
    return primitives::ListCollections(op_, run);
  }
  absl::Status DropCollection(std::string_view run, std::string_view name) override {
    STRATA_RETURN_IF_ERROR(CheckActive());
    return primitives::DropCollection(op_, run, name);
  }
  absl::Status VectorUpsert(std::string_view run, std::string_view collection,
                            std::string_view key, std::vector<float> vector,
                            Value metadata) override {
    STRATA_RETURN_IF_ERROR(CheckActive());
    return primitives::VectorUpsert(op_, run, collection, key, std::move(vector),
                                    std::move(metadata));
  }
  absl::Status VectorUpsertBatch(std::string_view run, std::string_view collection,
                                 std::vector<VectorItem> items) override {
    STRATA_RETURN_IF_ERROR(CheckActive());
    return primitives::VectorUpsertBatch(op_, run, collection, std::move(items));
  }
  absl::StatusOr<Versioned<VectorEntry>> VectorGet(std::string_view run,
                                                   std::string_view collection,
                                                   std::string_view key) override {
    STRATA_RETURN_IF_ERROR(CheckActive());
    return primitives::VectorGet(op_, run, collection, key);
  }
  absl::Status VectorDelete(std::string_view run, std::string_view collection,
                            std::string_view key) override {
    STRATA_RETURN_IF_ERROR(CheckActive());
    return primitives::VectorDelete(op_, run, collection, key);
  }
  absl::StatusOr<uint64_t> VectorCount(std::string_view run,
                                       std::string_view collection) override {
    STRATA_RETURN_IF_ERROR(CheckActive());
    return primitives::VectorCount(op_, run, collection);
  }
  absl::StatusOr<VectorSearchResult> VectorSearch(std::string_view run,
                                                  std::string_view collection,
                                                  const VectorSearchRequest& request) override {
    STRATA_RETURN_IF_ERROR(CheckActive());
    return primitives::VectorSearch(op_, run, collection, request);
  }
  absl::StatusOr<SearchResponse> Search(const SearchRequest& request) override {
    STRATA_RETURN_IF_ERROR(CheckActive());
    return primitives::Search(op_, request);
  }

  absl::StatusOr<Version> Commit() override {
    STRATA_RETURN_IF_ERROR(CheckActive());
    return ctx_.Commit();
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
  absl::Status CheckKvWrite(std::string_view run, std::string_view key) {
    STRATA_RETURN_IF_ERROR(CheckActive());
    STRATA_RETURN_IF_ERROR(primitives::CheckRunAndKey(run, key));
    return db_->runs()->CheckWritable(ctx_, run);
  }

  DatabaseImpl* const db_;
  txn::TxnContext ctx_;
  primitives::OpContext op_;
};

}  // namespace

DatabaseImpl::DatabaseImpl(std::string path, const Options& options, Env* env)
    : path_(std::move(path)), options_(options), env_(env) {}

DatabaseImpl::~DatabaseImpl() { Close().IgnoreError(); }

absl::StatusOr<std::unique_ptr<DatabaseImpl>> DatabaseImpl::OpenMemory(
    const Options& options) {
  Options o = options;
  o.durability = DurabilityMode::kInMemory;
  STRATA_RETURN_IF_ERROR(ValidateOptions(o));
  std::unique_ptr<DatabaseImpl> db(new DatabaseImpl("", o, nullptr));
  db->store_ = std::make_unique<storage::MvccStore>(o.shard_count, o.retention,
                                                    o.retention_overrides);
  db->runs_ = std::make_unique<primitives::RunRegistry>(db->store_.get());
  db->txns_ = std::make_unique<txn::TransactionManager>(
      db->store_.get(), nullptr, DurabilityMode::kInMemory, db->store_->trims_history());
  STRATA_RETURN_IF_ERROR(db->AttachIndexes());
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

  uuid_ = manifest_.uuid;
  format_version_ = manifest_.format_version;
  store_ = std::make_unique<storage::MvccStore>(options_.shard_count, options_.retention,
                                                options_.retention_overrides);
  runs_ = std::make_unique<primitives::RunRegistry>(store_.get());
  STRATA_RETURN_IF_ERROR(Recover());
  return absl::OkStatus();
}

absl::Status DatabaseImpl::CheckJsonRecord(const Value& value, Version version) {
  std::string_view doc;
  Value decoded;
  absl::Status s = value.is_bytes() ? json::ParseRecord(value.AsBytes(), &doc)
                                    : MakeError(ErrorCode::kDataLoss, "not bytes");
  if (s.ok()) s = json::DecodeDocument(doc, &decoded);
  if (!s.ok()) {
    return MakeError(ErrorCode::kDataLoss,
                     absl::StrCat("WAL record at version ", version,
                                  ": malformed JSON document: ", s.message()));
  }
  return absl::OkStatus();
}

absl::Status DatabaseImpl::ReplayJsonPatch(const std::string& store_key, Version version,
                                           Value* mutation_value) {
  if (!mutation_value->is_bytes()) {
    return MakeError(ErrorCode::kDataLoss,
                     absl::StrCat("WAL record at version ", version,
                                  ": JSON patch of a document is not bytes"));
  }
  // Recovery replays in commit order, so the document's newest version is
  // the one the patch was applied to when it committed.
  std::string record;
  const absl::Status s =
      txn::ApplyJsonPatchAtHead(*store_, store_key, mutation_value->AsBytes(), &record);
  if (!s.ok()) {
    return MakeError(ErrorCode::kDataLoss,
                     absl::StrCat("WAL record at version ", version,
                                  ": the logged JSON patch does not apply: ", s.message()));
  }
  *mutation_value = Value::MakeBytes(std::move(record));
  return absl::OkStatus();
}

absl::Status DatabaseImpl::Recover() {
  const std::string wal_dir = path_ + "/" + storage::kWalDirName;
  TimestampMicros last_ts = 0;
  auto apply = [&](storage::CommitRecord&& record) -> absl::Status {
    for (storage::Mutation& m : record.mutations) {
      std::string key = storage::MakeStoreKey(m.primitive, m.run, m.key);
      if (m.type == storage::MutationType::kJsonPatch) {
        STRATA_RETURN_IF_ERROR(ReplayJsonPatch(key, record.version, &m.value));
      } else if (m.primitive == Primitive::kJson && m.type == storage::MutationType::kPut) {
        // Patches are applied to stored documents without decoding them, so
        // a logged document must be well formed before it is installed.
        STRATA_RETURN_IF_ERROR(CheckJsonRecord(m.value, record.version));
      }
      store_->Install(key, record.version, record.timestamp_us,
                      m.type == storage::MutationType::kDelete, std::move(m.value),
                      record.version);
    }
    last_ts = std::max(last_ts, record.timestamp_us);
    return absl::OkStatus();
  };
  // Newest usable snapshot first, then the log above its watermark.
  STRATA_ASSIGN_OR_RETURN(const Version base, LoadNewestSnapshot(&last_ts));
  absl::StatusOr<storage::WalRecoveryResult> recovered =
      storage::RecoverWal(env_, wal_dir, options_.recovery_mode, base, apply);
  if (!recovered.ok() && !snapshot_problems_.empty()) {
    return MakeError(GetErrorCode(recovered.status()),
                     absl::StrCat(recovered.status().message(), " (", snapshot_problems_,
                                  ", and the log does not reach back far enough to recover "
                                  "without it)"));
  }
  STRATA_ASSIGN_OR_RETURN(storage::WalRecoveryResult result, std::move(recovered));
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
    absl::MutexLock lock(&manifest_mu_);
    storage::Manifest m = manifest_;
    m.active_wal_segment = number;
    if (storage::WriteManifest(env_, path_, m).ok()) manifest_ = m;
  };
  STRATA_ASSIGN_OR_RETURN(
      wal_, storage::WalWriter::Open(env_, wal_dir, result.last_segment + 1, wal_options,
                                     on_new_segment));
  txns_ = std::make_unique<txn::TransactionManager>(
      store_.get(), wal_.get(), options_.durability, store_->trims_history());
  txns_->SetRecovered(result.last_version, last_ts);
  STRATA_RETURN_IF_ERROR(AttachIndexes());
  StartCheckpointer();
  return absl::OkStatus();
}

absl::Status DatabaseImpl::AttachIndexes() {
  txn::TransactionManager* txns = txns_.get();
  auto horizon = [txns] { return txns->snapshots().Horizon(txns->visible()); };
  vectors_ = std::make_unique<primitives::VectorRegistry>(horizon);
  vectors_->Rebuild(*store_, txns_->visible_version());
  txns_->set_vector_observer(vectors_.get());
  STRATA_ASSIGN_OR_RETURN(search_, primitives::SearchRegistry::Create(options_.search, horizon));
  search_->Rebuild(*store_, txns_->visible_version());
  // Without an indexed run the commit path does no search work at all.
  if (search_->any()) txns_->set_search_observer(search_.get());
  return absl::OkStatus();
}

absl::Status DatabaseImpl::Close() {
  if (closed_.exchange(true)) return absl::OkStatus();
  StopCheckpointer();
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

txn::TxnLimits DatabaseImpl::limits() const {
  txn::TxnLimits limits;
  limits.max_transaction_bytes = options_.max_transaction_bytes;
  limits.max_transaction_ops = options_.max_transaction_ops;
  return limits;
}

template <typename Fn>
auto DatabaseImpl::WriteOp(Fn&& fn, uint32_t attempts) {
  using R = std::invoke_result_t<Fn&, primitives::OpContext&>;
  using T = typename R::value_type;
  using Result = absl::StatusOr<std::pair<T, Version>>;
  if (absl::Status s = CheckOpen(); !s.ok()) return Result(s);
  absl::Status last;
  for (uint32_t attempt = 0; attempt < attempts; ++attempt) {
    if (attempt >= 2) {
      // Concurrent writers of the same entity: let the winner finish. The
      // jittered, capped backoff keeps a thread that lost several times from
      // being outrun forever by fresh ones.
      thread_local std::mt19937 rng(std::random_device{}());
      const uint32_t cap = 1u << std::min<uint32_t>(attempt, 10);  // <= 1024 us
      std::this_thread::sleep_for(std::chrono::microseconds(rng() % cap));
    }
    txn::TxnContext ctx(txns_.get(), limits());
    primitives::OpContext op{ctx, *runs_, options_.max_value_bytes, vectors_.get(),
                             search_.get()};
    R r = fn(op);
    if (!r.ok()) return Result(r.status());
    absl::StatusOr<Version> v = ctx.Commit();
    if (v.ok()) return Result(std::make_pair(*std::move(r), *v));
    if (!IsConflict(v.status())) return Result(v.status());
    last = v.status();
  }
  return Result(MakeError(ErrorCode::kConflict,
                          absl::StrCat("still conflicting after ", attempts,
                                       " attempts; last error: ", last.message())));
}

template <typename Fn>
auto DatabaseImpl::ReadOp(Fn&& fn) {
  using R = std::invoke_result_t<Fn&, primitives::OpContext&>;
  if (absl::Status s = CheckOpen(); !s.ok()) return R(s);
  txn::TxnContext ctx(txns_.get(), limits(), /*record_reads=*/false);
  primitives::OpContext op{ctx, *runs_, options_.max_value_bytes, vectors_.get(),
                             search_.get()};
  return R(fn(op));
}

namespace {

// Adapts an operation that returns a Status to WriteOp.
template <typename Fn>
auto Unit(Fn fn) {
  return [fn = std::move(fn)](primitives::OpContext& c) -> absl::StatusOr<bool> {
    absl::Status s = fn(c);
    if (!s.ok()) return s;
    return true;
  };
}

template <typename T>
absl::StatusOr<Version> VersionOf(const absl::StatusOr<std::pair<T, Version>>& r) {
  if (!r.ok()) return r.status();
  return r->second;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Transaction>> DatabaseImpl::BeginTransaction() {
  STRATA_RETURN_IF_ERROR(CheckOpen());
  return std::unique_ptr<Transaction>(new TransactionHandle(this, limits()));
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
  return VersionOf(WriteOp(Unit([&](primitives::OpContext& c) {
    return primitives::CreateRunNamed(c, run);
  }), 1));
}

absl::StatusOr<bool> DatabaseImpl::RunExists(std::string_view run) {
  STRATA_RETURN_IF_ERROR(CheckOpen());
  STRATA_RETURN_IF_ERROR(ValidateRunId(run));
  return runs_->Exists(run);
}

absl::StatusOr<std::vector<RunId>> DatabaseImpl::ListRuns() {
  return ReadOp([](primitives::OpContext& c) -> absl::StatusOr<std::vector<RunId>> {
    return primitives::ListRunIds(c);
  });
}

absl::StatusOr<Versioned<RunInfo>> DatabaseImpl::CreateRun(const RunSpec& spec) {
  STRATA_ASSIGN_OR_RETURN(auto created, WriteOp([&](primitives::OpContext& c) {
    return primitives::CreateRun(c, spec);
  }, 1));
  // Read back what was committed (the version that created it, not later).
  absl::StatusOr<Versioned<Value>> record =
      GetAt(EntityRef{created.first, Primitive::kRun, "", {}, {}}, created.second);
  if (!record.ok()) return record.status();
  STRATA_ASSIGN_OR_RETURN(RunInfo info,
                          primitives::DecodeRunRecord(created.first, record->value));
  return Versioned<RunInfo>{std::move(info), record->version, record->timestamp_us};
}

absl::StatusOr<Versioned<RunInfo>> DatabaseImpl::GetRun(std::string_view run) {
  return ReadOp([&](primitives::OpContext& c) { return primitives::GetRun(c, run); });
}

absl::StatusOr<std::vector<RunInfo>> DatabaseImpl::QueryRuns(const RunQuery& query) {
  return ReadOp([&](primitives::OpContext& c) { return primitives::QueryRuns(c, query); });
}

absl::StatusOr<Version> DatabaseImpl::UpdateRunMetadata(std::string_view run, Value metadata) {
  return VersionOf(WriteOp(Unit([&](primitives::OpContext& c) {
    return primitives::UpdateRunMetadata(c, run, metadata);
  })));
}

absl::StatusOr<Version> DatabaseImpl::EndRun(std::string_view run, RunStatus status) {
  return VersionOf(WriteOp(Unit([&](primitives::OpContext& c) {
    return primitives::EndRun(c, run, status);
  })));
}

absl::StatusOr<Version> DatabaseImpl::ArchiveRun(std::string_view run) {
  return VersionOf(WriteOp(Unit([&](primitives::OpContext& c) {
    return primitives::ArchiveRun(c, run);
  })));
}

absl::StatusOr<Version> DatabaseImpl::DeleteRun(std::string_view run) {
  // First refuse new writes into the run, so that writers cannot keep adding
  // keys under the delete's scan and make it conflict again and again.
  STRATA_RETURN_IF_ERROR(VersionOf(WriteOp(Unit([&](primitives::OpContext& c) {
    return primitives::MarkRunDeleting(c, run);
  }))).status());
  absl::StatusOr<Version> deleted = VersionOf(WriteOp(Unit([&](primitives::OpContext& c) {
    return primitives::DeleteRun(c, run);
  })));
  if (!deleted.ok()) {
    // Best effort: the run stays as it was (a failure here leaves it marked,
    // and a later DeleteRun finishes the job).
    WriteOp(Unit([&](primitives::OpContext& c) {
      return primitives::ClearRunDeleting(c, run);
    })).IgnoreError();
  }
  return deleted;
}

void DatabaseImpl::AddMutation(storage::MutationType type, Primitive primitive,
                               std::string_view run, std::string_view key, Value value,
                               txn::CommitRequest* request) {
  request->mutations.push_back(
      storage::Mutation{type, primitive, std::string(run), std::string(key), std::move(value)});
  request->store_keys.push_back(storage::MakeStoreKey(primitive, run, key));
}

absl::StatusOr<Version> DatabaseImpl::CommitToRun(std::string_view run,
                                                  txn::CommitRequest& request) {
  const std::string run_key = RunStoreKey(run);
  for (uint32_t attempt = 0;; ++attempt) {
    STRATA_ASSIGN_OR_RETURN(Version expected, runs_->WritableVersion(run, run_key));
    request.run_checks.assign(1, txn::CasCheck{run_key, expected});
    absl::StatusOr<Version> v = txns_->Commit(request);
    if (v.ok() || !IsConflict(v.status())) return v;
    // Retry only when the run's record moved (ended, updated, deleted); the
    // next WritableVersion says whether the run still accepts writes.
    if (store_->LiveHeadVersion(run_key) == expected || attempt + 1 >= kWriteAttempts) {
      return v;
    }
  }
}

absl::StatusOr<Version> DatabaseImpl::KvPut(std::string_view run, std::string_view key,
                                            Value value) {
  STRATA_RETURN_IF_ERROR(CheckOpen());
  STRATA_RETURN_IF_ERROR(primitives::CheckRunAndKey(run, key));
  STRATA_RETURN_IF_ERROR(primitives::CheckValue(value, options_.max_value_bytes));
  txn::CommitRequest request;
  AddMutation(storage::MutationType::kPut, Primitive::kKv, run, key, std::move(value),
              &request);
  return CommitToRun(run, request);
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
  // The tombstone is conditional on the key still being live at commit (a CAS
  // on the version found), so that of concurrent deletes of one key exactly
  // one succeeds and the others get NotFound and write nothing.
  Version expected = found.version;
  for (;;) {
    txn::CommitRequest request;
    request.cas.push_back(txn::CasCheck{primitives::KvStoreKey(run, key), expected});
    AddMutation(storage::MutationType::kDelete, Primitive::kKv, run, key, Value(), &request);
    absl::StatusOr<Version> v = CommitToRun(run, request);
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
  KvPage page;
  if (bounds.start < bounds.end) {
    page = primitives::CollectPage(run, request, [&](const auto& fn) {
      store_->Scan(bounds.start, bounds.end, 0, &txns_->visible(), fn);
    });
  }
  if (page.entries.empty() && !runs_->Exists(run)) return primitives::RunNotFound(run);
  return page;
}

absl::StatusOr<Version> DatabaseImpl::KvCompareAndSwap(std::string_view run,
                                                       std::string_view key,
                                                       Version expected_version,
                                                       Value value) {
  STRATA_RETURN_IF_ERROR(CheckOpen());
  STRATA_RETURN_IF_ERROR(primitives::CheckRunAndKey(run, key));
  STRATA_RETURN_IF_ERROR(primitives::CheckValue(value, options_.max_value_bytes));
  txn::CommitRequest request;
  request.cas.push_back(txn::CasCheck{primitives::KvStoreKey(run, key), expected_version});
  AddMutation(storage::MutationType::kPut, Primitive::kKv, run, key, std::move(value),
              &request);
  return CommitToRun(run, request);
}

absl::StatusOr<Versioned<Value>> DatabaseImpl::KvGetAt(std::string_view run,
                                                       std::string_view key,
                                                       Version version) {
  STRATA_RETURN_IF_ERROR(primitives::CheckRunAndKey(run, key));
  return GetAt(EntityRef{std::string(run), Primitive::kKv, std::string(key), {}, {}}, version);
}

absl::StatusOr<std::vector<KvVersion>> DatabaseImpl::KvHistory(std::string_view run,
                                                               std::string_view key,
                                                               uint32_t limit) {
  STRATA_RETURN_IF_ERROR(primitives::CheckRunAndKey(run, key));
  return History(EntityRef{std::string(run), Primitive::kKv, std::string(key), {}, {}}, limit);
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
  s.recovered_from_snapshot = loaded_snapshot_;
  s.checkpoints = checkpoints_.load(std::memory_order_relaxed);
  if (!path_.empty()) {
    absl::MutexLock lock(&manifest_mu_);
    s.snapshot_watermark = manifest_.snapshot_watermark;
  }
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

DatabaseInfo DatabaseImpl::Info() const {
  DatabaseInfo info;
  info.path = path_;
  info.uuid = uuid_;
  info.format_version = format_version_;
  info.durability = path_.empty() ? DurabilityMode::kInMemory : options_.durability;
  info.library_version = STRATA_VERSION_STRING;
  return info;
}

absl::Status DatabaseImpl::Flush() {
  STRATA_RETURN_IF_ERROR(CheckOpen());
  if (wal_ == nullptr) return absl::OkStatus();
  return wal_->Flush();
}

// --- Event log.

absl::StatusOr<EventAppended> DatabaseImpl::EventAppend(std::string_view run,
                                                        std::string_view type,
                                                        Value payload) {
  STRATA_ASSIGN_OR_RETURN(auto r, WriteOp([&](primitives::OpContext& c) {
    return primitives::EventAppend(c, run, type, payload);
  }));
  r.first.version = r.second;
  return r.first;
}

absl::StatusOr<Versioned<Event>> DatabaseImpl::EventRead(std::string_view run, uint64_t seq) {
  return ReadOp([&](primitives::OpContext& c) { return primitives::EventRead(c, run, seq); });
}

absl::StatusOr<EventPage> DatabaseImpl::EventList(std::string_view run,
                                                  const EventQuery& query) {
  return ReadOp([&](primitives::OpContext& c) { return primitives::EventList(c, run, query); });
}

absl::StatusOr<uint64_t> DatabaseImpl::EventLength(std::string_view run) {
  return ReadOp([&](primitives::OpContext& c) { return primitives::EventLength(c, run); });
}

absl::StatusOr<Versioned<Event>> DatabaseImpl::EventLatest(std::string_view run) {
  return ReadOp([&](primitives::OpContext& c) { return primitives::EventLatest(c, run); });
}

absl::StatusOr<ChainReport> DatabaseImpl::EventVerifyChain(std::string_view run) {
  return ReadOp(
      [&](primitives::OpContext& c) { return primitives::EventVerifyChain(c, run); });
}

// --- State cells.

absl::StatusOr<Version> DatabaseImpl::StateInit(std::string_view run, std::string_view name,
                                                Value value) {
  return VersionOf(WriteOp(Unit([&](primitives::OpContext& c) {
    return primitives::StateInit(c, run, name, value);
  })));
}

absl::StatusOr<Versioned<Value>> DatabaseImpl::StateRead(std::string_view run,
                                                         std::string_view name) {
  return ReadOp([&](primitives::OpContext& c) { return primitives::StateRead(c, run, name); });
}

absl::StatusOr<Version> DatabaseImpl::StateSet(std::string_view run, std::string_view name,
                                               Value value) {
  return VersionOf(WriteOp(Unit([&](primitives::OpContext& c) {
    return primitives::StateSet(c, run, name, value);
  })));
}

absl::StatusOr<Version> DatabaseImpl::StateCas(std::string_view run, std::string_view name,
                                               Version expected_version, Value value) {
  return VersionOf(WriteOp(Unit([&](primitives::OpContext& c) {
    return primitives::StateCas(c, run, name, expected_version, value);
  })));
}

absl::StatusOr<Versioned<Value>> DatabaseImpl::StateTransition(std::string_view run,
                                                               std::string_view name,
                                                               const StateTransitionFn& fn,
                                                               uint32_t max_attempts) {
  if (max_attempts == 0) {
    return MakeError(ErrorCode::kInvalidArgument, "max_attempts must be at least 1");
  }
  STRATA_ASSIGN_OR_RETURN(auto r, WriteOp([&](primitives::OpContext& c) {
    return primitives::StateTransitionOnce(c, run, name, fn);
  }, max_attempts));
  // The commit timestamp is not returned by the commit path; read it back.
  Versioned<Value> out{std::move(r.first), r.second, 0};
  std::vector<KvVersion> h =
      store_->History(storage::MakeStoreKey(Primitive::kState, run, name), r.second, 1);
  if (!h.empty() && h.front().version == r.second) out.timestamp_us = h.front().timestamp_us;
  return out;
}

absl::StatusOr<Version> DatabaseImpl::StateDelete(std::string_view run,
                                                  std::string_view name) {
  return VersionOf(WriteOp(Unit([&](primitives::OpContext& c) {
    return primitives::StateDelete(c, run, name);
  })));
}

absl::StatusOr<KvPage> DatabaseImpl::StateList(std::string_view run,
                                               const ListRequest& request) {
  return ReadOp(
      [&](primitives::OpContext& c) { return primitives::StateList(c, run, request); });
}

// --- Vectors.

absl::StatusOr<Version> DatabaseImpl::CreateCollection(std::string_view run,
                                                       const CollectionSpec& spec) {
  return VersionOf(WriteOp(Unit([&](primitives::OpContext& c) {
    return primitives::CreateCollection(c, run, spec);
  })));
}

absl::StatusOr<CollectionInfo> DatabaseImpl::DescribeCollection(std::string_view run,
                                                                std::string_view name) {
  return ReadOp(
      [&](primitives::OpContext& c) { return primitives::DescribeCollection(c, run, name); });
}

absl::StatusOr<std::vector<CollectionInfo>> DatabaseImpl::ListCollections(std::string_view run) {
  return ReadOp([&](primitives::OpContext& c) { return primitives::ListCollections(c, run); });
}

absl::StatusOr<Version> DatabaseImpl::DropCollection(std::string_view run,
                                                     std::string_view name) {
  return VersionOf(WriteOp(Unit([&](primitives::OpContext& c) {
    return primitives::DropCollection(c, run, name);
  })));
}

absl::StatusOr<Version> DatabaseImpl::VectorUpsert(std::string_view run,
                                                   std::string_view collection,
                                                   std::string_view key,
                                                   std::vector<float> vector, Value metadata) {
  return VersionOf(WriteOp(Unit([&](primitives::OpContext& c) {
    return primitives::VectorUpsert(c, run, collection, key, vector, metadata);
  })));
}

absl::StatusOr<Version> DatabaseImpl::VectorUpsertBatch(std::string_view run,
                                                        std::string_view collection,
                                                        std::vector<VectorItem> items) {
  return VersionOf(WriteOp(Unit([&](primitives::OpContext& c) {
    return primitives::VectorUpsertBatch(c, run, collection, items);
  })));
}

absl::StatusOr<Versioned<VectorEntry>> DatabaseImpl::VectorGet(std::string_view run,
                                                               std::string_view collection,
                                                               std::string_view key) {
  return ReadOp([&](primitives::OpContext& c) {
    return primitives::VectorGet(c, run, collection, key);
  });
}

absl::StatusOr<Versioned<VectorEntry>> DatabaseImpl::VectorGetAt(std::string_view run,
                                                                 std::string_view collection,
                                                                 std::string_view key,
                                                                 Version version) {
  STRATA_RETURN_IF_ERROR(CheckOpen());
  STRATA_RETURN_IF_ERROR(primitives::CheckRunAndKey(run, key));
  STRATA_RETURN_IF_ERROR(vector::ValidateCollectionName(collection));
  const Version current = txns_->visible_version();
  if (version > current) {
    return MakeError(ErrorCode::kVersionNotFound,
                     absl::StrCat("version ", version, " does not exist (newest is ", current,
                                  ")"));
  }
  // The collection as of that version gives the dimension.
  Versioned<Value> def;
  if (store_->Get(storage::MakeStoreKey(Primitive::kVector, run,
                                        vector::DefinitionKey(collection)),
                  version, &def) != storage::ReadStatus::kFound) {
    return MakeError(ErrorCode::kNotFound,
                     absl::StrCat("collection ", std::string(collection),
                                  " did not exist at version ", version));
  }
  STRATA_ASSIGN_OR_RETURN(CollectionSpec spec, vector::DecodeDefinition(collection, def.value));
  Versioned<Value> stored;
  Version earliest = 0;
  switch (store_->Get(storage::MakeStoreKey(Primitive::kVector, run,
                                            vector::VectorKey(collection, key)),
                      version, &stored, &earliest)) {
    case storage::ReadStatus::kFound: {
      STRATA_ASSIGN_OR_RETURN(VectorEntry entry,
                              primitives::DecodeVectorEntry(stored.value, spec.dimension));
      return Versioned<VectorEntry>{std::move(entry), stored.version, stored.timestamp_us};
    }
    case storage::ReadStatus::kTrimmed:
      return MakeErrorWithVersion(
          ErrorCode::kHistoryTrimmed,
          absl::StrCat("version ", version, " of the vector was removed by retention; the "
                       "earliest retained version is ", earliest),
          earliest);
    case storage::ReadStatus::kAbsent:
      break;
  }
  return MakeError(ErrorCode::kNotFound,
                   absl::StrCat("the vector did not exist at version ", version));
}

absl::StatusOr<Version> DatabaseImpl::VectorDelete(std::string_view run,
                                                   std::string_view collection,
                                                   std::string_view key) {
  return VersionOf(WriteOp(Unit([&](primitives::OpContext& c) {
    return primitives::VectorDelete(c, run, collection, key);
  })));
}

absl::StatusOr<uint64_t> DatabaseImpl::VectorCount(std::string_view run,
                                                   std::string_view collection) {
  return ReadOp(
      [&](primitives::OpContext& c) { return primitives::VectorCount(c, run, collection); });
}

absl::StatusOr<VectorSearchResult> DatabaseImpl::VectorSearch(
    std::string_view run, std::string_view collection, const VectorSearchRequest& request) {
  return ReadOp([&](primitives::OpContext& c) {
    return primitives::VectorSearch(c, run, collection, request);
  });
}

// --- Search.

absl::StatusOr<SearchResponse> DatabaseImpl::Search(const SearchRequest& request) {
  return ReadOp([&](primitives::OpContext& c) { return primitives::Search(c, request); });
}

// --- JSON documents.

absl::StatusOr<Version> DatabaseImpl::JsonCreate(std::string_view run, std::string_view id,
                                                 Value document) {
  return VersionOf(WriteOp(Unit([&](primitives::OpContext& c) {
    return primitives::JsonCreate(c, run, id, document);
  })));
}

absl::StatusOr<Versioned<Value>> DatabaseImpl::JsonGet(std::string_view run,
                                                       std::string_view id,
                                                       std::string_view path) {
  STRATA_RETURN_IF_ERROR(CheckOpen());
  STRATA_RETURN_IF_ERROR(primitives::CheckRunAndKey(run, id));
  STRATA_ASSIGN_OR_RETURN(json::Path p, json::ParsePath(path));
  thread_local std::string store_key;
  storage::AssignStoreKey(Primitive::kJson, run, id, &store_key);
  // Read the newest version in place: only the value at the path is copied.
  Versioned<Value> out;
  absl::Status s;
  const storage::ReadStatus rs = store_->Visit(
      store_key, 0, &txns_->visible(),
      [&](const Value& record, Version version, TimestampMicros ts) {
        s = primitives::JsonValueAt(record, p, &out.value);
        out.version = version;
        out.timestamp_us = ts;
      });
  if (rs != storage::ReadStatus::kFound) {
    return ReadOp([&](primitives::OpContext& c) {
      return primitives::JsonNotFound(c, run, id);
    });
  }
  STRATA_RETURN_IF_ERROR(s);
  return out;
}

absl::StatusOr<bool> DatabaseImpl::JsonExists(std::string_view run, std::string_view id) {
  STRATA_RETURN_IF_ERROR(CheckOpen());
  STRATA_RETURN_IF_ERROR(primitives::CheckRunAndKey(run, id));
  thread_local std::string store_key;
  storage::AssignStoreKey(Primitive::kJson, run, id, &store_key);
  // Existence needs no decoding of the document.
  if (store_->Visit(store_key, 0, &txns_->visible(), [](const Value&, Version, TimestampMicros) {
      }) == storage::ReadStatus::kFound) {
    return true;
  }
  return false;  // Like every Exists: a missing run is not an error here.
}

absl::StatusOr<Version> DatabaseImpl::JsonPathOps(std::string_view run, std::string_view id,
                                                  absl::StatusOr<std::vector<json::Op>> ops) {
  STRATA_RETURN_IF_ERROR(CheckOpen());
  STRATA_RETURN_IF_ERROR(primitives::CheckRunAndKey(run, id));
  STRATA_RETURN_IF_ERROR(ops.status());
  // A blind path-level mutation: the commit applies it to the newest
  // version of the document under the commit lock, so one operation needs
  // no snapshot, no region check and never conflicts.
  std::string encoded;
  json::EncodeOps(*ops, &encoded);
  txn::CommitRequest request;
  AddMutation(storage::MutationType::kJsonPatch, Primitive::kJson, run, id,
              Value::MakeBytes(std::move(encoded)), &request);
  absl::StatusOr<Version> v = CommitToRun(run, request);
  if (GetErrorCode(v.status()) == ErrorCode::kNotFound && !RunExists(run).value_or(true)) {
    return ReadOp([&](primitives::OpContext& c) { return primitives::CheckRunInView(c, run); });
  }
  return v;
}

absl::StatusOr<Version> DatabaseImpl::JsonSet(std::string_view run, std::string_view id,
                                              std::string_view path, Value value) {
  return JsonPathOps(run, id,
                     primitives::JsonSetOps(path, std::move(value), options_.max_value_bytes));
}

absl::StatusOr<Version> DatabaseImpl::JsonDelete(std::string_view run, std::string_view id,
                                                 std::string_view path) {
  return JsonPathOps(run, id, primitives::JsonDeleteOps(path));
}

absl::StatusOr<Version> DatabaseImpl::JsonPatch(std::string_view run, std::string_view id,
                                                const Value& patch) {
  return JsonPathOps(run, id, primitives::JsonPatchOps(patch));
}

absl::StatusOr<Version> DatabaseImpl::JsonMergePatch(std::string_view run,
                                                     std::string_view id,
                                                     const Value& patch) {
  return JsonPathOps(run, id, primitives::JsonMergeOps(patch, options_.max_value_bytes));
}

absl::StatusOr<Version> DatabaseImpl::JsonCas(std::string_view run, std::string_view id,
                                              Version expected_version, const Value& patch) {
  STRATA_ASSIGN_OR_RETURN(std::vector<json::Op> ops, primitives::JsonPatchOps(patch));
  // One attempt: a CAS that loses must report the version that won.
  return VersionOf(WriteOp(Unit([&](primitives::OpContext& c) {
    return primitives::JsonCas(c, run, id, expected_version, ops);
  }), 1));
}

absl::StatusOr<Version> DatabaseImpl::JsonDestroy(std::string_view run, std::string_view id) {
  return VersionOf(WriteOp(Unit([&](primitives::OpContext& c) {
    return primitives::JsonDestroy(c, run, id);
  })));
}

absl::StatusOr<IdPage> DatabaseImpl::JsonList(std::string_view run,
                                              const ListRequest& request) {
  return ReadOp([&](primitives::OpContext& c) -> absl::StatusOr<IdPage> {
    STRATA_ASSIGN_OR_RETURN(IdPage page, primitives::JsonList(c, run, request));
    if (page.ids.empty()) STRATA_RETURN_IF_ERROR(primitives::CheckRunInView(c, run));
    return page;
  });
}

absl::StatusOr<Versioned<Value>> DatabaseImpl::JsonGetAt(std::string_view run,
                                                         std::string_view id,
                                                         std::string_view path,
                                                         Version version) {
  return GetAt(EntityRef{std::string(run), Primitive::kJson, std::string(id),
                         std::string(path), {}},
               version);
}

absl::StatusOr<std::vector<KvVersion>> DatabaseImpl::JsonHistory(std::string_view run,
                                                                 std::string_view id,
                                                                 uint32_t limit) {
  return History(EntityRef{std::string(run), Primitive::kJson, std::string(id), {}, {}},
                 limit);
}

// --- Trace spans.

absl::StatusOr<uint64_t> DatabaseImpl::TraceRecord(std::string_view run,
                                                   const SpanSpec& spec) {
  STRATA_ASSIGN_OR_RETURN(auto r, WriteOp([&](primitives::OpContext& c) {
    return primitives::TraceRecord(c, run, spec);
  }));
  return r.first;
}

absl::StatusOr<uint64_t> DatabaseImpl::TraceBegin(std::string_view run, const SpanSpec& spec) {
  STRATA_ASSIGN_OR_RETURN(auto r, WriteOp([&](primitives::OpContext& c) {
    return primitives::TraceBegin(c, run, spec);
  }));
  return r.first;
}

absl::StatusOr<Version> DatabaseImpl::TraceEnd(std::string_view run, uint64_t span_id,
                                               SpanStatus status, Value output,
                                               TimestampMicros end_us) {
  return VersionOf(WriteOp(Unit([&](primitives::OpContext& c) {
    return primitives::TraceEnd(c, run, span_id, status, output, end_us);
  })));
}

absl::StatusOr<Versioned<Span>> DatabaseImpl::TraceGet(std::string_view run,
                                                       uint64_t span_id) {
  return ReadOp(
      [&](primitives::OpContext& c) { return primitives::TraceGet(c, run, span_id); });
}

absl::StatusOr<SpanPage> DatabaseImpl::TraceQuery(std::string_view run,
                                                  const SpanQuery& query) {
  return ReadOp(
      [&](primitives::OpContext& c) { return primitives::TraceQuery(c, run, query); });
}

absl::StatusOr<std::vector<SpanTreeNode>> DatabaseImpl::TraceTree(std::string_view run) {
  return ReadOp([&](primitives::OpContext& c) { return primitives::TraceTree(c, run); });
}

absl::StatusOr<uint64_t> DatabaseImpl::TraceCount(std::string_view run) {
  return ReadOp([&](primitives::OpContext& c) { return primitives::TraceCount(c, run); });
}

// --- Entities by address.

absl::StatusOr<Versioned<Value>> DatabaseImpl::Get(const EntityRef& ref) {
  return ReadOp([&](primitives::OpContext& c) { return primitives::GetEntity(c, ref); });
}

absl::StatusOr<bool> DatabaseImpl::Exists(const EntityRef& ref) {
  return primitives::ExistsFromGet(Get(ref));
}

absl::StatusOr<std::string> DatabaseImpl::EntityKeyChecked(const EntityRef& ref) {
  STRATA_RETURN_IF_ERROR(CheckOpen());
  return primitives::EntityStoreKey(ref);
}

absl::StatusOr<Versioned<Value>> DatabaseImpl::GetAt(const EntityRef& ref, Version version) {
  STRATA_ASSIGN_OR_RETURN(std::string key, EntityKeyChecked(ref));
  const Version current = txns_->visible_version();
  if (version > current) {
    return MakeError(ErrorCode::kVersionNotFound,
                     absl::StrCat("version ", version, " does not exist (newest is ",
                                  current, ")"));
  }
  Versioned<Value> out;
  Version earliest = 0;
  switch (store_->Get(key, version, &out, &earliest)) {
    case storage::ReadStatus::kFound: {
      STRATA_ASSIGN_OR_RETURN(out.value, primitives::RenderEntity(ref, out.value));
      return out;
    }
    case storage::ReadStatus::kTrimmed:
      return MakeErrorWithVersion(
          ErrorCode::kHistoryTrimmed,
          absl::StrCat("version ", version, " of ", primitives::EntityText(ref),
                       " was removed by retention; the earliest retained version is ",
                       earliest),
          earliest);
    case storage::ReadStatus::kAbsent:
      break;
  }
  return MakeError(ErrorCode::kNotFound, absl::StrCat(primitives::EntityText(ref),
                                                      " did not exist at version ", version));
}

absl::StatusOr<Versioned<Value>> DatabaseImpl::GetAsOf(const EntityRef& ref,
                                                       TimestampMicros timestamp_us) {
  STRATA_ASSIGN_OR_RETURN(std::string key, EntityKeyChecked(ref));
  const std::vector<KvVersion> history =
      store_->History(key, txns_->visible_version(), UINT32_MAX);
  for (const KvVersion& v : history) {
    if (v.timestamp_us > timestamp_us) continue;
    if (v.deleted) break;
    STRATA_ASSIGN_OR_RETURN(Value value, primitives::RenderEntity(ref, v.value));
    return Versioned<Value>{std::move(value), v.version, v.timestamp_us};
  }
  const Version earliest = store_->EarliestRetained(key);
  if (earliest != 0 && (history.empty() || history.back().timestamp_us > timestamp_us)) {
    return MakeErrorWithVersion(
        ErrorCode::kHistoryTrimmed,
        absl::StrCat("the state of ", primitives::EntityText(ref), " at time ", timestamp_us,
                     " was removed by retention; the earliest retained version is ",
                     earliest),
        earliest);
  }
  return MakeError(ErrorCode::kNotFound, absl::StrCat(primitives::EntityText(ref),
                                                      " did not exist at time ", timestamp_us));
}

absl::StatusOr<std::vector<KvVersion>> DatabaseImpl::History(const EntityRef& ref,
                                                             uint32_t limit) {
  STRATA_ASSIGN_OR_RETURN(std::string key, EntityKeyChecked(ref));
  STRATA_RETURN_IF_ERROR(primitives::CheckLimit(limit));
  std::vector<KvVersion> history = store_->History(key, txns_->visible_version(), limit);
  if (history.empty()) {
    return MakeError(ErrorCode::kNotFound,
                     absl::StrCat("no history for ", primitives::EntityText(ref)));
  }
  for (KvVersion& v : history) {
    if (v.deleted) continue;
    STRATA_ASSIGN_OR_RETURN(v.value, primitives::RenderEntity(ref, v.value));
  }
  return history;
}

absl::StatusOr<uint64_t> DatabaseImpl::Count(std::string_view run, Primitive primitive) {
  return ReadOp(
      [&](primitives::OpContext& c) { return primitives::CountEntities(c, run, primitive); });
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
