// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
#include "storage/snapshot_registry.hpp"

#include <algorithm>
#include <thread>

namespace strata::storage {

SnapshotRegistry::SnapshotRegistry(uint32_t slots)
    : slot_count_(std::max<uint32_t>(slots, 1)),
      slots_(std::make_unique<Slot[]>(slot_count_)) {}

SnapshotRegistry::Pin SnapshotRegistry::Acquire(
    const std::atomic<Version>& visible) {
  // Threads start probing at different slots so that they rarely collide.
  thread_local uint32_t hint =
      static_cast<uint32_t>(std::hash<std::thread::id>()(std::this_thread::get_id()));
  for (;;) {
    for (uint32_t i = 0; i < slot_count_; ++i) {
      const uint32_t idx = (hint + i) % slot_count_;
      uint64_t expected = kFree;
      if (slots_[idx].value.compare_exchange_strong(expected, kReserved,
                                                    std::memory_order_seq_cst)) {
        const Version v = visible.load(std::memory_order_seq_cst);
        slots_[idx].value.store(v + 1, std::memory_order_seq_cst);
        hint = idx;
        return Pin{static_cast<int32_t>(idx), v};
      }
    }
    std::this_thread::yield();  // Every slot is pinned: wait for a release.
  }
}

void SnapshotRegistry::Release(const Pin& pin) {
  slots_[pin.slot].value.store(kFree, std::memory_order_release);
}

Version SnapshotRegistry::Horizon(const std::atomic<Version>& visible) {
  const Version last = last_horizon_.load(std::memory_order_seq_cst);
  Version h = visible.load(std::memory_order_seq_cst);
  for (uint32_t i = 0; i < slot_count_; ++i) {
    const uint64_t s = slots_[i].value.load(std::memory_order_seq_cst);
    if (s == kFree) continue;
    h = std::min(h, s == kReserved ? last : s - 1);
  }
  // Horizons only move forward.
  Version prev = last;
  while (h > prev &&
         !last_horizon_.compare_exchange_weak(prev, h, std::memory_order_seq_cst)) {
  }
  return h;
}

uint32_t SnapshotRegistry::ActiveCount() const {
  uint32_t n = 0;
  for (uint32_t i = 0; i < slot_count_; ++i) {
    if (slots_[i].value.load(std::memory_order_relaxed) != kFree) ++n;
  }
  return n;
}

}  // namespace strata::storage
