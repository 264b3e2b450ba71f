// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Tests for json::Path: RFC 6901 JSON Pointer (with the section 5 examples),
// the dotted form, error positions, limits, prefix tests and the binary
// encoding.
#include "json/path.hpp"

#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "json/document.hpp"
#include "strata/status.hpp"
#include "strata/value.hpp"
#include "test_util.hpp"
#include "util/coding.hpp"

namespace strata::json {
namespace {

Path P(std::vector<std::string> tokens) { return Path{std::move(tokens)}; }

Path MustParse(std::string_view text) {
  absl::StatusOr<Path> path = ParsePath(text);
  EXPECT_TRUE(path.ok()) << text << ": " << path.status();
  return path.ok() ? *path : Path{};
}

// Expects InvalidArgument whose message names `position`.
void ExpectMalformed(std::string_view text, size_t position) {
  absl::StatusOr<Path> path = ParsePath(text);
  ASSERT_FALSE(path.ok()) << text;
  EXPECT_ERROR(path.status(), ErrorCode::kInvalidArgument);
  const std::string expected = "malformed JSON path at position " + std::to_string(position) + ":";
  EXPECT_NE(std::string(path.status().message()).find(expected), std::string::npos)
      << text << " -> " << path.status();
}

// The example document of RFC 6901 section 5.
Value Rfc6901Document() {
  absl::StatusOr<Value> doc = Value::FromJson(R"({
      "foo": ["bar", "baz"],
      "": 0,
      "a/b": 1,
      "c%d": 2,
      "e^f": 3,
      "g|h": 4,
      "i\\j": 5,
      "k\"l": 6,
      " ": 7,
      "m~n": 8
   })");
  EXPECT_TRUE(doc.ok()) << doc.status();
  return *doc;
}

TEST(JsonPathTest, Rfc6901Section5Examples) {
  const Value doc = Rfc6901Document();
  std::string encoded;
  EncodeDocument(doc, &encoded);
  struct Case {
    std::string pointer;
    std::vector<std::string> tokens;
    Value expected;
  };
  const std::vector<Case> cases = {
      {"", {}, doc},
      {"/foo", {"foo"}, Value(Value::Array{Value("bar"), Value("baz")})},
      {"/foo/0", {"foo", "0"}, Value("bar")},
      {"/", {""}, Value(0)},
      {"/a~1b", {"a/b"}, Value(1)},
      {"/c%d", {"c%d"}, Value(2)},
      {"/e^f", {"e^f"}, Value(3)},
      {"/g|h", {"g|h"}, Value(4)},
      {"/i\\j", {"i\\j"}, Value(5)},
      {"/k\"l", {"k\"l"}, Value(6)},
      {"/ ", {" "}, Value(7)},
      {"/m~0n", {"m~n"}, Value(8)},
  };
  ASSERT_EQ(cases.size(), 12u);
  for (const Case& c : cases) {
    SCOPED_TRACE(c.pointer);
    const Path path = MustParse(c.pointer);
    EXPECT_EQ(path.tokens, c.tokens);
    EXPECT_EQ(path.ToPointer(), c.pointer);
    ASSERT_OK_AND_ASSIGN(const Value got, GetAt(encoded, path));
    EXPECT_EQ(got, c.expected);
  }
}

TEST(JsonPathTest, PointerForms) {
  EXPECT_TRUE(MustParse("").is_root());
  EXPECT_EQ(MustParse("/a/b/0").tokens, (std::vector<std::string>{"a", "b", "0"}));
  EXPECT_EQ(MustParse("/a~1b/m~0n").tokens, (std::vector<std::string>{"a/b", "m~n"}));
  EXPECT_EQ(MustParse("/arr/-").tokens, (std::vector<std::string>{"arr", "-"}));
  EXPECT_EQ(MustParse("//").tokens, (std::vector<std::string>{"", ""}));
  EXPECT_EQ(MustParse("/foo/").tokens, (std::vector<std::string>{"foo", ""}));
  // "~01" is "~1" (the escapes are undone left to right, not repeatedly).
  EXPECT_EQ(MustParse("/~01").tokens, (std::vector<std::string>{"~1"}));
  EXPECT_EQ(MustParse("/~10").tokens, (std::vector<std::string>{"/0"}));
  // Any bytes, including non-ASCII and '$', are token text in a pointer.
  EXPECT_EQ(MustParse("/h\xc3\xa9/$x").tokens, (std::vector<std::string>{"h\xc3\xa9", "$x"}));
}

TEST(JsonPathTest, DottedForms) {
  EXPECT_TRUE(MustParse("$").is_root());
  EXPECT_EQ(MustParse("$.a.b[0]"), P({"a", "b", "0"}));
  EXPECT_EQ(MustParse("$['a b']"), P({"a b"}));
  EXPECT_EQ(MustParse("$[\"a.b\"]"), P({"a.b"}));
  EXPECT_EQ(MustParse("$.arr[-]"), P({"arr", "-"}));
  EXPECT_EQ(MustParse("$.A_z-9$"), P({"A_z-9$"}));
  EXPECT_EQ(MustParse("$[0][12]"), P({"0", "12"}));
  EXPECT_EQ(MustParse("$['']"), P({""}));
  EXPECT_EQ(MustParse(R"($['it\'s']["q\"uote"]['back\\slash'])"),
            P({"it's", "q\"uote", "back\\slash"}));
  EXPECT_EQ(MustParse("$['a/b~c']"), P({"a/b~c"}));
  EXPECT_EQ(MustParse("$['a]b']"), P({"a]b"}));
  // Both forms give the same Path.
  EXPECT_EQ(MustParse("$.a['b/c'][3]"), MustParse("/a/b~1c/3"));
}

