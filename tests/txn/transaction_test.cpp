// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Transaction semantics through the public API, for every durability mode:
// optimistic concurrency (first committer wins, blind writes, read-only
// transactions, absent reads, scanned ranges), snapshot isolation,
// read-your-writes, compare-and-swap, rollback, Transact retries, runs,
// limits, lifecycle errors and version/timestamp ordering.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "strata/database.hpp"
#include "strata/options.hpp"
#include "strata/status.hpp"
#include "strata/value.hpp"
#include "test_util.hpp"

namespace strata {
namespace {

using ::strata::testing::TempDir;


class TransactionTest : public ::testing::TestWithParam<DurabilityMode> {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(OpenDb(Options{})); }
  void TearDown() override {
    if (db_ != nullptr) EXPECT_OK(db_->Close());
  }

  bool OnDisk() const { return GetParam() != DurabilityMode::kInMemory; }
  std::string DbPath() const { return dir_.Sub("db"); }

  // (Re)opens a fresh database with `options` (durability from the param).
  void OpenDb(Options options) {
    if (db_ != nullptr) {
      ASSERT_OK(db_->Close());
      db_.reset();
    }
    options.durability = GetParam();
    options_ = options;
    if (OnDisk()) {
      std::filesystem::remove_all(DbPath());
      ASSERT_OK_AND_ASSIGN(db_, Database::Open(DbPath(), options));
    } else {
      ASSERT_OK_AND_ASSIGN(db_, Database::OpenInMemory(options));
    }
  }

  // Closes and reopens the same directory (disk modes only).
  void Reopen() {
    ASSERT_TRUE(OnDisk());
    ASSERT_OK(db_->Close());
    db_.reset();
    ASSERT_OK_AND_ASSIGN(db_, Database::Open(DbPath(), options_));
  }

  std::unique_ptr<Transaction> Begin() {
    absl::StatusOr<std::unique_ptr<Transaction>> t = db_->BeginTransaction();
    EXPECT_TRUE(t.ok()) << t.status();
    return t.ok() ? std::move(*t) : nullptr;
  }

  // The value of default/`key`, or nullopt if absent.
  std::optional<Value> Get(const std::string& key, const std::string& run = kDefaultRun) {
    absl::StatusOr<Versioned<Value>> v = db_->KvGet(run, key);
    if (!v.ok()) {
      EXPECT_TRUE(strata::IsNotFound(v.status())) << v.status();
      return std::nullopt;
    }
    return v->value;
  }

  // Concatenated contents of every file under the database directory.
  std::string AllFileBytes() {
    std::string all;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(DbPath())) {
      if (!entry.is_regular_file()) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      all.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return all;
  }

