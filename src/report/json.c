/*
 * json.c - the result document of FORMATS.md §8 ("baseline.result/1").
 *
 * Results are spooled, one compact JSON object per line, to an unlinked
 * temporary file while the run streams; finish writes run, summary and
 * frameworks (known only at the end) and then copies the spool, so memory
 * stays bounded however many results a run has.
 */
#include "report/report.h"

#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "doc/json.h"

/*
 * Result serialisation is the hottest path of a large run (every pass result
 * is written), so it does not go through bl_report_result_json field by field:
 * the parts that depend only on the control (id, severity, effect) are built
 * once per control, the parts that depend only on the asset once per asset
 * (results of one asset arrive together), and the rest is appended with
 * memcpy into one output block that goes to the spool 256 KiB at a time.
 * A result without tags, evidence or exception (every pass) is five copies:
 * control head, asset part with the status, control middle, asset tail with
 * the constant fields, and the message, repeated messages ("compliant")
 * coming escaped from a small cache.  The bytes are exactly those of
 * bl_report_result_json (a unit test compares them); anything uncommon
 * (escapes, evidence values, tags, exceptions) falls back to the shared
 * writers.
 *
 * The caches are matched by content, never by pointer alone: arenas recycle
 * addresses, so a new asset may sit where the last one was.
 */

/* The separator that precedes every result but the first. */
#define RESULT_SEP ",\n    "
#define RESULT_SEP_LEN (sizeof(RESULT_SEP) - 1)
/* {"control": as the shared writer starts a result */
#define HEAD_LIT "{\"control\":\""
#define HEAD_LEN (sizeof(HEAD_LIT) - 1)
/* What follows "classification" when there are no tags, no evidence and no
 * exception: the whole tail up to the message. */
#define PLAIN_TAIL ",\"tags\":null,\"evidence\":[],\"exception\":null,\"message\":"
#define PLAIN_TAIL_LEN (sizeof(PLAIN_TAIL) - 1)

struct ctrl_frag {
	bool plain;              /* built from an id that needed no escape */
	int severity, effect;
	char *head;              /* ,\n    {"control":"ID"  (separator first) */
	char *mid;               /* ,"severity":"S","effect":"E" */
	size_t headlen, midlen;
};

/* A malloc'ed byte string that keeps its capacity between rebuilds. */
struct frag {
	char *p;
	size_t len, cap;
};

/* A message seen before, escaped: raw NUL-terminated, then the JSON string
 * and the closing brace of the result. */
struct msg_slot {
	char *p;
	size_t cap, rawlen, esclen;
	const char *miss;        /* the last message that missed this slot */
};

#define MSG_SLOTS 8

struct json_state {
	FILE *spool;
	uint64_t n;
	struct bl_buf buf;       /* scratch for the shared writers */
	char *out;               /* results not yet in the spool */
	size_t len, cap;
	bool failed;
	struct ctrl_frag *ctrl;
	size_t nctrl;
	/* the last asset: its strings (NUL-terminated copies) and fragments */
	struct frag akey;
	uint32_t aoff[5];        /* where each string is in akey; UINT32_MAX: NULL */
	int atier;
	struct frag a1s;         /* per status: ,"asset":..,"asset_type":..,"status":".." */
	size_t a1stride;         /* distance between the per-status copies */
	size_t a1slen[BL_NSTATUS];
	struct frag a2t;         /* ,"tier":..,"environment":..,"owner":..,"classification":..
				    then PLAIN_TAIL */
	size_t a2len;            /* the part before PLAIN_TAIL */
	bool ahave;
	struct msg_slot msg[MSG_SLOTS];
};

#define SPOOL_BLOCK (256u * 1024)

static int json_open(struct bl_report *r, struct bl_error *err)
{
	struct json_state *s = r->state;
	s->spool = tmpfile();
	if (!s->spool)
		return bl_error_set(err, BL_EIO, NULL, 0, 0,
				    "cannot create a temporary file for results (TMPDIR)");
	bl_buf_init(&s->buf, 0);
	return 0;
}

/* Room for n more bytes in s->out; false (sticky) when memory runs out. */
static bool out_reserve(struct json_state *s, size_t n)
{
	if (s->failed)
		return false;
	if (s->len + n <= s->cap)
		return true;
	size_t ncap = s->cap ? s->cap : SPOOL_BLOCK + 4096;
	while (ncap < s->len + n)
		ncap *= 2;
	char *no = realloc(s->out, ncap);
	if (!no) {
		s->failed = true;
		return false;
	}
	s->out = no;
	s->cap = ncap;
	return true;
}

