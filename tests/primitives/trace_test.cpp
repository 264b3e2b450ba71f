// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// The trace store through the public API: recording, beginning and ending
// spans, dense ids, queries over every index with paging, the span tree,
// transactions, concurrent recorders, persistence and argument validation.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "strata/database.hpp"
#include "strata/options.hpp"
#include "strata/primitives.hpp"
#include "strata/status.hpp"
#include "strata/types.hpp"
#include "strata/value.hpp"
#include "test_util.hpp"

namespace strata {
namespace {

using ::strata::testing::TempDir;
using ::strata::testing::TestSeed;

int64_t WallMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

// Field-by-field comparison (tags as a set: their order is not part of the
// contract).
void ExpectSpanEq(const Span& got, const Span& want) {
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.kind, want.kind) << "span " << want.id;
  EXPECT_EQ(got.name, want.name) << "span " << want.id;
  EXPECT_EQ(got.parent, want.parent) << "span " << want.id;
  EXPECT_EQ(got.status, want.status) << "span " << want.id;
  EXPECT_EQ(got.input, want.input) << "span " << want.id;
  EXPECT_EQ(got.output, want.output) << "span " << want.id;
  EXPECT_EQ(got.start_us, want.start_us) << "span " << want.id;
  EXPECT_EQ(got.end_us, want.end_us) << "span " << want.id;
  EXPECT_EQ(Sorted(got.tags), Sorted(want.tags)) << "span " << want.id;
}

SpanSpec MakeSpec(SpanKind kind, std::string name, uint64_t parent = 0,
                  std::vector<std::string> tags = {}, TimestampMicros start_us = 0,
                  TimestampMicros end_us = 0) {
  SpanSpec spec;
  spec.kind = kind;
  spec.name = std::move(name);
  spec.parent = parent;
  spec.tags = std::move(tags);
  spec.start_us = start_us;
  spec.end_us = end_us;
  return spec;
}

// Every id a query yields, following next_after_id to the end. Checks the
// paging contract on the way: pages hold at most `limit` spans in ascending
// id order, above the cursor.
std::vector<uint64_t> QueryAllIds(Database& db, const std::string& run, SpanQuery q,
                                  std::vector<Span>* spans = nullptr) {
  std::vector<uint64_t> ids;
  for (int pages = 0; pages < 100000; ++pages) {
    absl::StatusOr<SpanPage> page = db.TraceQuery(run, q);
    EXPECT_TRUE(page.ok()) << page.status();
    if (!page.ok()) break;
    EXPECT_LE(page->spans.size(), q.limit);
    uint64_t prev = q.after_id;
    for (const auto& s : page->spans) {
      EXPECT_GT(s.value.id, prev);
      prev = s.value.id;
      ids.push_back(s.value.id);
      if (spans != nullptr) spans->push_back(s.value);
      EXPECT_GT(s.version, 0u);
      EXPECT_GT(s.timestamp_us, 0);
    }
    if (page->next_after_id == 0) break;
    EXPECT_EQ(page->spans.size(), q.limit) << "a page with a cursor must be full";
    EXPECT_FALSE(page->spans.empty());
    if (page->spans.empty()) break;
    EXPECT_EQ(page->next_after_id, page->spans.back().value.id);
    q.after_id = page->next_after_id;
  }
  return ids;
}

std::vector<Span> AllSpans(Database& db, const std::string& run) {
  SpanQuery q;
  q.limit = kMaxListLimit;
  std::vector<Span> spans;
  QueryAllIds(db, run, q, &spans);
  return spans;
}

class TraceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<Database>> db = Database::OpenInMemory();
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    ASSERT_OK(db_->CreateRun("r1"));
  }
  std::unique_ptr<Database> db_;
};

