/* Ethernet: finds the ethertype and the L3 offset behind at most two VLAN
 * tags (802.1Q 0x8100, 802.1ad 0x88a8: QinQ). A frame with a third tag is
 * dropped: what it carries cannot be inspected, and fail closed means it
 * must not pass as non-IP. */
#ifndef POLC_ETH_H
#define POLC_ETH_H

#include "common.h"

#define POLC_VLAN_MAX_TAGS 2

static __always_inline int eth_is_vlan(__u16 ethertype)
{
	return ethertype == POLC_ETH_P_8021Q || ethertype == POLC_ETH_P_8021AD;
}

/* On success, *ethertype is host order and *l3_off the start of L3. */
static __always_inline int eth_parse(void *data, void *data_end, __u16 *ethertype, __u32 *l3_off)
{
	struct polc_ethhdr *eth = data;
	__u32 off = sizeof(*eth);
	__u16 proto;

	if ((void *)(eth + 1) > data_end)
		return POLC_DROP_INVALID;
	proto = bpf_ntohs(eth->proto);

#pragma unroll
	for (int i = 0; i < POLC_VLAN_MAX_TAGS; i++) {
		struct polc_vlanhdr *vlan = data + off;

		if (!eth_is_vlan(proto))
			break;
		if ((void *)(vlan + 1) > data_end)
			return POLC_DROP_INVALID;
		proto = bpf_ntohs(vlan->proto);
		off += sizeof(*vlan);
	}

	if (eth_is_vlan(proto))
		return POLC_DROP_UNSUPPORTED;
	*ethertype = proto;
	*l3_off = off;
	return POLC_DROP_NONE;
}

#endif /* POLC_ETH_H */
