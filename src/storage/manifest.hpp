// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// MANIFEST: the small file that identifies a database directory. Format
// (docs/storage-format.md):
//   magic "STRATAMF", u32 format version, u32 body length, body, u32 checksum
//   of everything before it. The body is a sequence of fields, each
//   (varint tag, length-prefixed bytes); readers skip tags they do not know,
//   so fields can be added without a format-version bump.
// It is always replaced atomically (temp file, sync, rename, sync directory).
//
// Thread safety: value type plus pure functions.
#ifndef STRATA_STORAGE_MANIFEST_HPP_
#define STRATA_STORAGE_MANIFEST_HPP_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "env/env.hpp"

namespace strata::storage {

inline constexpr char kManifestFileName[] = "MANIFEST";
inline constexpr char kLockFileName[] = "LOCK";
inline constexpr uint32_t kManifestFormatVersion = 1;

struct Manifest {
  uint32_t format_version = kManifestFormatVersion;
  std::string uuid;              // 36-character text UUID (version 4).
  uint32_t codec_id = 0;         // Codec of WAL and snapshot payloads.
  int64_t created_us = 0;        // Creation time.
  uint64_t active_wal_segment = 0;
  uint64_t snapshot_watermark = 0;  // Newest checkpointed version (0: none).
};

std::string EncodeManifest(const Manifest& m);
// DataLoss for damaged bytes; FailedPrecondition for a newer format version.
absl::StatusOr<Manifest> DecodeManifest(std::string_view data);

absl::Status WriteManifest(Env* env, const std::string& db_dir, const Manifest& m);
// NotFound when the file does not exist.
absl::StatusOr<Manifest> ReadManifest(Env* env, const std::string& db_dir);

// A random version-4 UUID in text form.
std::string NewUuid();

}  // namespace strata::storage

#endif  // STRATA_STORAGE_MANIFEST_HPP_
