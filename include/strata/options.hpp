// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Options for opening a database and running transactions. Plain structs
// with in-class defaults; every field documents its trade-off.
#ifndef STRATA_OPTIONS_HPP_
#define STRATA_OPTIONS_HPP_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "strata/search.hpp"
#include "strata/types.hpp"

namespace strata {

// What a successful commit promises about a crash (power loss or SIGKILL).
// In every mode recovery yields exactly a prefix of the commit order: never a
// partial transaction and never a later commit without an earlier one.
enum class DurabilityMode : uint8_t {
  // No files at all; everything is lost when the database is closed.
  kInMemory = 0,
  // Commit returns once the record is in the in-memory log buffer. A
  // background flusher writes and syncs the log at least every
  // flush_interval_ms or when max_pending_bytes are pending, so a crash loses
  // at most that window of acknowledged commits.
  kBuffered = 1,
  // Commit returns only after its log record is on stable storage
  // (fdatasync). Concurrent committers share one sync (group commit). A crash
  // loses no acknowledged commit.
  kStrict = 2,
};

// How recovery treats damage in the write-ahead log.
enum class RecoveryMode : uint8_t {
  // Default. A damaged or incomplete last record of the newest segment (a
  // write torn by a crash) is cut off silently; damage anywhere before it
  // stops the open with DataLoss naming the file and offset. Use it for
  // normal operation: it accepts exactly what a crash can do.
  kTolerateTornTail = 0,
  // Any damage, including a torn tail, stops the open with DataLoss. Use it
  // to check a database that was closed cleanly (e.g. after copying it).
  kAbsoluteConsistency = 1,
  // Recover the longest undamaged prefix of the log and discard everything
  // after the first damaged record (the damaged bytes are cut off and the
  // discarded range is logged in the database stats). Use it to salvage a
  // database with a damaged disk; commits after the damage are lost.
  kPointInTime = 2,
};

// How much history each key keeps. A key's newest version always stays;
// older ones are trimmed as the key is written, and for every key at once by
// Database::Compact(kFull). Trimming never removes a version an open
// snapshot may still read. Reading a trimmed version gives HistoryTrimmed
// with the earliest retained version.
struct RetentionPolicy {
  enum class Kind : uint8_t { kKeepAll = 0, kKeepLast = 1, kKeepFor = 2 };
  Kind kind = Kind::kKeepAll;
  // For kKeepLast: how many versions of each key stay readable (>= 1).
  uint32_t keep_last = 0;
  // For kKeepFor: how long (microseconds, >= 1) a superseded version stays
  // readable. Every version needed to read the key at any time in the
  // window stays, i.e. also the newest one older than the window.
  int64_t keep_for_us = 0;

  static RetentionPolicy KeepAll() { return {}; }
  static RetentionPolicy KeepLast(uint32_t n) {
    return {Kind::kKeepLast, n, 0};
  }
  static RetentionPolicy KeepFor(std::chrono::microseconds duration) {
    return {Kind::kKeepFor, 0, static_cast<int64_t>(duration.count())};
  }
};

// A retention policy for part of the database: the entities of one run
// (`run` non-empty), of one primitive (`primitive` set), or of one primitive
// in one run (both). The most specific override that matches an entity
// applies (run and primitive, then run, then primitive), else
// Options::retention.
struct RetentionOverride {
  std::string run;
  std::optional<Primitive> primitive;
  RetentionPolicy policy;
};

struct Options {
  // Durability of commits; see DurabilityMode. Ignored by OpenInMemory, which
  // always uses kInMemory. Default: kBuffered (fast, bounded loss window).
  DurabilityMode durability = DurabilityMode::kBuffered;

  // Create the directory when it does not exist. Default: true.
  bool create_if_missing = true;
  // Fail with AlreadyExists when the database already exists. Default: false.
  bool error_if_exists = false;

  // See RecoveryMode. Default: kTolerateTornTail.
  RecoveryMode recovery_mode = RecoveryMode::kTolerateTornTail;

  // Buffered mode: the longest time a commit stays in memory only. Smaller
  // means a smaller loss window and more syncs. Default: 10 ms. Range 1..60000.
  uint32_t flush_interval_ms = 10;
  // Buffered mode: flush early once this many bytes are pending. Commits
  // wait (back-pressure) when 8x this much is pending. Default: 1 MiB.
  uint64_t max_pending_bytes = 1ull << 20;

  // A WAL segment is closed and a new one started past this size. Larger
  // segments mean fewer files; compaction removes whole segments only.
  // Default: 64 MiB. Range 64 KiB..4 GiB.
  uint64_t wal_segment_bytes = 64ull << 20;

  // Number of shards of the in-memory store; rounded up to a power of two.
  // More shards mean less lock contention and slightly more memory.
  // Default: 64. Range 1..4096.
  uint32_t shard_count = 64;

  // History kept per key. Default: KeepAll.
  RetentionPolicy retention;
  // Per-run and per-primitive exceptions to `retention` (at most 1024).
  std::vector<RetentionOverride> retention_overrides;

  // Largest encoded value accepted, in bytes. Default: 16 MiB.
  uint64_t max_value_bytes = 16ull << 20;
  // Largest transaction write set (sum of keys and encoded values) in bytes.
  // Default: 64 MiB.
  uint64_t max_transaction_bytes = 64ull << 20;
  // Most mutations in one transaction. Default: 100,000.
  uint32_t max_transaction_ops = 100000;

  // Automatic checkpoints of an on-disk database (see Database::Checkpoint):
  // one is taken in the background once this many bytes were logged since
  // the last one. 0 turns them off. Default: 64 MiB.
  uint64_t checkpoint_wal_bytes = 64ull << 20;
  // ... and once this many milliseconds passed since the last one, if a
  // commit newer than its watermark exists (including commits recovered
  // from the log at open). 0 turns the time trigger off. Default: 10
  // minutes.
  uint32_t checkpoint_interval_ms = 600000;
  // Snapshot files kept in SNAPSHOTS/ (>= 1). Recovery falls back to an
  // older one when the newest is damaged; WAL segments are removed only once
  // the oldest kept snapshot covers them. Default: 2.
  uint32_t keep_snapshots = 2;

  // Keyword search: which runs keep a BM25 index and how text is tokenized
  // (see SearchOptions). Default: no index; searches scan.
  SearchOptions search;
};

// How Database::Transact retries a transaction that failed with a Conflict.
struct RetryPolicy {
  // Total attempts including the first. 1 means no retry. Default: 10.
  uint32_t max_attempts = 10;
  // Backoff before the second attempt; doubled after each failure up to
  // max_backoff_us, with random jitter of up to 50%. Default: 50 us.
  uint32_t initial_backoff_us = 50;
  // Default: 10 ms.
  uint32_t max_backoff_us = 10000;
};

}  // namespace strata

#endif  // STRATA_OPTIONS_HPP_
