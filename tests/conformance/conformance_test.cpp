// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// The conformance suite: the seven invariants of SPEC.md section 2, checked
// for every primitive in every durability mode.
//
// Each primitive is described by a PrimitiveAdapter (how to create, update
// and end one of its entities, read it through the primitive's own API, list
// it, and what its lifecycle looks like). Every TEST_P runs over
// adapters x {InMemory, Buffered, Strict}, so a new primitive (JSON, Vector)
// is one more adapter in Adapters().
//
//  1. Addressable: the entity's EntityRef round-trips through its text form
//     and Database::Get / Transaction::Get reach the entity, rendered exactly
//     as the primitive's own read API shows it.
//  2. Versioned: History lists every version (increasing versions and
//     timestamps), GetAt and GetAsOf read old versions, and (on disk) the
//     same history survives a reopen.
//  3. Transactional: rolled back = nothing; committed = everything at one
//     commit version; a conflict leaves nothing; transactions read a
//     snapshot. A cross-primitive transaction (KV + event + state + trace +
//     run) is all-or-nothing.
//  4. Lifecycle: create / update / delete-or-close with visible state.
//  5. Within a run: every entity belongs to a run, disappears with
//     DeleteRun (and does not come back when the run is re-created), writes
//     into a missing run are NotFound and into an ended run are refused.
//  6. Introspectable: Exists, list, Count, History and Stats agree with
//     what was written.
//  7. Same semantics everywhere: there is no remote client yet, so the fast
//     path (a Database method) is compared with a one-operation Transaction:
//     the same sequence of operations gives the same error codes, consumes
//     the same number of commit versions and leaves the same entities.
// Beyond the invariants, Searchable checks that every primitive answers
// keyword search (SPEC section 6) with and without the keyword index.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "strata/database.hpp"
#include "strata/options.hpp"
#include "strata/primitives.hpp"
#include "strata/status.hpp"
#include "strata/types.hpp"
#include "strata/value.hpp"
#include "test_util.hpp"

namespace strata {
namespace {

using ::strata::testing::DurabilityModeName;
using ::strata::testing::TempDir;

// ---------------------------------------------------------------------------
// Adapters.

// The value entity `i` holds when created (updated = false) and after its
// update.
Value Payload(int i, bool updated) {
  return Value(Value::Object{{"i", Value(i)}, {"v", Value(updated ? "new" : "old")}});
}

// Every operation takes the database and, optionally, a transaction: with a
// transaction the operation goes through it (the caller commits), without
// one it takes the Database fast path.
using CreateFn = std::function<absl::StatusOr<EntityRef>(Database& db, Transaction* txn,
                                                         const std::string& run, int i)>;
using ChangeFn = std::function<absl::Status(Database& db, Transaction* txn,
                                            const EntityRef& ref, int i)>;
using ReadFn = std::function<absl::StatusOr<Versioned<Value>>(Database& db, Transaction* txn,
                                                              const EntityRef& ref)>;
using ListFn =
    std::function<absl::StatusOr<std::vector<EntityRef>>(Database& db, const std::string& run)>;
using StateFn =
    std::function<absl::StatusOr<std::string>(Database& db, const EntityRef& ref)>;

struct PrimitiveAdapter {
  std::string name;
  Primitive primitive = Primitive::kKv;
  // What create / update / end mean for this primitive (documentation).
  std::string lifecycle;

  // Creates entity `i` in `run` and returns its address.
  CreateFn create;
  // Makes a new version of the entity. Empty for immutable primitives.
  ChangeFn update;
  // True when the only change an entity allows is ending it (update == end).
  bool update_is_end = false;
  // Ends the entity: a delete, or a close that leaves it readable.
  ChangeFn end;
  bool end_deletes = false;
  // The error a second end gives.
  ErrorCode end_again_error = ErrorCode::kNotFound;
  // For closing primitives: the visible lifecycle state before and after
  // the end.
  StateFn state;
  std::string created_state;
  std::string ended_state;

