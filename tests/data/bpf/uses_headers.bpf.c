/* Includes one header given by the caller ("test_config.h"), one embedded
 * template (maps_abi.h) and the embedded system headers, and uses a -D
 * define: it compiles only if all of them are found in memory. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "maps_abi.h"
#include "test_config.h"

_Static_assert(TEST_CONFIG_ANSWER == 42, "test_config.h was not mounted");
_Static_assert(POLC_ID_WORLD == 2, "maps_abi.h is not the embedded one");
_Static_assert(FROM_THE_COMMAND_LINE == 7, "defines are not passed");

SEC("xdp")
int pass_all(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
