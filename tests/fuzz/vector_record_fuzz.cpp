// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Fuzz target for every decoder of the vector primitive's stored data
// (vector/record.hpp): vector records (ParseRecord, DecodeMetadata),
// collection definitions (DecodeDefinition) and namespace keys (SplitKey).
//
// The input's first byte picks a dimension and a collection name; the rest
// is the payload. For every input:
//  - ParseRecord of the payload (as a bytes Value) never crashes, for the
//    byte's dimension (0..8; 0 accepts the record's own), the dimension the
//    record's own header names and kMaxVectorDimension; it fails only with
//    DataLoss. A record it accepts has the asked dimension, a view that
//    covers the payload (header, components, metadata suffix), and
//    Component agrees with CopyVector. DecodeMetadata then fails only with DataLoss or gives null
//    (for an empty suffix) or an object; in that case EncodeRecord of the
//    vector and metadata parses back to the same components (bit for bit)
//    and the same metadata, re-encodes identically, and equals the payload
//    whenever the payload is format 2 and its metadata bytes were canonical;
//  - ParseRecord of any Value decoded from the payload fails with DataLoss
//    unless it is bytes;
//  - DecodeDefinition of a Value decoded from the payload fails only with
//    DataLoss; a definition it accepts passes ValidateSpec, carries the name
//    it was given, and round-trips through EncodeDefinition /
//    DecodeDefinition to the same spec and the same encoding;
//  - DecodeDefinition of an object whose fields the payload's first bytes
//    pick among boundary values (missing, wrong type, out of range, metric
//    aliases, an unknown member) accepts it exactly when every field is
//    valid, and then reads exactly those values;
//  - SplitKey of the payload accepts exactly the well-formed keys, and what
//    it returns rebuilds the key through DefinitionKey / VectorKey.
// A violation prints what went wrong and calls abort().
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "strata/status.hpp"
#include "strata/value.hpp"
#include "strata/vector.hpp"
#include "util/coding.hpp"
#include "util/value_codec.hpp"
#include "vector/record.hpp"

namespace {

using strata::CollectionSpec;
using strata::Value;
namespace vector = strata::vector;

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "vector_record_fuzz: %s\n", what);
  std::abort();
}

void CheckDataLoss(const absl::Status& s, const char* what) {
  if (!s.ok() && strata::GetErrorCode(s) != strata::ErrorCode::kDataLoss) Fail(what);
}

std::string Encoded(const Value& v) {
  std::string out;
  strata::util::EncodeValue(v, &out);
  return out;
}

// The record header: format byte, for format 2 three zero bytes, then the
// fixed32 dimension.
constexpr size_t kV1HeaderBytes = 5;
size_t HeaderBytes(std::string_view bytes) {
  return !bytes.empty() && static_cast<uint8_t>(bytes[0]) == vector::kRecordFormat
             ? vector::kRecordHeaderBytes
             : kV1HeaderBytes;
}

// The dimension a record's header names, or false if it has no header.
bool HeaderDimension(std::string_view bytes, uint32_t* dim) {
  const size_t n = HeaderBytes(bytes);
  if (bytes.size() < n) return false;
  std::string_view header = bytes.substr(n - sizeof(uint32_t));
  return strata::util::GetFixed32(&header, dim);
}

