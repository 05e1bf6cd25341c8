// Set relations between IR rule parts, for the lint analyses: does one
// selector, peer, layer-4 match or HTTP rule set cover another (every
// packet or request the narrow one matches, the broad one matches too), and
// can two overlap. Syntactic and conservative: "covers" is only said when
// it holds for every inventory, "disjoint" only when no endpoint could
// match both, so the findings built on them raise no false alarm.
#pragma once

#include "ir/ir.h"

namespace polc::ir::lint {

bool selector_covers(const Selector &broad, const Selector &narrow);
bool selectors_disjoint(const Selector &a, const Selector &b);

bool peer_covers(const Peer &broad, const Peer &narrow);
bool peers_overlap(const Peer &a, const Peer &b);

bool l4_covers(const L4 &broad, const L4 &narrow);
bool l4_overlap(const L4 &a, const L4 &b);

// Requests: a rule without HTTP rules allows every request.
bool http_covers(const Rule &broad, const Rule &narrow);

// Everything `narrow` allows or denies, `broad` does too (direction,
// subject, peer, layer 4 and, for allows, HTTP).
bool rule_covers(const Rule &broad, const Rule &narrow);

}  // namespace polc::ir::lint
