/*
 * exceptions.c - `baseline exceptions list|check -x FILE`: show the
 * exceptions of a document, and check that they are valid, current and
 * still needed.
 *
 * check exits 2 for an invalid document (every problem with file:line:col),
 * 1 when an exception has expired or expires within 30 days, or - when
 * targets are given (-b BASELINE -s PATH... or --host) - when one is stale
 * (it covered no failing result of that assessment); 0 otherwise.  list
 * exits 0 for a valid document, 2 for an invalid one.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "doc/json.h"
#include "engine/engine.h"
#include "engine/host.h"
#include "facts/facts.h"
#include "model/baseline.h"
#include "model/exceptions.h"
#include "model/inventory.h"

static const char usage_text[] =
	"usage: baseline exceptions list  -x FILE [-f text|json] [--max-exception-days N]\n"
	"       baseline exceptions check -x FILE [-b BASELINE (-s PATH... | --host [--root DIR])]\n"
	"                                 [-i INVENTORY] [--max-exception-days N]\n"
	"\n"
	"list shows every exception with its state and days left.  check validates the\n"
	"document and exits 1 when an exception has expired or expires within 30 days;\n"
	"given targets it also assesses them and exits 1 when an exception is stale\n"
	"(it covered no failing result).  Exit 2: bad usage or an invalid document.\n"
	"\n"
	"  -x, --exceptions FILE  the exception document\n"
	"  -b, --baseline FILE    with check: the baseline to assess\n"
	"  -s, --snapshot PATH    with check: snapshot file or folder (repeatable)\n"
	"      --host             with check: assess this machine (--root DIR: offline)\n"
	"  -i, --inventory FILE   with check: inventory for the assessment\n"
	"      --max-exception-days N  an exception may expire at most N days from\n"
	"                         today (default 365)\n"
	"  -f, --format FORMAT    with list: text (default) or json\n"
	"  -h, --help             this help\n";

enum { OPT_HOST = 256, OPT_ROOT, OPT_MAX_EXC_DAYS };

static const struct option long_opts[] = {
	{"exceptions", required_argument, NULL, 'x'},
	{"baseline", required_argument, NULL, 'b'},
	{"snapshot", required_argument, NULL, 's'},
	{"inventory", required_argument, NULL, 'i'},
	{"format", required_argument, NULL, 'f'},
	{"host", no_argument, NULL, OPT_HOST},
	{"root", required_argument, NULL, OPT_ROOT},
	{"max-exception-days", required_argument, NULL, OPT_MAX_EXC_DAYS},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

struct exc_args {
	const char *file, *baseline, *inventory, *format, *root;
	const char **snaps;
	size_t nsnaps;
	bool host;
	int max_days;
};

static const char *state_of(const struct bl_exception *e, int64_t now)
{
	int64_t left = bl_exception_days_left(e, now);
	if (left < 0)
		return "expired";
	return left <= BL_EXC_WARN_DAYS ? "expiring" : "active";
}

static void list_text(const struct bl_exceptions *x, int64_t now)
{
	printf("%-16s %-12s %-14s %-10s %6s  %-8s %s\n", "ID", "CONTROL", "CATEGORY", "EXPIRES",
	       "DAYS", "STATE", "ASSETS");
	for (size_t i = 0; i < x->n; i++) {
		const struct bl_exception *e = &x->items[i];
		printf("%-16s %-12s %-14s %-10s %6lld  %-8s ", e->id, e->control,
		       bl_exc_category_name(e->category), e->expires,
		       (long long)bl_exception_days_left(e, now), state_of(e, now));
		for (size_t k = 0; k < e->nassets; k++)
			printf("%s%s", k ? ", " : "", e->assets[k]);
		printf("\n%16s approved by %s%s%s: %s\n", "", e->approved_by, e->ticket ? ", ticket " : "",
		       e->ticket ? e->ticket : "", e->justification);
	}
	printf("%zu exception%s\n", x->n, x->n == 1 ? "" : "s");
}

static void jstr(struct bl_buf *b, const char *s)
{
	if (s)
		bl_json_write_str(b, s, strlen(s));
	else
		bl_buf_adds(b, "null");
}

static int list_json(const struct bl_exceptions *x, int64_t now)
{
	struct bl_buf b;
	bl_buf_init(&b, 0);
	bl_buf_adds(&b, "{\"exceptions\": [");
	for (size_t i = 0; i < x->n; i++) {
		const struct bl_exception *e = &x->items[i];
		bl_buf_adds(&b, i ? ",\n  {\"id\": " : "\n  {\"id\": ");
		jstr(&b, e->id);
		bl_buf_adds(&b, ", \"control\": ");
		jstr(&b, e->control);
		bl_buf_adds(&b, ", \"assets\": [");
		for (size_t k = 0; k < e->nassets; k++) {
			if (k)
				bl_buf_adds(&b, ", ");
			jstr(&b, e->assets[k]);
		}
		bl_buf_printf(&b, "], \"category\": \"%s\", \"justification\": ",
			      bl_exc_category_name(e->category));
		jstr(&b, e->justification);
		bl_buf_adds(&b, ", \"approved_by\": ");
		jstr(&b, e->approved_by);
		bl_buf_adds(&b, ", \"ticket\": ");
		jstr(&b, e->ticket);
		bl_buf_adds(&b, ", \"created\": ");
		jstr(&b, e->created[0] ? e->created : NULL);
		bl_buf_printf(&b, ", \"expires\": \"%s\", \"days_left\": %lld, \"state\": \"%s\"}",
			      e->expires, (long long)bl_exception_days_left(e, now), state_of(e, now));
	}
	bl_buf_adds(&b, x->n ? "\n]}\n" : "]}\n");
	int rc = b.failed ? BL_EXIT_INTERNAL : BL_EXIT_OK;
	if (!rc && fwrite(b.data, 1, b.len, stdout) != b.len)
		rc = BL_EXIT_USAGE;
	bl_buf_free(&b);
	return rc;
}

/* Assess the targets with x and count what each exception took part in.
 * Returns an exit code; stats filled on success. */
