/* One packet through the policy, for either hook and either direction.
 * The stages, each in its own header, return a polc_drop_reason:
 *   eth -> IPv4 / IPv6 fixed header -> ipcache (subject enforced?) ->
 *   IPv6 extension headers -> L4 -> conntrack (replies pass) -> ipcache
 *   (peer) -> fragments -> policy -> [HTTP] -> conntrack (record the
 *   allowed connection)
 * The policy maps come from the packet's generation (generation.h).
 * Non-IP traffic passes. Traffic whose subject is not enforced in this
 * direction passes before anything past L3 is read, so only enforced
 * traffic is dropped for malformed headers. */
#ifndef POLC_DATAPATH_H
#define POLC_DATAPATH_H

#include "ctx.h"
#include "common.h"
#include "maps.h"
#include "drop.h"
#include "eth.h"
#include "ipv4.h"
#include "ipv6.h"
#include "l4.h"
#include "ipcache.h"
#include "policy.h"
#include "frag.h"
#include "generation.h"
#include "conntrack.h"
#if POLC_HAVE_HTTP
#include "http.h"
#endif

/* The enforcement flags a program honours: only the directions the shape
 * enforces, so the branches of a direction no rule enforces are pruned
 * whatever the ipcache says. */
#define POLC_HONOURED_INGRESS (POLC_HAVE_ENFORCE_INGRESS ? POLC_ENFORCE_INGRESS : 0)
#define POLC_HONOURED_EGRESS (POLC_HAVE_ENFORCE_EGRESS ? POLC_ENFORCE_EGRESS : 0)

static __always_inline __u32 dir_enforce_flag(__u8 dir)
{
	return dir == POLC_DIR_INGRESS ? POLC_HONOURED_INGRESS : POLC_HONOURED_EGRESS;
}

static __always_inline __u32 dir_reverse_flag(__u8 dir)
{
	return dir == POLC_DIR_INGRESS ? POLC_HONOURED_EGRESS : POLC_HONOURED_INGRESS;
}

/* Traffic of a subject not enforced in this direction passes; it is still
 * recorded in conntrack when the subject is enforced the other way, so
 * that the replies to the connections it opens come back. */
static __always_inline int datapath_unenforced(void *data, void *data_end, __u32 l3_off, struct polc_pkt *pkt)
{
	struct polc_ct_pkt ct = {};
	__u32 l4_off = 0;

	if (pkt->family == 6) {
		if (ipv6_walk_ext(data, data_end, l3_off, pkt, &l4_off) != POLC_DROP_NONE)
			return POLC_DROP_NONE;
	} else {
		struct polc_iphdr *ip = data + l3_off;

		if ((void *)(ip + 1) > data_end)
			return POLC_DROP_NONE;
		l4_off = l3_off + (__u32)(ip->version_ihl & 0xf) * 4;
	}
	ct_parse(data, data_end, l4_off, pkt, &ct);
	if (!ct_is_reply(&ct))
		ct_record(&ct);
	return POLC_DROP_NONE;
}

/* When both directions are enforced, both programs need the whole verdict:
 * datapath_handle is then a BPF-to-BPF function that polc_ingress and
 * polc_egress share, which halves the object and the compile time. The
 * verifier checks a static function at each call with the caller's
 * registers, `dir` a known constant, so each direction's dead branches are
 * still pruned there. Otherwise it is inlined into each program, so the one
 * that only records connections is compiled without the verdict; and with
 * HTTP, whose parser's frames use up the 512 bytes of stack of a chain of
 * calls, it is inlined too. */
#if POLC_HAVE_ENFORCE_INGRESS && POLC_HAVE_ENFORCE_EGRESS && !POLC_HAVE_HTTP
#define POLC_DATAPATH_FN static __noinline
#else
#define POLC_DATAPATH_FN static __always_inline
#endif

