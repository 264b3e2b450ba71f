// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
#include "strata/status.hpp"

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/cord.h"
#include "gtest/gtest.h"
#include "test_util.hpp"

namespace strata {
namespace {

constexpr char kNameUrl[] = "type.strata.dev/strata.ErrorName";
constexpr char kVersionUrl[] = "type.strata.dev/strata.ErrorVersion";

struct Expected {
  ErrorCode code;
  const char* name;
  absl::StatusCode canonical;
};

// The stable table: names and numbers never change.
const std::vector<Expected>& AllCodes() {
  static const auto* codes = new std::vector<Expected>{
      {ErrorCode::kOk, "Ok", absl::StatusCode::kOk},
      {ErrorCode::kNotFound, "NotFound", absl::StatusCode::kNotFound},
      {ErrorCode::kAlreadyExists, "AlreadyExists", absl::StatusCode::kAlreadyExists},
      {ErrorCode::kConflict, "Conflict", absl::StatusCode::kAborted},
      {ErrorCode::kVersionNotFound, "VersionNotFound", absl::StatusCode::kNotFound},
      {ErrorCode::kHistoryTrimmed, "HistoryTrimmed", absl::StatusCode::kOutOfRange},
      {ErrorCode::kInvalidArgument, "InvalidArgument", absl::StatusCode::kInvalidArgument},
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
  };
  return *codes;
}

TEST(StatusTest, NumericValuesAreStable) {
  for (size_t i = 0; i < AllCodes().size(); ++i) {
    EXPECT_EQ(static_cast<size_t>(AllCodes()[i].code), i) << AllCodes()[i].name;
  }
}

TEST(StatusTest, NamesRoundTrip) {
  for (const Expected& e : AllCodes()) {
    EXPECT_EQ(ErrorName(e.code), e.name);
    EXPECT_EQ(ErrorCodeFromName(e.name), e.code);
  }
  EXPECT_EQ(ErrorCodeFromName("conflict"), std::nullopt);
  EXPECT_EQ(ErrorCodeFromName(""), std::nullopt);
  EXPECT_EQ(ErrorCodeFromName("Unknown"), std::nullopt);
  EXPECT_FALSE(ErrorName(static_cast<ErrorCode>(999)).empty());
}

TEST(StatusTest, CanonicalCodes) {
  for (const Expected& e : AllCodes()) {
    EXPECT_EQ(CanonicalCode(e.code), e.canonical) << e.name;
  }
}

TEST(StatusTest, MakeErrorAttachesName) {
  for (const Expected& e : AllCodes()) {
    if (e.code == ErrorCode::kOk) continue;
    const absl::Status s = MakeError(e.code, "something broke");
    EXPECT_EQ(s.code(), e.canonical) << e.name;
    EXPECT_EQ(s.message(), "something broke");
    EXPECT_EQ(GetErrorCode(s), e.code) << e.name;
    const absl::optional<absl::Cord> payload = s.GetPayload(kNameUrl);
    ASSERT_TRUE(payload.has_value()) << e.name;
    EXPECT_EQ(std::string(*payload), e.name);
    EXPECT_EQ(ErrorVersion(s), std::nullopt);
  }
}

TEST(StatusTest, MakeErrorOkIsOk) {
  EXPECT_TRUE(MakeError(ErrorCode::kOk, "ignored").ok());
  EXPECT_TRUE(MakeErrorWithVersion(ErrorCode::kOk, "ignored", 5).ok());
  EXPECT_EQ(GetErrorCode(absl::OkStatus()), ErrorCode::kOk);
  EXPECT_EQ(ErrorVersion(absl::OkStatus()), std::nullopt);
}

TEST(StatusTest, SharedCanonicalCodesStayDistinct) {
  const absl::Status not_found = MakeError(ErrorCode::kNotFound, "no key");
  const absl::Status no_version = MakeError(ErrorCode::kVersionNotFound, "no version");
  EXPECT_EQ(not_found.code(), no_version.code());
  // Qualified: unqualified IsNotFound(status) is ambiguous with absl::IsNotFound
  // found by argument-dependent lookup.
  EXPECT_TRUE(strata::IsNotFound(not_found));
  EXPECT_FALSE(strata::IsNotFound(no_version));
  EXPECT_EQ(GetErrorCode(no_version), ErrorCode::kVersionNotFound);
  EXPECT_EQ(GetErrorCode(MakeError(ErrorCode::kBusy, "locked")), ErrorCode::kBusy);
  EXPECT_EQ(GetErrorCode(MakeError(ErrorCode::kClosed, "closed")), ErrorCode::kClosed);
  EXPECT_EQ(GetErrorCode(MakeError(ErrorCode::kIoError, "EIO")), ErrorCode::kIoError);
}

TEST(StatusTest, MakeErrorWithVersion) {
  const absl::Status conflict =
      MakeErrorWithVersion(ErrorCode::kConflict, "cas failed", 42);
  EXPECT_TRUE(IsConflict(conflict));
  EXPECT_EQ(conflict.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(ErrorVersion(conflict), 42u);
  const absl::optional<absl::Cord> payload = conflict.GetPayload(kVersionUrl);
  ASSERT_TRUE(payload.has_value());
  EXPECT_EQ(std::string(*payload), "42");

  const uint64_t max = std::numeric_limits<uint64_t>::max();
  const absl::Status trimmed =
      MakeErrorWithVersion(ErrorCode::kHistoryTrimmed, "trimmed", max);
  EXPECT_EQ(GetErrorCode(trimmed), ErrorCode::kHistoryTrimmed);
  EXPECT_EQ(trimmed.code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(ErrorVersion(trimmed), max);
  EXPECT_EQ(ErrorVersion(MakeErrorWithVersion(ErrorCode::kConflict, "", 0)), 0u);
}

TEST(StatusTest, ForeignStatusesMapByCanonicalCode) {
  const std::vector<std::pair<absl::Status, ErrorCode>> cases = {
      {absl::AbortedError("x"), ErrorCode::kConflict},
      {absl::NotFoundError("x"), ErrorCode::kNotFound},
      {absl::AlreadyExistsError("x"), ErrorCode::kAlreadyExists},
      {absl::InvalidArgumentError("x"), ErrorCode::kInvalidArgument},
      {absl::OutOfRangeError("x"), ErrorCode::kInvalidArgument},
      {absl::ResourceExhaustedError("x"), ErrorCode::kResourceExhausted},
      {absl::DataLossError("x"), ErrorCode::kDataLoss},
      {absl::FailedPreconditionError("x"), ErrorCode::kFailedPrecondition},
      {absl::UnavailableError("x"), ErrorCode::kUnavailable},
      {absl::CancelledError("x"), ErrorCode::kCancelled},
      {absl::InternalError("x"), ErrorCode::kInternal},
      {absl::UnknownError("x"), ErrorCode::kInternal},
      {absl::DeadlineExceededError("x"), ErrorCode::kInternal},
      {absl::PermissionDeniedError("x"), ErrorCode::kInternal},
      {absl::UnimplementedError("x"), ErrorCode::kInternal},
  };
  for (const auto& [status, code] : cases) {
    EXPECT_EQ(GetErrorCode(status), code) << status;
  }
  EXPECT_TRUE(IsConflict(absl::AbortedError("x")));
  EXPECT_EQ(ErrorVersion(absl::AbortedError("x")), std::nullopt);
}

TEST(StatusTest, UnknownOrBadPayloadsFallBack) {
  absl::Status s = absl::NotFoundError("x");
  s.SetPayload(kNameUrl, absl::Cord("SomeFutureError"));
  EXPECT_EQ(GetErrorCode(s), ErrorCode::kNotFound);
  s.SetPayload(kNameUrl, absl::Cord("Ok"));  // An error is never Ok.
  EXPECT_EQ(GetErrorCode(s), ErrorCode::kNotFound);
  s.SetPayload(kVersionUrl, absl::Cord("not a number"));
  EXPECT_EQ(ErrorVersion(s), std::nullopt);
  s.SetPayload(kVersionUrl, absl::Cord("18446744073709551616"));  // 2^64
  EXPECT_EQ(ErrorVersion(s), std::nullopt);
}

TEST(StatusTest, PayloadSurvivesCopyAndReannotation) {
  const absl::Status original = MakeErrorWithVersion(ErrorCode::kConflict, "x", 7);
  absl::Status copy = original;
  EXPECT_EQ(GetErrorCode(copy), ErrorCode::kConflict);
  EXPECT_EQ(ErrorVersion(copy), 7u);
  EXPECT_EQ(copy, original);
}

TEST(StatusTest, TestMacrosUseTheErrorName) {
  EXPECT_ERROR(MakeError(ErrorCode::kDataLoss, "bad checksum"), ErrorCode::kDataLoss);
  EXPECT_ERROR(absl::StatusOr<int>(MakeError(ErrorCode::kBusy, "locked")),
               ErrorCode::kBusy);
  EXPECT_OK(MakeError(ErrorCode::kOk, ""));
}

}  // namespace
}  // namespace strata
