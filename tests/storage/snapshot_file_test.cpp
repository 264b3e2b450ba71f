// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Tests for snapshot files (storage/snapshot_file.hpp): file names, round
// trips (random chains, empty, a chain larger than a block, many blocks,
// tombstones, trim markers), the documented byte layout, every truncation
// and every flipped byte of a small file, damage hidden behind valid
// checksums (hand-encoded by the documented rules), format and codec
// versions, writer misuse, and I/O failures through FaultInjectionEnv.
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "env/env.hpp"
#include "env/fault_injection_env.hpp"
#include "gtest/gtest.h"
#include "storage/snapshot_file.hpp"
#include "strata/status.hpp"
#include "strata/value.hpp"
#include "test_util.hpp"
#include "util/coding.hpp"
#include "util/hash.hpp"
#include "util/value_codec.hpp"

namespace strata::storage {
namespace {

using ::strata::testing::RandomValue;
using ::strata::testing::TempDir;
using ::strata::testing::TestSeed;

Env* env() { return Env::Default(); }

constexpr size_t kBlockPayloadTarget = size_t{1} << 20;

SnapshotMeta TestMeta(Version watermark) {
  SnapshotMeta meta;
  meta.uuid = "0f8fad5b-d9cb-469f-a165-70867728950e";
  meta.watermark = watermark;
  meta.created_us = 1'700'000'000'123'456;
  return meta;
}

SnapshotVersion Ver(Version v, TimestampMicros ts, Value value) {
  SnapshotVersion out;
  out.version = v;
  out.timestamp_us = ts;
  out.value = std::move(value);
  return out;
}
SnapshotVersion Tomb(Version v, TimestampMicros ts) {
  SnapshotVersion out;
  out.version = v;
  out.timestamp_us = ts;
  out.tombstone = true;
  return out;
}
SnapshotChain Chain(std::string key, Version earliest, std::vector<SnapshotVersion> versions) {
  SnapshotChain c;
  c.store_key = std::move(key);
  c.earliest_retained = earliest;
  c.versions = std::move(versions);
  return c;
}

absl::Status WriteChains(Env* e, const std::string& path, const SnapshotMeta& meta,
                         const std::vector<SnapshotChain>& chains) {
  absl::StatusOr<std::unique_ptr<SnapshotWriter>> writer = SnapshotWriter::Create(e, path, meta);
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

struct ReadResult {
  absl::StatusOr<SnapshotMeta> meta;
  std::vector<SnapshotChain> chains;
};

ReadResult Read(std::string_view contents, const std::string& name = "test.snap") {
  ReadResult r;
  r.meta = ReadSnapshot(contents, name, [&](SnapshotChain&& c) {
    r.chains.push_back(std::move(c));
    return absl::OkStatus();
  });
  return r;
}

void ExpectSameChains(const std::vector<SnapshotChain>& got,
                      const std::vector<SnapshotChain>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    SCOPED_TRACE(absl::StrCat("chain ", i));
    EXPECT_EQ(got[i].store_key, want[i].store_key);
    EXPECT_EQ(got[i].earliest_retained, want[i].earliest_retained);
    ASSERT_EQ(got[i].versions.size(), want[i].versions.size());
    for (size_t j = 0; j < got[i].versions.size(); ++j) {
      const SnapshotVersion& a = got[i].versions[j];
      const SnapshotVersion& b = want[i].versions[j];
      EXPECT_EQ(a.version, b.version);
      EXPECT_EQ(a.timestamp_us, b.timestamp_us);
      EXPECT_EQ(a.tombstone, b.tombstone);
      EXPECT_TRUE(a.value == b.value) << a.value.ToJson() << " vs " << b.value.ToJson();
    }
  }
}

void ExpectSameMeta(const SnapshotMeta& a, const SnapshotMeta& b) {
  EXPECT_EQ(a.uuid, b.uuid);
  EXPECT_EQ(a.watermark, b.watermark);
  EXPECT_EQ(a.created_us, b.created_us);
  EXPECT_EQ(a.codec_id, b.codec_id);
}

// ---- A second encoder, written from the documented layout ----

std::string EncodeHeader(const SnapshotMeta& meta, uint32_t format = kSnapshotFormatVersion,
                         std::string_view meta_suffix = {}) {
  std::string m;
  util::PutLengthPrefixed(&m, meta.uuid);
  util::PutFixed64(&m, meta.watermark);
  util::PutFixed64(&m, static_cast<uint64_t>(meta.created_us));
  m.append(meta_suffix.data(), meta_suffix.size());
  std::string out = "STRATASN";
  util::PutFixed32(&out, format);
  util::PutFixed32(&out, meta.codec_id);
  util::PutFixed32(&out, static_cast<uint32_t>(m.size()));
  out += m;
  util::PutFixed32(&out, util::Checksum32(out));
  return out;
}

std::string EncodeBlock(uint8_t type, std::string_view payload) {
  std::string out(1, static_cast<char>(type));
  util::PutFixed32(&out, static_cast<uint32_t>(payload.size()));
  out.append(payload.data(), payload.size());
  util::PutFixed32(&out, util::Checksum32(out));
  return out;
}

std::string EncodeChain(const SnapshotChain& c) {
  std::string out;
  util::PutLengthPrefixed(&out, c.store_key);
  util::PutVarint64(&out, c.earliest_retained);
  util::PutVarint64(&out, c.versions.size());
  for (const SnapshotVersion& v : c.versions) {
    util::PutVarint64(&out, v.version);
    util::PutFixed64(&out, static_cast<uint64_t>(v.timestamp_us));
    out.push_back(v.tombstone ? '\1' : '\0');
    if (!v.tombstone) util::EncodeValue(v.value, &out);
  }
  return out;
}

std::string EncodeFooter(uint64_t chains, uint64_t versions) {
  std::string payload;
  util::PutFixed64(&payload, chains);
  util::PutFixed64(&payload, versions);
  return EncodeBlock(2, payload);
}

// A whole file with all chains in one block.
std::string EncodeFile(const SnapshotMeta& meta, const std::vector<SnapshotChain>& chains) {
  std::string payload;
  uint64_t versions = 0;
  for (const SnapshotChain& c : chains) {
    payload += EncodeChain(c);
    versions += c.versions.size();
  }
  std::string out = EncodeHeader(meta);
  if (!chains.empty()) out += EncodeBlock(1, payload);
  return out + EncodeFooter(chains.size(), versions);
}

struct BlockInfo {
  uint8_t type = 0;
  size_t payload_bytes = 0;
};

// Walks the block framing of a valid file.
std::vector<BlockInfo> Blocks(std::string_view file) {
  const uint32_t meta_length = util::DecodeFixed32(file.data() + 16);
  size_t pos = 20 + meta_length + 4;
  std::vector<BlockInfo> out;
  while (pos + 9 <= file.size()) {
    BlockInfo b;
    b.type = static_cast<uint8_t>(file[pos]);
    b.payload_bytes = util::DecodeFixed32(file.data() + pos + 1);
    out.push_back(b);
    pos += 9 + b.payload_bytes;
  }
  EXPECT_EQ(pos, file.size());
  return out;
}

std::vector<SnapshotChain> SmallChains() {
  return {
      Chain("k\x01" "alpha", 0, {Ver(1, 100, Value(1)), Ver(3, 300, Value("three"))}),
      Chain(std::string("\x00\xff", 2), 2, {Tomb(2, 200)}),
      Chain("z", 0,
            {Ver(4, 400, Value(Value::Object{{"a", Value(true)}})), Tomb(5, 500),
             Ver(6, 600, Value::MakeBytes(std::string("\0\1", 2)))}),
  };
}

std::string SmallFile() {
  TempDir dir;
  const std::string path = dir.Sub("small.snap");
  EXPECT_OK(WriteChains(env(), path, TestMeta(6), SmallChains()));
  absl::StatusOr<std::string> contents = env()->ReadFile(path);
  EXPECT_TRUE(contents.ok()) << contents.status();
  return contents.ok() ? *contents : std::string();
}

// ---- File names ----

TEST(SnapshotFileNameTest, FormatsAndParses) {
  EXPECT_EQ(SnapshotFileName(0), "snap-00000000000000000000.snap");
  EXPECT_EQ(SnapshotFileName(42), "snap-00000000000000000042.snap");
  const Version max = std::numeric_limits<Version>::max();
  EXPECT_EQ(SnapshotFileName(max), "snap-18446744073709551615.snap");
  for (Version v : {Version{0}, Version{1}, Version{42}, Version{1} << 40, max}) {
    EXPECT_EQ(ParseSnapshotFileName(SnapshotFileName(v)), v);
  }
  EXPECT_LT(SnapshotFileName(9), SnapshotFileName(10));
}

TEST(SnapshotFileNameTest, RejectsOtherNames) {
  for (const char* name : {
           "", "snap-.snap", "snap-0000000000000000042.snap",      // 19 digits
           "snap-000000000000000000042.snap",                       // 21 digits
           "snap-00000000000000000042.snap.tmp", "snap-00000000000000000042.sna",
           "Snap-00000000000000000042.snap", "snap-0000000000000000004x.snap",
           "snap-+0000000000000000042.snap", "snap- 0000000000000000042.snap",
           "snap-99999999999999999999.snap",  // overflows 64 bits
           "snap-18446744073709551616.snap",  // UINT64_MAX + 1
           "wal-000001.seg", "MANIFEST"}) {
    EXPECT_EQ(ParseSnapshotFileName(name), std::nullopt) << name;
  }
}

// ---- Round trips ----

TEST(SnapshotFileTest, RoundTripRandomChains) {
  const uint64_t seed = TestSeed();
  std::mt19937_64 rng(seed);
  TempDir dir;
  const std::string path = dir.Sub(SnapshotFileName(1));
  std::vector<SnapshotChain> chains;
  Version next = 1;
  uint64_t versions = 0;
  for (int i = 0; i < 15000; ++i) {
    SnapshotChain c;
    const size_t key_len = 1 + rng() % 40;
    for (size_t j = 0; j < key_len; ++j) c.store_key.push_back(static_cast<char>(rng()));
    c.earliest_retained = rng() % 4 == 0 ? rng() % (next + 1) : 0;
    for (uint64_t n = 1 + rng() % 5; n > 0; --n) {
      next += 1 + rng() % 3;
      const TimestampMicros ts = static_cast<TimestampMicros>(rng() >> 1) - (1ll << 62);
      c.versions.push_back(rng() % 5 == 0 ? Tomb(next, ts) : Ver(next, ts, RandomValue(rng)));
      ++versions;
    }
    chains.push_back(std::move(c));
  }
  SnapshotMeta meta = TestMeta(next + rng() % 3);
  meta.created_us = -12345;  // Negative timestamps survive too.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<SnapshotWriter> writer,
                       SnapshotWriter::Create(env(), path, meta));
  for (const SnapshotChain& c : chains) {
    ASSERT_OK(writer->BeginChain(c.store_key, c.earliest_retained,
                                 static_cast<uint32_t>(c.versions.size())));
    for (const SnapshotVersion& v : c.versions) {
      ASSERT_OK(writer->AddVersion(v.version, v.timestamp_us, v.tombstone, v.value));
    }
  }
  ASSERT_OK(writer->Finish());
  EXPECT_EQ(writer->chain_count(), chains.size());
  EXPECT_EQ(writer->version_count(), versions);
  ASSERT_OK_AND_ASSIGN(const std::string contents, env()->ReadFile(path));
  EXPECT_EQ(writer->bytes_written(), contents.size());

