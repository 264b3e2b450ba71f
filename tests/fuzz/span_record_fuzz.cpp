// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Fuzz target for the span record codec (primitives/trace.hpp).
//
// For arbitrary bytes:
//  - DecodeSpanRecord never crashes; it fails only with DataLoss;
//  - a decoded span has a known kind and status, at most kMaxTagsPerEntity
//    tags and the id it was decoded for;
//  - it re-encodes (EncodeSpanRecord) to a record that decodes to the same
//    span (for any id), and that encoding is stable;
//  - the span renders (SpanToValue) to an object whose JSON parses.
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
#include "primitives/trace.hpp"
#include "strata/primitives.hpp"
#include "strata/value.hpp"

namespace {

using strata::Span;
using strata::Value;

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "span_record_fuzz: %s\n", what);
  std::abort();
}

bool Same(const Span& a, const Span& b) {
  return a.id == b.id && a.kind == b.kind && a.name == b.name && a.parent == b.parent &&
         a.status == b.status && a.input == b.input && a.output == b.output &&
         a.start_us == b.start_us && a.end_us == b.end_us && a.tags == b.tags;
}

void CheckRecord(uint64_t id, std::string_view input) {
  const absl::StatusOr<Span> decoded = strata::primitives::DecodeSpanRecord(id, input);
  if (!decoded.ok()) {
    if (decoded.status().code() != absl::StatusCode::kDataLoss) Fail("error is not DataLoss");
    return;
  }
  if (decoded->id != id) Fail("id not taken from the argument");
  if (!strata::SpanKindFromName(strata::SpanKindName(decoded->kind)).has_value()) {
    Fail("decoded an unknown kind");
  }
  if (!strata::SpanStatusFromName(strata::SpanStatusName(decoded->status)).has_value()) {
    Fail("decoded an unknown status");
  }
  if (decoded->tags.size() > strata::kMaxTagsPerEntity) Fail("decoded too many tags");

  const std::string encoded = strata::primitives::EncodeSpanRecord(*decoded);
  const absl::StatusOr<Span> back = strata::primitives::DecodeSpanRecord(id, encoded);
  if (!back.ok()) Fail("re-encoded record does not decode");
  if (!Same(*back, *decoded)) Fail("re-encoded record decodes to a different span");
  if (strata::primitives::EncodeSpanRecord(*back) != encoded) Fail("encoding is not stable");
  // The same bytes decode to the same span for another id.
  const absl::StatusOr<Span> again = strata::primitives::DecodeSpanRecord(id + 1, encoded);
  if (!again.ok() || again->id != id + 1) Fail("decoding depends on the id");
  Span renumbered = *again;
  renumbered.id = id;
  if (!Same(renumbered, *decoded)) Fail("decoded content depends on the id");

  const Value rendered = strata::primitives::SpanToValue(*decoded);
  if (!rendered.is_object() || rendered.AsObject().size() != 10) Fail("bad rendering");
  const absl::StatusOr<Value> parsed = Value::FromJson(rendered.ToJson());
  if (!parsed.ok()) Fail("rendering's JSON does not parse");
}

}  // namespace

extern "C" void StrataFuzzSeeds(std::vector<std::string>* out) {
  Span running;
  running.id = 1;
  running.kind = strata::SpanKind::kToolCall;
  running.name = "search";
  running.status = strata::SpanStatus::kRunning;
  running.input = Value(Value::Object{{"q", Value("strata")}, {"k", Value(10)}});
  running.start_us = 1700000000000000;
  running.tags = {"a", "b"};
  Span done = running;
  done.id = 2;
  done.parent = 1;
  done.kind = strata::SpanKind::kCustom;
  done.status = strata::SpanStatus::kError;
  done.output = Value::MakeBytes(std::string("\0\x01\xff", 3));
  done.end_us = std::numeric_limits<int64_t>::max();
  done.tags.clear();
  Span minimal;
  minimal.name = "x";
  minimal.kind = strata::SpanKind::kThought;
  minimal.status = strata::SpanStatus::kCancelled;
  minimal.start_us = -1;
  Span many_tags = minimal;
  for (size_t i = 0; i < strata::kMaxTagsPerEntity; ++i) {
    many_tags.tags.push_back(std::string(1, static_cast<char>('a' + i % 26)) +
                             std::to_string(i));
  }
  for (const Span* s : {&running, &done, &minimal, &many_tags}) {
    out->push_back(strata::primitives::EncodeSpanRecord(*s));
  }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  CheckRecord(1 + size, input);
  return 0;
}
