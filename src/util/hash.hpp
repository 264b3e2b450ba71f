// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Fast non-cryptographic hashing (xxHash XXH3) for checksums and sharding.
#ifndef STRATA_UTIL_HASH_HPP_
#define STRATA_UTIL_HASH_HPP_

#include <cstdint>
#include <string_view>

#include <xxhash.h>

namespace strata::util {

inline uint64_t Hash64(std::string_view data, uint64_t seed = 0) {
  return XXH3_64bits_withSeed(data.data(), data.size(), seed);
}

// The 32-bit checksum stored in on-disk records: the low half of XXH3-64
// with a fixed seed, so an all-zero record never checks as valid.
inline constexpr uint64_t kChecksumSeed = 0x5354524154410001ull;  // "STRATA"
inline uint32_t Checksum32(std::string_view data) {
  return static_cast<uint32_t>(Hash64(data, kChecksumSeed));
}

}  // namespace strata::util

#endif  // STRATA_UTIL_HASH_HPP_
