// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Recovery of a whole database through DatabaseImpl::OpenAt with a
// FaultInjectionEnv: power loss in Strict and Buffered mode, torn unsynced
// tails, failing syncs, damage in the middle of the log, the directory lock,
// reopen stability, open options and format versions.
//
// Most tests commit "tagged" transactions: transaction number `seq` writes
// 2 or 3 keys "tx/<seq>/<j>" whose value is [seq, padding]. After a crash
// the recovered transactions must be exactly 1..k for some k, each whole.
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>
#include <ostream>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "db/database_impl.hpp"
#include "env/env.hpp"
#include "env/fault_injection_env.hpp"
#include "gtest/gtest.h"
#include "storage/manifest.hpp"
#include "storage/wal_format.hpp"
#include "storage/wal_reader.hpp"
#include "strata/database.hpp"
#include "strata/status.hpp"
#include "test_util.hpp"

namespace strata {
namespace {

using ::strata::testing::TempDir;
using ::strata::testing::TestSeed;

constexpr char kRun[] = "default";

int KeysOf(uint64_t seq) { return 2 + static_cast<int>(seq % 2); }

std::string TaggedKey(uint64_t seq, int j) {
  return absl::StrFormat("tx/%08d/%d", seq, j);
}

// Commits tagged transaction `seq`.
absl::StatusOr<Version> CommitTagged(Database* db, uint64_t seq, size_t pad = 0) {
  absl::StatusOr<std::unique_ptr<Transaction>> txn = db->BeginTransaction();
  if (!txn.ok()) return txn.status();
  for (int j = 0; j < KeysOf(seq); ++j) {
    absl::Status s = (*txn)->KvPut(
        kRun, TaggedKey(seq, j),
        Value(Value::Array{Value(static_cast<int64_t>(seq)), Value(std::string(pad, 'p'))}));
    if (!s.ok()) return s;
  }
  return (*txn)->Commit();
}

// Every live entry of `run` whose key starts with `prefix`, paging with
// `limit` entries per page.
absl::StatusOr<std::vector<KvEntry>> ListAll(Database* db, const std::string& run,
                                             const std::string& prefix,
                                             uint32_t limit = 1000) {
  std::vector<KvEntry> out;
  ListRequest request;
  request.prefix = prefix;
  request.limit = limit;
  for (;;) {
    absl::StatusOr<KvPage> page = db->KvList(run, request);
    if (!page.ok()) return page.status();
    for (KvEntry& e : page->entries) out.push_back(std::move(e));
    if (page->next_cursor.empty()) return out;
    request.cursor = page->next_cursor;
  }
}

struct PrefixCheck {
  uint64_t k = 0;  // Transactions 1..k are present.
  std::vector<std::string> errors;
  std::string Errors() const { return absl::StrJoin(errors, "\n"); }
};

// Checks that the tagged transactions present are exactly 1..k, each with
// all of its keys and the right values. With `version_is_seq` (a database
// that only ever saw tagged commits) also that transaction seq committed at
// version seq.
PrefixCheck CheckTagged(Database* db, bool version_is_seq = true) {
  PrefixCheck out;
  absl::StatusOr<std::vector<KvEntry>> entries = ListAll(db, kRun, "tx/");
  if (!entries.ok()) {
    out.errors.push_back(entries.status().ToString());
    return out;
  }
  std::map<uint64_t, int> keys_per_seq;
  for (const KvEntry& e : *entries) {
    unsigned long long seq = 0;
    int j = 0;
    if (std::sscanf(e.key.c_str(), "tx/%8llu/%d", &seq, &j) != 2 ||
        TaggedKey(seq, j) != e.key) {
      out.errors.push_back("unexpected key " + e.key);
      continue;
    }
    const Value& v = e.value.value;
    if (!v.is_array() || v.AsArray().empty() || !v.AsArray()[0].is_int() ||
        v.AsArray()[0].AsInt() != static_cast<int64_t>(seq)) {
      out.errors.push_back(absl::StrCat(e.key, " has value ", v.ToJson()));
    }
    if (version_is_seq && e.value.version != seq) {
      out.errors.push_back(absl::StrCat(e.key, " has version ", e.value.version));
    }
    ++keys_per_seq[seq];
  }
  out.k = keys_per_seq.size();
  uint64_t expected = 1;
  for (const auto& [seq, n] : keys_per_seq) {
    if (seq != expected) {
      out.errors.push_back(absl::StrCat("transaction ", expected, " is missing but ", seq,
                                        " is present (not a prefix)"));
      expected = seq;
    }
    if (n != KeysOf(seq)) {
      out.errors.push_back(absl::StrCat("transaction ", seq, " is partial: ", n, " of ",
                                        KeysOf(seq), " keys"));
    }
    ++expected;
  }
  return out;
}

class RecoveryTest : public ::testing::Test {
 protected:
  RecoveryTest() : fenv_(Env::Default()) {}

