/*
 * fleet.c - `baseline fleet`: compliance per target across the store, from
 * each target's latest run (the fleet view of a PostgreSQL store that every
 * host writes into; works on SQLite too).  For every target: its latest
 * run, baseline, compliance, failing counts, and the change in compliance
 * since that target's previous run of the same baseline.  Exit 0 whatever
 * it shows; 2 bad usage; 3 internal.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "doc/json.h"
#include "store/store.h"

static const char usage_text[] =
	"usage: baseline fleet [-f text|json] [--store URL]\n"
	"\n"
	"Compliance per target (host or snapshot) from its latest stored run, with the\n"
	"change since its previous run of the same baseline.  One line per (target,\n"
	"baseline); the least compliant first.\n"
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

struct member {
	const char *target;
	const struct bl_stored_run *latest, *previous;  /* same baseline id */
	size_t runs;
};

static int cmp_member(const void *pa, const void *pb)
{
	const struct member *a = pa, *b = pb;
	double ca = bl_tally_compliance(&a->latest->total), cb = bl_tally_compliance(&b->latest->total);
	if (ca != cb)
		return ca < cb ? -1 : 1;
	int c = strcmp(a->target, b->target);
	return c ? c : strcmp(a->latest->baseline_id, b->latest->baseline_id);
}

static void put_str(struct bl_buf *b, const char *s)
{
	if (s)
		bl_json_write_str(b, s, strlen(s));
	else
		bl_buf_adds(b, "null");
}

static void write_out(struct bl_buf *b, const struct member *m, size_t n, bool json)
{
	if (json) {
		bl_buf_adds(b, "{\n  \"schema\": \"baseline.fleet/1\",\n  \"targets\": [");
		for (size_t i = 0; i < n; i++) {
			const struct bl_stored_run *r = m[i].latest;
			double c = bl_tally_compliance(&r->total);
			bl_buf_adds(b, i ? ",\n    {\"target\": " : "\n    {\"target\": ");
			put_str(b, m[i].target);
			bl_buf_adds(b, ", \"run\": ");
			put_str(b, r->id);
			bl_buf_adds(b, ", \"started\": ");
			put_str(b, r->started);
			bl_buf_adds(b, ", \"baseline\": {\"id\": ");
			put_str(b, r->baseline_id);
			bl_buf_adds(b, ", \"version\": ");
			put_str(b, r->baseline_version);
			bl_buf_printf(b, "}, \"runs\": %zu, \"pass\": %llu, \"fail\": %llu, \"error\": %llu, "
					 "\"exempt\": %llu, \"compliance\": ",
				      m[i].runs, (unsigned long long)r->total.n[BL_PASS],
				      (unsigned long long)r->total.n[BL_FAIL],
				      (unsigned long long)r->total.n[BL_ERROR],
				      (unsigned long long)r->total.n[BL_EXEMPT]);
			if (c < 0)
				bl_buf_adds(b, "null");
			else
				bl_buf_printf(b, "%.2f", c);
			bl_buf_adds(b, ", \"change\": ");
			double p = m[i].previous ? bl_tally_compliance(&m[i].previous->total) : -1;
			if (c < 0 || p < 0)
				bl_buf_adds(b, "null");
			else
				bl_buf_printf(b, "%.2f", c - p);
			bl_buf_adds(b, "}");
		}
		bl_buf_adds(b, n ? "\n  ]\n}\n" : "]\n}\n");
		return;
	}
	if (!n) {
		bl_buf_adds(b, "no runs stored yet\n");
		return;
	}
	bl_buf_printf(b, "%-36s %-24s %-8s  %-20s %6s %6s  %10s  %8s\n", "TARGET", "BASELINE", "RUN",
		      "STARTED", "FAIL", "ERROR", "COMPLIANCE", "CHANGE");
	for (size_t i = 0; i < n; i++) {
		const struct bl_stored_run *r = m[i].latest;
		double c = bl_tally_compliance(&r->total);
		double p = m[i].previous ? bl_tally_compliance(&m[i].previous->total) : -1;
		bl_buf_add_col(b, m[i].target, 36);
		bl_buf_printf(b, " %-24.24s %-8.8s  %-20s %6llu %6llu  ",
			      r->baseline_id, r->id, r->started, (unsigned long long)r->total.n[BL_FAIL],
			      (unsigned long long)r->total.n[BL_ERROR]);
		if (c < 0)
			bl_buf_adds(b, "       n/a");
		else
			bl_buf_printf(b, "%9.2f%%", c);
		if (c < 0 || p < 0)
			bl_buf_adds(b, "         -\n");
		else
			bl_buf_printf(b, "  %+7.2f\n", c - p);
	}
	size_t failing = 0;
	for (size_t i = 0; i < n; i++)
		failing += m[i].latest->total.n[BL_FAIL] + m[i].latest->total.n[BL_ERROR] > 0;
	bl_buf_printf(b, "\n%zu target%s, %zu with failing results\n", n, n == 1 ? "" : "s", failing);
}

