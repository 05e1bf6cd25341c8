/* Fragments (maps_abi.h): only the first fragment carries the L4 header, so
 * it records its ports in the LRU map polc_frag under (addresses, id,
 * protocol), and later fragments take the ports from there and go through
 * the same policy lookups. Re-evaluating, rather than replaying a stored
 * verdict, keeps the answer right when the same datagram crosses ingress
 * and egress, and means a later fragment can never reach a port the first
 * one was refused. A later fragment with no record is dropped: fail closed.
 * Compiled only when the verdict depends on ports or ICMP types. */
#ifndef POLC_FRAG_H
#define POLC_FRAG_H

#include "maps.h"

#if POLC_TRACK_FRAGS

static __always_inline void frag_key_init(struct polc_frag_key *key, const struct polc_pkt *pkt)
{
	__builtin_memcpy(key->saddr, pkt->saddr, 16);
	__builtin_memcpy(key->daddr, pkt->daddr, 16);
	key->id = pkt->frag_id;
	key->proto = pkt->frag_proto;
	key->family = pkt->family;
	key->pad = 0;
}

/* For a later fragment: the ports of its first fragment. */
static __always_inline int frag_restore_ports(struct polc_pkt *pkt)
{
	struct polc_frag_key key;
	struct polc_frag_value *first;

	frag_key_init(&key, pkt);
	first = bpf_map_lookup_elem(&polc_frag, &key);
	if (!first)
		return POLC_DROP_FRAG_NOFIRST;
	pkt->sport = first->sport;
	pkt->dport = first->dport;
	return POLC_DROP_NONE;
}

/* For a first fragment, once its verdict is known. */
static __always_inline void frag_record_first(const struct polc_pkt *pkt, int reason)
{
	struct polc_frag_key key;
	struct polc_frag_value value = {
		.sport = pkt->sport,
		.dport = pkt->dport,
		.verdict = reason == POLC_DROP_NONE,
	};

	frag_key_init(&key, pkt);
	bpf_map_update_elem(&polc_frag, &key, &value, BPF_ANY);
}

#endif /* POLC_TRACK_FRAGS */

#endif /* POLC_FRAG_H */
