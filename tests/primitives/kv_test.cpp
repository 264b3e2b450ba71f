// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// The KV primitive through the public API: point operations, versions,
// reads at old versions, retention, history, listings with prefixes and
// cursors, binary keys and argument validation.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "strata/database.hpp"
#include "strata/options.hpp"
#include "strata/status.hpp"
#include "strata/types.hpp"
#include "strata/value.hpp"
#include "test_util.hpp"

namespace strata {
namespace {

class KvTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(Options{}); }
  void Open(const Options& o) {
    absl::StatusOr<std::unique_ptr<Database>> db = Database::OpenInMemory(o);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
  }
  std::vector<std::string> ListKeys(const std::string& prefix, const std::string& run = kDefaultRun) {
    std::vector<std::string> keys;
    std::string cursor;
    do {
      absl::StatusOr<KvPage> page = db_->KvList(run, ListRequest{prefix, cursor, kMaxListLimit});
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) break;
      for (const auto& e : page->entries) keys.push_back(e.key);
      cursor = page->next_cursor;
    } while (!cursor.empty());
    return keys;
  }
  std::unique_ptr<Database> db_;
};

TEST_F(KvTest, PutGetDeleteExists) {
  ASSERT_OK_AND_ASSIGN(bool exists, db_->KvExists(kDefaultRun, "k"));
  EXPECT_FALSE(exists);
  EXPECT_ERROR(db_->KvGet(kDefaultRun, "k"), ErrorCode::kNotFound);
  EXPECT_EQ(db_->CurrentVersion(), 0u);

  Value doc(Value::Object{{"name", Value("ada")}, {"tags", Value(Value::Array{1, 2.5, true})}});
  ASSERT_OK_AND_ASSIGN(Version v1, db_->KvPut(kDefaultRun, "k", doc));
  EXPECT_EQ(v1, 1u);
  ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db_->KvGet(kDefaultRun, "k"));
  EXPECT_EQ(got.value, doc);
  EXPECT_EQ(got.version, 1u);
  EXPECT_GT(got.timestamp_us, 0);
  ASSERT_OK_AND_ASSIGN(exists, db_->KvExists(kDefaultRun, "k"));
  EXPECT_TRUE(exists);
  EXPECT_EQ(db_->Stats().live_keys, 1u);

  ASSERT_OK_AND_ASSIGN(Version v2, db_->KvDelete(kDefaultRun, "k"));
  EXPECT_EQ(v2, 2u);
  EXPECT_ERROR(db_->KvGet(kDefaultRun, "k"), ErrorCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(exists, db_->KvExists(kDefaultRun, "k"));
  EXPECT_FALSE(exists);
  EXPECT_EQ(db_->Stats().live_keys, 0u);
  // Deleting an absent key: NotFound and no version consumed.
  EXPECT_ERROR(db_->KvDelete(kDefaultRun, "k"), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->KvDelete(kDefaultRun, "never"), ErrorCode::kNotFound);
  EXPECT_EQ(db_->CurrentVersion(), 2u);
  // Re-create after delete.
  ASSERT_OK_AND_ASSIGN(Version v3, db_->KvPut(kDefaultRun, "k", Value(nullptr)));
  ASSERT_OK_AND_ASSIGN(got, db_->KvGet(kDefaultRun, "k"));
  EXPECT_TRUE(got.value.is_null());  // A stored null is a value, not absence.
  EXPECT_EQ(got.version, v3);
  ASSERT_OK_AND_ASSIGN(exists, db_->KvExists(kDefaultRun, "k"));
  EXPECT_TRUE(exists);
}

TEST_F(KvTest, EveryValueTypeRoundTrips) {
  const std::vector<Value> values = {
      Value(),
      Value(false),
      Value(int64_t{-9223372036854775807 - 1}),
      Value(3.25),
      Value(""),
      Value("text ü"),
      Value::MakeBytes(std::string("\0\xff\x01", 3)),
      Value(Value::Array{}),
      Value(Value::Object{}),
      Value(Value::Object{{"a", Value(Value::Array{Value(Value::Object{{"b", Value(1)}})})}}),
  };
  for (size_t i = 0; i < values.size(); ++i) {
    const std::string key = "v" + std::to_string(i);
    ASSERT_OK(db_->KvPut(kDefaultRun, key, values[i]).status());
    ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db_->KvGet(kDefaultRun, key));
    EXPECT_EQ(got.value, values[i]) << i;
    EXPECT_EQ(got.value.type(), values[i].type()) << i;
  }
}

