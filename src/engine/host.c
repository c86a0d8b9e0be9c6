/*
 * host.c - the host as one asset (see host.h).
 */
#include "engine/host.h"

#include <stdlib.h>
#include <string.h>

#include "doc/json.h"
#include "engine/evaluate.h"
#include "engine/index.h"
#include "engine/keep.h"
#include "util/str.h"

struct reqs {
	struct bl_fact_request *items;
	size_t n, cap;
	bool oom;
	struct bl_json_keep *keep;   /* what the run reads (engine/keep.h); NULL: anything */
};

static void reqs_add(struct reqs *r, const struct bl_fact_request *q)
{
	for (size_t i = 0; i < r->n; i++) {
		struct bl_fact_request *o = &r->items[i];
		/* the key first: ~300 file keys share one namespace */
		if (o->keylen == q->keylen &&
		    (o->key == q->key || (o->key && q->key && memcmp(o->key, q->key, q->keylen) == 0)) &&
		    bl_str_ieq(o->ns, o->nslen, q->ns, q->nslen)) {
			o->omit &= q->omit;   /* what either needs */
			return;
		}
	}
	if (r->n == r->cap) {
		size_t ncap = r->cap ? r->cap * 2 : 64;
		struct bl_fact_request *ni = realloc(r->items, ncap * sizeof(*ni));
		if (!ni) {
			r->oom = true;
			return;
		}
		r->items = ni;
		r->cap = ncap;
	}
	r->items[r->n++] = *q;
}

int bl_host_requests_for_path(const struct bl_path *p, struct bl_fact_request *out)
{
	memset(out, 0, sizeof(*out));
	if (!p->n || p->segs[0].kind != BL_SEG_KEY)
		return BL_EINVAL;
	out->ns = p->segs[0].key;
	out->nslen = p->segs[0].klen;
	const struct bl_provider *pv = bl_provider_find(out->ns, out->nslen);
	if (pv && pv->keyed && p->n > 1 && p->segs[1].kind == BL_SEG_KEY) {
		out->key = p->segs[1].key;
		out->keylen = p->segs[1].klen;
	}
	return 0;
}

/* Is the keep set's node for path p's first two keys (or one above it)
 * kept whole, i.e. does some rule compare or list the object itself?  The
 * lookups may add nodes to k (harmless: k is this run's own); out of memory
 * answers yes, the safe answer. */
static bool object_whole(struct bl_json_keep *k, const struct bl_path *p)
{
	uint32_t ns, key;
	if (bl_json_keep_is_all(k, 0))
		return true;
	if (bl_json_keep_child(k, 0, p->segs[0].key, p->segs[0].klen, &ns) != 0 ||
	    bl_json_keep_is_all(k, ns))
		return true;
	return bl_json_keep_child(k, ns, p->segs[1].key, p->segs[1].klen, &key) != 0 ||
	       bl_json_keep_is_all(k, key);
}

/*
 * The costly members of a file object (facts.h, BL_FILE_OMIT_*) that path p
 * does not read.  file["P"].mode reads none of them, file["P"].lines[*]
 * only lines; files["G"][*].x and files["G"].x alike.  A path that ends at
 * the object (file["P"], files["G"][*]) reads all of it when it is compared
 * or listed whole, and none when it is only counted: the keep set of the
 * run (rule/paths.c) tells the two apart.  Anything else, and any run whose
 * reads cannot be listed (keep NULL), gets the whole object.
 */
static unsigned file_omit(const struct bl_path *p, struct bl_json_keep *keep)
{
	if (!keep || p->n < 2 || p->segs[1].kind != BL_SEG_KEY)
		return 0;
	bool files = bl_str_ieq(p->segs[0].key, p->segs[0].klen, "files", 5);
	if (!files && !bl_str_ieq(p->segs[0].key, p->segs[0].klen, "file", 4))
		return 0;
	uint32_t i = 2;
	if (files && i < p->n && p->segs[i].kind != BL_SEG_KEY)
		i++;   /* one element, or each, of the array of objects */
	if (i == p->n)
		return object_whole(keep, p) ? 0 : BL_FILE_OMIT_ALL;
	const struct bl_seg *m = &p->segs[i];
	if (m->kind != BL_SEG_KEY)
		return 0;   /* [*] over the object's members */
	if (bl_str_ieq(m->key, m->klen, "sha256", 6))
		return BL_FILE_OMIT_ALL & ~BL_FILE_OMIT_SHA256;
	if (bl_str_ieq(m->key, m->klen, "lines", 5))
		return BL_FILE_OMIT_ALL & ~BL_FILE_OMIT_LINES;
	if (bl_str_ieq(m->key, m->klen, "content", 7))
		return BL_FILE_OMIT_ALL & ~BL_FILE_OMIT_CONTENT;
	return BL_FILE_OMIT_ALL;
}

