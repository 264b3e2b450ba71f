// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Tests for MvccStore: point reads at versions, tombstones, ordered scans
// merged across shards, scan-range change detection, history, KeepLast
// trimming bounded by the snapshot horizon, and accounting.
#include "storage/mvcc_store.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "storage/store_key.hpp"
#include "strata/options.hpp"
#include "strata/types.hpp"
#include "strata/value.hpp"
#include "test_util.hpp"

namespace strata::storage {
namespace {

std::string K(const std::string& key) {
  return MakeStoreKey(Primitive::kKv, "r", key);
}

// Installs a put with a timestamp derived from the version and no open
// snapshots below it (horizon = version).
void Put(MvccStore& store, const std::string& key, Version v, Value value,
         std::optional<Version> horizon = std::nullopt) {
  store.Install(K(key), v, static_cast<TimestampMicros>(v * 10), false,
                std::move(value), horizon.value_or(v));
}

void Del(MvccStore& store, const std::string& key, Version v,
         std::optional<Version> horizon = std::nullopt) {
  store.Install(K(key), v, static_cast<TimestampMicros>(v * 10), true, Value(),
                horizon.value_or(v));
}

TEST(MvccStoreTest, GetAtVersions) {
  MvccStore store(64, RetentionPolicy::KeepAll());
  Put(store, "k", 5, Value("a"));
  Put(store, "k", 10, Value("b"));

  Versioned<Value> out;
  EXPECT_EQ(store.Get(K("k"), 0, &out), ReadStatus::kAbsent);
  EXPECT_EQ(store.Get(K("k"), 4, &out), ReadStatus::kAbsent);
  ASSERT_EQ(store.Get(K("k"), 5, &out), ReadStatus::kFound);
  EXPECT_EQ(out.value, Value("a"));
  EXPECT_EQ(out.version, 5u);
  EXPECT_EQ(out.timestamp_us, 50);
  ASSERT_EQ(store.Get(K("k"), 9, &out), ReadStatus::kFound);
  EXPECT_EQ(out.value, Value("a"));
  EXPECT_EQ(out.version, 5u);
  ASSERT_EQ(store.Get(K("k"), 10, &out), ReadStatus::kFound);
  EXPECT_EQ(out.value, Value("b"));
  EXPECT_EQ(out.version, 10u);
  EXPECT_EQ(out.timestamp_us, 100);
  ASSERT_EQ(store.Get(K("k"), 1000, &out), ReadStatus::kFound);
  EXPECT_EQ(out.value, Value("b"));

  // Unknown key; same user key in another run or primitive is distinct.
  EXPECT_EQ(store.Get(K("other"), 1000, &out), ReadStatus::kAbsent);
  EXPECT_EQ(store.Get(MakeStoreKey(Primitive::kKv, "r2", "k"), 1000, &out),
            ReadStatus::kAbsent);
  EXPECT_EQ(store.Get(MakeStoreKey(Primitive::kJson, "r", "k"), 1000, &out),
            ReadStatus::kAbsent);

  EXPECT_EQ(store.HeadVersion(K("k")), 10u);
  EXPECT_EQ(store.LiveHeadVersion(K("k")), 10u);
  EXPECT_EQ(store.HeadVersion(K("other")), 0u);
  EXPECT_EQ(store.EarliestRetained(K("k")), 0u);
}

TEST(MvccStoreTest, GetLatestUsesVisible) {
  MvccStore store(8, RetentionPolicy::KeepAll());
  Put(store, "k", 1, Value(1));
  Put(store, "k", 2, Value(2));
  std::atomic<Version> visible{1};
  Versioned<Value> out;
  ASSERT_EQ(store.GetLatest(K("k"), visible, &out), ReadStatus::kFound);
  EXPECT_EQ(out.value, Value(1));
  visible = 2;
  ASSERT_EQ(store.GetLatest(K("k"), visible, &out), ReadStatus::kFound);
  EXPECT_EQ(out.value, Value(2));
  visible = 0;
  EXPECT_EQ(store.GetLatest(K("k"), visible, &out), ReadStatus::kAbsent);
}

// VisitMany answers each key as Get would at the snapshot, across batches
// and shards, skipping absent and deleted keys and reporting each index once.
TEST(MvccStoreTest, VisitManyMatchesGet) {
  MvccStore store(8, RetentionPolicy::KeepAll());
  constexpr int kKeys = 300;  // Several batches of kVisitManyBatch.
  for (int i = 0; i < kKeys; ++i) {
    Put(store, "k" + std::to_string(i), static_cast<Version>(i + 1), Value(i));
    if (i % 7 == 0) Del(store, "k" + std::to_string(i), static_cast<Version>(kKeys + i + 1));
  }
  std::vector<std::string> owned;
  for (int i = 0; i < kKeys + 20; ++i) owned.push_back(K("k" + std::to_string(i)));
  std::vector<std::string_view> keys(owned.begin(), owned.end());
  for (Version snapshot : {Version{0}, Version{150}, Version{kKeys}, Version{2 * kKeys + 1}}) {
    // `fn` may not call back into the store: collect, then compare.
    std::vector<int> seen(keys.size(), 0);
    std::vector<Versioned<Value>> got(keys.size());
    store.VisitMany(keys, snapshot,
                    [&](size_t i, const Value& value, Version version, TimestampMicros ts) {
                      ASSERT_LT(i, keys.size());
                      ++seen[i];
                      got[i] = Versioned<Value>{value, version, ts};
                    });
    for (size_t i = 0; i < keys.size(); ++i) {
      Versioned<Value> expected;
      const bool found = store.Get(keys[i], snapshot, &expected) == ReadStatus::kFound;
      ASSERT_EQ(seen[i], found ? 1 : 0) << "key " << i << " at snapshot " << snapshot;
      if (!found) continue;
      EXPECT_EQ(got[i].value, expected.value);
      EXPECT_EQ(got[i].version, expected.version);
      EXPECT_EQ(got[i].timestamp_us, expected.timestamp_us);
    }
  }
}

TEST(MvccStoreTest, TombstonesHideAndAccounting) {
  MvccStore store(64, RetentionPolicy::KeepAll());
  EXPECT_EQ(store.live_keys(), 0u);
  EXPECT_EQ(store.node_count(), 0u);

  Put(store, "k", 1, Value("v1"));
  EXPECT_EQ(store.live_keys(), 1u);
  Put(store, "k", 2, Value("v2"));  // Overwrite: still one live key.
  EXPECT_EQ(store.live_keys(), 1u);
  Del(store, "k", 3);
  EXPECT_EQ(store.live_keys(), 0u);
  Del(store, "k", 4);  // Deleting a deleted key changes nothing.
  EXPECT_EQ(store.live_keys(), 0u);
  Del(store, "never", 5);  // Tombstone for a key that never existed.
  EXPECT_EQ(store.live_keys(), 0u);
  Put(store, "k", 6, Value("v6"));
  EXPECT_EQ(store.live_keys(), 1u);
  Put(store, "j", 7, Value("j7"));
  EXPECT_EQ(store.live_keys(), 2u);
  EXPECT_EQ(store.node_count(), 7u);
  EXPECT_GT(store.memory_bytes(), 0u);

  Versioned<Value> out;
  ASSERT_EQ(store.Get(K("k"), 2, &out), ReadStatus::kFound);
  EXPECT_EQ(out.value, Value("v2"));
  EXPECT_EQ(store.Get(K("k"), 3, &out), ReadStatus::kAbsent);
  EXPECT_EQ(store.Get(K("k"), 5, &out), ReadStatus::kAbsent);
  ASSERT_EQ(store.Get(K("k"), 6, &out), ReadStatus::kFound);
  EXPECT_EQ(out.value, Value("v6"));
  EXPECT_EQ(store.Get(K("never"), 100, &out), ReadStatus::kAbsent);

  // HeadVersion counts tombstones; LiveHeadVersion does not.
  EXPECT_EQ(store.HeadVersion(K("never")), 5u);
  EXPECT_EQ(store.LiveHeadVersion(K("never")), 0u);
  Del(store, "j", 8);
  EXPECT_EQ(store.HeadVersion(K("j")), 8u);
  EXPECT_EQ(store.LiveHeadVersion(K("j")), 0u);
  EXPECT_EQ(store.live_keys(), 1u);
}

TEST(MvccStoreTest, MemoryBytesGrowsWithValueSize) {
  MvccStore store(4, RetentionPolicy::KeepAll());
  Put(store, "a", 1, Value(std::string(10, 'x')));
  const uint64_t small = store.memory_bytes();
  Put(store, "b", 2, Value(std::string(100000, 'x')));
  EXPECT_GE(store.memory_bytes() - small, 100000u);
}

// --- Scans, parameterized over the shard count.

class MvccScanTest : public ::testing::TestWithParam<uint32_t> {};

std::vector<std::pair<std::string, Versioned<Value>>> ScanAll(
    const MvccStore& store, const std::string& start, const std::string& end,
    Version snapshot) {
  std::vector<std::pair<std::string, Versioned<Value>>> out;
  store.Scan(start, end, snapshot, nullptr,
             [&](std::string_view key, const Versioned<Value>& v) {
               out.emplace_back(std::string(key), v);
               return true;
             });
  return out;
}

TEST_P(MvccScanTest, OrderedAcrossShardsWithBounds) {
  const uint64_t seed = testing::TestSeed();
  std::mt19937_64 rng(seed);
  MvccStore store(GetParam(), RetentionPolicy::KeepAll());

  // 600 distinct keys including binary bytes, installed in random order.
  std::set<std::string> keys;
  while (keys.size() < 600) {
    std::string k;
    const size_t len = 1 + rng() % 6;
    for (size_t i = 0; i < len; ++i) {
      // Mostly letters, sometimes 0x00 / 0xff / high bytes.
      const uint64_t r = rng() % 10;
      k.push_back(r == 0   ? '\0'
                  : r == 1 ? static_cast<char>(0xff)
                  : r == 2 ? static_cast<char>(0x80 + rng() % 0x7f)
                           : static_cast<char>('a' + rng() % 4));
    }
    keys.insert(k);
  }
  // Long keys sharing a prefix longer than any inline key head, so ordering
  // must be decided by the bytes after it (including 0x00 and 0xff), and by
  // length when one is a prefix of the other.
  const std::string long_prefix(40, 'L');
  keys.insert(long_prefix);
  while (keys.size() < 700) {
    std::string k = long_prefix.substr(0, 20 + rng() % 21);
    const size_t len = rng() % 12;
    for (size_t i = 0; i < len; ++i) {
      const uint64_t r = rng() % 4;
      k.push_back(r == 0 ? '\0' : r == 1 ? static_cast<char>(0xff) : static_cast<char>('K' + rng() % 3));
    }
    keys.insert(k);
  }
  std::vector<std::string> order(keys.begin(), keys.end());
  std::shuffle(order.begin(), order.end(), rng);
  // Model of the newest value per store key.
  // Model: store key -> version (the value written is the version number).
  std::map<std::string, Version> model;
  Version v = 0;
  for (const std::string& k : order) {
    ++v;
    Put(store, k, v, Value(static_cast<int64_t>(v)));
    model[K(k)] = v;
  }
  // Keys of another run and another primitive must not leak into the range.
  store.Install(MakeStoreKey(Primitive::kKv, "q", "a"), v + 1, 0, false, Value(1), v + 1);
  store.Install(MakeStoreKey(Primitive::kKv, "s", "a"), v + 2, 0, false, Value(1), v + 2);
  store.Install(MakeStoreKey(Primitive::kEvent, "r", "a"), v + 3, 0, false, Value(1), v + 3);
  v += 3;

  const std::string ns = NamespacePrefix(Primitive::kKv, "r");
  const std::string ns_end = PrefixSuccessor(ns);
  auto all = ScanAll(store, ns, ns_end, v);
  ASSERT_EQ(all.size(), model.size());
  size_t i = 0;
  for (const auto& [key, version] : model) {
    EXPECT_EQ(all[i].first, key);
    EXPECT_EQ(all[i].second.version, version);
    EXPECT_EQ(all[i].second.value, Value(static_cast<int64_t>(version)));
    ++i;
  }
  // Strictly ascending, bytewise (unsigned) order.
  for (size_t j = 1; j < all.size(); ++j) ASSERT_LT(all[j - 1].first, all[j].first);

  // Unbounded end sees the namespace plus the later namespaces.
  auto unbounded = ScanAll(store, ns, "", v);
  EXPECT_EQ(unbounded.size(), model.size() + 2);  // + run "s" and the event key.

  // Random [start, end) windows against the model.
  for (int round = 0; round < 50; ++round) {
    std::string a = K(order[rng() % order.size()]);
    std::string b = K(order[rng() % order.size()]);
    if (b < a) std::swap(a, b);
    auto got = ScanAll(store, a, b, v);
    std::vector<std::string> want;
    for (auto it = model.lower_bound(a); it != model.end() && it->first < b; ++it) {
      want.push_back(it->first);
    }
    ASSERT_EQ(got.size(), want.size()) << "round " << round;
    for (size_t j = 0; j < want.size(); ++j) EXPECT_EQ(got[j].first, want[j]);
    if (a == b) {
      EXPECT_TRUE(got.empty());
    }
  }

  // Early stop: the callback returning false ends the scan.
  std::vector<std::string> first5;
  store.Scan(ns, ns_end, v, nullptr, [&](std::string_view key, const Versioned<Value>&) {
    first5.emplace_back(key);
    return first5.size() < 5;
  });
  ASSERT_EQ(first5.size(), 5u);
  for (size_t j = 0; j < 5; ++j) EXPECT_EQ(first5[j], all[j].first);
}

TEST_P(MvccScanTest, SnapshotFiltering) {
  const uint64_t seed = testing::TestSeed();
  std::mt19937_64 rng(seed);
  MvccStore store(GetParam(), RetentionPolicy::KeepAll());

  // A random history of puts and deletes over 40 keys; the model records,
  // for each version, the full state.
  std::map<std::string, std::pair<Version, int64_t>> state;  // store key -> live
  std::vector<std::map<std::string, std::pair<Version, int64_t>>> states;
  states.push_back(state);  // Version 0.
  for (Version v = 1; v <= 400; ++v) {
    const std::string key = "k" + std::to_string(rng() % 40);
    if (rng() % 4 == 0) {
      Del(store, key, v);
      state.erase(K(key));
    } else {
      const auto val = static_cast<int64_t>(rng() % 1000);
      Put(store, key, v, Value(val));
      state[K(key)] = {v, val};
    }
    states.push_back(state);
  }
  const std::string ns = NamespacePrefix(Primitive::kKv, "r");
  for (Version snap = 0; snap <= 400; snap += 7) {
    auto got = ScanAll(store, ns, PrefixSuccessor(ns), snap);
    const auto& want = states[snap];
    ASSERT_EQ(got.size(), want.size()) << "snapshot " << snap;
    size_t i = 0;
    for (const auto& [key, vv] : want) {
      EXPECT_EQ(got[i].first, key);
      EXPECT_EQ(got[i].second.version, vv.first);
      EXPECT_EQ(got[i].second.value, Value(vv.second));
      ++i;
    }
  }
  // `visible` overrides the snapshot argument.
  std::atomic<Version> visible{123};
  std::vector<std::string> got_keys;
  store.Scan(ns, PrefixSuccessor(ns), 0, &visible,
             [&](std::string_view key, const Versioned<Value>& v) {
               EXPECT_LE(v.version, 123u);
               got_keys.emplace_back(key);
               return true;
             });
  EXPECT_EQ(got_keys.size(), states[123].size());
  EXPECT_EQ(store.live_keys(), states[400].size());
}

TEST_P(MvccScanTest, RangeChangedSince) {
  MvccStore store(GetParam(), RetentionPolicy::KeepAll());
  Put(store, "a", 1, Value(1));
  Put(store, "b", 2, Value(2));
  Put(store, "c", 3, Value(3));
  Put(store, "e", 4, Value(4));

  const std::string ns = NamespacePrefix(Primitive::kKv, "r");
  EXPECT_FALSE(store.RangeChangedSince(ns, PrefixSuccessor(ns), 4));
  EXPECT_TRUE(store.RangeChangedSince(ns, PrefixSuccessor(ns), 3));
  EXPECT_TRUE(store.RangeChangedSince(ns, "", 3));
  // [a, c) holds versions 1, 2 only.
  EXPECT_FALSE(store.RangeChangedSince(K("a"), K("c"), 2));
  EXPECT_TRUE(store.RangeChangedSince(K("a"), K("c"), 1));
  // End is exclusive: c (v3) is outside [a, c).
  EXPECT_FALSE(store.RangeChangedSince(K("a"), K("c"), 2));
  EXPECT_TRUE(store.RangeChangedSince(K("a"), K("c") + '\0', 2));
  // Start is inclusive.
  EXPECT_TRUE(store.RangeChangedSince(K("e"), "", 3));
  EXPECT_FALSE(store.RangeChangedSince(K("e") + '\0', "", 3));
  // An insert into an empty gap.
  EXPECT_FALSE(store.RangeChangedSince(K("d"), K("e"), 4));
  Put(store, "d", 5, Value(5));
  EXPECT_TRUE(store.RangeChangedSince(K("d"), K("e"), 4));
  // A delete counts as a change.
  Del(store, "a", 6);
  EXPECT_TRUE(store.RangeChangedSince(K("a"), K("b"), 5));
  EXPECT_FALSE(store.RangeChangedSince(K("b"), K("d"), 5));
  // Another namespace changed: not in this one.
  store.Install(MakeStoreKey(Primitive::kKv, "s", "a"), 7, 0, false, Value(1), 7);
  EXPECT_FALSE(store.RangeChangedSince(ns, PrefixSuccessor(ns), 6));
}

INSTANTIATE_TEST_SUITE_P(Shards, MvccScanTest, ::testing::Values(1u, 64u),
                         [](const ::testing::TestParamInfo<uint32_t>& info) {
                           return "Shards" + std::to_string(info.param);
                         });

TEST(MvccStoreTest, HistoryNewestFirstWithTombstones) {
  MvccStore store(16, RetentionPolicy::KeepAll());
  Put(store, "k", 2, Value("a"));
  Put(store, "other", 3, Value("x"));
  Put(store, "k", 4, Value("b"));
  Del(store, "k", 5);
  Put(store, "k", 7, Value("c"));

  std::vector<KvVersion> h = store.History(K("k"), 100, 100);
  ASSERT_EQ(h.size(), 4u);
  EXPECT_EQ(h[0].version, 7u);
  EXPECT_FALSE(h[0].deleted);
  EXPECT_EQ(h[0].value, Value("c"));
  EXPECT_EQ(h[0].timestamp_us, 70);
  EXPECT_EQ(h[1].version, 5u);
  EXPECT_TRUE(h[1].deleted);
  EXPECT_TRUE(h[1].value.is_null());
  EXPECT_EQ(h[2].version, 4u);
  EXPECT_EQ(h[2].value, Value("b"));
  EXPECT_EQ(h[3].version, 2u);
  EXPECT_EQ(h[3].value, Value("a"));

  // Limit and snapshot.
  h = store.History(K("k"), 100, 2);
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0].version, 7u);
  EXPECT_EQ(h[1].version, 5u);
  h = store.History(K("k"), 4, 100);
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0].version, 4u);
  EXPECT_EQ(h[1].version, 2u);
  h = store.History(K("k"), 6, 1);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].version, 5u);
  EXPECT_TRUE(store.History(K("k"), 1, 100).empty());
  EXPECT_TRUE(store.History(K("missing"), 100, 100).empty());
}

