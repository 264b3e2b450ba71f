// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Value: JSON text conversion, ordering and size accounting.
//
// JSON mapping details beyond the header comment:
//  - A third extension escapes user objects that would otherwise be read as an
//    extension: an object with exactly one member whose key is "$bytes",
//    "$double" or "$object" prints as {"$object": <that object>}, and
//    FromJson reads {"$object": {...}} as the inner object taken literally.
//    This is what makes ToJson -> FromJson exact for every Value.
//  - A single-member {"$bytes": x} or {"$double": x} whose x is not a string
//    (and {"$object": x} whose x is not an object) is an ordinary object.
//  - Duplicate object keys: the last occurrence wins (RFC 8259 leaves this to
//    the implementation). An object with duplicate keys is never read as an
//    extension, even if only one distinct key remains.
//  - Strings are UTF-8. ToJson replaces byte sequences that are not valid
//    UTF-8 with U+FFFD so that its output is always valid JSON; FromJson
//    rejects invalid UTF-8.
//  - All NaNs print as {"$double":"NaN"} and compare equal to each other (see
//    the ordering below), so the round trip holds for them too.
#include "strata/value.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <iterator>
#include <limits>
#include <memory>
#include <optional>

#include <nlohmann/json.hpp>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "strata/status.hpp"
#include "util/strings.hpp"
#include "util/base64.hpp"

