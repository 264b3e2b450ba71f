// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// StoreKey: how (primitive, run, key) is laid out as one byte string in the
// in-memory store:
//
//   [primitive: 1 byte][run length: 1 byte][run bytes][key bytes]
//
// Bytewise order of store keys is (primitive, run length, run, key), so all
// keys of one (primitive, run) namespace are contiguous and sorted by key,
// which is what prefix scans need.
//
// Thread safety: pure functions.
#ifndef STRATA_STORAGE_STORE_KEY_HPP_
#define STRATA_STORAGE_STORE_KEY_HPP_

#include <string>
#include <string_view>

#include "strata/types.hpp"

namespace strata::storage {

// The namespace prefix of (primitive, run). REQUIRES: run.size() <= 255.
inline std::string NamespacePrefix(Primitive primitive, std::string_view run) {
  std::string out;
  out.reserve(2 + run.size());
  out.push_back(static_cast<char>(primitive));
  out.push_back(static_cast<char>(static_cast<unsigned char>(run.size())));
  out.append(run);
  return out;
}

inline std::string MakeStoreKey(Primitive primitive, std::string_view run,
                                std::string_view key) {
  std::string out;
  out.reserve(2 + run.size() + key.size());
  out.push_back(static_cast<char>(primitive));
  out.push_back(static_cast<char>(static_cast<unsigned char>(run.size())));
  out.append(run);
  out.append(key);
  return out;
}

// Like MakeStoreKey, into an existing string (reusing its capacity).
inline void AssignStoreKey(Primitive primitive, std::string_view run,
                           std::string_view key, std::string* out) {
  out->clear();
  out->push_back(static_cast<char>(primitive));
  out->push_back(static_cast<char>(static_cast<unsigned char>(run.size())));
  out->append(run);
  out->append(key);
}

struct StoreKeyParts {
  Primitive primitive;
  std::string_view run;
  std::string_view key;
};

// Splits a store key. Returns false if `store_key` is malformed.
inline bool SplitStoreKey(std::string_view store_key, StoreKeyParts* parts) {
  if (store_key.size() < 2) return false;
  const auto run_len = static_cast<unsigned char>(store_key[1]);
  if (store_key.size() < 2u + run_len) return false;
  parts->primitive = static_cast<Primitive>(store_key[0]);
  parts->run = store_key.substr(2, run_len);
  parts->key = store_key.substr(2 + run_len);
  return true;
}

// The smallest string greater than every string that starts with `prefix`,
// or "" if there is none (prefix is all 0xff bytes).
inline std::string PrefixSuccessor(std::string_view prefix) {
  std::string out(prefix);
  while (!out.empty()) {
    auto& c = reinterpret_cast<unsigned char&>(out.back());
    if (c != 0xff) {
      ++c;
      return out;
    }
    out.pop_back();
  }
  return out;
}

}  // namespace strata::storage

#endif  // STRATA_STORAGE_STORE_KEY_HPP_