// --- Time-based retention and overrides.

TEST(MvccStoreTest, KeepForKeepsTheWindowAndTheStateAtItsStart) {
  // Timestamps are version * 10 us; a 35 us window.
  MvccStore store(8, RetentionPolicy::KeepFor(std::chrono::microseconds(35)));
  for (Version v = 1; v <= 10; ++v) Put(store, "k", v, Value(static_cast<int64_t>(v)));
  // At v10 (t = 100) the window starts at t = 65: versions 7..10 are newer,
  // and 6 (t = 60) is the state at the window's start. 1..5 are gone.
  const std::vector<KvVersion> h = store.History(K("k"), 100, 100);
  ASSERT_EQ(h.size(), 5u);
  EXPECT_EQ(h.back().version, 6u);
  EXPECT_EQ(store.EarliestRetained(K("k")), 6u);
  Versioned<Value> out;
  Version earliest = 0;
  EXPECT_EQ(store.Get(K("k"), 5, &out, &earliest), ReadStatus::kTrimmed);
  EXPECT_EQ(earliest, 6u);
  EXPECT_EQ(store.Get(K("k"), 6, &out), ReadStatus::kFound);
  EXPECT_EQ(out.value, Value(6));
}

TEST(MvccStoreTest, KeepForNeverDropsTheNewestVersion) {
  MvccStore store(8, RetentionPolicy::KeepFor(std::chrono::microseconds(1)));
  Put(store, "k", 1, Value(1));
  Put(store, "k", 50, Value(2));
  // Written at t = 500: the state at the window's start (t = 499) is v1.
  EXPECT_EQ(store.History(K("k"), 100, 100).size(), 2u);
  // Long after (TrimAll uses the clock), the window holds no version at all:
  // only the newest stays.
  EXPECT_EQ(store.TrimAll(/*horizon=*/100), 1u);
  const std::vector<KvVersion> h = store.History(K("k"), 100, 100);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].value, Value(2));
}

