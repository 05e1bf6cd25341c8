// The inventory-dependent half of the HTTP plan: l7 policies (sets of HTTP
// rules) and their polc_http_verdict entries. A rule r of l7 policy L
// allows a request whose method id m and path id p hold r's patterns (or
// that r does not constrain: POLC_HTTP_ANY) when the request meets r's
// conditions; so r adds the alternative need(r) to every key (L, m, p) it
// covers. The kernel looks up (m, p), (m, ANY), (ANY, p) and (ANY, ANY),
// and passes the request when some alternative of some entry is met.
#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <map>
#include <tuple>

#include "ir/http_plan.h"

namespace polc::ir {
namespace {

struct Alternative {
  uint64_t need;
  uint32_t rule_id;
  uint32_t rule;  // index into HttpPlan::rules, for messages
};

std::string describe(const HttpRule &r) {
  std::string out = fmt::format("method \"{}\" path \"{}\"", r.method, r.path);
  if (!r.host.empty()) out += fmt::format(" host \"{}\"", r.host);
  for (const HeaderMatch &h : r.headers)
    out += h.has_value ? fmt::format(" header \"{}: {}\"", h.name, h.value) : fmt::format(" header \"{}\"", h.name);
  return out;
}

// Keeps the alternatives no other one implies: need a ⊆ need b means b is
// met only when a is. Deterministic order: fewest conditions first.
std::vector<Alternative> minimal(std::vector<Alternative> alts) {
  std::sort(alts.begin(), alts.end(), [](const Alternative &a, const Alternative &b) {
    return std::tuple(std::popcount(a.need), a.need, a.rule_id, a.rule) <
           std::tuple(std::popcount(b.need), b.need, b.rule_id, b.rule);
  });
  std::vector<Alternative> kept;
  for (const Alternative &a : alts) {
    bool implied = std::any_of(kept.begin(), kept.end(), [&](const Alternative &k) { return (k.need & a.need) == k.need; });
    if (!implied) kept.push_back(a);
  }
  return kept;
}

}  // namespace

Result<void> plan_http_verdicts(HttpPlan &plan, std::vector<std::vector<uint32_t>> sets) {
  if (sets.size() > kHttpMaxL7Policies)
    return Error{fmt::format("the plan needs {} distinct sets of HTTP rules (l7 policies); the datapath numbers "
                             "at most {}",
                             sets.size(), kHttpMaxL7Policies),
                 1};
  plan.l7_policies = std::move(sets);
  plan.verdicts.clear();
  std::map<std::tuple<uint16_t, uint32_t, uint32_t>, std::vector<Alternative>> by_key;
  for (size_t l = 0; l < plan.l7_policies.size(); ++l) {
    uint16_t l7 = uint16_t(l + 1);
    for (uint32_t r : plan.l7_policies[l]) {
      const HttpRuleKeys &k = plan.rule_keys[r];
      for (uint32_t m : k.methods)
        for (uint32_t p : k.paths) by_key[{l7, m, p}].push_back(Alternative{k.need, k.rule_id, r});
    }
  }
  plan.verdicts.reserve(by_key.size());
  for (auto &[key, alts] : by_key) {
    std::vector<Alternative> kept = minimal(std::move(alts));
    if (kept.size() > kHttpMaxAlternatives) {
      std::string examples;
      for (size_t i = 0; i < 3; ++i) examples += (i ? "; " : "") + describe(plan.rules[kept[i].rule]);
      return Error{fmt::format("{} HTTP rules that apply to the same requests differ in their host or header "
                               "conditions ({}; ...); the datapath holds at most {} such alternatives per method "
                               "and path: merge some of them, or name their methods or paths apart",
                               kept.size(), examples, kHttpMaxAlternatives),
                   1};
    }
    HttpVerdict v;
    std::tie(v.l7_policy, v.method, v.path) = key;
    v.rule_id = UINT32_MAX;
    for (const Alternative &a : kept) {
      v.need.push_back(a.need);
      v.rule_id = std::min(v.rule_id, a.rule_id);
    }
    plan.verdicts.push_back(std::move(v));
  }
  return {};
}

}  // namespace polc::ir
