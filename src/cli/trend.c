/*
 * trend.c - `baseline trend`: compliance and counts by status per stored
 * run, oldest first, optionally from a date on and for one framework.
 * Text is a table with a sparkline; json is "baseline.trend/1"
 * (docs/store.md).  Exit 0 whatever the results; 2 bad usage; 3 internal.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "doc/json.h"
#include "model/exceptions.h"
#include "store/store.h"

static const char usage_text[] =
	"usage: baseline trend [--since DATE] [--framework ID] [-f text|json] [--store URL]\n"
	"\n"
	"Compliance and counts by status of every stored run, oldest first.\n"
	"\n"
	"      --since DATE       only runs started on or after DATE (YYYY-MM-DD, UTC)\n"
	"      --framework ID     also the compliance of this framework (e.g. mcsb-v1)\n"
	"  -f, --format FORMAT    text (default) or json\n"
	"      --store URL        the run store (default $BASELINE_STORE or the user's)\n"
	"  -h, --help             this help\n";

enum { OPT_SINCE = 256, OPT_FRAMEWORK, OPT_STORE };

static const struct option long_opts[] = {
	{"since", required_argument, NULL, OPT_SINCE},
	{"framework", required_argument, NULL, OPT_FRAMEWORK},
	{"format", required_argument, NULL, 'f'},
	{"store", required_argument, NULL, OPT_STORE},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

struct row {
	const struct bl_stored_run *run;
	struct bl_tally fw;
	bool has_fw;
};

static void put_str(struct bl_buf *b, const char *s)
{
	if (s)
		bl_json_write_str(b, s, strlen(s));
	else
		bl_buf_adds(b, "null");
}

static void put_pct(struct bl_buf *b, const struct bl_tally *t, bool json)
{
	double c = bl_tally_compliance(t);
	if (c < 0)
		bl_buf_adds(b, json ? "null" : "     n/a");
	else
		bl_buf_printf(b, json ? "%.2f" : "%7.2f%%", c);
}

static void put_counts(struct bl_buf *b, const struct bl_tally *t)
{
	bl_buf_printf(b, "\"pass\": %llu, \"fail\": %llu, \"error\": %llu, \"not_applicable\": %llu, "
			 "\"exempt\": %llu, \"compliance\": ",
		      (unsigned long long)t->n[BL_PASS], (unsigned long long)t->n[BL_FAIL],
		      (unsigned long long)t->n[BL_ERROR], (unsigned long long)t->n[BL_NA],
		      (unsigned long long)t->n[BL_EXEMPT]);
	put_pct(b, t, true);
}

static void write_json(struct bl_buf *b, const struct row *rows, size_t n, const char *fw)
{
	bl_buf_adds(b, "{\n  \"schema\": \"baseline.trend/1\",\n  \"framework\": ");
	put_str(b, fw);
	bl_buf_adds(b, ",\n  \"runs\": [");
	for (size_t i = 0; i < n; i++) {
		const struct bl_stored_run *r = rows[i].run;
		bl_buf_adds(b, i ? ",\n    {\"id\": " : "\n    {\"id\": ");
		put_str(b, r->id);
		bl_buf_adds(b, ", \"started\": ");
		put_str(b, r->started);
		bl_buf_adds(b, ", \"finished\": ");
		put_str(b, r->finished);
		bl_buf_adds(b, ", \"baseline\": {\"id\": ");
		put_str(b, r->baseline_id);
		bl_buf_adds(b, ", \"version\": ");
		put_str(b, r->baseline_version);
		bl_buf_adds(b, ", \"sha256\": ");
		put_str(b, r->baseline_sha256);
		bl_buf_printf(b, "}, \"targets\": %s, \"assets\": %llu, ", r->targets,
			      (unsigned long long)r->assets);
		put_counts(b, &r->total);
		if (fw) {
			bl_buf_adds(b, ", \"framework\": ");
			if (rows[i].has_fw) {
				bl_buf_adds(b, "{");
				put_counts(b, &rows[i].fw);
				bl_buf_adds(b, "}");
			} else {
				bl_buf_adds(b, "null");
			}
		}
		bl_buf_adds(b, "}");
	}
	bl_buf_adds(b, n ? "\n  ]\n}\n" : "]\n}\n");
}

/* One bar per run, ▁ (0 %) to █ (100 %); a space when there is no value. */
static void sparkline(struct bl_buf *b, const struct row *rows, size_t n, bool fw)
{
	static const char *const bars[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
	for (size_t i = 0; i < n; i++) {
		if (fw && !rows[i].has_fw) {
			bl_buf_addc(b, ' ');
			continue;
		}
		double c = bl_tally_compliance(fw ? &rows[i].fw : &rows[i].run->total);
		if (c < 0) {
			bl_buf_addc(b, ' ');
			continue;
		}
		int k = (int)(c / 100.0 * 7.0 + 0.5);
		bl_buf_adds(b, bars[k < 0 ? 0 : k > 7 ? 7 : k]);
	}
}

static void write_text(struct bl_buf *b, const struct row *rows, size_t n, const char *fw)
{
	if (!n) {
		bl_buf_adds(b, "no runs stored yet\n");
		return;
	}
	bl_buf_printf(b, "%-8s  %-20s  %-24s %6s %6s %6s %6s %6s  %10s", "RUN", "STARTED", "BASELINE",
		      "PASS", "FAIL", "ERROR", "N/A", "EXEMPT", "COMPLIANCE");
	if (fw)
		bl_buf_printf(b, "  %s", fw);
	bl_buf_addc(b, '\n');
	for (size_t i = 0; i < n; i++) {
		const struct bl_stored_run *r = rows[i].run;
		char name[64];
		snprintf(name, sizeof(name), "%s %s", r->baseline_id,
			 r->baseline_version ? r->baseline_version : "");
		bl_buf_printf(b, "%-8.8s  %-20s  %-24.24s %6llu %6llu %6llu %6llu %6llu  ", r->id,
			      r->started, name, (unsigned long long)r->total.n[BL_PASS],
			      (unsigned long long)r->total.n[BL_FAIL],
			      (unsigned long long)r->total.n[BL_ERROR],
			      (unsigned long long)r->total.n[BL_NA],
			      (unsigned long long)r->total.n[BL_EXEMPT]);
		bl_buf_adds(b, "  ");
		put_pct(b, &r->total, false);
		if (fw) {
			bl_buf_adds(b, "  ");
			if (rows[i].has_fw)
				put_pct(b, &rows[i].fw, false);
			else
				bl_buf_adds(b, "     n/a");
		}
		bl_buf_addc(b, '\n');
	}
	bl_buf_adds(b, "\ncompliance ");
	sparkline(b, rows, n, false);
	bl_buf_adds(b, "\n");
	if (fw) {
		bl_buf_printf(b, "%-10s ", fw);
		sparkline(b, rows, n, true);
		bl_buf_adds(b, "\n");
	}
}

static int trend(struct bl_store *st, const char *since, const char *fw, const char *format,
		 struct bl_arena *a, struct bl_error *err)
{
	struct bl_stored_run *runs;
	size_t n, k = 0;
	int rc = bl_store_runs(st, a, &runs, &n, err);
	if (rc)
		return rc;
	struct row *rows = calloc(n + 1, sizeof(*rows));
	if (!rows)
		return bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
	for (size_t i = 0; !rc && i < n; i++) {
		/* RFC 3339 UTC times compare as text with a YYYY-MM-DD prefix */
		if (since && strncmp(runs[i].started, since, 10) < 0)
			continue;
		rows[k].run = &runs[i];
		if (fw)
			rc = bl_store_run_fw(st, runs[i].key, fw, &rows[k].fw, &rows[k].has_fw, err);
		k++;
	}
	if (!rc) {
		struct bl_buf b;
		bl_buf_init(&b, 0);
		if (strcmp(format, "json") == 0)
			write_json(&b, rows, k, fw);
		else
			write_text(&b, rows, k, fw);
		if (b.failed)
			rc = bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
		else if (fwrite(b.data, 1, b.len, stdout) != b.len || fflush(stdout))
			rc = bl_error_set(err, BL_EIO, NULL, 0, 0, "cannot write the output");
		bl_buf_free(&b);
	}
	free(rows);
	return rc;
}

int bl_cmd_trend(int argc, char **argv)
{
	const char *format = "text", *store_url = NULL, *since = NULL, *fw = NULL;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:h", long_opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case OPT_SINCE: {
			int64_t day;
			if (strlen(optarg) != 10 || !bl_date_parse(optarg, 10, &day))
				return bl_cli_usage_error("trend", "--since takes a date YYYY-MM-DD, "
								   "not '%s'", optarg);
			since = optarg;
			break;
		}
		case OPT_FRAMEWORK:
			fw = optarg;
			break;
		case OPT_STORE:
			store_url = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return BL_EXIT_OK;
		case ':':
			return bl_cli_usage_error("trend", "%s needs a value", argv[optind - 1]);
		default:
			return bl_cli_usage_error("trend", "unknown option '%s' (see --help)",
						  argv[optind - 1]);
		}
	}
	if (optind < argc)
		return bl_cli_usage_error("trend", "unexpected argument '%s'", argv[optind]);
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0)
		return bl_cli_usage_error("trend", "-f takes text or json");
	struct bl_error err;
	bl_error_clear(&err);
	struct bl_store *st = NULL;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	int rc = bl_store_open(&st, store_url, &err);
	if (!rc)
		rc = trend(st, since, fw, format, &a, &err);
	int exit_code = rc ? bl_cli_report_error(&err) : BL_EXIT_OK;
	bl_store_close(st);
	bl_arena_free(&a);
	return exit_code;
}
