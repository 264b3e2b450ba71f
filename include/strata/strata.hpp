// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Strata: an embeddable memory store for AI agents. Include this header and
// link Strata::strata.
#ifndef STRATA_STRATA_HPP_
#define STRATA_STRATA_HPP_

#include "strata/database.hpp"
#include "strata/options.hpp"
#include "strata/primitives.hpp"
#include "strata/search.hpp"
#include "strata/status.hpp"
#include "strata/types.hpp"
#include "strata/value.hpp"
#include "strata/vector.hpp"
#include "strata/version.hpp"

#endif  // STRATA_STRATA_HPP_
