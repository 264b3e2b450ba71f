// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// The keyword tokenizer: a UTF-8 scanner that cuts text into words, utf8proc
// for case folding and NFKC, and libstemmer for stemming.
//
// How the rules of tokenizer.hpp are applied, and where they needed care:
//
//  - Words are cut twice. The raw text is cut into words (rule 2), each word
//    is folded (rule 3), and the folded word is cut again with the same rules.
//    Folding can turn a word character into separators or into characters of
//    the one-code-point scripts ("⑴" -> "(1)", "½" -> "1⁄2", "㊀" -> "一",
//    halfwidth "ｱｲ" -> "アイ", conjoining jamo -> Hangul syllables); the second
//    cut gives those the terms their folded spelling would give, so (without
//    stop words and stemming) a term always tokenizes to itself.
//  - A Han, kana or Hangul code point is a word together with the combining
//    marks (and Hangul trailing jamo) that follow it. Otherwise text in NFD
//    would not give the terms of the same text in NFC: "か" + U+3099 is "が",
//    and a Hangul LV syllable + trailing jamo is an LVT syllable. Splitting
//    before such a code point is always safe: none composes with what comes
//    before it.
//  - Folding also drops default-ignorable code points (UTF8PROC_IGNORE, as
//    Unicode's NFKC_Casefold does): variation selectors are combining marks,
//    so without this every emoji written with U+FE0F would leave a term of a
//    lone variation selector, and "葛" + an ideographic variation selector
//    would not match "葛".
//  - utf8proc sorts combining marks with an insertion sort, quadratic in the
//    length of a run of marks (60 KB of marks take seconds). Words longer
//    than kMaxWordBytes are therefore dropped before folding, like the long
//    terms of rule 6. Folding shrinks a word at most 4 times (a 4-byte
//    mathematical letter folds to one ASCII byte) unless it is mostly
//    default-ignorable code points, so every real word that could still give
//    a term of at most kMaxTermBytes is kept.
#include "search/tokenizer.hpp"

#include <libstemmer.h>
#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "strata/status.hpp"

