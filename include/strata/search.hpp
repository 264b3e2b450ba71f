// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// The value types of search: one request and one response shape for keyword
// (BM25), vector and hybrid search over every primitive. The operation is
// Database::Search / Transaction::Search (strata/database.hpp); what text
// each primitive contributes, the tokenizer, the index and the planner are
// described in docs/search.md.
//
// Thread safety: plain value types.
#ifndef STRATA_SEARCH_HPP_
#define STRATA_SEARCH_HPP_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "strata/export.hpp"
#include "strata/types.hpp"
#include "strata/value.hpp"

namespace strata {

// --- Limits (see docs/search.md).
inline constexpr size_t kMaxSearchQueryBytes = 64 << 10;
inline constexpr uint32_t kMaxSearchQueryTerms = 1024;
inline constexpr uint32_t kMaxSearchHits = 10000;
inline constexpr size_t kMaxSearchRuns = 4096;
inline constexpr size_t kMaxSearchMetadataFilters = 64;
// Reciprocal Rank Fusion constant: a hit at rank r (from 1) of a list adds
// 1 / (kRrfK + r) to its fused score.
inline constexpr double kRrfK = 60;

enum class SearchMode : uint8_t {
  kKeyword = 1,  // BM25 over extracted text; needs `query`.
  kVector = 2,   // Similarity over vector collections; needs `query_vector`.
  kHybrid = 3,   // Both, fused; needs both.
};

// "keyword", "vector", "hybrid".
STRATA_EXPORT std::string_view SearchModeName(SearchMode mode);
STRATA_EXPORT std::optional<SearchMode> SearchModeFromName(std::string_view name);

// What a hit must satisfy. Every condition is optional; all given ones must
// hold.
struct SearchFilter {
  // Primitives searched; empty means all seven. Keyword search covers every
  // primitive; vector search only kVector.
  std::vector<Primitive> primitives;
  // Runs searched (each a valid run id, at most kMaxSearchRuns, no
  // duplicates); empty means every run.
  std::vector<RunId> runs;
  // The commit time of the entity's current version is in [from_us, to_us).
  std::optional<TimestampMicros> from_us;
  std::optional<TimestampMicros> to_us;
  // Each (field, value) pair must equal the member `field` of the entity's
  // metadata object (see docs/search.md for what that object is per
  // primitive). Values are null, bool, number or string; numbers compare by
  // value (1 == 1.0).
  std::vector<std::pair<std::string, Value>> metadata;
};

// Limits on the work one search does. When one is reached the search stops
// and returns the best hits found so far with `truncated` set.
struct SearchBudget {
  uint64_t max_time_us = 0;     // 0: no limit.
  uint64_t max_candidates = 0;  // Entities scored (postings, scanned entities
                                // and vectors compared); 0: no limit.
};

struct SearchRequest {
  std::string query;               // Keyword/hybrid: at least one term.
  std::vector<float> query_vector;  // Vector/hybrid.
  // Vector/hybrid: the collection searched in each selected run (runs
  // without it are skipped; NotFound if no selected run has it); empty
  // means every collection whose dimension is the query's.
  std::string vector_collection;
  uint32_t k = 10;  // 1..kMaxSearchHits
  SearchMode mode = SearchMode::kKeyword;
  SearchFilter filter;
  SearchBudget budget;
  // BM25 parameters: k1 in [0, 10], b in [0, 1].
  double bm25_k1 = 1.2;
  double bm25_b = 0.75;
};

// Where a hit ranked in one of the fused lists: `list` names it
// ("keyword:<primitive>" or "vector:<run>/<collection>"), `rank` is from 1
// and `score` is the list's own score (BM25, or the vector similarity).
struct SearchListRank {
  std::string list;
  uint32_t rank = 0;
  double score = 0;
};

struct SearchHit {
  EntityRef ref;       // The entity; Database::Get(ref) reads it.
  double score = 0;    // Fused RRF score: sum of 1 / (kRrfK + rank).
  std::vector<SearchListRank> ranks;  // The lists it was in, by list name.
  Version version = 0;                // The version of the entity matched.
  TimestampMicros timestamp_us = 0;   // Its commit time.
};

struct SearchStats {
  uint64_t candidates = 0;  // Counted as in SearchBudget::max_candidates.
  uint64_t elapsed_us = 0;
  uint32_t lists = 0;       // Ranked lists fused.
  // How each part was answered: "bm25-index:<primitive>/<run>",
  // "bm25-scan:<primitive>/<run>", "hnsw:<run>/<collection>",
  // "exact:<run>/<collection>".
  std::vector<std::string> indexes_used;
};

// Hits by descending fused score; equal scores by ascending ref text.
struct SearchResponse {
  std::vector<SearchHit> hits;
  bool truncated = false;  // A budget stopped the search early.
  SearchStats stats;
};

// The keyword index (Options::search). Indexed (primitive, run) namespaces
// are updated at every commit and rebuilt from the data at open; the others
// are searched by scanning. Both give the same results.
struct SearchOptions {
  bool index_all_runs = false;    // Index every run ...
  std::vector<RunId> index_runs;  // ... or only these.
  // The tokenizer (docs/search.md): English stop words, and a Snowball
  // stemmer by libstemmer name ("english", "porter", ...; "" for none).
  bool stop_words = true;
  std::string stemmer = "english";
};

}  // namespace strata

#endif  // STRATA_SEARCH_HPP_
