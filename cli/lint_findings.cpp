#include "cli/lint_findings.h"

#include "frontend/policy_loader.h"
#include "ir/lint/lint.h"
#include "ir/lower.h"

namespace polc::cli {

LintFindings lint_files(Session &session, const std::vector<std::string> &policies, const std::string &endpoints,
                        bool skip_non_policy) {
  LintFindings out;
  DiagnosticEngine &diags = session.diags();
  ast::PolicySet rules;
  for (const auto &path : policies) {
    ast::PolicySet file_rules;
    // A file with errors is not analysed further: its rules are incomplete.
    if (session.load_policy(path, file_rules, PolicyReadOptions{skip_non_policy}))
      for (auto &r : file_rules.rules) rules.rules.push_back(std::move(r));
  }
  ir::EndpointSet endpoint_set;
  if (!endpoints.empty()) {
    out.have_endpoints = load_inventory_file(endpoints, session.sources(), diags, out.inventory);
    if (out.have_endpoints) endpoint_set = ir::EndpointSet::from_inventory(out.inventory);
  }
  ir::Policy policy = ir::lower(rules, diags);

  out.findings = ir::apply_silences(rules, diags.all());
  // Objects of other kinds (inside a List too) are what the hook expects to see.
  if (skip_non_policy) std::erase_if(out.findings, [](const Diagnostic &d) { return d.id == "skipped-kind"; });
  // The readers' findings that lint's catalog lists take its level (a
  // misspelled selector operator compiles, but lint refuses it).
  for (Diagnostic &d : out.findings)
    if (const ir::LintRuleInfo *info = ir::find_lint_rule(d.id)) d.severity = info->severity;
  ir::LintInput input{rules, policy, out.have_endpoints ? &endpoint_set : nullptr,
                      out.have_endpoints ? &out.inventory : nullptr};
  for (Diagnostic &d : ir::run_lint(input)) out.findings.push_back(std::move(d));
  return out;
}

}  // namespace polc::cli
