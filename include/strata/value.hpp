// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Value: the one data type every primitive stores.
//
//   null | bool | int64 | double | string | bytes | array | object
//
// Strings hold UTF-8 text; bytes hold arbitrary octets. Objects keep their
// members sorted by key (so two objects with the same members are equal and
// print identically).
//
// JSON text round trip: ToJson() followed by FromJson() gives back an equal
// Value, for every Value whose strings are valid UTF-8 (invalid UTF-8 is
// written as U+FFFD so the output is always valid JSON). The mapping is plain
// JSON with three extensions, each a single-member object:
//   bytes          {"$bytes": "<standard base64>"}
//   NaN, +-inf     {"$double": "NaN" | "Infinity" | "-Infinity"}
//   an object whose only key is "$bytes", "$double" or "$object"
//                  {"$object": {...}}   (so it is not mistaken for the above)
// Integers that fit int64 parse as int; other numbers parse as double. A double
// with an integral value prints with a ".0" so it parses back as a double.
// Duplicate keys in JSON input: the last one wins.
//
// Ordering: values of different types order by type tag (the Type enum order);
// values of the same type order naturally (bytes and strings bytewise, arrays
// and objects lexicographically; doubles numerically, with every NaN equal to
// every other NaN and ordered above +infinity).
//
// Bytes are immutable and shared: copying a bytes Value copies a reference,
// not the octets, and AsBytes().data() stays valid and unchanged for as long
// as any copy of the Value lives. (The vector index relies on this to search
// the stored vectors in place.)
//
// Thread safety: a Value is a regular value type; concurrent const access is
// safe (including copying a bytes Value from several threads), concurrent
// mutation needs external synchronization.
#ifndef STRATA_VALUE_HPP_
#define STRATA_VALUE_HPP_

#include <compare>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "strata/export.hpp"

namespace strata {

// Limits that apply to every Value accepted from outside.
// Deepest nesting of arrays/objects (a scalar has depth 0).
inline constexpr int kMaxValueDepth = 128;

class STRATA_EXPORT Value {
 public:
  enum class Type : uint8_t {
    kNull = 0,
    kBool = 1,
    kInt = 2,
    kDouble = 3,
    kString = 4,
    kBytes = 5,
    kArray = 6,
    kObject = 7,
  };
  using Array = std::vector<Value>;
  using Object = std::map<std::string, Value, std::less<>>;

  // Tag type to construct a bytes value: Value(Value::BytesTag{}, data).
  struct BytesTag {};

  Value() = default;  // null
  Value(std::nullptr_t) {}  // NOLINT(google-explicit-constructor)
  Value(bool b) : rep_(b) {}  // NOLINT
  template <std::integral T>
    requires(!std::same_as<T, bool> && !std::same_as<T, char>)
  Value(T i) : rep_(static_cast<int64_t>(i)) {}  // NOLINT
  Value(double d) : rep_(d) {}  // NOLINT
  Value(std::string s) : rep_(std::move(s)) {}  // NOLINT
  Value(std::string_view s) : rep_(std::string(s)) {}  // NOLINT
  Value(const char* s) : rep_(std::string(s)) {}  // NOLINT
  Value(BytesTag, std::string bytes)
      : rep_(Bytes{std::make_shared<const std::string>(std::move(bytes))}) {}
  Value(Array a) : rep_(std::move(a)) {}  // NOLINT
  Value(Object o) : rep_(std::move(o)) {}  // NOLINT

  static Value MakeBytes(std::string bytes) {
    return Value(BytesTag{}, std::move(bytes));
  }

  Type type() const { return static_cast<Type>(rep_.index()); }
  bool is_null() const { return type() == Type::kNull; }
  bool is_bool() const { return type() == Type::kBool; }
  bool is_int() const { return type() == Type::kInt; }
  bool is_double() const { return type() == Type::kDouble; }
  bool is_string() const { return type() == Type::kString; }
  bool is_bytes() const { return type() == Type::kBytes; }
  bool is_array() const { return type() == Type::kArray; }
  bool is_object() const { return type() == Type::kObject; }

  // Accessors. REQUIRES: the value has that type. Asking for the wrong type
  // is a programming error (std::bad_variant_access), never an expected
  // failure: check type() first when the type is not known.
  bool AsBool() const { return std::get<bool>(rep_); }
  int64_t AsInt() const { return std::get<int64_t>(rep_); }
  double AsDouble() const { return std::get<double>(rep_); }
  const std::string& AsString() const { return std::get<std::string>(rep_); }
  const std::string& AsBytes() const {
    const Bytes& b = std::get<Bytes>(rep_);
    return b.data != nullptr ? *b.data : EmptyBytes();  // Null only when moved from.
  }
  // The bytes' shared, immutable buffer: it may be kept past this Value's
  // lifetime. REQUIRES: is_bytes(). Null only for a moved-from Value.
  std::shared_ptr<const std::string> SharedBytes() const { return std::get<Bytes>(rep_).data; }
  const Array& AsArray() const { return std::get<Array>(rep_); }
  const Object& AsObject() const { return std::get<Object>(rep_); }
  Array& MutableArray() { return std::get<Array>(rep_); }
  Object& MutableObject() { return std::get<Object>(rep_); }

  // Compact JSON text (no whitespace). Never fails.
  std::string ToJson() const;

  // Parses JSON text (RFC 8259) with the extensions above. Errors:
  // InvalidArgument naming the byte offset for malformed text, invalid UTF-8
  // in strings, bad base64 or nesting deeper than kMaxValueDepth.
  static absl::StatusOr<Value> FromJson(std::string_view text);

  // Nesting depth: 0 for scalars, 1 + max child depth for arrays/objects.
  int Depth() const;

  // Approximate heap footprint in bytes, used for limits and accounting.
  size_t ApproximateSize() const;

  friend bool operator==(const Value& a, const Value& b);
  friend std::strong_ordering operator<=>(const Value& a, const Value& b);

 private:
  struct Bytes {
    std::shared_ptr<const std::string> data;
  };
  static const std::string& EmptyBytes();
  std::variant<std::monostate, bool, int64_t, double, std::string, Bytes,
               Array, Object>
      rep_;
};

// Name of a type, e.g. "int".
STRATA_EXPORT std::string_view TypeName(Value::Type type);

}  // namespace strata

#endif  // STRATA_VALUE_HPP_