  std::string DbPath(const std::string& name = "db") const { return dir_.Sub(name); }
  std::string WalDir(const std::string& name = "db") const {
    return DbPath(name) + "/" + storage::kWalDirName;
  }

  absl::StatusOr<std::unique_ptr<DatabaseImpl>> Open(const Options& options,
                                                     const std::string& name = "db") {
    return DatabaseImpl::OpenAt(DbPath(name), options, &fenv_);
  }

  // A power loss: from now on nothing reaches the disk, the database is
  // closed (whatever it still writes is lost) and every file loses the bytes
  // it had not synced.
  void PowerLoss(std::unique_ptr<DatabaseImpl>* db) {
    fenv_.SetFilesystemActive(false);
    (*db)->Close().IgnoreError();
    db->reset();
    ASSERT_OK(fenv_.DropUnsyncedData());
    fenv_.SetFilesystemActive(true);
  }

  // The segment files of a database, oldest first.
  std::vector<std::string> Segments(const std::string& name = "db") {
    std::vector<std::string> out;
    absl::StatusOr<std::vector<std::string>> names = Env::Default()->ListDir(WalDir(name));
    EXPECT_TRUE(names.ok()) << names.status();
    if (!names.ok()) return out;
    for (const std::string& n : *names) {
      if (storage::ParseSegmentFileName(n)) out.push_back(WalDir(name) + "/" + n);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  TempDir dir_;
  FaultInjectionEnv fenv_;
};

Options StrictOptions() {
  Options o;
  o.durability = DurabilityMode::kStrict;
  return o;
}

// A Buffered database whose flusher sleeps for a minute: only the
// max_pending_bytes trigger and explicit flushes write the log.
Options LazyBufferedOptions(uint64_t max_pending_bytes = 4096) {
  Options o;
  o.durability = DurabilityMode::kBuffered;
  o.flush_interval_ms = 60000;
  o.max_pending_bytes = max_pending_bytes;
  return o;
}

// ---- (a) Strict: every acknowledged commit survives a power loss ----

TEST_F(RecoveryTest, StrictEveryAcknowledgedCommitSurvivesPowerLoss) {
  constexpr uint64_t kCommits = 60;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<DatabaseImpl> db, Open(StrictOptions()));
    for (uint64_t seq = 1; seq <= kCommits; ++seq) {
      ASSERT_OK_AND_ASSIGN(Version v, CommitTagged(db.get(), seq, seq % 50));
      EXPECT_EQ(v, seq);
    }
    EXPECT_GE(fenv_.sync_count(), kCommits);
    PowerLoss(&db);
  }
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<DatabaseImpl> db, Open(StrictOptions()));
  const PrefixCheck check = CheckTagged(db.get());
  EXPECT_TRUE(check.errors.empty()) << check.Errors();
  EXPECT_EQ(check.k, kCommits);
  EXPECT_EQ(db->CurrentVersion(), kCommits);
  EXPECT_EQ(db->Stats().recovered_records, kCommits);
  // The log continues where it left off.
  ASSERT_OK_AND_ASSIGN(Version v, CommitTagged(db.get(), kCommits + 1));
  EXPECT_EQ(v, kCommits + 1);
}

TEST_F(RecoveryTest, StrictConcurrentAcknowledgedCommitsSurvivePowerLoss) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 25;
  std::vector<std::vector<std::string>> acknowledged(kThreads);
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<DatabaseImpl> db, Open(StrictOptions()));
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          const std::string key = absl::StrCat("c/", t, "/", i);
          absl::StatusOr<std::unique_ptr<Transaction>> txn = db->BeginTransaction();
          if (!txn.ok()) return;
          if (!(*txn)->KvPut(kRun, key + "/a", Value(i)).ok()) return;
          if (!(*txn)->KvPut(kRun, key + "/b", Value(i)).ok()) return;
          if ((*txn)->Commit().ok()) acknowledged[t].push_back(key);
        }
      });
    }
    for (std::thread& t : threads) t.join();
    PowerLoss(&db);
  }
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<DatabaseImpl> db, Open(StrictOptions()));
  size_t total = 0;
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(acknowledged[t].size(), static_cast<size_t>(kPerThread));
    for (const std::string& key : acknowledged[t]) {
      EXPECT_OK(db->KvGet(kRun, key + "/a"));
      EXPECT_OK(db->KvGet(kRun, key + "/b"));
      ++total;
    }
  }
  EXPECT_EQ(db->CurrentVersion(), total);
}