  TempDir dir_;
  Options options_;
  std::unique_ptr<Database> db_;
};

// ---- Optimistic concurrency.

TEST_P(TransactionTest, FirstCommitterWins) {
  ASSERT_OK(db_->KvPut(kDefaultRun, "k", Value(0)));
  auto t1 = Begin();
  auto t2 = Begin();
  ASSERT_OK_AND_ASSIGN(Versioned<Value> r1, t1->KvGet(kDefaultRun, "k"));
  ASSERT_OK_AND_ASSIGN(Versioned<Value> r2, t2->KvGet(kDefaultRun, "k"));
  EXPECT_EQ(r1.value, Value(0));
  EXPECT_EQ(r2.value, Value(0));
  ASSERT_OK(t1->KvPut(kDefaultRun, "k", Value(1)));
  ASSERT_OK(t2->KvPut(kDefaultRun, "k", Value(2)));
  const uint64_t conflicts_before = db_->Stats().conflicts;
  ASSERT_OK_AND_ASSIGN(Version v1, t1->Commit());
  EXPECT_EQ(v1, 2u);
  const absl::StatusOr<Version> c2 = t2->Commit();
  EXPECT_ERROR(c2, ErrorCode::kConflict);
  EXPECT_TRUE(strata::IsConflict(c2.status()));
  EXPECT_EQ(c2.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(Get("k"), Value(1));
  EXPECT_EQ(db_->CurrentVersion(), 2u);
  EXPECT_EQ(db_->Stats().conflicts, conflicts_before + 1);
  // The loser is finished.
  EXPECT_ERROR(t2->Commit(), ErrorCode::kFailedPrecondition);
}

TEST_P(TransactionTest, FastPathWriteBeatsReader) {
  ASSERT_OK(db_->KvPut(kDefaultRun, "k", Value(0)));
  auto t = Begin();
  ASSERT_OK(t->KvGet(kDefaultRun, "k").status());
  ASSERT_OK(db_->KvPut(kDefaultRun, "k", Value(5)));
  ASSERT_OK(t->KvPut(kDefaultRun, "k", Value(1)));
  EXPECT_ERROR(t->Commit(), ErrorCode::kConflict);
  EXPECT_EQ(Get("k"), Value(5));
}

TEST_P(TransactionTest, BlindWritesDoNotConflict) {
  ASSERT_OK(db_->KvPut(kDefaultRun, "k", Value(0)));
  auto t1 = Begin();
  auto t2 = Begin();
  ASSERT_OK(t1->KvPut(kDefaultRun, "k", Value(1)));
  ASSERT_OK(t2->KvPut(kDefaultRun, "k", Value(2)));
  ASSERT_OK(t2->KvPut(kDefaultRun, "other", Value(3)));
  // A concurrent fast-path write to the same key does not matter either.
  ASSERT_OK(db_->KvPut(kDefaultRun, "k", Value(9)));
  ASSERT_OK_AND_ASSIGN(Version v1, t1->Commit());
  ASSERT_OK_AND_ASSIGN(Version v2, t2->Commit());
  EXPECT_EQ(v2, v1 + 1);
  EXPECT_EQ(Get("k"), Value(2));  // Last committer's value.
  ASSERT_OK_AND_ASSIGN(auto hist, db_->KvHistory(kDefaultRun, "k"));
  ASSERT_EQ(hist.size(), 4u);
  EXPECT_EQ(hist[0].value, Value(2));
  EXPECT_EQ(hist[1].value, Value(1));
  EXPECT_EQ(hist[2].value, Value(9));
}

TEST_P(TransactionTest, ReadOnlyTransactionsNeverConflict) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_OK(db_->KvPut(kDefaultRun, "p/" + std::to_string(i), Value(i)));
  }
  const Version before = db_->CurrentVersion();
  auto t = Begin();
  EXPECT_EQ(t->snapshot_version(), before);
  for (int i = 0; i < 5; ++i) {
    ASSERT_OK(t->KvGet(kDefaultRun, "p/" + std::to_string(i)).status());
  }
  EXPECT_ERROR(t->KvGet(kDefaultRun, "absent"), ErrorCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(KvPage page, t->KvList(kDefaultRun, ListRequest{"", "", 100}));
  EXPECT_EQ(page.entries.size(), 5u);
  // Everything read changes: updates, deletes, inserts into the scan range.
  for (int i = 0; i < 5; ++i) {
    if (i % 2 == 0) {
      ASSERT_OK(db_->KvPut(kDefaultRun, "p/" + std::to_string(i), Value(100 + i)));
    } else {
      ASSERT_OK(db_->KvDelete(kDefaultRun, "p/" + std::to_string(i)));
    }
  }
  ASSERT_OK(db_->KvPut(kDefaultRun, "absent", Value(1)));
  ASSERT_OK(db_->KvPut(kDefaultRun, "p/new", Value(1)));
  ASSERT_OK_AND_ASSIGN(Version v, t->Commit());
  EXPECT_EQ(v, before);  // Read-only: the snapshot version, nothing written.
  EXPECT_EQ(db_->CurrentVersion(), before + 7);
}

TEST_P(TransactionTest, DeleteAfterReadConflicts) {
  ASSERT_OK(db_->KvPut(kDefaultRun, "k", Value(1)));
  auto t = Begin();
  ASSERT_OK(t->KvGet(kDefaultRun, "k").status());
  ASSERT_OK(db_->KvDelete(kDefaultRun, "k"));
  ASSERT_OK(t->KvPut(kDefaultRun, "elsewhere", Value(1)));
  EXPECT_ERROR(t->Commit(), ErrorCode::kConflict);
  EXPECT_EQ(Get("elsewhere"), std::nullopt);
}

TEST_P(TransactionTest, ExistsReadConflictsToo) {
  ASSERT_OK(db_->KvPut(kDefaultRun, "k", Value(1)));
  auto t = Begin();
  ASSERT_OK_AND_ASSIGN(bool exists, t->KvExists(kDefaultRun, "k"));
  EXPECT_TRUE(exists);
  ASSERT_OK(db_->KvPut(kDefaultRun, "k", Value(2)));
  ASSERT_OK(t->KvPut(kDefaultRun, "elsewhere", Value(1)));
  EXPECT_ERROR(t->Commit(), ErrorCode::kConflict);
}

TEST_P(TransactionTest, AbsentReadThenConcurrentCreateConflicts) {
  auto t = Begin();
  EXPECT_ERROR(t->KvGet(kDefaultRun, "k"), ErrorCode::kNotFound);
  ASSERT_OK(db_->KvPut(kDefaultRun, "k", Value("created")));
  ASSERT_OK(t->KvPut(kDefaultRun, "k", Value("mine")));
  EXPECT_ERROR(t->Commit(), ErrorCode::kConflict);
  EXPECT_EQ(Get("k"), Value("created"));

  // Same through KvExists == false.
  auto t2 = Begin();
  ASSERT_OK_AND_ASSIGN(bool exists, t2->KvExists(kDefaultRun, "k2"));
  EXPECT_FALSE(exists);
  ASSERT_OK(db_->KvPut(kDefaultRun, "k2", Value(1)));
  ASSERT_OK(t2->KvPut(kDefaultRun, "x", Value(1)));
  EXPECT_ERROR(t2->Commit(), ErrorCode::kConflict);

  // Absent and still absent (an unrelated key changed): commits.
  auto t3 = Begin();
  EXPECT_ERROR(t3->KvGet(kDefaultRun, "k3"), ErrorCode::kNotFound);
  ASSERT_OK(db_->KvPut(kDefaultRun, "k4", Value(1)));
  ASSERT_OK(t3->KvPut(kDefaultRun, "k3", Value(1)));
  EXPECT_OK(t3->Commit());
}

TEST_P(TransactionTest, UnrelatedChangesDoNotConflict) {
  ASSERT_OK(db_->KvPut(kDefaultRun, "a", Value(1)));
  ASSERT_OK(db_->KvPut(kDefaultRun, "b", Value(1)));
  auto t = Begin();
  ASSERT_OK(t->KvGet(kDefaultRun, "a").status());
  ASSERT_OK(db_->KvPut(kDefaultRun, "b", Value(2)));
  ASSERT_OK(db_->KvPut(kDefaultRun, "c", Value(2)));
  ASSERT_OK(t->KvPut(kDefaultRun, "a", Value(10)));
  EXPECT_OK(t->Commit());
  EXPECT_EQ(Get("a"), Value(10));
}

TEST_P(TransactionTest, ScannedPrefixInsertConflicts) {
  ASSERT_OK(db_->KvPut(kDefaultRun, "p/a", Value(1)));
  ASSERT_OK(db_->KvPut(kDefaultRun, "p/b", Value(1)));
  ASSERT_OK(db_->KvPut(kDefaultRun, "q/a", Value(1)));
  auto t = Begin();
  ASSERT_OK_AND_ASSIGN(KvPage page, t->KvList(kDefaultRun, ListRequest{"p/", "", 100}));
  ASSERT_EQ(page.entries.size(), 2u);
  ASSERT_OK(db_->KvPut(kDefaultRun, "p/x", Value(1)));  // Phantom.
  ASSERT_OK(t->KvPut(kDefaultRun, "elsewhere", Value(1)));
  EXPECT_ERROR(t->Commit(), ErrorCode::kConflict);
  EXPECT_EQ(Get("elsewhere"), std::nullopt);
}

TEST_P(TransactionTest, ScannedPrefixUpdateAndDeleteConflict) {
  ASSERT_OK(db_->KvPut(kDefaultRun, "p/a", Value(1)));
  ASSERT_OK(db_->KvPut(kDefaultRun, "p/b", Value(1)));
  {
    auto t = Begin();
    ASSERT_OK(t->KvList(kDefaultRun, ListRequest{"p/", "", 100}).status());
    ASSERT_OK(db_->KvPut(kDefaultRun, "p/a", Value(2)));
    ASSERT_OK(t->KvPut(kDefaultRun, "elsewhere", Value(1)));
    EXPECT_ERROR(t->Commit(), ErrorCode::kConflict);
  }
  {
    auto t = Begin();
    ASSERT_OK(t->KvList(kDefaultRun, ListRequest{"p/", "", 100}).status());
    ASSERT_OK(db_->KvDelete(kDefaultRun, "p/b"));
    ASSERT_OK(t->KvPut(kDefaultRun, "elsewhere", Value(1)));
    EXPECT_ERROR(t->Commit(), ErrorCode::kConflict);
  }
}

TEST_P(TransactionTest, InsertOutsideScannedPrefixDoesNotConflict) {
  ASSERT_OK(db_->KvPut(kDefaultRun, "p/a", Value(1)));
  ASSERT_OK(db_->CreateRun("other").status());
  auto t = Begin();
  ASSERT_OK_AND_ASSIGN(KvPage page, t->KvList(kDefaultRun, ListRequest{"p/", "", 100}));
  ASSERT_EQ(page.entries.size(), 1u);
  ASSERT_OK(db_->KvPut(kDefaultRun, "q/x", Value(1)));
  ASSERT_OK(db_->KvPut(kDefaultRun, "p", Value(1)));     // Sorts before "p/".
  ASSERT_OK(db_->KvPut(kDefaultRun, "p0", Value(1)));    // '0' follows '/'.
  ASSERT_OK(db_->KvPut("other", "p/x", Value(1)));       // Same key, other run.
  ASSERT_OK(t->KvPut(kDefaultRun, "elsewhere", Value(1)));
  EXPECT_OK(t->Commit());
  EXPECT_EQ(Get("elsewhere"), Value(1));
}

TEST_P(TransactionTest, ListWithLimitCoversOnlyWhatItExamined) {
  for (const char* k : {"p/a", "p/b", "p/c", "p/d", "p/e"}) {
    ASSERT_OK(db_->KvPut(kDefaultRun, k, Value(1)));
  }
  {
    auto t = Begin();
    ASSERT_OK_AND_ASSIGN(KvPage page, t->KvList(kDefaultRun, ListRequest{"p/", "", 2}));
    ASSERT_EQ(page.entries.size(), 2u);
    EXPECT_EQ(page.entries[0].key, "p/a");
    EXPECT_EQ(page.entries[1].key, "p/b");
    EXPECT_EQ(page.next_cursor, "p/b");
    // Changes well past the returned page: not read, no conflict.
    ASSERT_OK(db_->KvPut(kDefaultRun, "p/z", Value(1)));
    ASSERT_OK(db_->KvPut(kDefaultRun, "p/e", Value(2)));
    ASSERT_OK(db_->KvDelete(kDefaultRun, "p/d"));
    ASSERT_OK(t->KvPut(kDefaultRun, "elsewhere", Value(1)));
    EXPECT_OK(t->Commit());
  }
  {
    // A change to a returned key conflicts.
    auto t = Begin();
    ASSERT_OK(t->KvList(kDefaultRun, ListRequest{"p/", "", 2}).status());
    ASSERT_OK(db_->KvPut(kDefaultRun, "p/a", Value(3)));
    ASSERT_OK(t->KvPut(kDefaultRun, "elsewhere", Value(2)));
    EXPECT_ERROR(t->Commit(), ErrorCode::kConflict);
  }
  {
    // An insert between returned keys conflicts.
    auto t = Begin();
    ASSERT_OK(t->KvList(kDefaultRun, ListRequest{"p/", "", 2}).status());
    ASSERT_OK(db_->KvPut(kDefaultRun, "p/aa", Value(3)));
    ASSERT_OK(t->KvPut(kDefaultRun, "elsewhere", Value(3)));
    EXPECT_ERROR(t->Commit(), ErrorCode::kConflict);
  }
  {
    // A second page (after the cursor) covers from the cursor on only: a
    // change before the cursor is not part of it.
    auto t = Begin();
    ASSERT_OK_AND_ASSIGN(KvPage page,
                         t->KvList(kDefaultRun, ListRequest{"p/", "p/b", 100}));
    ASSERT_FALSE(page.entries.empty());
    EXPECT_GT(page.entries[0].key, "p/b");
    ASSERT_OK(db_->KvPut(kDefaultRun, "p/a", Value(4)));
    ASSERT_OK(t->KvPut(kDefaultRun, "elsewhere", Value(4)));
    EXPECT_OK(t->Commit());
  }
}

TEST_P(TransactionTest, WriteSkewBetweenDisjointReadsIsAllowed) {
  // Documented (database.hpp): write skew between disjoint reads is allowed.
  // Invariant the application wants: at least one doctor on call. Each
  // transaction reads only its own doctor's flag (its read set does not
  // intersect the other's write set), so validation cannot see the skew and
  // both commit, breaking the invariant.
  ASSERT_OK(db_->KvPut(kDefaultRun, "alice", Value(true)));
  ASSERT_OK(db_->KvPut(kDefaultRun, "bob", Value(true)));
  auto t1 = Begin();
  auto t2 = Begin();
  ASSERT_OK_AND_ASSIGN(Versioned<Value> a, t1->KvGet(kDefaultRun, "alice"));
  ASSERT_OK_AND_ASSIGN(Versioned<Value> b, t2->KvGet(kDefaultRun, "bob"));
  EXPECT_TRUE(a.value.AsBool());
  EXPECT_TRUE(b.value.AsBool());
  ASSERT_OK(t1->KvPut(kDefaultRun, "alice", Value(false)));
  ASSERT_OK(t2->KvPut(kDefaultRun, "bob", Value(false)));
  EXPECT_OK(t1->Commit());
  EXPECT_OK(t2->Commit());
  EXPECT_EQ(Get("alice"), Value(false));
  EXPECT_EQ(Get("bob"), Value(false));
}

TEST_P(TransactionTest, ClassicWriteSkewWithOverlappingReadsConflicts) {
  // When each transaction reads the key the other writes, read validation
  // catches it: the second committer read a key changed after its snapshot.
  // (Stricter than plain snapshot isolation, which would let both commit.)
  ASSERT_OK(db_->KvPut(kDefaultRun, "alice", Value(true)));
  ASSERT_OK(db_->KvPut(kDefaultRun, "bob", Value(true)));
  auto t1 = Begin();
  auto t2 = Begin();
  for (Transaction* t : {t1.get(), t2.get()}) {
    ASSERT_OK_AND_ASSIGN(Versioned<Value> a, t->KvGet(kDefaultRun, "alice"));
    ASSERT_OK_AND_ASSIGN(Versioned<Value> b, t->KvGet(kDefaultRun, "bob"));
    EXPECT_TRUE(a.value.AsBool() && b.value.AsBool());
  }
  ASSERT_OK(t1->KvPut(kDefaultRun, "alice", Value(false)));
  ASSERT_OK(t2->KvPut(kDefaultRun, "bob", Value(false)));
  EXPECT_OK(t1->Commit());
  EXPECT_ERROR(t2->Commit(), ErrorCode::kConflict);
  EXPECT_EQ(Get("alice"), Value(false));
  EXPECT_EQ(Get("bob"), Value(true));
}

// ---- Visibility.

TEST_P(TransactionTest, ReadYourWrites) {
  ASSERT_OK(db_->KvPut(kDefaultRun, "a", Value("old-a")));
  ASSERT_OK(db_->KvPut(kDefaultRun, "c", Value("old-c")));
  ASSERT_OK(db_->KvPut(kDefaultRun, "e", Value("old-e")));
  auto t = Begin();
  ASSERT_OK(t->KvPut(kDefaultRun, "b", Value("new-b")));
  ASSERT_OK(t->KvPut(kDefaultRun, "c", Value("new-c")));
  ASSERT_OK(t->KvDelete(kDefaultRun, "e"));
  ASSERT_OK(t->KvPut(kDefaultRun, "f", Value("new-f")));
  ASSERT_OK(t->KvPut(kDefaultRun, "g", Value("tmp")));
  ASSERT_OK(t->KvDelete(kDefaultRun, "g"));  // Put then delete: hidden.

  ASSERT_OK_AND_ASSIGN(Versioned<Value> b, t->KvGet(kDefaultRun, "b"));
  EXPECT_EQ(b.value, Value("new-b"));
  ASSERT_OK_AND_ASSIGN(Versioned<Value> c, t->KvGet(kDefaultRun, "c"));
  EXPECT_EQ(c.value, Value("new-c"));
  EXPECT_ERROR(t->KvGet(kDefaultRun, "e"), ErrorCode::kNotFound);
  EXPECT_ERROR(t->KvGet(kDefaultRun, "g"), ErrorCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(bool e_exists, t->KvExists(kDefaultRun, "e"));
  EXPECT_FALSE(e_exists);
  ASSERT_OK_AND_ASSIGN(bool b_exists, t->KvExists(kDefaultRun, "b"));
  EXPECT_TRUE(b_exists);

  ASSERT_OK_AND_ASSIGN(KvPage page, t->KvList(kDefaultRun, ListRequest{"", "", 100}));
  std::vector<std::string> keys;
  std::vector<Value> values;
  for (const auto& e : page.entries) {
    keys.push_back(e.key);
    values.push_back(e.value.value);
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"a", "b", "c", "f"}));
  EXPECT_EQ(values, (std::vector<Value>{Value("old-a"), Value("new-b"), Value("new-c"),
                                        Value("new-f")}));
  // Paginated listing with own writes: limit 1, following cursors.
  std::vector<std::string> paged;
  std::string cursor;
  for (int i = 0; i < 10; ++i) {
    ASSERT_OK_AND_ASSIGN(KvPage p, t->KvList(kDefaultRun, ListRequest{"", cursor, 1}));
    for (const auto& e : p.entries) paged.push_back(e.key);
    cursor = p.next_cursor;
    if (cursor.empty()) break;
  }
  EXPECT_EQ(paged, keys);

