// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Fuzz target for the run record decoder (primitives/run.hpp).
//
// The input is decoded as a Value (util::DecodeValue, as stored in the WAL
// and snapshots) and, when it is JSON text, also parsed with
// Value::FromJson; each Value is then given to DecodeRunRecord. For every
// input:
//  - nothing crashes; DecodeRunRecord fails only with DataLoss;
//  - a decoded run has the id it was decoded for and a known status;
//  - it re-encodes (EncodeRunRecord) to a record that decodes to the same
//    RunInfo, and that encoding is stable and survives the binary Value
//    codec;
//  - the rendering (RunInfoToValue) decodes as a run record too.
// A violation prints what went wrong and calls abort().
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "primitives/run.hpp"
#include "strata/primitives.hpp"
#include "strata/value.hpp"
#include "util/value_codec.hpp"

namespace {

using strata::RunInfo;
using strata::Value;

constexpr char kRunId[] = "run-7";

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "run_record_fuzz: %s\n", what);
  std::abort();
}

bool Same(const RunInfo& a, const RunInfo& b) {
  return a.id == b.id && a.status == b.status && a.parent == b.parent && a.tags == b.tags &&
         a.metadata == b.metadata && a.created_us == b.created_us &&
         a.ended_us == b.ended_us && a.base_version == b.base_version;
}

void CheckRecord(const Value& record) {
  const absl::StatusOr<RunInfo> decoded = strata::primitives::DecodeRunRecord(kRunId, record);
  if (!decoded.ok()) {
    if (decoded.status().code() != absl::StatusCode::kDataLoss) Fail("error is not DataLoss");
    return;
  }
  if (decoded->id != kRunId) Fail("id not taken from the argument");
  if (!strata::RunStatusFromName(strata::RunStatusName(decoded->status)).has_value()) {
    Fail("decoded an unknown status");
  }

  const Value encoded = strata::primitives::EncodeRunRecord(*decoded);
  const absl::StatusOr<RunInfo> back = strata::primitives::DecodeRunRecord(kRunId, encoded);
  if (!back.ok()) Fail("re-encoded record does not decode");
  if (!Same(*back, *decoded)) Fail("re-encoded record decodes to a different run");
  if (!(strata::primitives::EncodeRunRecord(*back) == encoded)) Fail("encoding is not stable");

  // Through the binary codec, as recovery reads it.
  std::string bytes;
  strata::util::EncodeValue(encoded, &bytes);
  std::string_view in = bytes;
  Value stored;
  if (!strata::util::DecodeValue(&in, &stored).ok() || !in.empty()) {
    Fail("encoded record does not survive the value codec");
  }
  const absl::StatusOr<RunInfo> recovered = strata::primitives::DecodeRunRecord(kRunId, stored);
  if (!recovered.ok() || !Same(*recovered, *decoded)) Fail("recovered record differs");

  // The rendering is the record plus "id": it decodes to the same run.
  const Value rendered = strata::primitives::RunInfoToValue(*decoded);
  const absl::StatusOr<RunInfo> from_rendering =
      strata::primitives::DecodeRunRecord(kRunId, rendered);
  if (!from_rendering.ok() || !Same(*from_rendering, *decoded)) {
    Fail("the rendering does not decode to the same run");
  }
  if (!Value::FromJson(rendered.ToJson()).ok()) Fail("rendering's JSON does not parse");
}

}  // namespace

extern "C" void StrataFuzzSeeds(std::vector<std::string>* out) {
  RunInfo full;
  full.id = kRunId;
  full.status = strata::RunStatus::kCompleted;
  full.parent = "default";
  full.tags = {"agent", "nightly"};
  full.metadata = Value(Value::Object{{"model", Value("m1")}, {"n", Value(3)}});
  full.created_us = 1700000000000000;
  full.ended_us = 1700000000000999;
  full.base_version = 12;
  RunInfo active;
  active.id = kRunId;
  active.base_version = std::numeric_limits<uint64_t>::max();
  active.created_us = -5;
  std::vector<Value> records = {strata::primitives::EncodeRunRecord(full),
                                strata::primitives::EncodeRunRecord(active),
                                strata::primitives::RunInfoToValue(full),
                                // An old record: only the status.
                                Value(Value::Object{{"status", Value("archived")}}),
                                // Damaged ones.
                                Value(Value::Object{{"status", Value("paused")}}),
                                Value(Value::Object{{"status", Value("active")},
                                                    {"tags", Value(Value::Array{Value(1)})}}),
                                Value(Value::Object{{"status", Value("active")},
                                                    {"created_us", Value("x")}}),
                                Value(Value::Array{Value("status")})};
  for (const Value& v : records) {
    std::string bytes;
    strata::util::EncodeValue(v, &bytes);
    out->push_back(std::move(bytes));
    out->push_back(v.ToJson());
  }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string_view in = input;
  Value value;
  if (strata::util::DecodeValue(&in, &value).ok()) CheckRecord(value);
  const absl::StatusOr<Value> json = Value::FromJson(input);
  if (json.ok()) CheckRecord(*json);
  return 0;
}
