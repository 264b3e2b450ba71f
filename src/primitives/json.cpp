// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
#include "primitives/json.hpp"

#include <limits>
#include <utility>

#include "absl/container/node_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "json/document.hpp"
#include "json/record.hpp"
#include "primitives/kv.hpp"
#include "primitives/run.hpp"
#include "strata/status.hpp"
#include "util/status_macros.hpp"

namespace strata::primitives {

namespace {

std::string DocRef(std::string_view run, std::string_view id) {
  return EntityRef{std::string(run), Primitive::kJson, std::string(id), {}, {}}.ToString();
}

// A document as this transaction sees it.
struct DocState {
  std::string run;
  std::string id;
  bool exists = false;   // In this transaction's view.
  Version version = 0;   // Committed version read at the snapshot (0: none).
  TimestampMicros timestamp_us = 0;
  bool written = false;  // This transaction changed it.
  bool whole = false;    // Created or destroyed here: commit writes it whole.
  std::string doc;       // The working copy, when it exists.
  std::vector<json::Op> ops;  // Path-level operations since the snapshot.
};

class JsonTxnState final : public txn::TxnContext::Extension {
 public:
  absl::Status Flush(txn::TxnContext& txn) override {
    for (auto& [key, st] : docs_) {
      if (!st.written) continue;
      // A later DeleteRun in this transaction replaced the pending write with
      // a tombstone: the document goes with its run.
      bool deleted = false;
      if (txn.HasPendingWrite(key, &deleted) && deleted && st.exists) continue;
      absl::Status s;
      if (st.whole) {
        s = st.exists ? txn.Write(storage::MutationType::kPut, Primitive::kJson, st.run, st.id,
                                  Value::MakeBytes(json::RootRecord(st.doc)),
                                  /*counts_as_op=*/false)
                      : txn.Write(storage::MutationType::kDelete, Primitive::kJson, st.run,
                                  st.id, Value(), /*counts_as_op=*/false);
      } else if (!st.ops.empty()) {
        std::string ops;
        json::EncodeOps(st.ops, &ops);
        s = txn.Write(storage::MutationType::kJsonPatch, Primitive::kJson, st.run, st.id,
                      Value::MakeBytes(std::move(ops)), /*counts_as_op=*/false);
      }
      STRATA_RETURN_IF_ERROR(s);
    }
    return absl::OkStatus();
  }

  DocState* Find(std::string_view store_key) {
    auto it = docs_.find(absl::string_view(store_key.data(), store_key.size()));
    return it == docs_.end() ? nullptr : &it->second;
  }
  DocState& Add(std::string store_key) { return docs_[std::move(store_key)]; }

