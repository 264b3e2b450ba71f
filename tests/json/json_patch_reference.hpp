// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// A reference implementation of json::ApplyOps over decoded Values, used only
// by tests (json_patch_test and the json_patch fuzz target) to cross-check
// the splicing implementation: same results, same regions, and the same
// error codes (messages are not compared). It is written for clarity, not
// speed: it re-encodes the whole document after every operation to check the
// size limit.
#ifndef STRATA_TESTS_JSON_JSON_PATCH_REFERENCE_HPP_
#define STRATA_TESTS_JSON_JSON_PATCH_REFERENCE_HPP_

#include <algorithm>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "json/document.hpp"
#include "json/patch.hpp"
#include "json/path.hpp"
#include "strata/status.hpp"
#include "strata/value.hpp"

namespace strata::json::reference {

class Reference {
 public:
  Reference(const Limits& limits, std::vector<Region>* regions)
      : max_bytes_(limits.max_document_bytes),
        max_depth_(std::clamp(limits.max_depth, 0, kMaxValueDepth)),
        regions_(regions) {}

  absl::Status Run(Value* doc, std::span<const Op> ops) {
    for (const Op& op : ops) {
      absl::Status s = Apply(doc, op);
      if (!s.ok()) return s;
      if (absl::Status size = CheckSize(*doc); !size.ok()) return size;
    }
    return CheckSize(*doc);
  }

 private:
  static absl::Status Err(ErrorCode code) { return MakeError(code, "reference"); }

  absl::Status CheckSize(const Value& doc) const {
    std::string encoded;
    EncodeDocument(doc, &encoded);
    return encoded.size() > max_bytes_ ? Err(ErrorCode::kResourceExhausted) : absl::OkStatus();
  }

  absl::Status CheckDepth(const Path& path, int depth) const {
    return path.tokens.size() + static_cast<size_t>(depth) > static_cast<size_t>(max_depth_)
               ? Err(ErrorCode::kResourceExhausted)
               : absl::OkStatus();
  }

  void Record(Path path, bool write = true) {
    if (regions_ != nullptr) regions_->push_back(Region{std::move(path), write});
  }

  static Path Prefix(const Path& path, size_t n) {
    Path p;
    p.tokens.assign(path.tokens.begin(), path.tokens.begin() + n);
    return p;
  }

  // The value at the first `n` tokens of `path`, all of which must exist.
  static absl::Status Navigate(Value* doc, const Path& path, size_t n, Value** out) {
    Value* cur = doc;
    for (size_t i = 0; i < n; ++i) {
      const std::string& token = path.tokens[i];
      if (cur->is_object()) {
        auto it = cur->MutableObject().find(token);
        if (it == cur->MutableObject().end()) return Err(ErrorCode::kNotFound);
        cur = &it->second;
      } else if (cur->is_array()) {
        if (token == "-") return Err(ErrorCode::kNotFound);
        size_t index = 0;
        if (!ParseArrayIndex(token, &index)) return Err(ErrorCode::kInvalidArgument);
        if (index >= cur->AsArray().size()) return Err(ErrorCode::kNotFound);
        cur = &cur->MutableArray()[index];
      } else {
        return Err(ErrorCode::kInvalidArgument);
      }
    }
    *out = cur;
    return absl::OkStatus();
  }

