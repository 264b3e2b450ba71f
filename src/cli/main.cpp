// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// strata: the command-line shell of a Strata database (docs/cli.md).
//
//   strata [OPTIONS] [PATH] [COMMAND [ARGS...]]
//
// With COMMAND, runs it and exits. Without, reads commands from standard
// input: through libedit with a prompt when it is a terminal, line by line
// without a prompt otherwise (scripts).
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli/commands.hpp"
#include "cli/line_editor.hpp"
#include "cli/shell.hpp"
#include "cli/strings.hpp"
#include "strata/strata.hpp"

namespace {

// Exit statuses (docs/cli.md).
constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

struct ProgramOptions {
  bool in_memory = false;
  bool json = false;
  bool bail = false;
  bool search_index = false;
  strata::DurabilityMode durability = strata::DurabilityMode::kBuffered;
  std::optional<std::string> run;
  std::string path = strata::Database::kDefaultPath;
  bool path_given = false;
  std::vector<std::string> command;  // Empty: read commands from stdin.
};

void PrintError(const absl::Status& status) {
  std::fprintf(stderr, "%s\n", strata::cli::FormatError(status).c_str());
}

absl::Status UsageError(std::string_view message) {
  return strata::MakeError(strata::ErrorCode::kInvalidArgument,
                           absl::StrCat(strata::cli::Sv(message), " (see 'strata --help')"));
}

// Parses argv. Sets *exit_now for --help and --version (already printed).
absl::StatusOr<ProgramOptions> ParseArgs(int argc, char** argv, bool* exit_now) {
  ProgramOptions o;
  bool have_path = false;
  bool options_done = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool is_option = !options_done && arg.size() > 1 && arg[0] == '-';
    if (!is_option) {
      if (!have_path && !o.in_memory) {
        o.path = arg;
        o.path_given = have_path = true;
        continue;
      }
      // The command: everything from here on is its words.
      o.command.assign(argv + i, argv + argc);
      break;
    }
    if (arg == "--") {
      options_done = true;
      continue;
    }
    const size_t eq = arg.find('=');
    const std::string name = arg.substr(0, eq);
    auto value = [&]() -> absl::StatusOr<std::string> {
      if (eq != std::string::npos) return arg.substr(eq + 1);
      if (i + 1 >= argc) return UsageError(absl::StrCat("option ", name, " needs a value"));
      return std::string(argv[++i]);
    };
    if (name == "-h" || name == "--help") {
      std::fputs(strata::cli::ProgramHelp().c_str(), stdout);
      *exit_now = true;
      return o;
    }
    if (name == "-V" || name == "--version") {
      std::printf("strata %s\n", STRATA_VERSION_STRING);
      *exit_now = true;
      return o;
    }
    if (name == "--in-memory" || name == "--json" || name == "--bail" ||
        name == "--search-index") {
      if (eq != std::string::npos) {
        return UsageError(absl::StrCat("option ", name, " takes no value"));
      }
      if (name == "--in-memory") {
        if (have_path) return UsageError("--in-memory takes no PATH");
        o.in_memory = true;
      }
      if (name == "--json") o.json = true;
      if (name == "--bail") o.bail = true;
      if (name == "--search-index") o.search_index = true;
      continue;
    }
    if (name == "--durability") {
      auto mode = value();
      if (!mode.ok()) return mode.status();
      if (*mode == "strict") {
        o.durability = strata::DurabilityMode::kStrict;
      } else if (*mode == "buffered") {
        o.durability = strata::DurabilityMode::kBuffered;
      } else {
        return UsageError(
            absl::StrCat("--durability must be strict or buffered, got '", *mode, "'"));
      }
      continue;
    }
    if (name == "--run") {
      auto run = value();
      if (!run.ok()) return run.status();
      o.run = *run;
      continue;
    }
    return UsageError(absl::StrCat("unknown option '", name, "'"));
  }
  // "strata kv get k" would create a database named "kv": almost surely the
  // PATH was forgotten.
  if (o.path_given && strata::cli::IsCommandWord(o.path) && access(o.path.c_str(), F_OK) != 0) {
    return UsageError(absl::StrCat("'", o.path,
                                   "' is a command, not a database: name the database first, "
                                   "e.g. strata ",
                                   strata::Database::kDefaultPath, " ", o.path, " ..."));
  }
  return o;
}

