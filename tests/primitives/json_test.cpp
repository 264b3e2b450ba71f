// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// JSON documents through the public API: create/get/set/delete/patch/merge/
// cas/destroy, both path forms, listing, versions and history, errors,
// transactions (read-your-writes, atomicity with other primitives), the
// region conflict matrix, concurrent writers on sibling paths, recovery in
// every durability mode and the size of what the WAL logs per path write.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "strata/database.hpp"
#include "strata/options.hpp"
#include "strata/status.hpp"
#include "strata/types.hpp"
#include "strata/value.hpp"
#include "test_util.hpp"

namespace strata {
namespace {

using ::strata::testing::TempDir;
using ::strata::testing::TestSeed;

constexpr char kRun[] = "default";

Value J(std::string_view text) {
  absl::StatusOr<Value> v = Value::FromJson(text);
  EXPECT_TRUE(v.ok()) << v.status() << " in " << text;
  return v.ok() ? *v : Value();
}

Value SampleDoc() {
  return J(R"({"a": {"b": {"c": 1}, "x": 1}, "arr": [1, 2, 3], "s": "text",
               "m~n": {"p/q": true}})");
}

class JsonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Database::OpenInMemory();
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
  }
  std::unique_ptr<Database> db_;
};

TEST_F(JsonTest, CreateGetExistsDestroy) {
  ASSERT_OK_AND_ASSIGN(Version v1, db_->JsonCreate(kRun, "doc", SampleDoc()));
  ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db_->JsonGet(kRun, "doc"));
  EXPECT_EQ(got.value, SampleDoc());
  EXPECT_EQ(got.version, v1);
  EXPECT_GT(got.timestamp_us, 0);
  ASSERT_OK_AND_ASSIGN(bool exists, db_->JsonExists(kRun, "doc"));
  EXPECT_TRUE(exists);
  EXPECT_ERROR(db_->JsonCreate(kRun, "doc", Value(1)), ErrorCode::kAlreadyExists);

  ASSERT_OK_AND_ASSIGN(Version v2, db_->JsonDestroy(kRun, "doc"));
  EXPECT_GT(v2, v1);
  EXPECT_ERROR(db_->JsonGet(kRun, "doc"), ErrorCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(exists, db_->JsonExists(kRun, "doc"));
  EXPECT_FALSE(exists);
  EXPECT_ERROR(db_->JsonDestroy(kRun, "doc"), ErrorCode::kNotFound);
  // Created again after a destroy.
  ASSERT_OK(db_->JsonCreate(kRun, "doc", Value(7)));
  ASSERT_OK_AND_ASSIGN(got, db_->JsonGet(kRun, "doc"));
  EXPECT_EQ(got.value, Value(7));
}

TEST_F(JsonTest, GetAtPathsInBothForms) {
  ASSERT_OK(db_->JsonCreate(kRun, "doc", SampleDoc()));
  struct Case {
    const char* path;
    Value expected;
  };
  const std::vector<Case> cases = {
      {"", SampleDoc()},
      {"$", SampleDoc()},
      {"/a/b/c", Value(1)},
      {"$.a.b.c", Value(1)},
      {"/arr/2", Value(3)},
      {"$.arr[2]", Value(3)},
      {"/m~0n/p~1q", Value(true)},
      {"$['m~n']['p/q']", Value(true)},
      {"/a", J(R"({"b": {"c": 1}, "x": 1})")},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.path);
    ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db_->JsonGet(kRun, "doc", c.path));
    EXPECT_EQ(got.value, c.expected);
  }
  EXPECT_ERROR(db_->JsonGet(kRun, "doc", "/a/zz"), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->JsonGet(kRun, "doc", "/arr/3"), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->JsonGet(kRun, "doc", "/s/x"), ErrorCode::kInvalidArgument);
  // A malformed path names its position.
  absl::Status bad = db_->JsonGet(kRun, "doc", "a/b").status();
  EXPECT_EQ(GetErrorCode(bad), ErrorCode::kInvalidArgument) << bad;
  EXPECT_NE(bad.message().find("position"), std::string_view::npos) << bad;
  EXPECT_ERROR(db_->JsonGet(kRun, "doc", "/a~2"), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(db_->JsonGet(kRun, "doc", "$.a["), ErrorCode::kInvalidArgument);
  // The generic address reaches paths too.
  ASSERT_OK_AND_ASSIGN(EntityRef ref, EntityRef::Parse("json://default/doc#/a/b/c"));
  ASSERT_OK_AND_ASSIGN(Versioned<Value> via_ref, db_->Get(ref));
  EXPECT_EQ(via_ref.value, Value(1));
}

