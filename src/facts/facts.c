/*
 * facts.c - the per-run host facts context: the rooted struct bl_sys, the
 * arena every fact value lives in, the value builders providers use, and
 * bl_facts_document, which runs each provider at most once per namespace
 * (keyed namespaces: once per new key) and caches what it returned.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "facts/facts.h"
#include "util/str.h"

/* A key resolved without some members (struct bl_fact_keys.omit). */
struct omitted {
	const char *key;
	unsigned omit;
};

/* What one namespace resolved to so far. */
struct ns_cache {
	bool resolved;
	bool all;                   /* resolved with keys.all */
	const struct bl_value *val;
	struct omitted *omitted;    /* keys cached without some members */
	size_t nomitted, capomitted;
};

struct bl_facts {
	struct bl_sys sys;
	struct bl_arena arena;
	struct bl_facts_opts opts;
	char *root;                 /* opts.root's copy */
	struct ns_cache *cache;     /* one per bl_providers[] entry */
	size_t nproviders;
	const char *host_id;        /* computed once */
	struct {
		const char *name;
		void *p;
	} slots[16];                /* providers' per-context caches (bl_facts_slot) */
};

/*
 * A per-context slot named name (a string literal) where providers keep data
 * worth computing once per run, such as the uid -> name table file and files
 * share.  The slot starts NULL; NULL is returned only when every slot is
 * taken.  Not yet in facts.h: declared by its users.
 */

void **bl_facts_slot(struct bl_facts *f, const char *name)
{
	size_t n = sizeof f->slots / sizeof f->slots[0];
	for (size_t i = 0; i < n; i++) {
		if (!f->slots[i].name)
			f->slots[i].name = name;
		if (strcmp(f->slots[i].name, name) == 0)
			return &f->slots[i].p;
	}
	return NULL;
}

#define MIB (1024u * 1024u)

int bl_facts_open(struct bl_facts **out, const struct bl_facts_opts *opts, struct bl_error *err)
{
	*out = NULL;
	struct bl_facts *f = calloc(1, sizeof *f);
	if (!f)
		return bl_error_set(err, BL_ENOMEM, "", 0, 0, "out of memory");
	bl_arena_init(&f->arena, 0);
	if (opts)
		f->opts = *opts;
	const char *root = (f->opts.root && f->opts.root[0]) ? f->opts.root : "/";
	f->root = bl_arena_strndup(&f->arena, root, strlen(root));
	for (size_t i = 0; bl_providers[i]; i++)
		f->nproviders++;
	f->cache = bl_arena_calloc(&f->arena, f->nproviders ? f->nproviders : 1, sizeof *f->cache);
	if (!f->root || !f->cache) {
		bl_arena_free(&f->arena);
		free(f);
		return bl_error_set(err, BL_ENOMEM, "", 0, 0, "out of memory");
	}
	f->opts.root = f->root;
	if (!f->opts.max_file)
		f->opts.max_file = 16 * (size_t)MIB;
	if (!f->opts.walk_max_entries)
		f->opts.walk_max_entries = 5000000;
	if (!(f->opts.walk_max_seconds > 0))
		f->opts.walk_max_seconds = 300;
	int rc = bl_sys_open(&f->sys, root, err);
	if (rc != 0) {
		bl_arena_free(&f->arena);
		free(f);
		return rc;
	}
	f->sys.max_file = f->opts.max_file;
	*out = f;
	return 0;
}

void bl_facts_close(struct bl_facts *f)
{
	if (!f)
		return;
	bl_sys_close(&f->sys);
	bl_arena_free(&f->arena);
	free(f);
}

struct bl_sys *bl_facts_sys(struct bl_facts *f) { return &f->sys; }
struct bl_arena *bl_facts_arena(struct bl_facts *f) { return &f->arena; }
bool bl_facts_live(const struct bl_facts *f) { return f->sys.live; }
const struct bl_facts_opts *bl_facts_options(const struct bl_facts *f) { return &f->opts; }

struct bl_value *bl_facts_error(struct bl_facts *f, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return bl_value_new_special(&f->arena, BL_VERR, buf);
}

struct bl_value *bl_facts_na_live(struct bl_facts *f)
{
	char buf[1024];
	snprintf(buf, sizeof buf, "live-only fact: not available with --root %s", f->root);
	return bl_value_new_special(&f->arena, BL_VNA, buf);
}

/* ---- builders ---------------------------------------------------------- */

