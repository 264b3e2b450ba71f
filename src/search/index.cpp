// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
#include "search/index.hpp"

#include <algorithm>
#include <cmath>

namespace strata::search {

namespace {

// Rewriting the postings pays off once this many documents were removed
// and they outnumber the live ones.
constexpr uint64_t kMinCompact = 1024;

absl::string_view Asv(std::string_view s) { return absl::string_view(s.data(), s.size()); }

}  // namespace

void CountTerms(const Tokenizer& tokenizer, std::string_view text, DocTerms* out) {
  out->length = 0;
  out->counts.clear();
  std::vector<std::string> terms;
  tokenizer.Tokenize(text, [&](std::string_view t) { terms.emplace_back(t); });
  out->length = static_cast<uint32_t>(std::min<size_t>(terms.size(), UINT32_MAX));
  std::sort(terms.begin(), terms.end());
  for (size_t i = 0; i < terms.size();) {
    size_t j = i + 1;
    while (j < terms.size() && terms[j] == terms[i]) ++j;
    out->counts.emplace_back(std::move(terms[i]), static_cast<uint32_t>(j - i));
    i = j;
  }
}

double Bm25Idf(uint64_t docs, uint64_t doc_freq) {
  const double n = static_cast<double>(docs);
  const double df = static_cast<double>(doc_freq);
  return std::log(1.0 + (n - df + 0.5) / (df + 0.5));
}

double Bm25TermScore(double weight, uint32_t tf, uint32_t doc_length, double avgdl,
                     double k1, double b) {
  const double f = static_cast<double>(tf);
  const double norm = avgdl > 0 ? static_cast<double>(doc_length) / avgdl : 0.0;
  return weight * f * (k1 + 1.0) / (f + k1 * (1.0 - b + b * norm));
}

void InvertedIndex::AddDelta(Version version, int64_t docs, int64_t length) {
  auto& d = deltas_[version];
  d.first += docs;
  d.second += length;
  if (d.first == 0 && d.second == 0) deltas_.erase(version);
}

void InvertedIndex::SetSuperseded(uint32_t doc, Version superseded) {
  Doc& d = docs_[doc];
  if (d.superseded == superseded) return;
  const auto len = static_cast<int64_t>(d.length);
  if (d.superseded != kLive) {
    AddDelta(d.superseded, 1, len);
    for (auto& s : superseded_) {
      if (s.second == doc) s.first = superseded;
    }
  } else {
    --live_;
    superseded_.emplace_back(superseded, doc);
  }
  AddDelta(superseded, -1, -len);
  d.superseded = superseded;
}

void InvertedIndex::Apply(std::string_view key, Version version, TimestampMicros timestamp_us,
                          const DocTerms* terms) {
  absl::MutexLock lock(&mu_);
  KeyWrites& writes = keys_[Asv(key)];
  const util::WritePlace place = util::PlaceWrite(writes, version, kLive);
  if (place.seen) return;
  auto pos = place.pos;
  const Version next = place.next;
  uint32_t id = kDeleteMark;
  if (terms != nullptr) {
    id = static_cast<uint32_t>(docs_.size());
    Doc d;
    d.key = std::string(key);
    d.created = version;
    d.timestamp_us = timestamp_us;
    d.length = terms->length;
    docs_.push_back(std::move(d));
    for (const auto& [term, tf] : terms->counts) {
      auto [it, inserted] =
          term_ids_.try_emplace(Asv(term), static_cast<uint32_t>(postings_.size()));
      if (inserted) postings_.emplace_back();
      postings_[it->second].push_back(Posting{id, tf});
    }
    ++live_;
    AddDelta(version, 1, static_cast<int64_t>(terms->length));
    if (next != kLive) SetSuperseded(id, next);
  }
  pos = writes.insert(pos, {version, id});
  if (pos != writes.begin()) {
    const uint32_t prev = std::prev(pos)->second;
    if (prev != kDeleteMark) SetSuperseded(prev, version);
  }
}

void InvertedIndex::Collect(Version horizon) {
  absl::MutexLock lock(&mu_);
  // Fold statistics no snapshot can ask about into the base.
  while (!deltas_.empty() && deltas_.begin()->first <= horizon) {
    base_.docs += static_cast<uint64_t>(deltas_.begin()->second.first);
    base_.total_length += static_cast<uint64_t>(deltas_.begin()->second.second);
    deltas_.erase(deltas_.begin());
  }
  if (superseded_.empty()) return;
  auto keep = std::partition(superseded_.begin(), superseded_.end(),
                             [&](const auto& s) { return s.first > horizon; });
  std::vector<std::string> touched;
  for (auto it = keep; it != superseded_.end(); ++it) {
    Doc& d = docs_[it->second];
    if (d.removed) continue;
    d.removed = true;
    ++removed_;
    touched.push_back(d.key);
  }
  superseded_.erase(keep, superseded_.end());
  util::TrimKeyWrites(keys_, touched, horizon);
  if (removed_ >= kMinCompact && removed_ > docs_.size() - removed_) CompactLocked();
}

void InvertedIndex::CompactLocked() {
  std::vector<uint32_t> remap(docs_.size(), kDeleteMark);
  std::vector<Doc> kept;
  kept.reserve(docs_.size() - removed_);
  for (uint32_t i = 0; i < docs_.size(); ++i) {
    if (docs_[i].removed) continue;
    remap[i] = static_cast<uint32_t>(kept.size());
    kept.push_back(std::move(docs_[i]));
  }
  docs_ = std::move(kept);
  removed_ = 0;
  // Terms whose postings all went are dropped, and ids renumbered.
  absl::flat_hash_map<std::string, uint32_t> term_ids;
  std::vector<std::vector<Posting>> postings;
  for (auto& [term, old_id] : term_ids_) {
    std::vector<Posting> list;
    for (const Posting& p : postings_[old_id]) {
      if (remap[p.doc] != kDeleteMark) list.push_back(Posting{remap[p.doc], p.tf});
    }
    if (list.empty()) continue;
    term_ids.emplace(term, static_cast<uint32_t>(postings.size()));
    postings.push_back(std::move(list));
  }
  term_ids_ = std::move(term_ids);
  postings_ = std::move(postings);
  for (auto& [key, writes] : keys_) {
    for (auto& w : writes) {
      if (w.second != kDeleteMark) w.second = remap[w.second];
    }
  }
  for (auto& s : superseded_) s.second = remap[s.second];
}

CorpusStats InvertedIndex::StatsAt(Version snapshot) const {
  absl::ReaderMutexLock lock(&mu_);
  int64_t docs = static_cast<int64_t>(base_.docs);
  int64_t length = static_cast<int64_t>(base_.total_length);
  for (auto it = deltas_.begin(); it != deltas_.end() && it->first <= snapshot; ++it) {
    docs += it->second.first;
    length += it->second.second;
  }
  return CorpusStats{static_cast<uint64_t>(std::max<int64_t>(docs, 0)),
                     static_cast<uint64_t>(std::max<int64_t>(length, 0))};
}

uint64_t InvertedIndex::DocFreq(std::string_view term, Version snapshot,
                                uint64_t* postings_read) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = term_ids_.find(Asv(term));
  if (it == term_ids_.end()) return 0;
  const std::vector<Posting>& list = postings_[it->second];
  const Doc* docs = docs_.data();
  uint64_t n = 0;
  for (const Posting& p : list) n += Visible(docs[p.doc], snapshot) ? 1 : 0;
  *postings_read += list.size();
  return n;
}

