// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// The durability mode changes what a crash can lose, never what a database
// shows. A seeded random script of puts, deletes, compare-and-swaps,
// multi-key transactions (with reads, listings, rollbacks and conflicts) and
// run creation is applied in lockstep to an in-memory, a Buffered and a
// Strict database (with different shard counts and WAL segment sizes). Every
// operation must return the same outcome everywhere, the final observable
// state (listings, histories, versions, runs, key counts) must be identical,
// and closing and reopening a disk database must give back exactly the same
// state, twice.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "strata/database.hpp"
#include "strata/options.hpp"
#include "strata/status.hpp"
#include "strata/value.hpp"
#include "test_util.hpp"

namespace strata {
namespace {

using ::strata::testing::RandomValue;

using ::strata::testing::TempDir;

const std::vector<std::string>& Runs() {
  static const auto* runs = new std::vector<std::string>{kDefaultRun, "r1", "r2", "r3"};
  return *runs;
}

const std::vector<std::string>& Keys() {
  static const auto* keys = [] {
    auto* k = new std::vector<std::string>;
    for (int i = 0; i < 24; ++i) k->push_back("k" + std::to_string(i));
    k->push_back(std::string("\0", 1));
    k->push_back(std::string("\xff\xfe"));
    k->push_back(std::string("bin\0x", 5));
    k->push_back(std::string(300, 'L') + "long");
    return k;
  }();
  return *keys;
}

std::string Hex(const std::string& s) { return absl::BytesToHexString(s); }

std::string StatusText(const absl::Status& s) {
  if (s.ok()) return "OK";
  std::string out(ErrorName(GetErrorCode(s)));
  if (std::optional<uint64_t> v = ErrorVersion(s); v.has_value()) {
    out += "@" + std::to_string(*v);
  }
  return out;
}

template <typename T>
std::string StatusText(const absl::StatusOr<T>& s) {
  return StatusText(s.status());
}


// An operation of the script: deterministic given the database state, and
// returns a textual outcome that must be the same for every database.
using Op = std::function<std::string(Database&)>;

// The version a CAS should expect for the key to match (0 if absent).
Version CurrentKeyVersion(Database& db, const std::string& run, const std::string& key) {
  absl::StatusOr<Versioned<Value>> v = db.KvGet(run, key);
  return v.ok() ? v->version : 0;
}

struct SubOp {
  int kind;
  std::string run;
  std::string key;
  Value value;
  std::string prefix;
  uint32_t limit;
  bool cas_match;
};

Op MakeOp(std::mt19937_64& rng) {
  const std::string run = Runs()[rng() % 5 == 0 ? 1 + rng() % 3 : 0];
  const std::string key = Keys()[rng() % Keys().size()];
  const int kind = static_cast<int>(rng() % 100);
  if (kind < 30) {
    Value v = RandomValue(rng);
    return [=](Database& db) {
      absl::StatusOr<Version> r = db.KvPut(run, key, v);
      return "put " + StatusText(r) + (r.ok() ? std::to_string(*r) : "");
    };
  }
  if (kind < 42) {
    return [=](Database& db) {
      absl::StatusOr<Version> r = db.KvDelete(run, key);
      return "del " + StatusText(r) + (r.ok() ? std::to_string(*r) : "");
    };
  }
  if (kind < 55) {
    Value v = RandomValue(rng);
    const int mode = static_cast<int>(rng() % 4);  // 0,1: match; 2: stale; 3: zero.
    return [=](Database& db) {
      Version expected = CurrentKeyVersion(db, run, key);
      if (mode == 2) expected += 1;
      if (mode == 3) expected = 0;
      absl::StatusOr<Version> r = db.KvCompareAndSwap(run, key, expected, v);
      return "cas " + StatusText(r) + (r.ok() ? std::to_string(*r) : "");
    };
  }
  if (kind < 60) {
    return [=](Database& db) {
      absl::StatusOr<Version> r = db.CreateRun(run);
      return "mkrun " + run + " " + StatusText(r) + (r.ok() ? std::to_string(*r) : "");
    };
  }
  if (kind < 64) {
    // A conflicting pair: a transaction reads, a fast-path write changes what
    // it read, and its commit must fail, applying nothing.
    Value v = RandomValue(rng);
    return [=](Database& db) {
      std::string out = "conflict ";
      absl::StatusOr<std::unique_ptr<Transaction>> t = db.BeginTransaction();
      if (!t.ok()) return out + StatusText(t);
      out += StatusText((*t)->KvGet(kDefaultRun, key)) + " ";
      out += StatusText((*t)->KvPut(kDefaultRun, "k0", v)) + " ";
      out += StatusText(db.KvPut(kDefaultRun, key, Value("interloper"))) + " ";
      out += StatusText((*t)->Commit());
      return out;
    };
  }
  if (kind < 68) {
    // Transact with a read-modify-write.
    return [=](Database& db) {
      absl::StatusOr<Version> r = db.Transact([&](Transaction& t) -> absl::Status {
        absl::StatusOr<Versioned<Value>> cur = t.KvGet(run, key);
        int64_t n = 0;
        if (cur.ok() && cur->value.is_int()) n = cur->value.AsInt();
        return t.KvPut(run, key, Value(n + 1));
      });
      return "transact " + StatusText(r) + (r.ok() ? std::to_string(*r) : "");
    };
  }
  // A multi-key transaction.
  std::vector<SubOp> subs;
  const size_t n = 1 + rng() % 8;
  for (size_t i = 0; i < n; ++i) {
    SubOp s;
    s.kind = static_cast<int>(rng() % 7);
    s.run = Runs()[rng() % 4 == 0 ? 1 + rng() % 3 : 0];
    s.key = Keys()[rng() % Keys().size()];
    s.value = RandomValue(rng);
    const std::vector<std::string> prefixes = {"", "k", "k1", "k2", std::string("\xff")};
    s.prefix = prefixes[rng() % prefixes.size()];
    s.limit = static_cast<uint32_t>(1 + rng() % 12);
    s.cas_match = rng() % 3 != 0;
    subs.push_back(std::move(s));
  }
  const bool rollback = rng() % 6 == 0;
  return [=](Database& db) {
    std::string out = "txn";
    absl::StatusOr<std::unique_ptr<Transaction>> tor = db.BeginTransaction();
    if (!tor.ok()) return out + StatusText(tor);
    Transaction& t = **tor;
    for (const SubOp& s : subs) {
      out += " |";
      switch (s.kind) {
        case 0:
        case 1:
          out += "put " + StatusText(t.KvPut(s.run, s.key, s.value));
          break;
        case 2: {
          absl::StatusOr<Versioned<Value>> r = t.KvGet(s.run, s.key);
          out += "get " + StatusText(r);
          if (r.ok()) out += " " + r->value.ToJson() + "@" + std::to_string(r->version);
          break;
        }
        case 3:
          out += "del " + StatusText(t.KvDelete(s.run, s.key));
          break;
        case 4: {
          std::string cursor;
          for (int page = 0; page < 3; ++page) {
            absl::StatusOr<KvPage> p = t.KvList(s.run, ListRequest{s.prefix, cursor, s.limit});
            out += " list " + StatusText(p);
            if (!p.ok()) break;
            for (const auto& e : p->entries) {
              out += " " + Hex(e.key) + "=" + e.value.value.ToJson() + "@" +
                     std::to_string(e.value.version);
            }
            cursor = p->next_cursor;
            if (cursor.empty()) break;
          }
          break;
        }
        case 5: {
          Version expected = 0;
          absl::StatusOr<Versioned<Value>> cur = t.KvGet(s.run, s.key);
          if (cur.ok()) expected = cur->version;
          if (!s.cas_match) expected += 7;
          out += "cas " + StatusText(t.KvCompareAndSwap(s.run, s.key, expected, s.value));
          break;
        }
        default:
          out += "mkrun " + StatusText(t.CreateRun(s.run));
          break;
      }
    }
    if (rollback) {
      t.Rollback();
      return out + " rollback";
    }
    absl::StatusOr<Version> c = t.Commit();
    return out + " commit " + StatusText(c) + (c.ok() ? std::to_string(*c) : "");
  };
}

// Everything a client can observe. Timestamps are per database (each commit
// reads the clock), so they are included only when comparing a database with
// itself across reopens.
std::string Dump(Database& db, bool with_timestamps) {
  std::string out = absl::StrCat("current=", db.CurrentVersion(), "\n");
  const DatabaseStats stats = db.Stats();
  absl::StrAppend(&out, "live_keys=", stats.live_keys, " stored_versions=",
                  stats.stored_versions, "\n");
  absl::StatusOr<std::vector<RunId>> runs = db.ListRuns();
  if (!runs.ok()) return out + "ListRuns " + StatusText(runs);
  for (const RunId& run : *runs) absl::StrAppend(&out, "run ", run, "\n");
  for (const std::string& run : Runs()) {
    std::string cursor;
    do {
      absl::StatusOr<KvPage> page = db.KvList(run, ListRequest{"", cursor, 5});
      if (!page.ok()) {
        absl::StrAppend(&out, "list ", run, " ", StatusText(page), "\n");
        break;
      }
      for (const auto& e : page->entries) {
        absl::StrAppend(&out, "entry ", run, " ", Hex(e.key), " ", e.value.value.ToJson(), " v",
                        e.value.version);
        if (with_timestamps) absl::StrAppend(&out, " t", e.value.timestamp_us);
        out += "\n";
      }
      cursor = page->next_cursor;
    } while (!cursor.empty());
    for (const std::string& key : Keys()) {
      absl::StatusOr<std::vector<KvVersion>> h = db.KvHistory(run, key, kMaxListLimit);
      absl::StrAppend(&out, "history ", run, " ", Hex(key), " ", StatusText(h));
      if (h.ok()) {
        for (const KvVersion& v : *h) {
          absl::StrAppend(&out, " [v", v.version, v.deleted ? " deleted" : "", " ",
                          v.value.ToJson());
          if (with_timestamps) absl::StrAppend(&out, " t", v.timestamp_us);
          out += "]";
        }
        // Reads at every retained version agree with the history.
        for (const KvVersion& v : *h) {
          absl::StatusOr<Versioned<Value>> at = db.KvGetAt(run, key, v.version);
          if (v.deleted) {
            absl::StrAppend(&out, " at", v.version, "=", StatusText(at));
          } else if (!at.ok() || !(at->value == v.value) || at->version != v.version) {
            absl::StrAppend(&out, " MISMATCH at ", v.version, " ", StatusText(at));
          }
        }
      }
      out += "\n";
    }
  }
  return out;
}

class ModesTest : public ::testing::Test {
 protected:
  void OpenAll() {
    Options mem;
    mem.shard_count = 1;
    ASSERT_OK_AND_ASSIGN(dbs_[0], Database::OpenInMemory(mem));
    for (int i = 1; i <= 2; ++i) ASSERT_NO_FATAL_FAILURE(OpenDisk(i));
  }
  Options DiskOptions(int i) const {
    Options o;
    if (i == 1) {
      o.durability = DurabilityMode::kBuffered;
      o.shard_count = 64;
      o.wal_segment_bytes = 64 << 10;  // Many segments.
    } else {
      o.durability = DurabilityMode::kStrict;
      o.shard_count = 16;
    }
    return o;
  }
  std::string DiskPath(int i) const { return dir_.Sub(i == 1 ? "buffered" : "strict"); }
  void OpenDisk(int i) {
    ASSERT_OK_AND_ASSIGN(dbs_[i], Database::Open(DiskPath(i), DiskOptions(i)));
  }
  void ReopenDisk(int i) {
    ASSERT_OK(dbs_[i]->Close());
    dbs_[i].reset();
    ASSERT_NO_FATAL_FAILURE(OpenDisk(i));
  }

