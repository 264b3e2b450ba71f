// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// An agent session through the library, end to end: a research assistant
// answers one question. It creates a run, records its tool calls and
// decisions as trace spans and what happened as events, keeps working memory
// in KV and state cells, stores the user's profile as a JSON document and
// updates it at paths, and ends the run. Then it closes the database, opens
// it again and shows what survived.
//
//   agent_session [PATH]      (default ./strata.db)
//
// Each invocation records a new run, so running it twice shows two sessions.
#include <cctype>
#include <cinttypes>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "strata/strata.hpp"

namespace {

using strata::Value;

// Prints the error and exits unless `s` is OK.
void Check(const absl::Status& s, const char* what) {
  if (s.ok()) return;
  std::fprintf(stderr, "agent_session: %s: %s\n", what, s.ToString().c_str());
  std::exit(1);
}
template <typename T>
T Check(absl::StatusOr<T> r, const char* what) {
  Check(r.status(), what);
  return *std::move(r);
}

Value J(const char* text) { return Check(Value::FromJson(text), "parse JSON"); }

// A toy text embedding so the example needs no model: each word adds +-1
// to one of 8 dimensions chosen by its hash. Real agents store model
// embeddings (hundreds of dimensions) the same way.
constexpr uint32_t kEmbeddingDim = 8;
std::vector<float> Embed(std::string_view text) {
  std::vector<float> v(kEmbeddingDim, 0.0f);
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i <= text.size(); ++i) {
    const char c = i < text.size() ? text[i] : ' ';
    if (std::isalnum(static_cast<unsigned char>(c))) {
      h = (h ^ static_cast<unsigned char>(std::tolower(static_cast<unsigned char>(c)))) *
          1099511628211ull;
      continue;
    }
    if (h != 1469598103934665603ull) v[h % kEmbeddingDim] += (h >> 32) % 2 ? 1.0f : -1.0f;
    h = 1469598103934665603ull;
  }
  v[0] += 0.01f;  // Never all zeros.
  return v;
}

// Long-term memory across runs: a vector collection in the default run.
absl::Status Remember(strata::Transaction& txn, const std::string& run, const std::string& kind,
                      const std::string& text) {
  return txn.VectorUpsert("default", "memories", run + "/" + kind, Embed(text),
                          Value(Value::Object{{"run", Value(run)},
                                              {"kind", Value(kind)},
                                              {"text", Value(text)}}));
}

