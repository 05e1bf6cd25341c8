/* Connection tracking: replies of allowed connections pass without rules
 * (CONTRACT §1.1, "enforcement is stateful"). One LRU hash, polc_ct, keyed
 * by the connection as its initiator sent it (maps_abi.h), shared by both
 * programs of the interface and reused by every new program, so it
 * survives policy swaps.
 *
 * - A packet whose reversed tuple is a live connection is a reply: it
 *   passes, and refreshes the entry.
 * - Any other packet goes through the policy; once allowed it records (or
 *   refreshes) its own tuple. Forward packets are never waved through, so
 *   a new policy applies at once to the requests of existing connections.
 * - TCP: FIN from both sides or an RST shortens the lifetime to
 *   POLC_CT_CLOSING_NS. UDP and SCTP are pseudo-connections on their ports,
 *   ICMP echo on the identifier (requests forward, replies backward).
 * Entries expire by age, checked here; the LRU evicts the oldest when full.
 * Later fragments carry no ports and are not tracked.
 *
 * A live entry is written only when something changes: its age is
 * refreshed once per POLC_CT_REFRESH_NS, its flags when a FIN or RST adds
 * one. The two programs of an interface run on different CPUs, and a write
 * per packet to the entry both read would move its cache line between them
 * on every packet (Cilium's conntrack does the same, CT_REPORT_INTERVAL). */
#ifndef POLC_CONNTRACK_H
#define POLC_CONNTRACK_H

#include "maps.h"

/* Connection ages are seconds long: the coarse clock (one tick, a few ms,
 * behind) is precise enough and costs a fraction of bpf_ktime_get_ns(),
 * which reads the clocksource on every packet. */
#define ct_now() bpf_ktime_get_coarse_ns()

#define POLC_NS 1000000000ull
#define POLC_CT_TCP_NS (6ull * 3600 * POLC_NS)
#define POLC_CT_CLOSING_NS (10ull * POLC_NS)
#define POLC_CT_UDP_NS (120ull * POLC_NS)
#define POLC_CT_ICMP_NS (30ull * POLC_NS)
/* How stale a live entry's age may be: an entry expires between its
 * lifetime minus this and its lifetime after its last packet. */
#define POLC_CT_REFRESH_NS (1ull * POLC_NS)

#define POLC_TCP_FIN 0x01
#define POLC_TCP_SYN 0x02
#define POLC_TCP_RST 0x04

#define POLC_CT_CAN_FORWARD 0x1 /* the packet may open or continue a connection */
#define POLC_CT_CAN_REPLY 0x2   /* the packet may be a reply */

struct polc_ct_pkt {
	struct polc_ct_key key; /* the packet's tuple as sent */
	__u8 roles;             /* POLC_CT_CAN_*; 0: not tracked */
	__u8 tcp_flags;
};

static __always_inline void ct_parse(void *data, void *data_end, __u32 l4_off, const struct polc_pkt *pkt, struct polc_ct_pkt *ct)
{
	__u8 *l4 = data + l4_off;

	/* One pointer for every bounds check and access below, so that the
	 * verifier sees the checks on the register it dereferences. */
	asm volatile("" : "+r"(l4));
	ct->roles = 0;
	if (pkt->flags & POLC_PKT_LATER_FRAGMENT)
		return;
	__builtin_memcpy(ct->key.saddr, pkt->saddr, 16);
	__builtin_memcpy(ct->key.daddr, pkt->daddr, 16);
	ct->key.proto = pkt->proto;
	ct->key.family = pkt->family;
	ct->key.pad = 0;

	switch (pkt->proto) {
	case POLC_IPPROTO_TCP:
	case POLC_IPPROTO_UDP:
	case POLC_IPPROTO_SCTP: {
		/* The ports start TCP, UDP and SCTP alike. */
		struct polc_ports *ports = (void *)l4;

		if ((void *)(ports + 1) > data_end)
			return;
		ct->key.sport = ports->sport;
		ct->key.dport = ports->dport;
		if (pkt->proto == POLC_IPPROTO_TCP) {
			if ((void *)(l4 + 14) > data_end)
				return;
			ct->tcp_flags = l4[13];
		}
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
		ct->key.sport = *id;
		ct->key.dport = 0;
		if (type == (pkt->proto == POLC_IPPROTO_ICMP ? 8 : 128))
			ct->roles = POLC_CT_CAN_FORWARD;
		else if (type == (pkt->proto == POLC_IPPROTO_ICMP ? 0 : 129))
			ct->roles = POLC_CT_CAN_REPLY;
		return;
	}
	default:
		return;
	}
}

