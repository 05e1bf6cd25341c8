#include "codegen/compile_policy.h"

#include <algorithm>

#include "codegen/bpf_compiler.h"
#include "codegen/compiled_object.h"
#include "codegen/elf_section.h"
#include "ir/rule_sources.h"
#include "ir/http_plan.h"
#include "ir/ir_json.h"
#include "ir/plan.h"

namespace polc::codegen {

namespace {

// The map sizes that depend on the policy: only its HTTP tables do (the
// DFAs come from the rules alone, whatever the inventory). HTTP rules the
// datapath cannot enforce fail the compilation here, before any C.
Result<MapSizes> policy_map_sizes(const ir::Policy &policy, const ir::DatapathShape &shape, Hook hook) {
  MapSizes sizes;
  if (!shape.http) return sizes;
  if (hook == Hook::Xdp)
    return environment_error(
        "the policy has HTTP rules (rules.http), which only the tc hook enforces; use --hook tc");
  auto tables = ir::plan_http_tables(policy);
  if (!tables) return tables.error();
  sizes.http_table = tables->table_capacity();
  sizes.http_verdict = tables->verdict_capacity;
  return sizes;
}

Result<GeneratedProgram> generate_for_shape(const ir::Policy &policy, const ir::DatapathShape &shape, Hook hook) {
  auto sizes = policy_map_sizes(policy, shape, hook);
  if (!sizes) return sizes.error();
  return try_generate_datapath(shape, hook, *sizes);
}

}  // namespace

Result<GeneratedProgram> generate_policy_program(const ir::Policy &policy, Hook hook, bool audit) {
  ir::DatapathShape shape = ir::plan_shape(policy);
  shape.audit = audit;
  return generate_for_shape(policy, shape, hook);
}

Result<CompiledObject> compile_policy(const ir::Policy &policy, Hook hook) {
  return compile_policy_for_shape(policy, ir::plan_shape(policy), hook);
}

Result<CompiledObject> compile_policy_for_shape(const ir::Policy &policy, const ir::DatapathShape &shape, Hook hook) {
  CompiledObject out;
  out.shape = shape;
  auto generated = generate_for_shape(policy, shape, hook);
  if (!generated) return generated.error();
  out.program = std::move(generated).value();

  CompileInput input;
  input.file_name = out.program.main_file;
  input.source = out.program.source;
  input.headers = out.program.headers;
  auto elf = compile_bpf_c(input);
  if (!elf) return elf.error();

  // Compact JSON: the section is read by programs, and indentation more
  // than doubles its size and its writing time on large policies.
  auto with_policy = add_elf_section(elf.value(), kPolicySection, ir::policy_to_json(policy).dump() + "\n");
  if (!with_policy) return with_policy.error();
  auto with_program = add_elf_section(*with_policy, kProgramSection, program_record(out.program));
  if (!with_program) return with_program.error();
  auto with_rules = add_elf_section(*with_program, kRulesSection, ir::rule_sources_to_json(policy));
  if (!with_rules) return with_rules.error();
  out.elf = std::move(with_rules).value();
  return out;
}

std::string generated_c_listing(const GeneratedProgram &program) {
  std::string out;
  for (const auto &[name, text] : program.headers) {
    out += "/* ---- " + name + " ---- */\n" + text;
    if (!text.empty() && text.back() != '\n') out += '\n';
  }
  out += "/* ---- " + program.main_file + " ---- */\n" + program.source;
  return out;
}

}  // namespace polc::codegen