// ---- (b) Buffered: a crash leaves an exact prefix ----

TEST_F(RecoveryTest, BufferedPowerLossRecoversAPrefix) {
  const uint64_t seed = TestSeed();
  std::mt19937_64 rng(seed);
  uint64_t rounds_losing_commits = 0;
  for (int round = 0; round < 6; ++round) {
    SCOPED_TRACE(absl::StrCat("round ", round));
    const std::string name = absl::StrCat("db", round);
    Options options = LazyBufferedOptions();
    options.wal_segment_bytes = 64 << 10;  // Several segments.
    const uint64_t commits = 300 + rng() % 400;
    uint64_t flushed = 0;  // Transactions made durable by an explicit Flush.
    {
      ASSERT_OK_AND_ASSIGN(std::unique_ptr<DatabaseImpl> db, Open(options, name));
      for (uint64_t seq = 1; seq <= commits; ++seq) {
        ASSERT_OK_AND_ASSIGN(Version v, CommitTagged(db.get(), seq, rng() % 200));
        ASSERT_EQ(v, seq);
        if (rng() % 50 == 0) {
          ASSERT_OK(db->Flush());
          flushed = seq;
        }
      }
      PowerLoss(&db);
    }
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<DatabaseImpl> db, Open(options, name));
    const PrefixCheck check = CheckTagged(db.get());
    EXPECT_TRUE(check.errors.empty()) << check.Errors();
    EXPECT_GE(check.k, flushed) << "a flushed commit was lost";
    EXPECT_LE(check.k, commits);
    EXPECT_EQ(db->CurrentVersion(), check.k);
    if (check.k < commits) ++rounds_losing_commits;
    // New commits continue the version sequence, and survive a clean close.
    for (uint64_t seq = check.k + 1; seq <= check.k + 5; ++seq) {
      ASSERT_OK_AND_ASSIGN(Version v, CommitTagged(db.get(), seq));
      EXPECT_EQ(v, seq);
    }
    ASSERT_OK(db->Close());
    ASSERT_OK_AND_ASSIGN(db, Open(options, name));
    const PrefixCheck after = CheckTagged(db.get());
    EXPECT_TRUE(after.errors.empty()) << after.Errors();
    EXPECT_EQ(after.k, check.k + 5);
  }
  // With a one-minute flush interval the unflushed tail must be lost: if it
  // never is, the test is not simulating a crash.
  EXPECT_GT(rounds_losing_commits, 0u);
}

TEST_F(RecoveryTest, BufferedCleanCloseMakesEverythingDurable) {
  constexpr uint64_t kCommits = 150;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<DatabaseImpl> db,
                         Open(LazyBufferedOptions(1 << 20)));
    for (uint64_t seq = 1; seq <= kCommits; ++seq) {
      ASSERT_OK(CommitTagged(db.get(), seq));
    }
    ASSERT_OK(db->Close());
    EXPECT_ERROR(db->KvGet(kRun, TaggedKey(1, 0)), ErrorCode::kClosed);
    EXPECT_OK(db->Close());  // Idempotent.
  }
  // A power loss right after the clean close loses nothing.
  ASSERT_OK(fenv_.DropUnsyncedData());
  Options check_options = LazyBufferedOptions();
  check_options.recovery_mode = RecoveryMode::kAbsoluteConsistency;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<DatabaseImpl> db, Open(check_options));
  const PrefixCheck check = CheckTagged(db.get());
  EXPECT_TRUE(check.errors.empty()) << check.Errors();
  EXPECT_EQ(check.k, kCommits);
}