TEST_F(TraceTest, RecordCompletedSpanAndGetItBack) {
  SpanSpec spec = MakeSpec(SpanKind::kToolCall, "web.search", 0, {"net", "slow", "alpha"},
                           1'000'000, 1'002'500);
  spec.input = Value(Value::Object{{"q", Value("strata")}, {"k", Value(5)}});
  spec.output = Value(Value::Array{Value("r1"), Value("r2")});
  spec.status = SpanStatus::kError;
  const Version before = db_->CurrentVersion();
  ASSERT_OK_AND_ASSIGN(uint64_t id, db_->TraceRecord("r1", spec));
  EXPECT_EQ(id, 1u);
  EXPECT_EQ(db_->CurrentVersion(), before + 1);

  ASSERT_OK_AND_ASSIGN(Versioned<Span> got, db_->TraceGet("r1", id));
  EXPECT_EQ(got.version, before + 1);
  EXPECT_GT(got.timestamp_us, 0);
  Span want;
  want.id = 1;
  want.kind = SpanKind::kToolCall;
  want.name = "web.search";
  want.parent = 0;
  want.status = SpanStatus::kError;
  want.input = spec.input;
  want.output = spec.output;
  want.start_us = 1'000'000;
  want.end_us = 1'002'500;
  want.tags = {"alpha", "net", "slow"};
  ExpectSpanEq(got.value, want);

  // A child of every other kind, each with the default status ok.
  const SpanKind kinds[] = {SpanKind::kDecision, SpanKind::kQuery, SpanKind::kThought,
                            SpanKind::kCustom};
  uint64_t expected_id = 2;
  for (SpanKind kind : kinds) {
    SpanSpec child = MakeSpec(kind, std::string(SpanKindName(kind)), 1, {}, 1'000'100,
                              1'000'200);
    child.input = Value(static_cast<int64_t>(expected_id));
    ASSERT_OK_AND_ASSIGN(uint64_t cid, db_->TraceRecord("r1", child));
    EXPECT_EQ(cid, expected_id);
    ASSERT_OK_AND_ASSIGN(Versioned<Span> c, db_->TraceGet("r1", cid));
    EXPECT_EQ(c.value.kind, kind);
    EXPECT_EQ(c.value.parent, 1u);
    EXPECT_EQ(c.value.status, SpanStatus::kOk);
    EXPECT_EQ(c.value.input, Value(static_cast<int64_t>(expected_id)));
    EXPECT_TRUE(c.value.output.is_null());
    EXPECT_TRUE(c.value.tags.empty());
    ++expected_id;
  }

  // Duplicate tags are stored once.
  ASSERT_OK_AND_ASSIGN(uint64_t dup,
                       db_->TraceRecord("r1", MakeSpec(SpanKind::kThought, "dup", 0,
                                                       {"x", "y", "x"})));
  ASSERT_OK_AND_ASSIGN(Versioned<Span> d, db_->TraceGet("r1", dup));
  EXPECT_EQ(Sorted(d.value.tags), (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(d.value.tags.size(), 2u);

  // start_us/end_us of 0 mean now.
  const int64_t t0 = WallMicros();
  ASSERT_OK_AND_ASSIGN(uint64_t now_id,
                       db_->TraceRecord("r1", MakeSpec(SpanKind::kQuery, "now")));
  const int64_t t1 = WallMicros();
  ASSERT_OK_AND_ASSIGN(Versioned<Span> n, db_->TraceGet("r1", now_id));
  EXPECT_GE(n.value.start_us, t0 - 1000);
  EXPECT_LE(n.value.start_us, t1 + 1000);
  EXPECT_GE(n.value.end_us, n.value.start_us);
  EXPECT_LE(n.value.end_us, t1 + 1000);

  // The span is addressable as an entity.
  ASSERT_OK_AND_ASSIGN(Versioned<Value> as_value,
                       db_->Get(EntityRef{"r1", Primitive::kTrace, "1", {}, {}}));
  ASSERT_TRUE(as_value.value.is_object());
  EXPECT_EQ(as_value.value.AsObject().at("name"), Value("web.search"));
  EXPECT_EQ(as_value.value.AsObject().at("kind"), Value("tool_call"));
  EXPECT_EQ(as_value.value.AsObject().at("status"), Value("error"));
  EXPECT_EQ(as_value.version, got.version);

  EXPECT_ERROR(db_->TraceGet("r1", 0), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->TraceGet("r1", 999), ErrorCode::kNotFound);
}

TEST_F(TraceTest, IdsAreDensePerRun) {
  ASSERT_OK(db_->CreateRun("r2"));
  std::map<std::string, uint64_t> next = {{"r1", 1}, {"r2", 1}, {kDefaultRun, 1}};
  std::mt19937_64 rng(TestSeed());
  const std::string runs[] = {"r1", "r2", kDefaultRun};
  for (int i = 0; i < 120; ++i) {
    const std::string& run = runs[rng() % 3];
    absl::StatusOr<uint64_t> id =
        rng() % 2 == 0 ? db_->TraceRecord(run, MakeSpec(SpanKind::kThought, "t"))
                       : db_->TraceBegin(run, MakeSpec(SpanKind::kDecision, "d"));
    ASSERT_TRUE(id.ok()) << id.status();
    EXPECT_EQ(*id, next[run]) << run;
    ++next[run];
  }
  for (const auto& [run, n] : next) {
    ASSERT_OK_AND_ASSIGN(uint64_t count, db_->TraceCount(run));
    EXPECT_EQ(count, n - 1) << run;
    ASSERT_OK_AND_ASSIGN(uint64_t entity_count, db_->Count(run, Primitive::kTrace));
    EXPECT_EQ(entity_count, n - 1) << run;
    std::vector<Span> all = AllSpans(*db_, run);
    ASSERT_EQ(all.size(), n - 1);
    for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].id, i + 1);
  }
}

TEST_F(TraceTest, BeginThenEnd) {
  SpanSpec spec = MakeSpec(SpanKind::kToolCall, "fetch", 0, {"io"});
  spec.input = Value("url");
  // Fields only for TraceRecord are ignored by TraceBegin.
  spec.output = Value("ignored");
  spec.end_us = 42;
  const int64_t t0 = WallMicros();
  ASSERT_OK_AND_ASSIGN(uint64_t id, db_->TraceBegin("r1", spec));
  EXPECT_EQ(id, 1u);
  ASSERT_OK_AND_ASSIGN(Versioned<Span> running, db_->TraceGet("r1", id));
  EXPECT_EQ(running.value.status, SpanStatus::kRunning);
  EXPECT_EQ(running.value.end_us, 0);
  EXPECT_TRUE(running.value.output.is_null());
  EXPECT_EQ(running.value.input, Value("url"));
  EXPECT_GE(running.value.start_us, t0 - 1000);
  EXPECT_LE(running.value.start_us, WallMicros() + 1000);

  // A child may start under a running span.
  ASSERT_OK_AND_ASSIGN(uint64_t child,
                       db_->TraceBegin("r1", MakeSpec(SpanKind::kQuery, "sub", id)));
  EXPECT_EQ(child, 2u);

  ASSERT_OK_AND_ASSIGN(Version v_end,
                       db_->TraceEnd("r1", id, SpanStatus::kOk, Value(Value::Object{
                                                                    {"bytes", Value(10)}})));
  EXPECT_EQ(v_end, db_->CurrentVersion());
  ASSERT_OK_AND_ASSIGN(Versioned<Span> ended, db_->TraceGet("r1", id));
  EXPECT_EQ(ended.version, v_end);
  EXPECT_EQ(ended.value.status, SpanStatus::kOk);
  EXPECT_GE(ended.value.end_us, ended.value.start_us);
  EXPECT_LE(ended.value.end_us, WallMicros() + 1000);
  EXPECT_EQ(ended.value.output, Value(Value::Object{{"bytes", Value(10)}}));
  // Begin-time fields are unchanged.
  EXPECT_EQ(ended.value.start_us, running.value.start_us);
  EXPECT_EQ(ended.value.input, Value("url"));
  EXPECT_EQ(ended.value.tags, std::vector<std::string>{"io"});
  EXPECT_EQ(ended.value.kind, SpanKind::kToolCall);

  // An explicit end time, and the other final statuses.
  ASSERT_OK_AND_ASSIGN(uint64_t s3,
                       db_->TraceBegin("r1", MakeSpec(SpanKind::kThought, "x", 0, {}, 5000)));
  ASSERT_OK(db_->TraceEnd("r1", s3, SpanStatus::kCancelled, Value(), 5000));  // end == start.
  ASSERT_OK_AND_ASSIGN(Versioned<Span> c3, db_->TraceGet("r1", s3));
  EXPECT_EQ(c3.value.status, SpanStatus::kCancelled);
  EXPECT_EQ(c3.value.start_us, 5000);
  EXPECT_EQ(c3.value.end_us, 5000);
  ASSERT_OK(db_->TraceEnd("r1", child, SpanStatus::kError, Value("boom"), 0));
  ASSERT_OK_AND_ASSIGN(Versioned<Span> c2, db_->TraceGet("r1", child));
  EXPECT_EQ(c2.value.status, SpanStatus::kError);
  EXPECT_EQ(c2.value.output, Value("boom"));
  // Ending does not consume ids.
  ASSERT_OK_AND_ASSIGN(uint64_t count, db_->TraceCount("r1"));
  EXPECT_EQ(count, 3u);
}

