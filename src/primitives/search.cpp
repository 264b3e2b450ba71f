// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
#include "primitives/search.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>

#include "absl/strings/str_cat.h"
#include "primitives/common.hpp"
#include "primitives/event.hpp"
#include "primitives/json.hpp"
#include "primitives/run.hpp"
#include "primitives/trace.hpp"
#include "primitives/vector.hpp"
#include "storage/store_key.hpp"
#include "strata/status.hpp"
#include "strata/vector.hpp"
#include "util/status_macros.hpp"
#include "util/strings.hpp"
#include "vector/record.hpp"

namespace strata::primitives {

namespace {

using util::Sv;

constexpr Primitive kAllPrimitives[] = {Primitive::kKv,    Primitive::kEvent, Primitive::kState,
                                        Primitive::kTrace, Primitive::kRun,   Primitive::kJson,
                                        Primitive::kVector};
// Each ranked list holds this many hits (or k, if larger) before fusion, so
// that an entity ranked just below k in several lists can still make the
// fused top k.
constexpr size_t kMinListDepth = 50;
// Collect superseded documents after this many applied writes.
constexpr uint64_t kCollectEvery = 4096;

// Appends the text of a value: string leaves and object member names.
void AppendValueText(const Value& v, std::string* out) {
  if (v.is_string()) {
    out->append(v.AsString());
    out->push_back('\n');
  } else if (v.is_array()) {
    for (const Value& e : v.AsArray()) AppendValueText(e, out);
  } else if (v.is_object()) {
    for (const auto& [name, member] : v.AsObject()) {
      out->append(name);
      out->push_back('\n');
      AppendValueText(member, out);
    }
  }
}

void AppendText(std::string_view s, std::string* out) {
  out->append(s);
  out->push_back('\n');
}

Value ObjectOrNull(Value v) { return v.is_object() ? std::move(v) : Value(); }

// Key ranges of a namespace that hold entities.
struct KeyRange {
  std::string start;
  std::string end;
};
KeyRange EntityRange(Primitive p, std::string_view run) {
  const std::string ns = storage::NamespacePrefix(p, run);
  switch (p) {
    case Primitive::kEvent:
      return {ns + "e", ns + "f"};
    case Primitive::kTrace:
      return {ns + "s", ns + "t"};
    case Primitive::kVector:
      return {ns + std::string(1, '\1'), storage::PrefixSuccessor(ns)};
    case Primitive::kRun:
      return {ns, ns + std::string(1, '\0')};
    default:
      return {ns, storage::PrefixSuccessor(ns)};
  }
}

bool IsNumber(const Value& v) { return v.is_int() || v.is_double(); }
double NumberOf(const Value& v) {
  return v.is_int() ? static_cast<double>(v.AsInt()) : v.AsDouble();
}

bool ScalarEquals(const Value& a, const Value& b) {
  if (IsNumber(a) && IsNumber(b)) {
    if (a.is_int() && b.is_int()) return a.AsInt() == b.AsInt();
    return NumberOf(a) == NumberOf(b);
  }
  return a == b;
}

bool MetadataMatches(const Value& metadata,
                     const std::vector<std::pair<std::string, Value>>& wanted) {
  if (wanted.empty()) return true;
  if (!metadata.is_object()) return false;
  const Value::Object& obj = metadata.AsObject();
  for (const auto& [field, value] : wanted) {
    auto it = obj.find(field);
    if (it == obj.end() || !ScalarEquals(it->second, value)) return false;
  }
  return true;
}

absl::Status Invalid(std::string message) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

// A budget and the work counted against it.
class Budget {
 public:
  explicit Budget(const SearchBudget& b)
      : max_candidates_(b.max_candidates),
        start_(std::chrono::steady_clock::now()),
        max_time_(std::chrono::microseconds(b.max_time_us)),
        timed_(b.max_time_us > 0) {}

  void Add(uint64_t n) { candidates_ += n; }
  // True (and truncated) once a limit is reached.
  bool Exhausted() {
    if (truncated_) return true;
    if (max_candidates_ > 0 && candidates_ >= max_candidates_) truncated_ = true;
    if (timed_ && std::chrono::steady_clock::now() - start_ >= max_time_) truncated_ = true;
    return truncated_;
  }
  bool truncated() const { return truncated_; }
  uint64_t candidates() const { return candidates_; }
  uint64_t elapsed_us() const {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                     std::chrono::steady_clock::now() - start_)
                                     .count());
  }

 private:
  const uint64_t max_candidates_;
  const std::chrono::steady_clock::time_point start_;
  const std::chrono::microseconds max_time_;
  const bool timed_;
  uint64_t candidates_ = 0;
  bool truncated_ = false;
};

