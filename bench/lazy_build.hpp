// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Benchmark fixtures built once per process, by whichever benchmark needs
// them first.
#ifndef STRATA_BENCH_LAZY_BUILD_HPP_
#define STRATA_BENCH_LAZY_BUILD_HPP_

#include <memory>

#include "benchmark/benchmark.h"

namespace strata::bench {

// The fixture in `slot`, built by `build()` on first use. A fixture carries
// a std::string `error`; when it is set the benchmark is skipped with it and
// null is returned.
template <typename T, typename Build>
T* LazyBuild(benchmark::State& state, std::unique_ptr<T>& slot, Build&& build) {
  if (slot == nullptr) slot = build();
  if (!slot->error.empty()) {
    state.SkipWithError(slot->error.c_str());
    return nullptr;
  }
  return slot.get();
}

}  // namespace strata::bench

#endif  // STRATA_BENCH_LAZY_BUILD_HPP_