  // The entity through the primitive's own read API, rendered the way
  // Database::Get documents it.
  ReadFn read;
  // The addresses of the live entities the primitive lists in `run` (for
  // runs: the runs whose parent is `run`).
  ListFn list;
  // Whether the rendering `v` is entity `i` (after its update if `updated`).
  std::function<bool(const Value& v, const EntityRef& ref, int i, bool updated)> holds;
  // A well-formed address in `run` that names no entity.
  std::function<EntityRef(const std::string& run)> absent;
  // Fields of the rendering that legitimately differ between two identical
  // histories in different runs (times, hashes, run names).
  std::vector<std::string> volatile_fields;
  // The entity is a run (its EntityRef's run is the entity itself).
  bool entity_is_run = false;
};

// Runs `fast` without a transaction or `in_txn` with one.
template <typename T, typename Fast, typename InTxn>
T Either(Transaction* txn, Fast fast, InTxn in_txn) {
  if (txn != nullptr) return in_txn(*txn);
  return fast();
}

const Value* Field(const Value& v, std::string_view name) {
  if (!v.is_object()) return nullptr;
  auto it = v.AsObject().find(name);
  return it == v.AsObject().end() ? nullptr : &it->second;
}

bool FieldIs(const Value& v, std::string_view name, const Value& expected) {
  const Value* f = Field(v, name);
  return f != nullptr && *f == expected;
}

std::string Hex16(uint64_t h) { return absl::StrFormat("%016x", h); }

Value EventRendering(const Event& e) {
  return Value(Value::Object{{"seq", Value(e.seq)},
                             {"type", Value(e.type)},
                             {"payload", e.payload},
                             {"timestamp_us", Value(e.timestamp_us)},
                             {"prev_hash", Value(Hex16(e.prev_hash))},
                             {"hash", Value(Hex16(e.hash))}});
}

Value SpanRendering(const Span& s) {
  Value::Array tags;
  for (const std::string& t : s.tags) tags.emplace_back(t);
  return Value(Value::Object{{"id", Value(s.id)},
                             {"kind", Value(SpanKindName(s.kind))},
                             {"name", Value(s.name)},
                             {"parent", Value(s.parent)},
                             {"status", Value(SpanStatusName(s.status))},
                             {"input", s.input},
                             {"output", s.output},
                             {"start_us", Value(s.start_us)},
                             {"end_us", Value(s.end_us)},
                             {"tags", Value(std::move(tags))}});
}

Value RunRendering(const RunInfo& r) {
  Value::Array tags;
  for (const std::string& t : r.tags) tags.emplace_back(t);
  return Value(Value::Object{{"id", Value(r.id)},
                             {"status", Value(RunStatusName(r.status))},
                             {"parent", Value(r.parent)},
                             {"tags", Value(std::move(tags))},
                             {"metadata", r.metadata},
                             {"created_us", Value(r.created_us)},
                             {"ended_us", Value(r.ended_us)},
                             {"base_version", Value(r.base_version)}});
}

template <typename T, typename Render>
absl::StatusOr<Versioned<Value>> Rendered(const absl::StatusOr<Versioned<T>>& got,
                                          Render render) {
  if (!got.ok()) return got.status();
  return Versioned<Value>{render(got->value), got->version, got->timestamp_us};
}

// Keys with bytes that need percent-encoding in the text form, so the
// address round trip is exercised for real.
std::string KvKey(int i) { return absl::StrCat("user:", i, "/n\xc3\xbc x#?", std::string(1, '\0')); }
std::string CellName(int i) { return absl::StrCat("cell ", i, "%\x01"); }

template <typename Page, typename Next>
absl::StatusOr<std::vector<EntityRef>> ListKeys(const std::string& run, Primitive p, Next next) {
  std::vector<EntityRef> out;
  ListRequest request;
  request.limit = 2;  // Exercise the cursor.
  for (;;) {
    absl::StatusOr<Page> page = next(request);
    if (!page.ok()) return page.status();
    for (const KvEntry& e : page->entries) out.push_back(EntityRef{run, p, e.key, {}, {}});
    if (page->next_cursor.empty()) return out;
    request.cursor = page->next_cursor;
  }
}

PrimitiveAdapter KvAdapter() {
  PrimitiveAdapter a;
  a.name = "Kv";
  a.primitive = Primitive::kKv;
  a.lifecycle = "create = KvPut of a new key, update = KvPut, end = KvDelete (the key is gone)";
  a.create = [](Database& db, Transaction* txn, const std::string& run,
                int i) -> absl::StatusOr<EntityRef> {
    const std::string key = KvKey(i);
    absl::Status s = Either<absl::Status>(
        txn, [&] { return db.KvPut(run, key, Payload(i, false)).status(); },
        [&](Transaction& t) { return t.KvPut(run, key, Payload(i, false)); });
    if (!s.ok()) return s;
    return EntityRef{run, Primitive::kKv, key, {}, {}};
  };
  a.update = [](Database& db, Transaction* txn, const EntityRef& ref, int i) {
    return Either<absl::Status>(
        txn, [&] { return db.KvPut(ref.run, ref.key, Payload(i, true)).status(); },
        [&](Transaction& t) { return t.KvPut(ref.run, ref.key, Payload(i, true)); });
  };
  a.end = [](Database& db, Transaction* txn, const EntityRef& ref, int) {
    return Either<absl::Status>(
        txn, [&] { return db.KvDelete(ref.run, ref.key).status(); },
        [&](Transaction& t) { return t.KvDelete(ref.run, ref.key); });
  };
  a.end_deletes = true;
  a.end_again_error = ErrorCode::kNotFound;
  a.read = [](Database& db, Transaction* txn, const EntityRef& ref) {
    return Either<absl::StatusOr<Versioned<Value>>>(
        txn, [&] { return db.KvGet(ref.run, ref.key); },
        [&](Transaction& t) { return t.KvGet(ref.run, ref.key); });
  };
  a.list = [](Database& db, const std::string& run) {
    return ListKeys<KvPage>(run, Primitive::kKv,
                            [&](const ListRequest& r) { return db.KvList(run, r); });
  };
  a.holds = [](const Value& v, const EntityRef&, int i, bool updated) {
    return v == Payload(i, updated);
  };
  a.absent = [](const std::string& run) {
    return EntityRef{run, Primitive::kKv, "absent", {}, {}};
  };
  return a;
}

PrimitiveAdapter StateAdapter() {
  PrimitiveAdapter a;
  a.name = "State";
  a.primitive = Primitive::kState;
  a.lifecycle = "create = StateInit, update = StateSet, end = StateDelete (the cell is gone)";
  a.create = [](Database& db, Transaction* txn, const std::string& run,
                int i) -> absl::StatusOr<EntityRef> {
    const std::string name = CellName(i);
    absl::Status s = Either<absl::Status>(
        txn, [&] { return db.StateInit(run, name, Payload(i, false)).status(); },
        [&](Transaction& t) { return t.StateInit(run, name, Payload(i, false)); });
    if (!s.ok()) return s;
    return EntityRef{run, Primitive::kState, name, {}, {}};
  };
  a.update = [](Database& db, Transaction* txn, const EntityRef& ref, int i) {
    return Either<absl::Status>(
        txn, [&] { return db.StateSet(ref.run, ref.key, Payload(i, true)).status(); },
        [&](Transaction& t) { return t.StateSet(ref.run, ref.key, Payload(i, true)); });
  };
  a.end = [](Database& db, Transaction* txn, const EntityRef& ref, int) {
    return Either<absl::Status>(
        txn, [&] { return db.StateDelete(ref.run, ref.key).status(); },
        [&](Transaction& t) { return t.StateDelete(ref.run, ref.key); });
  };
  a.end_deletes = true;
  a.end_again_error = ErrorCode::kNotFound;
  a.read = [](Database& db, Transaction* txn, const EntityRef& ref) {
    return Either<absl::StatusOr<Versioned<Value>>>(
        txn, [&] { return db.StateRead(ref.run, ref.key); },
        [&](Transaction& t) { return t.StateRead(ref.run, ref.key); });
  };
  a.list = [](Database& db, const std::string& run) {
    return ListKeys<KvPage>(run, Primitive::kState,
                            [&](const ListRequest& r) { return db.StateList(run, r); });
  };
  a.holds = [](const Value& v, const EntityRef&, int i, bool updated) {
    return v == Payload(i, updated);
  };
  a.absent = [](const std::string& run) {
    return EntityRef{run, Primitive::kState, "absent", {}, {}};
  };
  return a;
}

// Documents: create = JsonCreate, update = a path-level JsonSet of /v (so the
// update goes through the logged-patch path), end = JsonDestroy.
std::string DocId(int i) { return absl::StrCat("doc ", i, "/\xc3\xa9#"); }

PrimitiveAdapter JsonAdapter() {
  PrimitiveAdapter a;
  a.name = "Json";
  a.primitive = Primitive::kJson;
  a.lifecycle =
      "create = JsonCreate, update = JsonSet at /v, end = JsonDestroy (the document is gone)";
  a.create = [](Database& db, Transaction* txn, const std::string& run,
                int i) -> absl::StatusOr<EntityRef> {
    const std::string id = DocId(i);
    absl::Status s = Either<absl::Status>(
        txn, [&] { return db.JsonCreate(run, id, Payload(i, false)).status(); },
        [&](Transaction& t) { return t.JsonCreate(run, id, Payload(i, false)); });
    if (!s.ok()) return s;
    return EntityRef{run, Primitive::kJson, id, {}, {}};
  };
  a.update = [](Database& db, Transaction* txn, const EntityRef& ref, int) {
    return Either<absl::Status>(
        txn, [&] { return db.JsonSet(ref.run, ref.key, "/v", Value("new")).status(); },
        [&](Transaction& t) { return t.JsonSet(ref.run, ref.key, "$.v", Value("new")); });
  };
  a.end = [](Database& db, Transaction* txn, const EntityRef& ref, int) {
    return Either<absl::Status>(
        txn, [&] { return db.JsonDestroy(ref.run, ref.key).status(); },
        [&](Transaction& t) { return t.JsonDestroy(ref.run, ref.key); });
  };
  a.end_deletes = true;
  a.end_again_error = ErrorCode::kNotFound;
  a.read = [](Database& db, Transaction* txn, const EntityRef& ref) {
    return Either<absl::StatusOr<Versioned<Value>>>(
        txn, [&] { return db.JsonGet(ref.run, ref.key); },
        [&](Transaction& t) { return t.JsonGet(ref.run, ref.key); });
  };
  a.list = [](Database& db, const std::string& run) -> absl::StatusOr<std::vector<EntityRef>> {
    std::vector<EntityRef> out;
    ListRequest request;
    request.limit = 2;  // Exercise the cursor.
    for (;;) {
      absl::StatusOr<IdPage> page = db.JsonList(run, request);
      if (!page.ok()) return page.status();
      for (const std::string& id : page->ids) {
        out.push_back(EntityRef{run, Primitive::kJson, id, {}, {}});
      }
      if (page->next_cursor.empty()) return out;
      request.cursor = page->next_cursor;
    }
  };
  a.holds = [](const Value& v, const EntityRef&, int i, bool updated) {
    return v == Payload(i, updated);
  };
  a.absent = [](const std::string& run) {
    return EntityRef{run, Primitive::kJson, "absent", {}, {}};
  };
  return a;
}

// Vectors: create = VectorUpsert into collection "c" (created with the
// first vector), update = VectorUpsert of a new vector and metadata, end =
// VectorDelete. The address is vector://run/c%2F<key>.
std::string VectorKeyOf(int i) { return absl::StrCat("vec ", i, "/\xc3\xa9#"); }
std::vector<float> VectorOf(int i, bool updated) {
  return {static_cast<float>(i), updated ? 2.0f : 1.0f, 0.5f};
}

// Creates collection "c" in the transaction's view if it is missing.
absl::Status EnsureCollection(Transaction& t, const std::string& run) {
  CollectionSpec spec;
  spec.name = "c";
  spec.dimension = 3;
  spec.metric = VectorMetric::kEuclidean;
  absl::StatusOr<CollectionInfo> info = t.DescribeCollection(run, "c");
  if (info.ok() || GetErrorCode(info.status()) != ErrorCode::kNotFound) return info.status();
  return t.CreateCollection(run, spec);
}

PrimitiveAdapter VectorAdapter() {
  PrimitiveAdapter a;
  a.name = "Vector";
  a.primitive = Primitive::kVector;
  a.lifecycle =
      "create = VectorUpsert (into collection c), update = VectorUpsert of a new vector, "
      "end = VectorDelete (the vector is gone)";
  a.create = [](Database& db, Transaction* txn, const std::string& run,
                int i) -> absl::StatusOr<EntityRef> {
    const std::string key = VectorKeyOf(i);
    // The collection and the vector in one commit.
    auto upsert = [&](Transaction& t) -> absl::Status {
      if (absl::Status s = EnsureCollection(t, run); !s.ok()) return s;
      return t.VectorUpsert(run, "c", key, VectorOf(i, false), Payload(i, false));
    };
    absl::Status s = Either<absl::Status>(
        txn, [&] { return db.Transact(upsert).status(); }, upsert);
    if (!s.ok()) return s;
    return EntityRef{run, Primitive::kVector, "c/" + key, {}, {}};
  };
  a.update = [](Database& db, Transaction* txn, const EntityRef& ref, int i) {
    const std::string key = ref.key.substr(2);
    return Either<absl::Status>(
        txn,
        [&] {
          return db.VectorUpsert(ref.run, "c", key, VectorOf(i, true), Payload(i, true)).status();
        },
        [&](Transaction& t) {
          return t.VectorUpsert(ref.run, "c", key, VectorOf(i, true), Payload(i, true));
        });
  };
  a.end = [](Database& db, Transaction* txn, const EntityRef& ref, int) {
    const std::string key = ref.key.substr(2);
    return Either<absl::Status>(
        txn, [&] { return db.VectorDelete(ref.run, "c", key).status(); },
        [&](Transaction& t) { return t.VectorDelete(ref.run, "c", key); });
  };
  a.end_deletes = true;
  a.end_again_error = ErrorCode::kNotFound;
  a.read = [](Database& db, Transaction* txn, const EntityRef& ref) {
    const std::string key = ref.key.substr(2);
    auto render = [](const VectorEntry& e) {
      Value::Array components;
      for (float x : e.vector) components.emplace_back(static_cast<double>(x));
      return Value(Value::Object{{"vector", Value(std::move(components))},
                                 {"metadata", e.metadata}});
    };
    return Either<absl::StatusOr<Versioned<Value>>>(
        txn, [&] { return Rendered(db.VectorGet(ref.run, "c", key), render); },
        [&](Transaction& t) { return Rendered(t.VectorGet(ref.run, "c", key), render); });
  };
  a.list = [](Database& db, const std::string& run) -> absl::StatusOr<std::vector<EntityRef>> {
    // Every vector, through a search as wide as the collection.
    std::vector<EntityRef> out;
    absl::StatusOr<uint64_t> n = db.VectorCount(run, "c");
    if (GetErrorCode(n.status()) == ErrorCode::kNotFound && db.RunExists(run).value_or(false)) {
      return out;  // No vector was ever created in the run.
    }
    if (!n.ok()) return n.status();
    if (*n == 0) return out;
    absl::StatusOr<VectorSearchResult> all = db.VectorSearch(
        run, "c", VectorSearchRequest{{0, 0, 0}, static_cast<uint32_t>(*n), {}, 0});
    if (!all.ok()) return all.status();
    for (const VectorHit& h : all->hits) {
      out.push_back(EntityRef{run, Primitive::kVector, "c/" + h.key, {}, {}});
    }
    std::sort(out.begin(), out.end(),
              [](const EntityRef& x, const EntityRef& y) { return x.key < y.key; });
    return out;
  };
  a.holds = [](const Value& v, const EntityRef&, int i, bool updated) {
    Value::Array components;
    for (float x : VectorOf(i, updated)) components.emplace_back(static_cast<double>(x));
    return v == Value(Value::Object{{"vector", Value(std::move(components))},
                                    {"metadata", Payload(i, updated)}});
  };
  a.absent = [](const std::string& run) {
    return EntityRef{run, Primitive::kVector, "c/absent", {}, {}};
  };
  return a;
}

PrimitiveAdapter EventAdapter() {
  PrimitiveAdapter a;
  a.name = "Event";
  a.primitive = Primitive::kEvent;
  a.lifecycle =
      "events are immutable: create = EventAppend, no update, end = EndRun(completed) of the "
      "event's run (the event stays readable, the log takes no more appends)";
  a.create = [](Database& db, Transaction* txn, const std::string& run,
                int i) -> absl::StatusOr<EntityRef> {
    absl::StatusOr<EventAppended> r = Either<absl::StatusOr<EventAppended>>(
        txn, [&] { return db.EventAppend(run, "conformance", Payload(i, false)); },
        [&](Transaction& t) { return t.EventAppend(run, "conformance", Payload(i, false)); });
    if (!r.ok()) return r.status();
    return EntityRef{run, Primitive::kEvent, "", {}, r->seq};
  };
  a.end = [](Database& db, Transaction* txn, const EntityRef& ref, int) {
    return Either<absl::Status>(
        txn, [&] { return db.EndRun(ref.run, RunStatus::kCompleted).status(); },
        [&](Transaction& t) { return t.EndRun(ref.run, RunStatus::kCompleted); });
  };
  a.end_deletes = false;
  a.end_again_error = ErrorCode::kFailedPrecondition;
  a.state = [](Database& db, const EntityRef& ref) -> absl::StatusOr<std::string> {
    absl::StatusOr<Versioned<RunInfo>> run = db.GetRun(ref.run);
    if (!run.ok()) return run.status();
    return std::string(RunStatusName(run->value.status));
  };
  a.created_state = "active";
  a.ended_state = "completed";
  a.read = [](Database& db, Transaction* txn, const EntityRef& ref) {
    const uint64_t seq = ref.seq.value_or(0);
    return Rendered(Either<absl::StatusOr<Versioned<Event>>>(
                        txn, [&] { return db.EventRead(ref.run, seq); },
                        [&](Transaction& t) { return t.EventRead(ref.run, seq); }),
                    EventRendering);
  };
  a.list = [](Database& db, const std::string& run) -> absl::StatusOr<std::vector<EntityRef>> {
    std::vector<EntityRef> out;
    EventQuery q;
    q.limit = 2;
    for (;;) {
      absl::StatusOr<EventPage> page = db.EventList(run, q);
      if (!page.ok()) return page.status();
      for (const auto& e : page->events) {
        out.push_back(EntityRef{run, Primitive::kEvent, "", {}, e.value.seq});
      }
      if (page->next_seq == 0) return out;
      q.from_seq = page->next_seq;
    }
  };
  a.holds = [](const Value& v, const EntityRef& ref, int i, bool) {
    return FieldIs(v, "payload", Payload(i, false)) && FieldIs(v, "type", Value("conformance")) &&
           ref.seq.has_value() && FieldIs(v, "seq", Value(*ref.seq));
  };
  a.absent = [](const std::string& run) {
    return EntityRef{run, Primitive::kEvent, "", {}, uint64_t{999}};
  };
  a.volatile_fields = {"timestamp_us", "hash", "prev_hash"};
  return a;
}

PrimitiveAdapter TraceAdapter() {
  PrimitiveAdapter a;
  a.name = "Trace";
  a.primitive = Primitive::kTrace;
  a.lifecycle =
      "create = TraceBegin (status running), update = end = TraceEnd(ok) (status ok; a span "
      "changes only by ending)";
  a.create = [](Database& db, Transaction* txn, const std::string& run,
                int i) -> absl::StatusOr<EntityRef> {
    SpanSpec spec;
    spec.kind = SpanKind::kToolCall;
    spec.name = absl::StrCat("step-", i);
    spec.input = Payload(i, false);
    spec.tags = {"conformance"};
    absl::StatusOr<uint64_t> id = Either<absl::StatusOr<uint64_t>>(
        txn, [&] { return db.TraceBegin(run, spec); },
        [&](Transaction& t) { return t.TraceBegin(run, spec); });
    if (!id.ok()) return id.status();
    return EntityRef{run, Primitive::kTrace, absl::StrCat(*id), {}, {}};
  };
  ChangeFn finish = [](Database& db, Transaction* txn, const EntityRef& ref, int i) {
    uint64_t id = 0;
    if (!absl::SimpleAtoi(ref.key, &id)) return absl::InvalidArgumentError("bad span ref");
    return Either<absl::Status>(
        txn,
        [&] { return db.TraceEnd(ref.run, id, SpanStatus::kOk, Payload(i, true)).status(); },
        [&](Transaction& t) { return t.TraceEnd(ref.run, id, SpanStatus::kOk, Payload(i, true)); });
  };
  a.update = finish;
  a.update_is_end = true;
  a.end = finish;
  a.end_deletes = false;
  a.end_again_error = ErrorCode::kFailedPrecondition;
  a.state = [](Database& db, const EntityRef& ref) -> absl::StatusOr<std::string> {
    absl::StatusOr<Versioned<Value>> v = db.Get(ref);
    if (!v.ok()) return v.status();
    const Value* status = Field(v->value, "status");
    if (status == nullptr || !status->is_string()) return absl::InternalError("no status");
    return status->AsString();
  };
  a.created_state = "running";
  a.ended_state = "ok";
  a.read = [](Database& db, Transaction* txn, const EntityRef& ref) {
    uint64_t id = 0;
    (void)absl::SimpleAtoi(ref.key, &id);
    return Rendered(Either<absl::StatusOr<Versioned<Span>>>(
                        txn, [&] { return db.TraceGet(ref.run, id); },
                        [&](Transaction& t) { return t.TraceGet(ref.run, id); }),
                    SpanRendering);
  };
  a.list = [](Database& db, const std::string& run) -> absl::StatusOr<std::vector<EntityRef>> {
    std::vector<EntityRef> out;
    SpanQuery q;
    q.limit = 2;
    for (;;) {
      absl::StatusOr<SpanPage> page = db.TraceQuery(run, q);
      if (!page.ok()) return page.status();
      for (const auto& s : page->spans) {
        out.push_back(EntityRef{run, Primitive::kTrace, absl::StrCat(s.value.id), {}, {}});
      }
      if (page->next_after_id == 0) return out;
      q.after_id = page->next_after_id;
    }
  };
  a.holds = [](const Value& v, const EntityRef& ref, int i, bool updated) {
    if (!FieldIs(v, "input", Payload(i, false)) ||
        !FieldIs(v, "name", Value(absl::StrCat("step-", i))) ||
        !FieldIs(v, "kind", Value("tool_call")) || !FieldIs(v, "id", Value(std::stoll(ref.key)))) {
      return false;
    }
    if (!updated) return FieldIs(v, "status", Value("running")) && FieldIs(v, "output", Value());
    return FieldIs(v, "status", Value("ok")) && FieldIs(v, "output", Payload(i, true));
  };
  a.absent = [](const std::string& run) {
    return EntityRef{run, Primitive::kTrace, "999", {}, {}};
  };
  a.volatile_fields = {"start_us", "end_us"};
  return a;
}

PrimitiveAdapter RunAdapter() {
  PrimitiveAdapter a;
  a.name = "Run";
  a.primitive = Primitive::kRun;
  a.lifecycle =
      "the entity is a run \"<scope>-r<i>\" whose parent is the scope run: create = "
      "CreateRun, update = UpdateRunMetadata, end = EndRun(completed) (status active -> "
      "completed; the run stays readable)";
  a.entity_is_run = true;
  a.create = [](Database& db, Transaction* txn, const std::string& run,
                int i) -> absl::StatusOr<EntityRef> {
    RunSpec spec;
    spec.id = absl::StrCat(run, "-r", i);
    spec.parent = run;
    spec.tags = {"conformance"};
    spec.metadata = Payload(i, false);
    absl::Status s = Either<absl::Status>(
        txn, [&] { return db.CreateRun(spec).status(); },
        [&](Transaction& t) { return t.CreateRun(spec).status(); });
    if (!s.ok()) return s;
    return EntityRef{spec.id, Primitive::kRun, "", {}, {}};
  };
  a.update = [](Database& db, Transaction* txn, const EntityRef& ref, int i) {
    return Either<absl::Status>(
        txn, [&] { return db.UpdateRunMetadata(ref.run, Payload(i, true)).status(); },
        [&](Transaction& t) { return t.UpdateRunMetadata(ref.run, Payload(i, true)); });
  };
  a.end = [](Database& db, Transaction* txn, const EntityRef& ref, int) {
    return Either<absl::Status>(
        txn, [&] { return db.EndRun(ref.run, RunStatus::kCompleted).status(); },
        [&](Transaction& t) { return t.EndRun(ref.run, RunStatus::kCompleted); });
  };
  a.end_deletes = false;
  a.end_again_error = ErrorCode::kFailedPrecondition;
  a.state = [](Database& db, const EntityRef& ref) -> absl::StatusOr<std::string> {
    absl::StatusOr<Versioned<Value>> v = db.Get(ref);
    if (!v.ok()) return v.status();
    const Value* status = Field(v->value, "status");
    if (status == nullptr || !status->is_string()) return absl::InternalError("no status");
    return status->AsString();
  };
  a.created_state = "active";
  a.ended_state = "completed";
  a.read = [](Database& db, Transaction* txn, const EntityRef& ref) {
    return Rendered(Either<absl::StatusOr<Versioned<RunInfo>>>(
                        txn, [&] { return db.GetRun(ref.run); },
                        [&](Transaction& t) { return t.GetRun(ref.run); }),
                    RunRendering);
  };
  a.list = [](Database& db, const std::string& run) -> absl::StatusOr<std::vector<EntityRef>> {
    RunQuery q;
    q.parent = run;
    q.limit = kMaxListLimit;
    absl::StatusOr<std::vector<RunInfo>> runs = db.QueryRuns(q);
    if (!runs.ok()) return runs.status();
    std::vector<EntityRef> out;
    for (const RunInfo& r : *runs) out.push_back(EntityRef{r.id, Primitive::kRun, "", {}, {}});
    return out;
  };
  a.holds = [](const Value& v, const EntityRef& ref, int i, bool updated) {
    return FieldIs(v, "metadata", Payload(i, updated)) && FieldIs(v, "id", Value(ref.run)) &&
           FieldIs(v, "tags", Value(Value::Array{Value("conformance")}));
  };
  a.absent = [](const std::string& run) {
    return EntityRef{run + "-absent", Primitive::kRun, "", {}, {}};
  };
  a.volatile_fields = {"id", "parent", "created_us", "ended_us", "base_version"};
  return a;
}

const std::vector<PrimitiveAdapter>& Adapters() {
  static const auto* adapters = new std::vector<PrimitiveAdapter>{
      KvAdapter(), StateAdapter(), EventAdapter(), TraceAdapter(), RunAdapter(),
      JsonAdapter(), VectorAdapter()};
  return *adapters;
}

// ---------------------------------------------------------------------------
// Fixtures.

class DatabaseFixture {
 protected:
  void OpenDb(DurabilityMode mode) {
    mode_ = mode;
    Options o;
    o.durability = mode;
    o.search.index_all_runs = indexed_;
    if (mode == DurabilityMode::kInMemory) {
      absl::StatusOr<std::unique_ptr<Database>> db = Database::OpenInMemory(o);
      ASSERT_TRUE(db.ok()) << db.status();
      db_ = std::move(*db);
    } else {
      if (!dir_) dir_ = std::make_unique<TempDir>();
      absl::StatusOr<std::unique_ptr<Database>> db = Database::Open(dir_->Sub("db"), o);
      ASSERT_TRUE(db.ok()) << db.status();
      db_ = std::move(*db);
    }
  }
  // Closes and reopens a durable database (a no-op in memory): what a new
  // process would see.
  void Reopen() {
    if (mode_ == DurabilityMode::kInMemory) return;
    ASSERT_OK(db_->Close());
    db_.reset();
    OpenDb(mode_);
  }
  std::unique_ptr<Transaction> Begin() {
    absl::StatusOr<std::unique_ptr<Transaction>> t = db_->BeginTransaction();
    EXPECT_TRUE(t.ok()) << t.status();
    return t.ok() ? std::move(*t) : nullptr;
  }
  void NewRun(const std::string& run) { ASSERT_OK(db_->CreateRun(run)); }

