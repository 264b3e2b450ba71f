// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// The tokenizer shared by keyword indexing and keyword queries: text in,
// index terms out. The rules (documented in docs/search.md):
//
//  1. The input is UTF-8. A byte sequence that is not valid UTF-8 is a
//     separator (it never reaches a term), so any bytes can be tokenized.
//  2. A word is a maximal run of code points whose Unicode general category
//     is a letter (L*), a number (N*) or a combining mark (M*). Everything
//     else separates words. Han ideographs, Hiragana, Katakana and Hangul
//     syllables are words of one code point each (those scripts do not put
//     spaces between words).
//  3. Each word is case-folded and normalized (utf8proc: NFKC with full case
//     folding), so "Straße", "STRASSE" and "strasse" give the same term.
//     ASCII words take a fast path with the same result.
//  4. Optional: English stop words (the Snowball English list) are dropped.
//  5. Optional: each remaining word is stemmed with a Snowball stemmer
//     (libstemmer), e.g. "english": "connections" -> "connect".
//  6. A term longer than kMaxTermBytes bytes (after folding and stemming) is
//     dropped: such strings are identifiers or noise, not words.
//
// Thread safety: a Tokenizer is immutable after Create; Tokenize may be
// called from any number of threads at once.
#ifndef STRATA_SEARCH_TOKENIZER_HPP_
#define STRATA_SEARCH_TOKENIZER_HPP_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"

namespace strata::search {

inline constexpr size_t kMaxTermBytes = 128;

struct TokenizerOptions {
  bool stop_words = true;
  // A Snowball algorithm name as libstemmer knows it ("english", "porter",
  // "german", ...), or "" for no stemming.
  std::string stemmer = "english";
};

class Tokenizer {
 public:
  // InvalidArgument (naming the algorithms libstemmer has) for an unknown
  // stemmer name.
  static absl::StatusOr<std::unique_ptr<Tokenizer>> Create(const TokenizerOptions& options);
  ~Tokenizer();
  Tokenizer(const Tokenizer&) = delete;
  Tokenizer& operator=(const Tokenizer&) = delete;

  // Calls `fn` with each term of `text`, in text order (a term that occurs
  // twice is reported twice). The view is valid only during the call.
  void Tokenize(std::string_view text, absl::FunctionRef<void(std::string_view term)> fn) const;
  // The terms of `text` as strings (convenience for tests and queries).
  std::vector<std::string> Terms(std::string_view text) const;

  const TokenizerOptions& options() const { return options_; }
  // Whether `word` (already case-folded) is a stop word of the list used.
  static bool IsStopWord(std::string_view word);

 private:
  struct StemmerPool;
  explicit Tokenizer(TokenizerOptions options);
  TokenizerOptions options_;
  std::unique_ptr<StemmerPool> stemmers_;  // Null when not stemming.
};

}  // namespace strata::search

#endif  // STRATA_SEARCH_TOKENIZER_HPP_