// The address of the entity stored under `key` of the (p, run) namespace.
// REQUIRES: IsEntityKey(p, key).
EntityRef EntityRefOf(Primitive p, std::string_view run, std::string_view key) {
  EntityRef ref{std::string(run), p, std::string(key), {}, {}};
  switch (p) {
    case Primitive::kEvent:
      ref.key.clear();
      ref.seq = ReadBigEndian64(key.data() + 1);
      break;
    case Primitive::kTrace:
      ref.key = absl::StrCat(ReadBigEndian64(key.data() + 1));
      break;
    case Primitive::kRun:
      ref.key.clear();
      break;
    case Primitive::kVector: {
      bool is_definition = false;
      std::string_view collection, vkey;
      vector::SplitKey(key, &is_definition, &collection, &vkey);
      ref.key = absl::StrCat(Sv(collection), "/", Sv(vkey));
      break;
    }
    default:
      break;
  }
  return ref;
}

// One entry of a ranked list before fusion.
struct ListHit {
  double score = 0;
  std::string run;
  std::string key;  // Within the namespace.
  EntityRef ref;
  Version version = 0;
  TimestampMicros timestamp_us = 0;
};

bool ListOrder(const ListHit& a, const ListHit& b) {
  if (a.score != b.score) return a.score > b.score;
  if (a.run != b.run) return a.run < b.run;
  return a.key < b.key;
}

struct RankedList {
  std::string name;
  std::vector<ListHit> hits;
};

// The request after validation.
struct Plan {
  std::vector<Primitive> primitives;
  std::vector<std::string> runs;
  std::vector<std::string> terms;  // Distinct, in first-occurrence order.
  std::vector<double> qtf;         // Occurrences of each in the query.
  size_t depth = 0;
};

absl::Status ValidateRequest(const SearchRequest& r) {
  if (r.mode != SearchMode::kKeyword && r.mode != SearchMode::kVector &&
      r.mode != SearchMode::kHybrid) {
    return Invalid(absl::StrCat("unknown search mode ", static_cast<int>(r.mode)));
  }
  if (r.k == 0 || r.k > kMaxSearchHits) {
    return Invalid(absl::StrCat("k must be in 1..", kMaxSearchHits, ", got ", r.k));
  }
  const bool keyword = r.mode != SearchMode::kVector;
  const bool vector = r.mode != SearchMode::kKeyword;
  if (keyword && r.query.empty()) {
    return Invalid(absl::StrCat(Sv(SearchModeName(r.mode)), " search needs query text"));
  }
  if (r.query.size() > kMaxSearchQueryBytes) {
    return Invalid(absl::StrCat("query is ", r.query.size(), " bytes; the limit is ",
                                kMaxSearchQueryBytes));
  }
  if (vector) {
    if (r.query_vector.empty()) {
      return Invalid(absl::StrCat(Sv(SearchModeName(r.mode)), " search needs a query vector"));
    }
    if (r.query_vector.size() > kMaxVectorDimension) {
      return Invalid(absl::StrCat("query vector has ", r.query_vector.size(),
                                  " components; the limit is ", kMaxVectorDimension));
    }
    for (size_t i = 0; i < r.query_vector.size(); ++i) {
      if (!std::isfinite(r.query_vector[i])) {
        return Invalid(absl::StrCat("query vector component ", i, " is not finite"));
      }
    }
    if (!r.vector_collection.empty()) {
      STRATA_RETURN_IF_ERROR(vector::ValidateCollectionName(r.vector_collection));
    }
  } else if (!r.query_vector.empty() || !r.vector_collection.empty()) {
    return Invalid("keyword search takes no query vector or collection (use hybrid mode)");
  }
  if (!std::isfinite(r.bm25_k1) || r.bm25_k1 < 0 || r.bm25_k1 > 10) {
    return Invalid(absl::StrCat("bm25_k1 must be in [0, 10], got ", r.bm25_k1));
  }
  if (!std::isfinite(r.bm25_b) || r.bm25_b < 0 || r.bm25_b > 1) {
    return Invalid(absl::StrCat("bm25_b must be in [0, 1], got ", r.bm25_b));
  }
  const SearchFilter& f = r.filter;
  for (Primitive p : f.primitives) {
    const auto raw = static_cast<int>(p);
    if (raw < static_cast<int>(Primitive::kKv) || raw > static_cast<int>(Primitive::kVector)) {
      return Invalid(absl::StrCat("unknown primitive ", raw, " in the search filter"));
    }
  }
  if (r.mode == SearchMode::kVector && !f.primitives.empty() &&
      std::find(f.primitives.begin(), f.primitives.end(), Primitive::kVector) ==
          f.primitives.end()) {
    return Invalid("vector search covers only the vector primitive, which the filter excludes");
  }
  if (f.runs.size() > kMaxSearchRuns) {
    return Invalid(absl::StrCat("the filter names ", f.runs.size(), " runs; the limit is ",
                                kMaxSearchRuns));
  }
  for (const RunId& run : f.runs) STRATA_RETURN_IF_ERROR(ValidateRunId(run));
  if (f.from_us.has_value() && f.to_us.has_value() && *f.from_us >= *f.to_us) {
    return Invalid(absl::StrCat("empty time range: from_us ", *f.from_us, " >= to_us ",
                                *f.to_us));
  }
  if (f.metadata.size() > kMaxSearchMetadataFilters) {
    return Invalid(absl::StrCat("the filter has ", f.metadata.size(),
                                " metadata conditions; the limit is ",
                                kMaxSearchMetadataFilters));
  }
  for (const auto& [field, value] : f.metadata) {
    if (field.empty()) return Invalid("a metadata condition needs a field name");
    if (value.is_array() || value.is_object() || value.is_bytes()) {
      return Invalid(absl::StrCat("metadata condition on '", field,
                                  "' must compare with a null, bool, number or string"));
    }
    if (value.is_double() && !std::isfinite(value.AsDouble())) {
      return Invalid(absl::StrCat("metadata condition on '", field, "' is not finite"));
    }
  }
  return absl::OkStatus();
}

