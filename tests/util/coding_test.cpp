// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
#include "util/coding.hpp"

#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "test_util.hpp"
#include "util/base64.hpp"
#include "util/clock.hpp"

namespace strata::util {
namespace {

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (const int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

TEST(CodingTest, FixedWidthIsLittleEndian) {
  std::string s;
  PutFixed16(&s, 0x0102);
  PutFixed32(&s, 0x03040506);
  PutFixed64(&s, 0x0708090a0b0c0d0eull);
  EXPECT_EQ(s, Bytes({2, 1, 6, 5, 4, 3, 0x0e, 0x0d, 0x0c, 0x0b, 0x0a, 9, 8, 7}));
  std::string_view in = s;
  uint16_t a = 0;
  uint32_t b = 0;
  uint64_t c = 0;
  ASSERT_TRUE(GetFixed16(&in, &a));
  ASSERT_TRUE(GetFixed32(&in, &b));
  ASSERT_TRUE(GetFixed64(&in, &c));
  EXPECT_EQ(a, 0x0102);
  EXPECT_EQ(b, 0x03040506u);
  EXPECT_EQ(c, 0x0708090a0b0c0d0eull);
  EXPECT_TRUE(in.empty());
  EXPECT_FALSE(GetFixed16(&in, &a));

  char buf[8];
  EncodeFixed32(buf, 0xdeadbeef);
  EXPECT_EQ(DecodeFixed32(buf), 0xdeadbeefu);
  EncodeFixed64(buf, 0xfedcba9876543210ull);
  EXPECT_EQ(DecodeFixed64(buf), 0xfedcba9876543210ull);
}

TEST(CodingTest, FixedWidthRejectsTruncation) {
  const std::string s = Bytes({1, 2, 3, 4, 5, 6, 7});
  std::string_view in = s;
  uint64_t v = 0;
  EXPECT_FALSE(GetFixed64(&in, &v));
  in = std::string_view(s).substr(0, 3);
  uint32_t w = 0;
  EXPECT_FALSE(GetFixed32(&in, &w));
  uint8_t byte = 0;
  in = {};
  EXPECT_FALSE(GetByte(&in, &byte));
}

TEST(CodingTest, VarintKnownEncodings) {
  const std::vector<std::pair<uint64_t, std::string>> cases = {
      {0, Bytes({0})},
      {1, Bytes({1})},
      {127, Bytes({0x7f})},
      {128, Bytes({0x80, 0x01})},
      {300, Bytes({0xac, 0x02})},
      {16383, Bytes({0xff, 0x7f})},
      {16384, Bytes({0x80, 0x80, 0x01})},
      {std::numeric_limits<uint64_t>::max(),
       Bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})},
  };
  for (const auto& [value, encoding] : cases) {
    std::string s;
    PutVarint64(&s, value);
    EXPECT_EQ(s, encoding) << value;
    std::string_view in = encoding;
    uint64_t decoded = 1234;
    ASSERT_TRUE(GetVarint64(&in, &decoded)) << value;
    EXPECT_EQ(decoded, value);
    EXPECT_TRUE(in.empty());
  }
}

TEST(CodingTest, VarintRoundTripAtEveryWidth) {
  const uint64_t seed = testing::TestSeed();
  std::mt19937_64 rng(seed);
  std::string s;
  std::vector<uint64_t> values;
  for (int shift = 0; shift < 64; ++shift) {
    values.push_back(uint64_t{1} << shift);
    values.push_back((uint64_t{1} << shift) - 1);
    values.push_back(rng() >> shift);
  }
  for (const uint64_t v : values) PutVarint64(&s, v);
  std::string_view in = s;
  for (const uint64_t v : values) {
    uint64_t decoded = 0;
    ASSERT_TRUE(GetVarint64(&in, &decoded));
    EXPECT_EQ(decoded, v);
  }
  EXPECT_TRUE(in.empty());
}

TEST(CodingTest, VarintRejectsTruncation) {
  std::string s;
  PutVarint64(&s, std::numeric_limits<uint64_t>::max());
  for (size_t len = 0; len < s.size(); ++len) {
    std::string_view in = std::string_view(s).substr(0, len);
    uint64_t v = 0;
    EXPECT_FALSE(GetVarint64(&in, &v)) << len;
  }
}

TEST(CodingTest, VarintRejectsOverlongEncodings) {
  // Eleven bytes: longer than any uint64 needs.
  const std::string eleven =
      Bytes({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00});
  std::string_view in = eleven;
  uint64_t v = 0;
  EXPECT_FALSE(GetVarint64(&in, &v));
  // Ten bytes with a continuation bit on the last one.
  const std::string continued =
      Bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x81, 0x00});
  in = continued;
  EXPECT_FALSE(GetVarint64(&in, &v));
}

