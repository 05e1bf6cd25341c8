/* The layout of every map polc's datapath reads: the one contract between
 * the eBPF programs (templates/) and the user space that fills the maps
 * (ir/ plans them, runtime/ writes them). Plain C, included by both sides;
 * fields are fixed-width and explicitly padded so the layouts agree.
 */
#ifndef POLC_MAPS_ABI_H
#define POLC_MAPS_ABI_H

#include <linux/types.h>

/* Reserved identities (the numbers Cilium uses). Endpoint identities start
 * at POLC_ID_FIRST_ENDPOINT, CIDR identities at POLC_ID_FIRST_CIDR. */
#define POLC_ID_ANY 0u            /* policy key wildcard: any peer */
#define POLC_ID_HOST 1u
#define POLC_ID_WORLD 2u          /* an address no endpoint and no CIDR rule has */
#define POLC_ID_FIRST_ENDPOINT 256u
#define POLC_ID_FIRST_CIDR 16777216u

/* ipcache: address -> identity, in two steps per family. Host addresses
 * (endpoints, /32 and /128 CIDRs) are a hash keyed by the address alone
 * (polc_hosts4/6): one lookup, whatever their number. The shorter prefixes
 * of the policy's CIDRs (excepts resolved into disjoint prefixes) are an
 * LPM trie (polc_ipcache4/6), looked up only when the host hash misses and
 * only by programs whose policy has CIDR peers. A host entry is the longest
 * prefix there can be, so hash first then trie is the trie's own answer.
 * A miss of both means POLC_ID_WORLD. */
struct polc_host_key4 {
	__u8 addr[4];
};

struct polc_host_key6 {
	__u8 addr[16];
};

struct polc_ipcache_key4 {
	__u32 prefixlen;
	__u8 addr[4];
};

struct polc_ipcache_key6 {
	__u32 prefixlen;
	__u8 addr[16];
};

#define POLC_ENFORCE_INGRESS 0x1u /* the endpoint is in default deny for ingress */
#define POLC_ENFORCE_EGRESS 0x2u

struct polc_ipcache_value {
	__u32 identity;
	__u32 flags; /* POLC_ENFORCE_* */
};

/* Policy: hashes keyed by (subject, peer, direction, protocol, port) and
 * the length of the (protocol, port) prefix the entry matches. The fixed
 * part (subject, peer, direction) always matches in full; `prefixlen` then
 * says how many bits of (protocol, port) the entry keeps, the others being
 * zero in the key: a rule for every protocol keeps none (72), a rule for
 * every port of one protocol keeps the protocol (80), one port keeps all
 * (96), and a port range becomes the few aligned blocks that cover it.
 * The port is big-endian, as on the wire.
 * For ICMP and ICMPv6, `dport` holds the type in its high byte and the code
 * in its low byte, so a type rule keeps 8 bits of `dport`.
 * The datapath looks up exactly the prefix lengths the policy has (its
 * shape says which, per map and kind of peer), longest first, so the first
 * hit is the longest matching prefix, as an LPM trie would answer, in a
 * number of hash lookups set by the policy's shape, not its rule count.
 * Deny and allow live in two maps so that "deny wins" holds whatever the
 * prefix lengths: every deny length is looked up before any allow. */
struct polc_policy_key {
	__u32 prefixlen; /* POLC_PREFIX_FIXED + the (protocol, port) bits kept */
	__u32 subject;   /* identity of the endpoint the policy protects */
	__u32 peer;      /* identity of the other side; POLC_ID_ANY: any peer */
	__u8 direction;  /* POLC_DIR_* */
	__u8 proto;      /* IPPROTO_* */
	__be16 dport;    /* network order */
};

#define POLC_DIR_INGRESS 0
#define POLC_DIR_EGRESS 1

/* prefixlen values: the fixed part is 72 bits (subject, peer, direction). */
#define POLC_PREFIX_FIXED 72u
#define POLC_PREFIX_PROTO 80u  /* one protocol, every port */
#define POLC_PREFIX_FULL 96u   /* one protocol, one port */

