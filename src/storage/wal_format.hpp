// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Constants of the write-ahead log format. The format is documented in
// docs/wal-format.md; change both together and bump kWalFormatVersion for any
// change an older reader would misread.
#ifndef STRATA_STORAGE_WAL_FORMAT_HPP_
#define STRATA_STORAGE_WAL_FORMAT_HPP_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/coding.hpp"
#include "util/hash.hpp"

namespace strata::storage {

inline constexpr char kWalDirName[] = "WAL";
inline constexpr char kSegmentMagic[8] = {'S', 'T', 'R', 'A', 'T', 'A', 'W', 'L'};
inline constexpr uint32_t kWalFormatVersion = 1;
inline constexpr uint32_t kIdentityCodecId = 0;

// Segment header: magic[8] u32 format_version, u32 codec_id,
// u64 segment_number, u32 reserved (0), u32 checksum of the first 28 bytes.
inline constexpr size_t kSegmentHeaderBytes = 32;

// Record header: u32 payload_length, u32 checksum, u8 type, u8 flags.
inline constexpr size_t kRecordHeaderBytes = 10;
inline constexpr uint8_t kRecordTypeCommit = 1;
// A reader that does not know a record's type skips it when this flag is
// set and stops with an error otherwise.
inline constexpr uint8_t kRecordFlagSafeToIgnore = 0x01;
// Largest payload a reader accepts; bounds allocation on damaged input.
inline constexpr uint32_t kMaxRecordPayloadBytes = 256u << 20;

// Record checksum: XXH3-64 of (type, flags, payload) seeded with the
// checksum seed mixed with the payload length, truncated to 32 bits. Mixing
// in the length means a damaged length field is caught too.
inline uint32_t RecordChecksum(std::string_view type_flags_payload,
                               uint32_t payload_length) {
  return static_cast<uint32_t>(
      util::Hash64(type_flags_payload, util::kChecksumSeed ^ payload_length));
}

// Fills in length and checksum of a record laid out as header + payload.
// REQUIRES: record->size() >= kRecordHeaderBytes; type and flags are set.
inline void FinalizeRecord(std::string* record) {
  const auto length = static_cast<uint32_t>(record->size() - kRecordHeaderBytes);
  util::EncodeFixed32(record->data(), length);
  const uint32_t crc = RecordChecksum(
      std::string_view(record->data() + 8, record->size() - 8), length);
  util::EncodeFixed32(record->data() + 4, crc);
}

inline std::string SegmentFileName(uint64_t number) {
  std::string digits = std::to_string(number);
  if (digits.size() < 6) digits.insert(0, 6 - digits.size(), '0');
  return "wal-" + digits + ".seg";
}

inline std::optional<uint64_t> ParseSegmentFileName(std::string_view name) {
  constexpr std::string_view kPrefix = "wal-";
  constexpr std::string_view kSuffix = ".seg";
  if (name.size() <= kPrefix.size() + kSuffix.size() ||
      name.substr(0, kPrefix.size()) != kPrefix ||
      name.substr(name.size() - kSuffix.size()) != kSuffix) {
    return std::nullopt;
  }
  std::string_view digits =
      name.substr(kPrefix.size(), name.size() - kPrefix.size() - kSuffix.size());
  if (digits.size() > 19) return std::nullopt;
  uint64_t n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  return n;
}

inline std::string EncodeSegmentHeader(uint64_t segment_number,
                                       uint32_t codec_id) {
  std::string out(kSegmentMagic, sizeof(kSegmentMagic));
  util::PutFixed32(&out, kWalFormatVersion);
  util::PutFixed32(&out, codec_id);
  util::PutFixed64(&out, segment_number);
  util::PutFixed32(&out, 0);
  util::PutFixed32(&out, util::Checksum32(out));
  return out;
}

}  // namespace strata::storage

#endif  // STRATA_STORAGE_WAL_FORMAT_HPP_
