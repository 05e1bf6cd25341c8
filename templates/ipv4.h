/* IPv4: validates the header (version, IHL with options, total length),
 * records addresses, protocol and fragment state, and finds L4.
 * The whole header is checked before the policy is consulted: the kernel
 * drops such packets anyway, and no address can be trusted otherwise. */
#ifndef POLC_IPV4_H
#define POLC_IPV4_H

#include "common.h"

#define POLC_IPV4_MF 0x2000
#define POLC_IPV4_OFFSET_MASK 0x1fff

static __always_inline int ipv4_parse(void *data, void *data_end, __u32 l3_off, struct polc_pkt *pkt, __u32 *l4_off)
{
	struct polc_iphdr *ip = data + l3_off;
	__u32 hdr_len;
	__u16 frag;

	if ((void *)(ip + 1) > data_end)
		return POLC_DROP_INVALID;
	if ((ip->version_ihl >> 4) != 4)
		return POLC_DROP_INVALID;
	hdr_len = (__u32)(ip->version_ihl & 0xf) * 4;
	if (hdr_len < sizeof(*ip))
		return POLC_DROP_INVALID;
	/* Options must be present in full. */
	if (data + l3_off + hdr_len > data_end)
		return POLC_DROP_INVALID;
	/* tot_len 0 is how IPv4 BIG TCP marks a GSO packet over 64 KiB. */
	if (ip->tot_len && bpf_ntohs(ip->tot_len) < hdr_len)
		return POLC_DROP_INVALID;

	pkt->family = 4;
	__builtin_memcpy(pkt->saddr, ip->saddr, 4);
	__builtin_memcpy(pkt->daddr, ip->daddr, 4);
	pkt->proto = ip->protocol;
	pkt->frag_proto = ip->protocol;

	frag = bpf_ntohs(ip->frag_off);
	if (frag & (POLC_IPV4_MF | POLC_IPV4_OFFSET_MASK)) {
		pkt->flags |= POLC_PKT_FRAGMENT;
		if (frag & POLC_IPV4_OFFSET_MASK)
			pkt->flags |= POLC_PKT_LATER_FRAGMENT;
		pkt->frag_id = bpf_ntohs(ip->id);
	}

	*l4_off = l3_off + hdr_len;
	return POLC_DROP_NONE;
}

#endif /* POLC_IPV4_H */
