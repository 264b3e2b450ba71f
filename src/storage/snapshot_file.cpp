// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
#include "storage/snapshot_file.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "strata/status.hpp"
#include "util/coding.hpp"
#include "util/hash.hpp"
#include "util/status_macros.hpp"
#include "util/strings.hpp"
#include "util/value_codec.hpp"

namespace strata::storage {

namespace {

constexpr char kMagic[8] = {'S', 'T', 'R', 'A', 'T', 'A', 'S', 'N'};
constexpr uint32_t kIdentityCodec = 0;

// magic[8] u32 format version, u32 codec id, u32 meta length.
constexpr size_t kHeaderFixedBytes = 20;
constexpr size_t kChecksumBytes = 4;
// u8 type, u32 payload length.
constexpr size_t kBlockHeaderBytes = 5;
constexpr size_t kBlockOverheadBytes = kBlockHeaderBytes + kChecksumBytes;

constexpr uint8_t kBlockTypeChains = 1;
constexpr uint8_t kBlockTypeFooter = 2;
// fixed64 chain count, fixed64 version count.
constexpr size_t kFooterPayloadBytes = 16;

// A chains block is written once its payload reaches this size, after the
// chain that crossed it; so a block holds whole chains and is about this
// big (one larger chain makes one larger block).
constexpr size_t kTargetBlockPayloadBytes = size_t{1} << 20;
// Smallest encoding of one version: varint version (1), fixed64 timestamp
// (8), tombstone byte (1). Bounds a version count read from the file.
constexpr size_t kMinVersionBytes = 10;

constexpr std::string_view kSnapPrefix = "snap-";
constexpr std::string_view kSnapSuffix = ".snap";
constexpr size_t kSnapDigits = 20;

bool KnownCodec(uint32_t codec_id) { return codec_id == kIdentityCodec; }

// Checksum of a block: type, length and payload, which are contiguous.
uint32_t BlockChecksum(std::string_view type_length_payload) {
  return util::Checksum32(type_length_payload);
}

}  // namespace

std::string SnapshotFileName(Version watermark) {
  std::string digits = std::to_string(watermark);
  digits.insert(0, kSnapDigits - digits.size(), '0');
  return absl::StrCat(util::Sv(kSnapPrefix), digits, util::Sv(kSnapSuffix));
}

std::optional<Version> ParseSnapshotFileName(std::string_view name) {
  if (name.size() != kSnapPrefix.size() + kSnapDigits + kSnapSuffix.size() ||
      !name.starts_with(kSnapPrefix) || !name.ends_with(kSnapSuffix)) {
    return std::nullopt;
  }
  Version v = 0;
  for (const char c : name.substr(kSnapPrefix.size(), kSnapDigits)) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<uint64_t>(c - '0');
    if (v > (std::numeric_limits<uint64_t>::max() - digit) / 10) return std::nullopt;
    v = v * 10 + digit;
  }
  return v;
}

// ---- Writer ----

struct SnapshotWriter::Rep {
  std::string path;
  SnapshotMeta meta;
  std::unique_ptr<WritableFile> file;
  // The chains block being filled: kBlockHeaderBytes reserved for type and
  // length, then whole encoded chains.
  std::string block;
  // The chain being added: versions still expected and the last version.
  bool in_chain = false;
  uint32_t versions_left = 0;
  bool has_last_version = false;
  Version last_version = 0;
  uint64_t chains = 0;
  uint64_t versions = 0;
  uint64_t bytes_written = 0;
  bool finished = false;
  // The first I/O error; every later call returns it.
  absl::Status error;

  absl::Status Append(std::string_view data) {
    absl::Status s = file->Append(data);
    if (!s.ok()) {
      error = s;
      return s;
    }
    bytes_written += data.size();
    return absl::OkStatus();
  }

  void ResetBlock() {
    // Do not keep the memory of an oversized chain's block.
    if (block.capacity() > 2 * kTargetBlockPayloadBytes) std::string().swap(block);
    block.assign(kBlockHeaderBytes, '\0');
  }