TEST(MvccStoreTest, MostSpecificRetentionOverrideApplies) {
  std::vector<RetentionOverride> overrides = {
      {"scratch", std::nullopt, RetentionPolicy::KeepLast(1)},
      {"", Primitive::kState, RetentionPolicy::KeepLast(2)},
      {"scratch", Primitive::kState, RetentionPolicy::KeepLast(3)},
  };
  MvccStore store(8, RetentionPolicy::KeepAll(), overrides);
  EXPECT_TRUE(store.trims_history());
  const std::string kv_default = MakeStoreKey(Primitive::kKv, "default", "a");
  const std::string kv_scratch = MakeStoreKey(Primitive::kKv, "scratch", "a");
  const std::string state_default = MakeStoreKey(Primitive::kState, "default", "a");
  const std::string state_scratch = MakeStoreKey(Primitive::kState, "scratch", "a");
  for (Version v = 1; v <= 20; v += 4) {
    store.Install(kv_default, v, v, false, Value(1), v);
    store.Install(kv_scratch, v + 1, v + 1, false, Value(1), v + 1);
    store.Install(state_default, v + 2, v + 2, false, Value(1), v + 2);
    store.Install(state_scratch, v + 3, v + 3, false, Value(1), v + 3);
  }
  EXPECT_EQ(store.History(kv_default, 100, 100).size(), 5u);    // Global KeepAll.
  EXPECT_EQ(store.History(kv_scratch, 100, 100).size(), 1u);    // The run's.
  EXPECT_EQ(store.History(state_default, 100, 100).size(), 2u); // The primitive's.
  EXPECT_EQ(store.History(state_scratch, 100, 100).size(), 3u); // Run and primitive.
  EXPECT_FALSE(MvccStore(8, RetentionPolicy::KeepAll()).trims_history());
}

