// Policy generations inside one loaded datapath object (maps_abi.h,
// "Policy generations"): each of the six policy maps is reached through
// an array of maps with POLC_SLOTS slots, and polc_active names the slot in
// force. A map-only update builds a complete new set of inner maps, puts
// them in the idle slot, and writes polc_active's word: one 64-bit store.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "frontend/result.h"
#include "ir/map_plan.h"
#include "runtime/unique_fd.h"

namespace polc::runtime {

// The arrays of maps, in the order of PolicyMapFds (runtime/policy_maps.h):
// hosts4, hosts6, ipcache4, ipcache6, allow, deny.
inline constexpr std::array<const char *, 6> kSlotArrayNames = {"polc_hosts4_slots",   "polc_hosts6_slots",
                                                                "polc_ipcache4_slots", "polc_ipcache6_slots",
                                                                "polc_allow_slots",    "polc_deny_slots"};

// The HTTP tables' arrays of maps, in the order meta, table, verdict; only
// in objects compiled with HTTP rules (templates/maps.h).
inline constexpr std::array<const char *, 3> kHttpSlotArrayNames = {"polc_http_meta_slots", "polc_http_table_slots",
                                                                    "polc_http_verdict_slots"};

struct SlotMaps {
  std::array<UniqueFd, 6> arrays;       // kSlotArrayNames
  std::array<UniqueFd, 3> http_arrays;  // kHttpSlotArrayNames; all invalid without HTTP
  UniqueFd active;                      // polc_active
  bool has_http() const { return http_arrays[0].valid(); }
};

class BpfObject;
// The slot arrays and polc_active of a loaded object (fds of its own).
Result<SlotMaps> object_slot_maps(const BpfObject &object);

// The inner map in `slot` of an array of maps, or an invalid fd when the
// slot is empty.
Result<UniqueFd> inner_map(int array_fd, uint32_t slot);

// polc_active's word (templates/maps_abi.h): generation << 1 | slot.
Result<uint64_t> read_active_word(int active_fd);
Result<void> write_active_word(int active_fd, uint64_t word);
Result<uint32_t> active_slot(const SlotMaps &maps);
// Puts `slot` in force as `generation`: one 64-bit store, after which every
// packet judges by the slot's maps and restamps the connections it lets on.
Result<void> set_active(const SlotMaps &maps, uint32_t slot, uint64_t generation);
// True when every array (HTTP ones included) has an inner map in `slot`.
Result<bool> slot_populated(const SlotMaps &maps, uint32_t slot);
// Creates fresh inner maps shaped like the ones in place (the HTTP table
// sized as compiled in, which the plan must fit), fills them from
// the plan, and installs them in `slot` (which must not be the active one).
Result<void> install_slot(const SlotMaps &maps, uint32_t slot, const ir::MapPlan &plan);

// Entries per family count the host hash and the CIDR trie together.
struct SlotFill {
  size_t ipcache4 = 0, ipcache6 = 0, allow = 0, deny = 0;
};
Result<SlotFill> slot_fill(const SlotMaps &maps, uint32_t slot);
// Entries in a map (walks its keys).
size_t count_entries(int map_fd);
uint32_t map_max_entries(int map_fd);

}  // namespace polc::runtime
