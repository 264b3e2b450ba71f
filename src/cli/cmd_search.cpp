// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// The search command: keyword (BM25), vector or hybrid search over every
// primitive (docs/search.md), in the current run unless --run or
// --all-runs says otherwise.
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "cli/strings.hpp"
#include "cli/tokenizer.hpp"
#include "strata/status.hpp"

namespace strata::cli {
namespace {

absl::Status Invalid(std::string_view message) {
  return MakeError(ErrorCode::kInvalidArgument, message);
}

absl::StatusOr<std::optional<int64_t>> TimeOption(const Invocation& inv, std::string_view name) {
  const std::optional<std::string> text = inv.Get(name);
  if (!text.has_value()) return std::optional<int64_t>();
  auto n = ParseUintArg(*text, absl::StrCat("--", Sv(name)));
  if (!n.ok()) return n.status();
  if (*n > static_cast<uint64_t>(INT64_MAX)) {
    return Invalid(absl::StrCat("--", Sv(name), " is out of range"));
  }
  return std::optional<int64_t>(static_cast<int64_t>(*n));
}

// "--where '{\"lang\": \"en\"}'": metadata equality conditions.
absl::StatusOr<std::vector<std::pair<std::string, Value>>> WhereOption(const Invocation& inv) {
  std::vector<std::pair<std::string, Value>> out;
  const std::optional<std::string> text = inv.Get("where");
  if (!text.has_value()) return out;
  auto parsed = Value::FromJson(*text);
  if (!parsed.ok()) {
    return Invalid(absl::StrCat("--where must be a JSON object: ", parsed.status().message()));
  }
  if (!parsed->is_object()) return Invalid("--where must be a JSON object of field: value");
  for (const auto& [field, value] : parsed->AsObject()) out.emplace_back(field, value);
  return out;
}

std::string RanksText(const SearchHit& hit) {
  std::string out;
  for (const SearchListRank& r : hit.ranks) {
    absl::StrAppend(&out, out.empty() ? "" : " ", r.list, "#", r.rank,
                    absl::StrFormat("(%.4g)", r.score));
  }
  return out;
}

}  // namespace

absl::Status CmdSearch(Session& s, const Invocation& inv) {
  SearchRequest request;
  request.query = inv.args.empty() ? "" : inv.args[0];
  if (const auto mode = inv.Get("mode")) {
    const auto m = SearchModeFromName(*mode);
    if (!m.has_value()) {
      return Invalid(absl::StrCat("--mode is '", *mode, "'; use keyword, vector or hybrid"));
    }
    request.mode = *m;
  } else if (inv.Has("vector")) {
    request.mode = request.query.empty() ? SearchMode::kVector : SearchMode::kHybrid;
  }
  if (const auto v = inv.Get("vector")) {
    auto vec = ParseVectorArg(*v, "--vector");
    if (!vec.ok()) return vec.status();
    request.query_vector = *std::move(vec);
  }
  if (const auto c = inv.Get("collection")) request.vector_collection = *c;
  auto k = Uint32Option(inv, "k");
  if (!k.ok()) return k.status();
  if (k->has_value()) request.k = **k;
  for (const std::string& p : inv.All("primitive")) {
    const auto prim = PrimitiveFromName(p);
    if (!prim.has_value()) {
      return Invalid(absl::StrCat("--primitive is '", p,
                                  "'; use kv, event, state, trace, run, json or vector"));
    }
    request.filter.primitives.push_back(*prim);
  }
  if (inv.Has("all-runs")) {
    if (inv.Has("run")) return Invalid("give --run or --all-runs, not both");
  } else if (inv.Has("run")) {
    request.filter.runs = inv.All("run");
  } else {
    request.filter.runs = {s.run};
  }
  auto from = TimeOption(inv, "from-us");
  if (!from.ok()) return from.status();
  request.filter.from_us = *from;
  auto to = TimeOption(inv, "to-us");
  if (!to.ok()) return to.status();
  request.filter.to_us = *to;
  auto where = WhereOption(inv);
  if (!where.ok()) return where.status();
  request.filter.metadata = *std::move(where);
  auto max_ms = Uint32Option(inv, "max-time-ms");
  if (!max_ms.ok()) return max_ms.status();
  if (max_ms->has_value()) request.budget.max_time_us = uint64_t{**max_ms} * 1000;
  if (const auto mc = inv.Get("max-candidates")) {
    auto n = ParseUintArg(*mc, "--max-candidates");
    if (!n.ok()) return n.status();
    request.budget.max_candidates = *n;
  }

  auto result = s.txn ? s.txn->Search(request) : s.db->Search(request);
  if (!result.ok()) return result.status();
  if (s.json) {
    Value::Array hits;
    for (size_t i = 0; i < result->hits.size(); ++i) {
      const SearchHit& h = result->hits[i];
      Value::Array ranks;
      for (const SearchListRank& r : h.ranks) {
        ranks.emplace_back(Value::Object{{"list", Value(r.list)},
                                         {"rank", Value(int64_t{r.rank})},
                                         {"score", Value(r.score)}});
      }
      hits.emplace_back(Value::Object{{"rank", Value(static_cast<int64_t>(i + 1))},
                                      {"ref", Value(h.ref.ToString())},
                                      {"score", Value(h.score)},
                                      {"lists", Value(std::move(ranks))},
                                      {"version", Value(static_cast<int64_t>(h.version))}});
    }
    Value::Array used;
    for (const std::string& u : result->stats.indexes_used) used.emplace_back(u);
    EmitObject(s, {{"hits", Value(std::move(hits))},
                   {"truncated", Value(result->truncated)},
                   {"candidates", Value(static_cast<int64_t>(result->stats.candidates))},
                   {"elapsed_us", Value(static_cast<int64_t>(result->stats.elapsed_us))},
                   {"indexes_used", Value(std::move(used))}});
    return absl::OkStatus();
  }
  for (size_t i = 0; i < result->hits.size(); ++i) {
    const SearchHit& h = result->hits[i];
    EmitLine(s, absl::StrFormat("%d. %s  score=%.5f  v%d  %s", i + 1, h.ref.ToString(), h.score,
                                h.version, RanksText(h)));
  }
  if (result->hits.empty()) EmitLine(s, "(no hits)");
  if (result->truncated) EmitLine(s, "(truncated: a budget stopped the search early)");
  return absl::OkStatus();
}

}  // namespace strata::cli