TEST(MvccStoreTest, TrimAllAppliesAPolicyToKeysNotWrittenAgain) {
  MvccStore store(8, RetentionPolicy::KeepLast(1));
  // Installed with a horizon of 0: an old snapshot held every version.
  for (Version v = 1; v <= 4; ++v) {
    store.Install(K("k"), v, static_cast<TimestampMicros>(v), false, Value(1), 0);
  }
  EXPECT_EQ(store.History(K("k"), 100, 100).size(), 4u);
  EXPECT_EQ(store.TrimAll(/*horizon=*/100), 3u);
  EXPECT_EQ(store.History(K("k"), 100, 100).size(), 1u);
  EXPECT_EQ(store.TrimAll(100), 0u);
}

// --- KeepLast trimming.

TEST(MvccStoreTest, KeepLastTwoBoundsAHotKey) {
  MvccStore store(64, RetentionPolicy::KeepLast(2));
  Put(store, "cold", 1, Value("c"));
  uint64_t memory_after_warmup = 0;
  constexpr Version kWrites = 100000;
  for (Version v = 2; v <= kWrites + 1; ++v) {
    // Fixed-size values so memory accounting must stay flat.
    Put(store, "hot", v, Value(static_cast<int64_t>(v)));
    ASSERT_LE(store.node_count(), 3u) << "at version " << v;
    if (v == 100) memory_after_warmup = store.memory_bytes();
  }
  EXPECT_EQ(store.node_count(), 3u);  // hot: 2 versions, cold: 1.
  EXPECT_EQ(store.memory_bytes(), memory_after_warmup);
  EXPECT_EQ(store.live_keys(), 2u);

  const Version last = kWrites + 1;
  std::vector<KvVersion> h = store.History(K("hot"), last, 100);
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0].version, last);
  EXPECT_EQ(h[1].version, last - 1);
  EXPECT_EQ(store.EarliestRetained(K("hot")), last - 1);
  EXPECT_EQ(store.EarliestRetained(K("cold")), 0u);

  Versioned<Value> out;
  ASSERT_EQ(store.Get(K("hot"), last - 1, &out), ReadStatus::kFound);
  EXPECT_EQ(out.value, Value(static_cast<int64_t>(last - 1)));
  // Below the retained range: trimmed, reporting the earliest retained.
  for (Version below : {Version{1}, Version{2}, Version{500}, last - 2}) {
    Version earliest = 0;
    EXPECT_EQ(store.Get(K("hot"), below, &out, &earliest), ReadStatus::kTrimmed)
        << below;
    EXPECT_EQ(earliest, last - 1) << below;
  }
  // The untrimmed key still reads at its only version.
  ASSERT_EQ(store.Get(K("cold"), 1, &out), ReadStatus::kFound);
}

