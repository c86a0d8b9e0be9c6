/*
 * json.c - the result document of FORMATS.md §8 ("baseline.result/1").
 *
 * Results are spooled, one compact JSON object per line, to an unlinked
 * temporary file while the run streams; finish writes run, summary and
 * frameworks (known only at the end: json_summary.c) and then copies the
 * spool, so memory stays bounded however many results a run has.  With
 * worker threads the results are formatted where they were evaluated
 * (json_worker_format) and only appended here, in input order (json_emit).
 */
#include "report/report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__linux__)
#include <sys/sendfile.h>
#endif

#include "doc/json.h"
#include "report/json_summary.h"

/*
 * Result serialisation is the hottest path of a large run (every pass result
 * is written), so it does not go through bl_report_result_json field by field:
 * the parts that depend only on the control (id, severity, effect) are built
 * once per control, the parts that depend only on the asset once per asset
 * (results of one asset arrive together), and the rest is appended into one
 * output block that goes to the spool 256 KiB at a time (write(2)), and at
 * the end to the output in the kernel where it can (spool_copy).  A result
 * without tags, evidence or exception (every pass) is five copies: control
 * head, asset part, control middle with the status, asset tail with the
 * constant fields, and the message: the engine's pass message
 * (bl_msg_compliant) escaped once per report and copied as one fixed-size
 * move, other repeated messages escaped from a small cache.  A pass with
 * that message, of an asset the inventory says nothing about (every pass
 * of a run without inventory), is three (out_pass, taken inline by the
 * result loops): the control's head as one 32-byte move, the asset part,
 * and a tail made once per control of the rest.  A failure
 * adds its evidence, escaped straight into the block (bl_json_put_ascii),
 * its paths and expected texts (most are the compiled baseline's) escaped
 * once per address and text (str_slot), and its message, when the engine made the
 * standard one (struct bl_result.std_message), copied from the escaped
 * pieces of the first evidence item rather than escaped again.  Each part
 * reserves its room once and then writes without checks.  The bytes are
 * exactly those of bl_report_result_json (a unit test compares them);
 * anything uncommon (non-ASCII text, evidence values other than strings,
 * booleans and null, tags, exceptions) goes through the shared writers.
 *
 * The caches never trust an address alone: arenas recycle addresses, so a
 * new asset may sit where the last one was.  An asset with a serial
 * (model/asset.h, unique in a run) is the last one when its serial and
 * address are, and is built again otherwise, equal strings or not; one
 * without when its strings are equal.  A control is the last one when it is
 * the same control of the report's baseline (which outlives the report and
 * does not change) with the same id string, else when its id is equal; a
 * message when its text is, except bl_msg_compliant, a constant of the
 * program (no arena holds it), known by its address.  The engine hands a
 * chunk's results over at once (json_results, struct bl_sink.results).
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
/* The asset tail of an asset with no tier, environment, owner or
 * classification (all assets of a run without inventory). */
#define A2_UNKNOWN ",\"tier\":null,\"environment\":null,\"owner\":null,\"classification\":null"
/* The same around evidence (no tags, no exception). */
#define EV_OPEN ",\"tags\":null,\"evidence\":["
#define EV_CLOSE "],\"exception\":null,\"message\":"
/* One evidence item's fixed bytes: ,{"path":..,"actual":..,"expected":..} */
#define EV_ITEM_FIXED (sizeof(",{\"path\":,\"actual\":,\"expected\":}") - 1)

/* What runs once per control, asset or new message (OUTLINE), or only for
 * uncommon results (COLD), stays out of the per-result path: inlined, it
 * makes json_result big and slow to enter. */
#if defined(__GNUC__)
#define OUTLINE __attribute__((noinline))
#define COLD __attribute__((noinline, cold))
#define HOT_INLINE inline __attribute__((always_inline))
#else
#define OUTLINE
#define COLD
#define HOT_INLINE inline
#endif


struct ctrl_frag {
	bool plain;              /* built from an id that needed no escape */
	int severity, effect;
	const struct bl_control *ctrl;   /* built from this control ... */
	const char *id;                  /* ... and this id string */
	char *head;              /* ,\n    {"control":"ID"  (separator first), then
				    HEAD_PAD zero bytes: out_pass moves 32 at once */
	char *mid;               /* per status: ,"status":"S","severity":"V","effect":"E" */
	/* a pass result's line after the asset part, for an asset with none
	 * of tier, environment, owner, classification (A2_UNKNOWN):
	 * mid[BL_PASS], A2_UNKNOWN, PLAIN_TAIL, kmsg; NULL without kmsg */
	char *ptail;
	size_t headlen, midstride, ptaillen;
	size_t midlen[BL_NSTATUS];
};

/* Zero bytes after a control's head: a head that fits 32 bytes from where
 * a result starts copying it (past the separator or not) is moved as 32. */
#define HEAD_PAD 32

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

/* An evidence item's path or expected text seen before, escaped: raw
 * NUL-terminated, then the JSON string.  Most are the compiled baseline's
 * (one per condition), the same at every failure of their control; an
 * expected text has quotes (equals "Enabled"): the slow path of the
 * escape. */
struct str_slot {
	const char *at;          /* the address it was kept from */
	const char *miss;        /* the last text that missed this slot */
	char *p;
	size_t cap, rawlen, esclen;
};