std::vector<IndexHit> InvertedIndex::Score(const std::vector<std::string>& terms,
                                           const std::vector<double>& weights,
                                           Version snapshot, double avgdl, double k1, double b,
                                           size_t limit, KeepFn keep, uint64_t* matched,
                                           uint64_t* postings_read) const {
  absl::ReaderMutexLock lock(&mu_);
  const Doc* docs = docs_.data();
  // Term at a time into a dense accumulator; `touched` lists the documents
  // with a score, in first-touch order.
  thread_local std::vector<double> acc;
  thread_local std::vector<uint32_t> touched;
  acc.assign(docs_.size(), 0.0);
  touched.clear();
  for (size_t t = 0; t < terms.size(); ++t) {
    auto it = term_ids_.find(Asv(terms[t]));
    if (it == term_ids_.end()) continue;
    const std::vector<Posting>& list = postings_[it->second];
    *postings_read += list.size();
    for (const Posting& p : list) {
      const Doc& d = docs[p.doc];
      if (!Visible(d, snapshot)) continue;
      const double s = Bm25TermScore(weights[t], p.tf, d.length, avgdl, k1, b);
      if (acc[p.doc] == 0.0) touched.push_back(p.doc);
      // A term's score is positive, so a touched document never returns to 0.
      acc[p.doc] += s;
    }
  }
  struct Cand {
    double score;
    uint32_t doc;
  };
  std::vector<Cand> cands;
  cands.reserve(touched.size());
  for (uint32_t doc : touched) {
    if (keep(docs[doc].created, docs[doc].timestamp_us)) cands.push_back(Cand{acc[doc], doc});
  }
  *matched = cands.size();
  auto better = [docs](const Cand& a, const Cand& b) {
    if (a.score != b.score) return a.score > b.score;
    return docs[a.doc].key < docs[b.doc].key;
  };
  const size_t n = std::min(limit, cands.size());
  std::partial_sort(cands.begin(), cands.begin() + static_cast<ptrdiff_t>(n), cands.end(),
                    better);
  std::vector<IndexHit> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const Doc& d = docs[cands[i].doc];
    out.push_back(IndexHit{cands[i].score, d.key, d.created, d.timestamp_us});
  }
  return out;
}

uint64_t InvertedIndex::live_docs() const {
  absl::ReaderMutexLock lock(&mu_);
  return live_;
}

uint64_t InvertedIndex::doc_slots() const {
  absl::ReaderMutexLock lock(&mu_);
  return docs_.size();
}

}  // namespace strata::search