/* Double the capacity of an arena array (the old copy is abandoned in the
 * arena).  Returns the new array or NULL. */
static void *grow(struct bl_arena *a, void *old, uint32_t n, uint32_t *cap, size_t size)
{
	uint32_t ncap = *cap ? *cap * 2 : 8;
	if (ncap <= n)
		return NULL;
	void *p = bl_arena_alloc(a, (size_t)ncap * size);
	if (!p)
		return NULL;
	if (n)
		memcpy(p, old, (size_t)n * size);
	*cap = ncap;
	return p;
}

void bl_ob_init(struct bl_obj_builder *b, struct bl_arena *a)
{
	memset(b, 0, sizeof *b);
	b->a = a;
}

void bl_ob_add(struct bl_obj_builder *b, const char *key, const struct bl_value *v)
{
	if (b->failed)
		return;
	size_t klen = key ? strlen(key) : 0;
	if (!v || !key || klen > UINT32_MAX) {
		b->failed = true;
		return;
	}
	if (b->n == b->cap) {
		struct bl_member *p = grow(b->a, b->items, b->n, &b->cap, sizeof *p);
		if (!p) {
			b->failed = true;
			return;
		}
		b->items = p;
	}
	char *k = bl_arena_strndup(b->a, key, klen);
	if (!k) {
		b->failed = true;
		return;
	}
	struct bl_member *m = &b->items[b->n++];
	memset(m, 0, sizeof *m);
	m->key = k;
	m->klen = (uint32_t)klen;
	m->val = *v;
}

void bl_ob_str(struct bl_obj_builder *b, const char *key, const char *s, size_t len)
{
	if (!b->failed)
		bl_ob_add(b, key, bl_value_new_str(b->a, s, len));
}

void bl_ob_strz(struct bl_obj_builder *b, const char *key, const char *s)
{
	if (b->failed)
		return;
	bl_ob_add(b, key, s ? bl_value_new_str(b->a, s, strlen(s)) : bl_value_new(b->a, BL_VNULL));
}

void bl_ob_int(struct bl_obj_builder *b, const char *key, int64_t n)
{
	if (!b->failed)
		bl_ob_add(b, key, bl_value_new_num(b->a, (double)n));
}

void bl_ob_bool(struct bl_obj_builder *b, const char *key, bool v)
{
	if (!b->failed)
		bl_ob_add(b, key, bl_value_new_bool(b->a, v));
}

struct bl_value *bl_ob_finish(struct bl_obj_builder *b)
{
	if (b->failed)
		return NULL;
	struct bl_value *v = bl_value_new(b->a, BL_VOBJ);
	if (!v)
		return NULL;
	v->u.obj.items = b->items;
	v->u.obj.n = b->n;
	return v;
}

void bl_ab_init(struct bl_arr_builder *b, struct bl_arena *a)
{
	memset(b, 0, sizeof *b);
	b->a = a;
}

void bl_ab_add(struct bl_arr_builder *b, const struct bl_value *v)
{
	if (b->failed)
		return;
	if (!v) {
		b->failed = true;
		return;
	}
	if (b->n == b->cap) {
		struct bl_value *p = grow(b->a, b->items, b->n, &b->cap, sizeof *p);
		if (!p) {
			b->failed = true;
			return;
		}
		b->items = p;
	}
	b->items[b->n++] = *v;
}

struct bl_value *bl_ab_finish(struct bl_arr_builder *b)
{
	if (b->failed)
		return NULL;
	struct bl_value *v = bl_value_new(b->a, BL_VARR);
	if (!v)
		return NULL;
	v->u.arr.items = b->items;
	v->u.arr.n = b->n;
	return v;
}

/* ---- the document ------------------------------------------------------ */

static size_t provider_index(const struct bl_facts *f, const struct bl_provider *p)
{
	for (size_t i = 0; i < f->nproviders; i++)
		if (bl_providers[i] == p)
			return i;
	return f->nproviders;
}

/* Is key a member of the cached object already (exact case: file paths are
 * case-sensitive)? */
static bool cached_has(const struct bl_value *obj, const char *key, size_t klen)
{
	if (!obj || obj->type != BL_VOBJ)
		return false;
	for (uint32_t i = 0; i < obj->u.obj.n; i++)
		if (bl_str_cmp(obj->u.obj.items[i].key, obj->u.obj.items[i].klen, key, klen) == 0)
			return true;
	return false;
}

