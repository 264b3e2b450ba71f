// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Helper for tests/crash/crash_test.cpp: a writer that the test kills with
// SIGKILL at a random moment.
//
// Usage: strict_writer_child <db_dir> <strict|buffered> <seed>
//
// Opens (creating) the database, creates 10 accounts "acct/<j>" holding 1000
// each (once, in their own transaction), then loops forever: iteration i
// commits one transaction that
//   - writes "a/<i>" and "b/<i>" with the value i and "n" = i, and
//   - moves a random amount between two random accounts (the total stays
//     10000),
// and, once Commit returned, prints i on its own line and flushes stdout. It
// resumes after the "n" it finds, so every run continues the sequence that
// survived the previous crash. The first iteration of a fresh database is
// i = 1 at commit version 2 (the accounts are version 1); any other version
// is reported on stderr with exit code 5. Other errors exit with 2..4.
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>

#include "absl/status/status.h"
#include "strata/database.hpp"
#include "strata/status.hpp"

namespace {

constexpr char kRun[] = "default";
constexpr int kAccounts = 10;
constexpr int64_t kInitialBalance = 1000;

std::string Numbered(const char* prefix, uint64_t i) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%s%010" PRIu64, prefix, i);
  return buf;
}

std::string Account(int j) { return "acct/" + std::to_string(j); }

[[noreturn]] void Die(int code, const char* what, const absl::Status& s) {
  std::fprintf(stderr, "strict_writer_child: %s: %s\n", what, s.ToString().c_str());
  std::exit(code);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4 || (std::strcmp(argv[2], "strict") != 0 &&
                    std::strcmp(argv[2], "buffered") != 0)) {
    std::fprintf(stderr, "usage: %s <db_dir> <strict|buffered> <seed>\n", argv[0]);
    return 2;
  }
  strata::Options options;
  options.durability = std::strcmp(argv[2], "strict") == 0
                           ? strata::DurabilityMode::kStrict
                           : strata::DurabilityMode::kBuffered;
  options.flush_interval_ms = 5;
  options.wal_segment_bytes = 64 << 10;  // Roll over segments often.
  std::mt19937_64 rng(std::strtoull(argv[3], nullptr, 10));

  absl::StatusOr<std::unique_ptr<strata::Database>> opened =
      strata::Database::Open(argv[1], options);
  if (!opened.ok()) Die(3, "open", opened.status());
  strata::Database& db = **opened;

  uint64_t last = 0;
  absl::StatusOr<strata::Versioned<strata::Value>> n = db.KvGet(kRun, "n");
  if (n.ok()) {
    last = static_cast<uint64_t>(n->value.AsInt());
  } else if (!strata::IsNotFound(n.status())) {
    Die(3, "read n", n.status());
  }

  absl::StatusOr<strata::Version> init = db.Transact(
      [&](strata::Transaction& txn) -> absl::Status {
        absl::StatusOr<bool> exists = txn.KvExists(kRun, Account(0));
        if (!exists.ok()) return exists.status();
        if (*exists) return absl::OkStatus();
        for (int j = 0; j < kAccounts; ++j) {
          absl::Status s = txn.KvPut(kRun, Account(j), strata::Value(kInitialBalance));
          if (!s.ok()) return s;
        }
        return absl::OkStatus();
      },
      strata::RetryPolicy{});
  if (!init.ok()) Die(3, "create accounts", init.status());

  for (uint64_t i = last + 1;; ++i) {
    const int from = static_cast<int>(rng() % kAccounts);
    const int to = static_cast<int>((from + 1 + rng() % (kAccounts - 1)) % kAccounts);
    const uint64_t draw = rng();
    absl::StatusOr<strata::Version> version = db.Transact(
        [&](strata::Transaction& txn) -> absl::Status {
          const strata::Value value(static_cast<int64_t>(i));
          absl::Status s = txn.KvPut(kRun, Numbered("a/", i), value);
          if (s.ok()) s = txn.KvPut(kRun, Numbered("b/", i), value);
          if (s.ok()) s = txn.KvPut(kRun, "n", value);
          if (!s.ok()) return s;
          absl::StatusOr<strata::Versioned<strata::Value>> a = txn.KvGet(kRun, Account(from));
          if (!a.ok()) return a.status();
          absl::StatusOr<strata::Versioned<strata::Value>> b = txn.KvGet(kRun, Account(to));
          if (!b.ok()) return b.status();
          const int64_t balance = a->value.AsInt();
          const int64_t amount =
              static_cast<int64_t>(draw % static_cast<uint64_t>(balance + 1));
          s = txn.KvPut(kRun, Account(from), strata::Value(balance - amount));
          if (s.ok()) s = txn.KvPut(kRun, Account(to), strata::Value(b->value.AsInt() + amount));
          return s;
        },
        strata::RetryPolicy{});
    if (!version.ok()) Die(4, "commit", version.status());
    if (*version != i + 1) {
      std::fprintf(stderr, "strict_writer_child: iteration %" PRIu64
                           " committed at version %" PRIu64 "\n",
                   i, static_cast<uint64_t>(*version));
      return 5;
    }
    std::printf("%" PRIu64 "\n", i);
    std::fflush(stdout);
  }
}
