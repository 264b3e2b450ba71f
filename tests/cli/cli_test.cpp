// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Tests of the strata shell (src/cli). The interpreter's pieces (tokenizer,
// value typing, command lookup) are unit-tested directly; everything else
// drives the built binary as a person or a script would: one-shot commands,
// scripts on stdin, --json output, damaged and busy databases, and an
// interactive session under a pseudo terminal with prompt, history recall,
// tab completion and Ctrl-C / Ctrl-D.
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "strata/strata.hpp"
#include "test_util.hpp"

#ifdef STRATA_CLI_PATH
#include "cli/commands.hpp"
#include "cli/tokenizer.hpp"
#endif

extern char** environ;

namespace strata {
namespace {

#ifndef STRATA_CLI_PATH

TEST(CliTest, NotBuilt) { GTEST_SKIP() << "the strata CLI is not built (STRATA_BUILD_CLI=OFF)"; }

#else

using ::strata::testing::TempDir;

// --- Running the binary.

struct CliResult {
  int exit_code = -1;  // -1 if it did not exit normally (a signal).
  int signal = 0;
  std::string out;
  std::string err;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
}

// Runs `argv` (argv[0] is the program path) with `input` on stdin (a file,
// so never a terminal), stdout and stderr captured, and `env` added to the
// environment (NAME -> value, replacing inherited values).
CliResult RunProgram(const std::vector<std::string>& argv, const std::string& input,
              const std::map<std::string, std::string>& env = {}) {
  TempDir io;
  const std::string in_path = io.Sub("stdin");
  const std::string out_path = io.Sub("stdout");
  const std::string err_path = io.Sub("stderr");
  WriteFile(in_path, input);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, in_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    const std::string name = entry.substr(0, entry.find('='));
    if (env.count(name) == 0) env_strings.push_back(entry);
  }
  for (const auto& [name, value] : env) env_strings.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (std::string& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char*> c_args;
  for (std::string& a : args) c_args.push_back(a.data());
  c_args.push_back(nullptr);

  CliResult result;
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, c_args[0], &actions, nullptr, c_args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    ADD_FAILURE() << "posix_spawn " << argv[0] << ": " << std::strerror(rc);
    return result;
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  result.out = ReadFile(out_path);
  result.err = ReadFile(err_path);
  return result;
}

// strata ARGS... with `input` on stdin.
CliResult Strata(const std::vector<std::string>& args, const std::string& input = "") {
  std::vector<std::string> argv{STRATA_CLI_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProgram(argv, input);
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Each line parsed as a JSON object; fails the test at the first line
// that is not one.
void ParseJsonLines(const std::vector<std::string>& lines, std::vector<Value>* values) {
  for (const std::string& line : lines) {
    auto v = Value::FromJson(line);
    ASSERT_TRUE(v.ok()) << line << ": " << v.status();
    ASSERT_TRUE(v->is_object()) << line;
    values->push_back(*std::move(v));
  }
}

// Member `name` of object `v`, or "<missing>".
Value Member(const Value& v, const char* name) {
  const auto& o = v.AsObject();
  auto it = o.find(name);
  return it == o.end() ? Value("<missing>") : it->second;
}

size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

// Single-quotes `s` for /bin/sh.
std::string ShellQuote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

#define EXPECT_LINES(text, ...) EXPECT_EQ(Lines(text), (std::vector<std::string>{__VA_ARGS__}))

// Every failure must be a clean exit, never a signal (crash, abort, ASan).
#define EXPECT_CLEAN_EXIT(r, code)                             \
  do {                                                         \
    EXPECT_EQ((r).signal, 0) << "stderr: " << (r).err;         \
    EXPECT_EQ((r).exit_code, code) << "stderr: " << (r).err;   \
  } while (0)

// --- The interpreter's pieces.

TEST(CliTokenizerTest, SplitsLikeAShell) {
  using cli::Tokenize;
  EXPECT_EQ(*Tokenize("  kv   put k v  "), (std::vector<std::string>{"kv", "put", "k", "v"}));
  EXPECT_EQ(*Tokenize(R"(kv put k 'hello world')"),
            (std::vector<std::string>{"kv", "put", "k", "hello world"}));
  EXPECT_EQ(*Tokenize(R"(kv put k '{"a": 1}')"),
            (std::vector<std::string>{"kv", "put", "k", R"({"a": 1})"}));
  EXPECT_EQ(*Tokenize(R"(a "x \"y\" \\ \n" b)"),
            (std::vector<std::string>{"a", R"(x "y" \ \n)", "b"}));
  EXPECT_EQ(*Tokenize(R"(a\ b c)"), (std::vector<std::string>{"a b", "c"}));
  EXPECT_EQ(*Tokenize("a '' b"), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(*Tokenize("ab'cd'\"ef\""), (std::vector<std::string>{"abcdef"}));
  EXPECT_EQ(*Tokenize("kv get k # a comment 'unclosed"),
            (std::vector<std::string>{"kv", "get", "k"}));
  EXPECT_EQ(*Tokenize("a#b"), (std::vector<std::string>{"a#b"}));
  EXPECT_TRUE(Tokenize("   ")->empty());
  EXPECT_TRUE(Tokenize("# only a comment")->empty());
}

TEST(CliTokenizerTest, RejectsUnterminatedQuotes) {
  auto r = cli::Tokenize(R"(kv put k "abc)");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(GetErrorCode(r.status()), ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "unterminated double quote starting at column 10");
  r = cli::Tokenize("a 'b");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "unterminated single quote starting at column 3");
  r = cli::Tokenize("a b\\");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "trailing backslash at column 4");
}

TEST(CliValueTest, TypesValuesTheWayAPersonExpects) {
  using cli::ParseValueArg;
  EXPECT_EQ(*ParseValueArg("hi"), Value("hi"));
  EXPECT_EQ(*ParseValueArg("\"hi\""), Value("hi"));
  EXPECT_EQ(*ParseValueArg("\"42\""), Value("42"));
  EXPECT_EQ(*ParseValueArg("42"), Value(42));
  EXPECT_EQ(*ParseValueArg("-1.5"), Value(-1.5));
  EXPECT_EQ(*ParseValueArg("true"), Value(true));
  EXPECT_EQ(*ParseValueArg("null"), Value());
  EXPECT_EQ(*ParseValueArg("hello world"), Value("hello world"));
  EXPECT_EQ(*ParseValueArg("1.2.3"), Value("1.2.3"));
  EXPECT_EQ(*ParseValueArg("v2"), Value("v2"));
  EXPECT_EQ(*ParseValueArg(""), Value(""));
  EXPECT_EQ(*ParseValueArg("[1, \"a\"]"), Value(Value::Array{1, "a"}));
  EXPECT_EQ(*ParseValueArg(" {\"a\": {\"b\": null}} "),
            Value(Value::Object{{"a", Value::Object{{"b", Value()}}}}));
  auto bad = ParseValueArg("{\"a\": }");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(GetErrorCode(bad.status()), ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("malformed JSON value: invalid JSON at byte offset 6"),
            std::string::npos)
      << bad.status();
  EXPECT_FALSE(ParseValueArg("[1, 2").ok());
  EXPECT_FALSE(ParseValueArg("\"unterminated").ok());
}

TEST(CliValueTest, ParsesUnsignedArguments) {
  EXPECT_EQ(*cli::ParseUintArg("17", "SEQ"), 17u);
  for (const char* bad : {"", "-1", "+1", "x", "1x", "99999999999999999999"}) {
    auto r = cli::ParseUintArg(bad, "SEQ");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().message(),
              std::string("SEQ must be a non-negative integer, got '") + bad + "'");
  }
}

TEST(CliCommandsTest, FindsCommandsAndSuggests) {
  size_t consumed = 0;
  auto spec = cli::FindCommand({"kv", "put", "k", "v"}, &consumed);
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ((*spec)->name, "kv put");
  EXPECT_EQ(consumed, 2u);
  spec = cli::FindCommand({"stats"}, &consumed);
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(consumed, 1u);

  auto bad = cli::FindCommand({"kv", "gett"}, &consumed);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "unknown command 'kv gett'; did you mean 'kv get'?");
  bad = cli::FindCommand({"evnt", "len"}, &consumed);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "unknown command 'evnt'; did you mean 'event'?");
  bad = cli::FindCommand({"frobnicate"}, &consumed);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "unknown command 'frobnicate'; type 'help' for the list of commands");
  bad = cli::FindCommand({"kv"}, &consumed);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "'kv' needs a subcommand: put, get, del, list, scan, history, getat (see 'help kv')");
}

TEST(CliCommandsTest, ParsesOptionsAndChecksArity) {
  size_t consumed = 0;
  const std::vector<std::string> words{"kv", "list", "user:", "--limit", "5"};
  auto spec = cli::FindCommand(words, &consumed);
  ASSERT_TRUE(spec.ok());
  auto inv = cli::ParseInvocation(**spec, words, consumed);
  ASSERT_TRUE(inv.ok()) << inv.status();
  EXPECT_EQ(inv->args, std::vector<std::string>{"user:"});
  EXPECT_EQ(inv->Get("limit"), "5");

  const std::vector<std::string> tags{"run", "create", "r", "--tag=a", "--tag", "b", "--", "--x"};
  spec = cli::FindCommand(tags, &consumed);
  ASSERT_TRUE(spec.ok());
  auto bad = cli::ParseInvocation(**spec, tags, consumed);  // Two positionals.
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "wrong number of arguments for 'run create' (expected 1, got 2); usage: run create "
            "ID [--parent P] [--tag T]... [--meta JSON]");
  const std::vector<std::string> ok_tags{"run", "create", "r", "--tag=a", "--tag", "b"};
  inv = cli::ParseInvocation(**spec, ok_tags, consumed);
  ASSERT_TRUE(inv.ok()) << inv.status();
  EXPECT_EQ(inv->All("tag"), (std::vector<std::string>{"a", "b"}));

  const std::vector<std::string> unknown{"kv", "get", "k", "--limit", "3"};
  spec = cli::FindCommand(unknown, &consumed);
  bad = cli::ParseInvocation(**spec, unknown, consumed);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "unknown option '--limit' for 'kv get'; usage: kv get KEY");
}

TEST(CliCommandsTest, CompletesCommandNames) {
  EXPECT_EQ(cli::CompletionCandidates({}, "inf"), std::vector<std::string>{"info"});
  EXPECT_EQ(cli::CompletionCandidates({}, "sta"), (std::vector<std::string>{"state", "stats"}));
  EXPECT_EQ(cli::CompletionCandidates({"kv"}, "ge"), (std::vector<std::string>{"get", "getat"}));
  EXPECT_EQ(cli::CompletionCandidates({"help"}, "tr"), std::vector<std::string>{"trace"});
  EXPECT_TRUE(cli::CompletionCandidates({"kv", "get"}, "").empty());
}