TEST(MvccStoreTest, TrimmingNeverCrossesTheHorizon) {
  MvccStore store(8, RetentionPolicy::KeepLast(1));
  // Versions 1..10 with an open snapshot at 3.
  for (Version v = 1; v <= 10; ++v) Put(store, "k", v, Value(static_cast<int64_t>(v)), 3);
  // Kept: 10..4 (above the horizon) and 3 (newest at or below it).
  std::vector<KvVersion> h = store.History(K("k"), 100, 100);
  ASSERT_EQ(h.size(), 8u);
  EXPECT_EQ(h.back().version, 3u);
  EXPECT_EQ(store.EarliestRetained(K("k")), 3u);
  Versioned<Value> out;
  ASSERT_EQ(store.Get(K("k"), 3, &out), ReadStatus::kFound);
  EXPECT_EQ(out.value, Value(3));
  Version earliest = 0;
  EXPECT_EQ(store.Get(K("k"), 2, &out, &earliest), ReadStatus::kTrimmed);
  EXPECT_EQ(earliest, 3u);

  // Horizon 0: nothing is at or below it, so nothing may be trimmed.
  MvccStore store0(8, RetentionPolicy::KeepLast(1));
  for (Version v = 1; v <= 10; ++v) Put(store0, "k", v, Value(1), 0);
  EXPECT_EQ(store0.node_count(), 10u);
  EXPECT_EQ(store0.EarliestRetained(K("k")), 0u);

  // Horizon between versions: keep the newest at or below it (5 for 6).
  MvccStore store2(8, RetentionPolicy::KeepLast(1));
  for (Version v = 1; v <= 9; v += 2) Put(store2, "k", v, Value(static_cast<int64_t>(v)), 1);
  // 1,3,5,7,9 installed; now install 11 with horizon 6.
  Put(store2, "k", 11, Value(11), 6);
  h = store2.History(K("k"), 100, 100);
  ASSERT_EQ(h.size(), 4u);  // 11, 9, 7, 5.
  EXPECT_EQ(h.back().version, 5u);
  ASSERT_EQ(store2.Get(K("k"), 6, &out), ReadStatus::kFound);
  EXPECT_EQ(out.version, 5u);
  EXPECT_EQ(store2.Get(K("k"), 4, &out, &earliest), ReadStatus::kTrimmed);
  EXPECT_EQ(earliest, 5u);
  EXPECT_EQ(store2.node_count(), 4u);
}

