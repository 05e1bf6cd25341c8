// What every command that reads policies shares: the source manager, the
// diagnostics engine, and the steps from files to IR, each printing its
// diagnostics (to stderr, compiler style) and reporting whether it is
// safe to go on.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "frontend/ast.h"
#include "frontend/diagnostics.h"
#include "frontend/inventory.h"
#include "frontend/policy_loader.h"
#include "frontend/result.h"
#include "frontend/source.h"
#include "ir/endpoints.h"
#include "ir/ir.h"

namespace polc::cli {

class Session {
 public:
  Session();
  Session(const Session &) = delete;
  Session &operator=(const Session &) = delete;

  SourceManager &sources() { return *sources_; }
  DiagnosticEngine &diags() { return *diags_; }

  // Reads and lowers policy files. False when any error was reported. A
  // file that reads cleanly but holds no network policy (an empty file, a
  // YAML of only a Deployment) gets a warning; `policy_count`, when given,
  // receives how many rules were read in all.
  bool load_policies(const std::vector<std::string> &paths, ir::Policy &out, size_t *policy_count = nullptr);
  // Reads one policy file into `out`, with that warning (not when
  // `options` skip what is not a policy: such a file is expected).
  bool load_policy(const std::string &path, ast::PolicySet &out, const PolicyReadOptions &options = {});
  // Reads an inventory file into endpoints. False on errors.
  bool load_endpoints(const std::string &path, Inventory &inventory, ir::EndpointSet &out);

  // The XDP hook cannot answer a request with a 403: an HTTP rule under
  // --hook xdp is an error at that rule (exit 1), reported here. True when
  // the hook can enforce the policy.
  bool hook_can_enforce(const ir::Policy &policy, bool xdp);

  // Prints the diagnostics gathered so far (once each) to stderr.
  void flush_diagnostics();

  // Reports a failed step's error: as a diagnostic at its place when it
  // names one (an HTTP pattern the datapath cannot hold), else as
  // "polc: error: ...". Returns its exit code.
  int report(const Error &error);

 private:
  std::unique_ptr<SourceManager> sources_;
  std::unique_ptr<DiagnosticEngine> diags_;
  size_t printed_ = 0;
};

}  // namespace polc::cli
