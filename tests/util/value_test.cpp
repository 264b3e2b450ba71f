// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
#include "strata/value.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "strata/status.hpp"
#include "test_util.hpp"

namespace strata {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Value Obj(std::initializer_list<std::pair<const std::string, Value>> members) {
  return Value(Value::Object(members));
}
Value Arr(std::initializer_list<Value> elements) { return Value(Value::Array(elements)); }

// Parses `text`, expecting success.
Value Parse(std::string_view text) {
  absl::StatusOr<Value> v = Value::FromJson(text);
  EXPECT_TRUE(v.ok()) << v.status() << " for " << text;
  return v.ok() ? *std::move(v) : Value();
}

// Expects FromJson(text) to fail with InvalidArgument mentioning `fragment`.
void ExpectParseError(std::string_view text, std::string_view fragment) {
  absl::StatusOr<Value> v = Value::FromJson(text);
  ASSERT_FALSE(v.ok()) << "parsed: " << text.substr(0, 200);
  EXPECT_ERROR(v, ErrorCode::kInvalidArgument);
  EXPECT_NE(std::string(v.status().message()).find(fragment), std::string::npos)
      << "for input " << text.substr(0, 200) << ": " << v.status();
}

void ExpectRoundTrip(const Value& v) {
  const std::string json = v.ToJson();
  absl::StatusOr<Value> back = Value::FromJson(json);
  ASSERT_TRUE(back.ok()) << back.status() << " for " << json;
  EXPECT_EQ(*back, v) << json << " read back as " << back->ToJson();
  EXPECT_EQ(back->ToJson(), json);
}

TEST(ValueTest, TypesAndAccessors) {
  EXPECT_TRUE(Value().is_null());
  EXPECT_TRUE(Value(nullptr).is_null());
  EXPECT_TRUE(Value(true).is_bool());
  EXPECT_TRUE(Value(3).is_int());
  EXPECT_TRUE(Value(uint8_t{3}).is_int());
  EXPECT_TRUE(Value(2.5).is_double());
  EXPECT_TRUE(Value("s").is_string());
  EXPECT_TRUE(Value::MakeBytes("b").is_bytes());
  EXPECT_TRUE(Value(Value::Array{}).is_array());
  EXPECT_TRUE(Value(Value::Object{}).is_object());
  EXPECT_EQ(TypeName(Value::Type::kNull), "null");
  EXPECT_EQ(TypeName(Value::Type::kBool), "bool");
  EXPECT_EQ(TypeName(Value::Type::kInt), "int");
  EXPECT_EQ(TypeName(Value::Type::kDouble), "double");
  EXPECT_EQ(TypeName(Value::Type::kString), "string");
  EXPECT_EQ(TypeName(Value::Type::kBytes), "bytes");
  EXPECT_EQ(TypeName(Value::Type::kArray), "array");
  EXPECT_EQ(TypeName(Value::Type::kObject), "object");
}

TEST(ValueTest, ToJsonScalars) {
  EXPECT_EQ(Value().ToJson(), "null");
  EXPECT_EQ(Value(true).ToJson(), "true");
  EXPECT_EQ(Value(false).ToJson(), "false");
  EXPECT_EQ(Value(0).ToJson(), "0");
  EXPECT_EQ(Value(-42).ToJson(), "-42");
  EXPECT_EQ(Value(std::numeric_limits<int64_t>::min()).ToJson(), "-9223372036854775808");
  EXPECT_EQ(Value(1.5).ToJson(), "1.5");
  EXPECT_EQ(Value(1.0).ToJson(), "1.0");
  EXPECT_EQ(Value(-0.0).ToJson(), "-0.0");
  EXPECT_EQ(Value(0.1).ToJson(), "0.1");
  EXPECT_EQ(Value(1e100).ToJson(), "1e+100");
  EXPECT_EQ(Value(5e-324).ToJson(), "5e-324");
  EXPECT_EQ(Value(kNaN).ToJson(), R"({"$double":"NaN"})");
  EXPECT_EQ(Value(kInf).ToJson(), R"({"$double":"Infinity"})");
  EXPECT_EQ(Value(-kInf).ToJson(), R"({"$double":"-Infinity"})");
  EXPECT_EQ(Value::MakeBytes("hi").ToJson(), R"({"$bytes":"aGk="})");
  EXPECT_EQ(Value::MakeBytes("").ToJson(), R"({"$bytes":""})");
}

TEST(ValueTest, ToJsonStringEscaping) {
  EXPECT_EQ(Value("a\"b\\c").ToJson(), R"("a\"b\\c")");
  EXPECT_EQ(Value("\n\r\t\b\f").ToJson(), R"("\n\r\t\b\f")");
  EXPECT_EQ(Value(std::string("\x01\x1f\0", 3)).ToJson(), R"("\u0001\u001f\u0000")");
  EXPECT_EQ(Value("/\x7f").ToJson(), "\"/\x7f\"");
  // Non-ASCII UTF-8 passes through unchanged.
  EXPECT_EQ(Value("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80").ToJson(),
            "\"h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80\"");
  // Invalid UTF-8 becomes U+FFFD so the output stays valid JSON.
  EXPECT_EQ(Value("a\xff" "b").ToJson(), "\"a\xef\xbf\xbd" "b\"");
  EXPECT_EQ(Value("\xc3").ToJson(), "\"\xef\xbf\xbd\"");
  EXPECT_EQ(Value("\xed\xa0\x80").ToJson(),  // An encoded surrogate.
            "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
  ASSERT_OK(Value::FromJson(Value("\xc0\xaf\xf5").ToJson()));
}

TEST(ValueTest, ToJsonContainers) {
  EXPECT_EQ(Arr({}).ToJson(), "[]");
  EXPECT_EQ(Obj({}).ToJson(), "{}");
  EXPECT_EQ(Arr({1, "two", Arr({Value()})}).ToJson(), R"([1,"two",[null]])");
  // Members print sorted by key.
  EXPECT_EQ(Obj({{"b", 2}, {"a", 1}}).ToJson(), R"({"a":1,"b":2})");
  // Objects that would read back as an extension are escaped.
  EXPECT_EQ(Obj({{"$bytes", "x"}}).ToJson(), R"({"$object":{"$bytes":"x"}})");
  EXPECT_EQ(Obj({{"$double", "NaN"}}).ToJson(), R"({"$object":{"$double":"NaN"}})");
  EXPECT_EQ(Obj({{"$object", Obj({})}}).ToJson(), R"({"$object":{"$object":{}}})");
  // Two members never read as an extension: no escape needed.
  EXPECT_EQ(Obj({{"$bytes", "x"}, {"a", 1}}).ToJson(), R"({"$bytes":"x","a":1})");
}

TEST(ValueTest, FromJsonScalars) {
  EXPECT_EQ(Parse("null"), Value());
  EXPECT_EQ(Parse(" true "), Value(true));
  EXPECT_EQ(Parse("false"), Value(false));
  EXPECT_EQ(Parse("0"), Value(0));
  EXPECT_EQ(Parse("-17"), Value(-17));
  EXPECT_EQ(Parse("9223372036854775807"), Value(std::numeric_limits<int64_t>::max()));
  EXPECT_EQ(Parse("-9223372036854775808"), Value(std::numeric_limits<int64_t>::min()));
  // Integers outside int64 become doubles.
  EXPECT_EQ(Parse("9223372036854775808"), Value(9223372036854775808.0));
  EXPECT_EQ(Parse("18446744073709551615"), Value(18446744073709551615.0));
  EXPECT_EQ(Parse("18446744073709551616"), Value(18446744073709551616.0));
  EXPECT_EQ(Parse("-9223372036854775809"), Value(-9223372036854775809.0));
  EXPECT_EQ(Parse("1.0"), Value(1.0));
  EXPECT_EQ(Parse("1e2"), Value(100.0));
  EXPECT_EQ(Parse("-0.0"), Value(-0.0));
  EXPECT_TRUE(Parse("-0.0").is_double());
  EXPECT_TRUE(std::signbit(Parse("-0.0").AsDouble()));
  EXPECT_EQ(Parse(R"("x")"), Value("x"));
  EXPECT_EQ(Parse(R"({"$bytes":"AAEC/w=="})"), Value::MakeBytes(std::string("\0\1\2\xff", 4)));
  EXPECT_TRUE(std::isnan(Parse(R"({"$double":"NaN"})").AsDouble()));
  EXPECT_EQ(Parse(R"({"$double":"Infinity"})"), Value(kInf));
  EXPECT_EQ(Parse(R"({ "$double" : "-Infinity" })"), Value(-kInf));
}

TEST(ValueTest, FromJsonUnicode) {
  EXPECT_EQ(Parse(R"("\u00e9")"), Value("\xc3\xa9"));
  EXPECT_EQ(Parse(R"("\ud83d\ude00")"), Value("\xf0\x9f\x98\x80"));
  EXPECT_EQ(Parse(R"("\u0000")"), Value(std::string("\0", 1)));
  EXPECT_EQ(Parse("\"\xe2\x82\xac\""), Value("\xe2\x82\xac"));
  EXPECT_EQ(Parse(R"({"k\u00e9":1})"), Obj({{"k\xc3\xa9", 1}}));
  // A UTF-8 byte order mark is skipped.
  EXPECT_EQ(Parse("\xef\xbb\xbf[1]"), Arr({1}));
}

TEST(ValueTest, FromJsonRejectsInvalidUtf8) {
  ExpectParseError("\"a\xff\"", "byte offset 2");
  ExpectParseError("[\"ok\",\"\xc3\"]", "byte offset 8");
  ExpectParseError("\"\xed\xa0\x80\"", "byte offset 2");  // Encoded surrogate.
  ExpectParseError("\"\xc0\xaf\"", "byte offset 1");      // Overlong form.
  ExpectParseError(R"("\ud800")", "surrogate");            // Lone surrogate escape.
  ExpectParseError("\xff", "byte offset 0");
}

TEST(ValueTest, FromJsonMalformedReportsOffset) {
  ExpectParseError("", "byte offset 0");
  ExpectParseError("   ", "byte offset 3");
  ExpectParseError("[1,]", "byte offset 3");
  ExpectParseError("[1 2]", "byte offset 3");
  ExpectParseError(R"({"a" 1})", "byte offset 5");
  ExpectParseError(R"({"a":1,})", "byte offset 7");
  ExpectParseError(R"({1:2})", "byte offset 1");
  ExpectParseError("[1] x", "byte offset 4");
  ExpectParseError("tru", "byte offset");
  ExpectParseError("[1,", "byte offset 3");
  ExpectParseError("\"abc", "byte offset 4");
  ExpectParseError("01", "byte offset");
  ExpectParseError("NaN", "byte offset 0");
  ExpectParseError("[1e999]", "number overflow");
  ExpectParseError("// c\n1", "byte offset 0");
  ExpectParseError("\"a\nb\"", "byte offset 2");  // Raw control character.
  // The message says what was wrong.
  ExpectParseError("[1,]", "unexpected ']'");
}

TEST(ValueTest, FromJsonExtensionErrors) {
  ExpectParseError(R"({"$bytes":"not base64!"})", "invalid base64");
  ExpectParseError(R"([0, {"$bytes":"aGk"}])", "byte offset 4");
  ExpectParseError(R"({"$bytes":"aGl="})", "invalid base64");  // Non-zero pad bits.
  ExpectParseError(R"({"$double":"nan"})", "unknown");
  ExpectParseError(R"({"$double":"1.5"})", "byte offset 0");
}

TEST(ValueTest, FromJsonExtensionLookalikes) {
  // Not a string payload, or more than one member: an ordinary object.
  EXPECT_EQ(Parse(R"({"$bytes":5})"), Obj({{"$bytes", 5}}));
  EXPECT_EQ(Parse(R"({"$double":1.5})"), Obj({{"$double", 1.5}}));
  EXPECT_EQ(Parse(R"({"$object":1})"), Obj({{"$object", 1}}));
  EXPECT_EQ(Parse(R"({"$bytes":"!","x":1})"), Obj({{"$bytes", "!"}, {"x", 1}}));
  // The escape: the body is taken literally, its members are read normally.
  EXPECT_EQ(Parse(R"({"$object":{"$bytes":"aGk="}})"), Obj({{"$bytes", "aGk="}}));
  EXPECT_EQ(Parse(R"({"$object":{"$object":{"$bytes":"aGk="}}})"),
            Obj({{"$object", Value::MakeBytes("hi")}}));
  EXPECT_EQ(Parse(R"({"$object":{"a":{"$bytes":"aGk="}}})"),
            Obj({{"a", Value::MakeBytes("hi")}}));
  // A would-be body next to another member is an ordinary member.
  EXPECT_EQ(Parse(R"({"$object":{"$bytes":"aGk="},"b":1})"),
            Obj({{"$object", Value::MakeBytes("hi")}, {"b", 1}}));
  EXPECT_EQ(Parse(R"({"b":1,"$object":{"$bytes":"aGk="}})"),
            Obj({{"$object", Value::MakeBytes("hi")}, {"b", 1}}));
  // Chains of wrappers alternate between literal and interpreted.
  EXPECT_EQ(Parse(R"({"$object":{"$object":{"$object":{"$bytes":"aGk="}}}})"),
            Obj({{"$object", Obj({{"$bytes", "aGk="}})}}));
  EXPECT_EQ(Parse(R"({"$object":{"$object":{"$object":{"$object":{"$bytes":"aGk="}}}}})"),
            Obj({{"$object", Obj({{"$object", Value::MakeBytes("hi")}})}}));
  EXPECT_EQ(Parse(R"([{"$object":{}},{"$object":{"a":1,"b":2}}])"),
            Arr({Obj({}), Obj({{"a", 1}, {"b", 2}})}));
  // Literal bodies are not validated as extensions...
  EXPECT_EQ(Parse(R"({"$object":{"$bytes":"!!"}})"), Obj({{"$bytes", "!!"}}));
  // ...but interpreted ones are, wherever they turn out to be.
  ExpectParseError(R"({"$object":{"$bytes":"!!"},"b":1})", "byte offset 11");
  ExpectParseError(R"({"$object":{"$object":{"$bytes":"!!"}}})", "byte offset 22");
  // A later duplicate replaces a would-be body.
  EXPECT_EQ(Parse(R"({"$object":{"$bytes":"!!"},"$object":{"a":1}})"),
            Obj({{"$object", Obj({{"a", 1}})}}));
}

TEST(ValueTest, LargeInputs) {
  std::string big = "[";
  for (int i = 0; i < 200000; ++i) big += "1,\"s\",{\"k\":[]},";
  big += "null]";
  const Value v = Parse(big);
  ASSERT_TRUE(v.is_array());
  EXPECT_EQ(v.AsArray().size(), 600001u);
  EXPECT_EQ(Parse(v.ToJson()), v);
}

TEST(ValueTest, DuplicateKeysLastWins) {
  EXPECT_EQ(Parse(R"({"a":1,"b":2,"a":3})"), Obj({{"a", 3}, {"b", 2}}));
  // Duplicates are never an extension, even with one distinct key.
  EXPECT_EQ(Parse(R"({"$bytes":"aGk=","$bytes":"aGk="})"), Obj({{"$bytes", "aGk="}}));
}

TEST(ValueTest, RoundTripExamples) {
  const std::vector<Value> values = {
      Value(),
      Value(true),
      Value(std::numeric_limits<int64_t>::min()),
      Value(std::numeric_limits<int64_t>::max()),
      Value(1.0),
      Value(-0.0),
      Value(0.1 + 0.2),
      Value(1e21),
      Value(123456789012345680000.0),
      Value(std::numeric_limits<double>::max()),
      Value(std::numeric_limits<double>::denorm_min()),
      Value(std::numeric_limits<double>::lowest()),
      Value(9007199254740993.0),
      Value(kNaN),
      Value(-kNaN),
      Value(kInf),
      Value(-kInf),
      Value(""),
      Value(std::string("\0\x01\x1f\"\\/\x7f", 7)),
      Value("\xf4\x8f\xbf\xbf \xef\xbf\xbf"),
      Value::MakeBytes(std::string("\0\xff\x80", 3)),
      Arr({Arr({}), Obj({})}),
      Obj({{"", 1}}),
      Obj({{"$bytes", "x"}}),
      Obj({{"$bytes", 1}}),
      Obj({{"$double", "Infinity"}}),
      Obj({{"$object", Obj({{"$object", Obj({{"$bytes", "y"}})}})}}),
      Obj({{"$object", Value::MakeBytes("z")}}),
      Obj({{"$bytes", Value::MakeBytes("z")}}),
      Arr({Obj({{"$object", Obj({})}}), Obj({{"$object", Obj({{"k", kNaN}})}})}),
  };
  for (const Value& v : values) {
    SCOPED_TRACE(v.ToJson());
    ExpectRoundTrip(v);
  }
}

Value Nest(int depth) {
  Value v = 1;
  for (int i = 0; i < depth; ++i) {
    v = (i % 2 == 0) ? Arr({std::move(v)}) : Obj({{"k", std::move(v)}});
  }
  return v;
}

TEST(ValueTest, Depth) {
  EXPECT_EQ(Value().Depth(), 0);
  EXPECT_EQ(Value("s").Depth(), 0);
  EXPECT_EQ(Arr({}).Depth(), 1);
  EXPECT_EQ(Obj({}).Depth(), 1);
  EXPECT_EQ(Arr({1, Arr({Arr({})}), Obj({{"a", 1}})}).Depth(), 3);
  EXPECT_EQ(Nest(kMaxValueDepth).Depth(), kMaxValueDepth);
}

TEST(ValueTest, NestingLimit) {
  // Exactly kMaxValueDepth levels is accepted, one more is not.
  const Value deepest = Nest(kMaxValueDepth);
  ExpectRoundTrip(deepest);
  const std::string too_deep = Nest(kMaxValueDepth + 1).ToJson();
  ExpectParseError(too_deep, "nesting deeper than 128");
  const std::string brackets =
      std::string(kMaxValueDepth + 1, '[') + std::string(kMaxValueDepth + 1, ']');
  // Found when the outermost array closes, at the last byte.
  ExpectParseError(brackets, "byte offset 257");
  // Far deeper input is refused as soon as the brackets get absurd, instead of
  // exhausting the stack.
  ExpectParseError(std::string(1000000, '['), "byte offset 257");
  std::string deep_objects;
  for (int i = 0; i < 100000; ++i) deep_objects += "{\"a\":";
  ExpectParseError(deep_objects, "nesting");
}

TEST(ValueTest, ExtensionsDoNotCountAsNesting) {
  // At the maximum depth, the JSON text nests deeper than the Value: bytes
  // and non-finite doubles are objects in JSON, and every single-member
  // object with a reserved key gets a wrapper. All of it must read back.
  Value bytes_leaf = Value::MakeBytes("x");
  Value nan_leaf = Value(kNaN);
  Value escaped = Value::MakeBytes("y");
  for (int i = 0; i < kMaxValueDepth; ++i) {
    bytes_leaf = Arr({std::move(bytes_leaf)});
    nan_leaf = Obj({{"k", std::move(nan_leaf)}});
    escaped = Obj({{i % 2 == 0 ? "$object" : "$bytes", std::move(escaped)}});
  }
  EXPECT_EQ(escaped.Depth(), kMaxValueDepth);
  ExpectRoundTrip(bytes_leaf);
  ExpectRoundTrip(nan_leaf);
  ExpectRoundTrip(escaped);
  EXPECT_GT(escaped.ToJson().find(std::string(2 * kMaxValueDepth, '{')), 0u);
  // One level more is refused, whatever the JSON looks like.
  ExpectParseError(Arr({bytes_leaf}).ToJson(), "value nesting deeper than 128");
  ExpectParseError(Arr({escaped}).ToJson(), "nesting deeper than");
  ExpectParseError(Obj({{"$object", escaped}}).ToJson(), "nesting deeper than");
}

TEST(ValueTest, Equality) {
  EXPECT_EQ(Value(1), Value(1));
  EXPECT_NE(Value(1), Value(1.0));  // Different types.
  EXPECT_NE(Value("a"), Value::MakeBytes("a"));
  EXPECT_EQ(Value(kNaN), Value(kNaN));
  EXPECT_EQ(Value(kNaN), Value(-kNaN));
  EXPECT_EQ(Value(kNaN), Value(std::bit_cast<double>(uint64_t{0x7ff0000000000001})));
  EXPECT_NE(Value(0.0), Value(-0.0));
  EXPECT_EQ(Obj({{"a", 1}, {"b", 2}}), Obj({{"b", 2}, {"a", 1}}));
  EXPECT_NE(Obj({{"a", 1}}), Obj({{"a", 2}}));
  EXPECT_NE(Arr({1, 2}), Arr({2, 1}));
}

TEST(ValueTest, OrderingAcrossTypesFollowsTag) {
  const std::vector<Value> ascending = {
      Value(), Value(true), Value(-5), Value(-100.0), Value(""), Value::MakeBytes(""),
      Arr({}), Obj({})};
  for (size_t i = 0; i < ascending.size(); ++i) {
    for (size_t j = 0; j < ascending.size(); ++j) {
      EXPECT_EQ(ascending[i] <=> ascending[j], i <=> j) << i << " vs " << j;
    }
  }
}

TEST(ValueTest, OrderingWithinTypes) {
  EXPECT_LT(Value(false), Value(true));
  EXPECT_LT(Value(std::numeric_limits<int64_t>::min()), Value(-1));
  EXPECT_LT(Value(-1), Value(0));
  // Doubles: IEEE total order, all NaNs last and equal.
  const std::vector<double> doubles = {-kInf, -1e300, -1.0, -5e-324, -0.0, 0.0,
                                       5e-324, 1.0, 1e300, kInf, kNaN};
  for (size_t i = 0; i + 1 < doubles.size(); ++i) {
    EXPECT_LT(Value(doubles[i]), Value(doubles[i + 1])) << doubles[i];
  }
  EXPECT_EQ(Value(-kNaN) <=> Value(kNaN), std::strong_ordering::equal);
  // Strings and bytes compare bytewise, high bytes above ASCII.
  EXPECT_LT(Value("a"), Value("ab"));
  EXPECT_LT(Value("ab"), Value("b"));
  EXPECT_LT(Value("z"), Value("\xc3\xa9"));
  EXPECT_LT(Value::MakeBytes(std::string("\x7f")), Value::MakeBytes(std::string("\x80")));
  EXPECT_LT(Value::MakeBytes(std::string("\0", 1)), Value::MakeBytes("\x01"));
  // Arrays and objects lexicographically.
  EXPECT_LT(Arr({}), Arr({Value()}));
  EXPECT_LT(Arr({1}), Arr({1, 0}));
  EXPECT_LT(Arr({1, 5}), Arr({2}));
  EXPECT_LT(Obj({{"a", 2}}), Obj({{"b", 1}}));
  EXPECT_LT(Obj({{"a", 1}}), Obj({{"a", 2}}));
  EXPECT_LT(Obj({{"a", 1}}), Obj({{"a", 1}, {"b", 0}}));
}

TEST(ValueTest, ApproximateSizeGrowsWithContent) {
  EXPECT_GE(Value().ApproximateSize(), sizeof(Value));
  EXPECT_GT(Value(std::string(1000, 'x')).ApproximateSize(), 1000u);
  EXPECT_GT(Value::MakeBytes(std::string(1000, 'x')).ApproximateSize(), 1000u);
  const Value array = Arr({Value(std::string(100, 'x')), Value(std::string(100, 'y'))});
  EXPECT_GT(array.ApproximateSize(), 200u);
  const Value object = Obj({{std::string(100, 'k'), Value(std::string(100, 'v'))}});
  EXPECT_GT(object.ApproximateSize(), 200u);
}

// ---------------------------------------------------------------------------
// Randomized round trip.

class RandomValues {
 public:
  explicit RandomValues(uint64_t seed) : rng_(seed) {}

  Value Next(int depth_budget) {
    const int kind = Uniform(0, depth_budget > 0 ? 9 : 6);
    switch (kind) {
      case 0:
        return Value();
      case 1:
        return Value(Uniform(0, 1) == 1);
      case 2:
        return Value(RandomInt());
      case 3:
        return Value(RandomDouble());
      case 4:
        return Value(RandomUtf8());
      case 5:
        return Value::MakeBytes(RandomBytes());
      case 6:
        return Value(RandomUtf8());
      case 7: {
        Value::Array array;
        const int n = Uniform(0, 5);
        for (int i = 0; i < n; ++i) array.push_back(Next(depth_budget - 1));
        return Value(std::move(array));
      }
      default: {
        Value::Object object;
        const int n = Uniform(0, 4);
        for (int i = 0; i < n; ++i) {
          object.insert_or_assign(RandomKey(), Next(depth_budget - 1));
        }
        return Value(std::move(object));
      }
    }
  }

 private:
  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

  int64_t RandomInt() {
    switch (Uniform(0, 3)) {
      case 0:
        return Uniform(-10, 10);
      case 1:
        return std::numeric_limits<int64_t>::min() + Uniform(0, 2);
      case 2:
        return std::numeric_limits<int64_t>::max() - Uniform(0, 2);
      default:
        return static_cast<int64_t>(rng_());
    }
  }

  double RandomDouble() {
    switch (Uniform(0, 4)) {
      case 0:
        return std::bit_cast<double>(static_cast<uint64_t>(rng_()));  // Any bits.
      case 1:
        return static_cast<double>(Uniform(-1000, 1000));  // Integral.
      case 2:
        return Uniform(-1000, 1000) / 8.0;
      case 3: {
        constexpr double kSpecial[] = {0.0, -0.0, kInf, -kInf, kNaN, 5e-324, 1e21,
                                       std::numeric_limits<double>::max()};
        return kSpecial[Uniform(0, 7)];
      }
      default:
        return std::ldexp(static_cast<double>(rng_()), Uniform(-1100, 1000));
    }
  }

  void AppendCodePoint(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xc0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xe0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else {
      out->push_back(static_cast<char>(0xf0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
  }

  std::string RandomUtf8() {
    std::string out;
    const int n = Uniform(0, 12);
    for (int i = 0; i < n; ++i) {
      uint32_t cp = 0;
      switch (Uniform(0, 4)) {
        case 0:
          cp = static_cast<uint32_t>(Uniform(0, 0x1f));  // Controls.
          break;
        case 1:
          cp = static_cast<uint32_t>(Uniform(0x20, 0x7f));
          break;
        case 2:
          cp = static_cast<uint32_t>(Uniform(0x80, 0x7ff));
          break;
        case 3:
          cp = static_cast<uint32_t>(Uniform(0x800, 0xffff));
          if (cp >= 0xd800 && cp <= 0xdfff) cp = '"';  // No surrogates.
          break;
        default:
          cp = static_cast<uint32_t>(Uniform(0x10000, 0x10ffff));
      }
      AppendCodePoint(cp, &out);
    }
    return out;
  }

  std::string RandomBytes() {
    std::string out(static_cast<size_t>(Uniform(0, 10)), '\0');
    for (char& c : out) c = static_cast<char>(Uniform(0, 255));
    return out;
  }

  std::string RandomKey() {
    switch (Uniform(0, 5)) {
      case 0:
        return "$bytes";
      case 1:
        return "$double";
      case 2:
        return "$object";
      default:
        return RandomUtf8();
    }
  }

  std::mt19937_64 rng_;
};

TEST(ValueTest, RandomizedJsonRoundTrip) {
  const uint64_t seed = testing::TestSeed();
  RandomValues random(seed);
  constexpr int kIterations = 5000;
  for (int i = 0; i < kIterations; ++i) {
    const Value v = random.Next(4);
    SCOPED_TRACE(::testing::Message() << "seed " << seed << " iteration " << i);
    ExpectRoundTrip(v);
    if (HasFatalFailure() || HasNonfatalFailure()) return;
  }
}

TEST(ValueTest, RandomizedOrderingIsConsistent) {
  const uint64_t seed = testing::TestSeed();
  RandomValues random(seed);
  std::vector<Value> values;
  for (int i = 0; i < 300; ++i) values.push_back(random.Next(2));
  for (const Value& a : values) {
    EXPECT_EQ(a <=> a, std::strong_ordering::equal);
    for (const Value& b : values) {
      const std::strong_ordering ab = a <=> b;
      const std::strong_ordering ba = b <=> a;
      EXPECT_EQ(ab == 0, a == b);
      EXPECT_EQ(ab < 0, ba > 0) << a.ToJson() << " vs " << b.ToJson();
    }
  }
  // After sorting, every earlier value is <= every later one (transitivity).
  std::sort(values.begin(), values.end());
  for (size_t i = 0; i < values.size(); ++i) {
    for (size_t j = i; j < values.size(); ++j) {
      ASSERT_LE(values[i], values[j]) << values[i].ToJson() << " vs " << values[j].ToJson();
    }
  }
}

}  // namespace
}  // namespace strata
