/* Hook point for layer-7 HTTP inspection (POLC_HAVE_HTTP). Called after
 * an allow whose entry names an HTTP policy (value->l7_policy != 0), with
 * the L4 offset of the packet, to return POLC_DROP_L7 for a request the
 * policy refuses.
 *
 * Not built yet: it leaves the layer-4 verdict unchanged, so a port with
 * HTTP rules is currently allowed as a whole. */
#ifndef POLC_HTTP_H
#define POLC_HTTP_H

#include "ctx.h"
#include "common.h"

static __always_inline int http_verdict(struct __ctx_buff *ctx, const struct polc_pkt *pkt, __u32 l4_off,
					const struct polc_policy_value *allowed)
{
	return POLC_DROP_NONE;
}

#endif /* POLC_HTTP_H */
