// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Checkpoints, snapshot recovery, compaction, export and import for
// DatabaseImpl (docs/storage-format.md, "Snapshot files" and "Checkpoints").
#include <algorithm>
#include <chrono>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "db/database_impl.hpp"
#include "storage/snapshot_file.hpp"
#include "storage/store_key.hpp"
#include "storage/wal_format.hpp"
#include "storage/wal_reader.hpp"
#include "strata/status.hpp"
#include "util/clock.hpp"
#include "util/status_macros.hpp"

namespace strata {

namespace {

std::string SnapshotDir(const std::string& db_dir) {
  return db_dir + "/" + storage::kSnapshotDirName;
}

// Watermarks of the snapshot files in `dir`, newest first.
absl::StatusOr<std::vector<Version>> ListSnapshots(Env* env, const std::string& dir) {
  std::vector<Version> out;
  if (!env->FileExists(dir)) return out;
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names, env->ListDir(dir));
  for (const std::string& name : names) {
    if (std::optional<Version> w = storage::ParseSnapshotFileName(name)) out.push_back(*w);
  }
  std::sort(out.rbegin(), out.rend());
  return out;
}

// Writes every retained version <= `watermark` of `store` to `file`.
absl::StatusOr<CheckpointInfo> WriteSnapshot(Env* env, const storage::MvccStore& store,
                                             const std::string& file,
                                             const storage::SnapshotMeta& meta) {
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<storage::SnapshotWriter> writer,
                          storage::SnapshotWriter::Create(env, file, meta));
  STRATA_RETURN_IF_ERROR(store.ForEachChain(
      meta.watermark,
      [&](std::string_view key, Version earliest,
          const std::vector<const storage::VersionNode*>& versions) -> absl::Status {
        STRATA_RETURN_IF_ERROR(
            writer->BeginChain(key, earliest, static_cast<uint32_t>(versions.size())));
        for (const storage::VersionNode* v : versions) {
          STRATA_RETURN_IF_ERROR(
              writer->AddVersion(v->version, v->timestamp_us, v->tombstone, v->value));
        }
        return absl::OkStatus();
      }));
  STRATA_RETURN_IF_ERROR(writer->Finish());
  CheckpointInfo info;
  info.watermark = meta.watermark;
  info.timestamp_us = meta.created_us;
  info.bytes = writer->bytes_written();
  info.keys = writer->chain_count();
  info.versions = writer->version_count();
  return info;
}

}  // namespace

absl::StatusOr<CheckpointInfo> DatabaseImpl::Checkpoint() {
  STRATA_RETURN_IF_ERROR(CheckOpen());
  if (path_.empty()) {
    return MakeError(ErrorCode::kFailedPrecondition,
                     "an in-memory database has no files to checkpoint (use Export)");
  }
  absl::MutexLock lock(&checkpoint_mu_);
  return CheckpointLocked();
}

absl::StatusOr<CheckpointInfo> DatabaseImpl::CheckpointLocked() {
  const std::string dir = SnapshotDir(path_);
  STRATA_RETURN_IF_ERROR(env_->CreateDirs(dir));
  const uint64_t logged = wal_->appended_bytes();
  STRATA_ASSIGN_OR_RETURN(
      CheckpointInfo info,
      WriteSnapshotOfNewest(env_, [&](Version w) {
        return dir + "/" + storage::SnapshotFileName(w);
      }));
  info.snapshot_id = storage::SnapshotFileName(info.watermark);
  // The snapshot counts once its name is durable; the MANIFEST then records
  // it for tools (recovery lists SNAPSHOTS/ itself).
  STRATA_RETURN_IF_ERROR(env_->SyncDir(dir));
  {
    absl::MutexLock m(&manifest_mu_);
    storage::Manifest updated = manifest_;
    updated.snapshot_watermark = info.watermark;
    STRATA_RETURN_IF_ERROR(storage::WriteManifest(env_, path_, updated));
    manifest_ = updated;
  }
  // Keep the newest keep_snapshots snapshots; drop leftovers of failed ones.
  STRATA_ASSIGN_OR_RETURN(std::vector<Version> kept, ListSnapshots(env_, dir));
  for (size_t i = options_.keep_snapshots; i < kept.size(); ++i) {
    env_->RemoveFile(dir + "/" + storage::SnapshotFileName(kept[i])).IgnoreError();
  }
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names, env_->ListDir(dir));
  for (const std::string& n : names) {
    if (n.ends_with(".tmp")) env_->RemoveFile(dir + "/" + n).IgnoreError();
  }
  logged_at_checkpoint_.store(logged, std::memory_order_relaxed);
  watermark_at_checkpoint_.store(info.watermark, std::memory_order_relaxed);
  checkpoints_.fetch_add(1, std::memory_order_relaxed);
  return info;
}

