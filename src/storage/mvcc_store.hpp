// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// MvccStore: the in-memory multi-version store.
//
// Store keys (see store_key.hpp) map to version chains: singly linked lists of
// VersionNode, newest first. A reader at snapshot S uses the newest node with
// version <= S; a tombstone there means "absent". Writers prepend nodes; the
// store never changes a node once it is linked, except to unlink the tail
// when history is trimmed.
//
// The key space is split into `shard_count` shards by hash of the store key.
// Each shard has its own reader/writer lock, a hash set of chains for point
// lookups and, per (primitive, run) namespace, an ordered set of its keys for
// range scans (a scan merges the shards). No operation takes a database-wide
// lock. New keys reach the ordered set lazily: the first range operation
// after a burst of inserts sorts them in, so point-only workloads never pay
// for ordering, and a scan after N new keys pays O(N log N) once.
//
// History trimming: after a node is prepended, a chain longer than the
// retention policy allows drops its oldest nodes, but never the newest node
// at or below the caller's snapshot horizon (see SnapshotRegistry), so open
// snapshots keep reading what they read before. A trimmed chain remembers its
// oldest retained version so a read below it reports HistoryTrimmed. Chains
// are the unit that a later storage layer can spill to disk: a node's `older`
// link is the only way history is reached.
//
// Thread safety: thread-safe. Concurrent commits install outside the commit
// lock, so versions of one key may arrive out of order; Install links each
// node into its chain by version, so chains stay newest first.
#ifndef STRATA_STORAGE_MVCC_STORE_HPP_
#define STRATA_STORAGE_MVCC_STORE_HPP_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

#include "absl/base/thread_annotations.h"
#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_set.h"
#include "absl/functional/function_ref.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "strata/database.hpp"
#include "strata/options.hpp"
#include "strata/types.hpp"
#include "strata/value.hpp"

namespace strata::storage {

struct VersionNode {
  Version version = 0;
  TimestampMicros timestamp_us = 0;
  bool tombstone = false;
  Value value;
  VersionNode* older = nullptr;  // Owned.
};

// The outcome of a point read.
enum class ReadStatus {
  kFound,    // `out` holds the value.
  kAbsent,   // No version at or below the snapshot, or a tombstone there.
  kTrimmed,  // The version needed was removed by retention.
};

class MvccStore {
 public:
  MvccStore(uint32_t shard_count, RetentionPolicy retention,
            std::vector<RetentionOverride> overrides = {});

  // The policy that applies to a store key (see RetentionOverride).
  const RetentionPolicy& PolicyFor(std::string_view store_key) const;
  // Whether any policy trims history.
  bool trims_history() const { return trims_history_; }
  ~MvccStore();
  MvccStore(const MvccStore&) = delete;
  MvccStore& operator=(const MvccStore&) = delete;

  // Reads the newest version <= `snapshot`. For kTrimmed, `*earliest` (if
  // non-null) receives the oldest retained version of the key.
  ReadStatus Get(std::string_view store_key, Version snapshot,
                 Versioned<Value>* out, Version* earliest = nullptr) const;

  // Like Get at the snapshot `visible` holds, loaded while the key's shard is
  // locked, so no snapshot pin is needed (trimming takes the same lock).
  ReadStatus GetLatest(std::string_view store_key,
                       const std::atomic<Version>& visible,
                       Versioned<Value>* out) const;

  // Calls `fn(value, version, timestamp)` with the newest version <=
  // `snapshot` while the key's shard is read-locked, so the value is read in
  // place rather than copied; `fn` must be short and must not call back into
  // the store. With `visible` non-null, reads at the version it holds once
  // the lock is taken (as GetLatest) instead. Returns what Get would.
  using VisitFn = absl::FunctionRef<void(const Value&, Version, TimestampMicros)>;
  ReadStatus Visit(std::string_view store_key, Version snapshot,
                   const std::atomic<Version>* visible, VisitFn fn,
                   Version* earliest = nullptr) const;
  // Calls `fn(version, tombstone, value)` for each installed version of the
  // key newer than `snapshot`, newest first, under the shard's read lock,
  // until it returns false. Used to validate JSON regions at commit.
  using NewerFn = absl::FunctionRef<bool(Version, bool, const Value&)>;
  void VisitNewer(std::string_view store_key, Version snapshot, NewerFn fn) const;