#define STR_SLOTS 128

struct json_state {
	FILE *spool;
	int spoolfd;             /* spool's descriptor: written with write(2) */
	off_t spooled;           /* bytes in the spool */
	uint64_t n;              /* results listed so far */
	uint64_t skip;           /* results coming to json_result that json_emit
				    already wrote (formatted by the workers) */
	struct bl_buf buf;       /* scratch for the shared writers */
	char *out;               /* results not yet in the spool */
	size_t len, cap;
	bool failed;
	struct ctrl_frag *ctrl;
	size_t nctrl;
	/* the last asset: what tells it from the next, and its fragments */
	bool ahave;
	int atier;
	uint64_t aserial;        /* its serial (0: none), address and classification */
	const struct bl_asset *aptr;
	const char *aclass;
	bool akeyed;             /* akey holds its strings (an asset without serial) */
	struct frag akey;        /* its strings, NUL-terminated copies */
	uint32_t aoff[5];        /* where each string is in akey; UINT32_MAX: NULL */
	struct frag a1;          /* ,"asset":..,"asset_type":.. */
	struct frag a2t;         /* ,"tier":..,"environment":..,"owner":..,"classification":..
				    then PLAIN_TAIL */
	const char *a2;          /* a2t.p, or A2_UNKNOWN for an asset with none of them */
	bool aunknown;           /* a2 is A2_UNKNOWN: out_pass may take the asset */
	size_t a2len;            /* the part before PLAIN_TAIL */
	size_t a2tlen;
	struct msg_slot msg[MSG_SLOTS];
	struct str_slot strs[STR_SLOTS];
	/* bl_msg_compliant as a JSON string and the closing brace, zero-padded:
	 * copied whole (one fixed-size move) at the end of a pass result; 0
	 * when it does not fit (then the message cache has it) */
	char kmsg[16];
	size_t kmsglen;
};

#define SPOOL_BLOCK (256u * 1024)

static void kmsg_init(struct json_state *s);

static int json_open(struct bl_report *r, struct bl_error *err)
{
	struct json_state *s = r->state;
	kmsg_init(s);
	s->spool = tmpfile();
	if (!s->spool)
		return bl_error_set(err, BL_EIO, NULL, 0, 0,
				    "cannot create a temporary file for results (TMPDIR)");
	/* written with write(2) in whole blocks (out_flush), never through stdio */
	s->spoolfd = fileno(s->spool);
	bl_buf_init(&s->buf, 0);
	/* the block exists from the start: the writers keep a cursor into it */
	s->cap = SPOOL_BLOCK + 4096;
	s->out = malloc(s->cap);
	if (!s->out) {
		s->cap = 0;
		return bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
	}
	return 0;
}

