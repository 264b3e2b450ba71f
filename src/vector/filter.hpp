// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Metadata filters of the vector primitive: validation of a VectorFilter
// (strata/vector.hpp), its evaluation against one metadata value, and an
// inverted index that answers a filter with the labels of the matching
// vectors.
//
// Matching rules (FilterMatches and MetadataIndex::Candidates agree on every
// input):
//   - Metadata is null or an object; `field` names a top-level member.
//     Metadata that is not an object has no members. A missing member never
//     matches Eq, In or Range (so Eq(field, null) does not match a missing
//     member, only a member that is null).
//   - Eq: the member equals values[0]. Numbers (int and double) compare as
//     doubles: 1 == 1.0, -0.0 == 0.0, and an int beyond 2^53 compares by its
//     nearest double. A NaN member equals nothing. A bool never equals a
//     number, strings compare bytewise, null equals null. A member that is
//     bytes, an array or an object equals no filter value.
//   - In: the member equals one of `values` under the same rule.
//   - Range: the member is a number (int or double, compared as a double, NaN
//     never matches) with lo <= member (lo < member when !lo_inclusive) and
//     member <= hi (member < hi when !hi_inclusive); a missing bound is
//     unbounded, so an infinite member matches only on its unbounded side.
//   - And: every child matches. Or: at least one child matches.
//
// Thread safety: ValidateFilter and FilterMatches are pure and thread-safe.
// MetadataIndex is not thread-safe: callers synchronize (concurrent const
// calls are safe; a mutation needs exclusive access).
#ifndef STRATA_VECTOR_FILTER_HPP_
#define STRATA_VECTOR_FILTER_HPP_

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "strata/value.hpp"
#include "strata/vector.hpp"

namespace strata::vector {

// OK if `filter` is well formed, else InvalidArgument whose message starts
// with the location of the offending node ("filter", "filter.children[1]",
// "filter.children[1].children[0]", ...) and names the problem:
//   - more than kMaxFilterNodes nodes in total, or nested deeper than
//     kMaxFilterDepth levels (a lone Eq has depth 1, And(Eq) depth 2);
//   - an op outside the Op enum;
//   - Eq/In/Range: an empty field or one containing a NUL byte, any children;
//   - And/Or: a non-empty field, no children, any values;
//   - Eq: not exactly one value; In: no value or more than kMaxFilterValues;
//   - a value that is not a scalar (null, bool, int, double, string), or a
//     NaN double (infinities are accepted);
//   - Range: values, no bound at all, a non-finite bound, or lo > hi
//     (lo == hi with an exclusive end is accepted: it is an empty range);
//   - lo or hi set on an Eq, In, And or Or node.
// Checks the size limits before anything else, so it never recurses deeper
// than kMaxFilterDepth + 1 levels nor visits more than kMaxFilterNodes + 1
// nodes, whatever the input.
absl::Status ValidateFilter(const VectorFilter& filter);

// True if `metadata` satisfies `filter` under the rules at the top of this
// file. REQUIRES: ValidateFilter(filter).ok().
bool FilterMatches(const VectorFilter& filter, const Value& metadata);

// An inverted index over the top-level scalar members (null, bool, int,
// double, string) of metadata objects, keyed by caller-chosen uint32_t
// labels. Per member name it keeps posting lists keyed by the member's value
// (numbers normalized to double) for Eq and In, and an ordered set of
// (number, label) for Range. Members a valid filter cannot name (an empty
// name, a name with a NUL byte) and members that are bytes, arrays, objects
// or NaN are not indexed: no filter can match them.
//
// Not thread-safe: callers synchronize.
class MetadataIndex {
 public:
  MetadataIndex() = default;
  MetadataIndex(const MetadataIndex&) = delete;
  MetadataIndex& operator=(const MetadataIndex&) = delete;
  MetadataIndex(MetadataIndex&&) = default;
  MetadataIndex& operator=(MetadataIndex&&) = default;

  // Indexes `metadata` (null or an object; anything else indexes as an
  // object without members) under `label`.
  // REQUIRES: `label` is not in the index (Remove it first to replace its
  // metadata).
  void Add(uint32_t label, const Value& metadata);

  // Removes `label`. `metadata` must be the value given to Add for it. A
  // label that is not in the index is ignored.
  void Remove(uint32_t label, const Value& metadata);

  // The labels in the index whose metadata satisfies `filter` (exactly those
  // for which FilterMatches is true), ascending and without duplicates.
  // Eq and In cost a hash lookup per value plus the size of the posting
  // lists; Range costs O(log n) plus the matches; And intersects its
  // children's results starting from the smallest and stops at the first
  // empty one; Or unites them. Each result is sorted once (m log m).
  // REQUIRES: ValidateFilter(filter).ok().
  std::vector<uint32_t> Candidates(const VectorFilter& filter) const;

  // Labels in the index.
  size_t size() const { return labels_.size(); }

  // Approximate heap bytes used by the index, for reporting (not a limit:
  // container overheads are estimated).
  size_t MemoryBytes() const;

 private:
  using LabelSet = absl::btree_set<uint32_t>;

  // Everything indexed for one member name.
  struct FieldIndex {
    LabelSet nulls;
    LabelSet trues;
    LabelSet falses;
    absl::flat_hash_map<double, LabelSet> numbers;  // Normalized: no -0.0, no NaN.
    absl::flat_hash_map<std::string, LabelSet> strings;
    absl::btree_set<std::pair<double, uint32_t>> ordered;  // For Range.

    bool empty() const {
      return nulls.empty() && trues.empty() && falses.empty() && numbers.empty() &&
             strings.empty();
    }
  };

  // Appends, ascending, the labels whose member equals `value` (a scalar).
  static void AppendEqual(const FieldIndex& index, const Value& value,
                          std::vector<uint32_t>* out);
  // Appends the labels whose member is a number within the bounds of
  // `range` (a Range node), in the order of their numbers.
  static void AppendRange(const FieldIndex& index, const VectorFilter& range,
                          std::vector<uint32_t>* out);

  absl::flat_hash_set<uint32_t> labels_;
  absl::flat_hash_map<std::string, FieldIndex> fields_;
};

}  // namespace strata::vector

#endif  // STRATA_VECTOR_FILTER_HPP_
