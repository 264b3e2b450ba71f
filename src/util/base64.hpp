// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
#ifndef STRATA_UTIL_BASE64_HPP_
#define STRATA_UTIL_BASE64_HPP_

#include <optional>
#include <string>
#include <string_view>

namespace strata::util {

// Standard base64 (RFC 4648 section 4) with padding.
std::string Base64Encode(std::string_view data);
// Strict decoding: padding required, no whitespace. nullopt on bad input.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace strata::util

#endif  // STRATA_UTIL_BASE64_HPP_