TEST_F(KvTest, OverwriteCreatesVersions) {
  ASSERT_OK_AND_ASSIGN(Version v1, db_->KvPut(kDefaultRun, "k", Value(1)));
  ASSERT_OK_AND_ASSIGN(Version other, db_->KvPut(kDefaultRun, "other", Value(0)));
  ASSERT_OK_AND_ASSIGN(Version v2, db_->KvPut(kDefaultRun, "k", Value(2)));
  ASSERT_OK_AND_ASSIGN(Version v3, db_->KvPut(kDefaultRun, "k", Value(2)));  // Same value.
  EXPECT_EQ(other, v1 + 1);
  EXPECT_EQ(v2, v1 + 2);
  EXPECT_EQ(v3, v2 + 1);
  ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db_->KvGet(kDefaultRun, "k"));
  EXPECT_EQ(got.version, v3);
  EXPECT_EQ(got.value, Value(2));
  ASSERT_OK_AND_ASSIGN(auto hist, db_->KvHistory(kDefaultRun, "k"));
  ASSERT_EQ(hist.size(), 3u);
  EXPECT_EQ(db_->Stats().stored_versions, 4u);
  EXPECT_EQ(db_->Stats().live_keys, 2u);
}

TEST_F(KvTest, GetAtOldVersions) {
  ASSERT_OK_AND_ASSIGN(Version v1, db_->KvPut(kDefaultRun, "k", Value("one")));
  ASSERT_OK_AND_ASSIGN(Version vx, db_->KvPut(kDefaultRun, "x", Value("x")));
  ASSERT_OK_AND_ASSIGN(Version v2, db_->KvPut(kDefaultRun, "k", Value("two")));
  ASSERT_OK_AND_ASSIGN(Version vd, db_->KvDelete(kDefaultRun, "k"));
  ASSERT_OK_AND_ASSIGN(Version v3, db_->KvPut(kDefaultRun, "k", Value("three")));

  // Before the key existed.
  EXPECT_ERROR(db_->KvGetAt(kDefaultRun, "k", 0), ErrorCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(Versioned<Value> a, db_->KvGetAt(kDefaultRun, "k", v1));
  EXPECT_EQ(a.value, Value("one"));
  EXPECT_EQ(a.version, v1);
  // Between writes of this key: the newest at or below.
  ASSERT_OK_AND_ASSIGN(Versioned<Value> b, db_->KvGetAt(kDefaultRun, "k", vx));
  EXPECT_EQ(b.value, Value("one"));
  EXPECT_EQ(b.version, v1);
  ASSERT_OK_AND_ASSIGN(Versioned<Value> c, db_->KvGetAt(kDefaultRun, "k", v2));
  EXPECT_EQ(c.value, Value("two"));
  // Deleted at vd.
  EXPECT_ERROR(db_->KvGetAt(kDefaultRun, "k", vd), ErrorCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(Versioned<Value> d, db_->KvGetAt(kDefaultRun, "k", v3));
  EXPECT_EQ(d.value, Value("three"));
  // The timestamp is the commit's.
  ASSERT_OK_AND_ASSIGN(Versioned<Value> now, db_->KvGet(kDefaultRun, "k"));
  EXPECT_EQ(now.timestamp_us, d.timestamp_us);
  EXPECT_LE(a.timestamp_us, d.timestamp_us);

  // Future versions were never committed.
  const Version current = db_->CurrentVersion();
  EXPECT_EQ(current, v3);
  absl::StatusOr<Versioned<Value>> future = db_->KvGetAt(kDefaultRun, "k", current + 1);
  EXPECT_ERROR(future, ErrorCode::kVersionNotFound);
  EXPECT_EQ(future.status().code(), absl::StatusCode::kNotFound);
  EXPECT_ERROR(db_->KvGetAt(kDefaultRun, "k", ~Version{0}), ErrorCode::kVersionNotFound);
  EXPECT_ERROR(db_->KvGetAt(kDefaultRun, "missing", current + 5),
               ErrorCode::kVersionNotFound);
  EXPECT_ERROR(db_->KvGetAt(kDefaultRun, "missing", current), ErrorCode::kNotFound);
}

TEST_F(KvTest, HistoryTrimmedWithKeepLast) {
  Options o;
  o.retention = RetentionPolicy::KeepLast(3);
  Open(o);
  constexpr int kWrites = 300;
  std::vector<Version> versions;
  for (int i = 0; i < kWrites; ++i) {
    ASSERT_OK_AND_ASSIGN(Version v, db_->KvPut(kDefaultRun, "k", Value(i)));
    versions.push_back(v);
    // A second key keeps versions moving between writes of "k".
    ASSERT_OK(db_->KvPut(kDefaultRun, "noise", Value(i)).status());
  }
  ASSERT_OK_AND_ASSIGN(auto hist, db_->KvHistory(kDefaultRun, "k", kMaxListLimit));
  // The newest three versions always stay readable.
  ASSERT_GE(hist.size(), 3u);
  // Trimming happened: far fewer than all versions are kept.
  EXPECT_LT(hist.size(), static_cast<size_t>(kWrites));
  for (size_t i = 0; i < hist.size(); ++i) {
    EXPECT_EQ(hist[i].version, versions[versions.size() - 1 - i]);
  }
  for (int back = 1; back <= 3; ++back) {
    const Version v = versions[versions.size() - back];
    ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db_->KvGetAt(kDefaultRun, "k", v));
    EXPECT_EQ(got.value, Value(kWrites - back));
  }
  const Version earliest = hist.back().version;
  // Every retained version reads back.
  ASSERT_OK(db_->KvGetAt(kDefaultRun, "k", earliest).status());
  // Below it: HistoryTrimmed naming the earliest retained version.
  for (Version below : {Version{1}, versions[0], versions[kWrites / 2], earliest - 1}) {
    absl::StatusOr<Versioned<Value>> r = db_->KvGetAt(kDefaultRun, "k", below);
    EXPECT_ERROR(r, ErrorCode::kHistoryTrimmed);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kOutOfRange);
    EXPECT_EQ(ErrorVersion(r.status()), std::optional<uint64_t>(earliest)) << below;
  }
  // Memory is bounded: total stored versions stay far below all writes.
  EXPECT_LT(db_->Stats().stored_versions, static_cast<uint64_t>(kWrites));
  // An open transaction's snapshot keeps what it reads.
  auto t = db_->BeginTransaction();
  ASSERT_OK(t.status());
  ASSERT_OK_AND_ASSIGN(Versioned<Value> before, (*t)->KvGet(kDefaultRun, "k"));
  for (int i = 0; i < 500; ++i) {
    ASSERT_OK(db_->KvPut(kDefaultRun, "k", Value(10000 + i)).status());
  }
  ASSERT_OK_AND_ASSIGN(Versioned<Value> after, (*t)->KvGet(kDefaultRun, "k"));
  EXPECT_EQ(after.value, before.value);
  EXPECT_EQ(after.version, before.version);
  ASSERT_OK_AND_ASSIGN(Versioned<Value> at_snapshot,
                       db_->KvGetAt(kDefaultRun, "k", (*t)->snapshot_version()));
  EXPECT_EQ(at_snapshot.value, before.value);
}