struct polc_policy_value {
	__u32 rule_id;     /* the rule's counter (polc_rule_stats index) the runtime assigned */
	__u16 l7_policy;   /* 0: every request; else the HTTP policy to apply */
	__u16 flags;
};

/* Why a packet was dropped (counted per reason in the metrics map). */
enum polc_drop_reason {
	POLC_DROP_NONE = 0,
	POLC_DROP_POLICY = 1,       /* no allow matched, or a deny matched */
	POLC_DROP_INVALID = 2,      /* truncated or malformed header */
	POLC_DROP_FRAG_NOFIRST = 3, /* a later fragment with no first fragment seen */
	POLC_DROP_UNSUPPORTED = 4,  /* a header the parser cannot follow */
	POLC_DROP_L7 = 5,           /* an HTTP request the policy denies */
	POLC_DROP_HTTP_MALFORMED = 6,   /* not HTTP/1.x, or a head polc cannot parse */
	POLC_DROP_HTTP_TOO_LONG = 7,    /* a request head longer than the inspected window */
	POLC_DROP_HTTP_UNSUPPORTED = 8, /* Transfer-Encoding (chunked) bodies, pipelining past the budget */
	POLC_DROP_HTTP_SEQUENCE = 9,    /* a segment out of order, or a policy change mid-head */
	POLC_DROP_HTTP_PATH = 10,       /* a request path polc will not normalize (http_target.h) */
	POLC_DROP_MAX = 16,
};

/* Per-rule counters (polc stats): polc_rule_stats is a per-CPU array of
 * __u64 shared by every object of an interface, so counts survive swaps.
 * A policy value's rule_id is an index into it that the runtime assigns
 * to a rule element for as long as the element (its place and meaning)
 * stays in force (runtime/rule_counters.h). Allow rules count the
 * connections they let open, deny rules the packets they drop. */
#define POLC_RULE_UNCOUNTED 0u        /* rules past the capacity, and none */
#define POLC_RULE_DEFAULT_DENY 1u     /* + POLC_DIR_*: packets no rule allows */
#define POLC_RULE_FIRST 3u            /* the first index a rule gets */
#define POLC_RULE_COUNTERS 16384u

/* The live event stream (polc monitor). Events are made only while a
 * reader says so in polc_monitor (readers != 0), and each CPU spends a
 * token bucket: one event per interval_ns, at most burst_ns of credit
 * saved. An event the bucket (or a full ring) refuses is counted in the
 * CPU's polc_monitor_bucket, and the next event it makes reports them. */
struct polc_monitor_ctl {
	__u32 readers;          /* polc monitor processes running */
	__u32 verdict_readers;  /* those that also want allowed connections */
	__u64 interval_ns;
	__u64 burst_ns;
};

struct polc_monitor_bucket {
	__u64 credit_ns;
	__u64 last_ns;
	__u64 suppressed;
};

enum polc_event_verdict {
	POLC_EVENT_DROP = 0,
	POLC_EVENT_ALLOW = 1,  /* the first packet of an allowed connection */
	POLC_EVENT_AUDIT = 2,  /* a drop that audit mode let through */
};

#define POLC_EVENT_HTTP_HEAD 256 /* bytes of a refused request's head an event carries */

struct polc_event {
	__u64 time_ns;    /* bpf_ktime_get_ns() */
	__u64 suppressed; /* events this CPU refused since its previous one */
	__u8 saddr[16];   /* IPv4 uses the first 4 bytes */
	__u8 daddr[16];
	__be16 sport;
	__be16 dport;     /* ICMP: type in the high byte, code in the low one */
	__u32 rule;       /* polc_rule_stats index; POLC_RULE_DEFAULT_DENY + dir: no rule allows it */
	__u8 family;      /* 4 or 6 */
	__u8 proto;
	__u8 direction;   /* POLC_DIR_* of the program */
	__u8 verdict;     /* polc_event_verdict */
	__u8 reason;      /* polc_drop_reason */
	__u8 pad;
	__u16 http_len;   /* bytes of http[] that hold the request head */
	__u8 http[POLC_EVENT_HTTP_HEAD];
};

#define POLC_EVENTS_BYTES (256u * 1024u) /* the ring buffer */

