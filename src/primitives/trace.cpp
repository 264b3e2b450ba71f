// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
#include "primitives/trace.hpp"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "primitives/common.hpp"
#include "primitives/kv.hpp"
#include "primitives/run.hpp"
#include "storage/store_key.hpp"
#include "strata/status.hpp"
#include "util/clock.hpp"
#include "util/coding.hpp"
#include "util/status_macros.hpp"
#include "util/strings.hpp"
#include "util/value_codec.hpp"

namespace strata::primitives {

namespace {

using util::Sv;

constexpr uint8_t kSpanFormat = 1;
constexpr char kHeadKey[] = "h";
constexpr char kSpanPrefix = 's';
constexpr char kKindPrefix = 'k';
constexpr char kNamePrefix = 'n';
constexpr char kParentPrefix = 'p';
constexpr char kTagPrefix = 'g';

std::string StoreKey(std::string_view run, std::string_view key) {
  return storage::MakeStoreKey(Primitive::kTrace, run, key);
}

std::string SpanRef(std::string_view run, uint64_t id) {
  return EntityRef{std::string(run), Primitive::kTrace, absl::StrCat(id), {}, {}}.ToString();
}

// An index key prefix: `tag` followed by `text` and a NUL separator.
std::string TextIndexPrefix(char tag, std::string_view text) {
  std::string key;
  key.reserve(2 + text.size() + 8);
  key.push_back(tag);
  key.append(text);
  key.push_back('\0');
  return key;
}

absl::StatusOr<uint64_t> ReadHead(OpContext& c, std::string_view run) {
  std::optional<uint64_t> last;
  const storage::ReadStatus status =
      c.txn.Visit(StoreKey(run, kHeadKey), [&](const Value& v, Version, TimestampMicros) {
        // Decoded in place: the head is read by every new span.
        if (v.is_bytes() && v.AsBytes().size() == sizeof(uint64_t)) {
          last = util::DecodeFixed64(v.AsBytes().data());
        }
      });
  if (status != storage::ReadStatus::kFound) return 0;
  if (!last.has_value()) {
    return DamagedRecord(absl::StrCat("trace head of run '", Sv(run), "'"),
                         "wrong size or type");
  }
  return *last;
}

absl::StatusOr<Versioned<Span>> ReadSpan(OpContext& c, std::string_view run, uint64_t id) {
  Versioned<Value> v;
  if (id == 0 || c.txn.Read(StoreKey(run, SpanKey(id)), &v) != storage::ReadStatus::kFound) {
    STRATA_RETURN_IF_ERROR(CheckRunInView(c, run));
    return MakeError(ErrorCode::kNotFound, absl::StrCat("span not found: ", SpanRef(run, id)));
  }
  if (!v.value.is_bytes()) return DamagedRecord(SpanRef(run, id), "not a bytes value");
  STRATA_ASSIGN_OR_RETURN(Span span, DecodeSpanRecord(id, v.value.AsBytes()));
  return Versioned<Span>{std::move(span), v.version, v.timestamp_us};
}

absl::Status WriteSpan(OpContext& c, std::string_view run, const Span& span) {
  return c.txn.Write(storage::MutationType::kPut, Primitive::kTrace, run, SpanKey(span.id),
                     Value::MakeBytes(EncodeSpanRecord(span)));
}

absl::Status WriteIndex(OpContext& c, std::string_view run, std::string_view key) {
  return c.txn.Write(storage::MutationType::kPut, Primitive::kTrace, run, key, Value());
}

absl::Status CheckSpec(OpContext& c, const SpanSpec& spec) {
  if (!SpanKindFromName(SpanKindName(spec.kind)).has_value()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     absl::StrCat("unknown span kind ", static_cast<int>(spec.kind)));
  }
  STRATA_RETURN_IF_ERROR(CheckName("span name", spec.name, kMaxSpanNameBytes));
  STRATA_RETURN_IF_ERROR(CheckTags(spec.tags));
  STRATA_RETURN_IF_ERROR(CheckValue(spec.input, c.max_value_bytes));
  if (spec.start_us < 0) {
    return MakeError(ErrorCode::kInvalidArgument, "span start_us is negative");
  }
  return absl::OkStatus();
}

absl::Status CheckEnd(SpanStatus status, TimestampMicros start_us, TimestampMicros end_us) {
  if (!SpanStatusFromName(SpanStatusName(status)).has_value()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     absl::StrCat("unknown span status ", static_cast<int>(status)));
  }
  if (status == SpanStatus::kRunning) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "an ended span needs a final status (ok, error or cancelled), not running");
  }
  if (end_us < start_us) {
    return MakeError(ErrorCode::kInvalidArgument,
                     absl::StrCat("span end_us ", end_us, " is before its start_us ", start_us));
  }
  return absl::OkStatus();
}

