// Rule ids: every IR rule is named by the rule element it came from, so
// counters and drops can say `policy.yaml:42:9` (CONTRACT §2, `stats`).
//
// An element may lower to many IR rules (peers x ports), and equal IR
// rules from several elements merge; an IR rule counts under its first
// origin in source order (files in the order given, then line, column).
// Policy::sources lists the elements in that order, so a lower id is an
// earlier rule: where several rules make one map entry, the plan keeps the
// lowest (ir/plan.cpp).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "frontend/result.h"
#include "frontend/source.h"
#include "ir/ir.h"

namespace polc::ir {

// The id the map plan gives the rule at `index`: its source, or, before
// indexing, its IR position (1-based, like a source id).
inline uint32_t rule_id(const Rule &rule, size_t index) {
  return rule.source != 0 ? rule.source : static_cast<uint32_t>(index + 1);
}

// Fills Policy::sources and every Rule::source. A rule with no origin (an
// IR read from JSON, a policy built in code) gets a source of its own with
// an empty place.
void index_rule_sources(Policy &policy, const SourceManager &sources);

// The file of a "path:line:col" place (the path may hold colons itself:
// the last two are the line and column); the whole text when it has none.
std::string_view source_file(std::string_view place);

// Each source's place without its file's path: "<n>:<line>:<col>", n the
// file's position among the inputs (1-based, in the order the sources
// list them; 0 for a source with no place). The same policy applied from
// another path (a temporary copy, another checkout) has the same anchors,
// so it is the same input to `apply`, and its rules keep their counters.
std::vector<std::string> rule_anchors(const std::vector<RuleSource> &sources);

// The table as the object's ".polc.rules" section carries it (the IR JSON
// carries no places, so that equal policies give equal IR): every source,
// then each IR rule's source id in IR order.
std::string rule_sources_to_json(const Policy &policy);
// Puts a section's table onto the policy read from the same object. An
// error (exit 1) when it does not fit the policy's rules.
Result<void> rule_sources_from_json(std::string_view text, Policy &policy);

}  // namespace polc::ir