  absl::Status Apply(Value* doc, const Op& op) {
    const bool has_from = op.type == OpType::kMove || op.type == OpType::kCopy;
    if (op.path.tokens.size() > kMaxPathTokens ||
        (has_from && op.from.tokens.size() > kMaxPathTokens)) {
      return Err(ErrorCode::kResourceExhausted);
    }
    switch (op.type) {
      case OpType::kAdd:
        return Add(doc, op.path, op.value);
      case OpType::kRemove:
        return Remove(doc, op.path);
      case OpType::kReplace: {
        Value* target = nullptr;
        if (absl::Status s = Navigate(doc, op.path, op.path.tokens.size(), &target); !s.ok()) {
          return s;
        }
        if (absl::Status s = CheckDepth(op.path, op.value.Depth()); !s.ok()) return s;
        *target = op.value;
        Record(op.path);
        return absl::OkStatus();
      }
      case OpType::kMove:
        return Move(doc, op.from, op.path);
      case OpType::kCopy: {
        Value* source = nullptr;
        if (absl::Status s = Navigate(doc, op.from, op.from.tokens.size(), &source); !s.ok()) {
          return s;
        }
        Record(op.from, false);
        const Value copy = *source;
        return Add(doc, op.path, copy);
      }
      case OpType::kTest: {
        Value* target = nullptr;
        if (absl::Status s = Navigate(doc, op.path, op.path.tokens.size(), &target); !s.ok()) {
          return s;
        }
        if (!JsonEquals(*target, op.value)) return Err(ErrorCode::kFailedPrecondition);
        Record(op.path, false);
        return absl::OkStatus();
      }
      case OpType::kSet:
        return Set(doc, op.path, op.value);
      case OpType::kMergePatch:
        return Merge(doc, op.path, op.value);
    }
    return Err(ErrorCode::kInvalidArgument);
  }

  absl::Status Add(Value* doc, const Path& path, const Value& value) {
    const size_t n = path.tokens.size();
    if (n == 0) {
      if (absl::Status s = CheckDepth(path, value.Depth()); !s.ok()) return s;
      *doc = value;
      Record(path);
      return absl::OkStatus();
    }
    Value* parent = nullptr;
    if (absl::Status s = Navigate(doc, path, n - 1, &parent); !s.ok()) return s;
    const std::string& token = path.tokens[n - 1];
    if (parent->is_object()) {
      if (absl::Status s = CheckDepth(path, value.Depth()); !s.ok()) return s;
      parent->MutableObject()[token] = value;
      Record(path);
      return absl::OkStatus();
    }
    if (!parent->is_array()) return Err(ErrorCode::kInvalidArgument);
    Value::Array& array = parent->MutableArray();
    size_t index = array.size();
    if (token != "-" && !ParseArrayIndex(token, &index)) return Err(ErrorCode::kInvalidArgument);
    if (index > array.size()) return Err(ErrorCode::kInvalidArgument);
    if (absl::Status s = CheckDepth(path, value.Depth()); !s.ok()) return s;
    array.insert(array.begin() + static_cast<std::ptrdiff_t>(index), value);
    Record(path.Parent());
    return absl::OkStatus();
  }

  absl::Status Remove(Value* doc, const Path& path) {
    const size_t n = path.tokens.size();
    if (n == 0) return Err(ErrorCode::kInvalidArgument);
    Value* target = nullptr;
    if (absl::Status s = Navigate(doc, path, n, &target); !s.ok()) return s;
    Value* parent = nullptr;
    if (absl::Status s = Navigate(doc, path, n - 1, &parent); !s.ok()) return s;
    if (parent->is_object()) {
      parent->MutableObject().erase(path.tokens[n - 1]);
      Record(path);
    } else {
      size_t index = 0;
      ParseArrayIndex(path.tokens[n - 1], &index);
      parent->MutableArray().erase(parent->MutableArray().begin() +
                                   static_cast<std::ptrdiff_t>(index));
      Record(path.Parent());
    }
    return absl::OkStatus();
  }

  absl::Status Move(Value* doc, const Path& from, const Path& path) {
    const size_t n = from.tokens.size();
    if (from == path) {
      Value* target = nullptr;
      if (absl::Status s = Navigate(doc, from, n, &target); !s.ok()) return s;
      Value* parent = nullptr;
      bool in_object = true;
      if (n > 0) {
        if (absl::Status s = Navigate(doc, from, n - 1, &parent); !s.ok()) return s;
        in_object = parent->is_object();
      }
      const Path region = in_object ? from : from.Parent();
      Record(region);
      Record(region);
      return absl::OkStatus();
    }
    if (IsPrefix(from, path)) return Err(ErrorCode::kInvalidArgument);
    Value* source = nullptr;
    if (absl::Status s = Navigate(doc, from, n, &source); !s.ok()) return s;
    const Value moved = *source;
    if (absl::Status s = Remove(doc, from); !s.ok()) return s;
    return Add(doc, path, moved);
  }