  // Reads many keys at one snapshot, in place: calls `fn(i, value, version,
  // timestamp)` once for each keys[i] with a live version <= `snapshot`, in
  // no particular order; keys with none (absent, deleted or trimmed) are
  // skipped. Cheaper than one Visit per key: keys are looked up in batches of
  // kVisitManyBatch, grouped by shard, and each group is visited under one
  // read lock of its shard after its values are prefetched. As for Visit,
  // `fn` runs under that lock: it must be short and must not call back into
  // the store.
  static constexpr size_t kVisitManyBatch = 64;
  using ManyFn = absl::FunctionRef<void(size_t, const Value&, Version, TimestampMicros)>;
  void VisitMany(absl::Span<const std::string_view> keys, Version snapshot, ManyFn fn) const;

  // The newest installed version of the key (tombstones included, visible or
  // not), or 0 if the key has none. Used by commit validation.
  Version HeadVersion(std::string_view store_key) const;
  // The newest installed version if it is not a tombstone, otherwise 0. Used
  // by compare-and-swap.
  Version LiveHeadVersion(std::string_view store_key) const;

  // True if any key in [start, end) has an installed version > `snapshot`
  // (an insert, update or delete since the snapshot). `end` empty means
  // unbounded. Used by commit validation of scans.
  bool RangeChangedSince(std::string_view start, std::string_view end,
                         Version snapshot) const;

  // Links a version into the key's chain (in version order: normally at the
  // head), then trims per retention without crossing `horizon`.
  void Install(std::string_view store_key, Version version,
               TimestampMicros timestamp_us, bool tombstone, Value value,
               Version horizon);

  // Calls `fn` for each key in [start, end) (end empty: unbounded) that has a
  // live value at `snapshot` (or, if `visible` is non-null, at the version it
  // holds once every shard is locked), in ascending key order, until `fn`
  // returns false.
  using ScanFn =
      std::function<bool(std::string_view store_key, const Versioned<Value>&)>;
  void Scan(std::string_view start, std::string_view end, Version snapshot,
            const std::atomic<Version>* visible, const ScanFn& fn) const;

  // Calls `fn(store_key, earliest_retained, versions)` for every key with a
  // version <= `watermark`, with those versions oldest first, shard by
  // shard (in no particular key order). Each shard is read-locked while its
  // keys are visited, so writers to other shards carry on. An error from
  // `fn` stops the walk and is returned. Used by checkpoints.
  using ChainFn = absl::FunctionRef<absl::Status(
      std::string_view store_key, Version earliest_retained,
      const std::vector<const VersionNode*>& versions)>;
  absl::Status ForEachChain(Version watermark, ChainFn fn) const;
  // Restores a chain's trim marker (from a snapshot). REQUIRES: the key has
  // at least one version.
  void SetEarliestRetained(std::string_view store_key, Version earliest_retained);
  // Applies the retention policy to every chain now (trimming otherwise
  // happens as keys are written), never crossing `horizon`. Returns the
  // number of versions removed.
  uint64_t TrimAll(Version horizon);

  // Retained versions <= `snapshot` of a key, newest first, at most `limit`.
  std::vector<KvVersion> History(std::string_view store_key, Version snapshot,
                                 uint32_t limit) const;
  // The oldest retained version if the chain was trimmed, else 0.
  Version EarliestRetained(std::string_view store_key) const;

  // Totals over all shards (takes each shard's lock briefly).
  struct Counters {
    int64_t live_keys = 0;      // Keys whose newest version is not deleted.
    uint64_t node_count = 0;    // Version nodes held.
    uint64_t memory_bytes = 0;  // Approximate bytes held.
  };
  Counters SumCounters() const;
  uint64_t live_keys() const { return static_cast<uint64_t>(SumCounters().live_keys); }
  uint64_t node_count() const { return SumCounters().node_count; }
  uint64_t memory_bytes() const { return SumCounters().memory_bytes; }

