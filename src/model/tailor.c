/*
 * tailor.c - the effective baseline written out: the canonical document that
 * is hashed (see tailor.h and docs/baseline-format.md), the
 * `list controls --effective` view, and semantic-version order for
 * `baseline diff`.  Resolution itself (extends, exclude, override,
 * parameters) is in baseline.c, next to the validation it reuses.
 */
#include "model/tailor.h"

#include <string.h>

#include "doc/json.h"
#include "model/baseline.h"

struct bl_value *bl_tailor_object(struct bl_arena *a, const struct bl_member *members, size_t n)
{
	struct bl_value *v = bl_value_new(a, BL_VOBJ);
	if (!v)
		return NULL;
	if (n) {
		struct bl_member *items = bl_arena_calloc(a, n, sizeof(*items));
		if (!items)
			return NULL;
		memcpy(items, members, n * sizeof(*items));
		v->u.obj.items = items;
	}
	v->u.obj.n = (uint32_t)n;
	return v;
}

/* A synthetic member k: v (key text is static or arena-owned). */
static struct bl_member member(const char *k, const struct bl_value *v)
{
	struct bl_member m;
	memset(&m, 0, sizeof(m));
	m.key = k;
	m.klen = (uint32_t)strlen(k);
	m.val = *v;
	return m;
}

static bool key_is(const struct bl_member *m, const char *k)
{
	return m->klen == strlen(k) && memcmp(m->key, k, m->klen) == 0;
}

/* node's members with the keys in names[] replaced by vals[] (a NULL val
 * keeps the original; a key absent from node is appended). */
static struct bl_value *with(struct bl_arena *a, const struct bl_value *node,
			     const char *const *names, const struct bl_value *const *vals, size_t n)
{
	size_t cap = node->u.obj.n + n;
	struct bl_member *items = bl_arena_calloc(a, cap ? cap : 1, sizeof(*items));
	if (!items)
		return NULL;
	size_t k = 0;
	bool used[8] = {false};
	for (uint32_t i = 0; i < node->u.obj.n; i++) {
		items[k] = node->u.obj.items[i];
		for (size_t j = 0; j < n; j++) {
			if (vals[j] && key_is(&items[k], names[j])) {
				items[k].val = *vals[j];
				used[j] = true;
			}
		}
		k++;
	}
	for (size_t j = 0; j < n; j++)
		if (vals[j] && !used[j])
			items[k++] = member(names[j], vals[j]);
	return bl_tailor_object(a, items, k);
}

/* Definitions with each tailored value in place of the default. */
static const struct bl_value *effective_params(struct bl_arena *a, const struct bl_value *defs,
					       const struct bl_value *values)
{
	struct bl_member *items = bl_arena_calloc(a, defs->u.obj.n ? defs->u.obj.n : 1, sizeof(*items));
	if (!items)
		return NULL;
	for (uint32_t i = 0; i < defs->u.obj.n; i++) {
		const struct bl_member *d = &defs->u.obj.items[i];
		items[i] = *d;
		const struct bl_value *v = values ? bl_value_get(values, d->key, d->klen) : NULL;
		if (!v || d->val.type != BL_VOBJ)
			continue;
		/* defaultValue is the Azure spelling of default: one key either way. */
		bool azure = bl_value_getz(&d->val, "defaultValue") && !bl_value_getz(&d->val, "default");
		static const char *const dflt[] = {"default"}, *const azdflt[] = {"defaultValue"};
		const struct bl_value *nv = with(a, &d->val, azure ? azdflt : dflt, &v, 1);
		if (!nv)
			return NULL;
		items[i].val = *nv;
	}
	return bl_tailor_object(a, items, defs->u.obj.n);
}

