/*
 * related.c - the related-resource index and the evaluation of `related:`
 * controls (see related.h and docs/azure-policy-evaluation.md).
 *
 * Azure's rule: when the related type is "underneath" the evaluated
 * resource (a child type of its type, or an extension type such as
 * Microsoft.Insights/diagnosticSettings), the candidates are the resources
 * of that type within the resource's scope (id prefix "<resource id>/");
 * otherwise they are the resources of that type in the same resource group
 * (or `resourceGroupName`, or the whole subscription with existenceScope
 * subscription).  Ids are compared lower-cased, as Azure compares them, and
 * the index is sorted by lower-cased id so that every one of those scopes is
 * one contiguous range found by binary search.
 */
#include "engine/related.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "adapt/adapt.h"
#include "doc/json.h"
#include "doc/load.h"
#include "doc/stream.h"
#include "doc/yaml.h"
#include "rule/expr.h"
#include "util/str.h"

struct reltype {
	char *ltype;        /* lower-cased type */
	size_t len;
	bool extension;     /* instances are extension resources of other resources */
};

struct relent {
	const char *lid;    /* lower-cased id */
	size_t idlen;
	const char *id;     /* as written */
	size_t type;        /* index into types */
	size_t seq;         /* order of addition, for a stable sort */
	const struct bl_value *doc;
};

struct bl_relidx {
	struct bl_arena arena;
	struct reltype *types;
	size_t ntypes;
	struct relent *items;   /* malloc'd */
	size_t n, cap;
};

/* Types that Azure treats as extension resources: their instances live
 * under "<scope>/providers/<type>/<name>" of the resource they describe.
 * A type seen in the snapshot with such an id counts too. */
static const char *const extension_types[] = {
	"microsoft.insights/diagnosticsettings",
	"microsoft.insights/datacollectionruleassociations",
	"microsoft.authorization/locks",
	"microsoft.authorization/roleassignments",
	"microsoft.authorization/policyassignments",
	"microsoft.security/advancedthreatprotectionsettings",
	"microsoft.security/defenderforstoragesettings",
	"microsoft.security/assessments",
	"microsoft.guestconfiguration/guestconfigurationassignments",
	"microsoft.maintenance/configurationassignments",
};

static char *lower_dup(struct bl_arena *a, const char *s, size_t len)
{
	char *p = bl_arena_alloc(a, len + 1);
	if (!p)
		return NULL;
	for (size_t i = 0; i < len; i++)
		p[i] = (char)bl_lower((unsigned char)s[i]);
	p[len] = '\0';
	return p;
}

/* The types subscription() and resourceGroup() read their properties from. */
#define SUB_TYPE "microsoft.resources/subscriptions"
#define RG_TYPE "microsoft.resources/subscriptions/resourcegroups"

static bool related_calls(const struct bl_related *r, const char *fn)
{
	return r && (bl_cond_calls(r->existence, fn) ||
		     (r->name_expr && bl_expr_text_calls(bl_expr_text(r->name_expr), fn)) ||
		     (r->rg_expr && bl_expr_text_calls(bl_expr_text(r->rg_expr), fn)));
}

static bool baseline_calls(const struct bl_baseline *b, const char *fn)
{
	for (size_t i = 0; i < b->ncontrols; i++) {
		const struct bl_control *c = &b->controls[i];
		if (c->effect == BL_EFFECT_DISABLED)
			continue;
		if (bl_cond_calls(c->cond, fn) || bl_cond_calls(c->applies, fn) ||
		    related_calls(c->related, fn))
			return true;
	}
	return false;
}

bool bl_relidx_wanted(const struct bl_baseline *b)
{
	return b->has_related || baseline_calls(b, "subscription") ||
	       baseline_calls(b, "resourceGroup");
}

/* Add type (any case) to x's types unless it is there. */
static int want_type(struct bl_relidx *x, const char *type)
{
	size_t len = strlen(type);
	for (size_t k = 0; k < x->ntypes; k++)
		if (bl_str_ieq(x->types[k].ltype, x->types[k].len, type, len))
			return 0;
	struct reltype *t = &x->types[x->ntypes++];
	t->ltype = lower_dup(&x->arena, type, len);
	if (!t->ltype)
		return BL_ENOMEM;
	t->len = len;
	for (size_t k = 0; k < sizeof(extension_types) / sizeof(extension_types[0]); k++)
		if (strcmp(extension_types[k], t->ltype) == 0)
			t->extension = true;
	return 0;
}

