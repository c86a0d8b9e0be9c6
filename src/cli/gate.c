/*
 * gate.c - `baseline gate`: a CI guardrail (FORMATS.md §7,
 * docs/guardrails-in-ci.md).  Evaluates the snapshots (manifests, Terraform
 * plans, ARM templates...) against one or more baselines; `deny` controls
 * decide, `audit` controls only warn.
 *
 * Blocking (exit 1): a deny control that fails (not covered by an active
 * exception) or that could not be evaluated (`error`: an unevaluated ARM
 * expression, a type mismatch...), because a guardrail that cannot look is
 * not a guardrail that held.  Not blocking: audit failures and errors
 * (warnings), exempt results, and not_applicable ones - including values a
 * Terraform plan only knows after apply, which are listed so nobody mistakes
 * them for checked.  Exit 2: bad usage or an invalid document; 3: internal.
 * The gate never writes to the store.
 *
 * Text output is for the developer who broke the build: per finding the
 * control, the resource (id, type, file:line:col), each field with what was
 * found and what is required, and the remediation; then one summary line.
 * json/sarif/junit are the shared writers (report/), fed the same results.
 */
#include <getopt.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "doc/json.h"
#include "engine/engine.h"
#include "engine/rollup.h"
#include "model/baseline.h"
#include "model/exceptions.h"
#include "report/report.h"

static const char usage_text[] =
	"usage: baseline gate -b BASELINE... -s PATH... [-x EXCEPTIONS]\n"
	"                     [--parameters FILE] [-f text|json|sarif|junit] [-o FILE]\n"
	"\n"
	"A CI guardrail: evaluate snapshots (JSON/YAML resources or manifests, a\n"
	"Terraform plan from `terraform show -json`, an ARM template) against the\n"
	"baselines.  Exit 1 when a deny control fails or cannot be evaluated on any\n"
	"resource and no valid exception covers it; audit controls only warn.\n"
	"\n"
	"  -b, --baseline FILE    baseline (repeatable; control ids must be unique)\n"
	"  -s, --snapshot PATH    file or folder to check (repeatable; - for stdin)\n"
	"  -x, --exceptions FILE  exceptions: a covered deny failure does not block\n"
	"      --parameters FILE  parameter values for the baselines\n"
	"  -f, --format FORMAT    text (default), json, sarif, junit\n"
	"  -o, --output FILE      write there (atomically) instead of stdout\n"
	"      --threads N        worker threads (default: all cores)\n"
	"  -h, --help             this help\n"
	"\n"
	"Exit: 0 nothing denied, 1 denied, 2 bad usage or input, 3 internal error.\n";

enum { OPT_PARAMETERS = 256, OPT_THREADS };

