// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Fuzz target for the event record codec (primitives/event.hpp).
//
// For arbitrary bytes:
//  - DecodeEventRecord never crashes; it fails only with DataLoss;
//  - the result does not depend on the seq it is decoded for (except
//    Event::seq itself);
//  - ComputeEventHash fails exactly for records too short to hold a header,
//    and never for a record that decodes;
//  - whatever decodes re-encodes (EncodeEventRecord) to a record that
//    decodes to the same event, whose stored hash is the one
//    ComputeEventHash and EncodeEventRecord report; that encoding is
//    stable; and when the body bytes are unchanged by the round trip the
//    hash is the input's own computed hash;
//  - the event renders (EventToValue) to an object whose JSON parses.
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
#include "primitives/event.hpp"
#include "strata/primitives.hpp"
#include "strata/value.hpp"

namespace {

using strata::Event;
using strata::Value;

// [u8 format][fixed64 hash]: the body starts here.
constexpr size_t kBodyOffset = 9;
// [format][hash][prev_hash][timestamp]
constexpr size_t kMinRecordBytes = 25;

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "event_record_fuzz: %s\n", what);
  std::abort();
}

bool SameContent(const Event& a, const Event& b) {
  return a.type == b.type && a.payload == b.payload && a.timestamp_us == b.timestamp_us &&
         a.prev_hash == b.prev_hash;
}

void CheckRecord(uint64_t seq, std::string_view input) {
  const absl::StatusOr<Event> decoded = strata::primitives::DecodeEventRecord(seq, input);
  uint64_t computed = 0;
  const bool hashed = strata::primitives::ComputeEventHash(seq, input, &computed);
  if (hashed != (input.size() >= kMinRecordBytes)) {
    Fail("ComputeEventHash disagrees with the record size");
  }
  // The same bytes decoded for another seq: the same content.
  const uint64_t other_seq = seq ^ 0x5a5a5a5a5a5a5a5aULL;
  const absl::StatusOr<Event> other = strata::primitives::DecodeEventRecord(other_seq, input);
  if (decoded.ok() != other.ok()) Fail("decoding depends on the seq");
  if (!decoded.ok()) {
    if (decoded.status().code() != absl::StatusCode::kDataLoss) Fail("error is not DataLoss");
    return;
  }
  if (!hashed) Fail("a record that decodes has no hash");
  if (decoded->seq != seq || other->seq != other_seq) Fail("seq not taken from the argument");
  if (!SameContent(*decoded, *other) || decoded->hash != other->hash) {
    Fail("decoded content depends on the seq");
  }

  uint64_t hash = 0;
  const std::string encoded = strata::primitives::EncodeEventRecord(
      seq, decoded->type, decoded->payload, decoded->timestamp_us, decoded->prev_hash, &hash);
  const absl::StatusOr<Event> back = strata::primitives::DecodeEventRecord(seq, encoded);
  if (!back.ok()) Fail("re-encoded record does not decode");
  if (!SameContent(*back, *decoded)) Fail("re-encoded record decodes to a different event");
  if (back->hash != hash) Fail("stored hash differs from the hash EncodeEventRecord reported");
  uint64_t recomputed = 0;
  if (!strata::primitives::ComputeEventHash(seq, encoded, &recomputed) || recomputed != hash) {
    Fail("ComputeEventHash disagrees with EncodeEventRecord");
  }
  if (input.size() >= kBodyOffset &&
      std::string_view(encoded).substr(kBodyOffset) == input.substr(kBodyOffset) &&
      hash != computed) {
    Fail("the same body hashes differently");
  }
  if (decoded->hash == computed && std::string_view(encoded) != input &&
      std::string_view(encoded).substr(kBodyOffset) == input.substr(kBodyOffset)) {
    Fail("a valid record does not re-encode to itself");
  }
  uint64_t hash_twice = 0;
  const std::string encoded_twice = strata::primitives::EncodeEventRecord(
      seq, back->type, back->payload, back->timestamp_us, back->prev_hash, &hash_twice);
  if (encoded_twice != encoded || hash_twice != hash) Fail("encoding is not stable");

  const Value rendered = strata::primitives::EventToValue(*decoded);
  if (!rendered.is_object() || rendered.AsObject().size() != 6) Fail("bad rendering");
  const absl::StatusOr<Value> parsed = Value::FromJson(rendered.ToJson());
  if (!parsed.ok()) Fail("rendering's JSON does not parse");
}

}  // namespace

extern "C" void StrataFuzzSeeds(std::vector<std::string>* out) {
  Value::Object object;
  object["tool"] = Value("search");
  object["args"] = Value(Value::Array{Value(1), Value(2.5), Value(), Value(true)});
  object["raw"] = Value::MakeBytes(std::string("\0\xff\x01", 3));
  const Value payloads[] = {Value(), Value(42), Value("hello"), Value(object),
                            Value(Value::Array{})};
  uint64_t prev = 0;
  uint64_t seq = 1;
  for (const Value& payload : payloads) {
    uint64_t hash = 0;
    out->push_back(strata::primitives::EncodeEventRecord(
        seq, seq % 2 == 0 ? "tool_call" : "x", payload,
        seq == 3 ? std::numeric_limits<int64_t>::min() : 1700000000000000 + seq, prev, &hash));
    prev = hash;
    ++seq;
  }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  CheckRecord(1, input);
  CheckRecord(static_cast<uint64_t>(size) * 0x9e3779b97f4a7c15ULL + 2, input);
  return 0;
}
