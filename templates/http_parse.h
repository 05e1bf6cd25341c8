/* The HTTP/1.x request-head parser: one byte at a time, as a bpf_loop
 * callback, so the verifier checks the byte step once instead of once per
 * byte, and a head may end in any segment (its state lives in
 * struct polc_http_conn).
 *
 * Each field is walked through its DFA as it is read (maps_abi.h, HTTP):
 * the method and the request-target (path and query) give accept-set ids,
 * each header line gives a name id and, at its end, adds the conditions it
 * meets to the connection's mask. The parser is strict where leniency
 * could hide a request from the policy: no bare LF, no whitespace before
 * ':', no obsolete line folding, only HTTP/1.0 and HTTP/1.1, one
 * Content-Length value, no Transfer-Encoding. Anything else stops the walk
 * with an event, and the request is denied (fail closed). */
#ifndef POLC_HTTP_PARSE_H
#define POLC_HTTP_PARSE_H

#include "http_conn.h"

#define POLC_HTTP_WINDOW 8192u /* the longest request head inspected */
#define POLC_HTTP_CHUNK 256u   /* bytes copied out of the packet at a time */

/* Why a byte walk stopped. */
#define POLC_HTTP_EV_NONE 0
#define POLC_HTTP_EV_HEAD 1        /* a complete head: judge it */
#define POLC_HTTP_EV_MALFORMED 2
#define POLC_HTTP_EV_TOO_LONG 3
#define POLC_HTTP_EV_UNSUPPORTED 4

/* "HTTP/1." in memory order, read byte by byte while matching the version. */
#define POLC_HTTP_VERSION_PREFIX 0x2e312f50545448ull

/* Above this a Content-Length is refused rather than risk overflow. */
#define POLC_HTTP_MAX_BODY 0x40000000u

/* Mutable state of one packet's walk. It lives in a per-CPU map value
 * (struct polc_http_scratch), not on the stack: the verifier tracks stack
 * values exactly, and every distinct (position, event) pair would be one
 * more state to explore in the loops below. */
struct polc_http_progress {
	__u32 pos;       /* packet offset of the next unread byte */
	__u32 remaining; /* payload bytes after pos */
	__u32 event;     /* POLC_HTTP_EV_* that stopped the byte walk */
	__u32 reason;    /* on a refusal: the polc_drop_reason */
	__u32 audited;   /* audit mode: a head refused, the walk gone on (http.h) */
};

/* Everything the steps read, on the stack of the caller of bpf_loop; set
 * once per packet, never written by the callbacks. */
struct polc_http_walk {
	struct __sk_buff *skb;
	struct polc_http_conn *conn;
	const struct polc_allow_match *match;
	void *table;   /* polc_http_table of the packet's generation */
	void *verdict; /* polc_http_verdict of the packet's generation */
	struct polc_http_dfa_meta *meta[POLC_HTTP_FIELDS];
	__u8 *chunk;   /* POLC_HTTP_CHUNK bytes of scratch */
	struct polc_http_progress *progress;
};

