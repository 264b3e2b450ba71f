// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Tests for the patch functions: the public RFC 6902 test suite
// (json-patch-tests: tests.json and spec_tests.json), the RFC 7386 examples,
// regions per operation kind, the binary operation list, all-or-nothing
// behaviour, limits, Strata's `set`, error codes and messages, allocation
// count of a small set, and a seeded random cross-check of the splicing
// implementation against a reference implementation over decoded Values.
#include "json/patch.hpp"

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <new>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "json/document.hpp"
#include "json/json_patch_reference.hpp"
#include "json/path.hpp"
#include "strata/status.hpp"
#include "strata/value.hpp"
#include "test_util.hpp"
#include "util/coding.hpp"

// Counts heap allocations so a test can check that a small `set` costs one.
// The replacements pair malloc with free; GCC cannot see that across inlined
// standard-library code at -O2, so its mismatch warning is off for this file.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
namespace {
thread_local uint64_t g_allocations = 0;
}  // namespace

void* operator new(size_t size) {
  ++g_allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t size) {
  ++g_allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }

namespace strata::json {
namespace {

Value Json(std::string_view text) {
  absl::StatusOr<Value> v = Value::FromJson(text);
  EXPECT_TRUE(v.ok()) << text << ": " << v.status();
  return v.ok() ? *v : Value();
}

Path P(std::string_view text) {
  absl::StatusOr<Path> p = ParsePath(text);
  EXPECT_TRUE(p.ok()) << text << ": " << p.status();
  return p.ok() ? *p : Path{};
}

std::string Encode(const Value& v) {
  std::string out;
  EncodeDocument(v, &out);
  return out;
}

Value Decode(std::string_view doc) {
  Value v;
  const absl::Status s = DecodeDocument(doc, &v);
  EXPECT_TRUE(s.ok()) << s;
  return v;
}

std::vector<Op> Ops(std::string_view patch_json) {
  absl::StatusOr<std::vector<Op>> ops = ParsePatch(Json(patch_json));
  EXPECT_TRUE(ops.ok()) << patch_json << ": " << ops.status();
  return ops.ok() ? *ops : std::vector<Op>{};
}

// Applies `ops` to `doc` with both implementations, checks that they agree
// (result, regions, error code) and that the result is canonical, and
// returns the status and (on success) the result and regions.
absl::Status ApplyChecked(const Value& doc, const std::vector<Op>& ops, const Limits& limits,
                          Value* result, std::vector<Region>* regions) {
  const std::string encoded = Encode(doc);
  std::string out = "garbage";
  std::vector<Region> got_regions;
  const absl::Status status = ApplyOps(encoded, ops, limits, &out, &got_regions);
  Value expected;
  std::vector<Region> expected_regions;
  const absl::Status reference =
      reference::ReferenceApply(doc, ops, limits, &expected, &expected_regions);
  EXPECT_EQ(ErrorName(GetErrorCode(status)), ErrorName(GetErrorCode(reference)))
      << "implementation: " << status << "\nreference: " << reference;
  if (!status.ok()) {
    EXPECT_TRUE(got_regions.empty());
    return status;
  }
  Value got;
  const absl::Status decoded = DecodeDocument(out, &got);
  EXPECT_TRUE(decoded.ok()) << decoded;
  EXPECT_EQ(Encode(got), out) << "result is not canonical";
  if (reference.ok()) {
    EXPECT_EQ(got, expected) << got.ToJson() << " vs reference " << expected.ToJson();
    EXPECT_EQ(got_regions, expected_regions);
  }
  if (result != nullptr) *result = got;
  if (regions != nullptr) *regions = got_regions;
  return status;
}

absl::Status ApplyChecked(const Value& doc, std::string_view patch_json, Value* result,
                          std::vector<Region>* regions = nullptr) {
  return ApplyChecked(doc, Ops(patch_json), Limits{}, result, regions);
}

// ---------------------------------------------------------------------------
// The public RFC 6902 suite.

struct SuiteCounts {
  int ran = 0;
  int passed = 0;
  int skipped = 0;
};

void RunSuiteFile(const std::string& name, SuiteCounts* counts) {
  const std::string file = std::string(STRATA_TEST_DATA_DIR) + "/json-patch-tests/" + name;
  std::ifstream in(file, std::ios::binary);
  ASSERT_TRUE(in) << "cannot open " << file;
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_OK_AND_ASSIGN(const Value suite, Value::FromJson(text));
  ASSERT_TRUE(suite.is_array());
  for (size_t i = 0; i < suite.AsArray().size(); ++i) {
    const Value& c = suite.AsArray()[i];
    ASSERT_TRUE(c.is_object());
    const Value::Object& fields = c.AsObject();
    const auto comment_it = fields.find("comment");
    const std::string label =
        name + " case " + std::to_string(i) +
        (comment_it != fields.end() && comment_it->second.is_string()
             ? " (" + comment_it->second.AsString() + ")"
             : "");
    const auto disabled = fields.find("disabled");
    if (disabled != fields.end() && disabled->second == Value(true)) {
      ++counts->skipped;
      continue;
    }
    ++counts->ran;
    const bool expect_error = fields.count("error") > 0;
    const auto expected = fields.find("expected");
    const Value& doc = fields.at("doc");
    absl::StatusOr<std::vector<Op>> ops = ParsePatch(fields.at("patch"));
    absl::Status status = ops.status();
    Value result;
    if (ops.ok()) status = ApplyChecked(doc, *ops, Limits{}, &result, nullptr);
    if (expect_error) {
      EXPECT_FALSE(status.ok()) << label << ": expected an error ("
                                << fields.at("error").ToJson() << ")";
      if (!status.ok()) ++counts->passed;
      continue;
    }
    if (!status.ok()) {
      ADD_FAILURE() << label << ": " << status;
      continue;
    }
    if (expected != fields.end() && !JsonEquals(result, expected->second)) {
      ADD_FAILURE() << label << ": got " << result.ToJson() << ", expected "
                    << expected->second.ToJson();
      continue;
    }
    ++counts->passed;
  }
}

TEST(JsonPatchTest, PublicRfc6902Suite) {
  SuiteCounts counts;
  RunSuiteFile("tests.json", &counts);
  RunSuiteFile("spec_tests.json", &counts);
  std::printf("json-patch-tests: %d ran, %d passed, %d skipped (disabled)\n", counts.ran,
              counts.passed, counts.skipped);
  EXPECT_EQ(counts.passed, counts.ran);
  EXPECT_GT(counts.ran, 100);
}

// ---------------------------------------------------------------------------
// RFC 7386.

TEST(JsonPatchTest, MergePatchRfc7386AppendixA) {
  struct Case {
    const char* target;
    const char* patch;
    const char* result;
  };
  const Case cases[] = {
      {R"({"a":"b"})", R"({"a":"c"})", R"({"a":"c"})"},
      {R"({"a":"b"})", R"({"b":"c"})", R"({"a":"b","b":"c"})"},
      {R"({"a":"b"})", R"({"a":null})", R"({})"},
      {R"({"a":"b","b":"c"})", R"({"a":null})", R"({"b":"c"})"},
      {R"({"a":["b"]})", R"({"a":"c"})", R"({"a":"c"})"},
      {R"({"a":"c"})", R"({"a":["b"]})", R"({"a":["b"]})"},
      {R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})", R"({"a":{"b":"d"}})"},
      {R"({"a":[{"b":"c"}]})", R"({"a":[1]})", R"({"a":[1]})"},
      {R"(["a","b"])", R"(["c","d"])", R"(["c","d"])"},
      {R"({"a":"b"})", R"(["c"])", R"(["c"])"},
      {R"({"a":"foo"})", R"(null)", R"(null)"},
      {R"({"a":"foo"})", R"("bar")", R"("bar")"},
      {R"({"e":null})", R"({"a":1})", R"({"e":null,"a":1})"},
      {R"([1,2])", R"({"a":"b","c":null})", R"({"a":"b"})"},
      {R"({})", R"({"a":{"bb":{"ccc":null}}})", R"({"a":{"bb":{}}})"},
      // Section 3's example.
      {R"({"title":"Goodbye!","author":{"givenName":"John","familyName":"Doe"},
           "tags":["example","sample"],"content":"This will be unchanged"})",
       R"({"title":"Hello!","phoneNumber":"+01-123-456-7890","author":{"familyName":null},
           "tags":["example"]})",
       R"({"title":"Hello!","author":{"givenName":"John"},"tags":["example"],
           "content":"This will be unchanged","phoneNumber":"+01-123-456-7890"})"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.target) + " + " + c.patch);
    const Value target = Json(c.target);
    const Value patch = Json(c.patch);
    const Value expected = Json(c.result);
    EXPECT_EQ(MergePatch(target, patch), expected);
    // The same through ApplyOps at the root.
    Value result;
    ASSERT_OK(ApplyChecked(target, {Op{OpType::kMergePatch, Path{}, Path{}, patch}}, Limits{},
                           &result, nullptr));
    EXPECT_EQ(result, expected);
    // And nested one level down.
    const Value wrapped_target = Value(Value::Object{{"doc", target}, {"z", Value(1)}});
    ASSERT_OK(ApplyChecked(wrapped_target, {Op{OpType::kMergePatch, P("/doc"), Path{}, patch}},
                           Limits{}, &result, nullptr));
    EXPECT_EQ(result, Value(Value::Object{{"doc", expected}, {"z", Value(1)}}));
  }
}

