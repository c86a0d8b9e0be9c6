/*
 * dpkg.c - deb822 stanza reading for the dpkg database and apt package lists
 * (see dpkg.h): one line-at-a-time state machine fed either from memory or
 * from a file streamed (and decompressed, facts/decompress.h) through the
 * bl_sys ops table.  Streamed chunks are split into lines where they lie;
 * only a line cut by the end of a chunk is copied (into a CHUNK-byte buffer),
 * so a 50 MB list costs one memchr per line, not a copy of every byte.
 */
#include "facts/dpkg.h"

#include <string.h>

#include "facts/facts.h"
#include "util/arena.h"
#include "util/str.h"

#define CHUNK (64u * 1024u)

struct parser {
	struct bl_dpkg_stanza st;
	bool any;               /* the current stanza has a field */
	bool skip;              /* want declined the stanza: ignore it up to its end */
	uint64_t line;
	bl_dpkg_want_fn want;   /* NULL: every stanza is wanted */
	bl_dpkg_fn fn;
	void *ctx;
};

static void parser_init(struct parser *p, bl_dpkg_want_fn want, bl_dpkg_fn fn, void *ctx)
{
	memset(p, 0, sizeof(*p));
	p->want = want;
	p->fn = fn;
	p->ctx = ctx;
}

/* End of a stanza: hand it over (unless skipped) and start afresh.  Returns
 * what fn returned. */
static int flush(struct parser *p)
{
	if (!p->any)
		return 0;
	int rc = p->skip ? 0 : p->fn(p->ctx, &p->st);
	p->skip = false;
	p->st.package.set = p->st.status.set = p->st.version.set = p->st.arch.set = false;
	p->st.package.len = p->st.status.len = p->st.version.len = p->st.arch.len = 0;
	p->st.bad = false;
	p->any = false;
	return rc;
}

/* The kept field a name is, by length first: most lines of a list are
 * fields we do not keep (Depends, Filename, SHA256...). */
static struct bl_dpkg_field *pick(struct parser *p, const char *name, size_t n)
{
	switch (n) {
	case 6:
		return bl_str_ieq(name, n, "Status", 6) ? &p->st.status : NULL;
	case 7:
		/* as lists spell it, before the case-blind compare */
		if (memcmp(name, "Package", 7) == 0 || bl_str_ieq(name, n, "Package", 7))
			return &p->st.package;
		return bl_str_ieq(name, n, "Version", 7) ? &p->st.version : NULL;
	case 12:
		return bl_str_ieq(name, n, "Architecture", 12) ? &p->st.arch : NULL;
	default:
		return NULL;
	}
}

/* One line without its '\n'.  Infallible; returns what flush returned. */
static int feed(struct parser *p, const char *l, size_t n)
{
	p->line++;
	if (n && l[n - 1] == '\r')
		n--;
	size_t i = 0;
	while (i < n && (l[i] == ' ' || l[i] == '\t'))
		i++;
	if (i == n)
		return flush(p);
	if (p->skip || i > 0 || l[0] == '#')
		return 0;   /* a declined stanza, a continuation line, or a comment */
	const char *colon = memchr(l, ':', n);
	if (!colon)
		return 0;   /* not a field: dpkg would refuse the file; we skip the line */
	size_t nlen = (size_t)(colon - l);
	while (nlen && (l[nlen - 1] == ' ' || l[nlen - 1] == '\t'))
		nlen--;
	const char *v = colon + 1, *end = l + n;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (!p->any) {
		p->any = true;
		p->st.line = p->line;
	}
	struct bl_dpkg_field *fl = pick(p, l, nlen);
	if (!fl || fl->set)
		return 0;   /* a repeated field keeps its first value */
	size_t vlen = (size_t)(end - v);
	if (vlen >= BL_DPKG_FIELD_MAX) {
		p->st.bad = true;
		return 0;
	}
	memcpy(fl->s, v, vlen);
	fl->s[vlen] = '\0';
	fl->len = vlen;
	fl->set = true;
	if (fl == &p->st.package && p->want && !p->want(p->ctx, fl->s, fl->len))
		p->skip = true;
	return 0;
}

int bl_dpkg_parse_want(const char *data, size_t len, bl_dpkg_want_fn want, bl_dpkg_fn fn,
		       void *ctx)
{
	struct parser p;
	parser_init(&p, want, fn, ctx);
	size_t i = 0;
	while (i < len) {
		const char *nl = memchr(data + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (data + i)) : len - i;
		int rc = feed(&p, data + i, n);
		if (rc)
			return rc;
		i += n + 1;
	}
	return flush(&p);
}