bool InTimeRange(const SearchFilter& f, TimestampMicros ts) {
  if (f.from_us.has_value() && ts < *f.from_us) return false;
  if (f.to_us.has_value() && ts >= *f.to_us) return false;
  return true;
}

// Keyword search of one primitive over the plan's runs: one ranked list.
class KeywordSearch {
 public:
  KeywordSearch(OpContext& c, const SearchRequest& r, const Plan& plan, Budget& budget,
                SearchStats& stats)
      : c_(c), r_(r), plan_(plan), budget_(budget), stats_(stats) {}

  absl::StatusOr<RankedList> Run(Primitive p) {
    RankedList list;
    list.name = absl::StrCat("keyword:", Sv(PrimitiveName(p)));
    std::vector<Part> parts;
    const size_t nterms = plan_.terms.size();
    uint64_t docs = 0, length = 0;
    std::vector<uint64_t> df(nterms, 0);
    // Phase 1: statistics pooled over the namespaces; scanned namespaces
    // also keep their matching documents.
    for (const std::string& run : plan_.runs) {
      if (budget_.Exhausted()) break;
      const KeyRange range = EntityRange(p, run);
      Part part;
      part.run = run;
      std::shared_ptr<search::InvertedIndex> index;
      if (c_.search != nullptr) index = c_.search->Find(storage::NamespacePrefix(p, run));
      if (index != nullptr && HasOwnWrites(range)) index = nullptr;
      if (index != nullptr) {
        c_.txn.AddScanRange(range.start, range.end);
        const search::CorpusStats s = index->StatsAt(c_.txn.snapshot());
        docs += s.docs;
        length += s.total_length;
        uint64_t read = 0;
        for (size_t t = 0; t < nterms; ++t) {
          df[t] += index->DocFreq(plan_.terms[t], c_.txn.snapshot(), &read);
        }
        budget_.Add(read);
        part.index = std::move(index);
        stats_.indexes_used.push_back(
            absl::StrCat("bm25-index:", Sv(PrimitiveName(p)), "/", run));
      } else {
        STRATA_RETURN_IF_ERROR(ScanNamespace(p, run, range, &part, &docs, &length, &df));
        stats_.indexes_used.push_back(absl::StrCat("bm25-scan:", Sv(PrimitiveName(p)), "/", run));
      }
      parts.push_back(std::move(part));
    }
    if (docs == 0) return list;
    const double avgdl = static_cast<double>(length) / static_cast<double>(docs);
    std::vector<double> weights(nterms);
    for (size_t t = 0; t < nterms; ++t) {
      weights[t] = plan_.qtf[t] * search::Bm25Idf(docs, df[t]);
    }
    // Phase 2: score.
    std::vector<ListHit> all;
    for (Part& part : parts) {
      if (part.index == nullptr) {
        for (ScanDoc& d : part.docs) {
          double score = 0;
          for (const auto& [t, tf] : d.tfs) {
            score += search::Bm25TermScore(weights[t], tf, d.length, avgdl, r_.bm25_k1,
                                           r_.bm25_b);
          }
          d.hit.score = score;
          all.push_back(std::move(d.hit));
        }
        continue;
      }
      if (budget_.Exhausted()) break;
      STRATA_RETURN_IF_ERROR(ScoreIndex(p, part, weights, avgdl, &all));
    }
    const size_t n = std::min(plan_.depth, all.size());
    std::partial_sort(all.begin(), all.begin() + static_cast<ptrdiff_t>(n), all.end(),
                      ListOrder);
    all.resize(n);
    list.hits = std::move(all);
    return list;
  }

