/* One packet through the policy, for either hook and either direction.
 * The stages, each in its own header, return a polc_drop_reason:
 *   eth -> IPv4 / IPv6 -> generation -> IPv6 extension headers -> L4 ->
 *   conntrack: a live entry stamped by the generation in force passes
 *   [HTTP: the request bytes are still judged]
 *   otherwise, the verdict for the connection's opening direction:
 *   ipcache (subject enforced?) -> ipcache (peer) -> fragments -> policy ->
 *   [HTTP] -> conntrack (stamp, or record the new connection)
 * A denied connection that had an entry loses it: a swap cuts exactly the
 * connections the new policy denies, at their next packet either way.
 * The policy maps come from the packet's generation (generation.h).
 * Non-IP traffic passes. Traffic whose subject is not enforced passes
 * whatever its headers past L3, so only enforced traffic is dropped for
 * malformed ones. */
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
#include "counters.h"
#include "monitor.h"
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

/* A reply judged again (a stale stamp): the policy's question is about
 * its connection's opening packet, whose destination port is the reply's
 * source port, and an echo reply's request is an echo request. The
 * addresses stay: the subject is the endpoint on the program's side
 * either way (datapath_judge). */
static __always_inline void datapath_opening_port(struct polc_pkt *pkt)
{
	if (pkt->proto == POLC_IPPROTO_ICMP)
		pkt->dport = bpf_htons(8 << 8);
	else if (pkt->proto == POLC_IPPROTO_ICMPV6)
		pkt->dport = bpf_htons(128 << 8);
	else
		pkt->dport = pkt->sport;
}

/* The verdict for a connection's opening direction `od`: the packet's own
 * direction `dir` for a forward packet, the other one for a reply judged
 * again (then `pkt` holds the opening packet's port).
 * The subject is the endpoint on the program's side in both cases: an
 * ingress program's subject is the destination of what it receives, which
 * opened a connection it sees a reply of. Chosen by the constant `dir`,
 * not `od`: a pointer that depends on a runtime value would split the
 * verifier's states at every lookup that follows. Allowed:
 * the entry is stamped, or the new connection recorded. Denied: a known
 * connection loses its entry.
 * Counted: a policy drop on its deny rule's counter, or on the default
 * deny of `od` (*rule says which, for the event); a new connection on the
 * counter of the rule that allowed it (ct_record). */
