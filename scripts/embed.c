/*
 * embed.c - build-time tool: turn content files into C tables so shipped
 * baselines and catalogs live inside the binary, already parsed.
 *
 *   embed OUT.c OUT.h FILE...
 *
 * Each file becomes an entry named by its path below content/, e.g.
 * "baselines/linux-host.yaml", holding its bytes (a NUL-terminated string
 * literal split into short pieces: portable, no C23 #embed) and, for YAML
 * and JSON documents, the value tree our own readers build from it, written
 * out as pointer-free tables (struct bl_content_node, see write_nodes) that
 * model/content.c turns back into a tree.  Loading a builtin baseline or
 * catalog then costs no parsing at all (libyaml was half of startup), while the
 * tree is exactly what the run-time reader would produce: same values, same
 * line:col, file named as the loaders name it ("builtin:NAME" for
 * baselines, the entry name otherwise).  A document that does not parse
 * fails the build.
 *
 * So does a bad regex: every string under a `regex` or `notRegex` key
 * (except expressions and "[[" escapes, which are only known at run time)
 * is compiled here as rule/ops.c compiles it.  A shipped baseline's
 * patterns are then compiled on first use, not at every start
 * (struct bl_rule_env.lazy_regex), without losing the error: it is a build
 * error instead of a load error.
 *
 * Framework catalogs (frameworks/NAME.yaml|json) are checked here against
 * their format (docs/frameworks.md; the messages name file:line:col) and
 * written out a second time as the tables model/framework.c loads without
 * checking anything (struct bl_content_catalog): ids in canonical spelling
 * (model/fw_id.h, shared with the run time), the entry index by folded id,
 * strings as offsets.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <sodium.h>

#include "doc/json.h"
#include "doc/load.h"
#include "doc/value.h"
#include "model/fw_id.h"

static const char *strip(const char *p)
{
	const char *c = strstr(p, "content/");
	return c ? c + 8 : p;
}

static int has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n >= m && strcmp(s + n - m, suf) == 0;
}

static void cstr(FILE *o, const char *s, size_t len)
{
	fputc('"', o);
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || (ch && strchr(" _.,:;/=+-*#@!&%<>()[]{}|^~$'", ch)))
			fputc(ch, o);
		else
			fprintf(o, "\\%03o", ch);
		if (i % 96 == 95)
			fputs("\"\n\"", o);
	}
	fputc('"', o);
}

/* Growable array, exits on failure (a build tool: no recovery needed). */
static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return p;
	*cap = *cap ? *cap * 2 : 1024;
	p = realloc(p, *cap * size);
	if (!p) {
		fprintf(stderr, "embed: out of memory\n");
		exit(1);
	}
	return p;
}

/* The strings of one document, one after another (NUL-separated). */
struct pool {
	char *s;
	size_t n, cap;
};

static uint32_t pool_add(struct pool *p, const char *s, size_t len)
{
	if (p->n + len + 1 > UINT32_MAX) {
		fprintf(stderr, "embed: document too large\n");
		exit(1);
	}
	while (p->n + len + 1 > p->cap)
		p->s = grow(p->s, &p->cap, p->cap, 1);
	uint32_t at = (uint32_t)p->n;
	if (len)
		memcpy(p->s + p->n, s, len);
	p->s[p->n + len] = '\0';
	p->n += len + 1;
	return at;
}

/*
 * Write doc as struct bl_content_node records (content.h) without a single
 * pointer: children by index, strings by offset into one string literal.
 * (The trees used to be written as struct bl_value initialisers, whose
 * 50,000 pointers the dynamic loader relocated at every start: 1.2 million
 * instructions and some 320 written pages before main, for documents most
 * runs never read.)  Nodes are numbered breadth-first, so the children of
 * every array or object are consecutive.
 */
