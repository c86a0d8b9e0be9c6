/*
 * framework.c - the shipped framework catalogs (content/frameworks/NAME.yaml,
 * format in docs/frameworks.md) parsed into the tables of framework.h.
 *
 * Catalogs are content we ship, so a catalog that does not parse or does
 * not follow the format is a build mistake: BL_EINTERNAL with the position.
 * Lookups are linear over a few hundred entries; callers that look up many
 * ids (lint, roll-up) stay far below a millisecond.
 */
#include "model/framework.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "doc/load.h"
#include "model/content.h"
#include "model/schema.h"
#include "util/str.h"

#define FW_DIR "frameworks/"
#define ID_MAX 64

struct cat_ctx {
	struct bl_arena *a;
	struct bl_error *err;
	struct bl_diags d;
	/* the duplicate check while a catalog loads: an open-addressing set of
	 * entry indexes by case-folded id (a linear bl_catalog_entry per entry
	 * made loading quadratic: a third of `assess` startup) */
	uint32_t *seen;            /* index + 1; 0 = empty */
	size_t seencap;            /* a power of two, > 2 x entries */
	bool static_strings;       /* the catalog being loaded is a builtin tree: its
				      strings are static and NUL-terminated, kept as
				      they are instead of copied (a tenth of loading) */
};

/* ---- ids ------------------------------------------------------------- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Letters, '-', digits: the length of the "xx-N" prefix, else 0. */
static size_t nist_base_len(const char *s)
{
	size_t i = 0;
	while (is_alpha(s[i]))
		i++;
	if (i == 0 || s[i] != '-' || !is_digit(s[i + 1]))
		return 0;
	i++;
	while (is_digit(s[i]))
		i++;
	return i;
}

size_t bl_fw_canonical_id(char *out, size_t size, const char *id)
{
	size_t len = strlen(id);
	if (len == 0 || size == 0)
		return 0;
	size_t base = nist_base_len(id);
	bool oscal = false;
	if (base && id[base] == '.' && is_digit(id[base + 1])) {
		oscal = true;
		for (size_t i = base + 1; i < len; i++)
			if (!is_digit(id[i]))
				oscal = false;
	}
	size_t need = len + (oscal ? 1 : 0);
	if (need + 1 > size)
		return 0;
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		char c = id[i];
		if (oscal && i == base)
			c = '(';
		else if (base && c >= 'a' && c <= 'z')  /* "ac-2" -> "AC-2"; "MS.X.1.1v1" kept */
			c = (char)(c - 32);
		out[o++] = c;
	}
	if (oscal)
		out[o++] = ')';
	out[o] = '\0';
	return o;
}

bool bl_fw_is_canonical(const char *id, size_t len)
{
	/* one pass for what can change: a lower-case letter (and a NUL, where
	 * bl_fw_canonical_id stops) */
	bool lower = false;
	for (size_t k = 0; k < len; k++) {
		char ch = id[k];
		if (ch == '\0')
			return false;
		lower = lower || (ch >= 'a' && ch <= 'z');
	}
	if (len == 0)
		return false;
	/* the "xx-N" prefix, as nist_base_len finds it but within len */
	size_t i = 0;
	while (i < len && is_alpha(id[i]))
		i++;
	if (i == 0 || i + 1 >= len || id[i] != '-' || !is_digit(id[i + 1]))
		return true;   /* no prefix: nothing changes */
	if (lower)
		return false;  /* "ac-2" -> "AC-2" */
	i++;
	while (i < len && is_digit(id[i]))
		i++;
	/* the OSCAL form "xx-N.M" becomes "XX-N(M)" */
	if (i + 1 < len && id[i] == '.') {
		for (size_t k = i + 1; k < len; k++)
			if (!is_digit(id[k]))
				return true;
		return false;
	}
	return true;
}

/* A positive decimal number without leading zero, at s[*i]; advances *i. */
static bool number_at(const char *s, size_t *i, unsigned long *n)
{
	size_t start = *i;
	*n = 0;
	while (is_digit(s[*i])) {
		if (*n > 100000)
			return false;
		*n = *n * 10 + (unsigned long)(s[*i] - '0');
		(*i)++;
	}
	return *i > start && s[start] != '0';
}