static void out_add(struct json_state *s, const void *p, size_t n)
{
	if (out_reserve(s, n)) {
		memcpy(s->out + s->len, p, n);
		s->len += n;
	}
}

#define OUT_LIT(s, lit) out_add((s), (lit), sizeof(lit) - 1)

#if defined(__SSE2__)
/* Bit k set when byte k of the 16 at p needs an escape. */
static inline unsigned bad_mask16(const unsigned char *p)
{
	const __m128i lo = _mm_set1_epi8(0x20), q = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\');
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
	/* signed compare: bytes >= 0x80 are negative, so below 0x20 too */
	__m128i bad = _mm_or_si128(_mm_cmpgt_epi8(lo, v),
				   _mm_or_si128(_mm_cmpeq_epi8(v, q), _mm_cmpeq_epi8(v, bs)));
	return (unsigned)_mm_movemask_epi8(bad);
}
#endif

/* Length of the prefix of p[0..n) that JSON needs no escape for (the
 * shared writer's rule: printable ASCII except '"' and '\\'). */
static size_t plain_prefix(const unsigned char *p, size_t n)
{
	size_t i = 0;
#if defined(__SSE2__)
	if (n >= 16) {
		for (; i + 16 <= n; i += 16) {
			unsigned m = bad_mask16(p + i);
			if (m)
				return i + (size_t)__builtin_ctz(m);
		}
		if (i == n)
			return n;
		/* the last block overlaps bytes already known plain, so its first
		 * bad byte (if any) is at or after i: no scalar tail */
		unsigned m = bad_mask16(p + n - 16);
		return m ? n - 16 + (size_t)__builtin_ctz(m) : n;
	}
#endif
	for (; i < n; i++) {
		unsigned char c = p[i];
		if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\')
			break;
	}
	return i;
}

/* A JSON string of s[0..len), as bl_json_write_str writes it: ASCII escapes
 * inline, a string with any non-ASCII byte (UTF-8 checks, U+2028/9) through
 * the shared writer. */
static void out_str(struct json_state *st, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	/* worst case: every byte a \u00XX escape */
	if (len > ((size_t)-1 - 2) / 6 || !out_reserve(st, 6 * len + 2)) {
		st->failed = true;
		return;
	}
	size_t start = st->len;
	char *o = st->out + st->len;
	*o++ = '"';
	size_t i = 0;
	for (;;) {
		size_t k = plain_prefix(u + i, len - i);
		memcpy(o, u + i, k);
		o += k;
		i += k;
		if (i == len)
			break;
		unsigned char c = u[i++];
		if (c >= 0x80) {
			st->len = start;
			bl_buf_reset(&st->buf);
			if (bl_json_write_str(&st->buf, s, len) || !st->buf.data) {
				st->failed = true;
				return;
			}
			out_add(st, st->buf.data, st->buf.len);
			return;
		}
		*o++ = '\\';
		switch (c) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '\b': *o++ = 'b'; break;
		case '\f': *o++ = 'f'; break;
		case '\n': *o++ = 'n'; break;
		case '\r': *o++ = 'r'; break;
		case '\t': *o++ = 't'; break;
		default:
			memcpy(o, "u00", 3);
			o[3] = hex[c >> 4];
			o[4] = hex[c & 15];
			o += 5;
		}
	}
	*o++ = '"';
	st->len = (size_t)(o - st->out);
}

static void out_str_or_null(struct json_state *st, const char *s)
{
	if (s)
		out_str(st, s, strlen(s));
	else
		OUT_LIT(st, "null");
}

/* Any value, through the shared writer. */
static void out_value(struct json_state *st, const struct bl_value *v)
{
	bl_buf_reset(&st->buf);
	if (bl_json_write(&st->buf, v, 0) || !st->buf.data) {
		st->failed = true;
		return;
	}
	out_add(st, st->buf.data, st->buf.len);
}

/* Detach the bytes written since mark into a malloc'ed string. */
static char *out_take(struct json_state *st, size_t mark, size_t *len)
{
	if (st->failed)
		return NULL;
	*len = st->len - mark;
	char *f = malloc(*len + 1);
	if (!f) {
		st->failed = true;
		return NULL;
	}
	memcpy(f, st->out + mark, *len);
	f[*len] = '\0';
	st->len = mark;
	return f;
}

