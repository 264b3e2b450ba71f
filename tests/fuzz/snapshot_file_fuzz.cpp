// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Fuzz target for the snapshot file reader (storage/snapshot_file.hpp).
//
// For arbitrary bytes, and again for the same bytes with every checksum the
// framing reaches recomputed (so mutations get past the checksums and reach
// the chain decoder):
//  - ReadSnapshot never crashes; failures are DataLoss or FailedPrecondition
//    only;
//  - on success every chain it reported has >= 1 version, versions ascend
//    and are <= the watermark, and tombstones have null values; an error
//    from the callback is returned as is; and writing the chains again with
//    SnapshotWriter gives a file that reads back to the same meta and
//    chains.
// A violation prints what went wrong and calls abort().
#include <stdlib.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "env/env.hpp"
#include "storage/snapshot_file.hpp"
#include "strata/value.hpp"
#include "util/coding.hpp"
#include "util/hash.hpp"

namespace {

using strata::Value;
using strata::storage::SnapshotChain;
using strata::storage::SnapshotMeta;
using strata::storage::SnapshotVersion;

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "snapshot_file_fuzz: %s\n", what);
  std::abort();
}

// A private directory for the files this target writes, removed at exit.
class ScratchDir {
 public:
  ScratchDir() {
    std::error_code ec;
    std::string pattern =
        (std::filesystem::temp_directory_path(ec) / "strata-snapfuzz-XXXXXX").string();
    if (ec || mkdtemp(pattern.data()) == nullptr) Fail("cannot create a scratch directory");
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string File(const char* name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

ScratchDir& Scratch() {
  static ScratchDir dir;
  return dir;
}

bool SameChains(const std::vector<SnapshotChain>& a, const std::vector<SnapshotChain>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].store_key != b[i].store_key || a[i].earliest_retained != b[i].earliest_retained ||
        a[i].versions.size() != b[i].versions.size()) {
      return false;
    }
    for (size_t j = 0; j < a[i].versions.size(); ++j) {
      const SnapshotVersion& x = a[i].versions[j];
      const SnapshotVersion& y = b[i].versions[j];
      if (x.version != y.version || x.timestamp_us != y.timestamp_us ||
          x.tombstone != y.tombstone || !(x.value == y.value)) {
        return false;
      }
    }
  }
  return true;
}

absl::Status Write(const std::string& path, const SnapshotMeta& meta,
                   const std::vector<SnapshotChain>& chains) {
  auto writer = strata::storage::SnapshotWriter::Create(strata::Env::Default(), path, meta);
  if (!writer.ok()) return writer.status();
  for (const SnapshotChain& c : chains) {
    absl::Status s = (*writer)->BeginChain(c.store_key, c.earliest_retained,
                                           static_cast<uint32_t>(c.versions.size()));
    if (!s.ok()) return s;
    for (const SnapshotVersion& v : c.versions) {
      s = (*writer)->AddVersion(v.version, v.timestamp_us, v.tombstone, v.value);
      if (!s.ok()) return s;
    }
  }
  return (*writer)->Finish();
}

void Check(std::string_view input) {
  std::vector<SnapshotChain> chains;
  const absl::StatusOr<SnapshotMeta> meta =
      strata::storage::ReadSnapshot(input, "fuzz.snap", [&](SnapshotChain&& c) {
        chains.push_back(std::move(c));
        return absl::OkStatus();
      });
  if (!meta.ok()) {
    if (meta.status().code() != absl::StatusCode::kDataLoss &&
        meta.status().code() != absl::StatusCode::kFailedPrecondition) {
      Fail("error is neither DataLoss nor FailedPrecondition");
    }
    return;
  }
  for (const SnapshotChain& c : chains) {
    if (c.versions.empty()) Fail("chain without versions");
    for (size_t i = 0; i < c.versions.size(); ++i) {
      const SnapshotVersion& v = c.versions[i];
      if (i > 0 && v.version <= c.versions[i - 1].version) Fail("versions do not ascend");
      if (v.version > meta->watermark) Fail("version above the watermark");
      if (v.tombstone && !v.value.is_null()) Fail("tombstone with a value");
    }
  }
  if (!chains.empty()) {
    const absl::StatusOr<SnapshotMeta> stopped = strata::storage::ReadSnapshot(
        input, "fuzz.snap", [](SnapshotChain&&) { return absl::CancelledError("stop"); });
    if (stopped.status().code() != absl::StatusCode::kCancelled) {
      Fail("the callback's error is not returned");
    }
  }
  // Round trip through the writer.
  const std::string path = Scratch().File("roundtrip.snap");
  if (!Write(path, *meta, chains).ok()) Fail("the writer refuses chains the reader accepted");
  const absl::StatusOr<std::string> rewritten = strata::Env::Default()->ReadFile(path);
  if (!rewritten.ok()) Fail("cannot read the rewritten file");
  std::vector<SnapshotChain> again;
  const absl::StatusOr<SnapshotMeta> meta_again =
      strata::storage::ReadSnapshot(*rewritten, path, [&](SnapshotChain&& c) {
        again.push_back(std::move(c));
        return absl::OkStatus();
      });
  if (!meta_again.ok()) Fail("the rewritten file does not read");
  if (meta_again->uuid != meta->uuid || meta_again->watermark != meta->watermark ||
      meta_again->created_us != meta->created_us || meta_again->codec_id != meta->codec_id) {
    Fail("the rewritten file has a different meta");
  }
  if (!SameChains(again, chains)) Fail("the rewritten file has different chains");
}

