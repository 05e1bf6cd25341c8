#include "runtime/rule_counters.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <set>
#include <tuple>

#include "templates/maps_abi.h"

namespace polc::runtime {

CountedRule counted_rule(const ir::RuleSource &source) {
  return CountedRule{source.source, std::string(ir::direction_name(source.direction)),
                     source.verdict == ir::Verdict::Allow ? "allow" : "deny", source.digest};
}

CounterAssignment assign_rule_counters(IfaceState &state, const std::vector<ir::RuleSource> &sources) {
  std::set<uint32_t> used;
  for (const auto &[object, record] : state.objects)
    for (const auto &[slot, s] : record.slots) used.insert(s.rules.begin(), s.rules.end());
  std::map<CountedRule, uint32_t, decltype([](const CountedRule &a, const CountedRule &b) {
             return std::tie(a.source, a.direction, a.verdict, a.digest) <
                    std::tie(b.source, b.direction, b.verdict, b.digest);
           })>
      kept;
  for (auto it = state.counters.begin(); it != state.counters.end();) {
    if (!used.count(it->first)) {
      it = state.counters.erase(it);
      continue;
    }
    kept.emplace(it->second, it->first);
    ++it;
  }

  CounterAssignment out;
  out.index_of_source.reserve(sources.size());
  uint32_t next = POLC_RULE_FIRST;
  for (const ir::RuleSource &source : sources) {
    CountedRule rule = counted_rule(source);
    if (auto found = kept.find(rule); found != kept.end()) {
      out.index_of_source.push_back(found->second);
      continue;
    }
    while (next < POLC_RULE_COUNTERS && state.counters.count(next)) ++next;
    if (next >= POLC_RULE_COUNTERS) {
      out.index_of_source.push_back(POLC_RULE_UNCOUNTED);
      continue;
    }
    state.counters[next] = rule;
    kept.emplace(rule, next);
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
