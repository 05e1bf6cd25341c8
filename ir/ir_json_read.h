// Reading back the IR JSON of ir_json.h: the policy a compiled object
// carries (codegen/elf_section.h), for `polc apply OBJ.o`.
#pragma once

#include <string_view>

#include "frontend/result.h"
#include "ir/ir.h"

namespace polc::ir {

// The policy, canonical; an error (exit code 1) for anything that is not
// exactly the JSON policy_to_json writes.
Result<Policy> policy_from_json(std::string_view text);

}  // namespace polc::ir
