/* The policy generation a packet is judged by (maps_abi.h, "Policy
 * generations"): polc_active is read once per packet and the inner
 * maps of that slot (and the HTTP tables, when the policy has HTTP rules)
 * are fetched together, so every lookup of the packet uses one consistent
 * set. A missing slot fails closed. */
#ifndef POLC_GENERATION_H
#define POLC_GENERATION_H

#include "maps.h"

/* The ipcache's and the policy's maps are fetched where they are used,
 * from `slot` (ipcache.h, policy.h), not kept here: this lives in the
 * main program's frame, and the whole chain of calls, the HTTP parser's
 * callbacks included, has 512 bytes of stack. An array-of-maps lookup is a
 * few inlined instructions. A missing map drops the packet. */
struct polc_policy_set {
#if POLC_HAVE_HTTP
	void *http_meta;    /* polc_http_meta of the slot (maps_abi.h, HTTP) */
	void *http_table;
	void *http_verdict;
#endif
	__u32 slot;
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
#if POLC_HAVE_HTTP
	set->http_meta = bpf_map_lookup_elem(&polc_http_meta_slots, &slot);
	set->http_table = bpf_map_lookup_elem(&polc_http_table_slots, &slot);
	set->http_verdict = bpf_map_lookup_elem(&polc_http_verdict_slots, &slot);
	if (!set->http_meta || !set->http_table || !set->http_verdict)
		return POLC_DROP_INVALID;
#endif
	set->slot = slot;
	return POLC_DROP_NONE;
}

#endif /* POLC_GENERATION_H */
