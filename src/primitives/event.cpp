// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
#include "primitives/event.hpp"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "primitives/common.hpp"
#include "primitives/kv.hpp"
#include "primitives/run.hpp"
#include "storage/store_key.hpp"
#include "strata/status.hpp"
#include "util/clock.hpp"
#include "util/coding.hpp"
#include "util/hash.hpp"
#include "util/status_macros.hpp"
#include "util/strings.hpp"
#include "util/value_codec.hpp"

namespace strata::primitives {

namespace {

using util::Sv;

constexpr uint8_t kEventFormat = 1;
constexpr char kHeadKey[] = "h";
constexpr char kEventPrefix = 'e';
constexpr char kTypePrefix = 't';
// [format][hash][prev_hash][timestamp]
constexpr size_t kBodyOffset = 1 + 8;
constexpr size_t kTimestampOffset = kBodyOffset + 8;
constexpr size_t kMinRecordBytes = kTimestampOffset + 8;

struct Head {
  uint64_t seq = 0;
  uint64_t hash = 0;
  TimestampMicros timestamp_us = 0;
};

std::string StoreKey(std::string_view run, std::string_view key) {
  return storage::MakeStoreKey(Primitive::kEvent, run, key);
}

std::string TypeIndexKey(std::string_view type, uint64_t seq) {
  std::string key;
  key.reserve(2 + type.size() + 8);
  key.push_back(kTypePrefix);
  key.append(type);
  key.push_back('\0');
  AppendBigEndian64(&key, seq);
  return key;
}

std::string EventRef(std::string_view run, uint64_t seq) {
  EntityRef ref{std::string(run), Primitive::kEvent, "", {}, seq};
  return ref.ToString();
}

// The head is 24 bytes: [fixed64 seq][fixed64 hash][fixed64 timestamp_us].
constexpr size_t kHeadBytes = 24;

absl::StatusOr<Head> ReadHead(OpContext& c, std::string_view run) {
  Head head;
  bool well_formed = true;
  const storage::ReadStatus status =
      c.txn.Visit(StoreKey(run, kHeadKey), [&](const Value& v, Version, TimestampMicros) {
        // Decoded in place: the head is read by every append.
        std::string_view in = v.is_bytes() ? std::string_view(v.AsBytes()) : "";
        uint64_t ts = 0;
        well_formed = in.size() == kHeadBytes && util::GetFixed64(&in, &head.seq) &&
                      util::GetFixed64(&in, &head.hash) && util::GetFixed64(&in, &ts);
        head.timestamp_us = static_cast<TimestampMicros>(ts);
      });
  if (status != storage::ReadStatus::kFound) return Head{};
  if (!well_formed) {
    return DamagedRecord(absl::StrCat("event log head of run '", Sv(run), "'"),
                         "wrong size or type");
  }
  return head;
}

Value EncodeHead(const Head& head) {
  std::string out;
  out.reserve(kHeadBytes);
  util::PutFixed64(&out, head.seq);
  util::PutFixed64(&out, head.hash);
  util::PutFixed64(&out, static_cast<uint64_t>(head.timestamp_us));
  return Value::MakeBytes(std::move(out));
}

// Reads the events `seqs` into `*out`, in that order, with one batched
// in-place read of their records (no copy of a record leaves the store).
// NotFound or DataLoss for the first seq that is missing or damaged.
absl::Status ReadEvents(OpContext& c, std::string_view run, const std::vector<uint64_t>& seqs,
                        std::vector<Versioned<Event>>* out) {
  // The keys differ only in their last 8 bytes: build them in one buffer.
  const std::string first = StoreKey(run, EventKey(seqs.empty() ? 0 : seqs.front()));
  const size_t key_size = first.size();
  std::string buffer;
  buffer.reserve(key_size * seqs.size());
  std::vector<std::string_view> keys;
  keys.reserve(seqs.size());
  for (uint64_t seq : seqs) {
    buffer.append(first, 0, key_size - sizeof(uint64_t));
    AppendBigEndian64(&buffer, seq);
  }
  for (size_t i = 0; i < seqs.size(); ++i) {
    keys.emplace_back(buffer.data() + i * key_size, key_size);
  }
  out->resize(seqs.size());
  std::vector<absl::Status> errors;
  std::vector<bool> found(seqs.size(), false);
  c.txn.ReadMany(keys, [&](size_t i, const Value& v, Version version, TimestampMicros ts) {
    found[i] = true;
    Versioned<Event>& event = (*out)[i];
    event.version = version;
    event.timestamp_us = ts;
    absl::Status s = v.is_bytes() ? DecodeEventRecordInto(seqs[i], v.AsBytes(), &event.value)
                                  : DamagedRecord(EventRef(run, seqs[i]), "not a bytes value");
    if (!s.ok()) {
      if (errors.empty()) errors.resize(seqs.size());
      errors[i] = std::move(s);
    }
  });
  for (size_t i = 0; i < seqs.size(); ++i) {
    if (!found[i]) {
      STRATA_RETURN_IF_ERROR(CheckRunInView(c, run));
      return MakeError(ErrorCode::kNotFound,
                       absl::StrCat("event not found: ", EventRef(run, seqs[i])));
    }
    if (!errors.empty() && !errors[i].ok()) return errors[i];
  }
  return absl::OkStatus();
}

absl::StatusOr<Versioned<Event>> ReadEvent(OpContext& c, std::string_view run,
                                           uint64_t seq) {
  std::vector<Versioned<Event>> events;
  STRATA_RETURN_IF_ERROR(ReadEvents(c, run, {seq}, &events));
  return std::move(events.front());
}

absl::StatusOr<TimestampMicros> ReadTimestamp(OpContext& c, std::string_view run,
                                              uint64_t seq) {
  // Only the timestamp is needed: read it in place.
  std::optional<uint64_t> ts;
  bool is_bytes = false;
  const storage::ReadStatus status =
      seq == 0 ? storage::ReadStatus::kAbsent
               : c.txn.Visit(StoreKey(run, EventKey(seq)),
                             [&](const Value& v, Version, TimestampMicros) {
                               is_bytes = v.is_bytes();
                               if (is_bytes && v.AsBytes().size() >= kMinRecordBytes) {
                                 ts = util::DecodeFixed64(v.AsBytes().data() + kTimestampOffset);
                               }
                             });
  if (status != storage::ReadStatus::kFound) {
    STRATA_RETURN_IF_ERROR(CheckRunInView(c, run));
    return MakeError(ErrorCode::kNotFound,
                     absl::StrCat("event not found: ", EventRef(run, seq)));
  }
  if (!is_bytes) return DamagedRecord(EventRef(run, seq), "not a bytes value");
  if (!ts.has_value()) return DamagedRecord(EventRef(run, seq), "record too short");
  return static_cast<TimestampMicros>(*ts);
}

// The smallest seq in [1, n] whose timestamp satisfies `pred` (monotone:
// false then true), or n + 1. Timestamps never go backwards within a run.
template <typename Pred>
absl::StatusOr<uint64_t> FirstSeqWhere(OpContext& c, std::string_view run, uint64_t n,
                                       Pred pred) {
  uint64_t lo = 1, hi = n + 1;
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    STRATA_ASSIGN_OR_RETURN(TimestampMicros ts, ReadTimestamp(c, run, mid));
    if (pred(ts)) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo;
}

}  // namespace

std::string EventKey(uint64_t seq) { return IdKey(kEventPrefix, seq); }

std::string EncodeEventRecord(uint64_t seq, std::string_view type, const Value& payload,
                              TimestampMicros timestamp_us, uint64_t prev_hash,
                              uint64_t* hash) {
  std::string record;
  // ApproximateSize bounds the payload's encoding: one allocation.
  record.reserve(kMinRecordBytes + sizeof(uint64_t) + type.size() + payload.ApproximateSize());
  record.push_back(static_cast<char>(kEventFormat));
  record.append(8, '\0');  // Hash, filled in below.
  util::PutFixed64(&record, prev_hash);
  util::PutFixed64(&record, static_cast<uint64_t>(timestamp_us));
  util::PutLengthPrefixed(&record, type);
  util::EncodeValue(payload, &record);
  *hash = util::Hash64(std::string_view(record).substr(kBodyOffset), seq);
  util::EncodeFixed64(record.data() + 1, *hash);
  return record;
}

absl::Status DecodeEventRecordInto(uint64_t seq, std::string_view record, Event* event) {
  // The description is built only for an error: this runs once per event
  // read.
  auto damaged = [seq](std::string_view detail) {
    return DamagedRecord(absl::StrCat("event record ", seq), detail);
  };
  std::string_view in = record;
  uint8_t format = 0;
  uint64_t ts = 0;
  event->seq = seq;
  if (!util::GetByte(&in, &format)) return damaged("empty");
  if (format != kEventFormat) return damaged(absl::StrCat("unknown format ", format));
  std::string_view type;
  if (!util::GetFixed64(&in, &event->hash) || !util::GetFixed64(&in, &event->prev_hash) ||
      !util::GetFixed64(&in, &ts) || !util::GetLengthPrefixed(&in, &type)) {
    return damaged("truncated header");
  }
  event->timestamp_us = static_cast<TimestampMicros>(ts);
  event->type.assign(type);
  absl::Status s = util::DecodeValue(&in, &event->payload);
  if (!s.ok()) return damaged(std::string(s.message()));
  if (!in.empty()) return damaged("trailing bytes after the payload");
  return absl::OkStatus();
}

absl::StatusOr<Event> DecodeEventRecord(uint64_t seq, std::string_view record) {
  Event event;
  STRATA_RETURN_IF_ERROR(DecodeEventRecordInto(seq, record, &event));
  return event;
}

bool ComputeEventHash(uint64_t seq, std::string_view record, uint64_t* hash) {
  if (record.size() < kMinRecordBytes) return false;
  *hash = util::Hash64(record.substr(kBodyOffset), seq);
  return true;
}

Value EventToValue(const Event& event) {
  Value::Object o;
  o.emplace("seq", Value(static_cast<int64_t>(event.seq)));
  o.emplace("type", Value(event.type));
  o.emplace("payload", event.payload);
  o.emplace("timestamp_us", Value(event.timestamp_us));
  o.emplace("prev_hash", Value(absl::StrFormat("%016x", event.prev_hash)));
  o.emplace("hash", Value(absl::StrFormat("%016x", event.hash)));
  return Value(std::move(o));
}

absl::StatusOr<EventAppended> EventAppend(OpContext& c, std::string_view run,
                                          std::string_view type, const Value& payload) {
  STRATA_RETURN_IF_ERROR(ValidateRunId(run));
  STRATA_RETURN_IF_ERROR(CheckName("event type", type, kMaxEventTypeBytes));
  STRATA_RETURN_IF_ERROR(CheckValue(payload, c.max_value_bytes));
  STRATA_RETURN_IF_ERROR(c.runs.CheckWritable(c.txn, run));
  STRATA_ASSIGN_OR_RETURN(Head head, ReadHead(c, run));
  Head next;
  next.seq = head.seq + 1;
  next.timestamp_us = std::max(util::NowMicros(), head.timestamp_us);
  std::string record =
      EncodeEventRecord(next.seq, type, payload, next.timestamp_us, head.hash, &next.hash);
  STRATA_RETURN_IF_ERROR(c.txn.Write(storage::MutationType::kPut, Primitive::kEvent, run,
                                     EventKey(next.seq), Value::MakeBytes(std::move(record))));
  STRATA_RETURN_IF_ERROR(c.txn.Write(storage::MutationType::kPut, Primitive::kEvent, run,
                                     kHeadKey, EncodeHead(next)));
  STRATA_RETURN_IF_ERROR(c.txn.Write(storage::MutationType::kPut, Primitive::kEvent, run,
                                     TypeIndexKey(type, next.seq), Value()));
  return EventAppended{next.seq, next.hash, 0};
}

absl::StatusOr<Versioned<Event>> EventRead(OpContext& c, std::string_view run,
                                           uint64_t seq) {
  STRATA_RETURN_IF_ERROR(ValidateRunId(run));
  return ReadEvent(c, run, seq);
}

absl::StatusOr<uint64_t> EventLength(OpContext& c, std::string_view run) {
  STRATA_RETURN_IF_ERROR(CheckRunInView(c, run));
  STRATA_ASSIGN_OR_RETURN(Head head, ReadHead(c, run));
  return head.seq;
}

absl::StatusOr<Versioned<Event>> EventLatest(OpContext& c, std::string_view run) {
  STRATA_ASSIGN_OR_RETURN(uint64_t length, EventLength(c, run));
  if (length == 0) {
    return MakeError(ErrorCode::kNotFound,
                     absl::StrCat("run '", Sv(run), "' has no events"));
  }
  return ReadEvent(c, run, length);
}

absl::StatusOr<EventPage> EventList(OpContext& c, std::string_view run,
                                    const EventQuery& query) {
  STRATA_RETURN_IF_ERROR(CheckLimit(query.limit));
  if (query.from_seq == 0) {
    return MakeError(ErrorCode::kInvalidArgument, "from_seq must be at least 1");
  }
  if (query.type.has_value()) {
    STRATA_RETURN_IF_ERROR(CheckName("event type", *query.type, kMaxEventTypeBytes));
  }
  STRATA_RETURN_IF_ERROR(CheckRunInView(c, run));
  STRATA_ASSIGN_OR_RETURN(Head head, ReadHead(c, run));
  uint64_t lo = query.from_seq;
  uint64_t hi = std::min(query.to_seq, head.seq);
  if (query.from_us.has_value() && lo <= hi) {
    const TimestampMicros from = *query.from_us;
    STRATA_ASSIGN_OR_RETURN(uint64_t first, FirstSeqWhere(c, run, head.seq, [from](auto ts) {
                              return ts >= from;
                            }));
    lo = std::max(lo, first);
  }
  if (query.to_us.has_value() && lo <= hi) {
    const TimestampMicros to = *query.to_us;
    STRATA_ASSIGN_OR_RETURN(uint64_t after, FirstSeqWhere(c, run, head.seq, [to](auto ts) {
                              return ts > to;
                            }));
    hi = std::min(hi, after - 1);
  }
  EventPage page;
  if (lo > hi) return page;

  std::vector<uint64_t> seqs;
  if (query.type.has_value()) {
    // Walk the type index; one entry past the page tells whether more follow.
    const std::string start = StoreKey(run, TypeIndexKey(*query.type, lo));
    const std::string end = StoreKey(run, TypeIndexKey(*query.type, hi + 1));
    c.txn.Scan(start, end, [&](std::string_view store_key, const Versioned<Value>&) {
      if (store_key.size() < 8) return false;
      seqs.push_back(ReadBigEndian64(store_key.data() + store_key.size() - 8));
      return seqs.size() <= query.limit;
    });
    if (seqs.size() > query.limit) {
      page.next_seq = seqs[query.limit];
      seqs.resize(query.limit);
    }
  } else {
    const uint64_t last = std::min<uint64_t>(hi, lo + query.limit - 1);
    for (uint64_t seq = lo; seq <= last; ++seq) seqs.push_back(seq);
    if (last < hi) page.next_seq = last + 1;
  }
  STRATA_RETURN_IF_ERROR(ReadEvents(c, run, seqs, &page.events));
  return page;
}

absl::StatusOr<ChainReport> EventVerifyChain(OpContext& c, std::string_view run) {
  STRATA_RETURN_IF_ERROR(CheckRunInView(c, run));
  ChainReport report;
  auto broken = [&report](uint64_t seq, std::string problem) {
    report.valid = false;
    report.first_broken_seq = seq;
    report.problem = std::move(problem);
  };
  uint64_t expected_seq = 1;
  uint64_t prev_hash = 0;
  const std::string start = StoreKey(run, std::string(1, kEventPrefix));
  const std::string end = StoreKey(run, std::string(1, kEventPrefix + 1));
  c.txn.Scan(start, end, [&](std::string_view store_key, const Versioned<Value>& v) {
    // Check the length before decoding: a malformed key may be shorter
    // than 8 bytes.
    if (store_key.size() != start.size() + 8) {
      broken(expected_seq, "malformed event key");
      return false;
    }
    const uint64_t seq = ReadBigEndian64(store_key.data() + start.size());
    if (seq != expected_seq) {
      broken(expected_seq, absl::StrCat("event ", expected_seq, " is missing"));
      return false;
    }
    if (!v.value.is_bytes()) {
      broken(seq, "the record is not a bytes value");
      return false;
    }
    absl::StatusOr<Event> event = DecodeEventRecord(seq, v.value.AsBytes());
    if (!event.ok()) {
      broken(seq, std::string(event.status().message()));
      return false;
    }
    uint64_t hash = 0;
    ComputeEventHash(seq, v.value.AsBytes(), &hash);
    if (hash != event->hash) {
      broken(seq, absl::StrFormat("stored hash %016x does not match the content (%016x)",
                                  event->hash, hash));
      return false;
    }
    if (event->prev_hash != prev_hash) {
      broken(seq, absl::StrFormat("prev_hash %016x does not match the hash of event %d "
                                  "(%016x)",
                                  event->prev_hash, seq - 1, prev_hash));
      return false;
    }
    prev_hash = hash;
    ++report.events_checked;
    ++expected_seq;
    return true;
  });
  if (!report.valid) return report;
  // Damage is reported, not returned: a damaged head breaks the chain after
  // the last event that checked out.
  absl::StatusOr<Head> head_or = ReadHead(c, run);
  if (!head_or.ok()) {
    broken(report.events_checked + 1,
           absl::StrCat("the log head is unreadable: ", head_or.status().message()));
    return report;
  }
  const Head& head = *head_or;
  if (head.seq != report.events_checked) {
    broken(std::min(head.seq, report.events_checked) + 1,
           absl::StrCat("the log head says ", head.seq, " events, found ",
                        report.events_checked));
  } else if (head.hash != prev_hash) {
    broken(head.seq, "the log head's hash does not match the newest event");
  }
  return report;
}

}  // namespace strata::primitives