/* ---- lookups --------------------------------------------------------- */

const struct bl_catalog *bl_catalog_find(const struct bl_catalogs *c, const char *id)
{
	if (!c || !id)
		return NULL;
	size_t len = strlen(id);
	for (size_t i = 0; i < c->n; i++)
		if (bl_str_ieq(c->items[i].id, strlen(c->items[i].id), id, len))
			return &c->items[i];
	return NULL;
}

static uint64_t fold_hash(const char *s);
static const struct bl_fw_entry *entry_of(const struct bl_catalog *cat, const char *canon,
					  size_t len);

const struct bl_fw_entry *bl_catalog_entry(const struct bl_catalog *cat, const char *id)
{
	char canon[ID_MAX];
	if (!cat || !id)
		return NULL;
	size_t len = bl_fw_canonical_id(canon, sizeof(canon), id);
	if (!len)
		return NULL;
	return entry_of(cat, canon, len);
}

/* Is the string z equal to s[0..len) ignoring ASCII case?  Without
 * measuring z first: its NUL ends the compare as a mismatch (s holds no NUL). */
static bool ieq_z(const char *z, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (bl_lower((unsigned char)z[i]) != bl_lower((unsigned char)s[i]))
			return false;
	return z[len] == '\0';
}

/* The entry whose id is canon (already canonical, len bytes), or NULL. */
static const struct bl_fw_entry *entry_of(const struct bl_catalog *cat, const char *canon,
					  size_t len)
{
	/* Entry ids are canonical, so only the query's case can differ: look the
	 * folded id up in the index built while loading (a linear scan here was
	 * the largest part of startup: every mapped id of a baseline is checked). */
	if (!cat->index || !cat->indexcap)
		return NULL;
	size_t mask = cat->indexcap - 1;
	for (size_t i = (size_t)fold_hash(canon) & mask;; i = (i + 1) & mask) {
		uint32_t k = cat->index[i];
		if (k == 0)
			return NULL;
		if (ieq_z(cat->entries[k - 1].id, canon, len))
			return &cat->entries[k - 1];
	}
}

const struct bl_fw_family *bl_catalog_family(const struct bl_catalog *cat, const char *id)
{
	if (!cat || !id)
		return NULL;
	size_t len = strlen(id);
	for (size_t i = 0; i < cat->nfamilies; i++)
		if (bl_str_ieq(cat->families[i].id, strlen(cat->families[i].id), id, len))
			return &cat->families[i];
	return NULL;
}

bool bl_catalog_accepts(const struct bl_catalog *cat, const char *id)
{
	if (bl_catalog_entry(cat, id))
		return true;
	if (!cat || !id || cat->nfamilies == 0)
		return false;
	char canon[ID_MAX];
	if (!bl_fw_canonical_id(canon, sizeof(canon), id))
		return false;
	size_t dash = 0;
	while (is_alpha(canon[dash]))
		dash++;
	if (dash == 0 || canon[dash] != '-')
		return false;
	canon[dash] = '\0';
	const struct bl_fw_family *fam = bl_catalog_family(cat, canon);
	if (!fam)
		return false;
	size_t i = dash + 1;
	unsigned long n;
	if (!number_at(canon, &i, &n) || n > fam->last)
		return false;
	if (canon[i] == '\0')
		return true;
	if (canon[i] != '(')
		return false;
	i++;
	if (!number_at(canon, &i, &n) || n > BL_FW_MAX_ENHANCEMENT)
		return false;
	return canon[i] == ')' && canon[i + 1] == '\0';
}

const struct bl_fw_selection *bl_catalog_selection(const struct bl_catalog *cat, const char *name)
{
	if (!cat || !name)
		return NULL;
	size_t len = strlen(name);
	for (size_t i = 0; i < cat->nselections; i++)
		if (bl_str_ieq(cat->selections[i].name, strlen(cat->selections[i].name), name, len))
			return &cat->selections[i];
	return NULL;
}

/* ---- loading --------------------------------------------------------- */

