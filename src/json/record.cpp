// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
#include "json/record.hpp"

#include <utility>

#include "absl/strings/str_cat.h"
#include "strata/status.hpp"
#include "util/coding.hpp"
#include "util/status_macros.hpp"

namespace strata::json {

void FinishRecord(std::span<const Path> regions, std::string* buffer) {
  const size_t doc_size = buffer->size();
  util::PutVarint64(buffer, regions.size());
  for (const Path& p : regions) EncodePath(p, buffer);
  util::PutFixed32(buffer, static_cast<uint32_t>(doc_size));
  buffer->push_back(static_cast<char>(kRecordFormat));
}

std::string RootRecord(std::string_view doc) {
  std::string out;
  out.reserve(doc.size() + 8);
  out.append(doc);
  const Path root;
  FinishRecord(std::span<const Path>(&root, 1), &out);
  return out;
}

namespace {

constexpr size_t kTrailerBytes = 5;

// Splits a record into its document and its region list (not yet checked).
absl::Status Split(std::string_view record, std::string_view* doc, std::string_view* regions) {
  if (record.size() < kTrailerBytes) {
    return MakeError(ErrorCode::kDataLoss, "JSON document record is truncated");
  }
  const auto format = static_cast<uint8_t>(record.back());
  if (format != kRecordFormat) {
    return MakeError(ErrorCode::kDataLoss,
                     absl::StrCat("JSON document record has unknown format ", format));
  }
  const uint32_t doc_size = util::DecodeFixed32(record.data() + record.size() - kTrailerBytes);
  if (doc_size > record.size() - kTrailerBytes) {
    return MakeError(ErrorCode::kDataLoss,
                     "JSON document record has a document length past its end");
  }
  *doc = record.substr(0, doc_size);
  *regions = record.substr(doc_size, record.size() - kTrailerBytes - doc_size);
  return absl::OkStatus();
}

// Reads the region count; leaves `*in` at the first region.
bool ReadCount(std::string_view* in, uint64_t* count) {
  return util::GetVarint64(in, count) && *count <= in->size();
}

}  // namespace

absl::Status ParseRecord(std::string_view record, std::string_view* doc,
                         std::vector<Path>* regions) {
  std::string_view list;
  STRATA_RETURN_IF_ERROR(Split(record, doc, &list));
  if (regions == nullptr) return absl::OkStatus();
  regions->clear();
  uint64_t count = 0;
  if (!ReadCount(&list, &count)) {
    return MakeError(ErrorCode::kDataLoss, "JSON document record has a bad region count");
  }
  for (uint64_t i = 0; i < count; ++i) {
    Path p;
    if (!DecodePath(&list, &p)) {
      return MakeError(ErrorCode::kDataLoss,
                       absl::StrCat("JSON document record has a malformed region ", i));
    }
    regions->push_back(std::move(p));
  }
  if (!list.empty()) {
    return MakeError(ErrorCode::kDataLoss, "JSON document record has trailing region bytes");
  }
  return absl::OkStatus();
}

bool RecordTouches(std::string_view record, const Path& path) {
  std::string_view doc;
  std::string_view list;
  uint64_t count = 0;
  if (!Split(record, &doc, &list).ok() || !ReadCount(&list, &count)) return true;
  Path p;
  for (uint64_t i = 0; i < count; ++i) {
    if (!DecodePath(&list, &p)) return true;
    if (Overlaps(p, path)) return true;
  }
  return false;
}

absl::Status ApplyToRecord(const std::string_view* head_record, std::string_view ops_bytes,
                           const Limits& limits, std::string* out_record) {
  std::vector<Op> ops;
  STRATA_RETURN_IF_ERROR(DecodeOps(ops_bytes, &ops));
  if (head_record == nullptr) {
    return MakeError(ErrorCode::kNotFound, "the document does not exist");
  }
  std::string_view doc;
  STRATA_RETURN_IF_ERROR(ParseRecord(*head_record, &doc));
  // Room for the usual growth and the trailer, so that the result of a
  // single operation is written once, into the record's own buffer.
  out_record->clear();
  out_record->reserve(doc.size() + 256);
  std::vector<Region> touched;
  STRATA_RETURN_IF_ERROR(ApplyOps(doc, ops, limits, out_record, &touched));
  std::vector<Path> regions;
  regions.reserve(touched.size());
  for (Region& r : touched) {
    if (r.write) regions.push_back(std::move(r.path));
  }
  FinishRecord(regions, out_record);
  return absl::OkStatus();
}

}  // namespace strata::json
