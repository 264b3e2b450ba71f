// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// The command table of the strata shell and what the command handlers share:
// the session (database, open transaction, current run, output mode) and the
// parsed invocation. Internal to src/cli.
//
// Thread safety: a Session is used by one thread.
#ifndef STRATA_CLI_COMMANDS_HPP_
#define STRATA_CLI_COMMANDS_HPP_

#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "strata/database.hpp"

namespace strata::cli {

// What one shell has open. `txn` is the transaction started by `begin`, if
// any; commands run inside it while it is set.
struct Session {
  Database* db = nullptr;
  std::unique_ptr<Transaction> txn;
  std::string run = kDefaultRun;  // The current run (`use`).
  bool json = false;              // --json: one JSON object per result line.
  bool quit = false;              // Set by quit/exit.
  std::FILE* out = stdout;
  std::FILE* err = stderr;
};

struct CommandSpec;

// A command line after option parsing.
struct Invocation {
  const CommandSpec* spec = nullptr;
  std::vector<std::string> args;  // Positional arguments, in order.
  // Option name (without --) -> values in order; "" for a flag.
  std::map<std::string, std::vector<std::string>, std::less<>> options;

  bool Has(std::string_view name) const { return options.find(name) != options.end(); }
  // The value of a single-valued option, if given.
  std::optional<std::string> Get(std::string_view name) const;
  // Every value of a repeatable option.
  std::vector<std::string> All(std::string_view name) const;
};

using Handler = absl::Status (*)(Session&, const Invocation&);

struct OptionSpec {
  std::string_view name;  // Without the leading --.
  bool takes_value = true;
  bool repeatable = false;
};

struct CommandSpec {
  std::string_view name;     // "kv put"; one or two words.
  std::string_view args;     // Usage after the name: "KEY VALUE".
  std::string_view section;  // Heading in the help overview.
  std::string_view summary;  // One line.
  std::string_view details;  // More help; may be empty.
  std::string_view example;  // One example line; may be empty.
  int min_args = 0;
  int max_args = 0;
  std::vector<OptionSpec> options;
  Handler handler = nullptr;
  // Database-only commands are refused inside a transaction (the
  // Transaction interface has no such operation).
  bool database_only = false;
  std::string_view alias_of;  // Non-empty for an alias ("kv scan").
};

// Every command, in help order.
const std::vector<CommandSpec>& Commands();

// True for the first word of a command ("kv", "stats", "use").
bool IsCommandWord(std::string_view word);

// "NAME ARGS": the usage line of a command.
std::string UsageLine(const CommandSpec& spec);

// Finds the command named by the first one or two `words`; sets *consumed to
// the number of words that named it. InvalidArgument for an unknown command
// (suggesting the closest name) or a group given without a subcommand.
absl::StatusOr<const CommandSpec*> FindCommand(const std::vector<std::string>& words,
                                               size_t* consumed);

// Parses options and checks arity. InvalidArgument with the usage line.
absl::StatusOr<Invocation> ParseInvocation(const CommandSpec& spec,
                                           const std::vector<std::string>& words,
                                           size_t first);

// Completion candidates for the word being typed, given the words before it.
std::vector<std::string> CompletionCandidates(const std::vector<std::string>& before,
                                              std::string_view prefix);

// Help text: the overview (no topic), a group ("kv") or a command ("kv put").
absl::StatusOr<std::string> HelpText(const std::vector<std::string>& topic);

// --- Handlers, one file per group (cmd_*.cpp).
absl::Status CmdRunCreate(Session& s, const Invocation& inv);
absl::Status CmdUse(Session& s, const Invocation& inv);
absl::Status CmdRunList(Session& s, const Invocation& inv);
absl::Status CmdRunShow(Session& s, const Invocation& inv);
absl::Status CmdRunEnd(Session& s, const Invocation& inv);
absl::Status CmdRunArchive(Session& s, const Invocation& inv);
absl::Status CmdRunDelete(Session& s, const Invocation& inv);

absl::Status CmdKvPut(Session& s, const Invocation& inv);
absl::Status CmdKvGet(Session& s, const Invocation& inv);
absl::Status CmdKvDel(Session& s, const Invocation& inv);
absl::Status CmdKvList(Session& s, const Invocation& inv);
absl::Status CmdKvHistory(Session& s, const Invocation& inv);
absl::Status CmdKvGetAt(Session& s, const Invocation& inv);

absl::Status CmdEventAppend(Session& s, const Invocation& inv);
absl::Status CmdEventGet(Session& s, const Invocation& inv);
absl::Status CmdEventRange(Session& s, const Invocation& inv);
absl::Status CmdEventByType(Session& s, const Invocation& inv);
absl::Status CmdEventVerify(Session& s, const Invocation& inv);
absl::Status CmdEventLen(Session& s, const Invocation& inv);

absl::Status CmdStateInit(Session& s, const Invocation& inv);
absl::Status CmdStateGet(Session& s, const Invocation& inv);
absl::Status CmdStateSet(Session& s, const Invocation& inv);
absl::Status CmdStateCas(Session& s, const Invocation& inv);
absl::Status CmdStateDel(Session& s, const Invocation& inv);
absl::Status CmdStateList(Session& s, const Invocation& inv);

absl::Status CmdTraceRecord(Session& s, const Invocation& inv);
absl::Status CmdTraceBegin(Session& s, const Invocation& inv);
absl::Status CmdTraceEnd(Session& s, const Invocation& inv);
absl::Status CmdTraceGet(Session& s, const Invocation& inv);
absl::Status CmdTraceQuery(Session& s, const Invocation& inv);
absl::Status CmdTraceTree(Session& s, const Invocation& inv);

absl::Status CmdJsonCreate(Session& s, const Invocation& inv);
absl::Status CmdJsonGet(Session& s, const Invocation& inv);
absl::Status CmdJsonSet(Session& s, const Invocation& inv);
absl::Status CmdJsonDel(Session& s, const Invocation& inv);
absl::Status CmdJsonPatch(Session& s, const Invocation& inv);
absl::Status CmdJsonMerge(Session& s, const Invocation& inv);
absl::Status CmdJsonCas(Session& s, const Invocation& inv);
absl::Status CmdJsonList(Session& s, const Invocation& inv);
absl::Status CmdJsonDestroy(Session& s, const Invocation& inv);
absl::Status CmdJsonHistory(Session& s, const Invocation& inv);
absl::Status CmdJsonGetAt(Session& s, const Invocation& inv);

absl::Status CmdVectorCreate(Session& s, const Invocation& inv);
absl::Status CmdVectorList(Session& s, const Invocation& inv);
absl::Status CmdVectorDescribe(Session& s, const Invocation& inv);
absl::Status CmdVectorDrop(Session& s, const Invocation& inv);
absl::Status CmdVectorPut(Session& s, const Invocation& inv);
absl::Status CmdVectorGet(Session& s, const Invocation& inv);
absl::Status CmdVectorDelete(Session& s, const Invocation& inv);
absl::Status CmdVectorCount(Session& s, const Invocation& inv);
absl::Status CmdVectorSearch(Session& s, const Invocation& inv);

absl::Status CmdSearch(Session& s, const Invocation& inv);

absl::Status CmdGet(Session& s, const Invocation& inv);
absl::Status CmdHistory(Session& s, const Invocation& inv);
absl::Status CmdCount(Session& s, const Invocation& inv);
absl::Status CmdBegin(Session& s, const Invocation& inv);
absl::Status CmdCommit(Session& s, const Invocation& inv);
absl::Status CmdRollback(Session& s, const Invocation& inv);
absl::Status CmdStats(Session& s, const Invocation& inv);
absl::Status CmdInfo(Session& s, const Invocation& inv);
absl::Status CmdCheckpoint(Session& s, const Invocation& inv);
absl::Status CmdCompact(Session& s, const Invocation& inv);
absl::Status CmdExport(Session& s, const Invocation& inv);
absl::Status CmdImport(Session& s, const Invocation& inv);
absl::Status CmdHelp(Session& s, const Invocation& inv);
absl::Status CmdQuit(Session& s, const Invocation& inv);

}  // namespace strata::cli

#endif  // STRATA_CLI_COMMANDS_HPP_