TEST(JsonPatchTest, MergeAtMissingTargetCreatesIt) {
  Value result;
  std::vector<Region> regions;
  ASSERT_OK(ApplyChecked(Json(R"({"a":1})"),
                         {Op{OpType::kMergePatch, P("/x/y"), Path{}, Json(R"({"k":null,"v":2})")}},
                         Limits{}, &result, &regions));
  EXPECT_EQ(result, Json(R"({"a":1,"x":{"y":{"v":2}}})"));
  EXPECT_EQ(regions, (std::vector<Region>{{P("/x/y"), true}}));
}

// ---------------------------------------------------------------------------
// JsonEquals.

TEST(JsonPatchTest, JsonEquals) {
  EXPECT_TRUE(JsonEquals(Value(1), Value(1.0)));
  EXPECT_TRUE(JsonEquals(Value(1.0), Value(1)));
  EXPECT_TRUE(JsonEquals(Value(-0.0), Value(0)));
  EXPECT_TRUE(JsonEquals(Value(0.0), Value(-0.0)));
  EXPECT_FALSE(JsonEquals(Value(1), Value(1.5)));
  EXPECT_FALSE(JsonEquals(Value(int64_t{1} << 62), Value(4611686018427387905.0 + 1.0e3)));
  EXPECT_TRUE(JsonEquals(Value(int64_t{1} << 62), Value(4611686018427387904.0)));
  EXPECT_FALSE(
      JsonEquals(Value(std::numeric_limits<int64_t>::max()), Value(9223372036854775808.0)));
  EXPECT_TRUE(
      JsonEquals(Value(std::numeric_limits<int64_t>::min()), Value(-9223372036854775808.0)));
  EXPECT_FALSE(JsonEquals(Value(1), Value(std::numeric_limits<double>::infinity())));
  EXPECT_FALSE(JsonEquals(Value(10), Value("10")));
  EXPECT_FALSE(JsonEquals(Value("a"), Value::MakeBytes("a")));
  EXPECT_FALSE(JsonEquals(Value(), Value(false)));
  EXPECT_TRUE(JsonEquals(Json(R"({"a":[1,{"b":2.0}],"c":null})"),
                         Json(R"({"c":null,"a":[1.0,{"b":2}]})")));
  EXPECT_FALSE(JsonEquals(Json(R"([1,2])"), Json(R"([2,1])")));
  EXPECT_FALSE(JsonEquals(Json(R"({"a":1})"), Json(R"({"a":1,"b":1})")));
  EXPECT_FALSE(JsonEquals(Json(R"({"a":1})"), Json(R"({"b":1})")));
}

