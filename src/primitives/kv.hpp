// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// The KV primitive: argument checks and transactional operations, as a
// stateless facade over TxnContext. The single-operation fast paths in
// DatabaseImpl use the same checks and key layout.
//
// Thread safety: stateless functions; the TxnContext passed in must be used
// by one thread at a time.
#ifndef STRATA_PRIMITIVES_KV_HPP_
#define STRATA_PRIMITIVES_KV_HPP_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/store_key.hpp"
#include "strata/database.hpp"
#include "txn/transaction_impl.hpp"

namespace strata::primitives {

inline std::string KvStoreKey(std::string_view run, std::string_view key) {
  return storage::MakeStoreKey(Primitive::kKv, run, key);
}

// The EntityRef text of a KV entry, for error messages.
std::string KvRefText(std::string_view run, std::string_view key);

// The NotFound error for a missing KV entry.
absl::Status KvNotFound(std::string_view run, std::string_view key);

// Maps the result of a get to an existence answer: true when found, false
// for NotFound, and any other error unchanged.
absl::StatusOr<bool> ExistsFromGet(const absl::StatusOr<Versioned<Value>>& got);

// InvalidArgument / ResourceExhausted for a bad run id or key.
absl::Status CheckRunAndKey(std::string_view run, std::string_view key);
// ResourceExhausted when `value` is larger than `max_value_bytes` or nested
// deeper than kMaxValueDepth.
absl::Status CheckValue(const Value& value, uint64_t max_value_bytes);
// InvalidArgument for a limit outside 1..kMaxListLimit.
absl::Status CheckLimit(uint32_t limit);

// The store-key range [start, end) that a listing covers, after the cursor.
struct ListBounds {
  std::string start;
  std::string end;
};
ListBounds ListBoundsIn(Primitive primitive, std::string_view run,
                        const ListRequest& request);
inline ListBounds KvListBounds(std::string_view run, const ListRequest& request) {
  return ListBoundsIn(Primitive::kKv, run, request);
}

// Collects up to request.limit entries from a visitor-style scan, filling the
// cursor when more may follow. `scan` calls its argument for each live entry
// in order until it returns false.
template <typename ScanFn>
KvPage CollectPage(std::string_view run, const ListRequest& request, ScanFn&& scan) {
  KvPage page;
  const size_t key_offset = 2 + run.size();
  bool more = false;
  scan([&](std::string_view store_key, const Versioned<Value>& v) {
    if (page.entries.size() == request.limit) {
      more = true;
      return false;
    }
    page.entries.push_back(KvEntry{Key(store_key.substr(key_offset)), v});
    return true;
  });
  if (more) page.next_cursor = page.entries.back().key;
  return page;
}

// Transactional operations.
absl::StatusOr<Versioned<Value>> KvGet(txn::TxnContext& txn, std::string_view run,
                                       std::string_view key);
absl::StatusOr<KvPage> KvList(txn::TxnContext& txn, std::string_view run,
                              const ListRequest& request);
// A listing of any key-per-entity namespace (KV, state cells).
absl::StatusOr<KvPage> ListIn(txn::TxnContext& txn, Primitive primitive,
                              std::string_view run, const ListRequest& request);

}  // namespace strata::primitives

#endif  // STRATA_PRIMITIVES_KV_HPP_