TEST_F(KvTest, KeepLastBoundsAHotKey) {
  Options o;
  o.retention = RetentionPolicy::KeepLast(2);
  Open(o);
  for (int i = 0; i < 100000; ++i) {
    ASSERT_OK(db_->KvPut(kDefaultRun, "hot", Value(i)).status());
  }
  const DatabaseStats s = db_->Stats();
  // The trim horizon may lag a little behind, but the chain stays short.
  EXPECT_LE(s.stored_versions, 200u);
  EXPECT_EQ(s.live_keys, 1u);
  ASSERT_OK_AND_ASSIGN(auto hist, db_->KvHistory(kDefaultRun, "hot", kMaxListLimit));
  EXPECT_GE(hist.size(), 2u);
  EXPECT_EQ(hist[0].value, Value(99999));
  EXPECT_EQ(hist[1].value, Value(99998));
}

TEST_F(KvTest, HistoryNewestFirstWithTombstones) {
  ASSERT_OK_AND_ASSIGN(Version v1, db_->KvPut(kDefaultRun, "k", Value("a")));
  ASSERT_OK_AND_ASSIGN(Version v2, db_->KvPut(kDefaultRun, "k", Value("b")));
  ASSERT_OK_AND_ASSIGN(Version v3, db_->KvDelete(kDefaultRun, "k"));
  ASSERT_OK_AND_ASSIGN(Version v4, db_->KvPut(kDefaultRun, "k", Value("c")));
  ASSERT_OK_AND_ASSIGN(auto h, db_->KvHistory(kDefaultRun, "k"));
  ASSERT_EQ(h.size(), 4u);
  EXPECT_EQ(h[0].version, v4);
  EXPECT_FALSE(h[0].deleted);
  EXPECT_EQ(h[0].value, Value("c"));
  EXPECT_EQ(h[1].version, v3);
  EXPECT_TRUE(h[1].deleted);
  EXPECT_TRUE(h[1].value.is_null());
  EXPECT_EQ(h[2].version, v2);
  EXPECT_EQ(h[2].value, Value("b"));
  EXPECT_EQ(h[3].version, v1);
  EXPECT_EQ(h[3].value, Value("a"));
  for (size_t i = 1; i < h.size(); ++i) EXPECT_GE(h[i - 1].timestamp_us, h[i].timestamp_us);

  ASSERT_OK_AND_ASSIGN(auto h2, db_->KvHistory(kDefaultRun, "k", 2));
  ASSERT_EQ(h2.size(), 2u);
  EXPECT_EQ(h2[0].version, v4);
  EXPECT_EQ(h2[1].version, v3);
  // A deleted key still has history.
  ASSERT_OK(db_->KvDelete(kDefaultRun, "k").status());
  ASSERT_OK_AND_ASSIGN(auto h3, db_->KvHistory(kDefaultRun, "k"));
  EXPECT_EQ(h3.size(), 5u);
  EXPECT_TRUE(h3[0].deleted);
  EXPECT_ERROR(db_->KvHistory(kDefaultRun, "never"), ErrorCode::kNotFound);
}

