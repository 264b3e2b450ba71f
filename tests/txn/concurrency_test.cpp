// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Multi-threaded transaction tests, for every durability mode: the bank
// transfer invariant under concurrent writers and readers, no lost updates,
// disjoint writers that never conflict, CAS counters, and consistent
// snapshots for listings.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "strata/database.hpp"
#include "strata/options.hpp"
#include "strata/status.hpp"
#include "test_util.hpp"

namespace strata {
namespace {

using ::strata::testing::TempDir;

constexpr int kAccounts = 20;
constexpr int64_t kInitialBalance = 1000;
constexpr int64_t kTotal = kAccounts * kInitialBalance;

std::string Account(int i) {
  return absl::StrCat("acct/", i < 10 ? "0" : "", std::to_string(i));
}


// Makes `n` threads start their loops together, so that they overlap.
class StartGate {
 public:
  explicit StartGate(int n) : remaining_(n) {}
  void ArriveAndWait() {
    remaining_.fetch_sub(1);
    while (remaining_.load() > 0) std::this_thread::yield();
  }

 private:
  std::atomic<int> remaining_;
};

// Retries generously: correctness, not the retry budget, is under test.
RetryPolicy Patient() {
  RetryPolicy p;
  p.max_attempts = 100000;
  p.initial_backoff_us = 20;
  p.max_backoff_us = 2000;
  return p;
}

class ConcurrencyTest : public ::testing::TestWithParam<DurabilityMode> {
 protected:
  void SetUp() override {
    Options o;
    o.durability = GetParam();
    if (GetParam() == DurabilityMode::kInMemory) {
      ASSERT_OK_AND_ASSIGN(db_, Database::OpenInMemory(o));
    } else {
      ASSERT_OK_AND_ASSIGN(db_, Database::Open(dir_.Sub("db"), o));
    }
  }
  void TearDown() override {
    if (db_ != nullptr) EXPECT_OK(db_->Close());
  }

  // Operation counts scaled to the mode: Strict commits wait for fdatasync.
  int Scaled(int n) const { return GetParam() == DurabilityMode::kStrict ? n / 8 : n; }

  void SeedAccounts() {
    ASSERT_OK(db_->Transact([&](Transaction& t) -> absl::Status {
                     for (int i = 0; i < kAccounts; ++i) {
                       absl::Status s = t.KvPut(kDefaultRun, Account(i), Value(kInitialBalance));
                       if (!s.ok()) return s;
                     }
                     return absl::OkStatus();
                   })
                  .status());
  }

  // Sum of all accounts through KvGet inside one transaction.
  absl::StatusOr<int64_t> SumWithGets(Transaction& t) {
    int64_t sum = 0;
    for (int i = 0; i < kAccounts; ++i) {
      absl::StatusOr<Versioned<Value>> v = t.KvGet(kDefaultRun, Account(i));
      if (!v.ok()) return v.status();
      sum += v->value.AsInt();
    }
    return sum;
  }

  // Sum of all accounts from one listing (limit above the count).
  static absl::StatusOr<int64_t> SumPage(const absl::StatusOr<KvPage>& page, int* count) {
    if (!page.ok()) return page.status();
    int64_t sum = 0;
    *count = static_cast<int>(page->entries.size());
    for (const auto& e : page->entries) sum += e.value.value.AsInt();
    return sum;
  }