TEST_F(TraceTest, EndErrors) {
  ASSERT_OK_AND_ASSIGN(uint64_t id,
                       db_->TraceBegin("r1", MakeSpec(SpanKind::kQuery, "q", 0, {}, 10'000)));
  const Version v0 = db_->CurrentVersion();

  // Running is not a final status.
  EXPECT_ERROR(db_->TraceEnd("r1", id, SpanStatus::kRunning, Value()),
               ErrorCode::kInvalidArgument);
  // End before start.
  EXPECT_ERROR(db_->TraceEnd("r1", id, SpanStatus::kOk, Value(), 9'999),
               ErrorCode::kInvalidArgument);
  // Unknown span, span 0, unknown run, malformed run.
  EXPECT_ERROR(db_->TraceEnd("r1", id + 1, SpanStatus::kOk, Value()), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->TraceEnd("r1", 0, SpanStatus::kOk, Value()), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->TraceEnd("nope", id, SpanStatus::kOk, Value()), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->TraceEnd("bad run", id, SpanStatus::kOk, Value()),
               ErrorCode::kInvalidArgument);
  // Nothing was written by the failures.
  EXPECT_EQ(db_->CurrentVersion(), v0);
  ASSERT_OK_AND_ASSIGN(Versioned<Span> still, db_->TraceGet("r1", id));
  EXPECT_EQ(still.value.status, SpanStatus::kRunning);
  EXPECT_EQ(still.value.end_us, 0);

  ASSERT_OK(db_->TraceEnd("r1", id, SpanStatus::kOk, Value("first"), 20'000));
  // Ending twice.
  absl::StatusOr<Version> again = db_->TraceEnd("r1", id, SpanStatus::kError, Value("second"));
  EXPECT_ERROR(again, ErrorCode::kFailedPrecondition);
  ASSERT_OK_AND_ASSIGN(Versioned<Span> done, db_->TraceGet("r1", id));
  EXPECT_EQ(done.value.status, SpanStatus::kOk);
  EXPECT_EQ(done.value.output, Value("first"));
  EXPECT_EQ(done.value.end_us, 20'000);
  // A recorded span is already ended.
  ASSERT_OK_AND_ASSIGN(uint64_t rec, db_->TraceRecord("r1", MakeSpec(SpanKind::kQuery, "r")));
  EXPECT_ERROR(db_->TraceEnd("r1", rec, SpanStatus::kOk, Value()),
               ErrorCode::kFailedPrecondition);
}

TEST_F(TraceTest, BadInput) {
  const Version v0 = db_->CurrentVersion();
  auto both = [&](const SpanSpec& spec, ErrorCode code) {
    SCOPED_TRACE(spec.name.substr(0, 40));
    EXPECT_ERROR(db_->TraceRecord("r1", spec), code);
    EXPECT_ERROR(db_->TraceBegin("r1", spec), code);
  };
  // Empty name, NUL in the name, name too long.
  both(MakeSpec(SpanKind::kThought, ""), ErrorCode::kInvalidArgument);
  both(MakeSpec(SpanKind::kThought, std::string("a\0b", 3)), ErrorCode::kInvalidArgument);
  both(MakeSpec(SpanKind::kThought, std::string(kMaxSpanNameBytes + 1, 'n')),
       ErrorCode::kResourceExhausted);
  // Too many tags, an empty tag, a tag with NUL, a tag too long.
  std::vector<std::string> many;
  for (size_t i = 0; i <= kMaxTagsPerEntity; ++i) many.push_back("t" + std::to_string(i));
  both(MakeSpec(SpanKind::kThought, "many", 0, many), ErrorCode::kResourceExhausted);
  both(MakeSpec(SpanKind::kThought, "empty-tag", 0, {"ok", ""}), ErrorCode::kInvalidArgument);
  both(MakeSpec(SpanKind::kThought, "nul-tag", 0, {std::string("x\0y", 3)}),
       ErrorCode::kInvalidArgument);
  both(MakeSpec(SpanKind::kThought, "long-tag", 0, {std::string(kMaxTagBytes + 1, 'g')}),
       ErrorCode::kResourceExhausted);
  // A kind or status outside the enum.
  both(MakeSpec(static_cast<SpanKind>(0), "kind0"), ErrorCode::kInvalidArgument);
  both(MakeSpec(static_cast<SpanKind>(77), "kind77"), ErrorCode::kInvalidArgument);
  SpanSpec bad_status = MakeSpec(SpanKind::kThought, "st");
  bad_status.status = static_cast<SpanStatus>(9);
  EXPECT_ERROR(db_->TraceRecord("r1", bad_status), ErrorCode::kInvalidArgument);
  // Parent that does not exist.
  both(MakeSpec(SpanKind::kThought, "orphan", 7), ErrorCode::kNotFound);
  // Record: status running, end before start, negative start.
  SpanSpec running = MakeSpec(SpanKind::kThought, "running");
  running.status = SpanStatus::kRunning;
  EXPECT_ERROR(db_->TraceRecord("r1", running), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(db_->TraceRecord("r1", MakeSpec(SpanKind::kThought, "back", 0, {}, 2000, 1999)),
               ErrorCode::kInvalidArgument);
  both(MakeSpec(SpanKind::kThought, "neg", 0, {}, -5), ErrorCode::kInvalidArgument);
  // Unknown and malformed runs.
  EXPECT_ERROR(db_->TraceRecord("nope", MakeSpec(SpanKind::kThought, "x")),
               ErrorCode::kNotFound);
  EXPECT_ERROR(db_->TraceBegin("nope", MakeSpec(SpanKind::kThought, "x")),
               ErrorCode::kNotFound);
  EXPECT_ERROR(db_->TraceRecord("", MakeSpec(SpanKind::kThought, "x")),
               ErrorCode::kInvalidArgument);
  EXPECT_ERROR(db_->TraceRecord("a/b", MakeSpec(SpanKind::kThought, "x")),
               ErrorCode::kInvalidArgument);
  EXPECT_ERROR(db_->TraceGet("nope", 1), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->TraceQuery("nope", SpanQuery{}), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->TraceTree("nope"), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->TraceCount("nope"), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->TraceCount("a b"), ErrorCode::kInvalidArgument);
  // Query limits and filters.
  SpanQuery q;
  q.limit = 0;
  EXPECT_ERROR(db_->TraceQuery("r1", q), ErrorCode::kInvalidArgument);
  q.limit = kMaxListLimit + 1;
  EXPECT_ERROR(db_->TraceQuery("r1", q), ErrorCode::kInvalidArgument);
  q.limit = 10;
  q.name = "";
  EXPECT_ERROR(db_->TraceQuery("r1", q), ErrorCode::kInvalidArgument);
  q.name.reset();
  q.tag = std::string("a\0", 2);
  EXPECT_ERROR(db_->TraceQuery("r1", q), ErrorCode::kInvalidArgument);

  // None of it wrote anything.
  EXPECT_EQ(db_->CurrentVersion(), v0);
  ASSERT_OK_AND_ASSIGN(uint64_t count, db_->TraceCount("r1"));
  EXPECT_EQ(count, 0u);

  // The limits themselves are fine.
  many.pop_back();
  ASSERT_EQ(many.size(), kMaxTagsPerEntity);
  ASSERT_OK_AND_ASSIGN(
      uint64_t id,
      db_->TraceRecord("r1", MakeSpec(SpanKind::kCustom, std::string(kMaxSpanNameBytes, 'n'),
                                      0, many)));
  EXPECT_EQ(id, 1u);
  ASSERT_OK_AND_ASSIGN(Versioned<Span> got, db_->TraceGet("r1", id));
  EXPECT_EQ(got.value.tags.size(), kMaxTagsPerEntity);
  q = SpanQuery{};
  q.tag = "t63";
  EXPECT_EQ(QueryAllIds(*db_, "r1", q), std::vector<uint64_t>{1});
}

TEST_F(TraceTest, QueryByEachFilter) {
  // id: kind, name, parent, tags, start
  struct Row {
    SpanKind kind;
    const char* name;
    uint64_t parent;
    std::vector<std::string> tags;
    TimestampMicros start;
  };
  const std::vector<Row> rows = {
      {SpanKind::kToolCall, "search", 0, {"a"}, 100},        // 1
      {SpanKind::kDecision, "plan", 1, {"a", "b"}, 200},     // 2
      {SpanKind::kToolCall, "search", 1, {"b"}, 300},        // 3
      {SpanKind::kThought, "think", 0, {}, 400},             // 4
      {SpanKind::kToolCall, "fetch", 3, {"a", "c"}, 500},    // 5
      {SpanKind::kQuery, "search", 0, {"c"}, 600},           // 6
      {SpanKind::kToolCall, "search2", 4, {"ab"}, 700},      // 7 (prefix traps)
      {SpanKind::kCustom, "sear", 2, {"a"}, 800},            // 8
  };
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    ASSERT_OK_AND_ASSIGN(uint64_t id,
                         db_->TraceRecord("r1", MakeSpec(r.kind, r.name, r.parent, r.tags,
                                                         r.start, r.start + 10)));
    ASSERT_EQ(id, i + 1);
  }
  // Another run's spans never show up.
  ASSERT_OK(db_->CreateRun("other"));
  ASSERT_OK(db_->TraceRecord("other", MakeSpec(SpanKind::kToolCall, "search", 0, {"a"}, 150)));

  auto ids = [&](SpanQuery q) { return QueryAllIds(*db_, "r1", q); };
  using V = std::vector<uint64_t>;
  SpanQuery q;
  EXPECT_EQ(ids(q), (V{1, 2, 3, 4, 5, 6, 7, 8}));
  q = {};
  q.kind = SpanKind::kToolCall;
  EXPECT_EQ(ids(q), (V{1, 3, 5, 7}));
  q = {};
  q.kind = SpanKind::kThought;
  EXPECT_EQ(ids(q), (V{4}));
  q = {};
  q.name = "search";
  EXPECT_EQ(ids(q), (V{1, 3, 6}));
  q = {};
  q.name = "sea";
  EXPECT_EQ(ids(q), V{});
  q = {};
  q.parent = 0;
  EXPECT_EQ(ids(q), (V{1, 4, 6}));
  q = {};
  q.parent = 1;
  EXPECT_EQ(ids(q), (V{2, 3}));
  q = {};
  q.parent = 99;
  EXPECT_EQ(ids(q), V{});
  q = {};
  q.tag = "a";
  EXPECT_EQ(ids(q), (V{1, 2, 5, 8}));
  q = {};
  q.tag = "ab";
  EXPECT_EQ(ids(q), (V{7}));
  q = {};
  q.tag = "zzz";
  EXPECT_EQ(ids(q), V{});
  q = {};
  q.from_us = 300;
  EXPECT_EQ(ids(q), (V{3, 4, 5, 6, 7, 8}));
  q = {};
  q.to_us = 300;
  EXPECT_EQ(ids(q), (V{1, 2, 3}));
  q = {};
  q.from_us = 250;
  q.to_us = 650;
  EXPECT_EQ(ids(q), (V{3, 4, 5, 6}));
  q = {};
  q.from_us = 700;
  q.to_us = 600;
  EXPECT_EQ(ids(q), V{});
  // Combined filters.
  q = {};
  q.kind = SpanKind::kToolCall;
  q.tag = "a";
  EXPECT_EQ(ids(q), (V{1, 5}));
  q = {};
  q.name = "search";
  q.parent = 0;
  EXPECT_EQ(ids(q), (V{1, 6}));
  q = {};
  q.name = "search";
  q.kind = SpanKind::kToolCall;
  q.from_us = 200;
  EXPECT_EQ(ids(q), (V{3}));
  q = {};
  q.parent = 1;
  q.tag = "b";
  q.kind = SpanKind::kDecision;
  q.name = "plan";
  q.from_us = 200;
  q.to_us = 200;
  EXPECT_EQ(ids(q), (V{2}));
  q = {};
  q.tag = "c";
  q.to_us = 550;
  EXPECT_EQ(ids(q), (V{5}));
  // A cursor alone.
  q = {};
  q.after_id = 5;
  EXPECT_EQ(ids(q), (V{6, 7, 8}));
  q = {};
  q.tag = "a";
  q.after_id = 2;
  EXPECT_EQ(ids(q), (V{5, 8}));
  q = {};
  q.after_id = UINT64_MAX;
  EXPECT_EQ(ids(q), V{});
  // Paging with limit 1 and 3, unfiltered and through an index.
  for (uint32_t limit : {1u, 3u}) {
    q = {};
    q.limit = limit;
    EXPECT_EQ(ids(q), (V{1, 2, 3, 4, 5, 6, 7, 8})) << limit;
    q.kind = SpanKind::kToolCall;
    EXPECT_EQ(ids(q), (V{1, 3, 5, 7})) << limit;
  }
  // The first page reports where to continue.
  q = {};
  q.limit = 2;
  q.name = "search";
  ASSERT_OK_AND_ASSIGN(SpanPage page, db_->TraceQuery("r1", q));
  ASSERT_EQ(page.spans.size(), 2u);
  EXPECT_EQ(page.spans[0].value.id, 1u);
  EXPECT_EQ(page.spans[1].value.id, 3u);
  EXPECT_EQ(page.next_after_id, 3u);
  // A query of an empty run.
  ASSERT_OK(db_->CreateRun("empty"));
  ASSERT_OK_AND_ASSIGN(page, db_->TraceQuery("empty", SpanQuery{}));
  EXPECT_TRUE(page.spans.empty());
  EXPECT_EQ(page.next_after_id, 0u);
}

TEST_F(TraceTest, RandomQueriesMatchBruteForce) {
  std::mt19937_64 rng(TestSeed());
  const std::vector<std::string> names = {"a", "ab", "b", "search", "plan", "x"};
  const std::vector<std::string> tag_pool = {"t", "t1", "tt", "u", "v"};
  const int n = 250;
  std::vector<Span> model;  // model[i] has id i + 1.
  for (int i = 0; i < n; ++i) {
    SpanSpec spec;
    spec.kind = static_cast<SpanKind>(1 + rng() % 5);
    spec.name = names[rng() % names.size()];
    spec.parent = (i == 0 || rng() % 3 == 0) ? 0 : 1 + rng() % i;
    for (const std::string& t : tag_pool) {
      if (rng() % 3 == 0) spec.tags.push_back(t);
    }
    spec.start_us = 1000 + static_cast<int64_t>(rng() % 400);
    spec.input = Value(static_cast<int64_t>(i));
    const bool begin = rng() % 4 == 0;
    Span s;
    s.id = static_cast<uint64_t>(i + 1);
    s.kind = spec.kind;
    s.name = spec.name;
    s.parent = spec.parent;
    s.input = spec.input;
    s.start_us = spec.start_us;
    s.tags = Sorted(spec.tags);
    absl::StatusOr<uint64_t> id;
    if (begin) {
      id = db_->TraceBegin("r1", spec);
      s.status = SpanStatus::kRunning;
    } else {
      spec.status = static_cast<SpanStatus>(1 + rng() % 3);
      spec.end_us = spec.start_us + static_cast<int64_t>(rng() % 50);
      spec.output = Value("out" + std::to_string(i));
      id = db_->TraceRecord("r1", spec);
      s.status = spec.status;
      s.end_us = spec.end_us;
      s.output = spec.output;
    }
    ASSERT_TRUE(id.ok()) << id.status();
    ASSERT_EQ(*id, s.id);
    model.push_back(std::move(s));
  }
  // End some of the running spans.
  for (Span& s : model) {
    if (s.status == SpanStatus::kRunning && rng() % 2 == 0) {
      s.status = SpanStatus::kOk;
      s.end_us = s.start_us + 7;
      s.output = Value("late");
      ASSERT_OK(db_->TraceEnd("r1", s.id, s.status, s.output, s.end_us));
    }
  }
  // Everything round-trips.
  std::vector<Span> all = AllSpans(*db_, "r1");
  ASSERT_EQ(all.size(), model.size());
  for (size_t i = 0; i < all.size(); ++i) ExpectSpanEq(all[i], model[i]);

  auto matches = [](const Span& s, const SpanQuery& q) {
    if (q.kind && s.kind != *q.kind) return false;
    if (q.name && s.name != *q.name) return false;
    if (q.parent && s.parent != *q.parent) return false;
    if (q.tag && std::find(s.tags.begin(), s.tags.end(), *q.tag) == s.tags.end()) return false;
    if (q.from_us && s.start_us < *q.from_us) return false;
    if (q.to_us && s.start_us > *q.to_us) return false;
    return s.id > q.after_id;
  };
  for (int round = 0; round < 300; ++round) {
    SpanQuery q;
    if (rng() % 3 == 0) q.kind = static_cast<SpanKind>(1 + rng() % 5);
    if (rng() % 3 == 0) q.name = names[rng() % names.size()];
    if (rng() % 3 == 0) q.parent = rng() % 2 == 0 ? 0 : rng() % (n + 5);
    if (rng() % 3 == 0) q.tag = rng() % 8 == 0 ? "none" : tag_pool[rng() % tag_pool.size()];
    if (rng() % 4 == 0) q.from_us = 1000 + static_cast<int64_t>(rng() % 400);
    if (rng() % 4 == 0) q.to_us = 1000 + static_cast<int64_t>(rng() % 400);
    if (rng() % 5 == 0) q.after_id = rng() % (n + 1);
    q.limit = rng() % 4 == 0 ? 1 + rng() % 3 : 1 + rng() % 60;
    std::vector<uint64_t> want;
    for (const Span& s : model) {
      if (matches(s, q)) want.push_back(s.id);
    }
    std::vector<Span> got_spans;
    std::vector<uint64_t> got = QueryAllIds(*db_, "r1", q, &got_spans);
    ASSERT_EQ(got, want) << "round " << round << " limit " << q.limit
                         << " kind=" << (q.kind ? static_cast<int>(*q.kind) : -1)
                         << " name=" << q.name.value_or("-")
                         << " parent=" << (q.parent ? std::to_string(*q.parent) : "-")
                         << " tag=" << q.tag.value_or("-")
                         << " from=" << q.from_us.value_or(-1) << " to=" << q.to_us.value_or(-1)
                         << " after=" << q.after_id;
    for (const Span& s : got_spans) ExpectSpanEq(s, model[s.id - 1]);
  }
}

TEST_F(TraceTest, TreeIsDepthFirstPreOrder) {
  ASSERT_OK_AND_ASSIGN(std::vector<SpanTreeNode> empty, db_->TraceTree("r1"));
  EXPECT_TRUE(empty.empty());

  std::mt19937_64 rng(TestSeed());
  const int n = 200;
  std::vector<uint64_t> parent(n + 1, 0);
  for (int id = 1; id <= n; ++id) {
    // Mostly deep chains near the newest spans, some roots, some anywhere.
    uint64_t p = 0;
    const uint64_t r = rng() % 10;
    if (id > 1 && r < 5) p = id - 1 - rng() % std::min<uint64_t>(id - 1, 3);
    else if (id > 1 && r < 8) p = 1 + rng() % (id - 1);
    parent[id] = p;
    absl::StatusOr<uint64_t> got =
        rng() % 2 == 0 ? db_->TraceRecord("r1", MakeSpec(SpanKind::kThought,
                                                          "s" + std::to_string(id), p))
                       : db_->TraceBegin("r1", MakeSpec(SpanKind::kQuery,
                                                         "s" + std::to_string(id), p));
    ASSERT_TRUE(got.ok()) << got.status();
    ASSERT_EQ(*got, static_cast<uint64_t>(id));
  }
  // Expected pre-order: roots in id order, children in id order.
  std::map<uint64_t, std::vector<uint64_t>> children;
  for (int id = 1; id <= n; ++id) children[parent[id]].push_back(id);
  std::vector<std::pair<uint64_t, uint32_t>> want;
  std::vector<std::pair<uint64_t, uint32_t>> stack;
  for (auto it = children[0].rbegin(); it != children[0].rend(); ++it) stack.emplace_back(*it, 0);
  while (!stack.empty()) {
    auto [id, depth] = stack.back();
    stack.pop_back();
    want.emplace_back(id, depth);
    auto& ch = children[id];
    for (auto it = ch.rbegin(); it != ch.rend(); ++it) stack.emplace_back(*it, depth + 1);
  }
  ASSERT_OK_AND_ASSIGN(std::vector<SpanTreeNode> tree, db_->TraceTree("r1"));
  ASSERT_EQ(tree.size(), static_cast<size_t>(n));
  for (size_t i = 0; i < tree.size(); ++i) {
    EXPECT_EQ(tree[i].span.id, want[i].first) << "position " << i;
    EXPECT_EQ(tree[i].depth, want[i].second) << "position " << i;
    EXPECT_EQ(tree[i].span.parent, parent[tree[i].span.id]);
    EXPECT_EQ(tree[i].span.name, "s" + std::to_string(tree[i].span.id));
  }
  // The depth of every node is its parent's depth + 1, and a parent comes
  // before its children.
  std::map<uint64_t, uint32_t> depth_of;
  for (const SpanTreeNode& node : tree) {
    if (node.span.parent == 0) {
      EXPECT_EQ(node.depth, 0u);
    } else {
      ASSERT_TRUE(depth_of.count(node.span.parent)) << node.span.id;
      EXPECT_EQ(node.depth, depth_of[node.span.parent] + 1);
    }
    depth_of[node.span.id] = node.depth;
  }
  ASSERT_OK_AND_ASSIGN(uint64_t count, db_->TraceCount("r1"));
  EXPECT_EQ(count, static_cast<uint64_t>(n));
}

TEST_F(TraceTest, SpansInATransactionWithOtherWrites) {
  ASSERT_OK(db_->TraceRecord("r1", MakeSpec(SpanKind::kThought, "before")));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> txn, db_->BeginTransaction());
  ASSERT_OK_AND_ASSIGN(uint64_t root, txn->TraceBegin("r1", MakeSpec(SpanKind::kToolCall,
                                                                     "root", 0, {"tx"})));
  EXPECT_EQ(root, 2u);
  // The transaction sees its own span: as a parent, for get and query, and
  // to end it.
  ASSERT_OK_AND_ASSIGN(uint64_t child,
                       txn->TraceRecord("r1", MakeSpec(SpanKind::kQuery, "child", root, {"tx"})));
  EXPECT_EQ(child, 3u);
  ASSERT_OK_AND_ASSIGN(Versioned<Span> in_txn, txn->TraceGet("r1", root));
  EXPECT_EQ(in_txn.value.status, SpanStatus::kRunning);
  SpanQuery q;
  q.tag = "tx";
  ASSERT_OK_AND_ASSIGN(SpanPage page, txn->TraceQuery("r1", q));
  ASSERT_EQ(page.spans.size(), 2u);
  EXPECT_EQ(page.spans[0].value.id, root);
  EXPECT_EQ(page.spans[1].value.id, child);
  ASSERT_OK(txn->TraceEnd("r1", root, SpanStatus::kOk, Value("done")));
  ASSERT_OK(txn->KvPut("r1", "k", Value(1)));
  ASSERT_OK(txn->EventAppend("r1", "ev", Value(2)).status());
  ASSERT_OK(txn->StateSet("r1", "cell", Value(3)));
  ASSERT_OK(txn->TraceRecord(kDefaultRun, MakeSpec(SpanKind::kThought, "elsewhere")).status());

  // Nothing is visible outside before commit.
  EXPECT_ERROR(db_->TraceGet("r1", root), ErrorCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(uint64_t count, db_->TraceCount("r1"));
  EXPECT_EQ(count, 1u);
  ASSERT_OK_AND_ASSIGN(page, db_->TraceQuery("r1", q));
  EXPECT_TRUE(page.spans.empty());
  EXPECT_ERROR(db_->KvGet("r1", "k"), ErrorCode::kNotFound);

  ASSERT_OK_AND_ASSIGN(Version v, txn->Commit());
  ASSERT_OK_AND_ASSIGN(Versioned<Span> got_root, db_->TraceGet("r1", root));
  EXPECT_EQ(got_root.version, v);
  EXPECT_EQ(got_root.value.status, SpanStatus::kOk);
  EXPECT_EQ(got_root.value.output, Value("done"));
  ASSERT_OK_AND_ASSIGN(Versioned<Span> got_child, db_->TraceGet("r1", child));
  EXPECT_EQ(got_child.version, v);
  EXPECT_EQ(got_child.value.parent, root);
  ASSERT_OK_AND_ASSIGN(Versioned<Value> kv, db_->KvGet("r1", "k"));
  EXPECT_EQ(kv.version, v);
  ASSERT_OK_AND_ASSIGN(Versioned<Event> ev, db_->EventRead("r1", 1));
  EXPECT_EQ(ev.version, v);
  ASSERT_OK_AND_ASSIGN(Versioned<Value> cell, db_->StateRead("r1", "cell"));
  EXPECT_EQ(cell.version, v);
  ASSERT_OK_AND_ASSIGN(Versioned<Span> elsewhere, db_->TraceGet(kDefaultRun, 1));
  EXPECT_EQ(elsewhere.version, v);
  ASSERT_OK_AND_ASSIGN(count, db_->TraceCount("r1"));
  EXPECT_EQ(count, 3u);
  ASSERT_OK_AND_ASSIGN(page, db_->TraceQuery("r1", q));
  EXPECT_EQ(page.spans.size(), 2u);
  ASSERT_OK_AND_ASSIGN(std::vector<SpanTreeNode> tree, db_->TraceTree("r1"));
  ASSERT_EQ(tree.size(), 3u);
  EXPECT_EQ(tree[2].span.id, child);
  EXPECT_EQ(tree[2].depth, 1u);
}

TEST_F(TraceTest, SpansInARunCreatedByTheSameTransaction) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> txn, db_->BeginTransaction());
  ASSERT_OK(txn->CreateRun("fresh"));
  ASSERT_OK_AND_ASSIGN(uint64_t a, txn->TraceBegin("fresh", MakeSpec(SpanKind::kQuery, "a")));
  ASSERT_OK_AND_ASSIGN(uint64_t b,
                       txn->TraceRecord("fresh", MakeSpec(SpanKind::kQuery, "b", a, {"t"})));
  EXPECT_EQ(a, 1u);
  EXPECT_EQ(b, 2u);
  SpanQuery q;
  q.parent = a;
  ASSERT_OK_AND_ASSIGN(SpanPage page, txn->TraceQuery("fresh", q));
  ASSERT_EQ(page.spans.size(), 1u);
  EXPECT_EQ(page.spans[0].value.id, b);
  ASSERT_OK(txn->Commit());
  ASSERT_OK_AND_ASSIGN(uint64_t count, db_->TraceCount("fresh"));
  EXPECT_EQ(count, 2u);
  q = {};
  q.tag = "t";
  EXPECT_EQ(QueryAllIds(*db_, "fresh", q), std::vector<uint64_t>{b});
}

TEST_F(TraceTest, RollbackLeavesNothing) {
  ASSERT_OK_AND_ASSIGN(uint64_t first, db_->TraceBegin("r1", MakeSpec(SpanKind::kThought, "a")));
  const Version v0 = db_->CurrentVersion();
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> txn, db_->BeginTransaction());
    ASSERT_OK(txn->TraceRecord("r1", MakeSpec(SpanKind::kQuery, "gone", first, {"g"})));
    ASSERT_OK(txn->TraceEnd("r1", first, SpanStatus::kError, Value("no")));
    ASSERT_OK(txn->KvPut("r1", "k", Value(1)));
    txn->Rollback();
    EXPECT_ERROR(txn->Commit(), ErrorCode::kFailedPrecondition);
  }
  {
    // Destroyed without commit.
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> txn, db_->BeginTransaction());
    ASSERT_OK(txn->TraceRecord("r1", MakeSpec(SpanKind::kQuery, "gone2", 0, {"g"})));
  }
  EXPECT_EQ(db_->CurrentVersion(), v0);
  ASSERT_OK_AND_ASSIGN(uint64_t count, db_->TraceCount("r1"));
  EXPECT_EQ(count, 1u);
  EXPECT_ERROR(db_->TraceGet("r1", 2), ErrorCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(Versioned<Span> still, db_->TraceGet("r1", first));
  EXPECT_EQ(still.value.status, SpanStatus::kRunning);
  SpanQuery q;
  q.tag = "g";
  ASSERT_OK_AND_ASSIGN(SpanPage page, db_->TraceQuery("r1", q));
  EXPECT_TRUE(page.spans.empty());
  q = {};
  q.parent = first;
  ASSERT_OK_AND_ASSIGN(page, db_->TraceQuery("r1", q));
  EXPECT_TRUE(page.spans.empty());
  EXPECT_ERROR(db_->KvGet("r1", "k"), ErrorCode::kNotFound);
  // Ids continue densely.
  ASSERT_OK_AND_ASSIGN(uint64_t next, db_->TraceRecord("r1", MakeSpec(SpanKind::kQuery, "b")));
  EXPECT_EQ(next, 2u);
}

TEST_F(TraceTest, ConcurrentTransactionsRecordingConflict) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> a, db_->BeginTransaction());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> b, db_->BeginTransaction());
  ASSERT_OK_AND_ASSIGN(uint64_t ia, a->TraceRecord("r1", MakeSpec(SpanKind::kQuery, "a")));
  ASSERT_OK_AND_ASSIGN(uint64_t ib, b->TraceRecord("r1", MakeSpec(SpanKind::kQuery, "b")));
  EXPECT_EQ(ia, 1u);
  EXPECT_EQ(ib, 1u);  // Both read the same head...
  ASSERT_OK(a->Commit());
  EXPECT_ERROR(b->Commit(), ErrorCode::kConflict);  // ...so the second one conflicts.
  ASSERT_OK_AND_ASSIGN(Versioned<Span> s, db_->TraceGet("r1", 1));
  EXPECT_EQ(s.value.name, "a");
  ASSERT_OK_AND_ASSIGN(uint64_t count, db_->TraceCount("r1"));
  EXPECT_EQ(count, 1u);
}

