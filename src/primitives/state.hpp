// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// State cells: named Values with compare-and-swap on their commit version.
// A cell is stored as its value under (Primitive::kState, run, name); its
// version is the commit version that last wrote it.
//
// Thread safety: stateless functions over an OpContext.
#ifndef STRATA_PRIMITIVES_STATE_HPP_
#define STRATA_PRIMITIVES_STATE_HPP_

#include <functional>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "primitives/context.hpp"
#include "strata/database.hpp"

namespace strata::primitives {

absl::Status StateInit(OpContext& c, std::string_view run, std::string_view name,
                       Value value);
absl::StatusOr<Versioned<Value>> StateRead(OpContext& c, std::string_view run,
                                           std::string_view name);
absl::Status StateSet(OpContext& c, std::string_view run, std::string_view name,
                      Value value);
absl::Status StateCas(OpContext& c, std::string_view run, std::string_view name,
                      Version expected_version, Value value);
absl::Status StateDelete(OpContext& c, std::string_view run, std::string_view name);
absl::StatusOr<KvPage> StateList(OpContext& c, std::string_view run,
                                 const ListRequest& request);
// One attempt of a transition: read, apply `fn`, write. Returns the value
// written.
absl::StatusOr<Value> StateTransitionOnce(OpContext& c, std::string_view run,
                                          std::string_view name,
                                          const Database::StateTransitionFn& fn);

}  // namespace strata::primitives

#endif  // STRATA_PRIMITIVES_STATE_HPP_