/* Fragment tracking: the first fragment records its ports so later
 * fragments of the same datagram get the same verdict; a later fragment
 * whose first was not seen is dropped (fail closed). */
struct polc_frag_key {
	__u8 saddr[16];
	__u8 daddr[16];
	__u32 id;    /* IPv4: 16-bit id; IPv6: the fragment header's 32-bit id */
	__u8 proto;
	__u8 family; /* 4 or 6 */
	__u16 pad;
};

struct polc_frag_value {
	__be16 sport;
	__be16 dport;
	__u32 verdict; /* 1: allowed, 0: dropped */
};

/* Policy generations. Each of polc_hosts4/6, polc_ipcache4/6, polc_allow
 * and polc_deny is reached through an array of maps with POLC_SLOTS slots
 * (polc_*_slots); polc_active[0] is the generation word in force:
 *   word = generation << 1 | slot
 * A map-only update fills a complete set of new inner maps, installs them
 * in the idle slot, then stores the new word in one aligned 64-bit write
 * (user space through the map's mmap): a packet reads the word once and
 * sees either the old set or the new one, never a mix, and never the new
 * slot with the old generation. The generation is the interface's apply
 * and rollback counter (runtime/iface_state.h): it only grows, across every
 * object an interface has had, so a conntrack stamp (below) names one
 * policy. The object's own maps (polc_ipcache4, ...) are slot 0 as loaded;
 * an object no one has given a generation (test runs) reads word 0. */
#define POLC_SLOTS 2u

static inline __u64 polc_active_word(__u64 generation, __u32 slot)
{
	return generation << 1 | (slot & 1);
}

/* Connection tracking: two LRU hashes, polc_ct4 for IPv4 and polc_ct for
 * IPv6, shared by the ingress and egress programs of an interface and
 * carried over to every new program. IPv4 has a key of its own because
 * the key is hashed and compared on every packet: 16 bytes instead of 40
 * save about a tenth of the fast path.
 * One entry per connection, found by one lookup from either direction:
 * the key names the two endpoints in a fixed order, `a` the one whose
 * (address, port) sorts first (compared as native 32-bit words, then the
 * port as stored; ct_sender_is_b in conntrack.h and
 * runtime/conntrack_key.cpp agree on it), and the value says which of
 * them opened it.
 * ICMP echo: both ports hold the identifier, and `opener` is in the key
 * (a request and a reply say who sent the request), so an echo each way
 * between two hosts are two entries.
 * `user` is 0 in polc_ct; polc_http_conn uses the same key with 1 + the
 * direction of the program that reads the client's stream. */
struct polc_ct_key {
	__u8 addr_a[16];
	__u8 addr_b[16];
	__be16 port_a;
	__be16 port_b;
	__u8 proto;
	__u8 family;
	__u8 opener; /* ICMP echo only: 1 when b sent the request */
	__u8 user;
};

/* polc_ct4's key: polc_ct_key's fields for IPv4 addresses, in the same
 * order (so `a` is the same endpoint for both). */
struct polc_ct4_key {
	__be32 addr_a;
	__be32 addr_b;
	__be16 port_a;
	__be16 port_b;
	__u8 proto;
	__u8 opener; /* ICMP echo only: 1 when b sent the request */
	__u16 zero;
};

#define POLC_CT_FIN_ORIG 0x1u  /* the opener sent FIN */
#define POLC_CT_FIN_REPLY 0x2u /* the other side sent FIN */
#define POLC_CT_RST 0x4u       /* either side sent RST */

/* What a packet of the connection needs, per opening direction: the
 * direction (POLC_DIR_*) of the program that judges the opening packet,
 * which is the program's own for a forward packet and the other one for a
 * reply. A real interface sees one per connection; a test run passes a
 * packet through both programs of one object, so both are kept.
 * stamp[od] is polc_active's word + 1 of the generation whose full verdict
 * (ipcache, policy, for the opening tuple) last allowed the connection;
 * 0: none. A packet whose stamp is the word in force passes on one lookup;
 * any other is judged again for the opening direction (conntrack.h). */
