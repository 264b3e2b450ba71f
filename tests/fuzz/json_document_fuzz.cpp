// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Fuzz target for the JSON document decoder and the binary operation list
// decoder (json/document.hpp, json/patch.hpp).
//
// Checks, for arbitrary bytes:
//  - DecodeDocument never crashes; failures are DataLoss; whatever decodes
//    re-encodes to exactly the input (the encoding is unique) and respects
//    kMaxValueDepth;
//  - on a document that decodes, Find/GetAt at every path of the value agree
//    with the decoded value, and a `test` of the whole document against
//    itself succeeds;
//  - Find on bytes that do not decode never crashes (it reports DataLoss or
//    a lookup error);
//  - DecodeOps never crashes; failures are DataLoss; a decoded list
//    re-encodes to bytes that decode to the same list.
// A violation prints what went wrong and calls abort().
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "json/document.hpp"
#include "json/patch.hpp"
#include "json/path.hpp"
#include "strata/value.hpp"

namespace {

using strata::Value;
using strata::json::Path;

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "json_document_fuzz: %s\n", what);
  std::abort();
}

constexpr int kMaxPathsChecked = 64;

// Checks Find and GetAt at `path` and below, for at most `*budget` paths.
void CheckPaths(std::string_view doc, const Value& value, Path* path, int* budget) {
  if (--*budget < 0) return;
  const absl::StatusOr<std::string_view> slice = strata::json::Find(doc, *path);
  if (!slice.ok()) Fail("Find misses an existing path");
  std::string encoded;
  strata::json::EncodeDocument(value, &encoded);
  if (*slice != encoded) Fail("Find slice differs from the value's encoding");
  if (value.is_object()) {
    for (const auto& [key, member] : value.AsObject()) {
      path->tokens.push_back(key);
      CheckPaths(doc, member, path, budget);
      path->tokens.pop_back();
    }
    const std::string absent("\xff\xff\xff", 3);
    if (value.AsObject().count(absent) == 0) {
      path->tokens.push_back(absent);
      const absl::StatusOr<std::string_view> missing = strata::json::Find(doc, *path);
      if (missing.ok() || missing.status().code() != absl::StatusCode::kNotFound) {
        Fail("Find of a missing member is not NotFound");
      }
      path->tokens.pop_back();
    }
  } else if (value.is_array()) {
    for (size_t i = 0; i < value.AsArray().size(); ++i) {
      path->tokens.push_back(std::to_string(i));
      CheckPaths(doc, value.AsArray()[i], path, budget);
      path->tokens.pop_back();
    }
    path->tokens.push_back(std::to_string(value.AsArray().size()));
    const absl::StatusOr<std::string_view> missing = strata::json::Find(doc, *path);
    if (missing.ok() || missing.status().code() != absl::StatusCode::kNotFound) {
      Fail("Find past the end of an array is not NotFound");
    }
    path->tokens.pop_back();
  }
}

void CheckDocument(std::string_view input) {
  Value value;
  const absl::Status status = strata::json::DecodeDocument(input, &value);
  if (!status.ok()) {
    if (status.code() != absl::StatusCode::kDataLoss) Fail("decode error is not DataLoss");
    // Lookups on bytes that are not a document must still be safe.
    (void)strata::json::Find(input, Path{{"a"}});
    (void)strata::json::Find(input, Path{{"0", "0"}});
    (void)strata::json::Find(input, Path{{"", "1", "b"}});
    return;
  }
  if (value.Depth() > strata::kMaxValueDepth) Fail("decoded value too deep");
  std::string encoded;
  strata::json::EncodeDocument(value, &encoded);
  if (encoded != input) Fail("re-encoding differs from the input");
  Path path;
  int budget = kMaxPathsChecked;
  CheckPaths(input, value, &path, &budget);
  const std::vector<strata::json::Op> ops = {
      {strata::json::OpType::kTest, Path{}, Path{}, value}};
  std::string out;
  if (!strata::json::ApplyOps(input, ops, strata::json::Limits{}, &out).ok()) {
    Fail("test of the document against itself failed");
  }
  if (out != input) Fail("a test changed the document");
}

void CheckOps(std::string_view input) {
  std::vector<strata::json::Op> ops;
  const absl::Status status = strata::json::DecodeOps(input, &ops);
  if (!status.ok()) {
    if (status.code() != absl::StatusCode::kDataLoss) Fail("DecodeOps error is not DataLoss");
    return;
  }
  std::string encoded;
  strata::json::EncodeOps(ops, &encoded);
  std::vector<strata::json::Op> back;
  if (!strata::json::DecodeOps(encoded, &back).ok()) Fail("re-encoded ops do not decode");
  if (!(back == ops)) Fail("ops round trip differs");
  std::string again;
  strata::json::EncodeOps(back, &again);
  if (again != encoded) Fail("ops encoding is not stable");
}

}  // namespace

extern "C" void StrataFuzzSeeds(std::vector<std::string>* out) {
  const char* const docs[] = {
      R"(null)",
      R"([1,2.5,"s",true,null,[],{}])",
      R"({"":0,"a/b":1,"foo":["bar","baz"],"m~n":{"x":{"y":[{"z":1}]}}})",
      R"({"k":{"$bytes":"AAEC"},"n":-12345678901234})",
  };
  for (const char* text : docs) {
    absl::StatusOr<Value> v = Value::FromJson(text);
    if (!v.ok()) continue;
    std::string encoded;
    strata::json::EncodeDocument(*v, &encoded);
    out->push_back(encoded);
  }
  std::string ops;
  strata::json::EncodeOps(
      std::vector<strata::json::Op>{
          {strata::json::OpType::kAdd, Path{{"a", "0"}}, Path{}, Value(1)},
          {strata::json::OpType::kMove, Path{{"b"}}, Path{{"a"}}, Value()},
          {strata::json::OpType::kMergePatch, Path{}, Path{},
           Value(Value::Object{{"k", Value()}})}},
      &ops);
  out->push_back(ops);
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  CheckDocument(input);
  CheckOps(input);
  return 0;
}
