// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Entities by address: maps an EntityRef to the store key that holds the
// entity and renders a stored value as the entity's Value. This is what
// makes every primitive reachable, versioned and introspectable through one
// interface (Database::Get, GetAt, GetAsOf, History, Count).
//
// Thread safety: stateless functions.
#ifndef STRATA_PRIMITIVES_ENTITY_HPP_
#define STRATA_PRIMITIVES_ENTITY_HPP_

#include <string>

#include "absl/status/statusor.h"
#include "primitives/context.hpp"
#include "strata/types.hpp"
#include "strata/value.hpp"

namespace strata::primitives {

// The store key of the entity `ref` names. InvalidArgument for a malformed
// ref or a primitive this version does not store.
absl::StatusOr<std::string> EntityStoreKey(const EntityRef& ref);
// The entity's Value from what is stored under its key.
absl::StatusOr<Value> RenderEntity(const EntityRef& ref, const Value& stored);
// The entity's text form, for errors.
std::string EntityText(const EntityRef& ref);

// The entity in c's view. NotFound if it does not exist.
absl::StatusOr<Versioned<Value>> GetEntity(OpContext& c, const EntityRef& ref);
// Live entities of `primitive` in the run.
absl::StatusOr<uint64_t> CountEntities(OpContext& c, std::string_view run,
                                       Primitive primitive);

}  // namespace strata::primitives

#endif  // STRATA_PRIMITIVES_ENTITY_HPP_
