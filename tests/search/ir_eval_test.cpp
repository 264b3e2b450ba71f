// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Tests of the retrieval-evaluation helpers (tests/search/ir_eval.hpp) that
// the Cranfield quality test and the search benchmark rely on: nDCG@k and
// average precision against values computed by hand, Evaluate's averaging
// and skipping, the Cranfield loaders on the real files (counts, numbering,
// dropped -1 judgements) and their DataLoss / NotFound errors on broken
// input. A wrong metric here would silently move every quality figure, so
// each expected number is derived in a comment.
#include "search/ir_eval.hpp"

#include <cmath>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "test_util.hpp"

namespace strata::testing::ir {
namespace {

constexpr double kEps = 1e-12;

// Judged gains used by several tests: doc 10 gains 3, 20 gains 2, 30 gains 1.
const std::map<uint32_t, int> kGains = {{10, 3}, {20, 2}, {30, 1}};

// log2(3), the discount at rank 2.
const double kLog2Of3 = std::log2(3.0);

TEST(NdcgTest, HandComputedExample) {
  // ranked = [20, 99, 10], k = 3:
  //   DCG  = 2/log2(2) + 0/log2(3) + 3/log2(4) = 2 + 0 + 1.5 = 3.5
  //   IDCG = 3/log2(2) + 2/log2(3) + 1/log2(4) = 3 + 1.26186 + 0.5 = 4.76186
  //   nDCG = 3.5 / 4.76186 = 0.735007
  const double expected = 3.5 / (3 + 2 / kLog2Of3 + 0.5);
  EXPECT_NEAR(expected, 0.7350069851388743, 1e-15);
  EXPECT_NEAR(NdcgAt({20, 99, 10}, kGains, 3), expected, kEps);
}

TEST(NdcgTest, CutsBothSumsAtK) {
  // k = 1: DCG = 2/log2(2) = 2 and IDCG = 3/log2(2) = 3 (only the best
  // judged gain fits), so nDCG = 2/3; doc 10 at rank 3 does not count.
  EXPECT_NEAR(NdcgAt({20, 99, 10}, kGains, 1), 2.0 / 3.0, kEps);
  // k = 2: DCG = 2 + 0 = 2, IDCG = 3 + 2/log2(3) = 4.26186: 0.469279.
  EXPECT_NEAR(NdcgAt({20, 99, 10}, kGains, 2), 2 / (3 + 2 / kLog2Of3), kEps);
}

TEST(NdcgTest, PerfectRankingIsOne) {
  EXPECT_NEAR(NdcgAt({10, 20, 30}, kGains, 10), 1.0, kEps);
  EXPECT_NEAR(NdcgAt({10, 20, 30, 99, 98}, kGains, 10), 1.0, kEps);
  // At k = 2 only the two best need to be on top: DCG = IDCG = 3 + 2/log2(3).
  EXPECT_NEAR(NdcgAt({10, 20, 99}, kGains, 2), 1.0, kEps);
  // Equal gains in either order are both ideal.
  const std::map<uint32_t, int> tied = {{1, 2}, {2, 2}};
  EXPECT_NEAR(NdcgAt({1, 2}, tied, 10), 1.0, kEps);
  EXPECT_NEAR(NdcgAt({2, 1}, tied, 10), 1.0, kEps);
}

TEST(NdcgTest, NoRelevantRetrievedIsZero) {
  EXPECT_EQ(NdcgAt({1, 2, 3}, kGains, 10), 0.0);
  EXPECT_EQ(NdcgAt({}, kGains, 10), 0.0);
  // A relevant document below the cut-off does not count.
  EXPECT_EQ(NdcgAt({1, 2, 10}, kGains, 2), 0.0);
}

TEST(NdcgTest, NoRelevantJudgedIsZero) {
  EXPECT_EQ(NdcgAt({1, 2}, {}, 10), 0.0);
  EXPECT_EQ(NdcgAt({1, 2}, {{1, 0}}, 10), 0.0);
  EXPECT_EQ(NdcgAt({1, 2}, kGains, 0), 0.0);
}

TEST(NdcgTest, RepeatedDocumentCountsOnce) {
  // ranked = [10, 10, 20], k = 3: the second 10 gains nothing, so
  //   DCG = 3/1 + 0 + 2/log2(4) = 4, IDCG = 4.76186, nDCG = 0.840008.
  // Counting the repeat would give 3 + 3/1.585 + 1 = 5.89 > IDCG.
  EXPECT_NEAR(NdcgAt({10, 10, 20}, kGains, 3), 4 / (3 + 2 / kLog2Of3 + 0.5), kEps);
  EXPECT_NEAR(NdcgAt({10, 10, 20}, kGains, 3), 0.8400079830158563, 1e-12);
}

TEST(AveragePrecisionTest, HandComputedExample) {
  // Relevant: 10, 20, 30 (R = 3). ranked = [10, 99, 30, 98, 97]: relevant
  // at ranks 1 and 3, P@1 = 1/1, P@3 = 2/3; 20 is never retrieved.
  //   AP = (1 + 2/3) / 3 = 5/9 = 0.555556
  EXPECT_NEAR(AveragePrecision({10, 99, 30, 98, 97}, kGains), 5.0 / 9.0, kEps);
}

TEST(AveragePrecisionTest, BinaryRelevanceIgnoresGrade) {
  // Any positive gain is "relevant": the order among 10, 20, 30 is
  // irrelevant to AP, unlike nDCG.
  EXPECT_NEAR(AveragePrecision({30, 20, 10}, kGains), 1.0, kEps);
  // One relevant document (R = 1) at rank 2: AP = P@2 = 1/2.
  EXPECT_NEAR(AveragePrecision({99, 7}, {{7, 4}}), 0.5, kEps);
  // Relevant at ranks 2 and 4 of R = 2: (1/2 + 2/4) / 2 = 0.5.
  EXPECT_NEAR(AveragePrecision({1, 7, 2, 8}, {{7, 1}, {8, 3}}), 0.5, kEps);
}

TEST(AveragePrecisionTest, PerfectRankingIsOne) {
  EXPECT_NEAR(AveragePrecision({10, 20, 30}, kGains), 1.0, kEps);
  EXPECT_NEAR(AveragePrecision({10, 20, 30, 1, 2}, kGains), 1.0, kEps);
}

TEST(AveragePrecisionTest, NoRelevantRetrievedIsZero) {
  EXPECT_EQ(AveragePrecision({1, 2, 3}, kGains), 0.0);
  EXPECT_EQ(AveragePrecision({}, kGains), 0.0);
  EXPECT_EQ(AveragePrecision({10}, {}), 0.0);
  EXPECT_EQ(AveragePrecision({10}, {{10, 0}}), 0.0);
}

TEST(AveragePrecisionTest, RepeatedDocumentCountsOnce) {
  // [10, 10, 20]: 10 at rank 1 (P = 1), the repeat is skipped but keeps its
  // rank, 20 at rank 3 (P = 2/3): (1 + 2/3) / 3 = 5/9.
  EXPECT_NEAR(AveragePrecision({10, 10, 20}, kGains), 5.0 / 9.0, kEps);
}

TEST(EvaluateTest, AveragesOverJudgedQueriesOnly) {
  const std::vector<CranfieldQuery> queries = {{1, "one"}, {2, "two"}, {3, "three"}, {4, "four"}};
  // Query 3 has no judgements and query 4 only a zero gain: both skipped.
  const Qrels qrels = {{1, {{1, 4}}}, {2, {{2, 1}, {3, 1}}}, {4, {{9, 0}}}};
  std::vector<uint32_t> called;
  const auto run = [&](const CranfieldQuery& q) -> std::vector<uint32_t> {
    called.push_back(q.number);
    if (q.number == 1) return {1};
    return {3, 5, 2};
  };
  const EvalResult r = Evaluate(run, queries, qrels);
  EXPECT_EQ(called, (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(r.queries, 2u);
  // Query 1: nDCG@10 = 1, AP = 1.
  // Query 2, ranked [3, 5, 2], gains 3 -> 1, 2 -> 1:
  //   DCG = 1/log2(2) + 0 + 1/log2(4) = 1.5; IDCG = 1 + 1/log2(3) = 1.63093;
  //   nDCG = 0.919721. AP = (1/1 + 2/3) / 2 = 5/6.
  // Means: nDCG@10 = (1 + 0.919721) / 2 = 0.959860, MAP = (1 + 5/6) / 2 = 11/12.
  EXPECT_NEAR(r.ndcg10, (1 + 1.5 / (1 + 1 / kLog2Of3)) / 2, kEps);
  EXPECT_NEAR(r.ndcg10, 0.9598603945740938, 1e-12);
  EXPECT_NEAR(r.map, 11.0 / 12.0, kEps);
}

TEST(EvaluateTest, CutsRunsAtDepth) {
  const std::vector<CranfieldQuery> queries = {{2, "two"}};
  const Qrels qrels = {{2, {{2, 1}, {3, 1}}}};
  const auto run = [](const CranfieldQuery&) { return std::vector<uint32_t>{3, 5, 2}; };
  // Depth 1 keeps [3]: DCG = 1, IDCG@10 = 1 + 1/log2(3): nDCG = 0.613147;
  // AP = (1/1) / 2 = 0.5 (doc 2 falls below the depth).
  const EvalResult r = Evaluate(run, queries, qrels, /*depth=*/1);
  EXPECT_EQ(r.queries, 1u);
  EXPECT_NEAR(r.ndcg10, 1 / (1 + 1 / kLog2Of3), kEps);
  EXPECT_NEAR(r.map, 0.5, kEps);
}

TEST(EvaluateTest, NoQualifyingQueryGivesZeros) {
  const std::vector<CranfieldQuery> queries = {{1, "one"}};
  const auto run = [](const CranfieldQuery&) { return std::vector<uint32_t>{1}; };
  const EvalResult r = Evaluate(run, queries, Qrels{});
  EXPECT_EQ(r.queries, 0u);
  EXPECT_EQ(r.ndcg10, 0.0);
  EXPECT_EQ(r.map, 0.0);
}

// --- Loaders on the real collection.

std::string CranfieldDir() { return TestDataDir() + "/cranfield"; }

TEST(CranfieldLoaderTest, Documents) {
  ASSERT_OK_AND_ASSIGN(const std::vector<CranfieldDoc> docs, LoadCranfieldDocs(CranfieldDir()));
  ASSERT_EQ(docs.size(), 1400u);
  for (size_t i = 0; i < docs.size(); ++i) {
    EXPECT_EQ(docs[i].id, i + 1) << "documents are numbered 1..1400 in file order";
    EXPECT_EQ(docs[i].text.find('\r'), std::string::npos) << "doc " << docs[i].id;
    EXPECT_EQ(docs[i].title.find('\r'), std::string::npos) << "doc " << docs[i].id;
  }
  const CranfieldDoc& d = docs[0];
  EXPECT_EQ(d.title.rfind("experimental investigation of the aerodynamics", 0), 0u) << d.title;
  EXPECT_EQ(d.title, "experimental investigation of the aerodynamics of a\nwing in a slipstream .");
  EXPECT_EQ(d.author, "brenckman,m.");
  EXPECT_EQ(d.source, "j. ae. scs. 25, 1958, 324.");
  EXPECT_EQ(d.text.rfind("experimental investigation", 0), 0u);
  EXPECT_NE(d.text.find("destalling"), std::string::npos);
  EXPECT_EQ(d.text.find(".I"), std::string::npos) << "doc 1 ran into doc 2";
  // Document 240 repeats .A and .B inside its abstract: the text after the
  // repeats stays in the same fields rather than being lost.
  const CranfieldDoc& d240 = docs[239];
  EXPECT_EQ(d240.author.rfind("dean r. chapman", 0), 0u) << d240.author;
  EXPECT_NE(d240.author.find("application to turbulent separations"), std::string::npos);
}

TEST(CranfieldLoaderTest, Queries) {
  ASSERT_OK_AND_ASSIGN(const std::vector<CranfieldQuery> queries,
                       LoadCranfieldQueries(CranfieldDir()));
  ASSERT_EQ(queries.size(), 225u);
  for (size_t i = 0; i < queries.size(); ++i) {
    EXPECT_EQ(queries[i].number, i + 1);
    EXPECT_FALSE(queries[i].text.empty());
  }
  EXPECT_EQ(queries[0].text,
            "what similarity laws must be obeyed when constructing aeroelastic models\n"
            "of heated high speed aircraft .");
  // The third query is .I 004 in the file: numbering follows file order.
  EXPECT_EQ(queries[2].text.rfind("what problems of heat conduction in composite slabs", 0), 0u);
  EXPECT_EQ(queries[224].text,
            "what design factors can be used to control lift-drag ratios at mach\n"
            "numbers above 5 .");
}

TEST(CranfieldLoaderTest, Qrels) {
  ASSERT_OK_AND_ASSIGN(const Qrels qrels, LoadCranfieldQrels(CranfieldDir()));
  // Every query 1..225 has at least one judgement left after dropping -1.
  ASSERT_EQ(qrels.size(), 225u);
  EXPECT_EQ(qrels.begin()->first, 1u);
  EXPECT_EQ(qrels.rbegin()->first, 225u);
  size_t judgements = 0;
  for (const auto& [query, gains] : qrels) {
    EXPECT_FALSE(gains.empty()) << "query " << query;
    for (const auto& [doc, gain] : gains) {
      EXPECT_GE(doc, 1u);
      EXPECT_LE(doc, 1400u);
      EXPECT_GE(gain, 1) << "query " << query << " doc " << doc;
      EXPECT_LE(gain, 4) << "query " << query << " doc " << doc;
      ++judgements;
    }
  }
  // 1,837 lines, 225 of them grade -1.
  EXPECT_EQ(judgements, 1612u);
  // "1 184 2": gain 5 - 2 = 3. "1 486 -1" is dropped.
  EXPECT_EQ(qrels.at(1).at(184), 3);
  EXPECT_EQ(qrels.at(1).count(486), 0u);
  // The file's last line, "225 1188 -1", has no newline and is dropped too.
  EXPECT_EQ(qrels.at(225).count(1188), 0u);
  EXPECT_EQ(qrels.at(225).at(1213), 2);
}

// --- Loaders on broken input.

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  ASSERT_TRUE(out.good()) << path;
}

// Expects DataLoss whose message names `where` (file:line).
void ExpectDataLoss(const absl::Status& s, const std::string& where) {
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
  EXPECT_NE(std::string(s.message()).find(where), std::string::npos)
      << "'" << s.message() << "' should name " << where;
}

TEST(CranfieldLoaderTest, MissingFilesAreNotFound) {
  TempDir dir;
  EXPECT_EQ(LoadCranfieldDocs(dir.path()).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(LoadCranfieldQueries(dir.path()).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(LoadCranfieldQrels(dir.path()).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(LoadCranfieldDocs(dir.Sub("no-such-dir")).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(CranfieldLoaderTest, SmallValidFiles) {
  TempDir dir;
  // CRLF line ends, a repeated .W that continues the field, no final newline.
  WriteFile(dir.Sub("cran.all.1400"),
            ".I 7\r\n.T\r\nshock waves .\r\n.A\r\n.B\r\n.W\r\nfirst part\r\n.W\r\nsecond part\r\n"
            ".I 9\r\n.T\r\ntwo\r\nlines\r\n.W\r\nbody");
  ASSERT_OK_AND_ASSIGN(const std::vector<CranfieldDoc> docs, LoadCranfieldDocs(dir.path()));
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0].id, 7u);
  EXPECT_EQ(docs[0].title, "shock waves .");
  EXPECT_EQ(docs[0].author, "");
  EXPECT_EQ(docs[0].text, "first part\nsecond part");
  EXPECT_EQ(docs[1].id, 9u);
  EXPECT_EQ(docs[1].title, "two\nlines");
  EXPECT_EQ(docs[1].text, "body");

  WriteFile(dir.Sub("cran.qry"), ".I 001\n.W\nfirst query\n.I 004\n.W\nsecond\nquery\n");
  ASSERT_OK_AND_ASSIGN(const std::vector<CranfieldQuery> queries,
                       LoadCranfieldQueries(dir.path()));
  ASSERT_EQ(queries.size(), 2u);
  EXPECT_EQ(queries[0].number, 1u);
  EXPECT_EQ(queries[0].text, "first query");
  EXPECT_EQ(queries[1].number, 2u);  // .I 004, second in the file.
  EXPECT_EQ(queries[1].text, "second\nquery");

  WriteFile(dir.Sub("cranqrel"), "1 7 1 \r\n\r\n1 9 -1\r\n2 9 4");
  ASSERT_OK_AND_ASSIGN(const Qrels qrels, LoadCranfieldQrels(dir.path()));
  EXPECT_EQ(qrels, (Qrels{{1, {{7, 4}}}, {2, {{9, 1}}}}));
}

TEST(CranfieldLoaderTest, MalformedDocumentsAreDataLoss) {
  TempDir dir;
  const std::string path = dir.Sub("cran.all.1400");
  const auto load = [&](const std::string& content) {
    WriteFile(path, content);
    return LoadCranfieldDocs(dir.path()).status();
  };
  ExpectDataLoss(load(".I 1\n.W\nok\n.I one\n.W\nx\n"), "cran.all.1400:4");
  ExpectDataLoss(load(".I 1\n.W\nok\n.I\n"), "cran.all.1400:4");
  ExpectDataLoss(load(".I 0\n.W\nx\n"), "cran.all.1400:1");
  ExpectDataLoss(load("stray text\n.I 1\n.W\nx\n"), "cran.all.1400:1");
  ExpectDataLoss(load(".I 1\n.X\nx\n"), "cran.all.1400:2");
  ExpectDataLoss(load(".I 1\n.T title on the marker line\n"), "cran.all.1400:2");
  ExpectDataLoss(load(".I 1\ntext before any field\n"), "cran.all.1400:2");
  ExpectDataLoss(load(".I 1\n.W\na\n.I 2\n.W\nb\n.I 1\n.W\nc\n"), "cran.all.1400:7");
  ExpectDataLoss(load(""), "cran.all.1400");
  ExpectDataLoss(load("\n\n"), "cran.all.1400");
}

TEST(CranfieldLoaderTest, MalformedQueriesAreDataLoss) {
  TempDir dir;
  const std::string path = dir.Sub("cran.qry");
  const auto load = [&](const std::string& content) {
    WriteFile(path, content);
    return LoadCranfieldQueries(dir.path()).status();
  };
  // Queries only have .W.
  ExpectDataLoss(load(".I 001\n.T\ntitle\n"), "cran.qry:2");
  // A query without text.
  ExpectDataLoss(load(".I 001\n.W\nfine\n.I 002\n.W\n\n.I 003\n.W\nfine\n"), "cran.qry:4");
  ExpectDataLoss(load(".I 001\n"), "cran.qry:1");
  ExpectDataLoss(load(".I x01\n.W\nq\n"), "cran.qry:1");
}

TEST(CranfieldLoaderTest, MalformedQrelsAreDataLoss) {
  TempDir dir;
  const std::string path = dir.Sub("cranqrel");
  const auto load = [&](const std::string& content) {
    WriteFile(path, content);
    return LoadCranfieldQrels(dir.path()).status();
  };
  ExpectDataLoss(load("1 2 3\n1 2\n"), "cranqrel:2");           // Two fields.
  ExpectDataLoss(load("1 2 3 4\n"), "cranqrel:1");              // Four fields.
  ExpectDataLoss(load("1 2 3\n\n1 two 3\n"), "cranqrel:3");     // Not a number.
  ExpectDataLoss(load("1 2 5\n"), "cranqrel:1");                // Grade 5.
  ExpectDataLoss(load("1 2 0\n"), "cranqrel:1");                // Grade 0.
  ExpectDataLoss(load("1 2 -2\n"), "cranqrel:1");               // Grade -2.
  ExpectDataLoss(load("0 2 1\n"), "cranqrel:1");                // Query 0.
  ExpectDataLoss(load("1 2 1\n1 3 1\n1 2 -1\n"), "cranqrel:3");  // Judged twice.
  ExpectDataLoss(load("1 2 1.5\n"), "cranqrel:1");              // Not an integer.
  ExpectDataLoss(load(""), "cranqrel");
}

}  // namespace
}  // namespace strata::testing::ir