// ---- (c) Torn unsynced tails ----

TEST_F(RecoveryTest, TornUnsyncedTailRecoversAPrefix) {
  const uint64_t seed = TestSeed();
  std::mt19937_64 rng(seed);
  std::vector<std::string> failures;
  for (int round = 0; round < 12; ++round) {
    double fraction = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
    bool garbage = rng() % 2 == 0;
    if (round == 0) fraction = 0.0, garbage = false;
    if (round == 1) fraction = 1.0, garbage = false;
    if (round == 2) fraction = 1.0, garbage = true;
    if (round == 3) fraction = 0.5, garbage = true;
    const std::string where = absl::StrCat("round ", round, " keep ", fraction,
                                           garbage ? " garbage" : " clean", ": ");
    const std::string name = absl::StrCat("db", round);
    // Nothing is flushed except by Flush().
    const Options options = LazyBufferedOptions(1 << 20);
    const uint64_t synced = 20 + rng() % 40;
    const uint64_t unsynced = 20 + rng() % 60;
    {
      ASSERT_OK_AND_ASSIGN(std::unique_ptr<DatabaseImpl> db, Open(options, name));
      for (uint64_t seq = 1; seq <= synced; ++seq) {
        ASSERT_OK(CommitTagged(db.get(), seq, rng() % 100));
      }
      ASSERT_OK(db->Flush());
      for (uint64_t seq = synced + 1; seq <= synced + unsynced; ++seq) {
        ASSERT_OK(CommitTagged(db.get(), seq, rng() % 100));
      }
      // The batch reaches the file, but its sync fails: the unsynced tail.
      fenv_.FailNextSyncs(1);
      EXPECT_ERROR(db->Flush(), ErrorCode::kIoError);
      EXPECT_ERROR(CommitTagged(db.get(), synced + unsynced + 1), ErrorCode::kIoError);
      fenv_.SetFilesystemActive(false);
      db->Close().IgnoreError();
    }
    ASSERT_OK(fenv_.TearUnsyncedTail(fraction, garbage, seed + round));
    fenv_.SetFilesystemActive(true);

    absl::StatusOr<std::unique_ptr<DatabaseImpl>> db = Open(options, name);
    if (!db.ok()) {
      failures.push_back(where + db.status().ToString());
      continue;
    }
    const PrefixCheck check = CheckTagged(db->get());
    if (!check.errors.empty()) failures.push_back(where + check.Errors());
    if (check.k < synced || check.k > synced + unsynced) {
      failures.push_back(absl::StrCat(where, "recovered ", check.k, " of ", synced, "+",
                                      unsynced));
    }
    if ((fraction == 0.0 || garbage) && check.k != synced) {
      failures.push_back(absl::StrCat(where, "recovered ", check.k, ", expected ", synced));
    }
    if (fraction == 1.0 && !garbage && check.k != synced + unsynced) {
      failures.push_back(absl::StrCat(where, "recovered ", check.k, ", expected all ",
                                      synced + unsynced));
    }
    // The cut is durable and the log goes on cleanly.
    absl::StatusOr<Version> v = CommitTagged(db->get(), check.k + 1);
    if (!v.ok() || *v != check.k + 1) {
      failures.push_back(absl::StrCat(where, "commit after recovery: ",
                                      v.status().ToString()));
    }
    if (!(*db)->Close().ok()) failures.push_back(where + "close failed");
    Options consistent = options;
    consistent.recovery_mode = RecoveryMode::kAbsoluteConsistency;
    db = Open(consistent, name);
    if (!db.ok()) {
      failures.push_back(where + "second open: " + db.status().ToString());
      continue;
    }
    if (CheckTagged(db->get()).k != check.k + 1) failures.push_back(where + "lost the commit");
  }
  EXPECT_TRUE(failures.empty()) << failures.size() << " failures:\n"
                                << absl::StrJoin(failures, "\n");
}

