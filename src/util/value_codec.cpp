// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// The binary Value encoding (format version 1), documented in
// docs/value-encoding.md:
//   tag byte (the numeric Value::Type), then
//   null                 nothing
//   bool                 one byte, 0 or 1
//   int                  zigzag varint
//   double               fixed64 of the IEEE 754 bit pattern
//   string, bytes        varint length, then the bytes
//   array                varint count, then the elements
//   object               varint count, then (length-prefixed key, value)
//                        pairs, keys in strictly ascending byte order
#include "util/strings.hpp"
#include "util/value_codec.hpp"

#include <bit>
#include <cstdint>
#include <utility>

#include "absl/strings/str_cat.h"
#include "strata/status.hpp"
#include "util/coding.hpp"

namespace strata::util {
namespace {

using util::Sv;

// The smallest encoding of one array element (a null) and of one object
// member (an empty key and a null), used to bound counts by the remaining
// input before anything is allocated.
constexpr uint64_t kMinElementBytes = 1;
constexpr uint64_t kMinMemberBytes = 2;


void Encode(const Value& value, std::string* out) {
  out->push_back(static_cast<char>(value.type()));
  switch (value.type()) {
    case Value::Type::kNull:
      return;
    case Value::Type::kBool:
      out->push_back(value.AsBool() ? 1 : 0);
      return;
    case Value::Type::kInt:
      PutVarint64(out, util::ZigZagEncode(value.AsInt()));
      return;
    case Value::Type::kDouble:
      PutFixed64(out, std::bit_cast<uint64_t>(value.AsDouble()));
      return;
    case Value::Type::kString:
      PutLengthPrefixed(out, value.AsString());
      return;
    case Value::Type::kBytes:
      PutLengthPrefixed(out, value.AsBytes());
      return;
    case Value::Type::kArray:
      PutVarint64(out, value.AsArray().size());
      for (const Value& element : value.AsArray()) Encode(element, out);
      return;
    case Value::Type::kObject:
      // std::map iterates in ascending key order, as the format requires.
      PutVarint64(out, value.AsObject().size());
      for (const auto& [key, member] : value.AsObject()) {
        PutLengthPrefixed(out, key);
        Encode(member, out);
      }
      return;
  }
}

class Decoder {
 public:
  explicit Decoder(std::string_view in) : in_(in), size_(in.size()) {}

  // Decodes one value nested inside `depth` arrays/objects.
  absl::Status Decode(int depth, Value* out) {
    const size_t start = Offset();
    uint8_t tag = 0;
    if (!GetByte(&in_, &tag)) return Corrupt(start, "truncated: missing type tag");
    switch (static_cast<Value::Type>(tag)) {
      case Value::Type::kNull:
        *out = Value();
        return absl::OkStatus();
      case Value::Type::kBool: {
        uint8_t b = 0;
        if (!GetByte(&in_, &b)) return Corrupt(start, "truncated bool");
        if (b > 1) return Corrupt(start, absl::StrCat("bool byte is ", b, ", not 0 or 1"));
        *out = Value(b == 1);
        return absl::OkStatus();
      }
      case Value::Type::kInt: {
        uint64_t u = 0;
        if (!GetVarint64(&in_, &u)) return Corrupt(start, "truncated or over-long int varint");
        *out = Value(util::ZigZagDecode(u));
        return absl::OkStatus();
      }
      case Value::Type::kDouble: {
        uint64_t bits = 0;
        if (!GetFixed64(&in_, &bits)) return Corrupt(start, "truncated double");
        *out = Value(std::bit_cast<double>(bits));
        return absl::OkStatus();
      }
      case Value::Type::kString: {
        std::string_view s;
        if (!GetLengthPrefixed(&in_, &s)) {
          return Corrupt(start, "string length is over-long or past the end");
        }
        *out = Value(std::string(s));
        return absl::OkStatus();
      }
      case Value::Type::kBytes: {
        std::string_view s;
        if (!GetLengthPrefixed(&in_, &s)) {
          return Corrupt(start, "bytes length is over-long or past the end");
        }
        *out = Value::MakeBytes(std::string(s));
        return absl::OkStatus();
      }
      case Value::Type::kArray:
        return DecodeArray(start, depth, out);
      case Value::Type::kObject:
        return DecodeObject(start, depth, out);
    }
    return Corrupt(start, absl::StrCat("unknown type tag ", tag));
  }

  std::string_view rest() const { return in_; }

 private:
  size_t Offset() const { return size_ - in_.size(); }

  absl::Status Corrupt(size_t offset, std::string_view what) const {
    return MakeError(ErrorCode::kDataLoss,
                     absl::StrCat("corrupt value encoding at byte offset ", offset,
                                  ": ", Sv(what)));
  }

  absl::Status CheckDepth(size_t start, int depth) const {
    if (depth >= kMaxValueDepth) {
      return Corrupt(start, absl::StrCat("nesting deeper than ", kMaxValueDepth,
                                         " levels"));
    }
    return absl::OkStatus();
  }

  absl::Status DecodeArray(size_t start, int depth, Value* out) {
    if (absl::Status s = CheckDepth(start, depth); !s.ok()) return s;
    uint64_t count = 0;
    if (!GetVarint64(&in_, &count)) {
      return Corrupt(start, "truncated or over-long array count");
    }
    if (count > in_.size() / kMinElementBytes) {
      return Corrupt(start, absl::StrCat("array count ", count, " exceeds the ",
                                         in_.size(), " remaining bytes"));
    }
    Value::Array array;
    array.reserve(count);
    for (uint64_t i = 0; i < count; ++i) {
      Value element;
      if (absl::Status s = Decode(depth + 1, &element); !s.ok()) return s;
      array.push_back(std::move(element));
    }
    *out = Value(std::move(array));
    return absl::OkStatus();
  }

  absl::Status DecodeObject(size_t start, int depth, Value* out) {
    if (absl::Status s = CheckDepth(start, depth); !s.ok()) return s;
    uint64_t count = 0;
    if (!GetVarint64(&in_, &count)) {
      return Corrupt(start, "truncated or over-long object count");
    }
    if (count > in_.size() / kMinMemberBytes) {
      return Corrupt(start, absl::StrCat("object count ", count, " exceeds the ",
                                         in_.size(), " remaining bytes"));
    }
    Value::Object object;
    std::string_view previous_key;
    for (uint64_t i = 0; i < count; ++i) {
      const size_t key_offset = Offset();
      std::string_view key;
      if (!GetLengthPrefixed(&in_, &key)) {
        return Corrupt(key_offset, "object key length is over-long or past the end");
      }
      // `key` and `previous_key` point into the input, which outlives them.
      if (i > 0 && key <= previous_key) {
        return Corrupt(key_offset, key == previous_key
                                       ? "duplicate object key"
                                       : "object keys not in ascending order");
      }
      previous_key = key;
      Value member;
      if (absl::Status s = Decode(depth + 1, &member); !s.ok()) return s;
      object.emplace_hint(object.end(), std::string(key), std::move(member));
    }
    *out = Value(std::move(object));
    return absl::OkStatus();
  }

  std::string_view in_;
  size_t size_;
};

}  // namespace

void EncodeValue(const Value& value, std::string* out) { Encode(value, out); }

absl::Status DecodeValue(std::string_view* in, Value* out) {
  Decoder decoder(*in);
  Value value;
  if (absl::Status s = decoder.Decode(0, &value); !s.ok()) return s;
  *in = decoder.rest();
  *out = std::move(value);
  return absl::OkStatus();
}

}  // namespace strata::util