  // Nobody else sees the writes before commit.
  EXPECT_EQ(Get("b"), std::nullopt);
  EXPECT_EQ(Get("e"), Value("old-e"));
  ASSERT_OK(t->Commit());
  EXPECT_EQ(Get("b"), Value("new-b"));
  EXPECT_EQ(Get("c"), Value("new-c"));
  EXPECT_EQ(Get("e"), std::nullopt);
  EXPECT_EQ(Get("g"), std::nullopt);
  EXPECT_EQ(Get("f"), Value("new-f"));
}

TEST_P(TransactionTest, SnapshotIsolation) {
  ASSERT_OK(db_->KvPut(kDefaultRun, "k", Value(1)));
  ASSERT_OK(db_->KvPut(kDefaultRun, "gone", Value(1)));
  const Version start = db_->CurrentVersion();
  auto t = Begin();
  EXPECT_EQ(t->snapshot_version(), start);
  ASSERT_OK(db_->KvPut(kDefaultRun, "k", Value(2)));
  ASSERT_OK(db_->KvPut(kDefaultRun, "new", Value(2)));
  ASSERT_OK(db_->KvDelete(kDefaultRun, "gone"));
  // Another transaction commits too.
  auto other = Begin();
  ASSERT_OK(other->KvPut(kDefaultRun, "k", Value(3)));
  ASSERT_OK(other->Commit());

  ASSERT_OK_AND_ASSIGN(Versioned<Value> k, t->KvGet(kDefaultRun, "k"));
  EXPECT_EQ(k.value, Value(1));
  EXPECT_LE(k.version, start);
  EXPECT_ERROR(t->KvGet(kDefaultRun, "new"), ErrorCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(Versioned<Value> gone, t->KvGet(kDefaultRun, "gone"));
  EXPECT_EQ(gone.value, Value(1));
  ASSERT_OK_AND_ASSIGN(KvPage page, t->KvList(kDefaultRun, ListRequest{"", "", 100}));
  ASSERT_EQ(page.entries.size(), 2u);
  EXPECT_EQ(page.entries[0].key, "gone");
  EXPECT_EQ(page.entries[1].key, "k");
  EXPECT_EQ(page.entries[1].value.value, Value(1));
  for (const auto& e : page.entries) EXPECT_LE(e.value.version, start);
  // A later transaction sees everything.
  auto t2 = Begin();
  EXPECT_EQ(t2->snapshot_version(), db_->CurrentVersion());
  ASSERT_OK_AND_ASSIGN(Versioned<Value> k2, t2->KvGet(kDefaultRun, "k"));
  EXPECT_EQ(k2.value, Value(3));
}

// ---- Compare-and-swap.

TEST_P(TransactionTest, CasFastPath) {
  // Expected 0: the key must not exist.
  ASSERT_OK_AND_ASSIGN(Version v1, db_->KvCompareAndSwap(kDefaultRun, "k", 0, Value(1)));
  absl::StatusOr<Version> again = db_->KvCompareAndSwap(kDefaultRun, "k", 0, Value(2));
  EXPECT_ERROR(again, ErrorCode::kConflict);
  EXPECT_EQ(ErrorVersion(again.status()), std::optional<uint64_t>(v1));
  // Matching version succeeds.
  ASSERT_OK_AND_ASSIGN(Version v2, db_->KvCompareAndSwap(kDefaultRun, "k", v1, Value(2)));
  EXPECT_EQ(v2, v1 + 1);
  // Stale version fails, carrying the current one, writing nothing.
  const Version before = db_->CurrentVersion();
  absl::StatusOr<Version> stale = db_->KvCompareAndSwap(kDefaultRun, "k", v1, Value(3));
  EXPECT_ERROR(stale, ErrorCode::kConflict);
  EXPECT_EQ(ErrorVersion(stale.status()), std::optional<uint64_t>(v2));
  // A version from the future also fails.
  absl::StatusOr<Version> future =
      db_->KvCompareAndSwap(kDefaultRun, "k", v2 + 100, Value(3));
  EXPECT_ERROR(future, ErrorCode::kConflict);
  EXPECT_EQ(ErrorVersion(future.status()), std::optional<uint64_t>(v2));
  EXPECT_EQ(db_->CurrentVersion(), before);
  EXPECT_EQ(Get("k"), Value(2));
  // Non-zero expectation on an absent key: current version 0.
  absl::StatusOr<Version> absent = db_->KvCompareAndSwap(kDefaultRun, "nope", 5, Value(1));
  EXPECT_ERROR(absent, ErrorCode::kConflict);
  EXPECT_EQ(ErrorVersion(absent.status()), std::optional<uint64_t>(0));
  EXPECT_EQ(Get("nope"), std::nullopt);
  // After a delete the key does not exist: expected 0 works again.
  ASSERT_OK(db_->KvDelete(kDefaultRun, "k"));
  absl::StatusOr<Version> after_delete =
      db_->KvCompareAndSwap(kDefaultRun, "k", v2, Value(4));
  EXPECT_ERROR(after_delete, ErrorCode::kConflict);
  EXPECT_EQ(ErrorVersion(after_delete.status()), std::optional<uint64_t>(0));
  ASSERT_OK(db_->KvCompareAndSwap(kDefaultRun, "k", 0, Value(5)).status());
  EXPECT_EQ(Get("k"), Value(5));
}

TEST_P(TransactionTest, CasInTransaction) {
  ASSERT_OK_AND_ASSIGN(Version v1, db_->KvPut(kDefaultRun, "k", Value(1)));
  {
    auto t = Begin();
    ASSERT_OK(t->KvCompareAndSwap(kDefaultRun, "k", v1, Value(2)));
    ASSERT_OK(t->KvCompareAndSwap(kDefaultRun, "fresh", 0, Value("f")));
    // The CAS write is visible to the transaction itself.
    ASSERT_OK_AND_ASSIGN(Versioned<Value> own, t->KvGet(kDefaultRun, "k"));
    EXPECT_EQ(own.value, Value(2));
    ASSERT_OK(t->Commit());
    EXPECT_EQ(Get("k"), Value(2));
    EXPECT_EQ(Get("fresh"), Value("f"));
  }
  ASSERT_OK_AND_ASSIGN(Versioned<Value> cur, db_->KvGet(kDefaultRun, "k"));
  {
    // The key changes between the CAS call and Commit: Conflict carrying the
    // current version; the transaction's other writes are not applied.
    auto t = Begin();
    ASSERT_OK(t->KvCompareAndSwap(kDefaultRun, "k", cur.version, Value(3)));
    ASSERT_OK(t->KvPut(kDefaultRun, "side", Value(1)));
    ASSERT_OK_AND_ASSIGN(Version changed, db_->KvPut(kDefaultRun, "k", Value(10)));
    const Version before = db_->CurrentVersion();
    absl::StatusOr<Version> c = t->Commit();
    EXPECT_ERROR(c, ErrorCode::kConflict);
    EXPECT_EQ(ErrorVersion(c.status()), std::optional<uint64_t>(changed));
    EXPECT_EQ(db_->CurrentVersion(), before);
    EXPECT_EQ(Get("k"), Value(10));
    EXPECT_EQ(Get("side"), std::nullopt);
  }
  {
    // Expected 0 on an existing key.
    auto t = Begin();
    ASSERT_OK(t->KvCompareAndSwap(kDefaultRun, "fresh", 0, Value("again")));
    absl::StatusOr<Version> c = t->Commit();
    EXPECT_ERROR(c, ErrorCode::kConflict);
    ASSERT_OK_AND_ASSIGN(Versioned<Value> fresh, db_->KvGet(kDefaultRun, "fresh"));
    EXPECT_EQ(ErrorVersion(c.status()), std::optional<uint64_t>(fresh.version));
    EXPECT_EQ(fresh.value, Value("f"));
  }
}

// ---- Rollback and failures leave no trace.

TEST_P(TransactionTest, AbortedTransactionLeavesNoTrace) {
  ASSERT_OK(db_->KvPut(kDefaultRun, "keep", Value("kept-value-marker")));
  ASSERT_OK(db_->KvPut(kDefaultRun, "victim", Value("v")));
  const Version before = db_->CurrentVersion();
  const std::string marker = "ABORTED-MARKER-3f9c1e";
  {
    // Explicit rollback.
    auto t = Begin();
    ASSERT_OK(t->KvPut(kDefaultRun, "ghost1", Value(marker + "1")));
    ASSERT_OK(t->KvDelete(kDefaultRun, "victim"));
    ASSERT_OK(t->CreateRun("ghost-run"));
    ASSERT_OK(t->KvPut("ghost-run", "k", Value(marker + "2")));
    t->Rollback();
    t->Rollback();  // Idempotent.
  }
  {
    // Destroyed without Commit.
    auto t = Begin();
    ASSERT_OK(t->KvPut(kDefaultRun, "ghost2", Value(marker + "3")));
  }
  {
    // Failed by a conflict.
    auto t = Begin();
    ASSERT_OK(t->KvGet(kDefaultRun, "victim").status());
    ASSERT_OK(t->KvPut(kDefaultRun, "ghost3", Value(marker + "4")));
    ASSERT_OK(t->KvDelete(kDefaultRun, "keep"));
    auto other = Begin();
    ASSERT_OK(other->KvPut(kDefaultRun, "victim", Value("v2")));
    ASSERT_OK(other->Commit());
    EXPECT_ERROR(t->Commit(), ErrorCode::kConflict);
  }
  {
    // Failed by Transact's function returning an error.
    absl::StatusOr<Version> r = db_->Transact([&](Transaction& t) -> absl::Status {
      absl::Status s = t.KvPut(kDefaultRun, "ghost4", Value(marker + "5"));
      if (!s.ok()) return s;
      return absl::InvalidArgumentError("application error");
    });
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  }
  auto check = [&] {
    EXPECT_EQ(db_->CurrentVersion(), before + 1);  // Only `other` committed.
    for (const char* k : {"ghost1", "ghost2", "ghost3", "ghost4"}) {
      EXPECT_EQ(Get(k), std::nullopt) << k;
    }
    EXPECT_EQ(Get("victim"), Value("v2"));
    EXPECT_EQ(Get("keep"), Value("kept-value-marker"));
    ASSERT_OK_AND_ASSIGN(bool run_exists, db_->RunExists("ghost-run"));
    EXPECT_FALSE(run_exists);
    ASSERT_OK_AND_ASSIGN(std::vector<RunId> runs, db_->ListRuns());
    EXPECT_EQ(runs, std::vector<RunId>{kDefaultRun});
    ASSERT_OK_AND_ASSIGN(KvPage page, db_->KvList(kDefaultRun, ListRequest{"", "", 100}));
    EXPECT_EQ(page.entries.size(), 2u);
    ASSERT_OK_AND_ASSIGN(auto hist, db_->KvHistory(kDefaultRun, "victim"));
    EXPECT_EQ(hist.size(), 2u);  // No tombstone from the rolled-back delete.
  };
  check();
  if (OnDisk()) {
    ASSERT_OK(db_->Flush());
    const std::string bytes = AllFileBytes();
    // Positive control: committed values are stored verbatim...
    ASSERT_NE(bytes.find("kept-value-marker"), std::string::npos);
    // ...and nothing of the aborted transactions is.
    EXPECT_EQ(bytes.find(marker), std::string::npos);
    EXPECT_EQ(bytes.find("ghost"), std::string::npos);
    ASSERT_NO_FATAL_FAILURE(Reopen());
    check();
    EXPECT_EQ(AllFileBytes().find(marker), std::string::npos);
  }
}

// ---- Transact.

TEST_P(TransactionTest, TransactRetriesOnConflictAndSucceeds) {
  ASSERT_OK(db_->KvPut(kDefaultRun, "counter", Value(0)));
  int attempts = 0;
  absl::StatusOr<Version> r = db_->Transact([&](Transaction& t) -> absl::Status {
    ++attempts;
    absl::StatusOr<Versioned<Value>> v = t.KvGet(kDefaultRun, "counter");
    if (!v.ok()) return v.status();
    if (attempts == 1) {
      // Interfere once: a concurrent commit to what this attempt read.
      absl::StatusOr<Version> w = db_->KvPut(kDefaultRun, "counter", Value(100));
      if (!w.ok()) return w.status();
    }
    return t.KvPut(kDefaultRun, "counter", Value(v->value.AsInt() + 1));
  });
  ASSERT_OK(r.status());
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(Get("counter"), Value(101));
  EXPECT_EQ(*r, db_->CurrentVersion());
}

TEST_P(TransactionTest, TransactRetriesConflictReturnedByFn) {
  int attempts = 0;
  absl::StatusOr<Version> r = db_->Transact([&](Transaction& t) -> absl::Status {
    ++attempts;
    if (attempts < 3) return MakeError(ErrorCode::kConflict, "retry me");
    return t.KvPut(kDefaultRun, "k", Value(attempts));
  });
  ASSERT_OK(r.status());
  EXPECT_EQ(attempts, 3);
  EXPECT_EQ(Get("k"), Value(3));
}

TEST_P(TransactionTest, TransactStopsAfterMaxAttempts) {
  ASSERT_OK(db_->KvPut(kDefaultRun, "k", Value(0)));
  int attempts = 0;
  RetryPolicy policy;
  policy.max_attempts = 3;
  policy.initial_backoff_us = 10;
  policy.max_backoff_us = 100;
  absl::StatusOr<Version> r = db_->Transact(
      [&](Transaction& t) -> absl::Status {
        ++attempts;
        absl::StatusOr<Versioned<Value>> v = t.KvGet(kDefaultRun, "k");
        if (!v.ok()) return v.status();
        absl::StatusOr<Version> w = db_->KvPut(kDefaultRun, "k", Value(attempts * 10));
        if (!w.ok()) return w.status();
        return t.KvPut(kDefaultRun, "mine", Value(attempts));
      },
      policy);
  EXPECT_ERROR(r, ErrorCode::kConflict);
  EXPECT_EQ(attempts, 3);
  EXPECT_EQ(Get("mine"), std::nullopt);
  EXPECT_EQ(Get("k"), Value(30));

  // max_attempts 1: no retry at all.
  attempts = 0;
  policy.max_attempts = 1;
  r = db_->Transact(
      [&](Transaction&) -> absl::Status {
        ++attempts;
        return MakeError(ErrorCode::kConflict, "always");
      },
      policy);
  EXPECT_ERROR(r, ErrorCode::kConflict);
  EXPECT_EQ(attempts, 1);
}

TEST_P(TransactionTest, TransactDoesNotRetryOtherErrors) {
  int attempts = 0;
  absl::StatusOr<Version> r = db_->Transact([&](Transaction& t) -> absl::Status {
    ++attempts;
    absl::Status s = t.KvPut(kDefaultRun, "k", Value(1));
    if (!s.ok()) return s;
    return t.KvPut("no-such-run", "k", Value(1));  // NotFound.
  });
  EXPECT_ERROR(r, ErrorCode::kNotFound);
  EXPECT_EQ(attempts, 1);
  EXPECT_EQ(Get("k"), std::nullopt);
}

// ---- Runs and multi-run atomicity.

TEST_P(TransactionTest, TransactionsAcrossRunsCommitAtomically) {
  ASSERT_OK(db_->CreateRun("r1").status());
  ASSERT_OK(db_->CreateRun("r2").status());
  auto t = Begin();
  ASSERT_OK(t->KvPut(kDefaultRun, "k", Value(0)));
  ASSERT_OK(t->KvPut("r1", "k", Value(1)));
  ASSERT_OK(t->KvPut("r2", "k", Value(2)));
  ASSERT_OK(t->CreateRun("r3"));
  ASSERT_OK(t->KvPut("r3", "k", Value(3)));
  EXPECT_EQ(Get("k", "r1"), std::nullopt);
  ASSERT_OK_AND_ASSIGN(Version v, t->Commit());
  for (const auto& [run, val] : std::vector<std::pair<std::string, int>>{
           {kDefaultRun, 0}, {"r1", 1}, {"r2", 2}, {"r3", 3}}) {
    ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db_->KvGet(run, "k"));
    EXPECT_EQ(got.value, Value(val)) << run;
    EXPECT_EQ(got.version, v) << run;
  }
  ASSERT_OK_AND_ASSIGN(std::vector<RunId> runs, db_->ListRuns());
  EXPECT_EQ(runs, (std::vector<RunId>{kDefaultRun, "r1", "r2", "r3"}));

  // A conflicting multi-run transaction applies nothing in any run.
  auto t2 = Begin();
  ASSERT_OK(t2->KvGet("r2", "k").status());
  ASSERT_OK(t2->KvPut(kDefaultRun, "k", Value(10)));
  ASSERT_OK(t2->KvPut("r1", "k", Value(11)));
  ASSERT_OK(t2->KvPut("r2", "k", Value(12)));
  ASSERT_OK(db_->KvPut("r2", "k", Value(99)));
  EXPECT_ERROR(t2->Commit(), ErrorCode::kConflict);
  EXPECT_EQ(Get("k"), Value(0));
  EXPECT_EQ(Get("k", "r1"), Value(1));
  EXPECT_EQ(Get("k", "r2"), Value(99));

  if (OnDisk()) {
    ASSERT_NO_FATAL_FAILURE(Reopen());
    ASSERT_OK_AND_ASSIGN(std::vector<RunId> runs2, db_->ListRuns());
    EXPECT_EQ(runs2, (std::vector<RunId>{kDefaultRun, "r1", "r2", "r3"}));
    for (const auto& [run, val] : std::vector<std::pair<std::string, int>>{
             {kDefaultRun, 0}, {"r1", 1}, {"r3", 3}}) {
      ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db_->KvGet(run, "k"));
      EXPECT_EQ(got.value, Value(val)) << run;
      EXPECT_EQ(got.version, v) << run;
    }
  }
}