static void write_nodes(FILE *o, int i, const struct bl_value *doc, size_t *nnodes,
			size_t *nitems, size_t *nmembers)
{
	const struct bl_value **val = NULL;
	const struct bl_member **mem = NULL;
	size_t n = 0, cap = 0, mcap = 0;
	val = grow(val, &cap, n, sizeof(*val));
	mem = grow(mem, &mcap, n, sizeof(*mem));
	val[n] = doc;
	mem[n++] = NULL;
	struct pool pool = {0};
	fprintf(o, "static const struct bl_content_node nodes%d[] = {\n", i);
	for (size_t k = 0; k < n; k++) {
		const struct bl_value *v = val[k];
		const struct bl_member *m = mem[k];
		uint32_t key = 0, s = 0, len = 0, kids = 0, cnt = 0;
		if (m)
			key = pool_add(&pool, m->key, m->klen);
		if (v->type == BL_VNUM) {
			s = pool_add(&pool, v->u.num.text, v->u.num.len);
			len = v->u.num.len;
		} else if (v->type == BL_VSTR || v->type == BL_VERR || v->type == BL_VNA) {
			s = pool_add(&pool, v->u.str.s ? v->u.str.s : "", v->u.str.len);
			len = v->u.str.len;
		} else if (v->type == BL_VARR || v->type == BL_VOBJ) {
			cnt = v->type == BL_VARR ? v->u.arr.n : v->u.obj.n;
			*(v->type == BL_VARR ? nitems : nmembers) += cnt;
			kids = (uint32_t)n;
			for (uint32_t c = 0; c < cnt; c++) {
				val = grow(val, &cap, n, sizeof(*val));
				mem = grow(mem, &mcap, n, sizeof(*mem));
				mem[n] = v->type == BL_VOBJ ? &v->u.obj.items[c] : NULL;
				val[n++] = v->type == BL_VOBJ ? &v->u.obj.items[c].val : &v->u.arr.items[c];
			}
		}
		fprintf(o, "{%.17g, %u, %u, %u, %u, %u, %u, %u, %u, %u, %u, %u, %u, %u, %u},\n",
			v->type == BL_VNUM ? v->u.num.d : 0.0, key, m ? m->klen : 0,
			m ? m->line : 0, m ? m->col : 0, v->line, v->col, s, len, kids, cnt,
			v->type, v->flags, v->b ? 1 : 0, v->file ? 1 : 0);
	}
	fputs("};\n", o);
	fprintf(o, "static const char strings%d[] =\n", i);
	cstr(o, pool.s ? pool.s : "", pool.n);
	fputs(";\n", o);
	*nnodes = n;
	free(val);
	free(mem);
	free(pool.s);
}