int bl_dpkg_parse(const char *data, size_t len, bl_dpkg_fn fn, void *ctx)
{
	return bl_dpkg_parse_want(data, len, NULL, fn, ctx);
}

/* Splits decompressed chunks into lines for the parser, in place.  A line
 * of CHUNK bytes or more is dropped (no field we keep is that long, and the
 * line buffer that holds a line cut by a chunk boundary is CHUNK bytes). */
struct splitter {
	struct parser *p;
	char *buf;              /* the start of a line the last chunk cut */
	size_t have;
	bool skipping;          /* inside an over-long line */
};

/* One whole line, or an over-long one dropped (counted all the same).
 * 0 or what the stanza callback returned. */
static int line_done(struct parser *p, const char *l, size_t n)
{
	if (n >= CHUNK) {
		p->line++;
		return 0;
	}
	return feed(p, l, n);
}

/* bl_zsink: 0 or what the stanza callback returned. */
static int split_chunk(void *vctx, const char *data, size_t n)
{
	struct splitter *sp = vctx;
	const char *end = data + n;
	if (sp->have || sp->skipping) {
		/* first the rest of the line the previous chunk cut */
		const char *nl = memchr(data, '\n', n);
		size_t take = nl ? (size_t)(nl - data) : n;
		if (!sp->skipping && take >= CHUNK - sp->have) {
			sp->skipping = true;
			sp->have = 0;
		} else if (!sp->skipping) {
			memcpy(sp->buf + sp->have, data, take);
			sp->have += take;
		}
		if (!nl)
			return 0;
		int rc = 0;
		if (sp->skipping)
			sp->p->line++;
		else
			rc = feed(sp->p, sp->buf, sp->have);
		sp->skipping = false;
		sp->have = 0;
		if (rc)
			return rc;
		data = nl + 1;
	}
	struct parser *p = sp->p;
	while (data < end) {
		const char *nl = memchr(data, '\n', (size_t)(end - data));
		if (nl && p->skip && nl > data && data[0] != ' ' && data[0] != '\t' &&
		    data[0] != '\r') {
			/* a declined stanza goes on: feed would only count the line */
			p->line++;
			data = nl + 1;
			continue;
		}
		if (!nl) {
			size_t rest = (size_t)(end - data);
			if (rest >= CHUNK) {
				sp->skipping = true;
			} else {
				memcpy(sp->buf, data, rest);
				sp->have = rest;
			}
			return 0;
		}
		int rc = line_done(p, data, (size_t)(nl - data));
		if (rc)
			return rc;
		data = nl + 1;
	}
	return 0;
}

int bl_dpkg_stream_z(struct bl_sys *s, const char *path, enum bl_zfmt fmt, uint64_t max_bytes,
		     bl_dpkg_want_fn want, bl_dpkg_fn fn, void *ctx, bool *missing,
		     struct bl_error *err)
{
	if (max_bytes == 0)
		max_bytes = 1ull << 30;
	struct bl_arena a;
	bl_arena_init(&a, CHUNK + 256);
	struct parser p;
	parser_init(&p, want, fn, ctx);
	struct splitter sp = {.p = &p, .buf = bl_arena_alloc(&a, CHUNK), .have = 0,
			      .skipping = false};
	int rc;
	if (!sp.buf) {
		if (missing)
			*missing = false;
		rc = bl_error_set(err, BL_ENOMEM, "", 0, 0, "out of memory");
	} else {
		/* the file cap equals the text cap: compressed lists are smaller */
		rc = bl_zstream_file(s, path, fmt, max_bytes, max_bytes, split_chunk, &sp, missing,
				     err);
		if (rc == 0 && sp.have && !sp.skipping)
			rc = feed(&p, sp.buf, sp.have);
		if (rc == 0)
			rc = flush(&p);
	}
	bl_arena_free(&a);
	return rc;
}

int bl_dpkg_stream(struct bl_sys *s, const char *path, uint64_t max_bytes, bl_dpkg_fn fn,
		   void *ctx, bool *missing, struct bl_error *err)
{
	return bl_dpkg_stream_z(s, path, BL_ZFMT_PLAIN, max_bytes, NULL, fn, ctx, missing, err);
}

bool bl_dpkg_status_installed(const char *status, size_t len)
{
	/* "want error state": the last word says whether the files are there */
	size_t end = len;
	while (end && (status[end - 1] == ' ' || status[end - 1] == '\t'))
		end--;
	size_t b = end;
	while (b && status[b - 1] != ' ' && status[b - 1] != '\t')
		b--;
	const char *w = status + b;
	size_t n = end - b;
	if (b == 0)
		return false;   /* one word: not a dpkg status */
	return bl_str_ieq(w, n, "installed", 9) || bl_str_ieq(w, n, "triggers-pending", 16) ||
	       bl_str_ieq(w, n, "triggers-awaited", 16);
}