  TempDir dir_;
  std::unique_ptr<Database> db_;
};

TEST_P(ConcurrencyTest, BankTransfersPreserveTotal) {
  const uint64_t seed = testing::TestSeed();
  ASSERT_NO_FATAL_FAILURE(SeedAccounts());
  constexpr int kWriters = 4;
  const int transfers_per_writer = Scaled(3000);
  std::atomic<bool> writers_done{false};
  std::atomic<int> failures{0};
  std::atomic<int64_t> reader_checks{0};
  std::atomic<int64_t> bad_sums{0};

  std::vector<std::thread> threads;
  StartGate gate(kWriters + 3);  // Writers and the three readers.
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      gate.ArriveAndWait();
      std::mt19937_64 rng(seed * 31 + static_cast<uint64_t>(w));
      for (int i = 0; i < transfers_per_writer; ++i) {
        const int from = static_cast<int>(rng() % kAccounts);
        int to = static_cast<int>(rng() % (kAccounts - 1));
        if (to >= from) ++to;
        const int64_t amount = static_cast<int64_t>(rng() % 50) + 1;
        absl::StatusOr<Version> r = db_->Transact(
            [&](Transaction& t) -> absl::Status {
              absl::StatusOr<Versioned<Value>> a = t.KvGet(kDefaultRun, Account(from));
              if (!a.ok()) return a.status();
              absl::StatusOr<Versioned<Value>> b = t.KvGet(kDefaultRun, Account(to));
              if (!b.ok()) return b.status();
              // Balances may go negative; the total is what matters.
              absl::Status s =
                  t.KvPut(kDefaultRun, Account(from), Value(a->value.AsInt() - amount));
              if (!s.ok()) return s;
              return t.KvPut(kDefaultRun, Account(to), Value(b->value.AsInt() + amount));
            },
            Patient());
        if (!r.ok()) {
          ADD_FAILURE() << r.status();
          failures.fetch_add(1);
          return;
        }
      }
    });
  }
  // Readers: a transaction summing with point reads; a transaction summing
  // with a listing; a fast-path listing.
  for (int kind = 0; kind < 3; ++kind) {
    threads.emplace_back([&, kind] {
      gate.ArriveAndWait();
      do {
        int64_t sum = 0;
        int count = kAccounts;
        if (kind == 0) {
          absl::StatusOr<std::unique_ptr<Transaction>> t = db_->BeginTransaction();
          if (!t.ok()) { ADD_FAILURE() << t.status(); return; }
          absl::StatusOr<int64_t> s = SumWithGets(**t);
          if (!s.ok()) { ADD_FAILURE() << s.status(); return; }
          sum = *s;
          // Read-only: commits without conflict whatever changed.
          absl::StatusOr<Version> c = (*t)->Commit();
          if (!c.ok()) { ADD_FAILURE() << c.status(); return; }
        } else if (kind == 1) {
          absl::StatusOr<std::unique_ptr<Transaction>> t = db_->BeginTransaction();
          if (!t.ok()) { ADD_FAILURE() << t.status(); return; }
          absl::StatusOr<int64_t> s =
              SumPage((*t)->KvList(kDefaultRun, ListRequest{"acct/", "", 100}), &count);
          if (!s.ok()) { ADD_FAILURE() << s.status(); return; }
          sum = *s;
        } else {
          absl::StatusOr<int64_t> s =
              SumPage(db_->KvList(kDefaultRun, ListRequest{"acct/", "", 100}), &count);
          if (!s.ok()) { ADD_FAILURE() << s.status(); return; }
          sum = *s;
        }
        reader_checks.fetch_add(1);
        // Leave the writers CPU time on small machines.
        std::this_thread::sleep_for(std::chrono::microseconds(20));
        if (sum != kTotal || count != kAccounts) {
          bad_sums.fetch_add(1);
          ADD_FAILURE() << "reader " << kind << " saw total " << sum << " over " << count
                        << " accounts";
        }
      } while (!writers_done.load());
    });
  }
  for (int w = 0; w < kWriters; ++w) threads[w].join();
  writers_done = true;
  for (size_t i = kWriters; i < threads.size(); ++i) threads[i].join();

  std::printf("transfers=%d conflicts=%llu reader_checks=%lld\n",
              kWriters * transfers_per_writer,
              static_cast<unsigned long long>(db_->Stats().conflicts),
              static_cast<long long>(reader_checks.load()));
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(bad_sums.load(), 0);
  EXPECT_GT(reader_checks.load(), 0);
  // Final state: the total holds and every transfer committed once.
  auto t = db_->BeginTransaction();
  ASSERT_OK(t.status());
  ASSERT_OK_AND_ASSIGN(int64_t final_sum, SumWithGets(**t));
  EXPECT_EQ(final_sum, kTotal);
  EXPECT_EQ(db_->CurrentVersion(), 1u + static_cast<Version>(kWriters) * transfers_per_writer);
  EXPECT_EQ(db_->Stats().commits, 1u + static_cast<uint64_t>(kWriters) * transfers_per_writer);
}

