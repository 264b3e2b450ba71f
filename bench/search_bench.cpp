// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Keyword (BM25), vector and hybrid search, one thread, against SQLite FTS5
// and raw hnswlib measured in this process on the same data.
//
// FTS5 gets Strata's own tokenizer (src/search/tokenizer.hpp, registered as
// the FTS5 tokenizer "strata" with the options Database uses by default:
// English stop words and the Snowball "english" stemmer), so both sides
// index and query exactly the same terms and differ only in their index and
// ranking. The FTS5 table is `docs(body)`, the document's number is its
// rowid and the body is "<number>\n<text>" (Strata's keyword text of a KV
// entry is its key followed by its value, and the key is the number),
// and a query is its Strata terms, each double-quoted, joined with " OR ",
// ranked by `ORDER BY bm25(docs) LIMIT k` (bm25 with FTS5's k1 = 1.2 and
// b = 0.75, Strata's defaults too). After loading, the FTS5 index is merged
// into one segment ('optimize', untimed), its fastest shape for queries.
//
// Data sets:
//   Cranfield  the 1,400 abstracts of ../shared/data/cranfield (title + "\n"
//              + abstract) and its 225 queries.
//   Synthetic  N documents (N = $STRATA_SEARCH_BENCH_N, default 100,000) of
//              40..80 words (60 on average) drawn from a Zipf(s = 1)
//              distribution over 20,000 generated pseudo-words (each one a
//              single distinct term under the tokenizer), seed
//              kSyntheticSeed; 1,000 queries of 3 distinct words drawn from
//              the same distribution. Deterministic.
// Strata stores each document as the KV entry key = decimal document number,
// value = the text, in run "default" of an InMemory database, one KvPut
// (one commit) each.
//
// Benchmarks (one thread; latencies are per query, measured one by one with
// steady_clock; percentiles are nearest-rank):
//
//   BM_SearchQuality_Cranfield      not a timing: runs once. nDCG@10 and MAP
//                                   (top 100, tests/search/ir_eval.hpp) of
//                                   Strata (indexed) and FTS5. Counters:
//                                   strata_ndcg10, strata_map, fts5_ndcg10,
//                                   fts5_map, strata_over_fts5_ndcg10,
//                                   strata_over_fts5_map, queries.
//   BM_StrataKeywordSearch_<Set>    Database::Search, mode kKeyword, k = 10,
//                                   KV only, index on; every query of the
//                                   set, cycling (manual time: the Strata
//                                   calls only). Then FTS5 runs the same
//                                   number of queries, right after.
//                                   Counters: p50_us, p99_us, mean_us
//                                   (Strata), fts5_p50_us, fts5_p99_us,
//                                   fts5_mean_us, strata_p50_over_fts5 and
//                                   strata_p99_over_fts5 (latency ratios:
//                                   below 1 means Strata is faster),
//                                   top10_agreement (mean fraction of
//                                   Strata's top 10 that FTS5 also returns;
//                                   a sanity check that both rank the same
//                                   terms), docs, queries.
//   BM_Fts5Insert_Synthetic         the N documents inserted into FTS5 in
//                                   one transaction (one prepared INSERT
//                                   each). items_per_second = documents/s.
//                                   fts5_optimize_s (the untimed merge).
//   BM_StrataIndexedPut_Synthetic   the N documents as KvPuts into a
//                                   database with options.search
//                                   .index_all_runs (the index is updated
//                                   at every commit). items_per_second =
//                                   documents/s; put_mean_us, put_p50_us,
//                                   put_p99_us; fts5_docs_per_s and
//                                   strata_over_fts5_docs_per_s.
//   BM_StrataUnindexedPut_Synthetic the same puts with no index: the cost of
//                                   indexing at commit. put_mean_us, ...,
//                                   indexed_put_mean_us and index_put_cost
//                                   (indexed mean / unindexed mean; 1 means
//                                   indexing is free).
//   BM_StrataHybridSearch_Synthetic N vectors of dimension 64 (clustered,
//                                   normalized, cosine: vector_data.hpp's
//                                   SyntheticClustered) in collection "docs"
//                                   of run "default", vector i with metadata
//                                   {"text": <synthetic document i>}, loaded
//                                   by VectorUpsertBatch of 1,000, keyword
//                                   index on. Search mode kHybrid (query
//                                   text + query vector), k = 10, vectors
//                                   only. Counters: p50_us, p99_us, mean_us,
//                                   p50_target_us (2,000: the target is
//                                   p50 <= 2 ms); vector_p50_us and
//                                   vector_p99_us (the same Search in mode
//                                   kVector); hnswlib_p50_us, hnswlib_p99_us
//                                   (raw hnswlib searchKnn on the same
//                                   vectors, same M = 16, ef_construction =
//                                   200, ef_search = 64), the anchor of the
//                                   vector part; vector_p50_over_hnswlib and
//                                   hybrid_p50_over_hnswlib; load_s and
//                                   hnswlib_build_s.
//
// Databases and indexes are built once per process, lazily, by whichever
// benchmark needs them first; the insert benchmarks report the timing of
// that one build (manual time, one iteration), so repetitions repeat its
// figure instead of rebuilding.
//
// $STRATA_DATA_DIR overrides the data directory; $STRATA_SEARCH_BENCH_N
// sets N (100..10,000,000). A full run (N = 100,000) takes a few minutes,
// most of it building the two HNSW graphs.

#include <sqlite3.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
// Debian's hnswlib.h defines non-inline functions (cpuid, xgetbv,
// AVXCapable, AVX512Capable): include it in this translation unit only.
#include "hnswlib/hnswlib.h"
#include "search/ir_eval.hpp"
#include "search/tokenizer.hpp"
#include "strata/strata.hpp"
#include "lazy_build.hpp"
#include "vector_data.hpp"