  DurabilityMode mode_ = DurabilityMode::kInMemory;
  bool indexed_ = false;  // Options::search.index_all_runs.
  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<Database> db_;
};

class ConformanceTest
    : public ::testing::TestWithParam<std::tuple<size_t, DurabilityMode>>,
      public DatabaseFixture {
 protected:
  void SetUp() override {
    OpenDb(std::get<1>(GetParam()));
    if (HasFatalFailure()) return;
    NewRun(kScope);
    NewRun(kSide);
  }
  const PrimitiveAdapter& A() const { return Adapters()[std::get<0>(GetParam())]; }

  // Creates entity `i` in `run` through the fast path and checks it
  // consumed exactly one commit.
  EntityRef Create(const std::string& run, int i) {
    const Version before = db_->CurrentVersion();
    absl::StatusOr<EntityRef> ref = A().create(*db_, nullptr, run, i);
    EXPECT_TRUE(ref.ok()) << A().name << " create " << i << ": " << ref.status();
    if (!ref.ok()) return EntityRef{};
    EXPECT_EQ(db_->CurrentVersion(), before + 1) << "a fast-path create is one commit";
    return *ref;
  }
  // Commits one operation in its own transaction.
  absl::Status InTxn(const std::function<absl::Status(Transaction&)>& op) {
    std::unique_ptr<Transaction> t = Begin();
    if (t == nullptr) return absl::InternalError("no transaction");
    absl::Status s = op(*t);
    if (!s.ok()) {
      t->Rollback();
      return s;
    }
    return t->Commit().status();
  }
  absl::StatusOr<std::set<std::string>> ListedRefs(const std::string& run) {
    absl::StatusOr<std::vector<EntityRef>> refs = A().list(*db_, run);
    if (!refs.ok()) return refs.status();
    std::set<std::string> out;
    for (const EntityRef& r : *refs) out.insert(r.ToString());
    return out;
  }
  bool Exists(const EntityRef& ref) {
    absl::StatusOr<bool> e = db_->Exists(ref);
    EXPECT_TRUE(e.ok()) << ref.ToString() << ": " << e.status();
    return e.ok() && *e;
  }
  // The number of live entities of the adapter in `run` (the scope run for
  // run entities: how many child runs it has).
  absl::StatusOr<uint64_t> CountIn(const std::string& run) {
    if (!A().entity_is_run) return db_->Count(run, A().primitive);
    absl::StatusOr<std::vector<EntityRef>> refs = A().list(*db_, run);
    if (!refs.ok()) return refs.status();
    for (const EntityRef& r : *refs) {
      absl::StatusOr<uint64_t> n = db_->Count(r.run, Primitive::kRun);
      if (!n.ok()) return n.status();
      if (*n != 1) return absl::InternalError(absl::StrCat("Count(", r.run, ", run) = ", *n));
    }
    return refs->size();
  }

  static constexpr char kScope[] = "conf";
  // Where the tests write KV markers and guards, so they never count as
  // entities of the primitive under test.
  static constexpr char kSide[] = "side";
};

std::string ParamName(
    const ::testing::TestParamInfo<std::tuple<size_t, DurabilityMode>>& info) {
  return Adapters()[std::get<0>(info.param)].name + "_" +
         DurabilityModeName(std::get<1>(info.param));
}

// ---------------------------------------------------------------------------
// 1. Addressable.

TEST_P(ConformanceTest, Addressable) {
  SCOPED_TRACE(A().lifecycle);
  const EntityRef ref = Create(kScope, 1);
  ASSERT_FALSE(ref.run.empty());
  EXPECT_EQ(ref.primitive, A().primitive);

  // The text form round-trips (twice: ToString is canonical).
  const std::string text = ref.ToString();
  EXPECT_TRUE(text.starts_with(std::string(PrimitiveName(A().primitive)) + "://")) << text;
  ASSERT_OK_AND_ASSIGN(EntityRef parsed, EntityRef::Parse(text));
  EXPECT_EQ(parsed, ref) << text;
  EXPECT_EQ(parsed.ToString(), text);

  // Get by the parsed address reaches exactly what the primitive's own read
  // API returns, at the same version.
  ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db_->Get(parsed));
  EXPECT_TRUE(A().holds(got.value, ref, 1, false)) << got.value.ToJson();
  ASSERT_OK_AND_ASSIGN(Versioned<Value> direct, A().read(*db_, nullptr, ref));
  EXPECT_EQ(got.value, direct.value) << got.value.ToJson() << "\nvs\n" << direct.value.ToJson();
  EXPECT_EQ(got.version, direct.version);
  EXPECT_EQ(got.timestamp_us, direct.timestamp_us);
  EXPECT_EQ(got.version, db_->CurrentVersion());
  EXPECT_GT(got.timestamp_us, 0);

