/* Every map of the datapath, with the names user space relies on
 * (runtime/ fills polc_ipcache4/6, polc_allow and polc_deny; polc stats
 * reads polc_drops). Layouts are those of maps_abi.h.
 * polc_deny exists even when the policy has no deny rule, so that user space
 * fills every object the same way; polc_frag is private to the datapath and
 * exists only when fragments are tracked. */
#ifndef POLC_MAPS_H
#define POLC_MAPS_H

#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct polc_ipcache_key4);
	__type(value, struct polc_ipcache_value);
	__uint(max_entries, POLC_IPCACHE_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} polc_ipcache4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct polc_ipcache_key6);
	__type(value, struct polc_ipcache_value);
	__uint(max_entries, POLC_IPCACHE_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} polc_ipcache6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct polc_policy_key);
	__type(value, struct polc_policy_value);
	__uint(max_entries, POLC_POLICY_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} polc_allow SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct polc_policy_key);
	__type(value, struct polc_policy_value);
	__uint(max_entries, POLC_POLICY_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} polc_deny SEC(".maps");

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

/* Hook point: connection tracking adds its LRU 5-tuple map here, shared by
 * polc_ingress and polc_egress (conntrack.h). */

#endif /* POLC_MAPS_H */