 private:
  struct ScanDoc {
    ListHit hit;
    uint32_t length = 0;
    std::vector<std::pair<size_t, uint32_t>> tfs;  // (term index, count)
  };
  struct Part {
    std::string run;
    std::shared_ptr<search::InvertedIndex> index;
    std::vector<ScanDoc> docs;  // Scanned namespaces: matching documents.
  };

  bool HasOwnWrites(const KeyRange& range) const {
    bool any = false;
    c_.txn.VisitPending(range.start, range.end,
                        [&](std::string_view, bool, const Value&) { any = true; });
    return any;
  }

  // The entity as this transaction sees it: JSON documents written in this
  // transaction live in its working copies.
  absl::Status Resolve(Primitive p, std::string_view run, std::string_view key,
                       const Value& stored, bool with_metadata, ExtractedEntity* out) {
    bool deleted = false;
    if (p == Primitive::kJson &&
        c_.txn.HasPendingWrite(storage::MakeStoreKey(p, run, key), &deleted) && !deleted) {
      STRATA_ASSIGN_OR_RETURN(Versioned<Value> doc, JsonGet(c_, run, key, ""));
      out->ref = EntityRefOf(p, run, key);
      out->text.clear();
      AppendText(key, &out->text);
      AppendValueText(doc.value, &out->text);
      out->metadata = with_metadata ? ObjectOrNull(std::move(doc.value)) : Value();
      return absl::OkStatus();
    }
    return ExtractEntity(p, run, key, stored, with_metadata, out);
  }

  absl::Status ScanNamespace(Primitive p, const std::string& run, const KeyRange& range,
                             Part* part, uint64_t* docs, uint64_t* length,
                             std::vector<uint64_t>* df) {
    const search::Tokenizer& tok = c_.search->tokenizer();
    absl::Status status;
    ExtractedEntity e;
    search::DocTerms terms;
    const bool filtered = !r_.filter.metadata.empty();
    uint64_t seen = 0;
    c_.txn.Scan(range.start, range.end,
                [&](std::string_view store_key, const Versioned<Value>& v) {
                  storage::StoreKeyParts sk;
                  storage::SplitStoreKey(store_key, &sk);
                  if (!IsEntityKey(p, sk.key)) return true;
                  if ((++seen & 255) == 0 && budget_.Exhausted()) return false;
                  budget_.Add(1);
                  if (absl::Status s = Resolve(p, run, sk.key, v.value, filtered, &e); !s.ok()) {
                    // A damaged record has no text; reading it reports the damage.
                    if (s.code() == absl::StatusCode::kDataLoss) return true;
                    status = s;
                    return false;
                  }
                  search::CountTerms(tok, e.text, &terms);
                  ++*docs;
                  *length += terms.length;
                  ScanDoc d;
                  for (size_t t = 0; t < plan_.terms.size(); ++t) {
                    auto it = std::lower_bound(
                        terms.counts.begin(), terms.counts.end(), plan_.terms[t],
                        [](const auto& a, const std::string& b) { return a.first < b; });
                    if (it == terms.counts.end() || it->first != plan_.terms[t]) continue;
                    ++(*df)[t];
                    d.tfs.emplace_back(t, it->second);
                  }
                  if (d.tfs.empty()) return true;
                  if (!InTimeRange(r_.filter, v.timestamp_us)) return true;
                  if (filtered && !MetadataMatches(e.metadata, r_.filter.metadata)) return true;
                  d.length = terms.length;
                  d.hit.run = run;
                  d.hit.key = std::string(sk.key);
                  d.hit.ref = std::move(e.ref);
                  d.hit.version = v.version;
                  d.hit.timestamp_us = v.timestamp_us;
                  part->docs.push_back(std::move(d));
                  return true;
                });
    return status;
  }