// Writes a new span (record, head, indexes) and returns its id. `span`
// carries everything but the input and output, which are only encoded and
// so are passed by reference rather than copied into it.
absl::StatusOr<uint64_t> AddSpan(OpContext& c, std::string_view run, Span span,
                                 const Value& input, const Value& output) {
  STRATA_RETURN_IF_ERROR(c.runs.CheckWritable(c.txn, run));
  if (span.parent != 0) {
    absl::StatusOr<Versioned<Span>> parent = ReadSpan(c, run, span.parent);
    if (!parent.ok()) {
      if (GetErrorCode(parent.status()) != ErrorCode::kNotFound) return parent.status();
      return MakeError(ErrorCode::kNotFound,
                       absl::StrCat("parent span ", span.parent, " does not exist in run '",
                                    Sv(run), "'"));
    }
  }
  STRATA_ASSIGN_OR_RETURN(uint64_t last, ReadHead(c, run));
  span.id = last + 1;
  std::string head;
  util::PutFixed64(&head, span.id);
  STRATA_RETURN_IF_ERROR(c.txn.Write(storage::MutationType::kPut, Primitive::kTrace, run,
                                     kHeadKey, Value::MakeBytes(std::move(head))));
  std::string kind_key(1, kKindPrefix);
  kind_key.push_back(static_cast<char>(span.kind));
  AppendBigEndian64(&kind_key, span.id);
  STRATA_RETURN_IF_ERROR(WriteIndex(c, run, std::move(kind_key)));
  std::string name_key = TextIndexPrefix(kNamePrefix, span.name);
  AppendBigEndian64(&name_key, span.id);
  STRATA_RETURN_IF_ERROR(WriteIndex(c, run, std::move(name_key)));
  std::string parent_key(1, kParentPrefix);
  AppendBigEndian64(&parent_key, span.parent);
  AppendBigEndian64(&parent_key, span.id);
  STRATA_RETURN_IF_ERROR(WriteIndex(c, run, std::move(parent_key)));
  for (const std::string& tag : span.tags) {
    std::string tag_key = TextIndexPrefix(kTagPrefix, tag);
    AppendBigEndian64(&tag_key, span.id);
    STRATA_RETURN_IF_ERROR(WriteIndex(c, run, std::move(tag_key)));
  }
  STRATA_RETURN_IF_ERROR(c.txn.Write(storage::MutationType::kPut, Primitive::kTrace, run,
                                     SpanKey(span.id),
                                     Value::MakeBytes(EncodeSpanRecord(span, input, output))));
  return span.id;
}

Span SpanFromSpec(const SpanSpec& spec) {
  Span span;
  span.kind = spec.kind;
  span.name = spec.name;
  span.parent = spec.parent;
  span.tags = spec.tags;
  // Duplicate tags would index a span twice.
  std::sort(span.tags.begin(), span.tags.end());
  span.tags.erase(std::unique(span.tags.begin(), span.tags.end()), span.tags.end());
  span.start_us = spec.start_us != 0 ? spec.start_us : util::NowMicros();
  return span;
}

bool Matches(const Span& span, const SpanQuery& q) {
  if (q.kind.has_value() && span.kind != *q.kind) return false;
  if (q.name.has_value() && span.name != *q.name) return false;
  if (q.parent.has_value() && span.parent != *q.parent) return false;
  if (q.tag.has_value() &&
      std::find(span.tags.begin(), span.tags.end(), *q.tag) == span.tags.end()) {
    return false;
  }
  if (q.from_us.has_value() && span.start_us < *q.from_us) return false;
  if (q.to_us.has_value() && span.start_us > *q.to_us) return false;
  return true;
}

}  // namespace

std::string SpanKey(uint64_t id) { return IdKey(kSpanPrefix, id); }

std::string EncodeSpanRecord(const Span& span) {
  return EncodeSpanRecord(span, span.input, span.output);
}