  // Transaction::Get reaches it too, and an address created inside a
  // transaction is reachable there before the commit.
  {
    std::unique_ptr<Transaction> t = Begin();
    ASSERT_NE(t, nullptr);
    ASSERT_OK_AND_ASSIGN(Versioned<Value> in_txn, t->Get(parsed));
    EXPECT_EQ(in_txn.value, got.value);
    EXPECT_EQ(in_txn.version, got.version);
    ASSERT_OK_AND_ASSIGN(EntityRef pending, A().create(*db_, t.get(), kScope, 2));
    ASSERT_OK_AND_ASSIGN(EntityRef pending_parsed, EntityRef::Parse(pending.ToString()));
    ASSERT_OK_AND_ASSIGN(Versioned<Value> own, t->Get(pending_parsed));
    EXPECT_TRUE(A().holds(own.value, pending, 2, false)) << own.value.ToJson();
    ASSERT_OK_AND_ASSIGN(Versioned<Value> own_direct, A().read(*db_, t.get(), pending));
    EXPECT_EQ(own.value, own_direct.value);
    EXPECT_ERROR(db_->Get(pending), ErrorCode::kNotFound);  // Not committed.
    t->Rollback();
  }

  // An address that names nothing, in an existing run or in a missing run,
  // is NotFound, on both paths.
  const EntityRef absent = A().absent(kScope);
  EXPECT_ERROR(db_->Get(absent), ErrorCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(bool exists, db_->Exists(absent));
  EXPECT_FALSE(exists);
  EntityRef in_missing_run = ref;
  in_missing_run.run = "no-such-run";
  EXPECT_ERROR(db_->Get(in_missing_run), ErrorCode::kNotFound);
  {
    std::unique_ptr<Transaction> t = Begin();
    ASSERT_NE(t, nullptr);
    EXPECT_ERROR(t->Get(absent), ErrorCode::kNotFound);
    EXPECT_ERROR(t->Get(in_missing_run), ErrorCode::kNotFound);
  }
  // A malformed run id in an address is InvalidArgument.
  EntityRef bad_run = ref;
  bad_run.run = "bad run!";
  EXPECT_ERROR(db_->Get(bad_run), ErrorCode::kInvalidArgument);

  // Still reachable, unchanged, by a new process.
  Reopen();
  ASSERT_OK_AND_ASSIGN(Versioned<Value> reopened, db_->Get(parsed));
  EXPECT_EQ(reopened.value, got.value);
  EXPECT_EQ(reopened.version, got.version);
  EXPECT_EQ(reopened.timestamp_us, got.timestamp_us);
}

// ---------------------------------------------------------------------------
// 2. Versioned.

void ExpectSameHistory(const std::vector<KvVersion>& a, const std::vector<KvVersion>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].version, b[i].version) << i;
    EXPECT_EQ(a[i].timestamp_us, b[i].timestamp_us) << i;
    EXPECT_EQ(a[i].deleted, b[i].deleted) << i;
    EXPECT_EQ(a[i].value, b[i].value) << i;
  }
}

