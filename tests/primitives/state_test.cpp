// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// State cells through the public API: init/read/set/cas/delete, versions and
// the current version carried by a CAS conflict, listings, transitions
// (including concurrent read-modify-write), transactional use and conflicts,
// recovery across reopen, and argument validation.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "strata/database.hpp"
#include "strata/options.hpp"
#include "strata/primitives.hpp"
#include "strata/status.hpp"
#include "strata/types.hpp"
#include "strata/value.hpp"
#include "test_util.hpp"

namespace strata {
namespace {

using ::strata::testing::TempDir;
using ::strata::testing::TestSeed;

constexpr char kRun[] = "default";

// Every cell of `run` whose name starts with `prefix`, paging `limit` at a
// time; checks the pages are in strictly ascending name order.
std::vector<KvEntry> ListAll(Database* db, const std::string& run, const std::string& prefix,
                             uint32_t limit) {
  std::vector<KvEntry> out;
  ListRequest request{prefix, "", limit};
  for (int pages = 0; pages < 100000; ++pages) {
    absl::StatusOr<KvPage> page = db->StateList(run, request);
    EXPECT_TRUE(page.ok()) << page.status();
    if (!page.ok()) return out;
    EXPECT_LE(page->entries.size(), limit);
    for (KvEntry& e : page->entries) {
      if (!out.empty()) {
        EXPECT_LT(out.back().key, e.key);
      }
      out.push_back(std::move(e));
    }
    if (page->next_cursor.empty()) return out;
    EXPECT_EQ(page->entries.size(), limit);
    request.cursor = page->next_cursor;
  }
  ADD_FAILURE() << "listing did not terminate";
  return out;
}

std::vector<std::string> Names(const std::vector<KvEntry>& entries) {
  std::vector<std::string> names;
  for (const auto& e : entries) names.push_back(e.key);
  return names;
}

class StateTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(Options{}); }
  void Open(const Options& o) {
    absl::StatusOr<std::unique_ptr<Database>> db = Database::OpenInMemory(o);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
  }
  std::unique_ptr<Database> db_;
};

// ---- Single operations ----

TEST_F(StateTest, InitReadAndAlreadyExists) {
  EXPECT_ERROR(db_->StateRead(kRun, "cell"), ErrorCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(Version v1, db_->StateInit(kRun, "cell", Value(1)));
  EXPECT_EQ(v1, 1u);
  ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db_->StateRead(kRun, "cell"));
  EXPECT_EQ(got.value, Value(1));
  EXPECT_EQ(got.version, v1);
  EXPECT_GT(got.timestamp_us, 0);

  EXPECT_ERROR(db_->StateInit(kRun, "cell", Value(2)), ErrorCode::kAlreadyExists);
  EXPECT_EQ(db_->CurrentVersion(), v1) << "a failed init writes nothing";
  ASSERT_OK_AND_ASSIGN(got, db_->StateRead(kRun, "cell"));
  EXPECT_EQ(got.value, Value(1));

  // A stored null is a value, not absence.
  ASSERT_OK(db_->StateInit(kRun, "null", Value()).status());
  ASSERT_OK_AND_ASSIGN(got, db_->StateRead(kRun, "null"));
  EXPECT_TRUE(got.value.is_null());
  EXPECT_ERROR(db_->StateInit(kRun, "null", Value(1)), ErrorCode::kAlreadyExists);

  // Cells are per run, and separate from KV keys of the same name.
  ASSERT_OK(db_->CreateRun("r").status());
  EXPECT_ERROR(db_->StateRead("r", "cell"), ErrorCode::kNotFound);
  ASSERT_OK(db_->StateInit("r", "cell", Value("other run")).status());
  EXPECT_ERROR(db_->KvGet(kRun, "cell"), ErrorCode::kNotFound);
  ASSERT_OK(db_->KvPut(kRun, "kvonly", Value(1)).status());
  EXPECT_ERROR(db_->StateRead(kRun, "kvonly"), ErrorCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(got, db_->StateRead(kRun, "cell"));
  EXPECT_EQ(got.value, Value(1));
}

TEST_F(StateTest, SetIsAnUpsert) {
  ASSERT_OK_AND_ASSIGN(Version v1, db_->StateSet(kRun, "s", Value("a")));
  ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db_->StateRead(kRun, "s"));
  EXPECT_EQ(got.value, Value("a"));
  EXPECT_EQ(got.version, v1);
  ASSERT_OK_AND_ASSIGN(Version v2, db_->StateSet(kRun, "s", Value("b")));
  EXPECT_GT(v2, v1);
  ASSERT_OK_AND_ASSIGN(got, db_->StateRead(kRun, "s"));
  EXPECT_EQ(got.value, Value("b"));
  EXPECT_EQ(got.version, v2);
  // Same value again still makes a new version.
  ASSERT_OK_AND_ASSIGN(Version v3, db_->StateSet(kRun, "s", Value("b")));
  EXPECT_GT(v3, v2);
  ASSERT_OK_AND_ASSIGN(got, db_->StateRead(kRun, "s"));
  EXPECT_EQ(got.version, v3);
}

