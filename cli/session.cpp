#include "cli/session.h"
#include "cli/output.h"

#include <tuple>

#include <iostream>

#include "frontend/inventory.h"
#include "frontend/policy_loader.h"
#include "ir/lower.h"
#include "ir/rule_sources.h"

namespace polc::cli {

Session::Session()
    : sources_(std::make_unique<SourceManager>()), diags_(std::make_unique<DiagnosticEngine>(*sources_)) {}

void Session::flush_diagnostics() {
  const auto &all = diags_->all();
  for (; printed_ < all.size(); ++printed_) std::cerr << diags_->render(all[printed_]);
}

int Session::report(const Error &error) {
  if (!error.loc.valid()) return report_error(error);
  diags_->error(error.loc, "datapath-limit", error.message).hint = error.hint;
  flush_diagnostics();
  return error.exit_code;
}

bool Session::load_policy(const std::string &path, ast::PolicySet &out, const PolicyReadOptions &options) {
  size_t before = out.rules.size();
  bool ok = load_policy_file(path, *sources_, *diags_, out, options);
  if (ok && out.rules.size() == before && sources_->last() != 0 && !options.skip_non_policy)
    diags_->warning(SourceLoc{sources_->last(), 1, 1}, "no-policy",
                    "no network policy in this file (no CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy, "
                    "NetworkPolicy or rule)");
  return ok;
}

bool Session::load_policies(const std::vector<std::string> &paths, ir::Policy &out, size_t *policy_count) {
  ast::PolicySet set;
  for (const auto &path : paths) load_policy(path, set);
  if (policy_count) *policy_count = set.rules.size();
  if (!diags_->has_errors()) {
    out = ir::lower(set, *diags_);
    ir::index_rule_sources(out, *sources_);
  }
  flush_diagnostics();
  return !diags_->has_errors();
}

bool Session::load_endpoints(const std::string &path, Inventory &inventory, ir::EndpointSet &out) {
  bool ok = load_inventory_file(path, *sources_, *diags_, inventory) && !diags_->has_errors();
  flush_diagnostics();
  if (!ok) return false;
  out = ir::EndpointSet::from_inventory(inventory);
  return true;
}

bool Session::hook_can_enforce(const ir::Policy &policy, bool xdp) {
  if (!xdp) return true;
  for (const ir::Rule &r : policy.rules) {
    if (!r.has_http) continue;
    // The rule written first: origins hold every source of the IR rule.
    SourceLoc at = r.origins.empty() ? SourceLoc{} : r.origins.front();
    for (const SourceLoc &o : r.origins)
      if (std::tie(o.file, o.line, o.col) < std::tie(at.file, at.line, at.col)) at = o;
    diags().error(at, "http-needs-tc",
                  "HTTP rules need the tc hook: an XDP program cannot answer a request with 403 Forbidden; "
                  "use --hook tc");
    flush_diagnostics();
    return false;
  }
  return true;
}

}  // namespace polc::cli