// ---------------------------------------------------------------------------
// Regions.

TEST(JsonPatchTest, RegionsPerOperationKind) {
  const Value doc = Json(R"({"a":{"b":1},"arr":[1,2,3]})");
  const auto regions = [&](std::string_view patch) {
    std::vector<Region> out;
    Value result;
    EXPECT_OK(ApplyChecked(doc, patch, &result, &out));
    return out;
  };
  using R = std::vector<Region>;
  const Path root;
  EXPECT_EQ(regions(R"([{"op":"add","path":"/a/c","value":1}])"), (R{{P("/a/c"), true}}));
  EXPECT_EQ(regions(R"([{"op":"add","path":"/a/b","value":2}])"), (R{{P("/a/b"), true}}));
  EXPECT_EQ(regions(R"([{"op":"add","path":"/arr/1","value":1}])"), (R{{P("/arr"), true}}));
  EXPECT_EQ(regions(R"([{"op":"add","path":"/arr/-","value":1}])"), (R{{P("/arr"), true}}));
  EXPECT_EQ(regions(R"([{"op":"add","path":"","value":1}])"), (R{{root, true}}));
  EXPECT_EQ(regions(R"([{"op":"remove","path":"/a/b"}])"), (R{{P("/a/b"), true}}));
  EXPECT_EQ(regions(R"([{"op":"remove","path":"/arr/0"}])"), (R{{P("/arr"), true}}));
  EXPECT_EQ(regions(R"([{"op":"replace","path":"/arr/0","value":9}])"),
            (R{{P("/arr/0"), true}}));
  EXPECT_EQ(regions(R"([{"op":"replace","path":"/a/b","value":9}])"), (R{{P("/a/b"), true}}));
  EXPECT_EQ(regions(R"([{"op":"replace","path":"","value":9}])"), (R{{root, true}}));
  EXPECT_EQ(regions(R"([{"op":"move","from":"/a/b","path":"/c"}])"),
            (R{{P("/a/b"), true}, {P("/c"), true}}));
  EXPECT_EQ(regions(R"([{"op":"move","from":"/arr/0","path":"/arr/2"}])"),
            (R{{P("/arr"), true}, {P("/arr"), true}}));
  EXPECT_EQ(regions(R"([{"op":"move","from":"/a/b","path":"/a/b"}])"),
            (R{{P("/a/b"), true}, {P("/a/b"), true}}));
  EXPECT_EQ(regions(R"([{"op":"copy","from":"/a","path":"/arr/-"}])"),
            (R{{P("/a"), false}, {P("/arr"), true}}));
  EXPECT_EQ(regions(R"([{"op":"test","path":"/a/b","value":1}])"), (R{{P("/a/b"), false}}));
  EXPECT_EQ(regions(R"([{"op":"set","path":"/a/b","value":5}])"), (R{{P("/a/b"), true}}));
  EXPECT_EQ(regions(R"([{"op":"set","path":"/a/c","value":5}])"), (R{{P("/a/c"), true}}));
  // Created intermediates: the region is the whole path (sets below one
  // missing member commute).
  EXPECT_EQ(regions(R"([{"op":"set","path":"/x/y/z","value":5}])"), (R{{P("/x/y/z"), true}}));
  EXPECT_EQ(regions(R"([{"op":"set","path":"/arr/0","value":5}])"), (R{{P("/arr/0"), true}}));
  EXPECT_EQ(regions(R"([{"op":"set","path":"/arr/3","value":5}])"), (R{{P("/arr"), true}}));
  EXPECT_EQ(regions(R"([{"op":"set","path":"/arr/-","value":5}])"), (R{{P("/arr"), true}}));
  EXPECT_EQ(regions(R"([{"op":"merge","path":"","value":{"a":{"b":null,"c":{"d":1}},"z":2}}])"),
            (R{{P("/a/b"), true}, {P("/a/c"), true}, {P("/z"), true}}));
  EXPECT_EQ(regions(R"([{"op":"merge","path":"/a","value":{"b":{"x":1}}}])"),
            (R{{P("/a/b"), true}}));
  EXPECT_EQ(regions(R"([{"op":"merge","path":"","value":[1]}])"), (R{{root, true}}));
  EXPECT_EQ(regions(R"([{"op":"merge","path":"/arr","value":{"k":1}}])"), (R{{P("/arr"), true}}));
  EXPECT_EQ(regions(R"([{"op":"merge","path":"","value":{}}])"), R{});
  // A list appends in order.
  EXPECT_EQ(regions(R"([{"op":"test","path":"/a","value":{"b":1}},
                        {"op":"remove","path":"/arr/2"},
                        {"op":"add","path":"/q","value":[]}])"),
            (R{{P("/a"), false}, {P("/arr"), true}, {P("/q"), true}}));
}

TEST(JsonPatchTest, RegionsAppendAndSurviveErrors) {
  const std::string doc = Encode(Json(R"({"a":1})"));
  std::vector<Region> regions = {{P("/keep"), false}};
  std::string out;
  ASSERT_OK(ApplyOps(doc, Ops(R"([{"op":"remove","path":"/a"}])"), Limits{}, &out, &regions));
  EXPECT_EQ(regions, (std::vector<Region>{{P("/keep"), false}, {P("/a"), true}}));
  // A failing list appends nothing.
  EXPECT_ERROR(ApplyOps(doc,
                        Ops(R"([{"op":"add","path":"/b","value":1},
                               {"op":"remove","path":"/nope"}])"),
                        Limits{}, &out, &regions),
               ErrorCode::kNotFound);
  EXPECT_EQ(regions.size(), 2u);
}

