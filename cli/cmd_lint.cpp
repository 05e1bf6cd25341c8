// polc lint POLICY... [--endpoints EPS.json] [--format text|json|sarif]
// Reads every policy (reader diagnostics are findings too), lowers the
// files that read cleanly, runs the analyses of ir/lint.h and prints the
// findings on stdout. Exit 1 when a finding is at error level.
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/lint_findings.h"
#include "cli/session.h"
#include "ir/lint/lint.h"
#include "ir/lint/report.h"

namespace polc::cli {

namespace {

struct LintOptions {
  std::vector<std::string> policies;
  std::string endpoints, format = "text";
  bool skip_non_policy = false;
};

int run_lint(const LintOptions &opt) {
  Session session;
  LintFindings lint = lint_files(session, opt.policies, opt.endpoints, opt.skip_non_policy);
  std::vector<Diagnostic> &findings = lint.findings;
  ir::LintFormat format = opt.format == "json"    ? ir::LintFormat::Json
                          : opt.format == "sarif" ? ir::LintFormat::Sarif
                                                  : ir::LintFormat::Text;
  std::cout << ir::render_lint(findings, session.diags(), format) << std::flush;
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
