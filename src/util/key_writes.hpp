// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// KeyWrites: what a derived index (the vector index, the keyword index)
// keeps per key so that writes applied out of version order still give
// each version the right visibility range. Commits reach such an index from
// concurrent committing threads before they become visible, so the write
// of version 7 may arrive after that of version 9.
//
// Each entry is (version, slot): the index's slot for the document or vector
// that version wrote, or kDeletedSlot for a delete. Entries are sorted by
// version, oldest first.
//
// Thread safety: plain functions; callers hold the index's lock.
#ifndef STRATA_UTIL_KEY_WRITES_HPP_
#define STRATA_UTIL_KEY_WRITES_HPP_

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "strata/types.hpp"

namespace strata::util {

inline constexpr uint32_t kDeletedSlot = ~uint32_t{0};
// Most keys have one write: kept inline, without a heap allocation.
using KeyWrites = absl::InlinedVector<std::pair<Version, uint32_t>, 1>;

// Where a write at `version` belongs in `writes`.
struct WritePlace {
  KeyWrites::iterator pos;  // Insert before this.
  bool seen = false;        // `version` is already there.
  Version next = 0;         // The next newer write's version, or `live`.
};
inline WritePlace PlaceWrite(KeyWrites& writes, Version version, Version live) {
  WritePlace p;
  p.pos = std::upper_bound(writes.begin(), writes.end(), version,
                           [](Version v, const auto& w) { return v < w.first; });
  p.seen = p.pos != writes.begin() && std::prev(p.pos)->first == version;
  p.next = p.pos == writes.end() ? live : p.pos->first;
  return p;
}

// For each key of `touched` in `keys` (a map from key to KeyWrites): drops
// the writes at or below `horizon` older than the newest of them (no
// snapshot can read them any more), and the key itself once all it holds
// is a delete at or below the horizon.
template <typename Map>
void TrimKeyWrites(Map& keys, const std::vector<std::string>& touched, Version horizon) {
  for (const std::string& key : touched) {
    auto it = keys.find(key);
    if (it == keys.end()) continue;
    KeyWrites& w = it->second;
    size_t newest_old = 0;
    while (newest_old + 1 < w.size() && w[newest_old + 1].first <= horizon) ++newest_old;
    w.erase(w.begin(), w.begin() + static_cast<std::ptrdiff_t>(newest_old));
    if (w.size() == 1 && w[0].second == kDeletedSlot && w[0].first <= horizon) keys.erase(it);
  }
}

}  // namespace strata::util

#endif  // STRATA_UTIL_KEY_WRITES_HPP_