static int fleet(struct bl_store *st, bool json, struct bl_arena *a, struct bl_error *err)
{
	struct bl_stored_run *runs;
	size_t n;
	int rc = bl_store_runs(st, a, &runs, &n, err);
	if (rc)
		return rc;
	struct member *m = NULL;
	size_t nm = 0, cap = 0;
	/* runs come oldest first: a later run of the same (target, baseline)
	 * becomes the latest and pushes the one before to previous */
	for (size_t i = 0; !rc && i < n; i++) {
		const char **t;
		size_t k;
		if (bl_cli_run_targets(&runs[i], a, &t, &k)) {
			rc = BL_ENOMEM;
			break;
		}
		for (size_t j = 0; j < k; j++) {
			size_t x = 0;
			while (x < nm && !(strcmp(m[x].target, t[j]) == 0 &&
					   strcmp(m[x].latest->baseline_id, runs[i].baseline_id) == 0))
				x++;
			if (x == nm) {
				if (nm == cap) {
					cap = cap ? cap * 2 : 32;
					struct member *nv = realloc(m, cap * sizeof(*nv));
					if (!nv) {
						rc = BL_ENOMEM;
						break;
					}
					m = nv;
				}
				m[nm++] = (struct member){.target = t[j], .latest = &runs[i], .runs = 1};
				continue;
			}
			m[x].previous = m[x].latest;
			m[x].latest = &runs[i];
			m[x].runs++;
		}
	}
	if (!rc) {
		if (nm)
			qsort(m, nm, sizeof(*m), cmp_member);
		struct bl_buf b;
		bl_buf_init(&b, 0);
		write_out(&b, m, nm, json);
		if (b.failed)
			rc = BL_ENOMEM;
		else if (fwrite(b.data, 1, b.len, stdout) != b.len || fflush(stdout))
			rc = bl_error_set(err, BL_EIO, NULL, 0, 0, "cannot write the output");
		bl_buf_free(&b);
	}
	free(m);
	if (rc == BL_ENOMEM)
		bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
	return rc;
}

int bl_cmd_fleet(int argc, char **argv)
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
			return bl_cli_usage_error("fleet", "%s needs a value", argv[optind - 1]);
		default:
			return bl_cli_usage_error("fleet", "unknown option '%s' (see --help)",
						  argv[optind - 1]);
		}
	}
	if (optind < argc)
		return bl_cli_usage_error("fleet", "unexpected argument '%s'", argv[optind]);
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0)
		return bl_cli_usage_error("fleet", "-f takes text or json");
	struct bl_error err;
	bl_error_clear(&err);
	struct bl_store *st = NULL;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	int rc = bl_store_open(&st, store_url, &err);
	if (!rc)
		rc = fleet(st, strcmp(format, "json") == 0, &a, &err);
	int exit_code = rc ? bl_cli_report_error(&err) : BL_EXIT_OK;
	bl_store_close(st);
	bl_arena_free(&a);
	return exit_code;
}