/* Record the first problem in err; later ones are dropped (the catalog is
 * ours: one message is enough to fix it). */
static int bad(struct cat_ctx *c, const struct bl_value *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int bad(struct cat_ctx *c, const struct bl_value *at, const char *fmt, ...)
{
	if (c->err && c->err->code == BL_OK) {
		char msg[256];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
		bl_error_set(c->err, BL_EINTERNAL, at && at->file ? at->file : "", at ? at->line : 0,
			     at ? at->col : 0, "%s", msg);
	}
	return BL_EINTERNAL;
}

static int from_diags(struct cat_ctx *c)
{
	if (c->d.n == 0)
		return BL_ENOMEM;
	bl_diags_sort(&c->d);
	const struct bl_diag *g = &c->d.items[0];
	if (c->err && c->err->code == BL_OK)
		bl_error_set(c->err, BL_EINTERNAL, g->file ? g->file : "", g->line, g->col, "%s", g->msg);
	return BL_EINTERNAL;
}

static int check(struct cat_ctx *c, const struct bl_member **found, const struct bl_value *obj,
		 const struct bl_schema *s)
{
	if (obj->type != BL_VOBJ)
		return bad(c, obj, "a catalog %s must be an object", s->what);
	int n = bl_schema_check(found, obj, s, &c->d);
	if (n < 0)
		return n;
	return n ? from_diags(c) : 0;
}

static const char *str_of(struct cat_ctx *c, const struct bl_member *m)
{
	if (!m)
		return NULL;
	if (c->static_strings)
		return m->val.u.str.s;
	return bl_arena_strndup(c->a, m->val.u.str.s, m->val.u.str.len);
}

/* Every element of arr as a canonical id string; out NULL on failure. */
static int id_list(struct cat_ctx *c, const struct bl_value *arr, const char ***out, size_t *n)
{
	*n = 0;
	*out = bl_arena_calloc(c->a, arr->u.arr.n + 1, sizeof(**out));
	if (!*out)
		return BL_ENOMEM;
	for (uint32_t i = 0; i < arr->u.arr.n; i++) {
		const struct bl_value *e = &arr->u.arr.items[i];
		char canon[ID_MAX];
		if (e->type != BL_VSTR || e->u.str.len >= ID_MAX)
			return bad(c, e, "catalog ids must be short strings");
		if (c->static_strings && bl_fw_is_canonical(e->u.str.s, e->u.str.len)) {
			(*out)[(*n)++] = e->u.str.s;
			continue;
		}
		memcpy(canon, e->u.str.s, e->u.str.len);
		canon[e->u.str.len] = '\0';
		size_t clen = bl_fw_canonical_id(canon, sizeof(canon), canon);
		if (!clen)
			return bad(c, e, "empty catalog id");
		(*out)[*n] = bl_arena_strndup(c->a, canon, clen);
		if (!(*out)[(*n)++])
			return BL_ENOMEM;
	}
	return 0;
}

static const struct bl_schema_key entry_keys[] = {
	{"id", BL_T_STR, BL_SK_REQUIRED},
	{"group", BL_T_STR, BL_SK_REQUIRED},
	{"title", BL_T_STR, 0},
	{"maps", BL_T_OBJ, 0},
};
static const struct bl_schema entry_schema = {"control", entry_keys, 4};

static uint64_t fold_hash(const char *s)
{
	uint64_t h = 1469598103934665603u;
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch >= 'A' && ch <= 'Z')
			ch = (unsigned char)(ch + 32);
		h = (h ^ ch) * 1099511628211u;
	}
	return h;
}

/* True when an earlier entry of cat has id canon (case-insensitively, as
 * bl_catalog_entry matches); otherwise remembers cat->entries[cat->n] under
 * it.  Called before the entry is filled in. */
static bool seen_dup(struct cat_ctx *c, const struct bl_catalog *cat, const char *canon)
{
	size_t mask = c->seencap - 1;
	size_t len = strlen(canon);
	for (size_t i = (size_t)fold_hash(canon) & mask;; i = (i + 1) & mask) {
		uint32_t k = c->seen[i];
		if (k == 0) {
			c->seen[i] = (uint32_t)cat->n + 1;
			return false;
		}
		const char *id = cat->entries[k - 1].id;
		if (bl_str_ieq(id, strlen(id), canon, len))
			return true;
	}
}

