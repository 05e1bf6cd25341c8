// What `polc lint` finds in policy files, for the commands that lint
// before they act (`polc push` refuses to write a policy with an error).
#pragma once

#include <string>
#include <vector>

#include "cli/session.h"
#include "frontend/diagnostics.h"
#include "frontend/inventory.h"

namespace polc::cli {

struct LintFindings {
  std::vector<Diagnostic> findings;  // the readers' and the analyses', at lint's levels
  Inventory inventory;               // read from `endpoints`, when given and valid
  bool have_endpoints = false;
};

// Reads every policy (reader diagnostics are findings too), lowers the
// files that read cleanly, and runs the analyses of ir/lint.
LintFindings lint_files(Session &session, const std::vector<std::string> &policies, const std::string &endpoints,
                        bool skip_non_policy);

}  // namespace polc::cli
