/* IPv6 in two steps: the fixed header (addresses, so the ipcache can say
 * whether the packet is enforced at all), then the extension headers,
 * walked only for enforced traffic. The walk follows hop-by-hop, routing,
 * destination options and fragment headers under #pragma unroll up to
 * POLC_IPV6_MAX_EXT of them (Cilium's ipv6_hdrlen); a chain longer than that
 * cannot be followed and is dropped. AH and ESP end the walk: they are
 * treated as an L4 protocol without ports. */
#ifndef POLC_IPV6_H
#define POLC_IPV6_H

#include "common.h"

#define POLC_IPV6_MAX_EXT 8
#define POLC_IPV6_FRAG_OFFSET_MASK 0xfff8
#define POLC_IPV6_FRAG_MORE 0x0001

static __always_inline int ipv6_parse_fixed(void *data, void *data_end, __u32 l3_off, struct polc_pkt *pkt)
{
	struct polc_ipv6hdr *ip6 = data + l3_off;

	if ((void *)(ip6 + 1) > data_end)
		return POLC_DROP_INVALID;
	if ((ip6->version_tc_flow[0] >> 4) != 6)
		return POLC_DROP_INVALID;

	pkt->family = 6;
	__builtin_memcpy(pkt->saddr, ip6->saddr, 16);
	__builtin_memcpy(pkt->daddr, ip6->daddr, 16);
	pkt->proto = ip6->nexthdr;
	return POLC_DROP_NONE;
}

/* Walks from the fixed header to L4: sets pkt->proto, the fragment state
 * and *l4_off. pkt->proto holds the fixed header's next header on entry. */
static __always_inline int ipv6_walk_ext(void *data, void *data_end, __u32 l3_off, struct polc_pkt *pkt, __u32 *l4_off)
{
	__u32 off = l3_off + sizeof(struct polc_ipv6hdr);
	__u8 nexthdr = pkt->proto;

#pragma unroll
	for (int i = 0; i < POLC_IPV6_MAX_EXT; i++) {
		struct polc_ipv6_opt_hdr *opt = data + off;
		struct polc_ipv6_frag_hdr *frag = data + off;
		__u16 frag_off;

		switch (nexthdr) {
		case POLC_IPPROTO_HOPOPTS:
		case POLC_IPPROTO_ROUTING:
		case POLC_IPPROTO_DSTOPTS:
			if ((void *)(opt + 1) > data_end)
				return POLC_DROP_INVALID;
			nexthdr = opt->nexthdr;
			off += ((__u32)opt->hdrlen + 1) * 8;
			break;
		case POLC_IPPROTO_FRAGMENT:
			if ((void *)(frag + 1) > data_end)
				return POLC_DROP_INVALID;
			nexthdr = frag->nexthdr;
			off += sizeof(*frag);
			frag_off = bpf_ntohs(frag->frag_off);
			/* An atomic fragment (offset 0, no M flag) is whole. */
			if (!(frag_off & (POLC_IPV6_FRAG_OFFSET_MASK | POLC_IPV6_FRAG_MORE)))
				break;
			pkt->flags |= POLC_PKT_FRAGMENT;
			pkt->frag_id = bpf_ntohl(frag->id);
			pkt->frag_proto = nexthdr;
			if (frag_off & POLC_IPV6_FRAG_OFFSET_MASK) {
				/* Nothing past this header can be read in a later fragment. */
				pkt->flags |= POLC_PKT_LATER_FRAGMENT;
				pkt->proto = nexthdr;
				*l4_off = off;
				return POLC_DROP_NONE;
			}
			break;
		default:
			/* L4, or AH/ESP/no-next-header: an L4 protocol without ports. */
			pkt->proto = nexthdr;
			*l4_off = off;
			return POLC_DROP_NONE;
		}
	}
	return POLC_DROP_UNSUPPORTED;
}

#endif /* POLC_IPV6_H */
