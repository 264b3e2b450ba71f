// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Retrieval-quality evaluation for the keyword and hybrid search tests and
// benchmarks: loaders for the Cranfield collection (../shared/data/cranfield,
// described in ../shared/data/README.md) and the standard ranked-retrieval
// metrics nDCG@k and average precision, averaged over a query set.
//
// Header-only, standard library plus absl::Status only (no GoogleTest, no
// Strata), so bench/search_bench.cpp can include it as well as the tests.
//
// The Cranfield files:
//   cran.all.1400  1,400 documents in SMART format: ".I <id>" starts a
//                  record, then ".T" (title), ".A" (author), ".B" (source)
//                  and ".W" (abstract), each marker alone on its line and
//                  followed by the field's lines.
//   cran.qry       225 queries, ".I <id>" and ".W". The .I ids skip numbers
//                  (001, 002, 004, ...); the relevance judgements number the
//                  queries 1..225 in FILE ORDER instead, so that is the
//                  number CranfieldQuery carries.
//   cranqrel       "query doc grade" per line: grade 1 (a complete answer)
//                  .. 4 (minimal interest), or -1 (a line to drop). Gain is
//                  5 - grade, so the most relevant documents gain 4.
// The files have CRLF line ends, which the loaders accept (as well as LF).
// The raw collection repeats a marker inside three records (document 240
// has a second .A and .B inside its abstract, 576 and 578 a second .W): a
// repeated marker continues the same field, so no text is lost.
//
// Errors: NotFound when a file does not exist, PermissionDenied when it
// cannot be opened, DataLoss naming the file and line for malformed content.
//
// Thread safety: free functions over caller-owned data.
#ifndef STRATA_TESTS_SEARCH_IR_EVAL_HPP_
#define STRATA_TESTS_SEARCH_IR_EVAL_HPP_

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace strata::testing::ir {

struct CranfieldDoc {
  uint32_t id = 0;  // The .I id (1..1400 in the collection).
  // Each field's lines joined with '\n' (CR removed), as in the file.
  std::string title, author, source, text;
};

struct CranfieldQuery {
  uint32_t number = 0;  // 1..225 in file order: the numbering of cranqrel.
  std::string text;
};

// query number -> (doc id -> gain 1..4). Only judged-relevant documents are
// present; lines with grade -1 are dropped.
using Qrels = std::map<uint32_t /*query number*/, std::map<uint32_t /*doc id*/, int /*gain 1..4*/>>;

inline constexpr char kCranfieldDocsFile[] = "cran.all.1400";
inline constexpr char kCranfieldQueriesFile[] = "cran.qry";
inline constexpr char kCranfieldQrelsFile[] = "cranqrel";

namespace detail {

// The lines of `path`, without their '\n' or trailing '\r'.
inline absl::StatusOr<std::vector<std::string>> ReadLines(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return absl::NotFoundError("cannot find '" + path +
                               "' (the Cranfield data lives in ../shared/data/cranfield)");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::PermissionDeniedError("cannot open '" + path + "'");
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
  }
  if (in.bad()) return absl::DataLossError("read error in '" + path + "'");
  return lines;
}

inline absl::Status LineError(const std::string& path, size_t line_no, const std::string& what) {
  return absl::DataLossError(path + ":" + std::to_string(line_no) + ": " + what);
}

inline bool IsBlank(std::string_view s) {
  return s.find_first_not_of(" \t") == std::string_view::npos;
}

inline std::string_view Trim(std::string_view s) {
  const size_t begin = s.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return {};
  const size_t end = s.find_last_not_of(" \t");
  return s.substr(begin, end - begin + 1);
}

// Parses a whole decimal integer (optional leading '-'); false for anything
// else, including empty text, trailing characters and overflow.
template <typename Int>
bool ParseInt(std::string_view s, Int* out) {
  if (s.empty()) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

// One SMART record: the .I id, its line, and the text of each field letter.
struct SmartRecord {
  uint32_t id = 0;
  size_t line_no = 0;
  std::map<char, std::string> fields;
};

// Splits a SMART file into records. A marker line is '.' and an upper-case
// letter, then nothing but blanks (".I" is followed by the id). `allowed`
// lists the field letters this file may use besides I. Malformed: text
// before the first .I, an .I without a positive integer id, a repeated id,
// a marker not in `allowed`, text after a field marker, no records at all.
inline absl::StatusOr<std::vector<SmartRecord>> ParseSmart(const std::string& path,
                                                          std::string_view allowed) {
  auto lines = ReadLines(path);
  if (!lines.ok()) return lines.status();
  std::vector<SmartRecord> records;
  std::set<uint32_t> ids;
  char field = 0;  // The field the following text lines belong to.
  for (size_t i = 0; i < lines->size(); ++i) {
    const std::string_view line = (*lines)[i];
    const size_t line_no = i + 1;
    const bool marker = line.size() >= 2 && line[0] == '.' && line[1] >= 'A' &&
                        line[1] <= 'Z' && (line.size() == 2 || line[2] == ' ' || line[2] == '\t');
    if (marker && line[1] == 'I') {
      uint32_t id = 0;
      if (!ParseInt(Trim(line.substr(2)), &id) || id == 0) {
        return LineError(path, line_no, "want '.I <positive id>', got '" + std::string(line) + "'");
      }
      if (!ids.insert(id).second) {
        return LineError(path, line_no, "repeated id " + std::to_string(id));
      }
      records.push_back(SmartRecord{id, line_no, {}});
      field = 0;
      continue;
    }
    if (marker) {
      if (allowed.find(line[1]) == std::string_view::npos) {
        return LineError(path, line_no, "unexpected field marker '" + std::string(line) + "'");
      }
      if (records.empty()) return LineError(path, line_no, "field marker before the first .I");
      if (!IsBlank(line.substr(2))) {
        return LineError(path, line_no, "text after the field marker '" + std::string(line) + "'");
      }
      field = line[1];
      // A repeated marker continues the field (see the header comment).
      records.back().fields[field];
      continue;
    }
    if (records.empty()) {
      if (IsBlank(line)) continue;
      return LineError(path, line_no, "text before the first .I record");
    }
    if (field == 0) {
      if (IsBlank(line)) continue;
      return LineError(path, line_no, "text outside any field of record .I " +
                                          std::to_string(records.back().id));
    }
    std::string& text = records.back().fields[field];
    if (!text.empty()) text += '\n';
    text += line;
  }
  if (records.empty()) return absl::DataLossError("'" + path + "' holds no .I records");
  return records;
}

}  // namespace detail

// The documents of <dir>/cran.all.1400, in file order.
inline absl::StatusOr<std::vector<CranfieldDoc>> LoadCranfieldDocs(const std::string& dir) {
  auto records = detail::ParseSmart(dir + "/" + kCranfieldDocsFile, "TABW");
  if (!records.ok()) return records.status();
  std::vector<CranfieldDoc> docs;
  docs.reserve(records->size());
  for (auto& r : *records) {
    CranfieldDoc d;
    d.id = r.id;
    d.title = std::move(r.fields['T']);
    d.author = std::move(r.fields['A']);
    d.source = std::move(r.fields['B']);
    d.text = std::move(r.fields['W']);
    docs.push_back(std::move(d));
  }
  return docs;
}

// The queries of <dir>/cran.qry, numbered 1.. in file order. A query must
// have non-blank .W text (DataLoss naming its .I line otherwise).
inline absl::StatusOr<std::vector<CranfieldQuery>> LoadCranfieldQueries(const std::string& dir) {
  const std::string path = dir + "/" + kCranfieldQueriesFile;
  auto records = detail::ParseSmart(path, "W");
  if (!records.ok()) return records.status();
  std::vector<CranfieldQuery> queries;
  queries.reserve(records->size());
  for (auto& r : *records) {
    std::string& text = r.fields['W'];
    if (detail::IsBlank(text)) {
      return detail::LineError(path, r.line_no,
                               "query .I " + std::to_string(r.id) + " has no .W text");
    }
    queries.push_back(CranfieldQuery{static_cast<uint32_t>(queries.size() + 1), std::move(text)});
  }
  return queries;
}

// The judgements of <dir>/cranqrel. Each non-blank line is exactly three
// integers "query doc grade" with query >= 1, doc >= 1 and grade in 1..4
// (kept with gain 5 - grade) or -1 (dropped). Anything else, or a (query,
// doc) pair judged twice, is DataLoss naming the line.
inline absl::StatusOr<Qrels> LoadCranfieldQrels(const std::string& dir) {
  const std::string path = dir + "/" + kCranfieldQrelsFile;
  auto lines = detail::ReadLines(path);
  if (!lines.ok()) return lines.status();
  Qrels qrels;
  std::set<std::pair<uint32_t, uint32_t>> judged;  // Including the -1 lines.
  size_t judgements = 0;
  for (size_t i = 0; i < lines->size(); ++i) {
    const std::string& line = (*lines)[i];
    const size_t line_no = i + 1;
    if (detail::IsBlank(line)) continue;
    std::vector<std::string_view> fields;
    std::string_view rest(line);
    while (true) {
      const size_t begin = rest.find_first_not_of(" \t");
      if (begin == std::string_view::npos) break;
      rest.remove_prefix(begin);
      const size_t end = std::min(rest.find_first_of(" \t"), rest.size());
      fields.push_back(rest.substr(0, end));
      rest.remove_prefix(end);
    }
    uint32_t query = 0;
    uint32_t doc = 0;
    int grade = 0;
    if (fields.size() != 3 || !detail::ParseInt(fields[0], &query) ||
        !detail::ParseInt(fields[1], &doc) || !detail::ParseInt(fields[2], &grade)) {
      return detail::LineError(path, line_no,
                               "want three integers 'query doc grade', got '" + line + "'");
    }
    if (query == 0 || doc == 0) {
      return detail::LineError(path, line_no, "query and doc numbers start at 1: '" + line + "'");
    }
    if (grade != -1 && (grade < 1 || grade > 4)) {
      return detail::LineError(path, line_no,
                               "grade " + std::to_string(grade) + " is not 1..4 or -1");
    }
    if (!judged.insert({query, doc}).second) {
      return detail::LineError(path, line_no,
                               "query " + std::to_string(query) + " doc " + std::to_string(doc) +
                                   " is judged twice");
    }
    ++judgements;
    if (grade == -1) continue;
    qrels[query][doc] = 5 - grade;
  }
  if (judgements == 0) return absl::DataLossError("'" + path + "' holds no judgements");
  return qrels;
}

// --- Metrics. Ranked lists are best first; a document listed twice counts
// at its first position only (a well-formed run never repeats one, and
// counting repeats could push a score above 1).

// nDCG@k with linear gains (Jarvelin & Kekalainen 2002, the trec_eval
// "ndcg_cut" form):
//   DCG@k  = sum_{i=1..min(k, |ranked|)} gain(ranked_i) / log2(i + 1)
//   IDCG@k = the same sum over the judged gains sorted in descending order
//            (the best possible ranking)
//   nDCG@k = DCG@k / IDCG@k, in [0, 1].
// gain(d) is gains[d] when d is judged with a positive gain, else 0. Returns
// 0 when IDCG is 0 (no relevant judged document); such a query carries no
// information, and Evaluate skips it instead of averaging in the 0.
inline double NdcgAt(const std::vector<uint32_t>& ranked_docs, const std::map<uint32_t, int>& gains,
                     size_t k) {
  std::vector<int> ideal;
  for (const auto& [doc, gain] : gains) {
    if (gain > 0) ideal.push_back(gain);
  }
  std::sort(ideal.begin(), ideal.end(), std::greater<>());
  double idcg = 0;
  for (size_t i = 0; i < std::min(k, ideal.size()); ++i) {
    idcg += ideal[i] / std::log2(static_cast<double>(i) + 2);  // Position i + 1.
  }
  if (idcg <= 0) return 0;
  double dcg = 0;
  std::set<uint32_t> seen;
  for (size_t i = 0; i < std::min(k, ranked_docs.size()); ++i) {
    if (!seen.insert(ranked_docs[i]).second) continue;
    const auto it = gains.find(ranked_docs[i]);
    if (it != gains.end() && it->second > 0) {
      dcg += it->second / std::log2(static_cast<double>(i) + 2);
    }
  }
  return dcg / idcg;
}

// Average precision with binary relevance (relevant: judged with gain > 0),
// the TREC definition over the whole ranked list given:
//   AP = (1 / R) * sum over ranks i with ranked_i relevant of P@i,
//   P@i = (relevant documents in ranked_1..ranked_i) / i,
// where R is the number of relevant judged documents, so relevant documents
// never retrieved contribute 0. Returns 0 when R is 0.
inline double AveragePrecision(const std::vector<uint32_t>& ranked_docs,
                               const std::map<uint32_t, int>& gains) {
  size_t relevant_judged = 0;
  for (const auto& [doc, gain] : gains) relevant_judged += gain > 0 ? 1 : 0;
  if (relevant_judged == 0) return 0;
  double sum = 0;
  size_t hits = 0;
  std::set<uint32_t> seen;
  for (size_t i = 0; i < ranked_docs.size(); ++i) {
    if (!seen.insert(ranked_docs[i]).second) continue;
    const auto it = gains.find(ranked_docs[i]);
    if (it == gains.end() || it->second <= 0) continue;
    ++hits;
    sum += static_cast<double>(hits) / static_cast<double>(i + 1);
  }
  return sum / static_cast<double>(relevant_judged);
}

struct EvalResult {
  double ndcg10 = 0;   // Mean nDCG@10.
  double map = 0;      // Mean average precision (of the top `depth`).
  size_t queries = 0;  // Queries averaged over.
};

// Runs `run` for every query that has at least one relevant judged
// document in `qrels` (the others are skipped: nDCG and AP are undefined
// for them) and averages nDCG@10 and AP over those queries. Each ranked
// list is cut to its first `depth` documents first, as trec_eval does with
// a run of that depth, so MAP is "MAP@depth". All zero when no query
// qualifies.
inline EvalResult Evaluate(const std::function<std::vector<uint32_t>(const CranfieldQuery&)>& run,
                           const std::vector<CranfieldQuery>& queries, const Qrels& qrels,
                           size_t depth = 100) {
  EvalResult result;
  for (const CranfieldQuery& q : queries) {
    const auto it = qrels.find(q.number);
    if (it == qrels.end()) continue;
    const bool any_relevant = std::any_of(it->second.begin(), it->second.end(),
                                          [](const auto& e) { return e.second > 0; });
    if (!any_relevant) continue;
    std::vector<uint32_t> ranked = run(q);
    if (ranked.size() > depth) ranked.resize(depth);
    result.ndcg10 += NdcgAt(ranked, it->second, 10);
    result.map += AveragePrecision(ranked, it->second);
    ++result.queries;
  }
  if (result.queries > 0) {
    result.ndcg10 /= static_cast<double>(result.queries);
    result.map /= static_cast<double>(result.queries);
  }
  return result;
}

}  // namespace strata::testing::ir

#endif  // STRATA_TESTS_SEARCH_IR_EVAL_HPP_