namespace {

using strata::search::Tokenizer;
namespace ir = strata::testing::ir;

constexpr uint32_t kK = 10;
// Depth of the quality runs (MAP over the top 100, like the Cranfield test).
constexpr uint32_t kQualityDepth = 100;

constexpr size_t kSyntheticDefaultN = 100000;
constexpr size_t kSyntheticMinN = 100;
constexpr size_t kSyntheticMaxN = 10000000;
constexpr size_t kVocabularySize = 20000;
constexpr double kZipfExponent = 1.0;
constexpr size_t kMinDocWords = 40;
constexpr size_t kMaxDocWords = 80;
constexpr size_t kQueryWords = 3;
constexpr size_t kSyntheticQueries = 1000;
constexpr uint64_t kSyntheticSeed = 0x5354524154413032ull;  // "STRATA02"

// Each Cranfield query is timed this many times (225 queries are few for a
// p99).
constexpr size_t kCranfieldQueries = 225;
constexpr size_t kCranfieldRounds = 4;
// Queries run on each side before timing, so first-use costs (lazy
// allocations, cold caches) do not land in the percentiles.
constexpr size_t kWarmupQueries = 100;

// Hybrid: the vector part, the same parameters on both sides.
constexpr char kCollection[] = "docs";
constexpr size_t kHybridDimension = 64;
constexpr size_t kHybridClusters = 100;
constexpr uint32_t kM = 16;
constexpr uint32_t kEfConstruction = 200;
constexpr uint32_t kEfSearch = 64;
constexpr size_t kVectorBatch = 1000;
constexpr double kHybridP50TargetUs = 2000;

enum CorpusId : int { kCranfield = 0, kSynthetic = 1, kCorpusCount = 2 };

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// --- Latency summaries.

struct LatencySummary {
  double p50_us = 0;
  double p99_us = 0;
  double mean_us = 0;
};

// Nearest-rank percentiles: the smallest sample with at least q of all
// samples at or below it.
LatencySummary Summarize(std::vector<double> us) {
  LatencySummary s;
  if (us.empty()) return s;
  std::sort(us.begin(), us.end());
  const auto at = [&](double q) {
    const auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(us.size())));
    return us[std::clamp<size_t>(rank, 1, us.size()) - 1];
  };
  double sum = 0;
  for (double x : us) sum += x;
  s.p50_us = at(0.50);
  s.p99_us = at(0.99);
  s.mean_us = sum / static_cast<double>(us.size());
  return s;
}

double Ratio(double a, double b) { return b > 0 ? a / b : 0; }

// --- The tokenizer both sides use: Strata's, with the options a database
// uses by default (so FTS5 sees exactly the terms Strata indexes).

const Tokenizer* SharedTokenizer(std::string* error) {
  static const auto* result = [] {
    strata::search::TokenizerOptions options;
    const strata::SearchOptions defaults;
    options.stop_words = defaults.stop_words;
    options.stemmer = defaults.stemmer;
    return new absl::StatusOr<std::unique_ptr<Tokenizer>>(Tokenizer::Create(options));
  }();
  if (!result->ok()) {
    *error = absl::StrCat("Tokenizer::Create: ", result->status().ToString());
    return nullptr;
  }
  return result->value().get();
}

// --- SQLite FTS5 with the Strata tokenizer.

// The tokenizer instance is the shared Tokenizer itself (FTS5 only passes the
// pointer back to xTokenize).
int StrataFts5Create(void* user_data, const char** /*args*/, int /*nargs*/, Fts5Tokenizer** out) {
  *out = static_cast<Fts5Tokenizer*>(user_data);
  return SQLITE_OK;
}

void StrataFts5Delete(Fts5Tokenizer* /*tokenizer*/) {}

// Documents are tokenized by the Strata tokenizer. MATCH strings are built
// by Fts5Query below from terms the tokenizer already produced, and FTS5
// hands each quoted string to xTokenize again (FTS5_TOKENIZE_QUERY): those
// pass through unchanged, because stemming a stem again is not always the
// identity for Snowball and would make FTS5 look for other terms than
// Strata does. Offsets are reported as 0: the tokenizer yields terms, not
// their positions in the text, and FTS5 needs offsets only for highlight()
// and snippet(), which are not used (the index stores token positions).
int StrataFts5Tokenize(Fts5Tokenizer* tokenizer, void* ctx, int flags, const char* text,
                       int size,
                       int (*x_token)(void*, int, const char*, int, int, int)) {
  if (text == nullptr || size <= 0) return SQLITE_OK;
  if ((flags & FTS5_TOKENIZE_QUERY) != 0) return x_token(ctx, 0, text, size, 0, 0);
  int rc = SQLITE_OK;
  reinterpret_cast<const Tokenizer*>(tokenizer)->Tokenize(
      std::string_view(text, static_cast<size_t>(size)), [&](std::string_view term) {
        if (rc != SQLITE_OK) return;  // FTS5 asked to stop.
        rc = x_token(ctx, 0, term.data(), static_cast<int>(term.size()), 0, 0);
      });
  return rc;
}

// The FTS5 API of connection `db`, or null with *error saying why (an SQLite
// built without FTS5 has no fts5() function).
fts5_api* Fts5Api(sqlite3* db, std::string* error) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &stmt, nullptr) != SQLITE_OK) {
    *error = absl::StrCat("SQLite ", sqlite3_libversion(),
                          " has no FTS5 (SELECT fts5(?1): ", sqlite3_errmsg(db),
                          "); search_bench needs SQLite built with SQLITE_ENABLE_FTS5");
    return nullptr;
  }
  fts5_api* api = nullptr;
  sqlite3_bind_pointer(stmt, 1, &api, "fts5_api_ptr", nullptr);
  sqlite3_step(stmt);
  sqlite3_finalize(stmt);
  if (api == nullptr || api->iVersion < 2) {
    *error = absl::StrCat("SQLite ", sqlite3_libversion(), ": fts5(?1) returned no usable fts5_api");
    return nullptr;
  }
  return api;
}

