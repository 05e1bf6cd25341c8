// polc apply (POLICY... | OBJ.o) --iface IF [--endpoints EPS.json]
//            [--hook tc|xdp] [--netns NAME] [--format text|json]
// Compiles (only when the interface runs a different program shape), loads,
// verifies, fills the maps and attaches, or swaps atomically what is there
// (runtime/installer.h). Failures leave the previous policy in force, exit 3.
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/output.h"
#include "cli/session.h"
#include "codegen/compile_policy.h"
#include "ir/ir_json.h"
#include "ir/plan.h"
#include "runtime/installer.h"
#include "runtime/netns_guard.h"

namespace polc::cli {

namespace {

struct ApplyOptions {
  std::vector<std::string> inputs;
  std::string iface, endpoints, hook = "tc", netns, format = "text";
  bool audit = false;
};

// FNV-1a, 64 bits: a stable digest of what the maps will hold.
struct Digest {
  uint64_t h = 1469598103934665603ull;
  void add(std::string_view s) {
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;
  }
  void add(uint64_t v) { add(std::to_string(v)); }
  std::string hex() const { return fmt::format("{:016x}", h); }
};

std::string plan_digest(const std::string &policy_json, const ir::MapPlan &plan, const std::string &hook) {
  Digest d;
  d.add(hook);
  d.add(policy_json);
  for (const auto &e : plan.ipcache) {
    d.add(e.prefix.str());
    d.add(e.identity);
    d.add(e.flags);
  }
  for (const auto *entries : {&plan.allow, &plan.deny}) {
    d.add(entries == &plan.allow ? "allow" : "deny");
    for (const auto &e : *entries) {
      d.add(e.subject);
      d.add(e.peer);
      d.add(static_cast<uint64_t>(e.direction));
      d.add(e.proto);
      d.add(e.port);
      d.add(e.l4_prefix_bits);
      d.add(e.rule_id);
      d.add(e.l7_policy);
    }
  }
  return d.hex();
}

int run_apply(const ApplyOptions &opt) {
  if (opt.audit) {
    std::cerr << "polc: apply: --audit is not implemented yet\n";
    return kExitUsage;
  }
  if (opt.inputs.size() == 1 && opt.inputs[0].size() > 2 && opt.inputs[0].ends_with(".o")) {
    std::cerr << "polc: apply: applying a compiled object is not implemented yet; give the policy files\n";
    return kExitUsage;
  }
  Session session;
  ir::Policy policy;
  if (!session.load_policies(opt.inputs, policy)) return kExitInputError;
  if (ir::plan_shape(policy).http) {
    // The datapath does not inspect HTTP yet: applying would let every
    // request through on the HTTP-ruled ports. Fail closed: refuse.
    std::cerr << "polc: error: the policy has HTTP rules (rules.http), which the datapath does not enforce yet; "
                 "refusing to apply it rather than allow every request on those ports\n";
    return kExitEnvironment;
  }
  ir::EndpointSet endpoints;
  if (!opt.endpoints.empty()) {
    Inventory inventory;
    if (!session.load_endpoints(opt.endpoints, inventory, endpoints)) return kExitInputError;
  } else {
    auto addresses = runtime::interface_addresses(opt.netns, opt.iface);
    if (!addresses) return report_error(addresses.error());
    endpoints = ir::EndpointSet::implicit_host(*addresses);
  }

  const codegen::Hook hook = opt.hook == "xdp" ? codegen::Hook::Xdp : codegen::Hook::Tc;
  runtime::ApplyRequest request;
  request.id = runtime::IfaceId{opt.netns, opt.iface};
  request.hook = opt.hook == "xdp" ? runtime::HookKind::Xdp : runtime::HookKind::Tc;
  request.plan = ir::plan_maps(policy, endpoints);
  request.shape_digest = request.plan.shape.digest() + "-" + opt.hook;
  request.policy_digest = plan_digest(ir::policy_to_json_text(policy), request.plan, opt.hook);
  request.build_object = [&policy, hook]() -> Result<std::vector<uint8_t>> {
    auto compiled = codegen::compile_policy(policy, hook);
    if (!compiled) return compiled.error();
    return std::move(compiled->elf);
  };

  auto outcome = runtime::apply_policy(request);
  if (!outcome) {
    std::cerr << "polc: error: apply on " << opt.iface << " failed; the previous policy stays in force: "
              << outcome.error().message << "\n";
    return outcome.error().exit_code;
  }
  if (opt.format == "json") {
    nlohmann::ordered_json j = {{"iface", opt.iface},
                                {"result", runtime::outcome_name(outcome->kind)},
                                {"generation", outcome->generation},
                                {"policy_digest", request.policy_digest},
                                {"switch_ms", outcome->switch_ms}};
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << fmt::format("{}: generation {} in force ({}", opt.iface, outcome->generation,
                             runtime::outcome_name(outcome->kind));
    if (outcome->kind != runtime::ApplyOutcome::Kind::Unchanged)
      std::cout << fmt::format(", switched in {:.1f} ms", outcome->switch_ms);
    std::cout << ")\n";
  }
  return kExitOk;
}

}  // namespace

void add_apply_command(CLI::App &app, int &exit_code) {
  auto opt = std::make_shared<ApplyOptions>();
  auto *sub = app.add_subcommand("apply", "enforce policies on an interface (atomic swap when already enforced)");
  sub->add_option("inputs", opt->inputs, "policy files")->required();
  sub->add_option("--iface", opt->iface, "interface to enforce")->required();
  sub->add_option("--endpoints", opt->endpoints, "endpoint inventory");
  sub->add_option("--hook", opt->hook, "tc or xdp")->check(CLI::IsMember({"tc", "xdp"}));
  sub->add_option("--netns", opt->netns, "named network namespace holding the interface");
  sub->add_option("--format", opt->format, "text or json")->check(CLI::IsMember({"text", "json"}));
  sub->add_flag("--audit", opt->audit, "log verdicts, let everything pass (not implemented yet)");
  sub->callback([opt, &exit_code] { exit_code = run_apply(*opt); });
}

}  // namespace polc::cli