TEST_F(StateTest, CompareAndSwap) {
  ASSERT_OK_AND_ASSIGN(Version v1, db_->StateInit(kRun, "c", Value(10)));
  ASSERT_OK_AND_ASSIGN(Version v2, db_->StateCas(kRun, "c", v1, Value(11)));
  EXPECT_GT(v2, v1);
  ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db_->StateRead(kRun, "c"));
  EXPECT_EQ(got.value, Value(11));
  EXPECT_EQ(got.version, v2);

  // A stale expectation: Conflict carrying the current version, nothing
  // written.
  const Version before = db_->CurrentVersion();
  absl::StatusOr<Version> stale = db_->StateCas(kRun, "c", v1, Value(99));
  EXPECT_ERROR(stale, ErrorCode::kConflict);
  EXPECT_TRUE(IsConflict(stale.status()));
  EXPECT_EQ(ErrorVersion(stale.status()), std::optional<uint64_t>(v2)) << stale.status();
  EXPECT_EQ(db_->CurrentVersion(), before);
  // Expected version 0 on an existing cell is stale too.
  absl::StatusOr<Version> zero = db_->StateCas(kRun, "c", 0, Value(99));
  EXPECT_ERROR(zero, ErrorCode::kConflict);
  EXPECT_EQ(ErrorVersion(zero.status()), std::optional<uint64_t>(v2));
  // A version from the future is stale as well.
  absl::StatusOr<Version> future = db_->StateCas(kRun, "c", v2 + 100, Value(99));
  EXPECT_ERROR(future, ErrorCode::kConflict);
  EXPECT_EQ(ErrorVersion(future.status()), std::optional<uint64_t>(v2));
  ASSERT_OK_AND_ASSIGN(got, db_->StateRead(kRun, "c"));
  EXPECT_EQ(got.value, Value(11));

  // The version carried by the conflict is usable for the retry.
  ASSERT_OK_AND_ASSIGN(Version v3,
                       db_->StateCas(kRun, "c", *ErrorVersion(stale.status()), Value(12)));
  ASSERT_OK_AND_ASSIGN(got, db_->StateRead(kRun, "c"));
  EXPECT_EQ(got.value, Value(12));
  EXPECT_EQ(got.version, v3);

  // Another key's write moves the database version but not this cell's.
  ASSERT_OK(db_->StateSet(kRun, "unrelated", Value(0)).status());
  ASSERT_OK(db_->StateCas(kRun, "c", v3, Value(13)).status());

  // A missing cell: NotFound, also with expected version 0.
  EXPECT_ERROR(db_->StateCas(kRun, "missing", 0, Value(1)), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->StateCas(kRun, "missing", 5, Value(1)), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->StateRead(kRun, "missing"), ErrorCode::kNotFound);
}

TEST_F(StateTest, DeleteAndReinit) {
  EXPECT_ERROR(db_->StateDelete(kRun, "d"), ErrorCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(Version v1, db_->StateInit(kRun, "d", Value(1)));
  ASSERT_OK_AND_ASSIGN(Version vd, db_->StateDelete(kRun, "d"));
  EXPECT_GT(vd, v1);
  EXPECT_ERROR(db_->StateRead(kRun, "d"), ErrorCode::kNotFound);
  const Version after_delete = db_->CurrentVersion();
  EXPECT_ERROR(db_->StateDelete(kRun, "d"), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->StateCas(kRun, "d", v1, Value(2)), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->StateCas(kRun, "d", vd, Value(2)), ErrorCode::kNotFound);
  EXPECT_EQ(db_->CurrentVersion(), after_delete) << "failed operations write nothing";
  // Deleted cells can be initialized again.
  ASSERT_OK_AND_ASSIGN(Version v2, db_->StateInit(kRun, "d", Value(2)));
  ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db_->StateRead(kRun, "d"));
  EXPECT_EQ(got.value, Value(2));
  EXPECT_EQ(got.version, v2);
  ASSERT_OK(db_->StateCas(kRun, "d", v2, Value(3)).status());
}

TEST_F(StateTest, AddressableVersionedAndCounted) {
  ASSERT_OK_AND_ASSIGN(Version v1, db_->StateInit(kRun, "cell", Value("one")));
  ASSERT_OK_AND_ASSIGN(Version v2, db_->StateSet(kRun, "cell", Value("two")));
  ASSERT_OK_AND_ASSIGN(Version v3, db_->StateDelete(kRun, "cell"));
  ASSERT_OK_AND_ASSIGN(Version v4, db_->StateInit(kRun, "cell", Value("four")));
  const EntityRef ref{kRun, Primitive::kState, "cell", {}, {}};
  ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db_->Get(ref));
  EXPECT_EQ(got.value, Value("four"));
  EXPECT_EQ(got.version, v4);
  ASSERT_OK_AND_ASSIGN(EntityRef parsed, EntityRef::Parse("state://default/cell"));
  EXPECT_EQ(parsed, ref);
  ASSERT_OK_AND_ASSIGN(got, db_->GetAt(ref, v2));
  EXPECT_EQ(got.value, Value("two"));
  EXPECT_ERROR(db_->GetAt(ref, v3), ErrorCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(got, db_->GetAt(ref, v1));
  EXPECT_EQ(got.value, Value("one"));
  ASSERT_OK_AND_ASSIGN(std::vector<KvVersion> history, db_->History(ref, 10));
  ASSERT_EQ(history.size(), 4u);
  EXPECT_EQ(history[0].version, v4);
  EXPECT_TRUE(history[1].deleted);
  EXPECT_EQ(history[1].version, v3);
  EXPECT_EQ(history[3].value, Value("one"));
  ASSERT_OK(db_->StateSet(kRun, "other", Value(1)).status());
  ASSERT_OK_AND_ASSIGN(uint64_t count, db_->Count(kRun, Primitive::kState));
  EXPECT_EQ(count, 2u);
  ASSERT_OK_AND_ASSIGN(bool exists, db_->Exists(ref));
  EXPECT_TRUE(exists);
}

// ---- Listings ----