int bl_relidx_new(struct bl_relidx **out, const struct bl_baseline *b)
{
	*out = NULL;
	struct bl_relidx *x = calloc(1, sizeof(*x));
	if (!x)
		return BL_ENOMEM;
	bl_arena_init(&x->arena, 0);
	size_t n = 2;
	for (size_t i = 0; i < b->ncontrols; i++)
		n += b->controls[i].related != NULL;
	x->types = bl_arena_calloc(&x->arena, n, sizeof(*x->types));
	int rc = x->types ? 0 : BL_ENOMEM;
	for (size_t i = 0; i < b->ncontrols && !rc; i++) {
		const struct bl_related *r = b->controls[i].related;
		if (r && r->type)
			rc = want_type(x, r->type);
	}
	/* subscription().tags and resourceGroup().tags come from these */
	if (!rc && baseline_calls(b, "subscription"))
		rc = want_type(x, SUB_TYPE);
	if (!rc && baseline_calls(b, "resourceGroup"))
		rc = want_type(x, RG_TYPE);
	if (rc) {
		bl_relidx_free(x);
		return rc;
	}
	*out = x;
	return 0;
}

/* The indexed resource whose id is id (case-insensitive), or NULL. */
static const struct bl_value *relidx_find(const void *ctx, const char *id, size_t len)
{
	const struct bl_relidx *x = ctx;
	size_t lo = 0, hi = x->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct relent *e = &x->items[mid];
		size_t m = e->idlen < len ? e->idlen : len;
		int r = 0;
		for (size_t i = 0; i < m && !r; i++)
			r = (int)(unsigned char)e->lid[i] - (int)bl_lower((unsigned char)id[i]);
		if (r < 0 || (r == 0 && e->idlen < len))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < x->n && x->items[lo].idlen == len) {
		const struct relent *e = &x->items[lo];
		bool same = true;
		for (size_t i = 0; i < len && same; i++)
			same = e->lid[i] == bl_lower((unsigned char)id[i]);
		if (same)
			return e->doc;
	}
	return NULL;
}

void bl_relidx_attach(const struct bl_relidx *x, struct bl_eval *ev)
{
	ev->find_resource = x ? relidx_find : NULL;
	ev->find_ctx = x;
}

void bl_relidx_free(struct bl_relidx *x)
{
	if (!x)
		return;
	free(x->items);
	bl_arena_free(&x->arena);
	free(x);
}

size_t bl_relidx_count(const struct bl_relidx *x)
{
	return x ? x->n : 0;
}

size_t bl_relidx_bytes(const struct bl_relidx *x)
{
	return x ? x->arena.used + x->cap * sizeof(*x->items) : 0;
}

static long find_type(const struct bl_relidx *x, const char *s, size_t len)
{
	for (size_t k = 0; k < x->ntypes; k++)
		if (bl_str_ieq(x->types[k].ltype, x->types[k].len, s, len))
			return (long)k;
	return -1;
}

/* Deep copy into a (positions kept); NULL on ENOMEM. */
static struct bl_value *copy_value(struct bl_arena *a, const struct bl_value *v, int depth)
{
	struct bl_value *c = bl_arena_alloc(a, sizeof(*c));
	if (!c || depth > 256)
		return NULL;
	*c = *v;
	switch ((enum bl_vtype)v->type) {
	case BL_VSTR:
	case BL_VERR:
	case BL_VNA:
		c->u.str.s = bl_arena_strndup(a, v->u.str.s, v->u.str.len);
		return c->u.str.s ? c : NULL;
	case BL_VNUM:
		c->u.num.text = bl_arena_strndup(a, v->u.num.text, v->u.num.len);
		return c->u.num.text ? c : NULL;
	case BL_VARR:
		if (v->u.arr.n) {
			c->u.arr.items = bl_arena_alloc(a, v->u.arr.n * sizeof(*c->u.arr.items));
			if (!c->u.arr.items)
				return NULL;
			for (uint32_t i = 0; i < v->u.arr.n; i++) {
				const struct bl_value *e = copy_value(a, &v->u.arr.items[i], depth + 1);
				if (!e)
					return NULL;
				c->u.arr.items[i] = *e;
			}
		}
		return c;
	case BL_VOBJ:
		if (v->u.obj.n) {
			c->u.obj.items = bl_arena_alloc(a, v->u.obj.n * sizeof(*c->u.obj.items));
			if (!c->u.obj.items)
				return NULL;
			for (uint32_t i = 0; i < v->u.obj.n; i++) {
				struct bl_member *m = &c->u.obj.items[i];
				*m = v->u.obj.items[i];
				m->key = bl_arena_strndup(a, m->key, m->klen);
				const struct bl_value *e = copy_value(a, &v->u.obj.items[i].val, depth + 1);
				if (!m->key || !e)
					return NULL;
				m->val = *e;
			}
		}
		return c;
	case BL_VNULL:
	case BL_VBOOL:
		break;
	}
	return c;
}

