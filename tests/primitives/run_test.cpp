// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// The run index through the public API: creating runs from specs, reading
// and querying them, metadata, the status lifecycle and its checked
// transitions, refusal of writes into runs that are not active (in every
// primitive, on the fast path and in transactions), deleting a run with all
// its data, conflicts between writers and a concurrent end, persistence.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

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

int64_t WallMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool Contains(const absl::Status& s, std::string_view text) {
  return std::string(s.message()).find(text) != std::string::npos;
}

RunSpec Spec(std::string id, std::string parent = "", std::vector<std::string> tags = {},
             Value metadata = Value(Value::Object{})) {
  RunSpec spec;
  spec.id = std::move(id);
  spec.parent = std::move(parent);
  spec.tags = std::move(tags);
  spec.metadata = std::move(metadata);
  return spec;
}

SpanSpec SpanNamed(std::string name) {
  SpanSpec spec;
  spec.kind = SpanKind::kThought;
  spec.name = std::move(name);
  return spec;
}

void ExpectRunEq(const RunInfo& got, const RunInfo& want) {
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.status, want.status) << want.id;
  EXPECT_EQ(got.parent, want.parent) << want.id;
  EXPECT_EQ(got.tags, want.tags) << want.id;
  EXPECT_EQ(got.metadata, want.metadata) << want.id;
  EXPECT_EQ(got.created_us, want.created_us) << want.id;
  EXPECT_EQ(got.ended_us, want.ended_us) << want.id;
  EXPECT_EQ(got.base_version, want.base_version) << want.id;
}

std::vector<std::string> Ids(const std::vector<RunInfo>& runs) {
  std::vector<std::string> ids;
  for (const RunInfo& r : runs) ids.push_back(r.id);
  return ids;
}

class RunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<Database>> db = Database::OpenInMemory();
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
  }
  std::unique_ptr<Database> db_;
};

TEST_F(RunTest, CreateRunFromSpec) {
  ASSERT_OK(db_->KvPut(kDefaultRun, "x", Value(1)));  // So base_version is not 0.
  const Version before = db_->CurrentVersion();
  const int64_t t0 = WallMicros();
  Value meta(Value::Object{{"model", Value("m1")}, {"budget", Value(3.5)}});
  ASSERT_OK_AND_ASSIGN(Versioned<RunInfo> created,
                       db_->CreateRun(Spec("alpha", "", {"exp", "v2"}, meta)));
  const int64_t t1 = WallMicros();
  EXPECT_EQ(created.version, before + 1);
  EXPECT_EQ(db_->CurrentVersion(), before + 1);
  EXPECT_GT(created.timestamp_us, 0);
  const RunInfo& info = created.value;
  EXPECT_EQ(info.id, "alpha");
  EXPECT_EQ(info.status, RunStatus::kActive);
  EXPECT_EQ(info.parent, "");
  EXPECT_EQ(info.tags, (std::vector<std::string>{"exp", "v2"}));
  EXPECT_EQ(info.metadata, meta);
  EXPECT_GE(info.created_us, t0 - 1000);
  EXPECT_LE(info.created_us, t1 + 1000);
  EXPECT_EQ(info.ended_us, 0);
  EXPECT_EQ(info.base_version, before);

  ASSERT_OK_AND_ASSIGN(Versioned<RunInfo> got, db_->GetRun("alpha"));
  ExpectRunEq(got.value, info);
  EXPECT_EQ(got.version, created.version);
  ASSERT_OK_AND_ASSIGN(bool exists, db_->RunExists("alpha"));
  EXPECT_TRUE(exists);
  ASSERT_OK_AND_ASSIGN(std::vector<RunId> ids, db_->ListRuns());
  EXPECT_EQ(ids, (std::vector<RunId>{"alpha", "default"}));
  // Every commit into the run is newer than its base version.
  ASSERT_OK_AND_ASSIGN(Version w, db_->KvPut("alpha", "k", Value(1)));
  EXPECT_GT(w, info.base_version);

  // Addressable as an entity.
  ASSERT_OK_AND_ASSIGN(Versioned<Value> as_value,
                       db_->Get(EntityRef{"alpha", Primitive::kRun, "", {}, {}}));
  ASSERT_TRUE(as_value.value.is_object());
  EXPECT_EQ(as_value.value.AsObject().at("status"), Value("active"));
  EXPECT_EQ(as_value.value.AsObject().at("id"), Value("alpha"));

  // Children: of a user run and of "default".
  ASSERT_OK_AND_ASSIGN(Versioned<RunInfo> child, db_->CreateRun(Spec("alpha.1", "alpha")));
  EXPECT_EQ(child.value.parent, "alpha");
  EXPECT_EQ(child.value.base_version, child.version - 1);
  ASSERT_OK_AND_ASSIGN(Versioned<RunInfo> of_default, db_->CreateRun(Spec("d1", kDefaultRun)));
  EXPECT_EQ(of_default.value.parent, kDefaultRun);
  ASSERT_OK_AND_ASSIGN(got, db_->GetRun("alpha.1"));
  EXPECT_EQ(got.value.parent, "alpha");
  EXPECT_TRUE(got.value.metadata.is_object());
  EXPECT_TRUE(got.value.metadata.AsObject().empty());
  EXPECT_TRUE(got.value.tags.empty());

  // The implicit default run.
  ASSERT_OK_AND_ASSIGN(Versioned<RunInfo> def, db_->GetRun(kDefaultRun));
  EXPECT_EQ(def.value.id, kDefaultRun);
  EXPECT_EQ(def.value.status, RunStatus::kActive);
  EXPECT_EQ(def.value.base_version, 0u);
  EXPECT_EQ(def.value.ended_us, 0);
  ASSERT_OK_AND_ASSIGN(exists, db_->RunExists(kDefaultRun));
  EXPECT_TRUE(exists);
}