TEST(JsonPathTest, ErrorPositions) {
  ExpectMalformed("a", 0);
  ExpectMalformed("foo", 0);
  ExpectMalformed(" /a", 0);
  ExpectMalformed("/a~", 2);
  ExpectMalformed("/a~2", 2);
  ExpectMalformed("/ab/c~x", 5);
  ExpectMalformed("$.", 2);
  ExpectMalformed("$.a.", 4);
  ExpectMalformed("$..a", 2);
  ExpectMalformed("$.a b", 3);
  ExpectMalformed("$a", 1);
  ExpectMalformed("$[", 1);
  ExpectMalformed("$.a[0", 3);
  ExpectMalformed("$[0x]", 3);
  ExpectMalformed("$[]", 2);
  ExpectMalformed("$[a]", 2);
  ExpectMalformed("$[01]", 2);
  ExpectMalformed("$[-1]", 3);
  ExpectMalformed("$['abc", 2);
  ExpectMalformed("$['abc'", 1);
  ExpectMalformed("$['a\\n']", 4);
  ExpectMalformed("$['a'x]", 5);
  ExpectMalformed("$[\"a']", 2);

  const absl::StatusOr<Path> bad = ParsePath("/a~z");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "malformed JSON path at position 2: '~' must be followed by '0' or '1'");
}

TEST(JsonPathTest, Limits) {
  std::string longest = "/";
  longest.append(kMaxPathBytes - 1, 'x');
  EXPECT_OK(ParsePath(longest));
  EXPECT_ERROR(ParsePath(longest + "x"), ErrorCode::kResourceExhausted);

  std::string deepest;
  for (size_t i = 0; i < kMaxPathTokens; ++i) deepest += "/a";
  ASSERT_OK_AND_ASSIGN(const Path path, ParsePath(deepest));
  EXPECT_EQ(path.tokens.size(), kMaxPathTokens);
  EXPECT_ERROR(ParsePath(deepest + "/a"), ErrorCode::kResourceExhausted);

  std::string dotted = "$";
  for (size_t i = 0; i < kMaxPathTokens; ++i) dotted += "[0]";
  EXPECT_OK(ParsePath(dotted));
  EXPECT_ERROR(ParsePath(dotted + ".a"), ErrorCode::kResourceExhausted);
}

TEST(JsonPathTest, ToPointerAndParent) {
  EXPECT_EQ(Path{}.ToPointer(), "");
  EXPECT_EQ(P({""}).ToPointer(), "/");
  EXPECT_EQ(P({"a/b", "m~n", "0"}).ToPointer(), "/a~1b/m~0n/0");
  EXPECT_EQ(P({"~1"}).ToPointer(), "/~01");
  EXPECT_EQ(P({"a", "b"}).Parent(), P({"a"}));
  EXPECT_TRUE(P({"a"}).Parent().is_root());
}

TEST(JsonPathTest, OverlapsAndIsPrefix) {
  const Path root;
  const Path a = P({"a"});
  const Path ab = P({"a", "b"});
  const Path ac = P({"a", "c"});
  const Path b = P({"b"});
  EXPECT_TRUE(IsPrefix(root, root));
  EXPECT_TRUE(IsPrefix(root, ab));
  EXPECT_TRUE(IsPrefix(a, ab));
  EXPECT_TRUE(IsPrefix(ab, ab));
  EXPECT_FALSE(IsPrefix(ab, a));
  EXPECT_FALSE(IsPrefix(ac, ab));
  EXPECT_FALSE(IsPrefix(b, ab));

  EXPECT_TRUE(Overlaps(root, ab));
  EXPECT_TRUE(Overlaps(ab, root));
  EXPECT_TRUE(Overlaps(a, ab));
  EXPECT_TRUE(Overlaps(ab, a));
  EXPECT_TRUE(Overlaps(ab, ab));
  EXPECT_FALSE(Overlaps(ab, ac));
  EXPECT_FALSE(Overlaps(a, b));
  // Token by token, not by text: "/a" is not a prefix of "/ab".
  EXPECT_FALSE(Overlaps(a, P({"ab"})));
  EXPECT_FALSE(Overlaps(P({"", "a"}), P({"a"})));
}

