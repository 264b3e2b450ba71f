// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Search (keyword, vector, hybrid) through the public API: the text each
// primitive contributes, the BM25 index against the scan path (they must
// agree to the bit, at the newest snapshot and at older ones, through
// overwrites, deletes and index compaction), snapshot consistency under
// concurrent writers, determinism across restarts, transactions, filters,
// budgets, hybrid fusion and bad input.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "strata/strata.hpp"
#include "test_util.hpp"

namespace strata {
namespace {

using ::strata::testing::DumpSearchHits;
using ::strata::testing::TempDir;
using ::strata::testing::TestSeed;

Options Indexed() {
  Options o;
  o.search.index_all_runs = true;
  return o;
}

CollectionSpec Spec(const char* name, uint32_t dim) {
  CollectionSpec spec;
  spec.name = name;
  spec.dimension = dim;
  return spec;
}

std::unique_ptr<Database> OpenMem(const Options& o = {}) {
  auto db = Database::OpenInMemory(o);
  EXPECT_TRUE(db.ok()) << db.status();
  return *std::move(db);
}

SearchRequest Keyword(std::string query, uint32_t k = 10) {
  SearchRequest r;
  r.query = std::move(query);
  r.k = k;
  return r;
}

std::vector<std::string> Refs(const SearchResponse& r) {
  std::vector<std::string> out;
  for (const SearchHit& h : r.hits) out.push_back(h.ref.ToString());
  return out;
}


TEST(SearchTest, EveryPrimitiveContributesItsText) {
  for (bool indexed : {false, true}) {
    SCOPED_TRACE(indexed ? "indexed" : "scan");
    auto db = OpenMem(indexed ? Indexed() : Options{});
    ASSERT_OK(db->KvPut("default", "kvkey", Value("the aardvark sleeps")));
    ASSERT_OK(db->StateInit("default", "cell", Value(Value::Object{{"mood", Value("bashful")}})));
    ASSERT_OK(db->JsonCreate("default", "doc1",
                             Value(Value::Object{{"nested", Value(Value::Object{
                                                                {"deep", Value("cassowary")}})}})));
    ASSERT_OK(db->EventAppend("default", "dingo_spotted", Value(Value::Object{
                                                              {"where", Value("echidna creek")}})));
    SpanSpec span;
    span.name = "fetch_flamingo";
    span.input = Value("gazelle");
    ASSERT_OK_AND_ASSIGN(uint64_t span_id, db->TraceRecord("default", span));
    RunSpec run;
    run.id = "hyena-run";
    run.metadata = Value(Value::Object{{"goal", Value("find the ibis")}});
    ASSERT_OK(db->CreateRun(run));
    ASSERT_OK(db->CreateCollection("default", Spec("mem", 2)));
    ASSERT_OK(db->VectorUpsert("default", "mem", "v1", {1, 0},
                               Value(Value::Object{{"text", Value("jackal lore")}})));

    const std::vector<std::pair<std::string, std::string>> cases = {
        {"aardvark", "kv://default/kvkey"},
        {"kvkey", "kv://default/kvkey"},
        {"bashful", "state://default/cell"},
        {"mood", "state://default/cell"},
        {"cassowary", "json://default/doc1"},
        {"nested", "json://default/doc1"},
        {"dingo", "event://default/1"},
        {"echidna", "event://default/1"},
        {"flamingo", absl::StrCat("trace://default/", span_id)},
        {"gazelle", absl::StrCat("trace://default/", span_id)},
        {"hyena", "run://hyena-run/"},
        {"ibis", "run://hyena-run/"},
        {"jackal", "vector://default/mem%2Fv1"},
    };
    for (const auto& [word, ref] : cases) {
      ASSERT_OK_AND_ASSIGN(SearchResponse r, db->Search(Keyword(word)));
      ASSERT_EQ(Refs(r), std::vector<std::string>{ref}) << word;
      // The ref reads the entity back.
      EXPECT_OK(db->Get(r.hits[0].ref));
      EXPECT_GT(r.hits[0].version, 0u);
      EXPECT_GT(r.hits[0].timestamp_us, 0);
      ASSERT_EQ(r.hits[0].ranks.size(), 1u);
      EXPECT_EQ(r.hits[0].ranks[0].rank, 1u);
      EXPECT_GT(r.hits[0].ranks[0].score, 0);
      EXPECT_FALSE(r.truncated);
    }
  }
}

TEST(SearchTest, Bm25RanksByTermFrequencyAndRarity) {
  auto db = OpenMem(Indexed());
  ASSERT_OK(db->KvPut("default", "a", Value("rocket rocket rocket engine")));
  ASSERT_OK(db->KvPut("default", "b", Value("rocket engine engine engine")));
  ASSERT_OK(db->KvPut("default", "c", Value("engine")));
  ASSERT_OK(db->KvPut("default", "d", Value("unrelated text")));
  ASSERT_OK_AND_ASSIGN(SearchResponse r, db->Search(Keyword("rocket")));
  EXPECT_EQ(Refs(r), (std::vector<std::string>{"kv://default/a", "kv://default/b"}));
  EXPECT_GT(r.hits[0].ranks[0].score, r.hits[1].ranks[0].score);
  // "rocket" is rarer than "engine": a document with the rare term ranks
  // above one with only the common term.
  ASSERT_OK_AND_ASSIGN(r, db->Search(Keyword("rocket engine")));
  ASSERT_EQ(r.hits.size(), 3u);
  EXPECT_EQ(r.hits[2].ref.ToString(), "kv://default/c");
  // Stemming: "rockets" finds "rocket".
  ASSERT_OK_AND_ASSIGN(r, db->Search(Keyword("Rockets")));
  EXPECT_EQ(r.hits.size(), 2u);
}

TEST(SearchTest, DeletedAndOverwrittenEntitiesNeverAppear) {
  for (bool indexed : {false, true}) {
    auto db = OpenMem(indexed ? Indexed() : Options{});
    ASSERT_OK(db->KvPut("default", "k1", Value("alpha")));
    ASSERT_OK(db->KvPut("default", "k2", Value("alpha")));
    ASSERT_OK(db->KvPut("default", "k1", Value("beta")));
    ASSERT_OK(db->KvDelete("default", "k2"));
    ASSERT_OK(db->JsonCreate("default", "d", Value(Value::Object{{"x", Value("alpha")}})));
    ASSERT_OK(db->JsonSet("default", "d", "$.x", Value("gamma")));
    ASSERT_OK_AND_ASSIGN(SearchResponse r, db->Search(Keyword("alpha")));
    EXPECT_TRUE(r.hits.empty()) << DumpSearchHits(r);
    ASSERT_OK_AND_ASSIGN(r, db->Search(Keyword("beta gamma")));
    EXPECT_EQ(Refs(r), (std::vector<std::string>{"json://default/d", "kv://default/k1"}))
        << DumpSearchHits(r);
  }
}

// Applies the same random writes to an indexed and an unindexed database
// and checks that every query gives the same hits, scores and ranks, at the
// newest version and at snapshots held across later writes.
TEST(SearchTest, IndexAgreesWithScanThroughRandomWrites) {
  const uint64_t seed = TestSeed();
  std::mt19937_64 rng(seed);
  auto indexed = OpenMem(Indexed());
  auto scanned = OpenMem();
  const std::vector<std::string> words = {"red", "green", "blue", "cyan", "magenta", "yellow",
                                          "black", "white", "orange", "purple", "pink", "brown"};
  auto text = [&] {
    std::string t;
    const int n = 1 + static_cast<int>(rng() % 8);
    for (int i = 0; i < n; ++i) absl::StrAppend(&t, words[rng() % words.size()], " ");
    return t;
  };
  for (auto* db : {indexed.get(), scanned.get()}) ASSERT_OK(db->CreateRun("other"));
  std::vector<std::unique_ptr<Transaction>> held[2];
  auto check = [&](const std::string& q, int step) {
    SearchRequest r = Keyword(q, 20);
    if (step % 3 == 0) r.filter.primitives = {Primitive::kKv};
    if (step % 5 == 0) r.filter.runs = {"other"};
    auto a = indexed->Search(r);
    auto b = scanned->Search(r);
    ASSERT_TRUE(a.ok() && b.ok()) << a.status() << b.status();
    ASSERT_EQ(DumpSearchHits(*a), DumpSearchHits(*b)) << "query '" << q << "' step " << step;
    for (size_t i = 0; i < held[0].size(); ++i) {
      auto ha = held[0][i]->Search(r);
      auto hb = held[1][i]->Search(r);
      ASSERT_TRUE(ha.ok() && hb.ok()) << ha.status() << hb.status();
      ASSERT_EQ(DumpSearchHits(*ha), DumpSearchHits(*hb)) << "held snapshot " << i << " query '" << q << "'";
    }
  };
  for (int step = 0; step < 3000; ++step) {
    const std::string run = rng() % 3 == 0 ? "other" : "default";
    const std::string key = absl::StrCat("k", rng() % 60);
    const int op = static_cast<int>(rng() % 10);
    const std::string t = text();
    for (auto* db : {indexed.get(), scanned.get()}) {
      absl::Status s;
      if (op < 5) {
        s = db->KvPut(run, key, Value(t)).status();
      } else if (op < 6) {
        auto d = db->KvDelete(run, key);
        s = d.ok() || GetErrorCode(d.status()) == ErrorCode::kNotFound ? absl::OkStatus()
                                                                        : d.status();
      } else if (op < 8) {
        s = db->EventAppend(run, "note", Value(t)).status();
      } else {
        s = db->StateSet(run, key, Value(Value::Object{{"text", Value(t)}})).status();
      }
      ASSERT_OK(s);
    }
    if (step % 500 == 250 && held[0].size() < 3) {
      for (int i = 0; i < 2; ++i) {
        auto txn = (i == 0 ? indexed : scanned)->BeginTransaction();
        ASSERT_OK(txn.status());
        held[i].push_back(*std::move(txn));
      }
    }
    if (step % 100 == 99) check(absl::StrCat(words[rng() % words.size()], " ",
                                             words[rng() % words.size()]),
                                step);
  }
  check("red green blue", 1);
  check("pink", 2);
}

// Many overwrites of few keys make the index drop superseded documents and
// rewrite its postings; results still agree with a scan.
TEST(SearchTest, IndexAgreesWithScanAfterCompaction) {
  auto indexed = OpenMem(Indexed());
  auto scanned = OpenMem();
  for (int i = 0; i < 12000; ++i) {
    const std::string v = absl::StrCat(i % 7 == 0 ? "rare " : "", "common word", i % 13);
    for (auto* db : {indexed.get(), scanned.get()}) {
      ASSERT_OK(db->KvPut("default", absl::StrCat("k", i % 40), Value(v)));
    }
  }
  for (const char* q : {"rare", "common", "word3 rare"}) {
    auto a = indexed->Search(Keyword(q, 50));
    auto b = scanned->Search(Keyword(q, 50));
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(DumpSearchHits(*a), DumpSearchHits(*b)) << q;
    EXPECT_FALSE(a->hits.empty());
  }
}

TEST(SearchTest, SnapshotConsistentUnderConcurrentWriters) {
  auto db = OpenMem(Indexed());
  std::atomic<bool> stop{false};
  std::atomic<int> pairs{0};
  // Each transaction writes (or deletes) a pair of documents together, so
  // every snapshot holds both or neither.
  auto writer = [&](int id) {
    std::mt19937_64 rng(TestSeed() + static_cast<uint64_t>(id));
    while (!stop.load()) {
      const int p = static_cast<int>(rng() % 50);
      const bool del = rng() % 4 == 0;
      auto s = db->Transact([&](Transaction& t) -> absl::Status {
        for (int half = 0; half < 2; ++half) {
          const std::string key = absl::StrCat("w", id, "p", p, "h", half);
          if (del) {
            absl::Status d = t.KvDelete("default", key);
            if (!d.ok() && GetErrorCode(d) != ErrorCode::kNotFound) return d;
          } else {
            absl::Status w =
                t.KvPut("default", key, Value(absl::StrCat("paired common pair", id, "x", p)));
            if (!w.ok()) return w;
          }
        }
        return absl::OkStatus();
      });
      ASSERT_OK(s);
      pairs.fetch_add(1);
    }
  };
  std::vector<std::thread> writers;
  for (int i = 0; i < 2; ++i) writers.emplace_back(writer, i);
  int checks = 0;
  while (pairs.load() < 2000 || checks < 200) {
    ASSERT_OK_AND_ASSIGN(SearchResponse r, db->Search(Keyword("common", kMaxSearchHits)));
    std::set<std::string> keys;
    for (const SearchHit& h : r.hits) keys.insert(h.ref.key);
    for (const std::string& k : keys) {
      std::string other = k;
      other.back() = other.back() == '0' ? '1' : '0';
      ASSERT_TRUE(keys.count(other)) << "half a pair visible: " << k;
    }
    ++checks;
  }
  stop = true;
  for (auto& t : writers) t.join();
}

TEST(SearchTest, DeterministicAcrossRestart) {
  TempDir dir;
  std::string before, before_scan;
  {
    auto db = Database::Open(dir.Sub("db"), Indexed());
    ASSERT_OK(db.status());
    // Ties: identical documents under different keys and runs.
    ASSERT_OK((*db)->CreateRun("r2"));
    for (int i = 0; i < 30; ++i) {
      ASSERT_OK((*db)->KvPut(i % 2 ? "default" : "r2", absl::StrCat("key", (i * 7) % 30),
                             Value(i % 3 ? "same words here" : "same other words")));
      ASSERT_OK((*db)->EventAppend("default", "same", Value("words")));
    }
    ASSERT_OK_AND_ASSIGN(SearchResponse r, (*db)->Search(Keyword("same words", 100)));
    before = DumpSearchHits(r);
    EXPECT_EQ(r.hits.size(), 60u);
    ASSERT_OK((*db)->Close());
  }
  for (bool indexed : {true, false}) {
    auto db = Database::Open(dir.Sub("db"), indexed ? Indexed() : Options{});
    ASSERT_OK(db.status());
    ASSERT_OK_AND_ASSIGN(SearchResponse r, (*db)->Search(Keyword("same words", 100)));
    EXPECT_EQ(DumpSearchHits(r), before) << (indexed ? "indexed" : "scan");
  }
}

TEST(SearchTest, TransactionSeesOwnWritesAndConflicts) {
  for (bool indexed : {false, true}) {
    auto db = OpenMem(indexed ? Indexed() : Options{});
    ASSERT_OK(db->KvPut("default", "old", Value("walrus")));
    ASSERT_OK(db->JsonCreate("default", "doc", Value(Value::Object{{"a", Value("one")}})));
    ASSERT_OK_AND_ASSIGN(auto txn, db->BeginTransaction());
    ASSERT_OK(txn->KvPut("default", "new", Value("walrus walrus")));
    ASSERT_OK(txn->JsonSet("default", "doc", "$.a", Value("walrus")));
    ASSERT_OK(txn->KvDelete("default", "old"));
    ASSERT_OK_AND_ASSIGN(SearchResponse r, txn->Search(Keyword("walrus")));
    // Each is first in its primitive's list: equal fused scores, by ref text.
    EXPECT_EQ(Refs(r), (std::vector<std::string>{"json://default/doc", "kv://default/new"}))
        << DumpSearchHits(r);
    // Outside, nothing changed yet.
    ASSERT_OK_AND_ASSIGN(r, db->Search(Keyword("walrus")));
    EXPECT_EQ(Refs(r), std::vector<std::string>{"kv://default/old"});
    txn->Rollback();

    // A search reads what it covered: a concurrent write there makes a
    // writing transaction conflict.
    ASSERT_OK_AND_ASSIGN(txn, db->BeginTransaction());
    ASSERT_OK(txn->Search(Keyword("walrus")).status());
    ASSERT_OK(db->KvPut("default", "other", Value("walrus")));
    ASSERT_OK(txn->KvPut("default", "mine", Value("x")));
    EXPECT_ERROR(txn->Commit(), ErrorCode::kConflict);
  }
}

TEST(SearchTest, Filters) {
  for (bool indexed : {false, true}) {
    SCOPED_TRACE(indexed ? "indexed" : "scan");
    Options o;
    if (indexed) o.search.index_runs = {"default", "r1"};
    auto db = OpenMem(o);
    ASSERT_OK(db->CreateRun("r1"));
    ASSERT_OK(db->CreateRun("r2"));
    ASSERT_OK(db->KvPut("default", "a", Value(Value::Object{{"lang", Value("en")},
                                                            {"n", Value(int64_t{1})},
                                                            {"t", Value("otter")}})));
    ASSERT_OK(db->KvPut("r1", "b", Value(Value::Object{{"lang", Value("de")},
                                                       {"t", Value("otter")}})));
    ASSERT_OK_AND_ASSIGN(Version mid, db->KvPut("r2", "c", Value("otter")));
    ASSERT_OK_AND_ASSIGN(SearchResponse r0, db->Search(Keyword("otter")));
    ASSERT_EQ(r0.hits.size(), 3u);
    TimestampMicros mid_ts = 0;
    for (const auto& h : r0.hits) {
      if (h.version == mid) mid_ts = h.timestamp_us;
    }
    ASSERT_OK(db->EventAppend("r2", "otter", Value(Value::Object{{"lang", Value("en")}})));

    SearchRequest r = Keyword("otter");
    r.filter.runs = {"r1", "r2"};
    ASSERT_OK_AND_ASSIGN(SearchResponse res, db->Search(r));
    EXPECT_EQ(res.hits.size(), 3u) << DumpSearchHits(res);

    r = Keyword("otter");
    r.filter.primitives = {Primitive::kEvent};
    ASSERT_OK_AND_ASSIGN(res, db->Search(r));
    EXPECT_EQ(Refs(res), std::vector<std::string>{"event://r2/1"});

    r = Keyword("otter");
    r.filter.metadata = {{"lang", Value("en")}};
    ASSERT_OK_AND_ASSIGN(res, db->Search(r));
    EXPECT_EQ(Refs(res), (std::vector<std::string>{"event://r2/1", "kv://default/a"}))
        << DumpSearchHits(res);
    r.filter.metadata = {{"lang", Value("en")}, {"n", Value(1.0)}};
    ASSERT_OK_AND_ASSIGN(res, db->Search(r));
    EXPECT_EQ(Refs(res), std::vector<std::string>{"kv://default/a"});

    r = Keyword("otter");
    r.filter.from_us = mid_ts;
    ASSERT_OK_AND_ASSIGN(res, db->Search(r));
    for (const SearchHit& h : res.hits) EXPECT_GE(h.timestamp_us, mid_ts);
    EXPECT_GE(res.hits.size(), 2u);
    r.filter.from_us.reset();
    r.filter.to_us = mid_ts;
    ASSERT_OK_AND_ASSIGN(res, db->Search(r));
    for (const SearchHit& h : res.hits) EXPECT_LT(h.timestamp_us, mid_ts);
    EXPECT_LE(res.hits.size(), 2u);

    std::set<std::string> used;
    ASSERT_OK_AND_ASSIGN(res, db->Search(Keyword("otter")));
    for (const auto& u : res.stats.indexes_used) used.insert(u);
    if (indexed) {
      EXPECT_TRUE(used.count("bm25-index:kv/r1"));
      EXPECT_TRUE(used.count("bm25-scan:kv/r2"));
    } else {
      EXPECT_TRUE(used.count("bm25-scan:kv/r1"));
    }
  }
}

TEST(SearchTest, BudgetTruncates) {
  for (bool indexed : {false, true}) {
    auto db = OpenMem(indexed ? Indexed() : Options{});
    for (int i = 0; i < 2000; ++i) {
      ASSERT_OK(db->KvPut("default", absl::StrCat("k", i), Value("budget words")));
      ASSERT_OK(db->StateSet("default", absl::StrCat("s", i), Value("budget words")));
    }
    SearchRequest r = Keyword("budget");
    ASSERT_OK_AND_ASSIGN(SearchResponse full, db->Search(r));
    EXPECT_FALSE(full.truncated);
    EXPECT_GE(full.stats.candidates, 4000u);
    r.budget.max_candidates = 100;
    ASSERT_OK_AND_ASSIGN(SearchResponse cut, db->Search(r));
    EXPECT_TRUE(cut.truncated);
    EXPECT_LT(cut.stats.candidates, full.stats.candidates);
  }
}

std::vector<float> Unit(float angle) { return {std::cos(angle), std::sin(angle)}; }

// Keyword-only and vector-only each miss a relevant item (with k = 2) that
// hybrid search ranks first, because it is third in both lists.
TEST(SearchTest, HybridFindsWhatEachListMisses) {
  for (bool indexed : {false, true}) {
    auto db = OpenMem(indexed ? Indexed() : Options{});
    ASSERT_OK(db->CreateCollection("default", Spec("mem", 2)));
    auto put = [&](const char* key, float angle, const char* text) {
      return db->VectorUpsert("default", "mem", key, Unit(angle),
                              Value(Value::Object{{"text", Value(text)}}));
    };
    // Query: text "solar panel", vector at angle 0.
    ASSERT_OK(put("kw1", 3.0f, "solar panel solar panel"));
    ASSERT_OK(put("kw2", 2.9f, "solar panel solar"));
    ASSERT_OK(put("vec1", 0.0f, "unrelated"));
    ASSERT_OK(put("vec2", 0.1f, "nothing here"));
    ASSERT_OK(put("target", 0.2f, "solar panel maintenance and other long notes"));
    ASSERT_OK(put("far", 2.5f, "filler"));

    SearchRequest kw = Keyword("solar panel", 2);
    kw.filter.primitives = {Primitive::kVector};
    ASSERT_OK_AND_ASSIGN(SearchResponse rk, db->Search(kw));
    SearchRequest vec;
    vec.mode = SearchMode::kVector;
    vec.query_vector = Unit(0);
    vec.k = 2;
    ASSERT_OK_AND_ASSIGN(SearchResponse rv, db->Search(vec));
    SearchRequest hy = kw;
    hy.mode = SearchMode::kHybrid;
    hy.query_vector = Unit(0);
    hy.vector_collection = "mem";
    ASSERT_OK_AND_ASSIGN(SearchResponse rh, db->Search(hy));

    const std::string target = "vector://default/mem%2Ftarget";
    auto has = [&](const SearchResponse& r) {
      for (const auto& h : r.hits) {
        if (h.ref.ToString() == target) return true;
      }
      return false;
    };
    EXPECT_FALSE(has(rk)) << DumpSearchHits(rk);
    EXPECT_FALSE(has(rv)) << DumpSearchHits(rv);
    ASSERT_FALSE(rh.hits.empty());
    EXPECT_EQ(rh.hits[0].ref.ToString(), target) << DumpSearchHits(rh);
    ASSERT_EQ(rh.hits[0].ranks.size(), 2u);
    EXPECT_EQ(rh.hits[0].ranks[0].list, "keyword:vector");
    EXPECT_EQ(rh.hits[0].ranks[0].rank, 3u);
    EXPECT_EQ(rh.hits[0].ranks[1].list, "vector:default/mem");
    EXPECT_EQ(rh.hits[0].ranks[1].rank, 3u);
    EXPECT_DOUBLE_EQ(rh.hits[0].score, 2.0 / (kRrfK + 3));
    EXPECT_EQ(rh.stats.lists, 2u);
  }
}

TEST(SearchTest, VectorModeSearchesCollectionsOfTheQueryDimension) {
  auto db = OpenMem();
  ASSERT_OK(db->CreateRun("r1"));
  ASSERT_OK(db->CreateCollection("default", Spec("two", 2)));
  ASSERT_OK(db->CreateCollection("r1", Spec("also2", 2)));
  ASSERT_OK(db->CreateCollection("r1", Spec("three", 3)));
  ASSERT_OK(db->VectorUpsert("default", "two", "a", {1, 0}, Value()));
  ASSERT_OK(db->VectorUpsert("r1", "also2", "b", {0.9f, 0.1f}, Value()));
  ASSERT_OK(db->VectorUpsert("r1", "three", "c", {1, 0, 0}, Value()));
  SearchRequest r;
  r.mode = SearchMode::kVector;
  r.query_vector = {1, 0};
  ASSERT_OK_AND_ASSIGN(SearchResponse res, db->Search(r));
  EXPECT_EQ(Refs(res), (std::vector<std::string>{"vector://default/two%2Fa",
                                                 "vector://r1/also2%2Fb"}));
  EXPECT_EQ(res.stats.lists, 2u);
  r.vector_collection = "three";
  EXPECT_ERROR(db->Search(r), ErrorCode::kInvalidArgument);  // Wrong dimension.
  r.vector_collection = "missing";
  EXPECT_ERROR(db->Search(r), ErrorCode::kNotFound);
  r.filter.runs = {"default"};
  r.vector_collection = "also2";  // Only in r1.
  EXPECT_ERROR(db->Search(r), ErrorCode::kNotFound);
  r.filter.runs = {"r1"};
  ASSERT_OK_AND_ASSIGN(res, db->Search(r));
  EXPECT_EQ(Refs(res), std::vector<std::string>{"vector://r1/also2%2Fb"});
}

TEST(SearchTest, BadInput) {
  auto db = OpenMem(Indexed());
  ASSERT_OK(db->KvPut("default", "k", Value("v")));
  auto bad = [&](SearchRequest r, ErrorCode code = ErrorCode::kInvalidArgument) {
    EXPECT_ERROR(db->Search(r), code);
  };
  bad(Keyword(""));
  bad(Keyword("the and of"));  // Only stop words.
  bad(Keyword("!!! ..."));
  bad(Keyword("x", 0));
  bad(Keyword("x", kMaxSearchHits + 1));
  bad(Keyword(std::string(kMaxSearchQueryBytes + 1, 'a')));
  SearchRequest r = Keyword("x");
  r.filter.primitives = {static_cast<Primitive>(42)};
  bad(r);
  r = Keyword("x");
  r.filter.runs = {"bad run id!"};
  bad(r);
  r.filter.runs = {"no-such-run"};
  bad(r, ErrorCode::kNotFound);
  r = Keyword("x");
  r.filter.metadata = {{"f", Value(Value::Array{})}};
  bad(r);
  r.filter.metadata = {{"", Value(1.0)}};
  bad(r);
  r = Keyword("x");
  r.filter.from_us = 10;
  r.filter.to_us = 10;
  bad(r);
  r = Keyword("x");
  r.bm25_k1 = -1;
  bad(r);
  r = Keyword("x");
  r.bm25_b = std::nan("");
  bad(r);
  r = Keyword("x");
  r.query_vector = {1, 0};
  bad(r);  // Keyword mode with a vector.
  r = SearchRequest{};
  r.mode = SearchMode::kVector;
  bad(r);  // No vector.
  r.query_vector = {1, std::nanf("")};
  bad(r);
  r.query_vector = {1, 0};
  r.filter.primitives = {Primitive::kKv};
  bad(r);
  r = SearchRequest{};
  r.mode = SearchMode::kHybrid;
  r.query_vector = {1, 0};
  bad(r);  // No text.
  r.mode = static_cast<SearchMode>(9);
  bad(r);

  Options o;
  o.search.stemmer = "klingon";
  EXPECT_ERROR(Database::OpenInMemory(o), ErrorCode::kInvalidArgument);
  o = Options{};
  o.search.index_runs = {"bad id!"};
  EXPECT_ERROR(Database::OpenInMemory(o), ErrorCode::kInvalidArgument);
}

TEST(SearchTest, ModeNames) {
  for (SearchMode m : {SearchMode::kKeyword, SearchMode::kVector, SearchMode::kHybrid}) {
    EXPECT_EQ(SearchModeFromName(SearchModeName(m)), m);
  }
  EXPECT_FALSE(SearchModeFromName("fuzzy").has_value());
}

}  // namespace
}  // namespace strata
