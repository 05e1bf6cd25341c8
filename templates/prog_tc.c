/* The tc programs: polc_ingress on the interface's ingress hook protects the
 * destination of each packet, polc_egress on the egress hook its source.
 * A program runs the datapath when any direction is enforced: even where
 * its own direction is not, it records connections for conntrack so the
 * replies come back through the enforced direction. */
#include "config.h"
#include "datapath.h"

SEC("tc")
int polc_ingress(struct __sk_buff *ctx)
{
#if POLC_HAVE_ENFORCE_INGRESS || POLC_HAVE_ENFORCE_EGRESS
	return drop_finish(datapath_handle(ctx, POLC_DIR_INGRESS));
#else
	return CTX_ACT_OK;
#endif
}

SEC("tc")
int polc_egress(struct __sk_buff *ctx)
{
#if POLC_HAVE_ENFORCE_INGRESS || POLC_HAVE_ENFORCE_EGRESS
	return drop_finish(datapath_handle(ctx, POLC_DIR_EGRESS));
#else
	return CTX_ACT_OK;
#endif
}

#if POLC_HAVE_HTTP
/* The request parser, tail-called by both programs (http.h). */
SEC("tc")
int polc_http_request(struct __sk_buff *ctx)
{
	return drop_finish(http_request_program(ctx));
}
#endif

char LICENSE[] SEC("license") = "GPL";
