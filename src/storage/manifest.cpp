// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
#include "storage/manifest.hpp"

#include <cstring>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "strata/status.hpp"
#include "util/strings.hpp"
#include "util/coding.hpp"
#include "util/hash.hpp"
#include "util/status_macros.hpp"

namespace strata::storage {

namespace {
constexpr char kMagic[8] = {'S', 'T', 'R', 'A', 'T', 'A', 'M', 'F'};
enum Tag : uint64_t {
  kTagUuid = 1,
  kTagCodec = 2,
  kTagCreated = 3,
  kTagActiveWal = 4,
  kTagWatermark = 5,
};

void PutField(std::string* body, uint64_t tag, std::string_view value) {
  util::PutVarint64(body, tag);
  util::PutLengthPrefixed(body, value);
}
std::string VarintString(uint64_t v) {
  std::string s;
  util::PutVarint64(&s, v);
  return s;
}
absl::Status Damaged(std::string_view what) {
  return MakeError(ErrorCode::kDataLoss, absl::StrCat("MANIFEST is damaged: ", util::Sv(what)));
}
}  // namespace

std::string EncodeManifest(const Manifest& m) {
  std::string body;
  PutField(&body, kTagUuid, m.uuid);
  PutField(&body, kTagCodec, VarintString(m.codec_id));
  PutField(&body, kTagCreated, VarintString(static_cast<uint64_t>(m.created_us)));
  PutField(&body, kTagActiveWal, VarintString(m.active_wal_segment));
  PutField(&body, kTagWatermark, VarintString(m.snapshot_watermark));
  std::string out(kMagic, sizeof(kMagic));
  util::PutFixed32(&out, m.format_version);
  util::PutFixed32(&out, static_cast<uint32_t>(body.size()));
  out += body;
  util::PutFixed32(&out, util::Checksum32(out));
  return out;
}

absl::StatusOr<Manifest> DecodeManifest(std::string_view data) {
  if (data.size() < 20 || std::memcmp(data.data(), kMagic, sizeof(kMagic)) != 0) {
    return Damaged("bad magic or too short");
  }
  const uint32_t stored = util::DecodeFixed32(data.data() + data.size() - 4);
  if (util::Checksum32(data.substr(0, data.size() - 4)) != stored) {
    return Damaged("checksum mismatch");
  }
  Manifest m;
  m.format_version = util::DecodeFixed32(data.data() + 8);
  if (m.format_version > kManifestFormatVersion) {
    return MakeError(ErrorCode::kFailedPrecondition,
                     absl::StrCat("database format version ", m.format_version,
                                  " is newer than this library supports (",
                                  kManifestFormatVersion, "); upgrade Strata"));
  }
  const uint32_t body_len = util::DecodeFixed32(data.data() + 12);
  if (body_len != data.size() - 20) return Damaged("body length mismatch");
  std::string_view body = data.substr(16, body_len);
  while (!body.empty()) {
    uint64_t tag = 0;
    std::string_view value;
    if (!util::GetVarint64(&body, &tag) || !util::GetLengthPrefixed(&body, &value)) {
      return Damaged("truncated field");
    }
    uint64_t n = 0;
    std::string_view v = value;
    const bool is_int = util::GetVarint64(&v, &n) && v.empty();
    switch (tag) {
      case kTagUuid: m.uuid = std::string(value); break;
      case kTagCodec: if (!is_int) return Damaged("codec"); m.codec_id = static_cast<uint32_t>(n); break;
      case kTagCreated: if (!is_int) return Damaged("created"); m.created_us = static_cast<int64_t>(n); break;
      case kTagActiveWal: if (!is_int) return Damaged("active wal"); m.active_wal_segment = n; break;
      case kTagWatermark: if (!is_int) return Damaged("watermark"); m.snapshot_watermark = n; break;
      default: break;  // A field from a newer minor version: skip it.
    }
  }
  return m;
}

absl::Status WriteManifest(Env* env, const std::string& db_dir, const Manifest& m) {
  return env->WriteFileAtomic(db_dir + "/" + kManifestFileName, EncodeManifest(m));
}

absl::StatusOr<Manifest> ReadManifest(Env* env, const std::string& db_dir) {
  STRATA_ASSIGN_OR_RETURN(std::string data, env->ReadFile(db_dir + "/" + kManifestFileName));
  return DecodeManifest(data);
}

std::string NewUuid() {
  std::random_device rd;
  std::mt19937_64 gen((static_cast<uint64_t>(rd()) << 32) ^ rd());
  uint64_t hi = gen();
  uint64_t lo = gen();
  hi = (hi & ~0xF000ull) | 0x4000ull;                 // version 4
  lo = (lo & ~(0xC0ull << 56)) | (0x80ull << 56);     // RFC 4122 variant
  return absl::StrFormat("%08x-%04x-%04x-%04x-%012x", hi >> 32, (hi >> 16) & 0xFFFF,
                         hi & 0xFFFF, lo >> 48, lo & 0xFFFFFFFFFFFFull);
}

}  // namespace strata::storage
