// What a compiled object carries besides its programs (CONTRACT §2: "it
// carries its policy, so that an object compiled on a build machine can be
// given to apply or verify on a host"): the policy as IR JSON
// (.polc.policy) and the record of the program it was compiled to
// (.polc.program: the main file and the generated config.h, which fix the
// hook, the shape and the map sizes).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "codegen/generate.h"
#include "frontend/result.h"
#include "ir/ir.h"

namespace polc::codegen {

std::string program_record(const GeneratedProgram &program);

struct ObjectPolicy {
  ir::Policy policy;
  Hook hook = Hook::Tc;
};

// The policy and hook of an object `polc compile` wrote. Refused (exit 1)
// when either section is missing or unreadable, or when the program is not
// the one this polc generates for the policy (another polc version, or an
// object changed since): maps filled for one shape and looked up by another
// could let traffic through that the policy denies.
Result<ObjectPolicy> read_compiled_object(const std::vector<uint8_t> &elf);

}  // namespace polc::codegen
