/* Compiles, but the verifier must reject it: the packet is read without
 * checking it against data_end first. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int unchecked_read(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	__u32 first_word = *(__u32 *)data; /* no bounds check: rejected */
	return first_word == 0 ? TC_ACT_SHOT : TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
