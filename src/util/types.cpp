// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Primitive names, run id and key validation, and the EntityRef text form.
//
// EntityRef text details beyond the header comment:
//  - The run id is written verbatim (ToString REQUIRES a valid run id).
//  - For event refs with `seq` set, the key part is the decimal seq with no
//    leading zeros and `key` is not written. Parse of an event ref whose key
//    part is all digits sets `seq` and leaves `key` empty. An event key that
//    is itself all digits (with no seq) is written with its first digit
//    percent-encoded ("%31..."), so it reads back as a key, not a seq.
//    `seq` is only written for event refs.
//  - The path (after '#') is percent-encoded like the key except that '/'
//    stays as is. Only json refs may have a path.
//  - Parse accepts upper- and lower-case hex digits in %XX; ToString writes
//    upper case. An empty key part gives an empty key (a ref to a whole
//    collection); a key longer than kMaxKeyBytes is ResourceExhausted.
#include "util/strings.hpp"
#include "strata/types.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "strata/status.hpp"

namespace strata {
namespace {

using util::Sv;

constexpr std::array<std::string_view, 8> kPrimitiveNames = {
    "", "kv", "event", "state", "trace", "run", "json", "vector"};

constexpr std::string_view kSchemeSeparator = "://";
// Longest excerpt of the input text quoted in a Parse error.
constexpr size_t kMaxQuotedRefBytes = 96;

bool IsAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool IsRunIdChar(char c) {
  return IsAsciiAlnum(c) || c == '.' || c == '_' || c == ':' || c == '-';
}

// Bytes of a key written without percent-encoding.
bool IsKeyChar(char c) {
  if (IsAsciiAlnum(c)) return true;
  constexpr std::string_view kOthers = "._~:@!$&'()*+,;=-";
  return kOthers.find(c) != std::string_view::npos;
}

// "'x' (0x78)" for printable characters, "0x01" otherwise.
std::string DescribeChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  std::string hex = absl::StrCat("0x", absl::Hex(u, absl::kZeroPad2));
  if (u >= 0x20 && u < 0x7f) return absl::StrCat("'", std::string(1, c), "' (", hex, ")");
  return hex;
}

void PercentEncode(std::string_view in, bool keep_slash, std::string* out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (const char c : in) {
    if (IsKeyChar(c) || (keep_slash && c == '/')) {
      out->push_back(c);
    } else {
      const auto u = static_cast<unsigned char>(c);
      out->push_back('%');
      out->push_back(kHex[u >> 4]);
      out->push_back(kHex[u & 0xf]);
    }
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

absl::Status RefError(std::string_view text, size_t position, std::string_view what) {
  std::string quoted = absl::CHexEscape(Sv(text.substr(0, kMaxQuotedRefBytes)));
  if (text.size() > kMaxQuotedRefBytes) quoted.append("...");
  return MakeError(ErrorCode::kInvalidArgument,
                   absl::StrCat("invalid entity ref \"", quoted, "\" at position ",
                                position, ": ", Sv(what)));
}

// Decodes text[begin, end) into *out. Errors name the absolute position.
absl::Status PercentDecode(std::string_view text, size_t begin, size_t end,
                           bool allow_slash, std::string_view what,
                           std::string* out) {
  for (size_t i = begin; i < end; ++i) {
    const char c = text[i];
    if (c == '%') {
      const int hi = i + 1 < end ? HexValue(text[i + 1]) : -1;
      const int lo = i + 2 < end ? HexValue(text[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        return RefError(text, i,
                        absl::StrCat("'%' in the ", Sv(what),
                                     " must be followed by two hex digits"));
      }
      out->push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (IsKeyChar(c) || (allow_slash && c == '/')) {
      out->push_back(c);
    } else {
      return RefError(text, i,
                      absl::StrCat("character ", DescribeChar(c), " in the ", Sv(what),
                                   " must be percent-encoded"));
    }
  }
  return absl::OkStatus();
}

// Index of the first byte of `run` that is not allowed, or npos.
size_t FindInvalidRunIdChar(std::string_view run) {
  for (size_t i = 0; i < run.size(); ++i) {
    if (!IsRunIdChar(run[i])) return i;
  }
  return std::string_view::npos;
}

}  // namespace

std::string_view PrimitiveName(Primitive p) {
  const auto index = static_cast<size_t>(p);
  if (index == 0 || index >= kPrimitiveNames.size()) return "unknown";
  return kPrimitiveNames[index];
}

std::optional<Primitive> PrimitiveFromName(std::string_view name) {
  for (size_t i = 1; i < kPrimitiveNames.size(); ++i) {
    if (kPrimitiveNames[i] == name) return static_cast<Primitive>(i);
  }
  return std::nullopt;
}

absl::Status ValidateRunId(std::string_view run) {
  if (run.empty()) return MakeError(ErrorCode::kInvalidArgument, "run id is empty");
  if (run.size() > kMaxRunIdBytes) {
    return MakeError(ErrorCode::kResourceExhausted,
                     absl::StrCat("run id is ", run.size(), " bytes; the limit is ",
                                  kMaxRunIdBytes, " bytes"));
  }
  if (const size_t bad = FindInvalidRunIdChar(run); bad != std::string_view::npos) {
    return MakeError(ErrorCode::kInvalidArgument,
                     absl::StrCat("run id has invalid character ", DescribeChar(run[bad]),
                                  " at position ", bad,
                                  "; allowed are A-Z a-z 0-9 . _ : -"));
  }
  return absl::OkStatus();
}

absl::Status ValidateKey(std::string_view key) {
  if (key.empty()) return MakeError(ErrorCode::kInvalidArgument, "key is empty");
  if (key.size() > kMaxKeyBytes) {
    return MakeError(ErrorCode::kResourceExhausted,
                     absl::StrCat("key is ", key.size(), " bytes; the limit is ",
                                  kMaxKeyBytes, " bytes"));
  }
  return absl::OkStatus();
}

std::string EntityRef::ToString() const {
  std::string out = absl::StrCat(Sv(PrimitiveName(primitive)), Sv(kSchemeSeparator), run, "/");
  if (primitive == Primitive::kEvent && seq.has_value()) {
    absl::StrAppend(&out, *seq);
  } else if (primitive == Primitive::kEvent && !key.empty() &&
             key.find_first_not_of("0123456789") == std::string::npos) {
    // Would read back as a seq: escape the first digit.
    absl::StrAppend(&out, "%3", std::string(1, key[0]));
    PercentEncode(std::string_view(key).substr(1), /*keep_slash=*/false, &out);
  } else {
    PercentEncode(key, /*keep_slash=*/false, &out);
  }
  if (path.has_value()) {
    out.push_back('#');
    PercentEncode(*path, /*keep_slash=*/true, &out);
  }
  return out;
}

absl::StatusOr<EntityRef> EntityRef::Parse(std::string_view text) {
  EntityRef ref;

  // <primitive>://
  size_t pos = 0;
  while (pos < text.size() && text[pos] >= 'a' && text[pos] <= 'z') ++pos;
  if (pos == 0) return RefError(text, 0, "expected a primitive name");
  if (text.substr(pos, kSchemeSeparator.size()) != kSchemeSeparator) {
    return RefError(text, pos, "expected \"://\" after the primitive name");
  }
  const std::optional<Primitive> primitive = PrimitiveFromName(text.substr(0, pos));
  if (!primitive.has_value()) {
    return RefError(text, 0,
                    absl::StrCat("unknown primitive \"", Sv(text.substr(0, pos)),
                                 "\" (expected kv, event, state, trace, run, json "
                                 "or vector)"));
  }
  ref.primitive = *primitive;
  pos += kSchemeSeparator.size();

  // <run>/
  const size_t slash = text.find('/', pos);
  const size_t run_end = slash == std::string_view::npos ? text.size() : slash;
  const std::string_view run = text.substr(pos, run_end - pos);
  if (run.empty()) return RefError(text, pos, "expected a run id");
  if (const size_t bad = FindInvalidRunIdChar(run); bad != std::string_view::npos) {
    return RefError(text, pos + bad,
                    absl::StrCat("invalid character ", DescribeChar(run[bad]),
                                 " in the run id (allowed are A-Z a-z 0-9 . _ : -)"));
  }
  if (run.size() > kMaxRunIdBytes) {
    return RefError(text, pos,
                    absl::StrCat("run id is ", run.size(), " bytes; the limit is ",
                                 kMaxRunIdBytes, " bytes"));
  }
  if (slash == std::string_view::npos) {
    return RefError(text, text.size(), "expected '/' after the run id");
  }
  ref.run = std::string(run);
  pos = slash + 1;

  // <key>[#<path>]
  const size_t hash = text.find('#', pos);
  const size_t key_end = hash == std::string_view::npos ? text.size() : hash;
  const std::string_view key_text = text.substr(pos, key_end - pos);
  if (ref.primitive == Primitive::kEvent && !key_text.empty() &&
      key_text.find_first_not_of("0123456789") == std::string_view::npos) {
    if (key_text.size() > 1 && key_text[0] == '0') {
      return RefError(text, pos, "event sequence number has a leading zero");
    }
    uint64_t seq = 0;
    for (size_t i = 0; i < key_text.size(); ++i) {
      const auto digit = static_cast<uint64_t>(key_text[i] - '0');
      if (seq > (UINT64_MAX - digit) / 10) {
        return RefError(text, pos + i, "event sequence number does not fit 64 bits");
      }
      seq = seq * 10 + digit;
    }
    ref.seq = seq;
  } else {
    absl::Status s = PercentDecode(text, pos, key_end, /*allow_slash=*/false, "key",
                                   &ref.key);
    if (!s.ok()) return s;
    if (ref.key.size() > kMaxKeyBytes) {
      return MakeError(ErrorCode::kResourceExhausted,
                       absl::StrCat("entity ref key is ", ref.key.size(),
                                    " bytes; the limit is ", kMaxKeyBytes, " bytes"));
    }
  }
  if (hash != std::string_view::npos) {
    if (ref.primitive != Primitive::kJson) {
      return RefError(text, hash, "only json refs may have a '#' path");
    }
    std::string path;
    absl::Status s = PercentDecode(text, hash + 1, text.size(), /*allow_slash=*/true,
                                   "path", &path);
    if (!s.ok()) return s;
    ref.path = std::move(path);
  }
  return ref;
}

}  // namespace strata