std::string EncodeSpanRecord(const Span& span, const Value& input, const Value& output) {
  std::string out;
  // Header, name and tags, plus the values (ApproximateSize bounds their
  // encodings), so the record is built in one allocation.
  size_t tag_bytes = 0;
  for (const std::string& tag : span.tags) tag_bytes += tag.size() + sizeof(uint64_t);
  out.reserve(32 + span.name.size() + tag_bytes + input.ApproximateSize() +
              output.ApproximateSize());
  out.push_back(static_cast<char>(kSpanFormat));
  out.push_back(static_cast<char>(span.kind));
  out.push_back(static_cast<char>(span.status));
  util::PutFixed64(&out, span.parent);
  util::PutFixed64(&out, static_cast<uint64_t>(span.start_us));
  util::PutFixed64(&out, static_cast<uint64_t>(span.end_us));
  util::PutLengthPrefixed(&out, span.name);
  util::PutVarint64(&out, span.tags.size());
  for (const std::string& tag : span.tags) util::PutLengthPrefixed(&out, tag);
  util::EncodeValue(input, &out);
  util::EncodeValue(output, &out);
  return out;
}

absl::StatusOr<Span> DecodeSpanRecord(uint64_t id, std::string_view record) {
  // The description is built only for an error: this runs once per span
  // read.
  auto damaged = [id](std::string_view detail) {
    return DamagedRecord(absl::StrCat("span record ", id), detail);
  };
  std::string_view in = record;
  uint8_t format = 0, kind = 0, status = 0;
  uint64_t start = 0, end = 0, tag_count = 0;
  Span span;
  span.id = id;
  std::string_view name;
  if (!util::GetByte(&in, &format) || !util::GetByte(&in, &kind) ||
      !util::GetByte(&in, &status) || !util::GetFixed64(&in, &span.parent) ||
      !util::GetFixed64(&in, &start) || !util::GetFixed64(&in, &end) ||
      !util::GetLengthPrefixed(&in, &name) || !util::GetVarint64(&in, &tag_count)) {
    return damaged("truncated header");
  }
  if (format != kSpanFormat) return damaged(absl::StrCat("unknown format ", format));
  span.kind = static_cast<SpanKind>(kind);
  span.status = static_cast<SpanStatus>(status);
  if (!SpanKindFromName(SpanKindName(span.kind)).has_value()) {
    return damaged(absl::StrCat("unknown kind ", kind));
  }
  if (!SpanStatusFromName(SpanStatusName(span.status)).has_value()) {
    return damaged(absl::StrCat("unknown status ", status));
  }
  if (tag_count > kMaxTagsPerEntity) return damaged("too many tags");
  span.start_us = static_cast<TimestampMicros>(start);
  span.end_us = static_cast<TimestampMicros>(end);
  span.name = std::string(name);
  for (uint64_t i = 0; i < tag_count; ++i) {
    std::string_view tag;
    if (!util::GetLengthPrefixed(&in, &tag)) return damaged("truncated tags");
    span.tags.emplace_back(tag);
  }
  absl::Status s = util::DecodeValue(&in, &span.input);
  if (s.ok()) s = util::DecodeValue(&in, &span.output);
  if (!s.ok()) return damaged(std::string(s.message()));
  if (!in.empty()) return damaged("trailing bytes");
  return span;
}

Value SpanToValue(const Span& span) {
  Value::Array tags;
  for (const std::string& tag : span.tags) tags.emplace_back(tag);
  Value::Object o;
  o.emplace("id", Value(static_cast<int64_t>(span.id)));
  o.emplace("kind", Value(SpanKindName(span.kind)));
  o.emplace("name", Value(span.name));
  o.emplace("parent", Value(static_cast<int64_t>(span.parent)));
  o.emplace("status", Value(SpanStatusName(span.status)));
  o.emplace("input", span.input);
  o.emplace("output", span.output);
  o.emplace("start_us", Value(span.start_us));
  o.emplace("end_us", Value(span.end_us));
  o.emplace("tags", Value(std::move(tags)));
  return Value(std::move(o));
}

absl::StatusOr<uint64_t> TraceRecord(OpContext& c, std::string_view run,
                                     const SpanSpec& spec) {
  STRATA_RETURN_IF_ERROR(ValidateRunId(run));
  STRATA_RETURN_IF_ERROR(CheckSpec(c, spec));
  STRATA_RETURN_IF_ERROR(CheckValue(spec.output, c.max_value_bytes));
  Span span = SpanFromSpec(spec);
  span.status = spec.status;
  span.end_us = spec.end_us != 0 ? spec.end_us : std::max(util::NowMicros(), span.start_us);
  STRATA_RETURN_IF_ERROR(CheckEnd(span.status, span.start_us, span.end_us));
  return AddSpan(c, run, std::move(span), spec.input, spec.output);
}

