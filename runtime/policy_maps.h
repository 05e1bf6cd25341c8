// Writing a map plan (ir/map_plan.h) into a loaded datapath object: the IR's
// entries converted into the layouts of templates/maps_abi.h, the one
// contract with the eBPF side. Policy keys carry
// prefixlen = POLC_PREFIX_FIXED + l4_prefix_bits and a big-endian port whose
// bits past the prefix are zero: the datapath builds the same key for each
// length its shape lists. Host addresses go to the host hashes, shorter
// prefixes to the CIDR tries.
#pragma once

#include "frontend/result.h"
#include "ir/map_plan.h"
#include "runtime/bpf_object.h"
#include "templates/maps_abi.h"

namespace polc::runtime {

polc_host_key4 host_key4(const Prefix &prefix);        // a /32
polc_host_key6 host_key6(const Prefix &prefix);        // a /128
polc_ipcache_key4 ipcache_key4(const Prefix &prefix);  // prefix must be IPv4
polc_ipcache_key6 ipcache_key6(const Prefix &prefix);  // prefix must be IPv6
polc_ipcache_value ipcache_value(const ir::IpcacheEntry &entry);
polc_policy_key policy_key(const ir::PolicyEntry &entry);
polc_policy_value policy_value(const ir::PolicyEntry &entry);

// Writes every ipcache, allow and deny entry of `plan` into the maps
// polc_hosts4/6, polc_ipcache4/6, polc_allow and polc_deny of a loaded object,
// and its HTTP tables and verdicts when the object has HTTP maps
// (runtime/http_maps.h). Fails on a missing map, a kernel refusal (e.g. a
// map full), HTTP rules the object or the plan cannot enforce, or an entry
// the plan's shape has no lookup for (a polc bug: it would never match).
Result<void> fill_policy_maps(const BpfObject &object, const ir::MapPlan &plan);

// The same without HTTP, into maps given by fd (a generation's inner maps,
// policy_slots.h, which fills the HTTP ones with runtime/http_maps.h).
struct PolicyMapFds {
  int hosts4 = -1, hosts6 = -1, ipcache4 = -1, ipcache6 = -1, allow = -1, deny = -1;
};
// The names, in an object, of the maps PolicyMapFds holds, in its order.
inline constexpr const char *kPolicyMapNames[] = {"polc_hosts4",   "polc_hosts6", "polc_ipcache4",
                                                  "polc_ipcache6", "polc_allow",  "polc_deny"};
Result<void> fill_policy_map_fds(const PolicyMapFds &maps, const ir::MapPlan &plan);

}  // namespace polc::runtime
