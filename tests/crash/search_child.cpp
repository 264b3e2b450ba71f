// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Helper for tests/crash/search_crash_test.cpp: a Strict-mode writer into a
// run with a keyword index that the test kills with SIGKILL at a random
// moment.
//
// Usage: search_child <db_dir>
//
// Opens (creating) the database with Options::search.index_all_runs and the
// run "docs", then loops forever: iteration i (resuming at KV "n" + 1)
// commits ONE transaction that
//   - puts KV Key(i) = Text(i), or, when i % 11 == 0, deletes Key(i) (if it
//     is there);
//   - appends an event of type "note" with payload "gen<i> common";
//   - puts KV "n" = i;
// and, once the commit returned, prints i on its own line and flushes
// stdout. The test holds copies of Key and Text: keep them in sync.
// Exit codes: 2 usage, 3 open/setup failed, 4 a commit failed.
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "strata/database.hpp"
#include "strata/status.hpp"

namespace {

constexpr char kRun[] = "docs";
constexpr uint64_t kKeys = 50;
constexpr uint64_t kDeleteEvery = 11;

using strata::Value;

std::string Key(uint64_t i) { return absl::StrCat("doc", (i - 1) % kKeys); }
std::string Text(uint64_t i) {
  return absl::StrCat("gen", i, " shade", i % 7, " common words about shade", i % 3);
}

[[noreturn]] void Die(int code, const char* what, const absl::Status& s) {
  std::fprintf(stderr, "search_child: %s: %s\n", what, s.ToString().c_str());
  std::exit(code);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <db_dir>\n", argv[0]);
    return 2;
  }
  strata::Options options;
  options.durability = strata::DurabilityMode::kStrict;
  options.wal_segment_bytes = 64 << 10;
  options.search.index_all_runs = true;
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
  uint64_t last = 0;
  absl::StatusOr<strata::Versioned<Value>> n = db.KvGet(kRun, "n");
  if (n.ok()) {
    last = static_cast<uint64_t>(n->value.AsInt());
  } else if (!strata::IsNotFound(n.status())) {
    Die(3, "read n", n.status());
  }
  for (uint64_t i = last + 1;; ++i) {
    absl::StatusOr<strata::Version> version = db.Transact(
        [&](strata::Transaction& txn) -> absl::Status {
          if (i % kDeleteEvery == 0) {
            absl::Status s = txn.KvDelete(kRun, Key(i));
            if (!s.ok() && !strata::IsNotFound(s)) return s;
          } else if (absl::Status s = txn.KvPut(kRun, Key(i), Value(Text(i))); !s.ok()) {
            return s;
          }
          absl::StatusOr<strata::EventAppended> e =
              txn.EventAppend(kRun, "note", Value(absl::StrCat("gen", i, " common")));
          if (!e.ok()) return e.status();
          return txn.KvPut(kRun, "n", Value(static_cast<int64_t>(i)));
        },
        strata::RetryPolicy{});
    if (!version.ok()) Die(4, "commit", version.status());
    std::printf("%" PRIu64 "\n", i);
    std::fflush(stdout);
  }
}
