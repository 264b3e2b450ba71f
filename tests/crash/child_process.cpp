// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
#include "crash/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"

extern char** environ;

namespace strata::testing {

std::string SiblingProgram(const std::string& name) {
  char buf[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0) return "";
  std::string self(buf, static_cast<size_t>(n));
  return self.substr(0, self.rfind('/') + 1) + name;
}

ChildRun RunAndKill(const std::vector<std::string>& args, int run_ms) {
  const std::string& child = args.at(0);
  ChildRun run;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    run.error = "pipe2 failed";
    return run;
  }
  // The child's stderr goes to a file, so that a sanitizer report from it
  // fails the run even when our SIGKILL cuts the report (and the child's
  // abort) short.
  char err_path[] = "/tmp/strata-child-stderr-XXXXXX";
  const int err_fd = ::mkstemp(err_path);
  if (err_fd < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    run.error = "mkstemp failed";
    return run;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_fd, STDERR_FILENO);
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, child.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  ::close(err_fd);
  if (rc != 0) {
    ::close(fds[0]);
    ::unlink(err_path);
    run.error = absl::StrCat("posix_spawn ", child, " failed: ", rc);
    return run;
  }

  std::string out;
  char buf[4096];
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(run_ms);
  bool eof = false;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    if (left <= 0) break;
    pollfd p{fds[0], POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
    const ssize_t n = ::read(fds[0], buf, sizeof(buf));
    if (n <= 0) {
      eof = true;  // The child exited by itself.
      break;
    }
    out.append(buf, static_cast<size_t>(n));
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!eof) {
    for (;;) {
      const ssize_t n = ::read(fds[0], buf, sizeof(buf));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
  }
  ::close(fds[0]);
  run.killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  if (!run.killed) {
    run.error = absl::StrCat("the child exited by itself with status ",
                             WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  }
  {
    std::ifstream err_file(err_path, std::ios::binary);
    std::ostringstream err;
    err << err_file.rdbuf();
    ::unlink(err_path);
    const std::string text = err.str();
    if (text.find("Sanitizer") != std::string::npos ||
        text.find("runtime error:") != std::string::npos) {
      run.error = absl::StrCat("the child reported: ", text.substr(0, 2000));
    }
  }
  // Only whole lines count (each is one small write, so none is torn).
  size_t start = 0;
  for (size_t nl; (nl = out.find('\n', start)) != std::string::npos; start = nl + 1) {
    run.acknowledged.push_back(std::strtoull(out.c_str() + start, nullptr, 10));
  }
  return run;
}

}  // namespace strata::testing
