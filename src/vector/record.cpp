// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
#include "vector/record.hpp"

#include <bit>
#include <cmath>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "strata/status.hpp"
#include "util/coding.hpp"
#include "util/value_codec.hpp"

namespace strata {

std::string_view VectorMetricName(VectorMetric metric) {
  switch (metric) {
    case VectorMetric::kCosine: return "cosine";
    case VectorMetric::kEuclidean: return "euclidean";
    case VectorMetric::kDotProduct: return "dot";
  }
  return "unknown";
}

std::optional<VectorMetric> VectorMetricFromName(std::string_view name) {
  if (name == "cosine") return VectorMetric::kCosine;
  if (name == "euclidean" || name == "l2") return VectorMetric::kEuclidean;
  if (name == "dot" || name == "dot_product") return VectorMetric::kDotProduct;
  return std::nullopt;
}

namespace vector {

static_assert(std::endian::native == std::endian::little,
              "vector records store float32 little endian and are read in place");

std::string DefinitionKey(std::string_view name) {
  std::string out(1, '\0');
  out.append(name);
  return out;
}

std::string VectorKey(std::string_view collection, std::string_view key) {
  std::string out(collection);
  out.push_back('\0');
  out.append(key);
  return out;
}

std::string VectorPrefix(std::string_view collection) {
  std::string out(collection);
  out.push_back('\0');
  return out;
}

bool SplitKey(std::string_view ns_key, bool* is_definition, std::string_view* collection,
              std::string_view* key) {
  if (ns_key.empty()) return false;
  if (ns_key[0] == '\0') {
    *is_definition = true;
    *collection = ns_key.substr(1);
    *key = {};
    return !collection->empty();
  }
  const size_t nul = ns_key.find('\0');
  if (nul == std::string_view::npos || nul + 1 == ns_key.size()) return false;
  *is_definition = false;
  *collection = ns_key.substr(0, nul);
  *key = ns_key.substr(nul + 1);
  return true;
}

absl::Status ValidateCollectionName(std::string_view name) {
  if (name.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "collection name is empty");
  }
  if (name.size() > kMaxCollectionNameBytes) {
    return MakeError(ErrorCode::kResourceExhausted,
                     absl::StrCat("collection name is ", name.size(), " bytes; the limit is ",
                                  kMaxCollectionNameBytes));
  }
  for (size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '\0' || name[i] == '/') {
      return MakeError(ErrorCode::kInvalidArgument,
                       absl::StrCat("collection name has ", name[i] == '/' ? "'/'" : "a NUL byte",
                                    " at byte ", i));
    }
  }
  return absl::OkStatus();
}

namespace {

absl::Status OutOfRange(std::string_view field, uint64_t value, uint64_t lo, uint64_t hi) {
  return MakeError(ErrorCode::kInvalidArgument,
                   absl::StrCat("collection ", std::string(field), " is ", value,
                                "; it must be in ", lo, "..", hi));
}

}  // namespace

absl::Status ValidateSpec(const CollectionSpec& spec) {
  if (absl::Status s = ValidateCollectionName(spec.name); !s.ok()) return s;
  if (spec.dimension < 1 || spec.dimension > kMaxVectorDimension) {
    return OutOfRange("dimension", spec.dimension, 1, kMaxVectorDimension);
  }
  if (VectorMetricName(spec.metric) == "unknown") {
    return MakeError(ErrorCode::kInvalidArgument,
                     absl::StrCat("unknown vector metric ", static_cast<int>(spec.metric)));
  }
  const VectorIndexOptions& o = spec.index;
  if (o.m < 2 || o.m > 100) return OutOfRange("index m", o.m, 2, 100);
  if (o.ef_construction < 1 || o.ef_construction > 10000) {
    return OutOfRange("index ef_construction", o.ef_construction, 1, 10000);
  }
  if (o.ef_search < 1 || o.ef_search > 10000) {
    return OutOfRange("index ef_search", o.ef_search, 1, 10000);
  }
  if (o.exact_threshold > 10'000'000) {
    return OutOfRange("index exact_threshold", o.exact_threshold, 0, 10'000'000);
  }
  return absl::OkStatus();
}

