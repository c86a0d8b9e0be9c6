/*
 * gaps.c - `baseline gaps`: the gap backlog, what to fix first and why
 * (see engine/gaps.h for the order).
 *
 * `baseline gaps [RUN]` reads a stored run (latest by default) through the
 * backlog writers of report/gaps.c; with -b and -s or --host it assesses the
 * targets itself, from the same inputs as assess, without storing.  Exit: 0
 * on success whatever the backlog holds, 2 for bad usage or an invalid
 * document, 3 internal errors.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "engine/engine.h"
#include "engine/gaps.h"
#include "engine/host.h"
#include "facts/facts.h"
#include "model/baseline.h"
#include "model/exceptions.h"
#include "model/inventory.h"
#include "report/report.h"

static const char usage_text[] =
	"usage: baseline gaps [RUN] [--store URL] [-f text|json|csv] [-o FILE]\n"
	"       baseline gaps -b BASELINE (-s PATH... | --host [--root DIR])\n"
	"                     [-i INVENTORY] [-x EXCEPTIONS] [-f text|json|csv] [-o FILE]\n"
	"\n"
	"List the failing controls of a stored run (RUN: an id, a unique prefix, or\n"
	"latest, the default) -- or, with -b and targets, of a fresh assessment that\n"
	"is not stored -- most urgent first: by\n"
	"severity, then the most critical tier among the failing assets, then the\n"
	"number of failing assets.  Each gap names its failing assets (the first 5),\n"
	"their owners, the remediation and the framework controls it blocks.\n"
	"Exempt results are not gaps; a failure whose exception expired is.\n"
	"\n"
	"  -b, --baseline FILE    baseline (default with --host: builtin:linux-host)\n"
	"  -s, --snapshot PATH    snapshot file or folder (repeatable; - for stdin)\n"
	"      --host             assess this machine; --root DIR: an offline root\n"
	"  -i, --inventory FILE   inventory (tiers, owners)\n"
	"  -x, --exceptions FILE  exceptions\n"
	"      --max-exception-days N  (default 365)\n"
	"  -f, --format FORMAT    text (default), json or csv (RFC 4180)\n"
	"  -o, --output FILE      write to FILE instead of stdout\n"
	"      --threads N        worker threads (default: all cores)\n"
	"  -h, --help             this help\n"
	"      --store URL        the run store (default $BASELINE_STORE or the user's)\n";

enum { OPT_HOST = 256, OPT_ROOT, OPT_THREADS, OPT_MAX_EXC_DAYS, OPT_STORE };

static const struct option long_opts[] = {
	{"baseline", required_argument, NULL, 'b'},
	{"snapshot", required_argument, NULL, 's'},
	{"inventory", required_argument, NULL, 'i'},
	{"exceptions", required_argument, NULL, 'x'},
	{"format", required_argument, NULL, 'f'},
	{"output", required_argument, NULL, 'o'},
	{"host", no_argument, NULL, OPT_HOST},
	{"root", required_argument, NULL, OPT_ROOT},
	{"threads", required_argument, NULL, OPT_THREADS},
	{"max-exception-days", required_argument, NULL, OPT_MAX_EXC_DAYS},
	{"store", required_argument, NULL, OPT_STORE},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

struct gaps_args {
	const char *baseline, *inventory, *exceptions, *format, *output, *root;
	const char *store, *run;        /* a stored run: RUN and --store */
	const char **snaps;
	size_t nsnaps;
	bool host;
	unsigned threads;
	int max_days;
};

static int parse(struct gaps_args *a, int argc, char **argv)
{
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":b:s:i:x:f:o:h", long_opts, NULL)) != -1) {
		char *end;
		unsigned long n;
		switch (c) {
		case 'b':
			if (a->baseline)
				return bl_cli_usage_error("gaps", "only one -b BASELINE");
			a->baseline = optarg;
			break;
		case 's':
			a->snaps[a->nsnaps++] = optarg;
			break;
		case 'i':
			a->inventory = optarg;
			break;
		case 'x':
			a->exceptions = optarg;
			break;
		case 'f':
			a->format = optarg;
			break;
		case 'o':
			a->output = optarg;
			break;
		case OPT_HOST:
			a->host = true;
			break;
		case OPT_ROOT:
			a->root = optarg;
			break;
		case OPT_THREADS:
			n = strtoul(optarg, &end, 10);
			if (*end || n < 1 || n > 256)
				return bl_cli_usage_error("gaps", "--threads takes a number from 1 to 256");
			a->threads = (unsigned)n;
			break;
		case OPT_STORE:
			a->store = optarg;
			break;
		case OPT_MAX_EXC_DAYS:
			n = strtoul(optarg, &end, 10);
			if (*end || !*optarg || n < 1 || n > 36500)
				return bl_cli_usage_error("gaps", "--max-exception-days takes a number from 1 to 36500");
			a->max_days = (int)n;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return -1;
		case ':':
			return bl_cli_usage_error("gaps", "%s needs a value", argv[optind - 1]);
		default:
			return bl_cli_usage_error("gaps", "unknown option '%s' (see --help)", argv[optind - 1]);
		}
	}
	if (optind + 1 < argc)
		return bl_cli_usage_error("gaps", "one RUN at most (see --help)");
	if (optind < argc || (!a->host && a->nsnaps == 0 && !a->baseline)) {
		/* a stored run */
		if (a->host || a->nsnaps || a->baseline || a->inventory || a->exceptions)
			return bl_cli_usage_error("gaps", "give either RUN (a stored run) or -b with "
						  "targets, not both");
		a->run = optind < argc ? argv[optind] : "latest";
		for (size_t i = 0; bl_gaps_formats[i]; i++)
			if (strcmp(bl_gaps_formats[i], a->format) == 0)
				return 0;
		return bl_cli_usage_error("gaps", "unknown format '%s' (text, json, csv)", a->format);
	}
	if (a->root && !a->host)
		return bl_cli_usage_error("gaps", "--root goes with --host");
	if (!a->host && a->nsnaps == 0)
		return bl_cli_usage_error("gaps", "nothing to assess: give --host or -s SNAPSHOT");
	if (!a->baseline) {
		if (!a->host)
			return bl_cli_usage_error("gaps", "no baseline: give -b FILE");
		a->baseline = "builtin:linux-host";
	}
	bool known = false;
	for (size_t i = 0; bl_gaps_formats[i]; i++)
		known |= strcmp(bl_gaps_formats[i], a->format) == 0;
	if (!known)
		return bl_cli_usage_error("gaps", "unknown format '%s' (text, json, csv)", a->format);
	return 0;
}

