// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// How the vector primitive lays out its data in the store (the format is in
// docs/vector.md and docs/storage-format.md):
//
//   collection definition  key "\0" <name>          value: object
//       {"format": 1, "dimension", "metric", "m", "ef_construction",
//        "ef_search", "exact_threshold"}
//   vector                 key <name> "\0" <key>    value: bytes
//       u8 format (2) | 3 zero bytes | fixed32 dimension | dimension x
//       float32 (little endian) | metadata (the Value encoding; absent
//       when null)
//   Format 2 puts the components at offset 8, so a record in an aligned
//   buffer can be searched in place. Format 1 (read, never written) had no
//   padding: u8 format (1) | fixed32 dimension | components | metadata.
//
// Names cannot hold a NUL byte, so definitions sort before every vector and
// the vectors of one collection are contiguous.
//
// Thread safety: pure functions.
#ifndef STRATA_VECTOR_RECORD_HPP_
#define STRATA_VECTOR_RECORD_HPP_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "strata/value.hpp"
#include "strata/vector.hpp"

namespace strata::vector {

inline constexpr uint8_t kDefinitionFormat = 1;
inline constexpr uint8_t kRecordFormat = 2;
inline constexpr uint8_t kRecordFormatV1 = 1;
// Bytes before the components in a format-2 record.
inline constexpr size_t kRecordHeaderBytes = 8;

// Keys inside the (kVector, run) namespace.
std::string DefinitionKey(std::string_view name);
std::string VectorKey(std::string_view collection, std::string_view key);
// The prefix of every vector key of `collection`.
std::string VectorPrefix(std::string_view collection);
// Splits a key of the namespace. Returns false for a malformed key. For a
// definition `*collection` is the name and `*key` is empty.
bool SplitKey(std::string_view ns_key, bool* is_definition, std::string_view* collection,
              std::string_view* key);

// InvalidArgument naming the bad field (or ResourceExhausted for an
// oversize name).
absl::Status ValidateSpec(const CollectionSpec& spec);
absl::Status ValidateCollectionName(std::string_view name);

Value EncodeDefinition(const CollectionSpec& spec);
// DataLoss for a stored definition that does not decode.
absl::StatusOr<CollectionSpec> DecodeDefinition(std::string_view name, const Value& value);

// InvalidArgument for a wrong dimension, NaN or infinite components, or a
// zero vector under cosine; `what` names the argument ("vector", "query").
absl::Status ValidateVector(std::span<const float> v, uint32_t dimension, VectorMetric metric,
                            std::string_view what);
// InvalidArgument unless null or an object; ResourceExhausted above
// kMaxVectorMetadataBytes encoded.
absl::Status ValidateMetadata(const Value& metadata);

// The similarity of `b` to `a` under `metric` (see VectorMetric), in
// double precision. REQUIRES: equal, validated lengths.
double Similarity(VectorMetric metric, std::span<const float> a, std::span<const float> b);

// The stored record of a vector. REQUIRES: validated arguments.
Value EncodeRecord(std::span<const float> v, const Value& metadata);

// A decoded record that points into the stored bytes.
struct RecordView {
  uint32_t dimension = 0;
  // dimension x float32 LE; 4-byte aligned when the record's buffer is and
  // the record is format 2.
  const char* components = nullptr;
  std::string_view metadata;         // Encoded; empty for null.

  void CopyVector(std::vector<float>* out) const;
  float Component(uint32_t i) const;
};
// DataLoss for a record that does not decode or has another dimension
// (`dimension` 0 accepts the record's own).
absl::Status ParseRecord(const Value& stored, uint32_t dimension, RecordView* view);
// The same for a record's bytes.
absl::Status ParseRecordBytes(std::string_view bytes, uint32_t dimension, RecordView* view);
absl::Status DecodeMetadata(const RecordView& view, Value* metadata);

}  // namespace strata::vector

#endif  // STRATA_VECTOR_RECORD_HPP_