namespace strata::search {
namespace {

// Longest word (in input bytes) that is folded; see the file comment.
constexpr size_t kMaxWordBytes = 8 * kMaxTermBytes;

// NFKC with full case folding, default ignorables removed. UTF8PROC_STABLE
// refuses unassigned code points, which are never word characters anyway.
constexpr auto kFoldOptions = static_cast<utf8proc_option_t>(
    UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_IGNORE);

// The Snowball English stop-word list as NLTK ships it, sorted for binary
// search. "don" and "t" are there because an apostrophe separates words.
constexpr auto kStopWords = std::to_array<std::string_view>({
    "a",       "about",    "above",   "after",   "again",      "against", "all",
    "am",      "an",       "and",     "any",     "are",        "as",      "at",
    "be",      "because",  "been",    "before",  "being",      "below",   "between",
    "both",    "but",      "by",      "can",     "did",        "do",      "does",
    "doing",   "don",      "down",    "during",  "each",       "few",     "for",
    "from",    "further",  "had",     "has",     "have",       "having",  "he",
    "her",     "here",     "hers",    "herself", "him",        "himself", "his",
    "how",     "i",        "if",      "in",      "into",       "is",      "it",
    "its",     "itself",   "just",    "me",      "more",       "most",    "my",
    "myself",  "no",       "nor",     "not",     "now",        "of",      "off",
    "on",      "once",     "only",    "or",      "other",      "our",     "ours",
    "ourselves", "out",    "over",    "own",     "same",       "she",     "should",
    "so",      "some",     "such",    "t",       "than",       "that",    "the",
    "their",   "theirs",   "them",    "themselves", "then",    "there",   "these",
    "they",    "this",     "those",   "through", "to",         "too",     "under",
    "until",   "up",       "very",    "was",     "we",         "were",    "what",
    "when",    "where",    "which",   "while",   "who",        "whom",    "why",
    "will",    "with",     "you",     "your",    "yours",      "yourself", "yourselves"});

// Sorted without duplicates (so binary search works), and the longest
// entry's length; plain loops because GCC 12 does not evaluate the ranges
// algorithms on this array at compile time.
constexpr bool StopWordsAreSorted() {
  for (size_t i = 1; i < kStopWords.size(); ++i) {
    if (!(kStopWords[i - 1] < kStopWords[i])) return false;
  }
  return true;
}
static_assert(StopWordsAreSorted());
static_assert(kStopWords.size() == 126);

constexpr size_t LongestStopWord() {
  size_t longest = 0;
  for (const std::string_view w : kStopWords) longest = std::max(longest, w.size());
  return longest;
}
constexpr size_t kLongestStopWord = LongestStopWord();

bool IsAsciiAlnum(uint8_t b) {
  return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9');
}

// How a code point takes part in words.
enum class CharClass {
  kSeparator,
  kWord,    // A letter or number: joins the word before it.
  kSingle,  // Han, kana or a Hangul syllable: starts a word of its own.
  kExtend,  // A combining mark or Hangul trailing jamo: extends any word.
};

// Han, Hiragana, Katakana and Hangul syllables (letters and numbers only:
// the kana voicing marks U+3099 and U+309A are combining marks).
bool IsSingleScript(int32_t cp) {
  return (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x2FA1F) ||
         (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0xAC00 && cp <= 0xD7AF);
}

// The trailing consonants that compose with a Hangul LV syllable.
bool IsHangulTrailingJamo(int32_t cp) { return cp >= 0x11A8 && cp <= 0x11C2; }

CharClass Classify(int32_t cp) {
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      if (IsSingleScript(cp)) return CharClass::kSingle;
      return IsHangulTrailingJamo(cp) ? CharClass::kExtend : CharClass::kWord;
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
      return CharClass::kExtend;
    default:
      return CharClass::kSeparator;
  }
}

// Calls on_word(word, ascii) for each word of `s` in order; `ascii` tells
// that the word is only ASCII letters and digits. Invalid UTF-8 separates.
template <typename OnWord>
void ForEachWord(std::string_view s, OnWord&& on_word) {
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  const size_t n = s.size();
  // kOpen: a word that letters may continue; kClosed: a one-code-point word
  // that only combining marks may continue.
  enum class State { kNone, kOpen, kClosed } state = State::kNone;
  size_t start = 0;
  bool ascii = true;
  const auto finish = [&](size_t end) {
    if (state != State::kNone) on_word(s.substr(start, end - start), ascii);
    state = State::kNone;
  };
  const auto begin = [&](size_t at, State next, bool is_ascii) {
    start = at;
    state = next;
    ascii = is_ascii;
  };

  size_t i = 0;
  while (i < n) {
    const uint8_t b = p[i];
    if (b < 0x80) {
      if (!IsAsciiAlnum(b)) {
        finish(i);
      } else if (state != State::kOpen) {
        finish(i);
        begin(i, State::kOpen, true);
      }
      ++i;
      continue;
    }
    utf8proc_int32_t cp = 0;
    const utf8proc_ssize_t len =
        utf8proc_iterate(p + i, static_cast<utf8proc_ssize_t>(n - i), &cp);
    if (len <= 0) {  // Invalid UTF-8: this byte separates.
      finish(i);
      ++i;
      continue;
    }
    switch (Classify(cp)) {
      case CharClass::kSeparator:
        finish(i);
        break;
      case CharClass::kSingle:
        finish(i);
        begin(i, State::kClosed, false);
        break;
      case CharClass::kWord:
        if (state == State::kClosed) finish(i);
        if (state == State::kNone) begin(i, State::kOpen, false);
        ascii = false;
        break;
      case CharClass::kExtend:
        if (state == State::kNone) begin(i, State::kOpen, false);
        ascii = false;
        break;
    }
    i += static_cast<size_t>(len);
  }
  finish(n);
}

struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};

}  // namespace

// Snowball stemmers keep per-call state, so each is used by one thread at a
// time: a call borrows one (making a new one when none is idle) and gives it
// back when done. The pool grows to the number of concurrent callers.
struct Tokenizer::StemmerPool {
  // A stemmer with a cache of the stems it computed: word frequencies are
  // skewed, so most words of a document were stemmed before, and a lookup
  // is several times cheaper than running the Snowball algorithm.
  struct Pooled {
    sb_stemmer* stemmer = nullptr;
    absl::flat_hash_map<std::string, std::string> stems;
  };
  // Entries kept per pooled stemmer before its cache starts over.
  static constexpr size_t kMaxCachedStems = 1 << 16;

  explicit StemmerPool(std::string algorithm) : algorithm(std::move(algorithm)) {}
  ~StemmerPool() {
    for (Pooled* p : idle) {
      sb_stemmer_delete(p->stemmer);
      delete p;
    }
  }
  StemmerPool(const StemmerPool&) = delete;
  StemmerPool& operator=(const StemmerPool&) = delete;

  Pooled* Acquire() {
    {
      absl::MutexLock lock(&mu);
      if (!idle.empty()) {
        Pooled* p = idle.back();
        idle.pop_back();
        return p;
      }
    }
    // Create validated the name, so only allocation can fail here.
    auto p = std::make_unique<Pooled>();
    p->stemmer = sb_stemmer_new(algorithm.c_str(), "UTF_8");
    if (p->stemmer == nullptr) throw std::bad_alloc();
    return p.release();
  }

  void Release(Pooled* p) {
    absl::MutexLock lock(&mu);
    idle.push_back(p);
  }

