#!/usr/bin/env bash
# Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
#
# Builds the benchmarks in Release mode and runs them; every benchmark binary
# writes Google Benchmark JSON into $OUT_DIR, and bench/report.py prints a
# markdown table of Strata/anchor ratios (anchors are measured in the same
# process, so the ratios hold up on shared, noisy machines).
#
# Environment:
#   BUILD_DIR    build directory (default: <repo>/build-bench)
#   OUT_DIR      where the JSON files go (default: $BUILD_DIR/results)
#   REPETITIONS  repetitions of each benchmark, interleaved at random; the
#                report uses the median (default: 3)
#   JOBS         parallel build jobs (default: 2)
#   STRATA_BENCH_TMPDIR  where the durable benchmarks make their scratch
#                directories (default: /tmp); they are removed afterwards
#   SKIP_BUILD=1 run the binaries already in $BUILD_DIR
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-${REPO}/build-bench}"
OUT_DIR="${OUT_DIR:-${BUILD_DIR}/results}"
REPETITIONS="${REPETITIONS:-3}"
JOBS="${JOBS:-2}"

if [[ "${SKIP_BUILD:-0}" != "1" ]]; then
  generator=()
  if command -v ninja >/dev/null 2>&1; then generator=(-G Ninja); fi
  cmake -S "${REPO}" -B "${BUILD_DIR}" "${generator[@]}" \
    -DCMAKE_BUILD_TYPE=Release -DSTRATA_BUILD_BENCHMARKS=ON \
    -DSTRATA_BUILD_TESTS=OFF -DSTRATA_BUILD_EXAMPLES=OFF
  cmake --build "${BUILD_DIR}" -j "${JOBS}" \
    --target kv_bench durability_bench memory_bench snapshot_bench primitives_bench json_bench recovery_bench vector_bench search_bench
fi

mkdir -p "${OUT_DIR}"
run() {
  local name="$1"
  shift
  echo "== ${name}" >&2
  "${BUILD_DIR}/bench/${name}" \
    --benchmark_out="${OUT_DIR}/${name}.json" --benchmark_out_format=json \
    "$@"
}
run kv_bench --benchmark_repetitions="${REPETITIONS}" \
  --benchmark_enable_random_interleaving=true
run durability_bench --benchmark_repetitions="${REPETITIONS}" \
  --benchmark_enable_random_interleaving=true
run primitives_bench --benchmark_repetitions="${REPETITIONS}" \
  --benchmark_enable_random_interleaving=true
run json_bench --benchmark_repetitions="${REPETITIONS}" \
  --benchmark_enable_random_interleaving=true
# Each benchmark builds its own 1,000,000-commit database (about a minute).
run recovery_bench
# One repetition, in its own process: RSS deltas need a fresh heap.
run memory_bench
# Single-threaded only: the 2-thread rows count the harness's own thread
# start-up allocations.
run snapshot_bench --benchmark_filter='threads:1$' --benchmark_repetitions="${REPETITIONS}"

python3 "${REPO}/bench/report.py" "${OUT_DIR}/kv_bench.json" \
  "${OUT_DIR}/durability_bench.json" "${OUT_DIR}/memory_bench.json" \
  "${OUT_DIR}/snapshot_bench.json" "${OUT_DIR}/primitives_bench.json" \
  "${OUT_DIR}/json_bench.json" "${OUT_DIR}/recovery_bench.json" \
  | tee "${OUT_DIR}/report.md"
echo "JSON and report.md are in ${OUT_DIR}" >&2
# Builds each index once in the process (100,000 x 384 vectors take a few
# minutes; STRATA_VECTOR_BENCH_N shrinks the synthetic set).
run vector_bench
# Builds its databases and indexes once in the process (FTS5, Strata with and
# without the keyword index, two HNSW graphs over 100,000 documents: a few
# minutes; STRATA_SEARCH_BENCH_N shrinks the synthetic set).
run search_bench