  ReadResult r = Read(contents);
  ASSERT_OK(r.meta);
  ExpectSameMeta(*r.meta, meta);
  ExpectSameChains(r.chains, chains);

  // Several blocks; every chains block but the last reached the target size.
  const std::vector<BlockInfo> blocks = Blocks(contents);
  ASSERT_GE(blocks.size(), 3u) << "seed " << seed;
  for (size_t i = 0; i + 1 < blocks.size(); ++i) {
    EXPECT_EQ(blocks[i].type, 1);
    if (i + 2 < blocks.size()) {
      EXPECT_GE(blocks[i].payload_bytes, kBlockPayloadTarget);
    }
  }
  EXPECT_EQ(blocks.back().type, 2);
  EXPECT_EQ(blocks.back().payload_bytes, 16u);
}

TEST(SnapshotFileTest, EmptySnapshot) {
  TempDir dir;
  const std::string path = dir.Sub("empty.snap");
  const SnapshotMeta meta = TestMeta(0);
  ASSERT_OK(WriteChains(env(), path, meta, {}));
  ASSERT_OK_AND_ASSIGN(const std::string contents, env()->ReadFile(path));
  // Header and footer only.
  EXPECT_EQ(contents, EncodeFile(meta, {}));
  const std::vector<BlockInfo> blocks = Blocks(contents);
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(blocks[0].type, 2);
  ReadResult r = Read(contents);
  ASSERT_OK(r.meta);
  ExpectSameMeta(*r.meta, meta);
  EXPECT_TRUE(r.chains.empty());
}

TEST(SnapshotFileTest, MatchesTheDocumentedLayout) {
  const std::string contents = SmallFile();
  EXPECT_EQ(contents, EncodeFile(TestMeta(6), SmallChains()));
  ReadResult r = Read(contents);
  ASSERT_OK(r.meta);
  ExpectSameChains(r.chains, SmallChains());
}

TEST(SnapshotFileTest, TombstonesAndEarliestRetained) {
  TempDir dir;
  const std::string path = dir.Sub("t.snap");
  const std::vector<SnapshotChain> chains = {
      Chain("only-tombstone", 7, {Tomb(7, 70)}),
      Chain("trimmed", 10, {Ver(10, 100, Value("kept")), Tomb(11, 110), Ver(12, 120, Value())}),
      Chain("max", std::numeric_limits<Version>::max(),
            {Ver(std::numeric_limits<Version>::max(), -1, Value(-7))}),
  };
  ASSERT_OK(WriteChains(env(), path, TestMeta(std::numeric_limits<Version>::max()), chains));
  ASSERT_OK_AND_ASSIGN(const std::string contents, env()->ReadFile(path));
  ReadResult r = Read(contents);
  ASSERT_OK(r.meta);
  ExpectSameChains(r.chains, chains);
  // A null value that is not a tombstone stays a null value.
  EXPECT_FALSE(r.chains[1].versions[2].tombstone);
  EXPECT_TRUE(r.chains[1].versions[1].value.is_null());
}

TEST(SnapshotFileTest, ChainLargerThanABlock) {
  TempDir dir;
  const std::string path = dir.Sub("big.snap");
  const std::string big(700 * 1024, 'x');
  const std::vector<SnapshotChain> chains = {
      Chain("before", 0, {Ver(1, 1, Value("small"))}),
      Chain("huge", 0,
            {Ver(2, 2, Value(big)), Ver(3, 3, Value::MakeBytes(big)), Tomb(4, 4),
             Ver(5, 5, Value(big + "y"))}),
      Chain("after", 0, {Ver(6, 6, Value(6))}),
  };
  ASSERT_OK(WriteChains(env(), path, TestMeta(6), chains));
  ASSERT_OK_AND_ASSIGN(const std::string contents, env()->ReadFile(path));
  // The huge chain is not split: it ends the first block, which is larger
  // than the target; "after" starts the next one.
  const std::vector<BlockInfo> blocks = Blocks(contents);
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_GT(blocks[0].payload_bytes, 2 * kBlockPayloadTarget);
  EXPECT_LT(blocks[1].payload_bytes, 100u);
  ReadResult r = Read(contents);
  ASSERT_OK(r.meta);
  ExpectSameChains(r.chains, chains);
}

TEST(SnapshotFileTest, CallbackErrorIsReturned) {
  const std::string contents = SmallFile();
  int calls = 0;
  absl::StatusOr<SnapshotMeta> meta =
      ReadSnapshot(contents, "x.snap", [&](SnapshotChain&&) -> absl::Status {
        if (++calls == 2) return MakeError(ErrorCode::kResourceExhausted, "stop");
        return absl::OkStatus();
      });
  EXPECT_ERROR(meta, ErrorCode::kResourceExhausted);
  EXPECT_EQ(calls, 2);
}

// ---- Damage ----

TEST(SnapshotFileTest, EveryTruncationIsDataLoss) {
  const std::string contents = SmallFile();
  ASSERT_FALSE(contents.empty());
  for (size_t len = 0; len < contents.size(); ++len) {
    SCOPED_TRACE(absl::StrCat("length ", len));
    ReadResult r = Read(std::string_view(contents).substr(0, len), "cut.snap");
    EXPECT_ERROR(r.meta, ErrorCode::kDataLoss);
    // Framing damage is found before any chain is handed out.
    EXPECT_TRUE(r.chains.empty());
    const std::string message(r.meta.status().message());
    EXPECT_NE(message.find("cut.snap"), std::string::npos) << message;
    EXPECT_NE(message.find("offset"), std::string::npos) << message;
  }
}

TEST(SnapshotFileTest, EveryFlippedByteIsDataLoss) {
  const std::string contents = SmallFile();
  for (size_t i = 0; i < contents.size(); ++i) {
    for (const uint8_t mask : {uint8_t{0x01}, uint8_t{0x80}, uint8_t{0xff}}) {
      SCOPED_TRACE(absl::StrCat("offset ", i, " mask ", mask));
      std::string damaged = contents;
      damaged[i] = static_cast<char>(damaged[i] ^ mask);
      ReadResult r = Read(damaged);
      EXPECT_ERROR(r.meta, ErrorCode::kDataLoss);
      EXPECT_TRUE(r.chains.empty());
    }
  }
}

TEST(SnapshotFileTest, FlippedByteOnDiskIsDataLoss) {
  TempDir dir;
  const std::string path = dir.Sub("flip.snap");
  ASSERT_OK(WriteChains(env(), path, TestMeta(6), SmallChains()));
  ASSERT_OK_AND_ASSIGN(const uint64_t size, env()->GetFileSize(path));
  ASSERT_OK(FaultInjectionEnv::FlipByte(env(), path, size / 2));
  ASSERT_OK_AND_ASSIGN(const std::string contents, env()->ReadFile(path));
  ReadResult r = Read(contents, path);
  EXPECT_ERROR(r.meta, ErrorCode::kDataLoss);
  EXPECT_NE(std::string(r.meta.status().message()).find(path), std::string::npos);
}

TEST(SnapshotFileTest, NewerFormatVersionIsFailedPrecondition) {
  const SnapshotMeta meta = TestMeta(6);
  std::string file = EncodeHeader(meta, kSnapshotFormatVersion + 1) + EncodeFooter(0, 0);
  EXPECT_ERROR(Read(file).meta, ErrorCode::kFailedPrecondition);
  // Even when what follows the header is unreadable to this version.
  file = EncodeHeader(meta, 1000) + "future blocks";
  EXPECT_ERROR(Read(file).meta, ErrorCode::kFailedPrecondition);
  // Format version 0 never existed.
  file = EncodeHeader(meta, 0) + EncodeFooter(0, 0);
  EXPECT_ERROR(Read(file).meta, ErrorCode::kDataLoss);
}

TEST(SnapshotFileTest, UnknownCodecIsFailedPrecondition) {
  SnapshotMeta meta = TestMeta(6);
  meta.codec_id = 3;
  const std::string file = EncodeHeader(meta) + EncodeFooter(0, 0);
  EXPECT_ERROR(Read(file).meta, ErrorCode::kFailedPrecondition);
}

// Damage behind valid checksums (as a buggy writer or a deliberate edit
// would leave): each case is DataLoss naming the problem.
TEST(SnapshotFileTest, MalformedContentWithValidChecksumsIsDataLoss) {
  const SnapshotMeta meta = TestMeta(10);
  const std::string header = EncodeHeader(meta);
  const std::string good_chain = EncodeChain(Chain("k", 0, {Ver(1, 1, Value(1))}));
  auto chains_block = [](std::string payload) { return EncodeBlock(1, payload); };
  // A chain with a raw version list, to write what the writer refuses.
  auto raw_chain = [](std::string_view key, uint64_t count, std::string_view versions) {
    std::string out;
    util::PutLengthPrefixed(&out, key);
    util::PutVarint64(&out, 0);
    util::PutVarint64(&out, count);
    out.append(versions.data(), versions.size());
    return out;
  };
  auto raw_version = [](uint64_t v, uint8_t tombstone, std::string_view value) {
    std::string out;
    util::PutVarint64(&out, v);
    util::PutFixed64(&out, 0);
    out.push_back(static_cast<char>(tombstone));
    out.append(value.data(), value.size());
    return out;
  };
  std::string int_value;
  util::EncodeValue(Value(5), &int_value);

  struct Case {
    const char* name;
    std::string file;
    const char* expect;  // A fragment of the message.
  };
  const std::vector<Case> cases = {
      {"bad magic", "STRATAMF" + header.substr(8) + EncodeFooter(0, 0), "bad magic"},
      {"meta with trailing bytes", EncodeHeader(meta, 1, "xx") + EncodeFooter(0, 0),
       "meta"},
      {"missing footer", header + chains_block(good_chain), "missing footer"},
      {"footer only missing", header, "missing footer"},
      {"unknown block type", header + EncodeBlock(3, "") + EncodeFooter(0, 0),
       "unknown block type 3"},
      {"footer of the wrong size", header + EncodeBlock(2, "12345678"), "footer"},
      {"bytes after the footer", header + EncodeFooter(0, 0) + "x", "after the footer"},
      {"chains after the footer", header + EncodeFooter(0, 0) + chains_block(good_chain),
       "after the footer"},
      {"footer chain count", header + chains_block(good_chain) + EncodeFooter(2, 1),
       "footer counts"},
      {"footer version count", header + chains_block(good_chain) + EncodeFooter(1, 2),
       "footer counts"},
      {"zero versions", header + chains_block(raw_chain("k", 0, "")) + EncodeFooter(1, 0),
       "no versions"},
      {"versions not ascending",
       header +
           chains_block(raw_chain("k", 2, raw_version(3, 1, "") + raw_version(2, 1, ""))) +
           EncodeFooter(1, 2),
       "does not follow"},
      {"duplicate version",
       header +
           chains_block(raw_chain("k", 2, raw_version(3, 1, "") + raw_version(3, 1, ""))) +
           EncodeFooter(1, 2),
       "does not follow"},
      {"version above the watermark",
       header + chains_block(raw_chain("k", 1, raw_version(11, 1, ""))) + EncodeFooter(1, 1),
       "watermark"},
      {"tombstone byte 2",
       header + chains_block(raw_chain("k", 1, raw_version(1, 2, int_value))) +
           EncodeFooter(1, 1),
       "tombstone byte 2"},
      {"bad value",
       header + chains_block(raw_chain("k", 1, raw_version(1, 0, "\xee"))) +
           EncodeFooter(1, 1),
       "bad value"},
      {"truncated value",
       header + chains_block(raw_chain("k", 1, raw_version(1, 0, ""))) + EncodeFooter(1, 1),
       "bad value"},
      {"version count larger than the block",
       header + chains_block(raw_chain("k", 1'000'000'000'000, raw_version(1, 1, ""))) +
           EncodeFooter(1, 1),
       "version count"},
      {"version count above 32 bits",
       header + chains_block(raw_chain("k", uint64_t{1} << 33, raw_version(1, 1, ""))) +
           EncodeFooter(1, 1),
       "version count"},
      {"truncated chain key", header + chains_block("\x05" "ab") + EncodeFooter(1, 1),
       "chain key"},
      {"version count beyond the bytes",
       header + chains_block(raw_chain("k", 2, raw_version(1, 1, ""))) + EncodeFooter(1, 2),
       "version count"},
      {"truncated version",
       header +
           chains_block(raw_chain("k", 2, raw_version(1, 0, int_value) + "\x02" "1234567")) +
           EncodeFooter(1, 2),
       "truncated version"},
      {"truncated earliest_retained", header + chains_block("\x01k\x80") + EncodeFooter(1, 1),
       "earliest_retained"},
      {"chain split across blocks",
       header + chains_block(good_chain.substr(0, 4)) + chains_block(good_chain.substr(4)) +
           EncodeFooter(1, 1),
       "version count"},
      {"huge block length", header + std::string("\x01\xff\xff\xff\xff", 5) + "abcd",
       "truncated block"},
      {"huge meta length", header.substr(0, 16) + std::string("\xff\xff\xff\xff", 4) +
                               header.substr(20),
       "truncated header"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ReadResult r = Read(c.file, "crafted.snap");
    EXPECT_ERROR(r.meta, ErrorCode::kDataLoss);
    const std::string message(r.meta.status().message());
    EXPECT_NE(message.find(c.expect), std::string::npos) << message;
    EXPECT_NE(message.find("crafted.snap"), std::string::npos) << message;
    EXPECT_NE(message.find("offset"), std::string::npos) << message;
  }
}

TEST(SnapshotFileTest, EmptyChainsBlockIsAccepted) {
  // The writer never writes one, but it is well-formed: zero chains.
  const SnapshotMeta meta = TestMeta(1);
  ReadResult r = Read(EncodeHeader(meta) + EncodeBlock(1, "") + EncodeFooter(0, 0));
  ASSERT_OK(r.meta);
  EXPECT_TRUE(r.chains.empty());
}

// ---- Writer misuse ----

TEST(SnapshotWriterTest, UnknownCodecIsInvalidArgument) {
  TempDir dir;
  SnapshotMeta meta = TestMeta(1);
  meta.codec_id = 1;
  EXPECT_ERROR(SnapshotWriter::Create(env(), dir.Sub("c.snap"), meta),
               ErrorCode::kInvalidArgument);
}

TEST(SnapshotWriterTest, MisuseIsRejectedAndChangesNothing) {
  TempDir dir;
  const std::string path = dir.Sub("misuse.snap");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<SnapshotWriter> w,
                       SnapshotWriter::Create(env(), path, TestMeta(10)));
  EXPECT_ERROR(w->AddVersion(1, 1, false, Value(1)), ErrorCode::kFailedPrecondition);
  EXPECT_ERROR(w->BeginChain("a", 0, 0), ErrorCode::kInvalidArgument);
  ASSERT_OK(w->BeginChain("a", 0, 2));
  EXPECT_ERROR(w->BeginChain("b", 0, 1), ErrorCode::kFailedPrecondition);
  EXPECT_ERROR(w->AddVersion(11, 1, false, Value(1)), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(w->AddVersion(2, 1, true, Value(1)), ErrorCode::kInvalidArgument);
  ASSERT_OK(w->AddVersion(2, 20, false, Value(1)));
  EXPECT_ERROR(w->AddVersion(2, 21, false, Value(2)), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(w->AddVersion(1, 21, false, Value(2)), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(w->Finish(), ErrorCode::kFailedPrecondition);
  ASSERT_OK(w->AddVersion(10, 100, true, Value()));
  // The chain is complete: one more version is too many.
  EXPECT_ERROR(w->AddVersion(11, 110, false, Value(3)), ErrorCode::kFailedPrecondition);
  // Versions restart in a new chain.
  ASSERT_OK(w->BeginChain("b", 0, 1));
  ASSERT_OK(w->AddVersion(1, 10, false, Value("b")));
  EXPECT_EQ(w->chain_count(), 2u);
  EXPECT_EQ(w->version_count(), 3u);
  ASSERT_OK(w->Finish());
  EXPECT_ERROR(w->Finish(), ErrorCode::kFailedPrecondition);
  EXPECT_ERROR(w->BeginChain("c", 0, 1), ErrorCode::kFailedPrecondition);
  EXPECT_ERROR(w->AddVersion(1, 1, false, Value()), ErrorCode::kFailedPrecondition);

  ASSERT_OK_AND_ASSIGN(const std::string contents, env()->ReadFile(path));
  ReadResult r = Read(contents);
  ASSERT_OK(r.meta);
  ExpectSameChains(r.chains, {Chain("a", 0, {Ver(2, 20, Value(1)), Tomb(10, 100)}),
                              Chain("b", 0, {Ver(1, 10, Value("b"))})});
}

TEST(SnapshotWriterTest, UnfinishedFileIsNotASnapshot) {
  TempDir dir;
  const std::string path = dir.Sub("unfinished.snap");
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<SnapshotWriter> w,
                         SnapshotWriter::Create(env(), path, TestMeta(10)));
    ASSERT_OK(w->BeginChain("a", 0, 1));
    ASSERT_OK(w->AddVersion(1, 1, false, Value(1)));
  }
  ASSERT_OK_AND_ASSIGN(const std::string contents, env()->ReadFile(path));
  EXPECT_ERROR(Read(contents).meta, ErrorCode::kDataLoss);
}

// ---- I/O failures ----

TEST(SnapshotWriterTest, FailingAppendAtCreate) {
  TempDir dir;
  FaultInjectionEnv fenv(env());
  fenv.SetFailAppends(true);
  EXPECT_ERROR(SnapshotWriter::Create(&fenv, dir.Sub("a.snap"), TestMeta(1)),
               ErrorCode::kIoError);
}

TEST(SnapshotWriterTest, FailingAppendIsStickyAndSurfaces) {
  TempDir dir;
  FaultInjectionEnv fenv(env());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<SnapshotWriter> w,
                       SnapshotWriter::Create(&fenv, dir.Sub("a.snap"), TestMeta(1'000'000)));
  fenv.SetFailAppends(true);
  // Enough data for a block to be written mid-stream.
  const Value value(std::string(4096, 'v'));
  absl::Status first_error;
  for (Version v = 1; v <= 600 && first_error.ok(); ++v) {
    first_error = w->BeginChain(absl::StrCat("key", v), 0, 1);
    if (first_error.ok()) first_error = w->AddVersion(v, 0, false, value);
  }
  EXPECT_ERROR(first_error, ErrorCode::kIoError);
  fenv.SetFailAppends(false);
  EXPECT_ERROR(w->BeginChain("more", 0, 1), ErrorCode::kIoError);
  EXPECT_ERROR(w->Finish(), ErrorCode::kIoError);
}

TEST(SnapshotWriterTest, FailingAppendInFinish) {
  TempDir dir;
  FaultInjectionEnv fenv(env());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<SnapshotWriter> w,
                       SnapshotWriter::Create(&fenv, dir.Sub("a.snap"), TestMeta(1)));
  ASSERT_OK(w->BeginChain("a", 0, 1));
  ASSERT_OK(w->AddVersion(1, 1, false, Value(1)));
  fenv.SetFailAppends(true);
  EXPECT_ERROR(w->Finish(), ErrorCode::kIoError);
  EXPECT_ERROR(w->Finish(), ErrorCode::kIoError);
}