TEST_P(TransactionTest, RunsMustExistToBeWritten) {
  EXPECT_ERROR(db_->KvPut("nope", "k", Value(1)), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->KvCompareAndSwap("nope", "k", 0, Value(1)), ErrorCode::kNotFound);
  {
    auto t = Begin();
    EXPECT_ERROR(t->KvPut("nope", "k", Value(1)), ErrorCode::kNotFound);
    EXPECT_ERROR(t->KvDelete("nope", "k"), ErrorCode::kNotFound);
    EXPECT_ERROR(t->KvCompareAndSwap("nope", "k", 0, Value(1)), ErrorCode::kNotFound);
    // Creating it in the same transaction makes it writable.
    ASSERT_OK(t->CreateRun("nope"));
    ASSERT_OK(t->KvPut("nope", "k", Value(1)));
    EXPECT_ERROR(t->CreateRun("nope"), ErrorCode::kAlreadyExists);
    // Not yet visible outside.
    ASSERT_OK_AND_ASSIGN(bool exists_before, db_->RunExists("nope"));
    EXPECT_FALSE(exists_before);
    ASSERT_OK(t->Commit());
  }
  ASSERT_OK_AND_ASSIGN(bool exists, db_->RunExists("nope"));
  EXPECT_TRUE(exists);
  EXPECT_EQ(Get("k", "nope"), Value(1));
  ASSERT_OK(db_->KvPut("nope", "k2", Value(2)).status());

  EXPECT_ERROR(db_->CreateRun("nope"), ErrorCode::kAlreadyExists);
  EXPECT_ERROR(db_->CreateRun(kDefaultRun), ErrorCode::kAlreadyExists);
  EXPECT_ERROR(db_->CreateRun("bad run"), ErrorCode::kInvalidArgument);
  auto t = Begin();
  EXPECT_ERROR(t->CreateRun("nope"), ErrorCode::kAlreadyExists);
  EXPECT_ERROR(t->CreateRun(""), ErrorCode::kInvalidArgument);
  t->Rollback();

  // Two transactions creating the same run: the second committer conflicts.
  auto a = Begin();
  auto b = Begin();
  ASSERT_OK(a->CreateRun("twice"));
  ASSERT_OK(b->CreateRun("twice"));
  ASSERT_OK(a->Commit());
  EXPECT_ERROR(b->Commit(), ErrorCode::kConflict);
  // CreateRun returns a commit version.
  ASSERT_OK_AND_ASSIGN(Version rv, db_->CreateRun("fresh-run"));
  EXPECT_EQ(rv, db_->CurrentVersion());
}