static const struct ctrl_frag *ctrl_frag(struct json_state *st, const struct bl_control *c)
{
	/* indexes are positions in one baseline; anything odd is not cached */
	if (c->index > (1u << 20))
		return NULL;
	if (c->index >= st->nctrl) {
		size_t n = c->index + 1 < 64 ? 64 : 2 * (c->index + 1);
		struct ctrl_frag *nc = realloc(st->ctrl, n * sizeof(*nc));
		if (!nc)
			return NULL;
		memset(nc + st->nctrl, 0, (n - st->nctrl) * sizeof(*nc));
		st->ctrl = nc;
		st->nctrl = n;
	}
	struct ctrl_frag *f = &st->ctrl[c->index];
	if (f->head && f->plain && f->severity == (int)c->severity && f->effect == (int)c->effect) {
		/* head is SEP{"control":"ID" with the id as is (it needed no escape):
		 * strncmp stops at the end of c->id when that is shorter */
		size_t idlen = f->headlen - RESULT_SEP_LEN - HEAD_LEN - 1;
		const char *id = f->head + RESULT_SEP_LEN + HEAD_LEN;
		if (strncmp(id, c->id, idlen) == 0 && c->id[idlen] == '\0')
			return f;
	}
	free(f->head);
	free(f->mid);
	memset(f, 0, sizeof(*f));
	size_t mark = st->len;
	size_t idlen = strlen(c->id);
	OUT_LIT(st, RESULT_SEP "{\"control\":");
	out_str(st, c->id, idlen);
	f->head = out_take(st, mark, &f->headlen);
	OUT_LIT(st, ",\"severity\":\"");
	const char *sev = bl_severity_name(c->severity), *eff = bl_effect_name(c->effect);
	out_add(st, sev, strlen(sev));
	OUT_LIT(st, "\",\"effect\":\"");
	out_add(st, eff, strlen(eff));
	OUT_LIT(st, "\"");
	f->mid = out_take(st, mark, &f->midlen);
	if (!f->head || !f->mid) {
		free(f->head);
		free(f->mid);
		memset(f, 0, sizeof(*f));
		return NULL;
	}
	/* the cheap content check above only holds for an id needing no escape */
	f->plain = plain_prefix((const unsigned char *)c->id, idlen) == idlen;
	f->severity = (int)c->severity;
	f->effect = (int)c->effect;
	return f;
}

/* Make f hold p[0..n); false when out of memory. */
static bool frag_set(struct frag *f, const char *p, size_t n)
{
	if (n > f->cap) {
		size_t ncap = n < 256 ? 256 : n;
		char *np = realloc(f->p, ncap);
		if (!np)
			return false;
		f->p = np;
		f->cap = ncap;
	}
	memcpy(f->p, p, n);
	f->len = n;
	return true;
}

/* Move the bytes written since mark into f. */
static bool out_take_frag(struct json_state *st, size_t mark, struct frag *f)
{
	if (st->failed)
		return false;
	bool ok = frag_set(f, st->out + mark, st->len - mark);
	st->len = mark;
	return ok;
}

static const char *const status_frag[BL_NSTATUS] = {
	[BL_PASS] = ",\"status\":\"pass\"",
	[BL_FAIL] = ",\"status\":\"fail\"",
	[BL_ERROR] = ",\"status\":\"error\"",
	[BL_NA] = ",\"status\":\"not_applicable\"",
	[BL_EXEMPT] = ",\"status\":\"exempt\"",
};
#define STATUS_FRAG_MAX (sizeof(",\"status\":\"not_applicable\"") - 1)

/* The asset's strings that its fragments depend on. */
static void asset_parts(const struct bl_result *r, const char *parts[5])
{
	const struct bl_asset *a = r->asset;
	parts[0] = a->id;
	parts[1] = a->type;
	parts[2] = a->environment;
	parts[3] = a->owner;
	parts[4] = r->classification;
}

static bool asset_cached(const struct json_state *st, const struct bl_result *r)
{
	if (!st->ahave || st->atier != r->asset->tier)
		return false;
	const char *parts[5];
	asset_parts(r, parts);
	for (int i = 0; i < 5; i++) {
		if (!parts[i] || st->aoff[i] == UINT32_MAX) {
			if (parts[i] || st->aoff[i] != UINT32_MAX)
				return false;
			continue;
		}
		if (strcmp(st->akey.p + st->aoff[i], parts[i]) != 0)
			return false;
	}
	return true;
}

