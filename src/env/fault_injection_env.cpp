// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// FaultInjectionEnv: see fault_injection_env.hpp. Faults are applied to the
// real files through the base Env (or plain POSIX calls for in-place
// overwrites), so what a test reopens afterwards is what a crash would leave.
#include "env/fault_injection_env.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "strata/status.hpp"
#include "util/status_macros.hpp"

namespace strata {
namespace {

absl::Status PosixError(absl::string_view op, absl::string_view path,
                        int err) {
  const ErrorCode code =
      err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIoError;
  return MakeError(code, absl::StrCat(op, " ", path, ": ",
                                      std::generic_category().message(err)));
}

absl::Status InjectedSyncFailure(absl::string_view path) {
  return MakeError(ErrorCode::kIoError,
                   absl::StrCat("injected sync failure: ", path));
}

// Overwrites bytes of an existing file in place with pwrite(2), bypassing
// any Env (this is corruption, not a write the database made).
absl::Status OverwriteInPlace(const std::string& path, uint64_t offset,
                              std::string_view data) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return PosixError("open", path, errno);
  absl::Status status;
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::pwrite(fd, data.data() + done, data.size() - done,
                               static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      status = PosixError("pwrite", path, errno);
      break;
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0 && status.ok() && errno != EINTR) {
    status = PosixError("close", path, errno);
  }
  return status;
}

// FNV-1a, so that the garbage written into a file depends only on the seed
// and the path (not on std::hash or on which other files exist).
uint64_t HashPath(std::string_view path) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : path) {
    h ^= static_cast<uint8_t>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

}  // namespace

// A WritableFile that reports appends and syncs to its FaultInjectionEnv.
// A file opened while the filesystem is inactive has no base file: it
// accepts and drops everything, also after reactivation.
// Not thread-safe (like every WritableFile). Must not outlive its env.
class FaultInjectionEnv::File final : public WritableFile {
 public:
  File(FaultInjectionEnv* env, std::string path,
       std::unique_ptr<WritableFile> base, uint64_t size)
      : env_(env), path_(std::move(path)), base_(std::move(base)), size_(size) {}

  absl::Status Append(std::string_view data) override {
    {
      absl::MutexLock lock(&env_->mu_);
      if (env_->fail_appends_) {
        return MakeError(ErrorCode::kIoError,
                         absl::StrCat("injected append failure: ", path_));
      }
      if (!env_->active_ || base_ == nullptr) {
        size_ += data.size();
        return absl::OkStatus();
      }
    }
    const uint64_t before = base_->Size();
    const absl::Status status = base_->Append(data);
    // Bytes that reached the file before a failure count too (unsynced).
    size_ += base_->Size() - before;
    env_->OnAppend(path_, base_->Size());
    return status;
  }

  absl::Status Sync() override {
    {
      absl::MutexLock lock(&env_->mu_);
      if (!env_->active_ || base_ == nullptr) return absl::OkStatus();
    }
    if (env_->ConsumeSyncFailure()) return InjectedSyncFailure(path_);
    STRATA_RETURN_IF_ERROR(base_->Sync());
    env_->OnSync(path_, base_->Size());
    return absl::OkStatus();
  }

  absl::Status Close() override {
    if (base_ == nullptr) return absl::OkStatus();
    return base_->Close();
  }

  // Includes appends dropped while the filesystem was inactive.
  uint64_t Size() const override { return size_; }

 private:
  FaultInjectionEnv* const env_;
  const std::string path_;
  const std::unique_ptr<WritableFile> base_;  // Null: a sink.
  uint64_t size_;                              // Logical size (see Size()).
};

FaultInjectionEnv::FaultInjectionEnv(Env* base) : base_(base) {}

FaultInjectionEnv::~FaultInjectionEnv() = default;

void FaultInjectionEnv::SetFilesystemActive(bool active) {
  absl::MutexLock lock(&mu_);
  active_ = active;
}

bool FaultInjectionEnv::IsFilesystemActive() const {
  absl::MutexLock lock(&mu_);
  return active_;
}

