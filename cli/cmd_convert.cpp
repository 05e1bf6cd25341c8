// polc convert POLICY... --to json|yaml|pol [-o OUT]
#include <algorithm>
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/output.h"
#include "cli/session.h"
#include "ir/convert.h"

namespace polc::cli {

namespace {

struct ConvertOptions {
  std::vector<std::string> policies;
  std::string to, output = "-";
};

int run_convert(const ConvertOptions &opt) {
  Session session;
  ast::PolicySet read;
  for (const std::string &path : opt.policies) session.load_policy(path, read);
  session.flush_diagnostics();
  if (session.diags().has_errors()) return kExitInputError;
  const auto format = opt.to == "json"   ? ir::ConvertFormat::RuleJson
                      : opt.to == "yaml" ? ir::ConvertFormat::CiliumYaml
                                         : ir::ConvertFormat::Dsl;
  std::vector<std::string> lossy;
  std::string text = ir::convert_objects(ir::split_source_objects(read, session.sources()), format, session.diags(), &lossy);
  session.flush_diagnostics();
  if (session.diags().has_errors()) return kExitInputError;
  std::sort(lossy.begin(), lossy.end());
  lossy.erase(std::unique(lossy.begin(), lossy.end()), lossy.end());
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
