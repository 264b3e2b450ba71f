// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Path: a location inside a JSON document, as a list of reference tokens.
//
// Two text forms parse into the same Path:
//   JSON Pointer (RFC 6901)  ""  "/a/b/0"  "/a~1b/m~0n"  "/arr/-"
//   dotted form              "$" "$.a.b[0]" "$['a b']" "$[\"a.b\"]" "$.arr[-]"
// In the dotted form a name after '.' is [A-Za-z0-9_$-]+ (anything else needs
// the bracket form); "[N]" with decimal digits and "[-]" are array tokens;
// quoted bracket names accept the escapes \\ \' \" . A token is stored
// unescaped; whether "0" means an array index or an object member is decided
// by the document when the path is applied.
//
// Regions: two paths overlap when one is a prefix of the other (same path,
// ancestor or descendant). The root overlaps every path. This is the JSON
// conflict rule of SPEC section 3.
//
// Thread safety: value type and pure functions.
#ifndef STRATA_JSON_PATH_HPP_
#define STRATA_JSON_PATH_HPP_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "strata/value.hpp"

namespace strata::json {

// Longest path text accepted, and most tokens (a path can't go deeper than a
// document can nest).
inline constexpr size_t kMaxPathBytes = 4096;
inline constexpr size_t kMaxPathTokens = kMaxValueDepth;

struct Path {
  std::vector<std::string> tokens;

  bool is_root() const { return tokens.empty(); }
  // RFC 6901 text ("" for the root), with '~' and '/' escaped.
  std::string ToPointer() const;
  // The path without its last token. REQUIRES: !is_root().
  Path Parent() const;

  friend bool operator==(const Path&, const Path&) = default;
};

// Parses either text form. Errors: InvalidArgument naming the byte position
// and the problem ("malformed JSON path at position 3: ..."), for example a
// pointer not starting with '/', a '~' not followed by 0 or 1, an unclosed
// bracket, an empty dotted name; ResourceExhausted beyond kMaxPathBytes or
// kMaxPathTokens.
absl::StatusOr<Path> ParsePath(std::string_view text);

// True if one path is a prefix of the other (token by token).
bool Overlaps(const Path& a, const Path& b);
// True if `prefix` is a prefix of `path` (equal counts).
bool IsPrefix(const Path& prefix, const Path& path);

// Binary form used in WAL records and stored document records: varint token
// count, then each token as varint length + bytes.
void EncodePath(const Path& path, std::string* out);
// Decodes one path from the front of `*in` and advances past it. False for
// malformed input (truncated, counts or lengths past the end, more than
// kMaxPathTokens tokens); never reads out of bounds.
bool DecodePath(std::string_view* in, Path* out);

// Parses an array index token: decimal digits without a leading zero (except
// "0" itself) that fit in size_t. False otherwise (including "-").
bool ParseArrayIndex(std::string_view token, size_t* index);

}  // namespace strata::json

#endif  // STRATA_JSON_PATH_HPP_
