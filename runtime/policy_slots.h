// Policy generations inside one loaded datapath object (maps_abi.h,
// "Policy generations"): each of the four policy maps is reached through
// an array of maps with POLC_SLOTS slots, and polc_active names the slot in
// force. A map-only update builds a complete new set of inner maps, puts
// them in the idle slot, and flips polc_active: one map update.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "frontend/result.h"
#include "ir/map_plan.h"
#include "runtime/unique_fd.h"

namespace polc::runtime {

// The arrays of maps, in the order ipcache4, ipcache6, allow, deny.
inline constexpr std::array<const char *, 4> kSlotArrayNames = {"polc_ipcache4_slots", "polc_ipcache6_slots",
                                                                "polc_allow_slots", "polc_deny_slots"};

struct SlotMaps {
  std::array<UniqueFd, 4> arrays;  // kSlotArrayNames
  UniqueFd active;                 // polc_active
};

Result<uint32_t> active_slot(const SlotMaps &maps);
Result<void> set_active_slot(const SlotMaps &maps, uint32_t slot);
// True when every array has an inner map in `slot`.
Result<bool> slot_populated(const SlotMaps &maps, uint32_t slot);
// Creates fresh inner maps shaped like the ones in place, fills them from
// the plan, and installs them in `slot` (which must not be the active one).
Result<void> install_slot(const SlotMaps &maps, uint32_t slot, const ir::MapPlan &plan);

struct SlotFill {
  size_t ipcache4 = 0, ipcache6 = 0, allow = 0, deny = 0;
};
Result<SlotFill> slot_fill(const SlotMaps &maps, uint32_t slot);
// Entries in a map (walks its keys).
size_t count_entries(int map_fd);
uint32_t map_max_entries(int map_fd);

}  // namespace polc::runtime