Value EncodeDefinition(const CollectionSpec& spec) {
  Value::Object o;
  o["format"] = Value(static_cast<int64_t>(kDefinitionFormat));
  o["dimension"] = Value(static_cast<int64_t>(spec.dimension));
  o["metric"] = Value(std::string(VectorMetricName(spec.metric)));
  o["m"] = Value(static_cast<int64_t>(spec.index.m));
  o["ef_construction"] = Value(static_cast<int64_t>(spec.index.ef_construction));
  o["ef_search"] = Value(static_cast<int64_t>(spec.index.ef_search));
  o["exact_threshold"] = Value(static_cast<int64_t>(spec.index.exact_threshold));
  return Value(std::move(o));
}

absl::StatusOr<CollectionSpec> DecodeDefinition(std::string_view name, const Value& value) {
  auto damaged = [&](std::string_view why) {
    return MakeError(ErrorCode::kDataLoss,
                     absl::StrCat("collection definition of '", std::string(name),
                                  "' is damaged: ", std::string(why)));
  };
  if (!value.is_object()) return damaged("not an object");
  const Value::Object& o = value.AsObject();
  auto get_int = [&](const char* field, int64_t* out) {
    auto it = o.find(field);
    if (it == o.end() || !it->second.is_int()) return false;
    *out = it->second.AsInt();
    return true;
  };
  int64_t format = 0, dim = 0, m = 0, efc = 0, efs = 0, exact = 0;
  if (!get_int("format", &format) || format != kDefinitionFormat) return damaged("unknown format");
  if (!get_int("dimension", &dim) || !get_int("m", &m) || !get_int("ef_construction", &efc) ||
      !get_int("ef_search", &efs) || !get_int("exact_threshold", &exact)) {
    return damaged("a field is missing");
  }
  auto metric_it = o.find("metric");
  if (metric_it == o.end() || !metric_it->second.is_string()) return damaged("no metric");
  std::optional<VectorMetric> metric = VectorMetricFromName(metric_it->second.AsString());
  if (!metric.has_value()) return damaged("unknown metric");
  auto in_u32 = [](int64_t v) { return v >= 0 && v <= 0xffffffffll; };
  if (!in_u32(dim) || !in_u32(m) || !in_u32(efc) || !in_u32(efs) || !in_u32(exact)) {
    return damaged("a field is out of range");
  }
  CollectionSpec spec;
  spec.name = std::string(name);
  spec.dimension = static_cast<uint32_t>(dim);
  spec.metric = *metric;
  spec.index.m = static_cast<uint32_t>(m);
  spec.index.ef_construction = static_cast<uint32_t>(efc);
  spec.index.ef_search = static_cast<uint32_t>(efs);
  spec.index.exact_threshold = static_cast<uint32_t>(exact);
  if (absl::Status s = ValidateSpec(spec); !s.ok()) return damaged(std::string(s.message()));
  return spec;
}

absl::Status ValidateVector(std::span<const float> v, uint32_t dimension, VectorMetric metric,
                            std::string_view what) {
  if (v.size() != dimension) {
    return MakeError(ErrorCode::kInvalidArgument,
                     absl::StrCat(std::string(what), " has dimension ", v.size(),
                                  "; the collection's is ", dimension));
  }
  bool zero = true;
  for (size_t i = 0; i < v.size(); ++i) {
    if (!std::isfinite(v[i])) {
      return MakeError(ErrorCode::kInvalidArgument,
                       absl::StrCat(std::string(what), " component ", i, " is ",
                                    std::isnan(v[i]) ? "NaN" : "infinite"));
    }
    if (v[i] != 0.0f) zero = false;
  }
  if (zero && metric == VectorMetric::kCosine) {
    return MakeError(ErrorCode::kInvalidArgument,
                     absl::StrCat(std::string(what),
                                  " is all zeros, which has no direction under the cosine metric"));
  }
  return absl::OkStatus();
}

absl::Status ValidateMetadata(const Value& metadata) {
  if (metadata.is_null()) return absl::OkStatus();
  if (!metadata.is_object()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     absl::StrCat("vector metadata must be a JSON object or null, not ",
                                  std::string(TypeName(metadata.type()))));
  }
  if (metadata.ApproximateSize() > 4 * kMaxVectorMetadataBytes) {
    return MakeError(ErrorCode::kResourceExhausted, "vector metadata is too large");
  }
  std::string encoded;
  util::EncodeValue(metadata, &encoded);
  if (encoded.size() > kMaxVectorMetadataBytes) {
    return MakeError(ErrorCode::kResourceExhausted,
                     absl::StrCat("vector metadata is ", encoded.size(),
                                  " bytes encoded; the limit is ", kMaxVectorMetadataBytes));
  }
  return absl::OkStatus();
}

