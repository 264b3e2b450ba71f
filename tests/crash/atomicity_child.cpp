// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Helper for tests/crash/atomicity_crash_test.cpp: a Strict-mode writer of
// cross-primitive transactions that the test kills with SIGKILL at a random
// moment.
//
// Usage: atomicity_child <db_dir> <seed>
//
// Opens (creating) the database and the run "atom" (in its own transaction),
// then loops forever: iteration i commits ONE transaction that writes
//   - KV key "k<i>"        = {"i": i, "pad": <random string>}
//   - an event of type "it" with payload {"i": i, "pad": ...} (seq i)
//   - state cell "s<i>"    = {"i": i}
//   - a completed span named "span<i>" with input {"i": i} (span id i)
// and, once Commit returned, prints i on its own line and flushes stdout.
// It resumes after the events it finds (EventLength + 1), so every run
// continues the sequence that survived the previous crash. The random
// padding (0..2 KB) makes WAL segments (64 KiB) roll over often.
// Exit codes: 2 usage, 3 open/setup failed, 4 a commit failed, 5 an
// iteration landed on the wrong seq or span id.
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>

#include "absl/status/status.h"
#include "strata/database.hpp"
#include "strata/status.hpp"

namespace {

constexpr char kRun[] = "atom";

[[noreturn]] void Die(int code, const char* what, const absl::Status& s) {
  std::fprintf(stderr, "atomicity_child: %s: %s\n", what, s.ToString().c_str());
  std::exit(code);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s <db_dir> <seed>\n", argv[0]);
    return 2;
  }
  strata::Options options;
  options.durability = strata::DurabilityMode::kStrict;
  options.wal_segment_bytes = 64 << 10;
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
  absl::StatusOr<uint64_t> length = db.EventLength(kRun);
  if (!length.ok()) Die(3, "event length", length.status());

  for (uint64_t i = *length + 1;; ++i) {
    const auto n = static_cast<int64_t>(i);
    const std::string pad(rng() % 2048, static_cast<char>('a' + rng() % 26));
    const strata::Value big(strata::Value::Object{{"i", strata::Value(n)},
                                                  {"pad", strata::Value(pad)}});
    const strata::Value small(strata::Value::Object{{"i", strata::Value(n)}});
    uint64_t seq = 0;
    uint64_t span = 0;
    absl::StatusOr<strata::Version> version = db.Transact(
        [&](strata::Transaction& txn) -> absl::Status {
          absl::Status s = txn.KvPut(kRun, "k" + std::to_string(i), big);
          if (!s.ok()) return s;
          absl::StatusOr<strata::EventAppended> e = txn.EventAppend(kRun, "it", big);
          if (!e.ok()) return e.status();
          seq = e->seq;
          s = txn.StateSet(kRun, "s" + std::to_string(i), small);
          if (!s.ok()) return s;
          strata::SpanSpec spec;
          spec.kind = strata::SpanKind::kToolCall;
          spec.name = "span" + std::to_string(i);
          spec.input = small;
          spec.output = strata::Value(n);
          absl::StatusOr<uint64_t> id = txn.TraceRecord(kRun, spec);
          if (!id.ok()) return id.status();
          span = *id;
          return absl::OkStatus();
        },
        strata::RetryPolicy{});
    if (!version.ok()) Die(4, "commit", version.status());
    if (seq != i || span != i) {
      std::fprintf(stderr,
                   "atomicity_child: iteration %" PRIu64 " got event seq %" PRIu64
                   " and span id %" PRIu64 "\n",
                   i, seq, span);
      return 5;
    }
    std::printf("%" PRIu64 "\n", i);
    std::fflush(stdout);
  }
}
