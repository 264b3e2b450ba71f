// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
#include "primitives/vector.hpp"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "primitives/kv.hpp"
#include "primitives/run.hpp"
#include "storage/store_key.hpp"
#include "strata/status.hpp"
#include "util/status_macros.hpp"
#include "vector/filter.hpp"
#include "vector/record.hpp"

namespace strata::primitives {

namespace {

// How many committed vector writes pass between collections of entries no
// snapshot can see any more.
constexpr uint64_t kCollectEvery = 256;

std::string DefinitionStoreKey(std::string_view run, std::string_view name) {
  return storage::MakeStoreKey(Primitive::kVector, run, vector::DefinitionKey(name));
}

std::string VectorStoreKey(std::string_view run, std::string_view collection,
                           std::string_view key) {
  return storage::MakeStoreKey(Primitive::kVector, run, vector::VectorKey(collection, key));
}

// [start, end) of the store keys of a collection's vectors.
std::pair<std::string, std::string> CollectionRange(std::string_view run,
                                                    std::string_view collection) {
  std::string start =
      storage::MakeStoreKey(Primitive::kVector, run, vector::VectorPrefix(collection));
  std::string end = storage::PrefixSuccessor(start);
  return {std::move(start), std::move(end)};
}

std::string CollectionText(std::string_view run, std::string_view name) {
  return absl::StrCat("vector://", std::string(run), "/", std::string(name));
}

// A collection's definition as this transaction sees it (recorded in the
// read set, so a concurrent drop or re-creation conflicts).
struct Definition {
  CollectionSpec spec;
  Version version = 0;  // 0 when created by this transaction.
  std::shared_ptr<vector::VectorIndex> index;  // Null if none answers for it.
};

absl::Status CollectionNotFound(OpContext& c, std::string_view run, std::string_view name) {
  STRATA_RETURN_IF_ERROR(CheckRunInView(c, run));
  return MakeError(ErrorCode::kNotFound,
                   absl::StrCat("collection not found: ", CollectionText(run, name)));
}

absl::StatusOr<Definition> LoadDefinition(OpContext& c, std::string_view run,
                                          std::string_view name) {
  STRATA_RETURN_IF_ERROR(ValidateRunId(run));
  STRATA_RETURN_IF_ERROR(vector::ValidateCollectionName(name));
  const std::string key = DefinitionStoreKey(run, name);
  // The index keeps the decoded definition it answers for: when there is
  // one for this version, the stored definition need not be copied.
  Version version = 0;
  if (c.txn.ReadVersion(key, &version) != storage::ReadStatus::kFound) {
    return CollectionNotFound(c, run, name);
  }
  if (version != 0 && c.vectors != nullptr) {
    std::shared_ptr<vector::VectorIndex> index = c.vectors->FindByKey(key, version);
    if (index != nullptr && !index->broken()) {
      return Definition{index->spec(), version, std::move(index)};
    }
  }
  Versioned<Value> stored;
  if (c.txn.Read(key, &stored) != storage::ReadStatus::kFound) {
    return CollectionNotFound(c, run, name);
  }
  STRATA_ASSIGN_OR_RETURN(CollectionSpec spec, vector::DecodeDefinition(name, stored.value));
  return Definition{std::move(spec), stored.version, nullptr};
}

absl::Status CheckVectorKey(std::string_view key) { return ValidateKey(key); }

uint64_t CountByScan(OpContext& c, std::string_view run, std::string_view name) {
  auto [start, end] = CollectionRange(run, name);
  uint64_t n = 0;
  c.txn.Scan(start, end, [&](std::string_view, const Versioned<Value>&) {
    ++n;
    return true;
  });
  return n;
}

uint64_t CountWithIndex(OpContext& c, std::string_view run, const Definition& def,
                        const vector::VectorIndex& index) {
  uint64_t n = index.CountAt(c.txn.snapshot());
  auto [start, end] = CollectionRange(run, def.spec.name);
  storage::MvccStore* store = c.txn.manager()->store();
  c.txn.VisitPending(start, end, [&](std::string_view store_key, bool deleted, const Value&) {
    Versioned<Value> ignored;
    const bool existed =
        store->Get(store_key, c.txn.snapshot(), &ignored) == storage::ReadStatus::kFound;
    if (existed && deleted) --n;
    if (!existed && !deleted) ++n;
  });
  c.txn.AddScanRange(start, end);
  return n;
}

CollectionInfo InfoOf(OpContext& c, std::string_view run, const Definition& def) {
  CollectionInfo info;
  info.name = def.spec.name;
  info.dimension = def.spec.dimension;
  info.metric = def.spec.metric;
  info.index = def.spec.index;
  info.version = def.version;
  const std::shared_ptr<vector::VectorIndex>& index = def.index;
  info.count = index != nullptr ? CountWithIndex(c, run, def, *index)
                                : CountByScan(c, run, def.spec.name);
  return info;
}

absl::Status CheckCollectionWrite(OpContext& c, std::string_view run, std::string_view name) {
  STRATA_RETURN_IF_ERROR(ValidateRunId(run));
  STRATA_RETURN_IF_ERROR(vector::ValidateCollectionName(name));
  return c.runs.CheckWritable(c.txn, run);
}

// One validated upsert into a collection whose definition is loaded.
absl::Status UpsertOne(OpContext& c, std::string_view run, const Definition& def,
                       std::string_view key, const std::vector<float>& v, const Value& metadata) {
  STRATA_RETURN_IF_ERROR(CheckVectorKey(key));
  STRATA_RETURN_IF_ERROR(
      vector::ValidateVector(v, def.spec.dimension, def.spec.metric, "vector"));
  STRATA_RETURN_IF_ERROR(vector::ValidateMetadata(metadata));
  return c.txn.Write(storage::MutationType::kPut, Primitive::kVector, run,
                     vector::VectorKey(def.spec.name, key), vector::EncodeRecord(v, metadata));
}

}  // namespace

// --- VectorRegistry.

VectorRegistry::VectorRegistry(std::function<Version()> horizon) : horizon_(std::move(horizon)) {}

void VectorRegistry::OnCommit(Version version, TimestampMicros /*timestamp_us*/,
                              std::string_view store_key,
                              const storage::Mutation& mutation) {
  storage::StoreKeyParts parts;
  bool is_definition = false;
  std::string_view collection, key;
  if (!storage::SplitStoreKey(store_key, &parts) ||
      !vector::SplitKey(parts.key, &is_definition, &collection, &key)) {
    return;
  }
  const bool deleted = mutation.type == storage::MutationType::kDelete;
  const std::string def_key = DefinitionStoreKey(parts.run, collection);
  if (is_definition) {
    absl::MutexLock lock(&mu_);
    auto it = indexes_.find(def_key);
    if (it != indexes_.end() && it->second->incarnation() > version) return;  // Stale.
    if (deleted) {
      if (it != indexes_.end()) indexes_.erase(it);
      return;
    }
    absl::StatusOr<CollectionSpec> spec = vector::DecodeDefinition(collection, mutation.value);
    if (!spec.ok()) {
      // Searches of this collection scan the store.
      if (it != indexes_.end()) indexes_.erase(it);
      return;
    }
    indexes_[def_key] = std::make_shared<vector::VectorIndex>(*std::move(spec), version);
    return;
  }
  std::shared_ptr<vector::VectorIndex> index;
  {
    absl::MutexLock lock(&mu_);
    auto it = indexes_.find(def_key);
    if (it == indexes_.end() || it->second->incarnation() > version) return;
    index = it->second;
  }
  index->Apply(key, version, deleted ? nullptr : &mutation.value);
  if (applied_.fetch_add(1, std::memory_order_relaxed) % kCollectEvery == kCollectEvery - 1) {
    const Version horizon = horizon_ ? horizon_() : 0;
    std::vector<std::shared_ptr<vector::VectorIndex>> all;
    {
      absl::MutexLock lock(&mu_);
      for (const auto& [k, v] : indexes_) all.push_back(v);
    }
    for (const auto& i : all) i->Collect(horizon);
  }
}

std::shared_ptr<vector::VectorIndex> VectorRegistry::FindByKey(std::string_view definition_key,
                                                               Version incarnation) const {
  absl::MutexLock lock(&mu_);
  auto it = indexes_.find(absl::string_view(definition_key.data(), definition_key.size()));
  if (it == indexes_.end() || it->second->incarnation() != incarnation) return nullptr;
  return it->second;
}

void VectorRegistry::Rebuild(const storage::MvccStore& store, Version snapshot) {
  {
    absl::MutexLock lock(&mu_);
    indexes_.clear();
  }
  const std::string start(1, static_cast<char>(Primitive::kVector));
  const std::string end = storage::PrefixSuccessor(start);
  storage::Mutation put;
  put.type = storage::MutationType::kPut;
  put.primitive = Primitive::kVector;
  store.Scan(start, end, snapshot, nullptr,
             [&](std::string_view store_key, const Versioned<Value>& v) {
               put.value = v.value;
               OnCommit(v.version, v.timestamp_us, store_key, put);
               return true;
             });
}

// --- Operations.

absl::StatusOr<VectorEntry> DecodeVectorEntry(const Value& stored, uint32_t dimension) {
  vector::RecordView view;
  STRATA_RETURN_IF_ERROR(vector::ParseRecord(stored, dimension, &view));
  VectorEntry entry;
  view.CopyVector(&entry.vector);
  STRATA_RETURN_IF_ERROR(vector::DecodeMetadata(view, &entry.metadata));
  return entry;
}

absl::Status CreateCollection(OpContext& c, std::string_view run, const CollectionSpec& spec) {
  STRATA_RETURN_IF_ERROR(ValidateRunId(run));
  STRATA_RETURN_IF_ERROR(vector::ValidateSpec(spec));
  STRATA_RETURN_IF_ERROR(c.runs.CheckWritable(c.txn, run));
  const std::string key = DefinitionStoreKey(run, spec.name);
  Versioned<Value> current;
  if (c.txn.Read(key, &current) == storage::ReadStatus::kFound) {
    return MakeError(ErrorCode::kAlreadyExists,
                     absl::StrCat("collection already exists: ", CollectionText(run, spec.name)));
  }
  bool deleted = false;
  if (!c.txn.HasPendingWrite(key, &deleted)) c.txn.ExpectVersion(key, 0);
  return c.txn.Write(storage::MutationType::kPut, Primitive::kVector, run,
                     vector::DefinitionKey(spec.name), vector::EncodeDefinition(spec));
}

absl::StatusOr<CollectionInfo> DescribeCollection(OpContext& c, std::string_view run,
                                                  std::string_view name) {
  STRATA_ASSIGN_OR_RETURN(Definition def, LoadDefinition(c, run, name));
  return InfoOf(c, run, def);
}

absl::StatusOr<std::vector<CollectionInfo>> ListCollections(OpContext& c, std::string_view run) {
  STRATA_RETURN_IF_ERROR(ValidateRunId(run));
  const std::string start = storage::MakeStoreKey(Primitive::kVector, run, std::string(1, '\0'));
  const std::string end = storage::MakeStoreKey(Primitive::kVector, run, std::string(1, '\1'));
  std::vector<Definition> defs;
  absl::Status status;
  c.txn.Scan(start, end, [&](std::string_view store_key, const Versioned<Value>& v) {
    storage::StoreKeyParts parts;
    storage::SplitStoreKey(store_key, &parts);
    absl::StatusOr<CollectionSpec> spec = vector::DecodeDefinition(parts.key.substr(1), v.value);
    if (!spec.ok()) {
      status = spec.status();
      return false;
    }
    std::shared_ptr<vector::VectorIndex> index =
        c.vectors != nullptr && v.version != 0 ? c.vectors->FindByKey(store_key, v.version)
                                               : nullptr;
    if (index != nullptr && index->broken()) index = nullptr;
    defs.push_back(Definition{*std::move(spec), v.version, std::move(index)});
    return true;
  });
  STRATA_RETURN_IF_ERROR(status);
  if (defs.empty()) STRATA_RETURN_IF_ERROR(CheckRunInView(c, run));
  std::vector<CollectionInfo> out;
  out.reserve(defs.size());
  for (const Definition& def : defs) out.push_back(InfoOf(c, run, def));
  return out;
}

absl::Status DropCollection(OpContext& c, std::string_view run, std::string_view name) {
  STRATA_RETURN_IF_ERROR(CheckCollectionWrite(c, run, name));
  STRATA_ASSIGN_OR_RETURN(Definition def, LoadDefinition(c, run, name));
  const std::string key = DefinitionStoreKey(run, name);
  if (def.version != 0) c.txn.ExpectVersion(key, def.version);
  auto [start, end] = CollectionRange(run, name);
  std::vector<std::string> keys;
  c.txn.Scan(start, end, [&](std::string_view store_key, const Versioned<Value>&) {
    storage::StoreKeyParts parts;
    storage::SplitStoreKey(store_key, &parts);
    keys.emplace_back(parts.key);
    return true;
  });
  for (const std::string& k : keys) {
    STRATA_RETURN_IF_ERROR(c.txn.Write(storage::MutationType::kDelete, Primitive::kVector, run,
                                       k, Value(), /*counts_as_op=*/false));
  }
  return c.txn.Write(storage::MutationType::kDelete, Primitive::kVector, run,
                     vector::DefinitionKey(name), Value());
}

absl::Status VectorUpsert(OpContext& c, std::string_view run, std::string_view collection,
                          std::string_view key, std::vector<float> v, Value metadata) {
  STRATA_RETURN_IF_ERROR(CheckCollectionWrite(c, run, collection));
  STRATA_ASSIGN_OR_RETURN(Definition def, LoadDefinition(c, run, collection));
  return UpsertOne(c, run, def, key, v, metadata);
}

absl::Status VectorUpsertBatch(OpContext& c, std::string_view run, std::string_view collection,
                               std::vector<VectorItem> items) {
  STRATA_RETURN_IF_ERROR(CheckCollectionWrite(c, run, collection));
  STRATA_ASSIGN_OR_RETURN(Definition def, LoadDefinition(c, run, collection));
  for (size_t i = 0; i < items.size(); ++i) {
    absl::Status s = UpsertOne(c, run, def, items[i].key, items[i].vector, items[i].metadata);
    if (!s.ok()) {
      return MakeError(GetErrorCode(s), absl::StrCat("item ", i, ": ", s.message()));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Versioned<VectorEntry>> VectorGet(OpContext& c, std::string_view run,
                                                 std::string_view collection,
                                                 std::string_view key) {
  STRATA_RETURN_IF_ERROR(CheckVectorKey(key));
  STRATA_ASSIGN_OR_RETURN(Definition def, LoadDefinition(c, run, collection));
  Versioned<Value> stored;
  if (c.txn.Read(VectorStoreKey(run, collection, key), &stored) != storage::ReadStatus::kFound) {
    return MakeError(ErrorCode::kNotFound, absl::StrCat("vector '", absl::CEscape(std::string(key)),
                                                        "' not found in ",
                                                        CollectionText(run, collection))); }
  STRATA_ASSIGN_OR_RETURN(VectorEntry entry, DecodeVectorEntry(stored.value, def.spec.dimension));
  return Versioned<VectorEntry>{std::move(entry), stored.version, stored.timestamp_us};
}

absl::Status VectorDelete(OpContext& c, std::string_view run, std::string_view collection,
                          std::string_view key) {
  STRATA_RETURN_IF_ERROR(CheckCollectionWrite(c, run, collection));
  STRATA_RETURN_IF_ERROR(CheckVectorKey(key));
  STRATA_ASSIGN_OR_RETURN(Definition def, LoadDefinition(c, run, collection));
  const std::string store_key = VectorStoreKey(run, collection, key);
  Versioned<Value> current;
  if (c.txn.Read(store_key, &current) != storage::ReadStatus::kFound) {
    return MakeError(ErrorCode::kNotFound, absl::StrCat("vector '", absl::CEscape(std::string(key)),
                                                        "' not found in ",
                                                        CollectionText(run, collection)));
  }
  if (current.version != 0) c.txn.ExpectVersion(store_key, current.version);
  return c.txn.Write(storage::MutationType::kDelete, Primitive::kVector, run,
                     vector::VectorKey(collection, key), Value());
}

absl::StatusOr<uint64_t> VectorCount(OpContext& c, std::string_view run,
                                     std::string_view collection) {
  STRATA_ASSIGN_OR_RETURN(Definition def, LoadDefinition(c, run, collection));
  const std::shared_ptr<vector::VectorIndex>& index = def.index;
  if (index == nullptr) return CountByScan(c, run, collection);
  return CountWithIndex(c, run, def, *index);
}

absl::StatusOr<VectorSearchResult> VectorSearch(OpContext& c, std::string_view run,
                                                std::string_view collection,
                                                const VectorSearchRequest& request) {
  STRATA_ASSIGN_OR_RETURN(Definition def, LoadDefinition(c, run, collection));
  STRATA_RETURN_IF_ERROR(
      vector::ValidateVector(request.query, def.spec.dimension, def.spec.metric, "query"));
  if (request.k < 1 || request.k > kMaxSearchK) {
    return MakeError(ErrorCode::kInvalidArgument,
                     absl::StrCat("k is ", request.k, "; it must be in 1..", kMaxSearchK));
  }
  if (request.ef_search > 10000) {
    return MakeError(ErrorCode::kInvalidArgument,
                     absl::StrCat("ef_search is ", request.ef_search, "; it must be at most 10000"));
  }
  const VectorFilter* filter = request.filter.has_value() ? &*request.filter : nullptr;
  if (filter != nullptr) STRATA_RETURN_IF_ERROR(vector::ValidateFilter(*filter));

  VectorSearchResult result;
  struct Candidate {
    double score;
    std::string key;
    Value metadata;
    Version version;
  };
  std::vector<Candidate> candidates;
  auto [start, end] = CollectionRange(run, collection);
  const size_t prefix = start.size();

  // Scores one stored record (an own write, or every vector when scanning).
  absl::Status damaged;
  auto consider = [&](std::string_view store_key, const Value& stored, Version version) {
    vector::RecordView view;
    Value metadata;
    absl::Status s = vector::ParseRecord(stored, def.spec.dimension, &view);
    if (s.ok()) s = vector::DecodeMetadata(view, &metadata);
    if (!s.ok()) {
      damaged = s;
      return false;
    }
    if (filter != nullptr && !vector::FilterMatches(*filter, metadata)) return true;
    std::vector<float> v;
    view.CopyVector(&v);
    ++result.candidates;
    candidates.push_back(Candidate{vector::Similarity(def.spec.metric, request.query, v),
                                   std::string(store_key.substr(prefix)), std::move(metadata),
                                   version});
    return true;
  };

  const std::shared_ptr<vector::VectorIndex>& index = def.index;
  bool used_index = false;
  if (index != nullptr) {
    absl::flat_hash_set<std::string> own;
    c.txn.VisitPending(start, end, [&](std::string_view store_key, bool, const Value&) {
      own.insert(std::string(store_key.substr(prefix)));
    });
    vector::VectorIndex::SearchParams p;
    p.query = request.query;
    p.k = request.k;
    p.ef = request.ef_search;
    p.filter = filter;
    p.snapshot = c.txn.snapshot();
    if (!own.empty()) {
      p.skip = [&own](std::string_view key) { return own.contains(absl::string_view(key.data(), key.size())); };
    }
    std::vector<vector::IndexHit> hits;
    if (index->Search(p, &result, &hits).ok()) {
      used_index = true;
      for (vector::IndexHit& h : hits) {
        candidates.push_back(
            Candidate{h.score, std::move(h.key), std::move(h.metadata), h.version});
      }
      c.txn.VisitPending(start, end, [&](std::string_view store_key, bool deleted,
                                         const Value& value) {
        if (!deleted && damaged.ok()) consider(store_key, value, 0);
      });
      c.txn.AddScanRange(start, end);
    }
  }
  if (!used_index) {
    candidates.clear();
    result.exact = true;
    c.txn.Scan(start, end, [&](std::string_view store_key, const Versioned<Value>& v) {
      return consider(store_key, v.value, v.version);
    });
  }
  STRATA_RETURN_IF_ERROR(damaged);
  auto better = [](const Candidate& a, const Candidate& b) {
    if (a.score != b.score) return a.score > b.score;
    return a.key < b.key;
  };
  std::sort(candidates.begin(), candidates.end(), better);
  if (candidates.size() > request.k) candidates.resize(request.k);
  result.hits.reserve(candidates.size());
  for (Candidate& cand : candidates) {
    result.hits.push_back(
        VectorHit{std::move(cand.key), cand.score, std::move(cand.metadata), cand.version});
  }
  return result;
}

}  // namespace strata::primitives
