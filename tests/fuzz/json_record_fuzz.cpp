// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Fuzz target for stored JSON document records (json/record.hpp) and the
// replay of a logged patch onto one.
//
// The input's first byte splits the rest into a record and an operation
// list. For every input:
//  - ParseRecord and RecordTouches never crash; ParseRecord fails only with
//    DataLoss, and a record it accepts has every region RecordTouches sees
//    (a region touches the root, and the root touches everything);
//  - ApplyToRecord on it never crashes; for a well-formed record it fails
//    cleanly or yields a record that parses, whose document decodes, and
//    that FinishRecord would write identically;
//  - RootRecord of a decoded document parses back to the same document.
// A violation prints what went wrong and calls abort().
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "json/document.hpp"
#include "json/patch.hpp"
#include "json/record.hpp"
#include "strata/status.hpp"

namespace {

using strata::Value;
namespace json = strata::json;

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "json_record_fuzz: %s\n", what);
  std::abort();
}

void CheckRecord(std::string_view record) {
  std::string_view doc;
  std::vector<json::Path> regions;
  const absl::Status s = json::ParseRecord(record, &doc, &regions);
  if (!s.ok()) {
    if (strata::GetErrorCode(s) != strata::ErrorCode::kDataLoss) Fail("non-DataLoss error");
    return;
  }
  const json::Path root;
  if (!regions.empty() && !json::RecordTouches(record, root)) Fail("a region misses the root");
  for (const json::Path& p : regions) {
    if (!json::RecordTouches(record, p)) Fail("a region does not touch itself");
  }
  Value v;
  if (json::DecodeDocument(doc, &v).ok()) {
    const std::string again = json::RootRecord(doc);
    std::string_view doc2;
    if (!json::ParseRecord(again, &doc2).ok() || doc2 != doc) Fail("RootRecord round trip");
  }
}

}  // namespace

// Seeds: a split byte, a valid record, then a valid operation list.
extern "C" void StrataFuzzSeeds(std::vector<std::string>* out) {
  const char* const docs[] = {R"({"a":{"b":[1,2]},"s":"x"})", R"([null,{"k":true}])", "7"};
  for (const char* text : docs) {
    absl::StatusOr<Value> v = Value::FromJson(text);
    if (!v.ok()) continue;
    std::string doc;
    json::EncodeDocument(*v, &doc);
    const std::string record = json::RootRecord(doc);
    std::string ops;
    json::EncodeOps(
        std::vector<json::Op>{
            {json::OpType::kSet, json::Path{{"a", "c"}}, json::Path{}, Value(1)},
            {json::OpType::kAdd, json::Path{{"a", "b", "-"}}, json::Path{}, Value("v")},
            {json::OpType::kRemove, json::Path{{"s"}}, json::Path{}, Value()}},
        &ops);
    std::string input(1, static_cast<char>(record.size() + 1));
    input += record;
    input += ops;
    out->push_back(input);
  }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (in.empty()) return 0;
  const size_t split = static_cast<uint8_t>(in[0]) % in.size();
  in.remove_prefix(1);
  const std::string_view record = in.substr(0, std::min(split, in.size()));
  const std::string_view ops = in.substr(record.size());
  CheckRecord(record);

  std::string out;
  const std::string_view* head = record.empty() ? nullptr : &record;
  // ApplyToRecord requires a well-formed head document (the store only
  // holds documents it encoded, and recovery checks logged ones); on any
  // other it must still not crash.
  std::string_view head_doc;
  Value head_value;
  const bool well_formed = head != nullptr && json::ParseRecord(record, &head_doc).ok() &&
                           json::DecodeDocument(head_doc, &head_value).ok();
  if (json::ApplyToRecord(head, ops, json::Limits(), &out).ok() && well_formed) {
    std::string_view doc;
    std::vector<json::Path> regions;
    if (!json::ParseRecord(out, &doc, &regions).ok()) Fail("applied record does not parse");
    Value v;
    if (!json::DecodeDocument(doc, &v).ok()) Fail("applied document does not decode");
    std::string rebuilt(doc);
    json::FinishRecord(regions, &rebuilt);
    if (rebuilt != out) Fail("record is not canonical");
  }
  return 0;
}
