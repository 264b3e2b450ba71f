// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Env: the file-system seam. Everything Strata does to disk goes through an
// Env, so tests can substitute FaultInjectionEnv to drop unsynced data, tear
// writes, fail syncs and flip bytes.
//
// Errors: every operation returns IoError (see strata/status.hpp) naming the
// path and the OS error text, except where noted (NotFound for a missing
// file, Busy for a held lock).
//
// Thread safety: Env implementations are thread-safe. A WritableFile is used
// by one thread at a time (callers serialize).
#ifndef STRATA_ENV_ENV_HPP_
#define STRATA_ENV_ENV_HPP_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace strata {

// An append-only file.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  // Appends `data` at the end of the file (buffering is the caller's job:
  // every Append reaches the OS with write(2)).
  virtual absl::Status Append(std::string_view data) = 0;
  // Makes everything appended so far durable (fdatasync).
  virtual absl::Status Sync() = 0;
  // Closes the file; does not sync. Further calls fail.
  virtual absl::Status Close() = 0;
  // Bytes appended so far plus the size the file had when opened.
  virtual uint64_t Size() const = 0;
};

// A held advisory lock on a file; released by destruction (or process death).
class FileLock {
 public:
  virtual ~FileLock() = default;
};

class Env {
 public:
  virtual ~Env() = default;

  // The process-wide POSIX Env. Never null; never destroyed.
  static Env* Default();

  // Opens `path` for appending, creating it if absent. With `truncate` an
  // existing file is emptied first.
  virtual absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(
      const std::string& path, bool truncate) = 0;

  // Reads a whole file. NotFound if it does not exist.
  virtual absl::StatusOr<std::string> ReadFile(const std::string& path) = 0;

  // Writes `data` to `path` crash-safely: a temporary file in the same
  // directory, fsync, rename over `path`, fsync of the directory.
  virtual absl::Status WriteFileAtomic(const std::string& path,
                                       std::string_view data) = 0;

  virtual bool FileExists(const std::string& path) = 0;
  virtual absl::StatusOr<uint64_t> GetFileSize(const std::string& path) = 0;
  // Names (not paths) of the entries of directory `dir`, without "." and "..".
  virtual absl::StatusOr<std::vector<std::string>> ListDir(
      const std::string& dir) = 0;
  // Creates `dir` (and missing parents). OK if it exists as a directory.
  virtual absl::Status CreateDirs(const std::string& dir) = 0;
  virtual absl::Status RemoveFile(const std::string& path) = 0;
  virtual absl::Status RenameFile(const std::string& from,
                                  const std::string& to) = 0;
  // Cuts the file to `size` bytes and syncs it.
  virtual absl::Status TruncateFile(const std::string& path,
                                    uint64_t size) = 0;
  // fsync of a directory, so created, renamed and removed entries persist.
  virtual absl::Status SyncDir(const std::string& dir) = 0;

  // Takes an exclusive advisory lock (flock) on `path`, creating it, and
  // writes this process's pid into it. When another process or another open
  // handle holds it: Busy, naming the holder's pid read from the file when
  // available.
  virtual absl::StatusOr<std::unique_ptr<FileLock>> LockFile(
      const std::string& path) = 0;
};

}  // namespace strata

#endif  // STRATA_ENV_ENV_HPP_
