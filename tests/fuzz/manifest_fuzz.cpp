// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Fuzz target for the MANIFEST decoder (storage/manifest.hpp).
//
// For arbitrary bytes: DecodeManifest never crashes; it fails only with
// DataLoss or FailedPrecondition (the latter only for a format version newer
// than this library); whatever decodes re-encodes to bytes that decode to the
// same fields, and that encoding is stable.
// A violation prints what went wrong and calls abort().
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "storage/manifest.hpp"
#include "util/coding.hpp"
#include "util/hash.hpp"

namespace {

using strata::storage::Manifest;

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "manifest_fuzz: %s\n", what);
  std::abort();
}

bool Same(const Manifest& a, const Manifest& b) {
  return a.format_version == b.format_version && a.uuid == b.uuid &&
         a.codec_id == b.codec_id && a.created_us == b.created_us &&
         a.active_wal_segment == b.active_wal_segment &&
         a.snapshot_watermark == b.snapshot_watermark;
}

// A manifest with a valid checksum around an arbitrary body.
std::string Wrap(uint32_t version, const std::string& body) {
  std::string out("STRATAMF", 8);
  strata::util::PutFixed32(&out, version);
  strata::util::PutFixed32(&out, static_cast<uint32_t>(body.size()));
  out += body;
  strata::util::PutFixed32(&out, strata::util::Checksum32(out));
  return out;
}

void Check(std::string_view data) {
  absl::StatusOr<Manifest> m = strata::storage::DecodeManifest(data);
  if (!m.ok()) {
    if (m.status().code() == absl::StatusCode::kFailedPrecondition) {
      if (data.size() < 12) Fail("FailedPrecondition without a version field");
      if (strata::util::DecodeFixed32(data.data() + 8) <=
          strata::storage::kManifestFormatVersion) {
        Fail("FailedPrecondition for a supported version");
      }
    } else if (m.status().code() != absl::StatusCode::kDataLoss) {
      Fail("error is neither DataLoss nor FailedPrecondition");
    }
    return;
  }
  if (m->format_version > strata::storage::kManifestFormatVersion) {
    Fail("accepted a newer format version");
  }
  const std::string encoded = strata::storage::EncodeManifest(*m);
  absl::StatusOr<Manifest> back = strata::storage::DecodeManifest(encoded);
  if (!back.ok()) Fail("re-encoded manifest does not decode");
  if (!Same(*back, *m)) Fail("re-encoded manifest decodes to different fields");
  if (strata::storage::EncodeManifest(*back) != encoded) Fail("encoding is not stable");
}

}  // namespace

extern "C" void StrataFuzzSeeds(std::vector<std::string>* out) {
  Manifest m;
  m.uuid = "0b5f6a1e-3c2d-4e8f-9a7b-1c2d3e4f5a6b";
  m.codec_id = 0;
  m.created_us = 1700000000000000;
  m.active_wal_segment = 12;
  m.snapshot_watermark = 345;
  out->push_back(strata::storage::EncodeManifest(m));
  out->push_back(strata::storage::EncodeManifest(Manifest{}));
  Manifest newer = m;
  newer.format_version = strata::storage::kManifestFormatVersion + 1;
  out->push_back(strata::storage::EncodeManifest(newer));
  // Valid checksums around hand-made bodies, so mutations of the body get
  // past the checksum when the fuzzer also fixes it up (libFuzzer) and the
  // body parser is reached with odd fields: an unknown tag, a non-varint
  // integer field, a truncated field.
  std::string body;
  strata::util::PutVarint64(&body, 99);
  strata::util::PutLengthPrefixed(&body, "future field");
  strata::util::PutVarint64(&body, 4);
  strata::util::PutLengthPrefixed(&body, std::string("\x80\x01", 2));
  out->push_back(Wrap(1, body));
  std::string bad_int;
  strata::util::PutVarint64(&bad_int, 2);
  strata::util::PutLengthPrefixed(&bad_int, std::string("\x01\x02", 2));
  out->push_back(Wrap(1, bad_int));
  out->push_back(Wrap(1, std::string("\x01\x09short", 7)));
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  Check(input);
  // Random bytes almost never carry a valid checksum: also try them as the
  // body of a well-formed manifest, so the field parser gets fuzzed.
  Check(Wrap(1, std::string(input)));
  return 0;
}