// The MATCH string for `query`: its terms, each double-quoted (terms are
// letters, digits and marks only, never a quote), joined with " OR ". Empty
// when the query has no terms.
std::string Fts5Query(const Tokenizer& tokenizer, std::string_view query) {
  std::string out;
  tokenizer.Tokenize(query, [&](std::string_view term) {
    if (!out.empty()) out += " OR ";
    out += '"';
    out.append(term);
    out += '"';
  });
  return out;
}

class Fts5Index {
 public:
  explicit Fts5Index(const Tokenizer* tokenizer) : tokenizer_(tokenizer) {
    if (sqlite3_open(":memory:", &db_) != SQLITE_OK) {
      error_ = "sqlite3_open(:memory:) failed";
      return;
    }
    fts5_api* api = Fts5Api(db_, &error_);
    if (api == nullptr) return;
    fts5_tokenizer methods = {StrataFts5Create, StrataFts5Delete, StrataFts5Tokenize};
    // FTS5 copies `methods`; the Tokenizer outlives the connection.
    if (api->xCreateTokenizer(api, "strata", const_cast<Tokenizer*>(tokenizer), &methods,
                              nullptr) != SQLITE_OK) {
      error_ = absl::StrCat("xCreateTokenizer: ", sqlite3_errmsg(db_));
      return;
    }
    if (!Exec("CREATE VIRTUAL TABLE docs USING fts5(body, tokenize='strata')") ||
        !Prepare("INSERT INTO docs(rowid, body) VALUES(?1, ?2)", &insert_) ||
        !Prepare("SELECT rowid FROM docs WHERE docs MATCH ?1 ORDER BY bm25(docs) LIMIT ?2",
                 &search_)) {
      return;
    }
  }
  ~Fts5Index() {
    sqlite3_finalize(insert_);
    sqlite3_finalize(search_);
    sqlite3_close(db_);
  }
  Fts5Index(const Fts5Index&) = delete;
  Fts5Index& operator=(const Fts5Index&) = delete;

  // Empty when the index is usable; else what went wrong first.
  const std::string& error() const { return error_; }

  bool Exec(const char* sql) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) == SQLITE_OK) return true;
    error_ = absl::StrCat(sql, ": ", message != nullptr ? message : "?");
    sqlite3_free(message);
    return false;
  }

  bool Insert(int64_t rowid, std::string_view body) {
    sqlite3_bind_int64(insert_, 1, rowid);
    sqlite3_bind_text(insert_, 2, body.data(), static_cast<int>(body.size()), SQLITE_STATIC);
    const int rc = sqlite3_step(insert_);
    sqlite3_reset(insert_);
    if (rc != SQLITE_DONE) {
      error_ = absl::StrCat("INSERT rowid ", rowid, ": ", sqlite3_errmsg(db_));
      return false;
    }
    return true;
  }

  // The best `k` rowids for the query text, best first (what an application
  // does: tokenize, build the MATCH string, run the statement). False (and
  // error()) on failure.
  bool Search(std::string_view query, uint32_t k, std::vector<int64_t>* out) {
    out->clear();
    const std::string match = Fts5Query(*tokenizer_, query);
    if (match.empty()) return true;  // No terms: nothing matches.
    sqlite3_bind_text(search_, 1, match.data(), static_cast<int>(match.size()), SQLITE_STATIC);
    sqlite3_bind_int(search_, 2, static_cast<int>(k));
    int rc;
    while ((rc = sqlite3_step(search_)) == SQLITE_ROW) out->push_back(sqlite3_column_int64(search_, 0));
    sqlite3_reset(search_);
    if (rc != SQLITE_DONE) {
      error_ = absl::StrCat("MATCH '", match, "': ", sqlite3_errmsg(db_));
      return false;
    }
    return true;
  }

 private:
  bool Prepare(const char* sql, sqlite3_stmt** stmt) {
    if (sqlite3_prepare_v2(db_, sql, -1, stmt, nullptr) == SQLITE_OK) return true;
    error_ = absl::StrCat(sql, ": ", sqlite3_errmsg(db_));
    return false;
  }

  const Tokenizer* tokenizer_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
  sqlite3_stmt* search_ = nullptr;
  std::string error_;
};

// --- Data sets (built once).

struct Corpus {
  std::string name;
  // Document i: its number (the Cranfield id, or i for the synthetic set;
  // the Strata key is its decimal text, the FTS5 rowid the number) and text.
  std::vector<uint32_t> numbers;
  std::vector<std::string> texts;
  std::vector<std::string> queries;
  // Cranfield only: the queries and judgements for the quality benchmark.
  std::vector<ir::CranfieldQuery> cranfield_queries;
  ir::Qrels qrels;
  std::string error;  // Not empty: the data set could not be made.
};

size_t SyntheticN(std::string* error) {
  const char* env = std::getenv("STRATA_SEARCH_BENCH_N");
  if (env == nullptr || *env == '\0') return kSyntheticDefaultN;
  size_t n = 0;
  const std::string_view text(env);
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n < kSyntheticMinN ||
      n > kSyntheticMaxN) {
    *error = absl::StrCat("STRATA_SEARCH_BENCH_N='", env, "': want an integer in [",
                          kSyntheticMinN, ", ", kSyntheticMaxN, "]");
    return 0;
  }
  return n;
}

