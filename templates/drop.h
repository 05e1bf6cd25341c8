/* Named verdicts: every stage returns a polc_drop_reason (POLC_DROP_NONE to
 * go on), and the program turns the final one into the hook's action after
 * counting it. Failing closed means any reason but NONE drops. */
#ifndef POLC_DROP_H
#define POLC_DROP_H

#include "ctx.h"
#include "maps.h"

static __always_inline void drop_count(__u32 reason)
{
	__u64 *counter;

	if (reason >= POLC_DROP_MAX)
		reason = POLC_DROP_INVALID;
	counter = bpf_map_lookup_elem(&polc_drops, &reason);
	if (counter)
		*counter += 1; /* per-CPU: no atomics needed */
}

/* A reason with POLC_VERDICT_PASS_REWRITTEN (http.h) was refused, but its
 * packet has been rewritten into something to send on (a RST). */
#define POLC_VERDICT_PASS_REWRITTEN 0x100

/* In audit mode (apply --audit) the reason is counted, so `polc status`
 * shows what enforcing would drop, and the packet passes. */
static __always_inline int drop_finish(int reason)
{
	drop_count((__u32)reason & 0xff);
	if (POLC_AUDIT || (reason & POLC_VERDICT_PASS_REWRITTEN))
		return CTX_ACT_OK;
	return reason == POLC_DROP_NONE ? CTX_ACT_OK : CTX_ACT_DROP;
}

#endif /* POLC_DROP_H */
