// `polc convert --to pol`: the IR written back as polc DSL. The IR's atomic
// rules are regrouped for a person: one `policy` block per subject, and one
// statement for rules that differ only in their peer (same ports) or only
// in their ports (same peer); TCP, UDP and SCTP on one range fold back into
// `any`, the two catch-all CIDRs into `entity world`, `reserved:` selectors
// into their entity. Reading the result gives the same IR again.
#pragma once

#include <string>

#include "frontend/ast.h"
#include "ir/ir.h"

namespace polc::ir {

// The DSL AST (origin Dsl) that lowers to `policy` again.
ast::PolicySet policy_to_dsl_ast(const Policy &policy);
// That AST in the canonical layout (frontend/dsl_writer.h).
std::string to_pol(const Policy &policy);

}  // namespace polc::ir