int bl_tailor_effective_doc(const struct bl_value **out, struct bl_arena *a,
			    const struct bl_value *doc, const struct bl_value *defs,
			    const struct bl_value *values, const struct bl_tailored *ctl,
			    size_t n)
{
	struct bl_member top[5];
	size_t k = 0;
	static const char *const head[] = {"baseline", "version", "title"};
	for (size_t i = 0; i < 3; i++) {
		const struct bl_member *m = bl_value_member(doc, head[i], strlen(head[i]));
		if (m && key_is(m, head[i]))
			top[k++] = *m;
	}
	if (defs) {
		const struct bl_value *p = effective_params(a, defs, values);
		if (!p)
			return BL_ENOMEM;
		top[k++] = member("parameters", p);
	}
	struct bl_value *arr = bl_value_new(a, BL_VARR);
	if (!arr)
		return BL_ENOMEM;
	arr->u.arr.items = bl_arena_calloc(a, n ? n : 1, sizeof(*arr->u.arr.items));
	if (!arr->u.arr.items)
		return BL_ENOMEM;
	arr->u.arr.n = (uint32_t)n;
	static const char *const keys[] = {"severity", "effect", "scope", "parameters"};
	for (size_t i = 0; i < n; i++) {
		const struct bl_value *vals[] = {ctl[i].severity, ctl[i].effect, ctl[i].scope, ctl[i].params};
		const struct bl_value *c = ctl[i].node;
		if (vals[0] || vals[1] || vals[2] || vals[3]) {
			c = with(a, ctl[i].node, keys, vals, 4);
			if (!c)
				return BL_ENOMEM;
		}
		arr->u.arr.items[i] = *c;
	}
	top[k++] = member("controls", arr);
	const struct bl_value *v = bl_tailor_object(a, top, k);
	if (!v)
		return BL_ENOMEM;
	*out = v;
	return 0;
}

/* ---- list controls --effective -------------------------------------------- */

static void put_str(struct bl_buf *b, const char *s)
{
	if (s)
		bl_json_write_str(b, s, strlen(s));
	else
		bl_buf_adds(b, "null");
}

static void write_json(struct bl_buf *o, const struct bl_baseline *b)
{
	bl_buf_adds(o, "[");
	for (size_t i = 0; i < b->ncontrols; i++) {
		const struct bl_control *c = &b->controls[i];
		bl_buf_adds(o, i ? ",\n {\"id\": " : "\n {\"id\": ");
		put_str(o, c->id);
		bl_buf_adds(o, ", \"title\": ");
		put_str(o, c->title);
		bl_buf_printf(o, ", \"severity\": \"%s\", \"effect\": \"%s\", \"origin\": {\"baseline\": ",
			      bl_severity_name(c->severity), bl_effect_name(c->effect));
		put_str(o, c->origin);
		bl_buf_adds(o, ", \"file\": ");
		put_str(o, c->file);
		bl_buf_printf(o, ", \"line\": %u, \"inherited\": %s}, \"overrides\": [", c->line,
			      c->inherited ? "true" : "false");
		for (size_t k = 0; k < c->noverrides; k++) {
			const struct bl_override_note *n = &c->overrides[k];
			bl_buf_adds(o, k ? ", {\"baseline\": " : "{\"baseline\": ");
			put_str(o, n->baseline);
			bl_buf_adds(o, ", \"file\": ");
			put_str(o, n->file);
			bl_buf_printf(o, ", \"line\": %u, \"changes\": ", n->line);
			put_str(o, n->what);
			bl_buf_adds(o, "}");
		}
		bl_buf_adds(o, "]}");
	}
	bl_buf_adds(o, b->ncontrols ? "\n]\n" : "]\n");
}