static int key_is(const struct bl_member *m, const char *k)
{
	size_t n = strlen(k);
	if (m->klen != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((m->key[i] | 0x20) != (k[i] | 0x20))
			return 0;
	return 1;
}

/* Compile every literal regex operand below v (see the top comment);
 * returns how many do not compile, each reported as path:line:col. */
static int check_regexes(const char *path, const struct bl_value *v)
{
	int bad = 0;
	if (v->type == BL_VARR) {
		for (uint32_t i = 0; i < v->u.arr.n; i++)
			bad += check_regexes(path, &v->u.arr.items[i]);
		return bad;
	}
	if (v->type != BL_VOBJ)
		return 0;
	for (uint32_t i = 0; i < v->u.obj.n; i++) {
		const struct bl_member *m = &v->u.obj.items[i];
		const struct bl_value *p = &m->val;
		bad += check_regexes(path, p);
		if (!(key_is(m, "regex") || key_is(m, "notRegex")) || p->type != BL_VSTR)
			continue;
		size_t len = p->u.str.len;
		const char *s = p->u.str.s;
		if (len >= 2 && s[0] == '[' && s[len - 1] == ']')
			continue;
		int errcode = 0;
		PCRE2_SIZE erroff = 0;
		pcre2_code *re = pcre2_compile((PCRE2_SPTR)s, len, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF,
					       &errcode, &erroff, NULL);
		if (re) {
			pcre2_code_free(re);
			continue;
		}
		PCRE2_UCHAR msg[160];
		if (pcre2_get_error_message(errcode, msg, sizeof(msg)) < 0)
			snprintf((char *)msg, sizeof(msg), "error %d", errcode);
		fprintf(stderr, "%s:%u:%u: invalid regex at offset %zu: %s\n", path, p->line, p->col,
			(size_t)erroff, (const char *)msg);
		bad++;
	}
	return bad;
}

/* ---- framework catalogs ------------------------------------------------ */

#define CAT_ID_MAX 64     /* as model/framework.c's ID_MAX */
#define NONE 0xffffffffu  /* BL_CONTENT_NONE */

struct u32s {
	uint32_t *v;
	size_t n, cap;
};

static void u32_add(struct u32s *a, uint32_t x)
{
	a->v = grow(a->v, &a->cap, a->n, sizeof(*a->v));
	a->v[a->n++] = x;
}

struct cat {
	const char *path;   /* for messages */
	struct pool pool;
	struct u32s ents;   /* 5 per entry: id, group, title, maps, nmaps */
	struct u32s hints;  /* 3 per list: name, first id, count */
	struct u32s sels;
	struct u32s fams;   /* 3 per family: id, title, last */
	struct u32s ids;    /* string offsets */
	uint32_t id, title, version;
	int has_fam, has_sel;
};

/* Print path:line:col: msg, return 1 (a build tool: the first problem). */
static int cat_bad(const struct cat *c, const struct bl_value *at, const char *msg, const char *arg)
{
	fprintf(stderr, "%s:%u:%u: %s%s%s\n", c->path, at ? at->line : 0, at ? at->col : 0, msg,
		arg ? " " : "", arg ? arg : "");
	return 1;
}

struct key_rule {
	const char *name;
	int type;        /* BL_VSTR, BL_VARR, BL_VOBJ; BL_VNUM means an integer */
	int required;
};

/* The members of obj by the rules (found[k] NULL when absent); 1 after a
 * message when obj is not an object, has another key or a wrong type. */
static int cat_shape(const struct cat *c, const struct bl_value *obj, const char *what,
		     const struct key_rule *rules, size_t n, const struct bl_value **found)
{
	char msg[64];
	if (obj->type != BL_VOBJ) {
		snprintf(msg, sizeof(msg), "a catalog %s must be an object", what);
		return cat_bad(c, obj, msg, NULL);
	}
	for (size_t k = 0; k < n; k++)
		found[k] = NULL;
	for (uint32_t i = 0; i < obj->u.obj.n; i++) {
		const struct bl_member *m = &obj->u.obj.items[i];
		size_t k = 0;
		while (k < n && !(strlen(rules[k].name) == m->klen &&
				  memcmp(rules[k].name, m->key, m->klen) == 0))
			k++;
		if (k == n) {
			char key[64];
			snprintf(key, sizeof(key), "%.*s", (int)(m->klen < 60 ? m->klen : 60), m->key);
			snprintf(msg, sizeof(msg), "unknown key in a catalog %s:", what);
			return cat_bad(c, &m->val, msg, key);
		}
		const struct bl_value *v = &m->val;
		int ok = rules[k].type == BL_VNUM ? v->type == BL_VNUM && (v->flags & BL_VF_INT)
						  : (int)v->type == rules[k].type;
		if (!ok)
			return cat_bad(c, v, "wrong type for key", rules[k].name);
		found[k] = v;
	}
	for (size_t k = 0; k < n; k++)
		if (rules[k].required && !found[k])
			return cat_bad(c, obj, "missing key", rules[k].name);
	return 0;
}

static uint32_t cat_str(struct cat *c, const struct bl_value *v)
{
	return pool_add(&c->pool, v->u.str.s, v->u.str.len);
}

/* The elements of arr (control ids) in canonical spelling, appended to
 * c->ids; *first where they start. */
static int cat_ids(struct cat *c, const struct bl_value *arr, uint32_t *first)
{
	*first = (uint32_t)c->ids.n;
	for (uint32_t i = 0; i < arr->u.arr.n; i++) {
		const struct bl_value *e = &arr->u.arr.items[i];
		char id[CAT_ID_MAX], canon[CAT_ID_MAX];
		if (e->type != BL_VSTR || e->u.str.len >= CAT_ID_MAX || memchr(e->u.str.s, 0, e->u.str.len))
			return cat_bad(c, e, "catalog ids must be short strings", NULL);
		memcpy(id, e->u.str.s, e->u.str.len);
		id[e->u.str.len] = '\0';
		size_t len = bl_fw_canon(canon, sizeof(canon), id);
		if (!len)
			return cat_bad(c, e, "empty catalog id", NULL);
		u32_add(&c->ids, pool_add(&c->pool, canon, len));
	}
	return 0;
}

static int ieq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		int x = (unsigned char)*a, y = (unsigned char)*b;
		if (x >= 'A' && x <= 'Z')
			x += 32;
		if (y >= 'A' && y <= 'Z')
			y += 32;
		if (x != y)
			return 0;
	}
	return *a == *b;
}

/* Index of the entry with id canon (case-insensitively), or -1. */
static long cat_find(const struct cat *c, const char *canon)
{
	for (size_t i = 0; i < c->ents.n / 5; i++)
		if (ieq(c->pool.s + c->ents.v[5 * i], canon))
			return (long)i;
	return -1;
}

