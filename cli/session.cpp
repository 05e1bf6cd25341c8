#include "cli/session.h"

#include <iostream>

#include "cli/apply_pipeline.h"
#include "cli/output.h"
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
  Result<void> can = cli::hook_can_enforce(policy, xdp ? codegen::Hook::Xdp : codegen::Hook::Tc);
  if (can) return true;
  diags().error(can.error().loc, "http-needs-tc", can.error().message);
  flush_diagnostics();
  return false;
}

}  // namespace polc::cli