// kVocabularySize pseudo-words ("tovarin", "belu", ...: 2 to 4
// consonant-vowel syllables), each of which the tokenizer keeps as exactly
// one term that no other word of the list gives (so stop words, and words
// that stem alike, are skipped). Index 0 is the most frequent under Zipf.
std::vector<std::string> Vocabulary(const Tokenizer& tokenizer, strata::bench::SplitMix64& rng) {
  static constexpr char kConsonants[] = "bcdfghjklmnprstvz";
  static constexpr char kVowels[] = "aeiou";
  std::vector<std::string> words;
  std::unordered_set<std::string> terms;
  while (words.size() < kVocabularySize) {
    std::string word;
    const size_t syllables = 2 + rng.Next() % 3;
    for (size_t s = 0; s < syllables; ++s) {
      word += kConsonants[rng.Next() % (sizeof(kConsonants) - 1)];
      word += kVowels[rng.Next() % (sizeof(kVowels) - 1)];
    }
    if (rng.Next() % 2 == 0) word += kConsonants[rng.Next() % (sizeof(kConsonants) - 1)];
    const std::vector<std::string> t = tokenizer.Terms(word);
    if (t.size() != 1 || !terms.insert(t[0]).second) continue;
    words.push_back(std::move(word));
  }
  return words;
}

// Draws word ranks from Zipf(s) over [0, n): P(rank r) ~ 1 / (r + 1)^s.
class ZipfSampler {
 public:
  ZipfSampler(size_t n, double s) : cdf_(n) {
    double sum = 0;
    for (size_t r = 0; r < n; ++r) {
      sum += 1.0 / std::pow(static_cast<double>(r + 1), s);
      cdf_[r] = sum;
    }
    for (double& c : cdf_) c /= sum;
  }
  size_t Draw(strata::bench::SplitMix64& rng) const {
    const auto it = std::lower_bound(cdf_.begin(), cdf_.end(), rng.Uniform());
    return std::min(static_cast<size_t>(it - cdf_.begin()), cdf_.size() - 1);
  }

 private:
  std::vector<double> cdf_;
};

void MakeSynthetic(Corpus* c) {
  std::string error;
  const Tokenizer* tokenizer = SharedTokenizer(&error);
  if (tokenizer == nullptr) {
    c->error = error;
    return;
  }
  const size_t n = SyntheticN(&c->error);
  if (!c->error.empty()) return;
  strata::bench::SplitMix64 rng(kSyntheticSeed);
  const std::vector<std::string> vocabulary = Vocabulary(*tokenizer, rng);
  const ZipfSampler zipf(vocabulary.size(), kZipfExponent);
  c->numbers.reserve(n);
  c->texts.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const size_t words = kMinDocWords + rng.Next() % (kMaxDocWords - kMinDocWords + 1);
    std::string text;
    for (size_t w = 0; w < words; ++w) {
      if (w > 0) text += ' ';
      text += vocabulary[zipf.Draw(rng)];
    }
    c->numbers.push_back(static_cast<uint32_t>(i));
    c->texts.push_back(std::move(text));
  }
  for (size_t q = 0; q < kSyntheticQueries; ++q) {
    std::set<size_t> ranks;
    while (ranks.size() < kQueryWords) ranks.insert(zipf.Draw(rng));
    std::string text;
    for (size_t r : ranks) {
      if (!text.empty()) text += ' ';
      text += vocabulary[r];
    }
    c->queries.push_back(std::move(text));
  }
}

void MakeCranfield(Corpus* c) {
  const std::string dir = strata::bench::DataDir() + "/cranfield";
  auto docs = ir::LoadCranfieldDocs(dir);
  auto queries = ir::LoadCranfieldQueries(dir);
  auto qrels = ir::LoadCranfieldQrels(dir);
  for (const absl::Status& s : {docs.status(), queries.status(), qrels.status()}) {
    if (!s.ok()) {
      c->error = absl::StrCat("Cranfield: ", s.ToString(), " (set STRATA_DATA_DIR)");
      return;
    }
  }
  for (const ir::CranfieldDoc& d : *docs) {
    c->numbers.push_back(d.id);
    c->texts.push_back(d.title + "\n" + d.text);  // As the Cranfield test stores them.
  }
  for (const ir::CranfieldQuery& q : *queries) c->queries.push_back(q.text);
  c->cranfield_queries = *std::move(queries);
  c->qrels = *std::move(qrels);
}

const Corpus* GetCorpus(benchmark::State& state, int id) {
  static std::unique_ptr<Corpus> corpora[kCorpusCount];
  return strata::bench::LazyBuild(state, corpora[id], [id] {
    auto c = std::make_unique<Corpus>();
    try {
      if (id == kCranfield) {
        c->name = "Cranfield";
        MakeCranfield(c.get());
      } else {
        c->name = "Synthetic";
        MakeSynthetic(c.get());
      }
    } catch (const std::exception& e) {
      c->error = e.what();
    }
    return c;
  });
}

// --- Strata (KV documents, index on or off).

struct StrataKv {
  std::unique_ptr<strata::Database> db;
  double load_seconds = 0;
  LatencySummary put;  // Per KvPut.
  std::string error;
};

std::unique_ptr<StrataKv> BuildStrataKv(const Corpus& c, bool indexed) {
  auto s = std::make_unique<StrataKv>();
  strata::Options options;
  options.search.index_all_runs = indexed;
  auto db = strata::Database::OpenInMemory(options);
  if (!db.ok()) {
    s->error = absl::StrCat("OpenInMemory: ", db.status().ToString());
    return s;
  }
  s->db = *std::move(db);
  // Keys and values are made before the clock starts: only the puts count.
  std::vector<std::string> keys;
  keys.reserve(c.texts.size());
  for (uint32_t number : c.numbers) keys.push_back(std::to_string(number));
  std::vector<double> put_us;
  put_us.reserve(c.texts.size());
  const auto start = Clock::now();
  for (size_t i = 0; i < c.texts.size(); ++i) {
    strata::Value value(c.texts[i]);
    const auto put_start = Clock::now();
    auto r = s->db->KvPut(strata::kDefaultRun, keys[i], std::move(value));
    put_us.push_back(SecondsSince(put_start) * 1e6);
    if (!r.ok()) {
      s->error = absl::StrCat("KvPut #", i, ": ", r.status().ToString());
      return s;
    }
  }
  s->load_seconds = SecondsSince(start);
  s->put = Summarize(std::move(put_us));
  return s;
}

