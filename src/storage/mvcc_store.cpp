// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
#include "storage/mvcc_store.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <queue>

#include "util/hash.hpp"
#include "util/strings.hpp"

namespace strata::storage {

namespace {
// Rough per-key and per-node bookkeeping cost beyond the payload: hash-map
// node, ordered-set slot, chain header, allocator overhead.
constexpr size_t kKeyOverheadBytes = 64;
constexpr size_t kNodeOverheadBytes = sizeof(VersionNode) + 16;
constexpr uint64_t kInShardSeed = 0x9E3779B97F4A7C15ull;
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

size_t MvccStore::ChainHash::operator()(std::string_view key) const {
  // A different seed from shard selection, so the bits that pick the shard
  // are independent of the bits the hash set uses.
  return static_cast<size_t>(util::Hash64(key, kInShardSeed));
}

MvccStore::Chain* MvccStore::Find(const Shard& shard, std::string_view store_key) {
  auto it = shard.chains.find(store_key);
  return it == shard.chains.end() ? nullptr : *it;
}

MvccStore::OrderedKey::OrderedKey(std::string_view key, Chain* c)
    : size(static_cast<uint32_t>(key.size())), data(key.data()), chain(c) {
  const size_t n = std::min(key.size(), kHeadBytes);
  std::memcpy(head, key.data(), n);
  std::memset(head + n, 0, kHeadBytes - n);
}

bool MvccStore::OrderedKeyLess::operator()(const OrderedKey& a,
                                           const OrderedKey& b) const {
  const size_t common = std::min(a.size, b.size);
  const size_t in_head = std::min(common, OrderedKey::kHeadBytes);
  if (const int c = std::memcmp(a.head, b.head, in_head); c != 0) return c < 0;
  if (common > OrderedKey::kHeadBytes) {
    const int c = std::memcmp(a.data + OrderedKey::kHeadBytes,
                              b.data + OrderedKey::kHeadBytes,
                              common - OrderedKey::kHeadBytes);
    if (c != 0) return c < 0;
  }
  return a.size < b.size;
}

MvccStore::MvccStore(uint32_t shard_count, RetentionPolicy retention)
    : retention_(retention) {
  shard_count_ = std::bit_ceil(std::clamp<uint32_t>(shard_count, 1, 4096));
  shard_mask_ = shard_count_ - 1;
  shards_ = std::make_unique<Shard[]>(shard_count_);
}

MvccStore::~MvccStore() {
  for (uint32_t i = 0; i < shard_count_; ++i) {
    absl::MutexLock lock(&shards_[i].mu);
    shards_[i].ordered.clear();
    for (Chain* chain : shards_[i].chains) Chain::Delete(chain);
    shards_[i].chains.clear();
  }
}

MvccStore::Shard& MvccStore::ShardFor(std::string_view store_key) const {
  return shards_[(util::Hash64(store_key) >> 40) & shard_mask_];
}

size_t MvccStore::NodeBytes(const VersionNode& node) {
  return kNodeOverheadBytes + node.value.ApproximateSize();
}

ReadStatus MvccStore::ReadChain(const Chain& chain, Version snapshot,
                                           Versioned<Value>* out,
                                           Version* earliest) {
  const VersionNode* node = chain.head;
  while (node != nullptr && node->version > snapshot) node = node->older;
  if (node == nullptr) {
    // Nothing at or below the snapshot. If history was trimmed, the version
    // the reader wanted may have existed.
    if (chain.earliest_retained != 0) {
      if (earliest != nullptr) *earliest = chain.earliest_retained;
      return ReadStatus::kTrimmed;
    }
    return ReadStatus::kAbsent;
  }
  if (node->tombstone) return ReadStatus::kAbsent;
  out->value = node->value;
  out->version = node->version;
  out->timestamp_us = node->timestamp_us;
  return ReadStatus::kFound;
}

ReadStatus MvccStore::Get(std::string_view store_key, Version snapshot,
                          Versioned<Value>* out, Version* earliest) const {
  Shard& shard = ShardFor(store_key);
  absl::ReaderMutexLock lock(&shard.mu);
  const Chain* chain = Find(shard, store_key);
  if (chain == nullptr) return ReadStatus::kAbsent;
  return ReadChain(*chain, snapshot, out, earliest);
}

ReadStatus MvccStore::GetLatest(std::string_view store_key,
                                const std::atomic<Version>& visible,
                                Versioned<Value>* out) const {
  Shard& shard = ShardFor(store_key);
  absl::ReaderMutexLock lock(&shard.mu);
  const Version snapshot = visible.load(std::memory_order_acquire);
  const Chain* chain = Find(shard, store_key);
  if (chain == nullptr) return ReadStatus::kAbsent;
  return ReadChain(*chain, snapshot, out, nullptr);
}

Version MvccStore::HeadVersion(std::string_view store_key) const {
  Shard& shard = ShardFor(store_key);
  absl::ReaderMutexLock lock(&shard.mu);
  const Chain* chain = Find(shard, store_key);
  if (chain == nullptr || chain->head == nullptr) return 0;
  return chain->head->version;
}

Version MvccStore::LiveHeadVersion(std::string_view store_key) const {
  Shard& shard = ShardFor(store_key);
  absl::ReaderMutexLock lock(&shard.mu);
  const Chain* chain = Find(shard, store_key);
  if (chain == nullptr || chain->head == nullptr || chain->head->tombstone) return 0;
  return chain->head->version;
}

Version MvccStore::EarliestRetained(std::string_view store_key) const {
  Shard& shard = ShardFor(store_key);
  absl::ReaderMutexLock lock(&shard.mu);
  const Chain* chain = Find(shard, store_key);
  return chain == nullptr ? 0 : chain->earliest_retained;
}

bool MvccStore::RangeChangedSince(std::string_view start, std::string_view end,
                                  Version snapshot) const {
  for (uint32_t i = 0; i < shard_count_; ++i) {
    const Shard& shard = shards_[i];
    absl::ReaderMutexLock lock(&shard.mu);
    for (auto it = shard.ordered.lower_bound(OrderedKey(start, nullptr));
         it != shard.ordered.end(); ++it) {
      if (!end.empty() && it->view() >= end) break;
      const Chain& chain = *it->chain;
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

  Shard& shard = ShardFor(store_key);
  absl::MutexLock lock(&shard.mu);
  Chain* found = Find(shard, store_key);
  if (found == nullptr) {
    found = Chain::New(store_key);
    shard.chains.insert(found);
    shard.ordered.insert(OrderedKey(found->key(), found));
    shard.memory_bytes += kKeyOverheadBytes + store_key.size();
  }
  Chain& chain = *found;
  const bool was_live = chain.head != nullptr && !chain.head->tombstone;
  node->older = chain.head;
  chain.head = node;
  ++shard.node_count;
  shard.memory_bytes += node_bytes;
  shard.live_keys += static_cast<int64_t>(!tombstone) - static_cast<int64_t>(was_live);
  if (retention_.kind == RetentionPolicy::Kind::kKeepLast) {
    TrimChain(&shard, &chain, horizon);
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

void MvccStore::TrimChain(Shard* shard, Chain* chain, Version horizon) {
  const uint32_t keep = std::max<uint32_t>(retention_.keep_last, 1);
  // Keep the `keep` newest nodes, and further nodes up to and including the
  // newest one at or below the horizon (an open snapshot may read it).
  VersionNode* node = chain->head;
  uint32_t kept = 1;
  while (node->older != nullptr &&
         (kept < keep || node->version > horizon)) {
    node = node->older;
    ++kept;
  }
  VersionNode* cut = node->older;
  if (cut == nullptr) return;
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
}

// Holding every shard's reader lock for the scan keeps the merged view
// consistent; locks are always taken in shard order, and writers hold at most
// one shard lock at a time, so this cannot deadlock.
void MvccStore::Scan(std::string_view start, std::string_view end,
                     Version snapshot, const std::atomic<Version>* visible,
                     const ScanFn& fn) const ABSL_NO_THREAD_SAFETY_ANALYSIS {
  for (uint32_t i = 0; i < shard_count_; ++i) shards_[i].mu.ReaderLock();
  if (visible != nullptr) snapshot = visible->load(std::memory_order_acquire);

  using Iter = OrderedSet::const_iterator;
  struct Cursor {
    Iter it;
    uint32_t shard;
  };
  auto greater = [](const Cursor& a, const Cursor& b) {
    return OrderedKeyLess()(*b.it, *a.it);
  };
  std::priority_queue<Cursor, std::vector<Cursor>, decltype(greater)> heap(greater);
  for (uint32_t i = 0; i < shard_count_; ++i) {
    auto it = shards_[i].ordered.lower_bound(OrderedKey(start, nullptr));
    if (it != shards_[i].ordered.end() && (end.empty() || it->view() < end)) {
      heap.push(Cursor{it, i});
    }
  }
  Versioned<Value> out;
  while (!heap.empty()) {
    Cursor cur = heap.top();
    heap.pop();
    const Shard& shard = shards_[cur.shard];
    const std::string_view key = cur.it->view();
    const Chain& chain = *cur.it->chain;
    if (ReadChain(chain, snapshot, &out, nullptr) == ReadStatus::kFound) {
      if (!fn(key, out)) break;
    }
    ++cur.it;
    if (cur.it != shard.ordered.end() && (end.empty() || cur.it->view() < end)) {
      heap.push(cur);
    }
  }
  for (uint32_t i = shard_count_; i-- > 0;) shards_[i].mu.ReaderUnlock();
}

std::vector<KvVersion> MvccStore::History(std::string_view store_key,
                                          Version snapshot,
                                          uint32_t limit) const {
  std::vector<KvVersion> out;
  Shard& shard = ShardFor(store_key);
  absl::ReaderMutexLock lock(&shard.mu);
  const Chain* chain = Find(shard, store_key);
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