TEST(MvccStoreTest, TrimmedTombstoneReportsTrimmedBelowAndAbsentAt) {
  MvccStore store(8, RetentionPolicy::KeepLast(1));
  Put(store, "k", 1, Value("v"));
  EXPECT_EQ(store.live_keys(), 1u);
  Del(store, "k", 2);
  EXPECT_EQ(store.live_keys(), 0u);
  EXPECT_EQ(store.node_count(), 1u);
  Versioned<Value> out;
  Version earliest = 0;
  EXPECT_EQ(store.Get(K("k"), 1, &out, &earliest), ReadStatus::kTrimmed);
  EXPECT_EQ(earliest, 2u);
  EXPECT_EQ(store.Get(K("k"), 2, &out), ReadStatus::kAbsent);
  std::vector<KvVersion> h = store.History(K("k"), 10, 10);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_TRUE(h[0].deleted);
}

// Randomized: with a non-decreasing horizon (as open snapshots come and go),
// every snapshot >= the horizon reads exactly what it would read without any
// trimming, at least `keep` versions stay, and reads below the retained
// range report the earliest retained version.
TEST(MvccStoreTest, RandomTrimmingPreservesReadsAtOrAboveHorizon) {
  const uint64_t seed = testing::TestSeed();
  std::mt19937_64 rng(seed);
  for (uint32_t keep : {1u, 2u, 5u}) {
    MvccStore store(4, RetentionPolicy::KeepLast(keep));
    MvccStore reference(4, RetentionPolicy::KeepAll());
    Version horizon = 0;
    std::vector<std::string> keys = {"a", "b", "c"};
    // The horizon passed with the newest install of each key: trimming only
    // happens on install, so that is the one its chain was trimmed against.
    std::map<std::string, Version> trim_horizon;
    for (Version v = 1; v <= 600; ++v) {
      if (rng() % 5 == 0) horizon = std::min<Version>(v - 1, horizon + rng() % 20);
      const std::string& key = keys[rng() % keys.size()];
      const bool del = rng() % 6 == 0;
      const Value val(static_cast<int64_t>(rng() % 100));
      store.Install(K(key), v, 0, del, val, horizon);
      reference.Install(K(key), v, 0, del, val, horizon);
      trim_horizon[key] = horizon;

      for (const std::string& k : keys) {
        // Every snapshot at or above the horizon is unaffected.
        for (Version s = horizon; s <= v; s += 1 + rng() % 3) {
          Versioned<Value> got, want;
          const ReadStatus gs = store.Get(K(k), s, &got);
          const ReadStatus ws = reference.Get(K(k), s, &want);
          ASSERT_EQ(gs, ws) << "key " << k << " snapshot " << s << " horizon "
                            << horizon << " keep " << keep;
          if (gs == ReadStatus::kFound) {
            ASSERT_EQ(got.version, want.version);
            ASSERT_EQ(got.value, want.value);
          }
        }
        const std::vector<KvVersion> full = reference.History(K(k), v, 10000);
        const std::vector<KvVersion> kept = store.History(K(k), v, 10000);
        // At least `keep` newest versions (or all of them) are retained.
        ASSERT_GE(kept.size(), std::min<size_t>(keep, full.size()));
        // A retained suffix of the full history, newest first.
        for (size_t i = 0; i < kept.size(); ++i) {
          ASSERT_EQ(kept[i].version, full[i].version);
        }
        if (kept.size() < full.size()) {
          const Version earliest_kept = kept.back().version;
          EXPECT_EQ(store.EarliestRetained(K(k)), earliest_kept);
          // Never cut at or above the horizon's needs: the oldest retained
          // version is <= horizon (so the read at the horizon survives), and
          // there is no more than needed: either exactly `keep` versions are
          // retained, or the oldest retained is the newest one <= horizon.
          ASSERT_LE(earliest_kept, horizon);
          const bool newest_at_or_below_horizon =
              kept.size() < 2 || kept[kept.size() - 2].version > trim_horizon[k];
          ASSERT_TRUE(kept.size() == keep || newest_at_or_below_horizon);
          Versioned<Value> out;
          Version earliest = 0;
          ASSERT_EQ(store.Get(K(k), earliest_kept - 1, &out, &earliest),
                    ReadStatus::kTrimmed);
          ASSERT_EQ(earliest, earliest_kept);
        }
      }
    }
    EXPECT_EQ(store.live_keys(), reference.live_keys());
    EXPECT_LE(store.node_count(), reference.node_count());
  }
}

