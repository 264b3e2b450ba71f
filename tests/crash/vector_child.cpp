// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Helper for tests/crash/vector_crash_test.cpp: a Strict-mode writer of
// vectors that the test kills with SIGKILL at a random moment.
//
// Usage: vector_child <db_dir> <seed> [<last>]
//
// Opens (creating) the database, the run "vec" and the collection "emb"
// (dimension 16, euclidean, exact_threshold 50, so the HNSW graph answers
// once 50 vectors are live), then loops forever: iteration i
// (resuming at KV "n" + 1) commits ONE transaction that, for the key
// Key(i) = "key<(i - 1) % 120>",
//   - upserts VectorFor(i) with metadata {"gen": i} at Key(i), or, when
//     i % 13 == 0, deletes the vector at Key(i) (if there is one);
//   - puts KV "k/<Key(i)>" = {"gen": i, "live": <false for a delete>};
//   - puts KV "n" = i;
// and, once the commit returned, prints i on its own line and flushes
// stdout. With <last> (> 0) it stops after iteration <last> and waits to be
// killed, so the test can hold the collection below exact_threshold. The
// 120 keys are rewritten over and over, so the index holds superseded and
// deleted entries.
// The test holds a copy of Key and VectorFor: keep them in sync.
// Exit codes: 2 usage, 3 open/setup failed, 4 a commit failed.
#include <unistd.h>

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "strata/database.hpp"
#include "strata/status.hpp"

namespace {

constexpr char kRun[] = "vec";
constexpr char kCollection[] = "emb";
constexpr uint32_t kDimension = 16;
constexpr uint32_t kExactThreshold = 50;
constexpr uint64_t kKeys = 120;
constexpr uint64_t kDeleteEvery = 13;

using strata::Value;

std::string Key(uint64_t i) { return absl::StrCat("key", (i - 1) % kKeys); }

// Components in [-1, 1) from a splitmix64 stream seeded by i: exact and the
// same in every build.
std::vector<float> VectorFor(uint64_t i) {
  uint64_t state = i * 0x9e3779b97f4a7c15ull;
  std::vector<float> v(kDimension);
  for (float& x : v) {
    state += 0x9e3779b97f4a7c15ull;
    uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    x = static_cast<float>(z >> 40) * (2.0f / 16777216.0f) - 1.0f;
  }
  return v;
}

[[noreturn]] void Die(int code, const char* what, const absl::Status& s) {
  std::fprintf(stderr, "vector_child: %s: %s\n", what, s.ToString().c_str());
  std::exit(code);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 && argc != 4) {
    std::fprintf(stderr, "usage: %s <db_dir> <seed> [<last>]\n", argv[0]);
    return 2;
  }
  const uint64_t stop_after = argc == 4 ? std::strtoull(argv[3], nullptr, 10) : 0;
  strata::Options options;
  options.durability = strata::DurabilityMode::kStrict;
  options.wal_segment_bytes = 64 << 10;  // Roll over segments often.
  std::mt19937_64 rng(std::strtoull(argv[2], nullptr, 10));

  absl::StatusOr<std::unique_ptr<strata::Database>> opened =
      strata::Database::Open(argv[1], options);
  if (!opened.ok()) Die(3, "open", opened.status());
  strata::Database& db = **opened;

  absl::StatusOr<bool> exists = db.RunExists(kRun);
  if (!exists.ok()) Die(3, "run exists", exists.status());
  if (!*exists) {
    absl::StatusOr<strata::Version> created = db.CreateRun(kRun);
    if (!created.ok()) Die(3, "create run", created.status());
  }
  absl::StatusOr<strata::CollectionInfo> info = db.DescribeCollection(kRun, kCollection);
  if (!info.ok()) {
    if (!strata::IsNotFound(info.status())) Die(3, "describe collection", info.status());
    strata::CollectionSpec spec;
    spec.name = kCollection;
    spec.dimension = kDimension;
    spec.metric = strata::VectorMetric::kEuclidean;
    spec.index.exact_threshold = kExactThreshold;
    absl::StatusOr<strata::Version> created = db.CreateCollection(kRun, spec);
    if (!created.ok()) Die(3, "create collection", created.status());
  }
  uint64_t last = 0;
  absl::StatusOr<strata::Versioned<Value>> n = db.KvGet(kRun, "n");
  if (n.ok()) {
    last = static_cast<uint64_t>(n->value.AsInt());
  } else if (!strata::IsNotFound(n.status())) {
    Die(3, "read n", n.status());
  }

  for (uint64_t i = last + 1;; ++i) {
    if (stop_after != 0 && i > stop_after) {
      for (;;) ::pause();  // Until the SIGKILL.
    }
    const auto gen = static_cast<int64_t>(i);
    const std::string key = Key(i);
    const bool remove = i % kDeleteEvery == 0;
    // Some padding in the metadata of a few writes makes WAL segments roll.
    Value::Object metadata{{"gen", Value(gen)}};
    if (rng() % 4 == 0) metadata["pad"] = Value(std::string(rng() % 2048, 'p'));
    absl::StatusOr<strata::Version> version = db.Transact(
        [&](strata::Transaction& txn) -> absl::Status {
          if (remove) {
            absl::StatusOr<strata::Versioned<strata::VectorEntry>> old =
                txn.VectorGet(kRun, kCollection, key);
            if (old.ok()) {
              if (absl::Status s = txn.VectorDelete(kRun, kCollection, key); !s.ok()) return s;
            } else if (!strata::IsNotFound(old.status())) {
              return old.status();
            }
          } else {
            absl::Status s =
                txn.VectorUpsert(kRun, kCollection, key, VectorFor(i), Value(metadata));
            if (!s.ok()) return s;
          }
          absl::Status s = txn.KvPut(
              kRun, "k/" + key,
              Value(Value::Object{{"gen", Value(gen)}, {"live", Value(!remove)}}));
          if (!s.ok()) return s;
          return txn.KvPut(kRun, "n", Value(gen));
        },
        strata::RetryPolicy{});
    if (!version.ok()) Die(4, "commit", version.status());
    std::printf("%" PRIu64 "\n", i);
    std::fflush(stdout);
  }
}
