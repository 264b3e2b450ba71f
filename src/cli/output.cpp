// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
#include "cli/output.hpp"

#include <algorithm>
#include <limits>
#include <cmath>
#include <cfloat>
#include <charconv>
#include <ctime>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli/strings.hpp"
#include "cli/tokenizer.hpp"
#include "strata/status.hpp"

namespace strata::cli {
namespace {

absl::Status Invalid(std::string_view message) {
  return MakeError(ErrorCode::kInvalidArgument, message);
}

// "array", "object", ... for messages.
std::string TypeOf(const Value& v) { return std::string(TypeName(v.type())); }

constexpr int64_t kMicrosPerSecond = 1000000;

Value TagsValue(const std::vector<std::string>& tags) {
  Value::Array array;
  for (const std::string& t : tags) array.emplace_back(t);
  return Value(std::move(array));
}

// "(version N)", or "(uncommitted)" for a transaction's own write (which
// has no commit version yet: 0).
std::string VersionNote(const Session& s, Version version) {
  if (version == 0 && s.txn) return "(uncommitted)";
  return absl::StrCat("(version ", version, ")");
}

}  // namespace

std::string FormatTime(TimestampMicros us) {
  if (us == 0) return "-";
  int64_t seconds = us / kMicrosPerSecond;
  int64_t micros = us % kMicrosPerSecond;
  if (micros < 0) {
    micros += kMicrosPerSecond;
    --seconds;
  }
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) return absl::StrCat(us, "us");
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  return absl::StrFormat("%s.%06dZ", buf, micros);
}

std::string_view DurabilityName(DurabilityMode mode) {
  switch (mode) {
    case DurabilityMode::kInMemory:
      return "in-memory";
    case DurabilityMode::kBuffered:
      return "buffered";
    case DurabilityMode::kStrict:
      return "strict";
  }
  return "unknown";
}

std::string Hex64(uint64_t n) { return absl::StrFormat("%016x", n); }

void EmitLine(Session& s, std::string_view line) {
  std::fwrite(line.data(), 1, line.size(), s.out);
  std::fputc('\n', s.out);
}

void EmitObject(Session& s, Value::Object object) {
  EmitLine(s, Value(std::move(object)).ToJson());
}

void EmitWrite(Session& s, std::optional<Version> version) {
  if (s.json) {
    Value::Object o{{"ok", true}};
    if (version.has_value()) o["version"] = *version;
    EmitObject(s, std::move(o));
    return;
  }
  EmitLine(s, version.has_value() ? absl::StrCat("OK (version ", *version, ")")
                                  : std::string("OK (in transaction)"));
}

void EmitVersionedValue(Session& s, const Versioned<Value>& v) {
  if (s.json) {
    EmitObject(s, {{"value", v.value}, {"version", v.version}, {"timestamp_us", v.timestamp_us}});
    return;
  }
  EmitLine(s, absl::StrCat(v.value.ToJson(), "  ", VersionNote(s, v.version)));
}

void EmitEntries(Session& s, const std::vector<KvEntry>& entries) {
  for (const KvEntry& e : entries) {
    if (s.json) {
      EmitObject(s, {{"key", e.key},
                     {"value", e.value.value},
                     {"version", e.value.version},
                     {"timestamp_us", e.value.timestamp_us}});
    } else {
      EmitLine(s, absl::StrCat(e.key, " = ", e.value.value.ToJson(), "  ",
                               VersionNote(s, e.value.version)));
    }
  }
}

void EmitHistory(Session& s, const std::vector<KvVersion>& versions) {
  for (const KvVersion& v : versions) {
    if (s.json) {
      EmitObject(s, {{"version", v.version},
                     {"timestamp_us", v.timestamp_us},
                     {"deleted", v.deleted},
                     {"value", v.value}});
    } else {
      EmitLine(s, absl::StrCat("version ", v.version, "  ", FormatTime(v.timestamp_us), "  ",
                               v.deleted ? std::string("(deleted)") : v.value.ToJson()));
    }
  }
}

void EmitNumber(Session& s, std::string_view name, uint64_t n) {
  if (s.json) {
    EmitObject(s, {{std::string(name), n}});
  } else {
    EmitLine(s, absl::StrCat(n));
  }
}

absl::Status ReportWrite(Session& s, const absl::StatusOr<Version>& result) {
  if (!result.ok()) return result.status();
  EmitWrite(s, *result);
  return absl::OkStatus();
}

