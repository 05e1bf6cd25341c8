/* Refusing a request without a proxy: the segment that completes a denied
 * head is turned, in place, into two packets.
 *  1. A copy becomes the answer to the client, as Cilium's proxy gives it:
 *     `HTTP/1.1 403 Forbidden` with the body `Access denied\r\n`, FIN set,
 *     acknowledging everything the client sent. It leaves through the
 *     interface towards the client (bpf_clone_redirect: out of the device
 *     on ingress, back into it on egress).
 *  2. The segment itself becomes a RST to the server, at the exact sequence
 *     number the server expects next, so its socket is torn down at once.
 *     The server never sees the request: only the head's earlier segments,
 *     never a complete head.
 * TCP options are dropped from both (no timestamps: a segment without them
 * is accepted), and both carry complete checksums. Packets with IPv4
 * options or IPv6 extension headers are only dropped. */
#ifndef POLC_HTTP_REPLY_H
#define POLC_HTTP_REPLY_H

#include "http_parse.h"
#include "conntrack.h"

#define POLC_HTTP_403 "HTTP/1.1 403 Forbidden\r\n" \
	"Content-Type: text/plain\r\n" \
	"Content-Length: 15\r\n" \
	"Connection: close\r\n" \
	"\r\n" \
	"Access denied\r\n"
#define POLC_HTTP_403_LEN (sizeof(POLC_HTTP_403) - 1)
#define POLC_HTTP_403_ROOM ((POLC_HTTP_403_LEN + 3) & ~3u)

#define POLC_TCPF_FIN 0x01
#define POLC_TCPF_RST 0x04
#define POLC_TCPF_PSH 0x08
#define POLC_TCPF_ACK 0x10

struct polc_tcphdr {
	__be16 sport;
	__be16 dport;
	__be32 seq;
	__be32 ack;
	__u8 doff;  /* data offset in the high nibble */
	__u8 flags;
	__be16 window;
	__u16 check;
	__be16 urg;
};

/* The connection as the client sent the refused segment. */
struct polc_http_segment {
	__u8 family;
	__u8 saddr[16];
	__u8 daddr[16];
	__be16 sport;
	__be16 dport;
	__u32 seq;      /* host order */
	__u32 ack;
	__u32 len;      /* payload bytes of the segment */
	__u32 next_seq; /* the first byte the server has not received */
};

/* Per-CPU working memory, off the 512-byte stack: the chunk of payload
 * being parsed, the packet being written (room for the largest: IPv6 +
 * TCP + the 403) and its pseudo-header. */
/* What the verdict hands the request parser's program (http.h). */
struct polc_http_call {
	struct polc_pkt pkt;
	struct polc_ct_pkt ct;    /* the connection (conntrack.h) */
	__u64 stamp;              /* the generation's (generation.h) */
	__u64 now;
	__u32 slot;
	__u32 rule_id;
	__u32 l3_off;
	__u32 l4_off;
	__u16 l7[2];              /* polc_allow_match.l7 */
	__u8 dir;
};

struct polc_http_scratch {
	struct polc_http_call call;
	__u8 chunk[POLC_HTTP_CHUNK];
	__u8 out[40 + sizeof(struct polc_tcphdr) + POLC_HTTP_403_ROOM];
	__u32 pseudo[10];
	struct polc_http_progress progress;
	struct polc_http_segment seg;
	struct polc_tcphdr tcp;      /* the client's segment */
	struct polc_ct_key conn_key; /* its polc_http_conn key */
	__u8 macs[12];               /* as received, then swapped */
	__u8 swapped[12];
	struct polc_http_conn fresh;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct polc_http_scratch);
	__uint(max_entries, 1);
} polc_http_scratch SEC(".maps");

static __always_inline __u16 http_csum_fold(__s64 sum)
{
	__u32 x = (__u32)sum;

	x = (x & 0xffff) + (x >> 16);
	x = (x & 0xffff) + (x >> 16);
	return (__u16)~x;
}

/* Writes IP + TCP headers in front of `payload_len` bytes already at
 * out + iphl + 20, with both checksums. Returns the packet length from the
 * IP header on, or 0 when a helper refuses. */
