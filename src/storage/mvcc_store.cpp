// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
#include "storage/mvcc_store.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <iterator>
#include <queue>

#include "util/clock.hpp"
#include "util/hash.hpp"
#include "util/strings.hpp"

namespace strata::storage {

namespace {
// Rough per-key and per-node bookkeeping cost beyond the payload: hash-map
// node, ordered-set slot, chain header, allocator overhead.
constexpr size_t kKeyOverheadBytes = 64;
constexpr size_t kNodeOverheadBytes = sizeof(VersionNode) + 16;
// The shard is picked by the top bits of a key's hash. The hash sets use the
// low bits (abseil probes with bits 7 and up, masked by the capacity), so the
// two stay independent for any set below 2^40 slots.
constexpr int kShardHashShift = 40;
}  // namespace

MvccStore::Chain* MvccStore::Chain::New(std::string_view key) {
  void* mem = ::operator new(sizeof(Chain) + key.size());
  auto* chain = new (mem) Chain;
  chain->key_size = static_cast<uint32_t>(key.size());
  std::memcpy(chain + 1, key.data(), key.size());
  return chain;
}

void MvccStore::Chain::Delete(Chain* chain) {
  VersionNode* node = chain->head;
  while (node != nullptr) {
    VersionNode* older = node->older;
    delete node;
    node = older;
  }
  chain->~Chain();
  ::operator delete(chain);
}

MvccStore::HashedKey MvccStore::HashKey(std::string_view store_key) {
  return HashedKey{store_key, util::Hash64(store_key)};
}

MvccStore::Chain* MvccStore::Find(const Shard& shard, const HashedKey& key) {
  auto it = shard.chains.find(key);
  return it == shard.chains.end() ? nullptr : it->chain;
}

std::string_view MvccStore::KeyPart(std::string_view store_key) {
  const size_t ns_len = 2 + static_cast<unsigned char>(store_key[1]);
  return store_key.substr(ns_len);
}

uint64_t MvccStore::KeyHead(std::string_view key_part) {
  uint64_t head = 0;
  const size_t n = std::min<size_t>(key_part.size(), 8);
  for (size_t i = 0; i < n; ++i) {
    head |= static_cast<uint64_t>(static_cast<unsigned char>(key_part[i])) << (56 - 8 * i);
  }
  return head;
}

bool MvccStore::EntryLess::operator()(const Entry& a, const Entry& b) const {
  if (a.head != b.head) return a.head < b.head;
  auto part = [](uintptr_t ptr) {
    if (ptr & 1) return *reinterpret_cast<const std::string_view*>(ptr & ~uintptr_t{1});
    return KeyPart(reinterpret_cast<const Chain*>(ptr)->key());
  };
  return part(a.ptr) < part(b.ptr);
}

void MvccStore::SortShard(Shard* shard) {
  if (shard->unsorted_keys == 0) return;
  for (auto& [ns, index] : shard->namespaces) {
    if (index.unsorted.empty()) continue;
    std::sort(index.unsorted.begin(), index.unsorted.end(), EntryLess());
    if (index.unsorted.size() * 8 >= index.sorted.size()) {
      // A large tail: rebuild with one sequential merge, appending in order
      // (cheap and cache-friendly) instead of one tree descent per key.
      NamespaceSet merged;
      std::merge(index.sorted.begin(), index.sorted.end(), index.unsorted.begin(),
                 index.unsorted.end(), std::inserter(merged, merged.end()), EntryLess());
      index.sorted = std::move(merged);
    } else {
      for (const Entry& e : index.unsorted) index.sorted.insert(e);
    }
    index.unsorted.clear();
    index.unsorted.shrink_to_fit();
  }
  shard->unsorted_keys = 0;
}

// Walks the keys of one shard in [start, end) in order, across namespaces.
// REQUIRES: the shard has no unsorted keys (see SortShard).
class MvccStore::ShardRange {
 public:
  ShardRange(const Shard& shard, std::string_view start, std::string_view end)
      ABSL_SHARED_LOCKS_REQUIRED(shard.mu)
      : end_(end), map_end_(shard.namespaces.end()) {
    // The namespace `start` falls in, if it is long enough to name one.
    const bool has_ns = start.size() >= 2 &&
                        start.size() >= 2u + static_cast<unsigned char>(start[1]);
    if (has_ns) {
      const std::string_view ns = start.substr(0, 2 + static_cast<unsigned char>(start[1]));
      probe_ = start.substr(ns.size());
      ns_it_ = shard.namespaces.find(ns);
      if (ns_it_ != map_end_) {
        it_ = ns_it_->second.sorted.lower_bound(
            Entry{KeyHead(probe_), reinterpret_cast<uintptr_t>(&probe_) | 1});
        SkipExhausted();
        return;
      }
    }
    ns_it_ = shard.namespaces.lower_bound(start);
    if (ns_it_ != map_end_) it_ = ns_it_->second.sorted.begin();
    SkipExhausted();
  }
  ShardRange(const ShardRange&) = delete;
  ShardRange& operator=(const ShardRange&) = delete;
  ShardRange(ShardRange&&) = default;

