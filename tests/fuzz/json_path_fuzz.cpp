// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Fuzz target for JSON path parsing and the binary path encoding
// (json/path.hpp).
//
// Checks, for arbitrary input:
//  - ParsePath never crashes and fails only with InvalidArgument (whose
//    message names a position inside the text) or ResourceExhausted;
//  - a parsed path prints as a JSON Pointer that parses back to the same
//    Path, and its binary encoding decodes to the same Path;
//  - DecodePath on the raw bytes never crashes or reads out of bounds; on
//    failure it leaves the input alone, on success it consumed a prefix whose
//    re-encoding decodes to the same Path.
// A violation prints what went wrong and calls abort().
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "json/path.hpp"

namespace {

using strata::json::Path;

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "json_path_fuzz: %s\n", what);
  std::abort();
}

void CheckBinary(const Path& path) {
  std::string encoded;
  strata::json::EncodePath(path, &encoded);
  std::string_view in = encoded;
  Path back;
  if (!strata::json::DecodePath(&in, &back)) Fail("encoded path does not decode");
  if (!in.empty()) Fail("encoded path has trailing bytes");
  if (!(back == path)) Fail("binary round trip differs");
}

}  // namespace

extern "C" void StrataFuzzSeeds(std::vector<std::string>* out) {
  const char* const texts[] = {
      "",          "/",           "/a/b/0",        "/a~1b/m~0n",      "/arr/-",
      "/~01",      "$",           "$.a.b[0]",      "$['a b']",        "$[\"a.b\"]",
      "$.arr[-]",  "$['it\\'s']", "$[\"q\\\"\"]", "$['back\\\\s']", "$.a['b/c'][12].d",
      "/ /%/^/|",  "$..",         "/~2",           "$[01]",           "$['x",
  };
  for (const char* t : texts) out->emplace_back(t);
  std::string encoded;
  strata::json::EncodePath(Path{{"a", "", "~/"}}, &encoded);
  out->push_back(encoded);
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  const absl::StatusOr<Path> parsed = strata::json::ParsePath(input);
  if (parsed.ok()) {
    if (parsed->tokens.size() > strata::json::kMaxPathTokens) Fail("too many tokens");
    const std::string pointer = parsed->ToPointer();
    const absl::StatusOr<Path> again = strata::json::ParsePath(pointer);
    // A pointer can be longer than the text it came from ("$['/']" is
    // "/~1"), so only the byte limit may refuse it.
    if (!again.ok()) {
      if (again.status().code() != absl::StatusCode::kResourceExhausted ||
          pointer.size() <= strata::json::kMaxPathBytes) {
        Fail("ToPointer output does not parse");
      }
    } else if (!(*again == *parsed)) {
      Fail("ToPointer round trip differs");
    }
    if (!parsed->is_root() && !(parsed->Parent().tokens.size() + 1 == parsed->tokens.size())) {
      Fail("Parent is wrong");
    }
    if (!strata::json::IsPrefix(*parsed, *parsed) || !strata::json::Overlaps(*parsed, Path{})) {
      Fail("prefix relations are wrong");
    }
    CheckBinary(*parsed);
  } else {
    const absl::StatusCode code = parsed.status().code();
    if (code == absl::StatusCode::kInvalidArgument) {
      const std::string message(parsed.status().message());
      constexpr std::string_view kPrefix = "malformed JSON path at position ";
      if (message.rfind(kPrefix, 0) != 0) Fail("error message does not name a position");
      const size_t position = std::strtoull(message.c_str() + kPrefix.size(), nullptr, 10);
      if (position > input.size()) Fail("error position is past the end");
    } else if (code != absl::StatusCode::kResourceExhausted) {
      Fail("unexpected error code");
    }
  }

  std::string_view in = input;
  Path decoded;
  if (strata::json::DecodePath(&in, &decoded)) {
    if (in.size() >= input.size()) Fail("successful decode consumed nothing");
    if (decoded.tokens.size() > strata::json::kMaxPathTokens) Fail("decoded too many tokens");
    CheckBinary(decoded);
  } else if (in.size() != input.size()) {
    Fail("failed decode moved the input");
  }
  return 0;
}
