// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Recovery and checkpoints. The data set is N small commits (one KvPut of a
// 16-byte key and a 100-byte value each; N = 1,000,000, or
// $STRATA_BENCH_RECOVERY_COMMITS), written once per benchmark into a fresh
// directory under /tmp (or $STRATA_BENCH_TMPDIR).
//
//   BM_RecoverFromWal          open, replaying all N records (the close
//                              that follows is not timed); reports
//                              wal_mb_per_s, the replay speed
//   BM_RecoverFromCheckpoint   the same database right after a checkpoint:
//                              open loads the snapshot, replays no log
//   BM_Checkpoint              Checkpoint() of the N-key database; reports
//                              snapshot_mb_per_s
//   BM_CommitLatencyDuringCheckpoint
//                              KvPut latency (one commit each, keys of the
//                              data set) with no checkpoint running, then
//                              while Checkpoint() of the N-key database runs
//                              on another thread; reports p50/p99 of both
//                              and p99_during_over_idle (target <= 2x)
//
// The ratio of the first two is the recovery speed-up a checkpoint buys
// (target >= 10x).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.hpp"
#include "benchmark/benchmark.h"
#include "strata/strata.hpp"

namespace strata_bench {
namespace {

uint64_t Commits() {
  const char* env = std::getenv("STRATA_BENCH_RECOVERY_COMMITS");
  return env != nullptr && *env != '\0' ? std::strtoull(env, nullptr, 10) : 1000000;
}

strata::Options BenchOptions() {
  strata::Options o;
  o.durability = strata::DurabilityMode::kBuffered;
  o.checkpoint_wal_bytes = 0;  // Only the checkpoints the benchmark takes.
  return o;
}

// Writes the data set; returns false (after SkipWithError) on failure.
bool Populate(benchmark::State& state, const std::string& path, bool checkpoint) {
  auto db = strata::Database::Open(path, BenchOptions());
  if (!db.ok()) {
    state.SkipWithError(db.status().ToString().c_str());
    return false;
  }
  const KeyPool& keys = KeyPool::Get();
  const uint64_t n = Commits();
  for (uint64_t i = 0; i < n; ++i) {
    auto v = (*db)->KvPut("default", keys.Key(i), strata::Value(ValueString()));
    if (!v.ok()) {
      state.SkipWithError(v.status().ToString().c_str());
      return false;
    }
  }
  if (checkpoint) {
    auto c = (*db)->Checkpoint();
    if (!c.ok()) {
      state.SkipWithError(c.status().ToString().c_str());
      return false;
    }
  }
  return (*db)->Close().ok();
}

void Recover(benchmark::State& state, bool checkpoint) {
  TempDir dir;
  const std::string path = dir.Sub("db");
  if (!Populate(state, path, checkpoint)) return;
  uint64_t wal_bytes = 0;
  for (auto _ : state) {
    auto db = strata::Database::Open(path, BenchOptions());
    if (!db.ok()) {
      state.SkipWithError(db.status().ToString().c_str());
      return;
    }
    // Only the open is recovery: closing (and freeing the store) is not.
    state.PauseTiming();
    wal_bytes = (*db)->Stats().wal_bytes;
    state.counters["recovered_records"] =
        static_cast<double>((*db)->Stats().recovered_records);
    (void)(*db)->Close();
    db->reset();
    state.ResumeTiming();
  }
  if (!checkpoint) {
    state.counters["wal_mb_per_s"] = benchmark::Counter(
        static_cast<double>(wal_bytes) * static_cast<double>(state.iterations()) / 1e6,
        benchmark::Counter::kIsRate);
  }
}

void BM_RecoverFromWal(benchmark::State& state) { Recover(state, false); }
BENCHMARK(BM_RecoverFromWal)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

void BM_RecoverFromCheckpoint(benchmark::State& state) { Recover(state, true); }
BENCHMARK(BM_RecoverFromCheckpoint)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

void BM_Checkpoint(benchmark::State& state) {
  TempDir dir;
  const std::string path = dir.Sub("db");
  if (!Populate(state, path, false)) return;
  auto db = strata::Database::Open(path, BenchOptions());
  if (!db.ok()) {
    state.SkipWithError(db.status().ToString().c_str());
    return;
  }
  uint64_t bytes = 0;
  for (auto _ : state) {
    auto c = (*db)->Checkpoint();
    if (!c.ok()) {
      state.SkipWithError(c.status().ToString().c_str());
      return;
    }
    bytes += c->bytes;
  }
  state.counters["snapshot_mb_per_s"] =
      benchmark::Counter(static_cast<double>(bytes) / 1e6, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Checkpoint)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(i), v.end());
  return v[i];
}

void BM_CommitLatencyDuringCheckpoint(benchmark::State& state) {
  constexpr size_t kIdleCommits = 50000;
  constexpr size_t kMaxBusyCommits = 500000;
  TempDir dir;
  const std::string path = dir.Sub("db");
  if (!Populate(state, path, false)) return;
  auto db = strata::Database::Open(path, BenchOptions());
  if (!db.ok()) {
    state.SkipWithError(db.status().ToString().c_str());
    return;
  }
  const KeyPool& keys = KeyPool::Get();
  const uint64_t n = Commits();
  uint64_t next = 0;
  using Clock = std::chrono::steady_clock;
  // One timed commit; false (after SkipWithError) on failure.
  auto put = [&](std::vector<double>* samples) {
    const auto t0 = Clock::now();
    auto v = (*db)->KvPut("default", keys.Key(next++ % n), strata::Value(ValueString()));
    samples->push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    if (!v.ok()) state.SkipWithError(v.status().ToString().c_str());
    return v.ok();
  };
  std::vector<double> idle, busy;
  uint64_t checkpoints = 0;
  for (auto _ : state) {
    idle.clear();
    busy.clear();
    for (size_t i = 0; i < kIdleCommits; ++i) {
      if (!put(&idle)) return;
    }
    std::atomic<bool> started{false}, done{false};
    absl::Status checkpoint_status;
    std::thread checkpointer([&] {
      started = true;
      auto c = (*db)->Checkpoint();
      if (!c.ok()) checkpoint_status = c.status();
      done = true;
    });
    while (!started.load()) std::this_thread::yield();
    while (!done.load() && busy.size() < kMaxBusyCommits) {
      if (!put(&busy)) break;
    }
    checkpointer.join();
    ++checkpoints;
    if (!checkpoint_status.ok()) {
      state.SkipWithError(checkpoint_status.ToString().c_str());
      return;
    }
  }
  const double idle_p99 = Percentile(idle, 0.99);
  const double busy_p99 = Percentile(busy, 0.99);
  state.counters["idle_p50_us"] = Percentile(idle, 0.5);
  state.counters["idle_p99_us"] = idle_p99;
  state.counters["during_p50_us"] = Percentile(busy, 0.5);
  state.counters["during_p99_us"] = busy_p99;
  state.counters["during_commits"] = static_cast<double>(busy.size());
  state.counters["p99_during_over_idle"] = idle_p99 > 0 ? busy_p99 / idle_p99 : 0;
  state.counters["checkpoints"] = static_cast<double>(checkpoints);
}
BENCHMARK(BM_CommitLatencyDuringCheckpoint)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();

}  // namespace
}  // namespace strata_bench

BENCHMARK_MAIN();