/* Is lid (lower-cased) "<a resource id>/providers/<ns>/<type>/<name>", an
 * extension resource whose scope is itself a resource? */
static bool is_extension_id(const char *lid, size_t len)
{
	static const char pv[] = "/providers/";
	size_t k = sizeof(pv) - 1, last = SIZE_MAX, count = 0;
	for (size_t i = 0; i + k <= len; i++) {
		if (memcmp(lid + i, pv, k) == 0) {
			count++;
			last = i;
		}
	}
	return count >= 2 && last != SIZE_MAX;
}

int bl_relidx_add(struct bl_relidx *x, const struct bl_value *res)
{
	if (!res || res->type != BL_VOBJ)
		return 0;
	const struct bl_value *t = bl_value_getz(res, "type");
	const struct bl_value *id = bl_value_getz(res, "id");
	if (!t || t->type != BL_VSTR || !id || id->type != BL_VSTR || id->u.str.len == 0)
		return 0;
	long k = find_type(x, t->u.str.s, t->u.str.len);
	if (k < 0)
		return 0;
	if (x->n == x->cap) {
		size_t ncap = x->cap ? x->cap * 2 : 64;
		struct relent *ni = realloc(x->items, ncap * sizeof(*ni));
		if (!ni)
			return BL_ENOMEM;
		x->items = ni;
		x->cap = ncap;
	}
	const struct bl_value *doc = copy_value(&x->arena, res, 0);
	char *lid = lower_dup(&x->arena, id->u.str.s, id->u.str.len);
	if (!doc || !lid)
		return BL_ENOMEM;
	const struct bl_value *cid = bl_value_getz(doc, "id");
	struct relent *e = &x->items[x->n];
	*e = (struct relent){.lid = lid, .idlen = id->u.str.len, .id = cid->u.str.s,
			     .type = (size_t)k, .seq = x->n, .doc = doc};
	x->n++;
	if (is_extension_id(lid, id->u.str.len))
		x->types[k].extension = true;
	return 0;
}

static int ent_cmp(const void *pa, const void *pb)
{
	const struct relent *a = pa, *b = pb;
	size_t n = a->idlen < b->idlen ? a->idlen : b->idlen;
	int r = memcmp(a->lid, b->lid, n);
	if (r)
		return r;
	if (a->idlen != b->idlen)
		return a->idlen < b->idlen ? -1 : 1;
	return a->seq < b->seq ? -1 : (a->seq > b->seq);
}

int bl_relidx_seal(struct bl_relidx *x)
{
	if (x->n > 1)
		qsort(x->items, x->n, sizeof(*x->items), ent_cmp);
	return 0;
}

/* ---- the first pass over the snapshot paths ----------------------------- */

static int scan_record(struct bl_relidx *x, const struct bl_value *v, const char *file,
		       struct bl_arena *scratch)
{
	struct bl_adapted ad = {.arena = scratch};
	struct bl_error ignored;
	int rc = bl_adapt_record(v, file, &ad, &ignored);
	if (rc < 0)
		return rc == BL_ENOMEM ? BL_ENOMEM : 0;
	if (rc == 0)
		return bl_relidx_add(x, v);
	for (size_t i = 0; i < ad.n; i++)
		if ((rc = bl_relidx_add(x, ad.items[i])))
			return rc;
	return 0;
}

