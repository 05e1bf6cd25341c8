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

/* What the allow lookups found: the layer-7 policies that still apply.
 * l7[i] == 0 for both means the request-level check is not needed (no HTTP
 * rule, or some allowing entry without one: rules add up). */
struct polc_allow_match {
	__u32 rule_id;
	__u16 l7[2]; /* allow(peer), allow(any peer); 0: none */
	__u8 needs_l7;
};

/* The subject has been checked to be enforced in `dir`. On allow, *match
 * says which rule allowed and which HTTP policies the request must pass. */
static __always_inline int policy_verdict(const struct polc_policy_set *set, __u32 subject, __u32 peer, __u8 dir, const struct polc_pkt *pkt, struct polc_allow_match *match)
{
	struct polc_policy_key key = {};
	struct polc_policy_value *found;

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

	found = bpf_map_lookup_elem(set->allow, &key);
#if POLC_HAVE_HTTP
	/* An entry with an HTTP policy does not settle the request: the
	 * any-peer entry may allow every request, or add its own HTTP rules. */
	if (found) {
		match->rule_id = found->rule_id;
		match->l7[0] = found->l7_policy;
		if (!found->l7_policy)
			return POLC_DROP_NONE;
	}
#if POLC_HAVE_ANY_PEER
	key.peer = POLC_ID_ANY;
	{
		struct polc_policy_value *any = bpf_map_lookup_elem(set->allow, &key);

		if (any) {
			if (!found)
				match->rule_id = any->rule_id;
			match->l7[1] = any->l7_policy;
			if (!any->l7_policy) {
				match->l7[0] = 0;
				return POLC_DROP_NONE;
			}
			found = any;
		}
	}
#endif
	if (!found)
		return POLC_DROP_POLICY;
	match->needs_l7 = 1;
	return POLC_DROP_NONE;
#else
#if POLC_HAVE_ANY_PEER
	if (!found) {
		key.peer = POLC_ID_ANY;
		found = bpf_map_lookup_elem(set->allow, &key);
	}
#endif
	if (!found)
		return POLC_DROP_POLICY;
	match->rule_id = found->rule_id;
	return POLC_DROP_NONE;
#endif
}

#endif /* POLC_POLICY_H */
