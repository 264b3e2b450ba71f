// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Tests for the POSIX Env (files, directories, the lock file, also across
// processes) and for FaultInjectionEnv (power loss, torn tails, failing
// syncs and appends, byte flips).
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "env/env.hpp"
#include "env/fault_injection_env.hpp"
#include "gtest/gtest.h"
#include "strata/status.hpp"
#include "test_util.hpp"

namespace strata {
namespace {

using ::strata::testing::TempDir;

Env* env() { return Env::Default(); }

// Creates `path` with `data` through `e`, synced when `sync`.
void WriteFile(Env* e, const std::string& path, const std::string& data,
               bool sync) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<WritableFile> f,
                       e->NewWritableFile(path, /*truncate=*/true));
  ASSERT_OK(f->Append(data));
  if (sync) ASSERT_OK(f->Sync());
  ASSERT_OK(f->Close());
}

std::string ReadOrDie(const std::string& path) {
  absl::StatusOr<std::string> data = env()->ReadFile(path);
  EXPECT_TRUE(data.ok()) << data.status();
  return data.ok() ? *data : std::string();
}

// ---- PosixEnv ----

TEST(PosixEnvTest, DefaultIsASingleton) {
  EXPECT_NE(Env::Default(), nullptr);
  EXPECT_EQ(Env::Default(), Env::Default());
}

TEST(PosixEnvTest, AppendSizeAndReadBack) {
  TempDir dir;
  const std::string path = dir.Sub("f");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<WritableFile> f,
                       env()->NewWritableFile(path, /*truncate=*/false));
  EXPECT_EQ(f->Size(), 0u);
  ASSERT_OK(f->Append("hello "));
  ASSERT_OK(f->Append(""));
  ASSERT_OK(f->Append("world"));
  EXPECT_EQ(f->Size(), 11u);
  ASSERT_OK(f->Sync());
  ASSERT_OK(f->Close());
  EXPECT_FALSE(f->Append("x").ok());
  EXPECT_FALSE(f->Sync().ok());
  EXPECT_FALSE(f->Close().ok());

  EXPECT_TRUE(env()->FileExists(path));
  EXPECT_EQ(ReadOrDie(path), "hello world");
  ASSERT_OK_AND_ASSIGN(uint64_t size, env()->GetFileSize(path));
  EXPECT_EQ(size, 11u);

  // Reopening without truncate appends; Size() counts the existing bytes.
  ASSERT_OK_AND_ASSIGN(f, env()->NewWritableFile(path, /*truncate=*/false));
  EXPECT_EQ(f->Size(), 11u);
  ASSERT_OK(f->Append("!"));
  EXPECT_EQ(f->Size(), 12u);
  ASSERT_OK(f->Close());
  EXPECT_EQ(ReadOrDie(path), "hello world!");

  // With truncate the file starts empty.
  ASSERT_OK_AND_ASSIGN(f, env()->NewWritableFile(path, /*truncate=*/true));
  EXPECT_EQ(f->Size(), 0u);
  ASSERT_OK(f->Append("new"));
  ASSERT_OK(f->Close());
  EXPECT_EQ(ReadOrDie(path), "new");
}

TEST(PosixEnvTest, ReadsLargeFile) {
  TempDir dir;
  const std::string path = dir.Sub("big");
  std::string data;
  for (int i = 0; i < 300000; ++i) data.push_back(static_cast<char>(i * 7));
  WriteFile(env(), path, data, /*sync=*/false);
  EXPECT_EQ(ReadOrDie(path), data);
}

TEST(PosixEnvTest, MissingFileIsNotFound) {
  TempDir dir;
  const std::string path = dir.Sub("missing");
  EXPECT_FALSE(env()->FileExists(path));
  EXPECT_ERROR(env()->ReadFile(path), ErrorCode::kNotFound);
  EXPECT_ERROR(env()->GetFileSize(path), ErrorCode::kNotFound);
  const absl::Status s = env()->ReadFile(path).status();
  EXPECT_NE(s.message().find(path), std::string::npos) << s;
  EXPECT_NE(s.message().find("No such file or directory"), std::string::npos)
      << s;
}

TEST(PosixEnvTest, WriteErrorNamesPathAndReason) {
  // /dev/full fails every write with ENOSPC.
  if (!env()->FileExists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<WritableFile> f,
                       env()->NewWritableFile("/dev/full", /*truncate=*/false));
  const absl::Status s = f->Append("data");
  EXPECT_ERROR(s, ErrorCode::kIoError);
  EXPECT_EQ(s.message(), "write /dev/full: No space left on device");
}

