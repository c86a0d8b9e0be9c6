/*
 * evaluate.c - statuses, messages and evidence for one asset (see evaluate.h).
 *
 * Order of decisions: scope (tier, environment: only when the asset's value
 * is known, so an asset without inventory data is assessed rather than
 * silently skipped), then `applies`, then the expect/violation condition.
 * An evaluation error at any step is an `error` result, never a pass.
 */
#include "engine/evaluate.h"
#include "engine/related.h"

#include <stdlib.h>
#include <string.h>

#include "doc/json.h"
#include "model/exceptions.h"
#include "model/inventory.h"
#include "util/error.h"
#include "util/str.h"

void bl_results_free(struct bl_results *r)
{
	free(r->items);
	r->items = NULL;
	r->n = r->cap = 0;
}

/* Room for n more results in r; BL_ENOMEM when there is none. */
static int results_reserve(struct bl_results *r, size_t n)
{
	if (r->cap - r->n >= n)
		return 0;
	size_t ncap = r->cap ? r->cap : 256;
	while (ncap - r->n < n) {
		if (ncap > (size_t)-1 / 2 / sizeof(struct bl_result))
			return BL_ENOMEM;
		ncap *= 2;
	}
	struct bl_result *ni = realloc(r->items, ncap * sizeof(*ni));
	if (!ni)
		return BL_ENOMEM;
	r->items = ni;
	r->cap = ncap;
	return 0;
}

const char bl_msg_compliant[] = "compliant";

/* Compact JSON of v, cut at max bytes with "..." (for messages). */
static const char *short_json(const struct bl_value *v, struct bl_arena *a, size_t max)
{
	/* booleans directly (plain strings never get here: fail_result) */
	if (v->type == BL_VBOOL)
		return v->b ? "true" : "false";
	struct bl_buf b;
	bl_buf_init(&b, 64 * 1024);
	if (bl_json_write(&b, v, 0) != 0 || !b.data) {
		bl_buf_free(&b);
		return "?";
	}
	const char *s;
	if (b.len > max) {
		/* do not cut inside a UTF-8 sequence */
		size_t cut = max;
		while (cut > 0 && ((unsigned char)b.data[cut] & 0xC0) == 0x80)
			cut--;
		s = bl_arena_printf(a, "%.*s...", (int)cut, b.data);
	} else {
		s = bl_arena_strndup(a, b.data, b.len);
	}
	bl_buf_free(&b);
	return s ? s : "?";
}

/* A piece of a message and its length. */
struct part {
	const char *s;
	size_t n;
};

static inline struct part part_of(const char *s)
{
	s = s ? s : "(null)";   /* as printf's %s wrote it */
	return (struct part){s, strlen(s)};
}

/* part_of for a text whose length the evaluator may know (n; 0 = unknown,
 * measured here: struct bl_eval.evlen). */
static inline struct part part_len(const char *s, uint32_t n)
{
	return n && s ? (struct part){s, n} : part_of(s);
}

#define PART_LIT(lit) ((struct part){(lit), sizeof(lit) - 1})

/* The concatenation of n parts in arena a (NULL when it is out of
 * memory): messages are built once per failing result, and vsnprintf was a
 * tenth of a 100-control run. */
static const char *arena_cat(struct bl_arena *a, const struct part *parts, size_t n)
{
	size_t total = 1;
	for (size_t i = 0; i < n; i++)
		total += parts[i].n;
	char *s = bl_arena_alloc(a, total);
	if (!s)
		return NULL;
	char *o = s;
	for (size_t i = 0; i < n; i++) {
		memcpy(o, parts[i].s, parts[i].n);
		o += parts[i].n;
	}
	*o = '\0';
	return s;
}

/* Whether v is a string short_json writes as itself in quotes. */
static bool plain_short_str(const struct bl_value *v, size_t max)
{
	if (v->type != BL_VSTR || (size_t)v->u.str.len + 2 > max)
		return false;
	const unsigned char *s = (const unsigned char *)v->u.str.s;
	size_t n = v->u.str.len, i = 0;
	while (i < n && s[i] >= 0x20 && s[i] < 0x80 && s[i] != '"' && s[i] != '\\')
		i++;
	return i == n;
}