TEST_F(JsonTest, SetCreatesIntermediatesAndAppends) {
  ASSERT_OK(db_->JsonCreate(kRun, "doc", SampleDoc()));
  ASSERT_OK(db_->JsonSet(kRun, "doc", "/a/b/c", Value(2)));
  ASSERT_OK(db_->JsonSet(kRun, "doc", "$.new.deep.leaf", Value("v")));
  ASSERT_OK(db_->JsonSet(kRun, "doc", "/arr/-", Value(4)));
  ASSERT_OK(db_->JsonSet(kRun, "doc", "/arr/0", Value(0)));
  ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db_->JsonGet(kRun, "doc"));
  EXPECT_EQ(got.value, J(R"({"a": {"b": {"c": 2}, "x": 1}, "arr": [0, 2, 3, 4], "s": "text",
                             "m~n": {"p/q": true}, "new": {"deep": {"leaf": "v"}}})"));
  // Through a scalar, or past the end of an array: refused, nothing written.
  EXPECT_ERROR(db_->JsonSet(kRun, "doc", "/s/x", Value(1)), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(db_->JsonSet(kRun, "doc", "/arr/9", Value(1)), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(db_->JsonSet(kRun, "missing", "/a", Value(1)), ErrorCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(Versioned<Value> after, db_->JsonGet(kRun, "doc"));
  EXPECT_EQ(after.value, got.value);
  EXPECT_EQ(after.version, got.version);
  // The root path replaces the whole document.
  ASSERT_OK(db_->JsonSet(kRun, "doc", "", Value(Value::Array{Value(1)})));
  ASSERT_OK_AND_ASSIGN(got, db_->JsonGet(kRun, "doc"));
  EXPECT_EQ(got.value, J("[1]"));
}

TEST_F(JsonTest, DeletePatchMerge) {
  ASSERT_OK(db_->JsonCreate(kRun, "doc", SampleDoc()));
  ASSERT_OK(db_->JsonDelete(kRun, "doc", "/a/b"));
  EXPECT_ERROR(db_->JsonDelete(kRun, "doc", "/a/b"), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->JsonDelete(kRun, "doc", ""), ErrorCode::kInvalidArgument);
  ASSERT_OK(db_->JsonPatch(kRun, "doc", J(R"([
      {"op": "add", "path": "/arr/1", "value": 9},
      {"op": "remove", "path": "/s"},
      {"op": "move", "from": "/a/x", "path": "/moved"},
      {"op": "copy", "from": "/arr", "path": "/copy"},
      {"op": "test", "path": "/moved", "value": 1.0}])")));
  ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db_->JsonGet(kRun, "doc"));
  EXPECT_EQ(got.value, J(R"({"a": {}, "arr": [1, 9, 2, 3], "moved": 1, "copy": [1, 9, 2, 3],
                             "m~n": {"p/q": true}})"));
  // All or nothing: a failing test leaves the document as it was.
  absl::Status failed = db_->JsonPatch(kRun, "doc", J(R"([
      {"op": "replace", "path": "/moved", "value": 2},
      {"op": "test", "path": "/moved", "value": 3}])")).status();
  EXPECT_EQ(GetErrorCode(failed), ErrorCode::kFailedPrecondition) << failed;
  ASSERT_OK_AND_ASSIGN(Versioned<Value> same, db_->JsonGet(kRun, "doc"));
  EXPECT_EQ(same.value, got.value);
  EXPECT_EQ(same.version, got.version);
  // Malformed patches.
  EXPECT_ERROR(db_->JsonPatch(kRun, "doc", J(R"({"op": "add"})")), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(db_->JsonPatch(kRun, "doc", J(R"([{"op": "frob", "path": "/a"}])")),
               ErrorCode::kInvalidArgument);
  EXPECT_ERROR(db_->JsonPatch(kRun, "doc", J(R"([{"op": "add", "path": "/z"}])")),
               ErrorCode::kInvalidArgument);
  // RFC 7386 merge.
  ASSERT_OK(db_->JsonMergePatch(kRun, "doc", J(R"({"a": {"n": 1}, "copy": null, "k": [1]})")));
  ASSERT_OK_AND_ASSIGN(got, db_->JsonGet(kRun, "doc"));
  EXPECT_EQ(got.value, J(R"({"a": {"n": 1}, "arr": [1, 9, 2, 3], "moved": 1, "k": [1],
                             "m~n": {"p/q": true}})"));
}

TEST_F(JsonTest, CasOnDocumentVersion) {
  ASSERT_OK_AND_ASSIGN(Version v1, db_->JsonCreate(kRun, "doc", SampleDoc()));
  const Value patch = J(R"([{"op": "replace", "path": "/s", "value": "cas"}])");
  ASSERT_OK_AND_ASSIGN(Version v2, db_->JsonCas(kRun, "doc", v1, patch));
  absl::Status lost = db_->JsonCas(kRun, "doc", v1, patch).status();
  EXPECT_EQ(GetErrorCode(lost), ErrorCode::kConflict) << lost;
  EXPECT_EQ(ErrorVersion(lost), v2);
  EXPECT_ERROR(db_->JsonCas(kRun, "missing", 1, patch), ErrorCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db_->JsonGet(kRun, "doc", "/s"));
  EXPECT_EQ(got.value, Value("cas"));
  EXPECT_EQ(got.version, v2);
}

TEST_F(JsonTest, HistoryAndGetAtVersion) {
  ASSERT_OK_AND_ASSIGN(Version v1, db_->JsonCreate(kRun, "doc", J(R"({"n": 1})")));
  ASSERT_OK_AND_ASSIGN(Version v2, db_->JsonSet(kRun, "doc", "/n", Value(2)));
  ASSERT_OK_AND_ASSIGN(Version v3, db_->JsonSet(kRun, "doc", "/m", Value(3)));
  ASSERT_OK_AND_ASSIGN(Version v4, db_->JsonDestroy(kRun, "doc"));
  ASSERT_OK_AND_ASSIGN(std::vector<KvVersion> history, db_->JsonHistory(kRun, "doc"));
  ASSERT_EQ(history.size(), 4u);
  EXPECT_EQ(history[0].version, v4);
  EXPECT_TRUE(history[0].deleted);
  EXPECT_EQ(history[1].version, v3);
  EXPECT_EQ(history[1].value, J(R"({"n": 2, "m": 3})"));
  EXPECT_EQ(history[2].version, v2);
  EXPECT_EQ(history[2].value, J(R"({"n": 2})"));
  EXPECT_EQ(history[3].version, v1);
  EXPECT_EQ(history[3].value, J(R"({"n": 1})"));

  ASSERT_OK_AND_ASSIGN(Versioned<Value> at, db_->JsonGetAt(kRun, "doc", "/n", v1));
  EXPECT_EQ(at.value, Value(1));
  EXPECT_EQ(at.version, v1);
  ASSERT_OK_AND_ASSIGN(at, db_->JsonGetAt(kRun, "doc", "", v3));
  EXPECT_EQ(at.value, J(R"({"n": 2, "m": 3})"));
  EXPECT_ERROR(db_->JsonGetAt(kRun, "doc", "/m", v2), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->JsonGetAt(kRun, "doc", "", v4), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->JsonGetAt(kRun, "doc", "", v4 + 100), ErrorCode::kVersionNotFound);
}

TEST_F(JsonTest, ListByPrefixWithCursor) {
  for (int i = 0; i < 25; ++i) {
    ASSERT_OK(db_->JsonCreate(kRun, absl::StrCat(i % 2 == 0 ? "even/" : "odd/", 100 + i),
                              Value(i)));
  }
  std::vector<std::string> ids;
  ListRequest request{"even/", "", 4};
  for (;;) {
    ASSERT_OK_AND_ASSIGN(IdPage page, db_->JsonList(kRun, request));
    for (std::string& id : page.ids) ids.push_back(std::move(id));
    if (page.next_cursor.empty()) break;
    request.cursor = page.next_cursor;
  }
  ASSERT_EQ(ids.size(), 13u);
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  EXPECT_EQ(ids.front(), "even/100");
  ASSERT_OK_AND_ASSIGN(uint64_t count, db_->Count(kRun, Primitive::kJson));
  EXPECT_EQ(count, 25u);
  EXPECT_ERROR(db_->JsonList("no-such-run", ListRequest{}), ErrorCode::kNotFound);
}

TEST_F(JsonTest, ArgumentsAndLimits) {
  EXPECT_ERROR(db_->JsonCreate(kRun, "", Value(1)), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(db_->JsonCreate("bad run!", "d", Value(1)), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(db_->JsonCreate("missing", "d", Value(1)), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->JsonSet("missing", "d", "/a", Value(1)), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->JsonGet("missing", "d"), ErrorCode::kNotFound);
  // Depth: a value nested deeper than kMaxValueDepth is refused, and so is a
  // set that would make the document deeper than that.
  Value deep(1);
  for (int i = 0; i < kMaxValueDepth; ++i) deep = Value(Value::Array{deep});
  ASSERT_OK(db_->JsonCreate(kRun, "deep", deep));
  // Setting a value of depth 128 one level down would nest 129 deep.
  EXPECT_ERROR(db_->JsonSet(kRun, "deep", "/0", deep), ErrorCode::kResourceExhausted);
  ASSERT_OK(db_->JsonSet(kRun, "deep", "/0", Value(Value::Array{Value(Value::Array{})})));
  EXPECT_ERROR(db_->JsonCreate(kRun, "deeper", Value(Value::Array{deep})),
               ErrorCode::kResourceExhausted);
  // Size: a document past 16 MiB is refused however it is built.
  Options small;
  small.max_value_bytes = 64ull << 20;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> big_db, Database::OpenInMemory(small));
  const std::string ten_mb(10u << 20, 'x');
  ASSERT_OK(big_db->JsonCreate(kRun, "big", J(R"({"a": 1})")));
  ASSERT_OK(big_db->JsonSet(kRun, "big", "/one", Value(ten_mb)));
  EXPECT_ERROR(big_db->JsonSet(kRun, "big", "/two", Value(ten_mb)),
               ErrorCode::kResourceExhausted);
  EXPECT_ERROR(big_db->JsonCreate(kRun, "huge", Value(std::string(17u << 20, 'y'))),
               ErrorCode::kResourceExhausted);
}

TEST_F(JsonTest, RunLifecycleGuardsWrites) {
  ASSERT_OK(db_->CreateRun("r"));
  ASSERT_OK(db_->JsonCreate("r", "doc", SampleDoc()));
  ASSERT_OK(db_->EndRun("r", RunStatus::kCompleted));
  EXPECT_ERROR(db_->JsonSet("r", "doc", "/s", Value(1)), ErrorCode::kFailedPrecondition);
  EXPECT_ERROR(db_->JsonCreate("r", "doc2", Value(1)), ErrorCode::kFailedPrecondition);
  ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db_->JsonGet("r", "doc", "/s"));  // Reads work.
  EXPECT_EQ(got.value, Value("text"));
  ASSERT_OK(db_->DeleteRun("r"));
  EXPECT_ERROR(db_->JsonGet("r", "doc"), ErrorCode::kNotFound);
}

TEST_F(JsonTest, TransactionsReadTheirWritesAndCommitAtomically) {
  ASSERT_OK(db_->JsonCreate(kRun, "doc", SampleDoc()));
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> txn, db_->BeginTransaction());
    ASSERT_OK(txn->JsonSet(kRun, "doc", "/a/x", Value(42)));
    ASSERT_OK(txn->JsonCreate(kRun, "fresh", J(R"({"k": []})")));
    ASSERT_OK(txn->JsonSet(kRun, "fresh", "/k/-", Value(1)));
    ASSERT_OK(txn->KvPut(kRun, "key", Value(1)));
    ASSERT_OK_AND_ASSIGN(Versioned<Value> own, txn->JsonGet(kRun, "doc", "/a/x"));
    EXPECT_EQ(own.value, Value(42));
    EXPECT_EQ(own.version, 0u);  // An own write has no commit version yet.
    ASSERT_OK_AND_ASSIGN(own, txn->JsonGet(kRun, "fresh"));
    EXPECT_EQ(own.value, J(R"({"k": [1]})"));
    ASSERT_OK_AND_ASSIGN(IdPage page, txn->JsonList(kRun, ListRequest{}));
    EXPECT_EQ(page.ids, (std::vector<std::string>{"doc", "fresh"}));
    // Invisible outside until commit.
    ASSERT_OK_AND_ASSIGN(Versioned<Value> outside, db_->JsonGet(kRun, "doc", "/a/x"));
    EXPECT_EQ(outside.value, Value(1));
    EXPECT_ERROR(db_->JsonGet(kRun, "fresh"), ErrorCode::kNotFound);
    ASSERT_OK_AND_ASSIGN(Version v, txn->Commit());
    ASSERT_OK_AND_ASSIGN(Versioned<Value> fresh, db_->JsonGet(kRun, "fresh"));
    EXPECT_EQ(fresh.value, J(R"({"k": [1]})"));
    EXPECT_EQ(fresh.version, v);
    ASSERT_OK_AND_ASSIGN(Versioned<Value> kv, db_->KvGet(kRun, "key"));
    EXPECT_EQ(kv.version, v);
    ASSERT_OK_AND_ASSIGN(Versioned<Value> doc, db_->JsonGet(kRun, "doc", "/a/x"));
    EXPECT_EQ(doc.value, Value(42));
    EXPECT_EQ(doc.version, v);
  }
  {
    // Rolled back: no trace.
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> txn, db_->BeginTransaction());
    ASSERT_OK(txn->JsonSet(kRun, "doc", "/a/x", Value(-1)));
    ASSERT_OK(txn->JsonDestroy(kRun, "fresh"));
    EXPECT_ERROR(txn->JsonGet(kRun, "fresh"), ErrorCode::kNotFound);
    txn->Rollback();
    ASSERT_OK_AND_ASSIGN(Versioned<Value> doc, db_->JsonGet(kRun, "doc", "/a/x"));
    EXPECT_EQ(doc.value, Value(42));
    ASSERT_OK(db_->JsonGet(kRun, "fresh"));
  }
  {
    // Destroy and create again in one transaction.
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> txn, db_->BeginTransaction());
    ASSERT_OK(txn->JsonDestroy(kRun, "fresh"));
    ASSERT_OK(txn->JsonCreate(kRun, "fresh", Value("again")));
    ASSERT_OK(txn->Commit());
    ASSERT_OK_AND_ASSIGN(Versioned<Value> fresh, db_->JsonGet(kRun, "fresh"));
    EXPECT_EQ(fresh.value, Value("again"));
  }
}