TEST(PosixEnvTest, WriteFileAtomicReplacesContent) {
  TempDir dir;
  const std::string path = dir.Sub("MANIFEST");
  ASSERT_OK(env()->WriteFileAtomic(path, "first"));
  EXPECT_EQ(ReadOrDie(path), "first");
  ASSERT_OK(env()->WriteFileAtomic(path, "second, longer"));
  EXPECT_EQ(ReadOrDie(path), "second, longer");
  ASSERT_OK(env()->WriteFileAtomic(path, ""));
  EXPECT_EQ(ReadOrDie(path), "");
  // No temporary file is left behind.
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> names,
                       env()->ListDir(dir.path()));
  EXPECT_EQ(names, std::vector<std::string>{"MANIFEST"});
}

TEST(PosixEnvTest, WriteFileAtomicIntoMissingDirFails) {
  TempDir dir;
  EXPECT_FALSE(env()->WriteFileAtomic(dir.Sub("no/such/file"), "x").ok());
}

TEST(PosixEnvTest, ListDirCreateDirsRemoveRename) {
  TempDir dir;
  const std::string sub = dir.Sub("a/b/c");
  ASSERT_OK(env()->CreateDirs(sub));
  ASSERT_OK(env()->CreateDirs(sub));        // Existing directory: OK.
  ASSERT_OK(env()->CreateDirs(sub + "/"));  // Trailing slash: OK.
  WriteFile(env(), sub + "/x", "1", /*sync=*/false);
  WriteFile(env(), sub + "/y", "22", /*sync=*/false);
  ASSERT_OK(env()->SyncDir(sub));

  ASSERT_OK_AND_ASSIGN(std::vector<std::string> names, env()->ListDir(sub));
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"x", "y"}));
  ASSERT_OK_AND_ASSIGN(names, env()->ListDir(dir.path()));
  EXPECT_EQ(names, std::vector<std::string>{"a"});

  ASSERT_OK(env()->RenameFile(sub + "/x", sub + "/z"));
  EXPECT_FALSE(env()->FileExists(sub + "/x"));
  EXPECT_EQ(ReadOrDie(sub + "/z"), "1");
  ASSERT_OK(env()->RenameFile(sub + "/y", sub + "/z"));  // Replaces.
  EXPECT_EQ(ReadOrDie(sub + "/z"), "22");

  ASSERT_OK(env()->RemoveFile(sub + "/z"));
  EXPECT_FALSE(env()->FileExists(sub + "/z"));
  EXPECT_FALSE(env()->RemoveFile(sub + "/z").ok());
  EXPECT_FALSE(env()->RenameFile(sub + "/z", sub + "/w").ok());
  ASSERT_OK_AND_ASSIGN(names, env()->ListDir(sub));
  EXPECT_TRUE(names.empty());

  EXPECT_FALSE(env()->ListDir(dir.Sub("missing")).ok());
  EXPECT_FALSE(env()->SyncDir(dir.Sub("missing")).ok());
}

TEST(PosixEnvTest, CreateDirsOverAFileFails) {
  TempDir dir;
  WriteFile(env(), dir.Sub("file"), "x", /*sync=*/false);
  const absl::Status s = env()->CreateDirs(dir.Sub("file"));
  EXPECT_ERROR(s, ErrorCode::kIoError);
  EXPECT_NE(s.message().find(dir.Sub("file")), std::string::npos) << s;
  EXPECT_FALSE(env()->CreateDirs(dir.Sub("file/sub")).ok());
}

TEST(PosixEnvTest, TruncateFile) {
  TempDir dir;
  const std::string path = dir.Sub("t");
  WriteFile(env(), path, "0123456789", /*sync=*/false);
  ASSERT_OK(env()->TruncateFile(path, 4));
  EXPECT_EQ(ReadOrDie(path), "0123");
  ASSERT_OK(env()->TruncateFile(path, 0));
  EXPECT_EQ(ReadOrDie(path), "");
  EXPECT_ERROR(env()->TruncateFile(dir.Sub("missing"), 0),
               ErrorCode::kNotFound);
}

// ---- Lock file ----

