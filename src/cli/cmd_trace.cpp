// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Trace span commands.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "cli/strings.hpp"
#include "cli/tokenizer.hpp"
#include "strata/status.hpp"

namespace strata::cli {
namespace {

absl::StatusOr<SpanKind> ParseKind(std::string_view text) {
  const std::optional<SpanKind> kind = SpanKindFromName(text);
  if (!kind.has_value()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     absl::StrCat("unknown span kind '", Sv(text),
                                  "': use tool_call, decision, query, thought or custom"));
  }
  return *kind;
}

// An end status: ok, error or cancelled.
absl::StatusOr<SpanStatus> ParseEndStatus(std::string_view text) {
  const std::optional<SpanStatus> status = SpanStatusFromName(text);
  if (!status.has_value() || *status == SpanStatus::kRunning) {
    return MakeError(ErrorCode::kInvalidArgument,
                     absl::StrCat("'", Sv(text),
                                  "' is not an end status: use ok, error or cancelled"));
  }
  return *status;
}

// The parts of a SpanSpec that record and begin share.
absl::StatusOr<SpanSpec> SpecFrom(const Invocation& inv) {
  SpanSpec spec;
  auto kind = ParseKind(inv.args[0]);
  if (!kind.ok()) return kind.status();
  spec.kind = *kind;
  spec.name = inv.args[1];
  auto input = ValueOption(inv, "input", Value());
  if (!input.ok()) return input.status();
  spec.input = *std::move(input);
  if (auto parent = inv.Get("parent"); parent.has_value()) {
    auto id = ParseUintArg(*parent, "--parent");
    if (!id.ok()) return id.status();
    spec.parent = *id;
  }
  spec.tags = inv.All("tag");
  return spec;
}

void EmitSpanId(Session& s, uint64_t id) {
  if (s.json) {
    EmitObject(s, {{"span", id}});
  } else {
    EmitLine(s, absl::StrCat("span ", id));
  }
}

}  // namespace

absl::Status CmdTraceRecord(Session& s, const Invocation& inv) {
  auto spec = SpecFrom(inv);
  if (!spec.ok()) return spec.status();
  auto output = ValueOption(inv, "output", Value());
  if (!output.ok()) return output.status();
  spec->output = *std::move(output);
  if (auto status = inv.Get("status"); status.has_value()) {
    auto parsed = ParseEndStatus(*status);
    if (!parsed.ok()) return WithContext(parsed.status(), "--status: ");
    spec->status = *parsed;
  }
  auto id = s.txn ? s.txn->TraceRecord(s.run, *spec) : s.db->TraceRecord(s.run, *spec);
  if (!id.ok()) return id.status();
  EmitSpanId(s, *id);
  return absl::OkStatus();
}

absl::Status CmdTraceBegin(Session& s, const Invocation& inv) {
  auto spec = SpecFrom(inv);
  if (!spec.ok()) return spec.status();
  auto id = s.txn ? s.txn->TraceBegin(s.run, *spec) : s.db->TraceBegin(s.run, *spec);
  if (!id.ok()) return id.status();
  EmitSpanId(s, *id);
  return absl::OkStatus();
}

absl::Status CmdTraceEnd(Session& s, const Invocation& inv) {
  auto id = ParseUintArg(inv.args[0], "ID");
  if (!id.ok()) return id.status();
  SpanStatus status = SpanStatus::kOk;
  if (inv.args.size() > 1) {
    auto parsed = ParseEndStatus(inv.args[1]);
    if (!parsed.ok()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       absl::StrCat(parsed.status().message(), "; usage: ", UsageLine(*inv.spec)));
    }
    status = *parsed;
  }
  Value output;
  if (inv.args.size() > 2) {
    auto parsed = ParseValueArg(inv.args[2]);
    if (!parsed.ok()) return parsed.status();
    output = *std::move(parsed);
  }
  if (s.txn) return ReportWrite(s, s.txn->TraceEnd(s.run, *id, status, std::move(output)));
  return ReportWrite(s, s.db->TraceEnd(s.run, *id, status, std::move(output)));
}

absl::Status CmdTraceGet(Session& s, const Invocation& inv) {
  auto id = ParseUintArg(inv.args[0], "ID");
  if (!id.ok()) return id.status();
  auto span = s.txn ? s.txn->TraceGet(s.run, *id) : s.db->TraceGet(s.run, *id);
  if (!span.ok()) return span.status();
  const Span& sp = span->value;
  Value::Object o = SpanObject(sp);
  o["version"] = span->version;
  EmitRecord(s, o,
             {{"id", absl::StrCat(sp.id)},
              {"kind", std::string(SpanKindName(sp.kind))},
              {"name", sp.name},
              {"status", std::string(SpanStatusName(sp.status))},
              {"parent", sp.parent == 0 ? std::string("-") : absl::StrCat(sp.parent)},
              {"input", sp.input.ToJson()},
              {"output", sp.output.ToJson()},
              {"start", FormatTime(sp.start_us)},
              {"end", FormatTime(sp.end_us)},
              {"tags", sp.tags.empty() ? std::string("-") : absl::StrJoin(sp.tags, ", ")},
              {"version", absl::StrCat(span->version)}});
  return absl::OkStatus();
}

absl::Status CmdTraceQuery(Session& s, const Invocation& inv) {
  SpanQuery query;
  if (auto kind = inv.Get("kind"); kind.has_value()) {
    auto parsed = ParseKind(*kind);
    if (!parsed.ok()) return parsed.status();
    query.kind = *parsed;
  }
  query.name = inv.Get("name");
  query.tag = inv.Get("tag");
  if (auto parent = inv.Get("parent"); parent.has_value()) {
    auto id = ParseUintArg(*parent, "--parent");
    if (!id.ok()) return id.status();
    query.parent = *id;
  }
  auto limit = LimitOption(inv);
  if (!limit.ok()) return limit.status();
  uint64_t printed = 0;
  while (true) {
    query.limit = static_cast<uint32_t>(std::min<uint64_t>(*limit + 1 - printed, kMaxListLimit));
    auto page = s.txn ? s.txn->TraceQuery(s.run, query) : s.db->TraceQuery(s.run, query);
    if (!page.ok()) return page.status();
    for (const Versioned<Span>& v : page->spans) {
      if (printed == *limit) {
        EmitMoreNote(s);
        return absl::OkStatus();
      }
      if (s.json) {
        Value::Object o = SpanObject(v.value);
        o["version"] = v.version;
        EmitObject(s, std::move(o));
      } else {
        std::string line = SpanSummary(v.value);
        if (v.value.parent != 0) absl::StrAppend(&line, "  parent #", v.value.parent);
        EmitLine(s, line);
      }
      ++printed;
    }
    if (page->next_after_id == 0) return absl::OkStatus();
    query.after_id = page->next_after_id;
  }
}

absl::Status CmdTraceTree(Session& s, const Invocation& /*inv*/) {
  auto tree = s.db->TraceTree(s.run);
  if (!tree.ok()) return tree.status();
  for (const SpanTreeNode& node : *tree) {
    if (s.json) {
      Value::Object o = SpanObject(node.span);
      o["depth"] = node.depth;
      EmitObject(s, std::move(o));
    } else {
      EmitLine(s, absl::StrCat(std::string(2 * node.depth, ' '), SpanSummary(node.span)));
    }
  }
  return absl::OkStatus();
}

}  // namespace strata::cli