absl::Status FaultInjectionEnv::DropUnsyncedData() {
  absl::MutexLock lock(&mu_);
  for (auto it = files_.begin(); it != files_.end();) {
    const std::string& path = it->first;
    FileState& state = it->second;
    absl::StatusOr<uint64_t> actual = base_->GetFileSize(path);
    if (!actual.ok()) {
      if (strata::IsNotFound(actual.status())) {
        it = files_.erase(it);
        continue;
      }
      return actual.status();
    }
    if (*actual > state.synced_size) {
      STRATA_RETURN_IF_ERROR(base_->TruncateFile(path, state.synced_size));
    } else {
      // Shrunk behind our back: what is there now is all there is.
      state.synced_size = *actual;
    }
    state.size = state.synced_size;
    ++it;
  }
  return absl::OkStatus();
}

absl::Status FaultInjectionEnv::TearUnsyncedTail(double keep_fraction,
                                                 bool garbage, uint64_t seed) {
  keep_fraction = std::clamp(keep_fraction, 0.0, 1.0);
  absl::MutexLock lock(&mu_);
  for (auto it = files_.begin(); it != files_.end();) {
    const std::string& path = it->first;
    FileState& state = it->second;
    absl::StatusOr<uint64_t> actual = base_->GetFileSize(path);
    if (!actual.ok()) {
      if (strata::IsNotFound(actual.status())) {
        it = files_.erase(it);
        continue;
      }
      return actual.status();
    }
    if (*actual <= state.synced_size) {
      state.synced_size = state.size = *actual;
      ++it;
      continue;
    }
    const uint64_t unsynced = *actual - state.synced_size;
    const auto keep = std::min(
        unsynced,
        static_cast<uint64_t>(static_cast<double>(unsynced) * keep_fraction));
    const uint64_t new_size = state.synced_size + keep;
    if (new_size < *actual) {
      STRATA_RETURN_IF_ERROR(base_->TruncateFile(path, new_size));
    }
    if (garbage && keep > 0) {
      STRATA_ASSIGN_OR_RETURN(const std::string contents, base_->ReadFile(path));
      if (contents.size() < new_size) {
        return MakeError(ErrorCode::kIoError,
                         absl::StrCat("TearUnsyncedTail: ", path,
                                      " changed size while being torn"));
      }
      std::mt19937_64 rng(seed ^ HashPath(path));
      std::string noise(static_cast<size_t>(keep), '\0');
      for (size_t i = 0; i < noise.size(); ++i) {
        auto byte = static_cast<uint8_t>(rng());
        const auto original =
            static_cast<uint8_t>(contents[state.synced_size + i]);
        // Garbage always differs from what it replaces, so a test can rely
        // on the tail being damaged.
        if (byte == original) byte = static_cast<uint8_t>(~original);
        noise[i] = static_cast<char>(byte);
      }
      STRATA_RETURN_IF_ERROR(
          OverwriteInPlace(path, state.synced_size, noise));
    }
    // The torn file is what the "crash" left on disk: it is all durable now.
    state.synced_size = state.size = new_size;
    ++it;
  }
  return absl::OkStatus();
}

void FaultInjectionEnv::FailNextSyncs(int n) {
  absl::MutexLock lock(&mu_);
  fail_syncs_ = std::max(n, 0);
}

void FaultInjectionEnv::SetFailAppends(bool fail) {
  absl::MutexLock lock(&mu_);
  fail_appends_ = fail;
}

uint64_t FaultInjectionEnv::sync_count() const {
  absl::MutexLock lock(&mu_);
  return sync_count_;
}

absl::Status FaultInjectionEnv::FlipByte(Env* env, const std::string& path,
                                         uint64_t offset, uint8_t mask) {
  (void)env;  // The flip goes straight to the file, below any Env.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return PosixError("open", path, errno);
  char byte = 0;
  ssize_t n;
  do {
    n = ::pread(fd, &byte, 1, static_cast<off_t>(offset));
  } while (n < 0 && errno == EINTR);
  const int err = errno;
  ::close(fd);
  if (n < 0) return PosixError("pread", path, err);
  if (n == 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     absl::StrCat("FlipByte: offset ", offset,
                                  " is past the end of ", path));
  }
  byte = static_cast<char>(static_cast<uint8_t>(byte) ^ mask);
  return OverwriteInPlace(path, offset, std::string_view(&byte, 1));
}

bool FaultInjectionEnv::ConsumeSyncFailure() {
  absl::MutexLock lock(&mu_);
  if (fail_syncs_ <= 0) return false;
  --fail_syncs_;
  return true;
}

void FaultInjectionEnv::OnAppend(const std::string& path, uint64_t new_size) {
  absl::MutexLock lock(&mu_);
  files_[path].size = new_size;
}