TEST_F(JsonTest, DeleteRunInTheSameTransactionTakesChangedDocumentsWithIt) {
  ASSERT_OK(db_->CreateRun("r"));
  ASSERT_OK(db_->JsonCreate("r", "doc", SampleDoc()));
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> txn, db_->BeginTransaction());
    ASSERT_OK(txn->JsonSet("r", "doc", "/s", Value("changed")));
    ASSERT_OK(txn->JsonCreate("r", "fresh", Value(1)));
    ASSERT_OK(txn->DeleteRun("r"));
    ASSERT_OK(txn->Commit());
  }
  EXPECT_ERROR(db_->JsonGet("r", "doc"), ErrorCode::kNotFound);
  ASSERT_OK(db_->CreateRun("r"));
  EXPECT_ERROR(db_->JsonGet("r", "doc"), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->JsonGet("r", "fresh"), ErrorCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(uint64_t count, db_->Count("r", Primitive::kJson));
  EXPECT_EQ(count, 0u);
}

// The conflict matrix of SPEC section 3: a transaction that touched `mine`
// commits after another committed a change at `theirs`.
struct MatrixCase {
  const char* name;
  // What the later-committing transaction does (in the transaction).
  std::function<absl::Status(Transaction&)> mine;
  // What commits in between (fast path).
  std::function<absl::Status(Database&)> theirs;
  bool conflict;
};

