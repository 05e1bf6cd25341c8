/* Every difference between the hooks lives here, so the rest of the
 * datapath compiles unchanged for tc and XDP (Cilium's ctx/skb.h and
 * ctx/xdp.h). A program file defines POLC_HOOK_XDP before including this
 * header to get the XDP flavour; tc is the default.
 *
 * Both hooks give direct packet access through data/data_end, which is all
 * the parsers use: they never call a hook-specific load helper. */
#ifndef POLC_CTX_H
#define POLC_CTX_H

#include "compiler.h"

#ifdef POLC_HOOK_XDP
#define __ctx_buff xdp_md
#define CTX_ACT_OK XDP_PASS
#define CTX_ACT_DROP XDP_DROP
#else
#include <linux/pkt_cls.h>
#define __ctx_buff __sk_buff
#define CTX_ACT_OK TC_ACT_OK
#define CTX_ACT_DROP TC_ACT_SHOT
#endif

static __always_inline void *ctx_data(const struct __ctx_buff *ctx)
{
	return (void *)(long)ctx->data;
}

static __always_inline void *ctx_data_end(const struct __ctx_buff *ctx)
{
	return (void *)(long)ctx->data_end;
}

#endif /* POLC_CTX_H */
