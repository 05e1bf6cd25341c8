/* The policy generation a packet is judged by (maps_abi.h, "Policy
 * generations"): polc_active is read once per packet and the four inner
 * maps of that slot are fetched together, so every lookup of the packet
 * uses one consistent set. A missing slot fails closed. */
#ifndef POLC_GENERATION_H
#define POLC_GENERATION_H

#include "maps.h"

struct polc_policy_set {
	void *ipcache4;
	void *ipcache6;
	void *allow;
	void *deny;
};

static __always_inline int policy_set_load(struct polc_policy_set *set)
{
	__u32 zero = 0;
	__u32 *active = bpf_map_lookup_elem(&polc_active, &zero);
	__u32 slot;

	if (!active)
		return POLC_DROP_INVALID;
	slot = *active;
	if (slot >= POLC_SLOTS)
		return POLC_DROP_INVALID;
	set->ipcache4 = bpf_map_lookup_elem(&polc_ipcache4_slots, &slot);
	set->ipcache6 = bpf_map_lookup_elem(&polc_ipcache6_slots, &slot);
	set->allow = bpf_map_lookup_elem(&polc_allow_slots, &slot);
	set->deny = bpf_map_lookup_elem(&polc_deny_slots, &slot);
	if (!set->ipcache4 || !set->ipcache6 || !set->allow || !set->deny)
		return POLC_DROP_INVALID;
	return POLC_DROP_NONE;
}

#endif /* POLC_GENERATION_H */