static const struct option long_opts[] = {
	{"baseline", required_argument, NULL, 'b'},
	{"snapshot", required_argument, NULL, 's'},
	{"exceptions", required_argument, NULL, 'x'},
	{"parameters", required_argument, NULL, OPT_PARAMETERS},
	{"format", required_argument, NULL, 'f'},
	{"output", required_argument, NULL, 'o'},
	{"threads", required_argument, NULL, OPT_THREADS},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

/* What adapt/terraform.c says about a value known only after apply. */
#define AFTER_APPLY "is known only after apply"
#define SHOWN_MAX 200

struct gate {
	struct bl_buf denied, warned, exempt, later;   /* text sections */
	uint64_t ndenied, nwarned, nexempt, nlater;
	bool text;
};

static void put_value(struct bl_buf *b, const struct bl_value *v)
{
	if (!v) {
		bl_buf_adds(b, "(missing)");
		return;
	}
	struct bl_buf t;
	bl_buf_init(&t, 0);
	bl_json_write(&t, v, 0);
	if (t.len > SHOWN_MAX)
		bl_buf_printf(b, "%.*s...", SHOWN_MAX, t.data);
	else
		bl_buf_adds(b, t.data ? t.data : "");
	bl_buf_free(&t);
}

/* One finding: heading, resource, evidence or reason, remediation. */
static void put_finding(struct bl_buf *b, const char *label, const struct bl_result *r)
{
	const struct bl_control *c = r->control;
	const struct bl_asset *a = r->asset;
	bl_buf_printf(b, "%-7s %s  %s  [%s, %s]\n", label, c->id, c->title ? c->title : "",
		      bl_severity_name(c->severity), bl_effect_name(c->effect));
	bl_buf_printf(b, "  resource  %s", a->id);
	if (a->type && a->type[0])
		bl_buf_printf(b, " (%s)", a->type);
	if (a->file && a->line)
		bl_buf_printf(b, " at %s:%u:%u", a->file, a->line, a->col);
	else if (a->file)
		bl_buf_printf(b, " in %s", a->file);
	bl_buf_addc(b, '\n');
	if (r->status == BL_FAIL || (r->status == BL_EXEMPT && r->nevidence)) {
		for (size_t i = 0; i < r->nevidence; i++) {
			const struct bl_evidence *e = &r->evidence[i];
			bl_buf_printf(b, "  field     %s\n  found     ", e->path);
			put_value(b, e->actual);
			bl_buf_printf(b, "\n  required  %s\n", e->expected);
		}
		if (!r->nevidence)
			bl_buf_printf(b, "  problem   %s\n", r->message);
	} else if (r->status != BL_EXEMPT) {
		static const char na[] = "not applicable: ";
		const char *m = r->message;
		if (strncmp(m, na, sizeof(na) - 1) == 0)
			m += sizeof(na) - 1;
		bl_buf_printf(b, "  %s %s\n", r->status == BL_ERROR ? "unchecked" : "pending  ", m);
	}
	if (r->exception) {
		const struct bl_exception *x = r->exception;
		bl_buf_printf(b, "  exception %s (%s, %s %s%s%s)%s\n", x->id,
			      bl_exc_category_name(x->category),
			      r->exc_state == BL_EXC_EXPIRED ? "expired on" : "expires", x->expires,
			      x->ticket ? ", ticket " : "", x->ticket ? x->ticket : "",
			      r->exc_state == BL_EXC_NOT_APPLIED
				      ? ": not applied, an exception never covers a check that "
					"could not be evaluated"
				      : "");
	}
	if (c->remediation && r->status != BL_EXEMPT)
		bl_buf_printf(b, "  fix       %s\n", c->remediation);
	bl_buf_addc(b, '\n');
}

static int gate_result(void *ctx, const struct bl_result *r)
{
	struct gate *g = ctx;
	bool deny = r->control->effect == BL_EFFECT_DENY;
	struct bl_buf *to = NULL;
	const char *label = NULL;
	switch (r->status) {
	case BL_FAIL:
	case BL_ERROR:
		if (deny) {
			g->ndenied++;
			to = &g->denied;
			label = "DENIED";
		} else {
			g->nwarned++;
			to = &g->warned;
			label = "WARNING";
		}
		break;
	case BL_EXEMPT:
		g->nexempt++;
		to = &g->exempt;
		label = "EXEMPT";
		break;
	case BL_NA:
		if (!strstr(r->message, AFTER_APPLY))
			return 0;
		g->nlater++;
		to = &g->later;
		label = "PENDING";
		break;
	default:
		return 0;
	}
	if (g->text)
		put_finding(to, label, r);
	return to->failed ? BL_ENOMEM : 0;
}

static int write_text(const struct gate *g, const struct bl_run_stats *st, FILE *f)
{
	const struct bl_buf *parts[] = {&g->denied, &g->warned, &g->exempt, &g->later};
	for (size_t i = 0; i < 4; i++)
		if (parts[i]->len)
			fwrite(parts[i]->data, 1, parts[i]->len, f);
	fprintf(f, "gate: %s: %llu denied, %llu warning%s, %llu exempt, %llu known only after "
		   "apply (%llu resources, %llu controls)\n",
		g->ndenied ? "blocked" : "passed", (unsigned long long)g->ndenied,
		(unsigned long long)g->nwarned, g->nwarned == 1 ? "" : "s",
		(unsigned long long)g->nexempt, (unsigned long long)g->nlater,
		(unsigned long long)st->assets, (unsigned long long)st->controls);
	return ferror(f) ? BL_EIO : 0;
}

/*
 * Several -b: one baseline holding every control (copies pointing into the
 * loaded baselines, which must outlive it), so one run and one report cover
 * them.  Control ids must be unique across them (BL_EINVAL, err names both
 * files).  Returns 0 or BL_EINVAL/BL_ENOMEM.
 */
static int merge_baselines(struct bl_baseline *m, struct bl_baseline *const *bs, size_t n,
			   struct bl_error *err)
{
	memset(m, 0, sizeof(*m));
	bl_arena_init(&m->arena, 0);
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += bs[i]->ncontrols;
	m->controls = bl_arena_calloc(&m->arena, total + 1, sizeof(*m->controls));
	struct bl_buf id, ver, title;
	bl_buf_init(&id, 0);
	bl_buf_init(&ver, 0);
	bl_buf_init(&title, 0);
	crypto_hash_sha256_state h;
	crypto_hash_sha256_init(&h);
	int rc = m->controls ? 0 : BL_ENOMEM;
	for (size_t i = 0; i < n && !rc; i++) {
		const struct bl_baseline *b = bs[i];
		bl_buf_printf(&id, "%s%s", i ? "+" : "", b->id);
		bl_buf_printf(&ver, "%s%s", i ? "+" : "", b->version ? b->version : "");
		bl_buf_printf(&title, "%s%s", i ? " + " : "", b->title ? b->title : b->id);
		crypto_hash_sha256_update(&h, (const unsigned char *)b->sha256, 64);
		for (size_t k = 0; k < b->ncontrols && !rc; k++) {
			for (size_t j = 0; j < m->ncontrols; j++) {
				if (strcmp(m->controls[j].id, b->controls[k].id) == 0) {
					rc = bl_error_set(err, BL_EINVAL, b->controls[k].file,
							  b->controls[k].line, b->controls[k].col,
							  "control %s is also defined in %s (line %u); "
							  "gate needs unique control ids across -b",
							  b->controls[k].id,
							  m->controls[j].file ? m->controls[j].file : "?",
							  m->controls[j].line);
					break;
				}
			}
			if (rc)
				break;
			m->controls[m->ncontrols] = b->controls[k];
			m->controls[m->ncontrols].index = m->ncontrols;
			m->ncontrols++;
		}
	}
	unsigned char sum[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_final(&h, sum);
	for (size_t i = 0; i < sizeof(sum); i++)
		snprintf(m->sha256 + 2 * i, 3, "%02x", sum[i]);
	if (!rc && (id.failed || ver.failed || title.failed))
		rc = bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
	if (!rc) {
		m->id = bl_arena_strndup(&m->arena, id.data, id.len);
		m->version = bl_arena_strndup(&m->arena, ver.data, ver.len);
		m->title = bl_arena_strndup(&m->arena, title.data, title.len);
		m->file = bs[0]->file;
		if (!m->id || !m->version || !m->title)
			rc = bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
	} else if (rc == BL_ENOMEM) {
		bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
	}
	bl_buf_free(&id);
	bl_buf_free(&ver);
	bl_buf_free(&title);
	return rc;
}

struct gate_args {
	const char **bases, **snaps;
	size_t nbases, nsnaps;
	const char *exc_path, *params, *format, *output;
	unsigned threads;
};

static int parse_args(struct gate_args *ga, int argc, char **argv, bool *help)
{
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":b:s:x:f:o:h", long_opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			ga->bases[ga->nbases++] = optarg;
			break;
		case 's':
			ga->snaps[ga->nsnaps++] = optarg;
			break;
		case 'x':
			if (ga->exc_path)
				return bl_cli_usage_error("gate", "give -x once (one exception document)");
			ga->exc_path = optarg;
			break;
		case OPT_PARAMETERS:
			ga->params = optarg;
			break;
		case 'f':
			ga->format = optarg;
			break;
		case 'o':
			ga->output = optarg;
			break;
		case OPT_THREADS: {
			char *end;
			unsigned long n = strtoul(optarg, &end, 10);
			if (*end || !*optarg || n < 1 || n > 256)
				return bl_cli_usage_error("gate", "--threads takes a number from 1 to 256");
			ga->threads = (unsigned)n;
			break;
		}
		case 'h':
			*help = true;
			return 0;
		case ':':
			return bl_cli_usage_error("gate", "%s needs a value", argv[optind - 1]);
		default:
			return bl_cli_usage_error("gate", "unknown option '%s' (see --help)",
						  argv[optind - 1]);
		}
	}
	if (optind < argc)
		return bl_cli_usage_error("gate", "unexpected argument '%s' (snapshots go after -s)",
					  argv[optind]);
	if (!ga->nbases)
		return bl_cli_usage_error("gate", "no baseline: give -b FILE");
	if (!ga->nsnaps)
		return bl_cli_usage_error("gate", "nothing to check: give -s PATH");
	static const char *const formats[] = {"text", "json", "sarif", "junit"};
	for (size_t i = 0; i < 4; i++)
		if (strcmp(ga->format, formats[i]) == 0)
			return 0;
	return bl_cli_usage_error("gate", "-f: unknown format '%s' (text, json, sarif, junit)",
				  ga->format);
}

