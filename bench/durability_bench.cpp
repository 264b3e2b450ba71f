// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Durable-write benchmarks (targets 2 and 3). Every benchmark writes the same
// 16-byte keys and 100-byte values into a fresh directory under /tmp (or
// $STRATA_BENCH_TMPDIR), removed afterwards, and reports items_per_second
// over wall-clock time (ops of all threads together).
//
//   BM_StrataBufferedPut     DurabilityMode::kBuffered, db->KvPut
//   BM_RocksDbPut            anchor: RocksDB, WAL on, sync off (default
//                            rocksdb::WriteOptions)
//   BM_StrataStrictPut       DurabilityMode::kStrict, 1 and 16 committer
//                            threads writing disjoint keys (group commit)
//   BM_RawAppendFdatasync    anchor: write(116 bytes) + fdatasync on a file
//                            in the same directory tree (the disk's limit)
//   BM_SqliteWalFullPut      anchor: SQLite journal_mode=WAL,
//                            synchronous=FULL, autocommit INSERT OR REPLACE
//   BM_LmdbPut               anchor: LMDB with default (synchronous) flags,
//                            one write transaction per put
//
// bench/report.py turns the JSON output into ratios Strata/anchor.

#include <fcntl.h>
#include <lmdb.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "bench_util.hpp"
#include "benchmark/benchmark.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "strata/strata.hpp"

