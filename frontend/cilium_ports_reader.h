// The layer-4 and layer-7 parts of a Cilium rule element: `toPorts` (ports,
// HTTP rules) and `icmps`. Shared by allow and deny sections; deny sections
// may not carry L7 rules.
#pragma once

#include <vector>

#include "frontend/ast.h"
#include "frontend/document.h"

namespace polc::reader {

void read_to_ports(const DocNode &node, bool deny, DiagnosticEngine &diags, std::vector<ast::PortRule> &out);
void read_icmps(const DocNode &node, DiagnosticEngine &diags, std::vector<ast::IcmpField> &out);

// An ICMP type by Cilium's name ("EchoRequest") for the family; nullopt if unknown.
std::optional<uint8_t> icmp_type_by_name(Family family, std::string_view name);

}  // namespace polc::reader
