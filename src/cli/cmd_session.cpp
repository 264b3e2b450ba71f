// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Commands about the session and the database as a whole: entities by
// address, transactions, stats, info, help and quit.
#include "absl/strings/str_cat.h"
#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "strata/status.hpp"
#include "strata/version.hpp"

namespace strata::cli {

absl::Status CmdGet(Session& s, const Invocation& inv) {
  auto ref = EntityRef::Parse(inv.args[0]);
  if (!ref.ok()) return ref.status();
  return ReportValue(s, s.txn ? s.txn->Get(*ref) : s.db->Get(*ref));
}

absl::Status CmdHistory(Session& s, const Invocation& inv) {
  auto ref = EntityRef::Parse(inv.args[0]);
  if (!ref.ok()) return ref.status();
  auto limit = LimitOption(inv);
  if (!limit.ok()) return limit.status();
  auto versions = s.db->History(*ref, static_cast<uint32_t>(*limit));
  if (!versions.ok()) return versions.status();
  EmitHistory(s, *versions);
  return absl::OkStatus();
}

absl::Status CmdCount(Session& s, const Invocation& inv) {
  const std::optional<Primitive> primitive = PrimitiveFromName(inv.args[0]);
  if (!primitive.has_value()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     absl::StrCat("unknown primitive '", inv.args[0],
                                  "': use kv, event, state, trace, run, json or vector"));
  }
  auto n = s.db->Count(s.run, *primitive);
  if (!n.ok()) return n.status();
  EmitNumber(s, "count", *n);
  return absl::OkStatus();
}

absl::Status CmdBegin(Session& s, const Invocation& /*inv*/) {
  if (s.txn) {
    return MakeError(ErrorCode::kFailedPrecondition,
                     "a transaction is already open (commit or rollback it first)");
  }
  auto txn = s.db->BeginTransaction();
  if (!txn.ok()) return txn.status();
  s.txn = *std::move(txn);
  const Version snapshot = s.txn->snapshot_version();
  if (s.json) {
    EmitObject(s, {{"ok", true}, {"snapshot_version", snapshot}});
  } else {
    EmitLine(s, absl::StrCat("transaction started (snapshot version ", snapshot, ")"));
  }
  return absl::OkStatus();
}

absl::Status CmdCommit(Session& s, const Invocation& /*inv*/) {
  if (!s.txn) {
    return MakeError(ErrorCode::kFailedPrecondition, "no transaction is open (use begin)");
  }
  auto version = s.txn->Commit();
  s.txn.reset();
  if (!version.ok()) {
    return WithContext(version.status(), "commit failed, the transaction was rolled back: ");
  }
  if (s.json) {
    EmitObject(s, {{"ok", true}, {"version", *version}});
  } else {
    EmitLine(s, absl::StrCat("committed (version ", *version, ")"));
  }
  return absl::OkStatus();
}

absl::Status CmdRollback(Session& s, const Invocation& /*inv*/) {
  if (!s.txn) {
    return MakeError(ErrorCode::kFailedPrecondition, "no transaction is open (use begin)");
  }
  s.txn->Rollback();
  s.txn.reset();
  if (s.json) {
    EmitObject(s, {{"ok", true}});
  } else {
    EmitLine(s, "rolled back");
  }
  return absl::OkStatus();
}

absl::Status CmdStats(Session& s, const Invocation& /*inv*/) {
  const DatabaseStats st = s.db->Stats();
  const std::vector<std::pair<std::string, uint64_t>> numbers = {
      {"current_version", st.current_version},
      {"live_keys", st.live_keys},
      {"stored_versions", st.stored_versions},
      {"memory_bytes", st.memory_bytes},
      {"commits", st.commits},
      {"conflicts", st.conflicts},
      {"wal_bytes", st.wal_bytes},
      {"wal_segments", st.wal_segments},
      {"wal_syncs", st.wal_syncs},
      {"recovered_records", st.recovered_records},
      {"discarded_bytes", st.discarded_bytes},
      {"recovered_from_snapshot", st.recovered_from_snapshot},
      {"snapshot_watermark", st.snapshot_watermark},
      {"checkpoints", st.checkpoints},
  };
  Value::Object object{{"durability", DurabilityName(st.durability)}};
  std::vector<std::pair<std::string, std::string>> lines{
      {"durability", std::string(DurabilityName(st.durability))}};
  for (const auto& [name, n] : numbers) {
    object[name] = n;
    lines.emplace_back(name, absl::StrCat(n));
  }
  EmitRecord(s, object, lines);
  return absl::OkStatus();
}

