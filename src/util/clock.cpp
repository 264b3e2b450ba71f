// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
#include "util/clock.hpp"

#include <time.h>

namespace strata::util {
namespace {

constexpr int64_t kMicrosPerSecond = 1000000;
constexpr int64_t kNanosPerMicro = 1000;

int64_t ReadClockMicros(clockid_t clock) {
  struct timespec ts {};
  // clock_gettime cannot fail for these two clocks with a valid pointer
  // (POSIX requires both); a zero reading is the documented fallback.
  if (clock_gettime(clock, &ts) != 0) return 0;
  return static_cast<int64_t>(ts.tv_sec) * kMicrosPerSecond +
         static_cast<int64_t>(ts.tv_nsec) / kNanosPerMicro;
}

}  // namespace

int64_t NowMicros() { return ReadClockMicros(CLOCK_REALTIME); }

int64_t MonotonicMicros() { return ReadClockMicros(CLOCK_MONOTONIC); }

}  // namespace strata::util
