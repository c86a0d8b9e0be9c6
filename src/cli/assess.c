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
#include "engine/score.h"
#include "facts/facts.h"
#include "model/baseline.h"
#include "model/exceptions.h"
#include "model/framework.h"
#include "model/inventory.h"
#include "model/signature.h"
#include "report/report.h"
#include "store/store.h"

static const char usage_text[] =
	"usage: baseline assess [-b BASELINE] [--host [--root DIR]] [-s PATH]...\n"
	"                       [-i INVENTORY] [-x EXCEPTIONS] [--require-signed KEY.pub]\n"
	"                       [-f text|json] [-o FILE] [--fail-on SEVERITY] [--all]\n"
	"                       [--threads N] [--max-exception-days N]\n"
	"\n"
	"Assess this host (or an offline root) and/or every resource in the snapshots\n"
	"against the baseline.\n"
	"\n"
	"  -b, --baseline FILE    baseline document (YAML or JSON) or builtin:NAME\n"
	"                         (default with --host: builtin:linux-host)\n"
	"      --host             assess this machine as one asset of type linux.host\n"
	"      --root DIR         with --host: assess the system mounted at DIR instead\n"
	"                         (live-only facts are then not_applicable)\n"
	"      --allow-commands   run the c: (command) rules of Wazuh SCA policies, each with\n"
	"                         a 30 s timeout, never with --root (docs/wazuh-sca.md)\n"
	"      --sca-version 4|5  SCA semantics for a Wazuh SCA policy given as -b\n"
	"                         (default: detected from the policy)\n"
	"  -s, --snapshot PATH    snapshot file or folder (repeatable; - for stdin): a JSON\n"
	"                         array, JSON lines, {\"data\"|\"value\": [...]} wrappers or YAML\n"
	"                         manifests, detected by content\n"
	"  -i, --inventory FILE   inventory: tier, environment, owner per asset\n"
	"      --parameters FILE  values for the baseline's parameters (ARM-style\n"
	"                         {\"name\": {\"value\": ...}}); they win over defaults\n"
	"  -x, --exceptions FILE  exceptions: a covered failure becomes exempt until it\n"
	"                         expires (end of its UTC day)\n"
	"      --max-exception-days N  an exception may expire at most N days from\n"
	"                         today (default 365)\n"
	"      --require-signed KEY.pub  refuse the baseline unless BASELINE.sig is a\n"
	"                         good signature by this key\n"
	"  -f, --format FORMAT    text (default), json, html, sarif, junit, csv, oscal-ar,\n"
	"                         oscal-poam (docs/formats.md)\n"
	"  -o, --output FILE      write the report to FILE (atomically) instead of stdout\n"
	"      --fail-on SEV      exit 1 when a fail or error result has severity >= SEV\n"
	"                         (critical, high, medium, low, info)\n"
	"      --all              also list not_applicable results\n"
	"      --threads N        worker threads (default: all cores)\n"
	"      --store URL        record the run in this store (a path, sqlite:PATH; default\n"
	"                         $BASELINE_STORE, else the per-user store, docs/store.md)\n"
	"      --no-store         do not record the run\n"
	"      --drop-privileges USER\n"
	"                         once the host and snapshots are read, continue as USER\n"
	"                         (rendering and writing the report run unprivileged)\n"
	"  -q, --quiet            no progress on stderr\n"
	"  -h, --help             this help\n";

