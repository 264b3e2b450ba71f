#!/usr/bin/env python3
# Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
"""Turns Google Benchmark JSON output of the Strata benchmarks into a
markdown table of ratios Strata / anchor, one row per target.

Usage: report.py RESULT.json [RESULT.json ...]

With --benchmark_repetitions, the median over repetitions of each benchmark
is used (run_type "iteration" entries only). A benchmark is named by its
function name plus "@<threads>" when it ran with more than one thread.
"""

import json
import statistics
import sys


def load(paths):
    """Returns {name: {field: median value}} over all files."""
    samples = {}
    context = None
    for path in paths:
        with open(path) as f:
            data = json.load(f)
        context = context or data.get("context")
        for b in data.get("benchmarks", []):
            if b.get("run_type", "iteration") != "iteration":
                continue
            if b.get("error_occurred"):
                name = key_of(b)
                samples.setdefault(name, {}).setdefault("error", []).append(
                    b.get("error_message", "error"))
                continue
            name = key_of(b)
            fields = samples.setdefault(name, {})
            for field, value in b.items():
                if isinstance(value, (int, float)) and not isinstance(
                        value, bool):
                    fields.setdefault(field, []).append(float(value))
    medians = {}
    for name, fields in samples.items():
        medians[name] = {}
        for field, values in fields.items():
            if field == "error":
                medians[name]["error"] = values[0]
            else:
                medians[name][field] = statistics.median(values)
                medians[name]["repetitions"] = len(values)
    return medians, context


def key_of(b):
    parts = b.get("run_name", b["name"]).split("/")
    # The name and its numeric arguments ("BM_JsonSetPath/1024").
    base = "/".join([parts[0]] + [p for p in parts[1:] if p.isdigit()])
    threads = int(b.get("threads", 1))
    return base if threads == 1 else "%s@%d" % (base, threads)


def fmt(value, unit):
    if value is None:
        return "n/a"
    if unit == "ops/s":
        if value >= 1e6:
            return "%.2fM ops/s" % (value / 1e6)
        if value >= 1e3:
            return "%.1fk ops/s" % (value / 1e3)
        return "%.0f ops/s" % value
    if unit == "x":
        return "%.2fx" % value
    if unit == "":
        return "%.3f" % value
    return "%.1f %s" % (value, unit)


class Report:
    def __init__(self, results):
        self.results = results
        self.rows = []
        self.missing = []

    def get(self, name, field="items_per_second"):
        r = self.results.get(name)
        if r is None or field not in r:
            if r is not None and "error" in r:
                self.missing.append("%s: %s" % (name, r["error"]))
            else:
                self.missing.append("%s.%s" % (name, field))
            return None
        return r[field]

    def ratio(self, section, what, strata, anchor, anchor_label, minimum,
              field="items_per_second", unit="ops/s"):
        """Row: Strata figure / anchor figure, which must be >= minimum."""
        s = self.get(strata, field)
        a = self.get(anchor, field)
        ratio = s / a if s is not None and a else None
        self.add(section, what, fmt(s, unit), "%s: %s" % (anchor_label,
                                                         fmt(a, unit)),
                 ratio, ">= %gx" % minimum if minimum is not None else
                 "(info)", None if minimum is None else
                 (ratio is not None and ratio >= minimum))

    def absolute(self, section, what, strata, minimum,
                 field="items_per_second", unit="ops/s"):
        """Row: Strata figure against an absolute target."""
        s = self.get(strata, field)
        ratio = s / minimum if s is not None else None
        self.add(section, what, fmt(s, unit),
                 "target: %s" % fmt(minimum, unit), ratio,
                 ">= %s" % fmt(minimum, unit),
                 ratio is not None and ratio >= 1.0)

    def at_most(self, section, what, name, field, maximum):
        """Row: a dimensionless figure that must be <= maximum."""
        v = self.get(name, field)
        mean = self.get(name, "lat_mean_ns")
        p50 = self.get(name, "lat_p50_ns")
        p99 = self.get(name, "lat_p99_ns")
        p999 = self.get(name, "lat_p999_ns")
        detail = "mean %s, p50 %s, p99 %s, p99.9 %s" % (
            fmt(mean, "ns"), fmt(p50, "ns"), fmt(p99, "ns"), fmt(p999, "ns"))
        self.add(section, what, detail, "its own mean", v,
                 "<= %gx" % maximum, v is not None and v <= maximum)

    def info(self, section, what, strata_text, anchor_text, ratio):
        self.add(section, what, strata_text, anchor_text, ratio, "(info)",
                 None)

    def add(self, section, what, strata, anchor, ratio, target, met,
            needs_ratio=True):
        status = ("MET" if met else "NOT MET") if met is not None else "-"
        if needs_ratio and ratio is None and met is not None:
            status = "NOT MEASURED"
        self.rows.append((section, what, strata, anchor,
                          fmt(ratio, "x") if ratio is not None else "n/a",
                          target, status))

    def markdown(self):
        out = ["| # | Measure | Strata | Anchor (same run) | Ratio | Target "
               "| Status |",
               "|---|---|---|---|---|---|---|"]
        for row in self.rows:
            out.append("| " + " | ".join(row) + " |")
        return "\n".join(out)


