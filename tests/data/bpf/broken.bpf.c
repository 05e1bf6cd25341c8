/* Does not compile: the call below names an undeclared function. The
 * compiler test expects the error to quote this line. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int broken(struct __sk_buff *skb)
{
	return undeclared_helper_for_the_test(skb);
}

char LICENSE[] SEC("license") = "GPL";