// ---------------------------------------------------------------------------
// Operation lists.

TEST(JsonPatchTest, ParsePatchErrors) {
  const auto expect = [](std::string_view patch, ErrorCode code, std::string_view fragment) {
    absl::StatusOr<std::vector<Op>> ops = ParsePatch(Json(patch));
    ASSERT_FALSE(ops.ok()) << patch;
    EXPECT_ERROR(ops.status(), code);
    EXPECT_NE(std::string(ops.status().message()).find(fragment), std::string::npos)
        << ops.status();
  };
  expect(R"({"op":"add"})", ErrorCode::kInvalidArgument, "must be an array of operations");
  expect(R"([1])", ErrorCode::kInvalidArgument, "patch operation 0: is int, not an object");
  expect(R"([{"path":"/a"}])", ErrorCode::kInvalidArgument, "patch operation 0: missing \"op\"");
  expect(R"([{"op":1,"path":"/a"}])", ErrorCode::kInvalidArgument, "\"op\" is int");
  expect(R"([{"op":"remove","path":"/a"},{"op":"spam","path":"/a"}])",
         ErrorCode::kInvalidArgument, "patch operation 1: unknown op \"spam\"");
  expect(R"([{"op":"remove"}])", ErrorCode::kInvalidArgument, "missing \"path\"");
  expect(R"([{"op":"remove","path":null}])", ErrorCode::kInvalidArgument,
         "\"path\" is null, not a string");
  expect(R"([{"op":"remove","path":"a"}])", ErrorCode::kInvalidArgument,
         "patch operation 0: \"path\": malformed JSON path at position 0");
  expect(R"([{"op":"move","path":"/a"}])", ErrorCode::kInvalidArgument, "missing \"from\"");
  expect(R"([{"op":"copy","path":"/a","from":"/~"}])", ErrorCode::kInvalidArgument,
         "\"from\": malformed JSON path at position 1");
  expect(R"([{"op":"add","path":"/a"}])", ErrorCode::kInvalidArgument,
         "missing \"value\" for add");
  expect(R"([{"op":"test","path":"/a"}])", ErrorCode::kInvalidArgument, "missing \"value\"");
  std::string long_path(kMaxPathBytes + 1, 'a');
  long_path[0] = '/';
  expect(R"([{"op":"remove","path":")" + long_path + "\"}]", ErrorCode::kResourceExhausted,
         "over the limit");
}

TEST(JsonPatchTest, ParsePatchAcceptsAllOpsAndDottedPaths) {
  const std::vector<Op> ops = Ops(R"([
      {"op":"add","path":"$.a","value":1,"ignored":true},
      {"op":"remove","path":"/a"},
      {"op":"replace","path":"/a","value":[]},
      {"op":"move","path":"/b","from":"$['a']"},
      {"op":"copy","path":"/c","from":"/b"},
      {"op":"test","path":"/c","value":null},
      {"op":"set","path":"$.x.y","value":{}},
      {"op":"merge","path":"","value":{"k":null}}])");
  ASSERT_EQ(ops.size(), 8u);
  EXPECT_EQ(ops[0], (Op{OpType::kAdd, P("/a"), Path{}, Value(1)}));
  EXPECT_EQ(ops[3], (Op{OpType::kMove, P("/b"), P("/a"), Value()}));
  EXPECT_EQ(ops[6].type, OpType::kSet);
  EXPECT_EQ(ops[6].path, P("/x/y"));
  EXPECT_EQ(ops[7].type, OpType::kMergePatch);
  for (uint8_t t = 1; t <= 8; ++t) {
    EXPECT_EQ(ops[t - 1].type, static_cast<OpType>(t));
  }
  EXPECT_EQ(OpTypeName(OpType::kAdd), "add");
  EXPECT_EQ(OpTypeName(OpType::kMergePatch), "merge");
}

TEST(JsonPatchTest, EncodeDecodeOpsRoundTrip) {
  const std::vector<Op> ops = {
      {OpType::kAdd, P("/a/0"), Path{}, Json(R"({"x":[1,2.5,"s"]})")},
      {OpType::kRemove, P("/a"), Path{}, Value()},
      {OpType::kReplace, Path{}, Path{}, Value::MakeBytes("\x01\x02")},
      {OpType::kMove, P("/b"), P("/a~1b"), Value()},
      {OpType::kCopy, P("/c/-"), P("/"), Value()},
      {OpType::kTest, P("/t"), Path{}, Value()},
      {OpType::kSet, P("/s/t/u"), Path{}, Value(-7)},
      {OpType::kMergePatch, Path{}, Path{}, Json(R"({"k":null})")},
  };
  std::string encoded;
  EncodeOps(ops, &encoded);
  std::vector<Op> decoded;
  ASSERT_OK(DecodeOps(encoded, &decoded));
  EXPECT_EQ(decoded, ops);

  // Golden bytes for a small list: count, type, path, from, value.
  std::string golden;
  EncodeOps(std::vector<Op>{{OpType::kMove, P("/b"), P("/a"), Value()},
                            {OpType::kTest, Path{}, Path{}, Value(true)}},
            &golden);
  EXPECT_EQ(golden, std::string("\x02"
                                "\x04\x01\x01" "b" "\x01\x01" "a"
                                "\x06\x00\x01\x01",
                                12));
  std::string empty;
  EncodeOps({}, &empty);
  EXPECT_EQ(empty, std::string("\x00", 1));
  ASSERT_OK(DecodeOps(empty, &decoded));
  EXPECT_TRUE(decoded.empty());
}

