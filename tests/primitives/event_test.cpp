// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// The event log through the public API: dense per-run seqs, reads and
// listings (seq ranges, paging, by type, by time, combined), the hash chain
// and its verification, appends inside transactions, concurrent appenders,
// durability across reopen, damage (tampered records installed through the
// engine's internals, a flipped byte in the WAL) and argument validation.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "db/database_impl.hpp"
#include "env/env.hpp"
#include "env/fault_injection_env.hpp"
#include "gtest/gtest.h"
#include "primitives/event.hpp"
#include "storage/mvcc_store.hpp"
#include "storage/wal_format.hpp"
#include "storage/wal_reader.hpp"
#include "strata/database.hpp"
#include "strata/options.hpp"
#include "strata/primitives.hpp"
#include "strata/status.hpp"
#include "strata/types.hpp"
#include "strata/value.hpp"
#include "test_util.hpp"
#include "txn/transaction_impl.hpp"

namespace strata {
namespace {

using ::strata::testing::TempDir;
using ::strata::testing::TestSeed;

constexpr char kRun[] = "default";

// Every event of `run`, paging with `limit` per page. Checks that the pages
// are in ascending seq order and that next_seq continues exactly after the
// last event returned.
std::vector<Versioned<Event>> ListAll(Database* db, const std::string& run, EventQuery query) {
  std::vector<Versioned<Event>> out;
  for (int pages = 0; pages < 100000; ++pages) {
    absl::StatusOr<EventPage> page = db->EventList(run, query);
    EXPECT_TRUE(page.ok()) << page.status();
    if (!page.ok()) return out;
    EXPECT_LE(page->events.size(), query.limit);
    for (Versioned<Event>& e : page->events) {
      if (!out.empty()) {
        EXPECT_GT(e.value.seq, out.back().value.seq);
      }
      out.push_back(std::move(e));
    }
    if (page->next_seq == 0) return out;
    // A continued page is full and the cursor points past its last event.
    EXPECT_EQ(page->events.size(), query.limit);
    if (!out.empty()) {
      EXPECT_GT(page->next_seq, out.back().value.seq);
    }
    query.from_seq = page->next_seq;
  }
  ADD_FAILURE() << "listing did not terminate";
  return out;
}

std::vector<uint64_t> Seqs(const std::vector<Versioned<Event>>& events) {
  std::vector<uint64_t> seqs;
  for (const auto& e : events) seqs.push_back(e.value.seq);
  return seqs;
}

std::vector<uint64_t> Range(uint64_t lo, uint64_t hi) {
  std::vector<uint64_t> out;
  for (uint64_t s = lo; s <= hi; ++s) out.push_back(s);
  return out;
}

// The hash the documented formula gives for `e` (independent of storage).
uint64_t ExpectedHash(const Event& e) {
  uint64_t hash = 0;
  primitives::EncodeEventRecord(e.seq, e.type, e.payload, e.timestamp_us, e.prev_hash, &hash);
  return hash;
}

// Checks every link of the chain of `run` from the public API.
void ExpectChainLinked(Database* db, const std::string& run, uint64_t expected_length) {
  ASSERT_OK_AND_ASSIGN(uint64_t length, db->EventLength(run));
  ASSERT_EQ(length, expected_length);
  EventQuery all;
  all.limit = kMaxListLimit;
  std::vector<Versioned<Event>> events = ListAll(db, run, all);
  ASSERT_EQ(Seqs(events), Range(1, expected_length));
  uint64_t prev = 0;
  TimestampMicros prev_ts = 0;
  for (const auto& e : events) {
    EXPECT_EQ(e.value.prev_hash, prev) << "seq " << e.value.seq;
    EXPECT_EQ(e.value.hash, ExpectedHash(e.value)) << "seq " << e.value.seq;
    EXPECT_GE(e.value.timestamp_us, prev_ts) << "timestamps go backwards at " << e.value.seq;
    prev = e.value.hash;
    prev_ts = e.value.timestamp_us;
  }
  ASSERT_OK_AND_ASSIGN(ChainReport report, db->EventVerifyChain(run));
  EXPECT_TRUE(report.valid) << report.problem;
  EXPECT_EQ(report.events_checked, expected_length);
  EXPECT_EQ(report.first_broken_seq, 0u);
  EXPECT_TRUE(report.problem.empty()) << report.problem;
}

Value Payload(int64_t i) {
  return Value(Value::Object{{"i", Value(i)}, {"text", Value(absl::StrCat("event ", i))}});
}

class EventTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(Options{}); }
  void Open(const Options& o) {
    absl::StatusOr<std::unique_ptr<Database>> db = Database::OpenInMemory(o);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
  }
  std::unique_ptr<Database> db_;
};

// ---- Appends, reads, length, latest ----

TEST_F(EventTest, AppendReturnsDenseSeqsFromOnePerRun) {
  ASSERT_OK(db_->CreateRun("r1").status());
  ASSERT_OK(db_->CreateRun("r2").status());
  ASSERT_OK_AND_ASSIGN(uint64_t len, db_->EventLength("r1"));
  EXPECT_EQ(len, 0u);
  Version last_version = db_->CurrentVersion();
  std::map<std::string, uint64_t> next = {{kRun, 1}, {"r1", 1}, {"r2", 1}};
  const std::vector<std::string> order = {"r1", kRun, "r1", "r2", "r1", kRun, "r2", "r1"};
  for (size_t i = 0; i < order.size(); ++i) {
    const std::string& run = order[i];
    ASSERT_OK_AND_ASSIGN(EventAppended a, db_->EventAppend(run, "step", Payload(i)));
    EXPECT_EQ(a.seq, next[run]++) << run;
    EXPECT_EQ(a.version, last_version + 1) << "each append is one commit";
    EXPECT_NE(a.hash, 0u);
    last_version = a.version;
  }
  for (const auto& [run, n] : next) {
    ASSERT_OK_AND_ASSIGN(len, db_->EventLength(run));
    EXPECT_EQ(len, n - 1) << run;
    ASSERT_OK_AND_ASSIGN(Versioned<Event> latest, db_->EventLatest(run));
    EXPECT_EQ(latest.value.seq, n - 1) << run;
  }
  ASSERT_OK_AND_ASSIGN(uint64_t count, db_->Count("r1", Primitive::kEvent));
  EXPECT_EQ(count, 4u);
}

TEST_F(EventTest, ReadReturnsWhatWasAppended) {
  const std::vector<Value> payloads = {
      Value(),
      Value(true),
      Value(int64_t{-7}),
      Value(2.5),
      Value("text ü"),
      Value::MakeBytes(std::string("\0\xff\x01", 3)),
      Value(Value::Array{1, "two", Value(Value::Object{{"x", Value(3)}})}),
      Value(Value::Object{{"tool", Value("search")}, {"args", Value(Value::Array{})}}),
  };
  std::vector<EventAppended> appended;
  const TimestampMicros before = static_cast<TimestampMicros>(
      std::chrono::duration_cast<std::chrono::microseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count());
  for (size_t i = 0; i < payloads.size(); ++i) {
    ASSERT_OK_AND_ASSIGN(EventAppended a,
                         db_->EventAppend(kRun, absl::StrCat("type.", i % 3), payloads[i]));
    appended.push_back(a);
  }
  TimestampMicros prev_ts = 0;
  for (size_t i = 0; i < payloads.size(); ++i) {
    ASSERT_OK_AND_ASSIGN(Versioned<Event> e, db_->EventRead(kRun, i + 1));
    EXPECT_EQ(e.value.seq, i + 1);
    EXPECT_EQ(e.value.type, absl::StrCat("type.", i % 3));
    EXPECT_EQ(e.value.payload, payloads[i]) << i;
    EXPECT_EQ(e.value.payload.type(), payloads[i].type()) << i;
    EXPECT_EQ(e.value.hash, appended[i].hash);
    EXPECT_EQ(e.version, appended[i].version);
    EXPECT_GT(e.timestamp_us, 0);
    // The event's own timestamp is taken at append time, in microseconds
    // since the epoch (allow a little clock slack), never going backwards.
    EXPECT_GE(e.value.timestamp_us, before - 1000000);
    EXPECT_GE(e.value.timestamp_us, prev_ts);
    prev_ts = e.value.timestamp_us;
  }
  ASSERT_OK_AND_ASSIGN(Versioned<Event> latest, db_->EventLatest(kRun));
  EXPECT_EQ(latest.value.seq, payloads.size());
  EXPECT_EQ(latest.value.payload, payloads.back());
  EXPECT_EQ(latest.value.hash, appended.back().hash);
}

