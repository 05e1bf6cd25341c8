/* The request-target of a request line (RFC 9112 §3.2), one byte at a
 * time, and its path normalized on the way into the PATH DFA, so that the
 * path a rule judges is the one the server will act on (docs/http.md,
 * "What the kernel sees"). Servers and proxies (Envoy under Cilium, nginx,
 * python's http.server) read "/public/%2e%2e/private" as "/private"; a
 * policy that matched the raw bytes would let it through.
 *
 * The path is rewritten as the bytes arrive, without a buffer:
 *  - a %XX escape of an unreserved character (ALPHA DIGIT - . _ ~) is
 *    decoded; any other escape stays, its hex digits in upper case;
 *    %2F, %5C (slash, backslash), escaped controls and broken escapes are
 *    refused, as is a raw backslash: servers disagree on them;
 *  - repeated slashes are merged (an empty segment is no segment);
 *  - "." segments are removed, ".." segments remove the segment before.
 * A segment's dots are walked through the DFA as they come; when the
 * segment ends as "." or "..", the DFA state goes back to the one saved
 * when that segment (or the one before) began. Those states live in a ring
 * of POLC_HTTP_SEGS (http_conn.h): a ".." above the root, or above the
 * oldest state the ring still holds, is refused rather than guessed, as
 * is a dot segment followed by ';' (which some servers read as "..").
 * The query, after '?', is judged as sent.
 *
 * Forms: origin ("/path"); absolute ("http://host/path": the authority is
 * the request's host, and a Host header must then say the same);
 * authority ("host:port", CONNECT only) and asterisk ("*", OPTIONS only)
 * have no path: only rules that name no path can allow them. */
#ifndef POLC_HTTP_TARGET_H
#define POLC_HTTP_TARGET_H

#include "http_conn.h"

/* Why a byte walk stopped (http_parse.h). */
#define POLC_HTTP_EV_NONE 0
#define POLC_HTTP_EV_HEAD 1 /* a complete head: judge it */
#define POLC_HTTP_EV_MALFORMED 2
#define POLC_HTTP_EV_TOO_LONG 3
#define POLC_HTTP_EV_UNSUPPORTED 4
#define POLC_HTTP_EV_NOT_NORMAL 5 /* a path polc will not normalize */

enum polc_http_target_phase {
	POLC_HT_START = 0, /* the first byte tells the form */
	POLC_HT_SCHEME,    /* absolute-form: the rest of "http://" */
	POLC_HT_AUTHORITY, /* absolute-form or authority-form: host[:port] */
	POLC_HT_PATH,      /* the path, normalized into the DFA */
	POLC_HT_QUERY,     /* after '?': into the DFA as sent */
	POLC_HT_ASTERISK,  /* after "*" */
};

enum polc_http_path_segment {
	POLC_SEG_EMPTY = 0, /* nothing since the '/' */
	POLC_SEG_DOT,       /* "." */
	POLC_SEG_DOTDOT,    /* ".." */
	POLC_SEG_PLAIN,     /* anything else */
};

/* The two methods whose request-targets have no path. */
#define POLC_HTTP_M_CONNECT 0x1
#define POLC_HTTP_M_OPTIONS 0x2
#define POLC_HTTP_LIT_CONNECT 0x5443454e4e4f43ull /* "CONNECT" in memory order */
#define POLC_HTTP_LIT_OPTIONS 0x534e4f4954504full /* "OPTIONS" */
#define POLC_HTTP_LIT_SCHEME 0x2f2f3a70747468ull  /* "http://" (compared in lower case) */

#define POLC_FNV_BASIS 2166136261u
#define POLC_FNV_PRIME 16777619u

/* Character classes as 128-bit sets (bit b of lo for b < 64, of hi for
 * b - 64): RFC 9110 tchar, RFC 3986 unreserved, and what a host[:port]
 * may hold (unreserved, sub-delims, ':', '[', ']'; no userinfo, no %). */
#define POLC_SET_TCHAR_LO 0x03ff6cfa00000000ull
#define POLC_SET_TCHAR_HI 0x57ffffffc7fffffeull
#define POLC_SET_UNRESERVED_LO 0x03ff600000000000ull
#define POLC_SET_UNRESERVED_HI 0x47fffffe87fffffeull
#define POLC_SET_AUTHORITY_LO 0x2fff7fd200000000ull
#define POLC_SET_AUTHORITY_HI 0x47fffffeaffffffeull