std::unique_ptr<StrataKv>& StrataKvSlot(int id, bool indexed) {
  static std::unique_ptr<StrataKv> slots[kCorpusCount][2];
  return slots[id][indexed ? 1 : 0];
}

StrataKv* GetStrataKv(benchmark::State& state, int id, const Corpus& c, bool indexed) {
  return strata::bench::LazyBuild(state, StrataKvSlot(id, indexed),
                                  [&] { return BuildStrataKv(c, indexed); });
}

strata::SearchRequest KeywordRequest(const std::string& query, uint32_t k) {
  strata::SearchRequest req;
  req.query = query;
  req.k = k;
  req.mode = strata::SearchMode::kKeyword;
  req.filter.primitives = {strata::Primitive::kKv};
  return req;
}

// The document numbers of a response's hits, best first.
std::vector<uint32_t> HitNumbers(const strata::SearchResponse& response) {
  std::vector<uint32_t> out;
  out.reserve(response.hits.size());
  for (const strata::SearchHit& hit : response.hits) {
    out.push_back(static_cast<uint32_t>(std::stoul(hit.ref.key)));
  }
  return out;
}

// --- FTS5 (built once per corpus).

struct Fts5Side {
  std::unique_ptr<Fts5Index> index;
  double load_seconds = 0;
  double optimize_seconds = 0;
  std::string error;
};

std::unique_ptr<Fts5Side> BuildFts5(const Corpus& c) {
  auto f = std::make_unique<Fts5Side>();
  std::string error;
  const Tokenizer* tokenizer = SharedTokenizer(&error);
  if (tokenizer == nullptr) {
    f->error = error;
    return f;
  }
  f->index = std::make_unique<Fts5Index>(tokenizer);
  Fts5Index& fts = *f->index;
  if (!fts.error().empty()) {
    f->error = absl::StrCat("FTS5: ", fts.error());
    return f;
  }
  // Strata's keyword text of a KV entry is its key followed by its value,
  // so FTS5 indexes the same: "<number>\n<text>" (made before the clock
  // starts, like the Strata side's keys).
  std::vector<std::string> bodies;
  bodies.reserve(c.texts.size());
  for (size_t i = 0; i < c.texts.size(); ++i) {
    bodies.push_back(absl::StrCat(c.numbers[i], "\n", c.texts[i]));
  }
  const auto start = Clock::now();
  bool ok = fts.Exec("BEGIN");
  for (size_t i = 0; ok && i < bodies.size(); ++i) ok = fts.Insert(c.numbers[i], bodies[i]);
  ok = ok && fts.Exec("COMMIT");
  f->load_seconds = SecondsSince(start);
  const auto optimize_start = Clock::now();
  ok = ok && fts.Exec("INSERT INTO docs(docs) VALUES('optimize')");
  f->optimize_seconds = SecondsSince(optimize_start);
  if (!ok) f->error = absl::StrCat("FTS5: ", fts.error());
  return f;
}

Fts5Side* GetFts5(benchmark::State& state, int id, const Corpus& c) {
  static std::unique_ptr<Fts5Side> sides[kCorpusCount];
  return strata::bench::LazyBuild(state, sides[id], [&] { return BuildFts5(c); });
}

// --- Benchmarks: quality.

void BM_SearchQuality(benchmark::State& state, int id) {
  const Corpus* c = GetCorpus(state, id);
  if (c == nullptr) return;
  StrataKv* s = GetStrataKv(state, id, *c, /*indexed=*/true);
  if (s == nullptr) return;
  Fts5Side* f = GetFts5(state, id, *c);
  if (f == nullptr) return;
  std::string error;
  ir::EvalResult strata_result;
  ir::EvalResult fts5_result;
  for (auto _ : state) {
    strata_result = ir::Evaluate(
        [&](const ir::CranfieldQuery& q) -> std::vector<uint32_t> {
          auto r = s->db->Search(KeywordRequest(q.text, kQualityDepth));
          if (!r.ok()) {
            if (error.empty()) error = absl::StrCat("Strata Search: ", r.status().ToString());
            return {};
          }
          return HitNumbers(*r);
        },
        c->cranfield_queries, c->qrels, kQualityDepth);
    fts5_result = ir::Evaluate(
        [&](const ir::CranfieldQuery& q) -> std::vector<uint32_t> {
          std::vector<int64_t> rowids;
          if (!f->index->Search(q.text, kQualityDepth, &rowids)) {
            if (error.empty()) error = absl::StrCat("FTS5: ", f->index->error());
            return {};
          }
          return std::vector<uint32_t>(rowids.begin(), rowids.end());
        },
        c->cranfield_queries, c->qrels, kQualityDepth);
  }
  if (!error.empty()) {
    state.SkipWithError(error.c_str());
    return;
  }
  state.counters["queries"] = static_cast<double>(strata_result.queries);
  state.counters["strata_ndcg10"] = strata_result.ndcg10;
  state.counters["strata_map"] = strata_result.map;
  state.counters["fts5_ndcg10"] = fts5_result.ndcg10;
  state.counters["fts5_map"] = fts5_result.map;
  state.counters["strata_over_fts5_ndcg10"] = Ratio(strata_result.ndcg10, fts5_result.ndcg10);
  state.counters["strata_over_fts5_map"] = Ratio(strata_result.map, fts5_result.map);
}