TEST_F(StateTest, ListWithPrefixCursorAndLimit) {
  const uint64_t seed = TestSeed();
  std::mt19937_64 rng(seed);
  std::set<std::string> names;
  for (int i = 0; i < 150; ++i) {
    const std::string prefix = std::vector<std::string>{"a/", "ab/", "b/", "", "a"}[rng() % 5];
    const std::string name = absl::StrCat(prefix, absl::StrFormat("%04d", rng() % 500));
    ASSERT_OK(db_->StateSet(kRun, name, Value(name)).status());
    names.insert(name);
  }
  // Some deletes: deleted cells are not listed.
  std::vector<std::string> all(names.begin(), names.end());
  for (int i = 0; i < 20; ++i) {
    const std::string& victim = all[rng() % all.size()];
    if (names.erase(victim) == 1) ASSERT_OK(db_->StateDelete(kRun, victim).status());
  }
  ASSERT_OK(db_->CreateRun("elsewhere").status());
  ASSERT_OK(db_->StateSet("elsewhere", "a/0001", Value(0)).status());
  ASSERT_OK(db_->KvPut(kRun, "a/kv", Value(0)).status());

  for (const std::string prefix : {"", "a", "a/", "ab/", "b/", "c", "a/00"}) {
    std::vector<std::string> expected;
    for (const std::string& n : names) {
      if (n.starts_with(prefix)) expected.push_back(n);
    }
    for (uint32_t limit : {1u, 7u, 1000u}) {
      const std::vector<KvEntry> got = ListAll(db_.get(), kRun, prefix, limit);
      EXPECT_EQ(Names(got), expected) << "prefix '" << prefix << "' limit " << limit;
      for (const auto& e : got) {
        EXPECT_EQ(e.value.value, Value(e.key));
        EXPECT_GT(e.value.version, 0u);
      }
    }
  }
  // A single page with room to spare has no cursor; an exactly full last
  // page may or may not, but never repeats entries (checked by ListAll).
  ASSERT_OK_AND_ASSIGN(KvPage page, db_->StateList(kRun, ListRequest{"c", "", 10}));
  EXPECT_TRUE(page.entries.empty());
  EXPECT_TRUE(page.next_cursor.empty());
  // A cursor resumes strictly after the given name, even if that name is
  // not a cell.
  const std::string pivot = *std::next(names.begin(), static_cast<long>(names.size() / 2));
  ASSERT_OK_AND_ASSIGN(page, db_->StateList(kRun, ListRequest{"", pivot, 3}));
  ASSERT_FALSE(page.entries.empty());
  EXPECT_GT(page.entries[0].key, pivot);
  EXPECT_EQ(page.entries[0].key, *names.upper_bound(pivot));
  // An empty run lists nothing.
  ASSERT_OK(db_->CreateRun("empty").status());
  ASSERT_OK_AND_ASSIGN(page, db_->StateList("empty", ListRequest{}));
  EXPECT_TRUE(page.entries.empty());
}

// ---- Transitions ----

TEST_F(StateTest, TransitionAppliesTheFunction) {
  ASSERT_OK(db_->StateInit(kRun, "n", Value(1)).status());
  int calls = 0;
  ASSERT_OK_AND_ASSIGN(
      Versioned<Value> out,
      db_->StateTransition(kRun, "n", [&](const Versioned<Value>& cur) -> absl::StatusOr<Value> {
        ++calls;
        return Value(cur.value.AsInt() * 10);
      }));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(out.value, Value(10));
  ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db_->StateRead(kRun, "n"));
  EXPECT_EQ(got.value, Value(10));
  EXPECT_EQ(got.version, out.version);
  EXPECT_EQ(got.timestamp_us, out.timestamp_us);
  EXPECT_EQ(out.version, db_->CurrentVersion());

  // The function sees the current value and version.
  ASSERT_OK(db_->StateTransition(kRun, "n", [&](const Versioned<Value>& cur)
                                                -> absl::StatusOr<Value> {
                 EXPECT_EQ(cur.value, Value(10));
                 EXPECT_EQ(cur.version, got.version);
                 return Value(Value::Object{{"was", cur.value}});
               })
                .status());
  ASSERT_OK_AND_ASSIGN(got, db_->StateRead(kRun, "n"));
  EXPECT_EQ(got.value, Value(Value::Object{{"was", Value(10)}}));
}

TEST_F(StateTest, TransitionErrorIsReturnedAndNothingWritten) {
  ASSERT_OK_AND_ASSIGN(Version v, db_->StateInit(kRun, "n", Value(1)));
  const Version before = db_->CurrentVersion();
  absl::StatusOr<Versioned<Value>> r =
      db_->StateTransition(kRun, "n", [](const Versioned<Value>&) -> absl::StatusOr<Value> {
        return absl::FailedPreconditionError("budget exhausted");
      });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(r.status().message(), "budget exhausted") << "returned as is";
  EXPECT_EQ(db_->CurrentVersion(), before);
  ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db_->StateRead(kRun, "n"));
  EXPECT_EQ(got.value, Value(1));
  EXPECT_EQ(got.version, v);

  // Strata errors from fn are returned as is too -- a Conflict from fn is
  // fn's error, not a commit conflict, so it is not retried.
  int calls = 0;
  for (const ErrorCode code : {ErrorCode::kInvalidArgument, ErrorCode::kConflict}) {
    calls = 0;
    r = db_->StateTransition(kRun, "n", [&](const Versioned<Value>&) -> absl::StatusOr<Value> {
      ++calls;
      return MakeError(code, "from fn");
    });
    EXPECT_ERROR(r, code);
    EXPECT_EQ(r.status().message(), "from fn");
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(db_->CurrentVersion(), before);
  }

  // Missing cell: NotFound and fn is never called.
  calls = 0;
  r = db_->StateTransition(kRun, "missing", [&](const Versioned<Value>& c) -> absl::StatusOr<Value> {
    ++calls;
    return c.value;
  });
  EXPECT_ERROR(r, ErrorCode::kNotFound);
  EXPECT_EQ(calls, 0);
  EXPECT_ERROR(db_->StateRead(kRun, "missing"), ErrorCode::kNotFound);

  // max_attempts 0 is invalid.
  EXPECT_ERROR(db_->StateTransition(
                   kRun, "n", [](const Versioned<Value>& c) -> absl::StatusOr<Value> { return c.value; },
                   0),
               ErrorCode::kInvalidArgument);
  EXPECT_EQ(db_->CurrentVersion(), before);
}