/*
 * The shape every shipped entry has: an object whose keys are entry_keys in
 * that order (the optional ones may be left out), each of its type.  Fills
 * f as bl_schema_check would (which finds nothing to report then); false
 * for anything else, which check() then examines and reports.  Checking
 * the hundreds of entries through the general schema check was a quarter
 * of loading the catalogs.
 */
static bool entry_fast(const struct bl_member **f, const struct bl_value *v)
{
	enum { N = sizeof(entry_keys) / sizeof(entry_keys[0]) };
	/* strlen of each entry_keys name (a wrong one only loses the fast path) */
	static const uint8_t entry_klen[] = {sizeof("id") - 1, sizeof("group") - 1,
					     sizeof("title") - 1, sizeof("maps") - 1};
	_Static_assert(sizeof(entry_klen) == N, "one length per entry key");
	if (v->type != BL_VOBJ)
		return false;
	for (size_t k = 0; k < N; k++)
		f[k] = NULL;
	size_t k = 0;
	for (uint32_t i = 0; i < v->u.obj.n; i++) {
		const struct bl_member *m = &v->u.obj.items[i];
		while (k < N && !(entry_klen[k] == m->klen &&
				  memcmp(entry_keys[k].name, m->key, m->klen) == 0)) {
			if (entry_keys[k].flags & BL_SK_REQUIRED)
				return false;   /* missing, or out of order */
			k++;
		}
		if (k == N || !bl_schema_type_ok(&m->val, entry_keys[k].types))
			return false;
		f[k++] = m;
	}
	for (; k < N; k++)
		if (entry_keys[k].flags & BL_SK_REQUIRED)
			return false;
	return true;
}

static int load_entry(struct cat_ctx *c, struct bl_catalog *cat, const struct bl_value *v)
{
	const struct bl_member *f[4];
	int rc = entry_fast(f, v) ? 0 : check(c, f, v, &entry_schema);
	if (rc)
		return rc;
	struct bl_fw_entry *e = &cat->entries[cat->n];
	char canon[ID_MAX];
	const struct bl_value *idv = &f[0]->val;
	if (idv->u.str.len >= ID_MAX)
		return bad(c, idv, "control id is too long");
	memcpy(canon, idv->u.str.s, idv->u.str.len);
	canon[idv->u.str.len] = '\0';
	if (!bl_fw_is_canonical(idv->u.str.s, idv->u.str.len)) {
		/* the canonical spelling, for the message */
		if (!bl_fw_canonical_id(canon, sizeof(canon), canon))
			return bad(c, idv, "empty control id");
		return bad(c, idv, "control id is not in canonical spelling (%s)", canon);
	}
	if (seen_dup(c, cat, canon))
		return bad(c, idv, "duplicate control id %s", canon);
	e->id = str_of(c, f[0]);
	e->group = str_of(c, f[1]);
	e->title = str_of(c, f[2]);
	if (!e->id || !e->group || (f[2] && !e->title))
		return BL_ENOMEM;
	if (f[3]) {
		const struct bl_value *maps = &f[3]->val;
		struct bl_fw_hint *h = bl_arena_calloc(c->a, maps->u.obj.n + 1, sizeof(*h));
		if (!h)
			return BL_ENOMEM;
		for (uint32_t i = 0; i < maps->u.obj.n; i++) {
			const struct bl_member *m = &maps->u.obj.items[i];
			if (m->val.type != BL_VARR)
				return bad(c, &m->val, "maps values must be arrays of ids");
			h[i].framework = c->static_strings ? m->key
							   : bl_arena_strndup(c->a, m->key, m->klen);
			if (!h[i].framework)
				return BL_ENOMEM;
			rc = id_list(c, &m->val, &h[i].ids, &h[i].n);
			if (rc)
				return rc;
		}
		e->maps = h;
		e->nmaps = maps->u.obj.n;
	}
	cat->n++;
	return 0;
}

