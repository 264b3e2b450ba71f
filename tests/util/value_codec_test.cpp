// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
#include "util/value_codec.hpp"

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "strata/status.hpp"
#include "strata/value.hpp"
#include "test_util.hpp"
#include "util/coding.hpp"

namespace strata::util {
namespace {

Value Obj(std::initializer_list<std::pair<const std::string, Value>> members) {
  return Value(Value::Object(members));
}
Value Arr(std::initializer_list<Value> elements) { return Value(Value::Array(elements)); }

std::string Encode(const Value& v) {
  std::string out;
  EncodeValue(v, &out);
  return out;
}

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (const int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

absl::Status DecodeAll(std::string_view data, Value* out) {
  absl::Status s = DecodeValue(&data, out);
  if (s.ok() && !data.empty()) return absl::InternalError("trailing bytes");
  return s;
}

// Expects a DataLoss error mentioning `fragment`, with input and output
// untouched.
void ExpectCorrupt(const std::string& data, std::string_view fragment) {
  std::string_view in = data;
  Value out = "sentinel";
  const absl::Status s = DecodeValue(&in, &out);
  EXPECT_ERROR(s, ErrorCode::kDataLoss);
  EXPECT_NE(std::string(s.message()).find(fragment), std::string::npos) << s;
  EXPECT_EQ(in.size(), data.size());
  EXPECT_EQ(out, Value("sentinel"));
}

TEST(ValueCodecTest, GoldenEncodings) {
  // Format version 1: these bytes are on disk and must never change.
  EXPECT_EQ(Encode(Value()), Bytes({0}));
  EXPECT_EQ(Encode(Value(false)), Bytes({1, 0}));
  EXPECT_EQ(Encode(Value(true)), Bytes({1, 1}));
  EXPECT_EQ(Encode(Value(0)), Bytes({2, 0}));
  EXPECT_EQ(Encode(Value(-1)), Bytes({2, 1}));
  EXPECT_EQ(Encode(Value(1)), Bytes({2, 2}));
  EXPECT_EQ(Encode(Value(-65)), Bytes({2, 0x81, 0x01}));
  EXPECT_EQ(Encode(Value(std::numeric_limits<int64_t>::min())),
            Bytes({2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}));
  EXPECT_EQ(Encode(Value(1.0)), Bytes({3, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f}));
  EXPECT_EQ(Encode(Value("hi")), Bytes({4, 2, 'h', 'i'}));
  EXPECT_EQ(Encode(Value::MakeBytes(std::string("\0", 1))), Bytes({5, 1, 0}));
  EXPECT_EQ(Encode(Arr({})), Bytes({6, 0}));
  EXPECT_EQ(Encode(Arr({Value(), true})), Bytes({6, 2, 0, 1, 1}));
  EXPECT_EQ(Encode(Obj({{"b", 1}, {"a", Value()}})),
            Bytes({7, 2, 1, 'a', 0, 1, 'b', 2, 2}));
}

TEST(ValueCodecTest, DecodeAdvancesPastOneValue) {
  std::string data = Encode(Value("first"));
  const size_t first_size = data.size();
  EncodeValue(Value(7), &data);
  std::string_view in = data;
  Value v;
  ASSERT_OK(DecodeValue(&in, &v));
  EXPECT_EQ(v, Value("first"));
  EXPECT_EQ(in.size(), data.size() - first_size);
  ASSERT_OK(DecodeValue(&in, &v));
  EXPECT_EQ(v, Value(7));
  EXPECT_TRUE(in.empty());
}

TEST(ValueCodecTest, RoundTripPreservesDoubleBits) {
  const uint64_t patterns[] = {0x7ff8000000000001, 0xfff8000000000000, 0x8000000000000000,
                               0x0000000000000001, 0x7ff0000000000000};
  for (const uint64_t bits : patterns) {
    Value v;
    ASSERT_OK(DecodeAll(Encode(Value(std::bit_cast<double>(bits))), &v));
    ASSERT_TRUE(v.is_double());
    EXPECT_EQ(std::bit_cast<uint64_t>(v.AsDouble()), bits);
  }
}

TEST(ValueCodecTest, Corruptions) {
  ExpectCorrupt("", "missing type tag");
  ExpectCorrupt(Bytes({8}), "unknown type tag 8");
  ExpectCorrupt(Bytes({0xff}), "unknown type tag 255");
  ExpectCorrupt(Bytes({1}), "truncated bool");
  ExpectCorrupt(Bytes({1, 2}), "not 0 or 1");
  ExpectCorrupt(Bytes({2, 0x80}), "int varint");
  ExpectCorrupt(Bytes({2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02}),
                "int varint");
  ExpectCorrupt(Bytes({2, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0}),
                "int varint");
  ExpectCorrupt(Bytes({3, 0, 0, 0}), "truncated double");
  ExpectCorrupt(Bytes({4, 5, 'a'}), "string length");
  ExpectCorrupt(Bytes({5, 0xff, 0xff, 0xff, 0xff, 0x0f}), "bytes length");
  ExpectCorrupt(Bytes({6, 3, 0, 0}), "array count 3");
  ExpectCorrupt(Bytes({6, 1, 8}), "byte offset 2: unknown type tag");
  ExpectCorrupt(Bytes({7, 2, 1, 'a', 0}), "object count 2");
  ExpectCorrupt(Bytes({7, 2, 1, 'b', 0, 1, 'a', 0}), "ascending");
  ExpectCorrupt(Bytes({7, 2, 1, 'a', 0, 1, 'a', 0}), "duplicate");
  ExpectCorrupt(Bytes({7, 1, 5, 'a', 0}), "key length");
}

TEST(ValueCodecTest, HugeCountsDoNotAllocate) {
  // A count near 2^64 must be rejected before anything is reserved.
  ExpectCorrupt(Bytes({6, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}),
                "array count");
  ExpectCorrupt(Bytes({7, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}),
                "object count");
  ExpectCorrupt(Bytes({4, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}),
                "string length");
}

TEST(ValueCodecTest, NestingLimit) {
  auto nested = [](int depth) {
    std::string data;
    for (int i = 0; i < depth; ++i) data += Bytes({6, 1});
    data += Bytes({0});
    return data;
  };
  Value v;
  ASSERT_OK(DecodeAll(nested(kMaxValueDepth), &v));
  EXPECT_EQ(v.Depth(), kMaxValueDepth);
  ExpectCorrupt(nested(kMaxValueDepth + 1), "nesting deeper than 128");
  // Far deeper input fails cleanly instead of exhausting the stack.
  ExpectCorrupt(nested(1000000), "nesting");
  std::string objects;
  for (int i = 0; i < 1000; ++i) objects += Bytes({7, 1, 0});
  ExpectCorrupt(objects, "nesting");
}

// ---------------------------------------------------------------------------
// Randomized properties.

class RandomValues {
 public:
  explicit RandomValues(uint64_t seed) : rng_(seed) {}

  Value Next(int depth_budget) {
    switch (Uniform(0, depth_budget > 0 ? 8 : 5)) {
      case 0:
        return Value();
      case 1:
        return Value(Uniform(0, 1) == 1);
      case 2:
        return Value(static_cast<int64_t>(rng_() >> Uniform(0, 63)) *
                     (Uniform(0, 1) == 0 ? 1 : -1));
      case 3:
        return Value(std::bit_cast<double>(static_cast<uint64_t>(rng_())));
      case 4:
        return Value(RandomBytes(20));
      case 5:
        return Value::MakeBytes(RandomBytes(20));
      case 6:
      case 7: {
        Value::Array array;
        const int n = Uniform(0, 5);
        for (int i = 0; i < n; ++i) array.push_back(Next(depth_budget - 1));
        return Value(std::move(array));
      }
      default: {
        Value::Object object;
        const int n = Uniform(0, 5);
        for (int i = 0; i < n; ++i) object.insert_or_assign(RandomBytes(4), Next(depth_budget - 1));
        return Value(std::move(object));
      }
    }
  }

  std::mt19937_64& rng() { return rng_; }

 private:
  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

  std::string RandomBytes(int max_size) {
    std::string out(static_cast<size_t>(Uniform(0, max_size)), '\0');
    for (char& c : out) c = static_cast<char>(Uniform(0, 255));
    return out;
  }

  std::mt19937_64 rng_;
};

bool SameBits(const Value& a, const Value& b) { return Encode(a) == Encode(b); }

TEST(ValueCodecTest, RandomRoundTrip) {
  const uint64_t seed = testing::TestSeed();
  RandomValues random(seed);
  for (int i = 0; i < 5000; ++i) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed << " iteration " << i);
    const Value v = random.Next(5);
    const std::string data = Encode(v);
    Value back;
    ASSERT_OK(DecodeAll(data, &back));
    EXPECT_EQ(back, v);
    // Bit-exact, including NaN payloads.
    ASSERT_TRUE(SameBits(back, v));
  }
}

TEST(ValueCodecTest, EveryTruncationFailsCleanly) {
  const uint64_t seed = testing::TestSeed();
  RandomValues random(seed);
  for (int i = 0; i < 300; ++i) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed << " iteration " << i);
    const std::string data = Encode(random.Next(4));
    for (size_t len = 0; len < data.size(); ++len) {
      // Copy into an exactly sized buffer so ASan sees any over-read.
      const std::string prefix = data.substr(0, len);
      std::string_view in = prefix;
      Value out;
      const absl::Status s = DecodeValue(&in, &out);
      ASSERT_FALSE(s.ok()) << "prefix of " << len << "/" << data.size() << " decoded";
      ASSERT_EQ(GetErrorCode(s), ErrorCode::kDataLoss) << s;
    }
  }
}