/* Longest failing value a message quotes, in bytes of JSON. */
#define MSG_VALUE_MAX 120

static int copy_evidence(struct bl_result *res, const struct bl_eval *ev, struct bl_arena *a)
{
	if (ev->nev == 0)
		return 0;
	struct bl_evidence *out = bl_arena_alloc(a, ev->nev * sizeof(*out));
	if (!out)
		return BL_ENOMEM;
	memcpy(out, ev->ev, ev->nev * sizeof(*out));
	res->evidence = out;
	res->nevidence = ev->nev;
	return 0;
}

/* A failure's evidence (copied from ev) and message; res->std_message tells
 * whether the message is one of the standard forms struct
 * bl_result.std_message describes (a writer relies on it).  The copy and
 * the message share one arena block (the second allocation cost as much as
 * measuring both texts); when the arena has no room for it, each on its
 * own as before: no evidence is BL_ENOMEM, no message is "failed". */
static int fail_result(struct bl_result *res, const struct bl_eval *ev,
		       const struct bl_control *c, struct bl_arena *a)
{
	res->std_message = false;
	if (ev->nev == 0) {
		res->message = c->violation ? "violation condition matched"
					    : "expected condition did not hold";
		return 0;
	}
	const struct bl_evidence *e = &ev->ev[0];
	struct part parts[9];
	size_t np = 0;
	bool known = e->path && e->expected;
	parts[np++] = part_len(e->path, ev->evlen[0][0]);
	if (!e->actual) {
		parts[np++] = PART_LIT(" is missing; expected ");
	} else if (plain_short_str(e->actual, MSG_VALUE_MAX)) {
		/* the most common failing value: quoted here, not copied twice */
		parts[np++] = PART_LIT(" is \"");
		parts[np++] = (struct part){e->actual->u.str.s, e->actual->u.str.len};
		parts[np++] = PART_LIT("\"; expected ");
	} else if (e->actual->type == BL_VBOOL) {
		parts[np++] = e->actual->b ? PART_LIT(" is true; expected ")
					   : PART_LIT(" is false; expected ");
	} else {
		known = false;
		parts[np++] = PART_LIT(" is ");
		parts[np++] = part_of(short_json(e->actual, a, MSG_VALUE_MAX));
		parts[np++] = PART_LIT("; expected ");
	}
	parts[np++] = part_len(e->expected, ev->evlen[0][1]);
	char num[32];
	if (ev->nev > 1) {
		size_t k = sizeof(num);
		size_t more = ev->nev - 1;
		do
			num[--k] = (char)('0' + more % 10);
		while ((more /= 10) && k > 0);
		parts[np++] = PART_LIT(" (and ");
		parts[np++] = (struct part){num + k, sizeof(num) - k};
		parts[np++] = PART_LIT(" more)");
	}
	size_t esz = ev->nev * sizeof(struct bl_evidence), total = 1;
	for (size_t i = 0; i < np; i++)
		total += parts[i].n;
	char *blk = bl_arena_alloc(a, esz + total);
	const char *msg;
	if (blk) {
		memcpy(blk, ev->ev, esz);
		res->evidence = (struct bl_evidence *)(void *)blk;
		res->nevidence = ev->nev;
		char *o = blk + esz;
		msg = o;
		for (size_t i = 0; i < np; i++) {
			memcpy(o, parts[i].s, parts[i].n);
			o += parts[i].n;
		}
		*o = '\0';
	} else {
		if (copy_evidence(res, ev, a))
			return BL_ENOMEM;
		msg = arena_cat(a, parts, np);
	}
	res->std_message = msg && known;
	res->message = msg ? msg : "failed";
	return 0;
}

