// polc verify (POLICY... | OBJ.o) [--format text|json]
// Loads every program of the object into the kernel verifier, reports the
// instruction counts, and unloads everything (the BpfObject's destructor).
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/output.h"
#include "cli/session.h"
#include "codegen/compile_policy.h"
#include "codegen/compiled_object.h"
#include "ir/plan.h"
#include "runtime/bpf_object.h"
#include "runtime/verifier_log.h"

namespace polc::cli {

namespace {

struct VerifyOptions {
  std::vector<std::string> inputs;
  std::string format = "text";
};

struct NamedObject {
  std::string name;
  std::vector<uint8_t> elf;
};

int verify_objects(const std::vector<NamedObject> &objects, const std::string &format) {
  nlohmann::ordered_json report = nlohmann::ordered_json::array();
  int exit_code = kExitOk;
  for (const NamedObject &o : objects) {
    auto obj = runtime::BpfObject::open_memory(o.elf, "polc");
    if (!obj) return report_error(obj.error());
    auto loaded = obj->load();
    for (const auto &r : obj->reports()) {
      report.push_back({{"object", o.name},
                        {"program", r.name},
                        {"section", r.section},
                        {"insns", r.insn_count},
                        {"verified_insns", r.verified_insns},
                        {"accepted", r.loaded}});
      if (format == "text" && r.loaded)
        std::cout << fmt::format("{}: {} ({}): {} insns, verifier processed {} insns: ok\n", o.name, r.name,
                                 r.section, r.insn_count, r.verified_insns);
    }
    if (!loaded) {
      exit_code = loaded.error().exit_code;
      for (const auto &r : obj->reports()) {
        if (r.loaded || r.verifier_log.empty()) continue;
        std::cerr << fmt::format("{}: {}: error: the verifier rejected the program\n", o.name, r.name);
        if (auto line = runtime::rejected_source_line(r.verifier_log))
          std::cerr << fmt::format("  at generated {}:{}: {}\n", line->file, line->line, line->text);
        std::cerr << runtime::verifier_log_tail(r.verifier_log, 20) << "\n";
      }
      if (exit_code != kExitEnvironment) report_error(loaded.error());
      else std::cerr << "polc: error: " << loaded.error().message << "\n";
    }
  }
  if (format == "json") std::cout << report.dump(2) << "\n";
  return exit_code;
}

int run_verify(const VerifyOptions &opt) {
  std::vector<NamedObject> objects;
  if (opt.inputs.size() == 1 && is_object_file(opt.inputs[0])) {
    auto bytes = read_binary_file(opt.inputs[0]);
    if (!bytes) return report_error(bytes.error());
    // Only what polc compiled goes to the kernel: anything else is an
    // input error here, not a libbpf failure there.
    if (auto carried = codegen::read_compiled_object(*bytes); !carried) {
      std::cerr << "polc: error: " << opt.inputs[0] << ": " << carried.error().message << "\n";
      return kExitInputError;
    }
    objects.push_back({opt.inputs[0], std::move(bytes).value()});
  } else {
    Session session;
    ir::Policy policy;
    if (!session.load_policies(opt.inputs, policy)) return kExitInputError;
    std::vector<codegen::Hook> hooks = {codegen::Hook::Tc, codegen::Hook::Xdp};
    if (ir::plan_shape(policy).http) {
      // XDP cannot enforce HTTP rules (compile_policy refuses it): verify
      // the one object such a policy can be applied with.
      hooks = {codegen::Hook::Tc};
      std::cerr << "polc: note: the policy has HTTP rules, which need the tc hook: verifying the tc object only\n";
    }
    for (auto hook : hooks) {
      auto compiled = codegen::compile_policy(policy, hook);
      if (!compiled) return session.report(compiled.error());
      objects.push_back({std::string(codegen::hook_traits(hook).name), std::move(compiled->elf)});
    }
  }
  return verify_objects(objects, opt.format);
}

}  // namespace

void add_verify_command(CLI::App &app, int &exit_code) {
  auto opt = std::make_shared<VerifyOptions>();
  auto *sub = app.add_subcommand("verify", "load the programs into the kernel verifier, report, unload");
  sub->add_option("inputs", opt->inputs, "policy files, or one compiled object")->required();
  sub->add_option("--format", opt->format, "text or json")->check(CLI::IsMember({"text", "json"}));
  sub->callback([opt, &exit_code] { exit_code = run_verify(*opt); });
}

}  // namespace polc::cli
