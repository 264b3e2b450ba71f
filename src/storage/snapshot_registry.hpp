// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// SnapshotRegistry: which versions open snapshots still read, so that history
// trimming never removes a version a reader needs.
//
// A snapshot pins the visible version in one of a fixed array of slots.
// Acquire and Release never allocate and take no lock: a slot is claimed with
// one compare-and-swap, starting at a per-thread hint.
//
// Horizon() returns a version h such that, for every version chain, keeping
// the newest version <= h and everything newer is enough for every snapshot
// that is open now or opened later.
// Protocol (all operations sequentially consistent):
//   reader:  slot := kReserved; v := visible; slot := v + 1
//   horizon: h := visible; for each slot s: if s == kReserved, h := min(h,
//            last horizon); else if s != 0, h := min(h, s - 1)
// A reader whose slot the scan saw as free reserved it after the scan, so it
// loaded `visible` after the scan's first load and v >= h. A reader seen as
// kReserved gets v >= the previous horizon by the same argument applied to the
// previous scan, hence the min with the last horizon.
//
// Thread safety: thread-safe.
#ifndef STRATA_STORAGE_SNAPSHOT_REGISTRY_HPP_
#define STRATA_STORAGE_SNAPSHOT_REGISTRY_HPP_

#include <atomic>
#include <cstdint>
#include <memory>

#include "strata/types.hpp"

namespace strata::storage {

class SnapshotRegistry {
 public:
  // `slots`: most snapshots open at once; Acquire waits (yielding) for a free
  // slot beyond that.
  explicit SnapshotRegistry(uint32_t slots = 512);
  SnapshotRegistry(const SnapshotRegistry&) = delete;
  SnapshotRegistry& operator=(const SnapshotRegistry&) = delete;

  struct Pin {
    int32_t slot = -1;
    Version version = 0;
  };

  // Pins the current value of `visible` and returns it with its slot.
  Pin Acquire(const std::atomic<Version>& visible);
  // Releases a pin from Acquire. REQUIRES: pin.slot >= 0, not yet released.
  void Release(const Pin& pin);

  // See the class comment.
  Version Horizon(const std::atomic<Version>& visible);

  // Number of slots currently pinned (for stats and tests).
  uint32_t ActiveCount() const;

 private:
  static constexpr uint64_t kFree = 0;
  static constexpr uint64_t kReserved = ~uint64_t{0};
  struct alignas(64) Slot {
    std::atomic<uint64_t> value{kFree};
  };
  const uint32_t slot_count_;
  std::unique_ptr<Slot[]> slots_;
  std::atomic<Version> last_horizon_{0};
};

}  // namespace strata::storage

#endif  // STRATA_STORAGE_SNAPSHOT_REGISTRY_HPP_
