// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Patch operations on an encoded document (see patch.hpp).
//
// Every operation is a splice: it locates its target with the scanner of
// document.cpp (which records the header of every container on the way
// down), then writes the output in one pass: the bytes before each ancestor
// header, the ancestor headers re-encoded with their new counts and body
// lengths (whose varints may change size), the new bytes, and the rest of the
// document. The output size is known before anything is written, so each
// operation costs one reservation and a copy of the document; the limits are
// checked before the copy. A list of operations alternates between the output
// string and one spare buffer.
#include "json/patch.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "strata/status.hpp"
#include "util/coding.hpp"
#include "util/strings.hpp"
#include "util/value_codec.hpp"

namespace strata::json {
namespace {

using internal::Container;
using internal::Slot;
using util::Sv;

constexpr size_t kMaxVarintBytes = 10;
// Tag, then two varints.
constexpr size_t kMaxHeaderBytes = 1 + 2 * kMaxVarintBytes;
// Longest excerpt of a value quoted in a `test` failure.
constexpr size_t kMaxQuotedValueBytes = 200;
constexpr size_t kMaxPieces = 3;

bool HasValue(OpType type) {
  switch (type) {
    case OpType::kAdd:
    case OpType::kReplace:
    case OpType::kTest:
    case OpType::kSet:
    case OpType::kMergePatch:
      return true;
    case OpType::kRemove:
    case OpType::kMove:
    case OpType::kCopy:
      return false;
  }
  return false;
}

bool HasFrom(OpType type) { return type == OpType::kMove || type == OpType::kCopy; }

bool OpTypeFromName(std::string_view name, OpType* type) {
  for (uint8_t t = static_cast<uint8_t>(OpType::kAdd);
       t <= static_cast<uint8_t>(OpType::kMergePatch); ++t) {
    if (OpTypeName(static_cast<OpType>(t)) == name) {
      *type = static_cast<OpType>(t);
      return true;
    }
  }
  return false;
}

size_t PutVarint(char* dst, uint64_t v) {
  size_t n = 0;
  while (v >= 0x80) {
    dst[n++] = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  dst[n++] = static_cast<char>(v);
  return n;
}

std::string Excerpt(const Value& value) {
  std::string json = value.ToJson();
  if (json.size() > kMaxQuotedValueBytes) {
    json.resize(kMaxQuotedValueBytes);
    json.append("...");
  }
  return json;
}

bool IsInteger(double d) { return std::isfinite(d) && std::trunc(d) == d; }

// int64 `i` and double `d` are the same number.
bool IntEqualsDouble(int64_t i, double d) {
  // 2^63 as a double; every integral double in [-2^63, 2^63) converts exactly.
  constexpr double kTwo63 = 9223372036854775808.0;
  if (!IsInteger(d) || d < -kTwo63 || d >= kTwo63) return false;
  return static_cast<int64_t>(d) == i;
}

// Replace doc[begin, end) by the pieces, inside the chain of containers
// frames[0..frame_count) (outermost first; each holds the next, and the last
// holds the range), the last of which gains `count_delta` entries.
struct Edit {
  const Container* frames = nullptr;
  size_t frame_count = 0;
  int count_delta = 0;
  size_t begin = 0;
  size_t end = 0;
  std::array<std::string_view, kMaxPieces> pieces;
  size_t piece_count = 0;

  void Add(std::string_view piece) { pieces[piece_count++] = piece; }
};

absl::Status TooBig(size_t bytes, size_t limit) {
  return MakeError(ErrorCode::kResourceExhausted,
                   absl::StrCat("the document would be ", bytes,
                                " bytes, over the limit of ", limit));
}

// Writes `doc` with `edit` applied to `*out`. REQUIRES: `out` does not hold
// `doc` or any piece.
absl::Status Splice(std::string_view doc, const Edit& edit, size_t max_bytes,
                    std::string* out) {
  std::array<std::array<char, kMaxHeaderBytes>, kMaxPathTokens> headers;
  std::array<size_t, kMaxPathTokens> header_bytes;
  int64_t added = 0;
  for (size_t i = 0; i < edit.piece_count; ++i) {
    added += static_cast<int64_t>(edit.pieces[i].size());
  }
  // How much the innermost container not yet handled grows; after the loop,
  // how much the whole document grows.
  int64_t growth = added - static_cast<int64_t>(edit.end - edit.begin);
  for (size_t k = edit.frame_count; k-- > 0;) {
    const Container& frame = edit.frames[k];
    const uint64_t count =
        frame.count + (k + 1 == edit.frame_count ? static_cast<int64_t>(edit.count_delta) : 0);
    const auto body = static_cast<uint64_t>(static_cast<int64_t>(frame.body_bytes) + growth);
    char* h = headers[k].data();
    h[0] = static_cast<char>(frame.is_object ? Value::Type::kObject : Value::Type::kArray);
    size_t n = 1;
    n += PutVarint(h + n, count);
    n += PutVarint(h + n, body);
    header_bytes[k] = n;
    growth += static_cast<int64_t>(n) - static_cast<int64_t>(frame.header_bytes);
  }
  const auto total = static_cast<size_t>(static_cast<int64_t>(doc.size()) + growth);
  if (total > max_bytes) return TooBig(total, max_bytes);

  out->clear();
  out->reserve(total);
  size_t pos = 0;
  for (size_t k = 0; k < edit.frame_count; ++k) {
    const Container& frame = edit.frames[k];
    out->append(doc.data() + pos, frame.offset - pos);
    out->append(headers[k].data(), header_bytes[k]);
    pos = frame.body_begin();
  }
  out->append(doc.data() + pos, edit.begin - pos);
  for (size_t i = 0; i < edit.piece_count; ++i) out->append(edit.pieces[i]);
  out->append(doc.data() + edit.end, doc.size() - edit.end);
  return absl::OkStatus();
}

Path Prefix(const Path& path, size_t tokens) {
  Path prefix;
  prefix.tokens.assign(path.tokens.begin(), path.tokens.begin() + tokens);
  return prefix;
}

class Applier {
 public:
  Applier(const Limits& limits, std::vector<Region>* regions)
      : max_bytes_(limits.max_document_bytes),
        max_depth_(std::clamp(limits.max_depth, 0, kMaxValueDepth)),
        regions_(regions) {}

  absl::Status Run(std::string_view doc, std::span<const Op> ops, std::string* out) {
    // The caller may pass a view of `*out` itself.
    std::string input;
    if (!out->empty() && doc.data() >= out->data() && doc.data() < out->data() + out->size()) {
      input.assign(doc);
      doc = input;
    }
    out_ = out;
    cur_ = doc;
    for (const Op& op : ops) {
      if (absl::Status s = Apply(op); !s.ok()) return s;
      if (cur_.size() > max_bytes_) return TooBig(cur_.size(), max_bytes_);
    }
    if (cur_.size() > max_bytes_) return TooBig(cur_.size(), max_bytes_);
    if (cur_.data() == spare_.data() && !spare_.empty()) {
      out->swap(spare_);
    } else if (cur_.data() != out->data() || cur_.size() != out->size()) {
      out->assign(cur_);
    }
    return absl::OkStatus();
  }

 private:
  // The buffer that does not hold cur_.
  std::string* Target() {
    return !out_->empty() && cur_.data() == out_->data() ? &spare_ : out_;
  }

  absl::Status Write(const Edit& edit, size_t max_bytes) {
    std::string* target = Target();
    if (absl::Status s = Splice(cur_, edit, max_bytes, target); !s.ok()) return s;
    cur_ = *target;
    return absl::OkStatus();
  }

  absl::Status ReplaceRoot(std::string_view bytes) {
    Edit edit;
    edit.end = cur_.size();
    edit.Add(bytes);
    return Write(edit, max_bytes_);
  }

  // Records the first `tokens` tokens of `path` as a region; builds nothing
  // when the caller does not want regions.
  void RecordPrefix(const Path& path, size_t tokens, bool write = true) {
    if (regions_ != nullptr) regions_->push_back(Region{Prefix(path, tokens), write});
  }
  void Record(const Path& path, bool write = true) {
    RecordPrefix(path, path.tokens.size(), write);
  }

  absl::Status CheckDepth(const Path& path, int value_depth) const {
    const size_t depth = path.tokens.size() + static_cast<size_t>(value_depth);
    if (depth > static_cast<size_t>(max_depth_)) {
      return MakeError(ErrorCode::kResourceExhausted,
                       absl::StrCat("the value at ",
                                    internal::DescribePrefix(path, path.tokens.size()),
                                    " would nest ", depth, " levels deep, over the limit of ",
                                    max_depth_));
    }
    return absl::OkStatus();
  }

  static absl::Status CheckPathLength(const Path& path) {
    if (path.tokens.size() > kMaxPathTokens) {
      return MakeError(ErrorCode::kResourceExhausted,
                       absl::StrCat("path has ", path.tokens.size(), " tokens, more than ",
                                    kMaxPathTokens));
    }
    return absl::OkStatus();
  }

  const std::string& Encoded(const Value& value) {
    value_bytes_.clear();
    EncodeDocument(value, &value_bytes_);
    return value_bytes_;
  }

  absl::Status Apply(const Op& op) {
    if (absl::Status s = CheckPathLength(op.path); !s.ok()) return s;
    if (HasFrom(op.type)) {
      if (absl::Status s = CheckPathLength(op.from); !s.ok()) return s;
    }
    switch (op.type) {
      case OpType::kAdd:
        return Add(op.path, Encoded(op.value), op.value.Depth(), max_bytes_);
      case OpType::kRemove:
        return Remove(op.path, max_bytes_);
      case OpType::kReplace:
        return Replace(op.path, op.value);
      case OpType::kMove:
        return Move(op.from, op.path);
      case OpType::kCopy:
        return Copy(op.from, op.path);
      case OpType::kTest:
        return Test(op.path, op.value);
      case OpType::kSet:
        return Set(op.path, op.value);
      case OpType::kMergePatch:
        return Merge(op.path, op.value);
    }
    return MakeError(ErrorCode::kInvalidArgument,
                     absl::StrCat("unknown operation type ", static_cast<int>(op.type)));
  }

  // RFC 6902 add of the encoded value `bytes` (nesting `depth`).
  absl::Status Add(const Path& path, std::string_view bytes, int depth, size_t max_bytes) {
    const size_t n = path.tokens.size();
    if (n == 0) {
      if (absl::Status s = CheckDepth(path, depth); !s.ok()) return s;
      if (absl::Status s = ReplaceRoot(bytes); !s.ok()) return s;
      Record(path);
      return absl::OkStatus();
    }
    Slot slot;
    if (absl::Status s = internal::Walk(cur_, path, n - 1, frames_.data(), &slot); !s.ok()) {
      return s;
    }
    Container& parent = frames_[n - 1];
    if (absl::Status s = internal::OpenContainer(cur_, slot.value_begin, slot.value_end, path,
                                                 n - 1, &parent);
        !s.ok()) {
      return s;
    }
    if (absl::Status s = internal::Lookup(cur_, parent, path, n - 1, &slot); !s.ok()) return s;
    if (!parent.is_object && slot.index > parent.count) {
      return MakeError(ErrorCode::kInvalidArgument,
                       absl::StrCat(path.ToPointer(), ": index ", slot.index,
                                    " is past the end of the array of ", parent.count,
                                    " elements at ", internal::DescribePrefix(path, n - 1)));
    }
    if (absl::Status s = CheckDepth(path, depth); !s.ok()) return s;
    Edit edit;
    edit.frames = frames_.data();
    edit.frame_count = n;
    char key_len[kMaxVarintBytes];
    if (parent.is_object && slot.found) {
      edit.begin = slot.value_begin;
      edit.end = slot.value_end;
      edit.Add(bytes);
    } else if (parent.is_object) {
      const std::string& key = path.tokens[n - 1];
      edit.begin = edit.end = slot.insert_at;
      edit.count_delta = 1;
      edit.Add(std::string_view(key_len, PutVarint(key_len, key.size())));
      edit.Add(key);
      edit.Add(bytes);
    } else {
      edit.begin = edit.end = slot.found ? slot.entry_begin : slot.insert_at;
      edit.count_delta = 1;
      edit.Add(bytes);
    }
    if (absl::Status s = Write(edit, max_bytes); !s.ok()) return s;
    RecordPrefix(path, parent.is_object ? n : n - 1);
    return absl::OkStatus();
  }

  absl::Status Remove(const Path& path, size_t max_bytes) {
    const size_t n = path.tokens.size();
    if (n == 0) {
      return MakeError(ErrorCode::kInvalidArgument, "cannot remove the root of the document");
    }
    Slot slot;
    if (absl::Status s = internal::Walk(cur_, path, n, frames_.data(), &slot); !s.ok()) {
      return s;
    }
    const bool in_object = frames_[n - 1].is_object;
    Edit edit;
    edit.frames = frames_.data();
    edit.frame_count = n;
    edit.count_delta = -1;
    edit.begin = slot.entry_begin;
    edit.end = slot.value_end;
    if (absl::Status s = Write(edit, max_bytes); !s.ok()) return s;
    RecordPrefix(path, in_object ? n : n - 1);
    return absl::OkStatus();
  }

  absl::Status Replace(const Path& path, const Value& value) {
    const size_t n = path.tokens.size();
    Slot slot;
    if (absl::Status s = internal::Walk(cur_, path, n, frames_.data(), &slot); !s.ok()) {
      return s;
    }
    if (absl::Status s = CheckDepth(path, value.Depth()); !s.ok()) return s;
    Edit edit;
    edit.frames = frames_.data();
    edit.frame_count = n;
    edit.begin = slot.value_begin;
    edit.end = slot.value_end;
    edit.Add(Encoded(value));
    if (absl::Status s = Write(edit, max_bytes_); !s.ok()) return s;
    Record(path);
    return absl::OkStatus();
  }

  absl::Status Move(const Path& from, const Path& path) {
    const size_t n = from.tokens.size();
    if (from == path) {
      // A no-op, but `from` must exist. It counts as a remove and an add.
      Slot slot;
      if (absl::Status s = internal::Walk(cur_, from, n, frames_.data(), &slot); !s.ok()) {
        return s;
      }
      const size_t region = n == 0 || frames_[n - 1].is_object ? n : n - 1;
      RecordPrefix(from, region);
      RecordPrefix(from, region);
      return absl::OkStatus();
    }
    if (IsPrefix(from, path)) {
      return MakeError(ErrorCode::kInvalidArgument,
                       absl::StrCat("cannot move ", internal::DescribePrefix(from, n),
                                    " into its own descendant ", path.ToPointer()));
    }
    Slot slot;
    if (absl::Status s = internal::Walk(cur_, from, n, nullptr, &slot); !s.ok()) return s;
    // The removal rewrites the buffer the value is in: keep a copy.
    moved_.assign(cur_.substr(slot.value_begin, slot.value_end - slot.value_begin));
    const int depth = internal::EncodedDepth(moved_);
    if (depth < 0) return MakeError(ErrorCode::kDataLoss, "corrupt value in the document");
    // Only the result after the add must fit the size limit.
    if (absl::Status s = Remove(from, std::numeric_limits<size_t>::max()); !s.ok()) return s;
    return Add(path, moved_, depth, max_bytes_);
  }

  absl::Status Copy(const Path& from, const Path& path) {
    Slot slot;
    if (absl::Status s = internal::Walk(cur_, from, from.tokens.size(), nullptr, &slot);
        !s.ok()) {
      return s;
    }
    // The slice stays valid: the add writes into the other buffer.
    const std::string_view value = cur_.substr(slot.value_begin, slot.value_end - slot.value_begin);
    const int depth = internal::EncodedDepth(value);
    if (depth < 0) return MakeError(ErrorCode::kDataLoss, "corrupt value in the document");
    Record(from, /*write=*/false);
    return Add(path, value, depth, max_bytes_);
  }

  absl::Status Test(const Path& path, const Value& expected) {
    absl::StatusOr<Value> actual = GetAt(cur_, path);
    if (!actual.ok()) return actual.status();
    if (!JsonEquals(*actual, expected)) {
      return MakeError(ErrorCode::kFailedPrecondition,
                       absl::StrCat("test failed at ",
                                    internal::DescribePrefix(path, path.tokens.size()),
                                    ": the value is ", Excerpt(*actual), ", not ",
                                    Excerpt(expected)));
    }
    Record(path, /*write=*/false);
    return absl::OkStatus();
  }

  // Strata set. Walks as far as the path exists, then replaces, appends, or
  // adds the first missing member with the rest of the path as nested
  // single-member objects.
  absl::Status Set(const Path& path, const Value& value) {
    const size_t n = path.tokens.size();
    if (n == 0) {
      if (absl::Status s = CheckDepth(path, value.Depth()); !s.ok()) return s;
      if (absl::Status s = ReplaceRoot(Encoded(value)); !s.ok()) return s;
      Record(path);
      return absl::OkStatus();
    }
    Slot slot;
    slot.value_end = cur_.size();
    for (size_t i = 0; i < n; ++i) {
      Container& container = frames_[i];
      if (absl::Status s = internal::OpenContainer(cur_, slot.value_begin, slot.value_end, path,
                                                   i, &container);
          !s.ok()) {
        return s;
      }
      if (absl::Status s = internal::Lookup(cur_, container, path, i, &slot); !s.ok()) return s;
      const bool last = i + 1 == n;
      if (slot.found && !last) continue;
      Edit edit;
      edit.frames = frames_.data();
      edit.frame_count = i + 1;
      char key_len[kMaxVarintBytes];
      size_t region = n;  // Tokens of `path` that name the region.
      if (slot.found) {
        if (absl::Status s = CheckDepth(path, value.Depth()); !s.ok()) return s;
        edit.begin = slot.value_begin;
        edit.end = slot.value_end;
        edit.Add(Encoded(value));
      } else if (container.is_object) {
        if (absl::Status s = CheckDepth(path, value.Depth()); !s.ok()) return s;
        // Members past the first missing one are created as objects.
        Value wrapped = value;
        for (size_t k = n - 1; k > i; --k) {
          Value::Object object;
          object.emplace(path.tokens[k], std::move(wrapped));
          wrapped = Value(std::move(object));
        }
        const std::string& key = path.tokens[i];
        edit.begin = edit.end = slot.insert_at;
        edit.count_delta = 1;
        edit.Add(std::string_view(key_len, PutVarint(key_len, key.size())));
        edit.Add(key);
        edit.Add(Encoded(wrapped));
        // The region stays the whole path, not the first member created: a
        // set with created intermediates commutes with other sets below the
        // same missing member (re-applied at commit, the later one finds the
        // intermediates and adds to them).
      } else if (!last) {
        // Only object members are created, never array elements.
        const std::string where = internal::DescribePrefix(path, i);
        return MakeError(
            ErrorCode::kInvalidArgument,
            path.tokens[i] == "-"
                ? absl::StrCat(path.ToPointer(), ": \"-\" names no element of the array of ",
                               container.count, " elements at ", where,
                               " (set creates only object members)")
                : absl::StrCat(path.ToPointer(), ": index ", slot.index,
                               " is out of range for the array of ", container.count,
                               " elements at ", where, " (set creates only object members)"));
      } else if (slot.index > container.count) {
        return MakeError(ErrorCode::kInvalidArgument,
                         absl::StrCat(path.ToPointer(), ": index ", slot.index,
                                      " is past the end of the array of ", container.count,
                                      " elements at ", internal::DescribePrefix(path, i)));
      } else {
        if (absl::Status s = CheckDepth(path, value.Depth()); !s.ok()) return s;
        edit.begin = edit.end = slot.insert_at;
        edit.count_delta = 1;
        edit.Add(Encoded(value));
        region = i;
      }
      if (absl::Status s = Write(edit, max_bytes_); !s.ok()) return s;
      RecordPrefix(path, region);
      return absl::OkStatus();
    }
    return absl::OkStatus();  // Not reached: the loop's last pass returns.
  }

  // Records the path of each member the merge of `patch` into `target` sets
  // or removes. REQUIRES: both are objects.
  void RecordMerge(const Value& target, const Value& patch, Path* at) {
    for (const auto& [key, member] : patch.AsObject()) {
      at->tokens.push_back(key);
      const auto it = target.AsObject().find(key);
      if (member.is_object() && it != target.AsObject().end() && it->second.is_object()) {
        RecordMerge(it->second, member, at);
      } else {
        Record(*at);
      }
      at->tokens.pop_back();
    }
  }

  absl::Status Merge(const Path& path, const Value& patch) {
    const size_t n = path.tokens.size();
    Slot slot;
    if (!internal::Walk(cur_, path, n, frames_.data(), &slot).ok()) {
      // A missing target is null: set the merge of the patch into null (set
      // reports the error if the path can't be created).
      return Set(path, MergePatch(Value(), patch));
    }
    Value target;
    if (absl::Status s =
            DecodeDocument(cur_.substr(slot.value_begin, slot.value_end - slot.value_begin),
                           &target);
        !s.ok()) {
      return s;
    }
    Value merged = MergePatch(target, patch);
    if (absl::Status s = CheckDepth(path, merged.Depth()); !s.ok()) return s;
    Edit edit;
    edit.frames = frames_.data();
    edit.frame_count = n;
    edit.begin = slot.value_begin;
    edit.end = slot.value_end;
    edit.Add(Encoded(merged));
    if (absl::Status s = Write(edit, max_bytes_); !s.ok()) return s;
    if (regions_ != nullptr) {
      if (patch.is_object() && target.is_object()) {
        Path at = path;
        RecordMerge(target, patch, &at);
      } else {
        Record(path);
      }
    }
    return absl::OkStatus();
  }

  const size_t max_bytes_;
  const int max_depth_;
  std::vector<Region>* const regions_;
  std::string* out_ = nullptr;
  std::string spare_;
  std::string_view cur_;
  std::string value_bytes_;  // Encoded op value.
  std::string moved_;        // The value a move carries.
  std::array<Container, kMaxPathTokens> frames_;
};

absl::Status OpError(size_t index, std::string_view what) {
  return MakeError(ErrorCode::kInvalidArgument,
                   absl::StrCat("patch operation ", index, ": ", Sv(what)));
}

// Reads member `name` of patch operation `index` as a path.
absl::Status ParseOpPath(const Value::Object& object, std::string_view name, size_t index,
                         Path* out) {
  const auto it = object.find(name);
  if (it == object.end()) {
    return OpError(index, absl::StrCat("missing \"", Sv(name), "\""));
  }
  if (!it->second.is_string()) {
    return OpError(index, absl::StrCat("\"", Sv(name), "\" is ", Sv(TypeName(it->second.type())),
                                       ", not a string"));
  }
  absl::StatusOr<Path> path = ParsePath(it->second.AsString());
  if (!path.ok()) {
    return MakeError(GetErrorCode(path.status()),
                     absl::StrCat("patch operation ", index, ": \"", Sv(name), "\": ",
                                  path.status().message()));
  }
  *out = *std::move(path);
  return absl::OkStatus();
}

absl::Status CorruptOps(size_t offset, std::string_view what) {
  return MakeError(ErrorCode::kDataLoss,
                   absl::StrCat("corrupt operation list at byte offset ", offset, ": ",
                                Sv(what)));
}

}  // namespace

std::string_view OpTypeName(OpType type) {
  switch (type) {
    case OpType::kAdd:
      return "add";
    case OpType::kRemove:
      return "remove";
    case OpType::kReplace:
      return "replace";
    case OpType::kMove:
      return "move";
    case OpType::kCopy:
      return "copy";
    case OpType::kTest:
      return "test";
    case OpType::kSet:
      return "set";
    case OpType::kMergePatch:
      return "merge";
  }
  return "unknown";
}

absl::StatusOr<std::vector<Op>> ParsePatch(const Value& patch) {
  if (!patch.is_array()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     absl::StrCat("a JSON patch must be an array of operations, not ",
                                  Sv(TypeName(patch.type()))));
  }
  std::vector<Op> ops;
  ops.reserve(patch.AsArray().size());
  for (size_t i = 0; i < patch.AsArray().size(); ++i) {
    const Value& element = patch.AsArray()[i];
    if (!element.is_object()) {
      return OpError(i, absl::StrCat("is ", Sv(TypeName(element.type())), ", not an object"));
    }
    const Value::Object& object = element.AsObject();
    Op op;
    const auto name = object.find("op");
    if (name == object.end()) return OpError(i, "missing \"op\"");
    if (!name->second.is_string()) {
      return OpError(i, absl::StrCat("\"op\" is ", Sv(TypeName(name->second.type())),
                                     ", not a string"));
    }
    if (!OpTypeFromName(name->second.AsString(), &op.type)) {
      return OpError(i, absl::StrCat("unknown op \"", absl::CHexEscape(name->second.AsString()),
                                     "\""));
    }
    if (absl::Status s = ParseOpPath(object, "path", i, &op.path); !s.ok()) return s;
    if (HasFrom(op.type)) {
      if (absl::Status s = ParseOpPath(object, "from", i, &op.from); !s.ok()) return s;
    }
    if (HasValue(op.type)) {
      const auto value = object.find("value");
      if (value == object.end()) {
        return OpError(i, absl::StrCat("missing \"value\" for ", Sv(OpTypeName(op.type))));
      }
      op.value = value->second;
    }
    ops.push_back(std::move(op));
  }
  return ops;
}

absl::Status ApplyOps(std::string_view doc, std::span<const Op> ops, const Limits& limits,
                      std::string* out, std::vector<Region>* regions) {
  const size_t regions_before = regions != nullptr ? regions->size() : 0;
  Applier applier(limits, regions);
  absl::Status status = applier.Run(doc, ops, out);
  if (!status.ok() && regions != nullptr) regions->resize(regions_before);
  return status;
}

Value MergePatch(const Value& target, const Value& patch) {
  if (!patch.is_object()) return patch;
  Value result = target.is_object() ? target : Value(Value::Object{});
  Value::Object& object = result.MutableObject();
  for (const auto& [key, member] : patch.AsObject()) {
    const auto it = object.find(key);
    if (member.is_null()) {
      if (it != object.end()) object.erase(it);
    } else if (it != object.end()) {
      it->second = MergePatch(it->second, member);
    } else {
      object.emplace(key, MergePatch(Value(), member));
    }
  }
  return result;
}

bool JsonEquals(const Value& a, const Value& b) {
  if (a.is_int() && b.is_double()) return IntEqualsDouble(a.AsInt(), b.AsDouble());
  if (a.is_double() && b.is_int()) return IntEqualsDouble(b.AsInt(), a.AsDouble());
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case Value::Type::kDouble: {
      const double x = a.AsDouble();
      const double y = b.AsDouble();
      return x == y || (std::isnan(x) && std::isnan(y));
    }
    case Value::Type::kArray: {
      const Value::Array& x = a.AsArray();
      const Value::Array& y = b.AsArray();
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i) {
        if (!JsonEquals(x[i], y[i])) return false;
      }
      return true;
    }
    case Value::Type::kObject: {
      const Value::Object& x = a.AsObject();
      const Value::Object& y = b.AsObject();
      if (x.size() != y.size()) return false;
      for (auto i = x.begin(), j = y.begin(); i != x.end(); ++i, ++j) {
        if (i->first != j->first || !JsonEquals(i->second, j->second)) return false;
      }
      return true;
    }
    default:
      return a == b;
  }
}

