// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
#include "storage/wal_reader.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "storage/wal_format.hpp"
#include "strata/status.hpp"
#include "util/coding.hpp"
#include "util/status_macros.hpp"

namespace strata::storage {

namespace {

bool AllZero(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == 0; });
}

// Bounds the bytes RecordFollows may hash: a fixed allowance plus this much
// per byte searched, so the search stays linear for any realistic tail.
constexpr uint64_t kFollowSearchFixedBytes = 64ull << 20;
constexpr uint64_t kFollowSearchBytesPerByte = 16;

enum class Follows { kNothing, kRecord, kUnknown };

// Whether a record with a valid checksum starts anywhere after `offset`.
// kUnknown when the search would hash more than its budget.
Follows RecordFollows(std::string_view contents, uint64_t offset) {
  uint64_t budget = kFollowSearchFixedBytes +
                    kFollowSearchBytesPerByte * (contents.size() - offset);
  for (uint64_t pos = offset + 1; pos + kRecordHeaderBytes <= contents.size(); ++pos) {
    const char* p = contents.data() + pos;
    const uint32_t length = util::DecodeFixed32(p);
    if (length > kMaxRecordPayloadBytes ||
        length > contents.size() - pos - kRecordHeaderBytes) {
      continue;
    }
    if (budget < 2 + uint64_t{length}) return Follows::kUnknown;
    budget -= 2 + uint64_t{length};
    if (RecordChecksum(std::string_view(p + 8, 2 + length), length) ==
        util::DecodeFixed32(p + 4)) {
      return Follows::kRecord;
    }
  }
  return Follows::kNothing;
}

void MarkDamage(SegmentScan* scan, std::string_view contents, uint64_t offset,
                bool reaches_end, std::string reason) {
  scan->damaged = true;
  scan->valid_bytes = offset;
  // A crash can leave a partially written last record, possibly followed by
  // zeros or stale bytes the file system exposed: nothing that is a valid
  // record. Damage in the middle of the log is followed by the records
  // written after it -- also when a damaged length field makes the damaged
  // record seem to run past the end of the file (`reaches_end`), so looking
  // for a later record decides. Only when that search is too expensive does
  // the shape of the damage decide.
  if (AllZero(contents.substr(offset))) {
    scan->damage_is_tail = true;
  } else {
    switch (RecordFollows(contents, offset)) {
      case Follows::kNothing:
        scan->damage_is_tail = true;
        break;
      case Follows::kRecord:
        scan->damage_is_tail = false;
        break;
      case Follows::kUnknown:
        scan->damage_is_tail = reaches_end;
        break;
    }
  }
  scan->damage_reason = std::move(reason);
}

}  // namespace

absl::StatusOr<SegmentScan> ScanSegment(std::string_view contents,
                                        const RecordFn& on_record) {
  SegmentScan scan;
  if (contents.size() < kSegmentHeaderBytes) {
    MarkDamage(&scan, contents, 0, true, "incomplete segment header");
    return scan;
  }
  if (std::memcmp(contents.data(), kSegmentMagic, sizeof(kSegmentMagic)) != 0 ||
      util::Checksum32(contents.substr(0, kSegmentHeaderBytes - 4)) !=
          util::DecodeFixed32(contents.data() + kSegmentHeaderBytes - 4)) {
    MarkDamage(&scan, contents, 0, false, "bad segment header (magic or checksum)");
    return scan;
  }
  const uint32_t format = util::DecodeFixed32(contents.data() + 8);
  const uint32_t codec = util::DecodeFixed32(contents.data() + 12);
  if (format > kWalFormatVersion) {
    return MakeError(ErrorCode::kFailedPrecondition,
                     absl::StrCat("WAL format version ", format,
                                  " is newer than this library supports (",
                                  kWalFormatVersion, ")"));
  }
  if (codec != kIdentityCodecId) {
    return MakeError(ErrorCode::kFailedPrecondition,
                     absl::StrCat("WAL codec ", codec, " is not supported"));
  }
  uint64_t offset = kSegmentHeaderBytes;
  while (offset < contents.size()) {
    const uint64_t remaining = contents.size() - offset;
    if (remaining < kRecordHeaderBytes) {
      MarkDamage(&scan, contents, offset, true, "incomplete record header");
      return scan;
    }
    const char* p = contents.data() + offset;
    const uint32_t length = util::DecodeFixed32(p);
    const uint32_t checksum = util::DecodeFixed32(p + 4);
    if (length > kMaxRecordPayloadBytes) {
      MarkDamage(&scan, contents, offset, false,
                 absl::StrCat("record length ", length, " exceeds the limit"));
      return scan;
    }
    if (length > remaining - kRecordHeaderBytes) {
      MarkDamage(&scan, contents, offset, true,
                 absl::StrCat("record of ", length, " bytes extends past the end"));
      return scan;
    }
    const std::string_view body(p + 8, 2 + length);
    if (RecordChecksum(body, length) != checksum) {
      MarkDamage(&scan, contents, offset,
                 offset + kRecordHeaderBytes + length == contents.size(),
                 "record checksum mismatch");
      return scan;
    }
    const auto type = static_cast<uint8_t>(p[8]);
    const auto flags = static_cast<uint8_t>(p[9]);
    STRATA_RETURN_IF_ERROR(
        on_record(type, flags, std::string_view(p + kRecordHeaderBytes, length), offset));
    offset += kRecordHeaderBytes + length;
  }
  scan.valid_bytes = offset;
  return scan;
}