TEST_F(EventTest, EmptyLogHasLengthZeroAndNoLatest) {
  ASSERT_OK_AND_ASSIGN(uint64_t len, db_->EventLength(kRun));
  EXPECT_EQ(len, 0u);
  EXPECT_ERROR(db_->EventLatest(kRun), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->EventRead(kRun, 1), ErrorCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(EventPage page, db_->EventList(kRun, EventQuery{}));
  EXPECT_TRUE(page.events.empty());
  EXPECT_EQ(page.next_seq, 0u);
  ASSERT_OK_AND_ASSIGN(ChainReport report, db_->EventVerifyChain(kRun));
  EXPECT_TRUE(report.valid);
  EXPECT_EQ(report.events_checked, 0u);
  EXPECT_EQ(report.first_broken_seq, 0u);
}

TEST_F(EventTest, GetRendersAnEventObject) {
  ASSERT_OK(db_->EventAppend(kRun, "first", Value(1)).status());
  ASSERT_OK_AND_ASSIGN(EventAppended a, db_->EventAppend(kRun, "second", Payload(2)));
  ASSERT_OK_AND_ASSIGN(Versioned<Event> e, db_->EventRead(kRun, 2));

  ASSERT_OK_AND_ASSIGN(Versioned<Value> got,
                       db_->Get(EntityRef{kRun, Primitive::kEvent, "", {}, 2}));
  EXPECT_EQ(got.version, a.version);
  ASSERT_TRUE(got.value.is_object()) << got.value.ToJson();
  const Value::Object& o = got.value.AsObject();
  ASSERT_TRUE(o.contains("seq") && o.contains("type") && o.contains("payload") &&
              o.contains("timestamp_us") && o.contains("hash") && o.contains("prev_hash"))
      << got.value.ToJson();
  EXPECT_EQ(o.at("seq"), Value(2));
  EXPECT_EQ(o.at("type"), Value("second"));
  EXPECT_EQ(o.at("payload"), Payload(2));
  EXPECT_EQ(o.at("timestamp_us"), Value(e.value.timestamp_us));
  EXPECT_EQ(o.at("hash"), Value(absl::StrFormat("%016x", a.hash)));
  EXPECT_EQ(o.at("prev_hash"), Value(absl::StrFormat("%016x", e.value.prev_hash)));

  // The text form addresses the same event.
  ASSERT_OK_AND_ASSIGN(EntityRef ref, EntityRef::Parse("event://default/2"));
  ASSERT_OK_AND_ASSIGN(Versioned<Value> by_text, db_->Get(ref));
  EXPECT_EQ(by_text.value, got.value);
  ASSERT_OK_AND_ASSIGN(bool exists, db_->Exists(ref));
  EXPECT_TRUE(exists);

  EXPECT_ERROR(db_->Get(EntityRef{kRun, Primitive::kEvent, "", {}, 3}), ErrorCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(exists, db_->Exists(EntityRef{kRun, Primitive::kEvent, "", {}, 3}));
  EXPECT_FALSE(exists);
}

// ---- The hash chain ----

TEST_F(EventTest, HashChainLinksEveryEvent) {
  const uint64_t seed = TestSeed();
  std::mt19937_64 rng(seed);
  constexpr int kEvents = 60;
  std::set<uint64_t> hashes;
  for (int i = 0; i < kEvents; ++i) {
    ASSERT_OK_AND_ASSIGN(
        EventAppended a,
        db_->EventAppend(kRun, absl::StrCat("t", rng() % 4), testing::RandomValue(rng)));
    hashes.insert(a.hash);
  }
  EXPECT_EQ(hashes.size(), static_cast<size_t>(kEvents)) << "hash collision among " << kEvents;
  ASSERT_OK_AND_ASSIGN(Versioned<Event> first, db_->EventRead(kRun, 1));
  EXPECT_EQ(first.value.prev_hash, 0u);
  ExpectChainLinked(db_.get(), kRun, kEvents);
}

TEST_F(EventTest, ChainsOfDifferentRunsAreIndependent) {
  ASSERT_OK(db_->CreateRun("a").status());
  ASSERT_OK(db_->CreateRun("b").status());
  for (int i = 0; i < 10; ++i) {
    ASSERT_OK(db_->EventAppend("a", "x", Value(i)).status());
    if (i % 3 == 0) ASSERT_OK(db_->EventAppend("b", "x", Value(i)).status());
  }
  ASSERT_OK_AND_ASSIGN(Versioned<Event> b1, db_->EventRead("b", 1));
  EXPECT_EQ(b1.value.prev_hash, 0u) << "run b's chain must not link to run a's";
  ASSERT_OK_AND_ASSIGN(Versioned<Event> a1, db_->EventRead("a", 1));
  EXPECT_EQ(a1.value.prev_hash, 0u);
  ExpectChainLinked(db_.get(), "a", 10);
  ExpectChainLinked(db_.get(), "b", 4);
  // A run without events verifies as an empty, valid chain.
  ASSERT_OK_AND_ASSIGN(ChainReport d, db_->EventVerifyChain(kRun));
  EXPECT_TRUE(d.valid);
  EXPECT_EQ(d.events_checked, 0u);
}

// ---- Listings ----

TEST_F(EventTest, ListSeqRangesAndPaging) {
  constexpr uint64_t kN = 25;
  for (uint64_t i = 1; i <= kN; ++i) ASSERT_OK(db_->EventAppend(kRun, "e", Value(i)).status());

  auto list = [&](uint64_t from, uint64_t to, uint32_t limit) {
    EventQuery q;
    q.from_seq = from;
    q.to_seq = to;
    q.limit = limit;
    absl::StatusOr<EventPage> page = db_->EventList(kRun, q);
    EXPECT_TRUE(page.ok()) << page.status();
    return page.ok() ? *page : EventPage{};
  };
  EventPage p = list(1, UINT64_MAX, 10);
  EXPECT_EQ(Seqs(p.events), Range(1, 10));
  EXPECT_EQ(p.next_seq, 11u);
  p = list(11, UINT64_MAX, 10);
  EXPECT_EQ(Seqs(p.events), Range(11, 20));
  EXPECT_EQ(p.next_seq, 21u);
  p = list(21, UINT64_MAX, 10);
  EXPECT_EQ(Seqs(p.events), Range(21, 25));
  EXPECT_EQ(p.next_seq, 0u);
  // Exactly filling a page ends the listing.
  p = list(16, UINT64_MAX, 10);
  EXPECT_EQ(Seqs(p.events), Range(16, 25));
  EXPECT_EQ(p.next_seq, 0u);
  p = list(1, 10, 10);
  EXPECT_EQ(Seqs(p.events), Range(1, 10));
  EXPECT_EQ(p.next_seq, 0u);
  // Inclusive bounds.
  p = list(5, 7, 100);
  EXPECT_EQ(Seqs(p.events), Range(5, 7));
  EXPECT_EQ(p.next_seq, 0u);
  p = list(5, 7, 2);
  EXPECT_EQ(Seqs(p.events), Range(5, 6));
  EXPECT_EQ(p.next_seq, 7u);
  p = list(7, 7, 2);
  EXPECT_EQ(Seqs(p.events), Range(7, 7));
  EXPECT_EQ(p.next_seq, 0u);
  // Empty ranges.
  p = list(26, UINT64_MAX, 10);
  EXPECT_TRUE(p.events.empty());
  EXPECT_EQ(p.next_seq, 0u);
  p = list(8, 7, 10);
  EXPECT_TRUE(p.events.empty());
  EXPECT_EQ(p.next_seq, 0u);
  p = list(1, 0, 10);
  EXPECT_TRUE(p.events.empty());
  // Limit 1 pages visit every event once.
  EventQuery one;
  one.limit = 1;
  EXPECT_EQ(Seqs(ListAll(db_.get(), kRun, one)), Range(1, kN));
  // The listed events carry their contents.
  p = list(3, 3, 1);
  ASSERT_EQ(p.events.size(), 1u);
  EXPECT_EQ(p.events[0].value.payload, Value(3));
  EXPECT_EQ(p.events[0].value.type, "e");
  EXPECT_GT(p.events[0].version, 0u);
}

TEST_F(EventTest, ListByType) {
  const uint64_t seed = TestSeed();
  std::mt19937_64 rng(seed);
  const std::vector<std::string> types = {"a", "ab", "b", "tool_call", "a.b"};
  std::map<std::string, std::vector<uint64_t>> by_type;
  constexpr uint64_t kN = 120;
  for (uint64_t seq = 1; seq <= kN; ++seq) {
    const std::string& type = types[rng() % types.size()];
    ASSERT_OK_AND_ASSIGN(EventAppended a, db_->EventAppend(kRun, type, Value(seq)));
    ASSERT_EQ(a.seq, seq);
    by_type[type].push_back(seq);
  }
  for (const std::string& type : types) {
    for (uint32_t limit : {1u, 3u, 7u, 1000u}) {
      EventQuery q;
      q.type = type;
      q.limit = limit;
      std::vector<Versioned<Event>> got = ListAll(db_.get(), kRun, q);
      EXPECT_EQ(Seqs(got), by_type[type]) << type << " limit " << limit;
      for (const auto& e : got) EXPECT_EQ(e.value.type, type);
    }
    // Type combined with a seq range.
    EventQuery q;
    q.type = type;
    q.from_seq = 30;
    q.to_seq = 90;
    q.limit = 4;
    std::vector<uint64_t> expected;
    for (uint64_t s : by_type[type]) {
      if (s >= 30 && s <= 90) expected.push_back(s);
    }
    EXPECT_EQ(Seqs(ListAll(db_.get(), kRun, q)), expected) << type;
  }
  // A type that was never used, and a prefix of a used type, match nothing.
  EventQuery q;
  q.type = "never";
  EXPECT_TRUE(ListAll(db_.get(), kRun, q).empty());
  q.type = "tool";
  EXPECT_TRUE(ListAll(db_.get(), kRun, q).empty());
}

// Random queries mixing every filter, checked against a brute-force filter
// over all events.
TEST_F(EventTest, ListByTimeRangeAndCombinedFiltersMatchBruteForce) {
  const uint64_t seed = TestSeed();
  std::mt19937_64 rng(seed);
  const std::vector<std::string> types = {"obs", "act", "msg"};
  constexpr uint64_t kN = 80;
  for (uint64_t i = 1; i <= kN; ++i) {
    ASSERT_OK(db_->EventAppend(kRun, types[rng() % types.size()], Value(i)).status());
    // Spread the timestamps so that time ranges select proper subsets, with
    // runs of events that share a timestamp region.
    if (i % 4 == 0) std::this_thread::sleep_for(std::chrono::microseconds(300));
  }
  EventQuery all;
  all.limit = kMaxListLimit;
  const std::vector<Versioned<Event>> events = ListAll(db_.get(), kRun, all);
  ASSERT_EQ(events.size(), kN);
  const TimestampMicros t_first = events.front().value.timestamp_us;
  const TimestampMicros t_last = events.back().value.timestamp_us;
  ASSERT_LT(t_first, t_last);

  auto pick_time = [&]() -> TimestampMicros {
    switch (rng() % 4) {
      case 0:
        return events[rng() % kN].value.timestamp_us;  // Exactly an event's.
      case 1:
        return events[rng() % kN].value.timestamp_us + 1;
      case 2:
        return events[rng() % kN].value.timestamp_us - 1;
      default:
        return t_first - 10 + static_cast<TimestampMicros>(rng() % (t_last - t_first + 20));
    }
  };
  // Fixed cases: the whole span, before everything, after everything.
  struct Case {
    std::optional<TimestampMicros> from, to;
  };
  std::vector<Case> cases = {{t_first, t_last},       {std::nullopt, t_first - 1},
                             {t_last + 1, std::nullopt}, {t_first, t_first},
                             {t_last, t_last},          {t_last, t_first}};
  for (int i = 0; i < 300; ++i) {
    Case c;
    if (rng() % 3 != 0) c.from = pick_time();
    if (rng() % 3 != 0) c.to = pick_time();
    cases.push_back(c);
  }
  for (size_t i = 0; i < cases.size(); ++i) {
    EventQuery q;
    q.from_us = cases[i].from;
    q.to_us = cases[i].to;
    if (i >= 6) {
      if (rng() % 3 == 0) q.type = types[rng() % types.size()];
      if (rng() % 3 == 0) q.from_seq = 1 + rng() % (kN + 2);
      if (rng() % 3 == 0) q.to_seq = rng() % (kN + 2);
      q.limit = 1 + static_cast<uint32_t>(rng() % 12);
    }
    std::vector<uint64_t> expected;
    for (const auto& e : events) {
      const Event& ev = e.value;
      if (ev.seq < q.from_seq || ev.seq > q.to_seq) continue;
      if (q.type.has_value() && ev.type != *q.type) continue;
      if (q.from_us.has_value() && ev.timestamp_us < *q.from_us) continue;
      if (q.to_us.has_value() && ev.timestamp_us > *q.to_us) continue;
      expected.push_back(ev.seq);
    }
    const std::vector<uint64_t> got = Seqs(ListAll(db_.get(), kRun, q));
    ASSERT_EQ(got, expected) << "case " << i << " from_us=" << q.from_us.value_or(-1)
                             << " to_us=" << q.to_us.value_or(-1)
                             << " type=" << q.type.value_or("*") << " seqs=" << q.from_seq
                             << ".." << q.to_seq << " limit=" << q.limit
                             << " (seed " << seed << ")";
  }
}

// ---- Transactions ----

TEST_F(EventTest, AppendsInOneTransactionGetConsecutiveSeqs) {
  ASSERT_OK(db_->EventAppend(kRun, "before", Value(0)).status());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> txn, db_->BeginTransaction());
  for (uint64_t i = 0; i < 3; ++i) {
    ASSERT_OK_AND_ASSIGN(EventAppended a, txn->EventAppend(kRun, "in_txn", Value(i)));
    EXPECT_EQ(a.seq, 2 + i);
    EXPECT_EQ(a.version, 0u) << "the commit version is not known inside a transaction";
  }
  // The transaction sees its own appends; others do not until commit.
  ASSERT_OK_AND_ASSIGN(uint64_t in_len, txn->EventLength(kRun));
  EXPECT_EQ(in_len, 4u);
  ASSERT_OK_AND_ASSIGN(Versioned<Event> own, txn->EventRead(kRun, 3));
  EXPECT_EQ(own.value.payload, Value(1));
  EventQuery q;
  q.type = "in_txn";
  ASSERT_OK_AND_ASSIGN(EventPage own_page, txn->EventList(kRun, q));
  EXPECT_EQ(Seqs(own_page.events), Range(2, 4));
  // A page mixing a committed event with own ones (read in one batch).
  ASSERT_OK_AND_ASSIGN(EventPage mixed, txn->EventList(kRun, EventQuery{}));
  EXPECT_EQ(Seqs(mixed.events), Range(1, 4));
  EXPECT_EQ(mixed.events[0].value.payload, Value(0));
  EXPECT_NE(mixed.events[0].version, 0u);
  EXPECT_EQ(mixed.events[2].value.payload, Value(1));
  EXPECT_EQ(mixed.events[2].version, 0u) << "an own write has no commit version yet";
  ASSERT_OK_AND_ASSIGN(uint64_t out_len, db_->EventLength(kRun));
  EXPECT_EQ(out_len, 1u);
  EXPECT_ERROR(db_->EventRead(kRun, 2), ErrorCode::kNotFound);

  ASSERT_OK_AND_ASSIGN(Version v, txn->Commit());
  for (uint64_t seq = 2; seq <= 4; ++seq) {
    ASSERT_OK_AND_ASSIGN(Versioned<Event> e, db_->EventRead(kRun, seq));
    EXPECT_EQ(e.version, v) << "all appends of a transaction share its commit version";
    EXPECT_EQ(e.value.payload, Value(static_cast<int64_t>(seq - 2)));
  }
  ExpectChainLinked(db_.get(), kRun, 4);
  ASSERT_OK_AND_ASSIGN(EventAppended after, db_->EventAppend(kRun, "after", Value(5)));
  EXPECT_EQ(after.seq, 5u);
}

TEST_F(EventTest, AppendsAcrossRunsAndPrimitivesInOneTransactionAreAtomic) {
  ASSERT_OK(db_->CreateRun("r").status());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> txn, db_->BeginTransaction());
  ASSERT_OK(txn->EventAppend(kRun, "x", Value(1)).status());
  ASSERT_OK(txn->EventAppend("r", "y", Value(2)).status());
  ASSERT_OK(txn->KvPut(kRun, "k", Value(3)));
  ASSERT_OK(txn->StateSet("r", "cell", Value(4)));
  ASSERT_OK_AND_ASSIGN(Version v, txn->Commit());
  ASSERT_OK_AND_ASSIGN(Versioned<Event> a, db_->EventRead(kRun, 1));
  ASSERT_OK_AND_ASSIGN(Versioned<Event> b, db_->EventRead("r", 1));
  ASSERT_OK_AND_ASSIGN(Versioned<Value> k, db_->KvGet(kRun, "k"));
  EXPECT_EQ(a.version, v);
  EXPECT_EQ(b.version, v);
  EXPECT_EQ(k.version, v);
}