def build(results):
    r = Report(results)
    # 1. In-memory KV.
    r.absolute("1", "InMemory put (1 thread)", "BM_StrataInMemoryPut", 2e6)
    r.ratio("1", "InMemory put vs SQLite :memory: INSERT OR REPLACE",
            "BM_StrataInMemoryPut", "BM_SqliteMemoryPut",
            "SQLite :memory:", 10)
    r.ratio("1", "InMemory put vs SQLite memdb VFS (stronger anchor)",
            "BM_StrataInMemoryPut", "BM_SqliteMemdbPut", "SQLite memdb",
            10)
    r.absolute("1", "InMemory get (1 thread)", "BM_StrataInMemoryGet", 5e6)
    r.ratio("1", "InMemory get vs SQLite :memory: point SELECT",
            "BM_StrataInMemoryGet", "BM_SqliteMemoryGet", "SQLite :memory:",
            5)
    r.at_most("1", "InMemory put latency p99/mean", "BM_StrataInMemoryPut",
              "p99_over_mean", 10)
    r.at_most("1", "InMemory get latency p99/mean", "BM_StrataInMemoryGet",
              "p99_over_mean", 10)
    # 2. Buffered.
    r.absolute("2", "Buffered put (1 thread)", "BM_StrataBufferedPut", 1e6)
    r.ratio("2", "Buffered put vs RocksDB (WAL on, sync off)",
            "BM_StrataBufferedPut", "BM_RocksDbPut", "RocksDB", 1.0)
    # 3. Strict.
    r.ratio("3", "Strict put, 1 committer vs raw write+fdatasync",
            "BM_StrataStrictPut", "BM_RawAppendFdatasync", "raw fdatasync",
            0.8)
    r.ratio("3", "Strict put, 16 committers vs 1 committer (group commit)",
            "BM_StrataStrictPut@16", "BM_StrataStrictPut",
            "Strata 1 committer", 5.0)
    r.ratio("3", "Strict put, 1 committer vs SQLite WAL synchronous=FULL",
            "BM_StrataStrictPut", "BM_SqliteWalFullPut", "SQLite WAL FULL",
            1.0)
    r.ratio("3", "Strict put, 1 committer vs LMDB (default sync)",
            "BM_StrataStrictPut", "BM_LmdbPut", "LMDB", None)
    r.ratio("3", "Strict put, 16 committers vs SQLite WAL synchronous=FULL",
            "BM_StrataStrictPut@16", "BM_SqliteWalFullPut",
            "SQLite WAL FULL", None)
    # 4. Thread scaling.
    r.ratio("4", "InMemory put, 2 threads vs 1 thread (disjoint keys)",
            "BM_StrataInMemoryPutDisjoint@2", "BM_StrataInMemoryPutDisjoint",
            "Strata 1 thread", 1.8)
    # 6. Snapshot acquisition: <= 100 ns, allocation-free.
    t = r.get("BM_SnapshotAcquireRelease", "real_time")
    a = r.get("BM_Anchor_MutexLockUnlock", "real_time")
    r.add("6", "Snapshot acquire+release (1 thread)", fmt(t, "ns"),
          "mutex lock+unlock: %s" % fmt(a, "ns"),
          t / a if t is not None and a else None, "<= 100 ns",
          t is not None and t <= 100)
    allocs = r.get("BM_SnapshotAcquireRelease", "allocs_per_op")
    r.add("6", "Snapshot acquisition heap allocations per op",
          "%g" % allocs if allocs is not None else "n/a", "-", None, "0",
          allocs is not None and allocs == 0, needs_ratio=False)
    # 5. Memory per entry (no numeric target: reported against anchors).
    for field, label in (("stats_overhead_per_entry",
                          "Stats().memory_bytes"),
                         ("rss_overhead_per_entry", "RSS delta")):
        s = r.get("BM_StrataMemoryPerEntry", field)
        for anchor, anchor_label in (("BM_SqliteMemoryPerEntry", "SQLite"),
                                     ("BM_StdMapMemoryPerEntry",
                                      "std::map")):
            anchor_field = field
            if anchor == "BM_StdMapMemoryPerEntry":
                anchor_field = "rss_overhead_per_entry"
            a = r.get(anchor, anchor_field)
            ratio = s / a if s is not None and a else None
            r.info("5", "Overhead bytes/entry beyond 116 B payload (%s) vs %s"
                   % (label, anchor_label), fmt(s, "B"),
                   "%s: %s" % (anchor_label, fmt(a, "B")), ratio)
    # 7. Agent primitives (InMemory, 1 thread) and their cost over a KV put
    # of the same payload into the same run (the "facade tax", <= 2x, i.e.
    # primitive throughput >= 0.5x the KV put's).
    r.absolute("7", "Event append", "BM_PrimEventAppend", 1e6)
    r.absolute("7", "State cas", "BM_PrimStateCas", 1e6)
    r.absolute("7", "Trace span record", "BM_PrimTraceRecord", 5e5)
    for name, label in (("BM_PrimEventAppend", "Event append"),
                        ("BM_PrimStateCas", "State cas"),
                        ("BM_PrimTraceRecord", "Trace span record")):
        r.ratio("7", "%s vs KV put of the same payload (facade tax)" % label,
                name, "BM_PrimKvPut", "KV put", 0.5)
    t = r.get("BM_PrimEventRange100", "real_time")
    a = r.get("BM_PrimKvList100", "real_time")
    r.add("7", "Range read of 100 events", fmt(t / 1e3 if t else None, "us"),
          "KvList of 100: %s" % fmt(a / 1e3 if a else None, "us"),
          t / a if t is not None and a else None, "<= 10 us",
          t is not None and t <= 1e4)
    # 8. JSON documents (InMemory, 1 thread, depth-3 paths).
    r.absolute("8", "JSON set at a path (1 KiB document)", "BM_JsonSetPath/1024", 5e5)
    r.absolute("8", "JSON get at a path (1 KiB document)", "BM_JsonGetPath", 2e6)
    r.absolute("8", "JSON 5-operation patch (1 KiB document)", "BM_JsonPatch5", 2e5)
    r.ratio("8", "JSON get at a path vs KvGet of the document", "BM_JsonGetPath",
            "BM_KvGetDoc", "KvGet of the 1 KiB document", None)
    for size in (1024, 4096, 16384, 65536):
        r.ratio("8", "JSON set at a path vs rewriting the document as a KV value (%d KiB)"
                % (size // 1024), "BM_JsonSetPath/%d" % size,
                "BM_KvRewriteDoc/%d" % size, "KV rewrite", 1.0 if size >= 4096 else None)
    for size in (1024, 16384, 65536):
        name = "BM_JsonSetPathWal/%d" % size
        w = r.get(name, "wal_bytes_per_op")
        d = r.get(name, "doc_bytes")
        r.info("8", "WAL bytes per path set, %d KiB document" % (size // 1024),
               fmt(w, "B"), "document: %s" % fmt(d, "B"),
               w / d if w is not None and d else None)
    # 9. Recovery and checkpoints (1,000,000 small commits, Buffered).
    wal = r.get("BM_RecoverFromWal", "real_time")
    snap = r.get("BM_RecoverFromCheckpoint", "real_time")
    r.add("9", "Recovery right after a checkpoint vs replaying the whole WAL",
          fmt(snap, "ms"), "WAL replay: %s" % fmt(wal, "ms"),
          wal / snap if wal is not None and snap else None, ">= 10x faster",
          wal is not None and snap is not None and wal >= 10 * snap)
    rate = r.get("BM_RecoverFromWal", "wal_mb_per_s")
    r.info("9", "WAL replay speed", fmt(rate, "MB/s"), "-", None)
    rate = r.get("BM_Checkpoint", "snapshot_mb_per_s")
    r.info("9", "Checkpoint write speed", fmt(rate, "MB/s"), "-", None)
    name = "BM_CommitLatencyDuringCheckpoint"
    ratio = r.get(name, "p99_during_over_idle")
    r.add("9", "p99 commit latency while a checkpoint runs",
          fmt(r.get(name, "during_p99_us"), "us"),
          "no checkpoint: %s" % fmt(r.get(name, "idle_p99_us"), "us"), ratio, "<= 2x",
          ratio is not None and ratio <= 2)
    # 10. Vectors against raw hnswlib (same data, M, ef_construction and
    # ef_search, one thread), at ef_search 160.
    for data, label in (("Sift", "SIFT 5k x 128, L2"),
                        ("Synthetic", "clustered synthetic x 384, cosine")):
        search = "BM_StrataSearch_%s/160" % data
        recall = r.get(search, "recall_at_10")
        raw_recall = r.get(search, "hnswlib_recall_at_10")
        r.add("10", "%s: recall@10 at ef_search 160" % label, fmt(recall, ""),
              "hnswlib: %s" % fmt(raw_recall, ""), None, ">= 0.95",
              recall is not None and recall >= 0.95, needs_ratio=False)
        q = r.get(search, "strata_qps")
        raw_q = r.get(search, "hnswlib_qps")
        ratio = r.get(search, "strata_qps_over_hnswlib")
        r.add("10", "%s: query throughput" % label, fmt(q, "ops/s"),
              "hnswlib: %s" % fmt(raw_q, "ops/s"), ratio, ">= 0.8x",
              ratio is not None and ratio >= 0.8)
        insert = "BM_StrataInsert_%s" % data
        ins = r.get(insert, "items_per_second")
        raw_ins = r.get(insert, "hnswlib_insert_per_s")
        ratio = r.get(insert, "strata_insert_over_hnswlib")
        r.add("10", "%s: insert throughput (one upsert per commit)" % label,
              fmt(ins, "ops/s"), "hnswlib: %s" % fmt(raw_ins, "ops/s"), ratio,
              ">= 0.7x", ratio is not None and ratio >= 0.7)
        ratio = r.get("BM_StrataInsertBatch_%s" % data, "strata_batch_insert_over_hnswlib")
        r.add("10", "%s: insert throughput (batches of 1000)" % label, "-",
              "hnswlib", ratio, "(info)", None)
        mem = r.get(insert, "heap_bytes")
        raw_mem = r.get(insert, "hnswlib_heap_bytes")
        ratio = r.get(insert, "strata_mem_over_hnswlib")
        r.add("10", "%s: memory" % label, fmt(mem / 1e6 if mem else None, "MB"),
              "hnswlib: %s" % fmt(raw_mem / 1e6 if raw_mem else None, "MB"), ratio,
              "<= 1.3x", ratio is not None and ratio <= 1.3)
        for pct in (1, 10, 50):
            name = "BM_StrataFilteredSearch_%s/%d" % (data, pct)
            recall = r.get(name, "recall_at_10")
            ratio = r.get(name, "strata_qps_over_scan")
            target = pct == 1
            r.add("10", "%s: filtered search at %d%% selectivity (recall@10 %s)"
                  % (label, pct, fmt(recall, "")),
                  fmt(r.get(name, "strata_qps"), "ops/s"),
                  "exact scan: %s" % fmt(r.get(name, "scan_qps"), "ops/s"), ratio,
                  ">= 5x, recall >= 0.95" if target else "(info)",
                  (ratio is not None and ratio >= 5 and recall is not None and
                   recall >= 0.95) if target else None)

    # 11. Search: keyword against SQLite FTS5 (same tokenizer), hybrid.
    q = "BM_SearchQuality_Cranfield"
    ratio = r.get(q, "strata_over_fts5_ndcg10")
    r.add("11", "Cranfield nDCG@10", fmt(r.get(q, "strata_ndcg10"), ""),
          "FTS5 bm25(): %s" % fmt(r.get(q, "fts5_ndcg10"), ""), ratio, ">= 1.0x",
          ratio is not None and ratio >= 1.0)
    ratio = r.get(q, "strata_over_fts5_map")
    r.add("11", "Cranfield MAP@100", fmt(r.get(q, "strata_map"), ""),
          "FTS5 bm25(): %s" % fmt(r.get(q, "fts5_map"), ""), ratio, "(info)", None)
    for data, label in (("Cranfield", "1,400 Cranfield docs"),
                        ("Synthetic", "synthetic docs")):
        name = "BM_StrataKeywordSearch_%s" % data
        for pct in ("p50", "p99"):
            ratio = r.get(name, "strata_%s_over_fts5" % pct)
            r.add("11", "keyword query latency %s, %s (k=10)" % (pct, label),
                  fmt(r.get(name, "%s_us" % pct), "us"),
                  "FTS5: %s" % fmt(r.get(name, "fts5_%s_us" % pct), "us"), ratio,
                  "(info; lower is faster)", None)
    name = "BM_StrataIndexedPut_Synthetic"
    ratio = r.get(name, "strata_over_fts5_docs_per_s")
    r.add("11", "indexing throughput (one KvPut per document)",
          fmt(r.get(name, "items_per_second"), "docs/s"),
          "FTS5 insert: %s" % fmt(r.get(name, "fts5_docs_per_s"), "docs/s"), ratio,
          "(info)", None)
    name = "BM_StrataUnindexedPut_Synthetic"
    r.add("11", "commit latency, index on vs off (mean KvPut)",
          fmt(r.get(name, "indexed_put_mean_us"), "us"),
          "index off: %s" % fmt(r.get(name, "put_mean_us"), "us"),
          r.get(name, "index_put_cost"), "(info)", None)
    name = "BM_StrataHybridSearch_Synthetic"
    p50 = r.get(name, "p50_us")
    r.add("11", "hybrid search p50, k=10", fmt(p50, "us"),
          "hnswlib alone: %s" % fmt(r.get(name, "hnswlib_p50_us"), "us"),
          r.get(name, "hybrid_p50_over_hnswlib"), "p50 <= 2000 us",
          p50 is not None and p50 <= 2000)
    r.add("11", "vector-only Search p50, k=10", fmt(r.get(name, "vector_p50_us"), "us"),
          "hnswlib alone: %s" % fmt(r.get(name, "hnswlib_p50_us"), "us"),
          r.get(name, "vector_p50_over_hnswlib"), "(info)", None)
    return r


def raw_table(results):
    out = ["| Benchmark | items/s | other counters (median) |",
           "|---|---|---|"]
    skip = {"items_per_second", "real_time", "cpu_time", "iterations",
            "repetitions", "repetition_index", "threads", "family_index",
            "per_family_instance_index", "error"}
    for name in sorted(results):
        r = results[name]
        counters = ", ".join("%s=%.4g" % (k, v) for k, v in sorted(r.items())
                             if k not in skip and isinstance(v, float))
        if "error" in r:
            counters = "ERROR: " + r["error"]
        out.append("| %s | %s | %s |" % (name,
                                         fmt(r.get("items_per_second"),
                                             "ops/s"), counters))
    return "\n".join(out)


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    results, context = load(argv[1:])
    report = build(results)
    if context:
        load_avg = context.get("load_avg", [])
        print("Host: %s, %s CPUs at %s MHz, load average at start %s; "
              "libbenchmark's own build type: %s (Strata and the benchmarks "
              "are built Release)"
              % (context.get("host_name", "?"), context.get("num_cpus", "?"),
                 context.get("mhz_per_cpu", "?"),
                 " ".join("%.2f" % x for x in load_avg) if load_avg else "?",
                 context.get("library_build_type", "?")))
        print()
    print(report.markdown())
    print()
    print(raw_table(results))
    if report.missing:
        print()
        print("Missing or failed: " + "; ".join(sorted(set(report.missing))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
