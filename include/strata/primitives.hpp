// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// The value types of the agent primitives: events, state cells, trace spans
// and runs. The operations on them are methods of Database and Transaction
// (strata/database.hpp); this header only says what they exchange.
//
// Thread safety: plain value types.
#ifndef STRATA_PRIMITIVES_HPP_
#define STRATA_PRIMITIVES_HPP_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/export.hpp"
#include "strata/types.hpp"
#include "strata/value.hpp"

namespace strata {

// --- Limits shared by the primitives (see docs/primitives.md).

// Event types, span names, span tags and custom span kinds: 1..N bytes, no
// NUL byte.
inline constexpr size_t kMaxEventTypeBytes = 256;
inline constexpr size_t kMaxSpanNameBytes = 1024;
inline constexpr size_t kMaxTagBytes = 256;
inline constexpr size_t kMaxTagsPerEntity = 64;

// --- Event log.

// One event of a run's log. `seq` is dense from 1 per run. `timestamp_us` is
// taken when the event is appended and never goes backwards within a run.
// `hash` chains the previous event's hash:
//   hash = XXH3-64(prev_hash, seq, timestamp_us, type, payload)
// (exact byte layout in docs/storage-format.md); the first event of a run
// has prev_hash 0.
struct Event {
  uint64_t seq = 0;
  std::string type;
  Value payload;
  TimestampMicros timestamp_us = 0;
  uint64_t prev_hash = 0;
  uint64_t hash = 0;
};

// Where an append landed. `version` is 0 inside a transaction (the commit
// version is known only at commit).
struct EventAppended {
  uint64_t seq = 0;
  uint64_t hash = 0;
  Version version = 0;
};

// Which events to list. All conditions must hold. Events come in ascending
// seq order.
struct EventQuery {
  uint64_t from_seq = 1;           // Inclusive.
  uint64_t to_seq = UINT64_MAX;    // Inclusive.
  std::optional<std::string> type; // Only events of this type.
  std::optional<TimestampMicros> from_us;  // timestamp_us >= from_us.
  std::optional<TimestampMicros> to_us;    // timestamp_us <= to_us.
  uint32_t limit = 100;            // 1..kMaxListLimit.
};

struct EventPage {
  std::vector<Versioned<Event>> events;
  // The from_seq that continues the listing; 0 when it is complete.
  uint64_t next_seq = 0;
};

// The result of verifying a run's hash chain.
struct ChainReport {
  bool valid = true;
  uint64_t events_checked = 0;
  // The first event whose link is broken (0 when valid), and why.
  uint64_t first_broken_seq = 0;
  std::string problem;
};

// --- Trace store.

enum class SpanKind : uint8_t {
  kToolCall = 1,
  kDecision = 2,
  kQuery = 3,
  kThought = 4,
  kCustom = 5,
};
// "tool_call", "decision", "query", "thought", "custom".
STRATA_EXPORT std::string_view SpanKindName(SpanKind kind);
STRATA_EXPORT std::optional<SpanKind> SpanKindFromName(std::string_view name);

enum class SpanStatus : uint8_t {
  kRunning = 0,  // Begun and not yet ended.
  kOk = 1,
  kError = 2,
  kCancelled = 3,
};
// "running", "ok", "error", "cancelled".
STRATA_EXPORT std::string_view SpanStatusName(SpanStatus status);
STRATA_EXPORT std::optional<SpanStatus> SpanStatusFromName(std::string_view name);

// A span of agent work. Span ids are dense from 1 per run, in the order spans
// are begun or recorded.
struct Span {
  uint64_t id = 0;
  SpanKind kind = SpanKind::kCustom;
  std::string name;
  uint64_t parent = 0;  // 0: a root span.
  SpanStatus status = SpanStatus::kRunning;
  Value input;
  Value output;
  TimestampMicros start_us = 0;
  TimestampMicros end_us = 0;  // 0 while running.
  std::vector<std::string> tags;
};

// What to record or begin. A start_us (or end_us) of 0 means "now".
struct SpanSpec {
  SpanKind kind = SpanKind::kCustom;
  std::string name;
  uint64_t parent = 0;
  Value input;
  std::vector<std::string> tags;
  TimestampMicros start_us = 0;
  // For a completed span (TraceRecord) only:
  SpanStatus status = SpanStatus::kOk;
  Value output;
  TimestampMicros end_us = 0;
};

// Which spans to return, in ascending id order. All conditions must hold.
struct SpanQuery {
  std::optional<SpanKind> kind;
  std::optional<std::string> name;
  std::optional<uint64_t> parent;  // 0 selects root spans.
  std::optional<std::string> tag;
  std::optional<TimestampMicros> from_us;  // start_us >= from_us.
  std::optional<TimestampMicros> to_us;    // start_us <= to_us.
  uint64_t after_id = 0;  // Cursor: only ids > after_id.
  uint32_t limit = 100;   // 1..kMaxListLimit.
};

struct SpanPage {
  std::vector<Versioned<Span>> spans;
  // The after_id that continues the listing; 0 when it is complete.
  uint64_t next_after_id = 0;
};

// A run's span tree in depth-first pre-order, children in id order. A span
// whose parent is missing is listed as a root.
struct SpanTreeNode {
  Span span;
  uint32_t depth = 0;  // 0 for roots.
};

// --- Run index.

enum class RunStatus : uint8_t {
  kActive = 1,
  kCompleted = 2,
  kFailed = 3,
  kCancelled = 4,
  kArchived = 5,
};
// "active", "completed", "failed", "cancelled", "archived".
STRATA_EXPORT std::string_view RunStatusName(RunStatus status);
STRATA_EXPORT std::optional<RunStatus> RunStatusFromName(std::string_view name);
// Allowed: active -> completed | failed | cancelled; completed | failed |
// cancelled -> archived.
STRATA_EXPORT bool IsValidRunTransition(RunStatus from, RunStatus to);

// What to create. An empty id asks for a generated one ("run-" followed by
// 32 hex digits).
struct RunSpec {
  RunId id;
  RunId parent;  // Empty: no parent.
  std::vector<std::string> tags;
  Value metadata = Value(Value::Object{});  // Must be an object.
};

struct RunInfo {
  RunId id;
  RunStatus status = RunStatus::kActive;
  RunId parent;
  std::vector<std::string> tags;
  Value metadata = Value(Value::Object{});
  TimestampMicros created_us = 0;
  TimestampMicros ended_us = 0;  // 0 while active.
  // The version the run starts from: the newest commit when it was created,
  // so every commit into the run is newer (0 for the implicit default run).
  // Replaying the run reads its own namespaces from here; a fork will start
  // from its parent's state at this version.
  Version base_version = 0;
};

// Which runs to list, ordered by (created_us, id). All conditions must hold.
struct RunQuery {
  std::optional<RunStatus> status;
  std::optional<std::string> tag;
  std::optional<RunId> parent;
  std::optional<TimestampMicros> from_us;  // created_us >= from_us.
  std::optional<TimestampMicros> to_us;    // created_us <= to_us.
  uint32_t limit = 100;  // 1..kMaxListLimit.
};

}  // namespace strata

#endif  // STRATA_PRIMITIVES_HPP_
