// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// The abseil build in Debian 12 is configured with its own absl::string_view
// (ABSL_OPTION_USE_STD_STRING_VIEW 0), which does not convert from
// std::string_view. Sv() bridges the two wherever a std::string_view meets an
// absl string API (StrCat, CHexEscape, Status messages, Cord).
#ifndef STRATA_UTIL_STRINGS_HPP_
#define STRATA_UTIL_STRINGS_HPP_

#include <string_view>

#include "absl/strings/string_view.h"

namespace strata::util {

inline absl::string_view Sv(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

}  // namespace strata::util

#endif  // STRATA_UTIL_STRINGS_HPP_