/* ---- the database ------------------------------------------------------ */

static int build_index(struct bl_dpkg_db *db, struct bl_arena *a);

struct load_ctx {
	struct bl_dpkg_db *db;
	struct bl_arena *a;
	const char *dpkg_arch;   /* Architecture of the `dpkg` package itself */
};

static const char *dup_field(struct bl_arena *a, const struct bl_dpkg_field *fl)
{
	return fl->set ? bl_arena_strndup(a, fl->s, fl->len) : "";
}

/* A new slot at the end of db (grown in a), or NULL: *full set when the
 * cap was hit (db->truncated), else out of memory. */
static struct bl_dpkg_pkg *append(struct bl_dpkg_db *db, struct bl_arena *a, bool *full)
{
	*full = false;
	if (db->max_entries == 0)
		db->max_entries = 200000;
	if (db->n >= db->max_entries) {
		db->truncated = true;
		*full = true;
		return NULL;
	}
	if (db->n == db->cap) {
		size_t cap = db->cap ? db->cap * 2 : 256;
		struct bl_dpkg_pkg *items = bl_arena_alloc(a, cap * sizeof(*items));
		if (!items)
			return NULL;
		if (db->n)
			memcpy(items, db->items, db->n * sizeof(*items));
		db->items = items;
		db->cap = cap;
	}
	struct bl_dpkg_pkg *p = &db->items[db->n];
	memset(p, 0, sizeof *p);
	return p;
}

static int load_one(void *vctx, const struct bl_dpkg_stanza *st)
{
	struct load_ctx *c = vctx;
	struct bl_dpkg_db *db = c->db;
	if (st->bad || !st->package.set || st->package.len == 0)
		return 0;
	bool full;
	struct bl_dpkg_pkg *p = append(db, c->a, &full);
	if (!p)
		return full ? 0 : BL_ENOMEM;
	p->name = dup_field(c->a, &st->package);
	p->version = dup_field(c->a, &st->version);
	p->arch = dup_field(c->a, &st->arch);
	p->status = dup_field(c->a, &st->status);
	if (!p->name || !p->version || !p->arch || !p->status)
		return BL_ENOMEM;
	p->installed = st->status.set && bl_dpkg_status_installed(st->status.s, st->status.len);
	p->next = 0;
	if (!c->dpkg_arch && strcmp(p->name, "dpkg") == 0 && p->arch[0])
		c->dpkg_arch = p->arch;
	db->n++;
	return 0;
}

int bl_dpkg_db_add(struct bl_dpkg_db *db, struct bl_arena *a, const char *name,
		   const char *version, const char *arch, const char *status, bool installed)
{
	bool full;
	struct bl_dpkg_pkg *p = append(db, a, &full);
	if (!p)
		return full ? 0 : BL_ENOMEM;
	p->name = bl_arena_strndup(a, name, strlen(name));
	p->version = bl_arena_strndup(a, version, strlen(version));
	p->arch = bl_arena_strndup(a, arch, strlen(arch));
	p->status = status ? bl_arena_strndup(a, status, strlen(status)) : NULL;
	if (!p->name || !p->version || !p->arch || (status && !p->status))
		return BL_ENOMEM;
	p->installed = installed;
	db->n++;
	return 0;
}

int bl_dpkg_db_index(struct bl_dpkg_db *db, struct bl_arena *a, const char *native)
{
	db->native = native ? native : "";
	return build_index(db, a);
}

static size_t slot_of(const struct bl_dpkg_db *db, const char *name, size_t len)
{
	return (size_t)bl_hash(name, len, false) & (db->nslots - 1);
}

static int build_index(struct bl_dpkg_db *db, struct bl_arena *a)
{
	db->nslots = 16;
	while (db->nslots < db->n * 2)
		db->nslots *= 2;
	db->slots = bl_arena_calloc(a, db->nslots, sizeof(*db->slots));
	if (!db->slots)
		return BL_ENOMEM;
	for (size_t i = 0; i < db->n; i++) {
		const char *name = db->items[i].name;
		size_t len = strlen(name);
		for (size_t k = slot_of(db, name, len);; k = (k + 1) & (db->nslots - 1)) {
			if (!db->slots[k]) {
				db->slots[k] = (uint32_t)(i + 1);
				break;
			}
			struct bl_dpkg_pkg *q = &db->items[db->slots[k] - 1];
			if (strcmp(q->name, name) == 0) {
				while (q->next)
					q = &db->items[q->next - 1];
				q->next = (uint32_t)(i + 1);
				break;
			}
		}
	}
	return 0;
}