  // One Tokenize call's stemmer, borrowed at its first use.
  class Lease {
   public:
    explicit Lease(StemmerPool* pool) : pool_(pool) {}
    ~Lease() {
      if (pooled_ != nullptr) pool_->Release(pooled_);
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;

    // The stem of `word`, valid until the next Stem call.
    std::string_view Stem(std::string_view word) {
      if (pooled_ == nullptr) pooled_ = pool_->Acquire();
      auto& stems = pooled_->stems;
      auto it = stems.find(absl::string_view(word.data(), word.size()));
      if (it != stems.end()) return std::string_view(it->second.data(), it->second.size());
      const sb_symbol* stem =
          sb_stemmer_stem(pooled_->stemmer, reinterpret_cast<const sb_symbol*>(word.data()),
                          static_cast<int>(word.size()));
      if (stem == nullptr) throw std::bad_alloc();  // libstemmer's only failure.
      const std::string_view out(reinterpret_cast<const char*>(stem),
                                 static_cast<size_t>(sb_stemmer_length(pooled_->stemmer)));
      if (stems.size() >= kMaxCachedStems) stems.clear();
      it = stems.emplace(std::string(word), std::string(out)).first;
      return std::string_view(it->second.data(), it->second.size());
    }

   private:
    StemmerPool* pool_;
    Pooled* pooled_ = nullptr;
  };

  const std::string algorithm;
  absl::Mutex mu;
  std::vector<Pooled*> idle ABSL_GUARDED_BY(mu);
};

Tokenizer::Tokenizer(TokenizerOptions options) : options_(std::move(options)) {}

Tokenizer::~Tokenizer() = default;

absl::StatusOr<std::unique_ptr<Tokenizer>> Tokenizer::Create(const TokenizerOptions& options) {
  std::unique_ptr<Tokenizer> tokenizer(new Tokenizer(options));
  if (options.stemmer.empty()) return tokenizer;
  // A NUL would cut the name that libstemmer sees.
  sb_stemmer* stemmer = options.stemmer.find('\0') == std::string::npos
                            ? sb_stemmer_new(options.stemmer.c_str(), "UTF_8")
                            : nullptr;
  if (stemmer == nullptr) {
    std::vector<std::string> known;
    for (const char* const* name = sb_stemmer_list(); *name != nullptr; ++name) {
      known.emplace_back(*name);
    }
    return MakeError(ErrorCode::kInvalidArgument,
                     absl::StrCat("unknown stemmer \"", absl::CHexEscape(options.stemmer),
                                  "\"; libstemmer has: ", absl::StrJoin(known, ", ")));
  }
  tokenizer->stemmers_ = std::make_unique<StemmerPool>(options.stemmer);
  auto pooled = std::make_unique<StemmerPool::Pooled>();
  pooled->stemmer = stemmer;
  tokenizer->stemmers_->Release(pooled.release());
  return tokenizer;
}

bool Tokenizer::IsStopWord(std::string_view word) {
  return word.size() <= kLongestStopWord && std::ranges::binary_search(kStopWords, word);
}

void Tokenizer::Tokenize(std::string_view text,
                         absl::FunctionRef<void(std::string_view term)> fn) const {
  std::optional<StemmerPool::Lease> lease;
  if (stemmers_ != nullptr) lease.emplace(stemmers_.get());
  // ASCII words are lowercased here; longer words are never folded.
  char lower[kMaxWordBytes];

  // Rules 4 to 6 for one folded word.
  const auto emit = [&](std::string_view term) {
    if (term.empty()) return;
    if (options_.stop_words && IsStopWord(term)) return;
    if (lease.has_value()) term = lease->Stem(term);
    if (term.empty() || term.size() > kMaxTermBytes) return;
    fn(term);
  };

  ForEachWord(text, [&](std::string_view word, bool ascii) {
    if (word.size() > kMaxWordBytes) return;
    if (ascii) {
      // NFKC leaves ASCII letters and digits alone and case folding of
      // ASCII is lowercasing.
      for (size_t i = 0; i < word.size(); ++i) {
        const char c = word[i];
        lower[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
      }
      emit(std::string_view(lower, word.size()));
      return;
    }
    utf8proc_uint8_t* folded = nullptr;
    const utf8proc_ssize_t len =
        utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(word.data()),
                     static_cast<utf8proc_ssize_t>(word.size()), &folded, kFoldOptions);
    const std::unique_ptr<utf8proc_uint8_t, FreeDeleter> owned(folded);
    if (len == UTF8PROC_ERROR_NOMEM) throw std::bad_alloc();
    // Other errors (invalid UTF-8, unassigned code points) cannot occur in a
    // word; drop the word if they ever do.
    if (len <= 0) return;
    ForEachWord(std::string_view(reinterpret_cast<const char*>(folded), static_cast<size_t>(len)),
                [&](std::string_view piece, bool) { emit(piece); });
  });
}

std::vector<std::string> Tokenizer::Terms(std::string_view text) const {
  std::vector<std::string> terms;
  Tokenize(text, [&terms](std::string_view term) { terms.emplace_back(term); });
  return terms;
}

}  // namespace strata::search