TEST_F(KvTest, ListWithPrefix) {
  for (const char* k : {"a", "a/1", "a/2", "a/2/x", "a0", "b/1", "B", "a/3"}) {
    ASSERT_OK(db_->KvPut(kDefaultRun, k, Value(std::string(k))).status());
  }
  ASSERT_OK(db_->KvDelete(kDefaultRun, "a/3").status());
  ASSERT_OK(db_->CreateRun("other").status());
  ASSERT_OK(db_->KvPut("other", "a/9", Value(1)).status());

  ASSERT_OK_AND_ASSIGN(KvPage page, db_->KvList(kDefaultRun, ListRequest{"a/", "", 100}));
  std::vector<std::string> keys;
  for (const auto& e : page.entries) {
    keys.push_back(e.key);
    EXPECT_EQ(e.value.value, Value(e.key));
    ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db_->KvGet(kDefaultRun, e.key));
    EXPECT_EQ(e.value.version, got.version);
    EXPECT_EQ(e.value.timestamp_us, got.timestamp_us);
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"a/1", "a/2", "a/2/x"}));
  EXPECT_TRUE(page.next_cursor.empty());
  EXPECT_EQ(ListKeys(""),
            (std::vector<std::string>{"B", "a", "a/1", "a/2", "a/2/x", "a0", "b/1"}));
  EXPECT_EQ(ListKeys("a"), (std::vector<std::string>{"a", "a/1", "a/2", "a/2/x", "a0"}));
  EXPECT_EQ(ListKeys("a/2"), (std::vector<std::string>{"a/2", "a/2/x"}));
  EXPECT_TRUE(ListKeys("zzz").empty());
  EXPECT_EQ(ListKeys("", "other"), std::vector<std::string>{"a/9"});
  // An existing but empty run lists nothing; a run that does not exist is
  // NotFound, on the fast path and in a transaction.
  ASSERT_OK(db_->CreateRun("empty").status());
  EXPECT_TRUE(ListKeys("", "empty").empty());
  EXPECT_ERROR(db_->KvList("no-such-run", ListRequest{}), ErrorCode::kNotFound);
  auto t = db_->BeginTransaction();
  ASSERT_OK(t.status());
  EXPECT_ERROR((*t)->KvList("no-such-run", ListRequest{}), ErrorCode::kNotFound);
}

