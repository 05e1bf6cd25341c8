// Counter indices across applies (runtime/rule_counters.h): a rule that
// keeps its place and meaning keeps its counter; a new or changed one gets
// a free counter, never one a kept generation still names.
#include <doctest/doctest.h>

#include <set>

#include "runtime/rule_counters.h"
#include "templates/maps_abi.h"

using namespace polc;
using namespace polc::runtime;

namespace {

ir::RuleSource source(const std::string &place, const std::string &digest, ir::Verdict v = ir::Verdict::Allow) {
  ir::RuleSource s;
  s.source = place;
  s.digest = digest;
  s.verdict = v;
  return s;
}

// Records an assignment as the generation in `slot` of object 1.
void keep(IfaceState &state, uint32_t slot, const CounterAssignment &a) {
  state.objects[1].slots[slot].rules = a.index_of_source;
}

}  // namespace

TEST_SUITE("runtime") {
  TEST_CASE("rule counters: kept by place and meaning, fresh for the rest") {
    IfaceState state;
    auto first = assign_rule_counters(state, {source("p:3:1", "a"), source("p:4:1", "b"), source("p:5:1", "c")});
    REQUIRE(first.index_of_source.size() == 3);
    CHECK(first.fresh.size() == 3);
    std::set<uint32_t> distinct(first.index_of_source.begin(), first.index_of_source.end());
    CHECK(distinct.size() == 3);
    for (uint32_t i : first.index_of_source) CHECK(i >= POLC_RULE_FIRST);
    keep(state, 0, first);

    // Line 4 changed its meaning, line 5 stayed, a rule was added.
    auto second = assign_rule_counters(state, {source("p:3:1", "a"), source("p:4:1", "B"), source("p:5:1", "c"),
                                               source("p:6:1", "d")});
    CHECK(second.index_of_source[0] == first.index_of_source[0]);
    CHECK(second.index_of_source[2] == first.index_of_source[2]);
    CHECK(second.index_of_source[1] != first.index_of_source[1]);  // the old one is still the kept generation's
    CHECK(second.fresh.size() == 2);
    keep(state, 1, second);

    // The same verdict matters: a rule turned into a deny counts afresh.
    auto third = assign_rule_counters(state, {source("p:3:1", "a", ir::Verdict::Deny)});
    CHECK(third.fresh.size() == 1);
    CHECK(third.index_of_source[0] != first.index_of_source[0]);
  }

  TEST_CASE("rule counters: the same rules from another path keep their counters, under the new name") {
    IfaceState state;
    auto first = assign_rule_counters(state, {source("/tmp/a/p.yaml:3:1", "a"), source("/tmp/a/q.yaml:3:1", "b")});
    keep(state, 0, first);
    CHECK_FALSE(first.renamed);
    auto moved = assign_rule_counters(state, {source("/srv/p.yaml:3:1", "a"), source("/srv/q.yaml:3:1", "b")});
    CHECK(moved.index_of_source == first.index_of_source);
    CHECK(moved.fresh.empty());
    CHECK(moved.renamed);
    CHECK(state.counters[first.index_of_source[0]].source == "/srv/p.yaml:3:1");
    // The files' order is part of the place: swapped, they are other rules.
    auto swapped = assign_rule_counters(state, {source("/srv/q.yaml:3:1", "b"), source("/srv/p.yaml:3:1", "a")});
    CHECK(swapped.fresh.size() == 2);
  }

  TEST_CASE("rule counters: an index no kept generation names is given out again") {
    IfaceState state;
    auto first = assign_rule_counters(state, {source("p:3:1", "a")});
    keep(state, 0, first);
    auto second = assign_rule_counters(state, {source("p:9:1", "z")});
    CHECK(second.index_of_source[0] != first.index_of_source[0]);
    // Slot 0's generation is gone: its counter is free, and the next new
    // rule takes it (and zeroes it, being fresh).
    state.objects.clear();
    keep(state, 1, second);
    auto third = assign_rule_counters(state, {source("p:9:1", "z"), source("p:10:1", "y")});
    CHECK(third.index_of_source[0] == second.index_of_source[0]);
    CHECK(third.index_of_source[1] == first.index_of_source[0]);
    CHECK(third.fresh == std::vector<uint32_t>{first.index_of_source[0]});
  }

  TEST_CASE("rule counters: the plan's source ids become counter indices") {
    ir::MapPlan plan;
    ir::PolicyEntry e;
    e.rule_id = 2;
    plan.allow.push_back(e);
    e.rule_id = 1;
    plan.deny.push_back(e);
    e.rule_id = 7;  // no such source: counted nowhere
    plan.deny.push_back(e);
    use_counter_indices(plan, {40, 41});
    CHECK(plan.allow[0].rule_id == 41);
    CHECK(plan.deny[0].rule_id == 40);
    CHECK(plan.deny[1].rule_id == POLC_RULE_UNCOUNTED);
  }
}
