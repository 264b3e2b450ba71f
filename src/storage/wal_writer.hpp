// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// WalWriter: appends finished records to the active WAL segment.
//
// Records are first copied into an in-memory buffer (Append, called in
// commit order under the commit lock). Buffered bytes reach the disk in
// batches, each written with one write and made durable with one fdatasync:
//  * Strict: every committer calls SyncUpTo(its lsn). The first one becomes
//    the leader, takes the whole buffer and syncs it; the others wait and are
//    usually covered by that sync or the next (group commit).
//  * Buffered: a background thread flushes every flush_interval_ms, or early
//    when max_pending_bytes are buffered. Committers that find 8x that much
//    pending flush themselves (back-pressure).
// A failed write or sync is sticky: every later Append/SyncUpTo returns it,
// since after a failed fsync the state of the file is unknown. The database
// must be reopened to recover.
//
// Segments roll over at a record-batch boundary once the active segment
// exceeds segment_bytes; the new segment's header is synced together with its
// directory entry before records go into it.
//
// Thread safety: thread-safe. Append must be externally serialized (records
// must enter the log in commit order).
#ifndef STRATA_STORAGE_WAL_WRITER_HPP_
#define STRATA_STORAGE_WAL_WRITER_HPP_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "env/env.hpp"
#include "strata/options.hpp"
#include "strata/types.hpp"

namespace strata::storage {

struct WalWriterOptions {
  DurabilityMode mode = DurabilityMode::kStrict;  // kBuffered or kStrict.
  uint64_t segment_bytes = 64ull << 20;
  uint32_t flush_interval_ms = 10;
  uint64_t max_pending_bytes = 1ull << 20;
};

class WalWriter {
 public:
  // Creates segment `segment_number` (which must not hold records) in
  // `wal_dir` and starts the flusher in Buffered mode. `on_new_segment` is
  // called (from the writing thread) after each new segment is durable.
  static absl::StatusOr<std::unique_ptr<WalWriter>> Open(
      Env* env, std::string wal_dir, uint64_t segment_number,
      const WalWriterOptions& options,
      std::function<void(uint64_t segment_number)> on_new_segment);
  ~WalWriter();
  WalWriter(const WalWriter&) = delete;
  WalWriter& operator=(const WalWriter&) = delete;

  // Buffers one finished record (see FinalizeRecord) that holds commit
  // `version`. Returns the log sequence number just past it.
  absl::StatusOr<uint64_t> Append(std::string_view record, Version version);

  // Blocks until every record up to `lsn` is durable.
  absl::Status SyncUpTo(uint64_t lsn);

  // In Buffered mode: wakes the flusher when enough is pending, and flushes
  // inline (back-pressure) when far too much is. No-op in Strict mode.
  absl::Status MaybeFlushBuffered(uint64_t lsn);

  // Writes and syncs everything buffered.
  absl::Status Flush();

  // Flushes, stops the flusher thread and closes the segment. Idempotent.
  absl::Status Close();

  // The highest version whose record is durable.
  Version synced_version() const {
    return synced_version_.load(std::memory_order_acquire);
  }
  uint64_t sync_count() const { return sync_count_.load(std::memory_order_relaxed); }
  // Bytes of records appended since this writer opened.
  uint64_t appended_bytes() const { return appended_bytes_.load(std::memory_order_relaxed); }
  uint64_t active_segment() const;

 private:
  WalWriter(Env* env, std::string wal_dir, const WalWriterOptions& options,
            std::function<void(uint64_t)> on_new_segment);
  absl::Status OpenSegment(uint64_t number) ABSL_EXCLUSIVE_LOCKS_REQUIRED(io_mu_);
  // Writes and syncs `batch`, rolling the segment first if it is full.
  absl::Status WriteBatch(const std::string& batch)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(io_mu_);
  // Becomes the leader, writes everything buffered, and publishes the result.
  // REQUIRES: mu_ held and no sync in progress; releases and retakes mu_.
  void LeadFlush() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void FlusherLoop();

  Env* const env_;
  const std::string wal_dir_;
  const WalWriterOptions options_;
  const std::function<void(uint64_t)> on_new_segment_;

  mutable absl::Mutex mu_;
  absl::CondVar cv_;  // Signalled when a flush finishes or work arrives.
  std::string buffer_ ABSL_GUARDED_BY(mu_);
  uint64_t appended_lsn_ ABSL_GUARDED_BY(mu_) = 0;
  std::atomic<uint64_t> appended_bytes_{0};  // Mirrors appended_lsn_.
  Version appended_version_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t synced_lsn_ ABSL_GUARDED_BY(mu_) = 0;
  bool flush_in_progress_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status error_ ABSL_GUARDED_BY(mu_);
  std::atomic<Version> synced_version_{0};
  std::atomic<uint64_t> sync_count_{0};

  // Held by the flush leader while it does I/O (never together with mu_).
  mutable absl::Mutex io_mu_;
  std::unique_ptr<WritableFile> file_ ABSL_GUARDED_BY(io_mu_);
  uint64_t segment_number_ ABSL_GUARDED_BY(io_mu_) = 0;

  std::thread flusher_;
};

}  // namespace strata::storage

#endif  // STRATA_STORAGE_WAL_WRITER_HPP_