absl::StatusOr<CompactInfo> DatabaseImpl::Compact(CompactMode mode) {
  STRATA_RETURN_IF_ERROR(CheckOpen());
  CompactInfo info;
  if (mode == CompactMode::kFull) {
    info.versions_removed = store_->TrimAll(txns_->snapshots().Horizon(txns_->visible()));
  }
  if (path_.empty()) return info;
  absl::MutexLock lock(&checkpoint_mu_);
  STRATA_ASSIGN_OR_RETURN(CompactInfo wal, CompactWalLocked());
  info.reclaimed_bytes = wal.reclaimed_bytes;
  info.wal_segments_removed = wal.wal_segments_removed;
  return info;
}

absl::StatusOr<CompactInfo> DatabaseImpl::CompactWalLocked() {
  CompactInfo info;
  // Segments are removed only once the oldest kept snapshot covers them, so
  // recovery can still fall back to it if a newer one is damaged.
  STRATA_ASSIGN_OR_RETURN(std::vector<Version> snapshots,
                          ListSnapshots(env_, SnapshotDir(path_)));
  if (snapshots.empty()) return info;
  const Version covered = snapshots.back();
  const std::string wal_dir = path_ + "/" + storage::kWalDirName;
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names, env_->ListDir(wal_dir));
  std::vector<uint64_t> segments;
  for (const std::string& name : names) {
    if (std::optional<uint64_t> n = storage::ParseSegmentFileName(name)) segments.push_back(*n);
  }
  std::sort(segments.begin(), segments.end());
  const uint64_t active = wal_->active_segment();
  // Segment i holds versions below the first version of segment i + 1; it
  // is covered when that first version is at most covered + 1. Stop at the
  // first segment that is not, so what remains is contiguous.
  for (size_t i = 0; i + 1 < segments.size(); ++i) {
    if (segments[i] >= active) break;
    const std::string next = wal_dir + "/" + storage::SegmentFileName(segments[i + 1]);
    STRATA_ASSIGN_OR_RETURN(std::string contents, env_->ReadFile(next));
    STRATA_ASSIGN_OR_RETURN(Version next_first, storage::FirstVersionInSegment(contents));
    if (next_first == 0 || next_first > covered + 1) break;
    const std::string file = wal_dir + "/" + storage::SegmentFileName(segments[i]);
    STRATA_ASSIGN_OR_RETURN(uint64_t size, env_->GetFileSize(file));
    STRATA_RETURN_IF_ERROR(env_->RemoveFile(file));
    info.reclaimed_bytes += size;
    ++info.wal_segments_removed;
  }
  if (info.wal_segments_removed > 0) STRATA_RETURN_IF_ERROR(env_->SyncDir(wal_dir));
  return info;
}