absl::Status CmdInfo(Session& s, const Invocation& /*inv*/) {
  const DatabaseInfo info = s.db->Info();
  EmitRecord(s,
             {{"path", info.path},
              {"uuid", info.uuid},
              {"format_version", info.format_version},
              {"durability", DurabilityName(info.durability)},
              {"library_version", info.library_version},
              {"shell_version", STRATA_VERSION_STRING}},
             {{"path", info.path.empty() ? std::string("(in memory)") : info.path},
              {"uuid", info.uuid.empty() ? std::string("-") : info.uuid},
              {"format_version", absl::StrCat(info.format_version)},
              {"durability", std::string(DurabilityName(info.durability))},
              {"library_version", info.library_version},
              {"shell_version", STRATA_VERSION_STRING}});
  return absl::OkStatus();
}

namespace {

void EmitCheckpoint(Session& s, const CheckpointInfo& info) {
  EmitRecord(s,
             {{"watermark", info.watermark},
              {"snapshot", info.snapshot_id},
              {"bytes", info.bytes},
              {"keys", info.keys},
              {"versions", info.versions}},
             {{"watermark", absl::StrCat(info.watermark)},
              {"snapshot", info.snapshot_id},
              {"bytes", absl::StrCat(info.bytes)},
              {"keys", absl::StrCat(info.keys)},
              {"versions", absl::StrCat(info.versions)}});
}

}  // namespace

absl::Status CmdCheckpoint(Session& s, const Invocation& /*inv*/) {
  absl::StatusOr<CheckpointInfo> info = s.db->Checkpoint();
  if (!info.ok()) return info.status();
  EmitCheckpoint(s, *info);
  return absl::OkStatus();
}

absl::Status CmdCompact(Session& s, const Invocation& inv) {
  absl::StatusOr<CompactInfo> info =
      s.db->Compact(inv.Has("full") ? CompactMode::kFull : CompactMode::kWalOnly);
  if (!info.ok()) return info.status();
  EmitRecord(s,
             {{"reclaimed_bytes", info->reclaimed_bytes},
              {"wal_segments_removed", info->wal_segments_removed},
              {"versions_removed", info->versions_removed}},
             {{"reclaimed_bytes", absl::StrCat(info->reclaimed_bytes)},
              {"wal_segments_removed", absl::StrCat(info->wal_segments_removed)},
              {"versions_removed", absl::StrCat(info->versions_removed)}});
  return absl::OkStatus();
}

absl::Status CmdExport(Session& s, const Invocation& inv) {
  absl::StatusOr<CheckpointInfo> info = s.db->Export(inv.args[0]);
  if (!info.ok()) return info.status();
  EmitCheckpoint(s, *info);
  return absl::OkStatus();
}

absl::Status CmdImport(Session& s, const Invocation& inv) {
  absl::StatusOr<std::unique_ptr<Database>> db = Database::Import(inv.args[0], inv.args[1]);
  if (!db.ok()) return db.status();
  const Version version = (*db)->CurrentVersion();
  absl::Status closed = (*db)->Close();
  if (!closed.ok()) return closed;
  EmitRecord(s, {{"path", inv.args[1]}, {"version", version}},
             {{"path", inv.args[1]}, {"version", absl::StrCat(version)}});
  return absl::OkStatus();
}

absl::Status CmdHelp(Session& s, const Invocation& inv) {
  auto text = HelpText(inv.args);
  if (!text.ok()) return text.status();
  std::fwrite(text->data(), 1, text->size(), s.out);
  return absl::OkStatus();
}

absl::Status CmdQuit(Session& s, const Invocation& /*inv*/) {
  s.quit = true;
  return absl::OkStatus();
}

}  // namespace strata::cli