TEST(CliCommandsTest, EveryCommandHasHelpAndAnExample) {
  for (const cli::CommandSpec& c : cli::Commands()) {
    std::vector<std::string> topic;
    std::istringstream words{std::string(c.name)};
    for (std::string w; words >> w;) topic.push_back(w);
    auto text = cli::HelpText(topic);
    ASSERT_TRUE(text.ok()) << c.name << ": " << text.status();
    EXPECT_NE(text->find("usage: " + cli::UsageLine(c)), std::string::npos) << *text;
    EXPECT_FALSE(c.example.empty()) << c.name;
  }
}

TEST(CliCommandsTest, EveryCommandIsDocumented) {
  // docs/cli.md, found from this file: tests/cli/cli_test.cpp.
  const std::filesystem::path docs =
      std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / "docs" /
      "cli.md";
  const std::string text = ReadFile(docs.string());
  ASSERT_FALSE(text.empty()) << docs;
  for (const cli::CommandSpec& c : cli::Commands()) {
    EXPECT_NE(text.find("#### `" + cli::UsageLine(c) + "`\n"), std::string::npos)
        << cli::UsageLine(c);
    EXPECT_NE(text.find("Example: `" + std::string(c.example) + "`"), std::string::npos)
        << c.example;
  }
}

// --- The binary: options.

TEST(CliBinaryTest, VersionAndHelp) {
  CliResult r = Strata({"--version"});
  EXPECT_CLEAN_EXIT(r, 0);
  EXPECT_EQ(r.out, std::string("strata ") + STRATA_VERSION_STRING + "\n");

  r = Strata({"--help"});
  EXPECT_CLEAN_EXIT(r, 0);
  EXPECT_EQ(r.out.rfind("usage: strata [OPTIONS] [PATH] [COMMAND [ARGS...]]\n", 0), 0u);
  for (const char* needle : {"--in-memory", "--durability MODE", "--json", "--bail",
                             "--search-index", "--run ID",
                             "Key-value", "kv put", "JSON documents", "json getat", "Exit status",
                             "STRATA_HISTORY"}) {
    EXPECT_NE(r.out.find(needle), std::string::npos) << needle;
  }
  EXPECT_TRUE(r.err.empty());
}

TEST(CliBinaryTest, BadOptionsExitTwo) {
  CliResult r = Strata({"--frobnicate"});
  EXPECT_CLEAN_EXIT(r, 2);
  EXPECT_EQ(r.err,
            "error: InvalidArgument: unknown option '--frobnicate' (see 'strata --help')\n");
  r = Strata({"--durability", "sometimes", "x.db"});
  EXPECT_CLEAN_EXIT(r, 2);
  EXPECT_EQ(r.err,
            "error: InvalidArgument: --durability must be strict or buffered, got 'sometimes' "
            "(see 'strata --help')\n");
  r = Strata({"--run"});
  EXPECT_CLEAN_EXIT(r, 2);
  EXPECT_EQ(r.err, "error: InvalidArgument: option --run needs a value (see 'strata --help')\n");
}

TEST(CliBinaryTest, ForgottenPathIsNotTakenForADatabaseNamedLikeACommand) {
  TempDir dir;
  CliResult r = RunProgram({"/bin/sh", "-c",
                            "cd " + ShellQuote(dir.path()) + " && " +
                                ShellQuote(STRATA_CLI_PATH) + " kv get k"},
                           "");
  EXPECT_CLEAN_EXIT(r, 2);
  EXPECT_EQ(r.err,
            "error: InvalidArgument: 'kv' is a command, not a database: name the database "
            "first, e.g. strata ./strata.db kv ... (see 'strata --help')\n");
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

// --- One-shot commands and persistence.

TEST(CliBinaryTest, OneShotCommandsSurviveAcrossInvocations) {
  TempDir dir;
  const std::string db = dir.Sub("agent.db");
  CliResult r = Strata({db, "kv", "put", "user:1", R"({"name": "Ada"})"});
  EXPECT_CLEAN_EXIT(r, 0);
  EXPECT_EQ(r.out, "OK (version 1)\n");
  EXPECT_TRUE(std::filesystem::is_directory(db));

  r = Strata({db, "kv", "put", "greeting", "hello world"});
  EXPECT_EQ(r.out, "OK (version 2)\n");
  r = Strata({"--durability", "strict", db, "event", "append", "boot"});
  EXPECT_EQ(r.out, "seq 1 (version 3)\n");

  r = Strata({db, "kv", "get", "user:1"});
  EXPECT_CLEAN_EXIT(r, 0);
  EXPECT_EQ(r.out, "{\"name\":\"Ada\"}  (version 1)\n");
  r = Strata({db, "kv", "get", "greeting"});
  EXPECT_EQ(r.out, "\"hello world\"  (version 2)\n");
  r = Strata({db, "event", "len"});
  EXPECT_EQ(r.out, "1\n");

  // A failing one-shot command exits 1 with one error line.
  r = Strata({db, "kv", "get", "nope"});
  EXPECT_CLEAN_EXIT(r, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "error: NotFound: key not found: kv://default/nope\n");
}

TEST(CliBinaryTest, DefaultPathIsStrataDbInTheWorkingDirectory) {
  TempDir dir;
  CliResult r = RunProgram({"/bin/sh", "-c",
                     "cd " + ShellQuote(dir.path()) + " && " + ShellQuote(STRATA_CLI_PATH) +
                         " && " + ShellQuote(STRATA_CLI_PATH) + " ./strata.db kv get k"},
                    "kv put k v\n");
  EXPECT_CLEAN_EXIT(r, 0);
  EXPECT_EQ(r.out, "OK (version 1)\n\"v\"  (version 1)\n");
  EXPECT_TRUE(std::filesystem::is_directory(dir.Sub("strata.db")));
}

TEST(CliBinaryTest, InMemoryLeavesNoFiles) {
  TempDir dir;
  CliResult r = RunProgram({"/bin/sh", "-c",
                     "cd " + ShellQuote(dir.path()) + " && " + ShellQuote(STRATA_CLI_PATH) +
                         " --in-memory"},
                    "kv put a 1\nkv get a\ninfo\n");
  EXPECT_CLEAN_EXIT(r, 0);
  EXPECT_LINES(r.out, "OK (version 1)", "1  (version 1)", "path: (in memory)", "uuid: -",
               "format_version: 0", "durability: in-memory",
               std::string("library_version: ") + STRATA_VERSION_STRING,
               std::string("shell_version: ") + STRATA_VERSION_STRING);
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

// --- Scripts.

TEST(CliScriptTest, RunsAScriptWithReadableOutput) {
  TempDir dir;
  const std::string script = R"(# A comment line, then a blank one.

kv put k hi
kv put k "hi"
kv put n 42
kv put s '"42"'
kv put obj '{"a": [1, 2.5, null], "b": true}'
kv put note 'hello world'
kv get k
kv get n
kv get s
kv get obj
kv get note
kv list
kv list n --limit 1
kv scan --limit 2
kv del note
kv history k
state init phase plan
state set phase act
state cas phase 9 done
state get phase
state list
count kv
)";
  CliResult r = Strata({dir.Sub("db")}, script);
  EXPECT_CLEAN_EXIT(r, 0);
  EXPECT_EQ(r.err, "");
  std::vector<std::string> lines = Lines(r.out);
  // kv history prints timestamps; check those two lines by shape.
  ASSERT_EQ(lines.size(), 30u) << r.out;
  EXPECT_EQ(lines[22].rfind("version 2  20", 0), 0u) << lines[22];
  EXPECT_EQ(lines[22].substr(lines[22].size() - 6), "  \"hi\"");
  EXPECT_EQ(lines[23].rfind("version 1  20", 0), 0u) << lines[23];
  lines.erase(lines.begin() + 22, lines.begin() + 24);
  EXPECT_EQ(lines, (std::vector<std::string>{
                       "OK (version 1)",
                       "OK (version 2)",
                       "OK (version 3)",
                       "OK (version 4)",
                       "OK (version 5)",
                       "OK (version 6)",
                       "\"hi\"  (version 2)",
                       "42  (version 3)",
                       "\"42\"  (version 4)",
                       "{\"a\":[1,2.5,null],\"b\":true}  (version 5)",
                       "\"hello world\"  (version 6)",
                       "k = \"hi\"  (version 2)",
                       "n = 42  (version 3)",
                       "note = \"hello world\"  (version 6)",
                       "obj = {\"a\":[1,2.5,null],\"b\":true}  (version 5)",
                       "s = \"42\"  (version 4)",
                       "n = 42  (version 3)",  // "note" also starts with n.
                       "(more entries; raise --limit to see them)",
                       "k = \"hi\"  (version 2)",
                       "n = 42  (version 3)",
                       "(more entries; raise --limit to see them)",
                       "OK (version 7)",
                       "OK (version 8)",
                       "OK (version 9)",
                       "OK (version 10)",
                       "\"done\"  (version 10)",
                       "phase = \"done\"  (version 10)",
                       "4",
                   }));
}

TEST(CliScriptTest, ReportsBadInputAndContinues) {
  TempDir dir;
  const std::string script =
      "kv gett k\n"                  // 1: unknown command, with a suggestion
      "kv put k\n"                   // 2: wrong arity, with the usage line
      "kv put k '{\"a\": 1,}'\n"     // 3: malformed JSON, with the position
      "use ghost\n"                  // 4: missing run
      "kv put k \"unterminated\n"    // 5: tokenizer error
      "kv put k 1\n"                 // 6: still runs after the errors
      "kv get k --limit 2\n"         // 7: an option the command does not take
      "kv getat k x\n"               // 8: a malformed number
      "frobnicate\n"                 // 9: nothing close
      "trace record rocket launch\n" // 10: a bad span kind
      "run end r1 finished\n"        // 11: a bad run status
      "kv get k\n";                  // 12
  CliResult r = Strata({dir.Sub("db")}, script);
  EXPECT_CLEAN_EXIT(r, 1);
  EXPECT_LINES(r.out, "OK (version 1)", "1  (version 1)");
  const std::vector<std::string> err = Lines(r.err);
  ASSERT_EQ(err.size(), 10u) << r.err;
  EXPECT_EQ(err[0], "error: InvalidArgument: line 1: unknown command 'kv gett'; did you mean "
                    "'kv get'?");
  EXPECT_EQ(err[1], "error: InvalidArgument: line 2: wrong number of arguments for 'kv put' "
                    "(expected 2, got 1); usage: kv put KEY VALUE");
  EXPECT_EQ(err[2].rfind("error: InvalidArgument: line 3: malformed JSON value: invalid JSON at "
                         "byte offset 8",
                         0),
            0u)
      << err[2];
  EXPECT_EQ(err[3].rfind("error: NotFound: line 4: run 'ghost' does not exist", 0), 0u)
      << err[3];
  EXPECT_EQ(err[4], "error: InvalidArgument: line 5: unterminated double quote starting at "
                    "column 10");
  EXPECT_EQ(err[5], "error: InvalidArgument: line 7: unknown option '--limit' for 'kv get'; "
                    "usage: kv get KEY");
  EXPECT_EQ(err[6], "error: InvalidArgument: line 8: VERSION must be a non-negative integer, "
                    "got 'x'");
  EXPECT_EQ(err[7], "error: InvalidArgument: line 9: unknown command 'frobnicate'; type 'help' "
                    "for the list of commands");
  EXPECT_EQ(err[8], "error: InvalidArgument: line 10: unknown span kind 'rocket': use "
                    "tool_call, decision, query, thought or custom");
  EXPECT_EQ(err[9], "error: InvalidArgument: line 11: 'finished' is not an end status: use "
                    "completed, failed or cancelled; usage: run end [ID] "
                    "completed|failed|cancelled");
}

TEST(CliScriptTest, BailStopsAtTheFirstError) {
  TempDir dir;
  CliResult r = Strata({"--bail", dir.Sub("db")}, "kv put a 1\nkv get missing\nkv put b 2\n");
  EXPECT_CLEAN_EXIT(r, 1);
  EXPECT_EQ(r.out, "OK (version 1)\n");
  EXPECT_EQ(r.err, "error: NotFound: line 2: key not found: kv://default/missing\n");
  r = Strata({dir.Sub("db"), "kv", "get", "b"});
  EXPECT_CLEAN_EXIT(r, 1);
}

TEST(CliScriptTest, QuitStopsReading) {
  TempDir dir;
  CliResult r = Strata({dir.Sub("db")}, "kv put a 1\nquit\nkv put b 2\n");
  EXPECT_CLEAN_EXIT(r, 0);
  EXPECT_EQ(r.out, "OK (version 1)\n");
  r = Strata({dir.Sub("db")}, "kv get a\nexit\nkv get b\n");
  EXPECT_CLEAN_EXIT(r, 0);
  EXPECT_EQ(r.out, "1  (version 1)\n");
}

TEST(CliScriptTest, HelpInsideTheShell) {
  TempDir dir;
  CliResult r = Strata({dir.Sub("db")}, "help\nhelp kv put\nhelp kv history\nhelp json\n");
  EXPECT_CLEAN_EXIT(r, 0);
  EXPECT_EQ(r.out.rfind("Commands (type 'help COMMAND' for details and an example):\n", 0), 0u);
  for (const char* needle :
       {"usage: kv put KEY VALUE\nStore VALUE under KEY.\nexample: kv put user:1 '{\"name\": "
        "\"Ada\"}'\n",
        "usage: kv history KEY [--limit N]\n", "Not available inside a transaction.\n",
        "'json' commands:\n  json create ID VALUE\n"}) {
    EXPECT_NE(r.out.find(needle), std::string::npos) << needle;
  }
  r = Strata({dir.Sub("db")}, "help nosuch\n");
  EXPECT_CLEAN_EXIT(r, 1);
  EXPECT_EQ(r.err, "error: InvalidArgument: line 1: unknown command 'nosuch'; type 'help' for "
                   "the list of commands\n");
}

// --- Transactions.

TEST(CliScriptTest, TransactionsCommitAndRollBack) {
  TempDir dir;
  const std::string db = dir.Sub("db");
  const std::string script = R"(kv put base 0
begin
kv put a 1
kv get a
kv get base
state set s 5
event append step '{"n": 1}'
kv history base
commit
begin
kv put b 2
event append step
rollback
kv get a
kv get b
event len
commit
begin
begin
kv put c 3
)";
  CliResult r = Strata({db}, script);
  EXPECT_CLEAN_EXIT(r, 1);
  EXPECT_LINES(r.out, "OK (version 1)", "transaction started (snapshot version 1)",
               "OK (in transaction)", "1  (uncommitted)", "0  (version 1)", "OK (in transaction)",
               "seq 1 (in transaction)", "committed (version 2)",
               "transaction started (snapshot version 2)", "OK (in transaction)",
               "seq 2 (in transaction)", "rolled back", "1  (version 2)", "1",
               "transaction started (snapshot version 2)", "OK (in transaction)");
  EXPECT_LINES(r.err,
               "error: FailedPrecondition: line 8: 'kv history' is not available inside a "
               "transaction (commit or rollback first)",
               "error: NotFound: line 15: key not found: kv://default/b",
               "error: FailedPrecondition: line 17: no transaction is open (use begin)",
               "error: FailedPrecondition: line 19: a transaction is already open (commit or "
               "rollback it first)",
               "warning: the open transaction was rolled back");
  // The transaction left open at the end of the script was rolled back.
  r = Strata({db, "kv", "get", "c"});
  EXPECT_CLEAN_EXIT(r, 1);
  EXPECT_EQ(r.err, "error: NotFound: key not found: kv://default/c\n");
  r = Strata({db, "state", "get", "s"});
  EXPECT_EQ(r.out, "5  (version 2)\n");
}