TEST_F(StateTest, TransitionOversizeResultIsResourceExhausted) {
  Options o;
  o.max_value_bytes = 128;
  Open(o);
  ASSERT_OK(db_->StateInit(kRun, "n", Value(1)).status());
  const Version before = db_->CurrentVersion();
  EXPECT_ERROR(db_->StateTransition(kRun, "n",
                                    [](const Versioned<Value>&) -> absl::StatusOr<Value> {
                                      return Value(std::string(1000, 'x'));
                                    }),
               ErrorCode::kResourceExhausted);
  EXPECT_EQ(db_->CurrentVersion(), before);
}

// A concurrent commit between the transition's read and its commit makes it
// retry from a fresh read, so the concurrent write is never lost.
TEST_F(StateTest, TransitionRetriesOnAConcurrentChange) {
  ASSERT_OK(db_->StateInit(kRun, "n", Value(0)).status());
  int calls = 0;
  ASSERT_OK_AND_ASSIGN(
      Versioned<Value> out,
      db_->StateTransition(kRun, "n", [&](const Versioned<Value>& cur) -> absl::StatusOr<Value> {
        if (++calls == 1) {
          // Someone else writes the cell after our read.
          EXPECT_OK(db_->StateSet(kRun, "n", Value(100)).status());
        }
        return Value(cur.value.AsInt() + 1);
      }));
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(out.value, Value(101));
  ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db_->StateRead(kRun, "n"));
  EXPECT_EQ(got.value, Value(101));

  // With a single attempt the interfered transition gives up with a
  // Conflict and writes nothing.
  calls = 0;
  absl::StatusOr<Versioned<Value>> r = db_->StateTransition(
      kRun, "n",
      [&](const Versioned<Value>& cur) -> absl::StatusOr<Value> {
        if (++calls == 1) EXPECT_OK(db_->StateSet(kRun, "n", Value(500)).status());
        return Value(cur.value.AsInt() + 1);
      },
      1);
  EXPECT_ERROR(r, ErrorCode::kConflict);
  EXPECT_EQ(calls, 1);
  ASSERT_OK_AND_ASSIGN(got, db_->StateRead(kRun, "n"));
  EXPECT_EQ(got.value, Value(500));
}

// N threads incrementing one counter with transitions: the final count is
// exact and every increment observed a distinct predecessor.
TEST_F(StateTest, ConcurrentTransitionsCountExactly) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 500;
  ASSERT_OK(db_->StateInit(kRun, "counter", Value(0)).status());
  std::vector<std::vector<int64_t>> results(kThreads);
  std::vector<absl::Status> errors(kThreads);
  std::atomic<int64_t> fn_calls{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      while (!go.load()) std::this_thread::yield();
      Version last_version = 0;
      for (int i = 0; i < kPerThread; ++i) {
        absl::StatusOr<Versioned<Value>> r = db_->StateTransition(
            kRun, "counter",
            [&](const Versioned<Value>& cur) -> absl::StatusOr<Value> {
              fn_calls.fetch_add(1);
              // Widen the window between the read and the commit so that
              // transitions really interleave, even on one core.
              std::this_thread::yield();
              return Value(cur.value.AsInt() + 1);
            },
            /*max_attempts=*/100000);
        if (!r.ok()) {
          errors[t] = r.status();
          return;
        }
        if (r->version <= last_version) {
          errors[t] = absl::InternalError(absl::StrCat("version went from ", last_version,
                                                       " to ", r->version));
          return;
        }
        last_version = r->version;
        results[t].push_back(r->value.AsInt());
      }
    });
  }
  go = true;
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) ASSERT_OK(errors[t]);
  constexpr int64_t kTotal = int64_t{kThreads} * kPerThread;
  ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db_->StateRead(kRun, "counter"));
  EXPECT_EQ(got.value, Value(kTotal));
  // Each transition returned the value it wrote: together exactly 1..N.
  std::vector<int64_t> all;
  for (const auto& r : results) all.insert(all.end(), r.begin(), r.end());
  std::sort(all.begin(), all.end());
  ASSERT_EQ(all.size(), static_cast<size_t>(kTotal));
  for (int64_t k = 0; k < kTotal; ++k) ASSERT_EQ(all[k], k + 1) << "lost or duplicated update";
  EXPECT_GT(fn_calls.load(), kTotal) << "no transition was ever retried: the test did not "
                                        "exercise concurrent read-modify-write";
  std::printf("[ info     ] %lld transitions, %lld calls of fn (retries after conflicts)\n",
              static_cast<long long>(kTotal), static_cast<long long>(fn_calls.load()));
  ASSERT_OK_AND_ASSIGN(std::vector<KvVersion> history,
                       db_->History(EntityRef{kRun, Primitive::kState, "counter", {}, {}},
                                    kMaxListLimit));
  EXPECT_EQ(history.size(), static_cast<size_t>(kTotal + 1));
}

// The same invariant with explicit read + CAS loops using the version that
// a conflict carries.
TEST_F(StateTest, ConcurrentCasCounterCountsExactly) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 300;
  ASSERT_OK(db_->StateInit(kRun, "counter", Value(0)).status());
  std::vector<absl::Status> errors(kThreads);
  std::atomic<int64_t> conflicts{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        absl::StatusOr<Versioned<Value>> cur = db_->StateRead(kRun, "counter");
        if (!cur.ok()) {
          errors[t] = cur.status();
          return;
        }
        Version expected = cur->version;
        int64_t value = cur->value.AsInt();
        for (int attempt = 0;; ++attempt) {
          std::this_thread::yield();  // Let other threads move the cell.
          absl::StatusOr<Version> v =
              db_->StateCas(kRun, "counter", expected, Value(value + 1));
          if (v.ok()) break;
          if (!IsConflict(v.status()) || attempt > 100000) {
            errors[t] = v.status();
            return;
          }
          conflicts.fetch_add(1);
          const std::optional<uint64_t> now = ErrorVersion(v.status());
          if (!now.has_value() || *now <= expected) {
            errors[t] = absl::InternalError(
                absl::StrCat("conflict without a newer current version: ", v.status().ToString()));
            return;
          }
          cur = db_->StateRead(kRun, "counter");
          if (!cur.ok()) {
            errors[t] = cur.status();
            return;
          }
          expected = cur->version;
          value = cur->value.AsInt();
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) ASSERT_OK(errors[t]);
  ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db_->StateRead(kRun, "counter"));
  EXPECT_EQ(got.value, Value(int64_t{kThreads} * kPerThread))
      << conflicts.load() << " conflicts";
  EXPECT_GT(conflicts.load(), 0) << "the CAS loops never raced";
}

