// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// VectorFilter's factories, filter validation and evaluation, and the
// metadata inverted index.
#include "vector/filter.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <iterator>
#include <limits>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "strata/status.hpp"
#include "util/status_macros.hpp"
#include "util/strings.hpp"

namespace strata {

VectorFilter VectorFilter::Eq(std::string field, Value value) {
  VectorFilter f;
  f.op = Op::kEq;
  f.field = std::move(field);
  f.values.push_back(std::move(value));
  return f;
}

VectorFilter VectorFilter::In(std::string field, std::vector<Value> values) {
  VectorFilter f;
  f.op = Op::kIn;
  f.field = std::move(field);
  f.values = std::move(values);
  return f;
}

VectorFilter VectorFilter::Range(std::string field, std::optional<double> lo,
                                 std::optional<double> hi, bool lo_inclusive,
                                 bool hi_inclusive) {
  VectorFilter f;
  f.op = Op::kRange;
  f.field = std::move(field);
  f.lo = lo;
  f.hi = hi;
  f.lo_inclusive = lo_inclusive;
  f.hi_inclusive = hi_inclusive;
  return f;
}

VectorFilter VectorFilter::And(std::vector<VectorFilter> children) {
  VectorFilter f;
  f.op = Op::kAnd;
  f.children = std::move(children);
  return f;
}

VectorFilter VectorFilter::Or(std::vector<VectorFilter> children) {
  VectorFilter f;
  f.op = Op::kOr;
  f.children = std::move(children);
  return f;
}

namespace vector {
namespace {

using Op = VectorFilter::Op;
using util::Sv;

// Where the root of a filter is, in error messages.
constexpr std::string_view kRootName = "filter";

// libstdc++ keeps strings of up to 15 bytes inside the object.
constexpr size_t kInlineStringBytes = 15;

absl::Status Invalid(std::string_view where, std::string_view what) {
  return MakeError(ErrorCode::kInvalidArgument, absl::StrCat(Sv(where), ": ", Sv(what)));
}

std::string ChildName(std::string_view parent, size_t index) {
  return absl::StrCat(Sv(parent), ".children[", index, "]");
}

bool IsLeaf(Op op) { return op == Op::kEq || op == Op::kIn || op == Op::kRange; }

std::string_view OpName(Op op) {
  switch (op) {
    case Op::kEq:
      return "Eq";
    case Op::kIn:
      return "In";
    case Op::kRange:
      return "Range";
    case Op::kAnd:
      return "And";
    case Op::kOr:
      return "Or";
  }
  return "unknown op";
}

// The size limits, checked before anything else so that a hostile filter
// (a million levels deep, say) costs at most kMaxFilterNodes + 1 visits and
// kMaxFilterDepth + 1 stack frames. `depth` is 1 for the root.
absl::Status CheckShape(const VectorFilter& f, std::string_view where, uint32_t depth,
                        uint32_t* nodes) {
  if (depth > kMaxFilterDepth) {
    return Invalid(where, absl::StrCat("filter is nested deeper than ", kMaxFilterDepth,
                                       " levels"));
  }
  if (++*nodes > kMaxFilterNodes) {
    return Invalid(kRootName, absl::StrCat("filter has more than ", kMaxFilterNodes,
                                           " nodes"));
  }
  for (size_t i = 0; i < f.children.size(); ++i) {
    STRATA_RETURN_IF_ERROR(CheckShape(f.children[i], ChildName(where, i), depth + 1, nodes));
  }
  return absl::OkStatus();
}

// Eq and In values: scalars, and no NaN (it would equal nothing).
absl::Status CheckValue(const Value& v, std::string_view where, size_t index) {
  switch (v.type()) {
    case Value::Type::kNull:
    case Value::Type::kBool:
    case Value::Type::kInt:
    case Value::Type::kString:
      return absl::OkStatus();
    case Value::Type::kDouble:
      if (std::isnan(v.AsDouble())) {
        return Invalid(where, absl::StrCat("values[", index, "] is NaN, which equals nothing"));
      }
      return absl::OkStatus();
    case Value::Type::kBytes:
    case Value::Type::kArray:
    case Value::Type::kObject:
      break;
  }
  return Invalid(where, absl::StrCat("values[", index, "] is ", Sv(TypeName(v.type())),
                                     "; a filter value must be null, bool, int, double or "
                                     "string"));
}

absl::Status CheckBound(std::optional<double> bound, std::string_view name,
                        std::string_view where) {
  if (bound.has_value() && !std::isfinite(*bound)) {
    return Invalid(where, absl::StrCat("Range bound ", Sv(name), " is not finite (", *bound,
                                       ")"));
  }
  return absl::OkStatus();
}

// One node's own rules, then its children's. REQUIRES: CheckShape passed,
// which bounds the recursion.
absl::Status CheckNode(const VectorFilter& f, std::string_view where) {
  if (f.op != Op::kEq && f.op != Op::kIn && f.op != Op::kRange && f.op != Op::kAnd &&
      f.op != Op::kOr) {
    return Invalid(where, absl::StrCat("unknown op ", static_cast<int>(f.op)));
  }
  const std::string_view op = OpName(f.op);
  if (IsLeaf(f.op)) {
    if (f.field.empty()) return Invalid(where, absl::StrCat(Sv(op), " needs a field"));
    if (f.field.find('\0') != std::string::npos) {
      return Invalid(where, absl::StrCat(Sv(op), " field contains a NUL byte"));
    }
    if (!f.children.empty()) {
      return Invalid(where, absl::StrCat(Sv(op), " takes no children (has ",
                                         f.children.size(), ")"));
    }
  } else {
    if (!f.field.empty()) return Invalid(where, absl::StrCat(Sv(op), " takes no field"));
    if (f.children.empty()) return Invalid(where, absl::StrCat(Sv(op), " needs children"));
    if (!f.values.empty()) {
      return Invalid(where, absl::StrCat(Sv(op), " takes no values (has ", f.values.size(),
                                         ")"));
    }
  }
  if (f.op != Op::kRange && (f.lo.has_value() || f.hi.has_value())) {
    return Invalid(where, absl::StrCat(Sv(op), " takes no bounds (lo/hi are for Range)"));
  }

  switch (f.op) {
    case Op::kEq:
      if (f.values.size() != 1) {
        return Invalid(where, absl::StrCat("Eq needs exactly one value (has ", f.values.size(),
                                           ")"));
      }
      break;
    case Op::kIn:
      if (f.values.empty()) return Invalid(where, "In needs at least one value");
      if (f.values.size() > kMaxFilterValues) {
        return Invalid(where, absl::StrCat("In has ", f.values.size(),
                                           " values, more than the limit of ",
                                           kMaxFilterValues));
      }
      break;
    case Op::kRange:
      if (!f.values.empty()) {
        return Invalid(where, absl::StrCat("Range takes no values (has ", f.values.size(),
                                           "); it uses lo and hi"));
      }
      if (!f.lo.has_value() && !f.hi.has_value()) {
        return Invalid(where, "Range needs a bound (lo, hi or both)");
      }
      STRATA_RETURN_IF_ERROR(CheckBound(f.lo, "lo", where));
      STRATA_RETURN_IF_ERROR(CheckBound(f.hi, "hi", where));
      // lo == hi with an exclusive end is an empty range, and accepted.
      if (f.lo.has_value() && f.hi.has_value() && *f.lo > *f.hi) {
        return Invalid(where, absl::StrCat("Range lo (", *f.lo, ") is greater than hi (",
                                           *f.hi, ")"));
      }
      break;
    case Op::kAnd:
    case Op::kOr:
      break;
  }
  for (size_t i = 0; i < f.values.size(); ++i) {
    STRATA_RETURN_IF_ERROR(CheckValue(f.values[i], where, i));
  }
  for (size_t i = 0; i < f.children.size(); ++i) {
    STRATA_RETURN_IF_ERROR(CheckNode(f.children[i], ChildName(where, i)));
  }
  return absl::OkStatus();
}

// The top-level member `field` of `metadata`, or null when there is none.
const Value* Member(const Value& metadata, const std::string& field) {
  if (!metadata.is_object()) return nullptr;
  const Value::Object& object = metadata.AsObject();
  const auto it = object.find(field);
  return it == object.end() ? nullptr : &it->second;
}

// Ints and doubles as a double; false for every other type.
bool AsNumber(const Value& v, double* out) {
  if (v.is_int()) {
    *out = static_cast<double>(v.AsInt());
    return true;
  }
  if (v.is_double()) {
    *out = v.AsDouble();
    return true;
  }
  return false;
}

// The Eq rule of filter.hpp: numbers as doubles (NaN equals nothing), bool
// only with bool, strings bytewise, null with null, nothing else.
bool ScalarEquals(const Value& member, const Value& value) {
  double a = 0;
  double b = 0;
  if (AsNumber(member, &a)) return AsNumber(value, &b) && a == b;
  switch (member.type()) {
    case Value::Type::kNull:
      return value.is_null();
    case Value::Type::kBool:
      return value.is_bool() && member.AsBool() == value.AsBool();
    case Value::Type::kString:
      return value.is_string() && member.AsString() == value.AsString();
    default:
      return false;
  }
}

// NaN fails every comparison, so it is never in a range.
bool InRange(double d, const VectorFilter& range) {
  if (range.lo.has_value() && !(range.lo_inclusive ? d >= *range.lo : d > *range.lo)) {
    return false;
  }
  if (range.hi.has_value() && !(range.hi_inclusive ? d <= *range.hi : d < *range.hi)) {
    return false;
  }
  return !std::isnan(d);
}

// The key of a number in the index: -0.0 becomes 0.0. They compare equal, and
// absl::Hash already hashes them alike; normalizing keeps the index correct
// without relying on that. REQUIRES: !isnan(d).
double NormalizeNumber(double d) { return d == 0 ? 0.0 : d; }

// Whether a valid filter can name this member.
bool IsIndexableName(const std::string& name) {
  return !name.empty() && name.find('\0') == std::string::npos;
}

// Whether a member's value can match a valid filter.
bool IsIndexableValue(const Value& v) {
  switch (v.type()) {
    case Value::Type::kNull:
    case Value::Type::kBool:
    case Value::Type::kInt:
    case Value::Type::kString:
      return true;
    case Value::Type::kDouble:
      return !std::isnan(v.AsDouble());
    default:
      return false;
  }
}

void SortUnique(std::vector<uint32_t>* v) {
  std::sort(v->begin(), v->end());
  v->erase(std::unique(v->begin(), v->end()), v->end());
}

// Heap estimates for MemoryBytes.
size_t StringHeapBytes(const std::string& s) {
  return s.capacity() > kInlineStringBytes ? s.capacity() + 1 : 0;
}

// A btree node carries a small header and is on average about two thirds
// full.
template <typename T>
size_t BtreeHeapBytes(const absl::btree_set<T>& set) {
  constexpr size_t kNodeHeaderBytes = 32;
  return set.empty() ? 0 : kNodeHeaderBytes + set.size() * sizeof(T) * 3 / 2;
}

// A swiss table allocates capacity() slots plus one control byte each.
template <typename Table>
size_t HashTableHeapBytes(const Table& table) {
  return table.capacity() * (sizeof(typename Table::value_type) + 1);
}

}  // namespace

absl::Status ValidateFilter(const VectorFilter& filter) {
  uint32_t nodes = 0;
  STRATA_RETURN_IF_ERROR(CheckShape(filter, kRootName, 1, &nodes));
  return CheckNode(filter, kRootName);
}

bool FilterMatches(const VectorFilter& filter, const Value& metadata) {
  switch (filter.op) {
    case Op::kEq:
    case Op::kIn: {
      // Eq has exactly one value, so "equals any value" covers both.
      const Value* member = Member(metadata, filter.field);
      if (member == nullptr) return false;
      return std::any_of(filter.values.begin(), filter.values.end(),
                         [member](const Value& v) { return ScalarEquals(*member, v); });
    }
    case Op::kRange: {
      const Value* member = Member(metadata, filter.field);
      double d = 0;
      return member != nullptr && AsNumber(*member, &d) && InRange(d, filter);
    }
    case Op::kAnd:
      return std::all_of(filter.children.begin(), filter.children.end(),
                         [&metadata](const VectorFilter& c) { return FilterMatches(c, metadata); });
    case Op::kOr:
      return std::any_of(filter.children.begin(), filter.children.end(),
                         [&metadata](const VectorFilter& c) { return FilterMatches(c, metadata); });
  }
  assert(false && "FilterMatches: invalid op");
  return false;
}

// --- MetadataIndex

void MetadataIndex::Add(uint32_t label, const Value& metadata) {
  if (!labels_.insert(label).second) {
    assert(false && "MetadataIndex::Add: label already in the index");
    return;
  }
  if (!metadata.is_object()) return;
  for (const auto& [name, v] : metadata.AsObject()) {
    if (!IsIndexableName(name) || !IsIndexableValue(v)) continue;
    FieldIndex& index = fields_[name];
    double d = 0;
    if (AsNumber(v, &d)) {
      d = NormalizeNumber(d);
      index.numbers[d].insert(label);
      index.ordered.insert({d, label});
      continue;
    }
    switch (v.type()) {
      case Value::Type::kNull:
        index.nulls.insert(label);
        break;
      case Value::Type::kBool:
        (v.AsBool() ? index.trues : index.falses).insert(label);
        break;
      case Value::Type::kString:
        index.strings[v.AsString()].insert(label);
        break;
      default:
        assert(false && "IsIndexableValue let a non-scalar through");
        break;
    }
  }
}

void MetadataIndex::Remove(uint32_t label, const Value& metadata) {
  if (labels_.erase(label) == 0) return;
  if (!metadata.is_object()) return;
  for (const auto& [name, v] : metadata.AsObject()) {
    if (!IsIndexableName(name) || !IsIndexableValue(v)) continue;
    const auto field_it = fields_.find(name);
    if (field_it == fields_.end()) continue;  // Not the metadata that was added.
    FieldIndex& index = field_it->second;
    double d = 0;
    if (AsNumber(v, &d)) {
      d = NormalizeNumber(d);
      index.ordered.erase({d, label});
      if (const auto it = index.numbers.find(d); it != index.numbers.end()) {
        it->second.erase(label);
        if (it->second.empty()) index.numbers.erase(it);
      }
    } else {
      switch (v.type()) {
        case Value::Type::kNull:
          index.nulls.erase(label);
          break;
        case Value::Type::kBool:
          (v.AsBool() ? index.trues : index.falses).erase(label);
          break;
        case Value::Type::kString:
          if (const auto it = index.strings.find(v.AsString()); it != index.strings.end()) {
            it->second.erase(label);
            if (it->second.empty()) index.strings.erase(it);
          }
          break;
        default:
          break;
      }
    }
    if (index.empty()) fields_.erase(field_it);
  }
}

void MetadataIndex::AppendEqual(const FieldIndex& index, const Value& value,
                                std::vector<uint32_t>* out) {
  const LabelSet* labels = nullptr;
  double d = 0;
  if (AsNumber(value, &d)) {
    if (std::isnan(d)) return;  // Refused by ValidateFilter; equals nothing anyway.
    const auto it = index.numbers.find(NormalizeNumber(d));
    if (it != index.numbers.end()) labels = &it->second;
  } else {
    switch (value.type()) {
      case Value::Type::kNull:
        labels = &index.nulls;
        break;
      case Value::Type::kBool:
        labels = value.AsBool() ? &index.trues : &index.falses;
        break;
      case Value::Type::kString:
        if (const auto it = index.strings.find(value.AsString()); it != index.strings.end()) {
          labels = &it->second;
        }
        break;
      default:
        break;
    }
  }
  if (labels != nullptr) out->insert(out->end(), labels->begin(), labels->end());
}

void MetadataIndex::AppendRange(const FieldIndex& index, const VectorFilter& range,
                                std::vector<uint32_t>* out) {
  constexpr uint32_t kMaxLabel = std::numeric_limits<uint32_t>::max();
  auto it = index.ordered.begin();
  if (range.lo.has_value()) {
    it = range.lo_inclusive ? index.ordered.lower_bound({*range.lo, 0})
                            : index.ordered.upper_bound({*range.lo, kMaxLabel});
  }
  for (; it != index.ordered.end(); ++it) {
    const double d = it->first;
    if (range.hi.has_value() && (range.hi_inclusive ? d > *range.hi : d >= *range.hi)) break;
    out->push_back(it->second);
  }
}

std::vector<uint32_t> MetadataIndex::Candidates(const VectorFilter& filter) const {
  std::vector<uint32_t> out;
  switch (filter.op) {
    case Op::kEq:
    case Op::kIn: {
      const auto it = fields_.find(filter.field);
      if (it == fields_.end()) return out;
      for (const Value& v : filter.values) AppendEqual(it->second, v, &out);
      // One posting list is already ascending and duplicate-free.
      if (filter.values.size() > 1) SortUnique(&out);
      return out;
    }
    case Op::kRange: {
      const auto it = fields_.find(filter.field);
      if (it == fields_.end()) return out;
      AppendRange(it->second, filter, &out);
      // A label has one number per member, so there are no duplicates.
      std::sort(out.begin(), out.end());
      return out;
    }
    case Op::kAnd: {
      std::vector<std::vector<uint32_t>> results;
      results.reserve(filter.children.size());
      for (const VectorFilter& child : filter.children) {
        results.push_back(Candidates(child));
        if (results.back().empty()) return out;
      }
      std::sort(results.begin(), results.end(),
                [](const auto& a, const auto& b) { return a.size() < b.size(); });
      out = std::move(results[0]);
      std::vector<uint32_t> scratch;
      for (size_t i = 1; i < results.size() && !out.empty(); ++i) {
        scratch.clear();
        std::set_intersection(out.begin(), out.end(), results[i].begin(), results[i].end(),
                              std::back_inserter(scratch));
        out.swap(scratch);
      }
      return out;
    }
    case Op::kOr: {
      for (const VectorFilter& child : filter.children) {
        std::vector<uint32_t> r = Candidates(child);
        out.insert(out.end(), r.begin(), r.end());
      }
      if (filter.children.size() > 1) SortUnique(&out);
      return out;
    }
  }
  assert(false && "MetadataIndex::Candidates: invalid op");
  return out;
}

size_t MetadataIndex::MemoryBytes() const {
  size_t bytes = HashTableHeapBytes(labels_) + HashTableHeapBytes(fields_);
  for (const auto& [name, index] : fields_) {
    bytes += StringHeapBytes(name);
    bytes += BtreeHeapBytes(index.nulls) + BtreeHeapBytes(index.trues) +
             BtreeHeapBytes(index.falses) + BtreeHeapBytes(index.ordered);
    bytes += HashTableHeapBytes(index.numbers) + HashTableHeapBytes(index.strings);
    for (const auto& [number, labels] : index.numbers) bytes += BtreeHeapBytes(labels);
    for (const auto& [text, labels] : index.strings) {
      bytes += StringHeapBytes(text) + BtreeHeapBytes(labels);
    }
  }
  return bytes;
}

}  // namespace vector
}  // namespace strata
