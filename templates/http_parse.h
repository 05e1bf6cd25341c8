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

#include "http_target.h"

#define POLC_HTTP_WINDOW 8192u /* the longest request head inspected */
#define POLC_HTTP_CHUNK 256u   /* bytes copied out of the packet at a time */

/* "HTTP/1." in memory order, read byte by byte while matching the version. */
#define POLC_HTTP_VERSION_PREFIX 0x2e312f50545448ull

/* A Content-Length of this many bytes or more is refused, so that the
 * digits never overflow. */
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

/* A header line ends: add what it says to the request's conditions. The
 * value is compared without its surrounding whitespace (RFC 9110 §5.5):
 * the *_trim states are those at its last non-whitespace byte. */
static __always_inline int http_line_end(struct polc_http_walk *w, struct polc_http_conn *c)
{
	const struct polc_http_dfa_meta *names = w->meta[POLC_HTTP_HNAME];
	__u32 id = c->name_id;
	__u32 idx = names->names_base + 2 * id;

	c->cond |= http_table_at(w->table, idx);
	if (c->flags & POLC_HTTP_F_WALK_VALUE)
		c->cond |= http_dfa_accept(w->table, w->meta[POLC_HTTP_HVALUE], c->vstate_trim) & http_table_at(w->table, idx + 1);
	switch (id) {
	case POLC_HTTP_NAME_HOST:
		/* Two Host lines: a server must refuse the request (RFC 9112
		 * §3.2), and which one it would use is not ours to guess. */
		if (c->flags & POLC_HTTP_F_HAS_HOST)
			return POLC_HTTP_EV_MALFORMED;
		c->flags |= POLC_HTTP_F_HAS_HOST;
		/* After an absolute-form target the host rules judged its
		 * authority, which the server acts on (RFC 9112 §3.2.2); a Host
		 * line that says otherwise is refused. */
		if (c->flags & POLC_HTTP_F_AUTHORITY) {
			if (c->hhash_trim != c->auth_hash)
				return POLC_HTTP_EV_MALFORMED;
			break;
		}
		c->cond |= http_dfa_accept(w->table, w->meta[POLC_HTTP_HOST], c->hstate_trim);
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

/* One byte of a header value (leading whitespace already skipped). */
static __always_inline int http_value_byte(struct polc_http_walk *w, struct polc_http_conn *c, __u8 b)
{
	int ws = b == ' ' || b == '\t';

	if ((b < 0x20 && b != '\t') || b == 0x7f)
		return POLC_HTTP_EV_MALFORMED;
	if (c->flags & POLC_HTTP_F_WALK_VALUE) {
		c->vstate = http_dfa_step(w->table, w->meta[POLC_HTTP_HVALUE], c->vstate, b);
		if (!ws)
			c->vstate_trim = c->vstate;
	}
	if (c->name_id == POLC_HTTP_NAME_HOST) {
		c->hstate = http_dfa_step(w->table, w->meta[POLC_HTTP_HOST], c->hstate, b);
		c->hhash = http_fnv(c->hhash, b);
		if (!ws) {
			c->hstate_trim = c->hstate;
			c->hhash_trim = c->hhash;
		}
	}
	if (ws) {
		c->vws = 1;
	} else if (b >= '0' && b <= '9' && !c->vws && c->num < POLC_HTTP_MAX_BODY / 10) {
		c->num = c->num * 10 + (b - '0');
		c->flags |= POLC_HTTP_F_DIGITS;
	} else {
		c->flags |= POLC_HTTP_F_NOT_NUM; /* a non-digit, or digits after whitespace */
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
			if (c->head_len != 8)
				c->mlit = 0; /* CONNECT and OPTIONS have 7 letters */
			c->method_id = (__u32)http_dfa_accept(w->table, w->meta[POLC_HTTP_METHOD], c->state);
			c->tphase = POLC_HT_START;
			c->phase = POLC_HP_TARGET;
			return 0;
		}
		if (!http_is_tchar(b))
			goto malformed; /* a method is a token, compared as sent */
		http_method_literals(c, c->head_len - 1, b);
		c->state = http_dfa_step(w->table, w->meta[POLC_HTTP_METHOD], c->state, b);
		return 0;
	case POLC_HP_TARGET:
		if (b == ' ') {
			ev = http_target_end(w->table, w->meta, c);
			if (ev != POLC_HTTP_EV_NONE)
				goto stop;
			c->phase = POLC_HP_VERSION;
			c->vpos = 0;
			return 0;
		}
		if (b < 0x21) /* controls, CR, LF: not in a target */
			goto malformed;
		ev = http_target_byte(w->table, w->meta, c, b);
		if (ev != POLC_HTTP_EV_NONE)
			goto stop;
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
		if (!http_is_tchar(b))
			goto malformed; /* empty name, or obsolete line folding */
		c->state = http_dfa_step(w->table, w->meta[POLC_HTTP_HNAME], w->meta[POLC_HTTP_HNAME]->start, b);
		c->phase = POLC_HP_NAME;
		return 0;
	case POLC_HP_NAME:
		if (b == ':') {
			c->name_id = (__u32)http_dfa_accept(w->table, w->meta[POLC_HTTP_HNAME], c->state);
			c->vstate = w->meta[POLC_HTTP_HVALUE]->start;
			c->vstate_trim = c->vstate;
			c->hstate = w->meta[POLC_HTTP_HOST]->start;
			c->hstate_trim = c->hstate;
			c->hhash = POLC_FNV_BASIS;
			c->hhash_trim = POLC_FNV_BASIS;
			c->num = 0;
			c->vws = 0;
			c->flags &= ~(POLC_HTTP_F_DIGITS | POLC_HTTP_F_NOT_NUM | POLC_HTTP_F_WALK_VALUE);
			/* Walk the value only for a name some rule compares values
			 * of: most header bytes then cost nothing. */
			if (http_table_at(w->table, w->meta[POLC_HTTP_HNAME]->names_base + 2 * c->name_id + 1))
				c->flags |= POLC_HTTP_F_WALK_VALUE;
			c->phase = POLC_HP_OWS;
			return 0;
		}
		if (!http_is_tchar(b))
			goto malformed; /* a field name is a token: no whitespace before ':' */
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
			if (ev != POLC_HTTP_EV_NONE)
				goto stop;
			c->phase = POLC_HP_LF;
			return 0;
		}
		ev = http_value_byte(w, c, b);
		if (ev != POLC_HTTP_EV_NONE)
			goto stop;
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
	ev = POLC_HTTP_EV_MALFORMED;
stop:
	w->progress->event = ev;
	return 1;
}

#endif /* POLC_HTTP_PARSE_H */
