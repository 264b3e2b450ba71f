// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// The binary encoding of Value used in WAL records and snapshots.
// Documented in docs/value-encoding.md. Stable: never change
// the meaning of an existing tag.
//
// Thread safety: pure functions.
#ifndef STRATA_UTIL_VALUE_CODEC_HPP_
#define STRATA_UTIL_VALUE_CODEC_HPP_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "strata/value.hpp"

namespace strata::util {

// Appends the encoding of `value` to `*out`.
void EncodeValue(const Value& value, std::string* out);

// Decodes one value from the front of `*in` and advances past it. Never
// crashes or reads out of bounds on arbitrary input: malformed bytes
// (truncation, unknown tag, over-long varint, length past the end, nesting
// deeper than kMaxValueDepth, unsorted or duplicate object keys) give
// DataLoss describing the problem.
absl::Status DecodeValue(std::string_view* in, Value* out);

}  // namespace strata::util

#endif  // STRATA_UTIL_VALUE_CODEC_HPP_