TEST(CodingTest, VarintRejectsOverflow) {
  // The tenth byte may only carry bit 63.
  for (const int last : {0x02, 0x03, 0x7f}) {
    const std::string s =
        Bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, last});
    std::string_view in = s;
    uint64_t v = 0;
    EXPECT_FALSE(GetVarint64(&in, &v)) << last;
  }
}

TEST(CodingTest, VarintAcceptsNonMinimalWithinTenBytes) {
  // Redundant zero groups are tolerated as long as the value fits.
  const std::string s = Bytes({0x81, 0x80, 0x00});
  std::string_view in = s;
  uint64_t v = 0;
  ASSERT_TRUE(GetVarint64(&in, &v));
  EXPECT_EQ(v, 1u);
}

TEST(CodingTest, LengthPrefixed) {
  std::string s;
  PutLengthPrefixed(&s, "hello");
  PutLengthPrefixed(&s, "");
  PutLengthPrefixed(&s, std::string(200, 'x'));
  std::string_view in = s;
  std::string_view out;
  ASSERT_TRUE(GetLengthPrefixed(&in, &out));
  EXPECT_EQ(out, "hello");
  ASSERT_TRUE(GetLengthPrefixed(&in, &out));
  EXPECT_EQ(out, "");
  ASSERT_TRUE(GetLengthPrefixed(&in, &out));
  EXPECT_EQ(out, std::string(200, 'x'));
  EXPECT_TRUE(in.empty());

  const std::string past_end = Bytes({5, 'a', 'b'});
  in = past_end;
  EXPECT_FALSE(GetLengthPrefixed(&in, &out));
  const std::string huge = Bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01});
  in = huge;
  EXPECT_FALSE(GetLengthPrefixed(&in, &out));
}

// base64.hpp and clock.hpp have no module of their own to test in; they are
// small enough to live here with the other encoding helpers.
TEST(Base64Test, Rfc4648Vectors) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},
      {"foo", "Zm9v"},  {"foob", "Zm9vYg=="},  {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"}, {Bytes({0xfb, 0xff, 0xfe}), "+//+"},
  };
  for (const auto& [raw, encoded] : cases) {
    EXPECT_EQ(Base64Encode(raw), encoded);
    EXPECT_EQ(Base64Decode(encoded), raw) << encoded;
  }
}

TEST(Base64Test, RoundTripAllLengths) {
  const uint64_t seed = testing::TestSeed();
  std::mt19937_64 rng(seed);
  for (size_t len = 0; len < 300; ++len) {
    std::string raw(len, '\0');
    for (char& c : raw) c = static_cast<char>(rng());
    EXPECT_EQ(Base64Decode(Base64Encode(raw)), raw) << len;
  }
}

TEST(Base64Test, StrictDecoding) {
  for (const char* bad : {"Zg", "Zg=", "Zg===", "Z===", "====", "Zm9v=", "Zm 9v", "Zm9\n",
                          "Zg==Zg==", "Zm=v", "Zh==", "Zm9=", "Zm-_", "\xff\xff\xff\xff"}) {
    EXPECT_EQ(Base64Decode(bad), std::nullopt) << bad;
  }
}

TEST(ClockTest, ClocksAdvance) {
  const int64_t wall = NowMicros();
  EXPECT_GT(wall, int64_t{1600000000} * 1000000);  // After September 2020.
  const int64_t a = MonotonicMicros();
  const int64_t b = MonotonicMicros();
  EXPECT_GE(b, a);
  EXPECT_GT(a, 0);
}

}  // namespace
}  // namespace strata::util