TEST(JsonPatchTest, DecodeOpsRejectsMalformed) {
  std::string valid;
  EncodeOps(std::vector<Op>{{OpType::kAdd, P("/a"), Path{}, Value("v")},
                            {OpType::kCopy, P("/b"), P("/a"), Value()}},
            &valid);
  for (size_t n = 0; n < valid.size(); ++n) {
    std::vector<Op> out;
    SCOPED_TRACE(n);
    EXPECT_ERROR(DecodeOps(std::string_view(valid.data(), n), &out), ErrorCode::kDataLoss);
  }
  const auto expect = [](const std::string& bytes, std::string_view fragment) {
    std::vector<Op> out = {Op{}};
    const absl::Status s = DecodeOps(bytes, &out);
    EXPECT_ERROR(s, ErrorCode::kDataLoss);
    EXPECT_NE(std::string(s.message()).find(fragment), std::string::npos) << s;
    EXPECT_EQ(out.size(), 1u);  // Untouched.
  };
  expect(valid + "x", "1 trailing bytes");
  expect(std::string("\x01\x09\x00", 3), "unknown operation type 9");
  expect(std::string("\x01\x00\x00", 3), "unknown operation type 0");
  expect(std::string("\x01\x02\x05\x00", 4), "bad operation path");
  expect(std::string("\x01\x04\x00\x01", 4), "bad operation \"from\" path");
  expect(std::string("\x01\x01\x00\x09", 4), "bad operation value");
  expect(std::string("\xff\xff\xff\xff\x0f", 5), "exceeds the 0 remaining bytes");
}

// ---------------------------------------------------------------------------
// Behaviour.

TEST(JsonPatchTest, AllOrNothing) {
  const Value doc = Json(R"({"a":1,"b":[1,2]})");
  const std::string encoded = Encode(doc);
  std::string out;
  EXPECT_ERROR(ApplyOps(encoded,
                        Ops(R"([{"op":"add","path":"/c","value":3},
                               {"op":"remove","path":"/b/0"},
                               {"op":"test","path":"/a","value":2}])"),
                        Limits{}, &out),
               ErrorCode::kFailedPrecondition);
  // The input is untouched; a later success gives exactly the applied ops.
  EXPECT_EQ(Decode(encoded), doc);
  Value result;
  ASSERT_OK(ApplyChecked(doc, R"([{"op":"add","path":"/c","value":3},
                                   {"op":"remove","path":"/b/0"},
                                   {"op":"test","path":"/a","value":1.0}])",
                         &result));
  EXPECT_EQ(result, Json(R"({"a":1,"b":[2],"c":3})"));
}

TEST(JsonPatchTest, OutputMayAliasInput) {
  std::string doc = Encode(Json(R"({"a":[1,2,3]})"));
  ASSERT_OK(ApplyOps(doc, Ops(R"([{"op":"remove","path":"/a/0"},
                                  {"op":"add","path":"/b","value":"x"}])"),
                     Limits{}, &doc));
  EXPECT_EQ(Decode(doc), Json(R"({"a":[2,3],"b":"x"})"));
  ASSERT_OK(ApplyOps(doc, Ops(R"([{"op":"test","path":"/b","value":"x"}])"), Limits{}, &doc));
  EXPECT_EQ(Decode(doc), Json(R"({"a":[2,3],"b":"x"})"));
  ASSERT_OK(ApplyOps(doc, {}, Limits{}, &doc));
  EXPECT_EQ(Decode(doc), Json(R"({"a":[2,3],"b":"x"})"));
}

TEST(JsonPatchTest, HeadersGrowAndShrinkAcrossVarintBoundaries) {
  // A body of 127 bytes has a one-byte length varint; adding to it makes the
  // varint two bytes, in every ancestor.
  Value doc = Json(R"({"x":{"y":{"z":""}}})");
  doc.MutableObject()["x"].MutableObject()["y"].MutableObject()["z"] = Value(std::string(100, 'q'));
  Value result;
  ASSERT_OK(ApplyChecked(
      doc, R"([{"op":"set","path":"/x/y/w","value":"0123456789012345678901234567890"}])",
      &result));
  ASSERT_OK(ApplyChecked(result, R"([{"op":"remove","path":"/x/y/w"}])", &result));
  EXPECT_EQ(result, doc);
  // Counts crossing 127 too.
  Value array = Value(Value::Array(127, Value()));
  ASSERT_OK(ApplyChecked(Value(Value::Object{{"a", array}}),
                         R"([{"op":"add","path":"/a/0","value":null}])", &result));
  EXPECT_EQ(result.AsObject().at("a").AsArray().size(), 128u);
  ASSERT_OK(ApplyChecked(result, R"([{"op":"remove","path":"/a/127"}])", &result));
  EXPECT_EQ(result.AsObject().at("a").AsArray().size(), 127u);
}

TEST(JsonPatchTest, SetCreatesIntermediateObjects) {
  Value result;
  ASSERT_OK(ApplyChecked(Json(R"({"a":{}})"), R"([{"op":"set","path":"/a/b/c/d","value":[1]}])",
                         &result));
  EXPECT_EQ(result, Json(R"({"a":{"b":{"c":{"d":[1]}}}})"));
  ASSERT_OK(ApplyChecked(Json(R"({})"), R"([{"op":"set","path":"$.x[0]['y']","value":1}])",
                         &result));
  EXPECT_EQ(result, Json(R"({"x":{"0":{"y":1}}})"));
  ASSERT_OK(ApplyChecked(Json(R"({"a":[{"b":1}]})"),
                         R"([{"op":"set","path":"/a/0/c/d","value":2},
                            {"op":"set","path":"/a/1","value":3},
                            {"op":"set","path":"/a/-","value":4},
                            {"op":"set","path":"/a/0/b","value":5},
                            {"op":"set","path":"","value":{"new":[{"a":{"b":1}}, {"a":{"b":2}}]}},
                            {"op":"set","path":"/new/1/a/c","value":0}])",
                         &result));
  EXPECT_EQ(result, Json(R"({"new":[{"a":{"b":1}},{"a":{"b":2,"c":0}}]})"));
}