  bool Valid() const { return valid_; }
  Chain* chain() const { return reinterpret_cast<Chain*>(it_->ptr); }
  std::string_view key() const { return chain()->key(); }
  void Next() {
    ++it_;
    SkipExhausted();
  }

 private:
  void SkipExhausted() {
    while (ns_it_ != map_end_ && it_ == ns_it_->second.sorted.end()) {
      ++ns_it_;
      if (ns_it_ != map_end_) it_ = ns_it_->second.sorted.begin();
    }
    valid_ = ns_it_ != map_end_ && (end_.empty() || key() < end_);
  }

  std::string_view end_;
  std::string_view probe_;
  NamespaceMap::const_iterator ns_it_;
  NamespaceMap::const_iterator map_end_;
  NamespaceSet::const_iterator it_;
  bool valid_ = false;
};

namespace {

bool Trims(const RetentionPolicy& p) { return p.kind != RetentionPolicy::Kind::kKeepAll; }

bool AnyTrims(const RetentionPolicy& global, const std::vector<RetentionOverride>& overrides) {
  if (Trims(global)) return true;
  for (const RetentionOverride& o : overrides) {
    if (Trims(o.policy)) return true;
  }
  return false;
}

}  // namespace

MvccStore::MvccStore(uint32_t shard_count, RetentionPolicy retention,
                     std::vector<RetentionOverride> overrides)
    : retention_(retention),
      overrides_(std::move(overrides)),
      trims_history_(AnyTrims(retention_, overrides_)) {
  shard_count_ = std::bit_ceil(std::clamp<uint32_t>(shard_count, 1, 4096));
  shard_mask_ = shard_count_ - 1;
  shards_ = std::make_unique<Shard[]>(shard_count_);
}

MvccStore::~MvccStore() {
  for (uint32_t i = 0; i < shard_count_; ++i) {
    absl::MutexLock lock(&shards_[i].mu);
    shards_[i].namespaces.clear();
    for (const ChainSlot& slot : shards_[i].chains) Chain::Delete(slot.chain);
    shards_[i].chains.clear();
  }
}

MvccStore::Shard& MvccStore::ShardFor(const HashedKey& key) const {
  return shards_[(key.hash >> kShardHashShift) & shard_mask_];
}

size_t MvccStore::NodeBytes(const VersionNode& node) {
  return kNodeOverheadBytes + node.value.ApproximateSize();
}

const VersionNode* MvccStore::NodeAt(const Chain& chain, Version snapshot,
                                     ReadStatus* status, Version* earliest) {
  const VersionNode* node = chain.head;
  while (node != nullptr && node->version > snapshot) node = node->older;
  if (node == nullptr) {
    // Nothing at or below the snapshot. If history was trimmed, the version
    // the reader wanted may have existed.
    if (chain.earliest_retained != 0) {
      if (earliest != nullptr) *earliest = chain.earliest_retained;
      *status = ReadStatus::kTrimmed;
    } else {
      *status = ReadStatus::kAbsent;
    }
    return nullptr;
  }
  if (node->tombstone) {
    *status = ReadStatus::kAbsent;
    return nullptr;
  }
  *status = ReadStatus::kFound;
  return node;
}

ReadStatus MvccStore::ReadChain(const Chain& chain, Version snapshot,
                                Versioned<Value>* out, Version* earliest) {
  ReadStatus status;
  const VersionNode* node = NodeAt(chain, snapshot, &status, earliest);
  if (node == nullptr) return status;
  out->value = node->value;
  out->version = node->version;
  out->timestamp_us = node->timestamp_us;
  return ReadStatus::kFound;
}

ReadStatus MvccStore::Visit(std::string_view store_key, Version snapshot,
                            const std::atomic<Version>* visible, VisitFn fn,
                            Version* earliest) const {
  const HashedKey hashed = HashKey(store_key);
  Shard& shard = ShardFor(hashed);
  absl::ReaderMutexLock lock(&shard.mu);
  if (visible != nullptr) snapshot = visible->load(std::memory_order_acquire);
  const Chain* chain = Find(shard, hashed);
  if (chain == nullptr) return ReadStatus::kAbsent;
  ReadStatus status;
  const VersionNode* node = NodeAt(*chain, snapshot, &status, earliest);
  if (node == nullptr) return status;
  // The node is immutable once linked and cannot be unlinked while the
  // shard is locked, so `fn` reads it in place.
  fn(node->value, node->version, node->timestamp_us);
  return ReadStatus::kFound;
}

ReadStatus MvccStore::Get(std::string_view store_key, Version snapshot,
                          Versioned<Value>* out, Version* earliest) const {
  const HashedKey hashed = HashKey(store_key);
  Shard& shard = ShardFor(hashed);
  absl::ReaderMutexLock lock(&shard.mu);
  const Chain* chain = Find(shard, hashed);
  if (chain == nullptr) return ReadStatus::kAbsent;
  return ReadChain(*chain, snapshot, out, earliest);
}

ReadStatus MvccStore::GetLatest(std::string_view store_key,
                                const std::atomic<Version>& visible,
                                Versioned<Value>* out) const {
  const HashedKey hashed = HashKey(store_key);
  Shard& shard = ShardFor(hashed);
  absl::ReaderMutexLock lock(&shard.mu);
  const Version snapshot = visible.load(std::memory_order_acquire);
  const Chain* chain = Find(shard, hashed);
  if (chain == nullptr) return ReadStatus::kAbsent;
  return ReadChain(*chain, snapshot, out, nullptr);
}

void MvccStore::VisitNewer(std::string_view store_key, Version snapshot,
                           NewerFn fn) const {
  const HashedKey hashed = HashKey(store_key);
  Shard& shard = ShardFor(hashed);
  absl::ReaderMutexLock lock(&shard.mu);
  const Chain* chain = Find(shard, hashed);
  if (chain == nullptr) return;
  for (const VersionNode* node = chain->head; node != nullptr && node->version > snapshot;
       node = node->older) {
    if (!fn(node->version, node->tombstone, node->value)) return;
  }
}

void MvccStore::VisitMany(absl::Span<const std::string_view> keys, Version snapshot,
                          ManyFn fn) const {
  HashedKey hashed[kVisitManyBatch];
  // (shard, index in the batch), sorted so that each shard is locked once.
  std::pair<uint32_t, uint32_t> order[kVisitManyBatch];
  const VersionNode* nodes[kVisitManyBatch];
  for (size_t begin = 0; begin < keys.size(); begin += kVisitManyBatch) {
    const size_t n = std::min(kVisitManyBatch, keys.size() - begin);
    for (size_t i = 0; i < n; ++i) {
      hashed[i] = HashKey(keys[begin + i]);
      order[i] = {static_cast<uint32_t>((hashed[i].hash >> kShardHashShift) & shard_mask_),
                  static_cast<uint32_t>(i)};
    }
    std::sort(order, order + n);
    // One lock per shard: find the nodes of its keys (prefetching their
    // values), then visit them.
    for (size_t first = 0; first < n;) {
      const uint32_t shard_index = order[first].first;
      size_t last = first;
      while (last < n && order[last].first == shard_index) ++last;
      const Shard& shard = shards_[shard_index];
      absl::ReaderMutexLock lock(&shard.mu);
      for (size_t g = first; g < last; ++g) {
        const uint32_t i = order[g].second;
        const Chain* chain = Find(shard, hashed[i]);
        ReadStatus status;
        nodes[i] = chain == nullptr ? nullptr : NodeAt(*chain, snapshot, &status, nullptr);
        if (nodes[i] != nullptr && nodes[i]->value.is_bytes()) {
          __builtin_prefetch(nodes[i]->value.AsBytes().data());
        }
      }
      for (size_t g = first; g < last; ++g) {
        const uint32_t i = order[g].second;
        if (nodes[i] != nullptr) {
          fn(begin + i, nodes[i]->value, nodes[i]->version, nodes[i]->timestamp_us);
        }
      }
      first = last;
    }
  }
}

Version MvccStore::HeadVersion(std::string_view store_key) const {
  const HashedKey hashed = HashKey(store_key);
  Shard& shard = ShardFor(hashed);
  absl::ReaderMutexLock lock(&shard.mu);
  const Chain* chain = Find(shard, hashed);
  if (chain == nullptr || chain->head == nullptr) return 0;
  return chain->head->version;
}

Version MvccStore::LiveHeadVersion(std::string_view store_key) const {
  const HashedKey hashed = HashKey(store_key);
  Shard& shard = ShardFor(hashed);
  absl::ReaderMutexLock lock(&shard.mu);
  const Chain* chain = Find(shard, hashed);
  if (chain == nullptr || chain->head == nullptr || chain->head->tombstone) return 0;
  return chain->head->version;
}

Version MvccStore::EarliestRetained(std::string_view store_key) const {
  const HashedKey hashed = HashKey(store_key);
  Shard& shard = ShardFor(hashed);
  absl::ReaderMutexLock lock(&shard.mu);
  const Chain* chain = Find(shard, hashed);
  return chain == nullptr ? 0 : chain->earliest_retained;
}

bool MvccStore::RangeChangedSince(std::string_view start, std::string_view end,
                                  Version snapshot) const {
  for (uint32_t i = 0; i < shard_count_; ++i) {
    Shard& shard = shards_[i];
    absl::MutexLock lock(&shard.mu);
    SortShard(&shard);
    for (ShardRange r(shard, start, end); r.Valid(); r.Next()) {
      const Chain& chain = *r.chain();
      if (chain.head != nullptr && chain.head->version > snapshot) return true;
    }
  }
  return false;
}

void MvccStore::Install(std::string_view store_key, Version version,
                        TimestampMicros timestamp_us, bool tombstone,
                        Value value, Version horizon) {
  auto* node = new VersionNode;
  node->version = version;
  node->timestamp_us = timestamp_us;
  node->tombstone = tombstone;
  node->value = std::move(value);
  const size_t node_bytes = NodeBytes(*node);

  const HashedKey hashed = HashKey(store_key);
  Shard& shard = ShardFor(hashed);
  absl::MutexLock lock(&shard.mu);
  bool inserted = false;
  // One probe finds the chain or the slot a new one goes in.
  Chain* found =
      shard.chains
          .lazy_emplace(hashed,
                        [&](const ChainSet::constructor& construct) {
                          inserted = true;
                          construct(ChainSlot{hashed.hash, Chain::New(store_key)});
                        })
          ->chain;
  if (inserted) {
    const std::string_view key = found->key();
    const std::string_view part = KeyPart(key);
    const std::string_view ns = key.substr(0, key.size() - part.size());
    auto ns_it = shard.namespaces.find(ns);
    if (ns_it == shard.namespaces.end()) {
      ns_it = shard.namespaces.emplace(std::string(ns), NamespaceIndex()).first;
    }
    ns_it->second.unsorted.push_back(Entry{KeyHead(part), reinterpret_cast<uintptr_t>(found)});
    ++shard.unsorted_keys;
    shard.memory_bytes += kKeyOverheadBytes + store_key.size();
  }
  Chain& chain = *found;
  const bool was_live = chain.head != nullptr && !chain.head->tombstone;
  VersionNode** link = &chain.head;
  while (*link != nullptr && (*link)->version > version) link = &(*link)->older;
  const bool at_head = link == &chain.head;
  node->older = *link;
  *link = node;
  ++shard.node_count;
  shard.memory_bytes += node_bytes;
  if (at_head) {
    shard.live_keys += static_cast<int64_t>(!tombstone) - static_cast<int64_t>(was_live);
  }
  if (trims_history_) {
    const RetentionPolicy& policy = PolicyFor(store_key);
    if (Trims(policy)) TrimChain(&shard, &chain, horizon, policy, timestamp_us);
  }
}

MvccStore::Counters MvccStore::SumCounters() const {
  Counters total;
  for (uint32_t i = 0; i < shard_count_; ++i) {
    absl::ReaderMutexLock lock(&shards_[i].mu);
    total.live_keys += shards_[i].live_keys;
    total.node_count += shards_[i].node_count;
    total.memory_bytes += shards_[i].memory_bytes;
  }
  return total;
}

const RetentionPolicy& MvccStore::PolicyFor(std::string_view store_key) const {
  if (overrides_.empty() || store_key.size() < 2) return retention_;
  const auto primitive = static_cast<Primitive>(store_key[0]);
  const size_t run_size = static_cast<uint8_t>(store_key[1]);
  const std::string_view run = store_key.substr(2, run_size);
  // Most specific first: run and primitive, run, primitive.
  const RetentionPolicy* by_run = nullptr;
  const RetentionPolicy* by_primitive = nullptr;
  for (const RetentionOverride& o : overrides_) {
    const bool run_matches = !o.run.empty() && o.run == run;
    const bool primitive_matches = o.primitive.has_value() && *o.primitive == primitive;
    if (run_matches && primitive_matches) return o.policy;
    if (run_matches && !o.primitive.has_value()) by_run = &o.policy;
    if (primitive_matches && o.run.empty()) by_primitive = &o.policy;
  }
  if (by_run != nullptr) return *by_run;
  if (by_primitive != nullptr) return *by_primitive;
  return retention_;
}

uint64_t MvccStore::TrimChain(Shard* shard, Chain* chain, Version horizon,
                              const RetentionPolicy& policy, TimestampMicros now) {
  const uint32_t keep =
      policy.kind == RetentionPolicy::Kind::kKeepLast ? std::max<uint32_t>(policy.keep_last, 1) : 1;
  const bool by_time = policy.kind == RetentionPolicy::Kind::kKeepFor;
  const TimestampMicros cutoff = now - policy.keep_for_us;
  // Keep the `keep` newest nodes, every node newer than the time window's
  // start and the newest one at or before it (the state at the cutoff), and
  // further nodes up to and including the newest one at or below the
  // horizon (an open snapshot may read it).
  VersionNode* node = chain->head;
  uint32_t kept = 1;
  while (node->older != nullptr &&
         (kept < keep || node->version > horizon || (by_time && node->timestamp_us > cutoff))) {
    node = node->older;
    ++kept;
  }
  VersionNode* cut = node->older;
  if (cut == nullptr) return 0;
  node->older = nullptr;
  chain->earliest_retained = node->version;
  uint64_t freed_nodes = 0;
  uint64_t freed_bytes = 0;
  while (cut != nullptr) {
    VersionNode* older = cut->older;
    ++freed_nodes;
    freed_bytes += NodeBytes(*cut);
    delete cut;
    cut = older;
  }
  shard->node_count -= freed_nodes;
  shard->memory_bytes -= freed_bytes;
  return freed_nodes;
}

absl::Status MvccStore::ForEachChain(Version watermark, ChainFn fn) const {
  std::vector<const VersionNode*> versions;
  for (uint32_t i = 0; i < shard_count_; ++i) {
    const Shard& shard = shards_[i];
    absl::ReaderMutexLock lock(&shard.mu);
    for (const ChainSlot& slot : shard.chains) {
      const Chain* chain = slot.chain;
      versions.clear();
      for (const VersionNode* node = chain->head; node != nullptr; node = node->older) {
        if (node->version <= watermark) versions.push_back(node);
      }
      if (versions.empty()) continue;
      std::reverse(versions.begin(), versions.end());
      absl::Status s = fn(chain->key(), chain->earliest_retained, versions);
      if (!s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

void MvccStore::SetEarliestRetained(std::string_view store_key, Version earliest_retained) {
  const HashedKey hashed = HashKey(store_key);
  Shard& shard = ShardFor(hashed);
  absl::MutexLock lock(&shard.mu);
  if (Chain* chain = Find(shard, hashed)) chain->earliest_retained = earliest_retained;
}

uint64_t MvccStore::TrimAll(Version horizon) {
  if (!trims_history_) return 0;
  const TimestampMicros now = util::NowMicros();
  uint64_t removed = 0;
  for (uint32_t i = 0; i < shard_count_; ++i) {
    Shard& shard = shards_[i];
    absl::MutexLock lock(&shard.mu);
    for (const ChainSlot& slot : shard.chains) {
      Chain* chain = slot.chain;
      if (chain->head == nullptr) continue;
      const RetentionPolicy& policy = PolicyFor(chain->key());
      if (Trims(policy)) removed += TrimChain(&shard, chain, horizon, policy, now);
    }
  }
  return removed;
}

// Holding every shard's reader lock for the scan keeps the merged view
// consistent; locks are always taken in shard order, and writers hold at most
// one shard lock at a time, so this cannot deadlock.
void MvccStore::Scan(std::string_view start, std::string_view end,
                     Version snapshot, const std::atomic<Version>* visible,
                     const ScanFn& fn) const ABSL_NO_THREAD_SAFETY_ANALYSIS {
  // Sort what writers appended, then hold every reader lock. If a writer
  // appended keys in between, try again; after a few attempts take writer
  // locks instead, so a steady stream of inserts cannot starve the scan.
  bool exclusive = false;
  for (int attempt = 0;; ++attempt) {
    exclusive = attempt >= 3;
    for (uint32_t i = 0; i < shard_count_; ++i) {
      Shard& shard = shards_[i];
      if (exclusive) {
        shard.mu.Lock();
        SortShard(&shard);
        continue;
      }
      shard.mu.ReaderLock();
      if (shard.unsorted_keys == 0) continue;
      shard.mu.ReaderUnlock();
      shard.mu.Lock();
      SortShard(&shard);
      shard.mu.Unlock();
      shard.mu.ReaderLock();
    }
    if (exclusive) break;
    bool sorted = true;
    for (uint32_t i = 0; i < shard_count_ && sorted; ++i) {
      sorted = shards_[i].unsorted_keys == 0;
    }
    if (sorted) break;
    for (uint32_t i = shard_count_; i-- > 0;) shards_[i].mu.ReaderUnlock();
  }
  if (visible != nullptr) snapshot = visible->load(std::memory_order_acquire);

  // A k-way merge of the shards' ordered ranges.
  std::vector<ShardRange> ranges;
  ranges.reserve(shard_count_);
  auto greater = [&ranges](uint32_t a, uint32_t b) { return ranges[a].key() > ranges[b].key(); };
  std::priority_queue<uint32_t, std::vector<uint32_t>, decltype(greater)> heap(greater);
  for (uint32_t i = 0; i < shard_count_; ++i) {
    ranges.emplace_back(shards_[i], start, end);
    if (ranges.back().Valid()) heap.push(i);
  }
  Versioned<Value> out;
  while (!heap.empty()) {
    const uint32_t top = heap.top();
    heap.pop();
    ShardRange& r = ranges[top];
    if (ReadChain(*r.chain(), snapshot, &out, nullptr) == ReadStatus::kFound) {
      if (!fn(r.key(), out)) break;
    }
    r.Next();
    if (r.Valid()) heap.push(top);
  }
  for (uint32_t i = shard_count_; i-- > 0;) {
    if (exclusive) {
      shards_[i].mu.Unlock();
    } else {
      shards_[i].mu.ReaderUnlock();
    }
  }
}

std::vector<KvVersion> MvccStore::History(std::string_view store_key,
                                          Version snapshot,
                                          uint32_t limit) const {
  std::vector<KvVersion> out;
  const HashedKey hashed = HashKey(store_key);
  Shard& shard = ShardFor(hashed);
  absl::ReaderMutexLock lock(&shard.mu);
  const Chain* chain = Find(shard, hashed);
  if (chain == nullptr) return out;
  for (const VersionNode* node = chain->head;
       node != nullptr && out.size() < limit; node = node->older) {
    if (node->version > snapshot) continue;
    KvVersion v;
    v.version = node->version;
    v.timestamp_us = node->timestamp_us;
    v.deleted = node->tombstone;
    if (!node->tombstone) v.value = node->value;
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace strata::storage