/* Room for n more bytes in s->out; false (sticky) when memory runs out. */
static bool out_grow(struct json_state *s, size_t n)
{
	if (s->failed)
		return false;
	if (n > (size_t)-1 / 2 - s->len) {
		s->failed = true;
		return false;
	}
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

static inline bool out_reserve(struct json_state *s, size_t n)
{
	if (!s->failed && s->cap - s->len >= n)
		return true;
	return out_grow(s, n);
}

/* The write cursor with room for n bytes from it: the end of what is
 * written, or NULL once memory ran out.  The caller moves it and hands it
 * back to out_done. */
static inline char *out_cursor(struct json_state *s, size_t n)
{
	return out_reserve(s, n) ? s->out + s->len : NULL;
}

static inline void out_done(struct json_state *s, char *o)
{
	s->len = (size_t)(o - s->out);
}

/* Append without a check: the caller reserved the room. */
static inline char *put(char *o, const void *p, size_t n)
{
	memcpy(o, p, n);
	return o + n;
}

/* A literal: a copy of constant size, which compiles to a few moves. */
#define PUT_LIT(o, lit) put((o), (lit), sizeof(lit) - 1)

static inline void out_add(struct json_state *s, const void *p, size_t n)
{
	char *o = out_cursor(s, n);
	if (o)
		out_done(s, put(o, p, n));
}

#define OUT_LIT(s, lit) out_add((s), (lit), sizeof(lit) - 1)

/* s->kmsg from bl_msg_compliant. */
static void kmsg_init(struct json_state *s)
{
	char tmp[128];
	size_t len = strlen(bl_msg_compliant);
	s->kmsglen = 0;
	if (bl_json_ascii_room(len) + 1 > sizeof(tmp))
		return;
	char *e = bl_json_put_ascii(tmp, bl_msg_compliant, len);
	if (!e)
		return;
	*e++ = '}';
	size_t n = (size_t)(e - tmp);
	if (n > sizeof(s->kmsg))
		return;
	memset(s->kmsg, 0, sizeof(s->kmsg));
	memcpy(s->kmsg, tmp, n);
	s->kmsglen = n;
}

/* s[0..len) through the shared writer (non-ASCII text). */
static void out_str_shared(struct json_state *st, const char *s, size_t len)
{
	bl_buf_reset(&st->buf);
	if (bl_json_write_str(&st->buf, s, len) || !st->buf.data) {
		st->failed = true;
		return;
	}
	out_add(st, st->buf.data, st->buf.len);
}

/* A JSON string of s[0..len), as bl_json_write_str writes it. */
static void out_str(struct json_state *st, const char *s, size_t len)
{
	size_t room = bl_json_ascii_room(len);
	char *o = room == (size_t)-1 ? NULL : out_cursor(st, room);
	if (!o) {
		st->failed = true;
		return;
	}
	char *e = bl_json_put_ascii(o, s, len);
	if (e)
		out_done(st, e);
	else
		out_str_shared(st, s, len);
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

static const char *const status_frag[BL_NSTATUS] = {
	[BL_PASS] = ",\"status\":\"pass\"",
	[BL_FAIL] = ",\"status\":\"fail\"",
	[BL_ERROR] = ",\"status\":\"error\"",
	[BL_NA] = ",\"status\":\"not_applicable\"",
	[BL_EXEMPT] = ",\"status\":\"exempt\"",
};

/* Give f the control's fragments; false when out of memory (f is empty). */
OUTLINE static bool ctrl_build(struct json_state *st, struct ctrl_frag *f,
			   const struct bl_control *c)
{
	free(f->head);
	free(f->mid);
	free(f->ptail);
	memset(f, 0, sizeof(*f));
	size_t mark = st->len;
	size_t idlen = strlen(c->id);
	OUT_LIT(st, RESULT_SEP "{\"control\":");
	out_str(st, c->id, idlen);
	f->head = out_take(st, mark, &f->headlen);
	if (f->head) {
		char *h = realloc(f->head, f->headlen + HEAD_PAD);
		if (h)
			memset(h + f->headlen, 0, HEAD_PAD);
		else
			free(f->head);
		f->head = h;
	}
	/* ,"severity":..,"effect":.. after each status, one copy per status */
	OUT_LIT(st, ",\"severity\":\"");
	const char *sev = bl_severity_name(c->severity), *eff = bl_effect_name(c->effect);
	out_add(st, sev, strlen(sev));
	OUT_LIT(st, "\",\"effect\":\"");
	out_add(st, eff, strlen(eff));
	OUT_LIT(st, "\"");
	size_t tail;
	char *t = out_take(st, mark, &tail);
	size_t stride = tail + sizeof(",\"status\":\"not_applicable\"") - 1;
	f->mid = t ? malloc(stride * BL_NSTATUS) : NULL;
	if (f->head && f->mid) {
		for (size_t k = 0; k < BL_NSTATUS; k++) {
			size_t sl = strlen(status_frag[k]);
			memcpy(f->mid + k * stride, status_frag[k], sl);
			memcpy(f->mid + k * stride + sl, t, tail);
			f->midlen[k] = sl + tail;
		}
	}
	free(t);
	/* out_pass's tail: only with kmsg (it ends the line) */
	size_t ul = sizeof(A2_UNKNOWN PLAIN_TAIL) - 1;
	if (f->head && f->mid && st->kmsglen) {
		f->ptaillen = f->midlen[BL_PASS] + ul + st->kmsglen;
		f->ptail = malloc(f->ptaillen);
		if (f->ptail) {
			memcpy(f->ptail, f->mid + (size_t)BL_PASS * stride, f->midlen[BL_PASS]);
			memcpy(f->ptail + f->midlen[BL_PASS], A2_UNKNOWN PLAIN_TAIL, ul);
			memcpy(f->ptail + f->midlen[BL_PASS] + ul, st->kmsg, st->kmsglen);
		}
	}
	if (!f->head || !f->mid || (st->kmsglen && !f->ptail)) {
		free(f->head);
		free(f->mid);
		free(f->ptail);
		memset(f, 0, sizeof(*f));
		return false;
	}
	f->midstride = stride;
	/* the cheap content check of ctrl_frag only holds for an id needing no
	 * escape */
	f->plain = bl_json_plain_prefix(c->id, idlen) == idlen;
	f->severity = (int)c->severity;
	f->effect = (int)c->effect;
	f->ctrl = c;
	f->id = c->id;
	return true;
}

/* The fragments of a control not seen before (or changed). */
COLD static const struct ctrl_frag *ctrl_frag_new(struct json_state *st,
						  const struct bl_control *c)
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
		if (strncmp(id, c->id, idlen) == 0 && c->id[idlen] == '\0') {
			f->ctrl = c;
			f->id = c->id;
			return f;
		}
	}
	return ctrl_build(st, f, c) ? f : NULL;
}