// ---- (d) A failing sync in Strict mode ----

class StrictSyncFailureTest : public RecoveryTest,
                              public ::testing::WithParamInterface<bool> {};

TEST_P(StrictSyncFailureTest, FailedCommitIsAllOrNothing) {
  const bool power_loss = GetParam();
  constexpr uint64_t kGood = 10;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<DatabaseImpl> db, Open(StrictOptions()));
    for (uint64_t seq = 1; seq <= kGood; ++seq) ASSERT_OK(CommitTagged(db.get(), seq));
    fenv_.FailNextSyncs(1);
    EXPECT_ERROR(CommitTagged(db.get(), kGood + 1), ErrorCode::kIoError);
    // The failed commit is not visible: it may not be durable.
    EXPECT_EQ(db->CurrentVersion(), kGood);
    EXPECT_ERROR(db->KvGet(kRun, TaggedKey(kGood + 1, 0)), ErrorCode::kNotFound);
    ASSERT_OK(db->KvGet(kRun, TaggedKey(kGood, 0)));
    // Sticky: the disk state is unknown, so nothing commits any more.
    EXPECT_ERROR(CommitTagged(db.get(), kGood + 2), ErrorCode::kIoError);
    EXPECT_ERROR(db->KvPut(kRun, "single", Value(1)), ErrorCode::kIoError);
    EXPECT_ERROR(db->Flush(), ErrorCode::kIoError);
    if (power_loss) {
      PowerLoss(&db);
    } else {
      EXPECT_ERROR(db->Close(), ErrorCode::kIoError);
    }
  }
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<DatabaseImpl> db, Open(StrictOptions()));
  const PrefixCheck check = CheckTagged(db.get());
  EXPECT_TRUE(check.errors.empty()) << check.Errors();
  EXPECT_GE(check.k, kGood);
  EXPECT_LE(check.k, kGood + 1);
  // Its record was never synced, so a power loss must take it.
  if (power_loss) {
    EXPECT_EQ(check.k, kGood);
  }
  EXPECT_ERROR(db->KvGet(kRun, "single"), ErrorCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(Version v, CommitTagged(db.get(), check.k + 1));
  EXPECT_EQ(v, check.k + 1);
}

INSTANTIATE_TEST_SUITE_P(Crash, StrictSyncFailureTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "PowerLoss" : "CleanClose";
                         });

// ---- (e) Damage in the middle of the log ----

// Offsets of the records of a segment file.
std::vector<uint64_t> RecordOffsets(const std::string& path) {
  std::vector<uint64_t> offsets;
  absl::StatusOr<std::string> contents = Env::Default()->ReadFile(path);
  EXPECT_TRUE(contents.ok()) << contents.status();
  if (!contents.ok()) return offsets;
  absl::StatusOr<storage::SegmentScan> scan = storage::ScanSegment(
      *contents, [&](uint8_t, uint8_t, std::string_view, uint64_t offset) {
        offsets.push_back(offset);
        return absl::OkStatus();
      });
  EXPECT_TRUE(scan.ok() && !scan->damaged);
  return offsets;
}

struct FlipCase {
  const char* name;
  uint64_t delta;  // Byte offset inside the record.
  uint8_t mask;
};

void PrintTo(const FlipCase& c, std::ostream* os) {
  *os << c.name << " (byte " << c.delta << " of the record, mask " << int{c.mask} << ")";
}

class WalDamageTest : public RecoveryTest, public ::testing::WithParamInterface<FlipCase> {};