int bl_baseline_write_effective(struct bl_buf *o, const struct bl_baseline *b, bool json)
{
	if (json) {
		write_json(o, b);
	} else {
		for (size_t i = 0; i < b->ncontrols; i++) {
			const struct bl_control *c = &b->controls[i];
			bl_buf_printf(o, "%-16s %-8s %-8s from %s (%s:%u)%s\n", c->id ? c->id : "?",
				      bl_severity_name(c->severity), bl_effect_name(c->effect),
				      c->origin ? c->origin : "?", c->file ? c->file : "?", c->line,
				      c->inherited ? "" : " (own)");
			for (size_t k = 0; k < c->noverrides; k++) {
				const struct bl_override_note *n = &c->overrides[k];
				bl_buf_printf(o, "    override by %s (%s:%u): %s\n", n->baseline,
					      n->file ? n->file : "?", n->line, n->what);
			}
		}
	}
	if (o->failed)
		return BL_ENOMEM;
	return 0;
}

/* ---- semantic versions ------------------------------------------------------ */

static bool digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Compare two numeric texts without leading zeros (length, then bytes). */
static int num_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	while (alen > 1 && *a == '0') {
		a++;
		alen--;
	}
	while (blen > 1 && *b == '0') {
		b++;
		blen--;
	}
	if (alen != blen)
		return alen < blen ? -1 : 1;
	int r = memcmp(a, b, alen);
	return (r > 0) - (r < 0);
}

static size_t span_digits(const char *s)
{
	size_t n = 0;
	while (digit(s[n]))
		n++;
	return n;
}

/* Parse MAJOR.MINOR.PATCH; *pre points after '-' (or NULL); false if not a version. */
static bool core(const char *s, const char *part[3], size_t len[3], const char **pre)
{
	const char *p = s;
	for (int i = 0; i < 3; i++) {
		size_t n = span_digits(p);
		if (!n)
			return false;
		part[i] = p;
		len[i] = n;
		p += n;
		if (i < 2) {
			if (*p != '.')
				return false;
			p++;
		}
	}
	*pre = NULL;
	if (*p == '-')
		*pre = p + 1;
	else if (*p != '+' && *p != '\0')
		return false;
	return true;
}

/* Length of a pre-release up to '+' or the end. */
static size_t pre_len(const char *p)
{
	size_t n = 0;
	while (p[n] && p[n] != '+')
		n++;
	return n;
}

/* semver §11.4: identifiers compared one by one, numeric ones as numbers and
 * below alphanumeric ones; a shorter list that is a prefix sorts first. */
static int pre_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i = 0, j = 0;
	while (i < alen && j < blen) {
		size_t ie = i, je = j;
		while (ie < alen && a[ie] != '.')
			ie++;
		while (je < blen && b[je] != '.')
			je++;
		bool an = ie > i, bn = je > j;
		for (size_t k = i; k < ie; k++)
			an &= digit(a[k]);
		for (size_t k = j; k < je; k++)
			bn &= digit(b[k]);
		int r;
		if (an && bn)
			r = num_cmp(a + i, ie - i, b + j, je - j);
		else if (an != bn)
			r = an ? -1 : 1;
		else {
			size_t n = ie - i < je - j ? ie - i : je - j;
			r = memcmp(a + i, b + j, n);
			r = (r > 0) - (r < 0);
			if (!r && ie - i != je - j)
				r = ie - i < je - j ? -1 : 1;
		}
		if (r)
			return r;
		i = ie < alen ? ie + 1 : ie;
		j = je < blen ? je + 1 : je;
	}
	if (i < alen)
		return 1;
	if (j < blen)
		return -1;
	return 0;
}

int bl_semver_cmp(const char *a, const char *b)
{
	const char *pa[3], *pb[3], *prea, *preb;
	size_t la[3], lb[3];
	bool va = a && core(a, pa, la, &prea), vb = b && core(b, pb, lb, &preb);
	if (!va || !vb)
		return va == vb ? 0 : (va ? 1 : -1);
	for (int i = 0; i < 3; i++) {
		int r = num_cmp(pa[i], la[i], pb[i], lb[i]);
		if (r)
			return r;
	}
	if (!prea || !preb)
		return prea == preb ? 0 : (prea ? -1 : 1);
	return pre_cmp(prea, pre_len(prea), preb, pre_len(preb));
}
