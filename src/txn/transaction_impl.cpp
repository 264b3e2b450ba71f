// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
#include "txn/transaction_impl.hpp"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "storage/store_key.hpp"
#include "strata/status.hpp"

namespace strata::txn {

TxnContext::TxnContext(TransactionManager* manager, const TxnLimits& limits,
                       bool record_reads)
    : manager_(manager),
      limits_(limits),
      record_reads_(record_reads),
      pin_(manager->snapshots().Acquire(manager->visible())) {
  request_.snapshot = pin_.version;
}

TxnContext::~TxnContext() { Finish(); }

void TxnContext::Finish() {
  if (finished_) return;
  finished_ = true;
  manager_->snapshots().Release(pin_);
}

storage::ReadStatus TxnContext::Read(std::string_view store_key,
                                     Versioned<Value>* out, Version* earliest) {
  auto it = writes_.find(store_key);
  if (it != writes_.end()) {
    if (it->second.type == storage::MutationType::kDelete) {
      return storage::ReadStatus::kAbsent;
    }
    out->value = it->second.value;
    out->version = 0;
    out->timestamp_us = 0;
    return storage::ReadStatus::kFound;
  }
  if (record_reads_) request_.reads.emplace_back(store_key);
  return manager_->store()->Get(store_key, pin_.version, out, earliest);
}

storage::ReadStatus TxnContext::ReadVersion(std::string_view store_key, Version* version) {
  auto it = writes_.find(store_key);
  if (it != writes_.end()) {
    *version = 0;
    return it->second.type == storage::MutationType::kDelete ? storage::ReadStatus::kAbsent
                                                             : storage::ReadStatus::kFound;
  }
  if (record_reads_) request_.reads.emplace_back(store_key);
  return manager_->store()->Visit(store_key, pin_.version, nullptr,
                                  [&](const Value&, Version v, TimestampMicros) { *version = v; });
}

storage::ReadStatus TxnContext::Visit(std::string_view store_key,
                                      storage::MvccStore::VisitFn fn) {
  auto it = writes_.find(store_key);
  if (it != writes_.end()) {
    if (it->second.type == storage::MutationType::kDelete) {
      return storage::ReadStatus::kAbsent;
    }
    fn(it->second.value, 0, 0);
    return storage::ReadStatus::kFound;
  }
  if (record_reads_) request_.reads.emplace_back(store_key);
  return manager_->store()->Visit(store_key, pin_.version, nullptr, fn);
}

void TxnContext::ReadMany(absl::Span<const std::string_view> store_keys, ReadManyFn fn) {
  if (writes_.empty()) {
    if (record_reads_) {
      for (std::string_view key : store_keys) request_.reads.emplace_back(key);
    }
    manager_->store()->VisitMany(store_keys, pin_.version, fn);
    return;
  }
  // Own writes answer their keys; the store answers the rest.
  std::vector<std::string_view> from_store;
  std::vector<size_t> index_of;
  for (size_t i = 0; i < store_keys.size(); ++i) {
    auto it = writes_.find(store_keys[i]);
    if (it == writes_.end()) {
      if (record_reads_) request_.reads.emplace_back(store_keys[i]);
      from_store.push_back(store_keys[i]);
      index_of.push_back(i);
    } else if (it->second.type != storage::MutationType::kDelete) {
      fn(i, it->second.value, 0, 0);
    }
  }
  manager_->store()->VisitMany(
      from_store, pin_.version,
      [&](size_t i, const Value& value, Version version, TimestampMicros timestamp_us) {
        fn(index_of[i], value, version, timestamp_us);
      });
}

const Value* TxnContext::PendingValue(std::string_view store_key) const {
  auto it = writes_.find(store_key);
  if (it == writes_.end() || it->second.type == storage::MutationType::kDelete) {
    return nullptr;
  }
  return &it->second.value;
}


bool TxnContext::HasPendingWrite(std::string_view store_key, bool* deleted) const {
  auto it = writes_.find(store_key);
  if (it == writes_.end()) return false;
  *deleted = it->second.type == storage::MutationType::kDelete;
  return true;
}

void TxnContext::Scan(std::string_view start, std::string_view end,
                      const ScanFn& fn) {
  auto pending = writes_.lower_bound(start);
  auto in_range = [&](const auto& it) {
    return it != writes_.end() && (end.empty() || it->first < end);
  };
  bool stopped = false;
  std::string last_key;  // Last key examined when the visitor stopped.
  Versioned<Value> own;
  // Emits own writes ordered before `key` (all remaining ones if null).
  auto emit_pending_before = [&](const std::string_view* key) {
    while (!stopped && in_range(pending) && (key == nullptr || pending->first < *key)) {
      if (pending->second.type != storage::MutationType::kDelete) {
        own.value = pending->second.value;
        if (!fn(pending->first, own)) {
          stopped = true;
          last_key = pending->first;
        }
      }
      ++pending;
    }
  };
  manager_->store()->Scan(
      start, end, pin_.version, nullptr,
      [&](std::string_view key, const Versioned<Value>& value) {
        emit_pending_before(&key);
        if (stopped) return false;
        if (in_range(pending) && pending->first == key) {
          const bool deleted = pending->second.type == storage::MutationType::kDelete;
          if (!deleted) own.value = pending->second.value;
          ++pending;
          if (deleted) return true;
          if (!fn(key, own)) {
            stopped = true;
            last_key = std::string(key);
          }
          return !stopped;
        }
        if (!fn(key, value)) {
          stopped = true;
          last_key = std::string(key);
        }
        return !stopped;
      });
  emit_pending_before(nullptr);
  // The read set covers what was examined: up to and including the last key
  // when the visitor stopped early, the whole range otherwise.
  ScanRange range{std::string(start), std::string(end)};
  if (stopped) range.end = last_key + '\0';
  if (record_reads_) request_.scans.push_back(std::move(range));
}

absl::Status TxnContext::Write(storage::MutationType type, Primitive primitive,
                               std::string_view run, std::string_view key,
                               Value value, bool counts_as_op) {
  if (finished_) {
    return MakeError(ErrorCode::kFailedPrecondition, "transaction already finished");
  }
  const uint64_t bytes = key.size() + run.size() + value.ApproximateSize();
  if (counts_as_op && write_ops_ + 1 > limits_.max_transaction_ops) {
    return MakeError(ErrorCode::kResourceExhausted,
                     absl::StrCat("transaction exceeds ", limits_.max_transaction_ops,
                                  " mutations (Options::max_transaction_ops)"));
  }
  if (write_bytes_ + bytes > limits_.max_transaction_bytes) {
    return MakeError(ErrorCode::kResourceExhausted,
                     absl::StrCat("transaction exceeds ", limits_.max_transaction_bytes,
                                  " bytes (Options::max_transaction_bytes)"));
  }
  if (counts_as_op) ++write_ops_;
  write_bytes_ += bytes;
  std::string store_key = storage::MakeStoreKey(primitive, run, key);
  Pending& p = writes_[std::move(store_key)];
  p.type = type;
  p.primitive = primitive;
  p.run = std::string(run);
  p.key = std::string(key);
  p.value = std::move(value);
  return absl::OkStatus();
}

void TxnContext::ExpectVersion(std::string store_key, Version expected) {
  request_.cas.push_back(CasCheck{std::move(store_key), expected});
}

absl::StatusOr<Version> TxnContext::Commit() {
  if (finished_) {
    return MakeError(ErrorCode::kFailedPrecondition, "transaction already finished");
  }
  if (extension_ != nullptr) {
    std::unique_ptr<Extension> extension = std::move(extension_);
    absl::Status s = extension->Flush(*this);
    if (!s.ok()) {
      Rollback();
      return s;
    }
  }
  request_.mutations.reserve(writes_.size());
  request_.store_keys.reserve(writes_.size());
  for (auto& [store_key, p] : writes_) {
    request_.mutations.push_back(
        storage::Mutation{p.type, p.primitive, std::move(p.run), std::move(p.key),
                          std::move(p.value)});
    request_.store_keys.push_back(store_key);
  }
  writes_.clear();
  absl::StatusOr<Version> result = manager_->Commit(request_);
  Finish();
  return result;
}

void TxnContext::Rollback() {
  writes_.clear();
  extension_.reset();
  Finish();
}

}  // namespace strata::txn
