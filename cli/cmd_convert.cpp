// polc convert POLICY... --to json|yaml|pol [-o OUT]
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/output.h"
#include "cli/session.h"
#include "ir/convert.h"
#include "ir/pol_writer.h"

namespace polc::cli {

namespace {

struct ConvertOptions {
  std::vector<std::string> policies;
  std::string to, output = "-";
};

int run_convert(const ConvertOptions &opt) {
  Session session;
  ir::Policy policy;
  if (!session.load_policies(opt.policies, policy)) return kExitInputError;
  std::vector<std::string> lossy;
  std::string text = opt.to == "json"  ? ir::to_rule_json(policy, &lossy)
                     : opt.to == "yaml" ? ir::to_cilium_yaml(policy, &lossy)
                                        : ir::to_pol(policy);
  for (const auto &l : lossy) std::cerr << "polc: warning: " << l << "\n";
  return write_output(opt.output, text) ? kExitOk : kExitInputError;
}

}  // namespace

void add_convert_command(CLI::App &app, int &exit_code) {
  auto opt = std::make_shared<ConvertOptions>();
  auto *sub = app.add_subcommand("convert", "write policies as rule JSON, Cilium YAML or polc DSL");
  sub->add_option("policies", opt->policies, "policy files")->required();
  sub->add_option("--to", opt->to, "json, yaml or pol")->required()->check(CLI::IsMember({"json", "yaml", "pol"}));
  sub->add_option("-o,--output", opt->output, "file to write (default: stdout)");
  sub->callback([opt, &exit_code] { exit_code = run_convert(*opt); });
}

}  // namespace polc::cli
