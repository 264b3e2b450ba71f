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
//
// The ratio of the first two is the recovery speed-up a checkpoint buys
// (target >= 10x).
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

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

}  // namespace
}  // namespace strata_bench

BENCHMARK_MAIN();
