// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// LineEditor: the interactive input of the strata shell, over libedit's
// readline interface (BSD-licensed): line editing, a history kept in a file
// and tab completion of command names.
//
// Thread safety: libedit keeps global state; create at most one LineEditor
// per process and use it from one thread.
#ifndef STRATA_CLI_LINE_EDITOR_HPP_
#define STRATA_CLI_LINE_EDITOR_HPP_

#include <optional>
#include <string>

namespace strata::cli {

// Most lines kept in the history (and its file).
inline constexpr int kMaxHistoryLines = 1000;

// The history file: $STRATA_HISTORY if set (empty disables history), else
// $HOME/.strata_history. Empty when there is none or it cannot be written.
std::string HistoryFilePath();

class LineEditor {
 public:
  // Loads the history from `history_path` (none if empty).
  // `interrupt_fd` (non-blocking; -1 for none) becomes readable on Ctrl-C:
  // ReadLine then returns at once.
  LineEditor(std::string history_path, int interrupt_fd);
  ~LineEditor();
  LineEditor(const LineEditor&) = delete;
  LineEditor& operator=(const LineEditor&) = delete;

  // Reads one line showing `prompt`; nullopt at end of input (Ctrl-D).
  std::optional<std::string> ReadLine(const std::string& prompt);
  // Adds a non-blank line to the history and saves the history file.
  void AddHistory(const std::string& line);

 private:
  std::string history_path_;
  std::string last_line_;
  int interrupt_fd_ = -1;
};

}  // namespace strata::cli

#endif  // STRATA_CLI_LINE_EDITOR_HPP_