enum {
	OPT_FAIL_ON = 256,
	OPT_ALL,
	OPT_THREADS,
	OPT_NO_STORE,
	OPT_HOST,
	OPT_ROOT,
	OPT_REQUIRE_SIGNED,
	OPT_MAX_EXC_DAYS,
	OPT_DROP_PRIVS,
	OPT_STORE,
	OPT_PARAMETERS,
	OPT_ALLOW_CMDS, OPT_SCA_VERSION,   /* Wazuh SCA policies (docs/wazuh-sca.md) */
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
	{"inventory", required_argument, NULL, 'i'},
	{"exceptions", required_argument, NULL, 'x'},
	{"max-exception-days", required_argument, NULL, OPT_MAX_EXC_DAYS},
	{"require-signed", required_argument, NULL, OPT_REQUIRE_SIGNED},
	{"parameters", required_argument, NULL, OPT_PARAMETERS},
	{"store", required_argument, NULL, OPT_STORE},
	{"allow-commands", no_argument, NULL, OPT_ALLOW_CMDS},
	{"sca-version", required_argument, NULL, OPT_SCA_VERSION},
	{"drop-privileges", required_argument, NULL, OPT_DROP_PRIVS},
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

/* Does any control map to a framework?  Only then does the roll-up read
 * the catalogs. */
static bool maps_any(const struct bl_baseline *b)
{
	for (size_t i = 0; i < b->ncontrols; i++)
		if (b->controls[i].nmaps)
			return true;
	return false;
}

/* Record the run's end and commit it (the assessment is complete). */
static int store_finish(struct bl_store_run *w, const struct bl_run_info *run,
			const struct bl_run_stats *st, const struct bl_rollup *ru,
			struct bl_error *err)
{
	struct bl_store_fw *fws = calloc(ru->n + 1, sizeof(*fws));
	if (!fws) {
		bl_store_run_abort(w);
		return bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
	}
	for (size_t i = 0; i < ru->n; i++) {
		fws[i].id = ru->fws[i].id;
		fws[i].tally = ru->fws[i].tally;
	}
	struct bl_store_run_end e = {.finished = run->finished, .assets = st->assets,
				     .controls = st->controls, .untiered = st->untiered,
				     .unknown_tier = st->unknown_tier,
				     .rule_errors = st->rule_errors, .total = st->total,
				     .fws = fws, .nfws = ru->n};
	int rc = bl_store_run_finish(w, &e, err);
	free(fws);
	return rc;
}

int bl_cmd_assess(int argc, char **argv)
{
	const char *baseline_path = NULL, *format = "text", *output = NULL;
	const char **snaps = calloc((size_t)argc + 1, sizeof(*snaps));
	size_t nsnaps = 0;
	int fail_on = -1;
	bool all = false, quiet = false, host = false;
	const char *root = NULL, *inv_path = NULL, *exc_path = NULL, *sig_key = NULL;
	const char *drop_user = NULL;
	const char *store_url = NULL;
	bool no_store = false;
	struct bl_cli_load_opts load_opts = {0};
	bool allow_commands = false;
	int max_days = 0;
	unsigned threads = 0;
	int c, li = -1;
	if (!snaps)
		return BL_EXIT_INTERNAL;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":b:s:f:o:i:x:qh", long_opts, &li)) != -1) {
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
			no_store = true;
			break;
		case OPT_STORE:
			store_url = optarg;
			break;
		case OPT_HOST:
			host = true;
			break;
		case OPT_DROP_PRIVS:
			drop_user = optarg;
			break;
		case OPT_ROOT:
			root = optarg;
			break;
		case 'i':
			inv_path = optarg;
			break;
		case 'x':
			exc_path = optarg;
			break;
		case OPT_REQUIRE_SIGNED:
			sig_key = optarg;
			break;
		case OPT_MAX_EXC_DAYS: {
			char *end;
			unsigned long n = strtoul(optarg, &end, 10);
			if (*end || !*optarg || n < 1 || n > 36500) {
				free(snaps);
				return bl_cli_usage_error("assess", "--max-exception-days takes a number "
							  "from 1 to 36500");
			}
			max_days = (int)n;
			break;
		}
		case 'q':
			quiet = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			free(snaps);
			return BL_EXIT_OK;
		case OPT_PARAMETERS:
			load_opts.parameters = optarg;
			break;
		case OPT_ALLOW_CMDS:
			allow_commands = true;
			break;
		case OPT_SCA_VERSION:
			if (strcmp(optarg, "4") != 0 && strcmp(optarg, "5") != 0) {
				free(snaps);
				return bl_cli_usage_error("assess", "--sca-version must be 4 or 5");
			}
			load_opts.sca_version = optarg[0] - '0';
			break;
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
	if (allow_commands && !host) {
		free(snaps);
		return bl_cli_usage_error("assess", "--allow-commands goes with --host (it lets "
						    "host policies run their commands)");
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
	/* checked before anything is read, so a bad USER costs nothing */
	struct bl_privdrop priv;
	if (drop_user && bl_privileges_lookup(&priv, drop_user, &err)) {
		free(snaps);
		return bl_cli_report_error(&err);
	}
	if (sig_key) {
		/* the bytes that were signed are the file's: a builtin has no file to sign */
		if (strncmp(baseline_path, "builtin:", 8) == 0) {
			free(snaps);
			return bl_cli_usage_error("assess", "--require-signed: %s is built in, not a "
						  "signed file", baseline_path);
		}
		int src = bl_sig_verify(baseline_path, sig_key, &err);
		if (src) {
			char buf[1024];
			fprintf(stderr, "baseline assess: refusing %s: %s\n", baseline_path,
				bl_error_format(&err, buf, sizeof(buf)));
			free(snaps);
			return bl_cli_load_exit(src, 0, 0);
		}
	}
	struct bl_diags diags;
	bl_diags_init(&diags);
	struct bl_baseline *b = NULL;
	struct bl_inventory *inv = NULL;
	struct bl_exceptions *exc = NULL;
	int64_t now = (int64_t)time(NULL);
	int rc = bl_cli_baseline_load(&b, baseline_path, &load_opts, &diags);
	int rc2 = inv_path ? bl_inventory_load(&inv, inv_path, &diags) : 0;
	struct bl_exc_opts xo = {.now = now, .max_days = max_days};
	int rc3 = exc_path ? bl_exceptions_load(&exc, exc_path, &xo, &diags) : 0;
	if (rc || rc2 || rc3) {
		bl_cli_print_diags(&diags, stderr);
		bl_diags_free(&diags);
		bl_baseline_free(b);
		bl_inventory_free(inv);
		bl_exceptions_free(exc);
		free(snaps);
		return bl_cli_load_exit(rc, rc2, rc3);
	}
	bl_diags_free(&diags);
	/* a signature covers one file: every file the baseline extends must be
	 * signed by the same key too (built-in parents are part of the binary) */
	for (size_t i = 1; sig_key && i < b->nsources; i++) {
		const char *src = b->sources[i];
		if (strncmp(src, "builtin:", 8) == 0)
			continue;
		int vrc = bl_sig_verify(src, sig_key, &err);
		if (vrc) {
			char buf[1024];
			fprintf(stderr, "baseline assess: refusing %s: it extends %s: %s\n", baseline_path,
				src, bl_error_format(&err, buf, sizeof(buf)));
			bl_baseline_free(b);
			bl_inventory_free(inv);
			bl_exceptions_free(exc);
			free(snaps);
			return bl_cli_load_exit(vrc, 0, 0);
		}
	}

	struct bl_report_opts ro = {.all = all};
	struct bl_output out;
	bool to_stdout = !output || strcmp(output, "-") == 0;
	ro.color = to_stdout && strcmp(format, "text") == 0 && isatty(STDOUT_FILENO) &&
		   !getenv("NO_COLOR");
	struct bl_report *rep = NULL;
	int exit_code = BL_EXIT_OK;
	if ((rc = bl_report_open(&rep, format, b, &ro, &err))) {
		exit_code = bl_cli_report_error(&err);
		bl_inventory_free(inv);
		bl_exceptions_free(exc);
		bl_baseline_free(b);
		free(snaps);
		return exit_code;
	}

	struct bl_facts *facts = NULL;
	if (host) {
		struct bl_facts_opts fo = {.root = root, .allow_commands = allow_commands};
		const char *cto = getenv("BASELINE_COMMAND_TIMEOUT");   /* seconds; tests */
		if (cto && *cto)
			fo.command_timeout = strtod(cto, NULL);
		if (bl_facts_open(&facts, &fo, &err)) {
			exit_code = bl_cli_report_error(&err);
			bl_report_free(rep);
			bl_inventory_free(inv);
			bl_exceptions_free(exc);
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
		bl_inventory_free(inv);
		bl_exceptions_free(exc);
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
	run.inventory = inv;
	run.exceptions = exc;
	run.now = now;

	struct progress prog;
	memset(&prog, 0, sizeof(prog));
	clock_gettime(CLOCK_MONOTONIC, &prog.start);
	struct bl_progress pcb = {.update = progress_update, .ctx = &prog};
	struct bl_assess_opts ao = {.threads = threads, .inventory = inv, .exceptions = exc,
				    .now = now};
	if (!quiet && isatty(STDERR_FILENO))
		ao.progress = &pcb;
	struct bl_scores scores;
	bl_scores_init(&scores);
	struct bl_store *store = NULL;
	struct bl_store_run *srun = NULL;
	/* whole chunks at a time where a sink takes them (the store, third,
	 * takes results one by one) */
	struct bl_sink sinks[3] = {{.result = bl_report_result, .results = bl_report_results,
				    .ctx = rep},
				   {.result = bl_scores_sink, .results = bl_scores_sink_n,
				    .ctx = &scores},
				   {.result = NULL, .ctx = NULL}};
	struct bl_tee tee = {sinks, 2};
	/* the report (first in the tee) may have its results formatted by the
	 * engine's workers */
	struct bl_sink_fmt fmt;
	struct bl_sink sink = {.result = bl_tee_result, .ctx = &tee, .fmt = bl_report_fmt(rep, &fmt)};
	struct bl_run_stats stats;
	struct bl_rollup rollup;
	struct bl_catalogs cats;
	memset(&rollup, 0, sizeof(rollup));
	memset(&cats, 0, sizeof(cats));
	bool have_cats = false;
	rc = bl_run_stats_init(&stats, b);
	if (!rc)
		rc = bl_run_stats_track_exceptions(&stats, exc);
	if (rc)
		bl_error_set(&err, rc, NULL, 0, 0, "out of memory");
	/* the run is stored in one transaction, committed once the assessment is
	 * complete (docs/store.md): a failed or killed run leaves nothing */
	if (!rc && !no_store) {
		struct bl_store_run_meta sm = {.id = run.id, .started = run.started, .baseline = b,
					       .targets = targets, .ntargets = ntargets, .now = now,
					       .inventory = inv, .exceptions = exc};
		rc = bl_store_open(&store, store_url, &err);
		if (!rc)
			rc = bl_store_run_begin(&srun, store, &sm, &err);
		sinks[2] = (struct bl_sink){.result = bl_store_sink, .ctx = srun};
		tee.n = 3;
	}
	if (!rc)
		rc = bl_assess_targets(b, facts, snaps, nsnaps, &ao, &sink, &stats, &err);
	bl_now_rfc3339(run.finished);
	if (rc) {
		const struct bl_error *serr = bl_store_run_error(srun);
		exit_code = bl_cli_report_error(serr ? serr : &err);
		goto done;
	}
	/* the host has been read: roll-up, rendering and writing run as USER */
	if (drop_user && bl_privileges_drop(&priv, &err)) {
		exit_code = bl_cli_report_error(&err);
		goto done;
	}
	/* the catalogs only serve the roll-up of mapped frameworks: a baseline
	 * without maps skips loading them (a fifth of its startup) */
	if (!b->catalogs && maps_any(b)) {
		if (bl_catalogs_load(&cats, &err)) {
			exit_code = bl_cli_report_error(&err);
			goto done;
		}
		have_cats = true;
	}
	bl_scores_finish(&scores);
	if (bl_rollup_build_with(&rollup, b, &stats, have_cats ? &cats : b->catalogs)) {
		fprintf(stderr, "baseline assess: out of memory\n");
		exit_code = BL_EXIT_INTERNAL;
		goto done;
	}
	run.stats = &stats;
	run.rollup = &rollup;
	run.scores = &scores;
	struct bl_arena hist;
	bl_arena_init(&hist, 0);
	if (srun) {
		rc = store_finish(srun, &run, &stats, &rollup, &err);
		srun = NULL;
		if (rc) {
			bl_arena_free(&hist);
			exit_code = bl_cli_report_error(&err);
			goto done;
		}
		/* a chart over the stored runs of this baseline; history is a nicety:
		 * failing to read it does not fail the run */
		struct bl_error herr;
		if (bl_cli_trend_points(store, b->id, run.id, &hist, &run.trend, &run.ntrend, &herr)) {
			run.trend = NULL;
			run.ntrend = 0;
		}
	}
	if (bl_output_open(&out, output, &err) ||
	    bl_report_finish(rep, &run, out.f, &err)) {
		if (out.f)
			bl_output_abort(&out);
		bl_arena_free(&hist);
		exit_code = bl_cli_report_error(&err);
		goto done;
	}
	bl_arena_free(&hist);
	if (bl_output_commit(&out, &err)) {
		exit_code = bl_cli_report_error(&err);
		goto done;
	}
	if (fail_on >= 0 && failing_at(b, &stats, fail_on))
		exit_code = BL_EXIT_FINDINGS;
done:
	bl_store_run_abort(srun);
	bl_store_close(store);
	bl_facts_close(facts);
	free(targets);
	bl_rollup_free(&rollup);
	if (have_cats)
		bl_catalogs_free(&cats);
	bl_scores_free(&scores);
	bl_inventory_free(inv);
	bl_exceptions_free(exc);
	bl_run_stats_free(&stats);
	bl_report_free(rep);
	bl_baseline_free(b);
	free(snaps);
	return exit_code;
}