TEST_F(EventTest, AppendIntoARunCreatedInTheSameTransaction) {
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> txn, db_->BeginTransaction());
    ASSERT_OK(txn->CreateRun("fresh"));
    ASSERT_OK_AND_ASSIGN(EventAppended a, txn->EventAppend("fresh", "start", Value(1)));
    EXPECT_EQ(a.seq, 1u);
    ASSERT_OK_AND_ASSIGN(uint64_t len, txn->EventLength("fresh"));
    EXPECT_EQ(len, 1u);
    txn->Rollback();
  }
  EXPECT_ERROR(db_->EventLength("fresh"), ErrorCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> txn, db_->BeginTransaction());
  ASSERT_OK(txn->CreateRun("fresh"));
  ASSERT_OK(txn->EventAppend("fresh", "start", Value(1)).status());
  ASSERT_OK(txn->EventAppend("fresh", "next", Value(2)).status());
  ASSERT_OK(txn->Commit().status());
  ExpectChainLinked(db_.get(), "fresh", 2);
}

TEST_F(EventTest, RollbackLeavesNoTrace) {
  ASSERT_OK(db_->EventAppend(kRun, "kept", Value(1)).status());
  ASSERT_OK(db_->EventAppend(kRun, "kept", Value(2)).status());
  const Version before = db_->CurrentVersion();
  const uint64_t live_before = db_->Stats().live_keys;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> txn, db_->BeginTransaction());
    for (int i = 0; i < 3; ++i) ASSERT_OK(txn->EventAppend(kRun, "gone", Value(i)).status());
    txn->Rollback();
    EXPECT_ERROR(txn->EventAppend(kRun, "gone", Value(9)), ErrorCode::kFailedPrecondition);
    EXPECT_ERROR(txn->Commit(), ErrorCode::kFailedPrecondition);
  }
  {
    // Destroying an uncommitted transaction rolls it back as well.
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> txn, db_->BeginTransaction());
    ASSERT_OK(txn->EventAppend(kRun, "gone", Value(10)).status());
  }
  EXPECT_EQ(db_->CurrentVersion(), before);
  EXPECT_EQ(db_->Stats().live_keys, live_before);
  ASSERT_OK_AND_ASSIGN(uint64_t len, db_->EventLength(kRun));
  EXPECT_EQ(len, 2u);
  EventQuery q;
  q.type = "gone";
  ASSERT_OK_AND_ASSIGN(EventPage page, db_->EventList(kRun, q));
  EXPECT_TRUE(page.events.empty()) << "the type index must not keep rolled-back events";
  ExpectChainLinked(db_.get(), kRun, 2);
  ASSERT_OK_AND_ASSIGN(EventAppended next, db_->EventAppend(kRun, "kept", Value(3)));
  EXPECT_EQ(next.seq, 3u);
  ASSERT_OK_AND_ASSIGN(Versioned<Event> e2, db_->EventRead(kRun, 2));
  ASSERT_OK_AND_ASSIGN(Versioned<Event> e3, db_->EventRead(kRun, 3));
  EXPECT_EQ(e3.value.prev_hash, e2.value.hash);
}

