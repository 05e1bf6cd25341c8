// Selectors against the inventory (only with --endpoints):
//   selector-matches-nothing  a subject or peer selector selects no endpoint
//   unselected-endpoint       an endpoint that no rule selects (not enforced)
// Selectors are checked as lowering sees them (namespace folded in), by
// lowering each one alone, so the finding points at the selector as written.
#include <fmt/format.h>

#include "ir/lint/passes.h"
#include "ir/lower.h"

namespace polc::ir::lint {

namespace {

bool matches_any(const Selector &s, const EndpointSet &endpoints) {
  for (const Endpoint &e : endpoints.all())
    if (selector_matches(s, e.labels)) return true;
  return false;
}

// The rule's subject after lowering (namespace folded in).
Selector lowered_subject(const ast::Rule &rule, DiagnosticEngine &scratch) {
  ast::PolicySet one;
  ast::Rule copy;
  copy.origin = rule.origin;
  copy.namespace_ = rule.namespace_;
  copy.subject = rule.subject;
  copy.enforce_ingress = true;
  one.rules.push_back(std::move(copy));
  Policy p = lower(one, scratch);
  return p.enforcements.empty() ? Selector{} : p.enforcements.front().subject;
}

// A peer selector after lowering.
Selector lowered_peer(const ast::Rule &rule, const ast::Selector &s, DiagnosticEngine &scratch) {
  ast::PolicySet one;
  ast::Rule copy;
  copy.origin = rule.origin;
  copy.namespace_ = rule.namespace_;
  copy.enforce_ingress = true;
  ast::RuleElement e;
  e.peer_kind = ast::PeerKind::Endpoints;
  e.endpoints.push_back(s);
  copy.ingress.push_back(std::move(e));
  one.rules.push_back(std::move(copy));
  Policy p = lower(one, scratch);
  return p.rules.empty() ? Selector{} : p.rules.front().peer.selector;
}

class SelectorPass : public LintPass {
 public:
  void run(const LintInput &input, std::vector<Diagnostic> &findings) const override {
    if (!input.endpoints) return;
    SourceManager scratch_sources;
    DiagnosticEngine scratch(scratch_sources);
    for (const ast::Rule &rule : input.ast.rules) {
      Selector subject = lowered_subject(rule, scratch);
      if (!matches_any(subject, *input.endpoints))
        findings.push_back(finding("selector-matches-nothing", rule.subject.loc.valid() ? rule.subject.loc : rule.loc,
                                   fmt::format("the rule selects no endpoint of the inventory: {}", describe_selector(subject)),
                                   "check the labels and the namespace against the inventory"));
      for (const auto *section : {&rule.ingress, &rule.egress, &rule.ingress_deny, &rule.egress_deny})
        for (const ast::RuleElement &e : *section) {
          if (e.peer_kind != ast::PeerKind::Endpoints) continue;
          for (const ast::Selector &s : e.endpoints) {
            Selector peer = lowered_peer(rule, s, scratch);
            if (matches_any(peer, *input.endpoints)) continue;
            findings.push_back(finding("selector-matches-nothing", s.loc.valid() ? s.loc : e.loc,
                                       fmt::format("peer selector matches no endpoint of the inventory: {}", describe_selector(peer)),
                                       "check the labels and the namespace against the inventory"));
          }
        }
    }
    for (const Endpoint &ep : input.endpoints->all()) {
      bool selected = false;
      for (const Enforcement &en : input.policy.enforcements) selected = selected || selector_matches(en.subject, ep.labels);
      if (selected) continue;
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
