// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// The event log: an append-only, hash-chained sequence of events per run.
//
// Keys in the (Primitive::kEvent, run) namespace (docs/storage-format.md):
//   'h'                         head: the newest seq, its hash and timestamp
//   'e' + seq (8 bytes BE)      an event record
//   't' + type + 0x00 + seq     the by-type index (value null)
// An append reads the head in its transaction, so concurrent appends to one
// run conflict and one retries: seqs stay dense and the chain unbroken.
//
// Thread safety: stateless functions over an OpContext.
#ifndef STRATA_PRIMITIVES_EVENT_HPP_
#define STRATA_PRIMITIVES_EVENT_HPP_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "primitives/context.hpp"
#include "strata/primitives.hpp"

namespace strata::primitives {

// Record codec, exposed for tests and the fuzz target.
//   record = [u8 format = 1][fixed64 hash][body]
//   body   = [fixed64 prev_hash][fixed64 timestamp_us][varint type length]
//            [type][payload in the value encoding]
//   hash   = XXH3-64 of body, seeded with seq
std::string EncodeEventRecord(uint64_t seq, std::string_view type, const Value& payload,
                              TimestampMicros timestamp_us, uint64_t prev_hash,
                              uint64_t* hash);
// DataLoss for a record that does not decode. Does not check the hash.
absl::StatusOr<Event> DecodeEventRecord(uint64_t seq, std::string_view record);
// Like DecodeEventRecord, into `*event` (reusing its storage). On error
// `*event` is partly written.
absl::Status DecodeEventRecordInto(uint64_t seq, std::string_view record, Event* event);
// The hash `record` should carry for `seq`; false if it does not decode.
bool ComputeEventHash(uint64_t seq, std::string_view record, uint64_t* hash);
std::string EventKey(uint64_t seq);
// {seq, type, payload, timestamp_us, prev_hash, hash} with hashes as 16 hex
// digits.
Value EventToValue(const Event& event);

// The payload is only encoded, so it is taken by reference (a retried
// append reuses it).
absl::StatusOr<EventAppended> EventAppend(OpContext& c, std::string_view run,
                                          std::string_view type, const Value& payload);
absl::StatusOr<Versioned<Event>> EventRead(OpContext& c, std::string_view run,
                                           uint64_t seq);
absl::StatusOr<EventPage> EventList(OpContext& c, std::string_view run,
                                    const EventQuery& query);
absl::StatusOr<uint64_t> EventLength(OpContext& c, std::string_view run);
absl::StatusOr<Versioned<Event>> EventLatest(OpContext& c, std::string_view run);
absl::StatusOr<ChainReport> EventVerifyChain(OpContext& c, std::string_view run);

}  // namespace strata::primitives

#endif  // STRATA_PRIMITIVES_EVENT_HPP_
