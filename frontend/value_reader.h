// Readers for the small values policies share: CIDRs (with their `except`
// lists), ports, protocol names. Each reports its own located diagnostics.
#pragma once

#include <string_view>

#include "frontend/ast.h"
#include "frontend/doc_reader.h"
#include "frontend/document.h"

namespace polc::reader {

// A CIDR (or a bare address, a host prefix). `invalid-cidr` on a bad value;
// `cidr-host-bits` warning when bits past the length are set (normalized).
bool read_prefix(const DocNode &node, What what, DiagnosticEngine &diags, Prefix &out);

// Checks that every `except` of a CIDR peer lies inside its CIDR
// (`invalid-rule`), as Cilium does.
void check_excepts(const ast::CidrPeer &peer, DiagnosticEngine &diags);
// A CIDR and its optional `except` list (Cilium CIDR sets, Kubernetes
// ipBlock), checked with check_excepts. False when the CIDR itself is bad.
bool read_cidr_peer(const DocNode &cidr, const DocNode *except, DiagnosticEngine &diags, ast::CidrPeer &out);

// A port given as a number or a numeric string, 0..65535 (`invalid-port`).
bool read_port(const DocNode &node, What what, DiagnosticEngine &diags, uint16_t &out);
// A port that may also be a name (`port: http`), as Kubernetes and Cilium
// accept it: a number goes to `port`, a name to `name` (`invalid-port`
// when it is neither).
bool read_port_or_name(const DocNode &node, What what, DiagnosticEngine &diags, ast::PortProtocol &out);

// Kubernetes' rule for port names (IANA_SVC_NAME): 1 to 15 lowercase
// letters, digits and '-', at least one letter, no '-' at either end or
// twice in a row. Empty when `name` follows it, else what is wrong.
std::string port_name_problem(std::string_view name);

// "TCP", "UDP", "SCTP", "ANY" in any letter case (`unknown-protocol`
// otherwise). `allow_any` is false for Kubernetes, which has no ANY.
bool read_protocol(const DocNode &node, bool allow_any, DiagnosticEngine &diags, ast::Proto &out);

}  // namespace polc::reader
