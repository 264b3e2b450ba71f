// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Helpers shared by the primitives: argument checks for names and tags, and
// the big-endian integer keys that keep numeric ids in order.
//
// Thread safety: pure functions.
#ifndef STRATA_PRIMITIVES_COMMON_HPP_
#define STRATA_PRIMITIVES_COMMON_HPP_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace strata::primitives {

// InvalidArgument for an empty `text` or one with a NUL byte,
// ResourceExhausted above `max_bytes`. `what` names the argument.
absl::Status CheckName(std::string_view what, std::string_view text, size_t max_bytes);
// Each tag as CheckName("tag", ..., kMaxTagBytes); at most kMaxTagsPerEntity.
absl::Status CheckTags(const std::vector<std::string>& tags);

// `prefix` followed by `id` as 8 big-endian bytes.
std::string IdKey(char prefix, uint64_t id);
inline void AppendBigEndian64(std::string* out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((v >> shift) & 0xff));
  }
}
// Reads 8 big-endian bytes. REQUIRES: p points at 8 readable bytes.
inline uint64_t ReadBigEndian64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

// The DataLoss error for a stored record that does not decode.
absl::Status DamagedRecord(std::string_view what, std::string_view detail);

}  // namespace strata::primitives

#endif  // STRATA_PRIMITIVES_COMMON_HPP_