TEST(SnapshotWriterTest, FailingSyncInFinish) {
  TempDir dir;
  const std::string path = dir.Sub("a.snap");
  FaultInjectionEnv fenv(env());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<SnapshotWriter> w,
                       SnapshotWriter::Create(&fenv, path, TestMeta(1)));
  ASSERT_OK(w->BeginChain("a", 0, 1));
  ASSERT_OK(w->AddVersion(1, 1, false, Value(1)));
  fenv.FailNextSyncs(1);
  EXPECT_ERROR(w->Finish(), ErrorCode::kIoError);
  EXPECT_ERROR(w->Finish(), ErrorCode::kIoError);
  // Nothing was synced: a power loss leaves no snapshot.
  ASSERT_OK(fenv.DropUnsyncedData());
  ASSERT_OK_AND_ASSIGN(const std::string contents, env()->ReadFile(path));
  EXPECT_ERROR(Read(contents).meta, ErrorCode::kDataLoss);
}

TEST(SnapshotWriterTest, FinishSyncsEverything) {
  TempDir dir;
  const std::string path = dir.Sub("a.snap");
  FaultInjectionEnv fenv(env());
  ASSERT_OK(WriteChains(&fenv, path, TestMeta(6), SmallChains()));
  // A power loss after Finish keeps the whole file.
  fenv.SetFilesystemActive(false);
  ASSERT_OK(fenv.DropUnsyncedData());
  ASSERT_OK_AND_ASSIGN(const std::string contents, env()->ReadFile(path));
  ReadResult r = Read(contents);
  ASSERT_OK(r.meta);
  ExpectSameChains(r.chains, SmallChains());
}

}  // namespace
}  // namespace strata::storage
