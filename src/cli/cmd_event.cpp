// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Event log commands.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "cli/tokenizer.hpp"
#include "strata/status.hpp"

namespace strata::cli {
namespace {

void EmitEventLine(Session& s, const Versioned<Event>& e) {
  if (s.json) {
    EmitObject(s, EventObject(e));
    return;
  }
  EmitLine(s, absl::StrCat(e.value.seq, "  ", FormatTime(e.value.timestamp_us), "  ",
                           e.value.type, "  ", e.value.payload.ToJson()));
}

// Lists the events `query` selects, at most --limit, paging as needed.
absl::Status ListEvents(Session& s, const Invocation& inv, EventQuery query) {
  auto limit = LimitOption(inv);
  if (!limit.ok()) return limit.status();
  uint64_t printed = 0;
  while (true) {
    // One past the limit tells whether more remain.
    query.limit = static_cast<uint32_t>(std::min<uint64_t>(*limit + 1 - printed, kMaxListLimit));
    auto page = s.txn ? s.txn->EventList(s.run, query) : s.db->EventList(s.run, query);
    if (!page.ok()) return page.status();
    for (const Versioned<Event>& e : page->events) {
      if (printed == *limit) {
        EmitMoreNote(s);
        return absl::OkStatus();
      }
      EmitEventLine(s, e);
      ++printed;
    }
    if (page->next_seq == 0) return absl::OkStatus();
    query.from_seq = page->next_seq;
  }
}

}  // namespace

absl::Status CmdEventAppend(Session& s, const Invocation& inv) {
  Value payload;
  if (inv.args.size() > 1) {
    auto parsed = ParseValueArg(inv.args[1]);
    if (!parsed.ok()) return parsed.status();
    payload = *std::move(parsed);
  }
  auto appended = s.txn ? s.txn->EventAppend(s.run, inv.args[0], std::move(payload))
                        : s.db->EventAppend(s.run, inv.args[0], std::move(payload));
  if (!appended.ok()) return appended.status();
  if (s.json) {
    Value::Object o{{"seq", appended->seq}, {"hash", Hex64(appended->hash)}};
    if (!s.txn) o["version"] = appended->version;
    EmitObject(s, std::move(o));
  } else if (s.txn) {
    EmitLine(s, absl::StrCat("seq ", appended->seq, " (in transaction)"));
  } else {
    EmitLine(s, absl::StrCat("seq ", appended->seq, " (version ", appended->version, ")"));
  }
  return absl::OkStatus();
}

absl::Status CmdEventGet(Session& s, const Invocation& inv) {
  auto seq = ParseUintArg(inv.args[0], "SEQ");
  if (!seq.ok()) return seq.status();
  auto e = s.txn ? s.txn->EventRead(s.run, *seq) : s.db->EventRead(s.run, *seq);
  if (!e.ok()) return e.status();
  EmitRecord(s, EventObject(*e),
             {{"seq", absl::StrCat(e->value.seq)},
              {"type", e->value.type},
              {"payload", e->value.payload.ToJson()},
              {"time", FormatTime(e->value.timestamp_us)},
              {"prev_hash", Hex64(e->value.prev_hash)},
              {"hash", Hex64(e->value.hash)},
              {"version", absl::StrCat(e->version)}});
  return absl::OkStatus();
}

absl::Status CmdEventRange(Session& s, const Invocation& inv) {
  EventQuery query;
  if (!inv.args.empty()) {
    auto from = ParseUintArg(inv.args[0], "FROM");
    if (!from.ok()) return from.status();
    query.from_seq = *from;
  }
  if (inv.args.size() > 1) {
    auto to = ParseUintArg(inv.args[1], "TO");
    if (!to.ok()) return to.status();
    query.to_seq = *to;
  }
  return ListEvents(s, inv, std::move(query));
}

absl::Status CmdEventByType(Session& s, const Invocation& inv) {
  EventQuery query;
  query.type = inv.args[0];
  return ListEvents(s, inv, std::move(query));
}

absl::Status CmdEventVerify(Session& s, const Invocation& /*inv*/) {
  auto report = s.db->EventVerifyChain(s.run);
  if (!report.ok()) return report.status();
  if (s.json) {
    EmitObject(s, {{"valid", report->valid},
                   {"events_checked", report->events_checked},
                   {"first_broken_seq", report->first_broken_seq},
                   {"problem", report->problem}});
  }
  if (!report->valid) {
    return MakeError(ErrorCode::kDataLoss,
                     absl::StrCat("the event chain of run ", s.run, " is broken at seq ",
                                  report->first_broken_seq, ": ", report->problem));
  }
  if (!s.json) {
    EmitLine(s, absl::StrCat("chain OK (", report->events_checked, " events checked)"));
  }
  return absl::OkStatus();
}

absl::Status CmdEventLen(Session& s, const Invocation& /*inv*/) {
  auto n = s.txn ? s.txn->EventLength(s.run) : s.db->EventLength(s.run);
  if (!n.ok()) return n.status();
  EmitNumber(s, "length", *n);
  return absl::OkStatus();
}

}  // namespace strata::cli
