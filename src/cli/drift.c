/*
 * drift.c - `baseline drift [RUN_A RUN_B]`: what changed between two stored
 * runs (engine/drift.h).  Default: the latest run and the run before it
 * with the same baseline id.  Exit 0 whatever changed; 2 bad usage or no
 * such runs; 3 internal.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "doc/json.h"
#include "engine/drift.h"
#include "store/store.h"

static const char usage_text[] =
	"usage: baseline drift [RUN_A RUN_B] [-f text|json] [--store URL]\n"
	"\n"
	"Compare two stored runs (ids, unique prefixes or latest; default: the latest\n"
	"run and the one before it of the same baseline id): results newly failing,\n"
	"fixed, still failing, new and removed assets, and whether the baseline changed.\n"
	"\n"
	"  -f, --format FORMAT    text (default) or json\n"
	"      --store URL        the run store (default $BASELINE_STORE or the user's)\n"
	"  -h, --help             this help\n";

enum { OPT_STORE = 256 };

static const struct option long_opts[] = {
	{"format", required_argument, NULL, 'f'},
	{"store", required_argument, NULL, OPT_STORE},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

struct collect {
	struct bl_drift_entry *v;
	size_t n, cap;
	struct bl_arena *a;
	struct bl_error *err;
};

static int collect_one(void *ctx, const struct bl_stored_result *r)
{
	struct collect *c = ctx;
	if (c->n == c->cap) {
		size_t nc = c->cap ? c->cap * 2 : 256;
		struct bl_drift_entry *nv = realloc(c->v, nc * sizeof(*nv));
		if (!nv)
			return bl_error_set(c->err, BL_ENOMEM, NULL, 0, 0, "out of memory");
		c->v = nv;
		c->cap = nc;
	}
	struct bl_drift_entry *e = &c->v[c->n];
	e->control = bl_arena_strndup(c->a, r->control, strlen(r->control));
	e->asset = bl_arena_strndup(c->a, r->asset, strlen(r->asset));
	e->status = r->status;
	e->exc_expired = r->exc_state == BL_EXC_EXPIRED;
	if (!e->control || !e->asset)
		return bl_error_set(c->err, BL_ENOMEM, NULL, 0, 0, "out of memory");
	/* the same asset id under two types compares as one asset */
	if (c->n && strcmp(c->v[c->n - 1].control, e->control) == 0 &&
	    strcmp(c->v[c->n - 1].asset, e->asset) == 0)
		return 0;
	c->n++;
	return 0;
}

/* The run before `to` (by insertion) with the same baseline id. */
static int previous_run(struct bl_store *st, const struct bl_stored_run *to, struct bl_arena *a,
			struct bl_stored_run *out, struct bl_error *err)
{
	struct bl_stored_run *runs;
	size_t n;
	int rc = bl_store_runs(st, a, &runs, &n, err);
	if (rc)
		return rc;
	for (size_t i = n; i-- > 0;)
		if (runs[i].key < to->key && strcmp(runs[i].baseline_id, to->baseline_id) == 0) {
			*out = runs[i];
			return 0;
		}
	return bl_error_set(err, BL_EINVAL, NULL, 0, 0,
			    "no earlier run of baseline %s to compare run %s with", to->baseline_id,
			    to->id);
}

static void put_str(struct bl_buf *b, const char *s)
{
	if (s)
		bl_json_write_str(b, s, strlen(s));
	else
		bl_buf_adds(b, "null");
}

static const char *status_or_absent(enum bl_status s)
{
	return s < BL_NSTATUS ? bl_status_name(s) : "absent";
}

static void json_run(struct bl_buf *b, const struct bl_stored_run *r)
{
	bl_buf_adds(b, "{\"id\": ");
	put_str(b, r->id);
	bl_buf_adds(b, ", \"started\": ");
	put_str(b, r->started);
	bl_buf_adds(b, ", \"baseline\": {\"id\": ");
	put_str(b, r->baseline_id);
	bl_buf_adds(b, ", \"version\": ");
	put_str(b, r->baseline_version);
	bl_buf_adds(b, ", \"sha256\": ");
	put_str(b, r->baseline_sha256);
	bl_buf_adds(b, "}}");
}

static void write_json(struct bl_buf *b, const struct bl_stored_run *ra,
		       const struct bl_stored_run *rb, const struct bl_drift *d)
{
	bl_buf_adds(b, "{\n  \"schema\": \"baseline.drift/1\",\n  \"from\": ");
	json_run(b, ra);
	bl_buf_adds(b, ",\n  \"to\": ");
	json_run(b, rb);
	bool vchanged = strcmp(ra->baseline_version ? ra->baseline_version : "",
			       rb->baseline_version ? rb->baseline_version : "") != 0;
	bl_buf_printf(b, ",\n  \"baseline_changed\": {\"id\": %s, \"version\": %s, \"sha256\": %s},\n"
			 "  \"counts\": {",
		      strcmp(ra->baseline_id, rb->baseline_id) ? "true" : "false",
		      vchanged ? "true" : "false",
		      strcmp(ra->baseline_sha256, rb->baseline_sha256) ? "true" : "false");
	for (int k = 0; k < BL_DRIFT_NKINDS; k++)
		bl_buf_printf(b, "%s\"%s\": %zu", k ? ", " : "", bl_drift_kind_name((enum bl_drift_kind)k),
			      d->count[k]);
	bl_buf_adds(b, "}");
	for (int k = 0; k < BL_DRIFT_NKINDS; k++) {
		bl_buf_printf(b, ",\n  \"%s\": [", bl_drift_kind_name((enum bl_drift_kind)k));
		size_t shown = 0;
		for (size_t i = 0; i < d->n; i++) {
			const struct bl_drift_item *it = &d->items[i];
			if ((int)it->kind != k)
				continue;
			bl_buf_adds(b, shown++ ? ",\n    " : "\n    ");
			if (it->control) {
				bl_buf_adds(b, "{\"control\": ");
				put_str(b, it->control);
				bl_buf_adds(b, ", \"asset\": ");
				put_str(b, it->asset);
				bl_buf_printf(b, ", \"from\": \"%s\", \"to\": \"%s\"}",
					      status_or_absent(it->from), status_or_absent(it->to));
			} else {
				put_str(b, it->asset);
			}
		}
		bl_buf_adds(b, shown ? "\n  ]" : "]");
	}
	bl_buf_adds(b, "\n}\n");
}

