// The three forms of `polc lint` output:
//   text   compiler style (file:line:col: severity: message [id], caret, hint)
//   json   {"findings": [...], "summary": {...}}, keys in snake_case
//   sarif  SARIF 2.1.0, one run, as GitHub code scanning takes it
#pragma once

#include <string>
#include <vector>

#include "frontend/diagnostics.h"

namespace polc::ir {

enum class LintFormat { Text, Json, Sarif };

std::string render_lint(const std::vector<Diagnostic> &findings, DiagnosticEngine &engine, LintFormat format);

// Whether any finding is at error level (exit code 1, CONTRACT §2).
bool has_lint_errors(const std::vector<Diagnostic> &findings);

}  // namespace polc::ir
