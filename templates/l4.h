/* L4: the ports of TCP, UDP and SCTP, and ICMP/ICMPv6 type and code (kept in
 * pkt->dport as type << 8 | code, the layout of maps_abi.h, which is just
 * the first two bytes of the ICMP header). Only what the policy can match on
 * is read (POLC_HAVE_L4_PORTS, POLC_HAVE_ICMP_TYPES); a header that is read
 * must be complete, else the packet is dropped. Protocols without ports
 * keep dport = 0. Never called for a later fragment (it has no L4 header). */
#ifndef POLC_L4_H
#define POLC_L4_H

#include "common.h"

#define POLC_TCP_MIN_LEN 20
#define POLC_UDP_LEN 8
#define POLC_SCTP_COMMON_LEN 12
#define POLC_ICMP_MIN_LEN 4 /* type, code, checksum */

static __always_inline int l4_read_ports(void *data, void *data_end, __u32 l4_off, __u32 min_len, struct polc_pkt *pkt)
{
	struct polc_ports *ports = data + l4_off;

	if (data + l4_off + min_len > data_end)
		return POLC_DROP_INVALID;
	if ((void *)(ports + 1) > data_end)
		return POLC_DROP_INVALID;
	pkt->sport = ports->sport;
	pkt->dport = ports->dport;
	return POLC_DROP_NONE;
}

static __always_inline int l4_read_icmp(void *data, void *data_end, __u32 l4_off, struct polc_pkt *pkt)
{
	__be16 *type_code = data + l4_off;

	if (data + l4_off + POLC_ICMP_MIN_LEN > data_end)
		return POLC_DROP_INVALID;
	if ((void *)(type_code + 1) > data_end)
		return POLC_DROP_INVALID;
	pkt->dport = *type_code;
	return POLC_DROP_NONE;
}

static __always_inline int l4_parse(void *data, void *data_end, __u32 l4_off, struct polc_pkt *pkt)
{
	switch (pkt->proto) {
#if POLC_HAVE_L4_PORTS
	case POLC_IPPROTO_TCP: {
		int ret = l4_read_ports(data, data_end, l4_off, POLC_TCP_MIN_LEN, pkt);
		__u8 *doff = data + l4_off + 12;

		if (ret != POLC_DROP_NONE)
			return ret;
		if ((void *)(doff + 1) > data_end)
			return POLC_DROP_INVALID;
		if ((*doff >> 4) < 5) /* data offset below the minimum header */
			return POLC_DROP_INVALID;
		return POLC_DROP_NONE;
	}
	case POLC_IPPROTO_UDP:
		return l4_read_ports(data, data_end, l4_off, POLC_UDP_LEN, pkt);
	case POLC_IPPROTO_SCTP:
		return l4_read_ports(data, data_end, l4_off, POLC_SCTP_COMMON_LEN, pkt);
#endif
#if POLC_HAVE_ICMP_TYPES
	case POLC_IPPROTO_ICMP:
	case POLC_IPPROTO_ICMPV6:
		return l4_read_icmp(data, data_end, l4_off, pkt);
#endif
	default:
		return POLC_DROP_NONE;
	}
}

#endif /* POLC_L4_H */