  absl::Status ScoreIndex(Primitive p, const Part& part, const std::vector<double>& weights,
                          double avgdl, std::vector<ListHit>* out) {
    const bool filtered = !r_.filter.metadata.empty();
    auto keep = [&](Version, TimestampMicros ts) { return InTimeRange(r_.filter, ts); };
    size_t limit = filtered ? plan_.depth * 4 : plan_.depth;
    for (;;) {
      uint64_t matched = 0, read = 0;
      std::vector<search::IndexHit> hits =
          part.index->Score(plan_.terms, weights, c_.txn.snapshot(), avgdl, r_.bm25_k1,
                            r_.bm25_b, limit, keep, &matched, &read);
      budget_.Add(read);
      size_t passed = 0;
      std::vector<ListHit> kept;
      ExtractedEntity e;
      for (search::IndexHit& h : hits) {
        if (filtered) {
          Versioned<Value> v;
          if (c_.txn.Read(storage::MakeStoreKey(p, part.run, h.key), &v) !=
              storage::ReadStatus::kFound) {
            continue;
          }
          if (!ExtractEntity(p, part.run, h.key, v.value, true, &e).ok()) continue;
          if (!MetadataMatches(e.metadata, r_.filter.metadata)) continue;
        }
        ListHit l;
        l.score = h.score;
        l.run = part.run;
        l.ref = EntityRefOf(p, part.run, h.key);
        l.key = std::move(h.key);
        l.version = h.version;
        l.timestamp_us = h.timestamp_us;
        kept.push_back(std::move(l));
        if (++passed == plan_.depth) break;
      }
      if (passed == plan_.depth || matched <= limit || budget_.Exhausted()) {
        for (ListHit& l : kept) out->push_back(std::move(l));
        return absl::OkStatus();
      }
      limit *= 2;
    }
  }

  OpContext& c_;
  const SearchRequest& r_;
  const Plan& plan_;
  Budget& budget_;
  SearchStats& stats_;
};

// Vector search of each matching collection: one ranked list per collection.
absl::Status VectorLists(OpContext& c, const SearchRequest& r, const Plan& plan, Budget& budget,
                         SearchStats& stats, std::vector<RankedList>* lists) {
  const uint32_t dim = static_cast<uint32_t>(r.query_vector.size());
  std::optional<VectorFilter> filter;
  if (!r.filter.metadata.empty()) {
    std::vector<VectorFilter> eqs;
    for (const auto& [field, value] : r.filter.metadata) eqs.push_back(VectorFilter::Eq(field, value));
    filter = eqs.size() == 1 ? std::move(eqs[0]) : VectorFilter::And(std::move(eqs));
  }
  const bool timed = r.filter.from_us.has_value() || r.filter.to_us.has_value();
  bool named_found = false;
  for (const std::string& run : plan.runs) {
    if (budget.Exhausted()) break;
    std::vector<std::string> names;
    if (!r.vector_collection.empty()) {
      Version v = 0;
      const std::string def =
          storage::MakeStoreKey(Primitive::kVector, run, vector::DefinitionKey(r.vector_collection));
      if (c.txn.ReadVersion(def, &v) != storage::ReadStatus::kFound) continue;
      named_found = true;
      names.push_back(r.vector_collection);
    } else {
      const std::string start = storage::MakeStoreKey(Primitive::kVector, run, std::string(1, '\0'));
      const std::string end = storage::MakeStoreKey(Primitive::kVector, run, std::string(1, '\1'));
      c.txn.Scan(start, end, [&](std::string_view store_key, const Versioned<Value>& v) {
        storage::StoreKeyParts parts;
        storage::SplitStoreKey(store_key, &parts);
        absl::StatusOr<CollectionSpec> spec =
            vector::DecodeDefinition(parts.key.substr(1), v.value);
        if (spec.ok() && spec->dimension == dim) names.push_back(spec->name);
        return true;
      });
    }
    for (const std::string& name : names) {
      if (budget.Exhausted()) break;
      VectorSearchRequest vr;
      vr.query = r.query_vector;
      vr.k = static_cast<uint32_t>(std::min<size_t>(plan.depth, kMaxSearchK));
      vr.filter = filter;
      STRATA_ASSIGN_OR_RETURN(VectorSearchResult res, VectorSearch(c, run, name, vr));
      budget.Add(res.candidates);
      stats.indexes_used.push_back(absl::StrCat(res.exact ? "exact:" : "hnsw:", run, "/", name));
      RankedList list;
      list.name = absl::StrCat("vector:", run, "/", name);
      for (VectorHit& h : res.hits) {
        ListHit l;
        l.score = h.score;
        l.run = run;
        l.key = vector::VectorKey(name, h.key);
        l.ref = EntityRefOf(Primitive::kVector, run, l.key);
        l.version = h.version;
        Versioned<Value> v;
        if (c.txn.Read(storage::MakeStoreKey(Primitive::kVector, run, l.key), &v) ==
            storage::ReadStatus::kFound) {
          l.timestamp_us = v.timestamp_us;
        }
        if (timed && !InTimeRange(r.filter, l.timestamp_us)) continue;
        list.hits.push_back(std::move(l));
      }
      lists->push_back(std::move(list));
    }
  }
  if (!r.vector_collection.empty() && !named_found && !budget.truncated()) {
    return MakeError(ErrorCode::kNotFound,
                     absl::StrCat("vector collection '", r.vector_collection,
                                  "' is in none of the runs searched"));
  }
  return absl::OkStatus();
}