static bool asset_build(struct json_state *st, const struct bl_result *r)
{
	const struct bl_asset *a = r->asset;
	st->ahave = false;
	const char *parts[5];
	size_t lens[5];
	asset_parts(r, parts);
	size_t need = 0;
	for (int i = 0; i < 5; i++) {
		lens[i] = parts[i] ? strlen(parts[i]) : 0;
		need += lens[i] + 1;
	}
	if (need > UINT32_MAX)
		return false;
	if (need > st->akey.cap) {
		char *nk = realloc(st->akey.p, need);
		if (!nk)
			return false;
		st->akey.p = nk;
		st->akey.cap = need;
	}
	size_t off = 0;
	for (int i = 0; i < 5; i++) {
		if (!parts[i]) {
			st->aoff[i] = UINT32_MAX;
			continue;
		}
		st->aoff[i] = (uint32_t)off;
		memcpy(st->akey.p + off, parts[i], lens[i] + 1);
		off += lens[i] + 1;
	}
	st->akey.len = off;

	/* ,"asset":..,"asset_type":.. once, then a copy per status */
	size_t mark = st->len;
	OUT_LIT(st, ",\"asset\":");
	out_str(st, a->id, lens[0]);
	OUT_LIT(st, ",\"asset_type\":");
	out_str(st, a->type, lens[1]);
	if (st->failed)
		return false;
	size_t a1len = st->len - mark;
	size_t stride = a1len + STATUS_FRAG_MAX;
	if (stride * BL_NSTATUS > st->a1s.cap) {
		char *np = realloc(st->a1s.p, stride * BL_NSTATUS);
		if (!np) {
			st->len = mark;
			return false;
		}
		st->a1s.p = np;
		st->a1s.cap = stride * BL_NSTATUS;
	}
	for (size_t k = 0; k < BL_NSTATUS; k++) {
		size_t sl = strlen(status_frag[k]);
		char *o = st->a1s.p + k * stride;
		memcpy(o, st->out + mark, a1len);
		memcpy(o + a1len, status_frag[k], sl);
		st->a1slen[k] = a1len + sl;
	}
	st->a1stride = stride;
	st->len = mark;

	OUT_LIT(st, ",\"tier\":");
	if (a->tier) {
		char num[24];
		int n = snprintf(num, sizeof(num), "%d", a->tier);
		out_add(st, num, (size_t)n);
	} else {
		OUT_LIT(st, "null");
	}
	OUT_LIT(st, ",\"environment\":");
	out_str_or_null(st, a->environment);
	OUT_LIT(st, ",\"owner\":");
	out_str_or_null(st, a->owner);
	OUT_LIT(st, ",\"classification\":");
	out_str_or_null(st, r->classification);
	st->a2len = st->len - mark;
	OUT_LIT(st, PLAIN_TAIL);
	if (!out_take_frag(st, mark, &st->a2t))
		return false;
	st->atier = a->tier;
	st->ahave = true;
	return true;
}

/* The message and the closing brace.  A message that comes back at the same
 * address (the engine's "compliant") is escaped once and then copied; a
 * message seen once (most failure messages) never evicts a cached one. */
static void out_message(struct json_state *st, const char *msg)
{
	if (!msg) {
		OUT_LIT(st, "null}");
		return;
	}
	uintptr_t h = (uintptr_t)msg;
	struct msg_slot *m = &st->msg[(h >> 3 ^ h >> 9) % MSG_SLOTS];
	if (m->p && strcmp(m->p, msg) == 0) {
		out_add(st, m->p + m->rawlen + 1, m->esclen);
		return;
	}
	size_t len = strlen(msg);
	size_t mark = st->len;
	out_str(st, msg, len);
	OUT_LIT(st, "}");
	if (m->miss != msg || st->failed) {
		m->miss = msg;
		return;
	}
	/* second time at this address: keep it */
	size_t esclen = st->len - mark;
	size_t need = len + 1 + esclen;
	if (need > m->cap) {
		char *np = realloc(m->p, need);
		if (!np)
			return;   /* not cached; the output is complete */
		m->p = np;
		m->cap = need;
	}
	memcpy(m->p, msg, len + 1);
	memcpy(m->p + len + 1, st->out + mark, esclen);
	m->rawlen = len;
	m->esclen = esclen;
}

/* An evidence value: strings, booleans and null inline, the rest through
 * the shared writer (bl_json_write's bytes either way). */
static void out_actual(struct json_state *st, const struct bl_value *v)
{
	if (!v)
		OUT_LIT(st, "null");
	else if (v->type == BL_VSTR)
		out_str(st, v->u.str.s, v->u.str.len);
	else if (v->type == BL_VBOOL && v->b)
		OUT_LIT(st, "true");
	else if (v->type == BL_VBOOL)
		OUT_LIT(st, "false");
	else if (v->type == BL_VNULL)
		OUT_LIT(st, "null");
	else
		out_value(st, v);
}

