// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// The document encoding (see document.hpp):
//   tag byte (the numeric Value::Type), then
//   null                 nothing
//   bool                 one byte, 0 or 1
//   int                  zigzag varint
//   double               fixed64 of the IEEE 754 bit pattern
//   string, bytes        varint length, then the bytes
//   array                varint count, varint body length, the elements
//   object               varint count, varint body length, then
//                        (varint key length, key, value) per member, keys in
//                        strictly ascending byte order
// Varints are LEB128 in their shortest form; the decoder rejects longer forms
// so that every document has exactly one encoding.
#include "json/document.hpp"

#include <bit>
#include <cstdint>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "strata/status.hpp"
#include "util/coding.hpp"
#include "util/strings.hpp"

namespace strata::json {
namespace {

using util::Sv;

constexpr auto kArrayTag = static_cast<uint8_t>(Value::Type::kArray);
constexpr auto kObjectTag = static_cast<uint8_t>(Value::Type::kObject);
constexpr size_t kMaxVarintBytes = 10;
constexpr size_t kDoubleBytes = 8;

// The smallest encoding of one array element (a null) and of one object
// member (an empty key and a null), used to bound counts by the body length
// before anything is allocated.
constexpr uint64_t kMinElementBytes = 1;
constexpr uint64_t kMinMemberBytes = 2;


size_t VarintLength(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

// Reads a shortest-form varint at doc[*pos] that ends at or before `limit`.
// False (with *pos unspecified) for truncated, over-long, overflowing or
// non-shortest encodings.
bool ReadVarint(std::string_view doc, size_t* pos, size_t limit, uint64_t* v) {
  uint64_t result = 0;
  for (size_t i = 0; i < kMaxVarintBytes; ++i) {
    if (*pos >= limit) return false;
    const auto byte = static_cast<uint8_t>(doc[*pos]);
    ++*pos;
    if (i == kMaxVarintBytes - 1 && byte > 1) return false;
    result |= static_cast<uint64_t>(byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) {
      // A final zero group after the first byte means a shorter form exists.
      if (i > 0 && byte == 0) return false;
      *v = result;
      return true;
    }
  }
  return false;
}

// Sets *end to the end of the value starting at `begin`, which must lie
// within `limit`. False for malformed bytes.
bool SkipValue(std::string_view doc, size_t begin, size_t limit, size_t* end) {
  if (begin >= limit) return false;
  size_t pos = begin + 1;
  uint64_t n = 0;
  switch (static_cast<Value::Type>(static_cast<uint8_t>(doc[begin]))) {
    case Value::Type::kNull:
      *end = pos;
      return true;
    case Value::Type::kBool:
      if (pos >= limit) return false;
      *end = pos + 1;
      return true;
    case Value::Type::kInt:
      if (!ReadVarint(doc, &pos, limit, &n)) return false;
      *end = pos;
      return true;
    case Value::Type::kDouble:
      if (limit - pos < kDoubleBytes) return false;
      *end = pos + kDoubleBytes;
      return true;
    case Value::Type::kString:
    case Value::Type::kBytes:
      if (!ReadVarint(doc, &pos, limit, &n) || n > limit - pos) return false;
      *end = pos + n;
      return true;
    case Value::Type::kArray:
    case Value::Type::kObject:
      if (!ReadVarint(doc, &pos, limit, &n) || !ReadVarint(doc, &pos, limit, &n) ||
          n > limit - pos) {
        return false;
      }
      *end = pos + n;
      return true;
  }
  return false;
}

absl::Status Corrupt(size_t offset, std::string_view what) {
  return MakeError(ErrorCode::kDataLoss,
                   absl::StrCat("corrupt JSON document at byte offset ", offset, ": ",
                                Sv(what)));
}

// "an int", "a string", "null", "bytes".
std::string WithArticle(Value::Type type) {
  const std::string_view name = TypeName(type);
  if (type == Value::Type::kNull || type == Value::Type::kBytes) return std::string(name);
  return absl::StrCat(type == Value::Type::kInt ? "an " : "a ", Sv(name));
}

std::string Quote(std::string_view token) {
  return absl::StrCat("\"", absl::CHexEscape(Sv(token)), "\"");
}

// ---------------------------------------------------------------------------
// Encoding: one pass measures every container body (in pre-order), a second
// writes, so the output is allocated once and nothing is moved.

size_t Measure(const Value& value, std::vector<uint64_t>* bodies) {
  switch (value.type()) {
    case Value::Type::kNull:
      return 1;
    case Value::Type::kBool:
      return 2;
    case Value::Type::kInt:
      return 1 + VarintLength(util::ZigZagEncode(value.AsInt()));
    case Value::Type::kDouble:
      return 1 + kDoubleBytes;
    case Value::Type::kString:
      return 1 + VarintLength(value.AsString().size()) + value.AsString().size();
    case Value::Type::kBytes:
      return 1 + VarintLength(value.AsBytes().size()) + value.AsBytes().size();
    case Value::Type::kArray: {
      const size_t slot = bodies->size();
      bodies->push_back(0);
      uint64_t body = 0;
      for (const Value& element : value.AsArray()) body += Measure(element, bodies);
      (*bodies)[slot] = body;
      return 1 + VarintLength(value.AsArray().size()) + VarintLength(body) + body;
    }
    case Value::Type::kObject: {
      const size_t slot = bodies->size();
      bodies->push_back(0);
      uint64_t body = 0;
      for (const auto& [key, member] : value.AsObject()) {
        body += VarintLength(key.size()) + key.size() + Measure(member, bodies);
      }
      (*bodies)[slot] = body;
      return 1 + VarintLength(value.AsObject().size()) + VarintLength(body) + body;
    }
  }
  return 0;
}

void Write(const Value& value, const std::vector<uint64_t>& bodies, size_t* next_body,
           std::string* out) {
  out->push_back(static_cast<char>(value.type()));
  switch (value.type()) {
    case Value::Type::kNull:
      return;
    case Value::Type::kBool:
      out->push_back(value.AsBool() ? 1 : 0);
      return;
    case Value::Type::kInt:
      util::PutVarint64(out, util::ZigZagEncode(value.AsInt()));
      return;
    case Value::Type::kDouble:
      util::PutFixed64(out, std::bit_cast<uint64_t>(value.AsDouble()));
      return;
    case Value::Type::kString:
      util::PutLengthPrefixed(out, value.AsString());
      return;
    case Value::Type::kBytes:
      util::PutLengthPrefixed(out, value.AsBytes());
      return;
    case Value::Type::kArray:
      util::PutVarint64(out, value.AsArray().size());
      util::PutVarint64(out, bodies[(*next_body)++]);
      for (const Value& element : value.AsArray()) Write(element, bodies, next_body, out);
      return;
    case Value::Type::kObject:
      // std::map iterates in ascending key order, as the format requires.
      util::PutVarint64(out, value.AsObject().size());
      util::PutVarint64(out, bodies[(*next_body)++]);
      for (const auto& [key, member] : value.AsObject()) {
        util::PutLengthPrefixed(out, key);
        Write(member, bodies, next_body, out);
      }
      return;
  }
}

// ---------------------------------------------------------------------------
// Decoding of untrusted bytes.

class Decoder {
 public:
  explicit Decoder(std::string_view doc) : doc_(doc) {}

  size_t pos() const { return pos_; }

  // Decodes the value at pos() that must end by `limit`, nested inside
  // `depth` arrays/objects.
  absl::Status Decode(size_t limit, int depth, Value* out) {
    const size_t start = pos_;
    if (pos_ >= limit) return Short(start, limit, "missing type tag");
    const auto tag = static_cast<uint8_t>(doc_[pos_++]);
    switch (static_cast<Value::Type>(tag)) {
      case Value::Type::kNull:
        *out = Value();
        return absl::OkStatus();
      case Value::Type::kBool: {
        if (pos_ >= limit) return Short(start, limit, "truncated bool");
        const auto b = static_cast<uint8_t>(doc_[pos_++]);
        if (b > 1) return Corrupt(start, absl::StrCat("bool byte is ", b, ", not 0 or 1"));
        *out = Value(b == 1);
        return absl::OkStatus();
      }
      case Value::Type::kInt: {
        uint64_t u = 0;
        if (!ReadVarint(doc_, &pos_, limit, &u)) {
          return Short(start, limit, "truncated, over-long or non-shortest int varint");
        }
        *out = Value(util::ZigZagDecode(u));
        return absl::OkStatus();
      }
      case Value::Type::kDouble: {
        if (limit - pos_ < kDoubleBytes) return Short(start, limit, "truncated double");
        *out = Value(std::bit_cast<double>(util::DecodeFixed64(doc_.data() + pos_)));
        pos_ += kDoubleBytes;
        return absl::OkStatus();
      }
      case Value::Type::kString:
      case Value::Type::kBytes: {
        const bool is_string = tag == static_cast<uint8_t>(Value::Type::kString);
        uint64_t n = 0;
        if (!ReadVarint(doc_, &pos_, limit, &n) || n > limit - pos_) {
          return Short(start, limit,
                       absl::StrCat(is_string ? "string" : "bytes",
                                    " length is over-long, non-shortest or past the end"));
        }
        std::string data(doc_.substr(pos_, n));
        pos_ += n;
        *out = is_string ? Value(std::move(data)) : Value::MakeBytes(std::move(data));
        return absl::OkStatus();
      }
      case Value::Type::kArray:
      case Value::Type::kObject:
        return DecodeContainer(start, limit, depth, tag == kObjectTag, out);
    }
    return Corrupt(start, absl::StrCat("unknown type tag ", tag));
  }

 private:
  // A read that ran into `limit`: the end of the input, or the end of the
  // body of the enclosing container.
  absl::Status Short(size_t offset, size_t limit, std::string_view what) const {
    if (limit == doc_.size()) return Corrupt(offset, what);
    return Corrupt(offset, absl::StrCat(Sv(what), " (at the end of the enclosing body, "
                                                  "whose length disagrees with its content)"));
  }

  absl::Status DecodeContainer(size_t start, size_t limit, int depth, bool is_object,
                               Value* out) {
    const char* kind = is_object ? "object" : "array";
    if (depth >= kMaxValueDepth) {
      return Corrupt(start, absl::StrCat("nesting deeper than ", kMaxValueDepth, " levels"));
    }
    uint64_t count = 0;
    uint64_t body = 0;
    if (!ReadVarint(doc_, &pos_, limit, &count)) {
      return Short(start, limit, absl::StrCat("truncated, over-long or non-shortest ", kind,
                                              " count"));
    }
    if (!ReadVarint(doc_, &pos_, limit, &body)) {
      return Short(start, limit, absl::StrCat("truncated, over-long or non-shortest ", kind,
                                              " body length"));
    }
    if (body > limit - pos_) {
      return Short(start, limit, absl::StrCat(kind, " body length ", body, " exceeds the ",
                                              limit - pos_, " remaining bytes"));
    }
    const uint64_t min_bytes = is_object ? kMinMemberBytes : kMinElementBytes;
    if (count > body / min_bytes) {
      return Corrupt(start, absl::StrCat(kind, " count ", count, " does not fit its body of ",
                                         body, " bytes"));
    }
    const size_t body_end = pos_ + body;
    if (is_object) {
      Value::Object object;
      std::string_view previous_key;
      for (uint64_t i = 0; i < count; ++i) {
        const size_t key_offset = pos_;
        uint64_t key_len = 0;
        if (!ReadVarint(doc_, &pos_, body_end, &key_len) || key_len > body_end - pos_) {
          return Short(key_offset, body_end,
                       "object key length is over-long, non-shortest or past the end");
        }
        const std::string_view key = doc_.substr(pos_, key_len);
        pos_ += key_len;
        // `key` and `previous_key` point into the input, which outlives them.
        if (i > 0 && key <= previous_key) {
          return Corrupt(key_offset, key == previous_key ? "duplicate object key"
                                                         : "object keys not in ascending order");
        }
        previous_key = key;
        Value member;
        if (absl::Status s = Decode(body_end, depth + 1, &member); !s.ok()) return s;
        object.emplace_hint(object.end(), std::string(key), std::move(member));
      }
      *out = Value(std::move(object));
    } else {
      Value::Array array;
      array.reserve(count);
      for (uint64_t i = 0; i < count; ++i) {
        Value element;
        if (absl::Status s = Decode(body_end, depth + 1, &element); !s.ok()) return s;
        array.push_back(std::move(element));
      }
      *out = Value(std::move(array));
    }
    if (pos_ != body_end) {
      return Corrupt(start, absl::StrCat(kind, " body length ", body, " disagrees with its ",
                                         count, " entries, which take ",
                                         pos_ - (body_end - body), " bytes"));
    }
    return absl::OkStatus();
  }

  std::string_view doc_;
  size_t pos_ = 0;
};

int DepthAt(std::string_view doc, size_t begin, size_t limit, int level, size_t* end) {
  if (!SkipValue(doc, begin, limit, end)) return -1;
  const auto tag = static_cast<uint8_t>(doc[begin]);
  if (tag != kArrayTag && tag != kObjectTag) return 0;
  if (level >= kMaxValueDepth) return -1;
  size_t pos = begin + 1;
  uint64_t count = 0;
  uint64_t body = 0;
  if (!ReadVarint(doc, &pos, *end, &count) || !ReadVarint(doc, &pos, *end, &body)) return -1;
  int depth = 1;
  for (uint64_t i = 0; i < count; ++i) {
    if (tag == kObjectTag) {
      uint64_t key_len = 0;
      if (!ReadVarint(doc, &pos, *end, &key_len) || key_len > *end - pos) return -1;
      pos += key_len;
    }
    size_t child_end = 0;
    const int child = DepthAt(doc, pos, *end, level + 1, &child_end);
    if (child < 0) return -1;
    if (child + 1 > depth) depth = child + 1;
    pos = child_end;
  }
  return pos == *end ? depth : -1;
}

}  // namespace

void EncodeDocument(const Value& value, std::string* out) {
  std::vector<uint64_t> bodies;
  const size_t size = Measure(value, &bodies);
  out->reserve(out->size() + size);
  size_t next_body = 0;
  Write(value, bodies, &next_body, out);
}

absl::Status DecodeDocument(std::string_view doc, Value* out) {
  Decoder decoder(doc);
  Value value;
  if (absl::Status s = decoder.Decode(doc.size(), 0, &value); !s.ok()) return s;
  if (decoder.pos() != doc.size()) {
    return Corrupt(decoder.pos(), absl::StrCat(doc.size() - decoder.pos(),
                                               " trailing bytes after the document"));
  }
  *out = std::move(value);
  return absl::OkStatus();
}

absl::StatusOr<std::string_view> Find(std::string_view doc, const Path& path) {
  internal::Slot slot;
  if (absl::Status s = internal::Walk(doc, path, path.tokens.size(), nullptr, &slot); !s.ok()) {
    return s;
  }
  return doc.substr(slot.value_begin, slot.value_end - slot.value_begin);
}

absl::StatusOr<Value> GetAt(std::string_view doc, const Path& path) {
  absl::StatusOr<std::string_view> slice = Find(doc, path);
  if (!slice.ok()) return slice.status();
  Value value;
  if (absl::Status s = DecodeDocument(*slice, &value); !s.ok()) return s;
  return value;
}

namespace internal {

std::string DescribePrefix(const Path& path, size_t tokens) {
  if (tokens == 0) return "the root";
  Path prefix;
  prefix.tokens.assign(path.tokens.begin(), path.tokens.begin() + tokens);
  return prefix.ToPointer();
}

absl::Status OpenContainer(std::string_view doc, size_t begin, size_t end, const Path& path,
                           size_t depth, Container* out) {
  if (begin >= end || end > doc.size()) return Corrupt(begin, "value is past the end");
  const auto tag = static_cast<uint8_t>(doc[begin]);
  if (tag != kArrayTag && tag != kObjectTag) {
    if (tag > kObjectTag) return Corrupt(begin, absl::StrCat("unknown type tag ", tag));
    return MakeError(ErrorCode::kInvalidArgument,
                     absl::StrCat(path.ToPointer(), ": ", DescribePrefix(path, depth), " is ",
                                  WithArticle(static_cast<Value::Type>(tag)),
                                  ", not an object or array"));
  }
  size_t pos = begin + 1;
  Container c;
  if (!ReadVarint(doc, &pos, end, &c.count) || !ReadVarint(doc, &pos, end, &c.body_bytes) ||
      c.body_bytes > end - pos) {
    return Corrupt(begin, "bad container header");
  }
  c.offset = begin;
  c.header_bytes = pos - begin;
  c.is_object = tag == kObjectTag;
  *out = c;
  return absl::OkStatus();
}

absl::Status Lookup(std::string_view doc, const Container& container, const Path& path,
                    size_t depth, Slot* out) {
  const std::string_view token = path.tokens[depth];
  const size_t body_end = container.body_end();
  size_t pos = container.body_begin();
  Slot slot;
  if (container.is_object) {
    for (uint64_t i = 0; i < container.count; ++i) {
      const size_t entry = pos;
      uint64_t key_len = 0;
      if (!ReadVarint(doc, &pos, body_end, &key_len) || key_len > body_end - pos) {
        return Corrupt(entry, "bad object key");
      }
      const std::string_view key = doc.substr(pos, key_len);
      pos += key_len;
      const int cmp = key.compare(token);
      if (cmp > 0) {
        slot.insert_at = entry;
        *out = slot;
        return absl::OkStatus();
      }
      size_t value_end = 0;
      if (!SkipValue(doc, pos, body_end, &value_end)) return Corrupt(pos, "bad member value");
      if (cmp == 0) {
        slot.found = true;
        slot.entry_begin = entry;
        slot.value_begin = pos;
        slot.value_end = value_end;
        *out = slot;
        return absl::OkStatus();
      }
      pos = value_end;
    }
    slot.insert_at = body_end;
    *out = slot;
    return absl::OkStatus();
  }

  size_t index = 0;
  if (token == "-") {
    slot.index = container.count;
    slot.insert_at = body_end;
    *out = slot;
    return absl::OkStatus();
  }
  if (!ParseArrayIndex(token, &index)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     absl::StrCat(path.ToPointer(), ": ", Quote(token),
                                  " is not an index into the array at ",
                                  DescribePrefix(path, depth)));
  }
  slot.index = index;
  if (index >= container.count) {
    slot.insert_at = body_end;
    *out = slot;
    return absl::OkStatus();
  }
  for (size_t i = 0; i < index; ++i) {
    size_t next = 0;
    if (!SkipValue(doc, pos, body_end, &next)) return Corrupt(pos, "bad array element");
    pos = next;
  }
  slot.found = true;
  slot.entry_begin = pos;
  slot.value_begin = pos;
  slot.insert_at = pos;
  if (!SkipValue(doc, pos, body_end, &slot.value_end)) return Corrupt(pos, "bad array element");
  *out = slot;
  return absl::OkStatus();
}

absl::Status Walk(std::string_view doc, const Path& path, size_t tokens, Container* frames,
                  Slot* last) {
  Slot slot;
  slot.found = true;
  slot.value_end = doc.size();
  for (size_t depth = 0; depth < tokens; ++depth) {
    Container container;
    if (absl::Status s =
            OpenContainer(doc, slot.value_begin, slot.value_end, path, depth, &container);
        !s.ok()) {
      return s;
    }
    if (frames != nullptr) frames[depth] = container;
    if (absl::Status s = Lookup(doc, container, path, depth, &slot); !s.ok()) return s;
    if (!slot.found) {
      const std::string where = DescribePrefix(path, depth);
      const std::string_view token = path.tokens[depth];
      if (container.is_object) {
        return MakeError(ErrorCode::kNotFound,
                         absl::StrCat("no member ", Quote(token), " at ", where));
      }
      if (token == "-") {
        return MakeError(ErrorCode::kNotFound,
                         absl::StrCat("\"-\" (the end of the array) names no element of the "
                                      "array of ",
                                      container.count, " elements at ", where));
      }
      return MakeError(ErrorCode::kNotFound,
                       absl::StrCat("index ", slot.index, " is out of range for the array of ",
                                    container.count, " elements at ", where));
    }
  }
  *last = slot;
  return absl::OkStatus();
}

void AppendContainerHeader(bool is_object, uint64_t count, uint64_t body_bytes,
                           std::string* out) {
  out->push_back(static_cast<char>(is_object ? kObjectTag : kArrayTag));
  util::PutVarint64(out, count);
  util::PutVarint64(out, body_bytes);
}

int EncodedDepth(std::string_view value) {
  size_t end = 0;
  const int depth = DepthAt(value, 0, value.size(), 0, &end);
  return depth >= 0 && end == value.size() ? depth : -1;
}

}  // namespace internal
}  // namespace strata::json
