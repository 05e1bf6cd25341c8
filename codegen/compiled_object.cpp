#include "codegen/compiled_object.h"

#include "codegen/compile_policy.h"
#include "codegen/elf_section.h"
#include "ir/ir_json_read.h"
#include "ir/rule_sources.h"

namespace polc::codegen {

std::string program_record(const GeneratedProgram &program) {
  std::string out = "main " + program.main_file + "\n";
  for (const auto &[name, text] : program.headers) out += "header " + name + "\n" + text;
  return out;
}

Result<ObjectPolicy> read_compiled_object(const std::vector<uint8_t> &elf) {
  auto policy_text = read_elf_section(elf, kPolicySection);
  auto record = read_elf_section(elf, kProgramSection);
  if (!policy_text || !record)
    return Error{"not a polc object: no .polc.policy and .polc.program sections (truncated, not an ELF file, or not "
                 "compiled by polc)",
                 1};
  auto policy = ir::policy_from_json(*policy_text);
  if (!policy) return Error{"the object's .polc.policy section: " + policy.error().message, 1};

  // Objects of earlier polc versions have no rule table: their rules are
  // named by IR position.
  if (auto rules = read_elf_section(elf, kRulesSection)) {
    auto indexed = ir::rule_sources_from_json(*rules, *policy);
    if (!indexed) return Error{"the object's .polc.rules section: " + indexed.error().message, 1};
  }

  ObjectPolicy out{std::move(policy).value(), Hook::Tc};
  for (Hook hook : {Hook::Tc, Hook::Xdp}) {
    auto program = generate_policy_program(out.policy, hook);
    if (!program) continue;  // e.g. HTTP rules on XDP: not this hook
    if (program_record(*program) == *record) {
      out.hook = hook;
      return out;
    }
  }
  return Error{"the object's program is not the one this polc compiles for its policy (compiled by another polc "
               "version, or changed since): compile the policy again",
               1};
}

}  // namespace polc::codegen
