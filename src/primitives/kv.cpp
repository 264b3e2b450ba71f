// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
#include "primitives/kv.hpp"

#include "absl/strings/str_cat.h"
#include "strata/status.hpp"
#include "util/status_macros.hpp"

namespace strata::primitives {

std::string KvRefText(std::string_view run, std::string_view key) {
  return EntityRef{std::string(run), Primitive::kKv, std::string(key), {}, {}}.ToString();
}

absl::Status KvNotFound(std::string_view run, std::string_view key) {
  return MakeError(ErrorCode::kNotFound, absl::StrCat("key not found: ", KvRefText(run, key)));
}

absl::StatusOr<bool> ExistsFromGet(const absl::StatusOr<Versioned<Value>>& got) {
  if (got.ok()) return true;
  if (GetErrorCode(got.status()) == ErrorCode::kNotFound) return false;
  return got.status();
}

absl::Status CheckRunAndKey(std::string_view run, std::string_view key) {
  STRATA_RETURN_IF_ERROR(ValidateRunId(run));
  return ValidateKey(key);
}

absl::Status CheckValue(const Value& value, uint64_t max_value_bytes) {
  const size_t size = value.ApproximateSize();
  if (size > max_value_bytes) {
    return MakeError(ErrorCode::kResourceExhausted,
                     absl::StrCat("value of about ", size, " bytes exceeds the limit of ",
                                  max_value_bytes, " bytes (Options::max_value_bytes)"));
  }
  if (value.Depth() > kMaxValueDepth) {
    return MakeError(ErrorCode::kResourceExhausted,
                     absl::StrCat("value nesting depth ", value.Depth(),
                                  " exceeds the limit of ", kMaxValueDepth));
  }
  return absl::OkStatus();
}

absl::Status CheckLimit(uint32_t limit) {
  if (limit == 0 || limit > kMaxListLimit) {
    return MakeError(ErrorCode::kInvalidArgument,
                     absl::StrCat("limit must be between 1 and ", kMaxListLimit,
                                  ", got ", limit));
  }
  return absl::OkStatus();
}

ListBounds ListBoundsIn(Primitive primitive, std::string_view run,
                        const ListRequest& request) {
  ListBounds b;
  const std::string ns = storage::NamespacePrefix(primitive, run);
  b.start = ns + request.prefix;
  b.end = storage::PrefixSuccessor(b.start);
  if (!request.cursor.empty()) {
    // Resume strictly after the cursor key.
    std::string after = ns + request.cursor + '\0';
    if (after > b.start) b.start = std::move(after);
  }
  return b;
}

absl::StatusOr<Versioned<Value>> KvGet(txn::TxnContext& txn, std::string_view run,
                                       std::string_view key) {
  STRATA_RETURN_IF_ERROR(CheckRunAndKey(run, key));
  Versioned<Value> out;
  Version earliest = 0;
  switch (txn.Read(KvStoreKey(run, key), &out, &earliest)) {
    case storage::ReadStatus::kFound:
      return out;
    case storage::ReadStatus::kTrimmed:
    case storage::ReadStatus::kAbsent:
      break;
  }
  return KvNotFound(run, key);
}

absl::StatusOr<KvPage> KvList(txn::TxnContext& txn, std::string_view run,
                              const ListRequest& request) {
  return ListIn(txn, Primitive::kKv, run, request);
}

absl::StatusOr<KvPage> ListIn(txn::TxnContext& txn, Primitive primitive,
                              std::string_view run, const ListRequest& request) {
  STRATA_RETURN_IF_ERROR(ValidateRunId(run));
  STRATA_RETURN_IF_ERROR(CheckLimit(request.limit));
  const ListBounds bounds = ListBoundsIn(primitive, run, request);
  if (bounds.start >= bounds.end) return KvPage{};
  return CollectPage(run, request, [&](const auto& fn) {
    txn.Scan(bounds.start, bounds.end, fn);
  });
}

}  // namespace strata::primitives
