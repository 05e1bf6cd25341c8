// `polc status`: what is in force on the interfaces polc has pins for.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/iface_state.h"

namespace polc::runtime {

// Interfaces polc has pins for, by namespace and name.
std::vector<IfaceId> enforced_interfaces();
// Hook, generation, digests, programs, map fill, packet counters and the
// generation a rollback would restore (CONTRACT §2, `status`).
nlohmann::ordered_json interface_status(const IfaceId &id);

}  // namespace polc::runtime
