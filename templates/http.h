/* Layer-7 HTTP enforcement in the datapath, no proxy (POLC_HAVE_HTTP).
 * Called for each client-to-server TCP packet that the layer-3/4 policy
 * allowed with an HTTP policy attached (polc_allow_match.needs_l7).
 *
 * The client's byte stream is followed with the sequence numbers:
 * a retransmission of bytes already read passes, a segment past a gap is
 * dropped (the client sends it again once the gap is filled), and the
 * bytes in between go through the head parser (http_parse.h). Body bytes
 * (Content-Length) are skipped in one step, so keep-alive connections have
 * every request checked. Segments pass while a head is incomplete; the
 * segment that completes it passes if the head is allowed, and is replaced
 * by a 403 to the client and a RST to the server if not (http_reply.h).
 * After a refusal the connection carries no more data.
 *
 * Limits (README, "HTTP"): heads up to POLC_HTTP_WINDOW bytes, HTTP/1.0
 * and 1.1 in clear text (TLS and HTTP/2 are denied as malformed), bodies
 * with Content-Length (chunked ones are refused), at most
 * POLC_HTTP_MAX_STEPS heads and bodies per packet. */
#ifndef POLC_HTTP_H
#define POLC_HTTP_H

#ifdef POLC_HOOK_XDP
#error "HTTP rules need the tc hook"
#endif

#include "ctx.h"
#include "common.h"
#include "policy.h"
#include "http_reply.h"
#include "monitor.h"

#define POLC_HTTP_MAX_STEPS 64


static __always_inline int http_alternatives_met(const struct polc_http_verdict_value *v, __u64 cond)
{
	__u32 k;

	for (k = 0; k < POLC_HTTP_ALTS; k++) {
		if (k >= v->count)
			break;
		if ((cond & v->need[k]) == v->need[k])
			return 1;
	}
	return 0;
}

/* Does one rule of the HTTP policy allow the head just read? */
static __always_inline int http_policy_allows(void *verdict_map, __u16 l7, const struct polc_http_conn *c)
{
	struct polc_http_verdict_key key = { .l7_policy = l7 };
	struct polc_http_verdict_value *v;

	if (!l7)
		return 0;
	if (c->method_id && c->path_id) {
		key.method = c->method_id;
		key.path = c->path_id;
		v = bpf_map_lookup_elem(verdict_map, &key);
		if (v && http_alternatives_met(v, c->cond))
			return 1;
	}
	if (c->method_id) {
		key.method = c->method_id;
		key.path = POLC_HTTP_ANY;
		v = bpf_map_lookup_elem(verdict_map, &key);
		if (v && http_alternatives_met(v, c->cond))
			return 1;
	}
	if (c->path_id) {
		key.method = POLC_HTTP_ANY;
		key.path = c->path_id;
		v = bpf_map_lookup_elem(verdict_map, &key);
		if (v && http_alternatives_met(v, c->cond))
			return 1;
	}
	key.method = POLC_HTTP_ANY;
	key.path = POLC_HTTP_ANY;
	v = bpf_map_lookup_elem(verdict_map, &key);
	return v && http_alternatives_met(v, c->cond);
}

/* A new request begins: its head is read with the tables of `slot`, those
 * of the generation whose conntrack stamp is `stamp`. */
static __always_inline void http_head_reset(struct polc_http_conn *c, const struct polc_http_dfa_meta *method_meta, __u32 slot,
					    __u64 stamp)
{
	c->phase = POLC_HP_METHOD;
	c->flags &= POLC_HTTP_F_SEQ_KNOWN | POLC_HTTP_F_DENIED;
	c->slot = (__u8)slot;
	c->stamp = stamp;
	c->vpos = 0;
	c->tphase = POLC_HT_START;
	c->pct = 0;
	c->pct_hi = 0;
	c->seg = POLC_SEG_EMPTY;
	c->depth = 0;
	c->top = 0;
	c->mlit = POLC_HTTP_M_CONNECT | POLC_HTTP_M_OPTIONS;
	c->vws = 0;
	c->head_len = 0;
	c->state = method_meta->start;
	c->vstate = 0;
	c->hstate = 0;
	c->vstate_trim = 0;
	c->hstate_trim = 0;
	c->hhash = 0;
	c->hhash_trim = 0;
	c->auth_hash = 0;
	c->name_id = 0;
	c->method_id = 0;
	c->path_id = 0;
	c->num = 0;
	c->clen = 0;
	c->body_left = 0;
	c->cond = 0;
}

