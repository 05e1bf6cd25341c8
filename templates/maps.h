/* Every map of the datapath, with the names user space relies on
 * (runtime/ fills polc_hosts4/6, polc_ipcache4/6, polc_allow and
 * polc_deny; polc status reads polc_drops). Layouts are those of maps_abi.h.
 * polc_deny exists even when the policy has no deny rule, so that user space
 * fills every object the same way; polc_frag is private to the datapath and
 * exists only when fragments are tracked. polc_ct (conntrack) is shared by
 * polc_ingress and polc_egress and survives every swap. */
#ifndef POLC_MAPS_H
#define POLC_MAPS_H

#include "common.h"

/* The policy maps have named types so that the arrays of maps below can
 * declare them as their inner maps. The hashes are not preallocated: their
 * entries come in batches from user space, and a lookup costs the same. */
struct polc_hosts4_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct polc_host_key4);
	__type(value, struct polc_ipcache_value);
	__uint(max_entries, POLC_IPCACHE_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
};

struct polc_hosts6_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct polc_host_key6);
	__type(value, struct polc_ipcache_value);
	__uint(max_entries, POLC_IPCACHE_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
};

struct polc_ipcache4_map {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct polc_ipcache_key4);
	__type(value, struct polc_ipcache_value);
	__uint(max_entries, POLC_IPCACHE_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
};

struct polc_ipcache6_map {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct polc_ipcache_key6);
	__type(value, struct polc_ipcache_value);
	__uint(max_entries, POLC_IPCACHE_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
};

struct polc_policy_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct polc_policy_key);
	__type(value, struct polc_policy_value);
	__uint(max_entries, POLC_POLICY_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
};

struct polc_hosts4_map polc_hosts4 SEC(".maps");
struct polc_hosts6_map polc_hosts6 SEC(".maps");
struct polc_ipcache4_map polc_ipcache4 SEC(".maps");
struct polc_ipcache6_map polc_ipcache6 SEC(".maps");
struct polc_policy_map polc_allow SEC(".maps");
struct polc_policy_map polc_deny SEC(".maps");

/* Generations (maps_abi.h): slot 0 of each array holds the map above as
 * loaded; user space installs later generations' maps in the idle slot and
 * writes polc_active's word. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, POLC_SLOTS);
	__type(key, __u32);
	__array(values, struct polc_hosts4_map);
} polc_hosts4_slots SEC(".maps") = { .values = { [0] = &polc_hosts4 } };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, POLC_SLOTS);
	__type(key, __u32);
	__array(values, struct polc_hosts6_map);
} polc_hosts6_slots SEC(".maps") = { .values = { [0] = &polc_hosts6 } };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, POLC_SLOTS);
	__type(key, __u32);
	__array(values, struct polc_ipcache4_map);
} polc_ipcache4_slots SEC(".maps") = { .values = { [0] = &polc_ipcache4 } };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, POLC_SLOTS);
	__type(key, __u32);
	__array(values, struct polc_ipcache6_map);
} polc_ipcache6_slots SEC(".maps") = { .values = { [0] = &polc_ipcache6 } };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, POLC_SLOTS);
	__type(key, __u32);
	__array(values, struct polc_policy_map);
} polc_allow_slots SEC(".maps") = { .values = { [0] = &polc_allow } };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, POLC_SLOTS);
	__type(key, __u32);
	__array(values, struct polc_policy_map);
} polc_deny_slots SEC(".maps") = { .values = { [0] = &polc_deny } };

/* The generation word (maps_abi.h). Mmapable, so that user space writes
 * it with one aligned 64-bit store. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
} polc_active SEC(".maps");

#if POLC_HAVE_HTTP
/* HTTP tables of a generation (maps_abi.h, HTTP). Every generation's
 * polc_http_table has the size compiled in (a power of two that holds the
 * policy's DFAs): without BPF_F_INNER_MAP the verifier inlines its
 * lookups, one or two per byte of a request head. */
struct polc_http_meta_map {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct polc_http_dfa_meta);
	__uint(max_entries, POLC_HTTP_FIELDS);
};

struct polc_http_table_map {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, POLC_HTTP_TABLE_MAX);
};

struct polc_http_verdict_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct polc_http_verdict_key);
	__type(value, struct polc_http_verdict_value);
	__uint(max_entries, POLC_HTTP_VERDICT_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
};

struct polc_http_meta_map polc_http_meta SEC(".maps");
struct polc_http_table_map polc_http_table SEC(".maps");
struct polc_http_verdict_map polc_http_verdict SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, POLC_SLOTS);
	__type(key, __u32);
	__array(values, struct polc_http_meta_map);
} polc_http_meta_slots SEC(".maps") = { .values = { [0] = &polc_http_meta } };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, POLC_SLOTS);
	__type(key, __u32);
	__array(values, struct polc_http_table_map);
} polc_http_table_slots SEC(".maps") = { .values = { [0] = &polc_http_table } };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, POLC_SLOTS);
	__type(key, __u32);
	__array(values, struct polc_http_verdict_map);
} polc_http_verdict_slots SEC(".maps") = { .values = { [0] = &polc_http_verdict } };
#endif

/* Connection tracking (conntrack.h), IPv6 and IPv4: their size does not
 * depend on the policy, so every object of an interface can reuse them. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct polc_ct_key);
	__type(value, struct polc_ct_value);
	__uint(max_entries, POLC_CT_MAX);
} polc_ct SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct polc_ct4_key);
	__type(value, struct polc_ct_value);
	__uint(max_entries, POLC_CT_MAX);
} polc_ct4 SEC(".maps");

#if POLC_TRACK_FRAGS
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct polc_frag_key);
	__type(value, struct polc_frag_value);
	__uint(max_entries, POLC_FRAG_MAX);
} polc_frag SEC(".maps");
#endif

/* Packets per verdict reason, from the enforcing programs: index
 * POLC_DROP_NONE counts packets passed (non-IP and unenforced traffic
 * included), the others count drops by reason. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, POLC_DROP_MAX);
} polc_drops SEC(".maps");

/* Per-rule counters and the event stream (maps_abi.h): shared by every
 * object of an interface, like polc_ct and polc_drops. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, POLC_RULE_COUNTERS);
} polc_rule_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct polc_monitor_ctl);
	__uint(max_entries, 1);
} polc_monitor SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct polc_monitor_bucket);
	__uint(max_entries, 1);
} polc_monitor_bucket SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, POLC_EVENTS_BYTES);
} polc_events SEC(".maps");

#endif /* POLC_MAPS_H */
