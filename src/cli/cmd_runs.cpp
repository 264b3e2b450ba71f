// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Run commands: run create/list/show/end/archive/delete and use.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "cli/strings.hpp"
#include "strata/status.hpp"

namespace strata::cli {
namespace {

absl::StatusOr<Versioned<RunInfo>> GetRun(Session& s, std::string_view id) {
  return s.txn ? s.txn->GetRun(id) : s.db->GetRun(id);
}

std::string TagsText(const std::vector<std::string>& tags) {
  return tags.empty() ? std::string("-") : absl::StrJoin(tags, ", ");
}

}  // namespace

absl::Status CmdRunCreate(Session& s, const Invocation& inv) {
  RunSpec spec;
  spec.id = inv.args[0];
  if (auto parent = inv.Get("parent"); parent.has_value()) spec.parent = *parent;
  spec.tags = inv.All("tag");
  auto meta = ValueOption(inv, "meta", Value(Value::Object{}));
  if (!meta.ok()) return meta.status();
  spec.metadata = *std::move(meta);
  if (s.txn) {
    auto id = s.txn->CreateRun(spec);
    if (!id.ok()) return id.status();
    EmitWrite(s, std::nullopt);
    return absl::OkStatus();
  }
  auto created = s.db->CreateRun(spec);
  if (!created.ok()) return created.status();
  EmitWrite(s, created->version);
  return absl::OkStatus();
}

absl::Status CmdUse(Session& s, const Invocation& inv) {
  const std::string& id = inv.args[0];
  if (absl::Status valid = ValidateRunId(id); !valid.ok()) return valid;
  auto run = GetRun(s, id);
  if (!run.ok()) return run.status();
  s.run = id;
  if (s.json) {
    EmitObject(s, {{"run", id}});
  } else {
    EmitLine(s, absl::StrCat("using run ", id));
  }
  return absl::OkStatus();
}

absl::Status CmdRunList(Session& s, const Invocation& /*inv*/) {
  auto ids = s.db->ListRuns();
  if (!ids.ok()) return ids.status();
  std::vector<Versioned<RunInfo>> runs;
  size_t width = 0;
  for (const RunId& id : *ids) {
    auto run = s.db->GetRun(id);
    if (strata::IsNotFound(run.status())) continue;  // Deleted since ListRuns.
    if (!run.ok()) return run.status();
    width = std::max(width, id.size());
    runs.push_back(*std::move(run));
  }
  for (const Versioned<RunInfo>& r : runs) {
    const RunInfo& info = r.value;
    if (s.json) {
      Value::Object o = RunObject(info, r.version);
      o["current"] = info.id == s.run;
      EmitObject(s, std::move(o));
      continue;
    }
    std::string line = absl::StrCat(info.id == s.run ? "* " : "  ", info.id,
                                    std::string(width - info.id.size(), ' '), "  ",
                                    Sv(RunStatusName(info.status)));
    if (!info.parent.empty()) absl::StrAppend(&line, "  parent=", info.parent);
    if (!info.tags.empty()) absl::StrAppend(&line, "  tags=", absl::StrJoin(info.tags, ","));
    EmitLine(s, line);
  }
  return absl::OkStatus();
}

absl::Status CmdRunShow(Session& s, const Invocation& inv) {
  const std::string id = inv.args.empty() ? s.run : inv.args[0];
  auto run = GetRun(s, id);
  if (!run.ok()) return run.status();
  const RunInfo& info = run->value;
  EmitRecord(s, RunObject(info, run->version),
             {{"id", info.id},
              {"status", std::string(RunStatusName(info.status))},
              {"parent", info.parent.empty() ? std::string("-") : info.parent},
              {"tags", TagsText(info.tags)},
              {"metadata", info.metadata.ToJson()},
              {"created", FormatTime(info.created_us)},
              {"ended", FormatTime(info.ended_us)},
              {"base_version", absl::StrCat(info.base_version)},
              {"version", absl::StrCat(run->version)}});
  return absl::OkStatus();
}

absl::Status CmdRunEnd(Session& s, const Invocation& inv) {
  const bool has_id = inv.args.size() == 2;
  const std::string id = has_id ? inv.args[0] : s.run;
  const std::string& status_name = inv.args.back();
  const std::optional<RunStatus> status = RunStatusFromName(status_name);
  if (!status.has_value() || *status == RunStatus::kActive || *status == RunStatus::kArchived) {
    return MakeError(ErrorCode::kInvalidArgument,
                     absl::StrCat("'", status_name,
                                  "' is not an end status: use completed, failed or cancelled; "
                                  "usage: ",
                                  UsageLine(*inv.spec)));
  }
  if (s.txn) return ReportWrite(s, s.txn->EndRun(id, *status));
  return ReportWrite(s, s.db->EndRun(id, *status));
}

absl::Status CmdRunArchive(Session& s, const Invocation& inv) {
  const std::string id = inv.args.empty() ? s.run : inv.args[0];
  if (s.txn) return ReportWrite(s, s.txn->ArchiveRun(id));
  return ReportWrite(s, s.db->ArchiveRun(id));
}

absl::Status CmdRunDelete(Session& s, const Invocation& inv) {
  const std::string& id = inv.args[0];
  absl::Status status = s.txn ? ReportWrite(s, s.txn->DeleteRun(id))
                              : ReportWrite(s, s.db->DeleteRun(id));
  if (status.ok() && id == s.run) {
    s.run = kDefaultRun;
    if (!s.json) EmitLine(s, absl::StrCat("using run ", kDefaultRun));
  }
  return status;
}

}  // namespace strata::cli
