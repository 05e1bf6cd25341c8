#include "codegen/compile_policy.h"

#include "codegen/bpf_compiler.h"
#include "codegen/elf_section.h"
#include "ir/ir_json.h"
#include "ir/plan.h"

namespace polc::codegen {

Result<CompiledObject> compile_policy(const ir::Policy &policy, Hook hook) {
  CompiledObject out;
  out.shape = ir::plan_shape(policy);
  auto generated = try_generate_datapath(out.shape, hook);
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
  out.elf = std::move(with_policy).value();
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
