// Kubernetes NetworkPolicy (networking.k8s.io/v1) specs, mapped onto the
// Cilium-shaped AST the way Cilium itself translates them: every `from`/`to`
// peer becomes its own rule element sharing the ports, namespace selectors
// become requirements on "io.cilium.k8s.namespace.labels.<key>", ipBlocks
// match endpoints' addresses too.
#pragma once

#include "frontend/ast.h"
#include "frontend/document.h"

namespace polc::reader {

// Reads `spec` into `out`, whose origin, name and namespace are already set.
void read_network_policy_spec(const DocNode &spec, DiagnosticEngine &diags, ast::Rule &out);

}  // namespace polc::reader