TEST(JsonPathTest, EncodeDecodeRoundTrip) {
  const std::vector<Path> paths = {
      Path{}, P({""}), P({"a", "b", "0"}), P({std::string("\0\xff", 2), "-"}),
      P({std::string(300, 'k')})};
  std::string encoded;
  for (const Path& p : paths) EncodePath(p, &encoded);
  encoded.push_back('!');
  std::string_view in = encoded;
  for (const Path& p : paths) {
    Path out;
    ASSERT_TRUE(DecodePath(&in, &out));
    EXPECT_EQ(out, p);
  }
  EXPECT_EQ(in, "!");

  // Golden bytes: count, then length-prefixed tokens.
  std::string golden;
  EncodePath(P({"a", "bc"}), &golden);
  EXPECT_EQ(golden, std::string("\x02\x01" "a" "\x02" "bc"));
}

TEST(JsonPathTest, DecodeRejectsMalformed) {
  std::string valid;
  EncodePath(P({"abc", "de"}), &valid);
  // Every truncation fails and leaves the input where it was.
  for (size_t n = 0; n < valid.size(); ++n) {
    std::string_view in(valid.data(), n);
    Path out;
    EXPECT_FALSE(DecodePath(&in, &out)) << n;
    EXPECT_EQ(in.size(), n);
  }
  // A count past the remaining bytes or over the token limit.
  std::string huge;
  util::PutVarint64(&huge, uint64_t{1} << 40);
  std::string_view in = huge;
  Path out;
  EXPECT_FALSE(DecodePath(&in, &out));
  std::string too_many;
  util::PutVarint64(&too_many, kMaxPathTokens + 1);
  too_many.append(kMaxPathTokens + 1, '\0');
  in = too_many;
  EXPECT_FALSE(DecodePath(&in, &out));
  // A token length past the end.
  const std::string bad_len("\x01\x05" "ab", 4);
  in = bad_len;
  EXPECT_FALSE(DecodePath(&in, &out));
  // An over-long varint.
  const std::string overlong(11, '\x80');
  in = overlong;
  EXPECT_FALSE(DecodePath(&in, &out));
}

TEST(JsonPathTest, RandomRoundTrips) {
  const uint64_t seed = testing::TestSeed();
  std::mt19937_64 rng(seed);
  const std::string alphabet = std::string("ab~/0-$.[]'\"\\ ") + '\0';
  for (int iter = 0; iter < 2000; ++iter) {
    Path path;
    for (size_t i = 0, n = rng() % 6; i < n; ++i) {
      std::string token;
      for (size_t j = 0, m = rng() % 5; j < m; ++j) {
        token.push_back(alphabet[rng() % alphabet.size()]);
      }
      path.tokens.push_back(token);
    }
    ASSERT_OK_AND_ASSIGN(const Path parsed, ParsePath(path.ToPointer()));
    ASSERT_EQ(parsed, path) << path.ToPointer();
    std::string encoded;
    EncodePath(path, &encoded);
    std::string_view in = encoded;
    Path decoded;
    ASSERT_TRUE(DecodePath(&in, &decoded));
    ASSERT_TRUE(in.empty());
    ASSERT_EQ(decoded, path);
  }
}

TEST(JsonPathTest, ParseArrayIndex) {
  size_t index = 99;
  EXPECT_TRUE(ParseArrayIndex("0", &index));
  EXPECT_EQ(index, 0u);
  EXPECT_TRUE(ParseArrayIndex("42", &index));
  EXPECT_EQ(index, 42u);
  const std::string max = std::to_string(std::numeric_limits<size_t>::max());
  EXPECT_TRUE(ParseArrayIndex(max, &index));
  EXPECT_EQ(index, std::numeric_limits<size_t>::max());
  EXPECT_FALSE(ParseArrayIndex(max + "0", &index));
  EXPECT_FALSE(ParseArrayIndex("18446744073709551616", &index));
  EXPECT_FALSE(ParseArrayIndex("", &index));
  EXPECT_FALSE(ParseArrayIndex("-", &index));
  EXPECT_FALSE(ParseArrayIndex("-1", &index));
  EXPECT_FALSE(ParseArrayIndex("01", &index));
  EXPECT_FALSE(ParseArrayIndex("00", &index));
  EXPECT_FALSE(ParseArrayIndex("1e0", &index));
  EXPECT_FALSE(ParseArrayIndex("+1", &index));
  EXPECT_FALSE(ParseArrayIndex(" 1", &index));
}

}  // namespace
}  // namespace strata::json