/* The tags, evidence and exception of a result that has any of them. */
static void out_rest(struct json_state *st, const struct bl_result *r)
{
	OUT_LIT(st, ",\"tags\":");
	if (r->tags)
		out_value(st, r->tags);
	else
		OUT_LIT(st, "null");
	OUT_LIT(st, ",\"evidence\":[");
	for (size_t i = 0; i < r->nevidence; i++) {
		const struct bl_evidence *e = &r->evidence[i];
		if (i)
			OUT_LIT(st, ",{\"path\":");
		else
			OUT_LIT(st, "{\"path\":");
		out_str_or_null(st, e->path);
		OUT_LIT(st, ",\"actual\":");
		out_actual(st, e->actual);
		OUT_LIT(st, ",\"expected\":");
		out_str_or_null(st, e->expected);
		OUT_LIT(st, "}");
	}
	OUT_LIT(st, "],\"exception\":");
	if (r->exception && (r->exc_state == BL_EXC_ACTIVE || r->exc_state == BL_EXC_EXPIRED)) {
		const struct bl_exception *e = r->exception;
		OUT_LIT(st, "{\"id\":");
		out_str_or_null(st, e->id);
		bl_buf_reset(&st->buf);
		bl_buf_printf(&st->buf, ",\"state\":\"%s\",\"expires\":\"%s\",\"category\":\"%s\"}",
			      r->exc_state == BL_EXC_ACTIVE ? "active" : "expired", e->expires,
			      bl_exc_category_name(e->category));
		if (st->buf.failed || !st->buf.data)
			st->failed = true;
		else
			out_add(st, st->buf.data, st->buf.len);
	} else {
		OUT_LIT(st, "null");
	}
	OUT_LIT(st, ",\"message\":");
}

/* One result, byte for byte as bl_report_result_json, preceded by the
 * separator unless first. */
static void out_result(struct json_state *st, const struct bl_result *r, bool first)
{
	const struct ctrl_frag *cf = ctrl_frag(st, r->control);
	if (!cf || (!asset_cached(st, r) && !asset_build(st, r)) ||
	    (unsigned)r->status >= BL_NSTATUS) {
		/* no cache (out of memory, odd input): the shared writer */
		if (!first)
			OUT_LIT(st, RESULT_SEP);
		bl_buf_reset(&st->buf);
		if (bl_report_result_json(&st->buf, r) || !st->buf.data) {
			st->failed = true;
			return;
		}
		out_add(st, st->buf.data, st->buf.len);
		return;
	}
	bool plain = !r->tags && r->nevidence == 0 &&
		     !(r->exception &&
		       (r->exc_state == BL_EXC_ACTIVE || r->exc_state == BL_EXC_EXPIRED));
	size_t skip = first ? RESULT_SEP_LEN : 0;
	const char *a1 = st->a1s.p + (size_t)r->status * st->a1stride;
	size_t a1len = st->a1slen[r->status];
	size_t a2len = plain ? st->a2t.len : st->a2len;
	if (out_reserve(st, cf->headlen - skip + a1len + cf->midlen + a2len)) {
		char *o = st->out + st->len;
		memcpy(o, cf->head + skip, cf->headlen - skip);
		o += cf->headlen - skip;
		memcpy(o, a1, a1len);
		o += a1len;
		memcpy(o, cf->mid, cf->midlen);
		o += cf->midlen;
		memcpy(o, st->a2t.p, a2len);
		o += a2len;
		st->len = (size_t)(o - st->out);
	}
	if (!plain)
		out_rest(st, r);
	out_message(st, r->message);
}

/* Move what is buffered to the spool. */
static int out_flush(struct json_state *s)
{
	if (s->failed)
		return BL_ENOMEM;
	if (s->len && fwrite(s->out, 1, s->len, s->spool) != s->len)
		return BL_EIO;
	s->len = 0;
	return 0;
}

static int json_result(struct bl_report *r, const struct bl_result *res)
{
	struct json_state *s = r->state;
	if (res->status == BL_NA && !r->opts.all)
		return 0;
	out_result(s, res, s->n == 0);
	if (s->failed)
		return BL_ENOMEM;
	s->n++;
	if (s->len >= SPOOL_BLOCK)
		return out_flush(s);
	return 0;
}

