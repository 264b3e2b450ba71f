// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// The trace store: spans of agent work with secondary indexes.
//
// Keys in the (Primitive::kTrace, run) namespace (docs/storage-format.md):
//   'h'                          head: the newest span id
//   's' + id (8 bytes BE)        a span record
//   'k' + kind (1 byte) + id     by-kind index      (index values are null)
//   'n' + name + 0x00 + id       by-name index
//   'p' + parent (8 bytes BE) + id   by-parent index (parent 0: roots)
//   'g' + tag + 0x00 + id        by-tag index
// Kind, name, parent and tags are fixed when a span begins, so the indexes
// are written once; ending a span rewrites only its record.
//
// Thread safety: stateless functions over an OpContext.
#ifndef STRATA_PRIMITIVES_TRACE_HPP_
#define STRATA_PRIMITIVES_TRACE_HPP_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "primitives/context.hpp"
#include "strata/primitives.hpp"

namespace strata::primitives {

// Most spans TraceTree returns.
inline constexpr uint64_t kMaxTreeSpans = 1000000;

// Record codec, exposed for tests and the fuzz target.
//   [u8 format = 1][u8 kind][u8 status][fixed64 parent][fixed64 start_us]
//   [fixed64 end_us][varint name length][name][varint tag count]
//   ([varint tag length][tag])* [input value][output value]
std::string EncodeSpanRecord(const Span& span);
// The same record with `input` and `output` in place of the span's own.
std::string EncodeSpanRecord(const Span& span, const Value& input, const Value& output);
// DataLoss for a record that does not decode.
absl::StatusOr<Span> DecodeSpanRecord(uint64_t id, std::string_view record);
std::string SpanKey(uint64_t id);
// {id, kind, name, parent, status, input, output, start_us, end_us, tags}.
Value SpanToValue(const Span& span);

absl::StatusOr<uint64_t> TraceRecord(OpContext& c, std::string_view run,
                                     const SpanSpec& spec);
absl::StatusOr<uint64_t> TraceBegin(OpContext& c, std::string_view run,
                                    const SpanSpec& spec);
absl::Status TraceEnd(OpContext& c, std::string_view run, uint64_t span_id,
                      SpanStatus status, Value output, TimestampMicros end_us);
absl::StatusOr<Versioned<Span>> TraceGet(OpContext& c, std::string_view run,
                                         uint64_t span_id);
absl::StatusOr<SpanPage> TraceQuery(OpContext& c, std::string_view run,
                                    const SpanQuery& query);
absl::StatusOr<std::vector<SpanTreeNode>> TraceTree(OpContext& c, std::string_view run);
absl::StatusOr<uint64_t> TraceCount(OpContext& c, std::string_view run);

}  // namespace strata::primitives

#endif  // STRATA_PRIMITIVES_TRACE_HPP_
