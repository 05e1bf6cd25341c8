// What `polc stats` reports (CONTRACT §2): the counters of the rules in
// force on an interface, its default-deny drops per direction, and its
// drops for every other reason, read from the interface's shared
// counter maps (templates/maps_abi.h) and its state file.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "frontend/result.h"
#include "runtime/iface_state.h"

namespace polc::runtime {

struct RuleStat {
  std::string source;     // file:line:col
  std::string direction;  // "ingress" | "egress"
  std::string verdict;    // "allow": count is flows; "deny": count is packets
  uint64_t count = 0;
};

struct InterfaceStats {
  uint64_t generation = 0;
  std::vector<RuleStat> rules;  // in source order
  uint64_t default_deny_ingress = 0, default_deny_egress = 0;
  std::vector<std::pair<std::string, uint64_t>> drops;  // every reason but the policy's, in enum order
};

// The drop reasons of polc_drops by index, as `stats` and `status` name
// them; POLC_DROP_NONE is "passed" and POLC_DROP_POLICY "policy".
std::vector<std::pair<uint32_t, std::string>> drop_reason_names();

// Exit 1 when polc enforces nothing on the interface.
Result<InterfaceStats> read_interface_stats(const IfaceId &id);

}  // namespace polc::runtime