static __always_inline int datapath_judge(struct __ctx_buff *ctx, struct polc_pkt *pkt, const struct polc_policy_set *set,
					  const struct polc_ct_pkt *ct, struct polc_ct_value *entry, __u32 l3_off, __u32 l4_off,
					  int l4_ret, __u64 now, const __u8 dir, const __u8 family, __u8 od, int reply, __u32 *rule)
{
	struct polc_ipcache_value subject, peer;
	struct polc_allow_match allowed = {};
	struct polc_policy_key query;
	int ret;

	/* The endpoint on the program's side: an ingress program receives
	 * for it, an egress program sends for it. */
	ret = ipcache_lookup(set, family, dir == POLC_DIR_INGRESS ? pkt->daddr : pkt->saddr, &subject);
	if (ret != POLC_DROP_NONE)
		return ret;
	if (!(subject.flags & dir_enforce_flag(od))) {
		/* Not enforced in the opening direction: allowed, and recorded
		 * like any allowed connection. So the replies to what it opens
		 * come back when it is enforced the other way, and a later
		 * policy that enforces it judges the connection by the way it
		 * was opened, not its next packet as a new connection. */
		ct_record(ct, family, entry, reply, od, set->stamp, &allowed, now);
		if (!entry && !reply && monitor_wanted(1))
			monitor_packet(pkt, pkt->dport, dir, POLC_DROP_NONE, POLC_RULE_UNCOUNTED);
		return POLC_DROP_NONE;
	}
	if (l4_ret != POLC_DROP_NONE)
		return l4_ret;

	ret = ipcache_lookup(set, family, dir == POLC_DIR_INGRESS ? pkt->saddr : pkt->daddr, &peer);
	if (ret != POLC_DROP_NONE)
		return ret;

#if POLC_TRACK_FRAGS
	if (pkt->flags & POLC_PKT_LATER_FRAGMENT) {
		ret = frag_restore_ports(pkt);
		if (ret != POLC_DROP_NONE)
			return ret;
	}
#endif

	policy_query_init(&query, subject.identity, peer.identity, od, pkt);
	ret = policy_verdict(set, &query, &allowed);

#if POLC_TRACK_FRAGS
	if (!reply && (pkt->flags & (POLC_PKT_FRAGMENT | POLC_PKT_LATER_FRAGMENT)) == POLC_PKT_FRAGMENT)
		frag_record_first(pkt, ret);
#endif

	if (ret != POLC_DROP_NONE) {
		if (ret == POLC_DROP_POLICY) {
			/* A deny rule's id, or none: no rule allows it. */
			*rule = allowed.rule_id ? allowed.rule_id : POLC_RULE_DEFAULT_DENY + (od & 1);
			rule_count(*rule);
			allowed.rule_id = 0; /* audit mode records it as no rule's connection */
		}
		if (POLC_AUDIT) {
			/* Audit mode records what it lets through, unstamped, so
			 * that the replies count as replies and not as drops of
			 * their own. */
			if (reply)
				return POLC_DROP_NONE;
			ct_record(ct, family, entry, 0, od, 0, &allowed, now);
		} else if (entry) {
			/* The generation in force denies the connection: cut,
			 * whichever way its next packet goes. (An opening SYN
			 * on a known tuple has no entry here: a denied one
			 * leaves the connection it does not belong to alone.) */
			ct_forget(ct, family);
		}
		return ret;
	}

#if POLC_HAVE_HTTP
	/* The request parser's program judges the request and records the
	 * connection (http.h). */
	if (!reply && allowed.needs_l7)
		return http_judge(ctx, pkt, l3_off, l4_off, ct, set, &allowed, od, now);
#endif
	ct_record(ct, family, entry, reply, od, set->stamp, &allowed, now);
	if (!entry && !reply && monitor_wanted(1))
		monitor_packet(pkt, pkt->dport, dir, POLC_DROP_NONE, allowed.rule_id);
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

/* One family's packet past Ethernet. `family` is a constant: the
 * compiler keeps one family's code in each copy, so every check of the
 * family is gone and each copy touches one conntrack map (the verifier
 * would otherwise walk each family's path with both). */
static __always_inline int datapath_ip(struct __ctx_buff *ctx, const __u8 dir, __u32 l3_off, const __u8 family)
{
	void *data = ctx_data(ctx);
	void *data_end = ctx_data_end(ctx);
	struct polc_pkt pkt = {};
	struct polc_policy_set set = {};
	struct polc_ct_pkt ct = {};
	struct polc_ct_value *entry = 0;
	__u32 l4_off = 0;
	__u64 now = 0;
	__u32 rule = POLC_RULE_UNCOUNTED;
	int ret, l4_ret = POLC_DROP_NONE, reply = 0;
	__be16 wire_dport;
	__u8 od = dir;

	if (family == 4)
		ret = ipv4_parse(data, data_end, l3_off, &pkt, &l4_off);
	else
		ret = ipv6_parse_fixed(data, data_end, l3_off, &pkt);
	if (ret != POLC_DROP_NONE)
		return ret;

	ret = policy_set_load(&set);
	if (ret != POLC_DROP_NONE)
		return ret;

	/* Past L3, a header the parser cannot follow drops the packet only
	 * when its subject is enforced (datapath_judge): kept until then. */
	if (family == 6)
		l4_ret = ipv6_walk_ext(data, data_end, l3_off, &pkt, &l4_off);
#if POLC_PARSE_L4
	if (l4_ret == POLC_DROP_NONE && !(pkt.flags & POLC_PKT_LATER_FRAGMENT))
		l4_ret = l4_parse(data, data_end, l4_off, &pkt);
#endif
	if (l4_ret == POLC_DROP_NONE)
		ct_parse(data, data_end, l4_off, &pkt, &ct, family);

	wire_dport = pkt.dport;
	/* The fast path: the connection's entry, stamped by the generation in
	 * force for the direction it was opened in, lets the packet through,
	 * forward or reply, on this one lookup. */
	if (ct.roles) {
		now = ct_now();
		entry = ct_lookup(&ct, family, now);
	}
	if (entry && ct_opening_syn(&ct))
		entry = 0; /* a new connection on a known tuple: judged as new */
	if (entry) {
		/* A reply when the connection was opened the other way: its
		 * verdict is that of the other direction. */
		reply = entry->opener != ct.sender;
		od = reply ? !dir : dir;
		/* A client's packet under HTTP rules is judged in full: the
		 * parser needs the generation's HTTP policies. */
		if (entry->stamp[od & 1] == set.stamp && !(POLC_HAVE_HTTP && !reply && ((entry->l7_needed >> od) & 1))) {
			ct_entry_touch(entry, now, ct_tcp_flags(&ct, reply));
#if POLC_TRACK_FRAGS
			if (!reply && (pkt.flags & POLC_PKT_FRAGMENT))
				frag_record_first(&pkt, POLC_DROP_NONE);
#endif
			return POLC_DROP_NONE;
		}
		/* Stale: the verdict for the opening direction, as if its
		 * opening packet came now. */
		if (reply)
			datapath_opening_port(&pkt);
	}
	ret = datapath_judge(ctx, &pkt, &set, &ct, entry, l3_off, l4_off, l4_ret, now, dir, family, od, reply, &rule);
	if (ret != POLC_DROP_NONE && monitor_wanted(0))
		monitor_packet(&pkt, wire_dport, dir, ret, rule);
	return ret;
}

POLC_DATAPATH_FN int datapath_handle(struct __ctx_buff *ctx, __u8 dir)
{
	__u32 l3_off = 0;
	__u16 ethertype = 0;
	int ret;

	ret = eth_parse(ctx_data(ctx), ctx_data_end(ctx), &ethertype, &l3_off);
	if (ret != POLC_DROP_NONE)
		return ret;
	if (ethertype == POLC_ETH_P_IP)
		return datapath_ip(ctx, dir, l3_off, 4);
	if (ethertype == POLC_ETH_P_IPV6)
		return datapath_ip(ctx, dir, l3_off, 6);
	return POLC_DROP_NONE; /* ARP and other non-IP traffic */
}

#endif /* POLC_DATAPATH_H */