TEST(CliScriptTest, ReadModifyWriteTransactionAndCasConflict) {
  TempDir dir;
  const std::string db = dir.Sub("db");
  // One process holds the database, so a shell's transaction cannot meet a
  // concurrent commit; CAS expectations still fail with Conflict.
  CliResult r = Strata({db}, "kv put k 1\nbegin\nkv get k\nkv put k 2\ncommit\nkv get k\n");
  EXPECT_CLEAN_EXIT(r, 0);
  EXPECT_LINES(r.out, "OK (version 1)", "transaction started (snapshot version 1)",
               "1  (version 1)", "OK (in transaction)", "committed (version 2)",
               "2  (version 2)");
  r = Strata({db}, "state init s a\nstate cas s 1 b\nstate cas s 3 c\n");
  EXPECT_CLEAN_EXIT(r, 1);
  EXPECT_EQ(r.out, "OK (version 3)\nOK (version 4)\n");
  EXPECT_EQ(r.err.rfind("error: Conflict: line 2: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("current version 3"), std::string::npos) << r.err;
}

// --- Runs and the primitives.

TEST(CliScriptTest, RunsLifecycle) {
  TempDir dir;
  const std::string script = R"(run create r1 --tag demo --tag x --meta '{"model": "small"}'
run create r2 --parent r1
use r1
kv put k in-r1
run list
use default
kv get k
use r2
run end completed
kv put k late
run archive
run show r2
run end r1 failed
run delete r1
use r1
)";
  CliResult r = Strata({dir.Sub("db")}, script);
  EXPECT_CLEAN_EXIT(r, 1);
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 22u) << r.out;
  EXPECT_EQ(std::vector<std::string>(lines.begin(), lines.begin() + 9),
            (std::vector<std::string>{"OK (version 1)", "OK (version 2)", "using run r1",
                                      "OK (version 3)", "  default  active",
                                      "* r1       active  tags=demo,x",
                                      "  r2       active  parent=r1", "using run default",
                                      "using run r2"}));
  EXPECT_EQ(lines[9], "OK (version 4)");   // run end completed
  EXPECT_EQ(lines[10], "OK (version 5)");  // run archive
  EXPECT_EQ(lines[11], "id: r2");
  EXPECT_EQ(lines[12], "status: archived");
  EXPECT_EQ(lines[13], "parent: r1");
  EXPECT_EQ(lines[14], "tags: -");
  EXPECT_EQ(lines[15], "metadata: {}");
  EXPECT_EQ(lines[16].rfind("created: 20", 0), 0u);
  EXPECT_EQ(lines[17].rfind("ended: 20", 0), 0u);
  EXPECT_EQ(lines[18], "base_version: 1");
  EXPECT_EQ(lines[19], "version: 5");
  EXPECT_EQ(lines[20], "OK (version 6)");  // run end r1 failed
  // run delete r1 commits twice: it marks the run as being deleted first.
  EXPECT_EQ(lines[21], "OK (version 8)");
  const std::vector<std::string> err = Lines(r.err);
  ASSERT_EQ(err.size(), 3u) << r.err;
  EXPECT_EQ(err[0], "error: NotFound: line 7: key not found: kv://default/k");
  EXPECT_EQ(err[1].rfind("error: FailedPrecondition: line 10: ", 0), 0u) << err[1];
  EXPECT_EQ(err[2].rfind("error: NotFound: line 15: run 'r1' does not exist", 0), 0u) << err[2];
}

TEST(CliScriptTest, DeletingTheCurrentRunSwitchesToDefault) {
  TempDir dir;
  CliResult r = Strata({"--run", "default", dir.Sub("db")},
                       "run create tmp\nuse tmp\nrun delete tmp\nkv put k 1\nget kv://default/k\n");
  EXPECT_CLEAN_EXIT(r, 0);
  // Deleting a run commits twice (mark, then delete).
  EXPECT_LINES(r.out, "OK (version 1)", "using run tmp", "OK (version 3)", "using run default",
               "OK (version 4)", "1  (version 4)");
  r = Strata({"--run", "tmp", dir.Sub("db"), "kv", "get", "k"});
  EXPECT_CLEAN_EXIT(r, 1);
  EXPECT_EQ(r.err.rfind("error: NotFound: run 'tmp' does not exist", 0), 0u) << r.err;
}

TEST(CliScriptTest, EventLog) {
  TempDir dir;
  const std::string script = R"(event append tool.call '{"tool": "search"}'
event append thought
event append tool.call '{"tool": "fetch"}'
event len
event range 2
event bytype tool.call --limit 1
event get 1
event verify
event get 9
)";
  CliResult r = Strata({dir.Sub("db")}, script);
  EXPECT_CLEAN_EXIT(r, 1);
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 16u) << r.out;
  EXPECT_EQ(lines[0], "seq 1 (version 1)");
  EXPECT_EQ(lines[1], "seq 2 (version 2)");
  EXPECT_EQ(lines[2], "seq 3 (version 3)");
  EXPECT_EQ(lines[3], "3");
  // SEQ  TIME  TYPE  PAYLOAD
  EXPECT_EQ(lines[4].rfind("2  20", 0), 0u) << lines[4];
  EXPECT_EQ(lines[4].substr(lines[4].find("Z  ")), "Z  thought  null");
  EXPECT_EQ(lines[5].substr(lines[5].find("Z  ")), "Z  tool.call  {\"tool\":\"fetch\"}");
  EXPECT_EQ(lines[6].substr(lines[6].find("Z  ")), "Z  tool.call  {\"tool\":\"search\"}");
  EXPECT_EQ(lines[7], "(more entries; raise --limit to see them)");
  EXPECT_EQ(lines[8], "seq: 1");
  EXPECT_EQ(lines[9], "type: tool.call");
  EXPECT_EQ(lines[10], "payload: {\"tool\":\"search\"}");
  EXPECT_EQ(lines[12], "prev_hash: 0000000000000000");
  EXPECT_EQ(lines[13].size(), std::string("hash: ").size() + 16);
  EXPECT_EQ(lines[14], "version: 1");
  EXPECT_EQ(lines[15], "chain OK (3 events checked)");
  EXPECT_EQ(r.err.rfind("error: NotFound: line 9: ", 0), 0u) << r.err;
}