/* The run itself, once the documents are loaded. */
static int gate_run(const struct gate_args *ga, const struct bl_baseline *b,
		    const struct bl_exceptions *exc, int64_t now)
{
	struct bl_error err;
	bl_error_clear(&err);
	bool text = strcmp(ga->format, "text") == 0;
	struct bl_report *rep = NULL;
	struct bl_report_opts ro = {.all = false, .gate = true};
	if (!text && bl_report_open(&rep, ga->format, b, &ro, &err))
		return bl_cli_report_error(&err);
	struct gate g = {.text = text};
	bl_buf_init(&g.denied, 0);
	bl_buf_init(&g.warned, 0);
	bl_buf_init(&g.exempt, 0);
	bl_buf_init(&g.later, 0);
	struct bl_sink sinks[2] = {{.result = gate_result, .ctx = &g},
				   {.result = bl_report_result, .ctx = rep}};
	struct bl_tee tee = {sinks, rep ? 2 : 1};
	struct bl_sink sink = {.result = bl_tee_result, .ctx = &tee};
	struct bl_run_info run;
	memset(&run, 0, sizeof(run));
	bl_uuid4(run.id);
	bl_now_rfc3339(run.started);
	run.baseline = b;
	run.targets = ga->snaps;
	run.ntargets = ga->nsnaps;
	run.exceptions = exc;
	run.now = now;
	struct bl_assess_opts ao = {.threads = ga->threads, .exceptions = exc, .now = now};
	struct bl_run_stats stats;
	struct bl_rollup rollup;
	memset(&rollup, 0, sizeof(rollup));
	int exit_code = BL_EXIT_OK;
	int rc = bl_run_stats_init(&stats, b);
	if (!rc)
		rc = bl_run_stats_track_exceptions(&stats, exc);
	if (rc) {
		bl_error_set(&err, rc, NULL, 0, 0, "out of memory");
		exit_code = bl_cli_report_error(&err);
		goto done;
	}
	rc = bl_assess(b, ga->snaps, ga->nsnaps, &ao, &sink, &stats, &err);
	bl_now_rfc3339(run.finished);
	if (rc) {
		exit_code = bl_cli_report_error(&err);
		goto done;
	}
	if (rep && bl_rollup_build(&rollup, b, &stats)) {
		fprintf(stderr, "baseline gate: out of memory\n");
		exit_code = BL_EXIT_INTERNAL;
		goto done;
	}
	run.stats = &stats;
	run.rollup = &rollup;
	struct bl_output out;
	memset(&out, 0, sizeof(out));
	if (bl_output_open(&out, ga->output, &err) ||
	    (rep ? bl_report_finish(rep, &run, out.f, &err)
		 : (write_text(&g, &stats, out.f) ? bl_error_set(&err, BL_EIO, ga->output, 0, 0,
								 "cannot write the report")
						  : 0)) ||
	    bl_output_commit(&out, &err)) {
		if (out.f)
			bl_output_abort(&out);
		exit_code = bl_cli_report_error(&err);
		goto done;
	}
	if (rep)   /* the verdict still reaches the CI log when the report went to a file */
		fprintf(stderr, "gate: %s: %llu denied, %llu warning%s, %llu exempt\n",
			g.ndenied ? "blocked" : "passed", (unsigned long long)g.ndenied,
			(unsigned long long)g.nwarned, g.nwarned == 1 ? "" : "s",
			(unsigned long long)g.nexempt);
	exit_code = g.ndenied ? BL_EXIT_FINDINGS : BL_EXIT_OK;
done:
	bl_rollup_free(&rollup);
	bl_run_stats_free(&stats);
	bl_report_free(rep);
	bl_buf_free(&g.denied);
	bl_buf_free(&g.warned);
	bl_buf_free(&g.exempt);
	bl_buf_free(&g.later);
	return exit_code;
}