TEST(JsonPatchTest, SetErrors) {
  const Value doc = Json(R"({"a":1,"arr":[1,2]})");
  Value result;
  const auto expect = [&](std::string_view patch, ErrorCode code, std::string_view message) {
    const absl::Status s = ApplyChecked(doc, patch, &result);
    EXPECT_ERROR(s, code);
    EXPECT_EQ(std::string(s.message()), message);
  };
  expect(R"([{"op":"set","path":"/a/b","value":1}])", ErrorCode::kInvalidArgument,
         "/a/b: /a is an int, not an object or array");
  expect(R"([{"op":"set","path":"/arr/x","value":1}])", ErrorCode::kInvalidArgument,
         "/arr/x: \"x\" is not an index into the array at /arr");
  expect(R"([{"op":"set","path":"/arr/3","value":1}])", ErrorCode::kInvalidArgument,
         "/arr/3: index 3 is past the end of the array of 2 elements at /arr");
  expect(R"([{"op":"set","path":"/arr/2/x","value":1}])", ErrorCode::kInvalidArgument,
         "/arr/2/x: index 2 is out of range for the array of 2 elements at /arr (set creates "
         "only object members)");
  expect(R"([{"op":"set","path":"/arr/-/x","value":1}])", ErrorCode::kInvalidArgument,
         "/arr/-/x: \"-\" names no element of the array of 2 elements at /arr (set creates "
         "only object members)");
}

TEST(JsonPatchTest, ErrorCodesAndMessages) {
  const Value doc = Json(R"({"a":{"b":1},"arr":[1,2],"s":"x"})");
  Value result;
  const auto expect = [&](std::string_view patch, ErrorCode code, std::string_view message) {
    SCOPED_TRACE(patch);
    const absl::Status s = ApplyChecked(doc, patch, &result);
    EXPECT_ERROR(s, code);
    EXPECT_EQ(std::string(s.message()), message);
  };
  expect(R"([{"op":"remove","path":"/x"}])", ErrorCode::kNotFound, "no member \"x\" at the root");
  expect(R"([{"op":"replace","path":"/a/x","value":1}])", ErrorCode::kNotFound,
         "no member \"x\" at /a");
  expect(R"([{"op":"add","path":"/q/r","value":1}])", ErrorCode::kNotFound,
         "no member \"q\" at the root");
  expect(R"([{"op":"copy","from":"/zz","path":"/c"}])", ErrorCode::kNotFound,
         "no member \"zz\" at the root");
  expect(R"([{"op":"move","from":"/arr/5","path":"/c"}])", ErrorCode::kNotFound,
         "index 5 is out of range for the array of 2 elements at /arr");
  expect(R"([{"op":"add","path":"/arr/3","value":1}])", ErrorCode::kInvalidArgument,
         "/arr/3: index 3 is past the end of the array of 2 elements at /arr");
  expect(R"([{"op":"add","path":"/arr/x","value":1}])", ErrorCode::kInvalidArgument,
         "/arr/x: \"x\" is not an index into the array at /arr");
  expect(R"([{"op":"add","path":"/s/x","value":1}])", ErrorCode::kInvalidArgument,
         "/s/x: /s is a string, not an object or array");
  expect(R"([{"op":"remove","path":""}])", ErrorCode::kInvalidArgument,
         "cannot remove the root of the document");
  expect(R"([{"op":"move","from":"/a","path":"/a/b/c"}])", ErrorCode::kInvalidArgument,
         "cannot move /a into its own descendant /a/b/c");
  expect(R"([{"op":"move","from":"","path":"/a"}])", ErrorCode::kInvalidArgument,
         "cannot move the root into its own descendant /a");
  expect(R"([{"op":"test","path":"/a","value":{"b":2}}])", ErrorCode::kFailedPrecondition,
         "test failed at /a: the value is {\"b\":1}, not {\"b\":2}");
  expect(R"([{"op":"test","path":"/arr/0","value":"1"}])", ErrorCode::kFailedPrecondition,
         "test failed at /arr/0: the value is 1, not \"1\"");
  // Move to a sibling name that starts like the source is fine.
  ASSERT_OK(ApplyChecked(doc, R"([{"op":"move","from":"/a","path":"/ab"}])", &result));
  EXPECT_EQ(result, Json(R"({"ab":{"b":1},"arr":[1,2],"s":"x"})"));
  // Move the root onto itself is a no-op.
  ASSERT_OK(ApplyChecked(doc, R"([{"op":"move","from":"","path":""}])", &result));
  EXPECT_EQ(result, doc);
}