absl::StatusOr<uint64_t> TraceBegin(OpContext& c, std::string_view run,
                                    const SpanSpec& spec) {
  STRATA_RETURN_IF_ERROR(ValidateRunId(run));
  STRATA_RETURN_IF_ERROR(CheckSpec(c, spec));
  Span span = SpanFromSpec(spec);
  span.status = SpanStatus::kRunning;
  return AddSpan(c, run, std::move(span), spec.input, Value());
}

absl::Status TraceEnd(OpContext& c, std::string_view run, uint64_t span_id,
                      SpanStatus status, Value output, TimestampMicros end_us) {
  STRATA_RETURN_IF_ERROR(ValidateRunId(run));
  STRATA_RETURN_IF_ERROR(CheckValue(output, c.max_value_bytes));
  STRATA_RETURN_IF_ERROR(c.runs.CheckWritable(c.txn, run));
  STRATA_ASSIGN_OR_RETURN(Versioned<Span> current, ReadSpan(c, run, span_id));
  Span span = std::move(current.value);
  if (span.status != SpanStatus::kRunning) {
    return MakeError(ErrorCode::kFailedPrecondition,
                     absl::StrCat(SpanRef(run, span_id), " already ended with status ",
                                  Sv(SpanStatusName(span.status))));
  }
  span.end_us = end_us != 0 ? end_us : std::max(util::NowMicros(), span.start_us);
  STRATA_RETURN_IF_ERROR(CheckEnd(status, span.start_us, span.end_us));
  span.status = status;
  span.output = std::move(output);
  return WriteSpan(c, run, span);
}

absl::StatusOr<Versioned<Span>> TraceGet(OpContext& c, std::string_view run,
                                         uint64_t span_id) {
  STRATA_RETURN_IF_ERROR(ValidateRunId(run));
  return ReadSpan(c, run, span_id);
}

absl::StatusOr<SpanPage> TraceQuery(OpContext& c, std::string_view run,
                                    const SpanQuery& query) {
  STRATA_RETURN_IF_ERROR(ValidateRunId(run));
  STRATA_RETURN_IF_ERROR(CheckLimit(query.limit));
  if (query.name.has_value()) {
    STRATA_RETURN_IF_ERROR(CheckName("span name", *query.name, kMaxSpanNameBytes));
  }
  if (query.tag.has_value()) STRATA_RETURN_IF_ERROR(CheckName("tag", *query.tag, kMaxTagBytes));
  STRATA_RETURN_IF_ERROR(CheckRunInView(c, run));
  SpanPage page;
  if (query.after_id == UINT64_MAX) return page;

  // The most selective index the query names drives the walk; the other
  // conditions filter the spans it yields.
  std::string prefix;
  if (query.parent.has_value()) {
    prefix.push_back(kParentPrefix);
    AppendBigEndian64(&prefix, *query.parent);
  } else if (query.tag.has_value()) {
    prefix = TextIndexPrefix(kTagPrefix, *query.tag);
  } else if (query.name.has_value()) {
    prefix = TextIndexPrefix(kNamePrefix, *query.name);
  } else if (query.kind.has_value()) {
    prefix = std::string{kKindPrefix, static_cast<char>(*query.kind)};
  }

  if (prefix.empty()) {
    // No index: walk the span records in id order.
    const std::string start = StoreKey(run, SpanKey(query.after_id + 1));
    const std::string end = StoreKey(run, std::string(1, kSpanPrefix + 1));
    absl::Status damaged;
    c.txn.Scan(start, end, [&](std::string_view store_key, const Versioned<Value>& v) {
      if (page.spans.size() == query.limit) return false;
      const uint64_t id = ReadBigEndian64(store_key.data() + store_key.size() - 8);
      absl::StatusOr<Span> span =
          v.value.is_bytes() ? DecodeSpanRecord(id, v.value.AsBytes())
                             : DamagedRecord(SpanRef(run, id), "not a bytes value");
      if (!span.ok()) {
        damaged = span.status();
        return false;
      }
      if (Matches(*span, query)) {
        page.spans.push_back(Versioned<Span>{*std::move(span), v.version, v.timestamp_us});
      }
      return true;
    });
    STRATA_RETURN_IF_ERROR(damaged);
  } else {
    // Walk the index in batches (spans cannot be read while a scan runs).
    const std::string index_end = storage::PrefixSuccessor(StoreKey(run, prefix));
    uint64_t cursor = query.after_id;
    for (;;) {
      const size_t batch = std::max<size_t>(16, query.limit - page.spans.size());
      std::string start_key = prefix;
      AppendBigEndian64(&start_key, cursor + 1);
      std::vector<uint64_t> ids;
      c.txn.Scan(StoreKey(run, start_key), index_end,
                 [&](std::string_view store_key, const Versioned<Value>&) {
                   ids.push_back(ReadBigEndian64(store_key.data() + store_key.size() - 8));
                   return ids.size() < batch;
                 });
      for (uint64_t id : ids) {
        STRATA_ASSIGN_OR_RETURN(Versioned<Span> span, ReadSpan(c, run, id));
        if (Matches(span.value, query)) page.spans.push_back(std::move(span));
        if (page.spans.size() == query.limit) break;
      }
      if (page.spans.size() == query.limit || ids.size() < batch || ids.back() == UINT64_MAX) {
        break;
      }
      cursor = ids.back();
    }
  }
  if (page.spans.size() == query.limit) page.next_after_id = page.spans.back().value.id;
  return page;
}

