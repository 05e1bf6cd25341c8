// empty-effect: parts of a policy that change nothing.
//   - a rule with no ingress or egress section (it selects, but neither
//     enforces nor allows anything)
//   - sections a Kubernetes NetworkPolicy ignores (policyTypes lacks them)
//   - a CIDR peer whose `except` removes all of it
#include <fmt/format.h>

#include "ir/lint/passes.h"

namespace polc::ir::lint {

namespace {

SourceLoc rule_loc(const ast::Rule &r) { return r.loc.valid() ? r.loc : r.subject.loc; }

class EmptyEffectPass : public LintPass {
 public:
  void run(const LintInput &input, std::vector<Diagnostic> &findings) const override {
    for (const ast::Rule &rule : input.ast.rules) {
      bool any_section = !rule.ingress.empty() || !rule.egress.empty() || !rule.ingress_deny.empty() ||
                         !rule.egress_deny.empty();
      if (!any_section && !rule.enforce_ingress && !rule.enforce_egress) {
        findings.push_back(finding("empty-effect", rule_loc(rule), "rule has no effect: it has no ingress or egress section",
                                   "add the traffic it should allow or deny, or remove it"));
        continue;
      }
      auto ignored = [&](const std::vector<ast::RuleElement> &els, bool enforced, std::string_view dir) {
        if (enforced || els.empty()) return;
        findings.push_back(finding("empty-effect", els.front().loc,
                                   fmt::format("the {} rules have no effect: policyTypes does not list {}", dir,
                                               dir == "ingress" ? "Ingress" : "Egress"),
                                   fmt::format("add {} to policyTypes, or remove the rules", dir == "ingress" ? "Ingress" : "Egress")));
      };
      ignored(rule.ingress, rule.enforce_ingress, "ingress");
      ignored(rule.egress, rule.enforce_egress, "egress");
      for (const auto *section : {&rule.ingress, &rule.egress, &rule.ingress_deny, &rule.egress_deny})
        for (const ast::RuleElement &e : *section)
          for (const ast::CidrPeer &c : e.cidrs)
            for (size_t i = 0; i < c.except.size(); ++i)
              if (c.except[i].contains(c.cidr))
                findings.push_back(finding("empty-effect", i < c.except_locs.size() ? c.except_locs[i] : c.loc,
                                           fmt::format("except \"{}\" removes all of \"{}\": the peer matches no address",
                                                       c.except[i].str(), c.cidr.str()),
                                           "remove the peer, or narrow the except"));
    }
  }
};

}  // namespace

std::unique_ptr<LintPass> make_empty_effect_pass() { return std::make_unique<EmptyEffectPass>(); }

}  // namespace polc::ir::lint