static void write_text(struct bl_buf *b, const struct bl_stored_run *ra,
		       const struct bl_stored_run *rb, const struct bl_drift *d)
{
	bl_buf_printf(b, "drift from run %.8s (%s, %s %s)\n        to run %.8s (%s, %s %s)\n", ra->id,
		      ra->started, ra->baseline_id, ra->baseline_version ? ra->baseline_version : "",
		      rb->id, rb->started, rb->baseline_id,
		      rb->baseline_version ? rb->baseline_version : "");
	if (strcmp(ra->baseline_sha256, rb->baseline_sha256) != 0)
		bl_buf_printf(b, "baseline changed: %s %s (%.12s) -> %s %s (%.12s)\n", ra->baseline_id,
			      ra->baseline_version ? ra->baseline_version : "", ra->baseline_sha256,
			      rb->baseline_id, rb->baseline_version ? rb->baseline_version : "",
			      rb->baseline_sha256);
	else
		bl_buf_adds(b, "baseline unchanged\n");
	static const char *const titles[] = {"newly failing", "fixed", "exempted",
					     "still failing", "new assets", "removed assets",
					     "exceptions expired"};
	for (int k = 0; k < BL_DRIFT_NKINDS; k++) {
		bl_buf_printf(b, "\n%s: %zu\n", titles[k], d->count[k]);
		for (size_t i = 0; i < d->n; i++) {
			const struct bl_drift_item *it = &d->items[i];
			if ((int)it->kind != k)
				continue;
			if (it->control)
				bl_buf_printf(b, "  %-14s %s  (%s -> %s)\n", it->control, it->asset,
					      status_or_absent(it->from), status_or_absent(it->to));
			else
				bl_buf_printf(b, "  %s\n", it->asset);
		}
	}
}

int bl_cli_drift_load(struct bl_store *st, const char *ref_a, const char *ref_b,
		      struct bl_arena *a, struct bl_stored_run *ra, struct bl_stored_run *rb,
		      struct bl_drift *d, struct bl_error *err)
{
	memset(d, 0, sizeof(*d));
	int rc = bl_store_run_find(st, ref_b ? ref_b : "latest", a, rb, err);
	if (!rc)
		rc = ref_a ? bl_store_run_find(st, ref_a, a, ra, err) : previous_run(st, rb, a, ra, err);
	if (rc)
		return rc;
	struct collect ca = {.a = a, .err = err}, cb = {.a = a, .err = err};
	rc = bl_store_results(st, ra->key, true, collect_one, &ca, err);
	if (!rc)
		rc = bl_store_results(st, rb->key, true, collect_one, &cb, err);
	if (!rc && bl_drift_compare(d, ca.v, ca.n, cb.v, cb.n))
		rc = bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
	free(ca.v);
	free(cb.v);
	return rc;
}

static int run_drift(struct bl_store *st, int nrefs, char **refs, const char *format,
		     struct bl_arena *a, struct bl_error *err)
{
	struct bl_stored_run ra, rb;
	struct bl_drift d;
	int rc = bl_cli_drift_load(st, nrefs == 2 ? refs[0] : NULL, nrefs == 2 ? refs[1] : NULL, a,
				   &ra, &rb, &d, err);
	if (!rc) {
		struct bl_buf b;
		bl_buf_init(&b, 0);
		if (strcmp(format, "json") == 0)
			write_json(&b, &ra, &rb, &d);
		else
			write_text(&b, &ra, &rb, &d);
		if (b.failed)
			rc = bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
		else if (fwrite(b.data, 1, b.len, stdout) != b.len || fflush(stdout))
			rc = bl_error_set(err, BL_EIO, NULL, 0, 0, "cannot write the output");
		bl_buf_free(&b);
	}
	bl_drift_free(&d);
	return rc;
}

int bl_cmd_drift(int argc, char **argv)
{
	const char *format = "text", *store_url = NULL;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:h", long_opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case OPT_STORE:
			store_url = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return BL_EXIT_OK;
		case ':':
			return bl_cli_usage_error("drift", "%s needs a value", argv[optind - 1]);
		default:
			return bl_cli_usage_error("drift", "unknown option '%s' (see --help)",
						  argv[optind - 1]);
		}
	}
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0)
		return bl_cli_usage_error("drift", "-f takes text or json");
	int nrefs = argc - optind;
	if (nrefs != 0 && nrefs != 2)
		return bl_cli_usage_error("drift", "give two runs (RUN_A RUN_B) or none");
	struct bl_error err;
	bl_error_clear(&err);
	struct bl_store *st = NULL;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	int rc = bl_store_open(&st, store_url, &err);
	if (!rc)
		rc = run_drift(st, nrefs, argv + optind, format, &a, &err);
	int exit_code = rc ? bl_cli_report_error(&err) : BL_EXIT_OK;
	bl_store_close(st);
	bl_arena_free(&a);
	return exit_code;
}