TEST_P(WalDamageTest, FlippedByteInTheMiddleIsDataLoss) {
  const FlipCase flip = GetParam();
  const uint64_t seed = TestSeed();
  std::mt19937_64 rng(seed);
  constexpr uint64_t kCommits = 40;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<DatabaseImpl> db, Open(StrictOptions()));
    for (uint64_t seq = 1; seq <= kCommits; ++seq) {
      ASSERT_OK(CommitTagged(db.get(), seq, 20));
    }
    ASSERT_OK(db->Close());
  }
  const std::vector<std::string> segments = Segments();
  ASSERT_EQ(segments.size(), 1u);
  const std::string segment = segments[0];
  const std::vector<uint64_t> offsets = RecordOffsets(segment);
  ASSERT_EQ(offsets.size(), kCommits);
  const uint64_t bad = 10 + rng() % 20;  // Index of the damaged record.
  ASSERT_OK(FaultInjectionEnv::FlipByte(Env::Default(), segment,
                                        offsets[bad] + flip.delta, flip.mask));

  for (const RecoveryMode mode :
       {RecoveryMode::kTolerateTornTail, RecoveryMode::kAbsoluteConsistency}) {
    Options options = StrictOptions();
    options.recovery_mode = mode;
    absl::StatusOr<std::unique_ptr<DatabaseImpl>> db = Open(options);
    EXPECT_ERROR(db, ErrorCode::kDataLoss);
    if (!db.ok()) {
      EXPECT_NE(db.status().message().find(segment), std::string::npos) << db.status();
      EXPECT_NE(db.status().message().find(absl::StrCat("offset ", offsets[bad])),
                std::string::npos)
          << db.status();
    } else {
      ADD_FAILURE() << "opened with " << CheckTagged(db->get()).k << " of " << kCommits
                    << " transactions; damaged record " << bad + 1;
      return;
    }
  }

  // Point-in-time recovery salvages the records before the damage.
  Options pit = StrictOptions();
  pit.recovery_mode = RecoveryMode::kPointInTime;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<DatabaseImpl> db, Open(pit));
    const PrefixCheck check = CheckTagged(db.get());
    EXPECT_TRUE(check.errors.empty()) << check.Errors();
    EXPECT_EQ(check.k, bad);
    EXPECT_GT(db->Stats().discarded_bytes, 0u);
    ASSERT_OK(db->Close());
  }
  // It is a consistent database again, and it continues after the prefix.
  Options consistent = StrictOptions();
  consistent.recovery_mode = RecoveryMode::kAbsoluteConsistency;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<DatabaseImpl> db, Open(consistent));
  EXPECT_EQ(CheckTagged(db.get()).k, bad);
  ASSERT_OK_AND_ASSIGN(Version v, CommitTagged(db.get(), bad + 1));
  EXPECT_EQ(v, bad + 1);
}

INSTANTIATE_TEST_SUITE_P(
    Crash, WalDamageTest,
    ::testing::Values(FlipCase{"Payload", storage::kRecordHeaderBytes + 20, 0x04},
                      FlipCase{"Checksum", 5, 0x01}, FlipCase{"LengthLowByte", 0, 0x02},
                      // Makes the record look longer than the rest of the file.
                      FlipCase{"LengthHighByte", 2, 0x01}),
    [](const ::testing::TestParamInfo<FlipCase>& info) { return info.param.name; });

// ---- (f) The directory lock ----

TEST_F(RecoveryTest, SecondOpenIsBusyAndNamesThePid) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<DatabaseImpl> db, Open(StrictOptions()));
  ASSERT_OK(CommitTagged(db.get(), 1));
  const std::string pid = absl::StrCat("pid ", getpid());
  {
    absl::StatusOr<std::unique_ptr<DatabaseImpl>> second = Open(StrictOptions());
    EXPECT_ERROR(second, ErrorCode::kBusy);
    EXPECT_NE(second.status().message().find(pid), std::string::npos) << second.status();
    // Through the public API too, with another durability mode.
    Options buffered;
    absl::StatusOr<std::unique_ptr<Database>> third = Database::Open(DbPath(), buffered);
    EXPECT_ERROR(third, ErrorCode::kBusy);
    EXPECT_NE(third.status().message().find(pid), std::string::npos) << third.status();
  }
  // The failed opens disturbed nothing.
  ASSERT_OK(CommitTagged(db.get(), 2));
  ASSERT_OK(db->Close());
  ASSERT_OK_AND_ASSIGN(db, Open(StrictOptions()));
  const PrefixCheck check = CheckTagged(db.get());
  EXPECT_TRUE(check.errors.empty()) << check.Errors();
  EXPECT_EQ(check.k, 2u);
}

// ---- (g) Reopening is stable ----