static __always_inline __u32 http_dfa_step(void *table, const struct polc_http_dfa_meta *m, __u32 state, __u8 byte)
{
	__u64 *next;
	__u32 idx;

	if (state == 0 || state >= m->num_states)
		return 0;
	idx = m->next_base + state * m->num_classes + m->byte_class[byte];
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

/* Visible ASCII: what a method token or a field name may hold. */
static __always_inline int http_is_vchar(__u8 b)
{
	return b > 0x20 && b < 0x7f;
}

/* A header line ends: add what it says to the request's conditions. */
static __always_inline int http_line_end(struct polc_http_walk *w, struct polc_http_conn *c)
{
	const struct polc_http_dfa_meta *names = w->meta[POLC_HTTP_HNAME];
	__u32 id = c->name_id;
	__u32 idx = names->names_base + 2 * id;

	c->cond |= http_table_at(w->table, idx);
	if (c->flags & POLC_HTTP_F_WALK_VALUE)
		c->cond |= http_dfa_accept(w->table, w->meta[POLC_HTTP_HVALUE], c->vstate) & http_table_at(w->table, idx + 1);
	switch (id) {
	case POLC_HTTP_NAME_HOST:
		/* Two Host lines: a server must refuse the request (RFC 9112
		 * §3.2), and which one it would use is not ours to guess. */
		if (c->flags & POLC_HTTP_F_HAS_HOST)
			return POLC_HTTP_EV_MALFORMED;
		c->flags |= POLC_HTTP_F_HAS_HOST;
		c->cond |= http_dfa_accept(w->table, w->meta[POLC_HTTP_HOST], c->hstate);
		break;
	case POLC_HTTP_NAME_CONTENT_LENGTH:
		if (!(c->flags & POLC_HTTP_F_DIGITS) || (c->flags & POLC_HTTP_F_NOT_NUM))
			return POLC_HTTP_EV_MALFORMED;
		if ((c->flags & POLC_HTTP_F_HAS_CLEN) && c->clen != c->num)
			return POLC_HTTP_EV_MALFORMED; /* two lengths: request smuggling */
		c->clen = c->num;
		c->flags |= POLC_HTTP_F_HAS_CLEN;
		break;
	case POLC_HTTP_NAME_TRANSFER_ENCODING:
		return POLC_HTTP_EV_UNSUPPORTED; /* chunked bodies are not followed */
	}
	return POLC_HTTP_EV_NONE;
}

/* One byte of the head. Returns 1 to stop the walk (progress->event says why). */
static long http_byte(__u32 i, void *arg)
{
	struct polc_http_walk *w = arg;
	struct polc_http_conn *c = w->conn;
	__u8 b;
	int ev;

	if (i >= POLC_HTTP_CHUNK)
		return 1;
	b = w->chunk[i];
	if (++c->head_len > POLC_HTTP_WINDOW) {
		w->progress->event = POLC_HTTP_EV_TOO_LONG;
		return 1;
	}

	switch (c->phase) {
	case POLC_HP_METHOD:
		if (b == ' ') {
			if (c->head_len == 1)
				goto malformed;
			c->method_id = (__u32)http_dfa_accept(w->table, w->meta[POLC_HTTP_METHOD], c->state);
			c->state = w->meta[POLC_HTTP_PATH]->start;
			c->phase = POLC_HP_TARGET;
			return 0;
		}
		if (!http_is_vchar(b))
			goto malformed;
		c->state = http_dfa_step(w->table, w->meta[POLC_HTTP_METHOD], c->state, b);
		return 0;
	case POLC_HP_TARGET:
		if (b == ' ') {
			c->path_id = (__u32)http_dfa_accept(w->table, w->meta[POLC_HTTP_PATH], c->state);
			c->phase = POLC_HP_VERSION;
			c->vpos = 0;
			return 0;
		}
		if (b < 0x21 || b == 0x7f) /* controls, CR, LF: not in a target */
			goto malformed;
		c->state = http_dfa_step(w->table, w->meta[POLC_HTTP_PATH], c->state, b);
		return 0;
	case POLC_HP_VERSION:
		if (c->vpos < 7) {
			if (b != (__u8)(POLC_HTTP_VERSION_PREFIX >> (8 * (c->vpos & 7))))
				goto malformed;
		} else if (c->vpos == 7) {
			if (b != '0' && b != '1')
				goto malformed;
		} else {
			if (b != '\r')
				goto malformed;
			c->phase = POLC_HP_LF;
		}
		c->vpos++;
		return 0;
	case POLC_HP_LF:
		if (b != '\n')
			goto malformed;
		c->phase = POLC_HP_LINE;
		return 0;
	case POLC_HP_LINE:
		if (b == '\r') {
			c->phase = POLC_HP_END_LF;
			return 0;
		}
		if (!http_is_vchar(b) || b == ':')
			goto malformed; /* empty name, or obsolete line folding */
		c->state = http_dfa_step(w->table, w->meta[POLC_HTTP_HNAME], w->meta[POLC_HTTP_HNAME]->start, b);
		c->phase = POLC_HP_NAME;
		return 0;
	case POLC_HP_NAME:
		if (b == ':') {
			c->name_id = (__u32)http_dfa_accept(w->table, w->meta[POLC_HTTP_HNAME], c->state);
			c->vstate = w->meta[POLC_HTTP_HVALUE]->start;
			c->hstate = w->meta[POLC_HTTP_HOST]->start;
			c->num = 0;
			c->flags &= ~(POLC_HTTP_F_DIGITS | POLC_HTTP_F_NOT_NUM | POLC_HTTP_F_WALK_VALUE);
			/* Walk the value only for a name some rule compares values
			 * of: most header bytes then cost nothing. */
			if (http_table_at(w->table, w->meta[POLC_HTTP_HNAME]->names_base + 2 * c->name_id + 1))
				c->flags |= POLC_HTTP_F_WALK_VALUE;
			c->phase = POLC_HP_OWS;
			return 0;
		}
		if (!http_is_vchar(b))
			goto malformed;
		c->state = http_dfa_step(w->table, w->meta[POLC_HTTP_HNAME], c->state, b);
		return 0;
	case POLC_HP_OWS:
		if (b == ' ' || b == '\t')
			return 0;
		c->phase = POLC_HP_VALUE;
		/* fall through: the first byte of the value */
	case POLC_HP_VALUE:
		if (b == '\r') {
			ev = http_line_end(w, c);
			if (ev != POLC_HTTP_EV_NONE) {
				w->progress->event = ev;
				return 1;
			}
			c->phase = POLC_HP_LF;
			return 0;
		}
		if ((b < 0x20 && b != '\t') || b == 0x7f)
			goto malformed;
		if (c->flags & POLC_HTTP_F_WALK_VALUE)
			c->vstate = http_dfa_step(w->table, w->meta[POLC_HTTP_HVALUE], c->vstate, b);
		if (c->name_id == POLC_HTTP_NAME_HOST)
			c->hstate = http_dfa_step(w->table, w->meta[POLC_HTTP_HOST], c->hstate, b);
		if (b >= '0' && b <= '9' && c->num < POLC_HTTP_MAX_BODY) {
			c->num = c->num * 10 + (b - '0');
			c->flags |= POLC_HTTP_F_DIGITS;
		} else {
			c->flags |= POLC_HTTP_F_NOT_NUM;
		}
		return 0;
	case POLC_HP_END_LF:
		if (b != '\n')
			goto malformed;
		w->progress->event = POLC_HTTP_EV_HEAD;
		return 1;
	default:
		goto malformed;
	}

malformed:
	w->progress->event = POLC_HTTP_EV_MALFORMED;
	return 1;
}

#endif /* POLC_HTTP_PARSE_H */