TEST_F(KvTest, CursorPaginationVisitsEveryKeyOnceInOrder) {
  const uint64_t seed = testing::TestSeed();
  std::mt19937_64 rng(seed);
  std::set<std::string> keys;
  while (keys.size() < 1000) {
    std::string k = "p/";
    const size_t len = 1 + rng() % 8;
    for (size_t i = 0; i < len; ++i) k.push_back(static_cast<char>(rng() % 256));
    keys.insert(k);
  }
  // Keys outside the prefix on both sides.
  for (const char* k : {"o", "p", "p.", "p0", "q/1"}) keys.insert(k);
  std::vector<std::string> order(keys.begin(), keys.end());
  std::shuffle(order.begin(), order.end(), rng);
  for (const std::string& k : order) ASSERT_OK(db_->KvPut(kDefaultRun, k, Value(k)).status());

  std::vector<std::string> want;
  for (const std::string& k : keys) {
    if (k.rfind("p/", 0) == 0) want.push_back(k);
  }
  ASSERT_EQ(want.size(), 1000u);

  std::vector<std::string> seen;
  std::string cursor;
  int pages = 0;
  for (;;) {
    ASSERT_OK_AND_ASSIGN(KvPage page, db_->KvList(kDefaultRun, ListRequest{"p/", cursor, 7}));
    ++pages;
    ASSERT_LE(page.entries.size(), 7u);
    for (const auto& e : page.entries) {
      seen.push_back(e.key);
      EXPECT_EQ(e.value.value, Value(e.key));
    }
    if (page.next_cursor.empty()) break;
    ASSERT_EQ(page.entries.size(), 7u);  // Only a full page has a continuation.
    EXPECT_EQ(page.next_cursor, page.entries.back().key);
    cursor = page.next_cursor;
    ASSERT_LT(pages, 1000);
  }
  EXPECT_EQ(seen, want);
  EXPECT_EQ(pages, static_cast<int>((1000 + 6) / 7));

  // The same through a transaction.
  auto t = db_->BeginTransaction();
  ASSERT_OK(t.status());
  std::vector<std::string> seen_txn;
  cursor.clear();
  do {
    ASSERT_OK_AND_ASSIGN(KvPage page,
                         (*t)->KvList(kDefaultRun, ListRequest{"p/", cursor, 7}));
    for (const auto& e : page.entries) seen_txn.push_back(e.key);
    cursor = page.next_cursor;
  } while (!cursor.empty());
  EXPECT_EQ(seen_txn, want);

  // Exact multiple of the limit: the last full page may carry a cursor, but
  // following it yields an empty page without a cursor.
  ASSERT_OK(db_->CreateRun("exact").status());
  for (int i = 0; i < 14; ++i) {
    ASSERT_OK(db_->KvPut("exact", "k" + std::to_string(100 + i), Value(i)).status());
  }
  std::vector<std::string> exact;
  cursor.clear();
  for (int guard = 0; guard < 10; ++guard) {
    ASSERT_OK_AND_ASSIGN(KvPage page, db_->KvList("exact", ListRequest{"", cursor, 7}));
    for (const auto& e : page.entries) exact.push_back(e.key);
    cursor = page.next_cursor;
    if (cursor.empty()) break;
  }
  EXPECT_EQ(exact.size(), 14u);
  EXPECT_TRUE(std::is_sorted(exact.begin(), exact.end()));
}