void EncodeOps(std::span<const Op> ops, std::string* out) {
  util::PutVarint64(out, ops.size());
  for (const Op& op : ops) {
    out->push_back(static_cast<char>(op.type));
    EncodePath(op.path, out);
    if (HasFrom(op.type)) EncodePath(op.from, out);
    if (HasValue(op.type)) util::EncodeValue(op.value, out);
  }
}

absl::Status DecodeOps(std::string_view in, std::vector<Op>* out) {
  const size_t size = in.size();
  std::string_view rest = in;
  uint64_t count = 0;
  if (!util::GetVarint64(&rest, &count)) {
    return CorruptOps(0, "truncated or over-long operation count");
  }
  // An operation takes at least two bytes (type and an empty path).
  if (count > rest.size() / 2) {
    return CorruptOps(0, absl::StrCat("operation count ", count, " exceeds the ", rest.size(),
                                      " remaining bytes"));
  }
  std::vector<Op> ops;
  ops.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    const size_t start = size - rest.size();
    Op op;
    uint8_t type = 0;
    if (!util::GetByte(&rest, &type)) return CorruptOps(start, "truncated operation");
    if (type < static_cast<uint8_t>(OpType::kAdd) ||
        type > static_cast<uint8_t>(OpType::kMergePatch)) {
      return CorruptOps(start, absl::StrCat("unknown operation type ", type));
    }
    op.type = static_cast<OpType>(type);
    if (!DecodePath(&rest, &op.path)) {
      return CorruptOps(size - rest.size(), "bad operation path");
    }
    if (HasFrom(op.type) && !DecodePath(&rest, &op.from)) {
      return CorruptOps(size - rest.size(), "bad operation \"from\" path");
    }
    if (HasValue(op.type)) {
      const size_t value_offset = size - rest.size();
      if (absl::Status s = util::DecodeValue(&rest, &op.value); !s.ok()) {
        return CorruptOps(value_offset, absl::StrCat("bad operation value: ", s.message()));
      }
    }
    ops.push_back(std::move(op));
  }
  if (!rest.empty()) {
    return CorruptOps(size - rest.size(),
                      absl::StrCat(rest.size(), " trailing bytes after the operations"));
  }
  *out = std::move(ops);
  return absl::OkStatus();
}

}  // namespace strata::json
