// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// The command table, command lookup with suggestions, option parsing and the
// help text.
#include "cli/commands.hpp"

#include <algorithm>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/strings.hpp"
#include "strata/status.hpp"

namespace strata::cli {
namespace {

constexpr OptionSpec kLimit{"limit", true, false};
constexpr OptionSpec kTag{"tag", true, true};
constexpr OptionSpec kParent{"parent", true, false};
constexpr OptionSpec kInput{"input", true, false};

// Width of the usage column in the help overview.
constexpr size_t kUsageColumn = 42;
// Largest edit distance for which an unknown name gets a suggestion.
constexpr size_t kMaxSuggestionDistance = 2;

// Positional so the table reads as one entry per command.
CommandSpec Make(std::string_view name, std::string_view args, std::string_view section,
                 std::string_view summary, std::string_view details, std::string_view example,
                 int min_args, int max_args, std::vector<OptionSpec> options, Handler handler,
                 bool database_only = false, std::string_view alias_of = "") {
  CommandSpec c;
  c.name = name;
  c.args = args;
  c.section = section;
  c.summary = summary;
  c.details = details;
  c.example = example;
  c.min_args = min_args;
  c.max_args = max_args;
  c.options = std::move(options);
  c.handler = handler;
  c.database_only = database_only;
  c.alias_of = alias_of;
  return c;
}

std::vector<CommandSpec> BuildCommands() {
  std::vector<CommandSpec> c;
  // Runs.
  c.push_back(Make("run create", "ID [--parent P] [--tag T]... [--meta JSON]", "Runs",
                   "Create a run (it starts active).",
                   "--parent names the run it was forked from, --tag adds a tag (repeatable), "
                   "--meta sets its metadata (a JSON object).",
                   "run create agent-7 --tag demo --meta '{\"model\": \"small\"}'", 1, 1,
                   {kParent, kTag, {"meta", true, false}}, CmdRunCreate));
  c.push_back(Make("use", "ID", "Runs", "Make ID the current run.",
                   "The run must exist. Every kv, event, state, trace and json command works in "
                   "the current run; the prompt shows it.", "use agent-7", 1, 1, {}, CmdUse));
  c.push_back(Make("run list", "", "Runs", "List runs (* marks the current one).", "", "run list",
                   0, 0, {}, CmdRunList, true));
  c.push_back(Make("run show", "[ID]", "Runs", "Show a run (default: the current run).", "",
                   "run show agent-7", 0, 1, {}, CmdRunShow));
  c.push_back(Make("run end", "[ID] completed|failed|cancelled", "Runs",
                   "End an active run (default: current).",
                   "An ended run refuses writes; reads still work.", "run end agent-7 completed", 1,
                   2, {}, CmdRunEnd));
  c.push_back(Make("run archive", "[ID]", "Runs", "Archive an ended run.",
                   "Default: the current run. Only completed, failed or cancelled runs can be "
                   "archived.", "run archive agent-7", 0, 1, {}, CmdRunArchive));
  c.push_back(Make("run delete", "ID", "Runs", "Delete a run and everything in it.",
                   "The run \"default\" cannot be deleted. Deleting the current run switches back "
                   "to \"default\".", "run delete agent-7", 1, 1, {}, CmdRunDelete));
  // KV.
  c.push_back(Make("kv put", "KEY VALUE", "Key-value", "Store VALUE under KEY.", "",
                   "kv put user:1 '{\"name\": \"Ada\"}'", 2, 2, {}, CmdKvPut));
  c.push_back(Make("kv get", "KEY", "Key-value", "Print KEY's value and version.", "",
                   "kv get user:1", 1, 1, {}, CmdKvGet));
  c.push_back(Make("kv del", "KEY", "Key-value", "Delete KEY.", "", "kv del user:1", 1, 1, {},
                   CmdKvDel));
  c.push_back(Make("kv list", "[PREFIX] [--limit N]", "Key-value",
                   "List keys and values, in key order.",
                   "Only keys that start with PREFIX; at most N entries (default 100).",
                   "kv list user: --limit 10", 0, 1, {kLimit}, CmdKvList));
  c.push_back(Make("kv scan", "[PREFIX] [--limit N]", "Key-value", "Same as kv list.", "",
                   "kv scan user:", 0, 1, {kLimit}, CmdKvList, false, "kv list"));
  c.push_back(Make("kv history", "KEY [--limit N]", "Key-value",
                   "List KEY's versions, newest first.", "Deletes show as (deleted).",
                   "kv history user:1", 1, 1, {kLimit}, CmdKvHistory, true));
  c.push_back(Make("kv getat", "KEY VERSION", "Key-value", "Print KEY as of commit VERSION.", "",
                   "kv getat user:1 3", 2, 2, {}, CmdKvGetAt, true));
  // Events.
  c.push_back(Make("event append", "TYPE [PAYLOAD]", "Event log",
                   "Append an event; prints its seq.", "PAYLOAD defaults to null.",
                   "event append tool.call '{\"tool\": \"search\"}'", 1, 2, {}, CmdEventAppend));
  c.push_back(Make("event get", "SEQ", "Event log", "Show event SEQ with its hashes.", "",
                   "event get 1", 1, 1, {}, CmdEventGet));
  c.push_back(Make("event range", "[FROM [TO]] [--limit N]", "Event log",
                   "List events FROM..TO (default: all).", "", "event range 1 10", 0, 2, {kLimit},
                   CmdEventRange));
  c.push_back(Make("event bytype", "TYPE [--limit N]", "Event log", "List the events of one TYPE.",
                   "", "event bytype tool.call", 1, 1, {kLimit}, CmdEventByType));
  c.push_back(Make("event verify", "", "Event log", "Check the run's event hash chain.",
                   "Fails with DataLoss, naming the first broken seq, when it is broken.",
                   "event verify", 0, 0, {}, CmdEventVerify, true));
  c.push_back(Make("event len", "", "Event log", "Print the number of events.", "", "event len", 0,
                   0, {}, CmdEventLen));
  // State cells.
  c.push_back(Make("state init", "NAME VALUE", "State cells", "Create a cell.",
                   "AlreadyExists if it exists.", "state init phase '\"plan\"'", 2, 2, {},
                   CmdStateInit));
  c.push_back(Make("state get", "NAME", "State cells", "Print a cell's value and version.", "",
                   "state get phase", 1, 1, {}, CmdStateGet));
  c.push_back(Make("state set", "NAME VALUE", "State cells", "Write a cell (creating it).", "",
                   "state set phase act", 2, 2, {}, CmdStateSet));
  c.push_back(Make("state cas", "NAME VERSION VALUE", "State cells",
                   "Write if the version is still VERSION.",
                   "Fails with Conflict (naming the current version) when it moved.",
                   "state cas phase 4 done", 3, 3, {}, CmdStateCas));
  c.push_back(Make("state del", "NAME", "State cells", "Delete a cell.", "", "state del phase", 1,
                   1, {}, CmdStateDel));
  c.push_back(Make("state list", "[PREFIX] [--limit N]", "State cells",
                   "List cells and values, in name order.", "", "state list", 0, 1, {kLimit},
                   CmdStateList));
  // Trace spans.
  c.push_back(Make("trace record",
                   "KIND NAME [--input JSON] [--output JSON] [--status ok|error] [--parent ID] "
                   "[--tag T]...", "Trace spans", "Record a finished span; prints its id.",
                   "KIND is tool_call, decision, query, thought or custom.",
                   "trace record tool_call search --input '{\"q\": \"cats\"}' --output '[1, 2]'", 2,
                   2, {kInput, {"output", true, false}, {"status", true, false}, kParent, kTag},
                   CmdTraceRecord));
  c.push_back(Make("trace begin", "KIND NAME [--input JSON] [--parent ID] [--tag T]...",
                   "Trace spans", "Begin a running span; prints its id.", "End it with trace end.",
                   "trace begin decision plan", 2, 2, {kInput, kParent, kTag}, CmdTraceBegin));
  c.push_back(Make("trace end", "ID [ok|error|cancelled] [OUTPUT]", "Trace spans",
                   "End a running span.", "The status defaults to ok and OUTPUT to null.",
                   "trace end 1 ok '\"done\"'", 1, 3, {}, CmdTraceEnd));
  c.push_back(Make("trace get", "ID", "Trace spans", "Show one span.", "", "trace get 1", 1, 1, {},
                   CmdTraceGet));
  c.push_back(Make("trace query", "[--kind K] [--name N] [--tag T] [--parent ID] [--limit N]",
                   "Trace spans", "List spans matching all conditions.",
                   "--parent 0 selects root spans.", "trace query --kind tool_call", 0, 0,
                   {{"kind", true, false}, {"name", true, false}, {"tag", true, false}, kParent,
                    kLimit},
                   CmdTraceQuery));
  c.push_back(Make("trace tree", "", "Trace spans", "Print the spans as an indented tree.", "",
                   "trace tree", 0, 0, {}, CmdTraceTree, true));
  // JSON documents.
  c.push_back(Make("json create", "ID VALUE", "JSON documents", "Create a document.", "",
                   "json create doc1 '{\"a\": {\"b\": 1}}'", 2, 2, {}, CmdJsonCreate));
  c.push_back(Make("json get", "ID [PATH]", "JSON documents",
                   "Print a document or the value at PATH.",
                   "PATH is a JSON Pointer (/a/b) or the $.a.b form; default the whole document.",
                   "json get doc1 /a/b", 1, 2, {}, CmdJsonGet));
  c.push_back(Make("json set", "ID PATH VALUE", "JSON documents", "Set the value at PATH.",
                   "Missing intermediate objects are created; at an array, - appends.",
                   "json set doc1 /a/c '[1, 2]'", 3, 3, {}, CmdJsonSet));
  c.push_back(Make("json del", "ID PATH", "JSON documents", "Remove the value at PATH.", "",
                   "json del doc1 /a/c", 2, 2, {}, CmdJsonDel));
  c.push_back(Make("json patch", "ID PATCH_JSON", "JSON documents",
                   "Apply an RFC 6902 patch atomically.", "PATCH_JSON is an array of operations.",
                   "json patch doc1 '[{\"op\": \"add\", \"path\": \"/x\", \"value\": 1}]'", 2, 2,
                   {}, CmdJsonPatch));
  c.push_back(Make("json merge", "ID JSON", "JSON documents", "Apply an RFC 7386 merge patch.", "",
                   "json merge doc1 '{\"a\": null, \"y\": 2}'", 2, 2, {}, CmdJsonMerge));
  c.push_back(Make("json cas", "ID VERSION PATCH_JSON", "JSON documents",
                   "Patch if the version is still VERSION.", "",
                   "json cas doc1 7 '[{\"op\": \"remove\", \"path\": \"/x\"}]'", 3, 3, {},
                   CmdJsonCas));
  c.push_back(Make("json list", "[PREFIX] [--limit N]", "JSON documents", "List document ids.",
                   "Only ids that start with PREFIX; at most N (default 100).", "json list doc", 0,
                   1, {kLimit}, CmdJsonList));
  c.push_back(Make("json destroy", "ID", "JSON documents", "Delete a whole document.", "",
                   "json destroy doc1", 1, 1, {}, CmdJsonDestroy));
  c.push_back(Make("json history", "ID [--limit N]", "JSON documents",
                   "List a document's versions.", "", "json history doc1", 1, 1, {kLimit},
                   CmdJsonHistory, true));
  c.push_back(Make("json getat", "ID VERSION [PATH]", "JSON documents",
                   "Print a document as of VERSION.", "", "json getat doc1 7 /a", 2, 3, {},
                   CmdJsonGetAt, true));
  // Vectors.
  c.push_back(Make("vector create",
                   "NAME DIMENSION [--metric cosine|euclidean|dot] [--m N] [--ef-construction N] "
                   "[--ef-search N] [--exact-threshold N]",
                   "Vectors", "Create a collection of DIMENSION-long vectors.",
                   "--metric is the similarity (default cosine). A collection with fewer than "
                   "--exact-threshold vectors (default 1000) is searched exactly; above it by an "
                   "HNSW graph built with --m (default 16) and --ef-construction (default 200) "
                   "and searched with --ef-search (default 64).",
                   "vector create docs 3 --metric euclidean", 2, 2,
                   {{"metric", true, false},
                    {"m", true, false},
                    {"ef-construction", true, false},
                    {"ef-search", true, false},
                    {"exact-threshold", true, false}},
                   CmdVectorCreate));
  c.push_back(Make("vector list", "", "Vectors", "List the run's collections.",
                   "One per line: name, dimension, metric, vector count, version.", "vector list",
                   0, 0, {}, CmdVectorList));
  c.push_back(Make("vector describe", "NAME", "Vectors",
                   "Show a collection's definition and count.", "", "vector describe docs", 1, 1,
                   {}, CmdVectorDescribe));
  c.push_back(Make("vector drop", "NAME", "Vectors", "Delete a collection and its vectors.", "",
                   "vector drop docs", 1, 1, {}, CmdVectorDrop));
  c.push_back(Make("vector put", "NAME KEY VECTOR [METADATA]", "Vectors",
                   "Insert or replace the vector at KEY.",
                   "VECTOR is a JSON array of DIMENSION numbers; METADATA a JSON object (or "
                   "null) that --filter can match.",
                   "vector put docs a '[0.1, 0.2, 0.3]' '{\"bucket\": 7}'", 3, 4, {},
                   CmdVectorPut));
  c.push_back(Make("vector get", "NAME KEY [--at VERSION]", "Vectors",
                   "Print a vector, its metadata and version.",
                   "--at VERSION reads it as of that commit (not inside a transaction).",
                   "vector get docs a", 2, 2, {{"at", true, false}}, CmdVectorGet));
  c.push_back(Make("vector delete", "NAME KEY", "Vectors", "Delete the vector at KEY.", "",
                   "vector delete docs a", 2, 2, {}, CmdVectorDelete));
  c.push_back(Make("vector count", "NAME", "Vectors", "Print the number of vectors.", "",
                   "vector count docs", 1, 1, {}, CmdVectorCount));
  c.push_back(Make("vector search", "NAME QUERY [--k N] [--ef N] [--filter JSON]", "Vectors",
                   "List the K vectors most similar to QUERY.",
                   "QUERY is a JSON array of numbers. One hit per line: rank, key, score (higher "
                   "is more similar), version, metadata. --k defaults to 10; --ef overrides the "
                   "collection's ef-search. --filter matches metadata: {\"f\": 7}, "
                   "{\"f\": {\"$in\": [1, 2]}}, {\"f\": {\"$gte\": 0.5, \"$lt\": 1}}, "
                   "{\"$and\": [...]}, {\"$or\": [...]}; several members are ANDed (see "
                   "docs/cli.md). With --json: one object whose \"hits\" is the array of hits.",
                   "vector search docs '[0.1, 0.2, 0.3]' --k 5 --filter '{\"bucket\": 7}'", 2, 2,
                   {{"k", true, false}, {"ef", true, false}, {"filter", true, false}},
                   CmdVectorSearch));
  // Search.
  c.push_back(Make("search",
                   "[QUERY] [--mode keyword|vector|hybrid] [--vector JSON] [--collection NAME] "
                   "[--k N] [--primitive P]... [--run RUN]... [--all-runs] [--where JSON] "
                   "[--from-us T] [--to-us T] [--max-time-ms N] [--max-candidates N]",
                   "Search", "Search every primitive by words, by vector, or both.",
                   "Keyword search ranks entities by BM25 over their text (keys, string values, "
                   "JSON leaves, event types and payloads, span names, inputs and outputs, run "
                   "metadata, vector metadata); --vector adds similarity search over the vector "
                   "collections of that dimension (or --collection), fused with the keyword "
                   "lists by Reciprocal Rank Fusion (hybrid). Searches the current run unless "
                   "--run (repeatable) or --all-runs. --primitive (repeatable) limits the "
                   "primitives; --where '{\"f\": 1}' matches metadata fields; --from-us/--to-us "
                   "the commit time. One hit per line: rank, address, fused score, version, "
                   "and each list's rank and score. See docs/search.md.",
                   "search 'solar panel' --k 5 --primitive kv --primitive json", 0, 1,
                   {{"mode", true, false},
                    {"vector", true, false},
                    {"collection", true, false},
                    {"k", true, false},
                    {"primitive", true, true},
                    {"run", true, true},
                    {"all-runs", false, false},
                    {"where", true, false},
                    {"from-us", true, false},
                    {"to-us", true, false},
                    {"max-time-ms", true, false},
                    {"max-candidates", true, false}},
                   CmdSearch));
  // Any entity.
  c.push_back(Make("get", "REF", "Any entity", "Print any entity by its address.",
                   "REF is PRIMITIVE://RUN/KEY: kv://default/user:1, state://r1/phase, "
                   "event://r1/3, trace://r1/2, json://r1/doc1#/a/b, run://r1/r1.",
                   "get kv://default/user:1", 1, 1, {}, CmdGet));
  c.push_back(Make("history", "REF [--limit N]", "Any entity", "List any entity's versions.", "",
                   "history kv://default/user:1", 1, 1, {kLimit}, CmdHistory, true));
  c.push_back(Make("count", "PRIMITIVE", "Any entity", "Count a primitive's entities.",
                   "Live entities in the current run. PRIMITIVE is kv, event, state, trace, run, "
                   "json or vector.", "count kv", 1, 1, {}, CmdCount, true));
  // Transactions.
  c.push_back(Make("begin", "", "Transactions", "Start a transaction.",
                   "Later commands run inside it until commit or rollback. The prompt shows a * "
                   "while it is open. Commands that only exist on the database (listed as such in "
                   "their help) are refused inside it.", "begin", 0, 0, {}, CmdBegin));
  c.push_back(Make("commit", "", "Transactions", "Commit; prints the commit version.",
                   "A Conflict rolls it back.", "commit", 0, 0, {}, CmdCommit));
  c.push_back(Make("rollback", "", "Transactions", "Discard the transaction.", "", "rollback", 0, 0,
                   {}, CmdRollback));
  // Database.
  c.push_back(Make("stats", "", "Database", "Print sizes, counts, WAL and memory.", "", "stats", 0,
                   0, {}, CmdStats));
  c.push_back(Make("info", "", "Database", "Print path, UUID, format, durability.",
                   "Also the library and shell versions.", "info", 0, 0, {}, CmdInfo));
  c.push_back(Make("checkpoint", "", "Database", "Write a snapshot; recovery replays only later log.",
                   "Prints the watermark (every commit up to it is in the snapshot), the snapshot "
                   "file, its size and what it holds. Not for --in-memory databases.",
                   "checkpoint", 0, 0, {}, CmdCheckpoint, true));
  c.push_back(Make("compact", "[--full]", "Database", "Remove log segments the snapshots cover.",
                   "--full also applies the retention policy to every key now. Prints what was "
                   "removed. Retained reads never change.",
                   "compact --full", 0, 0, {{"full", false}}, CmdCompact, true));
  c.push_back(Make("export", "FILE", "Database", "Write the whole database to one file.",
                   "Every retained version, in one self-describing, checksummed file that "
                   "'import' (or Database::Import) turns back into a database. FILE must not "
                   "exist.",
                   "export backup.strata", 1, 1, {}, CmdExport, true));
  c.push_back(Make("import", "FILE DIR", "Database", "Create a database in DIR from an export.",
                   "DIR must not hold a database. The database open in the shell is not changed.",
                   "import backup.strata restored.db", 2, 2, {}, CmdImport, true));
  // Shell.
  c.push_back(Make("help", "[COMMAND]", "Shell", "List the commands, or explain one.", "",
                   "help kv put", 0, 2, {}, CmdHelp));
  c.push_back(Make("quit", "", "Shell", "Leave the shell.", "An open transaction is rolled back.",
                   "quit", 0, 0, {}, CmdQuit));
  c.push_back(Make("exit", "", "Shell", "Same as quit.", "", "exit", 0, 0, {}, CmdQuit, false,
                   "quit"));
  return c;
}

std::string_view GroupOf(std::string_view name) {
  const size_t space = name.find(' ');
  return space == std::string_view::npos ? name : name.substr(0, space);
}

bool IsGroup(std::string_view word) {
  for (const CommandSpec& c : Commands()) {
    if (c.name.size() > word.size() && absl::StartsWith(Sv(c.name), Sv(word)) &&
        c.name[word.size()] == ' ') {
      return true;
    }
  }
  return false;
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The closest of `names` to `word`, if close enough.
std::optional<std::string> Closest(std::string_view word, const std::vector<std::string>& names) {
  std::optional<std::string> best;
  size_t best_distance = kMaxSuggestionDistance + 1;
  for (const std::string& n : names) {
    size_t d = EditDistance(word, n);
    // A prefix is a good guess even when it is short.
    if (d > kMaxSuggestionDistance && word.size() >= 2 && absl::StartsWith(n, Sv(word))) {
      d = kMaxSuggestionDistance;
    }
    if (d < best_distance) {
      best_distance = d;
      best = n;
    }
  }
  return best;
}

// Top-level words: single commands and group names.
std::vector<std::string> TopLevelWords() {
  std::set<std::string> words;
  for (const CommandSpec& c : Commands()) words.insert(std::string(GroupOf(c.name)));
  return {words.begin(), words.end()};
}

std::vector<std::string> Subcommands(std::string_view group) {
  std::vector<std::string> subs;
  for (const CommandSpec& c : Commands()) {
    if (GroupOf(c.name) == group && c.name.size() > group.size()) {
      subs.emplace_back(c.name.substr(group.size() + 1));
    }
  }
  return subs;
}

absl::Status UsageError(const CommandSpec& spec, std::string_view what) {
  return MakeError(ErrorCode::kInvalidArgument,
                   absl::StrCat(Sv(what), "; usage: ", UsageLine(spec)));
}

}  // namespace

std::optional<std::string> Invocation::Get(std::string_view name) const {
  auto it = options.find(name);
  if (it == options.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::vector<std::string> Invocation::All(std::string_view name) const {
  auto it = options.find(name);
  return it == options.end() ? std::vector<std::string>{} : it->second;
}

const std::vector<CommandSpec>& Commands() {
  static const auto* const commands = new std::vector<CommandSpec>(BuildCommands());
  return *commands;
}

bool IsCommandWord(std::string_view word) {
  for (const CommandSpec& c : Commands()) {
    if (GroupOf(c.name) == word) return true;
  }
  return false;
}

std::string UsageLine(const CommandSpec& spec) {
  if (spec.args.empty()) return std::string(spec.name);
  return absl::StrCat(Sv(spec.name), " ", Sv(spec.args));
}

absl::StatusOr<const CommandSpec*> FindCommand(const std::vector<std::string>& words,
                                               size_t* consumed) {
  if (words.empty()) return MakeError(ErrorCode::kInvalidArgument, "empty command");
  const std::string& first = words[0];
  if (IsGroup(first)) {
    const std::vector<std::string> subs = Subcommands(first);
    if (words.size() < 2) {
      return MakeError(ErrorCode::kInvalidArgument,
                       absl::StrCat("'", first, "' needs a subcommand: ", absl::StrJoin(subs, ", "),
                                    " (see 'help ", first, "')"));
    }
    const std::string name = absl::StrCat(first, " ", words[1]);
    for (const CommandSpec& c : Commands()) {
      if (c.name == name) {
        *consumed = 2;
        return &c;
      }
    }
    std::string message = absl::StrCat("unknown command '", name, "'");
    if (auto guess = Closest(words[1], subs); guess.has_value()) {
      absl::StrAppend(&message, "; did you mean '", first, " ", *guess, "'?");
    } else {
      absl::StrAppend(&message, "; '", first, "' has: ", absl::StrJoin(subs, ", "));
    }
    return MakeError(ErrorCode::kInvalidArgument, message);
  }
  for (const CommandSpec& c : Commands()) {
    if (c.name == first) {
      *consumed = 1;
      return &c;
    }
  }
  std::string message = absl::StrCat("unknown command '", first, "'");
  std::optional<std::string> guess = Closest(first, TopLevelWords());
  if (!guess.has_value() && words.size() >= 2) {
    // "get kv" for "kv get": try the full two-word names too.
    std::vector<std::string> names;
    for (const CommandSpec& c : Commands()) names.emplace_back(c.name);
    guess = Closest(absl::StrCat(first, " ", words[1]), names);
  }
  if (guess.has_value()) {
    absl::StrAppend(&message, "; did you mean '", *guess, "'?");
  } else {
    absl::StrAppend(&message, "; type 'help' for the list of commands");
  }
  return MakeError(ErrorCode::kInvalidArgument, message);
}

absl::StatusOr<Invocation> ParseInvocation(const CommandSpec& spec,
                                           const std::vector<std::string>& words, size_t first) {
  Invocation inv;
  inv.spec = &spec;
  bool options_done = false;
  for (size_t i = first; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (options_done || w.size() < 3 || !absl::StartsWith(w, "--")) {
      if (w == "--" && !options_done) {
        options_done = true;
        continue;
      }
      inv.args.push_back(w);
      continue;
    }
    const size_t eq = w.find('=');
    const std::string name = w.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    const OptionSpec* option = nullptr;
    for (const OptionSpec& o : spec.options) {
      if (o.name == name) option = &o;
    }
    if (option == nullptr) {
      return UsageError(
          spec, absl::StrCat("unknown option '--", name, "' for '", Sv(spec.name), "'"));
    }
    std::string value;
    if (option->takes_value) {
      if (eq != std::string::npos) {
        value = w.substr(eq + 1);
      } else if (i + 1 < words.size()) {
        value = words[++i];
      } else {
        return UsageError(spec, absl::StrCat("option '--", name, "' needs a value"));
      }
    } else if (eq != std::string::npos) {
      return UsageError(spec, absl::StrCat("option '--", name, "' takes no value"));
    }
    std::vector<std::string>& values = inv.options[name];
    if (!values.empty() && !option->repeatable) {
      return UsageError(spec, absl::StrCat("option '--", name, "' given twice"));
    }
    values.push_back(std::move(value));
  }
  const int n = static_cast<int>(inv.args.size());
  if (n < spec.min_args || n > spec.max_args) {
    std::string expected = spec.min_args == spec.max_args
                               ? absl::StrCat(spec.min_args)
                               : absl::StrCat(spec.min_args, " to ", spec.max_args);
    return UsageError(spec, absl::StrCat("wrong number of arguments for '", Sv(spec.name),
                                         "' (expected ", expected, ", got ", n, ")"));
  }
  return inv;
}

std::vector<std::string> CompletionCandidates(const std::vector<std::string>& before,
                                              std::string_view prefix) {
  std::vector<std::string> pool;
  if (before.empty()) {
    pool = TopLevelWords();
  } else if (before.size() == 1 && IsGroup(before[0])) {
    pool = Subcommands(before[0]);
  } else if (before.size() == 1 && before[0] == "help") {
    pool = TopLevelWords();
  } else if (before.size() == 2 && before[0] == "help" && IsGroup(before[1])) {
    pool = Subcommands(before[1]);
  }
  std::vector<std::string> out;
  for (std::string& p : pool) {
    if (absl::StartsWith(p, Sv(prefix))) out.push_back(std::move(p));
  }
  return out;
}

absl::StatusOr<std::string> HelpText(const std::vector<std::string>& topic) {
  std::string text;
  if (topic.empty()) {
    text = "Commands (type 'help COMMAND' for details and an example):\n";
    std::string_view section;
    for (const CommandSpec& c : Commands()) {
      if (c.section != section) {
        section = c.section;
        absl::StrAppend(&text, "\n", Sv(section), "\n");
      }
      const std::string usage = UsageLine(c);
      if (usage.size() + 2 < kUsageColumn) {
        absl::StrAppend(&text, "  ", usage, std::string(kUsageColumn - 2 - usage.size(), ' '),
                        Sv(c.summary), "\n");
      } else {
        absl::StrAppend(&text, "  ", usage, "\n", std::string(kUsageColumn, ' '), Sv(c.summary),
                        "\n");
      }
    }
    absl::StrAppend(
        &text,
        "\nValues: a word that is JSON (42, 1.5, true, null, \"text\", [1, 2], {\"a\": 1}) is\n"
        "stored as JSON; any other word is a string. Quote words that contain blanks:\n"
        "kv put note 'hello world'. '\"42\"' is the string 42.\n");
    return text;
  }
  if (topic.size() == 1 && IsGroup(topic[0])) {
    absl::StrAppend(&text, "'", topic[0], "' commands:\n");
    for (const CommandSpec& c : Commands()) {
      if (GroupOf(c.name) == topic[0]) {
        absl::StrAppend(&text, "  ", UsageLine(c), "\n      ", Sv(c.summary), "\n");
      }
    }
    return text;
  }
  size_t consumed = 0;
  auto spec = FindCommand(topic, &consumed);
  if (!spec.ok()) return spec.status();
  if (consumed != topic.size()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     absl::StrCat("no help topic '", absl::StrJoin(topic, " "), "'"));
  }
  const CommandSpec& c = **spec;
  absl::StrAppend(&text, "usage: ", UsageLine(c), "\n", Sv(c.summary), "\n");
  if (!c.details.empty()) absl::StrAppend(&text, Sv(c.details), "\n");
  if (!c.alias_of.empty()) absl::StrAppend(&text, "An alias of '", Sv(c.alias_of), "'.\n");
  if (c.database_only) absl::StrAppend(&text, "Not available inside a transaction.\n");
  if (!c.example.empty()) absl::StrAppend(&text, "example: ", Sv(c.example), "\n");
  return text;
}

}  // namespace strata::cli