TEST_F(KvTest, BinaryKeys) {
  const std::vector<std::string> keys = {
      std::string("\0", 1),
      std::string("\0\0", 2),
      std::string("a\0b", 3),
      "a",
      std::string("a\xff", 2),
      std::string("\x7f"),
      std::string("\x80"),
      std::string("\xff"),
      std::string("\xff\x00", 2),
      std::string("\xff\xff"),
      std::string("\xff\xff\xff"),
  };
  for (size_t i = 0; i < keys.size(); ++i) {
    ASSERT_OK(db_->KvPut(kDefaultRun, keys[i], Value(static_cast<int64_t>(i))).status());
  }
  for (size_t i = 0; i < keys.size(); ++i) {
    ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db_->KvGet(kDefaultRun, keys[i]));
    EXPECT_EQ(got.value, Value(static_cast<int64_t>(i)));
  }
  // "a\0b" is not "a" and not "a\0".
  EXPECT_ERROR(db_->KvGet(kDefaultRun, std::string("a\0", 2)), ErrorCode::kNotFound);
  std::vector<std::string> sorted = keys;
  std::sort(sorted.begin(), sorted.end(), [](const std::string& x, const std::string& y) {
    return std::lexicographical_compare(
        x.begin(), x.end(), y.begin(), y.end(),
        [](char c, char d) { return static_cast<unsigned char>(c) < static_cast<unsigned char>(d); });
  });
  EXPECT_EQ(ListKeys(""), sorted);  // Unsigned bytewise order.
  // Prefixes made of 0xff bytes (no simple successor) and of 0x00 bytes.
  EXPECT_EQ(ListKeys("\xff"),
            (std::vector<std::string>{"\xff", std::string("\xff\x00", 2), "\xff\xff",
                                      "\xff\xff\xff"}));
  EXPECT_EQ(ListKeys("\xff\xff"), (std::vector<std::string>{"\xff\xff", "\xff\xff\xff"}));
  EXPECT_EQ(ListKeys(std::string("\0", 1)),
            (std::vector<std::string>{std::string("\0", 1), std::string("\0\0", 2)}));
  // Cursor pagination over binary keys, limit 2.
  std::vector<std::string> paged;
  std::string cursor;
  do {
    ASSERT_OK_AND_ASSIGN(KvPage page, db_->KvList(kDefaultRun, ListRequest{"", cursor, 2}));
    for (const auto& e : page.entries) paged.push_back(e.key);
    cursor = page.next_cursor;
  } while (!cursor.empty());
  EXPECT_EQ(paged, sorted);
  // Delete and history on a binary key.
  ASSERT_OK(db_->KvDelete(kDefaultRun, std::string("\0", 1)).status());
  ASSERT_OK_AND_ASSIGN(auto h, db_->KvHistory(kDefaultRun, std::string("\0", 1)));
  ASSERT_EQ(h.size(), 2u);
  EXPECT_TRUE(h[0].deleted);
}

TEST_F(KvTest, KeyLimits) {
  const std::string max_key(kMaxKeyBytes, 'k');
  ASSERT_OK(db_->KvPut(kDefaultRun, max_key, Value(1)).status());
  ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db_->KvGet(kDefaultRun, max_key));
  EXPECT_EQ(got.value, Value(1));
  const std::string too_long(kMaxKeyBytes + 1, 'k');
  const ErrorCode re = ErrorCode::kResourceExhausted;
  EXPECT_ERROR(db_->KvPut(kDefaultRun, too_long, Value(1)), re);
  EXPECT_ERROR(db_->KvGet(kDefaultRun, too_long), re);
  EXPECT_ERROR(db_->KvExists(kDefaultRun, too_long), re);
  EXPECT_ERROR(db_->KvDelete(kDefaultRun, too_long), re);
  EXPECT_ERROR(db_->KvCompareAndSwap(kDefaultRun, too_long, 0, Value(1)), re);
  EXPECT_ERROR(db_->KvGetAt(kDefaultRun, too_long, 1), re);
  EXPECT_ERROR(db_->KvHistory(kDefaultRun, too_long), re);

  const ErrorCode ia = ErrorCode::kInvalidArgument;
  EXPECT_ERROR(db_->KvPut(kDefaultRun, "", Value(1)), ia);
  EXPECT_ERROR(db_->KvGet(kDefaultRun, ""), ia);
  EXPECT_ERROR(db_->KvExists(kDefaultRun, ""), ia);
  EXPECT_ERROR(db_->KvDelete(kDefaultRun, ""), ia);
  EXPECT_ERROR(db_->KvCompareAndSwap(kDefaultRun, "", 0, Value(1)), ia);
  EXPECT_ERROR(db_->KvGetAt(kDefaultRun, "", 1), ia);
  EXPECT_ERROR(db_->KvHistory(kDefaultRun, ""), ia);

  auto t = db_->BeginTransaction();
  ASSERT_OK(t.status());
  EXPECT_ERROR((*t)->KvPut(kDefaultRun, "", Value(1)), ia);
  EXPECT_ERROR((*t)->KvGet(kDefaultRun, ""), ia);
  EXPECT_ERROR((*t)->KvExists(kDefaultRun, ""), ia);
  EXPECT_ERROR((*t)->KvDelete(kDefaultRun, ""), ia);
  EXPECT_ERROR((*t)->KvCompareAndSwap(kDefaultRun, "", 0, Value(1)), ia);
  EXPECT_ERROR((*t)->KvPut(kDefaultRun, too_long, Value(1)), re);
  EXPECT_ERROR((*t)->KvGet(kDefaultRun, too_long), re);
  EXPECT_ERROR((*t)->KvDelete(kDefaultRun, too_long), re);
  ASSERT_OK((*t)->Commit().status());
  EXPECT_EQ(db_->CurrentVersion(), 1u);  // Only the max_key put.
}

