/* Connection tracking (CONTRACT §1.1, "enforcement is stateful"): LRU
 * hashes, polc_ct4 for IPv4 and polc_ct for IPv6, with one entry per
 * connection under a key both directions find (maps_abi.h), shared by both
 * programs of the interface and reused by every new program, so they
 * survive policy swaps.
 *
 * An entry carries the stamp of the generation whose full verdict allowed
 * it, per opening direction (maps_abi.h). datapath.h's fast path passes a
 * packet, forward or reply, whose entry is live and stamped with the word
 * in force; any other packet is judged for the connection's opening
 * direction and, allowed, restamps it. So a swap costs each connection one
 * verdict at its next packet, and cuts exactly those the new policy denies.
 *
 * - TCP: FIN from both sides or an RST shortens the lifetime to
 *   POLC_CT_CLOSING_S; an opening SYN is always judged (it may reuse the
 *   tuple of a closed connection). UDP and SCTP are pseudo-connections on
 *   their ports, ICMP echo on the identifier (requests open, replies
 *   answer).
 * - Entries expire by age, checked here; the LRU evicts the oldest when
 *   full. Later fragments carry no ports and are not tracked; fragments are
 *   always judged, so the first one records its ports (frag.h).
 * - Denied packets leave nothing behind: no negative verdict is cached,
 *   so an attacker cannot fill the table with them.
 *
 * A live entry is written only when something changes: its age is
 * refreshed once per POLC_CT_REFRESH_S, its flags when a FIN or RST adds
 * one, its stamp once per generation. The two programs of an interface run
 * on different CPUs, and a write per packet to the entry both read would
 * move its cache line between them on every packet (Cilium's conntrack
 * does the same, CT_REPORT_INTERVAL). */
#ifndef POLC_CONNTRACK_H
#define POLC_CONNTRACK_H

#include "maps.h"
#include "policy.h"
#include "counters.h"

/* Connection ages are seconds long, so they count the kernel's ticks:
 * bpf_jiffies64() is one load (the verifier inlines it), where even the
 * coarse clock is a helper call with a sequence-counter loop, about 8 ns on
 * every packet of the fast path. Cilium's bpf_mono_now() does the same.
 * The tick rate comes from the loader (maps_abi.h, POLC_CLOCK_SECTION). */
const volatile struct polc_clock polc_clock SEC(POLC_CLOCK_SECTION) = {};

#define ct_now() bpf_jiffies64()
#define ct_seconds(s) ((__u64)(s) * polc_clock.hz)

#define POLC_CT_TCP_S (6 * 3600)
#define POLC_CT_CLOSING_S 10
#define POLC_CT_UDP_S 120
#define POLC_CT_ICMP_S 30
/* How stale a live entry's age may be: an entry expires between its
 * lifetime minus this and its lifetime after its last packet. */
#define POLC_CT_REFRESH_S 1

#define POLC_TCP_FIN 0x01
#define POLC_TCP_SYN 0x02
#define POLC_TCP_RST 0x04
#define POLC_TCP_ACK 0x10

#define POLC_CT_CAN_FORWARD 0x1 /* the packet may open or continue a connection */
#define POLC_CT_CAN_REPLY 0x2   /* the packet may be a reply */

struct polc_ct_pkt {
	union { /* the connection's key (maps_abi.h), by family */
		struct polc_ct_key key;   /* IPv6: polc_ct */
		struct polc_ct4_key key4; /* IPv4: polc_ct4 */
	};
	__u8 roles;     /* POLC_CT_CAN_*; 0: not tracked */
	__u8 tcp_flags;
	__u8 sender;    /* 1 when the packet's sender is the key's b */
	__u8 proto;
	__u8 family;    /* 4 or 6 */
};

/* 1 when (d, dport) sorts before (s, sport): the sender is then b. Native
 * 32-bit words, the order runtime/conntrack_key.cpp uses too. */
static __always_inline __u8 ct_sender_is_b(const struct polc_pkt *pkt, __be16 sport, __be16 dport)
{
	const __u32 *s = (const __u32 *)pkt->saddr;
	const __u32 *d = (const __u32 *)pkt->daddr;

#pragma unroll
	for (int i = 0; i < 4; i++)
		if (s[i] != d[i])
			return d[i] < s[i];
	return dport < sport;
}

/* IPv4: one word per address, the order ct_sender_is_b gives (the other
 * words of an IPv4 packet's addresses are 0). */
static __always_inline void ct4_key_fill(struct polc_ct_pkt *ct, const struct polc_pkt *pkt, __be16 sport, __be16 dport)
{
	__u32 s = *(const __u32 *)pkt->saddr;
	__u32 d = *(const __u32 *)pkt->daddr;

	ct->sender = s != d ? d < s : dport < sport;
	if (ct->sender) {
		ct->key4.addr_a = d;
		ct->key4.addr_b = s;
		ct->key4.port_a = dport;
		ct->key4.port_b = sport;
	} else {
		ct->key4.addr_a = s;
		ct->key4.addr_b = d;
		ct->key4.port_a = sport;
		ct->key4.port_b = dport;
	}
	ct->key4.proto = pkt->proto;
	ct->key4.opener = 0;
	ct->key4.zero = 0;
}

