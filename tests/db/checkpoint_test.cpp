// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Checkpoints and what depends on them: recovery from the newest snapshot
// plus the log above it (and again, identically), falling back to an older
// snapshot when the newest is damaged, recovery from the state left by a
// crash at each step of a checkpoint, a failing checkpoint, WAL compaction,
// retention compaction, automatic checkpoints, copying a checkpointed
// directory, and export / import.
//
// Every comparison is over Dump(): every retained version of every entity
// of every run, rendered as text.
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "db/database_impl.hpp"
#include "env/env.hpp"
#include "env/fault_injection_env.hpp"
#include "gtest/gtest.h"
#include "storage/manifest.hpp"
#include "storage/snapshot_file.hpp"
#include "storage/wal_format.hpp"
#include "strata/database.hpp"
#include "strata/status.hpp"
#include "test_util.hpp"

namespace strata {
namespace {

using ::strata::testing::TempDir;
using ::strata::testing::TestSeed;

Value J(std::string_view text) { return *Value::FromJson(text); }

// Every retained version of everything, as text.
std::string Dump(Database& db) {
  std::string out;
  auto runs = db.ListRuns();
  if (!runs.ok()) return "ListRuns: " + runs.status().ToString();
  for (const RunId& run : *runs) {
    auto info = db.GetRun(run);
    absl::StrAppend(&out, "run ", run, " ",
                    std::string(info.ok() ? RunStatusName(info->value.status) : "?"), "\n");
    auto history = [&](Primitive p, const std::string& key) {
      auto h = db.History(EntityRef{run, p, key, {}, {}}, kMaxListLimit);
      if (!h.ok()) return absl::StrCat(" history: ", h.status().ToString());
      std::string text;
      for (const KvVersion& v : *h) {
        absl::StrAppend(&text, " @", v.version, ":", v.timestamp_us, v.deleted ? ":deleted" : "",
                        ":", v.value.ToJson());
      }
      return text;
    };
    for (Primitive p : {Primitive::kKv, Primitive::kState}) {
      ListRequest request{"", "", kMaxListLimit};
      for (;;) {
        auto page = p == Primitive::kKv ? db.KvList(run, request) : db.StateList(run, request);
        if (!page.ok()) break;
        for (const KvEntry& e : page->entries) {
          absl::StrAppend(&out, std::string(PrimitiveName(p)), " ", e.key, history(p, e.key), "\n");
        }
        if (page->next_cursor.empty()) break;
        request.cursor = page->next_cursor;
      }
    }
    ListRequest request{"", "", kMaxListLimit};
    for (;;) {
      auto page = db.JsonList(run, request);
      if (!page.ok()) break;
      for (const std::string& id : page->ids) {
        absl::StrAppend(&out, "json ", id, history(Primitive::kJson, id), "\n");
      }
      if (page->next_cursor.empty()) break;
      request.cursor = page->next_cursor;
    }
    EventQuery events;
    events.limit = kMaxListLimit;
    if (auto page = db.EventList(run, events); page.ok()) {
      for (const auto& e : page->events) {
        absl::StrAppend(&out, "event ", e.value.seq, " ", e.value.type, " ",
                        e.value.payload.ToJson(), " ", e.value.hash, " @", e.version, "\n");
      }
    }
    auto chain = db.EventVerifyChain(run);
    absl::StrAppend(&out, "chain ", chain.ok() && chain->valid ? "valid" : "BROKEN", "\n");
    SpanQuery spans;
    spans.limit = kMaxListLimit;
    if (auto page = db.TraceQuery(run, spans); page.ok()) {
      for (const auto& s : page->spans) {
        absl::StrAppend(&out, "span ", s.value.id, " ", s.value.name, " ",
                        std::string(SpanStatusName(s.value.status)), " @", s.version, "\n");
      }
    }
  }
  return out;
}

// Writes a bit of everything, `rounds` times, with deletes and history.
void Populate(Database& db, int rounds, uint64_t seed) {
  std::mt19937_64 rng(seed);
  for (int r = 0; r < rounds; ++r) {
    const std::string run = absl::StrCat("run-", r % 3);
    if (!db.RunExists(run).value_or(false)) ASSERT_OK(db.CreateRun(run));
    for (int i = 0; i < 20; ++i) {
      const std::string key = absl::StrCat("k", rng() % 30);
      if (rng() % 5 == 0) {
        db.KvDelete(run, key).IgnoreError();
      } else {
        ASSERT_OK(db.KvPut(run, key, ::strata::testing::RandomValue(rng)));
      }
    }
    ASSERT_OK(db.EventAppend(run, "step", Value(r)));
    ASSERT_OK(db.StateSet(run, "cell", Value(r)));
    SpanSpec spec;
    spec.kind = SpanKind::kToolCall;
    spec.name = absl::StrCat("tool", r);
    ASSERT_OK(db.TraceRecord(run, spec));
    const std::string doc = absl::StrCat("doc", r % 4);
    if (!db.JsonExists(run, doc).value_or(false)) {
      ASSERT_OK(db.JsonCreate(run, doc, J(R"({"n": 0, "log": []})")));
    }
    ASSERT_OK(db.JsonSet(run, doc, "/n", Value(r)));
    ASSERT_OK(db.JsonSet(run, doc, "/log/-", Value(r)));
  }
}

class CheckpointTest : public ::testing::Test {
 protected:
  Options StrictOptions() const {
    Options o;
    o.durability = DurabilityMode::kStrict;
    o.checkpoint_wal_bytes = 0;  // Only explicit checkpoints.
    o.checkpoint_interval_ms = 0;
    return o;
  }
  std::string Path(const std::string& name = "db") const { return dir_.Sub(name); }
  std::string SnapshotDir(const std::string& name = "db") const {
    return Path(name) + "/" + storage::kSnapshotDirName;
  }
  TempDir dir_;
};

TEST_F(CheckpointTest, RecoveryStartsFromTheSnapshotAndReadsIdentically) {
  const uint64_t seed = TestSeed();
  std::string before;
  CheckpointInfo info;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, Database::Open(Path(), StrictOptions()));
    Populate(*db, 30, seed);
    ASSERT_OK_AND_ASSIGN(info, db->Checkpoint());
    EXPECT_EQ(info.watermark, db->CurrentVersion());
    EXPECT_GT(info.bytes, 0u);
    EXPECT_GT(info.versions, info.keys);  // History is in it.
    EXPECT_EQ(info.snapshot_id, storage::SnapshotFileName(info.watermark));
    Populate(*db, 10, seed + 1);  // Above the watermark: from the log.
    before = Dump(*db);
    EXPECT_EQ(db->Stats().snapshot_watermark, info.watermark);
    ASSERT_OK(db->Close());
  }
  for (int reopen = 0; reopen < 2; ++reopen) {
    SCOPED_TRACE(absl::StrCat("reopen ", reopen));
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, Database::Open(Path(), StrictOptions()));
    const DatabaseStats stats = db->Stats();
    EXPECT_EQ(stats.recovered_from_snapshot, info.watermark);
    EXPECT_EQ(Dump(*db), before);
    ASSERT_OK(db->Close());
  }
}