// ---- Lifecycle.

TEST_P(TransactionTest, OperationsAfterCommitOrRollbackFail) {
  ASSERT_OK(db_->KvPut(kDefaultRun, "k", Value(1)));
  auto committed = Begin();
  ASSERT_OK(committed->KvPut(kDefaultRun, "a", Value(1)));
  ASSERT_OK(committed->Commit());
  auto rolled = Begin();
  rolled->Rollback();
  auto read_only = Begin();
  ASSERT_OK(read_only->KvGet(kDefaultRun, "k").status());
  ASSERT_OK(read_only->Commit());
  for (Transaction* t : {committed.get(), rolled.get(), read_only.get()}) {
    EXPECT_ERROR(t->KvGet(kDefaultRun, "k"), ErrorCode::kFailedPrecondition);
    EXPECT_ERROR(t->KvExists(kDefaultRun, "k"), ErrorCode::kFailedPrecondition);
    EXPECT_ERROR(t->KvList(kDefaultRun, ListRequest{}), ErrorCode::kFailedPrecondition);
    EXPECT_ERROR(t->KvPut(kDefaultRun, "k", Value(2)), ErrorCode::kFailedPrecondition);
    EXPECT_ERROR(t->KvDelete(kDefaultRun, "k"), ErrorCode::kFailedPrecondition);
    EXPECT_ERROR(t->KvCompareAndSwap(kDefaultRun, "k", 0, Value(2)),
                 ErrorCode::kFailedPrecondition);
    EXPECT_ERROR(t->CreateRun("r"), ErrorCode::kFailedPrecondition);
    EXPECT_ERROR(t->Commit(), ErrorCode::kFailedPrecondition);
    t->Rollback();  // Harmless.
  }
  EXPECT_EQ(Get("k"), Value(1));
  ASSERT_OK_AND_ASSIGN(bool r_exists, db_->RunExists("r"));
  EXPECT_FALSE(r_exists);
}

