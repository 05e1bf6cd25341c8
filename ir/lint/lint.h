// `polc lint`: analyses of a policy, each answering one question about the
// IR (or, where exact source locations matter, the AST it came from). A
// finding is a Diagnostic with a stable id from the catalog below (also the
// SARIF ruleId), a severity, a location and a hint. Reader errors are
// findings too: the CLI runs the readers into the same list.
//
// Findings are silenced per rule: a Cilium rule label
// `polc.lint/ignore=<id>[,<id>...]` (JSON/YAML) or `lint ignore <id>;`
// (DSL, stored as that label) drops the findings located in that rule.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "frontend/ast.h"
#include "frontend/diagnostics.h"
#include "frontend/inventory.h"
#include "ir/endpoints.h"
#include "ir/ir.h"

namespace polc::ir {

struct LintRuleInfo {
  std::string_view id;
  Severity severity;
  std::string_view summary;  // one line, for SARIF shortDescription and docs
};

// Every finding kind the analyses report.
const std::vector<LintRuleInfo> &lint_catalog();
const LintRuleInfo *find_lint_rule(std::string_view id);

struct LintInput {
  const ast::PolicySet &ast;
  const Policy &policy;
  const EndpointSet *endpoints = nullptr;  // --endpoints given
  const Inventory *inventory = nullptr;    // the same, with source locations
};

// One analysis. Passes are independent; each appends its findings.
class LintPass {
 public:
  virtual ~LintPass() = default;
  virtual void run(const LintInput &input, std::vector<Diagnostic> &findings) const = 0;
};

// The pipeline, in the order findings are wanted.
std::vector<std::unique_ptr<LintPass>> default_lint_passes();

// Runs every pass; findings sorted by location, silenced ones dropped.
std::vector<Diagnostic> run_lint(const LintInput &input);

// A finding of the catalog's severity for `id`.
Diagnostic finding(std::string_view id, SourceLoc loc, std::string message, std::string hint = {});

// Drops the findings (reader diagnostics included) that the rule they point
// into silences.
std::vector<Diagnostic> apply_silences(const ast::PolicySet &rules, std::vector<Diagnostic> findings);

}  // namespace polc::ir