  // Frames `block` (its payload already appended) as a block of `type` and
  // writes it.
  absl::Status WriteBlock(uint8_t type) {
    // Only the identity codec exists: the payload is stored as is. Another
    // codec would transform block[kBlockHeaderBytes..] here.
    const size_t payload = block.size() - kBlockHeaderBytes;
    if (payload > std::numeric_limits<uint32_t>::max()) {
      error = MakeError(ErrorCode::kResourceExhausted,
                        absl::StrCat("snapshot ", path, ": a block of ", payload,
                                     " bytes exceeds the 4 GiB block limit"));
      return error;
    }
    block[0] = static_cast<char>(type);
    util::EncodeFixed32(block.data() + 1, static_cast<uint32_t>(payload));
    util::PutFixed32(&block, BlockChecksum(block));
    absl::Status s = Append(block);
    ResetBlock();
    return s;
  }

  absl::Status Usable() const {
    if (!error.ok()) return error;
    if (finished) {
      return MakeError(ErrorCode::kFailedPrecondition,
                       absl::StrCat("snapshot ", path, " is already finished"));
    }
    return absl::OkStatus();
  }
};

absl::StatusOr<std::unique_ptr<SnapshotWriter>> SnapshotWriter::Create(
    Env* env, const std::string& path, const SnapshotMeta& meta) {
  if (!KnownCodec(meta.codec_id)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     absl::StrCat("snapshot codec ", meta.codec_id, " is not supported"));
  }
  std::string meta_bytes;
  util::PutLengthPrefixed(&meta_bytes, meta.uuid);
  util::PutFixed64(&meta_bytes, meta.watermark);
  util::PutFixed64(&meta_bytes, static_cast<uint64_t>(meta.created_us));
  std::string header(kMagic, sizeof(kMagic));
  util::PutFixed32(&header, kSnapshotFormatVersion);
  util::PutFixed32(&header, meta.codec_id);
  util::PutFixed32(&header, static_cast<uint32_t>(meta_bytes.size()));
  header += meta_bytes;
  util::PutFixed32(&header, util::Checksum32(header));

  std::unique_ptr<SnapshotWriter> writer(new SnapshotWriter());
  writer->rep_ = std::make_unique<Rep>();
  Rep& r = *writer->rep_;
  r.path = path;
  r.meta = meta;
  STRATA_ASSIGN_OR_RETURN(r.file, env->NewWritableFile(path, /*truncate=*/true));
  STRATA_RETURN_IF_ERROR(r.Append(header));
  r.ResetBlock();
  return writer;
}

SnapshotWriter::~SnapshotWriter() {
  // An unfinished file is closed as it is (unsynced); the caller owns
  // removing it.
  if (rep_ != nullptr && rep_->file != nullptr) rep_->file->Close().IgnoreError();
}

absl::Status SnapshotWriter::BeginChain(std::string_view store_key, Version earliest_retained,
                                        uint32_t version_count) {
  Rep& r = *rep_;
  STRATA_RETURN_IF_ERROR(r.Usable());
  if (r.in_chain) {
    return MakeError(ErrorCode::kFailedPrecondition,
                     absl::StrCat("snapshot ", r.path, ": BeginChain with ", r.versions_left,
                                  " versions of the previous chain still to add"));
  }
  if (version_count == 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     absl::StrCat("snapshot ", r.path, ": a chain needs at least one version"));
  }
  util::PutLengthPrefixed(&r.block, store_key);
  util::PutVarint64(&r.block, earliest_retained);
  util::PutVarint64(&r.block, version_count);
  r.in_chain = true;
  r.versions_left = version_count;
  r.has_last_version = false;
  ++r.chains;
  return absl::OkStatus();
}