// Everything observable through the API: runs, listings and full histories
// of every key ever written.
std::string Dump(Database* db, const std::map<std::string, std::set<std::string>>& keys) {
  std::string out = absl::StrCat("version ", db->CurrentVersion(), "\n");
  absl::StatusOr<std::vector<RunId>> runs = db->ListRuns();
  if (!runs.ok()) return runs.status().ToString();
  absl::StrAppend(&out, "runs ", absl::StrJoin(*runs, ","), "\n");
  for (const auto& [run, run_keys] : keys) {
    absl::StatusOr<std::vector<KvEntry>> entries = ListAll(db, run, "", /*limit=*/7);
    if (!entries.ok()) return entries.status().ToString();
    for (const KvEntry& e : *entries) {
      absl::StrAppend(&out, "list ", run, " ", e.key, " = ", e.value.value.ToJson(), " @",
                      e.value.version, " t", e.value.timestamp_us, "\n");
    }
    for (const std::string& key : run_keys) {
      absl::StatusOr<std::vector<KvVersion>> history = db->KvHistory(run, key, kMaxListLimit);
      if (!history.ok()) {
        absl::StrAppend(&out, "history ", run, " ", key, ": ",
                        std::string(ErrorName(GetErrorCode(history.status()))), "\n");
        continue;
      }
      for (const KvVersion& h : *history) {
        absl::StrAppend(&out, "history ", run, " ", key, " @", h.version, " t",
                        h.timestamp_us, h.deleted ? " deleted" : " ", h.value.ToJson(), "\n");
      }
    }
  }
  return out;
}

TEST_F(RecoveryTest, ReopeningTwiceGivesTheSameState) {
  const uint64_t seed = TestSeed();
  std::mt19937_64 rng(seed);
  std::map<std::string, std::set<std::string>> keys;
  Options options;  // Buffered, closed cleanly.
  options.wal_segment_bytes = 64 << 10;
  std::string before;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<DatabaseImpl> db, Open(options));
    ASSERT_OK(db->CreateRun("r1"));
    ASSERT_OK(db->CreateRun("r2"));
    const std::string runs[] = {kRun, "r1", "r2"};
    for (const std::string& run : runs) keys[run];
    for (int op = 0; op < 600; ++op) {
      const std::string& run = runs[rng() % 3];
      const std::string key = absl::StrCat("k", rng() % 40);
      const Value value = rng() % 4 == 0
                              ? Value(Value::Object{{"n", Value(op)}, {"s", Value("x")}})
                              : Value(static_cast<int64_t>(rng() % 1000));
      switch (rng() % 5) {
        case 0:
        case 1:
          ASSERT_OK(db->KvPut(run, key, value));
          keys[run].insert(key);
          break;
        case 2: {
          absl::StatusOr<Version> deleted = db->KvDelete(run, key);
          if (!deleted.ok()) EXPECT_ERROR(deleted, ErrorCode::kNotFound);
          break;
        }
        case 3: {
          absl::StatusOr<Versioned<Value>> current = db->KvGet(run, key);
          const Version expected = current.ok() ? current->version : 0;
          ASSERT_OK(db->KvCompareAndSwap(run, key, expected, value));
          keys[run].insert(key);
          break;
        }
        default: {
          ASSERT_OK(db->Transact([&](Transaction& txn) -> absl::Status {
            for (int i = 0; i < 3; ++i) {
              const std::string& r = runs[rng() % 3];
              const std::string k = absl::StrCat("k", rng() % 40);
              absl::Status s = rng() % 3 == 0 ? txn.KvDelete(r, k) : txn.KvPut(r, k, value);
              // Deleting an absent key is NotFound and writes nothing.
              if (!s.ok() && GetErrorCode(s) != ErrorCode::kNotFound) return s;
              keys[r].insert(k);
            }
            return absl::OkStatus();
          }, RetryPolicy{}));
          break;
        }
      }
    }
    before = Dump(db.get(), keys);
    ASSERT_OK(db->Close());
  }
  std::vector<std::string> dumps;
  for (int reopen = 0; reopen < 2; ++reopen) {
    Options consistent = options;
    consistent.recovery_mode = RecoveryMode::kAbsoluteConsistency;
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<DatabaseImpl> db, Open(consistent));
    EXPECT_EQ(db->Stats().recovered_records, db->CurrentVersion());
    EXPECT_EQ(db->Stats().discarded_bytes, 0u);
    dumps.push_back(Dump(db.get(), keys));
    ASSERT_OK(db->Close());
  }
  EXPECT_GT(before.size(), 1000u);
  EXPECT_EQ(dumps[0], before);
  EXPECT_EQ(dumps[1], before);
}

