// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Vector commands: collections, vectors with metadata, similarity search,
// and the --filter syntax that maps a small JSON language onto
// strata::VectorFilter (documented in docs/cli.md, "Vectors"):
//
//   {"bucket": 7}                          Eq
//   {"bucket": {"$eq": 7}}                 Eq
//   {"bucket": {"$in": [1, 2]}}            In
//   {"score": {"$gte": 0.5, "$lt": 1}}     Range ($gt, $gte, $lt, $lte)
//   {"$and": [F, ...]}, {"$or": [F, ...]}  And, Or of filters
//   {"a": 1, "b": 2}                       several members: And of them
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
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

// "array", "object", ... for messages.
std::string TypeOf(const Value& v) { return std::string(TypeName(v.type())); }

// --- The --filter syntax.

// Every error of the filter parser: `--filter: [WHERE: ]WHAT`, WHERE being
// the path of the offending part ("$and[1]", "$or[0].$and[2]").
absl::Status FilterError(std::string_view where, std::string_view what) {
  return Invalid(absl::StrCat("--filter: ", where.empty() ? "" : absl::StrCat(Sv(where), ": "),
                              Sv(what)));
}

std::string FieldName(std::string_view field) { return Value(field).ToJson(); }

// Eq and In values compare with scalar metadata members.
bool IsFilterScalar(const Value& v) {
  switch (v.type()) {
    case Value::Type::kNull:
    case Value::Type::kBool:
    case Value::Type::kInt:
    case Value::Type::kString:
      return true;
    case Value::Type::kDouble:
      return std::isfinite(v.AsDouble());
    default:
      return false;
  }
}

std::string ScalarProblem(const Value& v) {
  if (v.is_double()) return absl::StrCat(v.ToJson(), " is not a finite number");
  return absl::StrCat("got ", TypeOf(v), "; use null, a boolean, a number or a string");
}

absl::StatusOr<VectorFilter> ParseFilter(const Value& v, const std::string& where);

// The conditions on one field: a scalar (Eq) or an object of operators.
absl::StatusOr<VectorFilter> ParseFieldCondition(const std::string& field, const Value& v,
                                                 std::string_view where) {
  const std::string at = absl::StrCat(where.empty() ? "" : absl::StrCat(Sv(where), ": "),
                                      "field ", FieldName(field));
  if (field.empty()) return FilterError(where, "a field name is empty");
  if (IsFilterScalar(v)) return VectorFilter::Eq(field, v);
  if (v.is_array()) {
    return FilterError(at, "an array is not a filter value (use {\"$in\": [...]} to match any "
                           "of several values)");
  }
  if (!v.is_object()) return FilterError(at, ScalarProblem(v));
  const Value::Object& ops = v.AsObject();
  if (ops.empty()) return FilterError(at, "{} has no condition");
  std::vector<VectorFilter> conditions;
  std::optional<double> lo;
  std::optional<double> hi;
  bool lo_inclusive = true;
  bool hi_inclusive = true;
  for (const auto& [op, operand] : ops) {
    if (op == "$eq") {
      if (!IsFilterScalar(operand)) {
        return FilterError(at, absl::StrCat("$eq: ", ScalarProblem(operand)));
      }
      conditions.push_back(VectorFilter::Eq(field, operand));
    } else if (op == "$in") {
      if (!operand.is_array()) {
        return FilterError(at, absl::StrCat("$in needs an array, got ", TypeOf(operand)));
      }
      const Value::Array& values = operand.AsArray();
      if (values.empty()) return FilterError(at, "$in needs at least one value");
      if (values.size() > kMaxFilterValues) {
        return FilterError(at, absl::StrCat("$in has ", values.size(),
                                            " values; the limit is ", kMaxFilterValues));
      }
      for (size_t i = 0; i < values.size(); ++i) {
        if (!IsFilterScalar(values[i])) {
          return FilterError(at, absl::StrCat("$in value ", i, ": ", ScalarProblem(values[i])));
        }
      }
      conditions.push_back(VectorFilter::In(field, values));
    } else if (op == "$gt" || op == "$gte" || op == "$lt" || op == "$lte") {
      double bound = 0;
      if (operand.is_int()) {
        bound = static_cast<double>(operand.AsInt());
      } else if (operand.is_double() && std::isfinite(operand.AsDouble())) {
        bound = operand.AsDouble();
      } else {
        return FilterError(at, absl::StrCat(op, " needs a finite number, got ",
                                            operand.is_double() ? operand.ToJson()
                                                                : TypeOf(operand)));
      }
      const bool lower = op == "$gt" || op == "$gte";
      std::optional<double>& slot = lower ? lo : hi;
      if (slot.has_value()) {
        return FilterError(at, lower ? "$gt and $gte both set a lower bound"
                                     : "$lt and $lte both set an upper bound");
      }
      slot = bound;
      (lower ? lo_inclusive : hi_inclusive) = op == "$gte" || op == "$lte";
    } else {
      return FilterError(at, absl::StrCat("unknown operator '", op,
                                          "' (use $eq, $in, $gt, $gte, $lt or $lte; filters "
                                          "match top-level scalar fields)"));
    }
  }
  if (lo.has_value() || hi.has_value()) {
    if (lo.has_value() && hi.has_value() && *lo > *hi) {
      return FilterError(at, absl::StrCat("the lower bound ", Value(*lo).ToJson(),
                                          " is greater than the upper bound ",
                                          Value(*hi).ToJson()));
    }
    conditions.push_back(VectorFilter::Range(field, lo, hi, lo_inclusive, hi_inclusive));
  }
  if (conditions.size() == 1) return std::move(conditions.front());
  return VectorFilter::And(std::move(conditions));
}