absl::Status SnapshotWriter::AddVersion(Version version, TimestampMicros timestamp_us,
                                        bool tombstone, const Value& value) {
  Rep& r = *rep_;
  STRATA_RETURN_IF_ERROR(r.Usable());
  if (!r.in_chain) {
    return MakeError(ErrorCode::kFailedPrecondition,
                     absl::StrCat("snapshot ", r.path, ": AddVersion outside a chain"));
  }
  if (r.has_last_version && version <= r.last_version) {
    return MakeError(ErrorCode::kInvalidArgument,
                     absl::StrCat("snapshot ", r.path, ": version ", version,
                                  " does not follow version ", r.last_version));
  }
  if (version > r.meta.watermark) {
    return MakeError(ErrorCode::kInvalidArgument,
                     absl::StrCat("snapshot ", r.path, ": version ", version,
                                  " is above the watermark ", r.meta.watermark));
  }
  if (tombstone && !value.is_null()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     absl::StrCat("snapshot ", r.path, ": tombstone version ", version,
                                  " with a non-null value"));
  }
  util::PutVarint64(&r.block, version);
  util::PutFixed64(&r.block, static_cast<uint64_t>(timestamp_us));
  r.block.push_back(tombstone ? '\1' : '\0');
  if (!tombstone) util::EncodeValue(value, &r.block);
  r.has_last_version = true;
  r.last_version = version;
  ++r.versions;
  if (--r.versions_left == 0) {
    r.in_chain = false;
    if (r.block.size() - kBlockHeaderBytes >= kTargetBlockPayloadBytes) {
      return r.WriteBlock(kBlockTypeChains);
    }
  }
  return absl::OkStatus();
}

absl::Status SnapshotWriter::Finish() {
  Rep& r = *rep_;
  STRATA_RETURN_IF_ERROR(r.Usable());
  if (r.in_chain) {
    return MakeError(ErrorCode::kFailedPrecondition,
                     absl::StrCat("snapshot ", r.path, ": Finish with ", r.versions_left,
                                  " versions of the last chain still to add"));
  }
  r.finished = true;
  absl::Status s;
  if (r.block.size() > kBlockHeaderBytes) s = r.WriteBlock(kBlockTypeChains);
  if (s.ok()) {
    util::PutFixed64(&r.block, r.chains);
    util::PutFixed64(&r.block, r.versions);
    s = r.WriteBlock(kBlockTypeFooter);
  }
  if (s.ok()) s = r.file->Sync();
  absl::Status c = r.file->Close();
  r.file.reset();
  if (s.ok()) s = c;
  if (!s.ok() && r.error.ok()) r.error = s;
  std::string().swap(r.block);
  return s;
}

uint64_t SnapshotWriter::bytes_written() const { return rep_->bytes_written; }
uint64_t SnapshotWriter::chain_count() const { return rep_->chains; }
uint64_t SnapshotWriter::version_count() const { return rep_->versions; }

// ---- Reader ----

namespace {

class SnapshotReader {
 public:
  SnapshotReader(std::string_view contents, const std::string& file_name)
      : contents_(contents), file_name_(file_name) {}

  absl::StatusOr<SnapshotMeta> Read(const std::function<absl::Status(SnapshotChain&&)>& fn) {
    STRATA_RETURN_IF_ERROR(ReadHeader());
    // Pass 1: framing (block lengths, checksums, types, the footer), so that
    // a torn or damaged file is refused before `fn` sees any chain.
    STRATA_RETURN_IF_ERROR(CheckBlocks());
    // Pass 2: decode the chains of the (now checksummed) blocks.
    uint64_t chains = 0;
    uint64_t versions = 0;
    size_t pos = blocks_begin_;
    while (pos < footer_offset_) {
      const auto type = static_cast<uint8_t>(contents_[pos]);
      const uint32_t length = util::DecodeFixed32(contents_.data() + pos + 1);
      const size_t payload_offset = pos + kBlockHeaderBytes;
      if (type == kBlockTypeChains) {
        STRATA_RETURN_IF_ERROR(ReadChains(payload_offset, length, fn, &chains, &versions));
      }
      pos = payload_offset + length + kChecksumBytes;
    }
    if (chains != footer_chains_ || versions != footer_versions_) {
      return Damaged(footer_offset_,
                     absl::StrCat("footer counts mismatch: the footer says ", footer_chains_,
                                  " chains and ", footer_versions_,
                                  " versions, the file holds ", chains, " and ", versions));
    }
    return meta_;
  }

 private:
  absl::Status Damaged(size_t offset, std::string_view problem) const {
    return MakeError(ErrorCode::kDataLoss,
                     absl::StrCat("snapshot file ", file_name_, " is damaged at offset ",
                                  offset, ": ", util::Sv(problem)));
  }

