// Selectors against the inventory (only with --endpoints):
//   selector-matches-nothing  a subject or peer selector selects no endpoint
//   unselected-endpoint       an endpoint that no rule selects (not enforced)
// Selectors are checked as lowering sees them (namespace folded in), each
// one alone, so the finding points at the selector as written.
#include <fmt/format.h>

#include "ir/lint/passes.h"
#include "ir/lower.h"
#include "ir/selector_index.h"

namespace polc::ir::lint {

namespace {

std::vector<const LabelSet *> label_sets(const EndpointSet &endpoints) {
  std::vector<const LabelSet *> out;
  for (const Endpoint &e : endpoints.all()) out.push_back(&e.labels);
  return out;
}

class SelectorPass : public LintPass {
 public:
  void run(const LintInput &input, std::vector<Diagnostic> &findings) const override {
    if (!input.endpoints) return;
    const SelectorIndex index(label_sets(*input.endpoints));
    for (const ast::Rule &rule : input.ast.rules) {
      Selector subject = lower_subject_selector(rule.subject, rule);
      if (!index.matches_any(subject))
        findings.push_back(finding("selector-matches-nothing", rule.subject.loc.valid() ? rule.subject.loc : rule.loc,
                                   fmt::format("the rule selects no endpoint of the inventory: {}", describe_selector(subject)),
                                   "check the labels and the namespace against the inventory"));
      for (const auto *section : {&rule.ingress, &rule.egress, &rule.ingress_deny, &rule.egress_deny})
        for (const ast::RuleElement &e : *section) {
          if (e.peer_kind != ast::PeerKind::Endpoints) continue;
          for (const ast::Selector &s : e.endpoints) {
            Selector peer = lower_peer_selector(s, rule);
            if (index.matches_any(peer)) continue;
            findings.push_back(finding("selector-matches-nothing", s.loc.valid() ? s.loc : e.loc,
                                       fmt::format("peer selector matches no endpoint of the inventory: {}", describe_selector(peer)),
                                       "check the labels and the namespace against the inventory"));
          }
        }
    }
    std::vector<bool> selected(input.endpoints->all().size());
    for (const Enforcement &en : input.policy.enforcements)
      for (size_t i : index.match(en.subject)) selected[i] = true;
    for (size_t i = 0; i < selected.size(); ++i) {
      if (selected[i]) continue;
      const Endpoint &ep = input.endpoints->all()[i];
      SourceLoc loc;
      if (input.inventory)
        if (const InventoryEndpoint *inv = input.inventory->find_endpoint(ep.name)) loc = inv->loc;
      findings.push_back(finding("unselected-endpoint", loc,
                                 fmt::format("no policy selects endpoint \"{}\": all its traffic passes", ep.name),
                                 "add a policy for it, or ignore this if it is meant to be open"));
    }
  }
};

}  // namespace

std::unique_ptr<LintPass> make_selector_pass() { return std::make_unique<SelectorPass>(); }

}  // namespace polc::ir::lint