TEST(ValueCodecTest, CorruptedInputsNeverCrash) {
  const uint64_t seed = testing::TestSeed();
  RandomValues random(seed);
  std::mt19937_64& rng = random.rng();
  int decoded = 0;
  int rejected = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string data = Encode(random.Next(4));
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const size_t pos = rng() % data.size();
      switch (rng() % 4) {
        case 0:
          data[pos] = static_cast<char>(data[pos] ^ (1 << (rng() % 8)));
          break;
        case 1:
          data[pos] = static_cast<char>(rng() % 256);
          break;
        case 2:
          data.insert(pos, 1, static_cast<char>(rng() % 9));
          break;
        default:
          data.erase(pos, 1);
          if (data.empty()) data.push_back('\x06');
      }
    }
    std::string_view in = data;
    Value out;
    const absl::Status s = DecodeValue(&in, &out);
    if (s.ok()) {
      ++decoded;
      // Whatever decodes re-encodes to something that decodes equal.
      Value again;
      ASSERT_OK(DecodeAll(Encode(out), &again));
      ASSERT_EQ(again, out);
      ASSERT_LE(out.Depth(), kMaxValueDepth);
    } else {
      ++rejected;
      ASSERT_EQ(GetErrorCode(s), ErrorCode::kDataLoss) << s;
    }
  }
  EXPECT_GT(decoded, 0);
  EXPECT_GT(rejected, 0);
}

TEST(ValueCodecTest, RandomBytesNeverCrash) {
  const uint64_t seed = testing::TestSeed();
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 50000; ++i) {
    std::string data(rng() % 64, '\0');
    // Mostly small bytes: valid tags and short varints.
    for (char& c : data) c = static_cast<char>(rng() % 4 == 0 ? rng() % 256 : rng() % 9);
    std::string_view in = data;
    Value out;
    const absl::Status s = DecodeValue(&in, &out);
    if (!s.ok()) {
      ASSERT_EQ(GetErrorCode(s), ErrorCode::kDataLoss) << s;
    }
  }
}

}  // namespace
}  // namespace strata::util