TEST(CliScriptTest, TraceSpans) {
  TempDir dir;
  const std::string script = R"(trace begin decision plan --tag step1
trace record tool_call search --parent 1 --input '{"q": "cats"}' --output '[1, 2]'
trace record thought why --parent 2 --status error
trace begin query lookup
trace end 1 ok '"done"'
trace end 4 error
trace tree
trace query --kind tool_call
trace query --parent 0
trace query --tag step1 --limit 5
trace get 2
trace end 1
trace get 99
)";
  CliResult r = Strata({dir.Sub("db")}, script);
  EXPECT_CLEAN_EXIT(r, 1);
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 25u) << r.out;
  EXPECT_EQ(std::vector<std::string>(lines.begin(), lines.begin() + 17),
            (std::vector<std::string>{
                "span 1", "span 2", "span 3", "span 4", "OK (version 5)", "OK (version 6)",
                "#1 decision plan [ok]", "  #2 tool_call search [ok]", "    #3 thought why [error]",
                "#4 query lookup [error]", "#2 tool_call search [ok]  parent #1",
                "#1 decision plan [ok]", "#4 query lookup [error]", "#1 decision plan [ok]",
                "id: 2", "kind: tool_call", "name: search"}));
  EXPECT_EQ(lines[17], "status: ok");
  EXPECT_EQ(lines[18], "parent: 1");
  EXPECT_EQ(lines[19], "input: {\"q\":\"cats\"}");
  EXPECT_EQ(lines[20], "output: [1,2]");
  EXPECT_EQ(lines[23], "tags: -");
  EXPECT_EQ(lines[24], "version: 2");
  const std::vector<std::string> err = Lines(r.err);
  ASSERT_EQ(err.size(), 2u) << r.err;
  EXPECT_EQ(err[0].rfind("error: FailedPrecondition: line 12: ", 0), 0u) << err[0];
  EXPECT_EQ(err[1].rfind("error: NotFound: line 13: ", 0), 0u) << err[1];
}

TEST(CliScriptTest, JsonDocuments) {
  TempDir dir;
  const std::string db = dir.Sub("db");
  const std::string script = R"(json create doc1 '{"a": {"b": 1}, "list": [1]}'
json get doc1
json get doc1 /a/b
json get doc1 $.list[0]
json set doc1 /a/c '"x"'
json set doc1 /list/- 2
json patch doc1 '[{"op": "add", "path": "/n", "value": 7}, {"op": "remove", "path": "/a/b"}]'
json merge doc1 '{"n": null, "m": true}'
json get doc1
json cas doc1 5 '[{"op": "replace", "path": "/m", "value": false}]'
json cas doc1 5 '[{"op": "replace", "path": "/m", "value": 0}]'
json del doc1 /a
json create doc2 '[]'
json list
json list doc --limit 1
json getat doc1 1
json getat doc1 2 /a
json destroy doc2
json get doc2
json create doc1 1
json patch doc1 '{"op": "add"}'
json get doc1 /nope
)";
  CliResult r = Strata({db}, script);
  EXPECT_CLEAN_EXIT(r, 1);
  EXPECT_LINES(r.out, "OK (version 1)", "{\"a\":{\"b\":1},\"list\":[1]}  (version 1)",
               "1  (version 1)", "1  (version 1)", "OK (version 2)", "OK (version 3)",
               "OK (version 4)", "OK (version 5)",
               "{\"a\":{\"c\":\"x\"},\"list\":[1,2],\"m\":true}  (version 5)", "OK (version 6)",
               "OK (version 7)", "OK (version 8)", "doc1", "doc2", "doc1",
               "(more entries; raise --limit to see them)",
               "{\"a\":{\"b\":1},\"list\":[1]}  (version 1)", "{\"b\":1,\"c\":\"x\"}  (version 2)",
               "OK (version 9)");
  const std::vector<std::string> err = Lines(r.err);
  ASSERT_EQ(err.size(), 5u) << r.err;
  EXPECT_EQ(err[0].rfind("error: Conflict: line 11: ", 0), 0u) << err[0];
  EXPECT_EQ(err[1].rfind("error: NotFound: line 19: ", 0), 0u) << err[1];
  EXPECT_EQ(err[2].rfind("error: AlreadyExists: line 20: ", 0), 0u) << err[2];
  EXPECT_EQ(err[3].rfind("error: InvalidArgument: line 21: ", 0), 0u) << err[3];
  EXPECT_EQ(err[4].rfind("error: NotFound: line 22: ", 0), 0u) << err[4];

  r = Strata({db, "json", "history", "doc1"});
  EXPECT_CLEAN_EXIT(r, 0);
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 7u) << r.out;
  EXPECT_EQ(lines[0].rfind("version 7  20", 0), 0u) << lines[0];
  EXPECT_EQ(lines[0].substr(lines[0].find("Z  ")), "Z  {\"list\":[1,2],\"m\":false}");
  EXPECT_EQ(lines[6].rfind("version 1  20", 0), 0u) << lines[6];
}

TEST(CliScriptTest, EntitiesByAddress) {
  TempDir dir;
  const std::string script = R"(kv put user:1 ada
kv put user:1 grace
state set phase plan
event append boot
run create r7
use r7
kv put k 1
get kv://default/user:1
get state://default/phase
get kv://r7/k
history kv://default/user:1
count kv
count run
count widgets
get nonsense
get kv://default/nope
)";
  CliResult r = Strata({dir.Sub("db")}, script);
  EXPECT_CLEAN_EXIT(r, 1);
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 14u) << r.out;
  EXPECT_EQ(lines[7], "\"grace\"  (version 2)");
  EXPECT_EQ(lines[8], "\"plan\"  (version 3)");
  EXPECT_EQ(lines[9], "1  (version 6)");
  EXPECT_EQ(lines[10].substr(lines[10].find("Z  ")), "Z  \"grace\"");
  EXPECT_EQ(lines[11].substr(lines[11].find("Z  ")), "Z  \"ada\"");
  EXPECT_EQ(lines[12], "1");  // count kv in r7
  EXPECT_EQ(lines[13], "1");  // count run
  const std::vector<std::string> err = Lines(r.err);
  ASSERT_EQ(err.size(), 3u) << r.err;
  EXPECT_EQ(err[0], "error: InvalidArgument: line 14: unknown primitive 'widgets': use kv, "
                    "event, state, trace, run, json or vector");
  EXPECT_EQ(err[1].rfind("error: InvalidArgument: line 15: ", 0), 0u) << err[1];
  EXPECT_EQ(err[2], "error: NotFound: line 16: not found: kv://default/nope");
}

TEST(CliScriptTest, StatsAndInfo) {
  TempDir dir;
  const std::string db = dir.Sub("db");
  CliResult r = Strata({"--durability", "strict", db}, "kv put a 1\nstats\ninfo\n");
  EXPECT_CLEAN_EXIT(r, 0);
  std::map<std::string, std::string> fields;
  for (const std::string& line : Lines(r.out)) {
    const size_t colon = line.find(": ");
    if (colon != std::string::npos) fields[line.substr(0, colon)] = line.substr(colon + 2);
  }
  EXPECT_EQ(fields["durability"], "strict");
  EXPECT_EQ(fields["current_version"], "1");
  EXPECT_EQ(fields["live_keys"].empty(), false);
  EXPECT_NE(fields["wal_segments"], "0");
  EXPECT_EQ(fields["path"], db);
  EXPECT_EQ(fields["uuid"].size(), 36u) << fields["uuid"];
  EXPECT_EQ(fields["format_version"], "1");
  EXPECT_EQ(fields["library_version"], STRATA_VERSION_STRING);
  for (const char* name : {"stored_versions", "memory_bytes", "commits", "conflicts", "wal_bytes",
                           "wal_syncs", "recovered_records", "discarded_bytes"}) {
    EXPECT_EQ(fields.count(name), 1u) << name;
  }
}

TEST(CliScriptTest, CheckpointCompactExportImport) {
  TempDir dir;
  const std::string db = dir.Sub("db");
  const std::string backup = dir.Sub("backup.strata");
  const std::string restored = dir.Sub("restored");
  CliResult r = Strata({"--durability", "strict", db},
                       "kv put a 1\nkv put a 2\njson create d '{\"x\":1}'\ncheckpoint\n"
                       "compact --full\nexport " + backup + "\nimport " + backup + " " +
                           restored + "\nstats\n");
  EXPECT_CLEAN_EXIT(r, 0);
  std::map<std::string, std::string> fields;
  for (const std::string& line : Lines(r.out)) {
    const size_t colon = line.find(": ");
    if (colon != std::string::npos) fields[line.substr(0, colon)] = line.substr(colon + 2);
  }
  EXPECT_EQ(fields["watermark"], "3");
  EXPECT_EQ(fields["snapshot"], backup);  // The export's line comes last.
  EXPECT_EQ(fields["path"], restored);
  EXPECT_EQ(fields["snapshot_watermark"], "3");
  EXPECT_EQ(fields["checkpoints"], "1");
  EXPECT_EQ(fields.count("wal_segments_removed"), 1u);
  // The imported database holds the same history.
  r = Strata({restored, "kv", "history", "a"});
  EXPECT_CLEAN_EXIT(r, 0);
  EXPECT_EQ(Lines(r.out).size(), 2u) << r.out;
  r = Strata({restored, "json", "get", "d", "/x"});
  EXPECT_CLEAN_EXIT(r, 0);
  EXPECT_EQ(r.out.rfind("1", 0), 0u) << r.out;
  // Refused where it cannot work.
  r = Strata({"--in-memory", "checkpoint"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("error: FailedPrecondition: "), std::string::npos) << r.err;
  r = Strata({db, "import", backup, restored});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("error: AlreadyExists: "), std::string::npos) << r.err;
}

// --- Machine output.

TEST(CliScriptTest, JsonOutputParsesBack) {
  TempDir dir;
  const std::string script = R"(kv put k '{"a": [1, "x"]}'
kv get k
kv list
kv history k
event append e '"p"'
event range
event len
event verify
state set s 1
state list
trace record thought t --tag x
trace tree
trace query
run create r2 --meta '{"m": 1}'
run list
run show r2
json create d '{"z": 0}'
json get d
json list
begin
kv put t 1
kv get t
commit
use default
count kv
stats
info
)";
  CliResult r = Strata({"--json", dir.Sub("db")}, script);
  EXPECT_CLEAN_EXIT(r, 0);
  EXPECT_EQ(r.err, "");
  const std::vector<std::string> lines = Lines(r.out);
  // One line per result; run list prints two runs.
  ASSERT_EQ(lines.size(), 28u) << r.out;
  std::vector<Value> values;
  ASSERT_NO_FATAL_FAILURE(ParseJsonLines(lines, &values));
  auto field = [&](size_t i, const char* name) { return Member(values[i], name); };
  EXPECT_EQ(field(0, "ok"), Value(true));
  EXPECT_EQ(field(0, "version"), Value(1));
  EXPECT_EQ(field(1, "value"), *Value::FromJson(R"({"a": [1, "x"]})"));
  EXPECT_EQ(field(1, "version"), Value(1));
  EXPECT_TRUE(field(1, "timestamp_us").is_int());
  EXPECT_EQ(field(2, "key"), Value("k"));
  EXPECT_EQ(field(3, "deleted"), Value(false));
  EXPECT_EQ(field(4, "seq"), Value(1));
  EXPECT_EQ(field(5, "type"), Value("e"));
  EXPECT_EQ(field(5, "payload"), Value("p"));
  EXPECT_EQ(field(5, "prev_hash"), Value("0000000000000000"));
  EXPECT_EQ(field(6, "length"), Value(1));
  EXPECT_EQ(field(7, "valid"), Value(true));
  EXPECT_EQ(field(9, "key"), Value("s"));
  EXPECT_EQ(field(10, "span"), Value(1));
  EXPECT_EQ(field(11, "depth"), Value(0));
  EXPECT_EQ(field(11, "kind"), Value("thought"));
  EXPECT_EQ(field(12, "tags"), Value(Value::Array{"x"}));
  EXPECT_EQ(field(14, "id"), Value("default"));
  EXPECT_EQ(field(14, "current"), Value(true));
  EXPECT_EQ(field(15, "id"), Value("r2"));
  EXPECT_EQ(field(16, "metadata"), Value(Value::Object{{"m", 1}}));
  EXPECT_EQ(field(18, "value"), Value(Value::Object{{"z", 0}}));
  EXPECT_EQ(field(19, "id"), Value("d"));
  EXPECT_EQ(field(20, "snapshot_version"), Value(6));
  EXPECT_EQ(values[21], Value(Value::Object{{"ok", true}}));
  EXPECT_EQ(field(22, "version"), Value(0));
  EXPECT_EQ(field(23, "version"), Value(7));
  EXPECT_EQ(field(24, "run"), Value("default"));
  EXPECT_EQ(field(25, "count"), Value(2));
  EXPECT_EQ(field(26, "durability"), Value("buffered"));
  EXPECT_EQ(field(27, "format_version"), Value(1));
}

