// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Fuzz target for ApplyOps (json/patch.hpp): the input bytes drive the
// choice of a document, a list of operations (paths that mostly follow the
// document, sometimes not) and limits.
//
// Checks:
//  - ApplyOps never crashes;
//  - it agrees with the reference implementation over decoded Values
//    (tests/json/json_patch_reference.hpp): same success or error code, same
//    result, same regions;
//  - a result decodes, is canonical (re-encodes to the same bytes), and is
//    within the limits (size and depth);
//  - the operation list survives EncodeOps/DecodeOps.
// A violation prints the case and calls abort().
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "../json/json_patch_reference.hpp"
#include "absl/status/status.h"
#include "json/document.hpp"
#include "json/patch.hpp"
#include "json/path.hpp"
#include "strata/status.hpp"
#include "strata/value.hpp"

namespace {

using strata::Value;
using strata::json::Limits;
using strata::json::Op;
using strata::json::OpType;
using strata::json::Path;
using strata::json::Region;

constexpr int kMaxOps = 6;
constexpr int kMaxGeneratedDepth = 4;

// Reads choices from the input; zeros once it runs out.
class Choices {
 public:
  explicit Choices(std::string_view data) : data_(data) {}
  uint32_t Below(uint32_t n) {
    if (n <= 1) return 0;
    const uint8_t b = pos_ < data_.size() ? static_cast<uint8_t>(data_[pos_++]) : 0;
    return b % n;
  }
  bool exhausted() const { return pos_ >= data_.size(); }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

std::string Key(Choices& c) {
  static const char* const kKeys[] = {"a", "b", "c", "", "0", "1", "-", "~/"};
  return kKeys[c.Below(8)];
}

Value GenValue(Choices& c, int depth) {
  switch (c.Below(depth >= kMaxGeneratedDepth ? 6 : 9)) {
    case 0:
      return Value();
    case 1:
      return Value(static_cast<int64_t>(c.Below(4)));
    case 2:
      return Value(static_cast<double>(c.Below(3)));
    case 3:
      return Value(std::string(c.Below(3), 'x'));
    case 4:
      return Value(c.Below(2) == 0);
    case 5:
      return Value::MakeBytes(std::string(c.Below(2), '\0'));
    case 6:
    case 7: {
      Value::Object o;
      for (uint32_t i = 0, n = c.Below(4); i < n; ++i) o[Key(c)] = GenValue(c, depth + 1);
      return Value(std::move(o));
    }
    default: {
      Value::Array a;
      for (uint32_t i = 0, n = c.Below(4); i < n; ++i) a.push_back(GenValue(c, depth + 1));
      return Value(std::move(a));
    }
  }
}

Path GenPath(Choices& c, const Value& doc) {
  Path path;
  const Value* cur = &doc;
  while (!c.exhausted()) {
    const bool container = cur != nullptr && (cur->is_object() || cur->is_array());
    if (c.Below(container ? 4 : 8) == 0 || (!container && c.Below(8) != 0)) break;
    if (container && cur->is_object() && !cur->AsObject().empty() && c.Below(4) != 0) {
      auto it = cur->AsObject().begin();
      std::advance(it, c.Below(static_cast<uint32_t>(cur->AsObject().size())));
      path.tokens.push_back(it->first);
      cur = &it->second;
    } else if (container && cur->is_array() && c.Below(8) != 0) {
      const auto n = static_cast<uint32_t>(cur->AsArray().size());
      const uint32_t index = c.Below(n + 2);
      if (c.Below(8) == 0) {
        path.tokens.push_back("-");
        cur = nullptr;
      } else {
        path.tokens.push_back(std::to_string(index));
        cur = index < n ? &cur->AsArray()[index] : nullptr;
      }
    } else {
      path.tokens.push_back(c.Below(4) == 0 ? std::to_string(c.Below(3)) : Key(c));
      cur = nullptr;
    }
  }
  return path;
}

Op GenOp(Choices& c, const Value& doc) {
  Op op;
  op.type = static_cast<OpType>(1 + c.Below(8));
  op.path = GenPath(c, doc);
  if (op.type == OpType::kMove || op.type == OpType::kCopy) op.from = GenPath(c, doc);
  if (op.type == OpType::kTest && c.Below(2) == 0) {
    std::string encoded;
    strata::json::EncodeDocument(doc, &encoded);
    absl::StatusOr<Value> current = strata::json::GetAt(encoded, op.path);
    op.value = current.ok() ? *current : GenValue(c, 1);
  } else if (op.type != OpType::kRemove && op.type != OpType::kMove &&
             op.type != OpType::kCopy) {
    op.value = GenValue(c, 1);
  }
  return op;
}

[[noreturn]] void Fail(const char* what, const Value& doc, const std::vector<Op>& ops,
                       const absl::Status& got, const absl::Status& want) {
  std::fprintf(stderr, "json_patch_fuzz: %s\ndoc: %s\n", what, doc.ToJson().c_str());
  for (const Op& op : ops) {
    std::fprintf(stderr, "  %s path=\"%s\" from=\"%s\" value=%s\n",
                 std::string(strata::json::OpTypeName(op.type)).c_str(),
                 op.path.ToPointer().c_str(), op.from.ToPointer().c_str(),
                 op.value.ToJson().c_str());
  }
  std::fprintf(stderr, "implementation: %s\nreference: %s\n", got.ToString().c_str(),
               want.ToString().c_str());
  std::abort();
}

}  // namespace

// Longer inputs than the driver's random ones, so mutations reach bigger
// documents and longer operation lists.
extern "C" void StrataFuzzSeeds(std::vector<std::string>* out) {
  uint64_t state = 0x9e3779b97f4a7c15u;
  for (int seed = 0; seed < 16; ++seed) {
    std::string input;
    for (int i = 0; i < 64 + 16 * seed; ++i) {
      state = state * 6364136223846793005u + 1442695040888963407u;
      input.push_back(static_cast<char>(state >> 56));
    }
    out->push_back(std::move(input));
  }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Choices c(std::string_view(reinterpret_cast<const char*>(data), size));
  const Value doc = GenValue(c, 0);
  Limits limits;
  if (c.Below(4) == 0) limits.max_depth = static_cast<int>(c.Below(6));
  if (c.Below(4) == 0) limits.max_document_bytes = 8 + c.Below(200);

  std::vector<Op> ops;
  Value shadow = doc;
  for (uint32_t i = 0, n = 1 + c.Below(kMaxOps); i < n; ++i) {
    ops.push_back(GenOp(c, shadow));
    Value next;
    if (strata::json::reference::ReferenceApply(shadow, std::span<const Op>(&ops.back(), 1),
                                                Limits{}, &next, nullptr)
            .ok()) {
      shadow = std::move(next);
    }
  }

  std::string encoded_ops;
  strata::json::EncodeOps(ops, &encoded_ops);
  std::vector<Op> decoded_ops;
  if (!strata::json::DecodeOps(encoded_ops, &decoded_ops).ok() || !(decoded_ops == ops)) {
    Fail("ops round trip", doc, ops, absl::OkStatus(), absl::OkStatus());
  }

  std::string encoded;
  strata::json::EncodeDocument(doc, &encoded);
  std::string out;
  std::vector<Region> regions;
  const absl::Status got = strata::json::ApplyOps(encoded, ops, limits, &out, &regions);
  Value want_value;
  std::vector<Region> want_regions;
  const absl::Status want =
      strata::json::reference::ReferenceApply(doc, ops, limits, &want_value, &want_regions);
  if (strata::GetErrorCode(got) != strata::GetErrorCode(want)) {
    Fail("error codes differ", doc, ops, got, want);
  }
  if (!got.ok()) {
    if (!regions.empty()) Fail("regions left after an error", doc, ops, got, want);
    return 0;
  }
  Value result;
  if (!strata::json::DecodeDocument(out, &result).ok()) {
    Fail("result does not decode", doc, ops, got, want);
  }
  std::string reencoded;
  strata::json::EncodeDocument(result, &reencoded);
  if (reencoded != out) Fail("result is not canonical", doc, ops, got, want);
  if (out.size() > limits.max_document_bytes) Fail("result too big", doc, ops, got, want);
  if (result.Depth() > limits.max_depth && result.Depth() > doc.Depth()) {
    Fail("result too deep", doc, ops, got, want);
  }
  if (!(result == want_value)) Fail("results differ", doc, ops, got, want);
  if (!(regions == want_regions)) Fail("regions differ", doc, ops, got, want);
  return 0;
}