  absl::Status Set(Value* doc, const Path& path, const Value& value) {
    const size_t n = path.tokens.size();
    if (n == 0) {
      if (absl::Status s = CheckDepth(path, value.Depth()); !s.ok()) return s;
      *doc = value;
      Record(path);
      return absl::OkStatus();
    }
    Value* cur = doc;
    for (size_t i = 0; i < n; ++i) {
      const std::string& token = path.tokens[i];
      const bool last = i + 1 == n;
      if (cur->is_object()) {
        auto it = cur->MutableObject().find(token);
        if (it != cur->MutableObject().end()) {
          if (!last) {
            cur = &it->second;
            continue;
          }
          if (absl::Status s = CheckDepth(path, value.Depth()); !s.ok()) return s;
          it->second = value;
          Record(path);
          return absl::OkStatus();
        }
        if (absl::Status s = CheckDepth(path, value.Depth()); !s.ok()) return s;
        Value wrapped = value;
        for (size_t k = n - 1; k > i; --k) {
          Value::Object object;
          object.emplace(path.tokens[k], std::move(wrapped));
          wrapped = Value(std::move(object));
        }
        cur->MutableObject().emplace(token, std::move(wrapped));
        Record(path);
        return absl::OkStatus();
      }
      if (!cur->is_array()) return Err(ErrorCode::kInvalidArgument);
      Value::Array& array = cur->MutableArray();
      size_t index = array.size();
      if (token != "-" && !ParseArrayIndex(token, &index)) {
        return Err(ErrorCode::kInvalidArgument);
      }
      if (index < array.size()) {
        if (!last) {
          cur = &array[index];
          continue;
        }
        if (absl::Status s = CheckDepth(path, value.Depth()); !s.ok()) return s;
        array[index] = value;
        Record(path);
        return absl::OkStatus();
      }
      if (!last) return Err(ErrorCode::kInvalidArgument);
      if (index > array.size()) return Err(ErrorCode::kInvalidArgument);
      if (absl::Status s = CheckDepth(path, value.Depth()); !s.ok()) return s;
      array.push_back(value);
      Record(Prefix(path, i));
      return absl::OkStatus();
    }
    return absl::OkStatus();
  }

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

  absl::Status Merge(Value* doc, const Path& path, const Value& patch) {
    Value* target = nullptr;
    if (!Navigate(doc, path, path.tokens.size(), &target).ok()) {
      return Set(doc, path, MergePatch(Value(), patch));
    }
    Value merged = MergePatch(*target, patch);
    if (absl::Status s = CheckDepth(path, merged.Depth()); !s.ok()) return s;
    if (patch.is_object() && target->is_object()) {
      Path at = path;
      RecordMerge(*target, patch, &at);
    } else {
      Record(path);
    }
    *target = std::move(merged);
    return absl::OkStatus();
  }

  const size_t max_bytes_;
  const int max_depth_;
  std::vector<Region>* const regions_;
};

// Applies `ops` to a copy of `doc`; on success stores the result in `*out`
// and appends the regions. On error `*out` and `*regions` are unchanged.
inline absl::Status ReferenceApply(const Value& doc, std::span<const Op> ops,
                                   const Limits& limits, Value* out,
                                   std::vector<Region>* regions) {
  std::vector<Region> touched;
  Value result = doc;
  Reference reference(limits, &touched);
  if (absl::Status s = reference.Run(&result, ops); !s.ok()) return s;
  *out = std::move(result);
  if (regions != nullptr) regions->insert(regions->end(), touched.begin(), touched.end());
  return absl::OkStatus();
}

}  // namespace strata::json::reference

#endif  // STRATA_TESTS_JSON_JSON_PATCH_REFERENCE_HPP_
