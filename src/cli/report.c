/*
 * report.c - `baseline report [RUN]`: render a stored run again through the
 * same report writers as `assess` (docs/store.md).
 *
 * The run's effective baseline is re-loaded from the document stored with
 * it, its exceptions and inventory identity from the run row, and every
 * stored result is fed to the writer, the statistics, the scores and the
 * framework roll-up exactly as `assess` does, so `report RUN -f json`
 * reproduces the `assess -f json` output of that run byte for byte.
 * Exit 0 whatever the results; 2 bad usage or unknown run; 3 internal.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "doc/json.h"
#include "engine/rollup.h"
#include "engine/score.h"
#include "model/framework.h"
#include "report/report.h"
#include "store/store.h"

static const char usage_text[] =
	"usage: baseline report [RUN] [-f FORMAT] [-o FILE] [--all] [--store URL]\n"
	"\n"
	"Render a stored run (an id, a unique prefix of one, or latest: the default).\n"
	"\n"
	"  -f, --format FORMAT    text (default), json, or any format assess writes\n"
	"  -o, --output FILE      write to FILE (atomically) instead of stdout\n"
	"      --all              also list not_applicable results\n"
	"      --store URL        the run store (default $BASELINE_STORE or the user's)\n"
	"  -h, --help             this help\n";

enum { OPT_ALL = 256, OPT_STORE };

static const struct option long_opts[] = {
	{"format", required_argument, NULL, 'f'},
	{"output", required_argument, NULL, 'o'},
	{"all", no_argument, NULL, OPT_ALL},
	{"store", required_argument, NULL, OPT_STORE},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

/* Everything rebuilt from the store for one run. */
struct replay {
	const struct bl_baseline *b;
	const struct bl_exceptions *exc;
	struct bl_report *rep;
	struct bl_run_stats *stats;
	struct bl_scores *scores;
	struct bl_arena tmp;        /* one result at a time */
	struct bl_error *err;
};

/* A string value as a NUL-terminated copy in a (parsed strings may point
 * into their source without a terminator); NULL when v is not a string. */
static const char *vstr(struct bl_arena *a, const struct bl_value *v)
{
	return v && v->type == BL_VSTR ? bl_arena_strndup(a, v->u.str.s, v->u.str.len) : NULL;
}

static const char *member(struct bl_arena *a, const struct bl_value *o, const char *key)
{
	return vstr(a, bl_value_getz(o, key));
}

static int parse_json(struct bl_arena *a, const char *s, const struct bl_value **out,
		      struct bl_error *err)
{
	return bl_json_parse(out, a, s, strlen(s), "store", NULL, err);
}

/* One stored result back into a struct bl_result, then through every sink. */
static int replay_one(void *ctx, const struct bl_stored_result *sr)
{
	struct replay *rp = ctx;
	struct bl_arena *a = &rp->tmp;
	bl_arena_reset(a);
	const struct bl_control *c = bl_baseline_control(rp->b, sr->control);
	if (!c)
		return bl_error_set(rp->err, BL_EINVAL, NULL, 0, 0,
				    "stored result names control %s, which its baseline lacks",
				    sr->control);
	struct bl_asset asset = {.id = sr->asset, .type = sr->asset_type, .name = sr->asset_name,
				 .tier = sr->tier, .environment = sr->environment,
				 .owner = sr->owner, .file = sr->file, .line = sr->line,
				 .col = sr->col};
	struct bl_result r = {.control = c, .asset = &asset, .status = sr->status,
			      .message = sr->message, .classification = sr->classification};
	const struct bl_value *ev = NULL;
	int rc = parse_json(a, sr->evidence, &ev, rp->err);
	if (rc)
		return rc;
	if (ev->type == BL_VARR && ev->u.arr.n) {
		struct bl_evidence *e = bl_arena_calloc(a, ev->u.arr.n, sizeof(*e));
		if (!e)
			return bl_error_set(rp->err, BL_ENOMEM, NULL, 0, 0, "out of memory");
		for (size_t i = 0; i < ev->u.arr.n; i++) {
			const struct bl_value *o = &ev->u.arr.items[i];
			const struct bl_value *act = bl_value_getz(o, "actual");
			e[i].path = member(a, o, "path");
			e[i].expected = member(a, o, "expected");
			e[i].actual = act && act->type != BL_VNULL ? act : NULL;
		}
		r.evidence = e;
		r.nevidence = ev->u.arr.n;
	}
	if (sr->tags && (rc = parse_json(a, sr->tags, &r.tags, rp->err)))
		return rc;
	if (sr->exc_index >= 0 && rp->exc && (size_t)sr->exc_index < rp->exc->n) {
		r.exception = &rp->exc->items[sr->exc_index];
		r.exc_state = sr->exc_state;
	}
	bl_run_stats_add(rp->stats, &r);
	if ((rc = bl_scores_add(rp->scores, &r)))
		return bl_error_set(rp->err, rc, NULL, 0, 0, "out of memory");
	if ((rc = bl_report_result(rp->rep, &r)))
		return bl_error_set(rp->err, rc, NULL, 0, 0, "writing the report failed");
	return 0;
}

