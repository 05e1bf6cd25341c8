/* ipcache: address -> (identity, enforcement flags), of the packet's
 * generation (generation.h). Host addresses are one hash lookup; the trie
 * of CIDR prefixes is asked only on a miss, and only when the policy has
 * CIDR peers (maps_abi.h). A miss of both is the world: POLC_ID_WORLD, not
 * enforced. */
#ifndef POLC_IPCACHE_H
#define POLC_IPCACHE_H

#include "generation.h"

/* The keys are copies, not pointers into the packet's parsed state: a
 * helper reading that state marks all of it live for the verifier, which
 * then prunes far fewer paths (3x the instructions processed with HTTP).
 * The generation's maps are fetched here, from its slot (generation.h).
 * Returns a polc_drop_reason: a missing map fails closed. */
static __always_inline int ipcache_lookup(const struct polc_policy_set *set, __u8 family, const __u8 *addr, struct polc_ipcache_value *out)
{
	struct polc_ipcache_value *found = 0;
	void *map;

	/* Two call sites, one map each: the verifier inlines a lookup only
	 * where it knows the map. */
	if (family == 4) {
		struct polc_host_key4 host;

		__builtin_memcpy(host.addr, addr, 4);
		map = bpf_map_lookup_elem(&polc_hosts4_slots, &set->slot);
		if (!map)
			return POLC_DROP_INVALID;
		found = bpf_map_lookup_elem(map, &host);
	} else {
		struct polc_host_key6 host;

		__builtin_memcpy(host.addr, addr, 16);
		map = bpf_map_lookup_elem(&polc_hosts6_slots, &set->slot);
		if (!map)
			return POLC_DROP_INVALID;
		found = bpf_map_lookup_elem(map, &host);
	}
#if POLC_HAVE_CIDR
	if (!found) {
		if (family == 4) {
			struct polc_ipcache_key4 key = { .prefixlen = 32 };

			__builtin_memcpy(key.addr, addr, 4);
			map = bpf_map_lookup_elem(&polc_ipcache4_slots, &set->slot);
			if (!map)
				return POLC_DROP_INVALID;
			found = bpf_map_lookup_elem(map, &key);
		} else {
			struct polc_ipcache_key6 key = { .prefixlen = 128 };

			__builtin_memcpy(key.addr, addr, 16);
			map = bpf_map_lookup_elem(&polc_ipcache6_slots, &set->slot);
			if (!map)
				return POLC_DROP_INVALID;
			found = bpf_map_lookup_elem(map, &key);
		}
	}
#endif
	if (found) {
		*out = *found;
	} else {
		out->identity = POLC_ID_WORLD;
		out->flags = 0;
	}
	return POLC_DROP_NONE;
}

#endif /* POLC_IPCACHE_H */