POLC_DATAPATH_FN int datapath_handle(struct __ctx_buff *ctx, __u8 dir)
{
	void *data = ctx_data(ctx);
	void *data_end = ctx_data_end(ctx);
	struct polc_pkt pkt = {};
	struct polc_policy_set set = {};
	struct polc_ct_pkt ct = {};
	struct polc_ipcache_value subject, peer;
	struct polc_allow_match allowed = {};
	struct polc_policy_key query;
	__u32 l3_off = 0, l4_off = 0;
	__u16 ethertype = 0;
	int ret;

	ret = eth_parse(data, data_end, &ethertype, &l3_off);
	if (ret != POLC_DROP_NONE)
		return ret;

	if (ethertype == POLC_ETH_P_IP)
		ret = ipv4_parse(data, data_end, l3_off, &pkt, &l4_off);
	else if (ethertype == POLC_ETH_P_IPV6)
		ret = ipv6_parse_fixed(data, data_end, l3_off, &pkt);
	else
		return POLC_DROP_NONE; /* ARP and other non-IP traffic */
	if (ret != POLC_DROP_NONE)
		return ret;

	ret = policy_set_load(&set);
	if (ret != POLC_DROP_NONE)
		return ret;

	/* Ingress protects the destination, egress the source. */
	ret = ipcache_lookup(&set, pkt.family, dir == POLC_DIR_INGRESS ? pkt.daddr : pkt.saddr, &subject);
	if (ret != POLC_DROP_NONE)
		return ret;
	if (!(subject.flags & dir_enforce_flag(dir))) {
		if (subject.flags & dir_reverse_flag(dir))
			return datapath_unenforced(data, data_end, l3_off, &pkt);
		return POLC_DROP_NONE;
	}
	if (pkt.family == 6) {
		ret = ipv6_walk_ext(data, data_end, l3_off, &pkt, &l4_off);
		if (ret != POLC_DROP_NONE)
			return ret;
	}

#if POLC_PARSE_L4
	if (!(pkt.flags & POLC_PKT_LATER_FRAGMENT)) {
		ret = l4_parse(data, data_end, l4_off, &pkt);
		if (ret != POLC_DROP_NONE)
			return ret;
	}
#endif

	/* A reply of a connection some earlier packet opened passes, before
	 * the peer is looked up: half of all packets need no second trie walk. */
	ct_parse(data, data_end, l4_off, &pkt, &ct);
	if (ct_is_reply(&ct))
		return POLC_DROP_NONE;

	ret = ipcache_lookup(&set, pkt.family, dir == POLC_DIR_INGRESS ? pkt.saddr : pkt.daddr, &peer);
	if (ret != POLC_DROP_NONE)
		return ret;

#if POLC_TRACK_FRAGS
	if (pkt.flags & POLC_PKT_LATER_FRAGMENT) {
		ret = frag_restore_ports(&pkt);
		if (ret != POLC_DROP_NONE)
			return ret;
	}
#endif

	policy_query_init(&query, subject.identity, peer.identity, dir, &pkt);
	ret = policy_verdict(&set, &query, &allowed);

#if POLC_TRACK_FRAGS
	if ((pkt.flags & (POLC_PKT_FRAGMENT | POLC_PKT_LATER_FRAGMENT)) == POLC_PKT_FRAGMENT)
		frag_record_first(&pkt, ret);
#endif

#if POLC_HAVE_HTTP
	if (ret == POLC_DROP_NONE && allowed.needs_l7) {
		ret = http_verdict(ctx, &pkt, l3_off, l4_off, &ct.key, &set, &allowed, dir);
		if (ret != POLC_DROP_NONE)
			return ret; /* refused: the connection is not refreshed */
	}
#endif
	/* Audit mode records what it lets through, so the replies count as
	 * replies and not as drops of their own. */
	if (ret == POLC_DROP_NONE || POLC_AUDIT)
		ct_record(&ct);
	return ret;
}

#endif /* POLC_DATAPATH_H */