static bool tier_in_scope(const struct bl_control *c, int tier)
{
	if (c->ntiers == 0 || tier == 0)
		return true;
	for (size_t i = 0; i < c->ntiers; i++)
		if (c->tiers[i] == tier)
			return true;
	return false;
}

static bool env_in_scope(const struct bl_control *c, const char *env)
{
	if (c->nenvironments == 0 || !env)
		return true;
	for (size_t i = 0; i < c->nenvironments; i++)
		if (bl_str_ieq(c->environments[i], strlen(c->environments[i]), env, strlen(env)))
			return true;
	return false;
}

/* An unknown outcome: `error` with the reason, unless it came only from facts
 * that are not available here (live-only under --root): `not_applicable`. */
static void unknown(struct bl_result *res, const struct bl_eval *ev, struct bl_arena *a,
		    const char *prefix)
{
	if (!ev->error[0] && ev->na) {
		res->status = BL_NA;
		res->message = bl_arena_printf(a, "not applicable: %s", ev->na_reason);
		return;
	}
	res->status = BL_ERROR;
	res->message = bl_arena_printf(a, "%s%s", prefix,
				       ev->error[0] ? ev->error : "the condition could not be evaluated");
}

/* Inventory attributes onto the asset; counts what had no tier. */
static void classify(const struct bl_assess_opts *opts, struct bl_asset *asset,
		     struct bl_eval *ev, struct bl_results *out, struct bl_inv_result *inv)
{
	memset(inv, 0, sizeof(*inv));
	if (opts && opts->inventory) {
		bl_inventory_classify(opts->inventory, asset, ev, inv);
		/* the asset's own values (a later source such as the host) stay
		 * unless the inventory says otherwise */
		if (inv->attrs.tier)
			asset->tier = inv->attrs.tier;
		if (inv->attrs.environment)
			asset->environment = inv->attrs.environment;
		if (inv->attrs.owner)
			asset->owner = inv->attrs.owner;
		if (inv->rule_error)
			out->rule_errors++;
	}
	if (inv->tier_source != BL_INV_ENTRY && inv->tier_source != BL_INV_RULE)
		out->untiered++;
	if (!asset->tier)
		out->unknown_tier++;
}

/* A failure covered by an exception becomes exempt (active) or stays a
 * failure that says its exception expired; an error is never exempted. */
static void apply_exception(struct bl_result *res, const struct bl_assess_opts *opts,
			    struct bl_arena *a)
{
	if (!opts || !opts->exceptions || (res->status != BL_FAIL && res->status != BL_ERROR))
		return;
	const struct bl_exception *e = bl_exceptions_find(opts->exceptions, res->control->id,
							  res->asset->id, opts->now);
	if (!e)
		return;
	res->exception = e;
	/* the message is rewritten below: no longer the standard one */
	res->std_message = false;
	if (res->status == BL_ERROR) {
		res->exc_state = BL_EXC_NOT_APPLIED;
		return;
	}
	if (bl_exception_active(e, opts->now)) {
		res->exc_state = BL_EXC_ACTIVE;
		res->status = BL_EXEMPT;
		const char *m = bl_arena_printf(a, "exempt by %s (%s, expires %s): %s", e->id,
						bl_exc_category_name(e->category), e->expires,
						res->message);
		if (m)
			res->message = m;
	} else {
		res->exc_state = BL_EXC_EXPIRED;
		const char *m = bl_arena_printf(a, "%s (exception %s expired on %s)", res->message,
						e->id, e->expires);
		if (m)
			res->message = m;
	}
}

int bl_evaluate_asset(const struct bl_baseline *b, const uint32_t *ctrl, size_t n,
		      struct bl_asset *asset, const struct bl_assess_opts *opts,
		      struct bl_eval *ev, struct bl_arena *arena, struct bl_results *out)
{
	return bl_evaluate_asset_rel(b, ctrl, n, asset, opts, NULL, ev, arena, out);
}

