// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Document records: what the store holds for each committed version of a
// JSON document (as a bytes Value), documented in docs/json.md ("Stored
// record"):
//
//   document | varint region count | region paths (EncodePath)
//            | fixed32 document length | u8 format (1)
//
// The regions are the paths that commit changed (the root for a create or a
// destroy-and-create); commit validation checks a transaction's regions
// against the records committed after its snapshot. The document comes
// first and the fixed-size trailer last so that a patch result is written
// once, straight into the record's buffer.
//
// Thread safety: pure functions.
#ifndef STRATA_JSON_RECORD_HPP_
#define STRATA_JSON_RECORD_HPP_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "json/patch.hpp"
#include "json/path.hpp"

namespace strata::json {

inline constexpr uint8_t kRecordFormat = 1;

// Turns `*buffer`, which holds exactly an encoded document, into its record.
void FinishRecord(std::span<const Path> regions, std::string* buffer);
// A record whose only region is the root (create, whole replacement).
std::string RootRecord(std::string_view doc);

// Splits a record into its document and (if `regions` is non-null) regions.
// DataLoss for a malformed record (the document itself is not checked).
absl::Status ParseRecord(std::string_view record, std::string_view* doc,
                         std::vector<Path>* regions = nullptr);

// Whether the commit that wrote `record` changed a region overlapping
// `path`. A malformed record counts as touching everything.
bool RecordTouches(std::string_view record, const Path& path);

// The record that results from applying the encoded operation list
// `ops_bytes` (EncodeOps) to the document in `head_record` (null when the
// document does not exist). The errors of ApplyOps; NotFound when the
// document does not exist; DataLoss for malformed input.
absl::Status ApplyToRecord(const std::string_view* head_record, std::string_view ops_bytes,
                           const Limits& limits, std::string* out_record);

}  // namespace strata::json

#endif  // STRATA_JSON_RECORD_HPP_
