// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// WAL reading and recovery. Reading (ScanSegment) only reports what it finds;
// the recovery policy (what damage is acceptable) lives in RecoverWal and is
// chosen by the caller with RecoveryMode.
//
// Thread safety: functions here are reentrant; callers own their buffers.
#ifndef STRATA_STORAGE_WAL_READER_HPP_
#define STRATA_STORAGE_WAL_READER_HPP_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "env/env.hpp"
#include "storage/write_set.hpp"
#include "strata/options.hpp"

namespace strata::storage {

// What ScanSegment found.
struct SegmentScan {
  uint64_t valid_bytes = 0;  // Length of the undamaged prefix.
  bool damaged = false;      // Something after valid_bytes is not a record.
  // The damage reaches to the end of the file and nothing that could be a
  // record follows it: the signature of a write torn by a crash.
  bool damage_is_tail = false;
  std::string damage_reason;
};

// Called for each valid record in order. An error stops the scan and is
// returned by ScanSegment.
using RecordFn = std::function<absl::Status(
    uint8_t type, uint8_t flags, std::string_view payload, uint64_t offset)>;

// Parses one whole segment. Returns an error only for a header that names a
// newer format (FailedPrecondition) or when `on_record` fails; damage is
// reported in SegmentScan.
absl::StatusOr<SegmentScan> ScanSegment(std::string_view contents,
                                        const RecordFn& on_record);

struct WalRecoveryResult {
  Version last_version = 0;         // Newest commit replayed (or start).
  uint64_t last_segment = 0;        // Highest segment number seen (0: none).
  uint64_t records = 0;             // Commit records replayed.
  uint64_t discarded_bytes = 0;     // Bytes cut off (torn tail, point-in-time).
  uint64_t total_bytes = 0;         // Bytes of all segments after recovery.
  uint64_t segment_count = 0;
};

// Replays every commit record with a version greater than `after_version`
// from the segments in `wal_dir`, oldest first, calling `apply` for each in
// commit order. Checks that versions are dense. Damage is handled per `mode`
// (see RecoveryMode); a cut-off tail is truncated on disk, and with
// kPointInTime later segments are renamed to "<name>.discarded".
// Errors: DataLoss naming file and offset; errors from `apply` or the Env.
absl::StatusOr<WalRecoveryResult> RecoverWal(
    Env* env, const std::string& wal_dir, RecoveryMode mode,
    Version after_version,
    const std::function<absl::Status(CommitRecord&&)>& apply);

// The commit version of the first valid record in a segment's contents, or
// 0 if it holds none. FailedPrecondition for a newer segment format.
absl::StatusOr<Version> FirstVersionInSegment(std::string_view contents);

}  // namespace strata::storage

#endif  // STRATA_STORAGE_WAL_READER_HPP_
