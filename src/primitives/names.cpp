// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// Text names of the primitive enums. The names are part of the storage
// format (run records) and of the wire protocol: never rename.
#include <array>
#include <utility>

#include "strata/primitives.hpp"

namespace strata {

namespace {

constexpr std::array<std::pair<SpanKind, std::string_view>, 5> kSpanKinds = {{
    {SpanKind::kToolCall, "tool_call"},
    {SpanKind::kDecision, "decision"},
    {SpanKind::kQuery, "query"},
    {SpanKind::kThought, "thought"},
    {SpanKind::kCustom, "custom"},
}};
constexpr std::array<std::pair<SpanStatus, std::string_view>, 4> kSpanStatuses = {{
    {SpanStatus::kRunning, "running"},
    {SpanStatus::kOk, "ok"},
    {SpanStatus::kError, "error"},
    {SpanStatus::kCancelled, "cancelled"},
}};
constexpr std::array<std::pair<RunStatus, std::string_view>, 5> kRunStatuses = {{
    {RunStatus::kActive, "active"},
    {RunStatus::kCompleted, "completed"},
    {RunStatus::kFailed, "failed"},
    {RunStatus::kCancelled, "cancelled"},
    {RunStatus::kArchived, "archived"},
}};

template <typename E, size_t N>
std::string_view NameOf(const std::array<std::pair<E, std::string_view>, N>& table, E e) {
  for (const auto& [value, name] : table) {
    if (value == e) return name;
  }
  return "unknown";
}

template <typename E, size_t N>
std::optional<E> FromName(const std::array<std::pair<E, std::string_view>, N>& table,
                          std::string_view name) {
  for (const auto& [value, text] : table) {
    if (text == name) return value;
  }
  return std::nullopt;
}

}  // namespace

std::string_view SpanKindName(SpanKind kind) { return NameOf(kSpanKinds, kind); }
std::optional<SpanKind> SpanKindFromName(std::string_view name) {
  return FromName(kSpanKinds, name);
}
std::string_view SpanStatusName(SpanStatus status) { return NameOf(kSpanStatuses, status); }
std::optional<SpanStatus> SpanStatusFromName(std::string_view name) {
  return FromName(kSpanStatuses, name);
}
std::string_view RunStatusName(RunStatus status) { return NameOf(kRunStatuses, status); }
std::optional<RunStatus> RunStatusFromName(std::string_view name) {
  return FromName(kRunStatuses, name);
}

bool IsValidRunTransition(RunStatus from, RunStatus to) {
  switch (from) {
    case RunStatus::kActive:
      return to == RunStatus::kCompleted || to == RunStatus::kFailed ||
             to == RunStatus::kCancelled;
    case RunStatus::kCompleted:
    case RunStatus::kFailed:
    case RunStatus::kCancelled:
      return to == RunStatus::kArchived;
    case RunStatus::kArchived:
      return false;
  }
  return false;
}

}  // namespace strata
