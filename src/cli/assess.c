/*
 * assess.c - `baseline assess`: evaluate snapshots against a baseline and
 * write a report (FORMATS.md §7, §8).
 *
 * Exit: 0 after a complete run with nothing at or above --fail-on failing
 * (fail or error results count; without --fail-on always 0), 1 when
 * something did, 2 for bad usage or invalid input, 3 internal errors.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "engine/engine.h"
#include "engine/host.h"
#include "engine/rollup.h"
#include "facts/facts.h"
#include "model/baseline.h"
#include "report/report.h"

static const char usage_text[] =
	"usage: baseline assess [-b BASELINE] [--host [--root DIR]] [-s PATH]...\n"
	"                       [-f text|json] [-o FILE] [--fail-on SEVERITY] [--all]\n"
	"                       [--threads N]\n"
	"\n"
	"Assess this host (or an offline root) and/or every resource in the snapshots\n"
	"against the baseline.\n"
	"\n"
	"  -b, --baseline FILE    baseline document (YAML or JSON) or builtin:NAME\n"
	"                         (default with --host: builtin:linux-host)\n"
	"      --host             assess this machine as one asset of type linux.host\n"
	"      --root DIR         with --host: assess the system mounted at DIR instead\n"
	"                         (live-only facts are then not_applicable)\n"
	"  -s, --snapshot PATH    snapshot file or folder (repeatable; - for stdin): a JSON\n"
	"                         array, JSON lines, {\"data\"|\"value\": [...]} wrappers or YAML\n"
	"                         manifests, detected by content\n"
	"  -f, --format FORMAT    text (default) or json\n"
	"  -o, --output FILE      write the report to FILE (atomically) instead of stdout\n"
	"      --fail-on SEV      exit 1 when a fail or error result has severity >= SEV\n"
	"                         (critical, high, medium, low, info)\n"
	"      --all              also list not_applicable results\n"
	"      --threads N        worker threads (default: all cores)\n"
	"      --no-store         do not record the run (there is no store yet: the default)\n"
	"  -q, --quiet            no progress on stderr\n"
	"  -h, --help             this help\n";

enum {
	OPT_FAIL_ON = 256,
	OPT_ALL,
	OPT_THREADS,
	OPT_NO_STORE,
	OPT_HOST,
	OPT_ROOT,
	OPT_LATER,      /* options of later features: refused, never ignored */
};

static const struct option long_opts[] = {
	{"baseline", required_argument, NULL, 'b'},
	{"snapshot", required_argument, NULL, 's'},
	{"format", required_argument, NULL, 'f'},
	{"output", required_argument, NULL, 'o'},
	{"fail-on", required_argument, NULL, OPT_FAIL_ON},
	{"all", no_argument, NULL, OPT_ALL},
	{"threads", required_argument, NULL, OPT_THREADS},
	{"no-store", no_argument, NULL, OPT_NO_STORE},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},
	{"host", no_argument, NULL, OPT_HOST},
	{"root", required_argument, NULL, OPT_ROOT},
	{"inventory", required_argument, NULL, OPT_LATER},
	{"exceptions", required_argument, NULL, OPT_LATER},
	{"parameters", required_argument, NULL, OPT_LATER},
	{"store", required_argument, NULL, OPT_LATER},
	{"require-signed", required_argument, NULL, OPT_LATER},
	{"allow-commands", no_argument, NULL, OPT_LATER},
	{"sca-version", required_argument, NULL, OPT_LATER},
	{"drop-privileges", required_argument, NULL, OPT_LATER},
	{NULL, 0, NULL, 0},
};

/* Progress on stderr, only on a terminal and only once a run takes a while. */
struct progress {
	struct timespec start, last;
	bool shown;
};

