// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
#include "primitives/entity.hpp"

#include <charconv>

#include "absl/strings/str_cat.h"
#include "primitives/event.hpp"
#include "primitives/json.hpp"
#include "primitives/common.hpp"
#include "primitives/run.hpp"
#include "primitives/trace.hpp"
#include "primitives/vector.hpp"
#include "storage/store_key.hpp"
#include "strata/status.hpp"
#include "util/status_macros.hpp"
#include "util/strings.hpp"
#include "vector/record.hpp"

namespace strata::primitives {

namespace {

using util::Sv;

// The positive number a numeric ref (event seq, span id) names. Only the
// canonical decimal form (no sign, no leading zeros) is accepted, so that
// one entity has exactly one address.
absl::StatusOr<uint64_t> NumericKey(const EntityRef& ref, std::string_view what) {
  if (ref.seq.has_value()) {
    if (*ref.seq == 0) {
      return MakeError(ErrorCode::kInvalidArgument,
                       absl::StrCat(Sv(what), " reference needs a positive number, got 0"));
    }
    return *ref.seq;
  }
  uint64_t id = 0;
  const char* end = ref.key.data() + ref.key.size();
  auto [ptr, ec] = std::from_chars(ref.key.data(), end, id);
  if (ref.key.empty() || ec != std::errc() || ptr != end || id == 0 || ref.key[0] == '0') {
    return MakeError(ErrorCode::kInvalidArgument,
                     absl::StrCat(Sv(what), " reference needs a positive number as its key, got '",
                                  ref.key, "'"));
  }
  return id;
}

// A ref whose parts do not fit its primitive would not survive its text
// form (EntityRef::ToString writes a seq only for events and a path only
// after a key), so it addresses nothing.
absl::Status CheckRefShape(const EntityRef& ref) {
  if (ref.seq.has_value() && ref.primitive != Primitive::kEvent) {
    return MakeError(ErrorCode::kInvalidArgument,
                     absl::StrCat("only event references have a sequence number, got ",
                                  Sv(PrimitiveName(ref.primitive)), " reference with seq ",
                                  *ref.seq));
  }
  if (ref.seq.has_value() && !ref.key.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     absl::StrCat("an event reference has a sequence number or a key, not both "
                                  "(seq ", *ref.seq, ", key '", ref.key, "')"));
  }
  if (ref.path.has_value() && ref.primitive != Primitive::kJson) {
    return MakeError(ErrorCode::kInvalidArgument,
                     absl::StrCat("only json references have a path, got ",
                                  Sv(PrimitiveName(ref.primitive)), " reference with path '",
                                  *ref.path, "'"));
  }
  return absl::OkStatus();
}

}  // namespace

std::string EntityText(const EntityRef& ref) { return ref.ToString(); }

absl::StatusOr<std::string> EntityStoreKey(const EntityRef& ref) {
  STRATA_RETURN_IF_ERROR(ValidateRunId(ref.run));
  STRATA_RETURN_IF_ERROR(CheckRefShape(ref));
  switch (ref.primitive) {
    case Primitive::kKv:
    case Primitive::kState:
    case Primitive::kJson:
      STRATA_RETURN_IF_ERROR(ValidateKey(ref.key));
      return storage::MakeStoreKey(ref.primitive, ref.run, ref.key);
    case Primitive::kEvent: {
      STRATA_ASSIGN_OR_RETURN(uint64_t seq, NumericKey(ref, "an event"));
      return storage::MakeStoreKey(Primitive::kEvent, ref.run, EventKey(seq));
    }
    case Primitive::kTrace: {
      STRATA_ASSIGN_OR_RETURN(uint64_t id, NumericKey(ref, "a span"));
      return storage::MakeStoreKey(Primitive::kTrace, ref.run, SpanKey(id));
    }
    case Primitive::kRun:
      if (!ref.key.empty()) {
        return MakeError(ErrorCode::kInvalidArgument,
                         absl::StrCat("a run reference has no key (run://", ref.run,
                                      "/), got '", ref.key, "'"));
      }
      return RunStoreKey(ref.run);
    case Primitive::kVector: {
      // "<collection>/<key>": collection names hold no '/'.
      const size_t slash = ref.key.find('/');
      if (slash == std::string::npos) {
        return MakeError(ErrorCode::kInvalidArgument,
                         absl::StrCat("a vector reference names <collection>/<key>, got '",
                                      ref.key, "'"));
      }
      const std::string_view collection = std::string_view(ref.key).substr(0, slash);
      const std::string_view key = std::string_view(ref.key).substr(slash + 1);
      STRATA_RETURN_IF_ERROR(vector::ValidateCollectionName(collection));
      STRATA_RETURN_IF_ERROR(ValidateKey(key));
      return storage::MakeStoreKey(Primitive::kVector, ref.run,
                                   vector::VectorKey(collection, key));
    }
  }
  return MakeError(ErrorCode::kInvalidArgument,
                   absl::StrCat(Sv(PrimitiveName(ref.primitive)),
                                " entities are not supported by this version"));
}

