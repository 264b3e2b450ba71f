// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Mutations of an encoded document (see document.hpp): the RFC 6902 JSON
// Patch operations, RFC 7386 merge patch, and Strata's own `set` (which
// creates missing intermediate objects). A list of operations applies all or
// nothing. The binary form of an operation list is what the WAL logs for a
// path-level mutation (docs/json.md, "Operation encoding").
//
// Thread safety: pure functions.
#ifndef STRATA_JSON_PATCH_HPP_
#define STRATA_JSON_PATCH_HPP_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "json/document.hpp"
#include "json/path.hpp"
#include "strata/value.hpp"

namespace strata::json {

// Numeric values are stored in the WAL: never renumber.
enum class OpType : uint8_t {
  kAdd = 1,      // RFC 6902 add.
  kRemove = 2,   // RFC 6902 remove.
  kReplace = 3,  // RFC 6902 replace.
  kMove = 4,     // RFC 6902 move (uses `from`).
  kCopy = 5,     // RFC 6902 copy (uses `from`).
  kTest = 6,     // RFC 6902 test.
  // Strata set: replace the value at `path`, or add it if missing, creating
  // missing intermediate members as empty objects while the parent is an
  // object. At an array: an in-range index replaces, "-" or the index equal
  // to the length appends. The root path replaces the whole document.
  kSet = 7,
  // RFC 7386 merge patch of `value` into the value at `path` (the root for
  // the public API). A missing target is treated as null per the RFC.
  kMergePatch = 8,
};

// "add", "remove", ... , "set", "merge".
std::string_view OpTypeName(OpType type);

struct Op {
  OpType type = OpType::kSet;
  Path path;
  Path from;    // kMove and kCopy only.
  Value value;  // kAdd, kReplace, kTest, kSet, kMergePatch.

  friend bool operator==(const Op&, const Op&) = default;
};

// Parses an RFC 6902 patch document: an array of objects with "op", "path"
// and, per op, "value" or "from" (JSON Pointer strings; the dotted path form
// is accepted too). Unknown members are ignored, as the RFC requires. Besides
// the six RFC ops, "set" and "merge" (OpTypeName) are accepted.
// Errors: InvalidArgument naming the operation index and the problem (not an
// array, element not an object, missing or non-string "op"/"path"/"from",
// unknown op, missing "value", malformed path); ResourceExhausted for a path
// over kMaxPathBytes or kMaxPathTokens.
absl::StatusOr<std::vector<Op>> ParsePatch(const Value& patch);

struct Limits {
  // The document after each operation must be at most this many bytes.
  size_t max_document_bytes = kMaxDocumentBytes;
  // A value an operation inserts must not end up deeper than this (depth of
  // the insertion point plus depth of the value). Capped at kMaxValueDepth,
  // so that every result decodes; a negative value counts as 0.
  int max_depth = kMaxValueDepth;
};

// A region an operation touched, for conflict detection (SPEC section 3):
// `path` is where it read or wrote. Inserting or removing an array element
// touches the whole array (later indexes shift); replacing an element, or
// adding, replacing or removing an object member, touches just that path;
// a merge patch touches the path of each member it sets or removes.
// In detail, per operation:
//   add, remove   the member path, or the array's path for an element
//   replace       the path (the root for the root)
//   move          the remove's region, then the add's region
//   copy          `from` (write = false), then the add's region
//   test          the path (write = false)
//   set           the path when it replaced a value or added a member (also
//                 when it created intermediates: sets below one missing
//                 member commute); the array's path when it appended
//   merge         for an object patch merged into an existing object, the
//                 path of each leaf member it sets or removes (a null for a
//                 member that is absent counts too); otherwise the target
//                 path; for a missing target, the region of the `set` that
//                 creates it
struct Region {
  Path path;
  bool write = true;  // false for `test` and the `from` of `copy`.

  friend bool operator==(const Region&, const Region&) = default;
};

// Applies `ops` in order to the well-formed document `doc` and writes the
// resulting document to `*out` (replacing its contents). All or nothing: on
// error `*out` is unspecified and the caller keeps `doc`. If `regions` is
// non-null, the regions touched are appended to it, in order (nothing is
// appended on error). `out` may hold `doc` itself.
// Errors:
//  - NotFound: a path (or `from`) that must exist does not, naming it.
//  - InvalidArgument: a token meets a scalar, a non-index token (or an index
//    past the end) meets an array, `move` into its own descendant, remove of
//    the root, an intermediate that is not an object for `set` (including a
//    missing array element on the way: `set` creates only object members).
//  - FailedPrecondition: a `test` whose value differs, naming the path and
//    both values. Numbers compare by value (1 equals 1.0), objects ignore
//    member order, as RFC 6902 section 4.6 specifies.
//  - ResourceExhausted: the result exceeds `limits` (checked after every
//    operation, and for the input itself), or a path or `from` has more
//    than kMaxPathTokens tokens.
//  - DataLoss: `doc` is not well formed (found while reading it).
absl::Status ApplyOps(std::string_view doc, std::span<const Op> ops,
                      const Limits& limits, std::string* out,
                      std::vector<Region>* regions = nullptr);

// RFC 7386 on decoded values: the result of merging `patch` into `target`.
Value MergePatch(const Value& target, const Value& patch);

// RFC 6902 section 4.6 equality (numbers by value, so 1 == 1.0 and
// 0 == -0.0; a NaN equals a NaN, as in Value's ordering; strings and bytes
// never equal each other).
bool JsonEquals(const Value& a, const Value& b);

// Binary form of an operation list: varint count, then per op: type byte,
// path (EncodePath), `from` for move/copy, and the value (util::EncodeValue)
// for ops that carry one.
void EncodeOps(std::span<const Op> ops, std::string* out);
// DataLoss describing the problem for malformed bytes (unknown op type,
// truncation, trailing bytes, bad path or value). Never reads out of bounds.
absl::Status DecodeOps(std::string_view in, std::vector<Op>* out);

}  // namespace strata::json

#endif  // STRATA_JSON_PATCH_HPP_