// Concurrent writers on disjoint keys while scanners read with a `visible`
// bound: every scan is strictly ordered and sees only versions <= visible.
TEST(MvccStoreTest, ConcurrentInstallAndScan) {
  MvccStore store(16, RetentionPolicy::KeepLast(3));
  std::atomic<Version> next{0};
  std::atomic<Version> visible{0};
  std::atomic<bool> stop{false};
  constexpr int kWriters = 2;
  constexpr int kPerWriter = 4000;
  // Writers draw versions from a shared counter; `visible` only ever lags
  // the versions drawn, which is all a scan needs to filter by.
  std::atomic<int> scans{0};
  std::vector<std::thread> writers;
  absl::Mutex mu;  // Serializes draw+install so per-key order holds.
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      // Start once the scanner is running, so that the two overlap.
      while (scans.load() == 0) std::this_thread::yield();
      for (int i = 0; i < kPerWriter; ++i) {
        absl::MutexLock lock(&mu);
        const Version v = next.fetch_add(1) + 1;
        const std::string key = "w" + std::to_string(w) + "/" + std::to_string(i % 50);
        store.Install(K(key), v, 0, i % 7 == 0, Value(static_cast<int64_t>(v)),
                      visible.load());
        visible.store(v);
      }
    });
  }
  std::thread scanner([&] {
    const std::string ns = NamespacePrefix(Primitive::kKv, "r");
    do {
      std::string prev;
      bool first = true;
      store.Scan(ns, PrefixSuccessor(ns), 0, &visible,
                 [&](std::string_view key, const Versioned<Value>& v) {
                   if (!first) {
                     EXPECT_LT(prev, std::string(key));
                   }
                   first = false;
                   prev = std::string(key);
                   EXPECT_EQ(v.value, Value(static_cast<int64_t>(v.version)));
                   return true;
                 });
      scans.fetch_add(1);
      // A scan holds every shard lock; pause so writers are not starved.
      std::this_thread::sleep_for(std::chrono::microseconds(20));
    } while (!stop.load());
  });
  for (auto& t : writers) t.join();
  stop = true;
  scanner.join();
  EXPECT_GT(scans.load(), 0);
  // Final state: 100 keys, those whose last write (i = kPerWriter-50+j) was a
  // delete are not live.
  uint64_t live = 0;
  for (int w = 0; w < kWriters; ++w) {
    for (int j = 0; j < 50; ++j) {
      const int last_i = kPerWriter - 50 + j;
      if (last_i % 7 != 0) ++live;
    }
  }
  EXPECT_EQ(store.live_keys(), live);
}

}  // namespace
}  // namespace strata::storage