TEST_P(ConformanceTest, Versioned) {
  SCOPED_TRACE(A().lifecycle);
  const Version before = db_->CurrentVersion();
  const EntityRef ref = Create(kScope, 3);
  ASSERT_OK_AND_ASSIGN(Versioned<Value> v1, db_->Get(ref));
  EXPECT_EQ(v1.version, before + 1);

  // Something else commits in between: versions are database-wide.
  ASSERT_OK(db_->KvPut(kSide, "unrelated", Value(1)));
  // Make the commit timestamps distinct, so reads by time are unambiguous.
  std::this_thread::sleep_for(std::chrono::milliseconds(3));

  std::optional<Versioned<Value>> v2;
  if (A().update) {
    ASSERT_OK(A().update(*db_, nullptr, ref, 3));
    ASSERT_OK_AND_ASSIGN(Versioned<Value> now, db_->Get(ref));
    EXPECT_EQ(now.version, db_->CurrentVersion());
    EXPECT_EQ(now.version, v1.version + 2);
    EXPECT_GT(now.timestamp_us, v1.timestamp_us);
    EXPECT_TRUE(A().holds(now.value, ref, 3, true)) << now.value.ToJson();
    v2 = now;
  } else {
    // Immutable: later writes to the same primitive leave it as it was.
    const EntityRef other = Create(kScope, 4);
    ASSERT_OK_AND_ASSIGN(Versioned<Value> now, db_->Get(ref));
    EXPECT_EQ(now.version, v1.version);
    EXPECT_EQ(now.value, v1.value);
    ASSERT_OK_AND_ASSIGN(auto other_history, db_->History(other));
    EXPECT_EQ(other_history.size(), 1u);
  }

  // History: newest first, one entry per version of this entity.
  ASSERT_OK_AND_ASSIGN(std::vector<KvVersion> history, db_->History(ref));
  ASSERT_EQ(history.size(), v2.has_value() ? 2u : 1u);
  for (const KvVersion& h : history) EXPECT_FALSE(h.deleted);
  for (size_t i = 1; i < history.size(); ++i) {
    EXPECT_GT(history[i - 1].version, history[i].version);
    EXPECT_GE(history[i - 1].timestamp_us, history[i].timestamp_us);
  }
  EXPECT_EQ(history.back().version, v1.version);
  EXPECT_EQ(history.back().timestamp_us, v1.timestamp_us);
  EXPECT_EQ(history.back().value, v1.value);
  if (v2.has_value()) {
    EXPECT_EQ(history.front().version, v2->version);
    EXPECT_EQ(history.front().timestamp_us, v2->timestamp_us);
    EXPECT_EQ(history.front().value, v2->value);
    ASSERT_OK_AND_ASSIGN(auto newest, db_->History(ref, 1));
    ASSERT_EQ(newest.size(), 1u);
    EXPECT_EQ(newest[0].version, v2->version);
  }

  // By version.
  ASSERT_OK_AND_ASSIGN(Versioned<Value> at1, db_->GetAt(ref, v1.version));
  EXPECT_EQ(at1.value, v1.value);
  EXPECT_EQ(at1.version, v1.version);
  EXPECT_TRUE(A().holds(at1.value, ref, 3, false)) << at1.value.ToJson();
  // The unrelated commit in between still reads the old version.
  ASSERT_OK_AND_ASSIGN(Versioned<Value> at_between, db_->GetAt(ref, v1.version + 1));
  EXPECT_EQ(at_between.version, v1.version);
  if (v2.has_value()) {
    ASSERT_OK_AND_ASSIGN(Versioned<Value> at2, db_->GetAt(ref, v2->version));
    EXPECT_EQ(at2.value, v2->value);
    EXPECT_EQ(at2.version, v2->version);
  }
  EXPECT_ERROR(db_->GetAt(ref, v1.version - 1), ErrorCode::kNotFound);  // Before it existed.
  EXPECT_ERROR(db_->GetAt(ref, db_->CurrentVersion() + 1), ErrorCode::kVersionNotFound);

  // By time.
  ASSERT_OK_AND_ASSIGN(Versioned<Value> asof1, db_->GetAsOf(ref, v1.timestamp_us));
  EXPECT_EQ(asof1.version, v1.version);
  EXPECT_EQ(asof1.value, v1.value);
  EXPECT_EQ(asof1.timestamp_us, v1.timestamp_us);
  EXPECT_ERROR(db_->GetAsOf(ref, v1.timestamp_us - 1), ErrorCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(Versioned<Value> asof_now,
                       db_->GetAsOf(ref, std::numeric_limits<TimestampMicros>::max()));
  EXPECT_EQ(asof_now.version, history.front().version);
  if (v2.has_value()) {
    ASSERT_OK_AND_ASSIGN(Versioned<Value> asof_before2,
                         db_->GetAsOf(ref, v2->timestamp_us - 1));
    EXPECT_EQ(asof_before2.version, v1.version);
    ASSERT_OK_AND_ASSIGN(Versioned<Value> asof2, db_->GetAsOf(ref, v2->timestamp_us));
    EXPECT_EQ(asof2.version, v2->version);
  }

  // A new process reads the same history.
  Reopen();
  ASSERT_OK_AND_ASSIGN(std::vector<KvVersion> reopened, db_->History(ref));
  ExpectSameHistory(reopened, history);
  ASSERT_OK_AND_ASSIGN(Versioned<Value> reopened_at1, db_->GetAt(ref, v1.version));
  EXPECT_EQ(reopened_at1.value, v1.value);
}

// ---------------------------------------------------------------------------
// 3. Transactional.

TEST_P(ConformanceTest, RolledBackTransactionLeavesNothing) {
  SCOPED_TRACE(A().lifecycle);
  const Version before = db_->CurrentVersion();
  ASSERT_OK_AND_ASSIGN(uint64_t count_before, CountIn(kScope));
  std::vector<EntityRef> refs;
  {
    std::unique_ptr<Transaction> t = Begin();
    ASSERT_NE(t, nullptr);
    for (int i = 0; i < 2; ++i) {
      ASSERT_OK_AND_ASSIGN(EntityRef ref, A().create(*db_, t.get(), kScope, i));
      refs.push_back(ref);
    }
    ASSERT_OK(t->KvPut(kSide, "marker", Value(1)));
    for (int i = 0; i < 2; ++i) {
      ASSERT_OK_AND_ASSIGN(Versioned<Value> own, t->Get(refs[i]));  // Read your writes.
      EXPECT_TRUE(A().holds(own.value, refs[i], i, false)) << own.value.ToJson();
      EXPECT_ERROR(db_->Get(refs[i]), ErrorCode::kNotFound);  // Isolated.
    }
    t->Rollback();
    EXPECT_ERROR(t->Commit(), ErrorCode::kFailedPrecondition);
  }
  // A transaction dropped without a commit rolls back too.
  {
    std::unique_ptr<Transaction> t = Begin();
    ASSERT_NE(t, nullptr);
    ASSERT_OK(A().create(*db_, t.get(), kScope, 5));
    ASSERT_OK(t->KvPut(kSide, "marker2", Value(1)));
  }
  EXPECT_EQ(db_->CurrentVersion(), before);
  for (const EntityRef& ref : refs) {
    EXPECT_FALSE(Exists(ref)) << ref.ToString();
    EXPECT_ERROR(db_->History(ref), ErrorCode::kNotFound);
  }
  EXPECT_ERROR(db_->KvGet(kSide, "marker"), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->KvGet(kSide, "marker2"), ErrorCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(uint64_t count_after, CountIn(kScope));
  EXPECT_EQ(count_after, count_before);
  Reopen();
  EXPECT_EQ(db_->CurrentVersion(), before);
  for (const EntityRef& ref : refs) EXPECT_FALSE(Exists(ref)) << ref.ToString();
}

TEST_P(ConformanceTest, CommittedTransactionIsOneVersion) {
  SCOPED_TRACE(A().lifecycle);
  const Version before = db_->CurrentVersion();
  std::vector<EntityRef> refs;
  std::unique_ptr<Transaction> t = Begin();
  ASSERT_NE(t, nullptr);
  for (int i = 0; i < 2; ++i) {
    ASSERT_OK_AND_ASSIGN(EntityRef ref, A().create(*db_, t.get(), kScope, i));
    refs.push_back(ref);
  }
  ASSERT_OK(t->KvPut(kSide, "marker", Value(7)));
  ASSERT_OK(t->KvPut(kDefaultRun, "marker-in-default", Value(7)));  // Another run.
  ASSERT_OK_AND_ASSIGN(Version v, t->Commit());
  EXPECT_EQ(v, before + 1);
  EXPECT_EQ(db_->CurrentVersion(), v);
  EXPECT_NE(refs[0].ToString(), refs[1].ToString());
  for (int i = 0; i < 2; ++i) {
    ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db_->Get(refs[i]));
    EXPECT_EQ(got.version, v) << refs[i].ToString();
    EXPECT_TRUE(A().holds(got.value, refs[i], i, false)) << got.value.ToJson();
  }
  ASSERT_OK_AND_ASSIGN(Versioned<Value> marker, db_->KvGet(kSide, "marker"));
  EXPECT_EQ(marker.version, v);
  ASSERT_OK_AND_ASSIGN(Versioned<Value> other, db_->KvGet(kDefaultRun, "marker-in-default"));
  EXPECT_EQ(other.version, v);
  ASSERT_OK_AND_ASSIGN(uint64_t count, CountIn(kScope));
  EXPECT_EQ(count, 2u);
  Reopen();
  for (const EntityRef& ref : refs) {
    ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db_->Get(ref));
    EXPECT_EQ(got.version, v);
  }
}