/* One step of the packet: a run of body bytes skipped, or up to a chunk of
 * head bytes read. Returns 1 when the packet is done (or refused). */
static long http_step(__u32 i, void *arg)
{
	struct polc_http_walk *w = arg;
	struct polc_http_conn *c = w->conn;
	struct polc_http_progress *p = w->progress;
	__u32 n;
	long done;

	if (!p->remaining)
		return 1;
	if (c->phase == POLC_HP_BODY) {
		n = c->body_left < p->remaining ? c->body_left : p->remaining;
		p->pos += n;
		p->remaining -= n;
		c->body_left -= n;
		if (!c->body_left)
			http_head_reset(c, w->meta[POLC_HTTP_METHOD], c->slot, c->stamp);
		return 0;
	}

	n = p->remaining < POLC_HTTP_CHUNK ? p->remaining : POLC_HTTP_CHUNK;
	if (n == 0 || n > POLC_HTTP_CHUNK)
		return 1;
	if (bpf_skb_load_bytes(w->skb, p->pos, w->chunk, n)) {
		p->reason = POLC_DROP_INVALID;
		return 1;
	}
	p->event = POLC_HTTP_EV_NONE;
	/* bpf_loop returns the bytes walked, the one that stopped it included. */
	done = bpf_loop(n, http_byte, w, 0);
	if (done <= 0 || done > n) {
		p->reason = POLC_DROP_INVALID;
		return 1;
	}
	p->pos += done;
	p->remaining -= done;

	switch (p->event) {
	case POLC_HTTP_EV_NONE:
		return 0;
	case POLC_HTTP_EV_HEAD:
		if (!http_policy_allows(w->verdict, w->match->l7[0], c) && !http_policy_allows(w->verdict, w->match->l7[1], c)) {
#if POLC_AUDIT
			/* Counted for the packet, and the stream read on as if
			 * allowed: every later request is judged too. */
			p->audited = POLC_DROP_L7;
#else
			p->reason = POLC_DROP_L7;
			return 1;
#endif
		}
		if (c->clen) {
			c->phase = POLC_HP_BODY;
			c->body_left = c->clen;
		} else {
			http_head_reset(c, w->meta[POLC_HTTP_METHOD], c->slot, c->stamp);
		}
		return 0;
	case POLC_HTTP_EV_TOO_LONG:
		p->reason = POLC_DROP_HTTP_TOO_LONG;
		return 1;
	case POLC_HTTP_EV_UNSUPPORTED:
		p->reason = POLC_DROP_HTTP_UNSUPPORTED;
		return 1;
	case POLC_HTTP_EV_NOT_NORMAL:
		p->reason = POLC_DROP_HTTP_PATH;
		return 1;
	default:
		p->reason = POLC_DROP_HTTP_MALFORMED;
		return 1;
	}
}

static __always_inline int http_load_meta(struct polc_http_walk *w, const struct polc_policy_set *set)
{
	__u32 f;

#pragma unroll
	for (f = 0; f < POLC_HTTP_FIELDS; f++) {
		__u32 key = f;

		w->meta[f] = bpf_map_lookup_elem(set->http_meta, &key);
		if (!w->meta[f])
			return -1;
	}
	return 0;
}

