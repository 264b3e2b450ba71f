// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// JSON document commands.
#include <algorithm>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "cli/tokenizer.hpp"

namespace strata::cli {

absl::Status CmdJsonCreate(Session& s, const Invocation& inv) {
  auto doc = ParseValueArg(inv.args[1]);
  if (!doc.ok()) return doc.status();
  if (s.txn) return ReportWrite(s, s.txn->JsonCreate(s.run, inv.args[0], *std::move(doc)));
  return ReportWrite(s, s.db->JsonCreate(s.run, inv.args[0], *std::move(doc)));
}

absl::Status CmdJsonGet(Session& s, const Invocation& inv) {
  const std::string path = inv.args.size() > 1 ? inv.args[1] : "";
  return ReportValue(s, s.txn ? s.txn->JsonGet(s.run, inv.args[0], path)
                              : s.db->JsonGet(s.run, inv.args[0], path));
}

absl::Status CmdJsonSet(Session& s, const Invocation& inv) {
  auto value = ParseValueArg(inv.args[2]);
  if (!value.ok()) return value.status();
  if (s.txn) {
    return ReportWrite(s, s.txn->JsonSet(s.run, inv.args[0], inv.args[1], *std::move(value)));
  }
  return ReportWrite(s, s.db->JsonSet(s.run, inv.args[0], inv.args[1], *std::move(value)));
}

absl::Status CmdJsonDel(Session& s, const Invocation& inv) {
  if (s.txn) return ReportWrite(s, s.txn->JsonDelete(s.run, inv.args[0], inv.args[1]));
  return ReportWrite(s, s.db->JsonDelete(s.run, inv.args[0], inv.args[1]));
}

absl::Status CmdJsonPatch(Session& s, const Invocation& inv) {
  auto patch = ParseValueArg(inv.args[1]);
  if (!patch.ok()) return patch.status();
  if (s.txn) return ReportWrite(s, s.txn->JsonPatch(s.run, inv.args[0], *patch));
  return ReportWrite(s, s.db->JsonPatch(s.run, inv.args[0], *patch));
}

absl::Status CmdJsonMerge(Session& s, const Invocation& inv) {
  auto patch = ParseValueArg(inv.args[1]);
  if (!patch.ok()) return patch.status();
  if (s.txn) return ReportWrite(s, s.txn->JsonMergePatch(s.run, inv.args[0], *patch));
  return ReportWrite(s, s.db->JsonMergePatch(s.run, inv.args[0], *patch));
}

absl::Status CmdJsonCas(Session& s, const Invocation& inv) {
  auto version = ParseUintArg(inv.args[1], "VERSION");
  if (!version.ok()) return version.status();
  auto patch = ParseValueArg(inv.args[2]);
  if (!patch.ok()) return patch.status();
  if (s.txn) return ReportWrite(s, s.txn->JsonCas(s.run, inv.args[0], *version, *patch));
  return ReportWrite(s, s.db->JsonCas(s.run, inv.args[0], *version, *patch));
}

absl::Status CmdJsonList(Session& s, const Invocation& inv) {
  auto limit = LimitOption(inv);
  if (!limit.ok()) return limit.status();
  ListRequest request;
  if (!inv.args.empty()) request.prefix = inv.args[0];
  uint64_t printed = 0;
  while (true) {
    // One past the limit tells whether more remain.
    request.limit =
        static_cast<uint32_t>(std::min<uint64_t>(*limit + 1 - printed, kMaxListLimit));
    auto page = s.txn ? s.txn->JsonList(s.run, request) : s.db->JsonList(s.run, request);
    if (!page.ok()) return page.status();
    for (const std::string& id : page->ids) {
      if (printed == *limit) {
        EmitMoreNote(s);
        return absl::OkStatus();
      }
      if (s.json) {
        EmitObject(s, {{"id", id}});
      } else {
        EmitLine(s, id);
      }
      ++printed;
    }
    if (page->next_cursor.empty()) return absl::OkStatus();
    request.cursor = std::move(page->next_cursor);
  }
}

absl::Status CmdJsonDestroy(Session& s, const Invocation& inv) {
  if (s.txn) return ReportWrite(s, s.txn->JsonDestroy(s.run, inv.args[0]));
  return ReportWrite(s, s.db->JsonDestroy(s.run, inv.args[0]));
}

absl::Status CmdJsonHistory(Session& s, const Invocation& inv) {
  auto limit = LimitOption(inv);
  if (!limit.ok()) return limit.status();
  auto versions = s.db->JsonHistory(s.run, inv.args[0], static_cast<uint32_t>(*limit));
  if (!versions.ok()) return versions.status();
  EmitHistory(s, *versions);
  return absl::OkStatus();
}

absl::Status CmdJsonGetAt(Session& s, const Invocation& inv) {
  auto version = ParseUintArg(inv.args[1], "VERSION");
  if (!version.ok()) return version.status();
  const std::string path = inv.args.size() > 2 ? inv.args[2] : "";
  return ReportValue(s, s.db->JsonGetAt(s.run, inv.args[0], path, *version));
}

}  // namespace strata::cli