TEST(CliScriptTest, RandomInputNeverCrashes) {
  // Command words, options and fragments of quoting and JSON, shuffled into
  // random lines: every line must be run or refused with one error line.
  const std::vector<std::string> pieces = {
      "kv", "put", "get", "del", "list", "history", "getat", "event", "append", "range",
      "bytype", "verify", "len", "state", "init", "set", "cas", "trace", "record", "begin",
      "end", "query", "tree", "json", "create", "patch", "merge", "destroy", "run", "use",
      "show", "archive", "delete", "commit", "rollback", "count", "stats", "info", "help",
      "--limit", "--tag", "--parent", "--meta", "--input", "--kind", "--", "0", "1", "-1",
      "18446744073709551616", "k", "default", "r1", "tool_call", "ok", "/a", "$.a[0]", "'",
      "\"", "\\", "#", "{", "}", "[", "]", "{\"a\":", "[1,", "'{\"op\": \"add\"}'",
      "'[{\"op\": \"add\", \"path\": \"/x\", \"value\": 1}]'", "kv://default/k",
      "json://default/d#/a", "event://default/1", "\xff\xfe", "\t", "''", "completed"};
  std::mt19937_64 rng(strata::testing::TestSeed());
  std::string script;
  for (int line = 0; line < 1500; ++line) {
    const int words = 1 + static_cast<int>(rng() % 6);
    for (int w = 0; w < words; ++w) {
      script += pieces[rng() % pieces.size()];
      script += rng() % 8 == 0 ? "" : " ";
    }
    script += "\n";
  }
  TempDir dir;
  CliResult r = Strata({dir.Sub("db")}, script);
  EXPECT_EQ(r.signal, 0) << r.err;
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.exit_code;
  for (const std::string& line : Lines(r.err)) {
    EXPECT_TRUE(line.rfind("error: ", 0) == 0 || line.rfind("warning: ", 0) == 0) << line;
  }
  // The database still opens and works afterwards.
  r = Strata({dir.Sub("db"), "kv", "put", "after", "1"});
  EXPECT_CLEAN_EXIT(r, 0);
}

// --- Damaged and busy databases.

TEST(CliBinaryTest, DamagedDatabaseReportsDataLoss) {
  TempDir dir;
  const std::string db = dir.Sub("db");
  std::string script;
  for (int i = 0; i < 30; ++i) script += "kv put key" + std::to_string(i) + " value-" +
                                         std::to_string(i) + "\n";
  CliResult r = Strata({db}, script);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string segment;
  for (const auto& entry : std::filesystem::directory_iterator(db + "/WAL")) {
    if (entry.path().extension() == ".seg" && std::filesystem::file_size(entry.path()) > 64) {
      segment = entry.path();
    }
  }
  ASSERT_FALSE(segment.empty());
  // Flip bytes in the middle of the log: a damaged record followed by good
  // ones is not a torn tail, so the open must fail with DataLoss.
  std::string bytes = ReadFile(segment);
  for (size_t i = bytes.size() / 3; i < bytes.size() / 3 + 4; ++i) bytes[i] ^= 0x5a;
  WriteFile(segment, bytes);

  r = Strata({db, "kv", "get", "key1"});
  EXPECT_CLEAN_EXIT(r, 1);
  EXPECT_EQ(r.out, "");
  const std::vector<std::string> err = Lines(r.err);
  ASSERT_EQ(err.size(), 1u) << r.err;
  EXPECT_EQ(err[0].rfind("error: DataLoss: cannot open " + db + ": ", 0), 0u) << err[0];
  EXPECT_NE(err[0].find("wal-"), std::string::npos) << err[0];
  // Scripts fail the same way, before reading any command.
  r = Strata({db}, "kv get key1\n");
  EXPECT_CLEAN_EXIT(r, 1);
  EXPECT_EQ(r.err.rfind("error: DataLoss: ", 0), 0u) << r.err;
}

TEST(CliBinaryTest, GarbageInTheDatabaseDirectoryIsAnErrorNotACrash) {
  TempDir dir;
  const std::string db = dir.Sub("db");
  ASSERT_EQ(Strata({db, "kv", "put", "a", "1"}).exit_code, 0);
  WriteFile(db + "/MANIFEST", "this is not a manifest");
  CliResult r = Strata({db, "kv", "get", "a"});
  EXPECT_CLEAN_EXIT(r, 1);
  EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << r.err;
  EXPECT_EQ(Lines(r.err).size(), 1u) << r.err;
  // A path that is a file, not a directory.
  WriteFile(dir.Sub("file"), "x");
  r = Strata({dir.Sub("file"), "kv", "get", "a"});
  EXPECT_CLEAN_EXIT(r, 1);
  EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << r.err;
}

TEST(CliBinaryTest, BusyDatabaseNamesTheHolder) {
  TempDir dir;
  const std::string db = dir.Sub("db");
  ASSERT_EQ(Strata({db, "kv", "put", "a", "1"}).exit_code, 0);
  // A shell that keeps the database open while it waits for more input.
  const std::string holder_out = dir.Sub("holder.out");
  const std::string holder =
      ShellQuote(STRATA_CLI_PATH) + " " + ShellQuote(db) + " > " + ShellQuote(holder_out);
  FILE* pipe = popen(holder.c_str(), "w");
  ASSERT_NE(pipe, nullptr);
  std::fputs("kv put b 2\n", pipe);
  std::fflush(pipe);
  // Once its write is acknowledged it holds the lock.
  for (int attempt = 0; attempt < 1000 && ReadFile(holder_out).empty(); ++attempt) {
    usleep(10000);
  }
  EXPECT_EQ(ReadFile(holder_out), "OK (version 2)\n");
  CliResult r = Strata({db, "kv", "get", "a"});
  EXPECT_CLEAN_EXIT(r, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err.rfind("error: Busy: cannot open " + db + ": ", 0), 0u) << r.err;
  std::fputs("quit\n", pipe);
  EXPECT_EQ(pclose(pipe), 0);
  r = Strata({db, "kv", "get", "b"});
  EXPECT_CLEAN_EXIT(r, 0);
  EXPECT_EQ(r.out, "2  (version 2)\n");
}

// --- Vectors.

TEST(CliCommandsTest, CompletesVectorCommands) {
  EXPECT_EQ(cli::CompletionCandidates({}, "vec"), std::vector<std::string>{"vector"});
  EXPECT_EQ(cli::CompletionCandidates({"vector"}, "d"),
            (std::vector<std::string>{"describe", "drop", "delete"}));
  EXPECT_EQ(cli::CompletionCandidates({"vector"}, "").size(), 9u);
  EXPECT_EQ(cli::CompletionCandidates({"help"}, "vec"), std::vector<std::string>{"vector"});
  EXPECT_EQ(cli::CompletionCandidates({"help", "vector"}, "se"),
            std::vector<std::string>{"search"});
  EXPECT_TRUE(cli::CompletionCandidates({"vector", "search"}, "").empty());
}