static __always_inline __u32 http_write_headers(__u8 *out, __u32 *pseudo, __u8 family, const __u8 *src, const __u8 *dst, __be16 sport, __be16 dport,
						__u32 seq, __u32 ack, __u8 flags, __u32 payload_len)
{
	__u32 iphl = family == 4 ? 20 : 40;
	__u32 tcp_len = sizeof(struct polc_tcphdr) + payload_len;
	struct polc_tcphdr *tcp = (void *)(out + iphl);
	__s64 sum;

	__builtin_memset(pseudo, 0, 40);
	tcp->sport = sport;
	tcp->dport = dport;
	tcp->seq = bpf_htonl(seq);
	tcp->ack = bpf_htonl(ack);
	tcp->doff = 5 << 4;
	tcp->flags = flags;
	tcp->window = bpf_htons(flags & POLC_TCPF_RST ? 0 : 0xffff);
	tcp->check = 0;
	tcp->urg = 0;

	if (family == 4) {
		struct polc_iphdr *ip = (void *)out;

		__builtin_memset(out, 0, 20);
		ip->version_ihl = 0x45;
		ip->tot_len = bpf_htons(20 + tcp_len);
		ip->frag_off = bpf_htons(0x4000); /* DF */
		ip->ttl = 64;
		ip->protocol = POLC_IPPROTO_TCP;
		__builtin_memcpy(ip->saddr, src, 4);
		__builtin_memcpy(ip->daddr, dst, 4);
		ip->check = http_csum_fold(bpf_csum_diff(0, 0, (__be32 *)out, 20, 0));
		__builtin_memcpy(&pseudo[0], src, 4);
		__builtin_memcpy(&pseudo[1], dst, 4);
		pseudo[2] = bpf_htonl((POLC_IPPROTO_TCP << 16) | tcp_len);
		sum = bpf_csum_diff(0, 0, pseudo, 12, 0);
	} else {
		__builtin_memset(out, 0, 40);
		out[0] = 0x60;
		*(__be16 *)(out + 4) = bpf_htons(tcp_len);
		out[6] = POLC_IPPROTO_TCP;
		out[7] = 64;
		__builtin_memcpy(out + 8, src, 16);
		__builtin_memcpy(out + 24, dst, 16);
		__builtin_memcpy(&pseudo[0], src, 16);
		__builtin_memcpy(&pseudo[4], dst, 16);
		pseudo[8] = bpf_htonl(tcp_len);
		pseudo[9] = bpf_htonl(POLC_IPPROTO_TCP);
		sum = bpf_csum_diff(0, 0, pseudo, 40, 0);
	}
	if (sum < 0)
		return 0;
	/* The payload is padded with zeros to a multiple of 4, which adds
	 * nothing to the sum. */
	if (payload_len)
		sum = bpf_csum_diff(0, 0, (__be32 *)tcp, sizeof(struct polc_tcphdr) + POLC_HTTP_403_ROOM, sum);
	else
		sum = bpf_csum_diff(0, 0, (__be32 *)tcp, sizeof(struct polc_tcphdr), sum);
	if (sum < 0)
		return 0;
	tcp->check = http_csum_fold(sum);
	return iphl + tcp_len;
}

/* Replaces everything from l3_off on with out[0..len) (len one of the
 * four constant sizes polc writes), and swaps the MAC addresses. */
static __always_inline int http_rewrite(struct __sk_buff *skb, __u32 l3_off, __u8 *out, __u32 len, const __u8 *macs_swapped)
{
	if (bpf_skb_change_tail(skb, l3_off + len, 0))
		return -1;
	if (len == 20 + 20 + POLC_HTTP_403_LEN) {
		if (bpf_skb_store_bytes(skb, l3_off, out, 20 + 20 + POLC_HTTP_403_LEN, 0))
			return -1;
	} else if (len == 40 + 20 + POLC_HTTP_403_LEN) {
		if (bpf_skb_store_bytes(skb, l3_off, out, 40 + 20 + POLC_HTTP_403_LEN, 0))
			return -1;
	} else if (len == 20 + 20) {
		if (bpf_skb_store_bytes(skb, l3_off, out, 20 + 20, 0))
			return -1;
	} else if (len == 40 + 20) {
		if (bpf_skb_store_bytes(skb, l3_off, out, 40 + 20, 0))
			return -1;
	} else {
		return -1;
	}
	return bpf_skb_store_bytes(skb, 0, macs_swapped, 12, 0) ? -1 : 0;
}

/* Answers the client with a 403 and resets the server (see the top of
 * this file). Returns 0 when the skb now holds the RST to pass on, -1 when
 * it could not be rewritten (the caller drops it). */
static __always_inline int http_reply_403(struct __sk_buff *skb, __u32 l3_off, __u32 l4_off, struct polc_http_scratch *scratch, __u8 dir)
{
	const struct polc_http_segment *seg = &scratch->seg;
	__u32 iphl = seg->family == 4 ? 20 : 40;
	__u8 *macs = scratch->macs, *swapped = scratch->swapped;
	__u32 len;

	if (l4_off != l3_off + iphl)
		return -1;
	if (bpf_skb_load_bytes(skb, 0, macs, 12))
		return -1;
	__builtin_memcpy(swapped, macs + 6, 6);
	__builtin_memcpy(swapped + 6, macs, 6);

	/* 1. The 403, from the server's address to the client. */
	__builtin_memset(scratch->out + iphl + sizeof(struct polc_tcphdr), 0, POLC_HTTP_403_ROOM);
	__builtin_memcpy(scratch->out + iphl + sizeof(struct polc_tcphdr), POLC_HTTP_403, POLC_HTTP_403_LEN);
	len = http_write_headers(scratch->out, scratch->pseudo, seg->family, seg->daddr, seg->saddr, seg->dport, seg->sport, seg->ack,
				 seg->seq + seg->len, POLC_TCPF_FIN | POLC_TCPF_PSH | POLC_TCPF_ACK, POLC_HTTP_403_LEN);
	if (!len || http_rewrite(skb, l3_off, scratch->out, len, swapped))
		return -1;
	/* On ingress the client is on the other side of the device: send it
	 * out; on egress the client is this host: deliver it back in. A lost
	 * answer still leaves the request refused. */
	bpf_clone_redirect(skb, skb->ifindex, dir == POLC_DIR_INGRESS ? 0 : BPF_F_INGRESS);

	/* 2. The RST, as from the client, where the server's stream stands. */
	len = http_write_headers(scratch->out, scratch->pseudo, seg->family, seg->saddr, seg->daddr, seg->sport, seg->dport, seg->next_seq,
				 seg->ack, POLC_TCPF_RST | POLC_TCPF_ACK, 0);
	if (!len || http_rewrite(skb, l3_off, scratch->out, len, macs))
		return -1;
	return 0;
}

#endif /* POLC_HTTP_REPLY_H */