/* The cached object with the members of add appended; a key already cached
 * keeps its value unless it was asked for again (in keys: it lacked a
 * member now needed), when the new value takes its place.  NULL on ENOMEM. */
static const struct bl_value *merge(struct bl_facts *f, const struct bl_value *old,
				    const struct bl_value *add, const struct bl_fact_keys *keys)
{
	struct bl_value *v = bl_value_new(&f->arena, BL_VOBJ);
	if (!v)
		return NULL;
	uint32_t n = old->u.obj.n + add->u.obj.n;
	struct bl_member *items = bl_arena_calloc(&f->arena, n ? n : 1, sizeof *items);
	if (!items)
		return NULL;
	uint32_t k = 0;
	for (uint32_t i = 0; i < old->u.obj.n; i++)
		items[k++] = old->u.obj.items[i];
	for (uint32_t i = 0; i < add->u.obj.n; i++) {
		const struct bl_member *m = &add->u.obj.items[i];
		uint32_t at = 0;
		while (at < old->u.obj.n &&
		       bl_str_cmp(items[at].key, items[at].klen, m->key, m->klen) != 0)
			at++;
		if (at == old->u.obj.n) {
			items[k++] = *m;
			continue;
		}
		for (size_t j = 0; j < keys->n; j++)
			if (bl_str_cmp(keys->keys[j], strlen(keys->keys[j]), m->key, m->klen) == 0)
				items[at] = *m;
	}
	v->u.obj.items = items;
	v->u.obj.n = k;
	return v;
}

/* The members key was cached without (0 when it has them all). */
static unsigned omitted_of(const struct ns_cache *c, const char *key, size_t len)
{
	for (size_t i = 0; i < c->nomitted; i++)
		if (strlen(c->omitted[i].key) == len && memcmp(c->omitted[i].key, key, len) == 0)
			return c->omitted[i].omit;
	return 0;
}

/* Remember what the keys just resolved lack.  0 or BL_ENOMEM. */
static int omitted_note(struct bl_facts *f, struct ns_cache *c, const struct bl_fact_keys *keys)
{
	for (size_t j = 0; j < keys->n; j++) {
		size_t i = 0;
		while (i < c->nomitted && strcmp(c->omitted[i].key, keys->keys[j]) != 0)
			i++;
		if (i < c->nomitted) {
			c->omitted[i].omit = keys->omit[j];
			continue;
		}
		if (!keys->omit[j])
			continue;
		if (c->nomitted == c->capomitted) {
			size_t cap = c->capomitted ? 2 * c->capomitted : 16;
			struct omitted *o = bl_arena_alloc(&f->arena, cap * sizeof *o);
			if (!o)
				return BL_ENOMEM;
			if (c->nomitted)
				memcpy(o, c->omitted, c->nomitted * sizeof *o);
			c->omitted = o;
			c->capomitted = cap;
		}
		c->omitted[c->nomitted++] = (struct omitted){.key = keys->keys[j],
							     .omit = keys->omit[j]};
	}
	return 0;
}

/*
 * Bring provider p's cache up to date for the requests naming it.  Returns 0
 * or BL_ENOMEM (or a provider's non-value failure, passed through).
 */