// ---- Transactions ----

TEST_F(StateTest, InitSetCasInOneTransaction) {
  ASSERT_OK_AND_ASSIGN(Version vc, db_->StateInit(kRun, "c", Value(1)));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> txn, db_->BeginTransaction());
  ASSERT_OK(txn->StateInit(kRun, "a", Value("new")));
  ASSERT_OK(txn->StateSet(kRun, "b", Value("set")));
  ASSERT_OK(txn->StateCas(kRun, "c", vc, Value(2)));
  // Read your own writes; others do not see them yet.
  ASSERT_OK_AND_ASSIGN(Versioned<Value> own, txn->StateRead(kRun, "a"));
  EXPECT_EQ(own.value, Value("new"));
  ASSERT_OK_AND_ASSIGN(own, txn->StateRead(kRun, "c"));
  EXPECT_EQ(own.value, Value(2));
  EXPECT_ERROR(txn->StateInit(kRun, "a", Value("again")), ErrorCode::kAlreadyExists);
  ASSERT_OK_AND_ASSIGN(KvPage page, txn->StateList(kRun, ListRequest{}));
  EXPECT_EQ(Names(page.entries), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_ERROR(db_->StateRead(kRun, "a"), ErrorCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(Versioned<Value> outside, db_->StateRead(kRun, "c"));
  EXPECT_EQ(outside.value, Value(1));

  ASSERT_OK_AND_ASSIGN(Version v, txn->Commit());
  for (const char* name : {"a", "b", "c"}) {
    ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db_->StateRead(kRun, name));
    EXPECT_EQ(got.version, v) << name;
  }
  ASSERT_OK_AND_ASSIGN(Versioned<Value> c, db_->StateRead(kRun, "c"));
  EXPECT_EQ(c.value, Value(2));
}

TEST_F(StateTest, TransactionalCasWithStaleVersionFailsImmediately) {
  ASSERT_OK_AND_ASSIGN(Version v1, db_->StateInit(kRun, "c", Value(1)));
  ASSERT_OK_AND_ASSIGN(Version v2, db_->StateSet(kRun, "c", Value(2)));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> txn, db_->BeginTransaction());
  absl::Status s = txn->StateCas(kRun, "c", v1, Value(3));
  EXPECT_ERROR(s, ErrorCode::kConflict);
  EXPECT_EQ(ErrorVersion(s), std::optional<uint64_t>(v2)) << s;
  EXPECT_ERROR(txn->StateCas(kRun, "missing", 0, Value(3)), ErrorCode::kNotFound);
}

// database.hpp: StateCas fails with "Conflict carrying the current version
// (now or at commit) when it moved" -- also when the move is detected at
// commit.
TEST_F(StateTest, TransactionalCasConflictAtCommitCarriesTheCurrentVersion) {
  ASSERT_OK_AND_ASSIGN(Version v1, db_->StateInit(kRun, "c", Value(1)));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> txn, db_->BeginTransaction());
  ASSERT_OK(txn->StateCas(kRun, "c", v1, Value(20)));
  ASSERT_OK_AND_ASSIGN(Version w, db_->StateSet(kRun, "c", Value(10)));
  absl::StatusOr<Version> lost = txn->Commit();
  EXPECT_ERROR(lost, ErrorCode::kConflict);
  EXPECT_EQ(ErrorVersion(lost.status()), std::optional<uint64_t>(w)) << lost.status();
  ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db_->StateRead(kRun, "c"));
  EXPECT_EQ(got.value, Value(10));
}

// A transaction's CAS compares with the cell's committed version, which may
// be newer than the transaction's snapshot: "Writes `value` if the cell's
// committed version is `expected_version` ... Conflict carrying the current
// version (now or at commit) when it moved". KV's transactional CAS behaves
// that way; state cells must too (invariant 7: the same semantics in every
// primitive).
TEST_F(StateTest, TransactionalCasComparesWithTheNewestCommitNotTheSnapshot) {
  ASSERT_OK(db_->StateInit(kRun, "c", Value(1)).status());
  ASSERT_OK(db_->KvPut(kRun, "k", Value(1)).status());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> txn, db_->BeginTransaction());
  // Both move after the transaction's snapshot.
  ASSERT_OK_AND_ASSIGN(Version v2, db_->StateSet(kRun, "c", Value(2)));
  ASSERT_OK_AND_ASSIGN(Version k2, db_->KvPut(kRun, "k", Value(2)));
  ASSERT_OK(txn->KvCompareAndSwap(kRun, "k", k2, Value(3)));
  absl::Status s = txn->StateCas(kRun, "c", v2, Value(3));
  EXPECT_OK(s);
  if (!s.ok()) {
    // At the very least the version reported must be the current one.
    EXPECT_EQ(ErrorVersion(s), std::optional<uint64_t>(v2)) << s;
    return;
  }
  ASSERT_OK(txn->Commit().status());
  ASSERT_OK_AND_ASSIGN(Versioned<Value> c, db_->StateRead(kRun, "c"));
  EXPECT_EQ(c.value, Value(3));
}