static const struct bl_schema_key family_keys[] = {
	{"id", BL_T_STR, BL_SK_REQUIRED},
	{"title", BL_T_STR, BL_SK_REQUIRED},
	{"controls", BL_T_INT, BL_SK_REQUIRED},
};
static const struct bl_schema family_schema = {"family", family_keys, 3};

static int load_families(struct cat_ctx *c, struct bl_catalog *cat, const struct bl_value *arr)
{
	cat->families = bl_arena_calloc(c->a, arr->u.arr.n + 1, sizeof(*cat->families));
	if (!cat->families)
		return BL_ENOMEM;
	for (uint32_t i = 0; i < arr->u.arr.n; i++) {
		const struct bl_member *f[3];
		int rc = check(c, f, &arr->u.arr.items[i], &family_schema);
		if (rc)
			return rc;
		double last = f[2]->val.u.num.d;
		if (last < 1 || last > 10000)
			return bad(c, &f[2]->val, "family control count out of range");
		struct bl_fw_family *fam = &cat->families[cat->nfamilies++];
		fam->id = str_of(c, f[0]);
		fam->title = str_of(c, f[1]);
		fam->last = (unsigned)last;
		if (!fam->id || !fam->title)
			return BL_ENOMEM;
	}
	return 0;
}

static int load_selections(struct cat_ctx *c, struct bl_catalog *cat, const struct bl_value *obj)
{
	cat->selections = bl_arena_calloc(c->a, obj->u.obj.n + 1, sizeof(*cat->selections));
	if (!cat->selections)
		return BL_ENOMEM;
	for (uint32_t i = 0; i < obj->u.obj.n; i++) {
		const struct bl_member *m = &obj->u.obj.items[i];
		if (m->val.type != BL_VARR)
			return bad(c, &m->val, "a selection must be an array of control ids");
		struct bl_fw_selection *s = &cat->selections[cat->nselections++];
		s->name = c->static_strings ? m->key : bl_arena_strndup(c->a, m->key, m->klen);
		if (!s->name)
			return BL_ENOMEM;
		int rc = id_list(c, &m->val, &s->ids, &s->n);
		if (rc)
			return rc;
		/* id_list gave canonical ids: look them up as such.  Selections
		 * list their ids in catalog order: a walk along the entries finds
		 * them with a strcmp each (a hash lookup per id was a tenth of
		 * loading the catalogs); from the first one out of order on,
		 * the index. */
		size_t next = 0;
		bool in_order = true;
		for (size_t k = 0; k < s->n; k++) {
			if (in_order) {
				size_t j = next;
				while (j < cat->n && strcmp(cat->entries[j].id, s->ids[k]) != 0)
					j++;
				if (j < cat->n) {
					next = j + 1;
					continue;
				}
				in_order = false;
			}
			if (!entry_of(cat, s->ids[k], strlen(s->ids[k])))
				return bad(c, &m->val.u.arr.items[k], "selection names %s, which the catalog does not list",
					   s->ids[k]);
		}
	}
	return 0;
}

static const struct bl_schema_key catalog_keys[] = {
	{"framework", BL_T_STR, BL_SK_REQUIRED},
	{"title", BL_T_STR, BL_SK_REQUIRED},
	{"version", BL_T_STR, BL_SK_REQUIRED},
	{"families", BL_T_ARR, 0},
	{"selections", BL_T_OBJ, 0},
	{"controls", BL_T_ARR, BL_SK_REQUIRED},
};
static const struct bl_schema catalog_schema = {"catalog", catalog_keys, 6};

/* Parse one catalog document (bytes of a content file) into cat.  The
 * document is only read here (everything kept is copied into c->a), so it
 * is built in scratch, which the caller resets after each catalog. */