TEST_F(TraceTest, ConcurrentRecordersGetUniqueDenseIds) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 100;
  std::vector<std::vector<uint64_t>> ids(kThreads);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        SpanSpec spec = MakeSpec(SpanKind::kToolCall, "t" + std::to_string(t), 0,
                                 {"w" + std::to_string(t)});
        spec.input = Value(static_cast<int64_t>(i));
        absl::StatusOr<uint64_t> id =
            i % 2 == 0 ? db_->TraceRecord("r1", spec) : db_->TraceBegin("r1", spec);
        if (!id.ok()) {
          ADD_FAILURE() << id.status();
          ++failures;
          continue;
        }
        ids[t].push_back(*id);
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_EQ(failures.load(), 0);
  std::set<uint64_t> all;
  for (int t = 0; t < kThreads; ++t) {
    // Each thread's ids grow.
    EXPECT_TRUE(std::is_sorted(ids[t].begin(), ids[t].end()));
    for (size_t i = 0; i < ids[t].size(); ++i) {
      EXPECT_TRUE(all.insert(ids[t][i]).second) << "duplicate id " << ids[t][i];
      ASSERT_OK_AND_ASSIGN(Versioned<Span> s, db_->TraceGet("r1", ids[t][i]));
      EXPECT_EQ(s.value.name, "t" + std::to_string(t));
      EXPECT_EQ(s.value.input, Value(static_cast<int64_t>(i)));
    }
  }
  const uint64_t total = kThreads * kPerThread;
  ASSERT_EQ(all.size(), total);
  EXPECT_EQ(*all.begin(), 1u);
  EXPECT_EQ(*all.rbegin(), total);
  ASSERT_OK_AND_ASSIGN(uint64_t count, db_->TraceCount("r1"));
  EXPECT_EQ(count, total);
  for (int t = 0; t < kThreads; ++t) {
    SpanQuery q;
    q.tag = "w" + std::to_string(t);
    EXPECT_EQ(QueryAllIds(*db_, "r1", q), ids[t]);
  }
}