TEST_F(StateTest, DeleteThenInitInOneTransaction) {
  ASSERT_OK(db_->StateInit(kRun, "c", Value(1)).status());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> txn, db_->BeginTransaction());
  ASSERT_OK(txn->StateDelete(kRun, "c"));
  EXPECT_ERROR(txn->StateRead(kRun, "c"), ErrorCode::kNotFound);
  EXPECT_ERROR(txn->StateDelete(kRun, "c"), ErrorCode::kNotFound);
  ASSERT_OK(txn->StateInit(kRun, "c", Value(2)));
  ASSERT_OK(txn->Commit().status());
  ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db_->StateRead(kRun, "c"));
  EXPECT_EQ(got.value, Value(2));
}

TEST_F(StateTest, ConflictsBetweenTransactions) {
  ASSERT_OK_AND_ASSIGN(Version v1, db_->StateInit(kRun, "c", Value(1)));

  // Two CASes on the same expectation: the second commit fails.
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> t1, db_->BeginTransaction());
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> t2, db_->BeginTransaction());
    ASSERT_OK(t1->StateCas(kRun, "c", v1, Value(10)));
    ASSERT_OK(t2->StateCas(kRun, "c", v1, Value(20)));
    ASSERT_OK_AND_ASSIGN(Version w, t1->Commit());
    EXPECT_ERROR(t2->Commit(), ErrorCode::kConflict);
    ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db_->StateRead(kRun, "c"));
    EXPECT_EQ(got.value, Value(10));
    EXPECT_EQ(got.version, w);
  }
  // Read-modify-write in two transactions: first committer wins.
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> t1, db_->BeginTransaction());
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> t2, db_->BeginTransaction());
    ASSERT_OK_AND_ASSIGN(Versioned<Value> r1, t1->StateRead(kRun, "c"));
    ASSERT_OK_AND_ASSIGN(Versioned<Value> r2, t2->StateRead(kRun, "c"));
    ASSERT_OK(t1->StateSet(kRun, "c", Value(r1.value.AsInt() + 1)));
    ASSERT_OK(t2->StateSet(kRun, "c", Value(r2.value.AsInt() + 1)));
    ASSERT_OK(t1->Commit().status());
    EXPECT_ERROR(t2->Commit(), ErrorCode::kConflict);
    ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db_->StateRead(kRun, "c"));
    EXPECT_EQ(got.value, Value(11));
  }
  // Two inits of one new cell: exactly one wins.
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> t1, db_->BeginTransaction());
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> t2, db_->BeginTransaction());
    ASSERT_OK(t1->StateInit(kRun, "fresh", Value("t1")));
    ASSERT_OK(t2->StateInit(kRun, "fresh", Value("t2")));
    ASSERT_OK(t1->Commit().status());
    EXPECT_ERROR(t2->Commit(), ErrorCode::kConflict);
    ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db_->StateRead(kRun, "fresh"));
    EXPECT_EQ(got.value, Value("t1"));
  }
  // An init racing a single-operation init.
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> t1, db_->BeginTransaction());
    ASSERT_OK(t1->StateInit(kRun, "fresh2", Value("txn")));
    ASSERT_OK(db_->StateInit(kRun, "fresh2", Value("direct")).status());
    EXPECT_ERROR(t1->Commit(), ErrorCode::kConflict);
    ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db_->StateRead(kRun, "fresh2"));
    EXPECT_EQ(got.value, Value("direct"));
  }
  // Two deletes of one cell: exactly one succeeds.
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> t1, db_->BeginTransaction());
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> t2, db_->BeginTransaction());
    ASSERT_OK(t1->StateDelete(kRun, "fresh"));
    ASSERT_OK(t2->StateDelete(kRun, "fresh"));
    ASSERT_OK(t1->Commit().status());
    EXPECT_ERROR(t2->Commit(), ErrorCode::kConflict);
    EXPECT_ERROR(db_->StateRead(kRun, "fresh"), ErrorCode::kNotFound);
  }
  // A listing conflicts with a cell added to the listed range.
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> t1, db_->BeginTransaction());
    ASSERT_OK(t1->StateList(kRun, ListRequest{"p/", "", 100}).status());
    ASSERT_OK(t1->StateSet(kRun, "summary", Value(0)));
    ASSERT_OK(db_->StateSet(kRun, "p/new", Value(1)).status());
    EXPECT_ERROR(t1->Commit(), ErrorCode::kConflict);
  }
  // Blind sets do not conflict: the last committer wins.
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> t1, db_->BeginTransaction());
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> t2, db_->BeginTransaction());
    ASSERT_OK(t1->StateSet(kRun, "blind", Value(1)));
    ASSERT_OK(t2->StateSet(kRun, "blind", Value(2)));
    ASSERT_OK(t1->Commit().status());
    ASSERT_OK(t2->Commit().status());
    ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db_->StateRead(kRun, "blind"));
    EXPECT_EQ(got.value, Value(2));
  }
}

TEST_F(StateTest, RollbackLeavesNoTrace) {
  ASSERT_OK(db_->StateInit(kRun, "keep", Value(1)).status());
  const Version before = db_->CurrentVersion();
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> txn, db_->BeginTransaction());
    ASSERT_OK(txn->StateInit(kRun, "new", Value(1)));
    ASSERT_OK(txn->StateSet(kRun, "keep", Value(2)));
    ASSERT_OK(txn->StateDelete(kRun, "keep"));
    txn->Rollback();
    EXPECT_ERROR(txn->StateSet(kRun, "x", Value(1)), ErrorCode::kFailedPrecondition);
  }
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> txn, db_->BeginTransaction());
    ASSERT_OK(txn->StateSet(kRun, "keep", Value(3)));
  }  // Destroyed uncommitted.
  EXPECT_EQ(db_->CurrentVersion(), before);
  ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db_->StateRead(kRun, "keep"));
  EXPECT_EQ(got.value, Value(1));
  EXPECT_ERROR(db_->StateRead(kRun, "new"), ErrorCode::kNotFound);
}

// ---- Runs and argument validation ----

