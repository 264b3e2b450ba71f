// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Helpers shared by the Strata benchmarks: a deterministic pool of 16-byte
// keys, the 100-byte value, a sampled latency recorder, scratch directories
// and process memory readings. Header-only; used by bench/*.cpp only.
#ifndef STRATA_BENCH_BENCH_UTIL_HPP_
#define STRATA_BENCH_BENCH_UTIL_HPP_

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "benchmark/benchmark.h"

namespace strata_bench {

inline constexpr size_t kKeyBytes = 16;
inline constexpr size_t kValueBytes = 100;
// Number of distinct keys in the pool (a power of two).
inline constexpr size_t kKeyPoolSize = size_t{1} << 20;
inline constexpr size_t kKeyPoolMask = kKeyPoolSize - 1;

// 1,048,576 distinct 16-byte keys: key i is the 16 lower-case hex digits of
// i * an odd 64-bit constant, so consecutive indexes give keys in scattered
// order (a bijection, hence no duplicates). Built once, shared read-only.
class KeyPool {
 public:
  static const KeyPool& Get() {
    static const KeyPool* pool = new KeyPool();  // Never destroyed.
    return *pool;
  }

  // The key at `index` modulo the pool size.
  std::string_view Key(size_t index) const {
    return std::string_view(data_.data() + (index & kKeyPoolMask) * kKeyBytes,
                            kKeyBytes);
  }

 private:
  KeyPool() : data_(kKeyPoolSize * kKeyBytes, '\0') {
    static constexpr char kHex[] = "0123456789abcdef";
    for (size_t i = 0; i < kKeyPoolSize; ++i) {
      uint64_t x = static_cast<uint64_t>(i) * 0x9E3779B97F4A7C15ull;
      char* out = data_.data() + i * kKeyBytes;
      for (size_t d = 0; d < kKeyBytes; ++d) {
        out[kKeyBytes - 1 - d] = kHex[x & 0xF];
        x >>= 4;
      }
    }
  }

  std::string data_;
};

// The 100-byte value stored by every put benchmark.
inline const std::string& ValueString() {
  static const std::string* value = [] {
    auto* v = new std::string(kValueBytes, '\0');
    for (size_t i = 0; i < kValueBytes; ++i) {
      (*v)[i] = static_cast<char>('a' + (i * 7) % 26);
    }
    return v;
  }();
  return *value;
}

// A permutation of [0, n) for n a power of two: visits every index once in a
// scattered order (odd multiplier modulo 2^k).
inline size_t ScatteredIndex(size_t i, size_t n) {
  return (i * 0x9E3779B1u) & (n - 1);
}

// Records the latency of one operation in every kSampleEvery, so the clock
// reads cost little compared with the operation. Call Begin()/End() around
// the op when ShouldSample() says so; Report() adds mean/p50/p99/p99.9/max
// counters in nanoseconds and p99_over_mean.
class LatencySampler {
 public:
  static constexpr uint64_t kSampleEvery = 16;
  static constexpr size_t kMaxSamples = size_t{1} << 20;

  LatencySampler() { samples_.reserve(1 << 16); }

  bool ShouldSample() { return (counter_++ % kSampleEvery) == 0; }

  std::chrono::steady_clock::time_point Begin() const {
    return std::chrono::steady_clock::now();
  }
  void End(std::chrono::steady_clock::time_point start) {
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                        std::chrono::steady_clock::now() - start)
                        .count();
    if (samples_.size() < kMaxSamples) {
      samples_.push_back(static_cast<double>(ns));
    } else {
      samples_[next_overwrite_++ % kMaxSamples] = static_cast<double>(ns);
    }
  }

  void Report(benchmark::State& state) {
    if (samples_.empty()) return;
    std::vector<double> sorted = samples_;
    std::sort(sorted.begin(), sorted.end());
    double sum = 0;
    for (double s : sorted) sum += s;
    const double mean = sum / static_cast<double>(sorted.size());
    const auto at = [&](double q) {
      size_t idx = static_cast<size_t>(q * static_cast<double>(sorted.size()));
      return sorted[std::min(idx, sorted.size() - 1)];
    };
    state.counters["lat_mean_ns"] = benchmark::Counter(mean);
    state.counters["lat_p50_ns"] = benchmark::Counter(at(0.50));
    state.counters["lat_p99_ns"] = benchmark::Counter(at(0.99));
    state.counters["lat_p999_ns"] = benchmark::Counter(at(0.999));
    state.counters["lat_max_ns"] = benchmark::Counter(sorted.back());
    state.counters["p99_over_mean"] =
        benchmark::Counter(mean > 0 ? at(0.99) / mean : 0);
    state.counters["lat_samples"] =
        benchmark::Counter(static_cast<double>(sorted.size()));
  }

 private:
  uint64_t counter_ = 0;
  size_t next_overwrite_ = 0;
  std::vector<double> samples_;
};

// A fresh directory under $STRATA_BENCH_TMPDIR (default /tmp), removed with
// everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("STRATA_BENCH_TMPDIR");
    std::string tmpl = std::string(base != nullptr && *base != '\0' ? base
                                                                     : "/tmp") +
                       "/strata-bench-XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) {
      std::perror("mkdtemp");
      std::abort();
    }
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string Sub(std::string_view name) const {
    return path_ + "/" + std::string(name);
  }

 private:
  std::string path_;
};

// Resident set size of this process in bytes (from /proc/self/statm).
inline uint64_t ResidentBytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long long size_pages = 0;
  unsigned long long resident_pages = 0;
  const int n = std::fscanf(f, "%llu %llu", &size_pages, &resident_pages);
  std::fclose(f);
  if (n != 2) return 0;
  return resident_pages * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace strata_bench

#endif  // STRATA_BENCH_BENCH_UTIL_HPP_