static int cat_check(struct cat *c, const struct bl_value *doc)
{
	static const struct key_rule top[] = {
		{"framework", BL_VSTR, 1}, {"title", BL_VSTR, 1}, {"version", BL_VSTR, 1},
		{"families", BL_VARR, 0}, {"selections", BL_VOBJ, 0}, {"controls", BL_VARR, 1},
	};
	static const struct key_rule fam[] = {
		{"id", BL_VSTR, 1}, {"title", BL_VSTR, 1}, {"controls", BL_VNUM, 1},
	};
	static const struct key_rule ent[] = {
		{"id", BL_VSTR, 1}, {"group", BL_VSTR, 1}, {"title", BL_VSTR, 0}, {"maps", BL_VOBJ, 0},
	};
	const struct bl_value *f[6], *g[4];
	if (!doc)
		return cat_bad(c, NULL, "empty catalog", NULL);
	if (cat_shape(c, doc, "catalog", top, 6, f))
		return 1;
	c->id = cat_str(c, f[0]);
	c->title = cat_str(c, f[1]);
	c->version = cat_str(c, f[2]);
	c->has_fam = f[3] != NULL;
	c->has_sel = f[4] != NULL;
	for (uint32_t i = 0; f[3] && i < f[3]->u.arr.n; i++) {
		if (cat_shape(c, &f[3]->u.arr.items[i], "family", fam, 3, g))
			return 1;
		double last = g[2]->u.num.d;
		if (last < 1 || last > 10000)
			return cat_bad(c, g[2], "family control count out of range", NULL);
		u32_add(&c->fams, cat_str(c, g[0]));
		u32_add(&c->fams, cat_str(c, g[1]));
		u32_add(&c->fams, (uint32_t)last);
	}
	const struct bl_value *controls = f[5];
	for (uint32_t i = 0; i < controls->u.arr.n; i++) {
		if (cat_shape(c, &controls->u.arr.items[i], "control", ent, 4, g))
			return 1;
		const struct bl_value *idv = g[0];
		char canon[CAT_ID_MAX];
		if (idv->u.str.len >= CAT_ID_MAX)
			return cat_bad(c, idv, "control id is too long", NULL);
		memcpy(canon, idv->u.str.s, idv->u.str.len);
		canon[idv->u.str.len] = '\0';
		if (!bl_fw_canonical_as_is(idv->u.str.s, idv->u.str.len)) {
			if (!bl_fw_canon(canon, sizeof(canon), canon))
				return cat_bad(c, idv, "empty control id", NULL);
			return cat_bad(c, idv, "control id is not in canonical spelling:", canon);
		}
		if (cat_find(c, canon) >= 0)
			return cat_bad(c, idv, "duplicate control id", canon);
		uint32_t maps = NONE, nmaps = 0;
		if (g[3]) {
			maps = (uint32_t)(c->hints.n / 3);
			for (uint32_t k = 0; k < g[3]->u.obj.n; k++) {
				const struct bl_member *m = &g[3]->u.obj.items[k];
				if (m->val.type != BL_VARR)
					return cat_bad(c, &m->val, "maps values must be arrays of ids", NULL);
				uint32_t first;
				if (cat_ids(c, &m->val, &first))
					return 1;
				u32_add(&c->hints, pool_add(&c->pool, m->key, m->klen));
				u32_add(&c->hints, first);
				u32_add(&c->hints, m->val.u.arr.n);
			}
			nmaps = g[3]->u.obj.n;
		}
		u32_add(&c->ents, cat_str(c, g[0]));
		u32_add(&c->ents, cat_str(c, g[1]));
		u32_add(&c->ents, g[2] ? cat_str(c, g[2]) : NONE);
		u32_add(&c->ents, maps);
		u32_add(&c->ents, nmaps);
	}
	if (c->ents.n == 0)
		return cat_bad(c, controls, "the catalog lists no controls", NULL);
	for (uint32_t i = 0; f[4] && i < f[4]->u.obj.n; i++) {
		const struct bl_member *m = &f[4]->u.obj.items[i];
		if (m->val.type != BL_VARR)
			return cat_bad(c, &m->val, "a selection must be an array of control ids", NULL);
		uint32_t first;
		if (cat_ids(c, &m->val, &first))
			return 1;
		for (uint32_t k = 0; k < m->val.u.arr.n; k++)
			if (cat_find(c, c->pool.s + c->ids.v[first + k]) < 0)
				return cat_bad(c, &m->val.u.arr.items[k],
					       "selection names a control the catalog does not list:",
					       c->pool.s + c->ids.v[first + k]);
		u32_add(&c->sels, pool_add(&c->pool, m->key, m->klen));
		u32_add(&c->sels, first);
		u32_add(&c->sels, m->val.u.arr.n);
	}
	return 0;
}