// {"$and": [...]} or {"$or": [...]}: a non-empty array of filters.
absl::StatusOr<VectorFilter> ParseCombination(const std::string& op, const Value& v,
                                              const std::string& where) {
  const std::string at = where.empty() ? op : absl::StrCat(where, ".", op);
  if (!v.is_array()) {
    return FilterError(at, absl::StrCat("needs an array of filters, got ", TypeOf(v)));
  }
  const Value::Array& items = v.AsArray();
  if (items.empty()) return FilterError(at, "needs at least one filter");
  std::vector<VectorFilter> children;
  children.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    auto child = ParseFilter(items[i], absl::StrCat(at, "[", i, "]"));
    if (!child.ok()) return child.status();
    children.push_back(*std::move(child));
  }
  return op == "$and" ? VectorFilter::And(std::move(children))
                      : VectorFilter::Or(std::move(children));
}

// A filter object; its members are ANDed. The recursion is bounded by
// kMaxValueDepth (Value::FromJson refuses deeper text); the library checks
// kMaxFilterDepth and kMaxFilterNodes.
absl::StatusOr<VectorFilter> ParseFilter(const Value& v, const std::string& where) {
  if (!v.is_object()) {
    return FilterError(where, absl::StrCat("a filter must be a JSON object, got ", TypeOf(v)));
  }
  const Value::Object& members = v.AsObject();
  if (members.empty()) return FilterError(where, "{} has no condition");
  std::vector<VectorFilter> conditions;
  for (const auto& [name, value] : members) {
    absl::StatusOr<VectorFilter> condition;
    if (name == "$and" || name == "$or") {
      condition = ParseCombination(name, value, where);
    } else if (!name.empty() && name.front() == '$') {
      return FilterError(where, absl::StrCat("unknown operator '", name,
                                             "' (use $and, $or or a field name)"));
    } else {
      condition = ParseFieldCondition(name, value, where);
    }
    if (!condition.ok()) return condition.status();
    conditions.push_back(*std::move(condition));
  }
  if (conditions.size() == 1) return std::move(conditions.front());
  return VectorFilter::And(std::move(conditions));
}

absl::StatusOr<std::optional<VectorFilter>> FilterOption(const Invocation& inv) {
  const std::optional<std::string> text = inv.Get("filter");
  if (!text.has_value()) return std::optional<VectorFilter>();
  auto parsed = Value::FromJson(*text);
  if (!parsed.ok()) {
    return FilterError("", absl::StrCat("malformed JSON: ", parsed.status().message()));
  }
  auto filter = ParseFilter(*parsed, "");
  if (!filter.ok()) return filter.status();
  return std::optional<VectorFilter>(*std::move(filter));
}

}  // namespace