absl::Status Set(Transaction& t, const char* doc, const char* path, Value v) {
  return t.JsonSet(kRun, doc, path, std::move(v));
}
absl::Status Set(Database& db, const char* doc, const char* path, Value v) {
  return db.JsonSet(kRun, doc, path, std::move(v)).status();
}

TEST(JsonConflictTest, RegionsConflictOnlyWhenTheyOverlap) {
  const std::vector<MatrixCase> cases = {
      {"same path", [](Transaction& t) { return Set(t, "d1", "/a/b/c", Value(2)); },
       [](Database& db) { return Set(db, "d1", "/a/b/c", Value(3)); }, true},
      {"ancestor", [](Transaction& t) { return Set(t, "d1", "/a/b/c", Value(2)); },
       [](Database& db) { return Set(db, "d1", "/a", Value(3)); }, true},
      {"descendant", [](Transaction& t) { return Set(t, "d1", "/a", Value(2)); },
       [](Database& db) { return Set(db, "d1", "/a/b/c", Value(3)); }, true},
      {"sibling", [](Transaction& t) { return Set(t, "d1", "/a/b/c", Value(2)); },
       [](Database& db) { return Set(db, "d1", "/a/x", Value(3)); }, false},
      {"sibling documents' same path",
       [](Transaction& t) { return Set(t, "d1", "/a", Value(2)); },
       [](Database& db) { return Set(db, "d2", "/a", Value(3)); }, false},
      {"root replaced", [](Transaction& t) { return Set(t, "d1", "/s", Value(2)); },
       [](Database& db) { return Set(db, "d1", "", Value(3)); }, true},
      {"root of mine", [](Transaction& t) { return Set(t, "d1", "", Value(2)); },
       [](Database& db) { return Set(db, "d1", "/s", Value(3)); }, true},
      {"destroyed", [](Transaction& t) { return Set(t, "d1", "/s", Value(2)); },
       [](Database& db) { return db.JsonDestroy(kRun, "d1").status(); }, true},
      {"read of an ancestor",
       [](Transaction& t) {
         absl::Status s = t.JsonGet(kRun, "d1", "/a").status();
         return s.ok() ? t.KvPut(kRun, "w", Value(1)) : s;
       },
       [](Database& db) { return Set(db, "d1", "/a/b/c", Value(3)); }, true},
      {"read of a sibling",
       [](Transaction& t) {
         absl::Status s = t.JsonGet(kRun, "d1", "/a/x").status();
         return s.ok() ? t.KvPut(kRun, "w", Value(1)) : s;
       },
       [](Database& db) { return Set(db, "d1", "/a/b", Value(3)); }, false},
      {"test of the changed path",
       [](Transaction& t) {
         return t.JsonPatch(kRun, "d1", J(R"([{"op": "test", "path": "/s", "value": "text"},
                                               {"op": "replace", "path": "/a/x", "value": 5}])"));
       },
       [](Database& db) { return Set(db, "d1", "/s", Value("other")); }, true},
      {"array insert vs element",
       [](Transaction& t) { return Set(t, "d1", "/arr/2", Value(30)); },
       [](Database& db) {
         return db.JsonPatch(kRun, "d1", J(R"([{"op": "add", "path": "/arr/0", "value": 0}])"))
             .status();
       },
       true},
      {"array elements", [](Transaction& t) { return Set(t, "d1", "/arr/2", Value(30)); },
       [](Database& db) { return Set(db, "d1", "/arr/0", Value(10)); }, false},
      {"merge of a sibling",
       [](Transaction& t) { return t.JsonMergePatch(kRun, "d1", J(R"({"a": {"x": 7}})")); },
       [](Database& db) { return Set(db, "d1", "/a/b/c", Value(3)); }, false},
      {"merge of the same member",
       [](Transaction& t) { return t.JsonMergePatch(kRun, "d1", J(R"({"a": {"x": 7}})")); },
       [](Database& db) { return Set(db, "d1", "/a/x", Value(3)); }, true},
  };
  for (const MatrixCase& c : cases) {
    SCOPED_TRACE(c.name);
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, Database::OpenInMemory());
    ASSERT_OK(db->JsonCreate(kRun, "d1", SampleDoc()));
    ASSERT_OK(db->JsonCreate(kRun, "d2", SampleDoc()));
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> txn, db->BeginTransaction());
    ASSERT_OK(c.mine(*txn));
    // The other transaction runs on its own thread while this one is open.
    absl::Status theirs;
    std::thread other([&] { theirs = c.theirs(*db); });
    other.join();
    ASSERT_OK(theirs);
    absl::StatusOr<Version> committed = txn->Commit();
    if (c.conflict) {
      EXPECT_ERROR(committed, ErrorCode::kConflict);
    } else {
      EXPECT_OK(committed);
    }
  }
}

