// The optimizer's last step: from the IR to the map plan (ir/map_plan.h).
// Per packet, the datapath then does a fixed number of hash lookups — one
// per address in the host ipcache (plus an LPM lookup on a miss when the
// policy has CIDR peers) and one per (protocol, port) prefix length the
// policy uses — whatever the number of rules: rules become map entries,
// not code.
#pragma once

#include "ir/endpoints.h"
#include "ir/identity.h"
#include "ir/ir.h"
#include "ir/map_plan.h"

namespace polc::ir {

// What the program must be able to do: from the policy alone.
DatapathShape plan_shape(const Policy &policy);

// The entries, once the endpoints are known.
MapPlan plan_maps(const Policy &policy, const EndpointSet &endpoints);

// The aligned blocks covering [lo, hi]: (first port, number of fixed top bits).
std::vector<std::pair<uint16_t, uint8_t>> split_port_range(uint16_t lo, uint16_t hi);

}  // namespace polc::ir