TEST_F(CheckpointTest, CheckpointAtWatermarkReproducesThatState) {
  std::string at_watermark;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, Database::Open(Path(), StrictOptions()));
    Populate(*db, 20, TestSeed());
    at_watermark = Dump(*db);
    ASSERT_OK(db->Checkpoint());
    ASSERT_OK(db->Close());
  }
  // Without the log, the snapshot alone is the state at the watermark.
  const std::string wal = Path() + "/" + storage::kWalDirName;
  std::filesystem::remove_all(wal);
  std::filesystem::create_directory(wal);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, Database::Open(Path(), StrictOptions()));
  EXPECT_EQ(Dump(*db), at_watermark);
  // And it goes on from there.
  ASSERT_OK(db->KvPut("default", "after", Value(1)));
  ASSERT_OK(db->Close());
  ASSERT_OK_AND_ASSIGN(db, Database::Open(Path(), StrictOptions()));
  ASSERT_OK_AND_ASSIGN(Versioned<Value> after, db->KvGet("default", "after"));
  EXPECT_EQ(after.value, Value(1));
}

TEST_F(CheckpointTest, DamagedNewestSnapshotFallsBackToAnOlderOne) {
  std::string before;
  Version older = 0;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, Database::Open(Path(), StrictOptions()));
    Populate(*db, 10, TestSeed());
    ASSERT_OK_AND_ASSIGN(CheckpointInfo a, db->Checkpoint());
    older = a.watermark;
    Populate(*db, 10, TestSeed() + 1);
    ASSERT_OK_AND_ASSIGN(CheckpointInfo b, db->Checkpoint());
    ASSERT_OK(db->Compact(CompactMode::kWalOnly));  // Keeps what `a` needs.
    Populate(*db, 5, TestSeed() + 2);
    before = Dump(*db);
    ASSERT_OK(db->Close());
    // Damage the newest snapshot in the middle.
    const std::string file = SnapshotDir() + "/" + b.snapshot_id;
    const auto size = std::filesystem::file_size(file);
    FILE* f = std::fopen(file.c_str(), "r+b");
    ASSERT_NE(f, nullptr);
    std::fseek(f, static_cast<long>(size / 2), SEEK_SET);
    std::fputc('X', f);
    std::fputc('Y', f);
    std::fclose(f);
  }
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, Database::Open(Path(), StrictOptions()));
  EXPECT_EQ(db->Stats().recovered_from_snapshot, older);
  EXPECT_EQ(Dump(*db), before);
}

