/* What every datapath header shares: the generated configuration (with
 * defaults for the sizes), protocol numbers, the wire layouts polc reads,
 * and struct polc_pkt, the parsed summary of one packet that the stages
 * fill in turn (eth -> ip -> l4 -> fragments -> policy).
 *
 * The wire structs are polc's own rather than <linux/ip.h> and friends so
 * that the datapath needs no more kernel headers than linux/bpf.h and
 * linux/pkt_cls.h, and addresses are byte arrays that copy straight into
 * map keys. */
#ifndef POLC_COMMON_H
#define POLC_COMMON_H

#include "compiler.h"
#include "config.h"
#include "maps_abi.h"

#ifndef POLC_IPCACHE_MAX
#define POLC_IPCACHE_MAX 65536
#endif
#ifndef POLC_POLICY_MAX
#define POLC_POLICY_MAX (1 << 20)
#endif
#ifndef POLC_FRAG_MAX
#define POLC_FRAG_MAX 8192
#endif
#ifndef POLC_HTTP_TABLE_MAX
#define POLC_HTTP_TABLE_MAX 65536
#endif
#ifndef POLC_HTTP_VERDICT_MAX
#define POLC_HTTP_VERDICT_MAX 65536
#endif

/* Fragments matter only when the verdict depends on what the first
 * fragment alone carries: ports or ICMP type/code. */
#define POLC_TRACK_FRAGS (POLC_HAVE_L4_PORTS || POLC_HAVE_ICMP_TYPES)
/* Whether any L4 header must be read at all. */
#define POLC_PARSE_L4 POLC_TRACK_FRAGS

#define POLC_ETH_P_IP 0x0800
#define POLC_ETH_P_IPV6 0x86DD
#define POLC_ETH_P_8021Q 0x8100
#define POLC_ETH_P_8021AD 0x88A8

#define POLC_IPPROTO_HOPOPTS 0
#define POLC_IPPROTO_ICMP 1
#define POLC_IPPROTO_TCP 6
#define POLC_IPPROTO_UDP 17
#define POLC_IPPROTO_ROUTING 43
#define POLC_IPPROTO_FRAGMENT 44
#define POLC_IPPROTO_ESP 50
#define POLC_IPPROTO_AH 51
#define POLC_IPPROTO_ICMPV6 58
#define POLC_IPPROTO_DSTOPTS 60
#define POLC_IPPROTO_SCTP 132

struct polc_ethhdr {
	__u8 dst[6];
	__u8 src[6];
	__be16 proto;
};

struct polc_vlanhdr {
	__be16 tci;
	__be16 proto; /* the ethertype after this tag */
};

struct polc_iphdr {
	__u8 version_ihl;
	__u8 tos;
	__be16 tot_len;
	__be16 id;
	__be16 frag_off; /* flags (reserved, DF, MF) then 13 bits of offset */
	__u8 ttl;
	__u8 protocol;
	__be16 check;
	__u8 saddr[4];
	__u8 daddr[4];
};

struct polc_ipv6hdr {
	__u8 version_tc_flow[4];
	__be16 payload_len;
	__u8 nexthdr;
	__u8 hop_limit;
	__u8 saddr[16];
	__u8 daddr[16];
};

/* Hop-by-hop, routing and destination options share this start. */
struct polc_ipv6_opt_hdr {
	__u8 nexthdr;
	__u8 hdrlen; /* in 8-byte units, not counting the first 8 bytes */
};

struct polc_ipv6_frag_hdr {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off; /* offset in 8-byte units << 3, then the M flag */
	__be32 id;
};

/* TCP, UDP and SCTP all begin with the two ports. */
struct polc_ports {
	__be16 sport;
	__be16 dport;
};

polc_build_bug_on(sizeof(struct polc_iphdr) != 20);
polc_build_bug_on(sizeof(struct polc_ipv6hdr) != 40);
polc_build_bug_on(sizeof(struct polc_policy_key) != 16);

#define POLC_PKT_FRAGMENT 0x1       /* part of a fragmented datagram */
#define POLC_PKT_LATER_FRAGMENT 0x2 /* a fragment with offset != 0: no L4 header */

struct polc_pkt {
	__u8 saddr[16]; /* IPv4 uses the first 4 bytes */
	__u8 daddr[16];
	__u8 family;     /* 4 or 6 */
	__u8 proto;      /* L4 protocol, after any IPv6 extension headers */
	__u8 frag_proto; /* the protocol a fragment names (IPv6: fragment header's next header) */
	__u8 flags;      /* POLC_PKT_* */
	__u32 frag_id;
	__be16 sport;
	__be16 dport;    /* ICMP/ICMPv6: type in the high byte, code in the low one */
};

#endif /* POLC_COMMON_H */
