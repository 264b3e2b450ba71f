// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Snapshot acquisition: pinning the visible version in the snapshot registry
// (what every transaction does at begin) must be allocation-free and cost
// <= 100 ns. Allocations are counted by replacing global operator new in this
// binary. The anchor is an uncontended std::mutex lock/unlock pair measured
// in the same run.
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <new>

#include "benchmark/benchmark.h"
#include "storage/snapshot_registry.hpp"

namespace {
std::atomic<uint64_t> g_allocations{0};
}  // namespace

// The replacement pair below is malloc/free based on purpose.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace {

void BM_SnapshotAcquireRelease(benchmark::State& state) {
  static strata::storage::SnapshotRegistry registry;
  static std::atomic<strata::Version> visible{12345};
  const uint64_t before = g_allocations.load();
  for (auto _ : state) {
    auto pin = registry.Acquire(visible);
    benchmark::DoNotOptimize(pin.version);
    registry.Release(pin);
  }
  state.counters["allocs_per_op"] = benchmark::Counter(
      static_cast<double>(g_allocations.load() - before) / state.iterations());
}
BENCHMARK(BM_SnapshotAcquireRelease)->ThreadRange(1, 2)->UseRealTime();

void BM_Anchor_MutexLockUnlock(benchmark::State& state) {
  static std::mutex mu;
  for (auto _ : state) {
    mu.lock();
    benchmark::ClobberMemory();
    mu.unlock();
  }
}
BENCHMARK(BM_Anchor_MutexLockUnlock)->ThreadRange(1, 2)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
