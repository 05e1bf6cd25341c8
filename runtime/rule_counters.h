// Per-rule counters across applies (CONTRACT §2, `stats`: "counters survive
// map-only swaps for rules that stay; apply resets none").
//
// polc_rule_stats is one per-CPU array per interface, shared by every
// object. A rule element gets an index the first time it is applied and
// keeps it while any kept generation (the one in force, the rollback
// target) has it. The element is matched by its place and its meaning, not
// by its id in the plan, so a rule added above it changes nothing for it.
// The plan's rule ids (source ids) become these indices when its maps are
// filled.
#pragma once

#include <cstdint>
#include <vector>

#include "frontend/result.h"
#include "ir/ir.h"
#include "ir/map_plan.h"
#include "runtime/iface_state.h"

namespace polc::runtime {

CountedRule counted_rule(const ir::RuleSource &source, const std::string &anchor);

struct CounterAssignment {
  std::vector<uint32_t> index_of_source;  // [i]: the index of sources[i]; POLC_RULE_UNCOUNTED past the capacity
  std::vector<uint32_t> fresh;            // indices newly given out: their counts start from zero
  bool renamed = false;                   // a kept rule is now named by another path
};

// Gives every source an index: the one its counted rule has in
// state.counters when a kept generation uses it (matched by anchor,
// direction, verdict and digest; its name then follows the source's path),
// else a free one (never one a kept generation uses). Entries of
// state.counters no slot uses are dropped first. Records the new ones in
// state.counters.
CounterAssignment assign_rule_counters(IfaceState &state, const std::vector<ir::RuleSource> &sources);

// The plan with its rule ids (1-based source ids, ir/rule_sources.h) as
// counter indices: what the datapath's maps hold. An id with no source (a
// policy that was never indexed) counts nowhere.
void use_counter_indices(ir::MapPlan &plan, const std::vector<uint32_t> &index_of_source);

// Zeroes the given counters on every CPU.
Result<void> zero_rule_counters(int stats_fd, const std::vector<uint32_t> &indices);

}  // namespace polc::runtime