namespace strata_bench {
namespace {

// Reports Strata's own sync counters: how many commits shared one fdatasync.
void ReportSyncs(benchmark::State& state, strata::Database& db,
                 int64_t total_ops) {
  const strata::DatabaseStats stats = db.Stats();
  state.counters["wal_syncs"] =
      benchmark::Counter(static_cast<double>(stats.wal_syncs));
  if (stats.wal_syncs > 0) {
    state.counters["commits_per_sync"] =
        benchmark::Counter(static_cast<double>(total_ops) /
                           static_cast<double>(stats.wal_syncs));
  }
}

// ------------------------------------------------------- buffered: target 2

void BM_StrataBufferedPut(benchmark::State& state) {
  TempDir dir;
  strata::Options options;
  options.durability = strata::DurabilityMode::kBuffered;
  auto db = strata::Database::Open(dir.Sub("db"), options);
  if (!db.ok()) {
    state.SkipWithError(db.status().ToString().c_str());
    return;
  }
  const KeyPool& keys = KeyPool::Get();
  const std::string& value = ValueString();
  size_t i = 0;
  for (auto _ : state) {
    auto version =
        (*db)->KvPut(strata::kDefaultRun, keys.Key(i++), strata::Value(value));
    if (!version.ok()) {
      state.SkipWithError(version.status().ToString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  ReportSyncs(state, **db, static_cast<int64_t>(state.iterations()));
  const absl::Status closed = (*db)->Close();
  if (!closed.ok()) state.SkipWithError(closed.ToString().c_str());
}
BENCHMARK(BM_StrataBufferedPut)->MinTime(0.5)->UseRealTime();

void BM_RocksDbPut(benchmark::State& state) {
  TempDir dir;
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw_db = nullptr;
  const rocksdb::Status opened =
      rocksdb::DB::Open(options, dir.Sub("rocksdb"), &raw_db);
  if (!opened.ok()) {
    state.SkipWithError(opened.ToString().c_str());
    return;
  }
  std::unique_ptr<rocksdb::DB> db(raw_db);
  rocksdb::WriteOptions write_options;  // WAL on, sync off.
  const KeyPool& keys = KeyPool::Get();
  const std::string& value = ValueString();
  size_t i = 0;
  for (auto _ : state) {
    const std::string_view key = keys.Key(i++);
    const rocksdb::Status s =
        db->Put(write_options, rocksdb::Slice(key.data(), key.size()), value);
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  (void)db->Close();
}
BENCHMARK(BM_RocksDbPut)->MinTime(0.5)->UseRealTime();

// --------------------------------------------------------- strict: target 3

// Anchor: the disk's raw rate of small synchronous appends.
void BM_RawAppendFdatasync(benchmark::State& state) {
  TempDir dir;
  const std::string path = dir.Sub("raw.log");
  const int fd =
      open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    state.SkipWithError(std::strerror(errno));
    return;
  }
  const std::string record =
      std::string(KeyPool::Get().Key(0)) + ValueString();  // 116 bytes.
  for (auto _ : state) {
    if (write(fd, record.data(), record.size()) !=
            static_cast<ssize_t>(record.size()) ||
        fdatasync(fd) != 0) {
      state.SkipWithError(std::strerror(errno));
      break;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  close(fd);
}
BENCHMARK(BM_RawAppendFdatasync)->MinTime(0.5)->UseRealTime();

// Strata strict mode; with N threads each thread commits its own disjoint
// slice of the key pool, so commits never conflict and can share syncs.
struct StrictShared {
  TempDir dir;
  std::unique_ptr<strata::Database> db;
};
StrictShared* g_strict = nullptr;

void BM_StrataStrictPut(benchmark::State& state) {
  if (state.thread_index() == 0) {
    // Other threads read g_strict only inside the loop, which starts with a
    // barrier. On failure every thread still enters the loop and stops there.
    auto* shared = new StrictShared();
    strata::Options options;
    options.durability = strata::DurabilityMode::kStrict;
    auto db = strata::Database::Open(shared->dir.Sub("db"), options);
    if (db.ok()) {
      shared->db = std::move(*db);
    } else {
      state.SkipWithError(db.status().ToString().c_str());
    }
    g_strict = shared;
  }
  const KeyPool& keys = KeyPool::Get();
  const std::string& value = ValueString();
  const size_t slice = kKeyPoolSize / static_cast<size_t>(state.threads());
  const size_t base = slice * static_cast<size_t>(state.thread_index());
  size_t i = 0;
  for (auto _ : state) {
    if (g_strict == nullptr || g_strict->db == nullptr) {
      state.SkipWithError("database not open");
      break;
    }
    auto version = g_strict->db->KvPut(
        strata::kDefaultRun, keys.Key(base + i % slice), strata::Value(value));
    ++i;
    if (!version.ok()) {
      state.SkipWithError(version.status().ToString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  if (state.thread_index() == 0) {
    // The loop ends with a barrier: every thread is done with the database.
    if (g_strict->db != nullptr) {
      ReportSyncs(state, *g_strict->db,
                  static_cast<int64_t>(state.iterations()) * state.threads());
      (void)g_strict->db->Close();
    }
    delete g_strict;
    g_strict = nullptr;
  }
}
BENCHMARK(BM_StrataStrictPut)
    ->MinTime(0.5)
    ->UseRealTime()
    ->Threads(1)
    ->Threads(16);

void BM_SqliteWalFullPut(benchmark::State& state) {
  TempDir dir;
  sqlite3* db = nullptr;
  sqlite3_stmt* put = nullptr;
  const std::string path = dir.Sub("sqlite.db");
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK ||
      sqlite3_exec(db,
                   "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                   "CREATE TABLE kv(k BLOB PRIMARY KEY, v BLOB) WITHOUT ROWID",
                   nullptr, nullptr, nullptr) != SQLITE_OK ||
      sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO kv(k, v) VALUES(?, ?)",
                         -1, &put, nullptr) != SQLITE_OK) {
    state.SkipWithError(sqlite3_errmsg(db));
    sqlite3_close(db);
    return;
  }
  const KeyPool& keys = KeyPool::Get();
  const std::string& value = ValueString();
  size_t i = 0;
  for (auto _ : state) {
    const std::string_view key = keys.Key(i++);
    sqlite3_bind_blob(put, 1, key.data(), static_cast<int>(key.size()),
                      SQLITE_STATIC);
    sqlite3_bind_blob(put, 2, value.data(), static_cast<int>(value.size()),
                      SQLITE_STATIC);
    const int rc = sqlite3_step(put);
    sqlite3_reset(put);
    if (rc != SQLITE_DONE) {
      state.SkipWithError(sqlite3_errmsg(db));
      break;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  sqlite3_finalize(put);
  sqlite3_close(db);
}
BENCHMARK(BM_SqliteWalFullPut)->MinTime(0.5)->UseRealTime();

void BM_LmdbPut(benchmark::State& state) {
  TempDir dir;
  MDB_env* env = nullptr;
  MDB_dbi dbi = 0;
  MDB_txn* txn = nullptr;
  int rc = mdb_env_create(&env);
  if (rc == 0) rc = mdb_env_set_mapsize(env, size_t{1} << 30);
  if (rc == 0) rc = mdb_env_open(env, dir.path().c_str(), 0, 0644);
  if (rc == 0) rc = mdb_txn_begin(env, nullptr, 0, &txn);
  if (rc == 0) rc = mdb_dbi_open(txn, nullptr, 0, &dbi);
  if (rc == 0) rc = mdb_txn_commit(txn);
  if (rc != 0) {
    state.SkipWithError(mdb_strerror(rc));
    mdb_env_close(env);
    return;
  }
  const KeyPool& keys = KeyPool::Get();
  std::string value = ValueString();
  size_t i = 0;
  for (auto _ : state) {
    const std::string_view key = keys.Key(i++);
    MDB_val k{key.size(), const_cast<char*>(key.data())};
    MDB_val v{value.size(), value.data()};
    rc = mdb_txn_begin(env, nullptr, 0, &txn);
    if (rc == 0) {
      rc = mdb_put(txn, dbi, &k, &v, 0);
      if (rc == 0) {
        rc = mdb_txn_commit(txn);
      } else {
        mdb_txn_abort(txn);
      }
    }
    if (rc != 0) {
      state.SkipWithError(mdb_strerror(rc));
      break;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  mdb_env_close(env);
}
BENCHMARK(BM_LmdbPut)->MinTime(0.5)->UseRealTime();

}  // namespace
}  // namespace strata_bench

BENCHMARK_MAIN();