/* The exceptions a run used, from the run row's JSON. */
static int load_exceptions(struct bl_exceptions *x, struct bl_arena *a, const char *json,
			   struct bl_error *err)
{
	const struct bl_value *v;
	int rc = parse_json(a, json, &v, err);
	if (rc)
		return rc;
	const struct bl_value *items = bl_value_getz(v, "items");
	x->file = member(a, v, "file");
	if (!items || items->type != BL_VARR)
		return bl_error_set(err, BL_EINVAL, NULL, 0, 0, "stored exceptions are malformed");
	x->n = items->u.arr.n;
	x->items = bl_arena_calloc(a, x->n + 1, sizeof(*x->items));
	if (!x->items)
		return bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
	for (size_t i = 0; i < x->n; i++) {
		const struct bl_value *o = &items->u.arr.items[i];
		struct bl_exception *e = &x->items[i];
		const char *cat = member(a, o, "category");
		const char *exp = member(a, o, "expires");
		e->id = member(a, o, "id");
		e->control = member(a, o, "control");
		e->justification = member(a, o, "justification");
		e->approved_by = member(a, o, "approved_by");
		e->ticket = member(a, o, "ticket");
		const char *created = member(a, o, "created");
		if (created && strlen(created) < sizeof(e->created))
			memcpy(e->created, created, strlen(created) + 1);
		const struct bl_value *ln = bl_value_getz(o, "line"), *cl = bl_value_getz(o, "col");
		e->line = ln && ln->type == BL_VNUM ? (uint32_t)ln->u.num.d : 0;
		e->col = cl && cl->type == BL_VNUM ? (uint32_t)cl->u.num.d : 0;
		const struct bl_value *as = bl_value_getz(o, "assets");
		if (as && as->type == BL_VARR) {
			e->assets = bl_arena_calloc(a, as->u.arr.n + 1, sizeof(*e->assets));
			if (!e->assets)
				return bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
			for (size_t k = 0; k < as->u.arr.n; k++) {
				e->assets[k] = vstr(a, &as->u.arr.items[k]);
				if (!e->assets[k])
					return bl_error_set(err, BL_EINVAL, NULL, 0, 0,
							    "stored exceptions are malformed");
			}
			e->nassets = as->u.arr.n;
		}
		e->index = i;
		e->category = !cat ? BL_EXC_WAIVER
			      : strcmp(cat, bl_exc_category_name(BL_EXC_MITIGATED)) == 0 ? BL_EXC_MITIGATED
			      : strcmp(cat, bl_exc_category_name(BL_EXC_RISK_ACCEPTED)) == 0
				      ? BL_EXC_RISK_ACCEPTED
				      : BL_EXC_WAIVER;
		if (!exp || strlen(exp) != 10 || !bl_date_parse(exp, 10, &e->expires_day))
			return bl_error_set(err, BL_EINVAL, NULL, 0, 0, "stored exceptions are malformed");
		memcpy(e->expires, exp, 11);
	}
	return 0;
}

/* Load the run's baseline from the store.  Returns 0 or an error code. */
static int load_baseline(struct bl_store *st, const struct bl_stored_run *run,
			 struct bl_arena *a, struct bl_baseline **b, struct bl_error *err)
{
	const char *json;
	size_t len;
	const struct bl_value *doc;
	int rc = bl_store_baseline_json(st, run->baseline_sha256, a, &json, &len, err);
	if (!rc)
		rc = bl_json_parse(&doc, a, json, len,
				   run->baseline_file ? run->baseline_file : "store", NULL, err);
	if (rc)
		return rc;
	struct bl_diags d;
	bl_diags_init(&d);
	rc = bl_baseline_from_doc(b, doc, &d);
	if (rc) {
		bl_cli_print_diags(&d, stderr);
		bl_error_set(err, rc, NULL, 0, 0, "the stored baseline %s %s no longer loads",
			     run->baseline_id, run->baseline_version ? run->baseline_version : "");
	}
	bl_diags_free(&d);
	return rc;
}