 private:
  // A key and its version chain, allocated together (the key bytes follow
  // the struct) so a lookup touches one allocation.
  struct Chain {
    VersionNode* head = nullptr;
    Version earliest_retained = 0;  // 0: never trimmed.
    uint32_t key_size = 0;
    std::string_view key() const {
      return std::string_view(reinterpret_cast<const char*>(this + 1), key_size);
    }
    static Chain* New(std::string_view key);
    static void Delete(Chain* chain);  // Frees the chain and its nodes.
  };
  // A store key with its hash, computed once per operation: the high bits
  // pick the shard and the whole hash places the key in the shard's hash set
  // (which uses the low bits), so one hash serves both.
  struct HashedKey {
    std::string_view key;
    uint64_t hash;
  };
  static HashedKey HashKey(std::string_view store_key);
  // A hash-set slot: the chain and the hash of its key, so that growing the
  // set never touches the chains, and a probe dereferences a chain only when
  // the full hash matches.
  struct ChainSlot {
    uint64_t hash;
    Chain* chain;
  };
  struct ChainHash {
    using is_transparent = void;
    size_t operator()(const HashedKey& k) const { return static_cast<size_t>(k.hash); }
    size_t operator()(const ChainSlot& s) const { return static_cast<size_t>(s.hash); }
  };
  struct ChainEq {
    using is_transparent = void;
    bool operator()(const ChainSlot& a, const ChainSlot& b) const { return a.chain == b.chain; }
    bool operator()(const ChainSlot& a, const HashedKey& b) const {
      return a.hash == b.hash && a.chain->key() == b.key;
    }
    bool operator()(const HashedKey& a, const ChainSlot& b) const { return (*this)(b, a); }
  };
  using ChainSet = absl::flat_hash_set<ChainSlot, ChainHash, ChainEq>;

  // The ordered key index: per shard, one ordered set per namespace
  // (primitive, run). An entry is the chain plus the first 8 bytes of the key
  // after the namespace prefix, big-endian, so that nearly every comparison is
  // one integer comparison and an entry is 16 bytes (a wide, shallow btree).
  // Namespace prefixes are prefix-free, so (namespace, key) order is the byte
  // order of store keys.
  struct Entry {
    uint64_t head;
    // A Chain*, or (low bit set) a const std::string_view* probe key part.
    uintptr_t ptr;
  };
  struct EntryLess {
    bool operator()(const Entry& a, const Entry& b) const;
  };
  using NamespaceSet = absl::btree_set<Entry, EntryLess>;
  // New keys are appended to `unsorted` and merged into `sorted` by the first
  // range operation that needs them, so writes of new keys do not pay for
  // ordering until something reads in order.
  struct NamespaceIndex {
    NamespaceSet sorted;
    std::vector<Entry> unsorted;
  };
  using NamespaceMap = std::map<std::string, NamespaceIndex, std::less<>>;
  static uint64_t KeyHead(std::string_view key_part);
  static std::string_view KeyPart(std::string_view store_key);
  class ShardRange;

  struct Shard {
    mutable absl::Mutex mu;
    ChainSet chains ABSL_GUARDED_BY(mu);  // Owns the chains.
    NamespaceMap namespaces ABSL_GUARDED_BY(mu);
    size_t unsorted_keys ABSL_GUARDED_BY(mu) = 0;  // Sum of the tails.
    // Accounting, kept per shard so writers never share a counter.
    int64_t live_keys ABSL_GUARDED_BY(mu) = 0;
    uint64_t node_count ABSL_GUARDED_BY(mu) = 0;
    uint64_t memory_bytes ABSL_GUARDED_BY(mu) = 0;
  };

  // Merges every unsorted tail of the shard into its sorted set.
  static void SortShard(Shard* shard) ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard->mu);

  // The chain of `store_key` in its shard, or null.
  static Chain* Find(const Shard& shard, const HashedKey& key)
      ABSL_SHARED_LOCKS_REQUIRED(shard.mu);
  Shard& ShardFor(const HashedKey& key) const;
  static const VersionNode* NodeAt(const Chain& chain, Version snapshot,
                                   ReadStatus* status, Version* earliest);
  static ReadStatus ReadChain(const Chain& chain, Version snapshot,
                              Versioned<Value>* out, Version* earliest);
  // Trims per `policy`, treating `now` as the current time for kKeepFor.
  // Returns the number of versions removed.
  uint64_t TrimChain(Shard* shard, Chain* chain, Version horizon,
                     const RetentionPolicy& policy, TimestampMicros now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard->mu);
  static size_t NodeBytes(const VersionNode& node);

  const RetentionPolicy retention_;
  const std::vector<RetentionOverride> overrides_;
  const bool trims_history_;
  uint32_t shard_mask_;
  std::unique_ptr<Shard[]> shards_;
  uint32_t shard_count_;

};

}  // namespace strata::storage

#endif  // STRATA_STORAGE_MVCC_STORE_HPP_