  // Applies `steps` operations of the script to every database.
  void RunScript(std::mt19937_64& rng, int steps) {
    for (int step = 0; step < steps; ++step) {
      const Op op = MakeOp(rng);
      const std::string want = op(*dbs_[0]);
      for (int i = 1; i <= 2; ++i) {
        const std::string got = op(*dbs_[i]);
        ASSERT_EQ(got, want) << "step " << step << " database " << i;
      }
      outcomes_.push_back(want);
    }
  }

  void ExpectSameState() {
    const std::string want = Dump(*dbs_[0], false);
    for (int i = 1; i <= 2; ++i) {
      EXPECT_EQ(Dump(*dbs_[i], false), want) << "database " << i;
    }
  }

  void TearDown() override {
    for (auto& db : dbs_) {
      if (db != nullptr) EXPECT_OK(db->Close());
    }
  }

  TempDir dir_;
  std::unique_ptr<Database> dbs_[3];
  std::vector<std::string> outcomes_;
};

TEST_F(ModesTest, SameScriptSameStateAcrossModesAndReopens) {
  const uint64_t seed = testing::TestSeed();
  std::mt19937_64 rng(seed);
  ASSERT_NO_FATAL_FAILURE(OpenAll());

  ASSERT_NO_FATAL_FAILURE(RunScript(rng, 800));
  ASSERT_NO_FATAL_FAILURE(ExpectSameState());

  // Reopen the disk databases midway: each comes back exactly as it was
  // (timestamps included) and the script continues from there.
  for (int i = 1; i <= 2; ++i) {
    const std::string before = Dump(*dbs_[i], true);
    ASSERT_NO_FATAL_FAILURE(ReopenDisk(i));
    EXPECT_EQ(Dump(*dbs_[i], true), before) << "database " << i;
  }
  ASSERT_NO_FATAL_FAILURE(RunScript(rng, 800));
  ASSERT_NO_FATAL_FAILURE(ExpectSameState());

  // The script did exercise every kind of outcome.
  auto count = [&](const std::string& needle) {
    int n = 0;
    for (const std::string& o : outcomes_) {
      for (size_t p = o.find(needle); p != std::string::npos; p = o.find(needle, p + 1)) ++n;
    }
    return n;
  };
  EXPECT_GT(count("put OK"), 0);
  EXPECT_GT(count("del OK"), 0);
  EXPECT_GT(count("del NotFound"), 0);
  EXPECT_GT(count("cas OK"), 0);
  EXPECT_GT(count("cas Conflict"), 0);
  EXPECT_GT(count("commit OK"), 0);
  EXPECT_GT(count("commit Conflict"), 0);
  EXPECT_GT(count("rollback"), 0);
  EXPECT_GT(count("mkrun r"), 0);
  EXPECT_GT(count("NotFound"), 0);
  EXPECT_GT(count("transact OK"), 0);
  EXPECT_GT(dbs_[0]->CurrentVersion(), 800u);

  // Close and reopen twice: the same state both times.
  for (int i = 1; i <= 2; ++i) {
    ASSERT_OK(dbs_[i]->Flush());
    const std::string before = Dump(*dbs_[i], true);
    ASSERT_NO_FATAL_FAILURE(ReopenDisk(i));
    const std::string first = Dump(*dbs_[i], true);
    ASSERT_NO_FATAL_FAILURE(ReopenDisk(i));
    const std::string second = Dump(*dbs_[i], true);
    EXPECT_EQ(first, before) << "database " << i;
    EXPECT_EQ(second, before) << "database " << i;
    EXPECT_GT(dbs_[i]->Stats().recovered_records, 0u);
  }
  // And still the same as the in-memory database.
  ASSERT_NO_FATAL_FAILURE(ExpectSameState());
  // The Buffered database really used several WAL segments.
  EXPECT_GT(dbs_[1]->Stats().wal_segments, 1u);
}

}  // namespace
}  // namespace strata