namespace strata {
namespace {

using util::Sv;

constexpr std::string_view kBytesKey = "$bytes";
constexpr std::string_view kDoubleKey = "$double";
constexpr std::string_view kObjectKey = "$object";
constexpr std::string_view kNaNText = "NaN";
constexpr std::string_view kInfinityText = "Infinity";
constexpr std::string_view kNegInfinityText = "-Infinity";

// Longest message excerpt of user text quoted in an error.
constexpr size_t kMaxQuotedBytes = 32;

// Deepest JSON bracket nesting FromJson accepts. The limit that matters is
// kMaxValueDepth on the resulting Value, checked separately; but the JSON
// text of a Value can nest deeper than the Value (a {"$object": ...} wrapper
// adds a level per object, a {"$bytes": ...} leaf one more), and ToJson output
// must always read back: so allow two levels per Value level plus one.
constexpr size_t kMaxJsonNesting = 2 * kMaxValueDepth + 1;

// Rough per-member overhead of a std::map node (three pointers, color, and
// allocator rounding), used by ApproximateSize.
constexpr size_t kMapNodeOverheadBytes = 48;

bool IsReservedKey(std::string_view key) {
  return key == kBytesKey || key == kDoubleKey || key == kObjectKey;
}

// ---------------------------------------------------------------------------
// ToJson

// Length of the valid UTF-8 sequence at the start of `s` (RFC 3629: no
// overlong forms, no surrogates, nothing above U+10FFFF), or 0 if invalid.
size_t ValidUtf8SequenceLength(std::string_view s) {
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(s[i]); };
  const auto cont = [&](size_t i, uint8_t lo = 0x80, uint8_t hi = 0xbf) {
    return i < s.size() && byte(i) >= lo && byte(i) <= hi;
  };
  const uint8_t b0 = byte(0);
  if (b0 < 0x80) return 1;
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 == 0xe0) return cont(1, 0xa0, 0xbf) && cont(2) ? 3 : 0;
  if ((b0 >= 0xe1 && b0 <= 0xec) || b0 == 0xee || b0 == 0xef) {
    return cont(1) && cont(2) ? 3 : 0;
  }
  if (b0 == 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (b0 == 0xf0) return cont(1, 0x90, 0xbf) && cont(2) && cont(3) ? 4 : 0;
  if (b0 >= 0xf1 && b0 <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (b0 == 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

void AppendJsonString(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  static constexpr std::string_view kReplacement = "\xef\xbf\xbd";  // U+FFFD
  out->push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<uint8_t>(s[i]);
    if (c >= 0x80) {
      const size_t n = ValidUtf8SequenceLength(s.substr(i));
      if (n == 0) {
        out->append(kReplacement);
        ++i;
      } else {
        out->append(s.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (c < 0x20) {
          out->append("\\u00");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 0xf]);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  out->push_back('"');
}

void AppendDouble(double d, std::string* out) {
  if (std::isnan(d)) {
    absl::StrAppend(out, "{\"", Sv(kDoubleKey), "\":\"", Sv(kNaNText), "\"}");
    return;
  }
  if (std::isinf(d)) {
    absl::StrAppend(out, "{\"", Sv(kDoubleKey), "\":\"",
                    Sv(d > 0 ? kInfinityText : kNegInfinityText), "\"}");
    return;
  }
  // Shortest text that reads back as the same double.
  char buf[64];
  const std::to_chars_result result = std::to_chars(buf, buf + sizeof(buf), d);
  const std::string_view text(buf, static_cast<size_t>(result.ptr - buf));
  out->append(text);
  // "1" would read back as an int; "1e+21" and "1.5" already read as doubles.
  if (text.find_first_of(".e") == std::string_view::npos) out->append(".0");
}

void AppendJson(const Value& v, std::string* out);

void AppendObjectMembers(const Value::Object& object, std::string* out) {
  out->push_back('{');
  bool first = true;
  for (const auto& [key, member] : object) {
    if (!first) out->push_back(',');
    first = false;
    AppendJsonString(key, out);
    out->push_back(':');
    AppendJson(member, out);
  }
  out->push_back('}');
}

void AppendJson(const Value& v, std::string* out) {
  switch (v.type()) {
    case Value::Type::kNull:
      out->append("null");
      return;
    case Value::Type::kBool:
      out->append(v.AsBool() ? "true" : "false");
      return;
    case Value::Type::kInt:
      absl::StrAppend(out, v.AsInt());
      return;
    case Value::Type::kDouble:
      AppendDouble(v.AsDouble(), out);
      return;
    case Value::Type::kString:
      AppendJsonString(v.AsString(), out);
      return;
    case Value::Type::kBytes:
      absl::StrAppend(out, "{\"", Sv(kBytesKey), "\":\"",
                      util::Base64Encode(v.AsBytes()), "\"}");
      return;
    case Value::Type::kArray: {
      out->push_back('[');
      bool first = true;
      for (const Value& element : v.AsArray()) {
        if (!first) out->push_back(',');
        first = false;
        AppendJson(element, out);
      }
      out->push_back(']');
      return;
    }
    case Value::Type::kObject: {
      const Value::Object& object = v.AsObject();
      if (object.size() == 1 && IsReservedKey(object.begin()->first)) {
        // Would read back as an extension: escape it.
        absl::StrAppend(out, "{\"", Sv(kObjectKey), "\":");
        AppendObjectMembers(object, out);
        out->push_back('}');
      } else {
        AppendObjectMembers(object, out);
      }
      return;
    }
  }
}

// ---------------------------------------------------------------------------
// FromJson
//
// nlohmann's SAX parser (iterative, so deep input cannot exhaust the stack)
// drives a ValueBuilder that builds the Value directly, tracking the depth of
// each completed Value to refuse nesting deeper than kMaxValueDepth (and
// refusing JSON nested deeper than kMaxJsonNesting outright).
//
// The extensions are applied when an object closes, with one complication:
// whether an object is an extension depends on its parent, since the body of a
// {"$object": ...} wrapper is taken literally, and whether the parent is such
// a wrapper is only known once the parent closes. So a single-member object
// that is the first member of its parent under the key "$object" (a
// "candidate") is kept aside as a Pending object, and resolved when the parent
// closes. Candidates can chain ({"$object":{"$object":{...}}}); the chain is
// at most kMaxValueDepth long.

// A char iterator that counts how far the parser has read, so that SAX
// callbacks know the byte offset of the token they are handling.
class CountingIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  CountingIterator(const char* p, size_t* consumed) : p_(p), consumed_(consumed) {}
  reference operator*() const { return *p_; }
  CountingIterator& operator++() {
    ++p_;
    ++*consumed_;
    return *this;
  }
  CountingIterator operator++(int) {
    CountingIterator old = *this;
    ++*this;
    return old;
  }
  friend bool operator==(const CountingIterator& a, const CountingIterator& b) {
    return a.p_ == b.p_;
  }

 private:
  const char* p_;
  size_t* consumed_;
};

// Turns nlohmann's exception text "[json.exception.parse_error.101] parse
// error at line 1, column 4: syntax error ... - <problem>; last read: '<token>';
// expected ..." into "syntax error ... - <problem>; expected ...". The raw
// token is dropped: it can be arbitrarily long and hold invalid UTF-8; callers
// add a short escaped excerpt instead.
std::string DescribeParseError(const std::string& what) {
  std::string_view text = what;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find("] ");
    if (close != std::string_view::npos) text.remove_prefix(close + 2);
  }
  if (text.starts_with("parse error")) {
    const size_t colon = text.find(": ");
    if (colon != std::string_view::npos) text.remove_prefix(colon + 2);
  }
  constexpr std::string_view kOverflow = "number overflow";
  if (text.starts_with(kOverflow)) return std::string(kOverflow);
  constexpr std::string_view kLastRead = "; last read: '";
  constexpr std::string_view kExpected = "'; expected ";
  const size_t last_read = text.find(kLastRead);
  if (last_read == std::string_view::npos) return std::string(text);
  std::string out(text.substr(0, last_read));
  const size_t expected = text.rfind(kExpected);
  if (expected != std::string_view::npos && expected >= last_read + kLastRead.size()) {
    out.append(text.substr(expected + 1));
  }
  return out;
}

// A short excerpt of user text for an error message, as an ASCII-only quoted
// string (so a message never carries invalid UTF-8 or control characters).
// `keep_tail`: cut the front rather than the back of long text.
std::string Quote(std::string_view s, bool keep_tail = false) {
  const bool cut = s.size() > kMaxQuotedBytes;
  std::string out = cut && keep_tail ? "\"..." : "\"";
  out.append(absl::CHexEscape(
      Sv(cut && keep_tail ? s.substr(s.size() - kMaxQuotedBytes)
                          : s.substr(0, kMaxQuotedBytes))));
  out.append(cut && !keep_tail ? "...\"" : "\"");
  return out;
}

// A single-member object whose meaning is not known yet (see above). `child`,
// if set, is the still-pending value of its "$object" member, which is then
// absent from `object`.
struct Pending {
  Value::Object object;
  size_t members = 0;    // Members in the text, counting duplicate keys.
  size_t offset = 0;     // Byte offset of the '{'.
  int member_depth = 0;  // Greatest Value depth of the members in `object`.
  std::unique_ptr<Pending> child;
};

// Applies the $bytes / $double / $object extensions to a complete object that
// is not literal. `members` counts duplicates: an object with duplicate keys
// is never an extension. (These helpers fill `*out` rather than returning
// StatusOr<Value>, which trips a false -Wmaybe-uninitialized in GCC 12.)
// `member_depth` is the greatest Value depth of the members; `*depth` is set
// to the Value depth of the result.
absl::Status InterpretObject(Value::Object object, size_t members, size_t offset,
                             int member_depth, Value* out, int* depth) {
  *depth = 0;
  if (members == 1 && object.size() == 1) {
    auto& [key, member] = *object.begin();
    if (key == kBytesKey && member.is_string()) {
      std::optional<std::string> bytes = util::Base64Decode(member.AsString());
      if (!bytes.has_value()) {
        return MakeError(ErrorCode::kInvalidArgument,
                         absl::StrCat("invalid base64 ", Quote(member.AsString()),
                                      " in {\"$bytes\": ...} at byte offset ", offset));
      }
      *out = Value::MakeBytes(*std::move(bytes));
      return absl::OkStatus();  // A scalar: depth 0.
    }
    if (key == kDoubleKey && member.is_string()) {
      const std::string& text = member.AsString();
      if (text == kNaNText) {
        *out = std::numeric_limits<double>::quiet_NaN();
      } else if (text == kInfinityText) {
        *out = std::numeric_limits<double>::infinity();
      } else if (text == kNegInfinityText) {
        *out = -std::numeric_limits<double>::infinity();
      } else {
        return MakeError(
            ErrorCode::kInvalidArgument,
            absl::StrCat("unknown {\"$double\": ...} value ", Quote(text),
                         " at byte offset ", offset,
                         " (expected \"NaN\", \"Infinity\" or \"-Infinity\")"));
      }
      return absl::OkStatus();
    }
    if (key == kObjectKey && member.is_object()) {
      // The body was not a candidate (it has zero or several members), so it
      // reads the same literally or not.
      *out = std::move(member);
      *depth = member_depth;
      return absl::OkStatus();
    }
  }
  *out = std::move(object);
  *depth = 1 + member_depth;
  return absl::OkStatus();
}

// Resolves a pending object once it is known whether it is `literal` (the
// body of a wrapper). Sets `*depth` to the Value depth of the result.
absl::Status Resolve(Pending&& p, bool literal, Value* out, int* depth) {
  if (!literal && p.members == 1 && p.child != nullptr) {
    // {"$object": <candidate>}: a wrapper, its body is literal.
    return Resolve(std::move(*p.child), /*literal=*/true, out, depth);
  }
  int member_depth = p.member_depth;
  if (p.child != nullptr) {
    // The "$object" member of a literal or multi-member object is an
    // ordinary value.
    Value child;
    int child_depth = 0;
    if (absl::Status s = Resolve(std::move(*p.child), /*literal=*/false, &child,
                                 &child_depth);
        !s.ok()) {
      return s;
    }
    member_depth = std::max(member_depth, child_depth);
    p.object.insert_or_assign(std::string(kObjectKey), std::move(child));
  }
  if (literal) {
    *out = std::move(p.object);
    *depth = 1 + member_depth;
    return absl::OkStatus();
  }
  return InterpretObject(std::move(p.object), p.members, p.offset, member_depth, out,
                         depth);
}

class ValueBuilder {
 public:
  using number_integer_t = nlohmann::json::number_integer_t;
  using number_unsigned_t = nlohmann::json::number_unsigned_t;
  using number_float_t = nlohmann::json::number_float_t;
  using string_t = nlohmann::json::string_t;
  using binary_t = nlohmann::json::binary_t;

  explicit ValueBuilder(const size_t* consumed) : consumed_(consumed) {}

  bool null() { return Add(Value(), 0); }
  bool boolean(bool b) { return Add(Value(b), 0); }
  bool number_integer(number_integer_t i) { return Add(Value(i), 0); }
  bool number_unsigned(number_unsigned_t u) {
    if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return Add(Value(static_cast<int64_t>(u)), 0);
    }
    return Add(Value(static_cast<double>(u)), 0);
  }
  bool number_float(number_float_t d, const string_t& /*text*/) {
    return Add(Value(static_cast<double>(d)), 0);
  }
  bool string(string_t& s) { return Add(Value(std::move(s)), 0); }
  bool binary(binary_t& /*b*/) {
    // Only reachable for binary formats (CBOR, ...), never for JSON text.
    return Fail("unexpected binary value");
  }
  bool start_object(size_t /*elements*/) { return Open(/*is_array=*/false); }
  bool key(string_t& k) {
    Frame& frame = stack_.back();
    frame.key = std::move(k);
    ++frame.members;
    return true;
  }
  bool end_object() {
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    if (frame.candidate && frame.members == 1) {
      auto pending = std::make_unique<Pending>();
      pending->object = std::move(frame.object);
      pending->members = frame.members;
      pending->offset = frame.offset;
      pending->member_depth = frame.max_child_depth;
      pending->child = std::move(frame.pending);
      stack_.back().pending = std::move(pending);
      return true;
    }
    // Not a candidate, or one with several members, which reads the same
    // literally or not.
    Pending p;
    p.object = std::move(frame.object);
    p.members = frame.members;
    p.offset = frame.offset;
    p.member_depth = frame.max_child_depth;
    p.child = std::move(frame.pending);
    Value v;
    int depth = 0;
    error_ = Resolve(std::move(p), /*literal=*/false, &v, &depth);
    if (!error_.ok()) return false;
    return Add(std::move(v), depth);
  }
  bool start_array(size_t /*elements*/) { return Open(/*is_array=*/true); }
  bool end_array() {
    const int depth = 1 + stack_.back().max_child_depth;
    Value v(std::move(stack_.back().array));
    stack_.pop_back();
    return Add(std::move(v), depth);
  }
  bool parse_error(size_t position, const std::string& last_token,
                   const nlohmann::json::exception& ex) {
    // `position` counts the characters read, including the offending one.
    const size_t offset = position > 0 ? position - 1 : 0;
    std::string message = absl::StrCat("invalid JSON at byte offset ", offset, ": ",
                                       DescribeParseError(ex.what()));
    if (!last_token.empty()) {
      absl::StrAppend(&message, " (near ", Quote(last_token, /*keep_tail=*/true), ")");
    }
    error_ = MakeError(ErrorCode::kInvalidArgument, message);
    return false;
  }

  const absl::Status& error() const { return error_; }
  bool has_root() const { return has_root_; }
  Value TakeRoot() { return std::move(root_); }

 private:
  struct Frame {
    bool is_array = false;
    Value::Array array;
    Value::Object object;
    std::string key;     // Key of the member being read.
    size_t members = 0;  // Keys seen, counting duplicates.
    size_t offset = 0;   // Byte offset of the '{' or '['.
    int max_child_depth = 0;  // Greatest Value depth of the children added.
    // A single-member object here would be the body of a wrapper if the
    // parent turns out to have only this member.
    bool candidate = false;
    std::unique_ptr<Pending> pending;  // Value of the first member, "$object".
  };

  // Offset of the last character the lexer consumed.
  size_t LastOffset() const { return *consumed_ > 0 ? *consumed_ - 1 : 0; }

  bool Fail(std::string_view what) {
    error_ = MakeError(ErrorCode::kInvalidArgument,
                       absl::StrCat("invalid JSON at byte offset ", LastOffset(),
                                    ": ", Sv(what)));
    return false;
  }

  bool Open(bool is_array) {
    if (stack_.size() >= kMaxJsonNesting) {
      error_ = MakeError(ErrorCode::kInvalidArgument,
                         absl::StrCat("JSON nesting deeper than ", kMaxJsonNesting,
                                      " levels at byte offset ", LastOffset(),
                                      " (values may nest at most ", kMaxValueDepth,
                                      " levels)"));
      return false;
    }
    Frame frame;
    frame.is_array = is_array;
    frame.offset = LastOffset();
    if (!is_array && !stack_.empty()) {
      const Frame& parent = stack_.back();
      frame.candidate = !parent.is_array && parent.members == 1 && parent.key == kObjectKey;
    }
    stack_.push_back(std::move(frame));
    return true;
  }

  // Adds a complete value of Value depth `depth` to the open container.
  bool Add(Value v, int depth) {
    if (depth > kMaxValueDepth) {
      error_ = MakeError(ErrorCode::kInvalidArgument,
                         absl::StrCat("value nesting deeper than ", kMaxValueDepth,
                                      " levels at byte offset ", LastOffset()));
      return false;
    }
    if (stack_.empty()) {
      root_ = std::move(v);
      has_root_ = true;
      return true;
    }
    Frame& parent = stack_.back();
    // With duplicate keys this can count a member that a later one replaces;
    // the only effect is a depth error for such pathological text.
    parent.max_child_depth = std::max(parent.max_child_depth, depth);
    if (parent.is_array) {
      parent.array.push_back(std::move(v));
      return true;
    }
    // A later duplicate "$object" key replaces a pending first value.
    if (parent.key == kObjectKey) parent.pending.reset();
    parent.object.insert_or_assign(std::move(parent.key), std::move(v));  // Last wins.
    return true;
  }

  const size_t* consumed_;
  std::vector<Frame> stack_;
  Value root_;
  bool has_root_ = false;
  absl::Status error_;
};

// ---------------------------------------------------------------------------
// Ordering

// Maps a double to an integer whose order is the IEEE 754 total order, except
// that every NaN maps to one key above +infinity (NaN payloads and signs are
// not distinguished: JSON cannot carry them, and equal-looking values should
// compare equal).
int64_t DoubleOrderKey(double d) {
  if (std::isnan(d)) return std::numeric_limits<int64_t>::max();
  const auto bits = std::bit_cast<int64_t>(d);
  // Negative doubles order in reverse of their magnitude bits.
  return bits < 0 ? bits ^ std::numeric_limits<int64_t>::max() : bits;
}

std::strong_ordering Compare(const Value& a, const Value& b);

std::strong_ordering CompareBytes(const std::string& a, const std::string& b) {
  return a.compare(b) <=> 0;
}

std::strong_ordering Compare(const Value& a, const Value& b) {
  if (a.type() != b.type()) return a.type() <=> b.type();
  switch (a.type()) {
    case Value::Type::kNull:
      return std::strong_ordering::equal;
    case Value::Type::kBool:
      return a.AsBool() <=> b.AsBool();
    case Value::Type::kInt:
      return a.AsInt() <=> b.AsInt();
    case Value::Type::kDouble:
      return DoubleOrderKey(a.AsDouble()) <=> DoubleOrderKey(b.AsDouble());
    case Value::Type::kString:
      return CompareBytes(a.AsString(), b.AsString());
    case Value::Type::kBytes:
      return CompareBytes(a.AsBytes(), b.AsBytes());
    case Value::Type::kArray: {
      const Value::Array& x = a.AsArray();
      const Value::Array& y = b.AsArray();
      return std::lexicographical_compare_three_way(x.begin(), x.end(), y.begin(),
                                                    y.end(), Compare);
    }
    case Value::Type::kObject: {
      const Value::Object& x = a.AsObject();
      const Value::Object& y = b.AsObject();
      return std::lexicographical_compare_three_way(
          x.begin(), x.end(), y.begin(), y.end(),
          [](const auto& p, const auto& q) {
            const std::strong_ordering c = CompareBytes(p.first, q.first);
            return c != 0 ? c : Compare(p.second, q.second);
          });
    }
  }
  return std::strong_ordering::equal;
}

bool Equal(const Value& a, const Value& b) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case Value::Type::kNull:
      return true;
    case Value::Type::kBool:
      return a.AsBool() == b.AsBool();
    case Value::Type::kInt:
      return a.AsInt() == b.AsInt();
    case Value::Type::kDouble:
      return DoubleOrderKey(a.AsDouble()) == DoubleOrderKey(b.AsDouble());
    case Value::Type::kString:
      return a.AsString() == b.AsString();
    case Value::Type::kBytes:
      return a.AsBytes() == b.AsBytes();
    case Value::Type::kArray:
      return std::equal(a.AsArray().begin(), a.AsArray().end(), b.AsArray().begin(),
                        b.AsArray().end(), Equal);
    case Value::Type::kObject:
      return std::equal(a.AsObject().begin(), a.AsObject().end(),
                        b.AsObject().begin(), b.AsObject().end(),
                        [](const auto& p, const auto& q) {
                          return p.first == q.first && Equal(p.second, q.second);
                        });
  }
  return false;
}

}  // namespace