static __always_inline __u64 ct_lifetime(__u8 proto, __u32 flags)
{
	if (proto == POLC_IPPROTO_TCP) {
		if ((flags & POLC_CT_RST) || (flags & (POLC_CT_FIN_ORIG | POLC_CT_FIN_REPLY)) == (POLC_CT_FIN_ORIG | POLC_CT_FIN_REPLY))
			return POLC_CT_CLOSING_NS;
		return POLC_CT_TCP_NS;
	}
	if (proto == POLC_IPPROTO_ICMP || proto == POLC_IPPROTO_ICMPV6)
		return POLC_CT_ICMP_NS;
	return POLC_CT_UDP_NS;
}

static __always_inline __u32 ct_tcp_flags(__u8 tcp_flags, __u32 fin_flag)
{
	__u32 flags = 0;

	if (tcp_flags & POLC_TCP_FIN)
		flags |= fin_flag;
	if (tcp_flags & POLC_TCP_RST)
		flags |= POLC_CT_RST;
	return flags;
}

static __always_inline int ct_entry_live(struct polc_ct_value *entry, __u8 proto, __u64 now)
{
	return now - entry->last_seen_ns < ct_lifetime(proto, entry->flags);
}

/* A live entry seen again: writes only what changed (see the top). */
static __always_inline void ct_entry_touch(struct polc_ct_value *entry, __u64 now, __u32 new_flags)
{
	if (now - entry->last_seen_ns >= POLC_CT_REFRESH_NS)
		entry->last_seen_ns = now;
	if (new_flags & ~entry->flags)
		entry->flags |= new_flags;
}

/* True when the packet is a reply of a live connection (and refreshes it). */
static __always_inline int ct_is_reply(const struct polc_ct_pkt *ct)
{
	struct polc_ct_key reversed = {};
	struct polc_ct_value *entry;
	__u64 now;

	if (!(ct->roles & POLC_CT_CAN_REPLY))
		return 0;
	__builtin_memcpy(reversed.saddr, ct->key.daddr, 16);
	__builtin_memcpy(reversed.daddr, ct->key.saddr, 16);
	reversed.sport = ct->key.dport;
	reversed.dport = ct->key.sport;
	reversed.proto = ct->key.proto;
	reversed.family = ct->key.family;
	if (ct->key.proto == POLC_IPPROTO_ICMP || ct->key.proto == POLC_IPPROTO_ICMPV6) {
		reversed.sport = ct->key.sport; /* the echo identifier */
		reversed.dport = 0;
	}
	entry = bpf_map_lookup_elem(&polc_ct, &reversed);
	if (!entry)
		return 0;
	now = ct_now();
	if (!ct_entry_live(entry, ct->key.proto, now))
		return 0;
	ct_entry_touch(entry, now, ct->key.proto == POLC_IPPROTO_TCP ? ct_tcp_flags(ct->tcp_flags, POLC_CT_FIN_REPLY) : 0);
	return 1;
}

/* After an allow: records the packet's connection or refreshes it. */
static __always_inline void ct_record(const struct polc_ct_pkt *ct)
{
	struct polc_ct_value *entry;
	struct polc_ct_value fresh = {};
	__u64 now;

	if (!(ct->roles & POLC_CT_CAN_FORWARD))
		return;
	now = ct_now();
	entry = bpf_map_lookup_elem(&polc_ct, &ct->key);
	if (entry) {
		/* A new SYN reuses the tuple of a closed connection: start over. */
		if (ct->key.proto == POLC_IPPROTO_TCP && (ct->tcp_flags & POLC_TCP_SYN) && !(ct->tcp_flags & 0x10)) {
			entry->flags = 0;
			entry->last_seen_ns = now;
		}
		ct_entry_touch(entry, now, ct->key.proto == POLC_IPPROTO_TCP ? ct_tcp_flags(ct->tcp_flags, POLC_CT_FIN_ORIG) : 0);
		return;
	}
	if (ct->key.proto == POLC_IPPROTO_TCP && (ct->tcp_flags & POLC_TCP_RST))
		return;
	fresh.last_seen_ns = now;
	if (ct->key.proto == POLC_IPPROTO_TCP)
		fresh.flags = ct_tcp_flags(ct->tcp_flags, POLC_CT_FIN_ORIG);
	bpf_map_update_elem(&polc_ct, &ct->key, &fresh, BPF_ANY);
}

#endif /* POLC_CONNTRACK_H */