absl::Status ReportWrite(Session& s, const absl::Status& result) {
  if (!result.ok()) return result;
  EmitWrite(s, std::nullopt);
  return absl::OkStatus();
}

absl::Status ReportValue(Session& s, const absl::StatusOr<Versioned<Value>>& result) {
  if (!result.ok()) return result.status();
  EmitVersionedValue(s, *result);
  return absl::OkStatus();
}

void EmitMoreNote(Session& s) {
  if (!s.json) EmitLine(s, "(more entries; raise --limit to see them)");
}

Value::Object RunObject(const RunInfo& run, Version version) {
  return {{"id", run.id},
          {"status", RunStatusName(run.status)},
          {"parent", run.parent},
          {"tags", TagsValue(run.tags)},
          {"metadata", run.metadata},
          {"created_us", run.created_us},
          {"ended_us", run.ended_us},
          {"base_version", run.base_version},
          {"version", version}};
}

Value::Object EventObject(const Versioned<Event>& e) {
  return {{"seq", e.value.seq},
          {"type", e.value.type},
          {"payload", e.value.payload},
          {"timestamp_us", e.value.timestamp_us},
          {"prev_hash", Hex64(e.value.prev_hash)},
          {"hash", Hex64(e.value.hash)},
          {"version", e.version}};
}

Value::Object SpanObject(const Span& sp) {
  return {{"id", sp.id},
          {"kind", SpanKindName(sp.kind)},
          {"name", sp.name},
          {"parent", sp.parent},
          {"status", SpanStatusName(sp.status)},
          {"input", sp.input},
          {"output", sp.output},
          {"start_us", sp.start_us},
          {"end_us", sp.end_us},
          {"tags", TagsValue(sp.tags)}};
}

std::string SpanSummary(const Span& span) {
  return absl::StrCat("#", span.id, " ", Sv(SpanKindName(span.kind)), " ", span.name, " [",
                      Sv(SpanStatusName(span.status)), "]");
}

std::string FormatFloats(const std::vector<float>& v) {
  std::string text = "[";
  // Enough for any float in shortest form ("-1.17549435e-38").
  char buf[32];
  for (size_t i = 0; i < v.size(); ++i) {
    if (i > 0) text += ',';
    const std::to_chars_result r = std::to_chars(buf, buf + sizeof(buf), v[i]);
    text.append(buf, r.ptr);
  }
  text += ']';
  return text;
}

Value FloatsValue(const std::vector<float>& v) {
  Value::Array array;
  array.reserve(v.size());
  char buf[32];
  for (float f : v) {
    // Through the float's shortest decimal form, so 0.1f shows as 0.1 and
    // not as the double nearest to it (0.10000000149011612).
    const std::to_chars_result r = std::to_chars(buf, buf + sizeof(buf), f);
    double d = 0;
    std::from_chars(buf, r.ptr, d);
    array.emplace_back(d);
  }
  return Value(std::move(array));
}

Value::Object CollectionObject(const CollectionInfo& info) {
  return {{"name", info.name},
          {"dimension", info.dimension},
          {"metric", VectorMetricName(info.metric)},
          {"count", info.count},
          {"m", info.index.m},
          {"ef_construction", info.index.ef_construction},
          {"ef_search", info.index.ef_search},
          {"exact_threshold", info.index.exact_threshold},
          {"version", info.version}};
}

std::string CollectionSummary(const Session& s, const CollectionInfo& info) {
  return absl::StrCat(info.name, "  dim ", info.dimension, "  ",
                      Sv(VectorMetricName(info.metric)), "  ", info.count,
                      info.count == 1 ? " vector  " : " vectors  ", VersionNote(s, info.version));
}

std::string VectorEntryLine(const Session& s, const Versioned<VectorEntry>& entry) {
  return absl::StrCat(FormatFloats(entry.value.vector), "  ", entry.value.metadata.ToJson(), "  ",
                      VersionNote(s, entry.version));
}

std::string VectorHitLine(const Session& s, size_t rank, const VectorHit& hit) {
  return absl::StrCat(rank, "  ", hit.key, "  ", absl::StrFormat("%.6g", hit.score), "  ",
                      VersionNote(s, hit.version), "  ", hit.metadata.ToJson());
}

Value::Object VectorHitObject(size_t rank, const VectorHit& hit) {
  return {{"rank", rank},
          {"key", hit.key},
          {"score", hit.score},
          {"version", hit.version},
          {"metadata", hit.metadata}};
}

