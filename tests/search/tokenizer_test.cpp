// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Tests for the keyword tokenizer (search/tokenizer.hpp): word splitting on
// ASCII, digits, punctuation and invalid UTF-8; case folding and NFKC
// (German, Greek, Cyrillic, accents composed or not, compatibility forms);
// one term per Han, kana and Hangul code point; stop words and stemming on
// and off; unknown stemmers; the term length limit; that every code point
// tokenizes to terms that tokenize to themselves; and that concurrent
// callers get what a single caller gets (seeded random input).
#include "search/tokenizer.hpp"

#include <utf8proc.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "strata/status.hpp"
#include "test_util.hpp"

namespace strata::search {
namespace {

using ::strata::testing::TestSeed;
using Terms = std::vector<std::string>;

std::unique_ptr<Tokenizer> Make(bool stop_words, std::string stemmer) {
  TokenizerOptions options;
  options.stop_words = stop_words;
  options.stemmer = std::move(stemmer);
  absl::StatusOr<std::unique_ptr<Tokenizer>> t = Tokenizer::Create(options);
  EXPECT_TRUE(t.ok()) << t.status();
  return t.ok() ? std::move(t).value() : nullptr;
}

// No stop words, no stemming: folding and splitting only.
std::unique_ptr<Tokenizer> Plain() { return Make(false, ""); }

std::string Utf8(char32_t cp) {
  std::string out;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return out;
}

std::string Repeat(std::string_view s, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out.append(s);
  return out;
}

// ------------------------------------------------------------ splitting

TEST(TokenizerTest, SplitsAsciiOnPunctuationAndSpace) {
  auto t = Plain();
  EXPECT_EQ(t->Terms("Hello, world! foo-bar_baz\tqux\n(quux) a.b/c"),
            (Terms{"hello", "world", "foo", "bar", "baz", "qux", "quux", "a", "b", "c"}));
  EXPECT_EQ(t->Terms("  ...leading and trailing!!  "), (Terms{"leading", "and", "trailing"}));
  EXPECT_EQ(t->Terms("don't"), (Terms{"don", "t"}));
}

TEST(TokenizerTest, DigitsAreWordCharacters) {
  auto t = Plain();
  EXPECT_EQ(t->Terms("abc123 4.5 x2y 2026-01-02 0x1F"),
            (Terms{"abc123", "4", "5", "x2y", "2026", "01", "02", "0x1f"}));
  // Numbers of other scripts are numbers too; NFKC makes fullwidth and
  // superscript digits ASCII.
  EXPECT_EQ(t->Terms("٣٤ １２ x²"), (Terms{"٣٤", "12", "x2"}));
}

TEST(TokenizerTest, RepeatedTermsAreReportedEachTime) {
  auto t = Plain();
  EXPECT_EQ(t->Terms("cat Cat CAT"), (Terms{"cat", "cat", "cat"}));
}

TEST(TokenizerTest, EmptyAndSeparatorOnlyInputGiveNoTerms) {
  auto t = Make(true, "english");
  EXPECT_TRUE(t->Terms("").empty());
  EXPECT_TRUE(t->Terms(" \t\n.,;!?-_()[]{}'\"").empty());
  EXPECT_TRUE(t->Terms("\xE2\x80\x94 \xE2\x80\xA6 \xC2\xA0").empty());  // Dash, ellipsis, NBSP.
  EXPECT_TRUE(t->Terms(std::string_view("\0\0", 2)).empty());
}

TEST(TokenizerTest, InvalidUtf8Separates) {
  auto t = Plain();
  EXPECT_EQ(t->Terms("ab\xff" "cd"), (Terms{"ab", "cd"}));
  EXPECT_EQ(t->Terms("caf\xC3"), (Terms{"caf"}));                  // Truncated.
  EXPECT_EQ(t->Terms("x\xC0\xAFy"), (Terms{"x", "y"}));            // Overlong '/'.
  EXPECT_EQ(t->Terms("x\xED\xA0\x80y"), (Terms{"x", "y"}));        // Surrogate.
  EXPECT_EQ(t->Terms("x\xF4\x90\x80\x80y"), (Terms{"x", "y"}));    // Above U+10FFFF.
  EXPECT_EQ(t->Terms("\x80\x80" "abc\xBF"), (Terms{"abc"}));       // Stray continuations.
  // A bad byte does not swallow the valid sequence after it.
  EXPECT_EQ(t->Terms("a\xE2\xC3\xA9z"), (Terms{"a", "éz"}));
}

// ------------------------------------------------------------ folding

TEST(TokenizerTest, FoldsCase) {
  auto t = Plain();
  EXPECT_EQ(t->Terms("Straße STRASSE strasse STRAẞE"),
            (Terms{"strasse", "strasse", "strasse", "strasse"}));
  // Greek: final sigma folds like sigma.
  EXPECT_EQ(t->Terms("ΟΔΟΣ οδος Οδός"), (Terms{"οδοσ", "οδοσ", "οδόσ"}));
  EXPECT_EQ(t->Terms("МОСКВА Москва москва"), (Terms{"москва", "москва", "москва"}));
  EXPECT_EQ(t->Terms("HeLLo WORLD"), (Terms{"hello", "world"}));
}

TEST(TokenizerTest, AccentedLettersAreLetters) {
  auto t = Plain();
  EXPECT_EQ(t->Terms("Café naïve RÉSUMÉ Ångström"),
            (Terms{"café", "naïve", "résumé", "ångström"}));
  EXPECT_EQ(t->Terms("Łódź Dvořák Søren"), (Terms{"łódź", "dvořák", "søren"}));
}

TEST(TokenizerTest, CombiningMarksStayInWordsAndCompose) {
  auto t = Plain();
  // "e" + U+0301 is "é": decomposed and precomposed input give one term.
  EXPECT_EQ(t->Terms("cafe\xCC\x81 caf\xC3\xA9"), (Terms{"café", "café"}));
  // Marks that do not compose stay inside the word.
  EXPECT_EQ(t->Terms("a\xCC\xB3" "b c"), (Terms{"a\xCC\xB3" "b", "c"}));
  // Devanagari vowel signs (Mc) and the virama (Mn) are inside words.
  EXPECT_EQ(t->Terms("हिन्दी भाषा"), (Terms{"हिन्दी", "भाषा"}));
}

TEST(TokenizerTest, CompatibilityFormsFold) {
  auto t = Plain();
  EXPECT_EQ(t->Terms("ﬁsh ｆｕｌｌ Ⅻ"), (Terms{"fish", "full", "xii"}));
  // 𝐇𝐞𝐥𝐥𝐨 (mathematical bold), Kelvin and Ångström signs.
  EXPECT_EQ(t->Terms("𝐇𝐞𝐥𝐥𝐨 \xE2\x84\xAA \xE2\x84\xAB"), (Terms{"hello", "k", "å"}));
  // Folding that gives separators splits the word there.
  EXPECT_EQ(t->Terms("⑴ ½ a①b"), (Terms{"1", "1", "2", "a1b"}));
}

TEST(TokenizerTest, IgnorableCodePointsVanish) {
  auto t = Plain();
  // An emoji with a variation selector (a combining mark) leaves no term.
  EXPECT_EQ(t->Terms("\xE2\x9D\xA4\xEF\xB8\x8F love"), (Terms{"love"}));
  // Combining grapheme joiner and soft hyphen.
  EXPECT_EQ(t->Terms("wo\xCD\x8Frd"), (Terms{"word"}));
  EXPECT_EQ(t->Terms("hy\xC2\xADphen"), (Terms{"hy", "phen"}));  // SHY is Cf: a separator.
}

// ------------------------------------------------------------ CJK

TEST(TokenizerTest, HanKanaAndHangulAreOneTermPerCodePoint) {
  auto t = Plain();
  EXPECT_EQ(t->Terms("東京タワーへ行く。"),
            (Terms{"東", "京", "タ", "ワ", "ー", "へ", "行", "く"}));
  EXPECT_EQ(t->Terms("한국어 텍스트"), (Terms{"한", "국", "어", "텍", "스", "트"}));
  EXPECT_EQ(t->Terms("abc漢字def 123日"), (Terms{"abc", "漢", "字", "def", "123", "日"}));
  EXPECT_EQ(t->Terms("𠀋𪚲"), (Terms{"𠀋", "𪚲"}));  // Extension B and beyond.
  // A CJK compatibility ideograph folds to its unified ideograph.
  EXPECT_EQ(t->Terms("\xEF\xA4\x80"), (Terms{"\xE8\xB1\x88"}));  // U+F900 -> U+8C48.
}

TEST(TokenizerTest, CjkFoldsLikeItsComposedForm) {
  auto t = Plain();
  // "か" + combining voiced mark is "が".
  EXPECT_EQ(t->Terms("か\xE3\x82\x99き"), (Terms{"が", "き"}));
  // Halfwidth katakana fold to full-width ones, one term each.
  EXPECT_EQ(t->Terms("ｶﾞｷﾞ"), (Terms{"ガ", "ギ"}));
  // Conjoining jamo compose to syllables; a syllable + trailing jamo too.
  EXPECT_EQ(t->Terms("\xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB\xE1\x84\x80\xE1\x85\xB3\xE1\x86\xAF"),
            (Terms{"한", "글"}));
  EXPECT_EQ(t->Terms("가\xE1\x86\xA8"), (Terms{"각"}));
  // Compatibility forms that fold to ideographs.
  EXPECT_EQ(t->Terms("a㊀b"), (Terms{"a", "一", "b"}));
}

// ------------------------------------------------------------ stop words

TEST(TokenizerTest, StopWords) {
  const std::string text = "The quick brown fox is over THE lazy dog, isn't it?";
  EXPECT_EQ(Make(true, "")->Terms(text), (Terms{"quick", "brown", "fox", "lazy", "dog", "isn"}));
  EXPECT_EQ(Make(false, "")->Terms(text),
            (Terms{"the", "quick", "brown", "fox", "is", "over", "the", "lazy", "dog", "isn", "t",
                   "it"}));
  EXPECT_TRUE(Tokenizer::IsStopWord("the"));
  EXPECT_TRUE(Tokenizer::IsStopWord("a"));
  EXPECT_TRUE(Tokenizer::IsStopWord("yourselves"));
  EXPECT_TRUE(Tokenizer::IsStopWord("don"));
  EXPECT_FALSE(Tokenizer::IsStopWord("The"));  // Takes folded words.
  EXPECT_FALSE(Tokenizer::IsStopWord("thee"));
  EXPECT_FALSE(Tokenizer::IsStopWord(""));
  EXPECT_FALSE(Tokenizer::IsStopWord("zzz"));
  EXPECT_FALSE(Tokenizer::IsStopWord("yourselvesx"));
}

TEST(TokenizerTest, StopWordsAreCheckedBeforeStemming) {
  // "doing" is a stop word; "does" too, though English stems it to "doe".
  EXPECT_TRUE(Make(true, "english")->Terms("doing does DOING").empty());
  EXPECT_EQ(Make(false, "english")->Terms("doing does"), (Terms{"do", "doe"}));
}

// ------------------------------------------------------------ stemming

TEST(TokenizerTest, Stemming) {
  auto english = Make(false, "english");
  EXPECT_EQ(english->Terms("connections Running CONNECTED connects"),
            (Terms{"connect", "run", "connect", "connect"}));
  auto none = Make(false, "");
  EXPECT_EQ(none->Terms("connections running"), (Terms{"connections", "running"}));
  // Stemming applies to the folded word.
  EXPECT_EQ(Make(false, "german")->Terms("HÄUSER Häuser"), (Terms{"haus", "haus"}));
  EXPECT_EQ(Make(false, "porter")->Terms("generalization"), (Terms{"gener"}));
}

TEST(TokenizerTest, UnknownStemmerIsInvalidArgument) {
  for (const std::string& name :
       std::vector<std::string>{"klingon", "English", std::string("english\0x", 9)}) {
    TokenizerOptions options;
    options.stemmer = name;
    const auto t = Tokenizer::Create(options);
    EXPECT_ERROR(t, ErrorCode::kInvalidArgument);
    if (t.ok()) continue;
    const std::string message(t.status().message());
    EXPECT_NE(message.find(name.substr(0, 7)), std::string::npos) << message;
    EXPECT_NE(message.find("english"), std::string::npos) << message;  // The known names.
    EXPECT_NE(message.find("german"), std::string::npos) << message;
  }
}

TEST(TokenizerTest, OptionsAreKept) {
  auto t = Make(false, "porter");
  EXPECT_FALSE(t->options().stop_words);
  EXPECT_EQ(t->options().stemmer, "porter");
}

// ------------------------------------------------------------ limits

TEST(TokenizerTest, OverlongTermsAreDropped) {
  auto t = Plain();
  const std::string max(kMaxTermBytes, 'a');
  EXPECT_EQ(t->Terms(max + " " + std::string(kMaxTermBytes + 1, 'b') + " c"), (Terms{max, "c"}));
  // Bytes, not characters: "é" is two.
  const std::string e64 = Repeat("é", kMaxTermBytes / 2);
  EXPECT_EQ(t->Terms(e64 + " " + Repeat("é", kMaxTermBytes / 2 + 1)), (Terms{e64}));
  // The limit applies after folding: 100 Kelvin signs (300 bytes) are 100 "k".
  EXPECT_EQ(t->Terms(Repeat("\xE2\x84\xAA", 100)), (Terms{std::string(100, 'k')}));
  // ... and after stemming: 129 bytes that stem to fewer are kept.
  const std::string stem = Repeat("ab", kMaxTermBytes / 2 - 3);  // 122 bytes.
  const std::string long_word = stem + "ational";                  // 129 bytes.
  auto english = Make(false, "english");
  EXPECT_EQ(english->Terms(long_word), (Terms{stem}));
  EXPECT_TRUE(t->Terms(long_word).empty());
}

TEST(TokenizerTest, LongRunsOfMarksStayFast) {
  // utf8proc orders combining marks in quadratic time; such words are
  // dropped before folding. 200 KB would take minutes otherwise.
  auto t = Plain();
  std::string text = "a" + Repeat("\xCC\x81", 50000) + Repeat("\xCC\x96", 50000) + " ok";
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(t->Terms(text), (Terms{"ok"}));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

// ------------------------------------------------------------ properties

// Every assigned code point alone and inside a word: the terms are
// non-empty, valid, and tokenize to themselves. Unassigned and private-use
// code points separate words.
TEST(TokenizerTest, EveryCodePointGivesStableTerms) {
  auto t = Plain();
  size_t assigned = 0;
  std::string separated;  // "x" <cp> "x" <cp> ... for the unassigned ones.
  size_t separators = 0;
  for (char32_t cp = 1; cp <= 0x10FFFF; ++cp) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    const utf8proc_category_t category = utf8proc_category(static_cast<utf8proc_int32_t>(cp));
    if (category == UTF8PROC_CATEGORY_CN || category == UTF8PROC_CATEGORY_CO) {
      separated += "x" + Utf8(cp);
      ++separators;
      continue;
    }
    const std::string text = "x" + Utf8(cp) + "\xCC\x81" + "y " + Utf8(cp);
    const Terms terms = t->Terms(text);
    for (const std::string& term : terms) {
      ASSERT_FALSE(term.empty()) << "U+" << std::hex << static_cast<uint32_t>(cp);
      ASSERT_LE(term.size(), kMaxTermBytes);
    }
    ASSERT_EQ(t->Terms(absl::StrJoin(terms, " ")), terms)
        << "U+" << std::hex << static_cast<uint32_t>(cp);
    ++assigned;
  }
  EXPECT_GT(assigned, 149000u);  // Unicode 15 assigns 149,186 characters and 65 controls.
  const Terms xs = t->Terms(separated);
  EXPECT_EQ(xs.size(), separators);
  EXPECT_EQ(xs, Terms(xs.size(), "x"));
}

// Random text from pieces of many scripts, separators and bad bytes.
std::string RandomText(std::mt19937_64& rng) {
  static const char* const kPieces[] = {
      "the", "Running", "connections", "STRASSE", "Straße", "café", "e\xCC\x81", "ΟΔΟΣ",
      "москва", "東京", "タワー", "한국", "ｶﾞ", "ﬁ", "⑴", "x²", "123", "don't", " ", "  ",
      ", ", ".", "-", "\xFF", "\xC3", "\xE2\x9D\xA4\xEF\xB8\x8F", "\xCC\x81", "a", "Z", "_",
      "\xF0\x9D\x90\x87", "\xE1\x84\x92\xE1\x85\xA1", "か\xE3\x82\x99", "हिन्दी"};
  constexpr size_t kCount = sizeof(kPieces) / sizeof(kPieces[0]);
  std::string out;
  const size_t n = rng() % 60;
  for (size_t i = 0; i < n; ++i) out += kPieces[rng() % kCount];
  return out;
}

TEST(TokenizerTest, TokenizeAndTermsAgree) {
  std::mt19937_64 rng(TestSeed());
  auto t = Make(true, "english");
  for (int i = 0; i < 500; ++i) {
    const std::string text = RandomText(rng);
    Terms seen;
    t->Tokenize(text, [&seen](std::string_view term) { seen.emplace_back(term); });
    ASSERT_EQ(seen, t->Terms(text)) << text;
  }
}

TEST(TokenizerTest, ConcurrentCallersGetTheSameTerms) {
  std::mt19937_64 rng(TestSeed());
  // A prime count, so every stride below visits every text.
  std::vector<std::string> texts(401);
  for (std::string& text : texts) text = RandomText(rng);
  std::vector<std::unique_ptr<Tokenizer>> tokenizers;
  tokenizers.push_back(Make(true, "english"));
  tokenizers.push_back(Make(false, "german"));
  tokenizers.push_back(Make(true, ""));
  for (const auto& t : tokenizers) {
    std::vector<Terms> expected;
    for (const std::string& text : texts) expected.push_back(t->Terms(text));

    constexpr int kThreads = 4;
    std::vector<std::vector<Terms>> got(kThreads);
    std::vector<std::thread> threads;
    for (int k = 0; k < kThreads; ++k) {
      threads.emplace_back([&, k] {
        // Each thread walks the texts in its own order, many times.
        for (int round = 0; round < 5; ++round) {
          got[k].assign(texts.size(), Terms());
          for (size_t j = 0; j < texts.size(); ++j) {
            const size_t i = (j * (2 * k + 1) + static_cast<size_t>(round)) % texts.size();
            got[k][i] = t->Terms(texts[i]);
          }
        }
      });
    }
    for (std::thread& th : threads) th.join();
    for (int k = 0; k < kThreads; ++k) EXPECT_EQ(got[k], expected) << "thread " << k;
  }
}

}  // namespace
}  // namespace strata::search