TEST(JsonConflictTest, NonConflictingCommitsMergeBothChanges) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, Database::OpenInMemory());
  ASSERT_OK(db->JsonCreate(kRun, "d", SampleDoc()));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> t1, db->BeginTransaction());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> t2, db->BeginTransaction());
  ASSERT_OK(t1->JsonSet(kRun, "d", "/a/b/c", Value("one")));
  ASSERT_OK(t1->JsonSet(kRun, "d", "/new/t1", Value(1)));
  ASSERT_OK(t2->JsonSet(kRun, "d", "/a/x", Value("two")));
  ASSERT_OK(t2->JsonSet(kRun, "d", "/new/t2", Value(2)));
  ASSERT_OK(t1->Commit());
  ASSERT_OK(t2->Commit());
  ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db->JsonGet(kRun, "d"));
  EXPECT_EQ(got.value, J(R"({"a": {"b": {"c": "one"}, "x": "two"}, "arr": [1, 2, 3],
                             "s": "text", "m~n": {"p/q": true},
                             "new": {"t1": 1, "t2": 2}})"));
}

TEST(JsonConflictTest, ConcurrentCreatesOfOneDocumentConflict) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, Database::OpenInMemory());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Transaction> t1, db->BeginTransaction());
  ASSERT_OK(t1->JsonCreate(kRun, "d", Value(1)));
  ASSERT_OK(db->JsonCreate(kRun, "d", Value(2)));
  EXPECT_ERROR(t1->Commit(), ErrorCode::kConflict);
  ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db->JsonGet(kRun, "d"));
  EXPECT_EQ(got.value, Value(2));
}