/* The payload of the TCP segment at l4_off: [*off, *off + *len). */
static __always_inline int http_payload(struct __sk_buff *skb, const struct polc_pkt *pkt, __u32 l3_off, __u32 l4_off,
					struct polc_tcphdr *tcp, __u32 *off, __u32 *len)
{
	__u32 end;
	__be16 ip_len;

	if (bpf_skb_load_bytes(skb, l4_off, tcp, sizeof(*tcp)))
		return -1;
	if (pkt->family == 4) {
		if (bpf_skb_load_bytes(skb, l3_off + 2, &ip_len, 2))
			return -1;
		end = l3_off + bpf_ntohs(ip_len); /* not skb->len: frames may be padded */
	} else {
		if (bpf_skb_load_bytes(skb, l3_off + 4, &ip_len, 2))
			return -1;
		end = l3_off + 40 + bpf_ntohs(ip_len);
	}
	*off = l4_off + (__u32)(tcp->doff >> 4) * 4;
	if ((tcp->doff >> 4) < 5 || *off > end || end > skb->len)
		return -1;
	*len = end - *off;
	return 0;
}

/* The request-level verdict of one client packet, see the top of the
 * file. Returns a polc_drop_reason, with POLC_VERDICT_PASS_REWRITTEN when
 * a refused packet has become the RST to pass on. */
