// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Fuzz target for the binary Value decoder (util/value_codec.hpp).
//
// Checks, for arbitrary bytes:
//  - DecodeValue never crashes; failures are DataLoss and leave the input
//    untouched;
//  - whatever decodes re-encodes to bytes that decode to an equal value, and
//    that re-encoding is stable (encoding is canonical after one round);
//  - the decoded value respects kMaxValueDepth and compares equal to itself;
//  - its JSON text always parses, and gives back an equal value when every
//    string in it is valid UTF-8 (ToJson replaces invalid UTF-8, after which
//    the round trip must be exact).
// A violation prints what went wrong and calls abort().
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "strata/value.hpp"
#include "util/value_codec.hpp"

namespace {

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "value_codec_fuzz: %s\n", what);
  std::abort();
}

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<uint8_t>(s[i]);
    size_t n = 0;
    uint32_t cp = 0;
    if (b < 0x80) {
      ++i;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      n = 1;
      cp = b & 0x1f;
    } else if (b >= 0xe0 && b <= 0xef) {
      n = 2;
      cp = b & 0x0f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      n = 3;
      cp = b & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;
    for (size_t k = 1; k <= n; ++k) {
      const auto c = static_cast<uint8_t>(s[i + k]);
      if ((c & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3f);
    }
    const uint32_t min[] = {0, 0x80, 0x800, 0x10000};
    if (cp < min[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += n + 1;
  }
  return true;
}

bool AllStringsValidUtf8(const strata::Value& v) {
  if (v.is_string()) return IsValidUtf8(v.AsString());
  if (v.is_array()) {
    for (const strata::Value& e : v.AsArray()) {
      if (!AllStringsValidUtf8(e)) return false;
    }
  }
  if (v.is_object()) {
    for (const auto& [key, member] : v.AsObject()) {
      if (!IsValidUtf8(key) || !AllStringsValidUtf8(member)) return false;
    }
  }
  return true;
}

}  // namespace

extern "C" void StrataFuzzSeeds(std::vector<std::string>* out) {
  using strata::Value;
  Value::Object reserved;
  reserved["$bytes"] = Value("not base64");
  Value::Object mixed;
  mixed[""] = Value();
  mixed["a"] = Value(Value::Array{Value(1), Value(-2.5), Value("x")});
  mixed["b"] = Value::MakeBytes(std::string("\0\xff", 2));
  mixed["c"] = Value(reserved);
  Value deep = Value(0);
  for (int i = 0; i < strata::kMaxValueDepth; ++i) deep = Value(Value::Array{deep});
  const Value seeds[] = {
      Value(),
      Value(true),
      Value(std::numeric_limits<int64_t>::min()),
      Value(300),
      Value(std::numeric_limits<double>::quiet_NaN()),
      Value(-0.0),
      Value("h\xc3\xa9llo"),
      Value::MakeBytes("\x01\x02"),
      Value(Value::Array{Value(), Value(false), Value(Value::Array{})}),
      Value(mixed),
      deep,
  };
  for (const Value& v : seeds) {
    std::string encoded;
    strata::util::EncodeValue(v, &encoded);
    out->push_back(std::move(encoded));
  }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string_view in = input;
  strata::Value value;
  const absl::Status status = strata::util::DecodeValue(&in, &value);
  if (!status.ok()) {
    if (status.code() != absl::StatusCode::kDataLoss) Fail("error is not DataLoss");
    if (in.size() != input.size()) Fail("failed decode consumed input");
    return 0;
  }
  if (in.size() >= input.size()) Fail("successful decode consumed nothing");

  std::string encoded;
  strata::util::EncodeValue(value, &encoded);
  std::string_view again = encoded;
  strata::Value back;
  if (!strata::util::DecodeValue(&again, &back).ok()) Fail("re-encoding does not decode");
  if (!again.empty()) Fail("re-encoding has trailing bytes");
  if (!(back == value)) Fail("re-encoding decodes to a different value");
  if ((back <=> value) != 0) Fail("operator<=> disagrees with operator==");
  std::string encoded_twice;
  strata::util::EncodeValue(back, &encoded_twice);
  if (encoded_twice != encoded) Fail("encoding is not stable");
  if (value.Depth() > strata::kMaxValueDepth) Fail("decoded value too deep");

  const std::string json = value.ToJson();
  const absl::StatusOr<strata::Value> parsed = strata::Value::FromJson(json);
  if (!parsed.ok()) Fail("ToJson output does not parse");
  if (AllStringsValidUtf8(value) && !(*parsed == value)) Fail("JSON round trip differs");
  // Invalid UTF-8 was replaced by U+FFFD (which may reorder or merge keys);
  // what came back is valid, so from here on the round trip must be exact.
  const std::string json_again = parsed->ToJson();
  const absl::StatusOr<strata::Value> parsed_again = strata::Value::FromJson(json_again);
  if (!parsed_again.ok()) Fail("second ToJson output does not parse");
  if (!(*parsed_again == *parsed)) Fail("second JSON round trip differs");
  if (parsed_again->ToJson() != json_again) Fail("ToJson is not stable");
  return 0;
}