// Recomputes the header checksum and every block checksum that the framing
// reaches (by the documented layout); returns the input unchanged when it
// does not start like a snapshot file.
std::string FixChecksums(std::string_view input) {
  constexpr size_t kFixedHeader = 20;
  std::string s(input);
  if (s.size() < kFixedHeader + 4 || s.compare(0, 8, "STRATASN") != 0) return s;
  const uint32_t meta_length = strata::util::DecodeFixed32(s.data() + 16);
  if (meta_length > s.size() - kFixedHeader - 4) return s;
  size_t pos = kFixedHeader + meta_length;
  strata::util::EncodeFixed32(s.data() + pos,
                              strata::util::Checksum32(std::string_view(s).substr(0, pos)));
  pos += 4;
  while (s.size() - pos >= 9) {
    const uint32_t length = strata::util::DecodeFixed32(s.data() + pos + 1);
    if (length > s.size() - pos - 9) break;
    strata::util::EncodeFixed32(
        s.data() + pos + 5 + length,
        strata::util::Checksum32(std::string_view(s).substr(pos, 5 + length)));
    pos += 9 + length;
  }
  return s;
}

SnapshotChain MakeChain(std::string key, uint64_t earliest, std::vector<SnapshotVersion> v) {
  SnapshotChain c;
  c.store_key = std::move(key);
  c.earliest_retained = earliest;
  c.versions = std::move(v);
  return c;
}

SnapshotVersion MakeVersion(uint64_t version, int64_t ts, bool tombstone, Value value) {
  SnapshotVersion v;
  v.version = version;
  v.timestamp_us = ts;
  v.tombstone = tombstone;
  v.value = std::move(value);
  return v;
}

}  // namespace

extern "C" void StrataFuzzSeeds(std::vector<std::string>* out) {
  SnapshotMeta meta;
  meta.uuid = "0f8fad5b-d9cb-469f-a165-70867728950e";
  meta.watermark = 9;
  meta.created_us = 1700000000000000;
  const std::vector<std::vector<SnapshotChain>> files = {
      {},
      {MakeChain("k", 0, {MakeVersion(1, 10, false, Value(1))})},
      {MakeChain(std::string("\x01\x07" "default" "user:42", 16), 0,
                 {MakeVersion(1, 10, false,
                              Value(Value::Object{{"name", Value("ada")}, {"n", Value(7)}})),
                  MakeVersion(3, 30, true, Value()),
                  MakeVersion(4, 40, false,
                              Value(Value::Array{Value(1.5), Value(), Value(true)}))}),
       MakeChain(std::string("\x05\x05run-7", 7), 2,
                 {MakeVersion(2, 20, false, Value::MakeBytes(std::string("\xff\x00", 2)))}),
       MakeChain("gone", 9, {MakeVersion(9, -1, true, Value())})},
  };
  const std::string path = Scratch().File("seed.snap");
  for (const auto& chains : files) {
    if (!Write(path, meta, chains).ok()) Fail("cannot write a seed");
    absl::StatusOr<std::string> contents = strata::Env::Default()->ReadFile(path);
    if (!contents.ok()) Fail("cannot read a seed");
    out->push_back(*contents);
  }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  Check(input);
  const std::string fixed = FixChecksums(input);
  if (fixed != input) Check(fixed);
  return 0;
}