// Reciprocal Rank Fusion of the lists.
std::vector<SearchHit> Fuse(std::vector<RankedList>& lists, size_t k) {
  absl::flat_hash_map<std::string, size_t> by_ref;
  std::vector<SearchHit> hits;
  std::vector<std::string> texts;
  for (RankedList& list : lists) {
    for (size_t i = 0; i < list.hits.size(); ++i) {
      ListHit& l = list.hits[i];
      std::string text = l.ref.ToString();
      auto [it, inserted] = by_ref.try_emplace(text, hits.size());
      if (inserted) {
        SearchHit h;
        h.ref = std::move(l.ref);
        h.version = l.version;
        h.timestamp_us = l.timestamp_us;
        hits.push_back(std::move(h));
        texts.push_back(std::move(text));
      }
      SearchHit& h = hits[it->second];
      const auto rank = static_cast<uint32_t>(i + 1);
      h.ranks.push_back(SearchListRank{list.name, rank, l.score});
    }
  }
  // Sum in list-name order so the fused score does not depend on the order
  // lists were produced in.
  std::vector<size_t> order(hits.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  for (SearchHit& h : hits) {
    std::sort(h.ranks.begin(), h.ranks.end(),
              [](const SearchListRank& a, const SearchListRank& b) { return a.list < b.list; });
    double score = 0;
    for (const SearchListRank& r : h.ranks) score += 1.0 / (kRrfK + r.rank);
    h.score = score;
  }
  const size_t n = std::min(k, hits.size());
  std::partial_sort(order.begin(), order.begin() + static_cast<ptrdiff_t>(n), order.end(),
                    [&](size_t a, size_t b) {
                      if (hits[a].score != hits[b].score) return hits[a].score > hits[b].score;
                      return texts[a] < texts[b];
                    });
  std::vector<SearchHit> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out.push_back(std::move(hits[order[i]]));
  return out;
}

}  // namespace

// --- Extraction.

bool IsEntityKey(Primitive primitive, std::string_view key) {
  switch (primitive) {
    case Primitive::kEvent:
      return key.size() == 9 && key[0] == 'e';
    case Primitive::kTrace:
      return key.size() == 9 && key[0] == 's';
    case Primitive::kRun:
      return key.empty();
    case Primitive::kVector: {
      bool is_definition = false;
      std::string_view collection, vkey;
      return vector::SplitKey(key, &is_definition, &collection, &vkey) && !is_definition;
    }
    case Primitive::kKv:
    case Primitive::kState:
    case Primitive::kJson:
      return !key.empty();
  }
  return false;
}

absl::Status ExtractEntity(Primitive primitive, std::string_view run, std::string_view key,
                           const Value& stored, bool with_metadata, ExtractedEntity* out) {
  out->ref = EntityRefOf(primitive, run, key);
  out->text.clear();
  out->metadata = Value();
  switch (primitive) {
    case Primitive::kKv:
    case Primitive::kState:
      AppendText(key, &out->text);
      AppendValueText(stored, &out->text);
      if (with_metadata) out->metadata = ObjectOrNull(stored);
      return absl::OkStatus();
    case Primitive::kJson: {
      STRATA_ASSIGN_OR_RETURN(Value doc, RenderJsonRecord(stored, std::nullopt));
      AppendText(key, &out->text);
      AppendValueText(doc, &out->text);
      if (with_metadata) out->metadata = ObjectOrNull(std::move(doc));
      return absl::OkStatus();
    }
    case Primitive::kEvent: {
      const uint64_t seq = *out->ref.seq;
      if (!stored.is_bytes()) return DamagedRecord(out->ref.ToString(), "not a bytes value");
      STRATA_ASSIGN_OR_RETURN(Event event, DecodeEventRecord(seq, stored.AsBytes()));
      AppendText(event.type, &out->text);
      AppendValueText(event.payload, &out->text);
      if (with_metadata) out->metadata = ObjectOrNull(std::move(event.payload));
      return absl::OkStatus();
    }
    case Primitive::kTrace: {
      const uint64_t id = ReadBigEndian64(key.data() + 1);
      if (!stored.is_bytes()) return DamagedRecord(out->ref.ToString(), "not a bytes value");
      STRATA_ASSIGN_OR_RETURN(Span span, DecodeSpanRecord(id, stored.AsBytes()));
      AppendText(span.name, &out->text);
      AppendValueText(span.input, &out->text);
      AppendValueText(span.output, &out->text);
      if (with_metadata) out->metadata = SpanToValue(span);
      return absl::OkStatus();
    }
    case Primitive::kRun: {
      STRATA_ASSIGN_OR_RETURN(RunInfo info, DecodeRunRecord(run, stored));
      AppendText(run, &out->text);
      for (const std::string& tag : info.tags) AppendText(tag, &out->text);
      AppendValueText(info.metadata, &out->text);
      if (with_metadata) out->metadata = ObjectOrNull(std::move(info.metadata));
      return absl::OkStatus();
    }
    case Primitive::kVector: {
      bool is_definition = false;
      std::string_view collection, vkey;
      vector::SplitKey(key, &is_definition, &collection, &vkey);
      vector::RecordView view;
      STRATA_RETURN_IF_ERROR(vector::ParseRecord(stored, 0, &view));
      Value metadata;
      STRATA_RETURN_IF_ERROR(vector::DecodeMetadata(view, &metadata));
      AppendText(vkey, &out->text);
      AppendValueText(metadata, &out->text);
      if (with_metadata) out->metadata = ObjectOrNull(std::move(metadata));
      return absl::OkStatus();
    }
  }
  return Invalid(absl::StrCat("unknown primitive ", static_cast<int>(primitive)));
}

