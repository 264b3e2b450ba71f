// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// The two status-plumbing macros (abseil 20220623 ships none).
#ifndef STRATA_UTIL_STATUS_MACROS_HPP_
#define STRATA_UTIL_STATUS_MACROS_HPP_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define STRATA_CONCAT_INNER_(a, b) a##b
#define STRATA_CONCAT_(a, b) STRATA_CONCAT_INNER_(a, b)

// Returns from the enclosing function when `expr` (an absl::Status) is not OK.
#define STRATA_RETURN_IF_ERROR(expr)                 \
  do {                                               \
    ::absl::Status strata_status_ = (expr);          \
    if (!strata_status_.ok()) return strata_status_; \
  } while (0)

// `lhs = value of expr` where expr is an absl::StatusOr<T>; returns the error
// from the enclosing function otherwise. `lhs` may declare a variable.
#define STRATA_ASSIGN_OR_RETURN(lhs, expr) \
  STRATA_ASSIGN_OR_RETURN_IMPL_(STRATA_CONCAT_(strata_statusor_, __LINE__), lhs, expr)
#define STRATA_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return std::move(tmp).status();      \
  lhs = std::move(tmp).value()

#endif  // STRATA_UTIL_STATUS_MACROS_HPP_