absl::StatusOr<WalRecoveryResult> RecoverWal(
    Env* env, const std::string& wal_dir, RecoveryMode mode,
    Version after_version,
    const std::function<absl::Status(CommitRecord&&)>& apply) {
  WalRecoveryResult result;
  result.last_version = after_version;
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names, env->ListDir(wal_dir));
  std::vector<std::pair<uint64_t, std::string>> segments;
  for (const std::string& name : names) {
    if (auto n = ParseSegmentFileName(name)) segments.emplace_back(*n, name);
  }
  std::sort(segments.begin(), segments.end());

  bool stopped = false;  // kPointInTime: everything after the damage goes.
  for (size_t i = 0; i < segments.size(); ++i) {
    const auto& [number, name] = segments[i];
    const std::string path = wal_dir + "/" + name;
    result.last_segment = std::max(result.last_segment, number);
    if (stopped) {
      STRATA_ASSIGN_OR_RETURN(uint64_t size, env->GetFileSize(path));
      result.discarded_bytes += size;
      STRATA_RETURN_IF_ERROR(env->RenameFile(path, path + ".discarded"));
      continue;
    }
    STRATA_ASSIGN_OR_RETURN(std::string contents, env->ReadFile(path));
    const bool last_segment = i + 1 == segments.size();

    // Commit-order problems are found while replaying; they count as damage
    // at that record's offset.
    uint64_t order_error_offset = 0;
    std::string order_error;
    auto on_record = [&](uint8_t type, uint8_t flags, std::string_view payload,
                         uint64_t offset) -> absl::Status {
      if (type != kRecordTypeCommit) {
        if (flags & kRecordFlagSafeToIgnore) return absl::OkStatus();
        return MakeError(ErrorCode::kFailedPrecondition,
                         absl::StrCat(path, " offset ", offset, ": unknown record type ",
                                      type, " (written by a newer library?)"));
      }
      CommitRecord record;
      absl::Status s = DecodeCommitPayload(payload, &record);
      if (!s.ok()) {
        if (GetErrorCode(s) != ErrorCode::kDataLoss) return s;
        order_error_offset = offset;
        order_error = std::string(s.message());
        return MakeError(ErrorCode::kCancelled, "stop");
      }
      if (record.version <= after_version) return absl::OkStatus();
      if (record.version != result.last_version + 1) {
        order_error_offset = offset;
        order_error = absl::StrCat("commit version ", record.version, " where ",
                                   result.last_version + 1, " was expected");
        return MakeError(ErrorCode::kCancelled, "stop");
      }
      result.last_version = record.version;
      ++result.records;
      return apply(std::move(record));
    };
    absl::StatusOr<SegmentScan> scan_or = ScanSegment(contents, on_record);
    SegmentScan scan;
    if (!scan_or.ok()) {
      if (GetErrorCode(scan_or.status()) != ErrorCode::kCancelled) return scan_or.status();
      // A record with a valid checksum but an impossible body: real damage,
      // never a torn write.
      scan.damaged = true;
      scan.damage_is_tail = false;
      scan.valid_bytes = order_error_offset;
      scan.damage_reason = order_error;
    } else {
      scan = *scan_or;
    }
    if (scan.damaged) {
      const std::string where =
          absl::StrCat(path, " at offset ", scan.valid_bytes, ": ", scan.damage_reason);
      const bool torn_tail = last_segment && scan.damage_is_tail;
      const bool cut = (mode == RecoveryMode::kTolerateTornTail && torn_tail) ||
                       mode == RecoveryMode::kPointInTime;
      if (!cut) {
        return MakeError(ErrorCode::kDataLoss,
                         absl::StrCat("write-ahead log damaged in ", where,
                                      torn_tail ? " (torn tail)" : ""));
      }
      result.discarded_bytes += contents.size() - scan.valid_bytes;
      if (!last_segment) stopped = true;
      if (scan.valid_bytes < kSegmentHeaderBytes) {
        // Not even the header survived: the segment holds nothing.
        STRATA_RETURN_IF_ERROR(env->RemoveFile(path));
        STRATA_RETURN_IF_ERROR(env->SyncDir(wal_dir));
        continue;
      }
      STRATA_RETURN_IF_ERROR(env->TruncateFile(path, scan.valid_bytes));
      contents.resize(scan.valid_bytes);
    }
    if (contents.size() == kSegmentHeaderBytes) {
      // A segment that never received a record (the database was opened and
      // closed without commits): nothing to keep.
      STRATA_RETURN_IF_ERROR(env->RemoveFile(path));
      continue;
    }
    result.total_bytes += contents.size();
    ++result.segment_count;
  }
  return result;
}

absl::StatusOr<Version> FirstVersionInSegment(std::string_view contents) {
  Version first = 0;
  absl::StatusOr<SegmentScan> scan = ScanSegment(
      contents, [&](uint8_t type, uint8_t, std::string_view payload, uint64_t) -> absl::Status {
        if (type != kRecordTypeCommit || payload.size() < kPayloadFixedHeaderBytes) {
          return absl::OkStatus();
        }
        first = util::DecodeFixed64(payload.data() + kPayloadVersionOffset);
        return absl::CancelledError("found");  // Stops the scan.
      });
  if (!scan.ok() && !absl::IsCancelled(scan.status())) return scan.status();
  return first;
}

}  // namespace strata::storage