TEST(CliScriptTest, VectorCommands) {
  TempDir dir;
  const std::string db = dir.Sub("db");
  // Cosine similarities to the query [1, 0, 0]: a 1, b 0.9/sqrt(0.82),
  // e 0.1/sqrt(0.14), c and d 0 (equal scores rank by key).
  const std::string script = R"(vector create docs 3
vector create flat 2 --metric dot --m 8 --ef-construction 50 --ef-search 20 --exact-threshold 0
vector list
vector describe flat
vector put docs a '[1, 0, 0]' '{"bucket": 7, "score": 0.9}'
vector put docs b '[0.9, 0.1, 0]' '{"bucket": 8, "score": 0.5}'
vector put docs c '[0, 1, 0]' '{"bucket": 7, "lang": "en"}'
vector put docs d '[0, 0, 1]'
vector put docs e '[0.1, 0.2, 0.3]' null
vector count docs
vector get docs a
vector get docs e
vector search docs '[1, 0, 0]'
vector search docs '[1, 0, 0]' --k 3
vector search docs '[1, 0, 0]' --filter '{"bucket": 7}'
vector search docs '[1, 0, 0]' --filter '{"bucket": {"$eq": 8}}'
vector search docs '[1, 0, 0]' --filter '{"bucket": {"$in": [8, 9]}}'
vector search docs '[1, 0, 0]' --filter '{"score": {"$gte": 0.5, "$lt": 0.9}}'
vector search docs '[1, 0, 0]' --filter '{"score": {"$gt": 0.5, "$lte": 0.9}}'
vector search docs '[1, 0, 0]' --filter '{"$or": [{"lang": "en"}, {"bucket": 8}]}'
vector search docs '[1, 0, 0]' --filter '{"$and": [{"bucket": 7}, {"score": {"$gte": 0}}]}'
vector search docs '[1, 0, 0]' --filter '{"bucket": 7, "lang": "en"}'
vector search docs '[1, 0, 0]' --filter '{"bucket": 99}'
vector put docs a '[0.5, 0.5, 0]' '{"bucket": 1}'
vector get docs a
vector get docs a --at 3
vector delete docs b
vector count docs
vector search docs '[1, 0, 0]' --k 2 --ef 100
vector put flat x '[1, 2]'
vector put flat y '[3, -1]'
vector search flat '[1, 1]'
vector list
vector drop flat
vector list
)";
  CliResult r = Strata({db}, script);
  EXPECT_CLEAN_EXIT(r, 0);
  EXPECT_EQ(r.err, "");
  EXPECT_LINES(r.out,
               // create, create, list
               "OK (version 1)", "OK (version 2)",
               "docs  dim 3  cosine  0 vectors  (version 1)",
               "flat  dim 2  dot  0 vectors  (version 2)",
               // describe flat
               "name: flat", "dimension: 2", "metric: dot", "count: 0", "m: 8",
               "ef_construction: 50", "ef_search: 20", "exact_threshold: 0", "version: 2",
               // five puts, count, two gets
               "OK (version 3)", "OK (version 4)", "OK (version 5)", "OK (version 6)",
               "OK (version 7)", "5", "[1,0,0]  {\"bucket\":7,\"score\":0.9}  (version 3)",
               "[0.1,0.2,0.3]  null  (version 7)",
               // every hit
               "1  a  1  (version 3)  {\"bucket\":7,\"score\":0.9}",
               "2  b  0.993884  (version 4)  {\"bucket\":8,\"score\":0.5}",
               "3  e  0.267261  (version 7)  null",
               "4  c  0  (version 5)  {\"bucket\":7,\"lang\":\"en\"}",
               "5  d  0  (version 6)  null",
               // --k 3
               "1  a  1  (version 3)  {\"bucket\":7,\"score\":0.9}",
               "2  b  0.993884  (version 4)  {\"bucket\":8,\"score\":0.5}",
               "3  e  0.267261  (version 7)  null",
               // bucket 7
               "1  a  1  (version 3)  {\"bucket\":7,\"score\":0.9}",
               "2  c  0  (version 5)  {\"bucket\":7,\"lang\":\"en\"}",
               // $eq 8, $in [8, 9]
               "1  b  0.993884  (version 4)  {\"bucket\":8,\"score\":0.5}",
               "1  b  0.993884  (version 4)  {\"bucket\":8,\"score\":0.5}",
               // [0.5, 0.9) and (0.5, 0.9]
               "1  b  0.993884  (version 4)  {\"bucket\":8,\"score\":0.5}",
               "1  a  1  (version 3)  {\"bucket\":7,\"score\":0.9}",
               // $or
               "1  b  0.993884  (version 4)  {\"bucket\":8,\"score\":0.5}",
               "2  c  0  (version 5)  {\"bucket\":7,\"lang\":\"en\"}",
               // $and (c has no score), then two members; bucket 99 matches nothing
               "1  a  1  (version 3)  {\"bucket\":7,\"score\":0.9}",
               "1  c  0  (version 5)  {\"bucket\":7,\"lang\":\"en\"}",
               // replace a, read it now and as of its first version
               "OK (version 8)", "[0.5,0.5,0]  {\"bucket\":1}  (version 8)",
               "[1,0,0]  {\"bucket\":7,\"score\":0.9}  (version 3)",
               // delete b, count, search
               "OK (version 9)", "4", "1  a  0.707107  (version 8)  {\"bucket\":1}",
               "2  e  0.267261  (version 7)  null",
               // the dot-product collection (always HNSW: --exact-threshold 0)
               "OK (version 10)", "OK (version 11)", "1  x  3  (version 10)  null",
               "2  y  2  (version 11)  null",
               // list, drop, list
               "docs  dim 3  cosine  4 vectors  (version 1)",
               "flat  dim 2  dot  2 vectors  (version 2)", "OK (version 12)",
               "docs  dim 3  cosine  4 vectors  (version 1)");

  // Everything persists, and one-shot commands take the same words.
  r = Strata({db, "vector", "search", "docs", "[1, 0, 0]", "--filter", R"({"bucket": 1})"});
  EXPECT_CLEAN_EXIT(r, 0);
  EXPECT_EQ(r.out, "1  a  0.707107  (version 8)  {\"bucket\":1}\n");
  r = Strata({db, "vector", "get", "docs", "b"});
  EXPECT_CLEAN_EXIT(r, 1);
  EXPECT_EQ(r.err, "error: NotFound: vector 'b' not found in vector://default/docs\n");
  r = Strata({db, "help", "vector", "search"});
  EXPECT_CLEAN_EXIT(r, 0);
  EXPECT_EQ(r.out.rfind("usage: vector search NAME QUERY [--k N] [--ef N] [--filter JSON]\n", 0),
            0u)
      << r.out;
}

TEST(CliScriptTest, SearchCommand) {
  TempDir dir;
  const std::string script = R"(kv put note1 "the solar panel needs cleaning"
kv put note2 "buy milk and bread"
json create plan '{"task": "inspect the solar array", "lang": "en"}'
event append observation '{"text": "panel output dropped", "lang": "de"}'
vector create mem 2
vector put mem m1 '[1, 0]' '{"text": "solar storm warning"}'
vector put mem m2 '[0, 1]' '{"text": "grocery list"}'
search solar --primitive kv
search panel --where '{"lang": "de"}'
search --vector '[0, 1]'
search solar --vector '[1, 0]' --k 2
search nothingmatches
run create other
search solar --run other
search solar --all-runs --primitive kv --primitive json
)";
  CliResult r = Strata({dir.Sub("db")}, script);
  EXPECT_CLEAN_EXIT(r, 0);
  EXPECT_EQ(r.err, "");
  EXPECT_LINES(r.out, "OK (version 1)", "OK (version 2)", "OK (version 3)", "seq 1 (version 4)",
               "OK (version 5)", "OK (version 6)", "OK (version 7)",
               "1. kv://default/note1  score=0.01639  v1  keyword:kv#1(0.663)",
               "1. event://default/1  score=0.01639  v4  keyword:event#1(0.2877)",
               "1. vector://default/mem%2Fm2  score=0.01639  v7  vector:default/mem#1(1)",
               "2. vector://default/mem%2Fm1  score=0.01613  v6  vector:default/mem#2(0)",
               "1. vector://default/mem%2Fm1  score=0.03279  v6  keyword:vector#1(0.663) "
               "vector:default/mem#1(1)",
               "2. json://default/plan  score=0.01639  v3  keyword:json#1(0.2877)", "(no hits)",
               "OK (version 8)", "(no hits)",
               "1. json://default/plan  score=0.01639  v3  keyword:json#1(0.2877)",
               "2. kv://default/note1  score=0.01639  v1  keyword:kv#1(0.663)");

  const std::string bad = R"(search
search the
search solar --k 0
search solar --primitive bogus
search solar --mode fuzzy
search solar --where '[1]'
search solar --where '{"f": [1]}'
search solar --run nope
search solar --run other --all-runs
search --vector '[1, "x"]'
search solar --from-us 10 --to-us 5
)";
  r = Strata({dir.Sub("db")}, bad);
  EXPECT_EQ(r.out, "");
  EXPECT_LINES(r.err, "error: InvalidArgument: line 1: keyword search needs query text",
               "error: InvalidArgument: line 2: query 'the' has no searchable terms (only stop "
               "words or punctuation)",
               "error: InvalidArgument: line 3: k must be in 1..10000, got 0",
               "error: InvalidArgument: line 4: --primitive is 'bogus'; use kv, event, state, "
               "trace, run, json or vector",
               "error: InvalidArgument: line 5: --mode is 'fuzzy'; use keyword, vector or hybrid",
               "error: InvalidArgument: line 6: --where must be a JSON object of field: value",
               "error: InvalidArgument: line 7: metadata condition on 'f' must compare with a "
               "null, bool, number or string",
               "error: NotFound: line 8: run 'nope' does not exist (create it with CreateRun)",
               "error: InvalidArgument: line 9: give --run or --all-runs, not both",
               "error: InvalidArgument: line 10: --vector component 1 is string; components "
               "must be numbers",
               "error: InvalidArgument: line 11: empty time range: from_us 10 >= to_us 5");

  // --search-index answers from the keyword index, with the same hits.
  for (const bool indexed : {false, true}) {
    std::vector<std::string> args = {"--json", dir.Sub("db"), "search", "solar", "--primitive", "kv"};
    if (indexed) args.insert(args.begin(), "--search-index");
    r = Strata(args);
    EXPECT_CLEAN_EXIT(r, 0);
    EXPECT_NE(r.out.find("\"ref\":\"kv://default/note1\""), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(indexed ? "\"indexes_used\":[\"bm25-index:kv/default\"]"
                                 : "\"indexes_used\":[\"bm25-scan:kv/default\"]"),
              std::string::npos)
        << r.out;
  }
}

