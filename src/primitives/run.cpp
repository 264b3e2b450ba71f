// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
#include "primitives/run.hpp"

#include <algorithm>
#include <random>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "primitives/common.hpp"
#include "primitives/kv.hpp"
#include "storage/store_key.hpp"
#include "strata/status.hpp"
#include "util/clock.hpp"
#include "util/status_macros.hpp"
#include "util/strings.hpp"

namespace strata::primitives {

namespace {

using util::Sv;

// The primitives whose entities live in a run's namespaces.
constexpr Primitive kRunScopedPrimitives[] = {Primitive::kKv,    Primitive::kEvent,
                                              Primitive::kState, Primitive::kTrace,
                                              Primitive::kJson,  Primitive::kVector};

absl::Status RunNotActive(std::string_view run, RunStatus status) {
  return MakeError(ErrorCode::kFailedPrecondition,
                   absl::StrCat("run '", Sv(run), "' is ", Sv(RunStatusName(status)),
                                ": writes need an active run"));
}

constexpr char kDeletingField[] = "deleting";

bool IsDeleting(const Value& record) {
  if (!record.is_object()) return false;
  auto it = record.AsObject().find(kDeletingField);
  return it != record.AsObject().end() && it->second.is_bool() && it->second.AsBool();
}

absl::Status RunBeingDeleted(std::string_view run) {
  return MakeError(ErrorCode::kNotFound,
                   absl::StrCat("run '", Sv(run), "' is being deleted"));
}

absl::Status BadTransition(std::string_view run, RunStatus from, RunStatus to) {
  return MakeError(ErrorCode::kFailedPrecondition,
                   absl::StrCat("run '", Sv(run), "' cannot go from ",
                                Sv(RunStatusName(from)), " to ", Sv(RunStatusName(to)),
                                " (allowed: active -> completed|failed|cancelled, "
                                "ended -> archived)"));
}

absl::Status CheckMetadata(const Value& metadata, uint64_t max_value_bytes) {
  if (!metadata.is_object()) {
    return MakeError(ErrorCode::kInvalidArgument, "run metadata must be a JSON object");
  }
  return CheckValue(metadata, max_value_bytes);
}

RunInfo DefaultRunInfo() {
  RunInfo info;
  info.id = kDefaultRun;
  return info;
}

std::string GenerateRunId() {
  thread_local std::mt19937_64 rng(std::random_device{}() ^
                                   static_cast<uint64_t>(util::NowMicros()));
  return absl::StrFormat("run-%016x%016x", rng(), rng());
}

// Reads the run's record in the transaction's view (the read is validated
// at commit). NotFound if the run does not exist.
absl::StatusOr<Versioned<RunInfo>> ReadRun(OpContext& c, std::string_view run) {
  STRATA_RETURN_IF_ERROR(ValidateRunId(run));
  Versioned<Value> record;
  if (c.txn.Read(RunStoreKey(run), &record) != storage::ReadStatus::kFound) {
    if (run == kDefaultRun) return Versioned<RunInfo>{DefaultRunInfo(), 0, 0};
    return RunNotFound(run);
  }
  STRATA_ASSIGN_OR_RETURN(RunInfo info, DecodeRunRecord(run, record.value));
  return Versioned<RunInfo>{std::move(info), record.version, record.timestamp_us};
}

absl::Status WriteRun(OpContext& c, const RunInfo& info) {
  return c.txn.Write(storage::MutationType::kPut, Primitive::kRun, info.id, "",
                     EncodeRunRecord(info));
}

// Calls fn(run, &record) for every run record in c's view, in store-key
// order, then fn("default", nullptr) if the default run has no record; stops
// when fn returns false.
template <typename Fn>
void ForEachRun(OpContext& c, Fn fn) {
  bool saw_default = false;
  bool stopped = false;
  const std::string start(1, static_cast<char>(Primitive::kRun));
  const std::string end(1, static_cast<char>(static_cast<uint8_t>(Primitive::kRun) + 1));
  c.txn.Scan(start, end, [&](std::string_view store_key, const Versioned<Value>& v) {
    storage::StoreKeyParts parts;
    if (!storage::SplitStoreKey(store_key, &parts) || !parts.key.empty()) return true;
    saw_default = saw_default || parts.run == kDefaultRun;
    stopped = !fn(parts.run, &v.value);
    return !stopped;
  });
  if (!saw_default && !stopped) fn(kDefaultRun, nullptr);
}

absl::Status ChangeStatus(OpContext& c, std::string_view run, RunStatus to) {
  STRATA_ASSIGN_OR_RETURN(Versioned<RunInfo> current, ReadRun(c, run));
  if (run == kDefaultRun) {
    return MakeError(ErrorCode::kFailedPrecondition,
                     "the run 'default' is always active: it cannot be ended or archived");
  }
  if (!IsValidRunTransition(current.value.status, to)) {
    return BadTransition(run, current.value.status, to);
  }
  RunInfo info = std::move(current.value);
  info.status = to;
  if (to != RunStatus::kArchived) info.ended_us = util::NowMicros();
  return WriteRun(c, info);
}

}  // namespace

std::string RunStoreKey(std::string_view run) {
  return storage::MakeStoreKey(Primitive::kRun, run, "");
}

absl::Status RunNotFound(std::string_view run) {
  return MakeError(ErrorCode::kNotFound,
                   absl::StrCat("run '", Sv(run), "' does not exist (create it with CreateRun)"));
}

Value EncodeRunRecord(const RunInfo& info) {
  Value::Array tags;
  tags.reserve(info.tags.size());
  for (const std::string& tag : info.tags) tags.emplace_back(tag);
  Value::Object o;
  o.emplace("status", Value(RunStatusName(info.status)));
  o.emplace("parent", Value(info.parent));
  o.emplace("tags", Value(std::move(tags)));
  o.emplace("metadata", info.metadata);
  o.emplace("created_us", Value(info.created_us));
  o.emplace("ended_us", Value(info.ended_us));
  o.emplace("base_version", Value(static_cast<int64_t>(info.base_version)));
  return Value(std::move(o));
}

absl::StatusOr<RunInfo> DecodeRunRecord(std::string_view run, const Value& record) {
  const std::string what = absl::StrCat("record of run '", Sv(run), "'");
  if (!record.is_object()) return DamagedRecord(what, "not an object");
  const Value::Object& o = record.AsObject();
  auto field = [&](std::string_view name, Value::Type type) -> const Value* {
    auto it = o.find(name);
    if (it == o.end() || it->second.type() != type) return nullptr;
    return &it->second;
  };
  // Fields other than status are optional (records written by older
  // versions hold only the status), but must have the right type.
  bool wrong_type = false;
  auto optional = [&](std::string_view name, Value::Type type) -> const Value* {
    auto it = o.find(name);
    if (it == o.end()) return nullptr;
    if (it->second.type() != type) wrong_type = true;
    return it->second.type() == type ? &it->second : nullptr;
  };
  const Value* status = field("status", Value::Type::kString);
  const Value* parent = optional("parent", Value::Type::kString);
  const Value* tags = optional("tags", Value::Type::kArray);
  const Value* metadata = optional("metadata", Value::Type::kObject);
  const Value* created = optional("created_us", Value::Type::kInt);
  const Value* ended = optional("ended_us", Value::Type::kInt);
  const Value* base = optional("base_version", Value::Type::kInt);
  if (status == nullptr || wrong_type) {
    return DamagedRecord(what, "a field is missing or has the wrong type");
  }
  RunInfo info;
  info.id = std::string(run);
  std::optional<RunStatus> s = RunStatusFromName(status->AsString());
  if (!s.has_value()) return DamagedRecord(what, "unknown status");
  info.status = *s;
  if (parent != nullptr) info.parent = parent->AsString();
  if (tags != nullptr) {
    for (const Value& tag : tags->AsArray()) {
      if (!tag.is_string()) return DamagedRecord(what, "a tag is not a string");
      info.tags.push_back(tag.AsString());
    }
  }
  if (metadata != nullptr) info.metadata = *metadata;
  if (created != nullptr) info.created_us = created->AsInt();
  if (ended != nullptr) info.ended_us = ended->AsInt();
  if (base != nullptr) info.base_version = static_cast<Version>(base->AsInt());
  return info;
}

Value RunInfoToValue(const RunInfo& info) {
  Value v = EncodeRunRecord(info);
  v.MutableObject().emplace("id", Value(info.id));
  return v;
}

// --- RunRegistry.

absl::StatusOr<RunRegistry::Entry> RunRegistry::StateAt(std::string_view run,
                                                        const std::string& key,
                                                        Version version) {
  {
    absl::ReaderMutexLock lock(&mu_);
    auto it = cache_.find(Sv(run));
    if (it != cache_.end() && it->second.version == version) return it->second;
  }
  Versioned<Value> record;
  if (store_->Get(key, version, &record) != storage::ReadStatus::kFound) {
    return RunNotFound(run);
  }
  STRATA_ASSIGN_OR_RETURN(RunInfo info, DecodeRunRecord(run, record.value));
  const Entry entry{version, info.status, IsDeleting(record.value)};
  absl::MutexLock lock(&mu_);
  Entry& e = cache_[Sv(run)];
  if (e.version < version) e = entry;
  return entry;
}

absl::Status RunRegistry::CheckWritable(txn::TxnContext& txn, std::string_view run) {
  STRATA_RETURN_IF_ERROR(ValidateRunId(run));
  const std::string key = RunStoreKey(run);
  bool deleted = false;
  if (txn.HasPendingWrite(key, &deleted)) {
    // Created or changed by this transaction.
    if (deleted) return RunNotFound(run);
    const Value& record = *txn.PendingValue(key);
    STRATA_ASSIGN_OR_RETURN(RunInfo info, DecodeRunRecord(run, record));
    if (IsDeleting(record)) return RunBeingDeleted(run);
    if (info.status != RunStatus::kActive) return RunNotActive(run, info.status);
    return absl::OkStatus();
  }
  if (txn.RunChecked(run)) return absl::OkStatus();
  STRATA_ASSIGN_OR_RETURN(Version expected, WritableVersion(run, key));
  txn.ExpectRunVersion(key, expected);
  txn.MarkRunChecked(run);
  return absl::OkStatus();
}

absl::StatusOr<Version> RunRegistry::WritableVersion(std::string_view run,
                                                     const std::string& key) {
  const Version head = store_->LiveHeadVersion(key);
  if (head == 0) {
    if (run == kDefaultRun) return head;
    absl::MutexLock lock(&mu_);
    cache_.erase(Sv(run));
    return RunNotFound(run);
  }
  STRATA_ASSIGN_OR_RETURN(Entry state, StateAt(run, key, head));
  if (state.deleting) return RunBeingDeleted(run);
  if (state.status != RunStatus::kActive) return RunNotActive(run, state.status);
  return head;
}

bool RunRegistry::Exists(std::string_view run) const {
  return run == kDefaultRun || store_->LiveHeadVersion(RunStoreKey(run)) != 0;
}

// --- Operations.

absl::Status CheckRunInView(OpContext& c, std::string_view run) {
  STRATA_RETURN_IF_ERROR(ValidateRunId(run));
  if (c.runs.Exists(run) || c.txn.PendingValue(RunStoreKey(run)) != nullptr) {
    return absl::OkStatus();
  }
  return RunNotFound(run);
}

absl::Status CreateRunNamed(OpContext& c, std::string_view run) {
  STRATA_RETURN_IF_ERROR(ValidateRunId(run));  // Here empty is an error, not "generate".
  RunSpec spec;
  spec.id = std::string(run);
  return CreateRun(c, spec).status();
}

absl::StatusOr<RunId> CreateRun(OpContext& c, const RunSpec& spec) {
  RunInfo info;
  info.id = spec.id.empty() ? GenerateRunId() : spec.id;
  STRATA_RETURN_IF_ERROR(ValidateRunId(info.id));
  STRATA_RETURN_IF_ERROR(CheckTags(spec.tags));
  STRATA_RETURN_IF_ERROR(CheckMetadata(spec.metadata, c.max_value_bytes));
  if (!spec.parent.empty()) {
    STRATA_RETURN_IF_ERROR(ReadRun(c, spec.parent).status());
  }
  absl::StatusOr<Versioned<RunInfo>> existing = ReadRun(c, info.id);
  if (existing.ok()) {
    return MakeError(ErrorCode::kAlreadyExists,
                     absl::StrCat("run '", info.id, "' already exists"));
  }
  if (GetErrorCode(existing.status()) != ErrorCode::kNotFound) return existing.status();
  info.parent = spec.parent;
  info.tags = spec.tags;
  info.metadata = spec.metadata;
  info.created_us = util::NowMicros();
  info.base_version = c.txn.snapshot();
  // A CAS on the record's absence: of two transactions creating the same
  // run, one conflicts. Not when this transaction deleted the run itself:
  // the committed record still exists then, and the read DeleteRun made of
  // it already makes a concurrent change conflict.
  const std::string record_key = RunStoreKey(info.id);
  bool deleted_here = false;
  if (!c.txn.HasPendingWrite(record_key, &deleted_here)) c.txn.ExpectVersion(record_key, 0);
  STRATA_RETURN_IF_ERROR(WriteRun(c, info));
  return info.id;
}

absl::StatusOr<Versioned<RunInfo>> GetRun(OpContext& c, std::string_view run) {
  return ReadRun(c, run);
}

absl::Status UpdateRunMetadata(OpContext& c, std::string_view run, Value metadata) {
  STRATA_RETURN_IF_ERROR(CheckMetadata(metadata, c.max_value_bytes));
  STRATA_ASSIGN_OR_RETURN(Versioned<RunInfo> current, ReadRun(c, run));
  current.value.metadata = std::move(metadata);
  return WriteRun(c, current.value);
}

absl::Status EndRun(OpContext& c, std::string_view run, RunStatus status) {
  if (status != RunStatus::kCompleted && status != RunStatus::kFailed &&
      status != RunStatus::kCancelled) {
    return MakeError(ErrorCode::kInvalidArgument,
                     absl::StrCat("a run ends as completed, failed or cancelled, not ",
                                  Sv(RunStatusName(status))));
  }
  return ChangeStatus(c, run, status);
}

absl::Status ArchiveRun(OpContext& c, std::string_view run) {
  return ChangeStatus(c, run, RunStatus::kArchived);
}

absl::Status DeleteRun(OpContext& c, std::string_view run) {
  STRATA_RETURN_IF_ERROR(ReadRun(c, run).status());
  if (run == kDefaultRun) {
    return MakeError(ErrorCode::kFailedPrecondition, "the run 'default' cannot be deleted");
  }
  for (Primitive p : kRunScopedPrimitives) {
    const std::string ns = storage::NamespacePrefix(p, run);
    const size_t offset = ns.size();
    std::vector<std::string> keys;
    c.txn.Scan(ns, storage::PrefixSuccessor(ns),
               [&](std::string_view store_key, const Versioned<Value>&) {
                 keys.emplace_back(store_key.substr(offset));
                 return true;
               });
    for (const std::string& key : keys) {
      STRATA_RETURN_IF_ERROR(c.txn.Write(storage::MutationType::kDelete, p, run, key,
                                         Value(), /*counts_as_op=*/false));
    }
  }
  return c.txn.Write(storage::MutationType::kDelete, Primitive::kRun, run, "", Value());
}

absl::Status MarkRunDeleting(OpContext& c, std::string_view run) {
  STRATA_ASSIGN_OR_RETURN(Versioned<RunInfo> current, ReadRun(c, run));
  if (run == kDefaultRun) {
    return MakeError(ErrorCode::kFailedPrecondition, "the run 'default' cannot be deleted");
  }
  Value record = EncodeRunRecord(current.value);
  record.MutableObject().emplace(kDeletingField, Value(true));
  return c.txn.Write(storage::MutationType::kPut, Primitive::kRun, run, "",
                     std::move(record));
}

absl::Status ClearRunDeleting(OpContext& c, std::string_view run) {
  STRATA_ASSIGN_OR_RETURN(Versioned<RunInfo> current, ReadRun(c, run));
  return WriteRun(c, current.value);  // The record without the mark.
}

absl::StatusOr<std::vector<RunInfo>> QueryRuns(OpContext& c, const RunQuery& query) {
  STRATA_RETURN_IF_ERROR(CheckLimit(query.limit));
  std::vector<RunInfo> runs;
  absl::Status damaged;
  ForEachRun(c, [&](std::string_view run, const Value* record) {
    if (record == nullptr) {
      runs.push_back(DefaultRunInfo());
      return true;
    }
    absl::StatusOr<RunInfo> info = DecodeRunRecord(run, *record);
    if (!info.ok()) {
      damaged = info.status();
      return false;
    }
    runs.push_back(*std::move(info));
    return true;
  });
  STRATA_RETURN_IF_ERROR(damaged);
  auto matches = [&](const RunInfo& r) {
    if (query.status.has_value() && r.status != *query.status) return false;
    if (query.parent.has_value() && r.parent != *query.parent) return false;
    if (query.tag.has_value() &&
        std::find(r.tags.begin(), r.tags.end(), *query.tag) == r.tags.end()) {
      return false;
    }
    if (query.from_us.has_value() && r.created_us < *query.from_us) return false;
    if (query.to_us.has_value() && r.created_us > *query.to_us) return false;
    return true;
  };
  std::erase_if(runs, [&](const RunInfo& r) { return !matches(r); });
  std::sort(runs.begin(), runs.end(), [](const RunInfo& a, const RunInfo& b) {
    return std::tie(a.created_us, a.id) < std::tie(b.created_us, b.id);
  });
  if (runs.size() > query.limit) runs.resize(query.limit);
  return runs;
}

std::vector<RunId> ListRunIds(OpContext& c) {
  std::vector<RunId> ids;
  ForEachRun(c, [&](std::string_view run, const Value*) {
    ids.emplace_back(run);
    return true;
  });
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace strata::primitives
