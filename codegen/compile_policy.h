// The backend's front door: an IR policy to a BPF object in memory. The
// program depends only on the policy's shape, and with HTTP rules on the
// size of their tables (config.h); the policy itself travels in the
// object's ".polc.policy" section as IR JSON for `verify` and `apply`.
// HTTP rules fail the compilation when the datapath cannot enforce them
// (exit 1) or the hook is XDP (exit 3).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "codegen/generate.h"
#include "frontend/result.h"
#include "ir/ir.h"
#include "ir/map_plan.h"

namespace polc::codegen {

struct CompiledObject {
  ir::DatapathShape shape;
  GeneratedProgram program;  // the generated C, for --emit-c
  std::vector<uint8_t> elf;
};

Result<CompiledObject> compile_policy(const ir::Policy &policy, Hook hook = Hook::Tc);

// As compile_policy, for a shape wider than the policy's own (more lookups,
// parsers or directions): the program enforces the policy the same, the
// extra lookups finding nothing. Tests use it to share one object among
// policies of nearby shapes.
Result<CompiledObject> compile_policy_for_shape(const ir::Policy &policy, const ir::DatapathShape &shape,
                                                Hook hook = Hook::Tc);

// The program compile_policy compiles for `policy`, generated but not
// compiled (apply keys its object cache on it: equal programs compile to
// equal bytes). Fails as compile_policy does on HTTP rules.
// With `audit`, the program of `apply --audit` (ir::DatapathShape::audit).
Result<GeneratedProgram> generate_policy_program(const ir::Policy &policy, Hook hook = Hook::Tc, bool audit = false);

// The generated C as one readable file: config.h first, then the program.
std::string generated_c_listing(const GeneratedProgram &program);

}  // namespace polc::codegen