static int assess_for_stale(const struct exc_args *a, const struct bl_exceptions *x, int64_t now,
			    struct bl_run_stats *stats)
{
	struct bl_diags d;
	bl_diags_init(&d);
	struct bl_baseline *b = NULL;
	struct bl_inventory *inv = NULL;
	struct bl_facts *facts = NULL;
	struct bl_error err;
	bl_error_clear(&err);
	int rc1 = bl_cli_baseline_load(&b, a->baseline, NULL, &d);
	int rc2 = a->inventory ? bl_inventory_load(&inv, a->inventory, &d) : 0;
	int exit_code = BL_EXIT_OK;
	if (rc1 || rc2) {
		bl_cli_print_diags(&d, stderr);
		exit_code = bl_cli_load_exit(rc1, rc2, 0);
		goto out;
	}
	if (a->host) {
		struct bl_facts_opts fo = {.root = a->root};
		if (bl_facts_open(&facts, &fo, &err)) {
			exit_code = bl_cli_report_error(&err);
			goto out;
		}
	}
	if (bl_run_stats_init(stats, b) || bl_run_stats_track_exceptions(stats, x)) {
		exit_code = BL_EXIT_INTERNAL;
		goto out;
	}
	struct bl_assess_opts ao = {.inventory = inv, .exceptions = x, .now = now};
	if (bl_assess_targets(b, facts, a->snaps, a->nsnaps, &ao, NULL, stats, &err))
		exit_code = bl_cli_report_error(&err);
out:
	bl_diags_free(&d);
	bl_facts_close(facts);
	bl_inventory_free(inv);
	bl_baseline_free(b);
	return exit_code;
}

static int check(const struct exc_args *a, const struct bl_exceptions *x, int64_t now)
{
	bool targets = a->host || a->nsnaps;
	struct bl_run_stats stats;
	memset(&stats, 0, sizeof(stats));
	if (targets) {
		int rc = assess_for_stale(a, x, now, &stats);
		if (rc) {
			bl_run_stats_free(&stats);
			return rc;
		}
	}
	size_t expired = 0, expiring = 0, stale = 0;
	for (size_t i = 0; i < x->n; i++) {
		const struct bl_exception *e = &x->items[i];
		int64_t left = bl_exception_days_left(e, now);
		if (left < 0) {
			printf("%s: expired: %s (%s) expired on %s\n", x->file, e->id, e->control, e->expires);
			expired++;
		} else if (left <= BL_EXC_WARN_DAYS) {
			printf("%s: expiring: %s (%s) expires on %s, in %lld day%s\n", x->file, e->id,
			       e->control, e->expires, (long long)left, left == 1 ? "" : "s");
			expiring++;
		}
		if (targets && i < stats.nexceptions && stats.per_exception[i] == 0) {
			printf("%s: stale: %s (%s) covered no failing result of this assessment\n",
			       x->file, e->id, e->control);
			stale++;
		}
	}
	bl_run_stats_free(&stats);
	printf("%s: %zu exception%s, %zu expired, %zu expiring within %d days", x->file, x->n,
	       x->n == 1 ? "" : "s", expired, expiring, BL_EXC_WARN_DAYS);
	if (targets)
		printf(", %zu stale", stale);
	printf("\n");
	return expired || expiring || stale ? BL_EXIT_FINDINGS : BL_EXIT_OK;
}

