// polc test POLICY... --endpoints EPS.json --flows FLOWS.json [--format text|json]
// Every flow goes through the compiled program in the kernel
// (BPF_PROG_TEST_RUN) and through the reference evaluator on the IR; the
// two must agree (else exit 4) and match the flow's expectation (else exit 1).
#include <unistd.h>

#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/flow_resolve.h"
#include "cli/output.h"
#include "cli/session.h"
#include "codegen/compile_policy.h"
#include "frontend/flows.h"
#include "frontend/inventory.h"
#include "ir/evaluator.h"
#include "ir/plan.h"
#include "runtime/datapath_runner.h"

namespace polc::cli {

namespace {

struct TestOptions {
  std::vector<std::string> policies;
  std::string endpoints, flows, format = "text";
};

const char *verdict_name(bool allowed) { return allowed ? "allow" : "deny"; }

int run_test(const TestOptions &opt) {
  Session session;
  ir::Policy policy;
  bool ok = session.load_policies(opt.policies, policy);
  Inventory inventory;
  ir::EndpointSet endpoints;
  ok = session.load_endpoints(opt.endpoints, inventory, endpoints) && ok;
  FlowFile flows;
  ok = load_flow_file(opt.flows, &inventory, session.sources(), session.diags(), flows) && ok;
  session.flush_diagnostics();
  if (!ok || session.diags().has_errors()) return kExitInputError;

  auto compiled = codegen::compile_policy(policy, codegen::Hook::Tc);
  if (!compiled) return session.report(compiled.error());
  if (geteuid() != 0) {
    std::cerr << "polc: error: test runs the program in the kernel (BPF_PROG_TEST_RUN) and needs root\n";
    return kExitEnvironment;
  }
  auto runner = runtime::DatapathRunner::create(compiled->elf, ir::plan_maps(policy, endpoints));
  if (!runner) return report_error(runner.error());
  ir::ReferenceEvaluator reference(policy, endpoints);

  size_t passed = 0, failed = 0, disagreed = 0;
  nlohmann::ordered_json results = nlohmann::ordered_json::array();
  for (const Flow &flow : flows.flows) {
    ResolvedFlow resolved = resolve_flow(flow, endpoints);
    if (!resolved.error.empty()) {
      std::cerr << session.diags().where(flow.loc) << ": error: " << resolved.error << "\n";
      return kExitInputError;
    }
    auto kernel = runner->run(resolved.spec);
    if (!kernel) return report_error(kernel.error());

    // The kernel judges the whole flow, its HTTP request included (sent as
    // one TCP segment), and so does the reference evaluator.
    ir::Decision ref = reference.evaluate(resolved.packet);
    bool kernel_allowed = kernel->allowed();
    bool agree = kernel_allowed == ref.allowed;
    bool verdict = kernel_allowed;
    bool pass = agree && verdict == flow.expect_allow;
    if (!agree) ++disagreed;
    (pass ? passed : failed) += 1;

    std::string note = agree ? ref.reason
                             : fmt::format("DISAGREEMENT: kernel {} (egress {}, ingress {}), reference {}: {}",
                                           verdict_name(kernel_allowed), verdict_name(kernel->egress_allowed),
                                           verdict_name(kernel->ingress_allowed), verdict_name(ref.allowed), ref.reason);
    if (opt.format == "text") {
      std::cout << fmt::format("{} {}: expected {}, got {} ({} -> {}; {})\n", pass ? "PASS" : "FAIL", flow.name,
                               verdict_name(flow.expect_allow), verdict_name(verdict), resolved.packet.src.str(),
                               resolved.packet.dst.str(), note);
    }
    results.push_back({{"name", flow.name},
                       {"expect", verdict_name(flow.expect_allow)},
                       {"verdict", verdict_name(verdict)},
                       {"kernel", verdict_name(kernel_allowed)},
                       {"reference", verdict_name(ref.allowed)},
                       {"pass", pass},
                       {"reason", note}});
  }
  if (opt.format == "json") {
    nlohmann::ordered_json doc = {{"flows", results},
                                  {"summary", {{"passed", passed}, {"failed", failed}, {"disagreements", disagreed}}}};
    std::cout << doc.dump(2) << "\n";
  } else {
    std::cout << fmt::format("flows: {} passed, {} failed, {} disagreements between kernel and reference\n", passed,
                             failed, disagreed);
  }
  if (disagreed) return kExitInternal;
  return failed ? kExitInputError : kExitOk;
}

}  // namespace

void add_test_command(CLI::App &app, int &exit_code) {
  auto opt = std::make_shared<TestOptions>();
  auto *sub = app.add_subcommand("test", "run flows through the compiled program and the reference evaluator");
  sub->add_option("policies", opt->policies, "policy files")->required();
  sub->add_option("--endpoints", opt->endpoints, "endpoint inventory")->required();
  sub->add_option("--flows", opt->flows, "flow file")->required();
  sub->add_option("--format", opt->format, "text or json")->check(CLI::IsMember({"text", "json"}));
  sub->callback([opt, &exit_code] { exit_code = run_test(*opt); });
}

}  // namespace polc::cli
