// polc compile POLICY... [-o OUT.o] [--emit-c OUT.c] [--emit-ir OUT.json] [--hook tc|xdp]
#include <filesystem>
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/output.h"
#include "cli/session.h"
#include "codegen/compile_policy.h"
#include "ir/ir_json.h"

namespace polc::cli {

namespace {

struct CompileOptions {
  std::vector<std::string> policies;
  std::string output, emit_c, emit_ir, hook = "tc";
};

int run_compile(const CompileOptions &opt) {
  Session session;
  ir::Policy policy;
  if (!session.load_policies(opt.policies, policy)) return kExitInputError;
  if (!session.hook_can_enforce(policy, opt.hook == "xdp")) return kExitInputError;

  if (!opt.emit_ir.empty() && !write_output(opt.emit_ir, ir::policy_to_json_text(policy))) return kExitInputError;

  auto compiled = codegen::compile_policy(policy, opt.hook == "xdp" ? codegen::Hook::Xdp : codegen::Hook::Tc);
  if (!compiled) return session.report(compiled.error());
  if (!opt.emit_c.empty() && !write_output(opt.emit_c, codegen::generated_c_listing(compiled->program)))
    return kExitInputError;

  std::string out = opt.output;
  if (out.empty() && opt.policies.front() == "-") out = "stdin.o";
  if (out.empty()) out = std::filesystem::path(opt.policies.front()).stem().string() + ".o";
  std::string bytes(compiled->elf.begin(), compiled->elf.end());
  return write_output(out, bytes) ? kExitOk : kExitInputError;
}

}  // namespace

void add_compile_command(CLI::App &app, int &exit_code) {
  auto opt = std::make_shared<CompileOptions>();
  auto *sub = app.add_subcommand("compile", "compile policies to a BPF object");
  sub->add_option("policies", opt->policies, "policy files (.json, .yaml, .yml, .pol)")->required();
  sub->add_option("-o,--output", opt->output, "object file to write (default: <first policy>.o)");
  sub->add_option("--emit-c", opt->emit_c, "also write the generated C");
  sub->add_option("--emit-ir", opt->emit_ir, "also write the IR as JSON");
  sub->add_option("--hook", opt->hook, "tc (ingress and egress) or xdp (ingress)")
      ->check(CLI::IsMember({"tc", "xdp"}));
  sub->callback([opt, &exit_code] { exit_code = run_compile(*opt); });
}

}  // namespace polc::cli
