/* The verdict, in constant work whatever the rule count (Cilium's
 * policy_can_access): hash lookups at the (protocol, port) prefix lengths
 * the policy's entries have (maps_abi.h), which config.h lists per map and
 * kind of peer, longest first:
 *   deny(peer), deny(any peer): any hit drops, so deny wins over every
 *   allow whatever the prefix lengths;
 *   allow(peer), then allow(any peer): the first hit is the longest
 *   matching prefix, the entry an LPM trie would return.
 * A policy with only single-port rules for named peers does one lookup.
 * Lookups for lengths the policy has none of are not compiled in. */
#ifndef POLC_POLICY_H
#define POLC_POLICY_H

#include "generation.h"

/* The question: subject, peer, direction and the packet's full protocol
 * and port (prefixlen unused). */
static __always_inline void policy_query_init(struct polc_policy_key *query, __u32 subject, __u32 peer, __u8 dir, const struct polc_pkt *pkt)
{
	query->prefixlen = POLC_PREFIX_FULL;
	query->subject = subject;
	query->peer = peer;
	query->direction = dir;
	query->proto = pkt->proto;
	query->dport = pkt->dport;
}

/* The key at prefix length `bits` of (protocol, port): the bits past it are
 * zero, as in the entries (runtime/policy_maps.cpp). `bits` is a constant
 * at every call, so the masking folds away. */
static __always_inline void policy_key_at(struct polc_policy_key *key, const struct polc_policy_key *query, __u32 bits)
{
	__u32 l4 = (__u32)query->proto << 16 | bpf_ntohs(query->dport);

	if (bits < 24)
		l4 &= bits == 0 ? 0 : (0xffffffu << (24 - bits)) & 0xffffffu;
	key->prefixlen = POLC_PREFIX_FIXED + bits;
	key->proto = l4 >> 16;
	key->dport = bpf_htons(l4 & 0xffff);
}

/* What the allow lookups found: the layer-7 policies that still apply.
 * l7[i] == 0 for both means the request-level check is not needed (no HTTP
 * rule, or some allowing entry without one: rules add up). */
struct polc_allow_match {
	__u32 rule_id;
	__u16 l7[2]; /* allow(peer), allow(any peer); 0: none */
	__u8 needs_l7;
};

/* One lookup per length of a list, expanded by config.h's
 * POLC_*_LENGTHS(X) lists. */
#define POLC_DENY_AT(bits)                                    \
	policy_key_at(&key, query, bits);                     \
	found = bpf_map_lookup_elem(deny, &key);              \
	if (found) {                                          \
		match->rule_id = found->rule_id;              \
		return POLC_DROP_POLICY;                      \
	}
#define POLC_ALLOW_AT(bits)                                   \
	if (!found) {                                         \
		policy_key_at(&key, query, bits);             \
		found = bpf_map_lookup_elem(allow, &key);     \
	}

/* The subject has been checked to be enforced in the query's direction. On
 * allow, *match says which rule allowed and which HTTP policies the request
 * must pass; on a deny rule's drop, match->rule_id names it (0: no rule
 * allows the packet).
 * A function of its own (a BPF-to-BPF call): with many lengths the lookups
 * need registers spilled to the stack, and in the caller's frame those
 * would count against the stack of the HTTP parser's callbacks too (512
 * bytes for the whole chain of calls). */
static __noinline int policy_verdict(const struct polc_policy_set *set, const struct polc_policy_key *query, struct polc_allow_match *match)
{
	struct polc_policy_key key = {};
	struct polc_policy_value *found = 0;
	__u32 peer = query->peer;
	void *allow, *deny;

	/* The generation's maps (generation.h). */
	allow = bpf_map_lookup_elem(&polc_allow_slots, &set->slot);
	deny = bpf_map_lookup_elem(&polc_deny_slots, &set->slot);
	if (!allow || !deny)
		return POLC_DROP_INVALID;

	key.subject = query->subject;
	key.direction = query->direction;

	key.peer = peer;
	POLC_DENY_PEER_LENGTHS(POLC_DENY_AT)
	key.peer = POLC_ID_ANY;
	POLC_DENY_ANY_LENGTHS(POLC_DENY_AT)

	key.peer = peer;
	POLC_ALLOW_PEER_LENGTHS(POLC_ALLOW_AT)
#if POLC_HAVE_HTTP
	/* An entry with an HTTP policy does not settle the request: the
	 * any-peer entry may allow every request, or add its own HTTP rules. */
	if (found) {
		match->rule_id = found->rule_id;
		match->l7[0] = found->l7_policy;
		if (!found->l7_policy)
			return POLC_DROP_NONE;
	}
	{
		struct polc_policy_value *by_peer = found;

		found = 0;
		key.peer = POLC_ID_ANY;
		POLC_ALLOW_ANY_LENGTHS(POLC_ALLOW_AT)
		if (found) {
			if (!by_peer)
				match->rule_id = found->rule_id;
			match->l7[1] = found->l7_policy;
			if (!found->l7_policy) {
				match->l7[0] = 0;
				return POLC_DROP_NONE;
			}
		} else {
			found = by_peer;
		}
	}
	if (!found)
		return POLC_DROP_POLICY;
	match->needs_l7 = 1;
	return POLC_DROP_NONE;
#else
	if (!found) {
		key.peer = POLC_ID_ANY;
		POLC_ALLOW_ANY_LENGTHS(POLC_ALLOW_AT)
	}
	if (!found)
		return POLC_DROP_POLICY;
	match->rule_id = found->rule_id;
	return POLC_DROP_NONE;
#endif
}

#undef POLC_DENY_AT
#undef POLC_ALLOW_AT

#endif /* POLC_POLICY_H */