TEST_F(CheckpointTest, NoUsableSnapshotAndNoLogIsDataLossNamingTheSnapshot) {
  {
    Options o = StrictOptions();
    o.wal_segment_bytes = 64 << 10;
    o.keep_snapshots = 1;
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, Database::Open(Path(), o));
    Populate(*db, 60, TestSeed());
    ASSERT_OK_AND_ASSIGN(CheckpointInfo a, db->Checkpoint());
    ASSERT_OK_AND_ASSIGN(CompactInfo c, db->Compact(CompactMode::kWalOnly));
    EXPECT_GT(c.wal_segments_removed, 0u);
    ASSERT_OK(db->Close());
    std::filesystem::resize_file(SnapshotDir() + "/" + a.snapshot_id, 100);
  }
  absl::Status s = Database::Open(Path(), StrictOptions()).status();
  EXPECT_EQ(GetErrorCode(s), ErrorCode::kDataLoss) << s;
  EXPECT_NE(s.message().find("snap-"), std::string_view::npos) << s;
}

// The states a crash can leave at each step of a checkpoint, rebuilt on
// disk: recovery must give the state from before the checkpoint.
TEST_F(CheckpointTest, CrashAtEachCheckpointStepRecoversTheSameState) {
  std::string before;
  std::string manifest_before;
  CheckpointInfo info;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, Database::Open(Path(), StrictOptions()));
    Populate(*db, 15, TestSeed());
    before = Dump(*db);
    ASSERT_OK_AND_ASSIGN(manifest_before, Env::Default()->ReadFile(Path() + "/MANIFEST"));
    ASSERT_OK_AND_ASSIGN(info, db->Checkpoint());
    ASSERT_OK(db->Close());
  }
  const std::string snap = SnapshotDir() + "/" + info.snapshot_id;
  ASSERT_OK_AND_ASSIGN(const std::string snapshot, Env::Default()->ReadFile(snap));
  ASSERT_OK_AND_ASSIGN(const std::string manifest_after,
                       Env::Default()->ReadFile(Path() + "/MANIFEST"));
  struct Step {
    const char* name;
    std::function<void()> make;
  };
  const std::vector<Step> steps = {
      {"temp file partly written, not renamed",
       [&] {
         std::filesystem::remove(snap);
         ASSERT_OK(Env::Default()->WriteFileAtomic(snap + ".tmp",
                                                   snapshot.substr(0, snapshot.size() / 3)));
         ASSERT_OK(Env::Default()->WriteFileAtomic(Path() + "/MANIFEST", manifest_before));
       }},
      {"temp file whole, not renamed",
       [&] {
         std::filesystem::remove(snap);
         ASSERT_OK(Env::Default()->WriteFileAtomic(snap + ".tmp", snapshot));
         ASSERT_OK(Env::Default()->WriteFileAtomic(Path() + "/MANIFEST", manifest_before));
       }},
      {"renamed, MANIFEST not yet updated",
       [&] {
         ASSERT_OK(Env::Default()->WriteFileAtomic(snap, snapshot));
         ASSERT_OK(Env::Default()->WriteFileAtomic(Path() + "/MANIFEST", manifest_before));
       }},
      {"MANIFEST updated",
       [&] {
         ASSERT_OK(Env::Default()->WriteFileAtomic(snap, snapshot));
         ASSERT_OK(Env::Default()->WriteFileAtomic(Path() + "/MANIFEST", manifest_after));
       }},
  };
  for (const Step& step : steps) {
    SCOPED_TRACE(step.name);
    step.make();
    for (int twice = 0; twice < 2; ++twice) {
      ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db,
                           Database::Open(Path(), StrictOptions()));
      EXPECT_EQ(Dump(*db), before);
      ASSERT_OK(db->Close());
    }
  }
}