TEST_P(ConformanceTest, ConflictingTransactionLeavesNothing) {
  SCOPED_TRACE(A().lifecycle);
  ASSERT_OK(db_->KvPut(kSide, "guard", Value(0)));
  const Version before = db_->CurrentVersion();
  const uint64_t conflicts_before = db_->Stats().conflicts;
  std::unique_ptr<Transaction> t = Begin();
  ASSERT_NE(t, nullptr);
  ASSERT_OK(t->KvGet(kSide, "guard"));  // In the read set.
  ASSERT_OK_AND_ASSIGN(EntityRef ref, A().create(*db_, t.get(), kScope, 0));
  ASSERT_OK(t->KvPut(kSide, "marker", Value(1)));
  ASSERT_OK(db_->KvPut(kSide, "guard", Value(1)));  // Commits first.
  EXPECT_ERROR(t->Commit(), ErrorCode::kConflict);
  EXPECT_EQ(db_->CurrentVersion(), before + 1);
  EXPECT_EQ(db_->Stats().conflicts, conflicts_before + 1);
  EXPECT_FALSE(Exists(ref)) << ref.ToString();
  EXPECT_ERROR(db_->KvGet(kSide, "marker"), ErrorCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(uint64_t count, CountIn(kScope));
  EXPECT_EQ(count, 0u);
  Reopen();
  EXPECT_FALSE(Exists(ref)) << ref.ToString();
  EXPECT_EQ(db_->CurrentVersion(), before + 1);
}

TEST_P(ConformanceTest, TransactionReadsASnapshot) {
  SCOPED_TRACE(A().lifecycle);
  const EntityRef ref = Create(kScope, 0);
  ASSERT_OK_AND_ASSIGN(Versioned<Value> old_value, db_->Get(ref));
  std::unique_ptr<Transaction> t = Begin();
  ASSERT_NE(t, nullptr);
  // Committed after the transaction began: invisible to it.
  const EntityRef later = Create(kScope, 1);
  EXPECT_ERROR(t->Get(later), ErrorCode::kNotFound);
  ASSERT_OK(db_->Get(later));
  if (A().update) {
    ASSERT_OK(A().update(*db_, nullptr, ref, 0));
    ASSERT_OK_AND_ASSIGN(Versioned<Value> seen, t->Get(ref));
    EXPECT_EQ(seen.value, old_value.value);
    EXPECT_EQ(seen.version, old_value.version);
    ASSERT_OK_AND_ASSIGN(Versioned<Value> direct, A().read(*db_, t.get(), ref));
    EXPECT_EQ(direct.version, old_value.version);
    ASSERT_OK_AND_ASSIGN(Versioned<Value> now, db_->Get(ref));
    EXPECT_TRUE(A().holds(now.value, ref, 0, true)) << now.value.ToJson();
  }
}

// ---------------------------------------------------------------------------
// 4. Lifecycle.

TEST_P(ConformanceTest, Lifecycle) {
  SCOPED_TRACE(A().lifecycle);
  const EntityRef ref = Create(kScope, 0);
  EXPECT_TRUE(Exists(ref));
  if (A().state) {
    ASSERT_OK_AND_ASSIGN(std::string state, A().state(*db_, ref));
    EXPECT_EQ(state, A().created_state);
  }
  if (A().update && !A().update_is_end) {
    ASSERT_OK(A().update(*db_, nullptr, ref, 0));
    EXPECT_TRUE(Exists(ref));
    if (A().state) {
      ASSERT_OK_AND_ASSIGN(std::string state, A().state(*db_, ref));
      EXPECT_EQ(state, A().created_state) << "an update does not end the entity";
    }
  }
  const bool updated = A().update && !A().update_is_end;
  ASSERT_OK_AND_ASSIGN(Versioned<Value> last_live, db_->Get(ref));

  ASSERT_OK(A().end(*db_, nullptr, ref, 0));
  const Version ended_at = db_->CurrentVersion();
  ASSERT_OK_AND_ASSIGN(std::set<std::string> listed, ListedRefs(kScope));
  if (A().end_deletes) {
    EXPECT_FALSE(Exists(ref));
    EXPECT_ERROR(db_->Get(ref), ErrorCode::kNotFound);
    EXPECT_EQ(listed.count(ref.ToString()), 0u);
    // The history shows the delete as a tombstone on top of what it was.
    ASSERT_OK_AND_ASSIGN(std::vector<KvVersion> history, db_->History(ref));
    ASSERT_GE(history.size(), 2u);
    EXPECT_TRUE(history.front().deleted);
    EXPECT_EQ(history.front().version, ended_at);
    EXPECT_FALSE(history[1].deleted);
    EXPECT_EQ(history[1].value, last_live.value);
    ASSERT_OK_AND_ASSIGN(Versioned<Value> old, db_->GetAt(ref, ended_at - 1));
    EXPECT_EQ(old.value, last_live.value);
    EXPECT_ERROR(db_->GetAsOf(ref, std::numeric_limits<TimestampMicros>::max()),
                 ErrorCode::kNotFound);
  } else {
    EXPECT_TRUE(Exists(ref)) << "a closed entity stays readable";
    EXPECT_EQ(listed.count(ref.ToString()), 1u);
    ASSERT_OK_AND_ASSIGN(std::string state, A().state(*db_, ref));
    EXPECT_EQ(state, A().ended_state);
    ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db_->Get(ref));
    EXPECT_TRUE(A().holds(got.value, ref, 0, updated || A().update_is_end))
        << got.value.ToJson();
  }

  // Ending twice is refused and writes nothing.
  EXPECT_ERROR(A().end(*db_, nullptr, ref, 0), A().end_again_error);
  EXPECT_EQ(db_->CurrentVersion(), ended_at);

  Reopen();
  EXPECT_EQ(Exists(ref), !A().end_deletes);
  if (A().state && !A().end_deletes) {
    ASSERT_OK_AND_ASSIGN(std::string state, A().state(*db_, ref));
    EXPECT_EQ(state, A().ended_state);
  }
  if (A().end_deletes) {
    // A deleted entity can be created again, as a new version.
    const EntityRef again = Create(kScope, 0);
    EXPECT_EQ(again, ref);
    EXPECT_TRUE(Exists(ref));
    ASSERT_OK_AND_ASSIGN(std::vector<KvVersion> history, db_->History(ref));
    EXPECT_EQ(history.size(), updated ? 4u : 3u);
  }
}

// ---------------------------------------------------------------------------
// 5. Within a run.

TEST_P(ConformanceTest, EntitiesLiveInARun) {
  SCOPED_TRACE(A().lifecycle);
  NewRun("other");
  const EntityRef ref = Create(kScope, 0);
  const EntityRef twin = Create("other", 0);
  ASSERT_NE(ref.ToString(), twin.ToString()) << "the run is part of the address";
  if (A().entity_is_run) {
    ASSERT_OK_AND_ASSIGN(Versioned<RunInfo> info, db_->GetRun(ref.run));
    EXPECT_EQ(info.value.parent, kScope);
  } else {
    EXPECT_EQ(ref.run, kScope);
  }
  ASSERT_OK_AND_ASSIGN(bool run_exists, db_->RunExists(ref.run));
  EXPECT_TRUE(run_exists);

  ASSERT_OK(db_->DeleteRun(ref.run));
  EXPECT_FALSE(Exists(ref));
  EXPECT_ERROR(db_->Get(ref), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->Count(ref.run, A().primitive), ErrorCode::kNotFound);
  if (A().entity_is_run) {
    ASSERT_OK_AND_ASSIGN(std::set<std::string> listed, ListedRefs(kScope));
    EXPECT_EQ(listed.count(ref.ToString()), 0u);
  } else {
    // Listing a run that does not exist is NotFound, like every other read
    // of a missing run ("NotFound: the key or run does not exist").
    EXPECT_ERROR(A().list(*db_, kScope), ErrorCode::kNotFound);
  }
  // The same entity in another run is untouched.
  ASSERT_OK_AND_ASSIGN(Versioned<Value> other, db_->Get(twin));
  EXPECT_TRUE(A().holds(other.value, twin, 0, false)) << other.value.ToJson();

  // Writing into a run that does not exist: NotFound, on both paths, and
  // nothing is written.
  const Version before = db_->CurrentVersion();
  EXPECT_ERROR(A().create(*db_, nullptr, "missing", 1), ErrorCode::kNotFound);
  EXPECT_ERROR(A().create(*db_, nullptr, ref.run, 1), ErrorCode::kNotFound);  // Deleted.
  EXPECT_ERROR(InTxn([&](Transaction& t) { return A().create(*db_, &t, "missing", 1).status(); }),
               ErrorCode::kNotFound);
  EXPECT_ERROR(A().create(*db_, nullptr, "bad run!", 1), ErrorCode::kInvalidArgument);
  if (A().update) {
    EXPECT_ERROR(A().update(*db_, nullptr, ref, 0), ErrorCode::kNotFound);
  }
  EXPECT_EQ(db_->CurrentVersion(), before);

  // Writing into a run that has ended is refused.
  if (!A().entity_is_run) {  // A child run is not a write into its parent.
    ASSERT_OK(db_->EndRun("other", RunStatus::kCompleted));
    const Version ended = db_->CurrentVersion();
    EXPECT_ERROR(A().create(*db_, nullptr, "other", 1), ErrorCode::kFailedPrecondition);
    EXPECT_ERROR(
        InTxn([&](Transaction& t) { return A().create(*db_, &t, "other", 1).status(); }),
        ErrorCode::kFailedPrecondition);
    EXPECT_EQ(db_->CurrentVersion(), ended);
    ASSERT_OK(db_->Get(twin));  // Reads work in every state.
  }

  Reopen();
  EXPECT_FALSE(Exists(ref));
  EXPECT_TRUE(Exists(twin));
  // Re-creating the run does not bring its old entities back.
  if (!A().entity_is_run) {
    NewRun(kScope);
    EXPECT_FALSE(Exists(ref));
    ASSERT_OK_AND_ASSIGN(uint64_t count, db_->Count(kScope, A().primitive));
    EXPECT_EQ(count, 0u);
    ASSERT_OK_AND_ASSIGN(std::set<std::string> listed, ListedRefs(kScope));
    EXPECT_TRUE(listed.empty());
  } else {
    NewRun(ref.run);
    ASSERT_OK_AND_ASSIGN(Versioned<Value> fresh, db_->Get(ref));
    EXPECT_FALSE(A().holds(fresh.value, ref, 0, false)) << "old metadata came back";
  }
}

// ---------------------------------------------------------------------------
// 6. Introspectable.

