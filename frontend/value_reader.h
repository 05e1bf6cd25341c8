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

// A port given as a number or a numeric string, 0..65535. A string that is
// not a number is a named port: `unresolved-port`.
bool read_port(const DocNode &node, What what, DiagnosticEngine &diags, uint16_t &out);

// "TCP", "UDP", "SCTP", "ANY" in any letter case (`unknown-protocol`
// otherwise). `allow_any` is false for Kubernetes, which has no ANY.
bool read_protocol(const DocNode &node, bool allow_any, DiagnosticEngine &diags, ast::Proto &out);

}  // namespace polc::reader
