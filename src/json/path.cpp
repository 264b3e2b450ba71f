// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Path parsing (JSON Pointer and the dotted form), printing, prefix tests and
// the binary path encoding.
#include "json/path.hpp"

#include <cstdint>
#include <limits>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "strata/status.hpp"
#include "util/coding.hpp"
#include "util/strings.hpp"

namespace strata::json {
namespace {

using util::Sv;

absl::Status Malformed(size_t position, std::string_view what) {
  return MakeError(ErrorCode::kInvalidArgument,
                   absl::StrCat("malformed JSON path at position ", position, ": ",
                                Sv(what)));
}

absl::Status TooManyTokens() {
  return MakeError(ErrorCode::kResourceExhausted,
                   absl::StrCat("JSON path has more than ", kMaxPathTokens,
                                " tokens"));
}

// "'x'" for a printable character, its hex escape otherwise.
std::string QuoteChar(char c) {
  return absl::StrCat("'", absl::CHexEscape(absl::string_view(&c, 1)), "'");
}

bool IsDottedNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '_' || c == '$' || c == '-';
}

// RFC 6901: "/" token ("/" token)*, where "~0" is '~' and "~1" is '/'.
// REQUIRES: text starts with '/'.
absl::Status ParsePointer(std::string_view text, Path* out) {
  std::string token;
  for (size_t i = 1; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == '/') {
      if (out->tokens.size() == kMaxPathTokens) return TooManyTokens();
      out->tokens.push_back(std::move(token));
      token.clear();
      continue;
    }
    if (text[i] != '~') {
      token.push_back(text[i]);
      continue;
    }
    if (i + 1 < text.size() && (text[i + 1] == '0' || text[i + 1] == '1')) {
      token.push_back(text[i + 1] == '0' ? '~' : '/');
      ++i;
      continue;
    }
    return Malformed(i, "'~' must be followed by '0' or '1'");
  }
  return absl::OkStatus();
}

// "$" then any number of ".name", "[N]", "[-]", "['name']" and "[\"name\"]".
// REQUIRES: text starts with '$'.
absl::Status ParseDotted(std::string_view text, Path* out) {
  size_t pos = 1;
  while (pos < text.size()) {
    std::string token;
    const char c = text[pos];
    if (c == '.') {
      const size_t start = pos + 1;
      size_t end = start;
      while (end < text.size() && IsDottedNameChar(text[end])) ++end;
      if (end == start) {
        return Malformed(start, end == text.size()
                                    ? "empty name after '.'"
                                    : absl::StrCat("empty name after '.' (", QuoteChar(text[end]),
                                                   " needs the bracket form ['...'])"));
      }
      token.assign(text.substr(start, end - start));
      pos = end;
    } else if (c == '[') {
      const size_t open = pos;
      ++pos;
      if (pos == text.size()) return Malformed(open, "unclosed '['");
      const char first = text[pos];
      if (first >= '0' && first <= '9') {
        const size_t start = pos;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
        if (first == '0' && pos - start > 1) {
          return Malformed(start, "array index with a leading zero");
        }
        token.assign(text.substr(start, pos - start));
      } else if (first == '-') {
        token = "-";
        ++pos;
      } else if (first == '\'' || first == '"') {
        const size_t quote = pos;
        ++pos;
        bool closed = false;
        while (pos < text.size()) {
          const char q = text[pos];
          if (q == first) {
            closed = true;
            ++pos;
            break;
          }
          if (q == '\\') {
            if (pos + 1 == text.size()) break;
            const char e = text[pos + 1];
            if (e != '\\' && e != '\'' && e != '"') {
              return Malformed(pos, absl::StrCat("unknown escape \\", Sv(std::string(1, e)),
                                                 " (only \\\\ \\' \\\" are allowed)"));
            }
            token.push_back(e);
            pos += 2;
            continue;
          }
          token.push_back(q);
          ++pos;
        }
        if (!closed) return Malformed(quote, "unterminated quoted name");
      } else {
        return Malformed(pos, absl::StrCat("expected a number, '-' or a quoted name after "
                                           "'[', found ",
                                           QuoteChar(first)));
      }
      if (pos == text.size()) return Malformed(open, "unclosed '['");
      if (text[pos] != ']') {
        return Malformed(pos, absl::StrCat("expected ']', found ", QuoteChar(text[pos])));
      }
      ++pos;
    } else {
      return Malformed(pos, absl::StrCat("expected '.' or '[', found ", QuoteChar(c)));
    }
    if (out->tokens.size() == kMaxPathTokens) return TooManyTokens();
    out->tokens.push_back(std::move(token));
  }
  return absl::OkStatus();
}

}  // namespace

std::string Path::ToPointer() const {
  std::string out;
  for (const std::string& token : tokens) {
    out.push_back('/');
    for (const char c : token) {
      if (c == '~') {
        out.append("~0");
      } else if (c == '/') {
        out.append("~1");
      } else {
        out.push_back(c);
      }
    }
  }
  return out;
}

Path Path::Parent() const {
  Path parent;
  if (!tokens.empty()) parent.tokens.assign(tokens.begin(), tokens.end() - 1);
  return parent;
}

absl::StatusOr<Path> ParsePath(std::string_view text) {
  if (text.size() > kMaxPathBytes) {
    return MakeError(ErrorCode::kResourceExhausted,
                     absl::StrCat("JSON path is ", text.size(), " bytes, over the limit of ",
                                  kMaxPathBytes));
  }
  Path path;
  if (text.empty()) return path;
  absl::Status status;
  if (text[0] == '/') {
    status = ParsePointer(text, &path);
  } else if (text[0] == '$') {
    status = ParseDotted(text, &path);
  } else {
    status = Malformed(0, "a path starts with '/' (JSON Pointer) or '$' (dotted form)");
  }
  if (!status.ok()) return status;
  return path;
}

bool Overlaps(const Path& a, const Path& b) {
  return a.tokens.size() <= b.tokens.size() ? IsPrefix(a, b) : IsPrefix(b, a);
}

bool IsPrefix(const Path& prefix, const Path& path) {
  if (prefix.tokens.size() > path.tokens.size()) return false;
  for (size_t i = 0; i < prefix.tokens.size(); ++i) {
    if (prefix.tokens[i] != path.tokens[i]) return false;
  }
  return true;
}

void EncodePath(const Path& path, std::string* out) {
  util::PutVarint64(out, path.tokens.size());
  for (const std::string& token : path.tokens) util::PutLengthPrefixed(out, token);
}

bool DecodePath(std::string_view* in, Path* out) {
  std::string_view rest = *in;
  uint64_t count = 0;
  // Every token takes at least its length byte, which bounds `count` by the
  // input before anything is allocated.
  if (!util::GetVarint64(&rest, &count) || count > kMaxPathTokens || count > rest.size()) {
    return false;
  }
  Path path;
  path.tokens.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    std::string_view token;
    if (!util::GetLengthPrefixed(&rest, &token)) return false;
    path.tokens.emplace_back(token);
  }
  *in = rest;
  *out = std::move(path);
  return true;
}

bool ParseArrayIndex(std::string_view token, size_t* index) {
  if (token.empty() || (token[0] == '0' && token.size() > 1)) return false;
  size_t value = 0;
  for (const char c : token) {
    if (c < '0' || c > '9') return false;
    const auto digit = static_cast<size_t>(c - '0');
    if (value > (std::numeric_limits<size_t>::max() - digit) / 10) return false;
    value = value * 10 + digit;
  }
  *index = value;
  return true;
}

}  // namespace strata::json
