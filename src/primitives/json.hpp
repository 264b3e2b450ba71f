// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// The JSON document primitive (docs/json.md): documents addressed by
// (run, id), mutated at paths, with region-based conflicts.
//
// In a transaction each document it touches gets a working copy (the
// encoded document) so reads see the transaction's own writes; writes keep
// the list of path-level operations, which is what commit logs (a
// kJsonPatch mutation) and applies to the newest committed version under the
// commit lock. Every read and write records its region (json::Region) for
// validation; a document created or destroyed in the transaction is written
// whole instead, and checked on the root region.
//
// Thread safety: stateless functions; an OpContext is used by one thread.
#ifndef STRATA_PRIMITIVES_JSON_HPP_
#define STRATA_PRIMITIVES_JSON_HPP_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "json/patch.hpp"
#include "json/path.hpp"
#include "primitives/context.hpp"
#include "storage/store_key.hpp"
#include "strata/database.hpp"

namespace strata::primitives {

inline std::string JsonStoreKey(std::string_view run, std::string_view id) {
  return storage::MakeStoreKey(Primitive::kJson, run, id);
}

// Builds the operations of the public calls, checking their arguments:
// InvalidArgument for a malformed path or patch (or deleting the root),
// ResourceExhausted for an oversize value.
absl::StatusOr<std::vector<json::Op>> JsonSetOps(std::string_view path, Value value,
                                                 uint64_t max_value_bytes);
absl::StatusOr<std::vector<json::Op>> JsonDeleteOps(std::string_view path);
absl::StatusOr<std::vector<json::Op>> JsonPatchOps(const Value& patch);
absl::StatusOr<std::vector<json::Op>> JsonMergeOps(const Value& patch,
                                                   uint64_t max_value_bytes);

// Transactional operations (see Transaction in strata/database.hpp).
absl::Status JsonCreate(OpContext& c, std::string_view run, std::string_view id,
                        const Value& document);
absl::StatusOr<Versioned<Value>> JsonGet(OpContext& c, std::string_view run,
                                         std::string_view id, std::string_view path);
absl::StatusOr<bool> JsonExists(OpContext& c, std::string_view run, std::string_view id);
// Applies `ops` to the document (set, delete, patch and merge all land here).
absl::Status JsonApply(OpContext& c, std::string_view run, std::string_view id,
                       std::vector<json::Op> ops);
// JsonApply if the committed version is `expected_version` now and at commit.
absl::Status JsonCas(OpContext& c, std::string_view run, std::string_view id,
                     Version expected_version, std::vector<json::Op> ops);
absl::Status JsonDestroy(OpContext& c, std::string_view run, std::string_view id);
absl::StatusOr<IdPage> JsonList(OpContext& c, std::string_view run,
                                const ListRequest& request);

// The argument checks of a write: run and id, and that the run accepts
// writes in this transaction's view.
absl::Status CheckJsonWrite(OpContext& c, std::string_view run, std::string_view id);
// The NotFound error for a missing document (or the run's error if the run
// does not exist).
absl::Status JsonNotFound(OpContext& c, std::string_view run, std::string_view id);

// The value at `path` in a stored record. DataLoss for a damaged record;
// NotFound / InvalidArgument for the path.
absl::Status JsonValueAt(const Value& record, const json::Path& path, Value* out);

// The value of a stored record (the document, or the value at `path`).
// DataLoss for a damaged record; NotFound / InvalidArgument for the path.
absl::StatusOr<Value> RenderJsonRecord(const Value& record,
                                       const std::optional<std::string>& path);

}  // namespace strata::primitives

#endif  // STRATA_PRIMITIVES_JSON_HPP_
