// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// In-memory KV benchmarks: Strata (OpenInMemory, single-operation KvPut/KvGet
// on the "default" run) side by side with its anchor, SQLite ":memory:"
// (table kv(k BLOB PRIMARY KEY, v BLOB) WITHOUT ROWID, one prepared statement,
// autocommit, one row per statement). Every benchmark uses the same 16-byte
// keys (bench_util.hpp) and the same 100-byte string value, and reports
// items_per_second over wall-clock time. Put and get benchmarks also sample
// the latency of one op in 16 and report mean/p50/p99 in nanoseconds.
//
// bench/report.py turns the JSON output into ratios Strata/anchor.

#include <sqlite3.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "bench_util.hpp"
#include "benchmark/benchmark.h"
#include "strata/strata.hpp"

namespace strata_bench {
namespace {

// Keys preloaded by the get benchmarks (a power of two).
constexpr size_t kGetKeys = size_t{1} << 18;

// ---------------------------------------------------------------- SQLite --

// An in-memory SQLite database with the kv table and prepared statements.
//   kMemory: ":memory:", the anchor named by the targets.
//   kMemdb:  the "memdb" VFS (journal_mode=MEMORY), a second in-memory
//            anchor: SQLite 3.40's ":memory:" pager slows down as the table
//            grows (most time goes to pcache1 truncation at each commit),
//            memdb does not, so it is the stronger anchor for puts.
class SqliteMemoryKv {
 public:
  enum class Mode { kMemory, kMemdb };

  explicit SqliteMemoryKv(Mode mode = Mode::kMemory) {
    if (mode == Mode::kMemory) {
      if (sqlite3_open(":memory:", &db_) != SQLITE_OK) return;
    } else {
      // A name without a leading '/' is private to this connection.
      if (sqlite3_open_v2("file:strata_bench?vfs=memdb", &db_,
                          SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                              SQLITE_OPEN_URI,
                          nullptr) != SQLITE_OK ||
          !Exec("PRAGMA journal_mode=MEMORY")) {
        return;
      }
    }
    if (!Exec("CREATE TABLE kv(k BLOB PRIMARY KEY, v BLOB) WITHOUT ROWID")) {
      return;
    }
    if (sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO kv(k, v) VALUES(?, ?)",
                           -1, &put_, nullptr) != SQLITE_OK) {
      return;
    }
    if (sqlite3_prepare_v2(db_, "SELECT v FROM kv WHERE k = ?", -1, &get_,
                           nullptr) != SQLITE_OK) {
      return;
    }
    ok_ = true;
  }
  ~SqliteMemoryKv() {
    sqlite3_finalize(put_);
    sqlite3_finalize(get_);
    sqlite3_close(db_);
  }
  SqliteMemoryKv(const SqliteMemoryKv&) = delete;
  SqliteMemoryKv& operator=(const SqliteMemoryKv&) = delete;

  bool ok() const { return ok_; }
  const char* error() const { return sqlite3_errmsg(db_); }

  bool Put(std::string_view key, std::string_view value) {
    sqlite3_bind_blob(put_, 1, key.data(), static_cast<int>(key.size()),
                      SQLITE_STATIC);
    sqlite3_bind_blob(put_, 2, value.data(), static_cast<int>(value.size()),
                      SQLITE_STATIC);
    const int rc = sqlite3_step(put_);
    sqlite3_reset(put_);
    return rc == SQLITE_DONE;
  }

  // Copies the value into `*out` (an application must copy it before the
  // statement is reset, as Strata's KvGet returns a copy).
  bool Get(std::string_view key, std::string* out) {
    sqlite3_bind_blob(get_, 1, key.data(), static_cast<int>(key.size()),
                      SQLITE_STATIC);
    const int rc = sqlite3_step(get_);
    bool found = false;
    if (rc == SQLITE_ROW) {
      const void* blob = sqlite3_column_blob(get_, 0);
      const int n = sqlite3_column_bytes(get_, 0);
      out->assign(static_cast<const char*>(blob), static_cast<size_t>(n));
      found = true;
    }
    sqlite3_reset(get_);
    return found;
  }

 private:
  bool Exec(const char* sql) {
    return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
  }

