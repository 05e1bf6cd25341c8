/* The verdict, in constant work whatever the rule count (Cilium's
 * policy_can_access): at most four LPM lookups, deny(peer), deny(any peer),
 * allow(peer), allow(any peer), in that order, so a matching deny wins over
 * every allow whatever the prefix lengths. The key always asks for the full
 * (protocol, port) prefix; entries for a whole protocol, a port range or
 * every protocol are shorter prefixes of the same trie (maps_abi.h).
 * Lookups the policy cannot need (no deny rule, no any-peer rule) are not
 * compiled in. */
#ifndef POLC_POLICY_H
#define POLC_POLICY_H

#include "generation.h"

static __always_inline void policy_key_init(struct polc_policy_key *key, __u32 subject, __u32 peer, __u8 dir, const struct polc_pkt *pkt)
{
	key->prefixlen = POLC_PREFIX_FULL;
	key->subject = subject;
	key->peer = peer;
	key->direction = dir;
	key->proto = pkt->proto;
	key->dport = pkt->dport;
}

/* The subject has been checked to be enforced in `dir`. On allow, *allowed
 * points at the matching entry (its l7_policy drives the HTTP hook). */
static __always_inline int policy_verdict(const struct polc_policy_set *set, __u32 subject, __u32 peer, __u8 dir, const struct polc_pkt *pkt, struct polc_policy_value **allowed)
{
	struct polc_policy_key key = {};
	struct polc_policy_value *match;

	policy_key_init(&key, subject, peer, dir, pkt);

#if POLC_HAVE_DENY
	if (bpf_map_lookup_elem(set->deny, &key))
		return POLC_DROP_POLICY;
#if POLC_HAVE_ANY_PEER
	key.peer = POLC_ID_ANY;
	if (bpf_map_lookup_elem(set->deny, &key))
		return POLC_DROP_POLICY;
	key.peer = peer;
#endif
#endif

	match = bpf_map_lookup_elem(set->allow, &key);
#if POLC_HAVE_ANY_PEER
	if (!match) {
		key.peer = POLC_ID_ANY;
		match = bpf_map_lookup_elem(set->allow, &key);
	}
#endif
	if (!match)
		return POLC_DROP_POLICY;
	*allowed = match;
	return POLC_DROP_NONE;
}

#endif /* POLC_POLICY_H */