/* The first line of /var/lib/dpkg/arch (optional file), or NULL. */
static const char *arch_file(struct bl_sys *s, struct bl_arena *a)
{
	char *data;
	size_t len;
	bool missing;
	struct bl_error e;
	if (bl_sys_read(s, "/var/lib/dpkg/arch", a, &data, &len, NULL, &missing, &e) != 0)
		return NULL;
	size_t i = 0;
	while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r'))
		i++;
	size_t j = i;
	while (j < len && data[j] != ' ' && data[j] != '\t' && data[j] != '\n' && data[j] != '\r')
		j++;
	return j > i ? bl_arena_strndup(a, data + i, j - i) : NULL;
}

int bl_dpkg_db_load(struct bl_dpkg_db *db, struct bl_sys *s, struct bl_arena *a, bool *missing,
		    struct bl_error *err)
{
	size_t max = db->max_entries ? db->max_entries : 200000;
	memset(db, 0, sizeof(*db));
	db->max_entries = max;
	struct load_ctx c = {.db = db, .a = a, .dpkg_arch = NULL};
	int rc = bl_dpkg_stream(s, "/var/lib/dpkg/status", 0, load_one, &c, missing, err);
	if (rc == BL_ENOMEM)
		return bl_error_set(err, BL_ENOMEM, "", 0, 0, "out of memory");
	if (rc)
		return rc;
	if (build_index(db, a) != 0)
		return bl_error_set(err, BL_ENOMEM, "", 0, 0, "out of memory");
	db->native = c.dpkg_arch;
	if (!db->native)
		db->native = arch_file(s, a);
	for (size_t i = 0; !db->native && i < db->n; i++)
		if (db->items[i].arch[0] && strcmp(db->items[i].arch, "all") != 0)
			db->native = db->items[i].arch;
	if (!db->native)
		db->native = "";
	return 0;
}

/* A facts context's database and how its load ended (bl_dpkg_db_shared). */
struct shared_db {
	struct bl_dpkg_db db;
	int rc;
	bool missing;
	struct bl_error err;
};

int bl_dpkg_db_shared(struct bl_facts *f, const struct bl_dpkg_db **out, bool *missing,
		      struct bl_error *err)
{
	void **slot = bl_facts_slot(f, "dpkg.db");
	struct shared_db *sh = slot ? *slot : NULL;
	if (!sh) {
		sh = bl_arena_calloc(bl_facts_arena(f), 1, sizeof *sh);
		if (!sh)
			return bl_error_set(err, BL_ENOMEM, "", 0, 0, "out of memory");
		sh->rc = bl_dpkg_db_load(&sh->db, bl_facts_sys(f), bl_facts_arena(f), &sh->missing,
					 &sh->err);
		if (sh->rc == BL_ENOMEM) {
			*err = sh->err;
			return BL_ENOMEM;
		}
		if (slot)
			*slot = sh;
	}
	*out = &sh->db;
	*missing = sh->missing;
	if (sh->rc)
		*err = sh->err;
	return sh->rc;
}

const struct bl_dpkg_pkg *bl_dpkg_db_first(const struct bl_dpkg_db *db, const char *name,
					   size_t len)
{
	if (!db->nslots)
		return NULL;
	for (size_t k = slot_of(db, name, len);; k = (k + 1) & (db->nslots - 1)) {
		if (!db->slots[k])
			return NULL;
		const struct bl_dpkg_pkg *q = &db->items[db->slots[k] - 1];
		if (strlen(q->name) == len && memcmp(q->name, name, len) == 0)
			return q;
	}
}

const struct bl_dpkg_pkg *bl_dpkg_db_find(const struct bl_dpkg_db *db, const char *key,
					  size_t len)
{
	const char *colon = memchr(key, ':', len);
	size_t nlen = colon ? (size_t)(colon - key) : len;
	const char *arch = colon ? colon + 1 : NULL;
	size_t alen = colon ? len - nlen - 1 : 0;
	const struct bl_dpkg_pkg *best = NULL;
	int best_score = -1;
	for (const struct bl_dpkg_pkg *q = bl_dpkg_db_first(db, key, nlen); q;
	     q = q->next ? &db->items[q->next - 1] : NULL) {
		if (arch && !(strlen(q->arch) == alen && memcmp(q->arch, arch, alen) == 0))
			continue;
		int score = (q->installed ? 4 : 0) +
			    ((strcmp(q->arch, db->native) == 0 || strcmp(q->arch, "all") == 0) ? 2 : 0);
		if (score > best_score) {
			best = q;
			best_score = score;
		}
	}
	return best;
}