TEST_F(TraceTest, ConcurrentEndsOfOneSpanExactlyOneWins) {
  for (int round = 0; round < 20; ++round) {
    ASSERT_OK_AND_ASSIGN(uint64_t id, db_->TraceBegin("r1", MakeSpec(SpanKind::kQuery, "q")));
    std::atomic<int> ok{0}, precondition{0}, other{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 3; ++t) {
      threads.emplace_back([&, t] {
        absl::StatusOr<Version> v =
            db_->TraceEnd("r1", id, SpanStatus::kOk, Value(static_cast<int64_t>(t)));
        if (v.ok()) {
          ++ok;
        } else if (GetErrorCode(v.status()) == ErrorCode::kFailedPrecondition) {
          ++precondition;
        } else {
          ++other;
        }
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(ok.load(), 1) << round;
    EXPECT_EQ(precondition.load(), 2) << round;
    EXPECT_EQ(other.load(), 0) << round;
  }
}

class TracePersistenceTest : public ::testing::TestWithParam<DurabilityMode> {};

TEST_P(TracePersistenceTest, ReopenKeepsSpansAndIndexes) {
  TempDir dir;
  const std::string path = dir.Sub("db");
  Options options;
  options.durability = GetParam();
  std::vector<Span> model;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, Database::Open(path, options));
    ASSERT_OK(db->CreateRun("r"));
    SpanSpec root = MakeSpec(SpanKind::kToolCall, "root", 0, {"x", "y"}, 1000, 2000);
    root.input = Value(Value::Object{{"a", Value(1)}});
    root.output = Value::MakeBytes(std::string("\0\1\2", 3));
    ASSERT_OK(db->TraceRecord("r", root));
    ASSERT_OK(db->TraceBegin("r", MakeSpec(SpanKind::kDecision, "choose", 1, {"y"}, 1100)));
    ASSERT_OK(db->TraceRecord("r", MakeSpec(SpanKind::kThought, "hmm", 2, {}, 1200, 1300)));
    ASSERT_OK(db->TraceBegin("r", MakeSpec(SpanKind::kQuery, "open", 0, {"x"}, 1400)));
    ASSERT_OK(db->TraceEnd("r", 2, SpanStatus::kCancelled, Value("stop"), 1500));
    model = AllSpans(*db, "r");
    ASSERT_EQ(model.size(), 4u);
    ASSERT_OK(db->Close());
  }
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, Database::Open(path, options));
  std::vector<Span> after = AllSpans(*db, "r");
  ASSERT_EQ(after.size(), model.size());
  for (size_t i = 0; i < after.size(); ++i) ExpectSpanEq(after[i], model[i]);
  EXPECT_EQ(after[0].output, Value::MakeBytes(std::string("\0\1\2", 3)));
  EXPECT_EQ(after[1].status, SpanStatus::kCancelled);
  EXPECT_EQ(after[3].status, SpanStatus::kRunning);
  using V = std::vector<uint64_t>;
  SpanQuery q;
  q.tag = "x";
  EXPECT_EQ(QueryAllIds(*db, "r", q), (V{1, 4}));
  q = {};
  q.parent = 0;
  EXPECT_EQ(QueryAllIds(*db, "r", q), (V{1, 4}));
  q = {};
  q.parent = 2;
  EXPECT_EQ(QueryAllIds(*db, "r", q), (V{3}));
  q = {};
  q.name = "choose";
  EXPECT_EQ(QueryAllIds(*db, "r", q), (V{2}));
  q = {};
  q.kind = SpanKind::kThought;
  EXPECT_EQ(QueryAllIds(*db, "r", q), (V{3}));
  ASSERT_OK_AND_ASSIGN(std::vector<SpanTreeNode> tree, db->TraceTree("r"));
  ASSERT_EQ(tree.size(), 4u);
  EXPECT_EQ(tree[0].span.id, 1u);
  EXPECT_EQ(tree[1].span.id, 2u);
  EXPECT_EQ(tree[1].depth, 1u);
  EXPECT_EQ(tree[2].span.id, 3u);
  EXPECT_EQ(tree[2].depth, 2u);
  EXPECT_EQ(tree[3].span.id, 4u);
  EXPECT_EQ(tree[3].depth, 0u);
  ASSERT_OK_AND_ASSIGN(uint64_t count, db->TraceCount("r"));
  EXPECT_EQ(count, 4u);
  // Ids continue, and the running span can still be ended.
  ASSERT_OK_AND_ASSIGN(uint64_t next, db->TraceRecord("r", MakeSpec(SpanKind::kQuery, "next")));
  EXPECT_EQ(next, 5u);
  ASSERT_OK(db->TraceEnd("r", 4, SpanStatus::kOk, Value(), 1600));
  EXPECT_ERROR(db->TraceEnd("r", 2, SpanStatus::kOk, Value()), ErrorCode::kFailedPrecondition);
  ASSERT_OK(db->Close());
  // And once more, with the post-reopen writes.
  ASSERT_OK_AND_ASSIGN(db, Database::Open(path, options));
  ASSERT_OK_AND_ASSIGN(Versioned<Span> four, db->TraceGet("r", 4));
  EXPECT_EQ(four.value.status, SpanStatus::kOk);
  EXPECT_EQ(four.value.end_us, 1600);
  ASSERT_OK_AND_ASSIGN(count, db->TraceCount("r"));
  EXPECT_EQ(count, 5u);
}

INSTANTIATE_TEST_SUITE_P(Modes, TracePersistenceTest,
                         ::testing::Values(DurabilityMode::kBuffered, DurabilityMode::kStrict),
                         ::strata::testing::DurabilityModeParamName());

}  // namespace
}  // namespace strata
