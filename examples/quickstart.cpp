// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Quick start: opens the embedded default database ./strata.db, writes and
// reads in transactions, closes, reopens and shows that the data survived.
//
//   strata_quickstart [PATH]
#include <cstdio>
#include <string>

#include "strata/strata.hpp"

namespace {

int Fail(const char* what, const absl::Status& status) {
  std::fprintf(stderr, "error: %s: %s\n", what, status.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && (std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h")) {
    std::printf("usage: %s [PATH]\n\nOpens the Strata database at PATH (default %s),\n"
                "records an agent session in transactions, reopens it and prints what\n"
                "survived.\n", argv[0], strata::Database::kDefaultPath);
    return 0;
  }
  const std::string path = argc > 1 ? argv[1] : strata::Database::kDefaultPath;
  strata::Options options;
  options.durability = strata::DurabilityMode::kStrict;

  {
    auto db = strata::Database::Open(path, options);
    if (!db.ok()) return Fail("open", db.status());
    std::printf("opened %s at version %llu\n", path.c_str(),
                static_cast<unsigned long long>((*db)->CurrentVersion()));

    // One transaction: bump a session counter and remember the last goal.
    auto version = (*db)->Transact([](strata::Transaction& txn) -> absl::Status {
      int64_t sessions = 0;
      auto current = txn.KvGet("default", "agent:sessions");
      if (current.ok()) sessions = current->value.AsInt();
      if (auto s = txn.KvPut("default", "agent:sessions", sessions + 1); !s.ok()) return s;
      return txn.KvPut("default", "agent:last_goal",
                       strata::Value::Object{{"goal", "summarize the inbox"},
                                             {"session", sessions + 1}});
    });
    if (!version.ok()) return Fail("transaction", version.status());
    std::printf("committed session update at version %llu\n",
                static_cast<unsigned long long>(*version));
    if (auto s = (*db)->Close(); !s.ok()) return Fail("close", s);
  }

  auto db = strata::Database::Open(path, options);
  if (!db.ok()) return Fail("reopen", db.status());
  std::printf("reopened; the data survived:\n");
  auto page = (*db)->KvList("default", strata::ListRequest{"agent:", "", 100});
  if (!page.ok()) return Fail("list", page.status());
  for (const auto& e : page->entries) {
    std::printf("  %-18s = %s  (version %llu)\n", e.key.c_str(), e.value.value.ToJson().c_str(),
                static_cast<unsigned long long>(e.value.version));
  }
  auto stats = (*db)->Stats();
  std::printf("database: %llu live keys; %llu commit(s) replayed from the WAL at open; %llu WAL segment(s) on disk\n",
              static_cast<unsigned long long>(stats.live_keys),
              static_cast<unsigned long long>(stats.recovered_records),
              static_cast<unsigned long long>(stats.wal_segments));
  return 0;
}