TEST_P(TransactionTest, ClosedDatabaseRejectsEverything) {
  ASSERT_OK(db_->KvPut(kDefaultRun, "k", Value(1)));
  auto open_txn = Begin();
  ASSERT_OK(open_txn->KvPut(kDefaultRun, "j", Value(1)));
  ASSERT_OK(db_->Close());
  EXPECT_OK(db_->Close());  // Idempotent.

  const ErrorCode closed = ErrorCode::kClosed;
  EXPECT_ERROR(db_->KvPut(kDefaultRun, "k", Value(2)), closed);
  EXPECT_ERROR(db_->KvGet(kDefaultRun, "k"), closed);
  EXPECT_ERROR(db_->KvDelete(kDefaultRun, "k"), closed);
  EXPECT_ERROR(db_->KvExists(kDefaultRun, "k"), closed);
  EXPECT_ERROR(db_->KvList(kDefaultRun, ListRequest{}), closed);
  EXPECT_ERROR(db_->KvCompareAndSwap(kDefaultRun, "k", 1, Value(2)), closed);
  EXPECT_ERROR(db_->KvGetAt(kDefaultRun, "k", 1), closed);
  EXPECT_ERROR(db_->KvHistory(kDefaultRun, "k"), closed);
  EXPECT_ERROR(db_->CreateRun("r"), closed);
  EXPECT_ERROR(db_->RunExists(kDefaultRun), closed);
  EXPECT_ERROR(db_->ListRuns(), closed);
  EXPECT_ERROR(db_->BeginTransaction(), closed);
  EXPECT_ERROR(db_->Flush(), closed);
  int calls = 0;
  EXPECT_ERROR(db_->Transact([&](Transaction&) {
    ++calls;
    return absl::OkStatus();
  }),
               closed);
  EXPECT_EQ(calls, 0);
  // A transaction begun before Close.
  EXPECT_ERROR(open_txn->KvGet(kDefaultRun, "k"), closed);
  EXPECT_ERROR(open_txn->KvPut(kDefaultRun, "k", Value(3)), closed);
  EXPECT_ERROR(open_txn->KvList(kDefaultRun, ListRequest{}), closed);
  EXPECT_ERROR(open_txn->Commit(), closed);
  open_txn.reset();

  if (OnDisk()) {
    // The uncommitted write did not reach the disk; the committed one did.
    ASSERT_NO_FATAL_FAILURE(Reopen());
    EXPECT_EQ(Get("k"), Value(1));
    EXPECT_EQ(Get("j"), std::nullopt);
    EXPECT_EQ(db_->CurrentVersion(), 1u);
  }
}

