// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Tests for SnapshotRegistry: pins, releases, the horizon bound, slot
// exhaustion, and a concurrency stress checking that no horizon computed
// while a pin is held exceeds the pinned version.
#include "storage/snapshot_registry.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "test_util.hpp"

namespace strata::storage {
namespace {

TEST(SnapshotRegistryTest, AcquirePinsVisibleAndReleaseFrees) {
  SnapshotRegistry reg(8);
  std::atomic<Version> visible{5};
  EXPECT_EQ(reg.ActiveCount(), 0u);
  SnapshotRegistry::Pin a = reg.Acquire(visible);
  EXPECT_EQ(a.version, 5u);
  EXPECT_GE(a.slot, 0);
  EXPECT_EQ(reg.ActiveCount(), 1u);
  visible = 9;
  SnapshotRegistry::Pin b = reg.Acquire(visible);
  EXPECT_EQ(b.version, 9u);
  EXPECT_NE(a.slot, b.slot);
  EXPECT_EQ(reg.ActiveCount(), 2u);
  reg.Release(a);
  EXPECT_EQ(reg.ActiveCount(), 1u);
  reg.Release(b);
  EXPECT_EQ(reg.ActiveCount(), 0u);
}

TEST(SnapshotRegistryTest, PinAtVersionZero) {
  SnapshotRegistry reg(4);
  std::atomic<Version> visible{0};
  SnapshotRegistry::Pin p = reg.Acquire(visible);
  EXPECT_EQ(p.version, 0u);
  EXPECT_EQ(reg.ActiveCount(), 1u);  // Version 0 is still a pin, not "free".
  visible = 10;
  EXPECT_EQ(reg.Horizon(visible), 0u);
  reg.Release(p);
  EXPECT_EQ(reg.Horizon(visible), 10u);
}

TEST(SnapshotRegistryTest, HorizonIsMinOfPinsAndVisible) {
  SnapshotRegistry reg(16);
  std::atomic<Version> visible{3};
  EXPECT_EQ(reg.Horizon(visible), 3u);  // No pins: everything visible.

  SnapshotRegistry::Pin p3 = reg.Acquire(visible);
  visible = 7;
  SnapshotRegistry::Pin p7 = reg.Acquire(visible);
  visible = 12;
  EXPECT_EQ(reg.Horizon(visible), 3u);
  reg.Release(p3);
  EXPECT_EQ(reg.Horizon(visible), 7u);
  visible = 20;
  EXPECT_EQ(reg.Horizon(visible), 7u);
  reg.Release(p7);
  EXPECT_EQ(reg.Horizon(visible), 20u);
  // Never above visible.
  visible = 21;
  EXPECT_LE(reg.Horizon(visible), 21u);
}

TEST(SnapshotRegistryTest, RandomPinsHorizonNeverExceedsAnyPin) {
  const uint64_t seed = testing::TestSeed();
  std::mt19937_64 rng(seed);
  SnapshotRegistry reg(64);
  std::atomic<Version> visible{0};
  std::vector<SnapshotRegistry::Pin> held;
  for (int step = 0; step < 5000; ++step) {
    const uint64_t r = rng() % 10;
    if (r < 3) {
      visible.fetch_add(1 + rng() % 3);
    } else if (r < 6 && held.size() < 64) {
      held.push_back(reg.Acquire(visible));
      EXPECT_EQ(held.back().version, visible.load());
    } else if (!held.empty()) {
      const size_t i = rng() % held.size();
      reg.Release(held[i]);
      held.erase(held.begin() + static_cast<std::ptrdiff_t>(i));
    }
    const Version h = reg.Horizon(visible);
    Version want = visible.load();
    std::set<int32_t> slots;
    for (const auto& p : held) {
      want = std::min(want, p.version);
      slots.insert(p.slot);
    }
    ASSERT_EQ(h, want) << "step " << step;
    ASSERT_EQ(slots.size(), held.size());  // Distinct slots.
    ASSERT_EQ(reg.ActiveCount(), held.size());
  }
  for (const auto& p : held) reg.Release(p);
  EXPECT_EQ(reg.ActiveCount(), 0u);
}

TEST(SnapshotRegistryTest, AllSlotsPinnedThenReleased) {
  SnapshotRegistry reg(512);
  std::atomic<Version> visible{1};
  std::vector<SnapshotRegistry::Pin> pins;
  std::set<int32_t> slots;
  for (int i = 0; i < 512; ++i) {
    pins.push_back(reg.Acquire(visible));
    slots.insert(pins.back().slot);
    visible.fetch_add(1);
  }
  EXPECT_EQ(slots.size(), 512u);
  EXPECT_EQ(reg.ActiveCount(), 512u);
  EXPECT_EQ(reg.Horizon(visible), 1u);
  for (const auto& p : pins) reg.Release(p);
  EXPECT_EQ(reg.ActiveCount(), 0u);
  EXPECT_EQ(reg.Horizon(visible), visible.load());
}

TEST(SnapshotRegistryTest, AcquireWaitsForAFreeSlot) {
  SnapshotRegistry reg(2);
  std::atomic<Version> visible{4};
  SnapshotRegistry::Pin a = reg.Acquire(visible);
  SnapshotRegistry::Pin b = reg.Acquire(visible);
  std::atomic<bool> acquired{false};
  SnapshotRegistry::Pin c;
  std::thread t([&] {
    c = reg.Acquire(visible);
    acquired = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(acquired.load());  // Both slots taken: it must wait.
  visible = 8;
  reg.Release(a);
  t.join();
  EXPECT_TRUE(acquired.load());
  EXPECT_EQ(c.version, 8u);
  EXPECT_EQ(c.slot, a.slot);
  EXPECT_EQ(reg.Horizon(visible), 4u);  // b still pins 4.
  reg.Release(b);
  reg.Release(c);
  EXPECT_EQ(reg.ActiveCount(), 0u);
}

// Pinning threads acquire, publish what they hold, compute horizons while
// holding, and release; one thread advances `visible`; another computes
// horizons and checks them against pins held throughout its computation.
// Invariant: every horizon h computed while a pin v is held has h <= v.
TEST(SnapshotRegistryTest, ConcurrentHorizonNeverPassesAHeldPin) {
  const uint64_t seed = testing::TestSeed();
  // Few slots so that slots are reused (and seen kReserved) constantly.
  SnapshotRegistry reg(8);
  std::atomic<Version> visible{1};
  std::atomic<bool> stop{false};
  constexpr int kPinners = 4;
  // Published pin of each pinner: (generation << 32) | (version + 1), 0 when
  // none. Set after Acquire returns, cleared before Release.
  std::vector<std::atomic<uint64_t>> published(kPinners);
  for (auto& p : published) p.store(0);
  std::atomic<uint64_t> violations{0};
  std::atomic<uint64_t> checks{0};
  std::atomic<uint64_t> pins_taken{0};

  std::vector<std::thread> threads;
  for (int t = 0; t < kPinners; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(seed + static_cast<uint64_t>(t));
      uint64_t gen = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        const SnapshotRegistry::Pin pin = reg.Acquire(visible);
        ++gen;
        published[t].store((gen << 32) | (pin.version + 1));
        pins_taken.fetch_add(1, std::memory_order_relaxed);
        const int rounds = static_cast<int>(rng() % 4);
        for (int i = 0; i < rounds; ++i) {
          const Version h = reg.Horizon(visible);
          checks.fetch_add(1, std::memory_order_relaxed);
          if (h > pin.version) violations.fetch_add(1);
          if (rng() % 2 == 0) std::this_thread::yield();
        }
        published[t].store(0);
        reg.Release(pin);
      }
    });
  }
  threads.emplace_back([&] {  // Advances visible.
    while (!stop.load(std::memory_order_relaxed)) {
      visible.fetch_add(1);
      std::this_thread::yield();
    }
  });
  threads.emplace_back([&] {  // Computes horizons, checks held pins.
    while (!stop.load(std::memory_order_relaxed)) {
      const Version h = reg.Horizon(visible);
      for (int t = 0; t < kPinners; ++t) {
        // A pin published now is not yet released, so this computation
        // started before its release. That is enough for h <= pinned: either
        // the computation started before the pinner loaded `visible` (and a
        // horizon never exceeds `visible` at its start), or it found the slot
        // reserved or pinned. This also covers computations that overlapped
        // the Acquire itself, where a reserved slot must not be skipped.
        const uint64_t now = published[t].load();
        if (now != 0) {
          const Version pinned = (now & 0xffffffffu) - 1;
          checks.fetch_add(1, std::memory_order_relaxed);
          if (h > pinned) violations.fetch_add(1);
        }
      }
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  stop = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(violations.load(), 0u);
  EXPECT_GT(checks.load(), 1000u);
  EXPECT_GT(pins_taken.load(), 1000u);
  EXPECT_EQ(reg.ActiveCount(), 0u);
  EXPECT_EQ(reg.Horizon(visible), visible.load());
}

}  // namespace
}  // namespace strata::storage