void EmitRecord(Session& s, const Value::Object& object,
                const std::vector<std::pair<std::string, std::string>>& lines) {
  if (s.json) {
    EmitObject(s, object);
    return;
  }
  for (const auto& [name, text] : lines) EmitLine(s, absl::StrCat(name, ": ", text));
}

absl::StatusOr<Value> ValueOption(const Invocation& inv, std::string_view name,
                                  Value fallback) {
  const std::optional<std::string> text = inv.Get(name);
  if (!text.has_value()) return fallback;
  auto value = ParseValueArg(*text);
  if (!value.ok()) return WithContext(value.status(), absl::StrCat("--", Sv(name), ": "));
  return value;
}

absl::Status WithContext(const absl::Status& status, std::string_view context) {
  if (status.ok()) return status;
  return MakeError(GetErrorCode(status), absl::StrCat(Sv(context), status.message()));
}

absl::StatusOr<uint64_t> LimitOption(const Invocation& inv) {
  const std::optional<std::string> text = inv.Get("limit");
  if (!text.has_value()) return kDefaultShellListLimit;
  auto n = ParseUintArg(*text, "--limit");
  if (!n.ok()) return n.status();
  if (*n == 0 || *n > kMaxShellListLimit) {
    return MakeError(ErrorCode::kInvalidArgument,
                     absl::StrCat("--limit must be between 1 and ", kMaxShellListLimit,
                                  ", got ", *n));
  }
  return *n;
}

absl::StatusOr<std::vector<KvEntry>> CollectEntries(const KvPageFn& page, std::string prefix,
                                                    uint64_t limit, bool* more) {
  std::vector<KvEntry> entries;
  ListRequest request;
  request.prefix = std::move(prefix);
  *more = false;
  while (true) {
    // Ask for one entry past the limit to know whether more remain.
    const uint64_t wanted = limit + 1 - entries.size();
    request.limit = static_cast<uint32_t>(std::min<uint64_t>(wanted, kMaxListLimit));
    auto got = page(request);
    if (!got.ok()) return got.status();
    for (KvEntry& e : got->entries) entries.push_back(std::move(e));
    if (entries.size() > limit) {
      entries.resize(limit);
      *more = true;
      return entries;
    }
    if (got->next_cursor.empty()) return entries;
    request.cursor = std::move(got->next_cursor);
  }
}

// A vector argument (VECTOR, QUERY): a JSON array of numbers, each within
// the float range. NaN and infinities (the {"$double": ...} extension) are
// passed on for the library to refuse with its own message.
absl::StatusOr<std::vector<float>> ParseVectorArg(std::string_view word, std::string_view what) {
  auto parsed = Value::FromJson(word);
  if (!parsed.ok()) {
    return Invalid(absl::StrCat(Sv(what), " must be a JSON array of numbers: ",
                                parsed.status().message()));
  }
  if (!parsed->is_array()) {
    return Invalid(
        absl::StrCat(Sv(what), " must be a JSON array of numbers, got ", TypeOf(*parsed)));
  }
  const Value::Array& array = parsed->AsArray();
  std::vector<float> v;
  v.reserve(array.size());
  for (size_t i = 0; i < array.size(); ++i) {
    const Value& c = array[i];
    double d = 0;
    if (c.is_int()) {
      d = static_cast<double>(c.AsInt());
    } else if (c.is_double()) {
      d = c.AsDouble();
    } else {
      return Invalid(absl::StrCat(Sv(what), " component ", i, " is ", TypeOf(c),
                                  "; components must be numbers"));
    }
    // Converting a finite double beyond the float range is undefined.
    if (std::isfinite(d) && std::fabs(d) > FLT_MAX) {
      return Invalid(absl::StrCat(Sv(what), " component ", i, " (", c.ToJson(),
                                  ") is outside the float range"));
    }
    v.push_back(static_cast<float>(d));
  }
  return v;
}

// The value of an integer option that must fit 32 bits, if given.
absl::StatusOr<std::optional<uint32_t>> Uint32Option(const Invocation& inv,
                                                     std::string_view name) {
  const std::optional<std::string> text = inv.Get(name);
  if (!text.has_value()) return std::optional<uint32_t>();
  const std::string what = absl::StrCat("--", Sv(name));
  auto n = ParseUintArg(*text, what);
  if (!n.ok()) return n.status();
  if (*n > std::numeric_limits<uint32_t>::max()) {
    return Invalid(absl::StrCat(what, " must be at most ", std::numeric_limits<uint32_t>::max(),
                                ", got ", *n));
  }
  return std::optional<uint32_t>(static_cast<uint32_t>(*n));
}

}  // namespace strata::cli