// --- SearchRegistry.

absl::StatusOr<std::unique_ptr<SearchRegistry>> SearchRegistry::Create(
    const SearchOptions& options, std::function<Version()> horizon) {
  search::TokenizerOptions topts;
  topts.stop_words = options.stop_words;
  topts.stemmer = options.stemmer;
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<search::Tokenizer> tokenizer,
                          search::Tokenizer::Create(topts));
  absl::flat_hash_set<std::string> runs;
  for (const RunId& run : options.index_runs) {
    if (absl::Status s = ValidateRunId(run); !s.ok()) {
      return Invalid(absl::StrCat("Options::search.index_runs: ", s.message()));
    }
    runs.insert(run);
  }
  return std::unique_ptr<SearchRegistry>(new SearchRegistry(
      std::move(tokenizer), options.index_all_runs, std::move(runs), std::move(horizon)));
}

SearchRegistry::SearchRegistry(std::unique_ptr<search::Tokenizer> tokenizer, bool index_all,
                               absl::flat_hash_set<std::string> runs,
                               std::function<Version()> horizon)
    : tokenizer_(std::move(tokenizer)),
      index_all_(index_all),
      runs_(std::move(runs)),
      horizon_(std::move(horizon)) {}

void SearchRegistry::OnCommit(Version version, TimestampMicros timestamp_us,
                              std::string_view store_key, const storage::Mutation& mutation) {
  Apply(version, timestamp_us, store_key,
        mutation.type == storage::MutationType::kDelete ? nullptr : &mutation.value);
}

void SearchRegistry::Apply(Version version, TimestampMicros timestamp_us,
                           std::string_view store_key, const Value* value) {
  storage::StoreKeyParts parts;
  if (!storage::SplitStoreKey(store_key, &parts) || !Indexes(parts.run) ||
      !IsEntityKey(parts.primitive, parts.key)) {
    return;
  }
  search::DocTerms terms;
  bool has_doc = false;
  if (value != nullptr) {
    ExtractedEntity e;
    // A damaged record has no text (reading it reports the damage).
    if (ExtractEntity(parts.primitive, parts.run, parts.key, *value, false, &e).ok()) {
      search::CountTerms(*tokenizer_, e.text, &terms);
      has_doc = true;
    }
  }
  const std::string_view ns = store_key.substr(0, 2 + parts.run.size());
  std::shared_ptr<search::InvertedIndex> index = Find(ns);
  if (index == nullptr) {
    absl::MutexLock lock(&mu_);
    auto& slot = indexes_[absl::string_view(ns.data(), ns.size())];
    if (slot == nullptr) slot = std::make_shared<search::InvertedIndex>();
    index = slot;
  }
  index->Apply(parts.key, version, timestamp_us, has_doc ? &terms : nullptr);
  if (applied_.fetch_add(1, std::memory_order_relaxed) % kCollectEvery == kCollectEvery - 1) {
    index->Collect(horizon_ ? horizon_() : 0);
  }
}

std::shared_ptr<search::InvertedIndex> SearchRegistry::Find(std::string_view ns) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = indexes_.find(absl::string_view(ns.data(), ns.size()));
  return it == indexes_.end() ? nullptr : it->second;
}