int bl_cmd_exceptions(int argc, char **argv)
{
	if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		fputs(usage_text, stdout);
		return BL_EXIT_OK;
	}
	if (argc < 2 || (strcmp(argv[1], "list") != 0 && strcmp(argv[1], "check") != 0))
		return bl_cli_usage_error("exceptions", "give list or check (see --help)");
	bool is_check = strcmp(argv[1], "check") == 0;
	struct exc_args a = {.format = "text"};
	a.snaps = calloc((size_t)argc + 1, sizeof(*a.snaps));
	if (!a.snaps)
		return BL_EXIT_INTERNAL;
	int c, exit_code = BL_EXIT_OK;
	optind = 1;
	opterr = 0;
	argc--;
	argv++;
	while ((c = getopt_long(argc, argv, ":x:b:s:i:f:h", long_opts, NULL)) != -1) {
		char *end;
		unsigned long n;
		switch (c) {
		case 'x': a.file = optarg; break;
		case 'b': a.baseline = optarg; break;
		case 's': a.snaps[a.nsnaps++] = optarg; break;
		case 'i': a.inventory = optarg; break;
		case 'f': a.format = optarg; break;
		case OPT_HOST: a.host = true; break;
		case OPT_ROOT: a.root = optarg; break;
		case OPT_MAX_EXC_DAYS:
			n = strtoul(optarg, &end, 10);
			if (*end || !*optarg || n < 1 || n > 36500) {
				exit_code = bl_cli_usage_error("exceptions", "--max-exception-days takes a "
							       "number from 1 to 36500");
				goto out;
			}
			a.max_days = (int)n;
			break;
		case 'h':
			fputs(usage_text, stdout);
			goto out;
		case ':':
			exit_code = bl_cli_usage_error("exceptions", "%s needs a value", argv[optind - 1]);
			goto out;
		default:
			exit_code = bl_cli_usage_error("exceptions", "unknown option '%s' (see --help)",
						       argv[optind - 1]);
			goto out;
		}
	}
	if (optind < argc) {
		exit_code = bl_cli_usage_error("exceptions", "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (!a.file) {
		exit_code = bl_cli_usage_error("exceptions", "give the exception document with -x FILE");
		goto out;
	}
	if (!is_check && (a.baseline || a.nsnaps || a.host || a.inventory)) {
		exit_code = bl_cli_usage_error("exceptions", "targets (-b, -s, --host, -i) go with check");
		goto out;
	}
	if (is_check && strcmp(a.format, "text") != 0) {
		exit_code = bl_cli_usage_error("exceptions", "-f goes with list");
		goto out;
	}
	if (!is_check && strcmp(a.format, "text") != 0 && strcmp(a.format, "json") != 0) {
		exit_code = bl_cli_usage_error("exceptions", "unknown format '%s' (text, json)", a.format);
		goto out;
	}
	if (a.root && !a.host) {
		exit_code = bl_cli_usage_error("exceptions", "--root goes with --host");
		goto out;
	}
	if (is_check && (a.nsnaps || a.host || a.inventory) && !a.baseline) {
		if (!a.host) {
			exit_code = bl_cli_usage_error("exceptions", "check with targets needs -b BASELINE");
			goto out;
		}
		a.baseline = "builtin:linux-host";
	}
	if (is_check && a.baseline && !a.nsnaps && !a.host) {
		exit_code = bl_cli_usage_error("exceptions", "-b needs targets: -s PATH or --host");
		goto out;
	}
	int64_t now = (int64_t)time(NULL);
	struct bl_exc_opts xo = {.now = now, .max_days = a.max_days};
	struct bl_diags d;
	bl_diags_init(&d);
	struct bl_exceptions *x = NULL;
	int rc = bl_exceptions_load(&x, a.file, &xo, &d);
	if (rc) {
		size_t n = bl_cli_print_diags(&d, stderr);
		fprintf(stderr, "%s: %zu problem%s\n", a.file, n, n == 1 ? "" : "s");
		exit_code = bl_cli_load_exit(rc, 0, 0);
	} else if (is_check) {
		exit_code = check(&a, x, now);
	} else if (strcmp(a.format, "json") == 0) {
		exit_code = list_json(x, now);
	} else {
		list_text(x, now);
	}
	bl_diags_free(&d);
	bl_exceptions_free(x);
out:
	free(a.snaps);
	return exit_code;
}