static void on_path(void *ctx, const struct bl_path *p, const char *key, size_t len)
{
	struct reqs *r = ctx;
	struct bl_fact_request q;
	if (p) {
		if (bl_host_requests_for_path(p, &q) == 0) {
			if (q.key)
				q.omit = file_omit(p, r->keep);
			reqs_add(r, &q);
		}
		return;
	}
	memset(&q, 0, sizeof(q));
	q.ns = key;
	q.nslen = len;
	reqs_add(r, &q);
}

int bl_assess_host(const struct bl_baseline *b, struct bl_facts *f,
		   const struct bl_assess_opts *opts, const struct bl_sink *sink,
		   struct bl_run_stats *stats, struct bl_error *err)
{
	struct bl_index *ix = NULL;
	struct bl_index_cache *cache = NULL;
	struct reqs r = {0};
	struct bl_results results = {0};
	struct bl_eval ev;
	struct bl_arena arena;
	bl_eval_init(&ev);
	bl_arena_init(&arena, 0);
	int rc = 0;
	const uint32_t *ctrl = NULL;
	size_t n = 0;
	/* what the run reads, so that file objects skip what nobody reads */
	if (bl_keep_build(&r.keep, b, opts) || bl_index_build(&ix, b) ||
	    bl_index_cache_new(&cache) ||
	    bl_index_lookup(ix, cache, BL_HOST_TYPE, strlen(BL_HOST_TYPE), &ctrl, &n)) {
		rc = bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const struct bl_control *c = &b->controls[ctrl[i]];
		if (c->applies)
			bl_cond_paths(c->applies, on_path, &r);
		bl_cond_paths(c->cond, on_path, &r);
	}
	/* the inventory's classify rules may read host facts too (os.id...) */
	if (opts && opts->inventory)
		bl_inventory_paths(opts->inventory, on_path, &r);
	if (r.oom) {
		rc = bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
		goto out;
	}
	const struct bl_value *doc = NULL;
	rc = bl_facts_document(f, r.items, r.n, &doc, err);
	if (rc)
		goto out;
	struct bl_asset asset;
	memset(&asset, 0, sizeof(asset));
	asset.id = bl_facts_host_id(f);
	asset.type = BL_HOST_TYPE;
	asset.name = asset.id;
	asset.doc = doc;
	asset.file = asset.id;
	if (!asset.id) {
		rc = bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
		goto out;
	}
	if (bl_evaluate_asset(b, ctrl, n, &asset, opts, &ev, &arena, &results)) {
		rc = bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
		goto out;
	}
	stats->assets++;
	stats->untiered += results.untiered;
	stats->unknown_tier += results.unknown_tier;
	stats->rule_errors += results.rule_errors;
	for (size_t i = 0; i < results.n; i++) {
		const struct bl_result *res = &results.items[i];
		bl_run_stats_add(stats, res);
		if (sink && sink->result && (rc = sink->result(sink->ctx, res))) {
			bl_error_set(err, rc, NULL, 0, 0, "writing results failed");
			goto out;
		}
	}
out:
	free(r.items);
	bl_json_keep_free(r.keep);
	bl_results_free(&results);
	bl_eval_fini(&ev);
	bl_arena_free(&arena);
	bl_index_cache_free(cache);
	bl_index_free(ix);
	return rc;
}

int bl_assess_targets(const struct bl_baseline *b, struct bl_facts *f, const char *const *paths,
		      size_t npaths, const struct bl_assess_opts *opts, const struct bl_sink *sink,
		      struct bl_run_stats *stats, struct bl_error *err)
{
	int rc = 0;
	if (f)
		rc = bl_assess_host(b, f, opts, sink, stats, err);
	if (!rc && npaths)
		rc = bl_assess(b, paths, npaths, opts, sink, stats, err);
	if (rc == BL_ENOMEM && !err->msg[0])
		bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
	return rc;
}
