/* The XDP program: ingress only (XDP sees no egress traffic), the same
 * datapath as polc_ingress in prog_tc.c compiled for struct xdp_md. */
#define POLC_HOOK_XDP 1
#include "config.h"
#include "datapath.h"

SEC("xdp")
int polc_xdp_ingress(struct xdp_md *ctx)
{
#if POLC_HAVE_ENFORCE_INGRESS
	return drop_finish(datapath_handle(ctx, POLC_DIR_INGRESS));
#else
	return CTX_ACT_OK;
#endif
}

char LICENSE[] SEC("license") = "GPL";