TEST(CliScriptTest, VectorBadInput) {
  TempDir dir;
  const std::string script = R"(vector create docs 3
vector put docs a '[1, 2]'
vector put docs a '[1, 2, 3'
vector put docs a '{"x": 1}'
vector put docs a '[1, "2", 3]'
vector put docs a '[1, 1e300, 3]'
vector put docs a '[0, 0, 0]'
vector put docs a '[1, 2, 3]' '[1]'
vector put docs a '[1, 2, 3]' '{"m": 1'
vector put ghost a '[1, 2, 3]'
vector get ghost a
vector search ghost '[1, 2, 3]'
vector describe ghost
vector drop ghost
vector count ghost
vector get docs nope
vector delete docs nope
vector create docs 3
vector create bad 0
vector create bad 3 --metric manhattan
vector create bad 3 --m 1
vector create bad 3 --m 99999999999
vector create bad x
vector search docs '[1, 2]'
vector search docs '[1, 2, 3]' --k 0
vector search docs '[1, 2, 3]' --filter '{"bucket": 7'
vector search docs '[1, 2, 3]' --filter '[1]'
vector search docs '[1, 2, 3]' --filter '{}'
vector search docs '[1, 2, 3]' --filter '{"$not": {"a": 1}}'
vector search docs '[1, 2, 3]' --filter '{"a": {"$ne": 1}}'
vector search docs '[1, 2, 3]' --filter '{"a": [1, 2]}'
vector search docs '[1, 2, 3]' --filter '{"a": {"$in": []}}'
vector search docs '[1, 2, 3]' --filter '{"a": {"$gt": "x"}}'
vector search docs '[1, 2, 3]' --filter '{"a": {"$gt": 1, "$gte": 2}}'
vector search docs '[1, 2, 3]' --filter '{"a": {"$gte": 2, "$lte": 1}}'
vector search docs '[1, 2, 3]' --filter '{"$or": [{"a": 1}, {"b": {"$eq": [1]}}]}'
vector search docs '[1, 2, 3]' --filter '{"$and": []}'
vector search docs '[1, 2, 3]' --filter '{"$and": {"a": 1}}'
vector search docs '[1, 2, 3]' --filter '{"a": {}}'
vector get docs a --at x
vector put docs a '[1, 2, 3]' '{}' extra
vector frob
vector put docs a '[1, 2, 3]'
)";
  CliResult r = Strata({dir.Sub("db")}, script);
  EXPECT_CLEAN_EXIT(r, 1);
  EXPECT_LINES(r.out, "OK (version 1)", "OK (version 2)");
  EXPECT_LINES(
      r.err,
      "error: InvalidArgument: line 2: vector has dimension 2; the collection's is 3",
      "error: InvalidArgument: line 3: VECTOR must be a JSON array of numbers: " +
          std::string(Value::FromJson("[1, 2, 3").status().message()),
      "error: InvalidArgument: line 4: VECTOR must be a JSON array of numbers, got object",
      "error: InvalidArgument: line 5: VECTOR component 1 is string; components must be "
      "numbers",
      "error: InvalidArgument: line 6: VECTOR component 1 (1e+300) is outside the float range",
      "error: InvalidArgument: line 7: vector is all zeros, which has no direction under the "
      "cosine metric",
      "error: InvalidArgument: line 8: vector metadata must be a JSON object or null, not array",
      "error: InvalidArgument: line 9: METADATA: malformed JSON value: " +
          std::string(Value::FromJson("{\"m\": 1").status().message()),
      "error: NotFound: line 10: collection not found: vector://default/ghost",
      "error: NotFound: line 11: collection not found: vector://default/ghost",
      "error: NotFound: line 12: collection not found: vector://default/ghost",
      "error: NotFound: line 13: collection not found: vector://default/ghost",
      "error: NotFound: line 14: collection not found: vector://default/ghost",
      "error: NotFound: line 15: collection not found: vector://default/ghost",
      "error: NotFound: line 16: vector 'nope' not found in vector://default/docs",
      "error: NotFound: line 17: vector 'nope' not found in vector://default/docs",
      "error: AlreadyExists: line 18: collection already exists: vector://default/docs",
      "error: InvalidArgument: line 19: DIMENSION is 0; it must be in 1..4096",
      "error: InvalidArgument: line 20: unknown metric 'manhattan': use cosine, euclidean or "
      "dot",
      "error: InvalidArgument: line 21: collection index m is 1; it must be in 2..100",
      "error: InvalidArgument: line 22: --m must be at most 4294967295, got 99999999999",
      "error: InvalidArgument: line 23: DIMENSION must be a non-negative integer, got 'x'",
      "error: InvalidArgument: line 24: query has dimension 2; the collection's is 3",
      "error: InvalidArgument: line 25: --k is 0; it must be in 1..10000",
      "error: InvalidArgument: line 26: --filter: malformed JSON: " +
          std::string(Value::FromJson("{\"bucket\": 7").status().message()),
      "error: InvalidArgument: line 27: --filter: a filter must be a JSON object, got array",
      "error: InvalidArgument: line 28: --filter: {} has no condition",
      "error: InvalidArgument: line 29: --filter: unknown operator '$not' (use $and, $or or a "
      "field name)",
      "error: InvalidArgument: line 30: --filter: field \"a\": unknown operator '$ne' (use $eq, "
      "$in, $gt, $gte, $lt or $lte; filters match top-level scalar fields)",
      "error: InvalidArgument: line 31: --filter: field \"a\": an array is not a filter value "
      "(use {\"$in\": [...]} to match any of several values)",
      "error: InvalidArgument: line 32: --filter: field \"a\": $in needs at least one value",
      "error: InvalidArgument: line 33: --filter: field \"a\": $gt needs a finite number, got "
      "string",
      "error: InvalidArgument: line 34: --filter: field \"a\": $gt and $gte both set a lower "
      "bound",
      "error: InvalidArgument: line 35: --filter: field \"a\": the lower bound 2.0 is greater "
      "than the upper bound 1.0",
      "error: InvalidArgument: line 36: --filter: $or[1]: field \"b\": $eq: got array; use "
      "null, a boolean, a number or a string",
      "error: InvalidArgument: line 37: --filter: $and: needs at least one filter",
      "error: InvalidArgument: line 38: --filter: $and: needs an array of filters, got object",
      "error: InvalidArgument: line 39: --filter: field \"a\": {} has no condition",
      "error: InvalidArgument: line 40: --at must be a non-negative integer, got 'x'",
      "error: InvalidArgument: line 41: wrong number of arguments for 'vector put' (expected 3 "
      "to 4, got 5); usage: vector put NAME KEY VECTOR [METADATA]",
      "error: InvalidArgument: line 42: unknown command 'vector frob'; did you mean 'vector "
      "drop'?");

  // A filter nested deeper than the library allows is refused by it, cleanly.
  std::string deep = R"({"a": 1})";
  for (int i = 0; i < 20; ++i) deep = R"({"$and": [)" + deep + "]}";
  r = Strata({dir.Sub("db"), "vector", "search", "docs", "[1, 2, 3]", "--filter", deep});
  EXPECT_CLEAN_EXIT(r, 1);
  EXPECT_EQ(r.err.rfind("error: InvalidArgument: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("deeper than 16"), std::string::npos) << r.err;
  EXPECT_EQ(Lines(r.err).size(), 1u) << r.err;
}

TEST(CliScriptTest, VectorTransaction) {
  TempDir dir;
  const std::string db = dir.Sub("db");
  const std::string script = R"(vector create docs 2
vector put docs a '[1, 0]' '{"n": 1}'
begin
vector put docs b '[0, 1]' '{"n": 2}'
vector get docs b
vector get docs a
vector count docs
vector search docs '[0, 1]'
vector search docs '[0, 1]' --filter '{"n": {"$lt": 2}}'
vector get docs a --at 2
vector create inner 2
vector list
vector describe inner
rollback
vector get docs b
vector count docs
vector search docs '[0, 1]'
vector list
begin
vector delete docs a
vector put docs c '[1, 1]'
vector search docs '[1, 0]'
commit
vector search docs '[1, 0]'
)";
  CliResult r = Strata({db}, script);
  EXPECT_CLEAN_EXIT(r, 1);
  EXPECT_LINES(r.out, "OK (version 1)", "OK (version 2)",
               "transaction started (snapshot version 2)", "OK (in transaction)",
               "[0,1]  {\"n\":2}  (uncommitted)", "[1,0]  {\"n\":1}  (version 2)", "2",
               // The transaction's own write is searched with the snapshot.
               "1  b  1  (uncommitted)  {\"n\":2}", "2  a  0  (version 2)  {\"n\":1}",
               "1  a  0  (version 2)  {\"n\":1}", "OK (in transaction)",
               "docs  dim 2  cosine  2 vectors  (version 1)",
               "inner  dim 2  cosine  0 vectors  (uncommitted)", "name: inner", "dimension: 2",
               "metric: cosine", "count: 0", "m: 16", "ef_construction: 200", "ef_search: 64",
               "exact_threshold: 1000", "version: (uncommitted)", "rolled back",
               // Nothing of it is left.
               "1", "1  a  0  (version 2)  {\"n\":1}",
               "docs  dim 2  cosine  1 vector  (version 1)",
               "transaction started (snapshot version 2)", "OK (in transaction)",
               "OK (in transaction)", "1  c  0.707107  (uncommitted)  null",
               "committed (version 3)", "1  c  0.707107  (version 3)  null");
  EXPECT_LINES(r.err,
               "error: FailedPrecondition: line 10: 'vector get --at' is not available inside a "
               "transaction (commit or rollback first)",
               "error: NotFound: line 15: vector 'b' not found in vector://default/docs");
}

TEST(CliScriptTest, VectorJsonOutputParsesBack) {
  TempDir dir;
  const std::string script = R"(vector create docs 3 --metric euclidean
vector put docs a '[0.1, 0.2, 0.3]' '{"tag": "x"}'
vector put docs b '[1, 1, 1]'
vector list
vector describe docs
vector get docs a
vector count docs
vector search docs '[0.1, 0.2, 0.3]' --k 5
vector search docs '[0.1, 0.2, 0.3]' --filter '{"tag": {"$in": ["x", "y"]}}'
vector search docs '[0.1, 0.2, 0.3]' --filter '{"tag": "none"}'
begin
vector put docs c '[0, 0, 1]'
vector get docs c
commit
vector delete docs b
vector drop docs
)";
  CliResult r = Strata({"--json", dir.Sub("db")}, script);
  EXPECT_CLEAN_EXIT(r, 0);
  EXPECT_EQ(r.err, "");
  const std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 16u) << r.out;
  std::vector<Value> values;
  ASSERT_NO_FATAL_FAILURE(ParseJsonLines(lines, &values));
  auto field = [&](size_t i, const char* name) { return Member(values[i], name); };
  EXPECT_EQ(values[0], Value(Value::Object{{"ok", true}, {"version", 1}}));
  EXPECT_EQ(values[2], Value(Value::Object{{"ok", true}, {"version", 3}}));
  // vector list: one object per collection; describe: the same members.
  const Value::Object collection{{"name", "docs"},      {"dimension", 3},
                                 {"metric", "euclidean"}, {"count", 2},
                                 {"m", 16},              {"ef_construction", 200},
                                 {"ef_search", 64},      {"exact_threshold", 1000},
                                 {"version", 1}};
  EXPECT_EQ(values[3], Value(collection));
  EXPECT_EQ(values[4], Value(collection));
  // vector get: the components read back as the numbers typed.
  EXPECT_EQ(field(5, "key"), Value("a"));
  EXPECT_EQ(field(5, "vector"), *Value::FromJson("[0.1, 0.2, 0.3]"));
  EXPECT_EQ(field(5, "metadata"), Value(Value::Object{{"tag", "x"}}));
  EXPECT_EQ(field(5, "version"), Value(2));
  EXPECT_TRUE(field(5, "timestamp_us").is_int());
  EXPECT_EQ(values[6], Value(Value::Object{{"count", 2}}));
  // vector search: one object whose hits are an array of objects.
  const Value hits = field(7, "hits");
  ASSERT_TRUE(hits.is_array()) << lines[7];
  ASSERT_EQ(hits.AsArray().size(), 2u) << lines[7];
  EXPECT_EQ(field(7, "exact"), Value(true));
  EXPECT_EQ(field(7, "candidates"), Value(2));
  const Value::Object& first = hits.AsArray()[0].AsObject();
  EXPECT_EQ(first.at("rank"), Value(1));
  EXPECT_EQ(first.at("key"), Value("a"));
  EXPECT_EQ(first.at("score"), Value(1.0));  // Euclidean: 1 / (1 + 0).
  EXPECT_EQ(first.at("version"), Value(2));
  EXPECT_EQ(first.at("metadata"), Value(Value::Object{{"tag", "x"}}));
  const Value::Object& second = hits.AsArray()[1].AsObject();
  EXPECT_EQ(second.at("rank"), Value(2));
  EXPECT_EQ(second.at("key"), Value("b"));
  ASSERT_TRUE(second.at("score").is_double());
  // 1 / (1 + |a - b|) = 1 / (1 + sqrt(0.81 + 0.64 + 0.49)), in float arithmetic.
  EXPECT_NEAR(second.at("score").AsDouble(), 0.4179136, 1e-5);
  EXPECT_EQ(second.at("metadata"), Value());
  EXPECT_EQ(field(8, "hits").AsArray().size(), 1u) << lines[8];
  EXPECT_EQ(field(9, "hits"), Value(Value::Array{}));
  EXPECT_EQ(field(10, "snapshot_version"), Value(3));
  EXPECT_EQ(values[11], Value(Value::Object{{"ok", true}}));
  EXPECT_EQ(field(12, "version"), Value(0));  // Its own write: not committed yet.
  EXPECT_EQ(field(12, "vector"), *Value::FromJson("[0.0, 0.0, 1.0]"));
  EXPECT_EQ(field(13, "version"), Value(4));
  EXPECT_EQ(values[14], Value(Value::Object{{"ok", true}, {"version", 5}}));
  EXPECT_EQ(values[15], Value(Value::Object{{"ok", true}, {"version", 6}}));
}