TEST_F(KvTest, InvalidRunIds) {
  const std::vector<std::string> bad = {"", "has space", "a/b", "ünïcode",
                                        std::string("a\0b", 3)};
  const ErrorCode ia = ErrorCode::kInvalidArgument;
  auto t = db_->BeginTransaction();
  ASSERT_OK(t.status());
  for (const std::string& run : bad) {
    SCOPED_TRACE(run);
    EXPECT_ERROR(db_->KvPut(run, "k", Value(1)), ia);
    EXPECT_ERROR(db_->KvGet(run, "k"), ia);
    EXPECT_ERROR(db_->KvExists(run, "k"), ia);
    EXPECT_ERROR(db_->KvDelete(run, "k"), ia);
    EXPECT_ERROR(db_->KvList(run, ListRequest{}), ia);
    EXPECT_ERROR(db_->KvCompareAndSwap(run, "k", 0, Value(1)), ia);
    EXPECT_ERROR(db_->KvGetAt(run, "k", 0), ia);
    EXPECT_ERROR(db_->KvHistory(run, "k"), ia);
    EXPECT_ERROR(db_->CreateRun(run), ia);
    EXPECT_ERROR(db_->RunExists(run), ia);
    EXPECT_ERROR((*t)->KvPut(run, "k", Value(1)), ia);
    EXPECT_ERROR((*t)->KvGet(run, "k"), ia);
    EXPECT_ERROR((*t)->KvList(run, ListRequest{}), ia);
    EXPECT_ERROR((*t)->CreateRun(run), ia);
  }
  // Too long is a size limit: ResourceExhausted (like keys and values).
  const std::string too_long(kMaxRunIdBytes + 1, 'r');
  const ErrorCode re = ErrorCode::kResourceExhausted;
  EXPECT_ERROR(db_->KvPut(too_long, "k", Value(1)), re);
  EXPECT_ERROR(db_->KvGet(too_long, "k"), re);
  EXPECT_ERROR(db_->KvList(too_long, ListRequest{}), re);
  EXPECT_ERROR(db_->CreateRun(too_long), re);
  EXPECT_ERROR((*t)->KvPut(too_long, "k", Value(1)), re);
  EXPECT_ERROR((*t)->CreateRun(too_long), re);
  // The longest valid id and the full character set work.
  const std::string longest(kMaxRunIdBytes, 'r');
  ASSERT_OK(db_->CreateRun(longest).status());
  ASSERT_OK(db_->KvPut(longest, "k", Value(1)).status());
  ASSERT_OK(db_->CreateRun("Az09._:-").status());
  ASSERT_OK(db_->KvPut("Az09._:-", "k", Value(2)).status());
  ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db_->KvGet("Az09._:-", "k"));
  EXPECT_EQ(got.value, Value(2));
  // Valid but missing run: reads find nothing, writes fail with NotFound.
  EXPECT_ERROR(db_->KvGet("missing", "k"), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->KvPut("missing", "k", Value(1)), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->KvDelete("missing", "k"), ErrorCode::kNotFound);
}

