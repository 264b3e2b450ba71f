// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// The Strata error model: canonical absl codes plus a stable error name (and
// optionally a version) carried as status payloads.
#include "util/strings.hpp"
#include "strata/status.hpp"

#include <array>
#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace strata {
namespace {

using util::Sv;

// Payload type URLs. Part of the wire-visible error model: never change.
constexpr char kErrorNameUrl[] = "type.strata.dev/strata.ErrorName";
constexpr char kErrorVersionUrl[] = "type.strata.dev/strata.ErrorVersion";

struct CodeInfo {
  ErrorCode code;
  std::string_view name;
  absl::StatusCode canonical;
};

// Indexed by the numeric value of ErrorCode.
constexpr std::array<CodeInfo, 16> kCodes = {{
    {ErrorCode::kOk, "Ok", absl::StatusCode::kOk},
    {ErrorCode::kNotFound, "NotFound", absl::StatusCode::kNotFound},
    {ErrorCode::kAlreadyExists, "AlreadyExists", absl::StatusCode::kAlreadyExists},
    {ErrorCode::kConflict, "Conflict", absl::StatusCode::kAborted},
    {ErrorCode::kVersionNotFound, "VersionNotFound", absl::StatusCode::kNotFound},
    {ErrorCode::kHistoryTrimmed, "HistoryTrimmed", absl::StatusCode::kOutOfRange},
    {ErrorCode::kInvalidArgument, "InvalidArgument",
     absl::StatusCode::kInvalidArgument},
    {ErrorCode::kResourceExhausted, "ResourceExhausted",
     absl::StatusCode::kResourceExhausted},
    {ErrorCode::kDataLoss, "DataLoss", absl::StatusCode::kDataLoss},
    {ErrorCode::kFailedPrecondition, "FailedPrecondition",
     absl::StatusCode::kFailedPrecondition},
    {ErrorCode::kBusy, "Busy", absl::StatusCode::kFailedPrecondition},
    {ErrorCode::kIoError, "IoError", absl::StatusCode::kInternal},
    {ErrorCode::kInternal, "Internal", absl::StatusCode::kInternal},
    {ErrorCode::kUnavailable, "Unavailable", absl::StatusCode::kUnavailable},
    {ErrorCode::kCancelled, "Cancelled", absl::StatusCode::kCancelled},
    {ErrorCode::kClosed, "Closed", absl::StatusCode::kFailedPrecondition},
}};

// Codes outside the table (a value cast from a newer peer, or garbage) are
// treated as kInternal so that the result is always a valid error.
const CodeInfo& Info(ErrorCode code) {
  const auto index = static_cast<size_t>(code);
  if (index < kCodes.size()) return kCodes[index];
  return kCodes[static_cast<size_t>(ErrorCode::kInternal)];
}

ErrorCode FromCanonical(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return ErrorCode::kOk;
    case absl::StatusCode::kAborted:
      return ErrorCode::kConflict;
    case absl::StatusCode::kNotFound:
      return ErrorCode::kNotFound;
    case absl::StatusCode::kAlreadyExists:
      return ErrorCode::kAlreadyExists;
    case absl::StatusCode::kInvalidArgument:
      return ErrorCode::kInvalidArgument;
    case absl::StatusCode::kOutOfRange:
      // A foreign OutOfRange is a bad argument, not trimmed history: only
      // Strata itself knows when a version was removed by retention.
      return ErrorCode::kInvalidArgument;
    case absl::StatusCode::kResourceExhausted:
      return ErrorCode::kResourceExhausted;
    case absl::StatusCode::kDataLoss:
      return ErrorCode::kDataLoss;
    case absl::StatusCode::kFailedPrecondition:
      return ErrorCode::kFailedPrecondition;
    case absl::StatusCode::kUnavailable:
      return ErrorCode::kUnavailable;
    case absl::StatusCode::kCancelled:
      return ErrorCode::kCancelled;
    default:
      return ErrorCode::kInternal;
  }
}

}  // namespace

std::string_view ErrorName(ErrorCode code) {
  const auto index = static_cast<size_t>(code);
  if (index < kCodes.size()) return kCodes[index].name;
  return "Unknown";
}

std::optional<ErrorCode> ErrorCodeFromName(std::string_view name) {
  for (const CodeInfo& info : kCodes) {
    if (info.name == name) return info.code;
  }
  return std::nullopt;
}

absl::StatusCode CanonicalCode(ErrorCode code) { return Info(code).canonical; }

absl::Status MakeError(ErrorCode code, std::string_view message) {
  if (code == ErrorCode::kOk) return absl::OkStatus();
  const CodeInfo& info = Info(code);
  absl::Status status(info.canonical, Sv(message));
  status.SetPayload(kErrorNameUrl, absl::Cord(Sv(info.name)));
  return status;
}

absl::Status MakeErrorWithVersion(ErrorCode code, std::string_view message,
                                  uint64_t version) {
  absl::Status status = MakeError(code, message);
  // SetPayload on an OK status is a no-op, as intended.
  status.SetPayload(kErrorVersionUrl, absl::Cord(absl::StrCat(version)));
  return status;
}

ErrorCode GetErrorCode(const absl::Status& status) {
  if (status.ok()) return ErrorCode::kOk;
  if (absl::optional<absl::Cord> payload = status.GetPayload(kErrorNameUrl);
      payload.has_value()) {
    // A name this build does not know (from a newer peer) falls back to the
    // canonical mapping below.
    if (std::optional<ErrorCode> code =
            ErrorCodeFromName(std::string(*payload));
        code.has_value() && *code != ErrorCode::kOk) {
      return *code;
    }
  }
  return FromCanonical(status.code());
}

std::optional<uint64_t> ErrorVersion(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kErrorVersionUrl);
  if (!payload.has_value()) return std::nullopt;
  uint64_t version = 0;
  if (!absl::SimpleAtoi(std::string(*payload), &version)) return std::nullopt;
  return version;
}

}  // namespace strata