// Threads increment their own counter (read-modify-write in a transaction)
// and append to a shared array, while another thread rewrites an unrelated
// subtree. Invariants: no increment lost, every append present once.
TEST(JsonConcurrencyTest, SiblingWritersLoseNothing) {
  const uint64_t seed = TestSeed();
  std::printf("[ seed     ] %llu\n", static_cast<unsigned long long>(seed));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, Database::OpenInMemory());
  ASSERT_OK(db->JsonCreate(kRun, "d", J(R"({"counters": {}, "log": [], "other": {}})")));
  constexpr int kThreads = 4;
  constexpr int kIncrements = 150;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(seed + t);
      const std::string counter = absl::StrCat("/counters/t", t);
      for (int i = 0; i < kIncrements; ++i) {
        absl::StatusOr<Version> v = db->Transact([&](Transaction& txn) -> absl::Status {
          absl::StatusOr<Versioned<Value>> cur = txn.JsonGet(kRun, "d", counter);
          const int64_t n = cur.ok() ? cur->value.AsInt() : 0;
          if (!cur.ok() && GetErrorCode(cur.status()) != ErrorCode::kNotFound) {
            return cur.status();
          }
          return txn.JsonSet(kRun, "d", counter, Value(n + 1));
        }, RetryPolicy{1000, 10, 1000});
        if (!v.ok()) failures.fetch_add(1);
        if (!db->JsonSet(kRun, "d", "/log/-", Value(absl::StrCat(t, ":", i))).ok()) {
          failures.fetch_add(1);
        }
        if (rng() % 4 == 0 &&
            !db->JsonSet(kRun, "d", "/other", Value(static_cast<int64_t>(rng() % 100))).ok()) {
          failures.fetch_add(1);
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db->JsonGet(kRun, "d"));
  const Value::Object& o = got.value.AsObject();
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(o.at("counters").AsObject().at(absl::StrCat("t", t)), Value(kIncrements))
        << "thread " << t;
  }
  std::vector<std::string> log;
  for (const Value& v : o.at("log").AsArray()) log.push_back(v.AsString());
  ASSERT_EQ(log.size(), static_cast<size_t>(kThreads * kIncrements));
  std::sort(log.begin(), log.end());
  EXPECT_EQ(std::unique(log.begin(), log.end()), log.end()) << "an append landed twice";
}