// Set by SIGINT (Ctrl-C) in the interactive shell: cancels the line being
// typed instead of killing the shell.
volatile sig_atomic_t g_interrupted = 0;

// The write end of a pipe that the line editor polls with standard input.
int g_interrupt_pipe[2] = {-1, -1};

void OnInterrupt(int /*signal*/) {
  g_interrupted = 1;
  const int saved_errno = errno;
  const char byte = 0;
  if (write(g_interrupt_pipe[1], &byte, 1) < 0) {
    // Full: a Ctrl-C is already waiting.
  }
  errno = saved_errno;
}

// Reads commands from stdin without a prompt. Returns the exit status.
int RunScript(strata::cli::Shell& shell, bool bail) {
  int status = kExitOk;
  std::string line;
  size_t line_number = 0;
  while (!shell.quit_requested() && std::getline(std::cin, line)) {
    ++line_number;
    absl::Status result = shell.ExecuteLine(line);
    if (!result.ok()) {
      PrintError(strata::MakeError(strata::GetErrorCode(result),
                                   absl::StrCat("line ", line_number, ": ", result.message())));
      status = kExitFailure;
      if (bail) break;
    }
  }
  return status;
}

// The interactive shell. Errors are shown as they happen and do not change
// the exit status.
int RunInteractive(strata::cli::Shell& shell, const ProgramOptions& o) {
  std::printf("Strata %s shell on %s. Type 'help' for commands, 'quit' to leave.\n",
              STRATA_VERSION_STRING, o.in_memory ? "a scratch in-memory database" : o.path.c_str());
  if (pipe2(g_interrupt_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
    g_interrupt_pipe[0] = g_interrupt_pipe[1] = -1;
  }
  strata::cli::LineEditor editor(strata::cli::HistoryFilePath(), g_interrupt_pipe[0]);
  struct sigaction action = {};
  action.sa_handler = OnInterrupt;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  while (!shell.quit_requested()) {
    g_interrupted = 0;
    std::optional<std::string> line = editor.ReadLine(shell.Prompt());
    if (g_interrupted) {
      std::printf("^C\n");
      continue;
    }
    if (!line.has_value()) {
      std::printf("\n");
      break;
    }
    editor.AddHistory(*line);
    absl::Status result = shell.ExecuteLine(*line);
    if (!result.ok()) PrintError(result);
  }
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  bool exit_now = false;
  auto options = ParseArgs(argc, argv, &exit_now);
  if (!options.ok()) {
    PrintError(options.status());
    return kExitUsage;
  }
  if (exit_now) return kExitOk;
  const ProgramOptions& o = *options;

  strata::Options db_options;
  db_options.durability = o.durability;
  db_options.search.index_all_runs = o.search_index;
  auto db = o.in_memory ? strata::Database::OpenInMemory(db_options)
                        : strata::Database::Open(o.path, db_options);
  if (!db.ok()) {
    PrintError(strata::MakeError(
        strata::GetErrorCode(db.status()),
        absl::StrCat("cannot open ", o.path, ": ", db.status().message())));
    return kExitFailure;
  }
  strata::cli::ShellOptions shell_options;
  shell_options.json = o.json;
  strata::cli::Shell shell(*std::move(db), shell_options);
  if (o.run.has_value()) {
    if (absl::Status used = shell.UseRun(*o.run); !used.ok()) {
      PrintError(used);
      return kExitFailure;
    }
  }

  int status = kExitOk;
  if (!o.command.empty()) {
    absl::Status result = shell.Execute(o.command);
    if (!result.ok()) {
      PrintError(result);
      status = kExitFailure;
    }
  } else if (isatty(STDIN_FILENO)) {
    status = RunInteractive(shell, o);
  } else {
    status = RunScript(shell, o.bail);
  }
  if (absl::Status closed = shell.Close(); !closed.ok()) {
    PrintError(closed);
    status = kExitFailure;
  }
  return status;
}
