// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Snapshot files: every retained version of every key of the store at a
// watermark W, written by Checkpoint (SNAPSHOTS/snap-<W>.snap) and by Export
// (any path). Documented in docs/storage-format.md ("Snapshot files").
//
// Layout (all integers little-endian):
//   header   magic "STRATASN" | u32 format version | u32 codec id
//            | u32 meta length | meta | u32 checksum of everything before it
//   meta     varint uuid length, uuid | fixed64 watermark | fixed64 created_us
//   blocks   u8 block type | u32 payload length | payload | u32 checksum of
//            type, length and payload
//     type 1 (chains): payload (after the codec) is a sequence of chains:
//            varint key length, key, varint earliest_retained,
//            varint version count, then per version, oldest first:
//            varint version, fixed64 timestamp_us, u8 tombstone (0/1),
//            value (value encoding; absent for a tombstone)
//     type 2 (footer, last): fixed64 chain count, fixed64 version count
// Checksums are the low 32 bits of XXH3-64. Chain payloads pass through the
// codec named in the header (only the identity codec, 0, exists today).
// A block holds whole chains and is about 1 MiB (one chain may exceed it).
//
// Thread safety: SnapshotWriter is used by one thread; ReadSnapshot is
// reentrant.
#ifndef STRATA_STORAGE_SNAPSHOT_FILE_HPP_
#define STRATA_STORAGE_SNAPSHOT_FILE_HPP_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "env/env.hpp"
#include "strata/types.hpp"
#include "strata/value.hpp"

namespace strata::storage {

inline constexpr char kSnapshotDirName[] = "SNAPSHOTS";
inline constexpr uint32_t kSnapshotFormatVersion = 1;

// "snap-<W as 20 decimal digits>.snap", so names sort by watermark.
std::string SnapshotFileName(Version watermark);
// The watermark of a snapshot file name; nullopt for any other name
// (including the ".tmp" files of an unfinished checkpoint).
std::optional<Version> ParseSnapshotFileName(std::string_view name);

struct SnapshotMeta {
  std::string uuid;           // Of the database it was taken from.
  Version watermark = 0;      // Every version <= watermark, nothing newer.
  TimestampMicros created_us = 0;
  uint32_t codec_id = 0;
};

// Writes one snapshot file. A rejected call (InvalidArgument,
// FailedPrecondition) changes nothing and may be corrected; an I/O error is
// sticky: every later call returns it. Destroying an unfinished writer
// closes the file without syncing and leaves it in place (callers write to
// a temporary name and rename). Memory: one block (about 1 MiB, or one
// larger chain).
class SnapshotWriter {
 public:
  // Creates `path` (truncating it) and writes the header. IoError from the
  // file system; InvalidArgument for an unknown codec id.
  static absl::StatusOr<std::unique_ptr<SnapshotWriter>> Create(Env* env,
                                                               const std::string& path,
                                                               const SnapshotMeta& meta);
  ~SnapshotWriter();
  SnapshotWriter(const SnapshotWriter&) = delete;
  SnapshotWriter& operator=(const SnapshotWriter&) = delete;

  // Starts a key's chain of `version_count` (>= 1) versions, which must
  // follow with AddVersion, oldest first. `earliest_retained` is the
  // chain's trim marker (0: never trimmed). FailedPrecondition while the
  // previous chain is incomplete; InvalidArgument for a zero count.
  absl::Status BeginChain(std::string_view store_key, Version earliest_retained,
                          uint32_t version_count);
  // FailedPrecondition outside a chain (or after its last version);
  // InvalidArgument for a version not above the chain's previous one, above
  // the watermark, or a tombstone whose value is not null.
  absl::Status AddVersion(Version version, TimestampMicros timestamp_us, bool tombstone,
                          const Value& value);
  // Writes the last block and the footer, syncs and closes the file.
  // FailedPrecondition if a chain is incomplete (the writer stays usable).
  // No call is allowed after (FailedPrecondition, or the I/O error).
  absl::Status Finish();

  // Bytes appended to the file so far (header and written blocks); the file
  // size after a successful Finish.
  uint64_t bytes_written() const;
  // Chains begun and versions added so far.
  uint64_t chain_count() const;
  uint64_t version_count() const;

 private:
  SnapshotWriter() = default;
  struct Rep;
  std::unique_ptr<Rep> rep_;
};

struct SnapshotVersion {
  Version version = 0;
  TimestampMicros timestamp_us = 0;
  bool tombstone = false;
  Value value;  // null for a tombstone.
};

struct SnapshotChain {
  std::string store_key;
  Version earliest_retained = 0;
  std::vector<SnapshotVersion> versions;  // Oldest first, ascending, >= 1.
};

// Reads a whole snapshot file's contents, checking magic, format version,
// codec, every checksum, that versions ascend within a chain and are <= the
// watermark, and the footer's counts; calls `fn` for each chain in file
// order. Never crashes or reads out of bounds on arbitrary bytes. Errors:
// DataLoss naming `file_name`, the byte offset and the problem (for example
// "truncated block", "checksum mismatch", "missing footer"),
// FailedPrecondition for a newer format version or unknown codec, or the
// first error `fn` returns.
// Framing damage (truncation, any checksum, block types, a missing or
// misplaced footer) is found before `fn` is called; damage that only
// decoding a checksummed block reveals (a malformed chain, the footer's
// counts) is found after `fn` has seen the chains before it, so a caller
// must discard everything `fn` received when an error is returned.
absl::StatusOr<SnapshotMeta> ReadSnapshot(std::string_view contents,
                                          const std::string& file_name,
                                          const std::function<absl::Status(SnapshotChain&&)>& fn);

}  // namespace strata::storage

#endif  // STRATA_STORAGE_SNAPSHOT_FILE_HPP_
