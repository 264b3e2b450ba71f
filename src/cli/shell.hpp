// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Shell: the interpreter of the strata command-line shell. It owns an open
// database and runs command lines against it, printing results to `out`;
// errors are returned (the caller prints them with FormatError). It does no
// terminal I/O of its own, so the interactive loop (libedit), the script
// loop and one-shot commands all drive the same object.
//
// Thread safety: not thread-safe; use one Shell from one thread.
#ifndef STRATA_CLI_SHELL_HPP_
#define STRATA_CLI_SHELL_HPP_

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "cli/commands.hpp"
#include "strata/database.hpp"

namespace strata::cli {

struct ShellOptions {
  // Print results as JSON, one object per line. Default: readable text.
  bool json = false;
  std::FILE* out = stdout;  // Results.
  std::FILE* err = stderr;  // Warnings (errors are returned, not printed).
};

class Shell {
 public:
  // REQUIRES: `db` is open.
  Shell(std::unique_ptr<Database> db, const ShellOptions& options);
  // Closes (see Close), dropping the status.
  ~Shell();
  Shell(const Shell&) = delete;
  Shell& operator=(const Shell&) = delete;

  // Splits `line` into words (see Tokenize) and runs them. A blank line or a
  // comment does nothing.
  absl::Status ExecuteLine(std::string_view line);
  // Runs one command given as words: "kv", "put", "k", "v".
  absl::Status Execute(const std::vector<std::string>& words);

  // Makes `run` the current run, printing nothing. NotFound if it does not
  // exist.
  absl::Status UseRun(std::string_view run);

  // "strata:RUN> ", or "strata:RUN*> " while a transaction is open.
  std::string Prompt() const;
  // quit or exit was run.
  bool quit_requested() const { return session_.quit; }
  bool in_transaction() const { return session_.txn != nullptr; }
  const std::string& current_run() const { return session_.run; }

  // Rolls back an open transaction (with a warning on `err`) and closes the
  // database, returning the status of Database::Close. Idempotent.
  absl::Status Close();

 private:
  std::unique_ptr<Database> db_;
  Session session_;
};

// "error: <ErrorName>: <message>", the one line the shell prints for an
// error.
std::string FormatError(const absl::Status& status);

// The `strata --help` text (usage, options, command groups).
std::string ProgramHelp();

}  // namespace strata::cli

#endif  // STRATA_CLI_SHELL_HPP_
