// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// STRATA_EXPORT marks the symbols that form the public ABI. The library is
// compiled with -fvisibility=hidden, so everything else stays internal when it
// is built as a shared object.
#ifndef STRATA_EXPORT_HPP_
#define STRATA_EXPORT_HPP_

#if defined(_WIN32)
#define STRATA_EXPORT
#else
#define STRATA_EXPORT __attribute__((visibility("default")))
#endif

#endif  // STRATA_EXPORT_HPP_