// --- Benchmarks: keyword query latency.

void BM_StrataKeywordSearch(benchmark::State& state, int id) {
  const Corpus* c = GetCorpus(state, id);
  if (c == nullptr) return;
  StrataKv* s = GetStrataKv(state, id, *c, /*indexed=*/true);
  if (s == nullptr) return;
  Fts5Side* f = GetFts5(state, id, *c);
  if (f == nullptr) return;
  std::vector<strata::SearchRequest> requests;
  for (const std::string& q : c->queries) requests.push_back(KeywordRequest(q, kK));
  const size_t nq = requests.size();

  std::vector<int64_t> rowids;
  for (size_t i = 0; i < std::min(nq, kWarmupQueries); ++i) {
    auto r = s->db->Search(requests[i]);
    if (!r.ok()) {
      state.SkipWithError(absl::StrCat("Strata Search: ", r.status().ToString()).c_str());
      return;
    }
    if (!f->index->Search(c->queries[i], kK, &rowids)) {
      state.SkipWithError(absl::StrCat("FTS5: ", f->index->error()).c_str());
      return;
    }
  }

  // Strata, timed one query at a time. The top 10 of each query is kept
  // (outside the timed region) for the agreement check.
  std::vector<double> strata_us;
  std::vector<std::vector<uint32_t>> strata_top(nq);
  std::string error;
  size_t i = 0;
  for (auto _ : state) {
    const size_t q = i++ % nq;
    const auto start = Clock::now();
    auto r = s->db->Search(requests[q]);
    const double seconds = SecondsSince(start);
    if (!r.ok()) {
      error = absl::StrCat("Strata Search: ", r.status().ToString());
      state.SkipWithError(error.c_str());
      break;
    }
    state.SetIterationTime(seconds);
    strata_us.push_back(seconds * 1e6);
    if (strata_top[q].empty()) strata_top[q] = HitNumbers(*r);
  }
  if (!error.empty()) return;

  // FTS5, the same queries the same number of times, right after.
  std::vector<double> fts5_us;
  double agreement = 0;
  size_t compared = 0;
  for (size_t j = 0; j < strata_us.size(); ++j) {
    const size_t q = j % nq;
    const auto start = Clock::now();
    const bool ok = f->index->Search(c->queries[q], kK, &rowids);
    fts5_us.push_back(SecondsSince(start) * 1e6);
    if (!ok) {
      state.SkipWithError(absl::StrCat("FTS5: ", f->index->error()).c_str());
      return;
    }
    if (j < nq && !strata_top[q].empty()) {
      const std::set<int64_t> fts5_top(rowids.begin(), rowids.end());
      size_t common = 0;
      for (uint32_t number : strata_top[q]) common += fts5_top.count(number);
      agreement += static_cast<double>(common) / static_cast<double>(strata_top[q].size());
      ++compared;
    }
  }

  const LatencySummary ours = Summarize(std::move(strata_us));
  const LatencySummary fts5 = Summarize(std::move(fts5_us));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["docs"] = static_cast<double>(c->texts.size());
  state.counters["queries"] = static_cast<double>(nq);
  state.counters["p50_us"] = ours.p50_us;
  state.counters["p99_us"] = ours.p99_us;
  state.counters["mean_us"] = ours.mean_us;
  state.counters["fts5_p50_us"] = fts5.p50_us;
  state.counters["fts5_p99_us"] = fts5.p99_us;
  state.counters["fts5_mean_us"] = fts5.mean_us;
  state.counters["strata_p50_over_fts5"] = Ratio(ours.p50_us, fts5.p50_us);
  state.counters["strata_p99_over_fts5"] = Ratio(ours.p99_us, fts5.p99_us);
  state.counters["top10_agreement"] = compared > 0 ? agreement / static_cast<double>(compared) : 0;
}

// --- Benchmarks: indexing.

void BM_Fts5Insert(benchmark::State& state, int id) {
  const Corpus* c = GetCorpus(state, id);
  if (c == nullptr) return;
  const Fts5Side* f = GetFts5(state, id, *c);
  if (f == nullptr) return;
  for (auto _ : state) state.SetIterationTime(f->load_seconds);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(c->texts.size()));
  state.counters["docs"] = static_cast<double>(c->texts.size());
  state.counters["fts5_optimize_s"] = f->optimize_seconds;
}

void ReportPuts(benchmark::State& state, const Corpus& c, const StrataKv& s) {
  for (auto _ : state) state.SetIterationTime(s.load_seconds);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(c.texts.size()));
  state.counters["docs"] = static_cast<double>(c.texts.size());
  state.counters["put_mean_us"] = s.put.mean_us;
  state.counters["put_p50_us"] = s.put.p50_us;
  state.counters["put_p99_us"] = s.put.p99_us;
}

void BM_StrataIndexedPut(benchmark::State& state, int id) {
  const Corpus* c = GetCorpus(state, id);
  if (c == nullptr) return;
  const Fts5Side* f = GetFts5(state, id, *c);
  if (f == nullptr) return;
  const StrataKv* s = GetStrataKv(state, id, *c, /*indexed=*/true);
  if (s == nullptr) return;
  ReportPuts(state, *c, *s);
  const auto n = static_cast<double>(c->texts.size());
  const double fts5_docs_per_s = Ratio(n, f->load_seconds);
  state.counters["fts5_docs_per_s"] = fts5_docs_per_s;
  state.counters["strata_over_fts5_docs_per_s"] = Ratio(Ratio(n, s->load_seconds), fts5_docs_per_s);
}