static void u32_rows(FILE *o, const char *type, const char *name, int i, const struct u32s *a,
		     size_t width)
{
	fprintf(o, "static const %s %s%d[] = {\n", type, name, i);
	for (size_t k = 0; k < a->n; k += width) {
		fputs(width > 1 ? "\t{" : "\t", o);
		for (size_t j = 0; j < width; j++)
			fprintf(o, "%s%uu", j ? ", " : "", a->v[k + j]);
		fputs(width > 1 ? "},\n" : ",\n", o);
	}
	fputs(width > 1 ? "\t{0}\n};\n" : "\t0\n};\n", o);   /* never empty */
}

/* Write catalog c (entry i of the file table) as the tables framework.c
 * loads: the entry index is what bl_catalog_entry probes (indexcap a power
 * of two > 2 x entries, entry index + 1 at the first free slot from the
 * folded id's hash). */
static void cat_write(FILE *o, int i, const char *name, const struct cat *c)
{
	size_t n = c->ents.n / 5, cap = 64;
	while (cap < 2 * n + 2)
		cap *= 2;
	struct u32s index = {0};
	for (size_t k = 0; k < cap; k++)
		u32_add(&index, 0);
	for (size_t k = 0; k < n; k++) {
		size_t at = (size_t)bl_fw_fold_hash(c->pool.s + c->ents.v[5 * k]) & (cap - 1);
		while (index.v[at])
			at = (at + 1) & (cap - 1);
		index.v[at] = (uint32_t)k + 1;
	}
	/* a stable insertion sort (a few hundred entries, at build time) */
	struct u32s order = {0};
	for (size_t k = 0; k < n; k++) {
		u32_add(&order, (uint32_t)k);
		for (size_t j = k; j > 0 && bl_fw_natural_cmp(c->pool.s + c->ents.v[5 * order.v[j - 1]],
							      c->pool.s + c->ents.v[5 * order.v[j]]) > 0; j--) {
			uint32_t t = order.v[j];
			order.v[j] = order.v[j - 1];
			order.v[j - 1] = t;
		}
	}
	fprintf(o, "static const char catstr%d[] = ", i);
	cstr(o, c->pool.s, c->pool.n);
	fputs(";\n", o);
	u32_rows(o, "struct bl_content_fw_entry", "catent", i, &c->ents, 5);
	u32_rows(o, "struct bl_content_fw_list", "cathint", i, &c->hints, 3);
	u32_rows(o, "struct bl_content_fw_list", "catsel", i, &c->sels, 3);
	u32_rows(o, "struct bl_content_fw_family", "catfam", i, &c->fams, 3);
	u32_rows(o, "uint32_t", "catids", i, &c->ids, 1);
	u32_rows(o, "uint32_t", "catindex", i, &index, 1);
	u32_rows(o, "uint32_t", "catorder", i, &order, 1);
	fprintf(o, "#define CATALOG%d {\"%s\", catstr%d, %uu, %uu, %uu, catent%d, %zu, cathint%d, %zu, "
		   "catsel%d, %zu, %d, catfam%d, %zu, %d, catids%d, %zu, catindex%d, %zu, catorder%d}\n",
		i, name, i, c->id, c->title, c->version, i, n, i, c->hints.n / 3, i, c->sels.n / 3,
		c->has_sel, i, c->fams.n / 3, c->has_fam, i, c->ids.n, i, cap, i);
	free(index.v);
	free(order.v);
}

static int is_catalog(const char *name)
{
	return strncmp(name, "frameworks/", 11) == 0 && !strchr(name + 11, '/');
}

static void bytes(FILE *c, const char *path, int i)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		exit(1);
	}
	fprintf(c, "static const char file%d[] =\n\"", i);
	int ch, col = 0;
	long n = 0;
	while ((ch = fgetc(f)) != EOF) {
		fprintf(c, "\\%03o", (unsigned)ch & 0xffu);
		n++;
		if (++col == 32) {
			fprintf(c, "\"\n\"");
			col = 0;
		}
	}
	fprintf(c, "\";\n/* %ld bytes */\n", n);
	fclose(f);
}