static __always_inline int http_in_set(__u32 b, __u64 lo, __u64 hi)
{
	if (b >= 128)
		return 0;
	return (((b < 64 ? lo : hi) >> (b & 63)) & 1) != 0;
}

static __always_inline int http_is_tchar(__u8 b)
{
	return http_in_set(b, POLC_SET_TCHAR_LO, POLC_SET_TCHAR_HI);
}

static __always_inline int http_hex_value(__u8 b)
{
	if (b >= '0' && b <= '9')
		return b - '0';
	b |= 0x20;
	if (b >= 'a' && b <= 'f')
		return b - 'a' + 10;
	return -1;
}

static __always_inline __u8 http_hex_digit(__u32 v)
{
	v &= 0xf;
	return (__u8)(v < 10 ? '0' + v : 'A' + v - 10);
}

static __always_inline __u32 http_fnv(__u32 h, __u8 b)
{
	return (h ^ b) * POLC_FNV_PRIME;
}

static __always_inline __u32 http_dfa_step(void *table, const struct polc_http_dfa_meta *m, __u32 state, __u8 byte)
{
	__u32 b = byte;
	__u64 *next;
	__u32 idx;

	if (state == 0 || state >= m->num_states)
		return 0;
	/* Bytes made here (a decoded escape's hex digits) have a range the
	 * compiler knows and the verifier does not: bound it in the code. */
	polc_barrier_var(b);
	b &= 0xff;
	idx = m->next_base + state * m->num_classes + m->byte_class[b];
	next = bpf_map_lookup_elem(table, &idx);
	return next ? (__u32)*next : 0;
}

static __always_inline __u64 http_table_at(void *table, __u32 idx)
{
	__u64 *value = bpf_map_lookup_elem(table, &idx);

	return value ? *value : 0;
}

static __always_inline __u64 http_dfa_accept(void *table, const struct polc_http_dfa_meta *m, __u32 state)
{
	if (state == 0 || state >= m->num_states)
		return 0;
	return http_table_at(table, m->accept_base + state);
}

/* The method's bytes, compared with the two literals as they come: `pos`
 * is the byte's index in the method. */
static __always_inline void http_method_literals(struct polc_http_conn *c, __u32 pos, __u8 b)
{
	if (pos >= 7 || b != (__u8)(POLC_HTTP_LIT_CONNECT >> (8 * (pos & 7))))
		c->mlit &= ~POLC_HTTP_M_CONNECT;
	if (pos >= 7 || b != (__u8)(POLC_HTTP_LIT_OPTIONS >> (8 * (pos & 7))))
		c->mlit &= ~POLC_HTTP_M_OPTIONS;
}

/* The path starts with its root '/'. */
static __always_inline void http_path_begin(void *table, const struct polc_http_dfa_meta *m, struct polc_http_conn *c)
{
	c->state = http_dfa_step(table, m, m->start, '/');
	c->seg_start[0] = c->state;
	c->top = 0;
	c->depth = 1;
	c->seg = POLC_SEG_EMPTY;
	c->tphase = POLC_HT_PATH;
}

/* One character of a segment, decoded. */
static __always_inline int http_segment_char(void *table, const struct polc_http_dfa_meta *m, struct polc_http_conn *c,
					     __u8 ch)
{
	if (ch == '.' && c->seg < POLC_SEG_DOTDOT)
		c->seg++;
	else if (ch == ';' && (c->seg == POLC_SEG_DOT || c->seg == POLC_SEG_DOTDOT))
		return POLC_HTTP_EV_NOT_NORMAL; /* "..;": Tomcat and Spring read it as ".." */
	else
		c->seg = POLC_SEG_PLAIN;
	c->state = http_dfa_step(table, m, c->state, ch);
	return POLC_HTTP_EV_NONE;
}