// Checks one successful ParseRecord of `bytes` asked for dimension `asked`
// (0: the record's own).
void CheckParsedRecord(std::string_view bytes, uint32_t asked, const vector::RecordView& view) {
  const size_t header_bytes = HeaderBytes(bytes);
  uint32_t dimension = 0;
  if (!HeaderDimension(bytes, &dimension)) Fail("parsed record is shorter than its header");
  if (asked != 0 && dimension != asked) Fail("parsed record has another dimension");
  if (view.dimension != dimension) Fail("view has another dimension than the header");
  const size_t component_bytes = size_t{dimension} * sizeof(float);
  if (bytes.size() < header_bytes + component_bytes) Fail("parsed record is too short");
  if (view.metadata.size() != bytes.size() - header_bytes - component_bytes) {
    Fail("metadata is not the rest of the record");
  }
  if (!bytes.ends_with(view.metadata)) Fail("metadata is not a suffix of the record");
  std::vector<float> components;
  view.CopyVector(&components);
  if (components.size() != dimension) Fail("CopyVector gives another length");
  if (component_bytes != 0 &&
      std::memcmp(components.data(), bytes.data() + header_bytes, component_bytes) != 0) {
    Fail("CopyVector differs from the stored components");
  }
  for (uint32_t i = 0; i < dimension; ++i) {
    const float f = view.Component(i);
    if (std::memcmp(&f, &components[i], sizeof f) != 0) Fail("Component differs from CopyVector");
  }

  Value metadata;
  const absl::Status decoded = vector::DecodeMetadata(view, &metadata);
  CheckDataLoss(decoded, "DecodeMetadata: non-DataLoss error");
  if (!decoded.ok()) return;
  if (view.metadata.empty() != metadata.is_null()) Fail("null metadata iff no metadata bytes");
  if (!metadata.is_null() && !metadata.is_object()) Fail("metadata is neither null nor object");

  // Round trip through the writer.
  const Value record = vector::EncodeRecord(components, metadata);
  if (!record.is_bytes()) Fail("EncodeRecord did not give bytes");
  vector::RecordView again;
  if (!vector::ParseRecord(record, asked, &again).ok()) Fail("re-encoded record does not parse");
  if (again.dimension != dimension) Fail("re-encoded record has another dimension");
  std::vector<float> components_again;
  again.CopyVector(&components_again);
  if (component_bytes != 0 &&
      std::memcmp(components_again.data(), components.data(), component_bytes) != 0) {
    Fail("re-encoded record has other components");
  }
  Value metadata_again;
  if (!vector::DecodeMetadata(again, &metadata_again).ok()) {
    Fail("re-encoded metadata does not decode");
  }
  if (Encoded(metadata_again) != Encoded(metadata) || !(metadata_again == metadata)) {
    Fail("re-encoded record has other metadata");
  }
  if (vector::EncodeRecord(components_again, metadata_again).AsBytes() != record.AsBytes()) {
    Fail("record encoding is not stable");
  }
  // Value encoding is canonical, so a current-format payload whose metadata
  // bytes are the canonical ones is exactly what the writer produces (format
  // 1 records are read, never written).
  const bool current = static_cast<uint8_t>(bytes[0]) == vector::kRecordFormat;
  if (current && (metadata.is_null() || view.metadata == Encoded(metadata)) &&
      record.AsBytes() != bytes) {
    Fail("canonical record does not re-encode identically");
  }
}

void CheckRecord(std::string_view payload, uint32_t dimension) {
  const Value stored = Value::MakeBytes(std::string(payload));
  vector::RecordView view;
  const absl::Status s = vector::ParseRecord(stored, dimension, &view);
  CheckDataLoss(s, "ParseRecord: non-DataLoss error");
  if (s.ok()) CheckParsedRecord(stored.AsBytes(), dimension, view);
}

// A collection name picked by `selector`: mostly valid, some not.
std::string NameFor(uint8_t selector) {
  switch (selector % 6) {
    case 0: return "c";
    case 1: return "embeddings";
    case 2: return std::string(strata::kMaxCollectionNameBytes, 'n');
    case 3: return "";
    case 4: return "a/b";
    default: return std::string("a\0b", 3);
  }
}

void CheckDefinition(std::string_view name, const Value& value) {
  const absl::StatusOr<CollectionSpec> spec = vector::DecodeDefinition(name, value);
  if (!spec.ok()) {
    CheckDataLoss(spec.status(), "DecodeDefinition: non-DataLoss error");
    return;
  }
  if (spec->name != name) Fail("decoded definition has another name");
  if (!vector::ValidateSpec(*spec).ok()) Fail("decoded definition fails ValidateSpec");
  const Value encoded = vector::EncodeDefinition(*spec);
  const absl::StatusOr<CollectionSpec> back = vector::DecodeDefinition(name, encoded);
  if (!back.ok()) Fail("re-encoded definition does not decode");
  if (back->name != spec->name || back->dimension != spec->dimension ||
      back->metric != spec->metric || !(back->index == spec->index)) {
    Fail("re-encoded definition decodes to another spec");
  }
  if (!(vector::EncodeDefinition(*back) == encoded)) Fail("definition encoding is not stable");
  // The stored form also survives the Value codec.
  std::string bytes = Encoded(encoded);
  std::string_view in = bytes;
  Value reread;
  if (!strata::util::DecodeValue(&in, &reread).ok() || !in.empty()) {
    Fail("encoded definition does not survive the Value codec");
  }
  const absl::StatusOr<CollectionSpec> reread_spec = vector::DecodeDefinition(name, reread);
  if (!reread_spec.ok() || !(reread_spec->index == spec->index) ||
      reread_spec->dimension != spec->dimension || reread_spec->metric != spec->metric) {
    Fail("definition differs after the Value codec");
  }
}

