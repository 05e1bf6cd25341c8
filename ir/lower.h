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

// One selector of `rule` as lowering sees it (its namespace folded in):
// the rule's subject, or a peer selector of one of its elements.
Selector lower_subject_selector(const ast::Selector &s, const ast::Rule &rule);
Selector lower_peer_selector(const ast::Selector &s, const ast::Rule &rule);

// Sorts rules and enforcements and merges duplicates (their origins add up).
void canonicalize(Policy &policy);

inline constexpr const char *kNamespaceLabel = "io.kubernetes.pod.namespace";
// A rule label `polc convert` writes on rules made from Kubernetes ipBlock
// peers: their CIDRs also match endpoints' addresses. Cilium accepts and
// ignores it; polc reads it back, so conversion keeps the meaning.
inline constexpr const char *kCidrMatchesEndpointsLabel = "io.polc.cidr-matches-endpoints";

}  // namespace polc::ir
