/*
 * import_sca.c - `baseline import wazuh-sca FILE [-o OUT] [--sca-version 4|5]`:
 * a Wazuh SCA policy as a baseline document (src/import/wazuh_sca.c,
 * docs/wazuh-sca.md).  The result is checked by loading it as a baseline
 * before it is written, so what is written always lints.
 */
#include <getopt.h>
#include <string.h>

#include "cli/cli.h"
#include "doc/load.h"
#include "import/wazuh_sca.h"
#include "model/baseline.h"

static const char sca_usage[] =
	"usage: baseline import wazuh-sca FILE [-o OUT] [--sca-version 4|5]\n"
	"\n"
	"Read a Wazuh SCA policy (YAML, e.g. cis_debian12.yml) and write a baseline\n"
	"(YAML, to OUT or stdout): one control <policy id>-<check id> per check, its\n"
	"rules translated into conditions over host facts, requirements as every\n"
	"control's applies, nist_800_53 and cis_csc_v8 compliance as maps, other\n"
	"compliance kept as references.  SCA 4.x or 5.x semantics are detected from\n"
	"the policy (5.x when checks have `name` or a compliance map); --sca-version\n"
	"overrides.  c: rules run only under `assess --allow-commands`.  Every problem\n"
	"in the policy is listed as FILE:LINE:COL; exit 2.  See docs/wazuh-sca.md.\n";

/* "4" or "5" -> 4 or 5; 0 otherwise. */
static int sca_version(const char *s)
{
	return (strcmp(s, "4") == 0) ? 4 : (strcmp(s, "5") == 0) ? 5 : 0;
}

int bl_cmd_import_wazuh_sca(int argc, char **argv)
{
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		{"sca-version", required_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *output = NULL;
	struct bl_sca_opts so = {0};
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'V':
			if (!(so.version = sca_version(optarg)))
				return bl_cli_usage_error("import wazuh-sca", "--sca-version must be 4 or 5");
			break;
		case 'h':
			fputs(sca_usage, stdout);
			return BL_EXIT_OK;
		case ':':
			return bl_cli_usage_error("import wazuh-sca", "%s needs a value", argv[optind - 1]);
		default:
			return bl_cli_usage_error("import wazuh-sca", "unknown option '%s' (see --help)",
						  argv[optind - 1]);
		}
	}
	if (optind + 1 != argc)
		return bl_cli_usage_error("import wazuh-sca", "give exactly one FILE (see --help)");
	const char *path = argv[optind];
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_diags d;
	bl_diags_init(&d);
	struct bl_error err;
	bl_error_clear(&err);
	struct bl_buf buf;
	bl_buf_init(&buf, 0);
	struct bl_sca_info info;
	memset(&info, 0, sizeof info);
	int exit_code = BL_EXIT_OK;
	const struct bl_value *doc = NULL, *gen = NULL;
	struct bl_baseline *b = NULL;
	int rc = bl_doc_load(&doc, &a, path, &err);
	if (rc) {
		exit_code = bl_cli_report_error(&err);
		goto done;
	}
	if (!bl_sca_detect(doc)) {
		fprintf(stderr, "%s: not a Wazuh SCA policy (no top-level policy and checks)\n", path);
		exit_code = BL_EXIT_USAGE;
		goto done;
	}
	const char *base = strrchr(path, '/');
	rc = bl_sca_translate(&buf, doc, &so, base ? base + 1 : path, &info, &d);
	if (!rc)
		rc = bl_doc_parse(&gen, &a, buf.data, buf.len, path, &err);
	if (!rc)
		rc = bl_baseline_from_doc(&b, gen, &d);
	if (rc) {
		size_t n = bl_cli_print_diags(&d, stderr);
		if (err.msg[0])
			bl_cli_report_error(&err);
		fprintf(stderr, "%s: %zu problem%s\n", path, n, n == 1 ? "" : "s");
		exit_code = rc == BL_EINVAL ? BL_EXIT_USAGE : BL_EXIT_INTERNAL;
		goto done;
	}
	struct bl_output out;
	if (bl_output_open(&out, output, &err)) {
		exit_code = bl_cli_report_error(&err);
		goto done;
	}
	if (fwrite(buf.data, 1, buf.len, out.f) != buf.len) {
		bl_output_abort(&out);
		fprintf(stderr, "baseline import wazuh-sca: cannot write %s\n", output ? output : "stdout");
		exit_code = BL_EXIT_USAGE;
		goto done;
	}
	if (bl_output_commit(&out, &err))
		exit_code = bl_cli_report_error(&err);
	else
		fprintf(stderr,
			"%s: %zu controls from %s (SCA %d.x, %s regexes); %zu c: rules run only with "
			"--allow-commands; %zu r: rules are not applicable\n",
			output ? output : "stdout", info.nchecks, info.policy_id, info.version,
			info.pcre2 ? "PCRE2" : "OS_Regex", info.ncommands, info.nregistry);
done:
	bl_baseline_free(b);
	bl_buf_free(&buf);
	bl_diags_free(&d);
	bl_arena_free(&a);
	return exit_code;
}