// A definition built from the payload's first bytes: each picks a field's
// value (or its absence) among boundary cases. DecodeDefinition must accept
// it exactly when every field is present and valid, with those values.
void CheckBuiltDefinition(std::string_view payload) {
  constexpr size_t kFields = 8;  // Seven fields and one extra member.
  if (payload.size() < kFields) return;
  const Value ints[] = {Value(), Value(0), Value(1), Value(2), Value(16), Value(100),
                        Value(101), Value(4096), Value(4097), Value(10000), Value(10001),
                        Value(10'000'000), Value(10'000'001), Value(int64_t{0xffffffff}),
                        Value(int64_t{0x100000000}), Value(-1), Value(1.0), Value("1")};
  // The five valid names first.
  const Value metrics[] = {Value("cosine"), Value("euclidean"), Value("dot"),
                           Value("l2"),     Value("dot_product"), Value("Cosine"),
                           Value(""),       Value(1),           Value()};
  const char* const int_fields[] = {"format", "dimension", "m", "ef_construction", "ef_search",
                                    "exact_threshold"};
  // The valid range of each integer field.
  const int64_t lo[] = {1, 1, 2, 1, 1, 0};
  const int64_t hi[] = {1, strata::kMaxVectorDimension, 100, 10000, 10000, 10'000'000};
  constexpr size_t kInts = sizeof(ints) / sizeof(ints[0]);
  constexpr size_t kMetrics = sizeof(metrics) / sizeof(metrics[0]);

  // Three picks in four take a valid value (a bound or the middle of the
  // range), so most definitions are valid or wrong in one field only; the
  // fourth takes any boundary case or leaves the field out.
  Value::Object o;
  bool valid = true;
  int64_t got[6] = {};
  for (size_t f = 0; f < 6; ++f) {
    const uint8_t pick = static_cast<uint8_t>(payload[f]);
    Value v;
    if ((pick & 3) != 0) {
      const int64_t good[] = {lo[f], hi[f], lo[f] + (hi[f] - lo[f]) / 2};
      v = Value(good[(pick >> 2) % 3]);
    } else if ((pick >> 2) % (kInts + 1) == kInts) {
      valid = false;  // Missing.
      continue;
    } else {
      v = ints[(pick >> 2) % (kInts + 1)];
    }
    valid = valid && v.is_int() && v.AsInt() >= lo[f] && v.AsInt() <= hi[f];
    if (v.is_int()) got[f] = v.AsInt();
    o[int_fields[f]] = std::move(v);
  }
  const uint8_t metric_pick = static_cast<uint8_t>(payload[6]);
  std::optional<strata::VectorMetric> metric;
  const size_t metric_index =
      (metric_pick & 3) != 0 ? (metric_pick >> 2) % 5 : (metric_pick >> 2) % (kMetrics + 1);
  if (metric_index < kMetrics) {
    const Value& m = metrics[metric_index];
    o["metric"] = m;
    if (m.is_string()) metric = strata::VectorMetricFromName(m.AsString());
  }
  valid = valid && metric.has_value();
  // Members the decoder does not know are ignored.
  if (static_cast<uint8_t>(payload[7]) % 2 == 1) o["zzz"] = Value(payload.substr(kFields));

  const absl::StatusOr<CollectionSpec> spec = vector::DecodeDefinition("c", Value(std::move(o)));
  if (spec.ok() != valid) {
    Fail(valid ? "DecodeDefinition refused a valid definition"
               : "DecodeDefinition accepted an invalid definition");
  }
  if (!spec.ok()) {
    CheckDataLoss(spec.status(), "DecodeDefinition: non-DataLoss error");
    return;
  }
  if (spec->dimension != got[1] || spec->index.m != got[2] ||
      spec->index.ef_construction != got[3] || spec->index.ef_search != got[4] ||
      spec->index.exact_threshold != got[5] || spec->metric != *metric) {
    Fail("DecodeDefinition read other values");
  }
}

void CheckSplitKey(std::string_view key) {
  bool is_definition = false;
  std::string_view collection, name_key;
  const bool ok = vector::SplitKey(key, &is_definition, &collection, &name_key);
  // Computed independently: a definition is "\0" <non-empty name>; a vector
  // key is <non-empty collection> "\0" <non-empty key>, split at the first
  // NUL.
  bool expected = false;
  if (!key.empty()) {
    if (key[0] == '\0') {
      expected = key.size() > 1;
    } else {
      const size_t nul = key.find('\0');
      expected = nul != std::string_view::npos && nul + 1 < key.size();
    }
  }
  if (ok != expected) Fail("SplitKey accepts a malformed key or refuses a well-formed one");
  if (!ok) return;
  if (is_definition) {
    if (!name_key.empty()) Fail("definition key has a vector key");
    if (collection.empty()) Fail("definition key has an empty name");
    if (vector::DefinitionKey(collection) != key) Fail("DefinitionKey does not rebuild the key");
  } else {
    if (collection.empty() || name_key.empty()) Fail("vector key has an empty part");
    if (collection.find('\0') != std::string_view::npos) Fail("collection holds a NUL");
    if (vector::VectorKey(collection, name_key) != key) Fail("VectorKey does not rebuild the key");
    if (!key.starts_with(vector::VectorPrefix(collection))) Fail("key lacks its VectorPrefix");
    if (key.starts_with(vector::DefinitionKey(collection))) Fail("vector key looks like a definition");
  }
}

}  // namespace