TEST_F(CheckpointTest, FailingCheckpointLeavesTheDatabaseWorking) {
  FaultInjectionEnv fenv(Env::Default());
  std::string before;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<DatabaseImpl> db,
                         DatabaseImpl::OpenAt(Path(), StrictOptions(), &fenv));
    Populate(*db, 10, TestSeed());
    for (int failing_syncs = 1; failing_syncs <= 4; ++failing_syncs) {
      fenv.FailNextSyncs(failing_syncs);
      EXPECT_FALSE(db->Checkpoint().ok());
      fenv.FailNextSyncs(0);
    }
    // A failed sync makes the log refuse commits only if the log's own sync
    // failed; a checkpoint's syncs are its own.
    ASSERT_OK(db->KvPut("default", "after-failure", Value(1)));
    before = Dump(*db);
    // Power loss now.
    fenv.SetFilesystemActive(false);
    db->Close().IgnoreError();
    ASSERT_OK(fenv.DropUnsyncedData());
    fenv.SetFilesystemActive(true);
  }
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<DatabaseImpl> db,
                       DatabaseImpl::OpenAt(Path(), StrictOptions(), &fenv));
  EXPECT_EQ(Dump(*db), before);
  ASSERT_OK(db->Checkpoint());
}

TEST_F(CheckpointTest, CompactionRemovesCoveredSegmentsOnly) {
  Options o = StrictOptions();
  o.wal_segment_bytes = 64 << 10;
  std::string before;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, Database::Open(Path(), o));
    Populate(*db, 60, TestSeed());
    ASSERT_OK_AND_ASSIGN(CompactInfo none, db->Compact(CompactMode::kWalOnly));
    EXPECT_EQ(none.wal_segments_removed, 0u);  // No snapshot covers anything yet.
    const uint64_t segments = db->Stats().wal_segments;
    ASSERT_OK(db->Checkpoint());
    ASSERT_OK_AND_ASSIGN(CompactInfo c, db->Compact(CompactMode::kWalOnly));
    EXPECT_GT(c.wal_segments_removed, 0u);
    EXPECT_GT(c.reclaimed_bytes, 0u);
    EXPECT_EQ(db->Stats().wal_segments, segments - c.wal_segments_removed);
    Populate(*db, 5, TestSeed() + 1);
    before = Dump(*db);
    ASSERT_OK(db->Close());
  }
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, Database::Open(Path(), o));
  EXPECT_EQ(Dump(*db), before);
  EXPECT_GT(db->Stats().recovered_from_snapshot, 0u);
}