double Similarity(VectorMetric metric, std::span<const float> a, std::span<const float> b) {
  double dot = 0, aa = 0, bb = 0, l2 = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const double x = a[i], y = b[i];
    dot += x * y;
    aa += x * x;
    bb += y * y;
    l2 += (x - y) * (x - y);
  }
  switch (metric) {
    case VectorMetric::kEuclidean: return 1.0 / (1.0 + std::sqrt(l2));
    case VectorMetric::kCosine: return dot / (std::sqrt(aa) * std::sqrt(bb));
    case VectorMetric::kDotProduct: return dot;
  }
  return 0;
}

Value EncodeRecord(std::span<const float> v, const Value& metadata) {
  std::string encoded_metadata;
  if (!metadata.is_null()) util::EncodeValue(metadata, &encoded_metadata);
  std::string out;
  // Exact size: the record lives as long as the vector does.
  out.reserve(kRecordHeaderBytes + v.size() * sizeof(float) + encoded_metadata.size());
  out.push_back(static_cast<char>(kRecordFormat));
  out.append(kRecordHeaderBytes - 1 - sizeof(uint32_t), '\0');
  util::PutFixed32(&out, static_cast<uint32_t>(v.size()));
  if constexpr (std::endian::native == std::endian::little) {
    out.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float));
  } else {
    for (float f : v) {
      uint32_t bits;
      std::memcpy(&bits, &f, sizeof bits);
      util::PutFixed32(&out, bits);
    }
  }
  out.append(encoded_metadata);
  return Value::MakeBytes(std::move(out));
}

void RecordView::CopyVector(std::vector<float>* out) const {
  out->resize(dimension);
  std::memcpy(out->data(), components, size_t{dimension} * sizeof(float));
}

float RecordView::Component(uint32_t i) const {
  float f;
  std::memcpy(&f, components + size_t{i} * sizeof(float), sizeof f);
  return f;
}

absl::Status ParseRecord(const Value& stored, uint32_t dimension, RecordView* view) {
  auto damaged = [](std::string_view why) {
    return MakeError(ErrorCode::kDataLoss,
                     absl::StrCat("vector record is damaged: ", std::string(why)));
  };
  if (!stored.is_bytes()) return damaged("not bytes");
  return ParseRecordBytes(stored.AsBytes(), dimension, view);
}

absl::Status ParseRecordBytes(std::string_view in, uint32_t dimension, RecordView* view) {
  auto damaged = [](std::string_view why) {
    return MakeError(ErrorCode::kDataLoss,
                     absl::StrCat("vector record is damaged: ", std::string(why)));
  };
  uint8_t format = 0;
  uint32_t dim = 0;
  if (!util::GetByte(&in, &format) || (format != kRecordFormat && format != kRecordFormatV1)) {
    return damaged("unknown format");
  }
  if (format == kRecordFormat) {
    // Padding that puts the components at a multiple of 4 bytes.
    const size_t pad = kRecordHeaderBytes - 1 - sizeof(uint32_t);
    if (in.size() < pad || in.substr(0, pad).find_first_not_of('\0') != std::string_view::npos) {
      return damaged("bad header");
    }
    in.remove_prefix(pad);
  }
  if (!util::GetFixed32(&in, &dim)) return damaged("truncated");
  if (dim < 1 || dim > kMaxVectorDimension) {
    return damaged(absl::StrCat("dimension ", dim, " is outside 1..", kMaxVectorDimension));
  }
  if (dimension != 0 && dim != dimension) {
    return damaged(absl::StrCat("dimension ", dim, " in a collection of dimension ", dimension));
  }
  if (in.size() < size_t{dim} * sizeof(float)) return damaged("truncated components");
  view->dimension = dim;
  view->components = in.data();
  view->metadata = in.substr(size_t{dim} * sizeof(float));
  return absl::OkStatus();
}

absl::Status DecodeMetadata(const RecordView& view, Value* metadata) {
  if (view.metadata.empty()) {
    *metadata = Value();
    return absl::OkStatus();
  }
  std::string_view in = view.metadata;
  if (absl::Status s = util::DecodeValue(&in, metadata); !s.ok()) return s;
  if (!in.empty() || !metadata->is_object()) {
    return MakeError(ErrorCode::kDataLoss, "vector record is damaged: bad metadata");
  }
  return absl::OkStatus();
}

}  // namespace vector
}  // namespace strata