static int load_catalog(struct cat_ctx *c, struct bl_catalog *cat,
			const struct bl_content_file *cf, struct bl_arena *scratch)
{
	const char *name = cf->name;
	const struct bl_value *doc = NULL;
	/* parsed at build time (scripts/embed.c) */
	c->static_strings = cf->nodes != NULL;
	int rc = cf->nodes ? bl_content_tree(&doc, cf, scratch)
			   : bl_doc_parse(&doc, scratch, cf->data, cf->len, name, c->err);
	if (rc == BL_EINTERNAL && cf->nodes)
		return bad(c, NULL, "%s: the builtin tables are inconsistent", name);
	if (rc)
		return rc == BL_ENOMEM ? rc : BL_EINTERNAL;
	const struct bl_member *f[6];
	rc = check(c, f, doc, &catalog_schema);
	if (rc)
		return rc;
	cat->file = bl_arena_strndup(c->a, name, strlen(name));
	cat->id = str_of(c, f[0]);
	cat->title = str_of(c, f[1]);
	cat->version = str_of(c, f[2]);
	if (!cat->file || !cat->id || !cat->title || !cat->version)
		return BL_ENOMEM;
	if (f[3] && (rc = load_families(c, cat, &f[3]->val)) != 0)
		return rc;
	const struct bl_value *controls = &f[5]->val;
	cat->entries = bl_arena_calloc(c->a, controls->u.arr.n + 1, sizeof(*cat->entries));
	if (!cat->entries)
		return BL_ENOMEM;
	size_t cap = 64;
	while (cap < 2 * (size_t)controls->u.arr.n + 2)
		cap *= 2;
	c->seen = bl_arena_calloc(c->a, cap, sizeof(*c->seen));
	if (!c->seen)
		return BL_ENOMEM;
	c->seencap = cap;
	cat->index = c->seen;
	cat->indexcap = cap;
	for (uint32_t i = 0; i < controls->u.arr.n; i++)
		if ((rc = load_entry(c, cat, &controls->u.arr.items[i])) != 0)
			return rc;
	if (cat->n == 0)
		return bad(c, controls, "catalog %s lists no controls", cat->id);
	if (f[4] && (rc = load_selections(c, cat, &f[4]->val)) != 0)
		return rc;
	return 0;
}

static bool is_catalog_file(const char *name)
{
	size_t n = strlen(name), dl = strlen(FW_DIR);
	if (n <= dl + 5 || strncmp(name, FW_DIR, dl) != 0 || strchr(name + dl, '/'))
		return false;
	return strcmp(name + n - 5, ".yaml") == 0 || strcmp(name + n - 5, ".json") == 0;
}

int bl_catalogs_load(struct bl_catalogs *out, struct bl_error *err)
{
	memset(out, 0, sizeof(*out));
	bl_arena_init(&out->arena, 0);
	if (err)
		bl_error_clear(err);
	struct cat_ctx c = {.a = &out->arena, .err = err};
	bl_diags_init(&c.d);
	size_t n = 0;
	for (size_t i = 0; i < bl_content_nfiles; i++)
		if (is_catalog_file(bl_content_files[i].name))
			n++;
	int rc = 0;
	out->items = bl_arena_calloc(&out->arena, n + 1, sizeof(*out->items));
	if (!out->items)
		rc = BL_ENOMEM;
	struct bl_arena scratch;
	bl_arena_init(&scratch, 0);
	for (size_t i = 0; !rc && i < bl_content_nfiles; i++) {
		const struct bl_content_file *f = &bl_content_files[i];
		if (!is_catalog_file(f->name))
			continue;
		struct bl_catalog *cat = &out->items[out->n];
		bl_arena_reset(&scratch);
		rc = load_catalog(&c, cat, f, &scratch);
		if (!rc && bl_catalog_find(out, cat->id))
			rc = bad(&c, NULL, "two catalogs define framework %s", cat->id);
		if (!rc)
			out->n++;
	}
	bl_arena_free(&scratch);
	bl_diags_free(&c.d);
	if (rc == BL_ENOMEM && err && err->code == BL_OK)
		bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory loading framework catalogs");
	if (rc)
		bl_catalogs_free(out);
	return rc;
}

void bl_catalogs_free(struct bl_catalogs *c)
{
	if (!c)
		return;
	bl_arena_free(&c->arena);
	memset(c, 0, sizeof(*c));
}
