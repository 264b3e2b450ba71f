// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
#ifndef STRATA_UTIL_CLOCK_HPP_
#define STRATA_UTIL_CLOCK_HPP_

#include <cstdint>

namespace strata::util {

// Wall-clock microseconds since the Unix epoch.
int64_t NowMicros();
// Monotonic microseconds, for measuring intervals.
int64_t MonotonicMicros();

}  // namespace strata::util

#endif  // STRATA_UTIL_CLOCK_HPP_