void BM_StrataUnindexedPut(benchmark::State& state, int id) {
  const Corpus* c = GetCorpus(state, id);
  if (c == nullptr) return;
  const StrataKv* indexed = GetStrataKv(state, id, *c, /*indexed=*/true);
  if (indexed == nullptr) return;
  const StrataKv* s = GetStrataKv(state, id, *c, /*indexed=*/false);
  if (s == nullptr) return;
  ReportPuts(state, *c, *s);
  state.counters["indexed_put_mean_us"] = indexed->put.mean_us;
  state.counters["index_put_cost"] = Ratio(indexed->put.mean_us, s->put.mean_us);
  // Only this benchmark uses the unindexed database: free its memory.
  StrataKvSlot(id, /*indexed=*/false)->db.reset();
}

// --- Benchmarks: hybrid.

struct HybridSide {
  std::unique_ptr<strata::Database> db;
  std::vector<std::vector<float>> queries;  // Query vectors.
  std::unique_ptr<hnswlib::InnerProductSpace> space;
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> hnsw;
  double load_seconds = 0;
  double hnsw_build_seconds = 0;
  std::string error;
};

std::unique_ptr<HybridSide> BuildHybrid(const Corpus& c) {
  auto h = std::make_unique<HybridSide>();
  try {
    const size_t n = c.texts.size();
    // The query vectors are the last points of one draw: the same
    // distribution as the stored ones.
    std::vector<std::vector<float>> vectors = strata::bench::SyntheticClustered(
        n + c.queries.size(), kHybridDimension, kHybridClusters, kSyntheticSeed);
    for (auto& v : vectors) strata::bench::Normalize(v);
    h->queries.assign(vectors.end() - static_cast<std::ptrdiff_t>(c.queries.size()), vectors.end());
    vectors.resize(n);

    strata::Options options;
    options.search.index_all_runs = true;
    auto db = strata::Database::OpenInMemory(options);
    if (!db.ok()) {
      h->error = absl::StrCat("OpenInMemory: ", db.status().ToString());
      return h;
    }
    h->db = *std::move(db);
    strata::CollectionSpec spec;
    spec.name = kCollection;
    spec.dimension = static_cast<uint32_t>(kHybridDimension);
    spec.metric = strata::VectorMetric::kCosine;
    spec.index.m = kM;
    spec.index.ef_construction = kEfConstruction;
    spec.index.ef_search = kEfSearch;
    if (auto r = h->db->CreateCollection(strata::kDefaultRun, spec); !r.ok()) {
      h->error = absl::StrCat("CreateCollection: ", r.status().ToString());
      return h;
    }
    const auto start = Clock::now();
    for (size_t begin = 0; begin < n; begin += kVectorBatch) {
      const size_t end = std::min(n, begin + kVectorBatch);
      std::vector<strata::VectorItem> items;
      items.reserve(end - begin);
      for (size_t i = begin; i < end; ++i) {
        items.push_back(strata::VectorItem{
            std::to_string(c.numbers[i]), vectors[i],
            strata::Value(strata::Value::Object{{"text", strata::Value(c.texts[i])}})});
      }
      if (auto r = h->db->VectorUpsertBatch(strata::kDefaultRun, kCollection, std::move(items));
          !r.ok()) {
        h->error = absl::StrCat("VectorUpsertBatch at #", begin, ": ", r.status().ToString());
        return h;
      }
    }
    h->load_seconds = SecondsSince(start);

    // The anchor: hnswlib on the same (normalized) vectors; cosine is the
    // inner product of normalized vectors.
    h->space = std::make_unique<hnswlib::InnerProductSpace>(kHybridDimension);
    const auto hnsw_start = Clock::now();
    h->hnsw = std::make_unique<hnswlib::HierarchicalNSW<float>>(h->space.get(), n, kM,
                                                                kEfConstruction);
    for (size_t i = 0; i < n; ++i) h->hnsw->addPoint(vectors[i].data(), i);
    h->hnsw->setEf(kEfSearch);
    h->hnsw_build_seconds = SecondsSince(hnsw_start);
  } catch (const std::exception& e) {
    h->error = e.what();
  }
  return h;
}

HybridSide* GetHybrid(benchmark::State& state, const Corpus& c) {
  static std::unique_ptr<HybridSide> side;
  return strata::bench::LazyBuild(state, side, [&] { return BuildHybrid(c); });
}