TEST(CliScriptTest, RandomVectorInputNeverCrashes) {
  // Vector commands with shuffled vectors and filter fragments: every line
  // must be run or refused with one error line.
  const std::vector<std::string> pieces = {
      "vector", "create", "put", "get", "search", "delete", "count", "drop", "describe",
      "list", "v", "k", "2", "0", "--k", "--ef", "--filter", "--at", "--metric", "dot", "'[1, 2]'",
      "'[0, 0]'", "'[1e39, 1]'", "'[]'", "'{\"a\": 1}'", "'{\"a\": {\"$in\": [1, 2]}}'",
      "'{\"a\": {\"$gte\": 1, \"$lt\": 0}}'", "'{\"$or\": [{\"a\": 1}, {\"b\": null}]}'",
      "'{\"$and\": [{}]}'", "'{\"a\": {\"$double\": \"NaN\"}}'", "'{\"$bytes\": \"AA==\"}'",
      "'{\"a\": {\"$in\": [[1]]}}'", "'{\"$or\": 1}'", "'{'", "'['", "begin", "rollback"};
  std::mt19937_64 rng(strata::testing::TestSeed());
  std::string script = "vector create v 2\nvector put v k '[1, 2]' '{\"a\": 1}'\n";
  for (int line = 0; line < 400; ++line) {
    const int words = 2 + static_cast<int>(rng() % 6);
    for (int w = 0; w < words; ++w) script += pieces[rng() % pieces.size()] + " ";
    script += "\n";
  }
  TempDir dir;
  CliResult r = Strata({dir.Sub("db")}, script);
  EXPECT_EQ(r.signal, 0) << r.err;
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.exit_code;
  for (const std::string& line : Lines(r.err)) {
    EXPECT_TRUE(line.rfind("error: ", 0) == 0 || line.rfind("warning: ", 0) == 0) << line;
  }
  r = Strata({dir.Sub("db"), "vector", "list"});
  EXPECT_CLEAN_EXIT(r, 0);
}

// --- The interactive shell under a pseudo terminal.

// `strata ARGS` running on a pseudo terminal. Keystrokes are sent only once
// the shell has printed what the previous ones should produce (normally the
// next prompt), so the test does not depend on how fast the machine is.
class PtySession {
 public:
  PtySession(const std::vector<std::string>& args, const std::map<std::string, std::string>& env) {
    std::vector<std::string> argv{STRATA_CLI_PATH};
    argv.insert(argv.end(), args.begin(), args.end());
    pid_ = forkpty(&master_, nullptr, nullptr, nullptr);
    if (pid_ == 0) {
      for (const auto& [name, value] : env) setenv(name.c_str(), value.c_str(), 1);
      std::vector<char*> c_argv;
      for (const std::string& a : argv) c_argv.push_back(const_cast<char*>(a.c_str()));
      c_argv.push_back(nullptr);
      execv(c_argv[0], c_argv.data());
      _exit(127);
    }
  }

  ~PtySession() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      Wait();
    }
    if (master_ >= 0) close(master_);
  }

  bool started() const { return pid_ > 0; }

  void Send(const std::string& keys) {
    ASSERT_EQ(write(master_, keys.data(), keys.size()), static_cast<ssize_t>(keys.size()));
  }

  // Reads until `needle` appears after everything matched so far; true if it
  // did within 30 seconds. Later Expect calls search after it.
  bool Expect(const std::string& needle) {
    for (;;) {
      const size_t at = out_.find(needle, matched_);
      if (at != std::string::npos) {
        matched_ = at + needle.size();
        return true;
      }
      if (!ReadMore()) return false;
    }
  }

  // Reads until the next prompt ("strata:...> "), then waits until the
  // line editor has the terminal in its raw mode, so typed keys go to the
  // editor rather than to the terminal's own line discipline.
  bool ExpectPrompt() {
    for (;;) {
      size_t at = out_.find("strata:", matched_);
      while (at != std::string::npos) {
        const size_t end = out_.find("> ", at);
        if (end == std::string::npos) break;
        if (out_.find('\n', at) > end) {
          matched_ = end + 2;
          return WaitForRawMode();
        }
        at = out_.find("strata:", at + 1);
      }
      if (!ReadMore()) return false;
    }
  }

  // On Linux the master side reports the terminal's settings.
  bool WaitForRawMode() {
    for (int waited_ms = 0; waited_ms < 30000; ++waited_ms) {
      termios t{};
      if (tcgetattr(master_, &t) != 0) return false;
      if ((t.c_lflag & ICANON) == 0) return true;
      usleep(1000);
    }
    return false;
  }

  // Reads to the end of output and reaps the process; returns its exit code
  // (-1 if it was killed by a signal).
  // A shell still running 30 seconds after its output stopped is killed
  // (and reported as -1) rather than hanging the test.
  int Wait() {
    while (ReadMore()) {
    }
    int status = 0;
    for (int waited_ms = 0;; waited_ms += 10) {
      const pid_t r = waitpid(pid_, &status, WNOHANG);
      if (r == pid_) break;
      if (r < 0) return -1;
      if (waited_ms >= 30000) kill(pid_, SIGKILL);
      usleep(10000);
    }
    exited_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  const std::string& out() const { return out_; }

 private:
  // Appends what the terminal has; false at end of output or after 30 s.
  bool ReadMore() {
    pollfd p{master_, POLLIN, 0};
    if (poll(&p, 1, 30000) <= 0) return false;
    char buf[4096];
    const ssize_t n = read(master_, buf, sizeof buf);
    if (n <= 0) return false;  // EIO once the shell has exited.
    out_.append(buf, static_cast<size_t>(n));
    return true;
  }

  pid_t pid_ = -1;
  int master_ = -1;
  bool exited_ = false;
  std::string out_;
  size_t matched_ = 0;
};

class CliInteractiveTest : public ::testing::Test {
 protected:
  // Starts the shell, then for each line waits for a prompt and types it.
  // Returns the exit code; the whole terminal output is in `*out`.
  int Type(const std::vector<std::string>& args, const std::vector<std::string>& lines,
           const std::map<std::string, std::string>& env, std::string* out) {
    PtySession shell(args, env);
    EXPECT_TRUE(shell.started());
    for (const std::string& line : lines) {
      EXPECT_TRUE(shell.ExpectPrompt()) << shell.out();
      shell.Send(line);
    }
    const int code = shell.Wait();
    *out = shell.out();
    return code;
  }

  TempDir dir_;
};

TEST_F(CliInteractiveTest, PromptHistoryAndCompletion) {
  const std::string history = dir_.Sub("history");
  const std::map<std::string, std::string> env{
      {"HOME", dir_.path()}, {"TERM", "xterm"}, {"STRATA_HISTORY", history}};
  std::string out;
  const int code = Type({dir_.Sub("db")},
                        {
                            "kv put hk 5\n",
                            "kv get hk\n",
                            "\x1b[A\n",     // Up arrow: recall "kv get hk" and run it again.
                            "inf\t\n",      // Completes to "info".
                            "kv hi\thk\n",  // Completes to "kv history hk".
                            "kv gett hk\n",  // An error does not end the session.
                            "begin\n",       // The prompt shows the transaction.
                            "rollback\n",
                            "quit\n",
                        },
                        env, &out);
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("Type 'help' for commands"), std::string::npos) << out;
  EXPECT_NE(out.find("strata:default> "), std::string::npos) << out;
  EXPECT_NE(out.find("OK (version 1)"), std::string::npos) << out;
  // Once for "kv get hk" and once for the recalled line.
  EXPECT_EQ(Count(out, "5  (version 1)"), 2u) << out;
  // "inf<TAB>" ran info.
  EXPECT_NE(out.find("format_version: 1"), std::string::npos) << out;
  // "kv hi<TAB>hk" ran kv history hk.
  EXPECT_NE(out.find("version 1  20"), std::string::npos) << out;
  // Errors go to the terminal too.
  EXPECT_NE(out.find("error: InvalidArgument: unknown command 'kv gett'; did you mean 'kv get'?"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("strata:default*> "), std::string::npos) << out;
  EXPECT_NE(out.find("rolled back"), std::string::npos) << out;

  // The history file keeps the lines for the next session.
  const std::string saved = ReadFile(history);
  EXPECT_NE(saved.find("put"), std::string::npos) << saved;
  EXPECT_NE(saved.find("info"), std::string::npos) << saved;

  // A new session starts with the saved history: three up arrows go back
  // past "quit" and "rollback" to "begin".
  EXPECT_EQ(Type({dir_.Sub("db")}, {"\x1b[A\x1b[A\x1b[A\n", "quit\n"}, env, &out), 0) << out;
  EXPECT_NE(out.find("strata:default*> "), std::string::npos) << out;
}

TEST_F(CliInteractiveTest, CurrentRunInThePromptAndUnwritableHistory) {
  const std::map<std::string, std::string> env{
      {"HOME", dir_.path()}, {"TERM", "xterm"},
      {"STRATA_HISTORY", dir_.Sub("no/such/dir/history")}};
  std::string out;
  const int code = Type({"--in-memory"},
                        {"run create agent-1\n", "use agent-1\n", "kv put k v\n",
                         "\x1b[A\x1b[A\n", "exit\n"},
                        env, &out);
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("a scratch in-memory database"), std::string::npos) << out;
  EXPECT_NE(out.find("strata:agent-1> "), std::string::npos) << out;
  // History still works within the session without a file.
  EXPECT_EQ(Count(out, "using run agent-1"), 2u) << out;
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("no")));
}

TEST_F(CliInteractiveTest, ControlCCancelsTheLineAndControlDLeaves) {
  const std::map<std::string, std::string> env{
      {"HOME", dir_.path()}, {"TERM", "xterm"}, {"STRATA_HISTORY", ""}};
  PtySession shell({dir_.Sub("db")}, env);
  ASSERT_TRUE(shell.started());
  ASSERT_TRUE(shell.ExpectPrompt()) << shell.out();
  shell.Send("kv put a 1");
  ASSERT_TRUE(shell.Expect("kv put a 1")) << shell.out();  // The echo: the line is typed.
  shell.Send("\x03");
  ASSERT_TRUE(shell.Expect("^C")) << shell.out();
  ASSERT_TRUE(shell.ExpectPrompt()) << shell.out();
  shell.Send("kv put b 2\n");
  ASSERT_TRUE(shell.Expect("OK (version 1)")) << shell.out();
  ASSERT_TRUE(shell.ExpectPrompt()) << shell.out();
  shell.Send("\x04");
  EXPECT_EQ(shell.Wait(), 0) << shell.out();
  EXPECT_EQ(Count(shell.out(), "OK (version"), 1u) << shell.out();
  CliResult r = Strata({dir_.Sub("db")}, "kv get b\nkv get a\n");
  EXPECT_EQ(r.out, "2  (version 1)\n");
}

#endif  // STRATA_CLI_PATH

}  // namespace
}  // namespace strata
