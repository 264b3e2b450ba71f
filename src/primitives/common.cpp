// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
#include "primitives/common.hpp"

#include "absl/strings/str_cat.h"
#include "strata/primitives.hpp"
#include "strata/status.hpp"
#include "util/strings.hpp"

namespace strata::primitives {

using util::Sv;

absl::Status CheckName(std::string_view what, std::string_view text, size_t max_bytes) {
  if (text.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, absl::StrCat(Sv(what), " is empty"));
  }
  if (text.size() > max_bytes) {
    return MakeError(ErrorCode::kResourceExhausted,
                     absl::StrCat(Sv(what), " of ", text.size(),
                                  " bytes exceeds the limit of ", max_bytes, " bytes"));
  }
  if (text.find('\0') != std::string_view::npos) {
    return MakeError(ErrorCode::kInvalidArgument,
                     absl::StrCat(Sv(what), " contains a NUL byte at position ",
                                  text.find('\0')));
  }
  return absl::OkStatus();
}

absl::Status CheckTags(const std::vector<std::string>& tags) {
  if (tags.size() > kMaxTagsPerEntity) {
    return MakeError(ErrorCode::kResourceExhausted,
                     absl::StrCat(tags.size(), " tags exceed the limit of ",
                                  kMaxTagsPerEntity));
  }
  for (const std::string& tag : tags) {
    if (absl::Status s = CheckName("tag", tag, kMaxTagBytes); !s.ok()) return s;
  }
  return absl::OkStatus();
}

std::string IdKey(char prefix, uint64_t id) {
  std::string out;
  out.reserve(9);
  out.push_back(prefix);
  AppendBigEndian64(&out, id);
  return out;
}

absl::Status DamagedRecord(std::string_view what, std::string_view detail) {
  return MakeError(ErrorCode::kDataLoss,
                   absl::StrCat("damaged ", Sv(what), ": ", Sv(detail)));
}

}  // namespace strata::primitives