TEST_F(KvTest, ListAndHistoryLimits) {
  ASSERT_OK(db_->KvPut(kDefaultRun, "k", Value(1)).status());
  const ErrorCode ia = ErrorCode::kInvalidArgument;
  EXPECT_ERROR(db_->KvList(kDefaultRun, ListRequest{"", "", 0}), ia);
  EXPECT_ERROR(db_->KvList(kDefaultRun, ListRequest{"", "", kMaxListLimit + 1}), ia);
  EXPECT_ERROR(db_->KvHistory(kDefaultRun, "k", 0), ia);
  EXPECT_ERROR(db_->KvHistory(kDefaultRun, "k", kMaxListLimit + 1), ia);
  ASSERT_OK(db_->KvList(kDefaultRun, ListRequest{"", "", 1}).status());
  ASSERT_OK(db_->KvList(kDefaultRun, ListRequest{"", "", kMaxListLimit}).status());
  ASSERT_OK(db_->KvHistory(kDefaultRun, "k", kMaxListLimit).status());
  auto t = db_->BeginTransaction();
  ASSERT_OK(t.status());
  EXPECT_ERROR((*t)->KvList(kDefaultRun, ListRequest{"", "", 0}), ia);
  EXPECT_ERROR((*t)->KvList(kDefaultRun, ListRequest{"", "", kMaxListLimit + 1}), ia);
  ASSERT_OK((*t)->KvList(kDefaultRun, ListRequest{"", "", kMaxListLimit}).status());
}

Value Nested(int depth) {
  Value v(1);
  for (int i = 0; i < depth; ++i) {
    v = (i % 2 == 0) ? Value(Value::Array{std::move(v)})
                     : Value(Value::Object{{"x", std::move(v)}});
  }
  return v;
}

TEST_F(KvTest, ValueNestingLimit) {
  const Value ok = Nested(kMaxValueDepth);
  ASSERT_EQ(ok.Depth(), kMaxValueDepth);
  ASSERT_OK(db_->KvPut(kDefaultRun, "deep", ok).status());
  ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db_->KvGet(kDefaultRun, "deep"));
  EXPECT_EQ(got.value, ok);
  const Value too_deep = Nested(kMaxValueDepth + 1);
  const ErrorCode re = ErrorCode::kResourceExhausted;
  EXPECT_ERROR(db_->KvPut(kDefaultRun, "deeper", too_deep), re);
  EXPECT_ERROR(db_->KvCompareAndSwap(kDefaultRun, "deeper", 0, too_deep), re);
  auto t = db_->BeginTransaction();
  ASSERT_OK(t.status());
  EXPECT_ERROR((*t)->KvPut(kDefaultRun, "deeper", too_deep), re);
  EXPECT_ERROR((*t)->KvCompareAndSwap(kDefaultRun, "deeper", 0, too_deep), re);
  (*t)->Rollback();
  EXPECT_ERROR(db_->KvGet(kDefaultRun, "deeper"), ErrorCode::kNotFound);
}

TEST_F(KvTest, ValueSizeLimit) {
  Options o;
  o.max_value_bytes = 4096;
  Open(o);
  ASSERT_OK(db_->KvPut(kDefaultRun, "small", Value(std::string(1000, 's'))).status());
  EXPECT_ERROR(db_->KvPut(kDefaultRun, "big", Value(std::string(5000, 'b'))),
               ErrorCode::kResourceExhausted);
  EXPECT_ERROR(db_->KvPut(kDefaultRun, "big", Value::MakeBytes(std::string(5000, 'b'))),
               ErrorCode::kResourceExhausted);
  Value::Array many;
  for (int i = 0; i < 1000; ++i) many.emplace_back(i);
  EXPECT_ERROR(db_->KvPut(kDefaultRun, "big", Value(std::move(many))),
               ErrorCode::kResourceExhausted);
  EXPECT_ERROR(db_->KvGet(kDefaultRun, "big"), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace strata
