// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// JSON documents, one thread, on documents of 1, 4, 16 and 64 KiB (encoded
// size, roughly): 4 sections x 4 subsections x 4 string leaves, the leaves
// sized to reach the document size. Paths are depth 3 ("/s1/t2/k3").
//
//   BM_JsonSetPath/size       JsonSet of an int at a depth-3 path (InMemory)
//   BM_KvRewriteDoc/size      anchor: KvPut of the whole document as a value
//                             after changing the same leaf (what storing
//                             documents as KV values costs per change)
//   BM_JsonGetPath            JsonGet at a depth-3 path of the 1 KiB document
//   BM_KvGetDoc               anchor: KvGet of the 1 KiB document as a value
//   BM_JsonPatch5             a 5-operation RFC 6902 patch (1 KiB document)
//   BM_JsonSetPathWal/size    JsonSet on a Buffered database on disk; reports
//                             wal_bytes_per_op against doc_bytes
#include <cstdint>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "bench_util.hpp"
#include "benchmark/benchmark.h"
#include "strata/strata.hpp"

namespace {

using strata::Value;

constexpr char kRun[] = "bench-run";
constexpr char kLeafPath[] = "/s1/t2/k3";

// A document of about `bytes` encoded bytes with 64 leaves at depth 3.
Value MakeDoc(size_t bytes) {
  const size_t leaf = bytes > 64 * 24 ? bytes / 64 - 12 : 4;
  Value::Object doc;
  for (int s = 0; s < 4; ++s) {
    Value::Object section;
    for (int t = 0; t < 4; ++t) {
      Value::Object sub;
      for (int k = 0; k < 4; ++k) {
        sub[absl::StrCat("k", k)] = Value(std::string(leaf, static_cast<char>('a' + k)));
      }
      section[absl::StrCat("t", t)] = Value(std::move(sub));
    }
    doc[absl::StrCat("s", s)] = Value(std::move(section));
  }
  return Value(std::move(doc));
}

void SetLeaf(Value* doc, int64_t v) {
  doc->MutableObject()["s1"].MutableObject()["t2"].MutableObject()["k3"] = Value(v);
}

template <typename T>
bool Check(benchmark::State& state, const absl::StatusOr<T>& r) {
  if (r.ok()) return true;
  state.SkipWithError(r.status().ToString().c_str());
  return false;
}

std::unique_ptr<strata::Database> Open(benchmark::State& state, const std::string& path = "",
                                       strata::DurabilityMode mode =
                                           strata::DurabilityMode::kInMemory) {
  absl::StatusOr<std::unique_ptr<strata::Database>> db;
  if (path.empty()) {
    db = strata::Database::OpenInMemory();
  } else {
    strata::Options options;
    options.durability = mode;
    db = strata::Database::Open(path, options);
  }
  if (!Check(state, db)) return nullptr;
  if (!Check(state, (*db)->CreateRun(kRun))) return nullptr;
  return *std::move(db);
}

void BM_JsonSetPath(benchmark::State& state) {
  auto db = Open(state);
  if (db == nullptr || !Check(state, db->JsonCreate(kRun, "doc", MakeDoc(state.range(0))))) {
    return;
  }
  int64_t i = 0;
  for (auto _ : state) {
    if (!Check(state, db->JsonSet(kRun, "doc", kLeafPath, Value(i++)))) break;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_JsonSetPath)->Arg(1 << 10)->Arg(4 << 10)->Arg(16 << 10)->Arg(64 << 10)
    ->MinTime(0.5)->UseRealTime();

void BM_KvRewriteDoc(benchmark::State& state) {
  auto db = Open(state);
  if (db == nullptr) return;
  Value doc = MakeDoc(state.range(0));
  int64_t i = 0;
  for (auto _ : state) {
    SetLeaf(&doc, i++);
    if (!Check(state, db->KvPut(kRun, "doc", doc))) break;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_KvRewriteDoc)->Arg(1 << 10)->Arg(4 << 10)->Arg(16 << 10)->Arg(64 << 10)
    ->MinTime(0.5)->UseRealTime();

void BM_JsonGetPath(benchmark::State& state) {
  auto db = Open(state);
  if (db == nullptr || !Check(state, db->JsonCreate(kRun, "doc", MakeDoc(1 << 10)))) return;
  for (auto _ : state) {
    auto got = db->JsonGet(kRun, "doc", kLeafPath);
    if (!Check(state, got)) break;
    benchmark::DoNotOptimize(got->value);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_JsonGetPath)->MinTime(0.5)->UseRealTime();

void BM_KvGetDoc(benchmark::State& state) {
  auto db = Open(state);
  if (db == nullptr || !Check(state, db->KvPut(kRun, "doc", MakeDoc(1 << 10)))) return;
  for (auto _ : state) {
    auto got = db->KvGet(kRun, "doc");
    if (!Check(state, got)) break;
    benchmark::DoNotOptimize(got->value);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_KvGetDoc)->MinTime(0.5)->UseRealTime();

void BM_JsonPatch5(benchmark::State& state) {
  auto db = Open(state);
  if (db == nullptr || !Check(state, db->JsonCreate(kRun, "doc", MakeDoc(1 << 10)))) return;
  auto op = [](const char* name, const char* path, Value value) {
    Value::Object o{{"op", Value(name)}, {"path", Value(path)}};
    if (!value.is_null()) o["value"] = std::move(value);
    return Value(std::move(o));
  };
  const Value patch(Value::Array{
      op("replace", "/s0/t0/k0", Value("x")),
      op("add", "/s1/t1/extra", Value(Value::Array{Value(1), Value(2)})),
      op("test", "/s1/t1/extra/1", Value(2)),
      op("remove", "/s1/t1/extra", Value()),
      op("replace", "/s3/t3/k3", Value(42)),
  });
  for (auto _ : state) {
    if (!Check(state, db->JsonPatch(kRun, "doc", patch))) break;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_JsonPatch5)->MinTime(0.5)->UseRealTime();

void BM_JsonSetPathWal(benchmark::State& state) {
  strata_bench::TempDir dir;
  auto db = Open(state, dir.Sub("db"), strata::DurabilityMode::kBuffered);
  const Value doc = MakeDoc(state.range(0));
  if (db == nullptr || !Check(state, db->JsonCreate(kRun, "doc", doc))) return;
  if (!Check(state, db->Flush().ok() ? absl::StatusOr<int>(0) : absl::StatusOr<int>(
                                           absl::InternalError("flush failed")))) {
    return;
  }
  const uint64_t before = db->Stats().wal_bytes;
  int64_t i = 0;
  for (auto _ : state) {
    if (!Check(state, db->JsonSet(kRun, "doc", kLeafPath, Value(i++)))) break;
  }
  (void)db->Flush();
  const uint64_t after = db->Stats().wal_bytes;
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["wal_bytes_per_op"] =
      static_cast<double>(after - before) / static_cast<double>(state.iterations());
  state.counters["doc_bytes"] = static_cast<double>(doc.ToJson().size());
}
BENCHMARK(BM_JsonSetPathWal)->Arg(1 << 10)->Arg(16 << 10)->Arg(64 << 10)
    ->MinTime(0.5)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