  absl::Status ReadHeader() {
    if (contents_.empty()) return Damaged(0, "empty file (truncated header)");
    const size_t magic_bytes = std::min(contents_.size(), sizeof(kMagic));
    if (std::memcmp(contents_.data(), kMagic, magic_bytes) != 0) {
      return Damaged(0, "bad magic (not a snapshot file)");
    }
    if (contents_.size() < kHeaderFixedBytes + kChecksumBytes) {
      return Damaged(contents_.size(), "truncated header");
    }
    const uint32_t format = util::DecodeFixed32(contents_.data() + 8);
    const uint32_t codec = util::DecodeFixed32(contents_.data() + 12);
    const uint32_t meta_length = util::DecodeFixed32(contents_.data() + 16);
    // The header frame (magic, version, codec, meta length, meta, checksum)
    // is the same in every format version, so its checksum is verified
    // first: a damaged version field is DataLoss, not "upgrade Strata".
    if (meta_length > contents_.size() - kHeaderFixedBytes - kChecksumBytes) {
      return Damaged(contents_.size(), absl::StrCat("truncated header (meta of ",
                                                    meta_length, " bytes)"));
    }
    const size_t checksum_offset = kHeaderFixedBytes + meta_length;
    const uint32_t stored = util::DecodeFixed32(contents_.data() + checksum_offset);
    if (util::Checksum32(contents_.substr(0, checksum_offset)) != stored) {
      return Damaged(checksum_offset, "header checksum mismatch");
    }
    if (format == 0) return Damaged(8, "format version 0");
    if (format > kSnapshotFormatVersion) {
      return MakeError(ErrorCode::kFailedPrecondition,
                       absl::StrCat("snapshot file ", file_name_, " has format version ",
                                    format, ", newer than this library supports (",
                                    kSnapshotFormatVersion, "); upgrade Strata"));
    }
    if (!KnownCodec(codec)) {
      return MakeError(ErrorCode::kFailedPrecondition,
                       absl::StrCat("snapshot file ", file_name_, " uses codec ", codec,
                                    ", which this library does not support"));
    }
    std::string_view meta = contents_.substr(kHeaderFixedBytes, meta_length);
    std::string_view uuid;
    uint64_t watermark = 0;
    uint64_t created = 0;
    if (!util::GetLengthPrefixed(&meta, &uuid) || !util::GetFixed64(&meta, &watermark) ||
        !util::GetFixed64(&meta, &created) || !meta.empty()) {
      return Damaged(kHeaderFixedBytes, "malformed header meta");
    }
    meta_.uuid = std::string(uuid);
    meta_.watermark = watermark;
    meta_.created_us = static_cast<TimestampMicros>(created);
    meta_.codec_id = codec;
    blocks_begin_ = checksum_offset + kChecksumBytes;
    return absl::OkStatus();
  }

  absl::Status CheckBlocks() {
    size_t pos = blocks_begin_;
    for (;;) {
      if (pos == contents_.size()) return Damaged(pos, "missing footer");
      const size_t left = contents_.size() - pos;
      if (left < kBlockOverheadBytes) return Damaged(pos, "truncated block header");
      const auto type = static_cast<uint8_t>(contents_[pos]);
      const uint32_t length = util::DecodeFixed32(contents_.data() + pos + 1);
      if (length > left - kBlockOverheadBytes) {
        return Damaged(pos, absl::StrCat("truncated block (", length, " bytes of payload, ",
                                         left - kBlockOverheadBytes, " left in the file)"));
      }
      const size_t checksum_offset = pos + kBlockHeaderBytes + length;
      const uint32_t stored = util::DecodeFixed32(contents_.data() + checksum_offset);
      if (BlockChecksum(contents_.substr(pos, kBlockHeaderBytes + length)) != stored) {
        return Damaged(pos, "block checksum mismatch");
      }
      const size_t next = checksum_offset + kChecksumBytes;
      if (type == kBlockTypeChains) {
        pos = next;
        continue;
      }
      if (type != kBlockTypeFooter) {
        return Damaged(pos, absl::StrCat("unknown block type ", type));
      }
      if (length != kFooterPayloadBytes) {
        return Damaged(pos, absl::StrCat("footer of ", length, " bytes"));
      }
      footer_chains_ = util::DecodeFixed64(contents_.data() + pos + kBlockHeaderBytes);
      footer_versions_ = util::DecodeFixed64(contents_.data() + pos + kBlockHeaderBytes + 8);
      if (next != contents_.size()) {
        return Damaged(next, absl::StrCat(contents_.size() - next, " bytes after the footer"));
      }
      footer_offset_ = pos;
      return absl::OkStatus();
    }
  }

