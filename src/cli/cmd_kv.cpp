// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Key-value and state-cell commands.
#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "cli/tokenizer.hpp"

namespace strata::cli {
namespace {

// Lists with the --limit of `inv`, paging through `page`.
absl::Status ListEntries(Session& s, const Invocation& inv, const KvPageFn& page) {
  auto limit = LimitOption(inv);
  if (!limit.ok()) return limit.status();
  bool more = false;
  auto entries = CollectEntries(page, inv.args.empty() ? "" : inv.args[0], *limit, &more);
  if (!entries.ok()) return entries.status();
  EmitEntries(s, *entries);
  if (more) EmitMoreNote(s);
  return absl::OkStatus();
}

}  // namespace

absl::Status CmdKvPut(Session& s, const Invocation& inv) {
  auto value = ParseValueArg(inv.args[1]);
  if (!value.ok()) return value.status();
  if (s.txn) return ReportWrite(s, s.txn->KvPut(s.run, inv.args[0], *std::move(value)));
  return ReportWrite(s, s.db->KvPut(s.run, inv.args[0], *std::move(value)));
}

absl::Status CmdKvGet(Session& s, const Invocation& inv) {
  return ReportValue(s, s.txn ? s.txn->KvGet(s.run, inv.args[0]) : s.db->KvGet(s.run, inv.args[0]));
}

absl::Status CmdKvDel(Session& s, const Invocation& inv) {
  if (s.txn) return ReportWrite(s, s.txn->KvDelete(s.run, inv.args[0]));
  return ReportWrite(s, s.db->KvDelete(s.run, inv.args[0]));
}

absl::Status CmdKvList(Session& s, const Invocation& inv) {
  return ListEntries(s, inv, [&s](const ListRequest& r) {
    return s.txn ? s.txn->KvList(s.run, r) : s.db->KvList(s.run, r);
  });
}

absl::Status CmdKvHistory(Session& s, const Invocation& inv) {
  auto limit = LimitOption(inv);
  if (!limit.ok()) return limit.status();
  auto versions = s.db->KvHistory(s.run, inv.args[0], static_cast<uint32_t>(*limit));
  if (!versions.ok()) return versions.status();
  EmitHistory(s, *versions);
  return absl::OkStatus();
}

absl::Status CmdKvGetAt(Session& s, const Invocation& inv) {
  auto version = ParseUintArg(inv.args[1], "VERSION");
  if (!version.ok()) return version.status();
  return ReportValue(s, s.db->KvGetAt(s.run, inv.args[0], *version));
}

absl::Status CmdStateInit(Session& s, const Invocation& inv) {
  auto value = ParseValueArg(inv.args[1]);
  if (!value.ok()) return value.status();
  if (s.txn) return ReportWrite(s, s.txn->StateInit(s.run, inv.args[0], *std::move(value)));
  return ReportWrite(s, s.db->StateInit(s.run, inv.args[0], *std::move(value)));
}

absl::Status CmdStateGet(Session& s, const Invocation& inv) {
  return ReportValue(s, s.txn ? s.txn->StateRead(s.run, inv.args[0])
                              : s.db->StateRead(s.run, inv.args[0]));
}

absl::Status CmdStateSet(Session& s, const Invocation& inv) {
  auto value = ParseValueArg(inv.args[1]);
  if (!value.ok()) return value.status();
  if (s.txn) return ReportWrite(s, s.txn->StateSet(s.run, inv.args[0], *std::move(value)));
  return ReportWrite(s, s.db->StateSet(s.run, inv.args[0], *std::move(value)));
}

absl::Status CmdStateCas(Session& s, const Invocation& inv) {
  auto version = ParseUintArg(inv.args[1], "VERSION");
  if (!version.ok()) return version.status();
  auto value = ParseValueArg(inv.args[2]);
  if (!value.ok()) return value.status();
  if (s.txn) {
    return ReportWrite(s, s.txn->StateCas(s.run, inv.args[0], *version, *std::move(value)));
  }
  return ReportWrite(s, s.db->StateCas(s.run, inv.args[0], *version, *std::move(value)));
}

absl::Status CmdStateDel(Session& s, const Invocation& inv) {
  if (s.txn) return ReportWrite(s, s.txn->StateDelete(s.run, inv.args[0]));
  return ReportWrite(s, s.db->StateDelete(s.run, inv.args[0]));
}

absl::Status CmdStateList(Session& s, const Invocation& inv) {
  return ListEntries(s, inv, [&s](const ListRequest& r) {
    return s.txn ? s.txn->StateList(s.run, r) : s.db->StateList(s.run, r);
  });
}

}  // namespace strata::cli