TEST_F(StateTest, Validation) {
  const Version before = db_->CurrentVersion();
  auto identity = [](const Versioned<Value>& c) -> absl::StatusOr<Value> { return c.value; };
  // Empty names.
  EXPECT_ERROR(db_->StateInit(kRun, "", Value(1)), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(db_->StateRead(kRun, ""), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(db_->StateSet(kRun, "", Value(1)), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(db_->StateCas(kRun, "", 1, Value(1)), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(db_->StateDelete(kRun, ""), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(db_->StateTransition(kRun, "", identity), ErrorCode::kInvalidArgument);
  // Oversize names.
  const std::string huge(kMaxKeyBytes + 1, 'n');
  EXPECT_ERROR(db_->StateInit(kRun, huge, Value(1)), ErrorCode::kResourceExhausted);
  EXPECT_ERROR(db_->StateSet(kRun, huge, Value(1)), ErrorCode::kResourceExhausted);
  EXPECT_ERROR(db_->StateRead(kRun, huge), ErrorCode::kResourceExhausted);
  ASSERT_OK(db_->StateSet(kRun, std::string(kMaxKeyBytes, 'n'), Value(1)).status());
  // Binary names are fine.
  const std::string binary("\0\xff/x", 4);
  ASSERT_OK(db_->StateInit(kRun, binary, Value(1)).status());
  ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db_->StateRead(kRun, binary));
  EXPECT_EQ(got.value, Value(1));
  const Version after_valid = db_->CurrentVersion();
  EXPECT_EQ(after_valid, before + 2);

  // Bad run ids.
  for (const std::string& bad : std::vector<std::string>{
           "", "bad run", "a/b", std::string(kMaxRunIdBytes + 1, 'r')}) {
    SCOPED_TRACE(bad);
    const ErrorCode want =
        bad.size() > kMaxRunIdBytes ? ErrorCode::kResourceExhausted : ErrorCode::kInvalidArgument;
    EXPECT_ERROR(db_->StateInit(bad, "n", Value(1)), want);
    EXPECT_ERROR(db_->StateRead(bad, "n"), want);
    EXPECT_ERROR(db_->StateSet(bad, "n", Value(1)), want);
    EXPECT_ERROR(db_->StateCas(bad, "n", 1, Value(1)), want);
    EXPECT_ERROR(db_->StateDelete(bad, "n"), want);
    EXPECT_ERROR(db_->StateList(bad, ListRequest{}), want);
    EXPECT_ERROR(db_->StateTransition(bad, "n", identity), want);
  }
  // Unknown runs.
  EXPECT_ERROR(db_->StateInit("nope", "n", Value(1)), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->StateRead("nope", "n"), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->StateSet("nope", "n", Value(1)), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->StateCas("nope", "n", 1, Value(1)), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->StateDelete("nope", "n"), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->StateList("nope", ListRequest{}), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->StateTransition("nope", "n", identity), ErrorCode::kNotFound);
  // List limits.
  EXPECT_ERROR(db_->StateList(kRun, ListRequest{"", "", 0}), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(db_->StateList(kRun, ListRequest{"", "", kMaxListLimit + 1}),
               ErrorCode::kInvalidArgument);
  ASSERT_OK(db_->StateList(kRun, ListRequest{"", "", kMaxListLimit}).status());
  EXPECT_EQ(db_->CurrentVersion(), after_valid) << "failed operations write nothing";

  // The same checks inside a transaction.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> txn, db_->BeginTransaction());
  EXPECT_ERROR(txn->StateInit(kRun, "", Value(1)), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(txn->StateSet("bad run", "n", Value(1)), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(txn->StateSet("nope", "n", Value(1)), ErrorCode::kNotFound);
  EXPECT_ERROR(txn->StateRead("nope", "n"), ErrorCode::kNotFound);
  EXPECT_ERROR(txn->StateDelete(kRun, "never"), ErrorCode::kNotFound);
  EXPECT_ERROR(txn->StateList(kRun, ListRequest{"", "", 0}), ErrorCode::kInvalidArgument);
}

TEST_F(StateTest, OversizeValueIsResourceExhausted) {
  Options o;
  o.max_value_bytes = 128;
  Open(o);
  const Value big(std::string(1000, 'x'));
  ASSERT_OK_AND_ASSIGN(Version v, db_->StateInit(kRun, "c", Value(1)));
  EXPECT_ERROR(db_->StateInit(kRun, "d", big), ErrorCode::kResourceExhausted);
  EXPECT_ERROR(db_->StateSet(kRun, "c", big), ErrorCode::kResourceExhausted);
  EXPECT_ERROR(db_->StateCas(kRun, "c", v, big), ErrorCode::kResourceExhausted);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> txn, db_->BeginTransaction());
  EXPECT_ERROR(txn->StateSet(kRun, "c", big), ErrorCode::kResourceExhausted);
  txn->Rollback();
  EXPECT_EQ(db_->CurrentVersion(), v);
}

TEST_F(StateTest, WritesIntoANonActiveRunAreRefused) {
  auto identity = [](const Versioned<Value>& c) -> absl::StatusOr<Value> { return c.value; };
  ASSERT_OK(db_->CreateRun("job").status());
  ASSERT_OK_AND_ASSIGN(Version v, db_->StateInit("job", "c", Value(1)));
  ASSERT_OK(db_->EndRun("job", RunStatus::kCancelled).status());
  const Version before = db_->CurrentVersion();
  for (int archived = 0; archived < 2; ++archived) {
    EXPECT_ERROR(db_->StateInit("job", "d", Value(1)), ErrorCode::kFailedPrecondition);
    EXPECT_ERROR(db_->StateSet("job", "c", Value(2)), ErrorCode::kFailedPrecondition);
    EXPECT_ERROR(db_->StateCas("job", "c", v, Value(2)), ErrorCode::kFailedPrecondition);
    EXPECT_ERROR(db_->StateDelete("job", "c"), ErrorCode::kFailedPrecondition);
    EXPECT_ERROR(db_->StateTransition("job", "c", identity), ErrorCode::kFailedPrecondition);
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> txn, db_->BeginTransaction());
    EXPECT_ERROR(txn->StateSet("job", "c", Value(2)), ErrorCode::kFailedPrecondition);
    txn->Rollback();
    // Reads keep working.
    ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db_->StateRead("job", "c"));
    EXPECT_EQ(got.value, Value(1));
    EXPECT_EQ(got.version, v);
    ASSERT_OK_AND_ASSIGN(KvPage page, db_->StateList("job", ListRequest{}));
    EXPECT_EQ(page.entries.size(), 1u);
    if (archived == 0) ASSERT_OK(db_->ArchiveRun("job").status());
  }
  EXPECT_EQ(db_->CurrentVersion(), before + 1);  // Only the archive committed.

  // A transaction that wrote into the run conflicts with ending it.
  ASSERT_OK(db_->CreateRun("job2").status());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> txn, db_->BeginTransaction());
  ASSERT_OK(txn->StateSet("job2", "c", Value(1)));
  ASSERT_OK(db_->EndRun("job2", RunStatus::kCompleted).status());
  EXPECT_ERROR(txn->Commit(), ErrorCode::kConflict);
  EXPECT_ERROR(db_->StateRead("job2", "c"), ErrorCode::kNotFound);
}

// ---- Recovery ----

class StateDurabilityTest : public ::testing::TestWithParam<DurabilityMode> {
 protected:
  absl::StatusOr<std::unique_ptr<Database>> Open() {
    Options o;
    o.durability = GetParam();
    return Database::Open(dir_.Sub("db"), o);
  }
  TempDir dir_;
};

TEST_P(StateDurabilityTest, SurvivesCloseAndReopen) {
  const uint64_t seed = TestSeed();
  std::mt19937_64 rng(seed);
  std::map<std::string, Versioned<Value>> expected;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, Open());
    ASSERT_OK(db->CreateRun("r").status());
    for (int i = 0; i < 40; ++i) {
      ASSERT_OK(db->StateSet(kRun, absl::StrCat("cell/", i), testing::RandomValue(rng)).status());
    }
    ASSERT_OK(db->StateInit("r", "counter", Value(0)).status());
    for (int i = 0; i < 10; ++i) {
      ASSERT_OK(db->StateTransition("r", "counter",
                                    [](const Versioned<Value>& c) -> absl::StatusOr<Value> {
                                      return Value(c.value.AsInt() + 1);
                                    })
                    .status());
    }
    for (int i = 0; i < 40; i += 3) ASSERT_OK(db->StateDelete(kRun, absl::StrCat("cell/", i)).status());
    ASSERT_OK_AND_ASSIGN(Versioned<Value> c1, db->StateRead(kRun, "cell/1"));
    ASSERT_OK(db->StateCas(kRun, "cell/1", c1.version, Value("swapped")).status());
    {
      ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> txn, db->BeginTransaction());
      ASSERT_OK(txn->StateInit("r", "txn", Value("committed")));
      ASSERT_OK(txn->StateSet(kRun, "cell/2", Value("from txn")));
      ASSERT_OK(txn->Commit().status());
    }
    {
      ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> txn, db->BeginTransaction());
      ASSERT_OK(txn->StateInit("r", "rolled_back", Value(1)));
      txn->Rollback();
    }
    for (const std::string run : {kRun, "r"}) {
      for (KvEntry& e : ListAll(db.get(), run, "", 1000)) {
        expected[absl::StrCat(run, "|", e.key)] = e.value;
      }
    }
    ASSERT_OK(db->Close());
  }
  ASSERT_EQ(expected.size(), 40u - 14u + 2u);
  for (int reopen = 0; reopen < 2; ++reopen) {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, Open());
    std::map<std::string, Versioned<Value>> got;
    for (const std::string run : {kRun, "r"}) {
      for (KvEntry& e : ListAll(db.get(), run, "", 7)) {
        got[absl::StrCat(run, "|", e.key)] = e.value;
      }
    }
    ASSERT_EQ(got.size(), expected.size());
    for (const auto& [name, v] : expected) {
      ASSERT_TRUE(got.contains(name)) << name;
      EXPECT_EQ(got[name].value, v.value) << name;
      EXPECT_EQ(got[name].version, v.version) << name;
      EXPECT_EQ(got[name].timestamp_us, v.timestamp_us) << name;
    }
    ASSERT_OK_AND_ASSIGN(Versioned<Value> counter, db->StateRead("r", "counter"));
    EXPECT_EQ(counter.value, Value(reopen == 0 ? 10 : 11));
    EXPECT_ERROR(db->StateRead("r", "rolled_back"), ErrorCode::kNotFound);
    EXPECT_ERROR(db->StateRead(kRun, "cell/0"), ErrorCode::kNotFound);
    EXPECT_ERROR(db->StateInit("r", "counter", Value(0)), ErrorCode::kAlreadyExists);
    if (reopen == 0) {
      // Versions survive: a CAS against the pre-close version works, a
      // stale one reports the recovered current version.
      absl::StatusOr<Version> stale =
          db->StateCas("r", "counter", counter.version - 1, Value(-1));
      EXPECT_ERROR(stale, ErrorCode::kConflict);
      EXPECT_EQ(ErrorVersion(stale.status()), std::optional<uint64_t>(counter.version));
      ASSERT_OK_AND_ASSIGN(Version v, db->StateCas("r", "counter", counter.version, Value(11)));
      EXPECT_GT(v, counter.version);
      ASSERT_OK_AND_ASSIGN(Versioned<Value> now, db->StateRead("r", "counter"));
      expected["r|counter"] = now;
      ASSERT_OK(db->StateDelete(kRun, "cell/1").status());
      expected.erase("default|cell/1");
    }
    ASSERT_OK(db->Close());
  }
}

INSTANTIATE_TEST_SUITE_P(Modes, StateDurabilityTest,
                         ::testing::Values(DurabilityMode::kBuffered, DurabilityMode::kStrict),
                         testing::DurabilityModeParamName());

}  // namespace
}  // namespace strata