TEST(JsonPatchTest, DepthLimit) {
  Limits limits;
  limits.max_depth = 3;
  Value result;
  const Value doc = Json(R"({"a":{"b":1}})");  // Depth 2.
  // Depth of the insertion point plus depth of the value.
  EXPECT_OK(ApplyChecked(doc, Ops(R"([{"op":"add","path":"/a/c","value":[]}])"), limits, &result,
                         nullptr));
  EXPECT_ERROR(ApplyChecked(doc, Ops(R"([{"op":"add","path":"/a/c","value":[[]]}])"), limits,
                            &result, nullptr),
               ErrorCode::kResourceExhausted);
  EXPECT_ERROR(ApplyChecked(doc, Ops(R"([{"op":"set","path":"/x/y/z","value":[]}])"), limits,
                            &result, nullptr),
               ErrorCode::kResourceExhausted);
  EXPECT_OK(ApplyChecked(doc, Ops(R"([{"op":"set","path":"/x/y/z","value":1}])"), limits,
                         &result, nullptr));
  EXPECT_ERROR(ApplyChecked(doc, Ops(R"([{"op":"replace","path":"","value":[[[[1]]]]}])"),
                            limits, &result, nullptr),
               ErrorCode::kResourceExhausted);
  EXPECT_ERROR(ApplyChecked(doc, Ops(R"([{"op":"copy","from":"/a","path":"/a/c/"}])"), limits,
                            &result, nullptr),
               ErrorCode::kNotFound);
  EXPECT_ERROR(ApplyChecked(Json(R"({"a":{"b":[]},"c":{}})"),
                            Ops(R"([{"op":"copy","from":"/a","path":"/c/d"}])"), limits, &result,
                            nullptr),
               ErrorCode::kResourceExhausted);
  EXPECT_ERROR(ApplyChecked(Json(R"({"a":{"b":{}},"c":{}})"),
                            Ops(R"([{"op":"move","from":"/a","path":"/c/d"}])"), limits, &result,
                            nullptr),
               ErrorCode::kResourceExhausted);
  EXPECT_ERROR(ApplyChecked(doc, Ops(R"([{"op":"merge","path":"/a","value":{"b":{"c":{}}}}])"),
                            limits, &result, nullptr),
               ErrorCode::kResourceExhausted);
  // A negative limit counts as 0: only a scalar root.
  limits.max_depth = -1;
  EXPECT_OK(ApplyChecked(doc, Ops(R"([{"op":"replace","path":"","value":1}])"), limits,
                         &result, nullptr));
  EXPECT_ERROR(ApplyChecked(doc, Ops(R"([{"op":"replace","path":"","value":[]}])"), limits,
                            &result, nullptr),
               ErrorCode::kResourceExhausted);
  // kMaxValueDepth caps a larger configured limit, so results always decode.
  limits.max_depth = 1000;
  Value deep = Value(1);
  for (int i = 0; i < kMaxValueDepth; ++i) deep = Value(Value::Array{deep});
  EXPECT_OK(ApplyChecked(Json("{}"), {Op{OpType::kAdd, Path{}, Path{}, deep}}, limits, &result,
                         nullptr));
  EXPECT_ERROR(ApplyChecked(Json("{}"), {Op{OpType::kAdd, P("/a"), Path{}, deep}}, limits,
                            &result, nullptr),
               ErrorCode::kResourceExhausted);
  // Paths longer than kMaxPathTokens.
  Path long_path;
  long_path.tokens.assign(kMaxPathTokens + 1, "a");
  EXPECT_ERROR(ApplyChecked(Json("{}"), {Op{OpType::kTest, long_path, Path{}, Value()}}, limits,
                            &result, nullptr),
               ErrorCode::kResourceExhausted);
}

TEST(JsonPatchTest, SizeLimit) {
  const Value doc = Json(R"({"a":"0123456789"})");
  const size_t size = Encode(doc).size();
  Limits limits;
  limits.max_document_bytes = size + 4;
  Value result;
  EXPECT_OK(ApplyChecked(doc, Ops(R"([{"op":"add","path":"/b","value":1}])"), limits, &result,
                         nullptr));  // +4 bytes: 01 'b' 02 02, and no header growth.
  EXPECT_EQ(Encode(result).size(), size + 4);
  // 1000 needs a two-byte varint: one byte over.
  const absl::Status s = ApplyChecked(doc, Ops(R"([{"op":"add","path":"/b","value":1000}])"),
                                      limits, &result, nullptr);
  EXPECT_ERROR(s, ErrorCode::kResourceExhausted);
  // Copies of the root that double the document hit the limit on the way.
  limits.max_document_bytes = 1000;
  std::vector<Op> doubling;
  for (int i = 0; i < 10; ++i) {
    doubling.push_back(Op{OpType::kCopy, P("/d" + std::to_string(i)), Path{}, Value()});
  }
  EXPECT_ERROR(ApplyChecked(Json(R"({"a0":"0123456789012345678901234567890123456789"})"), doubling,
                            limits, &result, nullptr),
               ErrorCode::kResourceExhausted);
  // A document already over the limit fails even for a test.
  limits.max_document_bytes = size - 1;
  EXPECT_ERROR(ApplyChecked(doc, Ops(R"([{"op":"test","path":"/a","value":"0123456789"}])"),
                            limits, &result, nullptr),
               ErrorCode::kResourceExhausted);
  // A shrinking list may pass through a bigger state only up to the limit.
  limits.max_document_bytes = size;
  EXPECT_OK(ApplyChecked(doc, Ops(R"([{"op":"replace","path":"/a","value":"x"}])"), limits,
                         &result, nullptr));
}

TEST(JsonPatchTest, SmallSetCostsOneAllocation) {
  // A ~1 KiB document; set a scalar at depth 3.
  Value doc = Value(Value::Object{});
  for (int i = 0; i < 8; ++i) {
    Value inner = Value(Value::Object{});
    for (int j = 0; j < 8; ++j) {
      inner.MutableObject()["k" + std::to_string(j)] =
          Value(Value::Object{{"leaf", Value(std::string(8, 'v'))}});
    }
    doc.MutableObject()["m" + std::to_string(i)] = inner;
  }
  const std::string encoded = Encode(doc);
  ASSERT_GT(encoded.size(), 1000u);
  const std::vector<Op> ops = {Op{OpType::kSet, P("/m3/k4/leaf"), Path{}, Value(42)}};
  std::string out;
  const uint64_t before = g_allocations;
  ASSERT_OK(ApplyOps(encoded, ops, Limits{}, &out));
  const uint64_t allocations = g_allocations - before;
  EXPECT_LE(allocations, 1u);
  Value expected = doc;
  expected.MutableObject()["m3"].MutableObject()["k4"].MutableObject()["leaf"] = Value(42);
  EXPECT_EQ(Decode(out), expected);
  // Find allocates nothing.
  const uint64_t find_before = g_allocations;
  ASSERT_OK(Find(out, ops[0].path));
  EXPECT_EQ(g_allocations, find_before);
}

