/*
 * import.c - `baseline import KIND ...`: turn another tool's documents into
 * ours.  One importer per KIND in a static table; a new one (azure-policy,
 * wazuh-sca) is a function and a table line.
 */
#include <getopt.h>
#include <string.h>

#include "cli/cli.h"
#include "import/oscal.h"
#include "model/framework.h"
#include "util/str.h"

struct importer {
	const char *kind;
	int (*run)(int argc, char **argv);   /* argv[0] is KIND */
	const char *summary;
};

static int import_oscal(int argc, char **argv);

static const struct importer importers[] = {
	{"azure-policy", bl_cmd_import_azure, "Azure Policy definitions/initiatives -> baseline; exemptions -> exceptions"},
	{"oscal", import_oscal, "OSCAL catalog or profile (JSON) -> baseline skeleton"},
	{"wazuh-sca", bl_cmd_import_wazuh_sca, "Wazuh SCA policy (4.x/5.x YAML) -> baseline over host facts"},
};
#define NIMPORTERS (sizeof(importers) / sizeof(importers[0]))

static void usage(FILE *to)
{
	fprintf(to, "usage: baseline import KIND ... [-o FILE]   (baseline import KIND --help)\n\nKinds:\n");
	for (size_t i = 0; i < NIMPORTERS; i++)
		fprintf(to, "  %-13s %s\n", importers[i].kind, importers[i].summary);
}

/* ---- oscal ------------------------------------------------------------ */

static const char oscal_usage[] =
	"usage: baseline import oscal FILE [-o OUT]\n"
	"\n"
	"Read an OSCAL catalog or profile (JSON or YAML), e.g. NIST's\n"
	"NIST_SP-800-53_rev5_MODERATE-baseline_profile.json, and write a baseline\n"
	"skeleton (YAML, to OUT or stdout): one control per OSCAL control, id\n"
	"NIST-<OSCAL id>, mapped to nist-800-53-r5, severity medium.  No control has\n"
	"a condition: `baseline lint` lists each as incomplete until you write its\n"
	"expect.  Titles come from the catalog, or for a profile from the built-in\n"
	"nist-800-53-r5 catalog.  Exit 2 when FILE is not an OSCAL catalog/profile.\n";

static int import_oscal(int argc, char **argv)
{
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *output = NULL;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'h':
			fputs(oscal_usage, stdout);
			return BL_EXIT_OK;
		case ':':
			return bl_cli_usage_error("import oscal", "%s needs a value", argv[optind - 1]);
		default:
			return bl_cli_usage_error("import oscal", "unknown option '%s' (see --help)",
						  argv[optind - 1]);
		}
	}
	if (optind + 1 != argc)
		return bl_cli_usage_error("import oscal", "give exactly one FILE (see --help)");
	const char *path = argv[optind];
	struct bl_error err;
	bl_error_clear(&err);
	struct bl_oscal o;
	struct bl_catalogs cats;
	memset(&cats, 0, sizeof(cats));
	struct bl_buf buf;
	bl_buf_init(&buf, 0);
	struct bl_output out;
	int exit_code = BL_EXIT_OK;
	int rc = bl_oscal_load(&o, path, &err);
	if (!rc)
		rc = bl_catalogs_load(&cats, &err);
	if (rc) {
		if (rc == BL_ENOMEM && !err.msg[0])
			bl_error_set(&err, BL_ENOMEM, NULL, 0, 0, "out of memory");
		exit_code = bl_cli_report_error(&err);
		goto done;
	}
	char id[128];
	bl_oscal_baseline_id(id, sizeof(id), path);
	const char *base = strrchr(path, '/');
	if (bl_oscal_write_baseline(&buf, &o, id, base ? base + 1 : path, &cats)) {
		fprintf(stderr, "baseline import oscal: out of memory\n");
		exit_code = BL_EXIT_INTERNAL;
		goto done;
	}
	if (bl_output_open(&out, output, &err)) {
		exit_code = bl_cli_report_error(&err);
		goto done;
	}
	if (fwrite(buf.data, 1, buf.len, out.f) != buf.len) {
		bl_output_abort(&out);
		fprintf(stderr, "baseline import oscal: cannot write %s\n", output ? output : "stdout");
		exit_code = BL_EXIT_USAGE;
		goto done;
	}
	if (bl_output_commit(&out, &err))
		exit_code = bl_cli_report_error(&err);
	else if (output)
		fprintf(stderr, "%s: %zu controls from %s %s; each needs an expect condition\n", output,
			o.n, o.profile ? "profile" : "catalog", path);
done:
	bl_buf_free(&buf);
	bl_catalogs_free(&cats);
	bl_oscal_free(&o);
	return exit_code;
}

/* ---- dispatch ------------------------------------------------------------ */

int bl_cmd_import(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return BL_EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return BL_EXIT_OK;
	}
	for (size_t i = 0; i < NIMPORTERS; i++)
		if (strcmp(importers[i].kind, argv[1]) == 0)
			return importers[i].run(argc - 1, argv + 1);
	bl_cli_usage_error("import", "unknown kind '%s'", argv[1]);
	usage(stderr);
	return BL_EXIT_USAGE;
}