struct polc_ct_value {
	__u64 last_seen;    /* bpf_jiffies64() of the last packet (conntrack.h) */
	__u64 stamp[2];     /* per opening direction */
	__u32 rule_id[2];   /* the allowing rule, per opening direction */
	__u32 flags;        /* POLC_CT_* */
	__u8 opener;        /* 1 when b opened the connection */
	__u8 l7_needed;     /* bit 1 << od: the client's packets go to the request parser (http.h) */
	__u16 pad;
};

#define POLC_CT_MAX 65536u

/* The kernel's tick rate, for conntrack ages counted in jiffies
 * (conntrack.h). CONFIG_HZ is a property of the running kernel, not of the
 * policy, so it is not compiled in: the loader writes it into this section
 * before load (runtime/kernel_clock.h), which keeps one object right on
 * every host. libbpf freezes the section, and the verifier reads it as a
 * constant. */
#define POLC_CLOCK_SECTION ".rodata.polc_clock"
struct polc_clock {
	__u64 hz; /* jiffies per second */
};

/* ---- HTTP (layer 7), present when POLC_HAVE_HTTP ----
 * polc_policy_value.l7_policy != 0 names a set of HTTP rules (an "l7
 * policy"): a request on that connection passes when one rule of the set
 * matches it. The datapath reads each request head byte by byte and walks
 * five DFAs (ir/dfa.h, docs/http_dfa.md), all laid out in one u64 array,
 * polc_http_table, described by polc_http_meta[field]:
 *   next state of (state s, byte b) =
 *       table[next_base + s * num_classes + byte_class[b]]
 *   what state s accepts = table[accept_base + s]
 * State 0 of every field is dead. What "accept" holds depends on the field:
 *   METHOD, PATH  an accept-set id: 0 when no pattern matches, else the
 *                 number of the set of patterns matching (the keys of
 *                 polc_http_verdict)
 *   HOST          a mask of conditions that hold when this is the value
 *                 of the Host header
 *   HNAME         a header-name id (0: a name no rule cares about);
 *                 ids 1, 2, 3 are Host, Content-Length, Transfer-Encoding
 *   HVALUE        a mask of conditions an exact header value satisfies
 *                 (ANDed with the name's `exact` mask below)
 * Header name id n has two more u64 at table[names_base + 2 * n]:
 * `present` (conditions that hold once a header of that name is seen) and
 * `exact` (conditions that hold when its value is also the right one).
 * A condition is one bit of a request's 64-bit condition mask: "the Host
 * matches host pattern j", "header X is present", "header X has value v".
 *
 * The verdict of a head is then one lookup per (l7 policy, method id,
 * path id), with POLC_HTTP_ANY standing for a rule that names no method
 * (or no path): the request passes when, for some alternative k,
 * (conditions & need[k]) == need[k]. */
#define POLC_HTTP_METHOD 0
#define POLC_HTTP_PATH 1
#define POLC_HTTP_HOST 2
#define POLC_HTTP_HNAME 3
#define POLC_HTTP_HVALUE 4
#define POLC_HTTP_FIELDS 5

#define POLC_HTTP_NAME_HOST 1
#define POLC_HTTP_NAME_CONTENT_LENGTH 2
#define POLC_HTTP_NAME_TRANSFER_ENCODING 3

struct polc_http_dfa_meta {
	__u32 next_base;
	__u32 accept_base;
	__u32 num_classes;
	__u32 start;
	__u32 num_states;  /* a state >= num_states is treated as dead */
	__u32 names_base;  /* HNAME only: where the names' masks start */
	__u8 byte_class[256];
};

#define POLC_HTTP_ANY 0xffffffffu

struct polc_http_verdict_key {
	__u16 l7_policy;
	__u16 pad;
	__u32 method; /* accept-set id, or POLC_HTTP_ANY */
	__u32 path;   /* accept-set id, or POLC_HTTP_ANY */
};

#define POLC_HTTP_ALTS 8u

struct polc_http_verdict_value {
	__u32 rule_id; /* the first IR rule among the alternatives */
	__u32 count;   /* alternatives in need[] (1..POLC_HTTP_ALTS) */
	__u64 need[POLC_HTTP_ALTS];
};

#endif /* POLC_MAPS_ABI_H */