/* `family`, the packet's, is a constant wherever the datapath calls the
 * functions below (datapath.h): each family's code has one map. */
static __always_inline void ct_key_fill(struct polc_ct_pkt *ct, const struct polc_pkt *pkt, __be16 sport, __be16 dport,
					const __u8 family)
{
	ct->proto = pkt->proto;
	ct->family = family;
	if (family == 4) {
		ct4_key_fill(ct, pkt, sport, dport);
		return;
	}
	ct->sender = ct_sender_is_b(pkt, sport, dport);
	if (ct->sender) {
		__builtin_memcpy(ct->key.addr_a, pkt->daddr, 16);
		__builtin_memcpy(ct->key.addr_b, pkt->saddr, 16);
		ct->key.port_a = dport;
		ct->key.port_b = sport;
	} else {
		__builtin_memcpy(ct->key.addr_a, pkt->saddr, 16);
		__builtin_memcpy(ct->key.addr_b, pkt->daddr, 16);
		ct->key.port_a = sport;
		ct->key.port_b = dport;
	}
	ct->key.proto = pkt->proto;
	ct->key.family = pkt->family;
	ct->key.opener = 0;
	ct->key.user = 0;
}

/* ICMP echo: who sent the request is part of the key. */
static __always_inline void ct_set_opener(struct polc_ct_pkt *ct, __u8 opener, const __u8 family)
{
	if (family == 4)
		ct->key4.opener = opener;
	else
		ct->key.opener = opener;
}

static __always_inline void ct_parse(void *data, void *data_end, __u32 l4_off, const struct polc_pkt *pkt, struct polc_ct_pkt *ct,
				     const __u8 family)
{
	__u8 *l4 = data + l4_off;

	/* One pointer for every bounds check and access below, so that the
	 * verifier sees the checks on the register it dereferences. */
	asm volatile("" : "+r"(l4));
	ct->roles = 0;
	ct->tcp_flags = 0;
	if (pkt->flags & POLC_PKT_LATER_FRAGMENT)
		return;

	switch (pkt->proto) {
	case POLC_IPPROTO_TCP:
	case POLC_IPPROTO_UDP:
	case POLC_IPPROTO_SCTP: {
		/* The ports start TCP, UDP and SCTP alike. */
		struct polc_ports *ports = (void *)l4;

		if ((void *)(ports + 1) > data_end)
			return;
		if (pkt->proto == POLC_IPPROTO_TCP) {
			if ((void *)(l4 + 14) > data_end)
				return;
			ct->tcp_flags = l4[13];
		}
		ct_key_fill(ct, pkt, ports->sport, ports->dport, family);
		ct->roles = POLC_CT_CAN_FORWARD | POLC_CT_CAN_REPLY;
		return;
	}
	case POLC_IPPROTO_ICMP:
	case POLC_IPPROTO_ICMPV6: {
		/* type, code, checksum, identifier */
		__be16 *id = (void *)(l4 + 4);
		__u8 type;

		if ((void *)(id + 1) > data_end)
			return;
		type = l4[0];
		ct_key_fill(ct, pkt, *id, *id, family);
		if (type == (pkt->proto == POLC_IPPROTO_ICMP ? 8 : 128)) {
			ct->roles = POLC_CT_CAN_FORWARD;
			ct_set_opener(ct, ct->sender, family);
		} else if (type == (pkt->proto == POLC_IPPROTO_ICMP ? 0 : 129)) {
			ct->roles = POLC_CT_CAN_REPLY;
			ct_set_opener(ct, !ct->sender, family);
		}
		return;
	}
	default:
		return;
	}
}

/* A TCP SYN without ACK: the first packet of a connection, judged even
 * when its tuple has an entry. */
static __always_inline int ct_opening_syn(const struct polc_ct_pkt *ct)
{
	return ct->proto == POLC_IPPROTO_TCP && (ct->tcp_flags & (POLC_TCP_SYN | POLC_TCP_ACK)) == POLC_TCP_SYN;
}

/* In jiffies. */
static __always_inline __u64 ct_lifetime(__u8 proto, __u32 flags)
{
	if (proto == POLC_IPPROTO_TCP) {
		if ((flags & POLC_CT_RST) || (flags & (POLC_CT_FIN_ORIG | POLC_CT_FIN_REPLY)) == (POLC_CT_FIN_ORIG | POLC_CT_FIN_REPLY))
			return ct_seconds(POLC_CT_CLOSING_S);
		return ct_seconds(POLC_CT_TCP_S);
	}
	if (proto == POLC_IPPROTO_ICMP || proto == POLC_IPPROTO_ICMPV6)
		return ct_seconds(POLC_CT_ICMP_S);
	return ct_seconds(POLC_CT_UDP_S);
}

/* The flags a TCP packet adds; `reply`: its sender did not open. */
static __always_inline __u32 ct_tcp_flags(const struct polc_ct_pkt *ct, int reply)
{
	__u32 flags = 0;

	if (ct->proto != POLC_IPPROTO_TCP)
		return 0;
	if (ct->tcp_flags & POLC_TCP_FIN)
		flags |= reply ? POLC_CT_FIN_REPLY : POLC_CT_FIN_ORIG;
	if (ct->tcp_flags & POLC_TCP_RST)
		flags |= POLC_CT_RST;
	return flags;
}

