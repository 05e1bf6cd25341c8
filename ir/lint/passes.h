// The lint analyses (ir/lint.h), one factory per pass. Each pass lives in
// the file named after it.
#pragma once

#include <memory>
#include <string>

#include "ir/lint/lint.h"

namespace polc::ir::lint {

// shadow.cpp: redundant-allow, dead-allow, allow-deny-overlap.
std::unique_ptr<LintPass> make_shadow_pass();
// duplicates.cpp: duplicate-rule.
std::unique_ptr<LintPass> make_duplicate_pass();
// selectors.cpp: selector-matches-nothing, unselected-endpoint (with an inventory).
std::unique_ptr<LintPass> make_selector_pass();
// ports.cpp: allow-world-all-ports, http-on-udp, http-on-any-protocol, http-on-tls-port.
std::unique_ptr<LintPass> make_broad_allow_pass();
std::unique_ptr<LintPass> make_http_port_pass();
// regex.cpp: regex-matches-nothing, regex-matches-everything.
std::unique_ptr<LintPass> make_regex_pass();
// cidr.cpp: cidr-covers-endpoints (with an inventory).
std::unique_ptr<LintPass> make_cidr_pass();
// empty.cpp: empty-effect.
std::unique_ptr<LintPass> make_empty_effect_pass();

// Helpers the passes share.
std::string describe_peer(const Peer &p);
std::string describe_l4(const L4 &l4);
std::string describe_selector(const Selector &s);

}  // namespace polc::ir::lint