void SearchRegistry::Rebuild(const storage::MvccStore& store, Version snapshot) {
  {
    absl::MutexLock lock(&mu_);
    indexes_.clear();
  }
  if (!any()) return;
  auto scan = [&](const std::string& start, const std::string& end) {
    store.Scan(start, end, snapshot, nullptr,
               [&](std::string_view store_key, const Versioned<Value>& v) {
                 Apply(v.version, v.timestamp_us, store_key, &v.value);
                 return true;
               });
  };
  for (Primitive p : kAllPrimitives) {
    const std::string prefix(1, static_cast<char>(p));
    if (index_all_) {
      scan(prefix, storage::PrefixSuccessor(prefix));
      continue;
    }
    for (const std::string& run : runs_) {
      const std::string ns = storage::NamespacePrefix(p, run);
      scan(ns, storage::PrefixSuccessor(ns));
    }
  }
}

uint64_t SearchRegistry::live_docs() const {
  absl::MutexLock lock(&mu_);
  uint64_t n = 0;
  for (const auto& [ns, index] : indexes_) n += index->live_docs();
  return n;
}

// --- Search.

absl::StatusOr<SearchResponse> Search(OpContext& c, const SearchRequest& request) {
  STRATA_RETURN_IF_ERROR(ValidateRequest(request));
  if (c.search == nullptr) return MakeError(ErrorCode::kFailedPrecondition, "search is not available");
  Plan plan;
  plan.depth = std::max<size_t>(request.k, kMinListDepth);
  // Primitives, deduplicated, in enum order.
  for (Primitive p : kAllPrimitives) {
    if (request.filter.primitives.empty() ||
        std::find(request.filter.primitives.begin(), request.filter.primitives.end(), p) !=
            request.filter.primitives.end()) {
      plan.primitives.push_back(p);
    }
  }
  if (request.filter.runs.empty()) {
    plan.runs = ListRunIds(c);
  } else {
    plan.runs = request.filter.runs;
    std::sort(plan.runs.begin(), plan.runs.end());
    plan.runs.erase(std::unique(plan.runs.begin(), plan.runs.end()), plan.runs.end());
    for (const std::string& run : plan.runs) STRATA_RETURN_IF_ERROR(CheckRunInView(c, run));
  }
  if (request.mode != SearchMode::kVector) {
    std::vector<std::string> all = c.search->tokenizer().Terms(request.query);
    if (all.empty()) {
      return Invalid(absl::StrCat("query '", request.query.substr(0, 200),
                                  "' has no searchable terms (only stop words or punctuation)"));
    }
    if (all.size() > kMaxSearchQueryTerms) {
      return Invalid(absl::StrCat("query has ", all.size(), " terms; the limit is ",
                                  kMaxSearchQueryTerms));
    }
    for (std::string& t : all) {
      auto it = std::find(plan.terms.begin(), plan.terms.end(), t);
      if (it == plan.terms.end()) {
        plan.terms.push_back(std::move(t));
        plan.qtf.push_back(1);
      } else {
        plan.qtf[static_cast<size_t>(it - plan.terms.begin())] += 1;
      }
    }
  }

  SearchResponse response;
  Budget budget(request.budget);
  std::vector<RankedList> lists;
  if (request.mode != SearchMode::kVector) {
    KeywordSearch keyword(c, request, plan, budget, response.stats);
    for (Primitive p : plan.primitives) {
      if (budget.Exhausted()) break;
      STRATA_ASSIGN_OR_RETURN(RankedList list, keyword.Run(p));
      if (!list.hits.empty()) lists.push_back(std::move(list));
    }
  }
  if (request.mode != SearchMode::kKeyword &&
      std::find(plan.primitives.begin(), plan.primitives.end(), Primitive::kVector) !=
          plan.primitives.end()) {
    STRATA_RETURN_IF_ERROR(VectorLists(c, request, plan, budget, response.stats, &lists));
  }
  response.stats.lists = static_cast<uint32_t>(lists.size());
  response.hits = Fuse(lists, request.k);
  response.truncated = budget.truncated();
  response.stats.candidates = budget.candidates();
  response.stats.elapsed_us = budget.elapsed_us();
  return response;
}

}  // namespace strata::primitives

namespace strata {

std::string_view SearchModeName(SearchMode mode) {
  switch (mode) {
    case SearchMode::kKeyword:
      return "keyword";
    case SearchMode::kVector:
      return "vector";
    case SearchMode::kHybrid:
      return "hybrid";
  }
  return "unknown";
}

std::optional<SearchMode> SearchModeFromName(std::string_view name) {
  if (name == "keyword") return SearchMode::kKeyword;
  if (name == "vector") return SearchMode::kVector;
  if (name == "hybrid") return SearchMode::kHybrid;
  return std::nullopt;
}

}  // namespace strata
