/*
 * content.c - find shipped content in the embedded table and rebuild its
 * document trees (see content.h).
 */
#include "model/content.h"

#include <string.h>

#include "doc/value.h"
#include "util/error.h"

#define BASELINES_DIR "baselines/"

const struct bl_content_file *bl_content_find(const char *name, size_t len)
{
	for (size_t i = 0; i < bl_content_nfiles; i++) {
		const struct bl_content_file *f = &bl_content_files[i];
		if (strlen(f->name) == len && memcmp(f->name, name, len) == 0)
			return f;
	}
	return NULL;
}

bool bl_content_is_builtin(const char *ref)
{
	return ref && strncmp(ref, BL_BUILTIN_PREFIX, strlen(BL_BUILTIN_PREFIX)) == 0;
}

static const struct bl_content_file *find_with(const char *name, size_t len, const char *ext)
{
	char path[256];
	size_t dl = strlen(BASELINES_DIR), el = strlen(ext);
	if (dl + len + el >= sizeof(path))
		return NULL;
	memcpy(path, BASELINES_DIR, dl);
	memcpy(path + dl, name, len);
	memcpy(path + dl + len, ext, el);
	return bl_content_find(path, dl + len + el);
}

const struct bl_content_file *bl_content_baseline(const char *ref)
{
	if (!ref)
		return NULL;
	const char *name = bl_content_is_builtin(ref) ? ref + strlen(BL_BUILTIN_PREFIX) : ref;
	size_t len = strlen(name);
	if (len == 0 || memchr(name, '/', len))
		return NULL;
	const struct bl_content_file *f = find_with(name, len, ".yaml");
	return f ? f : find_with(name, len, ".json");
}

/* If f is baselines/NAME.yaml or .json (NAME without '/'), NAME's length. */
static size_t baseline_name(const struct bl_content_file *f)
{
	size_t dl = strlen(BASELINES_DIR), n = strlen(f->name);
	if (n <= dl || strncmp(f->name, BASELINES_DIR, dl) != 0)
		return 0;
	const char *name = f->name + dl;
	size_t len = n - dl;
	if (len > 5 && (strcmp(name + len - 5, ".yaml") == 0 || strcmp(name + len - 5, ".json") == 0))
		len -= 5;
	else
		return 0;
	if (memchr(name, '/', len))
		return 0;
	return len;
}

size_t bl_content_list_baselines(bl_content_name_cb cb, void *ctx)
{
	size_t count = 0;
	const char *last = NULL;
	size_t lastlen = 0;
	for (size_t i = 0; i < bl_content_nfiles; i++) {
		const struct bl_content_file *f = &bl_content_files[i];
		size_t len = baseline_name(f);
		if (!len)
			continue;
		const char *name = f->name + strlen(BASELINES_DIR);
		/* The table is sorted, so NAME.json and NAME.yaml are neighbours. */
		if (last && lastlen == len && memcmp(last, name, len) == 0)
			continue;
		last = name;
		lastlen = len;
		count++;
		if (cb)
			cb(ctx, name, len);
	}
	return count;
}

/* Where decode takes the arrays of a tree from: sized at build time, so a
 * tree costs three allocations instead of one per array and object. */
struct cursor {
	const struct bl_content_file *f;
	struct bl_value *items;      /* the next array elements */
	struct bl_member *members;   /* the next object members */
	size_t nitems, nmembers;     /* how many are left */
};

/* The fields of v every type has, and a scalar's payload, from node p. */
static inline void fill(struct bl_value *v, const struct bl_content_file *f,
			const struct bl_content_node *p)
{
	v->type = p->type;
	v->flags = p->flags;
	v->b = p->b != 0;
	v->line = p->line;
	v->col = p->col;
	v->file = p->hasfile ? f->label : NULL;
	switch (p->type) {
	case BL_VNUM:
		v->u.num.text = f->strings + p->s;
		v->u.num.len = p->len;
		v->u.num.d = p->d;
		break;
	case BL_VSTR:
	case BL_VERR:
	case BL_VNA:
		v->u.str.s = f->strings + p->s;
		v->u.str.len = p->len;
		break;
	case BL_VARR:
	case BL_VOBJ:
		break;   /* decode_kids */
	default:
		memset(&v->u, 0, sizeof(v->u));
		break;
	}
}

static inline bool is_container(uint8_t type)
{
	return type == BL_VARR || type == BL_VOBJ;
}

/*
 * The children of container v (already filled from node p), recursively;
 * false when the tables do not add up (cannot happen with what embed.c
 * writes).  Scalars are filled here, in the loop, without a call: a call
 * per node was a third of rebuilding a tree.
 */
static bool decode_kids(struct bl_value *v, struct cursor *c, const struct bl_content_node *p)
{
	const struct bl_content_file *f = c->f;
	const struct bl_content_node *kids = &f->nodes[p->kids];
	if (p->type == BL_VARR) {
		if (p->n > c->nitems)
			return false;
		struct bl_value *items = p->n ? c->items : NULL;
		c->items += p->n;
		c->nitems -= p->n;
		v->u.arr.items = items;
		v->u.arr.n = p->n;
		for (uint32_t i = 0; i < p->n; i++) {
			fill(&items[i], f, &kids[i]);
			if (is_container(kids[i].type) && !decode_kids(&items[i], c, &kids[i]))
				return false;
		}
		return true;
	}
	if (p->n > c->nmembers)
		return false;
	struct bl_member *items = p->n ? c->members : NULL;
	c->members += p->n;
	c->nmembers -= p->n;
	v->u.obj.items = items;
	v->u.obj.n = p->n;
	for (uint32_t i = 0; i < p->n; i++) {
		const struct bl_content_node *k = &kids[i];
		items[i].key = f->strings + k->key;
		items[i].klen = k->klen;
		items[i].line = k->kline;
		items[i].col = k->kcol;
		fill(&items[i].val, f, k);
		if (is_container(k->type) && !decode_kids(&items[i].val, c, k))
			return false;
	}
	return true;
}

int bl_content_tree(const struct bl_value **out, const struct bl_content_file *f,
		    struct bl_arena *a)
{
	*out = NULL;
	if (!f || !f->nodes)
		return 0;
	struct cursor c = {.f = f, .nitems = f->nitems, .nmembers = f->nmembers};
	struct bl_value *root = bl_arena_alloc(a, sizeof(*root));
	c.items = bl_arena_alloc(a, (f->nitems ? f->nitems : 1) * sizeof(*c.items));
	c.members = bl_arena_alloc(a, (f->nmembers ? f->nmembers : 1) * sizeof(*c.members));
	if (!root || !c.items || !c.members)
		return BL_ENOMEM;
	fill(root, f, &f->nodes[0]);
	if (is_container(f->nodes[0].type) && !decode_kids(root, &c, &f->nodes[0]))
		return BL_EINTERNAL;
	*out = root;
	return 0;
}

bool bl_content_is_tree_file(const char *file)
{
	for (size_t i = 0; file && i < bl_content_nfiles; i++)
		if (bl_content_files[i].label == file)
			return true;
	return false;
}
