/* The tc programs: polc_ingress on the interface's ingress hook protects the
 * destination of each packet, polc_egress on the egress hook its source.
 * A direction no rule enforces compiles to a program that passes all. */
#include "config.h"
#include "datapath.h"

SEC("tc")
int polc_ingress(struct __sk_buff *ctx)
{
#if POLC_HAVE_ENFORCE_INGRESS
	return drop_finish(datapath_handle(ctx, POLC_DIR_INGRESS));
#else
	return CTX_ACT_OK;
#endif
}

SEC("tc")
int polc_egress(struct __sk_buff *ctx)
{
#if POLC_HAVE_ENFORCE_EGRESS
	return drop_finish(datapath_handle(ctx, POLC_DIR_EGRESS));
#else
	return CTX_ACT_OK;
#endif
}

char LICENSE[] SEC("license") = "GPL";