/* No half-written output: make would take it for up to date. */
static int fail(char **argv)
{
	remove(argv[1]);
	remove(argv[2]);
	return 1;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: embed OUT.c OUT.h FILE...\n");
		return 2;
	}
	FILE *c = fopen(argv[1], "w"), *h = fopen(argv[2], "w");
	if (!c || !h) {
		perror("embed");
		return 1;
	}
	fprintf(h, "/* generated by scripts/embed.c - do not edit */\n"
		   "#ifndef BL_GEN_CONTENT_H\n#define BL_GEN_CONTENT_H\n#include <stddef.h>\n"
		   "#include <stdint.h>\n"
		   "/* One value of a document, or one member of an object with its value:\n"
		   " * struct bl_value and struct bl_member (doc/value.h) without pointers, so\n"
		   " * that the tables stay read-only data that nothing relocates at load time\n"
		   " * (model/content.c rebuilds trees from them on demand). */\n"
		   "struct bl_content_node {\n"
		   "\tdouble d;                /* number: its value */\n"
		   "\tuint32_t key, klen;      /* member: its key (offset into strings, length) */\n"
		   "\tuint32_t kline, kcol;    /* member: the key's position */\n"
		   "\tuint32_t line, col;\n"
		   "\tuint32_t s, len;         /* string, number text: offset into strings, length */\n"
		   "\tuint32_t kids, n;        /* array, object: index of the first child, count */\n"
		   "\tuint8_t type, flags, b, hasfile;   /* hasfile: file is the entry's label */\n"
		   "};\n"
		   "/* nodes: the parsed document (YAML/JSON entries; nodes[0] the root), NULL\n"
		   " * for other files; label: the file name its nodes carry */\n"
		   "/* sha256: hex SHA-256 of the tree's compact JSON (the baseline hash), or NULL */\n"
		   "struct bl_content_file { const char *name; const char *data; size_t len;\n"
		   "\tconst struct bl_content_node *nodes; size_t nnodes; const char *strings;\n"
		   "\tconst char *label; const char *sha256;\n"
		   "\tsize_t nitems, nmembers;   /* array elements and object members in nodes */\n"
		   "};\n"
		   "extern const struct bl_content_file bl_content_files[];\n"
		   "extern const size_t bl_content_nfiles;\n"
		   "/* The framework catalogs (frameworks/NAME.*), checked at build time, as\n"
		   " * model/framework.c loads them: strings are offsets into strings\n"
		   " * (NUL-terminated), ids in canonical spelling, BL_CONTENT_NONE for none;\n"
		   " * lists index ids[]; index: entry index + 1 by folded id (bl_catalog_entry);\n"
		   " * order: the entries' stable sort by bl_fw_natural_cmp. */\n"
		   "#define BL_CONTENT_NONE 0xffffffffu\n"
		   "struct bl_content_fw_entry { uint32_t id, group, title, maps, nmaps; };\n"
		   "struct bl_content_fw_list { uint32_t name, ids, n; };\n"
		   "struct bl_content_fw_family { uint32_t id, title, last; };\n"
		   "struct bl_content_catalog { const char *file; const char *strings;\n"
		   "\tuint32_t id, title, version;\n"
		   "\tconst struct bl_content_fw_entry *entries; size_t n;\n"
		   "\tconst struct bl_content_fw_list *hints; size_t nhints;\n"
		   "\tconst struct bl_content_fw_list *selections; size_t nselections; int has_selections;\n"
		   "\tconst struct bl_content_fw_family *families; size_t nfamilies; int has_families;\n"
		   "\tconst uint32_t *ids; size_t nids;\n"
		   "\tconst uint32_t *index; size_t indexcap;\n"
		   "\tconst uint32_t *order;   /* entry indexes in natural id order */\n"
		   "};\n"
		   "extern const struct bl_content_catalog bl_content_catalogs[];\n"
		   "extern const size_t bl_content_ncatalogs;\n#endif\n");
	fprintf(c, "/* generated by scripts/embed.c - do not edit */\n#include \"content.h\"\n");
	size_t *nnodes = calloc((size_t)argc, sizeof(*nnodes));
	size_t *nitems = calloc((size_t)argc, sizeof(*nitems));
	size_t *nmembers = calloc((size_t)argc, sizeof(*nmembers));
	char (*hex)[65] = calloc((size_t)argc, sizeof(*hex));
	char **catid = calloc((size_t)argc, sizeof(*catid));   /* framework id of a catalog */
	if (!nnodes || !nitems || !nmembers || !hex || !catid || sodium_init() < 0) {
		fprintf(stderr, "embed: cannot start\n");
		return 1;
	}
	for (int i = 3; i < argc; i++) {
		bytes(c, argv[i], i);
		const char *name = strip(argv[i]);
		if (!has_suffix(name, ".yaml") && !has_suffix(name, ".json"))
			continue;
		/* the name the loaders give the document (baseline.c, framework.c) */
		char label[512];
		if (strncmp(name, "baselines/", 10) == 0)
			snprintf(label, sizeof(label), "builtin:%.*s", (int)(strlen(name) - 15), name + 10);
		else
			snprintf(label, sizeof(label), "%s", name);
		FILE *f = fopen(argv[i], "rb");
		static char buf[64 << 20];
		size_t len = f ? fread(buf, 1, sizeof(buf), f) : 0;
		if (f)
			fclose(f);
		struct bl_arena a;
		bl_arena_init(&a, 0);
		struct bl_error err;
		const struct bl_value *doc = NULL;
		if (bl_doc_parse(&doc, &a, buf, len, label, &err) != 0) {
			fprintf(stderr, "%s:%u:%u: %s\n", argv[i], err.line, err.col, err.msg);
			return fail(argv);
		}
		if (check_regexes(argv[i], doc))
			return fail(argv);
		if (is_catalog(name)) {
			struct cat cat = {.path = argv[i]};
			if (cat_check(&cat, doc))
				return fail(argv);
			catid[i] = strdup(cat.pool.s + cat.id);
			for (int k = 3; catid[i] && k < i; k++)
				if (catid[k] && ieq(catid[k], catid[i])) {
					fprintf(stderr, "%s: two catalogs define framework %s\n", argv[i], catid[i]);
					return fail(argv);
				}
			cat_write(c, i, name, &cat);
			free(cat.pool.s);
			free(cat.ents.v);
			free(cat.hints.v);
			free(cat.sels.v);
			free(cat.fams.v);
			free(cat.ids.v);
		}
		fprintf(c, "static const char label%d[] = ", i);
		cstr(c, label, strlen(label));
		fputs(";\n", c);
		write_nodes(c, i, doc, &nnodes[i], &nitems[i], &nmembers[i]);
		struct bl_buf jb;
		bl_buf_init(&jb, 0);
		unsigned char md[crypto_hash_sha256_BYTES];
		if (bl_json_write(&jb, doc, 0) != 0 || jb.failed) {
			fprintf(stderr, "%s: cannot write canonical JSON\n", argv[i]);
			return fail(argv);
		}
		crypto_hash_sha256(md, (const unsigned char *)jb.data, jb.len);
		sodium_bin2hex(hex[i], sizeof(hex[i]), md, sizeof(md));
		bl_buf_free(&jb);
		bl_arena_free(&a);
	}
	fprintf(c, "const struct bl_content_file bl_content_files[] = {\n");
	for (int i = 3; i < argc; i++) {
		fprintf(c, "\t{\"%s\", file%d, sizeof(file%d) - 1, ", strip(argv[i]), i, i);
		if (nnodes[i])
			fprintf(c, "nodes%d, %zu, strings%d, label%d, \"%s\", %zu, %zu},\n", i,
				nnodes[i], i, i, hex[i], nitems[i], nmembers[i]);
		else
			fprintf(c, "NULL, 0, NULL, NULL, NULL, 0, 0},\n");
	}
	fprintf(c, "\t{NULL, NULL, 0, NULL, 0, NULL, NULL, NULL, 0, 0}\n};\n");
	fprintf(c, "const size_t bl_content_nfiles = %d;\n", argc - 3);
	int ncat = 0;
	fprintf(c, "const struct bl_content_catalog bl_content_catalogs[] = {\n");
	for (int i = 3; i < argc; i++)
		if (catid[i]) {
			fprintf(c, "\tCATALOG%d,\n", i);
			ncat++;
		}
	fprintf(c, "\t{0}\n};\nconst size_t bl_content_ncatalogs = %d;\n", ncat);
	fclose(c);
	fclose(h);
	return 0;
}