void BM_StrataHybridSearch(benchmark::State& state, int id) {
  const Corpus* c = GetCorpus(state, id);
  if (c == nullptr) return;
  HybridSide* h = GetHybrid(state, *c);
  if (h == nullptr) return;
  const size_t nq = c->queries.size();
  std::vector<strata::SearchRequest> hybrid(nq);
  std::vector<strata::SearchRequest> vector_only(nq);
  for (size_t q = 0; q < nq; ++q) {
    for (auto* req : {&hybrid[q], &vector_only[q]}) {
      req->query_vector = h->queries[q];
      req->vector_collection = kCollection;
      req->k = kK;
      req->filter.primitives = {strata::Primitive::kVector};
    }
    hybrid[q].query = c->queries[q];
    hybrid[q].mode = strata::SearchMode::kHybrid;
    vector_only[q].mode = strata::SearchMode::kVector;
  }
  for (size_t q = 0; q < std::min(nq, kWarmupQueries); ++q) {
    for (const auto* req : {&hybrid[q], &vector_only[q]}) {
      if (auto r = h->db->Search(*req); !r.ok()) {
        state.SkipWithError(absl::StrCat("Strata Search: ", r.status().ToString()).c_str());
        return;
      }
    }
    benchmark::DoNotOptimize(h->hnsw->searchKnn(h->queries[q].data(), kK));
  }

  std::vector<double> hybrid_us;
  std::string error;
  size_t i = 0;
  for (auto _ : state) {
    const auto start = Clock::now();
    auto r = h->db->Search(hybrid[i++ % nq]);
    const double seconds = SecondsSince(start);
    if (!r.ok()) {
      error = absl::StrCat("Strata Search: ", r.status().ToString());
      state.SkipWithError(error.c_str());
      break;
    }
    state.SetIterationTime(seconds);
    hybrid_us.push_back(seconds * 1e6);
  }
  if (!error.empty()) return;

  // The vector part alone, through Search and through raw hnswlib, the same
  // number of queries each, right after.
  std::vector<double> vector_us;
  std::vector<double> hnsw_us;
  for (size_t j = 0; j < hybrid_us.size(); ++j) {
    const size_t q = j % nq;
    auto start = Clock::now();
    auto r = h->db->Search(vector_only[q]);
    vector_us.push_back(SecondsSince(start) * 1e6);
    if (!r.ok()) {
      state.SkipWithError(absl::StrCat("Strata Search (vector): ", r.status().ToString()).c_str());
      return;
    }
    start = Clock::now();
    auto result = h->hnsw->searchKnn(h->queries[q].data(), kK);
    hnsw_us.push_back(SecondsSince(start) * 1e6);
    benchmark::DoNotOptimize(result);
  }

  const LatencySummary hyb = Summarize(std::move(hybrid_us));
  const LatencySummary vec = Summarize(std::move(vector_us));
  const LatencySummary raw = Summarize(std::move(hnsw_us));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["docs"] = static_cast<double>(c->texts.size());
  state.counters["queries"] = static_cast<double>(nq);
  state.counters["p50_us"] = hyb.p50_us;
  state.counters["p99_us"] = hyb.p99_us;
  state.counters["mean_us"] = hyb.mean_us;
  state.counters["p50_target_us"] = kHybridP50TargetUs;
  state.counters["vector_p50_us"] = vec.p50_us;
  state.counters["vector_p99_us"] = vec.p99_us;
  state.counters["hnswlib_p50_us"] = raw.p50_us;
  state.counters["hnswlib_p99_us"] = raw.p99_us;
  state.counters["vector_p50_over_hnswlib"] = Ratio(vec.p50_us, raw.p50_us);
  state.counters["hybrid_p50_over_hnswlib"] = Ratio(hyb.p50_us, raw.p50_us);
  state.counters["load_s"] = h->load_seconds;
  state.counters["hnswlib_build_s"] = h->hnsw_build_seconds;
}

void RegisterAll() {
  // Registration order is the run order. Cranfield first (small); then the
  // synthetic set, whose insert benchmarks build (and time) the databases
  // the search benchmarks use.
  benchmark::RegisterBenchmark("BM_SearchQuality_Cranfield", BM_SearchQuality, kCranfield)
      ->Iterations(1)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_StrataKeywordSearch_Cranfield", BM_StrataKeywordSearch,
                               kCranfield)
      ->Iterations(static_cast<int64_t>(kCranfieldQueries * kCranfieldRounds))
      ->UseManualTime()
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("BM_Fts5Insert_Synthetic", BM_Fts5Insert, kSynthetic)
      ->Iterations(1)
      ->UseManualTime()
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_StrataIndexedPut_Synthetic", BM_StrataIndexedPut, kSynthetic)
      ->Iterations(1)
      ->UseManualTime()
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_StrataUnindexedPut_Synthetic", BM_StrataUnindexedPut,
                               kSynthetic)
      ->Iterations(1)
      ->UseManualTime()
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_StrataKeywordSearch_Synthetic", BM_StrataKeywordSearch,
                               kSynthetic)
      ->Iterations(static_cast<int64_t>(kSyntheticQueries))
      ->UseManualTime()
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("BM_StrataHybridSearch_Synthetic", BM_StrataHybridSearch,
                               kSynthetic)
      ->Iterations(static_cast<int64_t>(kSyntheticQueries))
      ->UseManualTime()
      ->Unit(benchmark::kMicrosecond);
}

}  // namespace

int main(int argc, char** argv) {
  // Fail up front, with the reason, when this SQLite lacks FTS5 or the
  // tokenizer cannot be made: every comparison here needs both.
  {
    std::string error;
    sqlite3* db = nullptr;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK) error = "sqlite3_open(:memory:) failed";
    if (error.empty()) Fts5Api(db, &error);
    sqlite3_close(db);
    if (error.empty()) SharedTokenizer(&error);
    if (!error.empty()) {
      std::fprintf(stderr, "search_bench: %s\n", error.c_str());
      return 1;
    }
  }
  RegisterAll();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  std::string error;
  const size_t n = SyntheticN(&error);
  benchmark::AddCustomContext("strata_data_dir", strata::bench::DataDir());
  benchmark::AddCustomContext("sqlite_version", sqlite3_libversion());
  benchmark::AddCustomContext(
      "synthetic_set",
      error.empty()
          ? absl::StrCat(n, " docs of ", kMinDocWords, "..", kMaxDocWords, " words, Zipf(s=",
                         kZipfExponent, ") over ", kVocabularySize, " words, ", kSyntheticQueries,
                         " queries of ", kQueryWords, " words, seed ", kSyntheticSeed)
          : error);
  const strata::SearchOptions defaults;
  benchmark::AddCustomContext(
      "tokenizer", absl::StrCat("stop_words=", defaults.stop_words ? "true" : "false",
                                " stemmer=", defaults.stemmer));
  benchmark::AddCustomContext(
      "hybrid", absl::StrCat("dim=", kHybridDimension, " clusters=", kHybridClusters,
                             " M=", kM, " ef_construction=", kEfConstruction,
                             " ef_search=", kEfSearch, " k=", kK));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