absl::StatusOr<Value> RenderEntity(const EntityRef& ref, const Value& stored) {
  switch (ref.primitive) {
    case Primitive::kEvent:
    case Primitive::kTrace: {
      const uint64_t id = *NumericKey(ref, "");
      if (!stored.is_bytes()) return DamagedRecord(EntityText(ref), "not a bytes value");
      if (ref.primitive == Primitive::kEvent) {
        STRATA_ASSIGN_OR_RETURN(Event event, DecodeEventRecord(id, stored.AsBytes()));
        return EventToValue(event);
      }
      STRATA_ASSIGN_OR_RETURN(Span span, DecodeSpanRecord(id, stored.AsBytes()));
      return SpanToValue(span);
    }
    case Primitive::kRun: {
      STRATA_ASSIGN_OR_RETURN(RunInfo info, DecodeRunRecord(ref.run, stored));
      return RunInfoToValue(info);
    }
    case Primitive::kJson:
      return RenderJsonRecord(stored, ref.path);
    case Primitive::kVector: {
      STRATA_ASSIGN_OR_RETURN(VectorEntry entry, DecodeVectorEntry(stored, 0));
      Value::Array components;
      components.reserve(entry.vector.size());
      for (float x : entry.vector) components.emplace_back(static_cast<double>(x));
      return Value(Value::Object{{"vector", Value(std::move(components))},
                                 {"metadata", std::move(entry.metadata)}});
    }
    default:
      return stored;
  }
}

absl::StatusOr<Versioned<Value>> GetEntity(OpContext& c, const EntityRef& ref) {
  STRATA_ASSIGN_OR_RETURN(std::string key, EntityStoreKey(ref));
  if (ref.primitive == Primitive::kJson) {
    // Through the primitive: it keeps this transaction's working copies.
    return JsonGet(c, ref.run, ref.key, ref.path.value_or(""));
  }
  Versioned<Value> v;
  if (c.txn.Read(key, &v) == storage::ReadStatus::kFound) {
    STRATA_ASSIGN_OR_RETURN(v.value, RenderEntity(ref, v.value));
    return v;
  }
  if (ref.primitive == Primitive::kRun) {
    if (ref.run == kDefaultRun) {
      RunInfo info;
      info.id = kDefaultRun;
      return Versioned<Value>{RunInfoToValue(info), 0, 0};
    }
    return RunNotFound(ref.run);
  }
  STRATA_RETURN_IF_ERROR(CheckRunInView(c, ref.run));
  return MakeError(ErrorCode::kNotFound, absl::StrCat("not found: ", EntityText(ref)));
}

absl::StatusOr<uint64_t> CountEntities(OpContext& c, std::string_view run,
                                       Primitive primitive) {
  STRATA_RETURN_IF_ERROR(CheckRunInView(c, run));
  switch (primitive) {
    case Primitive::kRun:
      return 1;
    case Primitive::kTrace:
      return TraceCount(c, run);
    case Primitive::kEvent:
      return EventLength(c, run);
    case Primitive::kKv:
    case Primitive::kState:
    case Primitive::kJson:
    case Primitive::kVector:
      break;
    default:
      return MakeError(ErrorCode::kInvalidArgument,
                       absl::StrCat(Sv(PrimitiveName(primitive)),
                                    " entities are not supported by this version"));
  }
  const std::string ns = storage::NamespacePrefix(primitive, run);
  uint64_t n = 0;
  // Vector collection definitions ("\0" <name>) are not entities.
  const std::string start =
      primitive == Primitive::kVector ? ns + std::string(1, '\1') : ns;
  c.txn.Scan(start, storage::PrefixSuccessor(ns),
             [&](std::string_view, const Versioned<Value>&) {
               ++n;
               return true;
             });
  return n;
}

}  // namespace strata::primitives
