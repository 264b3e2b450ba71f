// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Fuzz target for the keyword tokenizer (search/tokenizer.hpp), on arbitrary
// bytes, with the default options (English stop words and stemming) and
// with neither (folding and splitting only). For every input:
//  - tokenizing never crashes;
//  - every term is non-empty, valid UTF-8 (utf8proc_iterate accepts every
//    code point) and at most kMaxTermBytes bytes; without stemming, every
//    code point of a term is a letter, number or combining mark;
//  - without stop words and stemming, tokenizing the terms joined by single
//    spaces gives the same terms (folding is idempotent, and a folded word
//    is cut again by the same rules, so a term is always a word of its
//    own). This holds for all input, no restriction needed;
//  - with the default options, tokenizing twice gives the same terms, and
//    Tokenize reports the terms Terms returns.
// A violation prints what went wrong and calls abort().
#include <utf8proc.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_join.h"
#include "search/tokenizer.hpp"

namespace {

using strata::search::kMaxTermBytes;
using strata::search::Tokenizer;
using strata::search::TokenizerOptions;

[[noreturn]] void Fail(const char* what, std::string_view input) {
  std::fprintf(stderr, "tokenizer_fuzz: %s\ninput: \"%s\"\n", what,
               absl::CHexEscape(std::string(input)).c_str());
  std::abort();
}

const Tokenizer& Get(bool stop_words, const char* stemmer) {
  TokenizerOptions options;
  options.stop_words = stop_words;
  options.stemmer = stemmer;
  auto t = Tokenizer::Create(options);
  if (!t.ok()) Fail("Create failed", stemmer);
  return *std::move(t).value().release();  // Lives for the whole run.
}

const Tokenizer& Default() {
  static const Tokenizer& t = Get(true, "english");
  return t;
}

const Tokenizer& Plain() {
  static const Tokenizer& t = Get(false, "");
  return t;
}

bool IsWordCategory(utf8proc_category_t c) {
  return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) ||
         (c >= UTF8PROC_CATEGORY_MN && c <= UTF8PROC_CATEGORY_ME) ||
         (c >= UTF8PROC_CATEGORY_ND && c <= UTF8PROC_CATEGORY_NO);
}

void CheckTerms(const std::vector<std::string>& terms, bool word_chars_only,
                std::string_view input) {
  for (const std::string& term : terms) {
    if (term.empty()) Fail("empty term", input);
    if (term.size() > kMaxTermBytes) Fail("term longer than kMaxTermBytes", input);
    const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(term.data());
    size_t i = 0;
    while (i < term.size()) {
      utf8proc_int32_t cp = 0;
      const utf8proc_ssize_t len =
          utf8proc_iterate(p + i, static_cast<utf8proc_ssize_t>(term.size() - i), &cp);
      if (len <= 0) Fail("term is not valid UTF-8", input);
      if (word_chars_only && !IsWordCategory(utf8proc_category(cp))) {
        Fail("term holds a code point that is not a word character", input);
      }
      i += static_cast<size_t>(len);
    }
  }
}

}  // namespace

// Seeds: text in many scripts, with the cases folding and splitting treat
// specially (decomposed marks, compatibility forms, CJK, jamo, ignorables,
// invalid UTF-8).
extern "C" void StrataFuzzSeeds(std::vector<std::string>* out) {
  out->push_back("The quick brown fox doesn't jump over connections, running.");
  out->push_back("Straße STRASSE ẞ ΟΔΟΣ οδος Москва Ångström \xE2\x84\xAA");
  out->push_back("cafe\xCC\x81 a\xCC\xB3\xCC\x81\xCC\x96 \xCC\x81x \xCD\x85\xCE\xB1 İstanbul");
  out->push_back("東京タワーへ行く。한국어 텍스트 ｶﾞｷﾞ か\xE3\x82\x99 𠀋 \xEF\xA4\x80");
  out->push_back("\xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB가\xE1\x86\xA8 \xE3\x84\xB1\xE3\x85\x8F");
  out->push_back("ﬁsh ｆｕｌｌ Ⅻ ⑴ ½ a①b x² 𝐇𝐞𝐥𝐥𝐨 a㊀b ㍿ ﷺ ǅ ŉ");
  out->push_back("\xE2\x9D\xA4\xEF\xB8\x8F wo\xCD\x8Frd hy\xC2\xADphen 葛\xF3\xA0\x84\x80 1\xEF\xB8\x8F\xE2\x83\xA3");
  out->push_back("ab\xff" "cd caf\xC3 x\xC0\xAFy x\xED\xA0\x80y \xF4\x90\x80\x80 a\xE2\xC3\xA9z");
  out->push_back("हिन्दी भाषा العربية עברית ไทย ᏣᎳᎩ ꭰ");
  out->push_back(std::string(kMaxTermBytes, 'a') + " " + std::string(kMaxTermBytes + 1, 'b'));
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);

  // Folding and splitting only: terms tokenize to themselves.
  const std::vector<std::string> plain = Plain().Terms(in);
  CheckTerms(plain, /*word_chars_only=*/true, in);
  if (Plain().Terms(absl::StrJoin(plain, " ")) != plain) {
    Fail("plain terms joined by spaces tokenize to other terms", in);
  }

  // Default options: deterministic, and both entry points agree.
  const std::vector<std::string> terms = Default().Terms(in);
  CheckTerms(terms, /*word_chars_only=*/false, in);
  if (Default().Terms(in) != terms) Fail("tokenizing twice gives other terms", in);
  size_t n = 0;
  Default().Tokenize(in, [&](std::string_view term) {
    if (n >= terms.size() || term != terms[n]) Fail("Tokenize differs from Terms", in);
    ++n;
  });
  if (n != terms.size()) Fail("Tokenize reports fewer terms than Terms", in);
  return 0;
}