absl::Status CmdVectorCreate(Session& s, const Invocation& inv) {
  CollectionSpec spec;
  spec.name = inv.args[0];
  auto dimension = ParseUintArg(inv.args[1], "DIMENSION");
  if (!dimension.ok()) return dimension.status();
  if (*dimension < 1 || *dimension > kMaxVectorDimension) {
    return Invalid(absl::StrCat("DIMENSION is ", *dimension, "; it must be in 1..",
                                kMaxVectorDimension));
  }
  spec.dimension = static_cast<uint32_t>(*dimension);
  if (const std::optional<std::string> metric = inv.Get("metric"); metric.has_value()) {
    const std::optional<VectorMetric> m = VectorMetricFromName(*metric);
    if (!m.has_value()) {
      return Invalid(
          absl::StrCat("unknown metric '", *metric, "': use cosine, euclidean or dot"));
    }
    spec.metric = *m;
  }
  const std::pair<std::string_view, uint32_t*> options[] = {
      {"m", &spec.index.m},
      {"ef-construction", &spec.index.ef_construction},
      {"ef-search", &spec.index.ef_search},
      {"exact-threshold", &spec.index.exact_threshold},
  };
  for (const auto& [name, field] : options) {
    auto n = Uint32Option(inv, name);
    if (!n.ok()) return n.status();
    if (n->has_value()) *field = **n;
  }
  if (s.txn) return ReportWrite(s, s.txn->CreateCollection(s.run, spec));
  return ReportWrite(s, s.db->CreateCollection(s.run, spec));
}

absl::Status CmdVectorList(Session& s, const Invocation& /*inv*/) {
  auto collections = s.txn ? s.txn->ListCollections(s.run) : s.db->ListCollections(s.run);
  if (!collections.ok()) return collections.status();
  for (const CollectionInfo& c : *collections) {
    if (s.json) {
      EmitObject(s, CollectionObject(c));
    } else {
      EmitLine(s, CollectionSummary(s, c));
    }
  }
  return absl::OkStatus();
}

absl::Status CmdVectorDescribe(Session& s, const Invocation& inv) {
  auto info = s.txn ? s.txn->DescribeCollection(s.run, inv.args[0])
                    : s.db->DescribeCollection(s.run, inv.args[0]);
  if (!info.ok()) return info.status();
  const std::string version = info->version == 0 && s.txn ? std::string("(uncommitted)")
                                                           : absl::StrCat(info->version);
  EmitRecord(s, CollectionObject(*info),
             {{"name", info->name},
              {"dimension", absl::StrCat(info->dimension)},
              {"metric", std::string(VectorMetricName(info->metric))},
              {"count", absl::StrCat(info->count)},
              {"m", absl::StrCat(info->index.m)},
              {"ef_construction", absl::StrCat(info->index.ef_construction)},
              {"ef_search", absl::StrCat(info->index.ef_search)},
              {"exact_threshold", absl::StrCat(info->index.exact_threshold)},
              {"version", version}});
  return absl::OkStatus();
}

absl::Status CmdVectorDrop(Session& s, const Invocation& inv) {
  if (s.txn) return ReportWrite(s, s.txn->DropCollection(s.run, inv.args[0]));
  return ReportWrite(s, s.db->DropCollection(s.run, inv.args[0]));
}

absl::Status CmdVectorPut(Session& s, const Invocation& inv) {
  auto vector = ParseVectorArg(inv.args[2], "VECTOR");
  if (!vector.ok()) return vector.status();
  Value metadata;
  if (inv.args.size() > 3) {
    auto parsed = ParseValueArg(inv.args[3]);
    if (!parsed.ok()) return WithContext(parsed.status(), "METADATA: ");
    metadata = *std::move(parsed);
  }
  const std::string& collection = inv.args[0];
  const std::string& key = inv.args[1];
  if (s.txn) {
    return ReportWrite(
        s, s.txn->VectorUpsert(s.run, collection, key, *std::move(vector), std::move(metadata)));
  }
  return ReportWrite(
      s, s.db->VectorUpsert(s.run, collection, key, *std::move(vector), std::move(metadata)));
}