static inline const struct ctrl_frag *ctrl_frag(struct json_state *st,
						const struct bl_control *c)
{
	/* the usual case: the control these fragments were built from */
	if (c->index < st->nctrl) {
		const struct ctrl_frag *f = &st->ctrl[c->index];
		if (f->ctrl == c && f->id == c->id && f->severity == (int)c->severity &&
		    f->effect == (int)c->effect)
			return f;
	}
	return ctrl_frag_new(st, c);
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

/* Whether the kept strings are those of r's asset (one without serial). */
OUTLINE static bool asset_same_strings(const struct json_state *st, const struct bl_result *r)
{
	if (!st->akeyed)
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

/* Whether the fragments are those of r's asset. */
static inline bool asset_cached(const struct json_state *st, const struct bl_result *r)
{
	const struct bl_asset *a = r->asset;
	if (!st->ahave || st->atier != a->tier)
		return false;
	/* an asset with a serial is the last one or another (equal strings or
	 * not: then its fragments are built again); the classification is the
	 * result's, but the same for all results of an asset */
	if (a->serial)
		return a->serial == st->aserial && a == st->aptr && r->classification == st->aclass;
	return asset_same_strings(st, r);
}

/* Keep copies of the strings of an asset without serial for asset_cached. */
static bool asset_key(struct json_state *st, const struct bl_result *r)
{
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
	return true;
}

OUTLINE static bool asset_build(struct json_state *st, const struct bl_result *r)
{
	const struct bl_asset *a = r->asset;
	st->ahave = false;
	st->aunknown = false;
	st->akeyed = !a->serial;
	if (st->akeyed && !asset_key(st, r))
		return false;

	size_t mark = st->len;
	OUT_LIT(st, ",\"asset\":");
	out_str(st, a->id, strlen(a->id));
	OUT_LIT(st, ",\"asset_type\":");
	out_str(st, a->type, strlen(a->type));
	if (!out_take_frag(st, mark, &st->a1))
		return false;

	if (!a->tier && !a->environment && !a->owner && !r->classification) {
		st->a2 = A2_UNKNOWN PLAIN_TAIL;
		st->aunknown = true;
		st->a2len = sizeof(A2_UNKNOWN) - 1;
		st->a2tlen = sizeof(A2_UNKNOWN PLAIN_TAIL) - 1;
	} else {
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
		st->a2 = st->a2t.p;
		st->a2tlen = st->a2t.len;
	}
	st->atier = a->tier;
	st->aserial = a->serial;
	st->aptr = a;
	st->aclass = r->classification;
	st->ahave = true;
	return true;
}

/* *p (of *cap bytes, grown as needed) := raw (rawlen bytes and its NUL),
 * then its escaped form: what the message and evidence caches keep.  False
 * when it could not grow (nothing kept). */
static bool keep_escaped(char **p, size_t *cap, const char *raw, size_t rawlen,
			 const char *esc, size_t esclen)
{
	size_t need = rawlen + 1 + esclen;
	if (need > *cap) {
		char *np = realloc(*p, need);
		if (!np)
			return false;
		*p = np;
		*cap = need;
	}
	memcpy(*p, raw, rawlen + 1);
	memcpy(*p + rawlen + 1, esc, esclen);
	return true;
}

/* A message not in its slot: escaped, and kept when it comes back at the
 * same address (the slot then holds it). */
OUTLINE static void out_message_new(struct json_state *st, struct msg_slot *m, const char *msg)
{
	size_t len = strlen(msg);
	size_t mark = st->len;
	size_t room = bl_json_ascii_room(len);
	char *o = room == (size_t)-1 ? NULL : out_cursor(st, room + 1);
	if (!o) {
		st->failed = true;
		return;
	}
	char *e = bl_json_put_ascii(o, msg, len);
	if (e) {
		*e++ = '}';
		out_done(st, e);
	} else {
		out_str_shared(st, msg, len);
		OUT_LIT(st, "}");
	}
	if (m->miss != msg || st->failed) {
		m->miss = msg;
		return;
	}
	/* second time at this address: keep it (or not: the output is
	 * complete either way) */
	size_t esclen = st->len - mark;
	if (!keep_escaped(&m->p, &m->cap, msg, len, st->out + mark, esclen))
		return;
	m->rawlen = len;
	m->esclen = esclen;
}

/* The message and the closing brace.  A message that comes back at the same
 * address (the engine's "compliant") is escaped once and then copied; a
 * message seen once (most failure messages) never evicts a cached one. */
static inline void out_message(struct json_state *st, const char *msg)
{
	if (!msg) {
		OUT_LIT(st, "null}");
		return;
	}
	uintptr_t h = (uintptr_t)msg;
	struct msg_slot *m = &st->msg[(h >> 3 ^ h >> 9) % MSG_SLOTS];
	if (m->p && m->p[0] == msg[0] && strcmp(m->p, msg) == 0)
		out_add(st, m->p + m->rawlen + 1, m->esclen);
	else
		out_message_new(st, m, msg);
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

/* One evidence item, field by field. */
static void out_item(struct json_state *st, const struct bl_evidence *e, bool first)
{
	if (first)
		OUT_LIT(st, "{\"path\":");
	else
		OUT_LIT(st, ",{\"path\":");
	out_str_or_null(st, e->path);
	OUT_LIT(st, ",\"actual\":");
	out_actual(st, e->actual);
	OUT_LIT(st, ",\"expected\":");
	out_str_or_null(st, e->expected);
	OUT_LIT(st, "}");
}

/* A string or null at o for out_evidence (room reserved); NULL when
 * non-ASCII. */
static char *put_str_or_null(char *o, const char *s, size_t len)
{
	if (!s) {
		memcpy(o, "null", 4);
		return o + 4;
	}
	return bl_json_put_ascii(o, s, len);
}

/* Longest string out_evidence takes in one piece: three of them and the
 * fixed bytes then fit a size_t with all escaped. */
#define ITEM_STR_MAX ((size_t)-1 / 32)

/* Where out_evidence wrote an item's parts: offsets into st->out (which
 * may move when it grows) of the quoted path, the value, the expected key
 * after it and the item's end (its closing brace). */
struct ev_span {
	size_t path, act, exp, end;
};

#define EV_ACTUAL_KEY ",\"actual\":"
#define EV_EXPECTED_KEY ",\"expected\":"

/* The slot of a string's address. */
static inline struct str_slot *str_slot(struct json_state *st, const char *x)
{
	uintptr_t h = (uintptr_t)x;
	return &st->strs[(h >> 3 ^ h >> 11) % STR_SLOTS];
}

/* The slot that holds x escaped, or NULL.  The address finds it, the text
 * decides: arenas recycle addresses. */
static inline const struct str_slot *str_find(struct json_state *st, const char *x)
{
	if (!x)
		return NULL;
	const struct str_slot *k = str_slot(st, x);
	if (k->at == x && strcmp(k->p, x) == 0)
		return k;
	return NULL;
}

/* Keep x, escaped as st->out[esc..esc + esclen), when it comes back to its
 * slot at the same address (a text seen once, such as a path or negated
 * expected text made for one failure, never evicts a kept one). */
OUTLINE static void str_keep(struct json_state *st, const char *x, size_t xl, size_t esc,
			     size_t esclen)
{
	struct str_slot *k = str_slot(st, x);
	if (k->miss != x) {
		k->miss = x;
		return;
	}
	if (!keep_escaped(&k->p, &k->cap, x, xl, st->out + esc, esclen))
		return;   /* not kept; the output is complete */
	k->rawlen = xl;
	k->esclen = esclen;
	k->at = x;
}

/* One evidence item in one piece, when its strings are ASCII and its value
 * is a string, a boolean or null; else (nothing kept) field by field.  True
 * when it was written in one piece with a path and an expected text: then
 * sp (if not NULL) says where they are. */
static bool out_evidence(struct json_state *st, const struct bl_evidence *e, bool first,
			 struct ev_span *sp)
{
	const struct bl_value *v = e->actual;
	const struct str_slot *pk = str_find(st, e->path), *xk = str_find(st, e->expected);
	size_t pl = pk ? pk->rawlen : e->path ? strlen(e->path) : 0;
	size_t xl = xk ? xk->rawlen : e->expected ? strlen(e->expected) : 0;
	size_t al = v && v->type == BL_VSTR ? v->u.str.len : 0;
	bool inl = !v || v->type == BL_VSTR || v->type == BL_VBOOL || v->type == BL_VNULL;
	char *o = NULL, *ps = NULL, *as = NULL, *xs = NULL;
	/* the room bl_json_ascii_room gives each string (none overflows) */
	if (inl && pl < ITEM_STR_MAX && xl < ITEM_STR_MAX && al < ITEM_STR_MAX)
		o = out_cursor(st, EV_ITEM_FIXED + 6 * (pl + al + xl) + 3 * (2 + BL_JSON_ASCII_SLACK));
	if (o) {
		o = first ? PUT_LIT(o, "{\"path\":") : PUT_LIT(o, ",{\"path\":");
		ps = o;
		o = pk ? put(o, pk->p + pl + 1, pk->esclen) : put_str_or_null(o, e->path, pl);
	}
	if (o) {
		o = PUT_LIT(o, EV_ACTUAL_KEY);
		as = o;
		if (!v || v->type == BL_VNULL)
			o = PUT_LIT(o, "null");
		else if (v->type == BL_VBOOL)
			o = v->b ? PUT_LIT(o, "true") : PUT_LIT(o, "false");
		else
			o = bl_json_put_ascii(o, v->u.str.s, al);
	}
	if (o) {
		xs = o;
		o = PUT_LIT(o, EV_EXPECTED_KEY);
		o = xk ? put(o, xk->p + xl + 1, xk->esclen) : put_str_or_null(o, e->expected, xl);
	}
	if (o) {
		/* kept only now: both may go to one slot, which the copies above
		 * read */
		if (!pk && e->path)
			str_keep(st, e->path, pl, (size_t)(ps - st->out),
				 (size_t)(as - ps) - (sizeof(EV_ACTUAL_KEY) - 1));
		size_t x0 = (size_t)(xs - st->out) + sizeof(EV_EXPECTED_KEY) - 1;
		if (!xk && e->expected)
			str_keep(st, e->expected, xl, x0, (size_t)(o - st->out) - x0);
		if (sp) {
			sp->path = (size_t)(ps - st->out);
			sp->act = (size_t)(as - st->out);
			sp->exp = (size_t)(xs - st->out);
			sp->end = (size_t)(o - st->out);
		}
		*o++ = '}';
		out_done(st, o);
		return e->path && e->expected;
	}
	if (!st->failed)
		out_item(st, e, first);
	return false;
}

/* The evidence items of r, each after the first with its comma; true when
 * the first was written in one piece (*sp then says where). */
static bool out_evidence_all(struct json_state *st, const struct bl_result *r, struct ev_span *sp)
{
	bool one = out_evidence(st, &r->evidence[0], true, sp);
	for (size_t i = 1; i < r->nevidence; i++)
		out_evidence(st, &r->evidence[i], false, NULL);
	return one;
}

/* The escaped text of a standard failure message (below) around its
 * pieces: between the path and the expected text, then " (and N more)". */
#define STD_MISSING " is missing; expected "
#define STD_TRUE " is true; expected "
#define STD_FALSE " is false; expected "
#define STD_QUOTE " is \\\""
#define STD_UNQUOTE "\\\"; expected "
#define STD_MORE_MAX (sizeof(" (and 18446744073709551615 more)") - 1)

/*
 * The message and the closing brace of a failure with the engine's standard
 * message (struct bl_result.std_message), most failure messages: made of
 * the first evidence item's path, value and expected text, which the item
 * written just before holds escaped (sp), so they are copied from there
 * instead of escaping the message again (it has quotes: the slow path of
 * the escape).  Only for an item written in one piece (ASCII): the escape
 * of ASCII goes byte by byte, so the escape of the message is the
 * concatenation of the escapes of its pieces.  False (nothing written) for
 * a value the flag does not allow: the caller escapes the message.
 */
static bool out_message_std(struct json_state *st, const struct bl_result *r,
			    const struct ev_span *sp)
{
	const struct bl_value *v = r->evidence[0].actual;
	/* a value other than the flag allows, or a string the item has
	 * escaped: the message is escaped whole instead */
	if (v && v->type != BL_VBOOL &&
	    (v->type != BL_VSTR || sp->exp - sp->act != (size_t)v->u.str.len + 2))
		return false;
	char *o = out_cursor(st, sp->end - sp->path + sizeof(STD_MISSING) + STD_MORE_MAX + 2);
	if (!o)
		return true;   /* out of memory: failed is set */
	/* the path and the expected text are strings here (out_evidence):
	 * at least their quotes */
	const char *base = st->out;
	*o++ = '"';
	o = put(o, base + sp->path + 1, sp->act - (sizeof(EV_ACTUAL_KEY) - 1) - sp->path - 2);
	if (!v) {
		o = PUT_LIT(o, STD_MISSING);
	} else if (v->type == BL_VBOOL) {
		o = v->b ? PUT_LIT(o, STD_TRUE) : PUT_LIT(o, STD_FALSE);
	} else {
		/* a string JSON writes as is: its bytes in the item's quotes */
		o = PUT_LIT(o, STD_QUOTE);
		o = put(o, base + sp->act + 1, sp->exp - sp->act - 2);
		o = PUT_LIT(o, STD_UNQUOTE);
	}
	size_t x = sp->exp + sizeof(EV_EXPECTED_KEY) - 1;
	o = put(o, base + x + 1, sp->end - x - 2);
	if (r->nevidence > 1) {
		char num[24];
		size_t k = sizeof(num), n = r->nevidence - 1;
		do
			num[--k] = (char)('0' + n % 10);
		while ((n /= 10) && k > 0);
		o = PUT_LIT(o, " (and ");
		o = put(o, num + k, sizeof(num) - k);
		o = PUT_LIT(o, " more)");
	}
	*o++ = '"';
	*o++ = '}';
	out_done(st, o);
	return true;
}

/* The tags, evidence and exception of a result that has tags (every result
 * of an asset the inventory tags) or an exception. */
OUTLINE static bool out_rest(struct json_state *st, const struct bl_result *r,
			     struct ev_span *sp)
{
	OUT_LIT(st, ",\"tags\":");
	if (r->tags)
		out_value(st, r->tags);
	else
		OUT_LIT(st, "null");
	OUT_LIT(st, ",\"evidence\":[");
	bool one = r->nevidence && out_evidence_all(st, r, sp);
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
	return one;
}

/* A result through the shared writer: no cache (out of memory, odd
 * input). */
COLD static void out_result_shared(struct json_state *st, const struct bl_result *r, bool first)
{
	if (!first)
		OUT_LIT(st, RESULT_SEP);
	bl_buf_reset(&st->buf);
	if (bl_report_result_json(&st->buf, r) || !st->buf.data) {
		st->failed = true;
		return;
	}
	out_add(st, st->buf.data, st->buf.len);
}

/* One result, byte for byte as bl_report_result_json, preceded by the
 * separator unless first. */
static void out_result(struct json_state *st, const struct bl_result *r, bool first)
{
	const struct ctrl_frag *cf = ctrl_frag(st, r->control);
	if (!cf || (!asset_cached(st, r) && !asset_build(st, r)) ||
	    (unsigned)r->status >= BL_NSTATUS) {
		out_result_shared(st, r, first);
		return;
	}
	bool exc = r->exception &&
		   (r->exc_state == BL_EXC_ACTIVE || r->exc_state == BL_EXC_EXPIRED);
	bool plain = !r->tags && r->nevidence == 0 && !exc;
	size_t skip = first ? RESULT_SEP_LEN : 0;
	size_t midlen = cf->midlen[r->status];
	if (plain && r->message == bl_msg_compliant && st->kmsglen) {
		/* most results of a run: the engine's pass message is a constant
		 * of the program, so its address names it (no arena recycles it)
		 * and it needs no lookup: four copies and one fixed-size move */
		char *o = out_cursor(st, cf->headlen - skip + st->a1.len + midlen + st->a2tlen +
					     sizeof(st->kmsg));
		if (!o)
			return;
		o = put(o, cf->head + skip, cf->headlen - skip);
		o = put(o, st->a1.p, st->a1.len);
		o = put(o, cf->mid + (size_t)r->status * cf->midstride, midlen);
		o = put(o, st->a2, st->a2tlen);
		memcpy(o, st->kmsg, sizeof(st->kmsg));
		out_done(st, o + st->kmsglen);
		return;
	}
	size_t a2len = plain ? st->a2tlen : st->a2len;
	char *o = out_cursor(st, cf->headlen - skip + st->a1.len + midlen + a2len +
				     sizeof(EV_OPEN));
	if (!o)
		return;
	o = put(o, cf->head + skip, cf->headlen - skip);
	o = put(o, st->a1.p, st->a1.len);
	o = put(o, cf->mid + (size_t)r->status * cf->midstride, midlen);
	o = put(o, st->a2, a2len);
	struct ev_span sp;
	bool one = false;
	if (plain) {
		out_done(st, o);
	} else if (r->tags || exc) {
		out_done(st, o);
		one = out_rest(st, r, &sp);
	} else {
		out_done(st, PUT_LIT(o, EV_OPEN));
		one = out_evidence_all(st, r, &sp);
		OUT_LIT(st, EV_CLOSE);
	}
	/* a standard failure message from the evidence just written */
	if (one && r->std_message && !st->failed && out_message_std(st, r, &sp))
		return;
	out_message(st, r->message);
}

/*
 * Most results of a run without inventory: a pass with the engine's
 * message, of a control seen before, whose asset has none of tier,
 * environment, owner, classification.  Its line is three
 * pieces: the control's head, the asset's first part and the control's
 * ptail (status, severity, effect, the unknown asset tail, the constant
 * fields and the message, made once per control).  A head that fits is
 * one 32-byte move (its zero padding may land past it: the next piece
 * overwrites that).  Small and without locals whose address is taken, so
 * the result loops take it inline and only the other results pay
 * out_result's entry.  False (nothing written) for any other result.
 */
static HOT_INLINE bool out_pass(struct json_state *st, const struct bl_result *r, bool first)
{
	const struct bl_control *c = r->control;
	if (r->status != BL_PASS || r->message != bl_msg_compliant || r->nevidence || r->tags ||
	    r->exception || c->index >= st->nctrl)
		return false;
	const struct ctrl_frag *cf = &st->ctrl[c->index];
	if (cf->ctrl != c || cf->id != c->id || cf->severity != (int)c->severity ||
	    cf->effect != (int)c->effect || !cf->ptail)
		return false;
	/* an asset's first result builds its parts here: with few controls
	 * per asset it is a good part of the passes */
	if ((!asset_cached(st, r) && !asset_build(st, r)) || !st->aunknown)
		return false;
	size_t skip = first ? RESULT_SEP_LEN : 0;
	size_t hl = cf->headlen - skip;
	char *o = out_cursor(st, HEAD_PAD + hl + st->a1.len + cf->ptaillen);
	if (!o)
		return true;   /* out of memory: failed is set */
	if (hl <= HEAD_PAD)
		memcpy(o, cf->head + skip, HEAD_PAD);
	else
		memcpy(o, cf->head + skip, hl);
	o = put(o + hl, st->a1.p, st->a1.len);
	out_done(st, put(o, cf->ptail, cf->ptaillen));
	return true;
}

/* All of p[0..n) to fd; -1 on an error. */
static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Move what is buffered to the spool. */
static int out_flush(struct json_state *s)
{
	if (s->failed)
		return BL_ENOMEM;
	if (s->len && write_all(s->spoolfd, s->out, s->len))
		return BL_EIO;
	s->spooled += (off_t)s->len;
	s->len = 0;
	return 0;
}

static int json_result(struct bl_report *r, const struct bl_result *res)
{
	struct json_state *s = r->state;
	if (s->skip) {
		/* written by json_emit: only counted */
		s->skip--;
		if (res->status != BL_NA || r->opts.all)
			s->n++;
		return 0;
	}
	if (res->status == BL_NA && !r->opts.all)
		return 0;
	if (!out_pass(s, res, s->n == 0))
		out_result(s, res, s->n == 0);
	if (s->failed)
		return BL_ENOMEM;
	s->n++;
	if (s->len >= SPOOL_BLOCK)
		return out_flush(s);
	return 0;
}

/* json_result for a batch: the loop without a call per result. */
static int json_results(struct bl_report *r, const struct bl_result *items, size_t n)
{
	struct json_state *s = r->state;
	bool all = r->opts.all;
	size_t i = 0;
	/* written by json_emit: only counted */
	for (; i < n && s->skip; i++, s->skip--)
		if (items[i].status != BL_NA || all)
			s->n++;
	for (; i < n; i++) {
		if (items[i].status == BL_NA && !all)
			continue;
		if (!out_pass(s, &items[i], s->n == 0))
			out_result(s, &items[i], s->n == 0);
		if (s->failed)
			return BL_ENOMEM;
		s->n++;
		if (s->len >= SPOOL_BLOCK) {
			int rc = out_flush(s);
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* ---- results formatted on the worker threads (struct bl_sink_fmt) ------- */

/* A worker's caches: a json_state whose out is the chunk's bytes while it
 * formats (its spool fields stay unused). */
struct json_worker {
	struct json_state st;
	bool all;                /* --all: not_applicable results are listed */
};

static void state_free_caches(struct json_state *s)
{
	bl_buf_free(&s->buf);
	free(s->out);
	for (size_t i = 0; i < s->nctrl; i++) {
		free(s->ctrl[i].head);
		free(s->ctrl[i].mid);
		free(s->ctrl[i].ptail);
	}
	free(s->ctrl);
	free(s->akey.p);
	free(s->a1.p);
	free(s->a2t.p);
	for (size_t i = 0; i < MSG_SLOTS; i++)
		free(s->msg[i].p);
	for (size_t i = 0; i < STR_SLOTS; i++)
		free(s->strs[i].p);
}

static void *json_worker_new(void *ctx)
{
	const struct bl_report *r = ctx;
	struct json_worker *w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	bl_buf_init(&w->st.buf, 0);
	kmsg_init(&w->st);
	w->all = r->opts.all;
	return w;
}

static void json_worker_free(void *p)
{
	struct json_worker *w = p;
	state_free_caches(&w->st);
	free(w);
}

/* What a worker formats of one chunk before it leaves the rest to
 * json_result: with many controls a 1 MiB chunk of input makes ~7 MB of
 * results, and every slot in flight would hold that much. */
#define FMT_CHUNK_MAX ((size_t)2 << 20)

/* The listed results of items[0..n), each with its separator, into out
 * (the same bytes json_result would write, separators included), up to
 * about FMT_CHUNK_MAX bytes: out->n says how many results they cover. */
static int json_worker_format(void *p, const struct bl_result *items, size_t n,
			      struct bl_bytes *out)
{
	struct json_worker *w = p;
	struct json_state *st = &w->st;
	st->out = out->p;
	st->cap = out->cap;
	st->len = 0;
	st->failed = false;
	size_t i = 0;
	for (; i < n && !st->failed && st->len < FMT_CHUNK_MAX; i++)
		if ((items[i].status != BL_NA || w->all) && !out_pass(st, &items[i], false))
			out_result(st, &items[i], false);
	out->n = i;
	out->p = st->out;
	out->cap = st->cap;
	out->len = st->len;
	st->out = NULL;
	st->cap = st->len = 0;
	return st->failed ? BL_ENOMEM : 0;
}

/* A chunk's bytes from a worker, in input order: after what is buffered,
 * straight to the spool; the b->n results they stand for are only counted
 * when they come to json_result. */
static int json_emit(void *ctx, const struct bl_bytes *b)
{
	struct bl_report *r = ctx;
	struct json_state *s = r->state;
	size_t skip = s->n == 0 && b->len >= RESULT_SEP_LEN ? RESULT_SEP_LEN : 0;
	s->skip = b->n;
	if (b->len == skip)
		return 0;
	int rc = out_flush(s);
	if (rc)
		return rc;
	if (write_all(s->spoolfd, b->p + skip, b->len - skip))
		return BL_EIO;
	s->spooled += (off_t)(b->len - skip);
	return 0;
}

static const struct bl_sink_fmt json_fmt = {
	.worker_new = json_worker_new,
	.worker_free = json_worker_free,
	.format = json_worker_format,
	.emit = json_emit,
};

/* Bytes of the spool from *off on to fd (a plain read/write loop); -1 on an
 * error. */
static int copy_buffered(int in, off_t *off, off_t end, int fd, FILE *out)
{
	char tmp[65536];
	while (*off < end) {
		size_t want = end - *off < (off_t)sizeof(tmp) ? (size_t)(end - *off) : sizeof(tmp);
		ssize_t n = pread(in, tmp, want, *off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		if (fd >= 0 ? write_all(fd, tmp, (size_t)n) != 0
			    : fwrite(tmp, 1, (size_t)n, out) != (size_t)n)
			return -1;
		*off += n;
	}
	return 0;
}

/*
 * The spool's bytes to out.  When out has a file descriptor they are copied
 * in the kernel (copy_file_range between files, sendfile to anything else,
 * such as a pipe or /dev/null), so they do not pass through user space again;
 * each method that fails hands over, from where it stopped, to the next, and
 * the last, a read/write loop, reports what is really wrong.  A stream
 * without a descriptor (open_memstream) gets the loop through stdio.
 */
static int spool_copy(struct json_state *s, FILE *out)
{
	off_t off = 0, end = s->spooled;
	int fd = fileno(out);
	if (fd < 0)
		return copy_buffered(s->spoolfd, &off, end, -1, out) ? BL_EIO : 0;
	/* stdio's buffered bytes (the head of the document) go first */
	if (fflush(out))
		return BL_EIO;
#if defined(__linux__)
	while (off < end) {
		size_t want = end - off < (off_t)(1u << 30) ? (size_t)(end - off) : 1u << 30;
		ssize_t n = copy_file_range(s->spoolfd, &off, fd, NULL, want, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
	}
	while (off < end) {
		size_t want = end - off < (off_t)(1u << 30) ? (size_t)(end - off) : 1u << 30;
		ssize_t n = sendfile(fd, s->spoolfd, &off, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
	}
#endif
	return copy_buffered(s->spoolfd, &off, end, fd, out) ? BL_EIO : 0;
}

static int json_finish(struct bl_report *r, const struct bl_run_info *run, FILE *out,
		       struct bl_error *err)
{
	struct json_state *s = r->state;
	struct bl_buf b;
	bl_buf_init(&b, 0);
	bl_report_json_summary(&b, run);
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
	if (!rc)
		rc = spool_copy(s, out);
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
	state_free_caches(s);
}

const struct bl_report_ops bl_report_json = {
	.name = "json",
	.size = sizeof(struct json_state),
	.open = json_open,
	.result = json_result,
	.finish = json_finish,
	.free = json_free,
	.fmt = &json_fmt,
	.results = json_results,
};
