/* ipcache: address -> (identity, enforcement flags), one LPM trie per
 * family (maps_abi.h), of the packet's generation (generation.h). A miss is the world: POLC_ID_WORLD, not enforced. */
#ifndef POLC_IPCACHE_H
#define POLC_IPCACHE_H

#include "generation.h"

static __always_inline struct polc_ipcache_value ipcache_lookup(const struct polc_policy_set *set, __u8 family, const __u8 *addr)
{
	struct polc_ipcache_value world = { .identity = POLC_ID_WORLD, .flags = 0 };
	struct polc_ipcache_value *found;

	if (family == 4) {
		struct polc_ipcache_key4 key = { .prefixlen = 32 };

		__builtin_memcpy(key.addr, addr, 4);
		found = bpf_map_lookup_elem(set->ipcache4, &key);
	} else {
		struct polc_ipcache_key6 key = { .prefixlen = 128 };

		__builtin_memcpy(key.addr, addr, 16);
		found = bpf_map_lookup_elem(set->ipcache6, &key);
	}
	return found ? *found : world;
}

#endif /* POLC_IPCACHE_H */
