// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Crash-test plumbing: runs a helper program built next to the test, kills
// it with SIGKILL after a while and collects the iterations it acknowledged
// (one decimal number per line on its stdout).
#ifndef STRATA_TESTS_CRASH_CHILD_PROCESS_HPP_
#define STRATA_TESTS_CRASH_CHILD_PROCESS_HPP_

#include <cstdint>
#include <string>
#include <vector>

namespace strata::testing {

// The path of program `name` in the directory of the running test binary.
std::string SiblingProgram(const std::string& name);

struct ChildRun {
  std::vector<uint64_t> acknowledged;  // Iterations printed by the child.
  bool killed = false;                 // Died of our SIGKILL (not by itself).
  std::string error;                   // Set if the child could not be run.
};

// Runs `argv` (argv[0] is the program) for `run_ms` milliseconds, then
// SIGKILLs it and collects what it acknowledged on stdout.
ChildRun RunAndKill(const std::vector<std::string>& argv, int run_ms);

}  // namespace strata::testing

#endif  // STRATA_TESTS_CRASH_CHILD_PROCESS_HPP_
