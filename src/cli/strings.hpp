// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Debian's abseil 20220623 is built with its own absl::string_view (not
// std::string_view), so std::string_view arguments to absl string functions
// go through Sv(). Internal to src/cli.
#ifndef STRATA_CLI_STRINGS_HPP_
#define STRATA_CLI_STRINGS_HPP_

#include <string_view>

#include "absl/strings/string_view.h"

namespace strata::cli {

inline absl::string_view Sv(std::string_view s) { return absl::string_view(s.data(), s.size()); }

}  // namespace strata::cli

#endif  // STRATA_CLI_STRINGS_HPP_