class JsonDurabilityTest : public ::testing::TestWithParam<DurabilityMode> {};

TEST_P(JsonDurabilityTest, DocumentsSurviveReopenExactly) {
  const uint64_t seed = TestSeed();
  std::mt19937_64 rng(seed);
  SCOPED_TRACE(absl::StrCat("seed ", seed));
  TempDir dir;
  Options options;
  options.durability = GetParam();
  std::vector<std::pair<std::string, Value>> expected;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, Database::Open(dir.path(), options));
    for (int d = 0; d < 5; ++d) {
      const std::string id = absl::StrCat("doc", d);
      ASSERT_OK(db->JsonCreate(kRun, id, SampleDoc()));
      for (int i = 0; i < 60; ++i) {
        const std::string path = absl::StrCat("/f", rng() % 8, "/g", rng() % 3);
        switch (rng() % 5) {
          case 0:
            ASSERT_OK(db->JsonSet(kRun, id, path, ::strata::testing::RandomValue(rng)));
            break;
          case 1:
            ASSERT_OK(db->JsonSet(kRun, id, "/arr/-", Value(i)));
            break;
          case 2:
            db->JsonDelete(kRun, id, path).IgnoreError();  // May not exist.
            break;
          case 3:
            ASSERT_OK(db->JsonMergePatch(kRun, id,
                                         Value(Value::Object{{absl::StrCat("m", i % 4),
                                                              Value(i)}})));
            break;
          default:
            ASSERT_OK(db->Transact([&](Transaction& t) {
              absl::Status s = t.JsonSet(kRun, id, "/t", Value(i));
              return s.ok() ? t.JsonPatch(kRun, id,
                                          J(R"([{"op": "copy", "from": "/t", "path": "/u"}])"))
                            : s;
            }));
        }
      }
      ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db->JsonGet(kRun, id));
      expected.emplace_back(id, got.value);
    }
    ASSERT_OK(db->Close());
  }
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, Database::Open(dir.path(), options));
  for (const auto& [id, value] : expected) {
    ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db->JsonGet(kRun, id));
    EXPECT_EQ(got.value, value) << id;
  }
}