absl::Status CmdVectorGet(Session& s, const Invocation& inv) {
  const std::string& collection = inv.args[0];
  const std::string& key = inv.args[1];
  absl::StatusOr<Versioned<VectorEntry>> entry;
  if (const std::optional<std::string> at = inv.Get("at"); at.has_value()) {
    // Reading as of a version exists only on the database.
    if (s.txn) {
      return MakeError(ErrorCode::kFailedPrecondition,
                       "'vector get --at' is not available inside a transaction (commit or "
                       "rollback first)");
    }
    auto version = ParseUintArg(*at, "--at");
    if (!version.ok()) return version.status();
    entry = s.db->VectorGetAt(s.run, collection, key, *version);
  } else {
    entry = s.txn ? s.txn->VectorGet(s.run, collection, key)
                  : s.db->VectorGet(s.run, collection, key);
  }
  if (!entry.ok()) return entry.status();
  if (s.json) {
    EmitObject(s, {{"key", key},
                   {"vector", FloatsValue(entry->value.vector)},
                   {"metadata", entry->value.metadata},
                   {"version", entry->version},
                   {"timestamp_us", entry->timestamp_us}});
  } else {
    EmitLine(s, VectorEntryLine(s, *entry));
  }
  return absl::OkStatus();
}

absl::Status CmdVectorDelete(Session& s, const Invocation& inv) {
  if (s.txn) return ReportWrite(s, s.txn->VectorDelete(s.run, inv.args[0], inv.args[1]));
  return ReportWrite(s, s.db->VectorDelete(s.run, inv.args[0], inv.args[1]));
}

absl::Status CmdVectorCount(Session& s, const Invocation& inv) {
  auto n = s.txn ? s.txn->VectorCount(s.run, inv.args[0]) : s.db->VectorCount(s.run, inv.args[0]);
  if (!n.ok()) return n.status();
  EmitNumber(s, "count", *n);
  return absl::OkStatus();
}

absl::Status CmdVectorSearch(Session& s, const Invocation& inv) {
  VectorSearchRequest request;
  auto query = ParseVectorArg(inv.args[1], "QUERY");
  if (!query.ok()) return query.status();
  request.query = *std::move(query);
  auto k = Uint32Option(inv, "k");
  if (!k.ok()) return k.status();
  if (k->has_value()) {
    if (**k < 1 || **k > kMaxSearchK) {
      return Invalid(absl::StrCat("--k is ", **k, "; it must be in 1..", kMaxSearchK));
    }
    request.k = **k;
  }
  auto ef = Uint32Option(inv, "ef");
  if (!ef.ok()) return ef.status();
  if (ef->has_value()) request.ef_search = **ef;
  auto filter = FilterOption(inv);
  if (!filter.ok()) return filter.status();
  request.filter = *std::move(filter);

  auto result = s.txn ? s.txn->VectorSearch(s.run, inv.args[0], request)
                      : s.db->VectorSearch(s.run, inv.args[0], request);
  if (!result.ok()) return result.status();
  if (s.json) {
    // One object per result line, like every --json result; its "hits"
    // member is the array of hits, best first.
    Value::Array hits;
    hits.reserve(result->hits.size());
    for (size_t i = 0; i < result->hits.size(); ++i) {
      hits.emplace_back(VectorHitObject(i + 1, result->hits[i]));
    }
    EmitObject(s, {{"hits", Value(std::move(hits))},
                   {"exact", result->exact},
                   {"candidates", result->candidates}});
    return absl::OkStatus();
  }
  for (size_t i = 0; i < result->hits.size(); ++i) {
    EmitLine(s, VectorHitLine(s, i + 1, result->hits[i]));
  }
  return absl::OkStatus();
}

}  // namespace strata::cli
