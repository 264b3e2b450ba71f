// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
#include "cli/tokenizer.hpp"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "cli/strings.hpp"
#include "strata/status.hpp"

namespace strata::cli {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

absl::StatusOr<std::vector<std::string>> Tokenize(std::string_view line) {
  if (line.size() > kMaxLineBytes) {
    return MakeError(ErrorCode::kInvalidArgument,
                     absl::StrCat("command line of ", line.size(),
                                  " bytes exceeds the limit of ", kMaxLineBytes, " bytes"));
  }
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;  // A word has started (it may be empty: '').
  size_t i = 0;
  while (i < line.size()) {
    const char c = line[i];
    if (IsBlank(c)) {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      ++i;
      continue;
    }
    if (c == '#' && !in_word) break;  // A comment.
    in_word = true;
    if (c == '\\') {
      if (i + 1 >= line.size()) {
        return MakeError(ErrorCode::kInvalidArgument,
                         absl::StrCat("trailing backslash at column ", i + 1));
      }
      word.push_back(line[i + 1]);
      i += 2;
      continue;
    }
    if (c == '\'' || c == '"') {
      const size_t open = i;
      ++i;
      bool closed = false;
      while (i < line.size()) {
        const char q = line[i];
        if (q == c) {
          closed = true;
          ++i;
          break;
        }
        if (c == '"' && q == '\\' && i + 1 < line.size() &&
            (line[i + 1] == '"' || line[i + 1] == '\\')) {
          word.push_back(line[i + 1]);
          i += 2;
          continue;
        }
        word.push_back(q);
        ++i;
      }
      if (!closed) {
        return MakeError(ErrorCode::kInvalidArgument,
                         absl::StrCat("unterminated ", c == '"' ? "double" : "single",
                                      " quote starting at column ", open + 1));
      }
      continue;
    }
    word.push_back(c);
    ++i;
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

absl::StatusOr<Value> ParseValueArg(std::string_view word) {
  const absl::string_view stripped = absl::StripAsciiWhitespace(Sv(word));
  const std::string_view trimmed(stripped.data(), stripped.size());
  if (trimmed.empty()) return Value(std::string(word));
  const char first = trimmed.front();
  if (first == '{' || first == '[' || first == '"') {
    auto parsed = Value::FromJson(trimmed);
    if (!parsed.ok()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       absl::StrCat("malformed JSON value: ", parsed.status().message()));
    }
    return parsed;
  }
  // A bare word: a JSON scalar if it is exactly one, else the string itself.
  auto parsed = Value::FromJson(trimmed);
  if (parsed.ok()) return parsed;
  return Value(std::string(word));
}

absl::StatusOr<uint64_t> ParseUintArg(std::string_view word, std::string_view what) {
  uint64_t n = 0;
  if (word.empty() || !absl::ascii_isdigit(static_cast<unsigned char>(word.front())) ||
      !absl::SimpleAtoi(Sv(word), &n)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     absl::StrCat(Sv(what), " must be a non-negative integer, got '", Sv(word),
                                  "'"));
  }
  return n;
}

}  // namespace strata::cli
