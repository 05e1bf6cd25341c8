// polc apply (POLICY... | OBJ.o) --iface IF [--endpoints EPS.json]
//            [--hook tc|xdp] [--audit] [--netns NAME] [--format text|json]
// Compiles (only for a program shape neither loaded on the interface nor in
// the object cache, cli/object_cache.h), loads, verifies, fills the maps and
// attaches, or swaps atomically what is there (runtime/installer.h).
// Failures leave the previous policy in force, exit 3.
#include <chrono>
#include <iostream>
#include <optional>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/apply_pipeline.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/output.h"
#include "cli/session.h"
#include "codegen/compiled_object.h"
#include "runtime/iface_pins.h"
#include "runtime/installer.h"
#include "runtime/netns_guard.h"

namespace polc::cli {

namespace {

struct ApplyOptions {
  std::vector<std::string> inputs;
  std::string iface, endpoints, hook = "tc", netns, format = "text";
  bool hook_given = false;  // --hook on the command line, not the default
  bool audit = false;
};

int run_apply(const ApplyOptions &opt) {
  const auto started = std::chrono::steady_clock::now();
  Session session;
  ir::Policy policy;
  codegen::Hook hook = opt.hook == "xdp" ? codegen::Hook::Xdp : codegen::Hook::Tc;
  // `apply OBJ.o`: the object's own program, for the policy it carries.
  std::optional<std::vector<uint8_t>> given_object;
  if (opt.inputs.size() == 1 && is_object_file(opt.inputs[0])) {
    auto bytes = read_binary_file(opt.inputs[0]);
    if (!bytes) return report_error(bytes.error());
    auto carried = codegen::read_compiled_object(*bytes);
    if (!carried) {
      std::cerr << "polc: error: " << opt.inputs[0] << ": " << carried.error().message << "\n";
      return carried.error().exit_code;
    }
    if (opt.hook_given && carried->hook != hook) {
      std::cerr << fmt::format("polc: error: {}: the object holds the {} programs, not {}: compile the policy with "
                               "--hook {}\n",
                               opt.inputs[0], codegen::hook_traits(carried->hook).name, opt.hook, opt.hook);
      return kExitInputError;
    }
    hook = carried->hook;
    policy = std::move(carried->policy);
    given_object = std::move(bytes).value();
  } else {
    size_t rules = 0;
    if (!session.load_policies(opt.inputs, policy, &rules) || !session.hook_can_enforce(policy, opt.hook == "xdp"))
      return kExitInputError;
    // Applying nothing would silently open the interface: `detach` says so.
    if (rules == 0) {
      std::cerr << "polc: error: the input holds no network policy; nothing to apply (polc detach --iface "
                << opt.iface << " stops enforcing)\n";
      return kExitInputError;
    }
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

  auto lap = [step = started]() mutable {
    auto now = std::chrono::steady_clock::now();
    double ms = std::chrono::duration<double, std::milli>(now - step).count();
    step = now;
    return ms;
  };
  const double read_ms = lap();  // policies read and lowered, the inventory read

  ApplyTarget target{runtime::IfaceId{opt.netns, opt.iface}, hook, opt.audit};
  auto prepared = prepare_apply(policy, endpoints, target, std::move(given_object));
  // HTTP rules the datapath cannot hold: refused before anything is touched.
  if (!prepared) return session.report(prepared.error());
  const runtime::ApplyRequest &request = prepared->request;
  const double plan_ms = lap();  // the plan and the digests
  const bool had_policy = runtime::pinned_hook(request.id).has_value();
  auto outcome = runtime::apply_policy(request);
  if (!outcome) {
    std::cerr << "polc: error: apply on " << opt.iface << " failed"
              << (had_policy ? "; the previous policy stays in force: " : "; nothing was attached: ")
              << outcome.error().message << "\n";
    return outcome.error().exit_code;
  }
  if (opt.format == "json") {
    nlohmann::ordered_json j = {{"iface", opt.iface},
                                {"result", runtime::outcome_name(outcome->kind)},
                                {"audit", opt.audit},
                                {"generation", outcome->generation},
                                {"policy_digest", request.policy_digest},
                                {"switch_ms", outcome->switch_ms}};
    if (outcome->kind == runtime::ApplyOutcome::Kind::ProgramSwap) j["reused_object"] = outcome->reused_object;
    if (*prepared->compiled) j["compiled"] = **prepared->compiled;  // false: the object came from the cache
    const runtime::ApplyTimings &t = outcome->timings;
    // Before the update (read, plan, digest) and in it (runtime::ApplyTimings).
    j["timings_ms"] = {{"read", read_ms}, {"plan", plan_ms}, {"compile", t.compile_ms},
                       {"load", t.load_ms}, {"fill", t.fill_ms}, {"pin", t.pin_ms},       {"commit", t.commit_ms}};
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << fmt::format("{}: generation {} in force ({}", opt.iface, outcome->generation,
                             runtime::outcome_name(outcome->kind));
    if (outcome->kind != runtime::ApplyOutcome::Kind::Unchanged)
      std::cout << fmt::format(", switched in {:.1f} ms", outcome->switch_ms);
    std::cout << ")" << (opt.audit ? ", audit mode: nothing is dropped, `polc status` counts what would be" : "")
              << "\n";
  }
  return kExitOk;
}

}  // namespace

void add_apply_command(CLI::App &app, int &exit_code) {
  auto opt = std::make_shared<ApplyOptions>();
  auto *sub = app.add_subcommand("apply", "enforce policies on an interface (atomic swap when already enforced)");
  sub->add_option("inputs", opt->inputs, "policy files, or one object polc compiled")->required();
  sub->add_option("--iface", opt->iface, "interface to enforce")->required();
  sub->add_option("--endpoints", opt->endpoints, "endpoint inventory");
  sub->add_option("--hook", opt->hook, "tc or xdp (an object's own hook by default)")
      ->check(CLI::IsMember({"tc", "xdp"}))
      ->each([opt](const std::string &) { opt->hook_given = true; });
  sub->add_option("--netns", opt->netns, "named network namespace holding the interface");
  sub->add_option("--format", opt->format, "text or json")->check(CLI::IsMember({"text", "json"}));
  sub->add_flag("--audit", opt->audit, "count verdicts as usual, drop nothing (see polc status)");
  sub->callback([opt, &exit_code] { exit_code = run_apply(*opt); });
}

}  // namespace polc::cli
