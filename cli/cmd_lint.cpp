// polc lint POLICY... [--endpoints EPS.json] [--format text|json|sarif]
// Reads every policy (reader diagnostics are findings too), lowers the
// files that read cleanly, runs the analyses of ir/lint.h and prints the
// findings on stdout. Exit 1 when a finding is at error level.
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/session.h"
#include "frontend/inventory.h"
#include "frontend/policy_loader.h"
#include "ir/lint/lint.h"
#include "ir/lint/report.h"
#include "ir/lower.h"

namespace polc::cli {

namespace {

struct LintOptions {
  std::vector<std::string> policies;
  std::string endpoints, format = "text";
  bool skip_non_policy = false;
};

int run_lint(const LintOptions &opt) {
  Session session;
  DiagnosticEngine &diags = session.diags();
  ast::PolicySet rules;
  for (const auto &path : opt.policies) {
    ast::PolicySet file_rules;
    // A file with errors is not analysed further: its rules are incomplete.
    if (session.load_policy(path, file_rules, PolicyReadOptions{opt.skip_non_policy}))
      for (auto &r : file_rules.rules) rules.rules.push_back(std::move(r));
  }
  Inventory inventory;
  ir::EndpointSet endpoints;
  bool have_endpoints = false;
  if (!opt.endpoints.empty()) {
    have_endpoints = load_inventory_file(opt.endpoints, session.sources(), diags, inventory);
    if (have_endpoints) endpoints = ir::EndpointSet::from_inventory(inventory);
  }
  ir::Policy policy = ir::lower(rules, diags);

  std::vector<Diagnostic> findings = ir::apply_silences(rules, diags.all());
  // Objects of other kinds (inside a List too) are what the hook expects to see.
  if (opt.skip_non_policy)
    std::erase_if(findings, [](const Diagnostic &d) { return d.id == "skipped-kind"; });
  // The readers' findings that lint's catalog lists take its level (a
  // misspelled selector operator compiles, but lint refuses it).
  for (Diagnostic &d : findings)
    if (const ir::LintRuleInfo *info = ir::find_lint_rule(d.id)) d.severity = info->severity;
  ir::LintInput input{rules, policy, have_endpoints ? &endpoints : nullptr, have_endpoints ? &inventory : nullptr};
  for (Diagnostic &d : ir::run_lint(input)) findings.push_back(std::move(d));

  ir::LintFormat format = opt.format == "json"    ? ir::LintFormat::Json
                          : opt.format == "sarif" ? ir::LintFormat::Sarif
                                                  : ir::LintFormat::Text;
  std::cout << ir::render_lint(findings, diags, format) << std::flush;
  return ir::has_lint_errors(findings) ? kExitInputError : kExitOk;
}

}  // namespace

void add_lint_command(CLI::App &app, int &exit_code) {
  auto opt = std::make_shared<LintOptions>();
  auto *sub = app.add_subcommand("lint", "find mistakes and risks in policies (see docs/lint.md)");
  sub->add_option("policies", opt->policies, "policy files (.json, .yaml, .yml, .pol)")->required();
  sub->add_option("--endpoints", opt->endpoints, "endpoint inventory, for the selector checks");
  sub->add_option("--format", opt->format, "text, json or sarif")->check(CLI::IsMember({"text", "json", "sarif"}));
  sub->add_flag("--skip-non-policy", opt->skip_non_policy,
                "skip quietly the files and documents that are not network policies (for pre-commit)");
  sub->callback([opt, &exit_code] { exit_code = run_lint(*opt); });
}

}  // namespace polc::cli
