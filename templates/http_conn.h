/* Per-connection state of the HTTP request parser (http.h): where the
 * client's byte stream stands, so that a request head split over several
 * TCP segments, and every request of a keep-alive connection, is read as
 * one stream. Keyed by the connection's conntrack key with `user` = 1 +
 * the direction (POLC_DIR_*) of the program reading it. Private to the
 * datapath: user space only clears it in test runs.
 *
 * The parser is a byte-at-a-time state machine, so its whole state fits
 * here: the phase of the head, the DFA state of the field being read, the
 * ids of the method and path once read, and the condition mask gathered
 * from the header lines so far. */
#ifndef POLC_HTTP_CONN_H
#define POLC_HTTP_CONN_H

#include "maps.h"

/* Phases of a request head (RFC 9112 §2.2, §3, §5). */
enum polc_http_phase {
	POLC_HP_METHOD = 0, /* request-line: method token */
	POLC_HP_TARGET,     /* request-target, up to the second SP */
	POLC_HP_VERSION,    /* "HTTP/1.0" or "HTTP/1.1", then CR */
	POLC_HP_LF,         /* the LF after a line's CR */
	POLC_HP_LINE,       /* the start of a header line, or the final CR */
	POLC_HP_NAME,       /* field-name, up to ':' */
	POLC_HP_OWS,        /* whitespace before the field value */
	POLC_HP_VALUE,      /* field value, up to CR */
	POLC_HP_END_LF,     /* the LF that ends the head */
	POLC_HP_BODY,       /* Content-Length bytes of body to skip */
};

#define POLC_HTTP_F_SEQ_KNOWN 0x01 /* next_seq is the stream position */
#define POLC_HTTP_F_DENIED 0x02    /* a request was refused: no more data */
#define POLC_HTTP_F_DIGITS 0x04    /* the value read so far is all digits (and not empty) */
#define POLC_HTTP_F_NOT_NUM 0x08   /* ... or is not */
#define POLC_HTTP_F_HAS_CLEN 0x10  /* the head carries Content-Length */
#define POLC_HTTP_F_HAS_HOST 0x20  /* the head carries a Host line */
#define POLC_HTTP_F_WALK_VALUE 0x40 /* some rule compares this header's value */
#define POLC_HTTP_F_AUTHORITY 0x80  /* the request-target named the host (absolute or authority form) */

/* Path DFA states kept for `..` segments (http_target.h): the root's and
 * those of the last POLC_HTTP_SEGS - 1 segments, in a ring. */
#define POLC_HTTP_SEGS 8u

struct polc_http_conn {
	__u32 next_seq;  /* sequence number of the next client byte to read */
	__u8 phase;      /* enum polc_http_phase */
	__u8 flags;      /* POLC_HTTP_F_* */
	__u8 slot;       /* the slot of the generation whose DFAs the states below refer to */
	__u8 vpos;       /* position inside "HTTP/1.x\r", or "http://" */
	__u8 tphase;     /* enum polc_http_target_phase (http_target.h) */
	__u8 pct;        /* inside a %XX escape of the path: hex digits still to read, plus one */
	__u8 pct_hi;     /* the escape's first hex digit */
	__u8 seg;        /* enum polc_http_path_segment: the path segment read so far */
	__u8 depth;      /* valid entries of seg_start (1..POLC_HTTP_SEGS) */
	__u8 top;        /* seg_start index of the current segment's start */
	__u8 mlit;       /* POLC_HTTP_M_*: the method may still be CONNECT / OPTIONS */
	__u8 vws;        /* the header value read so far ends in whitespace */
	__u32 head_len;  /* bytes of the current head read so far */
	__u32 state;     /* DFA state of the method, path or header name */
	__u32 vstate;    /* HVALUE state of the current header value */
	__u32 hstate;    /* HOST state of the current header value (or of the authority) */
	__u32 vstate_trim; /* vstate and hstate at the value's last non-whitespace byte: */
	__u32 hstate_trim; /* a value is compared without its surrounding whitespace */
	__u32 hhash;     /* FNV-1a of the Host value (or of the authority) ... */
	__u32 hhash_trim; /* ... and at its last non-whitespace byte */
	__u32 auth_hash; /* FNV-1a of the request-target's authority */
	__u32 pct_state; /* PATH state before the '%' of the escape being read */
	__u32 seg_start[POLC_HTTP_SEGS]; /* PATH states just after a kept segment's '/' */
	__u32 name_id;   /* the current header's name id */
	__u32 method_id; /* accept-set ids, once read */
	__u32 path_id;
	__u32 num;       /* the current value as a decimal number */
	__u32 clen;      /* Content-Length of the current head */
	__u32 body_left; /* body bytes still to skip */
	__u64 cond;      /* conditions met by the header lines so far */
	__u64 stamp;     /* ... and the stamp of that generation (generation.h) */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct polc_ct_key);
	__type(value, struct polc_http_conn);
	__uint(max_entries, POLC_CT_MAX);
} polc_http_conn SEC(".maps");

#endif /* POLC_HTTP_CONN_H */