TEST(PosixEnvLockTest, SecondLockInSameProcessIsBusy) {
  TempDir dir;
  const std::string path = dir.Sub("LOCK");
  absl::StatusOr<std::unique_ptr<FileLock>> first = env()->LockFile(path);
  ASSERT_OK(first);
  EXPECT_EQ(ReadOrDie(path), absl::StrCat(getpid(), "\n"));

  const absl::Status second = env()->LockFile(path).status();
  EXPECT_ERROR(second, ErrorCode::kBusy);
  EXPECT_EQ(second.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(second.message().find(absl::StrCat("(pid ", getpid(), ")")),
            std::string::npos)
      << second;
  EXPECT_NE(second.message().find(path), std::string::npos) << second;

  first->reset();  // Releases the lock.
  absl::StatusOr<std::unique_ptr<FileLock>> again = env()->LockFile(path);
  ASSERT_OK(again);
}

TEST(PosixEnvLockTest, BusyWithoutPidSaysSo) {
  TempDir dir;
  const std::string path = dir.Sub("LOCK");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<FileLock> lock, env()->LockFile(path));
  // Someone emptied the file: the holder is unknown.
  ASSERT_OK(env()->TruncateFile(path, 0));
  const absl::Status s = env()->LockFile(path).status();
  EXPECT_ERROR(s, ErrorCode::kBusy);
  EXPECT_EQ(s.message(),
            "database is locked by another handle or process: " + path);
}

TEST(PosixEnvLockTest, LockHeldByChildProcess) {
  TempDir dir;
  const std::string path = dir.Sub("LOCK");
  int locked_pipe[2];  // child -> parent: "I hold the lock".
  int exit_pipe[2];    // parent -> child: "you may exit now".
  ASSERT_EQ(pipe(locked_pipe), 0);
  ASSERT_EQ(pipe(exit_pipe), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(locked_pipe[0]);
    close(exit_pipe[1]);
    absl::StatusOr<std::unique_ptr<FileLock>> lock = env()->LockFile(path);
    const char ok = lock.ok() ? 'y' : 'n';
    if (write(locked_pipe[1], &ok, 1) != 1) _exit(2);
    char c;
    while (read(exit_pipe[0], &c, 1) < 0) {
    }
    _exit(lock.ok() ? 0 : 1);  // Process exit releases the lock.
  }
  close(locked_pipe[1]);
  close(exit_pipe[0]);
  char ok = 0;
  ASSERT_EQ(read(locked_pipe[0], &ok, 1), 1);
  EXPECT_EQ(ok, 'y');

  const absl::Status s = env()->LockFile(path).status();
  EXPECT_ERROR(s, ErrorCode::kBusy);
  EXPECT_NE(s.message().find(absl::StrCat(
                "locked by another process (pid ", child, ")")),
            std::string::npos)
      << s;

  close(exit_pipe[1]);  // EOF lets the child exit.
  int wstatus = 0;
  ASSERT_EQ(waitpid(child, &wstatus, 0), child);
  EXPECT_TRUE(WIFEXITED(wstatus));
  EXPECT_EQ(WEXITSTATUS(wstatus), 0);
  close(locked_pipe[0]);

  absl::StatusOr<std::unique_ptr<FileLock>> lock = env()->LockFile(path);
  ASSERT_OK(lock);
  EXPECT_EQ(ReadOrDie(path), absl::StrCat(getpid(), "\n"));
}

// ---- FaultInjectionEnv ----

TEST(FaultInjectionEnvTest, UnsyncedDataIsDropped) {
  TempDir dir;
  FaultInjectionEnv fenv(env());
  const std::string path = dir.Sub("f");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<WritableFile> f,
                       fenv.NewWritableFile(path, /*truncate=*/true));
  ASSERT_OK(f->Append("synced"));
  ASSERT_OK(f->Sync());
  EXPECT_EQ(fenv.sync_count(), 1u);
  ASSERT_OK(f->Append("-unsynced"));
  EXPECT_EQ(ReadOrDie(path), "synced-unsynced");

  fenv.SetFilesystemActive(false);
  EXPECT_FALSE(fenv.IsFilesystemActive());
  ASSERT_OK(f->Close());
  ASSERT_OK(fenv.DropUnsyncedData());
  EXPECT_EQ(ReadOrDie(path), "synced");
}

TEST(FaultInjectionEnvTest, SyncedDataIsKept) {
  TempDir dir;
  FaultInjectionEnv fenv(env());
  const std::string path = dir.Sub("f");
  WriteFile(&fenv, path, "all synced", /*sync=*/true);
  ASSERT_OK(fenv.DropUnsyncedData());
  EXPECT_EQ(ReadOrDie(path), "all synced");
}