TEST_F(EventTest, ConcurrentTransactionsAppendingToOneRunConflict) {
  ASSERT_OK(db_->EventAppend(kRun, "base", Value(0)).status());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> t1, db_->BeginTransaction());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> t2, db_->BeginTransaction());
  ASSERT_OK_AND_ASSIGN(EventAppended a1, t1->EventAppend(kRun, "t1", Value(1)));
  ASSERT_OK_AND_ASSIGN(EventAppended a2, t2->EventAppend(kRun, "t2", Value(2)));
  EXPECT_EQ(a1.seq, 2u);
  EXPECT_EQ(a2.seq, 2u);  // Both see the same head; only one may commit.
  ASSERT_OK(t1->Commit().status());
  EXPECT_ERROR(t2->Commit(), ErrorCode::kConflict);
  ASSERT_OK_AND_ASSIGN(uint64_t len, db_->EventLength(kRun));
  EXPECT_EQ(len, 2u);
  ASSERT_OK_AND_ASSIGN(Versioned<Event> e2, db_->EventRead(kRun, 2));
  EXPECT_EQ(e2.value.type, "t1");
  EventQuery q;
  q.type = "t2";
  ASSERT_OK_AND_ASSIGN(EventPage page, db_->EventList(kRun, q));
  EXPECT_TRUE(page.events.empty());
  ExpectChainLinked(db_.get(), kRun, 2);

  // Appends to different runs do not conflict.
  ASSERT_OK(db_->CreateRun("other").status());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> t3, db_->BeginTransaction());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> t4, db_->BeginTransaction());
  ASSERT_OK(t3->EventAppend(kRun, "t3", Value(3)).status());
  ASSERT_OK(t4->EventAppend("other", "t4", Value(4)).status());
  ASSERT_OK(t3->Commit().status());
  ASSERT_OK(t4->Commit().status());

  // Transact retries the loser and it lands after the winner.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> t5, db_->BeginTransaction());
  ASSERT_OK(t5->EventAppend(kRun, "t5", Value(5)).status());
  int attempts = 0;
  uint64_t landed = 0;
  ASSERT_OK(db_->Transact([&](Transaction& txn) -> absl::Status {
                 if (++attempts == 1) {
                   // A concurrent writer commits between our read and commit.
                   absl::StatusOr<Version> v = t5->Commit();
                   if (!v.ok()) return v.status();
                 }
                 absl::StatusOr<EventAppended> a = txn.EventAppend(kRun, "t6", Value(6));
                 if (!a.ok()) return a.status();
                 landed = a->seq;
                 return absl::OkStatus();
               })
                .status());
  // t5 committed after the first attempt's snapshot: that attempt read the
  // old head, conflicted at commit, and the retry landed after t5.
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(landed, 5u);
  ASSERT_OK_AND_ASSIGN(Versioned<Event> e4, db_->EventRead(kRun, 4));
  EXPECT_EQ(e4.value.type, "t5");
  ExpectChainLinked(db_.get(), kRun, 5);
}