/* A segment ends at '/' (`slash`), '?' or the end of the target. */
static __always_inline int http_segment_end(void *table, const struct polc_http_dfa_meta *m, struct polc_http_conn *c,
					    int slash)
{
	__u32 top = c->top;

	switch (c->seg) {
	case POLC_SEG_EMPTY:
		return POLC_HTTP_EV_NONE; /* "//": merged */
	case POLC_SEG_DOT:
		break; /* removed: back to where it began */
	case POLC_SEG_DOTDOT:
		if (c->depth <= 1)
			return POLC_HTTP_EV_NOT_NORMAL; /* above the root, or above what the ring holds */
		c->depth--;
		top = (top - 1) & (POLC_HTTP_SEGS - 1);
		c->top = (__u8)top;
		break;
	default:
		if (!slash)
			return POLC_HTTP_EV_NONE;
		c->state = http_dfa_step(table, m, c->state, '/');
		top = (top + 1) & (POLC_HTTP_SEGS - 1);
		c->top = (__u8)top;
		c->seg_start[top] = c->state;
		if (c->depth < POLC_HTTP_SEGS)
			c->depth++;
		c->seg = POLC_SEG_EMPTY;
		return POLC_HTTP_EV_NONE;
	}
	c->state = c->seg_start[top & (POLC_HTTP_SEGS - 1)];
	c->seg = POLC_SEG_EMPTY;
	return POLC_HTTP_EV_NONE;
}

/* One byte of the path (before any '?'). An escape is walked as it
 * comes, "%" and its hex digits in upper case, from the state saved at
 * its '%'; one that turns out to stand for an unreserved character is
 * walked again from there as that character. So every byte costs one DFA
 * step at most, which keeps the verifier's work on this callback small. */
static __always_inline int http_path_byte(void *table, const struct polc_http_dfa_meta *m, struct polc_http_conn *c,
					  __u8 b)
{
	int hex;
	__u32 v;

	if (c->pct) {
		hex = http_hex_value(b);
		if (hex < 0)
			return POLC_HTTP_EV_NOT_NORMAL; /* a broken escape */
		if (c->pct == 2) {
			c->pct_hi = (__u8)hex;
			c->pct = 1;
			c->state = http_dfa_step(table, m, c->state, http_hex_digit(hex));
			return POLC_HTTP_EV_NONE;
		}
		c->pct = 0;
		v = (__u32)c->pct_hi * 16 + (__u32)hex;
		if (http_in_set(v, POLC_SET_UNRESERVED_LO, POLC_SET_UNRESERVED_HI)) {
			c->state = c->pct_state;
			return http_segment_char(table, m, c, (__u8)v);
		}
		if (v == '/' || v == '\\' || v < 0x20 || v == 0x7f)
			return POLC_HTTP_EV_NOT_NORMAL;
		c->seg = POLC_SEG_PLAIN;
		c->state = http_dfa_step(table, m, c->state, http_hex_digit(hex));
		return POLC_HTTP_EV_NONE;
	}
	switch (b) {
	case '%':
		c->pct = 2;
		c->pct_state = c->state;
		c->state = http_dfa_step(table, m, c->state, '%');
		return POLC_HTTP_EV_NONE;
	case '\\':
		return POLC_HTTP_EV_NOT_NORMAL;
	case '#':
		return POLC_HTTP_EV_MALFORMED; /* a fragment is never sent */
	case '/':
		return http_segment_end(table, m, c, 1);
	case '?':
		hex = http_segment_end(table, m, c, 0);
		c->state = http_dfa_step(table, m, c->state, '?');
		c->tphase = POLC_HT_QUERY;
		return hex;
	}
	return http_segment_char(table, m, c, b);
}

/* A byte of host[:port] in the request-target: walked as a Host value. */
static __always_inline int http_authority_byte(void *table, const struct polc_http_dfa_meta *host_meta,
					       struct polc_http_conn *c, __u8 b)
{
	if (!http_in_set(b, POLC_SET_AUTHORITY_LO, POLC_SET_AUTHORITY_HI))
		return POLC_HTTP_EV_MALFORMED;
	c->hstate = http_dfa_step(table, host_meta, c->hstate, b);
	c->auth_hash = http_fnv(c->auth_hash, b);
	c->vpos = 1; /* not empty */
	return POLC_HTTP_EV_NONE;
}

/* The authority ends: it is the request's host. */
static __always_inline int http_authority_end(void *table, const struct polc_http_dfa_meta *host_meta,
					      struct polc_http_conn *c)
{
	if (!c->vpos)
		return POLC_HTTP_EV_MALFORMED; /* "http:///x" */
	c->flags |= POLC_HTTP_F_AUTHORITY;
	c->cond |= http_dfa_accept(table, host_meta, c->hstate);
	return POLC_HTTP_EV_NONE;
}