std::string RunSession(strata::Database& db) {
  strata::RunSpec spec;
  spec.tags = {"demo", "research"};
  spec.metadata = J(R"({"agent": "research-assistant", "model": "example-model",
                        "question": "How far can a glider fly from 1000 m?"})");
  const strata::RunId run = Check(db.CreateRun(spec), "create run").value.id;

  // The user's profile: created once, then changed at paths.
  if (!Check(db.JsonExists("default", "profile:ada"), "profile exists")) {
    Check(db.JsonCreate("default", "profile:ada",
                        J(R"({"name": "Ada", "preferences": {"units": "imperial",
                              "language": "en"}, "sessions": []})")),
          "create profile");
  }
  if (Check(db.ListCollections("default"), "collections").empty()) {
    strata::CollectionSpec memories;
    memories.name = "memories";
    memories.dimension = kEmbeddingDim;
    memories.metric = strata::VectorMetric::kCosine;
    Check(db.CreateCollection("default", memories), "create memories");
  }
  Check(db.EventAppend(run, "user_message",
                       J(R"({"text": "How far can a glider fly from 1000 m?"})")),
        "event");
  Check(db.StateInit(run, "step", Value(0)), "state init");

  // The plan: a decision span that parents the tool calls.
  strata::SpanSpec plan;
  plan.kind = strata::SpanKind::kDecision;
  plan.name = "plan";
  plan.input = J(R"({"options": ["search", "compute"]})");
  const uint64_t plan_id = Check(db.TraceBegin(run, plan), "begin plan");

  strata::SpanSpec search;
  search.kind = strata::SpanKind::kToolCall;
  search.name = "web_search";
  search.parent = plan_id;
  search.input = J(R"({"query": "glider glide ratio typical"})");
  search.output = J(R"({"results": ["Modern gliders reach glide ratios of 40:1 to 60:1"]})");
  search.tags = {"network"};
  Check(db.TraceRecord(run, search), "record search");

  // One step of work as one transaction: the tool result, working memory
  // and the step counter commit together or not at all.
  Check(db.Transact([&](strata::Transaction& txn) -> absl::Status {
          auto step = txn.StateRead(run, "step");
          if (!step.ok()) return step.status();
          absl::Status s = txn.KvPut(run, "scratch:glide_ratio", Value(40));
          if (s.ok()) s = txn.KvPut(run, "scratch:sources", J(R"(["web_search#1"])"));
          if (s.ok()) s = txn.StateSet(run, "step", Value(step->value.AsInt() + 1));
          if (s.ok()) {
            s = txn.EventAppend(run, "tool_result", J(R"({"tool": "web_search", "ok": true})"))
                    .status();
          }
          return s;
        }),
        "step transaction");

  strata::SpanSpec calc;
  calc.kind = strata::SpanKind::kToolCall;
  calc.name = "calculator";
  calc.parent = plan_id;
  calc.input = J(R"({"expression": "1000 m * 40"})");
  calc.output = J(R"({"value": 40000, "unit": "m"})");
  Check(db.TraceRecord(run, calc), "record calculator");
  Check(db.TraceEnd(run, plan_id, strata::SpanStatus::kOk, J(R"({"chosen": "compute"})")),
        "end plan");
  Check(db.StateSet(run, "step", Value(2)), "state set");
  // The answer and what is remembered of the exchange commit together.
  Check(db.Transact([&](strata::Transaction& txn) -> absl::Status {
          absl::Status s =
              txn.EventAppend(run, "assistant_message",
                              J(R"({"text": "About 40 km (25 miles) in still air."})"))
                  .status();
          if (s.ok()) s = Remember(txn, run, "question", "How far can a glider fly from 1000 m?");
          if (s.ok()) {
            s = Remember(txn, run, "answer", "About 40 km in still air, at a glide ratio of 40:1");
          }
          return s;
        }),
        "answer and memories");

  // What the session taught us about the user, written at paths.
  Check(db.JsonSet("default", "profile:ada", "/preferences/units", Value("metric")),
        "profile units");
  Check(db.JsonPatch("default", "profile:ada",
                     Value(Value::Array{Value(Value::Object{
                         {"op", Value("add")},
                         {"path", Value("/sessions/-")},
                         {"value", Value(run)}})})),
        "profile sessions");
  Check(db.EndRun(run, strata::RunStatus::kCompleted), "end run");
  return run;
}

void Show(strata::Database& db, const std::string& run) {
  auto info = Check(db.GetRun(run), "get run").value;
  std::printf("run %s: %s, %" PRIu64 " events, %" PRIu64 " spans\n", run.c_str(),
              std::string(strata::RunStatusName(info.status)).c_str(),
              Check(db.EventLength(run), "length"), Check(db.TraceCount(run), "count"));
  std::printf("  metadata  %s\n", info.metadata.ToJson().c_str());
  const strata::ChainReport chain = Check(db.EventVerifyChain(run), "verify");
  std::printf("  events (hash chain %s):\n", chain.valid ? "valid" : "BROKEN");
  strata::EventQuery all;
  for (const auto& e : Check(db.EventList(run, all), "events").events) {
    std::printf("    #%" PRIu64 " %-17s %s\n", e.value.seq, e.value.type.c_str(),
                e.value.payload.ToJson().c_str());
  }
  std::printf("  trace:\n");
  for (const strata::SpanTreeNode& n : Check(db.TraceTree(run), "tree")) {
    std::printf("    %*s%s %s [%s] -> %s\n", static_cast<int>(2 * n.depth), "",
                std::string(strata::SpanKindName(n.span.kind)).c_str(), n.span.name.c_str(),
                std::string(strata::SpanStatusName(n.span.status)).c_str(),
                n.span.output.ToJson().c_str());
  }
  std::printf("  working memory:\n");
  for (const strata::KvEntry& e : Check(db.KvList(run, strata::ListRequest{}), "kv").entries) {
    std::printf("    kv    %-20s %s\n", e.key.c_str(), e.value.value.ToJson().c_str());
  }
  for (const strata::KvEntry& e :
       Check(db.StateList(run, strata::ListRequest{}), "state").entries) {
    std::printf("    state %-20s %s (version %" PRIu64 ")\n", e.key.c_str(),
                e.value.value.ToJson().c_str(), e.value.version);
  }
  strata::VectorSearchRequest recall;
  recall.query = Embed("glider distance glide ratio");
  recall.k = 3;
  const auto recalled = Check(db.VectorSearch("default", "memories", recall), "recall");
  std::printf("memories nearest to \"glider distance glide ratio\":\n");
  for (const strata::VectorHit& h : recalled.hits) {
    std::printf("  %.3f  %-32s %s\n", h.score, h.key.c_str(), h.metadata.ToJson().c_str());
  }
  // One search over everything the agent stored: BM25 over the text of
  // every primitive, fused with similarity over the memories collection.
  strata::SearchRequest search;
  search.query = "glider distance glide ratio";
  search.query_vector = Embed(search.query);
  search.vector_collection = "memories";
  search.mode = strata::SearchMode::kHybrid;
  search.k = 5;
  const auto found = Check(db.Search(search), "search");
  std::printf("hybrid search for \"%s\" (%" PRIu64 " candidates, %u lists):\n",
              search.query.c_str(), found.stats.candidates, found.stats.lists);
  for (const strata::SearchHit& h : found.hits) {
    std::string lists;
    for (const strata::SearchListRank& r : h.ranks) {
      lists += (lists.empty() ? "" : ", ") + r.list + " #" + std::to_string(r.rank);
    }
    std::printf("  %.4f  %s  %s\n", h.score, h.ref.ToString().c_str(), lists.c_str());
  }
  const auto profile = Check(db.JsonGet("default", "profile:ada"), "profile");
  std::printf("profile:ada  %s\n", profile.value.ToJson().c_str());
  const auto history = Check(db.JsonHistory("default", "profile:ada", 3), "profile history");
  for (const strata::KvVersion& v : history) {
    std::printf("  version %-6" PRIu64 " units=%s\n", v.version,
                Check(db.JsonGetAt("default", "profile:ada", "/preferences/units", v.version),
                      "units at version")
                    .value.ToJson()
                    .c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : strata::Database::kDefaultPath;
  if (argc > 2 || path == "--help" || path == "-h") {
    std::printf("usage: %s [PATH]   (default %s)\n", argv[0], strata::Database::kDefaultPath);
    return argc > 2 ? 2 : 0;
  }
  strata::Options options;
  options.durability = strata::DurabilityMode::kStrict;
  std::string run;
  {
    auto db = Check(strata::Database::Open(path, options), "open");
    run = RunSession(*db);
    std::printf("recorded run %s in %s (version %" PRIu64 "); closing and reopening\n\n",
                run.c_str(), path.c_str(), db->CurrentVersion());
    Check(db->Close(), "close");
  }
  auto db = Check(strata::Database::Open(path, options), "reopen");
  Show(*db, run);
  auto runs = Check(db->ListRuns(), "list runs");
  std::printf("\n%zu runs in %s. Look inside with the strata shell, e.g.:\n", runs.size(),
              path.c_str());
  std::printf("  strata %s run show %s\n  strata --run %s %s trace tree\n", path.c_str(),
              run.c_str(), run.c_str(), path.c_str());
  return 0;
}