std::string Value::ToJson() const {
  std::string out;
  AppendJson(*this, &out);
  return out;
}

absl::StatusOr<Value> Value::FromJson(std::string_view text) {
  size_t consumed = 0;
  ValueBuilder builder(&consumed);
  bool parsed = false;
  try {
    parsed = nlohmann::json::sax_parse(
        CountingIterator(text.data(), &consumed),
        CountingIterator(text.data() + text.size(), &consumed), &builder,
        nlohmann::json::input_format_t::json, /*strict=*/true,
        /*ignore_comments=*/false);
  } catch (const nlohmann::json::exception& e) {
    // The SAX interface reports errors through parse_error(); this is only a
    // safety net so that no exception ever leaves this function.
    return MakeError(ErrorCode::kInvalidArgument,
                     absl::StrCat("invalid JSON: ", DescribeParseError(e.what())));
  }
  if (!parsed || !builder.has_root()) {
    if (!builder.error().ok()) return builder.error();
    return MakeError(ErrorCode::kInvalidArgument,
                     absl::StrCat("invalid JSON at byte offset ", consumed));
  }
  return builder.TakeRoot();
}

int Value::Depth() const {
  int child_depth = -1;
  if (is_array()) {
    for (const Value& element : AsArray()) {
      child_depth = std::max(child_depth, element.Depth());
    }
    return 1 + std::max(child_depth, 0);
  }
  if (is_object()) {
    for (const auto& [key, member] : AsObject()) {
      child_depth = std::max(child_depth, member.Depth());
    }
    return 1 + std::max(child_depth, 0);
  }
  return 0;
}