static __always_inline int http_verdict(struct __sk_buff *skb, const struct polc_pkt *pkt, __u32 l3_off, __u32 l4_off,
					const struct polc_ct_pkt *ct, const struct polc_policy_set *set,
					const struct polc_allow_match *match, __u8 dir)
{
	struct polc_http_walk w = {};
	struct polc_tcphdr *tcp;
	struct polc_http_conn *c, *fresh;
	struct polc_http_segment *seg;
	struct polc_http_scratch *scratch;
	struct polc_ct_key *key;
	__u32 zero = 0, off, len, skip = 0;
	int reason;
	__s32 gap;

	if (pkt->proto != POLC_IPPROTO_TCP)
		return POLC_DROP_NONE; /* HTTP rules constrain requests, which ride on TCP */
	if (pkt->flags & (POLC_PKT_FRAGMENT | POLC_PKT_LATER_FRAGMENT))
		return POLC_DROP_HTTP_MALFORMED; /* a fragmented segment cannot be inspected */
	scratch = bpf_map_lookup_elem(&polc_http_scratch, &zero);
	if (!scratch)
		return POLC_DROP_INVALID;
	tcp = &scratch->tcp;
	if (http_payload(skb, pkt, l3_off, l4_off, tcp, &off, &len))
		return POLC_DROP_INVALID;
	/* ACK, FIN, RST: no request bytes, nothing to read or record. Most
	 * segments of a keep-alive connection, so before any map is touched;
	 * only an opening SYN starts the stream's state. */
	if (!len && !((tcp->flags & POLC_TCP_SYN) && !(tcp->flags & POLC_TCPF_ACK)))
		return POLC_DROP_NONE;
	if (http_load_meta(&w, set))
		return POLC_DROP_INVALID;
	seg = &scratch->seg;
	fresh = &scratch->fresh;
	__builtin_memset(fresh, 0, sizeof(*fresh));

	/* Keyed by direction too: a test run passes one packet through both
	 * programs of one object, and each must read the stream itself. */
	key = &scratch->conn_key;
	ct_conn_key(ct, key);
	key->user = 1 + dir;
	seg->seq = bpf_ntohl(tcp->seq);
	c = bpf_map_lookup_elem(&polc_http_conn, key);

	/* A new connection: its stream starts after the SYN. A SYN carrying
	 * data (TCP Fast Open) would hand the server a request no one read:
	 * refused, the client retries without it. */
	if ((tcp->flags & POLC_TCP_SYN) && !(tcp->flags & POLC_TCPF_ACK)) {
		if (len)
			return POLC_DROP_HTTP_UNSUPPORTED;
		fresh->next_seq = seg->seq + 1;
		fresh->flags = POLC_HTTP_F_SEQ_KNOWN;
		http_head_reset(fresh, w.meta[POLC_HTTP_METHOD], set->slot, set->stamp);
		bpf_map_update_elem(&polc_http_conn, key, fresh, BPF_ANY);
		return POLC_DROP_NONE;
	}
	if (!c) {
		/* A connection older than the policy (or evicted): read on from
		 * this segment, which must then start a request. */
		fresh->next_seq = seg->seq;
		fresh->flags = POLC_HTTP_F_SEQ_KNOWN;
		http_head_reset(fresh, w.meta[POLC_HTTP_METHOD], set->slot, set->stamp);
		if (bpf_map_update_elem(&polc_http_conn, key, fresh, BPF_ANY))
			return POLC_DROP_HTTP_SEQUENCE;
		c = bpf_map_lookup_elem(&polc_http_conn, key);
		if (!c)
			return POLC_DROP_HTTP_SEQUENCE;
	}
	if (c->flags & POLC_HTTP_F_DENIED)
		return POLC_DROP_L7;

	gap = (__s32)(seg->seq - c->next_seq);
	if (gap > 0)
		return POLC_DROP_HTTP_SEQUENCE; /* past a hole: wait for the retransmission */
	skip = (__u32)-gap;
	if (skip >= len)
		return POLC_DROP_NONE; /* every byte already read: a retransmission */

	seg->family = pkt->family;
	__builtin_memcpy(seg->saddr, pkt->saddr, 16);
	__builtin_memcpy(seg->daddr, pkt->daddr, 16);
	seg->sport = tcp->sport;
	seg->dport = tcp->dport;
	seg->ack = bpf_ntohl(tcp->ack);
	seg->len = len;
	seg->next_seq = c->next_seq;

	/* The tables changed under a head being read: its DFA states mean
	 * nothing in the new ones. A head not yet begun just starts over.
	 * Compared by generation, not slot: a program swap brings other
	 * tables in the same slot number. */
	if (c->stamp != set->stamp) {
		if (c->phase == POLC_HP_METHOD && c->head_len == 0)
			http_head_reset(c, w.meta[POLC_HTTP_METHOD], set->slot, set->stamp);
		else if (c->phase != POLC_HP_BODY) {
			reason = POLC_DROP_HTTP_SEQUENCE;
			goto refuse;
		}
	}

	w.skb = skb;
	w.conn = c;
	w.match = match;
	w.table = set->http_table;
	w.verdict = set->http_verdict;
	w.chunk = scratch->chunk;
	w.progress = &scratch->progress;
	scratch->progress.pos = off + skip;
	scratch->progress.remaining = len - skip;
	scratch->progress.reason = POLC_DROP_NONE;
	scratch->progress.audited = POLC_DROP_NONE;
	bpf_loop(POLC_HTTP_MAX_STEPS, http_step, &w, 0);
	reason = scratch->progress.reason;
	if (!reason && scratch->progress.remaining)
		reason = POLC_DROP_HTTP_UNSUPPORTED; /* more requests than steps */
	if (!reason) {
		c->next_seq = seg->seq + len;
		return scratch->progress.audited;
	}

refuse:
	c->flags |= POLC_HTTP_F_DENIED;
	if (monitor_wanted(0))
		monitor_http(skb, pkt, (__u32)reason << 8 | dir, off + skip, len - skip);
	if (reason == POLC_DROP_INVALID || POLC_AUDIT)
		return reason; /* audit: passed on unchanged, no 403 */
	if (http_reply_403(skb, l3_off, l4_off, scratch, dir))
		return reason;
	return reason | POLC_VERDICT_PASS_REWRITTEN;
}

