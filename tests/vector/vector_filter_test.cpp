// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Tests for the vector metadata filters: the VectorFilter factories, every
// ValidateFilter rule (and that its message names the node and the problem),
// FilterMatches semantics, and MetadataIndex, including a seeded randomized
// cross-check of Candidates against FilterMatches.
#include "vector/filter.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <iterator>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "strata/status.hpp"
#include "strata/value.hpp"
#include "strata/vector.hpp"
#include "test_util.hpp"

namespace strata::vector {
namespace {

using Op = VectorFilter::Op;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Value Obj(Value::Object members) { return Value(std::move(members)); }

// Expects InvalidArgument whose message starts with `where` + ": " and
// contains `what`.
void ExpectInvalid(const VectorFilter& f, const std::string& where, const std::string& what) {
  const absl::Status s = ValidateFilter(f);
  ASSERT_FALSE(s.ok()) << "expected " << where << ": " << what;
  EXPECT_ERROR(s, ErrorCode::kInvalidArgument);
  const std::string message(s.message());
  EXPECT_EQ(message.rfind(where + ": ", 0), 0u) << message;
  EXPECT_NE(message.find(what), std::string::npos) << message;
}

// `depth` levels: And(And(...(Eq)...)), so the Eq is at level `depth`.
VectorFilter Nested(uint32_t depth) {
  VectorFilter f = VectorFilter::Eq("a", Value(1));
  for (uint32_t level = 1; level < depth; ++level) {
    std::vector<VectorFilter> children;
    children.push_back(std::move(f));  // Not {f}: an initializer list copies.
    f = VectorFilter::And(std::move(children));
  }
  return f;
}

// ---------------------------------------------------------------- factories

TEST(VectorFilterTest, FactoriesFillTheFields) {
  const VectorFilter eq = VectorFilter::Eq("color", Value("red"));
  EXPECT_EQ(eq.op, Op::kEq);
  EXPECT_EQ(eq.field, "color");
  ASSERT_EQ(eq.values.size(), 1u);
  EXPECT_EQ(eq.values[0], Value("red"));
  EXPECT_TRUE(eq.children.empty());
  EXPECT_FALSE(eq.lo.has_value());
  EXPECT_FALSE(eq.hi.has_value());

  const VectorFilter in = VectorFilter::In("n", {Value(1), Value(2.5)});
  EXPECT_EQ(in.op, Op::kIn);
  EXPECT_EQ(in.field, "n");
  EXPECT_EQ(in.values, (std::vector<Value>{Value(1), Value(2.5)}));

  const VectorFilter range = VectorFilter::Range("x", 1.0, std::nullopt, false);
  EXPECT_EQ(range.op, Op::kRange);
  EXPECT_EQ(range.field, "x");
  EXPECT_EQ(range.lo, 1.0);
  EXPECT_FALSE(range.hi.has_value());
  EXPECT_FALSE(range.lo_inclusive);
  EXPECT_TRUE(range.hi_inclusive);
  EXPECT_TRUE(range.values.empty());

  const VectorFilter all = VectorFilter::And({eq, in});
  EXPECT_EQ(all.op, Op::kAnd);
  EXPECT_TRUE(all.field.empty());
  EXPECT_EQ(all.children.size(), 2u);
  const VectorFilter any = VectorFilter::Or({range});
  EXPECT_EQ(any.op, Op::kOr);
  EXPECT_EQ(any.children.size(), 1u);

  for (const VectorFilter* f : {&eq, &in, &range, &all, &any}) EXPECT_OK(ValidateFilter(*f));
}

// --------------------------------------------------------------- validation

TEST(ValidateFilterTest, AcceptsWellFormedFilters) {
  EXPECT_OK(ValidateFilter(VectorFilter::Eq("a", Value())));
  EXPECT_OK(ValidateFilter(VectorFilter::Eq("a", Value(true))));
  EXPECT_OK(ValidateFilter(VectorFilter::Eq("a", Value(-7))));
  EXPECT_OK(ValidateFilter(VectorFilter::Eq("a", Value(2.5))));
  EXPECT_OK(ValidateFilter(VectorFilter::Eq("a", Value(kInf))));  // Only NaN is refused.
  EXPECT_OK(ValidateFilter(VectorFilter::Eq("a", Value(""))));
  EXPECT_OK(ValidateFilter(VectorFilter::Eq("a b/c.d", Value("x"))));
  EXPECT_OK(ValidateFilter(VectorFilter::Range("a", 1.0, std::nullopt)));
  EXPECT_OK(ValidateFilter(VectorFilter::Range("a", std::nullopt, -1.0)));
  EXPECT_OK(ValidateFilter(VectorFilter::Range("a", 2.0, 2.0)));
  // lo == hi with an exclusive end is a valid (empty) range.
  EXPECT_OK(ValidateFilter(VectorFilter::Range("a", 2.0, 2.0, false, true)));
  EXPECT_OK(ValidateFilter(VectorFilter::Range("a", 2.0, 2.0, true, false)));
  EXPECT_OK(ValidateFilter(VectorFilter::Or(
      {VectorFilter::And({VectorFilter::Eq("a", Value(1)), VectorFilter::In("b", {Value("x")})}),
       VectorFilter::Range("c", 0.0, 1.0)})));
}

TEST(ValidateFilterTest, NodeLimit) {
  std::vector<VectorFilter> children(kMaxFilterNodes - 1, VectorFilter::Eq("a", Value(1)));
  EXPECT_OK(ValidateFilter(VectorFilter::Or(children)));  // Exactly kMaxFilterNodes.
  children.push_back(VectorFilter::Eq("a", Value(2)));
  ExpectInvalid(VectorFilter::Or(children), "filter", "more than 256 nodes");
}

TEST(ValidateFilterTest, DepthLimit) {
  EXPECT_OK(ValidateFilter(Nested(kMaxFilterDepth)));
  // The error names the first node below the limit.
  std::string where = "filter";
  for (uint32_t i = 0; i < kMaxFilterDepth; ++i) where += ".children[0]";
  ExpectInvalid(Nested(kMaxFilterDepth + 1), where, "nested deeper than 16 levels");
  // Far too deep: refused without walking the whole chain.
  // (Not much deeper: destroying a VectorFilter recurses once per level.)
  ExpectInvalid(Nested(2000), where, "nested deeper than 16 levels");
}

TEST(ValidateFilterTest, UnknownOp) {
  VectorFilter f = VectorFilter::Eq("a", Value(1));
  f.op = static_cast<Op>(9);
  ExpectInvalid(f, "filter", "unknown op 9");
}

TEST(ValidateFilterTest, FieldRules) {
  ExpectInvalid(VectorFilter::Eq("", Value(1)), "filter", "Eq needs a field");
  ExpectInvalid(VectorFilter::In("", {Value(1)}), "filter", "In needs a field");
  ExpectInvalid(VectorFilter::Range("", 0.0, 1.0), "filter", "Range needs a field");
  ExpectInvalid(VectorFilter::Eq(std::string("a\0b", 3), Value(1)), "filter",
                "Eq field contains a NUL byte");
  ExpectInvalid(VectorFilter::Range(std::string("\0", 1), 0.0, 1.0), "filter",
                "Range field contains a NUL byte");

  VectorFilter with_field = VectorFilter::And({VectorFilter::Eq("a", Value(1))});
  with_field.field = "a";
  ExpectInvalid(with_field, "filter", "And takes no field");
  with_field.op = Op::kOr;
  ExpectInvalid(with_field, "filter", "Or takes no field");
}

TEST(ValidateFilterTest, EqNeedsExactlyOneValue) {
  VectorFilter f = VectorFilter::Eq("a", Value(1));
  f.values.clear();
  ExpectInvalid(f, "filter", "Eq needs exactly one value (has 0)");
  f.values = {Value(1), Value(2)};
  ExpectInvalid(f, "filter", "Eq needs exactly one value (has 2)");
}

TEST(ValidateFilterTest, InValueCount) {
  ExpectInvalid(VectorFilter::In("a", {}), "filter", "In needs at least one value");
  std::vector<Value> values;
  for (uint32_t i = 0; i < kMaxFilterValues; ++i) values.emplace_back(static_cast<int64_t>(i));
  EXPECT_OK(ValidateFilter(VectorFilter::In("a", values)));
  values.emplace_back("one too many");
  ExpectInvalid(VectorFilter::In("a", values), "filter",
                "In has 1025 values, more than the limit of 1024");
}

TEST(ValidateFilterTest, ValuesMustBeScalars) {
  ExpectInvalid(VectorFilter::Eq("a", Value(Value::Array{Value(1)})), "filter",
                "values[0] is array; a filter value must be null, bool, int, double or string");
  ExpectInvalid(VectorFilter::Eq("a", Obj({{"b", Value(1)}})), "filter", "values[0] is object");
  ExpectInvalid(VectorFilter::In("a", {Value(1), Value("x"), Value::MakeBytes("b")}), "filter",
                "values[2] is bytes");
  ExpectInvalid(VectorFilter::Eq("a", Value(kNaN)), "filter", "values[0] is NaN");
  ExpectInvalid(VectorFilter::In("a", {Value(1.0), Value(-kNaN)}), "filter", "values[1] is NaN");
}

TEST(ValidateFilterTest, RangeRules) {
  ExpectInvalid(VectorFilter::Range("a", std::nullopt, std::nullopt), "filter",
                "Range needs a bound (lo, hi or both)");
  ExpectInvalid(VectorFilter::Range("a", kNaN, 1.0), "filter", "Range bound lo is not finite");
  ExpectInvalid(VectorFilter::Range("a", -kInf, 1.0), "filter", "Range bound lo is not finite");
  ExpectInvalid(VectorFilter::Range("a", 0.0, kInf), "filter", "Range bound hi is not finite");
  ExpectInvalid(VectorFilter::Range("a", 3.0, 2.0), "filter",
                "Range lo (3) is greater than hi (2)");
  ExpectInvalid(VectorFilter::Range("a", 3.0, 2.0, false, false), "filter",
                "is greater than hi");

  VectorFilter with_values = VectorFilter::Range("a", 0.0, 1.0);
  with_values.values = {Value(1)};
  ExpectInvalid(with_values, "filter", "Range takes no values (has 1)");
}

TEST(ValidateFilterTest, StructureRules) {
  ExpectInvalid(VectorFilter::And({}), "filter", "And needs children");
  ExpectInvalid(VectorFilter::Or({}), "filter", "Or needs children");

  VectorFilter leaf = VectorFilter::Eq("a", Value(1));
  leaf.children = {VectorFilter::Eq("b", Value(2))};
  ExpectInvalid(leaf, "filter", "Eq takes no children (has 1)");
  VectorFilter range = VectorFilter::Range("a", 0.0, 1.0);
  range.children = {VectorFilter::Eq("b", Value(2)), VectorFilter::Eq("c", Value(3))};
  ExpectInvalid(range, "filter", "Range takes no children (has 2)");

  VectorFilter and_values = VectorFilter::And({VectorFilter::Eq("a", Value(1))});
  and_values.values = {Value(1)};
  ExpectInvalid(and_values, "filter", "And takes no values (has 1)");
  VectorFilter or_values = VectorFilter::Or({VectorFilter::Eq("a", Value(1))});
  or_values.values = {Value(1), Value(2)};
  ExpectInvalid(or_values, "filter", "Or takes no values (has 2)");

  VectorFilter eq_bound = VectorFilter::Eq("a", Value(1));
  eq_bound.lo = 0.0;
  ExpectInvalid(eq_bound, "filter", "Eq takes no bounds");
  VectorFilter or_bound = VectorFilter::Or({VectorFilter::Eq("a", Value(1))});
  or_bound.hi = 0.0;
  ExpectInvalid(or_bound, "filter", "Or takes no bounds");
}

TEST(ValidateFilterTest, ErrorNamesTheNode) {
  const VectorFilter f = VectorFilter::And(
      {VectorFilter::Eq("a", Value(1)),
       VectorFilter::Or({VectorFilter::Eq("b", Value(2)), VectorFilter::In("c", {})})});
  ExpectInvalid(f, "filter.children[1].children[1]", "In needs at least one value");
  const VectorFilter g = VectorFilter::Or(
      {VectorFilter::Range("a", 0.0, 1.0), VectorFilter::Range("b", 5.0, 1.0)});
  ExpectInvalid(g, "filter.children[1]", "Range lo (5) is greater than hi (1)");
}

// ------------------------------------------------------------ FilterMatches

TEST(FilterMatchesTest, NumbersCompareAsDoubles) {
  const Value int_one = Obj({{"n", Value(1)}});
  const Value double_one = Obj({{"n", Value(1.0)}});
  for (const Value& m : {int_one, double_one}) {
    EXPECT_TRUE(FilterMatches(VectorFilter::Eq("n", Value(1)), m)) << m.ToJson();
    EXPECT_TRUE(FilterMatches(VectorFilter::Eq("n", Value(1.0)), m)) << m.ToJson();
    EXPECT_FALSE(FilterMatches(VectorFilter::Eq("n", Value(1.5)), m)) << m.ToJson();
    EXPECT_FALSE(FilterMatches(VectorFilter::Eq("n", Value("1")), m)) << m.ToJson();
  }
  // -0.0 equals 0 and 0.0.
  const Value negative_zero = Obj({{"n", Value(-0.0)}});
  EXPECT_TRUE(FilterMatches(VectorFilter::Eq("n", Value(0)), negative_zero));
  EXPECT_TRUE(FilterMatches(VectorFilter::Eq("n", Value(0.0)), negative_zero));
  // Large ints compare by their double: 2^53 + 1 rounds to 2^53.
  const int64_t big = (int64_t{1} << 53) + 1;
  EXPECT_TRUE(FilterMatches(VectorFilter::Eq("n", Value(std::ldexp(1.0, 53))),
                            Obj({{"n", Value(big)}})));
  // Infinity equals itself; a NaN member equals nothing.
  EXPECT_TRUE(FilterMatches(VectorFilter::Eq("n", Value(kInf)), Obj({{"n", Value(kInf)}})));
  EXPECT_FALSE(FilterMatches(VectorFilter::Eq("n", Value(-kInf)), Obj({{"n", Value(kInf)}})));
  const Value nan = Obj({{"n", Value(kNaN)}});
  EXPECT_FALSE(FilterMatches(VectorFilter::Eq("n", Value(0)), nan));
  EXPECT_FALSE(FilterMatches(VectorFilter::Range("n", -1e300, 1e300), nan));
  EXPECT_FALSE(FilterMatches(VectorFilter::Range("n", std::nullopt, 0.0), nan));
}

TEST(FilterMatchesTest, BoolNeverEqualsNumber) {
  const Value t = Obj({{"f", Value(true)}});
  const Value f = Obj({{"f", Value(false)}});
  EXPECT_TRUE(FilterMatches(VectorFilter::Eq("f", Value(true)), t));
  EXPECT_FALSE(FilterMatches(VectorFilter::Eq("f", Value(false)), t));
  EXPECT_TRUE(FilterMatches(VectorFilter::Eq("f", Value(false)), f));
  EXPECT_FALSE(FilterMatches(VectorFilter::Eq("f", Value(1)), t));
  EXPECT_FALSE(FilterMatches(VectorFilter::Eq("f", Value(1.0)), t));
  EXPECT_FALSE(FilterMatches(VectorFilter::Eq("f", Value(0)), f));
  EXPECT_FALSE(FilterMatches(VectorFilter::Range("f", 0.0, 1.0), t));
  EXPECT_FALSE(FilterMatches(VectorFilter::Eq("n", Value(true)), Obj({{"n", Value(1)}})));
}

TEST(FilterMatchesTest, StringsCompareBytewise) {
  const Value m = Obj({{"s", Value("Red")}});
  EXPECT_TRUE(FilterMatches(VectorFilter::Eq("s", Value("Red")), m));
  EXPECT_FALSE(FilterMatches(VectorFilter::Eq("s", Value("red")), m));
  EXPECT_FALSE(FilterMatches(VectorFilter::Eq("s", Value("Red ")), m));
  const std::string with_nul("a\0b", 3);
  EXPECT_TRUE(FilterMatches(VectorFilter::Eq("s", Value(with_nul)), Obj({{"s", Value(with_nul)}})));
  EXPECT_FALSE(FilterMatches(VectorFilter::Eq("s", Value("a")), Obj({{"s", Value(with_nul)}})));
  // A bytes member never equals a string.
  EXPECT_FALSE(FilterMatches(VectorFilter::Eq("s", Value("Red")),
                             Obj({{"s", Value::MakeBytes("Red")}})));
}

TEST(FilterMatchesTest, NullAndMissingMembers) {
  const Value with_null = Obj({{"a", Value()}});
  const Value empty = Obj({});
  EXPECT_TRUE(FilterMatches(VectorFilter::Eq("a", Value()), with_null));
  EXPECT_FALSE(FilterMatches(VectorFilter::Eq("a", Value()), empty));  // Missing != null.
  EXPECT_FALSE(FilterMatches(VectorFilter::Eq("a", Value(0)), with_null));
  EXPECT_FALSE(FilterMatches(VectorFilter::Eq("a", Value("")), with_null));
  EXPECT_FALSE(FilterMatches(VectorFilter::Range("a", 0.0, 1.0), with_null));
  for (const Value& none : {Value(), empty}) {
    EXPECT_FALSE(FilterMatches(VectorFilter::Eq("a", Value()), none));
    EXPECT_FALSE(FilterMatches(VectorFilter::In("a", {Value(), Value(1)}), none));
    EXPECT_FALSE(FilterMatches(VectorFilter::Range("a", std::nullopt, 1.0), none));
  }
  // Only top-level members count.
  const Value nested = Obj({{"o", Obj({{"a", Value(1)}})}});
  EXPECT_FALSE(FilterMatches(VectorFilter::Eq("a", Value(1)), nested));
  EXPECT_FALSE(FilterMatches(VectorFilter::Eq("o", Value(1)), nested));
}

TEST(FilterMatchesTest, In) {
  const VectorFilter f = VectorFilter::In("a", {Value(1), Value("x"), Value(), Value(false)});
  EXPECT_TRUE(FilterMatches(f, Obj({{"a", Value(1.0)}})));
  EXPECT_TRUE(FilterMatches(f, Obj({{"a", Value("x")}})));
  EXPECT_TRUE(FilterMatches(f, Obj({{"a", Value()}})));
  EXPECT_TRUE(FilterMatches(f, Obj({{"a", Value(false)}})));
  EXPECT_FALSE(FilterMatches(f, Obj({{"a", Value(true)}})));
  EXPECT_FALSE(FilterMatches(f, Obj({{"a", Value(0)}})));
  EXPECT_FALSE(FilterMatches(f, Obj({{"b", Value(1)}})));
}

TEST(FilterMatchesTest, RangeBounds) {
  auto at = [](Value v) { return Obj({{"x", std::move(v)}}); };
  const VectorFilter closed = VectorFilter::Range("x", 1.0, 3.0);
  EXPECT_TRUE(FilterMatches(closed, at(Value(1))));
  EXPECT_TRUE(FilterMatches(closed, at(Value(2.5))));
  EXPECT_TRUE(FilterMatches(closed, at(Value(3.0))));
  EXPECT_FALSE(FilterMatches(closed, at(Value(0.999))));
  EXPECT_FALSE(FilterMatches(closed, at(Value(4))));
  EXPECT_FALSE(FilterMatches(closed, at(Value("2"))));
  EXPECT_FALSE(FilterMatches(closed, at(Value(true))));

  const VectorFilter open = VectorFilter::Range("x", 1.0, 3.0, false, false);
  EXPECT_FALSE(FilterMatches(open, at(Value(1))));
  EXPECT_TRUE(FilterMatches(open, at(Value(1.5))));
  EXPECT_FALSE(FilterMatches(open, at(Value(3.0))));

  const VectorFilter at_least = VectorFilter::Range("x", -1.0, std::nullopt);
  EXPECT_TRUE(FilterMatches(at_least, at(Value(-1))));
  EXPECT_TRUE(FilterMatches(at_least, at(Value(kInf))));
  EXPECT_FALSE(FilterMatches(at_least, at(Value(-kInf))));
  const VectorFilter below = VectorFilter::Range("x", std::nullopt, 0.0, true, false);
  EXPECT_TRUE(FilterMatches(below, at(Value(-kInf))));
  EXPECT_FALSE(FilterMatches(below, at(Value(0))));
  EXPECT_FALSE(FilterMatches(below, at(Value(-0.0))));

  const VectorFilter point = VectorFilter::Range("x", 2.0, 2.0);
  EXPECT_TRUE(FilterMatches(point, at(Value(2))));
  const VectorFilter empty = VectorFilter::Range("x", 2.0, 2.0, false, true);
  EXPECT_FALSE(FilterMatches(empty, at(Value(2))));
}

TEST(FilterMatchesTest, AndOr) {
  const Value m = Obj({{"a", Value(1)}, {"b", Value("x")}});
  const VectorFilter a1 = VectorFilter::Eq("a", Value(1));
  const VectorFilter a2 = VectorFilter::Eq("a", Value(2));
  const VectorFilter bx = VectorFilter::Eq("b", Value("x"));
  EXPECT_TRUE(FilterMatches(VectorFilter::And({a1, bx}), m));
  EXPECT_FALSE(FilterMatches(VectorFilter::And({a1, a2}), m));
  EXPECT_TRUE(FilterMatches(VectorFilter::Or({a2, bx}), m));
  EXPECT_FALSE(FilterMatches(VectorFilter::Or({a2, VectorFilter::Eq("c", Value())}), m));
  EXPECT_TRUE(FilterMatches(VectorFilter::Or({VectorFilter::And({a2, bx}), a1}), m));
}

// ------------------------------------------------------------ MetadataIndex

std::vector<uint32_t> Labels(std::initializer_list<uint32_t> l) { return l; }

TEST(MetadataIndexTest, AddRemoveAndCandidates) {
  MetadataIndex index;
  EXPECT_EQ(index.size(), 0u);
  index.Add(7, Obj({{"color", Value("red")}, {"n", Value(1)}}));
  index.Add(3, Obj({{"color", Value("blue")}, {"n", Value(2.0)}}));
  index.Add(5, Obj({{"color", Value("red")}, {"n", Value(1.0)}, {"flag", Value(true)}}));
  index.Add(9, Value());  // No metadata.
  EXPECT_EQ(index.size(), 4u);

  EXPECT_EQ(index.Candidates(VectorFilter::Eq("color", Value("red"))), Labels({5, 7}));
  EXPECT_EQ(index.Candidates(VectorFilter::Eq("n", Value(1))), Labels({5, 7}));
  EXPECT_EQ(index.Candidates(VectorFilter::In("n", {Value(2), Value(1.0), Value(2)})),
            Labels({3, 5, 7}));
  EXPECT_EQ(index.Candidates(VectorFilter::Range("n", 1.0, 2.0, false, true)), Labels({3}));
  EXPECT_EQ(index.Candidates(VectorFilter::Eq("flag", Value(true))), Labels({5}));
  EXPECT_EQ(index.Candidates(VectorFilter::Eq("flag", Value(1))), Labels({}));
  EXPECT_EQ(index.Candidates(VectorFilter::Eq("missing", Value())), Labels({}));
  EXPECT_EQ(index.Candidates(VectorFilter::And({VectorFilter::Eq("color", Value("red")),
                                                VectorFilter::Range("n", std::nullopt, 1.0)})),
            Labels({5, 7}));
  EXPECT_EQ(index.Candidates(VectorFilter::Or({VectorFilter::Eq("flag", Value(true)),
                                               VectorFilter::Eq("color", Value("blue"))})),
            Labels({3, 5}));

  index.Remove(7, Obj({{"color", Value("red")}, {"n", Value(1)}}));
  EXPECT_EQ(index.size(), 3u);
  EXPECT_EQ(index.Candidates(VectorFilter::Eq("color", Value("red"))), Labels({5}));
  EXPECT_EQ(index.Candidates(VectorFilter::Range("n", 0.0, 10.0)), Labels({3, 5}));

  // Removing a label that is not there, or twice, changes nothing.
  index.Remove(7, Obj({{"color", Value("red")}, {"n", Value(1)}}));
  index.Remove(1000, Obj({{"color", Value("blue")}}));
  index.Remove(1001, Value());
  EXPECT_EQ(index.size(), 3u);
  EXPECT_EQ(index.Candidates(VectorFilter::Eq("color", Value("blue"))), Labels({3}));

  // A removed label can be added again with new metadata.
  index.Add(7, Obj({{"color", Value("blue")}}));
  EXPECT_EQ(index.Candidates(VectorFilter::Eq("color", Value("blue"))), Labels({3, 7}));
  EXPECT_EQ(index.Candidates(VectorFilter::Eq("n", Value(1))), Labels({5}));
}

TEST(MetadataIndexTest, SpecialNumbersAndUnindexedMembers) {
  MetadataIndex index;
  index.Add(1, Obj({{"x", Value(-0.0)}}));
  index.Add(2, Obj({{"x", Value(0)}}));
  index.Add(3, Obj({{"x", Value(kInf)}}));
  index.Add(4, Obj({{"x", Value(-kInf)}}));
  index.Add(5, Obj({{"x", Value(kNaN)}}));
  index.Add(6, Obj({{"x", Value((int64_t{1} << 53) + 1)}}));
  index.Add(7, Obj({{"x", Value::MakeBytes("b")}, {"", Value(1)}}));
  index.Add(8, Obj({{"x", Value(Value::Array{Value(1)})}, {std::string("x\0y", 3), Value(1)}}));
  index.Add(std::numeric_limits<uint32_t>::max(), Obj({{"x", Value(0.5)}}));

  EXPECT_EQ(index.Candidates(VectorFilter::Eq("x", Value(0))), Labels({1, 2}));
  EXPECT_EQ(index.Candidates(VectorFilter::Eq("x", Value(-0.0))), Labels({1, 2}));
  EXPECT_EQ(index.Candidates(VectorFilter::Eq("x", Value(kInf))), Labels({3}));
  EXPECT_EQ(index.Candidates(VectorFilter::Eq("x", Value(std::ldexp(1.0, 53)))), Labels({6}));
  EXPECT_EQ(index.Candidates(VectorFilter::Range("x", 0.0, 0.0)), Labels({1, 2}));
  EXPECT_EQ(index.Candidates(VectorFilter::Range("x", 0.0, 0.5, false, true)),
            Labels({std::numeric_limits<uint32_t>::max()}));
  EXPECT_EQ(index.Candidates(VectorFilter::Range("x", 0.0, std::nullopt)),
            Labels({1, 2, 3, 6, std::numeric_limits<uint32_t>::max()}));
  EXPECT_EQ(index.Candidates(VectorFilter::Range("x", std::nullopt, 0.0, true, false)),
            Labels({4}));
  EXPECT_EQ(index.size(), 9u);

  index.Remove(1, Obj({{"x", Value(-0.0)}}));
  index.Remove(5, Obj({{"x", Value(kNaN)}}));
  EXPECT_EQ(index.Candidates(VectorFilter::Range("x", -1.0, 1.0)),
            Labels({2, std::numeric_limits<uint32_t>::max()}));
  EXPECT_EQ(index.size(), 7u);
}

TEST(MetadataIndexTest, MemoryBytesFollowsContent) {
  MetadataIndex index;
  const size_t empty_bytes = index.MemoryBytes();
  auto metadata = [](uint32_t i) {
    return Obj({{"tag", Value("a fairly long tag value number " + std::to_string(i % 50))},
                {"n", Value(static_cast<int64_t>(i))}});
  };
  for (uint32_t i = 0; i < 2000; ++i) index.Add(i, metadata(i));
  const size_t full_bytes = index.MemoryBytes();
  EXPECT_GT(full_bytes, empty_bytes + 2000 * 2 * sizeof(uint32_t));
  for (uint32_t i = 0; i < 2000; ++i) index.Remove(i, metadata(i));
  EXPECT_EQ(index.size(), 0u);
  // Hash tables keep their capacity; the posting lists are gone.
  EXPECT_LT(index.MemoryBytes(), full_bytes / 2);
  EXPECT_EQ(index.Candidates(VectorFilter::Range("n", 0.0, 1e9)), Labels({}));
}

// --------------------------------------------- randomized cross-check

// A uniform index below `n`.
size_t Pick(std::mt19937_64& rng, size_t n) {
  return std::uniform_int_distribution<size_t>(0, n - 1)(rng);
}

// Small domains so that filters hit often.
Value RandomScalar(std::mt19937_64& rng, bool allow_nan) {
  switch (std::uniform_int_distribution<int>(0, 5)(rng)) {
    case 0:
      return Value();
    case 1:
      return Value(std::uniform_int_distribution<int>(0, 1)(rng) == 1);
    case 2:
      return Value(std::uniform_int_distribution<int64_t>(-2, 3)(rng));
    case 3: {
      static const double kDoubles[] = {-1.5, -1.0, -0.0, 0.0, 0.5, 1.0, 2.0, 2.5, kInf, -kInf};
      if (allow_nan && std::uniform_int_distribution<int>(0, 20)(rng) == 0) return Value(kNaN);
      return Value(kDoubles[Pick(rng, std::size(kDoubles))]);
    }
    default: {
      static const char* const kStrings[] = {"", "x", "y", "1", "true"};
      return Value(kStrings[Pick(rng, std::size(kStrings))]);
    }
  }
}

const std::vector<std::string>& FieldNames() {
  static const std::vector<std::string> names = {"a", "b", "c", "d"};
  return names;
}

Value RandomMetadata(std::mt19937_64& rng) {
  const int shape = std::uniform_int_distribution<int>(0, 19)(rng);
  if (shape == 0) return Value();  // No metadata.
  Value::Object members;
  for (const std::string& name : FieldNames()) {
    if (std::uniform_int_distribution<int>(0, 3)(rng) == 0) continue;  // Missing.
    members[name] = RandomScalar(rng, /*allow_nan=*/true);
  }
  // Members no valid filter can match.
  if (shape == 1) members["c"] = Value(Value::Array{Value(1)});
  if (shape == 2) members["d"] = Value::MakeBytes("x");
  if (shape == 3) members[std::string("a\0", 2)] = Value(1);
  return Value(std::move(members));
}

VectorFilter RandomFilter(std::mt19937_64& rng, int depth) {
  const int kind = std::uniform_int_distribution<int>(0, depth >= 3 ? 2 : 4)(rng);
  // "e" is never present in metadata.
  const std::string field =
      std::uniform_int_distribution<int>(0, 12)(rng) == 0
          ? "e"
          : FieldNames()[Pick(rng, FieldNames().size())];
  switch (kind) {
    case 0:
      return VectorFilter::Eq(field, RandomScalar(rng, /*allow_nan=*/false));
    case 1: {
      std::vector<Value> values(std::uniform_int_distribution<size_t>(1, 4)(rng));
      for (Value& v : values) v = RandomScalar(rng, /*allow_nan=*/false);
      return VectorFilter::In(field, std::move(values));
    }
    case 2: {
      static const double kBounds[] = {-2.0, -1.0, -0.5, -0.0, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5};
      auto bound = [&rng]() -> std::optional<double> {
        if (std::uniform_int_distribution<int>(0, 3)(rng) == 0) return std::nullopt;
        return kBounds[Pick(rng, std::size(kBounds))];
      };
      std::optional<double> lo = bound();
      std::optional<double> hi = bound();
      if (!lo && !hi) lo = 0.0;
      if (lo && hi && *lo > *hi) std::swap(lo, hi);
      std::bernoulli_distribution coin(0.5);
      return VectorFilter::Range(field, lo, hi, coin(rng), coin(rng));
    }
    default: {
      std::vector<VectorFilter> children(std::uniform_int_distribution<size_t>(1, 3)(rng));
      for (VectorFilter& c : children) c = RandomFilter(rng, depth + 1);
      return kind == 3 ? VectorFilter::And(std::move(children))
                       : VectorFilter::Or(std::move(children));
    }
  }
}

TEST(MetadataIndexTest, RandomizedMatchesBruteForce) {
  const uint64_t seed = testing::TestSeed();
  std::mt19937_64 rng(seed);
  constexpr uint32_t kLabels = 3000;
  constexpr int kSteps = 12000;
  constexpr int kCheckEvery = 400;
  constexpr int kFiltersPerCheck = 40;

  MetadataIndex index;
  std::map<uint32_t, Value> live;
  size_t checks = 0;
  size_t nonempty = 0;

  auto check = [&](int step) {
    for (int i = 0; i < kFiltersPerCheck; ++i) {
      const VectorFilter f = RandomFilter(rng, 0);
      ASSERT_OK(ValidateFilter(f));
      std::vector<uint32_t> expected;
      for (const auto& [label, metadata] : live) {
        if (FilterMatches(f, metadata)) expected.push_back(label);
      }
      const std::vector<uint32_t> got = index.Candidates(f);
      ASSERT_EQ(got, expected) << "seed " << seed << " step " << step << " filter " << i;
      ++checks;
      if (!expected.empty()) ++nonempty;
    }
  };

  for (int step = 0; step < kSteps; ++step) {
    const int action = std::uniform_int_distribution<int>(0, 9)(rng);
    const uint32_t label = std::uniform_int_distribution<uint32_t>(0, kLabels - 1)(rng);
    if (action < 6) {
      if (live.count(label) == 0) {
        Value metadata = RandomMetadata(rng);
        index.Add(label, metadata);
        live.emplace(label, std::move(metadata));
      }
    } else if (action < 9) {
      if (const auto it = live.find(label); it != live.end()) {
        index.Remove(label, it->second);
        live.erase(it);
      } else {
        index.Remove(label, RandomMetadata(rng));  // Not present: ignored.
      }
    } else if (!live.empty()) {
      // Remove a random live label, so the index also shrinks.
      auto it = live.begin();
      std::advance(it, Pick(rng, live.size()));
      index.Remove(it->first, it->second);
      live.erase(it);
    }
    ASSERT_EQ(index.size(), live.size());
    if (step % kCheckEvery == kCheckEvery - 1) {
      check(step);
      if (HasFatalFailure()) return;
    }
  }
  // Drain the index completely and check once more.
  while (!live.empty()) {
    const auto it = live.begin();
    index.Remove(it->first, it->second);
    live.erase(it);
  }
  EXPECT_EQ(index.size(), 0u);
  check(kSteps);
  std::printf("[ info     ] %zu filters checked, %zu with matches\n", checks, nonempty);
  EXPECT_GT(nonempty, checks / 4) << "the random domains hardly ever match";
}

}  // namespace
}  // namespace strata::vector