/* Every name of the shared --parameters file is defined by some baseline. */
static int check_parameter_names(const char *file, struct bl_baseline *const *bs, size_t n,
				 struct bl_diags *diags)
{
	struct bl_arena a;
	bl_arena_init(&a, 0);
	const struct bl_value *values = NULL;
	int rc = bl_cli_parameters_load(&values, file, &a, diags);
	for (uint32_t i = 0; rc != BL_ENOMEM && values && i < values->u.obj.n; i++) {
		const struct bl_member *m = &values->u.obj.items[i];
		bool known = false;
		for (size_t k = 0; k < n && !known; k++)
			known = bs[k]->parameters && bl_value_get(bs[k]->parameters, m->key, m->klen);
		if (known)
			continue;
		rc = bl_diag_add(diags, m->val.file, m->line, m->col,
				 "parameter \"%.*s\" is not defined by any of the baselines",
				 (int)m->klen, m->key) == BL_ENOMEM ? BL_ENOMEM : BL_EINVAL;
	}
	bl_arena_free(&a);
	return rc;
}

int bl_cmd_gate(int argc, char **argv)
{
	struct gate_args ga = {.format = "text"};
	ga.bases = calloc((size_t)argc + 1, sizeof(*ga.bases));
	ga.snaps = calloc((size_t)argc + 1, sizeof(*ga.snaps));
	struct bl_baseline **bs = calloc((size_t)argc + 1, sizeof(*bs));
	if (!ga.bases || !ga.snaps || !bs) {
		free(ga.bases);
		free(ga.snaps);
		free(bs);
		return BL_EXIT_INTERNAL;
	}
	bool help = false;
	int exit_code = parse_args(&ga, argc, argv, &help);
	if (help) {
		fputs(usage_text, stdout);
		exit_code = BL_EXIT_OK;
	}
	if (help || exit_code) {
		free(ga.bases);
		free(ga.snaps);
		free(bs);
		return exit_code;
	}
	struct bl_diags diags;
	bl_diags_init(&diags);
	/* one parameter file serves every -b: each baseline takes the names it
	 * defines, and a name no baseline defines is an error */
	struct bl_cli_load_opts lo = {.parameters = ga.params, .parameters_partial = ga.nbases > 1};
	int64_t now = (int64_t)time(NULL);
	int rc = 0;
	for (size_t i = 0; i < ga.nbases; i++) {
		int r = bl_cli_baseline_load(&bs[i], ga.bases[i], &lo, &diags);
		if (r && (!rc || r == BL_ENOMEM))
			rc = r;
	}
	if (!rc && lo.parameters && lo.parameters_partial)
		rc = check_parameter_names(ga.params, bs, ga.nbases, &diags);
	struct bl_exceptions *exc = NULL;
	struct bl_exc_opts xo = {.now = now};
	if (ga.exc_path) {
		int r = bl_exceptions_load(&exc, ga.exc_path, &xo, &diags);
		if (r && (!rc || r == BL_ENOMEM))
			rc = r;
	}
	struct bl_baseline merged;
	bool have_merged = false;
	const struct bl_baseline *b = bs[0];
	if (rc) {
		bl_cli_print_diags(&diags, stderr);
		exit_code = bl_cli_load_exit(rc, 0, 0);
	} else if (ga.nbases > 1) {
		struct bl_error err;
		have_merged = true;
		if (merge_baselines(&merged, bs, ga.nbases, &err))
			exit_code = bl_cli_report_error(&err);
		b = &merged;
	}
	bl_diags_free(&diags);
	if (!exit_code)
		exit_code = gate_run(&ga, b, exc, now);
	if (have_merged)
		bl_arena_free(&merged.arena);
	for (size_t i = 0; i < ga.nbases; i++)
		bl_baseline_free(bs[i]);
	bl_exceptions_free(exc);
	free(ga.bases);
	free(ga.snaps);
	free(bs);
	return exit_code;
}
