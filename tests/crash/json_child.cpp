// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Helper for tests/crash/json_crash_test.cpp: a Strict-mode writer of
// path-level JSON patches that the test kills with SIGKILL at a random
// moment.
//
// Usage: json_child <db_dir> <seed>
//
// Opens (creating) the database, the run "jdoc" and the document "log"
// = {"n": 0, "items": [], "counters": {}}, then loops forever: iteration i
// (resuming at n + 1) commits ONE change that
//   - tests /n == i - 1 and replaces it with i,
//   - appends {"i": i, "pad": <random string>} to /items,
//   - sets /counters/c<i % 7> to i;
// every third iteration does so in a transaction (JsonSet / JsonPatch) that
// also puts KV key "k<i>" = i, the others through the JsonPatch fast path.
// Once the commit returned it prints i on its own line and flushes stdout.
// Exit codes: 2 usage, 3 open/setup failed, 4 a commit failed.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "strata/database.hpp"
#include "strata/status.hpp"

namespace {

constexpr char kRun[] = "jdoc";
constexpr char kDoc[] = "log";

using strata::Value;

[[noreturn]] void Die(int code, const char* what, const absl::Status& s) {
  std::fprintf(stderr, "json_child: %s: %s\n", what, s.ToString().c_str());
  std::exit(code);
}

Value Op(const char* op, const std::string& path, Value value) {
  return Value(Value::Object{{"op", Value(op)}, {"path", Value(path)}, {"value", std::move(value)}});
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
  absl::StatusOr<bool> doc_exists = db.JsonExists(kRun, kDoc);
  if (!doc_exists.ok()) Die(3, "doc exists", doc_exists.status());
  if (!*doc_exists) {
    const Value initial(Value::Object{{"n", Value(0)},
                                      {"items", Value(Value::Array{})},
                                      {"counters", Value(Value::Object{})}});
    absl::StatusOr<strata::Version> created = db.JsonCreate(kRun, kDoc, initial);
    if (!created.ok()) Die(3, "create doc", created.status());
  }
  absl::StatusOr<strata::Versioned<Value>> n = db.JsonGet(kRun, kDoc, "/n");
  if (!n.ok()) Die(3, "read n", n.status());

  for (int64_t i = n->value.AsInt() + 1;; ++i) {
    const std::string pad(rng() % 1024, static_cast<char>('a' + rng() % 26));
    const Value item(Value::Object{{"i", Value(i)}, {"pad", Value(pad)}});
    const std::string counter = absl::StrCat("/counters/c", i % 7);
    Value::Array ops;
    ops.push_back(Op("test", "/n", Value(i - 1)));
    ops.push_back(Op("replace", "/n", Value(i)));
    ops.push_back(Op("add", "/items/-", item));
    absl::Status s;
    if (i % 3 == 0) {
      s = db.Transact([&](strata::Transaction& txn) -> absl::Status {
              absl::Status st = txn.JsonPatch(kRun, kDoc, Value(ops));
              if (!st.ok()) return st;
              st = txn.JsonSet(kRun, kDoc, counter, Value(i));
              if (!st.ok()) return st;
              return txn.KvPut(kRun, absl::StrCat("k", i), Value(i));
            }).status();
    } else {
      ops.push_back(Op("add", counter, Value(i)));
      s = db.JsonPatch(kRun, kDoc, Value(std::move(ops))).status();
    }
    if (!s.ok()) Die(4, "commit", s);
    std::printf("%lld\n", static_cast<long long>(i));
    std::fflush(stdout);
  }
}