// Seeds: a selector byte followed by a stored vector record, an encoded
// definition, an encoded bytes Value holding a record, or a key.
extern "C" void StrataFuzzSeeds(std::vector<std::string>* out) {
  const auto add = [out](uint8_t selector, std::string_view payload) {
    std::string input(1, static_cast<char>(selector));
    input.append(payload);
    out->push_back(std::move(input));
  };
  const Value meta(Value::Object{{"tag", Value("a")},
                                 {"n", Value(3)},
                                 {"x", Value(-0.5)},
                                 {"list", Value(Value::Array{Value(true), Value()})}});
  const std::vector<float> v0;
  const std::vector<float> v1{1.0f};
  const std::vector<float> v3{0.25f, -2.0f, 3.5f};
  const std::vector<float> v8{1, 2, 3, 4, 5, 6, 7, 8};
  for (const auto& [v, m] : {std::pair{&v1, Value()}, std::pair{&v3, meta},
                             std::pair{&v8, Value(Value::Object{})}, std::pair{&v0, meta}}) {
    const Value record = vector::EncodeRecord(*v, m);
    add(static_cast<uint8_t>(v->size()), record.AsBytes());
    add(static_cast<uint8_t>(v->size()), Encoded(record));
    // The same record in format 1 (no padding before the dimension).
    std::string v1_record = record.AsBytes();
    v1_record[0] = static_cast<char>(vector::kRecordFormatV1);
    v1_record.erase(1, vector::kRecordHeaderBytes - kV1HeaderBytes);
    add(static_cast<uint8_t>(v->size()), v1_record);
  }
  const char* const metrics[] = {"cosine", "euclidean", "dot", "l2", "dot_product"};
  for (int i = 0; i < 5; ++i) {
    CollectionSpec spec;
    spec.name = "c";
    spec.dimension = static_cast<uint32_t>(1 + i * 300);
    spec.metric = static_cast<strata::VectorMetric>(1 + i % 3);
    spec.index.m = static_cast<uint32_t>(2 + i * 20);
    spec.index.exact_threshold = static_cast<uint32_t>(i * 50);
    Value def = vector::EncodeDefinition(spec);
    Value::Object o = def.AsObject();
    o["metric"] = Value(metrics[i]);
    add(static_cast<uint8_t>(i * 6), Encoded(Value(std::move(o))));
  }
  add(0, vector::DefinitionKey("c"));
  add(0, vector::VectorKey("c", "k1"));
  add(0, vector::VectorKey("coll", std::string("a\0b", 3)));
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (in.empty()) return 0;
  const auto selector = static_cast<uint8_t>(in[0]);
  const std::string_view payload = in.substr(1);

  // Records, at a few dimensions.
  CheckRecord(payload, selector % 9);
  if (uint32_t own = 0; HeaderDimension(payload, &own) && own != selector % 9) {
    CheckRecord(payload, own);
  }
  CheckRecord(payload, strata::kMaxVectorDimension);

  // A stored Value that may be anything, and a definition.
  std::string_view rest = payload;
  Value value;
  const absl::Status decoded = strata::util::DecodeValue(&rest, &value);
  if (decoded.ok()) {
    vector::RecordView view;
    const absl::Status s = vector::ParseRecord(value, selector % 9, &view);
    CheckDataLoss(s, "ParseRecord of a Value: non-DataLoss error");
    if (!value.is_bytes() && s.ok()) Fail("ParseRecord accepted a Value that is not bytes");
    if (s.ok()) CheckParsedRecord(value.AsBytes(), selector % 9, view);
    const std::string name = NameFor(selector);
    CheckDefinition(name, value);
    if (vector::DecodeDefinition(name, value).ok() &&
        !vector::ValidateCollectionName(name).ok()) {
      Fail("a definition with an invalid name decoded");
    }
  }

  CheckBuiltDefinition(payload);
  CheckSplitKey(payload);
  return 0;
}