void FaultInjectionEnv::OnSync(const std::string& path, uint64_t size) {
  absl::MutexLock lock(&mu_);
  ++sync_count_;
  FileState& state = files_[path];
  state.synced_size = size;
  state.size = std::max(state.size, size);
}

absl::StatusOr<std::unique_ptr<WritableFile>>
FaultInjectionEnv::NewWritableFile(const std::string& path, bool truncate) {
  {
    absl::MutexLock lock(&mu_);
    if (!active_) {
      // The machine is "stopped": neither create nor truncate anything.
      uint64_t size = 0;
      if (!truncate) {
        if (absl::StatusOr<uint64_t> s = base_->GetFileSize(path); s.ok()) {
          size = *s;
        }
      }
      return std::make_unique<File>(this, path, nullptr, size);
    }
  }
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> base,
                          base_->NewWritableFile(path, truncate));
  const uint64_t size = base->Size();
  {
    absl::MutexLock lock(&mu_);
    auto [it, inserted] = files_.try_emplace(path);
    FileState& state = it->second;
    if (inserted || truncate) {
      // First sight of the file (its contents predate us and count as
      // synced), or a truncation, which this env treats as durable.
      state.synced_size = size;
      state.size = size;
    } else {
      state.size = size;
      state.synced_size = std::min(state.synced_size, size);
    }
  }
  return std::make_unique<File>(this, path, std::move(base), size);
}

absl::StatusOr<std::string> FaultInjectionEnv::ReadFile(
    const std::string& path) {
  return base_->ReadFile(path);
}

absl::Status FaultInjectionEnv::WriteFileAtomic(const std::string& path,
                                                std::string_view data) {
  if (!IsFilesystemActive()) return absl::OkStatus();
  STRATA_RETURN_IF_ERROR(base_->WriteFileAtomic(path, data));
  absl::MutexLock lock(&mu_);
  if (auto it = files_.find(path); it != files_.end()) {
    it->second.synced_size = it->second.size = data.size();
  }
  return absl::OkStatus();
}

bool FaultInjectionEnv::FileExists(const std::string& path) {
  return base_->FileExists(path);
}

absl::StatusOr<uint64_t> FaultInjectionEnv::GetFileSize(
    const std::string& path) {
  return base_->GetFileSize(path);
}

absl::StatusOr<std::vector<std::string>> FaultInjectionEnv::ListDir(
    const std::string& dir) {
  return base_->ListDir(dir);
}

absl::Status FaultInjectionEnv::CreateDirs(const std::string& dir) {
  return base_->CreateDirs(dir);
}

absl::Status FaultInjectionEnv::RemoveFile(const std::string& path) {
  if (!IsFilesystemActive()) return absl::OkStatus();
  STRATA_RETURN_IF_ERROR(base_->RemoveFile(path));
  absl::MutexLock lock(&mu_);
  files_.erase(path);
  return absl::OkStatus();
}

absl::Status FaultInjectionEnv::RenameFile(const std::string& from,
                                           const std::string& to) {
  if (!IsFilesystemActive()) return absl::OkStatus();
  STRATA_RETURN_IF_ERROR(base_->RenameFile(from, to));
  absl::MutexLock lock(&mu_);
  files_.erase(to);
  if (auto node = files_.extract(from); !node.empty()) {
    node.key() = to;
    files_.insert(std::move(node));
  }
  return absl::OkStatus();
}

absl::Status FaultInjectionEnv::TruncateFile(const std::string& path,
                                             uint64_t size) {
  if (!IsFilesystemActive()) return absl::OkStatus();
  STRATA_RETURN_IF_ERROR(base_->TruncateFile(path, size));
  absl::MutexLock lock(&mu_);
  if (auto it = files_.find(path); it != files_.end()) {
    // TruncateFile syncs, so the new size is durable.
    it->second.synced_size = it->second.size = size;
  }
  return absl::OkStatus();
}

absl::Status FaultInjectionEnv::SyncDir(const std::string& dir) {
  if (!IsFilesystemActive()) return absl::OkStatus();
  if (ConsumeSyncFailure()) return InjectedSyncFailure(dir);
  return base_->SyncDir(dir);
}

absl::StatusOr<std::unique_ptr<FileLock>> FaultInjectionEnv::LockFile(
    const std::string& path) {
  return base_->LockFile(path);
}

}  // namespace strata
