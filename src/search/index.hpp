// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// InvertedIndex: the BM25 keyword index of one (primitive, run) namespace.
//
// Every version of every indexed entity is a document with the version
// range in which it is current: [created, superseded). Writes may arrive in
// any version order (commits are applied by concurrent committing threads
// before they become visible), so a write that lands between two known
// writes of a key splices into that key's version list. A reader at
// snapshot S sees exactly the documents with created <= S < superseded,
// and the corpus statistics (document count and total length) at S, kept
// as deltas by version. So a search reads the index at its snapshot and
// gets what a scan of the store at that snapshot would give.
//
// Documents no snapshot can see any more (superseded at or below the
// oldest pinned snapshot) are dropped by Collect; once they outnumber the
// live ones the postings are rewritten without them.
//
// Thread safety: thread-safe. Writers take the index's lock exclusively,
// readers shared.
#ifndef STRATA_SEARCH_INDEX_HPP_
#define STRATA_SEARCH_INDEX_HPP_

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/synchronization/mutex.h"
#include "search/tokenizer.hpp"
#include "strata/types.hpp"
#include "util/key_writes.hpp"

namespace strata::search {

// The terms of one document: its length in terms and each distinct term
// with its count, sorted by term.
struct DocTerms {
  uint32_t length = 0;
  std::vector<std::pair<std::string, uint32_t>> counts;
};
void CountTerms(const Tokenizer& tokenizer, std::string_view text, DocTerms* out);

// BM25 term weight of a document (Robertson/Sparck Jones with Lucene's
// non-negative idf): idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl)).
// Both the index and the scan path score through these, so they agree to
// the bit.
double Bm25Idf(uint64_t docs, uint64_t doc_freq);
double Bm25TermScore(double weight, uint32_t tf, uint32_t doc_length, double avgdl,
                     double k1, double b);

struct CorpusStats {
  uint64_t docs = 0;
  uint64_t total_length = 0;
};

// A scored document of one index.
struct IndexHit {
  double score = 0;
  std::string key;  // The entity's key within the namespace.
  Version version = 0;
  TimestampMicros timestamp_us = 0;
};

class InvertedIndex {
 public:
  static constexpr Version kLive = std::numeric_limits<Version>::max();

  InvertedIndex() = default;
  InvertedIndex(const InvertedIndex&) = delete;
  InvertedIndex& operator=(const InvertedIndex&) = delete;

  // A write of `key` at `version` (committed at `timestamp_us`): a new
  // document with `terms`, or, with null `terms`, a delete (or a value that
  // has no text). A (key, version) already applied is ignored.
  void Apply(std::string_view key, Version version, TimestampMicros timestamp_us,
             const DocTerms* terms);
  // Drops documents superseded at or below `horizon`.
  void Collect(Version horizon);

  CorpusStats StatsAt(Version snapshot) const;
  // Documents visible at `snapshot` that contain `term`; adds the postings
  // read to `*postings_read`.
  uint64_t DocFreq(std::string_view term, Version snapshot, uint64_t* postings_read) const;

  // Scores every document visible at `snapshot` that holds at least one of
  // `terms` (term i weighted by weights[i]; BM25 with `avgdl`, k1, b) and
  // returns those passing `keep` (given version and timestamp), best first
  // (equal scores by key), at most `limit` of them. Sets `*matched` to the
  // number of documents that passed `keep` and adds the postings read to
  // `*postings_read`.
  using KeepFn = absl::FunctionRef<bool(Version, TimestampMicros)>;
  std::vector<IndexHit> Score(const std::vector<std::string>& terms,
                              const std::vector<double>& weights, Version snapshot,
                              double avgdl, double k1, double b, size_t limit, KeepFn keep,
                              uint64_t* matched, uint64_t* postings_read) const;

  // Live documents (for tests and stats).
  uint64_t live_docs() const;
  uint64_t doc_slots() const;

 private:
  struct Doc {
    std::string key;
    Version created = 0;
    Version superseded = kLive;
    TimestampMicros timestamp_us = 0;
    uint32_t length = 0;
    bool removed = false;
  };
  struct Posting {
    uint32_t doc;
    uint32_t tf;
  };
  static constexpr uint32_t kDeleteMark = util::kDeletedSlot;
  // Writes of one key by version: (version, doc or kDeleteMark).
  using KeyWrites = util::KeyWrites;

  static bool Visible(const Doc& d, Version snapshot) {
    return !d.removed && d.created <= snapshot && snapshot < d.superseded;
  }
  void AddDelta(Version version, int64_t docs, int64_t length)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SetSuperseded(uint32_t doc, Version superseded) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void CompactLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::vector<Doc> docs_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, uint32_t> term_ids_ ABSL_GUARDED_BY(mu_);
  std::vector<std::vector<Posting>> postings_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, KeyWrites> keys_ ABSL_GUARDED_BY(mu_);
  // Corpus statistics: `base_` folds every delta at or below the last
  // collected horizon; `deltas_` holds the newer ones by version.
  CorpusStats base_ ABSL_GUARDED_BY(mu_);
  std::map<Version, std::pair<int64_t, int64_t>> deltas_ ABSL_GUARDED_BY(mu_);
  // Documents that are superseded and not yet removed: (superseded, doc).
  std::vector<std::pair<Version, uint32_t>> superseded_ ABSL_GUARDED_BY(mu_);
  uint64_t live_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t removed_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace strata::search

#endif  // STRATA_SEARCH_INDEX_HPP_
