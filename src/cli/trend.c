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
	"usage: baseline trend [--since DATE] [--framework ID] [--target ID | --all-targets]\n"
	"                      [-f text|json] [--store URL]\n"
	"\n"
	"Compliance, counts by status and failing results by severity of every stored\n"
	"run, oldest first.\n"
	"\n"
	"      --since DATE       only runs started on or after DATE (YYYY-MM-DD, UTC)\n"
	"      --framework ID     also the compliance of this framework (e.g. mcsb-v1)\n"
	"      --target ID        only the runs of one target (e.g. host:web-01)\n"
	"      --all-targets      one trend per target, side by side (a fleet over time)\n"
	"  -f, --format FORMAT    text (default) or json\n"
	"      --store URL        the run store (default $BASELINE_STORE or the user's)\n"
	"  -h, --help             this help\n";

enum { OPT_SINCE = 256, OPT_FRAMEWORK, OPT_STORE, OPT_TARGET, OPT_ALL_TARGETS };

static const struct option long_opts[] = {
	{"since", required_argument, NULL, OPT_SINCE},
	{"framework", required_argument, NULL, OPT_FRAMEWORK},
	{"format", required_argument, NULL, 'f'},
	{"store", required_argument, NULL, OPT_STORE},
	{"target", required_argument, NULL, OPT_TARGET},
	{"all-targets", no_argument, NULL, OPT_ALL_TARGETS},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

struct row {
	const struct bl_stored_run *run;
	struct bl_tally fw;
	bool has_fw;
	uint64_t failing[5];      /* fail + error by severity (enum bl_severity) */
};

static const char *const sev_keys[5] = {"info", "low", "medium", "high", "critical"};

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
		bl_buf_adds(b, ", \"failing_by_severity\": {");
		for (int k = 4; k >= 0; k--)
			bl_buf_printf(b, "%s\"%s\": %llu", k < 4 ? ", " : "", sev_keys[k],
				      (unsigned long long)rows[i].failing[k]);
		bl_buf_adds(b, "}");
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
	bl_buf_printf(b, "%-8s  %-20s  %-24s %6s %6s %6s %6s %6s  %-15s  %10s", "RUN", "STARTED",
		      "BASELINE", "PASS", "FAIL", "ERROR", "N/A", "EXEMPT", "FAILING C/H/M/L/I",
		      "COMPLIANCE");
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
		char sev[80];
		snprintf(sev, sizeof(sev), "%llu/%llu/%llu/%llu/%llu",
			 (unsigned long long)rows[i].failing[4], (unsigned long long)rows[i].failing[3],
			 (unsigned long long)rows[i].failing[2], (unsigned long long)rows[i].failing[1],
			 (unsigned long long)rows[i].failing[0]);
		bl_buf_printf(b, "%-17s", sev);
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

/* --all-targets: every target with its runs, one sparkline each. */
static void write_targets(struct bl_buf *b, const char *const *targets, size_t nt,
			  struct row **per, const size_t *nper, bool json)
{
	if (json) {
		bl_buf_adds(b, "{\n  \"schema\": \"baseline.trend-targets/1\",\n  \"targets\": [");
		for (size_t t = 0; t < nt; t++) {
			bl_buf_adds(b, t ? ",\n    {\"target\": " : "\n    {\"target\": ");
			put_str(b, targets[t]);
			bl_buf_adds(b, ", \"runs\": [");
			for (size_t i = 0; i < nper[t]; i++) {
				const struct bl_stored_run *r = per[t][i].run;
				bl_buf_adds(b, i ? ", {\"id\": " : "{\"id\": ");
				put_str(b, r->id);
				bl_buf_adds(b, ", \"started\": ");
				put_str(b, r->started);
				bl_buf_adds(b, ", \"baseline\": ");
				put_str(b, r->baseline_id);
				bl_buf_adds(b, ", \"compliance\": ");
				put_pct(b, &r->total, true);
				bl_buf_adds(b, "}");
			}
			bl_buf_adds(b, "]}");
		}
		bl_buf_adds(b, nt ? "\n  ]\n}\n" : "]\n}\n");
		return;
	}
	if (!nt) {
		bl_buf_adds(b, "no runs stored yet\n");
		return;
	}
	bl_buf_printf(b, "%-40s %5s  %10s  %s\n", "TARGET", "RUNS", "LATEST", "TREND");
	for (size_t t = 0; t < nt; t++) {
		bl_buf_add_col(b, targets[t], 40);
		bl_buf_printf(b, " %5zu  ", nper[t]);
		put_pct(b, &per[t][nper[t] - 1].run->total, false);
		bl_buf_adds(b, "   ");
		sparkline(b, per[t], nper[t], false);
		bl_buf_addc(b, '\n');
	}
}

static int all_targets(struct row *rows, size_t n, bool json,
		       struct bl_buf *b, struct bl_arena *a, struct bl_error *err)
{
	const char **targets = NULL;
	size_t nt = 0, cap = 0;
	int rc = 0;
	for (size_t i = 0; !rc && i < n; i++) {
		const char **t;
		size_t k;
		if (bl_cli_run_targets(rows[i].run, a, &t, &k))
			rc = BL_ENOMEM;
		for (size_t j = 0; !rc && j < k; j++) {
			size_t x = 0;
			while (x < nt && strcmp(targets[x], t[j]) != 0)
				x++;
			if (x < nt)
				continue;
			if (nt == cap) {
				cap = cap ? cap * 2 : 16;
				const char **nv = realloc(targets, cap * sizeof(*nv));
				if (!nv) {
					rc = BL_ENOMEM;
					break;
				}
				targets = nv;
			}
			targets[nt++] = t[j];
		}
	}
	struct row **per = calloc(nt + 1, sizeof(*per));
	size_t *nper = calloc(nt + 1, sizeof(*nper));
	if (!per || !nper)
		rc = BL_ENOMEM;
	for (size_t t = 0; !rc && t < nt; t++) {
		if (!(per[t] = calloc(n + 1, sizeof(**per)))) {
			rc = BL_ENOMEM;
			break;
		}
		for (size_t i = 0; i < n; i++)
			if (bl_cli_run_has_target(rows[i].run, targets[t], a))
				per[t][nper[t]++] = rows[i];
	}
	if (!rc)
		write_targets(b, targets, nt, per, nper, json);
	for (size_t t = 0; per && t < nt; t++)
		free(per[t]);
	free(per);
	free(nper);
	free(targets);
	return rc ? bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory") : 0;
}

static int trend(struct bl_store *st, const char *since, const char *fw, const char *target,
		 bool every_target, const char *format, struct bl_arena *a, struct bl_error *err)
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
		if (target && !bl_cli_run_has_target(&runs[i], target, a))
			continue;
		rows[k].run = &runs[i];
		if (fw)
			rc = bl_store_run_fw(st, runs[i].key, fw, &rows[k].fw, &rows[k].has_fw, err);
		if (!rc && !every_target)
			rc = bl_cli_run_failing_by_severity(st, &runs[i], a, rows[k].failing, err);
		k++;
	}
	if (!rc) {
		struct bl_buf b;
		bl_buf_init(&b, 0);
		if (every_target)
			rc = all_targets(rows, k, strcmp(format, "json") == 0, &b, a, err);
		else if (strcmp(format, "json") == 0)
			write_json(&b, rows, k, fw);
		else
			write_text(&b, rows, k, fw);
		if (!rc && b.failed)
			rc = bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
		else if (!rc && (fwrite(b.data, 1, b.len, stdout) != b.len || fflush(stdout)))
			rc = bl_error_set(err, BL_EIO, NULL, 0, 0, "cannot write the output");
		bl_buf_free(&b);
	}
	free(rows);
	return rc;
}

int bl_cmd_trend(int argc, char **argv)
{
	const char *format = "text", *store_url = NULL, *since = NULL, *fw = NULL, *target = NULL;
	bool every_target = false;
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
		case OPT_TARGET:
			target = optarg;
			break;
		case OPT_ALL_TARGETS:
			every_target = true;
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
	if (target && every_target)
		return bl_cli_usage_error("trend", "give --target ID or --all-targets, not both");
	struct bl_error err;
	bl_error_clear(&err);
	struct bl_store *st = NULL;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	int rc = bl_store_open(&st, store_url, &err);
	if (!rc)
		rc = trend(st, since, fw, target, every_target, format, &a, &err);
	int exit_code = rc ? bl_cli_report_error(&err) : BL_EXIT_OK;
	bl_store_close(st);
	bl_arena_free(&a);
	return exit_code;
}
