// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
#include "cli/line_editor.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
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
// Readable after a Ctrl-C (see LineEditor); -1 for none.
int g_interrupt_fd = -1;

// libedit's character reader: waits for a key or for a Ctrl-C. A Ctrl-C
// handled while libedit is busy (not blocked in read) would otherwise be
// lost until the next key; the byte in the pipe is not.
int ReadKey(FILE* in) {
  const int fd = fileno(in);
  for (;;) {
    pollfd fds[2] = {{fd, POLLIN, 0}, {g_interrupt_fd, POLLIN, 0}};
    if (poll(fds, g_interrupt_fd >= 0 ? 2 : 1, -1) < 0) {
      if (errno == EINTR) continue;
      return EOF;
    }
    if (g_interrupt_fd >= 0 && (fds[1].revents & POLLIN) != 0) return EOF;
    if (fds[0].revents != 0) {
      unsigned char c = 0;
      const ssize_t n = read(fd, &c, 1);
      if (n == 1) return c;
      if (n < 0 && errno == EINTR) continue;
      return EOF;
    }
  }
}

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

LineEditor::LineEditor(std::string history_path, int interrupt_fd)
    : history_path_(std::move(history_path)), interrupt_fd_(interrupt_fd) {
  g_candidates = new std::vector<std::string>();
  g_interrupt_fd = interrupt_fd;
  rl_getc_function = ReadKey;
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
  // Forget a Ctrl-C pressed before this line.
  if (interrupt_fd_ >= 0) {
    char drain[64];
    while (read(interrupt_fd_, drain, sizeof drain) > 0) {
    }
  }
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