TEST_F(CheckpointTest, FullCompactionAppliesRetentionWithoutChangingRetainedReads) {
  Options o = StrictOptions();
  o.retention = RetentionPolicy::KeepLast(2);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, Database::Open(Path(), o));
  std::vector<Version> versions;
  for (int i = 0; i < 6; ++i) {
    ASSERT_OK_AND_ASSIGN(Version v, db->KvPut("default", "k", Value(i)));
    versions.push_back(v);
  }
  // Writes trim lazily (the horizon is refreshed every so many commits);
  // a full compaction trims every key to the policy now.
  ASSERT_OK_AND_ASSIGN(std::vector<KvVersion> before, db->KvHistory("default", "k"));
  ASSERT_OK_AND_ASSIGN(CompactInfo c, db->Compact(CompactMode::kFull));
  ASSERT_OK_AND_ASSIGN(std::vector<KvVersion> after, db->KvHistory("default", "k"));
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(c.versions_removed, before.size() - after.size());
  EXPECT_EQ(after[0].version, versions[5]);
  EXPECT_EQ(after[1].version, versions[4]);
  ASSERT_OK_AND_ASSIGN(Versioned<Value> newest, db->KvGetAt("default", "k", versions[5]));
  EXPECT_EQ(newest.value, Value(5));
  absl::Status trimmed = db->KvGetAt("default", "k", versions[0]).status();
  EXPECT_EQ(GetErrorCode(trimmed), ErrorCode::kHistoryTrimmed) << trimmed;
  EXPECT_EQ(ErrorVersion(trimmed), versions[4]);
}

TEST_F(CheckpointTest, RetentionOverridesAndTimeWindowsThroughCompaction) {
  Options o = StrictOptions();
  // The window is wide enough that a slow machine still finishes the last
  // writes and the compaction inside it.
  o.retention = RetentionPolicy::KeepFor(std::chrono::milliseconds(600));
  o.retention_overrides = {{"scratch", std::nullopt, RetentionPolicy::KeepLast(1)},
                           {"", Primitive::kState, RetentionPolicy::KeepAll()}};
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, Database::Open(Path(), o));
  ASSERT_OK(db->CreateRun("scratch"));
  std::vector<Version> kv;
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK_AND_ASSIGN(Version v, db->KvPut("default", "k", Value(i)));
    kv.push_back(v);
    ASSERT_OK(db->KvPut("scratch", "k", Value(i)));
    ASSERT_OK(db->StateSet("default", "cell", Value(i)));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  ASSERT_OK_AND_ASSIGN(Version newest, db->KvPut("default", "k", Value(3)));
  ASSERT_OK(db->StateSet("default", "cell", Value(3)));
  ASSERT_OK(db->Compact(CompactMode::kFull));
  // KeepFor: the newest, plus the state at the window's start (value 2).
  ASSERT_OK_AND_ASSIGN(std::vector<KvVersion> h, db->KvHistory("default", "k"));
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0].version, newest);
  EXPECT_EQ(h[1].version, kv[2]);
  absl::Status trimmed = db->KvGetAt("default", "k", kv[0]).status();
  EXPECT_EQ(GetErrorCode(trimmed), ErrorCode::kHistoryTrimmed) << trimmed;
  // The run's override, and the primitive's.
  ASSERT_OK_AND_ASSIGN(h, db->KvHistory("scratch", "k"));
  EXPECT_EQ(h.size(), 1u);
  ASSERT_OK_AND_ASSIGN(h, db->History(EntityRef{"default", Primitive::kState, "cell", {}, {}}));
  EXPECT_EQ(h.size(), 4u);
  // Bad policies are refused at open.
  Options bad = StrictOptions();
  bad.retention_overrides = {{"", std::nullopt, RetentionPolicy::KeepLast(1)}};
  EXPECT_ERROR(Database::Open(Path("bad"), bad), ErrorCode::kInvalidArgument);
  bad.retention_overrides = {{"run!", std::nullopt, RetentionPolicy::KeepLast(1)}};
  EXPECT_ERROR(Database::Open(Path("bad"), bad), ErrorCode::kInvalidArgument);
  bad.retention_overrides.clear();
  bad.retention = RetentionPolicy::KeepFor(std::chrono::microseconds(0));
  EXPECT_ERROR(Database::Open(Path("bad"), bad), ErrorCode::kInvalidArgument);
}