/* One byte of the request-target other than the SP that ends it. */
static __always_inline int http_target_byte(void *table, struct polc_http_dfa_meta *const *meta,
					    struct polc_http_conn *c, __u8 b)
{
	const struct polc_http_dfa_meta *path = meta[POLC_HTTP_PATH];
	const struct polc_http_dfa_meta *host = meta[POLC_HTTP_HOST];
	int ev;

	if (b >= 0x7f)
		return POLC_HTTP_EV_MALFORMED; /* DEL, and raw bytes the RFC wants escaped */
	switch (c->tphase) {
	case POLC_HT_START:
		c->hstate = host->start;
		c->auth_hash = POLC_FNV_BASIS;
		c->vpos = 0;
		if (c->mlit & POLC_HTTP_M_CONNECT) {
			c->tphase = POLC_HT_AUTHORITY; /* CONNECT takes host:port only */
			return http_authority_byte(table, host, c, b);
		}
		if (b == '/') {
			http_path_begin(table, path, c);
			return POLC_HTTP_EV_NONE;
		}
		if (b == '*') {
			if (!(c->mlit & POLC_HTTP_M_OPTIONS))
				return POLC_HTTP_EV_MALFORMED;
			c->tphase = POLC_HT_ASTERISK;
			return POLC_HTTP_EV_NONE;
		}
		c->tphase = POLC_HT_SCHEME;
		/* fall through: 'h' of "http://" */
	case POLC_HT_SCHEME:
		if (c->vpos >= 7 || (b | (c->vpos < 4 ? 0x20 : 0)) != (__u8)(POLC_HTTP_LIT_SCHEME >> (8 * (c->vpos & 7))))
			return POLC_HTTP_EV_MALFORMED; /* only http: TLS is not seen in clear */
		if (++c->vpos == 7) {
			c->vpos = 0;
			c->tphase = POLC_HT_AUTHORITY;
		}
		return POLC_HTTP_EV_NONE;
	case POLC_HT_AUTHORITY:
		if ((b == '/' || b == '?') && !(c->mlit & POLC_HTTP_M_CONNECT)) {
			ev = http_authority_end(table, host, c);
			if (ev != POLC_HTTP_EV_NONE)
				return ev;
			http_path_begin(table, path, c);
			return b == '?' ? http_path_byte(table, path, c, b) : POLC_HTTP_EV_NONE;
		}
		return http_authority_byte(table, host, c, b);
	case POLC_HT_PATH:
		return http_path_byte(table, path, c, b);
	case POLC_HT_QUERY:
		if (b == '#')
			return POLC_HTTP_EV_MALFORMED;
		c->state = http_dfa_step(table, path, c->state, b);
		return POLC_HTTP_EV_NONE;
	default:
		return POLC_HTTP_EV_MALFORMED; /* anything after "*" */
	}
}

/* The SP after the request-target: the path's accept-set id, 0 for none. */
static __always_inline int http_target_end(void *table, struct polc_http_dfa_meta *const *meta, struct polc_http_conn *c)
{
	const struct polc_http_dfa_meta *path = meta[POLC_HTTP_PATH];
	int ev;

	c->path_id = 0;
	switch (c->tphase) {
	case POLC_HT_PATH:
		if (c->pct)
			return POLC_HTTP_EV_NOT_NORMAL; /* an escape cut short */
		ev = http_segment_end(table, path, c, 0);
		if (ev != POLC_HTTP_EV_NONE)
			return ev;
		/* fall through */
	case POLC_HT_QUERY:
		c->path_id = (__u32)http_dfa_accept(table, path, c->state);
		return POLC_HTTP_EV_NONE;
	case POLC_HT_ASTERISK:
		return POLC_HTTP_EV_NONE;
	case POLC_HT_AUTHORITY:
		ev = http_authority_end(table, meta[POLC_HTTP_HOST], c);
		if (ev != POLC_HTTP_EV_NONE || (c->mlit & POLC_HTTP_M_CONNECT))
			return ev;
		/* "http://host": the path is "/" */
		http_path_begin(table, path, c);
		c->path_id = (__u32)http_dfa_accept(table, path, c->state);
		return POLC_HTTP_EV_NONE;
	default:
		return POLC_HTTP_EV_MALFORMED; /* empty, or a scheme cut short */
	}
}

#endif /* POLC_HTTP_TARGET_H */