static int render(struct bl_store *st, const struct bl_stored_run *run, const char *format,
		  const char *output, bool all, struct bl_arena *a, struct bl_error *err)
{
	struct bl_baseline *b = NULL;
	struct bl_exceptions exc;
	struct bl_inventory inv;
	memset(&exc, 0, sizeof(exc));
	memset(&inv, 0, sizeof(inv));
	struct bl_run_info info;
	memset(&info, 0, sizeof(info));
	struct bl_run_stats stats;
	memset(&stats, 0, sizeof(stats));
	struct bl_scores scores;
	bl_scores_init(&scores);
	struct bl_rollup rollup;
	memset(&rollup, 0, sizeof(rollup));
	struct bl_catalogs cats;
	bool have_cats = false;
	struct bl_report *rep = NULL;
	struct replay rp = {.err = err};
	bl_arena_init(&rp.tmp, 0);
	const struct bl_value *targets = NULL;

	int rc = load_baseline(st, run, a, &b, err);
	if (!rc && run->exceptions)
		rc = load_exceptions(&exc, a, run->exceptions, err);
	if (!rc && run->inventory) {
		const struct bl_value *v;
		if (!(rc = parse_json(a, run->inventory, &v, err))) {
			inv.id = member(a, v, "id");
			inv.file = member(a, v, "file");
			const struct bl_value *dt = bl_value_getz(v, "default_tier");
			inv.defaults.tier = dt && dt->type == BL_VNUM ? (int)dt->u.num.d : 0;
		}
	}
	if (!rc)
		rc = parse_json(a, run->targets, &targets, err);
	if (!rc) {
		info.ntargets = targets->type == BL_VARR ? targets->u.arr.n : 0;
		const char **t = bl_arena_calloc(a, info.ntargets + 1, sizeof(*t));
		if (!t)
			rc = bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
		for (size_t i = 0; t && i < info.ntargets; i++) {
			const char *tv = vstr(a, &targets->u.arr.items[i]);
			t[i] = tv ? tv : "";
		}
		info.targets = t;
	}
	if (!rc && (rc = bl_run_stats_init(&stats, b)) == 0 && run->exceptions)
		rc = bl_run_stats_track_exceptions(&stats, &exc);
	if (rc && !err->code)
		bl_error_set(err, rc, NULL, 0, 0, "out of memory");
	struct bl_report_opts ro = {.all = all};
	bool to_stdout = !output || strcmp(output, "-") == 0;
	ro.color = to_stdout && strcmp(format, "text") == 0 && isatty(STDOUT_FILENO) &&
		   !getenv("NO_COLOR");
	if (!rc)
		rc = bl_report_open(&rep, format, b, &ro, err);
	if (!rc) {
		rp.b = b;
		rp.exc = run->exceptions ? &exc : NULL;
		rp.rep = rep;
		rp.stats = &stats;
		rp.scores = &scores;
		rc = bl_store_results(st, run->key, false, replay_one, &rp, err);
	}
	if (!rc && (rc = bl_catalogs_load(&cats, err)) == 0)
		have_cats = true;
	if (!rc) {
		stats.assets = run->assets;
		stats.controls = run->controls;
		stats.untiered = run->untiered;
		stats.unknown_tier = run->unknown_tier;
		stats.rule_errors = run->rule_errors;
		bl_scores_finish(&scores);
		if ((rc = bl_rollup_build_with(&rollup, b, &stats, &cats)))
			bl_error_set(err, rc, NULL, 0, 0, "out of memory");
	}
	if (!rc) {
		snprintf(info.id, sizeof(info.id), "%s", run->id);
		snprintf(info.started, sizeof(info.started), "%s", run->started);
		snprintf(info.finished, sizeof(info.finished), "%s", run->finished);
		info.baseline = b;
		info.stats = &stats;
		info.rollup = &rollup;
		info.scores = &scores;
		info.inventory = run->inventory ? &inv : NULL;
		info.exceptions = run->exceptions ? &exc : NULL;
		info.now = run->now;
		struct bl_error herr;
		if (bl_cli_trend_points(st, run->baseline_id ? run->baseline_id : "", run->id, a,
					&info.trend, &info.ntrend, &herr)) {
			info.trend = NULL;
			info.ntrend = 0;
		}
		struct bl_output out;
		if ((rc = bl_output_open(&out, output, err)) == 0) {
			if ((rc = bl_report_finish(rep, &info, out.f, err)))
				bl_output_abort(&out);
			else
				rc = bl_output_commit(&out, err);
		}
	}
	bl_report_free(rep);
	bl_rollup_free(&rollup);
	if (have_cats)
		bl_catalogs_free(&cats);
	bl_scores_free(&scores);
	bl_run_stats_free(&stats);
	bl_arena_free(&rp.tmp);
	bl_baseline_free(b);
	return rc;
}

int bl_cli_render_stored(const char *ref, const char *store_url, const char *format,
			 const char *output, bool all, struct bl_error *err)
{
	struct bl_store *st = NULL;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_stored_run run;
	int rc = bl_store_open(&st, store_url, err);
	if (!rc)
		rc = bl_store_run_find(st, ref, &a, &run, err);
	if (!rc)
		rc = render(st, &run, format, output, all, &a, err);
	bl_store_close(st);
	bl_arena_free(&a);
	return rc;
}

int bl_cmd_report(int argc, char **argv)
{
	const char *format = "text", *output = NULL, *store_url = NULL;
	bool all = false;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:o:h", long_opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_ALL:
			all = true;
			break;
		case OPT_STORE:
			store_url = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return BL_EXIT_OK;
		case ':':
			return bl_cli_usage_error("report", "%s needs a value", argv[optind - 1]);
		default:
			return bl_cli_usage_error("report", "unknown option '%s' (see --help)",
						  argv[optind - 1]);
		}
	}
	if (argc - optind > 1)
		return bl_cli_usage_error("report", "one RUN at most (see --help)");
	const char *ref = optind < argc ? argv[optind] : "latest";
	struct bl_error err;
	bl_error_clear(&err);
	int rc = bl_cli_render_stored(ref, store_url, format, output, all, &err);
	return rc ? bl_cli_report_error(&err) : BL_EXIT_OK;
}