// 4 threads x 2000 appends to one run through the single-operation path:
// every append succeeds with a distinct seq, the seqs are exactly 1..N, each
// thread's own appends keep their order, and the chain verifies.
TEST_F(EventTest, ConcurrentAppendersGetDenseUniqueSeqs) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 2000;
  std::vector<std::vector<uint64_t>> seqs(kThreads);
  std::vector<absl::Status> errors(kThreads);
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      while (!go.load()) std::this_thread::yield();
      for (int i = 0; i < kPerThread; ++i) {
        absl::StatusOr<EventAppended> a = db_->EventAppend(
            kRun, absl::StrCat("thread", t), Value(Value::Array{Value(t), Value(i)}));
        if (!a.ok()) {
          errors[t] = a.status();
          return;
        }
        seqs[t].push_back(a->seq);
      }
    });
  }
  go = true;
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) ASSERT_OK(errors[t]);

  std::vector<uint64_t> all;
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_EQ(seqs[t].size(), static_cast<size_t>(kPerThread));
    EXPECT_TRUE(std::is_sorted(seqs[t].begin(), seqs[t].end())) << "thread " << t;
    all.insert(all.end(), seqs[t].begin(), seqs[t].end());
  }
  std::sort(all.begin(), all.end());
  constexpr uint64_t kTotal = uint64_t{kThreads} * kPerThread;
  ASSERT_EQ(all, Range(1, kTotal)) << "seqs must be unique and dense";

  // Every event holds what its appender wrote at the seq it was told.
  EventQuery q;
  q.limit = kMaxListLimit;
  std::vector<Versioned<Event>> events = ListAll(db_.get(), kRun, q);
  ASSERT_EQ(events.size(), kTotal);
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      const Event& e = events[seqs[t][i] - 1].value;
      ASSERT_EQ(e.payload, Value(Value::Array{Value(t), Value(i)})) << "seq " << e.seq;
      ASSERT_EQ(e.type, absl::StrCat("thread", t));
    }
    EventQuery by_type;
    by_type.type = absl::StrCat("thread", t);
    by_type.limit = kMaxListLimit;
    EXPECT_EQ(Seqs(ListAll(db_.get(), kRun, by_type)), seqs[t]);
  }
  ExpectChainLinked(db_.get(), kRun, kTotal);
  std::printf("[ info     ] %llu appends, %llu conflicts retried\n",
              static_cast<unsigned long long>(kTotal),
              static_cast<unsigned long long>(db_->Stats().conflicts));
}

// Single appends and two-event transactions racing on one run: the
// transactions' events stay adjacent, and the chain stays whole.
TEST_F(EventTest, ConcurrentTransactionalAppendersKeepTheirEventsAdjacent) {
  constexpr int kThreads = 3;
  constexpr int kPerThread = 300;
  std::vector<absl::Status> errors(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        if (t == 0) {
          absl::StatusOr<EventAppended> a = db_->EventAppend(kRun, "single", Value(i));
          if (!a.ok()) {
            errors[t] = a.status();
            return;
          }
          continue;
        }
        RetryPolicy policy;
        policy.max_attempts = 1000;
        policy.initial_backoff_us = 1;
        policy.max_backoff_us = 200;
        absl::StatusOr<Version> v = db_->Transact(
            [&](Transaction& txn) -> absl::Status {
              for (int j = 0; j < 2; ++j) {
                absl::StatusOr<EventAppended> a =
                    txn.EventAppend(kRun, "pair", Value(Value::Array{t, i, j}));
                if (!a.ok()) return a.status();
              }
              return absl::OkStatus();
            },
            policy);
        if (!v.ok()) {
          errors[t] = v.status();
          return;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) ASSERT_OK(errors[t]);
  constexpr uint64_t kTotal = kPerThread + 2 * (kThreads - 1) * kPerThread;
  EventQuery q;
  q.limit = kMaxListLimit;
  std::vector<Versioned<Event>> events = ListAll(db_.get(), kRun, q);
  ASSERT_EQ(events.size(), kTotal);
  for (size_t k = 0; k < events.size(); ++k) {
    const Event& e = events[k].value;
    if (e.type != "pair") continue;
    const Value::Array& p = e.payload.AsArray();
    if (p[2].AsInt() == 0) {
      ASSERT_LT(k + 1, events.size());
      const Event& next = events[k + 1].value;
      EXPECT_EQ(next.type, "pair") << "seq " << e.seq;
      EXPECT_EQ(next.payload, Value(Value::Array{p[0], p[1], 1})) << "seq " << e.seq;
      EXPECT_EQ(events[k + 1].version, events[k].version);
    }
  }
  ExpectChainLinked(db_.get(), kRun, kTotal);
  std::printf("[ info     ] %llu events, %llu conflicts retried\n",
              static_cast<unsigned long long>(kTotal),
              static_cast<unsigned long long>(db_->Stats().conflicts));
}

// ---- Runs and argument validation ----

TEST_F(EventTest, AppendIntoEndedRunIsFailedPrecondition) {
  ASSERT_OK(db_->CreateRun("job").status());
  ASSERT_OK(db_->EventAppend("job", "start", Value(1)).status());
  ASSERT_OK(db_->EndRun("job", RunStatus::kCompleted).status());
  EXPECT_ERROR(db_->EventAppend("job", "late", Value(2)), ErrorCode::kFailedPrecondition);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> txn, db_->BeginTransaction());
  EXPECT_ERROR(txn->EventAppend("job", "late", Value(2)), ErrorCode::kFailedPrecondition);
  txn->Rollback();
  // Reads keep working.
  ASSERT_OK_AND_ASSIGN(uint64_t len, db_->EventLength("job"));
  EXPECT_EQ(len, 1u);
  ASSERT_OK_AND_ASSIGN(Versioned<Event> e, db_->EventRead("job", 1));
  EXPECT_EQ(e.value.type, "start");
  ASSERT_OK_AND_ASSIGN(EventPage page, db_->EventList("job", EventQuery{}));
  EXPECT_EQ(page.events.size(), 1u);
  ExpectChainLinked(db_.get(), "job", 1);
  ASSERT_OK(db_->ArchiveRun("job").status());
  EXPECT_ERROR(db_->EventAppend("job", "late", Value(3)), ErrorCode::kFailedPrecondition);
  ExpectChainLinked(db_.get(), "job", 1);
}

TEST_F(EventTest, EndingTheRunConflictsWithAnOpenAppendingTransaction) {
  ASSERT_OK(db_->CreateRun("job").status());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> txn, db_->BeginTransaction());
  ASSERT_OK(txn->EventAppend("job", "x", Value(1)).status());
  ASSERT_OK(db_->EndRun("job", RunStatus::kFailed).status());
  EXPECT_ERROR(txn->Commit(), ErrorCode::kConflict);
  ASSERT_OK_AND_ASSIGN(uint64_t len, db_->EventLength("job"));
  EXPECT_EQ(len, 0u);
}