int bl_evaluate_asset_rel(const struct bl_baseline *b, const uint32_t *ctrl, size_t n,
			  struct bl_asset *asset, const struct bl_assess_opts *opts,
			  const struct bl_relidx *rx, struct bl_eval *ev, struct bl_arena *arena,
			  struct bl_results *out)
{
	bl_eval_reset(ev, asset->doc, arena);
	struct bl_inv_result inv;
	classify(opts, asset, ev, out, &inv);
	if (n == 0)
		return 0;   /* no control applies to its type: most assets of some runs */
	if (results_reserve(out, n))
		return BL_ENOMEM;
	/* scope decides only for an asset whose tier or environment is known */
	bool scoped = asset->tier || asset->environment;
	struct bl_result *first = out->items + out->n;
	/* the results are counted once the loop is done (or stops): counted
	 * in the loop, out->n is stored and loaded again for every result,
	 * since a result's stores might write it as far as the compiler
	 * knows */
	size_t base = out->n;
	const struct bl_control *controls = b->controls;
	/* whether a result below needs the second pass: an exception to look
	 * up, or a message from the arena that may be NULL (out of memory);
	 * a pass's and a failure's messages never are, so most assets skip it */
	bool recheck = opts && opts->exceptions;
	for (size_t i = 0; i < n; i++) {
		const struct bl_control *c = &controls[ctrl[i]];
		struct bl_result *res = first + i;
		*res = (struct bl_result){.control = c, .asset = asset,
					  .classification = inv.attrs.classification,
					  .tags = inv.attrs.tags};
		if (scoped && !tier_in_scope(c, asset->tier)) {
			recheck = true;
			res->status = BL_NA;
			res->message = bl_arena_printf(arena, "out of scope: tier %d is not in the control's tiers", asset->tier);
			continue;
		}
		if (scoped && !env_in_scope(c, asset->environment)) {
			recheck = true;
			res->status = BL_NA;
			res->message = bl_arena_printf(arena, "out of scope: environment %s is not in the control's environments",
						       asset->environment);
			continue;
		}
		if (c->na_reason) {
			/* a control that this tool cannot evaluate says so, for every
			 * asset it would apply to */
			recheck = true;
			res->status = BL_NA;
			res->message = bl_arena_printf(arena, "not applicable: %s", c->na_reason);
			continue;
		}
		if (c->applies) {
			ev->nev = 0;
			bl_eval_clear(ev);
			enum bl_truth t = bl_cond_eval(c->applies, ev);
			if (t == BL_UNKNOWN) {
				recheck = true;
				unknown(res, ev, arena, "applies: ");
				continue;
			}
			if (t == BL_FALSE) {
				res->status = BL_NA;
				res->message = "not applicable: the applies condition does not hold";
				continue;
			}
		}
		if (c->related) {
			recheck = true;
			ev->nev = 0;
			if (bl_related_eval(res, c, asset, rx, ev, arena)) {
				out->n = base + i + 1;
				return BL_ENOMEM;
			}
			continue;
		}
		ev->nev = 0;
		bl_eval_clear(ev);
		enum bl_truth t = bl_cond_eval(c->cond, ev);
		if (t == BL_UNKNOWN) {
			recheck = true;
			unknown(res, ev, arena, "");
			continue;
		}
		bool failed = c->violation ? (t == BL_TRUE) : (t == BL_FALSE);
		if (!failed) {
			res->status = BL_PASS;
			res->message = bl_msg_compliant;
			continue;
		}
		res->status = BL_FAIL;
		ev->nev = 0;
		bl_cond_explain(c->cond, ev, t);
		if (fail_result(res, ev, c, arena)) {
			out->n = base + i + 1;
			return BL_ENOMEM;
		}
	}
	out->n = base + n;
	if (!recheck)
		return 0;
	/* a message the arena had no room for (every printf above) */
	bool exc = opts && opts->exceptions;
	for (struct bl_result *res = first; res < first + n; res++) {
		if (!res->message)
			return BL_ENOMEM;
		if (exc)
			apply_exception(res, opts, arena);
	}
	return 0;
}