TEST_P(ConformanceTest, Introspectable) {
  SCOPED_TRACE(A().lifecycle);
  EXPECT_EQ(db_->Stats().durability, mode_);
  ASSERT_OK_AND_ASSIGN(uint64_t initial, CountIn(kScope));
  EXPECT_EQ(initial, 0u);
  std::vector<EntityRef> refs;
  std::set<std::string> texts;
  for (int i = 0; i < 3; ++i) {
    const DatabaseStats before = db_->Stats();
    refs.push_back(Create(kScope, i));
    texts.insert(refs.back().ToString());
    const DatabaseStats after = db_->Stats();
    EXPECT_EQ(after.commits, before.commits + 1);
    EXPECT_EQ(after.current_version, before.current_version + 1);
    EXPECT_EQ(after.current_version, db_->CurrentVersion());
    EXPECT_GT(after.live_keys, before.live_keys);
    EXPECT_GT(after.stored_versions, before.stored_versions);
    if (mode_ != DurabilityMode::kInMemory) {
      EXPECT_GT(after.wal_bytes, 0u);
    }
    ASSERT_OK_AND_ASSIGN(uint64_t n, CountIn(kScope));
    EXPECT_EQ(n, static_cast<uint64_t>(i + 1));
  }
  EXPECT_EQ(texts.size(), 3u);
  if (!A().entity_is_run) {
    ASSERT_OK_AND_ASSIGN(uint64_t n, db_->Count(kScope, A().primitive));
    EXPECT_EQ(n, 3u);
  }
  ASSERT_OK_AND_ASSIGN(std::set<std::string> listed, ListedRefs(kScope));
  EXPECT_EQ(listed, texts);
  for (const EntityRef& ref : refs) {
    EXPECT_TRUE(Exists(ref));
    ASSERT_OK_AND_ASSIGN(auto history, db_->History(ref));
    EXPECT_EQ(history.size(), 1u);
  }
  EXPECT_FALSE(Exists(A().absent(kScope)));
  EXPECT_ERROR(db_->History(A().absent(kScope)), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->History(refs[0], 0), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(db_->Count("missing", A().primitive), ErrorCode::kNotFound);
  EXPECT_ERROR(db_->Count("bad run!", A().primitive), ErrorCode::kInvalidArgument);

  // Ending one entity: it leaves the listing and the count if it is deleted.
  const DatabaseStats before_end = db_->Stats();
  ASSERT_OK(A().end(*db_, nullptr, refs[1], 1));
  ASSERT_OK_AND_ASSIGN(uint64_t n, CountIn(kScope));
  ASSERT_OK_AND_ASSIGN(listed, ListedRefs(kScope));
  if (A().end_deletes) {
    EXPECT_EQ(n, 2u);
    texts.erase(refs[1].ToString());
    EXPECT_EQ(db_->Stats().live_keys, before_end.live_keys - 1);
  } else {
    EXPECT_EQ(n, 3u);
  }
  EXPECT_EQ(listed, texts);
  EXPECT_EQ(Exists(refs[1]), !A().end_deletes);

  Reopen();
  ASSERT_OK_AND_ASSIGN(uint64_t reopened_count, CountIn(kScope));
  EXPECT_EQ(reopened_count, n);
  ASSERT_OK_AND_ASSIGN(listed, ListedRefs(kScope));
  EXPECT_EQ(listed, texts);
  if (mode_ != DurabilityMode::kInMemory) {
    EXPECT_GT(db_->Stats().recovered_records, 0u);
  }
}

// Search (SPEC section 6): every primitive answers keyword search over the
// text it contributes, with and without the keyword index, following its
// lifecycle, in a transaction's view (own writes included), and the same
// after a reopen.
TEST_P(ConformanceTest, Searchable) {
  SCOPED_TRACE(A().lifecycle);
  for (bool indexed : {false, true}) {
    SCOPED_TRACE(indexed ? "indexed" : "scan");
    indexed_ = indexed;
    db_.reset();
    dir_.reset();
    OpenDb(mode_);
    if (HasFatalFailure()) return;
    NewRun(kScope);
    NewRun(kSide);
    // Every entity's text holds "old" (its payload {"i": i, "v": "old"}).
    SearchRequest req;
    req.query = "old";
    req.k = 100;
    req.filter.primitives = {A().primitive};
    if (!A().entity_is_run) req.filter.runs = {kScope};
    auto found = [&](Transaction* txn) -> std::set<std::string> {
      absl::StatusOr<SearchResponse> r = txn != nullptr ? txn->Search(req) : db_->Search(req);
      EXPECT_TRUE(r.ok()) << r.status();
      std::set<std::string> out;
      if (!r.ok()) return out;
      for (const SearchHit& h : r->hits) {
        out.insert(h.ref.ToString());
        EXPECT_EQ(h.ranks.size(), 1u);
        if (!h.ranks.empty()) {
          EXPECT_EQ(h.ranks[0].list, "keyword:" + std::string(PrimitiveName(A().primitive)));
        }
      }
      return out;
    };
    std::set<std::string> texts;
    std::vector<EntityRef> refs;
    for (int i = 0; i < 3; ++i) {
      refs.push_back(Create(kScope, i));
      texts.insert(refs.back().ToString());
    }
    EXPECT_EQ(found(nullptr), texts);

    // A transaction sees what it created; nobody else does, and a rollback
    // leaves nothing.
    std::unique_ptr<Transaction> t = Begin();
    ASSERT_NE(t, nullptr);
    absl::StatusOr<EntityRef> mine = A().create(*db_, t.get(), kScope, 3);
    ASSERT_OK(mine.status());
    std::set<std::string> with_mine = texts;
    with_mine.insert(mine->ToString());
    EXPECT_EQ(found(t.get()), with_mine);
    EXPECT_EQ(found(nullptr), texts);
    t->Rollback();
    EXPECT_EQ(found(nullptr), texts);

    // Ending an entity takes it out of search exactly when it deletes it.
    ASSERT_OK(A().end(*db_, nullptr, refs[1], 1));
    if (A().end_deletes) texts.erase(refs[1].ToString());
    EXPECT_EQ(found(nullptr), texts);

    Reopen();
    if (HasFatalFailure()) return;
    EXPECT_EQ(found(nullptr), texts);
  }
  indexed_ = false;
}

// ---------------------------------------------------------------------------
// 7. Same semantics on every path: fast path vs one-operation transaction.

// What one operation did: its error code, how many commit versions it
// consumed, and (for reads) what it returned with the volatile fields
// removed.
struct Outcome {
  ErrorCode code = ErrorCode::kOk;
  Version versions = 0;
  std::optional<Value> value;
  std::string ToString() const {
    return absl::StrCat(std::string(ErrorName(code)), " +", versions, " ",
                        value.has_value() ? value->ToJson() : "-");
  }
  friend bool operator==(const Outcome&, const Outcome&) = default;
  friend void PrintTo(const Outcome& o, std::ostream* os) { *os << o.ToString(); }
};

TEST_P(ConformanceTest, FastPathMatchesOneOperationTransaction) {
  SCOPED_TRACE(A().lifecycle);
  const PrimitiveAdapter& a = A();
  struct Path {
    std::string run;
    bool txn = false;
    std::optional<EntityRef> ref;
    std::vector<std::string> steps;
    std::vector<Outcome> outcomes;
  };
  Path paths[2] = {{"p-fast", false, {}, {}, {}}, {"p-txn", true, {}, {}, {}}};

  auto normalize = [&](Value v) {
    if (v.is_object()) {
      for (const std::string& f : a.volatile_fields) v.MutableObject().erase(f);
    }
    return v;
  };
  // Runs a write on path p: the fast path, or alone in a transaction that
  // is then committed.
  auto write = [&](Path& p, const std::string& step,
                   const std::function<absl::Status(Transaction*)>& op) {
    const Version before = db_->CurrentVersion();
    absl::Status s;
    if (p.txn) {
      s = InTxn([&](Transaction& t) { return op(&t); });
    } else {
      s = op(nullptr);
    }
    p.steps.push_back(step);
    p.outcomes.push_back(Outcome{GetErrorCode(s), db_->CurrentVersion() - before, {}});
  };
  auto read = [&](Path& p, const std::string& step, const EntityRef& ref) {
    absl::StatusOr<Versioned<Value>> got;
    if (p.txn) {
      std::unique_ptr<Transaction> t = Begin();
      got = t->Get(ref);
    } else {
      got = db_->Get(ref);
    }
    Outcome o{GetErrorCode(got.status()), 0, {}};
    if (got.ok()) o.value = normalize(got->value);
    p.steps.push_back(step);
    p.outcomes.push_back(o);
  };
  auto create = [&](Path& p, const std::string& step, const std::string& run, int i) {
    write(p, step, [&](Transaction* t) -> absl::Status {
      absl::StatusOr<EntityRef> r = a.create(*db_, t, run, i);
      if (r.ok() && run == p.run) p.ref = *r;
      return r.status();
    });
  };

  for (Path& p : paths) {
    SCOPED_TRACE(p.run);
    NewRun(p.run);
    create(p, "create", p.run, 0);
    ASSERT_TRUE(p.ref.has_value());
    read(p, "get", *p.ref);
    if (a.update) {
      write(p, "update", [&](Transaction* t) { return a.update(*db_, t, *p.ref, 0); });
      read(p, "get after update", *p.ref);
    }
    write(p, "end", [&](Transaction* t) { return a.end(*db_, t, *p.ref, 0); });
    read(p, "get after end", *p.ref);
    write(p, "end again", [&](Transaction* t) { return a.end(*db_, t, *p.ref, 0); });
    const EntityRef absent = a.absent(p.run);
    write(p, "end of an absent entity",
          [&](Transaction* t) { return a.end(*db_, t, absent, 0); });
    read(p, "get of an absent entity", absent);
    // Nothing, not even a tombstone, was recorded for it.
    p.steps.push_back("history of an absent entity");
    p.outcomes.push_back(Outcome{GetErrorCode(db_->History(absent).status()), 0, {}});
    if (a.update) {
      // For KV and state cells this creates it.
      write(p, "update of an absent entity",
            [&](Transaction* t) { return a.update(*db_, t, absent, 0); });
    }
    // Creating again after the end (for events, into the ended run).
    create(p, "create again", p.run, 0);
    create(p, "create in a missing run", "p-missing", 1);
    create(p, "create in a malformed run", "bad run!", 1);
    EntityRef in_missing = *p.ref;
    in_missing.run = a.entity_is_run ? "p-missing-r0" : "p-missing";
    read(p, "get in a missing run", in_missing);
  }

  // Absolute expectations on the fast path, so the comparison is not
  // vacuous.
  const Path& fast = paths[0];
  auto outcome = [&](const std::string& step) {
    auto it = std::find(fast.steps.begin(), fast.steps.end(), step);
    EXPECT_NE(it, fast.steps.end()) << step;
    return it == fast.steps.end() ? Outcome{} : fast.outcomes[it - fast.steps.begin()];
  };
  EXPECT_EQ(outcome("create").code, ErrorCode::kOk);
  EXPECT_EQ(outcome("create").versions, 1u);
  EXPECT_EQ(outcome("get").code, ErrorCode::kOk);
  EXPECT_EQ(outcome("end again").code, a.end_again_error);
  EXPECT_EQ(outcome("get of an absent entity").code, ErrorCode::kNotFound);
  EXPECT_EQ(outcome("history of an absent entity").code, ErrorCode::kNotFound);
  EXPECT_EQ(outcome("create in a missing run").code, ErrorCode::kNotFound);
  EXPECT_EQ(outcome("create in a malformed run").code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(outcome("get in a missing run").code, ErrorCode::kNotFound);

  ASSERT_EQ(paths[0].steps, paths[1].steps);
  for (size_t i = 0; i < paths[0].outcomes.size(); ++i) {
    EXPECT_EQ(paths[0].outcomes[i], paths[1].outcomes[i])
        << "step \"" << paths[0].steps[i] << "\": fast path "
        << paths[0].outcomes[i].ToString() << ", one-operation transaction "
        << paths[1].outcomes[i].ToString();
  }
  // Both paths leave the same entities and histories behind.
  ASSERT_OK_AND_ASSIGN(uint64_t fast_count, CountIn("p-fast"));
  ASSERT_OK_AND_ASSIGN(uint64_t txn_count, CountIn("p-txn"));
  EXPECT_EQ(fast_count, txn_count);
}

INSTANTIATE_TEST_SUITE_P(
    Primitives, ConformanceTest,
    ::testing::Combine(::testing::Range<size_t>(0, Adapters().size()),
                       ::strata::testing::AllDurabilityModes()),
    ParamName);

// ---------------------------------------------------------------------------
// Cross-primitive atomicity: one transaction writing KV + event + state +
// trace + a run is all-or-nothing.

class CrossPrimitiveTest : public ::testing::TestWithParam<DurabilityMode>,
                           public DatabaseFixture {
 protected:
  void SetUp() override {
    OpenDb(GetParam());
    if (HasFatalFailure()) return;
    NewRun("x");
  }
  // Writes one entity of every primitive, tagged `i`.
  static absl::Status WriteAll(Transaction& t, int i) {
    const Value v = Payload(i, false);
    absl::Status s = t.KvPut("x", absl::StrCat("k", i), v);
    if (s.ok()) s = t.EventAppend("x", "step", v).status();
    if (s.ok()) s = t.StateSet("x", absl::StrCat("s", i), v);
    if (s.ok()) {
      SpanSpec spec;
      spec.name = absl::StrCat("span", i);
      spec.input = v;
      s = t.TraceRecord("x", spec).status();
    }
    if (s.ok()) s = t.CreateRun(absl::StrCat("x-child", i));
    if (s.ok()) s = t.KvPut(kDefaultRun, absl::StrCat("d", i), v);
    return s;
  }
  // How many of the six entities of `i` exist (seq/id are `nth`).
  int Present(int i, uint64_t nth) {
    int n = 0;
    const std::vector<EntityRef> refs = {
        {"x", Primitive::kKv, absl::StrCat("k", i), {}, {}},
        {"x", Primitive::kEvent, "", {}, nth},
        {"x", Primitive::kState, absl::StrCat("s", i), {}, {}},
        {"x", Primitive::kTrace, absl::StrCat(nth), {}, {}},
        {absl::StrCat("x-child", i), Primitive::kRun, "", {}, {}},
        {kDefaultRun, Primitive::kKv, absl::StrCat("d", i), {}, {}},
    };
    for (const EntityRef& ref : refs) {
      absl::StatusOr<bool> e = db_->Exists(ref);
      EXPECT_TRUE(e.ok()) << ref.ToString() << ": " << e.status();
      if (e.ok() && *e) ++n;
    }
    return n;
  }
};

TEST_P(CrossPrimitiveTest, ConflictLeavesNoneOfThem) {
  ASSERT_OK(db_->KvPut("x", "guard", Value(0)));
  const Version before = db_->CurrentVersion();
  std::unique_ptr<Transaction> t = Begin();
  ASSERT_NE(t, nullptr);
  ASSERT_OK(t->KvGet("x", "guard"));
  ASSERT_OK(WriteAll(*t, 1));
  ASSERT_OK(db_->KvPut("x", "guard", Value(1)));
  EXPECT_ERROR(t->Commit(), ErrorCode::kConflict);
  EXPECT_EQ(db_->CurrentVersion(), before + 1);
  EXPECT_EQ(Present(1, 1), 0);
  ASSERT_OK_AND_ASSIGN(uint64_t events, db_->EventLength("x"));
  EXPECT_EQ(events, 0u);
  ASSERT_OK_AND_ASSIGN(uint64_t spans, db_->TraceCount("x"));
  EXPECT_EQ(spans, 0u);
  ASSERT_OK_AND_ASSIGN(bool child, db_->RunExists("x-child1"));
  EXPECT_FALSE(child);
  Reopen();
  EXPECT_EQ(Present(1, 1), 0);
  EXPECT_EQ(db_->CurrentVersion(), before + 1);
}

TEST_P(CrossPrimitiveTest, CommitMakesAllVisibleAtOneVersion) {
  // The first attempt conflicts (a concurrent commit changes what it read);
  // the retry commits. Nothing of the first attempt may leak.
  int attempts = 0;
  ASSERT_OK_AND_ASSIGN(Version v, db_->Transact([&](Transaction& t) -> absl::Status {
    ++attempts;
    absl::StatusOr<bool> guard = t.KvExists("x", "guard");
    if (!guard.ok()) return guard.status();
    absl::Status s = WriteAll(t, 2);
    if (!s.ok()) return s;
    if (attempts == 1) return db_->KvPut("x", "guard", Value(1)).status();
    return absl::OkStatus();
  }));
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(Present(2, 1), 6);
  for (const EntityRef& ref : std::vector<EntityRef>{
           {"x", Primitive::kKv, "k2", {}, {}},
           {"x", Primitive::kEvent, "", {}, uint64_t{1}},
           {"x", Primitive::kState, "s2", {}, {}},
           {"x", Primitive::kTrace, "1", {}, {}},
           {"x-child2", Primitive::kRun, "", {}, {}},
           {kDefaultRun, Primitive::kKv, "d2", {}, {}}}) {
    ASSERT_OK_AND_ASSIGN(Versioned<Value> got, db_->Get(ref));
    EXPECT_EQ(got.version, v) << ref.ToString();
  }
  ASSERT_OK_AND_ASSIGN(uint64_t events, db_->EventLength("x"));
  EXPECT_EQ(events, 1u);
  ASSERT_OK_AND_ASSIGN(uint64_t spans, db_->TraceCount("x"));
  EXPECT_EQ(spans, 1u);
  ASSERT_OK_AND_ASSIGN(ChainReport chain, db_->EventVerifyChain("x"));
  EXPECT_TRUE(chain.valid) << chain.problem;
  Reopen();
  EXPECT_EQ(Present(2, 1), 6);
  ASSERT_OK_AND_ASSIGN(Versioned<Value> k, db_->Get(EntityRef{"x", Primitive::kKv, "k2", {}, {}}));
  EXPECT_EQ(k.version, v);
}

TEST_P(CrossPrimitiveTest, FailedOperationThenRollbackLeavesNone) {
  // An operation that fails in the middle of a transaction (a span with a
  // parent that does not exist) and the application rolls back.
  std::unique_ptr<Transaction> t = Begin();
  ASSERT_NE(t, nullptr);
  ASSERT_OK(WriteAll(*t, 3));
  SpanSpec orphan;
  orphan.name = "orphan";
  orphan.parent = 77;
  EXPECT_ERROR(t->TraceRecord("x", orphan), ErrorCode::kNotFound);
  t->Rollback();
  EXPECT_EQ(Present(3, 1), 0);
}

INSTANTIATE_TEST_SUITE_P(Modes, CrossPrimitiveTest, ::strata::testing::AllDurabilityModes(),
                         ::strata::testing::DurabilityModeParamName());

// The generic entity API refuses addresses it cannot serve.
TEST(EntityApiTest, MalformedAddressesAreInvalidArgument) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, Database::OpenInMemory());
  const std::vector<EntityRef> bad = {
      {kDefaultRun, Primitive::kEvent, "abc", {}, {}},      // Not a seq.
      {kDefaultRun, Primitive::kEvent, "", {}, {}},         // No seq.
      {kDefaultRun, Primitive::kTrace, "0", {}, {}},        // Span ids start at 1.
      {kDefaultRun, Primitive::kTrace, "1x", {}, {}},
      {kDefaultRun, Primitive::kRun, "key", {}, {}},        // A run has no key.
      {kDefaultRun, Primitive::kKv, "", {}, {}},            // Empty key.
      {kDefaultRun, Primitive::kState, "", {}, {}},
      // Non-canonical or ill-shaped: they would not survive the text form,
      // so they must not alias an entity.
      {kDefaultRun, Primitive::kTrace, "01", {}, {}},       // Leading zero.
      {kDefaultRun, Primitive::kEvent, "01", {}, {}},
      {kDefaultRun, Primitive::kEvent, "", {}, uint64_t{0}},  // Seqs start at 1.
      {kDefaultRun, Primitive::kEvent, "1", {}, uint64_t{1}},  // Key and seq.
      {kDefaultRun, Primitive::kTrace, "", {}, uint64_t{1}},   // Only events have a seq.
      {kDefaultRun, Primitive::kKv, "k", {}, uint64_t{1}},
      {kDefaultRun, Primitive::kKv, "k", std::string("/a"), {}},  // Only json has a path.
      {kDefaultRun, Primitive::kJson, "", {}, {}},          // Empty id.
      {kDefaultRun, Primitive::kJson, "doc", {}, uint64_t{1}},
      {kDefaultRun, Primitive::kVector, "coll", {}, {}},    // No "/<key>".
      {kDefaultRun, Primitive::kVector, "coll/", {}, {}},   // Empty key.
      {kDefaultRun, Primitive::kVector, "/key", {}, {}},    // Empty collection.
  };
  for (const EntityRef& ref : bad) {
    SCOPED_TRACE(ref.ToString());
    EXPECT_ERROR(db->Get(ref), ErrorCode::kInvalidArgument);
    EXPECT_ERROR(db->Exists(ref), ErrorCode::kInvalidArgument);
    EXPECT_ERROR(db->GetAt(ref, 0), ErrorCode::kInvalidArgument);
    EXPECT_ERROR(db->GetAsOf(ref, 0), ErrorCode::kInvalidArgument);
    EXPECT_ERROR(db->History(ref), ErrorCode::kInvalidArgument);
  }
  ASSERT_OK_AND_ASSIGN(uint64_t vectors, db->Count(kDefaultRun, Primitive::kVector));
  EXPECT_EQ(vectors, 0u);
  // Those that do name an entity still work, and ill-shaped refs never
  // reach it.
  ASSERT_OK(db->KvPut(kDefaultRun, "k", Value(1)));
  ASSERT_OK(db->EventAppend(kDefaultRun, "t", Value(1)));
  SpanSpec spec;
  spec.name = "s";
  ASSERT_OK(db->TraceRecord(kDefaultRun, spec));
  ASSERT_OK(db->Get(EntityRef{kDefaultRun, Primitive::kKv, "k", {}, {}}));
  ASSERT_OK(db->Get(EntityRef{kDefaultRun, Primitive::kEvent, "", {}, uint64_t{1}}));
  ASSERT_OK(db->Get(EntityRef{kDefaultRun, Primitive::kTrace, "1", {}, {}}));
  for (const EntityRef& ref : bad) {
    SCOPED_TRACE(ref.ToString());
    EXPECT_ERROR(db->Get(ref), ErrorCode::kInvalidArgument);
  }
  // The default run is always addressable.
  ASSERT_OK_AND_ASSIGN(Versioned<Value> def,
                       db->Get(EntityRef{kDefaultRun, Primitive::kRun, "", {}, {}}));
  EXPECT_TRUE(FieldIs(def.value, "status", Value("active"))) << def.value.ToJson();
  ASSERT_OK_AND_ASSIGN(uint64_t n, db->Count(kDefaultRun, Primitive::kRun));
  EXPECT_EQ(n, 1u);
}

}  // namespace
}  // namespace strata