TEST(FaultInjectionEnvTest, ExistingContentCountsAsSynced) {
  TempDir dir;
  const std::string path = dir.Sub("f");
  WriteFile(env(), path, "before", /*sync=*/false);
  FaultInjectionEnv fenv(env());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<WritableFile> f,
                       fenv.NewWritableFile(path, /*truncate=*/false));
  EXPECT_EQ(f->Size(), 6u);
  ASSERT_OK(f->Append("+after"));
  ASSERT_OK(f->Close());
  // Reopening shares the state: "+after" is still unsynced.
  ASSERT_OK_AND_ASSIGN(f, fenv.NewWritableFile(path, /*truncate=*/false));
  ASSERT_OK(f->Append("+more"));
  ASSERT_OK(f->Close());
  ASSERT_OK(fenv.DropUnsyncedData());
  EXPECT_EQ(ReadOrDie(path), "before");
}

TEST(FaultInjectionEnvTest, TornTailKeepsAPrefix) {
  TempDir dir;
  FaultInjectionEnv fenv(env());
  const std::string path = dir.Sub("f");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<WritableFile> f,
                       fenv.NewWritableFile(path, /*truncate=*/true));
  ASSERT_OK(f->Append("SYNCED"));
  ASSERT_OK(f->Sync());
  ASSERT_OK(f->Append("0123456789"));
  ASSERT_OK(f->Close());
  ASSERT_OK(fenv.TearUnsyncedTail(0.5, /*garbage=*/false, /*seed=*/1));
  EXPECT_EQ(ReadOrDie(path), "SYNCED01234");
}

TEST(FaultInjectionEnvTest, GarbageTailDiffersFromOriginal) {
  TempDir dir;
  const uint64_t seed = ::strata::testing::TestSeed();
  const std::string tail = "the unsynced tail of the file";
  std::string torn[2];
  for (int round = 0; round < 2; ++round) {
    FaultInjectionEnv fenv(env());
    const std::string path = dir.Sub(absl::StrCat("f", round));
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<WritableFile> f,
                         fenv.NewWritableFile(path, /*truncate=*/true));
    ASSERT_OK(f->Append("SYNCED"));
    ASSERT_OK(f->Sync());
    ASSERT_OK(f->Append(tail));
    ASSERT_OK(f->Close());
    ASSERT_OK(fenv.TearUnsyncedTail(1.0, /*garbage=*/true, seed));
    const std::string data = ReadOrDie(path);
    ASSERT_EQ(data.size(), 6 + tail.size());
    EXPECT_EQ(data.substr(0, 6), "SYNCED");
    for (size_t i = 0; i < tail.size(); ++i) {
      EXPECT_NE(data[6 + i], tail[i]) << "byte " << i;
    }
    torn[round] = data.substr(6);
  }
  // Different paths get different garbage, even with the same seed.
  EXPECT_NE(torn[0], torn[1]);

  // The same seed and path give the same garbage.
  FaultInjectionEnv fenv(env());
  const std::string path = dir.Sub("f0");
  ASSERT_OK(env()->TruncateFile(path, 6));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<WritableFile> f,
                       fenv.NewWritableFile(path, /*truncate=*/false));
  ASSERT_OK(f->Append(tail));
  ASSERT_OK(f->Close());
  ASSERT_OK(fenv.TearUnsyncedTail(1.0, /*garbage=*/true, seed));
  EXPECT_EQ(ReadOrDie(path).substr(6), torn[0]);
}

TEST(FaultInjectionEnvTest, FailNextSyncs) {
  TempDir dir;
  FaultInjectionEnv fenv(env());
  const std::string path = dir.Sub("f");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<WritableFile> f,
                       fenv.NewWritableFile(path, /*truncate=*/true));
  ASSERT_OK(f->Append("abc"));
  fenv.FailNextSyncs(2);
  const absl::Status s = f->Sync();
  EXPECT_ERROR(s, ErrorCode::kIoError);
  EXPECT_NE(s.message().find("injected sync failure"), std::string::npos) << s;
  EXPECT_ERROR(fenv.SyncDir(dir.path()), ErrorCode::kIoError);
  EXPECT_EQ(fenv.sync_count(), 0u);
  ASSERT_OK(fenv.SyncDir(dir.path()));

  // The failed sync made nothing durable.
  ASSERT_OK(f->Close());
  ASSERT_OK(fenv.DropUnsyncedData());
  EXPECT_EQ(ReadOrDie(path), "");

  ASSERT_OK_AND_ASSIGN(f, fenv.NewWritableFile(path, /*truncate=*/false));
  ASSERT_OK(f->Append("xyz"));
  ASSERT_OK(f->Sync());
  EXPECT_EQ(fenv.sync_count(), 1u);
  ASSERT_OK(f->Close());
  ASSERT_OK(fenv.DropUnsyncedData());
  EXPECT_EQ(ReadOrDie(path), "xyz");
}