// ---------------------------------------------------------------------------
// Random cross-check against the reference implementation.

class RandomOps {
 public:
  explicit RandomOps(uint64_t seed) : rng_(seed) {}

  Value RandomDoc(int depth = 0) {
    const uint64_t kind = rng_() % (depth >= 3 ? 5 : 8);
    switch (kind) {
      case 0:
        return Value();
      case 1:
        return Value(static_cast<int64_t>(rng_() % 5));
      case 2:
        return Value(static_cast<double>(rng_() % 3));
      case 3:
        return Value(std::string(rng_() % 3, 'x'));
      case 4:
        return Value(rng_() % 2 == 0);
      case 5:
      case 6: {
        Value::Object o;
        for (size_t i = 0, n = rng_() % 4; i < n; ++i) o[Key()] = RandomDoc(depth + 1);
        return Value(std::move(o));
      }
      default: {
        Value::Array a;
        for (size_t i = 0, n = rng_() % 4; i < n; ++i) a.push_back(RandomDoc(depth + 1));
        return Value(std::move(a));
      }
    }
  }

  // A path that mostly follows the document, sometimes not.
  Path RandomPath(const Value& doc) {
    Path path;
    const Value* cur = &doc;
    while (true) {
      const bool container = cur != nullptr && (cur->is_object() || cur->is_array());
      // Mostly stop at scalars and past the document; sometimes go on.
      if (rng_() % (container ? 4 : 8) == 0 || (!container && rng_() % 8 != 0)) break;
      if (container && cur->is_object() && !cur->AsObject().empty() && rng_() % 4 != 0) {
        auto it = cur->AsObject().begin();
        std::advance(it, rng_() % cur->AsObject().size());
        path.tokens.push_back(it->first);
        cur = &it->second;
      } else if (container && cur->is_array() && rng_() % 8 != 0) {
        const size_t n = cur->AsArray().size();
        const size_t index = rng_() % (n + 2);
        if (rng_() % 8 == 0) {
          path.tokens.push_back("-");
          cur = nullptr;
        } else {
          path.tokens.push_back(std::to_string(index));
          cur = index < n ? &cur->AsArray()[index] : nullptr;
        }
      } else {
        path.tokens.push_back(rng_() % 4 == 0 ? std::to_string(rng_() % 3) : Key());
        cur = nullptr;
      }
    }
    return path;
  }

  Op RandomOp(const Value& doc) {
    Op op;
    op.type = static_cast<OpType>(1 + rng_() % 8);
    op.path = RandomPath(doc);
    if (op.type == OpType::kMove || op.type == OpType::kCopy) op.from = RandomPath(doc);
    if (op.type == OpType::kTest && rng_() % 2 == 0) {
      absl::StatusOr<Value> current = GetAt(Encode(doc), op.path);
      op.value = current.ok() ? *current : RandomDoc(1);
    } else if (op.type == OpType::kAdd || op.type == OpType::kReplace ||
               op.type == OpType::kTest || op.type == OpType::kSet ||
               op.type == OpType::kMergePatch) {
      op.value = RandomDoc(1);
    }
    return op;
  }

  Limits RandomLimits() {
    Limits limits;
    if (rng_() % 4 == 0) limits.max_depth = static_cast<int>(rng_() % 6);
    if (rng_() % 4 == 0) limits.max_document_bytes = 10 + rng_() % 150;
    return limits;
  }

 private:
  std::string Key() {
    static const char* const kKeys[] = {"a", "b", "c", "", "0", "1", "ab", "~/"};
    return kKeys[rng_() % 8];
  }

  std::mt19937_64 rng_;
};

std::string Describe(const std::vector<Op>& ops) {
  std::string out;
  for (const Op& op : ops) {
    out += std::string(OpTypeName(op.type)) + " path=\"" + op.path.ToPointer() + "\"";
    if (op.type == OpType::kMove || op.type == OpType::kCopy) {
      out += " from=\"" + op.from.ToPointer() + "\"";
    }
    out += " value=" + op.value.ToJson() + "\n";
  }
  return out;
}

TEST(JsonPatchTest, RandomCrossCheckAgainstReference) {
  const uint64_t seed = testing::TestSeed();
  RandomOps gen(seed);
  int succeeded = 0;
  std::map<std::string, int> outcomes;
  for (int iter = 0; iter < 3000; ++iter) {
    SCOPED_TRACE("seed " + std::to_string(seed) + " iteration " + std::to_string(iter));
    Value doc = gen.RandomDoc();
    std::vector<Op> ops;
    Value shadow = doc;
    for (size_t i = 0, n = 1 + iter % 4; i < n; ++i) {
      ops.push_back(gen.RandomOp(shadow));
      // Advance the shadow so later ops tend to hit what earlier ops made.
      Value next;
      if (reference::ReferenceApply(shadow, std::span<const Op>(&ops.back(), 1), Limits{}, &next,
                                    nullptr)
              .ok()) {
        shadow = next;
      }
    }
    const Limits limits = gen.RandomLimits();
    Value result;
    const absl::Status status = ApplyChecked(doc, ops, limits, &result, nullptr);
    ++outcomes[std::string(ErrorName(GetErrorCode(status)))];
    if (status.ok()) ++succeeded;
    if (::testing::Test::HasFailure()) FAIL() << "doc " << doc.ToJson() << "\n" << Describe(ops);
  }
  std::string summary;
  for (const auto& [name, count] : outcomes) summary += " " + name + "=" + std::to_string(count);
  std::printf("random cross-check outcomes:%s\n", summary.c_str());
  EXPECT_GT(succeeded, 500);
}

}  // namespace
}  // namespace strata::json