absl::StatusOr<std::vector<SpanTreeNode>> TraceTree(OpContext& c, std::string_view run) {
  STRATA_RETURN_IF_ERROR(ValidateRunId(run));
  STRATA_RETURN_IF_ERROR(CheckRunInView(c, run));
  std::vector<Span> spans;
  absl::Status error;
  const std::string start = StoreKey(run, std::string(1, kSpanPrefix));
  const std::string end = StoreKey(run, std::string(1, kSpanPrefix + 1));
  c.txn.Scan(start, end, [&](std::string_view store_key, const Versioned<Value>& v) {
    if (spans.size() == kMaxTreeSpans) {
      error = MakeError(ErrorCode::kResourceExhausted,
                        absl::StrCat("run '", Sv(run), "' has more than ", kMaxTreeSpans,
                                     " spans; query them with TraceQuery instead"));
      return false;
    }
    const uint64_t id = ReadBigEndian64(store_key.data() + store_key.size() - 8);
    absl::StatusOr<Span> span = v.value.is_bytes()
                                    ? DecodeSpanRecord(id, v.value.AsBytes())
                                    : DamagedRecord(SpanRef(run, id), "not a bytes value");
    if (!span.ok()) {
      error = span.status();
      return false;
    }
    spans.push_back(*std::move(span));
    return true;
  });
  STRATA_RETURN_IF_ERROR(error);

  // Spans arrive in id order; children are listed in id order too.
  absl::flat_hash_map<uint64_t, size_t> index_of;
  index_of.reserve(spans.size());
  for (size_t i = 0; i < spans.size(); ++i) index_of.emplace(spans[i].id, i);
  absl::flat_hash_map<uint64_t, std::vector<size_t>> children;
  std::vector<size_t> roots;
  for (size_t i = 0; i < spans.size(); ++i) {
    const uint64_t parent = spans[i].parent;
    if (parent == 0 || parent == spans[i].id || !index_of.contains(parent)) {
      roots.push_back(i);
    } else {
      children[parent].push_back(i);
    }
  }
  std::vector<SpanTreeNode> out;
  out.reserve(spans.size());
  std::vector<std::pair<size_t, uint32_t>> stack;  // (span index, depth)
  for (auto root = roots.rbegin(); root != roots.rend(); ++root) stack.emplace_back(*root, 0);
  std::vector<bool> emitted(spans.size(), false);
  while (!stack.empty()) {
    auto [i, depth] = stack.back();
    stack.pop_back();
    if (emitted[i]) continue;  // Defends against a cycle in damaged data.
    emitted[i] = true;
    auto it = children.find(spans[i].id);
    if (it != children.end()) {
      for (auto child = it->second.rbegin(); child != it->second.rend(); ++child) {
        stack.emplace_back(*child, depth + 1);
      }
    }
    out.push_back(SpanTreeNode{std::move(spans[i]), depth});
  }
  return out;
}

absl::StatusOr<uint64_t> TraceCount(OpContext& c, std::string_view run) {
  STRATA_RETURN_IF_ERROR(ValidateRunId(run));
  STRATA_RETURN_IF_ERROR(CheckRunInView(c, run));
  return ReadHead(c, run);
}

}  // namespace strata::primitives