static double since(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void progress_update(void *ctx, uint64_t assets, uint64_t bytes, bool done)
{
	struct progress *p = ctx;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (done) {
		if (p->shown)
			fprintf(stderr, "\r\033[K");
		return;
	}
	if (since(&p->start, &now) < 2.0 || since(&p->last, &now) < 0.25)
		return;
	p->last = now;
	p->shown = true;
	fprintf(stderr, "\r\033[Kassessed %llu resources (%.1f MB, %.0f MB/s)",
		(unsigned long long)assets, (double)bytes / 1e6,
		(double)bytes / 1e6 / since(&p->start, &now));
}

static bool failing_at(const struct bl_baseline *b, const struct bl_run_stats *st, int min)
{
	for (size_t i = 0; i < b->ncontrols; i++) {
		const struct bl_tally *t = &st->per_control[i];
		if ((int)b->controls[i].severity >= min && (t->n[BL_FAIL] || t->n[BL_ERROR]))
			return true;
	}
	return false;
}

int bl_cmd_assess(int argc, char **argv)
{
	const char *baseline_path = NULL, *format = "text", *output = NULL;
	const char **snaps = calloc((size_t)argc + 1, sizeof(*snaps));
	size_t nsnaps = 0;
	int fail_on = -1;
	bool all = false, quiet = false, host = false;
	const char *root = NULL;
	unsigned threads = 0;
	int c, li = -1;
	if (!snaps)
		return BL_EXIT_INTERNAL;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":b:s:f:o:qh", long_opts, &li)) != -1) {
		switch (c) {
		case 'b':
			if (baseline_path) {
				free(snaps);
				return bl_cli_usage_error("assess", "only one -b BASELINE per run is supported so far");
			}
			baseline_path = optarg;
			break;
		case 's':
			snaps[nsnaps++] = optarg;
			break;
		case 'f':
			format = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_FAIL_ON:
			fail_on = bl_severity_parse(optarg, strlen(optarg));
			if (fail_on < 0) {
				free(snaps);
				return bl_cli_usage_error("assess", "--fail-on: unknown severity '%s' "
							  "(critical, high, medium, low, info)", optarg);
			}
			break;
		case OPT_ALL:
			all = true;
			break;
		case OPT_THREADS: {
			char *end;
			unsigned long n = strtoul(optarg, &end, 10);
			if (*end || n < 1 || n > 256) {
				free(snaps);
				return bl_cli_usage_error("assess", "--threads takes a number from 1 to 256");
			}
			threads = (unsigned)n;
			break;
		}
		case OPT_NO_STORE:
			break;
		case OPT_HOST:
			host = true;
			break;
		case OPT_ROOT:
			root = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			free(snaps);
			return BL_EXIT_OK;
		case OPT_LATER:
			free(snaps);
			return bl_cli_usage_error("assess", "--%s is not available in this version yet",
						  li >= 0 ? long_opts[li].name : "?");
		case ':':
			free(snaps);
			return bl_cli_usage_error("assess", "%s needs a value", argv[optind - 1]);
		default:
			free(snaps);
			return bl_cli_usage_error("assess", "unknown option '%s' (see --help)", argv[optind - 1]);
		}
	}
	if (optind < argc) {
		free(snaps);
		return bl_cli_usage_error("assess", "unexpected argument '%s' (snapshots go after -s)",
					  argv[optind]);
	}
	if (root && !host) {
		free(snaps);
		return bl_cli_usage_error("assess", "--root goes with --host");
	}
	if (!host && nsnaps == 0) {
		free(snaps);
		return bl_cli_usage_error("assess", "nothing to assess: give --host or -s SNAPSHOT");
	}
	if (!baseline_path) {
		if (!host) {
			free(snaps);
			return bl_cli_usage_error("assess", "no baseline: give -b FILE (the built-in cloud "
						  "baselines are not shipped yet)");
		}
		baseline_path = "builtin:linux-host";
	}

	struct bl_error err;
	bl_error_clear(&err);
	struct bl_diags diags;
	bl_diags_init(&diags);
	struct bl_baseline *b = NULL;
	int rc = bl_baseline_load(&b, baseline_path, &diags);
	if (rc) {
		bl_cli_print_diags(&diags, stderr);
		bl_diags_free(&diags);
		free(snaps);
		return rc == BL_ENOMEM ? BL_EXIT_INTERNAL : BL_EXIT_USAGE;
	}
	bl_diags_free(&diags);

	struct bl_report_opts ro = {.all = all};
	struct bl_output out;
	bool to_stdout = !output || strcmp(output, "-") == 0;
	ro.color = to_stdout && strcmp(format, "text") == 0 && isatty(STDOUT_FILENO) &&
		   !getenv("NO_COLOR");
	struct bl_report *rep = NULL;
	int exit_code = BL_EXIT_OK;
	if ((rc = bl_report_open(&rep, format, b, &ro, &err))) {
		exit_code = bl_cli_report_error(&err);
		bl_baseline_free(b);
		free(snaps);
		return exit_code;
	}

	struct bl_facts *facts = NULL;
	if (host) {
		struct bl_facts_opts fo = {.root = root};
		if (bl_facts_open(&facts, &fo, &err)) {
			exit_code = bl_cli_report_error(&err);
			bl_report_free(rep);
			bl_baseline_free(b);
			free(snaps);
			return exit_code;
		}
	}
	/* targets: the host first, then the snapshots as given */
	const char **targets = calloc(nsnaps + 2, sizeof(*targets));
	size_t ntargets = 0;
	if (!targets) {
		bl_facts_close(facts);
		bl_report_free(rep);
		bl_baseline_free(b);
		free(snaps);
		return BL_EXIT_INTERNAL;
	}
	if (facts)
		targets[ntargets++] = bl_facts_host_id(facts);
	for (size_t i = 0; i < nsnaps; i++)
		targets[ntargets++] = snaps[i];

	struct bl_run_info run;
	memset(&run, 0, sizeof(run));
	bl_uuid4(run.id);
	bl_now_rfc3339(run.started);
	run.baseline = b;
	run.targets = targets;
	run.ntargets = ntargets;

	struct progress prog;
	memset(&prog, 0, sizeof(prog));
	clock_gettime(CLOCK_MONOTONIC, &prog.start);
	struct bl_progress pcb = {.update = progress_update, .ctx = &prog};
	struct bl_assess_opts ao = {.threads = threads};
	if (!quiet && isatty(STDERR_FILENO))
		ao.progress = &pcb;
	struct bl_sink sink = {.result = bl_report_result, .ctx = rep};
	struct bl_run_stats stats;
	struct bl_rollup rollup;
	memset(&rollup, 0, sizeof(rollup));
	rc = bl_run_stats_init(&stats, b);
	if (!rc && facts)
		rc = bl_assess_host(b, facts, &sink, &stats, &err);
	if (!rc && nsnaps)
		rc = bl_assess(b, snaps, nsnaps, &ao, &sink, &stats, &err);
	bl_now_rfc3339(run.finished);
	if (rc == BL_ENOMEM && !err.msg[0])
		bl_error_set(&err, BL_ENOMEM, NULL, 0, 0, "out of memory");
	if (rc) {
		exit_code = bl_cli_report_error(&err);
		goto done;
	}
	if (bl_rollup_build(&rollup, b, &stats)) {
		fprintf(stderr, "baseline assess: out of memory\n");
		exit_code = BL_EXIT_INTERNAL;
		goto done;
	}
	run.stats = &stats;
	run.rollup = &rollup;
	if (bl_output_open(&out, output, &err) ||
	    bl_report_finish(rep, &run, out.f, &err)) {
		if (out.f)
			bl_output_abort(&out);
		exit_code = bl_cli_report_error(&err);
		goto done;
	}
	if (bl_output_commit(&out, &err)) {
		exit_code = bl_cli_report_error(&err);
		goto done;
	}
	if (fail_on >= 0 && failing_at(b, &stats, fail_on))
		exit_code = BL_EXIT_FINDINGS;
done:
	bl_facts_close(facts);
	free(targets);
	bl_rollup_free(&rollup);
	bl_run_stats_free(&stats);
	bl_report_free(rep);
	bl_baseline_free(b);
	free(snaps);
	return exit_code;
}
