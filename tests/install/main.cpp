// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
#include <cstdio>

#include <strata/strata.hpp>

int main() {
  auto db = strata::Database::OpenInMemory();
  if (!db.ok()) return 1;
  auto v = (*db)->KvPut("default", "greeting", "hello from an installed Strata");
  if (!v.ok()) return 2;
  auto got = (*db)->KvGet("default", "greeting");
  if (!got.ok() || got->value.AsString() != "hello from an installed Strata") return 3;
  std::printf("consumer ok: %s (version %llu, strata %s)\n", got->value.AsString().c_str(),
              static_cast<unsigned long long>(got->version), STRATA_VERSION_STRING);
  return 0;
}
