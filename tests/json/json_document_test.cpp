// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Tests for the document encoding: golden bytes, round trips (fixed and
// seeded random values), uniqueness of the encoding, Find/GetAt and their
// errors, and the decoder on malformed input (every truncation, flipped
// bytes, hand-made corruptions).
#include "json/document.hpp"

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "json/path.hpp"
#include "strata/status.hpp"
#include "strata/value.hpp"
#include "test_util.hpp"
#include "util/coding.hpp"

namespace strata::json {
namespace {

Value Obj(std::initializer_list<std::pair<const std::string, Value>> members) {
  return Value(Value::Object(members));
}
Value Arr(std::initializer_list<Value> elements) { return Value(Value::Array(elements)); }

std::string Encode(const Value& v) {
  std::string out;
  EncodeDocument(v, &out);
  return out;
}

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (const int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

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

void ExpectRoundTrip(const Value& v) {
  const std::string encoded = Encode(v);
  Value back;
  ASSERT_OK(DecodeDocument(encoded, &back));
  EXPECT_EQ(back, v) << v.ToJson();
  EXPECT_EQ(Encode(back), encoded);
}

// Expects DataLoss naming `fragment`, with the output untouched.
void ExpectCorrupt(const std::string& data, std::string_view fragment) {
  Value out = "sentinel";
  const absl::Status s = DecodeDocument(data, &out);
  EXPECT_ERROR(s, ErrorCode::kDataLoss);
  EXPECT_NE(std::string(s.message()).find(fragment), std::string::npos) << s;
  EXPECT_EQ(out, Value("sentinel"));
}

TEST(JsonDocumentTest, GoldenEncodings) {
  // Scalars are encoded exactly as in the value encoding.
  EXPECT_EQ(Encode(Value()), Bytes({0}));
  EXPECT_EQ(Encode(Value(true)), Bytes({1, 1}));
  EXPECT_EQ(Encode(Value(-1)), Bytes({2, 1}));
  EXPECT_EQ(Encode(Value(1.0)), Bytes({3, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f}));
  EXPECT_EQ(Encode(Value("hi")), Bytes({4, 2, 'h', 'i'}));
  EXPECT_EQ(Encode(Value::MakeBytes("\x01")), Bytes({5, 1, 1}));
  // Arrays and objects carry their body length after the count.
  EXPECT_EQ(Encode(Arr({})), Bytes({6, 0, 0}));
  EXPECT_EQ(Encode(Arr({Value(), Value(true)})), Bytes({6, 2, 3, 0, 1, 1}));
  EXPECT_EQ(Encode(Obj({{"b", Value(1)}, {"a", Value()}})),
            Bytes({7, 2, 7, 1, 'a', 0, 1, 'b', 2, 2}));
  EXPECT_EQ(Encode(Obj({{"a", Arr({Value()})}})), Bytes({7, 1, 6, 1, 'a', 6, 1, 1, 0}));
  // A body of 128 bytes needs a two-byte varint.
  const std::string s126(126, 'x');
  const std::string encoded = Encode(Arr({Value(s126)}));
  EXPECT_EQ(encoded.substr(0, 4), Bytes({6, 1, 0x80, 0x01}));
  EXPECT_EQ(encoded.size(), 4u + 128u);
}

TEST(JsonDocumentTest, RoundTrips) {
  Value deep = Value(0);
  for (int i = 0; i < kMaxValueDepth; ++i) deep = Value(Value::Array{deep});
  Value wide_object = Value(Value::Object{});
  for (int i = 0; i < 300; ++i) wide_object.MutableObject()["k" + std::to_string(i)] = Value(i);
  Value wide_array = Value(Value::Array{});
  for (int i = 0; i < 300; ++i) wide_array.MutableArray().push_back(Value(std::string(i, 'z')));
  const Value values[] = {
      Value(),
      Value(false),
      Value(true),
      Value(0),
      Value(std::numeric_limits<int64_t>::min()),
      Value(std::numeric_limits<int64_t>::max()),
      Value(-0.0),
      Value(std::numeric_limits<double>::infinity()),
      Value(std::numeric_limits<double>::quiet_NaN()),
      Value(""),
      Value(std::string(70000, 'a')),
      Value::MakeBytes(std::string("\0\xff\x80", 3)),
      Arr({}),
      Obj({}),
      Obj({{"", Value()}, {"\xff", Value(1)}, {"a", Arr({Obj({}), Arr({})})}}),
      Json(R"({"foo":["bar","baz"],"":0,"a/b":1,"m~n":8})"),
      deep,
      wide_object,
      wide_array,
  };
  for (const Value& v : values) ExpectRoundTrip(v);
}

TEST(JsonDocumentTest, RandomRoundTrips) {
  const uint64_t seed = testing::TestSeed();
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 2000; ++i) {
    const Value v = testing::RandomValue(rng);
    const std::string encoded = Encode(v);
    Value back;
    ASSERT_OK(DecodeDocument(encoded, &back));
    ASSERT_EQ(back, v) << "seed " << seed << " iteration " << i;
    ASSERT_EQ(Encode(back), encoded);
    // Every top-level member or element is found at its path, as the same
    // bytes its own encoding gives.
    if (v.is_object()) {
      for (const auto& [key, member] : v.AsObject()) {
        ASSERT_OK_AND_ASSIGN(const std::string_view slice, Find(encoded, Path{{key}}));
        ASSERT_EQ(slice, Encode(member));
      }
    } else if (v.is_array()) {
      for (size_t j = 0; j < v.AsArray().size(); ++j) {
        ASSERT_OK_AND_ASSIGN(const Value got, GetAt(encoded, Path{{std::to_string(j)}}));
        ASSERT_EQ(got, v.AsArray()[j]);
      }
    }
  }
}

TEST(JsonDocumentTest, EncodingIsUnique) {
  // Equal values encode identically however they were built.
  Value a = Value(Value::Object{});
  a.MutableObject()["z"] = Value(1);
  a.MutableObject()["a"] = Value(2);
  Value b = Value(Value::Object{});
  b.MutableObject()["a"] = Value(2);
  b.MutableObject()["z"] = Value(1);
  EXPECT_EQ(Encode(a), Encode(b));
  // Alternative encodings of the same content are rejected: a non-shortest
  // varint in a count, a body length, a key length, a string length or an int.
  ExpectCorrupt(Bytes({6, 0x80, 0x00, 0}), "array count");
  ExpectCorrupt(Bytes({6, 0, 0x80, 0x00}), "array body length");
  ExpectCorrupt(Bytes({7, 1, 0x83, 0x00, 0x81, 0x00, 'a', 0}), "object body length");
  ExpectCorrupt(Bytes({7, 1, 4, 0x81, 0x00, 'a', 0}), "object key length");
  ExpectCorrupt(Bytes({4, 0x81, 0x00, 'a'}), "string length");
  ExpectCorrupt(Bytes({2, 0x80, 0x00}), "int varint");
  // Unsorted and duplicate keys.
  ExpectCorrupt(Bytes({7, 2, 6, 1, 'b', 0, 1, 'a', 0}), "not in ascending order");
  ExpectCorrupt(Bytes({7, 2, 6, 1, 'a', 0, 1, 'a', 0}), "duplicate object key");
}

TEST(JsonDocumentTest, DecodeErrors) {
  ExpectCorrupt("", "byte offset 0: missing type tag");
  ExpectCorrupt(Bytes({9}), "unknown type tag 9");
  ExpectCorrupt(Bytes({1, 2}), "bool byte is 2");
  ExpectCorrupt(Bytes({1}), "truncated bool");
  ExpectCorrupt(Bytes({3, 0, 0}), "truncated double");
  ExpectCorrupt(Bytes({4, 5, 'a'}), "string length");
  ExpectCorrupt(Bytes({0, 0}), "byte offset 1: 1 trailing bytes");
  // Body length that disagrees with the content, both ways.
  ExpectCorrupt(Bytes({6, 1, 2, 0, 0}), "array body length 2 disagrees");
  ExpectCorrupt(Bytes({6, 2, 1, 0, 0}), "does not fit its body");
  ExpectCorrupt(Bytes({6, 1, 1, 1, 1}), "whose length disagrees");
  ExpectCorrupt(Bytes({6, 0, 5}), "exceeds the 0 remaining bytes");
  ExpectCorrupt(Bytes({7, 1, 3, 1, 'a', 0, 0}), "byte offset 6: 1 trailing bytes");
  // Over-long (11-byte) and overflowing varints.
  std::string overlong = Bytes({2});
  overlong.append(10, '\x80');
  overlong.push_back(0);
  ExpectCorrupt(overlong, "int varint");
  ExpectCorrupt(Bytes({2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02}),
                "int varint");
  // Nesting deeper than kMaxValueDepth, named at the offset of the container.
  std::string deep;
  for (int i = 0; i <= kMaxValueDepth; ++i) {
    deep = Bytes({6, 1}) + [&] {
      std::string len;
      util::PutVarint64(&len, deep.empty() ? 1 : deep.size());
      return len;
    }() + (deep.empty() ? Bytes({0}) : deep);
  }
  ExpectCorrupt(deep, "nesting deeper than 128 levels");
  // Offsets name the bad byte's value inside containers.
  ExpectCorrupt(Bytes({6, 2, 3, 0, 1, 7}), "byte offset 4: bool byte is 7");
}

TEST(JsonDocumentTest, DecoderSurvivesTruncationsAndFlips) {
  const uint64_t seed = testing::TestSeed();
  std::mt19937_64 rng(seed);
  for (int iter = 0; iter < 300; ++iter) {
    const std::string valid = Encode(testing::RandomValue(rng));
    // Every strict prefix is malformed.
    for (size_t n = 0; n < valid.size(); n += 1 + valid.size() / 64) {
      Value out;
      const absl::Status s = DecodeDocument(std::string_view(valid.data(), n), &out);
      ASSERT_FALSE(s.ok()) << "seed " << seed;
      EXPECT_ERROR(s, ErrorCode::kDataLoss);
    }
    // Flipped bytes never crash; whatever still decodes is canonical.
    for (int flip = 0; flip < 8; ++flip) {
      std::string bad = valid;
      bad[rng() % bad.size()] ^= static_cast<char>(1 + rng() % 255);
      Value out;
      const absl::Status s = DecodeDocument(bad, &out);
      if (s.ok()) {
        ASSERT_EQ(Encode(out), bad) << "seed " << seed;
      } else {
        EXPECT_ERROR(s, ErrorCode::kDataLoss);
      }
      // Find on a corrupt document must not crash either.
      (void)Find(bad, Path{{"f1"}});
      (void)Find(bad, Path{{"0", "f2"}});
    }
  }
}

TEST(JsonDocumentTest, FindAndGetAt) {
  const Value doc = Json(R"({"a":{"b":[10,{"c":"deep"},[]],"n":null},"z":1.5,"":[true]})");
  const std::string encoded = Encode(doc);
  ASSERT_OK_AND_ASSIGN(const std::string_view whole, Find(encoded, Path{}));
  EXPECT_EQ(whole, encoded);
  ASSERT_OK_AND_ASSIGN(const std::string_view c, Find(encoded, P("/a/b/1/c")));
  EXPECT_EQ(c, Encode(Value("deep")));
  // The slice points into the document.
  EXPECT_GE(c.data(), encoded.data());
  EXPECT_LE(c.data() + c.size(), encoded.data() + encoded.size());
  EXPECT_EQ(GetAt(encoded, P("/a/b/0")).value(), Value(10));
  EXPECT_EQ(GetAt(encoded, P("$.a.b[2]")).value(), Arr({}));
  EXPECT_EQ(GetAt(encoded, P("/a/n")).value(), Value());
  EXPECT_EQ(GetAt(encoded, P("/z")).value(), Value(1.5));
  EXPECT_EQ(GetAt(encoded, P("//0")).value(), Value(true));
  EXPECT_EQ(GetAt(encoded, P("/a")).value(), doc.AsObject().at("a"));
}

TEST(JsonDocumentTest, FindErrors) {
  const std::string encoded = Encode(Json(R"({"a":{"b":1},"arr":[1,2,3],"s":"x"})"));
  const auto expect = [&](std::string_view path, ErrorCode code, std::string_view message) {
    const absl::StatusOr<std::string_view> got = Find(encoded, P(path));
    ASSERT_FALSE(got.ok()) << path;
    EXPECT_ERROR(got.status(), code);
    EXPECT_EQ(std::string(got.status().message()), message);
  };
  expect("/x", ErrorCode::kNotFound, "no member \"x\" at the root");
  expect("/a/x/y", ErrorCode::kNotFound, "no member \"x\" at /a");
  expect("/arr/5", ErrorCode::kNotFound,
         "index 5 is out of range for the array of 3 elements at /arr");
  expect("/arr/3", ErrorCode::kNotFound,
         "index 3 is out of range for the array of 3 elements at /arr");
  expect("/arr/-", ErrorCode::kNotFound,
         "\"-\" (the end of the array) names no element of the array of 3 elements at /arr");
  expect("/a/b/c", ErrorCode::kInvalidArgument, "/a/b/c: /a/b is an int, not an object or array");
  expect("/s/0", ErrorCode::kInvalidArgument, "/s/0: /s is a string, not an object or array");
  expect("/arr/x", ErrorCode::kInvalidArgument,
         "/arr/x: \"x\" is not an index into the array at /arr");
  expect("/arr/01", ErrorCode::kInvalidArgument,
         "/arr/01: \"01\" is not an index into the array at /arr");
  expect("/arr/1e0", ErrorCode::kInvalidArgument,
         "/arr/1e0: \"1e0\" is not an index into the array at /arr");

  const std::string scalar = Encode(Value(7));
  const absl::StatusOr<std::string_view> got = Find(scalar, P("/a"));
  EXPECT_ERROR(got.status(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(std::string(got.status().message()), "/a: the root is an int, not an object or array");
  // An empty "document" is corrupt, not a crash.
  EXPECT_ERROR(Find("", P("/a")), ErrorCode::kDataLoss);
  EXPECT_OK(Find("", Path{}));
}

TEST(JsonDocumentTest, FindDoesNotDecodeSkippedSubtrees) {
  // A big sibling before the target is skipped by its body length: the
  // target is found even if the sibling's body holds garbage. (This is a
  // white-box check that Find jumps instead of parsing.)
  const std::string encoded = Encode(Json(R"({"a":[1,2,3],"b":"target"})"));
  std::string garbled = encoded;
  const size_t one = garbled.find(Bytes({2, 2}));
  ASSERT_NE(one, std::string::npos);
  garbled[one] = 9;  // An unknown tag inside /a.
  ASSERT_OK_AND_ASSIGN(const Value got, GetAt(garbled, P("/b")));
  EXPECT_EQ(got, Value("target"));
  Value out;
  EXPECT_ERROR(DecodeDocument(garbled, &out), ErrorCode::kDataLoss);
}

}  // namespace
}  // namespace strata::json
