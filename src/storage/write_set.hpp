// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// CommitRecord: one committed transaction as it is logged in the WAL, and its
// payload encoding (documented in docs/wal-format.md, "Commit payload").
//
// The commit version and timestamp sit at fixed offsets at the start of the
// payload so the commit path can encode a record before it knows them and
// patch them in under the commit lock (PatchCommitHeader).
//
// Thread safety: pure functions / value types.
#ifndef STRATA_STORAGE_WRITE_SET_HPP_
#define STRATA_STORAGE_WRITE_SET_HPP_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "strata/types.hpp"
#include "strata/value.hpp"

namespace strata::storage {

// Numeric values are stored on disk: never renumber.
enum class MutationType : uint8_t {
  kPut = 1,     // Replace the entity's value.
  kDelete = 2,  // Write a tombstone.
  kAppend = 3,  // Add an entity that must not exist yet (event-log entries).
  // Apply path-level operations to a JSON document (value: the operation
  // list as bytes, json::EncodeOps). The new document is computed at commit
  // from the newest version, and again when the log is replayed.
  kJsonPatch = 4,
};

struct Mutation {
  MutationType type = MutationType::kPut;
  Primitive primitive = Primitive::kKv;
  std::string run;
  std::string key;
  Value value;  // null for kDelete.
};

struct CommitRecord {
  Version version = 0;
  TimestampMicros timestamp_us = 0;
  std::vector<Mutation> mutations;
};

// Payload format version written by this library.
inline constexpr uint8_t kCommitPayloadVersion = 1;
// Offsets of the patchable fields inside the payload.
inline constexpr size_t kPayloadVersionOffset = 1;
inline constexpr size_t kPayloadTimestampOffset = 9;
inline constexpr size_t kPayloadFixedHeaderBytes = 17;

// Appends the payload of `record` to `*out`.
void EncodeCommitPayload(const CommitRecord& record, std::string* out);
// Overwrites version and timestamp of an encoded payload in place.
// REQUIRES: payload.size() >= kPayloadFixedHeaderBytes.
void PatchCommitHeader(char* payload, Version version,
                       TimestampMicros timestamp_us);
// Decodes a payload. DataLoss describing the problem for malformed bytes;
// FailedPrecondition for a payload version newer than this library.
absl::Status DecodeCommitPayload(std::string_view payload, CommitRecord* out);

}  // namespace strata::storage

#endif  // STRATA_STORAGE_WRITE_SET_HPP_