namespace strata::storage {
namespace {

// New keys wait in an unsorted tail until a range operation sorts them in:
// key by key for a small tail, by rebuilding the ordered set for a large one.
// Both paths, interleaved with scans and scan validation, must give exactly
// the reference order, with keys sharing their first 8 bytes and keys that
// are prefixes of each other.
TEST(MvccStoreTest, OrderedIndexMergesSmallAndLargeTails) {
  const uint64_t seed = testing::TestSeed();
  std::mt19937_64 rng(seed);
  MvccStore store(8, RetentionPolicy::KeepAll());
  std::set<std::string> reference;
  Version v = 0;
  auto insert = [&](size_t n) {
    for (size_t i = 0; i < n; ++i) {
      // A third share a 10-byte prefix; lengths vary from 1 to 12 bytes more.
      std::string key = rng() % 3 == 0 ? "sameprefix" : "";
      for (size_t len = 1 + rng() % 12; len > 0; --len) {
        key.push_back(static_cast<char>(rng() % 4 == 0 ? rng() % 256 : 'a' + rng() % 3));
      }
      reference.insert(key);
      ++v;
      Put(store, key, v, Value(static_cast<int64_t>(v)));
    }
  };
  auto scanned = [&] {
    std::vector<std::string> out;
    const std::string ns = NamespacePrefix(Primitive::kKv, "r");
    store.Scan(ns, PrefixSuccessor(ns), v, nullptr,
               [&](std::string_view key, const Versioned<Value>&) {
                 out.emplace_back(key.substr(ns.size()));
                 return true;
               });
    return out;
  };
  for (size_t batch : {1000u, 10u, 3u, 5000u, 1u, 200u}) {
    insert(batch);
    if (batch == 3) {
      // Validation of a range also sorts the tail first.
      EXPECT_TRUE(store.RangeChangedSince(K(""), "", v - 1));
    }
    const std::vector<std::string> want(reference.begin(), reference.end());
    ASSERT_EQ(scanned(), want) << "after a batch of " << batch;
  }
}

}  // namespace
}  // namespace strata::storage
