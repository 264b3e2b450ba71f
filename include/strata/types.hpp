// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Small vocabulary types shared by every primitive: run ids, keys, versions,
// versioned results and EntityRef, the universal address of an entity.
//
// Thread safety: plain value types.
#ifndef STRATA_TYPES_HPP_
#define STRATA_TYPES_HPP_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "strata/export.hpp"

namespace strata {

// A run id: 1..kMaxRunIdBytes bytes from [A-Za-z0-9._:-]. Validated by
// ValidateRunId() at every API entry point.
using RunId = std::string;

// A key: an arbitrary byte string of 1..kMaxKeyBytes bytes.
using Key = std::string;

// A database-wide commit version. The first commit gets 1; 0 means "before
// any commit" (the version of an empty database).
using Version = uint64_t;

// Microseconds since the Unix epoch. Commit timestamps never go backwards
// (a clock that jumps back is clamped to the last timestamp).
using TimestampMicros = int64_t;

inline constexpr char kDefaultRun[] = "default";
inline constexpr size_t kMaxRunIdBytes = 128;
inline constexpr size_t kMaxKeyBytes = 4096;

// The seven primitives. The numeric values are stored on disk and sent on the
// wire: never renumber.
enum class Primitive : uint8_t {
  kKv = 1,
  kEvent = 2,
  kState = 3,
  kTrace = 4,
  kRun = 5,
  kJson = 6,
  kVector = 7,
};

// "kv", "event", "state", "trace", "run", "json", "vector".
STRATA_EXPORT std::string_view PrimitiveName(Primitive p);
STRATA_EXPORT std::optional<Primitive> PrimitiveFromName(std::string_view name);

// InvalidArgument naming the bad character and its position (or an empty
// id), ResourceExhausted above kMaxRunIdBytes.
STRATA_EXPORT absl::Status ValidateRunId(std::string_view run);
// InvalidArgument for an empty key, ResourceExhausted above kMaxKeyBytes.
STRATA_EXPORT absl::Status ValidateKey(std::string_view key);

// A value read at a version: what was read, the commit version that wrote it
// and that commit's timestamp.
template <typename T>
struct Versioned {
  T value;
  Version version = 0;
  TimestampMicros timestamp_us = 0;
};

// The universal address of an entity: (run, primitive, key[, path | seq]).
//
// Text form: "<primitive>://<run>/<key>[#<path>]", e.g.
//   kv://default/user:42
//   json://run-7/doc1#/a/b
//   event://run-7/15            (for events the key is the sequence number)
//   vector://run-7/memories%2Fturn-3   (for vectors the key is
//                                <collection>/<key>, the '/' encoded)
// Bytes of the key outside [A-Za-z0-9._~:@!$&'()*+,;=-] are percent-encoded
// (%XX, upper-case hex), so every key, including binary ones, round-trips.
struct STRATA_EXPORT EntityRef {
  RunId run;
  Primitive primitive = Primitive::kKv;
  std::string key;
  std::optional<std::string> path;  // JSON path inside a document.
  std::optional<uint64_t> seq;      // Event sequence number.

  std::string ToString() const;
  // InvalidArgument naming the offending position for malformed text.
  static absl::StatusOr<EntityRef> Parse(std::string_view text);

  friend bool operator==(const EntityRef&, const EntityRef&) = default;
};

}  // namespace strata

#endif  // STRATA_TYPES_HPP_