TEST_F(EventTest, AppendValidation) {
  const Version before = db_->CurrentVersion();
  EXPECT_ERROR(db_->EventAppend("nope", "t", Value(1)), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->EventAppend("", "t", Value(1)), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(db_->EventAppend("bad run", "t", Value(1)), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(db_->EventAppend(kRun, "", Value(1)), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(db_->EventAppend(kRun, std::string("a\0b", 3), Value(1)),
               ErrorCode::kInvalidArgument);
  EXPECT_ERROR(db_->EventAppend(kRun, std::string(1, '\0'), Value(1)),
               ErrorCode::kInvalidArgument);
  EXPECT_ERROR(db_->EventAppend(kRun, std::string(kMaxEventTypeBytes + 1, 't'), Value(1)),
               ErrorCode::kResourceExhausted);
  EXPECT_EQ(db_->CurrentVersion(), before) << "failed appends must write nothing";
  ASSERT_OK_AND_ASSIGN(uint64_t len, db_->EventLength(kRun));
  EXPECT_EQ(len, 0u);
  // The longest type is fine, as are arbitrary non-NUL bytes.
  const std::string longest(kMaxEventTypeBytes, 't');
  ASSERT_OK_AND_ASSIGN(EventAppended a, db_->EventAppend(kRun, longest, Value(1)));
  EXPECT_EQ(a.seq, 1u);
  ASSERT_OK_AND_ASSIGN(Versioned<Event> e, db_->EventRead(kRun, 1));
  EXPECT_EQ(e.value.type, longest);
  const std::string binary("\xff\x01 type/\xc3\xbc", 10);
  ASSERT_OK(db_->EventAppend(kRun, binary, Value(2)).status());
  EventQuery q;
  q.type = binary;
  ASSERT_OK_AND_ASSIGN(EventPage page, db_->EventList(kRun, q));
  EXPECT_EQ(Seqs(page.events), std::vector<uint64_t>{2});

  // The same checks inside a transaction.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> txn, db_->BeginTransaction());
  EXPECT_ERROR(txn->EventAppend("nope", "t", Value(1)), ErrorCode::kNotFound);
  EXPECT_ERROR(txn->EventAppend(kRun, "", Value(1)), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(txn->EventAppend(kRun, std::string("x\0", 2), Value(1)),
               ErrorCode::kInvalidArgument);
  EXPECT_ERROR(txn->EventAppend(kRun, std::string(kMaxEventTypeBytes + 1, 't'), Value(1)),
               ErrorCode::kResourceExhausted);
}

TEST_F(EventTest, OversizePayloadIsResourceExhausted) {
  Options o;
  o.max_value_bytes = 256;
  Open(o);
  EXPECT_ERROR(db_->EventAppend(kRun, "big", Value(std::string(1000, 'x'))),
               ErrorCode::kResourceExhausted);
  EXPECT_ERROR(db_->EventAppend(kRun, "big", Value::MakeBytes(std::string(300, '\0'))),
               ErrorCode::kResourceExhausted);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> txn, db_->BeginTransaction());
  EXPECT_ERROR(txn->EventAppend(kRun, "big", Value(std::string(1000, 'x'))),
               ErrorCode::kResourceExhausted);
  txn->Rollback();
  ASSERT_OK_AND_ASSIGN(uint64_t len, db_->EventLength(kRun));
  EXPECT_EQ(len, 0u);
  EXPECT_EQ(db_->CurrentVersion(), 0u);
  // A payload under the limit is fine.
  ASSERT_OK(db_->EventAppend(kRun, "small", Value(std::string(100, 'x'))).status());
}

TEST_F(EventTest, ReadListAndVerifyValidation) {
  ASSERT_OK(db_->EventAppend(kRun, "t", Value(1)).status());
  ASSERT_OK(db_->EventAppend(kRun, "t", Value(2)).status());
  EXPECT_ERROR(db_->EventRead(kRun, 0), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->EventRead(kRun, 3), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->EventRead(kRun, UINT64_MAX), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->EventRead("nope", 1), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->EventRead("bad run", 1), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(db_->EventLength("nope"), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->EventLength("bad/run"), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(db_->EventLatest("nope"), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->EventVerifyChain("nope"), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->EventVerifyChain(""), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(db_->EventList("nope", EventQuery{}), ErrorCode::kNotFound);

  EventQuery q;
  q.limit = 0;
  EXPECT_ERROR(db_->EventList(kRun, q), ErrorCode::kInvalidArgument);
  q.limit = kMaxListLimit + 1;
  EXPECT_ERROR(db_->EventList(kRun, q), ErrorCode::kInvalidArgument);
  q.limit = kMaxListLimit;
  ASSERT_OK(db_->EventList(kRun, q).status());
  q.from_seq = 0;
  EXPECT_ERROR(db_->EventList(kRun, q), ErrorCode::kInvalidArgument);
  q.from_seq = 1;
  q.type = "";
  EXPECT_ERROR(db_->EventList(kRun, q), ErrorCode::kInvalidArgument);
  q.type = std::string("a\0", 2);
  EXPECT_ERROR(db_->EventList(kRun, q), ErrorCode::kInvalidArgument);

  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> txn, db_->BeginTransaction());
  EXPECT_ERROR(txn->EventRead(kRun, 0), ErrorCode::kNotFound);
  EXPECT_ERROR(txn->EventRead(kRun, 3), ErrorCode::kNotFound);
  EXPECT_ERROR(txn->EventRead("nope", 1), ErrorCode::kNotFound);
  EXPECT_ERROR(txn->EventLength("nope"), ErrorCode::kNotFound);
  EventQuery bad;
  bad.from_seq = 0;
  EXPECT_ERROR(txn->EventList(kRun, bad), ErrorCode::kInvalidArgument);
  bad.from_seq = 1;
  bad.limit = 0;
  EXPECT_ERROR(txn->EventList(kRun, bad), ErrorCode::kInvalidArgument);
}

TEST_F(EventTest, DeletedRunLosesItsLog) {
  ASSERT_OK(db_->CreateRun("tmp").status());
  for (int i = 0; i < 5; ++i) ASSERT_OK(db_->EventAppend("tmp", "x", Value(i)).status());
  ASSERT_OK(db_->DeleteRun("tmp").status());
  EXPECT_ERROR(db_->EventRead("tmp", 1), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->EventLength("tmp"), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->EventAppend("tmp", "x", Value(1)), ErrorCode::kNotFound);
  // Re-created, the run starts a fresh chain from seq 1.
  ASSERT_OK(db_->CreateRun("tmp").status());
  ASSERT_OK_AND_ASSIGN(EventAppended a, db_->EventAppend("tmp", "x", Value(1)));
  EXPECT_EQ(a.seq, 1u);
  ExpectChainLinked(db_.get(), "tmp", 1);
}

// ---- Durability ----

class EventDurabilityTest : public ::testing::TestWithParam<DurabilityMode> {
 protected:
  Options Opts() const {
    Options o;
    o.durability = GetParam();
    return o;
  }
  absl::StatusOr<std::unique_ptr<Database>> Open() { return Database::Open(dir_.Sub("db"), Opts()); }
  TempDir dir_;
};

TEST_P(EventDurabilityTest, SurvivesCloseAndReopen) {
  const uint64_t seed = TestSeed();
  std::mt19937_64 rng(seed);
  std::vector<Versioned<Event>> before_default, before_r;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, Open());
    ASSERT_OK(db->CreateRun("r").status());
    for (int i = 0; i < 60; ++i) {
      if (i % 10 == 9) {
        ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> txn, db->BeginTransaction());
        ASSERT_OK(txn->EventAppend(kRun, "txn", testing::RandomValue(rng)).status());
        ASSERT_OK(txn->EventAppend("r", "txn", testing::RandomValue(rng)).status());
        ASSERT_OK(txn->Commit().status());
      } else {
        ASSERT_OK(db->EventAppend(i % 2 ? kRun : "r", absl::StrCat("t", i % 3),
                                  testing::RandomValue(rng))
                      .status());
      }
    }
    // A rolled-back transaction must not reappear after recovery.
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> txn, db->BeginTransaction());
    ASSERT_OK(txn->EventAppend(kRun, "rolled_back", Value(1)).status());
    txn->Rollback();
    txn.reset();
    EventQuery all;
    all.limit = kMaxListLimit;
    before_default = ListAll(db.get(), kRun, all);
    before_r = ListAll(db.get(), "r", all);
    ASSERT_OK(db->Close());
  }
  ASSERT_EQ(before_default.size() + before_r.size(), 66u);
  auto same = [](const std::vector<Versioned<Event>>& a, const std::vector<Versioned<Event>>& b) {
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].value.seq, b[i].value.seq);
      EXPECT_EQ(a[i].value.type, b[i].value.type);
      EXPECT_EQ(a[i].value.payload, b[i].value.payload) << "seq " << a[i].value.seq;
      EXPECT_EQ(a[i].value.timestamp_us, b[i].value.timestamp_us);
      EXPECT_EQ(a[i].value.prev_hash, b[i].value.prev_hash);
      EXPECT_EQ(a[i].value.hash, b[i].value.hash);
      EXPECT_EQ(a[i].version, b[i].version);
      EXPECT_EQ(a[i].timestamp_us, b[i].timestamp_us);
    }
  };
  for (int reopen = 0; reopen < 2; ++reopen) {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, Open());
    EventQuery all;
    all.limit = 7;  // Page through after recovery too.
    same(ListAll(db.get(), kRun, all), before_default);
    same(ListAll(db.get(), "r", all), before_r);
    ExpectChainLinked(db.get(), kRun, before_default.size());
    ExpectChainLinked(db.get(), "r", before_r.size());
    EventQuery q;
    q.type = "rolled_back";
    ASSERT_OK_AND_ASSIGN(EventPage page, db->EventList(kRun, q));
    EXPECT_TRUE(page.events.empty());
    if (reopen == 0) {
      // The chain continues where it stopped.
      ASSERT_OK_AND_ASSIGN(EventAppended a, db->EventAppend(kRun, "after", Value(1)));
      EXPECT_EQ(a.seq, before_default.size() + 1);
      ASSERT_OK_AND_ASSIGN(Versioned<Event> e, db->EventRead(kRun, a.seq));
      EXPECT_EQ(e.value.prev_hash, before_default.back().value.hash);
      EXPECT_GE(e.value.timestamp_us, before_default.back().value.timestamp_us);
      ASSERT_OK_AND_ASSIGN(Versioned<Event> latest, db->EventLatest(kRun));
      before_default.push_back(latest);
    }
    ASSERT_OK(db->Close());
  }
}