// ---- Limits.

TEST_P(TransactionTest, MaxTransactionOps) {
  Options o;
  o.max_transaction_ops = 3;
  ASSERT_NO_FATAL_FAILURE(OpenDb(o));
  ASSERT_OK(db_->KvPut(kDefaultRun, "c", Value(1)));
  auto t = Begin();
  ASSERT_OK(t->KvPut(kDefaultRun, "a", Value(1)));
  ASSERT_OK(t->KvPut(kDefaultRun, "b", Value(1)));
  ASSERT_OK(t->KvDelete(kDefaultRun, "c"));
  EXPECT_ERROR(t->KvPut(kDefaultRun, "d", Value(1)), ErrorCode::kResourceExhausted);
  EXPECT_ERROR(t->KvDelete(kDefaultRun, "b"), ErrorCode::kResourceExhausted);
  EXPECT_ERROR(t->KvCompareAndSwap(kDefaultRun, "f", 0, Value(1)),
               ErrorCode::kResourceExhausted);
  // What was accepted still commits.
  ASSERT_OK(t->Commit());
  EXPECT_EQ(Get("a"), Value(1));
  EXPECT_EQ(Get("d"), std::nullopt);
  EXPECT_EQ(Get("f"), std::nullopt);
  // Transact surfaces the limit without retrying.
  int attempts = 0;
  absl::StatusOr<Version> r = db_->Transact([&](Transaction& tx) -> absl::Status {
    ++attempts;
    for (int i = 0; i < 4; ++i) {
      absl::Status s = tx.KvPut(kDefaultRun, "x" + std::to_string(i), Value(i));
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  });
  EXPECT_ERROR(r, ErrorCode::kResourceExhausted);
  EXPECT_EQ(attempts, 1);
  EXPECT_EQ(Get("x0"), std::nullopt);
}

TEST_P(TransactionTest, MaxValueAndTransactionBytes) {
  Options o;
  o.max_value_bytes = 1000;
  o.max_transaction_bytes = 5000;
  ASSERT_NO_FATAL_FAILURE(OpenDb(o));
  const Value big(std::string(2000, 'x'));
  EXPECT_ERROR(db_->KvPut(kDefaultRun, "k", big), ErrorCode::kResourceExhausted);
  EXPECT_ERROR(db_->KvCompareAndSwap(kDefaultRun, "k", 0, big),
               ErrorCode::kResourceExhausted);
  const Value ok(std::string(500, 'y'));
  ASSERT_OK(db_->KvPut(kDefaultRun, "k", ok).status());

  auto t = Begin();
  EXPECT_ERROR(t->KvPut(kDefaultRun, "k", big), ErrorCode::kResourceExhausted);
  EXPECT_ERROR(t->KvCompareAndSwap(kDefaultRun, "k", 0, big), ErrorCode::kResourceExhausted);
  // Many values under the value limit eventually exceed the transaction limit.
  const Value mid(std::string(900, 'z'));
  int accepted = 0;
  absl::Status s;
  for (int i = 0; i < 20; ++i) {
    s = t->KvPut(kDefaultRun, "m" + std::to_string(i), mid);
    if (!s.ok()) break;
    ++accepted;
  }
  EXPECT_ERROR(s, ErrorCode::kResourceExhausted);
  EXPECT_GE(accepted, 3);
  EXPECT_LE(accepted, 5);
  t->Rollback();
  EXPECT_EQ(Get("m0"), std::nullopt);
  EXPECT_EQ(Get("k"), ok);
}

// ---- Versions and timestamps.

TEST_P(TransactionTest, CommitVersionsDenseAndTimestampsMonotonic) {
  const uint64_t seed = testing::TestSeed();
  std::mt19937_64 rng(seed);
  const int kCommits = GetParam() == DurabilityMode::kStrict ? 60 : 300;
  Version expected = db_->CurrentVersion() + 1;
  std::vector<Version> versions;
  for (int i = 0; i < kCommits; ++i) {
    Version v = 0;
    switch (rng() % 4) {
      case 0: {
        ASSERT_OK_AND_ASSIGN(v, db_->KvPut(kDefaultRun, "k", Value(i)));
        break;
      }
      case 1: {
        auto t = Begin();
        ASSERT_OK(t->KvPut(kDefaultRun, "k", Value(i)));
        ASSERT_OK(t->KvPut(kDefaultRun, "j" + std::to_string(i % 5), Value(i)));
        ASSERT_OK_AND_ASSIGN(v, t->Commit());
        break;
      }
      case 2: {
        ASSERT_OK_AND_ASSIGN(v, db_->Transact([&](Transaction& t) {
          return t.KvPut(kDefaultRun, "k", Value(i));
        }));
        break;
      }
      default: {
        // Things that commit nothing do not consume a version.
        auto ro = Begin();
        const absl::Status read = ro->KvGet(kDefaultRun, "k").status();
        EXPECT_TRUE(read.ok() || strata::IsNotFound(read)) << read;
        ASSERT_OK_AND_ASSIGN(Version snap, ro->Commit());
        EXPECT_EQ(snap, expected - 1);
        EXPECT_ERROR(db_->KvDelete(kDefaultRun, "never-existed"), ErrorCode::kNotFound);
        EXPECT_ERROR(db_->KvCompareAndSwap(kDefaultRun, "k", 999999, Value(0)),
                     ErrorCode::kConflict);
        ASSERT_OK_AND_ASSIGN(v, db_->KvPut(kDefaultRun, "k", Value(i)));
        break;
      }
    }
    ASSERT_EQ(v, expected) << "commit " << i;
    EXPECT_EQ(db_->CurrentVersion(), v);
    versions.push_back(v);
    ++expected;
  }
  ASSERT_OK_AND_ASSIGN(auto hist, db_->KvHistory(kDefaultRun, "k", kMaxListLimit));
  ASSERT_EQ(hist.size(), static_cast<size_t>(kCommits));
  for (size_t i = 1; i < hist.size(); ++i) {
    EXPECT_EQ(hist[i - 1].version, hist[i].version + 1);
    EXPECT_GE(hist[i - 1].timestamp_us, hist[i].timestamp_us);
  }
  EXPECT_GT(hist.back().timestamp_us, 1600000000000000);  // A real clock.
  if (OnDisk()) {
    const TimestampMicros last_ts = hist.front().timestamp_us;
    ASSERT_NO_FATAL_FAILURE(Reopen());
    EXPECT_EQ(db_->CurrentVersion(), expected - 1);
    ASSERT_OK_AND_ASSIGN(Version v, db_->KvPut(kDefaultRun, "k", Value(-1)));
    EXPECT_EQ(v, expected);
    ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db_->KvGet(kDefaultRun, "k"));
    EXPECT_GE(got.timestamp_us, last_ts);
  }
}

INSTANTIATE_TEST_SUITE_P(Modes, TransactionTest, ::strata::testing::AllDurabilityModes(),
                         ::strata::testing::DurabilityModeParamName());

}  // namespace
}  // namespace strata