// ---- (h) Open options ----

TEST_F(RecoveryTest, CreateIfMissingAndErrorIfExists) {
  Options no_create;
  no_create.create_if_missing = false;
  EXPECT_ERROR(Open(no_create), ErrorCode::kNotFound);
  EXPECT_FALSE(Env::Default()->FileExists(DbPath()));

  Options exclusive;
  exclusive.error_if_exists = true;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<DatabaseImpl> db, Open(exclusive));
    ASSERT_OK(CommitTagged(db.get(), 1));
    ASSERT_OK(db->Close());
  }
  const absl::Status exists = Open(exclusive).status();
  EXPECT_ERROR(exists, ErrorCode::kAlreadyExists);
  EXPECT_NE(exists.message().find(DbPath()), std::string::npos) << exists;
  // The failed open released the lock and changed nothing.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<DatabaseImpl> db, Open(no_create));
  EXPECT_EQ(CheckTagged(db.get()).k, 1u);
}

TEST_F(RecoveryTest, InvalidOptionsAreRejected) {
  Options in_memory;
  in_memory.durability = DurabilityMode::kInMemory;
  EXPECT_ERROR(Open(in_memory), ErrorCode::kInvalidArgument);
  Options small_segments;
  small_segments.wal_segment_bytes = 1024;
  EXPECT_ERROR(Open(small_segments), ErrorCode::kInvalidArgument);
  Options zero_interval;
  zero_interval.flush_interval_ms = 0;
  EXPECT_ERROR(Open(zero_interval), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(DatabaseImpl::OpenAt("", Options(), &fenv_), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(Env::Default()->FileExists(DbPath()));
}

// ---- (i) Format versions and a damaged MANIFEST ----

TEST_F(RecoveryTest, NewerManifestVersionIsFailedPrecondition) {
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<DatabaseImpl> db, Open(StrictOptions()));
    ASSERT_OK(CommitTagged(db.get(), 1));
    ASSERT_OK(db->Close());
  }
  ASSERT_OK_AND_ASSIGN(storage::Manifest manifest,
                       storage::ReadManifest(Env::Default(), DbPath()));
  storage::Manifest newer = manifest;
  newer.format_version = storage::kManifestFormatVersion + 1;
  ASSERT_OK(storage::WriteManifest(Env::Default(), DbPath(), newer));
  const absl::Status s = Open(StrictOptions()).status();
  EXPECT_ERROR(s, ErrorCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("newer"), std::string::npos) << s;

  // Nothing was touched: with the old MANIFEST back the data is there.
  ASSERT_OK(storage::WriteManifest(Env::Default(), DbPath(), manifest));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<DatabaseImpl> db, Open(StrictOptions()));
  EXPECT_EQ(CheckTagged(db.get()).k, 1u);
}

TEST_F(RecoveryTest, DamagedOrMissingManifestIsDataLoss) {
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<DatabaseImpl> db, Open(StrictOptions()));
    ASSERT_OK(CommitTagged(db.get(), 1));
    ASSERT_OK(db->Close());
  }
  const std::string manifest = DbPath() + "/" + storage::kManifestFileName;
  ASSERT_OK(FaultInjectionEnv::FlipByte(Env::Default(), manifest, 20));
  EXPECT_ERROR(Open(StrictOptions()), ErrorCode::kDataLoss);
  ASSERT_OK(Env::Default()->RemoveFile(manifest));
  // WAL segments without a MANIFEST: never silently start a new database.
  const absl::Status s = Open(StrictOptions()).status();
  EXPECT_ERROR(s, ErrorCode::kDataLoss);
  EXPECT_NE(s.message().find("MANIFEST"), std::string::npos) << s;
}

}  // namespace
}  // namespace strata