/* Append v in decimal, as printf's "%llu". */
static void put_u64(struct bl_buf *b, uint64_t v)
{
	char t[24];
	size_t k = sizeof(t);
	do {
		t[--k] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	bl_buf_add(b, t + k, sizeof(t) - k);
}

static void put_str(struct bl_buf *b, const char *s)
{
	if (s)
		bl_json_write_str(b, s, strlen(s));
	else
		bl_buf_adds(b, "null");
}

static void put_compliance(struct bl_buf *b, const struct bl_tally *t)
{
	double c = bl_tally_compliance(t);
	if (c < 0)
		bl_buf_adds(b, "null");
	else
		bl_buf_printf(b, "%.2f", c);
}

static void put_tally(struct bl_buf *b, const struct bl_tally *t)
{
	bl_buf_printf(b, "\"pass\": %llu, \"fail\": %llu, \"error\": %llu, \"exempt\": %llu, "
			 "\"compliance\": ",
		      (unsigned long long)t->n[BL_PASS], (unsigned long long)t->n[BL_FAIL],
		      (unsigned long long)t->n[BL_ERROR], (unsigned long long)t->n[BL_EXEMPT]);
	put_compliance(b, t);
}

/* True when a tally has any result that scores count (not only n/a). */
static bool scored(const struct bl_tally *t)
{
	return t->n[BL_PASS] || t->n[BL_FAIL] || t->n[BL_ERROR] || t->n[BL_EXEMPT];
}

static void put_groups(struct bl_buf *b, const char *name, const char *key,
		       const struct bl_score_groups *g)
{
	bl_buf_printf(b, ",\n    \"%s\": [", name);
	size_t k = 0;
	for (size_t i = 0; i < g->n; i++) {
		if (!scored(&g->items[i].t))
			continue;
		bl_buf_printf(b, "%s{\"%s\": ", k++ ? ", " : "", key);
		put_str(b, g->items[i].key);
		bl_buf_adds(b, ", ");
		put_tally(b, &g->items[i].t);
		bl_buf_addc(b, '}');
	}
	bl_buf_addc(b, ']');
}

/* "scores" (additive to baseline.result/1): see docs/results.md. */
static void put_scores(struct bl_buf *b, const struct bl_run_info *run)
{
	const struct bl_scores *sc = run->scores;
	if (!sc) {
		bl_buf_adds(b, "  \"scores\": null,\n");
		return;
	}
	bl_buf_adds(b, "  \"scores\": {\"compliance\": ");
	put_compliance(b, &run->stats->total);
	bl_buf_printf(b, ", \"exempt\": %llu,\n    \"weighted\": {\"compliance\": ",
		      (unsigned long long)run->stats->total.n[BL_EXEMPT]);
	double w = bl_scores_weighted(sc);
	if (w < 0)
		bl_buf_adds(b, "null");
	else
		bl_buf_printf(b, "%.2f", w);
	bl_buf_printf(b, ", \"weights\": {\"critical\": %u, \"high\": %u, \"medium\": %u, "
			 "\"low\": %u, \"info\": %u}, \"pass\": %llu, \"fail\": %llu, "
			 "\"error\": %llu, \"exempt\": %llu}",
		      bl_severity_weights[BL_SEV_CRITICAL], bl_severity_weights[BL_SEV_HIGH],
		      bl_severity_weights[BL_SEV_MEDIUM], bl_severity_weights[BL_SEV_LOW],
		      bl_severity_weights[BL_SEV_INFO], (unsigned long long)sc->weighted[BL_PASS],
		      (unsigned long long)sc->weighted[BL_FAIL], (unsigned long long)sc->weighted[BL_ERROR],
		      (unsigned long long)sc->weighted[BL_EXEMPT]);
	bl_buf_adds(b, ",\n    \"frameworks\": [");
	for (size_t f = 0; run->rollup && f < run->rollup->n; f++) {
		const struct bl_fw *fw = &run->rollup->fws[f];
		bl_buf_adds(b, f ? ", {\"id\": " : "{\"id\": ");
		put_str(b, fw->id);
		bl_buf_adds(b, ", \"compliance\": ");
		put_compliance(b, &fw->tally);
		bl_buf_adds(b, ", \"controls\": [");
		for (size_t k = 0, shown = 0; k < fw->ncontrols; k++) {
			/* not_covered controls have no score; the frameworks section lists them */
			if (fw->controls[k].status == BL_FW_NOT_COVERED)
				continue;
			bl_buf_adds(b, shown++ ? ", {\"id\": " : "{\"id\": ");
			put_str(b, fw->controls[k].id);
			bl_buf_adds(b, ", \"compliance\": ");
			put_compliance(b, &fw->controls[k].tally);
			bl_buf_addc(b, '}');
		}
		bl_buf_adds(b, "]}");
	}
	bl_buf_adds(b, "],\n    \"tiers\": [");
	size_t k = 0;
	for (int t = 1; t <= 4; t++) {
		const struct bl_tally *tt = &sc->tiers[t == 4 ? 0 : t];
		if (!scored(tt))
			continue;
		if (t == 4)
			bl_buf_printf(b, "%s{\"tier\": null, ", k++ ? ", " : "");
		else
			bl_buf_printf(b, "%s{\"tier\": %d, ", k++ ? ", " : "", t);
		put_tally(b, tt);
		bl_buf_addc(b, '}');
	}
	bl_buf_addc(b, ']');
	put_groups(b, "environments", "environment", &sc->envs);
	put_groups(b, "owners", "owner", &sc->owners);
	bl_buf_adds(b, "},\n");
}

/* "inventory" and "exceptions" (additive): see docs/results.md. */
static void put_governance(struct bl_buf *b, const struct bl_run_info *run)
{
	const struct bl_run_stats *st = run->stats;
	if (run->inventory) {
		bl_buf_adds(b, "  \"inventory\": {\"id\": ");
		put_str(b, run->inventory->id);
		bl_buf_adds(b, ", \"file\": ");
		put_str(b, run->inventory->file);
		bl_buf_printf(b, ", \"assets_without_tier\": %llu, \"assets_unknown_tier\": %llu, "
				 "\"classify_errors\": %llu},\n",
			      (unsigned long long)st->untiered, (unsigned long long)st->unknown_tier,
			      (unsigned long long)st->rule_errors);
	} else {
		bl_buf_adds(b, "  \"inventory\": null,\n");
	}
	const struct bl_exceptions *x = run->exceptions;
	if (!x) {
		bl_buf_adds(b, "  \"exceptions\": null,\n");
		return;
	}
	size_t active = 0, expired = 0, stale = 0;
	for (size_t i = 0; i < x->n; i++) {
		if (bl_exception_active(&x->items[i], run->now))
			active++;
		else
			expired++;
		if (i < st->nexceptions && st->per_exception[i] == 0)
			stale++;
	}
	bl_buf_adds(b, "  \"exceptions\": {\"file\": ");
	put_str(b, x->file);
	bl_buf_printf(b, ", \"active\": %zu, \"expired\": %zu, \"stale\": %zu, \"items\": [",
		      active, expired, stale);
	for (size_t i = 0; i < x->n; i++) {
		const struct bl_exception *e = &x->items[i];
		uint64_t m = i < st->nexceptions ? st->per_exception[i] : 0;
		bl_buf_adds(b, i ? ",\n      {\"id\": " : "\n      {\"id\": ");
		put_str(b, e->id);
		bl_buf_adds(b, ", \"control\": ");
		put_str(b, e->control);
		bl_buf_printf(b, ", \"category\": \"%s\", \"expires\": \"%s\", \"state\": \"%s\", "
				 "\"stale\": %s, \"matches\": %llu}",
			      bl_exc_category_name(e->category), e->expires,
			      bl_report_exc_state(e, run->now), m ? "false" : "true",
			      (unsigned long long)m);
	}
	bl_buf_adds(b, x->n ? "\n    ]},\n" : "]},\n");
}

static int json_finish(struct bl_report *r, const struct bl_run_info *run, FILE *out,
		       struct bl_error *err)
{
	struct json_state *s = r->state;
	const struct bl_baseline *bl = run->baseline;
	const struct bl_run_stats *st = run->stats;
	struct bl_buf b;
	bl_buf_init(&b, 0);
	bl_buf_adds(&b, "{\n  \"schema\": \"baseline.result/1\",\n  \"run\": {\"id\": ");
	put_str(&b, run->id);
	bl_buf_adds(&b, ", \"started\": ");
	put_str(&b, run->started);
	bl_buf_adds(&b, ", \"finished\": ");
	put_str(&b, run->finished);
	bl_buf_adds(&b, ",\n          \"baseline\": {\"id\": ");
	put_str(&b, bl->id);
	bl_buf_adds(&b, ", \"version\": ");
	put_str(&b, bl->version);
	bl_buf_adds(&b, ", \"sha256\": ");
	put_str(&b, bl->sha256);
	bl_buf_adds(&b, "},\n          \"targets\": [");
	for (size_t i = 0; i < run->ntargets; i++) {
		if (i)
			bl_buf_adds(&b, ", ");
		put_str(&b, run->targets[i]);
	}
	bl_buf_adds(&b, "], \"tool\": {\"name\": \"baseline\", \"version\": \"" BL_VERSION "\"}},\n");
	bl_buf_printf(&b, "  \"summary\": {\"assets\": %llu, \"controls\": %llu, \"pass\": %llu, "
			  "\"fail\": %llu, \"error\": %llu, \"not_applicable\": %llu, \"exempt\": %llu, "
			  "\"compliance\": ",
		      (unsigned long long)st->assets, (unsigned long long)st->controls,
		      (unsigned long long)st->total.n[BL_PASS], (unsigned long long)st->total.n[BL_FAIL],
		      (unsigned long long)st->total.n[BL_ERROR], (unsigned long long)st->total.n[BL_NA],
		      (unsigned long long)st->total.n[BL_EXEMPT]);
	put_compliance(&b, &st->total);
	bl_buf_adds(&b, "},\n  \"frameworks\": [");
	for (size_t f = 0; run->rollup && f < run->rollup->n; f++) {
		const struct bl_fw *fw = &run->rollup->fws[f];
		bl_buf_adds(&b, f ? ",\n    {\"id\": " : "\n    {\"id\": ");
		put_str(&b, fw->id);
		bl_buf_adds(&b, ", \"compliance\": ");
		put_compliance(&b, &fw->tally);
		bl_buf_adds(&b, ", \"controls\": [");
		for (size_t k = 0; k < fw->ncontrols; k++) {
			const struct bl_fw_control *fc = &fw->controls[k];
			bl_buf_adds(&b, k ? ",\n      {\"id\": " : "\n      {\"id\": ");
			put_str(&b, fc->id);
			/* the bytes of ", \"status\": \"%s\", \"pass\": %llu, ..." without
			 * printf: a framework lists hundreds of controls, most not
			 * covered, and this was most of an empty run's report */
			bl_buf_adds(&b, ", \"status\": \"");
			bl_buf_adds(&b, bl_fw_status_name(fc->status));
			bl_buf_adds(&b, "\", \"pass\": ");
			put_u64(&b, fc->tally.n[BL_PASS]);
			bl_buf_adds(&b, ", \"fail\": ");
			put_u64(&b, fc->tally.n[BL_FAIL]);
			bl_buf_adds(&b, ", \"error\": ");
			put_u64(&b, fc->tally.n[BL_ERROR]);
			bl_buf_adds(&b, ", \"exempt\": ");
			put_u64(&b, fc->tally.n[BL_EXEMPT]);
			bl_buf_addc(&b, '}');
		}
		bl_buf_adds(&b, fw->ncontrols ? "\n    ]}" : "]}");
	}
	bl_buf_adds(&b, run->rollup && run->rollup->n ? "\n  ],\n" : "],\n");
	put_scores(&b, run);
	put_governance(&b, run);
	bl_buf_adds(&b, "  \"results\": [");
	if (s->n)
		bl_buf_adds(&b, "\n    ");
	if (b.failed) {
		bl_buf_free(&b);
		return bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
	}
	int rc = out_flush(s);
	if (rc) {
		bl_buf_free(&b);
		return bl_error_set(err, rc, NULL, 0, 0, rc == BL_EIO ? "cannot write the JSON report"
								 : "out of memory");
	}
	if (fwrite(b.data, 1, b.len, out) != b.len)
		rc = BL_EIO;
	bl_buf_free(&b);
	if (!rc && fflush(s->spool) == 0 && fseek(s->spool, 0, SEEK_SET) == 0) {
		char tmp[65536];
		size_t n;
		while ((n = fread(tmp, 1, sizeof(tmp), s->spool)) > 0)
			if (fwrite(tmp, 1, n, out) != n) {
				rc = BL_EIO;
				break;
			}
		if (ferror(s->spool))
			rc = BL_EIO;
	} else if (!rc) {
		rc = BL_EIO;
	}
	if (!rc && fputs(s->n ? "\n  ]\n}\n" : "]\n}\n", out) == EOF)
		rc = BL_EIO;
	if (rc)
		return bl_error_set(err, rc, NULL, 0, 0, "cannot write the JSON report");
	return 0;
}

static void json_free(struct bl_report *r)
{
	struct json_state *s = r->state;
	if (s->spool)
		fclose(s->spool);
	bl_buf_free(&s->buf);
	free(s->out);
	for (size_t i = 0; i < s->nctrl; i++) {
		free(s->ctrl[i].head);
		free(s->ctrl[i].mid);
	}
	free(s->ctrl);
	free(s->akey.p);
	free(s->a1s.p);
	free(s->a2t.p);
	for (size_t i = 0; i < MSG_SLOTS; i++)
		free(s->msg[i].p);
}

const struct bl_report_ops bl_report_json = {
	.name = "json",
	.size = sizeof(struct json_state),
	.open = json_open,
	.result = json_result,
	.finish = json_finish,
	.free = json_free,
};
