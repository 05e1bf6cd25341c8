// Lowering: the AST of every reader into the normalized IR (ir/ir.h).
// This is where format semantics are settled once: namespaces folded into
// selectors, entities into peers, ANY into TCP/UDP/SCTP, port 0 into the
// full range, one rule per (peer, layer-4 match).
#pragma once

#include "frontend/ast.h"
#include "frontend/diagnostics.h"
#include "ir/ir.h"

namespace polc::ir {

Policy lower(const ast::PolicySet &policies, DiagnosticEngine &diags);

// Sorts rules and enforcements and merges duplicates (their origins add up).
void canonicalize(Policy &policy);

inline constexpr const char *kNamespaceLabel = "io.kubernetes.pod.namespace";

}  // namespace polc::ir
