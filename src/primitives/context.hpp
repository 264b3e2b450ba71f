// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// OpContext: what a primitive operation works with -- the transaction it
// reads and writes through, the run registry that guards writes into runs,
// and the database's limits. Primitives own no storage: every operation is a
// function of an OpContext and its arguments.
//
// Thread safety: an OpContext is used by one thread at a time.
#ifndef STRATA_PRIMITIVES_CONTEXT_HPP_
#define STRATA_PRIMITIVES_CONTEXT_HPP_

#include <cstdint>

#include "txn/transaction_impl.hpp"

namespace strata::primitives {

class RunRegistry;
class VectorRegistry;
class SearchRegistry;

struct OpContext {
  txn::TxnContext& txn;
  RunRegistry& runs;
  uint64_t max_value_bytes;
  VectorRegistry* vectors;
  SearchRegistry* search;
};

}  // namespace strata::primitives

#endif  // STRATA_PRIMITIVES_CONTEXT_HPP_