absl::StatusOr<CheckpointInfo> DatabaseImpl::WriteSnapshotOfNewest(
    Env* env, const std::function<std::string(Version)>& file_for) {
  storage::SnapshotMeta meta;
  meta.uuid = uuid_;
  meta.created_us = util::NowMicros();
  meta.codec_id = storage::kIdentityCodecId;
  // Pin the watermark: retention keeps the newest version <= W of every key
  // while the pin is held, so the snapshot is exactly the state at W.
  storage::SnapshotRegistry::Pin pin = txns_->snapshots().Acquire(txns_->visible());
  meta.watermark = pin.version;
  // Make the log durable through W first (Buffered mode may not have synced
  // it yet), so the log never has a hole below a snapshot and recovery can
  // still fall back to an older snapshot.
  if (wal_ != nullptr) {
    if (absl::Status s = wal_->Flush(); !s.ok()) {
      txns_->snapshots().Release(pin);
      return s;
    }
  }
  const std::string file = file_for(meta.watermark);
  const std::string tmp = file + ".tmp";
  absl::StatusOr<CheckpointInfo> info = WriteSnapshot(env, *store_, tmp, meta);
  txns_->snapshots().Release(pin);
  if (!info.ok()) {
    env->RemoveFile(tmp).IgnoreError();
    return info.status();
  }
  STRATA_RETURN_IF_ERROR(env->RenameFile(tmp, file));
  info->snapshot_id = file;
  return info;
}

absl::StatusOr<CheckpointInfo> DatabaseImpl::Export(const std::string& file) {
  STRATA_RETURN_IF_ERROR(CheckOpen());
  Env* env = env_ != nullptr ? env_ : Env::Default();
  if (env->FileExists(file)) {
    return MakeError(ErrorCode::kAlreadyExists, absl::StrCat("export file ", file, " exists"));
  }
  return WriteSnapshotOfNewest(env, [&](Version) { return file; });
}

absl::StatusOr<Version> DatabaseImpl::LoadNewestSnapshot(TimestampMicros* last_ts) {
  const std::string dir = SnapshotDir(path_);
  STRATA_ASSIGN_OR_RETURN(std::vector<Version> snapshots, ListSnapshots(env_, dir));
  std::string problems;
  for (Version w : snapshots) {
    const std::string name = storage::SnapshotFileName(w);
    auto store = std::make_unique<storage::MvccStore>(options_.shard_count, options_.retention,
                                                      options_.retention_overrides);
    TimestampMicros newest_ts = 0;
    absl::Status s;
    absl::StatusOr<std::string> contents = env_->ReadFile(dir + "/" + name);
    if (contents.ok()) {
      absl::StatusOr<storage::SnapshotMeta> meta = storage::ReadSnapshot(
          *contents, name, [&](storage::SnapshotChain&& chain) -> absl::Status {
            storage::StoreKeyParts parts;
            if (!storage::SplitStoreKey(chain.store_key, &parts)) {
              return MakeError(ErrorCode::kDataLoss, "malformed store key");
            }
            for (storage::SnapshotVersion& v : chain.versions) {
              if (parts.primitive == Primitive::kJson && !v.tombstone) {
                STRATA_RETURN_IF_ERROR(CheckJsonRecord(v.value, v.version));
              }
              newest_ts = std::max(newest_ts, v.timestamp_us);
              store->Install(chain.store_key, v.version, v.timestamp_us, v.tombstone,
                             std::move(v.value), v.version);
            }
            if (chain.earliest_retained != 0) {
              store->SetEarliestRetained(chain.store_key, chain.earliest_retained);
            }
            return absl::OkStatus();
          });
      if (meta.ok() && meta->watermark != w) {
        s = MakeError(ErrorCode::kDataLoss, "its watermark does not match its name");
      } else if (meta.ok() && meta->uuid != uuid_) {
        s = MakeError(ErrorCode::kDataLoss,
                      absl::StrCat("it belongs to database ", meta->uuid));
      } else {
        s = meta.status();
      }
    } else {
      s = contents.status();
    }
    if (GetErrorCode(s) == ErrorCode::kFailedPrecondition) return s;  // Newer format.
    if (s.ok()) {
      store_ = std::move(store);
      runs_ = std::make_unique<primitives::RunRegistry>(store_.get());
      *last_ts = newest_ts;
      loaded_snapshot_ = w;
      return w;
    }
    absl::StrAppend(&problems, problems.empty() ? "" : "; ", "snapshot ", name,
                    " is unusable: ", s.message());
  }
  snapshot_problems_ = problems;
  return 0;
}

