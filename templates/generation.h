/* The policy generation a packet is judged by (maps_abi.h, "Policy
 * generations"): polc_active's word is read once per packet, and every
 * lookup of the packet uses the maps of that slot (the request parser's
 * HTTP tables too, http.h), so it sees one consistent set. A missing slot
 * fails closed. */
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
	void *http_meta;    /* polc_http_meta of the slot (maps_abi.h, HTTP): */
	void *http_table;   /* fetched by the request parser only (http.h) */
	void *http_verdict;
#endif
	__u32 slot;
	__u64 stamp; /* the word in force + 1: what conntrack entries it allowed carry (maps_abi.h) */
};

static __always_inline int policy_set_load(struct polc_policy_set *set)
{
	__u32 zero = 0;
	__u64 *active = bpf_map_lookup_elem(&polc_active, &zero);
	__u64 word;

	if (!active)
		return POLC_DROP_INVALID;
	/* One 64-bit load: the slot and the generation of one write. */
	word = *(volatile __u64 *)active;
	set->slot = (__u32)word & 1;
	set->stamp = word + 1;
	return POLC_DROP_NONE;
}

#endif /* POLC_GENERATION_H */