INSTANTIATE_TEST_SUITE_P(Modes, JsonDurabilityTest,
                         ::testing::Values(DurabilityMode::kStrict, DurabilityMode::kBuffered),
                         ::strata::testing::DurabilityModeParamName());

// The WAL logs the operation, not the document: a path write into a large
// document costs about the size of the operation.
TEST(JsonWalTest, PathWritesLogOperationsNotDocuments) {
  TempDir dir;
  Options options;
  options.durability = DurabilityMode::kStrict;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, Database::Open(dir.path(), options));
  Value::Object big;
  for (int i = 0; i < 1000; ++i) big[absl::StrCat("field", i)] = Value(std::string(100, 'x'));
  ASSERT_OK(db->JsonCreate(kRun, "big", Value(big)));
  const uint64_t before = db->Stats().wal_bytes;
  constexpr int kWrites = 100;
  for (int i = 0; i < kWrites; ++i) {
    ASSERT_OK(db->JsonSet(kRun, "big", "/field500", Value(i)));
  }
  const uint64_t per_write = (db->Stats().wal_bytes - before) / kWrites;
  std::printf("[ wal      ] %llu bytes per path write into a ~100 KB document\n",
              static_cast<unsigned long long>(per_write));
  EXPECT_LT(per_write, 200u);
}

}  // namespace
}  // namespace strata