TEST_F(RunTest, GeneratedIds) {
  std::set<std::string> seen;
  for (int i = 0; i < 20; ++i) {
    ASSERT_OK_AND_ASSIGN(Versioned<RunInfo> created, db_->CreateRun(Spec("")));
    const std::string& id = created.value.id;
    ASSERT_EQ(id.size(), 4u + 32u) << id;
    EXPECT_EQ(id.substr(0, 4), "run-") << id;
    for (char ch : id.substr(4)) {
      EXPECT_TRUE((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')) << id;
    }
    EXPECT_TRUE(seen.insert(id).second) << "duplicate " << id;
    ASSERT_OK_AND_ASSIGN(Versioned<RunInfo> got, db_->GetRun(id));
    EXPECT_EQ(got.value.status, RunStatus::kActive);
    ASSERT_OK(db_->KvPut(id, "k", Value(i)));
  }
  // In a transaction the generated id is returned before commit.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> txn, db_->BeginTransaction());
  ASSERT_OK_AND_ASSIGN(RunId id, txn->CreateRun(Spec("", "", {"t"})));
  EXPECT_EQ(id.substr(0, 4), "run-");
  ASSERT_OK_AND_ASSIGN(Versioned<RunInfo> in_txn, txn->GetRun(id));
  EXPECT_EQ(in_txn.value.tags, std::vector<std::string>{"t"});
  ASSERT_OK(txn->KvPut(id, "k", Value(1)));  // Writable in the creating transaction.
  EXPECT_ERROR(db_->GetRun(id), ErrorCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(Version v, txn->Commit());
  ASSERT_OK_AND_ASSIGN(Versioned<RunInfo> got, db_->GetRun(id));
  EXPECT_EQ(got.version, v);
  EXPECT_LT(got.value.base_version, v);
  ASSERT_OK_AND_ASSIGN(Versioned<Value> kv, db_->KvGet(id, "k"));
  EXPECT_EQ(kv.version, v);
}

TEST_F(RunTest, CreateRunBadInput) {
  const Version v0 = db_->CurrentVersion();
  EXPECT_ERROR(db_->CreateRun(Spec("child", "missing")), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->CreateRun(Spec("m", "", {}, Value(Value::Array{}))),
               ErrorCode::kInvalidArgument);
  EXPECT_ERROR(db_->CreateRun(Spec("m", "", {}, Value("text"))), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(db_->CreateRun(Spec("m", "", {}, Value())), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(db_->CreateRun(Spec("m", "", {""})), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(db_->CreateRun(Spec("m", "", {std::string("a\0b", 3)})),
               ErrorCode::kInvalidArgument);
  std::vector<std::string> many;
  for (size_t i = 0; i <= kMaxTagsPerEntity; ++i) many.push_back("t" + std::to_string(i));
  EXPECT_ERROR(db_->CreateRun(Spec("m", "", many)), ErrorCode::kResourceExhausted);
  EXPECT_ERROR(db_->CreateRun(Spec("a b")), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(db_->CreateRun(Spec("a/b")), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(db_->CreateRun(Spec(std::string(kMaxRunIdBytes + 1, 'r'))),
               ErrorCode::kResourceExhausted);
  EXPECT_ERROR(db_->CreateRun(Spec("m", "bad parent")), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(db_->CreateRun(Spec("self", "self")), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->CreateRun(std::string_view("")), ErrorCode::kInvalidArgument);
  EXPECT_EQ(db_->CurrentVersion(), v0);
  ASSERT_OK_AND_ASSIGN(std::vector<RunId> ids, db_->ListRuns());
  EXPECT_EQ(ids, std::vector<RunId>{"default"});
  // The limits themselves are fine.
  many.pop_back();
  ASSERT_OK(db_->CreateRun(Spec(std::string(kMaxRunIdBytes, 'r'), "", many)));
}

TEST_F(RunTest, DuplicatesAreRefused) {
  ASSERT_OK(db_->CreateRun(Spec("r")));
  const Version v0 = db_->CurrentVersion();
  EXPECT_ERROR(db_->CreateRun(Spec("r", "", {"other"})), ErrorCode::kAlreadyExists);
  EXPECT_ERROR(db_->CreateRun(std::string_view("r")), ErrorCode::kAlreadyExists);
  EXPECT_ERROR(db_->CreateRun(Spec(kDefaultRun)), ErrorCode::kAlreadyExists);
  EXPECT_ERROR(db_->CreateRun(std::string_view(kDefaultRun)), ErrorCode::kAlreadyExists);
  EXPECT_EQ(db_->CurrentVersion(), v0);
  ASSERT_OK_AND_ASSIGN(Versioned<RunInfo> got, db_->GetRun("r"));
  EXPECT_TRUE(got.value.tags.empty());  // Not overwritten.
  // An ended run still exists.
  ASSERT_OK(db_->EndRun("r", RunStatus::kCompleted));
  EXPECT_ERROR(db_->CreateRun(Spec("r")), ErrorCode::kAlreadyExists);
  // Inside a transaction, including a run created by the same transaction.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> txn, db_->BeginTransaction());
  EXPECT_ERROR(txn->CreateRun(Spec("r")), ErrorCode::kAlreadyExists);
  EXPECT_ERROR(txn->CreateRun("default"), ErrorCode::kAlreadyExists);
  ASSERT_OK(txn->CreateRun("fresh"));
  EXPECT_ERROR(txn->CreateRun(Spec("fresh")), ErrorCode::kAlreadyExists);
  ASSERT_OK(txn->Commit());
  // Two transactions creating the same run: the second conflicts.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> a, db_->BeginTransaction());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> b, db_->BeginTransaction());
  ASSERT_OK(a->CreateRun(Spec("race", "", {"a"})));
  ASSERT_OK(b->CreateRun(Spec("race", "", {"b"})));
  ASSERT_OK(a->Commit());
  EXPECT_ERROR(b->Commit(), ErrorCode::kConflict);
  ASSERT_OK_AND_ASSIGN(got, db_->GetRun("race"));
  EXPECT_EQ(got.value.tags, std::vector<std::string>{"a"});
}

TEST_F(RunTest, QueryRuns) {
  std::mt19937_64 rng(TestSeed());
  const std::vector<std::string> tag_pool = {"a", "b", "ab", "c"};
  std::vector<std::string> created;
  for (int i = 0; i < 40; ++i) {
    std::vector<std::string> tags;
    for (const std::string& t : tag_pool) {
      if (rng() % 3 == 0) tags.push_back(t);
    }
    std::string parent;
    if (!created.empty() && rng() % 3 == 0) parent = created[rng() % created.size()];
    else if (rng() % 5 == 0) parent = kDefaultRun;
    // Random ids so that id order differs from creation order.
    const std::string id = "q" + std::to_string(rng() % 1000000) + "-" + std::to_string(i);
    ASSERT_OK(db_->CreateRun(Spec(id, parent, tags)));
    created.push_back(id);
    if (rng() % 4 == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  for (const std::string& id : created) {
    switch (rng() % 6) {
      case 0:
        ASSERT_OK(db_->EndRun(id, RunStatus::kCompleted));
        break;
      case 1:
        ASSERT_OK(db_->EndRun(id, RunStatus::kFailed));
        break;
      case 2:
        ASSERT_OK(db_->EndRun(id, RunStatus::kCancelled));
        ASSERT_OK(db_->ArchiveRun(id));
        break;
      default:
        break;
    }
  }
  // The model: every run as GetRun reports it, plus default.
  std::vector<RunInfo> model;
  for (const std::string& id : created) {
    ASSERT_OK_AND_ASSIGN(Versioned<RunInfo> got, db_->GetRun(id));
    model.push_back(got.value);
  }
  ASSERT_OK_AND_ASSIGN(Versioned<RunInfo> def, db_->GetRun(kDefaultRun));
  model.push_back(def.value);
  std::sort(model.begin(), model.end(), [](const RunInfo& a, const RunInfo& b) {
    return std::tie(a.created_us, a.id) < std::tie(b.created_us, b.id);
  });

  // Everything, in (created_us, id) order, full records.
  RunQuery all;
  all.limit = kMaxListLimit;
  ASSERT_OK_AND_ASSIGN(std::vector<RunInfo> everything, db_->QueryRuns(all));
  ASSERT_EQ(everything.size(), model.size());
  for (size_t i = 0; i < model.size(); ++i) ExpectRunEq(everything[i], model[i]);
  EXPECT_EQ(everything.front().id, kDefaultRun);  // created_us 0.

  auto matches = [](const RunInfo& r, const RunQuery& q) {
    if (q.status && r.status != *q.status) return false;
    if (q.tag && std::find(r.tags.begin(), r.tags.end(), *q.tag) == r.tags.end()) return false;
    if (q.parent && r.parent != *q.parent) return false;
    if (q.from_us && r.created_us < *q.from_us) return false;
    if (q.to_us && r.created_us > *q.to_us) return false;
    return true;
  };
  for (int round = 0; round < 300; ++round) {
    RunQuery q;
    if (rng() % 3 == 0) q.status = static_cast<RunStatus>(1 + rng() % 5);
    if (rng() % 3 == 0) q.tag = rng() % 6 == 0 ? "zz" : tag_pool[rng() % tag_pool.size()];
    if (rng() % 4 == 0) {
      q.parent = rng() % 3 == 0 ? std::string(kDefaultRun)
                 : rng() % 2 == 0 ? std::string("")
                                  : created[rng() % created.size()];
    }
    if (rng() % 3 == 0) q.from_us = model[rng() % model.size()].created_us;
    if (rng() % 3 == 0) q.to_us = model[rng() % model.size()].created_us;
    q.limit = rng() % 3 == 0 ? 1 + rng() % 5 : 100;
    std::vector<std::string> want;
    for (const RunInfo& r : model) {
      if (matches(r, q) && want.size() < q.limit) want.push_back(r.id);
    }
    ASSERT_OK_AND_ASSIGN(std::vector<RunInfo> got, db_->QueryRuns(q));
    ASSERT_EQ(Ids(got), want) << "round " << round << " limit " << q.limit;
  }

  // Some fixed ones.
  RunQuery q;
  q.status = RunStatus::kActive;
  ASSERT_OK_AND_ASSIGN(std::vector<RunInfo> active, db_->QueryRuns(q));
  ASSERT_FALSE(active.empty());
  EXPECT_EQ(active.front().id, kDefaultRun);
  for (const RunInfo& r : active) EXPECT_EQ(r.status, RunStatus::kActive);
  q = {};
  q.parent = "no-such-parent";
  ASSERT_OK_AND_ASSIGN(std::vector<RunInfo> none, db_->QueryRuns(q));
  EXPECT_TRUE(none.empty());
  q = {};
  q.from_us = WallMicros() + 60'000'000;
  ASSERT_OK_AND_ASSIGN(none, db_->QueryRuns(q));
  EXPECT_TRUE(none.empty());
  q = {};
  q.limit = 0;
  EXPECT_ERROR(db_->QueryRuns(q), ErrorCode::kInvalidArgument);
  q.limit = kMaxListLimit + 1;
  EXPECT_ERROR(db_->QueryRuns(q), ErrorCode::kInvalidArgument);
}

TEST_F(RunTest, UpdateRunMetadata) {
  ASSERT_OK(db_->CreateRun(Spec("r", "", {"t"}, Value(Value::Object{{"a", Value(1)}}))));
  ASSERT_OK_AND_ASSIGN(Versioned<RunInfo> before, db_->GetRun("r"));
  Value meta(Value::Object{{"b", Value(Value::Array{Value(1), Value("x")})}});
  ASSERT_OK_AND_ASSIGN(Version v, db_->UpdateRunMetadata("r", meta));
  EXPECT_EQ(v, db_->CurrentVersion());
  ASSERT_OK_AND_ASSIGN(Versioned<RunInfo> after, db_->GetRun("r"));
  EXPECT_EQ(after.version, v);
  EXPECT_EQ(after.value.metadata, meta);  // Replaced, not merged.
  // Nothing else changed.
  RunInfo want = before.value;
  want.metadata = meta;
  ExpectRunEq(after.value, want);

  const Version v0 = db_->CurrentVersion();
  EXPECT_ERROR(db_->UpdateRunMetadata("r", Value(Value::Array{})), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(db_->UpdateRunMetadata("r", Value(7)), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(db_->UpdateRunMetadata("missing", Value(Value::Object{})), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->UpdateRunMetadata("a b", Value(Value::Object{})),
               ErrorCode::kInvalidArgument);
  EXPECT_EQ(db_->CurrentVersion(), v0);

  // Allowed in every status.
  ASSERT_OK(db_->EndRun("r", RunStatus::kFailed));
  ASSERT_OK(db_->UpdateRunMetadata("r", Value(Value::Object{{"why", Value("oom")}})));
  ASSERT_OK(db_->ArchiveRun("r"));
  ASSERT_OK(db_->UpdateRunMetadata("r", Value(Value::Object{{"why", Value("oom2")}})));
  ASSERT_OK_AND_ASSIGN(after, db_->GetRun("r"));
  EXPECT_EQ(after.value.status, RunStatus::kArchived);
  EXPECT_EQ(after.value.metadata, Value(Value::Object{{"why", Value("oom2")}}));
  // The run stays closed for writes.
  EXPECT_ERROR(db_->KvPut("r", "k", Value(1)), ErrorCode::kFailedPrecondition);

  // On default, which stays active and listed once.
  ASSERT_OK(db_->UpdateRunMetadata(kDefaultRun, Value(Value::Object{{"d", Value(true)}})));
  ASSERT_OK_AND_ASSIGN(Versioned<RunInfo> def, db_->GetRun(kDefaultRun));
  EXPECT_EQ(def.value.status, RunStatus::kActive);
  EXPECT_EQ(def.value.metadata, Value(Value::Object{{"d", Value(true)}}));
  ASSERT_OK(db_->KvPut(kDefaultRun, "k", Value(1)));
  ASSERT_OK_AND_ASSIGN(std::vector<RunId> ids, db_->ListRuns());
  EXPECT_EQ(ids, (std::vector<RunId>{"default", "r"}));
  ASSERT_OK_AND_ASSIGN(std::vector<RunInfo> runs, db_->QueryRuns(RunQuery{}));
  EXPECT_EQ(Ids(runs), (std::vector<std::string>{"default", "r"}));
  EXPECT_ERROR(db_->EndRun(kDefaultRun, RunStatus::kCompleted), ErrorCode::kFailedPrecondition);

  // In a transaction.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> txn, db_->BeginTransaction());
  ASSERT_OK(txn->UpdateRunMetadata("r", Value(Value::Object{{"t", Value(1)}})));
  ASSERT_OK_AND_ASSIGN(Versioned<RunInfo> in_txn, txn->GetRun("r"));
  EXPECT_EQ(in_txn.value.metadata, Value(Value::Object{{"t", Value(1)}}));
  txn->Rollback();
  ASSERT_OK_AND_ASSIGN(after, db_->GetRun("r"));
  EXPECT_EQ(after.value.metadata, Value(Value::Object{{"why", Value("oom2")}}));
}

TEST_F(RunTest, LifecycleTransitions) {
  const std::pair<const char*, RunStatus> ends[] = {{"c", RunStatus::kCompleted},
                                                    {"f", RunStatus::kFailed},
                                                    {"x", RunStatus::kCancelled}};
  for (const auto& [id, status] : ends) {
    ASSERT_OK_AND_ASSIGN(Versioned<RunInfo> created, db_->CreateRun(Spec(id)));
    const int64_t t0 = WallMicros();
    ASSERT_OK_AND_ASSIGN(Version v, db_->EndRun(id, status));
    ASSERT_OK_AND_ASSIGN(Versioned<RunInfo> ended, db_->GetRun(id));
    EXPECT_EQ(ended.version, v);
    EXPECT_EQ(ended.value.status, status);
    EXPECT_GE(ended.value.ended_us, t0 - 1000);
    EXPECT_GE(ended.value.ended_us, ended.value.created_us);
    EXPECT_LE(ended.value.ended_us, WallMicros() + 1000);
    EXPECT_EQ(ended.value.created_us, created.value.created_us);
    EXPECT_EQ(ended.value.base_version, created.value.base_version);

    // Ended runs cannot end again.
    for (RunStatus again : {RunStatus::kCompleted, RunStatus::kFailed, RunStatus::kCancelled}) {
      absl::StatusOr<Version> r = db_->EndRun(id, again);
      EXPECT_ERROR(r, ErrorCode::kFailedPrecondition);
      EXPECT_TRUE(Contains(r.status(), RunStatusName(status))) << r.status();
      EXPECT_TRUE(Contains(r.status(), RunStatusName(again))) << r.status();
    }
    ASSERT_OK_AND_ASSIGN(Version va, db_->ArchiveRun(id));
    ASSERT_OK_AND_ASSIGN(Versioned<RunInfo> archived, db_->GetRun(id));
    EXPECT_EQ(archived.version, va);
    EXPECT_EQ(archived.value.status, RunStatus::kArchived);
    EXPECT_EQ(archived.value.ended_us, ended.value.ended_us);  // Archiving keeps the end time.
    // Archived is final.
    absl::StatusOr<Version> r = db_->ArchiveRun(id);
    EXPECT_ERROR(r, ErrorCode::kFailedPrecondition);
    EXPECT_TRUE(Contains(r.status(), "archived")) << r.status();
    r = db_->EndRun(id, RunStatus::kCompleted);
    EXPECT_ERROR(r, ErrorCode::kFailedPrecondition);
    EXPECT_TRUE(Contains(r.status(), "archived")) << r.status();
    EXPECT_TRUE(Contains(r.status(), "completed")) << r.status();
  }

  // Archiving an active run.
  ASSERT_OK(db_->CreateRun(Spec("act")));
  const Version v0 = db_->CurrentVersion();
  absl::StatusOr<Version> r = db_->ArchiveRun("act");
  EXPECT_ERROR(r, ErrorCode::kFailedPrecondition);
  EXPECT_TRUE(Contains(r.status(), "active")) << r.status();
  EXPECT_TRUE(Contains(r.status(), "archived")) << r.status();
  // EndRun only ends.
  EXPECT_ERROR(db_->EndRun("act", RunStatus::kArchived), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(db_->EndRun("act", RunStatus::kActive), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(db_->EndRun("act", static_cast<RunStatus>(0)), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(db_->EndRun("act", static_cast<RunStatus>(42)), ErrorCode::kInvalidArgument);
  // Unknown and malformed runs.
  EXPECT_ERROR(db_->EndRun("nope", RunStatus::kCompleted), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->ArchiveRun("nope"), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->DeleteRun("nope"), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->GetRun("nope"), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->EndRun("no pe", RunStatus::kCompleted), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(db_->GetRun(""), ErrorCode::kInvalidArgument);
  // "default" is always active and cannot be deleted.
  for (RunStatus s : {RunStatus::kCompleted, RunStatus::kFailed, RunStatus::kCancelled}) {
    EXPECT_ERROR(db_->EndRun(kDefaultRun, s), ErrorCode::kFailedPrecondition);
  }
  EXPECT_ERROR(db_->ArchiveRun(kDefaultRun), ErrorCode::kFailedPrecondition);
  EXPECT_ERROR(db_->DeleteRun(kDefaultRun), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(db_->CurrentVersion(), v0);
  ASSERT_OK_AND_ASSIGN(Versioned<RunInfo> act, db_->GetRun("act"));
  EXPECT_EQ(act.value.status, RunStatus::kActive);
  EXPECT_EQ(act.value.ended_us, 0);
  ASSERT_OK_AND_ASSIGN(Versioned<RunInfo> def, db_->GetRun(kDefaultRun));
  EXPECT_EQ(def.value.status, RunStatus::kActive);

  // In a transaction: end and archive in one commit; the transaction sees
  // its own status changes.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> txn, db_->BeginTransaction());
  EXPECT_ERROR(txn->ArchiveRun("act"), ErrorCode::kFailedPrecondition);
  ASSERT_OK(txn->EndRun("act", RunStatus::kCompleted));
  ASSERT_OK_AND_ASSIGN(Versioned<RunInfo> in_txn, txn->GetRun("act"));
  EXPECT_EQ(in_txn.value.status, RunStatus::kCompleted);
  EXPECT_ERROR(txn->EndRun("act", RunStatus::kFailed), ErrorCode::kFailedPrecondition);
  EXPECT_ERROR(txn->KvPut("act", "k", Value(1)), ErrorCode::kFailedPrecondition);
  ASSERT_OK(txn->ArchiveRun("act"));
  EXPECT_ERROR(txn->EndRun(kDefaultRun, RunStatus::kCompleted), ErrorCode::kFailedPrecondition);
  EXPECT_ERROR(txn->DeleteRun(kDefaultRun), ErrorCode::kFailedPrecondition);
  // Still active outside until commit.
  ASSERT_OK_AND_ASSIGN(act, db_->GetRun("act"));
  EXPECT_EQ(act.value.status, RunStatus::kActive);
  ASSERT_OK_AND_ASSIGN(Version v, txn->Commit());
  ASSERT_OK_AND_ASSIGN(act, db_->GetRun("act"));
  EXPECT_EQ(act.value.status, RunStatus::kArchived);
  EXPECT_EQ(act.version, v);
  EXPECT_GT(act.value.ended_us, 0);
}

// Every write API refuses an ended or archived run; every read keeps
// working and sees the data written while it was active.
TEST_F(RunTest, WritesIntoNonActiveRunAreRefused) {
  const RunStatus finals[] = {RunStatus::kCompleted, RunStatus::kFailed, RunStatus::kCancelled,
                              RunStatus::kArchived};
  for (RunStatus final_status : finals) {
    SCOPED_TRACE(std::string(RunStatusName(final_status)));
    const std::string run = "r-" + std::string(RunStatusName(final_status));
    ASSERT_OK(db_->CreateRun(Spec(run)));
    ASSERT_OK_AND_ASSIGN(Version kv_version, db_->KvPut(run, "k", Value("v")));
    ASSERT_OK(db_->EventAppend(run, "ev", Value(1)));
    ASSERT_OK(db_->StateInit(run, "cell", Value(10)));
    ASSERT_OK_AND_ASSIGN(Versioned<Value> cell, db_->StateRead(run, "cell"));
    ASSERT_OK_AND_ASSIGN(uint64_t span, db_->TraceBegin(run, SpanNamed("open")));
    ASSERT_OK(db_->TraceRecord(run, SpanNamed("done")));
    if (final_status == RunStatus::kArchived) {
      ASSERT_OK(db_->EndRun(run, RunStatus::kCompleted));
      ASSERT_OK(db_->ArchiveRun(run));
    } else {
      ASSERT_OK(db_->EndRun(run, final_status));
    }
    const Version v0 = db_->CurrentVersion();

    auto refused = [&](const absl::Status& s, const char* what) {
      EXPECT_EQ(ErrorName(GetErrorCode(s)), ErrorName(ErrorCode::kFailedPrecondition))
          << what << ": " << s;
      EXPECT_TRUE(Contains(s, run)) << what << ": " << s;
      EXPECT_TRUE(Contains(s, RunStatusName(final_status))) << what << ": " << s;
    };
    // Fast path.
    refused(db_->KvPut(run, "k", Value("w")).status(), "KvPut");
    refused(db_->KvPut(run, "new", Value("w")).status(), "KvPut new");
    refused(db_->KvDelete(run, "k").status(), "KvDelete");
    refused(db_->KvCompareAndSwap(run, "k", kv_version, Value("w")).status(), "KvCas");
    refused(db_->KvCompareAndSwap(run, "new", 0, Value("w")).status(), "KvCas new");
    refused(db_->EventAppend(run, "ev", Value(2)).status(), "EventAppend");
    refused(db_->StateInit(run, "cell2", Value(1)).status(), "StateInit");
    refused(db_->StateSet(run, "cell", Value(11)).status(), "StateSet");
    refused(db_->StateSet(run, "cell3", Value(11)).status(), "StateSet new");
    refused(db_->StateCas(run, "cell", cell.version, Value(12)).status(), "StateCas");
    refused(db_->StateDelete(run, "cell").status(), "StateDelete");
    refused(db_
                ->StateTransition(run, "cell",
                                  [](const Versioned<Value>& v) -> absl::StatusOr<Value> {
                                    return Value(v.value.AsInt() + 1);
                                  })
                .status(),
            "StateTransition");
    refused(db_->TraceRecord(run, SpanNamed("late")).status(), "TraceRecord");
    refused(db_->TraceBegin(run, SpanNamed("late")).status(), "TraceBegin");
    refused(db_->TraceEnd(run, span, SpanStatus::kOk, Value()).status(), "TraceEnd");
    EXPECT_EQ(db_->CurrentVersion(), v0);

    // In a transaction: refused at the call.
    {
      ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> txn, db_->BeginTransaction());
      refused(txn->KvPut(run, "k", Value("w")), "txn KvPut");
      refused(txn->KvDelete(run, "k"), "txn KvDelete");
      refused(txn->KvCompareAndSwap(run, "k", kv_version, Value("w")), "txn KvCas");
      refused(txn->EventAppend(run, "ev", Value(2)).status(), "txn EventAppend");
      refused(txn->StateInit(run, "cell2", Value(1)), "txn StateInit");
      refused(txn->StateSet(run, "cell", Value(11)), "txn StateSet");
      refused(txn->StateCas(run, "cell", cell.version, Value(12)), "txn StateCas");
      refused(txn->StateDelete(run, "cell"), "txn StateDelete");
      refused(txn->TraceRecord(run, SpanNamed("late")).status(), "txn TraceRecord");
      refused(txn->TraceBegin(run, SpanNamed("late")).status(), "txn TraceBegin");
      refused(txn->TraceEnd(run, span, SpanStatus::kOk, Value()), "txn TraceEnd");
      // Reads in the transaction work.
      ASSERT_OK_AND_ASSIGN(Versioned<Value> kv, txn->KvGet(run, "k"));
      EXPECT_EQ(kv.value, Value("v"));
      ASSERT_OK_AND_ASSIGN(Versioned<Value> c, txn->StateRead(run, "cell"));
      EXPECT_EQ(c.value, Value(10));
      ASSERT_OK_AND_ASSIGN(uint64_t len, txn->EventLength(run));
      EXPECT_EQ(len, 1u);
      ASSERT_OK_AND_ASSIGN(Versioned<Span> s, txn->TraceGet(run, span));
      EXPECT_EQ(s.value.status, SpanStatus::kRunning);
      ASSERT_OK_AND_ASSIGN(KvPage page, txn->KvList(run, ListRequest{}));
      EXPECT_EQ(page.entries.size(), 1u);
      // A write into another run still works, and commits.
      ASSERT_OK(txn->KvPut(kDefaultRun, "side-" + run, Value(1)));
      ASSERT_OK(txn->Commit());
    }
    EXPECT_EQ(db_->CurrentVersion(), v0 + 1);
    // Transact returns the refusal.
    EXPECT_ERROR(db_->Transact([&](Transaction& t) { return t.KvPut(run, "k", Value(0)); }),
                 ErrorCode::kFailedPrecondition);
    EXPECT_EQ(db_->CurrentVersion(), v0 + 1);

    // Reads on the fast path work and see the data as it was.
    ASSERT_OK_AND_ASSIGN(Versioned<Value> kv, db_->KvGet(run, "k"));
    EXPECT_EQ(kv.value, Value("v"));
    EXPECT_EQ(kv.version, kv_version);
    ASSERT_OK_AND_ASSIGN(bool exists, db_->KvExists(run, "k"));
    EXPECT_TRUE(exists);
    ASSERT_OK_AND_ASSIGN(KvPage page, db_->KvList(run, ListRequest{}));
    EXPECT_EQ(page.entries.size(), 1u);
    ASSERT_OK_AND_ASSIGN(std::vector<KvVersion> hist, db_->KvHistory(run, "k"));
    EXPECT_EQ(hist.size(), 1u);
    ASSERT_OK_AND_ASSIGN(Versioned<Event> ev, db_->EventRead(run, 1));
    EXPECT_EQ(ev.value.type, "ev");
    ASSERT_OK_AND_ASSIGN(uint64_t len, db_->EventLength(run));
    EXPECT_EQ(len, 1u);
    ASSERT_OK_AND_ASSIGN(ChainReport chain, db_->EventVerifyChain(run));
    EXPECT_TRUE(chain.valid);
    ASSERT_OK_AND_ASSIGN(Versioned<Value> c, db_->StateRead(run, "cell"));
    EXPECT_EQ(c.value, Value(10));
    ASSERT_OK_AND_ASSIGN(KvPage cells, db_->StateList(run, ListRequest{}));
    EXPECT_EQ(cells.entries.size(), 1u);
    ASSERT_OK_AND_ASSIGN(Versioned<Span> s, db_->TraceGet(run, span));
    EXPECT_EQ(s.value.status, SpanStatus::kRunning);
    ASSERT_OK_AND_ASSIGN(uint64_t spans, db_->TraceCount(run));
    EXPECT_EQ(spans, 2u);
    ASSERT_OK_AND_ASSIGN(SpanPage span_page, db_->TraceQuery(run, SpanQuery{}));
    EXPECT_EQ(span_page.spans.size(), 2u);
    ASSERT_OK_AND_ASSIGN(std::vector<SpanTreeNode> tree, db_->TraceTree(run));
    EXPECT_EQ(tree.size(), 2u);
    ASSERT_OK_AND_ASSIGN(Versioned<RunInfo> info, db_->GetRun(run));
    EXPECT_EQ(info.value.status, final_status);
    ASSERT_OK_AND_ASSIGN(Versioned<Value> by_ref,
                         db_->Get(EntityRef{run, Primitive::kKv, "k", {}, {}}));
    EXPECT_EQ(by_ref.value, Value("v"));
    ASSERT_OK_AND_ASSIGN(uint64_t kv_count, db_->Count(run, Primitive::kKv));
    EXPECT_EQ(kv_count, 1u);
    // A fork of an ended run may be created.
    ASSERT_OK(db_->CreateRun(Spec(run + ".fork", run)));
  }
}

TEST_F(RunTest, DeleteRunRemovesEverything) {
  // "r1" and "r10": one run's id is a prefix of another's.
  for (const char* run : {"r1", "r10"}) {
    ASSERT_OK(db_->CreateRun(Spec(run, "", {"t"})));
    for (int i = 0; i < 20; ++i) {
      ASSERT_OK(db_->KvPut(run, "key" + std::to_string(i), Value(i)));
    }
    ASSERT_OK(db_->KvPut(run, std::string("\0bin", 4), Value("b")));
    for (int i = 0; i < 5; ++i) ASSERT_OK(db_->EventAppend(run, "ev", Value(i)));
    ASSERT_OK(db_->StateInit(run, "cell", Value(1)));
    ASSERT_OK(db_->StateSet(run, "cell2", Value(2)));
    SpanSpec tagged = SpanNamed("root");
    tagged.tags = {"x"};
    ASSERT_OK(db_->TraceRecord(run, tagged));
    SpanSpec child = SpanNamed("child");
    child.parent = 1;
    ASSERT_OK(db_->TraceBegin(run, child));
  }
  ASSERT_OK(db_->KvPut(kDefaultRun, "key0", Value("default")));
  ASSERT_OK(db_->EndRun("r1", RunStatus::kCompleted));  // Ended runs can be deleted.
  const uint64_t live_before = db_->Stats().live_keys;

  ASSERT_OK_AND_ASSIGN(Version v, db_->DeleteRun("r1"));
  EXPECT_EQ(v, db_->CurrentVersion());
  ASSERT_OK_AND_ASSIGN(bool exists, db_->RunExists("r1"));
  EXPECT_FALSE(exists);
  EXPECT_ERROR(db_->GetRun("r1"), ErrorCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(std::vector<RunId> ids, db_->ListRuns());
  EXPECT_EQ(ids, (std::vector<RunId>{"default", "r10"}));
  ASSERT_OK_AND_ASSIGN(std::vector<RunInfo> runs, db_->QueryRuns(RunQuery{}));
  EXPECT_EQ(Ids(runs), (std::vector<std::string>{"default", "r10"}));
  // 20 + 1 keys, 5 events + head, 2 cells, 2 spans + head + indexes, run
  // record: at least 32 live keys went away.
  EXPECT_LE(db_->Stats().live_keys + 32, live_before);

  // Reads of the deleted run: NotFound.
  EXPECT_ERROR(db_->KvGet("r1", "key0"), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->KvGet("r1", std::string("\0bin", 4)), ErrorCode::kNotFound);
  absl::StatusOr<KvPage> list = db_->KvList("r1", ListRequest{});
  if (list.ok()) {
    EXPECT_TRUE(list->entries.empty());
  }
  EXPECT_ERROR(db_->EventRead("r1", 1), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->EventLength("r1"), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->StateRead("r1", "cell"), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->TraceGet("r1", 1), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->TraceCount("r1"), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->TraceQuery("r1", SpanQuery{}), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->Count("r1", Primitive::kKv), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->Get(EntityRef{"r1", Primitive::kKv, "key0", {}, {}}), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->Get(EntityRef{"r1", Primitive::kRun, "", {}, {}}), ErrorCode::kNotFound);
  // Writes: NotFound (the run does not exist), and it cannot be deleted twice.
  EXPECT_ERROR(db_->KvPut("r1", "k", Value(1)), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->EventAppend("r1", "ev", Value(1)), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->TraceRecord("r1", SpanNamed("x")), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->StateSet("r1", "c", Value(1)), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->DeleteRun("r1"), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->EndRun("r1", RunStatus::kFailed), ErrorCode::kNotFound);

  // The other runs are untouched.
  ASSERT_OK_AND_ASSIGN(Versioned<Value> def, db_->KvGet(kDefaultRun, "key0"));
  EXPECT_EQ(def.value, Value("default"));
  ASSERT_OK_AND_ASSIGN(KvPage r10_keys, db_->KvList("r10", ListRequest{}));
  EXPECT_EQ(r10_keys.entries.size(), 21u);
  ASSERT_OK_AND_ASSIGN(uint64_t r10_events, db_->EventLength("r10"));
  EXPECT_EQ(r10_events, 5u);
  ASSERT_OK_AND_ASSIGN(ChainReport chain, db_->EventVerifyChain("r10"));
  EXPECT_TRUE(chain.valid);
  ASSERT_OK_AND_ASSIGN(uint64_t r10_spans, db_->TraceCount("r10"));
  EXPECT_EQ(r10_spans, 2u);
  ASSERT_OK_AND_ASSIGN(KvPage r10_cells, db_->StateList("r10", ListRequest{}));
  EXPECT_EQ(r10_cells.entries.size(), 2u);

  // The id can be used again, and the new run starts empty.
  ASSERT_OK_AND_ASSIGN(Versioned<RunInfo> again, db_->CreateRun(Spec("r1")));
  EXPECT_EQ(again.value.status, RunStatus::kActive);
  EXPECT_TRUE(again.value.tags.empty());
  EXPECT_EQ(again.value.ended_us, 0);
  EXPECT_ERROR(db_->KvGet("r1", "key0"), ErrorCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(KvPage fresh, db_->KvList("r1", ListRequest{}));
  EXPECT_TRUE(fresh.entries.empty());
  ASSERT_OK_AND_ASSIGN(uint64_t events, db_->EventLength("r1"));
  EXPECT_EQ(events, 0u);
  EXPECT_ERROR(db_->EventRead("r1", 1), ErrorCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(uint64_t spans, db_->TraceCount("r1"));
  EXPECT_EQ(spans, 0u);
  ASSERT_OK_AND_ASSIGN(SpanPage span_page, db_->TraceQuery("r1", SpanQuery{}));
  EXPECT_TRUE(span_page.spans.empty());
  SpanQuery by_tag;
  by_tag.tag = "x";
  ASSERT_OK_AND_ASSIGN(span_page, db_->TraceQuery("r1", by_tag));
  EXPECT_TRUE(span_page.spans.empty());
  ASSERT_OK_AND_ASSIGN(std::vector<SpanTreeNode> tree, db_->TraceTree("r1"));
  EXPECT_TRUE(tree.empty());
  EXPECT_ERROR(db_->StateRead("r1", "cell"), ErrorCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(KvPage no_cells, db_->StateList("r1", ListRequest{}));
  EXPECT_TRUE(no_cells.entries.empty());
  ASSERT_OK_AND_ASSIGN(uint64_t kv_count, db_->Count("r1", Primitive::kKv));
  EXPECT_EQ(kv_count, 0u);
  // Numbering restarts, the chain starts fresh, cells can be initialised.
  ASSERT_OK_AND_ASSIGN(EventAppended appended, db_->EventAppend("r1", "new", Value(1)));
  EXPECT_EQ(appended.seq, 1u);
  ASSERT_OK_AND_ASSIGN(Versioned<Event> first, db_->EventRead("r1", 1));
  EXPECT_EQ(first.value.prev_hash, 0u);
  ASSERT_OK_AND_ASSIGN(chain, db_->EventVerifyChain("r1"));
  EXPECT_TRUE(chain.valid);
  ASSERT_OK_AND_ASSIGN(uint64_t span_id, db_->TraceRecord("r1", SpanNamed("new")));
  EXPECT_EQ(span_id, 1u);
  ASSERT_OK(db_->StateInit("r1", "cell", Value(5)));
}

TEST_F(RunTest, DeleteRunInTransaction) {
  ASSERT_OK(db_->CreateRun(Spec("r")));
  ASSERT_OK(db_->KvPut("r", "old", Value(1)));
  ASSERT_OK(db_->TraceRecord("r", SpanNamed("old")));
  {
    // Rolled back: nothing happens.
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> txn, db_->BeginTransaction());
    ASSERT_OK(txn->DeleteRun("r"));
    EXPECT_ERROR(txn->GetRun("r"), ErrorCode::kNotFound);
    EXPECT_ERROR(txn->KvGet("r", "old"), ErrorCode::kNotFound);
    EXPECT_ERROR(txn->KvPut("r", "k", Value(1)), ErrorCode::kNotFound);
    txn->Rollback();
  }
  ASSERT_OK_AND_ASSIGN(Versioned<Value> old, db_->KvGet("r", "old"));
  EXPECT_EQ(old.value, Value(1));
  {
    // Writes made earlier in the same transaction go too.
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> txn, db_->BeginTransaction());
    ASSERT_OK(txn->KvPut("r", "new", Value(2)));
    ASSERT_OK(txn->EventAppend("r", "ev", Value(3)).status());
    ASSERT_OK(txn->TraceRecord("r", SpanNamed("new")).status());
    ASSERT_OK(txn->StateSet("r", "cell", Value(4)));
    ASSERT_OK(txn->DeleteRun("r"));
    ASSERT_OK(txn->KvPut(kDefaultRun, "marker", Value(5)));
    ASSERT_OK(txn->Commit());
  }
  ASSERT_OK_AND_ASSIGN(bool exists, db_->RunExists("r"));
  EXPECT_FALSE(exists);
  ASSERT_OK(db_->KvGet(kDefaultRun, "marker"));
  // Recreated: nothing of the old run, nor of the deleting transaction.
  ASSERT_OK(db_->CreateRun(Spec("r")));
  EXPECT_ERROR(db_->KvGet("r", "old"), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->KvGet("r", "new"), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->StateRead("r", "cell"), ErrorCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(uint64_t events, db_->EventLength("r"));
  EXPECT_EQ(events, 0u);
  ASSERT_OK_AND_ASSIGN(uint64_t spans, db_->TraceCount("r"));
  EXPECT_EQ(spans, 0u);
  ASSERT_OK_AND_ASSIGN(KvPage page, db_->KvList("r", ListRequest{}));
  EXPECT_TRUE(page.entries.empty());
  // Delete and create again in one transaction.
  ASSERT_OK(db_->KvPut("r", "x", Value(1)));
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> txn, db_->BeginTransaction());
    ASSERT_OK(txn->DeleteRun("r"));
    ASSERT_OK(txn->CreateRun(Spec("r", "", {"second"})));
    ASSERT_OK(txn->KvPut("r", "y", Value(2)));
    ASSERT_OK(txn->Commit());
  }
  ASSERT_OK_AND_ASSIGN(Versioned<RunInfo> info, db_->GetRun("r"));
  EXPECT_EQ(info.value.tags, std::vector<std::string>{"second"});
  EXPECT_ERROR(db_->KvGet("r", "x"), ErrorCode::kNotFound);
  ASSERT_OK(db_->KvGet("r", "y"));
}

TEST_F(RunTest, TransactionWritingIntoRunConflictsWithConcurrentEnd) {
  ASSERT_OK(db_->CreateRun(Spec("r")));
  ASSERT_OK(db_->KvPut("r", "before", Value(0)));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> txn, db_->BeginTransaction());
  ASSERT_OK(txn->KvPut("r", "k", Value(1)));
  ASSERT_OK(txn->KvPut(kDefaultRun, "side", Value(1)));
  ASSERT_OK_AND_ASSIGN(Version end_version, db_->EndRun("r", RunStatus::kCompleted));
  EXPECT_ERROR(txn->Commit(), ErrorCode::kConflict);
  // Nothing of the transaction was applied.
  EXPECT_ERROR(db_->KvGet("r", "k"), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->KvGet(kDefaultRun, "side"), ErrorCode::kNotFound);
  EXPECT_EQ(db_->CurrentVersion(), end_version);
  // And the run is closed to the fast path now.
  EXPECT_ERROR(db_->KvPut("r", "k", Value(2)), ErrorCode::kFailedPrecondition);
  EXPECT_ERROR(db_->KvPut("r", "before", Value(2)), ErrorCode::kFailedPrecondition);
  // A Transact retry sees the end and gives up with FailedPrecondition.
  EXPECT_ERROR(db_->Transact([](Transaction& t) { return t.KvPut("r", "k", Value(3)); }),
               ErrorCode::kFailedPrecondition);
}

TEST_F(RunTest, TransactionWritingIntoRunConflictsWithConcurrentRecordChanges) {
  // Every primitive's write registers the run check.
  enum class Op { kKv, kEvent, kState, kTrace, kTraceEnd };
  const Op ops[] = {Op::kKv, Op::kEvent, Op::kState, Op::kTrace, Op::kTraceEnd};
  int n = 0;
  for (Op op : ops) {
    for (int change = 0; change < 3; ++change) {
      SCOPED_TRACE(::testing::Message() << "op " << static_cast<int>(op) << " change " << change);
      const std::string run = "r" + std::to_string(n++);
      ASSERT_OK(db_->CreateRun(Spec(run)));
      ASSERT_OK_AND_ASSIGN(uint64_t span, db_->TraceBegin(run, SpanNamed("s")));
      ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> txn, db_->BeginTransaction());
      switch (op) {
        case Op::kKv:
          ASSERT_OK(txn->KvPut(run, "k", Value(1)));
          break;
        case Op::kEvent:
          ASSERT_OK(txn->EventAppend(run, "e", Value(1)).status());
          break;
        case Op::kState:
          ASSERT_OK(txn->StateSet(run, "c", Value(1)));
          break;
        case Op::kTrace:
          ASSERT_OK(txn->TraceRecord(run, SpanNamed("t")).status());
          break;
        case Op::kTraceEnd:
          ASSERT_OK(txn->TraceEnd(run, span, SpanStatus::kOk, Value()));
          break;
      }
      switch (change) {
        case 0:
          ASSERT_OK(db_->EndRun(run, RunStatus::kCancelled));
          break;
        case 1:
          ASSERT_OK(db_->UpdateRunMetadata(run, Value(Value::Object{{"m", Value(1)}})));
          break;
        case 2:
          ASSERT_OK(db_->DeleteRun(run));
          break;
      }
      const Version v = db_->CurrentVersion();
      EXPECT_ERROR(txn->Commit(), ErrorCode::kConflict);
      EXPECT_EQ(db_->CurrentVersion(), v);
    }
  }
  // A read-only transaction over a run that ends meanwhile commits fine.
  ASSERT_OK(db_->CreateRun(Spec("ro")));
  ASSERT_OK(db_->KvPut("ro", "k", Value(1)));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> ro, db_->BeginTransaction());
  ASSERT_OK(ro->KvGet("ro", "k"));
  ASSERT_OK(ro->GetRun("ro"));
  ASSERT_OK(db_->EndRun("ro", RunStatus::kCompleted));
  ASSERT_OK(ro->Commit());
}

// Writers race an EndRun: once EndRun returns version V, nothing in the run
// has a version above V, and every acknowledged write is there.
TEST_F(RunTest, ConcurrentWritersAndEndRun) {
  const uint64_t seed = TestSeed();
  std::mt19937_64 rng(seed);
  for (int round = 0; round < 6; ++round) {
    SCOPED_TRACE(::testing::Message() << "round " << round);
    const std::string run = "hot" + std::to_string(round);
    ASSERT_OK(db_->CreateRun(Spec(run)));
    constexpr int kThreads = 3;
    const int end_after = 20 + static_cast<int>(rng() % 150);
    std::atomic<int> acked{0};
    std::atomic<bool> stop{false};
    std::vector<std::vector<std::pair<std::string, Version>>> writes(kThreads);
    std::vector<std::string> errors(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; !stop.load(); ++i) {
          // Distinct keys and one shared key.
          const std::string key =
              i % 4 == 0 ? std::string("shared") : "w" + std::to_string(t) + "-" + std::to_string(i);
          absl::StatusOr<Version> v = db_->KvPut(run, key, Value(static_cast<int64_t>(i)));
          if (v.ok()) {
            writes[t].emplace_back(key, *v);
            ++acked;
            continue;
          }
          if (GetErrorCode(v.status()) != ErrorCode::kFailedPrecondition) {
            errors[t] = v.status().ToString();
          }
          return;  // The run ended (or something went wrong).
        }
      });
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (acked.load() < end_after && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::yield();
    }
    absl::StatusOr<Version> ended = db_->EndRun(run, RunStatus::kCompleted);
    // Writers stop by themselves on FailedPrecondition; the flag is a guard
    // against writes that keep being accepted (the checks below catch those).
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    stop = true;
    for (auto& th : threads) th.join();
    ASSERT_TRUE(ended.ok()) << ended.status();
    const Version end_version = *ended;
    for (int t = 0; t < kThreads; ++t) EXPECT_EQ(errors[t], "") << "thread " << t;
    EXPECT_ERROR(db_->KvPut(run, "after", Value(0)), ErrorCode::kFailedPrecondition);

    std::map<std::string, Version> newest;
    for (const auto& w : writes) {
      for (const auto& [key, version] : w) {
        EXPECT_LT(version, end_version) << key;
        Version& n = newest[key];
        n = std::max(n, version);
      }
    }
    // What the store holds: every live key of the run, and every version of
    // each key, is older than the end.
    std::string cursor;
    size_t listed = 0;
    do {
      ASSERT_OK_AND_ASSIGN(KvPage page, db_->KvList(run, ListRequest{"", cursor, kMaxListLimit}));
      for (const KvEntry& e : page.entries) {
        ++listed;
        EXPECT_LT(e.value.version, end_version) << e.key;
        ASSERT_TRUE(newest.count(e.key)) << "unacknowledged key " << e.key;
        ASSERT_OK_AND_ASSIGN(std::vector<KvVersion> hist,
                             db_->KvHistory(run, e.key, kMaxListLimit));
        std::string hist_text;
        for (const KvVersion& h : hist) {
          EXPECT_LT(h.version, end_version) << e.key;
          hist_text += " " + std::to_string(h.version) + "=" + h.value.ToJson();
        }
        // The newest acknowledged write of the key is what the store holds.
        ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db_->KvGet(run, e.key));
        EXPECT_EQ(e.value.version, newest[e.key])
            << e.key << " (KvGet says " << got.version << "; history newest first:" << hist_text
            << ")";
        EXPECT_EQ(got.version, newest[e.key]) << e.key;
      }
      cursor = page.next_cursor;
    } while (!cursor.empty());
    EXPECT_EQ(listed, newest.size());
    ASSERT_OK_AND_ASSIGN(Versioned<RunInfo> info, db_->GetRun(run));
    EXPECT_EQ(info.value.status, RunStatus::kCompleted);
    EXPECT_EQ(info.version, end_version);
  }
}

// Blind writes racing on one key of a run (the fast path a run's agents use):
// every acknowledged write gets a distinct version, the key's history lists
// them newest first, and the newest acknowledged write is what a read returns.
// The race is timing dependent, so rounds repeat for about a second per run
// (stopping at the first violation).
TEST_F(RunTest, ConcurrentBlindWritesToOneKeyKeepVersionOrder) {
  for (const std::string& run : {std::string("blind"), std::string(kDefaultRun)}) {
    SCOPED_TRACE(run);
    if (run != kDefaultRun) ASSERT_OK(db_->CreateRun(Spec(run)));
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(1000);
    for (int round = 0; round == 0 || std::chrono::steady_clock::now() < until; ++round) {
      SCOPED_TRACE(::testing::Message() << "round " << round);
      const std::string key = "k" + std::to_string(round);
      constexpr int kThreads = 6;
      constexpr int kPerThread = 300;
      std::vector<std::vector<Version>> acked(kThreads);
      std::vector<std::thread> threads;
      for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
          for (int i = 0; i < kPerThread; ++i) {
            absl::StatusOr<Version> v =
                db_->KvPut(run, key, Value(static_cast<int64_t>(t * kPerThread + i)));
            if (v.ok()) acked[t].push_back(*v);
          }
        });
      }
      for (auto& th : threads) th.join();
      Version newest = 0;
      size_t total = 0;
      for (const auto& a : acked) {
        total += a.size();
        for (Version v : a) newest = std::max(newest, v);
      }
      ASSERT_EQ(total, static_cast<size_t>(kThreads * kPerThread));
      ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db_->KvGet(run, key));
      EXPECT_EQ(got.version, newest) << "a read returns an older write than the newest acknowledged";
      ASSERT_OK_AND_ASSIGN(std::vector<KvVersion> hist, db_->KvHistory(run, key, kMaxListLimit));
      ASSERT_EQ(hist.size(), total);
      size_t out_of_order = 0;
      for (size_t i = 1; i < hist.size(); ++i) {
        if (hist[i - 1].version <= hist[i].version) ++out_of_order;
      }
      EXPECT_EQ(out_of_order, 0u) << "history is not newest first";
      // A read at each acknowledged version returns that write.
      size_t wrong = 0;
      for (int t = 0; t < kThreads; ++t) {
        for (size_t i = 0; i < acked[t].size(); ++i) {
          absl::StatusOr<Versioned<Value>> at = db_->KvGetAt(run, key, acked[t][i]);
          if (!at.ok() || at->version != acked[t][i] ||
              at->value != Value(static_cast<int64_t>(t * kPerThread + i))) {
            ++wrong;
          }
        }
      }
      EXPECT_EQ(wrong, 0u) << "reads at acknowledged versions returned other writes";
      if (::testing::Test::HasFailure()) return;
    }
  }
}

// The same race for the transactional write path (events, spans, cells).
TEST_F(RunTest, ConcurrentPrimitiveWritersAndEndRun) {
  const uint64_t seed = TestSeed();
  std::mt19937_64 rng(seed);
  for (int round = 0; round < 4; ++round) {
    SCOPED_TRACE(::testing::Message() << "round " << round);
    const std::string run = "prim" + std::to_string(round);
    ASSERT_OK(db_->CreateRun(Spec(run)));
    const int end_after = 10 + static_cast<int>(rng() % 60);
    std::atomic<int> acked{0};
    std::vector<std::string> errors(3);
    std::vector<std::vector<Version>> versions(3);
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < 3; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; !stop.load(); ++i) {
          absl::StatusOr<Version> v;
          if (t == 0) {
            absl::StatusOr<EventAppended> e = db_->EventAppend(run, "e", Value(i));
            v = e.ok() ? absl::StatusOr<Version>(e->version) : e.status();
          } else if (t == 1) {
            absl::StatusOr<uint64_t> s = db_->TraceRecord(run, SpanNamed("s"));
            v = s.ok() ? absl::StatusOr<Version>(0) : s.status();
          } else {
            v = db_->StateSet(run, "c" + std::to_string(i % 7), Value(i));
          }
          if (v.ok()) {
            if (t != 1) versions[t].push_back(*v);
            ++acked;
            continue;
          }
          if (GetErrorCode(v.status()) != ErrorCode::kFailedPrecondition) {
            errors[t] = v.status().ToString();
          }
          return;
        }
      });
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (acked.load() < end_after && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::yield();
    }
    absl::StatusOr<Version> ended = db_->EndRun(run, RunStatus::kFailed);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    stop = true;
    for (auto& th : threads) th.join();
    ASSERT_TRUE(ended.ok()) << ended.status();
    const Version end_version = *ended;
    for (int t = 0; t < 3; ++t) EXPECT_EQ(errors[t], "") << "thread " << t;
    EXPECT_ERROR(db_->EventAppend(run, "e", Value(0)), ErrorCode::kFailedPrecondition);
    EXPECT_ERROR(db_->TraceRecord(run, SpanNamed("s")), ErrorCode::kFailedPrecondition);
    EXPECT_ERROR(db_->StateSet(run, "c0", Value(0)), ErrorCode::kFailedPrecondition);
    for (int t : {0, 2}) {
      for (Version v : versions[t]) EXPECT_LT(v, end_version) << "thread " << t;
    }
    // Events: dense, all older than the end, chain intact.
    ASSERT_OK_AND_ASSIGN(uint64_t len, db_->EventLength(run));
    EXPECT_EQ(len, versions[0].size());
    EventQuery eq;
    eq.limit = kMaxListLimit;
    ASSERT_OK_AND_ASSIGN(EventPage events, db_->EventList(run, eq));
    EXPECT_EQ(events.events.size(), len);
    for (const auto& e : events.events) EXPECT_LT(e.version, end_version);
    ASSERT_OK_AND_ASSIGN(ChainReport chain, db_->EventVerifyChain(run));
    EXPECT_TRUE(chain.valid) << chain.problem;
    // Spans.
    SpanQuery sq;
    sq.limit = kMaxListLimit;
    ASSERT_OK_AND_ASSIGN(SpanPage spans, db_->TraceQuery(run, sq));
    for (const auto& s : spans.spans) EXPECT_LT(s.version, end_version);
    ASSERT_OK_AND_ASSIGN(uint64_t span_count, db_->TraceCount(run));
    EXPECT_EQ(span_count, spans.spans.size());
    // Cells.
    ASSERT_OK_AND_ASSIGN(KvPage cells, db_->StateList(run, ListRequest{"", "", kMaxListLimit}));
    for (const KvEntry& e : cells.entries) EXPECT_LT(e.value.version, end_version) << e.key;
  }
}

TEST_F(RunTest, ConcurrentEndsOfOneRunExactlyOneWins) {
  const RunStatus statuses[] = {RunStatus::kCompleted, RunStatus::kFailed,
                                RunStatus::kCancelled};
  for (int round = 0; round < 20; ++round) {
    const std::string run = "e" + std::to_string(round);
    ASSERT_OK(db_->CreateRun(Spec(run)));
    std::vector<absl::StatusOr<Version>> results(3, absl::UnknownError("not run"));
    std::vector<std::thread> threads;
    for (int t = 0; t < 3; ++t) {
      threads.emplace_back([&, t] { results[t] = db_->EndRun(run, statuses[t]); });
    }
    for (auto& th : threads) th.join();
    int winners = 0;
    RunStatus winner = RunStatus::kActive;
    for (int t = 0; t < 3; ++t) {
      if (results[t].ok()) {
        ++winners;
        winner = statuses[t];
      } else {
        EXPECT_ERROR(results[t], ErrorCode::kFailedPrecondition);
      }
    }
    ASSERT_EQ(winners, 1) << run;
    ASSERT_OK_AND_ASSIGN(Versioned<RunInfo> info, db_->GetRun(run));
    EXPECT_EQ(info.value.status, winner) << run;
  }
}

TEST_F(RunTest, ConcurrentCreatesOfOneIdExactlyOneWins) {
  for (int round = 0; round < 20; ++round) {
    const std::string run = "c" + std::to_string(round);
    std::vector<absl::StatusOr<Versioned<RunInfo>>> results(3, absl::UnknownError("not run"));
    std::vector<std::thread> threads;
    for (int t = 0; t < 3; ++t) {
      threads.emplace_back([&, t] {
        results[t] = db_->CreateRun(Spec(run, "", {"t" + std::to_string(t)}));
      });
    }
    for (auto& th : threads) th.join();
    int winners = 0;
    std::string winner_tag;
    for (int t = 0; t < 3; ++t) {
      if (results[t].ok()) {
        ++winners;
        winner_tag = "t" + std::to_string(t);
      } else {
        // The losers are told the run exists (or, having raced the winner's
        // commit, that they conflicted with it); nothing else.
        const ErrorCode code = GetErrorCode(results[t].status());
        EXPECT_TRUE(code == ErrorCode::kAlreadyExists || code == ErrorCode::kConflict)
            << results[t].status();
      }
    }
    ASSERT_EQ(winners, 1) << run;
    ASSERT_OK_AND_ASSIGN(Versioned<RunInfo> info, db_->GetRun(run));
    EXPECT_EQ(info.value.tags, std::vector<std::string>{winner_tag});
  }
}

// Writers race a DeleteRun: once it returns, nothing of the run is left, so
// the id created again starts empty. (The writers are bounded so that the
// delete gets through; see DeleteRunIsNotStarvedByWriters for that part.)
TEST_F(RunTest, ConcurrentWritersAndDeleteRun) {
  const uint64_t seed = TestSeed();
  std::mt19937_64 rng(seed);
  for (int round = 0; round < 5; ++round) {
    SCOPED_TRACE(::testing::Message() << "round " << round);
    const std::string run = "del" + std::to_string(round);
    ASSERT_OK(db_->CreateRun(Spec(run)));
    const int delete_after = 10 + static_cast<int>(rng() % 80);
    constexpr int kMaxWrites = 400;
    std::atomic<int> acked{0};
    std::vector<std::string> errors(3);
    std::vector<std::thread> threads;
    for (int t = 0; t < 3; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kMaxWrites; ++i) {
          absl::Status s;
          if (t == 0) {
            s = db_->KvPut(run, "k" + std::to_string(i), Value(i)).status();
          } else if (t == 1) {
            s = db_->EventAppend(run, "e", Value(i)).status();
          } else {
            s = db_->TraceRecord(run, SpanNamed("s")).status();
          }
          if (s.ok()) {
            ++acked;
            continue;
          }
          if (GetErrorCode(s) != ErrorCode::kNotFound) errors[t] = s.ToString();
          return;
        }
      });
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (acked.load() < delete_after && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::yield();
    }
    // Conflicts with the writers are allowed here; retry until it is done.
    absl::StatusOr<Version> deleted = db_->DeleteRun(run);
    while (!deleted.ok() && IsConflict(deleted.status()) &&
           std::chrono::steady_clock::now() < deadline) {
      deleted = db_->DeleteRun(run);
    }
    for (auto& th : threads) th.join();
    ASSERT_TRUE(deleted.ok()) << deleted.status();
    for (int t = 0; t < 3; ++t) EXPECT_EQ(errors[t], "") << "thread " << t;
    ASSERT_OK_AND_ASSIGN(bool exists, db_->RunExists(run));
    EXPECT_FALSE(exists);
    EXPECT_ERROR(db_->KvPut(run, "after", Value(0)), ErrorCode::kNotFound);
    ASSERT_OK(db_->CreateRun(Spec(run)));
    ASSERT_OK_AND_ASSIGN(KvPage page, db_->KvList(run, ListRequest{"", "", kMaxListLimit}));
    EXPECT_TRUE(page.entries.empty()) << page.entries.size() << " keys survived the delete";
    ASSERT_OK_AND_ASSIGN(uint64_t events, db_->EventLength(run));
    EXPECT_EQ(events, 0u);
    ASSERT_OK_AND_ASSIGN(uint64_t spans, db_->TraceCount(run));
    EXPECT_EQ(spans, 0u);
    ASSERT_OK_AND_ASSIGN(SpanPage span_page, db_->TraceQuery(run, SpanQuery{}));
    EXPECT_TRUE(span_page.spans.empty());
    ASSERT_OK_AND_ASSIGN(EventPage event_page, db_->EventList(run, EventQuery{}));
    EXPECT_TRUE(event_page.events.empty());
  }
}

// DeleteRun on a run that agents are still writing into (at a modest pace)
// must get through: the writers are then refused with NotFound. The
// writers stop by themselves after a few seconds, so a starving DeleteRun
// fails this test instead of hanging it.
TEST_F(RunTest, DeleteRunIsNotStarvedByWriters) {
  ASSERT_OK(db_->CreateRun(Spec("busy")));
  std::atomic<bool> started{false};
  std::atomic<int> refused{0};
  std::atomic<int> acked{0};
  const auto writers_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; std::chrono::steady_clock::now() < writers_deadline; ++i) {
        absl::StatusOr<Version> v =
            db_->KvPut("busy", "w" + std::to_string(t) + "-" + std::to_string(i), Value(i));
        if (!v.ok()) {
          if (GetErrorCode(v.status()) == ErrorCode::kNotFound) ++refused;
          return;
        }
        ++acked;
        started = true;
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
    });
  }
  while (!started.load()) std::this_thread::yield();
  const auto t0 = std::chrono::steady_clock::now();
  absl::StatusOr<Version> deleted = db_->DeleteRun("busy");
  const auto took = std::chrono::steady_clock::now() - t0;
  for (auto& th : threads) th.join();
  EXPECT_TRUE(deleted.ok()) << deleted.status() << " after "
                            << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                            << " ms and " << acked.load() << " concurrent writes";
  // The writers were stopped by the delete, not by their deadline.
  EXPECT_EQ(refused.load(), 2);
}

