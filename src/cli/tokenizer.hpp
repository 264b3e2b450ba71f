// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// How the strata shell reads a command line: splitting it into words and
// typing the words that carry values.
//
// Thread safety: pure functions.
#ifndef STRATA_CLI_TOKENIZER_HPP_
#define STRATA_CLI_TOKENIZER_HPP_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "strata/value.hpp"

namespace strata::cli {

// Longest command line the shell accepts, in bytes. Longer lines are
// InvalidArgument (a value that large belongs in a file, not a shell line).
inline constexpr size_t kMaxLineBytes = 64ull << 20;

// Splits a command line into words the way a POSIX shell does, without any
// expansion:
//  * unquoted whitespace separates words;
//  * '...' keeps everything inside literally;
//  * "..." keeps everything inside literally, except that \" and \\ stand
//    for " and \ (any other backslash is kept as is);
//  * outside quotes, a backslash keeps the next character literally;
//  * an unquoted # at the start of a word starts a comment to the end of the
//    line.
// Quotes are removed, as a shell removes them, so a line typed in the strata
// shell and the same words passed as process arguments
// (`strata PATH kv put k '{"a": 1}'`) mean the same thing.
// InvalidArgument naming the column (1-based) of an unterminated quote or a
// trailing backslash; InvalidArgument above kMaxLineBytes.
absl::StatusOr<std::vector<std::string>> Tokenize(std::string_view line);

// Types a VALUE word the way a person expects:
//  * a word starting (after blanks) with {, [ or " must be JSON text and is
//    parsed with Value::FromJson (InvalidArgument naming the byte offset when
//    it is malformed);
//  * a word that is exactly a JSON number, true, false or null is that value;
//  * anything else, including the empty word, is the string itself.
// So `kv put k hi` and `kv put k "hi"` store the string hi, `kv put k 42`
// stores the integer 42 and `kv put k '"42"'` the string "42".
absl::StatusOr<Value> ParseValueArg(std::string_view word);

// Parses an unsigned decimal integer argument; InvalidArgument naming `what`
// (e.g. "VERSION") otherwise.
absl::StatusOr<uint64_t> ParseUintArg(std::string_view word, std::string_view what);

}  // namespace strata::cli

#endif  // STRATA_CLI_TOKENIZER_HPP_
