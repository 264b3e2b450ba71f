// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
#ifndef STRATA_VERSION_HPP_
#define STRATA_VERSION_HPP_

#define STRATA_VERSION_MAJOR 0
#define STRATA_VERSION_MINOR 1
#define STRATA_VERSION_PATCH 0
#define STRATA_VERSION_STRING "0.1.0"

#endif  // STRATA_VERSION_HPP_
