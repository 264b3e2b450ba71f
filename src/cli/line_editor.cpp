// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
#include "cli/line_editor.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "cli/commands.hpp"
#include "cli/tokenizer.hpp"

// After the standard headers: libedit's readline.h needs FILE declared.
#include <editline/readline.h>

namespace strata::cli {
namespace {

// Completion state between libedit's calls of the generator (libedit's
// interface is global, so this is too).
std::vector<std::string>* g_candidates = nullptr;
size_t g_next_candidate = 0;

char* NextCandidate(const char* /*text*/, int state) {
  if (state == 0) g_next_candidate = 0;
  if (g_candidates == nullptr || g_next_candidate >= g_candidates->size()) return nullptr;
  // libedit frees what the generator returns.
  return strdup((*g_candidates)[g_next_candidate++].c_str());
}

char** CompleteCommand(const char* text, int start, int /*end*/) {
  rl_attempted_completion_over = 1;  // Never fall back to file names.
  const std::string before(rl_line_buffer, static_cast<size_t>(start));
  auto words = Tokenize(before);
  if (!words.ok()) return nullptr;
  *g_candidates = CompletionCandidates(*words, text);
  if (g_candidates->empty()) return nullptr;
  return rl_completion_matches(text, NextCandidate);
}

}  // namespace

std::string HistoryFilePath() {
  std::string path;
  if (const char* env = std::getenv("STRATA_HISTORY"); env != nullptr) {
    path = env;
  } else if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    path = std::string(home) + "/.strata_history";
  }
  if (path.empty()) return path;
  // History is disabled, silently, when the file cannot be written.
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return "";
  close(fd);
  return path;
}

LineEditor::LineEditor(std::string history_path) : history_path_(std::move(history_path)) {
  g_candidates = new std::vector<std::string>();
  rl_readline_name = "strata";
  rl_attempted_completion_function = CompleteCommand;
  rl_completion_append_character = ' ';
  // The shell handles SIGINT itself (a flag that cancels the line). With
  // libedit's own handlers the terminal is put back in cooked mode and the
  // signal re-raised from inside the handler, which can leave a new prompt
  // reading in cooked mode; without them read() just returns EINTR.
  rl_catch_signals = 0;
  rl_initialize();
  using_history();
  stifle_history(kMaxHistoryLines);
  if (!history_path_.empty()) read_history(history_path_.c_str());
}

LineEditor::~LineEditor() {
  clear_history();
  delete g_candidates;
  g_candidates = nullptr;
}

std::optional<std::string> LineEditor::ReadLine(const std::string& prompt) {
  std::fflush(stdout);
  char* raw = readline(prompt.c_str());
  if (raw == nullptr) return std::nullopt;
  std::string line(raw);
  std::free(raw);
  return line;
}

void LineEditor::AddHistory(const std::string& line) {
  if (absl::StripAsciiWhitespace(line).empty() || line == last_line_) return;
  last_line_ = line;
  add_history(line.c_str());
  if (!history_path_.empty()) write_history(history_path_.c_str());
}

}  // namespace strata::cli
