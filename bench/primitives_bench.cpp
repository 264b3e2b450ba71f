// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// The agent primitives on an in-memory database, one thread, each against a
// KV put of the same 100-byte payload into the same run (the "facade tax":
// what a primitive costs beyond the engine write it is built on).
//
//   BM_PrimKvPut          anchor: KvPut of the payload
//   BM_PrimEventAppend    EventAppend of the payload
//   BM_PrimStateCas       StateCas on one of 1024 cells with the right version
//   BM_PrimTraceRecord    TraceRecord of a completed span with the payload as input
//   BM_PrimEventRange100  EventList of 100 consecutive events (from 100,000)
//   BM_PrimKvList100      anchor: KvList of 100 consecutive keys (from 100,000)
#include <cstdint>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "bench_util.hpp"
#include "benchmark/benchmark.h"
#include "strata/strata.hpp"

namespace {

using strata_bench::KeyPool;
using strata_bench::ValueString;

constexpr char kRun[] = "bench-run";
constexpr uint64_t kRangeEvents = 100000;

std::unique_ptr<strata::Database> OpenWithRun(benchmark::State& state) {
  auto db = strata::Database::OpenInMemory();
  if (!db.ok()) {
    state.SkipWithError(db.status().ToString().c_str());
    return nullptr;
  }
  if (auto v = (*db)->CreateRun(kRun); !v.ok()) {
    state.SkipWithError(v.status().ToString().c_str());
    return nullptr;
  }
  return *std::move(db);
}

template <typename T>
bool Check(benchmark::State& state, const absl::StatusOr<T>& r) {
  if (r.ok()) return true;
  state.SkipWithError(r.status().ToString().c_str());
  return false;
}

void BM_PrimKvPut(benchmark::State& state) {
  auto db = OpenWithRun(state);
  if (db == nullptr) return;
  const KeyPool& keys = KeyPool::Get();
  size_t i = 0;
  for (auto _ : state) {
    if (!Check(state, db->KvPut(kRun, keys.Key(i++), strata::Value(ValueString())))) break;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_PrimKvPut)->MinTime(0.5)->UseRealTime();

void BM_PrimEventAppend(benchmark::State& state) {
  auto db = OpenWithRun(state);
  if (db == nullptr) return;
  for (auto _ : state) {
    if (!Check(state, db->EventAppend(kRun, "tool_call", strata::Value(ValueString())))) break;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_PrimEventAppend)->MinTime(0.5)->UseRealTime();

void BM_PrimStateCas(benchmark::State& state) {
  auto db = OpenWithRun(state);
  if (db == nullptr) return;
  constexpr size_t kCells = 1024;
  const KeyPool& keys = KeyPool::Get();
  std::vector<strata::Version> versions(kCells);
  for (size_t c = 0; c < kCells; ++c) {
    auto v = db->StateInit(kRun, keys.Key(c), strata::Value(ValueString()));
    if (!Check(state, v)) return;
    versions[c] = *v;
  }
  size_t i = 0;
  for (auto _ : state) {
    const size_t c = i++ % kCells;
    auto v = db->StateCas(kRun, keys.Key(c), versions[c], strata::Value(ValueString()));
    if (!Check(state, v)) break;
    versions[c] = *v;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_PrimStateCas)->MinTime(0.5)->UseRealTime();

void BM_PrimTraceRecord(benchmark::State& state) {
  auto db = OpenWithRun(state);
  if (db == nullptr) return;
  strata::SpanSpec spec;
  spec.kind = strata::SpanKind::kToolCall;
  spec.name = "search";
  spec.input = strata::Value(ValueString());
  for (auto _ : state) {
    if (!Check(state, db->TraceRecord(kRun, spec))) break;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_PrimTraceRecord)->MinTime(0.5)->UseRealTime();

void BM_PrimEventRange100(benchmark::State& state) {
  auto db = OpenWithRun(state);
  if (db == nullptr) return;
  for (uint64_t i = 0; i < kRangeEvents; ++i) {
    if (!Check(state, db->EventAppend(kRun, "tool_call", strata::Value(ValueString())))) return;
  }
  std::mt19937_64 rng(42);
  strata::EventQuery query;
  query.limit = 100;
  for (auto _ : state) {
    query.from_seq = 1 + rng() % (kRangeEvents - 100);
    auto page = db->EventList(kRun, query);
    if (!Check(state, page)) break;
    if (page->events.size() != 100) {
      state.SkipWithError("short page");
      break;
    }
    benchmark::DoNotOptimize(page->events.back().value.hash);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_PrimEventRange100)->MinTime(0.5)->UseRealTime();

void BM_PrimKvList100(benchmark::State& state) {
  auto db = OpenWithRun(state);
  if (db == nullptr) return;
  // Keys "k000000".."k099999": a range of 100 starts at a random cursor.
  auto key = [](uint64_t i) {
    char buf[16];
    std::snprintf(buf, sizeof(buf), "k%06llu", static_cast<unsigned long long>(i));
    return std::string(buf);
  };
  for (uint64_t i = 0; i < kRangeEvents; ++i) {
    if (!Check(state, db->KvPut(kRun, key(i), strata::Value(ValueString())))) return;
  }
  std::mt19937_64 rng(42);
  strata::ListRequest request;
  request.limit = 100;
  for (auto _ : state) {
    request.cursor = key(rng() % (kRangeEvents - 101));
    auto page = db->KvList(kRun, request);
    if (!Check(state, page)) break;
    if (page->entries.size() != 100) {
      state.SkipWithError("short page");
      break;
    }
    benchmark::DoNotOptimize(page->entries.back().value.version);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_PrimKvList100)->MinTime(0.5)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
