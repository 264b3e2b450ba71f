// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// The POSIX Env: plain open/write/fdatasync/rename calls, with every error
// turned into a status that names the operation, the path and the OS error
// text, e.g. "write /x/WAL/wal-000001.seg: No space left on device".
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "env/env.hpp"
#include "strata/status.hpp"
#include "util/status_macros.hpp"

namespace strata {
namespace {

// Mode of files and directories Strata creates (before the umask).
constexpr mode_t kFileMode = 0644;
constexpr mode_t kDirMode = 0755;
// Bytes read per read(2) call when reading a whole file.
constexpr size_t kReadChunkBytes = 64 * 1024;
// Longest pid text read back from a lock file.
constexpr size_t kMaxPidTextBytes = 32;

// The OS error text for `err` (thread-safe, unlike strerror).
std::string ErrnoText(int err) { return std::generic_category().message(err); }

// absl::string_view is its own type in this abseil build (not
// std::string_view), so the message helpers below take absl::string_view.

// "<op> <path>: <OS error text>". A missing file or directory is NotFound,
// everything else IoError.
absl::Status PosixError(absl::string_view op, absl::string_view path,
                        int err) {
  const ErrorCode code =
      err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIoError;
  return MakeError(code, absl::StrCat(op, " ", path, ": ", ErrnoText(err)));
}

// open(2), retried on EINTR. Returns -1 with errno set on failure.
int OpenRetrying(const std::string& path, int flags, mode_t mode = 0) {
  int fd;
  do {
    fd = ::open(path.c_str(), flags, mode);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

// Writes all of `data` to `fd` at its current offset, looping over partial
// writes and EINTR.
absl::Status WriteAll(int fd, std::string_view data, const std::string& path) {
  const char* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return PosixError("write", path, errno);
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

// close(2) that reports its error. EINTR from close is not retried: on Linux
// the descriptor is released regardless.
absl::Status CloseFd(int fd, const std::string& path) {
  if (::close(fd) != 0 && errno != EINTR) {
    return PosixError("close", path, errno);
  }
  return absl::OkStatus();
}

// The directory containing `path` ("." for a bare name).
std::string DirName(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Closes a descriptor on scope exit unless released. Not thread-safe.
class ScopedFd {
 public:
  explicit ScopedFd(int fd) : fd_(fd) {}
  ~ScopedFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

// A file opened for appending. Not thread-safe: one user at a time.
class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(int fd, std::string path, uint64_t size)
      : fd_(fd), path_(std::move(path)), size_(size) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }
  PosixWritableFile(const PosixWritableFile&) = delete;
  PosixWritableFile& operator=(const PosixWritableFile&) = delete;

  absl::Status Append(std::string_view data) override {
    if (fd_ < 0) return ClosedError("append to");
    // Partial progress is counted even when the write then fails, so Size()
    // stays equal to what reached the file.
    const char* p = data.data();
    size_t left = data.size();
    while (left > 0) {
      const ssize_t n = ::write(fd_, p, left);
      if (n < 0) {
        if (errno == EINTR) continue;
        return PosixError("write", path_, errno);
      }
      p += n;
      left -= static_cast<size_t>(n);
      size_ += static_cast<uint64_t>(n);
    }
    return absl::OkStatus();
  }

  absl::Status Sync() override {
    if (fd_ < 0) return ClosedError("sync");
    if (::fdatasync(fd_) != 0) return PosixError("fdatasync", path_, errno);
    return absl::OkStatus();
  }

  absl::Status Close() override {
    if (fd_ < 0) return ClosedError("close");
    return CloseFd(std::exchange(fd_, -1), path_);
  }

  uint64_t Size() const override { return size_; }

 private:
  absl::Status ClosedError(absl::string_view op) const {
    return MakeError(ErrorCode::kFailedPrecondition,
                     absl::StrCat(op, " closed file ", path_));
  }

  int fd_;  // -1 once closed.
  const std::string path_;
  uint64_t size_;
};

// Holds the flock on an open lock file; closing the descriptor releases it.
// Thread-safe (immutable).
class PosixFileLock final : public FileLock {
 public:
  explicit PosixFileLock(int fd) : fd_(fd) {}
  ~PosixFileLock() override { ::close(fd_); }
  PosixFileLock(const PosixFileLock&) = delete;
  PosixFileLock& operator=(const PosixFileLock&) = delete;

 private:
  const int fd_;
};

// Thread-safe: holds no state.
class PosixEnv final : public Env {
 public:
  absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(
      const std::string& path, bool truncate) override {
    int flags = O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC;
    if (truncate) flags |= O_TRUNC;
    ScopedFd fd(OpenRetrying(path, flags, kFileMode));
    if (fd.get() < 0) return PosixError("open", path, errno);
    struct stat st;
    if (::fstat(fd.get(), &st) != 0) return PosixError("stat", path, errno);
    return std::make_unique<PosixWritableFile>(
        fd.release(), path, static_cast<uint64_t>(st.st_size));
  }

  absl::StatusOr<std::string> ReadFile(const std::string& path) override {
    ScopedFd fd(OpenRetrying(path, O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) return PosixError("open", path, errno);
    struct stat st;
    if (::fstat(fd.get(), &st) != 0) return PosixError("stat", path, errno);
    std::string contents;
    contents.reserve(static_cast<size_t>(st.st_size));
    size_t used = 0;
    while (true) {
      contents.resize(used + kReadChunkBytes);
      const ssize_t n = ::read(fd.get(), contents.data() + used, kReadChunkBytes);
      if (n < 0) {
        if (errno == EINTR) continue;
        return PosixError("read", path, errno);
      }
      if (n == 0) break;
      used += static_cast<size_t>(n);
    }
    contents.resize(used);
    return contents;
  }

  // Concurrent calls for the same `path` must be serialized by the caller:
  // they share the temporary file "<path>.tmp".
  absl::Status WriteFileAtomic(const std::string& path,
                               std::string_view data) override {
    const std::string tmp = path + ".tmp";
    absl::Status status = WriteAndSync(tmp, data);
    if (status.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) {
      status = PosixError("rename", absl::StrCat(tmp, " to ", path), errno);
    }
    if (!status.ok()) {
      ::unlink(tmp.c_str());  // Best effort; the error above is what matters.
      return status;
    }
    return SyncDir(DirName(path));
  }

  bool FileExists(const std::string& path) override {
    return ::access(path.c_str(), F_OK) == 0;
  }

  absl::StatusOr<uint64_t> GetFileSize(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return PosixError("stat", path, errno);
    return static_cast<uint64_t>(st.st_size);
  }

  absl::StatusOr<std::vector<std::string>> ListDir(
      const std::string& dir) override {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return PosixError("opendir", dir, errno);
    std::vector<std::string> names;
    while (true) {
      errno = 0;
      const struct dirent* entry = ::readdir(d);
      if (entry == nullptr) break;
      const std::string_view name = entry->d_name;
      if (name == "." || name == "..") continue;
      names.emplace_back(name);
    }
    const int err = errno;
    ::closedir(d);
    if (err != 0) return PosixError("readdir", dir, err);
    std::sort(names.begin(), names.end());  // Deterministic order for callers.
    return names;
  }

  absl::Status CreateDirs(const std::string& dir) override {
    if (dir.empty()) {
      return MakeError(ErrorCode::kInvalidArgument, "CreateDirs: empty path");
    }
    // Create each prefix ending before a '/' and then `dir` itself.
    size_t pos = 0;
    while (pos != std::string::npos) {
      pos = dir.find('/', pos + 1);
      const std::string prefix = dir.substr(0, pos);
      if (prefix.empty() || prefix.back() == '/') continue;  // "//" or "/".
      STRATA_RETURN_IF_ERROR(CreateOneDir(prefix));
    }
    return absl::OkStatus();
  }

  absl::Status RemoveFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return PosixError("unlink", path, errno);
    return absl::OkStatus();
  }

  absl::Status RenameFile(const std::string& from,
                          const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) {
      return PosixError("rename", absl::StrCat(from, " to ", to), errno);
    }
    return absl::OkStatus();
  }

  absl::Status TruncateFile(const std::string& path, uint64_t size) override {
    ScopedFd fd(OpenRetrying(path, O_WRONLY | O_CLOEXEC));
    if (fd.get() < 0) return PosixError("open", path, errno);
    int rc;
    do {
      rc = ::ftruncate(fd.get(), static_cast<off_t>(size));
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) return PosixError("ftruncate", path, errno);
    if (::fsync(fd.get()) != 0) return PosixError("fsync", path, errno);
    return CloseFd(fd.release(), path);
  }

  absl::Status SyncDir(const std::string& dir) override {
    ScopedFd fd(OpenRetrying(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() < 0) return PosixError("open", dir, errno);
    if (::fsync(fd.get()) != 0) return PosixError("fsync", dir, errno);
    return absl::OkStatus();
  }

  absl::StatusOr<std::unique_ptr<FileLock>> LockFile(
      const std::string& path) override {
    ScopedFd fd(OpenRetrying(path, O_RDWR | O_CREAT | O_CLOEXEC, kFileMode));
    if (fd.get() < 0) return PosixError("open", path, errno);
    int rc;
    do {
      rc = ::flock(fd.get(), LOCK_EX | LOCK_NB);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) {
      if (errno != EWOULDBLOCK) return PosixError("flock", path, errno);
      return BusyError(fd.get(), path);
    }
    // Record our pid for the next contender's error message.
    const std::string pid_text = absl::StrCat(::getpid(), "\n");
    do {
      rc = ::ftruncate(fd.get(), 0);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) return PosixError("ftruncate", path, errno);
    STRATA_RETURN_IF_ERROR(WriteAll(fd.get(), pid_text, path));
    return std::make_unique<PosixFileLock>(fd.release());
  }

 private:
  // Writes `data` to a fresh `path` and fdatasyncs it.
  static absl::Status WriteAndSync(const std::string& path,
                                   std::string_view data) {
    ScopedFd fd(OpenRetrying(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                             kFileMode));
    if (fd.get() < 0) return PosixError("open", path, errno);
    STRATA_RETURN_IF_ERROR(WriteAll(fd.get(), data, path));
    if (::fdatasync(fd.get()) != 0) return PosixError("fdatasync", path, errno);
    return CloseFd(fd.release(), path);
  }

  // mkdir of one directory. An existing directory is fine; an existing
  // non-directory is an error. A new directory's entry is made durable.
  absl::Status CreateOneDir(const std::string& dir) {
    if (::mkdir(dir.c_str(), kDirMode) == 0) return SyncDir(DirName(dir));
    const int err = errno;
    if (err != EEXIST) return PosixError("mkdir", dir, err);
    struct stat st;
    if (::stat(dir.c_str(), &st) != 0) return PosixError("stat", dir, errno);
    if (!S_ISDIR(st.st_mode)) {
      return MakeError(ErrorCode::kIoError,
                       absl::StrCat("mkdir ", dir,
                                    ": File exists and is not a directory"));
    }
    return absl::OkStatus();
  }

  // The Busy error for a lock held elsewhere, naming the holder's pid when
  // the lock file holds one.
  static absl::Status BusyError(int fd, const std::string& path) {
    char buf[kMaxPidTextBytes];
    ssize_t n;
    do {
      n = ::pread(fd, buf, sizeof(buf), 0);
    } while (n < 0 && errno == EINTR);
    int64_t pid = 0;
    if (n > 0 &&
        absl::SimpleAtoi(absl::StripAsciiWhitespace(
                             absl::string_view(buf, static_cast<size_t>(n))),
                         &pid) &&
        pid > 0) {
      return MakeError(ErrorCode::kBusy,
                       absl::StrCat("database is locked by another process (pid ",
                                    pid, "): ", path));
    }
    return MakeError(
        ErrorCode::kBusy,
        absl::StrCat("database is locked by another handle or process: ", path));
  }
};

}  // namespace

Env* Env::Default() {
  // Intentionally leaked so it outlives every static user.
  static Env* const env = new PosixEnv();
  return env;
}

}  // namespace strata
