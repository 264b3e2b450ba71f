// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// The document encoding: how a JSON document is held in the store, built so
// that a path can be found, read and replaced without decoding the document.
// Documented in docs/json.md ("Document encoding").
//
// It is the value encoding of docs/value-encoding.md (same tags, same scalar
// payloads, object members in strictly ascending key order) except that an
// array or object also carries the byte length of its body, so a reader skips
// a subtree in one step:
//   array   06 varint(count) varint(body_bytes) element...
//   object  07 varint(count) varint(body_bytes) (varint(key_len) key value)...
// Every document has exactly one encoding (shortest varints, sorted keys).
//
// Thread safety: pure functions.
#ifndef STRATA_JSON_DOCUMENT_HPP_
#define STRATA_JSON_DOCUMENT_HPP_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "json/path.hpp"
#include "strata/value.hpp"

namespace strata::json {

// Largest encoded document accepted.
inline constexpr size_t kMaxDocumentBytes = 16u << 20;

// Appends the encoding of `value` to `*out`.
void EncodeDocument(const Value& value, std::string* out);

// Decodes a whole document (the input must be exactly one encoded value).
// DataLoss naming the byte offset for malformed bytes: truncation, unknown
// tag, bad bool byte, over-long or non-shortest varint, body length that
// disagrees with the content, unsorted or duplicate keys, trailing bytes,
// nesting deeper than kMaxValueDepth. Never reads out of bounds. Whatever
// decodes re-encodes to exactly `doc`.
absl::Status DecodeDocument(std::string_view doc, Value* out);

// Finds the encoded value at `path` in a well-formed document (as written by
// EncodeDocument or the patch functions) and returns the slice of `doc` that
// holds it. Array tokens must be in-range indexes ("-" never names an
// existing element). Errors: NotFound naming the path prefix that is
// missing ("no member \"x\" at /a", "index 5 is out of range for the array
// of 3 elements at /arr"; "-" is NotFound too; the root prints as "the
// root"); InvalidArgument when a token meets a scalar
// ("/a/b: /a is an int, not an object or array") or a non-index token meets
// an array; DataLoss if the bytes read on the way are malformed (Find never
// reads out of bounds, even on a document that is not well formed). Find
// allocates nothing unless it fails.
absl::StatusOr<std::string_view> Find(std::string_view doc, const Path& path);

// Find, then decode the slice.
absl::StatusOr<Value> GetAt(std::string_view doc, const Path& path);

// ---------------------------------------------------------------------------
// Internal: the document scanner shared by Find and the patch functions
// (patch.cpp), so both read the layout and report missing paths the same way.
// Not for use outside src/json. Every function here checks bounds and gives
// DataLoss instead of reading past the end, even though callers promise a
// well-formed document.
namespace internal {

// The header of one array or object inside an encoded document.
struct Container {
  size_t offset = 0;        // Of the tag byte.
  size_t header_bytes = 0;  // Tag, count varint and body-length varint.
  uint64_t count = 0;
  uint64_t body_bytes = 0;
  bool is_object = false;

  size_t body_begin() const { return offset + header_bytes; }
  size_t body_end() const { return offset + header_bytes + body_bytes; }
};

// What the token path.tokens[depth] names inside a container.
struct Slot {
  bool found = false;
  size_t entry_begin = 0;  // Object member: its key-length varint; array: the element.
  size_t value_begin = 0;  // When found: the value.
  size_t value_end = 0;
  // When not found: where a new member (at its sorted place) or an element
  // at `index` would be inserted.
  size_t insert_at = 0;
  // Arrays: the index named; "-" names `count` (one past the last element).
  uint64_t index = 0;
};

// Walks the first `tokens` tokens of `path` from the root of `doc`; each must
// name an existing value (errors and messages as for Find). Stores the
// containers passed through in frames[0..tokens) (outermost first; `frames`
// may be null) and in *last the slot of the value reached (for tokens == 0,
// the whole document).
// REQUIRES: tokens <= path.tokens.size().
absl::Status Walk(std::string_view doc, const Path& path, size_t tokens,
                  Container* frames, Slot* last);

// Reads the value at [begin, end) as a container. InvalidArgument as for Find
// when it is a scalar (`path` and `depth`, the index of the token about to be
// applied, are for the message).
absl::Status OpenContainer(std::string_view doc, size_t begin, size_t end,
                           const Path& path, size_t depth, Container* out);

// Looks up path.tokens[depth] in `container`. A missing member or index is
// not an error (found = false); a token that is neither an index nor "-" at
// an array is InvalidArgument as for Find.
absl::Status Lookup(std::string_view doc, const Container& container,
                    const Path& path, size_t depth, Slot* out);

// Appends the header of an array or object: tag, count, body length.
void AppendContainerHeader(bool is_object, uint64_t count, uint64_t body_bytes,
                           std::string* out);

// Nesting depth of the encoded value `value` (0 for a scalar), or -1 if it is
// malformed.
int EncodedDepth(std::string_view value);

// "the root" for an empty prefix, otherwise the JSON Pointer of the first
// `tokens` tokens of `path`.
std::string DescribePrefix(const Path& path, size_t tokens);

}  // namespace internal

}  // namespace strata::json

#endif  // STRATA_JSON_DOCUMENT_HPP_