  // Decodes the chains of the block payload at [offset, offset + length).
  absl::Status ReadChains(size_t offset, size_t length,
                          const std::function<absl::Status(SnapshotChain&&)>& fn,
                          uint64_t* chains, uint64_t* versions) {
    // Identity codec: the payload is the chains (the only codec; checked in
    // ReadHeader). Offsets in messages are file offsets.
    const std::string_view payload = contents_.substr(offset, length);
    std::string_view in = payload;
    auto here = [&] { return offset + (payload.size() - in.size()); };
    while (!in.empty()) {
      const size_t chain_offset = here();
      SnapshotChain chain;
      std::string_view key;
      uint64_t earliest = 0;
      uint64_t count = 0;
      if (!util::GetLengthPrefixed(&in, &key)) {
        return Damaged(chain_offset, "truncated chain key");
      }
      if (!util::GetVarint64(&in, &earliest)) {
        return Damaged(here(), "truncated earliest_retained");
      }
      const size_t count_offset = here();
      if (!util::GetVarint64(&in, &count)) return Damaged(count_offset, "truncated version count");
      if (count == 0) return Damaged(count_offset, "chain with no versions");
      if (count > std::numeric_limits<uint32_t>::max() || count > in.size() / kMinVersionBytes) {
        return Damaged(count_offset, absl::StrCat("version count ", count, " exceeds the ",
                                                  in.size(), " bytes left in the block"));
      }
      chain.store_key = std::string(key);
      chain.earliest_retained = earliest;
      chain.versions.reserve(count);
      for (uint64_t i = 0; i < count; ++i) {
        const size_t version_offset = here();
        SnapshotVersion v;
        uint64_t timestamp = 0;
        uint8_t tombstone = 0;
        if (!util::GetVarint64(&in, &v.version) || !util::GetFixed64(&in, &timestamp) ||
            !util::GetByte(&in, &tombstone)) {
          return Damaged(version_offset, "truncated version");
        }
        if (i > 0 && v.version <= chain.versions.back().version) {
          return Damaged(version_offset,
                         absl::StrCat("version ", v.version, " does not follow version ",
                                      chain.versions.back().version));
        }
        if (v.version > meta_.watermark) {
          return Damaged(version_offset, absl::StrCat("version ", v.version,
                                                      " is above the watermark ",
                                                      meta_.watermark));
        }
        if (tombstone > 1) {
          return Damaged(version_offset,
                         absl::StrCat("tombstone byte ", static_cast<int>(tombstone)));
        }
        v.timestamp_us = static_cast<TimestampMicros>(timestamp);
        v.tombstone = tombstone == 1;
        if (!v.tombstone) {
          const size_t value_offset = here();
          absl::Status s = util::DecodeValue(&in, &v.value);
          if (!s.ok()) {
            return Damaged(value_offset, absl::StrCat("bad value: ", s.message()));
          }
        }
        chain.versions.push_back(std::move(v));
      }
      ++*chains;
      *versions += count;
      STRATA_RETURN_IF_ERROR(fn(std::move(chain)));
    }
    return absl::OkStatus();
  }

  const std::string_view contents_;
  const std::string& file_name_;
  SnapshotMeta meta_;
  size_t blocks_begin_ = 0;
  size_t footer_offset_ = 0;
  uint64_t footer_chains_ = 0;
  uint64_t footer_versions_ = 0;
};

}  // namespace

absl::StatusOr<SnapshotMeta> ReadSnapshot(std::string_view contents, const std::string& file_name,
                                          const std::function<absl::Status(SnapshotChain&&)>& fn) {
  SnapshotReader reader(contents, file_name);
  return reader.Read(fn);
}

}  // namespace strata::storage