TEST(FaultInjectionEnvTest, FailAppends) {
  TempDir dir;
  FaultInjectionEnv fenv(env());
  const std::string path = dir.Sub("f");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<WritableFile> f,
                       fenv.NewWritableFile(path, /*truncate=*/true));
  fenv.SetFailAppends(true);
  EXPECT_ERROR(f->Append("abc"), ErrorCode::kIoError);
  fenv.SetFailAppends(false);
  ASSERT_OK(f->Append("def"));
  ASSERT_OK(f->Close());
  EXPECT_EQ(ReadOrDie(path), "def");
}

TEST(FaultInjectionEnvTest, InactiveFilesystemDropsWrites) {
  TempDir dir;
  FaultInjectionEnv fenv(env());
  const std::string path = dir.Sub("f");
  const std::string other = dir.Sub("g");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<WritableFile> f,
                       fenv.NewWritableFile(path, /*truncate=*/true));
  ASSERT_OK(f->Append("kept"));
  ASSERT_OK(f->Sync());
  ASSERT_OK(fenv.WriteFileAtomic(other, "old"));

  fenv.SetFilesystemActive(false);
  ASSERT_OK(f->Append("lost"));
  ASSERT_OK(f->Sync());
  EXPECT_EQ(f->Size(), 8u);
  EXPECT_EQ(fenv.sync_count(), 1u);
  ASSERT_OK(fenv.WriteFileAtomic(other, "new"));
  ASSERT_OK(fenv.RenameFile(path, dir.Sub("renamed")));
  ASSERT_OK(fenv.RemoveFile(other));
  ASSERT_OK(fenv.TruncateFile(path, 0));
  ASSERT_OK(fenv.SyncDir(dir.path()));
  // A file opened now is a sink; truncate=true does not empty the file.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<WritableFile> g,
                       fenv.NewWritableFile(other, /*truncate=*/true));
  ASSERT_OK(g->Append("x"));
  ASSERT_OK(g->Sync());
  ASSERT_OK(g->Close());
  ASSERT_OK(f->Close());

  EXPECT_EQ(ReadOrDie(path), "kept");
  EXPECT_EQ(ReadOrDie(other), "old");
  EXPECT_FALSE(env()->FileExists(dir.Sub("renamed")));
  ASSERT_OK(fenv.DropUnsyncedData());
  EXPECT_EQ(ReadOrDie(path), "kept");

  fenv.SetFilesystemActive(true);
  ASSERT_OK(fenv.RenameFile(path, dir.Sub("renamed")));
  EXPECT_EQ(ReadOrDie(dir.Sub("renamed")), "kept");
}

TEST(FaultInjectionEnvTest, RenamedFileKeepsItsSyncState) {
  TempDir dir;
  FaultInjectionEnv fenv(env());
  const std::string path = dir.Sub("f");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<WritableFile> f,
                       fenv.NewWritableFile(path, /*truncate=*/true));
  ASSERT_OK(f->Append("ab"));
  ASSERT_OK(f->Sync());
  ASSERT_OK(f->Append("cd"));
  ASSERT_OK(f->Close());
  ASSERT_OK(fenv.RenameFile(path, dir.Sub("g")));
  ASSERT_OK(fenv.DropUnsyncedData());
  EXPECT_EQ(ReadOrDie(dir.Sub("g")), "ab");
}

TEST(FaultInjectionEnvTest, FlipByte) {
  TempDir dir;
  const std::string path = dir.Sub("f");
  WriteFile(env(), path, "abc", /*sync=*/false);
  ASSERT_OK(FaultInjectionEnv::FlipByte(env(), path, 1));
  EXPECT_EQ(ReadOrDie(path), "acc");
  ASSERT_OK(FaultInjectionEnv::FlipByte(env(), path, 2, 0x20));
  EXPECT_EQ(ReadOrDie(path), "acC");
  EXPECT_FALSE(FaultInjectionEnv::FlipByte(env(), path, 3).ok());
  EXPECT_ERROR(FaultInjectionEnv::FlipByte(env(), dir.Sub("missing"), 0),
               ErrorCode::kNotFound);
  EXPECT_EQ(ReadOrDie(path), "acC");
}

}  // namespace
}  // namespace strata
