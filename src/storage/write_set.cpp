// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
#include "storage/write_set.hpp"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "strata/status.hpp"
#include "util/strings.hpp"
#include "util/coding.hpp"
#include "util/status_macros.hpp"
#include "util/value_codec.hpp"

namespace strata::storage {

namespace {
absl::Status Malformed(std::string_view what) {
  return MakeError(ErrorCode::kDataLoss,
                   absl::StrCat("malformed commit payload: ", util::Sv(what)));
}
}  // namespace

// Layout:
//   u8  payload format version (1)
//   u64 commit version, i64 commit timestamp (microseconds)
//   varint run count, then each run id length-prefixed
//   varint mutation count, then each mutation:
//     u8 type, u8 primitive, varint run index, length-prefixed key,
//     value (value encoding) unless type is kDelete
void EncodeCommitPayload(const CommitRecord& record, std::string* out) {
  out->push_back(static_cast<char>(kCommitPayloadVersion));
  util::PutFixed64(out, record.version);
  util::PutFixed64(out, static_cast<uint64_t>(record.timestamp_us));

  // Most commits touch one run; a linear search beats a hash map there.
  std::vector<std::string_view> runs;
  std::vector<uint32_t> run_index(record.mutations.size());
  for (size_t i = 0; i < record.mutations.size(); ++i) {
    const std::string& run = record.mutations[i].run;
    auto it = std::find(runs.begin(), runs.end(), run);
    run_index[i] = static_cast<uint32_t>(it - runs.begin());
    if (it == runs.end()) runs.push_back(run);
  }
  util::PutVarint64(out, runs.size());
  for (std::string_view run : runs) util::PutLengthPrefixed(out, run);
  util::PutVarint64(out, record.mutations.size());
  for (size_t i = 0; i < record.mutations.size(); ++i) {
    const Mutation& m = record.mutations[i];
    out->push_back(static_cast<char>(m.type));
    out->push_back(static_cast<char>(m.primitive));
    util::PutVarint64(out, run_index[i]);
    util::PutLengthPrefixed(out, m.key);
    if (m.type != MutationType::kDelete) util::EncodeValue(m.value, out);
  }
}

void PatchCommitHeader(char* payload, Version version,
                       TimestampMicros timestamp_us) {
  util::EncodeFixed64(payload + kPayloadVersionOffset, version);
  util::EncodeFixed64(payload + kPayloadTimestampOffset,
                      static_cast<uint64_t>(timestamp_us));
}

absl::Status DecodeCommitPayload(std::string_view payload, CommitRecord* out) {
  std::string_view in = payload;
  uint8_t format = 0;
  if (!util::GetByte(&in, &format)) return Malformed("empty");
  if (format != kCommitPayloadVersion) {
    if (format > kCommitPayloadVersion) {
      return MakeError(ErrorCode::kFailedPrecondition,
                       absl::StrCat("commit payload format ", format,
                                    " is newer than this library supports (",
                                    kCommitPayloadVersion, ")"));
    }
    return Malformed(absl::StrCat("unknown payload format ", format));
  }
  uint64_t version = 0;
  uint64_t ts = 0;
  if (!util::GetFixed64(&in, &version) || !util::GetFixed64(&in, &ts)) {
    return Malformed("truncated header");
  }
  out->version = version;
  out->timestamp_us = static_cast<TimestampMicros>(ts);

  uint64_t run_count = 0;
  if (!util::GetVarint64(&in, &run_count) || run_count > in.size()) {
    return Malformed("bad run count");
  }
  std::vector<std::string_view> runs;
  runs.reserve(run_count);
  for (uint64_t i = 0; i < run_count; ++i) {
    std::string_view run;
    if (!util::GetLengthPrefixed(&in, &run)) return Malformed("truncated run id");
    if (!ValidateRunId(run).ok()) return Malformed("invalid run id");
    runs.push_back(run);
  }
  uint64_t count = 0;
  // Every mutation takes at least 4 bytes, which bounds a bogus count.
  if (!util::GetVarint64(&in, &count) || count > in.size() / 4 + 1) {
    return Malformed("bad mutation count");
  }
  out->mutations.clear();
  out->mutations.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    Mutation m;
    uint8_t type = 0;
    uint8_t primitive = 0;
    uint64_t run = 0;
    std::string_view key;
    if (!util::GetByte(&in, &type) || !util::GetByte(&in, &primitive) ||
        !util::GetVarint64(&in, &run) || !util::GetLengthPrefixed(&in, &key)) {
      return Malformed("truncated mutation");
    }
    if (type < 1 || type > 4) return Malformed(absl::StrCat("unknown mutation type ", type));
    if (primitive < 1 || primitive > 7) return Malformed(absl::StrCat("unknown primitive ", primitive));
    if (type == static_cast<uint8_t>(MutationType::kJsonPatch) &&
        primitive != static_cast<uint8_t>(Primitive::kJson)) {
      return Malformed(absl::StrCat("JSON patch of a ",
                                    util::Sv(PrimitiveName(static_cast<Primitive>(primitive))), " entity"));
    }
    if (run >= runs.size()) return Malformed("run index out of range");
    m.type = static_cast<MutationType>(type);
    m.primitive = static_cast<Primitive>(primitive);
    m.run = std::string(runs[run]);
    m.key = std::string(key);
    if (m.type != MutationType::kDelete) {
      STRATA_RETURN_IF_ERROR(util::DecodeValue(&in, &m.value));
    }
    out->mutations.push_back(std::move(m));
  }
  if (!in.empty()) return Malformed("trailing bytes");
  return absl::OkStatus();
}

}  // namespace strata::storage