int bl_cmd_gaps(int argc, char **argv)
{
	struct gaps_args a = {.format = "text"};
	a.snaps = calloc((size_t)argc + 1, sizeof(*a.snaps));
	if (!a.snaps)
		return BL_EXIT_INTERNAL;
	int prc = parse(&a, argc, argv);
	if (prc) {
		free(a.snaps);
		return prc < 0 ? BL_EXIT_OK : prc;
	}
	struct bl_error err;
	bl_error_clear(&err);
	if (a.run) {
		char fmt[32];
		snprintf(fmt, sizeof(fmt), "gaps-%s", a.format);
		int rc = bl_cli_render_stored(a.run, a.store, fmt, a.output, false, &err);
		free(a.snaps);
		return rc ? bl_cli_report_error(&err) : BL_EXIT_OK;
	}
	struct bl_diags d;
	bl_diags_init(&d);
	struct bl_baseline *b = NULL;
	struct bl_inventory *inv = NULL;
	struct bl_exceptions *exc = NULL;
	struct bl_facts *facts = NULL;
	int64_t now = (int64_t)time(NULL);
	struct bl_exc_opts xo = {.now = now, .max_days = a.max_days};
	int rc1 = bl_cli_baseline_load(&b, a.baseline, NULL, &d);
	int rc2 = a.inventory ? bl_inventory_load(&inv, a.inventory, &d) : 0;
	int rc3 = a.exceptions ? bl_exceptions_load(&exc, a.exceptions, &xo, &d) : 0;
	int exit_code = BL_EXIT_OK;
	struct bl_gaps gaps;
	struct bl_run_stats stats;
	memset(&gaps, 0, sizeof(gaps));
	memset(&stats, 0, sizeof(stats));
	bl_arena_init(&gaps.arena, 0);
	if (rc1 || rc2 || rc3) {
		bl_cli_print_diags(&d, stderr);
		exit_code = bl_cli_load_exit(rc1, rc2, rc3);
		goto out;
	}
	if (a.host) {
		struct bl_facts_opts fo = {.root = a.root};
		if (bl_facts_open(&facts, &fo, &err)) {
			exit_code = bl_cli_report_error(&err);
			goto out;
		}
	}
	bl_gaps_free(&gaps);
	if (bl_gaps_init(&gaps, b) || bl_run_stats_init(&stats, b)) {
		exit_code = BL_EXIT_INTERNAL;
		goto out;
	}
	struct bl_assess_opts ao = {.threads = a.threads, .inventory = inv, .exceptions = exc, .now = now};
	struct bl_sink sink = {.result = bl_gaps_sink, .ctx = &gaps};
	struct bl_run_info run;
	memset(&run, 0, sizeof(run));
	bl_uuid4(run.id);
	bl_now_rfc3339(run.started);
	int rc = bl_assess_targets(b, facts, a.snaps, a.nsnaps, &ao, &sink, &stats, &err);
	bl_now_rfc3339(run.finished);
	if (rc) {
		exit_code = bl_cli_report_error(&err);
		goto out;
	}
	if (bl_gaps_finish(&gaps)) {
		exit_code = BL_EXIT_INTERNAL;
		goto out;
	}
	run.baseline = b;
	run.stats = &stats;
	run.inventory = inv;
	run.exceptions = exc;
	run.now = now;
	const char **tg = calloc(a.nsnaps + 2, sizeof(*tg));
	if (!tg) {
		exit_code = BL_EXIT_INTERNAL;
		goto out;
	}
	if (facts)
		tg[run.ntargets++] = bl_facts_host_id(facts);
	for (size_t i = 0; i < a.nsnaps; i++)
		tg[run.ntargets++] = a.snaps[i];
	run.targets = tg;
	struct bl_output o;
	if (bl_output_open(&o, a.output, &err) || bl_gaps_write(&gaps, &run, a.format, o.f, &err)) {
		if (o.f)
			bl_output_abort(&o);
		exit_code = bl_cli_report_error(&err);
	} else if (bl_output_commit(&o, &err)) {
		exit_code = bl_cli_report_error(&err);
	}
	free(tg);
out:
	bl_diags_free(&d);
	bl_run_stats_free(&stats);
	bl_gaps_free(&gaps);
	bl_facts_close(facts);
	bl_exceptions_free(exc);
	bl_inventory_free(inv);
	bl_baseline_free(b);
	free(a.snaps);
	return exit_code;
}