static int scan_json_fd(struct bl_relidx *x, int fd, const char *file)
{
	struct bl_error ignored;
	struct bl_stream *st = NULL;
	if (bl_stream_open(&st, fd, file, NULL, &ignored))
		return BL_ENOMEM;
	struct bl_chunk chunk;
	bl_chunk_init(&chunk);
	struct bl_arena scratch;
	bl_arena_init(&scratch, 1 << 20);
	int rc = 0;
	while (!rc && bl_stream_next(st, &chunk, &ignored) > 0) {
		for (size_t i = 0; i < chunk.n && !rc; i++) {
			const struct bl_record *r = &chunk.recs[i];
			const struct bl_value *v = NULL;
			struct bl_json_opts jo = {.line0 = r->line, .col0 = r->col,
						  .padded = true};  /* stream.h */
			int prc = bl_json_parse(&v, &scratch, chunk.buf + r->off, r->len, file, &jo,
						&ignored);
			if (prc == BL_ENOMEM)
				rc = BL_ENOMEM;
			else if (prc == 0)
				rc = scan_record(x, v, file, &scratch);
		}
		bl_arena_reset(&scratch);
	}
	bl_arena_free(&scratch);
	bl_chunk_free(&chunk);
	bl_stream_close(st);
	return rc;
}

struct yscan {
	struct bl_relidx *x;
	const char *file;
	struct bl_arena *scratch;
};

static int yaml_doc(void *ctx, const struct bl_value *doc)
{
	struct yscan *y = ctx;
	const struct bl_value *items = bl_value_getz(doc, "items");
	const struct bl_value *kind = bl_value_getz(doc, "kind");
	if (kind && kind->type == BL_VSTR && kind->u.str.len >= 4 &&
	    memcmp(kind->u.str.s + kind->u.str.len - 4, "List", 4) == 0 && items &&
	    items->type == BL_VARR) {
		for (uint32_t i = 0; i < items->u.arr.n; i++) {
			int rc = scan_record(y->x, &items->u.arr.items[i], y->file, y->scratch);
			if (rc)
				return rc;
		}
		return 0;
	}
	return scan_record(y->x, doc, y->file, y->scratch);
}

static int scan_yaml(struct bl_relidx *x, int fd, const char *file)
{
	struct bl_buf buf;
	bl_buf_init(&buf, BL_DOC_MAX_BYTES);
	char tmp[65536];
	for (;;) {
		ssize_t r = read(fd, tmp, sizeof(tmp));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || bl_buf_add(&buf, tmp, (size_t)r)) {
			if (r != 0) {
				bl_buf_free(&buf);
				return 0;   /* the evaluation pass reports it */
			}
			break;
		}
	}
	struct bl_arena scratch;
	bl_arena_init(&scratch, 0);
	struct yscan y = {x, file, &scratch};
	struct bl_error ignored;
	int rc = bl_yaml_parse_stream(&scratch, buf.data ? buf.data : "", buf.len, file, NULL,
				      yaml_doc, &y, &ignored);
	bl_arena_free(&scratch);
	bl_buf_free(&buf);
	return rc == BL_ENOMEM ? BL_ENOMEM : 0;
}

/* First non-blank byte of fd (from offset 0), skipping a UTF-8 BOM. */
static char first_byte(int fd)
{
	unsigned char b[4096];
	ssize_t n = pread(fd, b, sizeof(b), 0);
	ssize_t i = n >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF ? 3 : 0;
	for (; i < n; i++)
		if (b[i] != ' ' && b[i] != '\t' && b[i] != '\r' && b[i] != '\n')
			return (char)b[i];
	return 0;
}

