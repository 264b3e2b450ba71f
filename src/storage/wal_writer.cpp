// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
#include "storage/wal_writer.hpp"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "storage/wal_format.hpp"
#include "strata/status.hpp"
#include "util/status_macros.hpp"

namespace strata::storage {

namespace {
// Buffered mode: committers flush inline beyond this multiple of
// max_pending_bytes, so a stalled disk cannot grow the buffer without bound.
constexpr uint64_t kBackPressureFactor = 8;
}  // namespace

WalWriter::WalWriter(Env* env, std::string wal_dir,
                     const WalWriterOptions& options,
                     std::function<void(uint64_t)> on_new_segment)
    : env_(env),
      wal_dir_(std::move(wal_dir)),
      options_(options),
      on_new_segment_(std::move(on_new_segment)) {}

absl::StatusOr<std::unique_ptr<WalWriter>> WalWriter::Open(
    Env* env, std::string wal_dir, uint64_t segment_number,
    const WalWriterOptions& options,
    std::function<void(uint64_t segment_number)> on_new_segment) {
  std::unique_ptr<WalWriter> writer(
      new WalWriter(env, std::move(wal_dir), options, std::move(on_new_segment)));
  {
    absl::MutexLock io(&writer->io_mu_);
    STRATA_RETURN_IF_ERROR(writer->OpenSegment(segment_number));
  }
  if (options.mode == DurabilityMode::kBuffered) {
    writer->flusher_ = std::thread([w = writer.get()] { w->FlusherLoop(); });
  }
  return writer;
}

WalWriter::~WalWriter() { Close().IgnoreError(); }

uint64_t WalWriter::active_segment() const {
  absl::MutexLock io(&io_mu_);
  return segment_number_;
}

absl::Status WalWriter::OpenSegment(uint64_t number) {
  const std::string path = wal_dir_ + "/" + SegmentFileName(number);
  STRATA_ASSIGN_OR_RETURN(auto file, env_->NewWritableFile(path, /*truncate=*/true));
  STRATA_RETURN_IF_ERROR(file->Append(EncodeSegmentHeader(number, kIdentityCodecId)));
  STRATA_RETURN_IF_ERROR(file->Sync());
  STRATA_RETURN_IF_ERROR(env_->SyncDir(wal_dir_));
  if (file_ != nullptr) STRATA_RETURN_IF_ERROR(file_->Close());
  file_ = std::move(file);
  segment_number_ = number;
  if (on_new_segment_) on_new_segment_(number);
  return absl::OkStatus();
}

absl::Status WalWriter::WriteBatch(const std::string& batch) {
  if (file_->Size() >= options_.segment_bytes) {
    // The current segment is complete and synced (every batch is synced).
    STRATA_RETURN_IF_ERROR(OpenSegment(segment_number_ + 1));
  }
  STRATA_RETURN_IF_ERROR(file_->Append(batch));
  STRATA_RETURN_IF_ERROR(file_->Sync());
  sync_count_.fetch_add(1, std::memory_order_relaxed);
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> WalWriter::Append(std::string_view record,
                                           Version version) {
  absl::MutexLock lock(&mu_);
  if (!error_.ok()) return error_;
  if (closed_) return MakeError(ErrorCode::kClosed, "the write-ahead log is closed");
  buffer_.append(record.data(), record.size());
  appended_lsn_ += record.size();
  appended_bytes_.store(appended_lsn_, std::memory_order_relaxed);
  appended_version_ = version;
  return appended_lsn_;
}

void WalWriter::LeadFlush() {
  flush_in_progress_ = true;
  std::string batch;
  batch.swap(buffer_);
  const uint64_t target_lsn = appended_lsn_;
  const Version target_version = appended_version_;
  mu_.Unlock();
  absl::Status s;
  if (!batch.empty()) {
    absl::MutexLock io(&io_mu_);
    s = WriteBatch(batch);
  }
  mu_.Lock();
  flush_in_progress_ = false;
  if (s.ok()) {
    synced_lsn_ = target_lsn;
    synced_version_.store(target_version, std::memory_order_release);
  } else if (error_.ok()) {
    error_ = s;
  }
  cv_.SignalAll();
}

absl::Status WalWriter::SyncUpTo(uint64_t lsn) {
  absl::MutexLock lock(&mu_);
  while (synced_lsn_ < lsn) {
    if (!error_.ok()) return error_;
    if (flush_in_progress_) {
      cv_.Wait(&mu_);
      continue;
    }
    LeadFlush();
  }
  return absl::OkStatus();
}

absl::Status WalWriter::MaybeFlushBuffered(uint64_t lsn) {
  if (options_.mode != DurabilityMode::kBuffered) return absl::OkStatus();
  uint64_t pending = 0;
  {
    absl::MutexLock lock(&mu_);
    pending = buffer_.size();
    if (pending >= options_.max_pending_bytes) cv_.SignalAll();
  }
  if (pending >= kBackPressureFactor * options_.max_pending_bytes) {
    return SyncUpTo(lsn);
  }
  return absl::OkStatus();
}

absl::Status WalWriter::Flush() {
  uint64_t lsn = 0;
  {
    absl::MutexLock lock(&mu_);
    lsn = appended_lsn_;
  }
  return SyncUpTo(lsn);
}

void WalWriter::FlusherLoop() {
  const absl::Duration interval = absl::Milliseconds(options_.flush_interval_ms);
  absl::MutexLock lock(&mu_);
  while (!stop_) {
    const absl::Time deadline = absl::Now() + interval;
    while (!stop_ && buffer_.size() < options_.max_pending_bytes &&
           !cv_.WaitWithDeadline(&mu_, deadline)) {
    }
    if (stop_) break;
    if (!buffer_.empty() && !flush_in_progress_ && error_.ok()) LeadFlush();
  }
}

absl::Status WalWriter::Close() {
  absl::Status s = Flush();
  {
    absl::MutexLock lock(&mu_);
    if (closed_) return error_.ok() ? absl::OkStatus() : error_;
    stop_ = true;
    closed_ = true;
    cv_.SignalAll();
  }
  if (flusher_.joinable()) flusher_.join();
  absl::MutexLock io(&io_mu_);
  if (file_ != nullptr) {
    absl::Status c = file_->Close();
    if (s.ok()) s = c;
    file_.reset();
  }
  return s;
}

}  // namespace strata::storage