static __always_inline int ct_entry_live(const struct polc_ct_value *entry, __u8 proto, __u64 now)
{
	return now - entry->last_seen < ct_lifetime(proto, entry->flags);
}

/* The live entry of the packet's connection, or 0. */
static __always_inline struct polc_ct_value *ct_lookup(const struct polc_ct_pkt *ct, const __u8 family, __u64 now)
{
	struct polc_ct_value *entry;

	if (family == 4)
		entry = bpf_map_lookup_elem(&polc_ct4, &ct->key4);
	else
		entry = bpf_map_lookup_elem(&polc_ct, &ct->key);
	if (!entry || !ct_entry_live(entry, ct->proto, now))
		return 0;
	return entry;
}

/* The connection's entry goes: the generation in force denies it. */
static __always_inline void ct_forget(const struct polc_ct_pkt *ct, const __u8 family)
{
	if (family == 4)
		bpf_map_delete_elem(&polc_ct4, &ct->key4);
	else
		bpf_map_delete_elem(&polc_ct, &ct->key);
}

/* The connection's key in polc_ct_key's layout, whatever its family: what
 * polc_http_conn is keyed by (http_conn.h). An IPv4 address fills the first
 * 4 bytes of its 16. */
static __always_inline void ct_conn_key(const struct polc_ct_pkt *ct, struct polc_ct_key *out)
{
	if (ct->family != 4) {
		__builtin_memcpy(out, &ct->key, sizeof(*out));
		return;
	}
	__builtin_memset(out, 0, sizeof(*out));
	__builtin_memcpy(out->addr_a, &ct->key4.addr_a, 4);
	__builtin_memcpy(out->addr_b, &ct->key4.addr_b, 4);
	out->port_a = ct->key4.port_a;
	out->port_b = ct->key4.port_b;
	out->proto = ct->key4.proto;
	out->family = 4;
	out->opener = ct->key4.opener;
}

/* A live entry seen again: writes only what changed (see the top). */
static __always_inline void ct_entry_touch(struct polc_ct_value *entry, __u64 now, __u32 new_flags)
{
	if (now - entry->last_seen >= ct_seconds(POLC_CT_REFRESH_S))
		entry->last_seen = now;
	if (new_flags & ~entry->flags)
		entry->flags |= new_flags;
}

/* What the allowing verdict leaves in an entry for its opening direction.
 * Constant indices: `fresh` lives on the stack, where the verifier takes
 * no variable offset. */
#define POLC_CT_ALLOW_AT(entry, i, stamp, allowed)            \
	do {                                                  \
		(entry)->rule_id[i] = (allowed)->rule_id;     \
		(entry)->stamp[i] = (stamp);                  \
	} while (0)

static __always_inline void ct_entry_allow(struct polc_ct_value *entry, __u8 od, __u64 stamp, const struct polc_allow_match *allowed)
{
	if (od)
		POLC_CT_ALLOW_AT(entry, 1, stamp, allowed);
	else
		POLC_CT_ALLOW_AT(entry, 0, stamp, allowed);
	if (allowed->needs_l7)
		entry->l7_needed |= 1 << od;
	else
		entry->l7_needed &= ~(1 << od);
}

/* After the verdict of an opening direction allowed the packet's
 * connection: restamps its entry, or records a new one. `stamp` 0 records
 * a connection audit mode let through but the policy denies: its replies
 * pass as replies, its packets are judged every time. */
static __always_inline void ct_record(const struct polc_ct_pkt *ct, const __u8 family, struct polc_ct_value *entry, int reply, __u8 od, __u64 stamp,
				      const struct polc_allow_match *allowed, __u64 now)
{
	struct polc_ct_value fresh = {};

	if (entry && !(ct_opening_syn(ct) && !reply)) {
		ct_entry_touch(entry, now, ct_tcp_flags(ct, reply));
		ct_entry_allow(entry, od, stamp, allowed);
		return;
	}
	if (reply || !(ct->roles & POLC_CT_CAN_FORWARD))
		return;
	/* A connection that ends before it is known is not one. */
	if (ct->proto == POLC_IPPROTO_TCP && (ct->tcp_flags & POLC_TCP_RST))
		return;
	/* New, or a SYN reusing the tuple: the packet's sender opens it, and
	 * it counts as a flow of the rule that allowed it. */
	if (allowed->rule_id)
		rule_count(allowed->rule_id);
	/* The packet's sender opens it. */
	fresh.last_seen = now;
	fresh.opener = ct->sender;
	fresh.flags = ct_tcp_flags(ct, 0);
	ct_entry_allow(&fresh, od, stamp, allowed);
	if (family == 4)
		bpf_map_update_elem(&polc_ct4, &ct->key4, &fresh, BPF_ANY);
	else
		bpf_map_update_elem(&polc_ct, &ct->key, &fresh, BPF_ANY);
}

#endif /* POLC_CONNTRACK_H */