static int scan_file(struct bl_relidx *x, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	struct stat st;
	bool regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
	char first = regular ? first_byte(fd) : '[';
	/* the same choice as the evaluation pass (assess.c) */
	int rc = (!regular || first == '{' || first == '[' || first == 0) ? scan_json_fd(x, fd, path)
									  : scan_yaml(x, fd, path);
	close(fd);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int scan_dir(struct bl_relidx *x, const char *dir, int depth)
{
	if (depth > 64)
		return 0;
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	struct dirent *de;
	while ((de = readdir(d)) && !rc) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **nn = realloc(names, cap * sizeof(*nn));
			if (!nn) {
				rc = BL_ENOMEM;
				break;
			}
			names = nn;
		}
		size_t len = strlen(dir) + strlen(de->d_name) + 2;
		if (!(names[n] = malloc(len))) {
			rc = BL_ENOMEM;
			break;
		}
		snprintf(names[n], len, "%s/%s", dir, de->d_name);
		n++;
	}
	closedir(d);
	if (!rc && n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n && !rc; i++) {
		struct stat lst, st;
		if (lstat(names[i], &lst) != 0)
			continue;
		if (S_ISLNK(lst.st_mode)) {
			if (stat(names[i], &st) != 0 || !S_ISREG(st.st_mode))
				continue;
		} else {
			st = lst;
		}
		if (S_ISDIR(st.st_mode))
			rc = scan_dir(x, names[i], depth + 1);
		else if (S_ISREG(st.st_mode))
			rc = scan_file(x, names[i]);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

int bl_relidx_scan(struct bl_relidx *x, const char *const *paths, size_t npaths,
		   int stdin_fd, struct bl_error *err)
{
	int rc = 0;
	for (size_t i = 0; i < npaths && !rc; i++) {
		struct stat st;
		if (strcmp(paths[i], "-") == 0) {
			rc = scan_json_fd(x, stdin_fd, "-");
			if (lseek(stdin_fd, 0, SEEK_SET) != 0 && !rc)
				return bl_error_set(err, BL_EIO, "-", 0, 0,
						    "cannot rewind the spooled standard input: %s",
						    strerror(errno));
		} else if (stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			rc = scan_dir(x, paths[i], 0);
		} else {
			rc = scan_file(x, paths[i]);
		}
	}
	if (!rc)
		rc = bl_relidx_seal(x);
	if (rc)
		bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory indexing related resources");
	return rc;
}

int bl_relidx_spool(int *fd_out, struct bl_error *err)
{
	*fd_out = -1;
	const char *dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	char path[4096];
	snprintf(path, sizeof(path), "%s/baseline-stdin.XXXXXX", dir);
	int fd = mkstemp(path);
	if (fd < 0)
		return bl_error_set(err, BL_EIO, "-", 0, 0,
				    "cannot create a temporary file in %s to hold standard input: %s",
				    dir, strerror(errno));
	unlink(path);
	char buf[65536];
	for (;;) {
		ssize_t r = read(0, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			close(fd);
			return bl_error_set(err, BL_EIO, "-", 0, 0, "cannot read: %s", strerror(e));
		}
		if (r == 0)
			break;
		for (ssize_t off = 0; off < r;) {
			ssize_t w = write(fd, buf + off, (size_t)(r - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				int e = errno;
				close(fd);
				return bl_error_set(err, BL_EIO, "-", 0, 0,
						    "cannot spool standard input to %s: %s", dir,
						    strerror(e));
			}
			off += w;
		}
	}
	if (lseek(fd, 0, SEEK_SET) != 0) {
		int e = errno;
		close(fd);
		return bl_error_set(err, BL_EIO, "-", 0, 0, "cannot rewind spooled input: %s",
				    strerror(e));
	}
	*fd_out = fd;
	return 0;
}

/* ---- evaluation ---------------------------------------------------------- */

/* First entry whose lid is >= prefix (binary search). */
static size_t lower_bound(const struct bl_relidx *x, const char *prefix, size_t plen)
{
	size_t lo = 0, hi = x->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct relent *e = &x->items[mid];
		size_t n = e->idlen < plen ? e->idlen : plen;
		int r = memcmp(e->lid, prefix, n);
		if (r < 0 || (r == 0 && e->idlen < plen))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Does the requested name (segments separated by "/", "?" = any) match the
 * trailing name segments of lid?  Resource ids alternate type and name
 * segments, so the k-th name from the end is segment 2k from the end. */
static bool name_matches(const char *name, size_t nlen, const char *lid, size_t idlen)
{
	size_t ne = nlen, ie = idlen;
	for (;;) {
		size_t ns = ne;
		while (ns > 0 && name[ns - 1] != '/')
			ns--;
		size_t is = ie;
		while (is > 0 && lid[is - 1] != '/')
			is--;
		bool any = ne - ns == 1 && name[ns] == '?';
		if (!any && !bl_str_ieq(name + ns, ne - ns, lid + is, ie - is))
			return false;
		if (ns == 0)
			return true;
		ne = ns - 1;
		/* skip this name's segment and the type segment before it */
		if (is == 0)
			return false;
		ie = is - 1;
		while (ie > 0 && lid[ie - 1] != '/')
			ie--;
		if (ie == 0)
			return false;
		ie--;
	}
}

/* Azure "/subscriptions/S/resourceGroups/RG/..." parts of a lower-cased id. */
static bool id_scope(const char *lid, size_t len, size_t *sub_end, size_t *rg_end)
{
	static const char sp[] = "/subscriptions/", rp[] = "/resourcegroups/";
	size_t sl = sizeof(sp) - 1, rl = sizeof(rp) - 1;
	*rg_end = 0;
	if (len <= sl || memcmp(lid, sp, sl) != 0)
		return false;
	size_t i = sl;
	while (i < len && lid[i] != '/')
		i++;
	*sub_end = i;   /* "/subscriptions/S" */
	if (i + rl < len && memcmp(lid + i, rp, rl) == 0) {
		size_t j = i + rl;
		while (j < len && lid[j] != '/')
			j++;
		if (j > i + rl)
			*rg_end = j;
	}
	return true;
}

/* A string-valued related.name or resourceGroupName for this asset. */
static int eval_str(const char **out, size_t *len, const char *konst,
		    const struct bl_expr *xp, struct bl_eval *ev, const char *what,
		    struct bl_result *res, struct bl_arena *arena)
{
	*out = NULL;
	*len = 0;
	if (konst) {
		*out = konst;
		*len = strlen(konst);
		return 0;
	}
	if (!xp)
		return 0;
	const struct bl_value *v = NULL;
	bl_eval_clear(ev);
	int rc = bl_expr_eval(&v, xp, ev);
	if (rc == BL_ENOMEM)
		return BL_ENOMEM;
	if (rc || !v || v->type != BL_VSTR) {
		res->status = BL_ERROR;
		res->message = bl_arena_printf(arena, "related.%s: %s", what,
					       rc ? ev->error
					       : v ? "the expression did not give a string"
						   : "the expression gave nothing (a missing field)");
		return 1;
	}
	*out = v->u.str.s;
	*len = v->u.str.len;
	return 0;
}

static int set_evidence(struct bl_result *res, const struct bl_eval *ev, const char *cid,
			struct bl_arena *arena)
{
	if (!ev->nev)
		return 0;
	struct bl_evidence *out = bl_arena_alloc(arena, ev->nev * sizeof(*out));
	if (!out)
		return BL_ENOMEM;
	for (size_t i = 0; i < ev->nev; i++) {
		out[i] = ev->ev[i];
		out[i].path = bl_arena_printf(arena, "%s: %s", cid, ev->ev[i].path);
		if (!out[i].path)
			return BL_ENOMEM;
	}
	res->evidence = out;
	res->nevidence = ev->nev;
	return 0;
}

int bl_related_eval(struct bl_result *res, const struct bl_control *c,
		    const struct bl_asset *asset, const struct bl_relidx *x,
		    struct bl_eval *ev, struct bl_arena *arena)
{
	const struct bl_related *r = c->related;
	if (!x) {
		res->status = BL_ERROR;
		res->message = "related resources are looked up in snapshots (-s) only";
		return 0;
	}
	const char *name, *rgname;
	size_t nlen, rglen;
	int rc = eval_str(&name, &nlen, r->name, r->name_expr, ev, "name", res, arena);
	if (rc)
		return rc < 0 ? rc : 0;
	rc = eval_str(&rgname, &rglen, r->resource_group, r->rg_expr, ev, "resourceGroupName", res,
		      arena);
	if (rc)
		return rc < 0 ? rc : 0;

	size_t idlen = strlen(asset->id);
	char *lid = lower_dup(arena, asset->id, idlen);
	if (!lid)
		return BL_ENOMEM;
	long tk = find_type(x, r->type, strlen(r->type));
	size_t alen = strlen(asset->type);
	bool under = (tk >= 0 && x->types[tk].extension) ||
		     (alen && strlen(r->type) > alen + 1 && r->type[alen] == '/' &&
		      bl_str_ieq(r->type, alen, asset->type, alen));
	const char *prefix, *where;
	if (under) {
		prefix = bl_arena_printf(arena, "%s/", lid);
		where = "in the resource's scope";
	} else {
		size_t sub_end, rg_end;
		if (!id_scope(lid, idlen, &sub_end, &rg_end)) {
			res->status = BL_ERROR;
			res->message = bl_arena_printf(arena,
				"cannot look for a related %s: the resource id \"%s\" has no subscription or resource group",
				r->type, asset->id);
			return res->message ? 0 : BL_ENOMEM;
		}
		if (rgname) {
			char *lrg = lower_dup(arena, rgname, rglen);
			prefix = lrg ? bl_arena_printf(arena, "%.*s/resourcegroups/%s/", (int)sub_end, lid, lrg)
				     : NULL;
			where = bl_arena_printf(arena, "in resource group %.*s", (int)rglen, rgname);
		} else if (r->scope == BL_EXIST_SUBSCRIPTION || !rg_end) {
			prefix = bl_arena_printf(arena, "%.*s/", (int)sub_end, lid);
			where = "in the resource's subscription";
		} else {
			prefix = bl_arena_printf(arena, "%.*s/", (int)rg_end, lid);
			where = "in the resource's resource group";
		}
	}
	if (!prefix || !where)
		return BL_ENOMEM;

	size_t plen = strlen(prefix), found = 0, unknowns = 0;
	const struct relent *first_false = NULL;
	char why[sizeof(ev->error)] = "";
	for (size_t i = tk >= 0 ? lower_bound(x, prefix, plen) : x->n; i < x->n; i++) {
		const struct relent *e = &x->items[i];
		if (e->idlen < plen || memcmp(e->lid, prefix, plen) != 0)
			break;
		if (e->type != (size_t)tk || (name && !name_matches(name, nlen, e->lid, e->idlen)))
			continue;
		found++;
		if (!r->existence) {
			res->status = BL_PASS;
			res->message = bl_arena_printf(arena, "compliant: related %s exists", e->id);
			return res->message ? 0 : BL_ENOMEM;
		}
		ev->doc = e->doc;
		ev->outer = asset->doc;
		ev->nev = 0;
		bl_eval_clear(ev);
		enum bl_truth t = bl_cond_eval(r->existence, ev);
		ev->doc = asset->doc;
		ev->outer = NULL;
		if (t == BL_TRUE) {
			res->status = BL_PASS;
			res->message = bl_arena_printf(arena, "compliant: related %s satisfies the existence condition",
						       e->id);
			return res->message ? 0 : BL_ENOMEM;
		}
		if (t == BL_UNKNOWN) {
			if (!unknowns++)
				snprintf(why, sizeof(why), "%s",
					 ev->error[0] ? ev->error
						      : "the existence condition could not be evaluated");
		} else if (!first_false) {
			first_false = e;
		}
	}
	const char *named = name ? bl_arena_printf(arena, " named \"%.*s\"", (int)nlen, name) : "";
	if (!named)
		return BL_ENOMEM;
	if (unknowns) {
		res->status = BL_ERROR;
		res->message = bl_arena_printf(arena,
			"the existence condition could not be evaluated on %zu of %zu related %s: %s",
			unknowns, found, r->type, why);
		return res->message ? 0 : BL_ENOMEM;
	}
	res->status = BL_FAIL;
	if (!found) {
		res->message = bl_arena_printf(arena, "no %s%s related to the resource exists (looked %s)",
					       r->type, named, where);
		struct bl_evidence *evd = bl_arena_calloc(arena, 1, sizeof(*evd));
		if (!evd)
			return BL_ENOMEM;
		evd->path = bl_arena_printf(arena, "related(%s)", r->type);
		evd->expected = "exists";
		res->evidence = evd;
		res->nevidence = 1;
		return res->message && evd->path ? 0 : BL_ENOMEM;
	}
	res->message = bl_arena_printf(arena,
		"no %s%s related to the resource satisfies %s (%zu found, looked %s)", r->type,
		named, r->existence_text ? r->existence_text : "the existence condition", found, where);
	if (!res->message)
		return BL_ENOMEM;
	/* evidence: why the first candidate did not satisfy it */
	ev->doc = first_false->doc;
	ev->outer = asset->doc;
	bl_cond_explain(r->existence, ev, BL_FALSE);
	rc = set_evidence(res, ev, first_false->id, arena);
	ev->doc = asset->doc;
	ev->outer = NULL;
	return rc;
}