 private:
  absl::node_hash_map<std::string, DocState> docs_;
};

JsonTxnState& StateOf(txn::TxnContext& txn) {
  auto* st = dynamic_cast<JsonTxnState*>(txn.extension());
  if (st == nullptr) {
    auto owned = std::make_unique<JsonTxnState>();
    st = owned.get();
    txn.set_extension(std::move(owned));
  }
  return *st;
}

JsonTxnState* FindStateOf(txn::TxnContext& txn) {
  return dynamic_cast<JsonTxnState*>(txn.extension());
}

absl::Status Damaged(std::string_view run, std::string_view id, const absl::Status& s) {
  return MakeError(ErrorCode::kDataLoss,
                   absl::StrCat("damaged JSON document ", DocRef(run, id), ": ", s.message()));
}

// The working copy of a document, read at the snapshot on first use.
absl::StatusOr<DocState*> Load(OpContext& c, const std::string& key, std::string_view run,
                               std::string_view id) {
  JsonTxnState& state = StateOf(c.txn);
  if (DocState* st = state.Find(key)) return st;
  DocState loaded;
  loaded.run = std::string(run);
  loaded.id = std::string(id);
  absl::Status damaged;
  Version earliest = 0;
  const storage::ReadStatus rs = c.txn.manager()->store()->Visit(
      key, c.txn.snapshot(), nullptr,
      [&](const Value& record, Version version, TimestampMicros ts) {
        std::string_view doc;
        damaged = record.is_bytes() ? json::ParseRecord(record.AsBytes(), &doc)
                                    : MakeError(ErrorCode::kDataLoss, "record is not bytes");
        loaded.doc = std::string(doc);
        loaded.version = version;
        loaded.timestamp_us = ts;
      },
      &earliest);
  if (!damaged.ok()) return Damaged(run, id, damaged);
  if (rs == storage::ReadStatus::kTrimmed) {
    return MakeError(ErrorCode::kHistoryTrimmed,
                     absl::StrCat("the snapshot of ", DocRef(run, id), " was trimmed"));
  }
  loaded.exists = rs == storage::ReadStatus::kFound;
  DocState& st = state.Add(key);
  st = std::move(loaded);
  return &st;
}

// Records that the transaction wrote the document (counting one operation
// against the transaction limits the first time).
absl::Status MarkWritten(OpContext& c, DocState& st) {
  const storage::MutationType type =
      !st.whole ? storage::MutationType::kJsonPatch
                : (st.exists ? storage::MutationType::kPut : storage::MutationType::kDelete);
  // A placeholder in the write set, so listings and run checks see the
  // pending write; Flush replaces it with the real mutation.
  STRATA_RETURN_IF_ERROR(c.txn.Write(type, Primitive::kJson, st.run, st.id, Value(),
                                     /*counts_as_op=*/!st.written));
  st.written = true;
  return absl::OkStatus();
}

absl::StatusOr<Value> Decode(std::string_view slice) {
  Value v;
  STRATA_RETURN_IF_ERROR(json::DecodeDocument(slice, &v));
  return v;
}

absl::Status CheckDocumentSize(size_t bytes) {
  if (bytes > json::kMaxDocumentBytes) {
    return MakeError(ErrorCode::kResourceExhausted,
                     absl::StrCat("JSON document of ", bytes, " encoded bytes exceeds the limit of ",
                                  json::kMaxDocumentBytes, " bytes"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<json::Op>> JsonSetOps(std::string_view path, Value value,
                                                 uint64_t max_value_bytes) {
  STRATA_ASSIGN_OR_RETURN(json::Path p, json::ParsePath(path));
  STRATA_RETURN_IF_ERROR(CheckValue(value, max_value_bytes));
  std::vector<json::Op> ops(1);
  ops[0].type = json::OpType::kSet;
  ops[0].path = std::move(p);
  ops[0].value = std::move(value);
  return ops;
}

absl::StatusOr<std::vector<json::Op>> JsonDeleteOps(std::string_view path) {
  STRATA_ASSIGN_OR_RETURN(json::Path p, json::ParsePath(path));
  if (p.is_root()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "cannot delete the root of a JSON document (destroy the document instead)");
  }
  std::vector<json::Op> ops(1);
  ops[0].type = json::OpType::kRemove;
  ops[0].path = std::move(p);
  return ops;
}

absl::StatusOr<std::vector<json::Op>> JsonPatchOps(const Value& patch) {
  return json::ParsePatch(patch);
}

absl::StatusOr<std::vector<json::Op>> JsonMergeOps(const Value& patch,
                                                   uint64_t max_value_bytes) {
  STRATA_RETURN_IF_ERROR(CheckValue(patch, max_value_bytes));
  std::vector<json::Op> ops(1);
  ops[0].type = json::OpType::kMergePatch;
  ops[0].value = patch;
  return ops;
}

absl::Status CheckJsonWrite(OpContext& c, std::string_view run, std::string_view id) {
  STRATA_RETURN_IF_ERROR(CheckRunAndKey(run, id));
  return c.runs.CheckWritable(c.txn, run);
}

absl::Status JsonNotFound(OpContext& c, std::string_view run, std::string_view id) {
  STRATA_RETURN_IF_ERROR(CheckRunInView(c, run));
  return MakeError(ErrorCode::kNotFound,
                   absl::StrCat("JSON document not found: ", DocRef(run, id)));
}

absl::Status JsonCreate(OpContext& c, std::string_view run, std::string_view id,
                        const Value& document) {
  STRATA_RETURN_IF_ERROR(CheckJsonWrite(c, run, id));
  STRATA_RETURN_IF_ERROR(CheckValue(document, c.max_value_bytes));
  const std::string key = JsonStoreKey(run, id);
  STRATA_ASSIGN_OR_RETURN(DocState * st, Load(c, key, run, id));
  if (st->exists) {
    return MakeError(ErrorCode::kAlreadyExists,
                     absl::StrCat("JSON document already exists: ", DocRef(run, id)));
  }
  std::string doc;
  json::EncodeDocument(document, &doc);
  STRATA_RETURN_IF_ERROR(CheckDocumentSize(doc.size()));
  // Absent at commit too: nobody may create it meanwhile.
  if (!st->whole) c.txn.AddRegionCheck(key, json::Path());
  st->doc = std::move(doc);
  st->exists = true;
  st->whole = true;
  st->ops.clear();
  return MarkWritten(c, *st);
}

absl::StatusOr<Versioned<Value>> JsonGet(OpContext& c, std::string_view run,
                                         std::string_view id, std::string_view path) {
  STRATA_RETURN_IF_ERROR(CheckRunAndKey(run, id));
  STRATA_ASSIGN_OR_RETURN(json::Path p, json::ParsePath(path));
  const std::string key = JsonStoreKey(run, id);
  JsonTxnState* state = FindStateOf(c.txn);
  if (DocState* st = state != nullptr ? state->Find(key) : nullptr) {
    if (!st->whole) c.txn.AddRegionCheck(key, p);
    if (!st->exists) return JsonNotFound(c, run, id);
    STRATA_ASSIGN_OR_RETURN(std::string_view slice, json::Find(st->doc, p));
    Versioned<Value> out;
    STRATA_ASSIGN_OR_RETURN(out.value, Decode(slice));
    if (!st->written) {
      out.version = st->version;
      out.timestamp_us = st->timestamp_us;
    }
    return out;
  }
  // Not touched yet: read the snapshot in place.
  Versioned<Value> out;
  absl::Status s;
  Version earliest = 0;
  const storage::ReadStatus rs = c.txn.manager()->store()->Visit(
      key, c.txn.snapshot(), nullptr,
      [&](const Value& record, Version version, TimestampMicros ts) {
        s = JsonValueAt(record, p, &out.value);
        out.version = version;
        out.timestamp_us = ts;
      },
      &earliest);
  if (rs == storage::ReadStatus::kTrimmed) {
    return MakeError(ErrorCode::kHistoryTrimmed,
                     absl::StrCat("the snapshot of ", DocRef(run, id), " was trimmed"));
  }
  if (rs != storage::ReadStatus::kFound) {
    c.txn.AddRegionCheck(key, json::Path());
    return JsonNotFound(c, run, id);
  }
  c.txn.AddRegionCheck(key, std::move(p));
  STRATA_RETURN_IF_ERROR(s);
  return out;
}

absl::StatusOr<bool> JsonExists(OpContext& c, std::string_view run, std::string_view id) {
  return ExistsFromGet(JsonGet(c, run, id, ""));
}

absl::Status JsonApply(OpContext& c, std::string_view run, std::string_view id,
                       std::vector<json::Op> ops) {
  STRATA_RETURN_IF_ERROR(CheckJsonWrite(c, run, id));
  const std::string key = JsonStoreKey(run, id);
  STRATA_ASSIGN_OR_RETURN(DocState * st, Load(c, key, run, id));
  if (!st->exists) {
    if (!st->whole) c.txn.AddRegionCheck(key, json::Path());
    return JsonNotFound(c, run, id);
  }
  std::string result;
  std::vector<json::Region> regions;
  absl::Status s = json::ApplyOps(st->doc, ops, json::Limits(), &result, &regions);
  if (!s.ok()) {
    return MakeError(GetErrorCode(s), absl::StrCat(DocRef(run, id), ": ", s.message()));
  }
  if (!st->whole) {
    for (json::Region& r : regions) c.txn.AddRegionCheck(key, std::move(r.path));
    for (json::Op& op : ops) st->ops.push_back(std::move(op));
  }
  st->doc = std::move(result);
  return MarkWritten(c, *st);
}

absl::Status JsonCas(OpContext& c, std::string_view run, std::string_view id,
                     Version expected_version, std::vector<json::Op> ops) {
  STRATA_RETURN_IF_ERROR(CheckJsonWrite(c, run, id));
  const std::string key = JsonStoreKey(run, id);
  const Version current = c.txn.NewestCommittedVersion(key);
  if (current == 0) return JsonNotFound(c, run, id);
  if (current != expected_version) {
    return MakeErrorWithVersion(
        ErrorCode::kConflict,
        absl::StrCat("compare-and-swap failed on ", DocRef(run, id), ": expected version ",
                     expected_version, ", current version ", current),
        current);
  }
  c.txn.ExpectVersion(key, expected_version);
  return JsonApply(c, run, id, std::move(ops));
}

absl::Status JsonDestroy(OpContext& c, std::string_view run, std::string_view id) {
  STRATA_RETURN_IF_ERROR(CheckJsonWrite(c, run, id));
  const std::string key = JsonStoreKey(run, id);
  STRATA_ASSIGN_OR_RETURN(DocState * st, Load(c, key, run, id));
  if (!st->whole) c.txn.AddRegionCheck(key, json::Path());
  if (!st->exists) return JsonNotFound(c, run, id);
  st->doc.clear();
  st->exists = false;
  st->whole = true;
  st->ops.clear();
  return MarkWritten(c, *st);
}

absl::StatusOr<IdPage> JsonList(OpContext& c, std::string_view run,
                                const ListRequest& request) {
  STRATA_ASSIGN_OR_RETURN(KvPage page, ListIn(c.txn, Primitive::kJson, run, request));
  IdPage out;
  out.ids.reserve(page.entries.size());
  for (KvEntry& e : page.entries) out.ids.push_back(std::move(e.key));
  out.next_cursor = std::move(page.next_cursor);
  return out;
}

absl::Status JsonValueAt(const Value& record, const json::Path& path, Value* out) {
  auto damaged = [](const absl::Status& s) {
    return MakeError(ErrorCode::kDataLoss, absl::StrCat("damaged JSON document: ", s.message()));
  };
  if (!record.is_bytes()) return damaged(MakeError(ErrorCode::kDataLoss, "record is not bytes"));
  std::string_view doc;
  if (absl::Status s = json::ParseRecord(record.AsBytes(), &doc); !s.ok()) return damaged(s);
  STRATA_ASSIGN_OR_RETURN(std::string_view slice, json::Find(doc, path));
  if (absl::Status s = json::DecodeDocument(slice, out); !s.ok()) return damaged(s);
  return absl::OkStatus();
}

absl::StatusOr<Value> RenderJsonRecord(const Value& record,
                                       const std::optional<std::string>& path) {
  json::Path p;
  if (path.has_value()) {
    STRATA_ASSIGN_OR_RETURN(p, json::ParsePath(*path));
  }
  Value v;
  STRATA_RETURN_IF_ERROR(JsonValueAt(record, p, &v));
  return v;
}

}  // namespace strata::primitives