class RunPersistenceTest : public ::testing::TestWithParam<DurabilityMode> {};

TEST_P(RunPersistenceTest, StatusSurvivesReopen) {
  TempDir dir;
  const std::string path = dir.Sub("db");
  Options options;
  options.durability = GetParam();
  std::map<std::string, RunInfo> model;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, Database::Open(path, options));
    ASSERT_OK(db->CreateRun(Spec("active", "", {"a"}, Value(Value::Object{{"k", Value(1)}}))));
    ASSERT_OK(db->CreateRun(Spec("done", "active", {"b"})));
    ASSERT_OK(db->CreateRun(Spec("failed")));
    ASSERT_OK(db->CreateRun(Spec("cancelled")));
    ASSERT_OK(db->CreateRun(Spec("archived")));
    ASSERT_OK(db->CreateRun(Spec("deleted")));
    for (const char* run : {"active", "done", "failed", "cancelled", "archived", "deleted"}) {
      ASSERT_OK(db->KvPut(run, "k", Value(run)));
    }
    ASSERT_OK(db->EndRun("done", RunStatus::kCompleted));
    ASSERT_OK(db->EndRun("failed", RunStatus::kFailed));
    ASSERT_OK(db->EndRun("cancelled", RunStatus::kCancelled));
    ASSERT_OK(db->EndRun("archived", RunStatus::kCompleted));
    ASSERT_OK(db->ArchiveRun("archived"));
    ASSERT_OK(db->UpdateRunMetadata("archived", Value(Value::Object{{"late", Value(true)}})));
    ASSERT_OK(db->DeleteRun("deleted"));
    for (const char* run : {"active", "done", "failed", "cancelled", "archived"}) {
      ASSERT_OK_AND_ASSIGN(Versioned<RunInfo> info, db->GetRun(run));
      model[run] = info.value;
    }
    ASSERT_OK(db->Close());
  }
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, Database::Open(path, options));
  for (const auto& [id, want] : model) {
    ASSERT_OK_AND_ASSIGN(Versioned<RunInfo> got, db->GetRun(id));
    ExpectRunEq(got.value, want);
    ASSERT_OK_AND_ASSIGN(Versioned<Value> kv, db->KvGet(id, "k"));
    EXPECT_EQ(kv.value, Value(id));
  }
  ASSERT_OK_AND_ASSIGN(bool exists, db->RunExists("deleted"));
  EXPECT_FALSE(exists);
  EXPECT_ERROR(db->KvGet("deleted", "k"), ErrorCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(std::vector<RunId> ids, db->ListRuns());
  EXPECT_EQ(ids, (std::vector<RunId>{"active", "archived", "cancelled", "default", "done",
                                     "failed"}));
  // The lifecycle is still enforced.
  ASSERT_OK(db->KvPut("active", "k2", Value(2)));
  for (const char* run : {"done", "failed", "cancelled", "archived"}) {
    SCOPED_TRACE(run);
    EXPECT_ERROR(db->KvPut(run, "k2", Value(2)), ErrorCode::kFailedPrecondition);
    EXPECT_ERROR(db->TraceRecord(run, SpanNamed("x")), ErrorCode::kFailedPrecondition);
  }
  EXPECT_ERROR(db->EndRun("done", RunStatus::kFailed), ErrorCode::kFailedPrecondition);
  EXPECT_ERROR(db->ArchiveRun("active"), ErrorCode::kFailedPrecondition);
  ASSERT_OK(db->ArchiveRun("done"));
  RunQuery q;
  q.status = RunStatus::kArchived;
  ASSERT_OK_AND_ASSIGN(std::vector<RunInfo> archived, db->QueryRuns(q));
  std::vector<std::string> archived_ids = Ids(archived);
  std::sort(archived_ids.begin(), archived_ids.end());
  EXPECT_EQ(archived_ids, (std::vector<std::string>{"archived", "done"}));
  q = {};
  q.parent = "active";
  ASSERT_OK_AND_ASSIGN(std::vector<RunInfo> children, db->QueryRuns(q));
  EXPECT_EQ(Ids(children), std::vector<std::string>{"done"});
  // The deleted id can be created again, empty.
  ASSERT_OK(db->CreateRun(Spec("deleted")));
  EXPECT_ERROR(db->KvGet("deleted", "k"), ErrorCode::kNotFound);
  ASSERT_OK(db->EndRun("active", RunStatus::kCompleted));
  ASSERT_OK(db->Close());
  // Changes made after the reopen survive another one.
  ASSERT_OK_AND_ASSIGN(db, Database::Open(path, options));
  ASSERT_OK_AND_ASSIGN(Versioned<RunInfo> active, db->GetRun("active"));
  EXPECT_EQ(active.value.status, RunStatus::kCompleted);
  ASSERT_OK_AND_ASSIGN(Versioned<RunInfo> done, db->GetRun("done"));
  EXPECT_EQ(done.value.status, RunStatus::kArchived);
  ASSERT_OK_AND_ASSIGN(Versioned<RunInfo> recreated, db->GetRun("deleted"));
  EXPECT_EQ(recreated.value.status, RunStatus::kActive);
  EXPECT_ERROR(db->KvGet("deleted", "k"), ErrorCode::kNotFound);
  EXPECT_ERROR(db->KvPut("active", "k3", Value(3)), ErrorCode::kFailedPrecondition);
}

INSTANTIATE_TEST_SUITE_P(Modes, RunPersistenceTest,
                         ::testing::Values(DurabilityMode::kBuffered, DurabilityMode::kStrict),
                         ::strata::testing::DurabilityModeParamName());

}  // namespace
}  // namespace strata