/* The request parser runs in a program of its own, polc_http_request,
 * reached by a tail call once the layer-3/4 verdict has allowed a client's
 * packet under HTTP rules. The verifier checks it once, on its own, with
 * a stack of its own: inlined, its bpf_loop callbacks were walked again
 * for every state the datapath reaches it in (new, known, stale
 * connections), and its frame and the datapath's exceeded the 512 bytes
 * of a chain of calls. The verdict hands over what the parser needs in
 * the per-CPU scratch (polc_http_call); the parser's program records the
 * connection and turns the reason into the action. */
int polc_http_request(struct __sk_buff *skb);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, int(struct __sk_buff *));
} polc_http_progs SEC(".maps") = { .values = { [0] = (void *)&polc_http_request } };

/* Hands the packet to polc_http_request; returns only when the tail call
 * fails (the program array lost its entry), with a reason to drop. */
static __always_inline int http_judge(struct __sk_buff *skb, const struct polc_pkt *pkt, __u32 l3_off, __u32 l4_off,
				      const struct polc_ct_pkt *ct, const struct polc_policy_set *set,
				      const struct polc_allow_match *match, __u8 dir, __u64 now)
{
	struct polc_http_scratch *scratch;
	__u32 zero = 0;

	scratch = bpf_map_lookup_elem(&polc_http_scratch, &zero);
	if (!scratch)
		return POLC_DROP_INVALID;
	__builtin_memcpy(&scratch->call.pkt, pkt, sizeof(*pkt));
	__builtin_memcpy(&scratch->call.ct, ct, sizeof(*ct));
	scratch->call.stamp = set->stamp;
	scratch->call.now = now;
	scratch->call.slot = set->slot;
	scratch->call.rule_id = match->rule_id;
	scratch->call.l3_off = l3_off;
	scratch->call.l4_off = l4_off;
	scratch->call.l7[0] = match->l7[0];
	scratch->call.l7[1] = match->l7[1];
	scratch->call.dir = dir;
	bpf_tail_call(skb, &polc_http_progs, 0);
	return POLC_DROP_INVALID;
}

/* The body of polc_http_request (prog_tc.c): the request-level verdict of
 * the packet the datapath handed over, then the connection recorded. */
static __always_inline int http_request_program(struct __sk_buff *skb)
{
	struct polc_policy_set set = {};
	struct polc_allow_match match = {};
	struct polc_http_scratch *scratch;
	struct polc_http_call *call;
	struct polc_ct_value *entry;
	__u32 zero = 0;
	__u8 dir;
	int ret;

	scratch = bpf_map_lookup_elem(&polc_http_scratch, &zero);
	if (!scratch)
		return POLC_DROP_INVALID;
	call = &scratch->call;
	set.slot = call->slot & 1;
	set.stamp = call->stamp;
	set.http_meta = bpf_map_lookup_elem(&polc_http_meta_slots, &set.slot);
	set.http_table = bpf_map_lookup_elem(&polc_http_table_slots, &set.slot);
	set.http_verdict = bpf_map_lookup_elem(&polc_http_verdict_slots, &set.slot);
	if (!set.http_meta || !set.http_table || !set.http_verdict)
		return POLC_DROP_INVALID;
	match.rule_id = call->rule_id;
	match.l7[0] = call->l7[0];
	match.l7[1] = call->l7[1];
	match.needs_l7 = 1;
	dir = call->dir & 1;
	ret = http_verdict(skb, &call->pkt, call->l3_off, call->l4_off, &call->ct, &set, &match, dir);
	/* A refused request leaves its connection recorded: the parser keeps
	 * refusing its stream (POLC_HTTP_F_DENIED). */
	entry = ct_lookup(&call->ct, call->ct.family, call->now);
	ct_record(&call->ct, call->ct.family, entry, 0, dir, call->stamp, &match, call->now);
	if (!entry && ret == POLC_DROP_NONE && monitor_wanted(1))
		monitor_packet(&call->pkt, call->pkt.dport, dir, POLC_DROP_NONE, match.rule_id);
	return ret;
}

#endif /* POLC_HTTP_H */
