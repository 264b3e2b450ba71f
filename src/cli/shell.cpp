// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
#include "cli/shell.hpp"

#include <utility>

#include "absl/strings/str_cat.h"
#include "cli/strings.hpp"
#include "cli/tokenizer.hpp"
#include "strata/status.hpp"

namespace strata::cli {

Shell::Shell(std::unique_ptr<Database> db, const ShellOptions& options) : db_(std::move(db)) {
  session_.db = db_.get();
  session_.json = options.json;
  session_.out = options.out;
  session_.err = options.err;
}

Shell::~Shell() { Close().IgnoreError(); }

absl::Status Shell::ExecuteLine(std::string_view line) {
  auto words = Tokenize(line);
  if (!words.ok()) return words.status();
  return Execute(*words);
}

absl::Status Shell::Execute(const std::vector<std::string>& words) {
  if (words.empty()) return absl::OkStatus();
  if (db_ == nullptr) return MakeError(ErrorCode::kClosed, "the database is closed");
  size_t consumed = 0;
  auto spec = FindCommand(words, &consumed);
  if (!spec.ok()) return spec.status();
  auto inv = ParseInvocation(**spec, words, consumed);
  if (!inv.ok()) return inv.status();
  if (session_.txn && (*spec)->database_only) {
    return MakeError(ErrorCode::kFailedPrecondition,
                     absl::StrCat("'", Sv((*spec)->name),
                                  "' is not available inside a transaction (commit or "
                                  "rollback first)"));
  }
  absl::Status status = (*spec)->handler(session_, *inv);
  std::fflush(session_.out);
  return status;
}

absl::Status Shell::UseRun(std::string_view run) {
  if (absl::Status valid = ValidateRunId(run); !valid.ok()) return valid;
  auto got = db_->GetRun(run);
  if (!got.ok()) return got.status();
  session_.run = std::string(run);
  return absl::OkStatus();
}

std::string Shell::Prompt() const {
  return absl::StrCat("strata:", session_.run, session_.txn ? "*" : "", "> ");
}

absl::Status Shell::Close() {
  if (db_ == nullptr) return absl::OkStatus();
  if (session_.txn) {
    session_.txn->Rollback();
    session_.txn.reset();
    std::fprintf(session_.err, "warning: the open transaction was rolled back\n");
  }
  absl::Status status = db_->Close();
  session_.db = nullptr;
  db_.reset();
  return status;
}

std::string FormatError(const absl::Status& status) {
  return absl::StrCat("error: ", Sv(ErrorName(GetErrorCode(status))), ": ", status.message());
}

std::string ProgramHelp() {
  constexpr size_t kHelpWidth = 80;
  constexpr size_t kNameColumn = 18;
  std::string text =
      "usage: strata [OPTIONS] [PATH] [COMMAND [ARGS...]]\n"
      "\n"
      "The Strata shell. Opens the database in directory PATH (default ./strata.db,\n"
      "created if absent), then runs COMMAND and exits; or, without COMMAND, runs the\n"
      "commands read from standard input (one per line), or an interactive shell with\n"
      "line editing, history and tab completion when standard input is a terminal.\n"
      "\n"
      "Options (before COMMAND):\n"
      "  --in-memory           use a scratch database with no files (no PATH)\n"
      "  --durability MODE     buffered (default: commits are synced within 10 ms)\n"
      "                        or strict (every commit is synced before it returns)\n"
      "  --run ID              start in run ID instead of \"default\"\n"
      "  --json                print results as JSON, one object per line\n"
      "  --bail                stop at the first failing command of a script\n"
      "  --search-index        keep a keyword index of every run (built at open;\n"
      "                        without it, search scans)\n"
      "  -h, --help            print this help and exit\n"
      "  -V, --version         print the version and exit\n"
      "\n"
      "Commands (type 'help' or 'help COMMAND' in the shell; see docs/cli.md):\n";
  std::string_view section;
  std::vector<std::string> names;
  // "  Section         name, name, ..." wrapped at kHelpWidth.
  auto flush = [&] {
    if (section.empty()) return;
    std::string line = absl::StrCat("  ", Sv(section));
    line.resize(kNameColumn, ' ');
    for (size_t i = 0; i < names.size(); ++i) {
      const std::string item = names[i] + (i + 1 < names.size() ? "," : "");
      if (line.size() + 1 + item.size() > kHelpWidth && line.size() > kNameColumn) {
        absl::StrAppend(&text, line, "\n");
        line = std::string(kNameColumn, ' ');
      } else if (line.size() > kNameColumn) {
        line += ' ';
      }
      line += item;
    }
    absl::StrAppend(&text, line, "\n");
    names.clear();
  };
  for (const CommandSpec& c : Commands()) {
    if (c.section != section) {
      flush();
      section = c.section;
    }
    names.emplace_back(c.name);
  }
  flush();
  absl::StrAppend(
      &text,
      "\n"
      "Values: a word that is JSON (42, true, null, \"text\", [1, 2], {\"a\": 1}) is stored\n"
      "as JSON; any other word is a string.\n"
      "\n"
      "Examples:\n"
      "  strata ./agent.db kv put user:1 '{\"name\": \"Ada\"}'\n"
      "  strata ./agent.db kv get user:1\n"
      "  strata --json ./agent.db event range\n"
      "  strata ./agent.db < script.txt\n"
      "\n"
      "Exit status: 0 on success; 1 if a command failed or the database could not be\n"
      "opened or closed; 2 for invalid options.\n"
      "Environment: STRATA_HISTORY names the history file (default ~/.strata_history).\n");
  return text;
}

}  // namespace strata::cli
