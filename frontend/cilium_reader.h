// Cilium rules: one element of a rule JSON array, or the `spec` (or an item
// of `specs`) of a CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy.
#pragma once

#include <string_view>

#include "frontend/ast.h"
#include "frontend/doc_reader.h"
#include "frontend/document.h"

namespace polc::reader {

// Reads one rule into `out`, which the caller has already given its origin,
// name and namespace. Errors go to `diags`; reading continues after them.
void read_cilium_rule(const DocNode &node, What what, DiagnosticEngine &diags, ast::Rule &out);

// Cilium's entity names (fromEntities/toEntities).
bool is_known_entity(std::string_view name);

}  // namespace polc::reader
