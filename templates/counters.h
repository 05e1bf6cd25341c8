/* Per-rule counters (maps_abi.h, polc_rule_stats): one per-CPU increment,
 * so no atomics. Index POLC_RULE_UNCOUNTED (no rule, or a rule past the
 * capacity) is a sink that `polc stats` does not show. */
#ifndef POLC_COUNTERS_H
#define POLC_COUNTERS_H

#include "maps.h"

static __always_inline void rule_count(__u32 index)
{
	__u64 *n = bpf_map_lookup_elem(&polc_rule_stats, &index);

	if (n)
		*n += 1;
}

#endif /* POLC_COUNTERS_H */