TEST_F(CheckpointTest, AutomaticCheckpointsFollowTheLog) {
  Options o = StrictOptions();
  o.checkpoint_wal_bytes = 64 << 10;
  o.durability = DurabilityMode::kBuffered;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, Database::Open(Path(), o));
  const std::string pad(1000, 'p');
  for (int i = 0; i < 400; ++i) ASSERT_OK(db->KvPut("default", absl::StrCat("k", i), Value(pad)));
  for (int wait = 0; wait < 200 && db->Stats().checkpoints == 0; ++wait) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_GT(db->Stats().checkpoints, 0u);
  EXPECT_GT(db->Stats().snapshot_watermark, 0u);
  const std::string before = Dump(*db);
  ASSERT_OK(db->Close());
  ASSERT_OK_AND_ASSIGN(db, Database::Open(Path(), o));
  EXPECT_EQ(Dump(*db), before);
}

TEST_F(CheckpointTest, AutomaticCheckpointsFollowTheClockWhenSomethingWasLogged) {
  Options o = StrictOptions();
  o.checkpoint_interval_ms = 100;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, Database::Open(Path(), o));
  // Nothing logged: no checkpoint however long it waits.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(db->Stats().checkpoints, 0u);
  ASSERT_OK_AND_ASSIGN(Version v, db->KvPut("default", "k", Value(1)));
  for (int wait = 0; wait < 200 && db->Stats().checkpoints == 0; ++wait) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(db->Stats().checkpoints, 1u);
  EXPECT_EQ(db->Stats().snapshot_watermark, v);
  // And not again while nothing more is logged.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(db->Stats().checkpoints, 1u);
}

TEST_F(CheckpointTest, CopyOfACheckpointedDirectoryOpensIdentically) {
  std::string before;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, Database::Open(Path(), StrictOptions()));
    Populate(*db, 15, TestSeed());
    ASSERT_OK(db->Checkpoint());
    Populate(*db, 3, TestSeed() + 1);
    before = Dump(*db);
    ASSERT_OK(db->Close());
  }
  std::filesystem::copy(Path(), Path("copy"), std::filesystem::copy_options::recursive);
  std::filesystem::remove(Path("copy") + "/" + storage::kLockFileName);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> copy,
                       Database::Open(Path("copy"), StrictOptions()));
  EXPECT_EQ(Dump(*copy), before);
}

TEST_F(CheckpointTest, ExportImportRoundTrip) {
  std::string before;
  std::string uuid;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, Database::Open(Path(), StrictOptions()));
    Populate(*db, 12, TestSeed());
    before = Dump(*db);
    uuid = db->Info().uuid;
    ASSERT_OK_AND_ASSIGN(CheckpointInfo e, db->Export(dir_.Sub("db.strata")));
    EXPECT_EQ(e.watermark, db->CurrentVersion());
    EXPECT_ERROR(db->Export(dir_.Sub("db.strata")), ErrorCode::kAlreadyExists);
  }
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> imported,
                       Database::Import(dir_.Sub("db.strata"), Path("imported"), StrictOptions()));
  EXPECT_EQ(Dump(*imported), before);
  EXPECT_EQ(imported->Info().uuid, uuid);
  ASSERT_OK(imported->KvPut("default", "new", Value(1)));
  ASSERT_OK(imported->Close());
  ASSERT_OK_AND_ASSIGN(imported, Database::Open(Path("imported"), StrictOptions()));
  ASSERT_OK(imported->KvGet("default", "new"));
  EXPECT_ERROR(Database::Import(dir_.Sub("db.strata"), Path("imported"), StrictOptions()),
               ErrorCode::kAlreadyExists);
  // In-memory databases export too; damaged files do not import.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> mem, Database::OpenInMemory());
  Populate(*mem, 5, TestSeed());
  ASSERT_OK(mem->Export(dir_.Sub("mem.strata")));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> from_mem,
                       Database::Import(dir_.Sub("mem.strata"), Path("from-mem"), StrictOptions()));
  EXPECT_EQ(Dump(*from_mem), Dump(*mem));
  std::filesystem::resize_file(dir_.Sub("mem.strata"), 50);
  EXPECT_ERROR(Database::Import(dir_.Sub("mem.strata"), Path("bad"), StrictOptions()),
               ErrorCode::kDataLoss);
  EXPECT_ERROR(mem->Checkpoint(), ErrorCode::kFailedPrecondition);
}

}  // namespace
}  // namespace strata
