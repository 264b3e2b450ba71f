// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// The Strata error model.
//
// Every fallible call returns absl::Status or absl::StatusOr<T>. The canonical
// absl code is the most specific one that fits (NotFound, Aborted for a
// transaction conflict, FailedPrecondition for a wrong state, ...). On top of
// that, every error produced by Strata carries a stable Strata error name
// (ErrorCode below) as a status payload, so callers, the wire protocol and
// other language bindings can tell apart errors that share a canonical code
// (for example VersionNotFound and NotFound are both absl NotFound).
//
// The names and numeric values of ErrorCode are part of the stable API: new
// values may be added, existing ones never change meaning or number.
//
// Thread safety: all functions here are pure and thread-safe.
#ifndef STRATA_STATUS_HPP_
#define STRATA_STATUS_HPP_

#include <cstdint>
#include <optional>
#include <string_view>

#include "absl/status/status.h"
#include "strata/export.hpp"

namespace strata {

enum class ErrorCode : uint16_t {
  kOk = 0,
  kNotFound = 1,             // absl NotFound: the entity does not exist.
  kAlreadyExists = 2,        // absl AlreadyExists: create of an existing entity.
  kConflict = 3,             // absl Aborted: OCC validation or CAS failed.
  kVersionNotFound = 4,      // absl NotFound: that version never existed.
  kHistoryTrimmed = 5,       // absl OutOfRange: retention removed that version.
  kInvalidArgument = 6,      // absl InvalidArgument: malformed input.
  kResourceExhausted = 7,    // absl ResourceExhausted: a documented limit.
  kDataLoss = 8,             // absl DataLoss: checksum or corruption on disk.
  kFailedPrecondition = 9,   // absl FailedPrecondition: wrong state.
  kBusy = 10,                // absl FailedPrecondition: another process holds
                             // the database lock.
  kIoError = 11,             // absl Internal: the operating system refused an
                             // I/O operation (disk full, permission, ...).
  kInternal = 12,            // absl Internal: a bug; please report it.
  kUnavailable = 13,         // absl Unavailable: network or server (client side).
  kCancelled = 14,           // absl Cancelled.
  kClosed = 15,              // absl FailedPrecondition: the database is closed.
};

// Returns the stable name of `code`, e.g. "Conflict". Never empty.
STRATA_EXPORT std::string_view ErrorName(ErrorCode code);

// Parses a stable name back into a code. Returns nullopt for unknown names.
STRATA_EXPORT std::optional<ErrorCode> ErrorCodeFromName(std::string_view name);

// The canonical absl code used for `code`.
STRATA_EXPORT absl::StatusCode CanonicalCode(ErrorCode code);

// Builds a status with the canonical code for `code`, `message`, and the
// Strata error name attached as a payload. MakeError(kOk, ...) returns OkStatus.
STRATA_EXPORT absl::Status MakeError(ErrorCode code, std::string_view message);

// Like MakeError, and additionally attaches a version number that the caller
// can read back with ErrorVersion(): the current version for a Conflict from a
// CAS, the earliest retained version for HistoryTrimmed.
STRATA_EXPORT absl::Status MakeErrorWithVersion(ErrorCode code,
                                                std::string_view message,
                                                uint64_t version);

// The Strata error code of `status`. For statuses created by Strata this is
// the attached name; for foreign statuses it is derived from the canonical
// code (Aborted -> kConflict, NotFound -> kNotFound, ...).
STRATA_EXPORT ErrorCode GetErrorCode(const absl::Status& status);

// The version attached with MakeErrorWithVersion, if any.
STRATA_EXPORT std::optional<uint64_t> ErrorVersion(const absl::Status& status);

// Convenience predicates.
inline bool IsConflict(const absl::Status& s) {
  return GetErrorCode(s) == ErrorCode::kConflict;
}
inline bool IsNotFound(const absl::Status& s) {
  return GetErrorCode(s) == ErrorCode::kNotFound;
}

}  // namespace strata

#endif  // STRATA_STATUS_HPP_
