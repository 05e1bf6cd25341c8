/* Test program for the in-process compiler and the runtime: a tc program
 * that drops UDP datagrams to one port (53 unless the `blocked_port` map
 * says otherwise) over IPv4 or IPv6, and counts the drops. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <linux/types.h>
#include <linux/udp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#ifndef DEFAULT_BLOCKED_PORT
#define DEFAULT_BLOCKED_PORT 53
#endif

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u16); /* host order; 0: DEFAULT_BLOCKED_PORT */
} blocked_port SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

static __always_inline int verdict(__u16 dport)
{
	__u32 zero = 0;
	__u16 port = DEFAULT_BLOCKED_PORT;
	__u16 *configured = bpf_map_lookup_elem(&blocked_port, &zero);
	if (configured && *configured)
		port = *configured;
	if (bpf_ntohs(dport) != port)
		return TC_ACT_OK;
	__u64 *count = bpf_map_lookup_elem(&drops, &zero);
	if (count)
		__sync_fetch_and_add(count, 1);
	return TC_ACT_SHOT;
}

SEC("tc")
int drop_port(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end)
		return TC_ACT_OK;

	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);
		if ((void *)(ip + 1) > data_end || ip->protocol != IPPROTO_UDP)
			return TC_ACT_OK;
		struct udphdr *udp = (void *)ip + ip->ihl * 4;
		if ((void *)(udp + 1) > data_end)
			return TC_ACT_OK;
		return verdict(udp->dest);
	}
	if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);
		if ((void *)(ip6 + 1) > data_end || ip6->nexthdr != IPPROTO_UDP)
			return TC_ACT_OK;
		struct udphdr *udp = (void *)(ip6 + 1);
		if ((void *)(udp + 1) > data_end)
			return TC_ACT_OK;
		return verdict(udp->dest);
	}
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
