// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
#include "strata/types.hpp"

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

std::string Message(const absl::Status& s) { return std::string(s.message()); }

bool Contains(const absl::Status& s, std::string_view fragment) {
  return Message(s).find(fragment) != std::string::npos;
}

EntityRef Ref(Primitive p, std::string run, std::string key) {
  EntityRef ref;
  ref.primitive = p;
  ref.run = std::move(run);
  ref.key = std::move(key);
  return ref;
}

void ExpectRoundTrip(const EntityRef& ref) {
  const std::string text = ref.ToString();
  absl::StatusOr<EntityRef> back = EntityRef::Parse(text);
  ASSERT_TRUE(back.ok()) << back.status() << " for " << text;
  EXPECT_EQ(*back, ref) << text;
  EXPECT_EQ(back->ToString(), text);
}

void ExpectMalformed(std::string_view text, std::string_view fragment) {
  absl::StatusOr<EntityRef> ref = EntityRef::Parse(text);
  ASSERT_FALSE(ref.ok()) << "parsed: " << text;
  EXPECT_ERROR(ref, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(Contains(ref.status(), fragment)) << ref.status() << " for " << text;
}

TEST(TypesTest, PrimitiveNames) {
  const std::vector<std::pair<Primitive, std::string>> all = {
      {Primitive::kKv, "kv"},       {Primitive::kEvent, "event"},
      {Primitive::kState, "state"}, {Primitive::kTrace, "trace"},
      {Primitive::kRun, "run"},     {Primitive::kJson, "json"},
      {Primitive::kVector, "vector"}};
  for (const auto& [p, name] : all) {
    EXPECT_EQ(PrimitiveName(p), name);
    EXPECT_EQ(PrimitiveFromName(name), p);
  }
  EXPECT_EQ(static_cast<int>(Primitive::kKv), 1);
  EXPECT_EQ(static_cast<int>(Primitive::kVector), 7);
  EXPECT_EQ(PrimitiveFromName("KV"), std::nullopt);
  EXPECT_EQ(PrimitiveFromName(""), std::nullopt);
  EXPECT_EQ(PrimitiveFromName("unknown"), std::nullopt);
  EXPECT_FALSE(PrimitiveName(static_cast<Primitive>(0)).empty());
  EXPECT_FALSE(PrimitiveName(static_cast<Primitive>(200)).empty());
}

TEST(TypesTest, ValidateRunId) {
  EXPECT_OK(ValidateRunId("default"));
  EXPECT_OK(ValidateRunId("run-7"));
  EXPECT_OK(ValidateRunId("A.b_c:d-0"));
  EXPECT_OK(ValidateRunId(std::string(kMaxRunIdBytes, 'r')));

  EXPECT_ERROR(ValidateRunId(""), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(ValidateRunId(std::string(kMaxRunIdBytes + 1, 'r')),
               ErrorCode::kResourceExhausted);
  const absl::Status slash = ValidateRunId("run/7");
  EXPECT_ERROR(slash, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(Contains(slash, "'/'")) << slash;
  EXPECT_TRUE(Contains(slash, "position 3")) << slash;
  const absl::Status space = ValidateRunId("a b");
  EXPECT_TRUE(Contains(space, "position 1")) << space;
  const absl::Status binary = ValidateRunId(std::string("ab\0", 3));
  EXPECT_TRUE(Contains(binary, "0x00")) << binary;
  EXPECT_TRUE(Contains(binary, "position 2")) << binary;
  EXPECT_ERROR(ValidateRunId("caf\xc3\xa9"), ErrorCode::kInvalidArgument);
}

TEST(TypesTest, ValidateKey) {
  EXPECT_OK(ValidateKey("k"));
  EXPECT_OK(ValidateKey(std::string("\0", 1)));
  EXPECT_OK(ValidateKey(std::string(kMaxKeyBytes, 'k')));
  EXPECT_ERROR(ValidateKey(""), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(ValidateKey(std::string(kMaxKeyBytes + 1, 'k')),
               ErrorCode::kResourceExhausted);
}

TEST(TypesTest, SpecExamples) {
  ASSERT_OK_AND_ASSIGN(const EntityRef kv, EntityRef::Parse("kv://default/user:42"));
  EXPECT_EQ(kv.primitive, Primitive::kKv);
  EXPECT_EQ(kv.run, "default");
  EXPECT_EQ(kv.key, "user:42");
  EXPECT_EQ(kv.path, std::nullopt);
  EXPECT_EQ(kv.seq, std::nullopt);
  EXPECT_EQ(kv.ToString(), "kv://default/user:42");

  ASSERT_OK_AND_ASSIGN(const EntityRef json, EntityRef::Parse("json://run-7/doc1#/a/b"));
  EXPECT_EQ(json.primitive, Primitive::kJson);
  EXPECT_EQ(json.run, "run-7");
  EXPECT_EQ(json.key, "doc1");
  EXPECT_EQ(json.path, "/a/b");
  EXPECT_EQ(json.ToString(), "json://run-7/doc1#/a/b");

  ASSERT_OK_AND_ASSIGN(const EntityRef event, EntityRef::Parse("event://run-7/15"));
  EXPECT_EQ(event.primitive, Primitive::kEvent);
  EXPECT_EQ(event.run, "run-7");
  EXPECT_EQ(event.seq, 15u);
  EXPECT_EQ(event.key, "");
  EXPECT_EQ(event.ToString(), "event://run-7/15");
}

TEST(TypesTest, ToStringPercentEncodes) {
  EXPECT_EQ(Ref(Primitive::kKv, "r", "a/b#c%d e").ToString(), "kv://r/a%2Fb%23c%25d%20e");
  EXPECT_EQ(Ref(Primitive::kKv, "r", std::string("\0\xff", 2)).ToString(),
            "kv://r/%00%FF");
  EXPECT_EQ(Ref(Primitive::kState, "r", "._~:@!$&'()*+,;=-Az9").ToString(),
            "state://r/._~:@!$&'()*+,;=-Az9");
  EntityRef json = Ref(Primitive::kJson, "r", "d");
  json.path = "$.a[0]/b c#";
  EXPECT_EQ(json.ToString(), "json://r/d#$.a%5B0%5D/b%20c%23");
  // An event key made of digits is escaped so it does not read as a seq.
  EXPECT_EQ(Ref(Primitive::kEvent, "r", "15").ToString(), "event://r/%315");
  EntityRef seq0 = Ref(Primitive::kEvent, "r", "");
  seq0.seq = 0;
  EXPECT_EQ(seq0.ToString(), "event://r/0");
}

TEST(TypesTest, ParseAcceptsLowerCaseHex) {
  ASSERT_OK_AND_ASSIGN(const EntityRef ref, EntityRef::Parse("kv://r/%2f%Ff"));
  EXPECT_EQ(ref.key, "/\xff");
}

TEST(TypesTest, RoundTrips) {
  ExpectRoundTrip(Ref(Primitive::kKv, kDefaultRun, "user:42"));
  ExpectRoundTrip(Ref(Primitive::kVector, "a.b_c:d-e", "emb/1"));
  ExpectRoundTrip(Ref(Primitive::kRun, "r", ""));
  ExpectRoundTrip(Ref(Primitive::kEvent, "r", "15"));
  ExpectRoundTrip(Ref(Primitive::kEvent, "r", "0"));
  ExpectRoundTrip(Ref(Primitive::kEvent, "r", "stream-a"));
  ExpectRoundTrip(Ref(Primitive::kTrace, "r", std::string(kMaxKeyBytes, '\xff')));
  EntityRef event = Ref(Primitive::kEvent, "r", "");
  event.seq = std::numeric_limits<uint64_t>::max();
  ExpectRoundTrip(event);
  EntityRef json = Ref(Primitive::kJson, "r", "doc#1");
  json.path = "";
  ExpectRoundTrip(json);
  json.path = "/a~1b/~0/%/\xc3\xa9/#";
  ExpectRoundTrip(json);
}

TEST(TypesTest, RandomBinaryKeysRoundTrip) {
  const uint64_t seed = testing::TestSeed();
  std::mt19937_64 rng(seed);
  const Primitive primitives[] = {Primitive::kKv,  Primitive::kEvent, Primitive::kState,
                                  Primitive::kTrace, Primitive::kRun, Primitive::kJson,
                                  Primitive::kVector};
  for (int i = 0; i < 2000; ++i) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed << " iteration " << i);
    std::string key(rng() % 40 + 1, '\0');
    for (char& c : key) {
      // Bias towards ASCII digits and reserved characters.
      c = static_cast<char>(rng() % 3 == 0 ? '0' + rng() % 10 : rng() % 256);
    }
    EntityRef ref = Ref(primitives[rng() % 7], "run-" + std::to_string(rng() % 100), key);
    if (ref.primitive == Primitive::kJson && rng() % 2 == 0) {
      std::string path(rng() % 20, '/');
      for (char& c : path) c = rng() % 2 == 0 ? '/' : static_cast<char>(rng() % 256);
      ref.path = path;
    }
    if (ref.primitive == Primitive::kEvent && rng() % 2 == 0) {
      ref.key.clear();
      ref.seq = rng() >> (rng() % 64);
    }
    ExpectRoundTrip(ref);
    if (HasFailure()) return;
  }
}

TEST(TypesTest, MalformedRefs) {
  ExpectMalformed("", "position 0");
  ExpectMalformed("kv", "position 2");
  ExpectMalformed("kv:/default/k", "position 2");
  ExpectMalformed("KV://default/k", "position 0");
  ExpectMalformed("blob://default/k", "unknown primitive");
  ExpectMalformed("kv://", "position 5");
  ExpectMalformed("kv:///k", "position 5");
  ExpectMalformed("kv://default", "position 12");
  ExpectMalformed("kv://def ault/k", "position 8");
  ExpectMalformed("kv://d\xc3\xa9/k", "position 6");
  ExpectMalformed("kv://" + std::string(kMaxRunIdBytes + 1, 'r') + "/k", "limit");
  ExpectMalformed("kv://default/a/b", "position 14");
  ExpectMalformed("kv://default/a b", "position 14");
  ExpectMalformed("kv://default/%", "position 13");
  ExpectMalformed("kv://default/%4", "position 13");
  ExpectMalformed("kv://default/%G0", "position 13");
  ExpectMalformed("kv://default/k#/a", "position 14");
  ExpectMalformed("json://r/d#/a b", "position 13");
  ExpectMalformed("json://r/d#/a#b", "position 13");
  ExpectMalformed("event://r/015", "leading zero");
  ExpectMalformed("event://r/18446744073709551616", "64 bits");
}

TEST(TypesTest, OverlongKeyIsResourceExhausted) {
  const std::string text = "kv://r/" + std::string(kMaxKeyBytes + 1, 'k');
  EXPECT_ERROR(EntityRef::Parse(text), ErrorCode::kResourceExhausted);
}

}  // namespace
}  // namespace strata
