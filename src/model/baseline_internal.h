/*
 * baseline_internal.h - what the files that check a baseline document share
 * (baseline.c: the document's top level, extends and tailor, and the
 * effective baseline; baseline_control.c: one control; baseline_params.c:
 * parameter definitions and values).  Not a public API: see baseline.h.
 */
#ifndef BL_MODEL_BASELINE_INTERNAL_H
#define BL_MODEL_BASELINE_INTERNAL_H

#include <string.h>

#include "model/baseline.h"
#include "model/content.h"
#include "model/framework.h"
#include "model/schema.h"
#include "util/arena.h"
#include "util/str.h"

#define COUNT(x) (sizeof(x) / sizeof((x)[0]))

/* ---- validation context --------------------------------------------- */

/* Frameworks remembered by catalog(): controls map to the same few, in turn
 * (nist, mcsb, cis, nist, ...), so one remembered key missed every time. */
#define FWMEMO_N 8
#define FWMEMO_KEY 48

struct bl_bctx {
	struct bl_baseline *b;
	struct bl_arena *a;          /* the baseline's arena */
	struct bl_diags *d;
	const char *file;            /* arena copy of the document's name, or NULL */
	const struct bl_value *params;  /* the parameters object, if it is one */
	const struct bl_value *param_values;  /* tailored values for compile, or NULL */
	struct bl_catalogs cats;     /* loaded on the first `maps` seen */
	int cats_state;              /* 0 not loaded, 1 loaded, -1 failed */
	const char **sources;        /* documents read (b->sources) */
	size_t nsources, capsources;
	size_t bad;                  /* problems reported */
	bool oom;
	bool internal;               /* a shipped catalog did not load */
	const struct bl_value *assigned;  /* --parameters values (object) or NULL */
	struct bl_compile_cache *cache;  /* what all the conditions share: regexes, paths,
					leaf keys (created on the first compile; NULL:
					none) */
	bool host_only;              /* the control being compiled is scoped to linux.host
					(one asset per run: regexes are not JIT-compiled) */
	const char *builtin_sha;     /* the document is a builtin tree as shipped: its hash
					(computed at build time), else NULL */
	struct fwmemo {              /* maps keys catalog() found, and their catalogs: */
		char key[FWMEMO_KEY];   /* a copy (a parent's document may not outlive */
		size_t len;             /* its layer) */
		const struct bl_catalog *cat;
	} fwmemo[FWMEMO_N];
	size_t nfwmemo;
	struct idmemo *idmemo;       /* catalog_id's answers (IDMEMO_CAP slots, in the arena
					on the first mapped id), NULL before */
	size_t nidmemo;
	const char *tree_file_seen;  /* from_tree's last document name, and its answer */
	bool tree_file;
};

/* One mapped id as written, in one catalog, and the spelling catalog_id
 * gave it.  builtin:linux-host maps 1,304 ids of which 104 differ: each
 * was canonicalised, looked up and copied again. */
struct idmemo {
	const struct bl_catalog *cat;   /* NULL = empty slot */
	const char *s;                  /* the id as written (arena copy) */
	size_t len;
	const char *id;                 /* catalog_id's answer (arena, shared) */
};

#define IDMEMO_CAP 1024u

/* Record one problem; an allocation failure is remembered, never lost. */
void bl_bctx_diag(struct bl_bctx *c, uint32_t line, uint32_t col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#define AT(v) (v)->line, (v)->col

#define SHOWV(v) bl_schema_show((v)->u.str.s, (v)->u.str.len).s
#define SHOWN(v) bl_schema_show((v)->u.num.text, (v)->u.num.len).s
#define SHOWK(m) bl_schema_show((m)->key, (m)->klen).s

/* Index of s in names (ASCII case-insensitive), or -1. */
static inline int name_index(const char *const *names, size_t n, const char *s, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (bl_str_ieq(names[i], strlen(names[i]), s, len))
			return (int)i;
	return -1;
}

static inline char *copy(struct bl_bctx *c, const char *s, size_t len)
{
	char *p = bl_arena_strndup(c->a, s, len);
	if (!p)
		c->oom = true;
	return p;
}

static inline char *copy_str(struct bl_bctx *c, const struct bl_value *v)
{
	return copy(c, v->u.str.s, v->u.str.len);
}

/* Does v come from a builtin document tree (model/content.c), whose strings
 * are static and NUL-terminated?  Remembered per document name. */
static inline bool from_tree(struct bl_bctx *c, const struct bl_value *v)
{
	if (!v->file)
		return false;
	if (v->file != c->tree_file_seen) {
		c->tree_file_seen = v->file;
		c->tree_file = bl_content_is_tree_file(v->file);
	}
	return c->tree_file;
}

/* A string of the document kept in the baseline: a builtin tree's string as
 * it is (static), any other an arena copy.  Copying every title, rationale
 * and id of builtin:linux-host was a thirtieth of loading it. */
static inline const char *keep_str(struct bl_bctx *c, const struct bl_value *v)
{
	return from_tree(c, v) ? v->u.str.s : copy_str(c, v);
}

static inline void *alloc_n(struct bl_bctx *c, size_t n, size_t size)
{
	void *p = bl_arena_calloc(c->a, n ? n : 1, size);
	if (!p)
		c->oom = true;
	return p;
}

static inline bool is_key(const struct bl_member *m, const char *k)
{
	return m->klen == strlen(k) && memcmp(m->key, k, m->klen) == 0;
}

/* obj's keys against schema s (found[] as bl_schema_check fills it); the
 * problems are counted in c->bad. */
void bl_bctx_schema(struct bl_bctx *c, const struct bl_member **found, const struct bl_value *obj,
		    const struct bl_schema *s);

/* [a-z0-9] (or [A-Za-z0-9] when upper) followed by those or any of extra. */
bool bl_bctx_id_ok(const char *s, size_t len, bool upper, const char *extra);

/* ---- baseline_params.c ------------------------------------------------ */

/* Check the `parameters` object's definitions. */
void bl_bctx_check_parameters(struct bl_bctx *c, const struct bl_value *params);

/* Whether a value given to parameter pm (a definition) has its type and is
 * among its allowedValues; reports the problem at the value when not. */
bool bl_bctx_check_param_value(struct bl_bctx *c, const struct bl_member *pm,
			       const struct bl_value *v);

/* A value of definition def's type to compile with when pm has none. */
const struct bl_value *bl_bctx_stand_in(struct bl_bctx *c, const struct bl_member *pm,
					const struct bl_value *def);

/* ---- baseline_control.c ----------------------------------------------- */

/* Position of an id value, kept for the duplicate check. */
struct idpos {
	const char *id;
	size_t len;
	uint32_t line, col;
	size_t index;
	const char *file;            /* document of the control */
	const char *origin;          /* id of the baseline that defined it */
};

/* Check control document v into ctl, its id's position into pos. */
void bl_bctx_check_control(struct bl_bctx *c, const struct bl_value *v, struct bl_control *ctl,
			   struct idpos *pos);

/* Check a `scope` object into ctl. */
void bl_bctx_check_scope(struct bl_bctx *c, const struct bl_value *scope, struct bl_control *ctl);

/* Compile a condition document (with the context's parameter values); NULL
 * after reporting why. */
const struct bl_cond *bl_bctx_compile(struct bl_bctx *c, const struct bl_value *cond);

/* Report every id of pos[0..n) that another one repeats (ignoring case). */
void bl_bctx_check_duplicates(struct bl_bctx *c, struct idpos *pos, size_t n);

#endif
