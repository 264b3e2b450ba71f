// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
#include "txn/transaction_manager.hpp"

#include <algorithm>
#include <limits>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "storage/store_key.hpp"
#include "storage/wal_format.hpp"
#include "strata/status.hpp"
#include "util/strings.hpp"
#include "util/clock.hpp"
#include "util/status_macros.hpp"
#include "json/record.hpp"

namespace strata::txn {

namespace {

// Spins, then yields: waits here are for other committers' installs, which
// take about a microsecond, so spinning for a few microseconds avoids a trip
// through the scheduler; but on a machine with fewer cores than committers
// the thread being waited for may need this core, hence the yield after.
constexpr int kSpinsBeforeYield = 256;

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

template <typename Pred>
void SpinUntil(Pred pred) {
  for (int i = 0; !pred(); ++i) {
    if (i < kSpinsBeforeYield) {
      CpuRelax();
    } else {
      std::this_thread::yield();
    }
  }
}

std::string DescribeKey(std::string_view store_key) {
  storage::StoreKeyParts parts;
  if (!storage::SplitStoreKey(store_key, &parts)) return "?";
  return EntityRef{std::string(parts.run), parts.primitive, std::string(parts.key), {}, {}}
      .ToString();
}

// Refresh the trim horizon this often (in commits): a stale horizon is only
// more conservative, and scanning the snapshot slots costs about a
// microsecond.
constexpr Version kHorizonRefreshInterval = 64;

}  // namespace

TransactionManager::TransactionManager(storage::MvccStore* store,
                                       storage::WalWriter* wal,
                                       DurabilityMode mode, bool trims_history)
    : store_(store), wal_(wal), mode_(mode), trims_history_(trims_history) {}

void TransactionManager::SetRecovered(Version last_version,
                                      TimestampMicros last_timestamp_us) {
  absl::MutexLock lock(&commit_mu_);
  last_assigned_ = last_version;
  last_timestamp_us_ = last_timestamp_us;
  installed_.store(last_version);
  visible_.store(last_version);
  horizon_.store(last_version);
}

void TransactionManager::WaitInstalled(Version v) const {
  SpinUntil([&] { return installed_.load(std::memory_order_acquire) >= v; });
}

absl::Status TransactionManager::Validate(const CommitRequest& request) {
  // CAS expectations first: their failure carries the current version.
  for (const CasCheck& cas : request.cas) {
    const Version current = store_->LiveHeadVersion(cas.store_key);
    if (current != cas.expected) {
      return MakeErrorWithVersion(
          ErrorCode::kConflict,
          absl::StrCat("compare-and-swap failed on ", DescribeKey(cas.store_key),
                       ": expected version ", cas.expected, ", current version ",
                       current),
          current);
    }
  }
  for (const std::string& key : request.reads) {
    if (store_->HeadVersion(key) > request.snapshot) {
      return MakeError(ErrorCode::kConflict,
                       absl::StrCat("transaction conflict: ", DescribeKey(key),
                                    " changed after the snapshot at version ",
                                    request.snapshot));
    }
  }
  for (const ScanRange& range : request.scans) {
    if (store_->RangeChangedSince(range.start, range.end, request.snapshot)) {
      return MakeError(ErrorCode::kConflict,
                       absl::StrCat("transaction conflict: a key in the scanned range from ",
                                    DescribeKey(range.start),
                                    " changed after the snapshot at version ",
                                    request.snapshot));
    }
  }
  return absl::OkStatus();
}

absl::Status TransactionManager::ValidateRunChecks(const CommitRequest& request) {
  for (const CasCheck& check : request.run_checks) {
    const Version current = store_->LiveHeadVersion(check.store_key);
    if (current != check.expected) {
      return MakeErrorWithVersion(
          ErrorCode::kConflict,
          absl::StrCat("transaction conflict: the run of ", DescribeKey(check.store_key),
                       " was changed or deleted while the transaction ran"),
          current);
    }
  }
  return absl::OkStatus();
}

absl::Status TransactionManager::ValidateRegions(const CommitRequest& request) {
  for (const RegionCheck& check : request.regions) {
    bool touched = false;
    store_->VisitNewer(check.store_key, request.snapshot,
                       [&](Version, bool tombstone, const Value& value) {
                         touched = tombstone || !value.is_bytes() ||
                                   json::RecordTouches(value.AsBytes(), check.path);
                         return !touched;
                       });
    if (touched) {
      return MakeError(ErrorCode::kConflict,
                       absl::StrCat("transaction conflict: ", DescribeKey(check.store_key),
                                    " changed at a path overlapping \"",
                                    check.path.ToPointer(), "\" after the snapshot at version ",
                                    request.snapshot));
    }
  }
  return absl::OkStatus();
}

absl::Status ApplyJsonPatchAtHead(const storage::MvccStore& store, std::string_view store_key,
                                  std::string_view ops, std::string* record) {
  absl::Status s;
  const storage::ReadStatus found = store.Visit(
      store_key, std::numeric_limits<Version>::max(), nullptr,
      [&](const Value& head, Version, TimestampMicros) {
        if (!head.is_bytes()) {
          s = MakeError(ErrorCode::kDataLoss, "JSON document record is not bytes");
          return;
        }
        const std::string_view head_record = head.AsBytes();
        s = json::ApplyToRecord(&head_record, ops, json::Limits(), record);
      });
  if (found != storage::ReadStatus::kFound) {
    s = json::ApplyToRecord(nullptr, ops, json::Limits(), record);
  }
  return s;
}

absl::Status TransactionManager::ApplyJsonPatches(CommitRequest& request) {
  for (size_t i = 0; i < request.mutations.size(); ++i) {
    storage::Mutation& m = request.mutations[i];
    if (m.type != storage::MutationType::kJsonPatch) continue;
    std::string record;
    absl::Status s =
        ApplyJsonPatchAtHead(*store_, request.store_keys[i], m.value.AsBytes(), &record);
    if (!s.ok()) {
      return MakeError(GetErrorCode(s),
                       absl::StrCat(DescribeKey(request.store_keys[i]), ": ", s.message()));
    }
    m.type = storage::MutationType::kPut;
    m.value = Value::MakeBytes(std::move(record));
  }
  return absl::OkStatus();
}

Version TransactionManager::TrimHorizon(Version version) {
  if (!trims_history_) return 0;
  if (version % kHorizonRefreshInterval == 0) {
    horizon_.store(snapshots_.Horizon(visible_), std::memory_order_relaxed);
  }
  return horizon_.load(std::memory_order_relaxed);
}

void TransactionManager::PublishVisible() {
  Version target = installed_.load(std::memory_order_acquire);
  if (mode_ == DurabilityMode::kStrict) {
    target = std::min(target, wal_->synced_version());
  }
  Version current = visible_.load(std::memory_order_acquire);
  while (target > current &&
         !visible_.compare_exchange_weak(current, target, std::memory_order_acq_rel)) {
  }
}

absl::StatusOr<Version> TransactionManager::Commit(CommitRequest& request) {
  if (request.mutations.empty()) return request.snapshot;  // Read-only.

  std::string record;
  if (wal_ != nullptr) {
    record.assign(storage::kRecordHeaderBytes, '\0');
    record[8] = static_cast<char>(storage::kRecordTypeCommit);
    storage::CommitRecord body;
    body.mutations = std::move(request.mutations);
    storage::EncodeCommitPayload(body, &record);
    request.mutations = std::move(body.mutations);
  }
  const bool validate =
      !request.reads.empty() || !request.scans.empty() || !request.cas.empty();
  bool has_json = false;
  bool has_json_patches = false;
  for (const storage::Mutation& m : request.mutations) {
    if (m.primitive != Primitive::kJson) continue;
    has_json = true;
    if (m.type == storage::MutationType::kJsonPatch) has_json_patches = true;
  }

  Version version = 0;
  TimestampMicros timestamp_us = 0;
  uint64_t lsn = 0;
  bool installed_under_lock = false;
  {
    absl::MutexLock lock(&commit_mu_);
    if (validate) {
      // Validation must see every commit ordered before this one.
      WaitInstalled(last_assigned_);
      absl::Status s = Validate(request);
      if (!s.ok()) {
        conflicts_.fetch_add(1, std::memory_order_relaxed);
        return s;
      }
    }
    if (!request.run_checks.empty()) {
      absl::Status s = ValidateRunChecks(request);
      if (!s.ok()) {
        conflicts_.fetch_add(1, std::memory_order_relaxed);
        return s;
      }
    }
    if (!request.regions.empty()) {
      absl::Status s = ValidateRegions(request);
      if (!s.ok()) {
        conflicts_.fetch_add(1, std::memory_order_relaxed);
        return s;
      }
    }
    if (has_json_patches) {
      STRATA_RETURN_IF_ERROR(ApplyJsonPatches(request));
    }
    version = last_assigned_ + 1;
    timestamp_us = std::max(util::NowMicros(), last_timestamp_us_);
    if (wal_ != nullptr) {
      storage::PatchCommitHeader(record.data() + storage::kRecordHeaderBytes,
                                 version, timestamp_us);
      storage::FinalizeRecord(&record);
      absl::StatusOr<uint64_t> appended = wal_->Append(record, version);
      if (!appended.ok()) return appended.status();
      lsn = *appended;
    }
    last_assigned_ = version;
    last_timestamp_us_ = timestamp_us;
    const Version locked_horizon = has_json ? TrimHorizon(version) : 0;
    for (size_t i = 0; i < request.mutations.size(); ++i) {
      storage::Mutation& m = request.mutations[i];
      if (m.primitive != Primitive::kRun && m.primitive != Primitive::kJson) continue;
      if (search_observer_ != nullptr) {
        search_observer_->OnCommit(version, timestamp_us, request.store_keys[i], m);
      }
      store_->Install(request.store_keys[i], version, timestamp_us,
                      m.type == storage::MutationType::kDelete, std::move(m.value),
                      m.primitive == Primitive::kRun ? 0 : locked_horizon);
      installed_under_lock = true;
    }
  }

  const Version horizon = TrimHorizon(version);
  for (size_t i = 0; i < request.mutations.size(); ++i) {
    storage::Mutation& m = request.mutations[i];
    if (installed_under_lock &&
        (m.primitive == Primitive::kRun || m.primitive == Primitive::kJson)) {
      continue;
    }
    if (m.primitive == Primitive::kVector && vector_observer_ != nullptr) {
      vector_observer_->OnCommit(version, timestamp_us, request.store_keys[i], m);
    }
    if (search_observer_ != nullptr) {
      search_observer_->OnCommit(version, timestamp_us, request.store_keys[i], m);
    }
    store_->Install(request.store_keys[i], version, timestamp_us,
                    m.type == storage::MutationType::kDelete, std::move(m.value),
                    horizon);
  }
  // Mark installed in commit order.
  SpinUntil([&] { return installed_.load(std::memory_order_acquire) == version - 1; });
  installed_.store(version, std::memory_order_release);
  commits_.fetch_add(1, std::memory_order_relaxed);

  if (mode_ == DurabilityMode::kStrict) {
    absl::Status s = wal_->SyncUpTo(lsn);
    if (!s.ok()) return s;
  }
  PublishVisible();
  if (mode_ == DurabilityMode::kBuffered) {
    absl::Status s = wal_->MaybeFlushBuffered(lsn);
    if (!s.ok()) return s;
  }
  return version;
}

}  // namespace strata::txn