size_t Value::ApproximateSize() const {
  size_t size = sizeof(Value);
  switch (type()) {
    case Type::kString:
      size += AsString().size();
      break;
    case Type::kBytes:
      size += AsBytes().size();
      break;
    case Type::kArray:
      // Elements live inline in the vector's buffer; each counts its own
      // sizeof(Value).
      for (const Value& element : AsArray()) size += element.ApproximateSize();
      break;
    case Type::kObject:
      for (const auto& [key, member] : AsObject()) {
        size += kMapNodeOverheadBytes + sizeof(std::string) + key.size() +
                member.ApproximateSize();
      }
      break;
    default:
      break;
  }
  return size;
}

bool operator==(const Value& a, const Value& b) { return Equal(a, b); }

std::strong_ordering operator<=>(const Value& a, const Value& b) {
  return Compare(a, b);
}

const std::string& Value::EmptyBytes() {
  static const std::string* const empty = new std::string();
  return *empty;
}

std::string_view TypeName(Value::Type type) {
  switch (type) {
    case Value::Type::kNull:
      return "null";
    case Value::Type::kBool:
      return "bool";
    case Value::Type::kInt:
      return "int";
    case Value::Type::kDouble:
      return "double";
    case Value::Type::kString:
      return "string";
    case Value::Type::kBytes:
      return "bytes";
    case Value::Type::kArray:
      return "array";
    case Value::Type::kObject:
      return "object";
  }
  return "unknown";
}

}  // namespace strata
