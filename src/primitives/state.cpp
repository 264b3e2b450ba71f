// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
#include "primitives/state.hpp"

#include <utility>

#include "absl/strings/str_cat.h"
#include "primitives/kv.hpp"
#include "primitives/run.hpp"
#include "storage/store_key.hpp"
#include "strata/status.hpp"
#include "util/status_macros.hpp"

namespace strata::primitives {

namespace {

std::string StateKey(std::string_view run, std::string_view name) {
  return storage::MakeStoreKey(Primitive::kState, run, name);
}

std::string CellRef(std::string_view run, std::string_view name) {
  return EntityRef{std::string(run), Primitive::kState, std::string(name), {}, {}}
      .ToString();
}

absl::Status CellNotFound(OpContext& c, std::string_view run, std::string_view name) {
  STRATA_RETURN_IF_ERROR(CheckRunInView(c, run));
  return MakeError(ErrorCode::kNotFound,
                   absl::StrCat("state cell not found: ", CellRef(run, name)));
}

absl::Status CheckWrite(OpContext& c, std::string_view run, std::string_view name,
                        const Value* value) {
  STRATA_RETURN_IF_ERROR(CheckRunAndKey(run, name));
  if (value != nullptr) STRATA_RETURN_IF_ERROR(CheckValue(*value, c.max_value_bytes));
  return c.runs.CheckWritable(c.txn, run);
}

absl::Status Put(OpContext& c, std::string_view run, std::string_view name, Value value) {
  return c.txn.Write(storage::MutationType::kPut, Primitive::kState, run, name,
                     std::move(value));
}

}  // namespace

absl::Status StateInit(OpContext& c, std::string_view run, std::string_view name,
                       Value value) {
  STRATA_RETURN_IF_ERROR(CheckWrite(c, run, name, &value));
  const std::string key = StateKey(run, name);
  Versioned<Value> current;
  if (c.txn.Read(key, &current) == storage::ReadStatus::kFound) {
    return MakeError(ErrorCode::kAlreadyExists,
                     absl::StrCat("state cell already exists: ", CellRef(run, name)));
  }
  // Absent at commit too, unless this transaction itself deleted it.
  bool deleted = false;
  if (!c.txn.HasPendingWrite(key, &deleted)) c.txn.ExpectVersion(key, 0);
  return Put(c, run, name, std::move(value));
}

absl::StatusOr<Versioned<Value>> StateRead(OpContext& c, std::string_view run,
                                           std::string_view name) {
  STRATA_RETURN_IF_ERROR(CheckRunAndKey(run, name));
  Versioned<Value> out;
  if (c.txn.Read(StateKey(run, name), &out) == storage::ReadStatus::kFound) return out;
  return CellNotFound(c, run, name);
}

absl::Status StateSet(OpContext& c, std::string_view run, std::string_view name,
                      Value value) {
  STRATA_RETURN_IF_ERROR(CheckWrite(c, run, name, &value));
  return Put(c, run, name, std::move(value));
}

absl::Status StateCas(OpContext& c, std::string_view run, std::string_view name,
                      Version expected_version, Value value) {
  STRATA_RETURN_IF_ERROR(CheckWrite(c, run, name, &value));
  // Compared with the newest commit, like KvCompareAndSwap (and checked
  // again at commit): a snapshot that predates the expected version must
  // not fail the swap.
  const std::string key = StateKey(run, name);
  const Version current = c.txn.NewestCommittedVersion(key);
  if (current == 0) return CellNotFound(c, run, name);
  if (current != expected_version) {
    return MakeErrorWithVersion(
        ErrorCode::kConflict,
        absl::StrCat("compare-and-swap failed on ", CellRef(run, name), ": expected version ",
                     expected_version, ", current version ", current),
        current);
  }
  c.txn.ExpectVersion(key, expected_version);
  return Put(c, run, name, std::move(value));
}

absl::Status StateDelete(OpContext& c, std::string_view run, std::string_view name) {
  STRATA_RETURN_IF_ERROR(CheckWrite(c, run, name, nullptr));
  const std::string key = StateKey(run, name);
  Versioned<Value> current;
  if (c.txn.Read(key, &current) != storage::ReadStatus::kFound) {
    return CellNotFound(c, run, name);
  }
  // Of concurrent deletes of one cell exactly one succeeds.
  if (current.version != 0) c.txn.ExpectVersion(key, current.version);
  return c.txn.Write(storage::MutationType::kDelete, Primitive::kState, run, name, Value());
}

absl::StatusOr<KvPage> StateList(OpContext& c, std::string_view run,
                                 const ListRequest& request) {
  STRATA_ASSIGN_OR_RETURN(KvPage page, ListIn(c.txn, Primitive::kState, run, request));
  if (page.entries.empty()) STRATA_RETURN_IF_ERROR(CheckRunInView(c, run));
  return page;
}

absl::StatusOr<Value> StateTransitionOnce(OpContext& c, std::string_view run,
                                          std::string_view name,
                                          const Database::StateTransitionFn& fn) {
  STRATA_RETURN_IF_ERROR(CheckWrite(c, run, name, nullptr));
  STRATA_ASSIGN_OR_RETURN(Versioned<Value> current, StateRead(c, run, name));
  STRATA_ASSIGN_OR_RETURN(Value next, fn(current));
  STRATA_RETURN_IF_ERROR(CheckValue(next, c.max_value_bytes));
  // The read above is validated at commit: a concurrent change conflicts.
  STRATA_RETURN_IF_ERROR(Put(c, run, name, next));
  return next;
}

}  // namespace strata::primitives
