/* Events for `polc monitor` (maps_abi.h, "The live event stream"). With no
 * reader the cost is one array lookup on the paths that would make an
 * event (drops, new connections), and nothing on the fast path. Under a
 * flood each CPU makes at most one event per interval_ns after its burst:
 * the ring buffer and the reader see a bounded rate, and the refused
 * events are counted for the next one to report. */
#ifndef POLC_MONITOR_H
#define POLC_MONITOR_H

#include "common.h"
#include "maps.h"

/* Whether a reader wants events of this kind. Inlined at each place that
 * makes events, so that with no reader they cost one array lookup and no
 * call. */
static __always_inline int monitor_wanted(int allow_event)
{
	__u32 zero = 0;
	struct polc_monitor_ctl *ctl = bpf_map_lookup_elem(&polc_monitor, &zero);

	return ctl && (allow_event ? ctl->verdict_readers : ctl->readers);
}

/* A reserved event with its time and suppressed count filled in, or 0
 * when no reader wants it or the bucket (or the ring) has no room. */
static __always_inline struct polc_event *monitor_reserve(int allow_event)
{
	__u32 zero = 0;
	struct polc_monitor_ctl *ctl = bpf_map_lookup_elem(&polc_monitor, &zero);
	struct polc_monitor_bucket *bucket;
	struct polc_event *ev;
	__u64 now, credit;

	if (!ctl || !(allow_event ? ctl->verdict_readers : ctl->readers))
		return 0;
	bucket = bpf_map_lookup_elem(&polc_monitor_bucket, &zero);
	if (!bucket)
		return 0;
	now = bpf_ktime_get_ns();
	credit = bucket->credit_ns + (now - bucket->last_ns);
	if (credit > ctl->burst_ns)
		credit = ctl->burst_ns;
	bucket->last_ns = now;
	bucket->credit_ns = credit;
	if (credit < ctl->interval_ns) {
		bucket->suppressed += 1;
		return 0;
	}
	ev = bpf_ringbuf_reserve(&polc_events, sizeof(*ev), 0);
	if (!ev) {
		bucket->suppressed += 1;
		return 0;
	}
	bucket->credit_ns = credit - ctl->interval_ns;
	ev->time_ns = now;
	ev->suppressed = bucket->suppressed;
	bucket->suppressed = 0;
	return ev;
}

static __always_inline void monitor_fill(struct polc_event *ev, const struct polc_pkt *pkt, __be16 dport, __u8 dir,
					 __u8 verdict, __u32 reason, __u32 rule)
{
	__builtin_memcpy(ev->saddr, pkt->saddr, sizeof(ev->saddr));
	__builtin_memcpy(ev->daddr, pkt->daddr, sizeof(ev->daddr));
	ev->sport = pkt->sport;
	ev->dport = dport;
	ev->rule = rule;
	ev->family = pkt->family;
	ev->proto = pkt->proto;
	ev->direction = dir;
	ev->verdict = verdict;
	ev->reason = (__u8)reason;
	ev->pad = 0;
	ev->http_len = 0;
}

/* One packet's verdict: a drop (an audit-mode one when nothing is
 * dropped), or the opening packet of an allowed connection. `dport` is
 * the packet's own (a reply judged again has its opening port in pkt).
 * A function of its own: it is called from several places of a program. */
static __noinline void monitor_packet(const struct polc_pkt *pkt, __be16 dport, __u32 dir, __u32 reason, __u32 rule)
{
	__u8 verdict = reason == POLC_DROP_NONE ? POLC_EVENT_ALLOW : (POLC_AUDIT ? POLC_EVENT_AUDIT : POLC_EVENT_DROP);
	struct polc_event *ev = monitor_reserve(reason == POLC_DROP_NONE);

	if (!ev)
		return;
	monitor_fill(ev, pkt, dport, dir & 1, verdict, reason, rule);
	bpf_ringbuf_submit(ev, 0);
}

#if POLC_HAVE_HTTP
/* A request refused at layer 7: the event carries the first bytes of the
 * segment that completed its head (taken before the segment becomes the
 * 403's RST), which user space reads method, path and host from. */
static __noinline void monitor_http(struct __sk_buff *skb, const struct polc_pkt *pkt, __u32 dir_reason, __u32 off,
				    __u32 len)
{
	__u32 reason = dir_reason >> 8;
	struct polc_event *ev = monitor_reserve(0);

	if (!ev)
		return;
	monitor_fill(ev, pkt, pkt->dport, dir_reason & 1, POLC_AUDIT ? POLC_EVENT_AUDIT : POLC_EVENT_DROP, reason,
		     POLC_RULE_UNCOUNTED);
	if (len > POLC_EVENT_HTTP_HEAD)
		len = POLC_EVENT_HTTP_HEAD;
	if (len > 0 && bpf_skb_load_bytes(skb, off, ev->http, len) == 0)
		ev->http_len = len;
	bpf_ringbuf_submit(ev, 0);
}
#endif

#endif /* POLC_MONITOR_H */