static int resolve_ns(struct bl_facts *f, const struct bl_provider *p, struct ns_cache *c,
		      const struct bl_fact_request *reqs, size_t n)
{
	/* Unkeyed namespaces and keyed ones that failed whole are built once. */
	if (c->resolved && (!p->keyed || bl_value_special(c->val)))
		return 0;
	struct bl_fact_keys keys = {0};
	bool want_all = !p->keyed;
	keys.keys = bl_arena_calloc(&f->arena, n ? n : 1, sizeof *keys.keys);
	unsigned *omit = bl_arena_calloc(&f->arena, n ? n : 1, sizeof *omit);
	if (!keys.keys || !omit)
		return BL_ENOMEM;
	keys.omit = omit;
	for (size_t i = 0; i < n; i++) {
		if (bl_provider_find(reqs[i].ns, reqs[i].nslen) != p)
			continue;
		if (!reqs[i].key) {
			want_all = true;
			continue;
		}
		/* cached with every member this request needs? */
		if (c->resolved && cached_has(c->val, reqs[i].key, reqs[i].keylen) &&
		    (omitted_of(c, reqs[i].key, reqs[i].keylen) & ~reqs[i].omit) == 0)
			continue;
		bool dup = false;
		for (size_t j = 0; j < keys.n && !dup; j++) {
			dup = strlen(keys.keys[j]) == reqs[i].keylen &&
			      memcmp(keys.keys[j], reqs[i].key, reqs[i].keylen) == 0;
			if (dup)
				omit[j] &= reqs[i].omit;   /* what either needs */
		}
		if (dup)
			continue;
		char *k = bl_arena_strndup(&f->arena, reqs[i].key, reqs[i].keylen);
		if (!k)
			return BL_ENOMEM;
		omit[keys.n] = reqs[i].omit;
		keys.keys[keys.n++] = k;
	}
	/* Enumerate at most once; a provider that cannot enumerate still gets
	 * the keys named later (they are not covered by an earlier "all"). */
	keys.all = want_all && !(c->resolved && c->all);
	if (c->resolved && !keys.all && keys.n == 0)
		return 0;
	const struct bl_value *v = NULL;
	int rc = p->resolve(f, &keys, &v);
	if (rc != 0)
		return rc;
	if (!v)
		return BL_ENOMEM;
	if (c->resolved && c->val && c->val->type == BL_VOBJ && v->type == BL_VOBJ) {
		v = merge(f, c->val, v, &keys);
		if (!v)
			return BL_ENOMEM;
	}
	if (omitted_note(f, c, &keys) != 0)
		return BL_ENOMEM;
	c->all = c->all || keys.all;
	c->val = v;
	c->resolved = true;
	return 0;
}

int bl_facts_document(struct bl_facts *f, const struct bl_fact_request *reqs, size_t n,
		      const struct bl_value **doc, struct bl_error *err)
{
	*doc = NULL;
	struct bl_obj_builder b;
	bl_ob_init(&b, &f->arena);
	/* The namespaces in request order, each once. */
	bool *done = calloc(f->nproviders ? f->nproviders : 1, sizeof *done);
	if (!done)
		return bl_error_set(err, BL_ENOMEM, "", 0, 0, "out of memory");
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct bl_provider *p = bl_provider_find(reqs[i].ns, reqs[i].nslen);
		if (!p)
			continue;          /* unknown namespace: absent member */
		size_t ix = provider_index(f, p);
		if (ix >= f->nproviders || done[ix])
			continue;
		done[ix] = true;
		rc = resolve_ns(f, p, &f->cache[ix], reqs + i, n - i);
		if (rc == 0)
			bl_ob_add(&b, p->name, f->cache[ix].val);
	}
	free(done);
	if (rc != 0)
		return bl_error_set(err, rc, "", 0, 0, "host facts: %s",
				    rc == BL_ENOMEM ? "out of memory" : "a provider failed");
	*doc = bl_ob_finish(&b);
	if (!*doc)
		return bl_error_set(err, BL_ENOMEM, "", 0, 0, "out of memory");
	return 0;
}

/* ---- host identity ----------------------------------------------------- */

/* First line of text, blanks trimmed, into the arena; NULL when empty. */
static const char *first_line(struct bl_arena *a, const char *s, size_t len)
{
	size_t e = 0;
	while (e < len && s[e] != '\n' && s[e] != '\r')
		e++;
	size_t b = 0;
	while (b < e && (s[b] == ' ' || s[b] == '\t'))
		b++;
	while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t'))
		e--;
	return e > b ? bl_arena_strndup(a, s + b, e - b) : NULL;
}

const char *bl_facts_host_id(struct bl_facts *f)
{
	if (f->host_id)
		return f->host_id;
	const char *name = NULL;
	char *data = NULL;
	size_t len = 0;
	bool missing = false;
	struct bl_error e;
	if (f->sys.live) {
		struct utsname u;
		if (uname(&u) == 0)
			name = first_line(&f->arena, u.nodename, strnlen(u.nodename, sizeof u.nodename));
		if (!name && bl_sys_read(&f->sys, "/proc/sys/kernel/hostname", &f->arena, &data, &len,
					 NULL, &missing, &e) == 0)
			name = first_line(&f->arena, data, len);
	} else if (bl_sys_read(&f->sys, "/etc/hostname", &f->arena, &data, &len, NULL, &missing,
			       &e) == 0) {
		name = first_line(&f->arena, data, len);
	}
	if (name)
		f->host_id = bl_arena_printf(&f->arena, "host:%s", name);
	else if (f->sys.live)
		f->host_id = "host:localhost";
	else
		f->host_id = bl_arena_printf(&f->arena, "root:%s", f->root);
	return f->host_id ? f->host_id : "host:unknown";
}