TEST_P(ConcurrencyTest, NoLostUpdates) {
  constexpr int kThreads = 4;
  const int increments = Scaled(2000);  // History of <= kMaxListLimit.
  ASSERT_OK(db_->KvPut(kDefaultRun, "counter", Value(0)).status());
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  StartGate gate(kThreads);
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      gate.ArriveAndWait();
      for (int j = 0; j < increments; ++j) {
        absl::StatusOr<Version> r = db_->Transact(
            [&](Transaction& t) -> absl::Status {
              absl::StatusOr<Versioned<Value>> v = t.KvGet(kDefaultRun, "counter");
              if (!v.ok()) return v.status();
              return t.KvPut(kDefaultRun, "counter", Value(v->value.AsInt() + 1));
            },
            Patient());
        if (!r.ok()) {
          ADD_FAILURE() << r.status();
          failures.fetch_add(1);
          return;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  std::printf("increments=%d conflicts=%llu\n", kThreads * increments,
              static_cast<unsigned long long>(db_->Stats().conflicts));
  ASSERT_EQ(failures.load(), 0);
  ASSERT_OK_AND_ASSIGN(Versioned<Value> v, db_->KvGet(kDefaultRun, "counter"));
  EXPECT_EQ(v.value, Value(static_cast<int64_t>(kThreads) * increments));
  EXPECT_EQ(v.version, db_->CurrentVersion());
  // Every increment is its own version of the counter.
  ASSERT_OK_AND_ASSIGN(auto hist, db_->KvHistory(kDefaultRun, "counter", kMaxListLimit));
  ASSERT_EQ(hist.size(), static_cast<size_t>(kThreads * increments + 1));
  for (size_t i = 0; i < hist.size(); ++i) {
    EXPECT_EQ(hist[i].value, Value(static_cast<int64_t>(hist.size() - 1 - i)));
  }
}

TEST_P(ConcurrencyTest, CasCounterNoLostUpdates) {
  constexpr int kThreads = 4;
  const int increments = Scaled(2000);
  std::vector<std::thread> threads;
  std::atomic<int64_t> cas_failures{0};
  StartGate gate(kThreads);
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      gate.ArriveAndWait();
      for (int j = 0; j < increments; ++j) {
        for (;;) {
          int64_t current = 0;
          Version expected = 0;
          absl::StatusOr<Versioned<Value>> v = db_->KvGet(kDefaultRun, "cas-counter");
          if (v.ok()) {
            current = v->value.AsInt();
            expected = v->version;
          } else if (!strata::IsNotFound(v.status())) {
            ADD_FAILURE() << v.status();
            return;
          }
          absl::StatusOr<Version> w =
              db_->KvCompareAndSwap(kDefaultRun, "cas-counter", expected, Value(current + 1));
          if (w.ok()) break;
          if (!strata::IsConflict(w.status())) {
            ADD_FAILURE() << w.status();
            return;
          }
          // The conflict reports a version newer than what we expected.
          const std::optional<uint64_t> now = ErrorVersion(w.status());
          EXPECT_TRUE(now.has_value());
          if (now.has_value()) {
            EXPECT_NE(*now, expected);
          }
          cas_failures.fetch_add(1);
          std::this_thread::yield();
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_OK_AND_ASSIGN(Versioned<Value> v, db_->KvGet(kDefaultRun, "cas-counter"));
  EXPECT_EQ(v.value, Value(static_cast<int64_t>(kThreads) * increments));
  EXPECT_EQ(db_->CurrentVersion(), static_cast<Version>(kThreads) * increments);
}

TEST_P(ConcurrencyTest, DisjointKeyWritersNeverConflict) {
  constexpr int kThreads = 4;
  const int rounds = Scaled(2000);
  std::vector<std::thread> threads;
  StartGate gate(kThreads);
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      gate.ArriveAndWait();
      const std::string mine = "own/" + std::to_string(i);
      for (int j = 0; j < rounds; ++j) {
        // Explicit transactions, no retries: read-modify-write of keys no
        // other thread touches, plus a listing of this thread's own prefix.
        absl::StatusOr<std::unique_ptr<Transaction>> t = db_->BeginTransaction();
        if (!t.ok()) { ADD_FAILURE() << t.status(); return; }
        int64_t cur = 0;
        absl::StatusOr<Versioned<Value>> v = (*t)->KvGet(kDefaultRun, mine + "/n");
        if (v.ok()) {
          cur = v->value.AsInt();
        } else if (!strata::IsNotFound(v.status())) {
          ADD_FAILURE() << v.status();
          return;
        }
        absl::StatusOr<KvPage> page =
            (*t)->KvList(kDefaultRun, ListRequest{mine + "/", "", 10});
        if (!page.ok()) { ADD_FAILURE() << page.status(); return; }
        absl::Status s = (*t)->KvPut(kDefaultRun, mine + "/n", Value(cur + 1));
        if (s.ok()) s = (*t)->KvPut(kDefaultRun, mine + "/m", Value(j));
        if (!s.ok()) { ADD_FAILURE() << s; return; }
        absl::StatusOr<Version> c = (*t)->Commit();
        if (!c.ok()) {
          ADD_FAILURE() << "thread " << i << " round " << j << ": " << c.status();
          return;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(db_->Stats().conflicts, 0u);
  for (int i = 0; i < kThreads; ++i) {
    ASSERT_OK_AND_ASSIGN(Versioned<Value> v,
                         db_->KvGet(kDefaultRun, "own/" + std::to_string(i) + "/n"));
    EXPECT_EQ(v.value, Value(static_cast<int64_t>(rounds)));
  }
  EXPECT_EQ(db_->CurrentVersion(), static_cast<Version>(kThreads) * rounds);
}

// Readers list all accounts, both with the fast path and in a transaction,
// with pages small enough to need several calls inside one transaction;
// every listing sees a consistent total while writers move money and also
// create and delete zero-balance accounts (which changes the key set).
TEST_P(ConcurrencyTest, ListingsSeeConsistentSnapshots) {
  const uint64_t seed = testing::TestSeed();
  ASSERT_NO_FATAL_FAILURE(SeedAccounts());
  constexpr int kWriters = 3;
  const int ops_per_writer = Scaled(3000);
  std::atomic<bool> done{false};
  std::atomic<int64_t> listings{0};
  std::vector<std::thread> threads;
  StartGate gate(kWriters + 2);  // Writers and the two readers.
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      gate.ArriveAndWait();
      std::mt19937_64 rng(seed + static_cast<uint64_t>(w) * 7919);
      for (int i = 0; i < ops_per_writer; ++i) {
        const int op = static_cast<int>(rng() % 4);
        absl::StatusOr<Version> r = db_->Transact(
            [&](Transaction& t) -> absl::Status {
              if (op == 0) {
                // Create or delete an empty side account: the key set changes
                // but the total does not.
                const std::string side = "acct/zz-" + std::to_string(w);
                absl::StatusOr<bool> exists = t.KvExists(kDefaultRun, side);
                if (!exists.ok()) return exists.status();
                return *exists ? t.KvDelete(kDefaultRun, side)
                               : t.KvPut(kDefaultRun, side, Value(0));
              }
              const int from = static_cast<int>(rng() % kAccounts);
              const int to = (from + 1 + static_cast<int>(rng() % (kAccounts - 1))) % kAccounts;
              absl::StatusOr<Versioned<Value>> a = t.KvGet(kDefaultRun, Account(from));
              if (!a.ok()) return a.status();
              absl::StatusOr<Versioned<Value>> b = t.KvGet(kDefaultRun, Account(to));
              if (!b.ok()) return b.status();
              absl::Status s = t.KvPut(kDefaultRun, Account(from), Value(a->value.AsInt() - 7));
              if (!s.ok()) return s;
              return t.KvPut(kDefaultRun, Account(to), Value(b->value.AsInt() + 7));
            },
            Patient());
        if (!r.ok()) {
          ADD_FAILURE() << r.status();
          return;
        }
      }
    });
  }
  for (int kind = 0; kind < 2; ++kind) {
    threads.emplace_back([&, kind] {
      gate.ArriveAndWait();
      do {
        int64_t sum = 0;
        int count = 0;
        std::string prev_key;
        if (kind == 0) {
          // Fast path: one page covering everything is one consistent view.
          absl::StatusOr<KvPage> page =
              db_->KvList(kDefaultRun, ListRequest{"acct/", "", kMaxListLimit});
          if (!page.ok()) { ADD_FAILURE() << page.status(); return; }
          for (const auto& e : page->entries) {
            if (!prev_key.empty()) {
              EXPECT_LT(prev_key, e.key);
            }
            prev_key = e.key;
            sum += e.value.value.AsInt();
            ++count;
          }
        } else {
          // Paginated with limit 3 inside one transaction: one snapshot.
          absl::StatusOr<std::unique_ptr<Transaction>> t = db_->BeginTransaction();
          if (!t.ok()) { ADD_FAILURE() << t.status(); return; }
          std::string cursor;
          do {
            absl::StatusOr<KvPage> page =
                (*t)->KvList(kDefaultRun, ListRequest{"acct/", cursor, 3});
            if (!page.ok()) { ADD_FAILURE() << page.status(); return; }
            for (const auto& e : page->entries) {
              if (!prev_key.empty()) {
                EXPECT_LT(prev_key, e.key);
              }
              prev_key = e.key;
              EXPECT_LE(e.value.version, (*t)->snapshot_version());
              sum += e.value.value.AsInt();
              ++count;
            }
            cursor = page->next_cursor;
          } while (!cursor.empty());
          absl::StatusOr<Version> c = (*t)->Commit();  // Read-only.
          if (!c.ok()) { ADD_FAILURE() << c.status(); return; }
        }
        EXPECT_EQ(sum, kTotal) << "reader " << kind;
        EXPECT_GE(count, kAccounts);
        EXPECT_LE(count, kAccounts + kWriters);
        listings.fetch_add(1);
        std::this_thread::sleep_for(std::chrono::microseconds(20));
        if (sum != kTotal) return;  // Avoid flooding the log.
      } while (!done.load());
    });
  }
  for (int w = 0; w < kWriters; ++w) threads[w].join();
  done = true;
  for (size_t i = kWriters; i < threads.size(); ++i) threads[i].join();
  EXPECT_GT(listings.load(), 0);
  ASSERT_OK_AND_ASSIGN(KvPage page,
                       db_->KvList(kDefaultRun, ListRequest{"acct/", "", kMaxListLimit}));
  int64_t sum = 0;
  for (const auto& e : page.entries) sum += e.value.value.AsInt();
  EXPECT_EQ(sum, kTotal);
}

// Database::KvDelete documents "NotFound (and nothing written) when the key
// does not exist". When several threads delete the same key at once, exactly
// one delete can find it; the others must get NotFound and write nothing.
TEST_P(ConcurrencyTest, ConcurrentDeletesOfOneKeyExactlyOneSucceeds) {
  constexpr int kThreads = 4;
  const int rounds = Scaled(400);
  int multi_success_rounds = 0;
  for (int round = 0; round < rounds; ++round) {
    const std::string key = "victim/" + std::to_string(round);
    ASSERT_OK(db_->KvPut(kDefaultRun, key, Value(round)).status());
    const Version before = db_->CurrentVersion();
    std::atomic<int> ok{0};
    std::atomic<int> not_found{0};
    StartGate gate(kThreads);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&] {
        gate.ArriveAndWait();
        absl::StatusOr<Version> r = db_->KvDelete(kDefaultRun, key);
        if (r.ok()) {
          ok.fetch_add(1);
        } else if (strata::IsNotFound(r.status())) {
          not_found.fetch_add(1);
        } else {
          ADD_FAILURE() << r.status();
        }
      });
    }
    for (auto& t : threads) t.join();
    if (ok.load() != 1) ++multi_success_rounds;
    ASSERT_GE(ok.load(), 1);
    EXPECT_EQ(ok.load() + not_found.load(), kThreads);
    // Nothing written by the NotFound deletes.
    EXPECT_EQ(db_->CurrentVersion(), before + static_cast<Version>(ok.load()));
  }
  EXPECT_EQ(multi_success_rounds, 0)
      << "rounds in which more than one concurrent KvDelete of the same key "
         "returned OK (each writing a tombstone)";
}

