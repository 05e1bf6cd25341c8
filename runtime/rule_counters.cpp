#include "runtime/rule_counters.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <set>
#include <tuple>

#include "ir/rule_sources.h"
#include "templates/maps_abi.h"

namespace polc::runtime {

CountedRule counted_rule(const ir::RuleSource &source, const std::string &anchor) {
  return CountedRule{source.source, anchor, std::string(ir::direction_name(source.direction)),
                     source.verdict == ir::Verdict::Allow ? "allow" : "deny", source.digest};
}

CounterAssignment assign_rule_counters(IfaceState &state, const std::vector<ir::RuleSource> &sources) {
  std::set<uint32_t> used;
  for (const auto &[object, record] : state.objects)
    for (const auto &[slot, s] : record.slots) used.insert(s.rules.begin(), s.rules.end());
  using Identity = std::tuple<std::string, std::string, std::string, std::string>;
  auto identity = [](const CountedRule &r) { return Identity{r.anchor, r.direction, r.verdict, r.digest}; };
  std::map<Identity, uint32_t> kept;
  for (auto it = state.counters.begin(); it != state.counters.end();) {
    if (!used.count(it->first)) {
      it = state.counters.erase(it);
      continue;
    }
    kept.emplace(identity(it->second), it->first);
    ++it;
  }

  CounterAssignment out;
  out.index_of_source.reserve(sources.size());
  const std::vector<std::string> anchors = ir::rule_anchors(sources);
  uint32_t next = POLC_RULE_FIRST;
  for (size_t i = 0; i < sources.size(); ++i) {
    CountedRule rule = counted_rule(sources[i], anchors[i]);
    if (auto found = kept.find(identity(rule)); found != kept.end()) {
      CountedRule &known = state.counters[found->second];
      if (known.source != rule.source) {
        known.source = rule.source;
        out.renamed = true;
      }
      out.index_of_source.push_back(found->second);
      continue;
    }
    while (next < POLC_RULE_COUNTERS && state.counters.count(next)) ++next;
    if (next >= POLC_RULE_COUNTERS) {
      out.index_of_source.push_back(POLC_RULE_UNCOUNTED);
      continue;
    }
    kept.emplace(identity(rule), next);
    state.counters[next] = std::move(rule);
    out.index_of_source.push_back(next);
    out.fresh.push_back(next);
  }
  return out;
}

void use_counter_indices(ir::MapPlan &plan, const std::vector<uint32_t> &index_of_source) {
  auto index = [&](uint32_t id) {
    return id >= 1 && id <= index_of_source.size() ? index_of_source[id - 1] : POLC_RULE_UNCOUNTED;
  };
  for (auto *entries : {&plan.allow, &plan.deny})
    for (ir::PolicyEntry &e : *entries) e.rule_id = index(e.rule_id);
  for (ir::HttpVerdict &v : plan.http.verdicts) v.rule_id = index(v.rule_id);
  for (ir::HttpRuleKeys &k : plan.http.rule_keys) k.rule_id = index(k.rule_id);
}

Result<void> zero_rule_counters(int stats_fd, const std::vector<uint32_t> &indices) {
  int cpus = libbpf_num_possible_cpus();
  if (cpus <= 0) return environment_error("cannot count the possible CPUs");
  std::vector<uint64_t> zeros(static_cast<size_t>(cpus), 0);
  for (uint32_t index : indices)
    if (bpf_map_update_elem(stats_fd, &index, zeros.data(), BPF_ANY) != 0)
      return environment_error(std::string("cannot reset a rule counter: ") + std::strerror(errno));
  return {};
}

}  // namespace polc::runtime