  sqlite3* db_ = nullptr;
  sqlite3_stmt* put_ = nullptr;
  sqlite3_stmt* get_ = nullptr;
  bool ok_ = false;
};

// ---------------------------------------------------------------- fixtures

// Preloaded databases shared by the get benchmarks across runs; freed in
// main() after all benchmarks ran.
std::unique_ptr<strata::Database>* g_strata_get_db = nullptr;
SqliteMemoryKv* g_sqlite_get_db = nullptr;

strata::Database* StrataGetDb(benchmark::State& state) {
  if (g_strata_get_db == nullptr) {
    auto db = strata::Database::OpenInMemory();
    if (!db.ok()) {
      state.SkipWithError(db.status().ToString().c_str());
      return nullptr;
    }
    const KeyPool& keys = KeyPool::Get();
    for (size_t i = 0; i < kGetKeys; ++i) {
      auto v = (*db)->KvPut(strata::kDefaultRun, keys.Key(i),
                            strata::Value(ValueString()));
      if (!v.ok()) {
        state.SkipWithError(v.status().ToString().c_str());
        return nullptr;
      }
    }
    g_strata_get_db = new std::unique_ptr<strata::Database>(std::move(*db));
  }
  return g_strata_get_db->get();
}

SqliteMemoryKv* SqliteGetDb(benchmark::State& state) {
  if (g_sqlite_get_db == nullptr) {
    auto* db = new SqliteMemoryKv();
    if (!db->ok()) {
      state.SkipWithError(db->error());
      delete db;
      return nullptr;
    }
    const KeyPool& keys = KeyPool::Get();
    for (size_t i = 0; i < kGetKeys; ++i) {
      if (!db->Put(keys.Key(i), ValueString())) {
        state.SkipWithError(db->error());
        delete db;
        return nullptr;
      }
    }
    g_sqlite_get_db = db;
  }
  return g_sqlite_get_db;
}

void FreeFixtures() {
  if (g_strata_get_db != nullptr) {
    (void)(*g_strata_get_db)->Close();
    delete g_strata_get_db;
    g_strata_get_db = nullptr;
  }
  delete g_sqlite_get_db;
  g_sqlite_get_db = nullptr;
}

// ------------------------------------------------------------ put: target 1

// Strata: one single-op transaction (db->KvPut) per iteration.
void BM_StrataInMemoryPut(benchmark::State& state) {
  auto db = strata::Database::OpenInMemory();
  if (!db.ok()) {
    state.SkipWithError(db.status().ToString().c_str());
    return;
  }
  const KeyPool& keys = KeyPool::Get();
  const std::string& value = ValueString();
  LatencySampler latency;
  size_t i = 0;
  for (auto _ : state) {
    const bool sample = latency.ShouldSample();
    const auto start = sample ? latency.Begin() : decltype(latency.Begin()){};
    auto version =
        (*db)->KvPut(strata::kDefaultRun, keys.Key(i++), strata::Value(value));
    if (sample) latency.End(start);
    if (!version.ok()) {
      state.SkipWithError(version.status().ToString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  latency.Report(state);
  (void)(*db)->Close();
}
BENCHMARK(BM_StrataInMemoryPut)->MinTime(0.5)->UseRealTime();

// Anchor: SQLite ":memory:" (or the memdb VFS for BM_SqliteMemdbPut),
// autocommit INSERT OR REPLACE, one row per statement.
void SqlitePut(benchmark::State& state, SqliteMemoryKv::Mode mode) {
  SqliteMemoryKv db(mode);
  if (!db.ok()) {
    state.SkipWithError(db.error());
    return;
  }
  const KeyPool& keys = KeyPool::Get();
  const std::string& value = ValueString();
  LatencySampler latency;
  size_t i = 0;
  for (auto _ : state) {
    const bool sample = latency.ShouldSample();
    const auto start = sample ? latency.Begin() : decltype(latency.Begin()){};
    const bool ok = db.Put(keys.Key(i++), value);
    if (sample) latency.End(start);
    if (!ok) {
      state.SkipWithError(db.error());
      break;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  latency.Report(state);
}
void BM_SqliteMemoryPut(benchmark::State& state) {
  SqlitePut(state, SqliteMemoryKv::Mode::kMemory);
}
BENCHMARK(BM_SqliteMemoryPut)->MinTime(0.5)->UseRealTime();

void BM_SqliteMemdbPut(benchmark::State& state) {
  SqlitePut(state, SqliteMemoryKv::Mode::kMemdb);
}
BENCHMARK(BM_SqliteMemdbPut)->MinTime(0.5)->UseRealTime();

// ------------------------------------------------------------ get: target 1

// Strata: point KvGet of a present key, scattered order over kGetKeys keys.
void BM_StrataInMemoryGet(benchmark::State& state) {
  strata::Database* db = StrataGetDb(state);
  if (db == nullptr) return;
  const KeyPool& keys = KeyPool::Get();
  LatencySampler latency;
  size_t i = 0;
  for (auto _ : state) {
    const std::string_view key = keys.Key(ScatteredIndex(i++, kGetKeys));
    const bool sample = latency.ShouldSample();
    const auto start = sample ? latency.Begin() : decltype(latency.Begin()){};
    auto got = db->KvGet(strata::kDefaultRun, key);
    if (sample) latency.End(start);
    if (!got.ok()) {
      state.SkipWithError(got.status().ToString().c_str());
      break;
    }
    benchmark::DoNotOptimize(got->value);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  latency.Report(state);
}
BENCHMARK(BM_StrataInMemoryGet)->MinTime(0.5)->UseRealTime();

// Anchor: SQLite point SELECT, same keys, same order.
void BM_SqliteMemoryGet(benchmark::State& state) {
  SqliteMemoryKv* db = SqliteGetDb(state);
  if (db == nullptr) return;
  const KeyPool& keys = KeyPool::Get();
  LatencySampler latency;
  std::string out;
  size_t i = 0;
  for (auto _ : state) {
    const std::string_view key = keys.Key(ScatteredIndex(i++, kGetKeys));
    const bool sample = latency.ShouldSample();
    const auto start = sample ? latency.Begin() : decltype(latency.Begin()){};
    const bool found = db->Get(key, &out);
    if (sample) latency.End(start);
    if (!found) {
      state.SkipWithError("SQLite: preloaded key not found");
      break;
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  latency.Report(state);
}
BENCHMARK(BM_SqliteMemoryGet)->MinTime(0.5)->UseRealTime();

// ------------------------------------------------- thread scaling: target 4

// Strata in-memory puts from 1 or 2 threads on one database, each thread
// writing its own disjoint slice of the key pool. items_per_second is the
// total over all threads (wall clock).
std::unique_ptr<strata::Database>* g_disjoint_db = nullptr;

void BM_StrataInMemoryPutDisjoint(benchmark::State& state) {
  if (state.thread_index() == 0) {
    // The other threads touch g_disjoint_db only inside the timed loop, which
    // starts after a barrier that thread 0 reaches after this setup.
    // On failure every thread still enters the loop (a thread that returns
    // early would leave the others waiting at that barrier) and stops there.
    auto db = strata::Database::OpenInMemory();
    if (db.ok()) {
      g_disjoint_db = new std::unique_ptr<strata::Database>(std::move(*db));
    } else {
      state.SkipWithError(db.status().ToString().c_str());
    }
  }
  const KeyPool& keys = KeyPool::Get();
  const std::string& value = ValueString();
  const size_t slice = kKeyPoolSize / static_cast<size_t>(state.threads());
  const size_t base = slice * static_cast<size_t>(state.thread_index());
  size_t i = 0;
  for (auto _ : state) {
    if (g_disjoint_db == nullptr) {
      state.SkipWithError("database not open");
      break;
    }
    auto version = (*g_disjoint_db)
                       ->KvPut(strata::kDefaultRun, keys.Key(base + i % slice),
                               strata::Value(value));
    ++i;
    if (!version.ok()) {
      state.SkipWithError(version.status().ToString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  if (state.thread_index() == 0 && g_disjoint_db != nullptr) {
    // The loop ends with a barrier too: no thread uses the database now.
    (void)(*g_disjoint_db)->Close();
    delete g_disjoint_db;
    g_disjoint_db = nullptr;
  }
}
BENCHMARK(BM_StrataInMemoryPutDisjoint)
    ->MinTime(0.5)
    ->UseRealTime()
    ->Threads(1)
    ->Threads(2);

}  // namespace
}  // namespace strata_bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  strata_bench::FreeFixtures();
  return 0;
}