INSTANTIATE_TEST_SUITE_P(Modes, EventDurabilityTest,
                         ::testing::Values(DurabilityMode::kBuffered, DurabilityMode::kStrict),
                         testing::DurabilityModeParamName());

// Offsets of the records of a WAL segment file.
std::vector<uint64_t> RecordOffsets(const std::string& contents) {
  std::vector<uint64_t> offsets;
  absl::StatusOr<storage::SegmentScan> scan = storage::ScanSegment(
      contents, [&](uint8_t, uint8_t, std::string_view, uint64_t offset) {
        offsets.push_back(offset);
        return absl::OkStatus();
      });
  EXPECT_TRUE(scan.ok() && !scan->damaged);
  return offsets;
}

std::vector<std::string> SegmentPaths(const std::string& db_path) {
  std::vector<std::string> out;
  const std::string wal_dir = db_path + "/" + storage::kWalDirName;
  for (const auto& entry : std::filesystem::directory_iterator(wal_dir)) {
    const std::string name = entry.path().filename().string();
    if (storage::ParseSegmentFileName(name).has_value()) out.push_back(entry.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// A byte flipped in the middle of the WAL is never silently accepted: both
// the default mode and kAbsoluteConsistency refuse to open with DataLoss;
// only kPointInTime salvages the prefix before the damage, and that prefix
// is a valid chain.
TEST(EventWalDamageTest, FlippedByteInTheMiddleIsDataLoss) {
  const uint64_t seed = TestSeed();
  std::mt19937_64 rng(seed);
  TempDir dir;
  const std::string path = dir.Sub("db");
  Options strict;
  strict.durability = DurabilityMode::kStrict;
  constexpr uint64_t kEvents = 40;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, Database::Open(path, strict));
    for (uint64_t i = 1; i <= kEvents; ++i) {
      ASSERT_OK_AND_ASSIGN(EventAppended a,
                           db->EventAppend(kRun, "e", Value(std::string(40, 'a' + i % 26))));
      ASSERT_EQ(a.version, i);  // One WAL record per append.
    }
    ASSERT_OK(db->Close());
  }
  const std::vector<std::string> segments = SegmentPaths(path);
  ASSERT_EQ(segments.size(), 1u);
  ASSERT_OK_AND_ASSIGN(std::string contents, Env::Default()->ReadFile(segments[0]));
  const std::vector<uint64_t> offsets = RecordOffsets(contents);
  ASSERT_EQ(offsets.size(), kEvents);
  const uint64_t bad = 10 + rng() % 20;  // Index of the damaged record.
  const uint64_t record_len = (bad + 1 < offsets.size() ? offsets[bad + 1] : contents.size()) -
                              offsets[bad];
  const uint64_t flip_at = offsets[bad] + storage::kRecordHeaderBytes +
                           rng() % (record_len - storage::kRecordHeaderBytes);
  ASSERT_OK(FaultInjectionEnv::FlipByte(Env::Default(), segments[0], flip_at, 0x10));

  for (const RecoveryMode mode :
       {RecoveryMode::kAbsoluteConsistency, RecoveryMode::kTolerateTornTail}) {
    Options o = strict;
    o.recovery_mode = mode;
    absl::StatusOr<std::unique_ptr<Database>> db = Database::Open(path, o);
    EXPECT_ERROR(db, ErrorCode::kDataLoss);
    if (db.ok()) {
      absl::StatusOr<uint64_t> len = (*db)->EventLength(kRun);
      absl::StatusOr<ChainReport> report = (*db)->EventVerifyChain(kRun);
      ADD_FAILURE() << "damage in record " << bad + 1 << " (byte " << flip_at
                    << ") was accepted in mode " << static_cast<int>(mode) << "; length "
                    << (len.ok() ? absl::StrCat(*len) : len.status().ToString()) << ", chain "
                    << (report.ok() ? (report->valid ? "valid" : report->problem)
                                    : report.status().ToString());
      return;
    }
    EXPECT_NE(db.status().message().find(absl::StrCat("offset ", offsets[bad])),
              std::string::npos)
        << db.status();
  }
  // The refused opens changed nothing on disk.
  ASSERT_OK_AND_ASSIGN(std::string after, Env::Default()->ReadFile(segments[0]));
  EXPECT_EQ(after.size(), contents.size());

  Options pit = strict;
  pit.recovery_mode = RecoveryMode::kPointInTime;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, Database::Open(path, pit));
    ExpectChainLinked(db.get(), kRun, bad);
    EXPECT_GT(db->Stats().discarded_bytes, 0u);
    ASSERT_OK_AND_ASSIGN(EventAppended a, db->EventAppend(kRun, "after", Value(1)));
    EXPECT_EQ(a.seq, bad + 1);
    ASSERT_OK(db->Close());
  }
  Options consistent = strict;
  consistent.recovery_mode = RecoveryMode::kAbsoluteConsistency;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, Database::Open(path, consistent));
  ExpectChainLinked(db.get(), kRun, bad + 1);
}

// Damage in the very last record looks exactly like a write torn by a crash:
// kAbsoluteConsistency refuses it, the default kTolerateTornTail cuts it off
// (documented), and what remains is a valid chain one event shorter.
TEST(EventWalDamageTest, DamagedLastRecordIsRefusedOrCutAsATornTail) {
  TempDir dir;
  const std::string path = dir.Sub("db");
  Options strict;
  strict.durability = DurabilityMode::kStrict;
  constexpr uint64_t kEvents = 12;
  uint64_t hash_of_prev_to_last = 0;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, Database::Open(path, strict));
    for (uint64_t i = 1; i <= kEvents; ++i) {
      ASSERT_OK_AND_ASSIGN(EventAppended a, db->EventAppend(kRun, "e", Value(i)));
      if (i == kEvents - 1) hash_of_prev_to_last = a.hash;
    }
    ASSERT_OK(db->Close());
  }
  const std::vector<std::string> segments = SegmentPaths(path);
  ASSERT_EQ(segments.size(), 1u);
  ASSERT_OK_AND_ASSIGN(std::string contents, Env::Default()->ReadFile(segments[0]));
  const std::vector<uint64_t> offsets = RecordOffsets(contents);
  ASSERT_EQ(offsets.size(), kEvents);
  ASSERT_OK(FaultInjectionEnv::FlipByte(Env::Default(), segments[0],
                                        offsets.back() + storage::kRecordHeaderBytes + 3, 0x01));
  {
    Options o = strict;
    o.recovery_mode = RecoveryMode::kAbsoluteConsistency;
    EXPECT_ERROR(Database::Open(path, o), ErrorCode::kDataLoss);
  }
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, Database::Open(path, strict));
  ExpectChainLinked(db.get(), kRun, kEvents - 1);
  EXPECT_GT(db->Stats().discarded_bytes, 0u);
  ASSERT_OK_AND_ASSIGN(Versioned<Event> latest, db->EventLatest(kRun));
  EXPECT_EQ(latest.value.hash, hash_of_prev_to_last);
}

// ---- Tampering: records installed through the engine's internals ----

class EventTamperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<DatabaseImpl>> db = DatabaseImpl::OpenMemory(Options{});
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    ASSERT_OK(db_->CreateRun("other").status());
    for (int64_t i = 1; i <= kEvents; ++i) {
      ASSERT_OK(db_->EventAppend(kRun, absl::StrCat("t", i % 2), Value(i)).status());
      ASSERT_OK(db_->EventAppend("other", "t", Value(i)).status());
    }
    ExpectChainLinked(db_.get(), kRun, kEvents);
  }
  // Writes a raw store entry (key in the event namespace of `run`) outside
  // every check of the event primitive.
  absl::Status Install(const std::string& run, const std::string& key, Value value,
                       storage::MutationType type = storage::MutationType::kPut) {
    txn::TxnContext ctx(db_->transactions(), db_->limits());
    absl::Status s = ctx.Write(type, Primitive::kEvent, run, key, std::move(value));
    if (!s.ok()) return s;
    return ctx.Commit().status();
  }
  absl::Status InstallRecord(uint64_t seq, std::string record) {
    return Install(kRun, primitives::EventKey(seq), Value::MakeBytes(std::move(record)));
  }
  Event Read(uint64_t seq) {
    absl::StatusOr<Versioned<Event>> e = db_->EventRead(kRun, seq);
    EXPECT_TRUE(e.ok()) << e.status();
    return e.ok() ? e->value : Event{};
  }
  void ExpectBrokenAt(uint64_t seq, const std::string& problem_part) {
    ASSERT_OK_AND_ASSIGN(ChainReport report, db_->EventVerifyChain(kRun));
    EXPECT_FALSE(report.valid);
    EXPECT_EQ(report.first_broken_seq, seq) << report.problem;
    EXPECT_NE(report.problem.find(problem_part), std::string::npos) << report.problem;
    // The other run's chain is untouched.
    ASSERT_OK_AND_ASSIGN(ChainReport other, db_->EventVerifyChain("other"));
    EXPECT_TRUE(other.valid) << other.problem;
    EXPECT_EQ(other.events_checked, static_cast<uint64_t>(kEvents));
  }
  static constexpr int64_t kEvents = 10;
  std::unique_ptr<DatabaseImpl> db_;
};

TEST_F(EventTamperTest, ChangedPayloadWithTheOldHash) {
  const Event e = Read(5);
  uint64_t ignored = 0;
  std::string record = primitives::EncodeEventRecord(5, e.type, Value("forged"), e.timestamp_us,
                                                     e.prev_hash, &ignored);
  // Keep the original stored hash: [format][hash]...
  std::string good = primitives::EncodeEventRecord(5, e.type, e.payload, e.timestamp_us,
                                                   e.prev_hash, &ignored);
  ASSERT_EQ(ignored, e.hash) << "the record codec must reproduce the stored hash";
  record.replace(1, 8, good.substr(1, 8));
  ASSERT_OK(InstallRecord(5, record));
  // The record still decodes (so reads return the forged payload) ...
  EXPECT_EQ(Read(5).payload, Value("forged"));
  // ... but verification finds it, and nothing before it is blamed.
  ExpectBrokenAt(5, "hash");
  ASSERT_OK_AND_ASSIGN(ChainReport report, db_->EventVerifyChain(kRun));
  EXPECT_EQ(report.events_checked, 4u);
}

TEST_F(EventTamperTest, RehashedForgeryBreaksTheNextLink) {
  const Event e = Read(5);
  uint64_t new_hash = 0;
  ASSERT_OK(InstallRecord(5, primitives::EncodeEventRecord(5, e.type, Value("forged"),
                                                           e.timestamp_us, e.prev_hash,
                                                           &new_hash)));
  ASSERT_NE(new_hash, e.hash);
  ExpectBrokenAt(6, "prev_hash");
  ASSERT_OK_AND_ASSIGN(ChainReport report, db_->EventVerifyChain(kRun));
  EXPECT_EQ(report.events_checked, 5u);
}

TEST_F(EventTamperTest, RehashedForgeryOfTheLastEventDisagreesWithTheHead) {
  const Event e = Read(kEvents);
  uint64_t new_hash = 0;
  ASSERT_OK(InstallRecord(kEvents, primitives::EncodeEventRecord(kEvents, e.type, Value("x"),
                                                                 e.timestamp_us, e.prev_hash,
                                                                 &new_hash)));
  ExpectBrokenAt(kEvents, "head");
}

TEST_F(EventTamperTest, WrongPrevHashOfTheFirstEvent) {
  const Event e = Read(1);
  uint64_t h = 0;
  ASSERT_OK(InstallRecord(1, primitives::EncodeEventRecord(1, e.type, e.payload, e.timestamp_us,
                                                           /*prev_hash=*/42, &h)));
  ExpectBrokenAt(1, "prev_hash");
}

TEST_F(EventTamperTest, MissingEventInTheMiddle) {
  ASSERT_OK(Install(kRun, primitives::EventKey(3), Value(), storage::MutationType::kDelete));
  ExpectBrokenAt(3, "missing");
  EXPECT_ERROR(db_->EventRead(kRun, 3), ErrorCode::kNotFound);
}

TEST_F(EventTamperTest, MissingLastEvent) {
  ASSERT_OK(
      Install(kRun, primitives::EventKey(kEvents), Value(), storage::MutationType::kDelete));
  ExpectBrokenAt(kEvents, "head");
}

TEST_F(EventTamperTest, ExtraEventPastTheHead) {
  const Event last = Read(kEvents);
  uint64_t h = 0;
  ASSERT_OK(InstallRecord(kEvents + 1,
                          primitives::EncodeEventRecord(kEvents + 1, "t", Value(1),
                                                        last.timestamp_us, last.hash, &h)));
  ExpectBrokenAt(kEvents + 1, "head");
}

TEST_F(EventTamperTest, UndecodableRecordIsDataLossOnRead) {
  ASSERT_OK(InstallRecord(4, std::string("\x01garbage", 8)));
  ExpectBrokenAt(4, "");
  EXPECT_ERROR(db_->EventRead(kRun, 4), ErrorCode::kDataLoss);
  EXPECT_ERROR(db_->Get(EntityRef{kRun, Primitive::kEvent, "", {}, 4}), ErrorCode::kDataLoss);
  EventQuery q;
  EXPECT_ERROR(db_->EventList(kRun, q), ErrorCode::kDataLoss);
  // Events before the damage are still readable.
  ASSERT_OK(db_->EventRead(kRun, 3).status());
  q.to_seq = 3;
  ASSERT_OK_AND_ASSIGN(EventPage page, db_->EventList(kRun, q));
  EXPECT_EQ(page.events.size(), 3u);
}

TEST_F(EventTamperTest, UnknownRecordFormat) {
  const Event e = Read(2);
  uint64_t h = 0;
  std::string record =
      primitives::EncodeEventRecord(2, e.type, e.payload, e.timestamp_us, e.prev_hash, &h);
  record[0] = 9;
  ASSERT_OK(InstallRecord(2, record));
  ExpectBrokenAt(2, "format");
  EXPECT_ERROR(db_->EventRead(kRun, 2), ErrorCode::kDataLoss);
}

TEST_F(EventTamperTest, RecordThatIsNotBytes) {
  ASSERT_OK(Install(kRun, primitives::EventKey(7), Value("not bytes")));
  ExpectBrokenAt(7, "bytes");
  EXPECT_ERROR(db_->EventRead(kRun, 7), ErrorCode::kDataLoss);
}

TEST_F(EventTamperTest, MalformedEventKeys) {
  // A key in the event-record range that is shorter than 'e' + 8 bytes
  // (here with a one-letter run, so the whole store key is shorter than 8
  // bytes too), and one that is longer.
  ASSERT_OK(db_->CreateRun("a").status());
  ASSERT_OK(db_->EventAppend("a", "t", Value(1)).status());
  ASSERT_OK(Install("a", std::string("e\x00", 2), Value::MakeBytes("x")));
  ASSERT_OK_AND_ASSIGN(ChainReport short_key, db_->EventVerifyChain("a"));
  EXPECT_FALSE(short_key.valid);
  EXPECT_EQ(short_key.first_broken_seq, 1u) << short_key.problem;
  EXPECT_NE(short_key.problem.find("malformed"), std::string::npos) << short_key.problem;

  ASSERT_OK(Install(kRun, primitives::EventKey(6) + "x", Value::MakeBytes("x")));
  ExpectBrokenAt(7, "malformed");
}

// Damage is reported in the ChainReport, not as an error (database.hpp),
// also when it is the log head that is damaged.
TEST_F(EventTamperTest, DamagedHead) {
  ASSERT_OK(Install(kRun, "h", Value::MakeBytes("short")));
  EXPECT_ERROR(db_->EventLength(kRun), ErrorCode::kDataLoss);
  EXPECT_ERROR(db_->EventAppend(kRun, "t", Value(1)), ErrorCode::kDataLoss);
  ExpectBrokenAt(kEvents + 1, "head");
  ASSERT_OK(db_->EventRead(kRun, 1).status());
}

}  // namespace
}  // namespace strata
