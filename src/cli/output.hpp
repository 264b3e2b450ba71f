// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// How the strata shell prints results: readable lines by default, one JSON
// object per line with --json. Internal to src/cli.
#ifndef STRATA_CLI_OUTPUT_HPP_
#define STRATA_CLI_OUTPUT_HPP_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "cli/commands.hpp"
#include "strata/database.hpp"

namespace strata::cli {

// Most entries one listing command prints (--limit); pages of
// kMaxListLimit are fetched until it is reached.
inline constexpr uint64_t kMaxShellListLimit = 1000000;
// Entries a listing prints when --limit is not given.
inline constexpr uint64_t kDefaultShellListLimit = 100;

// "2026-11-24T20:35:01.123456Z" (UTC); "-" for 0.
std::string FormatTime(TimestampMicros us);
// "in-memory", "buffered" or "strict".
std::string_view DurabilityName(DurabilityMode mode);
// 16 lower-case hex digits.
std::string Hex64(uint64_t n);

// One line of text (a newline is added).
void EmitLine(Session& s, std::string_view line);
// One JSON object on one line.
void EmitObject(Session& s, Value::Object object);
// The result of a write: "OK (version N)", or "OK (in transaction)" when
// `version` is empty; {"ok":true[,"version":N]} with --json.
void EmitWrite(Session& s, std::optional<Version> version);
// A value read at a version: `JSON  (version N)`;
// {"value":..,"version":N,"timestamp_us":T} with --json.
void EmitVersionedValue(Session& s, const Versioned<Value>& v);
// Listed entries: `KEY = JSON  (version N)` each;
// {"key":..,"value":..,"version":N,"timestamp_us":T} with --json.
void EmitEntries(Session& s, const std::vector<KvEntry>& entries);
// Retained versions, newest first: `version N  TIME  JSON` (or `(deleted)`);
// {"version":N,"timestamp_us":T,"deleted":B,"value":..} with --json.
void EmitHistory(Session& s, const std::vector<KvVersion>& versions);
// Tells a person that a listing stopped at its limit (nothing with --json).
void EmitMoreNote(Session& s);

// A number: `N`; {"<name>":N} with --json.
void EmitNumber(Session& s, std::string_view name, uint64_t n);

// Reports the result of a write made on the database (with its commit
// version) or inside the transaction (Status only): prints it when OK,
// returns the error otherwise.
absl::Status ReportWrite(Session& s, const absl::StatusOr<Version>& result);
absl::Status ReportWrite(Session& s, const absl::Status& result);
// Reports a value read (EmitVersionedValue) or returns the error.
absl::Status ReportValue(Session& s, const absl::StatusOr<Versioned<Value>>& result);

// JSON renderings of records.
Value::Object RunObject(const RunInfo& run, Version version);
Value::Object EventObject(const Versioned<Event>& event);
// Without a version (the caller adds one when it has it).
Value::Object SpanObject(const Span& span);
// `#ID KIND NAME [STATUS]`.
std::string SpanSummary(const Span& span);

// --- Vectors.
// The components of a vector as JSON numbers, each written with the fewest
// digits that read back as the same float: "[1,0.5,-2.25]".
std::string FormatFloats(const std::vector<float>& v);
// The same numbers as a Value array (doubles), for --json.
Value FloatsValue(const std::vector<float>& v);
// {"name","dimension","metric","count","m","ef_construction","ef_search",
// "exact_threshold","version"}.
Value::Object CollectionObject(const CollectionInfo& info);
// `NAME  dim D  METRIC  N vectors  (version V)`.
std::string CollectionSummary(const Session& s, const CollectionInfo& info);
// `VECTOR  METADATA  (version N)`, `(uncommitted)` for a transaction's own
// write.
std::string VectorEntryLine(const Session& s, const Versioned<VectorEntry>& entry);
// `RANK  KEY  SCORE  (version N)  METADATA`, the score with 6 significant
// digits.
std::string VectorHitLine(const Session& s, size_t rank, const VectorHit& hit);
// {"rank","key","score","version","metadata"}.
Value::Object VectorHitObject(size_t rank, const VectorHit& hit);

// Prints `key: value` lines for a person, or `object` as one JSON line.
void EmitRecord(Session& s, const Value::Object& object,
                const std::vector<std::pair<std::string, std::string>>& lines);

// The typed value (ParseValueArg) of option --`name`, or `fallback` when
// it is absent. Errors name the option.
absl::StatusOr<Value> ValueOption(const Invocation& inv, std::string_view name,
                                  Value fallback);
// A vector argument (VECTOR, QUERY): a JSON array of numbers, each within
// the float range. NaN and infinities are passed on for the library to
// refuse with its own message. Errors name `what`.
absl::StatusOr<std::vector<float>> ParseVectorArg(std::string_view word, std::string_view what);
// The value of an integer option that must fit 32 bits, if given.
absl::StatusOr<std::optional<uint32_t>> Uint32Option(const Invocation& inv,
                                                     std::string_view name);
// `status` with `context` put before its message, keeping its error code.
absl::Status WithContext(const absl::Status& status, std::string_view context);

// The value of --limit (default kDefaultShellListLimit), 1..kMaxShellListLimit.
absl::StatusOr<uint64_t> LimitOption(const Invocation& inv);

// Calls `page` with successive cursors until `limit` entries are collected or
// the listing ends. Sets *more when entries remain past the limit.
using KvPageFn = std::function<absl::StatusOr<KvPage>(const ListRequest&)>;
absl::StatusOr<std::vector<KvEntry>> CollectEntries(const KvPageFn& page,
                                                    std::string prefix, uint64_t limit,
                                                    bool* more);

}  // namespace strata::cli

#endif  // STRATA_CLI_OUTPUT_HPP_