void DatabaseImpl::StartCheckpointer() {
  if (path_.empty() ||
      (options_.checkpoint_wal_bytes == 0 && options_.checkpoint_interval_ms == 0)) {
    return;
  }
  watermark_at_checkpoint_.store(loaded_snapshot_, std::memory_order_relaxed);
  checkpointer_ = std::thread([this] {
    absl::MutexLock lock(&checkpointer_mu_);
    const absl::Duration interval = absl::Milliseconds(options_.checkpoint_interval_ms);
    absl::Time last = absl::Now();
    while (!stop_checkpointer_) {
      checkpointer_mu_.AwaitWithTimeout(absl::Condition(&stop_checkpointer_),
                                        absl::Milliseconds(50));
      if (stop_checkpointer_) break;
      const uint64_t logged = wal_->appended_bytes() -
                              logged_at_checkpoint_.load(std::memory_order_relaxed);
      const bool by_size =
          options_.checkpoint_wal_bytes != 0 && logged >= options_.checkpoint_wal_bytes;
      // By time only when a commit became visible since the last snapshot:
      // bytes appended by a commit still waiting for its sync would give a
      // snapshot without it, and then no reason to take another.
      const bool by_time =
          options_.checkpoint_interval_ms != 0 && absl::Now() - last >= interval &&
          txns_->visible_version() > watermark_at_checkpoint_.load(std::memory_order_relaxed);
      if (!by_size && !by_time) continue;
      last = absl::Now();
      checkpointer_mu_.Unlock();
      {
        absl::MutexLock cp(&checkpoint_mu_);
        // A failure (full disk, say) is retried at the next threshold; the
        // WAL still holds everything.
        if (CheckpointLocked().ok()) CompactWalLocked().IgnoreError();
        else logged_at_checkpoint_.store(wal_->appended_bytes(), std::memory_order_relaxed);
      }
      checkpointer_mu_.Lock();
    }
  });
}

void DatabaseImpl::StopCheckpointer() {
  {
    absl::MutexLock lock(&checkpointer_mu_);
    stop_checkpointer_ = true;
  }
  if (checkpointer_.joinable()) checkpointer_.join();
}

absl::StatusOr<std::unique_ptr<Database>> Database::Import(const std::string& file,
                                                           const std::string& path,
                                                           const Options& options) {
  Env* env = Env::Default();
  STRATA_ASSIGN_OR_RETURN(std::string contents, env->ReadFile(file));
  STRATA_ASSIGN_OR_RETURN(storage::SnapshotMeta meta,
                          storage::ReadSnapshot(contents, file, [](storage::SnapshotChain&&) {
                            return absl::OkStatus();
                          }));
  if (env->FileExists(path + "/" + storage::kManifestFileName)) {
    return MakeError(ErrorCode::kAlreadyExists,
                     absl::StrCat("cannot import into ", path, ": a database is there"));
  }
  const std::string dir = SnapshotDir(path);
  STRATA_RETURN_IF_ERROR(env->CreateDirs(dir));
  STRATA_RETURN_IF_ERROR(env->CreateDirs(path + "/" + storage::kWalDirName));
  const std::string name = storage::SnapshotFileName(meta.watermark);
  STRATA_RETURN_IF_ERROR(env->WriteFileAtomic(dir + "/" + name, contents));
  storage::Manifest manifest;
  manifest.uuid = meta.uuid;
  manifest.created_us = util::NowMicros();
  manifest.snapshot_watermark = meta.watermark;
  STRATA_RETURN_IF_ERROR(storage::WriteManifest(env, path, manifest));
  return Database::Open(path, options);
}

}  // namespace strata