// Puts and deletes racing on one key: every successful delete removed a live
// version, so the key's history never holds two tombstones in a row, and
// there are exactly as many tombstones as deletes that returned OK.
TEST_P(ConcurrencyTest, RacingPutsAndDeletesNeverDoubleDelete) {
  const int ops = Scaled(1500);
  std::atomic<int> deletes_ok{0};
  std::atomic<int> puts_ok{0};
  std::atomic<bool> puts_done{false};
  StartGate gate(3);
  std::vector<std::thread> threads;
  threads.emplace_back([&] {
    gate.ArriveAndWait();
    for (int i = 0; i < ops; ++i) {
      absl::StatusOr<Version> r = db_->KvPut(kDefaultRun, "contended", Value(i));
      if (!r.ok()) { ADD_FAILURE() << r.status(); break; }
      puts_ok.fetch_add(1);
      std::this_thread::yield();  // Let the deleters race for this version.
    }
    puts_done = true;
  });
  for (int d = 0; d < 2; ++d) {
    threads.emplace_back([&] {
      gate.ArriveAndWait();
      while (!puts_done.load()) {
        absl::StatusOr<Version> r = db_->KvDelete(kDefaultRun, "contended");
        if (r.ok()) {
          deletes_ok.fetch_add(1);
        } else if (!strata::IsNotFound(r.status())) {
          ADD_FAILURE() << r.status();
          return;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_OK_AND_ASSIGN(auto hist, db_->KvHistory(kDefaultRun, "contended", kMaxListLimit));
  ASSERT_LT(hist.size(), static_cast<size_t>(kMaxListLimit));  // Saw all of it.
  int tombstones = 0;
  for (size_t i = 0; i < hist.size(); ++i) {
    if (!hist[i].deleted) continue;
    ++tombstones;
    ASSERT_LT(i + 1, hist.size()) << "history starts with a tombstone";
    EXPECT_FALSE(hist[i + 1].deleted) << "two tombstones in a row at version "
                                      << hist[i].version;
  }
  EXPECT_EQ(tombstones, deletes_ok.load());
  EXPECT_EQ(static_cast<int>(hist.size()), puts_ok.load() + deletes_ok.load());
  EXPECT_EQ(db_->CurrentVersion(), static_cast<Version>(puts_ok.load() + deletes_ok.load()));
}

INSTANTIATE_TEST_SUITE_P(Modes, ConcurrencyTest, ::strata::testing::AllDurabilityModes(),
                         ::strata::testing::DurabilityModeParamName());

}  // namespace
}  // namespace strata
