/* The baseline of bench_datapath: a tc program that passes every packet
 * (TC_ACT_OK) and does nothing else. Compiled in process by the same
 * compiler as the datapath, and run on the same packets, so the ratio
 * datapath / empty is the cost of the policy alone. */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int bench_empty(struct __sk_buff *ctx)
{
	return 0; /* TC_ACT_OK */
}

char LICENSE[] SEC("license") = "GPL";
