// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// FaultInjectionEnv: an Env wrapper for crash and corruption tests.
//
// It passes every operation to a base Env and remembers, per file, how many
// bytes were synced. A simulated power loss is:
//   env.SetFilesystemActive(false);   // later writes and syncs are dropped
//   db->Close();                      // the database cannot persist more
//   env.DropUnsyncedData();           // files shrink to their synced size
// Other faults: tear the unsynced tail of a file (keep a prefix of it, or
// overwrite part of it with garbage), make the next N syncs fail, and flip a
// byte of a file.
//
// Thread safety: thread-safe.
#ifndef STRATA_ENV_FAULT_INJECTION_ENV_HPP_
#define STRATA_ENV_FAULT_INJECTION_ENV_HPP_

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "env/env.hpp"

namespace strata {

class FaultInjectionEnv : public Env {
 public:
  explicit FaultInjectionEnv(Env* base);
  ~FaultInjectionEnv() override;

  // While inactive, Append and Sync on any file succeed but write nothing
  // (as if the machine had stopped), and WriteFileAtomic, RenameFile,
  // RemoveFile and TruncateFile are dropped too.
  void SetFilesystemActive(bool active);
  bool IsFilesystemActive() const;

  // Truncates every file written through this Env to the size it had at its
  // last successful Sync (or when first opened through this Env).
  absl::Status DropUnsyncedData();

  // For every file with unsynced bytes: keep the synced part plus
  // `keep_fraction` (0..1) of the unsynced bytes; if `garbage` is true the
  // kept unsynced part is overwritten with pseudo-random bytes from `seed`.
  absl::Status TearUnsyncedTail(double keep_fraction, bool garbage,
                                uint64_t seed);

  // The next `n` Sync calls (file or directory) fail with IoError.
  void FailNextSyncs(int n);
  // Appends fail with IoError while set (e.g. to simulate a full disk).
  void SetFailAppends(bool fail);

  // Number of successful file syncs so far.
  uint64_t sync_count() const;

  // XORs byte `offset` of `path` with `mask` (directly on the base Env).
  static absl::Status FlipByte(Env* env, const std::string& path,
                               uint64_t offset, uint8_t mask = 0x01);

  // Env:
  absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(
      const std::string& path, bool truncate) override;
  absl::StatusOr<std::string> ReadFile(const std::string& path) override;
  absl::Status WriteFileAtomic(const std::string& path,
                               std::string_view data) override;
  bool FileExists(const std::string& path) override;
  absl::StatusOr<uint64_t> GetFileSize(const std::string& path) override;
  absl::StatusOr<std::vector<std::string>> ListDir(
      const std::string& dir) override;
  absl::Status CreateDirs(const std::string& dir) override;
  absl::Status RemoveFile(const std::string& path) override;
  absl::Status RenameFile(const std::string& from,
                          const std::string& to) override;
  absl::Status TruncateFile(const std::string& path, uint64_t size) override;
  absl::Status SyncDir(const std::string& dir) override;
  absl::StatusOr<std::unique_ptr<FileLock>> LockFile(
      const std::string& path) override;

 private:
  class File;
  friend class File;
  struct FileState {
    uint64_t synced_size = 0;
    uint64_t size = 0;
  };
  // Hooks used by File.
  bool ConsumeSyncFailure();
  void OnAppend(const std::string& path, uint64_t new_size);
  void OnSync(const std::string& path, uint64_t size);

  Env* const base_;
  mutable absl::Mutex mu_;
  bool active_ ABSL_GUARDED_BY(mu_) = true;
  bool fail_appends_ ABSL_GUARDED_BY(mu_) = false;
  int fail_syncs_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t sync_count_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<std::string, FileState> files_ ABSL_GUARDED_BY(mu_);
};

}  // namespace strata

#endif  // STRATA_ENV_FAULT_INJECTION_ENV_HPP_
