// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Memory overhead per KV entry (target 5). Each benchmark puts N = 1,000,000
// distinct 16-byte keys with 100-byte values (116 payload bytes per entry)
// and reports, as counters:
//   rss_bytes_per_entry       RSS growth / N (from /proc/self/statm)
//   rss_overhead_per_entry    the same minus the 116 payload bytes
// and, for Strata, stats_bytes_per_entry / stats_overhead_per_entry from
// Database::Stats().memory_bytes. Anchors, measured in the same process: an
// in-memory SQLite database (same table as kv_bench.cpp; also
// sqlite3_memory_used()) and a plain std::map<std::string, std::string>.
// SQLite uses the "memdb" VFS here: ":memory:" holds the same pages but its
// inserts slow down quadratically in SQLite 3.40 (about 20 s for 1M rows).
//
// Run this binary on its own (not after other benchmarks) so the allocator
// starts from a clean heap; malloc_trim() runs before each baseline reading.

#include <malloc.h>
#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <string>

#include "bench_util.hpp"
#include "benchmark/benchmark.h"
#include "strata/strata.hpp"

namespace strata_bench {
namespace {

constexpr size_t kEntries = 1000000;
constexpr double kPayloadBytes = kKeyBytes + kValueBytes;

// Resident bytes after giving freed heap back to the kernel.
uint64_t TrimmedResidentBytes() {
  malloc_trim(0);
  return ResidentBytes();
}

void ReportRss(benchmark::State& state, uint64_t before, uint64_t after) {
  const double per_entry =
      (static_cast<double>(after) - static_cast<double>(before)) / kEntries;
  state.counters["rss_bytes_per_entry"] = benchmark::Counter(per_entry);
  state.counters["rss_overhead_per_entry"] =
      benchmark::Counter(per_entry - kPayloadBytes);
}

void BM_StrataMemoryPerEntry(benchmark::State& state) {
  const KeyPool& keys = KeyPool::Get();
  const std::string& value = ValueString();
  for (auto _ : state) {
    const uint64_t before = TrimmedResidentBytes();
    auto db = strata::Database::OpenInMemory();
    if (!db.ok()) {
      state.SkipWithError(db.status().ToString().c_str());
      break;
    }
    bool failed = false;
    for (size_t i = 0; i < kEntries; ++i) {
      auto v = (*db)->KvPut(strata::kDefaultRun, keys.Key(i),
                            strata::Value(value));
      if (!v.ok()) {
        state.SkipWithError(v.status().ToString().c_str());
        failed = true;
        break;
      }
    }
    if (failed) break;
    const uint64_t after = ResidentBytes();
    const strata::DatabaseStats stats = (*db)->Stats();
    ReportRss(state, before, after);
    const double stats_per_entry =
        static_cast<double>(stats.memory_bytes) / kEntries;
    state.counters["stats_bytes_per_entry"] =
        benchmark::Counter(stats_per_entry);
    state.counters["stats_overhead_per_entry"] =
        benchmark::Counter(stats_per_entry - kPayloadBytes);
    state.counters["live_keys"] =
        benchmark::Counter(static_cast<double>(stats.live_keys));
    state.PauseTiming();
    (void)(*db)->Close();
    db->reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kEntries));
}
BENCHMARK(BM_StrataMemoryPerEntry)->Iterations(1)->UseRealTime();

void BM_SqliteMemoryPerEntry(benchmark::State& state) {
  const KeyPool& keys = KeyPool::Get();
  const std::string& value = ValueString();
  for (auto _ : state) {
    const uint64_t before = TrimmedResidentBytes();
    const int64_t sqlite_before = sqlite3_memory_used();
    sqlite3* db = nullptr;
    sqlite3_stmt* put = nullptr;
    if (sqlite3_open_v2("file:strata_bench?vfs=memdb", &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                            SQLITE_OPEN_URI,
                        nullptr) != SQLITE_OK ||
        sqlite3_exec(db,
                     "PRAGMA journal_mode=MEMORY; "
                     "CREATE TABLE kv(k BLOB PRIMARY KEY, v BLOB) "
                     "WITHOUT ROWID",
                     nullptr, nullptr, nullptr) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO kv(k, v) VALUES(?, ?)",
                           -1, &put, nullptr) != SQLITE_OK) {
      state.SkipWithError(sqlite3_errmsg(db));
      sqlite3_close(db);
      break;
    }
    bool failed = false;
    for (size_t i = 0; i < kEntries; ++i) {
      const std::string_view key = keys.Key(i);
      sqlite3_bind_blob(put, 1, key.data(), static_cast<int>(key.size()),
                        SQLITE_STATIC);
      sqlite3_bind_blob(put, 2, value.data(), static_cast<int>(value.size()),
                        SQLITE_STATIC);
      const int rc = sqlite3_step(put);
      sqlite3_reset(put);
      if (rc != SQLITE_DONE) {
        state.SkipWithError(sqlite3_errmsg(db));
        failed = true;
        break;
      }
    }
    if (!failed) {
      const uint64_t after = ResidentBytes();
      ReportRss(state, before, after);
      const double used =
          static_cast<double>(sqlite3_memory_used() - sqlite_before) /
          kEntries;
      state.counters["stats_bytes_per_entry"] = benchmark::Counter(used);
      state.counters["stats_overhead_per_entry"] =
          benchmark::Counter(used - kPayloadBytes);
    }
    state.PauseTiming();
    sqlite3_finalize(put);
    sqlite3_close(db);
    state.ResumeTiming();
    if (failed) break;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kEntries));
}
BENCHMARK(BM_SqliteMemoryPerEntry)->Iterations(1)->UseRealTime();

void BM_StdMapMemoryPerEntry(benchmark::State& state) {
  const KeyPool& keys = KeyPool::Get();
  const std::string& value = ValueString();
  for (auto _ : state) {
    const uint64_t before = TrimmedResidentBytes();
    auto* map = new std::map<std::string, std::string>();
    for (size_t i = 0; i < kEntries; ++i) {
      map->insert_or_assign(std::string(keys.Key(i)), value);
    }
    const uint64_t after = ResidentBytes();
    ReportRss(state, before, after);
    state.PauseTiming();
    delete map;
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kEntries));
}
BENCHMARK(BM_StdMapMemoryPerEntry)->Iterations(1)->UseRealTime();

}  // namespace
}  // namespace strata_bench

int main(int argc, char** argv) {
  // Build the shared key pool before any baseline reading.
  (void)strata_bench::KeyPool::Get();
  (void)strata_bench::ValueString();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
