// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Fuzz target for the WAL readers (storage/write_set.hpp and
// storage/wal_reader.hpp).
//
// For arbitrary bytes:
//  (a) DecodeCommitPayload never crashes; it fails only with DataLoss or
//      FailedPrecondition; whatever decodes re-encodes to a payload that
//      decodes to the same commit (version, timestamp, every mutation), and
//      that re-encoding is stable;
//  (b) a segment made of a valid header followed by the bytes is scanned
//      without crashing: records are reported in order, inside the valid
//      prefix, each payload decoded as in (a); a clean scan covers the whole
//      input and a damaged one reports a prefix that scans clean again.
// A violation prints what went wrong and calls abort().
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "storage/wal_format.hpp"
#include "storage/wal_reader.hpp"
#include "storage/write_set.hpp"
#include "strata/value.hpp"

namespace {

using strata::storage::CommitRecord;
using strata::storage::Mutation;
using strata::storage::MutationType;

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "wal_record_fuzz: %s\n", what);
  std::abort();
}

bool SameCommit(const CommitRecord& a, const CommitRecord& b) {
  if (a.version != b.version || a.timestamp_us != b.timestamp_us ||
      a.mutations.size() != b.mutations.size()) {
    return false;
  }
  for (size_t i = 0; i < a.mutations.size(); ++i) {
    const Mutation& x = a.mutations[i];
    const Mutation& y = b.mutations[i];
    if (x.type != y.type || x.primitive != y.primitive || x.run != y.run || x.key != y.key ||
        !(x.value == y.value)) {
      return false;
    }
  }
  return true;
}

// Decodes `payload` and checks the round trip. Returns whether it decoded.
bool CheckPayload(std::string_view payload) {
  CommitRecord record;
  const absl::Status status = strata::storage::DecodeCommitPayload(payload, &record);
  if (!status.ok()) {
    if (status.code() != absl::StatusCode::kDataLoss &&
        status.code() != absl::StatusCode::kFailedPrecondition) {
      Fail("payload error is neither DataLoss nor FailedPrecondition");
    }
    return false;
  }
  for (const Mutation& m : record.mutations) {
    if (m.type == MutationType::kDelete && !m.value.is_null()) Fail("delete with a value");
  }
  std::string encoded;
  strata::storage::EncodeCommitPayload(record, &encoded);
  CommitRecord back;
  if (!strata::storage::DecodeCommitPayload(encoded, &back).ok()) {
    Fail("re-encoded payload does not decode");
  }
  if (!SameCommit(back, record)) Fail("re-encoded payload decodes to a different commit");
  std::string encoded_twice;
  strata::storage::EncodeCommitPayload(back, &encoded_twice);
  if (encoded_twice != encoded) Fail("payload encoding is not stable");
  return true;
}

void CheckSegment(std::string_view input) {
  const std::string segment =
      strata::storage::EncodeSegmentHeader(1, strata::storage::kIdentityCodecId) +
      std::string(input);
  uint64_t next_offset = strata::storage::kSegmentHeaderBytes;
  auto on_record = [&](uint8_t type, uint8_t flags, std::string_view payload,
                       uint64_t offset) -> absl::Status {
    (void)flags;
    if (offset != next_offset) Fail("record reported at an unexpected offset");
    if (payload.data() != segment.data() + offset + strata::storage::kRecordHeaderBytes) {
      Fail("payload does not point into the segment");
    }
    next_offset = offset + strata::storage::kRecordHeaderBytes + payload.size();
    if (next_offset > segment.size()) Fail("record extends past the segment");
    if (type == strata::storage::kRecordTypeCommit) CheckPayload(payload);
    return absl::OkStatus();
  };
  absl::StatusOr<strata::storage::SegmentScan> scan =
      strata::storage::ScanSegment(segment, on_record);
  if (!scan.ok()) Fail("scan of a segment with a valid header failed");
  if (scan->valid_bytes != next_offset) Fail("valid_bytes is not the end of the last record");
  if (scan->valid_bytes > segment.size()) Fail("valid_bytes past the end");
  if (!scan->damaged) {
    if (scan->valid_bytes != segment.size()) Fail("undamaged scan stopped early");
    if (scan->damage_is_tail) Fail("undamaged scan reports a torn tail");
    return;
  }
  if (scan->valid_bytes == segment.size()) Fail("damaged scan covers everything");
  if (scan->damage_reason.empty()) Fail("damage without a reason");
  // The valid prefix is a clean segment on its own (what recovery keeps).
  next_offset = strata::storage::kSegmentHeaderBytes;
  absl::StatusOr<strata::storage::SegmentScan> prefix = strata::storage::ScanSegment(
      std::string_view(segment).substr(0, scan->valid_bytes), on_record);
  if (!prefix.ok() || prefix->damaged || prefix->valid_bytes != scan->valid_bytes) {
    Fail("the valid prefix does not scan clean");
  }
}

std::string EncodePayload(const CommitRecord& c) {
  std::string out;
  strata::storage::EncodeCommitPayload(c, &out);
  return out;
}

std::string EncodeRecord(const CommitRecord& c) {
  std::string record(strata::storage::kRecordHeaderBytes, '\0');
  record[8] = static_cast<char>(strata::storage::kRecordTypeCommit);
  strata::storage::EncodeCommitPayload(c, &record);
  strata::storage::FinalizeRecord(&record);
  return record;
}

}  // namespace

extern "C" void StrataFuzzSeeds(std::vector<std::string>* out) {
  using strata::Primitive;
  using strata::Value;
  CommitRecord one{1, 1700000000000000, {}};
  one.mutations.push_back({MutationType::kPut, Primitive::kKv, "default", "user:42",
                           Value(Value::Object{{"name", Value("ada")}, {"n", Value(7)}})});
  CommitRecord many{2, 1700000000000123, {}};
  many.mutations.push_back({MutationType::kPut, Primitive::kRun, "run-7", "",
                            Value(Value::Object{{"status", Value("active")}})});
  many.mutations.push_back({MutationType::kDelete, Primitive::kKv, "default", "gone", Value()});
  many.mutations.push_back({MutationType::kAppend, Primitive::kEvent, "run-7",
                            std::string("\0\0\0\x01", 4), Value::MakeBytes("\xff\x00")});
  many.mutations.push_back({MutationType::kPut, Primitive::kJson, "run-7", "doc",
                            Value(Value::Array{Value(1.5), Value(), Value(true)})});
  CommitRecord empty{3, -1, {}};
  for (const CommitRecord* c : {&one, &many, &empty}) out->push_back(EncodePayload(*c));
  // Record sequences, for the segment half.
  out->push_back(EncodeRecord(one));
  out->push_back(EncodeRecord(one) + EncodeRecord(many));
  out->push_back(EncodeRecord(many) + EncodeRecord(empty) + EncodeRecord(one));
  // A record of an unknown, ignorable type between two commits.
  std::string unknown(strata::storage::kRecordHeaderBytes, '\0');
  unknown[8] = 9;
  unknown[9] = static_cast<char>(strata::storage::kRecordFlagSafeToIgnore);
  unknown += "future";
  strata::storage::FinalizeRecord(&unknown);
  out->push_back(EncodeRecord(one) + unknown + EncodeRecord(many));
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  CheckPayload(input);
  CheckSegment(input);
  return 0;
}
